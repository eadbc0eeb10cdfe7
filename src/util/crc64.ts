/**
 * CRC-64/Jones as used by Redis for RDB checksums and DUMP payloads:
 * reflected (LSB-first), polynomial 0xad93d23594c935a9, initial value 0, no
 * final xor. Check value: crc64("123456789") = 0xe9c6d914c4b8d9ca.
 *
 * Because there is no final xor the running CRC is the state, so chunks can
 * be fed incrementally: crc64(b, crc64(a)) === crc64(concat(a, b)).
 * Redis stores the 8-byte result little-endian (see Crc64.digestLE).
 *
 * Implementation: slicing-by-8 with the 64-bit state kept in two uint32
 * halves (no BigInt on the hot path) and 8 tables of 256 entries per half.
 */

const POLY = 0xad93d23594c935a9n;

function reflect64(v: bigint): bigint {
  let r = 0n;
  for (let i = 0; i < 64; i++) {
    r = (r << 1n) | (v & 1n);
    v >>= 1n;
  }
  return r;
}

const POLY_R = reflect64(POLY);
const P_LO = Number(POLY_R & 0xffffffffn) >>> 0;
const P_HI = Number(POLY_R >> 32n) >>> 0;

// T_LO[k * 256 + b], T_HI[k * 256 + b]: table k of slicing-by-8.
const T_LO = new Uint32Array(8 * 256);
const T_HI = new Uint32Array(8 * 256);
for (let n = 0; n < 256; n++) {
  let lo = n;
  let hi = 0;
  for (let i = 0; i < 8; i++) {
    const bit = lo & 1;
    lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
    hi = hi >>> 1;
    if (bit) {
      lo = (lo ^ P_LO) >>> 0;
      hi = (hi ^ P_HI) >>> 0;
    }
  }
  T_LO[n] = lo;
  T_HI[n] = hi;
}
for (let k = 1; k < 8; k++) {
  for (let n = 0; n < 256; n++) {
    const plo = T_LO[(k - 1) * 256 + n]!;
    const phi = T_HI[(k - 1) * 256 + n]!;
    // one more zero byte: crc = T0[crc & 0xff] ^ (crc >> 8)
    const idx = plo & 0xff;
    T_LO[k * 256 + n] = (T_LO[idx]! ^ ((plo >>> 8) | ((phi & 0xff) << 24))) >>> 0;
    T_HI[k * 256 + n] = (T_HI[idx]! ^ (phi >>> 8)) >>> 0;
  }
}

// state of the last update (module scratch, avoids returning objects)
let sLo = 0;
let sHi = 0;

function updateHalves(lo: number, hi: number, buf: Uint8Array, start: number, end: number): void {
  const TL = T_LO;
  const TH = T_HI;
  let i = start;
  const end8 = start + ((end - start) & ~7);
  while (i < end8) {
    const a = (lo ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24))) >>> 0;
    const b = (hi ^ (buf[i + 4]! | (buf[i + 5]! << 8) | (buf[i + 6]! << 16) | (buf[i + 7]! << 24))) >>> 0;
    const i7 = 7 * 256 + (a & 0xff);
    const i6 = 6 * 256 + ((a >>> 8) & 0xff);
    const i5 = 5 * 256 + ((a >>> 16) & 0xff);
    const i4 = 4 * 256 + (a >>> 24);
    const i3 = 3 * 256 + (b & 0xff);
    const i2 = 2 * 256 + ((b >>> 8) & 0xff);
    const i1 = 256 + ((b >>> 16) & 0xff);
    const i0 = b >>> 24;
    lo = TL[i7]! ^ TL[i6]! ^ TL[i5]! ^ TL[i4]! ^ TL[i3]! ^ TL[i2]! ^ TL[i1]! ^ TL[i0]!;
    hi = TH[i7]! ^ TH[i6]! ^ TH[i5]! ^ TH[i4]! ^ TH[i3]! ^ TH[i2]! ^ TH[i1]! ^ TH[i0]!;
    i += 8;
  }
  for (; i < end; i++) {
    const idx = (lo ^ buf[i]!) & 0xff;
    lo = TL[idx]! ^ ((lo >>> 8) | ((hi & 0xff) << 24));
    hi = TH[idx]! ^ (hi >>> 8);
  }
  sLo = lo >>> 0;
  sHi = hi >>> 0;
}

/**
 * One-shot or incremental CRC-64/Jones of buf[start, end): pass the previous
 * result as `crc` to continue a running checksum.
 */
export function crc64(buf: Uint8Array, crc: bigint = 0n, start = 0, end = buf.length): bigint {
  const c = BigInt.asUintN(64, crc);
  updateHalves(Number(c & 0xffffffffn), Number(c >> 32n), buf, start, end);
  return (BigInt(sHi) << 32n) | BigInt(sLo);
}

/** Incremental CRC-64/Jones without BigInt per chunk (for RDB writers/readers). */
export class Crc64 {
  private lo = 0;
  private hi = 0;

  constructor(seed: bigint = 0n) {
    this.set(seed);
  }

  /** Feeds buf[start, end). */
  update(buf: Uint8Array, start = 0, end = buf.length): this {
    updateHalves(this.lo, this.hi, buf, start, end);
    this.lo = sLo;
    this.hi = sHi;
    return this;
  }

  /** The running CRC as a 64-bit unsigned bigint. */
  get value(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }

  /** Replaces the running CRC (e.g. reset with 0n). */
  set(seed: bigint): this {
    const c = BigInt.asUintN(64, seed);
    this.lo = Number(c & 0xffffffffn);
    this.hi = Number(c >> 32n);
    return this;
  }

  /** The 8 bytes Redis appends to an RDB file / DUMP payload (little-endian). */
  digestLE(): Buffer {
    const out = Buffer.allocUnsafe(8);
    out.writeUInt32LE(this.lo, 0);
    out.writeUInt32LE(this.hi, 4);
    return out;
  }
}
