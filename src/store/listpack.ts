/**
 * Redis's listpack byte layout, exactly (RDB types 16/17/18/20 and stream nodes store it
 * verbatim, and DEBUG DIGEST of a stream folds its raw node bytes, so "close" is not enough).
 *
 *   <total-bytes u32 LE> <num-elements u16 LE, 65535 = unknown> <element>* <0xFF>
 *   element = <encoding+data> <backlen: size of encoding+data, 7 bits per byte, big-endian
 *             groups, every byte but the first with bit 7 set>
 *
 * The writer follows Redis's rule: an element whose bytes are a canonical decimal int64 is
 * stored with the smallest integer encoding, anything else with the smallest string encoding.
 * The reader accepts any valid encoding and throws ListpackError on anything out of bounds, so
 * RDB loading can hand it untrusted bytes.
 */

import { parseI64, type I64 } from '../util/numbers.js';

export const LP_HEADER_SIZE = 6;
export const LP_EOF = 0xff;
/** num-elements value meaning "too many to count in the header: walk the listpack". */
export const LP_COUNT_UNKNOWN = 65535;

export class ListpackError extends Error {}

/** Bytes needed for the backlen of an element whose encoding+data is `len` bytes. */
function backlenSize(len: number): number {
  if (len <= 127) return 1;
  if (len < 16383) return 2;
  if (len < 2097151) return 3;
  if (len < 268435455) return 4;
  return 5;
}

/** Appends elements; `finish()` returns a listpack Buffer of exactly the bytes used. */
export class ListpackWriter {
  private buf: Buffer;
  private pos = LP_HEADER_SIZE;
  private n = 0;

  constructor(initialSize = 64) {
    this.buf = Buffer.allocUnsafe(Math.max(initialSize, 16));
  }

  get count(): number {
    return this.n;
  }

  /** Bytes the listpack would have if finished now (header and terminator included). */
  get byteLength(): number {
    return this.pos + 1;
  }

  private reserve(extra: number): void {
    const need = this.pos + extra + 1;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const nb = Buffer.allocUnsafe(size);
    this.buf.copy(nb, 0, 0, this.pos);
    this.buf = nb;
  }

  private backlen(len: number): void {
    const b = this.buf;
    let p = this.pos;
    const size = backlenSize(len);
    // Most significant 7-bit group first; bit 7 marks every byte except the first.
    for (let i = size - 1; i >= 0; i--) {
      const group = Math.floor(len / 2 ** (7 * i)) & 0x7f;
      b[p++] = i === size - 1 ? group : group | 0x80;
    }
    this.pos = p;
  }

  /** Appends bytes, as an integer when they are a canonical int64 (Redis's lpAppend rule). */
  append(value: Uint8Array, start = 0, end = value.length): void {
    if (end - start <= 20 && end > start) {
      const v = parseI64(value, start, end);
      if (v !== null) {
        this.appendInteger(v);
        return;
      }
    }
    this.appendString(value, start, end);
  }

  /** Appends bytes with a string encoding, whatever they contain. */
  appendString(value: Uint8Array, start = 0, end = value.length): void {
    const len = end - start;
    this.reserve(len + 5 + 5);
    const b = this.buf;
    let p = this.pos;
    let hdr: number;
    if (len < 64) {
      b[p++] = 0x80 | len;
      hdr = 1;
    } else if (len < 4096) {
      b[p++] = 0xe0 | (len >>> 8);
      b[p++] = len & 0xff;
      hdr = 2;
    } else {
      b[p++] = 0xf0;
      b.writeUInt32LE(len, p);
      p += 4;
      hdr = 5;
    }
    b.set(value.subarray(start, end), p);
    this.pos = p + len;
    this.backlen(hdr + len);
    this.n++;
  }

  /** Appends an integer with the smallest integer encoding. */
  appendInteger(v: I64): void {
    this.reserve(9 + 1);
    const b = this.buf;
    const p = this.pos;
    let size: number;
    if (typeof v === 'bigint') {
      if (v >= -(2n ** 31n) && v < 2n ** 31n) {
        this.appendInteger(Number(v));
        return;
      }
      b[p] = 0xf4;
      b.writeBigInt64LE(v, p + 1);
      size = 9;
    } else if (v >= 0 && v <= 127) {
      b[p] = v;
      size = 1;
    } else if (v >= -4096 && v <= 4095) {
      const u = v < 0 ? v + 8192 : v;
      b[p] = 0xc0 | (u >>> 8);
      b[p + 1] = u & 0xff;
      size = 2;
    } else if (v >= -32768 && v <= 32767) {
      b[p] = 0xf1;
      b.writeInt16LE(v, p + 1);
      size = 3;
    } else if (v >= -8388608 && v <= 8388607) {
      b[p] = 0xf2;
      b.writeIntLE(v, p + 1, 3);
      size = 4;
    } else if (v >= -2147483648 && v <= 2147483647) {
      b[p] = 0xf3;
      b.writeInt32LE(v, p + 1);
      size = 5;
    } else {
      b[p] = 0xf4;
      b.writeBigInt64LE(BigInt(v), p + 1);
      size = 9;
    }
    this.pos = p + size;
    this.backlen(size);
    this.n++;
  }

  /** The finished listpack (a copy sized exactly; the writer can be reused after `reset`). */
  finish(): Buffer {
    const b = this.buf;
    b[this.pos] = LP_EOF;
    const total = this.pos + 1;
    b.writeUInt32LE(total, 0);
    b.writeUInt16LE(this.n < LP_COUNT_UNKNOWN ? this.n : LP_COUNT_UNKNOWN, 4);
    return Buffer.from(b.subarray(0, total));
  }

  reset(): void {
    this.pos = LP_HEADER_SIZE;
    this.n = 0;
  }

  /**
   * The encoded elements appended since the last reset (no header, no terminator), as a view
   * valid until the next append/reset: lets a caller splice elements into a listpack it grows
   * in place (stream nodes append entries to their tail node).
   */
  elements(): Buffer {
    return this.buf.subarray(LP_HEADER_SIZE, this.pos);
  }
}

/**
 * A cursor over a listpack. After `next()` returns true the current element is either an
 * integer (`isInt`, value in `int`) or a string (`buf[strStart, strEnd)`).
 */
export class ListpackReader {
  readonly buf: Buffer;
  /** Offset of the next element to decode. */
  pos = LP_HEADER_SIZE;
  /** Offset where the current element starts. */
  elemStart = 0;
  isInt = false;
  int: I64 = 0;
  strStart = 0;
  strEnd = 0;
  private readonly end: number;

  /** Checks the header against the buffer; throws ListpackError when it cannot be walked. */
  constructor(buf: Buffer) {
    if (buf.length < LP_HEADER_SIZE + 1) throw new ListpackError('listpack too short');
    const total = buf.readUInt32LE(0);
    if (total !== buf.length) throw new ListpackError('listpack total-bytes ' + total + ' does not match its size ' + buf.length);
    if (buf[total - 1] !== LP_EOF) throw new ListpackError('listpack does not end with 0xFF');
    this.buf = buf;
    this.end = total - 1;
  }

  /** The element count stored in the header (LP_COUNT_UNKNOWN when it must be walked). */
  get headerCount(): number {
    return this.buf.readUInt16LE(4);
  }

  /** Decodes the next element; false at the terminator. */
  next(): boolean {
    const b = this.buf;
    const p = this.pos;
    if (p >= this.end) {
      if (p === this.end) return false;
      throw new ListpackError('listpack element runs past its end');
    }
    this.elemStart = p;
    const first = b[p]!;
    let encLen: number;
    if (first < 0x80) {
      this.isInt = true;
      this.int = first;
      encLen = 1;
    } else if (first < 0xc0) {
      const len = first & 0x3f;
      this.isInt = false;
      this.strStart = p + 1;
      this.strEnd = p + 1 + len;
      encLen = 1 + len;
    } else if (first < 0xe0) {
      this.need(p, 2);
      const u = ((first & 0x1f) << 8) | b[p + 1]!;
      this.isInt = true;
      this.int = u >= 4096 ? u - 8192 : u;
      encLen = 2;
    } else if (first < 0xf0) {
      this.need(p, 2);
      const len = ((first & 0x0f) << 8) | b[p + 1]!;
      this.isInt = false;
      this.strStart = p + 2;
      this.strEnd = p + 2 + len;
      encLen = 2 + len;
    } else {
      switch (first) {
        case 0xf0: {
          this.need(p, 5);
          const len = b.readUInt32LE(p + 1);
          this.isInt = false;
          this.strStart = p + 5;
          this.strEnd = p + 5 + len;
          encLen = 5 + len;
          break;
        }
        case 0xf1:
          this.need(p, 3);
          this.isInt = true;
          this.int = b.readInt16LE(p + 1);
          encLen = 3;
          break;
        case 0xf2:
          this.need(p, 4);
          this.isInt = true;
          this.int = b.readIntLE(p + 1, 3);
          encLen = 4;
          break;
        case 0xf3:
          this.need(p, 5);
          this.isInt = true;
          this.int = b.readInt32LE(p + 1);
          encLen = 5;
          break;
        case 0xf4: {
          this.need(p, 9);
          const v = b.readBigInt64LE(p + 1);
          this.isInt = true;
          this.int = v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
          encLen = 9;
          break;
        }
        default:
          throw new ListpackError('invalid listpack encoding byte 0x' + first.toString(16) + ' at offset ' + p);
      }
    }
    const blSize = backlenSize(encLen);
    this.need(p, encLen + blSize);
    // The backlen must describe this element, or walking backwards would go astray.
    let bl = 0;
    for (let i = 0; i < blSize; i++) bl = bl * 128 + (b[p + encLen + i]! & 0x7f);
    if (bl !== encLen) throw new ListpackError('listpack backlen mismatch at offset ' + p);
    this.pos = p + encLen + blSize;
    return true;
  }

  private need(p: number, n: number): void {
    if (p + n > this.end) throw new ListpackError('listpack element at offset ' + p + ' runs past the end');
  }

  /** The current element's bytes (integers as their decimal text); a copy. */
  value(): Buffer {
    if (this.isInt) return Buffer.from(String(this.int), 'latin1');
    return Buffer.from(this.buf.subarray(this.strStart, this.strEnd));
  }

  /** The current element as an integer: its int value, or its text parsed as int64 (null if not). */
  intValue(): I64 | null {
    if (this.isInt) return this.int;
    return parseI64(this.buf, this.strStart, this.strEnd);
  }
}

/** Number of elements (walks the listpack when the header says LP_COUNT_UNKNOWN). */
export function listpackLength(buf: Buffer): number {
  const r = new ListpackReader(buf);
  const hc = r.headerCount;
  if (hc !== LP_COUNT_UNKNOWN) return hc;
  let n = 0;
  while (r.next()) n++;
  return n;
}

/** Every element as bytes (integers as decimal text). Validates the whole listpack. */
export function listpackValues(buf: Buffer): Buffer[] {
  const r = new ListpackReader(buf);
  const out: Buffer[] = [];
  while (r.next()) out.push(r.value());
  const hc = r.headerCount;
  if (hc !== LP_COUNT_UNKNOWN && hc !== out.length) {
    throw new ListpackError('listpack header count ' + hc + ' but ' + out.length + ' elements');
  }
  return out;
}

/** Builds a listpack from byte values (Redis's encoding choice for each). */
export function listpackFromValues(values: readonly Uint8Array[]): Buffer {
  const w = new ListpackWriter();
  for (const v of values) w.append(v);
  return w.finish();
}
