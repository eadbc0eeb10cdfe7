/**
 * GEO commands through real clients (ioredis, @redis/client) against a spawned Damselfly, and
 * in-process for keyspace events and the replicated forms. Every expected value (scores,
 * coordinates, distances, geohash strings, dirty counts, events, the propagated ZADD) was
 * produced by redis-server 7.0.15 for the same commands; byte-level comparisons of every option
 * and error live in test/differential/geo.txt and geo-random.test.ts.
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

const SICILY = ['13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania'];

describe('GEO through ioredis', () => {
  test('GEOADD stores 52-bit geohash scores; GEOPOS/GEODIST/GEOHASH decode them', async () => {
    assert.equal(await r.geoadd('Sicily', ...SICILY), 2);
    assert.deepEqual(await r.call('zrange', 'Sicily', '0', '-1', 'WITHSCORES'), ['Palermo', '3479099956230698', 'Catania', '3479447370796909']);
    assert.deepEqual(await r.geopos('Sicily', 'Palermo', 'nosuch'), [['13.36138933897018433', '38.11555639549629859'], null]);
    assert.equal(await r.geodist('Sicily', 'Palermo', 'Catania'), '166274.1516');
    assert.equal(await r.call('geodist', 'Sicily', 'Palermo', 'Catania', 'km'), '166.2742');
    assert.equal(await r.geodist('Sicily', 'Palermo', 'nosuch'), null);
    assert.deepEqual(await r.geohash('Sicily', 'Palermo', 'Catania', 'nosuch'), ['sqc8b49rny0', 'sqdtr74hyu0', null]);
  });

  test('range limits: the top edge keeps its overflow bit', async () => {
    await r.geoadd('e', '180', '85.05112878', 'ne', '-180', '-85.05112878', 'sw');
    assert.equal(await r.zscore('e', 'ne'), '13510798882111488');
    assert.equal(await r.zscore('e', 'sw'), '0');
    assert.deepEqual(await r.geopos('e', 'ne'), [['180', '85.0511287799999991']]);
    assert.equal(await err(r.geoadd('e', '200', '10', 'x')), 'ERR invalid longitude,latitude pair 200.000000,10.000000');
    assert.equal(await err(r.geoadd('e', '10', '85.05112879', 'x')), 'ERR invalid longitude,latitude pair 10.000000,85.051129');
  });

  test('dirty counts of GEOADD and the STORE forms', async () => {
    assert.deepEqual(await withDirtyCount(r, ['geoadd', 'g', ...SICILY, '15', '37', 'c3']), [3, 3]);
    assert.deepEqual(await withDirtyCount(r, ['geoadd', 'g', '15', '37', 'c3']), [0, 0]);
    assert.deepEqual(await withDirtyCount(r, ['geoadd', 'g', 'ch', '15.5', '37', 'c3']), [1, 1]);
    assert.deepEqual(await withDirtyCount(r, ['geosearchstore', 'dst', 'g', 'fromlonlat', '15', '37', 'byradius', '200', 'km']), [3, 3]);
    assert.deepEqual(await withDirtyCount(r, ['georadius', 'g', '15', '37', '200', 'km', 'store', 'dst2', 'count', '1']), [1, 1]);
    assert.deepEqual(await withDirtyCount(r, ['geosearchstore', 'dst', 'g', 'fromlonlat', '0', '0', 'byradius', '1', 'km']), [0, 1]);
    assert.deepEqual(await withDirtyCount(r, ['geosearchstore', 'dst', 'g', 'fromlonlat', '0', '0', 'byradius', '1', 'km']), [0, 0]);
    assert.equal(await r.exists('dst'), 0);
  });

  test('searches: order, COUNT, WITH* and STOREDIST', async () => {
    await r.geoadd('Sicily', ...SICILY);
    assert.deepEqual(await r.georadius('Sicily', 15, 37, 200, 'km', 'WITHDIST', 'ASC'), [
      ['Catania', '56.4413'],
      ['Palermo', '190.4424'],
    ]);
    assert.deepEqual(await r.geosearch('Sicily', 'FROMLONLAT', 15, 37, 'BYBOX', 400, 400, 'km', 'DESC', 'COUNT', 1, 'WITHHASH'), [['Palermo', 3479099956230698]]);
    assert.deepEqual(await r.georadiusbymember('Sicily', 'Palermo', 200, 'km', 'WITHCOORD'), [
      ['Palermo', ['13.36138933897018433', '38.11555639549629859']],
      ['Catania', ['15.08726745843887329', '37.50266842333162032']],
    ]);
    assert.equal(await r.geosearchstore('d', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYRADIUS', 200, 'km', 'STOREDIST'), 2);
    assert.deepEqual(await r.call('zrange', 'd', '0', '-1', 'WITHSCORES'), ['Palermo', '0', 'Catania', '166.27415156960032']);
    assert.equal(await err(r.call('georadius_ro', 'Sicily', '15', '37', '1', 'km', 'store', 'x')), 'ERR syntax error');
    assert.equal(
      await err(r.call('geosearch', 'Sicily', 'bybox', '1', '1', 'km', 'asc')),
      'ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for geosearch',
    );
  });

  test('WRONGTYPE and missing keys', async () => {
    await r.set('s', 'x');
    assert.equal(await err(r.geopos('s', 'a')), 'WRONGTYPE Operation against a key holding the wrong kind of value');
    assert.deepEqual(await r.geopos('nokey', 'a'), [null]);
    assert.deepEqual(await r.call('geosearch', 'nokey', 'frommember', 'm', 'byradius', '1', 'km'), []);
  });
});

describe('GEO through @redis/client (RESP3 coordinates are doubles)', () => {
  test('geoAdd / geoSearchWith / geoPos / geoDist', async () => {
    const c = createClient({ socket: { port: srv.port, host: srv.host }, RESP: 3 });
    await c.connect();
    try {
      assert.equal(await c.geoAdd('Sicily', [
        { longitude: 13.361389, latitude: 38.115556, member: 'Palermo' },
        { longitude: 15.087269, latitude: 37.502669, member: 'Catania' },
      ]), 2);
      assert.equal(await c.geoDist('Sicily', 'Palermo', 'Catania', 'km'), 166.2742);
      const pos = await c.sendCommand(['GEOPOS', 'Sicily', 'Palermo']);
      assert.deepEqual(pos, [[13.361389338970184, 38.1155563954963]]);
      const found = await c.geoSearch('Sicily', { longitude: 15, latitude: 37 }, { radius: 100, unit: 'km' });
      assert.deepEqual(found, ['Catania']);
      assert.deepEqual(await c.geoHash('Sicily', ['Palermo']), ['sqc8b49rny0']);
    } finally {
      c.destroy();
    }
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
    c = redisClient(emb.port, emb.host);
  });

  after(async () => {
    c.disconnect();
    await emb.close();
  });

  async function run(...args: string[]): Promise<[string[], string[]]> {
    events.length = 0;
    stream.length = 0;
    await c.call(...(args as [string, ...string[]]));
    return [[...events], stream.filter((s) => !/^select /i.test(s))];
  }

  test('GEOADD runs and replicates as ZADD with the options as given', async () => {
    assert.deepEqual(await run('GEOADD', 'pg', ...SICILY), [['zadd pg'], ['zadd pg 3479099956230698 Palermo 3479447370796909 Catania']]);
    assert.deepEqual(await run('geoadd', 'pg', 'xx', 'ch', '13.361389', '38.115556', 'Palermo', '15', '37', 'Catania'), [
      ['zadd pg'],
      ['zadd pg xx ch 3479099956230698 Palermo 3476504601741708 Catania'],
    ]);
    assert.deepEqual(await run('GEOADD', 'pg', '180', '85.05112878', 'b'), [['zadd pg'], ['zadd pg 13510798882111488 b']]);
    assert.deepEqual(await run('GEOADD', 'pg', '180', '85.05112878', 'b'), [[], []]);
  });

  test('STORE forms: events, verbatim propagation, deletion of an empty result', async () => {
    await c.call('GEOADD', 'g', ...SICILY);
    assert.deepEqual(await run('GEOSEARCHSTORE', 'dst', 'g', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'STOREDIST'), [
      ['geosearchstore dst'],
      ['GEOSEARCHSTORE dst g FROMLONLAT 15 37 BYRADIUS 200 km STOREDIST'],
    ]);
    assert.deepEqual(await run('GEORADIUS', 'g', '15', '37', '200', 'km', 'STORE', 'dst2'), [
      ['georadiusstore dst2'],
      ['GEORADIUS g 15 37 200 km STORE dst2'],
    ]);
    assert.deepEqual(await run('GEORADIUSBYMEMBER', 'g', 'Palermo', '1', 'm', 'STORE', 'dst2'), [
      ['georadiusstore dst2'],
      ['GEORADIUSBYMEMBER g Palermo 1 m STORE dst2'],
    ]);
    assert.deepEqual(await run('GEOSEARCHSTORE', 'dst', 'g', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km'), [
      ['del dst'],
      ['GEOSEARCHSTORE dst g FROMLONLAT 0 0 BYRADIUS 1 km'],
    ]);
    assert.deepEqual(await run('GEOSEARCHSTORE', 'dst', 'g', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km'), [[], []]);
    assert.deepEqual(await run('GEOSEARCH', 'g', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km'), [[], []]);
  });
});
