/**
 * Dict: the chained hash table under a Db, kept entirely in typed arrays.
 *
 * Why typed arrays: a JS Map caps at 2^24 entries and costs ~200 B per string
 * pair plus GC tracing; here a key costs 32 bytes of entry + ~4-8 bytes of
 * bucket + its slab record, and the GC sees a handful of large arrays.
 *
 * Entries
 * - An entry is a dense integer id. Its fields live in a 32-byte slot of eight
 *   int32s rather than one array per field: with chunked storage (below) a
 *   packed slot needs one chunk lookup for all fields instead of one per field
 *   (measured ~2x faster for random access than chunked per-field arrays), and
 *   a lookup touches one cache line instead of four. The record address is
 *   kept as (page, offset) int32s, so no float64 view is needed:
 *     0 PAGE  slab page of the record        1 OFF  offset in that page
 *     2 NEXT  chain link (id+1, 0 = end)      3 HASH 32-bit key hash
 *     4 KLEN  key length                       5 META flags | vlen << 8 (Db)
 *     6 LRU   LRU/LFU word (Db); free entries use it as the free-list "prev"
 *     7 VPOS  position in the Db's volatile set + 1 (0 = no TTL)
 * - Slots are stored in chunks of 65536 entries (2 MiB). Deviation from a flat
 *   array grown by 1.5x, on purpose: growing a flat 100M-entry array means
 *   allocating and copying gigabytes in one go (measured ~2.8 s for just 12 of
 *   the 32 bytes at 67M entries) and briefly holding old+new copies. With
 *   chunks, growth is "allocate 2 MiB", so no stall and no 2.5x peak. The
 *   first chunk starts small and doubles up to full size so that 16 mostly
 *   empty databases stay tiny. Cost: one extra (cached) load per access.
 * - Freed ids go on a doubly linked free list threaded through NEXT/LRU and are
 *   reused LIFO. Because removal from that list is O(1), the cron can compact:
 *   it moves the highest live entries into free low ids and releases whole
 *   trailing chunks, so deleting most keys gives the memory back. Consequence:
 *   ids are stable only until the next rehashStep()/clear()/swap(); never keep
 *   one across commands.
 *
 * Buckets and incremental rehash
 * - Bucket heads are an Int32Array holding id+1 so that a freshly allocated
 *   (zeroed, lazily committed by the OS) array is already "all empty": a new
 *   table costs no fill pass however large it is.
 * - Grow at load 1 (to 2x), shrink when fill drops below 10% (to the smallest
 *   power of two >= count). Resizing is incremental like Redis: t0 is the old
 *   table, t1 the new one, and `rehashIdx` the next t0 bucket to move. Every
 *   find/insert/delete moves one bucket; the server cron calls
 *   rehashStep(ms) for the rest. Entries carry their hash, so moving never
 *   touches key bytes.
 * - Invariant: a key lives in t0 iff its t0 bucket (h & m0) >= rehashIdx, else
 *   in t1. Inserts follow the same rule, so a lookup probes exactly one chain.
 *
 * SCAN
 * - Reverse-binary cursor: the cursor's bits are incremented from the top, so
 *   when the table doubles, every bucket already visited maps to buckets whose
 *   cursors are also already passed, and when it halves, the few buckets seen
 *   twice yield duplicates (allowed) rather than misses. While rehashing, the
 *   smaller table's bucket is visited together with every bucket of the larger
 *   table that expands from it, which covers both tables for that cursor. This
 *   guarantees every key present for the whole scan is returned at least once.
 *
 * Hash function
 * - HalfSipHash-1-3 (32-bit output) with a random 64-bit key per process.
 *   Deviation from "a Math.imul based murmur-style hash": such hashes have
 *   published seed-independent multicollisions, so a random seed does not stop
 *   hash flooding; HalfSipHash is a keyed PRF built for exactly this job (the
 *   Linux kernel's hsiphash). Measured ~35 ns for a 16-byte key vs ~30 ns for
 *   a murmur-style mix in V8, and it avalanches fully.
 */

import { viewAt } from '../util/bytes.js';
import { MAX_CHUNK, SlabAllocator } from './slab.js';
import { randomBytes } from 'node:crypto';

// ---------------------------------------------------------------- hashing

let K0 = 0;
let K1 = 0;
{
  const seed = randomBytes(8);
  K0 = seed.readInt32LE(0);
  K1 = seed.readInt32LE(4);
}

/**
 * Replace the process hash key. Only for tests/benchmarks that need
 * reproducible bucket layouts: every existing Dict becomes unreadable.
 */
export function setHashSeed(k0: number, k1: number): void {
  K0 = k0 | 0;
  K1 = k1 | 0;
}

/** HalfSipHash-1-3 of buf[start, end) under the process key, as an int32. */
export function hashBytes(buf: Uint8Array, start: number, end: number): number {
  let v0 = K0;
  let v1 = K1;
  let v2 = K0 ^ 0x6c796765;
  let v3 = K1 ^ 0x74656462;
  const len = end - start;
  const stop = start + (len & ~3);
  let i = start;
  for (; i < stop; i += 4) {
    const m = buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24);
    v3 ^= m;
    // one SipRound (c = 1 per message word)
    v0 = (v0 + v1) | 0; v1 = (v1 << 5) | (v1 >>> 27); v1 ^= v0; v0 = (v0 << 16) | (v0 >>> 16);
    v2 = (v2 + v3) | 0; v3 = (v3 << 8) | (v3 >>> 24); v3 ^= v2;
    v0 = (v0 + v3) | 0; v3 = (v3 << 7) | (v3 >>> 25); v3 ^= v0;
    v2 = (v2 + v1) | 0; v1 = (v1 << 13) | (v1 >>> 19); v1 ^= v2; v2 = (v2 << 16) | (v2 >>> 16);
    v0 ^= m;
  }
  let b = len << 24;
  const tail = end - i;
  if (tail > 0) {
    b |= buf[i];
    if (tail > 1) b |= buf[i + 1] << 8;
    if (tail > 2) b |= buf[i + 2] << 16;
  }
  v3 ^= b;
  v0 = (v0 + v1) | 0; v1 = (v1 << 5) | (v1 >>> 27); v1 ^= v0; v0 = (v0 << 16) | (v0 >>> 16);
  v2 = (v2 + v3) | 0; v3 = (v3 << 8) | (v3 >>> 24); v3 ^= v2;
  v0 = (v0 + v3) | 0; v3 = (v3 << 7) | (v3 >>> 25); v3 ^= v0;
  v2 = (v2 + v1) | 0; v1 = (v1 << 13) | (v1 >>> 19); v1 ^= v2; v2 = (v2 << 16) | (v2 >>> 16);
  v0 ^= b;
  v2 ^= 0xff;
  // d = 3 finalization rounds, unrolled for speed
  v0 = (v0 + v1) | 0; v1 = (v1 << 5) | (v1 >>> 27); v1 ^= v0; v0 = (v0 << 16) | (v0 >>> 16);
  v2 = (v2 + v3) | 0; v3 = (v3 << 8) | (v3 >>> 24); v3 ^= v2;
  v0 = (v0 + v3) | 0; v3 = (v3 << 7) | (v3 >>> 25); v3 ^= v0;
  v2 = (v2 + v1) | 0; v1 = (v1 << 13) | (v1 >>> 19); v1 ^= v2; v2 = (v2 << 16) | (v2 >>> 16);
  v0 = (v0 + v1) | 0; v1 = (v1 << 5) | (v1 >>> 27); v1 ^= v0; v0 = (v0 << 16) | (v0 >>> 16);
  v2 = (v2 + v3) | 0; v3 = (v3 << 8) | (v3 >>> 24); v3 ^= v2;
  v0 = (v0 + v3) | 0; v3 = (v3 << 7) | (v3 >>> 25); v3 ^= v0;
  v2 = (v2 + v1) | 0; v1 = (v1 << 13) | (v1 >>> 19); v1 ^= v2; v2 = (v2 << 16) | (v2 >>> 16);
  v0 = (v0 + v1) | 0; v1 = (v1 << 5) | (v1 >>> 27); v1 ^= v0; v0 = (v0 << 16) | (v0 >>> 16);
  v2 = (v2 + v3) | 0; v3 = (v3 << 8) | (v3 >>> 24); v3 ^= v2;
  v0 = (v0 + v3) | 0; v3 = (v3 << 7) | (v3 >>> 25); v3 ^= v0;
  v2 = (v2 + v1) | 0; v1 = (v1 << 13) | (v1 >>> 19); v1 ^= v2; v2 = (v2 << 16) | (v2 >>> 16);
  return v1 ^ v3;
}

/**
 * Plain HalfSipHash-c-d with an explicit key, 32-bit output (unsigned). Slow
 * reference used by tests to check hashBytes against published vectors.
 */
export function halfSipHashRef(buf: Uint8Array, k0: number, k1: number, c: number, d: number): number {
  let v0 = k0 | 0, v1 = k1 | 0, v2 = (k0 ^ 0x6c796765) | 0, v3 = (k1 ^ 0x74656462) | 0;
  const round = (): void => {
    v0 = (v0 + v1) | 0; v1 = (v1 << 5) | (v1 >>> 27); v1 ^= v0; v0 = (v0 << 16) | (v0 >>> 16);
    v2 = (v2 + v3) | 0; v3 = (v3 << 8) | (v3 >>> 24); v3 ^= v2;
    v0 = (v0 + v3) | 0; v3 = (v3 << 7) | (v3 >>> 25); v3 ^= v0;
    v2 = (v2 + v1) | 0; v1 = (v1 << 13) | (v1 >>> 19); v1 ^= v2; v2 = (v2 << 16) | (v2 >>> 16);
  };
  const len = buf.length;
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const m = buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24);
    v3 ^= m;
    for (let r = 0; r < c; r++) round();
    v0 ^= m;
  }
  let b = len << 24;
  for (let j = 0; i + j < len; j++) b |= buf[i + j] << (8 * j);
  v3 ^= b;
  for (let r = 0; r < c; r++) round();
  v0 ^= b;
  v2 ^= 0xff;
  for (let r = 0; r < d; r++) round();
  return (v1 ^ v3) >>> 0;
}

// ---------------------------------------------------------------- layout

export const E_PAGE = 0;
export const E_OFF = 1;
export const E_NEXT = 2;
export const E_HASH = 3;
export const E_KLEN = 4;
export const E_META = 5;
export const E_LRU = 6;
export const E_VPOS = 7;
/** Slot of an id inside its chunk is (id & CHUNK_MASK) << E_SHIFT. */
export const E_SHIFT = 3;
export const CHUNK_SHIFT = 16;
export const CHUNK_SIZE = 1 << CHUNK_SHIFT;
export const CHUNK_MASK = CHUNK_SIZE - 1;
const ENTRY_BYTES = 4 << E_SHIFT;

/** META bit set on every live entry; free slots have META 0. */
export const M_LIVE = 0x80;

const FIRST_CHUNK_ENTRIES = 64;
const MIN_TABLE = 16;
const MAX_TABLE = 1 << 30;
/** Max ids: links hold id+1 in an int32. */
const MAX_ENTRIES = 0x7ffffffe;
/** Keys up to this length are compared with a JS loop; longer with memcmp. */
const SHORT_KEY = 32;

/** Reverse the 32 bits of v (for the SCAN cursor). */
function rev32(v: number): number {
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  return ((v >>> 16) | (v << 16)) >>> 0;
}

/**
 * Copy len bytes. A JS loop beats Buffer#copy (which allocates a view and
 * crosses into C++) for the short keys/values that dominate; same-buffer
 * copies go through TypedArray#set, which has memmove semantics.
 */
export function copyBytes(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number, len: number): void {
  if (len <= 32 && src.buffer !== dst.buffer) {
    for (let i = 0; i < len; i++) dst[dstOff + i] = src[srcOff + i];
  } else if (srcOff === 0 && len === src.length) {
    // Whole source (the usual case for values): no temporary view needed.
    dst.set(src, dstOff);
  } else if (len > 0) {
    dst.set(src.subarray(srcOff, srcOff + len), dstOff);
  }
}

/** Shared zero-length result, so empty keys/values cost no allocation. Never write to it. */
export const EMPTY: Buffer = Buffer.alloc(0);

/**
 * Observer that a point-in-time snapshot (src/persistence/snapshot.ts) attaches to a Db while
 * it runs ("serialize before modify"). The Dict and Db call it before an existing entry changes
 * in any way and when entry ids are created or renumbered; with no snapshot the field is null
 * and each hook costs one comparison. It is an instance field, so SWAPDB carries it along with
 * the contents it describes.
 */
export interface EntryGuard {
  /** Entry `id` of `dict` (live) is about to change or disappear: serialize it now if pending. */
  beforeChange(dict: Dict, id: number): void;
  /** A new entry was just linked at `id` (not part of the snapshot). */
  created(id: number): void;
  /** Compaction moved live entry `from` to the lower id `to` (fully valid at `to` now). */
  relocated(dict: Dict, from: number, to: number): void;
  /**
   * The db is about to be emptied (FLUSHDB/FLUSHALL). Returns true when the guard took the
   * contents over (Db.detachContents), leaving the db empty; false to let the flush free them.
   */
  beforeClear(dict: Dict): boolean;
}

export interface DictStats {
  count: number;
  buckets: number;
  rehashBuckets: number;
  rehashIdx: number;
  capacity: number;
  highWater: number;
  longestChain: number;
}

export class Dict {
  protected readonly slab: SlabAllocator;
  /** Entry slots, CHUNK_SIZE entries per chunk (the first may be shorter). */
  protected ents: Int32Array[] = [new Int32Array(FIRST_CHUNK_ENTRIES << E_SHIFT)];
  /** Entries the chunks can hold. */
  protected cap = FIRST_CHUNK_ENTRIES;
  /** Ids in [0, hw) have been handed out (live or on the free list). */
  protected hw = 0;
  /** Head of the free-id list, id+1 (0 = empty). */
  protected freeHead = 0;
  protected count = 0;
  /** Main table (old table while rehashing) and its mask. */
  protected t0: Int32Array = new Int32Array(MIN_TABLE);
  protected m0 = MIN_TABLE - 1;
  /** New table while rehashing. */
  protected t1: Int32Array | null = null;
  protected m1 = 0;
  /** Next t0 bucket to move, or -1 when not rehashing. */
  protected rehashIdx = -1;
  /** Keys longer than MAX_CHUNK (rare), by id. */
  protected bigKeys: Map<number, Buffer> | null = null;
  /** Set while the cron is giving id space back (see file header). */
  protected compacting = false;
  /** Active snapshot's observer (see EntryGuard); null almost always. */
  guard: EntryGuard | null = null;
  private scratch = new Int32Array(64);

  constructor(slab: SlabAllocator) {
    this.slab = slab;
  }

  /** Number of keys. */
  get size(): number {
    return this.count;
  }

  get isRehashing(): boolean {
    return this.rehashIdx >= 0;
  }

  /** Buckets of the main table (the old one while rehashing). O(1), unlike stats(). */
  get bucketCount(): number {
    return this.t0.length;
  }

  // ------------------------------------------------------------ lookup

  /** Entry id of `key`, or -1. Does not look at expiry. */
  find(key: Buffer): number {
    if (this.rehashIdx >= 0) this.rehashSome(1);
    const klen = key.length;
    return this.lookup(key, klen, hashBytes(key, 0, klen));
  }

  protected lookup(key: Buffer, klen: number, h: number): number {
    const i0 = h & this.m0;
    let e = i0 < this.rehashIdx ? this.t1![h & this.m1] : this.t0[i0];
    const ents = this.ents;
    while (e !== 0) {
      const id = e - 1;
      const c = ents[id >>> CHUNK_SHIFT];
      const b = (id & CHUNK_MASK) << E_SHIFT;
      if (c[b + E_HASH] === h && c[b + E_KLEN] === klen && this.keyMatches(id, c, b, key, klen)) return id;
      e = c[b + E_NEXT];
    }
    return -1;
  }

  private keyMatches(id: number, c: Int32Array, b: number, key: Buffer, klen: number): boolean {
    if (klen > MAX_CHUNK) return this.bigKeys!.get(id)!.equals(key);
    const page = this.slab.pages[c[b + E_PAGE]];
    const off = c[b + E_OFF];
    if (klen <= SHORT_KEY) {
      for (let i = 0; i < klen; i++) if (page[off + i] !== key[i]) return false;
      return true;
    }
    return page.compare(key, 0, klen, off, off + klen) === 0;
  }

  // ------------------------------------------------------------ keys

  /** Key bytes as a view (slab or big-key buffer); valid until the next write. */
  keyView(id: number): Buffer {
    const c = this.ents[id >>> CHUNK_SHIFT];
    const b = (id & CHUNK_MASK) << E_SHIFT;
    const klen = c[b + E_KLEN];
    if (klen > MAX_CHUNK) return this.bigKeys!.get(id)!;
    const off = c[b + E_OFF];
    if (klen === 0) return EMPTY;
    return viewAt(this.slab.pageBuffers[c[b + E_PAGE]]!, off, klen);
  }

  /** Key bytes as an owned copy. */
  keyOf(id: number): Buffer {
    const v = this.keyView(id);
    const out = Buffer.allocUnsafe(v.length);
    copyBytes(v, 0, out, 0, v.length);
    return out;
  }

  keyLength(id: number): number {
    return this.ents[id >>> CHUNK_SHIFT][((id & CHUNK_MASK) << E_SHIFT) + E_KLEN];
  }

  /** Ids handed out so far: every live id is below this (it moves down under compaction). */
  get idLimit(): number {
    return this.hw;
  }

  /** True if id names a live entry (for assertions and defensive callers). */
  isLive(id: number): boolean {
    if (id < 0 || id >= this.hw) return false;
    return (this.ents[id >>> CHUNK_SHIFT][((id & CHUNK_MASK) << E_SHIFT) + E_META] & M_LIVE) !== 0;
  }

  // ------------------------------------------------------------ entries

  /**
   * Take a fresh id for a new key with hash h and length klen and link it
   * into its bucket. Only HASH, KLEN, NEXT and META (= M_LIVE) are set; the
   * caller fills in the record. Must be called right after lookup() missed,
   * with no rehash step in between (the bucket choice depends on rehashIdx).
   */
  protected newEntry(h: number, klen: number): number {
    let id: number;
    if (this.freeHead !== 0) {
      id = this.popFree();
    } else {
      id = this.hw;
      if (id >= this.cap) this.growEntries();
      this.hw = id + 1;
    }
    const c = this.ents[id >>> CHUNK_SHIFT];
    const b = (id & CHUNK_MASK) << E_SHIFT;
    c[b + E_HASH] = h;
    c[b + E_KLEN] = klen;
    c[b + E_META] = M_LIVE;
    c[b + E_LRU] = 0;
    c[b + E_VPOS] = 0;
    const i0 = h & this.m0;
    if (i0 < this.rehashIdx) {
      const j = h & this.m1;
      c[b + E_NEXT] = this.t1![j];
      this.t1![j] = id + 1;
    } else {
      c[b + E_NEXT] = this.t0[i0];
      this.t0[i0] = id + 1;
    }
    this.count++;
    // Starting a resize is safe here: the entry sits in t0 and rehashIdx = 0.
    if (this.rehashIdx < 0 && this.count >= this.t0.length && this.t0.length < MAX_TABLE) {
      this.startResize(this.t0.length * 2);
    }
    if (this.guard !== null) this.guard.created(id);
    return id;
  }

  /** Remove id from its bucket chain (its slots stay intact). */
  protected unlink(id: number): void {
    const ents = this.ents;
    const c = ents[id >>> CHUNK_SHIFT];
    const b = (id & CHUNK_MASK) << E_SHIFT;
    const h = c[b + E_HASH];
    const i0 = h & this.m0;
    const tab = i0 < this.rehashIdx ? this.t1! : this.t0;
    const bi = tab === this.t0 ? i0 : h & this.m1;
    const target = id + 1;
    let e = tab[bi];
    if (e === target) {
      tab[bi] = c[b + E_NEXT];
      return;
    }
    while (e !== 0) {
      const pid = e - 1;
      const pc = ents[pid >>> CHUNK_SHIFT];
      const pb = (pid & CHUNK_MASK) << E_SHIFT;
      e = pc[pb + E_NEXT];
      if (e === target) {
        pc[pb + E_NEXT] = c[b + E_NEXT];
        return;
      }
    }
    throw new Error(`dict: entry ${id} not in its chain`);
  }

  /** Return an unlinked id to the free list and zero its slots. */
  protected releaseId(id: number): void {
    const c = this.ents[id >>> CHUNK_SHIFT];
    const b = (id & CHUNK_MASK) << E_SHIFT;
    c.fill(0, b, b + 8);
    this.count--;
    if (this.bigKeys !== null) this.bigKeys.delete(id);
    const head = this.freeHead;
    c[b + E_NEXT] = head;
    if (head !== 0) {
      const hid = head - 1;
      this.ents[hid >>> CHUNK_SHIFT][((hid & CHUNK_MASK) << E_SHIFT) + E_LRU] = id + 1;
    }
    this.freeHead = id + 1;
    if (this.rehashIdx < 0) this.maybeShrink();
  }

  private popFree(): number {
    const id = this.freeHead - 1;
    const next = this.ents[id >>> CHUNK_SHIFT][((id & CHUNK_MASK) << E_SHIFT) + E_NEXT];
    this.freeHead = next;
    if (next !== 0) {
      const nid = next - 1;
      this.ents[nid >>> CHUNK_SHIFT][((nid & CHUNK_MASK) << E_SHIFT) + E_LRU] = 0;
    }
    return id;
  }

  /** Unlink a specific free id from the free list (compaction). */
  private removeFree(id: number): void {
    const c = this.ents[id >>> CHUNK_SHIFT];
    const b = (id & CHUNK_MASK) << E_SHIFT;
    const prev = c[b + E_LRU];
    const next = c[b + E_NEXT];
    if (prev === 0) this.freeHead = next;
    else {
      const pid = prev - 1;
      this.ents[pid >>> CHUNK_SHIFT][((pid & CHUNK_MASK) << E_SHIFT) + E_NEXT] = next;
    }
    if (next !== 0) {
      const nid = next - 1;
      this.ents[nid >>> CHUNK_SHIFT][((nid & CHUNK_MASK) << E_SHIFT) + E_LRU] = prev;
    }
    c[b + E_NEXT] = 0;
    c[b + E_LRU] = 0;
  }

  private growEntries(): void {
    if (this.cap >= MAX_ENTRIES) throw new RangeError('dict: too many keys');
    if (this.cap < CHUNK_SIZE) {
      // Only the first chunk grows by copying, and it is at most 2 MiB.
      const n = Math.min(this.cap * 2, CHUNK_SIZE);
      const next = new Int32Array(n << E_SHIFT);
      next.set(this.ents[0]);
      this.ents[0] = next;
      this.cap = n;
    } else {
      this.ents.push(new Int32Array(CHUNK_SIZE << E_SHIFT));
      this.cap += CHUNK_SIZE;
    }
  }

  /** Hook for subclasses: entry `from` now lives at id `to`. */
  protected onRelocate(_from: number, _to: number): void {
    // Dict itself keeps nothing else per id besides bigKeys, handled by relocate().
  }

  /** Move live entry `from` into the free (already popped) slot `to`. */
  private relocate(from: number, to: number): void {
    const ents = this.ents;
    const fc = ents[from >>> CHUNK_SHIFT];
    const fb = (from & CHUNK_MASK) << E_SHIFT;
    const tc = ents[to >>> CHUNK_SHIFT];
    const tb = (to & CHUNK_MASK) << E_SHIFT;
    tc.set(fc.subarray(fb, fb + 8), tb);
    // Redirect whatever pointed at `from` (bucket head or predecessor).
    const h = fc[fb + E_HASH];
    const i0 = h & this.m0;
    const tab = i0 < this.rehashIdx ? this.t1! : this.t0;
    const bi = tab === this.t0 ? i0 : h & this.m1;
    let e = tab[bi];
    if (e === from + 1) tab[bi] = to + 1;
    else {
      for (;;) {
        const pid = e - 1;
        const pc = ents[pid >>> CHUNK_SHIFT];
        const pb = (pid & CHUNK_MASK) << E_SHIFT;
        e = pc[pb + E_NEXT];
        if (e === from + 1) {
          pc[pb + E_NEXT] = to + 1;
          break;
        }
        if (e === 0) throw new Error(`dict: relocate lost entry ${from}`);
      }
    }
    if (this.bigKeys !== null) {
      const k = this.bigKeys.get(from);
      if (k !== undefined) {
        this.bigKeys.delete(from);
        this.bigKeys.set(to, k);
      }
    }
    this.onRelocate(from, to);
    if (this.guard !== null) this.guard.relocated(this, from, to);
    fc.fill(0, fb, fb + 8);
  }

  /**
   * Give id space back after mass deletes: move the top live entries into free
   * low ids until the free ids fit in a fraction of a chunk, then drop the
   * unused trailing chunks. Bounded by `budget` entries per call.
   */
  protected compactSome(budget: number): void {
    if (!this.compacting) {
      if (!this.shouldCompact()) return;
      this.compacting = true;
    }
    while (budget-- > 0 && this.hw > this.count + (CHUNK_SIZE >> 2)) {
      const top = this.hw - 1;
      const meta = this.ents[top >>> CHUNK_SHIFT][((top & CHUNK_MASK) << E_SHIFT) + E_META];
      if ((meta & M_LIVE) === 0) {
        this.removeFree(top);
      } else {
        // Every free id is < hw and top is live, so the popped id is below top.
        this.relocate(top, this.popFree());
      }
      this.hw = top;
    }
    if (this.hw <= this.count + (CHUNK_SIZE >> 2)) this.compacting = false;
    // Drop whole chunks above the high-water mark (keep the first).
    const chunks = this.ents.length;
    while (this.ents.length > 1 && this.hw <= (this.ents.length - 1) * CHUNK_SIZE) {
      this.ents.pop();
      this.cap -= CHUNK_SIZE;
    }
    if (this.ents.length !== chunks) this.onTrim(this.ents.length);
  }

  /** Hook for subclasses: only the first `chunks` id chunks are in use now. */
  protected onTrim(_chunks: number): void {
    // nothing per-chunk in Dict itself
  }

  // ------------------------------------------------------------ resize

  private startResize(size: number): void {
    this.t1 = new Int32Array(size);
    this.m1 = size - 1;
    this.rehashIdx = 0;
  }

  private maybeShrink(): void {
    const len = this.t0.length;
    if (len > MIN_TABLE && this.count * 10 < len) {
      let size = MIN_TABLE;
      while (size < this.count) size *= 2;
      if (size < len) this.startResize(size);
    }
  }

  /**
   * Move up to n non-empty t0 buckets into t1, giving up after visiting 10*n
   * empty ones so a sparse table cannot make one call slow.
   */
  protected rehashSome(n: number): void {
    const t0 = this.t0;
    const t1 = this.t1!;
    const m1 = this.m1;
    const ents = this.ents;
    let empty = n * 10;
    let i = this.rehashIdx;
    const end = t0.length;
    while (n > 0 && i < end) {
      let e = t0[i];
      if (e === 0) {
        i++;
        if (--empty === 0) break;
        continue;
      }
      while (e !== 0) {
        const id = e - 1;
        const c = ents[id >>> CHUNK_SHIFT];
        const b = (id & CHUNK_MASK) << E_SHIFT;
        const next = c[b + E_NEXT];
        const j = c[b + E_HASH] & m1;
        c[b + E_NEXT] = t1[j];
        t1[j] = e;
        e = next;
      }
      // SCAN reads t0 buckets below rehashIdx, so they must read as empty.
      t0[i] = 0;
      i++;
      n--;
    }
    if (i >= end) {
      this.t0 = t1;
      this.m0 = m1;
      this.t1 = null;
      this.m1 = 0;
      this.rehashIdx = -1;
    } else {
      this.rehashIdx = i;
    }
  }

  /**
   * Background work for the server cron: continue or start a resize, compact
   * id space. Runs for about maxMs. Returns true if more work is pending.
   */
  rehashStep(maxMs: number): boolean {
    if (this.rehashIdx < 0) {
      this.maybeShrink();
      if (this.rehashIdx < 0 && this.count >= this.t0.length && this.t0.length < MAX_TABLE) {
        this.startResize(this.t0.length * 2);
      }
    }
    const deadline = performance.now() + maxMs;
    for (;;) {
      if (this.rehashIdx >= 0) this.rehashSome(100);
      else if (this.compacting || this.shouldCompact()) this.compactSome(1000);
      else return false;
      if (performance.now() >= deadline) return this.rehashIdx >= 0 || this.compacting || this.shouldCompact();
    }
  }

  /** Worth compacting: at least two chunks and a quarter of the id space are free. */
  private shouldCompact(): boolean {
    const slack = this.hw - this.count;
    return slack >= 2 * CHUNK_SIZE && slack * 4 >= this.hw;
  }

  // ------------------------------------------------------------ iteration

  /**
   * One SCAN step: visits every entry of the bucket(s) for `cursor` and
   * returns the next cursor (0 when the scan is complete). The ids are
   * collected before `visit` runs, so visit may delete the id it is given
   * (e.g. lazy expiry), but must not otherwise rely on the table staying put.
   * Cursors are 32-bit; larger inputs are truncated.
   */
  scan(cursor: number, visit: (id: number) => void): number {
    if (this.count === 0) return 0;
    let v = cursor >>> 0;
    let n = 0;
    if (this.rehashIdx < 0) {
      const m = this.m0;
      n = this.collect(this.t0[v & m], n);
      v = rev32((v | ~m) >>> 0);
      v = rev32((v + 1) >>> 0);
    } else {
      let small = this.t0;
      let ms = this.m0;
      let large = this.t1!;
      let ml = this.m1;
      if (small.length > large.length) {
        small = this.t1!;
        ms = this.m1;
        large = this.t0;
        ml = this.m0;
      }
      n = this.collect(small[v & ms], n);
      // Every large-table bucket whose low bits equal v & ms.
      do {
        n = this.collect(large[v & ml], n);
        v = rev32((v | ~ml) >>> 0);
        v = rev32((v + 1) >>> 0);
      } while ((v & (ms ^ ml)) !== 0);
    }
    const ids = this.scratch;
    for (let i = 0; i < n; i++) visit(ids[i]);
    return v;
  }

  private collect(e: number, n: number): number {
    const ents = this.ents;
    while (e !== 0) {
      if (n === this.scratch.length) {
        const s = new Int32Array(n * 2);
        s.set(this.scratch);
        this.scratch = s;
      }
      const id = e - 1;
      this.scratch[n++] = id;
      e = ents[id >>> CHUNK_SHIFT][((id & CHUNK_MASK) << E_SHIFT) + E_NEXT];
    }
    return n;
  }

  /**
   * A random key id (-1 if empty): a random non-empty bucket, then a random
   * entry of its chain, as Redis does. Slightly favours keys in short chains,
   * which is fine for eviction sampling and RANDOMKEY.
   */
  randomId(): number {
    if (this.count === 0) return -1;
    let e = 0;
    if (this.rehashIdx >= 0) {
      // t0 buckets below rehashIdx are empty; draw from the rest of t0 + t1.
      const t0 = this.t0;
      const t1 = this.t1!;
      const start = this.rehashIdx;
      const span = t0.length - start + t1.length;
      do {
        const r = start + Math.floor(Math.random() * span);
        e = r < t0.length ? t0[r] : t1[r - t0.length];
      } while (e === 0);
    } else {
      const t0 = this.t0;
      do e = t0[Math.floor(Math.random() * t0.length)];
      while (e === 0);
    }
    const ents = this.ents;
    let len = 0;
    for (let x = e; x !== 0; len++) {
      const id = x - 1;
      x = ents[id >>> CHUNK_SHIFT][((id & CHUNK_MASK) << E_SHIFT) + E_NEXT];
    }
    let k = Math.floor(Math.random() * len);
    while (k-- > 0) {
      const id = e - 1;
      e = ents[id >>> CHUNK_SHIFT][((id & CHUNK_MASK) << E_SHIFT) + E_NEXT];
    }
    return e - 1;
  }

  /**
   * Visit every live id in id order. visit may delete the id it is given;
   * keys inserted during the walk may or may not be visited.
   */
  forEach(visit: (id: number) => void): void {
    for (let id = 0; id < this.hw; id++) {
      if ((this.ents[id >>> CHUNK_SHIFT][((id & CHUNK_MASK) << E_SHIFT) + E_META] & M_LIVE) !== 0) visit(id);
    }
  }

  // ------------------------------------------------------------ stats

  /** Bytes of the typed arrays owned by this table (entries + buckets). */
  protected tableBytes(): number {
    return this.cap * ENTRY_BYTES + (this.t0.length + (this.t1 === null ? 0 : this.t1.length)) * 4 + this.scratch.byteLength;
  }

  stats(): DictStats {
    let longest = 0;
    const walk = (t: Int32Array): void => {
      for (let i = 0; i < t.length; i++) {
        let len = 0;
        for (let e = t[i]; e !== 0; len++) {
          const id = e - 1;
          e = this.ents[id >>> CHUNK_SHIFT][((id & CHUNK_MASK) << E_SHIFT) + E_NEXT];
        }
        if (len > longest) longest = len;
      }
    };
    walk(this.t0);
    if (this.t1 !== null) walk(this.t1);
    return {
      count: this.count,
      buckets: this.t0.length,
      rehashBuckets: this.t1 === null ? 0 : this.t1.length,
      rehashIdx: this.rehashIdx,
      capacity: this.cap,
      highWater: this.hw,
      longestChain: longest,
    };
  }

  /** Reset to an empty table (caller releases records first). */
  protected resetTable(): void {
    this.ents = [new Int32Array(FIRST_CHUNK_ENTRIES << E_SHIFT)];
    this.cap = FIRST_CHUNK_ENTRIES;
    this.hw = 0;
    this.freeHead = 0;
    this.count = 0;
    this.t0 = new Int32Array(MIN_TABLE);
    this.m0 = MIN_TABLE - 1;
    this.t1 = null;
    this.m1 = 0;
    this.rehashIdx = -1;
    this.bigKeys = null;
    this.compacting = false;
  }

  /**
   * Check every structural invariant; throws on the first violation. O(n):
   * for tests and DEBUG commands only.
   */
  verifyTable(): void {
    const seen = new Uint8Array(this.hw);
    let linked = 0;
    const check = (t: Int32Array, mask: number, isT0: boolean): void => {
      for (let i = 0; i < t.length; i++) {
        if (isT0 && i < this.rehashIdx && t[i] !== 0) throw new Error(`t0 bucket ${i} below rehashIdx not empty`);
        for (let e = t[i]; e !== 0; ) {
          const id = e - 1;
          if (id >= this.hw) throw new Error(`chain id ${id} >= hw`);
          if (seen[id]) throw new Error(`id ${id} linked twice`);
          seen[id] = 1;
          linked++;
          const c = this.ents[id >>> CHUNK_SHIFT];
          const b = (id & CHUNK_MASK) << E_SHIFT;
          if ((c[b + E_META] & M_LIVE) === 0) throw new Error(`free id ${id} in chain`);
          const h = c[b + E_HASH];
          if ((h & mask) !== i) throw new Error(`id ${id} in wrong bucket`);
          const inT0 = (h & this.m0) >= this.rehashIdx;
          if (this.rehashIdx >= 0 && inT0 !== isT0) throw new Error(`id ${id} in wrong table`);
          const klen = c[b + E_KLEN];
          const key = this.keyView(id);
          if (key.length !== klen || hashBytes(key, 0, klen) !== h) throw new Error(`id ${id} hash/key mismatch`);
          e = c[b + E_NEXT];
        }
      }
    };
    check(this.t0, this.m0, true);
    if (this.t1 !== null) check(this.t1, this.m1, false);
    if (linked !== this.count) throw new Error(`linked ${linked} != count ${this.count}`);
    let free = 0;
    let prev = 0;
    for (let e = this.freeHead; e !== 0; ) {
      const id = e - 1;
      if (seen[id]) throw new Error(`free list contains live/duplicate id ${id}`);
      seen[id] = 2;
      free++;
      const c = this.ents[id >>> CHUNK_SHIFT];
      const b = (id & CHUNK_MASK) << E_SHIFT;
      if (c[b + E_LRU] !== prev) throw new Error(`free list prev link broken at ${id}`);
      prev = e;
      e = c[b + E_NEXT];
    }
    if (free + this.count !== this.hw) throw new Error(`free ${free} + count ${this.count} != hw ${this.hw}`);
    if (this.cap < this.hw) throw new Error('cap < hw');
  }
}
