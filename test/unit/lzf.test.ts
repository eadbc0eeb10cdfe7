import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LzfError, lzfCompress, lzfCompressForRdb, lzfDecompress } from '../../src/persistence/lzf.js';
import { vectorFiles } from '../helpers/rdb-json.js';

/** Every LZF-encoded RDB string (c3 clen ulen data) found in a file: [compressed, ulen]. */
function lzfStringsIn(file: Buffer): Array<[Buffer, number]> {
  const out: Array<[Buffer, number]> = [];
  const len = (p: number): [number, number] => {
    const f = file[p]!;
    if (f >>> 6 === 0) return [f & 0x3f, 1];
    if (f >>> 6 === 1) return [((f & 0x3f) << 8) | file[p + 1]!, 2];
    if (f === 0x80) return [file.readUInt32BE(p + 1), 5];
    return [-1, 0];
  };
  for (let i = 0; i + 3 < file.length; i++) {
    if (file[i] !== 0xc3) continue;
    const [clen, a] = len(i + 1);
    if (clen <= 0) continue;
    const [ulen, b] = len(i + 1 + a);
    const start = i + 1 + a + b;
    if (ulen <= 0 || start + clen > file.length) continue;
    try {
      lzfDecompress(file, start, start + clen, ulen);
      out.push([file.subarray(start, start + clen), ulen]);
    } catch {
      // a 0xC3 byte that is not the start of an LZF string
    }
  }
  return out;
}

test('decompresses the spec example (vector 02: 64 x "a")', () => {
  const c = Buffer.from('01616 1e0330001 6161'.replace(/ /g, ''), 'hex');
  assert.equal(lzfDecompress(c, 0, c.length, 64).toString('latin1'), 'a'.repeat(64));
});

test('every LZF string of the vectors decompresses and re-compresses to something that round-trips', () => {
  let found = 0;
  for (const v of vectorFiles()) {
    for (const [c, ulen] of lzfStringsIn(v.rdb)) {
      const plain = lzfDecompress(c, 0, c.length, ulen);
      assert.equal(plain.length, ulen);
      const again = lzfCompress(plain, 0, plain.length, plain.length + 64);
      assert.ok(again !== null);
      assert.deepEqual(lzfDecompress(again, 0, again.length, ulen), plain);
      found++;
    }
  }
  assert.ok(found >= 3, 'expected LZF strings in vectors 02, 04 and 05, found ' + found);
});

test('round trips of random, repetitive and mixed data of many sizes', () => {
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  for (let iter = 0; iter < 400; iter++) {
    const n = 1 + rnd(iter < 350 ? 600 : 70000);
    const b = Buffer.alloc(n);
    const alphabet = 1 + rnd(iter % 3 === 0 ? 256 : 4);
    for (let i = 0; i < n; i++) b[i] = rnd(4) === 0 ? rnd(256) : 97 + rnd(alphabet);
    const c = lzfCompress(b, 0, n, n + 64);
    assert.ok(c !== null);
    assert.deepEqual(lzfDecompress(c, 0, c.length, n), b);
  }
  // Long runs use the longest back references and distances near 8192.
  const big = Buffer.alloc(200000, 0x61);
  for (let i = 0; i < big.length; i += 9000) big[i] = 0x62;
  const c = lzfCompress(big, 0, big.length, big.length)!;
  assert.ok(c.length < 10000);
  assert.deepEqual(lzfDecompress(c, 0, c.length, big.length), big);
});

test("Redis's rule: only strings over 20 bytes, only when it saves at least 4 bytes", () => {
  assert.equal(lzfCompressForRdb(Buffer.alloc(20, 0x61)), null);
  assert.ok(lzfCompressForRdb(Buffer.alloc(21, 0x61)) !== null);
  const noise = Buffer.from(Array.from({ length: 100 }, (_v, i) => (i * 151 + 7) & 0xff));
  const c = lzfCompressForRdb(noise);
  assert.ok(c === null || c.length <= noise.length - 4);
  const c2 = lzfCompressForRdb(Buffer.alloc(64, 0x61))!;
  assert.ok(c2.length <= 60);
});

test('corrupt input is an LzfError, never an out-of-range access', () => {
  const good = lzfCompress(Buffer.from('hello hello hello hello hello'), 0, 29, 100)!;
  assert.throws(() => lzfDecompress(good, 0, good.length, 28), LzfError); // too long for ulen
  assert.throws(() => lzfDecompress(good, 0, good.length, 30), LzfError); // too short
  assert.throws(() => lzfDecompress(Buffer.from([0x05, 0x61]), 0, 2, 6), LzfError); // literal past the end
  assert.throws(() => lzfDecompress(Buffer.from([0x00, 0x61, 0x20, 0x05]), 0, 4, 4), LzfError); // reference before start
  assert.throws(() => lzfDecompress(Buffer.from([0xe0]), 0, 1, 9), LzfError); // truncated reference
  assert.throws(() => lzfDecompress(Buffer.from([0x00, 0x61]), 0, 2, 1000), LzfError); // impossible ratio
  let seed = 7;
  for (let i = 0; i < 3000; i++) {
    seed = (Math.imul(seed, 69069) + 1) >>> 0;
    const b = Buffer.from(good);
    b[seed % b.length] ^= 1 << (seed >>> 29);
    try {
      lzfDecompress(b, 0, b.length, 29);
    } catch (e) {
      assert.ok(e instanceof LzfError);
    }
  }
});
