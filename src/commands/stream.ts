/**
 * The stream family, part 1 (Redis 7.0 semantics, checked against redis-server 7.0.15): XADD,
 * XRANGE, XREVRANGE, XLEN, XDEL, XTRIM, XSETID, plus the helpers the other stream files share.
 * XREAD/XREADGROUP live in stream-read.ts, consumer groups and XINFO in stream-groups.ts; the
 * value type in src/store/types/stream*.ts.
 *
 * - IDs are unsigned 64-bit ms and seq (bigints); parsing quirks in stream-id.ts.
 * - XADD generates `*` as (now, 0) or, when the clock is not ahead of the last ID, the last ID
 *   plus one; `ms-*` takes the next seq of that ms. It is propagated with the ID it added, and
 *   with approximate trimming the trim argument is rewritten as Redis 7.0 does (see
 *   rewriteTrimArgs).
 * - Events: xadd, xtrim (when XADD/XTRIM removed entries), xdel, xsetid.
 */

import type { Client } from '../server/client.js';
import type { Server } from '../server/server.js';
import type { ReplyWriter } from '../protocol/reply-writer.js';
import type { CommandSpec } from './spec.js';
import { ERR, sanitizeError } from '../protocol/errors.js';
import { lookupWrite } from '../store/expire.js';
import { NOTIFY } from '../store/notify.js';
import { TYPE_STREAM, registerObjectSizer } from '../store/db.js';
import { parseI64 } from '../util/numbers.js';
import { registerValueType } from './keys.js';
import { eqi, rangeSpec, readKey } from './string.js';
import { Stream, TRIM_MAXLEN, TRIM_MINID, type Entry } from '../store/types/stream.js';
import { cloneStream } from '../store/types/stream-parts.js';
import { ID_ZERO, SEQ_AUTO, U64_MAX, cmpId, decrId, formatId, incrId, parseIdArg, type StreamID } from '../store/types/stream-id.js';
import { streamReadCommands } from './stream-read.js';
import { streamGroupCommands } from './stream-groups.js';

// ------------------------------------------------------------------ error texts (7.0.15)

export const ERR_INVALID_ID = 'ERR Invalid stream ID specified as stream command argument';
const ERR_XADD_SMALLER = 'ERR The ID specified in XADD is equal or smaller than the target stream top item';
const ERR_XADD_ZERO = 'ERR The ID specified in XADD must be greater than 0-0';
const ERR_TOO_LARGE = 'ERR Elements are too large to be stored';
const ERR_EXHAUSTED = 'ERR The stream has exhausted the last possible ID, unable to add more items';
const ERR_MAXLEN_NEG = 'ERR The MAXLEN argument must be >= 0.';
const ERR_LIMIT_NEG = 'ERR The LIMIT argument must be >= 0.';
const ERR_STRATEGY_CONFLICT = 'ERR syntax error, MAXLEN and MINID options at the same time are not compatible';
const ERR_LIMIT_NO_STRATEGY = 'ERR syntax error, LIMIT cannot be used without specifying a trimming strategy';
const ERR_LIMIT_NO_APPROX = 'ERR syntax error, LIMIT cannot be used without the special ~ option';
const ERR_BAD_START = 'ERR invalid start ID for the interval';
const ERR_BAD_END = 'ERR invalid end ID for the interval';
const ERR_XSETID_SMALLER = 'ERR The ID specified in XSETID is smaller than the target stream top item';
const ERR_XSETID_ENTRIES_ADDED = 'ERR The entries_added specified in XSETID is smaller than the target stream length';
const ERR_XSETID_MAXDEL = 'ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id';
const ERR_ENTRIES_ADDED_NEG = 'ERR entries_added must be positive';

const B_XADD = Buffer.from('XADD');
const B_XTRIM = Buffer.from('XTRIM');
const B_EQ = Buffer.from('=');
const B_MAXLEN = Buffer.from('MAXLEN');
const B_MINID = Buffer.from('MINID');
const B_LIMIT = Buffer.from('LIMIT');

// ------------------------------------------------------------------ type registration

registerValueType(TYPE_STREAM, {
  clone: (obj) => cloneStream(obj as Stream),
  encoding: () => 'stream',
});

registerObjectSizer(TYPE_STREAM, (obj) => {
  const s = obj as Stream;
  let n = 200 + s.nodeBytes();
  for (const g of s.groups.values()) n += 160 + g.name.length + g.pel.size * 80 + g.consumers.size * 120;
  return n;
});

/** DEBUG DIGEST / DEBUG OBJECT hooks live on the Server instance: installed on first use. */
export function ensureStreamHooks(server: Server): void {
  if (server.encodingNames.has(TYPE_STREAM)) return;
  server.encodingNames.set(TYPE_STREAM, () => 'stream');
  // Observed on 7.0.15: the digest folds the live entries (ID as "ms.seq", then fields and
  // values) and nothing else: node layout, tombstones, groups and last-id do not change it.
  server.valueDigesters.set(TYPE_STREAM, (obj) => ({ type: 'stream', entries: digestEntries(obj as Stream) }));
}

function* digestEntries(s: Stream): IterableIterator<readonly [bigint, bigint, Buffer[]]> {
  const list: Array<[bigint, bigint, Buffer[]]> = [];
  s.range(ID_ZERO, { ms: U64_MAX, seq: U64_MAX }, false, (e) => {
    list.push([e.ms, e.seq, e.fv.map((b) => Buffer.from(b))]);
    return true;
  });
  yield* list;
}

// ------------------------------------------------------------------ shared helpers

/** Stream at `key` for writing: entry id, -1 when absent, -2 after replying WRONGTYPE. */
export function streamWriteLookup(c: Client, key: Buffer): number {
  ensureStreamHooks(c.server);
  const id = lookupWrite(c, key);
  if (id >= 0 && c.db.typeOf(id) !== TYPE_STREAM) {
    c.reply.error(ERR.wrongType);
    return -2;
  }
  return id;
}

/** Stream at `key` for reading (keymiss event on a miss): id, -1 absent, -2 after WRONGTYPE. */
export function streamReadLookup(c: Client, key: Buffer): number {
  ensureStreamHooks(c.server);
  const id = readKey(c, key);
  if (id >= 0 && c.db.typeOf(id) !== TYPE_STREAM) {
    c.reply.error(ERR.wrongType);
    return -2;
  }
  return id;
}

export function idText(id: StreamID): string {
  return formatId(id);
}

export function replyId(w: ReplyWriter, id: StreamID): void {
  w.bulkStr(formatId(id));
}

/** One entry: [id, [field, value, ...]]. */
export function replyEntry(w: ReplyWriter, e: Entry): void {
  w.arrayLen(2);
  w.bulkStr(e.ms.toString() + '-' + e.seq.toString());
  const fv = e.fv;
  w.arrayLen(fv.length);
  for (let i = 0; i < fv.length; i++) w.bulk(fv[i]!);
}

/**
 * Replies with the entries of [start, end] (rev: descending), at most `count` (0 = all), as an
 * array. Returns how many were sent.
 */
export function replyRange(w: ReplyWriter, s: Stream, start: StreamID, end: StreamID, rev: boolean, count: number): number {
  const token = w.beginDeferred();
  let n = 0;
  s.range(start, end, rev, (e) => {
    replyEntry(w, e);
    n++;
    return count === 0 || n < count;
  });
  w.endDeferred(token, '*', n);
  return n;
}

/** Strict ID argument ("-"/"+" refused); replies the error and returns null when invalid. */
export function parseStrictIdOrReply(c: Client, arg: Buffer, missingSeq = 0n): StreamID | null {
  const id = parseIdArg(arg, missingSeq, true);
  if (id === null) c.reply.error(ERR_INVALID_ID);
  return id;
}

/** The "NOGROUP No such key 'k' or consumer group 'g'..." family: names as C strings. */
export function cName(b: Buffer): string {
  const z = b.indexOf(0);
  return b.toString('latin1', 0, z < 0 ? b.length : z);
}

export function errText(s: string): string {
  return sanitizeError(s);
}

/** int64 argument; replies "value is not an integer" and returns null when invalid. */
export function parseLongLongOrReply(c: Client, arg: Buffer): bigint | null {
  const v = parseI64(arg);
  if (v === null) {
    c.reply.error(ERR.notInteger);
    return null;
  }
  return BigInt(v);
}

// ------------------------------------------------------------------ XADD / XTRIM argument parsing

interface TrimArgs {
  strategy: number; // 0 none, TRIM_MAXLEN, TRIM_MINID
  approx: boolean;
  maxLen: number;
  minId: StreamID;
  limit: number;
  limitGiven: boolean;
  /** argv index of the threshold argument (for propagation rewrites). */
  thresholdIdx: number;
  noMkStream: boolean;
  /** XADD: the ID argument's index, the parsed ID (null for '*'). */
  idIdx: number;
  id: StreamID | null;
}

/**
 * Parses the options of XADD (xadd true: stops at the ID) or XTRIM. Returns null after
 * replying an error.
 */
function parseAddTrimArgs(c: Client, argv: Buffer[], xadd: boolean): TrimArgs | null {
  const a: TrimArgs = {
    strategy: 0,
    approx: false,
    maxLen: 0,
    minId: ID_ZERO,
    limit: -1,
    limitGiven: false,
    thresholdIdx: -1,
    noMkStream: false,
    idIdx: -1,
    id: null,
  };
  const argc = argv.length;
  let i = 2;
  for (; i < argc; i++) {
    const more = argc - 1 - i;
    const opt = argv[i]!;
    if (xadd && opt.length === 1 && opt[0] === 0x2a) {
      a.idIdx = i;
      break;
    } else if (more >= 1 && (eqi(opt, 'maxlen') || eqi(opt, 'minid'))) {
      if (a.strategy !== 0) {
        c.reply.error(ERR_STRATEGY_CONFLICT);
        return null;
      }
      const byLength = opt[1] === 0x61 || opt[1] === 0x41; // mAxlen vs mInid
      a.approx = false;
      const next = argv[i + 1]!;
      if (more >= 2 && next.length === 1 && (next[0] === 0x7e || next[0] === 0x3d)) {
        a.approx = next[0] === 0x7e;
        i++;
      }
      if (byLength) {
        const v = parseI64(argv[i + 1]!);
        if (v === null) {
          c.reply.error(ERR.notInteger);
          return null;
        }
        if (v < 0) {
          c.reply.error(ERR_MAXLEN_NEG);
          return null;
        }
        a.maxLen = Number(v);
        a.strategy = TRIM_MAXLEN;
      } else {
        const id = parseStrictIdOrReply(c, argv[i + 1]!);
        if (id === null) return null;
        a.minId = id;
        a.strategy = TRIM_MINID;
      }
      a.thresholdIdx = i + 1;
      i++;
    } else if (more >= 1 && eqi(opt, 'limit')) {
      const v = parseI64(argv[i + 1]!);
      if (v === null) {
        c.reply.error(ERR.notInteger);
        return null;
      }
      if (v < 0) {
        c.reply.error(ERR_LIMIT_NEG);
        return null;
      }
      a.limit = Number(v);
      a.limitGiven = true;
      i++;
    } else if (xadd && eqi(opt, 'nomkstream')) {
      a.noMkStream = true;
    } else if (xadd) {
      const id = parseIdArg(opt, 0n, true, true);
      if (id === null) {
        c.reply.error(ERR_INVALID_ID);
        return null;
      }
      a.idIdx = i;
      a.id = id;
      break;
    } else {
      c.reply.error(ERR.syntax);
      return null;
    }
  }
  if (a.limitGiven && a.limit !== 0 && a.strategy === 0) {
    c.reply.error(ERR_LIMIT_NO_STRATEGY);
    return null;
  }
  if (!xadd && a.strategy === 0) {
    c.reply.error(ERR.syntax);
    return null;
  }
  if (!a.approx) {
    if (a.limitGiven) {
      c.reply.error(ERR_LIMIT_NO_APPROX);
      return null;
    }
    a.limit = 0;
  } else if (!a.limitGiven) {
    const perNode = c.server.config.getNumber('stream-node-max-entries');
    a.limit = perNode > 0 ? 100 * perNode : 10000;
  }
  if (xadd) {
    const fieldPos = i + 1;
    const n = argc - fieldPos;
    if (i >= argc || n < 2 || n % 2 === 1) {
      c.reply.error("ERR wrong number of arguments for 'xadd' command");
      return null;
    }
    if (a.id !== null && a.id.seq !== SEQ_AUTO && a.id.ms === 0n && a.id.seq === 0n) {
      c.reply.error(ERR_XADD_ZERO);
      return null;
    }
  }
  return a;
}

/** Runs the trimming of parsed args on s; returns the number of entries removed. */
function applyTrim(s: Stream, a: TrimArgs): number {
  return s.trim(a.strategy, a.maxLen, a.minId, a.approx, a.limit);
}

/**
 * Redis 7.0 propagates approximate trimming in a form the replica can apply exactly: the
 * threshold becomes what the trim actually reached (MAXLEN = the length after trimming, MINID
 * = the first ID kept) and `~` becomes `=`; the LIMIT stays as given.
 */
function rewriteTrimArgs(out: Buffer[], s: Stream, a: TrimArgs): void {
  if (!a.approx) return;
  const idx = a.thresholdIdx;
  out[idx - 1] = B_EQ;
  if (a.strategy === TRIM_MAXLEN) out[idx] = Buffer.from(String(s.length), 'latin1');
  else out[idx] = Buffer.from(formatId(s.firstId), 'latin1');
}

// ------------------------------------------------------------------ XADD

function xaddCommand(c: Client, argv: Buffer[]): void {
  const a = parseAddTrimArgs(c, argv, true);
  if (a === null) return;
  const key = argv[1]!;
  const eid = streamWriteLookup(c, key);
  if (eid === -2) return;
  const db = c.db;
  let s: Stream;
  if (eid < 0) {
    if (a.noMkStream) {
      c.reply.nullBulk();
      return;
    }
    s = new Stream();
  } else s = db.getObject<Stream>(eid);
  const last = s.lastId;
  if (last.ms === U64_MAX && last.seq === U64_MAX) {
    c.reply.error(ERR_EXHAUSTED);
    return;
  }
  let id: StreamID;
  const want = a.id;
  if (want === null) {
    const now = BigInt(Date.now());
    id = now > last.ms ? { ms: now, seq: 0n } : incrId(last)!;
  } else if (want.seq === SEQ_AUTO) {
    if (want.ms > last.ms) id = { ms: want.ms, seq: 0n };
    else if (want.ms === last.ms) {
      if (last.seq === U64_MAX) {
        // Observed: the seq space of this ms is used up (Redis reports it this way).
        c.reply.error(ERR_TOO_LARGE);
        return;
      }
      id = { ms: want.ms, seq: last.seq + 1n };
    } else {
      c.reply.error(ERR_XADD_SMALLER);
      return;
    }
  } else {
    if (cmpId(want, last) <= 0) {
      c.reply.error(ERR_XADD_SMALLER);
      return;
    }
    id = want;
  }
  const config = c.server.config;
  const fv = argv.slice(a.idIdx + 1);
  s.append(id, fv, config.getNumber('stream-node-max-bytes'), config.getNumber('stream-node-max-entries'));
  if (eid < 0) db.setObject(key, TYPE_STREAM, s);
  const server = c.server;
  server.dirty++;
  replyId(c.reply, id);
  server.keyModified(c.dbIndex, key);
  server.notify(NOTIFY.STREAM, 'xadd', key, c.dbIndex);
  let out: Buffer[] | null = null;
  if (want === null || want.seq === SEQ_AUTO) {
    out = argv.slice();
    out[a.idIdx] = Buffer.from(formatId(id), 'latin1');
  }
  if (a.strategy !== 0) {
    if (applyTrim(s, a) > 0) server.notify(NOTIFY.STREAM, 'xtrim', key, c.dbIndex);
    // Observed: XADD rewrites approximate trimming even when it removed nothing.
    if (a.approx) {
      if (out === null) out = argv.slice();
      rewriteTrimArgs(out, s, a);
    }
  }
  if (out !== null) c.propagateArgv = out;
  server.signalKeyAsReady(c.dbIndex, key);
}

// ------------------------------------------------------------------ XTRIM

function xtrimCommand(c: Client, argv: Buffer[]): void {
  const key = argv[1]!;
  const a = parseAddTrimArgs(c, argv, false);
  if (a === null) return;
  const eid = streamWriteLookup(c, key);
  if (eid === -2) return;
  if (eid < 0) {
    c.reply.integer(0);
    return;
  }
  const s = c.db.getObject<Stream>(eid);
  const removed = applyTrim(s, a);
  if (removed > 0) {
    const server = c.server;
    server.dirty += removed;
    server.keyModified(c.dbIndex, key);
    server.notify(NOTIFY.STREAM, 'xtrim', key, c.dbIndex);
    if (a.approx) {
      const out = argv.slice();
      rewriteTrimArgs(out, s, a);
      c.propagateArgv = out;
    }
  }
  c.reply.integer(removed);
}

// ------------------------------------------------------------------ XRANGE / XREVRANGE

/** Range bound: "-", "+", an incomplete ID, or "(" + strict ID (exclusive). */
function parseRangeBound(c: Client, arg: Buffer, missingSeq: bigint): { id: StreamID; exclusive: boolean } | null {
  if (arg.length > 1 && arg[0] === 0x28) {
    const id = parseIdArg(arg.subarray(1), missingSeq, true);
    if (id === null) {
      c.reply.error(ERR_INVALID_ID);
      return null;
    }
    return { id, exclusive: true };
  }
  const id = parseIdArg(arg, missingSeq, false);
  if (id === null) {
    c.reply.error(ERR_INVALID_ID);
    return null;
  }
  return { id, exclusive: false };
}

function rangeGeneric(c: Client, argv: Buffer[], rev: boolean): void {
  const startArg = rev ? argv[3]! : argv[2]!;
  const endArg = rev ? argv[2]! : argv[3]!;
  const sb = parseRangeBound(c, startArg, 0n);
  if (sb === null) return;
  const eb = parseRangeBound(c, endArg, U64_MAX);
  if (eb === null) return;
  let start = sb.id;
  let end = eb.id;
  if (sb.exclusive) {
    const n = incrId(start);
    if (n === null) {
      c.reply.error(ERR_BAD_START);
      return;
    }
    start = n;
  }
  if (eb.exclusive) {
    const p = decrId(end);
    if (p === null) {
      c.reply.error(ERR_BAD_END);
      return;
    }
    end = p;
  }
  let count = -1;
  for (let j = 4; j < argv.length; j++) {
    const more = argv.length - j - 1;
    if (more >= 1 && eqi(argv[j]!, 'count')) {
      const v = parseLongLongOrReply(c, argv[j + 1]!);
      if (v === null) return;
      count = v < 0n ? 0 : v > 9007199254740991n ? Number.MAX_SAFE_INTEGER : Number(v);
      j++;
    } else {
      c.reply.error(ERR.syntax);
      return;
    }
  }
  const eid = streamReadLookup(c, argv[1]!);
  if (eid === -2) return;
  if (eid < 0) {
    c.reply.arrayLen(0);
    return;
  }
  if (count === 0) {
    c.reply.nullArray();
    return;
  }
  replyRange(c.reply, c.db.getObject<Stream>(eid), start, end, rev, count < 0 ? 0 : count);
}

function xrangeCommand(c: Client, argv: Buffer[]): void {
  rangeGeneric(c, argv, false);
}

function xrevrangeCommand(c: Client, argv: Buffer[]): void {
  rangeGeneric(c, argv, true);
}

// ------------------------------------------------------------------ XLEN / XDEL / XSETID

function xlenCommand(c: Client, argv: Buffer[]): void {
  const eid = streamReadLookup(c, argv[1]!);
  if (eid === -2) return;
  c.reply.integer(eid < 0 ? 0 : c.db.getObject<Stream>(eid).length);
}

function xdelCommand(c: Client, argv: Buffer[]): void {
  const key = argv[1]!;
  const eid = streamWriteLookup(c, key);
  if (eid === -2) return;
  if (eid < 0) {
    c.reply.integer(0);
    return;
  }
  const ids: StreamID[] = [];
  for (let j = 2; j < argv.length; j++) {
    const id = parseStrictIdOrReply(c, argv[j]!);
    if (id === null) return;
    ids.push(id);
  }
  const s = c.db.getObject<Stream>(eid);
  let deleted = 0;
  for (const id of ids) if (s.delete(id)) deleted++;
  if (deleted > 0) {
    const server = c.server;
    server.dirty += deleted;
    server.keyModified(c.dbIndex, key);
    server.notify(NOTIFY.STREAM, 'xdel', key, c.dbIndex);
  }
  c.reply.integer(deleted);
}

function xsetidCommand(c: Client, argv: Buffer[]): void {
  const key = argv[1]!;
  const id = parseStrictIdOrReply(c, argv[2]!);
  if (id === null) return;
  let entriesAdded = -1n;
  let maxDel: StreamID | null = null;
  for (let j = 3; j < argv.length; j++) {
    const more = argv.length - j - 1;
    if (more >= 1 && eqi(argv[j]!, 'entriesadded')) {
      const v = parseLongLongOrReply(c, argv[j + 1]!);
      if (v === null) return;
      if (v < 0n) {
        c.reply.error(ERR_ENTRIES_ADDED_NEG);
        return;
      }
      entriesAdded = v;
      j++;
    } else if (more >= 1 && eqi(argv[j]!, 'maxdeletedid')) {
      const m = parseStrictIdOrReply(c, argv[j + 1]!);
      if (m === null) return;
      if (cmpId(id, m) < 0) {
        c.reply.error(ERR_XSETID_MAXDEL);
        return;
      }
      maxDel = m;
      j++;
    } else {
      c.reply.error(ERR.syntax);
      return;
    }
  }
  const eid = streamWriteLookup(c, key);
  if (eid === -2) return;
  if (eid < 0) {
    c.reply.error(ERR.noSuchKey);
    return;
  }
  const s = c.db.getObject<Stream>(eid);
  // Checked against the newest entry present, not the last ID (observed: after XSETID 8-3 on a
  // stream whose top entry is 5-2, XSETID 6-3 is accepted).
  if (s.length > 0 && cmpId(id, s.edgeId(true)!) < 0) {
    c.reply.error(ERR_XSETID_SMALLER);
    return;
  }
  if (entriesAdded !== -1n && BigInt(s.length) > entriesAdded) {
    c.reply.error(ERR_XSETID_ENTRIES_ADDED);
    return;
  }
  s.lastId = { ms: id.ms, seq: id.seq };
  if (entriesAdded !== -1n) s.entriesAdded = entriesAdded;
  if (maxDel !== null) s.maxDeletedId = { ms: maxDel.ms, seq: maxDel.seq };
  const server = c.server;
  server.dirty++;
  server.keyModified(c.dbIndex, key);
  server.notify(NOTIFY.STREAM, 'xsetid', key, c.dbIndex);
  c.reply.ok();
}

// ------------------------------------------------------------------ table

const W_FAST = ['write', 'stream', 'fast'];
const R_SLOW = ['read', 'stream', 'slow'];

function cmd(name: string, arity: number, flags: CommandSpec['flags'], acl: string[], handler: CommandSpec['handler'], keyFlags: string[], tips?: string[], notes?: string): CommandSpec {
  const spec: CommandSpec = { name, arity, flags, firstKey: 1, lastKey: 1, step: 1, acl, handler, keySpecs: [rangeSpec(keyFlags, 1, 0, 1, notes)] };
  if (tips !== undefined) spec.tips = tips;
  return spec;
}

export const streamCommands: CommandSpec[] = [
  cmd('xadd', -5, ['write', 'denyoom', 'fast'], W_FAST, xaddCommand, ['RW', 'update'], ['nondeterministic_output'], 'UPDATE instead of INSERT because of the optional trimming feature'),
  cmd('xrange', -4, ['readonly'], R_SLOW, xrangeCommand, ['RO', 'access']),
  cmd('xrevrange', -4, ['readonly'], R_SLOW, xrevrangeCommand, ['RO', 'access']),
  cmd('xlen', 2, ['readonly', 'fast'], ['read', 'stream', 'fast'], xlenCommand, ['RO']),
  cmd('xdel', -3, ['write', 'fast'], W_FAST, xdelCommand, ['RW', 'delete']),
  cmd('xtrim', -4, ['write'], ['write', 'stream', 'slow'], xtrimCommand, ['RW', 'delete'], ['nondeterministic_output']),
  cmd('xsetid', -3, ['write', 'denyoom', 'fast'], W_FAST, xsetidCommand, ['RW', 'update']),
  ...streamReadCommands,
  ...streamGroupCommands,
];

export { B_XADD, B_XTRIM, B_MAXLEN, B_MINID, B_LIMIT };
