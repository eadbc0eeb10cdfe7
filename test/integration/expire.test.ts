/**
 * Expiry commands against a spawned Damselfly: EXPIRE PEXPIRE EXPIREAT PEXPIREAT (NX XX GT LT),
 * TTL PTTL EXPIRETIME PEXPIRETIME PERSIST, lazy and active expiry. Expected values are what
 * redis-server 7.0.15 replied to the same commands. What is propagated to replicas, and expiry
 * on a replica, wait in test/pending/replication-propagation.test.ts for replication (issues 4/5).
 */

import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { createClient } from '@redis/client';
import { startDamselfly, type ServerProcess } from '../helpers/servers.js';
import { redisClient, err, dirtyCount } from '../helpers/assertions.js';
import { RawConnection } from '../helpers/raw.js';

let srv: ServerProcess;
let r: Redis;

const sleep = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));

const client = (port = srv.port): Redis => redisClient(port);

const dirty = (): Promise<number> => dirtyCount(r);

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

describe('setting and reading TTLs', () => {
  test('EXPIRE PEXPIRE EXPIREAT PEXPIREAT, TTL PTTL EXPIRETIME PEXPIRETIME', async () => {
    await r.set('k', 'v');
    assert.equal(await r.ttl('k'), -1);
    assert.equal(await r.pttl('k'), -1);
    assert.equal(await r.call('expiretime', 'k'), -1);
    assert.equal(await r.call('pexpiretime', 'k'), -1);
    assert.equal(await r.ttl('nokey'), -2);
    assert.equal(await r.pttl('nokey'), -2);
    assert.equal(await r.call('expiretime', 'nokey'), -2);
    assert.equal(await r.call('pexpiretime', 'nokey'), -2);

    const t0 = Date.now();
    assert.equal(await r.expire('k', 100), 1);
    assert.equal(await r.ttl('k'), 100);
    const pt = await r.pttl('k');
    assert.ok(pt > 99000 && pt <= 100000, 'pttl ' + pt);
    const pat = Number(await r.call('pexpiretime', 'k'));
    assert.ok(pat >= t0 + 100000 && pat <= Date.now() + 100000, 'pexpiretime ' + pat);

    assert.equal(await r.pexpire('k', 2600), 1);
    assert.equal(await r.ttl('k'), 3); // rounded to the nearest second
    assert.equal(await r.pexpire('k', 2400), 1);
    assert.equal(await r.ttl('k'), 2);

    assert.equal(await r.expireat('k', 99999999999), 1);
    assert.equal(await r.call('expiretime', 'k'), 99999999999);
    assert.equal(await r.call('pexpiretime', 'k'), 99999999999000);
    assert.equal(await r.pexpireat('k', 99999999999499), 1);
    assert.equal(await r.call('expiretime', 'k'), 99999999999);
    assert.equal(await r.pexpireat('k', 99999999999500), 1);
    assert.equal(await r.call('expiretime', 'k'), 100000000000);

    assert.equal(await r.expire('nokey', 100), 0);
    assert.equal(await r.pexpireat('nokey', 99999999999999), 0);
  });

  test('far-future times up to 2^63-1 ms', async () => {
    const raw = await RawConnection.connect(srv.port);
    try {
      await raw.call('SET', 'k', 'v');
      assert.equal(await raw.call('PEXPIREAT', 'k', '9223372036854775807'), ':1\r\n');
      assert.equal(await raw.call('PEXPIRETIME', 'k'), ':9223372036854775807\r\n');
      assert.equal(await raw.call('EXPIRETIME', 'k'), ':9223372036854776\r\n');
      const ttl = await raw.call('TTL', 'k');
      assert.match(ttl, /^:922337\d{10}\r\n$/);
      assert.equal(await raw.call('EXPIREAT', 'k', '9223372036854775'), ':1\r\n');
      assert.equal(await raw.call('EXPIRETIME', 'k'), ':9223372036854775\r\n');
      assert.equal(await raw.call('EXPIREAT', 'k', '9223372036854774'), ':1\r\n');
    } finally {
      raw.close();
    }
  });

  test('PERSIST', async () => {
    await r.set('k', 'v');
    assert.equal(await r.persist('k'), 0);
    await r.expire('k', 100);
    const d0 = await dirty();
    assert.equal(await r.persist('k'), 1);
    assert.equal(await dirty(), d0 + 1);
    assert.equal(await r.ttl('k'), -1);
    assert.equal(await r.persist('k'), 0);
    assert.equal(await r.persist('nokey'), 0);
    assert.equal(await dirty(), d0 + 1);
  });

  test('@redis/client sees the same', async () => {
    const c = createClient({ socket: { port: srv.port, host: '127.0.0.1' } });
    await c.connect();
    try {
      await c.set('k', 'v');
      assert.equal(await c.expire('k', 50), 1);
      assert.equal(await c.ttl('k'), 50);
      assert.equal(await c.persist('k'), 1);
      assert.equal(await c.ttl('k'), -1);
    } finally {
      await c.quit().catch(() => undefined);
    }
  });
});

describe('NX XX GT LT', () => {
  test('conditions (a key without TTL counts as infinite)', async () => {
    await r.set('k', 'v');
    assert.equal(await r.call('expire', 'k', '100', 'xx'), 0);
    assert.equal(await r.call('expire', 'k', '100', 'gt'), 0);
    assert.equal(await r.call('expire', 'k', '100', 'xx', 'gt'), 0);
    assert.equal(await r.ttl('k'), -1);
    assert.equal(await r.call('expire', 'k', '100', 'nx'), 1);
    assert.equal(await r.call('expire', 'k', '100', 'NX'), 0);
    assert.equal(await r.call('expire', 'k', '200', 'gt'), 1);
    assert.equal(await r.ttl('k'), 200);
    assert.equal(await r.call('expire', 'k', '50', 'gt'), 0);
    assert.equal(await r.call('expire', 'k', '300', 'lt'), 0);
    assert.equal(await r.call('expire', 'k', '50', 'LT'), 1);
    assert.equal(await r.ttl('k'), 50);
    assert.equal(await r.call('expire', 'k', '60', 'xx'), 1);
    assert.equal(await r.call('expire', 'k', '70', 'xx', 'gt'), 1);
    assert.equal(await r.call('expire', 'k', '10', 'xx', 'lt'), 1);
    assert.equal(await r.ttl('k'), 10);
    await r.persist('k');
    assert.equal(await r.call('expire', 'k', '10', 'lt'), 1);
    assert.equal(await r.ttl('k'), 10);
  });

  test('conditions decide before a past time deletes', async () => {
    await r.set('k', 'v');
    await r.expire('k', 100);
    assert.equal(await r.call('expire', 'k', '-1', 'gt'), 0);
    assert.equal(await r.call('expire', 'k', '-1', 'nx'), 0);
    assert.equal(await r.exists('k'), 1);
    assert.equal(await r.call('expire', 'k', '-1', 'xx'), 1);
    assert.equal(await r.exists('k'), 0);
    await r.set('k', 'v');
    assert.equal(await r.call('expire', 'k', '-1', 'gt'), 0);
    assert.equal(await r.call('expire', 'k', '-1', 'xx'), 0);
    assert.equal(await r.call('expire', 'k', '-1', 'lt'), 1);
    assert.equal(await r.exists('k'), 0);
  });

  test('errors and their order', async () => {
    await r.set('k', 'v');
    const NX = 'ERR NX and XX, GT or LT options at the same time are not compatible';
    const GTLT = 'ERR GT and LT options at the same time are not compatible';
    assert.equal(await err(r.call('expire', 'k', '100', 'nx', 'xx')), NX);
    assert.equal(await err(r.call('expire', 'k', '100', 'nx', 'gt')), NX);
    assert.equal(await err(r.call('expire', 'k', '100', 'lt', 'nx')), NX);
    assert.equal(await err(r.call('expire', 'k', '100', 'gt', 'lt')), GTLT);
    assert.equal(await err(r.call('expire', 'k', '10', 'gt', 'gt', 'lt')), GTLT);
    assert.equal(await err(r.call('expire', 'k', '10', 'NX', 'XX', 'GT')), NX);
    assert.equal(await err(r.call('expire', 'k', '100', 'foo')), 'ERR Unsupported option foo');
    assert.equal(await err(r.call('expire', 'nokey', 'abc', 'foo')), 'ERR Unsupported option foo');
    assert.equal(await err(r.call('expire', 'k', 'abc', 'nx', 'xx')), NX);
    assert.equal(await err(r.call('expire', 'nokey', 'abc')), 'ERR value is not an integer or out of range');
    assert.equal(await err(r.call('expire', 'k', '00010')), 'ERR value is not an integer or out of range');
    assert.equal(await err(r.call('expire', 'k', '+5')), 'ERR value is not an integer or out of range');
    assert.equal(await err(r.call('expire', 'k', ' 5')), 'ERR value is not an integer or out of range');
    assert.equal(await err(r.call('expire', 'k', '1.5')), 'ERR value is not an integer or out of range');
    assert.equal(await err(r.call('expire', 'k')), "ERR wrong number of arguments for 'expire' command");
  });

  test('overflow checks', async () => {
    await r.set('k', 'v');
    const inv = (c: string): string => "ERR invalid expire time in '" + c + "' command";
    assert.equal(await err(r.call('expire', 'k', '9223372036854775807')), inv('expire'));
    assert.equal(await err(r.call('expire', 'nokey', '9223372036854775807')), inv('expire'));
    assert.equal(await err(r.call('expire', 'k', '9223372036854775')), inv('expire'));
    assert.equal(await err(r.call('expire', 'k', '9223372036854774')), inv('expire'));
    assert.equal(await err(r.call('expire', 'k', '-9223372036854775808')), inv('expire'));
    assert.equal(await err(r.call('expire', 'k', '-9223372036854776')), inv('expire'));
    assert.equal(await err(r.call('pexpire', 'k', '9223372036854775807')), inv('pexpire'));
    assert.equal(await err(r.call('pexpire', 'k', '9223372036854775000')), inv('pexpire'));
    assert.equal(await err(r.call('expireat', 'k', '9223372036854776')), inv('expireat'));
    assert.equal(await err(r.call('expire', 'k', '9223372036854775808')), 'ERR value is not an integer or out of range');
    assert.equal(await r.ttl('k'), -1);
    // No overflow going down: a huge negative relative time simply lies in the past.
    assert.equal(await r.call('pexpire', 'k', '-9223372036854775808'), 1);
    assert.equal(await r.exists('k'), 0);
    await r.set('k', 'v');
    assert.equal(await r.call('expire', 'k', '-9223372036854775'), 1);
    assert.equal(await r.exists('k'), 0);
    await r.set('k', 'v');
    assert.equal(await r.call('pexpireat', 'k', '-9223372036854775808'), 1);
    assert.equal(await r.exists('k'), 0);
  });
});

describe('past times delete', () => {
  test('EXPIRE 0 / -1, PEXPIRE 0, EXPIREAT 0, PEXPIREAT now-1', async () => {
    for (const args of [
      ['expire', '0'],
      ['expire', '-1'],
      ['pexpire', '0'],
      ['expireat', '0'],
      ['pexpireat', String(Date.now() - 1)],
      ['expireat', '1'],
    ]) {
      await r.set('k', 'v');
      const d0 = await dirty();
      assert.equal(await r.call(args[0]!, 'k', args[1]!), 1, args.join(' '));
      assert.equal(await r.exists('k'), 0, args.join(' '));
      assert.equal(await dirty(), d0 + 1, args.join(' '));
    }
    const d0 = await dirty();
    assert.equal(await r.expire('nokey', -1), 0);
    assert.equal(await dirty(), d0);
  });

  test('dirty counts only changes', async () => {
    await r.set('k', 'v');
    const d0 = await dirty();
    await r.expire('k', 100);
    await r.call('expire', 'k', '100', 'nx'); // not applied
    await r.call('pexpire', 'k', '100', 'gt'); // not applied
    assert.equal(await dirty(), d0 + 1);
  });
});

describe('expiry timing', () => {
  test('PEXPIRE 50: gone after ~60 ms on access (lazy)', async () => {
    await r.set('lazy', 'v');
    assert.equal(await r.pexpire('lazy', 50), 1);
    assert.equal(await r.get('lazy'), 'v');
    await sleep(60);
    assert.equal(await r.get('lazy'), null);
    assert.equal(await r.exists('lazy'), 0);
    assert.equal(await r.ttl('lazy'), -2);
  });

  test('PEXPIRE 50: the active cycle deletes without access (DBSIZE drops)', async () => {
    const n = 50;
    for (let i = 0; i < n; i++) await r.set('act' + i, 'v');
    await r.set('persistent', 'v');
    const pipe = r.pipeline();
    for (let i = 0; i < n; i++) pipe.pexpire('act' + i, 50);
    await pipe.exec();
    assert.equal(await r.dbsize(), n + 1);
    const t0 = Date.now();
    let size = n + 1;
    while (Date.now() - t0 < 3000) {
      size = await r.dbsize();
      if (size === 1) break;
      await sleep(10);
    }
    assert.equal(size, 1, 'active expiry left ' + (size - 1) + ' keys after 3 s');
    const info = await r.info('stats');
    const m = /expired_keys:(\d+)/.exec(info);
    assert.ok(m !== null && Number(m[1]) >= n, 'expired_keys ' + m?.[1]);
    assert.equal(await r.get('persistent'), 'v');
  });

  test('a key written again loses its TTL; RENAME keeps it', async () => {
    await r.set('k', 'v');
    await r.pexpire('k', 100);
    await r.set('k', 'v2');
    assert.equal(await r.pttl('k'), -1);
    await r.pexpire('k', 200);
    await r.rename('k', 'k2');
    await sleep(250);
    assert.equal(await r.exists('k2'), 0);
  });
});
