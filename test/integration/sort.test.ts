/**
 * SORT / SORT_RO through real clients (ioredis, @redis/client) against a spawned Damselfly, and
 * in-process for keyspace events and the replicated form. Expected replies, dirty counts and
 * events are what redis-server 7.0.15 produced for the same commands; every option and error is
 * compared byte for byte in test/differential/sort.txt.
 */

import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { createClient } from '@redis/client';
import { startServer, type RunningServer } from 'damselfly';
import { startDamselfly, type ServerProcess } from '../helpers/servers.js';
import { redisClient, err, withDirtyCount } from '../helpers/assertions.js';

let srv: ServerProcess;
let r: Redis;

before(async () => {
  srv = await startDamselfly();
  r = redisClient(srv.port, srv.host);
});

after(async () => {
  r?.disconnect();
  await srv?.stop();
});

beforeEach(async () => {
  await r.flushall();
});

describe('SORT through ioredis', () => {
  test('numeric, ALPHA, DESC, LIMIT', async () => {
    await r.rpush('n', '3', '1', '2', '10', '-5', '2.5');
    assert.deepEqual(await r.sort('n'), ['-5', '1', '2', '2.5', '3', '10']);
    assert.deepEqual(await r.sort('n', 'LIMIT', 1, 2, 'DESC'), ['3', '2.5']);
    assert.deepEqual(await r.sort('n', 'ALPHA'), ['-5', '1', '10', '2', '2.5', '3']);
    assert.deepEqual(await r.sort('n', 'LIMIT', -1, 2), ['-5', '1']);
    await r.rpush('bad', '1', 'x');
    assert.equal(await err(r.sort('bad')), "ERR One or more scores can't be converted into double");
    assert.deepEqual(await r.sort('bad', 'ALPHA'), ['1', 'x']);
  });

  test('BY and GET patterns, hash fields, nosort', async () => {
    await r.rpush('ids', '3', '1', '2');
    await r.mset('w_1', '30', 'w_2', '10', 'w_3', '20');
    await r.hset('h_1', 'name', 'one');
    await r.hset('h_2', 'name', 'two');
    assert.deepEqual(await r.sort('ids', 'BY', 'w_*'), ['2', '3', '1']);
    assert.deepEqual(await r.sort('ids', 'BY', 'w_*', 'GET', '#', 'GET', 'h_*->name'), ['2', 'two', '3', null, '1', 'one']);
    assert.deepEqual(await r.sort('ids', 'BY', 'nosort', 'DESC'), ['2', '1', '3']);
    await r.zadd('z', 3, 'a', 1, 'b', 2, 'c');
    assert.deepEqual(await r.sort('z', 'BY', 'nosort'), ['b', 'c', 'a']);
    assert.deepEqual(await r.sort('z', 'DESC', 'ALPHA'), ['c', 'b', 'a']);
  });

  test('STORE writes a list; an empty result deletes; dirty counts', async () => {
    await r.rpush('ids', '3', '1', '2');
    await r.mset('w_1', '30', 'w_2', '10', 'w_3', '20');
    assert.deepEqual(await withDirtyCount(r, ['sort', 'ids', 'by', 'w_*', 'get', '#', 'get', 'w_*', 'store', 'dst']), [6, 6]);
    assert.deepEqual(await r.lrange('dst', 0, -1), ['2', '10', '3', '20', '1', '30']);
    assert.deepEqual(await withDirtyCount(r, ['sort', 'ids', 'get', 'nokey_*', 'store', 'dst']), [3, 3]);
    assert.deepEqual(await r.lrange('dst', 0, -1), ['', '', '']);
    assert.deepEqual(await withDirtyCount(r, ['sort', 'nokey', 'store', 'dst']), [0, 1]);
    assert.deepEqual(await withDirtyCount(r, ['sort', 'nokey', 'store', 'dst']), [0, 0]);
    assert.deepEqual(await withDirtyCount(r, ['sort', 'ids']), [['1', '2', '3'], 0]);
    await r.sadd('s', 'b', 'c', 'a');
    assert.equal(await r.sort('s', 'BY', 'nosort', 'STORE', 'sd'), 3);
    assert.deepEqual(await r.lrange('sd', 0, -1), ['a', 'b', 'c']);
  });

  test('SORT_RO and errors', async () => {
    await r.rpush('ids', '2', '1');
    assert.deepEqual(await r.call('sort_ro', 'ids'), ['1', '2']);
    assert.equal(await err(r.call('sort_ro', 'ids', 'store', 'x')), 'ERR syntax error');
    await r.set('str', 'x');
    assert.equal(await err(r.sort('str')), 'WRONGTYPE Operation against a key holding the wrong kind of value');
    assert.equal(await err(r.call('sort', 'str', 'limit', 'a', 'b')), 'ERR value is not an integer or out of range');
    assert.deepEqual(await r.call('command', 'getkeys', 'sort', 'k', 'store', 'a', 'get', 'store', 'store', 'b'), ['k', 'b']);
  });
});

describe('SORT through @redis/client', () => {
  test('sort options object and sortRo', async () => {
    const c = createClient({ socket: { port: srv.port, host: srv.host } });
    await c.connect();
    try {
      await c.rPush('l', ['c', 'a', 'b']);
      await c.mSet({ 'k_a': '2', 'k_b': '1', 'k_c': '3' });
      assert.deepEqual(await c.sort('l', { ALPHA: true, DIRECTION: 'DESC' }), ['c', 'b', 'a']);
      assert.deepEqual(await c.sort('l', { BY: 'k_*', GET: ['#', 'k_*'], LIMIT: { offset: 0, count: 2 } }), ['b', '1', 'a', '2']);
      assert.deepEqual(await c.sortRo('l', { ALPHA: true }), ['a', 'b', 'c']);
      assert.equal(await c.sortStore('l', 'out', { ALPHA: true }), 3);
      assert.deepEqual(await c.lRange('out', 0, -1), ['a', 'b', 'c']);
    } finally {
      c.destroy();
    }
  });
});

describe('keyspace events and replicated form (in-process)', () => {
  let emb: RunningServer;
  let c: Redis;
  const events: string[] = [];
  const stream: string[] = [];

  before(async () => {
    emb = await startServer({ port: 0 });
    emb.server.notifyHook = (_type, event, key) => events.push(event + ' ' + key.toString('latin1'));
    emb.server.propagationSinks.push((_db, argv) => stream.push(argv.map((a) => a.toString('latin1')).join(' ')));
    c = redisClient(emb.port, emb.host);
  });

  after(async () => {
    c.disconnect();
    await emb.close();
  });

  test('sortstore / del events; STORE propagated as sent; a read SORT propagates nothing', async () => {
    await c.rpush('l', '2', '1');
    events.length = 0;
    stream.length = 0;
    await c.sort('l', 'STORE', 'dst');
    await c.sort('l');
    await c.sort('nokey', 'STORE', 'dst');
    await c.sort('nokey', 'STORE', 'dst');
    assert.deepEqual(events.filter((e) => !e.startsWith('keymiss')), ['sortstore dst', 'del dst']);
    assert.deepEqual(stream.filter((s) => !/^select /i.test(s)), ['sort l STORE dst', 'sort nokey STORE dst']);
  });
});
