/**
 * The list family against Damselfly: LPUSH/RPUSH/LPUSHX/RPUSHX, LPOP/RPOP (with COUNT), LRANGE,
 * LINDEX, LSET, LINSERT, LLEN, LREM, LTRIM, LPOS, LMOVE, RPOPLPUSH, LMPOP.
 *
 * A spawned server (ioredis, raw sockets) covers replies, errors, binary elements, dirty counts
 * and a 1M-element list. An embedded server (the `damselfly` package's startServer) exposes the
 * Server object, so the keyspace events, the replicated argv and signalKeyAsReady calls of each
 * command can be recorded without the (later) keyspace-notification and replication layers.
 * Every expected reply, error text, dirty count, event sequence and replicated form below is
 * what redis-server 7.0.15 produced for the same commands.
 */

import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from 'damselfly';
import { startDamselfly, type ServerProcess } from '../helpers/servers.js';
import { redisClient as client, err, withDirtyCount } from '../helpers/assertions.js';
import { RawConnection } from '../helpers/raw.js';

let srv: ServerProcess;
let r: Redis;

/** Runs a command; returns its reply (or error text) and the dirty delta. */
const withDirty = (...args: string[]): Promise<[unknown, number]> => withDirtyCount(r, args);

async function rawReplies(cmds: string[], resp3 = false): Promise<string[]> {
  const c = await RawConnection.connect(srv.port);
  try {
    const out: string[] = [];
    if (resp3) await c.call('HELLO', '3');
    for (const cmd of cmds) out.push(await c.call(...cmd.split(' ')));
    return out;
  } finally {
    c.close();
  }
}

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';

before(async () => {
  srv = await startDamselfly(['--enable-debug-command', 'yes']);
  r = client(srv.port);
});

after(async () => {
  r.disconnect();
  await srv.stop();
});

beforeEach(async () => {
  await r.flushall();
});

describe('pushes and LLEN', () => {
  test('LPUSH/RPUSH order, length, TYPE and OBJECT ENCODING', async () => {
    assert.equal(await r.lpush('l', 'a', 'b'), 2);
    assert.equal(await r.rpush('l', 'c', 'd'), 4);
    assert.deepEqual(await r.lrange('l', 0, -1), ['b', 'a', 'c', 'd']);
    assert.equal(await r.llen('l'), 4);
    assert.equal(await r.llen('nokey'), 0);
    assert.equal(await r.type('l'), 'list');
    assert.equal(await r.object('ENCODING', 'l'), 'quicklist');
  });

  test('LPUSHX/RPUSHX only on existing lists', async () => {
    assert.equal(await r.lpushx('l', 'a'), 0);
    assert.equal(await r.rpushx('l', 'a', 'b'), 0);
    assert.equal(await r.exists('l'), 0);
    await r.rpush('l', 'x');
    assert.equal(await r.lpushx('l', 'a', 'b'), 3);
    assert.equal(await r.rpushx('l', 'c'), 4);
    assert.deepEqual(await r.lrange('l', 0, -1), ['b', 'a', 'x', 'c']);
  });

  test('binary elements round-trip byte for byte', async () => {
    const vals = [Buffer.from([0, 255, 13, 10]), Buffer.alloc(0), Buffer.alloc(70000, 7), Buffer.from('é', 'utf8')];
    await r.rpush('b', ...vals);
    assert.deepEqual(await r.lrangeBuffer('b', 0, -1), vals);
    assert.deepEqual(await r.lindexBuffer('b', 2), vals[2]);
    assert.deepEqual(await r.lpopBuffer('b'), vals[0]);
    assert.deepEqual(await r.rpopBuffer('b'), vals[3]);
    assert.equal(await r.lpos('b', Buffer.alloc(70000, 7)), 1);
  });

  test('WRONGTYPE for every command on a string key', async () => {
    await r.set('s', 'v');
    const cmds: string[][] = [
      ['LPUSH', 's', 'a'],
      ['RPUSH', 's', 'a'],
      ['LPUSHX', 's', 'a'],
      ['RPUSHX', 's', 'a'],
      ['LPOP', 's'],
      ['RPOP', 's', '0'],
      ['LRANGE', 's', '0', '-1'],
      ['LINDEX', 's', '0'],
      ['LSET', 's', '0', 'x'],
      ['LINSERT', 's', 'BEFORE', 'a', 'b'],
      ['LLEN', 's'],
      ['LREM', 's', '0', 'a'],
      ['LTRIM', 's', '0', '1'],
      ['LPOS', 's', 'a'],
      ['LMOVE', 's', 'd', 'LEFT', 'LEFT'],
      ['RPOPLPUSH', 's', 'd'],
      ['LMPOP', '1', 's', 'LEFT'],
    ];
    for (const c of cmds) assert.equal(await err(r.call(c[0]!, ...c.slice(1))), WRONGTYPE, c.join(' '));
    await r.rpush('l', 'a');
    assert.equal(await err(r.lmove('l', 's', 'LEFT', 'LEFT')), WRONGTYPE);
    assert.equal(await err(r.rpoplpush('l', 's')), WRONGTYPE);
    assert.deepEqual(await r.lrange('l', 0, -1), ['a'], 'nothing popped when the destination is wrong');
    assert.equal(await r.get('s'), 'v');
  });
});

describe('pops', () => {
  test('LPOP/RPOP with and without COUNT; emptied keys are deleted', async () => {
    await r.rpush('l', 'a', 'b', 'c', 'd', 'e');
    assert.equal(await r.lpop('l'), 'a');
    assert.equal(await r.rpop('l'), 'e');
    assert.deepEqual(await r.lpop('l', 2), ['b', 'c']);
    assert.deepEqual(await r.call('LPOP', 'l', '0'), []);
    assert.deepEqual(await r.rpop('l', 10), ['d']);
    assert.equal(await r.exists('l'), 0);
    assert.equal(await r.lpop('l'), null);
    assert.equal(await r.rpop('l', 3), null);
  });

  test('null shapes: RESP2 null bulk vs null array, RESP3 null', async () => {
    const cmds = ['LPOP nokey', 'LPOP nokey 0', 'RPOP nokey 2', 'LMPOP 1 nokey LEFT', 'LPOS nokey a', 'LPOS nokey a COUNT 0', 'LINDEX nokey 0'];
    await r.rpush('l', 'a');
    assert.deepEqual(await rawReplies([...cmds, 'LPOP l 0']), ['$-1\r\n', '*-1\r\n', '*-1\r\n', '*-1\r\n', '$-1\r\n', '*0\r\n', '$-1\r\n', '*0\r\n']);
    assert.deepEqual(await rawReplies([...cmds, 'LPOP l 0'], true), ['_\r\n', '_\r\n', '_\r\n', '_\r\n', '_\r\n', '*0\r\n', '_\r\n', '*0\r\n']);
  });

  test('COUNT errors and arity', async () => {
    await r.set('s', 'v');
    assert.equal(await err(r.call('LPOP', 'l', '-1')), 'ERR value is out of range, must be positive');
    assert.equal(await err(r.call('RPOP', 'l', 'x')), 'ERR value is out of range, must be positive');
    assert.equal(await err(r.call('LPOP', 's', '-1')), 'ERR value is out of range, must be positive');
    assert.equal(await err(r.call('LPOP', 'l', '1', '2')), "ERR wrong number of arguments for 'lpop' command");
    assert.equal(await err(r.call('RPOP')), "ERR wrong number of arguments for 'rpop' command");
  });
});

describe('reads and in-place writes', () => {
  beforeEach(async () => {
    await r.rpush('l', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9');
  });

  test('LRANGE clamps, LINDEX handles negative and out-of-range indexes', async () => {
    assert.deepEqual(await r.lrange('l', 2, 4), ['2', '3', '4']);
    assert.deepEqual(await r.lrange('l', -3, -1), ['7', '8', '9']);
    assert.deepEqual(await r.lrange('l', -100, 1), ['0', '1']);
    assert.deepEqual(await r.lrange('l', 5, 2), []);
    assert.deepEqual(await r.lrange('l', 10, 20), []);
    assert.deepEqual(await r.lrange('nokey', 0, -1), []);
    assert.equal(await err(r.call('LRANGE', 'nokey', 'a', '1')), 'ERR value is not an integer or out of range');
    assert.equal(await r.lindex('l', -1), '9');
    assert.equal(await r.lindex('l', 10), null);
    assert.equal(await r.lindex('l', -11), null);
    assert.equal(await r.call('LINDEX', 'nokey', 'abc'), null);
    assert.equal(await err(r.call('LINDEX', 'l', 'abc')), 'ERR value is not an integer or out of range');
  });

  test('LSET', async () => {
    assert.deepEqual(await withDirty('LSET', 'l', '0', 'zero'), ['OK', 1]);
    assert.equal(await r.lset('l', -1, 'a longer last element'), 'OK');
    assert.equal(await r.lindex('l', 0), 'zero');
    assert.equal(await r.lindex('l', 9), 'a longer last element');
    assert.equal(await err(r.lset('l', 10, 'x')), 'ERR index out of range');
    assert.equal(await err(r.lset('nokey', 0, 'x')), 'ERR no such key');
    assert.equal(await err(r.call('LSET', 'nokey', 'abc', 'x')), 'ERR no such key');
    assert.equal(await err(r.call('LSET', 'l', 'abc', 'x')), 'ERR value is not an integer or out of range');
  });

  test('LINSERT', async () => {
    assert.deepEqual(await withDirty('LINSERT', 'l', 'BEFORE', '0', 'x'), [11, 1]);
    assert.equal(await r.linsert('l', 'AFTER', '9', 'y'), 12);
    assert.equal(await r.call('LINSERT', 'l', 'after', '4', 'z'), 13);
    assert.deepEqual(await withDirty('LINSERT', 'l', 'BEFORE', 'nothing', 'q'), [-1, 0]);
    assert.equal(await r.linsert('nokey', 'BEFORE', 'a', 'q'), 0);
    assert.equal(await err(r.call('LINSERT', 'l', 'MIDDLE', 'a', 'q')), 'ERR syntax error');
    assert.deepEqual(await r.lrange('l', 0, -1), ['x', '0', '1', '2', '3', '4', 'z', '5', '6', '7', '8', '9', 'y']);
  });

  test('LREM from the head, the tail and all', async () => {
    await r.del('l');
    await r.rpush('l', 'a', 'b', 'a', 'c', 'a', 'd', 'a');
    assert.deepEqual(await withDirty('LREM', 'l', '2', 'a'), [2, 2]);
    assert.deepEqual(await r.lrange('l', 0, -1), ['b', 'c', 'a', 'd', 'a']);
    assert.equal(await r.lrem('l', -1, 'a'), 1);
    assert.deepEqual(await r.lrange('l', 0, -1), ['b', 'c', 'a', 'd']);
    assert.deepEqual(await withDirty('LREM', 'l', '0', 'nothing'), [0, 0]);
    for (const v of ['a', 'b', 'c']) assert.equal(await r.lrem('l', 0, v), 1);
    assert.equal(await r.lrem('l', 0, 'd'), 1);
    assert.equal(await r.exists('l'), 0);
    assert.equal(await err(r.call('LREM', 'l', 'x', 'a')), 'ERR value is not an integer or out of range');
  });

  test('LTRIM counts trimmed elements as changes and deletes emptied lists', async () => {
    assert.deepEqual(await withDirty('LTRIM', 'l', '1', '-2'), ['OK', 2]);
    assert.deepEqual(await r.lrange('l', 0, -1), ['1', '2', '3', '4', '5', '6', '7', '8']);
    assert.deepEqual(await withDirty('LTRIM', 'l', '0', '-1'), ['OK', 0]);
    assert.deepEqual(await withDirty('LTRIM', 'l', '5', '2'), ['OK', 8]);
    assert.equal(await r.exists('l'), 0);
    assert.equal(await r.ltrim('nokey', 0, 1), 'OK');
    assert.equal(await err(r.call('LTRIM', 'nokey', 'a', '1')), 'ERR value is not an integer or out of range');
  });

  test('LPOS with RANK, COUNT, MAXLEN and their errors', async () => {
    await r.del('l');
    await r.rpush('l', 'a', 'b', 'c', '1', '2', '3', 'c', 'c');
    assert.equal(await r.lpos('l', 'c'), 2);
    assert.equal(await r.lpos('l', 'c', 'RANK', -1), 7);
    assert.equal(await r.lpos('l', 'c', 'RANK', 2), 6);
    assert.equal(await r.lpos('l', 'c', 'RANK', 4), null);
    assert.deepEqual(await r.lpos('l', 'c', 'COUNT', 0), [2, 6, 7]);
    assert.deepEqual(await r.lpos('l', 'c', 'RANK', -1, 'COUNT', 2), [7, 6]);
    assert.deepEqual(await r.lpos('l', 'c', 'COUNT', 0, 'MAXLEN', 3), [2]);
    assert.equal(await r.lpos('l', 'c', 'RANK', -1, 'MAXLEN', 1), 7);
    assert.deepEqual(await r.lpos('l', 'zz', 'COUNT', 5), []);
    assert.equal(await r.call('LPOS', 'l', 'c', 'RANK', '-9223372036854775808'), 7);
    assert.equal(await err(r.call('LPOS', 'l', 'c', 'RANK', '0')), "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list");
    assert.equal(await err(r.call('LPOS', 'l', 'c', 'RANK', 'x')), 'ERR value is not an integer or out of range');
    assert.equal(await err(r.call('LPOS', 'l', 'c', 'COUNT', '-1')), "ERR COUNT can't be negative");
    assert.equal(await err(r.call('LPOS', 'l', 'c', 'COUNT', 'x')), "ERR COUNT can't be negative");
    assert.equal(await err(r.call('LPOS', 'l', 'c', 'MAXLEN', '-1')), "ERR MAXLEN can't be negative");
    assert.equal(await err(r.call('LPOS', 'l', 'c', 'RANK')), 'ERR syntax error');
    assert.equal(await err(r.call('LPOS', 'l', 'c', 'FOO', '1')), 'ERR syntax error');
  });
});

describe('moves and LMPOP', () => {
  test('LMOVE in every direction, RPOPLPUSH, same-key rotation', async () => {
    await r.rpush('s', 'a', 'b', 'c', 'd');
    assert.deepEqual(await withDirty('LMOVE', 's', 'd', 'LEFT', 'RIGHT'), ['a', 1]);
    assert.equal(await r.lmove('s', 'd', 'RIGHT', 'LEFT'), 'd');
    assert.equal(await r.call('LMOVE', 's', 'd', 'left', 'left'), 'b');
    assert.equal(await r.lmove('s', 'd', 'RIGHT', 'RIGHT'), 'c');
    assert.equal(await r.exists('s'), 0);
    assert.deepEqual(await r.lrange('d', 0, -1), ['b', 'd', 'a', 'c']);
    assert.equal(await r.lmove('d', 'd', 'LEFT', 'RIGHT'), 'b');
    assert.deepEqual(await r.lrange('d', 0, -1), ['d', 'a', 'c', 'b']);
    assert.equal(await r.rpoplpush('d', 'd'), 'b');
    assert.deepEqual(await r.lrange('d', 0, -1), ['b', 'd', 'a', 'c']);
    assert.equal(await r.rpoplpush('d', 'x'), 'c');
    assert.deepEqual(await r.lrange('x', 0, -1), ['c']);
    assert.equal(await r.rpoplpush('nokey', 'x'), null);
    assert.equal(await r.lmove('nokey', 'x', 'LEFT', 'LEFT'), null);
    assert.equal(await err(r.call('LMOVE', 'd', 'x', 'UP', 'LEFT')), 'ERR syntax error');
    assert.equal(await err(r.call('LMOVE', 'nokey', 'x', 'LEFT', 'DOWN')), 'ERR syntax error');
  });

  test('LMPOP: first non-empty key, COUNT, errors', async () => {
    await r.rpush('b', '1', '2', '3', '4', '5');
    assert.deepEqual(await r.call('LMPOP', '2', 'a', 'b', 'LEFT'), ['b', ['1']]);
    assert.deepEqual(await withDirty('LMPOP', '2', 'a', 'b', 'RIGHT', 'COUNT', '2'), [['b', ['5', '4']], 2]);
    assert.deepEqual(await r.call('LMPOP', '1', 'b', 'LEFT', 'COUNT', '100'), ['b', ['2', '3']]);
    assert.equal(await r.exists('b'), 0);
    assert.equal(await r.call('LMPOP', '1', 'b', 'LEFT'), null);
    await r.rpush('b', 'x');
    assert.equal(await err(r.call('LMPOP', '0', 'b', 'LEFT')), 'ERR numkeys should be greater than 0');
    assert.equal(await err(r.call('LMPOP', 'x', 'b', 'LEFT')), 'ERR numkeys should be greater than 0');
    assert.equal(await err(r.call('LMPOP', '2', 'b', 'LEFT')), 'ERR syntax error');
    assert.equal(await err(r.call('LMPOP', '1', 'b', 'UP')), 'ERR syntax error');
    assert.equal(await err(r.call('LMPOP', '1', 'b', 'LEFT', 'COUNT', '0')), 'ERR count should be greater than 0');
    assert.equal(await err(r.call('LMPOP', '1', 'b', 'LEFT', 'COUNT', '1', 'COUNT', '2')), 'ERR syntax error');
    assert.equal(await err(r.call('LMPOP', '1', 'b', 'LEFT', 'COUNT')), 'ERR syntax error');
    await r.set('s', 'v');
    assert.equal(await err(r.call('LMPOP', '2', 'nokey', 's', 'LEFT')), WRONGTYPE);
    assert.deepEqual(await r.call('COMMAND', 'GETKEYS', 'LMPOP', '2', 'k1', 'k2', 'LEFT', 'COUNT', '3'), ['k1', 'k2']);
  });
});

describe('dirty counts, COPY, DEBUG DIGEST-VALUE', () => {
  test('one change per element pushed, popped or moved', async () => {
    assert.deepEqual(await withDirty('RPUSH', 'l', 'a', 'b', 'c', 'd', 'e'), [5, 5]);
    assert.deepEqual(await withDirty('LPUSHX', 'nokey', 'a'), [0, 0]);
    assert.deepEqual(await withDirty('LPOP', 'l', '3'), [['a', 'b', 'c'], 3]);
    assert.deepEqual(await withDirty('LPOP', 'l', '0'), [[], 0]);
    assert.deepEqual(await withDirty('RPOPLPUSH', 'l', 'm'), ['e', 1]);
    assert.deepEqual(await withDirty('LPOP', 'nokey', '3'), [null, 0]);
  });

  test('COPY deep-copies a list; DIGEST-VALUE matches redis-server 7.0.15', async () => {
    await r.rpush('l', 'a', 'b', 'c');
    assert.equal(await r.copy('l', 'l2'), 1);
    await r.rpush('l', 'd');
    assert.deepEqual(await r.lrange('l2', 0, -1), ['a', 'b', 'c']);
    assert.equal(await r.object('ENCODING', 'l2'), 'quicklist');
    // redis-server 7.0.15: RPUSH l2 a b c; DEBUG DIGEST-VALUE l2
    assert.deepEqual(await r.call('DEBUG', 'DIGEST-VALUE', 'l2'), ['8bf72d812571eea9b927f3c11beb0c4165a6ff89']);
  });
});

describe('a 1M-element list', () => {
  test('push, index, range and pop at both ends quickly', { timeout: 60_000 }, async () => {
    const t0 = Date.now();
    const batch: string[] = [];
    for (let i = 0; i < 10_000; i++) batch.push('e' + i);
    for (let b = 0; b < 50; b++) await r.rpush('big', ...batch);
    for (let b = 0; b < 50; b++) await r.lpush('big', ...batch);
    assert.equal(await r.llen('big'), 1_000_000);
    assert.equal(await r.lindex('big', 0), 'e9999');
    assert.equal(await r.lindex('big', -1), 'e9999');
    assert.equal(await r.lindex('big', 500_000), 'e0');
    assert.equal(await r.lindex('big', 499_999), 'e0');
    assert.deepEqual(await r.lrange('big', 0, 2), ['e9999', 'e9998', 'e9997']);
    assert.deepEqual(await r.lrange('big', -3, -1), ['e9997', 'e9998', 'e9999']);
    assert.deepEqual(await r.lrange('big', 499_999, 500_001), ['e0', 'e0', 'e1']);
    assert.equal((await r.lrange('big', 0, 99_999)).length, 100_000);
    assert.equal((await r.lpop('big', 1000))!.length, 1000);
    assert.equal((await r.rpop('big', 1000))!.length, 1000);
    assert.equal(await r.lpop('big'), 'e8999');
    assert.equal(await r.rpop('big'), 'e8999');
    assert.equal(await r.lpos('big', 'e0', 'RANK', -1), 990_000 - 1001);
    assert.equal(await r.linsert('big', 'BEFORE', 'e5', 'mid'), 997_999);
    assert.equal(await r.ltrim('big', 1000, -1000), 'OK');
    assert.equal(await r.llen('big'), 996_000);
    assert.ok(Date.now() - t0 < 30_000, 'took ' + (Date.now() - t0) + ' ms');
  });
});

describe('events, propagation and readiness (embedded server)', () => {
  let emb: RunningServer;
  let c: Redis;
  const events: string[] = [];
  const propagated: string[] = [];
  const ready: string[] = [];

  before(async () => {
    emb = await startServer({ port: 0 });
    const server = emb.server;
    server.notifyHook = (_type, event, key) => {
      events.push(event + ' ' + key.toString('latin1'));
    };
    server.propagationSinks.push((_db, argv) => propagated.push(argv.map((a) => a.toString('latin1')).join(' ')));
    server.keyReadyHooks.push((_db, key) => ready.push(key.toString('latin1')));
    c = client(emb.port);
  });

  after(async () => {
    c.disconnect();
    await emb.close();
  });

  async function run(...args: string[]): Promise<{ events: string[]; propagated: string[]; ready: string[] }> {
    events.length = 0;
    propagated.length = 0;
    ready.length = 0;
    try {
      await c.call(args[0]!, ...args.slice(1));
    } catch {
      // error replies are part of some cases
    }
    return { events: [...events], propagated: [...propagated], ready: [...ready] };
  }

  test('keyspace events as redis-server 7.0.15 fires them', async () => {
    await c.flushall();
    assert.deepEqual((await run('RPUSH', 'l', 'a', 'b', 'c', 'd')).events, ['rpush l']);
    assert.deepEqual((await run('LPUSH', 'l', 'x')).events, ['lpush l']);
    assert.deepEqual((await run('LPUSHX', 'nokey', 'x')).events, []);
    assert.deepEqual((await run('LPOP', 'l', '2')).events, ['lpop l']);
    assert.deepEqual((await run('LPOP', 'l', '0')).events, []);
    assert.deepEqual((await run('RPOP', 'l')).events, ['rpop l']);
    assert.deepEqual((await run('LSET', 'l', '0', 'Q')).events, ['lset l']);
    assert.deepEqual((await run('LINSERT', 'l', 'BEFORE', 'Q', 'W')).events, ['linsert l']);
    assert.deepEqual((await run('LINSERT', 'l', 'BEFORE', 'nothing', 'W')).events, []);
    assert.deepEqual((await run('LREM', 'l', '0', 'nothing')).events, []);
    assert.deepEqual((await run('LREM', 'l', '1', 'W')).events, ['lrem l']);
    assert.deepEqual((await run('LTRIM', 'l', '0', '-1')).events, ['ltrim l']);
    assert.deepEqual((await run('LMOVE', 'l', 'l', 'LEFT', 'RIGHT')).events, ['rpush l', 'lpop l']);
    assert.deepEqual((await run('RPOPLPUSH', 'l', 'm')).events, ['lpush m', 'rpop l']);
    assert.deepEqual((await run('RPOPLPUSH', 'l', 'm')).events, ['lpush m', 'rpop l', 'del l']);
    assert.deepEqual((await run('LMPOP', '2', 'x', 'm', 'RIGHT', 'COUNT', '10')).events, ['rpop m', 'del m']);
    await run('RPUSH', 'l', '1');
    assert.deepEqual((await run('LTRIM', 'l', '5', '2')).events, ['ltrim l', 'del l']);
    assert.deepEqual((await run('LRANGE', 'nokey', '0', '1')).events, ['keymiss nokey']);
  });

  test('replicated forms: LMPOP as LPOP/RPOP key <popped>, the rest verbatim, no-ops not at all', async () => {
    await c.flushall();
    await run('RPUSH', 'l', 'a', 'b', 'c', 'd', 'e', 'f');
    assert.deepEqual((await run('LMPOP', '1', 'l', 'LEFT')).propagated, ['LPOP l 1']);
    assert.deepEqual((await run('LMPOP', '1', 'l', 'RIGHT', 'COUNT', '2')).propagated, ['RPOP l 2']);
    assert.deepEqual((await run('LMPOP', '1', 'l', 'LEFT', 'COUNT', '100')).propagated, ['LPOP l 3']);
    assert.deepEqual((await run('RPUSH', 'l', 'x', 'y')).propagated, ['RPUSH l x y']);
    assert.deepEqual((await run('LMOVE', 'l', 'd', 'LEFT', 'Right')).propagated, ['LMOVE l d LEFT Right']);
    assert.deepEqual((await run('LPOP', 'l', '5')).propagated, ['LPOP l 5']);
    assert.deepEqual((await run('LPOP', 'l', '5')).propagated, []);
    assert.deepEqual((await run('LTRIM', 'd', '0', '-1')).propagated, []);
    assert.deepEqual((await run('LREM', 'd', '0', 'nothing')).propagated, []);
  });

  test('signalKeyAsReady after pushes and LMOVE/RPOPLPUSH destinations', async () => {
    await c.flushall();
    assert.deepEqual((await run('RPUSH', 'q', 'a', 'b')).ready, ['q']);
    assert.deepEqual((await run('LPUSH', 'q', 'c')).ready, ['q']);
    assert.deepEqual((await run('RPUSHX', 'nokey', 'c')).ready, []);
    assert.deepEqual((await run('LMOVE', 'q', 'q2', 'LEFT', 'LEFT')).ready, ['q2']);
    assert.deepEqual((await run('RPOPLPUSH', 'q', 'q3')).ready, ['q3']);
    assert.deepEqual((await run('LPOP', 'q')).ready, []);
  });
});
