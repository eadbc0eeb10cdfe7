/**
 * Replication interop with a real redis-server 7.0: Damselfly as the replica of Redis (disk-based
 * and diskless full syncs, then the stream, partial resync after a cut, convergence after a
 * Redis restart), and Redis as the replica of Damselfly. Datasets are compared with DEBUG DIGEST,
 * which both servers compute the same way.
 */

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { startDamselfly, startRedis, type ServerProcess } from '../helpers/servers.js';
import { TcpProxy, connect, digest, dumpDataset, info, seed, sleep, waitFor, waitInSync } from '../helpers/replication.js';

const procs: ServerProcess[] = [];
const clients: Redis[] = [];

after(async () => {
  for (const c of clients) c.disconnect();
  await Promise.all(procs.map((p) => p.stop('SIGKILL')));
});

async function redis(args: string[] = []): Promise<{ p: ServerProcess; r: Redis }> {
  const p = await startRedis(['--enable-debug-command', 'yes', ...args]);
  procs.push(p);
  const r = connect(p.port);
  clients.push(r);
  return { p, r };
}

async function damselfly(args: string[] = []): Promise<{ p: ServerProcess; r: Redis }> {
  const p = await startDamselfly(['--enable-debug-command', 'yes', ...args]);
  procs.push(p);
  const r = connect(p.port);
  clients.push(r);
  return { p, r };
}

async function assertSameData(master: Redis, replica: Redis): Promise<void> {
  try {
    await waitFor(async () => (await digest(master)) === (await digest(replica)), 10000, 'equal digests');
  } catch {
    assert.deepEqual(await dumpDataset(replica), await dumpDataset(master));
    assert.equal(await digest(replica), await digest(master));
  }
}

/** Values in both compact and large encodings of every type, LZF-compressible strings, TTLs. */
async function richDataset(r: Redis): Promise<void> {
  const p = r.pipeline();
  for (let db = 0; db < 3; db++) {
    p.select(db);
    p.set('str', 'hello');
    p.set('int', '12345');
    p.set('lzf', 'abcabcabc'.repeat(200));
    p.set('ttl', 'v', 'EX', 1000);
    p.rpush('list-small', '1', 'two', '3');
    for (let i = 0; i < 300; i++) p.rpush('list-big', 'element-' + i + '-' + 'x'.repeat(i % 70));
    p.hset('hash-small', 'a', '1', 'b', '2');
    for (let i = 0; i < 200; i++) p.hset('hash-big', 'field' + i, 'value' + i);
    p.hset('hash-longval', 'f', 'y'.repeat(100));
    p.sadd('set-int', '1', '2', '3', '-5', '100000');
    for (let i = 0; i < 600; i++) p.sadd('set-int-big', String(i * 7));
    p.sadd('set-str', 'a', 'b', 'c');
    p.zadd('zset-small', '1', 'a', '2.5', 'b', '-inf', 'c');
    for (let i = 0; i < 200; i++) p.zadd('zset-big', String(i / 3), 'member' + i);
    p.expire('hash-big', 5000);
    for (let i = 0; i < 250; i++) p.xadd('stream', '*', 'field', 'value' + i, 'n', String(i));
    p.xdel('stream', '0-1');
    p.xgroup('CREATE', 'stream', 'group1', '0');
    p.xreadgroup('GROUP', 'group1', 'alice', 'COUNT', '10', 'STREAMS', 'stream', '>');
    p.xadd('stream-small', '5-1', 'a', '1');
  }
  p.select(0);
  await p.exec();
}

describe('Damselfly as a replica of redis-server 7.0', () => {
  for (const diskless of ['no', 'yes']) {
    test('full sync (' + (diskless === 'yes' ? 'diskless, $EOF framing' : 'disk-based, $<len> framing') + ') under writes, then the stream', async () => {
      const m = await redis(['--repl-diskless-sync', diskless, '--repl-diskless-sync-delay', '0']);
      await richDataset(m.r);
      await seed(m.r, 3000, 11);
      const writer = connect(m.p.port);
      clients.push(writer);
      let stop = false;
      let rounds = 0;
      const seeding = (async () => {
        while (!stop) await seed(writer, 200, 50 + rounds++);
      })();
      const s = await damselfly(['--replicaof', '127.0.0.1', String(m.p.port)]);
      await waitFor(async () => (await info(s.r))['master_link_status'] === 'up', 30000, 'link up');
      await sleep(1000);
      stop = true;
      await seeding;
      await waitInSync(m.r, s.r);
      await assertSameData(m.r, s.r);
      assert.equal((await info(s.r))['master_replid'], (await info(m.r))['master_replid']);
    });
  }

  test('a cut link resumes with a partial resync; a restarted Redis is followed again', async () => {
    const m = await redis();
    const proxy = new TcpProxy(m.p.port);
    await proxy.start();
    const s = await damselfly(['--replicaof', '127.0.0.1', String(proxy.port)]);
    await waitInSync(m.r, s.r);
    proxy.refusing = true;
    proxy.cut();
    await seed(m.r, 200, 12);
    proxy.refusing = false;
    await waitInSync(m.r, s.r);
    await assertSameData(m.r, s.r);
    assert.equal((await info(m.r, 'stats'))['sync_partial_ok'], '1');

    // Redis restarts with another dataset on the same port: the replica follows it again.
    const port = m.p.port;
    await m.p.stop('SIGKILL');
    await waitFor(async () => (await info(s.r))['master_link_status'] === 'down', 10000, 'link down');
    const m2 = await startRedis(['--enable-debug-command', 'yes', '--port', String(port)]);
    procs.push(m2);
    const r2 = connect(port);
    clients.push(r2);
    await richDataset(r2);
    await r2.set('second-life', '1');
    await waitInSync(r2, s.r, 30000);
    await assertSameData(r2, s.r);
    await proxy.stop();
  });

  test('REPLICAOF NO ONE after catching up: the migration path', async () => {
    const m = await redis();
    await richDataset(m.r);
    const s = await damselfly();
    await s.r.call('REPLICAOF', '127.0.0.1', String(m.p.port));
    await waitInSync(m.r, s.r);
    await s.r.call('REPLICAOF', 'NO', 'ONE');
    await assertSameData(m.r, s.r);
    await s.r.set('writable', '1');
  });
});

describe('redis-server 7.0 as a replica of Damselfly', () => {
  test('full sync, then the stream, then a partial resync after a cut', async () => {
    const m = await damselfly();
    await richDataset(m.r);
    await seed(m.r, 3000, 21);
    const proxy = new TcpProxy(m.p.port);
    await proxy.start();
    const s = await redis(['--replicaof', '127.0.0.1', String(proxy.port)]);
    await waitInSync(m.r, s.r);
    await assertSameData(m.r, s.r);
    await seed(m.r, 1000, 22);
    await waitInSync(m.r, s.r);
    await assertSameData(m.r, s.r);

    proxy.refusing = true;
    proxy.cut();
    await seed(m.r, 100, 23);
    proxy.refusing = false;
    await waitInSync(m.r, s.r);
    await assertSameData(m.r, s.r);
    const st = await info(m.r, 'stats');
    assert.equal(st['sync_full'], '1');
    assert.equal(st['sync_partial_ok'], '1');
    const mi = await info(m.r);
    const si = await info(s.r);
    assert.equal(si['master_replid'], mi['master_replid']);
    assert.match(mi['slave0']!, /state=online/);
    await proxy.stop();
  });
});
