/**
 * The list value type: a deque of packed nodes (the idea of Redis's quicklist).
 *
 * A node holds up to NODE_SLOTS elements packed into one Buffer, with the element boundaries
 * in an Int32Array: element i (lo <= i < hi) is bytes [off[i], off[i+1]) of `buf`. A node can
 * grow at both ends: towards lower slots/bytes (pushes at the head) and towards higher ones
 * (pushes at the tail); a node created by a head push starts at the last slot and the end of
 * its buffer, one created by a tail push at slot 0 and byte 0. Byte storage grows by doubling
 * up to NODE_BYTES; past that (or when the slots run out) the next push opens a new node. So
 * an element costs its bytes plus 4 bytes of offset, pushes and pops at either end are O(1),
 * and index access walks nodes (at most len/128 steps) from the nearer end.
 *
 * Elements handed in are copied into node storage. Elements handed out (at, range, pop...)
 * are views into it: valid until the next write to this list.
 *
 * Frozen views (freeze): a snapshot writing a big list in pieces reads the nodes as they were
 * at freeze() while clients keep changing the list. The view holds the node objects of that
 * moment, each pinned; before a write changes a pinned node in place (a push, pop or trim at
 * an end, a same-length LSET), the list puts a copy in its place and changes the copy. Writes
 * that rebuild nodes already leave the old ones untouched. Cost: one field check per in-place
 * write; while a view exists, at most one node copy (<= 8 KiB) per pinned node written to.
 *
 * Small lists (at most PACK_MAX_ELEMENTS elements and PACK_MAX_BYTES packed bytes) are kept by
 * the Db as packed bytes in its slab, not as List objects (see listCodec below): each element
 * as [varint length][bytes], head to tail. Redis 7.0 reports every list as "quicklist", so this
 * threshold is invisible to clients; it is chosen so that a packed list is at most one 8 KiB
 * node, like one quicklist node at list-max-listpack-size -2.
 */

import { TYPE_LIST, registerObjectSizer, registerPackedCodec } from '../db.js';
import { readVarint, varintLen, varintValue, writeVarint } from '../../util/varint.js';
import { pinnedCount, writableAt } from './pinned-nodes.js';

const NODE_SLOTS = 128;
/** A node stops growing its byte storage past this size (Redis's 8 KiB list-max-listpack-size -2). */
const NODE_BYTES = 8192;
const MIN_BYTES = 32;

export class ListNode {
  buf: Buffer;
  readonly off: Int32Array;
  lo: number;
  hi: number;
  /** Frozen views still to read this node: it must not change in place (see List.writable). */
  pins = 0;

  constructor(buf: Buffer, atTail: boolean) {
    this.buf = buf;
    this.off = new Int32Array(NODE_SLOTS + 1);
    if (atTail) {
      this.lo = 0;
      this.hi = 0;
      this.off[0] = 0;
    } else {
      this.lo = NODE_SLOTS;
      this.hi = NODE_SLOTS;
      this.off[NODE_SLOTS] = buf.length;
    }
  }

  get count(): number {
    return this.hi - this.lo;
  }

  get bytes(): number {
    return this.off[this.hi]! - this.off[this.lo]!;
  }

  /** A copy with the same layout (a pinned node about to change: see List.writable). */
  copy(): ListNode {
    const c = new ListNode(Buffer.from(this.buf), true);
    c.off.set(this.off);
    c.lo = this.lo;
    c.hi = this.hi;
    return c;
  }

  /** Element k (0-based within the node). */
  at(k: number): Buffer {
    const i = this.lo + k;
    return this.buf.subarray(this.off[i]!, this.off[i + 1]!);
  }

  /** Appends at the tail; false when the node is full (slots or byte limit). */
  pushTail(e: Buffer): boolean {
    const len = e.length;
    if (this.hi >= NODE_SLOTS) return false;
    let end = this.off[this.hi]!;
    if (end + len > this.buf.length) {
      const used = this.bytes;
      if (used + len > NODE_BYTES && this.hi > this.lo) return false;
      const cap = Math.max(used + len, Math.min(NODE_BYTES, Math.max(MIN_BYTES, this.buf.length * 2)));
      const nb = Buffer.allocUnsafe(cap);
      const shift = -this.off[this.lo]!;
      this.buf.copy(nb, 0, this.off[this.lo]!, end);
      for (let i = this.lo; i <= this.hi; i++) this.off[i]! += shift;
      this.buf = nb;
      end = this.off[this.hi]!;
    }
    e.copy(this.buf, end);
    this.off[this.hi + 1] = end + len;
    this.hi++;
    return true;
  }

  /** Prepends at the head; false when the node is full. */
  pushHead(e: Buffer): boolean {
    const len = e.length;
    if (this.lo <= 0) return false;
    let start = this.off[this.lo]!;
    if (start - len < 0) {
      const used = this.bytes;
      if (used + len > NODE_BYTES && this.hi > this.lo) return false;
      const cap = Math.max(used + len, Math.min(NODE_BYTES, Math.max(MIN_BYTES, this.buf.length * 2)));
      const nb = Buffer.allocUnsafe(cap);
      const shift = cap - this.off[this.hi]!;
      this.buf.copy(nb, cap - used, start, this.off[this.hi]!);
      for (let i = this.lo; i <= this.hi; i++) this.off[i]! += shift;
      this.buf = nb;
      start = this.off[this.lo]!;
    }
    e.copy(this.buf, start - len);
    this.off[this.lo - 1] = start - len;
    this.lo--;
    return true;
  }
}

/** A node holding `elems` (copies), packed tightly, open for tail pushes. */
function packNode(elems: Buffer[], from: number, to: number): ListNode {
  let total = 0;
  for (let i = from; i < to; i++) total += elems[i]!.length;
  const n = new ListNode(Buffer.allocUnsafe(Math.max(total, 1)), true);
  let p = 0;
  const off = n.off;
  for (let i = from; i < to; i++) {
    const e = elems[i]!;
    e.copy(n.buf, p);
    p += e.length;
    off[i - from + 1] = p;
  }
  n.hi = to - from;
  return n;
}

export class List {
  /** Nodes live in nodes[head .. nodes.length). */
  private nodes: Array<ListNode | undefined> = [];
  private head = 0;
  length = 0;
  /** True while the list is exactly what listCodec.unpack made (no mutation since). */
  unchanged = false;
  /**
   * A list unpacked from the slab keeps its packed bytes (a copy) until a method needs nodes:
   * LLEN and a read that is settled right away then cost one copy, not a node build.
   */
  private pk: Buffer | null = null;

  /** Builds the node from the packed bytes. */
  private inflate(): void {
    const bytes = this.pk!;
    this.pk = null;
    const count = this.length;
    if (count === 0) return;
    const n = new ListNode(Buffer.allocUnsafe(Math.max(bytes.length - count, 1)), true);
    let p = 0;
    let q = 0;
    for (let i = 0; i < count; i++) {
      p = readVarint(bytes, p);
      bytes.copy(n.buf, q, p, p + varintValue);
      p += varintValue;
      q += varintValue;
      n.off[i + 1] = q;
    }
    n.hi = count;
    this.nodes.push(n);
  }

  get nodeCount(): number {
    if (this.pk !== null) this.inflate();
    return this.nodes.length - this.head;
  }

  private node(k: number): ListNode {
    return this.nodes[this.head + k]!;
  }

  /** The first node, safe to change in place (see writable). */
  private firstNode(): ListNode | undefined {
    return this.nodes.length > this.head ? this.writable(this.head) : undefined;
  }

  /** The last node, safe to change in place (see writable). */
  private lastNode(): ListNode | undefined {
    return this.nodes.length > this.head ? this.writable(this.nodes.length - 1) : undefined;
  }

  /** Node at array index i, replaced by a copy first if a frozen view still needs it. */
  private writable(i: number): ListNode {
    return writableAt(this.nodes, i);
  }

  /** Nodes still pinned by a frozen view (tests: none once every snapshot is over). */
  pinnedNodes(): number {
    return pinnedCount(this.nodes, this.head);
  }

  /**
   * A view of the list as it is now, node by node (see FrozenList): for writing it in pieces
   * while it keeps changing. release() it when done.
   */
  freeze(): FrozenList {
    if (this.pk !== null) this.inflate();
    const nodes = this.nodes.slice(this.head) as ListNode[];
    for (const n of nodes) n.pins++;
    return new FrozenList(nodes, this.length);
  }

  private addFirstNode(n: ListNode): void {
    if (this.head === 0) {
      const room = Math.max(8, this.nodes.length >> 1);
      const next = new Array<ListNode | undefined>(room + this.nodes.length);
      for (let i = 0; i < this.nodes.length; i++) next[room + i] = this.nodes[i];
      this.nodes = next;
      this.head = room;
    }
    this.nodes[--this.head] = n;
  }

  private dropFirstNode(): void {
    this.nodes[this.head++] = undefined;
    if (this.head === this.nodes.length) {
      this.nodes = [];
      this.head = 0;
    } else if (this.head > 64 && this.head > this.nodes.length >> 1) {
      this.nodes = this.nodes.slice(this.head);
      this.head = 0;
    }
  }

  pushTail(e: Buffer): void {
    if (this.pk !== null) this.inflate();
    this.unchanged = false;
    const last = this.lastNode();
    if (last === undefined || !last.pushTail(e)) {
      const n = new ListNode(Buffer.allocUnsafe(Math.max(MIN_BYTES, e.length)), true);
      n.pushTail(e);
      this.nodes.push(n);
    }
    this.length++;
  }

  pushHead(e: Buffer): void {
    if (this.pk !== null) this.inflate();
    this.unchanged = false;
    const first = this.firstNode();
    if (first === undefined || !first.pushHead(e)) {
      const n = new ListNode(Buffer.allocUnsafe(Math.max(MIN_BYTES, e.length)), false);
      n.pushHead(e);
      this.addFirstNode(n);
    }
    this.length++;
  }

  /** Removes and returns the head element (a view), or undefined when empty. */
  popHead(): Buffer | undefined {
    if (this.pk !== null) this.inflate();
    this.unchanged = false;
    const n = this.firstNode();
    if (n === undefined) return undefined;
    const e = n.at(0);
    n.lo++;
    this.length--;
    if (n.lo === n.hi) this.dropFirstNode();
    return e;
  }

  popTail(): Buffer | undefined {
    if (this.pk !== null) this.inflate();
    this.unchanged = false;
    const n = this.lastNode();
    if (n === undefined) return undefined;
    n.hi--;
    const e = n.buf.subarray(n.off[n.hi]!, n.off[n.hi + 1]!);
    this.length--;
    if (n.lo === n.hi) {
      this.nodes.pop();
      if (this.nodes.length === this.head) {
        this.nodes = [];
        this.head = 0;
      }
    }
    return e;
  }

  /** Drops `k` elements from the head (k <= length). */
  trimHead(k: number): void {
    if (this.pk !== null) this.inflate();
    this.unchanged = false;
    while (k > 0) {
      const c = this.nodes[this.head]!.count;
      if (c <= k) {
        this.dropFirstNode();
        k -= c;
        this.length -= c;
      } else {
        this.firstNode()!.lo += k;
        this.length -= k;
        k = 0;
      }
    }
  }

  /** Drops `k` elements from the tail (k <= length). */
  trimTail(k: number): void {
    if (this.pk !== null) this.inflate();
    this.unchanged = false;
    while (k > 0) {
      const c = this.nodes[this.nodes.length - 1]!.count;
      if (c <= k) {
        this.nodes.pop();
        k -= c;
        this.length -= c;
      } else {
        this.lastNode()!.hi -= k;
        this.length -= k;
        k = 0;
      }
    }
    if (this.nodes.length === this.head) {
      this.nodes = [];
      this.head = 0;
    }
  }

  /** Locates element `index` (0 <= index < length): node position and slot offset. */
  private locate(index: number): [number, number] {
    const count = this.nodeCount;
    if (index < this.length >> 1) {
      for (let k = 0; k < count; k++) {
        const c = this.node(k).count;
        if (index < c) return [k, index];
        index -= c;
      }
    } else {
      let fromEnd = this.length - 1 - index;
      for (let k = count - 1; k >= 0; k--) {
        const c = this.node(k).count;
        if (fromEnd < c) return [k, c - 1 - fromEnd];
        fromEnd -= c;
      }
    }
    throw new RangeError('list index out of range');
  }

  /** Element at `index` (0 <= index < length), a view. */
  at(index: number): Buffer {
    if (this.pk !== null) this.inflate();
    const [k, j] = this.locate(index);
    return this.node(k).at(j);
  }

  /** Calls fn for elements start..end (inclusive, 0 <= start <= end < length), head to tail;
   * stops early when fn returns false. */
  forRange(start: number, end: number, fn: (e: Buffer) => boolean | void): void {
    if (this.pk !== null) this.inflate();
    let [k, j] = this.locate(start);
    let left = end - start + 1;
    while (left > 0) {
      const n = this.node(k);
      const c = n.count;
      for (; j < c && left > 0; j++, left--) if (fn(n.at(j)) === false) return;
      k++;
      j = 0;
    }
  }

  /** Calls fn for elements end..start (inclusive), tail to head. */
  forRangeReverse(start: number, end: number, fn: (e: Buffer) => boolean | void): void {
    if (this.pk !== null) this.inflate();
    let [k, j] = this.locate(end);
    let left = end - start + 1;
    while (left > 0) {
      const n = this.node(k);
      for (; j >= 0 && left > 0; j--, left--) if (fn(n.at(j)) === false) return;
      k--;
      if (k >= 0) j = this.node(k).count - 1;
    }
  }

  /** Iterates every element head to tail (views). */
  *[Symbol.iterator](): IterableIterator<Buffer> {
    if (this.pk !== null) this.inflate();
    for (let k = this.head; k < this.nodes.length; k++) {
      const n = this.nodes[k]!;
      for (let i = n.lo; i < n.hi; i++) yield n.buf.subarray(n.off[i]!, n.off[i + 1]!);
    }
  }

  /** Replaces the node at position k by nodes packing `elems` (none if empty). */
  private rebuildNode(k: number, elems: Buffer[]): void {
    const repl: ListNode[] = [];
    let from = 0;
    while (from < elems.length) {
      let to = from;
      let bytes = 0;
      while (to < elems.length && to - from < NODE_SLOTS && (to === from || bytes + elems[to]!.length <= NODE_BYTES)) {
        bytes += elems[to]!.length;
        to++;
      }
      repl.push(packNode(elems, from, to));
      from = to;
    }
    this.nodes.splice(this.head + k, 1, ...repl);
    if (this.nodes.length === this.head) {
      this.nodes = [];
      this.head = 0;
    }
  }

  private nodeElements(n: ListNode): Buffer[] {
    const out: Buffer[] = [];
    for (let i = n.lo; i < n.hi; i++) out.push(n.buf.subarray(n.off[i]!, n.off[i + 1]!));
    return out;
  }

  /** LSET: replaces element `index` with a copy of `e`. */
  set(index: number, e: Buffer): void {
    if (this.pk !== null) this.inflate();
    this.unchanged = false;
    const [k, j] = this.locate(index);
    const n = this.node(k);
    const i = n.lo + j;
    if (n.off[i + 1]! - n.off[i]! === e.length) {
      e.copy(this.writable(this.head + k).buf, n.off[i]!);
      return;
    }
    const elems = this.nodeElements(n);
    elems[j] = e;
    this.rebuildNode(k, elems);
  }

  /** Inserts a copy of `e` so that it becomes element `index` (0 <= index <= length). */
  insert(index: number, e: Buffer): void {
    if (this.pk !== null) this.inflate();
    this.unchanged = false;
    if (index === 0) return this.pushHead(e);
    if (index === this.length) return this.pushTail(e);
    const [k, j] = this.locate(index);
    const elems = this.nodeElements(this.node(k));
    elems.splice(j, 0, e);
    this.rebuildNode(k, elems);
    this.length++;
  }

  /** Index of the first element equal to `pivot`, or -1. */
  indexOf(pivot: Buffer): number {
    if (this.pk !== null) this.inflate();
    let idx = 0;
    for (let k = this.head; k < this.nodes.length; k++) {
      const n = this.nodes[k]!;
      for (let i = n.lo; i < n.hi; i++, idx++) {
        const s = n.off[i]!;
        const e = n.off[i + 1]!;
        if (e - s === pivot.length && n.buf.compare(pivot, 0, pivot.length, s, e) === 0) return idx;
      }
    }
    return -1;
  }

  /**
   * LREM: removes up to `limit` elements equal to `v` (0 = all), scanning from the head, or
   * from the tail when `fromTail`. Returns how many were removed.
   */
  remove(v: Buffer, limit: number, fromTail: boolean): number {
    if (this.pk !== null) this.inflate();
    this.unchanged = false;
    let removed = 0;
    const vl = v.length;
    const count = this.nodeCount;
    for (let step = 0; step < count; step++) {
      const k = fromTail ? count - 1 - step : step;
      const n = this.node(k);
      let hits = 0;
      let keep: boolean[] | null = null;
      const c = n.count;
      for (let s = 0; s < c; s++) {
        const j = fromTail ? c - 1 - s : s;
        const i = n.lo + j;
        const a = n.off[i]!;
        const b = n.off[i + 1]!;
        if (b - a === vl && n.buf.compare(v, 0, vl, a, b) === 0) {
          if (keep === null) keep = new Array<boolean>(c).fill(true);
          keep[j] = false;
          hits++;
          if (limit !== 0 && removed + hits >= limit) break;
        }
      }
      if (keep !== null) {
        const elems: Buffer[] = [];
        for (let j = 0; j < c; j++) if (keep[j]) elems.push(n.at(j));
        removed += hits;
        this.length -= hits;
        // Keep the empty placeholder out of the count loop: replace in place, possibly by nothing.
        this.rebuildNodeKeepSlot(k, elems);
      }
      if (limit !== 0 && removed >= limit) break;
    }
    this.compact();
    return removed;
  }

  /** Like rebuildNode but always leaves exactly one node at k (maybe empty) for stable positions. */
  private rebuildNodeKeepSlot(k: number, elems: Buffer[]): void {
    this.nodes[this.head + k] = packNode(elems, 0, elems.length);
  }

  /** Drops empty nodes. */
  private compact(): void {
    let any = false;
    for (let k = this.head; k < this.nodes.length; k++) if (this.nodes[k]!.count === 0) any = true;
    if (!any) return;
    const next: ListNode[] = [];
    for (let k = this.head; k < this.nodes.length; k++) if (this.nodes[k]!.count !== 0) next.push(this.nodes[k]!);
    this.nodes = next;
    this.head = 0;
  }

  clone(): List {
    if (this.pk !== null) this.inflate();
    const l = new List();
    for (let k = this.head; k < this.nodes.length; k++) {
      const n = this.nodes[k]!;
      const elems = this.nodeElements(n);
      l.nodes.push(packNode(elems, 0, elems.length));
    }
    l.length = this.length;
    return l;
  }

  /**
   * Approximate bytes held (MEMORY USAGE style), in O(1): node storage is sampled (up to
   * SIZE_SAMPLES nodes spread over the list) and scaled, like Redis's MEMORY USAGE samples.
   */
  memory(): number {
    if (this.pk !== null) return LIST_OVERHEAD + this.pk.length;
    const count = this.nodeCount;
    let n = LIST_OVERHEAD + (this.nodes.length << 3) + count * NODE_OVERHEAD;
    if (count === 0) return n;
    const step = Math.max(1, Math.floor(count / SIZE_SAMPLES));
    let sampled = 0;
    let bytes = 0;
    for (let k = 0; k < count; k += step) {
      bytes += this.node(k).buf.length;
      sampled++;
    }
    n += Math.round((bytes / sampled) * count);
    return n;
  }

  /** The packed form (see listCodec), or null when the list is too big for it. */
  packed(): Buffer | null {
    if (this.pk !== null) return this.pk;
    if (this.length > PACK_MAX_ELEMENTS) return null;
    let total = 0;
    for (let k = this.head; k < this.nodes.length; k++) {
      const n = this.nodes[k]!;
      for (let i = n.lo; i < n.hi; i++) {
        const len = n.off[i + 1]! - n.off[i]!;
        total += varintLen(len) + len;
      }
      if (total > PACK_MAX_BYTES) return null;
    }
    const out = Buffer.allocUnsafe(total);
    let p = 0;
    for (let k = this.head; k < this.nodes.length; k++) {
      const n = this.nodes[k]!;
      for (let i = n.lo; i < n.hi; i++) {
        const s = n.off[i]!;
        const e = n.off[i + 1]!;
        p = writeVarint(out, p, e - s);
        p += n.buf.copy(out, p, s, e);
      }
    }
    return out;
  }

  /** A list from its packed form (bytes are copied; nodes are built on first need). */
  static fromPacked(bytes: Buffer): List {
    const l = new List();
    let count = 0;
    let p = 0;
    while (p < bytes.length) {
      p = readVarint(bytes, p) + varintValue;
      count++;
    }
    l.length = count;
    if (count !== 0) l.pk = Buffer.from(bytes);
    return l;
  }
}

/**
 * A list's nodes as they were at List.freeze(), read node by node in order (each node is let
 * go as it is read); release() lets go of the rest.
 */
export class FrozenList {
  /** Elements at the freeze. */
  readonly length: number;
  private readonly nodes: ListNode[];
  /** Nodes read (and unpinned) so far. */
  private passed = 0;

  constructor(nodes: ListNode[], length: number) {
    this.nodes = nodes;
    this.length = length;
  }

  get nodeCount(): number {
    return this.nodes.length;
  }

  /** Calls fn for each element of node k (k = 0, 1, ... in order; views), then unpins it. */
  forEachInNode(k: number, fn: (e: Buffer) => void): void {
    const n = this.nodes[k]!;
    for (let i = n.lo; i < n.hi; i++) fn(n.buf.subarray(n.off[i]!, n.off[i + 1]!));
    n.pins--;
    this.passed = k + 1;
  }

  /** Unpins the nodes not read yet (done, or abandoned). */
  release(): void {
    for (let k = this.passed; k < this.nodes.length; k++) this.nodes[k]!.pins--;
    this.passed = this.nodes.length;
  }
}

// ------------------------------------------------------------------ packed form

/** Lists up to this many elements and packed bytes live packed in the Db's slab. */
export const PACK_MAX_ELEMENTS = NODE_SLOTS;
export const PACK_MAX_BYTES = NODE_BYTES;

const LIST_OVERHEAD = 64;
/** A ListNode object and its offsets array, beyond its byte storage. */
const NODE_OVERHEAD = 96 + (NODE_SLOTS + 1) * 4 + 64;
const SIZE_SAMPLES = 8;

registerPackedCodec(TYPE_LIST, {
  unpack(bytes) {
    const l = List.fromPacked(bytes);
    l.unchanged = true;
    return l;
  },
  pack(obj, prev) {
    const l = obj as List;
    return l.unchanged && prev !== null ? prev : l.packed();
  },
});

registerObjectSizer(TYPE_LIST, (obj) => (obj as List).memory());
