/**
 * Checks of the string, bitmap and generic key commands that need a key of another type:
 * WRONGTYPE replies and the order of argument errors against such a key, overwrites by string
 * writes, TYPE and SCAN TYPE. Expected replies are what redis-server 7.0.15 answered.
 */

import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startDamselfly, type ServerProcess } from '../helpers/servers.js';
import { redisClient, err, scanAll } from '../helpers/assertions.js';

let srv: ServerProcess;
let r: Redis;

const client = (): Redis => redisClient(srv.port, srv.host);

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
const NOT_INT = 'ERR value is not an integer or out of range';
const SYNTAX = 'ERR syntax error';
const BIT_OFFSET = 'ERR bit offset is not an integer or out of range';

/** Makes `key` a list (the non-string key of every check below). */
async function makeList(key: string): Promise<void> {
  assert.equal(await r.lpush(key, 'a'), 1);
  assert.equal(await r.type(key), 'list');
}

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
// From test/integration/keys.test.ts and test/integration/scan.test.ts.

describe('TYPE and SCAN TYPE', () => {
  test('TYPE of the other types', async () => {
    const made: Array<[string, string, () => Promise<unknown>]> = [
      ['l', 'list', () => r.rpush('l', 'a')],
      ['st', 'set', () => r.sadd('st', 'a')],
      ['z', 'zset', () => r.zadd('z', 1, 'a')],
      ['h', 'hash', () => r.hset('h', 'f', 'v')],
      ['x', 'stream', () => r.xadd('x', '*', 'f', 'v')],
    ];
    for (const [key, type, make] of made) {
      await make();
      assert.equal(await r.type(key), type);
    }
  });

  test('SCAN TYPE with other types', async () => {
    await r.set('s', 'v');
    await r.rpush('l', 'a');
    await r.hset('h', 'f', 'v');
    assert.deepEqual((await scanAll(r, 'TYPE', 'list')).keys, ['l']);
    assert.deepEqual((await scanAll(r, 'TYPE', 'hash')).keys, ['h']);
    assert.deepEqual((await scanAll(r, 'TYPE', 'string', 'MATCH', 's*')).keys, ['s']);
  });
});

// ---------------------------------------------------------------------------------------------
// From test/integration/string.test.ts (the tail of the test of the same name there).

describe('string commands against other types', () => {
  test('SET: overwrites keys of other types; GET on them is WRONGTYPE', async () => {
    await makeList('l');
    assert.equal(await err(r.get('l')), WRONGTYPE);
    assert.equal(await err(r.call('set', 'l', 'v', 'get')), WRONGTYPE);
    assert.equal(await err(r.call('set', 'l', 'v', 'nx', 'get')), WRONGTYPE);
    assert.equal(await err(r.call('set', 'l', 'v', 'xx', 'get')), WRONGTYPE);
    assert.equal(await err(r.call('set', 'l', 'v', 'ex', 'abc', 'get')), NOT_INT);
    assert.equal(await err(r.call('set', 'l', 'v', 'ex', '0', 'get')), "ERR invalid expire time in 'set' command");
    assert.equal(await r.call('set', 'l', 'v', 'nx'), null);
    assert.notEqual(await r.type('l'), 'string');
    assert.equal(await r.call('set', 'l', 'v', 'xx'), 'OK');
    assert.equal(await r.type('l'), 'string');
    assert.equal(await r.get('l'), 'v');
  });

  test('MGET: nil for keys of other types', async () => {
    await r.mset('a', '1', 'b', '2');
    await makeList('l');
    assert.deepEqual(await r.mget('l', 'a', 'l'), [null, '1', null]);
  });

  test('GETSET', async () => {
    await makeList('l');
    assert.equal(await err(r.getset('l', 'v')), WRONGTYPE);
  });

  test('GETDEL', async () => {
    await makeList('l');
    assert.equal(await err(r.call('getdel', 'l')), WRONGTYPE);
    assert.equal(await r.exists('l'), 1);
  });

  test('GETEX: the type is checked before the options are validated, the syntax before both', async () => {
    await makeList('l');
    assert.equal(await err(r.call('getex', 'l')), WRONGTYPE);
    assert.equal(await err(r.call('getex', 'l', 'ex', 'abc')), WRONGTYPE);
    assert.equal(await err(r.call('getex', 'l', 'ex', '0')), WRONGTYPE);
    assert.equal(await err(r.call('getex', 'l', 'persist')), WRONGTYPE);
    assert.equal(await err(r.call('getex', 'l', 'foo')), SYNTAX);
  });

  test('SETEX overwrites a key of another type', async () => {
    await makeList('l');
    assert.equal(await r.setex('l', 10, 'v'), 'OK');
    assert.equal(await r.type('l'), 'string');
  });

  test('MSETNX: a key of another type exists, so nothing is set', async () => {
    await makeList('l');
    assert.equal(await r.msetnx('l', '1', 'q', '2'), 0);
    assert.equal(await r.exists('q'), 0);
  });

  test('APPEND STRLEN', async () => {
    await makeList('l');
    assert.equal(await err(r.append('l', 'x')), WRONGTYPE);
    assert.equal(await err(r.strlen('l')), WRONGTYPE);
  });

  test('INCR family: the increment is parsed before the key is looked at', async () => {
    await makeList('l');
    assert.equal(await err(r.call('incrby', 'l', 'abc')), NOT_INT);
    assert.equal(await err(r.incr('l')), WRONGTYPE);
    assert.equal(await err(r.decrby('l', 1)), WRONGTYPE);
  });

  test('INCRBYFLOAT: the key is looked at before the increment is parsed', async () => {
    await makeList('l');
    assert.equal(await err(r.incrbyfloat('l', 'abc')), WRONGTYPE);
  });

  test('GETRANGE SUBSTR: the range is parsed before the key is looked at', async () => {
    await makeList('l');
    assert.equal(await err(r.call('getrange', 'l', 'a', 'b')), NOT_INT);
    assert.equal(await err(r.getrange('l', 0, 1)), WRONGTYPE);
    assert.equal(await err(r.call('substr', 'l', '0', '1')), WRONGTYPE);
  });

  test('SETRANGE', async () => {
    await makeList('l');
    assert.equal(await err(r.setrange('l', 0, 'x')), WRONGTYPE);
    assert.equal(await err(r.setrange('l', 0, '')), WRONGTYPE);
    assert.equal(await err(r.setrange('l', -1, 'x')), 'ERR offset is out of range');
    assert.equal(await err(r.call('setrange', 'l', 'abc', 'x')), NOT_INT);
  });

  test('LCS', async () => {
    await r.mset('key1', 'ohmytext', 'key2', 'mynewtext');
    await makeList('l');
    assert.equal(await err(r.call('lcs', 'key1', 'l')), 'ERR The specified keys must contain string values');
    assert.equal(await err(r.call('lcs', 'l', 'key1', 'foo')), 'ERR The specified keys must contain string values');
  });
});

// ---------------------------------------------------------------------------------------------
// From test/integration/bitmap.test.ts (the tail of the test of the same name there).

describe('bitmap commands against other types', () => {
  test('SETBIT GETBIT: argument errors come before the type check', async () => {
    await makeList('l');
    assert.equal(await err(r.setbit('l', 0, 1)), WRONGTYPE);
    assert.equal(await err(r.call('setbit', 'l', '-1', '1')), BIT_OFFSET);
    assert.equal(await err(r.call('setbit', 'l', '0', '2')), 'ERR bit is not an integer or out of range');
    assert.equal(await err(r.getbit('l', 0)), WRONGTYPE);
    assert.equal(await err(r.call('getbit', 'l', '-1')), BIT_OFFSET);
  });

  test('BITCOUNT: the type check comes first', async () => {
    await makeList('l');
    assert.equal(await err(r.bitcount('l')), WRONGTYPE);
    assert.equal(await err(r.call('bitcount', 'l', 'a', 'b')), WRONGTYPE);
    assert.equal(await err(r.call('bitcount', 'l', '0')), WRONGTYPE);
  });

  test('BITPOS: the bit first, then the key', async () => {
    await makeList('l');
    assert.equal(await err(r.call('bitpos', 'l', '0')), WRONGTYPE);
    assert.equal(await err(r.call('bitpos', 'l', '2')), 'ERR The bit argument must be 1 or 0.');
    assert.equal(await err(r.call('bitpos', 'l', 'a')), NOT_INT);
  });

  test('BITOP: a source of another type; a destination of another type is overwritten', async () => {
    await r.set('a', 'abc');
    await makeList('l');
    assert.equal(await err(r.call('bitop', 'and', 'd', 'a', 'l')), WRONGTYPE);
    assert.equal(await err(r.call('bitop', 'not', 'd', 'l')), WRONGTYPE);
    assert.equal(await r.exists('d'), 0);
    assert.equal(await r.bitop('AND', 'l', 'a'), 3);
    assert.equal(await r.type('l'), 'string');
  });

  test('BITFIELD BITFIELD_RO: parse errors, then the type', async () => {
    await makeList('l');
    assert.equal(await err(r.call('bitfield', 'l', 'get', 'u8', '0')), WRONGTYPE);
    assert.equal(await err(r.call('bitfield', 'l', 'set', 'u8', '0', '1')), WRONGTYPE);
    assert.equal(await err(r.call('bitfield', 'l', 'overflow', 'fail')), WRONGTYPE);
    assert.equal(await err(r.call('bitfield', 'l')), WRONGTYPE);
    assert.equal(await err(r.call('bitfield', 'l', 'foo')), SYNTAX);
    assert.equal(await err(r.call('bitfield', 'l', 'get', 'u8', 'a')), BIT_OFFSET);
    assert.equal(await err(r.call('bitfield_ro', 'l', 'get', 'u8', '0')), WRONGTYPE);
    assert.equal(await err(r.call('bitfield_ro', 'l', 'overflow', 'sat')), WRONGTYPE);
  });
});
