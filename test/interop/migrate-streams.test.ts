/**
 * MIGRATE of streams with consumer groups, PELs, deleted entries and an empty stream:
 * Damselfly → Damselfly, Damselfly → redis-server 7.0.15 and redis-server → Damselfly, with
 * equal DEBUG DIGEST-VALUE and XINFO STREAM FULL on both sides, and the TTL carried.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { startDamselfly, startRedis, type ServerProcess } from '../helpers/servers.js';
import { redisClient } from '../helpers/assertions.js';

let r: ServerProcess;
let d1: ServerProcess;
let d2: ServerProcess;
const clients: Redis[] = [];

before(async () => {
  const dbg = ['--enable-debug-command', 'yes'];
  [r, d1, d2] = await Promise.all([startRedis(dbg), startDamselfly(dbg), startDamselfly(dbg)]);
});

after(async () => {
  for (const c of clients) c.disconnect();
  await Promise.all([r, d1, d2].map((p) => p?.stop()));
});

function client(p: ServerProcess): Redis {
  const c = redisClient(p.port);
  clients.push(c);
  return c;
}

async function fillStreams(c: Redis): Promise<string[]> {
  await c.flushall();
  for (let i = 1; i <= 250; i++) await c.xadd('st', i + '-1', 'n', String(i), 'pad', 'p'.repeat(i % 7));
  await c.xdel('st', '7-1', '100-1');
  await c.xgroup('CREATE', 'st', 'g1', '0');
  await c.xgroup('CREATE', 'st', 'g2', '$');
  await c.xreadgroup('GROUP', 'g1', 'alice', 'COUNT', '5', 'STREAMS', 'st', '>');
  await c.xreadgroup('GROUP', 'g1', 'bob', 'COUNT', '3', 'STREAMS', 'st', '>');
  await c.xack('st', 'g1', '2-1');
  await c.call('XGROUP', 'CREATECONSUMER', 'st', 'g2', 'idle');
  await c.xadd('st:empty', '1-1', 'a', 'b');
  await c.xdel('st:empty', '1-1');
  await c.xadd('st:ttl', '5-5', 'x', 'y');
  await c.pexpire('st:ttl', 300000);
  return (await c.keys('*')).sort();
}

async function check(from: Redis, to: Redis, toPort: number, name: string): Promise<void> {
  const keys = await fillStreams(from);
  await to.flushall();
  const want = new Map<string, [string, unknown]>();
  for (const k of keys) {
    want.set(k, [((await from.call('DEBUG', 'DIGEST-VALUE', k)) as string[])[0]!, await from.call('XINFO', 'STREAM', k, 'FULL')]);
  }
  assert.equal(await from.call('MIGRATE', '127.0.0.1', String(toPort), '', '0', '10000', 'KEYS', ...keys), 'OK', name);
  assert.deepEqual(await from.keys('*'), [], name);
  for (const k of keys) {
    const [dg, info] = want.get(k)!;
    assert.equal(((await to.call('DEBUG', 'DIGEST-VALUE', k)) as string[])[0], dg, name + ': ' + k);
    assert.deepEqual(await to.call('XINFO', 'STREAM', k, 'FULL'), info, name + ': ' + k);
  }
  const ttl = await to.pttl('st:ttl');
  assert.ok(ttl > 200000 && ttl <= 300000, name + ': TTL ' + ttl);
}

test('streams: Damselfly → Damselfly, Damselfly → redis-server, redis-server → Damselfly', async () => {
  const [rc, dc1, dc2] = [client(r), client(d1), client(d2)];
  await check(dc1, dc2, d2.port, 'Damselfly → Damselfly');
  await check(dc1, rc, r.port, 'Damselfly → redis-server');
  await check(rc, dc2, d2.port, 'redis-server → Damselfly');
});
