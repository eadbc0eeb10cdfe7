/**
 * Deleting big things without stopping the server (src/store/db.ts "lazy free"): FLUSHDB /
 * FLUSHALL of a big db detach its contents in O(1) and free the slab records a few ms per
 * event-loop turn; UNLINK of a big collection drops one reference. Checks that the reply comes
 * at once, INFO's lazyfree_* fields, that keys written while the old contents are still being
 * freed are never touched by that freeing, and that WATCH/blocked clients see a flush of a big
 * db exactly as Redis defines it (only keys that existed are "modified") without the flush
 * walking the dataset.
 */

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startDamselfly, type ServerProcess } from '../helpers/servers.js';
import { parseInfo, sleep, waitFor } from '../helpers/replication.js';

function infoField(info: string, name: string): number {
  const v = parseInfo(info)[name];
  assert.ok(v !== undefined, 'INFO has ' + name);
  return Number(v);
}

/** Writes `n` keys `prefix<i>` = `v<i>` in pipelines of 1000. */
async function fill(r: Redis, prefix: string, n: number): Promise<void> {
  for (let i = 0; i < n; i += 1000) {
    const p = r.pipeline();
    for (let j = i; j < Math.min(n, i + 1000); j++) p.set(prefix + j, 'v' + j + '-' + prefix);
    await p.exec();
  }
}

/** Asserts every `prefix<i>` still holds the value fill() wrote. */
async function check(r: Redis, prefix: string, n: number): Promise<void> {
  for (let i = 0; i < n; i += 1000) {
    const p = r.pipeline();
    for (let j = i; j < Math.min(n, i + 1000); j++) p.get(prefix + j);
    const res = (await p.exec())!;
    for (let k = 0; k < res.length; k++) assert.equal(res[k]![1], 'v' + (i + k) + '-' + prefix, prefix + (i + k));
  }
}

/** Longest PING round trip (ms) seen by a probe connection while `work` runs. */
async function probeWhile(port: number, work: () => Promise<void>): Promise<number> {
  const probe = new Redis({ port, lazyConnect: true });
  await probe.connect();
  let max = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      await probe.ping();
      max = Math.max(max, performance.now() - t0);
      await sleep(1);
    }
  })();
  try {
    await work();
  } finally {
    running = false;
    await loop;
    probe.disconnect();
  }
  return max;
}

describe('lazy free of big dbs and values', () => {
  let srv: ServerProcess;
  let r: Redis;

  before(async () => {
    srv = await startDamselfly(['--enable-debug-command', 'yes']);
    r = new Redis({ port: srv.port, lazyConnect: true });
    await r.connect();
  });

  after(async () => {
    r.disconnect();
    await srv.stop();
  });

  const N = 1_000_000;

  test('FLUSHDB of 1M keys answers at once and frees in the background; new keys are untouched', async () => {
    await r.call('debug', 'populate', String(N));
    assert.equal(await r.dbsize(), N);
    const usedFull = infoField(await r.info('memory'), 'used_memory');
    const freedBefore = infoField(await r.info('memory'), 'lazyfreed_objects');
    // FLUSHDB and INFO in one pipeline: INFO runs in the same event-loop turn, before any
    // background step, so it sees every key still pending.
    const [[e1, ok], [e2, mem]] = (await r.pipeline().flushdb('ASYNC').info('memory').exec())! as [[Error | null, string], [Error | null, string]];
    assert.equal(e1, null);
    assert.equal(e2, null);
    assert.equal(ok, 'OK');
    assert.equal(infoField(mem, 'lazyfree_pending_objects'), N);
    assert.equal(await r.dbsize(), 0);
    // Written while the old records are being freed: their slab chunks must never be freed.
    await fill(r, 'fresh:', 20_000);
    await waitFor(async () => infoField(await r.info('memory'), 'lazyfree_pending_objects') === 0, 20_000, 'lazy free done');
    const mem2 = await r.info('memory');
    assert.equal(infoField(mem2, 'lazyfreed_objects') - freedBefore, N);
    assert.ok(infoField(mem2, 'used_memory') < usedFull / 4, 'used_memory went down: ' + infoField(mem2, 'used_memory') + ' vs ' + usedFull);
    await check(r, 'fresh:', 20_000);
    assert.equal(await r.dbsize(), 20_000);
    // The freed chunks are reused by new writes, and the older fresh keys stay intact.
    await fill(r, 'again:', 20_000);
    await check(r, 'fresh:', 20_000);
    await check(r, 'again:', 20_000);
    await r.flushall();
  });

  test('FLUSHALL, SWAPDB and another FLUSHDB while a lazy free is still running', async () => {
    await r.call('debug', 'populate', String(N));
    await r.flushdb('ASYNC');
    await r.select(1);
    await fill(r, 'one:', 5000);
    // Resets the slab under the pending free; it must forget the queued contents.
    await r.flushall();
    assert.equal(infoField(await r.info('memory'), 'lazyfree_pending_objects'), 0);
    await fill(r, 'two:', 5000);
    await r.select(0);
    await r.call('debug', 'populate', String(200_000), 'big');
    await r.swapdb(0, 1);
    await r.select(0);
    await check(r, 'two:', 5000);
    await r.select(1);
    assert.equal(await r.dbsize(), 200_000);
    await r.flushdb(); // SYNC is lazy here too (it would stop every client for the walk)
    await r.select(0);
    await fill(r, 'three:', 5000);
    await waitFor(async () => infoField(await r.info('memory'), 'lazyfree_pending_objects') === 0, 20_000, 'lazy free done');
    await check(r, 'two:', 5000);
    await check(r, 'three:', 5000);
    assert.equal(await r.dbsize(), 10_000);
    await r.flushall();
  });

  test('WATCH sees a flush of a big db as Redis does: only keys that existed are modified', async () => {
    await r.call('debug', 'populate', String(N));
    await r.set('watched-present', '1');
    const a = new Redis({ port: srv.port, lazyConnect: true });
    const b = new Redis({ port: srv.port, lazyConnect: true });
    await a.connect();
    await b.connect();
    try {
      await a.watch('watched-present');
      await b.watch('watched-absent');
      let flushMs = 0;
      const max = await probeWhile(srv.port, async () => {
        const t0 = performance.now();
        await r.flushall('ASYNC');
        flushMs = performance.now() - t0;
      });
      assert.ok(flushMs < 1000, 'FLUSHALL of 1M keys with watchers took ' + flushMs.toFixed(1) + ' ms');
      assert.ok(max < 1000, 'a client waited ' + max.toFixed(1) + ' ms');
      assert.equal(await a.multi().set('x', '1').exec(), null);
      assert.deepEqual(await b.multi().set('y', '1').exec(), [[null, 'OK']]);
    } finally {
      a.disconnect();
      b.disconnect();
    }
    await r.flushall();
  });

  test('a client blocked on a key of a swapped db is served by SWAPDB', async () => {
    await r.select(1);
    await r.call('debug', 'populate', String(100_000));
    await r.rpush('queue', 'job');
    await r.select(0);
    const blocked = new Redis({ port: srv.port, lazyConnect: true });
    await blocked.connect();
    try {
      const pop = blocked.blpop('queue', 5);
      await waitFor(async () => infoField(await r.info('clients'), 'blocked_clients') === 1, 5000, 'client blocked');
      await r.swapdb(0, 1);
      assert.deepEqual(await pop, ['queue', 'job']);
    } finally {
      blocked.disconnect();
    }
    await r.flushall();
  });

  test('UNLINK and DEL of a 1M-member set answer at once and give the memory back', async () => {
    for (const cmd of ['unlink', 'del'] as const) {
      for (let i = 0; i < N; i += 10_000) {
        const members: string[] = [];
        for (let j = i; j < i + 10_000; j++) members.push('member:' + j);
        void r.sadd('bigset', members);
      }
      assert.equal(await r.scard('bigset'), N);
      const before = infoField(await r.info('memory'), 'used_memory');
      let ms = 0;
      const max = await probeWhile(srv.port, async () => {
        const t0 = performance.now();
        assert.equal(await r.call(cmd, 'bigset'), 1);
        ms = performance.now() - t0;
        await sleep(500);
      });
      assert.ok(ms < 200, cmd + ' took ' + ms.toFixed(1) + ' ms');
      assert.ok(max < 1000, 'a client waited ' + max.toFixed(1) + ' ms');
      const afterUsed = infoField(await r.info('memory'), 'used_memory');
      assert.ok(afterUsed < before / 2, 'used_memory ' + before + ' -> ' + afterUsed);
      assert.equal(await r.exists('bigset'), 0);
    }
  });
});
