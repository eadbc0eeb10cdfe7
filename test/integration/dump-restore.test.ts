/**
 * DUMP / RESTORE against a spawned Damselfly: round trips of every type and encoding (small and
 * big), the options, dirty counting and errors. Cross-server payload exchange with a real
 * redis-server is in test/interop/dump-restore-interop.test.ts; exact replies against 7.0.15 in
 * test/differential/dump.txt.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { startDamselfly, type ServerProcess } from '../helpers/servers.js';
import { redisClient, err, withDirtyCount } from '../helpers/assertions.js';

let srv: ServerProcess;
let r: Redis;

before(async () => {
  srv = await startDamselfly(['--enable-debug-command', 'yes']);
  r = redisClient(srv.port, srv.host);
});

after(async () => {
  r?.disconnect();
  await srv?.stop();
});

async function digest(k: string): Promise<string> {
  return ((await r.call('DEBUG', 'DIGEST-VALUE', k)) as string[])[0]!;
}

async function fill(): Promise<string[]> {
  await r.flushall();
  await r.set('s:raw', 'hello world');
  await r.set('s:int', '-123456');
  await r.set('s:big', 'x'.repeat(100000) + 'y');
  await r.set('s:bin', Buffer.from([0, 255, 13, 10, 128]));
  await r.rpush('l:small', 'a', '1', '', '-5');
  await r.rpush('l:big', ...Array.from({ length: 20000 }, (_v, i) => 'element-' + i));
  await r.sadd('set:int', 5, -3, 70000, 1, '9223372036854775807');
  await r.sadd('set:str', 'apple', 'banana', '7');
  await r.sadd('set:bigint', ...Array.from({ length: 1000 }, (_v, i) => i));
  await r.zadd('z:lp', 1, 'a', 2.5, 'b', -3, 'c', 'inf', 'd');
  await r.zadd('z:sl', 0.1, 'm'.repeat(65), 1e300, 'n', '-inf', 'o');
  await r.zadd('z:big', ...Array.from({ length: 400 }, (_v, i) => [i * 0.5, 'z' + i]).flat());
  await r.hset('h:lp', 'f1', 'v1', 'num', '12345', 'neg', '-20000');
  await r.hset('h:ht', 'f', '1', 'long', 'v'.repeat(100));
  await r.hset('h:big', ...Array.from({ length: 1000 }, (_v, i) => ['f' + i, String(i)]).flat());
  await r.set('ttl', 'v', 'PX', 100000);
  return (await r.keys('*')).sort();
}

test('DUMP then RESTORE under another name gives the same value, encoding and digest', async () => {
  const keys = await fill();
  for (const k of keys) {
    const p = await r.dumpBuffer(k);
    assert.ok(Buffer.isBuffer(p) && p.length > 10, k);
    assert.equal(p.readUInt16LE(p.length - 10), 9, 'payload RDB version of ' + k);
    assert.equal(await r.restore('copy:' + k, 0, p), 'OK');
    assert.equal(await r.type('copy:' + k), await r.type(k));
    assert.equal(await r.object('ENCODING', 'copy:' + k), await r.object('ENCODING', k), k);
    // The digest includes the expire flag: 'ttl' has one, its copy (TTL 0) not.
    if (k !== 'ttl') assert.equal(await digest('copy:' + k), await digest(k), k);
  }
  assert.equal(await r.pttl('copy:ttl'), -1);
});

test('RESTORE replace, TTLs and dirty counting', async () => {
  await r.flushall();
  await r.set('src', 'value');
  const p = await r.dumpBuffer('src');
  assert.match(await err(r.restore('src', 0, p)), /^BUSYKEY Target key name already exists\.$/);
  let [res, dirty] = await withDirtyCount(r, ['RESTORE', 'src', '0', p, 'REPLACE']);
  assert.equal(res, 'OK');
  assert.equal(dirty, 1);
  [res, dirty] = await withDirtyCount(r, ['RESTORE', 'a', '50000', p]);
  assert.equal(dirty, 1);
  const pttl = await r.pttl('a');
  assert.ok(pttl > 45000 && pttl <= 50000, String(pttl));
  await r.restore('b', 4102444800000, p, 'ABSTTL');
  assert.equal(await r.pexpiretime('b'), 4102444800000);
  // Already expired: nothing created, nothing dirty; with REPLACE the old key is deleted.
  [res, dirty] = await withDirtyCount(r, ['RESTORE', 'c', '1', p, 'ABSTTL']);
  assert.equal(res, 'OK');
  assert.equal(dirty, 0);
  assert.equal(await r.exists('c'), 0);
  [res, dirty] = await withDirtyCount(r, ['RESTORE', 'src', '1', p, 'ABSTTL', 'REPLACE']);
  assert.equal(dirty, 1);
  assert.equal(await r.exists('src'), 0);
  assert.equal(await r.dump('nothing'), null);
});

test('IDLETIME sets the idle time; FREQ sets the counter under an LFU policy', async () => {
  await r.flushall();
  await r.set('src', 'value');
  const p = await r.dumpBuffer('src');
  await r.restore('idle', 0, p, 'IDLETIME', 5000);
  const idle = await r.object('IDLETIME', 'idle');
  assert.ok(Number(idle) >= 5000 && Number(idle) <= 5002, String(idle));
  await r.config('SET', 'maxmemory-policy', 'allkeys-lfu');
  try {
    await r.restore('hot', 0, p, 'FREQ', 100);
    assert.equal(await r.object('FREQ', 'hot'), 100);
  } finally {
    await r.config('SET', 'maxmemory-policy', 'noeviction');
  }
});

test('corrupt payloads are refused without creating anything', async () => {
  await r.flushall();
  await r.rpush('l', 'a', 'b', 'c');
  const p = await r.dumpBuffer('l');
  for (let i = 0; i < p.length; i++) {
    const b = Buffer.from(p);
    b[i] ^= 0x20;
    const e = await err(r.restore('x', 0, b));
    assert.ok(e === 'ERR DUMP payload version or checksum are wrong' || e === 'ERR Bad data format', e);
  }
  assert.equal(await err(r.restore('x', 0, p.subarray(0, 9))), 'ERR DUMP payload version or checksum are wrong');
  assert.equal(await r.exists('x'), 0);
});
