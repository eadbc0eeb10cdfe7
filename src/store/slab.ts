/**
 * SlabAllocator: off-heap storage for key records.
 *
 * Why: millions of small JS Buffers would cost ~100 B of object header each and
 * make every major GC walk them. Instead we carve records out of a few large
 * pages so the GC sees one object per MiB, and a record is named by a plain
 * number.
 *
 * Design (memcached-style):
 * - Memory comes in 1 MiB pages (`Buffer.allocUnsafeSlow`, so no zero-fill and
 *   no pooling: an untouched page tail is virtual memory only, not RSS).
 * - Every page belongs to one size class. A class hands out chunks from its
 *   current page with a bump pointer, and recycles freed chunks through an
 *   intrusive LIFO free list: the address of the next free chunk is written
 *   into the first 8 bytes of the freed chunk (as a float64), so the free list
 *   costs no memory of its own. Hence the smallest class is 8 bytes.
 * - An address is the JS number `page * 2^20 + offset`. It stays an exact
 *   integer far beyond any realistic heap (2^53), and splitting it back is a
 *   division by a power of two.
 * - The caller passes the size again on free() (it knows it: record lengths
 *   live in the entry table), so chunks need no header.
 *
 * Size classes: 8-byte steps up to 128, then 8 classes per doubling
 * (16-byte steps to 256, 32 to 512, ... 1024 to 16 KiB): 72 classes.
 * Why: records are key+value, arbitrary lengths dominated by short keys and
 * short values, so fine steps at the low end keep internal waste under 8 bytes
 * exactly where most records live (jemalloc, which Redis uses, rounds 17..32 up
 * to 32 and 33..48 up to 48). Above 256 the worst-case waste is 1/9 (~11%),
 * ~6% on average. Many classes are cheap here: the only per-class overhead is
 * one partly carved page, and its untouched tail is not resident.
 * The largest class is 16 KiB (64 per page); bigger records are stored by the
 * Db as standalone Buffers, where per-object overhead is negligible.
 *
 * Known limitation (same as memcached): a page never moves to another class
 * and is never returned to the OS except by reset(), so a workload that shifts
 * from small to large records keeps the small-class pages as free lists
 * ("slab calcification"). Free chunks are reused by the same class, so
 * steady-state overwrite workloads do not grow.
 */

export const PAGE_SHIFT = 20;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
/** Largest record size the slab stores; callers keep larger data elsewhere. */
export const MAX_CHUNK = 16384;

/** Chunk sizes per class, ascending. Exported for tests and stats. */
export const CLASS_SIZES: readonly number[] = buildClasses();

function buildClasses(): number[] {
  const out: number[] = [];
  for (let s = 8; s <= 128; s += 8) out.push(s);
  // From 128 on, 8 classes per doubling: step = base / 8.
  for (let base = 128; base < MAX_CHUNK; base *= 2) {
    const step = base / 8;
    for (let s = base + step; s <= base * 2; s += step) out.push(s);
  }
  return out;
}

/** classBySlot[(size + 7) >> 3] = class index; O(1) size-to-class lookup. */
const CLASS_BY_SLOT: Uint8Array = (() => {
  const t = new Uint8Array((MAX_CHUNK >> 3) + 1);
  let c = 0;
  for (let slot = 0; slot < t.length; slot++) {
    const size = slot << 3;
    while (CLASS_SIZES[c] < size) c++;
    t[slot] = c;
  }
  return t;
})();

/** Chunk size that a record of `size` bytes occupies (0 for size 0). */
export function chunkSize(size: number): number {
  return size === 0 ? 0 : CLASS_SIZES[CLASS_BY_SLOT[(size + 7) >> 3]];
}

/** Class index for a size in 1..MAX_CHUNK. */
export function classOf(size: number): number {
  return CLASS_BY_SLOT[(size + 7) >> 3];
}

export interface SlabClassStats {
  size: number;
  pages: number;
  live: number;
  free: number;
}

export class SlabAllocator {
  /** Page buffers; `pages[addr / PAGE_SIZE | 0]`. Never shrinks except reset(). */
  pages: Buffer[] = [];
  /** The pages' ArrayBuffers (byteOffset 0), so views can be made without the `.buffer` getter. */
  pageBuffers: ArrayBuffer[] = [];
  /** Float64 view per page, used only to read/write free-list links. */
  private links: Float64Array[] = [];
  /** Per class: head of the free list (an address) or -1. */
  private freeHead = new Float64Array(CLASS_SIZES.length).fill(-1);
  /** Per class: page being carved (-1 none) and the next unused offset in it. */
  private curPage = new Int32Array(CLASS_SIZES.length).fill(-1);
  private curOff = new Int32Array(CLASS_SIZES.length);
  /** Per class stats: live chunks, chunks on the free list, pages owned. */
  private liveChunks = new Float64Array(CLASS_SIZES.length);
  private freeChunks = new Float64Array(CLASS_SIZES.length);
  private classPages = new Int32Array(CLASS_SIZES.length);
  /** Sum of chunk sizes of live allocations. */
  bytesUsed = 0;

  /** Bytes held in pages (what the allocator costs the process). */
  get bytesInPages(): number {
    return this.pages.length * PAGE_SIZE;
  }

  /**
   * Allocate a chunk for `size` bytes (1..MAX_CHUNK; 0 is treated as 1).
   * Returns its address. The contents are garbage.
   */
  alloc(size: number): number {
    if (size > MAX_CHUNK) throw new RangeError(`slab alloc ${size} > ${MAX_CHUNK}`);
    const cls = CLASS_BY_SLOT[(size + 7) >> 3];
    const csize = CLASS_SIZES[cls];
    this.liveChunks[cls]++;
    this.bytesUsed += csize;
    const head = this.freeHead[cls];
    if (head >= 0) {
      const page = (head / PAGE_SIZE) | 0;
      const off = head - page * PAGE_SIZE;
      this.freeHead[cls] = this.links[page][off >> 3];
      this.freeChunks[cls]--;
      return head;
    }
    let page = this.curPage[cls];
    let off = this.curOff[cls];
    if (page < 0 || off + csize > PAGE_SIZE) {
      page = this.newPage();
      this.classPages[cls]++;
      this.curPage[cls] = page;
      off = 0;
    }
    this.curOff[cls] = off + csize;
    return page * PAGE_SIZE + off;
  }

  /** Return a chunk. `size` must be the size passed to alloc (same class). */
  free(addr: number, size: number): void {
    const cls = CLASS_BY_SLOT[(size + 7) >> 3];
    const page = (addr / PAGE_SIZE) | 0;
    const off = addr - page * PAGE_SIZE;
    this.links[page][off >> 3] = this.freeHead[cls];
    this.freeHead[cls] = addr;
    this.liveChunks[cls]--;
    this.freeChunks[cls]++;
    this.bytesUsed -= CLASS_SIZES[cls];
  }

  /** True if records of sizes a and b occupy the same class (can reuse in place). */
  sameClass(a: number, b: number): boolean {
    return CLASS_BY_SLOT[(a + 7) >> 3] === CLASS_BY_SLOT[(b + 7) >> 3];
  }

  /** Page buffer holding `addr`. */
  buf(addr: number): Buffer {
    return this.pages[(addr / PAGE_SIZE) | 0];
  }

  /** Offset of `addr` inside its page. */
  off(addr: number): number {
    return addr % PAGE_SIZE;
  }

  /**
   * Drop every page. All addresses become invalid. Used by FLUSHALL, where
   * freeing records one by one would be wasted work. Views handed out earlier
   * keep their page alive (GC-safe) but no longer alias live data.
   */
  reset(): void {
    this.pages = [];
    this.pageBuffers = [];
    this.links = [];
    this.freeHead.fill(-1);
    this.curPage.fill(-1);
    this.curOff.fill(0);
    this.liveChunks.fill(0);
    this.freeChunks.fill(0);
    this.classPages.fill(0);
    this.bytesUsed = 0;
  }

  /** Per-class breakdown, only classes that own pages (for MEMORY/DEBUG). */
  stats(): SlabClassStats[] {
    const out: SlabClassStats[] = [];
    for (let c = 0; c < CLASS_SIZES.length; c++) {
      if (this.classPages[c] === 0) continue;
      out.push({ size: CLASS_SIZES[c], pages: this.classPages[c], live: this.liveChunks[c], free: this.freeChunks[c] });
    }
    return out;
  }

  private newPage(): number {
    const p = Buffer.allocUnsafeSlow(PAGE_SIZE);
    // allocUnsafeSlow gives the Buffer its own ArrayBuffer starting at 0, so an
    // aligned Float64Array view over the whole page is always possible.
    this.links.push(new Float64Array(p.buffer, p.byteOffset, PAGE_SIZE >> 3));
    this.pages.push(p);
    this.pageBuffers.push(p.buffer as ArrayBuffer);
    return this.pages.length - 1;
  }
}
