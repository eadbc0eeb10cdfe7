/**
 * The string family: SET/GET and friends, counters, ranges and LCS (Redis 7.0 semantics).
 *
 * Every behaviour here was checked against redis-server 7.0.15: argument parsing order (which
 * error wins), hit/miss accounting and "keymiss" events (reads use readKey, writes lookupWrite), dirty counts,
 * keyspace events, the replicated form of each command and the OBJECT ENCODING a value ends
 * up with (the Db RAW flag: APPEND/SETRANGE turn a value "raw", SET/INCR make it natural again).
 *
 * Hot path (GET/SET/INCR/MGET/MSET): one hash lookup per key where possible (the id returned by
 * the lookup is written through), no string conversions, counters formatted into a scratch
 * buffer that the Db copies from.
 */

import type { Client } from '../server/client.js';
import { ClientFlag } from '../server/client.js';
import type { CommandSpec, KeySpec } from './spec.js';
import { ERR, arityError, invalidExpireError } from '../protocol/errors.js';
import { lookupRead, lookupWrite, touchKey } from '../store/expire.js';
import { NOTIFY } from '../store/notify.js';
import { TYPE_STRING, type Db } from '../store/db.js';
import { MAX_CHUNK } from '../store/slab.js';
import {
  I64_MAX,
  I64_MIN,
  addI64,
  negI64,
  incrByFloat,
  parseI64,
  parseI64AsNumber,
  writeI64,
  type I64,
} from '../util/numbers.js';

// ------------------------------------------------------------------ error texts (7.0.15)

const ERR_DECR_OVERFLOW = 'ERR decrement would overflow';
const ERR_LCS_TYPE = 'ERR The specified keys must contain string values';
const ERR_LCS_LEN_IDX = 'ERR If you want both the length and indexes, please just use IDX.';
const ERR_LCS_MEMORY = 'ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len';

// ------------------------------------------------------------------ shared helpers

function enc(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

const B_SET = enc('SET');
const B_PXAT = enc('PXAT');
const B_KEEPTTL = enc('KEEPTTL');
const B_DEL = enc('DEL');
const B_UNLINK = enc('UNLINK');
const B_PEXPIREAT = enc('PEXPIREAT');
const B_PERSIST = enc('PERSIST');
const B_MATCHES = enc('matches');
const B_LEN = enc('len');

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * Case-insensitive comparison of an argument with a lower-case ASCII word made of letters
 * (and '_'), without allocating. `x | 0x20` maps only 'A'-'Z' onto 'a'-'z' among the bytes
 * that can produce a letter, so no other byte can match.
 */
export function eqi(arg: Buffer, word: string): boolean {
  const n = word.length;
  if (arg.length !== n) return false;
  for (let i = 0; i < n; i++) {
    const w = word.charCodeAt(i);
    const b = arg[i]!;
    if (b !== w && (b | 0x20) !== w) return false;
  }
  return true;
}

/** A Redis 7.0 "range" key spec, spelled the way COMMAND INFO prints it. */
export function rangeSpec(flags: string[], index: number, lastkey: number, step = 1, notes?: string): KeySpec {
  const s: KeySpec = { flags, begin: { index }, find: { range: { lastkey, step, limit: 0 } } };
  if (notes !== undefined) s.notes = notes;
  return s;
}

/**
 * Read lookup (Redis's lookupKeyRead): hit/miss statistics, LRU touch, lazy expiry, and the
 * "keymiss" keyspace event on a miss (class 'm').
 */
export function readKey(c: Client, key: Buffer): number {
  const id = lookupRead(c, key);
  if (id < 0) c.server.notify(NOTIFY.KEY_MISS, 'keymiss', key, c.dbIndex);
  return id;
}

/** Set by firstKeyOfType: the entry id of the key it found. */
export let foundKeyId = -1;

/**
 * The key scan of BLPOP, BRPOP, BZPOPMIN/MAX, LMPOP, BLMPOP, ZMPOP and BZMPOP: the index in argv of the first of
 * argv[from, to) that exists (write lookup, as Redis's pops do), its entry id left in
 * `foundKeyId`; -1 when none exists; -2 after replying WRONGTYPE when the first existing key
 * holds another type.
 */
export function firstKeyOfType(c: Client, argv: Buffer[], from: number, to: number, type: number): number {
  for (let i = from; i < to; i++) {
    const id = lookupWrite(c, argv[i]!);
    if (id < 0) continue;
    if (c.db.typeOf(id) !== type) {
      c.reply.error(ERR.wrongType);
      return -2;
    }
    foundKeyId = id;
    return i;
  }
  return -1;
}

/** Redis exempts its master's stream from the string size limits (the master already checked). */
export function sizeLimited(c: Client): boolean {
  return (c.flags & ClientFlag.MASTER) === 0;
}

/**
 * Large strings that grow (APPEND, SETRANGE, SETBIT, BITFIELD) get spare capacity like an sds
 * string, so that growing by small steps is amortised O(1) instead of copying the whole value
 * each time. The value stored in the Db is a view of a bigger backing store; this map records,
 * per backing store, where its last committed byte ends. A view may be extended in place only
 * when it ends exactly there: bytes that another view (an older value held elsewhere) can see
 * are never rewritten by growth.
 */
const committedEnd = new WeakMap<ArrayBuffer, number>();
const GROW_STEP_LIMIT = 1024 * 1024;

function allocWithSpare(len: number): Buffer {
  const cap = len < GROW_STEP_LIMIT ? len * 2 : len + GROW_STEP_LIMIT;
  const backing = Buffer.allocUnsafeSlow(cap);
  committedEnd.set(backing.buffer as ArrayBuffer, len);
  return backing.subarray(0, len);
}

/**
 * Makes the string value of entry `id` exactly `newLen` bytes long (newLen >= current length),
 * keeping its bytes and zero-filling the new ones. Returns the stored bytes (writes into the
 * returned Buffer change the value). TTL and LRU are kept; the RAW flag is cleared (callers set
 * it again). Other ids of the Db stay valid.
 */
export function growString(db: Db, id: number, newLen: number): Buffer {
  const cur = db.getString(id);
  const oldLen = cur.length;
  if (newLen === oldLen) return cur;
  if (db.keyLength(id) + newLen <= MAX_CHUNK) {
    const tmp = Buffer.alloc(newLen);
    cur.copy(tmp, 0, 0, oldLen);
    db.setStringById(id, tmp);
    return db.getString(id);
  }
  const ab = cur.buffer as ArrayBuffer;
  const start = cur.byteOffset;
  if (committedEnd.get(ab) === start + oldLen && start + newLen <= ab.byteLength) {
    const view = Buffer.from(ab, start, newLen);
    view.fill(0, oldLen);
    committedEnd.set(ab, start + newLen);
    db.replaceObject(id, TYPE_STRING, view);
    return view;
  }
  const next = allocWithSpare(newLen);
  cur.copy(next, 0, 0, oldLen);
  next.fill(0, oldLen);
  db.replaceObject(id, TYPE_STRING, next);
  return next;
}

/** Creates `key` (known not to exist) as a zero-filled string of `len` bytes; returns its id. */
export function createZeroString(db: Db, key: Buffer, len: number): number {
  if (key.length + len <= MAX_CHUNK) return db.setString(key, len === 0 ? EMPTY : Buffer.alloc(len));
  // Exact size, like a new sds: spare capacity is only given to strings that grow.
  return db.setObject(key, TYPE_STRING, Buffer.alloc(len));
}

const EMPTY = Buffer.alloc(0);

// Scratch for formatting counters: views[n] is the first n bytes (the Db copies the value).
const NUM_SCRATCH = Buffer.allocUnsafe(24);
const NUM_VIEWS: Buffer[] = [];
for (let i = 0; i <= 24; i++) NUM_VIEWS.push(NUM_SCRATCH.subarray(0, i));

// ------------------------------------------------------------------ SET / GETEX options

const F_NX = 1;
const F_XX = 2;
const F_GET = 4;
const F_KEEPTTL = 8;
const F_EX = 16;
const F_PX = 32;
const F_EXAT = 64;
const F_PXAT = 128;
const F_PERSIST = 256;
const F_EXPIRE = F_EX | F_PX | F_EXAT | F_PXAT;

/** Index of the expire argument found by parseTimeArgs. */
let expireArgIndex = 0;

/**
 * Parses SET (isSet) or GETEX options from argv[from]. Returns the flags, or -1 for a syntax
 * error. Repeating an option is allowed (the last expire value wins); options that conflict
 * (NX/XX, two different expire units, KEEPTTL or PERSIST with an expire) are syntax errors.
 */
function parseTimeArgs(argv: Buffer[], from: number, isSet: boolean): number {
  let flags = 0;
  const n = argv.length;
  for (let j = from; j < n; j++) {
    const a = argv[j]!;
    const len = a.length;
    const hasNext = j + 1 < n;
    const c0 = a[0]! | 0x20;
    if (len === 2) {
      const c1 = a[1]! | 0x20;
      if (isSet && c0 === 0x6e && c1 === 0x78 && (flags & F_XX) === 0) {
        flags |= F_NX; // nx
        continue;
      }
      if (isSet && c0 === 0x78 && c1 === 0x78 && (flags & F_NX) === 0) {
        flags |= F_XX; // xx
        continue;
      }
      if (c1 === 0x78 && (c0 === 0x65 || c0 === 0x70) && hasNext) {
        // ex / px
        const me = c0 === 0x65 ? F_EX : F_PX;
        if ((flags & (F_KEEPTTL | F_PERSIST | (F_EXPIRE & ~me))) === 0) {
          flags |= me;
          expireArgIndex = ++j;
          continue;
        }
      }
      return -1;
    }
    if (len === 3 && isSet && eqi(a, 'get')) {
      flags |= F_GET;
      continue;
    }
    if (len === 4 && hasNext) {
      const me = eqi(a, 'exat') ? F_EXAT : eqi(a, 'pxat') ? F_PXAT : 0;
      if (me !== 0 && (flags & (F_KEEPTTL | F_PERSIST | (F_EXPIRE & ~me))) === 0) {
        flags |= me;
        expireArgIndex = ++j;
        continue;
      }
      return -1;
    }
    if (len === 7 && isSet && eqi(a, 'keepttl') && (flags & F_EXPIRE) === 0) {
      flags |= F_KEEPTTL;
      continue;
    }
    if (len === 7 && !isSet && eqi(a, 'persist') && (flags & F_EXPIRE) === 0) {
      flags |= F_PERSIST;
      continue;
    }
    return -1;
  }
  return flags;
}

/** Absolute expire time computed by computeExpire (ms), and its exact value when unsafe. */
let expAt = 0;
let expireAtBig: bigint | null = null;

/**
 * Converts an expire argument to absolute unix ms the way Redis 7.0 does: a non-integer is
 * "not an integer"; values <= 0, seconds that overflow when multiplied by 1000, and relative
 * times that overflow when now is added are "invalid expire time". Returns an error or null.
 */
function computeExpire(arg: Buffer, seconds: boolean, absolute: boolean, cmd: string): string | null {
  const v = parseI64(arg);
  if (v === null) return ERR.notInteger;
  if (typeof v === 'number') {
    if (v <= 0) return invalidExpireError(cmd);
    let ms = seconds ? v * 1000 : v;
    if (!absolute) ms += Date.now();
    if (ms <= MAX_SAFE) {
      expAt = ms;
      expireAtBig = null;
      return null;
    }
  }
  let b = BigInt(v);
  if (b <= 0n) return invalidExpireError(cmd);
  if (seconds) {
    if (b > I64_MAX / 1000n) return invalidExpireError(cmd);
    b *= 1000n;
  }
  if (!absolute) {
    const now = BigInt(Date.now());
    if (b > I64_MAX - now) return invalidExpireError(cmd);
    b += now;
  }
  expAt = Number(b);
  expireAtBig = b;
  return null;
}

function expireArg(): Buffer {
  return enc(expireAtBig !== null ? expireAtBig.toString() : String(expAt));
}

function computeExpireFromFlags(argv: Buffer[], flags: number, cmd: string): string | null {
  return computeExpire(argv[expireArgIndex]!, (flags & (F_EX | F_EXAT)) !== 0, (flags & (F_EXAT | F_PXAT)) !== 0, cmd);
}

/**
 * Writes `value` as the string at `key` whose lookup gave `id` (-1: missing). Removes the TTL
 * unless keepTtl. Returns the entry id.
 */
function writeString(c: Client, id: number, key: Buffer, value: Buffer, keepTtl: boolean): number {
  const db = c.db;
  if (id >= 0) {
    db.setStringById(id, value);
    if (!keepTtl) db.removeExpire(id);
    return id;
  }
  return db.setString(key, value);
}

/**
 * Plain overwrite without conditions (SET, MSET, SETEX): one hash lookup when no key can be
 * expired; otherwise lookupWrite first so an expired key is deleted (and its DEL propagated)
 * exactly as Redis's setKey does.
 */
function overwriteString(c: Client, key: Buffer, value: Buffer, keepTtl: boolean): number {
  const db = c.db;
  if (db.volatileCount === 0) {
    const before = db.size;
    const id = db.setString(key, value, keepTtl);
    // An overwritten value is a new object in Redis: its idle time restarts.
    if (db.size === before) touchKey(db, id);
    return id;
  }
  return writeString(c, lookupWrite(c, key), key, value, keepTtl);
}

/** The part of SET shared with SETEX/PSETEX/SETNX (options parsed, expire computed). */
function setGeneric(c: Client, argv: Buffer[], key: Buffer, value: Buffer, flags: number): void {
  const db = c.db;
  let id: number;
  if ((flags & F_GET) !== 0) {
    id = readKey(c, key);
    if (id >= 0) {
      if (db.typeOf(id) !== TYPE_STRING) {
        c.reply.error(ERR.wrongType);
        return;
      }
      c.reply.bulk(db.getString(id));
    } else {
      c.reply.nullBulk();
    }
    if (((flags & F_NX) !== 0 && id >= 0) || ((flags & F_XX) !== 0 && id < 0)) return;
    id = writeString(c, id, key, value, (flags & F_KEEPTTL) !== 0);
  } else if ((flags & (F_NX | F_XX)) !== 0) {
    id = lookupWrite(c, key);
    if (((flags & F_NX) !== 0 && id >= 0) || ((flags & F_XX) !== 0 && id < 0)) {
      c.reply.nullBulk();
      return;
    }
    id = writeString(c, id, key, value, (flags & F_KEEPTTL) !== 0);
    c.reply.ok();
  } else {
    id = overwriteString(c, key, value, (flags & F_KEEPTTL) !== 0);
    c.reply.ok();
  }
  const server = c.server;
  const dbIndex = c.dbIndex;
  server.dirty++;
  server.keyModified(dbIndex, key);
  server.notify(NOTIFY.STRING, 'set', key, dbIndex);
  if ((flags & F_EXPIRE) !== 0) {
    db.setExpireAt(id, expAt);
    server.notify(NOTIFY.GENERIC, 'expire', key, dbIndex);
    // Replicas get an absolute time; NX/XX/GET are meaningless once the write happened.
    c.propagateArgv = [B_SET, key, value, B_PXAT, expireArg()];
  } else if ((flags & F_GET) !== 0) {
    c.propagateArgv = withoutGet(argv);
  }
}

/** argv minus every GET option (replicas must not reply anything). */
function withoutGet(argv: Buffer[]): Buffer[] {
  const out: Buffer[] = [argv[0]!, argv[1]!, argv[2]!];
  for (let j = 3; j < argv.length; j++) {
    const a = argv[j]!;
    if (!eqi(a, 'get')) out.push(a);
  }
  return out;
}

// ------------------------------------------------------------------ handlers: set/get family

function setCommand(c: Client, argv: Buffer[]): void {
  if (argv.length === 3) {
    overwriteString(c, argv[1]!, argv[2]!, false);
    c.reply.ok();
    const server = c.server;
    server.dirty++;
    server.keyModified(c.dbIndex, argv[1]!);
    server.notify(NOTIFY.STRING, 'set', argv[1]!, c.dbIndex);
    return;
  }
  const flags = parseTimeArgs(argv, 3, true);
  if (flags < 0) {
    c.reply.error(ERR.syntax);
    return;
  }
  if ((flags & F_EXPIRE) !== 0) {
    const err = computeExpireFromFlags(argv, flags, 'set');
    if (err !== null) {
      c.reply.error(err);
      return;
    }
  }
  setGeneric(c, argv, argv[1]!, argv[2]!, flags);
}

function setnxCommand(c: Client, argv: Buffer[]): void {
  const key = argv[1]!;
  const id = lookupWrite(c, key);
  if (id >= 0) {
    c.reply.integer(0);
    return;
  }
  c.db.setString(key, argv[2]!);
  const server = c.server;
  server.dirty++;
  server.keyModified(c.dbIndex, key);
  server.notify(NOTIFY.STRING, 'set', key, c.dbIndex);
  c.reply.integer(1);
}

function setexGeneric(c: Client, argv: Buffer[], seconds: boolean, cmd: string): void {
  const err = computeExpire(argv[2]!, seconds, false, cmd);
  if (err !== null) {
    c.reply.error(err);
    return;
  }
  const key = argv[1]!;
  const value = argv[3]!;
  const id = overwriteString(c, key, value, false);
  c.db.setExpireAt(id, expAt);
  const server = c.server;
  server.dirty++;
  server.keyModified(c.dbIndex, key);
  server.notify(NOTIFY.STRING, 'set', key, c.dbIndex);
  server.notify(NOTIFY.GENERIC, 'expire', key, c.dbIndex);
  c.propagateArgv = [B_SET, key, value, B_PXAT, expireArg()];
  c.reply.ok();
}

function setexCommand(c: Client, argv: Buffer[]): void {
  setexGeneric(c, argv, true, 'setex');
}

function psetexCommand(c: Client, argv: Buffer[]): void {
  setexGeneric(c, argv, false, 'psetex');
}

function getCommand(c: Client, argv: Buffer[]): void {
  const id = readKey(c, argv[1]!);
  if (id < 0) {
    c.reply.nullBulk();
    return;
  }
  const db = c.db;
  if (db.typeOf(id) !== TYPE_STRING) {
    c.reply.error(ERR.wrongType);
    return;
  }
  db.replyString(id, c.reply);
}

function getexCommand(c: Client, argv: Buffer[]): void {
  let flags = 0;
  if (argv.length > 2) {
    flags = parseTimeArgs(argv, 2, false);
    if (flags < 0) {
      c.reply.error(ERR.syntax);
      return;
    }
  }
  const key = argv[1]!;
  const db = c.db;
  const id = readKey(c, key);
  if (id < 0) {
    c.reply.nullBulk();
    return;
  }
  if (db.typeOf(id) !== TYPE_STRING) {
    c.reply.error(ERR.wrongType);
    return;
  }
  if ((flags & F_EXPIRE) !== 0) {
    const err = computeExpireFromFlags(argv, flags, 'getex');
    if (err !== null) {
      c.reply.error(err);
      return;
    }
  }
  c.reply.bulk(db.getString(id));
  const server = c.server;
  const dbIndex = c.dbIndex;
  if ((flags & F_EXPIRE) !== 0) {
    // An absolute time already in the past deletes the key (not on a replica: its master will).
    if ((flags & (F_EXAT | F_PXAT)) !== 0 && expAt <= Date.now() && !server.isReplica) {
      db.deleteId(id);
      c.propagateArgv = [server.config.getBool('lazyfree-lazy-expire') ? B_UNLINK : B_DEL, key];
      server.dirty++;
      server.keyModified(dbIndex, key);
      server.notify(NOTIFY.GENERIC, 'del', key, dbIndex);
      return;
    }
    db.setExpireAt(id, expAt);
    c.propagateArgv = [B_PEXPIREAT, key, expireArg()];
    server.dirty++;
    server.keyModified(dbIndex, key);
    server.notify(NOTIFY.GENERIC, 'expire', key, dbIndex);
  } else if ((flags & F_PERSIST) !== 0) {
    if (db.removeExpire(id)) {
      c.propagateArgv = [B_PERSIST, key];
      server.dirty++;
      server.keyModified(dbIndex, key);
      server.notify(NOTIFY.GENERIC, 'persist', key, dbIndex);
    }
  }
}

function getdelCommand(c: Client, argv: Buffer[]): void {
  const key = argv[1]!;
  const db = c.db;
  const id = readKey(c, key);
  if (id < 0) {
    c.reply.nullBulk();
    return;
  }
  if (db.typeOf(id) !== TYPE_STRING) {
    c.reply.error(ERR.wrongType);
    return;
  }
  c.reply.bulk(db.getString(id));
  db.deleteId(id);
  const server = c.server;
  c.propagateArgv = [server.config.getBool('lazyfree-lazy-user-del') ? B_UNLINK : B_DEL, key];
  server.dirty++;
  server.keyModified(c.dbIndex, key);
  server.notify(NOTIFY.GENERIC, 'del', key, c.dbIndex);
}

function getsetCommand(c: Client, argv: Buffer[]): void {
  const key = argv[1]!;
  const value = argv[2]!;
  const db = c.db;
  const id = readKey(c, key);
  if (id >= 0) {
    if (db.typeOf(id) !== TYPE_STRING) {
      c.reply.error(ERR.wrongType);
      return;
    }
    c.reply.bulk(db.getString(id));
  } else {
    c.reply.nullBulk();
  }
  writeString(c, id, key, value, false);
  const server = c.server;
  server.dirty++;
  server.keyModified(c.dbIndex, key);
  server.notify(NOTIFY.STRING, 'set', key, c.dbIndex);
  c.propagateArgv = [B_SET, key, value];
}

function mgetCommand(c: Client, argv: Buffer[]): void {
  const n = argv.length;
  const reply = c.reply;
  const db = c.db;
  reply.arrayLen(n - 1);
  for (let j = 1; j < n; j++) {
    const id = readKey(c, argv[j]!);
    if (id < 0 || db.typeOf(id) !== TYPE_STRING) reply.nullBulk();
    else reply.bulk(db.getString(id));
  }
}

function msetCommand(c: Client, argv: Buffer[]): void {
  const n = argv.length;
  if ((n & 1) === 0) {
    c.reply.error(arityError('mset'));
    return;
  }
  const server = c.server;
  const dbIndex = c.dbIndex;
  for (let j = 1; j < n; j += 2) {
    const key = argv[j]!;
    overwriteString(c, key, argv[j + 1]!, false);
    server.keyModified(dbIndex, key);
    server.notify(NOTIFY.STRING, 'set', key, dbIndex);
  }
  server.dirty += (n - 1) >> 1;
  c.reply.ok();
}

function msetnxCommand(c: Client, argv: Buffer[]): void {
  const n = argv.length;
  if ((n & 1) === 0) {
    c.reply.error(arityError('msetnx'));
    return;
  }
  for (let j = 1; j < n; j += 2) {
    if (lookupWrite(c, argv[j]!) >= 0) {
      c.reply.integer(0);
      return;
    }
  }
  const server = c.server;
  const dbIndex = c.dbIndex;
  const db = c.db;
  for (let j = 1; j < n; j += 2) {
    const key = argv[j]!;
    // A key may be repeated: the later value overwrites the earlier one.
    db.setString(key, argv[j + 1]!);
    server.keyModified(dbIndex, key);
    server.notify(NOTIFY.STRING, 'set', key, dbIndex);
  }
  server.dirty += (n - 1) >> 1;
  c.reply.integer(1);
}

function strlenCommand(c: Client, argv: Buffer[]): void {
  const id = readKey(c, argv[1]!);
  if (id < 0) {
    c.reply.integer(0);
    return;
  }
  const db = c.db;
  if (db.typeOf(id) !== TYPE_STRING) {
    c.reply.error(ERR.wrongType);
    return;
  }
  c.reply.integer(db.stringLength(id));
}

function appendCommand(c: Client, argv: Buffer[]): void {
  const key = argv[1]!;
  const value = argv[2]!;
  const db = c.db;
  const id = lookupWrite(c, key);
  let total: number;
  if (id < 0) {
    // A new key is created exactly like SET creates it (natural encoding).
    db.setString(key, value);
    total = value.length;
  } else {
    if (db.typeOf(id) !== TYPE_STRING) {
      c.reply.error(ERR.wrongType);
      return;
    }
    const oldLen = db.stringLength(id);
    total = oldLen + value.length;
    if (total > c.server.protoMaxBulkLen && sizeLimited(c)) {
      c.reply.error(ERR.stringTooLong);
      return;
    }
    if (value.length > 0) {
      const buf = growString(db, id, total);
      value.copy(buf, oldLen);
    }
    db.setRaw(id, true);
  }
  const server = c.server;
  server.dirty++;
  server.keyModified(c.dbIndex, key);
  server.notify(NOTIFY.STRING, 'append', key, c.dbIndex);
  c.reply.integer(total);
}

// ------------------------------------------------------------------ counters

function replyI64(c: Client, v: I64): void {
  if (typeof v === 'number') c.reply.integer(v);
  else c.reply.bigint(v);
}

function incrDecr(c: Client, key: Buffer, delta: I64): void {
  const db = c.db;
  const id = lookupWrite(c, key);
  let cur: I64 = 0;
  if (id >= 0) {
    if (db.typeOf(id) !== TYPE_STRING) {
      c.reply.error(ERR.wrongType);
      return;
    }
    const v = parseI64(db.getString(id));
    if (v === null) {
      c.reply.error(ERR.notInteger);
      return;
    }
    cur = v;
  }
  const next = addI64(cur, delta);
  if (next === null) {
    c.reply.error(ERR.overflow);
    return;
  }
  const end = writeI64(NUM_SCRATCH, 0, next);
  // The TTL of an existing key is kept.
  if (id >= 0) db.setStringById(id, NUM_VIEWS[end]!);
  else db.setString(key, NUM_VIEWS[end]!);
  const server = c.server;
  server.dirty++;
  server.keyModified(c.dbIndex, key);
  server.notify(NOTIFY.STRING, 'incrby', key, c.dbIndex);
  replyI64(c, next);
}

function incrCommand(c: Client, argv: Buffer[]): void {
  incrDecr(c, argv[1]!, 1);
}

function decrCommand(c: Client, argv: Buffer[]): void {
  incrDecr(c, argv[1]!, -1);
}

function incrbyCommand(c: Client, argv: Buffer[]): void {
  const by = parseI64(argv[2]!);
  if (by === null) {
    c.reply.error(ERR.notInteger);
    return;
  }
  incrDecr(c, argv[1]!, by);
}

function decrbyCommand(c: Client, argv: Buffer[]): void {
  const by = parseI64(argv[2]!);
  if (by === null) {
    c.reply.error(ERR.notInteger);
    return;
  }
  if (by === I64_MIN) {
    // Rejected even when the result would fit (0 - MIN): Redis negates the increment first.
    c.reply.error(ERR_DECR_OVERFLOW);
    return;
  }
  incrDecr(c, argv[1]!, negI64(by)!);
}

function incrbyfloatCommand(c: Client, argv: Buffer[]): void {
  const key = argv[1]!;
  const db = c.db;
  const id = lookupWrite(c, key);
  let cur: Buffer | null = null;
  if (id >= 0) {
    if (db.typeOf(id) !== TYPE_STRING) {
      c.reply.error(ERR.wrongType);
      return;
    }
    cur = db.getString(id);
  }
  const r = incrByFloat(cur, argv[2]!);
  if (typeof r === 'string') {
    c.reply.error(r);
    return;
  }
  // Redis stores the formatted number as a plain string object: never "int" encoded.
  let nid = id;
  if (id >= 0) db.setStringById(id, r);
  else nid = db.setString(key, r);
  db.setNoInt(nid, true);
  const server = c.server;
  server.dirty++;
  server.keyModified(c.dbIndex, key);
  server.notify(NOTIFY.STRING, 'incrbyfloat', key, c.dbIndex);
  // Replicas must not redo the float arithmetic: they get the result (TTL untouched).
  c.propagateArgv = [B_SET, key, r, B_KEEPTTL];
  c.reply.bulk(r);
}

// ------------------------------------------------------------------ ranges

function getrangeCommand(c: Client, argv: Buffer[]): void {
  let start = parseI64AsNumber(argv[2]!);
  let end = parseI64AsNumber(argv[3]!);
  if (start !== start || end !== end) {
    c.reply.error(ERR.notInteger);
    return;
  }
  const db = c.db;
  const id = readKey(c, argv[1]!);
  if (id < 0) {
    c.reply.bulkStr('');
    return;
  }
  if (db.typeOf(id) !== TYPE_STRING) {
    c.reply.error(ERR.wrongType);
    return;
  }
  const s = db.getString(id);
  const len = s.length;
  if (start < 0 && end < 0 && start > end) {
    c.reply.bulkStr('');
    return;
  }
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len === 0) {
    c.reply.bulkStr('');
    return;
  }
  c.reply.bulkSlice(s, start, end + 1);
}

function setrangeCommand(c: Client, argv: Buffer[]): void {
  const offset = parseI64AsNumber(argv[2]!);
  if (offset !== offset) {
    c.reply.error(ERR.notInteger);
    return;
  }
  if (offset < 0) {
    c.reply.error(ERR.offsetOutOfRange);
    return;
  }
  const key = argv[1]!;
  const value = argv[3]!;
  const vlen = value.length;
  const db = c.db;
  let id = lookupWrite(c, key);
  let total: number;
  if (id < 0) {
    if (vlen === 0) {
      c.reply.integer(0);
      return;
    }
    total = offset + vlen;
    if (total > c.server.protoMaxBulkLen && sizeLimited(c)) {
      c.reply.error(ERR.stringTooLong);
      return;
    }
    id = createZeroString(db, key, total);
    value.copy(db.getString(id), offset);
  } else {
    if (db.typeOf(id) !== TYPE_STRING) {
      c.reply.error(ERR.wrongType);
      return;
    }
    const oldLen = db.stringLength(id);
    if (vlen === 0) {
      c.reply.integer(oldLen);
      return;
    }
    if (offset + vlen > c.server.protoMaxBulkLen && sizeLimited(c)) {
      c.reply.error(ERR.stringTooLong);
      return;
    }
    total = Math.max(oldLen, offset + vlen);
    const buf = total > oldLen ? growString(db, id, total) : db.getString(id);
    value.copy(buf, offset);
  }
  db.setRaw(id, true);
  const server = c.server;
  server.dirty++;
  server.keyModified(c.dbIndex, key);
  server.notify(NOTIFY.STRING, 'setrange', key, c.dbIndex);
  c.reply.integer(total);
}

// ------------------------------------------------------------------ LCS

/**
 * LCS: the classic O(n*m) table (bounded like Redis: 4 bytes per cell must fit in
 * proto-max-bulk-len), then a walk back from the end that yields the string or the match ranges
 * (last match first, as Redis lists them).
 */
function lcsCommand(c: Client, argv: Buffer[]): void {
  const db = c.db;
  const ida = readKey(c, argv[1]!);
  const idb = readKey(c, argv[2]!);
  if ((ida >= 0 && db.typeOf(ida) !== TYPE_STRING) || (idb >= 0 && db.typeOf(idb) !== TYPE_STRING)) {
    c.reply.error(ERR_LCS_TYPE);
    return;
  }
  let getLen = false;
  let getIdx = false;
  let withMatchLen = false;
  let minMatchLen = 0;
  const n = argv.length;
  for (let j = 3; j < n; j++) {
    const a = argv[j]!;
    if (eqi(a, 'idx')) getIdx = true;
    else if (eqi(a, 'len')) getLen = true;
    else if (eqi(a, 'withmatchlen')) withMatchLen = true;
    else if (eqi(a, 'minmatchlen') && j + 1 < n) {
      const v = parseI64AsNumber(argv[++j]!);
      if (v !== v) {
        c.reply.error(ERR.notInteger);
        return;
      }
      minMatchLen = v < 0 ? 0 : v;
    } else {
      c.reply.error(ERR.syntax);
      return;
    }
  }
  if (getLen && getIdx) {
    c.reply.error(ERR_LCS_LEN_IDX);
    return;
  }
  const a = ida >= 0 ? db.getString(ida) : EMPTY;
  const b = idb >= 0 ? db.getString(idb) : EMPTY;
  const alen = a.length;
  const blen = b.length;
  const cols = blen + 1;
  if ((alen + 1) * cols * 4 > c.server.protoMaxBulkLen) {
    c.reply.error(ERR_LCS_MEMORY);
    return;
  }
  // table[i * cols + j] = LCS length of a[0..i) and b[0..j).
  const table = new Uint32Array((alen + 1) * cols);
  for (let i = 1; i <= alen; i++) {
    const ai = a[i - 1]!;
    const row = i * cols;
    const prev = row - cols;
    for (let j = 1; j <= blen; j++) {
      if (ai === b[j - 1]) table[row + j] = table[prev + j - 1]! + 1;
      else {
        const up = table[prev + j]!;
        const left = table[row + j - 1]!;
        table[row + j] = up > left ? up : left;
      }
    }
  }
  const total = table[alen * cols + blen]!;
  if (getLen) {
    c.reply.integer(total);
    return;
  }
  // Walk back from the end: on a tie between dropping a byte of a or of b, drop from b.
  const result = getIdx ? null : Buffer.allocUnsafe(total);
  const ranges: number[] = [];
  let idx = total;
  let i = alen;
  let j = blen;
  let aStart = -1;
  let aEnd = -1;
  let bStart = -1;
  let bEnd = -1;
  while (i > 0 && j > 0) {
    if (a[i - 1] === b[j - 1]) {
      if (result !== null) result[--idx] = a[i - 1]!;
      if (aStart >= 0 && aStart === i && bStart === j) {
        aStart = i - 1;
        bStart = j - 1;
      } else {
        if (aStart >= 0 && aEnd - aStart + 1 >= minMatchLen) ranges.push(aStart, aEnd, bStart, bEnd);
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      }
      i--;
      j--;
    } else if (table[(i - 1) * cols + j]! > table[i * cols + j - 1]!) {
      i--;
    } else {
      j--;
    }
  }
  if (aStart >= 0 && aEnd - aStart + 1 >= minMatchLen) ranges.push(aStart, aEnd, bStart, bEnd);
  if (result !== null) {
    c.reply.bulk(result);
    return;
  }
  const reply = c.reply;
  reply.mapLen(2);
  reply.bulk(B_MATCHES);
  const count = ranges.length >> 2;
  reply.arrayLen(count);
  for (let k = 0; k < ranges.length; k += 4) {
    reply.arrayLen(withMatchLen ? 3 : 2);
    reply.arrayLen(2);
    reply.integer(ranges[k]!);
    reply.integer(ranges[k + 1]!);
    reply.arrayLen(2);
    reply.integer(ranges[k + 2]!);
    reply.integer(ranges[k + 3]!);
    if (withMatchLen) reply.integer(ranges[k + 1]! - ranges[k]! + 1);
  }
  reply.bulk(B_LEN);
  reply.integer(total);
}

// ------------------------------------------------------------------ the table

const RO_ACCESS = ['RO', 'access'];
const RW_ACCESS_UPDATE = ['RW', 'access', 'update'];
const OW_UPDATE = ['OW', 'update'];
const OW_INSERT = ['OW', 'insert'];

export const stringCommands: CommandSpec[] = [
  {
    name: 'set',
    arity: -3,
    flags: ['write', 'denyoom'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ['write', 'string', 'slow'],
    handler: setCommand,
    keySpecs: [rangeSpec(['RW', 'access', 'update', 'variable_flags'], 1, 0, 1, 'RW and ACCESS due to the optional `GET` argument')],
  },
  {
    name: 'get',
    arity: 2,
    flags: ['readonly', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ['read', 'string', 'fast'],
    handler: getCommand,
    keySpecs: [rangeSpec(RO_ACCESS, 1, 0)],
  },
  {
    name: 'getex',
    arity: -2,
    flags: ['write', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ['write', 'string', 'fast'],
    handler: getexCommand,
    keySpecs: [rangeSpec(RW_ACCESS_UPDATE, 1, 0, 1, 'RW and UPDATE because it changes the TTL')],
  },
  {
    name: 'getdel',
    arity: 2,
    flags: ['write', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ['write', 'string', 'fast'],
    handler: getdelCommand,
    keySpecs: [rangeSpec(['RW', 'access', 'delete'], 1, 0)],
  },
  {
    name: 'getset',
    arity: 3,
    flags: ['write', 'denyoom', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ['write', 'string', 'fast'],
    handler: getsetCommand,
    keySpecs: [rangeSpec(RW_ACCESS_UPDATE, 1, 0)],
  },
  {
    name: 'mget',
    arity: -2,
    flags: ['readonly', 'fast'],
    firstKey: 1,
    lastKey: -1,
    step: 1,
    acl: ['read', 'string', 'fast'],
    handler: mgetCommand,
    keySpecs: [rangeSpec(RO_ACCESS, 1, -1)],
    tips: ['request_policy:multi_shard'],
  },
  {
    name: 'mset',
    arity: -3,
    flags: ['write', 'denyoom'],
    firstKey: 1,
    lastKey: -1,
    step: 2,
    acl: ['write', 'string', 'slow'],
    handler: msetCommand,
    keySpecs: [rangeSpec(OW_UPDATE, 1, -1, 2)],
    tips: ['request_policy:multi_shard', 'response_policy:all_succeeded'],
  },
  {
    name: 'msetnx',
    arity: -3,
    flags: ['write', 'denyoom'],
    firstKey: 1,
    lastKey: -1,
    step: 2,
    acl: ['write', 'string', 'slow'],
    handler: msetnxCommand,
    keySpecs: [rangeSpec(OW_INSERT, 1, -1, 2)],
    tips: ['request_policy:multi_shard', 'response_policy:agg_min'],
  },
  {
    name: 'setnx',
    arity: 3,
    flags: ['write', 'denyoom', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ['write', 'string', 'fast'],
    handler: setnxCommand,
    keySpecs: [rangeSpec(OW_INSERT, 1, 0)],
  },
  {
    name: 'setex',
    arity: 4,
    flags: ['write', 'denyoom'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ['write', 'string', 'slow'],
    handler: setexCommand,
    keySpecs: [rangeSpec(OW_UPDATE, 1, 0)],
  },
  {
    name: 'psetex',
    arity: 4,
    flags: ['write', 'denyoom'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ['write', 'string', 'slow'],
    handler: psetexCommand,
    keySpecs: [rangeSpec(OW_UPDATE, 1, 0)],
  },
  {
    name: 'append',
    arity: 3,
    flags: ['write', 'denyoom', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ['write', 'string', 'fast'],
    handler: appendCommand,
    keySpecs: [rangeSpec(['RW', 'insert'], 1, 0)],
  },
  {
    name: 'strlen',
    arity: 2,
    flags: ['readonly', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ['read', 'string', 'fast'],
    handler: strlenCommand,
    keySpecs: [rangeSpec(['RO'], 1, 0)],
  },
  {
    name: 'incr',
    arity: 2,
    flags: ['write', 'denyoom', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ['write', 'string', 'fast'],
    handler: incrCommand,
    keySpecs: [rangeSpec(RW_ACCESS_UPDATE, 1, 0)],
  },
  {
    name: 'decr',
    arity: 2,
    flags: ['write', 'denyoom', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ['write', 'string', 'fast'],
    handler: decrCommand,
    keySpecs: [rangeSpec(RW_ACCESS_UPDATE, 1, 0)],
  },
  {
    name: 'incrby',
    arity: 3,
    flags: ['write', 'denyoom', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ['write', 'string', 'fast'],
    handler: incrbyCommand,
    keySpecs: [rangeSpec(RW_ACCESS_UPDATE, 1, 0)],
  },
  {
    name: 'decrby',
    arity: 3,
    flags: ['write', 'denyoom', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ['write', 'string', 'fast'],
    handler: decrbyCommand,
    keySpecs: [rangeSpec(RW_ACCESS_UPDATE, 1, 0)],
  },
  {
    name: 'incrbyfloat',
    arity: 3,
    flags: ['write', 'denyoom', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ['write', 'string', 'fast'],
    handler: incrbyfloatCommand,
    keySpecs: [rangeSpec(RW_ACCESS_UPDATE, 1, 0)],
  },
  {
    name: 'getrange',
    arity: 4,
    flags: ['readonly'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ['read', 'string', 'slow'],
    handler: getrangeCommand,
    keySpecs: [rangeSpec(RO_ACCESS, 1, 0)],
  },
  {
    name: 'substr',
    arity: 4,
    flags: ['readonly'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ['read', 'string', 'slow'],
    handler: getrangeCommand,
    keySpecs: [rangeSpec(RO_ACCESS, 1, 0)],
  },
  {
    name: 'setrange',
    arity: 4,
    flags: ['write', 'denyoom'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ['write', 'string', 'slow'],
    handler: setrangeCommand,
    keySpecs: [rangeSpec(['RW', 'update'], 1, 0)],
  },
  {
    name: 'lcs',
    arity: -3,
    flags: ['readonly'],
    firstKey: 1,
    lastKey: 2,
    step: 1,
    acl: ['read', 'string', 'slow'],
    handler: lcsCommand,
    keySpecs: [rangeSpec(RO_ACCESS, 1, 1)],
  },
];
