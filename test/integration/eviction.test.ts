/**
 * maxmemory and eviction against spawned servers (src/store/evict.ts): the OOM error and which
 * commands it refuses (side by side with redis-server 7.0.15), what each maxmemory-policy
 * evicts (statistically, with a clear margin), OBJECT FREQ under the LFU policies (side by
 * side), the INFO fields, write floods against a small maxmemory, and that evictions and
 * expirations reach replicas (a Damselfly one and a redis-server one) as DEL/UNLINK, so they
 * stay exact copies while never evicting or expiring on their own. The exact propagated
 * forms are checked in test/unit/evict.test.ts.
 */

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startDamselfly, startRedis, type ServerProcess } from '../helpers/servers.js';
import { redisClient as client } from '../helpers/assertions.js';
import { digest, waitFor, waitInSync } from '../helpers/replication.js';

const sleep = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));

const OOM = "OOM command not allowed when used memory > 'maxmemory'.";

function infoField(info: string, name: string): string {
  const m = new RegExp('(?:^|\\n)' + name + ':([^\\r\\n]*)').exec(info);
  assert.ok(m !== null, 'INFO has ' + name);
  return m[1]!;
}

async function num(r: Redis, name: string): Promise<number> {
  return Number(infoField(await r.info(), name));
}

/** Reply or error text of one command, for side-by-side comparison. */
async function outcome(r: Redis, args: Array<string | number>): Promise<unknown> {
  try {
    return await r.call(String(args[0]), ...args.slice(1).map(String));
  } catch (e) {
    return 'ERROR ' + (e as Error).message;
  }
}

/** Writes n keys `prefix<i>` with `size`-byte values, 1000 per pipeline. */
async function fill(r: Redis, prefix: string, n: number, size: number, ex?: (i: number) => number): Promise<void> {
  const value = Buffer.alloc(size, 120);
  for (let i = 0; i < n; i += 1000) {
    const p = r.pipeline();
    for (let j = i; j < Math.min(n, i + 1000); j++) {
      if (ex === undefined) p.set(prefix + j, value);
      else p.set(prefix + j, value, 'EX', ex(j));
    }
    const res = await p.exec();
    for (const [e] of res!) assert.equal(e, null);
  }
}

/** Which of `prefix<from..to-1>` still exist. */
async function present(r: Redis, prefix: string, from: number, to: number): Promise<boolean[]> {
  const out: boolean[] = [];
  for (let i = from; i < to; i += 1000) {
    const p = r.pipeline();
    for (let j = i; j < Math.min(to, i + 1000); j++) p.exists(prefix + j);
    for (const [e, v] of (await p.exec())!) {
      assert.equal(e, null);
      out.push(v === 1);
    }
  }
  return out;
}

const rate = (xs: boolean[]): number => xs.filter(Boolean).length / xs.length;

/**
 * Lowers maxmemory to `bytes` below the current used_memory and waits until eviction has
 * brought used_memory under it (the eviction timer works between commands; PING nudges it).
 */
async function squeeze(r: Redis, bytes: number): Promise<number> {
  const used = await num(r, 'used_memory');
  const max = used - bytes;
  await r.config('SET', 'maxmemory', String(max));
  for (let i = 0; i < 200; i++) {
    await r.ping();
    if ((await num(r, 'used_memory')) <= max) return max;
    await sleep(20);
  }
  assert.fail('used_memory did not go under maxmemory ' + max + ': ' + (await num(r, 'used_memory')));
}

async function reset(r: Redis, policy: string): Promise<void> {
  await r.config('SET', 'maxmemory', '0');
  await r.flushall();
  await r.config('SET', 'maxmemory-policy', policy);
}

describe('against Damselfly', () => {
  let srv: ServerProcess;
  let r: Redis;

  before(async () => {
    srv = await startDamselfly();
    r = client(srv.port);
  });

  after(async () => {
    r?.disconnect();
    await srv?.stop();
  });

  test('allkeys-lru evicts idle keys and keeps recently read ones', async (t) => {
    await reset(r, 'allkeys-lru');
    const n = 15000;
    await fill(r, 'k', n, 1000);
    // The LRU clock has a resolution of one second, as in Redis.
    await sleep(2200);
    const hot = 1500; // k0..k1499
    for (let i = 0; i < hot; i += 500) {
      const p = r.pipeline();
      for (let j = i; j < i + 500; j++) p.get('k' + j);
      await p.exec();
    }
    const evictedBefore = await num(r, 'evicted_keys');
    await squeeze(r, 5_000_000);
    const hotAlive = rate(await present(r, 'k', 0, hot));
    const coldAlive = rate(await present(r, 'k', hot, n));
    t.diagnostic('survival: read ' + hotAlive + ', idle ' + coldAlive);
    assert.ok(hotAlive >= 0.97, 'recently read keys kept: ' + hotAlive);
    assert.ok(coldAlive <= 0.8, 'idle keys evicted: ' + coldAlive);
    const evicted = (await num(r, 'evicted_keys')) - evictedBefore;
    assert.equal(evicted, n - (await r.dbsize()), 'evicted_keys counts every eviction');
    assert.ok(evicted > 3000, 'evicted ' + evicted);
  });

  test('allkeys-lfu keeps frequently read keys', async (t) => {
    await reset(r, 'allkeys-lfu');
    const n = 15000;
    const hot = 1500;
    await fill(r, 'k', n, 1000);
    // Spread over the keyspace: every tenth key is read 10 times.
    for (let round = 0; round < 10; round++) {
      const p = r.pipeline();
      for (let j = 0; j < n; j += 10) p.get('k' + j);
      await p.exec();
    }
    // (A counter decays by one when a minute boundary passes, so compare rather than expect 5.)
    assert.ok(Number(await r.object('FREQ', 'k0')) > Number(await r.object('FREQ', 'k1')));
    assert.ok(Number(await r.object('FREQ', 'k1')) <= 5);
    await squeeze(r, 5_000_000);
    const all = await present(r, 'k', 0, n);
    const hotAlive = rate(all.filter((_, i) => i % 10 === 0));
    const coldAlive = rate(all.filter((_, i) => i % 10 !== 0));
    assert.equal(all.filter((_, i) => i % 10 === 0).length, hot);
    t.diagnostic('survival: read 10 times ' + hotAlive + ', never read ' + coldAlive);
    assert.ok(hotAlive >= 0.97, 'frequently read keys kept: ' + hotAlive);
    assert.ok(coldAlive <= 0.8, 'rarely read keys evicted: ' + coldAlive);
  });

  test('volatile-lru and volatile-random evict only keys with a TTL, then answer OOM', async () => {
    for (const policy of ['volatile-lru', 'volatile-random', 'volatile-lfu']) {
      await reset(r, policy);
      await fill(r, 'p', 5000, 1000);
      await fill(r, 'v', 5000, 1000, () => 100_000);
      const evictedBefore = await num(r, 'evicted_keys');
      await squeeze(r, 2_000_000);
      assert.equal(rate(await present(r, 'p', 0, 5000)), 1, policy + ': keys without TTL stay');
      const vAlive = rate(await present(r, 'v', 0, 5000));
      assert.ok(vAlive > 0.3 && vAlive < 0.8, policy + ': some volatile keys evicted: ' + vAlive);
      assert.ok((await num(r, 'evicted_keys')) > evictedBefore);
      // More than all volatile keys can free: they all go (the eviction timer works while
      // commands are still accepted, as in Redis), then writes are refused.
      await r.config('SET', 'maxmemory', String((await num(r, 'used_memory')) - 8_000_000));
      for (let i = 0; i < 200 && !/expires=0,/.test(await r.info('keyspace')); i++) await sleep(10);
      await assert.rejects(r.set('new', 'x'), { message: OOM });
      assert.equal(rate(await present(r, 'v', 0, 5000)), 0, policy + ': every volatile key evicted');
      assert.equal(rate(await present(r, 'p', 0, 5000)), 1, policy);
      assert.equal(await r.get('new'), null);
      assert.equal((await r.get('p1'))?.length, 1000, 'reads still served');
      assert.equal(await r.del('p1'), 1, 'DEL still served');
      await assert.rejects(r.set('new', 'x'), { message: OOM });
    }
  });

  test('volatile-ttl evicts the keys that expire soonest first', async (t) => {
    await reset(r, 'volatile-ttl');
    const n = 9000;
    await fill(r, 'v', n, 1000, (i) => 10_000 + i * 10);
    await squeeze(r, 3_000_000);
    const alive = await present(r, 'v', 0, n);
    const soonest = rate(alive.slice(0, n / 3));
    const latest = rate(alive.slice((2 * n) / 3));
    t.diagnostic('survival: shortest third ' + soonest + ', longest third ' + latest);
    assert.ok(soonest <= 0.3, 'shortest TTLs evicted: ' + soonest);
    assert.ok(latest >= 0.97, 'longest TTLs kept: ' + latest);
  });

  test('allkeys-random evicts from every database', async () => {
    await reset(r, 'allkeys-random');
    await fill(r, 'a', 5000, 1000);
    await r.select(5);
    await fill(r, 'b', 5000, 1000);
    await r.select(0);
    await squeeze(r, 3_000_000);
    const a = rate(await present(r, 'a', 0, 5000));
    await r.select(5);
    const b = rate(await present(r, 'b', 0, 5000));
    await r.select(0);
    assert.ok(a < 0.95 && b < 0.95, 'both databases lost keys: ' + a + ' ' + b);
  });

  test('INFO memory and stats fields stay consistent under eviction', async () => {
    await reset(r, 'allkeys-lru');
    await fill(r, 'k', 5000, 1000);
    const max = await squeeze(r, 2_000_000);
    const info = await r.info();
    const used = Number(infoField(info, 'used_memory'));
    const rss = Number(infoField(info, 'used_memory_rss'));
    assert.equal(infoField(info, 'maxmemory'), String(max));
    assert.equal(infoField(info, 'maxmemory_policy'), 'allkeys-lru');
    assert.ok(used <= max);
    assert.ok(Number(infoField(info, 'used_memory_peak')) >= used);
    assert.equal(infoField(info, 'mem_fragmentation_ratio'), (rss / used).toFixed(2));
    assert.ok(Number(infoField(info, 'evicted_keys')) > 0);
    assert.equal(infoField(info, 'mem_not_counted_for_evict'), '0');
    assert.ok(Number(infoField(info, 'total_eviction_exceeded_time')) >= 0);
    assert.equal(infoField(info, 'current_eviction_exceeded_time'), '0');
    // Deleting keys gives used_memory back (the keyspace's live bytes, not its slab pages).
    await r.config('SET', 'maxmemory', '0');
    await r.flushdb();
    assert.ok((await num(r, 'used_memory')) < used - 1_000_000);
  });

  test('a 200 MB write flood against maxmemory 20mb stays up, evicts or answers OOM, RSS bounded', async (t) => {
    const srv2 = await startDamselfly(['--maxmemory', '20mb', '--maxmemory-policy', 'allkeys-lru']);
    const r2 = client(srv2.port);
    try {
      const value = Buffer.alloc(1000, 97);
      const total = 200 * 1024 * 1024;
      let maxRss = 0;
      for (const policy of ['allkeys-lru', 'noeviction']) {
        await r2.config('SET', 'maxmemory-policy', policy);
        let ok = 0;
        let oom = 0;
        for (let i = 0; i * value.length < total / 2; i += 2000) {
          const p = r2.pipeline();
          for (let j = i; j < i + 2000; j++) p.set(policy + ':' + j, value);
          for (const [e] of (await p.exec())!) {
            if (e === null) ok++;
            else if (e.message === OOM) oom++;
            else assert.fail('unexpected reply ' + e.message);
          }
          if (i % 20000 === 0) maxRss = Math.max(maxRss, await num(r2, 'used_memory_rss'));
        }
        const used = await num(r2, 'used_memory');
        assert.ok(used <= 21 * 1024 * 1024, policy + ': used_memory ' + used);
        if (policy === 'allkeys-lru') {
          assert.equal(oom, 0);
          assert.ok((await num(r2, 'evicted_keys')) > 50_000);
        } else {
          assert.ok(oom > 50_000, 'OOM replies: ' + oom);
          assert.ok((await r2.get('noeviction:0')) !== null, 'reads still served');
        }
        assert.ok(ok > 0);
        t.diagnostic(policy + ': ' + ok + ' OK, ' + oom + ' OOM, used_memory ' + used);
      }
      assert.equal(await r2.ping(), 'PONG');
      maxRss = Math.max(maxRss, await num(r2, 'used_memory_rss'));
      t.diagnostic('highest RSS seen ' + maxRss);
      assert.ok(maxRss < 256 * 1024 * 1024, 'RSS stayed bounded: ' + maxRss);
      assert.equal(srv2.proc.exitCode, null);
      assert.doesNotMatch(srv2.output(), /heap out of memory/i);
    } finally {
      r2.disconnect();
      await srv2.stop();
    }
  });
});

describe('side by side with redis-server 7.0', () => {
  let dam: ServerProcess;
  let ref: ServerProcess;
  let d: Redis;
  let x: Redis;

  before(async () => {
    [dam, ref] = await Promise.all([startDamselfly(), startRedis()]);
    d = client(dam.port);
    x = client(ref.port);
  });

  after(async () => {
    d?.disconnect();
    x?.disconnect();
    await Promise.all([dam?.stop(), ref?.stop()]);
  });

  const both = async (fn: (r: Redis) => Promise<unknown>): Promise<[unknown, unknown]> => [await fn(d), await fn(x)];

  test('noeviction: the OOM error, and which commands it refuses', async () => {
    const script: Array<Array<string | number>> = [
      ['SET', 'c', 'new'],
      ['SET', 'a', 'overwrite'],
      ['GET', 'a'],
      ['MGET', 'a', 'b'],
      ['STRLEN', 'a'],
      ['INCR', 'n'],
      ['INCRBY', 'n', 5],
      ['INCRBYFLOAT', 'n', 1.5],
      ['DECR', 'n'],
      ['APPEND', 'a', 'x'],
      ['SETRANGE', 'a', 0, 'x'],
      ['SETNX', 'zz', 'x'],
      ['SETEX', 'a', 100, 'x'],
      ['PSETEX', 'a', 100000, 'x'],
      ['MSET', 'a', 1, 'b', 2],
      ['MSETNX', 'q1', 1],
      ['GETSET', 'a', 'x'],
      ['GETEX', 'a', 'EX', 100],
      ['SETBIT', 'bits', 3, 1],
      ['BITOP', 'OR', 'dest', 'a'],
      ['BITFIELD', 'bits', 'SET', 'u8', 0, 1],
      ['BITFIELD_RO', 'bits', 'GET', 'u8', 0],
      ['COPY', 'a', 'a2'],
      ['EXPIRE', 'a', 1000],
      ['PERSIST', 'a'],
      ['RENAME', 'b', 'b2'],
      ['EXISTS', 'a', 'b2'],
      ['TYPE', 'a'],
      ['DEL', 'b2'],
      ['GETDEL', 'n'],
      ['DBSIZE'],
      ['PING'],
      ['ECHO', 'hi'],
    ];
    const results: Array<[unknown, unknown]> = [];
    for (const r of [d, x]) {
      await r.config('SET', 'maxmemory', '0');
      await r.config('SET', 'maxmemory-policy', 'noeviction');
      await r.flushall();
      await r.mset('a', 'va', 'b', 'vb', 'n', '10', 'bits', 'x');
      await r.config('SET', 'maxmemory', '1');
    }
    for (const cmd of script) results.push(await both((r) => outcome(r, cmd)));
    for (let i = 0; i < script.length; i++) assert.deepEqual(results[i]![0], results[i]![1], script[i]!.join(' '));
    assert.equal(results[0]![0], 'ERROR ' + OOM);
    const [dInfo, xInfo] = await both((r) => r.info('errorstats'));
    assert.equal(/errorstat_OOM:count=(\d+)/.exec(dInfo as string)?.[1], /errorstat_OOM:count=(\d+)/.exec(xInfo as string)?.[1]);
    for (const r of [d, x]) await r.config('SET', 'maxmemory', '0');
    assert.deepEqual(...(await both((r) => r.set('c', 'new'))));
  });

  test('allkeys policies with nothing left to evict answer OOM too', async () => {
    for (const policy of ['allkeys-lru', 'allkeys-random']) {
      for (const r of [d, x]) {
        await r.config('SET', 'maxmemory', '0');
        await r.flushall();
        await r.config('SET', 'maxmemory-policy', policy);
        await r.mset('a', '1', 'b', '2');
        await r.config('SET', 'maxmemory', '1');
      }
      const [dr, xr] = await both((r) => outcome(r, ['SET', 'c', '3']));
      assert.deepEqual(dr, xr, policy);
      assert.equal(dr, 'ERROR ' + OOM);
      assert.deepEqual(...(await both((r) => r.dbsize())), policy + ': every key was evicted first');
      assert.deepEqual(...(await both((r) => outcome(r, ['GET', 'a']))));
    }
    for (const r of [d, x]) await r.config('SET', 'maxmemory', '0');
  });

  test('OBJECT FREQ counts accesses like Redis: lfu-log-factor 0 exactly, 10 statistically', async (t) => {
    for (const r of [d, x]) {
      await r.flushall();
      await r.config('SET', 'maxmemory-policy', 'allkeys-lfu');
      await r.config('SET', 'lfu-log-factor', '0');
    }
    const seq = async (r: Redis): Promise<unknown[]> => {
      const out: unknown[] = [];
      await r.set('k', 'v');
      out.push(await r.object('FREQ', 'k'));
      for (const n of [1, 9, 30, 100]) {
        const p = r.pipeline();
        for (let i = 0; i < n; i++) p.get('k');
        await p.exec();
        out.push(await r.object('FREQ', 'k'));
      }
      // Commands that do not touch: EXISTS, TYPE, OBJECT itself; a miss; a new key; COPY.
      // (Not a small integer value: with maxmemory 0 Redis shares those objects, LFU word too.)
      await r.exists('k');
      await r.type('k');
      await r.object('ENCODING', 'k');
      out.push(await r.object('FREQ', 'k'));
      out.push(await outcome(r, ['OBJECT', 'FREQ', 'nokey']));
      await r.set('n', 'new');
      out.push(await r.object('FREQ', 'n'));
      await r.call('COPY', 'k', 'k2');
      out.push(await r.object('FREQ', 'k2'));
      out.push(await outcome(r, ['OBJECT', 'IDLETIME', 'k']));
      return out;
    };
    // LFU counters decay when a minute boundary passes: keep the sequence clear of one.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 55_000) await sleep(60_000 - intoMinute + 300);
    const [dr, xr] = await both(seq);
    assert.deepEqual(dr, xr);
    assert.deepEqual((dr as unknown[]).slice(0, 5), [5, 6, 15, 45, 145]);

    // lfu-log-factor 10: the mean counter after 1000 reads agrees within a small margin (the
    // standard deviation of the difference of two 100-key means is about 0.3).
    const keys = 100;
    const mean = async (r: Redis): Promise<number> => {
      await r.config('SET', 'lfu-log-factor', '10');
      await r.flushall();
      for (let k = 0; k < keys; k++) await r.set('f' + k, 'v');
      for (let i = 0; i < 1000; i += 100) {
        const p = r.pipeline();
        for (let j = i; j < i + 100; j++) for (let k = 0; k < keys; k++) p.get('f' + k);
        await p.exec();
      }
      let sum = 0;
      for (let k = 0; k < keys; k++) sum += Number(await r.object('FREQ', 'f' + k));
      return sum / keys;
    };
    if (Date.now() % 60_000 > 55_000) await sleep(60_000 - (Date.now() % 60_000) + 300);
    const [dm, xm] = (await both(mean)) as [number, number];
    t.diagnostic('mean OBJECT FREQ after 1000 reads: damselfly ' + dm + ', redis ' + xm);
    assert.ok(Math.abs(dm - xm) < 1.5, 'mean OBJECT FREQ after 1000 reads: damselfly ' + dm + ', redis ' + xm);
    assert.ok(dm > 12 && dm < 25, 'mean ' + dm);

    // Back to LRU: FREQ is refused, IDLETIME works again.
    for (const r of [d, x]) await r.config('SET', 'maxmemory-policy', 'allkeys-lru');
    assert.deepEqual(...(await both((r) => outcome(r, ['OBJECT', 'FREQ', 'f0']))));
    // (IDLETIME then reads the LFU word as an LRU clock in both servers: a meaningless number.)
    for (const v of await both((r) => outcome(r, ['OBJECT', 'IDLETIME', 'f0']))) assert.equal(typeof v, 'number');
    for (const r of [d, x]) {
      await r.config('SET', 'maxmemory-policy', 'noeviction');
      await r.config('SET', 'lfu-log-factor', '10');
    }
  });
});

describe('evictions and expirations reach replicas', () => {
  test('a Damselfly and a redis-server replica stay exact copies of an evicting primary', async (t) => {
    const primary = await startDamselfly(['--enable-debug-command', 'yes', '--maxmemory-policy', 'allkeys-lru']);
    // The Damselfly replica has a maxmemory far below the dataset: replica-ignore-maxmemory
    // (default yes) means it must not evict on its own, only apply the primary's DELs.
    const replica = await startDamselfly(['--enable-debug-command', 'yes', '--replicaof', '127.0.0.1', String(primary.port), '--maxmemory', '1mb']);
    const redisReplica = await startRedis(['--enable-debug-command', 'yes', '--replicaof', '127.0.0.1', String(primary.port)]);
    const p = client(primary.port);
    const s = client(replica.port);
    const x = client(redisReplica.port);
    try {
      await waitInSync(p, s);
      await waitInSync(p, x);
      const base = await num(p, 'used_memory');
      await p.config('SET', 'maxmemory', String(base + 8 * 1024 * 1024));
      // 3 dbs, plain keys, keys with short TTLs and a hash; several times what fits.
      const value = Buffer.alloc(500, 120);
      for (let i = 0; i < 60_000; i += 1000) {
        const pipe = p.pipeline();
        pipe.select(i % 3);
        for (let j = i; j < i + 1000; j++) {
          if (j % 5 === 0) pipe.set('ttl:' + j, value, 'PX', 200 + (j % 300));
          else if (j % 7 === 0) pipe.hset('h:' + j, 'f', value, 'g', String(j));
          else pipe.set('k:' + j, value);
        }
        for (const [e] of (await pipe.exec())!) assert.equal(e, null);
      }
      // Let the remaining TTL keys expire on the primary (active expiry or lookups).
      await sleep(700);
      for (let db = 0; db < 3; db++) {
        await p.select(db);
        await p.call('scan', '0', 'count', '100000');
      }
      await p.select(0);
      const evicted = await num(p, 'evicted_keys');
      const expired = await num(p, 'expired_keys');
      t.diagnostic('primary: evicted_keys ' + evicted + ', expired_keys ' + expired);
      assert.ok(evicted > 10_000, 'the primary evicted: ' + evicted);
      assert.ok(expired > 0, 'the primary expired keys: ' + expired);
      await waitInSync(p, s);
      await waitInSync(p, x);
      const d = await digest(p);
      assert.notEqual(d, '0'.repeat(40));
      await waitFor(async () => (await digest(s)) === d && (await digest(x)) === d, 10_000, 'equal digests on both replicas');
      for (let db = 0; db < 3; db++) {
        await Promise.all([p.select(db), s.select(db), x.select(db)]);
        const n = await p.dbsize();
        assert.equal(await s.dbsize(), n, 'db ' + db);
        assert.equal(await x.dbsize(), n, 'db ' + db);
      }
      // Every removal came from the primary: the replica evicted and expired nothing itself.
      assert.equal(await num(s, 'evicted_keys'), 0);
      assert.equal(await num(s, 'expired_keys'), 0);
      assert.ok((await num(s, 'used_memory')) > 1024 * 1024, 'the replica holds more than its own maxmemory');
    } finally {
      p.disconnect();
      s.disconnect();
      x.disconnect();
      await Promise.all([primary.stop(), replica.stop(), redisReplica.stop()]);
    }
  });
});
