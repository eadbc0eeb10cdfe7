/**
 * Sorted sets: ZADD ZINCRBY ZSCORE ZMSCORE ZCARD ZCOUNT ZLEXCOUNT ZRANGE ZRANGESTORE
 * ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX ZREVRANGE ZRANK ZREVRANK ZREM
 * ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX ZPOPMIN ZPOPMAX ZMPOP ZRANDMEMBER ZUNION ZINTER
 * ZDIFF ZUNIONSTORE ZINTERSTORE ZDIFFSTORE ZINTERCARD ZSCAN.
 *
 * Behaviour observed on redis-server 7.0.15:
 * - ZADD: option words first (NX XX GT LT CH INCR, any case), then score/member pairs. Errors in
 *   this order: pair count ("ERR syntax error"), NX+XX, GT/LT/NX combinations, INCR with several
 *   pairs, every score ("ERR value is not a valid float"), then the key's type. XX on a missing
 *   key creates nothing. An INCR that is refused by NX/XX/GT/LT replies nil; one that produces
 *   NaN ("inf" + "-inf") is "ERR resulting score is not a number (NaN)". Setting a score equal
 *   to the current one (-0 equals 0) is no update. dirty += added + updated; event "zadd"
 *   ("zincr" with INCR) only when something changed.
 * - Encodings: a new zset is listpack unless zset-max-listpack-entries is 0 or its first member
 *   is longer than zset-max-listpack-value; it turns into a skiplist when it outgrows either
 *   limit and never goes back, except that the STORE commands build their result with the
 *   natural encoding. A listpack stores -0 as 0.
 * - Ranges: score bounds parse like strtod with an optional '(' ("ERR min or max is not a
 *   float"), lex bounds are '-', '+', '(x' or '[x' ("ERR min or max not valid string range
 *   item"); both are checked before the key. LIMIT needs BYSCORE/BYLEX; WITHSCORES is refused
 *   with BYLEX. A negative offset gives nothing, a negative count means all.
 * - Pops: ZPOPMIN/ZPOPMAX without COUNT reply a flat [member, score]; with COUNT (and ZMPOP) an
 *   array of [member, score] pairs in RESP3 (flat in RESP2). ZMPOP is propagated as
 *   ZPOPMIN/ZPOPMAX key count; the empty key is deleted ("del" after "zpopmin").
 * - STORE forms replace the destination (a result of 0 members deletes it: event "del");
 *   dirty +1 when something was stored or deleted.
 * - ZSCAN of a listpack returns everything with cursor 0; scores are bulk strings in RESP3 too.
 */

import { DenseMap } from '../store/dense.js';
import type { CommandSpec, KeySpec } from './spec.js';
import type { Client } from '../server/client.js';
import type { Server } from '../server/server.js';
import { ERR } from '../protocol/errors.js';
import { lookupWrite } from '../store/expire.js';
import { NOTIFY } from '../store/notify.js';
import { TYPE_SET, TYPE_ZSET, type Db } from '../store/db.js';
import { setHasStr, setMembers, setSize, type SetValue } from '../store/types/set.js';
import { beginScanReply, parseCursorOrReply, parseScanOptions } from '../store/scan.js';
import { formatDouble, parseDouble, parseDoubleLoose, parseI64 } from '../util/numbers.js';
import { ADD_NEW, ADD_SAME, ADD_UPDATED, ZSet, type ZEntries, type ZLimits } from '../store/types/zset.js';
import { registerValueType } from './keys.js';
import { eqi, firstKeyOfType, foundKeyId, rangeSpec, readKey } from './string.js';

// ---------------------------------------------------------------------------------------------
// Error texts (7.0.15 verbatim).

const ERR_NX_XX = 'ERR XX and NX options at the same time are not compatible';
const ERR_GT_LT_NX = 'ERR GT, LT, and/or NX options at the same time are not compatible';
const ERR_INCR_PAIR = 'ERR INCR option supports a single increment-element pair';
const ERR_NAN = 'ERR resulting score is not a number (NaN)';
const ERR_MINMAX_FLOAT = 'ERR min or max is not a float';
const ERR_MINMAX_LEX = 'ERR min or max not valid string range item';
const ERR_LIMIT_RANK = 'ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX';
const ERR_WITHSCORES_LEX = 'ERR syntax error, WITHSCORES not supported in combination with BYLEX';
const ERR_POSITIVE = 'ERR value is out of range, must be positive';
const ERR_NUMKEYS = 'ERR numkeys should be greater than 0';
const ERR_COUNT = 'ERR count should be greater than 0';
const ERR_WEIGHT = 'ERR weight value is not a float';
const ERR_LIMIT_NEG = "ERR LIMIT can't be negative";
const ERR_RAND_RANGE = 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807';
const ERR_OUT_OF_RANGE = 'ERR value is out of range';

function atLeastOneKey(cmd: string): string {
  return "ERR at least 1 input key is needed for '" + cmd + "' command";
}

// ---------------------------------------------------------------------------------------------
// Value type registration.

registerValueType(TYPE_ZSET, {
  clone: (obj) => (obj as ZSet).clone(),
  encoding: (obj) => (obj as ZSet).encoding(),
});

const hooked = new WeakSet<Server>();

/**
 * Installs the DEBUG DIGEST / DEBUG OBJECT hooks on the server (once). The zset commands call
 * it whenever they create a zset; a loader that creates zsets directly (RDB, AOF) calls it too.
 */
export function ensureHooks(server: Server): void {
  if (hooked.has(server)) return;
  hooked.add(server);
  server.valueDigesters.set(TYPE_ZSET, (obj) => {
    const z = obj as ZSet;
    const all = z.all();
    const entries: Array<readonly [Uint8Array, number]> = [];
    for (let i = 0; i < all.members.length; i++) entries.push([Buffer.from(all.members[i]!, 'latin1'), all.scores[i]!]);
    return { type: 'zset', entries };
  });
  server.encodingNames.set(TYPE_ZSET, (obj) => (obj as ZSet).encoding());
}

/** The server's zset-max-listpack-* limits (exported for GEO and SORT ... STORE builders). */
export function limitsOf(server: Server): ZLimits {
  return {
    entries: server.config.getNumber('zset-max-listpack-entries'),
    value: server.config.getNumber('zset-max-listpack-value'),
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers.

const B_ZPOPMIN = Buffer.from('ZPOPMIN');
const B_ZPOPMAX = Buffer.from('ZPOPMAX');

function latin1(b: Buffer): string {
  return b.toString('latin1');
}

/** Reads a zset for reading: the ZSet, null when missing, undefined after a WRONGTYPE reply. */
function readZset(c: Client, key: Buffer): ZSet | null | undefined {
  const id = readKey(c, key);
  if (id < 0) return null;
  if (c.db.typeOf(id) !== TYPE_ZSET) {
    c.reply.error(ERR.wrongType);
    return undefined;
  }
  return c.db.getObject<ZSet>(id);
}

/**
 * An input of ZUNION/ZINTER/ZDIFF(STORE) and ZINTERCARD: a sorted set, or a plain set whose
 * members all count with score 1 (Redis accepts both).
 */
interface ZSetInput {
  readonly size: number;
  all(): ZEntries;
  score(member: string): number | undefined;
}

class PlainSetInput implements ZSetInput {
  constructor(private readonly v: SetValue) {}
  get size(): number {
    return setSize(this.v);
  }
  all(): ZEntries {
    const members = setMembers(this.v);
    return { members, scores: new Array<number>(members.length).fill(1) };
  }
  score(member: string): number | undefined {
    return setHasStr(this.v, member) ? 1 : undefined;
  }
}

/** A set-operation input at `id` (-1: absent → null), or undefined after replying WRONGTYPE. */
function setOpInput(c: Client, id: number): ZSetInput | null | undefined {
  if (id < 0) return null;
  const t = c.db.typeOf(id);
  if (t === TYPE_ZSET) return c.db.getObject<ZSet>(id);
  if (t === TYPE_SET) return new PlainSetInput(c.db.getObject<SetValue>(id));
  c.reply.error(ERR.wrongType);
  return undefined;
}

/** Same for writing (lookupWrite); returns [id, zset]. */
function writeZset(c: Client, key: Buffer): { id: number; z: ZSet | null } | undefined {
  const id = lookupWrite(c, key);
  if (id < 0) return { id, z: null };
  if (c.db.typeOf(id) !== TYPE_ZSET) {
    c.reply.error(ERR.wrongType);
    return undefined;
  }
  return { id, z: c.db.getObject<ZSet>(id) };
}

function replyScore(c: Client, s: number): void {
  c.reply.double(formatDouble(s));
}

/** Parses a strict long (Redis getLongFromObject); null after replying the error. */
function parseLongOrReply(c: Client, b: Buffer): number | null {
  const v = parseI64(b);
  if (v === null) {
    c.reply.error(ERR.notInteger);
    return null;
  }
  if (typeof v === 'bigint') return v < 0n ? -Number.MAX_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
  return v;
}

/** Writes entries (in the given order) as member[, score] elements. */
function replyEntries(c: Client, e: ZEntries, withScores: boolean, rev: boolean): void {
  const n = e.members.length;
  const r = c.reply;
  const nested = withScores && r.resp === 3;
  r.arrayLen(withScores && !nested ? n * 2 : n);
  for (let k = 0; k < n; k++) {
    const i = rev ? n - 1 - k : k;
    if (nested) r.arrayLen(2);
    r.bulkStr(e.members[i]!);
    if (withScores) replyScore(c, e.scores[i]!);
  }
}

/** Deletes the key when its zset became empty; returns true if deleted (and notified). */
function deleteIfEmpty(c: Client, id: number, z: ZSet, key: Buffer): boolean {
  if (z.size !== 0) return false;
  c.db.deleteId(id);
  c.server.notify(NOTIFY.GENERIC, 'del', key, c.dbIndex);
  return true;
}

/** Stores `z` at `key` (replacing any value) or deletes key when z is empty. Returns size. */
function storeResult(c: Client, key: Buffer, z: ZSet, event: string): number {
  const db = c.db;
  const server = c.server;
  const n = z.size;
  if (n > 0) {
    ensureHooks(server);
    db.setObject(key, TYPE_ZSET, z);
    server.dirty++;
    server.keyModified(c.dbIndex, key);
    server.notify(NOTIFY.ZSET, event, key, c.dbIndex);
    server.signalKeyAsReady(c.dbIndex, key);
  } else {
    const id = lookupWrite(c, key);
    if (id >= 0) {
      db.deleteId(id);
      server.dirty++;
      server.keyModified(c.dbIndex, key);
      server.notify(NOTIFY.GENERIC, 'del', key, c.dbIndex);
    }
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Ranges.

interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

function parseScoreBound(b: Buffer): { v: number; ex: boolean } | null {
  if (b.length > 0 && b[0] === 0x28) {
    const v = parseDoubleLoose(b, 1);
    if (v !== v) return null;
    return { v, ex: true };
  }
  const v = parseDoubleLoose(b);
  if (v !== v) return null;
  return { v, ex: false };
}

function parseScoreRange(min: Buffer, max: Buffer): ScoreRange | null {
  const a = parseScoreBound(min);
  const b = parseScoreBound(max);
  if (a === null || b === null) return null;
  return { min: a.v, minex: a.ex, max: b.v, maxex: b.ex };
}

/** A lex bound: '-' = -inf (null, inf -1), '+' = +inf (null, inf 1), else member + exclusive. */
interface LexBound {
  inf: number;
  m: string;
  ex: boolean;
}

function parseLexBound(b: Buffer): LexBound | null {
  if (b.length === 1 && b[0] === 0x2d) return { inf: -1, m: '', ex: false };
  if (b.length === 1 && b[0] === 0x2b) return { inf: 1, m: '', ex: false };
  if (b.length >= 1 && (b[0] === 0x28 || b[0] === 0x5b)) return { inf: 0, m: b.toString('latin1', 1), ex: b[0] === 0x28 };
  return null;
}

interface LexRange {
  min: LexBound;
  max: LexBound;
}

function parseLexRange(min: Buffer, max: Buffer): LexRange | null {
  const a = parseLexBound(min);
  const b = parseLexBound(max);
  if (a === null || b === null) return null;
  return { min: a, max: b };
}

/** Ascending ranks [lo, hi] of the members in a score range (lo > hi when empty). */
function scoreRanks(z: ZSet, r: ScoreRange): [number, number] {
  const { min, max, minex, maxex } = r;
  if (min > max || (min === max && (minex || maxex))) return [0, -1];
  const lo = z.countBelow(minex ? (s) => s > min : (s) => s >= min);
  const hi = z.countBelow(maxex ? (s) => s >= max : (s) => s > max) - 1;
  return [lo, hi];
}

function lexGteMin(m: string, b: LexBound): boolean {
  if (b.inf !== 0) return b.inf < 0;
  return b.ex ? m > b.m : m >= b.m;
}

function lexGtMax(m: string, b: LexBound): boolean {
  if (b.inf !== 0) return b.inf < 0;
  return b.ex ? m >= b.m : m > b.m;
}

function lexRanks(z: ZSet, r: LexRange): [number, number] {
  const { min, max } = r;
  // Empty ranges: min above max, or equal with an exclusive end.
  if (min.inf > 0 || max.inf < 0) return [0, -1];
  if (min.inf === 0 && max.inf === 0) {
    if (min.m > max.m || (min.m === max.m && (min.ex || max.ex))) return [0, -1];
  }
  const lo = z.countBelow((_s, m) => lexGteMin(m, min));
  const hi = z.countBelow((_s, m) => lexGtMax(m, max)) - 1;
  return [lo, hi];
}

/**
 * Lex range walked from the tail, as a reverse range over a listpack does: the last member
 * not above max, then backwards while not below min. Same as lexRanks when all scores are
 * equal (the only case lex ranges are defined for); differs, like Redis, otherwise.
 */
function lexRanksFromTail(z: ZSet, r: LexRange): [number, number] {
  const { min, max } = r;
  if (min.inf > 0 || max.inf < 0) return [0, -1];
  if (min.inf === 0 && max.inf === 0) {
    if (min.m > max.m || (min.m === max.m && (min.ex || max.ex))) return [0, -1];
  }
  const m = z.all().members;
  let hi = m.length - 1;
  while (hi >= 0 && lexGtMax(m[hi]!, max)) hi--;
  let lo = hi;
  while (lo >= 0 && lexGteMin(m[lo]!, min)) lo--;
  return [lo + 1, hi];
}

/** Clamps a Redis rank range (negative from the end) to [lo, hi] ascending; lo > hi when empty. */
function rankRanks(len: number, start: number, end: number): [number, number] {
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (start > end || start >= len) return [0, -1];
  if (end >= len) end = len - 1;
  return [start, end];
}

/**
 * Applies direction and LIMIT to the ascending match interval [lo, hi]: returns the ascending
 * interval of ranks to fetch (the caller reverses it for REV).
 */
function applyLimit(lo: number, hi: number, rev: boolean, offset: number, count: number): [number, number] {
  if (lo > hi || offset < 0) return [0, -1];
  const total = hi - lo + 1;
  if (offset >= total) return [0, -1];
  let n = total - offset;
  if (count >= 0 && count < n) n = count;
  if (n <= 0) return [0, -1];
  if (!rev) return [lo + offset, lo + offset + n - 1];
  return [hi - offset - n + 1, hi - offset];
}

// ---------------------------------------------------------------------------------------------
// ZADD / ZINCRBY

const F_NX = 1;
const F_XX = 2;
const F_GT = 4;
const F_LT = 8;
const F_CH = 16;
const F_INCR = 32;

function zaddGeneric(c: Client, argv: Buffer[], flags: number, first: number): void {
  const key = argv[1]!;
  let i = first;
  if (flags === -1) {
    flags = 0;
    for (; i < argv.length; i++) {
      const a = argv[i]!;
      if (eqi(a, 'nx')) flags |= F_NX;
      else if (eqi(a, 'xx')) flags |= F_XX;
      else if (eqi(a, 'gt')) flags |= F_GT;
      else if (eqi(a, 'lt')) flags |= F_LT;
      else if (eqi(a, 'ch')) flags |= F_CH;
      else if (eqi(a, 'incr')) flags |= F_INCR;
      else break;
    }
  }
  const nargs = argv.length - i;
  if (nargs % 2 !== 0 || nargs === 0) {
    c.reply.error(ERR.syntax);
    return;
  }
  const incr = (flags & F_INCR) !== 0;
  const nx = (flags & F_NX) !== 0;
  const xx = (flags & F_XX) !== 0;
  const gt = (flags & F_GT) !== 0;
  const lt = (flags & F_LT) !== 0;
  if (nx && xx) {
    c.reply.error(ERR_NX_XX);
    return;
  }
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    c.reply.error(ERR_GT_LT_NX);
    return;
  }
  const pairs = nargs / 2;
  if (incr && pairs > 1) {
    c.reply.error(ERR_INCR_PAIR);
    return;
  }
  const scores = new Array<number>(pairs);
  for (let k = 0; k < pairs; k++) {
    const s = parseDouble(argv[i + k * 2]!);
    if (s !== s) {
      c.reply.error(ERR.notFloat);
      return;
    }
    scores[k] = s;
  }
  const w = writeZset(c, key);
  if (w === undefined) return;
  const server = c.server;
  let z = w.z;
  let created = false;
  if (z === null) {
    if (xx) {
      if (incr) c.reply.nullBulk();
      else c.reply.integer(0);
      return;
    }
    ensureHooks(server);
    z = ZSet.create(limitsOf(server), argv[i + 1]!.length);
    c.db.setObject(key, TYPE_ZSET, z);
    created = true;
  }
  const limits = limitsOf(server);
  let added = 0;
  let updated = 0;
  let processed = 0;
  let result = 0;
  let nan = false;
  for (let k = 0; k < pairs; k++) {
    let score = scores[k]!;
    const member = latin1(argv[i + k * 2 + 1]!);
    const cur = z.score(member);
    if (cur !== undefined) {
      if (nx) continue;
      if (incr) {
        score += cur;
        if (score !== score) {
          nan = true;
          break;
        }
      }
      if ((lt && score >= cur) || (gt && score <= cur)) continue;
      result = score;
      processed++;
      const r = z.set(member, score, limits);
      if (r === ADD_UPDATED) updated++;
    } else {
      if (xx) continue;
      result = score;
      processed++;
      const r = z.set(member, score, limits);
      if (r === ADD_NEW) added++;
      else if (r !== ADD_SAME) updated++;
    }
  }
  if (nan) {
    c.reply.error(ERR_NAN);
  } else if (incr) {
    if (processed > 0) replyScore(c, result);
    else c.reply.nullBulk();
  } else {
    c.reply.integer((flags & F_CH) !== 0 ? added + updated : added);
  }
  if (added + updated > 0) {
    server.dirty += added + updated;
    server.keyModified(c.dbIndex, key);
    server.notify(NOTIFY.ZSET, incr ? 'zincr' : 'zadd', key, c.dbIndex);
  }
  if (created) {
    if (z.size === 0) {
      const id = c.db.find(key);
      if (id >= 0) c.db.deleteId(id);
    } else {
      server.signalKeyAsReady(c.dbIndex, key);
    }
  }
}

function zaddCommand(c: Client, argv: Buffer[]): void {
  zaddGeneric(c, argv, -1, 2);
}

/** Runs ZADD on a ZADD-shaped argv (GEOADD rewrites itself into one, as Redis does). */
export function zaddFromArgv(c: Client, argv: Buffer[]): void {
  zaddGeneric(c, argv, -1, 2);
}

function zincrbyCommand(c: Client, argv: Buffer[]): void {
  zaddGeneric(c, argv, F_INCR, 2);
}

// ---------------------------------------------------------------------------------------------
// Simple reads

function zcardCommand(c: Client, argv: Buffer[]): void {
  const z = readZset(c, argv[1]!);
  if (z === undefined) return;
  c.reply.integer(z === null ? 0 : z.size);
}

function zscoreCommand(c: Client, argv: Buffer[]): void {
  const z = readZset(c, argv[1]!);
  if (z === undefined) return;
  const s = z === null ? undefined : z.score(latin1(argv[2]!));
  if (s === undefined) c.reply.nullBulk();
  else replyScore(c, s);
}

function zmscoreCommand(c: Client, argv: Buffer[]): void {
  const z = readZset(c, argv[1]!);
  if (z === undefined) return;
  c.reply.arrayLen(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const s = z === null ? undefined : z.score(latin1(argv[j]!));
    if (s === undefined) c.reply.nullBulk();
    else replyScore(c, s);
  }
}

function zrankGeneric(c: Client, argv: Buffer[], rev: boolean): void {
  const z = readZset(c, argv[1]!);
  if (z === undefined) return;
  if (z === null) {
    c.reply.nullBulk();
    return;
  }
  const r = z.rank(latin1(argv[2]!));
  if (r < 0) c.reply.nullBulk();
  else c.reply.integer(rev ? z.size - 1 - r : r);
}

/** ZCOUNT and ZLEXCOUNT: parse the range (its error wins over WRONGTYPE), then count ranks. */
function countInRange<R>(
  c: Client,
  argv: Buffer[],
  parse: (min: Buffer, max: Buffer) => R | null,
  error: string,
  ranks: (z: NonNullable<ReturnType<typeof readZset>>, range: R) => [number, number],
): void {
  const range = parse(argv[2]!, argv[3]!);
  if (range === null) {
    c.reply.error(error);
    return;
  }
  const z = readZset(c, argv[1]!);
  if (z === undefined) return;
  if (z === null) {
    c.reply.integer(0);
    return;
  }
  const [lo, hi] = ranks(z, range);
  c.reply.integer(hi >= lo ? hi - lo + 1 : 0);
}

function zcountCommand(c: Client, argv: Buffer[]): void {
  countInRange(c, argv, parseScoreRange, ERR_MINMAX_FLOAT, scoreRanks);
}

function zlexcountCommand(c: Client, argv: Buffer[]): void {
  countInRange(c, argv, parseLexRange, ERR_MINMAX_LEX, lexRanks);
}

// ---------------------------------------------------------------------------------------------
// ZRANGE family

const BY_RANK = 0;
const BY_SCORE = 1;
const BY_LEX = 2;

/**
 * The ZRANGE engine. `by`/`rev` come from the command (or -1/false for ZRANGE itself, whose
 * options may set them); `dst` is the ZRANGESTORE destination. argv[srcIdx] is the source,
 * then min max and options.
 */
function zrangeGeneric(c: Client, argv: Buffer[], srcIdx: number, dst: Buffer | null, by: number, rev: boolean, allowOptions: boolean): void {
  let withScores = false;
  let limit = false;
  let offset = 0;
  let count = -1;
  let explicitBy = -1;
  for (let j = srcIdx + 3; j < argv.length; j++) {
    const a = argv[j]!;
    const left = argv.length - j - 1;
    if (dst === null && eqi(a, 'withscores')) withScores = true;
    else if (left >= 2 && eqi(a, 'limit')) {
      const o = parseLongOrReply(c, argv[j + 1]!);
      if (o === null) return;
      const n = parseLongOrReply(c, argv[j + 2]!);
      if (n === null) return;
      offset = o;
      count = n;
      limit = true;
      j += 2;
    } else if (allowOptions && by === BY_RANK && explicitBy === -1 && eqi(a, 'byscore')) explicitBy = BY_SCORE;
    else if (allowOptions && by === BY_RANK && explicitBy === -1 && eqi(a, 'bylex')) explicitBy = BY_LEX;
    else if (allowOptions && !rev && eqi(a, 'rev')) rev = true;
    else {
      c.reply.error(ERR.syntax);
      return;
    }
  }
  if (explicitBy !== -1) by = explicitBy;
  if (limit && by === BY_RANK) {
    c.reply.error(ERR_LIMIT_RANK);
    return;
  }
  if (withScores && by === BY_LEX) {
    c.reply.error(ERR_WITHSCORES_LEX);
    return;
  }
  // With REV and BYSCORE/BYLEX, the arguments are max then min.
  let minArg = argv[srcIdx + 1]!;
  let maxArg = argv[srcIdx + 2]!;
  if (rev && by !== BY_RANK) {
    const t = minArg;
    minArg = maxArg;
    maxArg = t;
  }
  let start = 0;
  let end = 0;
  let sr: ScoreRange | null = null;
  let lr: LexRange | null = null;
  if (by === BY_RANK) {
    const s = parseLongOrReply(c, minArg);
    if (s === null) return;
    const e = parseLongOrReply(c, maxArg);
    if (e === null) return;
    start = s;
    end = e;
  } else if (by === BY_SCORE) {
    sr = parseScoreRange(minArg, maxArg);
    if (sr === null) {
      c.reply.error(ERR_MINMAX_FLOAT);
      return;
    }
  } else {
    lr = parseLexRange(minArg, maxArg);
    if (lr === null) {
      c.reply.error(ERR_MINMAX_LEX);
      return;
    }
  }
  const z = dst === null ? readZset(c, argv[srcIdx]!) : readZsetForStore(c, argv[srcIdx]!);
  if (z === undefined) return;
  let got: ZEntries = { members: [], scores: [] };
  if (z !== null) {
    let lo: number;
    let hi: number;
    if (by === BY_RANK) {
      const len = z.size;
      [lo, hi] = rankRanks(len, start, end);
      if (rev && lo <= hi) [lo, hi] = [len - 1 - hi, len - 1 - lo];
    } else if (by === BY_SCORE) {
      [lo, hi] = applyLimitTo(scoreRanks(z, sr!), rev, offset, count);
    } else if (rev && z.compact) {
      [lo, hi] = applyLimitTo(lexRanksFromTail(z, lr!), rev, offset, count);
    } else {
      [lo, hi] = applyLimitTo(lexRanks(z, lr!), rev, offset, count);
    }
    got = z.range(lo, hi);
  }
  if (dst === null) {
    replyEntries(c, got, withScores, rev);
    return;
  }
  const res = ZSet.fromEntries(limitsOf(c.server), got.members, got.scores);
  c.reply.integer(storeResult(c, dst, res, 'zrangestore'));
}

function applyLimitTo(r: [number, number], rev: boolean, offset: number, count: number): [number, number] {
  return applyLimit(r[0], r[1], rev, offset, count);
}

/** Source lookup of the STORE commands (lookupKeyRead semantics, WRONGTYPE reply). */
function readZsetForStore(c: Client, key: Buffer): ZSet | null | undefined {
  return readZset(c, key);
}

function zrangeCommand(c: Client, argv: Buffer[]): void {
  zrangeGeneric(c, argv, 1, null, BY_RANK, false, true);
}

function zrangestoreCommand(c: Client, argv: Buffer[]): void {
  zrangeGeneric(c, argv, 2, argv[1]!, BY_RANK, false, true);
}

function zrevrangeCommand(c: Client, argv: Buffer[]): void {
  zrangeGeneric(c, argv, 1, null, BY_RANK, true, false);
}

function zrangebyscoreCommand(c: Client, argv: Buffer[]): void {
  zrangeGeneric(c, argv, 1, null, BY_SCORE, false, false);
}

function zrevrangebyscoreCommand(c: Client, argv: Buffer[]): void {
  zrangeGeneric(c, argv, 1, null, BY_SCORE, true, false);
}

function zrangebylexCommand(c: Client, argv: Buffer[]): void {
  zrangeGeneric(c, argv, 1, null, BY_LEX, false, false);
}

function zrevrangebylexCommand(c: Client, argv: Buffer[]): void {
  zrangeGeneric(c, argv, 1, null, BY_LEX, true, false);
}

// ---------------------------------------------------------------------------------------------
// Removal

function zremCommand(c: Client, argv: Buffer[]): void {
  const key = argv[1]!;
  const w = writeZset(c, key);
  if (w === undefined) return;
  const z = w.z;
  if (z === null) {
    c.reply.integer(0);
    return;
  }
  let deleted = 0;
  for (let j = 2; j < argv.length; j++) {
    if (z.remove(latin1(argv[j]!))) {
      deleted++;
      if (z.size === 0) break;
    }
  }
  if (deleted > 0) {
    const server = c.server;
    server.notify(NOTIFY.ZSET, 'zrem', key, c.dbIndex);
    deleteIfEmpty(c, w.id, z, key);
    server.keyModified(c.dbIndex, key);
    server.dirty += deleted;
  }
  c.reply.integer(deleted);
}

function zremrangeGeneric(c: Client, argv: Buffer[], by: number): void {
  const key = argv[1]!;
  let start = 0;
  let end = 0;
  let sr: ScoreRange | null = null;
  let lr: LexRange | null = null;
  if (by === BY_RANK) {
    const s = parseLongOrReply(c, argv[2]!);
    if (s === null) return;
    const e = parseLongOrReply(c, argv[3]!);
    if (e === null) return;
    start = s;
    end = e;
  } else if (by === BY_SCORE) {
    sr = parseScoreRange(argv[2]!, argv[3]!);
    if (sr === null) {
      c.reply.error(ERR_MINMAX_FLOAT);
      return;
    }
  } else {
    lr = parseLexRange(argv[2]!, argv[3]!);
    if (lr === null) {
      c.reply.error(ERR_MINMAX_LEX);
      return;
    }
  }
  const w = writeZset(c, key);
  if (w === undefined) return;
  const z = w.z;
  if (z === null) {
    c.reply.integer(0);
    return;
  }
  let lo: number;
  let hi: number;
  if (by === BY_RANK) [lo, hi] = rankRanks(z.size, start, end);
  else if (by === BY_SCORE) [lo, hi] = scoreRanks(z, sr!);
  else [lo, hi] = lexRanks(z, lr!);
  const n = hi >= lo ? hi - lo + 1 : 0;
  if (n > 0) {
    z.removeRange(lo, hi);
    const server = c.server;
    const event = by === BY_RANK ? 'zremrangebyrank' : by === BY_SCORE ? 'zremrangebyscore' : 'zremrangebylex';
    server.notify(NOTIFY.ZSET, event, key, c.dbIndex);
    deleteIfEmpty(c, w.id, z, key);
    server.keyModified(c.dbIndex, key);
    server.dirty += n;
  }
  c.reply.integer(n);
}

function zremrangebyrankCommand(c: Client, argv: Buffer[]): void {
  zremrangeGeneric(c, argv, BY_RANK);
}

function zremrangebyscoreCommand(c: Client, argv: Buffer[]): void {
  zremrangeGeneric(c, argv, BY_SCORE);
}

function zremrangebylexCommand(c: Client, argv: Buffer[]): void {
  zremrangeGeneric(c, argv, BY_LEX);
}

// ---------------------------------------------------------------------------------------------
// Pops (exported for the blocking commands)

/**
 * Pops up to `count` members from the zset at entry `id` of `key` (min or max first), deletes
 * the key when emptied, and does the bookkeeping (dirty, events, keyModified). Returns the
 * popped entries in pop order.
 */
export function zsetPop(c: Client, key: Buffer, id: number, max: boolean, count: number): ZEntries {
  const db: Db = c.db;
  const z = db.getObject<ZSet>(id);
  const size = z.size;
  const n = Math.min(count, size);
  if (n <= 0) return { members: [], scores: [] };
  const got = max ? z.removeRange(size - n, size - 1) : z.removeRange(0, n - 1);
  if (max) {
    got.members.reverse();
    got.scores.reverse();
  }
  const server = c.server;
  server.notify(NOTIFY.ZSET, max ? 'zpopmax' : 'zpopmin', key, c.dbIndex);
  deleteIfEmpty(c, id, z, key);
  server.keyModified(c.dbIndex, key);
  server.dirty += n;
  return got;
}

/** Writes popped entries: flat [m, s, ...] or, when nested, an array of [m, s] pairs (RESP3). */
export function replyPopped(c: Client, got: ZEntries, nested: boolean, alwaysNested = false): void {
  const r = c.reply;
  const n = got.members.length;
  const pairs = alwaysNested || (nested && r.resp === 3);
  r.arrayLen(pairs ? n : n * 2);
  for (let i = 0; i < n; i++) {
    if (pairs) r.arrayLen(2);
    r.bulkStr(got.members[i]!);
    replyScore(c, got.scores[i]!);
  }
}

function zpopGeneric(c: Client, argv: Buffer[], max: boolean): void {
  if (argv.length > 3) {
    c.reply.error(ERR.syntax);
    return;
  }
  let count = 1;
  const hasCount = argv.length === 3;
  if (hasCount) {
    const v = parseI64(argv[2]!);
    if (v === null || v < 0) {
      c.reply.error(ERR_POSITIVE);
      return;
    }
    count = typeof v === 'bigint' ? Number.MAX_SAFE_INTEGER : v;
  }
  const key = argv[1]!;
  const w = writeZset(c, key);
  if (w === undefined) return;
  if (w.z === null || count === 0) {
    c.reply.arrayLen(0);
    return;
  }
  const got = zsetPop(c, key, w.id, max, count);
  replyPopped(c, got, hasCount);
}

function zpopminCommand(c: Client, argv: Buffer[]): void {
  zpopGeneric(c, argv, false);
}

function zpopmaxCommand(c: Client, argv: Buffer[]): void {
  zpopGeneric(c, argv, true);
}

/** Parses `numkeys` at argv[idx]; null after replying. */
function parseNumkeys(c: Client, argv: Buffer[], idx: number, errZero: string): number | null {
  const p = parseI64(argv[idx]!);
  const v = p === null ? 0 : typeof p === 'bigint' ? (p < 0n ? -1 : Number.MAX_SAFE_INTEGER) : p;
  if (v <= 0) {
    c.reply.error(errZero);
    return null;
  }
  if (v > argv.length - idx - 1) {
    c.reply.error(ERR.syntax);
    return null;
  }
  return v;
}

function zmpopCommand(c: Client, argv: Buffer[]): void {
  const numkeys = parseNumkeys(c, argv, 1, ERR_NUMKEYS);
  if (numkeys === null) return;
  let j = 2 + numkeys;
  if (j >= argv.length) {
    c.reply.error(ERR.syntax);
    return;
  }
  const where = argv[j]!;
  let max: boolean;
  if (eqi(where, 'min')) max = false;
  else if (eqi(where, 'max')) max = true;
  else {
    c.reply.error(ERR.syntax);
    return;
  }
  j++;
  let count = 1;
  let sawCount = false;
  for (; j < argv.length; j++) {
    if (!sawCount && j + 1 < argv.length && eqi(argv[j]!, 'count')) {
      const v = parseI64(argv[j + 1]!);
      if (v === null || v <= 0) {
        c.reply.error(ERR_COUNT);
        return;
      }
      count = typeof v === 'bigint' ? Number.MAX_SAFE_INTEGER : v;
      sawCount = true;
      j++;
    } else {
      c.reply.error(ERR.syntax);
      return;
    }
  }
  const k = firstKeyOfType(c, argv, 2, 2 + numkeys, TYPE_ZSET);
  if (k === -2) return;
  if (k >= 0) {
    const key = argv[k]!;
    const got = zsetPop(c, key, foundKeyId, max, count);
    c.reply.arrayLen(2);
    c.reply.bulk(key);
    replyPopped(c, got, true, true);
    c.propagateArgv = [max ? B_ZPOPMAX : B_ZPOPMIN, Buffer.from(key), Buffer.from(String(got.members.length))];
    return;
  }
  c.reply.nullArray();
}

// ---------------------------------------------------------------------------------------------
// ZRANDMEMBER

function zrandmemberCommand(c: Client, argv: Buffer[]): void {
  if (argv.length > 4 || (argv.length === 4 && !eqi(argv[3]!, 'withscores'))) {
    c.reply.error(ERR.syntax);
    return;
  }
  const withScores = argv.length === 4;
  let count = 0;
  if (argv.length >= 3) {
    const v = parseI64(argv[2]!);
    if (v === null) {
      c.reply.error(ERR.notInteger);
      return;
    }
    if (v === -(2n ** 63n)) {
      c.reply.error(ERR_RAND_RANGE);
      return;
    }
    count = typeof v === 'bigint' ? (v < 0n ? -Number.MAX_SAFE_INTEGER : Number.MAX_SAFE_INTEGER) : v;
    if (withScores && (BigInt(v) < -4611686018427387903n || BigInt(v) > 4611686018427387903n)) {
      c.reply.error(ERR_OUT_OF_RANGE);
      return;
    }
  }
  const z = readZset(c, argv[1]!);
  if (z === undefined) return;
  if (argv.length === 2) {
    if (z === null) {
      c.reply.nullBulk();
      return;
    }
    const e = z.range(0, z.size - 1);
    const i = Math.floor(Math.random() * e.members.length);
    c.reply.bulkStr(e.members[i]!);
    return;
  }
  if (z === null || count === 0) {
    c.reply.arrayLen(0);
    return;
  }
  const all = z.all();
  const size = all.members.length;
  const out: ZEntries = { members: [], scores: [] };
  if (count < 0) {
    const n = -count;
    for (let k = 0; k < n; k++) {
      const i = Math.floor(Math.random() * size);
      out.members.push(all.members[i]!);
      out.scores.push(all.scores[i]!);
    }
  } else if (count >= size) {
    out.members = all.members;
    out.scores = all.scores;
  } else {
    // Partial Fisher-Yates over indexes.
    const idx = all.members.map((_m, i) => i);
    for (let k = 0; k < count; k++) {
      const r = k + Math.floor(Math.random() * (size - k));
      const t = idx[k]!;
      idx[k] = idx[r]!;
      idx[r] = t;
      out.members.push(all.members[idx[k]!]!);
      out.scores.push(all.scores[idx[k]!]!);
    }
  }
  replyEntries(c, out, withScores, false);
}

// ---------------------------------------------------------------------------------------------
// ZUNION / ZINTER / ZDIFF (+STORE) and ZINTERCARD

const OP_UNION = 0;
const OP_INTER = 1;
const OP_DIFF = 2;
const AGG_SUM = 0;
const AGG_MIN = 1;
const AGG_MAX = 2;

function aggregate(agg: number, a: number, b: number): number {
  if (agg === AGG_SUM) {
    const s = a + b;
    // inf + -inf: Redis turns the NaN into 0.
    return s !== s ? 0 : s;
  }
  if (agg === AGG_MIN) return a < b ? a : b;
  return a > b ? a : b;
}

function weighted(score: number, w: number): number {
  const v = score * w;
  return v !== v ? 0 : v;
}

function setOpGeneric(c: Client, argv: Buffer[], dst: Buffer | null, numkeysIdx: number, op: number, cmdName: string): void {
  const v = parseLongOrReply(c, argv[numkeysIdx]!);
  if (v === null) return;
  if (v < 1) {
    c.reply.error(atLeastOneKey(cmdName));
    return;
  }
  const numkeys = v;
  if (numkeys > argv.length - numkeysIdx - 1) {
    c.reply.error(ERR.syntax);
    return;
  }
  const firstKey = numkeysIdx + 1;
  const weights = new Array<number>(numkeys).fill(1);
  let agg = AGG_SUM;
  let withScores = false;
  for (let j = firstKey + numkeys; j < argv.length; j++) {
    const a = argv[j]!;
    const left = argv.length - j - 1;
    if (op !== OP_DIFF && left >= numkeys && eqi(a, 'weights')) {
      for (let k = 0; k < numkeys; k++) {
        const wv = parseDouble(argv[j + 1 + k]!);
        if (wv !== wv) {
          c.reply.error(ERR_WEIGHT);
          return;
        }
        weights[k] = wv;
      }
      j += numkeys;
    } else if (op !== OP_DIFF && left >= 1 && eqi(a, 'aggregate')) {
      const t = argv[j + 1]!;
      if (eqi(t, 'sum')) agg = AGG_SUM;
      else if (eqi(t, 'min')) agg = AGG_MIN;
      else if (eqi(t, 'max')) agg = AGG_MAX;
      else {
        c.reply.error(ERR.syntax);
        return;
      }
      j++;
    } else if (dst === null && eqi(a, 'withscores')) {
      withScores = true;
    } else {
      c.reply.error(ERR.syntax);
      return;
    }
  }
  const sets: Array<ZSetInput | null> = [];
  for (let k = 0; k < numkeys; k++) {
    const key = argv[firstKey + k]!;
    const input = setOpInput(c, dst === null ? readKey(c, key) : lookupWrite(c, key));
    if (input === undefined) return;
    sets.push(input);
  }
  const result = new DenseMap<number>();
  if (op === OP_UNION) {
    for (let k = 0; k < numkeys; k++) {
      const z = sets[k];
      if (z === null || z === undefined) continue;
      const e = z.all();
      const w = weights[k]!;
      for (let i = 0; i < e.members.length; i++) {
        const m = e.members[i]!;
        const s = weighted(e.scores[i]!, w);
        const cur = result.get(m);
        result.set(m, cur === undefined ? s : aggregate(agg, cur, s));
      }
    }
  } else if (op === OP_INTER) {
    if (!sets.some((z) => z === null)) {
      // Walk the smallest set, probe the others.
      let small = 0;
      for (let k = 1; k < numkeys; k++) if (sets[k]!.size < sets[small]!.size) small = k;
      const order = [small, ...sets.map((_z, k) => k).filter((k) => k !== small)];
      const base = sets[small]!.all();
      for (let i = 0; i < base.members.length; i++) {
        const m = base.members[i]!;
        let score = weighted(base.scores[i]!, weights[small]!);
        let ok = true;
        for (let q = 1; q < order.length; q++) {
          const k = order[q]!;
          const s = sets[k]!.score(m);
          if (s === undefined) {
            ok = false;
            break;
          }
          score = aggregate(agg, score, weighted(s, weights[k]!));
        }
        if (ok) result.set(m, score);
      }
    }
  } else {
    const base = sets[0];
    if (base !== null && base !== undefined) {
      const e = base.all();
      for (let i = 0; i < e.members.length; i++) {
        const m = e.members[i]!;
        let present = false;
        for (let k = 1; k < numkeys; k++) {
          const z = sets[k];
          if (z !== null && z !== undefined && z.score(m) !== undefined) {
            present = true;
            break;
          }
        }
        if (!present) result.set(m, e.scores[i]!);
      }
    }
  }
  const members = [...result.keys()];
  const scores = members.map((m) => result.get(m)!);
  if (dst !== null) {
    const z = ZSet.fromEntries(limitsOf(c.server), members, scores);
    const event = op === OP_UNION ? 'zunionstore' : op === OP_INTER ? 'zinterstore' : 'zdiffstore';
    c.reply.integer(storeResult(c, dst, z, event));
    return;
  }
  // Sort for the reply: (score, member).
  const sorted = ZSet.fromEntries({ entries: 0, value: 0 }, members, scores);
  replyEntries(c, sorted.all(), withScores, false);
}

function zunionCommand(c: Client, argv: Buffer[]): void {
  setOpGeneric(c, argv, null, 1, OP_UNION, 'zunion');
}
function zinterCommand(c: Client, argv: Buffer[]): void {
  setOpGeneric(c, argv, null, 1, OP_INTER, 'zinter');
}
function zdiffCommand(c: Client, argv: Buffer[]): void {
  setOpGeneric(c, argv, null, 1, OP_DIFF, 'zdiff');
}
function zunionstoreCommand(c: Client, argv: Buffer[]): void {
  setOpGeneric(c, argv, argv[1]!, 2, OP_UNION, 'zunionstore');
}
function zinterstoreCommand(c: Client, argv: Buffer[]): void {
  setOpGeneric(c, argv, argv[1]!, 2, OP_INTER, 'zinterstore');
}
function zdiffstoreCommand(c: Client, argv: Buffer[]): void {
  setOpGeneric(c, argv, argv[1]!, 2, OP_DIFF, 'zdiffstore');
}

function zintercardCommand(c: Client, argv: Buffer[]): void {
  const v = parseLongOrReply(c, argv[1]!);
  if (v === null) return;
  if (v < 1) {
    c.reply.error(atLeastOneKey('zintercard'));
    return;
  }
  const numkeys = v;
  if (numkeys > argv.length - 2) {
    c.reply.error(ERR.syntax);
    return;
  }
  let limit = 0;
  for (let j = 2 + numkeys; j < argv.length; j++) {
    if (j + 1 < argv.length && eqi(argv[j]!, 'limit')) {
      const p = parseI64(argv[j + 1]!);
      const l = p === null ? -1 : typeof p === 'bigint' ? (p < 0n ? -1 : Number.MAX_SAFE_INTEGER) : p;
      if (l < 0) {
        c.reply.error(ERR_LIMIT_NEG);
        return;
      }
      limit = l;
      j++;
    } else {
      c.reply.error(ERR.syntax);
      return;
    }
  }
  const sets: ZSetInput[] = [];
  let empty = false;
  for (let k = 0; k < numkeys; k++) {
    const z = setOpInput(c, readKey(c, argv[2 + k]!));
    if (z === undefined) return;
    if (z === null) empty = true;
    else sets.push(z);
  }
  if (empty) {
    c.reply.integer(0);
    return;
  }
  sets.sort((a, b) => a.size - b.size);
  const base = sets[0]!.all();
  let n = 0;
  for (let i = 0; i < base.members.length; i++) {
    const m = base.members[i]!;
    let ok = true;
    for (let k = 1; k < sets.length; k++) {
      if (sets[k]!.score(m) === undefined) {
        ok = false;
        break;
      }
    }
    if (ok) {
      n++;
      if (limit > 0 && n >= limit) break;
    }
  }
  c.reply.integer(n);
}

// ---------------------------------------------------------------------------------------------
// ZSCAN

const TWO_62 = 2 ** 62;

/**
 * A score as a listpack holds it (what ZSCAN of a listpack zset returns): an integral score
 * within +-2^62 is stored as an integer and printed in full ("100000000000000000" where
 * %.17g says "1e+17"); anything else is %.17g text.
 */
function listpackScoreText(s: number): string {
  if (Number.isInteger(s) && s >= -TWO_62 && s <= TWO_62) return BigInt(s).toString();
  return formatDouble(s);
}

function zscanCommand(c: Client, argv: Buffer[]): void {
  const cursor = parseCursorOrReply(c, argv[2]!);
  if (cursor < 0) return;
  const opts = parseScanOptions(c, argv, 3, false);
  if (opts === null) return;
  const z = readZset(c, argv[1]!);
  if (z === undefined) return;
  if (z === null) {
    beginScanReply(c.reply, 0, 0);
    return;
  }
  let e: ZEntries;
  let next = 0;
  if (z.compact) {
    e = z.all();
  } else {
    // Slot cursor over the member index: O(COUNT) per call, see DenseMap.scan.
    const dict = z.dict!;
    const members: string[] = [];
    const scores: number[] = [];
    next = dict.scan(cursor, opts.count, (slot) => {
      members.push(dict.keyAt(slot));
      scores.push(dict.valueAt(slot));
    });
    e = { members, scores };
  }
  const outM: string[] = [];
  const outS: number[] = [];
  for (let i = 0; i < e.members.length; i++) {
    const m = e.members[i]!;
    if (opts.match !== null && !opts.match.match(Buffer.from(m, 'latin1'))) continue;
    outM.push(m);
    outS.push(e.scores[i]!);
  }
  beginScanReply(c.reply, next, outM.length * 2);
  const compact = z.compact;
  for (let i = 0; i < outM.length; i++) {
    c.reply.bulkStr(outM[i]!);
    c.reply.bulkStr(compact ? listpackScoreText(outS[i]!) : formatDouble(outS[i]!));
  }
}

// ---------------------------------------------------------------------------------------------
// Command table

const RO_ACCESS = ['RO', 'access'];

function keynumSpec(flags: string[], index: number): KeySpec {
  return { flags, begin: { index }, find: { keynum: { keynumidx: 0, firstkey: 1, step: 1 } } };
}

/** Keys of `cmd numkeys key...` (numkeys at argv[idx]); a destination at argv[1] when idx is 2. */
function numkeysKeys(idx: number): (argv: Buffer[]) => number[] {
  return (argv) => {
    const out: number[] = [];
    if (idx === 2) out.push(1);
    if (argv.length <= idx) return out;
    const v = parseI64(argv[idx]!);
    if (v === null || typeof v === 'bigint' || v < 1) return out;
    for (let k = 0; k < v && idx + 1 + k < argv.length; k++) out.push(idx + 1 + k);
    return out;
  };
}

type Acl = 'fast' | 'slow';

function simple(name: string, arity: number, write: boolean, flags: CommandSpec['flags'], speed: Acl, handler: CommandSpec['handler'], ks: KeySpec[]): CommandSpec {
  return {
    name,
    arity,
    flags,
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: [write ? 'write' : 'read', 'sortedset', speed],
    handler,
    keySpecs: ks,
  };
}

function movable(name: string, arity: number, write: boolean, flags: CommandSpec['flags'], idx: number, handler: CommandSpec['handler'], ks: KeySpec[]): CommandSpec {
  const hasDst = idx === 2;
  return {
    name,
    arity,
    flags,
    firstKey: hasDst ? 1 : 0,
    lastKey: hasDst ? 1 : 0,
    step: hasDst ? 1 : 0,
    acl: [write ? 'write' : 'read', 'sortedset', 'slow'],
    handler,
    getKeys: numkeysKeys(idx),
    keySpecs: ks,
  };
}

const RW_UPDATE = rangeSpec(['RW', 'update'], 1, 0);
const RO_SPEC = rangeSpec(RO_ACCESS, 1, 0);
const RW_DELETE = rangeSpec(['RW', 'delete'], 1, 0);
const RW_ACCESS_DELETE = rangeSpec(['RW', 'access', 'delete'], 1, 0);
const OW_UPDATE = rangeSpec(['OW', 'update'], 1, 0);

export const zsetCommands: CommandSpec[] = [
  simple('zadd', -4, true, ['write', 'denyoom', 'fast'], 'fast', zaddCommand, [RW_UPDATE]),
  simple('zincrby', 4, true, ['write', 'denyoom', 'fast'], 'fast', zincrbyCommand, [rangeSpec(['RW', 'access', 'update'], 1, 0)]),
  simple('zcard', 2, false, ['readonly', 'fast'], 'fast', zcardCommand, [rangeSpec(['RO'], 1, 0)]),
  simple('zscore', 3, false, ['readonly', 'fast'], 'fast', zscoreCommand, [RO_SPEC]),
  simple('zmscore', -3, false, ['readonly', 'fast'], 'fast', zmscoreCommand, [RO_SPEC]),
  simple('zcount', 4, false, ['readonly', 'fast'], 'fast', zcountCommand, [RO_SPEC]),
  simple('zlexcount', 4, false, ['readonly', 'fast'], 'fast', zlexcountCommand, [RO_SPEC]),
  simple('zrank', 3, false, ['readonly', 'fast'], 'fast', (c, a) => zrankGeneric(c, a, false), [RO_SPEC]),
  simple('zrevrank', 3, false, ['readonly', 'fast'], 'fast', (c, a) => zrankGeneric(c, a, true), [RO_SPEC]),
  simple('zrange', -4, false, ['readonly'], 'slow', zrangeCommand, [RO_SPEC]),
  {
    name: 'zrangestore',
    arity: -5,
    flags: ['write', 'denyoom'],
    firstKey: 1,
    lastKey: 2,
    step: 1,
    acl: ['write', 'sortedset', 'slow'],
    handler: zrangestoreCommand,
    keySpecs: [OW_UPDATE, rangeSpec(RO_ACCESS, 2, 0)],
  },
  simple('zrevrange', -4, false, ['readonly'], 'slow', zrevrangeCommand, [RO_SPEC]),
  simple('zrangebyscore', -4, false, ['readonly'], 'slow', zrangebyscoreCommand, [RO_SPEC]),
  simple('zrevrangebyscore', -4, false, ['readonly'], 'slow', zrevrangebyscoreCommand, [RO_SPEC]),
  simple('zrangebylex', -4, false, ['readonly'], 'slow', zrangebylexCommand, [RO_SPEC]),
  simple('zrevrangebylex', -4, false, ['readonly'], 'slow', zrevrangebylexCommand, [RO_SPEC]),
  simple('zrem', -3, true, ['write', 'fast'], 'fast', zremCommand, [RW_DELETE]),
  simple('zremrangebyrank', 4, true, ['write'], 'slow', zremrangebyrankCommand, [RW_DELETE]),
  simple('zremrangebyscore', 4, true, ['write'], 'slow', zremrangebyscoreCommand, [RW_DELETE]),
  simple('zremrangebylex', 4, true, ['write'], 'slow', zremrangebylexCommand, [RW_DELETE]),
  simple('zpopmin', -2, true, ['write', 'fast'], 'fast', zpopminCommand, [RW_ACCESS_DELETE]),
  simple('zpopmax', -2, true, ['write', 'fast'], 'fast', zpopmaxCommand, [RW_ACCESS_DELETE]),
  movable('zmpop', -4, true, ['write', 'movablekeys'], 1, zmpopCommand, [keynumSpec(['RW', 'access', 'delete'], 1)]),
  {
    name: 'zrandmember',
    arity: -2,
    flags: ['readonly'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ['read', 'sortedset', 'slow'],
    handler: zrandmemberCommand,
    keySpecs: [RO_SPEC],
    tips: ['nondeterministic_output'],
  },
  movable('zunion', -3, false, ['readonly', 'movablekeys'], 1, zunionCommand, [keynumSpec(RO_ACCESS, 1)]),
  movable('zinter', -3, false, ['readonly', 'movablekeys'], 1, zinterCommand, [keynumSpec(RO_ACCESS, 1)]),
  movable('zdiff', -3, false, ['readonly', 'movablekeys'], 1, zdiffCommand, [keynumSpec(RO_ACCESS, 1)]),
  movable('zintercard', -3, false, ['readonly', 'movablekeys'], 1, zintercardCommand, [keynumSpec(RO_ACCESS, 1)]),
  movable('zunionstore', -4, true, ['write', 'denyoom', 'movablekeys'], 2, zunionstoreCommand, [OW_UPDATE, keynumSpec(RO_ACCESS, 2)]),
  movable('zinterstore', -4, true, ['write', 'denyoom', 'movablekeys'], 2, zinterstoreCommand, [OW_UPDATE, keynumSpec(RO_ACCESS, 2)]),
  movable('zdiffstore', -4, true, ['write', 'denyoom', 'movablekeys'], 2, zdiffstoreCommand, [OW_UPDATE, keynumSpec(RO_ACCESS, 2)]),
  {
    name: 'zscan',
    arity: -3,
    flags: ['readonly'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ['read', 'sortedset', 'slow'],
    handler: zscanCommand,
    keySpecs: [RO_SPEC],
    tips: ['nondeterministic_output'],
  },
];
