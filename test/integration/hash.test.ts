/**
 * The hash family against a spawned Damselfly (ioredis): every command, error texts, dirty
 * counts, binary fields, the listpack -> hashtable conversion at both thresholds, HRANDFIELD
 * distributions, HSCAN full iteration. Keyspace events and the replicated form of HINCRBYFLOAT
 * are observed in-process through an embedded server's notifyHook / propagationSinks (there is
 * no pub/sub or replica link to watch them over the wire yet). Expected replies are what
 * redis-server 7.0.15 produced for the same commands.
 */

import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startServer } from 'damselfly';
import { startDamselfly, type ServerProcess } from '../helpers/servers.js';
import { err, withDirtyCount } from '../helpers/assertions.js';

let srv: ServerProcess;
let r: Redis;

const withDirty = (...args: string[]): Promise<[unknown, number]> => withDirtyCount(r, args);

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
const NOT_INT = 'ERR value is not an integer or out of range';

before(async () => {
  srv = await startDamselfly();
  r = new Redis({ port: srv.port, host: srv.host, enableReadyCheck: false, maxRetriesPerRequest: 0 });
});

after(async () => {
  r?.disconnect();
  await srv?.stop();
});

beforeEach(async () => {
  await r.flushall();
  await r.config('SET', 'hash-max-listpack-entries', '128');
  await r.config('SET', 'hash-max-listpack-value', '64');
});

describe('HSET / HMSET / HSETNX / HGET / HMGET', () => {
  test('set, overwrite, read; dirty counts every pair', async () => {
    assert.deepEqual(await withDirty('hset', 'h', 'a', '1', 'b', '2'), [2, 2]);
    assert.deepEqual(await withDirty('hset', 'h', 'a', '3', 'c', '4', 'a', '5'), [1, 3]);
    assert.equal(await r.hget('h', 'a'), '5');
    assert.equal(await r.hget('h', 'zz'), null);
    assert.equal(await r.hget('nokey', 'a'), null);
    assert.deepEqual(await r.hmget('h', 'a', 'zz', 'c'), ['5', null, '4']);
    assert.deepEqual(await r.hmget('nokey', 'a', 'b'), [null, null]);
    assert.deepEqual(await withDirty('hmset', 'h', 'd', '6', 'e', '7'), ['OK', 2]);
    assert.equal(await r.hlen('h'), 5);
    assert.equal(await r.hlen('nokey'), 0);
  });

  test('arity errors', async () => {
    assert.equal(await err(r.call('hset', 'h', 'a', '1', 'b')), "ERR wrong number of arguments for 'hset' command");
    assert.equal(await err(r.call('hset', 'h', 'a')), "ERR wrong number of arguments for 'hset' command");
    assert.equal(await err(r.call('hmset', 'h', 'a', '1', 'b')), "ERR wrong number of arguments for 'hmset' command");
    assert.equal(await err(r.call('hsetnx', 'h', 'a')), "ERR wrong number of arguments for 'hsetnx' command");
    assert.equal(await err(r.call('hdel', 'h')), "ERR wrong number of arguments for 'hdel' command");
    assert.equal(await r.exists('h'), 0);
  });

  test('HSETNX', async () => {
    assert.deepEqual(await withDirty('hsetnx', 'h', 'a', '1'), [1, 1]);
    assert.deepEqual(await withDirty('hsetnx', 'h', 'a', '2'), [0, 0]);
    assert.equal(await r.hget('h', 'a'), '1');
  });

  test('binary fields and values', async () => {
    const f = Buffer.from([0, 255, 13, 10]);
    const v = Buffer.from([1, 0, 200]);
    await r.hset('h', f, v, '', 'empty');
    assert.deepEqual(await r.hgetBuffer('h', f), v);
    assert.equal(await r.hget('h', ''), 'empty');
    assert.equal(await r.hstrlen('h', f), 3);
    assert.equal(await r.hexists('h', f), 1);
    await r.config('SET', 'hash-max-listpack-entries', '1');
    await r.hset('h', 'x', 'y');
    assert.equal(await r.object('ENCODING', 'h'), 'hashtable');
    assert.deepEqual(await r.hgetBuffer('h', f), v);
    assert.equal(await r.hdel('h', f), 1);
  });
});

describe('HGETALL / HKEYS / HVALS / HEXISTS / HSTRLEN / HDEL', () => {
  test('listpack keeps insertion order', async () => {
    await r.hset('h', 'z', '1', 'a', '2', 'm', '3');
    await r.hset('h', 'a', 'longer value');
    assert.deepEqual(Object.entries(await r.hgetall('h')), [
      ['z', '1'],
      ['a', 'longer value'],
      ['m', '3'],
    ]);
    assert.deepEqual(await r.hkeys('h'), ['z', 'a', 'm']);
    assert.deepEqual(await r.hvals('h'), ['1', 'longer value', '3']);
    assert.deepEqual(await r.hgetall('nokey'), {});
    assert.deepEqual(await r.hkeys('nokey'), []);
    assert.equal(await r.hexists('h', 'z'), 1);
    assert.equal(await r.hexists('h', 'q'), 0);
    assert.equal(await r.hstrlen('h', 'a'), 12);
    assert.equal(await r.hstrlen('h', 'q'), 0);
  });

  test('HDEL counts removals and deletes the emptied key', async () => {
    await r.hset('h', 'a', '1', 'b', '2', 'c', '3');
    assert.deepEqual(await withDirty('hdel', 'h', 'a', 'a', 'zz'), [1, 1]);
    assert.deepEqual(await withDirty('hdel', 'h', 'zz'), [0, 0]);
    assert.deepEqual(await withDirty('hdel', 'h', 'b', 'c', 'd'), [2, 2]);
    assert.equal(await r.exists('h'), 0);
    assert.equal(await r.hdel('nokey', 'a'), 0);
  });

  test('WRONGTYPE everywhere', async () => {
    await r.set('s', 'x');
    for (const args of [
      ['hset', 's', 'a', '1'],
      ['hmset', 's', 'a', '1'],
      ['hsetnx', 's', 'a', '1'],
      ['hget', 's', 'a'],
      ['hmget', 's', 'a'],
      ['hgetall', 's'],
      ['hkeys', 's'],
      ['hvals', 's'],
      ['hdel', 's', 'a'],
      ['hlen', 's'],
      ['hexists', 's', 'a'],
      ['hstrlen', 's', 'a'],
      ['hincrby', 's', 'a', '1'],
      ['hincrbyfloat', 's', 'a', '1'],
      ['hrandfield', 's'],
      ['hrandfield', 's', '1'],
      ['hscan', 's', '0'],
      ['hscan', 's', '0', 'foo'],
    ]) {
      assert.equal(await err(r.call(args[0]!, ...args.slice(1))), WRONGTYPE, args.join(' '));
    }
    // Argument errors are found before the type check.
    assert.equal(await err(r.call('hincrby', 's', 'a', 'x')), NOT_INT);
    assert.equal(await err(r.call('hincrbyfloat', 's', 'a', 'x')), 'ERR value is not a valid float');
    assert.equal(await err(r.call('hrandfield', 's', 'x')), NOT_INT);
    assert.equal(await err(r.call('hrandfield', 's', '1', 'x')), 'ERR syntax error');
    assert.equal(await err(r.call('hscan', 's', 'x')), 'ERR invalid cursor');
    assert.equal(await r.type('s'), 'string');
  });
});

describe('HINCRBY / HINCRBYFLOAT', () => {
  test('HINCRBY', async () => {
    assert.deepEqual(await withDirty('hincrby', 'h', 'n', '5'), [5, 1]);
    assert.equal(await r.hincrby('h', 'n', -7), -2);
    await r.hset('h', 'big', '9223372036854775807', 'txt', 'abc', 'sp', ' 1');
    assert.equal(await err(r.hincrby('h', 'big', 1)), 'ERR increment or decrement would overflow');
    assert.equal(await err(r.hincrby('h', 'txt', 1)), 'ERR hash value is not an integer');
    assert.equal(await err(r.hincrby('h', 'sp', 1)), 'ERR hash value is not an integer');
    assert.equal(await err(r.call('hincrby', 'h', 'n', '1.5')), NOT_INT);
    assert.equal(await err(r.call('hincrby', 'h', 'n', '9223372036854775808')), NOT_INT);
    assert.equal(await r.call('hincrby', 'h', 'big', '-9223372036854775807'), 0);
  });

  test('HINCRBYFLOAT', async () => {
    assert.deepEqual(await withDirty('hincrbyfloat', 'h', 'f', '1.5'), ['1.5', 1]);
    assert.equal(await r.hincrbyfloat('h', 'f', '0.1'), '1.6');
    assert.equal(await r.hincrbyfloat('h', 'f', '-1.6'), '0');
    assert.equal(await r.hincrbyfloat('h', 'g', '5.0e3'), '5000');
    await r.hset('h', 'txt', 'abc');
    assert.equal(await err(r.hincrbyfloat('h', 'txt', '1')), 'ERR hash value is not a float');
    assert.equal(await err(r.call('hincrbyfloat', 'h', 'f', 'abc')), 'ERR value is not a valid float');
    assert.equal(await err(r.call('hincrbyfloat', 'h', 'f', 'nan')), 'ERR value is not a valid float');
    assert.equal(await r.hget('h', 'f'), '0');
  });
});

describe('encodings', () => {
  test('entries threshold (hash-max-listpack-entries)', async () => {
    await r.config('SET', 'hash-max-listpack-entries', '3');
    await r.hset('h', 'a', '1', 'b', '2', 'c', '3');
    assert.equal(await r.object('ENCODING', 'h'), 'listpack');
    await r.hset('h', 'a', '9');
    assert.equal(await r.object('ENCODING', 'h'), 'listpack');
    await r.hset('h', 'd', '4');
    assert.equal(await r.object('ENCODING', 'h'), 'hashtable');
    assert.deepEqual((await r.hkeys('h')).sort(), ['a', 'b', 'c', 'd']);
    assert.equal(await r.hget('h', 'a'), '9');
    // Never converts back.
    await r.hdel('h', 'a', 'b', 'c');
    assert.equal(await r.object('ENCODING', 'h'), 'hashtable');
    // Conversion in the middle of one HSET keeps every pair.
    await r.hset('h2', 'a', '1', 'b', '2', 'c', '3', 'd', '4', 'e', '5', 'a', '6');
    assert.equal(await r.object('ENCODING', 'h2'), 'hashtable');
    assert.deepEqual(await r.hgetall('h2'), { a: '6', b: '2', c: '3', d: '4', e: '5' });
    await r.config('SET', 'hash-max-listpack-entries', '0');
    await r.hset('h3', 'a', '1');
    assert.equal(await r.object('ENCODING', 'h3'), 'hashtable');
  });

  test('value threshold (hash-max-listpack-value), also via HSETNX/HINCRBY/HINCRBYFLOAT', async () => {
    await r.config('SET', 'hash-max-listpack-value', '4');
    await r.hset('h', 'a', '1234');
    assert.equal(await r.object('ENCODING', 'h'), 'listpack');
    await r.hset('h', 'b', '12345');
    assert.equal(await r.object('ENCODING', 'h'), 'hashtable');
    await r.hset('h2', 'abcde', '1');
    assert.equal(await r.object('ENCODING', 'h2'), 'hashtable');
    await r.hsetnx('h3', 'abcde', '1');
    assert.equal(await r.object('ENCODING', 'h3'), 'hashtable');
    await r.hset('h4', 'a', '1');
    await r.hsetnx('h4', 'a', '123456');
    assert.equal(await r.object('ENCODING', 'h4'), 'listpack');
    await r.hincrbyfloat('h4', 'a', '1.123456');
    assert.equal(await r.object('ENCODING', 'h4'), 'hashtable');
    await r.hset('h5', 'a', '1');
    await r.hincrby('h5', 'longfield', 1);
    assert.equal(await r.object('ENCODING', 'h5'), 'hashtable');
  });

  test('COPY keeps encoding and contents; DEBUG OBJECT names it', async () => {
    await r.hset('h', 'a', '1', 'b', '2');
    await r.copy('h', 'h2');
    await r.hset('h', 'a', 'changed');
    assert.deepEqual(Object.entries(await r.hgetall('h2')), [
      ['a', '1'],
      ['b', '2'],
    ]);
    assert.equal(await r.object('ENCODING', 'h2'), 'listpack');
    assert.equal(await r.type('h2'), 'hash');
  });
});

describe('HRANDFIELD', () => {
  test('shapes and errors', async () => {
    assert.equal(await r.call('hrandfield', 'nokey'), null);
    assert.deepEqual(await r.call('hrandfield', 'nokey', '3'), []);
    await r.hset('h', 'a', '1', 'b', '2', 'c', '3');
    assert.ok(['a', 'b', 'c'].includes((await r.call('hrandfield', 'h')) as string));
    assert.deepEqual(await r.call('hrandfield', 'h', '0'), []);
    assert.deepEqual(await r.call('hrandfield', 'h', '10', 'WITHVALUES'), ['a', '1', 'b', '2', 'c', '3']);
    assert.equal(((await r.call('hrandfield', 'h', '-7', 'withvalues')) as string[]).length, 14);
    assert.equal(await err(r.call('hrandfield', 'h', 'x')), NOT_INT);
    assert.equal(await err(r.call('hrandfield', 'h', '1', 'withvalue')), 'ERR syntax error');
    assert.equal(
      await err(r.call('hrandfield', 'h', '-9223372036854775808')),
      'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807',
    );
    assert.equal(await err(r.call('hrandfield', 'h', '4611686018427387904', 'withvalues')), 'ERR value is out of range');
    assert.equal(await err(r.call('hrandfield', 'nokey', '-4611686018427387904', 'withvalues')), 'ERR value is out of range');
  });

  test('distributions: distinct picks, repetition with negative counts, pairs match', async () => {
    const fields: string[] = [];
    for (let i = 0; i < 10; i++) fields.push('f' + i, 'v' + i);
    await r.hset('h', ...fields);
    for (const enc of ['listpack', 'hashtable']) {
      if (enc === 'hashtable') {
        await r.config('SET', 'hash-max-listpack-entries', '1');
        await r.hset('h', 'f0', 'v0');
        await r.hset('h', 'extra', 'x');
        await r.hdel('h', 'extra');
      }
      assert.equal(await r.object('ENCODING', 'h'), enc);
      const counts = new Map<string, number>();
      for (let i = 0; i < 200; i++) {
        const got = (await r.call('hrandfield', 'h', '5', 'withvalues')) as string[];
        assert.equal(got.length, 10);
        const names = new Set<string>();
        for (let j = 0; j < got.length; j += 2) {
          assert.equal(got[j + 1], 'v' + got[j]!.slice(1));
          names.add(got[j]!);
          counts.set(got[j]!, (counts.get(got[j]!) ?? 0) + 1);
        }
        assert.equal(names.size, 5, 'positive count gives distinct fields');
      }
      // 1000 picks over 10 fields: each expected 100 times.
      for (const [, n] of counts) assert.ok(n > 50 && n < 150, enc + ' distribution ' + JSON.stringify([...counts]));
      const rep = (await r.call('hrandfield', 'h', '-100')) as string[];
      assert.equal(rep.length, 100);
      assert.ok(new Set(rep).size < 100, 'negative count repeats');
    }
  });
});

describe('HSCAN', () => {
  test('full iteration on both encodings, MATCH, errors', async () => {
    await r.hset('small', 'a', '1', 'b', '2', 'ab', '3');
    assert.deepEqual(await r.hscan('small', '0'), ['0', ['a', '1', 'b', '2', 'ab', '3']]);
    assert.deepEqual(await r.hscan('small', '0', 'MATCH', 'a*'), ['0', ['a', '1', 'ab', '3']]);
    assert.deepEqual(await r.hscan('nokey', '0'), ['0', []]);
    assert.deepEqual(await r.call('hscan', 'nokey', '0', 'foo'), ['0', []]);
    assert.equal(await err(r.call('hscan', 'small', '0', 'TYPE', 'hash')), 'ERR syntax error');
    assert.equal(await err(r.call('hscan', 'small', '0', 'COUNT', '0')), 'ERR syntax error');
    assert.equal(await err(r.call('hscan', 'small', 'abc')), 'ERR invalid cursor');

    const args: string[] = [];
    for (let i = 0; i < 1000; i++) args.push('field:' + i, String(i));
    await r.hset('big', ...args);
    assert.equal(await r.object('ENCODING', 'big'), 'hashtable');
    const seen = new Map<string, string>();
    let cursor = '0';
    let calls = 0;
    do {
      const [next, items] = await r.hscan('big', cursor, 'COUNT', '37');
      for (let j = 0; j < items.length; j += 2) seen.set(items[j]!, items[j + 1]!);
      cursor = next;
      calls++;
    } while (cursor !== '0');
    assert.equal(seen.size, 1000);
    assert.ok(calls > 10);
    assert.equal(seen.get('field:77'), '77');
    let matched = 0;
    cursor = '0';
    do {
      const [next, items] = await r.hscan('big', cursor, 'MATCH', 'field:1??', 'COUNT', '100');
      matched += items.length / 2;
      cursor = next;
    } while (cursor !== '0');
    assert.equal(matched, 100);
  });
});

describe('events, propagation, digest (embedded server)', () => {
  test('keyspace events and HINCRBYFLOAT propagated as HSET', async () => {
    const emb = await startServer({ config: { 'enable-debug-command': 'yes' } });
    const events: string[] = [];
    emb.server.notifyHook = (_t, event, key) => events.push(event + ':' + key.toString('latin1'));
    const prop: string[] = [];
    emb.server.propagationSinks.push((_db, argv) => prop.push(argv.map((a) => a.toString('latin1')).join(' ')));
    const c = new Redis(emb.port, emb.host);
    try {
      await c.hset('h', 'a', '1');
      await c.hsetnx('h', 'b', '2');
      await c.hmset('h', 'c', '3');
      await c.hincrby('h', 'a', 2);
      await c.hincrbyfloat('h', 'f', '1.50');
      await c.hdel('h', 'a');
      await c.hdel('h', 'b', 'c', 'f');
      assert.deepEqual(events, ['hset:h', 'hset:h', 'hset:h', 'hincrby:h', 'hincrbyfloat:h', 'hdel:h', 'hdel:h', 'del:h']);
      const relevant = prop.filter((p) => !p.startsWith('SELECT') && !p.startsWith('select'));
      assert.deepEqual(relevant.map((p) => p.toLowerCase()), [
        'hset h a 1',
        'hsetnx h b 2',
        'hmset h c 3',
        'hincrby h a 2',
        'hset h f 1.5',
        'hdel h a',
        'hdel h b c f',
      ]);
      await c.hset('d', 'x', '1', 'y', '2');
      assert.notEqual(await c.call('debug', 'digest-value', 'd'), '0000000000000000000000000000000000000000');
      assert.match((await c.call('debug', 'object', 'd')) as string, /encoding:listpack/);
    } finally {
      c.disconnect();
      await emb.close();
    }
  });
});
