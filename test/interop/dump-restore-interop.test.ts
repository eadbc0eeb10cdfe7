/**
 * DUMP payloads exchanged with redis-server 7.0.15 in both directions, for every type and
 * encoding: a DUMP from redis-server RESTOREs here and a DUMP from here RESTOREs there, with
 * equal DEBUG DIGEST-VALUE on both sides (and the encodings each server would give the value).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { startDamselfly, startRedis, type ServerProcess } from '../helpers/servers.js';
import { redisClient, err } from '../helpers/assertions.js';
import { fillAllEncodings } from './fill.js';

let ref: ServerProcess;
let dfly: ServerProcess;
let rc: Redis;
let dc: Redis;

before(async () => {
  [ref, dfly] = await Promise.all([startRedis(['--enable-debug-command', 'yes']), startDamselfly(['--enable-debug-command', 'yes'])]);
  rc = redisClient(ref.port, ref.host);
  dc = redisClient(dfly.port, dfly.host);
});

after(async () => {
  rc?.disconnect();
  dc?.disconnect();
  await Promise.all([ref?.stop(), dfly?.stop()]);
});

async function digest(c: Redis, k: string): Promise<string> {
  return ((await c.call('DEBUG', 'DIGEST-VALUE', k)) as string[])[0]!;
}

test('every type and encoding: redis-server DUMP → RESTORE here, and back', async () => {
  const keys = await fillAllEncodings(rc);
  const keys2 = await fillAllEncodings(dc);
  assert.deepEqual(keys2, keys);
  assert.equal(await dc.call('DEBUG', 'DIGEST'), await rc.call('DEBUG', 'DIGEST'));
  for (const k of keys) {
    const want = await digest(rc, k);
    assert.equal(await digest(dc, k), want, 'same data on both sides: ' + k);
    const fromRedis = await rc.dumpBuffer(k);
    const ttl = Math.max(0, await rc.pttl(k));
    assert.equal(await dc.restore('r:' + k, ttl, fromRedis), 'OK', k);
    assert.equal(await digest(dc, 'r:' + k), want, 'redis payload restored here: ' + k);
    assert.equal(await dc.object('ENCODING', 'r:' + k), await dc.object('ENCODING', k), k);
    const fromUs = await dc.dumpBuffer(k);
    assert.equal(await rc.restore('d:' + k, ttl, fromUs), 'OK', k);
    assert.equal(await digest(rc, 'd:' + k), want, 'our payload restored in redis-server: ' + k);
    assert.equal(await rc.object('ENCODING', 'd:' + k), await rc.object('ENCODING', k), k);
    // Swap the copies so both servers end with the same names: whole-dataset digests match.
    await dc.rename('r:' + k, 'x:' + k);
    await rc.rename('d:' + k, 'x:' + k);
  }
  assert.equal(await dc.call('DEBUG', 'DIGEST'), await rc.call('DEBUG', 'DIGEST'));
});

test('payload errors match redis-server', async () => {
  await rc.set('k', 'v');
  const p = await rc.dumpBuffer('k');
  for (const bad of [p.subarray(0, 5), Buffer.concat([p.subarray(0, 1), Buffer.from([0x09]), p.subarray(2)])]) {
    assert.equal(await err(dc.restore('x', 0, bad)), await err(rc.restore('x', 0, bad)));
  }
});
