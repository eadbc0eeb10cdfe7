/**
 * The blocking pops against Damselfly: BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN,
 * BZPOPMAX, BZMPOP.
 *
 * A spawned server covers waiting clients served in FIFO order, timeouts (decimals, 0 =
 * forever), BLMOVE chains, clients woken by a transaction, CLIENT UNBLOCK, disconnects,
 * pipelined input held while blocked, waiters of another type, INFO/CLIENT LIST. An embedded
 * server records the replicated stream of served pops. Every expected reply and stream below is
 * what redis-server 7.0.15 produced for the same commands. Waiting is detected through INFO
 * blocked_clients, never through sleeps, so a slow machine only makes the tests slower.
 */

import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from 'damselfly';
import { startDamselfly, type ServerProcess } from '../helpers/servers.js';
import { redisClient as client } from '../helpers/assertions.js';
import { RawConnection } from '../helpers/raw.js';

let srv: ServerProcess;
let r: Redis;
const open: RawConnection[] = [];

const sleep = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));
const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';

async function infoField(c: Redis, name: string): Promise<number> {
  const m = new RegExp('(?:^|\\n)' + name + ':(\\d+)').exec(await c.info('clients'));
  assert.ok(m !== null, 'INFO clients lacks ' + name);
  return Number(m[1]);
}

/** Waits until INFO reports `n` blocked clients. */
async function waitBlocked(c: Redis, n: number): Promise<void> {
  const deadline = Date.now() + 10000;
  for (;;) {
    const b = await infoField(c, 'blocked_clients');
    if (b === n) return;
    if (Date.now() > deadline) throw new Error('blocked_clients stayed ' + b + ', expected ' + n);
    await sleep(5);
  }
}

async function raw(port = srv.port): Promise<RawConnection> {
  const c = await RawConnection.connect(port);
  open.push(c);
  return c;
}

/** Sends a blocking command on a new connection and waits until the server blocked it. */
async function blocked(c: Redis, args: string[], port = srv.port): Promise<RawConnection> {
  const before = await infoField(c, 'blocked_clients');
  const conn = await raw(port);
  conn.send(...args);
  await waitBlocked(c, before + 1);
  return conn;
}

before(async () => {
  srv = await startDamselfly();
  r = client(srv.port);
});

after(async () => {
  for (const c of open) c.close();
  r.disconnect();
  await srv.stop();
});

beforeEach(async () => {
  await r.flushall();
  await waitBlocked(r, 0);
});

describe('serving waiters', () => {
  test('clients waiting on a key are served first come, first served', async () => {
    const a = await blocked(r, ['BLPOP', 'q', '0']);
    const b = await blocked(r, ['BLPOP', 'q', 'other', '0']);
    const c = await blocked(r, ['BRPOP', 'q', '0']);
    // One element: only the oldest waiter gets it.
    assert.equal(await r.rpush('q', 'x'), 1);
    assert.equal(await a.readReply().then(String), '*2\r\n$1\r\nq\r\n$1\r\nx\r\n');
    await waitBlocked(r, 2);
    // Two more: the next two in order, the BRPOP taking from the tail.
    assert.equal(await r.rpush('q', 'y', 'z', 'w'), 3);
    assert.equal(String(await b.readReply()), '*2\r\n$1\r\nq\r\n$1\r\ny\r\n');
    assert.equal(String(await c.readReply()), '*2\r\n$1\r\nq\r\n$1\r\nw\r\n');
    assert.deepEqual(await r.lrange('q', 0, -1), ['z']);
    await waitBlocked(r, 0);
  });

  test('a client waiting on several keys is served by the one that gets an element', async () => {
    const a = await blocked(r, ['BLPOP', 'k1', 'k2', 'k3', '0']);
    await r.rpush('k3', 'v');
    assert.equal(String(await a.readReply()), '*2\r\n$2\r\nk3\r\n$1\r\nv\r\n');
    assert.equal(await r.exists('k3'), 0);
    // Served at once when one of the keys already holds elements (first key in order).
    await r.rpush('k2', 'b');
    await r.rpush('k3', 'c');
    assert.deepEqual(await r.blpop('k1', 'k2', 'k3', 0), ['k2', 'b']);
  });

  test('timeouts accept decimals; 0 waits until an element arrives', async () => {
    const t0 = Date.now();
    assert.equal(await r.blpop('nokey', 0.25), null);
    assert.ok(Date.now() - t0 >= 200, 'answered after ' + (Date.now() - t0) + ' ms');
    const c = await raw();
    c.send('BZPOPMIN', 'z', '0.05');
    assert.equal(String(await c.readReply()), '*-1\r\n');
    const forever = await blocked(r, ['BLPOP', 'q', '0']);
    await sleep(300);
    assert.equal(await infoField(r, 'blocked_clients'), 1);
    await r.lpush('q', 'late');
    assert.equal(String(await forever.readReply()), '*2\r\n$1\r\nq\r\n$4\r\nlate\r\n');
  });

  test('many clients with different timeouts all get their null reply', async () => {
    const conns: RawConnection[] = [];
    for (let i = 0; i < 20; i++) {
      const c = await raw();
      c.send(i % 2 === 0 ? 'BLPOP' : 'BLMOVE', ...(i % 2 === 0 ? ['nk' + i] : ['nk' + i, 'dst', 'LEFT', 'RIGHT']), String(0.05 + (i % 5) * 0.05));
      conns.push(c);
    }
    for (const c of conns) assert.equal(String(await c.readReply()), '*-1\r\n');
    await waitBlocked(r, 0);
    assert.equal(await infoField(r, 'clients_in_timeout_table'), 0);
  });

  test('BLMOVE / BRPOPLPUSH chains pass one element along', async () => {
    const a = await blocked(r, ['BLMOVE', 'c1', 'c2', 'LEFT', 'RIGHT', '0']);
    const b = await blocked(r, ['BLMOVE', 'c2', 'c3', 'RIGHT', 'LEFT', '0']);
    const c = await blocked(r, ['BRPOPLPUSH', 'c3', 'c4', '0']);
    await r.rpush('c1', 'x');
    for (const conn of [a, b, c]) assert.equal(String(await conn.readReply()), '$1\r\nx\r\n');
    assert.deepEqual(await r.lrange('c4', 0, -1), ['x']);
    assert.equal(await r.exists('c1', 'c2', 'c3'), 0);
    // A rotation onto the same key.
    const rot = await blocked(r, ['BLMOVE', 'ring', 'ring', 'LEFT', 'RIGHT', '0']);
    await r.rpush('ring', 'a');
    assert.equal(String(await rot.readReply()), '$1\r\na\r\n');
    assert.deepEqual(await r.lrange('ring', 0, -1), ['a']);
  });

  test('BLMPOP and BZMPOP serve up to COUNT elements; BZPOP* reply key, member, score', async () => {
    const a = await blocked(r, ['BLMPOP', '0', '2', 'm1', 'm2', 'RIGHT', 'COUNT', '2']);
    await r.rpush('m2', 'a', 'b', 'c');
    assert.equal(String(await a.readReply()), '*2\r\n$2\r\nm2\r\n*2\r\n$1\r\nc\r\n$1\r\nb\r\n');
    const b = await blocked(r, ['BZMPOP', '0', '1', 'z', 'MAX', 'COUNT', '5']);
    await r.zadd('z', 1, 'a', 2, 'b');
    assert.equal(String(await b.readReply()), '*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n');
    const c3 = await raw();
    assert.equal((await c3.call('HELLO', '3')).startsWith('%'), true);
    const before = await infoField(r, 'blocked_clients');
    c3.send('BZPOPMAX', 'z2', '0');
    await waitBlocked(r, before + 1);
    await r.zadd('z2', 2.5, 'm2', 1, 'm1');
    assert.equal(String(await c3.readReply()), '*3\r\n$2\r\nz2\r\n$2\r\nm2\r\n,2.5\r\n');
  });

  test('pushes inside MULTI/EXEC serve waiters after the EXEC, with the final contents', async () => {
    const a = await blocked(r, ['BLPOP', 'q', '0']);
    const res = await r.multi().rpush('q', '1').rpush('q', '2').lrange('q', 0, -1).exec();
    assert.deepEqual(res, [
      [null, 1],
      [null, 2],
      [null, ['1', '2']],
    ]);
    assert.equal(String(await a.readReply()), '*2\r\n$1\r\nq\r\n$1\r\n1\r\n');
    assert.deepEqual(await r.lrange('q', 0, -1), ['2']);
    // Pushed and deleted inside one transaction: nothing to serve, the client keeps waiting.
    const b = await blocked(r, ['BLPOP', 'q3', '0']);
    await r.multi().rpush('q3', '1').del('q3').exec();
    await sleep(50);
    assert.equal(await infoField(r, 'blocked_clients'), 1);
    await r.rpush('q3', 'z');
    assert.equal(String(await b.readReply()), '*2\r\n$2\r\nq3\r\n$1\r\nz\r\n');
  });

  test('a key that arrives by RENAME or SWAPDB serves its waiters', async () => {
    const a = await blocked(r, ['BLPOP', 'target', '0']);
    await r.rpush('src', 'moved');
    await r.rename('src', 'target');
    assert.equal(String(await a.readReply()), '*2\r\n$6\r\ntarget\r\n$5\r\nmoved\r\n');
    const b = await blocked(r, ['BLPOP', 'sw', '0']);
    await r.select(1);
    await r.rpush('sw', 'from-db1');
    await r.swapdb(0, 1);
    await r.select(0);
    assert.equal(String(await b.readReply()), '*2\r\n$2\r\nsw\r\n$8\r\nfrom-db1\r\n');
  });
});

describe('types', () => {
  test('a waiter is only served by a key of its type', async () => {
    const a = await blocked(r, ['BZPOPMIN', 'k', '0']);
    await r.lpush('k', 'a');
    await sleep(50);
    assert.equal(await infoField(r, 'blocked_clients'), 1);
    await r.del('k');
    await r.zadd('k', 3, 'm');
    assert.equal(String(await a.readReply()), '*3\r\n$1\r\nk\r\n$1\r\nm\r\n$1\r\n3\r\n');
  });

  test('BLMOVE answers WRONGTYPE when its destination changed type, and moves nothing', async () => {
    await r.set('dst', 'str');
    const a = await blocked(r, ['BLMOVE', 'src', 'dst', 'LEFT', 'RIGHT', '0']);
    assert.equal(await r.rpush('src', 'a', 'b'), 2);
    assert.equal(String(await a.readReply()), WRONGTYPE);
    assert.deepEqual(await r.lrange('src', 0, -1), ['a', 'b']);
    await waitBlocked(r, 0);
  });
});

describe('unblocking', () => {
  test('CLIENT UNBLOCK answers the timeout reply or an UNBLOCKED error; pipelined input then runs', async () => {
    const a = await raw();
    const id = (await a.call('CLIENT', 'ID')).slice(1, -2);
    a.send('BLMOVE', 'a', 'b', 'LEFT', 'RIGHT', '0');
    a.send('PING');
    await waitBlocked(r, 1);
    assert.equal(await r.call('CLIENT', 'UNBLOCK', id), 1);
    assert.equal(String(await a.readReply()), '*-1\r\n');
    assert.equal(String(await a.readReply()), '+PONG\r\n');
    a.send('BLPOP', 'a', '0');
    await waitBlocked(r, 1);
    assert.equal(await r.call('CLIENT', 'UNBLOCK', id, 'ERROR'), 1);
    assert.equal(String(await a.readReply()), '-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n');
    assert.equal(await r.call('CLIENT', 'UNBLOCK', id, 'TIMEOUT'), 0);
    assert.match(await r.info('errorstats'), /errorstat_UNBLOCKED:count=1/);
  });

  test('a blocked client runs none of its pipelined commands until served', async () => {
    const a = await raw();
    a.write('*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n');
    await waitBlocked(r, 1);
    await sleep(50);
    assert.equal(await r.get('n'), null);
    assert.equal(a.pending().length, 0);
    await r.rpush('q', 'v');
    assert.equal(String(await a.readReply()), '*2\r\n$1\r\nq\r\n$1\r\nv\r\n');
    assert.equal(String(await a.readReply()), '+PONG\r\n');
    assert.equal(String(await a.readReply()), ':1\r\n');
  });

  test('CLIENT REPLY OFF / SKIP also drop the reply of a pop served later', async () => {
    const a = await raw();
    a.send('CLIENT', 'REPLY', 'OFF');
    a.send('BLPOP', 'rq', '0');
    await waitBlocked(r, 1);
    assert.equal(await r.rpush('rq', 'x'), 1);
    await waitBlocked(r, 0);
    a.send('CLIENT', 'REPLY', 'ON');
    assert.equal(String(await a.readReply()), '+OK\r\n');
    a.send('CLIENT', 'REPLY', 'SKIP');
    a.send('BLPOP', 'rq', '0');
    await waitBlocked(r, 1);
    assert.equal(await r.rpush('rq', 'y'), 1);
    a.send('PING');
    assert.equal(String(await a.readReply()), '+PONG\r\n');
    assert.equal(await r.exists('rq'), 0);
  });

  test('a client that disconnects while blocked stops waiting', async () => {
    const a = await blocked(r, ['BLPOP', 'q', '0']);
    const b = await blocked(r, ['BLPOP', 'q', '5']);
    a.close();
    b.close();
    await waitBlocked(r, 0);
    assert.equal(await infoField(r, 'clients_in_timeout_table'), 0);
    await r.rpush('q', 'kept');
    assert.deepEqual(await r.lrange('q', 0, -1), ['kept']);
  });

  test('inside MULTI the blocking commands answer at once', async () => {
    const res = await r
      .multi()
      .blpop('nokey', 0)
      .brpoplpush('nokey', 'd', 0)
      .blmove('nokey', 'd', 'LEFT', 'RIGHT', 0)
      .bzpopmin('nokey', 0)
      .call('BLMPOP', '0', '1', 'nokey', 'LEFT')
      .call('BZMPOP', '0', '1', 'nokey', 'MIN')
      .exec();
    assert.deepEqual(res, [
      [null, null],
      [null, null],
      [null, null],
      [null, null],
      [null, null],
      [null, null],
    ]);
    assert.equal(await infoField(r, 'blocked_clients'), 0);
  });
});

describe('introspection', () => {
  test('INFO blocked_clients / clients_in_timeout_table and CLIENT LIST flags=b cmd=', async () => {
    const a = await blocked(r, ['BLPOP', 'k1', 'k2', '10']);
    const b = await blocked(r, ['BZPOPMIN', 'z', '0']);
    assert.equal(await infoField(r, 'blocked_clients'), 2);
    assert.equal(await infoField(r, 'clients_in_timeout_table'), 1);
    const list = (await r.call('CLIENT', 'LIST')) as string;
    assert.match(list, / flags=b .* cmd=blpop /);
    assert.match(list, / flags=b .* cmd=bzpopmin /);
    a.close();
    b.close();
    await waitBlocked(r, 0);
  });
});

describe('replicated forms (in-process)', () => {
  let emb: RunningServer;
  let c: Redis;
  const stream: string[] = [];
  let ports: number;

  before(async () => {
    emb = await startServer({ port: 0 });
    ports = emb.port;
    emb.server.propagationSinks.push((_db, argv) => stream.push(argv.map((a) => a.toString('latin1')).join(' ')));
    c = client(emb.port, emb.host);
  });

  after(async () => {
    c.disconnect();
    await emb.close();
  });

  async function run(f: () => Promise<unknown>): Promise<string[]> {
    stream.length = 0;
    await f();
    return [...stream];
  }

  test('served at once: the non-blocking form', async () => {
    await c.rpush('l', 'a', 'b', 'c', 'd', 'e', 'f', 'g');
    await c.zadd('z', 1, 'a', 2, 'b', 3, 'c', 4, 'd', 5, 'e', 6, 'f');
    assert.deepEqual(await run(() => c.blpop('nx', 'l', 0)), ['LPOP l']);
    assert.deepEqual(await run(() => c.brpop('l', 0)), ['RPOP l']);
    assert.deepEqual(await run(() => c.call('BLMOVE', 'l', 'd', 'LeFt', 'rIgHt', '0')), ['LMOVE l d LeFt rIgHt']);
    assert.deepEqual(await run(() => c.brpoplpush('l', 'd', 0)), ['RPOPLPUSH l d']);
    assert.deepEqual(await run(() => c.call('BLMPOP', '0', '2', 'nx', 'l', 'LEFT', 'COUNT', '1')), ['LPOP l 1']);
    assert.deepEqual(await run(() => c.call('BLMPOP', '0', '1', 'l', 'right', 'count', '10')), ['RPOP l 2']);
    assert.deepEqual(await run(() => c.bzpopmin('z', 0)), ['ZPOPMIN z']);
    assert.deepEqual(await run(() => c.bzpopmax('z', 0)), ['ZPOPMAX z']);
    assert.deepEqual(await run(() => c.call('BZMPOP', '0', '1', 'z', 'MIN', 'COUNT', '1')), ['ZPOPMIN z 1']);
    assert.deepEqual(await run(() => c.call('BZMPOP', '0', '1', 'z', 'MAX', 'COUNT', '10')), ['ZPOPMAX z 3']);
    assert.deepEqual(await run(() => c.blpop('nx', 0.01)), []);
  });

  // ioredis sends command names in lower case; they are propagated as sent.
  test('served later: the push, then the pop (BLMOVE directions lower-case)', async () => {
    const waitEmb = async (n: number): Promise<void> => {
      for (let i = 0; i < 2000; i++) {
        const m = /blocked_clients:(\d+)/.exec(await c.info('clients'));
        if (Number(m![1]) === n) return;
        await sleep(5);
      }
      throw new Error('not blocked');
    };
    const w1 = await RawConnection.connect(ports);
    const w2 = await RawConnection.connect(ports);
    const w3 = await RawConnection.connect(ports);
    const w4 = await RawConnection.connect(ports);
    try {
      w1.send('BLPOP', 'k1', 'k2', '0');
      await waitEmb(1);
      w2.send('BRPOP', 'k2', '0');
      await waitEmb(2);
      w3.send('BZMPOP', '0', '1', 'zk', 'MAX', 'COUNT', '3');
      await waitEmb(3);
      assert.deepEqual(await run(() => c.rpush('k2', 'a', 'b', 'c')), ['rpush k2 a b c', 'LPOP k2', 'RPOP k2']);
      assert.deepEqual(await run(() => c.zadd('zk', 1, 'a', 2, 'b')), ['zadd zk 1 a 2 b', 'ZPOPMAX zk 2']);
      await waitEmb(0);
      w1.send('BLMOVE', 'c1', 'c2', 'LEFT', 'RIGHT', '0');
      await waitEmb(1);
      w2.send('BLMOVE', 'c2', 'c3', 'LEFT', 'RIGHT', '0');
      await waitEmb(2);
      w4.send('BRPOPLPUSH', 'c3', 'c4', '0');
      await waitEmb(3);
      assert.deepEqual(await run(() => c.rpush('c1', 'x')), ['rpush c1 x', 'LMOVE c1 c2 left right', 'LMOVE c2 c3 left right', 'RPOPLPUSH c3 c4']);
      await waitEmb(0);
      w3.send('BLPOP', 'q', '0');
      await waitEmb(1);
      assert.deepEqual(
        await run(() => c.multi().rpush('q', '1').rpush('q', '2').exec()),
        ['MULTI', 'rpush q 1', 'rpush q 2', 'EXEC', 'LPOP q'],
      );
    } finally {
      for (const w of [w1, w2, w3, w4]) w.close();
    }
  });
});
