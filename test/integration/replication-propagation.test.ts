/**
 * What a replica receives from a Damselfly master (expiry and string commands rewritten the way
 * redis-server 7.0.15 propagates them), and expiry on a Damselfly replica of a redis-server
 * master. Every expected stream below is what redis-server 7.0.15 sent for the same commands.
 */

import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Redis } from 'ioredis';
import { startDamselfly, startRedis, type ServerProcess } from '../helpers/servers.js';
import { encodeCommand, replyEnd } from '../helpers/raw.js';

let srv: ServerProcess;
let r: Redis;

const sleep = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));

function client(port = srv.port): Redis {
  return new Redis({ port, host: '127.0.0.1', enableReadyCheck: false, maxRetriesPerRequest: 0 });
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

function decodeArray(b: Buffer): string[] {
  const out: string[] = [];
  let p = b.indexOf('\r\n') + 2;
  while (p < b.length) {
    const nl = b.indexOf('\r\n', p);
    const len = Number(b.toString('latin1', p + 1, nl));
    out.push(b.toString('latin1', nl + 2, nl + 2 + len));
    p = nl + 2 + len + 2;
  }
  return out;
}

/** A replica-side connection: REPLCONF + PSYNC ? -1, RDB payload skipped, stream decoded. */
interface StreamReader {
  /** The next n propagated commands (PING and REPLCONF left out, and SELECT unless kept). */
  next(n: number): Promise<string[][]>;
  close(): void;
}

/** Connects to `port` as a replica; throws when the server does not act as a master. */
async function openStream(port: number, opts: { keepSelect: boolean }): Promise<StreamReader> {
  const sock = net.connect(port, '127.0.0.1');
  await new Promise<void>((res, rej) => {
    sock.once('connect', () => res());
    sock.once('error', rej);
  });
  let buf = Buffer.alloc(0);
  let closed = false;
  sock.on('data', (d: Buffer) => (buf = Buffer.concat([buf, d])));
  sock.on('close', () => (closed = true));
  sock.on('error', () => undefined);
  const wait = async (deadline: number, what: string): Promise<void> => {
    if (closed || Date.now() > deadline) throw new Error(what + ': ' + JSON.stringify(buf.toString('latin1').slice(0, 200)));
    await sleep(5);
  };
  const line = async (): Promise<string> => {
    const deadline = Date.now() + 5000;
    for (;;) {
      while (buf.length > 0 && buf[0] === 0x0a) buf = buf.subarray(1); // keepalive newlines
      const nl = buf.indexOf('\r\n');
      if (nl >= 0) {
        const l = buf.toString('latin1', 0, nl);
        buf = buf.subarray(nl + 2);
        return l;
      }
      await wait(deadline, 'no reply line');
    }
  };
  const expect = async (what: string, prefix: string): Promise<string> => {
    const l = await line();
    if (!l.startsWith(prefix)) {
      sock.destroy();
      throw new Error(what + ' answered ' + JSON.stringify(l) + ', expected ' + prefix + '...');
    }
    return l;
  };
  sock.write(encodeCommand(['REPLCONF', 'listening-port', '0']));
  await expect('REPLCONF listening-port', '+OK');
  sock.write(encodeCommand(['REPLCONF', 'capa', 'eof', 'capa', 'psync2']));
  await expect('REPLCONF capa', '+OK');
  sock.write(encodeCommand(['PSYNC', '?', '-1']));
  await expect('PSYNC ? -1', '+FULLRESYNC');
  const head = await line();
  const deadline = Date.now() + 10000;
  if (head.startsWith('$EOF:')) {
    const mark = Buffer.from(head.slice(5), 'latin1');
    for (;;) {
      const at = buf.indexOf(mark);
      if (at >= 0) {
        buf = buf.subarray(at + mark.length);
        break;
      }
      await wait(deadline, 'RDB payload');
    }
  } else {
    assert.match(head, /^\$\d+$/, 'RDB payload header');
    const len = Number(head.slice(1));
    while (buf.length < len) await wait(deadline, 'RDB payload');
    buf = buf.subarray(len); // no CRLF after the RDB
  }
  // After a diskless transfer Redis starts the stream on the replica's first ACK.
  sock.write(encodeCommand(['REPLCONF', 'ACK', '0']));
  const next = async (n: number): Promise<string[][]> => {
    const out: string[][] = [];
    const until = Date.now() + 3000;
    while (out.length < n) {
      const end = replyEnd(buf, 0);
      if (end > 0) {
        const cmd = decodeArray(buf.subarray(0, end));
        buf = buf.subarray(end);
        const name = cmd[0]!.toLowerCase();
        if (name !== 'ping' && name !== 'replconf' && (opts.keepSelect || name !== 'select')) out.push(cmd);
        continue;
      }
      if (Date.now() > until) throw new Error('stream so far: ' + JSON.stringify(out));
      await sleep(5);
    }
    return out;
  };
  return { next, close: () => sock.destroy() };
}

// ---------------------------------------------------------------------------------------------
// From test/integration/expire.test.ts.

describe('propagation of the expire family', () => {
  test('EXPIRE family → PEXPIREAT <abs ms> [options]; past → DEL; no-ops → nothing', async () => {
    const stream = await openStream(srv.port, { keepSelect: true });
    try {
      await r.set('k', 'v');
      const t0 = Date.now();
      await r.expire('k', 100);
      await r.call('pexpire', 'k', '100000', 'nx'); // no-op: not propagated
      await r.call('expire', 'k', '200', 'xx', 'gt');
      await r.expireat('k', 99999999999);
      await r.expire('k', -1);
      await r.set('p', 'v');
      await r.expire('p', 100);
      await r.persist('p');
      await r.persist('p'); // no-op
      await r.rename('p', 'p'); // no-op
      await r.flushdb(); // propagated
      await r.flushdb(); // propagated even though nothing was removed
      await r.set('end', '1');
      const got = await stream.next(12);
      const norm = got.map((c) => c.map((a, i) => (i === 0 ? a.toLowerCase() : a)));
      assert.deepEqual(norm[0], ['select', '0']);
      assert.deepEqual(norm[1], ['set', 'k', 'v']);
      assert.equal(norm[2]![0], 'pexpireat');
      const abs = Number(norm[2]![2]);
      assert.ok(abs >= t0 + 100000 && abs <= Date.now() + 100000, 'abs ' + abs);
      assert.deepEqual(norm[3]!.slice(0, 2), ['pexpireat', 'k']);
      assert.deepEqual(norm[3]!.slice(3), ['xx', 'gt']);
      assert.deepEqual(norm[4], ['pexpireat', 'k', '99999999999000']);
      assert.deepEqual(norm[5], ['del', 'k']);
      assert.deepEqual(norm[6], ['set', 'p', 'v']);
      assert.equal(norm[7]![0], 'pexpireat');
      assert.deepEqual(norm[8], ['persist', 'p']);
      assert.deepEqual(norm[9], ['flushdb']);
      assert.deepEqual(norm[10], ['flushdb']);
      assert.deepEqual(norm[11], ['set', 'end', '1']);
    } finally {
      stream.close();
    }
  });
});

// Expiry on a replica: it hides logically expired keys but never deletes them itself; the
// master's DEL does. Uses a real redis-server master (active expiry off) and Damselfly as its
// replica.

describe('replica', () => {
  test('expired keys are hidden but kept until the master deletes them', async () => {
    const master = await startRedis(['--enable-debug-command', 'yes']);
    let replica: ServerProcess;
    try {
      replica = await startDamselfly(['--replicaof', '127.0.0.1', String(master.port)]);
    } catch (e) {
      await master.stop();
      throw e;
    }
    const m = client(master.port);
    const s = client(replica.port);
    try {
      await m.call('debug', 'set-active-expire', '0');
      await m.set('k', 'v');
      await m.set('keep', 'v');
      await m.pexpire('k', 100);
      let synced = false;
      for (let i = 0; i < 300 && !synced; i++) {
        synced = (await s.dbsize().catch(() => 0)) === 2;
        if (!synced) await sleep(20);
      }
      assert.ok(synced, 'replication from redis-server did not come up within 6 s');
      await sleep(150);
      assert.equal(await s.get('k'), null);
      assert.equal(await s.exists('k'), 0);
      assert.equal(await s.ttl('k'), -2);
      assert.deepEqual(await s.keys('*'), ['keep']);
      const [, scanned] = await s.scan('0', 'COUNT', '100');
      assert.deepEqual(scanned, ['keep']);
      assert.equal(await s.dbsize(), 2, 'the replica must not delete on its own');
      await sleep(300); // no active expiry on a replica either
      assert.equal(await s.dbsize(), 2);
      assert.equal(await m.get('k'), null); // the master deletes and sends DEL
      for (let i = 0; i < 100 && (await s.dbsize()) !== 1; i++) await sleep(20);
      assert.equal(await s.dbsize(), 1);
    } finally {
      m.disconnect();
      s.disconnect();
      await replica.stop();
      await master.stop();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// From test/integration/string.test.ts.

describe('propagation of the string commands', () => {
  test('relative times become absolute, GET is dropped, INCRBYFLOAT/GETSET/GETDEL/GETEX rewritten', async () => {
    const stream = await openStream(srv.port, { keepSelect: false });
    try {
      const t0 = Date.now();
      await r.call('set', 'k', 'v', 'ex', '100');
      await r.call('set', 'k', 'v', 'px', '100000', 'nx'); // not written: nothing
      await r.call('set', 'k', 'v', 'keepttl');
      await r.call('set', 'k', 'v', 'nx'); // nothing
      await r.call('set', 'k', 'v', 'get', 'GET');
      await r.call('set', 'k', 'v', 'xx', 'pxat', '99999999999999', 'get');
      await r.call('setex', 'k', '100', 'v');
      await r.call('psetex', 'k', '100000', 'v');
      await r.call('getex', 'k', 'ex', '100');
      await r.call('getex', 'k', 'persist');
      await r.call('getex', 'k', 'persist'); // nothing
      await r.call('getex', 'k'); // nothing
      await r.call('getex', 'k', 'exat', '1');
      await r.call('set', 'f', '1');
      await r.call('incrbyfloat', 'f', '0.25');
      await r.call('getdel', 'f');
      await r.call('getdel', 'f'); // nothing
      await r.call('getset', 'g', 'z');
      await r.call('incr', 'n');
      await r.call('msetnx', 'g', '1', 'h', '2'); // nothing
      await r.call('setrange', 'g', '0', ''); // nothing
      await r.call('append', 'g', 'x');
      const t1 = Date.now();
      const got = await stream.next(15);
      const abs = (s: string) => {
        const v = Number(s);
        assert.ok(v >= t0 && v <= t1 + 200000, s);
        return 'T';
      };
      const norm = got.map((c) => c.map((a, i) => ((c[0] === 'SET' && i === 4 && a !== '99999999999999') || (c[0] === 'PEXPIREAT' && i === 2) ? abs(a) : a)));
      assert.deepEqual(norm, [
        ['SET', 'k', 'v', 'PXAT', 'T'],
        ['set', 'k', 'v', 'keepttl'],
        ['set', 'k', 'v'],
        ['SET', 'k', 'v', 'PXAT', '99999999999999'],
        ['SET', 'k', 'v', 'PXAT', 'T'],
        ['SET', 'k', 'v', 'PXAT', 'T'],
        ['PEXPIREAT', 'k', 'T'],
        ['PERSIST', 'k'],
        ['DEL', 'k'],
        ['set', 'f', '1'],
        ['SET', 'f', '1.25', 'KEEPTTL'],
        ['DEL', 'f'],
        ['SET', 'g', 'z'],
        ['incr', 'n'],
        ['append', 'g', 'x'],
      ]);
    } finally {
      stream.close();
    }
  });

  test('pops, SPOP, transactions and lazy expiry: the forms and MULTI/EXEC wrapping of redis-server 7.0.15', async () => {
    // Its own server: active expiry is switched off so the expired key is found by the INCR.
    const own = await startDamselfly(['--enable-debug-command', 'yes']);
    const r = client(own.port);
    await r.call('debug', 'set-active-expire', '0');
    await r.call('zadd', 'z', '1', 'a', '2', 'b');
    await r.call('rpush', 'lst', 'x', 'y', 'z');
    await r.call('sadd', 's', 'm1', 'm2', 'm3', 'm4');
    await r.call('set', 'lz', '1', 'px', '20');
    await sleep(60);
    const stream = await openStream(own.port, { keepSelect: false });
    try {
      await r.call('zmpop', '1', 'z', 'min', 'count', '10'); // → ZPOPMIN z 2 (the number popped)
      await r.call('lmpop', '1', 'lst', 'left', 'count', '2'); // → LPOP lst 2
      await r.call('spop', 's', '2'); // → MULTI, SREM, SREM, EXEC
      await r.call('multi');
      await r.call('set', 'm2', '1');
      await r.call('exec'); // one write: no MULTI/EXEC
      await r.call('multi');
      await r.call('set', 'm1', '1');
      await r.call('incr', 'm1');
      await r.call('exec'); // two writes: wrapped
      await r.call('incr', 'lz'); // expired on access by a write: MULTI, DEL, INCR, EXEC
      const got = await stream.next(14);
      const norm = got.map((c) => (c[0] === 'SREM' ? ['SREM', c[1]!, '<member>'] : c));
      assert.deepEqual(norm, [
        ['ZPOPMIN', 'z', '2'],
        ['LPOP', 'lst', '2'],
        ['MULTI'],
        ['SREM', 's', '<member>'],
        ['SREM', 's', '<member>'],
        ['EXEC'],
        ['set', 'm2', '1'],
        ['MULTI'],
        ['set', 'm1', '1'],
        ['incr', 'm1'],
        ['EXEC'],
        ['MULTI'],
        ['DEL', 'lz'],
        ['incr', 'lz'],
      ]);
      assert.deepEqual(await stream.next(1), [['EXEC']]);
    } finally {
      stream.close();
      r.disconnect();
      await own.stop();
    }
  });
});
