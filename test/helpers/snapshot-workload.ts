/**
 * In-process harness for the snapshot engine tests (test/unit/snapshot*.test.ts): a Server that
 * does not listen, an internal client that runs commands through the real dispatcher (and a
 * second one that can block), a canonical dump of the dataset (the "deep copy at the start":
 * streams as RDB parts, strings byte for byte), a recording serializer, and a random generator
 * of every write command of the command table.
 */

import assert from 'node:assert/strict';
import { Config } from '../../src/config/index.js';
import { Server } from '../../src/server/server.js';
import { ClientFlag, type Client } from '../../src/server/client.js';
import { processCommand } from '../../src/server/dispatch.js';
import { TYPE_STREAM, TYPE_STRING, type Db } from '../../src/store/db.js';
import type { Snapshot, SnapshotConsumer } from '../../src/persistence/snapshot.js';
import { RdbSnapshotConsumer, SnapshotRdbWriter } from '../../src/persistence/snapshot-rdb.js';
import { RdbOutput, standardAux, writeHeader, writeTrailer } from '../../src/persistence/rdb-writer.js';
import { loadRdbBuffer } from '../../src/persistence/rdb-loader.js';
import type { Stream } from '../../src/store/types/stream.js';
import { streamParts } from '../../src/store/types/stream-parts.js';

export const L = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Harness {
  server: Server;
  client: Client;
  /** Runs one command (strings are latin1) on `client`; returns the raw reply. */
  run(...args: Array<string | Buffer>): string;
  /** The same on another client (see `blocker`). */
  runOn(cl: Client, ...args: Array<string | Buffer>): string;
  /**
   * A second client that can block (an internal client without the FAKE flag, which makes
   * blocking commands answer at once), for the "served later" paths of BLMOVE, XREADGROUP...
   * Its replies are discarded when it is served.
   */
  blocker(): Client;
  /** Command names run so far (lower case; container|subcommand for subcommands). */
  used: Set<string>;
  /** Per name of `used`: replies that were not errors (a command queued by MULTI not counted). */
  succeeded: Map<string, number>;
  warnings: string[];
}

export function harness(config: Array<[string, string]> = []): Harness {
  // Immutable parameters (enable-debug-command) can only come from the "command line".
  const args = ['--enable-debug-command', 'yes'];
  for (const [k, v] of config) args.push('--' + k, v);
  const cfg = Config.fromArgs(args, () => '');
  const server = new Server(cfg);
  const warnings: string[] = [];
  const log = server.log as unknown as { warning: (m: string) => void };
  log.warning = (m: string) => warnings.push(m);
  const client = server.createInternalClient();
  const used = new Set<string>();
  const succeeded = new Map<string, number>();
  let other: Client | null = null;
  const runOn = (cl: Client, ...args: Array<string | Buffer>): string => {
    const argv = args.map((a) => (typeof a === 'string' ? Buffer.from(a, 'latin1') : a));
    const cmd = server.commands.lookup(argv[0]!);
    let name = L(argv[0]!).toLowerCase();
    if (cmd !== undefined && cmd.subcommands !== null && argv.length >= 2) {
      const sub = server.commands.lookupSub(cmd, argv[1]!);
      if (sub !== undefined) name = sub.fullName;
    }
    used.add(name);
    processCommand(cl, argv);
    const out = cl.reply.take().toString('latin1');
    if (out.startsWith('-ERR internal')) assert.fail('internal error for ' + args.join(' ').slice(0, 300) + ': ' + out);
    if (!out.startsWith('-') && out !== '+QUEUED\r\n') succeeded.set(name, (succeeded.get(name) ?? 0) + 1);
    return out;
  };
  return {
    server,
    client,
    used,
    succeeded,
    warnings,
    run: (...args) => runOn(client, ...args),
    runOn,
    blocker() {
      if (other === null) {
        other = server.createInternalClient();
        other.flags &= ~ClientFlag.FAKE;
      }
      return other;
    },
  };
}

/** A RESP2/RESP3 reply parsed: strings (latin1), numbers, null, arrays, or {error}. */
export type RespValue = string | number | null | RespValue[] | { error: string };

/** Parses one complete reply (the first if several). */
export function parseResp(s: string): RespValue {
  let p = 0;
  const line = (): string => {
    const e = s.indexOf('\r\n', p);
    const l = s.slice(p, e);
    p = e + 2;
    return l;
  };
  const one = (): RespValue => {
    const t = s[p++];
    const l = line();
    switch (t) {
      case '+':
        return l;
      case '-':
        return { error: l };
      case ':':
      case ',':
        return Number(l);
      case '_':
        return null;
      case '$': {
        const n = Number(l);
        if (n < 0) return null;
        const v = s.slice(p, p + n);
        p += n + 2;
        return v;
      }
      case '*':
      case '~':
      case '%': {
        const n = Number(l) * (t === '%' ? 2 : 1);
        if (n < 0) return null;
        const a: RespValue[] = [];
        for (let i = 0; i < n; i++) a.push(one());
        return a;
      }
      default:
        throw new Error('unexpected reply type ' + JSON.stringify(t) + ' in ' + JSON.stringify(s.slice(0, 200)));
    }
  };
  return one();
}

/** A stream as text: node listpacks byte for byte, metadata, groups, PELs, consumers. */
export function streamText(s: Stream): string {
  const p = streamParts(s);
  return JSON.stringify(p, (_k, v: unknown) => {
    if (typeof v === 'bigint') return v.toString() + 'n';
    if (v !== null && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer') {
      return 'hex:' + Buffer.from((v as { data: number[] }).data).toString('hex');
    }
    return v;
  });
}

/**
 * A value as text, independent of its encoding; sets/hashes/zsets sorted; strings (HLLs
 * included) byte for byte; streams as their RDB parts (streamText). Copies now. Reads through
 * peekObject like the real serializers: packed values stay packed.
 */
export function canonical(server: Server, db: Db, id: number): string {
  const t = db.typeOf(id);
  if (t === TYPE_STRING) return 'string:' + L(db.getString(id));
  if (t === TYPE_STREAM) return 'stream:' + streamText(db.peekObject<Stream>(id));
  return canonicalCollection(server, t, db.peekObject(id));
}

/** canonical() of a list, set, zset or hash object. */
export function canonicalCollection(server: Server, t: number, obj: unknown): string {
  const fn = server.valueDigesters.get(t);
  assert.ok(fn !== undefined, 'no digester registered for type ' + t);
  const v = fn(obj);
  switch (v.type) {
    case 'list':
      return 'list:' + JSON.stringify([...v.elements].map(L));
    case 'set':
      return 'set:' + JSON.stringify([...v.members].map(L).sort());
    case 'zset':
      return 'zset:' + JSON.stringify([...v.entries].map(([m, s]) => L(m) + '=' + (Object.is(s, -0) ? '-0' : String(s))).sort());
    case 'hash':
      return 'hash:' + JSON.stringify([...v.entries].map(([f, x]) => L(f) + '=' + L(x)).sort());
    default:
      return v.type + ':?';
  }
}

export interface Rec {
  type: number;
  value: string;
  ttl: number;
}

/** The whole dataset, by "db|key" (keys whose TTL passed but are still stored included). */
export function dumpAll(server: Server): Map<string, Rec> {
  const out = new Map<string, Rec>();
  const dbs = server.keyspace.dbs;
  for (let i = 0; i < dbs.length; i++) {
    const db = dbs[i]!;
    db.forEach((id) => {
      out.set(i + '|' + L(db.keyView(id)), { type: db.typeOf(id), value: canonical(server, db, id), ttl: db.expireAt(id) });
    });
  }
  return out;
}

/** The stand-in serializer: copies (db, key, type, value, ttl) at call time. */
export class Recorder implements SnapshotConsumer {
  readonly server: Server;
  readonly records: Array<[string, Rec]> = [];
  readonly dbStarts: Array<[number, number, number]> = [];
  done = 0;
  aborted: string | null = null;
  constructor(server: Server) {
    this.server = server;
  }
  onDbStart(dbIndex: number, keyCount: number, expiresCount: number): void {
    this.dbStarts.push([dbIndex, keyCount, expiresCount]);
  }
  serializeEntry(dbIndex: number, db: Db, id: number): void {
    assert.ok(db.isLive(id), 'serializeEntry of a dead id');
    this.records.push([dbIndex + '|' + L(db.keyView(id)), { type: db.typeOf(id), value: canonical(this.server, db, id), ttl: db.expireAt(id) }]);
  }
  onDone(): void {
    this.done++;
  }
  onAbort(reason: string): void {
    this.aborted = reason;
  }
}

/**
 * A Recorder that leaves most collections open, from the walk or from a change, for two to
 * eleven continueEntry calls, as the real consumers do with big values: it copies the value
 * when it is handed over (what a frozen view gives) and records it at completion, so the run
 * checks the snapshot's handling of open values (queues, completion, flushes, SWAPDB,
 * compaction) while the values change.
 */
export class PiecesRecorder extends Recorder {
  private readonly queue: Array<{ key: string; rec: Rec; left: number }> = [];
  opened = 0;
  private readonly r: () => number;
  constructor(server: Server, r: () => number) {
    super(server);
    this.r = r;
  }
  override serializeEntry(dbIndex: number, db: Db, id: number): boolean {
    const type = db.typeOf(id);
    if (type === TYPE_STRING || this.r() < 0.3) {
      super.serializeEntry(dbIndex, db, id);
      return false;
    }
    assert.ok(db.isLive(id), 'serializeEntry of a dead id');
    const rec = { type, value: canonical(this.server, db, id), ttl: db.expireAt(id) };
    this.queue.push({ key: dbIndex + '|' + L(db.keyView(id)), rec, left: 2 + Math.floor(this.r() * 10) });
    this.opened++;
    return true;
  }
  /** The first open value's db index (at the start), key and type, or null. */
  get openEntry(): { db: number; key: string; type: number } | null {
    const o = this.queue[0];
    if (o === undefined) return null;
    const bar = o.key.indexOf('|');
    return { db: Number(o.key.slice(0, bar)), key: o.key.slice(bar + 1), type: o.rec.type };
  }
  continueEntry(_deadline: number): boolean {
    const q = this.queue;
    while (q.length !== 0) {
      if (--q[0]!.left > 0) return false;
      this.records.push([q[0]!.key, q[0]!.rec]);
      q.shift();
    }
    return true;
  }
}

/**
 * The real RDB consumer (SnapshotRdbWriter, as BGSAVE and full sync use it) writing into
 * memory; loadRecords() loads the file into a fresh server and fills `records` from it, so the
 * usual comparison checks the bytes a replica or a file would get.
 */
export class RdbRecorder extends RdbSnapshotConsumer implements RecordedSnapshot {
  // Version 11: streams keep entries-read and their other 7.0 fields.
  private readonly out = new RdbOutput({ version: 11 });
  private readonly chunks: Buffer[] = [];
  protected readonly rdb: SnapshotRdbWriter;
  readonly records: Array<[string, Rec]> = [];
  readonly dbStarts: Array<[number, number, number]> = [];
  done = 0;
  aborted: string | null = null;
  /** Values left open by the walk, and by a change (set `snap` to tell them apart). */
  walkOpened = 0;
  changeOpened = 0;
  snap: Snapshot | null = null;
  private lastChanges = 0;
  constructor() {
    super();
    writeHeader(this.out, standardAux());
    this.rdb = new SnapshotRdbWriter(this.out, { flush: (b) => this.chunks.push(b), chunk: 4096, meta: null });
  }
  override onDbStart(dbIndex: number, keyCount: number, expiresCount: number): void {
    this.dbStarts.push([dbIndex, keyCount, expiresCount]);
    super.onDbStart(dbIndex, keyCount, expiresCount);
  }
  override serializeEntry(dbIndex: number, db: Db, id: number): boolean {
    assert.ok(db.isLive(id), 'serializeEntry of a dead id');
    // The snapshot counts an entry before handing it over: a change moved the count.
    const st = this.snap?.stats;
    const changes = st === undefined ? 0 : st.byChange + st.byRelocation;
    const byChange = changes !== this.lastChanges;
    this.lastChanges = changes;
    const opened = super.serializeEntry(dbIndex, db, id);
    if (opened) {
      if (byChange) this.changeOpened++;
      else this.walkOpened++;
    }
    return opened;
  }
  onDone(): void {
    this.done++;
    writeTrailer(this.out);
    this.chunks.push(this.out.take());
  }
  onAbort(reason: string): void {
    this.aborted = reason;
  }
  /** Loads the file into a fresh server (expired keys kept) and records its dataset. */
  loadRecords(): void {
    const h = harness();
    // The collection families register their digest hooks (canonical() needs them) on first use.
    for (const a of [['rpush', 'l', 'a'], ['hset', 'h', 'f', 'v'], ['sadd', 's', 'm'], ['zadd', 'z', '1', 'm'], ['xadd', 'x', '*', 'f', 'v'], ['flushall']]) h.run(...a);
    loadRdbBuffer(h.server.keyspace, Buffer.concat(this.chunks), { dropExpired: false });
    for (const [k, r] of dumpAll(h.server)) this.records.push([k, r]);
  }
}

/** What a recording consumer kept: entries in the order serialized, and its onDbStart calls. */
export interface RecordedSnapshot {
  readonly records: Array<[string, Rec]>;
  readonly dbStarts: Array<[number, number, number]>;
}

/** Asserts the recorded snapshot is exactly `start`: every key once, same type/value/TTL. */
export function assertSnapshotEquals(rec: RecordedSnapshot, start: Map<string, Rec>, label: string): void {
  const got = new Map<string, Rec>();
  const dups: string[] = [];
  for (const [k, r] of rec.records) {
    if (got.has(k)) dups.push(k);
    got.set(k, r);
  }
  assert.deepEqual(dups, [], label + ': keys serialized more than once');
  const missing = [...start.keys()].filter((k) => !got.has(k));
  const extra = [...got.keys()].filter((k) => !start.has(k));
  assert.deepEqual({ missing: missing.slice(0, 10), extra: extra.slice(0, 10) }, { missing: [], extra: [] }, label + ': key sets differ');
  for (const [k, r] of start) {
    assert.deepEqual(got.get(k), r, label + ': key ' + JSON.stringify(k) + ' differs');
  }
  // Every db with keys at the start announced once, with its counts at the start.
  const perDb = new Map<number, [number, number]>();
  for (const [k, r] of start) {
    const d = Number(k.slice(0, k.indexOf('|')));
    const c = perDb.get(d) ?? [0, 0];
    c[0]++;
    if (r.ttl >= 0) c[1]++;
    perDb.set(d, c);
  }
  const starts = rec.dbStarts.slice().sort((a, b) => a[0] - b[0]);
  assert.deepEqual(
    starts,
    [...perDb.entries()].sort((a, b) => a[0] - b[0]).map(([d, [n, e]]) => [d, n, e]),
    label + ': onDbStart calls',
  );
}

// ------------------------------------------------------------------------------------------
// Random workload: every write command of the table.

export interface Workload {
  /** One random write command (argv). */
  next(): string[];
  /** Names the generator can produce. */
  readonly commands: readonly string[];
}

export interface WorkloadOptions {
  dbs: number;
  /** Keys per type pool. */
  pool: number;
  /** Extra string keys `b<i>` (bulk) that generic commands also hit. */
  bulk: number;
  /** Relative weight of FLUSHDB / FLUSHALL / SWAPDB (default small). */
  flushWeight?: number;
  swapWeight?: number;
  /**
   * Runs a command now on the client the workload's commands go to (same db), returning the
   * raw reply: lets generators build arguments from the data (DUMP payloads for RESTORE, stream
   * IDs for XDEL/XACK/XCLAIM). Without it, RESTORE, XDEL, XACK and XCLAIM are not generated.
   */
  exec?: (...args: string[]) => string;
  /**
   * Runs a command on a second client that can block, in the same db (Harness.blocker); the
   * generator then returns the write that serves it (BLMOVE/BRPOPLPUSH/BZPOPMIN/XREADGROUP
   * served later). Without it, blocking commands only take their immediate path.
   */
  blockOn?: (...args: string[]) => string;
}

export function workload(r: () => number, o: WorkloadOptions): Workload {
  const n = (k: number): number => Math.floor(r() * k);
  const pick = <T>(a: readonly T[]): T => a[n(a.length)]!;
  // Key pools by type: s strings, l lists, h hashes, S sets, z zsets, x streams, p HLL strings,
  // G geo zsets; generic commands also hit b<i> (bulk strings). Commands of a type sometimes hit
  // a related pool (string commands on HLLs, zset commands on geo sets).
  const pk = (): string => 'p' + n(o.pool);
  const sk = (): string => (r() < 0.02 ? pk() : 's' + n(o.pool));
  const lk = (): string => 'l' + n(o.pool);
  const hk = (): string => 'h' + n(o.pool);
  const setk = (): string => 'S' + n(o.pool);
  const gk = (): string => 'G' + n(o.pool);
  const zk = (): string => (r() < 0.1 ? gk() : 'z' + n(o.pool));
  const xk = (): string => 'x' + n(o.pool);
  const anyKey = (): string => {
    const x = n(9);
    if (x === 8 && o.bulk > 0) return 'b' + n(o.bulk);
    return [sk, lk, hk, setk, zk, xk, pk, gk][x % 8]!();
  };
  const val = (): string => {
    const x = r();
    if (x < 0.3) return String(n(200) - 50);
    if (x < 0.9) return 'v' + 'x'.repeat(n(20));
    if (x < 0.995) return 'w'.repeat(100 + n(200));
    return 'L'.repeat(17000 + n(100)); // longer than a slab chunk: a standalone Buffer
  };
  const field = (): string => 'f' + n(12);
  const member = (): string => (r() < 0.5 ? String(n(30)) : 'm' + n(20));
  const score = (): string => (r() < 0.7 ? String(n(100) - 50) : (r() * 10).toFixed(3));
  const db = (): string => String(n(o.dbs));
  const nowS = (): number => Math.floor(Date.now() / 1000);
  const ttlMs = (): string => String(1 + n(40));
  const dir = (): string => pick(['left', 'right']);
  const timeout = (): string => pick(['0', '0.01', '1']);
  const group = (): string => 'g' + n(2);
  const consumer = (): string => 'c' + n(4);
  const lon = (): string => (10 + r() * 2).toFixed(6);
  const lat = (): string => (40 + r() * 2).toFixed(6);
  const geoMember = (): string => 'gm' + n(30);
  const radius = (): string => String(20 + n(150));
  const hllElems = (): string[] => {
    const k = r() < 0.05 ? 200 + n(300) : 1 + n(5);
    const out: string[] = [];
    for (let i = 0; i < k; i++) out.push('e' + n(100000));
    return out;
  };
  const exec = o.exec;
  const blockOn = o.blockOn;
  /** Some IDs of the stream at `key` (none when missing or another type), plus made-up ones. */
  const streamIds = (key: string): string[] => {
    const ids: string[] = [];
    if (exec !== undefined) {
      const v = parseResp(exec('xrange', key, '-', '+', 'count', String(1 + n(10))));
      if (Array.isArray(v)) for (const e of v) if (Array.isArray(e) && typeof e[0] === 'string') ids.push(e[0]);
    }
    if (ids.length === 0 || r() < 0.1) ids.push(pick(['0-1', '1-1', String(Date.now()) + '-0']));
    return ids;
  };
  const someIds = (key: string): string[] => {
    const all = streamIds(key);
    const out: string[] = [];
    for (let i = 1 + n(3); i > 0; i--) out.push(pick(all));
    return out;
  };
  /** A DUMP payload of some existing key (a made-up string's when none is found). */
  const payload = (): string => {
    for (let i = 0; exec !== undefined && i < 4; i++) {
      const v = parseResp(exec('dump', anyKey()));
      if (typeof v === 'string') return v;
    }
    return 'not a payload';
  };
  const sortArgs = (): string[] => {
    const a = ['sort', pick([lk, setk, zk])()];
    if (r() < 0.3) a.push('by', pick(['nosort', 's*', 'h*->f1']));
    if (r() < 0.3) a.push('limit', String(n(3)), String(1 + n(5)));
    if (r() < 0.3) a.push('get', '#', 'get', pick(['s*', 'h*->f2']));
    if (r() < 0.8) a.push('alpha');
    if (r() < 0.3) a.push('desc');
    return a;
  };
  /** Blocks the second client with `cmd`, then returns the write that serves it. */
  const servedLater = (cmd: string[], serve: string[]): string[] => {
    blockOn!(...cmd);
    return serve;
  };
  const gens: Record<string, () => string[]> = {
    del: () => ['del', anyKey(), anyKey()],
    unlink: () => ['unlink', anyKey()],
    swapdb: () => ['swapdb', db(), db()],
    move: () => ['move', anyKey(), db()],
    copy: () => (r() < 0.5 ? ['copy', anyKey(), anyKey(), 'db', db(), 'replace'] : ['copy', anyKey(), anyKey()]),
    rename: () => ['rename', anyKey(), anyKey()],
    renamenx: () => ['renamenx', anyKey(), anyKey()],
    flushdb: () => (r() < 0.5 ? ['flushdb'] : ['flushdb', 'async']),
    flushall: () => ['flushall'],
    expire: () => (r() < 0.8 ? ['expire', anyKey(), String(1 + n(1000))] : ['expire', anyKey(), String(1 + n(1000)), pick(['nx', 'xx', 'gt', 'lt'])]),
    pexpire: () => ['pexpire', anyKey(), ttlMs()],
    expireat: () => ['expireat', anyKey(), String(nowS() + n(200) - 20)],
    pexpireat: () => ['pexpireat', anyKey(), String(Date.now() + n(60) - 20)],
    persist: () => ['persist', anyKey()],
    set: () => {
      const a = ['set', r() < 0.8 ? sk() : anyKey(), val()];
      const x = n(6);
      if (x === 1) a.push('px', ttlMs());
      else if (x === 2) a.push('ex', String(1 + n(500)));
      else if (x === 3) a.push('keepttl');
      else if (x === 4) a.push(pick(['nx', 'xx']));
      else if (x === 5) a.push('get');
      return a;
    },
    getex: () => pick([['getex', sk(), 'px', ttlMs()], ['getex', sk(), 'persist'], ['getex', sk(), 'pxat', String(Date.now() - 5)], ['getex', sk(), 'ex', '100']]),
    getdel: () => ['getdel', sk()],
    getset: () => ['getset', sk(), val()],
    mset: () => ['mset', sk(), val(), sk(), val()],
    msetnx: () => ['msetnx', sk(), val(), sk(), val()],
    setnx: () => ['setnx', sk(), val()],
    setex: () => ['setex', sk(), String(1 + n(100)), val()],
    psetex: () => ['psetex', sk(), ttlMs(), val()],
    append: () => ['append', sk(), val()],
    incr: () => ['incr', sk()],
    decr: () => ['decr', sk()],
    incrby: () => ['incrby', sk(), String(n(100) - 50)],
    decrby: () => ['decrby', sk(), String(n(100))],
    incrbyfloat: () => ['incrbyfloat', sk(), (r() * 4 - 2).toFixed(2)],
    setrange: () => ['setrange', sk(), String(n(40)), 'R' + n(100)],
    setbit: () => ['setbit', sk(), String(n(300)), String(n(2))],
    bitop: () => (r() < 0.2 ? ['bitop', 'not', sk(), sk()] : ['bitop', pick(['and', 'or', 'xor']), sk(), sk(), sk()]),
    bitfield: () => ['bitfield', sk(), 'incrby', 'u8', '#' + n(20), String(n(300)), 'set', 'i16', String(n(100)), String(n(1000))],
    lpush: () => ['lpush', lk(), val(), val()],
    rpush: () => ['rpush', lk(), val()],
    lpushx: () => ['lpushx', lk(), val()],
    rpushx: () => ['rpushx', lk(), val()],
    lpop: () => (r() < 0.5 ? ['lpop', lk()] : ['lpop', lk(), String(1 + n(3))]),
    rpop: () => ['rpop', lk()],
    lset: () => ['lset', lk(), String(n(6) - 3), val()],
    linsert: () => ['linsert', lk(), pick(['before', 'after']), val(), val()],
    lrem: () => ['lrem', lk(), String(n(5) - 2), val()],
    ltrim: () => ['ltrim', lk(), String(n(3)), String(n(10) - 3)],
    lmove: () => ['lmove', lk(), lk(), pick(['left', 'right']), pick(['left', 'right'])],
    rpoplpush: () => ['rpoplpush', lk(), lk()],
    lmpop: () => ['lmpop', '2', lk(), lk(), pick(['left', 'right']), 'count', String(1 + n(3))],
    hset: () => ['hset', hk(), field(), val(), field(), val()],
    hsetnx: () => ['hsetnx', hk(), field(), val()],
    hmset: () => ['hmset', hk(), field(), val()],
    hdel: () => ['hdel', hk(), field(), field()],
    hincrby: () => ['hincrby', hk(), field(), String(n(10))],
    hincrbyfloat: () => ['hincrbyfloat', hk(), field(), '1.5'],
    sadd: () => ['sadd', setk(), member(), member(), member()],
    srem: () => ['srem', setk(), member(), member()],
    spop: () => (r() < 0.5 ? ['spop', setk()] : ['spop', setk(), String(1 + n(3))]),
    smove: () => ['smove', setk(), setk(), member()],
    sinterstore: () => ['sinterstore', setk(), setk(), setk()],
    sunionstore: () => ['sunionstore', setk(), setk(), setk()],
    sdiffstore: () => ['sdiffstore', setk(), setk(), setk()],
    zadd: () => {
      const opts = pick([[], ['nx'], ['xx'], ['gt', 'ch'], ['lt'], ['incr']]);
      return opts.includes('incr') ? ['zadd', zk(), 'incr', score(), member()] : ['zadd', zk(), ...opts, score(), member(), score(), member()];
    },
    zincrby: () => ['zincrby', zk(), score(), member()],
    zrangestore: () => ['zrangestore', zk(), zk(), '0', String(n(5))],
    zrem: () => ['zrem', zk(), member(), member()],
    zremrangebyrank: () => ['zremrangebyrank', zk(), '0', String(n(2))],
    zremrangebyscore: () => ['zremrangebyscore', zk(), String(n(20) - 10), String(n(20))],
    zremrangebylex: () => ['zremrangebylex', zk(), '[m1', '[m5'],
    zpopmin: () => ['zpopmin', zk(), String(1 + n(2))],
    zpopmax: () => ['zpopmax', zk()],
    zmpop: () => ['zmpop', '2', zk(), zk(), pick(['min', 'max'])],
    zunionstore: () => ['zunionstore', zk(), '2', zk(), zk()],
    zinterstore: () => ['zinterstore', zk(), '2', zk(), zk(), 'weights', '1', '2'],
    zdiffstore: () => ['zdiffstore', zk(), '2', zk(), zk()],
    // Blocking commands: the client running the workload never blocks (a FAKE client, like
    // inside MULTI), so these take the immediate path; with blockOn, the "served later" path too.
    blpop: () => ['blpop', lk(), lk(), timeout()],
    brpop: () => ['brpop', lk(), timeout()],
    brpoplpush: () => {
      if (blockOn !== undefined && r() < 0.3) {
        const q = 'q' + n(4);
        return servedLater(['brpoplpush', q, lk(), '0'], ['rpush', q, val()]);
      }
      return ['brpoplpush', lk(), lk(), timeout()];
    },
    blmove: () => {
      if (blockOn !== undefined && r() < 0.3) {
        const q = 'q' + n(4);
        return servedLater(['blmove', q, lk(), dir(), dir(), '0'], ['lpush', q, val(), val()]);
      }
      return ['blmove', lk(), lk(), dir(), dir(), timeout()];
    },
    blmpop: () => ['blmpop', timeout(), '2', lk(), lk(), dir(), 'count', String(1 + n(3))],
    bzpopmin: () => {
      if (blockOn !== undefined && r() < 0.2) {
        const q = 'qz' + n(4);
        return servedLater(['bzpopmin', q, '0'], ['zadd', q, score(), member()]);
      }
      return ['bzpopmin', zk(), zk(), timeout()];
    },
    bzpopmax: () => ['bzpopmax', zk(), timeout()],
    bzmpop: () => ['bzmpop', timeout(), '2', zk(), zk(), pick(['min', 'max']), 'count', String(1 + n(3))],
    // SORT ... STORE (SORT without STORE and SORT_RO are reads, below).
    sort: () => [...sortArgs(), 'store', r() < 0.7 ? lk() : anyKey()],
    // Geo: zsets written by GEOADD, or created/replaced by the STORE forms.
    geoadd: () => {
      const a = ['geoadd', gk(), ...pick([[], [], ['nx'], ['xx'], ['ch'], ['xx', 'ch']])];
      for (let i = 1 + n(3); i > 0; i--) a.push(lon(), lat(), geoMember());
      return a;
    },
    georadius: () => ['georadius', gk(), lon(), lat(), radius(), 'km', ...pick([[], ['count', String(1 + n(5))], ['asc']]), pick(['store', 'storedist']), r() < 0.8 ? gk() : anyKey()],
    georadiusbymember: () => ['georadiusbymember', gk(), geoMember(), radius(), 'km', pick(['store', 'storedist']), gk()],
    geosearchstore: () => [
      'geosearchstore',
      r() < 0.8 ? gk() : anyKey(),
      gk(),
      ...(r() < 0.5 ? ['frommember', geoMember()] : ['fromlonlat', lon(), lat()]),
      ...(r() < 0.5 ? ['byradius', radius(), 'km'] : ['bybox', radius(), radius(), 'km']),
      ...pick([[], ['storedist'], ['count', String(1 + n(4))], ['desc', 'count', '2', 'any']]),
    ],
    // HyperLogLog: strings changed in place (dense registers, the cached cardinality).
    pfadd: () => ['pfadd', pk(), ...hllElems()],
    pfmerge: () => ['pfmerge', pk(), pk(), ...(r() < 0.5 ? [pk()] : [])],
    pfdebug: () => ['pfdebug', pick(['todense', 'todense', 'getreg', 'encoding', 'decode']), pk()],
    pfcount: () => (r() < 0.8 ? ['pfcount', pk()] : ['pfcount', pk(), pk()]), // a read that writes the cache
    // Streams.
    xadd: () => {
      const a = ['xadd', xk()];
      if (r() < 0.15) a.push('nomkstream');
      const t = n(10);
      if (t === 0) a.push('maxlen', pick(['=', '~']), String(3 + n(20)));
      else if (t === 1) a.push('minid', String(Date.now() - n(300)));
      a.push('*', field(), val());
      if (r() < 0.3) a.push(field(), val());
      return a;
    },
    xtrim: () => {
      const k = xk();
      if (r() < 0.5) return ['xtrim', k, 'maxlen', pick(['=', '~']), String(n(15))];
      if (r() < 0.5) return ['xtrim', k, 'maxlen', '~', String(n(15)), 'limit', String(n(50))];
      return ['xtrim', k, 'minid', pick(streamIds(k))];
    },
    'xgroup|create': () => {
      const k = xk();
      const a = ['xgroup', 'create', k, group(), pick(['0', '$', '0', pick(streamIds(k))])];
      if (r() < 0.5) a.push('mkstream');
      if (r() < 0.2) a.push('entriesread', String(n(20)));
      return a;
    },
    'xgroup|setid': () => {
      const k = xk();
      const a = ['xgroup', 'setid', k, group(), pick(['0', '$', pick(streamIds(k))])];
      if (r() < 0.3) a.push('entriesread', String(n(20)));
      return a;
    },
    'xgroup|destroy': () => ['xgroup', 'destroy', xk(), group()],
    'xgroup|createconsumer': () => ['xgroup', 'createconsumer', xk(), group(), consumer()],
    'xgroup|delconsumer': () => ['xgroup', 'delconsumer', xk(), group(), consumer()],
    xreadgroup: () => {
      if (blockOn !== undefined && r() < 0.15) {
        // Blocks when the group has read everything; the XADD serves it, or a SWAPDB that
        // brings the same key with unread entries (an untouched value of the start) into the db.
        const k = xk();
        const serve = r() < 0.3 ? ['swapdb', db(), db()] : ['xadd', k, '*', field(), val()];
        return servedLater(['xreadgroup', 'group', group(), consumer(), 'count', '2', 'block', '0', 'streams', k, '>'], serve);
      }
      const a = ['xreadgroup', 'group', group(), consumer(), 'count', String(1 + n(6))];
      if (r() < 0.15) a.push('noack');
      const two = r() < 0.3;
      a.push('streams', xk());
      if (two) a.push(xk());
      a.push(pick(['>', '>', '0']));
      if (two) a.push(pick(['>', '0']));
      return a;
    },
    xsetid: () => {
      const a = ['xsetid', xk(), String(Date.now() + 1000 + n(1000)) + '-' + n(5)];
      if (r() < 0.3) a.push('entriesadded', String(1000 + n(100)), 'maxdeletedid', '0-' + n(9));
      return a;
    },
    xautoclaim: () => {
      const k = xk();
      const a = ['xautoclaim', k, group(), consumer(), '0', r() < 0.7 ? '0-0' : pick(streamIds(k)), 'count', String(1 + n(5))];
      if (r() < 0.3) a.push('justid');
      return a;
    },
  };
  if (exec !== undefined) {
    Object.assign(gens, {
      restore: () => {
        const a = ['restore', anyKey(), '0', payload()];
        const x = n(10);
        if (x < 6) a.push('replace');
        if (x === 6) a[2] = String(1000 + n(100000));
        if (x === 7) {
          a[2] = String(Date.now() + 100000 + n(1000));
          a.push('replace', 'absttl');
        }
        if (x === 8) a.push('replace', 'idletime', String(n(1000)));
        if (x === 9) a.push('replace', 'freq', String(n(256)));
        return a;
      },
      xdel: () => {
        const k = xk();
        return ['xdel', k, ...someIds(k)];
      },
      xack: () => {
        const k = xk();
        return ['xack', k, group(), ...someIds(k)];
      },
      xclaim: () => {
        const k = xk();
        const a = ['xclaim', k, group(), consumer(), String(n(2)), ...someIds(k)];
        const x = n(6);
        if (x === 1) a.push('justid');
        else if (x === 2) a.push('idle', String(n(10000)), 'retrycount', String(n(9)));
        else if (x === 3) a.push('time', String(Date.now() - n(5000)), 'force');
        else if (x === 4) a.push('force', 'lastid', pick(streamIds(k)));
        return a;
      },
      // Reads among the writes: they unpack packed values (Db.getObject) in the same "turn" as
      // the writes that follow; and none may change a value without telling the snapshot.
      read: () => {
        const x = n(16);
        if (x === 0) return ['hgetall', hk()];
        if (x === 1) return ['lrange', lk(), '0', '-1'];
        if (x === 2) return ['smembers', setk()];
        if (x === 3) return ['zrange', zk(), '0', '-1', 'withscores'];
        if (x === 4) return ['xinfo', 'stream', xk(), 'full'];
        if (x === 5) return ['xpending', xk(), group(), '-', '+', '10'];
        if (x === 6) return ['xrange', xk(), '-', '+'];
        if (x === 7) return ['xread', 'count', '3', 'streams', xk(), '0'];
        if (x === 8) return sortArgs();
        if (x === 9) return ['sort_ro', pick([lk, setk, zk])(), 'alpha'];
        if (x === 10) return ['georadius_ro', gk(), lon(), lat(), radius(), 'km', 'withdist'];
        if (x === 11) return ['geosearch', gk(), 'frommember', geoMember(), 'bybox', radius(), radius(), 'km'];
        if (x === 12) return ['dump', anyKey()];
        if (x === 13) return ['xinfo', pick(['groups', 'consumers']), xk(), ...(r() < 0.5 ? [group()] : [])];
        if (x === 14) return [pick(['hrandfield', 'srandmember', 'zrandmember']), pick([hk, setk, zk])(), '-3'];
        return ['object', 'encoding', anyKey()];
      },
    });
  }
  // Creation-heavy commands are drawn more often so the dataset does not drain.
  const weights: Record<string, number> = {
    set: 6, mset: 2, lpush: 4, rpush: 3, hset: 4, sadd: 4, zadd: 4, append: 2, setrange: 2, setbit: 2,
    xadd: 5, 'xgroup|create': 3, xreadgroup: 3, geoadd: 3, pfadd: 3, pfcount: 2, read: 4,
    flushdb: o.flushWeight ?? 0.01, flushall: (o.flushWeight ?? 0.01) / 3, swapdb: o.swapWeight ?? 0.2,
  };
  const names = Object.keys(gens);
  const cum: number[] = [];
  let total = 0;
  for (const name of names) {
    total += weights[name] ?? 1;
    cum.push(total);
  }
  return {
    commands: names,
    next() {
      const x = r() * total;
      let i = 0;
      while (cum[i]! <= x) i++;
      return gens[names[i]!]!();
    },
  };
}

/** Write commands of the table (name or container|sub): everything that may change data. */
export function writeCommandNames(server: Server): string[] {
  const out: string[] = [];
  for (const cmd of server.commands.allWithSubcommands()) if (cmd.has('write')) out.push(cmd.fullName);
  return out.sort();
}
