/**
 * Streams between their in-memory form (store/types/stream*.ts) and RDB's stream content
 * (RdbStreamValue). Both keep the nodes as Redis's raw listpacks, so this is a field-by-field
 * mapping; installed once at start-up (Server constructor) through rdb-values' setStreamCodec.
 */

import type { RdbStreamValue } from './rdb-format.js';
import { setStreamCodec, type FrozenStreamContent } from './rdb-values.js';
import type { Stream } from '../store/types/stream.js';
import { frozenStreamParts, streamFromParts, streamParts, type StreamParts } from '../store/types/stream-parts.js';

function toRdb(obj: unknown): RdbStreamValue {
  return partsToRdb(streamParts(obj as Stream));
}

function freeze(obj: unknown): FrozenStreamContent {
  const { parts, pinned } = frozenStreamParts(obj as Stream);
  let passed = 0;
  return {
    value: partsToRdb(parts),
    passed(upTo) {
      for (; passed < upTo; passed++) pinned[passed]!.pins--;
    },
    release() {
      this.passed(pinned.length);
    },
  };
}

function partsToRdb(p: StreamParts): RdbStreamValue {
  return {
    nodes: p.nodes.map((n) => ({ masterId: { ms: n.master.ms, seq: n.master.seq }, listpack: n.lp })),
    length: BigInt(p.length),
    lastId: p.lastId,
    firstId: p.firstId,
    maxDeletedId: p.maxDeletedId,
    entriesAdded: p.entriesAdded,
    groups: p.groups.map((g) => ({
      name: g.name,
      lastId: g.lastId,
      entriesRead: g.entriesRead,
      pel: g.pel.map((e) => ({ id: e.id, deliveryTime: BigInt(e.deliveryTime), deliveryCount: BigInt(e.deliveryCount) })),
      consumers: g.consumers.map((c) => ({ name: c.name, seenTime: BigInt(c.seenTime), activeTime: BigInt(c.seenTime), pel: c.pel })),
    })),
  };
}

function fromRdb(v: RdbStreamValue): object {
  const parts: StreamParts = {
    nodes: v.nodes.map((n) => ({ master: n.masterId, lp: n.listpack })),
    length: Number(v.length),
    lastId: v.lastId,
    firstId: v.firstId,
    maxDeletedId: v.maxDeletedId,
    entriesAdded: v.entriesAdded,
    groups: v.groups.map((g) => ({
      name: g.name,
      lastId: g.lastId,
      entriesRead: g.entriesRead,
      pel: g.pel.map((e) => ({
        id: e.id,
        deliveryTime: Number(e.deliveryTime),
        deliveryCount: e.deliveryCount <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(e.deliveryCount) : e.deliveryCount,
      })),
      consumers: g.consumers.map((c) => ({ name: c.name, seenTime: Number(c.seenTime), pel: c.pel })),
    })),
  };
  return streamFromParts(parts);
}

export function installStreamCodec(): void {
  setStreamCodec({ fromRdb, toRdb, freeze });
}
