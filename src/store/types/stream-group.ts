/**
 * Consumer groups of a stream (Redis 7.0 semantics): the group's last delivered ID and
 * entries-read counter, its pending-entries list (PEL: ID -> delivery time, delivery count,
 * owning consumer) and its consumers, each with its own PEL sharing the same NACK objects.
 *
 * entries-read and lag follow Redis 7.0's rules (observed against redis-server 7.0.15):
 * - the counter is "invalid" (shown as nil; 2^64-1 in RDB) when it cannot be known;
 * - delivering an entry past last-id increments a valid counter when no tombstone lies at or
 *   after that entry; otherwise it is re-estimated from the stream's first-ever entry
 *   (estimateEntriesRead);
 * - lag = entries-added - entries-read, with the same estimate when the counter is invalid or
 *   a tombstone lies after last-id; nil when no estimate is possible. An empty stream that
 *   never had entries has lag 0.
 */

import { IdIndex } from './id-index.js';
import { ID_MAX, ID_ZERO, cmpId, isZeroId, type StreamID } from './stream-id.js';
import type { Stream } from './stream.js';

/** entries-read value meaning "unknown" (Redis's SCG_INVALID_ENTRIES_READ). */
export const ENTRIES_READ_INVALID = -1n;

export class Consumer {
  readonly name: Buffer;
  /** Last time the consumer was seen (ms): XINFO seen-time / idle. */
  seenTime: number;
  readonly pel = new IdIndex<Nack>();

  constructor(name: Buffer, seenTime: number) {
    this.name = name;
    this.seenTime = seenTime;
  }
}

export class Nack {
  deliveryTime: number;
  deliveryCount: number | bigint;
  consumer: Consumer;

  constructor(consumer: Consumer, deliveryTime: number, deliveryCount: number | bigint) {
    this.consumer = consumer;
    this.deliveryTime = deliveryTime;
    this.deliveryCount = deliveryCount;
  }
}

export class ConsumerGroup {
  readonly name: Buffer;
  lastId: StreamID;
  entriesRead: bigint;
  readonly pel = new IdIndex<Nack>();
  /** By name (latin1). Listed in name-byte order (sortedConsumers). */
  readonly consumers = new Map<string, Consumer>();

  constructor(name: Buffer, lastId: StreamID, entriesRead: bigint) {
    this.name = name;
    this.lastId = lastId;
    this.entriesRead = entriesRead;
  }

  sortedConsumers(): Consumer[] {
    const keys = [...this.consumers.keys()].sort();
    return keys.map((k) => this.consumers.get(k)!);
  }

  /** Consumer by name, created when missing (`created` tells). */
  consumer(name: Buffer, now: number): { consumer: Consumer; created: boolean } {
    const k = name.toString('latin1');
    let c = this.consumers.get(k);
    if (c !== undefined) return { consumer: c, created: false };
    c = new Consumer(Buffer.from(name), now);
    this.consumers.set(k, c);
    return { consumer: c, created: true };
  }

  /** Deletes a consumer and its pending entries from the group PEL; returns how many it had. */
  deleteConsumer(name: Buffer): number {
    const k = name.toString('latin1');
    const c = this.consumers.get(k);
    if (c === undefined) return -1;
    const n = c.pel.size;
    for (const [id] of c.pel.entries()) this.pel.delete(id);
    this.consumers.delete(k);
    return n;
  }
}

/** Groups in name-byte order. */
export function sortedGroups(s: Stream): ConsumerGroup[] {
  const keys = [...s.groups.keys()].sort();
  return keys.map((k) => s.groups.get(k)!);
}

/** True when a tombstone may lie in [start, end] (end null = to the end of the stream). */
export function rangeHasTombstones(s: Stream, start: StreamID | null, end: StreamID | null): boolean {
  if (s.length === 0 || isZeroId(s.maxDeletedId)) return false;
  // The newest tombstone lies before the first entry: no tombstone is left in the stream.
  if (cmpId(s.firstId, s.maxDeletedId) > 0) return false;
  const a = start ?? ID_ZERO;
  const b = end ?? ID_MAX;
  return cmpId(a, s.maxDeletedId) <= 0 && cmpId(s.maxDeletedId, b) <= 0;
}

/**
 * The logical position (1-based count of entries ever added) of `id`, when it can be known;
 * ENTRIES_READ_INVALID otherwise.
 */
export function estimateEntriesRead(s: Stream, id: StreamID): bigint {
  if (s.entriesAdded === 0n) return 0n;
  if (s.length === 0 && cmpId(id, s.lastId) < 1) return s.entriesAdded;
  const cl = cmpId(id, s.lastId);
  if (cl === 0) return s.entriesAdded;
  if (cl > 0) return ENTRIES_READ_INVALID;
  const cf = cmpId(id, s.firstId);
  if (isZeroId(s.maxDeletedId) || cmpId(s.maxDeletedId, s.firstId) < 0) {
    // No tombstones between the first entry and the end: positions are exact.
    if (cf < 0) return s.entriesAdded - BigInt(s.length);
    if (cf === 0) return s.entriesAdded - BigInt(s.length) + 1n;
  }
  return ENTRIES_READ_INVALID;
}

/** Lag of a group, or null when it cannot be known. */
export function groupLag(s: Stream, g: ConsumerGroup): bigint | null {
  if (s.entriesAdded === 0n) return 0n;
  if (g.entriesRead !== ENTRIES_READ_INVALID && !rangeHasTombstones(s, g.lastId, null)) return s.entriesAdded - g.entriesRead;
  const est = estimateEntriesRead(s, g.lastId);
  if (est !== ENTRIES_READ_INVALID) return s.entriesAdded - est;
  return null;
}

/** Updates last-id and entries-read when an entry past last-id is delivered to the group. */
export function advanceGroup(s: Stream, g: ConsumerGroup, id: StreamID): void {
  if (g.entriesRead !== ENTRIES_READ_INVALID && !rangeHasTombstones(s, id, null)) g.entriesRead++;
  else if (s.entriesAdded !== 0n) g.entriesRead = estimateEntriesRead(s, id);
  g.lastId = { ms: id.ms, seq: id.seq };
}
