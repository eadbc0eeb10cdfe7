/**
 * RDB writer, shaped for incremental use: every function appends to an RdbOutput (a growable
 * byte buffer with a running CRC-64), and the caller drains it with take() as often as it
 * likes: a file writer per few MB, a replication master per socket write, a snapshot engine per
 * batch of keys. The CRC covers everything emitted, drained or not.
 *
 * What is written (§5.3 of the spec): RDB version 9 by default, which Redis 5.0 to 7.2 all load,
 * with only plain types - string 0, list 1, set 2, zset 5 (binary doubles), hash 4 - and streams
 * as type 15 (19 from version 10, 21 from version 11). Loaders re-encode small collections
 * compactly, so nothing is lost. Strings follow Redis's rules: canonical integers of at most
 * 11 chars in the int32 range are int-encoded; longer than 20 bytes are LZF-compressed when that
 * saves at least 4 bytes (rdbcompression).
 */

import { Crc64 } from '../util/crc64.js';
import { TYPE_HASH, TYPE_LIST, TYPE_SET, TYPE_STREAM, TYPE_STRING, TYPE_ZSET } from '../store/db.js';
import { lzfCompressForRdb } from './lzf.js';
import {
  OP_AUX,
  OP_EOF,
  OP_EXPIRETIME_MS,
  OP_FREQ,
  OP_IDLE,
  OP_RESIZEDB,
  OP_SELECTDB,
  RDB_DEFAULT_VERSION,
  T_HASH,
  T_LIST,
  T_SET,
  T_STREAM_LISTPACKS,
  T_STREAM_LISTPACKS_2,
  T_STREAM_LISTPACKS_3,
  T_STRING,
  T_ZSET_2,
  type RdbStreamValue,
  type RdbValue,
  type StreamId,
} from './rdb-format.js';
import { forEachListElement, frozenStreamContent, hashPairs, listLength, setMemberStrings, streamContent, zsetEntries, type FrozenStreamContent } from './rdb-values.js';
import { DenseMap, DenseSet, type FrozenSlots } from '../store/dense.js';
import { ZSet } from '../store/types/zset.js';
import { List } from '../store/types/list.js';
import { Stream } from '../store/types/stream.js';

export interface RdbWriteOptions {
  /** RDB version of the header and of the stream type byte (9, 10 or 11). */
  version?: number;
  /** rdbcompression: LZF for long strings (default true). */
  compression?: boolean;
  /** rdbchecksum: false writes 8 zero bytes (default true). */
  checksum?: boolean;
}

const INITIAL = 64 * 1024;

/** A growable output buffer with a running CRC-64 of everything appended. */
export class RdbOutput {
  buf: Buffer;
  len = 0;
  readonly version: number;
  readonly compression: boolean;
  readonly checksum: boolean;
  private readonly crc = new Crc64();
  /** Bytes emitted and drained so far. */
  drained = 0;

  constructor(opts: RdbWriteOptions = {}) {
    this.version = opts.version ?? RDB_DEFAULT_VERSION;
    if (this.version < 9 || this.version > 11) throw new RangeError('RDB writer supports versions 9 to 11');
    this.compression = opts.compression ?? true;
    this.checksum = opts.checksum ?? true;
    this.buf = Buffer.allocUnsafe(INITIAL);
  }

  /** Bytes appended and not yet drained. */
  get pending(): number {
    return this.len;
  }

  ensure(n: number): void {
    const need = this.len + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const nb = Buffer.allocUnsafe(size);
    this.buf.copy(nb, 0, 0, this.len);
    this.buf = nb;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.len++] = v;
  }

  bytes(src: Uint8Array, start = 0, end = src.length): void {
    const n = end - start;
    this.ensure(n);
    this.buf.set(start === 0 && end === src.length ? src : src.subarray(start, end), this.len);
    this.len += n;
  }

  /** Pending bytes at the start of buf already folded into the CRC. */
  private crcIdx = 0;
  private finished = false;

  private foldCrc(): void {
    // Without checksums the trailer is zeros: no need to compute one.
    if (this.checksum && !this.finished && this.len > this.crcIdx) this.crc.update(this.buf, this.crcIdx, this.len);
    this.crcIdx = this.len;
  }

  /** Drains the pending bytes (a copy); the CRC has seen them. */
  take(): Buffer {
    this.foldCrc();
    const out = Buffer.from(this.buf.subarray(0, this.len));
    this.drained += this.len;
    this.len = 0;
    this.crcIdx = 0;
    if (this.buf.length > 4 * INITIAL) this.buf = Buffer.allocUnsafe(INITIAL);
    return out;
  }

  /** Appends the 8-byte CRC of everything so far (zeros when checksums are off); ends the CRC. */
  trailer(): void {
    this.foldCrc();
    this.finished = true;
    this.bytes(this.checksum ? this.crc.digestLE() : Buffer.alloc(8));
  }
}

// ------------------------------------------------------------------ primitives

export function writeLen(out: RdbOutput, n: number): void {
  out.ensure(9);
  const b = out.buf;
  let p = out.len;
  if (n < 64) b[p++] = n;
  else if (n < 16384) {
    b[p++] = 0x40 | (n >>> 8);
    b[p++] = n & 0xff;
  } else if (n <= 0xffffffff) {
    b[p++] = 0x80;
    b.writeUInt32BE(n, p);
    p += 4;
  } else {
    b[p++] = 0x81;
    b.writeBigUInt64BE(BigInt(n), p);
    p += 8;
  }
  out.len = p;
}

export function writeLenBig(out: RdbOutput, n: bigint): void {
  const u = BigInt.asUintN(64, n);
  if (u <= 0xffffffffn) {
    writeLen(out, Number(u));
    return;
  }
  out.ensure(9);
  out.buf[out.len++] = 0x81;
  out.buf.writeBigUInt64BE(u, out.len);
  out.len += 8;
}

/** The value of a canonical decimal integer string that fits int32 (<= 11 chars), else null. */
function int32Of(s: Uint8Array, start: number, end: number): number | null {
  const n = end - start;
  if (n === 0 || n > 11) return null;
  let i = start;
  let neg = false;
  if (s[i] === 45) {
    neg = true;
    i++;
    if (i === end) return null;
  }
  if (s[i] === 48) return n === 1 ? 0 : null; // "0" only; no leading zeros, no "-0"
  let v = 0;
  for (; i < end; i++) {
    const d = s[i]! - 48;
    if (d < 0 || d > 9) return null;
    v = v * 10 + d;
  }
  if (neg) v = -v;
  return v >= -2147483648 && v <= 2147483647 ? v : null;
}

/** An RDB string with Redis's encoding choice (int, LZF, or plain). */
export function writeString(out: RdbOutput, s: Uint8Array, start = 0, end = s.length): void {
  const n = end - start;
  if (n <= 11) {
    const v = int32Of(s, start, end);
    if (v !== null) {
      writeIntEncoded(out, v);
      return;
    }
  }
  if (out.compression && n > 20) {
    const c = lzfCompressForRdb(s, start, end);
    if (c !== null) {
      out.u8(0xc3);
      writeLen(out, c.length);
      writeLen(out, n);
      out.bytes(c);
      return;
    }
  }
  writeLen(out, n);
  out.bytes(s, start, end);
}

/** An int32 in the RDB's 1, 2 or 4-byte integer string encoding. */
function writeIntEncoded(out: RdbOutput, v: number): void {
  out.ensure(5);
  const b = out.buf;
  let p = out.len;
  if (v >= -128 && v <= 127) {
    b[p++] = 0xc0;
    b.writeInt8(v, p);
    p += 1;
  } else if (v >= -32768 && v <= 32767) {
    b[p++] = 0xc1;
    b.writeInt16LE(v, p);
    p += 2;
  } else {
    b[p++] = 0xc2;
    b.writeInt32LE(v, p);
    p += 4;
  }
  out.len = p;
}

/** int32Of for a latin1 string (members of sets, fields, zset members). */
function int32OfLatin1(s: string): number | null {
  const n = s.length;
  if (n === 0 || n > 11) return null;
  let i = 0;
  let neg = false;
  if (s.charCodeAt(0) === 45) {
    neg = true;
    i++;
    if (i === n) return null;
  }
  if (s.charCodeAt(i) === 48) return n === 1 ? 0 : null;
  let v = 0;
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return null;
    v = v * 10 + d;
  }
  if (neg) v = -v;
  return v >= -2147483648 && v <= 2147483647 ? v : null;
}

let latin1Scratch = Buffer.allocUnsafe(4096);

/** writeString of a latin1 string, without a Buffer per string (big collections write millions). */
function writeLatin1(out: RdbOutput, s: string): void {
  const n = s.length;
  if (n <= 11) {
    const v = int32OfLatin1(s);
    if (v !== null) {
      writeIntEncoded(out, v);
      return;
    }
  } else if (out.compression && n > 20) {
    // LZF reads bytes: stage the string in a scratch buffer.
    if (latin1Scratch.length < n) latin1Scratch = Buffer.allocUnsafe(Math.max(n, latin1Scratch.length * 2));
    latin1Scratch.write(s, 0, n, 'latin1');
    writeString(out, latin1Scratch, 0, n);
    return;
  }
  writeLen(out, n);
  out.ensure(n);
  out.len += out.buf.write(s, out.len, n, 'latin1');
}

function writeDouble(out: RdbOutput, d: number): void {
  out.ensure(8);
  out.buf.writeDoubleLE(d, out.len);
  out.len += 8;
}

function writeStreamIdRaw(out: RdbOutput, id: StreamId): void {
  out.ensure(16);
  out.buf.writeBigUInt64BE(BigInt.asUintN(64, id.ms), out.len);
  out.buf.writeBigUInt64BE(BigInt.asUintN(64, id.seq), out.len + 8);
  out.len += 16;
}

function writeI64LE(out: RdbOutput, v: bigint | number): void {
  out.ensure(8);
  out.buf.writeBigInt64LE(BigInt.asIntN(64, BigInt(v)), out.len);
  out.len += 8;
}

// ------------------------------------------------------------------ file structure

export type AuxFields = Array<[string, string | number]>;

export interface AuxOptions {
  usedMem?: number;
  ctime?: number;
  /** Replication info (a master's or replica's RDB): all three or none. */
  replStreamDb?: number;
  replId?: string;
  replOffset?: number;
  aofBase?: boolean;
}

/** The AUX fields Redis 7.0 writes, in its order. */
export function standardAux(o: AuxOptions = {}): AuxFields {
  const aux: AuxFields = [
    ['redis-ver', '7.0.15'],
    ['redis-bits', 64],
    ['ctime', o.ctime ?? Math.floor(Date.now() / 1000)],
    ['used-mem', o.usedMem ?? process.memoryUsage().rss],
  ];
  if (o.replId !== undefined) {
    aux.push(['repl-stream-db', o.replStreamDb ?? 0], ['repl-id', o.replId], ['repl-offset', o.replOffset ?? 0]);
  }
  aux.push(['aof-base', o.aofBase === true ? 1 : 0]);
  return aux;
}

/** "REDIS00vv" and the AUX fields. */
export function writeHeader(out: RdbOutput, aux: AuxFields = standardAux()): void {
  out.bytes(Buffer.from('REDIS' + String(out.version).padStart(4, '0'), 'latin1'));
  for (const [name, value] of aux) {
    out.u8(OP_AUX);
    writeLatin1(out, name);
    writeLatin1(out, String(value));
  }
}

/** FUNCTION2 record (needs version 10). */
export function writeFunction(out: RdbOutput, code: Buffer): void {
  if (out.version < 10) throw new RangeError('function libraries need RDB version 10');
  out.u8(0xf5);
  writeString(out, code);
}

/** SELECTDB and RESIZEDB (size hints). */
export function writeSelectDb(out: RdbOutput, db: number, keys: number, expires: number): void {
  out.u8(OP_SELECTDB);
  writeLen(out, db);
  out.u8(OP_RESIZEDB);
  writeLen(out, keys);
  writeLen(out, expires);
}

/** EOF and the checksum. */
export function writeTrailer(out: RdbOutput): void {
  out.u8(OP_EOF);
  out.trailer();
}

/** Per-key metadata written before the type byte. */
export interface EntryMeta {
  /** IDLE seconds (LRU policies). */
  idle?: number;
  /** FREQ counter 0..255 (LFU policies). */
  freq?: number;
}

/**
 * One key: EXPIRETIME_MS when expireMs >= 0, IDLE/FREQ when given, the type byte, the key and
 * the value. `type` is the Db TYPE_* and `obj` the stored value (a Buffer for strings).
 */
export function writeEntry(out: RdbOutput, key: Uint8Array, type: number, obj: unknown, expireMs = -1, meta?: EntryMeta): void {
  writeEntryPrefix(out, expireMs, meta);
  out.u8(rdbTypeForObject(type, out.version));
  writeString(out, key);
  writeObjectValue(out, type, obj);
}

/** Everything of a key record before its value: expire, IDLE/FREQ, the type byte, the key. */
export function writeEntryHead(out: RdbOutput, key: Uint8Array, rdbType: number, expireMs = -1, meta?: EntryMeta): void {
  writeEntryPrefix(out, expireMs, meta);
  out.u8(rdbType);
  writeString(out, key);
}

/** The type byte writeEntry uses for a Db TYPE_* value. */
export function rdbTypeForObject(type: number, version: number): number {
  switch (type) {
    case TYPE_STRING:
      return T_STRING;
    case TYPE_LIST:
      return T_LIST;
    case TYPE_SET:
      return T_SET;
    case TYPE_ZSET:
      return T_ZSET_2;
    case TYPE_HASH:
      return T_HASH;
    case TYPE_STREAM:
      return streamTypeFor(version);
    default:
      throw new RangeError('cannot write value type ' + type);
  }
}

/** The value part (after type byte and key) of a Db TYPE_* value. */
export function writeObjectValue(out: RdbOutput, type: number, obj: unknown): void {
  switch (type) {
    case TYPE_STRING:
      writeString(out, obj as Buffer);
      return;
    case TYPE_LIST: {
      writeLen(out, listLength(obj));
      forEachListElement(obj, (e) => writeString(out, e));
      return;
    }
    case TYPE_SET: {
      if (obj instanceof DenseSet) {
        const n = obj.size;
        writeLen(out, n);
        for (let i = 0; i < n; i++) writeLatin1(out, obj.keyAt(i));
        return;
      }
      const m = setMemberStrings(obj);
      writeLen(out, m.length);
      for (const s of m) writeLatin1(out, s);
      return;
    }
    case TYPE_ZSET: {
      const z = zsetEntries(obj);
      const n = z.members.length;
      writeLen(out, n);
      // Highest score first, as Redis writes (its loader then inserts at the skiplist head).
      for (let i = n - 1; i >= 0; i--) {
        writeLatin1(out, z.members[i]!);
        writeDouble(out, z.scores[i]!);
      }
      return;
    }
    case TYPE_HASH: {
      if (obj instanceof DenseMap) {
        const h = obj as DenseMap<Buffer>;
        const n = h.size;
        writeLen(out, n);
        for (let i = 0; i < n; i++) {
          writeLatin1(out, h.keyAt(i));
          writeString(out, h.valueAt(i));
        }
        return;
      }
      const p = hashPairs(obj);
      writeLen(out, p.length);
      for (const [f, v] of p) {
        writeString(out, f);
        writeString(out, v);
      }
      return;
    }
    case TYPE_STREAM:
      writeStreamBody(out, streamContent(obj));
      return;
    default:
      throw new RangeError('cannot write value type ' + type);
  }
}

// ------------------------------------------------------------------ big values in pieces

/**
 * Writes the elements of a big value from where it stopped. It reads the value as it was when
 * the writer began, so the value may change between calls: big lists, hashes, sets and sorted
 * sets through a frozen view (FrozenList, FrozenSlots), a stream from its pinned nodes (see
 * FrozenStreamContent) and a copy of its groups.
 */
export interface PieceWriter {
  /** Writes until `deadline` (performance.now() ms; Infinity = to the end); true when complete. */
  write(out: RdbOutput, deadline: number): boolean;
  /** Lets the value go (thaws its view); called once, when complete or abandoned. */
  release(): void;
}

/** Big values (at least this many elements) are written by a snapshot's walk in pieces. */
export const PIECES_MIN_ELEMENTS = 1024;
/** Elements written between two looks at the clock. */
const PIECE_BATCH = 256;

/** Writes elements 0..n-1 (writeAt(out, i)) in batches, stopping at the deadline between batches. */
function indexedPieces(n: number, writeAt: (out: RdbOutput, i: number) => void, release: () => void): PieceWriter {
  let i = 0;
  return {
    release,
    write(out, deadline) {
      while (i < n) {
        const stop = Math.min(n, i + PIECE_BATCH);
        for (; i < stop; i++) writeAt(out, i);
        if (i < n && performance.now() >= deadline) return false;
      }
      return true;
    },
  };
}

/**
 * A big hash, set or sorted set (its DenseMap/DenseSet) from a frozen view: members in slot
 * order, each followed by its value when `writeValue` is given.
 */
function frozenPieces<V>(
  d: { freeze(): FrozenSlots<V>; thaw(v: FrozenSlots<V>): void },
  writeValue: ((out: RdbOutput, value: V) => void) | null,
): PieceWriter {
  const v = d.freeze();
  return indexedPieces(
    v.size,
    (out, i) => {
      writeLatin1(out, v.keyAt(i));
      if (writeValue !== null) writeValue(out, v.valueAt(i));
      v.passed(i);
    },
    () => d.thaw(v),
  );
}

const writeHashValue = (out: RdbOutput, value: Buffer): void => writeString(out, value);

/** Stream nodes written between two looks at the clock (a node: up to ~100 entries, LZF-compressed). */
const STREAM_NODES_PER_PIECE = 4;

/** Stream nodes a few at a time, then the tail, from the stream's frozen content. */
function streamPieces(f: FrozenStreamContent): PieceWriter {
  const s = f.value;
  let k = 0;
  const nodes = s.nodes.length;
  return {
    release: () => f.release(),
    write(out, deadline) {
      while (k < nodes) {
        const stop = Math.min(nodes, k + STREAM_NODES_PER_PIECE);
        writeStreamNodes(out, s, k, stop);
        k = stop;
        f.passed(k);
        if (k < nodes && performance.now() >= deadline) return false;
      }
      writeStreamTail(out, s);
      return true;
    },
  };
}

/** A big list from a frozen view, a node or two per look at the clock. */
function listPieces(l: List): PieceWriter {
  const v = l.freeze();
  let k = 0;
  const nodes = v.nodeCount;
  return {
    release: () => v.release(),
    write(out, deadline) {
      const write = (e: Buffer): void => writeString(out, e);
      while (k < nodes) {
        // A node holds at most 128 elements: two nodes per look at the clock.
        v.forEachInNode(k++, write);
        if (k < nodes && (k & 1) === 0 && performance.now() >= deadline) return false;
      }
      return true;
    },
  };
}

/**
 * A snapshot consumer's values being written in pieces, in RDB order. The first writes into
 * the main output; what follows each one (entries serialized meanwhile by changes, and the
 * next open value's record head) waits in that value's `after` buffer, because a value's
 * bytes must be contiguous. SELECTDB bookkeeping stays right: bytes reach the main output in
 * the order the record heads were written.
 */
export class OpenValues {
  private readonly jobs: { writer: PieceWriter; after: RdbOutput | null }[] = [];

  get count(): number {
    return this.jobs.length;
  }

  /** Where a record goes now: `main`, or behind the last open value. */
  target(main: RdbOutput): RdbOutput {
    const n = this.jobs.length;
    if (n === 0) return main;
    const last = this.jobs[n - 1]!;
    return (last.after ??= new RdbOutput({ version: main.version, compression: main.compression, checksum: false }));
  }

  /** A value whose record head (and length) was just written to target(main). */
  push(writer: PieceWriter): void {
    this.jobs.push({ writer, after: null });
  }

  /** Writes more into `main` until `deadline`; true when nothing is open any more. */
  continue(main: RdbOutput, deadline: number): boolean {
    const jobs = this.jobs;
    while (jobs.length !== 0) {
      if (!jobs[0]!.writer.write(main, deadline)) return false;
      this.completeFirst(main);
    }
    return true;
  }

  /** Lets every open value go (the snapshot was abandoned). */
  abandon(): void {
    for (const j of this.jobs) j.writer.release();
    this.jobs.length = 0;
  }

  private completeFirst(main: RdbOutput): void {
    const j = this.jobs.shift()!;
    j.writer.release();
    if (j.after !== null) main.bytes(j.after.buf, 0, j.after.len);
  }
}

/**
 * For a big stream, list, hash, set or sorted set: writes the value's length (a stream's
 * node count) and returns the writer of its elements. Null for anything else (write it whole
 * with writeObjectValue).
 */
export function beginObjectPieces(out: RdbOutput, type: number, obj: unknown): PieceWriter | null {
  let w: PieceWriter | null = null;
  let n = 0;
  if (type === TYPE_HASH && obj instanceof DenseMap && obj.size >= PIECES_MIN_ELEMENTS) {
    n = obj.size;
    w = frozenPieces(obj as DenseMap<Buffer>, writeHashValue);
  } else if (type === TYPE_SET && obj instanceof DenseSet && obj.size >= PIECES_MIN_ELEMENTS) {
    n = obj.size;
    w = frozenPieces<never>(obj, null);
  } else if (type === TYPE_ZSET && obj instanceof ZSet && !obj.compact && obj.size >= PIECES_MIN_ELEMENTS) {
    n = obj.size;
    w = frozenPieces(obj.dict!, writeDouble);
  } else if (type === TYPE_LIST && obj instanceof List && obj.length >= PIECES_MIN_ELEMENTS) {
    n = obj.length;
    w = listPieces(obj);
  } else if (type === TYPE_STREAM && obj instanceof Stream && obj.nodeCount > STREAM_NODES_PER_PIECE) {
    // Nodes pinned, groups and PELs copied now, so the stream may change meanwhile.
    const f = frozenStreamContent(obj);
    writeLen(out, f.value.nodes.length);
    return streamPieces(f);
  }
  if (w !== null) writeLen(out, n);
  return w;
}

/**
 * A DUMP payload: type byte, value, RDB version (2 bytes LE), CRC-64 of all that (8 bytes LE).
 */
export function dumpPayload(type: number, obj: unknown, opts: RdbWriteOptions = {}): Buffer {
  const out = new RdbOutput(opts);
  out.u8(rdbTypeForObject(type, out.version));
  writeObjectValue(out, type, obj);
  out.ensure(2);
  out.buf.writeUInt16LE(out.version, out.len);
  out.len += 2;
  out.trailer();
  return out.take();
}

function writeEntryPrefix(out: RdbOutput, expireMs: number, meta?: EntryMeta): void {
  if (expireMs >= 0) {
    out.u8(OP_EXPIRETIME_MS);
    writeI64LE(out, Math.trunc(expireMs));
  }
  if (meta !== undefined) {
    if (meta.idle !== undefined) {
      out.u8(OP_IDLE);
      writeLen(out, meta.idle);
    } else if (meta.freq !== undefined) {
      out.u8(OP_FREQ);
      out.u8(meta.freq & 0xff);
    }
  }
}

function streamTypeFor(version: number): number {
  return version >= 11 ? T_STREAM_LISTPACKS_3 : version >= 10 ? T_STREAM_LISTPACKS_2 : T_STREAM_LISTPACKS;
}

/** The RDB type byte writeValue uses for a decoded value of this kind. */
export function rdbTypeOf(v: RdbValue, version: number): number {
  switch (v.kind) {
    case 'string':
      return T_STRING;
    case 'list':
      return T_LIST;
    case 'set':
      return T_SET;
    case 'zset':
      return T_ZSET_2;
    case 'hash':
      return T_HASH;
    case 'stream':
      return streamTypeFor(version);
  }
}

/** The value part (no type byte) of decoded content (round-trip tests, DUMP of decoded values). */
export function writeValue(out: RdbOutput, v: RdbValue): void {
  switch (v.kind) {
    case 'string':
      writeString(out, v.value);
      return;
    case 'list':
      writeLen(out, v.elements.length);
      for (const e of v.elements) writeString(out, e);
      return;
    case 'set':
      writeLen(out, v.members.length);
      for (const e of v.members) writeString(out, e);
      return;
    case 'zset':
      writeLen(out, v.members.length);
      for (let i = 0; i < v.members.length; i++) {
        writeString(out, v.members[i]!);
        writeDouble(out, v.scores[i]!);
      }
      return;
    case 'hash':
      writeLen(out, v.fields.length);
      for (let i = 0; i < v.fields.length; i++) {
        writeString(out, v.fields[i]!);
        writeString(out, v.values[i]!);
      }
      return;
    case 'stream':
      writeStreamBody(out, v.stream);
      return;
  }
}

/** A whole key record from decoded content. */
export function writeRecord(out: RdbOutput, key: Uint8Array, v: RdbValue, expireMs = -1, meta?: EntryMeta): void {
  writeEntryPrefix(out, expireMs, meta);
  out.u8(rdbTypeOf(v, out.version));
  writeString(out, key);
  writeValue(out, v);
}

/** Stream body (§4.9) for the type streamTypeFor(out.version). */
export function writeStreamBody(out: RdbOutput, s: RdbStreamValue): void {
  writeLen(out, s.nodes.length);
  writeStreamNodes(out, s, 0, s.nodes.length);
  writeStreamTail(out, s);
}

const streamNodeKey = Buffer.allocUnsafe(16);

/** Nodes [from, to) of a stream: master ID and listpack each. */
function writeStreamNodes(out: RdbOutput, s: RdbStreamValue, from: number, to: number): void {
  const key = streamNodeKey;
  for (let i = from; i < to; i++) {
    const n = s.nodes[i]!;
    key.writeBigUInt64BE(BigInt.asUintN(64, n.masterId.ms), 0);
    key.writeBigUInt64BE(BigInt.asUintN(64, n.masterId.seq), 8);
    writeLen(out, 16);
    out.bytes(key);
    writeString(out, n.listpack);
  }
}

/** What follows a stream's nodes: length, IDs, counters, consumer groups with their PELs. */
function writeStreamTail(out: RdbOutput, s: RdbStreamValue): void {
  const v2 = out.version >= 10;
  const v3 = out.version >= 11;
  writeLenBig(out, s.length);
  writeLenBig(out, s.lastId.ms);
  writeLenBig(out, s.lastId.seq);
  if (v2) {
    writeLenBig(out, s.firstId.ms);
    writeLenBig(out, s.firstId.seq);
    writeLenBig(out, s.maxDeletedId.ms);
    writeLenBig(out, s.maxDeletedId.seq);
    writeLenBig(out, s.entriesAdded);
  }
  writeLen(out, s.groups.length);
  for (const g of s.groups) {
    writeString(out, g.name);
    writeLenBig(out, g.lastId.ms);
    writeLenBig(out, g.lastId.seq);
    if (v2) writeLenBig(out, g.entriesRead);
    writeLen(out, g.pel.length);
    for (const p of g.pel) {
      writeStreamIdRaw(out, p.id);
      writeI64LE(out, p.deliveryTime);
      writeLenBig(out, p.deliveryCount);
    }
    writeLen(out, g.consumers.length);
    for (const c of g.consumers) {
      writeString(out, c.name);
      writeI64LE(out, c.seenTime);
      if (v3) writeI64LE(out, c.activeTime);
      writeLen(out, c.pel.length);
      for (const id of c.pel) writeStreamIdRaw(out, id);
    }
  }
}
