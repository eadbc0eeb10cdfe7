import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLASS_SIZES, MAX_CHUNK, PAGE_SIZE, SlabAllocator, chunkSize, classOf } from '../../src/store/slab.js';

/** Small deterministic PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

test('size classes are ascending multiples of 8 ending at MAX_CHUNK', () => {
  assert.equal(CLASS_SIZES[0], 8);
  assert.equal(CLASS_SIZES[CLASS_SIZES.length - 1], MAX_CHUNK);
  for (let i = 1; i < CLASS_SIZES.length; i++) {
    assert.ok(CLASS_SIZES[i] > CLASS_SIZES[i - 1]);
    assert.equal(CLASS_SIZES[i] % 8, 0);
    // Worst-case internal waste stays below 1/8 of the chunk above 128 bytes.
    if (CLASS_SIZES[i] > 128) assert.ok((CLASS_SIZES[i] - CLASS_SIZES[i - 1]) / CLASS_SIZES[i] <= 1 / 8);
  }
  assert.ok(CLASS_SIZES.length < 256);
});

test('chunkSize picks the smallest class that fits', () => {
  assert.equal(chunkSize(0), 0);
  for (let size = 1; size <= MAX_CHUNK; size++) {
    const c = chunkSize(size);
    assert.ok(c >= size, `size ${size} -> ${c}`);
    const cls = classOf(size);
    assert.equal(CLASS_SIZES[cls], c);
    if (cls > 0) assert.ok(CLASS_SIZES[cls - 1] < size);
  }
  assert.equal(chunkSize(32), 32);
  assert.equal(chunkSize(33), 40);
});

test('alloc rejects sizes above MAX_CHUNK', () => {
  const slab = new SlabAllocator();
  assert.throws(() => slab.alloc(MAX_CHUNK + 1), RangeError);
});

test('chunks do not overlap and keep their contents across random alloc/free', () => {
  const slab = new SlabAllocator();
  const rand = rng(42);
  const live = new Map<number, { size: number; tag: number }>();
  let tag = 0;
  const fill = (addr: number, size: number, t: number): void => {
    const b = slab.buf(addr);
    const o = slab.off(addr);
    for (let i = 0; i < size; i++) b[o + i] = (t + i * 31) & 0xff;
  };
  const check = (addr: number, size: number, t: number): void => {
    const b = slab.buf(addr);
    const o = slab.off(addr);
    for (let i = 0; i < size; i++) if (b[o + i] !== ((t + i * 31) & 0xff)) assert.fail(`chunk ${addr} corrupted at ${i}`);
  };
  for (let op = 0; op < 60000; op++) {
    if (live.size > 0 && rand() < 0.45) {
      // free a random live chunk
      const keys = [...live.keys()];
      const addr = keys[Math.floor(rand() * keys.length)];
      const e = live.get(addr)!;
      check(addr, e.size, e.tag);
      slab.free(addr, e.size);
      live.delete(addr);
    } else {
      const r = rand();
      const size = r < 0.7 ? 1 + Math.floor(rand() * 128) : r < 0.95 ? 1 + Math.floor(rand() * 2048) : 1 + Math.floor(rand() * MAX_CHUNK);
      const addr = slab.alloc(size);
      assert.ok(!live.has(addr), 'address handed out twice');
      const page = Math.floor(addr / PAGE_SIZE);
      assert.ok(page < slab.pages.length);
      assert.ok(slab.off(addr) + chunkSize(size) <= PAGE_SIZE, 'chunk crosses a page end');
      assert.equal(slab.off(addr) % 8, 0);
      tag++;
      fill(addr, size, tag);
      live.set(addr, { size, tag });
    }
    if (op % 5000 === 0) {
      let used = 0;
      for (const [addr, e] of live) {
        check(addr, e.size, e.tag);
        used += chunkSize(e.size);
      }
      assert.equal(slab.bytesUsed, used);
    }
  }
  let used = 0;
  for (const [addr, e] of live) {
    check(addr, e.size, e.tag);
    used += chunkSize(e.size);
  }
  assert.equal(slab.bytesUsed, used);
  const stats = slab.stats();
  assert.equal(stats.reduce((n, s) => n + s.live, 0), live.size);
  assert.equal(stats.reduce((n, s) => n + s.pages, 0), slab.pages.length);
});

test('freed chunks are reused: repeated alloc/free cycles do not add pages', () => {
  const slab = new SlabAllocator();
  const sizes = [8, 16, 17, 32, 100, 1000, 5000, MAX_CHUNK];
  const round = (): number[] => {
    const addrs: number[] = [];
    for (let i = 0; i < 20000; i++) addrs.push(slab.alloc(sizes[i % sizes.length]));
    return addrs;
  };
  const first = round();
  const pages = slab.bytesInPages;
  for (let r = 0; r < 5; r++) {
    const addrs = r === 0 ? first : round();
    for (let i = 0; i < addrs.length; i++) slab.free(addrs[i], sizes[i % sizes.length]);
    assert.equal(slab.bytesUsed, 0);
  }
  round();
  assert.equal(slab.bytesInPages, pages);
});

test('free list is LIFO per class and does not mix classes', () => {
  const slab = new SlabAllocator();
  const a = slab.alloc(20);
  const b = slab.alloc(20);
  const c = slab.alloc(200);
  slab.free(a, 20);
  slab.free(b, 24); // same class as 20
  slab.free(c, 200);
  assert.equal(slab.alloc(17), b);
  assert.equal(slab.alloc(24), a);
  assert.notEqual(slab.alloc(24), c);
  assert.equal(slab.alloc(199), c);
  assert.ok(slab.sameClass(17, 24));
  assert.ok(!slab.sameClass(24, 25));
});

test('a page holds many chunks and a new page starts when it is full', () => {
  const slab = new SlabAllocator();
  const per = Math.floor(PAGE_SIZE / MAX_CHUNK);
  for (let i = 0; i < per; i++) slab.alloc(MAX_CHUNK);
  assert.equal(slab.pages.length, 1);
  slab.alloc(MAX_CHUNK);
  assert.equal(slab.pages.length, 2);
  slab.alloc(8);
  assert.equal(slab.pages.length, 3, 'each class carves its own page');
  assert.equal(slab.bytesInPages, 3 * PAGE_SIZE);
});

test('reset drops all pages and starts over', () => {
  const slab = new SlabAllocator();
  for (let i = 0; i < 1000; i++) slab.alloc(100);
  slab.reset();
  assert.equal(slab.pages.length, 0);
  assert.equal(slab.bytesUsed, 0);
  assert.equal(slab.stats().length, 0);
  const a = slab.alloc(100);
  assert.equal(a, 0);
});
