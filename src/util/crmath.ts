/**
 * Correctly rounded sin, cos and asin (for the arguments geo distances use).
 *
 * Redis computes geo distances with the C library's sin/cos/asin. V8's Math.sin/cos/asin
 * (fdlibm ports) differ from glibc's in the last bit for about 1-3% of arguments, which shows in
 * stored distances (GEOSEARCHSTORE ... STOREDIST keeps 17 digits) and for points right on a
 * search radius. glibc's results are the correctly rounded ones except near ties (measured:
 * about 0.03-0.13% of arguments, where glibc is off by up to 0.505 units in the last place), so
 * correctly rounded functions match it about 30 times more often. Each is evaluated in
 * double-double arithmetic and rounded once. Arguments beyond 1e5 radians, which no distance
 * needs, fall back to Math.
 */

// Double-double results are returned through these two variables (no allocation).
let RH = 0;
let RL = 0;

const SPLITTER = 134217729; // 2^27 + 1

/** RH + RL = a * b exactly. */
function twoProd(a: number, b: number): void {
  const p = a * b;
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  RH = p;
  RL = ah * bh - p + ah * bl + al * bh + al * bl;
}

/** (ah, al) * (bh, bl). */
function mul(ah: number, al: number, bh: number, bl: number): void {
  twoProd(ah, bh);
  const ph = RH;
  const pl = RL + (ah * bl + al * bh);
  RH = ph + pl;
  RL = pl - (RH - ph);
}

/** (ah, al) + (bh, bl), the accurate variant. */
function add(ah: number, al: number, bh: number, bl: number): void {
  let s = ah + bh;
  let bb = s - ah;
  let e = ah - (s - bb) + (bh - bb);
  const t = al + bl;
  bb = t - al;
  const f = al - (t - bb) + (bl - bb);
  e += t;
  let h = s + e;
  e = e - (h - s);
  s = h;
  e += f;
  h = s + e;
  RH = h;
  RL = e - (h - s);
}

// Inverse factorials 1/n! as double-doubles, for the Taylor series.
const N_TERMS = 32;
const INV_FACT_H = new Float64Array(N_TERMS);
const INV_FACT_L = new Float64Array(N_TERMS);
{
  let h = 1;
  let l = 0;
  INV_FACT_H[0] = 1;
  for (let n = 1; n < N_TERMS; n++) {
    // (h, l) / n: q1 = h / n, then correct with the remainder.
    const q1 = h / n;
    twoProd(q1, n);
    const r = h - RH - RL + l;
    const q2 = r / n;
    h = q1 + q2;
    l = q2 - (h - q1);
    INV_FACT_H[n] = h;
    INV_FACT_L[n] = l;
  }
}

// pi/2 split into doubles (pi/2 = P1 + P2 + P3 to about 160 bits).
const P1 = 1.5707963267948966;
const P2 = 6.123233995736766e-17;
const P3 = -1.4973849048591698e-33;

/** sin of the double-double r (|r| <= pi/4), into RH/RL. */
function sinKernel(rh: number, rl: number): void {
  mul(rh, rl, rh, rl);
  const r2h = RH;
  const r2l = RL;
  // sin r = r (1/1! - r^2 (1/3! - r^2 (1/5! - ...))). The tail from 1/7! on is below 4e-5 and
  // is summed in double (its rounding error, ~4e-21, misrounds about one result in 10^5); the
  // leading terms in double-double.
  const r2 = r2h;
  let t = INV_FACT_H[27]!;
  for (let n = 25; n >= 7; n -= 2) t = INV_FACT_H[n]! - r2 * t;
  let sh = t;
  let sl = 0;
  for (let n = 5; n >= 1; n -= 2) {
    mul(sh, sl, r2h, r2l);
    add(INV_FACT_H[n]!, INV_FACT_L[n]!, -RH, -RL);
    sh = RH;
    sl = RL;
  }
  mul(sh, sl, rh, rl);
}

/** cos of the double-double r (|r| <= pi/4), into RH/RL. */
function cosKernel(rh: number, rl: number): void {
  mul(rh, rl, rh, rl);
  const r2h = RH;
  const r2l = RL;
  // cos r = 1/0! - r^2 (1/2! - r^2 (1/4! - ...)), tail from 1/8! in double.
  const r2 = r2h;
  let t = INV_FACT_H[28]!;
  for (let n = 26; n >= 8; n -= 2) t = INV_FACT_H[n]! - r2 * t;
  let sh = t;
  let sl = 0;
  for (let n = 6; n >= 0; n -= 2) {
    mul(sh, sl, r2h, r2l);
    add(INV_FACT_H[n]!, INV_FACT_L[n]!, -RH, -RL);
    sh = RH;
    sl = RL;
  }
}

/** x - k*pi/2 as a double-double into RH/RL; returns k mod 4. */
function reduce(x: number): number {
  const k = Math.round(x * 0.6366197723675814);
  twoProd(k, P1);
  add(x, 0, -RH, -RL);
  let h = RH;
  let l = RL;
  twoProd(k, P2);
  add(h, l, -RH, -RL);
  h = RH;
  l = RL;
  add(h, l, -k * P3, 0);
  return k & 3;
}

const LIMIT = 1e5;

export function sin(x: number): number {
  if (!(Math.abs(x) <= LIMIT)) return Math.sin(x);
  if (x === 0) return x;
  const q = reduce(x);
  const rh = RH;
  const rl = RL;
  if (q === 0) sinKernel(rh, rl);
  else if (q === 1) cosKernel(rh, rl);
  else if (q === 2) {
    sinKernel(rh, rl);
    return -(RH + RL);
  } else {
    cosKernel(rh, rl);
    return -(RH + RL);
  }
  return RH + RL;
}

export function cos(x: number): number {
  if (!(Math.abs(x) <= LIMIT)) return Math.cos(x);
  const q = reduce(x);
  const rh = RH;
  const rl = RL;
  if (q === 0) cosKernel(rh, rl);
  else if (q === 1) {
    sinKernel(rh, rl);
    return -(RH + RL);
  } else if (q === 2) {
    cosKernel(rh, rl);
    return -(RH + RL);
  } else sinKernel(rh, rl);
  return RH + RL;
}

/** asin of a double-double t (0 <= t <= 0.5) into RH/RL: one Newton step from Math.asin. */
function asinSmall(th: number, tl: number): void {
  const y = Math.asin(th + tl);
  // y' = y + (t - sin y) / cos y, with sin/cos of the (small) double y in double-double.
  sinKernelOrReduced(y);
  const sh = RH;
  const sl = RL;
  add(th, tl, -sh, -sl);
  const dh = RH;
  const dl = RL;
  cosKernelOrReduced(y);
  const corr = (dh + dl) / (RH + RL);
  add(y, 0, corr, 0);
}

function sinKernelOrReduced(y: number): void {
  // 0 <= y <= pi/6 < pi/4: no reduction needed.
  sinKernel(y, 0);
}

function cosKernelOrReduced(y: number): void {
  cosKernel(y, 0);
}

export function asin(x: number): number {
  if (!(x >= 0 && x <= 1)) return Math.asin(x);
  if (x === 0) return x;
  if (x <= 0.5) {
    asinSmall(x, 0);
    return RH + RL;
  }
  // asin(x) = pi/2 - 2 asin(sqrt((1 - x) / 2)); 1 - x is exact for x in [0.5, 1].
  const t = (1 - x) / 2;
  const s = Math.sqrt(t);
  // sqrt(t) in double-double: s + (t - s^2) / (2s).
  twoProd(s, s);
  const sl = s === 0 ? 0 : (t - RH - RL) / (2 * s);
  asinSmall(s, sl);
  const ah = RH * 2;
  const al = RL * 2;
  add(P1, P2, -ah, -al);
  return RH + RL;
}
