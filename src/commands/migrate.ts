/**
 * MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE] [AUTH password]
 *         [AUTH2 username password] [KEYS key [key ...]]  (Redis 7.0 behaviour, observed on
 * redis-server 7.0.15).
 *
 * The command is a client of another Redis-protocol server: it serialises the keys as DUMP does,
 * sends `[AUTH ...] [SELECT db] RESTORE key ttl payload [REPLACE]...` pipelined in one write,
 * reads one reply line per command, and deletes the keys the target accepted (unless COPY).
 *
 * Redis does this I/O synchronously and stalls the whole server meanwhile. Here only the calling
 * client waits: it is flagged BLOCKED (its further input is held) and gets its reply when the
 * exchange ends; every other client keeps being served. Consequences, by design:
 * - the values sent are a snapshot taken when the command runs (as in Redis);
 * - a key written by another client while its transfer is in flight is not deleted afterwards
 *   (the newer value stays here rather than being lost); the reply is still +OK;
 * - MIGRATE inside MULTI/EXEC cannot wait for the network in the middle of the transaction: it
 *   is refused with an error (Redis runs it there, blocking everything).
 *
 * Replies and their order, as redis-server 7.0 gives them:
 * - options first: unknown word, AUTH without an argument, AUTH2 without two → "ERR syntax
 *   error"; KEYS with a non-empty key argument → the "must be set to the empty string" error;
 *   then timeout and destination-db must be integers (timeout <= 0 means 1000 ms);
 * - keys that do not exist are dropped; none left → "+NOKEY";
 * - the host cannot be resolved / the connection is not established within the timeout →
 *   "-IOERR error or timeout connecting to the client"; refused connections and failures while
 *   sending → "-IOERR error or timeout writing to target instance"; no (complete) answer within
 *   the timeout → "-IOERR error or timeout reading to target instance"; the source keys stay;
 * - an error line from the target (AUTH, SELECT or a RESTORE) → "ERR Target instance replied
 *   with error: <its text>" (the first one); keys whose RESTORE succeeded are still deleted;
 * - each deleted key: dirty +1, keyspace event "del"; the whole command is propagated as one
 *   `DEL k1 k2 ...` of the deleted keys (nothing with COPY).
 *
 * Connections to targets are cached per "host:port" (the arguments as given) like Redis's
 * migrate_cached_sockets: reused while idle, closed after 10 s without use, at most 64 (a random
 * idle one is closed to make room). A new connection has no selected database, so SELECT is sent
 * unless destination-db equals the db the previous successful MIGRATE on it selected (a fresh
 * connection counts as db -1, so `destination-db -1` sends no SELECT: Redis does the same). A
 * failure other than a timeout before any RESTORE reply was read is retried once on a new
 * connection (a cached connection the target closed meanwhile). Two MIGRATEs to the same target
 * at once: the second uses a connection of its own, closed afterwards.
 */

import net from 'node:net';
import type { CommandSpec, Handler } from './spec.js';
import type { Client } from '../server/client.js';
import { ClientFlag, ReplyMode } from '../server/client.js';
import type { Server } from '../server/server.js';
import type { Command } from './table.js';
import { ERR, sanitizeError } from '../protocol/errors.js';
import { lookupRead } from '../store/expire.js';
import { TYPE_STRING } from '../store/db.js';
import { NOTIFY } from '../store/notify.js';
import { dumpValuePayload } from './dump.js';
import { ValueTypeError } from '../persistence/rdb-values.js';
import { parseI64 } from '../util/numbers.js';

const ERR_KEYS_WITH_KEY = 'ERR When using MIGRATE KEYS option, the key argument must be set to the empty string';
const ERR_IN_MULTI = 'ERR MIGRATE is not supported inside MULTI/EXEC by Damselfly';
const IOERR_CONNECT = 'IOERR error or timeout connecting to the client';
const IOERR_WRITE = 'IOERR error or timeout writing to target instance';
const IOERR_READ = 'IOERR error or timeout reading to target instance';
const TARGET_ERROR_PREFIX = 'ERR Target instance replied with error: ';

/** Idle cached connections are closed after this long (Redis: MIGRATE_SOCKET_CACHE_TTL, 10 s). */
const CACHE_TTL_MS = 10_000;
/** At most this many cached connections (Redis: MIGRATE_SOCKET_CACHE_ITEMS). */
const CACHE_MAX = 64;
/** Redis reads each reply line into a 1024-byte buffer: longer error texts are cut. */
const MAX_LINE = 1023;
/** setTimeout's largest delay. */
const MAX_TIMER_MS = 0x7fffffff;

const B_DEL = Buffer.from('DEL', 'latin1');
const B_AUTH = Buffer.from('AUTH', 'latin1');
const B_SELECT = Buffer.from('SELECT', 'latin1');
const B_RESTORE = Buffer.from('RESTORE', 'latin1');
const B_REPLACE = Buffer.from('REPLACE', 'latin1');
const CRLF = Buffer.from('\r\n', 'latin1');

/** One connection to a target: cached (in the server's map) or private to one MIGRATE. */
class TargetConn {
  readonly name: string;
  readonly sock: net.Socket;
  /** Decimal text of the database selected on this connection; '-1' when none yet. */
  lastDb = '-1';
  lastUse = Date.now();
  busy = false;
  cached = false;
  dead = false;
  /** Receives bytes while a MIGRATE uses the connection. */
  onData: ((d: Buffer) => void) | null = null;
  /** Called once if the connection fails or closes while a MIGRATE uses it. */
  onFail: ((timeout: boolean) => void) | null = null;

  constructor(name: string, sock: net.Socket) {
    this.name = name;
    this.sock = sock;
  }
}

function removeHook<T>(hooks: T[], hook: T): void {
  const i = hooks.indexOf(hook);
  if (i >= 0) hooks.splice(i, 1);
}

/** Per-server state: the connection cache and the transfers in flight. */
class MigrateState {
  readonly server: Server;
  readonly cache = new Map<string, TargetConn>();
  readonly inflight = new Set<Migration>();
  private timer: NodeJS.Timeout | null = null;

  constructor(server: Server) {
    this.server = server;
  }

  /**
   * A key written while its transfer is in flight must not be deleted when the transfer ends:
   * this keyModified hook notes such writes. It is installed only while transfers are in flight
   * (a FLUSHALL/SWAPDB reports the in-flight keys through `interest`).
   */
  private readonly hook = (dbIndex: number, key: Buffer): void => {
    let name: string | null = null;
    for (const m of this.inflight) {
      if (m.dbIndex !== dbIndex || m.done) continue;
      name ??= key.toString('latin1');
      if (m.names.has(name)) m.touched.add(name);
    }
  };

  private readonly interest = (dbIndex: number, out: Buffer[]): void => {
    for (const m of this.inflight) {
      if (m.dbIndex !== dbIndex || m.done) continue;
      for (const name of m.names) out.push(Buffer.from(name, 'latin1'));
    }
  };

  track(m: Migration): void {
    this.inflight.add(m);
    if (this.inflight.size === 1) {
      this.server.keyModifiedHooks.push(this.hook);
      this.server.keyInterestHooks.push(this.interest);
    }
  }

  untrack(m: Migration): void {
    if (!this.inflight.delete(m) || this.inflight.size !== 0) return;
    removeHook(this.server.keyModifiedHooks, this.hook);
    removeHook(this.server.keyInterestHooks, this.interest);
  }

  /** The idle-connection sweep runs only while something is cached. */
  armSweep(): void {
    if (this.timer !== null || this.cache.size === 0) return;
    this.timer = setInterval(() => this.sweep(), 1000);
    this.timer.unref();
  }

  private sweep(): void {
    const now = Date.now();
    for (const conn of this.cache.values()) {
      if (!conn.busy && now - conn.lastUse > CACHE_TTL_MS) this.drop(conn);
    }
    if (this.cache.size === 0 && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  /** Closes a connection and forgets it. */
  drop(conn: TargetConn): void {
    conn.dead = true;
    conn.onData = null;
    conn.onFail = null;
    if (conn.cached && this.cache.get(conn.name) === conn) this.cache.delete(conn.name);
    conn.cached = false;
    conn.sock.destroy();
  }

  /** Makes room for one more cached connection by closing a random idle one. */
  makeRoom(): boolean {
    if (this.cache.size < CACHE_MAX) return true;
    const idle: TargetConn[] = [];
    for (const conn of this.cache.values()) if (!conn.busy) idle.push(conn);
    if (idle.length === 0) return false;
    this.drop(idle[Math.floor(Math.random() * idle.length)]!);
    return true;
  }

  closeAll(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    for (const conn of [...this.cache.values()]) this.drop(conn);
    for (const m of [...this.inflight]) if (m.conn !== null) this.drop(m.conn);
  }
}

const states = new WeakMap<Server, MigrateState>();

function stateOf(server: Server): MigrateState {
  let st = states.get(server);
  if (st !== undefined) return st;
  const s = new MigrateState(server);
  st = s;
  states.set(server, s);
  server.infoFields.set('migrate_cached_sockets', () => s.cache.size);
  server.exitHooks.push(() => s.closeAll());
  return s;
}

/** A key as captured when MIGRATE ran. */
interface KeySnapshot {
  readonly key: Buffer;
  readonly payload: Buffer;
  /** Absolute expiry (ms), -1 for none. */
  readonly expireAt: number;
}

/** One MIGRATE in flight. */
class Migration {
  readonly c: Client;
  readonly cmd: Command;
  readonly state: MigrateState;
  readonly dbIndex: number;
  readonly host: string;
  readonly port: number;
  /** Cache key: host and port exactly as given. */
  readonly name: string;
  readonly dbid: string;
  readonly timeoutMs: number;
  readonly copy: boolean;
  readonly replace: boolean;
  readonly username: Buffer | null;
  readonly password: Buffer | null;
  readonly keys: KeySnapshot[];
  /** latin1 names of the keys, and those written by others since the snapshot. */
  readonly names = new Set<string>();
  readonly touched = new Set<string>();
  /** CLIENT REPLY OFF/SKIP was in effect: the late reply is dropped. */
  readonly silent: boolean;
  conn: TargetConn | null = null;
  attempts = 0;
  done = false;
  /** True while the handler runs: an outcome known at once is an ordinary reply. */
  inHandler = false;

  constructor(
    c: Client,
    opts: {
      host: string;
      port: number;
      name: string;
      dbid: string;
      timeoutMs: number;
      copy: boolean;
      replace: boolean;
      username: Buffer | null;
      password: Buffer | null;
      keys: KeySnapshot[];
    },
  ) {
    this.c = c;
    this.cmd = c.cmd!;
    this.state = stateOf(c.server);
    this.dbIndex = c.dbIndex;
    this.host = opts.host;
    this.port = opts.port;
    this.name = opts.name;
    this.dbid = opts.dbid;
    this.timeoutMs = opts.timeoutMs;
    this.copy = opts.copy;
    this.replace = opts.replace;
    this.username = opts.username;
    this.password = opts.password;
    this.keys = opts.keys;
    for (const k of opts.keys) this.names.add(k.key.toString('latin1'));
    this.silent = c.replyMode === ReplyMode.OFF || c.replyMode === ReplyMode.SKIP;
  }
}

function eqi(b: Buffer, s: string): boolean {
  return b.length === s.length && b.toString('latin1').toLowerCase() === s;
}

/** C atoi: optional blanks and sign, then digits up to the first non-digit (Redis reads the port so). */
function atoi(b: Buffer): number {
  let i = 0;
  const n = b.length;
  while (i < n && (b[i] === 0x20 || (b[i]! >= 0x09 && b[i]! <= 0x0d))) i++;
  let neg = false;
  if (i < n && (b[i] === 0x2b || b[i] === 0x2d)) neg = b[i++] === 0x2d;
  let v = 0;
  while (i < n && b[i]! >= 0x30 && b[i]! <= 0x39 && v < 1e10) v = v * 10 + (b[i++]! - 0x30);
  return neg ? -v : v;
}

const migrateCommand: Handler = (c, argv) => {
  const argc = argv.length;
  let copy = false;
  let replace = false;
  let username: Buffer | null = null;
  let password: Buffer | null = null;
  let firstKey = 3;
  let numKeys = 1;
  for (let j = 6; j < argc; j++) {
    const a = argv[j]!;
    const more = argc - j - 1;
    if (eqi(a, 'copy')) copy = true;
    else if (eqi(a, 'replace')) replace = true;
    else if (eqi(a, 'auth')) {
      if (more < 1) {
        c.reply.error(ERR.syntax);
        return;
      }
      password = Buffer.from(argv[++j]!);
    } else if (eqi(a, 'auth2')) {
      if (more < 2) {
        c.reply.error(ERR.syntax);
        return;
      }
      username = Buffer.from(argv[++j]!);
      password = Buffer.from(argv[++j]!);
    } else if (eqi(a, 'keys')) {
      if (argv[3]!.length !== 0) {
        c.reply.error(ERR_KEYS_WITH_KEY);
        return;
      }
      firstKey = j + 1;
      numKeys = argc - j - 1;
      break;
    } else {
      c.reply.error(ERR.syntax);
      return;
    }
  }
  const timeoutArg = parseI64(argv[5]!);
  const dbArg = parseI64(argv[4]!);
  if (timeoutArg === null || dbArg === null) {
    c.reply.error(ERR.notInteger);
    return;
  }
  let timeoutMs = timeoutArg <= 0 ? 1000 : Number(timeoutArg);
  if (timeoutMs > MAX_TIMER_MS) timeoutMs = MAX_TIMER_MS;

  // Snapshot the keys that exist now (a missing key is simply not migrated).
  const db = c.db;
  const keys: KeySnapshot[] = [];
  for (let j = 0; j < numKeys; j++) {
    const key = argv[firstKey + j]!;
    const id = lookupRead(c, key);
    if (id < 0) continue;
    const type = db.typeOf(id);
    let payload: Buffer;
    try {
      payload = dumpValuePayload(type, type === TYPE_STRING ? db.getString(id) : db.getObject<unknown>(id));
    } catch (e) {
      if (e instanceof ValueTypeError) {
        c.reply.error('ERR ' + e.message);
        return;
      }
      throw e;
    }
    keys.push({ key: Buffer.from(key), payload, expireAt: db.expireAt(id) });
  }
  if (keys.length === 0) {
    c.reply.simple('NOKEY');
    return;
  }
  if ((c.flags & ClientFlag.MULTI) !== 0) {
    c.reply.error(ERR_IN_MULTI);
    return;
  }

  const host = argv[1]!.toString('latin1');
  const portText = argv[2]!.toString('latin1');
  const port = atoi(argv[2]!);
  // Redis's outcomes for addresses it cannot use: an empty host or a negative port fail at
  // connect(); port 0 or beyond 65535 gets a socket that cannot be written to.
  if (host.length === 0 || port < 0) {
    c.reply.error(IOERR_CONNECT);
    return;
  }
  if (port === 0 || port > 65535) {
    c.reply.error(IOERR_WRITE);
    return;
  }
  const m = new Migration(c, {
    host,
    port,
    name: host + ':' + portText,
    dbid: String(dbArg),
    timeoutMs,
    copy,
    replace,
    username,
    password,
    keys,
  });
  c.flags |= ClientFlag.BLOCKED;
  m.state.track(m);
  m.inHandler = true;
  attempt(m, true);
  m.inHandler = false;
};

/** Gets a connection (cached or new) and runs the exchange on it. */
function attempt(m: Migration, mayRetry: boolean): void {
  m.attempts++;
  const st = m.state;
  const cached = st.cache.get(m.name);
  if (cached !== undefined && !cached.busy && !cached.dead) {
    cached.busy = true;
    cached.lastUse = Date.now();
    m.conn = cached;
    exchange(m, cached, mayRetry);
    return;
  }
  const sock = net.connect({ host: m.host, port: m.port });
  const conn = new TargetConn(m.name, sock);
  conn.busy = true;
  m.conn = conn;
  let connected = false;
  const timer = setTimeout(() => {
    if (connected || conn.dead) return;
    st.drop(conn);
    finish(m, IOERR_CONNECT);
  }, m.timeoutMs);
  sock.setNoDelay(true);
  sock.on('data', (d: Buffer) => {
    if (conn.onData !== null) conn.onData(d);
  });
  const failed = (): void => {
    if (!connected) {
      if (conn.dead) return;
      clearTimeout(timer);
      st.drop(conn);
      finish(m, IOERR_CONNECT_OR_WRITE(lastError));
      return;
    }
    const cb = conn.onFail;
    if (cb !== null) cb(false);
    else st.drop(conn); // an idle cached connection the target closed
  };
  let lastError: NodeJS.ErrnoException | null = null;
  sock.on('error', (e: NodeJS.ErrnoException) => {
    lastError = e;
  });
  sock.on('close', failed);
  sock.on('end', () => sock.destroy());
  sock.once('connect', () => {
    connected = true;
    clearTimeout(timer);
    if (conn.dead) return;
    // Cache it unless another MIGRATE holds the cached connection to this target.
    const holder = st.cache.get(m.name);
    if ((holder === undefined || holder.dead) && st.makeRoom()) {
      conn.cached = true;
      st.cache.set(m.name, conn);
      st.armSweep();
    }
    exchange(m, conn, mayRetry);
  });
}

/** Name-resolution failures are connect errors in Redis; a refused connection fails the write. */
function IOERR_CONNECT_OR_WRITE(e: NodeJS.ErrnoException | null): string {
  const code = e?.code ?? '';
  return code === 'ENOTFOUND' || code.startsWith('EAI_') ? IOERR_CONNECT : IOERR_WRITE;
}

/** RESP multibulk encoding of one command, appended to `out`. */
function encode(out: Buffer[], args: Buffer[]): void {
  out.push(Buffer.from('*' + args.length + '\r\n', 'latin1'));
  for (const a of args) {
    out.push(Buffer.from('$' + a.length + '\r\n', 'latin1'), a, CRLF);
  }
}

/** Sends the pipeline on `conn` and reads one reply line per command. */
function exchange(m: Migration, conn: TargetConn, mayRetry: boolean): void {
  const st = m.state;
  const parts: Buffer[] = [];
  const auth = m.password !== null;
  if (auth) encode(parts, m.username !== null ? [B_AUTH, m.username, m.password!] : [B_AUTH, m.password!]);
  const select = conn.lastDb !== m.dbid;
  if (select) encode(parts, [B_SELECT, Buffer.from(m.dbid, 'latin1')]);
  const now = Date.now();
  const sent: KeySnapshot[] = [];
  for (const k of m.keys) {
    let ttl = 0;
    if (k.expireAt >= 0) {
      ttl = k.expireAt - now;
      // Expired since the snapshot: not sent (and not deleted here), as Redis skips it.
      if (ttl < 0) continue;
      if (ttl < 1) ttl = 1;
    }
    const args = [B_RESTORE, k.key, Buffer.from(String(ttl), 'latin1'), k.payload];
    if (m.replace) args.push(B_REPLACE);
    encode(parts, args);
    sent.push(k);
  }
  const preamble = (auth ? 1 : 0) + (select ? 1 : 0);
  const expected = preamble + sent.length;
  const lines: Buffer[] = [];
  let pending: Buffer | null = null;
  let written = false;
  let over = false;

  const timer = setTimeout(() => fail(true), m.timeoutMs);
  const rearm = (): void => {
    timer.refresh();
  };

  const end = (): void => {
    over = true;
    clearTimeout(timer);
    conn.onData = null;
    conn.onFail = null;
  };

  const fail = (timeout: boolean): void => {
    if (over) return;
    end();
    st.drop(conn);
    m.conn = null;
    if (written && lines.length >= preamble) {
      // Failed while reading RESTORE replies: apply those read, then report; like Redis, this
      // is never retried (the target may have restored keys already).
      settle(m, conn, lines, auth, select, sent, true);
      return;
    }
    if (!timeout && mayRetry && !m.done) {
      attempt(m, false);
      return;
    }
    finish(m, written ? IOERR_READ : IOERR_WRITE);
  };

  conn.onFail = fail;
  conn.onData = (d: Buffer) => {
    if (over) return;
    rearm();
    let buf = pending === null ? d : Buffer.concat([pending, d]);
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(0x0a, start);
      if (nl < 0) break;
      let e = nl;
      if (e > start && buf[e - 1] === 0x0d) e--;
      lines.push(Buffer.from(buf.subarray(start, Math.min(e, start + MAX_LINE))));
      start = nl + 1;
      if (lines.length === expected) {
        end();
        conn.busy = false;
        conn.lastUse = Date.now();
        m.conn = null;
        if (!conn.cached) st.drop(conn);
        settle(m, conn, lines, auth, select, sent, false);
        return;
      }
    }
    buf = buf.subarray(start);
    pending = buf.length > 0 ? Buffer.from(buf) : null;
  };

  if (expected === 0) {
    // Every key expired meanwhile and nothing else to send: done, like Redis's empty loop.
    end();
    conn.busy = false;
    if (!conn.cached) st.drop(conn);
    m.conn = null;
    settle(m, conn, lines, false, false, sent, false);
    return;
  }
  const payload = Buffer.concat(parts);
  conn.sock.write(payload, (err) => {
    if (over) return;
    if (err) {
      fail(false);
      return;
    }
    written = true;
    rearm();
  });
}

/**
 * Applies the replies read: keys the target accepted are deleted (unless COPY), then the client
 * gets +OK, the first error from the target, or (`ioError`) the reading error.
 */
function settle(m: Migration, conn: TargetConn, lines: Buffer[], auth: boolean, select: boolean, sent: KeySnapshot[], ioError: boolean): void {
  let idx = 0;
  const authLine = auth ? lines[idx++] : undefined;
  const selectLine = select ? lines[idx++] : undefined;
  const authErr = authLine !== undefined && authLine[0] === 0x2d;
  const selectErr = selectLine !== undefined && selectLine[0] === 0x2d;
  let targetError: Buffer | null = null;
  const deleted: Buffer[] = [];
  const server = m.c.server;
  const db = server.keyspace.dbs[m.dbIndex]!;
  for (let j = 0; idx < lines.length && j < sent.length; j++, idx++) {
    const line = lines[idx]!;
    if (authErr || selectErr || line[0] === 0x2d) {
      targetError ??= authErr ? authLine! : selectErr ? selectLine! : line;
      continue;
    }
    if (m.copy) continue;
    const key = sent[j]!.key;
    const name = key.toString('latin1');
    if (m.touched.has(name)) continue;
    const id = db.find(key);
    if (id < 0) continue;
    db.deleteId(id);
    m.touched.add(name); // a key named twice in KEYS is deleted once
    server.keyModified(m.dbIndex, key);
    server.notify(NOTIFY.GENERIC, 'del', key, m.dbIndex);
    server.dirty++;
    deleted.push(key);
  }
  if (deleted.length > 0) server.propagate(m.dbIndex, [B_DEL, ...deleted]);
  if (targetError !== null) {
    conn.lastDb = '-1';
    finish(m, sanitizeError(TARGET_ERROR_PREFIX + cText(targetError, 1)));
  } else if (ioError) {
    finish(m, IOERR_READ);
  } else {
    conn.lastDb = m.dbid;
    finish(m, null);
  }
}

/** Bytes of `b` from `start` up to the first NUL, as latin1 (Redis formats them as a C string). */
function cText(b: Buffer, start: number): string {
  let e = b.indexOf(0, start);
  if (e < 0) e = b.length;
  return b.toString('latin1', start, e);
}

/** Ends the MIGRATE: the reply (null = +OK), statistics, and the client's held input. */
function finish(m: Migration, error: string | null): void {
  if (m.done) return;
  m.done = true;
  m.state.untrack(m);
  const c = m.c;
  const server = c.server;
  if (m.inHandler) {
    // Dispatch counts it and applies CLIENT REPLY like any reply; the client goes on at once.
    c.flags &= ~ClientFlag.BLOCKED;
    if (error === null) c.reply.ok();
    else c.reply.error(error);
    return;
  }
  if (error !== null) {
    m.cmd.stats.failedCalls++;
    const sp = error.indexOf(' ');
    server.stats.countError(sp < 0 ? error : error.slice(0, sp));
  }
  if (c.closed) return;
  c.flags &= ~ClientFlag.BLOCKED;
  if (!m.silent) {
    if (error === null) c.reply.ok();
    else c.reply.error(error);
  }
  c.flush();
  setImmediate(() => c.resumeProcessing());
}

/**
 * COMMAND GETKEYS, as redis-server 7.0.15 answers: the key argument, unless a KEYS word followed
 * by at least one argument appears among the options (scanning from the 7th argument and skipping
 * the arguments of AUTH and AUTH2): then the arguments after it, or no keys at all ("Invalid
 * arguments") when the key argument is not empty.
 */
function migrateKeys(argv: Buffer[]): number[] {
  const argc = argv.length;
  for (let i = 6; i < argc - 1; i++) {
    const a = argv[i]!;
    if (eqi(a, 'keys')) {
      if (argv[3]!.length !== 0) throw new Error('MIGRATE KEYS with a non-empty key argument');
      const out: number[] = [];
      for (let k = i + 1; k < argc; k++) out.push(k);
      return out;
    }
    if (eqi(a, 'auth')) i += 1;
    else if (eqi(a, 'auth2')) i += 2;
  }
  return [3];
}

export const migrateCommands: CommandSpec[] = [
  {
    name: 'migrate',
    arity: -6,
    flags: ['write', 'movablekeys'],
    firstKey: 3,
    lastKey: 3,
    step: 1,
    acl: ['keyspace', 'write', 'slow', 'dangerous'],
    handler: migrateCommand,
    getKeys: migrateKeys,
    keySpecs: [
      { flags: ['RW', 'access', 'delete'], begin: { index: 3 }, find: { range: { lastkey: 0, step: 1, limit: 0 } } },
      { flags: ['RW', 'access', 'delete', 'incomplete'], begin: { keyword: 'KEYS', startfrom: -2 }, find: { range: { lastkey: -1, step: 1, limit: 0 } } },
    ],
    tips: ['nondeterministic_output'],
  },
];
