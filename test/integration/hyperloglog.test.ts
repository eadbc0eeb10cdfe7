/**
 * The HyperLogLog family side by side with redis-server 7.0 (required: a missing one fails):
 * the same PFADDs (120k random binary elements, small batches first so the sparse form is
 * compared before its promotion), PFMERGEs and multi-key PFCOUNTs go to both servers and the
 * raw bytes of every HLL (GET) and every estimate must be identical, at several
 * hll-sparse-max-bytes settings. Dirty counts, keyspace hits/misses, keyspace events and the replicated form (PFCOUNT is propagated when it writes the cache)
 * are checked against what redis-server 7.0.15 did; events and propagation are observed in
 * process through an embedded server's hooks.
 */

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startServer } from 'damselfly';
import { startDamselfly, startRedis, type ServerProcess } from '../helpers/servers.js';
import { err, redisClient, withDirtyCount } from '../helpers/assertions.js';

let ref: ServerProcess;
let srv: ServerProcess;
let a: Redis; // redis-server
let b: Redis; // Damselfly

before(async () => {
  [ref, srv] = await Promise.all([startRedis(), startDamselfly()]);
  a = redisClient(ref.port);
  b = redisClient(srv.port);
});

after(async () => {
  a?.disconnect();
  b?.disconnect();
  await Promise.all([ref?.stop(), srv?.stop()]);
});

/** xorshift32, so a failure can be replayed. */
function rng(seed: number): (n: number) => number {
  let x = seed | 0 || 1;
  return (n) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

function randomElement(r: (n: number) => number): Buffer {
  if (r(3) === 0) return Buffer.from('el:' + r(200000), 'latin1');
  const e = Buffer.alloc(r(25));
  for (let i = 0; i < e.length; i++) e[i] = r(256);
  return e;
}

async function reply(c: Redis, args: Array<string | Buffer>): Promise<unknown> {
  try {
    return await c.callBuffer(args[0] as string, ...args.slice(1));
  } catch (e) {
    return 'ERR: ' + (e as Error).message;
  }
}

/** Sends one command to both servers; the replies must be equal. */
async function both(args: Array<string | Buffer>): Promise<unknown> {
  const [x, y] = await Promise.all([reply(a, args), reply(b, args)]);
  assert.deepEqual(y, x, 'reply to ' + args.slice(0, 3).map(String).join(' ') + ' differs');
  return x;
}

/** Same bytes and same estimate on both servers. */
async function sameHll(key: string): Promise<void> {
  const [x, y] = await Promise.all([a.getBuffer(key), b.getBuffer(key)]);
  assert.ok(x !== null && y !== null, key + ' missing');
  assert.ok(x.equals(y), key + ': bytes differ (' + x.length + ' / ' + y.length + ' bytes), first difference at ' + firstDiff(x, y));
  await both(['PFCOUNT', key]);
  // PFCOUNT cached the estimate in the header: compare again.
  const [x2, y2] = await Promise.all([a.getBuffer(key), b.getBuffer(key)]);
  assert.ok(x2!.equals(y2!), key + ': bytes differ after PFCOUNT');
}

function firstDiff(x: Buffer, y: Buffer): number {
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return i;
  return n;
}

describe('byte-identical with redis-server', { timeout: 300_000 }, () => {
  test('120k random elements: sparse form, promotion, dense form, estimates', async () => {
    await both(['FLUSHALL']);
    await both(['CONFIG', 'SET', 'hll-sparse-max-bytes', '3000']);
    const r = rng(12345);
    const distinct = new Set<string>();
    let added = 0;
    let sawDense = false;
    // Batch sizes grow: single elements while sparse, then larger PFADDs.
    const batches = [1, 1, 1, 2, 5, 10, 20, 50, 100, 200, 300, 300, 500, 1000];
    while (added < 120_000) {
      const size = batches[Math.min(batches.length - 1, Math.floor(added / 50))] ?? 1000;
      const els: Buffer[] = [];
      for (let i = 0; i < size; i++) els.push(randomElement(r));
      for (const e of els) distinct.add(e.toString('latin1'));
      await both(['PFADD', 'big', ...els]);
      added += size;
      if (size < 1000 || added % 20_000 < 1000) await sameHll('big');
      const enc = String(await both(['PFDEBUG', 'ENCODING', 'big']));
      if (enc === 'dense') sawDense = true;
    }
    assert.ok(sawDense, 'the HLL was promoted to dense');
    await sameHll('big');
    const est = Number(await b.pfcount('big'));
    assert.ok(Math.abs(est - distinct.size) / distinct.size < 0.05, 'estimate ' + est + ' for ' + distinct.size);
    // Re-adding known elements changes nothing, on both.
    await both(['PFADD', 'big', 'el:1', 'el:2']);
    await sameHll('big');
  });

  test('random PFADD / PFMERGE / PFCOUNT sequences at several hll-sparse-max-bytes', async () => {
    const keys = ['h0', 'h1', 'h2', 'h3', 'h4'];
    const r = rng(777);
    for (const limit of ['3000', '0', '30', '100', '333', '20000']) {
      await both(['FLUSHALL']);
      await both(['CONFIG', 'SET', 'hll-sparse-max-bytes', limit]);
      for (let step = 0; step < 250; step++) {
        const k = keys[r(keys.length)]!;
        const op = r(10);
        if (op < 6) {
          const n = r(4) === 0 ? r(300) : r(6);
          const els: Buffer[] = [];
          for (let i = 0; i < n; i++) els.push(randomElement(r));
          await both(['PFADD', k, ...els]);
        } else if (op === 6) {
          await both(['PFMERGE', k, ...keys.filter(() => r(2) === 1)]);
        } else if (op === 7) {
          const ks = keys.filter(() => r(2) === 1);
          if (ks.length > 0) await both(['PFCOUNT', ...ks]);
        } else if (op === 8) {
          await both(['PFCOUNT', k]);
        } else {
          await both(['PFDEBUG', r(2) === 0 ? 'ENCODING' : 'DECODE', k]);
        }
        await both(['GET', k]);
      }
      for (const k of keys) await both(['GET', k]);
    }
    await both(['CONFIG', 'SET', 'hll-sparse-max-bytes', '3000']);
  });

  test('an HLL written by redis-server works here, and the other way round', async () => {
    await both(['FLUSHALL']);
    const r = rng(99);
    const els = Array.from({ length: 5000 }, () => randomElement(r));
    await a.pfadd('from-redis', ...els.slice(0, 700));
    await b.pfadd('from-dfly', ...els.slice(300, 5000));
    await b.set('from-redis', (await a.getBuffer('from-redis'))!);
    await a.set('from-dfly', (await b.getBuffer('from-dfly'))!);
    await sameHll('from-redis');
    await sameHll('from-dfly');
    await both(['PFMERGE', 'u', 'from-redis', 'from-dfly']);
    await sameHll('u');
    await both(['PFCOUNT', 'from-redis', 'from-dfly']);
    await both(['PFADD', 'from-redis', ...els.slice(700, 900)]);
    await sameHll('from-redis');
  });
});

describe('counters, lookups, errors (as redis-server 7.0.15)', () => {
  test('dirty: PFADD counts changed registers (+1 on creation), PFCOUNT 1 when it caches', async () => {
    await b.flushall();
    assert.deepEqual(await withDirtyCount(b, ['pfadd', 'h', 'a', 'b', 'c']), [1, 4]);
    assert.deepEqual(await withDirtyCount(b, ['pfadd', 'h', 'a']), [0, 0]);
    assert.deepEqual(await withDirtyCount(b, ['pfadd', 'h2']), [1, 1]);
    assert.deepEqual(await withDirtyCount(b, ['pfcount', 'h']), [3, 1]);
    assert.deepEqual(await withDirtyCount(b, ['pfcount', 'h']), [3, 0]);
    assert.deepEqual(await withDirtyCount(b, ['pfcount', 'h', 'h2']), [3, 0]);
    assert.deepEqual(await withDirtyCount(b, ['pfmerge', 'd', 'h', 'h2']), ['OK', 1]);
    assert.deepEqual(await withDirtyCount(b, ['pfmerge', 'd']), ['OK', 1]);
    assert.deepEqual(await withDirtyCount(b, ['pfdebug', 'encoding', 'd']), ['sparse', 0]);
    assert.deepEqual(await withDirtyCount(b, ['pfdebug', 'todense', 'd']), [1, 1]);
    assert.deepEqual(await withDirtyCount(b, ['pfdebug', 'todense', 'd']), [0, 0]);
    const [regs, dirty] = await withDirtyCount(b, ['pfdebug', 'getreg', 'h']);
    assert.equal((regs as number[]).length, 16384);
    assert.equal(dirty, 1);
    assert.equal(await b.call('pfdebug', 'encoding', 'h'), 'dense');
    assert.deepEqual(await withDirtyCount(b, ['pfdebug', 'getreg', 'h']).then(([, d]) => d), 0);
  });

  test('keyspace hits and misses: PFCOUNT and PFMERGE sources read, PFADD/PFDEBUG write', async () => {
    const stats = async (c: Redis): Promise<[number, number]> => {
      const info = await c.info('stats');
      return [Number(/keyspace_hits:(\d+)/.exec(info)![1]), Number(/keyspace_misses:(\d+)/.exec(info)![1])];
    };
    for (const c of [a, b]) {
      await c.flushall();
      await c.pfadd('h', 'a');
      await c.config('RESETSTAT');
      await c.pfadd('h', 'b');
      await c.pfadd('n1', 'x');
      await c.pfcount('h');
      await c.pfcount('missing');
      await c.pfcount('h', 'n1', 'missing');
      await c.pfmerge('dest', 'h', 'missing');
      await c.call('pfdebug', 'encoding', 'h');
    }
    assert.deepEqual(await stats(b), await stats(a));
    assert.deepEqual(await stats(b), [4, 4]);
  });

  test('errors', async () => {
    await b.flushall();
    await b.set('s', 'hello');
    await b.rpush('l', 'x');
    await b.pfadd('h', 'a');
    const NOT_HLL = 'WRONGTYPE Key is not a valid HyperLogLog string value.';
    const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
    assert.equal(await err(b.pfadd('s', 'a')), NOT_HLL);
    assert.equal(await err(b.pfcount('s')), NOT_HLL);
    assert.equal(await err(b.pfcount('h', 's')), NOT_HLL);
    assert.equal(await err(b.pfmerge('h', 's')), NOT_HLL);
    assert.equal(await err(b.pfadd('l', 'a')), WRONGTYPE);
    assert.equal(await err(b.pfcount('h', 'l')), WRONGTYPE);
    assert.equal(await err(b.call('pfdebug', 'getreg', 'nokey')), 'ERR The specified key does not exist');
    assert.equal(await err(b.call('pfdebug', 'what', 'h')), "ERR Unknown PFDEBUG subcommand 'what'");
    await b.call('pfdebug', 'todense', 'h');
    assert.equal(await err(b.call('pfdebug', 'decode', 'h')), 'ERR HLL encoding is not sparse');
    const corrupt = Buffer.from('48594c4c01000000000000000000008040007ffd', 'hex'); // XZERO 1 + XZERO 16382
    await b.set('c', corrupt);
    assert.equal(await err(b.pfcount('c')), 'INVALIDOBJ Corrupted HLL object detected');
    assert.equal(await err(b.pfmerge('d', 'c')), 'INVALIDOBJ Corrupted HLL object detected');
    assert.equal(await b.exists('d'), 0);
    assert.equal(await b.call('pfselftest'), 'OK');
  });
});

describe('events and propagation (embedded server)', () => {
  test('"pfadd" events from PFADD and PFMERGE; PFCOUNT propagated only when it caches', async () => {
    const emb = await startServer();
    const events: string[] = [];
    emb.server.notifyHook = (_t, event, key) => events.push(event + ':' + key.toString('latin1'));
    const prop: string[] = [];
    emb.server.propagationSinks.push((_db, argv) => prop.push(argv.map((x) => x.toString('latin1')).join(' ')));
    const c = new Redis(emb.port, emb.host);
    try {
      await c.pfadd('h', 'a', 'b', 'c');
      await c.pfadd('h', 'a'); // no change
      await c.pfcount('h'); // caches: propagated
      await c.pfcount('h'); // cached: not propagated
      await c.pfcount('h', 'nokey');
      await c.pfmerge('d', 'h');
      await c.call('pfdebug', 'getreg', 'h');
      await c.call('pfdebug', 'todense', 'd');
      await c.call('pfdebug', 'todense', 'd');
      await c.call('pfdebug', 'encoding', 'd');
      await c.pfadd('e');
      assert.deepEqual(
        events.filter((e) => !e.startsWith('keymiss')),
        ['pfadd:h', 'pfadd:d', 'pfadd:e'],
      );
      assert.deepEqual(
        prop.filter((p) => !/^select/i.test(p)).map((p) => p.toLowerCase()),
        ['pfadd h a b c', 'pfcount h', 'pfmerge d h', 'pfdebug getreg h', 'pfdebug todense d', 'pfadd e'],
      );
    } finally {
      c.disconnect();
      await emb.close();
    }
  });
});
