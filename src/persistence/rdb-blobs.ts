/**
 * Decoders for the compact blobs RDB stores as one string (§4.7): ziplist, listpack (via
 * store/listpack.ts), intset and zipmap. Every read is bounds-checked: the bytes come from files
 * and sockets, so a corrupt blob throws BlobError (with the offset inside the blob) and never
 * reads outside it.
 */

import { ListpackError, ListpackReader, LP_COUNT_UNKNOWN } from '../store/listpack.js';

export class BlobError extends Error {
  constructor(
    message: string,
    readonly blobOffset: number,
  ) {
    super(message);
  }
}

function decimal(v: number | bigint): Buffer {
  return Buffer.from(String(v), 'latin1');
}

/** Ziplist entries as bytes (integers as decimal text). Validates the whole structure. */
export function decodeZiplist(b: Buffer): Buffer[] {
  const n = b.length;
  if (n < 11) throw new BlobError('ziplist too short', 0);
  const zlbytes = b.readUInt32LE(0);
  if (zlbytes !== n) throw new BlobError('ziplist zlbytes ' + zlbytes + ' does not match its size ' + n, 0);
  const zltail = b.readUInt32LE(4);
  const zllen = b.readUInt16LE(8);
  if (b[n - 1] !== 0xff) throw new BlobError('ziplist does not end with 0xFF', n - 1);
  const end = n - 1;
  const out: Buffer[] = [];
  let p = 10;
  let prevLen = 0;
  let lastStart = 10;
  while (p < end) {
    const start = p;
    // prevlen
    let pl: number;
    if (b[p] === 0xfe) {
      if (p + 5 > end) throw new BlobError('ziplist prevlen past the end', p);
      pl = b.readUInt32LE(p + 1);
      p += 5;
    } else {
      pl = b[p]!;
      p += 1;
    }
    if (pl !== prevLen) throw new BlobError('ziplist prevlen ' + pl + ' does not match the previous entry (' + prevLen + ')', start);
    if (p >= end) throw new BlobError('ziplist entry header past the end', p);
    const enc = b[p]!;
    const top = enc >>> 6;
    let value: Buffer;
    if (top === 0) {
      const len = enc & 0x3f;
      p += 1;
      if (p + len > end) throw new BlobError('ziplist string past the end', start);
      value = b.subarray(p, p + len);
      p += len;
    } else if (top === 1) {
      if (p + 2 > end) throw new BlobError('ziplist entry header past the end', p);
      const len = ((enc & 0x3f) << 8) | b[p + 1]!;
      p += 2;
      if (p + len > end) throw new BlobError('ziplist string past the end', start);
      value = b.subarray(p, p + len);
      p += len;
    } else if (enc === 0x80) {
      if (p + 5 > end) throw new BlobError('ziplist entry header past the end', p);
      const len = b.readUInt32BE(p + 1);
      p += 5;
      if (len > end - p) throw new BlobError('ziplist string past the end', start);
      value = b.subarray(p, p + len);
      p += len;
    } else {
      p += 1;
      let size: number;
      switch (enc) {
        case 0xc0:
          size = 2;
          break;
        case 0xd0:
          size = 4;
          break;
        case 0xe0:
          size = 8;
          break;
        case 0xf0:
          size = 3;
          break;
        case 0xfe:
          size = 1;
          break;
        default:
          if (enc >= 0xf1 && enc <= 0xfd) size = 0;
          else throw new BlobError('invalid ziplist entry encoding 0x' + enc.toString(16), p - 1);
      }
      if (p + size > end) throw new BlobError('ziplist integer past the end', start);
      let v: number | bigint;
      if (size === 0) v = (enc & 0x0f) - 1;
      else if (size === 1) v = b.readInt8(p);
      else if (size === 2) v = b.readInt16LE(p);
      else if (size === 3) v = b.readIntLE(p, 3);
      else if (size === 4) v = b.readInt32LE(p);
      else v = b.readBigInt64LE(p);
      p += size;
      value = decimal(v);
    }
    out.push(value);
    prevLen = p - start;
    lastStart = start;
  }
  if (p !== end) throw new BlobError('ziplist entries overrun the terminator', p);
  if (out.length > 0 && zltail !== lastStart) throw new BlobError('ziplist zltail ' + zltail + ' does not point at the last entry', 4);
  if (out.length === 0 && zltail !== 10) throw new BlobError('empty ziplist with zltail ' + zltail, 4);
  if (zllen !== 0xffff && zllen !== out.length) throw new BlobError('ziplist zllen ' + zllen + ' but ' + out.length + ' entries', 8);
  return out;
}

/** Listpack elements as bytes (integers as decimal text). Validates the whole structure. */
export function decodeListpack(b: Buffer): Buffer[] {
  try {
    const r = new ListpackReader(b);
    const out: Buffer[] = [];
    while (r.next()) {
      out.push(r.isInt ? decimal(r.int) : b.subarray(r.strStart, r.strEnd));
    }
    const hc = r.headerCount;
    if (hc !== LP_COUNT_UNKNOWN && hc !== out.length) throw new BlobError('listpack header count ' + hc + ' but ' + out.length + ' elements', 4);
    return out;
  } catch (e) {
    if (e instanceof ListpackError) throw new BlobError(e.message, 0);
    throw e;
  }
}

/** Intset members as decimal text, ascending. Validates width, size and strict order. */
export function decodeIntset(b: Buffer): Buffer[] {
  if (b.length < 8) throw new BlobError('intset too short', 0);
  const w = b.readUInt32LE(0);
  if (w !== 2 && w !== 4 && w !== 8) throw new BlobError('intset encoding ' + w + ' is not 2, 4 or 8', 0);
  const count = b.readUInt32LE(4);
  if (count === 0) throw new BlobError('empty intset', 4);
  if (8 + count * w !== b.length) throw new BlobError('intset of ' + count + ' x ' + w + ' bytes has size ' + b.length, 4);
  const out: Buffer[] = new Array<Buffer>(count);
  let prev: number | bigint | null = null;
  for (let i = 0; i < count; i++) {
    const at = 8 + i * w;
    let v: number | bigint;
    if (w === 2) v = b.readInt16LE(at);
    else if (w === 4) v = b.readInt32LE(at);
    else {
      const big = b.readBigInt64LE(at);
      v = big >= -9007199254740991n && big <= 9007199254740991n ? Number(big) : big;
    }
    if (prev !== null && !(prev < v)) throw new BlobError('intset members not strictly ascending', at);
    prev = v;
    out[i] = decimal(v);
  }
  return out;
}

/** Zipmap (Redis <= 2.4 small hash) as alternating field, value. */
export function decodeZipmap(b: Buffer): Buffer[] {
  const n = b.length;
  if (n < 2) throw new BlobError('zipmap too short', 0);
  let p = 1;
  const out: Buffer[] = [];
  const readLen = (): number => {
    if (p >= n) throw new BlobError('zipmap length past the end', p);
    const f = b[p]!;
    if (f < 254) {
      p += 1;
      return f;
    }
    if (f === 254) {
      if (p + 5 > n) throw new BlobError('zipmap length past the end', p);
      const v = b.readUInt32LE(p + 1);
      p += 5;
      return v;
    }
    p += 1;
    return -1; // 255 = end
  };
  for (;;) {
    const klen = readLen();
    if (klen < 0) break;
    if (klen > n - p) throw new BlobError('zipmap key past the end', p);
    const key = b.subarray(p, p + klen);
    p += klen;
    const vlen = readLen();
    if (vlen < 0) throw new BlobError('zipmap ends inside an entry', p);
    if (p >= n) throw new BlobError('zipmap free byte past the end', p);
    const free = b[p]!;
    p += 1;
    if (vlen > n - p || free > n - p - vlen) throw new BlobError('zipmap value past the end', p);
    out.push(key, b.subarray(p, p + vlen));
    p += vlen + free;
  }
  if (p !== n) throw new BlobError('zipmap has trailing bytes after its terminator', p);
  return out;
}
