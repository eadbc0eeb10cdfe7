/**
 * The stream value type, in Redis 7.0's layout: an ordered map from master ID to a listpack
 * node, plus metadata and consumer groups (stream-group.ts).
 *
 * ## Nodes
 * Each node is one listpack (src/store/listpack.ts, Redis's exact byte layout) holding
 *   master entry:  count  deleted  num-fields  field_1 .. field_N  0
 *   each entry:    flags  ms-delta  seq-delta  [values (SAMEFIELDS) | num-fields f v ..]  lp-count
 * where count/deleted are the live and tombstoned entries of the node, the master fields are
 * the first entry's fields, flags has DELETED=1 and SAMEFIELDS=2, deltas are taken from the
 * master ID modulo 2^64 (stored as int64), and lp-count is the number of elements of the entry
 * before it (3 + N with SAMEFIELDS, else 4 + 2n).
 *
 * The layout matters beyond RDB: approximate trimming (MAXLEN ~ / MINID ~) removes whole nodes
 * only, so XLEN after it depends on where nodes were split, and XINFO STREAM reports the node
 * count (radix-tree-keys) and the size of Redis's radix tree over the node keys
 * (radix-tree-nodes, computed by raxNodeCount below). A new node starts when the tail node's
 * listpack bytes plus the total length of the new entry's fields and values reach
 * stream-node-max-bytes, or when it holds stream-node-max-entries entries (live + deleted);
 * 0 disables either limit. XDEL marks entries deleted in place; a node whose live count drops
 * to 0 is freed.
 *
 * The tail node's buffer has spare capacity so XADD appends in amortised O(1); `lp()` is the
 * exact listpack (a view). Nodes are kept in a sorted array with a moving head (trimming
 * removes from the front in O(1) amortised); seeking an ID is a binary search.
 */

import { ListpackReader, ListpackWriter } from '../listpack.js';
import { ID_ZERO, U64_MAX, cmpId, idKey, type StreamID } from './stream-id.js';
import type { ConsumerGroup } from './stream-group.js';
import { pinnedCount, writableAt } from './pinned-nodes.js';

export const FLAG_DELETED = 1;
export const FLAG_SAMEFIELDS = 2;

/** The most bytes a node may grow to whatever stream-node-max-bytes says (Redis's 1 GiB cap). */
const NODE_MAX_BYTES_CAP = 1 << 30;

const enc = new ListpackWriter(256);

/** Encodes one integer with the listpack writer: the element bytes (a view into `enc`). */
function encodedInt(v: number | bigint): Buffer {
  enc.reset();
  enc.appendInteger(v);
  return enc.elements();
}

function i64Delta(a: bigint, b: bigint): number | bigint {
  const d = BigInt.asIntN(64, a - b);
  return d >= -9007199254740991n && d <= 9007199254740991n ? Number(d) : d;
}

function addDelta(base: bigint, delta: number | bigint): bigint {
  const v = base + BigInt(delta);
  return v < 0n || v > U64_MAX ? BigInt.asUintN(64, v) : v;
}

/** An entry as a node walk sees it. Field/value Buffers are views into the node. */
export interface EntryView {
  ms: bigint;
  seq: bigint;
  flags: number;
  /** Offset of the flags element in the node's listpack. */
  flagsPos: number;
  /** Fields and values alternating (views); null when the walk did not ask for them. */
  fv: Buffer[] | null;
}

/** A node's object, offsets and bookkeeping beyond its listpack buffer (MEMORY USAGE estimate). */
const NODE_OVERHEAD = 96;

export class StreamNode {
  readonly ms: bigint;
  readonly seq: bigint;
  /** 16-byte big-endian master ID as latin1 (the radix-tree key). */
  readonly key: string;
  /** Listpack bytes [0, used) followed by spare capacity. */
  buf: Buffer;
  used: number;
  /** Mirrors of the master entry's counters (the listpack holds the same values). */
  count: number;
  deleted: number;
  /** Master fields (copies). */
  masterFields: Buffer[];
  /** Frozen views (snapshots) still to read this node: it must not change in place (Stream.writableNode). */
  pins = 0;

  constructor(ms: bigint, seq: bigint, buf: Buffer, used: number, count: number, deleted: number, masterFields: Buffer[]) {
    this.ms = ms;
    this.seq = seq;
    this.key = idKey(ms, seq);
    this.buf = buf;
    this.used = used;
    this.count = count;
    this.deleted = deleted;
    this.masterFields = masterFields;
  }

  /** The node's listpack, exactly (a view: valid until the node changes). */
  lp(): Buffer {
    return this.buf.subarray(0, this.used);
  }

  /** A copy to change instead of this pinned node (same bytes and spare capacity). */
  copy(): StreamNode {
    return new StreamNode(this.ms, this.seq, Buffer.from(this.buf), this.used, this.count, this.deleted, this.masterFields);
  }

  /** Builds a node whose first entry is `fv` (fields and values alternating) with ID id. */
  static create(id: StreamID, fv: readonly Buffer[]): StreamNode {
    const w = new ListpackWriter(64 + fv.reduce((n, b) => n + b.length + 2, 0));
    const nf = fv.length / 2;
    w.appendInteger(1);
    w.appendInteger(0);
    w.appendInteger(nf);
    const fields: Buffer[] = [];
    for (let i = 0; i < fv.length; i += 2) {
      w.append(fv[i]!);
      fields.push(Buffer.from(fv[i]!));
    }
    w.appendInteger(0);
    w.appendInteger(FLAG_SAMEFIELDS);
    w.appendInteger(0);
    w.appendInteger(0);
    for (let i = 1; i < fv.length; i += 2) w.append(fv[i]!);
    w.appendInteger(nf + 3);
    const lp = w.finish();
    const buf = Buffer.allocUnsafe(Math.max(lp.length * 2, 128));
    lp.copy(buf);
    return new StreamNode(id.ms, id.seq, buf, lp.length, 1, 0, fields);
  }

  /** A node from a listpack (RDB load); validates the master entry. */
  static fromListpack(ms: bigint, seq: bigint, lp: Buffer): StreamNode {
    const r = new ListpackReader(lp);
    const count = readInt(r);
    const deleted = readInt(r);
    const nf = readInt(r);
    const fields: Buffer[] = [];
    for (let i = 0; i < nf; i++) {
      if (!r.next()) throw new Error('stream node ends inside its master entry');
      fields.push(r.value());
    }
    if (readInt(r) !== 0) throw new Error('stream node master entry not terminated by 0');
    const buf = Buffer.from(lp);
    return new StreamNode(ms, seq, buf, lp.length, count, deleted, fields);
  }

  private ensure(extra: number): void {
    const need = this.used + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const nb = Buffer.allocUnsafe(size);
    this.buf.copy(nb, 0, 0, this.used);
    this.buf = nb;
  }

  /** Writes the header (total bytes, element count) after a change of size/count. */
  private setHeader(countDelta: number): void {
    const b = this.buf;
    b.writeUInt32LE(this.used, 0);
    const n = b.readUInt16LE(4);
    if (n !== 65535) {
      const m = n + countDelta;
      b.writeUInt16LE(m < 65535 ? m : 65535, 4);
    }
  }

  /** Appends an entry (id greater than every ID in the node). */
  append(id: StreamID, fv: readonly Buffer[]): void {
    const nf = fv.length / 2;
    const mf = this.masterFields;
    let same = mf.length === nf;
    for (let i = 0; same && i < nf; i++) same = mf[i]!.equals(fv[i * 2]!);
    enc.reset();
    enc.appendInteger(same ? FLAG_SAMEFIELDS : 0);
    enc.appendInteger(i64Delta(id.ms, this.ms));
    enc.appendInteger(i64Delta(id.seq, this.seq));
    let elements = 4;
    if (same) {
      for (let i = 1; i < fv.length; i += 2) enc.append(fv[i]!);
      enc.appendInteger(nf + 3);
      elements += nf;
    } else {
      enc.appendInteger(nf);
      for (let i = 0; i < fv.length; i++) enc.append(fv[i]!);
      enc.appendInteger(nf * 2 + 4);
      elements += 1 + nf * 2;
    }
    const el = enc.elements();
    this.ensure(el.length);
    const end = this.used - 1; // the 0xFF terminator
    el.copy(this.buf, end);
    this.buf[end + el.length] = 0xff;
    this.used += el.length;
    this.setHeader(elements);
    this.setMasterCounts(this.count + 1, this.deleted);
  }

  /** Rewrites the master entry's count and deleted elements (their sizes may change). */
  setMasterCounts(count: number, deleted: number): void {
    const b = this.buf;
    // Fast path: both counters stay 7-bit integers (one byte + one backlen byte each).
    if (b[6]! < 0x80 && b[8]! < 0x80 && count < 0x80 && deleted < 0x80) {
      b[6] = count;
      b[8] = deleted;
      this.count = count;
      this.deleted = deleted;
      return;
    }
    this.replaceIntAt(6, count);
    const p = this.nextElementPos(6);
    this.replaceIntAt(p, deleted);
    this.count = count;
    this.deleted = deleted;
  }

  private nextElementPos(pos: number): number {
    const r = new ListpackReader(this.lp());
    r.pos = pos;
    r.next();
    return r.pos;
  }

  /** Replaces the integer element at `pos`, moving the rest when its encoding size changes. */
  replaceIntAt(pos: number, v: number): void {
    const r = new ListpackReader(this.lp());
    r.pos = pos;
    r.next();
    const oldLen = r.pos - pos;
    const el = encodedInt(v);
    const diff = el.length - oldLen;
    if (diff !== 0) {
      this.ensure(diff > 0 ? diff : 0);
      this.buf.copy(this.buf, pos + el.length, pos + oldLen, this.used);
      this.used += diff;
      this.setHeader(0);
    }
    el.copy(this.buf, pos);
  }

  /** Marks the entry whose flags element is at flagsPos as deleted (same size: in place). */
  markDeleted(flagsPos: number, flags: number): void {
    this.buf[flagsPos] = flags | FLAG_DELETED;
    this.setMasterCounts(this.count - 1, this.deleted + 1);
  }

  /**
   * Walks the entries (deleted ones included) in order; fn returns false to stop. With
   * `wantFields` each entry's fields and values are decoded (views into the node).
   */
  walk(wantFields: boolean, fn: (e: EntryView) => boolean, from: StreamID | null = null): void {
    const r = new ListpackReader(this.lp());
    const b = r.buf;
    r.next(); // count
    r.next(); // deleted
    const nf = readInt(r);
    const masterStart = r.pos;
    for (let i = 0; i < nf; i++) r.next();
    r.next(); // master terminator
    const e: EntryView = { ms: 0n, seq: 0n, flags: 0, flagsPos: 0, fv: null };
    let mf: Buffer[] | null = null;
    while (r.next()) {
      e.flagsPos = r.elemStart;
      e.flags = r.int as number;
      r.next();
      e.ms = addDelta(this.ms, r.int);
      r.next();
      e.seq = addDelta(this.seq, r.int);
      // Entries before `from` are walked over without decoding their fields.
      const want = wantFields && (from === null || e.ms > from.ms || (e.ms === from.ms && e.seq >= from.seq));
      if (!want) e.fv = null;
      if ((e.flags & FLAG_SAMEFIELDS) !== 0) {
        if (want) {
          if (mf === null) mf = masterFieldViews(b, masterStart, nf);
          const fv: Buffer[] = new Array<Buffer>(nf * 2);
          for (let i = 0; i < nf; i++) {
            r.next();
            fv[i * 2] = mf[i]!;
            fv[i * 2 + 1] = view(r);
          }
          e.fv = fv;
        } else for (let i = 0; i < nf; i++) r.next();
      } else {
        const n = readInt(r);
        if (want) {
          const fv: Buffer[] = new Array<Buffer>(n * 2);
          for (let i = 0; i < n * 2; i++) {
            r.next();
            fv[i] = view(r);
          }
          e.fv = fv;
        } else for (let i = 0; i < n * 2; i++) r.next();
      }
      r.next(); // lp-count
      if (!fn(e)) return;
    }
  }

  /** ID of the last entry in the node (deleted or not). */
  lastEntryId(): StreamID {
    let last: StreamID = { ms: this.ms, seq: this.seq };
    this.walk(false, (e) => {
      last = { ms: e.ms, seq: e.seq };
      return true;
    });
    return last;
  }
}

function readInt(r: ListpackReader): number {
  if (!r.next()) throw new Error('stream node ends early');
  const v = r.intValue();
  if (v === null) throw new Error('stream node: integer expected');
  return Number(v);
}

function view(r: ListpackReader): Buffer {
  if (r.isInt) return Buffer.from(String(r.int), 'latin1');
  return r.buf.subarray(r.strStart, r.strEnd);
}

function masterFieldViews(b: Buffer, start: number, nf: number): Buffer[] {
  const r = new ListpackReader(b);
  r.pos = start;
  const out: Buffer[] = [];
  for (let i = 0; i < nf; i++) {
    r.next();
    out.push(view(r));
  }
  return out;
}

/** Trimming strategy. */
export const TRIM_MAXLEN = 1;
export const TRIM_MINID = 2;

/** One live entry handed out by range walks: ID and fields/values (views into a node). */
export interface Entry {
  ms: bigint;
  seq: bigint;
  fv: Buffer[];
}

export class Stream {
  /** Nodes in master-ID order: nodes[head..] are live (trimming advances head). */
  private nodes: StreamNode[] = [];
  private head = 0;
  length = 0;
  lastId: StreamID = ID_ZERO;
  firstId: StreamID = ID_ZERO;
  maxDeletedId: StreamID = ID_ZERO;
  entriesAdded = 0n;
  /** Consumer groups by name (latin1). Listing order is by name bytes (Redis's radix tree). */
  readonly groups = new Map<string, ConsumerGroup>();
  /**
   * Sum over live nodes of buffer length + NODE_OVERHEAD, kept up to date by every node
   * change: the Db re-measures a written value after every event-loop turn, and summing the
   * nodes each time made XADD to a 1M-entry stream O(nodes) (33k XADD/s).
   */
  private bytes = 0;

  get nodeCount(): number {
    return this.nodes.length - this.head;
  }

  /** Live nodes in order (for RDB save, digest, sizing). */
  *nodeList(): IterableIterator<StreamNode> {
    for (let i = this.head; i < this.nodes.length; i++) yield this.nodes[i]!;
  }

  /** Appends a loaded node (RDB load: nodes arrive in order). */
  pushNode(n: StreamNode): void {
    this.nodes.push(n);
    this.bytes += n.buf.length + NODE_OVERHEAD;
  }

  /**
   * Node i, replaced by a copy first if a frozen view still needs it: a snapshot writing this
   * stream in pieces reads the nodes it pinned (pinNodes) as they were, while the stream goes
   * on changing. Every in-place change of a node goes through here.
   */
  private writableNode(i: number): StreamNode {
    return writableAt(this.nodes, i);
  }

  /** Nodes still pinned by a frozen view (tests: none once every snapshot is over). */
  pinnedNodes(): number {
    return pinnedCount(this.nodes, this.head);
  }

  /** The live nodes, each pinned (its bytes stay as they are now) until its pins are dropped. */
  pinNodes(): StreamNode[] {
    const list = this.nodes.slice(this.head);
    for (const n of list) n.pins++;
    return list;
  }

  /**
   * Appends an entry with an ID greater than lastId. maxBytes/maxEntries are
   * stream-node-max-bytes / -entries (0 = no limit).
   */
  append(id: StreamID, fv: readonly Buffer[], maxBytes: number, maxEntries: number): void {
    const nodes = this.nodes;
    let tail = nodes.length > this.head ? nodes[nodes.length - 1]! : null;
    if (tail !== null) {
      let total = 0;
      for (let i = 0; i < fv.length; i++) total += fv[i]!.length;
      const cap = maxBytes === 0 || maxBytes > NODE_MAX_BYTES_CAP ? NODE_MAX_BYTES_CAP : maxBytes;
      if (tail.used + total >= cap) tail = null;
      else if (maxEntries !== 0 && tail.count + tail.deleted >= maxEntries) tail = null;
    }
    if (tail === null) this.pushNode(StreamNode.create(id, fv));
    else {
      const t = this.writableNode(nodes.length - 1);
      const before = t.buf.length;
      t.append(id, fv);
      this.bytes += t.buf.length - before;
    }
    if (this.length === 0) this.firstId = { ms: id.ms, seq: id.seq };
    this.length++;
    this.entriesAdded++;
    this.lastId = { ms: id.ms, seq: id.seq };
  }

  /** Index of the last live node whose master ID <= id, or head - 1 when none. */
  private seekNode(ms: bigint, seq: bigint): number {
    const k = idKey(ms, seq);
    const nodes = this.nodes;
    let lo = this.head;
    let hi = nodes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (nodes[mid]!.key <= k) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  private removeNodeAt(i: number): void {
    this.bytes -= this.nodes[i]!.buf.length + NODE_OVERHEAD;
    if (i === this.head) {
      this.nodes[i] = undefined as unknown as StreamNode;
      this.head++;
      if (this.head === this.nodes.length) {
        this.nodes = [];
        this.head = 0;
      } else if (this.head > 64 && this.head * 2 > this.nodes.length) {
        this.nodes = this.nodes.slice(this.head);
        this.head = 0;
      }
    } else this.nodes.splice(i, 1);
  }

  /** Fields/values of the live entry `id` (views), or null. */
  lookup(id: StreamID): Buffer[] | null {
    const i = this.seekNode(id.ms, id.seq);
    if (i < this.head) return null;
    let out: Buffer[] | null = null;
    this.nodes[i]!.walk(true, (e) => {
      const c = e.ms === id.ms ? (e.seq === id.seq ? 0 : e.seq < id.seq ? -1 : 1) : e.ms < id.ms ? -1 : 1;
      if (c < 0) return true;
      if (c === 0 && (e.flags & FLAG_DELETED) === 0) out = e.fv;
      return false;
    });
    return out;
  }

  /** True when the live entry exists. */
  has(id: StreamID): boolean {
    return this.lookup(id) !== null;
  }

  /** XDEL of one ID: true when a live entry was deleted. */
  delete(id: StreamID): boolean {
    const i = this.seekNode(id.ms, id.seq);
    if (i < this.head) return false;
    let pos = -1;
    let flags = 0;
    this.nodes[i]!.walk(false, (e) => {
      if (e.ms !== id.ms || e.seq !== id.seq) return e.ms < id.ms || (e.ms === id.ms && e.seq < id.seq);
      if ((e.flags & FLAG_DELETED) === 0) {
        pos = e.flagsPos;
        flags = e.flags;
      }
      return false;
    });
    if (pos < 0) return false;
    const node = this.writableNode(i);
    const before = node.buf.length;
    node.markDeleted(pos, flags);
    this.bytes += node.buf.length - before;
    if (node.count === 0) this.removeNodeAt(i);
    this.length--;
    if (cmpId(id, this.maxDeletedId) > 0) this.maxDeletedId = { ms: id.ms, seq: id.seq };
    if (this.length === 0) this.firstId = ID_ZERO;
    else if (cmpId(id, this.firstId) === 0) this.firstId = this.edgeId(false) ?? ID_ZERO;
    return true;
  }

  /** ID of the first (last = true: last) live entry, or null when empty. */
  edgeId(last: boolean): StreamID | null {
    let found: StreamID | null = null;
    const fn = (e: Entry): boolean => {
      found = { ms: e.ms, seq: e.seq };
      return false;
    };
    if (last) this.range(ID_ZERO, { ms: U64_MAX, seq: U64_MAX }, true, fn, false);
    else this.range(ID_ZERO, { ms: U64_MAX, seq: U64_MAX }, false, fn, false);
    return found;
  }

  /**
   * Trims from the head (XTRIM / XADD trimming). MAXLEN keeps `maxLen` entries, MINID drops
   * entries below `minId`. Approximate trimming removes whole nodes only and stops at the first
   * node it cannot remove entirely, or when removing the next node would pass `limit` removed
   * entries (0 = no limit). Returns the number of entries removed.
   */
  trim(strategy: number, maxLen: number, minId: StreamID, approx: boolean, limit: number): number {
    let removed = 0;
    // removeNodeAt may replace this.nodes (compaction): always read it afresh.
    while (this.head < this.nodes.length) {
      if (strategy === TRIM_MAXLEN && this.length <= maxLen) break;
      const first = this.nodes[this.head]!;
      const entries = first.count;
      let whole: boolean;
      if (strategy === TRIM_MAXLEN) whole = this.length - entries >= maxLen;
      else whole = cmpId(first.lastEntryId(), minId) < 0;
      if (whole) {
        if (limit !== 0 && removed + entries > limit) break;
        this.removeNodeAt(this.head);
        this.length -= entries;
        removed += entries;
        continue;
      }
      if (approx) break;
      // Exact: tombstone entries of this node until the condition holds.
      const node = this.writableNode(this.head);
      const before = node.buf.length;
      let count = node.count;
      let deleted = node.deleted;
      node.walk(false, (e) => {
        if ((e.flags & FLAG_DELETED) !== 0) return true;
        if (strategy === TRIM_MAXLEN) {
          if (this.length <= maxLen) return false;
        } else if (e.ms > minId.ms || (e.ms === minId.ms && e.seq >= minId.seq)) return false;
        node.buf[e.flagsPos] = e.flags | FLAG_DELETED;
        count--;
        deleted++;
        this.length--;
        removed++;
        return true;
      });
      node.setMasterCounts(count, deleted);
      this.bytes += node.buf.length - before;
      break;
    }
    if (removed > 0) this.firstId = this.length === 0 ? ID_ZERO : (this.edgeId(false) ?? ID_ZERO);
    return removed;
  }

  /**
   * Live entries with start <= ID <= end, ascending (or descending with rev), until fn returns
   * false. Entry fields are views valid until the stream changes; `wantFields` false skips
   * decoding them (fv is then empty).
   */
  range(start: StreamID, end: StreamID, rev: boolean, fn: (e: Entry) => boolean, wantFields = true): void {
    if (cmpId(start, end) > 0) return;
    const nodes = this.nodes;
    const entry: Entry = { ms: 0n, seq: 0n, fv: [] };
    if (!rev) {
      let i = this.seekNode(start.ms, start.seq);
      if (i < this.head) i = this.head;
      let stop = false;
      for (; i < nodes.length && !stop; i++) {
        const node = nodes[i]!;
        if (node.ms > end.ms || (node.ms === end.ms && node.seq > end.seq)) break;
        node.walk(wantFields, (e) => {
          if (e.ms < start.ms || (e.ms === start.ms && e.seq < start.seq)) return true;
          if (e.ms > end.ms || (e.ms === end.ms && e.seq > end.seq)) {
            stop = true;
            return false;
          }
          if ((e.flags & FLAG_DELETED) !== 0) return true;
          entry.ms = e.ms;
          entry.seq = e.seq;
          entry.fv = e.fv ?? [];
          if (!fn(entry)) {
            stop = true;
            return false;
          }
          return true;
        }, start);
      }
      return;
    }
    const i0 = this.seekNode(end.ms, end.seq);
    for (let i = i0; i >= this.head; i--) {
      const node = nodes[i]!;
      const list: Entry[] = [];
      node.walk(wantFields, (e) => {
        if (e.ms > end.ms || (e.ms === end.ms && e.seq > end.seq)) return false;
        if ((e.flags & FLAG_DELETED) !== 0) return true;
        if (e.ms < start.ms || (e.ms === start.ms && e.seq < start.seq)) return true;
        list.push({ ms: e.ms, seq: e.seq, fv: e.fv ?? [] });
        return true;
      }, start);
      for (let j = list.length - 1; j >= 0; j--) if (!fn(list[j]!)) return;
      if (node.ms < start.ms || (node.ms === start.ms && node.seq <= start.seq)) return;
    }
  }

  /** Bytes the nodes occupy (listpacks and their objects), for MEMORY USAGE: O(1). */
  nodeBytes(): number {
    return this.bytes;
  }

  /**
   * Number of nodes of Redis's radix tree holding the node keys (XINFO STREAM
   * radix-tree-nodes): a compressed trie over the 16-byte keys, where a run of single-child
   * positions is one node, a branching position is one node, and each key ends in a leaf.
   */
  raxNodeCount(): number {
    const n = this.nodes.length - this.head;
    if (n === 0) return 1;
    const keys: string[] = new Array<string>(n);
    for (let i = 0; i < n; i++) keys[i] = this.nodes[this.head + i]!.key;
    return raxCount(keys, 0, n, 0);
  }
}

function raxCount(keys: string[], lo: number, hi: number, depth: number): number {
  const KEYLEN = 16;
  if (hi - lo === 1) return depth === KEYLEN ? 1 : 2;
  // Common prefix of the range = common prefix of its first and last keys (sorted).
  const a = keys[lo]!;
  const b = keys[hi - 1]!;
  let d = depth;
  while (d < KEYLEN && a.charCodeAt(d) === b.charCodeAt(d)) d++;
  let count = 0;
  if (d > depth) count++; // compressed node for the shared run
  count++; // the branching node at d
  let i = lo;
  while (i < hi) {
    const c = keys[i]!.charCodeAt(d);
    let j = i + 1;
    while (j < hi && keys[j]!.charCodeAt(d) === c) j++;
    count += raxCount(keys, i, j, d + 1);
    i = j;
  }
  return count;
}
