/**
 * HLL core (src/util/hll-core.ts) without a server. Expected values were observed on
 * redis-server 7.0.15: register index and value of an element come from PFADD into an empty
 * key followed by PFDEBUG DECODE ("Z:<index> v:<value>,1 ..."), sparse layouts from PFDEBUG
 * DECODE after the listed PFADDs, estimates from PFCOUNT of crafted dense strings.
 */

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  HLL_DENSE_SIZE,
  HLL_HDR,
  HLL_REGISTERS,
  HllWork,
  CARD_OVERFLOW,
  cacheValid,
  cachedCard,
  denseGet,
  denseSet,
  denseToRegs,
  estimate,
  hashHi,
  hashLo,
  hllCount,
  hllPatLen,
  isHllString,
  mergeInto,
  murmur64a,
  newSparseHll,
  sparseDescribe,
  sparseToDense,
  storeCard,
} from '../../src/util/hll-core.js';
import { hllSelfTest } from '../../src/util/hll-selftest.js';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const ab = (n: number): Buffer => Buffer.from('abcdefghijklmnopqrstuvwxyz'.slice(0, n), 'latin1');

/** [element, register index, register value] as redis-server 7.0.15 computes them. */
const REDIS_VECTORS: Array<[Buffer, number, number]> = [
  [ab(0), 5938, 2],
  [ab(1), 12711, 2],
  [ab(2), 719, 1],
  [ab(3), 9474, 1],
  [ab(4), 11070, 8],
  [ab(5), 3726, 4],
  [ab(6), 13647, 2],
  [ab(7), 5634, 2],
  [ab(8), 1383, 1],
  [ab(9), 6903, 1],
  [ab(10), 12228, 1],
  [ab(11), 14121, 1],
  [ab(12), 9695, 5],
  [ab(13), 9157, 1],
  [ab(14), 5697, 2],
  [ab(15), 12377, 4],
  [ab(16), 9328, 1],
  [ab(17), 4271, 1],
  [Buffer.from('hello world'), 9399, 4],
  [Buffer.from('0'), 13225, 4],
  [Buffer.from('1'), 7527, 1],
  [Buffer.from('12345678'), 10579, 3],
  [Buffer.from('The quick brown fox jumps over the lazy dog'), 6862, 4],
  [hex('00'), 8840, 2],
  [hex('ff'), 10599, 1],
  [hex('ffffffffffffffff'), 13333, 2],
  [hex('800000000000008001'), 6655, 1],
  [Buffer.alloc(100, 0xab), 13454, 1],
  [Buffer.from(Array.from({ length: 255 }, (_, i) => i)), 11483, 1],
  [Buffer.from('element:0'), 8322, 1],
  [Buffer.from('element:7919'), 777, 4],
  [Buffer.from('element:23757'), 3357, 5],
  [Buffer.from('element:63352'), 6208, 4],
  // High register values exercise the upper hash bits.
  [Buffer.from('hi:2425686'), 953, 17],
  [Buffer.from('hi:2475052'), 9589, 18],
  [Buffer.from('hi:1080559'), 7715, 19],
  [Buffer.from('hi:1487040'), 9129, 19],
  [Buffer.from('hi:2422482'), 11858, 19],
];

// BigInt MurmurHash64A, written straight from the algorithm, to check the 32-bit-halves code.
function murmurReference(data: Uint8Array, seed: bigint): bigint {
  const M = 0xc6a4a7935bd1e995n;
  const mask = (1n << 64n) - 1n;
  const len = data.length;
  let h = (seed ^ (BigInt(len) * M)) & mask;
  const blocks = len - (len % 8);
  for (let i = 0; i < blocks; i += 8) {
    let k = 0n;
    for (let j = 7; j >= 0; j--) k = (k << 8n) | BigInt(data[i + j]!);
    k = (k * M) & mask;
    k ^= k >> 47n;
    k = (k * M) & mask;
    h ^= k;
    h = (h * M) & mask;
  }
  const rem = len % 8;
  if (rem > 0) {
    for (let j = rem - 1; j >= 0; j--) h ^= BigInt(data[blocks + j]!) << BigInt(8 * j);
    h = (h * M) & mask;
  }
  h ^= h >> 47n;
  h = (h * M) & mask;
  h ^= h >> 47n;
  return h;
}

describe('MurmurHash64A and register selection', () => {
  test('index and value match redis-server for known elements', () => {
    for (const [el, index, value] of REDIS_VECTORS) {
      const pl = hllPatLen(el, 0, el.length);
      assert.deepEqual([pl >>> 6, pl & 63], [index, value], 'element ' + el.toString('hex'));
    }
  });

  test('32-bit-halves implementation equals a BigInt reference', () => {
    for (let i = 0; i < 2000; i++) {
      const data = randomBytes(i % 50);
      murmur64a(data, 0, data.length, 0xadc83b19);
      const got = (BigInt(hashHi >>> 0) << 32n) | BigInt(hashLo >>> 0);
      assert.equal(got, murmurReference(data, 0xadc83b19n), 'input ' + data.toString('hex'));
    }
  });

  test('hashes the given slice only', () => {
    const buf = Buffer.from('xxhello worldyy');
    const pl = hllPatLen(buf, 2, 13);
    assert.deepEqual([pl >>> 6, pl & 63], [9399, 4]);
  });
});

describe('layout', () => {
  test('a new HLL is the 18-byte sparse string Redis creates', () => {
    assert.deepEqual(newSparseHll(), hex('48594c4c' + '01000000' + '0000000000000000' + '7fff'));
  });

  test('type check: magic, encoding, dense size', () => {
    const dense = Buffer.alloc(HLL_DENSE_SIZE);
    dense.write('HYLL', 'latin1');
    assert.ok(isHllString(dense));
    assert.ok(!isHllString(dense.subarray(0, HLL_DENSE_SIZE - 1)));
    assert.ok(!isHllString(Buffer.concat([dense, Buffer.alloc(1)])));
    assert.ok(isHllString(newSparseHll()));
    assert.ok(isHllString(newSparseHll().subarray(0, 16)), 'a bare sparse header passes the type check');
    assert.ok(!isHllString(newSparseHll().subarray(0, 15)));
    const enc2 = newSparseHll();
    enc2[4] = 2;
    assert.ok(!isHllString(enc2));
    const lower = newSparseHll();
    lower[0] = 0x68;
    assert.ok(!isHllString(lower));
  });

  test('cached cardinality: little endian, top bit of byte 15 = invalid', () => {
    const h = newSparseHll();
    assert.ok(cacheValid(h));
    storeCard(h, 0x0102030405);
    assert.equal(h.subarray(8, 16).toString('hex'), '0504030201000000');
    assert.equal(cachedCard(h), 0x0102030405);
    h.set(hex('ffffffffffffff7f'), 8);
    assert.equal(cachedCard(h), 0x7fffffffffffffffn);
    storeCard(h, CARD_OVERFLOW);
    assert.equal(h.subarray(8, 16).toString('hex'), '0000000000000080');
    assert.ok(!cacheValid(h));
  });

  test('dense registers: 6 bits each, packed LSB first, neighbours untouched', () => {
    const buf = new Uint8Array(HLL_DENSE_SIZE + 1);
    buf[HLL_DENSE_SIZE] = 0x5a;
    denseSet(buf, HLL_HDR, 0, 63);
    assert.equal(buf[HLL_HDR], 63);
    denseSet(buf, HLL_HDR, 1, 1);
    assert.deepEqual([buf[HLL_HDR], buf[HLL_HDR + 1]], [0x7f, 0]);
    denseSet(buf, HLL_HDR, HLL_REGISTERS - 1, 63);
    assert.equal(buf[HLL_DENSE_SIZE - 1], 0xfc);
    assert.equal(buf[HLL_DENSE_SIZE], 0x5a, 'the last register write stays inside the string');
    const shadow = new Uint8Array(HLL_REGISTERS);
    shadow[0] = 63;
    shadow[1] = 1;
    shadow[HLL_REGISTERS - 1] = 63;
    for (let k = 0; k < 50000; k++) {
      const i = (k * 7919) % HLL_REGISTERS;
      const v = (k * 31) & 63;
      denseSet(buf, HLL_HDR, i, v);
      shadow[i] = v;
    }
    const regs = new Uint8Array(HLL_REGISTERS);
    denseToRegs(buf, regs);
    for (let i = 0; i < HLL_REGISTERS; i++) assert.equal(denseGet(buf, HLL_HDR, i), shadow[i]);
    assert.deepEqual(regs, shadow);
    for (let i = 0; i < HLL_HDR; i++) assert.equal(buf[i], 0);
  });
});

/** Adds elements to a fresh sparse HLL the way PFADD does. */
function addAll(els: string[], maxSparse = 3000): HllWork {
  const w = new HllWork();
  w.load(newSparseHll());
  for (const e of els) {
    const b = Buffer.from(e, 'latin1');
    const pl = hllPatLen(b, 0, b.length);
    assert.ok(w.set(pl >>> 6, pl & 63, maxSparse) >= 0);
  }
  return w;
}

describe('sparse encoding', () => {
  // Elements n843 .. hit registers 200-206 with small values (see the lists for which).
  test('splitting runs and merging equal neighbours match PFDEBUG DECODE', () => {
    const cases: Array<[string[], string]> = [
      [['a', 'b', 'c', 'd', 'e', 'f', 'g'], 'Z:1646 v:1,1 Z:5645 v:1,1 Z:1085 v:2,1 z:57 v:1,1 Z:4274 v:2,1 Z:2445 v:1,1 Z:622 v:1,1 Z:603'],
      [['n843', 'n28861', 'n44890', 'n43456', 'n12917', 'n82764'], 'Z:200 v:1,4 v:1,2 Z:16178'],
      [['n29022', 'n92634', 'n44275', 'n20763', 'n12917', 'n10565'], 'Z:200 v:2,4 v:2,1 Z:16179'],
      [['n82764', 'n843', 'n95310', 'n28861', 'n43456', 'n12917', 'n44890'], 'Z:200 v:1,2 v:3,1 v:1,3 Z:16178'],
      [['n52194', 'n16644', 'n95310', 'n69461', 'n44275', 'n28861', 'n12120', 'n175233', 'n103486'], 'Z:200 v:3,4 v:3,3 Z:16177'],
    ];
    for (const [els, expected] of cases) assert.equal(sparseDescribe(addAll(els).view()), expected, els.join(' '));
  });

  test('a changed register invalidates the cache; an unchanged one does not', () => {
    const w = addAll([]);
    assert.ok(cacheValid(w.view()));
    const b = Buffer.from('a');
    const pl = hllPatLen(b, 0, 1);
    assert.equal(w.set(pl >>> 6, pl & 63, 3000), 1);
    assert.ok(!cacheValid(w.view()));
    storeCard(w.buf, 1);
    assert.equal(w.set(pl >>> 6, pl & 63, 3000), 0);
    assert.ok(cacheValid(w.view()));
  });

  test('promotion to dense past hll-sparse-max-bytes keeps the registers', () => {
    const els = Array.from({ length: 300 }, (_, i) => 'p' + i);
    const sparse = addAll(els, 1e9);
    const promoted = addAll(els, 100);
    assert.equal(sparse.view()[4], 1);
    assert.equal(promoted.view().length, HLL_DENSE_SIZE);
    assert.equal(promoted.view()[4], 0);
    const dense = sparseToDense(sparse.view(), sparse.len)!;
    assert.deepEqual(dense.subarray(HLL_HDR), promoted.view().subarray(HLL_HDR));
    assert.equal(hllCount(sparse.view()), hllCount(promoted.view()));
  });

  test('a register value above 32 forces the dense form', () => {
    const w = addAll(['x']);
    assert.equal(w.set(77, 33, 3000), 1);
    assert.equal(w.len, HLL_DENSE_SIZE);
    assert.equal(denseGet(w.buf, HLL_HDR, 77), 33);
  });

  test('runs that do not cover exactly 16384 registers are corrupt', () => {
    const short = hex('48594c4c010000000000000000000000' + '7ffe');
    const long = hex('48594c4c010000000000000000000000' + '7fff80');
    const regs = new Uint8Array(HLL_REGISTERS);
    for (const bad of [short, long, newSparseHll().subarray(0, 16)]) {
      assert.equal(hllCount(bad), -1);
      assert.equal(sparseToDense(bad, bad.length), null);
      assert.equal(mergeInto(regs, bad), false);
    }
    // PFADD only walks up to the register it changes, so it can still succeed on them.
    const w = new HllWork();
    w.load(long);
    assert.equal(w.set(5, 1, 3000), 1);
    w.load(newSparseHll().subarray(0, 16));
    assert.equal(w.set(5, 1, 3000), -1);
  });
});

describe('estimator', () => {
  /** Histogram of a crafted dense HLL whose register i holds f(i). */
  function histo(f: (i: number) => number): Float64Array {
    const h = new Float64Array(64);
    for (let i = 0; i < HLL_REGISTERS; i++) h[f(i)]++;
    return h;
  }

  test('matches PFCOUNT of crafted registers on redis-server', () => {
    assert.equal(estimate(histo(() => 0)), 0);
    assert.equal(estimate(histo((i) => (i === 5 ? 1 : 0))), 1);
    assert.equal(estimate(histo((i) => (i % 1000 === 0 ? 7 : 0))), 17);
    assert.equal(estimate(histo(() => 1)), 23637);
    assert.equal(estimate(histo((i) => (i & 1 ? 51 : 0))), 13268);
    assert.equal(estimate(histo((i) => (i < 37 ? 51 : 3))), 94762);
    assert.equal(estimate(histo((i) => (i < 3 ? 51 : 40))), 12997020748027478);
  });

  test('all registers at 51 or above: INT64_MIN in Redis', () => {
    assert.equal(estimate(histo(() => 51)), CARD_OVERFLOW);
    assert.equal(estimate(histo(() => 63)), CARD_OVERFLOW);
  });

  test('relative error stays small for growing cardinalities', () => {
    const w = new HllWork();
    w.load(newSparseHll());
    const el = Buffer.alloc(16);
    for (let n = 1; n <= 100000; n++) {
      const len = el.write('card:' + n, 'latin1');
      const pl = hllPatLen(el, 0, len);
      w.set(pl >>> 6, pl & 63, 3000);
      if (n === 10 || n === 100 || n === 1000 || n === 10000 || n === 100000) {
        const e = hllCount(w.view());
        assert.ok(Math.abs(e - n) / n < 0.05, n + ' estimated as ' + e);
      }
    }
  });
});

test('PFSELFTEST checks pass', () => {
  assert.equal(hllSelfTest(), null);
});
