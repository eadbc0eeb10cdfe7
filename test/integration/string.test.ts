/**
 * The string family against a spawned Damselfly, through ioredis, @redis/client and raw sockets:
 * SET (every option and conflict), GET, GETEX, GETDEL, GETSET, MGET, MSET, MSETNX, SETNX, SETEX,
 * PSETEX, APPEND, STRLEN, INCR/DECR/INCRBY/DECRBY, INCRBYFLOAT, GETRANGE, SUBSTR, SETRANGE, LCS.
 * Every expected reply, error text and dirty count below is what redis-server 7.0.15 produced
 * for the same commands. The checks that need other features wait in test/pending/: WRONGTYPE
 * against other types (collection-types.test.ts), keyspace events (keyspace-events.test.ts) and
 * the replicated forms (replication-propagation.test.ts).
 */

import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { createClient } from '@redis/client';
import { startDamselfly, type ServerProcess } from '../helpers/servers.js';
import { redisClient, err, withDirtyCount, withRaw } from '../helpers/assertions.js';
import { RawConnection } from '../helpers/raw.js';

let srv: ServerProcess;
let r: Redis;

const client = (): Redis => redisClient(srv.port, srv.host);

const withDirty = (...args: Array<string | Buffer>): Promise<[unknown, number]> => withDirtyCount(r, args);

const raw = <T>(fn: (c: RawConnection) => Promise<T>): Promise<T> => withRaw(srv.port, fn);

const NOT_INT = 'ERR value is not an integer or out of range';
const SYNTAX = 'ERR syntax error';

before(async () => {
  srv = await startDamselfly();
  r = client();
});

after(async () => {
  r?.disconnect();
  await srv?.stop();
});

beforeEach(async () => {
  await r.flushall();
});

// ---------------------------------------------------------------------------------------------

describe('SET', () => {
  test('plain set/get and overwrite', async () => {
    assert.equal(await r.set('k', 'v'), 'OK');
    assert.equal(await r.get('k'), 'v');
    assert.equal(await r.set('k', 'v2'), 'OK');
    assert.equal(await r.get('k'), 'v2');
    assert.equal(await r.get('nokey'), null);
  });

  test('NX / XX', async () => {
    assert.equal(await r.call('set', 'k', 'v', 'xx'), null);
    assert.equal(await r.exists('k'), 0);
    assert.equal(await r.call('set', 'k', 'v', 'nx'), 'OK');
    assert.equal(await r.call('set', 'k', 'v2', 'nx'), null);
    assert.equal(await r.get('k'), 'v');
    assert.equal(await r.call('set', 'k', 'v3', 'XX'), 'OK');
    assert.equal(await r.get('k'), 'v3');
    assert.equal(await r.call('set', 'k', 'v4', 'xx', 'xx'), 'OK');
    assert.equal(await r.call('set', 'k', 'v5', 'nx', 'nx'), null);
  });

  test('GET returns the old value, also combined with NX/XX (7.0)', async () => {
    assert.equal(await r.call('set', 'k', 'v', 'get', 'nx'), null);
    assert.equal(await r.get('k'), 'v');
    assert.equal(await r.call('set', 'k', 'v2', 'nx', 'get'), 'v');
    assert.equal(await r.get('k'), 'v');
    assert.equal(await r.call('set', 'k', 'v3', 'xx', 'get'), 'v');
    assert.equal(await r.get('k'), 'v3');
    assert.equal(await r.call('set', 'nokey', 'v', 'xx', 'get'), null);
    assert.equal(await r.exists('nokey'), 0);
    assert.equal(await r.call('set', 'k', 'v4', 'get', 'get'), 'v3');
    assert.equal(await r.call('set', 'k', 'v5', 'EX', '10', 'GET'), 'v4');
    assert.equal(await r.ttl('k'), 10);
    assert.equal(await r.call('set', 'k', 'v6', 'keepttl', 'get'), 'v5');
    assert.equal(await r.ttl('k'), 10);
  });

  test('EX / PX / EXAT / PXAT set the TTL; a plain SET clears it; KEEPTTL keeps it', async () => {
    await r.call('set', 'k', 'v', 'ex', '100');
    assert.equal(await r.ttl('k'), 100);
    await r.call('set', 'k', 'v', 'px', '100000');
    const pttl = await r.pttl('k');
    assert.ok(pttl > 99000 && pttl <= 100000, String(pttl));
    const at = Math.floor(Date.now() / 1000) + 500;
    await r.call('set', 'k', 'v', 'exat', String(at));
    assert.ok(Math.abs((await r.ttl('k')) - 500) <= 1);
    await r.call('set', 'k', 'v', 'pxat', String(Date.now() + 300000));
    assert.ok(Math.abs((await r.ttl('k')) - 300) <= 1);
    await r.call('set', 'k', 'v', 'keepttl');
    assert.ok(Math.abs((await r.ttl('k')) - 300) <= 1);
    await r.set('k', 'v');
    assert.equal(await r.ttl('k'), -1);
    await r.call('set', 'k', 'v', 'Ex', '100');
    assert.equal(await r.ttl('k'), 100);
    // The same unit repeated: the last value wins (even after an invalid one).
    await r.call('set', 'k', 'v', 'ex', '10', 'ex', '20');
    assert.equal(await r.ttl('k'), 20);
    await r.call('set', 'k', 'v', 'ex', 'abc', 'ex', '30');
    assert.equal(await r.ttl('k'), 30);
    await r.call('set', 'k', 'v', 'px', '10', 'px', '20000');
    assert.ok((await r.pttl('k')) > 19000);
  });

  test('an absolute time in the past stores an already expired key', async () => {
    assert.equal(await r.call('set', 'k', 'v', 'pxat', '1'), 'OK');
    assert.equal(await r.exists('k'), 0);
    assert.equal(await r.call('set', 'k', 'v', 'exat', '1'), 'OK');
    assert.equal(await r.get('k'), null);
  });

  test('huge absolute times are accepted up to the int64 limit', async () => {
    assert.equal(await r.call('set', 'k', 'v', 'exat', '99999999999999'), 'OK');
    assert.ok((await r.ttl('k')) > 99990000000000);
    assert.equal(await r.call('set', 'k', 'v', 'pxat', '9223372036854775807'), 'OK');
    assert.equal(await r.call('set', 'k', 'v', 'exat', '9223372036854775'), 'OK');
    assert.equal(await r.call('set', 'k', 'v', 'ex', '9223372036854'), 'OK');
  });

  test('option conflicts and unknown options are syntax errors', async () => {
    for (const opts of [
      ['nx', 'xx'],
      ['xx', 'nx'],
      ['ex', '10', 'px', '100'],
      ['ex', '10', 'keepttl'],
      ['keepttl', 'px', '10'],
      ['ex', '1', 'keepttl'],
      ['get', 'keepttl', 'ex', '10'],
      ['PX', '100', 'pxat', '5'],
      ['exat', '100', 'ex', '5'],
      ['ex'],
      ['px'],
      ['exat'],
      ['pxat'],
      ['foo'],
      ['persist'],
      ['ex', 'abc', 'nx', 'xx'],
      ['ex', '10', 'get', 'foo'],
    ]) {
      assert.equal(await err(r.call('set', 'k', 'v', ...opts)), SYNTAX, opts.join(' '));
    }
    assert.equal(await r.exists('k'), 0);
  });

  test('expire argument errors (after the syntax check)', async () => {
    const inv = "ERR invalid expire time in 'set' command";
    assert.equal(await err(r.call('set', 'k', 'v', 'ex', '0')), inv);
    assert.equal(await err(r.call('set', 'k', 'v', 'ex', '-1')), inv);
    assert.equal(await err(r.call('set', 'k', 'v', 'px', '0')), inv);
    assert.equal(await err(r.call('set', 'k', 'v', 'exat', '0')), inv);
    assert.equal(await err(r.call('set', 'k', 'v', 'pxat', '-5')), inv);
    assert.equal(await err(r.call('set', 'k', 'v', 'ex', '9223372036854775807')), inv);
    assert.equal(await err(r.call('set', 'k', 'v', 'px', '9223372036854775807')), inv);
    assert.equal(await err(r.call('set', 'k', 'v', 'ex', '9223372036854775')), inv);
    assert.equal(await err(r.call('set', 'k', 'v', 'exat', '9223372036854775807')), inv);
    for (const bad of ['abc', '1.5', ' 10', '+10', '010', '', '9223372036854775808']) {
      assert.equal(await err(r.call('set', 'k', 'v', 'ex', bad)), NOT_INT, JSON.stringify(bad));
    }
    assert.equal(await r.exists('k'), 0);
  });

  test('arity', async () => {
    assert.equal(await err(r.call('set', 'k')), "ERR wrong number of arguments for 'set' command");
    assert.equal(await err(r.call('get')), "ERR wrong number of arguments for 'get' command");
    assert.equal(await err(r.call('get', 'a', 'b')), "ERR wrong number of arguments for 'get' command");
  });

  test('dirty: one per write, none when NX/XX prevents it', async () => {
    assert.deepEqual(await withDirty('set', 'k', 'v'), ['OK', 1]);
    assert.deepEqual(await withDirty('set', 'k', 'v'), ['OK', 1]);
    assert.deepEqual(await withDirty('set', 'k', 'v', 'nx'), [null, 0]);
    assert.deepEqual(await withDirty('set', 'k', 'v2', 'get'), ['v', 1]);
    assert.deepEqual(await withDirty('set', 'k', 'v', 'ex', '100'), ['OK', 1]);
    assert.deepEqual(await withDirty('set', 'k', 'v', 'nx', 'get'), ['v', 0]);
    assert.deepEqual(await withDirty('set', 'k', 'v', 'foo'), [SYNTAX, 0]);
  });
});

describe('GET MGET GETSET GETDEL', () => {
  test('MGET: nil for missing keys', async () => {
    await r.mset('a', '1', 'b', '2');
    assert.deepEqual(await r.mget('a', 'nokey', 'b', 'a'), ['1', null, '2', '1']);
    assert.equal(await err(r.call('mget')), "ERR wrong number of arguments for 'mget' command");
  });

  test('GETSET returns the old value and clears the TTL', async () => {
    assert.equal(await r.getset('k', 'v1'), null);
    await r.expire('k', 100);
    assert.equal(await r.getset('k', 'v2'), 'v1');
    assert.equal(await r.get('k'), 'v2');
    assert.equal(await r.ttl('k'), -1);
    assert.deepEqual(await withDirty('getset', 'k', 'v3'), ['v2', 1]);
  });

  test('GETDEL returns and deletes; nothing for a missing key', async () => {
    await r.set('k', 'v');
    assert.deepEqual(await withDirty('getdel', 'k'), ['v', 1]);
    assert.equal(await r.exists('k'), 0);
    assert.deepEqual(await withDirty('getdel', 'k'), [null, 0]);
    assert.equal(await err(r.call('getdel')), "ERR wrong number of arguments for 'getdel' command");
  });
});

describe('GETEX', () => {
  test('options set, replace and remove the TTL', async () => {
    await r.set('k', 'v');
    assert.deepEqual(await withDirty('getex', 'k'), ['v', 0]);
    assert.equal(await r.ttl('k'), -1);
    assert.deepEqual(await withDirty('getex', 'k', 'ex', '100'), ['v', 1]);
    assert.equal(await r.ttl('k'), 100);
    assert.deepEqual(await withDirty('getex', 'k', 'px', '50000'), ['v', 1]);
    assert.ok((await r.pttl('k')) <= 50000);
    await r.call('getex', 'k', 'exat', String(Math.floor(Date.now() / 1000) + 1000));
    assert.ok(Math.abs((await r.ttl('k')) - 1000) <= 1);
    await r.call('getex', 'k', 'pxat', String(Date.now() + 2000000));
    assert.ok(Math.abs((await r.ttl('k')) - 2000) <= 1);
    await r.call('getex', 'k', 'ex', '10', 'ex', '20');
    assert.equal(await r.ttl('k'), 20);
    assert.deepEqual(await withDirty('getex', 'k', 'persist'), ['v', 1]);
    assert.equal(await r.ttl('k'), -1);
    assert.deepEqual(await withDirty('getex', 'k', 'PERSIST'), ['v', 0]);
    assert.deepEqual(await withDirty('getex', 'k', 'persist', 'persist'), ['v', 0]);
    assert.equal(await r.call('getex', 'k', 'pxat', '9223372036854775807'), 'v');
    assert.ok((await r.ttl('k')) > 9223370000000000);
  });

  test('an absolute time in the past deletes the key', async () => {
    await r.set('k', 'v');
    assert.deepEqual(await withDirty('getex', 'k', 'exat', '1'), ['v', 1]);
    assert.equal(await r.exists('k'), 0);
    await r.set('k', 'v');
    assert.equal(await r.call('getex', 'k', 'pxat', '1'), 'v');
    assert.equal(await r.exists('k'), 0);
  });

  test('errors: syntax first, then the key, then the expire value', async () => {
    await r.set('k', 'v');
    for (const opts of [['nx'], ['keepttl'], ['get'], ['ex'], ['foo'], ['persist', 'ex', '10'], ['ex', '10', 'persist'], ['ex', '10', 'px', '10'], ['px', '1', 'persist']]) {
      assert.equal(await err(r.call('getex', 'k', ...opts)), SYNTAX, opts.join(' '));
      assert.equal(await err(r.call('getex', 'nokey', ...opts)), SYNTAX, opts.join(' '));
    }
    // A missing key answers nil before the expire value is looked at.
    assert.equal(await r.call('getex', 'nokey', 'ex', '0'), null);
    assert.equal(await r.call('getex', 'nokey', 'ex', 'abc'), null);
    const inv = "ERR invalid expire time in 'getex' command";
    assert.equal(await err(r.call('getex', 'k', 'ex', '0')), inv);
    assert.equal(await err(r.call('getex', 'k', 'ex', '-5')), inv);
    assert.equal(await err(r.call('getex', 'k', 'EXAT', '0')), inv);
    assert.equal(await err(r.call('getex', 'k', 'pxat', '-1')), inv);
    assert.equal(await err(r.call('getex', 'k', 'ex', '9223372036854775')), inv);
    assert.equal(await err(r.call('getex', 'k', 'px', '9223372036854775807')), inv);
    assert.equal(await err(r.call('getex', 'k', 'exat', '9223372036854775807')), inv);
    assert.equal(await err(r.call('getex', 'k', 'ex', 'abc')), NOT_INT);
    assert.equal(await r.ttl('k'), -1);
    assert.equal(await err(r.call('getex')), "ERR wrong number of arguments for 'getex' command");
  });
});

describe('SETNX SETEX PSETEX MSET MSETNX', () => {
  test('SETNX', async () => {
    assert.deepEqual(await withDirty('setnx', 'k', '1'), [1, 1]);
    assert.deepEqual(await withDirty('setnx', 'k', '2'), [0, 0]);
    assert.equal(await r.get('k'), '1');
  });

  test('SETEX / PSETEX', async () => {
    assert.deepEqual(await withDirty('setex', 'k', '100', 'v'), ['OK', 1]);
    assert.equal(await r.ttl('k'), 100);
    assert.deepEqual(await withDirty('psetex', 'k', '200000', 'w'), ['OK', 1]);
    assert.equal(await r.get('k'), 'w');
    assert.ok(Math.abs((await r.ttl('k')) - 200) <= 1);
    assert.equal(await err(r.call('setex', 'k', '0', 'v')), "ERR invalid expire time in 'setex' command");
    assert.equal(await err(r.call('setex', 'k', '-1', 'v')), "ERR invalid expire time in 'setex' command");
    assert.equal(await err(r.call('setex', 'k', '9223372036854775', 'v')), "ERR invalid expire time in 'setex' command");
    assert.equal(await err(r.call('psetex', 'k', '0', 'v')), "ERR invalid expire time in 'psetex' command");
    assert.equal(await err(r.call('psetex', 'k', '9223372036854775807', 'v')), "ERR invalid expire time in 'psetex' command");
    assert.equal(await err(r.call('setex', 'k', 'abc', 'v')), NOT_INT);
    assert.equal(await err(r.call('psetex', 'k', '1.5', 'v')), NOT_INT);
    assert.equal(await err(r.call('setex', 'k', '10')), "ERR wrong number of arguments for 'setex' command");
    assert.equal(await r.get('k'), 'w');
  });

  test('MSET: dirty counts pairs, TTLs are cleared, odd arguments rejected', async () => {
    await r.set('a', 'x', 'EX', 100);
    assert.deepEqual(await withDirty('mset', 'a', '1', 'b', '2', 'c', '3'), ['OK', 3]);
    assert.equal(await r.ttl('a'), -1);
    assert.deepEqual(await withDirty('mset', 'a', '1', 'a', '2'), ['OK', 2]);
    assert.equal(await r.get('a'), '2');
    assert.equal(await err(r.call('mset', 'a')), "ERR wrong number of arguments for 'mset' command");
    assert.equal(await err(r.call('mset', 'a', '1', 'b')), "ERR wrong number of arguments for 'mset' command");
  });

  test('MSETNX: all or nothing; repeated keys take the last value', async () => {
    assert.deepEqual(await withDirty('msetnx', 'x', '1', 'y', '2'), [1, 2]);
    assert.deepEqual(await withDirty('msetnx', 'x', '1', 'z', '2'), [0, 0]);
    assert.equal(await r.exists('z'), 0);
    assert.deepEqual(await withDirty('msetnx', 'dup', '1', 'dup', '2'), [1, 2]);
    assert.equal(await r.get('dup'), '2');
    assert.equal(await err(r.call('msetnx', 'a', '1', 'b')), "ERR wrong number of arguments for 'msetnx' command");
  });
});

describe('APPEND STRLEN', () => {
  test('APPEND creates, extends, keeps the TTL', async () => {
    assert.deepEqual(await withDirty('append', 'k', 'abc'), [3, 1]);
    await r.expire('k', 100);
    assert.deepEqual(await withDirty('append', 'k', 'def'), [6, 1]);
    assert.equal(await r.get('k'), 'abcdef');
    assert.equal(await r.ttl('k'), 100);
    // Appending nothing still counts as a write; on a missing key it creates an empty string.
    assert.deepEqual(await withDirty('append', 'k', ''), [6, 1]);
    assert.deepEqual(await withDirty('append', 'new', ''), [0, 1]);
    assert.equal(await r.exists('new'), 1);
    assert.equal(await r.strlen('k'), 6);
    assert.equal(await r.strlen('nokey'), 0);
  });

  test('many small appends build a large value (amortised growth)', async () => {
    const chunk = Buffer.alloc(1000);
    for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 7) & 0xff;
    const pipe = r.pipeline();
    for (let i = 0; i < 3000; i++) pipe.append('big', chunk);
    const res = await pipe.exec();
    assert.equal(res![2999]![1], 3000000);
    const v = await r.getBuffer('big');
    assert.equal(v!.length, 3000000);
    for (let i = 0; i < 3000; i += 499) assert.ok(v!.subarray(i * 1000, i * 1000 + 1000).equals(chunk), 'chunk ' + i);
    assert.equal(await r.strlen('big'), 3000000);
  });
});

describe('INCR DECR INCRBY DECRBY', () => {
  test('basic counting; a missing key counts from 0; the TTL is kept', async () => {
    assert.equal(await r.incr('n'), 1);
    assert.equal(await r.incrby('n', 10), 11);
    assert.equal(await r.decr('n'), 10);
    assert.equal(await r.decrby('n', 20), -10);
    assert.equal(await r.get('n'), '-10');
    await r.expire('n', 100);
    assert.equal(await r.incr('n'), -9);
    assert.equal(await r.ttl('n'), 100);
    assert.equal(await r.decr('fresh'), -1);
    assert.deepEqual(await withDirty('incrby', 'n', '0'), [-9, 1]);
  });

  test('int64 edges', async () => {
    await r.set('n', '9223372036854775806');
    await raw(async (c) => {
      assert.equal(await c.call('INCR', 'n'), ':9223372036854775807\r\n');
      assert.equal(await c.call('INCR', 'n'), '-ERR increment or decrement would overflow\r\n');
      assert.equal(await c.call('INCRBY', 'n', '0'), ':9223372036854775807\r\n');
    });
    assert.equal(await r.get('n'), '9223372036854775807');
    await r.set('n', '-9223372036854775807');
    assert.equal(await r.decr('n'), -9223372036854775808);
    assert.equal(await r.get('n'), '-9223372036854775808');
    assert.equal(await err(r.decr('n')), 'ERR increment or decrement would overflow');
    assert.equal(await err(r.call('decrby', 'n', '-9223372036854775808')), 'ERR decrement would overflow');
    assert.equal(await err(r.call('decrby', 'nokey', '-9223372036854775808')), 'ERR decrement would overflow');
    await r.set('n', '0');
    assert.equal(await err(r.call('decrby', 'n', '-9223372036854775808')), 'ERR decrement would overflow');
    assert.equal(await r.call('incrby', 'n', '-9223372036854775808'), -9223372036854775808);
    await r.set('n', '1');
    assert.equal(await err(r.call('incrby', 'n', '9223372036854775807')), 'ERR increment or decrement would overflow');
    // Exact values beyond 2^53 (raw bytes, no float rounding).
    await r.set('n', '9007199254740993');
    await raw(async (c) => {
      assert.equal(await c.call('INCR', 'n'), ':9007199254740994\r\n');
      assert.equal(await c.call('INCRBY', 'n', '-9007199254740995'), ':-1\r\n');
      assert.equal(await c.call('DECRBY', 'n', '9223372036854775807'), ':-9223372036854775808\r\n');
    });
  });

  test('values that are not canonical int64 strings', async () => {
    for (const v of [' 1', '1 ', '012', '+1', '-0', '1.0', '123456789012345678901', '9223372036854775808', 'abc', '']) {
      await r.set('n', v);
      assert.equal(await err(r.incr('n')), NOT_INT, JSON.stringify(v));
      assert.equal(await r.get('n'), v);
    }
  });

  test('increment argument errors come before the key is looked at', async () => {
    for (const v of ['abc', '+1', ' 1', '9223372036854775808', '1.5', '']) {
      assert.equal(await err(r.call('incrby', 'n', v)), NOT_INT, JSON.stringify(v));
      assert.equal(await err(r.call('decrby', 'n', v)), NOT_INT, JSON.stringify(v));
    }
  });
});

describe('INCRBYFLOAT', () => {
  test('long double arithmetic and formatting', async () => {
    await r.set('f', '10.5');
    assert.equal(await r.incrbyfloat('f', '0.1'), '10.6');
    assert.equal(await r.incrbyfloat('f', '5.0e3'), '5010.60000000000000009');
    assert.equal(await r.get('f'), '5010.60000000000000009');
    await r.set('f', '1');
    assert.equal(await r.incrbyfloat('f', '0x10'), '17');
    await r.set('f', '1.0');
    assert.equal(await r.incrbyfloat('f', '1'), '2');
    assert.equal(await r.incrbyfloat('nf', '-0'), '0');
    assert.equal(await r.get('nf'), '0');
    await r.set('x', '1e308');
    assert.equal(
      await r.incrbyfloat('x', '0'),
      '99999999999999999996685879655845645660560099847415567207797047994921734868838061872100126921888539320446747225054013223152134749593960583597420814430196418767959100019603190778663109604507106667939153395788938914560543563061268364901618630217086589253444881623791300855757318142424510452728255046343928578048',
    );
  });

  test('errors', async () => {
    await r.set('f', '1');
    assert.equal(await err(r.incrbyfloat('f', '1e5000')), 'ERR value is not a valid float');
    assert.equal(await err(r.incrbyfloat('f', 'nan')), 'ERR value is not a valid float');
    assert.equal(await err(r.incrbyfloat('f', '')), 'ERR value is not a valid float');
    assert.equal(await err(r.incrbyfloat('f', ' 1')), 'ERR value is not a valid float');
    assert.equal(await err(r.incrbyfloat('f', 'inf')), 'ERR increment would produce NaN or Infinity');
    await r.set('f', 'abc');
    assert.equal(await err(r.incrbyfloat('f', '1')), 'ERR value is not a valid float');
    await r.set('f', 'inf');
    assert.equal(await err(r.incrbyfloat('f', '1')), 'ERR increment would produce NaN or Infinity');
  });

  test('keeps the TTL; RESP3 still answers a bulk string', async () => {
    await r.set('f', '1', 'EX', 100);
    assert.deepEqual(await withDirty('incrbyfloat', 'f', '0.25'), ['1.25', 1]);
    assert.equal(await r.ttl('f'), 100);
    await raw(async (c) => {
      await c.call('HELLO', '3');
      assert.equal(await c.call('INCRBYFLOAT', 'f', '1.5'), '$4\r\n2.75\r\n');
    });
  });
});

describe('GETRANGE SUBSTR SETRANGE', () => {
  test('GETRANGE index rules', async () => {
    await r.set('k', 'Hello World');
    const cases: Array<[string, string, string]> = [
      ['0', '-1', 'Hello World'],
      ['-3', '-1', 'rld'],
      ['5', '3', ''],
      ['-100', '100', 'Hello World'],
      ['100', '200', ''],
      ['-1', '-5', ''],
      ['10', '10', 'd'],
      ['11', '11', ''],
      ['-1', '-100', ''],
      ['3', '-100', ''],
      ['-12', '0', 'H'],
      ['-10', '-20', ''],
      ['-20', '-10', 'He'],
      ['0', '9223372036854775807', 'Hello World'],
      ['-9223372036854775808', '5', 'Hello '],
    ];
    for (const [s, e, want] of cases) assert.equal(await r.call('getrange', 'k', s, e), want, s + ' ' + e);
    assert.equal(await r.call('substr', 'k', '0', '2'), 'Hel');
    assert.equal(await r.getrange('nokey', 0, -1), '');
    await r.set('e', '');
    assert.equal(await r.getrange('e', 0, -1), '');
    assert.equal(await r.getrange('e', 0, 0), '');
    await r.set('n', '12345');
    assert.equal(await r.getrange('n', 1, 2), '23');
    await raw(async (c) => {
      assert.equal(await c.call('GETRANGE', 'nokey', '0', '-1'), '$0\r\n\r\n');
      assert.equal(await c.call('GETRANGE', 'k', '5', '3'), '$0\r\n\r\n');
    });
  });

  test('GETRANGE errors: the range is parsed before the key is looked at', async () => {
    assert.equal(await err(r.call('getrange', 'k', '0', 'abc')), NOT_INT);
    assert.equal(await err(r.call('getrange', 'nokey', 'a', 'b')), NOT_INT);
    assert.equal(await err(r.call('getrange', 'k', '0', '9223372036854775808')), NOT_INT);
    assert.equal(await err(r.call('substr', 'k', '0')), "ERR wrong number of arguments for 'substr' command");
  });

  test('SETRANGE overwrites, pads with zero bytes, keeps the TTL', async () => {
    await r.set('k', 'Hello World', 'EX', 100);
    assert.deepEqual(await withDirty('setrange', 'k', '6', 'Redis'), [11, 1]);
    assert.equal(await r.get('k'), 'Hello Redis');
    assert.equal(await r.setrange('k', 15, 'tail'), 19);
    assert.ok((await r.getBuffer('k'))!.equals(Buffer.from('Hello Redis\0\0\0\0tail', 'latin1')));
    assert.equal(await r.ttl('k'), 100);
    assert.equal(await r.setrange('nk', 3, 'ab'), 5);
    assert.ok((await r.getBuffer('nk'))!.equals(Buffer.from('\0\0\0ab', 'latin1')));
    // An empty value changes nothing and creates nothing.
    assert.deepEqual(await withDirty('setrange', 'k', '0', ''), [19, 0]);
    assert.deepEqual(await withDirty('setrange', 'k', '100', ''), [19, 0]);
    assert.deepEqual(await withDirty('setrange', 'nk2', '5', ''), [0, 0]);
    assert.equal(await r.exists('nk2'), 0);
  });

  test('SETRANGE limits and errors', async () => {
    await r.set('k', 'abc');
    assert.equal(await err(r.setrange('k', -1, 'x')), 'ERR offset is out of range');
    assert.equal(await err(r.call('setrange', 'k', 'abc', 'x')), NOT_INT);
    assert.equal(await err(r.setrange('k', 536870912, 'x')), 'ERR string exceeds maximum allowed size (proto-max-bulk-len)');
    assert.equal(await err(r.setrange('k', 536870911, 'xy')), 'ERR string exceeds maximum allowed size (proto-max-bulk-len)');
    assert.equal(await err(r.setrange('nk', 536870912, 'x')), 'ERR string exceeds maximum allowed size (proto-max-bulk-len)');
    // Checked only when something would be written.
    assert.equal(await r.setrange('nk', 536870912, ''), 0);
    assert.equal(await r.setrange('k', 536870912, ''), 3);
    assert.equal(await err(r.setrange('nk', -1, '')), 'ERR offset is out of range');
    assert.equal(await err(r.call('setrange', 'nk', 'abc', '')), NOT_INT);
    assert.equal(await r.get('k'), 'abc');
  });

  test('proto-max-bulk-len bounds SETRANGE and APPEND', async () => {
    assert.equal(await r.config('SET', 'proto-max-bulk-len', '1mb'), 'OK');
    try {
      assert.equal(await r.setrange('k', 1048575, 'a'), 1048576);
      assert.equal(await err(r.setrange('k', 1048575, 'ab')), 'ERR string exceeds maximum allowed size (proto-max-bulk-len)');
      assert.equal(await err(r.append('k', 'x')), 'ERR string exceeds maximum allowed size (proto-max-bulk-len)');
      assert.equal(await r.strlen('k'), 1048576);
      assert.equal(await r.append('k', ''), 1048576);
    } finally {
      await r.config('SET', 'proto-max-bulk-len', '512mb');
    }
  });
});

describe('LCS', () => {
  beforeEach(async () => {
    await r.mset('key1', 'ohmytext', 'key2', 'mynewtext');
  });

  test('string, LEN and IDX replies (RESP2 bytes)', async () => {
    await raw(async (c) => {
      assert.equal(await c.call('LCS', 'key1', 'key2'), '$6\r\nmytext\r\n');
      assert.equal(await c.call('LCS', 'key1', 'key2', 'LEN'), ':6\r\n');
      assert.equal(
        await c.call('LCS', 'key1', 'key2', 'IDX'),
        '*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n',
      );
      assert.equal(
        await c.call('LCS', 'key1', 'key2', 'IDX', 'WITHMATCHLEN'),
        '*4\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n',
      );
      assert.equal(await c.call('LCS', 'x', 'y', 'IDX'), '*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n');
      assert.equal(await c.call('LCS', 'x', 'y'), '$0\r\n\r\n');
    });
  });

  test('RESP3: IDX is a map', async () => {
    await raw(async (c) => {
      await c.call('HELLO', '3');
      assert.equal(
        await c.call('LCS', 'key1', 'key2', 'IDX', 'WITHMATCHLEN'),
        '%2\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n',
      );
      assert.equal(await c.call('LCS', 'x', 'y', 'IDX'), '%2\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n');
    });
  });

  test('options', async () => {
    assert.deepEqual(await r.call('lcs', 'key1', 'key2', 'idx', 'minmatchlen', '4'), ['matches', [[[4, 7], [5, 8]]], 'len', 6]);
    assert.deepEqual(await r.call('lcs', 'key1', 'key2', 'idx', 'minmatchlen', '4', 'withmatchlen'), ['matches', [[[4, 7], [5, 8], 4]], 'len', 6]);
    assert.deepEqual(await r.call('lcs', 'key1', 'key2', 'minmatchlen', '-5', 'idx'), ['matches', [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], 'len', 6]);
    assert.deepEqual(await r.call('lcs', 'key1', 'key1', 'idx', 'withmatchlen'), ['matches', [[[0, 7], [0, 7], 8]], 'len', 8]);
    assert.equal(await r.call('lcs', 'key1', 'key2', 'len', 'len'), 6);
    assert.equal(await r.call('lcs', 'key1', 'key2', 'withmatchlen'), 'mytext');
    assert.equal(await r.call('lcs', 'key1', 'key2', 'len', 'withmatchlen'), 6);
    assert.equal(await r.call('lcs', 'key1', 'key2', 'len', 'minmatchlen', '3'), 6);
    assert.equal(await r.call('lcs', 'key1', 'nokey'), '');
    assert.equal(await r.call('lcs', 'nokey', 'nokey2', 'len'), 0);
    assert.deepEqual(await r.call('lcs', 'nokey', 'nokey2', 'idx'), ['matches', [], 'len', 0]);
  });

  test('tie-breaking matches redis-server', async () => {
    const cases: Array<[string, string, string, unknown]> = [
      ['ab', 'ba', 'b', ['matches', [[[1, 1], [0, 0], 1]], 'len', 1]],
      ['abc', 'cab', 'ab', ['matches', [[[0, 1], [1, 2], 2]], 'len', 2]],
      ['xaybz', 'zbyax', 'z', ['matches', [[[4, 4], [0, 0], 1]], 'len', 1]],
      ['abab', 'baba', 'bab', ['matches', [[[1, 3], [0, 2], 3]], 'len', 3]],
      [
        'ACCGGTCGAGTGCGCGGAAGCCGGCCGAA',
        'GTCGTTCGGAATGCCGTTGCTCTGTAAA',
        'GTCGTCGGAAGCCGGCCGAA',
        ['matches', [[[27, 28], [26, 27], 2], [[26, 26], [23, 23], 1], [[25, 25], [21, 21], 1], [[23, 24], [18, 19], 2], [[19, 22], [12, 15], 4], [[14, 18], [6, 10], 5], [[9, 10], [3, 4], 2], [[4, 6], [0, 2], 3]], 'len', 20],
      ],
    ];
    for (const [a, b, s, idx] of cases) {
      await r.mset('a', a, 'b', b);
      assert.equal(await r.call('lcs', 'a', 'b'), s, a + ' ' + b);
      assert.deepEqual(await r.call('lcs', 'a', 'b', 'idx', 'withmatchlen'), idx, a + ' ' + b);
    }
  });

  test('errors', async () => {
    assert.equal(await err(r.call('lcs', 'key1', 'key2', 'len', 'idx')), 'ERR If you want both the length and indexes, please just use IDX.');
    assert.equal(await err(r.call('lcs', 'key1', 'key2', 'minmatchlen')), SYNTAX);
    assert.equal(await err(r.call('lcs', 'key1', 'key2', 'minmatchlen', 'abc')), NOT_INT);
    assert.equal(await err(r.call('lcs', 'key1', 'key2', 'minmatchlen', '9223372036854775808', 'idx')), NOT_INT);
    assert.equal(await err(r.call('lcs', 'key1', 'key2', 'foo')), SYNTAX);
    assert.equal(await err(r.call('lcs', 'key1')), "ERR wrong number of arguments for 'lcs' command");
  });

  test('the DP table is bounded by proto-max-bulk-len', async () => {
    assert.equal(await r.config('SET', 'proto-max-bulk-len', '1mb'), 'OK');
    try {
      // (511+1)^2 * 4 bytes = 1 MiB is allowed, 512 is not.
      await r.mset('la', 'a'.repeat(511), 'lb', 'a'.repeat(511));
      assert.equal(await r.call('lcs', 'la', 'lb', 'len'), 511);
      await r.mset('la', 'a'.repeat(512), 'lb', 'a'.repeat(512));
      assert.equal(await err(r.call('lcs', 'la', 'lb', 'len')), 'ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
      assert.equal(await err(r.call('lcs', 'la', 'lb', 'len', 'idx')), 'ERR If you want both the length and indexes, please just use IDX.');
    } finally {
      await r.config('SET', 'proto-max-bulk-len', '512mb');
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('binary safety and large values', () => {
  test('keys and values with every byte value', async () => {
    const all = Buffer.alloc(256);
    for (let i = 0; i < 256; i++) all[i] = i;
    await r.set(all, all);
    assert.ok((await r.getBuffer(all))!.equals(all));
    for (let i = 0; i < 256; i += 17) {
      const k = Buffer.from([i, 0, 255 - i, 13, 10]);
      const v = Buffer.from([0, i, 13, 10, i]);
      await r.set(k, v);
      assert.ok((await r.getBuffer(k))!.equals(v));
    }
    assert.equal(await r.append(all, Buffer.from([0, 1])), 258);
    assert.ok((await r.getrangeBuffer(all, 254, -1)).equals(Buffer.from([254, 255, 0, 1])));
    const got = await r.mgetBuffer(all, 'nokey');
    assert.ok(got[0]!.equals(Buffer.concat([all, Buffer.from([0, 1])])));
    assert.equal(got[1], null);
    assert.equal(await r.getsetBuffer(all, Buffer.from([0])).then((b) => b!.length), 258);
    await r.set('bin', Buffer.from([0, 0, 0]));
    assert.equal(await r.strlen('bin'), 3);
    assert.equal(await r.setrange('bin', 1, Buffer.from([255])), 3);
    assert.ok((await r.getBuffer('bin'))!.equals(Buffer.from([0, 255, 0])));
  });

  test('a 10 MB value round-trips, and ranges/appends on it work', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31 + (i >> 10)) & 0xff;
    assert.equal(await r.set('big', big), 'OK');
    assert.equal(await r.strlen('big'), big.length);
    assert.ok((await r.getBuffer('big'))!.equals(big));
    assert.ok((await r.getrangeBuffer('big', 5_000_000, 5_000_099)).equals(big.subarray(5_000_000, 5_000_100)));
    assert.equal(await r.setrange('big', 1, 'XY'), big.length);
    assert.equal(await r.append('big', 'tail'), big.length + 4);
    const back = (await r.getBuffer('big'))!;
    assert.equal(back.toString('latin1', 1, 3), 'XY');
    assert.equal(back.toString('latin1', big.length), 'tail');
    assert.ok(back.subarray(3, big.length).equals(big.subarray(3)));
    const c = createClient({ socket: { port: srv.port, host: srv.host } });
    await c.connect();
    try {
      const v = await c.get('big');
      assert.equal(v!.length, big.length + 4);
    } finally {
      await c.quit();
    }
  });
});

describe('@redis/client', () => {
  test('typical usage', async () => {
    const c = createClient({ socket: { port: srv.port, host: srv.host } });
    await c.connect();
    try {
      assert.equal(await c.set('a', '1', { EX: 100, NX: true }), 'OK');
      assert.equal(await c.set('a', '2', { NX: true }), null);
      assert.equal(await c.get('a'), '1');
      assert.equal(await c.incrBy('a', 41), 42);
      assert.equal(await c.incrByFloat('a', 0.5), '42.5');
      assert.deepEqual(await c.mGet(['a', 'nokey']), ['42.5', null]);
      assert.equal(await c.mSet({ b: 'x', c: 'y' }), 'OK');
      assert.equal(await c.mSetNX({ b: 'x', d: 'y' }), 0);
      assert.equal(await c.append('b', 'yz'), 3);
      assert.equal(await c.getRange('b', 1, -1), 'yz');
      assert.equal(await c.setRange('b', 1, 'Q'), 3);
      assert.equal(await c.strLen('b'), 3);
      assert.equal(await c.getDel('b'), 'xQz');
      assert.equal(await c.getEx('c', { EX: 50 }), 'y');
      assert.equal(await c.ttl('c'), 50);
      assert.equal(await c.getSet('c', 'z'), 'y');
      assert.equal(await c.setEx('e', 10, 'v'), 'OK');
      assert.equal(await c.pSetEx('e', 10000, 'v'), 'OK');
      assert.equal(await c.setNX('e', 'w'), 0);
      await c.mSet({ key1: 'ohmytext', key2: 'mynewtext' });
      assert.equal(await c.lcs('key1', 'key2'), 'mytext');
      assert.equal(await c.lcsLen('key1', 'key2'), 6);
      assert.equal(await c.decrBy('n', 3), -3);
    } finally {
      await c.quit();
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('OBJECT ENCODING emulation', () => {
  test('int / embstr / raw as Redis encodings evolve', async () => {
    const enc = async (k: string) => r.object('ENCODING', k);
    const steps: Array<[Array<string>, string, string]> = [
      [['set', 'k', '123'], 'k', 'int'],
      [['set', 'k', '-9223372036854775808'], 'k', 'int'],
      [['set', 'k', '9223372036854775808'], 'k', 'embstr'],
      [['set', 'k', '0123'], 'k', 'embstr'],
      [['set', 'k', 'a'.repeat(44)], 'k', 'embstr'],
      [['set', 'k', 'a'.repeat(45)], 'k', 'raw'],
      [['set', 'k', '5'], 'k', 'int'],
      [['append', 'k', '1'], 'k', 'raw'],
      [['incr', 'k'], 'k', 'int'],
      [['append', 'k', ''], 'k', 'raw'],
      [['set', 'k', 'abc'], 'k', 'embstr'],
      [['setrange', 'k', '0', 'x'], 'k', 'raw'],
      [['set', 'k', '5'], 'k', 'int'],
      [['setrange', 'k', '0', ''], 'k', 'int'],
      [['getset', 'k', '7'], 'k', 'int'],
      [['getex', 'k', 'ex', '100'], 'k', 'int'],
      [['setex', 'k', '100', '20'], 'k', 'int'],
      [['mset', 'k', '30'], 'k', 'int'],
      [['append', 'k4', '60'], 'k4', 'int'],
      [['setrange', 'k5', '0', '70'], 'k5', 'raw'],
      [['incrby', 'k6', '5'], 'k6', 'int'],
    ];
    for (const [cmd, key, want] of steps) {
      await r.call(...(cmd as [string, ...string[]]));
      assert.equal(await enc(key), want, cmd.join(' '));
    }
  });
});

describe('COMMAND INFO', () => {
  test('arity, flags, key positions and categories equal redis-server 7.0.15', async () => {
    const info = (await r.call('command', 'info', 'set', 'getex', 'mset', 'lcs', 'incrbyfloat', 'getrange')) as unknown[];
    const head = (x: unknown) => (x as unknown[]).slice(0, 7);
    assert.deepEqual(head(info[0]), ['set', -3, ['write', 'denyoom'], 1, 1, 1, ['@write', '@string', '@slow']]);
    assert.deepEqual(head(info[1]), ['getex', -2, ['write', 'fast'], 1, 1, 1, ['@write', '@string', '@fast']]);
    assert.deepEqual(head(info[2]), ['mset', -3, ['write', 'denyoom'], 1, -1, 2, ['@write', '@string', '@slow']]);
    assert.deepEqual(head(info[3]), ['lcs', -3, ['readonly'], 1, 2, 1, ['@read', '@string', '@slow']]);
    assert.deepEqual(head(info[4]), ['incrbyfloat', 3, ['write', 'denyoom', 'fast'], 1, 1, 1, ['@write', '@string', '@fast']]);
    assert.deepEqual(head(info[5]), ['getrange', 4, ['readonly'], 1, 1, 1, ['@read', '@string', '@slow']]);
  });
});

// ---------------------------------------------------------------------------------------------
// Keyspace events (from test/pending/keyspace-events.test.ts; every expected sequence is what
// redis-server 7.0.15 published for the same commands).

const sleep = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));

describe('string commands', () => {
  test('event names of the string commands', async () => {
    assert.equal(await r.config('SET', 'notify-keyspace-events', 'KEA'), 'OK');
    const sub = client();
    const events: string[] = [];
    try {
      await sub.psubscribe('__keyevent@0__:*');
      sub.on('pmessage', (_p: string, channel: string, message: string) => events.push(channel.slice('__keyevent@0__:'.length) + ' ' + message));
      const cmds: string[][] = [
        ['set', 'k', 'v'],
        ['set', 'k', 'v', 'nx'],
        ['set', 'k', 'v2', 'get'],
        ['set', 'k', 'v', 'ex', '100'],
        ['getex', 'k', 'ex', '100'],
        ['getex', 'k', 'persist'],
        ['getex', 'k', 'persist'],
        ['getex', 'k'],
        ['getex', 'k', 'exat', '1'],
        ['set', 'k', '1'],
        ['incr', 'k'],
        ['decrby', 'k', '1'],
        ['incrbyfloat', 'k', '1.5'],
        ['append', 'k', 'xx'],
        ['append', 'new', ''],
        ['setrange', 'k', '0', ''],
        ['setrange', 'k', '0', 'a'],
        ['getdel', 'k'],
        ['getset', 'k', 'v'],
        ['mset', 'a', '1', 'b', '2'],
        ['msetnx', 'x', '1', 'y', '2'],
        ['msetnx', 'x', '1', 'z', '2'],
        ['setnx', 'z', '1'],
        ['setex', 'k', '10', 'v'],
        ['psetex', 'k', '10000', 'v'],
        ['set', 'sync', '1'],
      ];
      for (const c of cmds) await r.call(...(c as [string, ...string[]]));
      const deadline = Date.now() + 2000;
      while (!events.includes('set sync') && Date.now() < deadline) await sleep(10);
      assert.deepEqual(events, [
        'set k',
        'set k',
        'set k',
        'expire k',
        'expire k',
        'persist k',
        'del k',
        'set k',
        'incrby k',
        'incrby k',
        'incrbyfloat k',
        'append k',
        'append new',
        'setrange k',
        'del k',
        'set k',
        'set a',
        'set b',
        'set x',
        'set y',
        'set z',
        'set k',
        'expire k',
        'set k',
        'expire k',
        'set sync',
      ]);
    } finally {
      sub.disconnect();
      await r.config('SET', 'notify-keyspace-events', '');
    }
  });
});

describe('keymiss events (string and bitmap reads)', () => {
  test('every read lookup that misses, never a write', async () => {
    assert.equal(await r.config('SET', 'notify-keyspace-events', 'KEm'), 'OK');
    const sub = client();
    const events: string[] = [];
    try {
      await sub.psubscribe('__keyevent@0__:*');
      sub.on('pmessage', (_p: string, channel: string, message: string) => events.push(channel.slice('__keyevent@0__:'.length) + ' ' + message));
      for (const c of [
        'get m1', 'mget m2 m3', 'getex m4', 'getex m4b ex 10', 'getdel m5', 'getset m6 v', 'set m7 v get', 'set m8 v',
        'strlen m9', 'getrange m10 0 1', 'substr m11 0 1', 'lcs m12 m13', 'bitcount m14', 'bitpos m15 0', 'getbit m16 0',
        'bitfield m17 get u8 0', 'bitfield_ro m18 get u8 0', 'bitop and d m19 m20', 'incr m21', 'append m22 x',
        'setrange m23 0 x', 'setbit m24 0 1', 'bitfield m25 set u8 0 1', 'msetnx m26 1', 'setnx m27 1',
        'incrbyfloat m28 1', 'set m29 v nx', 'set m30 v xx', 'getrange m31 a b', 'bitpos m32 2', 'bitcount m33 0',
        'lcs m34 m35 foo', 'bitfield m36', 'get sync',
      ]) {
        try {
          await r.call(...(c.split(' ') as [string, ...string[]]));
        } catch {
          // some of these are errors on purpose
        }
      }
      const deadline = Date.now() + 2000;
      while (!events.includes('keymiss sync') && Date.now() < deadline) await sleep(10);
      const want = 'm1 m2 m3 m4 m4b m5 m6 m7 m9 m10 m11 m12 m13 m14 m15 m16 m17 m18 m19 m20 m33 m34 m35 m36 sync';
      assert.deepEqual(events, want.split(' ').map((k) => 'keymiss ' + k));
    } finally {
      sub.disconnect();
      await r.config('SET', 'notify-keyspace-events', '');
    }
  });
});
