/**
 * Geospatial commands: GEOADD GEODIST GEOHASH GEOPOS GEOSEARCH GEOSEARCHSTORE GEORADIUS
 * GEORADIUSBYMEMBER GEORADIUS_RO GEORADIUSBYMEMBER_RO, over sorted sets whose scores are
 * 52-bit geohashes (src/util/geohash.ts).
 *
 * Behaviour observed on redis-server 7.0.15:
 * - GEOADD key [NX|XX] [CH] lon lat member...: the option words come first; a pair count that
 *   is not a multiple of 3, or NX with XX, is "ERR syntax error". Every pair is checked before
 *   anything is written: a non-number is "ERR value is not a valid float", a position outside
 *   lon -180..180 / lat -85.05112878..85.05112878 is "ERR invalid longitude,latitude pair
 *   %f,%f". Then it runs as ZADD (reply, dirty, event "zadd") and is propagated as
 *   `zadd key <options as given> <score> <member> ...`.
 * - GEOPOS replies [lon, lat] per member (null array when missing), each coordinate as
 *   printf("%.17Lf") without trailing zeros, a bulk string in RESP2 and a double in RESP3.
 *   Distances (GEODIST, WITHDIST) are "%.4f" bulk strings in the requested unit.
 * - Search commands look the source key up first (WRONGTYPE before anything else), then parse
 *   the options left to right (first error wins), then check STORE vs WITH*, FROM*, BY*, and
 *   ANY without COUNT, in that order. A missing source key skips the member lookups (and, for
 *   GEORADIUSBYMEMBER, the radius) and replies an empty array, or deletes the STORE target and
 *   replies 0. COUNT without ASC/DESC sorts ascending unless ANY is given.
 * - Results come in scan order (cells centre, N, S, E, W, NE, NW, SE, SW; ascending score in
 *   each) unless sorted; sorting by distance is stable. STORE/STOREDIST (GEOSEARCHSTORE)
 *   replace the target with a zset of scores or distances (in the unit): event
 *   "georadiusstore"/"geosearchstore", dirty += stored count; an empty result deletes the
 *   target ("del", dirty +1). The command is propagated as sent.
 */

import type { CommandSpec } from './spec.js';
import type { Client } from '../server/client.js';
import { ERR } from '../protocol/errors.js';
import { lookupWrite } from '../store/expire.js';
import { NOTIFY } from '../store/notify.js';
import { TYPE_ZSET } from '../store/db.js';
import { parseDouble, parseI64 } from '../util/numbers.js';
import { ZSet, type ZEntries } from '../store/types/zset.js';
import { ensureHooks, limitsOf, zaddFromArgv } from './zset.js';
import { eqi, readKey } from './string.js';
import { partialSort } from '../util/pqsort.js';
import {
  cellScoreRange,
  coveringCells,
  decodeScore,
  distance,
  distanceIfInShape,
  encodeScore,
  formatCoordinate,
  formatFixed,
  geohashString,
  validLonLat,
  type Shape,
} from '../util/geohash.js';

// ---------------------------------------------------------------------------------------------
// Error texts (7.0.15 verbatim).

const ERR_UNIT = 'ERR unsupported unit provided. please use M, KM, FT, MI';
const ERR_RADIUS_NUM = 'ERR need numeric radius';
const ERR_RADIUS_NEG = 'ERR radius cannot be negative';
const ERR_WIDTH_NUM = 'ERR need numeric width';
const ERR_HEIGHT_NUM = 'ERR need numeric height';
const ERR_BOX_NEG = 'ERR height or width cannot be negative';
const ERR_COUNT = 'ERR COUNT must be > 0';
const ERR_ANY = 'ERR the ANY argument requires COUNT argument';
const ERR_MEMBER = 'ERR could not decode requested zset member';
const ERR_STORE_GEORADIUS = 'ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options';
const ERR_STORE_GEOSEARCH = 'ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options';

function errFrom(cmd: Buffer): string {
  return 'ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ' + cmd.toString('latin1');
}

function errBy(cmd: Buffer): string {
  return 'ERR exactly one of BYRADIUS and BYBOX can be specified for ' + cmd.toString('latin1');
}

const B_ZADD = Buffer.from('zadd');

// ---------------------------------------------------------------------------------------------
// Argument helpers (each replies the error itself and returns a failure marker).

/** Metres per unit, or -1 for an unknown unit. */
function unitFactor(b: Buffer): number {
  if (eqi(b, 'm')) return 1;
  if (eqi(b, 'km')) return 1000;
  if (eqi(b, 'ft')) return 0.3048;
  if (eqi(b, 'mi')) return 1609.34;
  return -1;
}

function unitOrReply(c: Client, b: Buffer): number {
  const f = unitFactor(b);
  if (f < 0) c.reply.error(ERR_UNIT);
  return f;
}

/** Parses lon, lat at argv[i], argv[i+1]; null after replying. */
function lonLatOrReply(c: Client, argv: Buffer[], i: number): [number, number] | null {
  const lon = parseDouble(argv[i]!);
  if (lon !== lon) {
    c.reply.error(ERR.notFloat);
    return null;
  }
  const lat = parseDouble(argv[i + 1]!);
  if (lat !== lat) {
    c.reply.error(ERR.notFloat);
    return null;
  }
  if (!validLonLat(lon, lat)) {
    c.reply.error('ERR invalid longitude,latitude pair ' + formatFixed(lon, 6) + ',' + formatFixed(lat, 6));
    return null;
  }
  return [lon, lat];
}

/** Parses `radius unit` into the shape; false after replying. */
function radiusOrReply(c: Client, argv: Buffer[], i: number, s: Shape): boolean {
  const r = parseDouble(argv[i]!);
  if (r !== r) {
    c.reply.error(ERR_RADIUS_NUM);
    return false;
  }
  if (r < 0) {
    c.reply.error(ERR_RADIUS_NEG);
    return false;
  }
  const f = unitOrReply(c, argv[i + 1]!);
  if (f < 0) return false;
  s.radius = r;
  s.conversion = f;
  return true;
}

/** Parses `width height unit` into the shape; false after replying. */
function boxOrReply(c: Client, argv: Buffer[], i: number, s: Shape): boolean {
  const w = parseDouble(argv[i]!);
  if (w !== w) {
    c.reply.error(ERR_WIDTH_NUM);
    return false;
  }
  const h = parseDouble(argv[i + 1]!);
  if (h !== h) {
    c.reply.error(ERR_HEIGHT_NUM);
    return false;
  }
  if (w < 0 || h < 0) {
    c.reply.error(ERR_BOX_NEG);
    return false;
  }
  const f = unitOrReply(c, argv[i + 2]!);
  if (f < 0) return false;
  s.radius = -1;
  s.width = w;
  s.height = h;
  s.conversion = f;
  return true;
}

/** The zset at key for reading: the ZSet, null when missing, undefined after WRONGTYPE. */
function readGeo(c: Client, key: Buffer): ZSet | null | undefined {
  const id = readKey(c, key);
  if (id < 0) return null;
  if (c.db.typeOf(id) !== TYPE_ZSET) {
    c.reply.error(ERR.wrongType);
    return undefined;
  }
  return c.db.getObject<ZSet>(id);
}

function memberKey(b: Buffer): string {
  return b.toString('latin1');
}

// ---------------------------------------------------------------------------------------------
// GEOADD

function geoaddCommand(c: Client, argv: Buffer[]): void {
  let nx = false;
  let xx = false;
  let i = 2;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (eqi(a, 'nx')) nx = true;
    else if (eqi(a, 'xx')) xx = true;
    else if (!eqi(a, 'ch')) break;
  }
  const rest = argv.length - i;
  if (rest % 3 !== 0 || (nx && xx)) {
    c.reply.error(ERR.syntax);
    return;
  }
  // ZADD key <options as given> score member ...: ZADD does the rest (and is what replicates).
  const zargv: Buffer[] = [B_ZADD];
  for (let j = 1; j < i; j++) zargv.push(Buffer.from(argv[j]!));
  for (let j = i; j < argv.length; j += 3) {
    const ll = lonLatOrReply(c, argv, j);
    if (ll === null) return;
    zargv.push(Buffer.from(scoreText(encodeScore(ll[0], ll[1])), 'latin1'));
    zargv.push(Buffer.from(argv[j + 2]!));
  }
  zaddFromArgv(c, zargv);
  c.propagateArgv = zargv;
}

/** A geohash score as decimal digits (it is an integer, possibly above 2^53). */
function scoreText(score: number): string {
  return score <= Number.MAX_SAFE_INTEGER ? String(score) : BigInt(score).toString();
}

// ---------------------------------------------------------------------------------------------
// GEODIST / GEOPOS / GEOHASH

function geodistCommand(c: Client, argv: Buffer[]): void {
  let conv = 1;
  if (argv.length === 5) {
    conv = unitOrReply(c, argv[4]!);
    if (conv < 0) return;
  } else if (argv.length > 5) {
    c.reply.error(ERR.syntax);
    return;
  }
  const z = readGeo(c, argv[1]!);
  if (z === undefined) return;
  const s1 = z === null ? undefined : z.score(memberKey(argv[2]!));
  const s2 = z === null ? undefined : z.score(memberKey(argv[3]!));
  if (s1 === undefined || s2 === undefined) {
    c.reply.nullBulk();
    return;
  }
  const [lon1, lat1] = decodeScore(s1);
  const [lon2, lat2] = decodeScore(s2);
  c.reply.bulkStr(formatFixed(distance(lon1, lat1, lon2, lat2) / conv, 4));
}

function geoposCommand(c: Client, argv: Buffer[]): void {
  const z = readGeo(c, argv[1]!);
  if (z === undefined) return;
  const r = c.reply;
  r.arrayLen(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const s = z === null ? undefined : z.score(memberKey(argv[j]!));
    if (s === undefined) {
      r.nullArray();
      continue;
    }
    const [lon, lat] = decodeScore(s);
    r.arrayLen(2);
    r.double(formatCoordinate(lon));
    r.double(formatCoordinate(lat));
  }
}

function geohashCommand(c: Client, argv: Buffer[]): void {
  const z = readGeo(c, argv[1]!);
  if (z === undefined) return;
  const r = c.reply;
  r.arrayLen(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const s = z === null ? undefined : z.score(memberKey(argv[j]!));
    if (s === undefined) r.nullBulk();
    else r.bulkStr(geohashString(s));
  }
}

// ---------------------------------------------------------------------------------------------
// Searches

const K_RADIUS_COORDS = 1; // GEORADIUS[_RO]: key lon lat radius unit
const K_RADIUS_MEMBER = 2; // GEORADIUSBYMEMBER[_RO]: key member radius unit
const K_SEARCH = 4; // GEOSEARCH[STORE]: FROM... BY... options
const K_SEARCHSTORE = 8; // GEOSEARCHSTORE: dst first
const K_NOSTORE = 16; // the _RO forms: no STORE/STOREDIST

const SORT_NONE = 0;
const SORT_ASC = 1;
const SORT_DESC = 2;

interface Found {
  member: string;
  dist: number;
  score: number;
  lon: number;
  lat: number;
}

/** Index of the first score >= v in ascending scores. */
function lowerBound(scores: number[], v: number): number {
  let lo = 0;
  let hi = scores.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (scores[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Collects the members inside the shape, cell by cell (see util/geohash.ts). With `limit` > 0
 * (ANY) the scan stops as soon as that many were found.
 */
function collect(z: ZSet, s: Shape, limit: number): Found[] {
  const out: Found[] = [];
  const cells = coveringCells(s);
  // A compact zset is decoded once; a skiplist is ranged per cell.
  const all: ZEntries | null = z.compact ? z.all() : null;
  let last = -1;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i]!;
    if (cell.step === 0) continue;
    // At coarse steps neighbours can wrap onto the same cell: skip a repeat of the last one.
    if (last >= 0) {
      const p = cells[last]!;
      if (p.ilon === cell.ilon && p.ilat === cell.ilat && p.step === cell.step) continue;
    }
    if (limit > 0 && out.length >= limit) break;
    const [min, max] = cellScoreRange(cell);
    let e: ZEntries;
    if (all !== null) {
      const lo = lowerBound(all.scores, min);
      const hi = lowerBound(all.scores, max);
      e = { members: all.members.slice(lo, hi), scores: all.scores.slice(lo, hi) };
    } else {
      const lo = z.countBelow((sc) => sc >= min);
      const hi = z.countBelow((sc) => sc >= max);
      e = z.range(lo, hi - 1);
    }
    for (let k = 0; k < e.members.length; k++) {
      if (limit > 0 && out.length >= limit) break;
      const score = e.scores[k]!;
      const [lon, lat] = decodeScore(score);
      const d = distanceIfInShape(s, lon, lat);
      if (d < 0) continue;
      out.push({ member: e.members[k]!, dist: d, score, lon, lat });
    }
    last = i;
  }
  return out;
}

function byDistance(a: Found, b: Found): number {
  return a.dist > b.dist ? 1 : a.dist === b.dist ? 0 : -1;
}

function byDistanceDesc(a: Found, b: Found): number {
  return -byDistance(a, b);
}

function searchGeneric(c: Client, argv: Buffer[], srcIdx: number, kind: number): void {
  const z = readGeo(c, argv[srcIdx]!);
  if (z === undefined) return;
  const shape: Shape = { lon: 0, lat: 0, conversion: 1, radius: 0, width: 0, height: 0 };
  let base: number;
  let store: Buffer | null = null;
  if ((kind & K_RADIUS_COORDS) !== 0) {
    base = 6;
    const ll = lonLatOrReply(c, argv, 2);
    if (ll === null) return;
    shape.lon = ll[0];
    shape.lat = ll[1];
    if (!radiusOrReply(c, argv, 4, shape)) return;
  } else if ((kind & K_RADIUS_MEMBER) !== 0) {
    base = 5;
    // Without a source key there is no centre: only the options are checked.
    if (z !== null) {
      const sc = z.score(memberKey(argv[2]!));
      if (sc === undefined) {
        c.reply.error(ERR_MEMBER);
        return;
      }
      [shape.lon, shape.lat] = decodeScore(sc);
      if (!radiusOrReply(c, argv, 3, shape)) return;
    }
  } else {
    base = 2;
    if ((kind & K_SEARCHSTORE) !== 0) {
      base = 3;
      store = argv[1]!;
    }
  }
  const search = (kind & K_SEARCH) !== 0;
  const canStore = !search && (kind & K_NOSTORE) === 0;
  let storeDist = false;
  let withDist = false;
  let withHash = false;
  let withCoord = false;
  let fromMember = false;
  let fromLonLat = false;
  let byRadius = false;
  let byBox = false;
  let sort = SORT_NONE;
  let any = false;
  let count = 0;
  const argc = argv.length;
  for (let i = base; i < argc; i++) {
    const a = argv[i]!;
    const left = argc - i - 1;
    if (eqi(a, 'withdist')) withDist = true;
    else if (eqi(a, 'withhash')) withHash = true;
    else if (eqi(a, 'withcoord')) withCoord = true;
    else if (eqi(a, 'any')) any = true;
    else if (eqi(a, 'asc')) sort = SORT_ASC;
    else if (eqi(a, 'desc')) sort = SORT_DESC;
    else if (left >= 1 && eqi(a, 'count')) {
      const v = parseI64(argv[i + 1]!);
      if (v === null) {
        c.reply.error(ERR.notInteger);
        return;
      }
      const n = typeof v === 'bigint' ? (v < 0n ? -1 : Number.MAX_SAFE_INTEGER) : v;
      if (n <= 0) {
        c.reply.error(ERR_COUNT);
        return;
      }
      count = n;
      i++;
    } else if (canStore && left >= 1 && eqi(a, 'store')) {
      store = argv[i + 1]!;
      storeDist = false;
      i++;
    } else if (canStore && left >= 1 && eqi(a, 'storedist')) {
      store = argv[i + 1]!;
      storeDist = true;
      i++;
    } else if (search && (kind & K_SEARCHSTORE) !== 0 && eqi(a, 'storedist')) {
      storeDist = true;
    } else if (search && !fromLonLat && left >= 1 && eqi(a, 'frommember')) {
      if (z !== null) {
        const sc = z.score(memberKey(argv[i + 1]!));
        if (sc === undefined) {
          c.reply.error(ERR_MEMBER);
          return;
        }
        [shape.lon, shape.lat] = decodeScore(sc);
      }
      fromMember = true;
      i++;
    } else if (search && !fromMember && left >= 2 && eqi(a, 'fromlonlat')) {
      const ll = lonLatOrReply(c, argv, i + 1);
      if (ll === null) return;
      shape.lon = ll[0];
      shape.lat = ll[1];
      fromLonLat = true;
      i += 2;
    } else if (search && !byBox && left >= 2 && eqi(a, 'byradius')) {
      if (!radiusOrReply(c, argv, i + 1, shape)) return;
      byRadius = true;
      i += 2;
    } else if (search && !byRadius && left >= 3 && eqi(a, 'bybox')) {
      if (!boxOrReply(c, argv, i + 1, shape)) return;
      byBox = true;
      i += 3;
    } else {
      c.reply.error(ERR.syntax);
      return;
    }
  }
  if (store !== null && (withDist || withHash || withCoord)) {
    c.reply.error((kind & K_SEARCHSTORE) !== 0 ? ERR_STORE_GEOSEARCH : ERR_STORE_GEORADIUS);
    return;
  }
  if (search && !fromMember && !fromLonLat) {
    c.reply.error(errFrom(argv[0]!));
    return;
  }
  if (search && !byRadius && !byBox) {
    c.reply.error(errBy(argv[0]!));
    return;
  }
  if (any && count === 0) {
    c.reply.error(ERR_ANY);
    return;
  }
  if (z === null) {
    if (store !== null) {
      deleteTarget(c, store);
      c.reply.integer(0);
    } else {
      c.reply.arrayLen(0);
    }
    return;
  }
  // The nearest N need an order; ANY takes the first N found instead.
  if (count !== 0 && sort === SORT_NONE && !any) sort = SORT_ASC;
  const found = collect(z, shape, any ? count : 0);
  if (found.length === 0 && store === null) {
    c.reply.arrayLen(0);
    return;
  }
  const n = count === 0 || found.length < count ? found.length : count;
  if (sort !== SORT_NONE) {
    const cmp = sort === SORT_ASC ? byDistance : byDistanceDesc;
    // All results: a stable sort (glibc's qsort merge sort). Only the first n: Redis's
    // partial quicksort, whose order among equal distances differs.
    if (n === found.length) found.sort(cmp);
    else partialSort(found, cmp, 0, n - 1);
  }
  const conv = shape.conversion;
  if (store === null) {
    const r = c.reply;
    const extra = (withDist ? 1 : 0) + (withHash ? 1 : 0) + (withCoord ? 1 : 0);
    r.arrayLen(n);
    for (let k = 0; k < n; k++) {
      const f = found[k]!;
      if (extra > 0) r.arrayLen(extra + 1);
      r.bulkStr(f.member);
      if (withDist) r.bulkStr(formatFixed(f.dist / conv, 4));
      if (withHash) r.integer(f.score);
      if (withCoord) {
        r.arrayLen(2);
        r.double(formatCoordinate(f.lon));
        r.double(formatCoordinate(f.lat));
      }
    }
    return;
  }
  if (n === 0) {
    deleteTarget(c, store);
    c.reply.integer(0);
    return;
  }
  const members = new Array<string>(n);
  const scores = new Array<number>(n);
  for (let k = 0; k < n; k++) {
    const f = found[k]!;
    members[k] = f.member;
    scores[k] = storeDist ? f.dist / conv : f.score;
  }
  const server = c.server;
  ensureHooks(server);
  c.db.setObject(store, TYPE_ZSET, ZSet.fromEntries(limitsOf(server), members, scores));
  server.dirty += n;
  server.keyModified(c.dbIndex, store);
  server.notify(NOTIFY.ZSET, search ? 'geosearchstore' : 'georadiusstore', store, c.dbIndex);
  server.signalKeyAsReady(c.dbIndex, store);
  c.reply.integer(n);
}

/** Deletes an empty result's target, with the bookkeeping of a deletion. */
function deleteTarget(c: Client, key: Buffer): void {
  const id = lookupWrite(c, key);
  if (id < 0) return;
  c.db.deleteId(id);
  c.server.dirty++;
  c.server.keyModified(c.dbIndex, key);
  c.server.notify(NOTIFY.GENERIC, 'del', key, c.dbIndex);
}

// ---------------------------------------------------------------------------------------------
// Command table

/**
 * GEORADIUS[BYMEMBER] keys as Redis's key specs find them: the source, then the argument after
 * the first STORE and after the first STOREDIST searched from the options' start.
 */
function georadiusKeys(first: number): (argv: Buffer[]) => number[] {
  const after = (argv: Buffer[], word: string): number => {
    for (let i = first; i < argv.length; i++) if (eqi(argv[i]!, word)) return i + 1 < argv.length ? i + 1 : -1;
    return -1;
  };
  return (argv) => {
    const out = [1];
    const s = after(argv, 'store');
    if (s >= 0) out.push(s);
    const d = after(argv, 'storedist');
    if (d >= 0) out.push(d);
    return out;
  };
}

function geoSpec(name: string, arity: number, write: boolean, handler: CommandSpec['handler'], extra: Partial<CommandSpec> = {}): CommandSpec {
  return {
    name,
    arity,
    flags: write ? ['write', 'denyoom'] : ['readonly'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: [write ? 'write' : 'read', 'geo', 'slow'],
    handler,
    ...extra,
  };
}

export const geoCommands: CommandSpec[] = [
  geoSpec('geoadd', -5, true, geoaddCommand),
  geoSpec('geodist', -4, false, geodistCommand),
  geoSpec('geohash', -2, false, geohashCommand),
  geoSpec('geopos', -2, false, geoposCommand),
  geoSpec('geosearch', -7, false, (c, a) => searchGeneric(c, a, 1, K_SEARCH)),
  geoSpec('geosearchstore', -8, true, (c, a) => searchGeneric(c, a, 2, K_SEARCH | K_SEARCHSTORE), { lastKey: 2 }),
  geoSpec('georadius', -6, true, (c, a) => searchGeneric(c, a, 1, K_RADIUS_COORDS), {
    flags: ['write', 'denyoom', 'movablekeys'],
    getKeys: georadiusKeys(6),
  }),
  geoSpec('georadiusbymember', -5, true, (c, a) => searchGeneric(c, a, 1, K_RADIUS_MEMBER), {
    flags: ['write', 'denyoom', 'movablekeys'],
    getKeys: georadiusKeys(5),
  }),
  geoSpec('georadius_ro', -6, false, (c, a) => searchGeneric(c, a, 1, K_RADIUS_COORDS | K_NOSTORE)),
  geoSpec('georadiusbymember_ro', -5, false, (c, a) => searchGeneric(c, a, 1, K_RADIUS_MEMBER | K_NOSTORE)),
];
