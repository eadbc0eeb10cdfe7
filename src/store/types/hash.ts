/**
 * The hash value type and its two encodings (Redis 7.0 semantics).
 *
 * - "listpack" (small hashes): one Buffer holding the pairs back to back in insertion order:
 *     [count: u32 LE] then per pair [varint flen][field bytes][varint vlen][value bytes]
 *   varint = 7 bits per byte, low group first, high bit set on every byte but the last.
 *   A hash stays listpack while it has at most hash-max-listpack-entries fields and every
 *   field and value is at most hash-max-listpack-value bytes (like Redis, the check is done on
 *   what is being written; a hash never converts back).
 * - "hashtable": DenseMap<latin1 field, Buffer value> (src/store/dense.ts: no 2^24 cap, an
 *   HSCAN cursor that costs O(COUNT), O(1) random fields). Its order is not Redis's dict
 *   order: only listpack replies can be compared byte for byte with Redis.
 *
 * Buffers handed out by the readers are views: valid until the hash is next modified.
 *
 * The Db keeps a listpack hash as packed bytes in its slab (the listpack Buffer's bytes; see
 * hashCodec below), so 100k small hashes allocate no JS objects.
 */

import { TYPE_HASH, registerObjectSizer, registerPackedCodec } from '../db.js';
import { readVarint, varintLen, varintValue, writeVarint } from '../../util/varint.js';
import { DenseMap } from '../dense.js';

export type HashObj = Buffer | DenseMap<Buffer>;

const HDR = 4;

/** Allocates from Node's shared pool for small sizes (one JS object per hash, no own backing store). */
function alloc(n: number): Buffer {
  return Buffer.allocUnsafe(n);
}

export function lpNew(): Buffer {
  const b = alloc(HDR);
  b.writeUInt32LE(0, 0);
  return b;
}

export function lpCount(b: Buffer): number {
  return b.readUInt32LE(0);
}

function eqAt(b: Buffer, off: number, len: number, f: Buffer): boolean {
  if (len !== f.length) return false;
  for (let i = 0; i < len; i++) if (b[off + i] !== f[i]) return false;
  return true;
}

// Result of lpFind: offsets of the pair found.
let fPairStart = 0;
let fValStart = 0;
let fValLen = 0;
let fPairEnd = 0;

/** Finds `field` in b[0..end); returns true and sets the f* offsets when present. */
function lpFind(b: Buffer, field: Buffer, end = b.length): boolean {
  let off = HDR;
  while (off < end) {
    const start = off;
    off = readVarint(b, off);
    const flen = varintValue;
    const fs = off;
    off += flen;
    off = readVarint(b, off);
    const vlen = varintValue;
    if (eqAt(b, fs, flen, field)) {
      fPairStart = start;
      fValStart = off;
      fValLen = vlen;
      fPairEnd = off + vlen;
      return true;
    }
    off += vlen;
  }
  return false;
}

/** Value view of `field` or null. */
export function lpGet(b: Buffer, field: Buffer): Buffer | null {
  if (!lpFind(b, field)) return null;
  return b.subarray(fValStart, fValStart + fValLen);
}

// ---- editing: a listpack is copied into one scratch area, edited there, and committed as one
// exact-size allocation (intermediate sizes never reach the allocator, which matters because
// small Buffers are slices of Node's shared pools: a dead slice is only reclaimed with its pool).

let scratch = Buffer.allocUnsafeSlow(64 * 1024);
let sLen = 0;

function ensure(n: number): void {
  if (scratch.length >= n) return;
  const s = Buffer.allocUnsafeSlow(Math.max(n, scratch.length * 2));
  scratch.copy(s, 0, 0, sLen);
  scratch = s;
}

/** Starts editing a copy of `b`. */
export function lpBegin(b: Buffer): void {
  ensure(b.length);
  b.copy(scratch, 0);
  sLen = b.length;
}

export function lpEditCount(): number {
  return scratch.readUInt32LE(0);
}

/** Sets field to value in the edited listpack; returns true when the field was new. */
export function lpPut(field: Buffer, value: Buffer): boolean {
  const pairLen = varintLen(field.length) + field.length + varintLen(value.length) + value.length;
  if (lpFind(scratch, field, sLen)) {
    const oldLen = fPairEnd - fPairStart;
    if (fValLen === value.length) {
      value.copy(scratch, fValStart);
      return false;
    }
    ensure(sLen - oldLen + pairLen);
    // Keep the pair's position (Redis replaces in place in the listpack).
    scratch.copyWithin(fPairStart + pairLen, fPairEnd, sLen);
    sLen += pairLen - oldLen;
    writePair(fPairStart, field, value);
    return false;
  }
  ensure(sLen + pairLen);
  writePair(sLen, field, value);
  sLen += pairLen;
  scratch.writeUInt32LE(scratch.readUInt32LE(0) + 1, 0);
  return true;
}

function writePair(off: number, field: Buffer, value: Buffer): void {
  off = writeVarint(scratch, off, field.length);
  off += field.copy(scratch, off);
  off = writeVarint(scratch, off, value.length);
  value.copy(scratch, off);
}

/** Removes field from the edited listpack; returns true when it was present. */
export function lpRemove(field: Buffer): boolean {
  if (!lpFind(scratch, field, sLen)) return false;
  scratch.copyWithin(fPairStart, fPairEnd, sLen);
  sLen -= fPairEnd - fPairStart;
  scratch.writeUInt32LE(scratch.readUInt32LE(0) - 1, 0);
  return true;
}

/** The edited listpack as a new exact-size Buffer. */
export function lpCommit(): Buffer {
  const out = alloc(sLen);
  scratch.copy(out, 0, 0, sLen);
  return out;
}

/** The edited listpack converted to a hashtable. */
export function lpEditToHashtable(): DenseMap<Buffer> {
  return toHashtable(scratch.subarray(0, sLen));
}

/** Calls fn(buf, fieldStart, fieldEnd, valueStart, valueEnd) for each pair in order. */
export function lpForEach(b: Buffer, fn: (buf: Buffer, fs: number, fe: number, vs: number, ve: number) => void): void {
  let off = HDR;
  const end = b.length;
  while (off < end) {
    off = readVarint(b, off);
    const fs = off;
    const fe = off + varintValue;
    off = readVarint(b, fe);
    const vs = off;
    off += varintValue;
    fn(b, fs, fe, vs, off);
  }
}

/** Field/value views, in order. */
export function hashEntries(h: HashObj): Array<[Buffer, Buffer]> {
  const out: Array<[Buffer, Buffer]> = [];
  if (Buffer.isBuffer(h)) {
    lpForEach(h, (b, fs, fe, vs, ve) => out.push([b.subarray(fs, fe), b.subarray(vs, ve)]));
  } else {
    for (const [k, v] of h) out.push([Buffer.from(k, 'latin1'), v]);
  }
  return out;
}

export function hashLen(h: HashObj): number {
  return Buffer.isBuffer(h) ? lpCount(h) : h.size;
}

export function hashGet(h: HashObj, field: Buffer): Buffer | null {
  if (Buffer.isBuffer(h)) return lpGet(h, field);
  return h.get(field.toString('latin1')) ?? null;
}

export function toHashtable(b: Buffer): DenseMap<Buffer> {
  const m = new DenseMap<Buffer>();
  lpForEach(b, (buf, fs, fe, vs, ve) => m.set(buf.toString('latin1', fs, fe), Buffer.from(buf.subarray(vs, ve))));
  return m;
}

export function cloneHash(h: HashObj): HashObj {
  if (Buffer.isBuffer(h)) {
    const b = alloc(h.length);
    h.copy(b);
    return b;
  }
  const m = new DenseMap<Buffer>();
  for (const [k, v] of h) m.set(k, Buffer.from(v));
  return m;
}

export function hashEncoding(h: HashObj): string {
  return Buffer.isBuffer(h) ? 'listpack' : 'hashtable';
}

const SIZE_SAMPLES = 5;
/** A DenseMap entry (index Map entry, two slots) with a latin1 string key and a Buffer value, beyond their bytes (Node 20). */
const MAP_ENTRY = 203;

/** Approximate bytes (MEMORY USAGE, used_memory), O(1): a hashtable's entries are sampled. */
export function hashSize(h: HashObj): number {
  if (Buffer.isBuffer(h)) return h.length + 80;
  const n = h.size;
  if (n === 0) return 64;
  // The lowest slots: they change least (only a delete moves a member into one).
  const sampled = Math.min(n, SIZE_SAMPLES);
  let len = 0;
  for (let i = 0; i < sampled; i++) len += h.keyAt(i).length + h.valueAt(i).length;
  return 64 + Math.round(n * (MAP_ENTRY + len / sampled));
}

registerPackedCodec(TYPE_HASH, {
  // A copy: handlers edit through lpBegin/lpCommit and store the result with replaceObject.
  unpack: (bytes) => Buffer.from(bytes),
  pack: (obj) => (Buffer.isBuffer(obj) ? obj : null),
});

registerObjectSizer(TYPE_HASH, (obj) => hashSize(obj as HashObj));
