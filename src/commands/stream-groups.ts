/**
 * Stream consumer groups and introspection (Redis 7.0 semantics, checked against redis-server
 * 7.0.15): XGROUP CREATE/SETID/DESTROY/CREATECONSUMER/DELCONSUMER/HELP, XACK, XPENDING, XCLAIM,
 * XAUTOCLAIM, XINFO STREAM [FULL [COUNT n]] / GROUPS / CONSUMERS / HELP.
 *
 * - Check order differs per command (observed): XACK and XPENDING do no type check (a key of
 *   another type is "no group": 0 / NOGROUP); XCLAIM checks key, type and group before its
 *   arguments; XAUTOCLAIM checks the type, then its arguments, then the group.
 * - XCLAIM/XAUTOCLAIM are propagated as one `XCLAIM ... FORCE JUSTID LASTID` per PEL entry they
 *   changed or dropped (a pending entry whose stream entry was deleted is removed from the PEL
 *   and propagated with its last state, so that the replica drops it too), plus
 *   `XGROUP SETID` when only LASTID moved the group. They create the consumer only when they
 *   claim something.
 * - XAUTOCLAIM examines at most COUNT*10 PEL entries; deleted entries count against COUNT and
 *   are listed in the third element of the reply.
 * - Events: xgroup-create, xgroup-setid, xgroup-destroy, xgroup-createconsumer,
 *   xgroup-delconsumer.
 */

import type { Client } from '../server/client.js';
import type { CommandSpec } from './spec.js';
import { ERR } from '../protocol/errors.js';
import { NOTIFY } from '../store/notify.js';
import { TYPE_STREAM } from '../store/db.js';
import { parseI64 } from '../util/numbers.js';
import { replyHelp } from './client.js';
import { eqi, rangeSpec } from './string.js';
import {
  ERR_INVALID_ID,
  cName,
  errText,
  parseLongLongOrReply,
  parseStrictIdOrReply,
  replyEntry,
  replyId,
  streamReadLookup,
  streamWriteLookup,
} from './stream.js';
import { touchConsumer, xclaimEffect } from './stream-read.js';
import { Stream } from '../store/types/stream.js';
import {
  ConsumerGroup,
  ENTRIES_READ_INVALID,
  Nack,
  groupLag,
  sortedGroups,
  type Consumer,
} from '../store/types/stream-group.js';
import { ID_ZERO, U64_MAX, decrId, formatId, idFromKey, idKey, idKeyOf, incrId, parseIdArg, type StreamID } from '../store/types/stream-id.js';

const ERR_BUSYGROUP = 'BUSYGROUP Consumer Group name already exists';
const ERR_XGROUP_NOKEY =
  'ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.';
const ERR_ENTRIESREAD = 'ERR value for ENTRIESREAD must be positive or -1';
const ERR_COUNT_POSITIVE = 'ERR COUNT must be > 0';
const ERR_COUNT_MEMORY = 'ERR Insufficient memory, failed allocating transient memory, COUNT too high.';
const ERR_BAD_START = 'ERR invalid start ID for the interval';
const ERR_BAD_END = 'ERR invalid end ID for the interval';

const XGROUP_HELP = [
  'XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CREATE <key> <groupname> <id|$> [option]',
  '    Create a new consumer group. Options are:',
  '    * MKSTREAM',
  '      Create the empty stream if it does not exist.',
  '    * ENTRIESREAD entries_read',
  "      Set the group's entries_read counter (internal use).",
  'CREATECONSUMER <key> <groupname> <consumer>',
  '    Create a new consumer in the specified group.',
  'DELCONSUMER <key> <groupname> <consumer>',
  '    Remove the specified consumer.',
  'DESTROY <key> <groupname>',
  '    Remove the specified group.',
  'SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]',
  '    Set the current group ID and entries_read counter.',
  'HELP',
  '    Prints this help.',
];

const XINFO_HELP = [
  'XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CONSUMERS <key> <groupname>',
  '    Show consumers of <groupname>.',
  'GROUPS <key>',
  '    Show the stream consumer groups.',
  'STREAM <key> [FULL [COUNT <count>]',
  '    Show information about the stream.',
  'HELP',
  '    Prints this help.',
];

const B_XGROUP = Buffer.from('XGROUP');
const B_SETID = Buffer.from('SETID');
const B_ENTRIESREAD = Buffer.from('ENTRIESREAD');

function noGroupForKey(group: Buffer, key: Buffer): string {
  return errText("NOGROUP No such consumer group '" + cName(group) + "' for key name '" + cName(key) + "'");
}

function noKeyOrGroup(key: Buffer, group: Buffer): string {
  return errText("NOGROUP No such key '" + cName(key) + "' or consumer group '" + cName(group) + "'");
}

/** Uses the subcommand as the client spelled it (argv[1]). */
function wrongArgs(sub: Buffer, container: string): string {
  return errText("ERR unknown subcommand or wrong number of arguments for '" + cName(sub) + "'. Try " + container + ' HELP.');
}

function written(c: Client, key: Buffer, event: string): void {
  const server = c.server;
  server.dirty++;
  server.keyModified(c.dbIndex, key);
  server.notify(NOTIFY.STREAM, event, key, c.dbIndex);
}

/** "ENTRIESREAD n": n >= -1 (-1 = unknown); null after replying an error. */
function parseEntriesRead(c: Client, arg: Buffer): bigint | null {
  const v = parseLongLongOrReply(c, arg);
  if (v === null) return null;
  if (v < -1n) {
    c.reply.error(ERR_ENTRIESREAD);
    return null;
  }
  return v === -1n ? ENTRIES_READ_INVALID : v;
}

// ------------------------------------------------------------------ XGROUP

function xgroupCreate(c: Client, argv: Buffer[]): void {
  const key = argv[2]!;
  const name = argv[3]!;
  const idArg = argv[4]!;
  let mkstream = false;
  let entriesRead = ENTRIES_READ_INVALID;
  for (let i = 5; i < argv.length; i++) {
    if (eqi(argv[i]!, 'mkstream')) mkstream = true;
    else if (eqi(argv[i]!, 'entriesread') && i + 1 < argv.length) {
      const v = parseEntriesRead(c, argv[++i]!);
      if (v === null) return;
      entriesRead = v;
    } else {
      c.reply.error(wrongArgs(argv[1]!, 'XGROUP'));
      return;
    }
  }
  const eid = streamWriteLookup(c, key);
  if (eid === -2) return;
  let s: Stream | null = eid >= 0 ? c.db.getObject<Stream>(eid) : null;
  if (s === null && !mkstream) {
    c.reply.error(ERR_XGROUP_NOKEY);
    return;
  }
  let id: StreamID;
  if (idArg.length === 1 && idArg[0] === 0x24) id = s !== null ? { ms: s.lastId.ms, seq: s.lastId.seq } : ID_ZERO;
  else {
    const p = parseStrictIdOrReply(c, idArg);
    if (p === null) return;
    id = p;
  }
  if (s === null) {
    s = new Stream();
    c.db.setObject(key, TYPE_STREAM, s);
    c.server.dirty++;
    c.server.notify(NOTIFY.STREAM, 'xgroup-create', key, c.dbIndex);
    c.server.keyModified(c.dbIndex, key);
    s.groups.set(name.toString('latin1'), new ConsumerGroup(Buffer.from(name), id, entriesRead));
    c.reply.ok();
    return;
  }
  const gk = name.toString('latin1');
  if (s.groups.has(gk)) {
    c.reply.error(ERR_BUSYGROUP);
    return;
  }
  s.groups.set(gk, new ConsumerGroup(Buffer.from(name), id, entriesRead));
  c.reply.ok();
  written(c, key, 'xgroup-create');
}

/** Key and group for SETID/DESTROY/CREATECONSUMER/DELCONSUMER; null after replying. */
function groupOf(c: Client, key: Buffer, name: Buffer, missingGroupIsError: boolean): { s: Stream; g: ConsumerGroup | null } | null {
  const eid = streamWriteLookup(c, key);
  if (eid === -2) return null;
  if (eid < 0) {
    c.reply.error(ERR_XGROUP_NOKEY);
    return null;
  }
  const s = c.db.getObject<Stream>(eid);
  const g = s.groups.get(name.toString('latin1')) ?? null;
  if (g === null && missingGroupIsError) {
    c.reply.error(noGroupForKey(name, key));
    return null;
  }
  return { s, g };
}

function xgroupSetid(c: Client, argv: Buffer[]): void {
  const key = argv[2]!;
  const name = argv[3]!;
  const idArg = argv[4]!;
  let entriesRead = ENTRIES_READ_INVALID;
  for (let i = 5; i < argv.length; i++) {
    if (eqi(argv[i]!, 'entriesread') && i + 1 < argv.length) {
      const v = parseEntriesRead(c, argv[++i]!);
      if (v === null) return;
      entriesRead = v;
    } else {
      c.reply.error(wrongArgs(argv[1]!, 'XGROUP'));
      return;
    }
  }
  const r = groupOf(c, key, name, true);
  if (r === null) return;
  let id: StreamID;
  if (idArg.length === 1 && idArg[0] === 0x24) id = { ms: r.s.lastId.ms, seq: r.s.lastId.seq };
  else {
    const p = parseStrictIdOrReply(c, idArg);
    if (p === null) return;
    id = p;
  }
  const g = r.g!;
  g.lastId = id;
  g.entriesRead = entriesRead;
  c.reply.ok();
  written(c, key, 'xgroup-setid');
}

function xgroupDestroy(c: Client, argv: Buffer[]): void {
  const key = argv[2]!;
  const r = groupOf(c, key, argv[3]!, false);
  if (r === null) return;
  if (r.g === null) {
    c.reply.integer(0);
    return;
  }
  r.s.groups.delete(argv[3]!.toString('latin1'));
  c.reply.integer(1);
  written(c, key, 'xgroup-destroy');
  // Clients blocked in XREADGROUP on this group must learn that it is gone.
  c.server.signalKeyAsReady(c.dbIndex, key);
}

function xgroupCreateConsumer(c: Client, argv: Buffer[]): void {
  const key = argv[2]!;
  const r = groupOf(c, key, argv[3]!, true);
  if (r === null) return;
  const res = r.g!.consumer(argv[4]!, Date.now());
  c.reply.integer(res.created ? 1 : 0);
  if (res.created) written(c, key, 'xgroup-createconsumer');
}

function xgroupDelConsumer(c: Client, argv: Buffer[]): void {
  const key = argv[2]!;
  const r = groupOf(c, key, argv[3]!, true);
  if (r === null) return;
  const n = r.g!.deleteConsumer(argv[4]!);
  if (n < 0) {
    c.reply.integer(0);
    return;
  }
  c.reply.integer(n);
  written(c, key, 'xgroup-delconsumer');
}

// ------------------------------------------------------------------ XACK

function xackCommand(c: Client, argv: Buffer[]): void {
  const key = argv[1]!;
  const eid = streamReadLookup(c, key);
  if (eid === -2) return;
  // A read lookup (as Redis: keyspace hits), but the PEL is changed in place: a running
  // snapshot must serialize the stream first.
  if (eid >= 0) c.db.willModify(eid);
  const s = eid >= 0 ? c.db.getObject<Stream>(eid) : null;
  const g = s !== null ? s.groups.get(argv[2]!.toString('latin1')) : undefined;
  if (g === undefined) {
    c.reply.integer(0);
    return;
  }
  const ids: StreamID[] = [];
  for (let j = 3; j < argv.length; j++) {
    const id = parseStrictIdOrReply(c, argv[j]!);
    if (id === null) return;
    ids.push(id);
  }
  let acked = 0;
  for (const id of ids) {
    const k = idKeyOf(id);
    const nack = g.pel.get(k);
    if (nack === undefined) continue;
    g.pel.delete(k);
    nack.consumer.pel.delete(k);
    acked++;
  }
  if (acked > 0) {
    c.server.dirty += acked;
    c.server.keyModified(c.dbIndex, key);
  }
  c.reply.integer(acked);
}

// ------------------------------------------------------------------ XPENDING

function parseIntervalBound(c: Client, arg: Buffer, missingSeq: bigint, isStart: boolean): StreamID | null {
  let exclusive = false;
  let id: StreamID | null;
  if (arg.length > 1 && arg[0] === 0x28) {
    exclusive = true;
    id = parseIdArg(arg.subarray(1), missingSeq, true);
  } else id = parseIdArg(arg, missingSeq, false);
  if (id === null) {
    c.reply.error(ERR_INVALID_ID);
    return null;
  }
  if (!exclusive) return id;
  const m = isStart ? incrId(id) : decrId(id);
  if (m === null) {
    c.reply.error(isStart ? ERR_BAD_START : ERR_BAD_END);
    return null;
  }
  return m;
}

function xpendingCommand(c: Client, argv: Buffer[]): void {
  const argc = argv.length;
  const key = argv[1]!;
  const groupName = argv[2]!;
  if (argc !== 3 && (argc < 6 || argc > 9)) {
    c.reply.error(ERR.syntax);
    return;
  }
  let minIdle = 0;
  let start: StreamID = ID_ZERO;
  let end: StreamID = { ms: U64_MAX, seq: U64_MAX };
  let count = 0;
  let consumerName: Buffer | null = null;
  if (argc >= 6) {
    let si = 3;
    if (eqi(argv[3]!, 'idle')) {
      const v = parseLongLongOrReply(c, argv[4]!);
      if (v === null) return;
      if (argc < 8) {
        c.reply.error(ERR.syntax);
        return;
      }
      minIdle = Number(v);
      si += 2;
    }
    const cv = parseLongLongOrReply(c, argv[si + 2]!);
    if (cv === null) return;
    count = cv < 0n ? 0 : cv > 9007199254740991n ? Number.MAX_SAFE_INTEGER : Number(cv);
    const s0 = parseIntervalBound(c, argv[si]!, 0n, true);
    if (s0 === null) return;
    const e0 = parseIntervalBound(c, argv[si + 1]!, U64_MAX, false);
    if (e0 === null) return;
    start = s0;
    end = e0;
    if (si + 3 < argc) consumerName = argv[si + 3]!;
  }
  const eid = streamReadLookup(c, key);
  if (eid === -2) return;
  const s = eid >= 0 ? c.db.getObject<Stream>(eid) : null;
  const g = s !== null ? s.groups.get(groupName.toString('latin1')) : undefined;
  if (g === undefined) {
    c.reply.error(noKeyOrGroup(key, groupName));
    return;
  }
  const w = c.reply;
  if (argc === 3) {
    w.arrayLen(4);
    w.integer(g.pel.size);
    if (g.pel.size === 0) {
      w.nullBulk();
      w.nullBulk();
      w.nullArray();
      return;
    }
    replyId(w, idFromKey(g.pel.firstKey()!));
    replyId(w, idFromKey(g.pel.lastKey()!));
    const cons = g.sortedConsumers().filter((x) => x.pel.size > 0);
    w.arrayLen(cons.length);
    for (const x of cons) {
      w.arrayLen(2);
      w.bulk(x.name);
      w.bulkStr(String(x.pel.size));
    }
    return;
  }
  let pel = g.pel;
  if (consumerName !== null) {
    const cons = g.consumers.get(consumerName.toString('latin1'));
    if (cons === undefined) {
      w.arrayLen(0);
      return;
    }
    pel = cons.pel;
  }
  const now = Date.now();
  const token = w.beginDeferred();
  let n = 0;
  if (count > 0) {
    const endKey = idKeyOf(end);
    pel.forEachFrom(idKeyOf(start), (k, nack) => {
      if (k > endKey) return false;
      const idle = now - nack.deliveryTime;
      if (minIdle > 0 && idle < minIdle) return true;
      w.arrayLen(4);
      replyId(w, idFromKey(k));
      w.bulk(nack.consumer.name);
      w.integer(idle < 0 ? 0 : idle);
      if (typeof nack.deliveryCount === 'number') w.integer(nack.deliveryCount);
      else w.bigint(nack.deliveryCount);
      n++;
      return n < count;
    });
  }
  w.endDeferred(token, '*', n);
}

// ------------------------------------------------------------------ XCLAIM / XAUTOCLAIM

function incCount(v: number | bigint): number | bigint {
  if (typeof v === 'number') return v < Number.MAX_SAFE_INTEGER ? v + 1 : BigInt(v) + 1n;
  return BigInt.asUintN(64, v + 1n);
}

function xclaimCommand(c: Client, argv: Buffer[]): void {
  const key = argv[1]!;
  const groupName = argv[2]!;
  const eid = streamReadLookup(c, key);
  if (eid === -2) return;
  if (eid >= 0) c.db.willModify(eid); // PEL and consumers change in place (see XACK)
  const s = eid >= 0 ? c.db.getObject<Stream>(eid) : null;
  const g = s !== null ? s.groups.get(groupName.toString('latin1')) : undefined;
  if (s === null || g === undefined) {
    c.reply.error(noKeyOrGroup(key, groupName));
    return;
  }
  const mi = parseI64(argv[4]!);
  if (mi === null) {
    c.reply.error('ERR Invalid min-idle-time argument for XCLAIM');
    return;
  }
  const minIdle = mi < 0 ? 0 : Number(mi);
  let j = 5;
  const ids: StreamID[] = [];
  for (; j < argv.length; j++) {
    const id = parseIdArg(argv[j]!, 0n, true);
    if (id === null) break;
    ids.push(id);
  }
  const now = Date.now();
  let deliveryTime = -1;
  let retryCount: number | bigint = -1;
  let force = false;
  let justid = false;
  let lastId: StreamID = ID_ZERO;
  for (; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const o = argv[j]!;
    if (eqi(o, 'force')) force = true;
    else if (eqi(o, 'justid')) justid = true;
    else if (more >= 1 && eqi(o, 'idle')) {
      const v = parseI64(argv[++j]!);
      if (v === null) {
        c.reply.error('ERR Invalid IDLE option argument for XCLAIM');
        return;
      }
      deliveryTime = now - Number(v);
    } else if (more >= 1 && eqi(o, 'time')) {
      const v = parseI64(argv[++j]!);
      if (v === null) {
        c.reply.error('ERR Invalid TIME option argument for XCLAIM');
        return;
      }
      deliveryTime = Number(v);
    } else if (more >= 1 && eqi(o, 'retrycount')) {
      const v = parseI64(argv[++j]!);
      if (v === null) {
        c.reply.error('ERR Invalid RETRYCOUNT option argument for XCLAIM');
        return;
      }
      retryCount = v;
    } else if (more >= 1 && eqi(o, 'lastid')) {
      const id = parseStrictIdOrReply(c, argv[++j]!);
      if (id === null) return;
      lastId = id;
    } else {
      c.reply.error(errText("ERR Unrecognized XCLAIM option '" + cName(o) + "'"));
      return;
    }
  }
  c.preventPropagate = true;
  const server = c.server;
  let propagateLastId = false;
  if (compare(lastId, g.lastId) > 0) {
    g.lastId = lastId;
    propagateLastId = true;
  }
  if (deliveryTime !== -1) {
    if (deliveryTime < 0 || deliveryTime > now) deliveryTime = now;
  } else deliveryTime = now;
  const name = argv[3]!;
  let consumer: Consumer | null = null;
  const w = c.reply;
  const token = w.beginDeferred();
  let n = 0;
  let changed = false;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    const k = idKeyOf(id);
    let nack = g.pel.get(k);
    if (force && nack === undefined) {
      if (!s.has(id)) continue;
      nack = new Nack(null as unknown as Consumer, now, 1);
      g.pel.set(k, nack);
    }
    if (nack === undefined) continue;
    if (!s.has(id)) {
      // The entry was deleted: drop it from the PEL, and let replicas drop it too.
      server.propagate(c.dbIndex, xclaimEffectArg(key, g, nack.consumer.name, argv[5 + i]!, nack));
      g.pel.delete(k);
      nack.consumer.pel.delete(k);
      server.dirty++;
      changed = true;
      continue;
    }
    if (nack.consumer !== null && minIdle > 0 && now - nack.deliveryTime < minIdle) continue;
    if (consumer === null) consumer = touchConsumer(c, key, g, name, now);
    if (nack.consumer !== consumer && nack.consumer !== null) nack.consumer.pel.delete(k);
    nack.deliveryTime = deliveryTime;
    if (retryCount !== -1) nack.deliveryCount = typeof retryCount === 'bigint' ? BigInt.asUintN(64, retryCount) : retryCount < 0 ? BigInt.asUintN(64, BigInt(retryCount)) : retryCount;
    else if (!justid) nack.deliveryCount = incCount(nack.deliveryCount);
    if (nack.consumer !== consumer) {
      consumer.pel.set(k, nack);
      nack.consumer = consumer;
    }
    if (justid) replyId(w, id);
    else {
      const fv = s.lookup(id)!;
      replyEntry(w, { ms: id.ms, seq: id.seq, fv });
    }
    n++;
    server.propagate(c.dbIndex, xclaimEffectArg(key, g, consumer.name, argv[5 + i]!, nack));
    propagateLastId = false;
    server.dirty++;
    changed = true;
  }
  if (propagateLastId) {
    server.propagate(c.dbIndex, [B_XGROUP, B_SETID, Buffer.from(key), Buffer.from(groupName), Buffer.from(formatId(g.lastId), 'latin1'), B_ENTRIESREAD, Buffer.from(String(g.entriesRead), 'latin1')]);
    server.dirty++;
    changed = true;
  }
  if (changed) server.keyModified(c.dbIndex, key);
  w.endDeferred(token, '*', n);
}

function compare(a: StreamID, b: StreamID): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

/** The XCLAIM effect with the ID exactly as the client wrote it (Redis reuses the argument). */
function xclaimEffectArg(key: Buffer, g: ConsumerGroup, consumerName: Buffer, idArg: Buffer, nack: Nack): Buffer[] {
  const e = xclaimEffect(key, g, consumerName, idKey(0n, 0n), nack);
  e[5] = Buffer.from(idArg);
  return e;
}

function xautoclaimCommand(c: Client, argv: Buffer[]): void {
  const key = argv[1]!;
  const groupName = argv[2]!;
  const eid = streamReadLookup(c, key);
  if (eid === -2) return;
  if (eid >= 0) c.db.willModify(eid); // PEL and consumers change in place (see XACK)
  const s = eid >= 0 ? c.db.getObject<Stream>(eid) : null;
  const mi = parseI64(argv[4]!);
  if (mi === null) {
    c.reply.error('ERR Invalid min-idle-time argument for XAUTOCLAIM');
    return;
  }
  const minIdle = mi < 0 ? 0 : Number(mi);
  const start = parseIntervalBound(c, argv[5]!, 0n, true);
  if (start === null) return;
  let count = 100;
  let justid = false;
  for (let j = 6; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (more >= 1 && eqi(argv[j]!, 'count')) {
      const v = parseI64(argv[++j]!);
      if (v === null || v < 1 || v > 576460752303423487n) {
        c.reply.error(ERR_COUNT_POSITIVE);
        return;
      }
      count = Number(v);
    } else if (eqi(argv[j]!, 'justid')) justid = true;
    else {
      c.reply.error(ERR.syntax);
      return;
    }
  }
  const g = s !== null ? s.groups.get(groupName.toString('latin1')) : undefined;
  if (s === null || g === undefined) {
    c.reply.error(noKeyOrGroup(key, groupName));
    return;
  }
  // Redis allocates COUNT stream IDs up front for the deleted-IDs list.
  if (count > 3848290697216) {
    c.reply.error(ERR_COUNT_MEMORY);
    return;
  }
  c.preventPropagate = true;
  const server = c.server;
  const now = Date.now();
  const name = argv[3]!;
  let consumer: Consumer | null = null;
  let attempts = count * 10;
  let left = count;
  const w = c.reply;
  w.arrayLen(3);
  // The cursor comes first in the reply but is known only at the end: build the claimed part
  // in a side list.
  const claimed: Array<{ id: StreamID; fv: Buffer[] | null }> = [];
  const deleted: StreamID[] = [];
  let next: string | null = null;
  const effects: Buffer[][] = [];
  g.pel.forEachFrom(idKeyOf(start), (k, nack) => {
    if (attempts === 0 || left === 0) {
      next = k;
      return false;
    }
    attempts--;
    const id = idFromKey(k);
    const fv = s.lookup(id);
    if (fv === null) {
      effects.push(xclaimEffect(key, g, nack.consumer.name, k, nack));
      g.pel.delete(k);
      nack.consumer.pel.delete(k);
      deleted.push(id);
      left--;
      return true;
    }
    if (minIdle > 0 && now - nack.deliveryTime < minIdle) return true;
    if (consumer === null) consumer = touchConsumer(c, key, g, name, now);
    if (nack.consumer !== consumer) {
      nack.consumer.pel.delete(k);
      consumer.pel.set(k, nack);
      nack.consumer = consumer;
    }
    nack.deliveryTime = now;
    if (!justid) nack.deliveryCount = incCount(nack.deliveryCount);
    claimed.push({ id, fv: justid ? null : fv.map((b) => Buffer.from(b)) });
    effects.push(xclaimEffect(key, g, consumer.name, k, nack));
    left--;
    return true;
  });
  replyId(w, next !== null ? idFromKey(next) : ID_ZERO);
  w.arrayLen(claimed.length);
  for (const e of claimed) {
    if (e.fv === null) replyId(w, e.id);
    else replyEntry(w, { ms: e.id.ms, seq: e.id.seq, fv: e.fv });
  }
  w.arrayLen(deleted.length);
  for (const id of deleted) replyId(w, id);
  if (effects.length > 0) {
    for (const e of effects) server.propagate(c.dbIndex, e);
    server.dirty += effects.length;
    server.keyModified(c.dbIndex, key);
  }
}

// ------------------------------------------------------------------ XINFO

function replyGroupSummary(c: Client, s: Stream, g: ConsumerGroup): void {
  const w = c.reply;
  w.mapLen(6);
  w.bulkStr('name');
  w.bulk(g.name);
  w.bulkStr('consumers');
  w.integer(g.consumers.size);
  w.bulkStr('pending');
  w.integer(g.pel.size);
  w.bulkStr('last-delivered-id');
  replyId(w, g.lastId);
  w.bulkStr('entries-read');
  replyEntriesRead(c, g.entriesRead);
  w.bulkStr('lag');
  const lag = groupLag(s, g);
  if (lag === null) w.nullBulk();
  else w.bigint(lag);
}

function replyEntriesRead(c: Client, v: bigint): void {
  if (v === ENTRIES_READ_INVALID) c.reply.nullBulk();
  else c.reply.bigint(v);
}

function xinfoStream(c: Client, argv: Buffer[]): void {
  const key = argv[2]!;
  let full = false;
  let count = 10;
  if (argv.length > 3) {
    if ((argv.length !== 4 && argv.length !== 6) || !eqi(argv[3]!, 'full') || (argv.length === 6 && !eqi(argv[4]!, 'count'))) {
      c.reply.error(wrongArgs(argv[1]!, 'XINFO'));
      return;
    }
    if (argv.length === 6) {
      const v = parseLongLongOrReply(c, argv[5]!);
      if (v === null) return;
      count = v < 0n ? 10 : v > 9007199254740991n ? Number.MAX_SAFE_INTEGER : Number(v);
    }
    full = true;
  }
  const eid = streamReadLookup(c, key);
  if (eid === -2) return;
  if (eid < 0) {
    c.reply.error(ERR.noSuchKey);
    return;
  }
  const s = c.db.getObject<Stream>(eid);
  const w = c.reply;
  w.mapLen(full ? 9 : 10);
  w.bulkStr('length');
  w.integer(s.length);
  w.bulkStr('radix-tree-keys');
  w.integer(s.nodeCount);
  w.bulkStr('radix-tree-nodes');
  w.integer(s.raxNodeCount());
  w.bulkStr('last-generated-id');
  replyId(w, s.lastId);
  w.bulkStr('max-deleted-entry-id');
  replyId(w, s.maxDeletedId);
  w.bulkStr('entries-added');
  w.bigint(s.entriesAdded);
  w.bulkStr('recorded-first-entry-id');
  replyId(w, s.firstId);
  const MAX: StreamID = { ms: U64_MAX, seq: U64_MAX };
  if (!full) {
    w.bulkStr('groups');
    w.integer(s.groups.size);
    for (const last of [false, true]) {
      w.bulkStr(last ? 'last-entry' : 'first-entry');
      let sent = false;
      s.range(ID_ZERO, MAX, last, (e) => {
        replyEntry(w, e);
        sent = true;
        return false;
      });
      if (!sent) w.nullBulk();
    }
    return;
  }
  w.bulkStr('entries');
  const token = w.beginDeferred();
  let n = 0;
  s.range(ID_ZERO, MAX, false, (e) => {
    replyEntry(w, e);
    n++;
    return count === 0 || n < count;
  });
  w.endDeferred(token, '*', n);
  w.bulkStr('groups');
  const groups = sortedGroups(s);
  w.arrayLen(groups.length);
  for (const g of groups) {
    w.mapLen(7);
    w.bulkStr('name');
    w.bulk(g.name);
    w.bulkStr('last-delivered-id');
    replyId(w, g.lastId);
    w.bulkStr('entries-read');
    replyEntriesRead(c, g.entriesRead);
    w.bulkStr('lag');
    const lag = groupLag(s, g);
    if (lag === null) w.nullBulk();
    else w.bigint(lag);
    w.bulkStr('pel-count');
    w.integer(g.pel.size);
    w.bulkStr('pending');
    const pt = w.beginDeferred();
    let pn = 0;
    for (const [k, nack] of g.pel.entries()) {
      if (count !== 0 && pn >= count) break;
      w.arrayLen(4);
      replyId(w, idFromKey(k));
      w.bulk(nack.consumer.name);
      w.integer(nack.deliveryTime);
      replyCount(c, nack.deliveryCount);
      pn++;
    }
    w.endDeferred(pt, '*', pn);
    w.bulkStr('consumers');
    const cons = g.sortedConsumers();
    w.arrayLen(cons.length);
    for (const x of cons) {
      w.mapLen(4);
      w.bulkStr('name');
      w.bulk(x.name);
      w.bulkStr('seen-time');
      w.integer(x.seenTime);
      w.bulkStr('pel-count');
      w.integer(x.pel.size);
      w.bulkStr('pending');
      const ct = w.beginDeferred();
      let cn = 0;
      for (const [k, nack] of x.pel.entries()) {
        if (count !== 0 && cn >= count) break;
        w.arrayLen(3);
        replyId(w, idFromKey(k));
        w.integer(nack.deliveryTime);
        replyCount(c, nack.deliveryCount);
        cn++;
      }
      w.endDeferred(ct, '*', cn);
    }
  }
}

function replyCount(c: Client, v: number | bigint): void {
  if (typeof v === 'number') c.reply.integer(v);
  else c.reply.bigint(v);
}

function xinfoGroups(c: Client, argv: Buffer[]): void {
  const eid = streamReadLookup(c, argv[2]!);
  if (eid === -2) return;
  if (eid < 0) {
    c.reply.error(ERR.noSuchKey);
    return;
  }
  const s = c.db.getObject<Stream>(eid);
  const groups = sortedGroups(s);
  c.reply.arrayLen(groups.length);
  for (const g of groups) replyGroupSummary(c, s, g);
}

function xinfoConsumers(c: Client, argv: Buffer[]): void {
  const key = argv[2]!;
  const groupName = argv[3]!;
  const eid = streamReadLookup(c, key);
  if (eid === -2) return;
  if (eid < 0) {
    c.reply.error(ERR.noSuchKey);
    return;
  }
  const s = c.db.getObject<Stream>(eid);
  const g = s.groups.get(groupName.toString('latin1'));
  if (g === undefined) {
    c.reply.error(noGroupForKey(groupName, key));
    return;
  }
  const now = Date.now();
  const cons = g.sortedConsumers();
  const w = c.reply;
  w.arrayLen(cons.length);
  for (const x of cons) {
    w.mapLen(3);
    w.bulkStr('name');
    w.bulk(x.name);
    w.bulkStr('pending');
    w.integer(x.pel.size);
    w.bulkStr('idle');
    const idle = now - x.seenTime;
    w.integer(idle < 0 ? 0 : idle);
  }
}

// ------------------------------------------------------------------ table

const W_SLOW = ['write', 'stream', 'slow'];

function sub(name: string, arity: number, flags: CommandSpec['flags'], acl: string[], handler: CommandSpec['handler'], keyFlags: string[] | null, tips?: string[]): CommandSpec {
  const spec: CommandSpec =
    keyFlags === null
      ? { name, arity, flags, firstKey: 0, lastKey: 0, step: 0, acl, handler }
      : { name, arity, flags, firstKey: 2, lastKey: 2, step: 1, acl, handler, keySpecs: [rangeSpec(keyFlags, 2, 0)] };
  if (tips !== undefined) spec.tips = tips;
  return spec;
}

function key1(name: string, arity: number, flags: CommandSpec['flags'], acl: string[], handler: CommandSpec['handler'], keyFlags: string[], tips?: string[]): CommandSpec {
  const spec: CommandSpec = { name, arity, flags, firstKey: 1, lastKey: 1, step: 1, acl, handler, keySpecs: [rangeSpec(keyFlags, 1, 0)] };
  if (tips !== undefined) spec.tips = tips;
  return spec;
}

const ND = ['nondeterministic_output'];

export const streamGroupCommands: CommandSpec[] = [
  {
    name: 'xgroup',
    arity: -2,
    flags: [],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    acl: ['slow'],
    subcommands: [
      sub('create', -5, ['write', 'denyoom'], W_SLOW, xgroupCreate, ['RW', 'insert']),
      sub('setid', -5, ['write'], W_SLOW, xgroupSetid, ['RW', 'update']),
      sub('destroy', 4, ['write'], W_SLOW, xgroupDestroy, ['RW', 'delete']),
      sub('createconsumer', 5, ['write', 'denyoom'], W_SLOW, xgroupCreateConsumer, ['RW', 'insert']),
      sub('delconsumer', 5, ['write'], W_SLOW, xgroupDelConsumer, ['RW', 'delete']),
      sub('help', 2, ['loading', 'stale'], ['stream', 'slow'], (c) => replyHelp(c, XGROUP_HELP), null),
    ],
  },
  {
    name: 'xinfo',
    arity: -2,
    flags: [],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    acl: ['slow'],
    subcommands: [
      sub('stream', -3, ['readonly'], ['read', 'stream', 'slow'], xinfoStream, ['RO', 'access']),
      sub('groups', 3, ['readonly'], ['read', 'stream', 'slow'], xinfoGroups, ['RO', 'access']),
      sub('consumers', 4, ['readonly'], ['read', 'stream', 'slow'], xinfoConsumers, ['RO', 'access'], ND),
      sub('help', 2, ['loading', 'stale'], ['stream', 'slow'], (c) => replyHelp(c, XINFO_HELP), null),
    ],
  },
  key1('xack', -4, ['write', 'fast'], ['write', 'stream', 'fast'], xackCommand, ['RW', 'update']),
  key1('xpending', -3, ['readonly'], ['read', 'stream', 'slow'], xpendingCommand, ['RO', 'access'], ND),
  key1('xclaim', -6, ['write', 'fast'], ['write', 'stream', 'fast'], xclaimCommand, ['RW', 'update'], ND),
  key1('xautoclaim', -6, ['write', 'fast'], ['write', 'stream', 'fast'], xautoclaimCommand, ['RW', 'delete'], ND),
];
