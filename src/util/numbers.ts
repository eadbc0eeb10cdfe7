/**
 * Exact Redis 7.0 number handling: integer parsing/formatting, double
 * parsing/formatting, and an exact emulation of the x87 80-bit `long double`
 * arithmetic that INCRBYFLOAT / HINCRBYFLOAT use.
 *
 * Everything here works on bytes (Buffer / Uint8Array); nothing is decoded as
 * UTF-8. All behaviour below was established by black-box experiments against
 * redis-server 7.0.15 (see test/unit/numbers.test.ts and the fixture
 * test/unit/fixtures/incrbyfloat-vectors.json).
 *
 * ## Integers (string-to-long-long rules)
 *   optional '-', then digits; no '+', no leading zeros (only "0" itself),
 *   "-0" rejected, no whitespace, non-empty, range [-2^63, 2^63-1].
 *   Error text used by Redis: "ERR value is not an integer or out of range".
 *   INCR/INCRBY/DECR/DECRBY overflow: "ERR increment or decrement would
 *   overflow". DECRBY with increment -9223372036854775808 is always rejected
 *   with "ERR decrement would overflow" (even when the result would fit).
 *   INCRBY/DECRBY parse the increment before looking up the key (bad increment
 *   wins over WRONGTYPE); HINCRBY likewise; a non-integer hash field gives
 *   "ERR hash value is not an integer".
 *
 * ## SCAN cursors (strtoul rules, see parseScanCursor)
 *   "" -> 0, "+5" -> 5, "007" -> 7, "-1" -> 2^64-1 (wraps), > 2^64-1 or any
 *   whitespace / non-digit -> "ERR invalid cursor".
 *
 * ## Doubles
 *   parseDouble (ZADD, ZINCRBY, GEOADD, ... "ERR value is not a valid float"):
 *   C strtod syntax: optional sign; decimal with optional '.' and exponent;
 *   hexadecimal "0x1.8p3"; "inf"/"infinity" (any case). Rejected: empty,
 *   leading or trailing whitespace, trailing garbage, NaN in any spelling,
 *   overflow (1e309) and underflow to zero (1e-400). Subnormals (5e-324) are
 *   accepted.
 *   parseDoubleLoose (ZRANGEBYSCORE/ZCOUNT/... min/max after the optional
 *   '('; error "ERR min or max is not a float"): plain strtod; leading
 *   whitespace allowed, "" -> 0, overflow -> +-inf, underflow -> 0; only
 *   trailing garbage (including trailing whitespace), whitespace-only and NaN
 *   are rejected. The value is read as a C string (stops at a NUL byte).
 *
 *   formatDouble: Redis 7.0 replies to doubles (ZSCORE, ZINCRBY, ZRANGE
 *   WITHSCORES, ... both RESP2 bulk text and the RESP3 ',' payload) with
 *   printf("%.17g") (correctly rounded, ties-to-even), and "inf" / "-inf".
 *   E.g. 0.1 -> "0.10000000000000001", 1e-5 -> "1.0000000000000001e-05",
 *   1000000000000000.25 -> "1000000000000000.2", -0.0 -> "-0".
 *
 * ## INCRBYFLOAT / HINCRBYFLOAT (long double)
 *   Both the stored value and the increment are read with strtold rules
 *   (same syntax as parseDouble, range of the 80-bit format: 64-bit mantissa,
 *   exponent -16382..16383 with gradual underflow down to 2^-16445); inputs
 *   of length 0 or >= 5120 bytes are rejected; "inf" parses, NaN, overflow
 *   (1.19e4932) and underflow to zero (1e-4952) are rejected. The sum is
 *   rounded once to the 64-bit mantissa (round-half-even). A NaN/inf sum
 *   fails with "ERR increment would produce NaN or Infinity". The result is
 *   printed with "%.17Lf" (exact, ties-to-even), trailing zeros and a
 *   trailing '.' stripped, and "-0" turned into "0". The stored value is that
 *   string, so every INCRBYFLOAT re-reads the rounded decimal.
 *   E.g. 10.5 + 0.1 -> "10.6", 10.6 + 5.0e3 -> "5010.60000000000000009",
 *   1e308 -> "99999999999999999996685879655845645660560099847415...".
 *   INCRBYFLOAT looks the key up (WRONGTYPE) before parsing anything; both
 *   parse failures say "ERR value is not a valid float".
 *   HINCRBYFLOAT parses the increment first ("ERR value is not a valid
 *   float"), rejects an infinite increment ("ERR value is NaN or Infinity"),
 *   then does the WRONGTYPE check, then parses the field ("ERR hash value is
 *   not a float"), then the NaN/inf check on the sum as above.
 *   Output length: values >= 2^64 are integers in long double, so the longest
 *   reply is -LDBL_MAX, 4934 bytes; below 2^64 at most 39 bytes. Redis's
 *   5120-byte buffer therefore never overflows.
 *
 * ## Other observations (for the command implementers)
 *   - GEOPOS prints coordinates with the same "%.17Lf"+trim rule
 *     (formatDoubleHuman), e.g. "13.36138933897018433".
 *   - BLPOP-style timeouts are read as long doubles (parseLongDouble +
 *     longDoubleToNumber): "0x2" is valid, "1e400"/"inf" give "ERR timeout is
 *     negative", garbage gives "ERR timeout is not a float or out of range".
 *   - A listpack-encoded zset stores a -0 score as 0 (ZSCORE says "0"); a
 *     skiplist-encoded one replies "-0".
 */

/* ------------------------------------------------------------------------ */
/* Integers                                                                 */
/* ------------------------------------------------------------------------ */

/** -2^63 */
export const I64_MIN = -(1n << 63n);
/** 2^63 - 1 */
export const I64_MAX = (1n << 63n) - 1n;
const U64_MAX = (1n << 64n) - 1n;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const BIG_MAX_SAFE = BigInt(MAX_SAFE);
/** 10^0 .. 10^22, all exact doubles */
const POW10_DBL: number[] = [];
for (let i = 0; i <= 22; i++) POW10_DBL.push(Number(`1e${i}`));

/** An int64 value: a number when it is a safe integer, otherwise a bigint. */
export type I64 = number | bigint;

export const ERR_NOT_INTEGER = 'ERR value is not an integer or out of range';
export const ERR_INCR_OVERFLOW = 'ERR increment or decrement would overflow';
export const ERR_DECR_OVERFLOW = 'ERR decrement would overflow';
export const ERR_NOT_FLOAT = 'ERR value is not a valid float';
export const ERR_INCR_NAN_INF = 'ERR increment would produce NaN or Infinity';
export const ERR_HASH_NOT_FLOAT = 'ERR hash value is not a float';
export const ERR_VALUE_NAN_INF = 'ERR value is NaN or Infinity';

/** Turns a bigint back into the canonical I64 form (number when safe). */
function normI64(v: bigint): I64 {
  return v >= -BIG_MAX_SAFE && v <= BIG_MAX_SAFE ? Number(v) : v;
}

/**
 * Parses bytes [start, end) as a Redis int64 (string2ll rules).
 * Returns a number when the value is a safe integer (no allocation), a bigint
 * for larger magnitudes, or null when the text is not a valid int64.
 */
export function parseI64(buf: Uint8Array, start = 0, end = buf.length): I64 | null {
  let i = start;
  const len = end - start;
  if (len <= 0 || len > 20) return null;
  let neg = false;
  let c = buf[i]!;
  if (c === 45 /* - */) {
    neg = true;
    if (++i === end) return null;
    c = buf[i]!;
  }
  if (c === 48 /* 0 */) return !neg && i + 1 === end ? 0 : null;
  const digitsStart = i;
  if (end - i > 19) return null;
  let v = 0;
  for (; i < end; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) return null;
    v = v * 10 + d;
  }
  // Accumulation is exact while it stays <= MAX_SAFE, and rounding is
  // monotonic, so v <= MAX_SAFE means the exact value is v.
  if (v <= MAX_SAFE) return neg ? -v : v;
  let big = 0n;
  for (let j = digitsStart; j < end; j++) big = big * 10n + BigInt(buf[j]! - 48);
  if (neg) big = -big;
  if (big < I64_MIN || big > I64_MAX) return null;
  return big;
}

/**
 * Like parseI64 but only for values that are safe integers: returns the
 * number, or NaN when the text is invalid or outside +-(2^53-1). Never
 * allocates. Callers that must accept the whole int64 range (and then clamp)
 * should fall back to parseI64 when this returns NaN.
 */
export function parseSafeInt(buf: Uint8Array, start = 0, end = buf.length): number {
  let i = start;
  const len = end - start;
  if (len <= 0 || len > 17) return NaN;
  let neg = false;
  let c = buf[i]!;
  if (c === 45) {
    neg = true;
    if (++i === end) return NaN;
    c = buf[i]!;
  }
  if (c === 48) return !neg && i + 1 === end ? 0 : NaN;
  let v = 0;
  for (; i < end; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  if (v > MAX_SAFE) return NaN;
  return neg ? -v : v;
}

/**
 * Parses an int64 and returns it as the nearest double (NaN when invalid).
 * Convenient for range arguments that are clamped anyway (GETRANGE, LRANGE,
 * ...), where exactness beyond 2^53 does not change the outcome.
 */
export function parseI64AsNumber(buf: Uint8Array, start = 0, end = buf.length): number {
  const v = parseI64(buf, start, end);
  if (v === null) return NaN;
  return typeof v === 'number' ? v : Number(v);
}

/** a + b in int64; null on overflow ("increment or decrement would overflow"). */
export function addI64(a: I64, b: I64): I64 | null {
  if (typeof a === 'number' && typeof b === 'number') {
    const s = a + b;
    // exact when |a+b| <= MAX_SAFE (monotonic rounding), see parseI64
    if (s <= MAX_SAFE && s >= -MAX_SAFE) return s;
  }
  const r = BigInt(a) + BigInt(b);
  if (r < I64_MIN || r > I64_MAX) return null;
  return normI64(r);
}

/** -v in int64; null for -2^63 (used by DECRBY: "decrement would overflow"). */
export function negI64(v: I64): I64 | null {
  if (typeof v === 'number') return v === 0 ? 0 : -v;
  if (v === I64_MIN) return null;
  return normI64(-v);
}

/** Compares two I64 values: negative, zero or positive. */
export function cmpI64(a: I64, b: I64): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  const x = BigInt(a), y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Parses a SCAN/SSCAN/HSCAN/ZSCAN cursor the way Redis 7.0 does (strtoul,
 * base 10): optional sign, digits (leading zeros allowed), "" is 0, negative
 * values wrap modulo 2^64, > 2^64-1 and any other byte (whitespace included)
 * are invalid. Returns null for "ERR invalid cursor".
 */
export function parseScanCursor(buf: Uint8Array, start = 0, end = buf.length): I64 | null {
  let i = start;
  if (i === end) return 0;
  let neg = false;
  const c = buf[i]!;
  if (c === 45 || c === 43) {
    neg = c === 45;
    i++;
  }
  if (i === end) return null;
  let v = 0;
  const digitsStart = i;
  for (; i < end; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) return null;
    v = v * 10 + d;
  }
  if (v <= MAX_SAFE) return neg && v !== 0 ? normI64((1n << 64n) - BigInt(v)) : v;
  let big = 0n;
  for (let j = digitsStart; j < end; j++) {
    big = big * 10n + BigInt(buf[j]! - 48);
    if (big > U64_MAX) return null;
  }
  if (neg && big !== 0n) big = (1n << 64n) - big;
  return normI64(big);
}

/* ---- integer formatting ---- */

const SMALL_INT_CACHE: Buffer[] = [];
for (let i = 0; i < 10000; i++) SMALL_INT_CACHE.push(Buffer.from(String(i), 'latin1'));

/**
 * Decimal bytes of an int64. Values 0..9999 come from a shared pre-encoded
 * cache: the returned Buffer must never be mutated.
 */
export function formatI64(v: I64): Buffer {
  if (typeof v === 'number') {
    if (v >= 0 && v < 10000 && (v | 0) === v) return SMALL_INT_CACHE[v]!;
    const out = Buffer.allocUnsafe(i64DecimalLength(v));
    writeI64(out, 0, v);
    return out;
  }
  if (v >= 0n && v < 10000n) return SMALL_INT_CACHE[Number(v)]!;
  return Buffer.from(v.toString(), 'latin1');
}

/** Number of bytes formatI64(v) produces. */
export function i64DecimalLength(v: I64): number {
  if (typeof v === 'bigint') return v.toString().length;
  return v < 0 ? 1 + digitCount(-v) : digitCount(v);
}

/** Decimal digits of a non-negative safe integer. */
function digitCount(a: number): number {
  let n = 1;
  while (n < 16 && a >= POW10_DBL[n]!) n++;
  return n;
}

/**
 * Writes the decimal form of v into target at offset; returns the offset
 * just past the written bytes. The caller guarantees enough room
 * (i64DecimalLength(v) bytes; 20 always suffices).
 */
export function writeI64(target: Uint8Array, offset: number, v: I64): number {
  if (typeof v === 'bigint') {
    const s = v.toString();
    for (let i = 0; i < s.length; i++) target[offset + i] = s.charCodeAt(i);
    return offset + s.length;
  }
  if (v < 0) {
    target[offset++] = 45;
    v = -v;
  }
  if (v < 10) {
    target[offset] = 48 + v;
    return offset + 1;
  }
  const endOff = offset + digitCount(v);
  let p = endOff;
  while (v >= 2147483648) {
    const q = Math.floor(v / 10);
    target[--p] = 48 + (v - q * 10);
    v = q;
  }
  let w = v | 0;
  while (w >= 10) {
    const q = (w / 10) | 0;
    target[--p] = 48 + (w - q * 10);
    w = q;
  }
  target[--p] = 48 + w;
  return endOff;
}

/* ------------------------------------------------------------------------ */
/* strtod syntax scanner (shared by double and long double parsing)          */
/* ------------------------------------------------------------------------ */

const KIND_DEC = 0;
const KIND_HEX = 1;
const KIND_INF = 2;
const KIND_NAN = 3;

// Results of the last scan (module scratch to avoid allocation).
let scKind = KIND_DEC;
let scNeg = false;
let scMantStart = 0; // first byte of the mantissa (digits and '.')
let scMantEnd = 0;
let scExp = 0; // explicit exponent (decimal for KIND_DEC, binary for KIND_HEX), saturated
let scNonZero = false; // mantissa has a non-zero digit

const EXP_SATURATE = 1_000_000_000;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}
/** C-locale isspace */
function isCSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}
function lowerAscii(c: number): number {
  return c >= 65 && c <= 90 ? c | 0x20 : c;
}
function matchWordNoCase(buf: Uint8Array, i: number, end: number, word: string): boolean {
  if (end - i < word.length) return false;
  for (let k = 0; k < word.length; k++) if (lowerAscii(buf[i + k]!) !== word.charCodeAt(k)) return false;
  return true;
}

/** Scans an optionally-signed exponent's digits starting at i (just after e/p). Returns end or -1. */
function scanExponent(buf: Uint8Array, i: number, end: number): number {
  let neg = false;
  if (i < end && (buf[i] === 43 || buf[i] === 45)) {
    neg = buf[i] === 45;
    i++;
  }
  if (i >= end || !isDigit(buf[i]!)) return -1;
  let v = 0;
  for (; i < end && isDigit(buf[i]!); i++) {
    if (v < EXP_SATURATE) v = v * 10 + (buf[i]! - 48);
  }
  scExp = neg ? -v : v;
  return i;
}

/**
 * Scans a strtod-style number starting exactly at i (no whitespace skipping).
 * Returns the index just after the longest valid prefix, or -1 when no
 * conversion is possible. Fills the sc* scratch variables.
 */
function scanNumber(buf: Uint8Array, i: number, end: number): number {
  scNeg = false;
  scExp = 0;
  scNonZero = false;
  if (i < end && (buf[i] === 43 || buf[i] === 45)) {
    scNeg = buf[i] === 45;
    i++;
  }
  if (i >= end) return -1;
  const c = buf[i]!;
  const lc = lowerAscii(c);
  if (lc === 105 /* i */) {
    if (!matchWordNoCase(buf, i, end, 'inf')) return -1;
    scKind = KIND_INF;
    i += 3;
    if (matchWordNoCase(buf, i, end, 'inity')) i += 5;
    return i;
  }
  if (lc === 110 /* n */) {
    if (!matchWordNoCase(buf, i, end, 'nan')) return -1;
    scKind = KIND_NAN;
    i += 3;
    // optional "(n-char-sequence)"
    if (i < end && buf[i] === 40) {
      let j = i + 1;
      while (j < end) {
        const d = buf[j]!;
        if (isDigit(d) || (lowerAscii(d) >= 97 && lowerAscii(d) <= 122) || d === 95) j++;
        else break;
      }
      if (j < end && buf[j] === 41) i = j + 1;
    }
    return i;
  }
  // hexadecimal?
  if (c === 48 && i + 1 < end && (buf[i + 1] === 120 || buf[i + 1] === 88)) {
    let j = i + 2;
    let digits = 0;
    let dot = false;
    const ms = j;
    for (; j < end; j++) {
      const d = buf[j]!;
      const h = hexVal(d);
      if (h >= 0) {
        digits++;
        if (h !== 0) scNonZero = true;
      } else if (d === 46 && !dot) dot = true;
      else break;
    }
    if (digits > 0) {
      scKind = KIND_HEX;
      scMantStart = ms;
      scMantEnd = j;
      if (j < end && (buf[j] === 112 || buf[j] === 80)) {
        const e = scanExponent(buf, j + 1, end);
        if (e >= 0) return e;
        scExp = 0;
      }
      return j;
    }
    scNonZero = false;
    // "0x" without hex digits: strtod converts the "0" only
  }
  scKind = KIND_DEC;
  scMantStart = i;
  let digits = 0;
  let dot = false;
  for (; i < end; i++) {
    const d = buf[i]!;
    if (isDigit(d)) {
      digits++;
      if (d !== 48) scNonZero = true;
    } else if (d === 46 && !dot) dot = true;
    else break;
  }
  if (digits === 0) return -1;
  scMantEnd = i;
  if (i < end && (buf[i] === 101 || buf[i] === 69)) {
    const e = scanExponent(buf, i + 1, end);
    if (e >= 0) return e;
    scExp = 0;
  }
  return i;
}

/* ------------------------------------------------------------------------ */
/* Binary rounding core (shared by double and long double)                  */
/* ------------------------------------------------------------------------ */

const BIG_2_53 = 1n << 53n;

function bitLen(n: bigint): number {
  if (n < BIG_2_53) {
    // exact in a double: count bits without allocating
    const x = Number(n);
    if (x === 0) return 0;
    const hi = Math.floor(x / 4294967296);
    return hi !== 0 ? 64 - Math.clz32(hi) : 32 - Math.clz32(x >>> 0);
  }
  const s = n.toString(16);
  return (s.length - 1) * 4 + (32 - Math.clz32(parseInt(s[0]!, 16)));
}

// Result scratch of roundBinary: value = rq * 2^rlsb, or infinity.
let rq = 0n;
let rlsb = 0;
let rInf = false;

/**
 * Rounds the exact value n*2^e (plus an infinitesimal when sticky) to a
 * binary float with `prec` mantissa bits, least significant bit weight at
 * least 2^minLsb (gradual underflow) and magnitude below 2^maxExp
 * (else infinity), round-half-even. When sticky is set, n must carry at least
 * prec+2 bits.
 */
function roundBinary(n: bigint, e: number, sticky: boolean, prec: number, minLsb: number, maxExp: number): void {
  rInf = false;
  if (n === 0n) {
    rq = 0n;
    rlsb = minLsb;
    return;
  }
  const bl = bitLen(n);
  let lsb = Math.max(e + bl - prec, minLsb);
  let q: bigint;
  if (lsb <= e) {
    q = n;
    lsb = e;
  } else {
    const shN = lsb - e;
    if (shN > bl) {
      q = 0n; // below half an ulp
    } else {
      const sh = BigInt(shN);
      q = n >> sh;
      const rem = n - (q << sh);
      const half = 1n << (sh - 1n);
      if (rem > half || (rem === half && (sticky || (q & 1n) === 1n))) q++;
      if (q >> BigInt(prec) !== 0n) {
        q >>= 1n;
        lsb++;
      }
    }
  }
  if (q === 0n) {
    rq = 0n;
    rlsb = minLsb;
    return;
  }
  if (lsb + bitLen(q) > maxExp) {
    rInf = true;
    rq = 0n;
    return;
  }
  rq = q;
  rlsb = lsb;
}

const POW10_CACHE: bigint[] = [1n];
function pow10(k: number): bigint {
  if (k < 64) {
    while (POW10_CACHE.length <= k) POW10_CACHE.push(POW10_CACHE[POW10_CACHE.length - 1]! * 10n);
    return POW10_CACHE[k]!;
  }
  return 10n ** BigInt(k);
}

/**
 * Converts the last scanned decimal/hex mantissa to a binary float with the
 * given format, using the sc* scratch. Sets rq/rlsb/rInf.
 */
function convertScanned(buf: Uint8Array, prec: number, minLsb: number, maxExp: number, decMax: number, decMin: number): void {
  if (!scNonZero) {
    rInf = false;
    rq = 0n;
    rlsb = minLsb;
    return;
  }
  if (scKind === KIND_HEX) {
    let s = '';
    let frac = 0;
    let dot = false;
    for (let i = scMantStart; i < scMantEnd; i++) {
      const c = buf[i]!;
      if (c === 46) {
        dot = true;
        continue;
      }
      if (dot) frac++;
      s += String.fromCharCode(c);
    }
    const n = BigInt('0x' + s);
    const e = scExp - 4 * frac;
    const bl = bitLen(n);
    if (bl + e > maxExp + 1) {
      rInf = true;
      rq = 0n;
      return;
    }
    if (bl + e < minLsb - 2) {
      rInf = false;
      rq = 0n;
      rlsb = minLsb;
      return;
    }
    roundBinary(n, e, false, prec, minLsb, maxExp);
    return;
  }
  // decimal: the significant digits (leading zeros and the '.' removed)
  let first = scMantStart;
  while (buf[first] === 48 || buf[first] === 46) first++; // a non-zero digit exists
  let dotPos = -1;
  for (let i = scMantStart; i < scMantEnd; i++) {
    if (buf[i] === 46) {
      dotPos = i;
      break;
    }
  }
  const frac = dotPos < 0 ? 0 : scMantEnd - dotPos - 1;
  let s: string;
  if (dotPos < first) s = latin1(buf, first, scMantEnd);
  else s = latin1(buf, first, dotPos) + latin1(buf, dotPos + 1, scMantEnd);
  const k = s.length; // >= 1 since scNonZero
  const E = scExp - frac;
  // value in [10^(k-1+E), 10^(k+E))
  if (k - 1 + E >= decMax) {
    rInf = true;
    rq = 0n;
    return;
  }
  if (k + E < decMin) {
    rInf = false;
    rq = 0n;
    rlsb = minLsb;
    return;
  }
  const N = BigInt(s);
  if (E >= 0) {
    roundBinary(N * pow10(E), 0, false, prec, minLsb, maxExp);
    return;
  }
  const D = pow10(-E);
  const shift = Math.max(0, bitLen(D) - bitLen(N) + prec + 3);
  const num = N << BigInt(shift);
  const q = num / D;
  const r = num - q * D;
  roundBinary(q, -shift, r !== 0n, prec, minLsb, maxExp);
}

/* ------------------------------------------------------------------------ */
/* Doubles                                                                  */
/* ------------------------------------------------------------------------ */

const DBL_PREC = 53;
const DBL_MIN_LSB = -1074;
const DBL_MAX_EXP = 1024;


function scaledToNumber(q: bigint, lsb: number): number {
  // q < 2^53, lsb >= -1074; q * 2^lsb is representable: split the power to
  // stay exact when 2^lsb alone would underflow/overflow.
  const m = Number(q);
  if (lsb >= -1022 && lsb <= 1023) return m * Math.pow(2, lsb);
  if (lsb < -1022) return m * Math.pow(2, lsb + 200) * Math.pow(2, -200);
  return m * Math.pow(2, lsb - 200) * Math.pow(2, 200);
}

function latin1(buf: Uint8Array, start: number, end: number): string {
  if (Buffer.isBuffer(buf)) return buf.toString('latin1', start, end);
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(buf[i]!);
  return s;
}

/** Converts the last scan (decimal or hex) to a double; finite or +-Infinity, 0 on underflow. */
function scannedToDouble(buf: Uint8Array, numStart: number, numEnd: number): number {
  let v: number;
  if (scKind === KIND_DEC) {
    v = parseFloat(latin1(buf, numStart, numEnd));
    return v;
  }
  convertScanned(buf, DBL_PREC, DBL_MIN_LSB, DBL_MAX_EXP, 310, -326);
  if (rInf) v = Infinity;
  else if (rq === 0n) v = 0;
  else v = scaledToNumber(rq, rlsb);
  return scNeg ? -v : v;
}

/**
 * Strict double parsing (Redis getDoubleFromObject / string2d rules), for
 * ZADD, ZINCRBY, GEOADD, ZRANDMEMBER... scores. Returns NaN on error
 * ("ERR value is not a valid float"); infinities are valid results.
 */
export function parseDouble(buf: Uint8Array, start = 0, end = buf.length): number {
  // Fast path: [-]digits[.digits] with at most 15 digits -> exact M / 10^k.
  let i = start;
  if (i >= end) return NaN;
  let neg = false;
  if (buf[i] === 45) {
    neg = true;
    i++;
  }
  let m = 0;
  let digits = 0;
  let fracDigits = -1;
  for (; i < end; i++) {
    const c = buf[i]!;
    const d = c - 48;
    if (d >= 0 && d <= 9) {
      m = m * 10 + d;
      digits++;
      if (fracDigits >= 0) fracDigits++;
    } else if (c === 46 && fracDigits < 0) fracDigits = 0;
    else break;
  }
  if (i === end && digits > 0 && digits <= 15) {
    const v = fracDigits > 0 ? m / POW10_DBL[fracDigits]! : m;
    return neg ? -v : v;
  }
  return parseDoubleSlow(buf, start, end);
}

function parseDoubleSlow(buf: Uint8Array, start: number, end: number): number {
  const e = scanNumber(buf, start, end);
  if (e !== end) return NaN; // no conversion, garbage, whitespace, empty
  if (scKind === KIND_NAN) return NaN;
  if (scKind === KIND_INF) return scNeg ? -Infinity : Infinity;
  const v = scannedToDouble(buf, start, end);
  if (v === Infinity || v === -Infinity) return NaN; // overflow (ERANGE)
  if (v === 0 && scNonZero) return NaN; // underflow to zero (ERANGE)
  return v;
}

/**
 * Plain strtod parsing as used for ZRANGEBYSCORE / ZCOUNT / ZREMRANGEBYSCORE
 * bounds (after stripping the optional '('), and similar lenient callers.
 * The bytes are read as a C string (up to the first NUL). Returns NaN on error.
 */
export function parseDoubleLoose(buf: Uint8Array, start = 0, end = buf.length): number {
  for (let j = start; j < end; j++) {
    if (buf[j] === 0) {
      end = j;
      break;
    }
  }
  if (start === end) return 0;
  let i = start;
  while (i < end && isCSpace(buf[i]!)) i++;
  const e = scanNumber(buf, i, end);
  if (e !== end) return NaN;
  if (scKind === KIND_NAN) return NaN;
  if (scKind === KIND_INF) return scNeg ? -Infinity : Infinity;
  return scannedToDouble(buf, i, end);
}

// scratch for decomposing doubles
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Decomposes a finite double into |d| = m * 2^k (m integer). Sets dm/dk. */
let dm = 0n;
let dk = 0;
function decompose(d: number): void {
  F64[0] = d;
  const hi = U32[LITTLE ? 1 : 0]!;
  const lo = U32[LITTLE ? 0 : 1]!;
  const bexp = (hi >>> 20) & 0x7ff;
  const mhi = hi & 0xfffff;
  let m = (BigInt(mhi) << 32n) | BigInt(lo);
  if (bexp === 0) {
    dk = -1074;
  } else {
    m |= 1n << 52n;
    dk = bexp - 1075;
  }
  dm = m;
}

function isNegative(d: number): boolean {
  return d < 0 || (d === 0 && 1 / d < 0);
}

/** Is |d| exactly equal to D * 10^q (D a positive integer)? */
function exactlyEquals(d: number, D: bigint, q: number): boolean {
  decompose(Math.abs(d));
  let a = dm;
  let b = D;
  if (dk >= 0) a <<= BigInt(dk);
  else b <<= BigInt(-dk);
  if (q >= 0) b *= pow10(q);
  else a *= pow10(-q);
  return a === b;
}

/**
 * printf("%.17g") of a double, with Redis's "inf"/"-inf" spelling
 * ("nan"/"-nan" for NaN). This is the text of every double reply of
 * Redis 7.0 (RESP2 bulk string and RESP3 ',' double alike).
 */
export function formatDouble(d: number): string {
  if (d !== d) {
    F64[0] = d;
    return U32[LITTLE ? 1 : 0]! >>> 31 ? '-nan' : 'nan';
  }
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (Number.isInteger(d) && d <= MAX_SAFE && d >= -MAX_SAFE) {
    if (d === 0) return 1 / d < 0 ? '-0' : '0';
    return String(d);
  }
  const exact = formatExactShort(d);
  if (exact !== null) return exact;
  const s = d.toExponential(16);
  return mayBeTie17(d) ? fixTie17(d, s) : gFormatFromExponential(s);
}

const POW5: number[] = [];
for (let i = 0, p = 1; i <= 22; i++, p *= 5) POW5.push(p);

/**
 * Fast path for "nice" values (2.5, 0.125, 1234.75 ...): when the shortest
 * round-trip text of d has at most 16 significant digits and is exactly d,
 * those digits are the exact decimal expansion, so %.17g prints them as is.
 * Returns null when the fast path does not apply.
 */
function formatExactShort(d: number): string | null {
  // exact with q >= -22 implies d * 2^22 is an integer: cheap rejection first
  if (!Number.isInteger(d * 4194304)) return null;
  const str = String(d);
  const neg = str.charCodeAt(0) === 45;
  let i = neg ? 1 : 0;
  const ePos = str.indexOf('e');
  const mEnd = ePos < 0 ? str.length : ePos;
  let digits = '';
  let fracLen = 0;
  let dot = false;
  for (; i < mEnd; i++) {
    const c = str.charCodeAt(i);
    if (c === 46) {
      dot = true;
      continue;
    }
    if (dot) fracLen++;
    if (digits.length === 0 && c === 48) continue;
    digits += str[i];
  }
  const n = digits.length;
  if (n === 0 || n > 16) return null;
  const q = (ePos < 0 ? 0 : parseInt(str.slice(ePos + 1), 10)) - fracLen; // |d| = D * 10^q
  if (q >= 0 || q < -22) return null;
  const D = Number(digits);
  if (D > MAX_SAFE) return null;
  const p5 = POW5[-q]!;
  if (D % p5 !== 0) return null;
  if (D / p5 / Math.pow(2, -q) !== (neg ? -d : d)) return null;
  return gFormat(neg, digits, n - 1 + q);
}

const TWO_18 = 262144;

/**
 * Cheap necessary condition for |d| being exactly halfway between two
 * 17-significant-digit decimals. The exact decimal expansion of a double
 * with f fractional bits has f fractional digits, the last one non-zero; a
 * tie needs exactly 18 significant digits, which requires f <= 17 when
 * |d| >= 1 and f <= 17 + |decimal exponent| (+ slack) when |d| < 1; i.e.
 * d * 2^J must be an integer for that J.
 */
function mayBeTie17(d: number): boolean {
  const a = d < 0 ? -d : d;
  if (a >= 1) return Number.isInteger(a * TWO_18);
  const j = 19 + Math.ceil(-Math.log10(a));
  return Number.isInteger(a * Math.pow(2, j));
}

function fixTie17(d: number, s: string): string {
  // JS breaks exact ties upward, C (glibc) to even: detect exact ties.
  const t = d.toExponential(17);
  const ePos = t.indexOf('e');
  if (t.charCodeAt(ePos - 1) === 53 /* '5' */) {
    const neg = t.charCodeAt(0) === 45;
    const mant = t.slice(neg ? 1 : 0, ePos).replace('.', '');
    const x = parseInt(t.slice(ePos + 1), 10);
    if (exactlyEquals(d, BigInt(mant), x - 17)) {
      const last17 = mant.charCodeAt(16) - 48;
      if ((last17 & 1) === 0) {
        // round down (truncate) instead of JS's round-up
        return gFormatFromExponential((neg ? '-' : '') + mant[0] + '.' + mant.slice(1, 17) + 'e' + (x >= 0 ? '+' : '') + x);
      }
    }
  }
  return gFormatFromExponential(s);
}

/** Turns JS toExponential(16) output into %.17g layout. */
function gFormatFromExponential(s: string): string {
  const neg = s.charCodeAt(0) === 45;
  const ePos = s.indexOf('e');
  return gFormat(neg, s.slice(neg ? 1 : 0, ePos).replace('.', ''), parseInt(s.slice(ePos + 1), 10));
}

/**
 * %.17g layout of the value 0.d1d2d3... * 10^(x+1) (digits: at most 17
 * significant digits, first one non-zero; x: decimal exponent of d1).
 */
function gFormat(neg: boolean, digits: string, x: number): string {
  let out: string;
  if (x < -4 || x >= 17) {
    let frac = digits.slice(1);
    frac = stripZeros(frac);
    const ax = Math.abs(x);
    out = digits[0] + (frac.length ? '.' + frac : '') + 'e' + (x < 0 ? '-' : '+') + (ax < 10 ? '0' + ax : String(ax));
  } else if (x < 0) {
    out = '0.' + '0'.repeat(-x - 1) + stripZeros(digits);
  } else {
    const ip = digits.length > x + 1 ? digits.slice(0, x + 1) : digits + '0'.repeat(x + 1 - digits.length);
    const fp = stripZeros(digits.slice(x + 1));
    out = ip + (fp.length ? '.' + fp : '');
  }
  return neg ? '-' + out : out;
}

function stripZeros(s: string): string {
  let e = s.length;
  while (e > 0 && s.charCodeAt(e - 1) === 48) e--;
  return e === s.length ? s : s.slice(0, e);
}

/** formatDouble as latin1 bytes. */
export function formatDoubleBuf(d: number): Buffer {
  return Buffer.from(formatDouble(d), 'latin1');
}

/**
 * A double printed the way Redis prints "human" long doubles ("%.17Lf",
 * trailing zeros and '.' stripped, "-0" -> "0"), e.g. GEOPOS coordinates.
 */
export function formatDoubleHuman(d: number): string {
  return formatLongDoubleHuman(longDoubleFromNumber(d));
}

/* ------------------------------------------------------------------------ */
/* 80-bit long double emulation                                             */
/* ------------------------------------------------------------------------ */

const LD_PREC = 64;
const LD_MIN_LSB = -16445; // 2^-16445 is the smallest subnormal
const LD_MAX_EXP = 16384; // values must be < 2^16384
/** Redis's MAX_LONG_DOUBLE_CHARS: long double inputs must be shorter. */
export const MAX_LONG_DOUBLE_CHARS = 5 * 1024;

export const LD_FINITE = 0;
export const LD_INF = 1;
export const LD_NAN = 2;

/**
 * An x87 extended-precision value: (-1)^neg * mant * 2^exp for finite values
 * (mant < 2^64, not necessarily normalised), or an infinity / NaN.
 */
export interface LongDouble {
  readonly kind: typeof LD_FINITE | typeof LD_INF | typeof LD_NAN;
  readonly neg: boolean;
  readonly mant: bigint;
  readonly exp: number;
}

export const LD_ZERO: LongDouble = Object.freeze({ kind: LD_FINITE, neg: false, mant: 0n, exp: 0 });

function ldFinite(neg: boolean, mant: bigint, exp: number): LongDouble {
  return { kind: LD_FINITE, neg, mant, exp };
}
function ldInf(neg: boolean): LongDouble {
  return { kind: LD_INF, neg, mant: 0n, exp: 0 };
}
const LD_NAN_VALUE: LongDouble = Object.freeze({ kind: LD_NAN, neg: false, mant: 0n, exp: 0 });

/**
 * Parses bytes as Redis's string2ld does (strtold, strict): returns null for
 * "value is not a valid float" (empty, >= 5120 bytes, whitespace, garbage,
 * NaN, overflow, underflow to zero). Infinity ("inf", "-Infinity") is
 * returned as an LD_INF value.
 */
export function parseLongDouble(buf: Uint8Array, start = 0, end = buf.length): LongDouble | null {
  const len = end - start;
  if (len <= 0 || len >= MAX_LONG_DOUBLE_CHARS) return null;
  const e = scanNumber(buf, start, end);
  if (e !== end) return null;
  if (scKind === KIND_NAN) return null;
  if (scKind === KIND_INF) return ldInf(scNeg);
  const neg = scNeg;
  if (!scNonZero) return ldFinite(neg, 0n, 0);
  convertScanned(buf, LD_PREC, LD_MIN_LSB, LD_MAX_EXP, 4933, -4952);
  if (rInf) return null; // ERANGE overflow
  if (rq === 0n) return null; // ERANGE underflow to zero
  return ldFinite(neg, rq, rlsb);
}

/** Exact conversion of a double to long double. */
export function longDoubleFromNumber(d: number): LongDouble {
  if (d !== d) return LD_NAN_VALUE;
  if (d === Infinity || d === -Infinity) return ldInf(d < 0);
  const neg = isNegative(d);
  decompose(Math.abs(d));
  return ldFinite(neg, dm, dk);
}

/** Exact conversion of an int64 to long double. */
export function longDoubleFromI64(v: I64): LongDouble {
  const b = BigInt(v);
  return b < 0n ? ldFinite(true, -b, 0) : ldFinite(false, b, 0);
}

/** Rounds a long double to the nearest double (round-half-even). */
export function longDoubleToNumber(x: LongDouble): number {
  if (x.kind === LD_NAN) return NaN;
  if (x.kind === LD_INF) return x.neg ? -Infinity : Infinity;
  let v: number;
  if (x.mant === 0n) v = 0;
  else {
    roundBinary(x.mant, x.exp, false, DBL_PREC, DBL_MIN_LSB, DBL_MAX_EXP);
    v = rInf ? Infinity : rq === 0n ? 0 : scaledToNumber(rq, rlsb);
  }
  return x.neg ? -v : v;
}

export function isFiniteLongDouble(x: LongDouble): boolean {
  return x.kind === LD_FINITE;
}

/** a + b with one rounding to 64 mantissa bits (x87, round-to-nearest-even). */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble {
  if (a.kind === LD_NAN || b.kind === LD_NAN) return LD_NAN_VALUE;
  if (a.kind === LD_INF) {
    if (b.kind === LD_INF && b.neg !== a.neg) return LD_NAN_VALUE;
    return a;
  }
  if (b.kind === LD_INF) return b;
  if (a.mant === 0n && b.mant === 0n) return ldFinite(a.neg && b.neg, 0n, 0);
  if (a.mant === 0n) return b;
  if (b.mant === 0n) return a;
  const e = Math.min(a.exp, b.exp);
  const ma = a.mant << BigInt(a.exp - e);
  const mb = b.mant << BigInt(b.exp - e);
  const s = (a.neg ? -ma : ma) + (b.neg ? -mb : mb);
  if (s === 0n) return ldFinite(false, 0n, 0);
  const neg = s < 0n;
  roundBinary(neg ? -s : s, e, false, LD_PREC, LD_MIN_LSB, LD_MAX_EXP);
  if (rInf) return ldInf(neg);
  return ldFinite(neg, rq, rlsb);
}

const TEN17 = 10n ** 17n;

/**
 * printf("%.17Lf") followed by Redis's "human" trimming: trailing zeros
 * after the '.', then a trailing '.', are removed; "-0" becomes "0".
 * Infinities print as "inf" / "-inf".
 */
export function formatLongDoubleHuman(x: LongDouble): string {
  if (x.kind === LD_NAN) return x.neg ? '-nan' : 'nan';
  if (x.kind === LD_INF) return x.neg ? '-inf' : 'inf';
  let n: bigint;
  if (x.mant === 0n) n = 0n;
  else if (x.exp >= 0) n = (x.mant * TEN17) << BigInt(x.exp);
  else {
    const sh = -x.exp;
    const scaled = x.mant * TEN17;
    if (sh > bitLen(scaled)) n = 0n;
    else {
      const bsh = BigInt(sh);
      n = scaled >> bsh;
      const rem = scaled - (n << bsh);
      const half = 1n << (bsh - 1n);
      if (rem > half || (rem === half && (n & 1n) === 1n)) n++;
    }
  }
  let s = n.toString();
  if (s.length < 18) s = '0'.repeat(18 - s.length) + s;
  const ip = s.slice(0, s.length - 17);
  const fp = stripZeros(s.slice(s.length - 17));
  const out = fp.length ? ip + '.' + fp : ip;
  if (x.neg && out !== '0') return '-' + out;
  return out;
}

/**
 * The whole INCRBYFLOAT computation on the stored bytes (null when the key
 * does not exist) and the increment argument: the new value's bytes, or the
 * Redis error text. (WRONGTYPE must be checked by the caller first.)
 */
export function incrByFloat(current: Uint8Array | null, increment: Uint8Array): Buffer | string {
  const cur = current === null ? LD_ZERO : parseLongDouble(current);
  if (cur === null) return ERR_NOT_FLOAT;
  const inc = parseLongDouble(increment);
  if (inc === null) return ERR_NOT_FLOAT;
  const r = addLongDouble(cur, inc);
  if (r.kind !== LD_FINITE) return ERR_INCR_NAN_INF;
  return Buffer.from(formatLongDoubleHuman(r), 'latin1');
}

/**
 * Step 1 of HINCRBYFLOAT (before the WRONGTYPE check): parse and validate
 * the increment. Returns the value or the error text.
 */
export function parseHincrbyfloatIncrement(increment: Uint8Array): LongDouble | string {
  const inc = parseLongDouble(increment);
  if (inc === null) return ERR_NOT_FLOAT;
  if (inc.kind !== LD_FINITE) return ERR_VALUE_NAN_INF;
  return inc;
}

/**
 * Step 2 of HINCRBYFLOAT: apply a parsed increment to the current field
 * value (null when the field does not exist). Returns the new bytes or the
 * error text.
 */
export function hincrByFloatApply(current: Uint8Array | null, inc: LongDouble): Buffer | string {
  const cur = current === null ? LD_ZERO : parseLongDouble(current);
  if (cur === null) return ERR_HASH_NOT_FLOAT;
  const r = addLongDouble(cur, inc);
  if (r.kind !== LD_FINITE) return ERR_INCR_NAN_INF;
  return Buffer.from(formatLongDoubleHuman(r), 'latin1');
}
