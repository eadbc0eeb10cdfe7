/**
 * The set family against a spawned Damselfly through ioredis: every command, its errors, the
 * intset → hashtable conversions (non-integer member, set-max-intset-entries via CONFIG SET),
 * binary members, set algebra over mixed encodings, SPOP/SRANDMEMBER randomness, SSCAN over a
 * large hashtable, dirty counts; and, in-process through the embedding API (which exposes the
 * server's hooks), keyspace events and the replicated forms. Expected replies, error texts, dirty
 * counts and events are what redis-server 7.0.15 produced for the same commands.
 */

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from 'damselfly';
import { startDamselfly, type ServerProcess } from '../helpers/servers.js';
import { redisClient as client, err, dirtyCount } from '../helpers/assertions.js';

let srv: ServerProcess;
let r: Redis;

const dirty = (): Promise<number> => dirtyCount(r);

/** Runs a command; returns its reply and the dirty delta. */
async function withDirty<T>(p: () => Promise<T>): Promise<[T, number]> {
  const before = await dirty();
  const v = await p();
  return [v, (await dirty()) - before];
}

const enc = (k: string): Promise<unknown> => r.object('ENCODING', k);
const sorted = (a: string[]): string[] => [...a].sort();

before(async () => {
  srv = await startDamselfly(['--enable-debug-command', 'yes']);
  r = client(srv.port, srv.host);
});

after(async () => {
  r.disconnect();
  await srv.stop();
});

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';

describe('single-key commands', () => {
  test('SADD / SREM / SCARD / SISMEMBER / SMISMEMBER / SMEMBERS', async () => {
    await r.flushall();
    assert.deepEqual(await withDirty(() => r.sadd('s', '3', '1', '2', '-5', '1')), [4, 4]);
    assert.deepEqual(await r.smembers('s'), ['-5', '1', '2', '3']);
    assert.equal(await enc('s'), 'intset');
    assert.deepEqual(await withDirty(() => r.sadd('s', '1', '2')), [0, 0]);
    assert.equal(await r.scard('s'), 4);
    assert.equal(await r.scard('nokey'), 0);
    assert.equal(await r.sismember('s', '3'), 1);
    assert.equal(await r.sismember('s', '03'), 0);
    assert.equal(await r.sismember('nokey', '3'), 0);
    assert.deepEqual(await r.smismember('s', '1', 'x', '2'), [1, 0, 1]);
    assert.deepEqual(await r.smismember('nokey', '1', 'x'), [0, 0]);
    assert.deepEqual(await withDirty(() => r.srem('s', '1', 'x', '2')), [2, 2]);
    assert.deepEqual(await withDirty(() => r.srem('s', '-5', '3')), [2, 2]);
    assert.equal(await r.exists('s'), 0);
    assert.equal(await r.srem('nokey', 'a'), 0);
    assert.deepEqual(await r.smembers('nokey'), []);
  });

  test('intset widths: int16 → int32 → int64, ascending order kept', async () => {
    await r.del('w');
    await r.sadd('w', '5', '-7');
    await r.sadd('w', '70000');
    await r.sadd('w', '-3000000000', '9223372036854775807', '-9223372036854775808');
    assert.deepEqual(await r.smembers('w'), ['-9223372036854775808', '-3000000000', '-7', '5', '70000', '9223372036854775807']);
    assert.equal(await enc('w'), 'intset');
    assert.equal(await r.sismember('w', '9223372036854775807'), 1);
    assert.equal(await r.sismember('w', '9223372036854775808'), 0);
    await r.srem('w', '9223372036854775807', '-3000000000');
    assert.deepEqual(await r.smembers('w'), ['-9223372036854775808', '-7', '5', '70000']);
  });

  test('conversions: non-integer members and set-max-intset-entries', async () => {
    await r.del('c', 'c2', 't', 'z');
    await r.sadd('c', '1', '2');
    for (const m of ['01', '-0', '+1', ' 1', '9223372036854775808', 'abc']) {
      await r.del('c2');
      await r.sadd('c2', m);
      assert.equal(await enc('c2'), 'hashtable', m);
    }
    await r.sadd('c', 'x');
    assert.equal(await enc('c'), 'hashtable');
    await r.srem('c', 'x');
    assert.equal(await enc('c'), 'hashtable', 'never converted back');
    assert.deepEqual(sorted(await r.smembers('c')), ['1', '2']);
    try {
      await r.config('SET', 'set-max-intset-entries', '3');
      await r.sadd('t', '1', '2', '3');
      assert.equal(await enc('t'), 'intset');
      await r.sadd('t', '3');
      assert.equal(await enc('t'), 'intset');
      await r.sadd('t', '4');
      assert.equal(await enc('t'), 'hashtable');
      assert.deepEqual(sorted(await r.smembers('t')), ['1', '2', '3', '4']);
      await r.config('SET', 'set-max-intset-entries', '0');
      await r.sadd('z', '1');
      assert.equal(await enc('z'), 'hashtable');
    } finally {
      await r.config('SET', 'set-max-intset-entries', '512');
    }
    await r.del('big');
    const many = Array.from({ length: 513 }, (_, i) => String(i * 3));
    await r.sadd('big', ...many.slice(0, 512));
    assert.equal(await enc('big'), 'intset');
    await r.sadd('big', many[512]!);
    assert.equal(await enc('big'), 'hashtable');
    assert.equal(await r.scard('big'), 513);
  });

  test('binary members', async () => {
    await r.del('b');
    const members = [Buffer.from([0, 1, 2]), Buffer.from([0xff, 0xfe]), Buffer.alloc(0), Buffer.from('a\r\nb')];
    assert.equal(await r.sadd('b', ...members, Buffer.from([0, 1, 2])), 4);
    const got = (await r.smembersBuffer('b')).map((b) => b.toString('hex')).sort();
    assert.deepEqual(got, members.map((b) => b.toString('hex')).sort());
    assert.equal(await r.sismember('b', Buffer.from([0xff, 0xfe])), 1);
    assert.equal(await r.sismember('b', Buffer.from([0xff])), 0);
    assert.equal(await r.srem('b', Buffer.alloc(0)), 1);
    assert.equal(await r.scard('b'), 3);
  });

  test('WRONGTYPE and arity errors', async () => {
    await r.set('str', 'v');
    for (const p of [
      r.sadd('str', 'a'),
      r.srem('str', 'a'),
      r.smembers('str'),
      r.sismember('str', 'a'),
      r.smismember('str', 'a'),
      r.scard('str'),
      r.spop('str'),
      r.spop('str', 2),
      r.srandmember('str'),
      r.srandmember('str', 2),
      r.sscan('str', 0),
      r.sinter('nokey', 'str'),
      r.sunion('str'),
      r.sdiff('nokey', 'str'),
      r.sinterstore('d', 'nokey', 'str'),
      r.sintercard(2, 'nokey', 'str'),
      r.smove('str', 's', 'a'),
    ]) {
      assert.equal(await err(p), WRONGTYPE);
    }
    await r.sadd('s1', 'a');
    assert.equal(await err(r.smove('s1', 'str', 'a')), WRONGTYPE);
    assert.equal(await r.smove('nokey', 'str', 'a'), 0);
    assert.equal(await err(r.call('sadd', 's1')), "ERR wrong number of arguments for 'sadd' command");
    assert.equal(await err(r.call('smismember', 's1')), "ERR wrong number of arguments for 'smismember' command");
    assert.equal(await err(r.call('spop', 's1', '1', '2')), 'ERR syntax error');
    assert.equal(await err(r.call('srandmember', 's1', '1', '2')), 'ERR syntax error');
  });
});

describe('SPOP / SRANDMEMBER', () => {
  test('errors and edge cases', async () => {
    await r.del('p');
    assert.equal(await err(r.spop('p', -1)), 'ERR value is out of range, must be positive');
    assert.equal(await err(r.call('spop', 'p', 'abc')), 'ERR value is out of range, must be positive');
    assert.equal(await r.spop('p'), null);
    assert.deepEqual(await r.spop('p', 3), []);
    assert.equal(await err(r.call('srandmember', 'p', 'abc')), 'ERR value is not an integer or out of range');
    assert.equal(
      await err(r.call('srandmember', 'p', '-9223372036854775808')),
      'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807',
    );
    assert.equal(await r.srandmember('p'), null);
    assert.deepEqual(await r.srandmember('p', 5), []);
    assert.deepEqual(await r.srandmember('p', -5), []);
    await r.sadd('p', '5', '3', '1');
    assert.deepEqual(await withDirty(() => r.spop('p', 0)), [[], 0]);
    assert.deepEqual(await r.srandmember('p', 0), []);
    assert.deepEqual(await r.srandmember('p', 3), ['1', '3', '5']);
    assert.deepEqual(await r.srandmember('p', 10), ['1', '3', '5']);
    // Popping at least every member deletes the key; dirty counts the members popped.
    assert.deepEqual(await withDirty(() => r.spop('p', 10)), [['1', '3', '5'], 3]);
    assert.equal(await r.exists('p'), 0);
    await r.sadd('p', '1', '2', '3', '4', '5');
    const [popped, d] = await withDirty(() => r.spop('p', 2));
    assert.equal(d, 2);
    assert.equal(popped.length, 2);
    assert.equal(await r.scard('p'), 3);
    for (const m of popped) assert.equal(await r.sismember('p', m), 0);
    assert.deepEqual(await withDirty(() => r.scard('p')), [3, 0]);
  });

  test('randomness over a hashtable and an intset', async () => {
    for (const [key, members] of [
      ['rh', ['a', 'b', 'c', 'd', 'e']],
      ['ri', ['1', '2', '3', '4', '5']],
    ] as const) {
      await r.del(key);
      await r.sadd(key, ...members);
      const seen = new Map<string, number>();
      const reps = (await r.srandmember(key, -2000)) as string[];
      assert.equal(reps.length, 2000);
      for (const m of reps) seen.set(m, (seen.get(m) ?? 0) + 1);
      assert.deepEqual([...seen.keys()].sort(), [...members]);
      for (const [m, n] of seen) assert.ok(n > 250 && n < 550, key + ' ' + m + ' picked ' + n + ' times of 2000');
      const distinct = (await r.srandmember(key, 3)) as string[];
      assert.equal(new Set(distinct).size, 3);
      const firsts = new Set<string>();
      for (let i = 0; i < 200; i++) firsts.add((await r.srandmember(key)) as string);
      assert.equal(firsts.size, 5, 'SRANDMEMBER without count reaches every member');
      const pops = new Set<string>();
      for (let i = 0; i < 60; i++) {
        await r.del('tmp');
        await r.sadd('tmp', ...members);
        pops.add((await r.spop('tmp')) as string);
      }
      assert.equal(pops.size, 5, 'SPOP reaches every member');
    }
  });
});

describe('models', () => {
  test('random integer SADD/SREM against a model: ascending replies, right encoding', async () => {
    await r.del('mi');
    const model = new Set<bigint>();
    let seed = 7;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const pick = (): bigint => {
      const w = rnd(3);
      const mag = w === 0 ? 300n : w === 1 ? 3000000000n : 9223372036854775807n;
      const v = BigInt(rnd(1000000)) * (mag / 1000000n + 1n);
      const x = v > mag ? mag : v;
      return rnd(2) === 0 ? x : -x - (w === 2 && rnd(10) === 0 ? 1n : 0n);
    };
    for (let step = 0; step < 150; step++) {
      const batch = Array.from({ length: 1 + rnd(6) }, pick);
      if (rnd(3) === 0) {
        const expected = batch.filter((x, i) => model.has(x) && batch.indexOf(x) === i).length;
        assert.equal(await r.srem('mi', ...batch.map(String)), expected);
        for (const x of batch) model.delete(x);
      } else {
        const expected = batch.filter((x, i) => !model.has(x) && batch.indexOf(x) === i).length;
        assert.equal(await r.sadd('mi', ...batch.map(String)), expected);
        for (const x of batch) model.add(x);
      }
      const want = [...model].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(String);
      assert.deepEqual(await r.smembers('mi'), want);
      if (model.size > 0) assert.equal(await enc('mi'), 'intset');
    }
  });

  test('random members after removals (stale random-access entries are never returned)', async () => {
    await r.del('rm');
    const all = Array.from({ length: 300 }, (_, i) => 'k' + i);
    await r.sadd('rm', ...all);
    await r.srandmember('rm');
    await r.srem('rm', ...all.slice(0, 290));
    const live = new Set(all.slice(290));
    const reps = (await r.srandmember('rm', -500)) as string[];
    for (const m of reps) assert.ok(live.has(m), m);
    assert.equal(new Set(reps).size, 10);
    for (let i = 0; i < 10; i++) assert.ok(live.has((await r.spop('rm')) as string));
    assert.equal(await r.exists('rm'), 0);
  });
});

describe('SMOVE', () => {
  test('moves, creates, deletes, dirty counts', async () => {
    await r.del('m1', 'm2', 'm3');
    await r.sadd('m1', '1', '2', 'a');
    assert.deepEqual(await withDirty(() => r.smove('m1', 'm2', '1')), [1, 2]);
    assert.equal(await enc('m2'), 'intset');
    assert.deepEqual(await withDirty(() => r.smove('m1', 'm2', '1')), [0, 0]);
    assert.deepEqual(await withDirty(() => r.smove('m1', 'm1', '2')), [1, 0]);
    assert.deepEqual(await withDirty(() => r.smove('m1', 'm1', '9')), [0, 0]);
    await r.sadd('m2', '2');
    assert.deepEqual(await withDirty(() => r.smove('m1', 'm2', '2')), [1, 1]);
    assert.deepEqual(await withDirty(() => r.smove('m1', 'm3', 'a')), [1, 2]);
    assert.equal(await r.exists('m1'), 0);
    assert.equal(await enc('m3'), 'hashtable');
    assert.deepEqual(await r.smembers('m2'), ['1', '2']);
    await r.smove('m2', 'm3', '1');
    assert.deepEqual(sorted(await r.smembers('m3')), ['1', 'a']);
  });
});

describe('set algebra', () => {
  test('intsets reply in ascending order', async () => {
    await r.del('a', 'b', 'c', 'd');
    await r.sadd('a', '5', '4', '3', '2', '1');
    await r.sadd('b', '4', '5', '6');
    await r.sadd('c', '100000', '5', '6', '7');
    assert.deepEqual(await r.sinter('a', 'b'), ['4', '5']);
    assert.deepEqual(await r.sinter('a', 'b', 'c'), ['5']);
    assert.deepEqual(await r.sinter('a', 'nokey'), []);
    assert.deepEqual(await r.sunion('a', 'b', 'c'), ['1', '2', '3', '4', '5', '6', '7', '100000']);
    assert.deepEqual(await r.sdiff('a', 'b', 'c'), ['1', '2', '3']);
    assert.deepEqual(await r.sdiff('a', 'nokey'), ['1', '2', '3', '4', '5']);
    assert.deepEqual(await r.sdiff('nokey', 'a'), []);
    assert.deepEqual(await withDirty(() => r.sinterstore('d', 'a', 'b')), [2, 1]);
    assert.equal(await enc('d'), 'intset');
    assert.deepEqual(await withDirty(() => r.sunionstore('d', 'a', 'c')), [8, 1]);
    assert.deepEqual(await withDirty(() => r.sdiffstore('d', 'a', 'a')), [0, 1]);
    assert.equal(await r.exists('d'), 0);
    assert.deepEqual(await withDirty(() => r.sinterstore('d', 'a', 'nokey')), [0, 0]);
    await r.sadd('d', 'x');
    await r.expire('d', 100);
    assert.deepEqual(await withDirty(() => r.sunionstore('d', 'nokey')), [0, 1]);
    await r.sadd('d', 'x');
    await r.expire('d', 100);
    assert.equal(await r.sinterstore('d', 'a', 'b'), 2);
    assert.equal(await r.ttl('d'), -1, 'the stored result has no TTL');
    assert.equal(await r.sunionstore('a', 'a', 'b'), 6);
    assert.deepEqual(await r.smembers('a'), ['1', '2', '3', '4', '5', '6']);
  });

  test('mixed encodings', async () => {
    await r.del('h', 'i', 'd');
    await r.sadd('h', '1', '2', '3', 'x', 'y');
    await r.sadd('i', '2', '3', '4');
    assert.deepEqual(await r.sinter('i', 'h'), ['2', '3']);
    assert.deepEqual(sorted(await r.sunion('h', 'i')), ['1', '2', '3', '4', 'x', 'y']);
    assert.deepEqual(await r.sdiff('i', 'h'), ['4']);
    assert.deepEqual(sorted(await r.sdiff('h', 'i')), ['1', 'x', 'y']);
    await r.sinterstore('d', 'h', 'i');
    assert.equal(await enc('d'), 'intset', 'an all-integer result is an intset');
    assert.deepEqual(await r.smembers('d'), ['2', '3']);
    await r.sunionstore('d', 'h', 'i');
    assert.equal(await enc('d'), 'hashtable');
    await r.sdiffstore('d', 'i', 'h');
    assert.equal(await enc('d'), 'intset');
    try {
      await r.config('SET', 'set-max-intset-entries', '2');
      await r.sunionstore('d', 'i');
      assert.equal(await enc('d'), 'hashtable', 'a result over the limit is a hashtable');
    } finally {
      await r.config('SET', 'set-max-intset-entries', '512');
    }
    assert.equal(await r.sintercard(2, 'h', 'i'), 2);
  });

  test('SINTERCARD options and errors', async () => {
    await r.del('a', 'b');
    await r.sadd('a', '1', '2', '3', 'x');
    await r.sadd('b', '1', '2', '3', 'x', 'y');
    assert.equal(await r.sintercard(2, 'a', 'b'), 4);
    assert.equal(await r.call('sintercard', '2', 'a', 'b', 'LIMIT', '2'), 2);
    assert.equal(await r.call('sintercard', '2', 'a', 'b', 'limit', '0'), 4);
    assert.equal(await r.sintercard(2, 'a', 'nokey'), 0);
    assert.equal(await err(r.call('sintercard', '0', 'a')), 'ERR numkeys should be greater than 0');
    assert.equal(await err(r.call('sintercard', 'x', 'a')), 'ERR numkeys should be greater than 0');
    assert.equal(await err(r.call('sintercard', '3', 'a', 'b')), "ERR Number of keys can't be greater than number of args");
    assert.equal(await err(r.call('sintercard', '1', 'a', 'LIMIT', '-1')), "ERR LIMIT can't be negative");
    assert.equal(await err(r.call('sintercard', '1', 'a', 'LIMIT')), 'ERR syntax error');
    assert.equal(await err(r.call('sintercard', '1', 'a', 'b')), 'ERR syntax error');
    assert.deepEqual(await r.command('GETKEYS', 'sintercard', '2', 'a', 'b', 'LIMIT', '1'), ['a', 'b']);
  });
});

describe('SSCAN', () => {
  test('intset: everything in one call, errors', async () => {
    await r.del('a');
    await r.sadd('a', '3', '1', '2', '10');
    assert.deepEqual(await r.sscan('a', 0), ['0', ['1', '2', '3', '10']]);
    assert.deepEqual(await r.sscan('a', 0, 'MATCH', '1*'), ['0', ['1', '10']]);
    assert.deepEqual(await r.sscan('nokey', 0), ['0', []]);
    assert.equal(await err(r.sscan('a', 'abc')), 'ERR invalid cursor');
    assert.equal(await err(r.call('sscan', 'a', '0', 'COUNT', '0')), 'ERR syntax error');
    assert.equal(await err(r.call('sscan', 'a', '0', 'TYPE', 'set')), 'ERR syntax error');
  });

  test('hashtable: a full iteration returns every member, also with deletions and additions', async () => {
    await r.del('hs');
    const members = Array.from({ length: 2000 }, (_, i) => 'm' + i);
    await r.sadd('hs', ...members);
    const seen = new Set<string>();
    let cursor = '0';
    let calls = 0;
    do {
      const [next, batch] = await r.sscan('hs', cursor, 'COUNT', 50);
      cursor = next;
      for (const m of batch) seen.add(m);
      calls++;
      // Churn: other members come and go while the scan runs.
      await r.sadd('hs', 'extra' + calls);
      await r.srem('hs', 'extra' + (calls - 1));
    } while (cursor !== '0');
    assert.ok(calls > 10, 'COUNT bounds the batches');
    for (const m of members) assert.ok(seen.has(m), m + ' missed');
    const matched = new Set<string>();
    cursor = '0';
    do {
      const [next, batch] = await r.sscan('hs', cursor, 'MATCH', 'm1??', 'COUNT', 100);
      cursor = next;
      for (const m of batch) matched.add(m);
    } while (cursor !== '0');
    assert.equal(matched.size, 100);
  });
});

describe('type hooks', () => {
  test('TYPE, COPY, OBJECT ENCODING, DEBUG OBJECT, DEBUG DIGEST-VALUE', async () => {
    await r.del('h', 'i', 'h2', 'i2');
    await r.sadd('h', 'x', '1');
    await r.sadd('i', '1', '2');
    assert.equal(await r.type('h'), 'set');
    assert.equal(await r.copy('h', 'h2'), 1);
    assert.equal(await r.copy('i', 'i2'), 1);
    await r.sadd('h', 'y');
    await r.sadd('i', '3');
    assert.deepEqual(sorted(await r.smembers('h2')), ['1', 'x']);
    assert.deepEqual(await r.smembers('i2'), ['1', '2']);
    assert.equal(await enc('i2'), 'intset');
    assert.match((await r.call('DEBUG', 'OBJECT', 'i2')) as string, /encoding:intset/);
    assert.match((await r.call('DEBUG', 'OBJECT', 'h2')) as string, /encoding:hashtable/);
    // The digest of a set does not depend on its encoding.
    await r.del('e1', 'e2');
    await r.sadd('e1', '1', '2', '3');
    await r.sadd('e2', 'x', '1', '2', '3');
    await r.srem('e2', 'x');
    const [d1, d2] = (await r.call('DEBUG', 'DIGEST-VALUE', 'e1', 'e2')) as string[];
    assert.equal(d1, d2);
  });
});

describe('keyspace events and replicated forms (in-process)', () => {
  let emb: RunningServer;
  let c: Redis;
  const events: string[] = [];
  const stream: string[] = [];

  before(async () => {
    emb = await startServer({ port: 0 });
    emb.server.notifyHook = (_type, event, key) => events.push(event + ' ' + key.toString('latin1'));
    emb.server.propagationSinks.push((_db, argv) => stream.push(argv.map((a) => a.toString('latin1')).join(' ')));
    c = client(emb.port, emb.host);
  });

  after(async () => {
    c.disconnect();
    await emb.close();
  });

  async function run(f: () => Promise<unknown>): Promise<[string[], string[]]> {
    events.length = 0;
    stream.length = 0;
    await f();
    return [[...events], [...stream]];
  }

  test('SADD / SREM / SMOVE / *STORE events', async () => {
    assert.deepEqual(await run(() => c.sadd('s', '1', '2')), [['sadd s'], ['sadd s 1 2']]);
    assert.deepEqual((await run(() => c.sadd('s', '1')))[0], []);
    assert.deepEqual(await run(() => c.srem('s', '1')), [['srem s'], ['srem s 1']]);
    await c.sadd('b', 'x');
    assert.deepEqual((await run(() => c.smove('s', 'b', '2')))[0], ['srem s', 'del s', 'sadd b']);
    await c.sadd('s', '1');
    assert.deepEqual((await run(() => c.sinterstore('d', 's', 'b')))[0], []);
    assert.deepEqual((await run(() => c.sunionstore('d', 's', 'b')))[0], ['sunionstore d']);
    assert.deepEqual((await run(() => c.sdiffstore('d2', 'b')))[0], ['sdiffstore d2']);
    assert.deepEqual((await run(() => c.sinterstore('d', 's', 'b')))[0], ['del d']);
  });

  test('SPOP replicates as SREM, MULTI/SREM.../EXEC or DEL', async () => {
    await c.del('p');
    await c.sadd('p', 'a', 'b', 'c', 'd', 'e');
    const [ev1, st1] = await run(() => c.spop('p'));
    assert.deepEqual(ev1, ['spop p']);
    assert.equal(st1.length, 1);
    assert.match(st1[0]!, /^SREM p [a-e]$/);
    const [ev2, st2] = await run(() => c.spop('p', 2));
    assert.deepEqual(ev2, ['spop p']);
    assert.equal(st2.length, 4);
    assert.equal(st2[0], 'MULTI');
    assert.match(st2[1]!, /^SREM p [a-e]$/);
    assert.match(st2[2]!, /^SREM p [a-e]$/);
    assert.equal(st2[3], 'EXEC');
    const [, st3] = await run(() => c.spop('p', 1));
    assert.equal(st3.length, 1);
    assert.match(st3[0]!, /^SREM p [a-e]$/);
    assert.deepEqual(await run(() => c.spop('p', 5)), [['spop p', 'del p'], ['DEL p']]);
    await c.sadd('p', '1');
    assert.deepEqual(await run(() => c.spop('p')), [['spop p', 'del p'], ['SREM p 1']]);
  });
});
