/**
 * The forkless snapshot engine on a running server, through the DEBUG SNAPSHOT-TEST facility
 * (src/persistence/snapshot-debug.ts): its stand-in serializer folds every entry into DEBUG
 * DIGEST's digest, so "the snapshot is exactly the dataset at its start" reads as "the digest of
 * what was serialized equals DEBUG DIGEST taken just before START", while clients keep writing
 * (every family, SWAPDB, FLUSHDB, expiry) during the snapshot. Plus a latency sanity check: the
 * snapshot runs in time slices, so a probe client is never blocked for anything like its
 * duration. (Equality key by key, and every write command, are in test/unit/snapshot*.test.ts.)
 */

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { startDamselfly, type ServerProcess } from '../helpers/servers.js';
import { redisClient } from '../helpers/assertions.js';

let srv: ServerProcess;
const clients: Redis[] = [];

function client(): Redis {
  const c = redisClient(srv.port);
  clients.push(c);
  return c;
}

before(async () => {
  srv = await startDamselfly(['--enable-debug-command', 'yes']);
});

after(async () => {
  for (const c of clients) c.disconnect();
  await srv.stop();
});

function field(status: string, name: string): string {
  const m = new RegExp('(?:^|\\n)' + name + ':([^\\r\\n]*)').exec(status);
  assert.ok(m !== null, 'STATUS has ' + name + ':\n' + status);
  return m[1]!;
}

async function status(c: Redis): Promise<string> {
  return String(await c.call('debug', 'snapshot-test', 'status'));
}

async function waitDone(c: Redis, timeoutMs = 120000): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const st = await status(c);
    const state = field(st, 'state');
    if (state !== 'running') return st;
    assert.ok(Date.now() < end, 'snapshot did not finish:\n' + st);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('the snapshot equals DEBUG DIGEST at its start while clients write, swap and flush', async () => {
  const admin = client();
  await admin.flushall();
  await admin.call('debug', 'populate', '20000', 'key', '40');
  for (const db of [0, 1, 2]) {
    const p = admin.pipeline();
    p.select(db);
    for (let i = 0; i < 400; i++) {
      p.hset('h' + i, 'f' + (i % 7), 'v' + i, 'g', String(i));
      p.rpush('l' + i, 'a' + i, 'b', 'c');
      p.sadd('s' + i, String(i), 'm' + i);
      p.zadd('z' + i, String(i), 'm' + i, '1.5', 'x');
      p.set('str' + i, 'value-' + i);
      if (i % 5 === 0) p.pexpire('str' + i, 100000 + i);
    }
    p.select(0);
    await p.exec();
  }
  // Keys that expire during the snapshot: set in the same pipeline as DEBUG DIGEST and START so
  // that none can expire in between.
  const p = admin.pipeline();
  for (let i = 0; i < 400; i += 10) p.pexpire('h' + i, 300 + i);
  p.call('debug', 'digest');
  // 20 entries per slice: the walk takes over a thousand event-loop turns.
  p.call('debug', 'snapshot-test', 'start', 'batch', '20');
  const res = (await p.exec())!;
  const startDigest = String(res[res.length - 2]![1]);
  assert.equal(res[res.length - 1]![1], 'OK');
  await assert.rejects(admin.call('debug', 'snapshot-test', 'start'), /a snapshot is already in progress/);

  let running = true;
  const writers: Array<Promise<number>> = [];
  for (let w = 0; w < 3; w++) {
    const c = client();
    writers.push(
      (async () => {
        let ops = 0;
        let r = w * 7919 + 1;
        const n = (k: number): number => {
          r = (r * 1103515245 + 12345) & 0x7fffffff;
          return r % k;
        };
        while (running) {
          const p = c.pipeline();
          p.select(n(3));
          for (let j = 0; j < 40; j++) {
            const i = n(400);
            switch (n(16)) {
              case 0: p.set('key:' + n(20000), 'overwritten'); break;
              case 1: p.append('str' + i, '+'); break;
              case 2: p.setrange('key:' + n(20000), 3, 'XY'); break;
              case 3: p.incr('cnt' + i); break;
              case 4: p.del('key:' + n(20000)); break;
              case 5: p.expire('str' + i, 500); break;
              case 6: p.persist('str' + i); break;
              case 7: p.rename('l' + i, 'l' + n(400)); break;
              case 8: p.move('s' + i, n(3)); break;
              case 9: p.copy('z' + i, 'z' + n(400), 'REPLACE'); break;
              case 10: p.lpush('l' + i, 'new'); break;
              case 11: p.hset('h' + i, 'f' + n(9), 'new'); break;
              case 12: p.sadd('s' + i, 'new' + n(5)); break;
              case 13: p.zadd('z' + i, String(n(100)), 'm' + n(50)); break;
              case 14: p.unlink('h' + i, 'str' + n(400)); break;
              default: p.set('fresh' + n(100000), 'x'); break;
            }
            ops++;
          }
          await p.exec();
        }
        return ops;
      })(),
    );
  }
  // Whole-db operations half way through.
  const ctl = client();
  let swapped = false;
  let flushed = false;
  let st = '';
  for (;;) {
    st = await status(ctl);
    if (field(st, 'state') !== 'running') break;
    const done = Number(field(st, 'serialized')) / Number(field(st, 'keys'));
    if (!swapped && done > 0.3) {
      swapped = true;
      await ctl.swapdb(0, 1);
    }
    if (!flushed && done > 0.5) {
      flushed = true;
      await ctl.select(2);
      await ctl.flushdb();
      await ctl.select(0);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  running = false;
  const ops = (await Promise.all(writers)).reduce((a, b) => a + b, 0);
  assert.equal(field(st, 'state'), 'done', st);
  assert.equal(field(st, 'digest'), startDigest, 'snapshot digest vs DEBUG DIGEST at the start:\n' + st);
  assert.equal(field(st, 'missed'), '0');
  assert.equal(field(st, 'serialized'), field(st, 'keys'));
  assert.ok(Number(field(st, 'by_change')) > 100, 'writes hit unserialized keys:\n' + st);
  assert.ok(swapped && flushed, 'SWAPDB and FLUSHDB ran during the snapshot');
  assert.ok(Number(field(String(await admin.info('stats')), 'expired_keys')) > 0, 'keys expired during the snapshot');
  assert.ok(ops > 1000, 'writes during the snapshot: ' + ops);
  assert.notEqual(String(await admin.call('debug', 'digest')), startDigest, 'the dataset did change');
  // A second snapshot now sees the current dataset.
  // (DIGEST and START in one pipeline: no key can expire in between.)
  const [[, now], [, ok]] = (await admin.pipeline().call('debug', 'digest').call('debug', 'snapshot-test', 'start').exec())!;
  assert.equal(ok, 'OK');
  assert.equal(field(await waitDone(admin), 'digest'), now);
});

test('ABORT, PAUSE/RESUME and argument errors', async () => {
  const c = client();
  await c.flushall();
  await c.call('debug', 'populate', '5000');
  assert.equal(await c.call('debug', 'snapshot-test', 'start', 'batch', '1', 'slice', '0.01'), 'OK');
  assert.equal(await c.call('debug', 'snapshot-test', 'pause'), 'OK');
  const a = Number(field(await status(c), 'serialized'));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(Number(field(await status(c), 'serialized')), a, 'paused');
  assert.equal(await c.call('debug', 'snapshot-test', 'resume'), 'OK');
  assert.equal(await c.call('debug', 'snapshot-test', 'abort'), 'OK');
  const st = await status(c);
  assert.equal(field(st, 'state'), 'aborted');
  assert.equal(field(st, 'abort_reason'), 'DEBUG SNAPSHOT-TEST ABORT');
  await assert.rejects(c.call('debug', 'snapshot-test', 'abort'), /no snapshot test in progress/);
  await assert.rejects(c.call('debug', 'snapshot-test', 'start', 'batch'), /syntax error/);
  await assert.rejects(c.call('debug', 'snapshot-test', 'start', 'bogus', '1'), /syntax error/);
  await assert.rejects(c.call('debug', 'snapshot-test'), /SNAPSHOT-TEST START/);
  // The dataset is untouched and a new snapshot works after the abort.
  assert.equal(await c.dbsize(), 5000);
  assert.equal(await c.call('debug', 'snapshot-test', 'start', 'mode', 'checksum'), 'OK');
  const done = await waitDone(c);
  assert.equal(field(done, 'serialized'), '5000');
  assert.match(field(done, 'checksum'), /^\d+$/);
});

test('a probe client is served between snapshot slices (no stall anywhere near the snapshot time)', async () => {
  const c = client();
  await c.flushall();
  await c.call('debug', 'populate', '100000', 'key', '100');
  const probe = client();
  await probe.ping();
  assert.equal(await c.call('debug', 'snapshot-test', 'start'), 'OK'); // digest mode: slow serializer
  const rtts: number[] = [];
  for (;;) {
    const t0 = performance.now();
    await probe.ping();
    rtts.push(performance.now() - t0);
    if (rtts.length % 20 === 0 && field(await status(c), 'state') !== 'running') break;
  }
  const st = await status(c);
  assert.equal(field(st, 'state'), 'done');
  const elapsed = Number(field(st, 'elapsed_ms'));
  const walk = Number(field(st, 'walk_ms'));
  const max = Math.max(...rtts);
  // Run as one blocking pass, the walk would hold the event loop for walk_ms; in slices, a
  // probe waits at most about a slice (plus GC pauses and a busy machine: hence the margin).
  assert.ok(walk > 200, 'the snapshot takes a while: ' + walk + ' ms');
  assert.ok(max < walk / 2, 'probe max ' + max.toFixed(1) + ' ms vs walk ' + walk.toFixed(0) + ' ms');
  assert.ok(rtts.length > 50, 'probes answered during ' + elapsed + ' ms: ' + rtts.length);
});
