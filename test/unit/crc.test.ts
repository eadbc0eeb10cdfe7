import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Crc64, crc64 } from '../../src/util/crc64.js';
import { CLUSTER_SLOTS, crc16, keyHashSlot } from '../../src/util/crc16.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

// Bit-at-a-time reference (reflected, poly 0xad93d23594c935a9) to cross-check the tables.
function crc64Reference(buf: Uint8Array, crc = 0n): bigint {
  const polyR = 0x95ac9329ac4bc9b5n; // 0xad93d23594c935a9 bit-reversed
  for (const byte of buf) {
    crc ^= BigInt(byte);
    for (let i = 0; i < 8; i++) crc = crc & 1n ? (crc >> 1n) ^ polyR : crc >> 1n;
  }
  return crc;
}

test('crc64 check value', () => {
  assert.equal(crc64(b('123456789')), 0xe9c6d914c4b8d9can);
  assert.equal(crc64(Buffer.alloc(0)), 0n);
  assert.equal(new Crc64().update(b('123456789')).value, 0xe9c6d914c4b8d9can);
});

test('crc64 matches the bit-at-a-time reference on random data of every length 0..100', () => {
  for (let n = 0; n <= 100; n++) {
    const d = randomBytes(n);
    assert.equal(crc64(d), crc64Reference(d), `len ${n}`);
    assert.equal(crc64(d, 0x0123456789abcdefn), crc64Reference(d, 0x0123456789abcdefn), `seeded len ${n}`);
  }
});

test('incremental == one-shot (bigint and class APIs, sub-ranges)', () => {
  const d = randomBytes(100_003);
  const whole = crc64(d);
  let c = 0n;
  const cls = new Crc64();
  for (let i = 0; i < d.length; ) {
    const step = 1 + ((i * 7919) % 4099);
    const end = Math.min(d.length, i + step);
    c = crc64(d.subarray(i, end), c);
    cls.update(d, i, end);
    i = end;
  }
  assert.equal(c, whole);
  assert.equal(cls.value, whole);
  assert.equal(crc64(d, 0n, 10, 500), crc64(d.subarray(10, 500)));
  assert.equal(new Crc64(crc64(d.subarray(0, 50))).update(d.subarray(50)).value, whole);
  assert.equal(cls.set(0n).value, 0n);
});

// DUMP payloads recorded from redis-server 7.0.15 (DUMP k after SET k hello; SET n 12345;
// RPUSH l a b c; SET big <3000 x's>): the last 8 bytes are the little-endian CRC-64 of the rest.
test('crc64 of DUMP payloads recorded from redis-server', () => {
  const payloads = [
    '000568656c6c6f0a006372df766534200a',
    '00c139300a009d94ea2793fc08b9',
    '12010210100000000300816102816202816302ff0a00c818b90c9533529e',
    '00c32a4bb8017878e0ff00e0ff00e0ff00e0ff00e0ff00e0ff00e0ff00e0ff00e0ff00e0ff00e0ff00e053000178780a00c1017ea7618cb790',
  ];
  for (const hex of payloads) {
    const p = Buffer.from(hex, 'hex');
    const body = p.subarray(0, p.length - 8);
    assert.equal(new Crc64().update(body).digestLE().toString('hex'), p.subarray(p.length - 8).toString('hex'));
    assert.equal(crc64(body), p.readBigUInt64LE(p.length - 8));
  }
});

test('crc16 xmodem check value', () => {
  assert.equal(crc16(b('123456789')), 0x31c3);
  assert.equal(crc16(Buffer.alloc(0)), 0);
  assert.equal(crc16(b('6789'), 0, 4, crc16(b('12345'))), 0x31c3);
});

// Slots recorded with CLUSTER KEYSLOT on a cluster-enabled redis-server 7.0.15.
test('keyHashSlot with hash tags', () => {
  const cases: [string, number][] = [
    ['123456789', 12739],
    ['foo', 12182],
    ['bar', 5061],
    ['{user1000}.following', 3443],
    ['{}x', 10595],
    ['x{', 3596],
    ['{a}{b}', 15495],
    ['{{a}}', 10276],
    ['a{b}c', 3300],
    ['{', 4092],
    ['}', 12090],
    ['{}', 15257],
    ['', 0],
    ['a{}b{c}', 7353],
    ['{b', 6215],
    ['x}{y}', 12222],
  ];
  for (const [k, slot] of cases) assert.equal(keyHashSlot(b(k)), slot, k);
  assert.equal(keyHashSlot(Buffer.from('中文', 'utf8')), 13257);
  assert.equal(keyHashSlot(b('{user1000}.following')), keyHashSlot(b('{user1000}.followers')));
  assert.equal(CLUSTER_SLOTS, 16384);
});
