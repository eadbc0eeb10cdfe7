/**
 * XREAD and XREADGROUP (Redis 7.0 semantics, checked against redis-server 7.0.15), including
 * BLOCK through src/server/blocking.ts.
 *
 * - Arguments are checked stream by stream in order: key type (and, for XREADGROUP, the group:
 *   NOGROUP), then the ID ("$" = the last ID now; ">" only with GROUP; "$" refused by
 *   XREADGROUP). IDs are exclusive: entries strictly after them are returned.
 * - Reply: per stream with something to say, [key, entries] (a map key -> entries in RESP3);
 *   null when nothing at all. XREADGROUP with a history ID always lists its stream (entries of
 *   the consumer's PEL after the ID; deleted ones as [id, nil]; each re-delivery bumps the
 *   delivery count and time).
 * - XREADGROUP ">" adds each delivered entry to the group and consumer PELs (unless NOACK),
 *   advances last-delivered-id and entries-read, and creates the consumer on first use
 *   (event xgroup-createconsumer). It is never propagated as such: each delivered entry is
 *   propagated as `XCLAIM key group consumer 0 id TIME ms RETRYCOUNT n FORCE JUSTID LASTID
 *   last-id`, and with NOACK the group position as `XGROUP SETID key group id ENTRIESREAD n`
 *   (as observed on a 7.0.15 master; history reads and consumer creation propagate nothing).
 * - BLOCK: XREAD waits for entries after the IDs resolved at block time; XREADGROUP (only when
 *   every ID is ">") for entries after the group's last ID. A blocked XREADGROUP whose key is
 *   deleted or no longer a stream fails with "UNBLOCKED the stream key no longer exists", one
 *   whose group is destroyed with "NOGROUP the consumer group this client was blocked on no
 *   longer exists". Inside MULTI (or from scripts/the replication link) BLOCK answers at once.
 */

import type { Client } from '../server/client.js';
import type { Server } from '../server/server.js';
import type { CommandSpec } from './spec.js';
import { ERR } from '../protocol/errors.js';
import { NOTIFY } from '../store/notify.js';
import { TYPE_STREAM } from '../store/db.js';
import { lookupRead } from '../store/expire.js';
import { parseI64 } from '../util/numbers.js';
import { blockClient, mustNotBlock, parseBlockTimeout } from '../server/blocking.js';
import { eqi } from './string.js';
import { ERR_INVALID_ID, cName, ensureStreamHooks, errText, replyEntry } from './stream.js';
import type { Stream } from '../store/types/stream.js';
import { Nack, advanceGroup, type ConsumerGroup, type Consumer } from '../store/types/stream-group.js';
import { ID_ZERO, U64_MAX, cmpId, formatId, idKey, incrId, idFromKey, parseIdArg, type StreamID } from '../store/types/stream-id.js';

const ERR_UNBALANCED = "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.";
const ERR_GT_ONLY_GROUP = 'ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.';
const ERR_DOLLAR_GROUP =
  'ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.';
const ERR_NOACK_XREAD = 'ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.';
const ERR_GROUP_XREAD = 'ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.';
const ERR_MISSING_GROUP = 'ERR Missing GROUP option for XREADGROUP';
const ERR_UNBLOCKED_DELETED = 'UNBLOCKED the stream key no longer exists';
const ERR_UNBLOCKED_NOGROUP = 'NOGROUP the consumer group this client was blocked on no longer exists';

const B_XCLAIM = Buffer.from('XCLAIM');
const B_XGROUP = Buffer.from('XGROUP');
const B_SETID = Buffer.from('SETID');
const B_ENTRIESREAD = Buffer.from('ENTRIESREAD');
const B_ZERO = Buffer.from('0');
const B_TIME = Buffer.from('TIME');
const B_RETRYCOUNT = Buffer.from('RETRYCOUNT');
const B_FORCE = Buffer.from('FORCE');
const B_JUSTID = Buffer.from('JUSTID');
const B_LASTID = Buffer.from('LASTID');

/** A read request for one stream: an ID (exclusive), or ">" (new entries for the group). */
interface StreamReq {
  key: Buffer;
  /** Entries after this ID; null for ">". */
  after: StreamID | null;
  group: ConsumerGroup | null;
}

/** `XCLAIM key group consumer 0 id TIME t RETRYCOUNT n FORCE JUSTID LASTID last`: the effect form of a PEL change. */
export function xclaimEffect(key: Buffer, g: ConsumerGroup, consumerName: Buffer, id: string, nack: Nack): Buffer[] {
  return [
    B_XCLAIM,
    Buffer.from(key),
    Buffer.from(g.name),
    Buffer.from(consumerName),
    B_ZERO,
    Buffer.from(formatId(idFromKey(id)), 'latin1'),
    B_TIME,
    Buffer.from(String(nack.deliveryTime), 'latin1'),
    B_RETRYCOUNT,
    Buffer.from(String(nack.deliveryCount), 'latin1'),
    B_FORCE,
    B_JUSTID,
    B_LASTID,
    Buffer.from(formatId(g.lastId), 'latin1'),
  ];
}

function setIdEffect(key: Buffer, g: ConsumerGroup): Buffer[] {
  return [B_XGROUP, B_SETID, Buffer.from(key), Buffer.from(g.name), Buffer.from(formatId(g.lastId), 'latin1'), B_ENTRIESREAD, Buffer.from(String(g.entriesRead), 'latin1')];
}

/** Looks a consumer up, creating it (with its event) when missing; refreshes seen-time. */
export function touchConsumer(c: Client, key: Buffer, g: ConsumerGroup, name: Buffer, now: number): Consumer {
  const r = g.consumer(name, now);
  if (r.created) {
    c.server.dirty++;
    c.server.notify(NOTIFY.STREAM, 'xgroup-createconsumer', key, c.dbIndex);
  }
  r.consumer.seenTime = now;
  return r.consumer;
}

/**
 * Delivers new entries (after the group's last ID) to `consumer`, replying [id, fields] for
 * each; returns how many. Effects are propagated with server.propagate.
 */
function deliverNew(c: Client, s: Stream, key: Buffer, g: ConsumerGroup, consumer: Consumer, count: number, noack: boolean, now: number): number {
  const start = incrId(g.lastId);
  if (start === null) return 0;
  const w = c.reply;
  const server = c.server;
  const token = w.beginDeferred();
  let n = 0;
  const effects: Buffer[][] = [];
  s.range(start, { ms: U64_MAX, seq: U64_MAX }, false, (e) => {
    replyEntry(w, e);
    n++;
    const id = { ms: e.ms, seq: e.seq };
    advanceGroup(s, g, id);
    if (!noack) {
      const k = idKey(e.ms, e.seq);
      let nack = g.pel.get(k);
      if (nack === undefined) {
        nack = new Nack(consumer, now, 1);
        g.pel.set(k, nack);
      } else {
        // Already pending (the group was moved back with SETID): it changes hands.
        nack.consumer.pel.delete(k);
        nack.consumer = consumer;
        nack.deliveryTime = now;
        nack.deliveryCount = 1;
      }
      consumer.pel.set(k, nack);
      effects.push(xclaimEffect(key, g, consumer.name, k, nack));
    }
    return count === 0 || n < count;
  });
  w.endDeferred(token, '*', n);
  if (n > 0) {
    if (noack) effects.push(setIdEffect(key, g));
    server.dirty += n;
    for (const e of effects) server.propagate(c.dbIndex, e);
    server.keyModified(c.dbIndex, key);
  }
  return n;
}

/** History: the consumer's pending entries after `after` (deleted entries as [id, nil]). */
function replyHistory(c: Client, s: Stream, consumer: Consumer, after: StreamID, count: number, now: number): void {
  const w = c.reply;
  const start = incrId(after);
  const token = w.beginDeferred();
  let n = 0;
  if (start !== null) {
    consumer.pel.forEachFrom(idKey(start.ms, start.seq), (k, nack) => {
      const id = idFromKey(k);
      const fv = s.lookup(id);
      if (fv !== null) {
        replyEntry(w, { ms: id.ms, seq: id.seq, fv });
        // A re-delivery: only entries that still exist count as delivered again (observed).
        nack.deliveryTime = now;
        nack.deliveryCount = typeof nack.deliveryCount === 'number' && nack.deliveryCount < Number.MAX_SAFE_INTEGER ? nack.deliveryCount + 1 : BigInt(nack.deliveryCount) + 1n;
      } else {
        w.arrayLen(2);
        w.bulkStr(formatId(id));
        w.nullArray();
      }
      n++;
      return count === 0 || n < count;
    });
  }
  w.endDeferred(token, '*', n);
}

/** Stream key header of one stream's part of the reply (inside the outer array/map). */
function streamHeader(c: Client, key: Buffer): void {
  if (c.reply.resp === 2) c.reply.arrayLen(2);
  c.reply.bulk(key);
}

function xreadGeneric(c: Client, argv: Buffer[], xreadgroup: boolean): void {
  ensureStreamHooks(c.server);
  const argc = argv.length;
  let deadline = -2; // -2 = no BLOCK option
  let count = 0;
  let streamsArg = 0;
  let nStreams = 0;
  let groupName: Buffer | null = null;
  let consumerName: Buffer | null = null;
  let noack = false;
  for (let i = 1; i < argc; i++) {
    const more = argc - i - 1;
    const o = argv[i]!;
    if (more >= 1 && eqi(o, 'block')) {
      i++;
      const d = parseBlockTimeout(c, argv[i]!, 'ms');
      if (d < 0) return;
      deadline = d;
    } else if (more >= 1 && eqi(o, 'count')) {
      i++;
      const v = parseCount(argv[i]!);
      if (v === null) {
        c.reply.error(ERR.notInteger);
        return;
      }
      count = v;
    } else if (more >= 1 && eqi(o, 'streams')) {
      streamsArg = i + 1;
      const n = argc - streamsArg;
      if (n % 2 !== 0) {
        c.reply.error(ERR_UNBALANCED);
        return;
      }
      nStreams = n / 2;
      break;
    } else if (more >= 2 && eqi(o, 'group')) {
      if (!xreadgroup) {
        c.reply.error(ERR_GROUP_XREAD);
        return;
      }
      groupName = argv[i + 1]!;
      consumerName = argv[i + 2]!;
      i += 2;
    } else if (eqi(o, 'noack')) {
      if (!xreadgroup) {
        c.reply.error(ERR_NOACK_XREAD);
        return;
      }
      noack = true;
    } else {
      c.reply.error(ERR.syntax);
      return;
    }
  }
  if (streamsArg === 0) {
    c.reply.error(ERR.syntax);
    return;
  }
  if (xreadgroup && groupName === null) {
    c.reply.error(ERR_MISSING_GROUP);
    return;
  }
  const db = c.db;
  const reqs: StreamReq[] = [];
  for (let i = 0; i < nStreams; i++) {
    const key = argv[streamsArg + i]!;
    const idArg = argv[streamsArg + nStreams + i]!;
    const eid = lookupRead(c, key);
    if (eid >= 0 && db.typeOf(eid) !== TYPE_STREAM) {
      c.reply.error(ERR.wrongType);
      return;
    }
    const s = eid >= 0 ? db.getObject<Stream>(eid) : null;
    let group: ConsumerGroup | null = null;
    if (groupName !== null) {
      group = s !== null ? (s.groups.get(groupName.toString('latin1')) ?? null) : null;
      if (group === null) {
        c.reply.error(
          errText("NOGROUP No such key '" + cName(key) + "' or consumer group '" + cName(groupName) + "' in XREADGROUP with GROUP option"),
        );
        return;
      }
    }
    if (idArg.length === 1 && idArg[0] === 0x24) {
      if (xreadgroup) {
        c.reply.error(ERR_DOLLAR_GROUP);
        return;
      }
      reqs.push({ key, after: s !== null ? { ms: s.lastId.ms, seq: s.lastId.seq } : ID_ZERO, group });
      continue;
    }
    if (idArg.length === 1 && idArg[0] === 0x3e) {
      if (!xreadgroup) {
        c.reply.error(ERR_GT_ONLY_GROUP);
        return;
      }
      reqs.push({ key, after: null, group });
      continue;
    }
    const id = parseIdArg(idArg, 0n, true);
    if (id === null) {
      c.reply.error(ERR_INVALID_ID);
      return;
    }
    reqs.push({ key, after: id, group });
  }
  if (xreadgroup) c.preventPropagate = true;
  const now = Date.now();
  const w = c.reply;
  // Redis answers with a deferred array/map: only streams with something to say are listed.
  let token = -1;
  let listed = 0;
  for (const r of reqs) {
    const eid = db.find(r.key);
    const s = eid >= 0 && db.typeOf(eid) === TYPE_STREAM ? db.getObject<Stream>(eid) : null;
    if (r.group !== null) {
      if (s === null) continue;
      // Observed: ">" with nothing new neither lists the stream nor creates the consumer.
      if (r.after === null && !hasEntriesAfter(s, r.group.lastId)) continue;
      // The group, its PEL and consumers change in place: a running snapshot serializes first.
      db.willModify(eid);
      const consumer = touchConsumer(c, r.key, r.group, consumerName!, now);
      if (r.after === null) {
        if (token < 0) token = w.beginDeferred();
        streamHeader(c, r.key);
        deliverNew(c, s, r.key, r.group, consumer, count, noack, now);
      } else {
        if (token < 0) token = w.beginDeferred();
        streamHeader(c, r.key);
        replyHistory(c, s, consumer, r.after, count, now);
      }
      listed++;
      continue;
    }
    if (s === null || !hasEntriesAfter(s, r.after!)) continue;
    if (token < 0) token = w.beginDeferred();
    streamHeader(c, r.key);
    replyAfter(c, s, r.after!, count);
    listed++;
  }
  if (token >= 0) {
    w.endDeferred(token, w.resp === 3 ? '%' : '*', listed);
    return;
  }
  if (deadline === -2 || mustNotBlock(c)) {
    w.nullArray();
    return;
  }
  // Nothing yet: block (XREADGROUP only when every ID is ">").
  for (const r of reqs) {
    if (r.group !== null && r.after !== null) {
      w.nullArray();
      return;
    }
  }
  blockOnStreams(c, reqs, deadline, count, groupName, consumerName, noack);
}

/** COUNT of XREAD: int64; zero or negative means no limit (0). */
function parseCount(arg: Buffer): number | null {
  const v = parseI64(arg);
  if (v === null) return null;
  if (v <= 0) return 0;
  return v > Number.MAX_SAFE_INTEGER ? Number.MAX_SAFE_INTEGER : Number(v);
}

function hasEntriesAfter(s: Stream, after: StreamID): boolean {
  if (s.length === 0 || cmpId(s.lastId, after) <= 0) return false;
  const start = incrId(after);
  if (start === null) return false;
  let found = false;
  s.range(
    start,
    { ms: U64_MAX, seq: U64_MAX },
    false,
    () => {
      found = true;
      return false;
    },
    false,
  );
  return found;
}

function replyAfter(c: Client, s: Stream, after: StreamID, count: number): void {
  const start = incrId(after)!;
  const w = c.reply;
  const token = w.beginDeferred();
  let n = 0;
  s.range(start, { ms: U64_MAX, seq: U64_MAX }, false, (e) => {
    replyEntry(w, e);
    n++;
    return count === 0 || n < count;
  });
  w.endDeferred(token, '*', n);
}

// ------------------------------------------------------------------ blocking

/** Keys with clients blocked in XREADGROUP: a deletion must wake them (with an error). */
const groupWaiters = new WeakMap<Server, Map<string, number>>();

function waiterKey(dbIndex: number, key: Buffer): string {
  return dbIndex + ':' + key.toString('latin1');
}

function groupWaitersOf(server: Server): Map<string, number> {
  let m = groupWaiters.get(server);
  if (m !== undefined) return m;
  const map = new Map<string, number>();
  groupWaiters.set(server, map);
  // DEL, UNLINK, SET over the key, RENAME...: every change reaches keyModified; when the key
  // is watched by a blocked XREADGROUP, signal it so the client re-checks and fails.
  server.keyModifiedHooks.push((dbIndex, key) => {
    if (map.size > 0 && map.has(waiterKey(dbIndex, key))) server.signalKeyAsReady(dbIndex, key);
  });
  server.keyInterestHooks.push((dbIndex, out) => {
    const prefix = dbIndex + ':';
    for (const k of map.keys()) if (k.startsWith(prefix)) out.push(Buffer.from(k.slice(prefix.length), 'latin1'));
  });
  m = map;
  return m;
}

function blockOnStreams(
  c: Client,
  reqs: StreamReq[],
  deadline: number,
  count: number,
  groupName: Buffer | null,
  consumerName: Buffer | null,
  noack: boolean,
): void {
  const keys = reqs.map((r) => Buffer.from(r.key));
  const afters = reqs.map((r) => (r.after === null ? null : { ms: r.after.ms, seq: r.after.seq }));
  const group = groupName !== null ? Buffer.from(groupName) : null;
  const consumer = consumerName !== null ? Buffer.from(consumerName) : null;
  const dbIndex = c.dbIndex;
  const server = c.server;
  const waiters = group !== null ? groupWaitersOf(server) : null;
  if (waiters !== null) for (const k of keys) waiters.set(waiterKey(dbIndex, k), (waiters.get(waiterKey(dbIndex, k)) ?? 0) + 1);
  const release = (): void => {
    if (waiters === null) return;
    for (const k of keys) {
      const wk = waiterKey(dbIndex, k);
      const n = (waiters.get(wk) ?? 1) - 1;
      if (n <= 0) waiters.delete(wk);
      else waiters.set(wk, n);
    }
  };
  blockClient(c, {
    keys,
    deadline,
    tryServe(cl: Client, key: Buffer): boolean {
      const i = keys.findIndex((k) => k.equals(key));
      if (i < 0) return false;
      const db = cl.server.keyspace.dbs[dbIndex]!;
      const eid = db.find(key);
      const s = eid >= 0 && db.typeOf(eid) === TYPE_STREAM ? db.getObject<Stream>(eid) : null;
      const w = cl.reply;
      if (group === null) {
        if (s === null || !hasEntriesAfter(s, afters[i]!)) return false;
        oneStreamHeader(cl, key);
        replyAfter(cl, s, afters[i]!, count);
        return true;
      }
      if (s === null) {
        w.error(ERR_UNBLOCKED_DELETED);
        release();
        return true;
      }
      const g = s.groups.get(group.toString('latin1'));
      if (g === undefined) {
        w.error(ERR_UNBLOCKED_NOGROUP);
        release();
        return true;
      }
      if (!hasEntriesAfter(s, g.lastId)) return false;
      db.willModify(eid); // as in xreadGeneric
      const now = Date.now();
      const cons = touchConsumer(cl, key, g, consumer!, now);
      oneStreamHeader(cl, key);
      deliverNew(cl, s, key, g, cons, count, noack, now);
      release();
      return true;
    },
    onTimeout(cl: Client): void {
      cl.reply.nullArray();
      release();
    },
  });
  // A disconnect while blocked never calls tryServe/onTimeout: drop the waiter count then.
  if (waiters !== null) {
    const hook = (gone: Client): void => {
      if (gone !== c) return;
      release();
      const i = server.unlinkHooks.indexOf(hook);
      if (i >= 0) server.unlinkHooks.splice(i, 1);
    };
    server.unlinkHooks.push(hook);
  }
}

/** A served blocked read lists exactly one stream: [[key, entries]] / {key: entries}. */
function oneStreamHeader(c: Client, key: Buffer): void {
  if (c.reply.resp === 3) c.reply.mapLen(1);
  else c.reply.arrayLen(1);
  streamHeader(c, key);
}

function xreadCommand(c: Client, argv: Buffer[]): void {
  xreadGeneric(c, argv, false);
}

function xreadgroupCommand(c: Client, argv: Buffer[]): void {
  xreadGeneric(c, argv, true);
}

/** Keys of XREAD/XREADGROUP: the first half of the arguments after STREAMS. */
function xreadKeys(argv: Buffer[]): number[] {
  for (let i = 1; i < argv.length; i++) {
    if (eqi(argv[i]!, 'streams')) {
      const n = argv.length - i - 1;
      if (n % 2 !== 0) return [];
      const out: number[] = [];
      for (let j = 0; j < n / 2; j++) out.push(i + 1 + j);
      return out;
    }
    // Options with an argument: skip it (a key named "streams" after COUNT/BLOCK is an argument).
    if (eqi(argv[i]!, 'count') || eqi(argv[i]!, 'block')) i++;
    else if (eqi(argv[i]!, 'group')) i += 2;
  }
  return [];
}

export const streamReadCommands: CommandSpec[] = [
  {
    name: 'xread',
    arity: -4,
    flags: ['readonly', 'blocking', 'movablekeys'],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    acl: ['read', 'stream', 'slow', 'blocking'],
    handler: xreadCommand,
    getKeys: xreadKeys,
    keySpecs: [{ flags: ['RO', 'access'], begin: { keyword: 'STREAMS', startfrom: 1 }, find: { range: { lastkey: -1, step: 1, limit: 2 } } }],
  },
  {
    name: 'xreadgroup',
    arity: -7,
    flags: ['write', 'blocking', 'movablekeys'],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    acl: ['write', 'stream', 'slow', 'blocking'],
    handler: xreadgroupCommand,
    getKeys: xreadKeys,
    keySpecs: [{ flags: ['RO', 'access'], begin: { keyword: 'STREAMS', startfrom: 4 }, find: { range: { lastkey: -1, step: 1, limit: 2 } } }],
  },
];
