/**
 * Geohash arithmetic for the GEO commands, bit-compatible with Redis 7.0.
 *
 * A position is stored as a sorted-set score: the 26-bit cell indexes of longitude
 * (-180..180) and latitude (-85.05112878..85.05112878, the Web Mercator limits) interleaved
 * into a 52-bit integer, longitude bits in the odd positions (the top bit is a longitude bit).
 * A cell index is trunc(offset * 2^step) where offset is the coordinate's fraction of its
 * range, so a coordinate exactly at the top of its range yields 2^26, one bit past the field;
 * Redis keeps that bit (the score of (180, 85.05112878) is 3 * 2^52), and so do we.
 *
 * Every formula below works in IEEE doubles in the same order of operations as the reference
 * server, so decoded coordinates and distances come out to the last bit (checked by the
 * differential tests against redis-server 7.0.15).
 *
 * A radius/box search covers the shape with the geohash cell that contains the centre, at a
 * precision (step) estimated from the radius, plus its 8 neighbours; neighbours lying wholly
 * outside the shape's bounding box are dropped, and the step is lowered by one when the
 * neighbours do not reach the bounding box. Each remaining cell is a contiguous score range.
 */

import { asin, cos, sin } from './crmath.js';

export const LON_MIN = -180;
export const LON_MAX = 180;
export const LAT_MIN = -85.05112878;
export const LAT_MAX = 85.05112878;
/** The "standard" latitude range GEOHASH strings are computed with. */
const STD_LAT_MIN = -90;
const STD_LAT_MAX = 90;

/** Earth radius Redis uses for its haversine distances (metres). */
export const EARTH_RADIUS_M = 6372797.560856;
/** Half the Mercator world width (metres); the step estimate starts from it. */
const MERCATOR_MAX = 20037726.37;
export const STEP_MAX = 26;

const D_R = Math.PI / 180.0;

function degRad(a: number): number {
  return a * D_R;
}

function radDeg(a: number): number {
  return a / D_R;
}

const POW2 = new Array<number>(64);
for (let i = 0; i < 64; i++) POW2[i] = 2 ** i;

// ---------------------------------------------------------------------------------------------
// Bit interleaving on doubles. Scores reach 2^54 (see above), past 2^32 bit operators, so the
// value is built from two halves of 13 bits per coordinate each.

/** Spreads the low 16 bits of x to the even bit positions of a 32-bit result. */
function spread16(x: number): number {
  x &= 0xffff;
  x = (x | (x << 8)) & 0x00ff00ff;
  x = (x | (x << 4)) & 0x0f0f0f0f;
  x = (x | (x << 2)) & 0x33333333;
  x = (x | (x << 1)) & 0x55555555;
  return x >>> 0;
}

/** Gathers the even bits of a 32-bit x into the low 16 bits. */
function squash32(x: number): number {
  x &= 0x55555555;
  x = (x | (x >>> 1)) & 0x33333333;
  x = (x | (x >>> 2)) & 0x0f0f0f0f;
  x = (x | (x >>> 4)) & 0x00ff00ff;
  x = (x | (x >>> 8)) & 0x0000ffff;
  return x;
}

const LOW13 = 0x1fff;
const TWO26 = 2 ** 26;

/**
 * The interleaved integer of cell indexes (lat in even bits, lon in odd bits) as a double, each
 * index below 2^27. The exact result has up to 54 bits; like the C cast of a uint64 to double,
 * the one addition rounds it to nearest.
 */
export function interleave(ilon: number, ilat: number): number {
  const lo = (spread16(ilat & LOW13) | (spread16(ilon & LOW13) << 1)) >>> 0;
  const hi = (spread16(ilat >>> 13) | (spread16(ilon >>> 13) << 1)) >>> 0;
  return hi * TWO26 + lo;
}

/** Splits an interleaved integer (a non-negative integral double) into [ilon, ilat]. */
export function deinterleave(bits: number): [number, number] {
  const hi = Math.floor(bits / TWO26);
  const lo = bits - hi * TWO26;
  const ilat = squash32(lo) | (squash32(hi) << 13);
  const ilon = squash32(lo >>> 1) | (squash32(Math.floor(hi / 2)) << 13);
  return [ilon >>> 0, ilat >>> 0];
}

// ---------------------------------------------------------------------------------------------
// Cells

/** A geohash cell: its cell indexes at `step` bits per coordinate. step 0 = "no cell". */
export interface Cell {
  ilon: number;
  ilat: number;
  step: number;
}

function cellIndex(v: number, min: number, max: number, step: number): number {
  let off = (v - min) / (max - min);
  off *= POW2[step]!;
  return Math.trunc(off);
}

/** The cell of (lon, lat) at `step`, over the Mercator latitude range. */
export function encodeCell(lon: number, lat: number, step: number, latMin = LAT_MIN, latMax = LAT_MAX): Cell {
  return { ilon: cellIndex(lon, LON_MIN, LON_MAX, step), ilat: cellIndex(lat, latMin, latMax, step), step };
}

/** True when (lon, lat) can be stored (Redis's accepted range, bounds inclusive). */
export function validLonLat(lon: number, lat: number): boolean {
  return lon >= LON_MIN && lon <= LON_MAX && lat >= LAT_MIN && lat <= LAT_MAX;
}

/** The 52-bit score of a position (caller validated it). */
export function encodeScore(lon: number, lat: number): number {
  const c = encodeCell(lon, lat, STEP_MAX);
  return interleave(c.ilon, c.ilat);
}

/** A cell's bounds in degrees. */
export interface Area {
  lonMin: number;
  lonMax: number;
  latMin: number;
  latMax: number;
}

export function cellArea(c: Cell): Area {
  const scale = POW2[c.step]!;
  const lonScale = LON_MAX - LON_MIN;
  const latScale = LAT_MAX - LAT_MIN;
  return {
    lonMin: LON_MIN + (c.ilon / scale) * lonScale,
    lonMax: LON_MIN + ((c.ilon + 1) / scale) * lonScale,
    latMin: LAT_MIN + (c.ilat / scale) * latScale,
    latMax: LAT_MIN + ((c.ilat + 1) / scale) * latScale,
  };
}

const TWO63 = 2 ** 63;
const TWO64 = 2 ** 64;

/**
 * The 64-bit integer a C cast `(uint64_t)score` yields on x86-64, for a score that is not an
 * integer below 2^54 (a zset not written by GEOADD): negative values wrap as int64 (below
 * -2^63 they saturate to 2^63), values from 2^64 up become 0.
 */
function castU64(score: number): bigint {
  if (score < 0) return score >= -TWO63 ? (1n << 64n) + BigInt(Math.trunc(score)) : 1n << 63n;
  if (score >= TWO64 || score !== score) return 0n;
  return BigInt(Math.trunc(score));
}

/** Gathers the even bits (shift 0) or odd bits (shift 1) of a 64-bit value. */
function gatherBits(v: bigint, shift: number): number {
  let out = 0;
  for (let i = 0; i < 32; i++) if (((v >> BigInt(i * 2 + shift)) & 1n) !== 0n) out += POW2[i]!;
  return out;
}

/**
 * The position a score stands for: the centre of its step-26 cell, clamped to the valid range.
 */
export function decodeScore(score: number): [number, number] {
  let ilon: number;
  let ilat: number;
  if (score >= 0 && score < 2 ** 54 && Number.isInteger(score)) {
    [ilon, ilat] = deinterleave(score);
  } else {
    const v = castU64(score);
    ilon = gatherBits(v, 1);
    ilat = gatherBits(v, 0);
  }
  const a = cellArea({ ilon, ilat, step: STEP_MAX });
  let lon = (a.lonMin + a.lonMax) / 2;
  let lat = (a.latMin + a.latMax) / 2;
  if (lon > LON_MAX) lon = LON_MAX;
  if (lon < LON_MIN) lon = LON_MIN;
  if (lat > LAT_MAX) lat = LAT_MAX;
  if (lat < LAT_MIN) lat = LAT_MIN;
  return [lon, lat];
}

const BASE32 = '0123456789bcdefghjkmnpqrstuvwxyz';

/**
 * The 11-character GEOHASH string of a stored score: the decoded position re-encoded over the
 * standard -90..90 latitude range; 52 bits fill ten characters, the eleventh is always '0'.
 */
export function geohashString(score: number): string {
  const [lon, lat] = decodeScore(score);
  const c = encodeCell(lon, lat, STEP_MAX, STD_LAT_MIN, STD_LAT_MAX);
  // The exact integer (up to 54 bits; only bits 51..2 are read).
  const v = interleaveBig(c.ilon, c.ilat);
  let s = '';
  for (let i = 0; i < 10; i++) {
    const idx = Number((v >> BigInt(52 - (i + 1) * 5)) & 0x1fn);
    s += BASE32[idx]!;
  }
  return s + '0';
}

function interleaveBig(ilon: number, ilat: number): bigint {
  const lo = (spread16(ilat & LOW13) | (spread16(ilon & LOW13) << 1)) >>> 0;
  const hi = (spread16(ilat >>> 13) | (spread16(ilon >>> 13) << 1)) >>> 0;
  return (BigInt(hi) << 26n) | BigInt(lo);
}

// ---------------------------------------------------------------------------------------------
// Distances

/** Distance along a meridian between two latitudes (metres). */
export function latDistance(lat1: number, lat2: number): number {
  return EARTH_RADIUS_M * Math.abs(degRad(lat2) - degRad(lat1));
}

/** Haversine distance (metres). Equal longitudes take the cheaper meridian formula. */
export function distance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const lon1r = degRad(lon1);
  const lon2r = degRad(lon2);
  const v = sin((lon2r - lon1r) / 2);
  if (v === 0) return latDistance(lat1, lat2);
  const lat1r = degRad(lat1);
  const lat2r = degRad(lat2);
  const u = sin((lat2r - lat1r) / 2);
  const a = u * u + cos(lat1r) * cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_M * asin(Math.sqrt(a));
}

// ---------------------------------------------------------------------------------------------
// Search shapes and the cells that cover them

export interface Shape {
  lon: number;
  lat: number;
  /** Metres per unit of the request (m 1, km 1000, ft 0.3048, mi 1609.34). */
  conversion: number;
  /** BYRADIUS: radius in request units; -1 for a box. */
  radius: number;
  /** BYBOX: width and height in request units. */
  width: number;
  height: number;
}

/** The distance (metres) from the shape's centre when (lon, lat) is inside, else -1. */
export function distanceIfInShape(s: Shape, lon: number, lat: number): number {
  if (s.radius >= 0) {
    const d = distance(s.lon, s.lat, lon, lat);
    return d > s.radius * s.conversion ? -1 : d;
  }
  // Box: the latitude test first (cheap), then the east-west distance measured along the
  // point's own parallel.
  const h = s.height * s.conversion;
  const w = s.width * s.conversion;
  if (latDistance(lat, s.lat) > h / 2) return -1;
  if (distance(lon, lat, s.lon, lat) > w / 2) return -1;
  return distance(s.lon, s.lat, lon, lat);
}

/** Step whose cell size is about the radius (coarser near the poles). */
export function estimateStep(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return STEP_MAX;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > STEP_MAX) step = STEP_MAX;
  return step;
}

/** [minLon, minLat, maxLon, maxLat] around the shape. */
export function boundingBox(s: Shape): [number, number, number, number] {
  const circle = s.radius >= 0;
  const height = s.conversion * (circle ? s.radius : s.height / 2);
  const width = s.conversion * (circle ? s.radius : s.width / 2);
  const latDelta = radDeg(height / EARTH_RADIUS_M);
  const lonDeltaTop = radDeg(width / EARTH_RADIUS_M / cos(degRad(s.lat + latDelta)));
  const lonDeltaBottom = radDeg(width / EARTH_RADIUS_M / cos(degRad(s.lat - latDelta)));
  // The parallel nearer the pole is the shorter one: widen by the delta measured there.
  const lonDelta = s.lat < 0 ? lonDeltaBottom : lonDeltaTop;
  return [s.lon - lonDelta, s.lat - latDelta, s.lon + lonDelta, s.lat + latDelta];
}

/**
 * Moves a cell by dx/dy cells, wrapping around within the step's index range. Only a moved
 * coordinate is wrapped: an index one past the range (a centre exactly on the range's top
 * edge) stays as it is on the axis that does not move, as in Redis.
 */
function moved(c: Cell, dx: number, dy: number): Cell {
  const mask = POW2[c.step]! - 1;
  const ilon = dx === 0 ? c.ilon : (c.ilon + dx) & mask;
  const ilat = dy === 0 ? c.ilat : (c.ilat + dy) & mask;
  return { ilon, ilat, step: c.step };
}

const NO_CELL: Cell = { ilon: 0, ilat: 0, step: 0 };

/**
 * The cells to scan for a shape, in scan order: centre, N, S, E, W, NE, NW, SE, SW. Cells that
 * cannot hold a match are NO_CELL (step 0).
 */
export function coveringCells(s: Shape): Cell[] {
  const radiusMeters = (s.radius >= 0 ? s.radius : Math.sqrt((s.width / 2) * (s.width / 2) + (s.height / 2) * (s.height / 2))) * s.conversion;
  const [minLon, minLat, maxLon, maxLat] = boundingBox(s);
  let step = estimateStep(radiusMeters, s.lat);
  let centre = encodeCell(s.lon, s.lat, step);
  let n = neighbours(centre);
  // Too coarse a step can leave the bounding box sticking out of the 3x3 block: one step up.
  const north = cellArea(n[1]!);
  const south = cellArea(n[2]!);
  const east = cellArea(n[3]!);
  const west = cellArea(n[4]!);
  const tooSmall = north.latMax < maxLat || south.latMin > minLat || east.lonMax < maxLon || west.lonMin > minLon;
  if (step > 1 && tooSmall) {
    step--;
    centre = encodeCell(s.lon, s.lat, step);
    n = neighbours(centre);
  }
  if (step >= 2) {
    const a = cellArea(centre);
    // Indexes into [centre, N, S, E, W, NE, NW, SE, SW].
    if (a.latMin < minLat) n[2] = n[7] = n[8] = NO_CELL;
    if (a.latMax > maxLat) n[1] = n[5] = n[6] = NO_CELL;
    if (a.lonMin < minLon) n[4] = n[8] = n[6] = NO_CELL;
    if (a.lonMax > maxLon) n[3] = n[7] = n[5] = NO_CELL;
  }
  return n;
}

function neighbours(c: Cell): Cell[] {
  return [c, moved(c, 0, 1), moved(c, 0, -1), moved(c, 1, 0), moved(c, -1, 0), moved(c, 1, 1), moved(c, -1, 1), moved(c, 1, -1), moved(c, -1, -1)];
}

/** The half-open score range [min, max) of a cell. */
export function cellScoreRange(c: Cell): [number, number] {
  const shift = POW2[52 - c.step * 2]!;
  const v = interleave(c.ilon, c.ilat);
  return [v * shift, (v + 1) * shift];
}

// ---------------------------------------------------------------------------------------------
// Number formatting (printf's %f family, exact, ties to even)

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Exact %.<digits>f of a finite |x|, as a digit string without sign. */
function fixedExact(ax: number, digits: number): string {
  F64[0] = ax;
  const hi = U32[LITTLE ? 1 : 0]!;
  const lo = U32[LITTLE ? 0 : 1]!;
  const bexp = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let k: number;
  if (bexp === 0) k = -1074;
  else {
    m |= 1n << 52n;
    k = bexp - 1075;
  }
  const scale = 10n ** BigInt(digits);
  let n: bigint;
  if (k >= 0) n = (m << BigInt(k)) * scale;
  else {
    const num = m * scale;
    const sh = BigInt(-k);
    n = num >> sh;
    const rem = num - (n << sh);
    const half = 1n << (sh - 1n);
    if (rem > half || (rem === half && (n & 1n) === 1n)) n++;
  }
  let s = n.toString();
  if (digits === 0) return s;
  if (s.length <= digits) s = '0'.repeat(digits - s.length + 1) + s;
  return s.slice(0, s.length - digits) + '.' + s.slice(s.length - digits);
}

/** printf("%.<digits>f", x) with glibc's spelling of infinities and NaN. */
export function formatFixed(x: number, digits: number): string {
  if (x !== x) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  const neg = x < 0 || Object.is(x, -0);
  const ax = Math.abs(x);
  let s: string;
  // toFixed is exact below 1e21 but breaks ties away from zero; a tie needs the binary
  // expansion to end exactly one decimal past the last printed digit.
  if (ax < 1e21 && !(Number.isInteger(ax * POW2[digits + 1]!) && !Number.isInteger(ax * POW2[digits]!))) s = ax.toFixed(digits);
  else s = fixedExact(ax, digits);
  return neg ? '-' + s : s;
}

/** Redis's "human" long double text of a coordinate: %.17Lf without trailing zeros or '.'. */
export function formatCoordinate(x: number): string {
  let s = formatFixed(x, 17);
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 0x30) end--;
  if (end > 0 && s.charCodeAt(end - 1) === 0x2e) end--;
  s = s.slice(0, end);
  return s === '-0' ? '0' : s;
}
