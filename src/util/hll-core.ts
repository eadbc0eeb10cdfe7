/**
 * HyperLogLog representation, byte-compatible with Redis 7.0 (pure functions, no server state).
 *
 * An HLL is an ordinary string value:
 *
 *   bytes 0-3   "HYLL"
 *   byte  4     encoding: 0 dense, 1 sparse
 *   bytes 5-7   unused (kept as found)
 *   bytes 8-15  cached cardinality, little endian; the top bit of byte 15 set = cache invalid
 *   bytes 16-   registers
 *
 * Dense: 16384 registers of 6 bits, packed least significant bit first (register i occupies
 * bits 6i..6i+5 of the byte stream, a byte's bit 0 coming first): 12288 bytes, 12304 in all.
 *
 * Sparse: a run-length code of the registers. Three opcodes:
 *   ZERO   00xxxxxx           xxxxxx+1 (1..64) registers at zero
 *   XZERO  01xxxxxx yyyyyyyy  14-bit length+1 (1..16384) registers at zero
 *   VAL    1vvvvvxx           xx+1 (1..4) registers at value vvvvv+1 (1..32)
 * A fresh HLL is sparse: header + one XZERO covering all registers (18 bytes).
 *
 * Byte-for-byte equality with redis-server after the same writes depends on the exact way a
 * register is changed in the sparse form (which opcodes replace the covering one, the merge of
 * neighbouring equal VALs afterwards, when the string is promoted to dense); those rules are
 * described where they are implemented below and were checked against redis-server 7.0.15 by
 * the differential and side-by-side tests.
 *
 * Elements are hashed with MurmurHash64A (seed 0xadc83b19); the low 14 bits pick the register,
 * and the register value is the position of the lowest set bit (1-based) of the remaining 50
 * bits, 51 when they are all zero. The cardinality is Otmar Ertl's improved raw estimator
 * ("New cardinality estimation algorithms for HyperLogLog sketches", 2017), which Redis 7.0
 * uses: it works on the histogram of register values and needs no bias tables.
 */

export const HLL_P = 14;
export const HLL_REGISTERS = 1 << HLL_P; // 16384
export const HLL_Q = 64 - HLL_P; // 50 hash bits left after the index
export const HLL_HDR = 16;
export const HLL_DENSE_BYTES = (HLL_REGISTERS * 6) / 8; // 12288
export const HLL_DENSE_SIZE = HLL_HDR + HLL_DENSE_BYTES; // 12304
export const HLL_DENSE = 0;
export const HLL_SPARSE = 1;
/** Largest value a sparse VAL opcode can hold; a bigger register forces the dense form. */
export const SPARSE_VAL_MAX = 32;
const SPARSE_VAL_MAX_LEN = 4;
const SPARSE_ZERO_MAX_LEN = 64;
const SPARSE_XZERO_MAX_LEN = 16384;

const CACHE_INVALID_BYTE = 15;

// ------------------------------------------------------------------ MurmurHash64A

// m = 0xc6a4a7935bd1e995 split in 32-bit halves; r = 47.
const M_HI = 0xc6a4a793 | 0;
const M_LO = 0x5bd1e995 | 0;
const M_LO_0 = M_LO & 0xffff;
const M_LO_1 = M_LO >>> 16;
export const HLL_SEED = 0xadc83b19;

// Results of mulM (two int32 halves): returning them through module state avoids allocating.
let mHi = 0;
let mLo = 0;

/** (hi:lo) * m mod 2^64 into mHi:mLo. */
function mulM(hi: number, lo: number): void {
  // lo * M_LO needs the full 64-bit product: 16-bit limbs keep every partial product exact.
  const a0 = lo & 0xffff;
  const a1 = lo >>> 16;
  const p00 = a0 * M_LO_0;
  const p01 = a0 * M_LO_1;
  const p10 = a1 * M_LO_0;
  const p11 = a1 * M_LO_1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  mLo = (mid << 16) | (p00 & 0xffff);
  const carry = p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  mHi = (carry + Math.imul(hi, M_LO) + Math.imul(lo, M_HI)) | 0;
}

/** Halves of the last murmur64a result (int32 each; `>>> 0` for unsigned). */
export let hashHi = 0;
export let hashLo = 0;

/**
 * MurmurHash64A of b[start, end) with a 32-bit seed (zero-extended), blocks read little endian
 * as Redis does on every platform. The result is left in hashHi / hashLo.
 */
export function murmur64a(b: Uint8Array, start: number, end: number, seed: number): void {
  const len = end - start;
  mulM(0, len);
  let hHi = mHi;
  let hLo = mLo ^ seed;
  const blocksEnd = start + (len & ~7);
  let i = start;
  for (; i < blocksEnd; i += 8) {
    let kLo = b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
    let kHi = b[i + 4]! | (b[i + 5]! << 8) | (b[i + 6]! << 16) | (b[i + 7]! << 24);
    mulM(kHi, kLo);
    kHi = mHi;
    kLo = mLo ^ (mHi >>> 15); // k ^= k >> 47
    mulM(kHi, kLo);
    hHi ^= mHi;
    hLo ^= mLo;
    mulM(hHi, hLo);
    hHi = mHi;
    hLo = mLo;
  }
  const tail = len & 7;
  if (tail !== 0) {
    let tLo = 0;
    let tHi = 0;
    for (let j = tail - 1; j >= 0; j--) {
      const v = b[i + j]!;
      if (j >= 4) tHi |= v << ((j - 4) * 8);
      else tLo |= v << (j * 8);
    }
    hHi ^= tHi;
    hLo ^= tLo;
    mulM(hHi, hLo);
    hHi = mHi;
    hLo = mLo;
  }
  hLo ^= hHi >>> 15;
  mulM(hHi, hLo);
  hashHi = mHi;
  hashLo = mLo ^ (mHi >>> 15);
}

/**
 * Register index and value for an element: index * 64 + value (value 1..51), one number so
 * the hot path allocates nothing. The value is 1 + the number of trailing zero bits of the hash
 * shifted right by 14, with bit 50 forced on so that it never exceeds 51.
 */
export function hllPatLen(b: Uint8Array, start: number, end: number): number {
  murmur64a(b, start, end, HLL_SEED);
  const index = hashLo & (HLL_REGISTERS - 1);
  const restLo = (hashLo >>> HLL_P) | (hashHi << (32 - HLL_P));
  let count: number;
  if (restLo !== 0) {
    count = 32 - Math.clz32(restLo & -restLo);
  } else {
    const restHi = (hashHi >>> HLL_P) | (1 << (HLL_Q - 32));
    count = 64 - Math.clz32(restHi & -restHi);
  }
  return index * 64 + count;
}

// ------------------------------------------------------------------ header

/** Is `v` an HLL as far as the type check goes (Redis answers WRONGTYPE otherwise)? */
export function isHllString(v: Uint8Array): boolean {
  if (v.length < HLL_HDR) return false;
  if (v[0] !== 0x48 || v[1] !== 0x59 || v[2] !== 0x4c || v[3] !== 0x4c) return false;
  const enc = v[4]!;
  if (enc > HLL_SPARSE) return false;
  // Only the dense form has a fixed size; a sparse string is checked when it is decoded.
  return enc !== HLL_DENSE || v.length === HLL_DENSE_SIZE;
}

export function cacheValid(v: Uint8Array): boolean {
  return (v[CACHE_INVALID_BYTE]! & 0x80) === 0;
}

export function invalidateCache(v: Uint8Array): void {
  v[CACHE_INVALID_BYTE] = v[CACHE_INVALID_BYTE]! | 0x80;
}

/** The cached cardinality (valid cache only): a number when exact, else a bigint. */
export function cachedCard(v: Uint8Array): number | bigint {
  const lo = (v[8]! | (v[9]! << 8) | (v[10]! << 16) | (v[11]! << 24)) >>> 0;
  const hi = (v[12]! | (v[13]! << 8) | (v[14]! << 16) | (v[15]! << 24)) >>> 0;
  if (hi < 0x200000) return hi * 0x100000000 + lo;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/**
 * Stores an estimate as the cached cardinality, little endian. CARD_OVERFLOW is stored as
 * INT64_MIN's bytes, whose top bit leaves the cache marked invalid.
 */
export function storeCard(v: Uint8Array, card: number): void {
  if (card === CARD_OVERFLOW) {
    v.fill(0, 8, 15);
    v[15] = 0x80;
    return;
  }
  let x = card;
  for (let i = 8; i < 16; i++) {
    const byte = x % 256;
    v[i] = byte;
    x = (x - byte) / 256;
  }
}

/** A fresh (empty, sparse) HLL: header with a valid zero cache + XZERO(16384). */
export function newSparseHll(): Buffer {
  const b = Buffer.alloc(HLL_HDR + 2);
  b[0] = 0x48;
  b[1] = 0x59;
  b[2] = 0x4c;
  b[3] = 0x4c;
  b[4] = HLL_SPARSE;
  b[HLL_HDR] = 0x40 | ((SPARSE_XZERO_MAX_LEN - 1) >>> 8);
  b[HLL_HDR + 1] = (SPARSE_XZERO_MAX_LEN - 1) & 0xff;
  return b;
}

// ------------------------------------------------------------------ dense registers

/** Register i of a dense HLL whose registers start at `off`. */
export function denseGet(b: Uint8Array, off: number, i: number): number {
  const bit = i * 6;
  const byte = off + (bit >>> 3);
  const fb = bit & 7;
  let v = b[byte]! >>> fb;
  if (fb > 2) v |= b[byte + 1]! << (8 - fb);
  return v & 63;
}

/** Sets register i (val 0..63); never touches a byte outside the register area. */
export function denseSet(b: Uint8Array, off: number, i: number, val: number): void {
  const bit = i * 6;
  const byte = off + (bit >>> 3);
  const fb = bit & 7;
  b[byte] = (b[byte]! & ~(63 << fb)) | (val << fb);
  if (fb > 2) {
    const fb8 = 8 - fb;
    b[byte + 1] = (b[byte + 1]! & ~(63 >>> fb8)) | (val >>> fb8);
  }
}

/** Unpacks all dense registers into regs (one byte each). */
export function denseToRegs(b: Uint8Array, regs: Uint8Array): void {
  // Four registers per three bytes.
  let p = HLL_HDR;
  for (let i = 0; i < HLL_REGISTERS; i += 4) {
    const b0 = b[p]!;
    const b1 = b[p + 1]!;
    const b2 = b[p + 2]!;
    regs[i] = b0 & 63;
    regs[i + 1] = ((b0 >>> 6) | (b1 << 2)) & 63;
    regs[i + 2] = ((b1 >>> 4) | (b2 << 4)) & 63;
    regs[i + 3] = b2 >>> 2;
    p += 3;
  }
}

// ------------------------------------------------------------------ sparse decoding

/**
 * Walks the sparse opcodes of v[16, end): calls nothing, fills `regs` (when given) and `histo`
 * (when given). Returns false when the runs do not cover exactly 16384 registers.
 */
export function sparseDecode(v: Uint8Array, end: number, regs: Uint8Array | null, histo: Float64Array | null): boolean {
  let idx = 0;
  let p = HLL_HDR;
  while (p < end) {
    const op = v[p]!;
    if ((op & 0x80) !== 0) {
      const len = (op & 3) + 1;
      const val = ((op >>> 2) & 0x1f) + 1;
      if (idx + len > HLL_REGISTERS) return false;
      if (regs !== null) for (let k = 0; k < len; k++) regs[idx + k] = val;
      if (histo !== null) histo[val] = histo[val]! + len;
      idx += len;
      p++;
    } else {
      let len: number;
      if ((op & 0x40) === 0) {
        len = (op & 0x3f) + 1;
        p++;
      } else {
        len = (((op & 0x3f) << 8) | (p + 1 < end ? v[p + 1]! : 0)) + 1;
        p += 2;
      }
      if (idx + len > HLL_REGISTERS) return false;
      if (regs !== null) regs.fill(0, idx, idx + len);
      if (histo !== null) histo[0] = histo[0]! + len;
      idx += len;
    }
  }
  return idx === HLL_REGISTERS;
}

/** PFDEBUG DECODE text: "z:len", "Z:len", "v:value,len" separated by spaces. */
export function sparseDescribe(v: Uint8Array): string {
  const end = v.length;
  const parts: string[] = [];
  let p = HLL_HDR;
  while (p < end) {
    const op = v[p]!;
    if ((op & 0x80) !== 0) {
      parts.push('v:' + (((op >>> 2) & 0x1f) + 1) + ',' + ((op & 3) + 1));
      p++;
    } else if ((op & 0x40) === 0) {
      parts.push('z:' + ((op & 0x3f) + 1));
      p++;
    } else {
      parts.push('Z:' + ((((op & 0x3f) << 8) | (p + 1 < end ? v[p + 1]! : 0)) + 1));
      p += 2;
    }
  }
  return parts.join(' ');
}

/**
 * The dense form of a sparse HLL (a new buffer: header copied, cache included, encoding set
 * to dense), or null when the sparse form is corrupt.
 */
export function sparseToDense(v: Uint8Array, end: number): Buffer | null {
  const regs = scratchRegs();
  if (!sparseDecode(v, end, regs, null)) return null;
  const d = Buffer.alloc(HLL_DENSE_SIZE);
  for (let i = 0; i < HLL_HDR; i++) d[i] = v[i]!;
  d[4] = HLL_DENSE;
  regsToDense(regs, d);
  return d;
}

/** Packs one-byte registers (values < 64) into the dense area of d. */
export function regsToDense(regs: Uint8Array, d: Uint8Array): void {
  let p = HLL_HDR;
  for (let i = 0; i < HLL_REGISTERS; i += 4) {
    const r0 = regs[i]!;
    const r1 = regs[i + 1]!;
    const r2 = regs[i + 2]!;
    const r3 = regs[i + 3]!;
    d[p] = r0 | (r1 << 6);
    d[p + 1] = (r1 >>> 2) | (r2 << 4);
    d[p + 2] = (r2 >>> 4) | (r3 << 2);
    p += 3;
  }
}

let regScratch: Uint8Array | null = null;
function scratchRegs(): Uint8Array {
  if (regScratch === null) regScratch = new Uint8Array(HLL_REGISTERS);
  return regScratch;
}

// ------------------------------------------------------------------ a mutable HLL

/**
 * An HLL being modified: `buf[0, len)` is the string, with spare capacity after it so that a
 * sparse change (at most 3 bytes longer) does not reallocate each time.
 */
export class HllWork {
  buf: Buffer;
  len: number;

  constructor(capacity = 256) {
    this.buf = Buffer.alloc(capacity);
    this.len = 0;
  }

  /** Loads a copy of v. */
  load(v: Uint8Array): void {
    this.reserve(v.length + 8);
    this.buf.set(v, 0);
    this.len = v.length;
  }

  /** Makes room for `n` bytes in all. */
  reserve(n: number): void {
    if (this.buf.length >= n) return;
    const next = Buffer.alloc(Math.max(n, this.buf.length * 2));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  view(): Buffer {
    return this.buf.subarray(0, this.len);
  }

  isSparse(): boolean {
    return this.buf[4] === HLL_SPARSE;
  }

  /**
   * Raises register `index` to `count` (no-op when it is already as high). Returns 1 when the
   * HLL changed, 0 when not, -1 when the sparse form is corrupt. `maxSparse` is
   * hll-sparse-max-bytes.
   */
  set(index: number, count: number, maxSparse: number): number {
    if (this.buf[4] === HLL_DENSE) {
      if (denseGet(this.buf, HLL_HDR, index) >= count) return 0;
      denseSet(this.buf, HLL_HDR, index, count);
      return 1;
    }
    return this.sparseSet(index, count, maxSparse);
  }

  /** Converts to dense in place; false when the sparse form is corrupt. */
  toDense(): boolean {
    const d = sparseToDense(this.buf, this.len);
    if (d === null) return false;
    this.buf = d;
    this.len = HLL_DENSE_SIZE;
    return true;
  }

  private promote(index: number, count: number): number {
    if (!this.toDense()) return -1;
    // The register was below `count` in the sparse form, so the dense write always changes it.
    denseSet(this.buf, HLL_HDR, index, count);
    return 1;
  }

  /**
   * The sparse register update. The opcode covering `index` is found; if it is a VAL already
   * at least `count`, nothing changes. A single-register VAL or ZERO is rewritten in place.
   * Otherwise the opcode is replaced by up to three: the part of its run before `index` (same
   * kind: VAL of the old value, or ZERO / XZERO for runs longer than 64), VAL(count, 1), the
   * part after. If that makes the string longer than hll-sparse-max-bytes, or `count` does not
   * fit a VAL (> 32), the HLL becomes dense instead. Finally neighbouring VALs with the same
   * value are merged, looking at most five opcodes from the one before the change.
   */
  private sparseSet(index: number, count: number, maxSparse: number): number {
    if (count > SPARSE_VAL_MAX) return this.promote(index, count);
    let b = this.buf;
    let end = this.len;
    let p = HLL_HDR;
    let prev = -1;
    let first = 0;
    let span = 0;
    let oplen = 1;
    while (p < end) {
      const op = b[p]!;
      oplen = 1;
      if ((op & 0xc0) === 0) span = (op & 0x3f) + 1;
      else if ((op & 0x80) !== 0) span = (op & 3) + 1;
      else {
        span = (((op & 0x3f) << 8) | (p + 1 < end ? b[p + 1]! : 0)) + 1;
        oplen = 2;
      }
      if (index <= first + span - 1) break;
      prev = p;
      p += oplen;
      first += span;
    }
    if (span === 0 || p >= end) return -1;

    const op = b[p]!;
    const isVal = (op & 0x80) !== 0;
    const isZero = (op & 0xc0) === 0;
    const runlen = span;
    let oldVal = 0;
    if (isVal) {
      oldVal = ((op >>> 2) & 0x1f) + 1;
      if (oldVal >= count) return 0;
    }
    if ((isVal || isZero) && runlen === 1) {
      b[p] = valOp(count, 1);
    } else {
      // Build the replacement sequence (at most 5 bytes) in seq.
      const seq = SEQ;
      let n = 0;
      const last = first + span - 1;
      if (!isVal) {
        if (index !== first) n = putZero(seq, n, index - first);
        seq[n++] = valOp(count, 1);
        if (index !== last) n = putZero(seq, n, last - index);
      } else {
        if (index !== first) seq[n++] = valOp(oldVal, index - first);
        seq[n++] = valOp(count, 1);
        if (index !== last) seq[n++] = valOp(oldVal, last - index);
      }
      const delta = n - oplen;
      if (delta > 0 && end + delta > maxSparse) return this.promote(index, count);
      if (delta !== 0) {
        this.reserve(end + delta + 8);
        b = this.buf;
        b.copyWithin(p + n, p + oplen, end);
        end += delta;
      }
      for (let k = 0; k < n; k++) b[p + k] = seq[k]!;
    }

    // Merge neighbouring VALs of equal value (combined run of at most 4).
    let q = prev >= 0 ? prev : HLL_HDR;
    let scan = 5;
    while (q < end && scan-- > 0) {
      const o = b[q]!;
      if ((o & 0x80) === 0) {
        q += (o & 0x40) !== 0 ? 2 : 1;
        continue;
      }
      if (q + 1 < end) {
        const o2 = b[q + 1]!;
        if ((o2 & 0x80) !== 0 && ((o >>> 2) & 0x1f) === ((o2 >>> 2) & 0x1f)) {
          const len = (o & 3) + (o2 & 3) + 2;
          if (len <= SPARSE_VAL_MAX_LEN) {
            b[q] = (o & 0xfc) | (len - 1);
            b.copyWithin(q + 1, q + 2, end);
            end--;
            continue;
          }
        }
      }
      q++;
    }
    this.len = end;
    invalidateCache(b);
    return 1;
  }
}

const SEQ = new Uint8Array(5);

function valOp(val: number, len: number): number {
  return 0x80 | ((val - 1) << 2) | (len - 1);
}

function putZero(seq: Uint8Array, n: number, len: number): number {
  if (len > SPARSE_ZERO_MAX_LEN) {
    seq[n] = 0x40 | ((len - 1) >>> 8);
    seq[n + 1] = (len - 1) & 0xff;
    return n + 2;
  }
  seq[n] = len - 1;
  return n + 1;
}

// ------------------------------------------------------------------ merge and estimate

/**
 * Raises max[i] to every register of the HLL string v (PFMERGE / multi-key PFCOUNT). Returns
 * false for a corrupt sparse form.
 */
export function mergeInto(max: Uint8Array, v: Uint8Array): boolean {
  if (v[4] === HLL_DENSE) {
    let p = HLL_HDR;
    for (let i = 0; i < HLL_REGISTERS; i += 4) {
      const b0 = v[p]!;
      const b1 = v[p + 1]!;
      const b2 = v[p + 2]!;
      const r0 = b0 & 63;
      const r1 = ((b0 >>> 6) | (b1 << 2)) & 63;
      const r2 = ((b1 >>> 4) | (b2 << 4)) & 63;
      const r3 = b2 >>> 2;
      if (r0 > max[i]!) max[i] = r0;
      if (r1 > max[i + 1]!) max[i + 1] = r1;
      if (r2 > max[i + 2]!) max[i + 2] = r2;
      if (r3 > max[i + 3]!) max[i + 3] = r3;
      p += 3;
    }
    return true;
  }
  let idx = 0;
  let p = HLL_HDR;
  const end = v.length;
  while (p < end) {
    const op = v[p]!;
    if ((op & 0x80) !== 0) {
      const len = (op & 3) + 1;
      const val = ((op >>> 2) & 0x1f) + 1;
      if (idx + len > HLL_REGISTERS) return false;
      for (let k = 0; k < len; k++, idx++) if (val > max[idx]!) max[idx] = val;
      p++;
    } else {
      let len: number;
      if ((op & 0x40) === 0) {
        len = (op & 0x3f) + 1;
        p++;
      } else {
        len = (((op & 0x3f) << 8) | (p + 1 < end ? v[p + 1]! : 0)) + 1;
        p += 2;
      }
      if (idx + len > HLL_REGISTERS) return false;
      idx += len;
    }
  }
  return idx === HLL_REGISTERS;
}

const HISTO = new Float64Array(64);

/** Histogram of the registers of HLL string v into HISTO; false for a corrupt sparse form. */
function histogramOf(v: Uint8Array): boolean {
  HISTO.fill(0);
  if (v[4] === HLL_SPARSE) return sparseDecode(v, v.length, null, HISTO);
  let p = HLL_HDR;
  for (let i = 0; i < HLL_REGISTERS; i += 4) {
    const b0 = v[p]!;
    const b1 = v[p + 1]!;
    const b2 = v[p + 2]!;
    HISTO[b0 & 63]++;
    HISTO[((b0 >>> 6) | (b1 << 2)) & 63]++;
    HISTO[((b1 >>> 4) | (b2 << 4)) & 63]++;
    HISTO[b2 >>> 2]++;
    p += 3;
  }
  return true;
}

/** The estimate for an HLL string, or -1 when its sparse form is corrupt. */
export function hllCount(v: Uint8Array): number {
  if (!histogramOf(v)) return -1;
  return estimate(HISTO);
}

/** The estimate for one-byte registers (values < 64). */
export function countRegs(regs: Uint8Array): number {
  HISTO.fill(0);
  for (let i = 0; i < HLL_REGISTERS; i++) HISTO[regs[i]!]++;
  return estimate(HISTO);
}

// α∞ = 1 / (2 ln 2) = 0.72134752044448170368..., written as the double nearest to it.
const ALPHA_INF = 0.7213475204444817;

/**
 * Ertl's improved raw estimator from the register histogram C[0..q+1]:
 *   z = m τ(1 − C[q+1]/m);  for k = q..1: z = (z + C[k]) / 2;  z += m σ(C[0]/m)
 *   E = α∞ m² / z, rounded to the nearest integer (halves away from zero).
 * Values above q+1 cannot come from hashing (a crafted dense string may hold them); they are
 * counted by nobody, as in Redis.
 */
export function estimate(C: Float64Array): number {
  const m = HLL_REGISTERS;
  let z = m * tau((m - C[HLL_Q + 1]!) / m);
  for (let k = HLL_Q; k >= 1; k--) {
    z += C[k]!;
    z *= 0.5;
  }
  z += m * sigma(C[0]! / m);
  const e = Math.round((ALPHA_INF * m * m) / z);
  // Redis rounds with llroundl, which cannot represent 2^63 or more (only crafted registers
  // get there: z = 0 gives infinity): the result is then INT64_MIN.
  return e >= 9223372036854775808 ? CARD_OVERFLOW : e;
}

/** estimate()'s result when the estimate does not fit an int64 (Redis answers INT64_MIN). */
export const CARD_OVERFLOW = Infinity;

/** σ(x) = x + Σ_{k≥1} x^(2^k) 2^(k−1), summed until the sum stops changing; σ(1) = ∞. */
export function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  let zPrev: number;
  do {
    x *= x;
    zPrev = z;
    z += x * y;
    y += y;
  } while (zPrev !== z);
  return z;
}

/** τ(x) = (1 − x − Σ_{k≥1} (1 − x^(2^−k))² 2^−k) / 3, summed until stable; τ(0) = τ(1) = 0. */
export function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  let zPrev: number;
  do {
    x = Math.sqrt(x);
    zPrev = z;
    y *= 0.5;
    const d = 1 - x;
    z -= d * d * y;
  } while (zPrev !== z);
  return z / 3;
}
