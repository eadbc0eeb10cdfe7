/**
 * The hash family (Redis 7.0 semantics, checked against redis-server 7.0.15): HSET/HMSET/HSETNX,
 * HGET/HMGET/HGETALL/HKEYS/HVALS, HDEL, HEXISTS, HLEN, HSTRLEN, HINCRBY, HINCRBYFLOAT,
 * HRANDFIELD and HSCAN.
 *
 * - Encodings (src/store/types/hash.ts): "listpack" Buffer while small, a Map above
 *   hash-max-listpack-entries / hash-max-listpack-value (checked on what is written, strictly
 *   greater converts, never back).
 * - Argument errors win over WRONGTYPE where Redis parses first: HINCRBY / HINCRBYFLOAT
 *   increments, HRANDFIELD count / WITHVALUES, the HSCAN cursor. HSCAN parses its options only
 *   after the key lookup (a missing key answers an empty scan whatever the options).
 * - Dirty: HSET/HMSET count every pair written, HSETNX 1 when set, HDEL the fields removed,
 *   HINCRBY/HINCRBYFLOAT 1. HINCRBYFLOAT is propagated as HSET key field <new value>.
 * - Events: hset (HSET/HMSET/HSETNX), hdel (+ del when the hash becomes empty), hincrby,
 *   hincrbyfloat.
 */

import type { Client } from '../server/client.js';
import type { Server } from '../server/server.js';
import type { CommandSpec } from './spec.js';
import { ERR } from '../protocol/errors.js';
import { lookupWrite } from '../store/expire.js';
import { NOTIFY } from '../store/notify.js';
import { TYPE_HASH } from '../store/db.js';
import { beginScanReply, parseCursorOrReply, parseScanOptions } from '../store/scan.js';
import { addI64, hincrByFloatApply, parseHincrbyfloatIncrement, parseI64, writeI64, type I64 } from '../util/numbers.js';
import { registerValueType } from './keys.js';
import type { DenseMap } from '../store/dense.js';
import { eqi, rangeSpec, readKey } from './string.js';
import {
  type HashObj,
  cloneHash,
  hashEncoding,
  hashEntries,
  hashGet,
  hashLen,
  lpForEach,
  lpBegin,
  lpCommit,
  lpEditCount,
  lpEditToHashtable,
  lpNew,
  lpPut,
  lpRemove,
  toHashtable,
} from '../store/types/hash.js';

// ------------------------------------------------------------------ error texts (7.0.15)

const ERR_HASH_NOT_INT = 'ERR hash value is not an integer';
const ERR_OUT_OF_RANGE = 'ERR value is out of range';
const ERR_COUNT_RANGE = 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807';

const B_HSET = Buffer.from('HSET', 'latin1');
const EMPTY_LP = lpNew();

registerValueType(TYPE_HASH, {
  clone: (obj) => cloneHash(obj as HashObj),
  encoding: (obj) => hashEncoding(obj as HashObj),
});

/** DEBUG DIGEST / DEBUG OBJECT hooks live on the Server instance: installed on first use. */
function ensureHooks(server: Server): void {
  if (server.encodingNames.has(TYPE_HASH)) return;
  server.encodingNames.set(TYPE_HASH, (obj) => hashEncoding(obj as HashObj));
  server.valueDigesters.set(TYPE_HASH, (obj) => ({ type: 'hash', entries: hashEntries(obj as HashObj) }));
}

/** Hash at `key` for writing: its id, -1 when absent, -2 after replying WRONGTYPE. */
function writeLookup(c: Client, key: Buffer): number {
  const id = lookupWrite(c, key);
  if (id >= 0 && c.db.typeOf(id) !== TYPE_HASH) {
    c.reply.error(ERR.wrongType);
    return -2;
  }
  return id;
}

/** Hash at `key` for reading (keymiss event on a miss): id, -1 absent, -2 after WRONGTYPE. */
function readLookup(c: Client, key: Buffer): number {
  const id = readKey(c, key);
  if (id >= 0 && c.db.typeOf(id) !== TYPE_HASH) {
    c.reply.error(ERR.wrongType);
    return -2;
  }
  return id;
}

/**
 * Writes field/value pairs argv[from], argv[from+1], ... into the hash at `key` (created when
 * id < 0). Returns the number of new fields.
 */
function setPairs(c: Client, key: Buffer, id: number, argv: Buffer[], from: number, to: number): number {
  const db = c.db;
  const config = c.server.config;
  let h: HashObj = id < 0 ? EMPTY_LP : db.getObject<HashObj>(id);
  let added = 0;
  let i = from;
  if (Buffer.isBuffer(h)) {
    const maxValue = config.getNumber('hash-max-listpack-value');
    let big = false;
    for (let j = from; j < to; j++) {
      if (argv[j]!.length > maxValue) {
        big = true;
        break;
      }
    }
    if (big) h = toHashtable(h);
    else {
      const maxEntries = config.getNumber('hash-max-listpack-entries');
      lpBegin(h);
      for (; i < to; i += 2) {
        if (lpPut(argv[i]!, argv[i + 1]!)) {
          added++;
          if (lpEditCount() > maxEntries) {
            i += 2;
            break;
          }
        }
      }
      h = i < to || lpEditCount() > maxEntries ? lpEditToHashtable() : lpCommit();
    }
  }
  if (!Buffer.isBuffer(h)) {
    for (; i < to; i += 2) {
      const k = argv[i]!.toString('latin1');
      if (!h.has(k)) added++;
      h.set(k, Buffer.from(argv[i + 1]!));
    }
  }
  if (id < 0) db.setObject(key, TYPE_HASH, h);
  else if (h !== db.getObject<HashObj>(id)) db.replaceObject(id, TYPE_HASH, h);
  return added;
}

function written(c: Client, key: Buffer, event: string, dirty: number): void {
  const server = c.server;
  server.dirty += dirty;
  server.keyModified(c.dbIndex, key);
  server.notify(NOTIFY.HASH, event, key, c.dbIndex);
}

// ------------------------------------------------------------------ writes

function hsetCommand(c: Client, argv: Buffer[]): void {
  if ((argv.length & 1) !== 0) {
    c.reply.error("ERR wrong number of arguments for '" + (eqi(argv[0]!, 'hmset') ? 'hmset' : 'hset') + "' command");
    return;
  }
  ensureHooks(c.server);
  const key = argv[1]!;
  const id = writeLookup(c, key);
  if (id === -2) return;
  const added = setPairs(c, key, id, argv, 2, argv.length);
  written(c, key, 'hset', (argv.length - 2) / 2);
  if (argv[0]!.length === 5) c.reply.ok(); // HMSET
  else c.reply.integer(added);
}

function hsetnxCommand(c: Client, argv: Buffer[]): void {
  ensureHooks(c.server);
  const key = argv[1]!;
  const id = writeLookup(c, key);
  if (id === -2) return;
  if (id >= 0 && hashGet(c.db.getObject<HashObj>(id), argv[2]!) !== null) {
    c.reply.integer(0);
    return;
  }
  setPairs(c, key, id, argv, 2, 4);
  written(c, key, 'hset', 1);
  c.reply.integer(1);
}

function hdelCommand(c: Client, argv: Buffer[]): void {
  const key = argv[1]!;
  const id = writeLookup(c, key);
  if (id === -2) return;
  if (id < 0) {
    c.reply.integer(0);
    return;
  }
  const db = c.db;
  let h = db.getObject<HashObj>(id);
  let deleted = 0;
  if (Buffer.isBuffer(h)) {
    lpBegin(h);
    for (let i = 2; i < argv.length; i++) if (lpRemove(argv[i]!)) deleted++;
    if (deleted > 0) h = lpEditCount() === 0 ? EMPTY_LP : lpCommit();
  } else {
    for (let i = 2; i < argv.length; i++) if (h.delete(argv[i]!.toString('latin1'))) deleted++;
  }
  if (deleted > 0) {
    const server = c.server;
    if (hashLen(h) === 0) {
      db.deleteId(id);
      written(c, key, 'hdel', deleted);
      server.notify(NOTIFY.GENERIC, 'del', key, c.dbIndex);
    } else {
      if (h !== db.getObject<HashObj>(id)) db.replaceObject(id, TYPE_HASH, h);
      written(c, key, 'hdel', deleted);
    }
  }
  c.reply.integer(deleted);
}

const NUM = Buffer.allocUnsafe(24);

function hincrbyCommand(c: Client, argv: Buffer[]): void {
  const incr = parseI64(argv[3]!);
  if (incr === null) {
    c.reply.error(ERR.notInteger);
    return;
  }
  ensureHooks(c.server);
  const key = argv[1]!;
  const id = writeLookup(c, key);
  if (id === -2) return;
  let cur: I64 = 0;
  if (id >= 0) {
    const v = hashGet(c.db.getObject<HashObj>(id), argv[2]!);
    if (v !== null) {
      const p = v.length <= 20 ? parseI64(v) : null;
      if (p === null) {
        c.reply.error(ERR_HASH_NOT_INT);
        return;
      }
      cur = p;
    }
  }
  const r = addI64(cur, incr);
  if (r === null) {
    c.reply.error(ERR.overflow);
    return;
  }
  const n = writeI64(NUM, 0, r);
  const text = Buffer.from(NUM.subarray(0, n));
  setPairs(c, key, id, [argv[2]!, text], 0, 2);
  written(c, key, 'hincrby', 1);
  if (typeof r === 'number') c.reply.integer(r);
  else c.reply.bigint(r);
}

function hincrbyfloatCommand(c: Client, argv: Buffer[]): void {
  const inc = parseHincrbyfloatIncrement(argv[3]!);
  if (typeof inc === 'string') {
    c.reply.error(inc);
    return;
  }
  ensureHooks(c.server);
  const key = argv[1]!;
  const id = writeLookup(c, key);
  if (id === -2) return;
  const cur = id >= 0 ? hashGet(c.db.getObject<HashObj>(id), argv[2]!) : null;
  const r = hincrByFloatApply(cur, inc);
  if (typeof r === 'string') {
    c.reply.error(r);
    return;
  }
  const field = argv[2]!;
  setPairs(c, key, id, [field, r], 0, 2);
  written(c, key, 'hincrbyfloat', 1);
  c.propagateArgv = [B_HSET, Buffer.from(key), Buffer.from(field), r];
  c.reply.bulk(r);
}

// ------------------------------------------------------------------ reads

function hgetCommand(c: Client, argv: Buffer[]): void {
  const id = readLookup(c, argv[1]!);
  if (id === -2) return;
  const v = id < 0 ? null : hashGet(c.db.getObject<HashObj>(id), argv[2]!);
  if (v === null) c.reply.nullBulk();
  else c.reply.bulk(v);
}

function hmgetCommand(c: Client, argv: Buffer[]): void {
  const id = readLookup(c, argv[1]!);
  if (id === -2) return;
  const h = id < 0 ? null : c.db.getObject<HashObj>(id);
  c.reply.arrayLen(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const v = h === null ? null : hashGet(h, argv[i]!);
    if (v === null) c.reply.nullBulk();
    else c.reply.bulk(v);
  }
}

function hexistsCommand(c: Client, argv: Buffer[]): void {
  const id = readLookup(c, argv[1]!);
  if (id === -2) return;
  c.reply.integer(id >= 0 && hashGet(c.db.getObject<HashObj>(id), argv[2]!) !== null ? 1 : 0);
}

function hlenCommand(c: Client, argv: Buffer[]): void {
  const id = readLookup(c, argv[1]!);
  if (id === -2) return;
  c.reply.integer(id < 0 ? 0 : hashLen(c.db.getObject<HashObj>(id)));
}

function hstrlenCommand(c: Client, argv: Buffer[]): void {
  const id = readLookup(c, argv[1]!);
  if (id === -2) return;
  const v = id < 0 ? null : hashGet(c.db.getObject<HashObj>(id), argv[2]!);
  c.reply.integer(v === null ? 0 : v.length);
}

const W_KEYS = 1;
const W_VALS = 2;

function replyAll(c: Client, argv: Buffer[], what: number): void {
  const id = readLookup(c, argv[1]!);
  if (id === -2) return;
  const reply = c.reply;
  if (id < 0) {
    if (what === (W_KEYS | W_VALS)) reply.mapLen(0);
    else reply.arrayLen(0);
    return;
  }
  const h = c.db.getObject<HashObj>(id);
  const n = hashLen(h);
  if (what === (W_KEYS | W_VALS)) reply.mapLen(n);
  else reply.arrayLen(n);
  if (Buffer.isBuffer(h)) {
    lpForEach(h, (b, fs, fe, vs, ve) => {
      if ((what & W_KEYS) !== 0) reply.bulkSlice(b, fs, fe);
      if ((what & W_VALS) !== 0) reply.bulkSlice(b, vs, ve);
    });
  } else {
    for (const [k, v] of h) {
      if ((what & W_KEYS) !== 0) reply.bulkStr(k);
      if ((what & W_VALS) !== 0) reply.bulk(v);
    }
  }
}

function hgetallCommand(c: Client, argv: Buffer[]): void {
  replyAll(c, argv, W_KEYS | W_VALS);
}

function hkeysCommand(c: Client, argv: Buffer[]): void {
  replyAll(c, argv, W_KEYS);
}

function hvalsCommand(c: Client, argv: Buffer[]): void {
  replyAll(c, argv, W_VALS);
}

// ------------------------------------------------------------------ HRANDFIELD

const HALF_MAX = 4611686018427387903n;

function randInt(n: number): number {
  return Math.floor(Math.random() * n);
}

function hrandfieldCommand(c: Client, argv: Buffer[]): void {
  if (argv.length === 2) {
    const id = readLookup(c, argv[1]!);
    if (id === -2) return;
    if (id < 0) {
      c.reply.nullBulk();
      return;
    }
    const h = c.db.getObject<HashObj>(id);
    if (Buffer.isBuffer(h)) {
      const e = hashEntries(h);
      c.reply.bulk(e[randInt(e.length)]![0]);
    } else c.reply.bulkStr(h.keyAt(h.randomSlot()));
    return;
  }
  const p = parseI64(argv[2]!);
  if (p === null) {
    c.reply.error(ERR.notInteger);
    return;
  }
  if (typeof p === 'bigint' && p < -9223372036854775807n) {
    c.reply.error(ERR_COUNT_RANGE);
    return;
  }
  let withValues = false;
  if (argv.length >= 4) {
    if (argv.length > 4 || !eqi(argv[3]!, 'withvalues')) {
      c.reply.error(ERR.syntax);
      return;
    }
    withValues = true;
  }
  const big = typeof p === 'bigint' ? p : BigInt(p);
  if (withValues && (big > HALF_MAX || big < -HALF_MAX)) {
    c.reply.error(ERR_OUT_OF_RANGE);
    return;
  }
  const id = readLookup(c, argv[1]!);
  if (id === -2) return;
  const reply = c.reply;
  if (id < 0 || big === 0n) {
    reply.arrayLen(0);
    return;
  }
  const h = c.db.getObject<HashObj>(id);
  // Pair i: a listpack is decoded once (it is small); a hashtable is read slot by slot.
  const entries = Buffer.isBuffer(h) ? hashEntries(h) : null;
  const size = hashLen(h);
  const resp3 = reply.resp === 3;
  const emit = (i: number): void => {
    const field = entries !== null ? entries[i]![0] : Buffer.from((h as DenseMap<Buffer>).keyAt(i), 'latin1');
    if (!withValues) {
      reply.bulk(field);
      return;
    }
    if (resp3) reply.arrayLen(2);
    reply.bulk(field);
    reply.bulk(entries !== null ? entries[i]![1] : (h as DenseMap<Buffer>).valueAt(i));
  };
  if (big < 0n) {
    // Repetitions allowed: count independent picks.
    const count = Number(-big);
    reply.arrayLen(withValues && !resp3 ? count * 2 : count);
    for (let i = 0; i < count; i++) emit(randInt(size));
    return;
  }
  const count = big >= BigInt(size) ? size : Number(big);
  reply.arrayLen(withValues && !resp3 ? count * 2 : count);
  if (count === size) {
    for (let i = 0; i < size; i++) emit(i);
    return;
  }
  if (count * 3 < size) {
    // Few picks from many: draw until `count` distinct indexes (no O(size) work).
    const picked = new Set<number>();
    while (picked.size < count) {
      const i = randInt(size);
      if (picked.has(i)) continue;
      picked.add(i);
      emit(i);
    }
    return;
  }
  // Distinct picks: a partial Fisher-Yates shuffle of the indexes.
  const idx = new Int32Array(size);
  for (let i = 0; i < size; i++) idx[i] = i;
  for (let i = 0; i < count; i++) {
    const j = i + randInt(size - i);
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
    emit(idx[i]!);
  }
}

// ------------------------------------------------------------------ HSCAN

function hscanCommand(c: Client, argv: Buffer[]): void {
  const cursor = parseCursorOrReply(c, argv[2]!);
  if (cursor < 0) return;
  const id = readLookup(c, argv[1]!);
  if (id === -2) return;
  const reply = c.reply;
  if (id < 0) {
    beginScanReply(reply, 0, 0);
    return;
  }
  const opts = parseScanOptions(c, argv, 3, false);
  if (opts === null) return;
  const h = c.db.getObject<HashObj>(id);
  const match = opts.match;
  const out: Buffer[] = [];
  let next = 0;
  if (Buffer.isBuffer(h)) {
    // Small encodings answer everything in one call, cursor 0 (like Redis).
    lpForEach(h, (b, fs, fe, vs, ve) => {
      const f = b.subarray(fs, fe);
      if (match !== null && !match.match(f)) return;
      out.push(f, b.subarray(vs, ve));
    });
  } else {
    // Slot cursor: O(COUNT) per call, see DenseMap.scan.
    next = h.scan(cursor, opts.count, (slot) => {
      const f = Buffer.from(h.keyAt(slot), 'latin1');
      if (match === null || match.match(f)) out.push(f, h.valueAt(slot));
    });
  }
  beginScanReply(reply, next, out.length);
  for (const b of out) reply.bulk(b);
}

// ------------------------------------------------------------------ table

function spec(
  name: string,
  arity: number,
  flags: CommandSpec['flags'],
  acl: string[],
  keyFlags: string[],
  handler: CommandSpec['handler'],
  tips?: string[],
): CommandSpec {
  const s: CommandSpec = {
    name,
    arity,
    flags,
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl,
    handler,
    keySpecs: [rangeSpec(keyFlags, 1, 0)],
  };
  if (tips !== undefined) s.tips = tips;
  return s;
}

const WRITE_FAST: CommandSpec['flags'] = ['write', 'denyoom', 'fast'];
const READ_FAST: CommandSpec['flags'] = ['readonly', 'fast'];
const ACL_WF = ['write', 'hash', 'fast'];
const ACL_RF = ['read', 'hash', 'fast'];
const ACL_RS = ['read', 'hash', 'slow'];

export const hashCommands: CommandSpec[] = [
  spec('hset', -4, WRITE_FAST, ACL_WF, ['RW', 'update'], hsetCommand),
  spec('hsetnx', 4, WRITE_FAST, ACL_WF, ['RW', 'insert'], hsetnxCommand),
  spec('hmset', -4, WRITE_FAST, ACL_WF, ['RW', 'update'], hsetCommand),
  spec('hget', 3, READ_FAST, ACL_RF, ['RO', 'access'], hgetCommand),
  spec('hmget', -3, READ_FAST, ACL_RF, ['RO', 'access'], hmgetCommand),
  spec('hgetall', 2, ['readonly'], ACL_RS, ['RO', 'access'], hgetallCommand, ['nondeterministic_output_order']),
  spec('hdel', -3, ['write', 'fast'], ACL_WF, ['RW', 'delete'], hdelCommand),
  spec('hexists', 3, READ_FAST, ACL_RF, ['RO'], hexistsCommand),
  spec('hlen', 2, READ_FAST, ACL_RF, ['RO'], hlenCommand),
  spec('hstrlen', 3, READ_FAST, ACL_RF, ['RO'], hstrlenCommand),
  spec('hkeys', 2, ['readonly'], ACL_RS, ['RO', 'access'], hkeysCommand, ['nondeterministic_output_order']),
  spec('hvals', 2, ['readonly'], ACL_RS, ['RO', 'access'], hvalsCommand, ['nondeterministic_output_order']),
  spec('hincrby', 4, WRITE_FAST, ACL_WF, ['RW', 'access', 'update'], hincrbyCommand),
  spec('hincrbyfloat', 4, WRITE_FAST, ACL_WF, ['RW', 'access', 'update'], hincrbyfloatCommand),
  spec('hrandfield', -2, ['readonly'], ACL_RS, ['RO', 'access'], hrandfieldCommand, ['nondeterministic_output']),
  spec('hscan', -3, ['readonly'], ACL_RS, ['RO', 'access'], hscanCommand, ['nondeterministic_output']),
];
