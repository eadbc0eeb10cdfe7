/**
 * MIGRATE between Damselfly and redis-server 7.0.15, both ways, and side by side:
 * - Damselfly → redis-server and redis-server → Damselfly with every type and encoding
 *   (test/interop/fill.ts), TTLs carried, values equal by DEBUG DIGEST-VALUE;
 * - one script of MIGRATE calls (errors, NOKEY, COPY/REPLACE, KEYS, AUTH/AUTH2, databases, a
 *   target that never answers, a refused port) run from a redis-server source and from a Damselfly
 *   source, into redis-server and Damselfly targets: every reply, the source data afterwards and
 *   the commandstats/errorstats must equal the redis-server → redis-server run;
 * - COMMAND GETKEYSANDFLAGS, and what a MIGRATE replicates and notifies.
 * Streams are in test/pending/migrate-streams.test.ts until DUMP payloads carry streams.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Redis } from 'ioredis';
import { startDamselfly, startRedis, type ServerProcess } from '../helpers/servers.js';
import { redisClient } from '../helpers/assertions.js';
import { fillAllEncodings } from './fill.js';
import { startServer } from '../../src/index.js';
import { NOTIFY } from '../../src/store/notify.js';

let r1: ServerProcess;
let r2: ServerProcess;
let d1: ServerProcess;
let d2: ServerProcess;
let silent: net.Server;
let silentPort = 0;
const silentSockets = new Set<net.Socket>();
let refusedPort = 0;
const clients: Redis[] = [];

function client(p: ServerProcess): Redis {
  const c = redisClient(p.port);
  clients.push(c);
  return c;
}

before(async () => {
  const dbg = ['--enable-debug-command', 'yes'];
  [r1, r2, d1, d2] = await Promise.all([startRedis(dbg), startRedis(dbg), startDamselfly(dbg), startDamselfly(dbg)]);
  // A target that accepts connections and never answers.
  silent = net.createServer((s) => {
    silentSockets.add(s);
    s.on('error', () => {});
    s.on('close', () => silentSockets.delete(s));
    s.resume(); // read and drop everything; never answer
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  silentPort = (silent.address() as net.AddressInfo).port;
  const closed = net.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  refusedPort = (closed.address() as net.AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
});

after(async () => {
  for (const c of clients) c.disconnect();
  await Promise.all([r1, r2, d1, d2].map((p) => p?.stop()));
  for (const s of silentSockets) s.destroy();
  await new Promise<void>((r) => silent.close(() => r()));
});

async function digest(c: Redis, k: string): Promise<string> {
  return ((await c.call('DEBUG', 'DIGEST-VALUE', k)) as string[])[0]!;
}

async function migrateAll(from: Redis, to: Redis, toPort: number, name: string): Promise<void> {
  const keys = await fillAllEncodings(from);
  await to.flushall();
  const want = new Map<string, string>();
  for (const k of keys) want.set(k, await digest(from, k));
  const ttl = await from.pttl('s:ttl');
  assert.equal(await from.call('MIGRATE', '127.0.0.1', String(toPort), '', '0', '20000', 'KEYS', ...keys), 'OK', name);
  assert.deepEqual(await from.keys('*'), [], name + ': source emptied');
  assert.deepEqual((await to.keys('*')).sort(), keys, name);
  for (const k of keys) assert.equal(await digest(to, k), want.get(k), name + ': ' + k);
  const ttl2 = await to.pttl('s:ttl');
  assert.ok(ttl2 > ttl - 60000 && ttl2 <= ttl, name + ': TTL carried (' + ttl + ' → ' + ttl2 + ')');
  assert.equal(await to.pttl('s:raw'), -1, name);
  // The key of db 5 goes to another database of the target.
  await from.select(5);
  assert.equal(await from.call('MIGRATE', '127.0.0.1', String(toPort), 'db5', '9', '5000'), 'OK', name);
  await from.select(0);
  await to.select(9);
  assert.equal(await to.get('db5'), 'x', name);
  await to.select(0);
}

test('Damselfly → redis-server and redis-server → Damselfly: every type and encoding, TTLs', async () => {
  const rc = client(r1);
  const dc = client(d1);
  await migrateAll(dc, rc, r1.port, 'Damselfly → redis-server');
  await migrateAll(rc, dc, d1.port, 'redis-server → Damselfly');
});

/** One MIGRATE script; returns every reply (errors as '-text') and the source's data after it. */
async function script(src: Redis, tgt: Redis, tgtPort: number): Promise<string[]> {
  await src.flushall();
  await tgt.flushall();
  await src.config('RESETSTAT');
  const out: string[] = [];
  const T = String(tgtPort);
  const run = async (...args: string[]): Promise<void> => {
    try {
      out.push(String(await src.call(args[0]!, ...args.slice(1))));
    } catch (e) {
      out.push('-' + (e as Error).message);
    }
  };
  const m = (...args: string[]): Promise<void> => run('MIGRATE', ...args);
  await run('SET', 'foo', 'bar');
  await m('127.0.0.1', T, 'foo', '0', '1000', 'bogus');
  await m('127.0.0.1', T, 'foo', 'x', '1000');
  await m('127.0.0.1', T, 'foo', '0', 'x');
  await m('127.0.0.1', T, 'foo', '0', '1000', 'AUTH');
  await m('127.0.0.1', T, 'foo', '0', '1000', 'AUTH2', 'u');
  await m('127.0.0.1', T, 'foo', '0', '1000', 'KEYS', 'a');
  await m('127.0.0.1', T, 'foo', '0');
  await m('127.0.0.1', T, '', '0', '1000', 'KEYS');
  await m('127.0.0.1', T, 'nokey', '0', '1000');
  await m('127.0.0.1', String(refusedPort), 'foo', '0', '1000');
  await m('127.0.0.1', '-5', 'foo', '0', '1000');
  await m('', T, 'foo', '0', '1000');
  await m('nonexistent.invalid', T, 'foo', '0', '1000');
  await m('127.0.0.1', String(silentPort), 'foo', '0', '300');
  await run('GET', 'foo');
  // A fresh connection has no db: -1 sends no SELECT, the key lands in the target's db 0.
  await m('127.0.0.1', T, 'foo', '-1', '1000');
  await run('EXISTS', 'foo');
  out.push(String(await tgt.get('foo')));
  await run('SET', 'foo', 'bar2');
  await m('127.0.0.1', T, 'foo', '0', '1000');
  await m('127.0.0.1', T, 'foo', '0', '1000', 'copy', 'replace');
  out.push(String(await tgt.get('foo')));
  await m('127.0.0.1', T, 'foo', '0', '1000', 'AUTH', 'pw');
  await m('127.0.0.1', T, 'foo', '0', '1000', 'AUTH2', 'u', 'pw');
  await run('MSET', 'a', '1', 'b', '2', 'c', '3');
  await run('PEXPIRE', 'a', '100000');
  await m('127.0.0.1', T, '', '3', '1000', 'KEYS', 'a', 'nope', 'foo', 'b');
  await m('127.0.0.1', T, '', '3', '1000', 'KEYS', 'nope');
  await m('127.0.0.1', T, '', '3', '0', 'REPLACE', 'KEYS', 'foo', 'c', 'c');
  await m('127.0.0.1', T, 'c', '99', '1000');
  await run('SET', 'x', '1');
  await m('127.0.0.1', T, 'x', '5', '1000', 'AUTH2', 'default', '');
  await m('localhost', T, 'x', '5', '1000', 'COPY', 'COPY');
  await m('localhost', T, 'x', '5', '1000', 'copy', 'REPLACE');
  out.push(String(await tgt.select(3)), String(await tgt.pttl('a') > 90000), String(await tgt.get('b')));
  await tgt.select(0);
  out.push(JSON.stringify((await src.keys('*')).sort()));
  const stats = await src.info('commandstats');
  out.push(/cmdstat_migrate:calls=(\d+),usec=\d+,usec_per_call=[\d.]+,rejected_calls=(\d+),failed_calls=(\d+)/.exec(stats)!.slice(1).join(' '));
  out.push((await src.info('errorstats')).split('\r\n').filter((l) => l.startsWith('errorstat_')).sort().join(' '));
  return out;
}

test('the same MIGRATE script gives the same replies from redis-server and Damselfly, into either', async () => {
  const [rc1, rc2, dc1, dc2] = [client(r1), client(r2), client(d1), client(d2)];
  const want = await script(rc1, rc2, r2.port);
  // Sanity: the script exercises what it claims to.
  assert.ok(want.includes('-IOERR error or timeout reading to target instance'), want.join('\n'));
  assert.ok(want.includes('-IOERR error or timeout writing to target instance'));
  assert.ok(want.includes('-IOERR error or timeout connecting to the client'));
  assert.ok(want.includes('-ERR Target instance replied with error: BUSYKEY Target key name already exists.'));
  assert.ok(want.includes('NOKEY'));
  for (const [name, src, tgt, port] of [
    ['Damselfly → redis-server', dc1, rc2, r2.port],
    ['Damselfly → Damselfly', dc1, dc2, d2.port],
    ['redis-server → Damselfly', rc1, dc2, d2.port],
  ] as const) {
    // Each source/target pair runs once, so no pair starts with a cached connection.
    const got = await script(src, tgt, port);
    assert.deepEqual(got, want, name);
  }
});

test('COMMAND GETKEYSANDFLAGS matches redis-server', async () => {
  const rc = client(r1);
  const dc = client(d1);
  const cases = [
    ['h', 'p', 'k', '0', '5'],
    ['h', 'p', '', '0', '5'],
    ['h', 'p', '', '0', '5', 'KEYS', 'a', 'b'],
    ['h', 'p', 'k', '0', '5', 'KEYS', 'a', 'b'],
    ['h', 'p', 'k', '0', '5', 'KEYS'],
    ['h', 'p', '', '0', '5', 'KEYS'],
    ['h', 'p', '', '0', '5', 'AUTH', 'keys', 'KEYS', 'a'],
    ['h', 'p', '', '0', '5', 'AUTH2', 'keys', 'keys', 'KEYS', 'a', 'b'],
    ['h', 'p', '', '0', '5', 'AUTH', 'keys'],
    ['h', 'p', '', '0', '5', 'bogus', 'KEYS', 'a'],
    ['h', 'p', '', '0', '5', 'KEYS', 'a', 'KEYS'],
    ['h', 'p', '', '0', '5', 'copy', 'keys', 'keys'],
  ];
  const ask = async (c: Redis, args: string[]): Promise<unknown> => {
    try {
      return await c.call('COMMAND', 'GETKEYSANDFLAGS', 'MIGRATE', ...args);
    } catch (e) {
      return '-' + (e as Error).message;
    }
  };
  for (const args of cases) assert.deepEqual(await ask(dc, args), await ask(rc, args), args.join(' '));
  assert.deepEqual(await dc.call('COMMAND', 'INFO', 'MIGRATE'), await rc.call('COMMAND', 'INFO', 'MIGRATE'));
});

/** Reads a primary's replication stream: PSYNC handshake, RDB skipped, then commands. */
class ReplicaReader {
  readonly commands: string[][] = [];
  private buf = Buffer.alloc(0);
  private synced = false;
  private readonly sock: net.Socket;

  constructor(port: number) {
    this.sock = net.connect(port, '127.0.0.1');
    const steps = ['PING\r\n', 'REPLCONF capa psync2\r\n', 'PSYNC ? -1\r\n'];
    let replies = 0;
    this.sock.on('connect', () => this.sock.write(steps[0]!));
    this.sock.on('error', () => {});
    this.sock.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      // One handshake step per reply: Redis refuses PSYNC while earlier replies are queued.
      while (replies < 2) {
        const nl = this.buf.indexOf('\r\n');
        if (nl < 0) return;
        this.buf = this.buf.subarray(nl + 2);
        this.sock.write(steps[++replies]!);
      }
      this.parse();
    });
  }

  get ready(): boolean {
    return this.synced;
  }

  private parse(): void {
    if (!this.synced) {
      const fr = this.buf.indexOf('+FULLRESYNC');
      if (fr < 0) return;
      let p = this.buf.indexOf('\r\n', fr) + 2;
      while (p < this.buf.length && this.buf[p] === 0x0a) p++;
      const nl = this.buf.indexOf('\r\n', p);
      if (nl < 0 || this.buf[p] !== 0x24) return;
      const n = Number(this.buf.toString('latin1', p + 1, nl));
      if (this.buf.length < nl + 2 + n) return;
      this.buf = this.buf.subarray(nl + 2 + n);
      this.synced = true;
    }
    for (;;) {
      if (this.buf.length === 0 || this.buf[0] !== 0x2a) return;
      const nl = this.buf.indexOf('\r\n');
      if (nl < 0) return;
      const n = Number(this.buf.toString('latin1', 1, nl));
      let p = nl + 2;
      const argv: string[] = [];
      for (let i = 0; i < n; i++) {
        const e = this.buf.indexOf('\r\n', p);
        if (e < 0) return;
        const len = Number(this.buf.toString('latin1', p + 1, e));
        if (this.buf.length < e + 2 + len + 2) return;
        argv.push(this.buf.toString('latin1', e + 2, e + 2 + len));
        p = e + 2 + len + 2;
      }
      this.buf = this.buf.subarray(p);
      this.commands.push(argv);
    }
  }

  close(): void {
    this.sock.destroy();
  }
}

test('what MIGRATE replicates and notifies matches redis-server', async () => {
  // The same commands on both: a MIGRATE where one key is refused, then one with COPY.
  const scenario = async (src: Redis, srcPort: number): Promise<void> => {
    const tgt = client(r2);
    await tgt.flushall();
    await src.select(2);
    await src.mset('a', '1', 'busy', '2', 'c', '3');
    await tgt.set('busy', 'x');
    await src.call('MIGRATE', '127.0.0.1', String(r2.port), '', '0', '5000', 'KEYS', 'a', 'nope', 'busy', 'c').catch(() => null);
    await src.call('MIGRATE', '127.0.0.1', String(r2.port), 'busy', '0', '5000', 'COPY', 'REPLACE');
    await src.set('zz-end', '1');
    await src.select(0);
    assert.ok(srcPort > 0);
  };

  // redis-server: its replication stream (SELECT tracked into "db command") and keyevents.
  const rc = client(r1);
  await rc.flushall();
  await rc.config('SET', 'notify-keyspace-events', 'KEA');
  const sub = new Redis({ port: r1.port, host: '127.0.0.1' });
  const redisEvents: string[] = [];
  sub.on('pmessage', (_p: string, ch: string, key: string) => redisEvents.push(ch.slice(ch.indexOf('@') + 1, ch.indexOf('_', ch.indexOf('@'))) + ' ' + ch.slice(ch.indexOf(':') + 1) + ' ' + key));
  await sub.psubscribe('__keyevent@*__:*');
  const replica = new ReplicaReader(r1.port);
  for (let i = 0; i < 200 && !replica.ready; i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(replica.ready, 'replica synced');
  await scenario(rc, r1.port);
  for (let i = 0; i < 200 && !replica.commands.some((c) => c[1] === 'zz-end'); i++) await new Promise((r) => setTimeout(r, 25));
  for (let i = 0; i < 200 && !redisEvents.some((e) => e.endsWith('set zz-end')); i++) await new Promise((r) => setTimeout(r, 25));
  replica.close();
  sub.disconnect();
  const redisRepl: string[] = [];
  let db = 0;
  for (const c of replica.commands) {
    const name = c[0]!.toUpperCase();
    if (name === 'SELECT') db = Number(c[1]);
    else if (name !== 'PING' && name !== 'REPLCONF') redisRepl.push(db + ' ' + c.join(' '));
  }
  assert.ok(redisRepl.some((c) => c.includes('DEL')), JSON.stringify(redisRepl));

  // Damselfly (embedded): what it hands to replication, and its notifications.
  const emb = await startServer();
  try {
    const dflyRepl: string[] = [];
    const dflyEvents: string[] = [];
    emb.server.propagationSinks.push((dbi, argv) => dflyRepl.push(dbi + ' ' + argv.map((a) => a.toString('latin1')).join(' ')));
    emb.server.notifyHook = (type, event, key, dbi) => {
      if (type !== NOTIFY.KEY_MISS) dflyEvents.push(dbi + ' ' + event + ' ' + key.toString('latin1'));
    };
    const dc = redisClient(emb.port, emb.host);
    clients.push(dc);
    await scenario(dc, emb.port);
    assert.deepEqual(dflyRepl, redisRepl);
    assert.deepEqual(dflyEvents, redisEvents);
  } finally {
    await emb.close();
  }
});
