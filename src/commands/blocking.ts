/**
 * The blocking list and sorted-set pops (Redis 7.0 semantics): BLPOP, BRPOP, BLMOVE,
 * BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP. The waiting itself is server/blocking.ts.
 *
 * Checked against redis-server 7.0.15:
 * - Argument errors come first (BLMOVE/BLMPOP/BZMPOP parse their options before the timeout),
 *   then the timeout, then the keys in order: a wrong-typed key answers WRONGTYPE, the first
 *   non-empty one is served at once.
 * - Nothing to serve inside MULTI/EXEC (or on a script/master link): BLMOVE/BRPOPLPUSH answer a
 *   null bulk, the others a null array. A timeout (and CLIENT UNBLOCK ... TIMEOUT) answers a
 *   null array for all of them, BLMOVE included.
 * - A waiter is only served by a key of its type: a list pushed where BZPOPMIN waits leaves it
 *   waiting. A BLMOVE waiter whose destination holds another type when the source gets an
 *   element is answered WRONGTYPE and nothing moves.
 * - Replication: served at once, BLPOP/BRPOP → LPOP/RPOP key, BLMOVE → LMOVE with the
 *   arguments as given, BRPOPLPUSH → RPOPLPUSH, BLMPOP → LPOP/RPOP key <number popped>,
 *   BZPOPMIN/MAX → ZPOPMIN/MAX key, BZMPOP → ZPOPMIN/MAX key <number popped>. Served later the
 *   same, except that BLMOVE's directions are sent lower-case.
 */

import type { Client } from '../server/client.js';
import type { CommandSpec, KeySpec } from './spec.js';
import { ERR } from '../protocol/errors.js';
import { lookupWrite } from '../store/expire.js';
import { TYPE_LIST, TYPE_ZSET } from '../store/db.js';
import { formatDouble, parseI64 } from '../util/numbers.js';
import { LIST_HEAD, LIST_TAIL, type ListEnd, listMoveElement, listPopElements, parseMpopArgs } from './list.js';
import { replyPopped, zsetPop } from './zset.js';
import { blockClient, mustNotBlock, parseBlockTimeout } from '../server/blocking.js';
import { eqi, firstKeyOfType, foundKeyId, rangeSpec } from './string.js';

const ERR_NUMKEYS = 'ERR numkeys should be greater than 0';
const ERR_COUNT_POSITIVE = 'ERR count should be greater than 0';

const B_LPOP = Buffer.from('LPOP');
const B_RPOP = Buffer.from('RPOP');
const B_LMOVE = Buffer.from('LMOVE');
const B_RPOPLPUSH = Buffer.from('RPOPLPUSH');
const B_ZPOPMIN = Buffer.from('ZPOPMIN');
const B_ZPOPMAX = Buffer.from('ZPOPMAX');
const B_LEFT = Buffer.from('left');
const B_RIGHT = Buffer.from('right');

function copyKeys(argv: Buffer[], from: number, to: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = from; i < to; i++) out.push(Buffer.from(argv[i]!));
  return out;
}

function timeoutNullArray(c: Client): void {
  c.reply.nullArray();
}

/** Type check for a key about to be served: -1 missing, -2 other type (nothing written). */
function typedLookup(c: Client, key: Buffer, type: number): number {
  const id = lookupWrite(c, key);
  if (id < 0) return -1;
  return c.db.typeOf(id) === type ? id : -2;
}

// ------------------------------------------------------------------ BLPOP BRPOP

function popOne(c: Client, id: number, key: Buffer, where: ListEnd): void {
  const out = listPopElements(c, id, key, where, 1);
  c.reply.arrayLen(2);
  c.reply.bulk(key);
  c.reply.bulk(out[0]!);
}

function bpopGeneric(c: Client, argv: Buffer[], where: ListEnd): void {
  const last = argv.length - 1;
  const deadline = parseBlockTimeout(c, argv[last]!, 'seconds');
  if (deadline < 0) return;
  const i = firstKeyOfType(c, argv, 1, last, TYPE_LIST);
  if (i === -2) return;
  if (i >= 0) {
    const key = argv[i]!;
    popOne(c, foundKeyId, key, where);
    c.propagateArgv = [where === LIST_HEAD ? B_LPOP : B_RPOP, Buffer.from(key)];
    return;
  }
  if (mustNotBlock(c)) {
    c.reply.nullArray();
    return;
  }
  blockClient(c, {
    keys: copyKeys(argv, 1, last),
    deadline,
    tryServe(cl, key) {
      const id = typedLookup(cl, key, TYPE_LIST);
      if (id < 0) return false;
      popOne(cl, id, key, where);
      cl.server.propagate(cl.dbIndex, [where === LIST_HEAD ? B_LPOP : B_RPOP, key]);
      return true;
    },
    onTimeout: timeoutNullArray,
  });
}

function blpopCommand(c: Client, argv: Buffer[]): void {
  bpopGeneric(c, argv, LIST_HEAD);
}
function brpopCommand(c: Client, argv: Buffer[]): void {
  bpopGeneric(c, argv, LIST_TAIL);
}

// ------------------------------------------------------------------ BLMOVE BRPOPLPUSH

function parseEnd(arg: Buffer): number {
  if (eqi(arg, 'left')) return LIST_HEAD;
  if (eqi(arg, 'right')) return LIST_TAIL;
  return -1;
}

/**
 * Moves one element src → dst when src is a non-empty list: writes the reply and returns true.
 * Returns false when src is missing; WRONGTYPE (written) for either key returns true.
 */
function tryMove(c: Client, src: Buffer, dst: Buffer, from: ListEnd, to: ListEnd): boolean | null {
  const db = c.db;
  const srcId = lookupWrite(c, src);
  if (srcId < 0) return false;
  if (db.typeOf(srcId) !== TYPE_LIST) {
    c.reply.error(ERR.wrongType);
    return null;
  }
  const dstId = lookupWrite(c, dst);
  if (dstId >= 0 && db.typeOf(dstId) !== TYPE_LIST) {
    c.reply.error(ERR.wrongType);
    return null;
  }
  c.reply.bulk(listMoveElement(c, srcId, src, dstId, dst, from, to));
  return true;
}

function bmoveGeneric(c: Client, argv: Buffer[], src: Buffer, dst: Buffer, from: ListEnd, to: ListEnd, timeoutArg: Buffer, lmove: boolean): void {
  const deadline = parseBlockTimeout(c, timeoutArg, 'seconds');
  if (deadline < 0) return;
  const moved = tryMove(c, src, dst, from, to);
  if (moved === null) return;
  if (moved) {
    c.propagateArgv = lmove
      ? [B_LMOVE, Buffer.from(argv[1]!), Buffer.from(argv[2]!), Buffer.from(argv[3]!), Buffer.from(argv[4]!)]
      : [B_RPOPLPUSH, Buffer.from(src), Buffer.from(dst)];
    return;
  }
  if (mustNotBlock(c)) {
    c.reply.nullBulk();
    return;
  }
  const dstKey = Buffer.from(dst);
  blockClient(c, {
    keys: [Buffer.from(src)],
    deadline,
    tryServe(cl, key) {
      const srcId = typedLookup(cl, key, TYPE_LIST);
      if (srcId < 0) return false;
      const dstId = lookupWrite(cl, dstKey);
      if (dstId >= 0 && cl.db.typeOf(dstId) !== TYPE_LIST) {
        cl.reply.error(ERR.wrongType);
        return true;
      }
      cl.reply.bulk(listMoveElement(cl, srcId, key, dstId, dstKey, from, to));
      cl.server.propagate(
        cl.dbIndex,
        lmove ? [B_LMOVE, key, dstKey, from === LIST_HEAD ? B_LEFT : B_RIGHT, to === LIST_HEAD ? B_LEFT : B_RIGHT] : [B_RPOPLPUSH, key, dstKey],
      );
      return true;
    },
    onTimeout: timeoutNullArray,
  });
}

function blmoveCommand(c: Client, argv: Buffer[]): void {
  const from = parseEnd(argv[3]!);
  const to = parseEnd(argv[4]!);
  if (from < 0 || to < 0) {
    c.reply.error(ERR.syntax);
    return;
  }
  bmoveGeneric(c, argv, argv[1]!, argv[2]!, from as ListEnd, to as ListEnd, argv[5]!, true);
}

function brpoplpushCommand(c: Client, argv: Buffer[]): void {
  bmoveGeneric(c, argv, argv[1]!, argv[2]!, LIST_TAIL, LIST_HEAD, argv[3]!, false);
}

// ------------------------------------------------------------------ BLMPOP

function mpopReply(c: Client, id: number, key: Buffer, where: ListEnd, count: number): Buffer[] {
  const out = listPopElements(c, id, key, where, count);
  const w = c.reply;
  w.arrayLen(2);
  w.bulk(key);
  w.arrayLen(out.length);
  for (let i = 0; i < out.length; i++) w.bulk(out[i]!);
  return out;
}

function blmpopCommand(c: Client, argv: Buffer[]): void {
  const parsed = parseMpopArgs(c, argv, 2);
  if (parsed === null) return;
  const [numkeys, where, count] = parsed;
  const deadline = parseBlockTimeout(c, argv[1]!, 'seconds');
  if (deadline < 0) return;
  const k = firstKeyOfType(c, argv, 3, 3 + numkeys, TYPE_LIST);
  if (k === -2) return;
  if (k >= 0) {
    const key = argv[k]!;
    const out = mpopReply(c, foundKeyId, key, where, count);
    c.propagateArgv = [where === LIST_HEAD ? B_LPOP : B_RPOP, Buffer.from(key), Buffer.from(String(out.length))];
    return;
  }
  if (mustNotBlock(c)) {
    c.reply.nullArray();
    return;
  }
  blockClient(c, {
    keys: copyKeys(argv, 3, 3 + numkeys),
    deadline,
    tryServe(cl, key) {
      const id = typedLookup(cl, key, TYPE_LIST);
      if (id < 0) return false;
      const out = mpopReply(cl, id, key, where, count);
      cl.server.propagate(cl.dbIndex, [where === LIST_HEAD ? B_LPOP : B_RPOP, key, Buffer.from(String(out.length))]);
      return true;
    },
    onTimeout: timeoutNullArray,
  });
}

// ------------------------------------------------------------------ BZPOPMIN BZPOPMAX

function zpopOne(c: Client, id: number, key: Buffer, max: boolean): void {
  const got = zsetPop(c, key, id, max, 1);
  const r = c.reply;
  r.arrayLen(3);
  r.bulk(key);
  r.bulkStr(got.members[0]!);
  r.double(formatDouble(got.scores[0]!));
}

function bzpopGeneric(c: Client, argv: Buffer[], max: boolean): void {
  const last = argv.length - 1;
  const deadline = parseBlockTimeout(c, argv[last]!, 'seconds');
  if (deadline < 0) return;
  const i = firstKeyOfType(c, argv, 1, last, TYPE_ZSET);
  if (i === -2) return;
  if (i >= 0) {
    const key = argv[i]!;
    zpopOne(c, foundKeyId, key, max);
    c.propagateArgv = [max ? B_ZPOPMAX : B_ZPOPMIN, Buffer.from(key)];
    return;
  }
  if (mustNotBlock(c)) {
    c.reply.nullArray();
    return;
  }
  blockClient(c, {
    keys: copyKeys(argv, 1, last),
    deadline,
    tryServe(cl, key) {
      const id = typedLookup(cl, key, TYPE_ZSET);
      if (id < 0) return false;
      zpopOne(cl, id, key, max);
      cl.server.propagate(cl.dbIndex, [max ? B_ZPOPMAX : B_ZPOPMIN, key]);
      return true;
    },
    onTimeout: timeoutNullArray,
  });
}

function bzpopminCommand(c: Client, argv: Buffer[]): void {
  bzpopGeneric(c, argv, false);
}
function bzpopmaxCommand(c: Client, argv: Buffer[]): void {
  bzpopGeneric(c, argv, true);
}

// ------------------------------------------------------------------ BZMPOP

/** `timeout numkeys key... MIN|MAX [COUNT n]`: [numkeys, max, count], or null after replying. */
function parseBzmpopArgs(c: Client, argv: Buffer[]): [number, boolean, number] | null {
  const nk = parseI64(argv[2]!);
  if (nk === null || nk <= 0) {
    c.reply.error(ERR_NUMKEYS);
    return null;
  }
  const numkeys = Number(nk);
  const whereAt = 3 + numkeys;
  if (whereAt >= argv.length) {
    c.reply.error(ERR.syntax);
    return null;
  }
  let max: boolean;
  if (eqi(argv[whereAt]!, 'min')) max = false;
  else if (eqi(argv[whereAt]!, 'max')) max = true;
  else {
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
      count = typeof v === 'bigint' ? Number.MAX_SAFE_INTEGER : v;
    } else {
      c.reply.error(ERR.syntax);
      return null;
    }
  }
  return [numkeys, max, count < 0 ? 1 : count];
}

function zmpopReply(c: Client, id: number, key: Buffer, max: boolean, count: number): number {
  const got = zsetPop(c, key, id, max, count);
  c.reply.arrayLen(2);
  c.reply.bulk(key);
  replyPopped(c, got, true, true);
  return got.members.length;
}

function bzmpopCommand(c: Client, argv: Buffer[]): void {
  const parsed = parseBzmpopArgs(c, argv);
  if (parsed === null) return;
  const [numkeys, max, count] = parsed;
  const deadline = parseBlockTimeout(c, argv[1]!, 'seconds');
  if (deadline < 0) return;
  const k = firstKeyOfType(c, argv, 3, 3 + numkeys, TYPE_ZSET);
  if (k === -2) return;
  if (k >= 0) {
    const key = argv[k]!;
    const n = zmpopReply(c, foundKeyId, key, max, count);
    c.propagateArgv = [max ? B_ZPOPMAX : B_ZPOPMIN, Buffer.from(key), Buffer.from(String(n))];
    return;
  }
  if (mustNotBlock(c)) {
    c.reply.nullArray();
    return;
  }
  blockClient(c, {
    keys: copyKeys(argv, 3, 3 + numkeys),
    deadline,
    tryServe(cl, key) {
      const id = typedLookup(cl, key, TYPE_ZSET);
      if (id < 0) return false;
      const n = zmpopReply(cl, id, key, max, count);
      cl.server.propagate(cl.dbIndex, [max ? B_ZPOPMAX : B_ZPOPMIN, key, Buffer.from(String(n))]);
      return true;
    },
    onTimeout: timeoutNullArray,
  });
}

// ------------------------------------------------------------------ table

/** Keys of `cmd timeout numkeys key...`. */
function mpopKeys(argv: Buffer[]): number[] {
  const out: number[] = [];
  if (argv.length < 3) return out;
  const v = parseI64(argv[2]!);
  if (v === null || typeof v === 'bigint' || v < 1) return out;
  for (let k = 0; k < v && 3 + k < argv.length; k++) out.push(3 + k);
  return out;
}

const RW_ACCESS_DELETE = ['RW', 'access', 'delete'];
const KEYS_BEFORE_TIMEOUT: KeySpec[] = [rangeSpec(RW_ACCESS_DELETE, 1, -2)];
const MOVE_KEYS: KeySpec[] = [rangeSpec(RW_ACCESS_DELETE, 1, 0), rangeSpec(['RW', 'insert'], 2, 0)];
const MPOP_KEYS: KeySpec[] = [{ flags: RW_ACCESS_DELETE, begin: { index: 2 }, find: { keynum: { keynumidx: 0, firstkey: 1, step: 1 } } }];
const LIST_ACL = ['write', 'list', 'slow', 'blocking'];
const ZSET_ACL = ['write', 'sortedset', 'fast', 'blocking'];

function keyed(name: string, arity: number, flags: CommandSpec['flags'], acl: string[], handler: CommandSpec['handler'], lastKey: number, keySpecs: KeySpec[]): CommandSpec {
  return { name, arity, flags, firstKey: 1, lastKey, step: 1, acl, handler, keySpecs };
}

function movable(name: string, acl: string[], handler: CommandSpec['handler']): CommandSpec {
  return {
    name,
    arity: -5,
    flags: ['write', 'blocking', 'movablekeys'],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    acl,
    handler,
    getKeys: mpopKeys,
    keySpecs: MPOP_KEYS,
  };
}

export const blockingCommands: CommandSpec[] = [
  keyed('blpop', -3, ['write', 'noscript', 'blocking'], LIST_ACL, blpopCommand, -2, KEYS_BEFORE_TIMEOUT),
  keyed('brpop', -3, ['write', 'noscript', 'blocking'], LIST_ACL, brpopCommand, -2, KEYS_BEFORE_TIMEOUT),
  keyed('blmove', 6, ['write', 'denyoom', 'noscript', 'blocking'], LIST_ACL, blmoveCommand, 2, MOVE_KEYS),
  keyed('brpoplpush', 4, ['write', 'denyoom', 'noscript', 'blocking'], LIST_ACL, brpoplpushCommand, 2, MOVE_KEYS),
  movable('blmpop', LIST_ACL, blmpopCommand),
  keyed('bzpopmin', -3, ['write', 'noscript', 'blocking', 'fast'], ZSET_ACL, bzpopminCommand, -2, KEYS_BEFORE_TIMEOUT),
  keyed('bzpopmax', -3, ['write', 'noscript', 'blocking', 'fast'], ZSET_ACL, bzpopmaxCommand, -2, KEYS_BEFORE_TIMEOUT),
  movable('bzmpop', ['write', 'sortedset', 'slow', 'blocking'], bzmpopCommand),
];
