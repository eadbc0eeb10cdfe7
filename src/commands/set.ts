/**
 * The set family (Redis 7.0 semantics): SADD, SREM, SMEMBERS, SISMEMBER, SMISMEMBER, SCARD,
 * SPOP, SRANDMEMBER, SMOVE, SINTER/SUNION/SDIFF (+STORE), SINTERCARD, SSCAN.
 *
 * Checked against redis-server 7.0.15: error texts and which error wins (every key's type is
 * checked before a missing key short-cuts SINTER/SINTERCARD), dirty counts (SPOP with a count
 * adds the number popped; SMOVE counts 1 or 2), keyspace events (SMOVE: srem [+del] on the
 * source, sadd on the destination; *STORE: the command's event, or del when the result is
 * empty and the destination existed), reply types in RESP3 (set replies for SMEMBERS, SINTER,
 * SUNION, SDIFF, SPOP with a count) and the replicated forms (SPOP → SREM; SPOP count of all
 * members → DEL/UNLINK; fewer → SREM per member, in MULTI/EXEC when more than one).
 *
 * Encodings and storage: src/store/types/set.ts.
 */

import type { Client } from '../server/client.js';
import type { Server } from '../server/server.js';
import type { CommandSpec, KeySpec } from './spec.js';
import { ERR } from '../protocol/errors.js';
import { lookupWrite } from '../store/expire.js';
import { NOTIFY } from '../store/notify.js';
import { TYPE_SET } from '../store/db.js';
import { parseI64, type I64 } from '../util/numbers.js';
import { beginScanReply, parseCursorOrReply, parseScanOptions } from '../store/scan.js';
import { DenseSet } from '../store/dense.js';
import { registerValueType } from './keys.js';
import { eqi, rangeSpec, readKey } from './string.js';
import {
  cloneSet,
  IntSet,
  intsetAddMany,
  intsetGet,
  resultSet,
  scanHash,
  randomMember,
  setAdd,
  setCreate,
  setEncoding,
  setFromMembers,
  setHas,
  setHasStr,
  setRandomDistinct,
  setRandomMember,
  setMembers,
  setRemove,
  setRemoveStr,
  setSize,
  type SetValue,
} from '../store/types/set.js';

// ------------------------------------------------------------------ error texts (7.0.15)

const ERR_SPOP_COUNT = 'ERR value is out of range, must be positive';
const ERR_SRANDMEMBER_RANGE = 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807';
const ERR_NUMKEYS = 'ERR numkeys should be greater than 0';
const ERR_NUMKEYS_ARGS = "ERR Number of keys can't be greater than number of args";
const ERR_LIMIT = "ERR LIMIT can't be negative";
/**
 * Not in 7.0, which tries to build such a reply and dies: a negative SRANDMEMBER count above
 * this is answered with the range error instead.
 */
const SRANDMEMBER_MAX_REPEAT = 1 << 30;

const B_SREM = Buffer.from('SREM', 'latin1');
const B_DEL = Buffer.from('DEL', 'latin1');
const B_UNLINK = Buffer.from('UNLINK', 'latin1');

registerValueType(TYPE_SET, { clone: cloneSet, encoding: setEncoding });

// ------------------------------------------------------------------ shared helpers

const hooked = new WeakSet<Server>();

/** Registers the DEBUG DIGEST / DEBUG OBJECT hooks on a server the first time it gets a set. */
function ensureHooks(server: Server): void {
  if (hooked.has(server)) return;
  hooked.add(server);
  server.valueDigesters.set(TYPE_SET, (obj) => ({
    type: 'set',
    members: setMembers(obj as SetValue).map((s) => Buffer.from(s, 'latin1')),
  }));
  server.encodingNames.set(TYPE_SET, setEncoding);
}

function maxIntset(c: Client): number {
  return c.server.config.getNumber('set-max-intset-entries');
}

/** Set stored at `id`, or null after replying WRONGTYPE. */
function setAt(c: Client, id: number): SetValue | null {
  const db = c.db;
  if (db.typeOf(id) !== TYPE_SET) {
    c.reply.error(ERR.wrongType);
    return null;
  }
  return db.getObject<SetValue>(id);
}

/** Stores `v` (the new value of entry `id`) back, deleting the key when empty. True when deleted. */
function storeBack(c: Client, id: number, before: SetValue, v: SetValue): boolean {
  if (setSize(v) === 0) {
    c.db.deleteId(id);
    return true;
  }
  if (v !== before) c.db.replaceObject(id, TYPE_SET, v);
  return false;
}

function replyMembers(c: Client, v: SetValue, asSet: boolean): void {
  const reply = c.reply;
  const n = setSize(v);
  if (asSet) reply.setLen(n);
  else reply.arrayLen(n);
  if (v instanceof DenseSet) for (const s of v) reply.bulkStr(s);
  else for (let i = 0; i < n; i++) reply.bulkInt(intsetGet(v, i));
}

function randomInt(n: number): number {
  return Math.floor(Math.random() * n);
}

// ------------------------------------------------------------------ single-key commands

/** Integer values of argv[from..] (scratch), or null when one is not an integer. */
function allIntegers(argv: Buffer[], from: number): I64[] | null {
  const out: I64[] = [];
  for (let j = from; j < argv.length; j++) {
    const n = parseI64(argv[j]!);
    if (n === null) return null;
    out.push(n);
  }
  return out;
}

function saddCommand(c: Client, argv: Buffer[]): void {
  const key = argv[1]!;
  const db = c.db;
  const max = maxIntset(c);
  const id = lookupWrite(c, key);
  let cur: SetValue | null = null;
  if (id >= 0) {
    cur = setAt(c, id);
    if (cur === null) return;
  }
  let v: SetValue;
  let added = 0;
  const ints = cur === null || cur instanceof IntSet ? allIntegers(argv, 2) : null;
  if (ints !== null) {
    // Integers into an intset (or a new key): one merge, the encoding adding them one by one gives.
    added = intsetAddMany(cur as IntSet | null, ints, max);
    v = resultSet;
  } else {
    let start = 2;
    if (cur === null) {
      v = setCreate(argv[2]!, max);
      added = 1;
      start = 3;
    } else {
      v = cur;
    }
    for (let j = start; j < argv.length; j++) {
      if (setAdd(v, argv[j]!, max)) added++;
      v = resultSet;
    }
  }
  if (id < 0) {
    db.setObject(key, TYPE_SET, v);
    ensureHooks(c.server);
  } else if (v !== cur) {
    db.replaceObject(id, TYPE_SET, v);
  }
  if (added > 0) {
    const server = c.server;
    server.dirty += added;
    server.keyModified(c.dbIndex, key);
    server.notify(NOTIFY.SET, 'sadd', key, c.dbIndex);
  }
  c.reply.integer(added);
}

function sremCommand(c: Client, argv: Buffer[]): void {
  const key = argv[1]!;
  const id = lookupWrite(c, key);
  if (id < 0) {
    c.reply.integer(0);
    return;
  }
  const before = setAt(c, id);
  if (before === null) return;
  let v = before;
  let removed = 0;
  for (let j = 2; j < argv.length; j++) {
    if (setRemove(v, argv[j]!)) removed++;
    v = resultSet;
    if (setSize(v) === 0) break;
  }
  if (removed > 0) {
    const deleted = storeBack(c, id, before, v);
    const server = c.server;
    server.dirty += removed;
    server.keyModified(c.dbIndex, key);
    server.notify(NOTIFY.SET, 'srem', key, c.dbIndex);
    if (deleted) server.notify(NOTIFY.GENERIC, 'del', key, c.dbIndex);
  }
  c.reply.integer(removed);
}

function smembersCommand(c: Client, argv: Buffer[]): void {
  const id = readKey(c, argv[1]!);
  if (id < 0) {
    c.reply.setLen(0);
    return;
  }
  const v = setAt(c, id);
  if (v !== null) replyMembers(c, v, true);
}

function sismemberCommand(c: Client, argv: Buffer[]): void {
  const id = readKey(c, argv[1]!);
  if (id < 0) {
    c.reply.integer(0);
    return;
  }
  const v = setAt(c, id);
  if (v !== null) c.reply.integer(setHas(v, argv[2]!) ? 1 : 0);
}

function smismemberCommand(c: Client, argv: Buffer[]): void {
  const id = readKey(c, argv[1]!);
  let v: SetValue | null = null;
  if (id >= 0) {
    v = setAt(c, id);
    if (v === null) return;
  }
  c.reply.arrayLen(argv.length - 2);
  for (let j = 2; j < argv.length; j++) c.reply.integer(v !== null && setHas(v, argv[j]!) ? 1 : 0);
}

function scardCommand(c: Client, argv: Buffer[]): void {
  const id = readKey(c, argv[1]!);
  if (id < 0) {
    c.reply.integer(0);
    return;
  }
  const v = setAt(c, id);
  if (v !== null) c.reply.integer(setSize(v));
}

// ------------------------------------------------------------------ SPOP / SRANDMEMBER

/** Picks `count` distinct members (count < all.length) at random; reorders and truncates `all`. */
function sample(all: string[], count: number): string[] {
  const n = all.length;
  for (let i = 0; i < count; i++) {
    const j = i + randomInt(n - i);
    const t = all[i]!;
    all[i] = all[j]!;
    all[j] = t;
  }
  all.length = count;
  return all;
}

function spopCommand(c: Client, argv: Buffer[]): void {
  if (argv.length === 3) {
    spopWithCount(c, argv);
    return;
  }
  if (argv.length > 3) {
    c.reply.error(ERR.syntax);
    return;
  }
  const key = argv[1]!;
  const id = lookupWrite(c, key);
  if (id < 0) {
    c.reply.nullBulk();
    return;
  }
  const before = setAt(c, id);
  if (before === null) return;
  const member = setRandomMember(before);
  setRemoveStr(before, member);
  const deleted = storeBack(c, id, before, resultSet);
  const server = c.server;
  const m = Buffer.from(member, 'latin1');
  c.reply.bulk(m);
  server.dirty++;
  server.keyModified(c.dbIndex, key);
  server.notify(NOTIFY.SET, 'spop', key, c.dbIndex);
  if (deleted) server.notify(NOTIFY.GENERIC, 'del', key, c.dbIndex);
  c.propagateArgv = [B_SREM, key, m];
}

function spopWithCount(c: Client, argv: Buffer[]): void {
  const p = parseI64(argv[2]!);
  if (p === null || p < 0) {
    c.reply.error(ERR_SPOP_COUNT);
    return;
  }
  const count = Number(p);
  const key = argv[1]!;
  const id = lookupWrite(c, key);
  if (id < 0) {
    c.reply.setLen(0);
    return;
  }
  const before = setAt(c, id);
  if (before === null) return;
  if (count === 0) {
    c.reply.setLen(0);
    return;
  }
  const server = c.server;
  const dbIndex = c.dbIndex;
  const size = setSize(before);
  server.notify(NOTIFY.SET, 'spop', key, dbIndex);
  // Redis counts the members actually popped.
  server.dirty += count < size ? count : size;
  if (count >= size) {
    // The whole set, in the order SUNION of it would reply.
    replyMembers(c, before, true);
    c.db.deleteId(id);
    server.notify(NOTIFY.GENERIC, 'del', key, dbIndex);
    c.propagateArgv = [server.config.getBool('lazyfree-lazy-server-del') ? B_UNLINK : B_DEL, key];
    server.keyModified(dbIndex, key);
    return;
  }
  // Few out of many: draw them; otherwise shuffle a copy of the members.
  const popped = count * 5 < size ? setRandomDistinct(before, count) : sample(setMembers(before), count);
  let v = before;
  for (let i = 0; i < popped.length; i++) {
    setRemoveStr(v, popped[i]!);
    v = resultSet;
  }
  storeBack(c, id, before, v);
  const reply = c.reply;
  reply.setLen(popped.length);
  for (let i = 0; i < popped.length; i++) reply.bulkStr(popped[i]!);
  // Effects replication: one SREM per member (Server wraps two or more in MULTI/EXEC).
  c.preventPropagate = true;
  for (let i = 0; i < popped.length; i++) server.propagate(dbIndex, [B_SREM, key, Buffer.from(popped[i]!, 'latin1')]);
  server.keyModified(dbIndex, key);
}

function srandmemberCommand(c: Client, argv: Buffer[]): void {
  if (argv.length > 3) {
    c.reply.error(ERR.syntax);
    return;
  }
  if (argv.length === 3) {
    srandmemberWithCount(c, argv);
    return;
  }
  const id = readKey(c, argv[1]!);
  if (id < 0) {
    c.reply.nullBulk();
    return;
  }
  const v = setAt(c, id);
  if (v !== null) c.reply.bulkStr(setRandomMember(v));
}

function srandmemberWithCount(c: Client, argv: Buffer[]): void {
  const p = parseI64(argv[2]!);
  if (p === null) {
    c.reply.error(ERR.notInteger);
    return;
  }
  if (typeof p === 'bigint' && p < -9223372036854775807n) {
    c.reply.error(ERR_SRANDMEMBER_RANGE);
    return;
  }
  const id = readKey(c, argv[1]!);
  if (id < 0) {
    c.reply.arrayLen(0);
    return;
  }
  const v = setAt(c, id);
  if (v === null) return;
  const reply = c.reply;
  if (p === 0) {
    reply.arrayLen(0);
    return;
  }
  const size = setSize(v);
  if (p < 0) {
    const n = -Number(p);
    if (n > SRANDMEMBER_MAX_REPEAT) {
      reply.error(ERR_SRANDMEMBER_RANGE);
      return;
    }
    reply.arrayLen(n);
    if (v instanceof DenseSet) {
      for (let i = 0; i < n; i++) reply.bulkStr(randomMember(v));
    } else {
      for (let i = 0; i < n; i++) reply.bulkInt(intsetGet(v, randomInt(size)));
    }
    return;
  }
  const count = Number(p);
  if (count >= size) {
    replyMembers(c, v, false);
    return;
  }
  const picked = count * 3 < size ? setRandomDistinct(v, count) : sample(setMembers(v), count);
  reply.arrayLen(count);
  for (let i = 0; i < count; i++) reply.bulkStr(picked[i]!);
}

// ------------------------------------------------------------------ SMOVE

function smoveCommand(c: Client, argv: Buffer[]): void {
  const src = argv[1]!;
  const dst = argv[2]!;
  const member = argv[3]!;
  const db = c.db;
  const sid = lookupWrite(c, src);
  if (sid < 0) {
    c.reply.integer(0);
    return;
  }
  const sv = setAt(c, sid);
  if (sv === null) return;
  let did = lookupWrite(c, dst);
  let dv: SetValue | null = null;
  if (did >= 0) {
    dv = setAt(c, did);
    if (dv === null) return;
  }
  if (sid === did) {
    c.reply.integer(setHas(sv, member) ? 1 : 0);
    return;
  }
  if (!setRemove(sv, member)) {
    c.reply.integer(0);
    return;
  }
  const server = c.server;
  const dbIndex = c.dbIndex;
  server.notify(NOTIFY.SET, 'srem', src, dbIndex);
  if (storeBack(c, sid, sv, resultSet)) {
    server.notify(NOTIFY.GENERIC, 'del', src, dbIndex);
    if (did >= 0) did = db.find(dst);
  }
  server.keyModified(dbIndex, src);
  server.dirty++;
  const max = maxIntset(c);
  let added: boolean;
  if (did < 0 || dv === null) {
    db.setObject(dst, TYPE_SET, setCreate(member, max));
    ensureHooks(server);
    added = true;
  } else {
    added = setAdd(dv, member, max);
    if (resultSet !== dv) db.replaceObject(did, TYPE_SET, resultSet);
  }
  if (added) {
    server.dirty++;
    server.keyModified(dbIndex, dst);
    server.notify(NOTIFY.SET, 'sadd', dst, dbIndex);
  }
  c.reply.integer(1);
}

// ------------------------------------------------------------------ set algebra

const OP_UNION = 0;
const OP_DIFF = 1;
const OP_INTER = 2;

/**
 * Looks up argv[from..to) as sets. Returns them (null for a missing key), or undefined after
 * replying WRONGTYPE: every key's type is checked before a missing one decides the result.
 */
function lookupSets(c: Client, argv: Buffer[], from: number, to: number, write: boolean): Array<SetValue | null> | undefined {
  const out: Array<SetValue | null> = [];
  const db = c.db;
  for (let j = from; j < to; j++) {
    const id = write ? lookupWrite(c, argv[j]!) : readKey(c, argv[j]!);
    if (id < 0) {
      out.push(null);
      continue;
    }
    if (db.typeOf(id) !== TYPE_SET) {
      c.reply.error(ERR.wrongType);
      return undefined;
    }
    out.push(db.getObject<SetValue>(id));
  }
  return out;
}

/** Intersection in the iteration order of the smallest set (empty when a set is missing). */
function intersect(sets: Array<SetValue | null>, limit: number): string[] {
  const present: SetValue[] = [];
  for (const s of sets) {
    if (s === null) return [];
    present.push(s);
  }
  present.sort((a, b) => setSize(a) - setSize(b));
  const first = present[0]!;
  const out: string[] = [];
  const members = setMembers(first);
  outer: for (let i = 0; i < members.length; i++) {
    const m = members[i]!;
    for (let k = 1; k < present.length; k++) {
      const o = present[k]!;
      if (o !== first && !setHasStr(o, m)) continue outer;
    }
    out.push(m);
    if (limit > 0 && out.length >= limit) break;
  }
  return out;
}

function unionOrDiff(sets: Array<SetValue | null>, op: number): string[] {
  if (op === OP_UNION) {
    const acc = new DenseSet();
    for (const s of sets) {
      if (s === null) continue;
      if (s instanceof DenseSet) for (const m of s) acc.add(m);
      else for (let i = 0; i < s.length; i++) acc.add(String(intsetGet(s, i)));
    }
    return [...acc];
  }
  const first = sets[0];
  if (first === null || first === undefined) return [];
  const out: string[] = [];
  const members = setMembers(first);
  outer: for (let i = 0; i < members.length; i++) {
    const m = members[i]!;
    for (let k = 1; k < sets.length; k++) {
      const o = sets[k];
      if (o === null || o === undefined) continue;
      if (o === first || setHasStr(o, m)) continue outer;
    }
    out.push(m);
  }
  return out;
}

function replyStrings(c: Client, members: string[]): void {
  const reply = c.reply;
  reply.setLen(members.length);
  for (let i = 0; i < members.length; i++) reply.bulkStr(members[i]!);
}

const STORE_EVENTS = ['sunionstore', 'sdiffstore', 'sinterstore'];

/** Writes the result of a *STORE command to `dst` and replies its size. */
function storeResult(c: Client, dst: Buffer, members: string[], op: number): void {
  const server = c.server;
  const db = c.db;
  const dbIndex = c.dbIndex;
  const did = lookupWrite(c, dst);
  if (members.length === 0) {
    c.reply.integer(0);
    if (did >= 0) {
      db.deleteId(did);
      server.dirty++;
      server.keyModified(dbIndex, dst);
      server.notify(NOTIFY.GENERIC, 'del', dst, dbIndex);
    }
    return;
  }
  db.setObject(dst, TYPE_SET, setFromMembers(members, maxIntset(c)));
  ensureHooks(server);
  c.reply.integer(members.length);
  server.dirty++;
  server.keyModified(dbIndex, dst);
  server.notify(NOTIFY.SET, STORE_EVENTS[op]!, dst, dbIndex);
}

function algebra(c: Client, argv: Buffer[], op: number, store: boolean): void {
  const sets = lookupSets(c, argv, store ? 2 : 1, argv.length, store);
  if (sets === undefined) return;
  const members = op === OP_INTER ? intersect(sets, 0) : unionOrDiff(sets, op);
  if (store) storeResult(c, argv[1]!, members, op);
  else if (op === OP_INTER) replyStrings(c, members);
  // Redis builds a union/difference as a new set and replies it: ascending when an intset.
  else replyMembers(c, setFromMembers(members, maxIntset(c)), true);
}

function sinterCommand(c: Client, argv: Buffer[]): void {
  algebra(c, argv, OP_INTER, false);
}
function sunionCommand(c: Client, argv: Buffer[]): void {
  algebra(c, argv, OP_UNION, false);
}
function sdiffCommand(c: Client, argv: Buffer[]): void {
  algebra(c, argv, OP_DIFF, false);
}
function sinterstoreCommand(c: Client, argv: Buffer[]): void {
  algebra(c, argv, OP_INTER, true);
}
function sunionstoreCommand(c: Client, argv: Buffer[]): void {
  algebra(c, argv, OP_UNION, true);
}
function sdiffstoreCommand(c: Client, argv: Buffer[]): void {
  algebra(c, argv, OP_DIFF, true);
}

function sintercardCommand(c: Client, argv: Buffer[]): void {
  const nk = parseI64(argv[1]!);
  if (nk === null || nk <= 0) {
    c.reply.error(ERR_NUMKEYS);
    return;
  }
  if (nk > argv.length - 2) {
    c.reply.error(ERR_NUMKEYS_ARGS);
    return;
  }
  const numkeys = Number(nk);
  let limit = 0;
  for (let j = 2 + numkeys; j < argv.length; j++) {
    if (j + 1 < argv.length && eqi(argv[j]!, 'limit')) {
      const l = parseI64(argv[++j]!);
      if (l === null || l < 0) {
        c.reply.error(ERR_LIMIT);
        return;
      }
      limit = typeof l === 'bigint' ? Number.MAX_SAFE_INTEGER : l;
    } else {
      c.reply.error(ERR.syntax);
      return;
    }
  }
  const sets = lookupSets(c, argv, 2, 2 + numkeys, false);
  if (sets === undefined) return;
  c.reply.integer(intersect(sets, limit).length);
}

function sintercardKeys(argv: Buffer[]): number[] {
  if (argv.length < 2) return [];
  const nk = parseI64(argv[1]!);
  if (nk === null || nk <= 0 || nk > argv.length - 2) return [];
  const out: number[] = [];
  for (let i = 0; i < Number(nk); i++) out.push(2 + i);
  return out;
}

// ------------------------------------------------------------------ SSCAN

function sscanCommand(c: Client, argv: Buffer[]): void {
  const cursor = parseCursorOrReply(c, argv[2]!);
  if (cursor < 0) return;
  const id = readKey(c, argv[1]!);
  if (id < 0) {
    beginScanReply(c.reply, 0, 0);
    return;
  }
  const v = setAt(c, id);
  if (v === null) return;
  const opts = parseScanOptions(c, argv, 3, false);
  if (opts === null) return;
  let found: string[];
  let next = 0;
  if (v instanceof DenseSet) {
    found = [];
    next = scanHash(v, cursor, opts.count, found);
  } else {
    // Small encodings are returned whole, with cursor 0 (as Redis does).
    found = setMembers(v);
  }
  const match = opts.match;
  if (match !== null) found = found.filter((m) => match.match(Buffer.from(m, 'latin1')));
  beginScanReply(c.reply, next, found.length);
  for (let i = 0; i < found.length; i++) c.reply.bulkStr(found[i]!);
}

// ------------------------------------------------------------------ table

const RO: string[] = ['RO'];
const RO_ACCESS: string[] = ['RO', 'access'];
const RW_INSERT: string[] = ['RW', 'insert'];
const RW_DELETE: string[] = ['RW', 'delete'];
const RW_ACCESS_DELETE: string[] = ['RW', 'access', 'delete'];

function single(name: string, arity: number, flags: CommandSpec['flags'], acl: string[], handler: CommandSpec['handler'], ks: string[], tips?: string[]): CommandSpec {
  const s: CommandSpec = { name, arity, flags, firstKey: 1, lastKey: 1, step: 1, acl, handler, keySpecs: [rangeSpec(ks, 1, 0)] };
  if (tips !== undefined) s.tips = tips;
  return s;
}

function multi(name: string, handler: CommandSpec['handler']): CommandSpec {
  return {
    name,
    arity: -2,
    flags: ['readonly'],
    firstKey: 1,
    lastKey: -1,
    step: 1,
    acl: ['read', 'set', 'slow'],
    handler,
    keySpecs: [rangeSpec(RO_ACCESS, 1, -1)],
    tips: ['nondeterministic_output_order'],
  };
}

function store(name: string, handler: CommandSpec['handler'], dstFlags: string[]): CommandSpec {
  const keySpecs: KeySpec[] = [rangeSpec(dstFlags, 1, 0), rangeSpec(RO_ACCESS, 2, -1)];
  return { name, arity: -3, flags: ['write', 'denyoom'], firstKey: 1, lastKey: -1, step: 1, acl: ['write', 'set', 'slow'], handler, keySpecs };
}

const W_FAST = ['write', 'set', 'fast'];
const R_FAST = ['read', 'set', 'fast'];
const R_SLOW = ['read', 'set', 'slow'];

export const setCommands: CommandSpec[] = [
  single('sadd', -3, ['write', 'denyoom', 'fast'], W_FAST, saddCommand, RW_INSERT),
  single('srem', -3, ['write', 'fast'], W_FAST, sremCommand, RW_DELETE),
  single('smembers', 2, ['readonly'], R_SLOW, smembersCommand, RO_ACCESS, ['nondeterministic_output_order']),
  single('sismember', 3, ['readonly', 'fast'], R_FAST, sismemberCommand, RO),
  single('smismember', -3, ['readonly', 'fast'], R_FAST, smismemberCommand, RO_ACCESS),
  single('scard', 2, ['readonly', 'fast'], R_FAST, scardCommand, RO),
  single('spop', -2, ['write', 'fast'], W_FAST, spopCommand, RW_ACCESS_DELETE, ['nondeterministic_output']),
  single('srandmember', -2, ['readonly'], R_SLOW, srandmemberCommand, RO_ACCESS, ['nondeterministic_output']),
  {
    name: 'smove',
    arity: 4,
    flags: ['write', 'fast'],
    firstKey: 1,
    lastKey: 2,
    step: 1,
    acl: W_FAST,
    handler: smoveCommand,
    keySpecs: [rangeSpec(RW_ACCESS_DELETE, 1, 0), rangeSpec(RW_INSERT, 2, 0)],
  },
  multi('sinter', sinterCommand),
  multi('sunion', sunionCommand),
  multi('sdiff', sdiffCommand),
  store('sinterstore', sinterstoreCommand, ['RW', 'update']),
  store('sunionstore', sunionstoreCommand, ['OW', 'update']),
  store('sdiffstore', sdiffstoreCommand, ['OW', 'update']),
  {
    name: 'sintercard',
    arity: -3,
    flags: ['readonly', 'movablekeys'],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    acl: R_SLOW,
    handler: sintercardCommand,
    getKeys: sintercardKeys,
    keySpecs: [{ flags: RO_ACCESS, begin: { index: 1 }, find: { keynum: { keynumidx: 0, firstkey: 1, step: 1 } } }],
  },
  single('sscan', -3, ['readonly'], R_SLOW, sscanCommand, RO_ACCESS, ['nondeterministic_output']),
];
