/**
 * What stream commands replicate and which keyspace events they fire, compared with a live
 * redis-server 7.0: the same commands go to Redis (observed through a replica connection that
 * performs the PSYNC handshake, and a PSUBSCRIBE to keyevent channels) and to an embedded
 * Damselfly (observed through server.propagationSinks and server.notifyHook).
 *
 * Normalisations: TIME arguments of the XCLAIM effects (wall clock) are masked. A command with
 * several effects is wrapped in MULTI/EXEC on both sides (Damselfly's Server does the wrapping
 * for every propagation sink).
 */

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../../src/index.js';
import { NOTIFY } from '../../src/store/notify.js';
import { startRedis, type ServerProcess } from '../helpers/servers.js';

/** A minimal replica: handshake, skip the RDB payload, then collect the command stream. */
class FakeReplica {
  readonly commands: string[][] = [];
  private buf = Buffer.alloc(0);
  private stage = 0;
  private readonly sock: net.Socket;

  constructor(port: number) {
    this.sock = net.connect(port, '127.0.0.1');
    // One command per round trip: Redis refuses PSYNC while earlier replies are still queued.
    const steps = ['PING\r\n', 'REPLCONF capa psync2\r\n', 'PSYNC ? -1\r\n'];
    let next = 0;
    const send = (): void => {
      if (next < steps.length) this.sock.write(steps[next++]!);
    };
    this.sock.on('connect', send);
    this.sock.on('data', (d) => {
      if (this.stage === 0 && next < steps.length) {
        send();
        if (next < steps.length) return;
      }
      this.buf = Buffer.concat([this.buf, d]);
      this.parse();
    });
    this.sock.on('error', () => {});
  }

  private parse(): void {
    for (;;) {
      if (this.stage === 0) {
        const i = this.buf.indexOf('+FULLRESYNC');
        if (i < 0) return;
        const nl = this.buf.indexOf('\r\n', i);
        if (nl < 0) return;
        this.buf = this.buf.subarray(nl + 2);
        this.stage = 1;
      } else if (this.stage === 1) {
        while (this.buf.length > 0 && this.buf[0] === 0x0a) this.buf = this.buf.subarray(1);
        const nl = this.buf.indexOf('\r\n');
        if (nl < 0) return;
        const header = this.buf.toString('latin1', 1, nl);
        if (header.startsWith('EOF:')) {
          // Diskless transfer: the payload ends with the 40-byte marker.
          const mark = this.buf.subarray(5, nl);
          const end = this.buf.indexOf(mark, nl + 2);
          if (end < 0) return;
          this.buf = this.buf.subarray(end + mark.length);
        } else {
          const n = Number(header);
          if (this.buf.length < nl + 2 + n) return;
          this.buf = this.buf.subarray(nl + 2 + n);
        }
        this.stage = 2;
      } else {
        if (this.buf.length === 0) return;
        if (this.buf[0] !== 0x2a) {
          this.buf = this.buf.subarray(1);
          continue;
        }
        const nl = this.buf.indexOf('\r\n');
        if (nl < 0) return;
        const n = Number(this.buf.toString('latin1', 1, nl));
        let p = nl + 2;
        const args: string[] = [];
        for (let k = 0; k < n; k++) {
          const e = this.buf.indexOf('\r\n', p);
          if (e < 0) return;
          const len = Number(this.buf.toString('latin1', p + 1, e));
          if (this.buf.length < e + 2 + len + 2) return;
          args.push(this.buf.toString('latin1', e + 2, e + 2 + len));
          p = e + 2 + len + 2;
        }
        this.buf = this.buf.subarray(p);
        this.commands.push(args);
      }
    }
  }

  get synced(): boolean {
    return this.stage === 2;
  }

  close(): void {
    this.sock.destroy();
  }
}

const SCRIPT: string[][] = [
  ['XADD', 'p', '*', 'a', '1'],
  ['XADD', 'p2', '5-*', 'a', '1'],
  ['XADD', 'p2', '5-*', 'a', '2'],
  ['XADD', 'p2', '4-1', 'a', '2'],
  ['XADD', 'p2', 'NOMKSTREAM', '6-1', 'a', '3'],
  ['XADD', 'nope', 'NOMKSTREAM', '6-1', 'a', '3'],
  ['DEL', 'p'],
  ...Array.from({ length: 25 }, (_, i) => ['XADD', 't', i + 1 + '-1', 'a', String(i)]),
  ['XADD', 't', 'MAXLEN', '~', '3', '30-1', 'a', 'b'],
  ['XTRIM', 't', 'MAXLEN', '~', '2'],
  ['XTRIM', 't', 'MINID', '~', '22', 'LIMIT', '100'],
  ['XADD', 't', 'MINID', '~', '29', 'LIMIT', '100', '31-1', 'x', 'y'],
  ['XADD', 't', 'MAXLEN', '=', '3', '32-1', 'x', 'y'],
  ['XTRIM', 't', 'MAXLEN', '1'],
  ['XTRIM', 't', 'MAXLEN', '1'],
  ['XDEL', 't', '32-1', '99-1'],
  ['XDEL', 't', '99-1'],
  ['XSETID', 't', '50-0', 'ENTRIESADDED', '40'],
  ['XGROUP', 'CREATE', 'g1', 'grp', '0', 'MKSTREAM'],
  ['XGROUP', 'CREATE', 'g1', 'grp', '0'],
  ['XGROUP', 'CREATECONSUMER', 'g1', 'grp', 'cc'],
  ['XGROUP', 'CREATECONSUMER', 'g1', 'grp', 'cc'],
  ['XREADGROUP', 'GROUP', 'grp', 'newc', 'STREAMS', 'g1', '>'],
  ['XADD', 'g1', '1-1', 'a', '1'],
  ['XADD', 'g1', '2-1', 'a', '1'],
  ['XADD', 'g1', '3-1', 'a', '1'],
  ['XADD', 'g1', '4-1', 'a', '1'],
  ['XREADGROUP', 'GROUP', 'grp', 'c1', 'COUNT', '1', 'STREAMS', 'g1', '>'],
  ['XREADGROUP', 'GROUP', 'grp', 'c1', 'NOACK', 'COUNT', '1', 'STREAMS', 'g1', '>'],
  ['XREADGROUP', 'GROUP', 'grp', 'c1', 'STREAMS', 'g1', '0'],
  ['XCLAIM', 'g1', 'grp', 'c2', '0', '1-1'],
  ['XREADGROUP', 'GROUP', 'grp', 'c1', 'STREAMS', 'g1', '>'],
  ['XDEL', 'g1', '3-1'],
  ['XAUTOCLAIM', 'g1', 'grp', 'c3', '0', '0'],
  ['XACK', 'g1', 'grp', '1-1', '9-9'],
  ['XACK', 'g1', 'grp', '9-9'],
  ['XCLAIM', 'g1', 'grp', 'c3', '0', '4-1', 'IDLE', '5', 'JUSTID'],
  ['XCLAIM', 'g1', 'grp', 'c3', '0', '4', 'RETRYCOUNT', '7', 'LASTID', '9-9'],
  ['XCLAIM', 'g1', 'grp', 'c3', '0', '1-1', 'LASTID', '10-0'],
  ['XCLAIM', 'g1', 'grp', 'c4', '0', '2-1', 'FORCE'],
  ['XCLAIM', 'g1', 'grp', 'c4', '0', '3-1', 'FORCE'],
  ['XAUTOCLAIM', 'g1', 'grp', 'c5', '0', '0', 'JUSTID'],
  ['XGROUP', 'SETID', 'g1', 'grp', '0'],
  ['XGROUP', 'SETID', 'g1', 'grp', '$', 'ENTRIESREAD', '3'],
  ['XGROUP', 'DELCONSUMER', 'g1', 'grp', 'c1'],
  ['XGROUP', 'DELCONSUMER', 'g1', 'grp', 'nobody'],
  ['XGROUP', 'CREATE', 'g1', 'grp2', '$', 'ENTRIESREAD', '3'],
  ['XGROUP', 'DESTROY', 'g1', 'grp'],
  ['XGROUP', 'DESTROY', 'g1', 'grp'],
  ['XREAD', 'STREAMS', 'g1', '0'],
  ['XRANGE', 'g1', '-', '+'],
  ['SET', 'zz-end', '1'],
];

/** Stable form of a propagated command: TIME values and generated IDs masked. */
function norm(argv: string[]): string {
  const out = argv.slice();
  for (let i = 0; i + 1 < out.length; i++) if (out[i] === 'TIME' && out[0] === 'XCLAIM') out[i + 1] = '<t>';
  return out.map((a) => (/^\d{13}-\d+$/.test(a) ? '<generated-id>' : a)).join(' ');
}

let redis: ServerProcess;
let dfly: RunningServer;

before(async () => {
  redis = await startRedis();
  dfly = await startServer();
});

after(async () => {
  await redis.stop();
  await dfly.close();
});

test('replicated form and keyspace events of stream commands match redis-server 7.0', async () => {
  // Redis side: replica stream and keyevents.
  const rc = new Redis(redis.port, '127.0.0.1');
  await rc.config('SET', 'notify-keyspace-events', 'KEA');
  const sub = new Redis(redis.port, '127.0.0.1');
  const redisEvents: string[] = [];
  sub.on('pmessage', (_p: string, channel: string, key: string) => redisEvents.push(channel.slice(channel.indexOf(':') + 1) + ' ' + key));
  await sub.psubscribe('__keyevent@0__:*');
  const replica = new FakeReplica(redis.port);
  for (let i = 0; i < 200 && !replica.synced; i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(replica.synced, 'the fake replica completed its full sync');

  // Damselfly side: propagation sink and notification hook.
  const dflyProp: string[][] = [];
  const dflyEvents: string[] = [];
  dfly.server.propagationSinks.push((_db, argv) => dflyProp.push(argv.map((a) => a.toString('latin1'))));
  dfly.server.notifyHook = (type, event, key) => {
    if (type !== NOTIFY.KEY_MISS) dflyEvents.push(event + ' ' + key.toString('latin1'));
  };
  const dc = new Redis(dfly.port, dfly.host);

  const redisReplies: unknown[] = [];
  const dflyReplies: unknown[] = [];
  for (const argv of SCRIPT) {
    redisReplies.push(await rc.call(argv[0]!, ...argv.slice(1)).catch((e: Error) => 'ERR: ' + e.message));
    dflyReplies.push(await dc.call(argv[0]!, ...argv.slice(1)).catch((e: Error) => 'ERR: ' + e.message));
  }
  // A blocked XREADGROUP served by a later XADD propagates the XADD, then the XCLAIM effect.
  for (const [port, host, replies] of [
    [redis.port, '127.0.0.1', redisReplies],
    [dfly.port, dfly.host, dflyReplies],
  ] as const) {
    const blocked = new Redis(port, host);
    const producer = new Redis(port, host);
    await producer.call('XGROUP', 'CREATE', 'bl', 'g', '$', 'MKSTREAM');
    const waiting = blocked.call('XREADGROUP', 'GROUP', 'g', 'w', 'BLOCK', '0', 'STREAMS', 'bl', '>');
    await new Promise((r) => setTimeout(r, 100));
    await producer.call('XADD', 'bl', '1-1', 'k', 'v');
    replies.push(await waiting);
    await producer.call('SET', 'zz-end', '1');
    blocked.disconnect();
    producer.disconnect();
  }
  for (let i = 0; i < 200 && replica.commands.filter((c) => c[1] === 'zz-end').length < 2; i++) await new Promise((r) => setTimeout(r, 25));
  for (let i = 0; i < 200 && redisEvents.filter((e) => e === 'set zz-end').length < 2; i++) await new Promise((r) => setTimeout(r, 25));

  const skip = new Set(['SELECT', 'PING', 'REPLCONF']);
  const fromRedis = replica.commands.filter((c) => !skip.has(c[0]!.toUpperCase())).map(norm);
  const fromDfly = dflyProp.map(norm);
  assert.deepEqual(fromDfly, fromRedis);
  assert.deepEqual(dflyEvents, redisEvents);
  // Replies other than generated IDs and times must agree too.
  const clean = (v: unknown): string => JSON.stringify(v).replace(/\d{13}/g, '<t>');
  assert.equal(clean(dflyReplies), clean(redisReplies));

  replica.close();
  rc.disconnect();
  sub.disconnect();
  dc.disconnect();
});
