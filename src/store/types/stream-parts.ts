/**
 * A stream as plain parts, for the RDB writer/loader (types 15/19/21, see
 * /work/shared/specs/redis-replication-and-rdb.md 4.9) and for COPY:
 *
 *   const parts = streamParts(s);        // nodes (master id + exact listpack bytes), metadata,
 *                                        // groups with their PELs and consumers
 *   const s2 = streamFromParts(parts);   // the inverse (validates node listpacks)
 *
 * IDs are {ms, seq} bigints; entriesRead is -1n when unknown (RDB stores 2^64-1); times are ms
 * since the epoch. The parts own copies of every buffer.
 */

import { ConsumerGroup, Consumer, ENTRIES_READ_INVALID, Nack, sortedGroups } from './stream-group.js';
import { idKeyOf, idFromKey, type StreamID } from './stream-id.js';
import { Stream, StreamNode } from './stream.js';

export interface StreamNodePart {
  /** Master ID: the node's radix-tree key (16 bytes big-endian ms, seq in RDB). */
  master: StreamID;
  /** The node's listpack, byte for byte. */
  lp: Buffer;
}

export interface StreamPelPart {
  id: StreamID;
  deliveryTime: number;
  deliveryCount: number | bigint;
}

export interface StreamConsumerPart {
  name: Buffer;
  seenTime: number;
  /** IDs of the consumer's pending entries; each must be in the group PEL. */
  pel: StreamID[];
}

export interface StreamGroupPart {
  name: Buffer;
  lastId: StreamID;
  /** -1n = unknown (Redis's SCG_INVALID_ENTRIES_READ, 2^64-1 in RDB). */
  entriesRead: bigint;
  pel: StreamPelPart[];
  consumers: StreamConsumerPart[];
}

export interface StreamParts {
  nodes: StreamNodePart[];
  length: number;
  lastId: StreamID;
  firstId: StreamID;
  maxDeletedId: StreamID;
  entriesAdded: bigint;
  groups: StreamGroupPart[];
}

export { ENTRIES_READ_INVALID };

const cp = (id: StreamID): StreamID => ({ ms: id.ms, seq: id.seq });

/** Everything the RDB writer needs, in Redis's order (nodes by ID, groups/consumers by name). */
export function streamParts(s: Stream): StreamParts {
  const nodes: StreamNodePart[] = [];
  for (const n of s.nodeList()) nodes.push({ master: { ms: n.ms, seq: n.seq }, lp: Buffer.from(n.lp()) });
  return withMetadata(s, nodes);
}

/**
 * streamParts without copying the node listpacks (about 15 ms per million entries): the
 * nodes are pinned (Stream.pinNodes), so the parts' views of them stay valid while the stream
 * changes; the caller drops each node's pin (`pinned[k].pins--`) when done with it.
 */
export function frozenStreamParts(s: Stream): { parts: StreamParts; pinned: StreamNode[] } {
  const pinned = s.pinNodes();
  const nodes: StreamNodePart[] = new Array<StreamNodePart>(pinned.length);
  for (let k = 0; k < pinned.length; k++) {
    const n = pinned[k]!;
    nodes[k] = { master: { ms: n.ms, seq: n.seq }, lp: n.lp() };
  }
  return { parts: withMetadata(s, nodes), pinned };
}

/** The parts around the nodes: metadata, and copies of the groups, PELs and consumers. */
function withMetadata(s: Stream, nodes: StreamNodePart[]): StreamParts {
  const groups: StreamGroupPart[] = [];
  for (const g of sortedGroups(s)) {
    const pel: StreamPelPart[] = [];
    for (const [k, nack] of g.pel.entries()) pel.push({ id: idFromKey(k), deliveryTime: nack.deliveryTime, deliveryCount: nack.deliveryCount });
    const consumers: StreamConsumerPart[] = g.sortedConsumers().map((c) => ({
      name: Buffer.from(c.name),
      seenTime: c.seenTime,
      pel: [...c.pel.entries()].map(([k]) => idFromKey(k)),
    }));
    groups.push({ name: Buffer.from(g.name), lastId: cp(g.lastId), entriesRead: g.entriesRead, pel, consumers });
  }
  return {
    nodes,
    length: s.length,
    lastId: cp(s.lastId),
    firstId: cp(s.firstId),
    maxDeletedId: cp(s.maxDeletedId),
    entriesAdded: s.entriesAdded,
    groups,
  };
}

/**
 * Builds a stream from parts. Throws Error when they are inconsistent (a node listpack that
 * cannot be walked, nodes out of order, a consumer PEL entry missing from its group PEL).
 */
export function streamFromParts(p: StreamParts): Stream {
  const s = new Stream();
  let prev: string | null = null;
  for (const n of p.nodes) {
    const node = StreamNode.fromListpack(n.master.ms, n.master.seq, n.lp);
    if (prev !== null && node.key <= prev) throw new Error('stream nodes out of order');
    prev = node.key;
    node.walk(false, () => true); // validates every entry
    s.pushNode(node);
  }
  s.length = p.length;
  s.lastId = cp(p.lastId);
  s.firstId = cp(p.firstId);
  s.maxDeletedId = cp(p.maxDeletedId);
  s.entriesAdded = p.entriesAdded;
  for (const gp of p.groups) {
    const g = new ConsumerGroup(Buffer.from(gp.name), cp(gp.lastId), gp.entriesRead);
    const unowned = new Map<string, Nack>();
    for (const e of gp.pel) {
      const k = idKeyOf(e.id);
      // The owner is set when the consumer that lists this ID is read.
      const nack = new Nack(null as unknown as Consumer, e.deliveryTime, e.deliveryCount);
      g.pel.set(k, nack);
      unowned.set(k, nack);
    }
    for (const cpart of gp.consumers) {
      const c = new Consumer(Buffer.from(cpart.name), cpart.seenTime);
      g.consumers.set(c.name.toString('latin1'), c);
      for (const id of cpart.pel) {
        const k = idKeyOf(id);
        const nack = unowned.get(k);
        if (nack === undefined) throw new Error('consumer PEL entry not in the group PEL (or listed twice)');
        unowned.delete(k);
        nack.consumer = c;
        c.pel.set(k, nack);
      }
    }
    if (unowned.size > 0) throw new Error('group PEL entry owned by no consumer');
    s.groups.set(g.name.toString('latin1'), g);
  }
  return s;
}

/** A deep copy (COPY). */
export function cloneStream(s: Stream): Stream {
  return streamFromParts(streamParts(s));
}
