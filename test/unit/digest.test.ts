import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  Digest,
  datasetDigest,
  digestKey,
  digestStringKey,
  digestValue,
  type DigestValue,
} from '../../src/util/digest.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const ZERO = '0'.repeat(40);
const FAR = 4102444800000; // any expire time: only its presence matters

test('Digest primitives', () => {
  const sha1 = (x: Uint8Array): Buffer => createHash('sha1').update(x).digest();
  const d = new Digest();
  assert.equal(d.hex(), ZERO);
  assert.ok(d.isZero());
  d.xorIn(b('abc'));
  assert.equal(d.hex(), sha1(b('abc')).toString('hex'));
  d.xorIn(b('abc'));
  assert.ok(d.isZero(), 'xorIn twice cancels');
  const m = new Digest().mix(b('abc'));
  assert.equal(m.hex(), sha1(sha1(b('abc'))).toString('hex'));
  assert.notEqual(new Digest().mix(b('a')).mix(b('b')).hex(), new Digest().mix(b('b')).mix(b('a')).hex());
  assert.equal(new Digest().xorIn(b('a')).xorIn(b('b')).hex(), new Digest().xorIn(b('b')).xorIn(b('a')).hex());
  assert.equal(new Digest(m.bytes).hex(), m.hex());
});

// Recorded from redis-server 7.0.15: FLUSHALL; DEBUG DIGEST / SET k v; DEBUG DIGEST; DEBUG
// DIGEST-VALUE k / EXPIRE k 100 (and 5000: same values) / k=v in db 1 only.
test('string keys (recorded vectors)', () => {
  assert.equal(datasetDigest([]), ZERO);
  assert.equal(datasetDigest([{ id: 0, keyDigests: [] }]), ZERO);
  const kv = digestStringKey(b('k'), b('v'));
  assert.equal(datasetDigest([{ id: 0, keyDigests: [kv] }]), '264ccf65edec66bccfa7cc659414ccca432057d2');
  assert.equal(digestValue({ type: 'string', value: b('v') }).hex(), 'd79ee9fe5d5ad902d7f6620efc3b07b75ddd742f');
  const kvTtl = digestStringKey(b('k'), b('v'), Date.now() + 100_000);
  assert.equal(datasetDigest([{ id: 0, keyDigests: [kvTtl] }]), 'bf83f210388eea94f06fb90d517490e16a08d7dd');
  assert.equal(
    digestValue({ type: 'string', value: b('v') }, Date.now() + 5_000_000).hex(),
    '311b17018163335616e089f6b951c82c477335ac',
  );
  assert.equal(datasetDigest([{ id: 1, keyDigests: [kv] }]), '3efb24844f90383a755c8c3b3dd4be484730a360');
  assert.deepEqual(digestKey(b('k'), { type: 'string', value: b('v') }), kv);
});

// Recorded from redis-server 7.0.15 after:
//   SET str hello; SET num 12345; SET ttl x; PEXPIREAT ttl 4102444800000
//   RPUSH list a b 123 -7; SADD set x y zz; SADD iset 1 2 300
//   ZADD zset 1 a 2.5 b 0.1 c inf d -inf e; HSET hash f1 v1 f2 22
//   XADD stream 1-1 f v; XADD stream 6-1 a 1 b 2; XGROUP CREATE stream g 0
//   SELECT 2; SET bin "a\x01\xff"; RPUSH l2 x
// then DEBUG DIGEST-VALUE of each key, DEBUG DIGEST, and DEBUG DIGEST again after FLUSHDB of db 2.
test('every type, several databases (recorded vectors)', () => {
  const db0: [string, DigestValue, number, string][] = [
    ['str', { type: 'string', value: b('hello') }, -1, '36b23a1456b2dce2c3ed252c456761301dba8060'],
    ['num', { type: 'string', value: b('12345') }, -1, 'e1cf90774e995ae03de66e8109dc5cb9d9c2dc83'],
    ['ttl', { type: 'string', value: b('x') }, FAR, '0745672cb1bf060476eedeb8a28f5ffe1ff5a2be'],
    ['list', { type: 'list', elements: ['a', 'b', '123', '-7'].map(b) }, -1, 'f62ce871c62730c58ce449c3adb6bfa4adada0be'],
    ['set', { type: 'set', members: ['zz', 'x', 'y'].map(b) }, -1, 'e15ea5685b9353e2e2f3facf4e86c3b220c28269'],
    ['iset', { type: 'set', members: ['300', '1', '2'].map(b) }, -1, 'bff1310353f341fe4488c7323df3673679c04f02'],
    [
      'zset',
      { type: 'zset', entries: [[b('e'), -Infinity], [b('c'), 0.1], [b('a'), 1], [b('b'), 2.5], [b('d'), Infinity]] },
      -1,
      'e35c8003066f25b825acc283e8430357568dc1fb',
    ],
    ['hash', { type: 'hash', entries: [[b('f2'), b('22')], [b('f1'), b('v1')]] }, -1, 'ace09efefee43cefd37d4713a6e8cf46c6e14058'],
    [
      'stream',
      { type: 'stream', entries: [[1, 1, [b('f'), b('v')]], [6n, 1n, ['a', '1', 'b', '2'].map(b)]] },
      -1,
      'a52ea055509840a8e9aecd6103e43e6fb9feefa7',
    ],
  ];
  const db2: [Buffer, DigestValue, number, string][] = [
    [b('bin'), { type: 'string', value: Buffer.from([0x61, 0x01, 0xff]) }, -1, 'bf4a94ba9120c2c61f4eee9f7b1ff44727058d5a'],
    [b('l2'), { type: 'list', elements: [b('x')] }, -1, 'b7bf7c7fd12bee893767b604e8582837a111d357'],
  ];
  for (const [k, v, exp, want] of db0) assert.equal(digestValue(v, exp).hex(), want, k);
  for (const [k, v, exp, want] of db2) assert.equal(digestValue(v, exp).hex(), want, k.toString('latin1'));
  const keys0 = db0.map(([k, v, exp]) => digestKey(b(k), v, exp));
  const keys2 = db2.map(([k, v, exp]) => digestKey(k, v, exp));
  assert.equal(
    datasetDigest([
      { id: 0, keyDigests: keys0 },
      { id: 1, keyDigests: [] },
      { id: 2, keyDigests: keys2 },
    ]),
    '604ae0e4ef0cd6ea48b3ebebf889f4aec202da23',
  );
  // key order inside a database does not matter
  assert.equal(
    datasetDigest([{ id: 0, keyDigests: [...keys0].reverse() }, { id: 2, keyDigests: [...keys2].reverse() }]),
    '604ae0e4ef0cd6ea48b3ebebf889f4aec202da23',
  );
  assert.equal(datasetDigest([{ id: 0, keyDigests: keys0 }]), '9f8100a0f429a4a7e7e7caeaa077ca7885c424d3');
});

// Recorded: ZADD zl -0 m (listpack, stored as 0); with zset-max-listpack-entries 0:
// ZADD zs -0 m and ZADD zs2 0 m (skiplist); XADD es 1-1 a b; XDEL es 1-1.
test('zset -0 and empty stream (recorded vectors)', () => {
  assert.equal(digestValue({ type: 'zset', entries: [[b('m'), 0]] }).hex(), '669bd9943b43e6b31f3ab60847ee6a38dd154aba');
  assert.equal(digestValue({ type: 'zset', entries: [[b('m'), -0]] }).hex(), 'aa66151a75d42f177dce99dcb02453641c77f6d8');
  assert.equal(digestValue({ type: 'stream', entries: [] }).hex(), '06bd01623de1d087bbd377851096317b1af476a2');
});
