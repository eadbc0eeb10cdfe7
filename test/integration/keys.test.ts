/**
 * Generic keyspace commands against a spawned Damselfly: DEL UNLINK EXISTS TOUCH TYPE RANDOMKEY
 * DBSIZE KEYS SELECT SWAPDB MOVE COPY RENAME RENAMENX FLUSHDB FLUSHALL OBJECT, through ioredis,
 * @redis/client and raw sockets. Expected replies, error texts, dirty counts and keyspace events
 * are the ones redis-server 7.0.15 produced for the same commands.
 */

import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { createClient } from '@redis/client';
import { startDamselfly, type ServerProcess } from '../helpers/servers.js';
import { err } from '../helpers/assertions.js';
import { RawConnection } from '../helpers/raw.js';

let srv: ServerProcess;
let r: Redis;

function client(db = 0): Redis {
  return new Redis({ port: srv.port, host: srv.host, db, enableReadyCheck: false, maxRetriesPerRequest: 0, lazyConnect: false });
}

/** The error text of a failing command (without the "ReplyError: " decoration). */
/** rdb_changes_since_last_save (Redis's dirty counter). */
async function dirty(c: Redis = r): Promise<number> {
  const info = await c.info('persistence');
  const m = /rdb_changes_since_last_save:(\d+)/.exec(info);
  assert.ok(m !== null, 'INFO persistence lacks rdb_changes_since_last_save');
  return Number(m[1]);
}

/** Runs a command and returns [reply, dirty delta]. */
async function withDirty(args: Array<string | Buffer>): Promise<[unknown, number]> {
  const before = await dirty();
  const res = await r.call(...(args as [string, ...Array<string | Buffer>]));
  return [res, (await dirty()) - before];
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
  await r.select(0);
  await r.flushall();
});

describe('DEL UNLINK EXISTS TOUCH', () => {
  test('counts deleted / existing keys, duplicates included for EXISTS and TOUCH', async () => {
    await r.mset('a', '1', 'b', '2');
    assert.equal(await r.exists('a', 'a', 'b', 'zz'), 3);
    assert.equal(await r.touch('a', 'a', 'nokey'), 2);
    assert.equal(await r.del('a', 'a', 'b', 'c'), 2);
    assert.equal(await r.exists('a', 'b'), 0);
    await r.set('a', '1');
    assert.equal(await r.unlink('a', 'a', 'x'), 1);
    assert.equal(await r.del('nothing'), 0);
  });

  test('arity errors name the command', async () => {
    assert.equal(await err(r.call('del')), "ERR wrong number of arguments for 'del' command");
    assert.equal(await err(r.call('exists')), "ERR wrong number of arguments for 'exists' command");
    assert.equal(await err(r.call('unlink')), "ERR wrong number of arguments for 'unlink' command");
  });

  test('dirty: one per deleted key; reads never dirty', async () => {
    await r.mset('a', '1', 'b', '2');
    assert.deepEqual(await withDirty(['del', 'a', 'b', 'c']), [2, 2]);
    assert.deepEqual(await withDirty(['del', 'a']), [0, 0]);
    await r.set('a', '1');
    assert.deepEqual(await withDirty(['unlink', 'a', 'a']), [1, 1]);
    await r.set('a', '1');
    assert.deepEqual(await withDirty(['exists', 'a']), [1, 0]);
    assert.deepEqual(await withDirty(['touch', 'a']), [1, 0]);
  });

  test('keyspace hits and misses', async () => {
    await r.set('k', 'v');
    const stats = async (): Promise<[number, number]> => {
      const info = await r.info('stats');
      return [Number(/keyspace_hits:(\d+)/.exec(info)![1]), Number(/keyspace_misses:(\d+)/.exec(info)![1])];
    };
    const [h0, m0] = await stats();
    await r.exists('k', 'nokey'); // +1 +1
    await r.type('k'); // +1
    await r.call('object', 'encoding', 'nokey'); // miss
    await r.del('k', 'nokey'); // write lookups do not count
    const [h1, m1] = await stats();
    assert.deepEqual([h1 - h0, m1 - m0], [2, 2]);
  });
});

describe('TYPE RANDOMKEY DBSIZE', () => {
  test('TYPE replies a status', async () => {
    await r.set('s', 'v');
    assert.equal(await r.type('s'), 'string');
    assert.equal(await r.type('nokey'), 'none');
    const raw = await RawConnection.connect(srv.port);
    try {
      assert.equal(await raw.call('TYPE', 's'), '+string\r\n');
      assert.equal(await raw.call('TYPE', 'nokey'), '+none\r\n');
    } finally {
      raw.close();
    }
  });

  test('RANDOMKEY and DBSIZE', async () => {
    assert.equal(await r.randomkey(), null);
    assert.equal(await r.dbsize(), 0);
    await r.mset('a', '1', 'b', '2', 'c', '3');
    assert.equal(await r.dbsize(), 3);
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) seen.add((await r.randomkey())!);
    for (const k of seen) assert.ok(['a', 'b', 'c'].includes(k));
    assert.ok(seen.size >= 2);
    const raw = await RawConnection.connect(srv.port);
    try {
      assert.equal(await raw.call('SELECT', '9'), '+OK\r\n');
      assert.equal(await raw.call('RANDOMKEY'), '$-1\r\n');
      assert.equal(await raw.call('DBSIZE'), ':0\r\n');
    } finally {
      raw.close();
    }
  });

  test('RANDOMKEY skips and deletes expired keys', async () => {
    await r.set('a', '1');
    await r.pexpire('a', 1);
    await new Promise((res) => setTimeout(res, 10));
    assert.equal(await r.randomkey(), null);
    assert.equal(await r.dbsize(), 0);
  });
});

describe('KEYS', () => {
  test('glob patterns', async () => {
    for (const k of ['hello', 'hallo', 'hxllo', 'hllo', 'heeeello', 'h*llo', 'foo']) await r.set(k, '1');
    const keys = async (p: string): Promise<string[]> => (await r.keys(p)).sort();
    assert.deepEqual(await keys('h?llo'), ['h*llo', 'hallo', 'hello', 'hxllo']);
    assert.deepEqual(await keys('h*llo'), ['h*llo', 'hallo', 'heeeello', 'hello', 'hllo', 'hxllo']);
    assert.deepEqual(await keys('h[ae]llo'), ['hallo', 'hello']);
    assert.deepEqual(await keys('h[^e]llo'), ['h*llo', 'hallo', 'hxllo']);
    assert.deepEqual(await keys('h[a-b]llo'), ['hallo']);
    assert.deepEqual(await keys('h\\*llo'), ['h*llo']);
    assert.deepEqual(await keys('nomatch*'), []);
    assert.equal((await keys('*')).length, 7);
  });

  test('binary keys and the empty key', async () => {
    const keysB = (p: Buffer): Promise<Buffer[]> => r.callBuffer('keys', p) as Promise<Buffer[]>;
    const bin = Buffer.from([0x00, 0xff, 0x80, 0x61, 0x0d, 0x0a]);
    await r.set(bin, 'v');
    await r.set('', 'empty');
    await r.set('plain', 'v');
    const all = await r.keysBuffer('*');
    assert.equal(all.length, 3);
    assert.ok(all.some((k) => k.equals(bin)));
    assert.ok(all.some((k) => k.length === 0));
    // "**" is not the match-all shortcut: the empty key does not match it.
    assert.equal((await r.keysBuffer('**')).length, 2);
    assert.deepEqual(await r.keysBuffer(''), [Buffer.alloc(0)]);
    const m1 = await keysB(Buffer.from([0x00, 0x3f, 0x80, 0x2a]));
    assert.deepEqual(m1, [bin]);
    const m2 = await keysB(Buffer.from([0x2a, 0x0d, 0x0a]));
    assert.deepEqual(m2, [bin]);
    const m3 = await keysB(Buffer.from([0x5b, 0xfe, 0x2d, 0xff, 0x5d, 0x2a])); // [\xfe-\xff]*
    assert.deepEqual(m3, []);
    const m4 = await keysB(Buffer.from([0x5b, 0x00, 0x2d, 0x01, 0x5d, 0x2a])); // [\x00-\x01]*
    assert.deepEqual(m4, [bin]);
  });

  test('hides expired keys without deleting them', async () => {
    await r.set('gone', '1');
    await r.set('stays', '1');
    await r.pexpire('gone', 1);
    await new Promise((res) => setTimeout(res, 5));
    assert.deepEqual(await r.keys('*'), ['stays']);
  });

  test('only in the selected db', async () => {
    await r.set('a', '1');
    const c1 = client(1);
    try {
      await c1.set('b', '1');
      assert.deepEqual(await r.keys('*'), ['a']);
      assert.deepEqual(await c1.keys('*'), ['b']);
    } finally {
      c1.disconnect();
    }
  });
});

describe('SELECT SWAPDB', () => {
  test('SELECT errors (7.0 texts)', async () => {
    const c = client();
    try {
      assert.equal(await err(c.call('select', '16')), 'ERR DB index is out of range');
      assert.equal(await err(c.call('select', '-1')), 'ERR DB index is out of range');
      assert.equal(await err(c.call('select', 'abc')), 'ERR value is not an integer or out of range');
      assert.equal(await err(c.call('select', '01')), 'ERR value is not an integer or out of range');
      assert.equal(await err(c.call('select', ' 1')), 'ERR value is not an integer or out of range');
      assert.equal(await err(c.call('select', '-0')), 'ERR value is not an integer or out of range');
      assert.equal(await err(c.call('select', '2147483648')), 'ERR value is out of range, value must between -2147483648 and 2147483647');
      assert.equal(await err(c.call('select', '-2147483649')), 'ERR value is out of range, value must between -2147483648 and 2147483647');
      assert.equal(await err(c.call('select', '99999999999999999999')), 'ERR value is not an integer or out of range');
      assert.equal(await c.select(15), 'OK');
    } finally {
      c.disconnect();
    }
  });

  test('SWAPDB errors', async () => {
    assert.equal(await err(r.call('swapdb', '0', '16')), 'ERR DB index is out of range');
    assert.equal(await err(r.call('swapdb', '-1', '0')), 'ERR DB index is out of range');
    assert.equal(await err(r.call('swapdb', 'a', '1')), 'ERR invalid first DB index');
    assert.equal(await err(r.call('swapdb', '1', 'a')), 'ERR invalid second DB index');
    assert.equal(await err(r.call('swapdb', '2147483648', '0')), 'ERR invalid first DB index');
    assert.equal(await err(r.call('swapdb', 'a', 'b')), 'ERR invalid first DB index');
  });

  test('SWAPDB swaps contents under connected clients (@redis/client)', async () => {
    const c1 = createClient({ socket: { port: srv.port, host: srv.host }, database: 1 });
    await c1.connect();
    try {
      await r.set('in0', 'zero');
      await r.set('ttl0', 'x');
      await r.pexpire('ttl0', 100000);
      await c1.set('in1', 'one');
      assert.equal(await c1.sendCommand(['SWAPDB', '0', '1']), 'OK');
      assert.equal(await r.get('in1'), 'one');
      assert.equal(await r.get('in0'), null);
      assert.equal(await c1.get('in0'), 'zero');
      assert.ok((await c1.pTTL('ttl0')) > 99000);
      assert.equal(await r.dbsize(), 1);
      assert.equal(await c1.dbSize(), 2);
      assert.equal(await c1.sendCommand(['SWAPDB', '1', '1']), 'OK');
      assert.equal(await c1.get('in0'), 'zero');
    } finally {
      await c1.quit().catch(() => undefined);
    }
  });

  test('SWAPDB dirty is 1, even for the same db', async () => {
    assert.deepEqual(await withDirty(['swapdb', '0', '1']), ['OK', 1]);
    assert.deepEqual(await withDirty(['swapdb', '3', '3']), ['OK', 1]);
    await r.swapdb(0, 1);
  });
});

describe('MOVE', () => {
  test('errors', async () => {
    await r.set('a', '1');
    assert.equal(await err(r.call('move', 'a', '0')), 'ERR source and destination objects are the same');
    assert.equal(await err(r.call('move', 'nokey', '0')), 'ERR source and destination objects are the same');
    assert.equal(await err(r.call('move', 'a', '16')), 'ERR DB index is out of range');
    assert.equal(await err(r.call('move', 'nokey', '16')), 'ERR DB index is out of range');
    assert.equal(await err(r.call('move', 'a', '-1')), 'ERR DB index is out of range');
    assert.equal(await err(r.call('move', 'a', 'x')), 'ERR value is not an integer or out of range');
    assert.equal(await err(r.call('move', 'a', '2147483648')), 'ERR value is out of range, value must between -2147483648 and 2147483647');
  });

  test('moves value and TTL; refuses an existing destination', async () => {
    await r.set('a', 'va');
    await r.pexpire('a', 100000);
    assert.deepEqual(await withDirty(['move', 'a', '1']), [1, 1]);
    assert.equal(await r.exists('a'), 0);
    const c1 = client(1);
    try {
      assert.equal(await c1.get('a'), 'va');
      const pttl = await c1.pttl('a');
      assert.ok(pttl > 99000 && pttl <= 100000, 'pttl ' + pttl);
      await r.set('a', 'other');
      assert.deepEqual(await withDirty(['move', 'a', '1']), [0, 0]);
      assert.equal(await r.get('a'), 'other');
      assert.equal(await c1.get('a'), 'va');
      assert.deepEqual(await withDirty(['move', 'nokey', '1']), [0, 0]);
    } finally {
      c1.disconnect();
    }
  });
});

describe('COPY', () => {
  test('errors (options are parsed first)', async () => {
    await r.set('a', '1');
    assert.equal(await err(r.call('copy', 'a', 'a')), 'ERR source and destination objects are the same');
    assert.equal(await err(r.call('copy', 'a', 'a', 'db', '0')), 'ERR source and destination objects are the same');
    assert.equal(await err(r.call('copy', 'a', 'b', 'db', '16')), 'ERR DB index is out of range');
    assert.equal(await err(r.call('copy', 'a', 'b', 'db', '-1')), 'ERR DB index is out of range');
    assert.equal(await err(r.call('copy', 'a', 'b', 'db', 'x')), 'ERR value is not an integer or out of range');
    assert.equal(await err(r.call('copy', 'nokey', 'b', 'db', '2147483648')), 'ERR value is out of range, value must between -2147483648 and 2147483647');
    assert.equal(await err(r.call('copy', 'a', 'b', 'foo')), 'ERR syntax error');
    assert.equal(await err(r.call('copy', 'nokey', 'b', 'db')), 'ERR syntax error');
    assert.equal(await err(r.call('copy', 'a', 'b', 'replace', 'x')), 'ERR syntax error');
  });

  test('copies value, TTL and encoding; REPLACE; DB', async () => {
    await r.set('src', 'hello');
    await r.pexpire('src', 100000);
    assert.deepEqual(await withDirty(['copy', 'src', 'dst']), [1, 1]);
    assert.equal(await r.get('dst'), 'hello');
    assert.ok((await r.pttl('dst')) > 99000);
    assert.deepEqual(await withDirty(['copy', 'src', 'dst']), [0, 0]);
    await r.set('other', 'world');
    assert.deepEqual(await withDirty(['copy', 'other', 'dst', 'REPLACE']), [1, 1]);
    assert.equal(await r.get('dst'), 'world');
    assert.equal(await r.pttl('dst'), -1, 'REPLACE takes the source TTL (none)');
    assert.deepEqual(await withDirty(['copy', 'nokey', 'dst', 'replace']), [0, 0]);
    // Same key name in another db; options repeat, the last DB wins.
    assert.equal(await r.call('copy', 'src', 'src', 'replace', 'replace', 'db', '1', 'db', '2'), 1);
    const c2 = client(2);
    try {
      assert.equal(await c2.get('src'), 'hello');
      assert.ok((await c2.pttl('src')) > 99000);
      assert.equal(await r.call('copy', 'src', 'src', 'db', '2'), 0);
    } finally {
      c2.disconnect();
    }
    await r.set('n', '123');
    await r.copy('n', 'n2');
    assert.equal(await r.call('object', 'encoding', 'n2'), 'int');
    assert.equal(await r.call('object', 'encoding', 'dst'), 'embstr');
    // The source and the copy are independent.
    await r.set('src', 'changed');
    assert.equal(await r.get('dst'), 'world');
  });

  test('large values', async () => {
    const big = Buffer.alloc(100000, 0x41);
    big[99999] = 0x42;
    await r.set('big', big);
    assert.equal(await r.copy('big', 'big2'), 1);
    assert.ok((await r.getBuffer('big2'))!.equals(big));
    await r.set('big', 'small');
    assert.ok((await r.getBuffer('big2'))!.equals(big));
  });
});

describe('RENAME RENAMENX', () => {
  test('errors and same-key cases', async () => {
    assert.equal(await err(r.rename('nokey', 'x')), 'ERR no such key');
    assert.equal(await err(r.rename('nokey', 'nokey')), 'ERR no such key');
    assert.equal(await err(r.renamenx('nokey', 'nokey')), 'ERR no such key');
    assert.equal(await err(r.renamenx('nokey', 'x')), 'ERR no such key');
    await r.set('a', '1');
    assert.deepEqual(await withDirty(['rename', 'a', 'a']), ['OK', 0]);
    assert.deepEqual(await withDirty(['renamenx', 'a', 'a']), [0, 0]);
    assert.equal(await r.get('a'), '1');
  });

  test('TTL follows the key; destination overwritten', async () => {
    await r.set('a', 'va');
    await r.pexpire('a', 100000);
    await r.set('b', 'vb');
    assert.deepEqual(await withDirty(['rename', 'a', 'b']), ['OK', 1]);
    assert.equal(await r.get('b'), 'va');
    assert.ok((await r.pttl('b')) > 99000);
    assert.equal(await r.exists('a'), 0);
    // A destination with a TTL takes the source's lack of TTL.
    await r.set('c', 'vc');
    await r.rename('b', 'd');
    await r.set('b', 'x');
    await r.pexpire('d', 50000);
    await r.rename('c', 'd');
    assert.equal(await r.pttl('d'), -1);
    assert.equal(await r.get('d'), 'vc');
  });

  test('RENAMENX', async () => {
    await r.mset('a', '1', 'b', '2');
    assert.deepEqual(await withDirty(['renamenx', 'a', 'b']), [0, 0]);
    assert.deepEqual(await withDirty(['renamenx', 'a', 'c']), [1, 1]);
    assert.equal(await r.get('c'), '1');
    assert.equal(await r.exists('a'), 0);
  });

  test('large values and binary names', async () => {
    const big = Buffer.alloc(70000, 0x61);
    const name = Buffer.from([0xde, 0xad, 0x00, 0xbe, 0xef]);
    await r.set('big', big);
    await r.rename('big', name);
    assert.ok((await r.getBuffer(name))!.equals(big));
  });
});

describe('FLUSHDB FLUSHALL', () => {
  test('syntax', async () => {
    assert.equal(await err(r.call('flushall', 'foo')), 'ERR syntax error');
    assert.equal(await err(r.call('flushall', 'async', 'sync')), 'ERR syntax error');
    assert.equal(await err(r.call('flushdb', 'a', 'b')), 'ERR syntax error');
    assert.equal(await r.call('flushdb', 'SYNC'), 'OK');
    assert.equal(await r.call('flushdb', 'async'), 'OK');
    assert.equal(await r.call('flushall', 'ASYNC'), 'OK');
    assert.equal(await r.call('flushall', 'sync'), 'OK');
  });

  test('FLUSHDB empties only the selected db; dirty counts removed keys', async () => {
    await r.mset('a', '1', 'b', '2', 'c', '3');
    const c1 = client(1);
    try {
      await c1.set('keep', '1');
      assert.deepEqual(await withDirty(['flushdb']), ['OK', 3]);
      assert.deepEqual(await withDirty(['flushdb']), ['OK', 0]);
      assert.equal(await r.dbsize(), 0);
      assert.equal(await c1.dbsize(), 1);
    } finally {
      c1.disconnect();
    }
  });

  test('FLUSHALL ASYNC empties every db; data written right after survives', async () => {
    await r.mset('a', '1', 'b', '2');
    const c5 = client(5);
    try {
      await c5.mset('x', '1', 'y', '2', 'z', '3');
      const big = Buffer.alloc(50000, 1);
      for (let i = 0; i < 20; i++) await c5.set('big' + i, big);
      assert.deepEqual(await withDirty(['flushall', 'async']), ['OK', 25]);
      assert.equal(await r.dbsize(), 0);
      assert.equal(await c5.dbsize(), 0);
      await c5.set('after', 'v');
      await r.set('after0', big);
      await new Promise((res) => setTimeout(res, 50));
      assert.equal(await c5.get('after'), 'v');
      assert.ok((await r.getBuffer('after0'))!.equals(big));
      assert.deepEqual(await withDirty(['flushall']), ['OK', 2]);
      assert.deepEqual(await withDirty(['flushall']), ['OK', 0]);
    } finally {
      c5.disconnect();
    }
  });
});

describe('OBJECT', () => {
  test('ENCODING of strings', async () => {
    await r.set('i', '12345');
    await r.set('neg', '-1');
    await r.set('e', 'hello');
    await r.set('e44', 'x'.repeat(44));
    await r.set('r45', 'x'.repeat(45));
    await r.set('big', '9223372036854775808');
    await r.set('lead0', '01');
    const enc = (k: string): Promise<unknown> => r.call('object', 'encoding', k);
    assert.equal(await enc('i'), 'int');
    assert.equal(await enc('neg'), 'int');
    assert.equal(await enc('e'), 'embstr');
    assert.equal(await enc('e44'), 'embstr');
    assert.equal(await enc('r45'), 'raw');
    assert.equal(await enc('big'), 'embstr');
    assert.equal(await enc('lead0'), 'embstr');
    assert.equal(await enc('nokey'), null);
  });

  test('REFCOUNT: shared small integers', async () => {
    await r.set('small', '123');
    await r.set('edge', '10000');
    await r.set('s', 'abc');
    assert.equal(await r.call('object', 'refcount', 'small'), 2147483647);
    assert.equal(await r.call('object', 'refcount', 'edge'), 1);
    assert.equal(await r.call('object', 'refcount', 's'), 1);
    assert.equal(await r.call('object', 'refcount', 'nokey'), null);
  });

  test('IDLETIME and FREQ depend on maxmemory-policy', async () => {
    await r.set('k', 'v');
    await r.get('k');
    assert.equal(await r.call('object', 'idletime', 'k'), 0);
    assert.equal(await r.call('object', 'idletime', 'nokey'), null);
    assert.equal(
      await err(r.call('object', 'freq', 'k')),
      'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
    );
    assert.equal(await r.call('object', 'freq', 'nokey'), null);
    await r.config('SET', 'maxmemory-policy', 'allkeys-lfu');
    try {
      assert.equal(typeof (await r.call('object', 'freq', 'k')), 'number');
      assert.equal(
        await err(r.call('object', 'idletime', 'k')),
        'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
      );
      assert.equal(await r.call('object', 'idletime', 'nokey'), null);
    } finally {
      await r.config('SET', 'maxmemory-policy', 'noeviction');
    }
  });

  test('HELP, unknown subcommand and arity (bytes)', async () => {
    const raw = await RawConnection.connect(srv.port);
    try {
      const help = await raw.call('OBJECT', 'HELP');
      assert.ok(help.startsWith('*15\r\n+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+ENCODING <key>\r\n'), help);
      assert.ok(help.endsWith('+HELP\r\n+    Prints this help.\r\n'));
      assert.equal(await raw.call('OBJECT', 'foo', 'k'), "-ERR unknown subcommand 'foo'. Try OBJECT HELP.\r\n");
      assert.equal(await raw.call('OBJECT', 'encoding'), "-ERR wrong number of arguments for 'object|encoding' command\r\n");
      assert.equal(await raw.call('OBJECT', 'help', 'x'), "-ERR wrong number of arguments for 'object|help' command\r\n");
      assert.equal(await raw.call('OBJECT'), "-ERR wrong number of arguments for 'object' command\r\n");
      assert.equal(await raw.call('OBJECT', 'ENCODING', 'nokey'), '$-1\r\n');
    } finally {
      raw.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Keyspace events (from test/pending/keyspace-events.test.ts; every expected sequence is what
// redis-server 7.0.15 published for the same commands).

describe('generic key commands', () => {
  test('del, rename_from/rename_to, move_from/move_to, copy_to', async () => {
    assert.equal(await r.config('SET', 'notify-keyspace-events', 'KEA'), 'OK');
    const sub = client();
    const events: string[] = [];
    try {
      await sub.psubscribe('__keyevent@*__:*');
      sub.on('pmessage', (_p: string, channel: string, message: string) => events.push(channel + ' ' + message));
      await r.set('a', '1');
      await r.del('a', 'nokey');
      await r.set('b', '1');
      await r.rename('b', 'c');
      await r.rename('c', 'c');
      await r.copy('c', 'd');
      await r.copy('c', 'd', 'REPLACE');
      await r.move('d', 3);
      await r.swapdb(0, 1);
      await r.swapdb(0, 1);
      await r.flushdb();
      await r.set('sync', '1');
      const deadline = Date.now() + 2000;
      while (!events.includes('__keyevent@0__:set sync') && Date.now() < deadline) await new Promise((res) => setTimeout(res, 10));
      assert.deepEqual(events, [
        '__keyevent@0__:set a',
        '__keyevent@0__:del a',
        '__keyevent@0__:set b',
        '__keyevent@0__:rename_from b',
        '__keyevent@0__:rename_to c',
        '__keyevent@0__:copy_to d',
        '__keyevent@0__:copy_to d',
        '__keyevent@0__:move_from d',
        '__keyevent@3__:move_to d',
        '__keyevent@0__:set sync',
      ]);
    } finally {
      sub.disconnect();
      await r.config('SET', 'notify-keyspace-events', '');
    }
  });
});
