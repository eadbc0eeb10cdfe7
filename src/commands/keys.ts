/**
 * Generic keyspace and expiry commands: DEL UNLINK EXISTS TOUCH TYPE RANDOMKEY DBSIZE KEYS SCAN
 * SELECT SWAPDB MOVE COPY RENAME RENAMENX FLUSHDB FLUSHALL OBJECT, and EXPIRE PEXPIRE EXPIREAT
 * PEXPIREAT TTL PTTL EXPIRETIME PEXPIRETIME PERSIST.
 *
 * Every behaviour below was observed on redis-server 7.0.15:
 *
 * Lookups. Each command uses one of three lookups, which differ in keyspace hit/miss counting,
 * the LRU touch and the "keymiss" event:
 *   - EXISTS TYPE TTL PTTL EXPIRETIME PEXPIRETIME: count, no touch, keymiss on a miss;
 *   - TOUCH and COPY's source: count, touch, keymiss;
 *   - OBJECT: count, no touch, no keymiss;
 *   - every write (DEL, RENAME, MOVE, EXPIRE, PERSIST, COPY's destination...): lookupWrite.
 * KEYS hides logically expired keys without deleting them; SCAN and RANDOMKEY delete them (on a
 * primary) like any lookup.
 *
 * Dirty counter / propagation / events:
 *   - DEL/UNLINK: +1 per deleted key, event "del" each. EXISTS/TOUCH never dirty.
 *   - RENAME/RENAMENX: +1, "rename_from" then "rename_to" (no "del" for an overwritten
 *     destination). Renaming a key onto itself changes nothing: RENAME replies OK, RENAMENX 0,
 *     no dirty, no event, no propagation (a missing key is still "ERR no such key").
 *   - MOVE: +1, "move_from" (source db) then "move_to" (target db). COPY: +1, "copy_to" in the
 *     target db (REPLACE emits no "del"). SWAPDB: +1 even for SWAPDB n n, no event.
 *   - FLUSHDB/FLUSHALL: + number of keys removed (0 for an empty db) and always propagated
 *     (forced, even when nothing was removed); no keyspace event. FLUSHALL with save points
 *     configured also saves the (empty) dataset synchronously: dirty ends at 0 and the last
 *     save time is now. With `save ""` FLUSHALL does not touch dirty beyond the removed keys.
 *   - EXPIRE family: +1 and event "expire" when a TTL is set; propagated as
 *     `PEXPIREAT key <absolute ms> [the original option words]`. A time in the past (<= now)
 *     deletes the key instead: +1, event "del", propagated as DEL (UNLINK when
 *     lazyfree-lazy-expire is yes). On a replica (or the master's stream) a past time is stored
 *     as the TTL instead, since the master will send the DEL. A condition that is not met (NX,
 *     XX, GT, LT) replies 0 and changes nothing. PERSIST: +1, event "persist".
 *   - NX/XX/GT/LT: NX fails if there is a TTL, XX if there is none; a key without TTL counts as
 *     an infinite TTL, so GT always fails on it and LT always succeeds.
 *   - Argument checks run in this order: option words ("ERR Unsupported option x"), option
 *     conflicts, the time ("value is not an integer"), overflow ("invalid expire time in
 *     'expire' command"), then the key lookup. Seconds overflow when the value is beyond
 *     +-(2^63-1)/1000; relative times overflow when adding now passes 2^63-1.
 *   - TTL/PTTL/EXPIRETIME round milliseconds to the nearest second ((ms + 500) / 1000).
 */

import type { CommandSpec, Handler } from './spec.js';
import type { Client } from '../server/client.js';
import { ClientFlag } from '../server/client.js';
import type { Server } from '../server/server.js';
import { ERR, invalidExpireError } from '../protocol/errors.js';
import { deleteExpired, idleSeconds, lfuDecrAndReturn, lookupKey, lookupWrite, lruClock, touchKey } from '../store/expire.js';
import { NOTIFY } from '../store/notify.js';
import { TYPE_STRING, type Db } from '../store/db.js';
import { compileGlob } from '../store/glob.js';
import { TYPE_NAMES, beginScanReply, parseCursorOrReply, parseScanOptions, scanSteps } from '../store/scan.js';
import { formatI64, parseI64, type I64 } from '../util/numbers.js';

// ---------------------------------------------------------------------------------------------
// Error texts specific to this family (7.0.15 verbatim).

const ERR_INT_RANGE = 'ERR value is out of range, value must between -2147483648 and 2147483647';
const ERR_FIRST_DB = 'ERR invalid first DB index';
const ERR_SECOND_DB = 'ERR invalid second DB index';
const ERR_NX_CONFLICT = 'ERR NX and XX, GT or LT options at the same time are not compatible';
const ERR_GT_LT_CONFLICT = 'ERR GT and LT options at the same time are not compatible';
const ERR_NO_LFU =
  'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.';
const ERR_LFU_IDLE =
  'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.';

const OBJECT_HELP = [
  'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
  'HELP',
  '    Prints this help.',
];

const B_DEL = Buffer.from('DEL');
const B_UNLINK = Buffer.from('UNLINK');
const B_PEXPIREAT = Buffer.from('PEXPIREAT');

// ---------------------------------------------------------------------------------------------
// Per-type hooks: how to deep-copy a value (COPY) and name its encoding (OBJECT ENCODING).
// Strings are handled here; the other type modules register themselves.

export interface ValueTypeOps {
  /** A deep copy of the value object, owned by the caller (COPY). */
  clone(obj: unknown): object;
  /** OBJECT ENCODING name for the value object ("listpack", "hashtable", ...). */
  encoding(obj: unknown): string;
}

const typeOps: Array<ValueTypeOps | undefined> = [];

/** Registers COPY / OBJECT ENCODING support for a Db TYPE_* code (other than strings). */
export function registerValueType(type: number, ops: ValueTypeOps): void {
  typeOps[type] = ops;
}

/** Encoding reported when a type module has not registered (Redis's big-value encodings). */
const DEFAULT_ENCODINGS = ['raw', 'quicklist', 'hashtable', 'skiplist', 'hashtable', 'stream'];

/** True when `v` is a string Redis would store int-encoded (string2l rules, at most 20 bytes). */
function looksLikeInt(v: Buffer): boolean {
  return v.length <= 20 && parseI64(v) !== null;
}

/** OBJECT ENCODING of a string entry: RAW flag from the writer, else int / embstr / raw. */
export function stringEncoding(db: Db, id: number): string {
  if (db.isRaw(id)) return 'raw';
  const v = db.getString(id);
  if (!db.isNoInt(id) && looksLikeInt(v)) return 'int';
  return v.length <= 44 ? 'embstr' : 'raw';
}

// ---------------------------------------------------------------------------------------------
// Small helpers.

const NO_TOUCH = ClientFlag.NO_TOUCH;
const F_MASTER = ClientFlag.MASTER;

/**
 * Read lookup: hit/miss statistics always, LRU touch and "keymiss" event on request.
 * (Redis's lookupKeyRead with or without LOOKUP_NOTOUCH / LOOKUP_NONOTIFY.)
 */
function readLookup(c: Client, key: Buffer, touch: boolean, notifyMiss: boolean): number {
  const id = lookupKey(c, key);
  const server = c.server;
  if (id < 0) {
    server.stats.keyspaceMisses++;
    if (notifyMiss) server.notify(NOTIFY.KEY_MISS, 'keymiss', key, c.dbIndex);
    return -1;
  }
  server.stats.keyspaceHits++;
  if (touch && (c.flags & NO_TOUCH) === 0) touchKey(c.db, id);
  return id;
}

/** lookupWrite against another database than the client's (MOVE / COPY targets). */
function lookupWriteIn(c: Client, db: Db, dbIndex: number, key: Buffer): number {
  const id = db.find(key);
  if (id < 0) return -1;
  if (db.volatileCount > 0 && db.isExpired(id, Date.now())) {
    const server = c.server;
    if (server.isReplica) {
      if ((c.flags & F_MASTER) !== 0) return id;
      return -1;
    }
    deleteExpired(server, db, dbIndex, id);
    return -1;
  }
  if ((c.flags & NO_TOUCH) === 0) touchKey(db, id);
  return id;
}

/** Redis's getIntFromObjectOrReply: strict int64 text within the C int range. */
function parseIntOrReply(c: Client, arg: Buffer, msg: string | null): number | null {
  const v = parseI64(arg);
  if (v === null) {
    c.reply.error(msg ?? ERR.notInteger);
    return null;
  }
  if (typeof v === 'bigint' || v < -2147483648 || v > 2147483647) {
    c.reply.error(msg ?? ERR_INT_RANGE);
    return null;
  }
  return v;
}

/** Case-insensitive comparison of an argument with a lower-case ASCII word. */
function isWord(b: Buffer, lower: string): boolean {
  if (b.length !== lower.length) return false;
  for (let i = 0; i < b.length; i++) {
    if ((b[i]! | 0x20) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** Deletes entry `id` (named `key`) as a user command does: dirty, WATCH, event "del". */
function deleteKey(c: Client, db: Db, dbIndex: number, id: number, key: Buffer): void {
  db.deleteId(id);
  const server = c.server;
  server.dirty++;
  server.keyModified(dbIndex, key);
  server.notify(NOTIFY.GENERIC, 'del', key, dbIndex);
}

/**
 * WATCH, blocked clients and MIGRATE see a flushed or swapped database as "every key
 * modified": the keys they care about that exist in `dbs` are reported (evaluated before the
 * change), without walking the database itself.
 */
function signalAllKeys(server: Server, dbIndex: number, ...dbs: Db[]): void {
  server.keysModifiedInDb(dbIndex, (key) => {
    for (let i = 0; i < dbs.length; i++) if (dbs[i]!.size !== 0 && dbs[i]!.find(key) >= 0) return true;
    return false;
  });
}

// ---------------------------------------------------------------------------------------------
// DEL UNLINK EXISTS TOUCH TYPE RANDOMKEY DBSIZE KEYS SCAN

/** DEL and UNLINK (freeing memory in the background is invisible here). */
const delCommand: Handler = (c, argv) => {
  let deleted = 0;
  const db = c.db;
  for (let i = 1; i < argv.length; i++) {
    const key = argv[i]!;
    const id = lookupWrite(c, key);
    if (id < 0) continue;
    deleteKey(c, db, c.dbIndex, id, key);
    deleted++;
  }
  c.reply.integer(deleted);
};

const existsCommand: Handler = (c, argv) => {
  let n = 0;
  for (let i = 1; i < argv.length; i++) {
    if (readLookup(c, argv[i]!, false, true) >= 0) n++;
  }
  c.reply.integer(n);
};

const touchCommand: Handler = (c, argv) => {
  let n = 0;
  for (let i = 1; i < argv.length; i++) {
    if (readLookup(c, argv[i]!, true, true) >= 0) n++;
  }
  c.reply.integer(n);
};

const typeCommand: Handler = (c, argv) => {
  const id = readLookup(c, argv[1]!, false, true);
  c.reply.simple(id < 0 ? 'none' : TYPE_NAMES[c.db.typeOf(id)]!);
};

/** After this many expired picks a replica (which cannot delete) returns one anyway. */
const RANDOMKEY_REPLICA_TRIES = 100;

const randomkeyCommand: Handler = (c) => {
  const db = c.db;
  const server = c.server;
  let tries = 0;
  for (;;) {
    const id = db.randomId();
    if (id < 0) {
      c.reply.nullBulk();
      return;
    }
    if (db.volatileCount > 0 && db.isExpired(id, Date.now())) {
      if (server.isReplica) {
        // Every key may be logically expired: do not loop forever waiting for the master's DELs.
        if (db.volatileCount === db.size && ++tries >= RANDOMKEY_REPLICA_TRIES) {
          c.reply.bulk(db.keyView(id));
          return;
        }
        if ((c.flags & F_MASTER) === 0) continue;
      } else {
        deleteExpired(server, db, c.dbIndex, id);
        continue;
      }
    }
    c.reply.bulk(db.keyView(id));
    return;
  }
};

const dbsizeCommand: Handler = (c) => {
  c.reply.integer(c.db.size);
};

const keysCommand: Handler = (c, argv) => {
  const db = c.db;
  const glob = compileGlob(argv[1]!, false);
  const all = glob.matchAll;
  const now = Date.now();
  const checkTtl = db.volatileCount > 0;
  const reply = c.reply;
  const token = reply.beginDeferred();
  let n = 0;
  db.forEach((id) => {
    if (checkTtl && db.isExpired(id, now)) return;
    const key = db.keyView(id);
    if (!all && !glob.match(key)) return;
    reply.bulk(key);
    n++;
  });
  reply.endDeferred(token, '*', n);
};

/** Ids gathered by one SCAN call (reused; ids stay valid while SCAN runs). */
let scanIds = new Int32Array(64);

const scanCommand: Handler = (c, argv) => {
  const cursor = parseCursorOrReply(c, argv[1]!);
  if (cursor < 0) return;
  const opts = parseScanOptions(c, argv, 2, true);
  if (opts === null) return;
  const db = c.db;
  const server = c.server;
  const dbIndex = c.dbIndex;
  const match = opts.match;
  const type = opts.type;
  const hideOnly = server.isReplica;
  const masterLink = (c.flags & F_MASTER) !== 0;
  const now = Date.now();
  let n = 0;
  const next = scanSteps(db, cursor, opts.count, (id) => {
    if (match !== null && !match.match(db.keyView(id))) return;
    if (type !== null && db.typeOf(id) !== type) return;
    if (db.volatileCount > 0 && db.isExpired(id, now)) {
      if (!hideOnly) {
        deleteExpired(server, db, dbIndex, id);
        return;
      }
      if (!masterLink) return;
    }
    if (n === scanIds.length) {
      const grown = new Int32Array(n * 2);
      grown.set(scanIds);
      scanIds = grown;
    }
    scanIds[n++] = id;
  });
  const reply = c.reply;
  beginScanReply(reply, next, n);
  for (let i = 0; i < n; i++) reply.bulk(db.keyView(scanIds[i]!));
};

// ---------------------------------------------------------------------------------------------
// SELECT SWAPDB MOVE COPY RENAME RENAMENX FLUSHDB FLUSHALL

const selectCommand: Handler = (c, argv) => {
  const idx = parseIntOrReply(c, argv[1]!, null);
  if (idx === null) return;
  if (idx < 0 || idx >= c.server.keyspace.dbs.length) {
    c.reply.error(ERR.dbIndexOutOfRange);
    return;
  }
  c.select(idx);
  c.reply.ok();
};

const swapdbCommand: Handler = (c, argv) => {
  const a = parseIntOrReply(c, argv[1]!, ERR_FIRST_DB);
  if (a === null) return;
  const b = parseIntOrReply(c, argv[2]!, ERR_SECOND_DB);
  if (b === null) return;
  const keyspace = c.server.keyspace;
  const n = keyspace.dbs.length;
  if (a < 0 || a >= n || b < 0 || b >= n) {
    c.reply.error(ERR.dbIndexOutOfRange);
    return;
  }
  const server = c.server;
  if (a !== b) {
    // Keys that exist in either db before the swap change value (or appear/disappear).
    // A key of either db is modified in both: it leaves one and arrives in the other.
    signalAllKeys(server, a, keyspace.dbs[a]!, keyspace.dbs[b]!);
    signalAllKeys(server, b, keyspace.dbs[a]!, keyspace.dbs[b]!);
    keyspace.swapDb(a, b);
  }
  server.dirty++;
  c.reply.ok();
};

const moveCommand: Handler = (c, argv) => {
  const target = parseIntOrReply(c, argv[2]!, null);
  if (target === null) return;
  const keyspace = c.server.keyspace;
  if (target < 0 || target >= keyspace.dbs.length) {
    c.reply.error(ERR.dbIndexOutOfRange);
    return;
  }
  if (target === c.dbIndex) {
    c.reply.error(ERR.sameObject);
    return;
  }
  const key = argv[1]!;
  const id = lookupWrite(c, key);
  if (id < 0) {
    c.reply.integer(0);
    return;
  }
  const dst = keyspace.dbs[target]!;
  if (lookupWriteIn(c, dst, target, key) >= 0) {
    c.reply.integer(0);
    return;
  }
  const nid = c.db.moveTo(dst, id);
  if (nid < 0) {
    c.reply.integer(0);
    return;
  }
  const server = c.server;
  server.dirty++;
  server.keyModified(c.dbIndex, key);
  server.keyModified(target, key);
  server.notify(NOTIFY.GENERIC, 'move_from', key, c.dbIndex);
  server.notify(NOTIFY.GENERIC, 'move_to', key, target);
  c.reply.integer(1);
};

const copyCommand: Handler = (c, argv) => {
  const keyspace = c.server.keyspace;
  let target = c.dbIndex;
  let replace = false;
  for (let i = 3; i < argv.length; i++) {
    const opt = argv[i]!;
    if (isWord(opt, 'replace')) {
      replace = true;
    } else if (isWord(opt, 'db') && i + 1 < argv.length) {
      const v = parseIntOrReply(c, argv[++i]!, null);
      if (v === null) return;
      target = v;
    } else {
      c.reply.error(ERR.syntax);
      return;
    }
  }
  if (target < 0 || target >= keyspace.dbs.length) {
    c.reply.error(ERR.dbIndexOutOfRange);
    return;
  }
  const srcKey = argv[1]!;
  const dstKey = argv[2]!;
  if (target === c.dbIndex && srcKey.equals(dstKey)) {
    c.reply.error(ERR.sameObject);
    return;
  }
  const src = c.db;
  const id = readLookup(c, srcKey, true, true);
  if (id < 0) {
    c.reply.integer(0);
    return;
  }
  const dst = keyspace.dbs[target]!;
  const existing = lookupWriteIn(c, dst, target, dstKey);
  if (existing >= 0 && !replace) {
    c.reply.integer(0);
    return;
  }
  const type = src.typeOf(id);
  let clone: object | null = null;
  if (type !== TYPE_STRING) {
    const ops = typeOps[type];
    if (ops === undefined) {
      c.reply.error('ERR COPY of ' + TYPE_NAMES[type] + ' values is not supported yet');
      return;
    }
    clone = ops.clone(src.peekObject<unknown>(id));
  }
  const at = src.expireAt(id);
  const raw = type === TYPE_STRING && src.isRaw(id);
  const noInt = type === TYPE_STRING && src.isNoInt(id);
  // Overwriting drops the old value and its TTL (set* without keepTtl).
  let nid: number;
  if (clone === null) {
    // A view of the source record: setString copies it before freeing anything of its own.
    nid = dst.setString(dstKey, src.getString(id));
    if (raw) dst.setRaw(nid, true);
    if (noInt) dst.setNoInt(nid, true);
  } else {
    nid = dst.setObject(dstKey, type, clone);
  }
  if (at >= 0) dst.setExpireAt(nid, at);
  dst.setLru(nid, lruClock());
  const server = c.server;
  server.dirty++;
  server.keyModified(target, dstKey);
  server.notify(NOTIFY.GENERIC, 'copy_to', dstKey, target);
  c.reply.integer(1);
};

function renameGeneric(c: Client, argv: Buffer[], nx: boolean): void {
  const srcKey = argv[1]!;
  const dstKey = argv[2]!;
  const id = lookupWrite(c, srcKey);
  if (id < 0) {
    c.reply.error(ERR.noSuchKey);
    return;
  }
  if (srcKey.equals(dstKey)) {
    if (nx) c.reply.integer(0);
    else c.reply.ok();
    return;
  }
  if (nx && lookupWrite(c, dstKey) >= 0) {
    c.reply.integer(0);
    return;
  }
  if (!nx) lookupWrite(c, dstKey); // lazily expires an expired destination first, as Redis does
  // Deleting another entry leaves `id` valid; Db.rename replaces an existing destination.
  c.db.rename(id, dstKey);
  const server = c.server;
  server.dirty++;
  server.keyModified(c.dbIndex, srcKey);
  server.keyModified(c.dbIndex, dstKey);
  server.notify(NOTIFY.GENERIC, 'rename_from', srcKey, c.dbIndex);
  server.notify(NOTIFY.GENERIC, 'rename_to', dstKey, c.dbIndex);
  if (nx) c.reply.integer(1);
  else c.reply.ok();
}

const renameCommand: Handler = (c, argv) => renameGeneric(c, argv, false);
const renamenxCommand: Handler = (c, argv) => renameGeneric(c, argv, true);

/** FLUSHDB / FLUSHALL take nothing, ASYNC or SYNC. */
function flushArgsOk(c: Client, argv: Buffer[]): boolean {
  if (argv.length > 2 || (argv.length === 2 && !isWord(argv[1]!, 'async') && !isWord(argv[1]!, 'sync'))) {
    c.reply.error(ERR.syntax);
    return false;
  }
  return true;
}

const flushdbCommand: Handler = (c, argv) => {
  if (!flushArgsOk(c, argv)) return;
  const server = c.server;
  const db = c.db;
  const removed = db.size;
  signalAllKeys(server, c.dbIndex, db);
  db.clear();
  server.dirty += removed;
  // Propagated even when the db was already empty (dirty unchanged).
  server.propagate(c.dbIndex, argv);
  c.preventPropagate = true;
  c.reply.ok();
};

/** True when `save` has at least one save point (FLUSHALL then saves the empty dataset). */
function hasSavePoints(server: Server): boolean {
  const v: unknown = server.config.get('save');
  if (typeof v === 'string') return v.trim() !== '';
  if (Array.isArray(v)) return v.length > 0;
  return false;
}

const flushallCommand: Handler = (c, argv) => {
  if (!flushArgsOk(c, argv)) return;
  const server = c.server;
  const keyspace = server.keyspace;
  const removed = keyspace.keyCount();
  for (let i = 0; i < keyspace.dbs.length; i++) signalAllKeys(server, i, keyspace.dbs[i]!);
  keyspace.flushAll();
  server.dirty += removed;
  if (hasSavePoints(server) && server.saveHook !== null) {
    // Redis saves the now empty dataset right away (rdbSave), which resets the bookkeeping.
    server.saveHook().catch((err: unknown) => {
      server.log.warning('Background save after FLUSHALL failed: ' + (err instanceof Error ? err.message : String(err)));
    });
    server.dirty = 0;
    server.lastSaveTime = Math.floor(Date.now() / 1000);
  }
  server.propagate(c.dbIndex, argv);
  c.preventPropagate = true;
  c.reply.ok();
};

// ---------------------------------------------------------------------------------------------
// OBJECT

function maxmemoryPolicy(server: Server): string {
  return server.config.getString('maxmemory-policy');
}

function isLfuPolicy(policy: string): boolean {
  return policy === 'allkeys-lfu' || policy === 'volatile-lfu';
}

/** Redis shares the integer objects 0..9999 unless an LRU/LFU maxmemory policy is in force. */
function sharedIntegersAllowed(server: Server): boolean {
  if (server.config.getNumber('maxmemory') === 0) return true;
  const p = maxmemoryPolicy(server);
  return p.indexOf('lru') < 0 && p.indexOf('lfu') < 0;
}

const OBJ_SHARED_REFCOUNT = 2147483647;

/**
 * The LFU word is Redis's: (minutes clock, 16 bits) << 8 | logarithmic counter (8 bits). The
 * counter read decays by one per `lfu-decay-time` minutes since the last access (Redis's
 * LFUDecrAndReturn, shared with eviction in store/expire.ts so both read the same value).
 */
export function lfuFrequency(word: number, decayMinutes: number): number {
  return lfuDecrAndReturn(word, decayMinutes);
}

function objectLookup(c: Client, argv: Buffer[]): number {
  const id = readLookup(c, argv[2]!, false, false);
  if (id < 0) c.reply.nullBulk();
  return id;
}

const objectEncodingCommand: Handler = (c, argv) => {
  const id = objectLookup(c, argv);
  if (id < 0) return;
  const db = c.db;
  const type = db.typeOf(id);
  if (type === TYPE_STRING) {
    c.reply.bulkStr(stringEncoding(db, id));
    return;
  }
  const ops = typeOps[type];
  c.reply.bulkStr(ops !== undefined ? ops.encoding(db.peekObject<unknown>(id)) : DEFAULT_ENCODINGS[type]!);
};

const objectRefcountCommand: Handler = (c, argv) => {
  const id = objectLookup(c, argv);
  if (id < 0) return;
  const db = c.db;
  if (db.typeOf(id) === TYPE_STRING && !db.isRaw(id) && !db.isNoInt(id)) {
    const v = db.getString(id);
    if (v.length <= 4 && looksLikeInt(v)) {
      const n = parseI64(v) as number;
      if (n >= 0 && n < 10000 && sharedIntegersAllowed(c.server)) {
        c.reply.integer(OBJ_SHARED_REFCOUNT);
        return;
      }
    }
  }
  c.reply.integer(1);
};

const objectIdletimeCommand: Handler = (c, argv) => {
  const id = objectLookup(c, argv);
  if (id < 0) return;
  if (isLfuPolicy(maxmemoryPolicy(c.server))) {
    c.reply.error(ERR_LFU_IDLE);
    return;
  }
  c.reply.integer(idleSeconds(c.db.lru(id) & 0xffffff));
};

const objectFreqCommand: Handler = (c, argv) => {
  const id = objectLookup(c, argv);
  if (id < 0) return;
  if (!isLfuPolicy(maxmemoryPolicy(c.server))) {
    c.reply.error(ERR_NO_LFU);
    return;
  }
  c.reply.integer(lfuFrequency(c.db.lru(id), c.server.config.getNumber('lfu-decay-time')));
};

const objectHelpCommand: Handler = (c) => {
  c.reply.arrayLen(OBJECT_HELP.length);
  for (const line of OBJECT_HELP) c.reply.simple(line);
};

// ---------------------------------------------------------------------------------------------
// EXPIRE PEXPIRE EXPIREAT PEXPIREAT PERSIST TTL PTTL EXPIRETIME PEXPIRETIME

const EXPIRE_NX = 1;
const EXPIRE_XX = 2;
const EXPIRE_GT = 4;
const EXPIRE_LT = 8;

const LL_MAX = 9223372036854775807n;
const LL_MAX_DIV_1000 = 9223372036854775n;
/** Values with |v| below these need no overflow checks and stay exact in doubles. */
const SAFE_SECONDS = 9e12;
const SAFE_MS = 9e15;

/**
 * The absolute expire time in ms for `raw` (seconds when `seconds`), relative to `base` ms
 * (0 for the *AT forms), or null when Redis reports "invalid expire time".
 */
function absoluteExpire(raw: I64, seconds: boolean, base: number): I64 | null {
  if (typeof raw === 'number') {
    if (seconds && raw > -SAFE_SECONDS && raw < SAFE_SECONDS) return raw * 1000 + base;
    if (!seconds && raw > -SAFE_MS && raw < SAFE_MS) return raw + base;
  }
  let ms = BigInt(raw);
  if (seconds) {
    if (ms > LL_MAX_DIV_1000 || ms < -LL_MAX_DIV_1000) return null;
    ms *= 1000n;
  }
  const b = BigInt(base);
  if (ms > LL_MAX - b) return null;
  const when = ms + b;
  return when >= -9007199254740991n && when <= 9007199254740991n ? Number(when) : when;
}

function expireGeneric(c: Client, argv: Buffer[], seconds: boolean, relative: boolean, name: string): void {
  let flags = 0;
  for (let i = 3; i < argv.length; i++) {
    const opt = argv[i]!;
    if (isWord(opt, 'nx')) flags |= EXPIRE_NX;
    else if (isWord(opt, 'xx')) flags |= EXPIRE_XX;
    else if (isWord(opt, 'gt')) flags |= EXPIRE_GT;
    else if (isWord(opt, 'lt')) flags |= EXPIRE_LT;
    else {
      c.reply.error('ERR Unsupported option ' + opt.toString('latin1'));
      return;
    }
  }
  if ((flags & EXPIRE_NX) !== 0 && (flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT)) !== 0) {
    c.reply.error(ERR_NX_CONFLICT);
    return;
  }
  if ((flags & EXPIRE_GT) !== 0 && (flags & EXPIRE_LT) !== 0) {
    c.reply.error(ERR_GT_LT_CONFLICT);
    return;
  }
  const raw = parseI64(argv[2]!);
  if (raw === null) {
    c.reply.error(ERR.notInteger);
    return;
  }
  const now = Date.now();
  const when = absoluteExpire(raw, seconds, relative ? now : 0);
  if (when === null) {
    c.reply.error(invalidExpireError(name));
    return;
  }
  const key = argv[1]!;
  const id = lookupWrite(c, key);
  if (id < 0) {
    c.reply.integer(0);
    return;
  }
  const db = c.db;
  const whenNum = typeof when === 'number' ? when : Number(when);
  if (flags !== 0) {
    const current = db.expireAt(id);
    if ((flags & EXPIRE_NX) !== 0 && current >= 0) return c.reply.integer(0);
    if ((flags & EXPIRE_XX) !== 0 && current < 0) return c.reply.integer(0);
    // No TTL counts as an infinite one.
    if ((flags & EXPIRE_GT) !== 0 && (current < 0 || whenNum <= current)) return c.reply.integer(0);
    if ((flags & EXPIRE_LT) !== 0 && current >= 0 && whenNum >= current) return c.reply.integer(0);
  }
  const server = c.server;
  if (whenNum <= now && !server.isReplica) {
    deleteKey(c, db, c.dbIndex, id, key);
    c.propagateArgv = [server.config.getBool('lazyfree-lazy-expire') ? B_UNLINK : B_DEL, key];
    c.reply.integer(1);
    return;
  }
  db.setExpireAt(id, whenNum);
  server.dirty++;
  server.keyModified(c.dbIndex, key);
  server.notify(NOTIFY.GENERIC, 'expire', key, c.dbIndex);
  const prop: Buffer[] = [B_PEXPIREAT, key, formatI64(when)];
  for (let i = 3; i < argv.length; i++) prop.push(argv[i]!);
  c.propagateArgv = prop;
  c.reply.integer(1);
}

const expireCommand: Handler = (c, argv) => expireGeneric(c, argv, true, true, 'expire');
const pexpireCommand: Handler = (c, argv) => expireGeneric(c, argv, false, true, 'pexpire');
const expireatCommand: Handler = (c, argv) => expireGeneric(c, argv, true, false, 'expireat');
const pexpireatCommand: Handler = (c, argv) => expireGeneric(c, argv, false, false, 'pexpireat');

const persistCommand: Handler = (c, argv) => {
  const key = argv[1]!;
  const id = lookupWrite(c, key);
  if (id < 0 || !c.db.removeExpire(id)) {
    c.reply.integer(0);
    return;
  }
  const server = c.server;
  server.dirty++;
  server.keyModified(c.dbIndex, key);
  server.notify(NOTIFY.GENERIC, 'persist', key, c.dbIndex);
  c.reply.integer(1);
};

const TWO_POW_53 = 9007199254740992;
const TWO_POW_63 = 9223372036854775808;

/** TTL / PTTL / EXPIRETIME / PEXPIRETIME. */
function ttlGeneric(c: Client, argv: Buffer[], ms: boolean, absolute: boolean): void {
  const id = readLookup(c, argv[1]!, false, true);
  if (id < 0) {
    c.reply.integer(-2);
    return;
  }
  const at = c.db.expireAt(id);
  if (at < 0) {
    c.reply.integer(-1);
    return;
  }
  if (at < TWO_POW_53) {
    let v = absolute ? at : at - Date.now();
    if (v < 0) v = 0;
    c.reply.integer(ms ? v : Math.floor((v + 500) / 1000));
    return;
  }
  // Far-future times (beyond 2^53 ms) need exact integer arithmetic; the Db keeps doubles, so
  // the top of the int64 range reads back as 2^63 and is clamped.
  let v = at >= TWO_POW_63 ? LL_MAX : BigInt(at);
  if (!absolute) v -= BigInt(Date.now());
  c.reply.bigint(ms ? v : (v + 500n) / 1000n);
}

const ttlCommand: Handler = (c, argv) => ttlGeneric(c, argv, false, false);
const pttlCommand: Handler = (c, argv) => ttlGeneric(c, argv, true, false);
const expiretimeCommand: Handler = (c, argv) => ttlGeneric(c, argv, false, true);
const pexpiretimeCommand: Handler = (c, argv) => ttlGeneric(c, argv, true, true);

// ---------------------------------------------------------------------------------------------
// The table. Arity, flags, key positions and ACL categories equal COMMAND INFO of 7.0.15; key
// specs and tips come from the recorded Redis data (commands/redis-docs.json).

function key1(name: string, arity: number, flags: CommandSpec['flags'], acl: string[], handler: Handler): CommandSpec {
  return { name, arity, flags, firstKey: 1, lastKey: 1, step: 1, acl, handler };
}

function multiKey(name: string, flags: CommandSpec['flags'], acl: string[], handler: Handler): CommandSpec {
  return { name, arity: -2, flags, firstKey: 1, lastKey: -1, step: 1, acl, handler };
}

function noKey(name: string, arity: number, flags: CommandSpec['flags'], acl: string[], handler: Handler): CommandSpec {
  return { name, arity, flags, firstKey: 0, lastKey: 0, step: 0, acl, handler };
}

function objectSub(name: string, handler: Handler): CommandSpec {
  return { name, arity: 3, flags: ['readonly'], firstKey: 2, lastKey: 2, step: 1, acl: ['keyspace', 'read', 'slow'], handler };
}

export const keyCommands: CommandSpec[] = [
  multiKey('del', ['write'], ['keyspace', 'write', 'slow'], delCommand),
  multiKey('unlink', ['write', 'fast'], ['keyspace', 'write', 'fast'], delCommand),
  multiKey('exists', ['readonly', 'fast'], ['keyspace', 'read', 'fast'], existsCommand),
  multiKey('touch', ['readonly', 'fast'], ['keyspace', 'read', 'fast'], touchCommand),
  key1('type', 2, ['readonly', 'fast'], ['keyspace', 'read', 'fast'], typeCommand),
  noKey('randomkey', 1, ['readonly'], ['keyspace', 'read', 'slow'], randomkeyCommand),
  noKey('dbsize', 1, ['readonly', 'fast'], ['keyspace', 'read', 'fast'], dbsizeCommand),
  noKey('keys', 2, ['readonly'], ['keyspace', 'read', 'slow', 'dangerous'], keysCommand),
  noKey('scan', -2, ['readonly'], ['keyspace', 'read', 'slow'], scanCommand),
  noKey('select', 2, ['loading', 'stale', 'fast'], ['fast', 'connection'], selectCommand),
  noKey('swapdb', 3, ['write', 'fast'], ['keyspace', 'write', 'fast', 'dangerous'], swapdbCommand),
  key1('move', 3, ['write', 'fast'], ['keyspace', 'write', 'fast'], moveCommand),
  { name: 'copy', arity: -3, flags: ['write', 'denyoom'], firstKey: 1, lastKey: 2, step: 1, acl: ['keyspace', 'write', 'slow'], handler: copyCommand },
  { name: 'rename', arity: 3, flags: ['write'], firstKey: 1, lastKey: 2, step: 1, acl: ['keyspace', 'write', 'slow'], handler: renameCommand },
  { name: 'renamenx', arity: 3, flags: ['write', 'fast'], firstKey: 1, lastKey: 2, step: 1, acl: ['keyspace', 'write', 'fast'], handler: renamenxCommand },
  noKey('flushdb', -1, ['write'], ['keyspace', 'write', 'slow', 'dangerous'], flushdbCommand),
  noKey('flushall', -1, ['write'], ['keyspace', 'write', 'slow', 'dangerous'], flushallCommand),
  {
    name: 'object',
    arity: -2,
    flags: [],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    acl: ['slow'],
    subcommands: [
      objectSub('encoding', objectEncodingCommand),
      objectSub('refcount', objectRefcountCommand),
      objectSub('idletime', objectIdletimeCommand),
      objectSub('freq', objectFreqCommand),
      { name: 'help', arity: 2, flags: ['loading', 'stale'], firstKey: 0, lastKey: 0, step: 0, acl: ['keyspace', 'slow'], handler: objectHelpCommand },
    ],
  },
  key1('expire', -3, ['write', 'fast'], ['keyspace', 'write', 'fast'], expireCommand),
  key1('pexpire', -3, ['write', 'fast'], ['keyspace', 'write', 'fast'], pexpireCommand),
  key1('expireat', -3, ['write', 'fast'], ['keyspace', 'write', 'fast'], expireatCommand),
  key1('pexpireat', -3, ['write', 'fast'], ['keyspace', 'write', 'fast'], pexpireatCommand),
  key1('persist', 2, ['write', 'fast'], ['keyspace', 'write', 'fast'], persistCommand),
  key1('ttl', 2, ['readonly', 'fast'], ['keyspace', 'read', 'fast'], ttlCommand),
  key1('pttl', 2, ['readonly', 'fast'], ['keyspace', 'read', 'fast'], pttlCommand),
  key1('expiretime', 2, ['readonly', 'fast'], ['keyspace', 'read', 'fast'], expiretimeCommand),
  key1('pexpiretime', 2, ['readonly', 'fast'], ['keyspace', 'read', 'fast'], pexpiretimeCommand),
];
