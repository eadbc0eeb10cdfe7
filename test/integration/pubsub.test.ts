/**
 * Pub/Sub across connections: delivery order and reply shapes compared with redis-server 7.0
 * byte for byte (RESP2 and RESP3 subscribers, channels, patterns, shard channels), cleanup on
 * disconnect and RESET, CLIENT LIST / INFO counters, the pubsub class of
 * client-output-buffer-limit, propagation of PUBLISH / SPUBLISH to replicas, CLIENT PAUSE WRITE
 * holding PUBLISH, and real clients (ioredis, node-redis) subscribing.
 */

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Redis } from 'ioredis';
import { createClient } from '@redis/client';
import { startDamselfly, startRedis, type ServerProcess } from '../helpers/servers.js';
import { redisClient } from '../helpers/assertions.js';
import { RawConnection, encodeCommand } from '../helpers/raw.js';
import { startServer } from '../../src/index.js';

const sleep = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));

async function until(what: string, cond: () => Promise<boolean>, timeoutMs = 15000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for ' + what);
    await sleep(20);
  }
}

// ---------------------------------------------------------------------------------------------
// A multi-connection session run identically on both servers.

type Step = [conn: string, ...argv: string[]];

/**
 * Runs `steps` on one server. After each step the connection that sent it is pinged, and every
 * byte up to the PING's answer is recorded, so each connection's stream is complete and in a
 * deterministic order; at the end every connection is pinged once more (catching messages that
 * other connections' publishes delivered to it). Returns each connection's full stream.
 */
async function runSession(port: number, steps: Step[]): Promise<Map<string, string>> {
  const conns = new Map<string, RawConnection>();
  const streams = new Map<string, string>();
  const ping = async (name: string): Promise<void> => {
    const c = conns.get(name)!;
    c.write(encodeCommand(['PING', 'sync']));
    for (;;) {
      const r = (await c.readReply(10000)).toString('latin1');
      // PING's answer: `$4 sync` (RESP3 or unsubscribed) or `["pong", "sync"]` (RESP2 subscribed).
      if (r === '$4\r\nsync\r\n' || r === '*2\r\n$4\r\npong\r\n$4\r\nsync\r\n') return;
      streams.set(name, streams.get(name)! + r);
    }
  };
  try {
    for (const [name, ...argv] of steps) {
      if (!conns.has(name)) {
        conns.set(name, await RawConnection.connect(port));
        streams.set(name, '');
      }
      conns.get(name)!.write(encodeCommand(argv));
      await ping(name);
    }
    for (const name of conns.keys()) await ping(name);
    return streams;
  } finally {
    for (const c of conns.values()) c.close();
  }
}

function maskIds(s: string): string {
  return s.replace(/\$2\r\nid\r\n:\d+\r\n/g, '$2\r\nid\r\n:<id>\r\n');
}

describe('delivery across connections, compared with redis-server 7.0', () => {
  let redis: ServerProcess;
  let dfly: ServerProcess;

  before(async () => {
    [redis, dfly] = await Promise.all([startRedis(), startDamselfly()]);
  });

  after(async () => {
    await Promise.all([redis?.stop(), dfly?.stop()]);
  });

  async function same(steps: Step[]): Promise<void> {
    const [a, b] = await Promise.all([runSession(redis.port, steps), runSession(dfly.port, steps)]);
    for (const [name, stream] of a) {
      assert.equal(maskIds(b.get(name)!), maskIds(stream), 'connection ' + name + ' received a different stream');
    }
  }

  test('channels, patterns and shard channels; RESP2 and RESP3 subscribers; counts of receivers', async () => {
    await same([
      ['a', 'SUBSCRIBE', 'ch1'],
      ['a', 'SUBSCRIBE', 'ch2'],
      ['b', 'PSUBSCRIBE', 'ch*'],
      ['c', 'SUBSCRIBE', 'ch1'],
      ['c', 'PSUBSCRIBE', 'c?1'],
      ['d', 'HELLO', '3'],
      ['d', 'SUBSCRIBE', 'ch1'],
      ['d', 'PSUBSCRIBE', '*'],
      ['d', 'SSUBSCRIBE', 'ch1'],
      ['e', 'SSUBSCRIBE', 'ch1'],
      ['p', 'PUBLISH', 'ch1', 'one'],
      ['p', 'PUBLISH', 'ch2', 'two'],
      ['p', 'PUBLISH', 'ch3', 'three'],
      ['p', 'PUBLISH', 'other', 'four'],
      ['p', 'SPUBLISH', 'ch1', 'shard'],
      ['p', 'SPUBLISH', 'ch2', 'nobody'],
      ['p', 'PUBSUB', 'NUMSUB', 'ch1', 'ch2', 'ch3'],
      ['p', 'PUBSUB', 'SHARDNUMSUB', 'ch1'],
      ['p', 'PUBSUB', 'NUMPAT'],
      ['c', 'UNSUBSCRIBE', 'ch1'],
      ['p', 'PUBLISH', 'ch1', 'after c left ch1'],
      ['b', 'PUNSUBSCRIBE', 'ch*'],
      ['p', 'PUBLISH', 'ch1', 'after b left'],
      ['a', 'UNSUBSCRIBE', 'ch1'],
      ['a', 'SUBSCRIBE', 'ch1'],
      ['p', 'PUBLISH', 'ch1', 'a re-subscribed'],
      ['e', 'SUNSUBSCRIBE'],
      ['p', 'SPUBLISH', 'ch1', 'only d'],
      ['d', 'RESET'],
      ['p', 'PUBLISH', 'ch1', 'd was reset'],
      ['p', 'PUBSUB', 'NUMSUB', 'ch1'],
      ['p', 'PUBSUB', 'SHARDNUMSUB', 'ch1'],
    ]);
  });

  test('a client subscribed to a channel and to patterns matching it gets message then pmessage', async () => {
    await same([
      ['s', 'PSUBSCRIBE', 'news.*'],
      ['s', 'SUBSCRIBE', 'news.art'],
      ['t', 'HELLO', '3'],
      ['t', 'PSUBSCRIBE', 'news.[a-c]*'],
      ['t', 'SUBSCRIBE', 'news.art'],
      ['p', 'PUBLISH', 'news.art', 'm1'],
      ['p', 'PUBLISH', 'news.bio', 'm2'],
      ['p', 'PUBLISH', 'news.zoo', 'm3'],
      ['p', 'PUBLISH', 'news.art', ''],
      ['p', 'PUBLISH', 'news.art', 'x'.repeat(100000)],
    ]);
  });

  test('keyspace events reach RESP2 and RESP3 pattern subscribers in order', async () => {
    await same([
      ['w', 'CONFIG', 'SET', 'notify-keyspace-events', 'KEA'],
      ['s', 'PSUBSCRIBE', '__keyspace@0__:*'],
      ['t', 'HELLO', '3'],
      ['t', 'PSUBSCRIBE', '__keyevent@*__:*'],
      ['u', 'SUBSCRIBE', '__keyevent@0__:del'],
      ['w', 'SET', 'k', 'v'],
      ['w', 'LPUSH', 'l', 'a', 'b'],
      ['w', 'DEL', 'k', 'l'],
      ['w', 'CONFIG', 'SET', 'notify-keyspace-events', ''],
      ['w', 'SET', 'k', 'v'],
    ]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('subscriptions as server state', () => {
  let srv: ServerProcess;
  let r: Redis;

  before(async () => {
    srv = await startDamselfly();
    r = redisClient(srv.port);
  });

  after(async () => {
    r?.disconnect();
    await srv?.stop();
  });

  async function infoStats(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const line of (await r.info('stats')).split('\r\n')) {
      const i = line.indexOf(':');
      if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
    }
    return out;
  }

  test('CLIENT LIST sub/psub/ssub and flags, INFO counters, cleanup on disconnect', async () => {
    const sub = await RawConnection.connect(srv.port);
    try {
      sub.write(encodeCommand(['CLIENT', 'SETNAME', 'subscriber']));
      await sub.readReply();
      sub.write(encodeCommand(['SUBSCRIBE', 'a', 'b']));
      sub.write(encodeCommand(['PSUBSCRIBE', 'p*']));
      sub.write(encodeCommand(['SSUBSCRIBE', 's1', 's2', 's3']));
      for (let i = 0; i < 6; i++) await sub.readReply();
      const line = ((await r.call('CLIENT', 'LIST')) as string).split('\n').find((l) => l.includes('name=subscriber '))!;
      assert.match(line, / flags=P /);
      assert.match(line, / sub=2 psub=1 ssub=3 /);
      assert.match(line, / cmd=ssubscribe /);
      const typed = (await r.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string;
      assert.match(typed, /name=subscriber /);
      assert.doesNotMatch((await r.call('CLIENT', 'LIST', 'TYPE', 'normal')) as string, /name=subscriber /);
      const stats = await infoStats();
      assert.equal(stats['pubsub_channels'], '2');
      assert.equal(stats['pubsub_patterns'], '1');
      assert.equal(stats['pubsubshard_channels'], '3');
      assert.equal(await r.publish('a', 'x'), 1);
    } finally {
      sub.close();
    }
    await until('the subscriber to be gone', async () => (await r.pubsub('NUMSUB', 'a'))[1] === 0);
    assert.deepEqual(await r.pubsub('NUMSUB', 'a', 'b'), ['a', 0, 'b', 0]);
    assert.equal(await r.pubsub('NUMPAT'), 0);
    assert.deepEqual(await r.call('PUBSUB', 'SHARDNUMSUB', 's1'), ['s1', 0]);
    assert.equal(await r.publish('a', 'x'), 0);
    const stats = await infoStats();
    assert.equal(stats['pubsub_channels'], '0');
    assert.equal(stats['pubsub_patterns'], '0');
    assert.equal(stats['pubsubshard_channels'], '0');
  });

  test('a RESP3 subscriber runs any command; RESET leaves subscribed mode; CLIENT KILL TYPE pubsub', async () => {
    const sub = await RawConnection.connect(srv.port);
    try {
      await sub.call('HELLO', '3');
      sub.write(encodeCommand(['SUBSCRIBE', 'x']));
      assert.equal((await sub.readReply()).toString('latin1'), '>3\r\n$9\r\nsubscribe\r\n$1\r\nx\r\n:1\r\n');
      const info = await sub.call('CLIENT', 'INFO');
      assert.match(info, / flags=P .* sub=1 psub=0 ssub=0 /);
      assert.equal(await sub.call('RESET'), '+RESET\r\n');
      assert.match(await sub.call('CLIENT', 'INFO'), / flags=N .* sub=0 psub=0 ssub=0 /);
      assert.equal(await r.publish('x', 'gone'), 0);
      sub.write(encodeCommand(['SUBSCRIBE', 'y']));
      await sub.readReply();
      assert.equal(await r.call('CLIENT', 'KILL', 'TYPE', 'pubsub'), 1);
      await until('the killed subscriber to be closed', async () => sub.closed);
      assert.equal(await r.publish('y', 'gone'), 0);
    } finally {
      sub.close();
    }
  });

  test('ioredis and node-redis subscribers receive message, pmessage and smessage', async () => {
    const io = redisClient(srv.port);
    const nr = createClient({ url: 'redis://127.0.0.1:' + srv.port });
    await nr.connect();
    try {
      const got: string[] = [];
      io.on('message', (ch: string, m: string) => got.push('io message ' + ch + ' ' + m));
      io.on('pmessage', (p: string, ch: string, m: string) => got.push('io pmessage ' + p + ' ' + ch + ' ' + m));
      io.on('smessage', (ch: string, m: string) => got.push('io smessage ' + ch + ' ' + m));
      await io.subscribe('news');
      await io.psubscribe('n*');
      await io.ssubscribe('shard');
      await nr.subscribe('news', (m, ch) => got.push('nr message ' + ch + ' ' + m));
      await nr.pSubscribe('n*', (m, ch) => got.push('nr pmessage ' + ch + ' ' + m));
      assert.equal(await r.publish('news', 'hello'), 4);
      assert.equal(await r.call('SPUBLISH', 'shard', 'sh'), 1);
      await until('all messages', async () => got.length >= 5);
      assert.deepEqual(got.filter((g) => g.startsWith('io')), ['io message news hello', 'io pmessage n* news hello', 'io smessage shard sh']);
      assert.deepEqual(got.filter((g) => g.startsWith('nr')).sort(), ['nr message news hello', 'nr pmessage news hello']);
    } finally {
      io.disconnect();
      await nr.disconnect();
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('client-output-buffer-limit pubsub class', () => {
  let srv: ServerProcess;
  let r: Redis;

  before(async () => {
    srv = await startDamselfly();
    r = redisClient(srv.port);
  });

  after(async () => {
    r?.disconnect();
    await srv?.stop();
  });

  /** A subscriber that never reads: its socket is paused right after subscribing. */
  async function stalledSubscriber(channel: string): Promise<net.Socket> {
    const s = net.connect(srv.port, '127.0.0.1');
    await new Promise<void>((res) => s.once('connect', () => res()));
    s.on('error', () => {});
    s.write(encodeCommand(['SUBSCRIBE', channel]));
    await new Promise<void>((res) => s.once('data', () => res()));
    s.pause();
    return s;
  }

  const numsub = async (ch: string): Promise<number> => (await r.pubsub('NUMSUB', ch))[1] as number;

  /**
   * Publishes 256 KiB messages until fewer than `receivers` subscribers get one (the stalled one
   * was disconnected) or `maxMessages` were sent; returns how many reached everybody.
   */
  async function flood(ch: string, maxMessages: number, receivers: number, pauseMs = 0): Promise<number> {
    const payload = 'x'.repeat(256 * 1024);
    for (let i = 0; i < maxMessages; i++) {
      if ((await r.publish(ch, payload)) < receivers) return i;
      if (pauseMs > 0) await sleep(pauseMs);
    }
    return maxMessages;
  }

  test('the hard limit disconnects a subscriber that does not read; readers and publishers stay', async () => {
    assert.equal(await r.config('SET', 'client-output-buffer-limit', 'pubsub 1mb 0 0'), 'OK');
    const slow = await stalledSubscriber('hard');
    const reader = redisClient(srv.port);
    let received = 0;
    reader.on('message', () => received++);
    await reader.subscribe('hard');
    try {
      // Kernel socket buffers absorb a few MB before the server's own queue grows.
      const sent = await flood('hard', 400, 2);
      assert.ok(sent < 400, 'the stalled subscriber was never disconnected');
      await until('the slow subscriber to be dropped', async () => (await numsub('hard')) === 1);
      await until('the reader to get every message', async () => received >= sent + 1);
      assert.equal(await r.ping(), 'PONG');
    } finally {
      slow.destroy();
      reader.disconnect();
      await r.config('SET', 'client-output-buffer-limit', 'pubsub 32mb 8mb 60');
    }
  });

  test('the soft limit disconnects a subscriber over it for longer than its seconds', async () => {
    assert.equal(await r.config('SET', 'client-output-buffer-limit', 'pubsub 0 512kb 1'), 'OK');
    const slow = await stalledSubscriber('soft');
    try {
      const sent = await flood('soft', 2000, 1, 10);
      assert.ok(sent < 2000, 'the stalled subscriber was never disconnected');
      await until('the slow subscriber to be dropped', async () => (await numsub('soft')) === 0);
    } finally {
      slow.destroy();
      await r.config('SET', 'client-output-buffer-limit', 'pubsub 32mb 8mb 60');
    }
  });

  test('the pubsub class does not apply to a client that is not subscribed', async () => {
    assert.equal(await r.config('SET', 'client-output-buffer-limit', 'pubsub 1mb 0 0'), 'OK');
    const s = net.connect(srv.port, '127.0.0.1');
    await new Promise<void>((res) => s.once('connect', () => res()));
    try {
      await r.set('big', 'y'.repeat(4 * 1024 * 1024));
      let closed = false;
      s.on('close', () => (closed = true));
      let bytes = 0;
      s.on('data', (d: Buffer) => (bytes += d.length));
      s.write(encodeCommand(['GET', 'big']));
      await until('the whole value', async () => bytes >= 4 * 1024 * 1024);
      assert.equal(closed, false);
    } finally {
      s.destroy();
      await r.del('big');
      await r.config('SET', 'client-output-buffer-limit', 'pubsub 32mb 8mb 60');
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('PUBLISH and replication', () => {
  test('PUBLISH and SPUBLISH are propagated even without receivers; PUBSUB queries are not', async () => {
    const srv = await startServer({ port: 0 });
    const propagated: string[] = [];
    srv.server.propagationSinks.push((db, argv) => propagated.push(db + ' ' + argv.map((a) => a.toString('latin1')).join(' ')));
    const c = new Redis(srv.port, srv.host);
    try {
      await c.publish('ch', 'm1');
      await c.call('SPUBLISH', 'sch', 'm2');
      await c.pubsub('NUMSUB', 'ch');
      await c.subscribe('x');
      await c.unsubscribe('x');
      await c.select(2);
      await c.publish('ch', 'm3');
      await c.set('k', 'v');
      assert.deepEqual(propagated, ['0 publish ch m1', '0 SPUBLISH sch m2', '2 publish ch m3', '2 set k v']);
    } finally {
      c.disconnect();
      await srv.close();
    }
  });

  test('CLIENT PAUSE WRITE holds PUBLISH and SPUBLISH (Redis flags them may-replicate)', async () => {
    const srv = await startDamselfly();
    const r = redisClient(srv.port);
    const p = redisClient(srv.port);
    try {
      assert.equal(await r.client('PAUSE', '20000', 'WRITE'), 'OK');
      let done = 0;
      const pub = p.publish('ch', 'm').then(() => done++);
      const spub = p.call('SPUBLISH', 'ch', 'm').then(() => done++);
      assert.equal(await r.pubsub('NUMPAT'), 0, 'reads still run');
      await sleep(200);
      assert.equal(done, 0, 'PUBLISH ran during CLIENT PAUSE WRITE');
      assert.equal(await r.client('UNPAUSE'), 'OK');
      await Promise.all([pub, spub]);
      assert.equal(done, 2);
    } finally {
      r.disconnect();
      p.disconnect();
      await srv.stop();
    }
  });

  test('COMMAND INFO shows PUBLISH with Redis 7.0 flags (may_replicate stays internal)', async () => {
    const srv = await startDamselfly();
    const r = redisClient(srv.port);
    try {
      const info = (await r.command('INFO', 'publish', 'spublish')) as unknown[][];
      assert.deepEqual(info[0]![2], ['pubsub', 'loading', 'stale', 'fast']);
      assert.deepEqual(info[1]![2], ['pubsub', 'loading', 'stale', 'fast']);
    } finally {
      r.disconnect();
      await srv.stop();
    }
  });
});
