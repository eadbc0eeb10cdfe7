/**
 * MULTI / EXEC / DISCARD / WATCH / UNWATCH against Damselfly, through ioredis's multi() and the
 * raw protocol: replies, queue-time and runtime errors, WATCH broken by other clients, by this
 * client, by expiry, FLUSHALL and SWAPDB (and not by reads or other databases), CLIENT LIST,
 * RESET, CLIENT PAUSE WRITE, MONITOR, OOM and the replicated stream (embedded server). Every
 * expected reply and stream below is what redis-server 7.0.15 produced for the same commands
 * (the error texts are also compared byte for byte by test/differential/transactions.txt).
 */

import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from 'damselfly';
import { startDamselfly, type ServerProcess } from '../helpers/servers.js';
import { redisClient as client, err } from '../helpers/assertions.js';
import { RawConnection } from '../helpers/raw.js';

let srv: ServerProcess;
let r: Redis;
let other: Redis;

const sleep = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));

async function rawSession(fn: (c: RawConnection) => Promise<void>): Promise<void> {
  const c = await RawConnection.connect(srv.port);
  try {
    await fn(c);
  } finally {
    c.close();
  }
}

/** The CLIENT LIST line of the client named `name`. */
async function listLine(name: string): Promise<string> {
  const list = (await other.call('CLIENT', 'LIST')) as string;
  const line = list.split('\n').find((l) => l.includes(' name=' + name + ' '));
  assert.ok(line !== undefined, 'no client named ' + name);
  return line;
}

before(async () => {
  srv = await startDamselfly(['--enable-debug-command', 'yes']);
  r = client(srv.port);
  other = client(srv.port);
});

after(async () => {
  r.disconnect();
  other.disconnect();
  await srv.stop();
});

beforeEach(async () => {
  await r.flushall();
});

describe('MULTI / EXEC / DISCARD', () => {
  test('ioredis multi(): replies in order, runtime errors inside the result', async () => {
    await r.set('s', 'x');
    const res = (await r.multi().set('a', '1').incr('a').lpush('s', 'v').get('a').exec())!;
    assert.equal(res.length, 4);
    assert.deepEqual(res[0], [null, 'OK']);
    assert.deepEqual(res[1], [null, 2]);
    assert.equal((res[2]![0] as Error).message, 'WRONGTYPE Operation against a key holding the wrong kind of value');
    assert.deepEqual(res[3], [null, '2']);
  });

  test('queue-time errors discard the transaction with EXECABORT', async () => {
    const msg = await err(r.multi().set('a', '1').call('NOSUCH', 'x').exec());
    assert.match(msg, /EXECABORT Transaction discarded because of previous errors\./);
    assert.equal(await r.exists('a'), 0);
  });

  test('raw protocol: QUEUED, errors, nested MULTI, DISCARD, pipelined transaction', async () => {
    await rawSession(async (c) => {
      assert.equal(await c.call('EXEC'), '-ERR EXEC without MULTI\r\n');
      assert.equal(await c.call('DISCARD'), '-ERR DISCARD without MULTI\r\n');
      assert.equal(await c.call('MULTI'), '+OK\r\n');
      assert.equal(await c.call('MULTI'), '-ERR MULTI calls can not be nested\r\n');
      assert.equal(await c.call('WATCH', 'x'), '-ERR WATCH inside MULTI is not allowed\r\n');
      assert.equal(await c.call('SET', 'k', 'v'), '+QUEUED\r\n');
      assert.equal(await c.call('EXEC'), '*1\r\n+OK\r\n');
      assert.equal(await c.call('MULTI'), '+OK\r\n');
      assert.equal(await c.call('SET', 'k', 'w'), '+QUEUED\r\n');
      assert.equal(await c.call('DISCARD'), '+OK\r\n');
      assert.equal(await c.call('GET', 'k'), '$1\r\nv\r\n');
      assert.equal(await c.call('MULTI'), '+OK\r\n');
      assert.equal(await c.call('SHUTDOWN'), '-ERR Command not allowed inside a transaction\r\n');
      assert.equal(await c.call('EXEC'), '-EXECABORT Transaction discarded because of previous errors.\r\n');
      assert.equal(await c.call('MULTI'), '+OK\r\n');
      assert.equal(await c.call('EXEC', 'x'), "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n");
      assert.equal(await c.call('EXEC'), '-ERR EXEC without MULTI\r\n');
      // One write with a whole transaction.
      c.write('*1\r\n$5\r\nMULTI\r\n*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n*1\r\n$4\r\nEXEC\r\n');
      assert.equal(String(await c.readReply()), '+OK\r\n');
      assert.equal(String(await c.readReply()), '+QUEUED\r\n');
      assert.equal(String(await c.readReply()), '+QUEUED\r\n');
      assert.equal(String(await c.readReply()), '*2\r\n:1\r\n:2\r\n');
      assert.equal(await c.call('HELLO', '3').then((s) => s[0]), '%');
      assert.equal(await c.call('MULTI'), '+OK\r\n');
      assert.equal(await c.call('BLPOP', 'nokey', '0'), '+QUEUED\r\n');
      assert.equal(await c.call('EXEC'), '*1\r\n_\r\n');
    });
  });

  test('EXEC before AUTH answers EXECABORT with the NOAUTH reason', async () => {
    const s = await startDamselfly(['--requirepass', 'pw']);
    try {
      const c = await RawConnection.connect(s.port);
      assert.equal(await c.call('EXEC'), '-EXECABORT Transaction discarded because of: NOAUTH Authentication required.\r\n');
      assert.equal(await c.call('MULTI'), '-NOAUTH Authentication required.\r\n');
      c.close();
    } finally {
      await s.stop();
    }
  });

  test('commandstats: inner commands counted, EXECABORT is a failed EXEC', async () => {
    await r.config('RESETSTAT');
    await r.set('s', 'x');
    await r.multi().lpush('s', 'x').get('s').exec();
    await err(r.multi().call('SET', 'a').exec());
    const stats = await r.info('commandstats');
    assert.match(stats, /cmdstat_exec:calls=2,.*rejected_calls=0,failed_calls=1/);
    assert.match(stats, /cmdstat_lpush:calls=1,.*failed_calls=1/);
    assert.match(stats, /cmdstat_get:calls=1,.*failed_calls=0/);
    assert.match(stats, /cmdstat_set:calls=1,.*rejected_calls=1,failed_calls=0/);
    assert.match(await r.info('errorstats'), /errorstat_EXECABORT:count=1/);
  });
});

describe('WATCH', () => {
  async function watchedExec(c: Redis): Promise<unknown> {
    return c.multi().ping().exec();
  }

  test('broken by another client, not by its reads or writes to another db', async () => {
    const w = client(srv.port);
    try {
      await w.set('k', '1');
      await w.watch('k');
      await other.get('k');
      await other.select(1);
      await other.set('k', 'elsewhere');
      await other.select(0);
      assert.deepEqual(await watchedExec(w), [[null, 'PONG']]);
      await w.watch('k');
      await other.set('k', '2');
      assert.equal(await watchedExec(w), null);
      // The watch ended with EXEC.
      await other.set('k', '3');
      assert.deepEqual(await watchedExec(w), [[null, 'PONG']]);
    } finally {
      w.disconnect();
    }
  });

  test('broken by this client, by no-op-free changes only', async () => {
    await r.set('k', '1');
    await r.watch('k', 'missing');
    await r.del('missing');
    await r.expire('missing', 100);
    await r.set('k', '1', 'NX');
    await r.persist('k');
    assert.deepEqual(await watchedExec(r), [[null, 'PONG']]);
    await r.watch('k');
    await r.expire('k', 100);
    assert.equal(await watchedExec(r), null);
    await r.watch('k');
    await r.unwatch();
    await r.set('k', '9');
    assert.deepEqual(await watchedExec(r), [[null, 'PONG']]);
  });

  test('broken by expiry between WATCH and EXEC', async () => {
    await r.set('vol', '1', 'PX', 60);
    await r.watch('vol');
    await sleep(150);
    assert.equal(await watchedExec(r), null);
    // A key that had already expired when watched is not "modified" by its deletion.
    await r.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    try {
      await r.set('old', '1', 'PX', 20);
      await sleep(60);
      await r.watch('old');
      assert.equal(await other.get('old'), null);
      assert.deepEqual(await watchedExec(r), [[null, 'PONG']]);
      // ...but writing it is.
      await r.set('old', '1', 'PX', 20);
      await sleep(60);
      await r.watch('old');
      await other.set('old', '2');
      assert.equal(await watchedExec(r), null);
    } finally {
      await r.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
    }
  });

  test('FLUSHALL / FLUSHDB / SWAPDB / RENAME / MOVE break it when the key existed', async () => {
    await r.watch('nokey');
    await other.flushall();
    assert.deepEqual(await watchedExec(r), [[null, 'PONG']]);
    for (const [setup, action] of [
      [() => other.set('k', '1'), () => other.flushall()],
      [() => other.set('k', '1'), () => other.flushdb()],
      [() => other.set('k', '1'), () => other.rename('k', 'k2')],
      [() => other.set('k', '1'), () => other.move('k', 1)],
      [
        async () => {
          await other.select(1);
          await other.set('k', 'db1');
          await other.select(0);
        },
        () => other.swapdb(0, 1),
      ],
    ] as Array<[() => Promise<unknown>, () => Promise<unknown>]>) {
      await other.flushall();
      await setup();
      await r.watch('k');
      await action();
      assert.equal(await watchedExec(r), null, String(action));
    }
  });

  test('CLIENT LIST: multi= counts queued commands, flags x and d, multi-mem', async () => {
    await rawSession(async (c) => {
      await c.call('CLIENT', 'SETNAME', 'txc');
      await c.call('SET', 'k', '1');
      await c.call('WATCH', 'k');
      await other.set('k', '2');
      assert.match(await listLine('txc'), / flags=d .* multi=-1 .* multi-mem=0 /);
      assert.equal(await c.call('MULTI'), '+OK\r\n');
      assert.match(await listLine('txc'), / flags=xd .* multi=0 .* multi-mem=0 /);
      await c.call('SET', 'a', '1');
      await c.call('SET', 'abc', '1234567');
      // SET a 1 = 5 bytes + 3 pointers, SET abc 1234567 = 13 + 24 (Redis 7.0's accounting).
      assert.match(await listLine('txc'), / flags=xd .* multi=2 .* multi-mem=66 /);
      assert.equal(await c.call('EXEC'), '*-1\r\n');
      assert.match(await listLine('txc'), / flags=N .* multi=-1 .* multi-mem=0 /);
    });
  });

  test('RESET leaves MULTI and drops the watches; a disconnect drops them too', async () => {
    await rawSession(async (c) => {
      await c.call('SET', 'k', '1');
      await c.call('WATCH', 'k');
      await c.call('MULTI');
      await c.call('SET', 'k', '2');
      assert.equal(await c.call('RESET'), '+RESET\r\n');
      assert.equal(await c.call('EXEC'), '-ERR EXEC without MULTI\r\n');
      await other.set('k', '3');
      await c.call('MULTI');
      await c.call('GET', 'k');
      assert.equal(await c.call('EXEC'), '*1\r\n$1\r\n3\r\n');
      await c.call('WATCH', 'k');
      await c.call('MULTI');
    });
    // The closed client's watch and queue are gone: writes to its key still work.
    await other.set('k', '4');
    assert.equal(await other.get('k'), '4');
  });
});

describe('interplay', () => {
  test('CLIENT PAUSE WRITE holds an EXEC with writes, not one with reads only', async () => {
    const w = await RawConnection.connect(srv.port);
    const ro = client(srv.port);
    try {
      await ro.set('k', 'v');
      assert.equal(await w.call('MULTI'), '+OK\r\n');
      assert.equal(await w.call('SET', 'k', 'w'), '+QUEUED\r\n');
      await other.call('CLIENT', 'PAUSE', '60000', 'WRITE');
      w.send('EXEC');
      // A read-only transaction runs during the pause; the EXEC with a write is still held.
      assert.deepEqual(await ro.multi().get('k').exec(), [[null, 'v']]);
      await sleep(50);
      assert.equal(w.pending().length, 0);
      assert.equal(await ro.get('k'), 'v');
      await other.call('CLIENT', 'UNPAUSE');
      assert.equal(String(await w.readReply()), '*1\r\n+OK\r\n');
      assert.equal(await ro.get('k'), 'w');
    } finally {
      await other.call('CLIENT', 'UNPAUSE');
      w.close();
      ro.disconnect();
    }
  });

  test('MONITOR shows MULTI, the queued commands when they run, then EXEC', async () => {
    const m = await RawConnection.connect(srv.port);
    try {
      assert.equal(await m.call('MONITOR'), '+OK\r\n');
      await r.multi().set('a', '1').get('a').exec();
      const lines: string[] = [];
      while (lines.length < 4) lines.push(String(await m.readReply()).replace(/^\+[\d.]+ \[\d+ [^\]]+\] /, ''));
      assert.deepEqual(lines, ['"multi"\r\n', '"set" "a" "1"\r\n', '"get" "a"\r\n', '"exec"\r\n']);
    } finally {
      m.close();
    }
  });

  test('OOM: rejected while queuing, and at EXEC when the queue may grow memory', async () => {
    await rawSession(async (c) => {
      try {
        await c.call('MULTI');
        await c.call('SET', 'a', '1');
        await other.config('SET', 'maxmemory', '1');
        assert.equal(await c.call('EXEC'), "-EXECABORT Transaction discarded because of: OOM command not allowed when used memory > 'maxmemory'.\r\n");
        await c.call('MULTI');
        assert.equal(await c.call('GET', 'a'), "-OOM command not allowed when used memory > 'maxmemory'.\r\n");
        assert.equal(await c.call('EXEC'), '-EXECABORT Transaction discarded because of previous errors.\r\n');
        // Reads only: EXEC itself is not refused.
        await other.config('SET', 'maxmemory', '0');
        await c.call('MULTI');
        await c.call('GET', 'a');
        await other.config('SET', 'maxmemory', '1');
        assert.equal(await c.call('EXEC'), '*1\r\n$-1\r\n');
      } finally {
        await other.config('SET', 'maxmemory', '0');
      }
    });
  });
});

describe('replicated forms (in-process)', () => {
  let emb: RunningServer;
  let c: Redis;
  const stream: string[] = [];

  before(async () => {
    emb = await startServer({ port: 0 });
    emb.server.propagationSinks.push((db, argv) => stream.push(db + ': ' + argv.map((a) => a.toString('latin1')).join(' ')));
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

  test('nothing for no write, the lone write bare, two or more wrapped in MULTI/EXEC', async () => {
    assert.deepEqual(await run(() => c.multi().get('a').exec()), []);
    assert.deepEqual(await run(() => c.multi().set('a', '1').get('a').exec()), ['0: set a 1']);
    assert.deepEqual(await run(() => c.multi().set('a', '1').incr('a').exec()), ['0: MULTI', '0: set a 1', '0: incr a', '0: EXEC']);
    assert.deepEqual(await run(() => c.multi().select(3).set('a', '1').select(0).set('b', '1').exec()), [
      '3: MULTI',
      '3: set a 1',
      '0: set b 1',
      '0: EXEC',
    ]);
    // Failed commands propagate nothing.
    assert.deepEqual(await run(() => c.multi().lpush('a', 'x').exec()), []);
  });

  test('a key found expired inside EXEC is deleted inside the wrapper', async () => {
    // Keep the background expiry cycle from deleting it first.
    emb.server.activeExpireEnabled = false;
    await c.set('lz', '1', 'PX', 10);
    await sleep(50);
    assert.deepEqual(await run(() => c.multi().get('lz').set('other', '1').exec()), ['0: MULTI', '0: DEL lz', '0: set other 1', '0: EXEC']);
    emb.server.activeExpireEnabled = true;
  });
});
