/**
 * The list family (Redis 7.0 semantics): pushes, pops (with COUNT), LRANGE/LINDEX/LSET/LINSERT,
 * LLEN, LREM, LTRIM, LPOS, LMOVE/RPOPLPUSH and LMPOP. The value type is store/types/list.ts.
 *
 * Checked against redis-server 7.0.15: which error wins (argument parsing before or after the
 * lookup differs per command), RESP2/RESP3 null shapes (LPOP key count on a missing key is a
 * null array, an existing key with count 0 an empty array), dirty counts (one per element
 * pushed/popped/removed, LTRIM the number trimmed), keyspace events (LMOVE: the push event on
 * the destination, then the pop event on the source, then 'del'), and replication (LMPOP is
 * propagated as LPOP/RPOP key <number popped>; the rest verbatim).
 *
 * The blocking commands (BLPOP, BLMOVE, BLMPOP) build on the exported listPushElements,
 * listPopElements and listMoveElement, which do the whole write (events, dirty, deletion of an
 * emptied key, signalKeyAsReady) like the non-blocking commands here.
 */

import type { Client } from '../server/client.js';
import type { Server } from '../server/server.js';
import type { CommandSpec, KeySpec } from './spec.js';
import { ERR, arityError } from '../protocol/errors.js';
import { lookupWrite } from '../store/expire.js';
import { NOTIFY } from '../store/notify.js';
import { TYPE_LIST, type Db } from '../store/db.js';
import { List } from '../store/types/list.js';
import { parseI64, parseI64AsNumber, I64_MIN } from '../util/numbers.js';
import { eqi, firstKeyOfType, foundKeyId, rangeSpec, readKey } from './string.js';
import { registerValueType } from './keys.js';

// ------------------------------------------------------------------ error texts (7.0.15)

const ERR_POSITIVE = 'ERR value is out of range, must be positive';
const ERR_RANK_ZERO =
  "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";
const ERR_COUNT_NEGATIVE = "ERR COUNT can't be negative";
const ERR_MAXLEN_NEGATIVE = "ERR MAXLEN can't be negative";
const ERR_NUMKEYS = 'ERR numkeys should be greater than 0';
const ERR_COUNT_POSITIVE = 'ERR count should be greater than 0';

export const LIST_HEAD = 0;
export const LIST_TAIL = 1;
export type ListEnd = typeof LIST_HEAD | typeof LIST_TAIL;

const B_LPOP = Buffer.from('LPOP', 'latin1');
const B_RPOP = Buffer.from('RPOP', 'latin1');

// ------------------------------------------------------------------ value type registration

registerValueType(TYPE_LIST, {
  clone: (obj) => (obj as List).clone(),
  encoding: () => 'quicklist',
});

/**
 * DEBUG DIGEST / DEBUG OBJECT hooks live on the Server instance; a list can only come into
 * existence through a command of this family (COPY clones an existing one), so registering on
 * the first list write is enough.
 */
const registered = new WeakSet<Server>();
export function ensureRegistered(server: Server): void {
  if (registered.has(server)) return;
  registered.add(server);
  server.valueDigesters.set(TYPE_LIST, (obj) => ({ type: 'list', elements: obj as List }));
  server.encodingNames.set(TYPE_LIST, () => 'quicklist');
}

// ------------------------------------------------------------------ shared operations

function parseEnd(arg: Buffer): number {
  if (eqi(arg, 'left')) return LIST_HEAD;
  if (eqi(arg, 'right')) return LIST_TAIL;
  return -1;
}

/** Redis's getPositiveLongFromObject: a non-negative int64 (as a number), or -1. */
function parseNonNegative(arg: Buffer): number {
  const v = parseI64(arg);
  if (v === null || v < 0) return -1;
  return typeof v === 'number' ? v : Number(v);
}

/**
 * Pushes copies of argv[from..] onto the list at `key` (id: its entry, or -1 to create it),
 * one by one at `where`. Dirty, 'lpush'/'rpush' event, keyModified and signalKeyAsReady
 * included. The caller has checked the type. Returns the new length.
 */
export function listPushElements(c: Client, id: number, key: Buffer, where: ListEnd, argv: Buffer[], from: number): number {
  const server = c.server;
  ensureRegistered(server);
  let list: List;
  if (id < 0) {
    list = new List();
    c.db.setObject(key, TYPE_LIST, list);
  } else {
    list = c.db.getObject<List>(id);
  }
  const n = argv.length;
  if (where === LIST_HEAD) for (let i = from; i < n; i++) list.pushHead(argv[i]!);
  else for (let i = from; i < n; i++) list.pushTail(argv[i]!);
  server.dirty += n - from;
  server.keyModified(c.dbIndex, key);
  server.notify(NOTIFY.LIST, where === LIST_HEAD ? 'lpush' : 'rpush', key, c.dbIndex);
  server.signalKeyAsReady(c.dbIndex, key);
  return list.length;
}

/**
 * Pops up to `count` (>= 1) elements from the list at entry `id` (`key`), returning copies in
 * pop order. Dirty, the 'lpop'/'rpop' event, keyModified, and deletion ('del' event) of an
 * emptied key included.
 */
export function listPopElements(c: Client, id: number, key: Buffer, where: ListEnd, count: number): Buffer[] {
  const db = c.db;
  const list = db.getObject<List>(id);
  const n = Math.min(count, list.length);
  const out: Buffer[] = new Array<Buffer>(n);
  for (let i = 0; i < n; i++) out[i] = Buffer.from(where === LIST_HEAD ? list.popHead()! : list.popTail()!);
  const server = c.server;
  server.dirty += n;
  server.notify(NOTIFY.LIST, where === LIST_HEAD ? 'lpop' : 'rpop', key, c.dbIndex);
  if (list.length === 0) {
    db.deleteId(id);
    server.notify(NOTIFY.GENERIC, 'del', key, c.dbIndex);
  }
  server.keyModified(c.dbIndex, key);
  return out;
}

/**
 * LMOVE's write: pops one element from the (non-empty, type-checked) list at srcId and pushes
 * it onto dstKey (dstId -1: created; the caller has checked its type). Events in Redis's order:
 * push on the destination, pop on the source, 'del' when the source became empty. Returns the
 * element moved (a copy).
 */
export function listMoveElement(c: Client, srcId: number, srcKey: Buffer, dstId: number, dstKey: Buffer, from: ListEnd, to: ListEnd): Buffer {
  const db = c.db;
  const server = c.server;
  ensureRegistered(server);
  const src = db.getObject<List>(srcId);
  const value = Buffer.from(from === LIST_HEAD ? src.popHead()! : src.popTail()!);
  const srcEmpty = src.length === 0;
  if (srcEmpty && dstId !== srcId) db.deleteId(srcId);
  let dst: List;
  if (dstId === srcId) dst = src;
  else if (dstId < 0) {
    dst = new List();
    db.setObject(dstKey, TYPE_LIST, dst);
  } else dst = db.getObject<List>(dstId);
  if (to === LIST_HEAD) dst.pushHead(value);
  else dst.pushTail(value);
  server.keyModified(c.dbIndex, dstKey);
  server.notify(NOTIFY.LIST, to === LIST_HEAD ? 'lpush' : 'rpush', dstKey, c.dbIndex);
  server.signalKeyAsReady(c.dbIndex, dstKey);
  server.notify(NOTIFY.LIST, from === LIST_HEAD ? 'lpop' : 'rpop', srcKey, c.dbIndex);
  if (srcEmpty && dstId !== srcId) server.notify(NOTIFY.GENERIC, 'del', srcKey, c.dbIndex);
  server.keyModified(c.dbIndex, srcKey);
  server.dirty++;
  return value;
}

/** The list at `id` (type already checked). */
export function listOf(db: Db, id: number): List {
  return db.getObject<List>(id);
}

// ------------------------------------------------------------------ pushes

function pushGeneric(c: Client, argv: Buffer[], where: ListEnd, onlyExisting: boolean): void {
  const key = argv[1]!;
  const id = lookupWrite(c, key);
  if (id >= 0 && c.db.typeOf(id) !== TYPE_LIST) {
    c.reply.error(ERR.wrongType);
    return;
  }
  if (id < 0 && onlyExisting) {
    c.reply.integer(0);
    return;
  }
  c.reply.integer(listPushElements(c, id, key, where, argv, 2));
}

function lpushCommand(c: Client, argv: Buffer[]): void {
  pushGeneric(c, argv, LIST_HEAD, false);
}
function rpushCommand(c: Client, argv: Buffer[]): void {
  pushGeneric(c, argv, LIST_TAIL, false);
}
function lpushxCommand(c: Client, argv: Buffer[]): void {
  pushGeneric(c, argv, LIST_HEAD, true);
}
function rpushxCommand(c: Client, argv: Buffer[]): void {
  pushGeneric(c, argv, LIST_TAIL, true);
}

// ------------------------------------------------------------------ pops

function popGeneric(c: Client, argv: Buffer[], where: ListEnd): void {
  if (argv.length > 3) {
    c.reply.error(arityError(where === LIST_HEAD ? 'lpop' : 'rpop'));
    return;
  }
  const hasCount = argv.length === 3;
  let count = 1;
  if (hasCount) {
    count = parseNonNegative(argv[2]!);
    if (count < 0) {
      c.reply.error(ERR_POSITIVE);
      return;
    }
  }
  const key = argv[1]!;
  const id = lookupWrite(c, key);
  if (id < 0) {
    if (hasCount) c.reply.nullArray();
    else c.reply.nullBulk();
    return;
  }
  if (c.db.typeOf(id) !== TYPE_LIST) {
    c.reply.error(ERR.wrongType);
    return;
  }
  if (count === 0) {
    c.reply.arrayLen(0);
    return;
  }
  const out = listPopElements(c, id, key, where, count);
  if (!hasCount) {
    c.reply.bulk(out[0]!);
    return;
  }
  c.reply.arrayLen(out.length);
  for (let i = 0; i < out.length; i++) c.reply.bulk(out[i]!);
}

function lpopCommand(c: Client, argv: Buffer[]): void {
  popGeneric(c, argv, LIST_HEAD);
}
function rpopCommand(c: Client, argv: Buffer[]): void {
  popGeneric(c, argv, LIST_TAIL);
}

// ------------------------------------------------------------------ reads

/** Looks up a list for reading: id, -1 when missing (reply not written), -2 after WRONGTYPE. */
function readList(c: Client, key: Buffer): number {
  const id = readKey(c, key);
  if (id >= 0 && c.db.typeOf(id) !== TYPE_LIST) {
    c.reply.error(ERR.wrongType);
    return -2;
  }
  return id;
}

function llenCommand(c: Client, argv: Buffer[]): void {
  const id = readList(c, argv[1]!);
  if (id === -2) return;
  c.reply.integer(id < 0 ? 0 : c.db.getObject<List>(id).length);
}

const NOT_INTEGER = -2;

/**
 * LINDEX/LSET index: replies the integer error and returns NOT_INTEGER, returns -1 when the
 * index (negative counts from the tail) is outside the list, else the position from the head.
 */
function listIndex(c: Client, arg: Buffer, list: List): number {
  let index = parseI64AsNumber(arg);
  if (Number.isNaN(index)) {
    c.reply.error(ERR.notInteger);
    return NOT_INTEGER;
  }
  if (index < 0) index += list.length;
  return index < 0 || index >= list.length ? -1 : index;
}

function lindexCommand(c: Client, argv: Buffer[]): void {
  const id = readList(c, argv[1]!);
  if (id === -2) return;
  if (id < 0) {
    c.reply.nullBulk();
    return;
  }
  const list = c.db.getObject<List>(id);
  const index = listIndex(c, argv[2]!, list);
  if (index === NOT_INTEGER) return;
  if (index < 0) {
    c.reply.nullBulk();
    return;
  }
  c.reply.bulk(list.at(index));
}

/** Normalises a [start, end] range to the list; null when it is empty. */
function clampRange(start: number, end: number, len: number): [number, number] | null {
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (start > end || start >= len) return null;
  if (end >= len) end = len - 1;
  return [start, end];
}

function lrangeCommand(c: Client, argv: Buffer[]): void {
  const start = parseI64AsNumber(argv[2]!);
  const end = parseI64AsNumber(argv[3]!);
  if (Number.isNaN(start) || Number.isNaN(end)) {
    c.reply.error(ERR.notInteger);
    return;
  }
  const id = readList(c, argv[1]!);
  if (id === -2) return;
  if (id < 0) {
    c.reply.arrayLen(0);
    return;
  }
  const list = c.db.getObject<List>(id);
  const r = clampRange(start, end, list.length);
  if (r === null) {
    c.reply.arrayLen(0);
    return;
  }
  const w = c.reply;
  w.arrayLen(r[1] - r[0] + 1);
  list.forRange(r[0], r[1], (e) => w.bulk(e));
}

function lposCommand(c: Client, argv: Buffer[]): void {
  let rank = 1;
  let count = -1; // -1: no COUNT option
  let maxlen = 0;
  let fromTailAll = false; // rank -2^63: Redis 7.0 returns the first match from the tail
  const n = argv.length;
  for (let j = 3; j < n; j++) {
    const opt = argv[j]!;
    if (j + 1 >= n) {
      c.reply.error(ERR.syntax);
      return;
    }
    const val = argv[++j]!;
    if (eqi(opt, 'rank')) {
      const v = parseI64(val);
      if (v === null) {
        c.reply.error(ERR.notInteger);
        return;
      }
      if (v === 0) {
        c.reply.error(ERR_RANK_ZERO);
        return;
      }
      fromTailAll = v === I64_MIN;
      rank = typeof v === 'number' ? v : Number(v);
    } else if (eqi(opt, 'count')) {
      const v = parseI64(val);
      if (v === null || v < 0) {
        c.reply.error(ERR_COUNT_NEGATIVE);
        return;
      }
      count = typeof v === 'number' ? v : Number(v);
    } else if (eqi(opt, 'maxlen')) {
      const v = parseI64(val);
      if (v === null || v < 0) {
        c.reply.error(ERR_MAXLEN_NEGATIVE);
        return;
      }
      maxlen = typeof v === 'number' ? v : Number(v);
    } else {
      c.reply.error(ERR.syntax);
      return;
    }
  }
  const id = readList(c, argv[1]!);
  if (id === -2) return;
  if (id < 0) {
    if (count >= 0) c.reply.arrayLen(0);
    else c.reply.nullBulk();
    return;
  }
  const list = c.db.getObject<List>(id);
  const len = list.length;
  const fromTail = rank < 0;
  let skip = fromTailAll ? 0 : Math.abs(rank) - 1;
  const want = count < 0 ? 1 : count === 0 ? Infinity : count;
  const limit = maxlen === 0 ? len : Math.min(maxlen, len);
  const elem = argv[2]!;
  const found: number[] = [];
  let scanned = 0;
  let idx = fromTail ? len - 1 : 0;
  const step = fromTail ? -1 : 1;
  const visit = (e: Buffer): boolean => {
    if (e.length === elem.length && e.equals(elem)) {
      if (skip > 0) skip--;
      else found.push(idx);
    }
    scanned++;
    idx += step;
    return found.length < want && scanned < limit;
  };
  if (len > 0) {
    // Walk only as far as needed: MAXLEN bounds the range, enough matches stop the walk.
    if (limit > 0) {
      if (fromTail) list.forRangeReverse(len - limit, len - 1, visit);
      else list.forRange(0, limit - 1, visit);
    }
  }
  if (count < 0) {
    if (found.length === 0) c.reply.nullBulk();
    else c.reply.integer(found[0]!);
    return;
  }
  c.reply.arrayLen(found.length);
  for (let i = 0; i < found.length; i++) c.reply.integer(found[i]!);
}

// ------------------------------------------------------------------ in-place writes

function lsetCommand(c: Client, argv: Buffer[]): void {
  const key = argv[1]!;
  const id = lookupWrite(c, key);
  if (id < 0) {
    c.reply.error(ERR.noSuchKey);
    return;
  }
  if (c.db.typeOf(id) !== TYPE_LIST) {
    c.reply.error(ERR.wrongType);
    return;
  }
  const list = c.db.getObject<List>(id);
  const index = listIndex(c, argv[2]!, list);
  if (index === NOT_INTEGER) return;
  if (index < 0) {
    c.reply.error(ERR.outOfRange);
    return;
  }
  list.set(index, argv[3]!);
  const server = c.server;
  server.dirty++;
  server.keyModified(c.dbIndex, key);
  server.notify(NOTIFY.LIST, 'lset', key, c.dbIndex);
  c.reply.ok();
}

function linsertCommand(c: Client, argv: Buffer[]): void {
  let after: boolean;
  if (eqi(argv[2]!, 'before')) after = false;
  else if (eqi(argv[2]!, 'after')) after = true;
  else {
    c.reply.error(ERR.syntax);
    return;
  }
  const key = argv[1]!;
  const id = lookupWrite(c, key);
  if (id < 0) {
    c.reply.integer(0);
    return;
  }
  if (c.db.typeOf(id) !== TYPE_LIST) {
    c.reply.error(ERR.wrongType);
    return;
  }
  const list = c.db.getObject<List>(id);
  const pos = list.indexOf(argv[3]!);
  if (pos < 0) {
    c.reply.integer(-1);
    return;
  }
  list.insert(after ? pos + 1 : pos, argv[4]!);
  const server = c.server;
  server.dirty++;
  server.keyModified(c.dbIndex, key);
  server.notify(NOTIFY.LIST, 'linsert', key, c.dbIndex);
  c.reply.integer(list.length);
}

function lremCommand(c: Client, argv: Buffer[]): void {
  const count = parseI64AsNumber(argv[2]!);
  if (Number.isNaN(count)) {
    c.reply.error(ERR.notInteger);
    return;
  }
  const key = argv[1]!;
  const id = lookupWrite(c, key);
  if (id < 0) {
    c.reply.integer(0);
    return;
  }
  const db = c.db;
  if (db.typeOf(id) !== TYPE_LIST) {
    c.reply.error(ERR.wrongType);
    return;
  }
  const list = db.getObject<List>(id);
  const removed = list.remove(argv[3]!, Math.abs(count), count < 0);
  if (removed > 0) {
    const server = c.server;
    server.dirty += removed;
    server.notify(NOTIFY.LIST, 'lrem', key, c.dbIndex);
    if (list.length === 0) {
      db.deleteId(id);
      server.notify(NOTIFY.GENERIC, 'del', key, c.dbIndex);
    }
    server.keyModified(c.dbIndex, key);
  }
  c.reply.integer(removed);
}

function ltrimCommand(c: Client, argv: Buffer[]): void {
  const start = parseI64AsNumber(argv[2]!);
  const end = parseI64AsNumber(argv[3]!);
  if (Number.isNaN(start) || Number.isNaN(end)) {
    c.reply.error(ERR.notInteger);
    return;
  }
  const key = argv[1]!;
  const id = lookupWrite(c, key);
  if (id < 0) {
    c.reply.ok();
    return;
  }
  const db = c.db;
  if (db.typeOf(id) !== TYPE_LIST) {
    c.reply.error(ERR.wrongType);
    return;
  }
  const list = db.getObject<List>(id);
  const len = list.length;
  const r = clampRange(start, end, len);
  let ltrim: number;
  let rtrim: number;
  if (r === null) {
    ltrim = len;
    rtrim = 0;
  } else {
    ltrim = r[0];
    rtrim = len - r[1] - 1;
  }
  if (ltrim > 0) list.trimHead(ltrim);
  if (rtrim > 0) list.trimTail(rtrim);
  const server = c.server;
  server.notify(NOTIFY.LIST, 'ltrim', key, c.dbIndex);
  if (list.length === 0) {
    db.deleteId(id);
    server.notify(NOTIFY.GENERIC, 'del', key, c.dbIndex);
  }
  server.keyModified(c.dbIndex, key);
  server.dirty += ltrim + rtrim;
  c.reply.ok();
}

// ------------------------------------------------------------------ moves

function moveGeneric(c: Client, src: Buffer, dst: Buffer, from: ListEnd, to: ListEnd): void {
  const db = c.db;
  const srcId = lookupWrite(c, src);
  if (srcId < 0) {
    c.reply.nullBulk();
    return;
  }
  if (db.typeOf(srcId) !== TYPE_LIST) {
    c.reply.error(ERR.wrongType);
    return;
  }
  const dstId = lookupWrite(c, dst);
  if (dstId >= 0 && db.typeOf(dstId) !== TYPE_LIST) {
    c.reply.error(ERR.wrongType);
    return;
  }
  c.reply.bulk(listMoveElement(c, srcId, src, dstId, dst, from, to));
}

function rpoplpushCommand(c: Client, argv: Buffer[]): void {
  moveGeneric(c, argv[1]!, argv[2]!, LIST_TAIL, LIST_HEAD);
}

function lmoveCommand(c: Client, argv: Buffer[]): void {
  const from = parseEnd(argv[3]!);
  const to = parseEnd(argv[4]!);
  if (from < 0 || to < 0) {
    c.reply.error(ERR.syntax);
    return;
  }
  moveGeneric(c, argv[1]!, argv[2]!, from as ListEnd, to as ListEnd);
}

// ------------------------------------------------------------------ LMPOP

/**
 * Parses `numkeys key... LEFT|RIGHT [COUNT n]` starting at argv[at] (LMPOP: 1, BLMPOP: 2).
 * Returns [numkeys, where, count], or writes the error and returns null.
 */
export function parseMpopArgs(c: Client, argv: Buffer[], at: number): [number, ListEnd, number] | null {
  const nk = parseI64(argv[at]!);
  if (nk === null || nk <= 0) {
    c.reply.error(ERR_NUMKEYS);
    return null;
  }
  const numkeys = typeof nk === 'number' ? nk : Number(nk);
  const whereAt = at + 1 + numkeys;
  if (whereAt >= argv.length) {
    c.reply.error(ERR.syntax);
    return null;
  }
  const where = parseEnd(argv[whereAt]!);
  if (where < 0) {
    c.reply.error(ERR.syntax);
    return null;
  }
  let count = -1;
  for (let j = whereAt + 1; j < argv.length; j++) {
    if (count < 0 && eqi(argv[j]!, 'count') && j + 1 < argv.length) {
      const v = parseI64(argv[++j]!);
      if (v === null || v <= 0) {
        c.reply.error(ERR_COUNT_POSITIVE);
        return null;
      }
      count = typeof v === 'number' ? v : Number(v);
    } else {
      c.reply.error(ERR.syntax);
      return null;
    }
  }
  return [numkeys, where as ListEnd, count < 0 ? 1 : count];
}

function lmpopCommand(c: Client, argv: Buffer[]): void {
  const parsed = parseMpopArgs(c, argv, 1);
  if (parsed === null) return;
  const [numkeys, where, count] = parsed;
  const k = firstKeyOfType(c, argv, 2, 2 + numkeys, TYPE_LIST);
  if (k === -2) return;
  if (k >= 0) {
    const key = argv[k]!;
    const out = listPopElements(c, foundKeyId, key, where, count);
    const w = c.reply;
    w.arrayLen(2);
    w.bulk(key);
    w.arrayLen(out.length);
    for (let i = 0; i < out.length; i++) w.bulk(out[i]!);
    c.propagateArgv = [where === LIST_HEAD ? B_LPOP : B_RPOP, Buffer.from(key), Buffer.from(String(out.length), 'latin1')];
    return;
  }
  c.reply.nullArray();
}

function lmpopKeys(argv: Buffer[]): number[] {
  const nk = argv.length > 1 ? parseI64AsNumber(argv[1]!) : NaN;
  if (!(nk > 0) || nk + 2 > argv.length) return [];
  const out: number[] = [];
  for (let i = 0; i < nk; i++) out.push(2 + i);
  return out;
}

// ------------------------------------------------------------------ table

const RW_INSERT = ['RW', 'insert'];
const RW_ACCESS_DELETE = ['RW', 'access', 'delete'];
const RO_ACCESS = ['RO', 'access'];

function cmd(
  name: string,
  arity: number,
  flags: CommandSpec['flags'],
  acl: string[],
  handler: CommandSpec['handler'],
  keySpecs: KeySpec[],
  lastKey = 1,
): CommandSpec {
  return { name, arity, flags, firstKey: 1, lastKey, step: 1, acl, handler, keySpecs };
}

const W_FAST = ['write', 'list', 'fast'];
const W_SLOW = ['write', 'list', 'slow'];
const R_SLOW = ['read', 'list', 'slow'];

export const listCommands: CommandSpec[] = [
  cmd('lpush', -3, ['write', 'denyoom', 'fast'], W_FAST, lpushCommand, [rangeSpec(RW_INSERT, 1, 0)]),
  cmd('rpush', -3, ['write', 'denyoom', 'fast'], W_FAST, rpushCommand, [rangeSpec(RW_INSERT, 1, 0)]),
  cmd('lpushx', -3, ['write', 'denyoom', 'fast'], W_FAST, lpushxCommand, [rangeSpec(RW_INSERT, 1, 0)]),
  cmd('rpushx', -3, ['write', 'denyoom', 'fast'], W_FAST, rpushxCommand, [rangeSpec(RW_INSERT, 1, 0)]),
  cmd('lpop', -2, ['write', 'fast'], W_FAST, lpopCommand, [rangeSpec(RW_ACCESS_DELETE, 1, 0)]),
  cmd('rpop', -2, ['write', 'fast'], W_FAST, rpopCommand, [rangeSpec(RW_ACCESS_DELETE, 1, 0)]),
  cmd('lrange', 4, ['readonly'], R_SLOW, lrangeCommand, [rangeSpec(RO_ACCESS, 1, 0)]),
  cmd('lindex', 3, ['readonly'], R_SLOW, lindexCommand, [rangeSpec(RO_ACCESS, 1, 0)]),
  cmd('lset', 4, ['write', 'denyoom'], W_SLOW, lsetCommand, [rangeSpec(['RW', 'update'], 1, 0)]),
  cmd('linsert', 5, ['write', 'denyoom'], W_SLOW, linsertCommand, [rangeSpec(RW_INSERT, 1, 0)]),
  cmd('llen', 2, ['readonly', 'fast'], ['read', 'list', 'fast'], llenCommand, [rangeSpec(['RO'], 1, 0)]),
  cmd('lrem', 4, ['write'], W_SLOW, lremCommand, [rangeSpec(['RW', 'delete'], 1, 0)]),
  cmd('ltrim', 4, ['write'], W_SLOW, ltrimCommand, [rangeSpec(['RW', 'delete'], 1, 0)]),
  cmd('lpos', -3, ['readonly'], R_SLOW, lposCommand, [rangeSpec(RO_ACCESS, 1, 0)]),
  cmd('lmove', 5, ['write', 'denyoom'], W_SLOW, lmoveCommand, [rangeSpec(RW_ACCESS_DELETE, 1, 0), rangeSpec(RW_INSERT, 2, 0)], 2),
  cmd('rpoplpush', 3, ['write', 'denyoom'], W_SLOW, rpoplpushCommand, [rangeSpec(RW_ACCESS_DELETE, 1, 0), rangeSpec(RW_INSERT, 2, 0)], 2),
  {
    name: 'lmpop',
    arity: -4,
    flags: ['write', 'movablekeys'],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    acl: W_SLOW,
    handler: lmpopCommand,
    getKeys: lmpopKeys,
    keySpecs: [{ flags: RW_ACCESS_DELETE, begin: { index: 1 }, find: { keynum: { keynumidx: 0, firstkey: 1, step: 1 } } }],
  },
];
