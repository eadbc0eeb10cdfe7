/**
 * An incremental RDB parser: `feed(chunk)` as bytes arrive (a file read stream or a full-sync
 * payload on the replication socket), `end()` when no more will come. Decoded records go to
 * a sink as soon as they are complete; the file is never held whole.
 *
 * Structure: a pull parser written as one generator (`run`) that suspends with `yield` whenever
 * the buffered bytes run out and is resumed by the next feed(). Reads that fit in the buffered
 * bytes take synchronous fast paths (`tryLen`, `tryStr`), so a dataset of small keys costs one
 * generator step per record, not per byte. Collections of plain types (§4.6), quicklists and
 * streams are parsed element by element, so a huge key is never buffered as raw bytes before
 * decoding; compact blobs (ziplist, listpack, intset) are one RDB string each and are decoded
 * once complete.
 *
 * Buffers: feed() never rewrites bytes that were already handed out. New bytes go after the
 * current ones while they fit; otherwise the unread tail moves to a fresh, larger buffer. So a
 * Buffer the reader emits (a view into its input) stays valid; sinks that keep one for long
 * should copy it so the large input chunks behind it can be collected.
 *
 * Errors: corrupt, truncated or unsupported input throws RdbError with the absolute byte
 * offset. Lengths read from the input are checked before anything is allocated for them:
 * strings against maxStringLength, and against the bytes still to come when totalLength is
 * known; element counts against the bytes still to come (each element takes at least one).
 */

import { Crc64 } from '../util/crc64.js';
import { parseDoubleLoose } from '../util/numbers.js';
import { LZF_MAX_RATIO, LzfError, lzfDecompress } from './lzf.js';
import { BlobError, decodeIntset, decodeListpack, decodeZiplist, decodeZipmap } from './rdb-blobs.js';
import { DenseSet } from '../store/dense.js';
import {
  ENC_INT16,
  ENC_INT32,
  ENC_INT8,
  ENC_LZF,
  MODULE_OP_DOUBLE,
  MODULE_OP_EOF,
  MODULE_OP_FLOAT,
  MODULE_OP_SINT,
  MODULE_OP_STRING,
  MODULE_OP_UINT,
  OP_AUX,
  OP_EOF,
  OP_EXPIRETIME,
  OP_EXPIRETIME_MS,
  OP_FREQ,
  OP_FUNCTION2,
  OP_FUNCTION_PRE_GA,
  OP_IDLE,
  OP_MODULE_AUX,
  OP_RESIZEDB,
  OP_SELECTDB,
  OP_SLOT_INFO,
  QUICKLIST_NODE_PACKED,
  QUICKLIST_NODE_PLAIN,
  RDB_MAX_VERSION,
  RdbError,
  READER_DEDUPE_MAX,
  T_HASH,
  T_HASH_LISTPACK,
  T_HASH_ZIPLIST,
  T_HASH_ZIPMAP,
  T_LIST,
  T_LIST_QUICKLIST,
  T_LIST_QUICKLIST_2,
  T_LIST_ZIPLIST,
  T_MODULE_2,
  T_MODULE_PRE_GA,
  T_SET,
  T_SET_INTSET,
  T_SET_LISTPACK,
  T_STREAM_LISTPACKS,
  T_STREAM_LISTPACKS_2,
  T_STREAM_LISTPACKS_3,
  T_STRING,
  T_ZSET,
  T_ZSET_2,
  T_ZSET_LISTPACK,
  T_ZSET_ZIPLIST,
  moduleIdName,
  type RdbKeyRecord,
  type RdbStreamConsumer,
  type RdbStreamGroup,
  type RdbStreamNode,
  type RdbStreamPendingEntry,
  type RdbValue,
  type StreamId,
} from './rdb-format.js';
import { firstEntryId, validateStreamNode } from './rdb-stream.js';

/** What the parser hands out, in file order. */
export interface RdbSink {
  onHeader?(version: number): void;
  onAux?(name: Buffer, value: Buffer): void;
  onSelectDb?(db: number): void;
  onResizeDb?(dbSize: number, expiresSize: number): void;
  /** A function library's source (FUNCTION2, or the 7.0-rc FUNCTION record converted). */
  onFunction?(code: Buffer): void;
  /** A MODULE_AUX record was skipped. */
  onModuleAux?(moduleId: bigint, moduleName: string): void;
  onKey(rec: RdbKeyRecord): void;
  /** The file ended (EOF opcode and checksum read). checksum 0n = the writer disabled it. */
  onEnd?(checksum: bigint): void;
}

export interface RdbReaderOptions {
  /** Bytes that will arrive in total when known (file size, `$len` framing): bounds every length. */
  totalLength?: number;
  /** Longest string accepted (proto-max-bulk-len's default, 512 MB). */
  maxStringLength?: number;
  /** Check the CRC-64 trailer (default true; a stored 0 always skips the check, like Redis). */
  verifyChecksum?: boolean;
  /** Parse one type byte and value, no header or trailer (DUMP payloads). */
  valueOnly?: boolean;
}

const DEFAULT_MAX_STRING = 512 * 1024 * 1024;
const MIN_BUFFER = 64 * 1024;
const EMPTY = Buffer.alloc(0);

/** Returned by the try* readers when the buffered bytes end first. */
const NEED = -1;

const TWO32 = 4294967296;

export class RdbReader {
  private buf: Buffer = EMPTY;
  /** Next byte to parse / end of the valid bytes in buf. */
  private pos = 0;
  private lim = 0;
  /** True when buf was allocated here (bytes may be appended after `end`). */
  private owned = false;
  /** Absolute offset of buf[0]. */
  private base = 0;
  /** buf index up to which the CRC has been computed. */
  private crcIdx = 0;
  private readonly crc = new Crc64();
  private ended = false;
  private finished = false;
  private failed: Error | null = null;
  private readonly gen: Generator<void, void, void>;
  private readonly total: number;
  private readonly maxString: number;
  private readonly verify: boolean;
  /** RDB version from the header (0 until read). */
  version = 0;

  constructor(
    private readonly sink: RdbSink,
    opts: RdbReaderOptions = {},
  ) {
    this.total = opts.totalLength ?? -1;
    this.maxString = opts.maxStringLength ?? DEFAULT_MAX_STRING;
    this.verify = opts.verifyChecksum ?? true;
    this.gen = opts.valueOnly === true ? this.runValue() : this.run();
  }

  /** valueOnly mode: the type byte and the decoded value, once done. */
  value: { rdbType: number; value: RdbValue } | null = null;

  private *runValue(): Generator<void, void, void> {
    const at = this.offset;
    const type = yield* this.u8();
    if (type >= 0xf4) throw this.err('expected a value type byte, found opcode 0x' + type.toString(16), at);
    this.value = { rdbType: type, value: yield* this.readObject(type, at) };
  }

  /** True once the EOF opcode and the checksum have been read. */
  get done(): boolean {
    return this.finished;
  }

  /** Absolute offset of the next byte to parse (= bytes consumed). */
  get offset(): number {
    return this.base + this.pos;
  }

  /** Bytes fed after the end of the RDB (for a socket: the start of the replication stream). */
  remainder(): Buffer {
    return this.finished ? this.buf.subarray(this.pos, this.lim) : EMPTY;
  }

  /** Parses as much of `chunk` as possible. The reader keeps views into chunk: do not reuse it. */
  feed(chunk: Buffer): void {
    if (this.failed !== null) throw this.failed;
    if (this.ended) throw new Error('RdbReader.feed after end()');
    if (chunk.length === 0) return;
    if (this.finished) {
      this.append(chunk);
      return;
    }
    this.append(chunk);
    this.step();
  }

  /** No more bytes will come: throws unless the RDB was complete. */
  end(): void {
    if (this.failed !== null) throw this.failed;
    if (this.ended) return;
    this.ended = true;
    if (!this.finished) this.step();
    if (!this.finished) throw this.fail(this.truncated());
  }

  private step(): void {
    try {
      const r = this.gen.next();
      if (r.done === true) this.finished = true;
    } catch (e) {
      throw this.fail(e);
    }
  }

  private fail(e: unknown): Error {
    let err: Error;
    if (e instanceof RdbError) err = e;
    else if (e instanceof RangeError || e instanceof TypeError) err = new RdbError('corrupt RDB (' + e.message + ')', this.offset);
    else err = e instanceof Error ? e : new Error(String(e));
    this.failed = err;
    return err;
  }

  private append(chunk: Buffer): void {
    const have = this.lim - this.pos;
    if (have === 0 && !this.finished) {
      // Nothing pending: adopt the chunk as it is (no copy).
      this.flushCrc();
      this.base += this.pos;
      this.buf = chunk;
      this.pos = 0;
      this.lim = chunk.length;
      this.crcIdx = 0;
      this.owned = false;
      return;
    }
    if (this.owned && this.lim + chunk.length <= this.buf.length) {
      chunk.copy(this.buf, this.lim);
      this.lim += chunk.length;
      return;
    }
    this.flushCrc();
    const size = Math.max(MIN_BUFFER, 2 * (have + chunk.length));
    const nb = Buffer.allocUnsafe(size);
    this.buf.copy(nb, 0, this.pos, this.lim);
    chunk.copy(nb, have);
    this.base += this.pos;
    this.buf = nb;
    this.pos = 0;
    this.lim = have + chunk.length;
    this.crcIdx = 0;
    this.owned = true;
  }

  /** Folds the consumed bytes not yet in the CRC into it. */
  private flushCrc(): void {
    if (this.pos > this.crcIdx) {
      this.crc.update(this.buf, this.crcIdx, this.pos);
      this.crcIdx = this.pos;
    }
  }

  // ------------------------------------------------------------------ errors

  private err(msg: string, at = this.offset): RdbError {
    return new RdbError(msg, at);
  }

  private truncated(): RdbError {
    return this.err('unexpected end of RDB data');
  }

  /** Suspends until more bytes arrive; throws when none will. */
  private *wait(): Generator<void, void, void> {
    if (this.ended) throw this.truncated();
    yield;
  }

  /** Bytes that can still arrive after the buffered ones (Infinity when unknown). */
  private stillToCome(): number {
    return this.total < 0 ? Infinity : this.total - (this.base + this.lim);
  }

  /** Bytes available for the data at pos: buffered plus still to come. */
  private maxAvail(): number {
    return this.lim - this.pos + this.stillToCome();
  }

  /** Rejects a length that cannot fit in what is left of the input. */
  private checkFits(n: number, what: string, at: number): void {
    if (n > this.maxAvail()) throw this.err(what + ' length ' + n + ' exceeds the remaining input', at);
  }

  // ------------------------------------------------------------------ primitive readers

  private *need(n: number): Generator<void, void, void> {
    while (this.lim - this.pos < n) yield* this.wait();
  }

  private *u8(): Generator<void, number, void> {
    if (this.pos >= this.lim) yield* this.need(1);
    return this.buf[this.pos++]!;
  }

  /**
   * Length encoding at pos: the value (lengths past 2^53 are refused), NEED when incomplete.
   * Sets lenEncoded when the first byte was a special string encoding (value = its number).
   */
  private lenEncoded = false;
  private tryLen(): number {
    const b = this.buf;
    const p = this.pos;
    if (p >= this.lim) return NEED;
    const f = b[p]!;
    const t = f >>> 6;
    this.lenEncoded = false;
    if (t === 0) {
      this.pos = p + 1;
      return f & 0x3f;
    }
    if (t === 1) {
      if (p + 2 > this.lim) return NEED;
      this.pos = p + 2;
      return ((f & 0x3f) << 8) | b[p + 1]!;
    }
    if (t === 3) {
      this.pos = p + 1;
      this.lenEncoded = true;
      return f & 0x3f;
    }
    if (f === 0x80) {
      if (p + 5 > this.lim) return NEED;
      this.pos = p + 5;
      return b.readUInt32BE(p + 1);
    }
    if (f === 0x81) {
      if (p + 9 > this.lim) return NEED;
      const hi = b.readUInt32BE(p + 1);
      if (hi >= 0x200000) throw this.err('length ' + b.readBigUInt64BE(p + 1) + ' too large', this.base + p);
      this.pos = p + 9;
      return hi * TWO32 + b.readUInt32BE(p + 5);
    }
    throw this.err('invalid length encoding byte 0x' + f.toString(16), this.base + p);
  }

  /** A length (not a string special encoding). */
  private *len(): Generator<void, number, void> {
    for (;;) {
      const at = this.offset;
      const v = this.tryLen();
      if (v !== NEED) {
        if (this.lenEncoded) throw this.err('unexpected string encoding where a length was expected', at);
        return v;
      }
      yield* this.wait();
    }
  }

  /** A length as an unsigned 64-bit bigint (stream IDs and counters). */
  private *lenBig(): Generator<void, bigint, void> {
    for (;;) {
      const p = this.pos;
      if (p < this.lim && this.buf[p] === 0x81) {
        if (p + 9 <= this.lim) {
          this.pos = p + 9;
          return this.buf.readBigUInt64BE(p + 1);
        }
      } else if (p < this.lim) {
        return BigInt(yield* this.len());
      }
      yield* this.wait();
    }
  }

  /** An element count: at most one element per remaining byte. */
  private *count(what: string): Generator<void, number, void> {
    const at = this.offset;
    const n = yield* this.len();
    this.checkFits(n, what + ' count', at);
    return n;
  }

  /**
   * An RDB string at pos (§4.3), or null when incomplete (pos unchanged). Plain strings are
   * views into the input; integer and LZF strings are new Buffers.
   */
  private tryStr(): Buffer | null {
    const start = this.pos;
    const at = this.base + start;
    const n = this.tryLen();
    if (n === NEED) return null;
    const b = this.buf;
    if (!this.lenEncoded) {
      if (n > this.maxString) throw this.err('string length ' + n + ' exceeds the limit of ' + this.maxString, at);
      const p = this.pos;
      if (this.lim - p < n) {
        this.checkFits(n, 'string', at);
        this.pos = start;
        return null;
      }
      this.pos = p + n;
      return b.subarray(p, p + n);
    }
    const p = this.pos;
    switch (n) {
      case ENC_INT8:
        if (p + 1 > this.lim) break;
        this.pos = p + 1;
        return Buffer.from(String(b.readInt8(p)), 'latin1');
      case ENC_INT16:
        if (p + 2 > this.lim) break;
        this.pos = p + 2;
        return Buffer.from(String(b.readInt16LE(p)), 'latin1');
      case ENC_INT32:
        if (p + 4 > this.lim) break;
        this.pos = p + 4;
        return Buffer.from(String(b.readInt32LE(p)), 'latin1');
      case ENC_LZF: {
        const clen = this.tryLen();
        if (clen === NEED) break;
        if (this.lenEncoded) throw this.err('invalid LZF compressed length', at);
        const ulen = this.tryLen();
        if (ulen === NEED) break;
        if (this.lenEncoded) throw this.err('invalid LZF uncompressed length', at);
        if (ulen > this.maxString) throw this.err('string length ' + ulen + ' exceeds the limit of ' + this.maxString, at);
        if (ulen > clen * LZF_MAX_RATIO) throw this.err('LZF string of ' + clen + ' bytes cannot expand to ' + ulen, at);
        const q = this.pos;
        if (this.lim - q < clen) {
          this.checkFits(clen, 'LZF string', at);
          break;
        }
        try {
          const out = lzfDecompress(b, q, q + clen, ulen);
          this.pos = q + clen;
          return out;
        } catch (e) {
          if (e instanceof LzfError) throw this.err('corrupt LZF string: ' + e.message, at);
          throw e;
        }
      }
      default:
        throw this.err('unknown string encoding ' + n, at);
    }
    this.pos = start;
    return null;
  }

  private *str(): Generator<void, Buffer, void> {
    for (;;) {
      const s = this.tryStr();
      if (s !== null) return s;
      yield* this.wait();
    }
  }

  /** `n` raw bytes (a view). */
  private *raw(n: number): Generator<void, Buffer, void> {
    if (this.lim - this.pos < n) yield* this.need(n);
    const p = this.pos;
    this.pos = p + n;
    return this.buf.subarray(p, p + n);
  }

  private *int64LE(): Generator<void, bigint, void> {
    const b = yield* this.raw(8);
    return b.readBigInt64LE(0);
  }

  private *uint64LE(): Generator<void, bigint, void> {
    const b = yield* this.raw(8);
    return b.readBigUInt64LE(0);
  }

  /** Binary double of ZSET_2 (§4.6). */
  private *binaryDouble(): Generator<void, number, void> {
    const b = yield* this.raw(8);
    return b.readDoubleLE(0);
  }

  /** Text double of type 3 (§4.6). */
  private *textDouble(): Generator<void, number, void> {
    const n = yield* this.u8();
    if (n === 253) return NaN;
    if (n === 254) return Infinity;
    if (n === 255) return -Infinity;
    const b = yield* this.raw(n);
    const v = parseDoubleLoose(b, 0, n);
    return v;
  }

  private *streamId(): Generator<void, StreamId, void> {
    const b = yield* this.raw(16);
    return { ms: b.readBigUInt64BE(0), seq: b.readBigUInt64BE(8) };
  }

  // ------------------------------------------------------------------ the file

  private *run(): Generator<void, void, void> {
    const magic = yield* this.raw(9);
    if (magic.toString('latin1', 0, 5) !== 'REDIS') throw this.err('wrong signature: not an RDB file', 0);
    const vtext = magic.toString('latin1', 5, 9);
    if (!/^\d{4}$/.test(vtext)) throw this.err('bad RDB version field "' + vtext + '"', 5);
    const version = Number(vtext);
    if (version < 1 || version > RDB_MAX_VERSION) throw this.err("Can't handle RDB format version " + version, 5);
    this.version = version;
    this.sink.onHeader?.(version);

    let db = 0;
    let expireMs = -1;
    let lruIdle = -1;
    let lfuFreq = -1;
    const sink = this.sink;
    for (;;) {
      if (this.pos >= this.lim) yield* this.need(1);
      const at = this.offset;
      const op = this.buf[this.pos++]!;
      switch (op) {
        case OP_EOF: {
          this.flushCrc();
          if (version >= 5) {
            const computed = this.crc.value;
            const stored = yield* this.uint64LE();
            if (stored !== 0n && this.verify && stored !== computed) {
              throw this.err('Wrong RDB checksum expected: ' + stored.toString(16) + ' but got ' + computed.toString(16), at + 1);
            }
            sink.onEnd?.(stored);
          } else {
            sink.onEnd?.(0n);
          }
          return;
        }
        case OP_SELECTDB:
          db = yield* this.len();
          sink.onSelectDb?.(db);
          continue;
        case OP_RESIZEDB: {
          const a = yield* this.len();
          const b = yield* this.len();
          sink.onResizeDb?.(a, b);
          continue;
        }
        case OP_EXPIRETIME_MS: {
          const v = yield* this.int64LE();
          expireMs = Number(v);
          continue;
        }
        case OP_EXPIRETIME: {
          const b = yield* this.raw(4);
          expireMs = b.readInt32LE(0) * 1000;
          continue;
        }
        case OP_IDLE:
          lruIdle = yield* this.len();
          continue;
        case OP_FREQ:
          lfuFreq = yield* this.u8();
          continue;
        case OP_AUX: {
          const name = yield* this.str();
          const value = yield* this.str();
          sink.onAux?.(name, value);
          continue;
        }
        case OP_FUNCTION2: {
          const code = yield* this.str();
          sink.onFunction?.(code);
          continue;
        }
        case OP_FUNCTION_PRE_GA: {
          const name = yield* this.str();
          const engine = yield* this.str();
          const hasDesc = yield* this.len();
          if (hasDesc !== 0) yield* this.str();
          const code = yield* this.str();
          sink.onFunction?.(Buffer.concat([Buffer.from('#!', 'latin1'), engine, Buffer.from(' name=', 'latin1'), name, Buffer.from('\n', 'latin1'), code]));
          continue;
        }
        case OP_MODULE_AUX: {
          const id = yield* this.lenBig();
          const whenOp = yield* this.len();
          if (whenOp !== MODULE_OP_UINT) throw this.err('bad MODULE_AUX "when" opcode ' + whenOp, at);
          yield* this.len();
          yield* this.skipModuleData(at);
          sink.onModuleAux?.(id, moduleIdName(id).name);
          continue;
        }
        case OP_SLOT_INFO:
          yield* this.len();
          yield* this.len();
          yield* this.len();
          continue;
        default:
          break;
      }
      // A key-value record: op is its type byte.
      let key = this.tryStr();
      if (key === null) key = yield* this.str();
      let value: RdbValue;
      if (op === T_STRING) {
        let s = this.tryStr();
        if (s === null) s = yield* this.str();
        value = { kind: 'string', value: s };
      } else {
        value = yield* this.readObject(op, at);
      }
      sink.onKey({ db, key, rdbType: op, value, expireMs, lruIdle, lfuFreq });
      expireMs = -1;
      lruIdle = -1;
      lfuFreq = -1;
    }
  }

  /** Skips a module's opcode-tagged data up to its EOF opcode (§4.10). */
  private *skipModuleData(at: number): Generator<void, void, void> {
    for (;;) {
      const op = yield* this.len();
      switch (op) {
        case MODULE_OP_EOF:
          return;
        case MODULE_OP_SINT:
        case MODULE_OP_UINT:
          yield* this.lenBig();
          break;
        case MODULE_OP_FLOAT:
          yield* this.raw(4);
          break;
        case MODULE_OP_DOUBLE:
          yield* this.raw(8);
          break;
        case MODULE_OP_STRING:
          yield* this.str();
          break;
        default:
          throw this.err('unknown module data opcode ' + op, at);
      }
    }
  }

  // ------------------------------------------------------------------ values

  /** Decodes the value of type `type` (§4.5); `at` is the type byte's offset (for errors). */
  *readObject(type: number, at: number): Generator<void, RdbValue, void> {
    switch (type) {
      case T_STRING:
        return { kind: 'string', value: yield* this.str() };
      case T_LIST: {
        const n = yield* this.count('list');
        const elements: Buffer[] = [];
        for (let i = 0; i < n; i++) {
          let s = this.tryStr();
          if (s === null) s = yield* this.str();
          elements.push(s);
        }
        return { kind: 'list', elements };
      }
      case T_SET: {
        const n = yield* this.count('set');
        const members: Buffer[] = [];
        const seen = n <= READER_DEDUPE_MAX ? new Set<string>() : null;
        for (let i = 0; i < n; i++) {
          const mAt = this.offset;
          let s = this.tryStr();
          if (s === null) s = yield* this.str();
          const k = s.toString('latin1');
          if (seen !== null) {
            if (seen.has(k)) throw this.err('Duplicate set members detected', mAt);
            seen.add(k);
          }
          members.push(s);
        }
        return { kind: 'set', members };
      }
      case T_ZSET:
      case T_ZSET_2: {
        const n = yield* this.count('zset');
        const members: Buffer[] = [];
        const scores: number[] = [];
        const seen = n <= READER_DEDUPE_MAX ? new Set<string>() : null;
        for (let i = 0; i < n; i++) {
          const mAt = this.offset;
          let s = this.tryStr();
          if (s === null) s = yield* this.str();
          const score = type === T_ZSET_2 ? yield* this.binaryDouble() : yield* this.textDouble();
          if (Number.isNaN(score)) throw this.err('Zset with NAN score detected', mAt);
          const k = s.toString('latin1');
          if (seen !== null) {
            if (seen.has(k)) throw this.err('Duplicate zset fields detected', mAt);
            seen.add(k);
          }
          members.push(s);
          scores.push(score);
        }
        return { kind: 'zset', members, scores };
      }
      case T_HASH: {
        const n = yield* this.count('hash');
        const fields: Buffer[] = [];
        const values: Buffer[] = [];
        const seen = n <= READER_DEDUPE_MAX ? new Set<string>() : null;
        for (let i = 0; i < n; i++) {
          const fAt = this.offset;
          let f = this.tryStr();
          if (f === null) f = yield* this.str();
          let v = this.tryStr();
          if (v === null) v = yield* this.str();
          const k = f.toString('latin1');
          if (seen !== null) {
            if (seen.has(k)) throw this.err('Duplicate hash fields detected', fAt);
            seen.add(k);
          }
          fields.push(f);
          values.push(v);
        }
        return { kind: 'hash', fields, values };
      }
      case T_LIST_QUICKLIST:
      case T_LIST_QUICKLIST_2: {
        const n = yield* this.count('quicklist node');
        const elements: Buffer[] = [];
        for (let i = 0; i < n; i++) {
          let container = QUICKLIST_NODE_PACKED;
          if (type === T_LIST_QUICKLIST_2) {
            container = yield* this.len();
            if (container !== QUICKLIST_NODE_PACKED && container !== QUICKLIST_NODE_PLAIN) throw this.err('Quicklist integrity check failed: unknown container ' + container, this.offset);
          }
          const bAt = this.offset;
          const blob = yield* this.str();
          if (container === QUICKLIST_NODE_PLAIN) {
            elements.push(blob);
            continue;
          }
          const items = type === T_LIST_QUICKLIST ? this.blob(decodeZiplist, blob, bAt, 'Ziplist') : this.blob(decodeListpack, blob, bAt, 'Listpack');
          for (const e of items) elements.push(e);
        }
        return { kind: 'list', elements };
      }
      case T_LIST_ZIPLIST:
      case T_SET_INTSET:
      case T_SET_LISTPACK:
      case T_ZSET_ZIPLIST:
      case T_ZSET_LISTPACK:
      case T_HASH_ZIPLIST:
      case T_HASH_LISTPACK:
      case T_HASH_ZIPMAP: {
        const bAt = this.offset;
        const blob = yield* this.str();
        return this.decodeCompact(type, blob, bAt);
      }
      case T_STREAM_LISTPACKS:
      case T_STREAM_LISTPACKS_2:
      case T_STREAM_LISTPACKS_3:
        return yield* this.readStream(type);
      case T_MODULE_2:
      case T_MODULE_PRE_GA: {
        const id = yield* this.lenBig();
        const { name, encver } = moduleIdName(id);
        throw this.err(
          "The RDB file contains module data I can't load: no matching module type '" + name + "' (encoding version " + encver + ')',
          at,
        );
      }
      default:
        throw this.err('Unknown RDB encoding type ' + type, at);
    }
  }

  private blob(fn: (b: Buffer) => Buffer[], b: Buffer, at: number, what: string): Buffer[] {
    try {
      return fn(b);
    } catch (e) {
      if (e instanceof BlobError) throw this.err(what + ' integrity check failed: ' + e.message + ' (blob offset ' + e.blobOffset + ')', at);
      throw e;
    }
  }

  /** Values stored as one blob: ziplists, listpacks, intsets, zipmaps. */
  private decodeCompact(type: number, blob: Buffer, at: number): RdbValue {
    switch (type) {
      case T_LIST_ZIPLIST:
        return { kind: 'list', elements: this.blob(decodeZiplist, blob, at, 'Ziplist') };
      case T_SET_INTSET:
        return { kind: 'set', members: this.blob(decodeIntset, blob, at, 'Intset') };
      case T_SET_LISTPACK: {
        const members = this.blob(decodeListpack, blob, at, 'Set listpack');
        const seen = new DenseSet();
        for (const m of members) {
          const k = m.toString('latin1');
          if (seen.has(k)) throw this.err('Set listpack integrity check failed: duplicate member', at);
          seen.add(k);
        }
        return { kind: 'set', members };
      }
      case T_ZSET_ZIPLIST:
      case T_ZSET_LISTPACK: {
        const what = type === T_ZSET_ZIPLIST ? 'Zset ziplist' : 'Zset listpack';
        const items = this.blob(type === T_ZSET_ZIPLIST ? decodeZiplist : decodeListpack, blob, at, what);
        if (items.length % 2 !== 0) throw this.err(what + ' integrity check failed: odd number of elements', at);
        const members: Buffer[] = [];
        const scores: number[] = [];
        const seen = new DenseSet();
        for (let i = 0; i < items.length; i += 2) {
          const m = items[i]!;
          const sb = items[i + 1]!;
          const score = parseDoubleLoose(sb, 0, sb.length);
          if (Number.isNaN(score)) throw this.err(what + ' integrity check failed: bad score', at);
          const k = m.toString('latin1');
          if (seen.has(k)) throw this.err(what + ' integrity check failed: duplicate member', at);
          seen.add(k);
          members.push(m);
          scores.push(score);
        }
        return { kind: 'zset', members, scores };
      }
      case T_HASH_ZIPLIST:
      case T_HASH_LISTPACK:
      case T_HASH_ZIPMAP: {
        const what = type === T_HASH_ZIPLIST ? 'Hash ziplist' : type === T_HASH_LISTPACK ? 'Hash listpack' : 'Zipmap';
        const items = this.blob(type === T_HASH_ZIPLIST ? decodeZiplist : type === T_HASH_LISTPACK ? decodeListpack : decodeZipmap, blob, at, what);
        if (items.length % 2 !== 0) throw this.err(what + ' integrity check failed: odd number of elements', at);
        const fields: Buffer[] = [];
        const values: Buffer[] = [];
        const seen = new DenseSet();
        for (let i = 0; i < items.length; i += 2) {
          const k = items[i]!.toString('latin1');
          if (seen.has(k)) throw this.err(what + ' integrity check failed: duplicate field', at);
          seen.add(k);
          fields.push(items[i]!);
          values.push(items[i + 1]!);
        }
        return { kind: 'hash', fields, values };
      }
      default:
        throw this.err('Unknown RDB encoding type ' + type, at);
    }
  }

  /** Streams, types 15, 19 and 21 (§4.9). */
  private *readStream(type: number): Generator<void, RdbValue, void> {
    const nodeCount = yield* this.count('stream node');
    const nodes: RdbStreamNode[] = [];
    for (let i = 0; i < nodeCount; i++) {
      const kAt = this.offset;
      const nodeKey = yield* this.str();
      if (nodeKey.length !== 16) throw this.err('Stream node key entry is not the size of a stream ID', kAt);
      const lAt = this.offset;
      const lp = yield* this.str();
      const masterId = { ms: nodeKey.readBigUInt64BE(0), seq: nodeKey.readBigUInt64BE(8) };
      try {
        if (!validateStreamNode(lp, masterId)) throw this.err('Empty listpack inside stream', lAt);
      } catch (e) {
        if (e instanceof BlobError) throw this.err('Stream listpack integrity check failed: ' + e.message, lAt);
        throw e;
      }
      nodes.push({ masterId, listpack: lp });
    }
    const length = yield* this.lenBig();
    const lastId = { ms: yield* this.lenBig(), seq: yield* this.lenBig() };
    let firstId: StreamId = { ms: 0n, seq: 0n };
    let maxDeletedId: StreamId = { ms: 0n, seq: 0n };
    let entriesAdded = length;
    const v2 = type >= T_STREAM_LISTPACKS_2;
    if (v2) {
      firstId = { ms: yield* this.lenBig(), seq: yield* this.lenBig() };
      maxDeletedId = { ms: yield* this.lenBig(), seq: yield* this.lenBig() };
      entriesAdded = yield* this.lenBig();
    }
    const groupCount = yield* this.count('stream group');
    const groups: RdbStreamGroup[] = [];
    for (let g = 0; g < groupCount; g++) {
      const name = yield* this.str();
      const glast = { ms: yield* this.lenBig(), seq: yield* this.lenBig() };
      let entriesRead = -1n;
      if (v2) entriesRead = BigInt.asIntN(64, yield* this.lenBig());
      const pelCount = yield* this.count('stream PEL');
      const pel: RdbStreamPendingEntry[] = [];
      const pelIds = new Set<string>();
      for (let i = 0; i < pelCount; i++) {
        const pAt = this.offset;
        const id = yield* this.streamId();
        const deliveryTime = yield* this.int64LE();
        const deliveryCount = yield* this.lenBig();
        const k = id.ms + '-' + id.seq;
        if (pelIds.has(k)) throw this.err('Duplicated global PEL entry loading stream consumer group', pAt);
        pelIds.add(k);
        pel.push({ id, deliveryTime, deliveryCount });
      }
      const consumerCount = yield* this.count('stream consumer');
      const consumers: RdbStreamConsumer[] = [];
      for (let c = 0; c < consumerCount; c++) {
        const cname = yield* this.str();
        const seenTime = yield* this.int64LE();
        const activeTime = type === T_STREAM_LISTPACKS_3 ? yield* this.int64LE() : seenTime;
        const cpelCount = yield* this.count('consumer PEL');
        const cpel: StreamId[] = [];
        for (let i = 0; i < cpelCount; i++) {
          const pAt = this.offset;
          const id = yield* this.streamId();
          if (!pelIds.has(id.ms + '-' + id.seq)) throw this.err('Consumer entry not found in group global PEL', pAt);
          cpel.push(id);
        }
        consumers.push({ name: cname, seenTime, activeTime, pel: cpel });
      }
      groups.push({ name, lastId: glast, entriesRead, pel, consumers });
    }
    const stream = { nodes, length, lastId, firstId, maxDeletedId, entriesAdded, groups };
    // Type 15 has no first ID: Redis takes the first live entry's.
    if (!v2) stream.firstId = firstEntryId(stream);
    return { kind: 'stream', stream };
  }
}

/**
 * The value at the start of a DUMP payload (type byte + value). Throws
 * RdbError when it is corrupt or incomplete; bytes after the value are ignored, as Redis does.
 */
export function parseDumpValue(body: Buffer, maxStringLength?: number): { rdbType: number; value: RdbValue } {
  const r = new RdbReader({ onKey: () => undefined }, { valueOnly: true, totalLength: body.length, maxStringLength });
  r.feed(body);
  if (r.value === null) r.end();
  return r.value!;
}

/** Parses a whole in-memory RDB (a file read at once, tests); records go to the sink. */
export function parseRdb(data: Buffer, sink: RdbSink, opts: RdbReaderOptions = {}): RdbReader {
  const r = new RdbReader(sink, { totalLength: data.length, ...opts });
  r.feed(data);
  r.end();
  return r;
}
