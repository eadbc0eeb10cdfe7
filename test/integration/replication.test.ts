/**
 * Replication between Damselfly nodes, black-box: real processes, real clients, datasets
 * compared in full (DEBUG DIGEST, with a key-by-key dump in the failure message).
 */

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { Redis } from 'ioredis';
import { startDamselfly, type ServerProcess } from '../helpers/servers.js';
import { TcpProxy, connect, digest, dumpDataset, info, seed, sleep, waitFor, waitInSync } from '../helpers/replication.js';

const procs: ServerProcess[] = [];
const clients: Redis[] = [];

async function node(args: string[] = []): Promise<{ p: ServerProcess; r: Redis }> {
  const p = await startDamselfly(['--enable-debug-command', 'yes', ...args]);
  procs.push(p);
  const r = connect(p.port);
  clients.push(r);
  return { p, r };
}

after(async () => {
  for (const c of clients) c.disconnect();
  await Promise.all(procs.map((p) => p.stop('SIGKILL')));
});

async function assertSameData(master: Redis, replica: Redis): Promise<void> {
  // Keys with short TTLs may still be expiring on the master: give the DELs a moment.
  try {
    await waitFor(async () => (await digest(master)) === (await digest(replica)), 10000, 'equal digests');
  } catch {
    assert.deepEqual(await dumpDataset(replica), await dumpDataset(master));
    assert.equal(await digest(replica), await digest(master));
  }
}

describe('replication between Damselfly nodes', () => {
  test('full sync of a static dataset, then the stream; ROLE and INFO on both sides', async () => {
    const m = await node();
    await seed(m.r, 3000, 1);
    await m.r.set('binary\x00key', Buffer.alloc(1024 * 1024, 7));
    const s = await node(['--replicaof', '127.0.0.1', String(m.p.port)]);
    await waitInSync(m.r, s.r);
    await assertSameData(m.r, s.r);

    // The stream after the snapshot.
    await seed(m.r, 2000, 2);
    await waitInSync(m.r, s.r);
    await assertSameData(m.r, s.r);

    const mi = await info(m.r);
    assert.equal(mi['role'], 'master');
    assert.equal(mi['connected_slaves'], '1');
    assert.match(mi['slave0']!, /^ip=127\.0\.0\.1,port=\d+,state=online,offset=\d+,lag=\d+$/);
    assert.match(mi['master_replid']!, /^[0-9a-f]{40}$/);
    const si = await info(s.r);
    assert.equal(si['role'], 'slave');
    assert.equal(si['master_host'], '127.0.0.1');
    assert.equal(si['master_port'], String(m.p.port));
    assert.equal(si['master_link_status'], 'up');
    assert.equal(si['master_sync_in_progress'], '0');
    assert.equal(si['master_replid'], mi['master_replid']);
    assert.equal(si['slave_read_only'], '1');

    const mrole = (await m.r.call('ROLE')) as unknown[];
    assert.equal(mrole[0], 'master');
    // Expiring keys keep the primary's offset moving between INFO and ROLE.
    assert.ok((mrole[1] as number) >= Number(mi['master_repl_offset']));
    assert.equal((mrole[2] as unknown[]).length, 1);
    const srole = (await s.r.call('ROLE')) as unknown[];
    assert.deepEqual(srole.slice(0, 4), ['slave', '127.0.0.1', m.p.port, 'connected']);
    assert.equal(typeof srole[4], 'number');

    const stats = await info(m.r, 'stats');
    assert.equal(stats['sync_full'], '1');
  });

  test('a replica is read-only, serves reads, and WAIT counts its acknowledgement', async () => {
    const m = await node();
    const s = await node(['--replicaof', '127.0.0.1', String(m.p.port)]);
    await waitInSync(m.r, s.r);
    await m.r.set('a', '1');
    assert.equal(await m.r.call('WAIT', '1', '5000'), 1);
    assert.equal(await s.r.get('a'), '1');
    await assert.rejects(s.r.set('b', '1'), /READONLY You can't write against a read only replica\./);
    await assert.rejects(s.r.call('WAIT', '0', '0'), /ERR WAIT cannot be used with replica instances/);
    // WAIT for more replicas than exist returns the count at the timeout.
    const t0 = Date.now();
    assert.equal(await m.r.call('WAIT', '2', '300'), 1);
    assert.ok(Date.now() - t0 >= 250);
  });

  test('full sync while a seeder keeps writing; then a long stable stream', async () => {
    const m = await node();
    await seed(m.r, 20000, 3);
    const writer = connect(m.p.port);
    clients.push(writer);
    let stop = false;
    let rounds = 0;
    const seeding = (async () => {
      while (!stop) {
        await seed(writer, 300, 100 + rounds++);
      }
    })();
    const s = await node(['--replicaof', '127.0.0.1', String(m.p.port)]);
    await waitFor(async () => (await info(s.r))['master_link_status'] === 'up', 30000, 'link up');
    await sleep(1500);
    stop = true;
    await seeding;
    assert.ok(rounds > 2, 'the seeder wrote during the sync');
    await waitInSync(m.r, s.r);
    await assertSameData(m.r, s.r);
  });

  test('cutting the link: partial resync from the backlog, full resync when the backlog is gone', async () => {
    const m = await node(['--repl-backlog-size', '16kb']);
    const proxy = new TcpProxy(m.p.port);
    await proxy.start();
    const s = await node(['--replicaof', '127.0.0.1', String(proxy.port)]);
    await waitInSync(m.r, s.r);
    await seed(m.r, 500, 4);
    await waitInSync(m.r, s.r);

    // A short break: a few writes fit in the 16 KB backlog.
    const st0 = await info(m.r, 'stats');
    proxy.refusing = true;
    proxy.cut();
    await m.r.set('during-break', 'x');
    await m.r.incr('counter');
    proxy.refusing = false;
    await waitInSync(m.r, s.r);
    await assertSameData(m.r, s.r);
    const st1 = await info(m.r, 'stats');
    assert.equal(Number(st1['sync_full']) - Number(st0['sync_full']), 0, 'no full sync after a short break');
    assert.equal(Number(st1['sync_partial_ok']) - Number(st0['sync_partial_ok']), 1, 'one partial resync');

    // A long break: more than the backlog holds.
    proxy.refusing = true;
    proxy.cut();
    for (let i = 0; i < 50; i++) await m.r.set('filler' + i, 'y'.repeat(1000));
    proxy.refusing = false;
    await waitInSync(m.r, s.r);
    await assertSameData(m.r, s.r);
    const st2 = await info(m.r, 'stats');
    assert.equal(Number(st2['sync_full']) - Number(st1['sync_full']), 1, 'a full sync when the backlog does not cover the break');
    assert.equal(Number(st2['sync_partial_err']) - Number(st1['sync_partial_err']), 1, 'the partial attempt is counted as failed');
    await proxy.stop();
  });

  test('cutting the link in the middle of a full sync: the replica retries and converges', async () => {
    const m = await node();
    await m.r.call('DEBUG', 'POPULATE', '200000', 'key', '100');
    const proxy = new TcpProxy(m.p.port);
    await proxy.start();
    const s = await node(['--replicaof', '127.0.0.1', String(proxy.port)]);
    await waitFor(async () => (await info(s.r))['master_sync_in_progress'] === '1', 20000, 'sync in progress');
    proxy.cut();
    await waitInSync(m.r, s.r, 60000);
    await assertSameData(m.r, s.r);
    await proxy.stop();
  });

  test('switching to another primary discards the old dataset; NO ONE keeps it and makes it writable', async () => {
    const a = await node();
    const b = await node();
    await a.r.set('only-on-a', '1');
    await b.r.set('only-on-b', '1');
    const s = await node(['--replicaof', '127.0.0.1', String(a.p.port)]);
    await waitInSync(a.r, s.r);
    assert.equal(await s.r.get('only-on-a'), '1');
    await s.r.call('REPLICAOF', '127.0.0.1', String(b.p.port));
    await waitInSync(b.r, s.r);
    assert.equal(await s.r.get('only-on-a'), null);
    assert.equal(await s.r.get('only-on-b'), '1');
    await s.r.call('REPLICAOF', 'NO', 'ONE');
    assert.equal(await s.r.get('only-on-b'), '1');
    await s.r.set('now-writable', '1');
    assert.equal((await info(s.r))['role'], 'master');
  });

  test('promotion keeps the history: a sibling continues from the promoted replica with a partial resync', async () => {
    // No keys with a TTL and no pings here: the primary must not send s2 anything after s1 has
    // caught up, or s2 would be ahead of s1's history (then a full sync is the right answer).
    const m = await node(['--repl-ping-replica-period', '3600']);
    const s1 = await node(['--replicaof', '127.0.0.1', String(m.p.port)]);
    const s2 = await node(['--replicaof', '127.0.0.1', String(m.p.port)]);
    for (let i = 0; i < 500; i++) await m.r.hset('h' + (i % 37), 'f' + i, 'v' + i);
    await waitInSync(m.r, s1.r);
    await waitInSync(m.r, s2.r);
    await s1.r.call('REPLICAOF', 'NO', 'ONE');
    const i1 = await info(s1.r);
    assert.equal(i1['master_replid2'], (await info(m.r))['master_replid']);
    await s2.r.call('REPLICAOF', '127.0.0.1', String(s1.p.port));
    await waitInSync(s1.r, s2.r);
    const st = await info(s1.r, 'stats');
    assert.equal(st['sync_partial_ok'], '1');
    assert.equal(st['sync_full'], '0');
    await s1.r.set('after-promotion', '1');
    await waitInSync(s1.r, s2.r);
    assert.equal(await s2.r.get('after-promotion'), '1');
  });

  test('chained replication A → B → C receives the same stream', async () => {
    const a = await node();
    const b = await node(['--replicaof', '127.0.0.1', String(a.p.port)]);
    await seed(a.r, 2000, 6);
    // A's stream is left positioned on db 3 when C attaches to B: B forwards A's stream as is,
    // so C must learn the stream's db from the snapshot (aux repl-stream-db).
    await a.r.select(3);
    await a.r.set('before-c', '1');
    await waitInSync(a.r, b.r);
    const c = await node(['--replicaof', '127.0.0.1', String(b.p.port)]);
    await waitInSync(b.r, c.r);
    await a.r.set('after-c', '1');
    await a.r.select(0);
    await waitInSync(a.r, b.r);
    await waitInSync(b.r, c.r);
    await assertSameData(a.r, c.r);
    const c3 = connect(c.p.port);
    clients.push(c3);
    await c3.select(3);
    assert.equal(await c3.get('after-c'), '1');
    // Offsets are equal along the chain (A may still be expiring keys: wait for the DELs too).
    await waitFor(async () => (await info(c.r))['master_repl_offset'] === (await info(a.r))['master_repl_offset'], 10000, 'equal offsets A and C');
  });

  test('requirepass on the primary and masterauth on the replica', async () => {
    const m = await node(['--requirepass', 'sekret']);
    const mr = connect(m.p.port, { password: 'sekret' });
    clients.push(mr);
    await mr.set('k', 'v');
    const bad = await node(['--replicaof', '127.0.0.1', String(m.p.port), '--masterauth', 'wrong']);
    await sleep(500);
    assert.equal((await info(bad.r))['master_link_status'], 'down');
    await bad.r.config('SET', 'masterauth', 'sekret');
    await waitInSync(mr, bad.r);
    assert.equal(await bad.r.get('k'), 'v');
  });

  test('killing and restarting the primary with a new dataset, and restarting the replica', async () => {
    const m = await node();
    await m.r.set('generation', '1');
    const s = await node(['--replicaof', '127.0.0.1', String(m.p.port)]);
    await waitInSync(m.r, s.r);
    const port = m.p.port;
    await m.p.stop('SIGKILL');
    await waitFor(async () => (await info(s.r))['master_link_status'] === 'down', 10000, 'link down');
    assert.equal(await s.r.get('generation'), '1', 'the replica keeps serving its data');
    const m2 = await startDamselfly(['--enable-debug-command', 'yes', '--port', String(port)]);
    procs.push(m2);
    const r2 = connect(port);
    clients.push(r2);
    await r2.set('generation', '2');
    await waitInSync(r2, s.r);
    assert.equal(await s.r.get('generation'), '2');

    // The replica dies and comes back: a full sync gives it the primary's current dataset.
    await s.p.stop('SIGKILL');
    await r2.set('while-replica-down', '1');
    const s2 = await node(['--replicaof', '127.0.0.1', String(port)]);
    await waitInSync(r2, s2.r);
    await assertSameData(r2, s2.r);
  });

  test('min-replicas-to-write, replica-serve-stale-data no, and a slow replica cut by its output buffer limit', async () => {
    const m = await node(['--min-replicas-to-write', '1', '--min-replicas-max-lag', '10', '--client-output-buffer-limit', 'replica 1mb 0 0']);
    await assert.rejects(m.r.set('x', '1'), /^ReplyError: NOREPLICAS Not enough good replicas to write\.$/);
    const s = await node(['--replicaof', '127.0.0.1', String(m.p.port), '--replica-serve-stale-data', 'no']);
    await waitInSync(m.r, s.r);
    await waitFor(async () => (await info(m.r))['min_slaves_good_slaves'] === '1', 10000, 'one good replica');
    await m.r.set('x', '1');
    assert.equal(await m.r.call('WAIT', '1', '5000'), 1);
    assert.equal(await s.r.get('x'), '1');

    // Stop the replica's process (SIGSTOP): it reads nothing, the primary's output for it
    // grows past 1 MB and the primary drops it instead of buffering without bound; its
    // clients are never held up.
    s.p.proc.kill('SIGSTOP');
    const big = 'z'.repeat(100 * 1024);
    await m.r.config('SET', 'min-replicas-to-write', '0');
    const t0 = Date.now();
    for (let i = 0; i < 300; i++) await m.r.set('big' + (i % 50), big);
    assert.ok(Date.now() - t0 < 10000, 'writes to the primary are not held up by a stalled replica');
    await waitFor(async () => (await info(m.r))['connected_slaves'] === '0', 15000, 'the stalled replica to be dropped');
    assert.match(m.p.output(), /scheduled to be closed ASAP for overcoming of output buffer limits/);
    s.p.proc.kill('SIGCONT');
    // It reconnects by itself and converges; while its link is down it refuses to serve data.
    await waitInSync(m.r, s.r, 30000);
    await assertSameData(m.r, s.r);
    await m.p.stop('SIGKILL');
    await waitFor(async () => (await info(s.r))['master_link_status'] === 'down', 10000, 'link down');
    await assert.rejects(s.r.get('x'), /MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'\./);
    assert.equal((await s.r.call('ROLE') as unknown[])[0], 'slave', 'ROLE is still served (stale flag)');
  });

  test('100 REPLICAOF calls in a row leave a working replica', async () => {
    const a = await node();
    const b = await node();
    await a.r.set('who', 'a');
    await b.r.set('who', 'b');
    const s = await node();
    for (let i = 0; i < 100; i++) {
      await s.r.call('REPLICAOF', '127.0.0.1', String(i % 2 === 0 ? a.p.port : b.p.port));
    }
    // The last call pointed at b.
    await waitInSync(b.r, s.r);
    assert.equal(await s.r.get('who'), 'b');
    await assertSameData(b.r, s.r);
  });

  test('a full sync that fails part-way forgets the old history: back on the old master, the replica resyncs in full', async () => {
    const b = await node();
    await b.r.set('who', 'b');
    const s = await node(['--replicaof', '127.0.0.1', String(b.p.port)]);
    await waitInSync(b.r, s.r);
    // A master that starts a full sync and dies in the middle of the payload.
    const psyncs: string[] = [];
    const broken = net.createServer((sock) => {
      let seen = '';
      sock.on('error', () => {});
      sock.on('data', (d) => {
        seen += d.toString('latin1');
        for (;;) {
          const m = /\*(\d+)\r\n((?:\$\d+\r\n[^\r]*\r\n)+)/.exec(seen);
          if (m === null) return;
          const argv = [...m[2]!.matchAll(/\$\d+\r\n([^\r]*)\r\n/g)].map((x) => x[1]!);
          if (argv.length < Number(m[1])) return;
          seen = seen.slice(m.index + m[0].length);
          const cmd = argv[0]!.toUpperCase();
          if (cmd === 'PING') sock.write('+PONG\r\n');
          else if (cmd === 'REPLCONF') sock.write('+OK\r\n');
          else if (cmd === 'PSYNC') {
            psyncs.push(argv.join(' '));
            sock.write('+FULLRESYNC ' + 'f'.repeat(40) + ' 0\r\n$1000\r\nREDIS0009');
            setTimeout(() => sock.destroy(), 50);
          }
        }
      });
    });
    await new Promise<void>((r) => broken.listen(0, '127.0.0.1', r));
    try {
      const brokenPort = (broken.address() as net.AddressInfo).port;
      await s.r.call('REPLICAOF', '127.0.0.1', String(brokenPort));
      await waitFor(() => psyncs.length >= 2, 10000, 'two sync attempts on the broken master');
      // Between attempts (outside a load, which answers LOADING) the dataset is empty.
      await waitFor(() => s.r.dbsize().then((n) => n === 0, () => false), 10000, 'an empty dataset after the failed load');
      // The dataset was dropped with the first attempt: the retry must not claim b's history.
      assert.equal(psyncs[1], 'PSYNC ? -1');
      await s.r.call('REPLICAOF', '127.0.0.1', String(b.p.port));
      await waitInSync(b.r, s.r);
      assert.equal(await s.r.get('who'), 'b');
      await assertSameData(b.r, s.r);
    } finally {
      broken.close();
    }
  });

  test('REPLTAKEOVER under load: no acknowledged write is lost and the old primary follows', async () => {
    const m = await node();
    const s = await node(['--replicaof', '127.0.0.1', String(m.p.port)]);
    await waitInSync(m.r, s.r);
    const w = connect(m.p.port);
    clients.push(w);
    const acked: number[] = [];
    let stop = false;
    const load = (async () => {
      for (let i = 0; !stop; i++) {
        try {
          await w.set('w' + i, String(i));
          acked.push(i);
        } catch {
          await sleep(5);
        }
      }
    })();
    await sleep(300);
    assert.equal(await s.r.call('REPLTAKEOVER', '10'), 'OK');
    stop = true;
    await load;
    assert.equal((await info(s.r))['role'], 'master');
    for (const i of acked) assert.equal(await s.r.get('w' + i), String(i), 'acknowledged write w' + i + ' is on the new primary');
    await waitFor(async () => (await info(m.r))['role'] === 'slave', 10000, 'old primary becomes a replica');
    await waitInSync(s.r, m.r);
    await assertSameData(s.r, m.r);
  });
});
