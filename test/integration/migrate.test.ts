/**
 * MIGRATE from a spawned Damselfly: into another Damselfly (every type, TTLs, COPY/REPLACE, the
 * KEYS form, AUTH/AUTH2, errors) and into scripted targets written here, which record what
 * MIGRATE sends and answer (or do not) as a test needs: the exact pipeline (AUTH, SELECT only
 * when the database changes, RESTORE key ttl payload [REPLACE]), timeouts, the connection cache,
 * the retry on a connection the target dropped, and writes made while a transfer is in flight.
 * Side-by-side comparison with redis-server 7.0 is in test/interop/migrate-redis.test.ts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Redis } from 'ioredis';
import { startDamselfly, type ServerProcess } from '../helpers/servers.js';
import { redisClient, err, withRaw } from '../helpers/assertions.js';
import { replyEnd } from '../helpers/raw.js';
import { startServer, type RunningServer } from '../../src/index.js';
import { NOTIFY } from '../../src/store/notify.js';

let src: ServerProcess;
let dst: ServerProcess;
let s: Redis;
let d: Redis;

before(async () => {
  [src, dst] = await Promise.all([startDamselfly(['--enable-debug-command', 'yes']), startDamselfly(['--enable-debug-command', 'yes'])]);
  s = redisClient(src.port);
  d = redisClient(dst.port);
});

after(async () => {
  s?.disconnect();
  d?.disconnect();
  await Promise.all([src?.stop(), dst?.stop()]);
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function digest(c: Redis, k: string): Promise<string> {
  return ((await c.call('DEBUG', 'DIGEST-VALUE', k)) as string[])[0]!;
}

function migrate(c: Redis, port: number, key: string, db: number, timeout: number, ...opts: string[]): Promise<unknown> {
  return c.call('MIGRATE', '127.0.0.1', String(port), key, String(db), String(timeout), ...opts);
}

async function infoField(c: Redis, section: string, field: string): Promise<string> {
  const m = new RegExp('^' + field + ':(.*)\\r?$', 'm').exec(await c.info(section));
  assert.ok(m !== null, field + ' missing from INFO ' + section);
  return m[1]!.trim();
}

/**
 * A scripted target: parses the commands each connection sends and answers each with what
 * `answer` returns (a reply line without CRLF), or nothing when it returns null.
 */
class FakeTarget {
  readonly server: net.Server;
  port = 0;
  connections = 0;
  readonly sockets = new Set<net.Socket>();
  /** Commands received, per connection (argv as latin1 text; RESTORE payloads as received). */
  readonly received: string[][][] = [];
  readonly payloads: Buffer[] = [];
  answer: (argv: string[], conn: number, sock: net.Socket) => string | null = () => '+OK';

  constructor() {
    this.server = net.createServer((sock) => {
      const conn = this.connections++;
      this.sockets.add(sock);
      this.received.push([]);
      sock.on('close', () => this.sockets.delete(sock));
      sock.on('error', () => {});
      let buf = Buffer.alloc(0);
      sock.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        for (;;) {
          const end = replyEnd(buf, 0);
          if (end < 0) return;
          const argv = parseMultibulk(buf.subarray(0, end));
          buf = buf.subarray(end);
          if (argv[0]!.toString('latin1').toUpperCase() === 'RESTORE') this.payloads.push(Buffer.from(argv[3]!));
          const text = argv.map((a) => a.toString('latin1'));
          this.received[conn]!.push(text);
          const line = this.answer(text, conn, sock);
          if (line !== null && !sock.destroyed) sock.write(line + '\r\n');
        }
      });
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  /** Every command received, over all connections, with the payload argument masked. */
  commands(): string[] {
    return this.received.flat().map((a) => (a[0]!.toUpperCase() === 'RESTORE' ? [a[0], a[1], a[2] === '0' ? '0' : 'ttl', '<payload>', ...a.slice(4)] : a).join(' '));
  }

  reset(): void {
    for (const c of this.received) c.length = 0;
    this.payloads.length = 0;
  }

  async close(): Promise<void> {
    for (const sock of this.sockets) sock.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

function parseMultibulk(b: Buffer): Buffer[] {
  const nl = b.indexOf('\r\n');
  const n = Number(b.toString('latin1', 1, nl));
  const out: Buffer[] = [];
  let p = nl + 2;
  for (let i = 0; i < n; i++) {
    const e = b.indexOf('\r\n', p);
    const len = Number(b.toString('latin1', p + 1, e));
    out.push(b.subarray(e + 2, e + 2 + len));
    p = e + 2 + len + 2;
  }
  return out;
}

test('a key moves with its TTL; the source copy is deleted', async () => {
  await s.flushall();
  await d.flushall();
  await s.set('k', 'v', 'PX', 100000);
  await s.set('persist', 'p');
  assert.equal(await migrate(s, dst.port, 'k', 0, 5000), 'OK');
  assert.equal(await s.exists('k'), 0);
  assert.equal(await d.get('k'), 'v');
  const pttl = await d.pttl('k');
  assert.ok(pttl > 90000 && pttl <= 100000, 'TTL carried: ' + pttl);
  assert.equal(await migrate(s, dst.port, 'persist', 0, 5000), 'OK');
  assert.equal(await d.pttl('persist'), -1);
  assert.equal(await migrate(s, dst.port, 'persist', 0, 5000), 'NOKEY');
});

test('every type arrives with the same digest (streams: test/pending/migrate-streams.test.ts)', async () => {
  await s.flushall();
  await d.flushall();
  await s.set('s:raw', 'hello world');
  await s.set('s:int', '-123456');
  await s.set('s:big', 'x'.repeat(200000));
  await s.set('s:bin', Buffer.from([0, 255, 13, 10, 128]));
  await s.rpush('l:small', 'a', '1', '', '-5');
  await s.rpush('l:big', ...Array.from({ length: 5000 }, (_v, i) => 'element-' + i));
  await s.sadd('set:int', 5, -3, 70000);
  await s.sadd('set:str', 'apple', 'banana');
  await s.zadd('z:lp', 1, 'a', 2.5, 'b', '-inf', 'c');
  await s.zadd('z:big', ...Array.from({ length: 300 }, (_v, i) => [i * 0.5, 'z' + i]).flat());
  await s.hset('h:lp', 'f1', 'v1', 'num', '12345');
  await s.hset('h:big', ...Array.from({ length: 600 }, (_v, i) => ['f' + i, String(i)]).flat());
  await s.pexpire('h:lp', 500000);
  const keys = (await s.keys('*')).sort();
  const want = new Map<string, string>();
  for (const k of keys) want.set(k, await digest(s, k));
  assert.equal(await migrate(s, dst.port, '', 0, 10000, 'KEYS', ...keys), 'OK');
  assert.deepEqual(await s.keys('*'), []);
  assert.deepEqual((await d.keys('*')).sort(), keys);
  for (const k of keys) assert.equal(await digest(d, k), want.get(k), 'same value after MIGRATE: ' + k);
  const ttl = await d.pttl('h:lp');
  assert.ok(ttl > 400000 && ttl <= 500000, 'TTL carried: ' + ttl);
});

test('COPY, REPLACE, BUSYKEY and the KEYS form with missing keys', async () => {
  await s.flushall();
  await d.flushall();
  await s.mset('a', '1', 'b', '2', 'c', '3');
  await d.set('b', 'old');
  assert.equal(await migrate(s, dst.port, 'a', 0, 5000, 'COPY'), 'OK');
  assert.equal(await s.get('a'), '1');
  assert.equal(await d.get('a'), '1');
  // c is accepted; b and a (copied above) exist on the target: refused, kept here. The reply
  // names the first refusal.
  assert.equal(await err(migrate(s, dst.port, '', 0, 5000, 'KEYS', 'c', 'nope', 'b', 'a')), 'ERR Target instance replied with error: BUSYKEY Target key name already exists.');
  assert.equal(await s.exists('c'), 0, 'c was accepted: deleted here');
  assert.equal(await s.exists('a', 'b'), 2, 'refused keys stay');
  assert.equal(await d.get('b'), 'old');
  assert.equal(await migrate(s, dst.port, '', 0, 5000, 'COPY', 'REPLACE', 'KEYS', 'b', 'a'), 'OK');
  assert.equal(await d.get('b'), '2');
  assert.equal(await s.exists('a', 'b'), 2);
  assert.equal(await migrate(s, dst.port, '', 0, 5000, 'replace', 'keys', 'a', 'b', 'nope'), 'OK');
  assert.equal(await s.exists('a', 'b'), 0);
  assert.equal(await migrate(s, dst.port, '', 0, 5000, 'KEYS', 'nope', 'nope2'), 'NOKEY');
  assert.equal(await migrate(s, dst.port, '', 0, 5000, 'KEYS'), 'NOKEY');
});

test('argument errors, in Redis order, leave the keys alone', async () => {
  await s.flushall();
  await s.set('k', 'v');
  const e = (p: Promise<unknown>): Promise<string> => err(p);
  assert.equal(await e(migrate(s, dst.port, 'k', 0, 1000, 'bogus')), 'ERR syntax error');
  assert.equal(await e(migrate(s, dst.port, 'k', 0, 1000, 'AUTH')), 'ERR syntax error');
  assert.equal(await e(migrate(s, dst.port, 'k', 0, 1000, 'AUTH2', 'u')), 'ERR syntax error');
  assert.equal(await e(migrate(s, dst.port, 'k', 0, 1000, 'KEYS', 'k')), 'ERR When using MIGRATE KEYS option, the key argument must be set to the empty string');
  // Options are checked before the numbers.
  assert.equal(await e(s.call('MIGRATE', '127.0.0.1', String(dst.port), 'k', 'x', 'y', 'bogus')), 'ERR syntax error');
  assert.equal(await e(s.call('MIGRATE', '127.0.0.1', String(dst.port), 'k', 'x', '1000')), 'ERR value is not an integer or out of range');
  assert.equal(await e(s.call('MIGRATE', '127.0.0.1', String(dst.port), 'k', '0', '1.5')), 'ERR value is not an integer or out of range');
  assert.equal(await e(s.call('MIGRATE', '127.0.0.1', String(dst.port), 'k', '0')), "ERR wrong number of arguments for 'migrate' command");
  assert.equal(await s.get('k'), 'v');
  // Rejected by arity: not a call; the others are failed calls.
  const m = /cmdstat_migrate:calls=(\d+),.*rejected_calls=(\d+),failed_calls=(\d+)/.exec(await s.info('commandstats'))!;
  assert.ok(Number(m[3]) >= 7 && Number(m[2]) >= 1, m[0]);
});

test('AUTH and AUTH2 reach the target; its errors are relayed', async () => {
  const t = await startDamselfly(['--requirepass', 'sekret']);
  const tc = new Redis({ port: t.port, host: '127.0.0.1', password: 'sekret', lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await s.flushall();
    await s.set('k', 'v');
    assert.equal(await err(migrate(s, t.port, 'k', 0, 5000)), 'ERR Target instance replied with error: NOAUTH Authentication required.');
    assert.equal(await err(migrate(s, t.port, 'k', 0, 5000, 'AUTH', 'bad')), 'ERR Target instance replied with error: WRONGPASS invalid username-password pair or user is disabled.');
    assert.equal(await err(migrate(s, t.port, 'k', 0, 5000, 'AUTH2', 'default', 'bad')), 'ERR Target instance replied with error: WRONGPASS invalid username-password pair or user is disabled.');
    assert.equal(await s.get('k'), 'v');
    assert.equal(await migrate(s, t.port, 'k', 3, 5000, 'AUTH', 'sekret', 'COPY'), 'OK');
    assert.equal(await migrate(s, t.port, 'k', 4, 5000, 'AUTH2', 'default', 'sekret'), 'OK');
    await tc.select(3);
    assert.equal(await tc.get('k'), 'v');
    await tc.select(4);
    assert.equal(await tc.get('k'), 'v');
  } finally {
    tc.disconnect();
    await t.stop();
  }
});

test('the pipeline sent: AUTH, SELECT only when the db changes, RESTORE key ttl payload [REPLACE]', async () => {
  const t = new FakeTarget();
  await t.listen();
  try {
    await s.flushall();
    await s.set('k', 'v');
    await s.set('v', 'x', 'PX', 60000);
    const cached = Number(await infoField(s, 'stats', 'migrate_cached_sockets'));
    const dumpK = await s.dumpBuffer('k');
    assert.equal(await migrate(s, t.port, 'k', 0, 5000, 'COPY'), 'OK');
    assert.deepEqual(t.commands(), ['SELECT 0', 'RESTORE k 0 <payload>']);
    assert.deepEqual(t.payloads[0], dumpK, 'the payload is DUMP output');
    assert.equal(t.received[0]![1]![2], '0', 'no TTL: 0');
    t.reset();
    assert.equal(await migrate(s, t.port, '', 0, 5000, 'COPY', 'REPLACE', 'AUTH', 'pw', 'KEYS', 'k', 'v'), 'OK');
    assert.deepEqual(t.commands(), ['AUTH pw', 'RESTORE k 0 <payload> REPLACE', 'RESTORE v ttl <payload> REPLACE']);
    const ttl = Number(t.received[0]![2]![2]);
    assert.ok(ttl > 50000 && ttl <= 60000, 'remaining TTL sent: ' + ttl);
    t.reset();
    assert.equal(await migrate(s, t.port, 'k', 7, 5000, 'COPY', 'AUTH2', 'user', 'pw'), 'OK');
    assert.deepEqual(t.commands(), ['AUTH user pw', 'SELECT 7', 'RESTORE k 0 <payload>']);
    assert.equal(t.connections, 1, 'one cached connection so far');
    // An error from the target makes the next MIGRATE select again.
    t.reset();
    t.answer = (argv) => (argv[0] === 'RESTORE' ? '-BUSYKEY Target key name already exists.' : '+OK');
    assert.equal(await err(migrate(s, t.port, 'k', 7, 5000, 'COPY')), 'ERR Target instance replied with error: BUSYKEY Target key name already exists.');
    t.answer = () => '+OK';
    assert.equal(await migrate(s, t.port, 'k', 7, 5000, 'COPY'), 'OK');
    assert.deepEqual(t.commands(), ['RESTORE k 0 <payload>', 'SELECT 7', 'RESTORE k 0 <payload>']);
    // A SELECT refusal is reported as the error and nothing is deleted.
    t.reset();
    t.answer = (argv) => (argv[0] === 'SELECT' ? '-ERR DB index is out of range' : '+OK');
    assert.equal(await err(migrate(s, t.port, 'k', 99, 5000)), 'ERR Target instance replied with error: ERR DB index is out of range');
    assert.equal(await s.exists('k'), 1);
    // A new connection has no db: -1 sends no SELECT.
    assert.equal(await migrate(s, t.port, 'k', -1, 5000, 'COPY'), 'OK');
    assert.equal(t.commands().filter((c) => c.startsWith('SELECT')).length, 1);
    assert.equal(Number(await infoField(s, 'stats', 'migrate_cached_sockets')), cached + 1);
  } finally {
    await t.close();
  }
});

test('a target that does not answer: IOERR after the timeout, key intact, nobody else waits', async () => {
  const t = new FakeTarget();
  t.answer = () => null;
  await t.listen();
  const other = redisClient(src.port);
  try {
    await s.flushall();
    await s.set('k', 'v');
    const cached = await infoField(s, 'stats', 'migrate_cached_sockets');
    const t0 = Date.now();
    const pending = migrate(s, t.port, 'k', 0, 1500).catch((e: Error) => e.message);
    // The migrating client's next command waits for the MIGRATE reply (it is blocked)...
    const next = s.get('k');
    await sleep(200);
    // ...while other clients are served at once.
    const p0 = Date.now();
    assert.equal(await other.ping(), 'PONG');
    assert.ok(Date.now() - p0 < 1000, 'PING answered during the MIGRATE');
    const list = await other.client('LIST');
    assert.match(String(list), /flags=b .*cmd=migrate/, 'the migrating client shows as blocked');
    assert.equal(await pending, 'IOERR error or timeout reading to target instance');
    assert.ok(Date.now() - t0 >= 1400, 'waited for the timeout');
    assert.equal(await next, 'v');
    assert.equal(await infoField(s, 'stats', 'migrate_cached_sockets'), cached, 'the failed connection is not kept');
    assert.match(await s.info('errorstats'), /errorstat_IOERR:count=1/);
  } finally {
    other.disconnect();
    await t.close();
  }
});

test('connection failures: refused port, unresolvable host, empty host', async () => {
  await s.flushall();
  await s.set('k', 'v');
  const closed = new FakeTarget();
  await closed.listen();
  const port = closed.port;
  await closed.close();
  assert.equal(await err(migrate(s, port, 'k', 0, 1000)), 'IOERR error or timeout writing to target instance');
  assert.equal(await err(s.call('MIGRATE', 'nonexistent.invalid', '6379', 'k', '0', '1000')), 'IOERR error or timeout connecting to the client');
  assert.equal(await err(s.call('MIGRATE', '', String(dst.port), 'k', '0', '1000')), 'IOERR error or timeout connecting to the client');
  assert.equal(await err(s.call('MIGRATE', '127.0.0.1', '-5', 'k', '0', '1000')), 'IOERR error or timeout connecting to the client');
  assert.equal(await err(s.call('MIGRATE', '127.0.0.1', '0', 'k', '0', '1000')), 'IOERR error or timeout writing to target instance');
  assert.equal(await s.get('k'), 'v');
});

test('a key written while its transfer is in flight is kept; the others are deleted', async () => {
  const t = new FakeTarget();
  const held: Array<() => void> = [];
  t.answer = (argv, _conn, sock) => {
    if (argv[0] !== 'RESTORE') return '+OK';
    held.push(() => sock.write('+OK\r\n'));
    return null;
  };
  await t.listen();
  const other = redisClient(src.port);
  try {
    await s.flushall();
    await s.mset('a', '1', 'b', '2');
    const pending = migrate(s, t.port, '', 0, 10000, 'KEYS', 'a', 'b');
    for (let i = 0; i < 200 && held.length < 2; i++) await sleep(10);
    assert.equal(held.length, 2);
    await other.append('b', '-newer');
    for (const f of held) f();
    assert.equal(await pending, 'OK');
    assert.equal(await other.exists('a'), 0);
    assert.equal(await other.get('b'), '2-newer', 'the write made meanwhile is not lost');
  } finally {
    other.disconnect();
    await t.close();
  }
});

test('a cached connection the target dropped is retried once when AUTH/SELECT replies were pending', async () => {
  const t = new FakeTarget();
  let dropNext = false;
  t.answer = (_argv, _conn, sock) => {
    if (dropNext) {
      dropNext = false;
      sock.destroy();
      return null;
    }
    return '+OK';
  };
  await t.listen();
  try {
    await s.flushall();
    await s.mset('k', 'v');
    assert.equal(await migrate(s, t.port, 'k', 0, 5000, 'COPY', 'AUTH', 'pw'), 'OK');
    dropNext = true;
    assert.equal(await migrate(s, t.port, 'k', 0, 5000, 'COPY', 'AUTH', 'pw'), 'OK', 'retried on a new connection');
    assert.equal(t.connections, 2);
    // Without AUTH/SELECT to read first, a failure while reading RESTORE replies is final (as in Redis).
    dropNext = true;
    assert.equal(await err(migrate(s, t.port, 'k', 0, 5000, 'COPY')), 'IOERR error or timeout reading to target instance');
    assert.equal(t.connections, 2);
    assert.equal(await s.get('k'), 'v');
  } finally {
    await t.close();
  }
});

test('cached connections: reused, counted in INFO, closed after 10 s idle', async () => {
  const t = new FakeTarget();
  await t.listen();
  const s2 = redisClient(src.port);
  try {
    await s.flushall();
    await s.set('k', 'v');
    await s.set('j', 'w');
    const before = Number(await infoField(s, 'stats', 'migrate_cached_sockets'));
    assert.equal(await migrate(s, t.port, 'k', 0, 5000, 'COPY'), 'OK');
    assert.equal(await migrate(s, t.port, 'k', 0, 5000, 'COPY'), 'OK');
    assert.equal(t.connections, 1);
    // The same target spelled differently is another cache entry, as in Redis.
    assert.equal(await s.call('MIGRATE', 'localhost', String(t.port), 'k', '0', '5000', 'COPY'), 'OK');
    assert.equal(Number(await infoField(s, 'stats', 'migrate_cached_sockets')), before + 2);
    // Two MIGRATEs at once to one target both succeed.
    const [r1, r2] = await Promise.all([migrate(s, t.port, 'k', 0, 5000, 'COPY'), migrate(s2, t.port, 'j', 0, 5000, 'COPY')]);
    assert.deepEqual([r1, r2], ['OK', 'OK']);
    assert.equal(Number(await infoField(s, 'stats', 'migrate_cached_sockets')), before + 2);
    for (let i = 0; i < 150 && t.sockets.size > 0; i++) await sleep(100);
    assert.equal(t.sockets.size, 0, 'idle connections closed by the source');
    assert.equal(await infoField(s, 'stats', 'migrate_cached_sockets'), '0');
  } finally {
    s2.disconnect();
    await t.close();
  }
});

test('MIGRATE inside MULTI is refused; CLIENT REPLY OFF drops the late reply', async () => {
  await s.flushall();
  await d.flushall();
  await s.set('k', 'v');
  const m = await s.multi().call('MIGRATE', '127.0.0.1', String(dst.port), 'k', '0', '1000').exec();
  assert.match(String((m![0]![0] as Error).message), /MIGRATE is not supported inside MULTI/);
  assert.equal(await s.get('k'), 'v');
  await withRaw(src.port, async (raw) => {
    raw.send('CLIENT', 'REPLY', 'OFF');
    raw.send('MIGRATE', '127.0.0.1', String(dst.port), 'k', '0', '5000');
    raw.send('CLIENT', 'REPLY', 'ON');
    assert.equal((await raw.readReply()).toString('latin1'), '+OK\r\n');
    assert.equal(await raw.call('EXISTS', 'k'), ':0\r\n', 'the MIGRATE ran before the commands after it');
  });
  assert.equal(await d.get('k'), 'v');
});

test('COMMAND GETKEYS and COMMAND INFO', async () => {
  assert.deepEqual(await s.call('COMMAND', 'GETKEYS', 'MIGRATE', 'h', '1', 'k', '0', '5'), ['k']);
  assert.deepEqual(await s.call('COMMAND', 'GETKEYS', 'MIGRATE', 'h', '1', '', '0', '5', 'AUTH', 'keys', 'KEYS', 'a', 'b'), ['a', 'b']);
  const info = (await s.call('COMMAND', 'INFO', 'MIGRATE')) as unknown[][];
  assert.deepEqual(info[0]!.slice(0, 5), ['migrate', -6, ['write', 'movablekeys'], 3, 3]);
});

let emb: RunningServer;

test('keyspace events and replication: one DEL of the keys deleted', async () => {
  emb = await startServer();
  const t = new FakeTarget();
  t.answer = (argv) => (argv[0] === 'RESTORE' && argv[1] === 'busy' ? '-BUSYKEY Target key name already exists.' : '+OK');
  await t.listen();
  const c = redisClient(emb.port, emb.host);
  try {
    const prop: string[] = [];
    const events: string[] = [];
    emb.server.propagationSinks.push((db, argv) => prop.push(db + ' ' + argv.map((a) => a.toString('latin1')).join(' ')));
    emb.server.notifyHook = (type, event, key) => {
      if (type !== NOTIFY.KEY_MISS) events.push(event + ' ' + key.toString('latin1'));
    };
    await c.select(2);
    await c.mset('a', '1', 'busy', '2', 'c', '3');
    prop.length = 0;
    events.length = 0;
    const dirty0 = Number(/rdb_changes_since_last_save:(\d+)/.exec(await c.info('persistence'))![1]);
    assert.equal(await err(c.call('MIGRATE', '127.0.0.1', String(t.port), '', '0', '5000', 'KEYS', 'a', 'nope', 'busy', 'c')), 'ERR Target instance replied with error: BUSYKEY Target key name already exists.');
    assert.deepEqual(prop, ['2 DEL a c']);
    assert.deepEqual(events, ['del a', 'del c']);
    const dirty1 = Number(/rdb_changes_since_last_save:(\d+)/.exec(await c.info('persistence'))![1]);
    assert.equal(dirty1 - dirty0, 2);
    await c.set('a', '1');
    prop.length = 0;
    assert.equal(await c.call('MIGRATE', '127.0.0.1', String(t.port), 'a', '0', '5000', 'COPY'), 'OK');
    assert.deepEqual(prop, [], 'COPY propagates nothing');
  } finally {
    c.disconnect();
    await t.close();
    await emb.close();
  }
});
