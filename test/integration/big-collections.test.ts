/**
 * Big sets, hashes and sorted sets (the "hashtable"/"skiplist" encodings, DenseSet/DenseMap):
 * more members than one V8 Map can hold, and SCAN cursors that survive deletions.
 */

import { createHash } from 'node:crypto';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { startDamselfly, type ServerProcess } from '../helpers/servers.js';
import { connect, info, rng, sleep, waitFor, waitInSync } from '../helpers/replication.js';

const procs: ServerProcess[] = [];
const clients: Redis[] = [];

after(async () => {
  for (const c of clients) c.disconnect();
  await Promise.all(procs.map((p) => p.stop('SIGKILL')));
});

async function node(args: string[] = [], dir?: string): Promise<Redis> {
  return (await nodeProc(args, dir)).r;
}

async function nodeProc(args: string[] = [], dir?: string): Promise<{ p: ServerProcess; r: Redis }> {
  const p = await startDamselfly(['--enable-debug-command', 'yes', ...args], dir === undefined ? {} : { dir });
  procs.push(p);
  const r = connect(p.port);
  clients.push(r);
  return { p, r };
}

/** Fills a hash, a set, a sorted set and a list of `n` elements each, and some plain keys. */
async function fillBig(r: Redis, n: number): Promise<void> {
  for (let i = 0; i < n; i += 5000) {
    const pipe = r.pipeline();
    const h: string[] = [];
    const s: string[] = [];
    const z: string[] = [];
    const l: string[] = [];
    for (let j = i; j < Math.min(n, i + 5000); j++) {
      l.push('element:' + j);
      h.push('field:' + j, 'value:' + j + ':' + 'abcdefgh'.repeat(6)); // > 20 bytes: each one is LZF-compressed when saved
      s.push('member:' + j);
      z.push(String(j % 1000), 'm:' + j);
    }
    pipe.hset('bh', ...h).sadd('bs', ...s).zadd('bz', ...z).rpush('bl', ...l);
    for (let j = 0; j < 50; j++) pipe.set('k' + (i + j), 'v' + j);
    await pipe.exec();
  }
}

/** The whole content of the dataset fillBig made (and the writers changed), as one hash. */
async function content(r: Redis): Promise<string> {
  const h = createHash('sha1');
  const pairs = await r.hgetall('bh');
  for (const f of Object.keys(pairs).sort()) h.update(f + '=' + pairs[f] + ';');
  for (const m of (await r.smembers('bs')).sort()) h.update(m + ';');
  for (const x of await r.zrange('bz', '0', '-1', 'WITHSCORES')) h.update(x + ';');
  for (const x of await r.lrange('bl', 0, -1)) h.update(x + ';');
  const keys = (await r.keys('k*')).sort();
  for (let i = 0; i < keys.length; i += 1000) {
    const vals = await r.mget(...keys.slice(i, i + 1000));
    vals.forEach((v, j) => h.update(keys[i + j]! + '=' + v + ';'));
  }
  return h.digest('hex');
}

/** Writes to other keys (and, with `touchBig`, to the big values) until the returned stop() is called. */
function writer(r: Redis, touchBig: boolean): () => Promise<void> {
  let stop = false;
  const loop = (async () => {
    for (let i = 0; !stop; i++) {
      const p = r.pipeline().set('k' + i, 'changed').del('k' + (i + 100_000));
      if (touchBig) {
        p.hset('bh', 'new' + i, 'x').sadd('bs', 'new' + i).zadd('bz', '5', 'new' + i).hdel('bh', 'field:' + i).srem('bs', 'member:' + i * 7).zadd('bz', '7', 'm:' + i);
        p.rpush('bl', 'new' + i).lpop('bl').lset('bl', String(i * 13), 'set' + i).linsert('bl', 'BEFORE', 'element:' + i * 11, 'ins' + i);
      }
      await p.exec();
      await sleep(2);
    }
  })();
  return async () => {
    stop = true;
    await loop;
  };
}

/** A PING every ms on its own connection until stop(), which resolves to the longest wait (ms). */
function prober(probe: Redis): () => Promise<number> {
  let stop = false;
  let max = 0;
  const loop = (async () => {
    while (!stop) {
      const t = performance.now();
      await probe.ping();
      max = Math.max(max, performance.now() - t);
      await sleep(1);
    }
  })();
  return async () => {
    stop = true;
    await loop;
    return max;
  };
}

/** Runs a full *SCAN over `key`, calling `between` after every call; returns what it saw and the number of calls. */
async function fullScan(r: Redis, cmd: 'hscan' | 'sscan' | 'zscan', key: string, count: number, between: () => Promise<void>): Promise<{ seen: Set<string>; calls: number }> {
  const seen = new Set<string>();
  let cursor = '0';
  let calls = 0;
  do {
    const [next, items] = (await r.call(cmd.toUpperCase(), key, cursor, 'COUNT', String(count))) as [string, string[]];
    const step = cmd === 'sscan' ? 1 : 2;
    for (let i = 0; i < items.length; i += step) seen.add(items[i]!);
    cursor = next;
    calls++;
    await between();
  } while (cursor !== '0');
  return { seen, calls };
}

describe('big collections', () => {
  test('a set holds more members than a V8 Map can (2^24 + 10,000), and stays usable', { timeout: 600_000 }, async () => {
    const r = await node();
    const n = (1 << 24) + 10_000;
    const batch = 10_000;
    for (let start = 0; start < n; ) {
      const pipe = r.pipeline();
      for (let k = 0; k < 20 && start < n; k++) {
        const end = Math.min(n, start + batch);
        const members: string[] = new Array<string>(end - start);
        for (let i = start; i < end; i++) members[i - start] = String(i);
        pipe.sadd('big', members);
        start = end;
      }
      const res = (await pipe.exec())!;
      for (const [err] of res) assert.equal(err, null);
    }
    assert.equal(await r.scard('big'), n);
    assert.equal(await r.sismember('big', '0'), 1);
    assert.equal(await r.sismember('big', String(n - 1)), 1);
    assert.equal(await r.sismember('big', String(n)), 0);
    assert.equal(await r.srem('big', '12345', String(n - 1)), 2);
    assert.equal(await r.scard('big'), n - 2);
    assert.equal(await r.sadd('big', 'extra', '12345'), 2);
    assert.equal(await r.scard('big'), n);
    const pick = await r.srandmember('big');
    assert.equal(await r.sismember('big', pick!), 1);
    const [cursor, some] = (await r.sscan('big', '0', 'COUNT', '100')) as [string, string[]];
    assert.notEqual(cursor, '0');
    assert.ok(some.length >= 100);
    assert.equal(await r.unlink('big'), 1);
    assert.equal(await r.exists('big'), 0);
    assert.equal(await r.ping(), 'PONG');
  });

  test('BGSAVE and a replica full sync write big values in pieces: point-in-time content, no long stall', async () => {
    const { p, r } = await nodeProc();
    const n = 200_000;
    await fillBig(r, n);
    const before = await content(r);
    const probe = connect(p.port);
    clients.push(probe);

    const bgsave = async (touchBig: boolean): Promise<number> => {
      // The probe runs before BGSAVE starts: the walk reaches the big values (the oldest keys) at once.
      const stopProbe = prober(probe);
      await sleep(20);
      assert.equal(await r.bgsave(), 'Background saving started');
      const stopWrites = writer(r, touchBig);
      await waitFor(async () => (await info(r, 'persistence'))['rdb_bgsave_in_progress'] === '0', 60000, 'BGSAVE to finish');
      await stopWrites();
      const stall = await stopProbe();
      assert.equal((await info(r, 'persistence'))['rdb_last_bgsave_status'], 'ok');
      return stall;
    };
    const loadedDigest = async (): Promise<string> => {
      return content(await node([], p.dir));
    };

    // 1. Writes to other keys while BGSAVE runs: the big values are written in pieces, the
    // server keeps answering (writing the 200,000-field hash in one piece took ~0.25 s before).
    const saveStall = await bgsave(false);
    assert.notEqual(await content(r), before, 'the writes changed the dataset');
    assert.equal(await loadedDigest(), before, 'the file holds the dataset as it was when BGSAVE began');

    // 2. Writes to the big values too: they are written from frozen views, so a write to one,
    // open or not reached yet, does not wait for it to be written (encoding them whole before
    // the first write took 150-300 ms).
    const before2 = await content(r);
    const writeStall = await bgsave(true);
    assert.equal(await loadedDigest(), before2);

    // 3. A replica's full sync (the same snapshot engine, streamed) while the big values change.
    const replica = await node(['--replicaof', '127.0.0.1', String(p.port)]);
    const stopSync = writer(r, true);
    await waitFor(async () => (await info(replica))['master_link_status'] === 'up', 60000, 'replica to finish its full sync');
    await stopSync();
    await waitInSync(r, replica);
    assert.equal(await content(replica), await content(r));
    assert.ok(saveStall < 120, 'longest PING wait during BGSAVE: ' + saveStall.toFixed(1) + ' ms');
    assert.ok(writeStall < 120, 'longest PING wait during BGSAVE, writing to the big values: ' + writeStall.toFixed(1) + ' ms');
  });

  test('HSCAN, SSCAN and ZSCAN return every member present for the whole iteration while others are deleted and added', async () => {
    const r = await node();
    const rand = rng(5);
    const n = 20_000;
    const fields: string[] = [];
    for (let i = 0; i < n; i++) fields.push('f' + i);
    for (let i = 0; i < n; i += 1000) {
      const chunk = fields.slice(i, i + 1000);
      await r.hset('h', Object.fromEntries(chunk.map((f) => [f, 'v' + f])));
      await r.sadd('s', chunk);
      await r.zadd('z', ...chunk.flatMap((f, j) => [String(i + j), f]));
    }
    assert.equal((await r.object('ENCODING', 'h')) as string, 'hashtable');
    assert.equal((await r.object('ENCODING', 's')) as string, 'hashtable');
    assert.equal((await r.object('ENCODING', 'z')) as string, 'skiplist');
    let added = 0;
    for (const [cmd, key] of [
      ['hscan', 'h'],
      ['sscan', 's'],
      ['zscan', 'z'],
    ] as const) {
      const deleted = new Set<string>();
      const { seen, calls } = await fullScan(r, cmd, key, 50, async () => {
        // Between calls: delete 5 random original members and add 5 new ones.
        for (let j = 0; j < 5; j++) {
          const f = fields[Math.floor(rand() * n)]!;
          deleted.add(f);
          const g = 'new' + added++;
          if (cmd === 'hscan') await r.multi().hdel(key, f).hset(key, g, '1').exec();
          else if (cmd === 'sscan') await r.multi().srem(key, f).sadd(key, g).exec();
          else await r.multi().zrem(key, f).zadd(key, '1', g).exec();
        }
      });
      for (const f of fields) if (!deleted.has(f)) assert.ok(seen.has(f), cmd + ' returned ' + f + ', present for the whole iteration');
      // COUNT is honoured: about n/50 calls, not one call per member or a single call.
      assert.ok(calls >= n / 50 && calls < (n / 50) * 2, cmd + ' took ' + calls + ' calls');
    }
  });

  test('a SCAN call late in a big hash costs no more than an early one', async () => {
    const r = await node();
    const n = 1_000_000;
    for (let i = 0; i < n; i += 10_000) {
      const pipe = r.pipeline();
      const args: string[] = [];
      for (let j = i; j < i + 10_000; j++) args.push('f' + j, 'v');
      pipe.hset('h', ...args);
      await pipe.exec();
    }
    assert.equal(await r.hlen('h'), n);
    // Walk the whole hash with COUNT 1000: a position-in-insertion-order cursor walked the map
    // from the start on every call (O(n^2) in all: 5.7 ms a call on average, measured); a slot
    // cursor costs COUNT per call (0.27 ms; Redis 0.73 ms).
    await r.config('RESETSTAT');
    const { seen, calls } = await fullScan(r, 'hscan', 'h', 1000, async () => {});
    assert.equal(seen.size, n);
    assert.equal(calls, n / 1000);
    const stats = await info(r, 'commandstats');
    const usec = Number(/usec_per_call=([\d.]+)/.exec(stats['cmdstat_hscan']!)![1]);
    assert.ok(usec < 2000, 'HSCAN took ' + usec + ' µs per call');
  });
});
