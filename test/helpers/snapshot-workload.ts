/**
 * In-process harness for the snapshot engine tests (test/unit/snapshot*.test.ts): a Server that
 * does not listen, an internal client that runs commands through the real dispatcher, a
 * canonical dump of the dataset (the "deep copy at the start"), a recording serializer, and a
 * random generator of every write command of the command table.
 */

import assert from 'node:assert/strict';
import { Config } from '../../src/config/index.js';
import { Server } from '../../src/server/server.js';
import type { Client } from '../../src/server/client.js';
import { processCommand } from '../../src/server/dispatch.js';
import { TYPE_STRING, type Db } from '../../src/store/db.js';
import type { SnapshotConsumer } from '../../src/persistence/snapshot.js';

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
  /** Runs one command (strings are latin1); returns the raw reply. */
  run(...args: Array<string | Buffer>): string;
  /** Command names run so far (lower case). */
  used: Set<string>;
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
  return {
    server,
    client,
    used,
    warnings,
    run(...args) {
      const argv = args.map((a) => (typeof a === 'string' ? Buffer.from(a, 'latin1') : a));
      used.add(L(argv[0]!).toLowerCase());
      processCommand(client, argv);
      const out = client.reply.take().toString('latin1');
      if (out.startsWith('-ERR internal')) assert.fail('internal error for ' + args.join(' ') + ': ' + out);
      return out;
    },
  };
}

/** A value as text, independent of its encoding; sets/hashes/zsets sorted. Copies now. */
export function canonical(server: Server, db: Db, id: number): string {
  const t = db.typeOf(id);
  if (t === TYPE_STRING) return 'string:' + L(db.getString(id));
  const fn = server.valueDigesters.get(t);
  assert.ok(fn !== undefined, 'no digester registered for type ' + t);
  const v = fn(db.getObject(id));
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

/** Asserts the recorded snapshot is exactly `start`: every key once, same type/value/TTL. */
export function assertSnapshotEquals(rec: Recorder, start: Map<string, Rec>, label: string): void {
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
}

export function workload(r: () => number, o: WorkloadOptions): Workload {
  const n = (k: number): number => Math.floor(r() * k);
  const pick = <T>(a: readonly T[]): T => a[n(a.length)]!;
  const sk = (): string => 's' + n(o.pool);
  const lk = (): string => 'l' + n(o.pool);
  const hk = (): string => 'h' + n(o.pool);
  const setk = (): string => 'S' + n(o.pool);
  const zk = (): string => 'z' + n(o.pool);
  const anyKey = (): string => {
    const x = n(6);
    if (x === 5 && o.bulk > 0) return 'b' + n(o.bulk);
    return [sk, lk, hk, setk, zk][x % 5]!();
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
  };
  // Creation-heavy commands are drawn more often so the dataset does not drain.
  const weights: Record<string, number> = {
    set: 6, mset: 2, lpush: 4, rpush: 3, hset: 4, sadd: 4, zadd: 4, append: 2, setrange: 2, setbit: 2,
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
