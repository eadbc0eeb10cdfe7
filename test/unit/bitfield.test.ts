/**
 * Pure helpers of the string and bitmap families: bit reading/writing, popcount, bit search,
 * BITFIELD type parsing and overflow arithmetic (vectors observed on redis-server 7.0.15), the
 * allocation-free option matcher, and string growth with spare capacity on a real Db.
 */

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  OVERFLOW_FAIL,
  OVERFLOW_SAT,
  OVERFLOW_WRAP,
  bitAt,
  bitfieldApply,
  findBit,
  parseBitfieldType,
  popcountBits,
  popcountBytes,
  readField,
  writeField,
} from '../../src/commands/bitmap.js';
import { createZeroString, eqi, growString } from '../../src/commands/string.js';
import { Db, TYPE_STRING } from '../../src/store/db.js';
import { SlabAllocator } from '../../src/store/slab.js';

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

function bitsOf(buf: Uint8Array): string {
  let s = '';
  for (const b of buf) s += b.toString(2).padStart(8, '0');
  return s;
}

describe('bit access', () => {
  test('bitAt numbers bits from the MSB of byte 0 and reads zeros past the end', () => {
    const b = Buffer.from([0b10100000, 0b00000001]);
    assert.deepEqual([0, 1, 2, 3, 15, 16, 1000, 2 ** 40].map((p) => bitAt(b, p)), [1, 0, 1, 0, 1, 0, 0, 0]);
  });

  test('readField / writeField round-trip every width at unaligned offsets', () => {
    for (let bits = 1; bits <= 64; bits++) {
      for (const off of [0, 1, 3, 7, 8, 13]) {
        const buf = Buffer.alloc(12, 0xa5);
        const before = bitsOf(buf);
        const max = (1n << BigInt(bits)) - 1n;
        for (const v of [0n, 1n, max, max >> 1n, (0x123456789abcdefn * 7n) & max]) {
          writeField(buf, off, bits, v);
          assert.equal(readField(buf, off, bits), v, `bits ${bits} off ${off}`);
          // Bits outside the field are untouched.
          const after = bitsOf(buf);
          assert.equal(after.slice(0, off), before.slice(0, off));
          assert.equal(after.slice(off + bits), before.slice(off + bits));
        }
      }
    }
  });

  test('readField past the end reads zeros', () => {
    assert.equal(readField(Buffer.from([0xff]), 4, 8), 0xf0n);
    assert.equal(readField(Buffer.alloc(0), 100, 64), 0n);
  });
});

describe('popcount and bit search', () => {
  const rnd = (() => {
    let s = 42;
    return () => (s = (s * 1103515245 + 12345) % 2147483648) & 0xff;
  })();
  const buf = Buffer.from(Array.from({ length: 67 }, () => rnd()));
  const naiveCount = (from: number, to: number) => {
    let n = 0;
    for (let p = from; p <= to; p++) n += bitAt(buf, p);
    return n;
  };

  test('popcountBytes / popcountBits equal a bit-by-bit count', () => {
    for (let from = 0; from < 40; from++) {
      for (let to = from; to < 67; to += 3) assert.equal(popcountBytes(buf, from, to), naiveCount(from * 8, to * 8 - 1));
    }
    for (let from = 0; from < 100; from += 7) {
      for (let to = from; to < 67 * 8; to += 11) assert.equal(popcountBits(buf, from, to), naiveCount(from, to), `${from}..${to}`);
    }
  });

  test('findBit equals a linear scan', () => {
    const runs = Buffer.concat([Buffer.alloc(9, 0xff), Buffer.from([0xfb]), Buffer.alloc(7), Buffer.from([0x02]), buf]);
    for (const bit of [0, 1]) {
      for (let from = 0; from < 200; from += 5) {
        for (let to = from; to < runs.length * 8; to += 13) {
          let want = -1;
          for (let p = from; p <= to; p++) {
            if (bitAt(runs, p) === bit) {
              want = p;
              break;
            }
          }
          assert.equal(findBit(runs, from, to, bit), want, `bit ${bit} ${from}..${to}`);
        }
      }
    }
  });
});

describe('BITFIELD types and overflow', () => {
  test('parseBitfieldType', () => {
    const t = (s: string) => parseBitfieldType(Buffer.from(s, 'latin1'));
    assert.equal(t('u8'), 8);
    assert.equal(t('i8'), -8);
    assert.equal(t('i64'), -64);
    assert.equal(t('u63'), 63);
    assert.equal(t('i1'), -1);
    assert.equal(t('u1'), 1);
    for (const bad of ['u64', 'i65', 'u0', 'i0', 'U8', 'I8', 'x8', 'u08', 'u+8', 'u-1', 'u', 'i', '', 'u8 ', 'u99999999999999999999']) {
      assert.equal(t(bad), 0, bad);
    }
  });

  test('SET: unsigned takes the value as uint64, signed saturates by sign (vectors from redis)', () => {
    const set = (signed: boolean, bits: number, v: bigint, ow: number) => bitfieldApply(signed, bits, 0n, v, false, ow);
    const values = [-1n, 300n, -300n, 127n, 128n, -128n, -129n, I64_MAX, I64_MIN];
    const want: Array<[boolean, number, Array<bigint | null>]> = [
      [false, OVERFLOW_WRAP, [255n, 44n, 212n, 127n, 128n, 128n, 127n, 255n, 0n]],
      [true, OVERFLOW_WRAP, [-1n, 44n, -44n, 127n, -128n, -128n, 127n, -1n, 0n]],
      [false, OVERFLOW_SAT, [255n, 255n, 255n, 127n, 128n, 255n, 255n, 255n, 255n]],
      [true, OVERFLOW_SAT, [-1n, 127n, -128n, 127n, 127n, -128n, -128n, 127n, 127n]],
      [false, OVERFLOW_FAIL, [null, null, null, 127n, 128n, null, null, null, null]],
      [true, OVERFLOW_FAIL, [-1n, null, null, 127n, null, -128n, null, null, null]],
    ];
    for (const [signed, ow, expect] of want) {
      assert.deepEqual(values.map((v) => set(signed, 8, v, ow)), expect, `${signed ? 'i8' : 'u8'} ow=${ow}`);
    }
    // The signed-SET quirk: max - value computed in wrapping int64 (i63: everything below min).
    assert.equal(set(true, 63, -(1n << 62n) - 1n, OVERFLOW_SAT), (1n << 62n) - 1n);
    assert.equal(set(true, 8, I64_MIN + 127n, OVERFLOW_SAT), 127n);
    assert.equal(set(true, 8, I64_MIN + 128n, OVERFLOW_SAT), -128n);
    // i64 SET never overflows.
    assert.equal(set(true, 64, I64_MIN, OVERFLOW_FAIL), I64_MIN);
  });

  test('INCRBY: plain arithmetic with wrap / saturate / fail', () => {
    const inc = (signed: boolean, bits: number, old: bigint, by: bigint, ow: number) => bitfieldApply(signed, bits, old, by, true, ow);
    assert.equal(inc(false, 2, 3n, 1n, OVERFLOW_WRAP), 0n);
    assert.equal(inc(false, 2, 3n, 5n, OVERFLOW_SAT), 3n);
    assert.equal(inc(false, 2, 1n, -10n, OVERFLOW_SAT), 0n);
    assert.equal(inc(false, 2, 3n, 1n, OVERFLOW_FAIL), null);
    assert.equal(inc(false, 2, 0n, -1n, OVERFLOW_WRAP), 3n);
    assert.equal(inc(true, 4, 7n, 1n, OVERFLOW_WRAP), -8n);
    assert.equal(inc(true, 4, 7n, 100n, OVERFLOW_SAT), 7n);
    assert.equal(inc(true, 4, -8n, -100n, OVERFLOW_SAT), -8n);
    assert.equal(inc(true, 64, I64_MIN, -1n, OVERFLOW_WRAP), I64_MAX);
    assert.equal(inc(true, 64, I64_MAX, 1n, OVERFLOW_FAIL), null);
    assert.equal(inc(true, 64, -5n, I64_MAX, OVERFLOW_FAIL), I64_MAX - 5n);
    assert.equal(inc(false, 63, (1n << 63n) - 1n - 1n, I64_MAX, OVERFLOW_SAT), (1n << 63n) - 1n);
  });
});

describe('option matching', () => {
  test('eqi is case-insensitive for letters only', () => {
    const b = (s: string) => Buffer.from(s, 'latin1');
    assert.ok(eqi(b('GET'), 'get'));
    assert.ok(eqi(b('gEt'), 'get'));
    assert.ok(eqi(b('KeepTTL'), 'keepttl'));
    assert.ok(!eqi(b('ge'), 'get'));
    assert.ok(!eqi(b('gett'), 'get'));
    assert.ok(!eqi(b('g\x05t'), 'get')); // 0x05 | 0x20 = 0x25, not 'e'
    assert.ok(!eqi(b('\xc7et'), 'get'));
    assert.ok(!eqi(b(''), 'get'));
  });
});

describe('growString', () => {
  test('inline strings grow by copy, large ones in place while they own the tail', () => {
    const db = new Db(new SlabAllocator(), 0);
    const key = Buffer.from('k');
    let id = db.setString(key, Buffer.from('abc'));
    let v = growString(db, id, 6);
    assert.ok(v.equals(Buffer.from('abc\0\0\0', 'latin1')));
    v.write('xyz', 3, 'latin1');
    assert.equal(db.getString(id).toString('latin1'), 'abcxyz');
    // Crossing the inline limit moves the value to a buffer with spare capacity.
    v = growString(db, id, 20000);
    assert.equal(v.length, 20000);
    assert.equal(v.toString('latin1', 0, 6), 'abcxyz');
    assert.equal(v[19999], 0);
    const backing = v.buffer;
    const held = db.getString(id); // an older value somebody still holds
    const v2 = growString(db, id, 30000);
    assert.equal(v2.buffer, backing, 'grown in place');
    assert.equal(v2.length, 30000);
    assert.equal(held.length, 20000);
    v2[25000] = 7;
    assert.equal(db.getString(id)[25000], 7);
    assert.equal(db.stringLength(id), 30000);
    // A second key sharing the same view must not extend it in place.
    const other = db.setObject(Buffer.from('o'), TYPE_STRING, held);
    const v3 = growString(db, other, 20010);
    assert.notEqual(v3.buffer, backing, 'copied: the tail belongs to the other key');
    assert.equal(db.getString(id)[25000], 7);
    assert.equal(db.getString(id).length, 30000);
    // TTL survives growth.
    db.setExpireAt(id, 123456);
    growString(db, id, 40000);
    assert.equal(db.expireAt(id), 123456);
    db.verify();
    id = createZeroString(db, Buffer.from('z'), 100000);
    assert.equal(db.stringLength(id), 100000);
    assert.equal(db.getString(id)[99999], 0);
    const small = createZeroString(db, Buffer.from('s'), 10);
    assert.ok(db.getString(small).equals(Buffer.alloc(10)));
    db.verify();
  });
});

describe('popcount of large ranges', () => {
  test('word-at-a-time counting equals the byte table at every alignment', () => {
    const backing = Buffer.alloc(5000);
    for (let i = 0; i < backing.length; i++) backing[i] = (i * 131 + (i >> 3)) & 0xff;
    for (const start of [0, 1, 2, 3, 5]) {
      const view = backing.subarray(start);
      for (const [from, to] of [[0, 4000], [1, 999], [3, 3001], [7, 4990 - start]] as Array<[number, number]>) {
        let want = 0;
        for (let i = from; i < to; i++) want += bitsOf(view.subarray(i, i + 1)).split('1').length - 1;
        assert.equal(popcountBytes(view, from, to), want, `view +${start} [${from}, ${to})`);
      }
    }
  });
});
