/**
 * Streams through real clients: ioredis for the everyday commands (xadd, xrange, xread,
 * xreadgroup, xack, xpending, xclaim), then blocking XREAD / XREADGROUP with several clients.
 * The blocking scenarios run against redis-server 7.0 too, over raw connections, and the
 * transcripts (every reply, in order, per client) must be identical.
 */

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startDamselfly, startRedis, type ServerProcess } from '../helpers/servers.js';
import { RawConnection } from '../helpers/raw.js';
import { redisClient } from '../helpers/assertions.js';

let srv: ServerProcess;
let ref: ServerProcess;

before(async () => {
  [srv, ref] = await Promise.all([startDamselfly(['--enable-debug-command', 'yes']), startRedis()]);
});

after(async () => {
  await Promise.all([srv.stop(), ref.stop()]);
});

describe('streams with ioredis', () => {
  test('xadd / xlen / xrange / xrevrange / xdel / xtrim', async () => {
    const r = redisClient(srv.port, srv.host);
    const id = await r.xadd('s', '*', 'temp', '21.5', 'unit', 'C');
    assert.match(id!, /^\d+-0$/);
    assert.equal(await r.xadd('s', '9999999999999-*', 'temp', '22'), '9999999999999-0');
    assert.equal(await r.xadd('s', '*', 'temp', '23'), '9999999999999-1', 'a clock behind the last ID continues its sequence');
    assert.equal(await r.xlen('s'), 3);
    assert.deepEqual(await r.xrange('s', '9999999999999', '+'), [
      ['9999999999999-0', ['temp', '22']],
      ['9999999999999-1', ['temp', '23']],
    ]);
    assert.deepEqual(await r.xrevrange('s', '+', '-', 'COUNT', 1), [['9999999999999-1', ['temp', '23']]]);
    assert.equal(await r.xdel('s', id!), 1);
    assert.equal(await r.xtrim('s', 'MAXLEN', 1), 1);
    assert.deepEqual(await r.xrange('s', '-', '+'), [['9999999999999-1', ['temp', '23']]]);
    assert.equal(await r.type('s'), 'stream');
    assert.equal(await r.object('ENCODING', 's'), 'stream');
    await assert.rejects(r.xadd('s', '1-1', 'a', 'b'), /equal or smaller than the target stream top item/);
    r.disconnect();
  });

  test('xread over several streams, xreadgroup / xack / xpending / xclaim', async () => {
    const r = redisClient(srv.port, srv.host);
    await r.xadd('a', '1-1', 'k', 'v1');
    await r.xadd('a', '2-1', 'k', 'v2');
    await r.xadd('b', '1-5', 'k', 'w');
    assert.deepEqual(await r.xread('COUNT', 1, 'STREAMS', 'a', 'b', '0', '0'), [
      ['a', [['1-1', ['k', 'v1']]]],
      ['b', [['1-5', ['k', 'w']]]],
    ]);
    assert.equal(await r.xread('STREAMS', 'a', '$'), null);
    assert.equal(await r.xgroup('CREATE', 'a', 'workers', '0'), 'OK');
    assert.deepEqual(await r.xreadgroup('GROUP', 'workers', 'w1', 'COUNT', 1, 'STREAMS', 'a', '>'), [['a', [['1-1', ['k', 'v1']]]]]);
    assert.deepEqual(await r.xreadgroup('GROUP', 'workers', 'w2', 'STREAMS', 'a', '>'), [['a', [['2-1', ['k', 'v2']]]]]);
    assert.deepEqual(await r.xpending('a', 'workers'), [2, '1-1', '2-1', [['w1', '1'], ['w2', '1']]]);
    const ext = (await r.xpending('a', 'workers', '-', '+', 10, 'w1')) as Array<[string, string, number, number]>;
    assert.equal(ext.length, 1);
    assert.equal(ext[0]![0], '1-1');
    assert.equal(ext[0]![1], 'w1');
    assert.equal(ext[0]![3], 1);
    assert.deepEqual(await r.xclaim('a', 'workers', 'w2', 0, '1-1'), [['1-1', ['k', 'v1']]]);
    assert.deepEqual(await r.xpending('a', 'workers'), [2, '1-1', '2-1', [['w2', '2']]]);
    assert.equal(await r.xack('a', 'workers', '1-1', '2-1', '3-1'), 2);
    assert.deepEqual(await r.xpending('a', 'workers'), [0, null, null, null]);
    assert.deepEqual(await r.xautoclaim('a', 'workers', 'w3', 0, '0'), ['0-0', [], []]);
    r.disconnect();
  });

  test('XINFO and DEBUG DIGEST-VALUE of a stream with deletions and groups', async () => {
    const r = redisClient(srv.port, srv.host);
    await r.xadd('d', '1-1', 'f', 'v');
    await r.xadd('d', '1-2', 'f', 'v2');
    await r.xdel('d', '1-2');
    const info = (await r.call('XINFO', 'STREAM', 'd')) as unknown[];
    assert.deepEqual(info.slice(0, 14), [
      'length', 1, 'radix-tree-keys', 1, 'radix-tree-nodes', 2, 'last-generated-id', '1-2',
      'max-deleted-entry-id', '1-2', 'entries-added', 2, 'recorded-first-entry-id', '1-1',
    ]);
    // The digest covers the live entries only: the same as a stream that only ever had 1-1.
    await r.xadd('d2', '1-1', 'f', 'v');
    await r.xgroup('CREATE', 'd2', 'g', '$');
    const [x, y] = (await r.call('DEBUG', 'DIGEST-VALUE', 'd', 'd2')) as string[];
    assert.equal(x, y);
    assert.notEqual(x, '0'.repeat(40));
    r.disconnect();
  });
});

// ------------------------------------------------------------------ blocking, side by side

type Transcript = string[];

/** Runs a blocking scenario on one server; returns every reply as "client: reply", in arrival order. */
async function scenario(port: number, steps: (c: (name: string) => Promise<RawConnection>, log: Transcript) => Promise<void>): Promise<Transcript> {
  const conns = new Map<string, RawConnection>();
  const log: Transcript = [];
  const get = async (name: string): Promise<RawConnection> => {
    let c = conns.get(name);
    if (c === undefined) {
      c = await RawConnection.connect(port);
      conns.set(name, c);
    }
    return c;
  };
  try {
    await steps(get, log);
  } finally {
    for (const c of conns.values()) c.close();
  }
  // Replies to different connections race each other on the wire: compare each client's own
  // sequence (a stable sort by client name keeps every client's order).
  return log.map((line, i) => [line, i] as const).sort((x, y) => x[0].slice(0, x[0].indexOf(':')).localeCompare(y[0].slice(0, y[0].indexOf(':'))) || x[1] - y[1]).map((x) => x[0]);
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends a command and records its reply later (after `await`ing the returned promise). */
function pending(c: RawConnection, name: string, log: Transcript, ...argv: string[]): Promise<void> {
  c.send(...argv);
  return c.readReply(10000).then((b) => {
    log.push(name + ': ' + b.toString('latin1').replace(/\d{13}-\d+/g, '<id>'));
  });
}

async function cmd(c: RawConnection, name: string, log: Transcript, ...argv: string[]): Promise<void> {
  await pending(c, name, log, ...argv);
}

async function bothServers(steps: Parameters<typeof scenario>[1]): Promise<void> {
  const [a, b] = await Promise.all([scenario(ref.port, steps), scenario(srv.port, steps)]);
  assert.deepEqual(b, a);
}

describe('blocking XREAD / XREADGROUP (compared with redis-server 7.0)', () => {
  test('XREAD BLOCK $: every waiting client gets the new entry; later input waits for the reply', async () => {
    await bothServers(async (c, log) => {
      const p = await c('p');
      await cmd(p, 'p', log, 'DEL', 'bs');
      await cmd(p, 'p', log, 'XADD', 'bs', '1-1', 'old', 'x');
      const a = await c('a');
      const b = await c('b');
      const ra = pending(a, 'a', log, 'XREAD', 'BLOCK', '0', 'STREAMS', 'nothere', 'bs', '$', '$');
      // b pipelines a PING behind its blocking read: the PING must be answered after it.
      const rb = pending(b, 'b', log, 'XREAD', 'COUNT', '5', 'BLOCK', '0', 'STREAMS', 'bs', '$');
      const rbPing = pending(b, 'b', log, 'PING');
      await pause(150);
      await cmd(p, 'p', log, 'XADD', 'bs', '2-1', 'new', 'y');
      await Promise.all([ra, rb, rbPing]);
    });
  });

  test('XREAD BLOCK times out with a null reply; RESP3 too', async () => {
    await bothServers(async (c, log) => {
      const a = await c('a');
      await cmd(a, 'a', log, 'XREAD', 'BLOCK', '100', 'STREAMS', 'never', '0');
      await cmd(a, 'a', log, 'HELLO', '3').then(() => log.pop());
      await cmd(a, 'a', log, 'XREAD', 'BLOCK', '100', 'STREAMS', 'never', '0');
      await cmd(a, 'a', log, 'XREAD', 'BLOCK', '-1', 'STREAMS', 'never', '0');
    });
  });

  test('XREADGROUP BLOCK >: consumers are served one entry each in FIFO order, PEL updated', async () => {
    await bothServers(async (c, log) => {
      const p = await c('p');
      await cmd(p, 'p', log, 'DEL', 'bq');
      await cmd(p, 'p', log, 'XGROUP', 'CREATE', 'bq', 'g', '$', 'MKSTREAM');
      const a = await c('a');
      const b = await c('b');
      const ra = pending(a, 'a', log, 'XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 'bq', '>');
      await pause(80);
      const rb = pending(b, 'b', log, 'XREADGROUP', 'GROUP', 'g', 'bob', 'COUNT', '10', 'BLOCK', '0', 'STREAMS', 'bq', '>');
      await pause(80);
      await cmd(p, 'p', log, 'XADD', 'bq', '1-1', 'job', '1');
      await ra;
      await cmd(p, 'p', log, 'XADD', 'bq', '2-1', 'job', '2');
      await rb;
      await cmd(p, 'p', log, 'XPENDING', 'bq', 'g');
      await cmd(p, 'p', log, 'XINFO', 'GROUPS', 'bq');
    });
  });

  test('a blocked XREADGROUP fails when its key is deleted or its group destroyed', async () => {
    await bothServers(async (c, log) => {
      const p = await c('p');
      await cmd(p, 'p', log, 'DEL', 'bd');
      await cmd(p, 'p', log, 'XGROUP', 'CREATE', 'bd', 'g', '$', 'MKSTREAM');
      const a = await c('a');
      const ra = pending(a, 'a', log, 'XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 'bd', '>');
      await pause(100);
      await cmd(p, 'p', log, 'DEL', 'bd');
      await ra;
      await cmd(p, 'p', log, 'XGROUP', 'CREATE', 'bd', 'g', '$', 'MKSTREAM');
      const rb = pending(a, 'a', log, 'XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 'bd', '>');
      await pause(100);
      await cmd(p, 'p', log, 'XGROUP', 'DESTROY', 'bd', 'g');
      await rb;
    });
  });

  test('CLIENT UNBLOCK: TIMEOUT answers the timeout reply, ERROR the UNBLOCKED error', async () => {
    await bothServers(async (c, log) => {
      const p = await c('p');
      const a = await c('a');
      a.send('CLIENT', 'ID');
      const id = (await a.readReply()).toString('latin1').slice(1, -2);
      const r1 = pending(a, 'a', log, 'XREAD', 'BLOCK', '0', 'STREAMS', 'unb', '$');
      await pause(80);
      await cmd(p, 'p', log, 'CLIENT', 'UNBLOCK', id, 'TIMEOUT');
      await r1;
      const r2 = pending(a, 'a', log, 'XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 'unb2', '>');
      await r2; // no such group: an error at once, nothing to unblock
      await cmd(p, 'p', log, 'XGROUP', 'CREATE', 'unb3', 'g', '$', 'MKSTREAM');
      const r3 = pending(a, 'a', log, 'XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 'unb3', '>');
      await pause(80);
      await cmd(p, 'p', log, 'CLIENT', 'UNBLOCK', id, 'ERROR');
      await r3;
      await cmd(p, 'p', log, 'CLIENT', 'UNBLOCK', id);
      await cmd(p, 'p', log, 'DEL', 'unb3');
    });
  });

  test('a client that disconnects while blocked is forgotten; the next waiter is served', async () => {
    await bothServers(async (c, log) => {
      const p = await c('p');
      await cmd(p, 'p', log, 'DEL', 'bx');
      await cmd(p, 'p', log, 'XGROUP', 'CREATE', 'bx', 'g', '$', 'MKSTREAM');
      const gone = await c('gone');
      gone.send('XREADGROUP', 'GROUP', 'g', 'ghost', 'BLOCK', '0', 'STREAMS', 'bx', '>');
      await pause(80);
      const b = await c('b');
      const rb = pending(b, 'b', log, 'XREADGROUP', 'GROUP', 'g', 'bob', 'BLOCK', '0', 'STREAMS', 'bx', '>');
      await pause(80);
      gone.close();
      await pause(150);
      await cmd(p, 'p', log, 'XADD', 'bx', '1-1', 'k', 'v');
      await rb;
      await cmd(p, 'p', log, 'XINFO', 'CONSUMERS', 'bx', 'g').then(() => {
        log[log.length - 1] = log[log.length - 1]!.replace(/idle\r\n:\d+/g, 'idle\r\n:<n>');
      });
    });
  });
});

test('ioredis: blocking xread resolves when another client adds', async () => {
  const r1 = new Redis(srv.port, srv.host);
  const r2 = new Redis(srv.port, srv.host);
  const waiting = r1.xread('BLOCK', 5000, 'STREAMS', 'live', '$');
  await pause(100);
  await r2.xadd('live', '7-7', 'hello', 'world');
  assert.deepEqual(await waiting, [['live', [['7-7', ['hello', 'world']]]]]);
  r1.disconnect();
  r2.disconnect();
});
