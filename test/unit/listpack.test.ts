import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ListpackError, ListpackReader, ListpackWriter, listpackFromValues, listpackLength, listpackValues } from '../../src/store/listpack.js';

// The listpack redis-server 7.0.15 built for vector 04 of the RDB spec (RPUSH of these values),
// written out element by element from the decompressed node.
const VECTOR_04_VALUES = [
  '0', '127', '128', '-1', '4095', '-4096', '4096', '32767', '-32768', '8388607', '-8388608',
  '2147483647', '-2147483648', '9223372036854775807', '-9223372036854775808', 'hello', '',
  'xxxxxxxxxx012345678901234567890123456789012345678901234567890123456789',
];
const VECTOR_04_HEX =
  '9f000000' + '1200' +
  '0001' + '7f01' + 'c08002' + 'dfff02' + 'cfff02' + 'd00002' + 'f1001003' + 'f1ff7f03' + 'f1008003' +
  'f2ffff7f04' + 'f200008004' + 'f3ffffff7f05' + 'f30000008005' + 'f4ffffffffffffff7f09' +
  'f4000000000000008009' + '8568656c6c6f06' + '8001' +
  'e046' + Buffer.from(VECTOR_04_VALUES[17]!, 'latin1').toString('hex') + '48' + 'ff';

test('writer reproduces the listpack redis-server built (integer and string encodings, backlen)', () => {
  const lp = listpackFromValues(VECTOR_04_VALUES.map((v) => Buffer.from(v, 'latin1')));
  assert.equal(lp.toString('hex'), VECTOR_04_HEX);
  assert.equal(lp.length, 159);
});

test('reader decodes every encoding back to the same bytes', () => {
  const values = listpackValues(Buffer.from(VECTOR_04_HEX, 'hex'));
  assert.deepEqual(values.map((v) => v.toString('latin1')), VECTOR_04_VALUES);
});

test('non-canonical integers stay strings; long strings use the 12- and 32-bit forms', () => {
  const vals = ['007', '-0', '+5', ' 1', '9223372036854775808', 'a'.repeat(63), 'b'.repeat(64), 'c'.repeat(4095), 'd'.repeat(4096)];
  const lp = listpackFromValues(vals.map((v) => Buffer.from(v, 'latin1')));
  const r = new ListpackReader(lp);
  const seen: string[] = [];
  while (r.next()) {
    assert.equal(r.isInt, false);
    seen.push(r.value().toString('latin1'));
  }
  assert.deepEqual(seen, vals);
  assert.equal(listpackLength(lp), vals.length);
});

test('backlen sizes: 1 byte up to 127, 2 bytes from 128', () => {
  const w = new ListpackWriter();
  w.appendString(Buffer.alloc(125, 0x61)); // 2 + 125 = 127 → 1-byte backlen
  w.appendString(Buffer.alloc(126, 0x62)); // 128 → 2-byte backlen 01 80
  const lp = w.finish();
  assert.equal(lp[6 + 127], 127);
  assert.equal(lp[6 + 128 + 128], 0x01);
  assert.equal(lp[6 + 128 + 128 + 1], 0x80);
  assert.deepEqual(listpackValues(lp).map((v) => v.length), [125, 126]);
});

test('header count saturates at 65535 and the length is then walked', () => {
  const w = new ListpackWriter();
  for (let i = 0; i < 70000; i++) w.appendInteger(i % 100);
  const lp = w.finish();
  assert.equal(lp.readUInt16LE(4), 65535);
  assert.equal(listpackLength(lp), 70000);
});

test('corrupt listpacks throw ListpackError, never read out of bounds', () => {
  const good = Buffer.from(VECTOR_04_HEX, 'hex');
  assert.throws(() => listpackValues(good.subarray(0, 50)), ListpackError);
  for (let i = 0; i < good.length; i++) {
    for (const flip of [0x01, 0x80, 0xff]) {
      const bad = Buffer.from(good);
      bad[i] = bad[i]! ^ flip;
      try {
        listpackValues(bad);
      } catch (e) {
        assert.ok(e instanceof ListpackError, 'byte ' + i + ': ' + String(e));
      }
    }
  }
});
