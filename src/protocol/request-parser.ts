/**
 * Incremental RESP request parser (multibulk and inline), producing argument vectors as
 * Buffer views of the bytes read from the socket.
 *
 * Why views are safe: Node hands every 'data' event a fresh Buffer that it never reuses, and
 * this parser never writes into a buffer it has handed out. When a frame straddles two reads
 * only the unparsed tail is copied (into a new buffer), so views already handed out stay
 * valid. Handlers that keep an argument past their call must copy it (the keyspace does).
 *
 * State is kept between reads (arguments still expected, length of the bulk being read), so a
 * pipeline split at any byte parses to the same commands, and a large bulk (>= 32 KiB) is read
 * straight into a buffer of its final size instead of growing a query buffer.
 */

import { PROTO, expectedDollarError } from './errors.js';
import { viewAt } from '../util/bytes.js';

/** Longest header or inline line Redis accepts before giving up (PROTO_INLINE_MAX_SIZE). */
export const INLINE_MAX = 64 * 1024;
/** Bulks at least this long are read into a dedicated buffer (PROTO_MBULK_BIG_ARG). */
const BIG_ARG = 32 * 1024;
const MAX_MULTIBULK = 2147483647; // INT_MAX, as Redis 7.0 checks
const UNAUTH_MULTIBULK = 10;
const UNAUTH_BULK = 16384;

export interface ParserLimits {
  /** proto-max-bulk-len */
  maxBulkLen: number;
  /** When true the client has not authenticated yet and small limits apply. */
  unauthenticated: boolean;
}

/** Receives each parsed command; returns false to stop parsing (client blocked or closing). */
export type CommandSink = (argv: Buffer[], inline: boolean) => boolean;

const EMPTY = Buffer.alloc(0);

export class RequestParser {
  /** Unparsed bytes from earlier reads (start of an incomplete element). */
  private pending: Buffer = EMPTY;
  private argv: Buffer[] = [];
  /** Arguments still expected in the current multibulk; 0 between commands. */
  private remaining = 0;
  /** Length of the bulk being read, or -1 when its `$` header is next. */
  private bulkLen = -1;
  /** Dedicated buffer for a large bulk being filled across reads. */
  private big: Buffer | null = null;
  private bigFill = 0;
  /** Protocol error text once one has happened; the parser then refuses further input. */
  error: string | null = null;

  /** Bytes held between reads (counted against client-query-buffer-limit, shown as qbuf). */
  get buffered(): number {
    return this.pending.length + (this.big !== null ? this.bigFill : 0);
  }

  /** Size of the buffer held for a large argument being read (qbuf-free-ish accounting). */
  get reserved(): number {
    return this.big !== null ? this.big.length : this.pending.length;
  }

  /** True while a command is partially read. */
  get midCommand(): boolean {
    return this.remaining > 0 || this.pending.length > 0;
  }

  /**
   * Parses `chunk` (after any held bytes) and calls `sink` for each complete command.
   * Returns false when parsing stopped because of a protocol error (see `error`); true
   * otherwise (including when the sink asked to stop: the rest is held for `resume`).
   */
  feed(chunk: Buffer, limits: ParserLimits, sink: CommandSink): boolean {
    if (this.error !== null) return false;
    if (this.big !== null) {
      chunk = this.fillBig(chunk);
      if (this.big !== null) return true; // still filling
      if (this.remaining === 0 && !this.dispatch(sink, false)) {
        this.pending = chunk.length > 0 ? chunk : EMPTY;
        return true;
      }
    }
    let data: Buffer;
    if (this.pending.length === 0) data = chunk;
    else if (chunk.length === 0) data = this.pending;
    else data = Buffer.concat([this.pending, chunk]);
    this.pending = EMPTY;
    return this.parse(data, limits, sink);
  }

  /** Continues with held bytes after the sink had asked to stop. */
  resume(limits: ParserLimits, sink: CommandSink): boolean {
    return this.feed(EMPTY, limits, sink);
  }

  /** Drops all parser state (RESET keeps the connection but not a half-read command). */
  reset(): void {
    this.pending = EMPTY;
    this.argv = [];
    this.remaining = 0;
    this.bulkLen = -1;
    this.big = null;
    this.bigFill = 0;
  }

  private dispatch(sink: CommandSink, inline: boolean): boolean {
    const argv = this.argv;
    this.argv = [];
    return sink(argv, inline);
  }

  private fillBig(chunk: Buffer): Buffer {
    const big = this.big!;
    const need = big.length - this.bigFill;
    const n = chunk.length < need ? chunk.length : need;
    chunk.copy(big, this.bigFill, 0, n);
    this.bigFill += n;
    if (this.bigFill < big.length) return EMPTY;
    // Complete: the trailing CRLF was read into the buffer too; the argument excludes it.
    this.argv.push(big.subarray(0, big.length - 2));
    this.big = null;
    this.bigFill = 0;
    this.bulkLen = -1;
    this.remaining--;
    return chunk.subarray(n);
  }

  private fail(msg: string): boolean {
    this.error = msg;
    this.pending = EMPTY;
    this.argv = [];
    return false;
  }

  private parse(data: Buffer, limits: ParserLimits, sink: CommandSink): boolean {
    const len = data.length;
    const ab = data.buffer as ArrayBuffer;
    const base = data.byteOffset;
    let pos = 0;
    while (pos < len) {
      if (this.remaining === 0) {
        if (data[pos] === 0x2a) {
          // *<count>\r\n
          // Like Redis, the header ends at the first CR and the byte after it is skipped
          // unchecked, so "*1\r\r\n" is read as "*1" followed by "\n".
          const cr = findCR(data, pos, len);
          if (cr < 0 || cr + 1 >= len) {
            if (len - pos > INLINE_MAX) return this.fail(PROTO.bigMbulk);
            break;
          }
          const nl = cr + 1;
          const n = parseLength(data, pos + 1, cr);
          if (n === BAD || n > MAX_MULTIBULK) return this.fail(PROTO.invalidMultibulk);
          if (limits.unauthenticated && n > UNAUTH_MULTIBULK) {
            return this.fail(PROTO.unauthMultibulk);
          }
          pos = nl + 1;
          if (n <= 0) continue; // "*0" and "*-1" are empty commands, skipped
          this.remaining = n;
          this.bulkLen = -1;
        } else {
          const nl = data.indexOf(0x0a, pos);
          if (nl < 0) {
            if (len - pos > INLINE_MAX) return this.fail(PROTO.bigInline);
            break;
          }
          const end = nl > pos && data[nl - 1] === 0x0d ? nl - 1 : nl;
          const args = splitInline(data, pos, end);
          pos = nl + 1;
          if (args === null) return this.fail(PROTO.unbalancedQuotes);
          if (args.length === 0) continue;
          this.argv = args;
          if (!this.dispatch(sink, true)) {
            this.hold(data, pos);
            return true;
          }
          continue;
        }
      }
      while (this.remaining > 0) {
        if (this.bulkLen < 0) {
          if (pos >= len) break;
          if (data[pos] !== 0x24) return this.fail(expectedDollarError(data[pos]!));
          const cr = findCR(data, pos, len);
          if (cr < 0 || cr + 1 >= len) {
            if (len - pos > INLINE_MAX) return this.fail(PROTO.bigBulk);
            break;
          }
          const nl = cr + 1;
          const n = parseLength(data, pos + 1, cr);
          if (n === BAD || n < 0 || n > limits.maxBulkLen) return this.fail(PROTO.invalidBulk);
          if (limits.unauthenticated && n > UNAUTH_BULK) return this.fail(PROTO.unauthBulk);
          pos = nl + 1;
          this.bulkLen = n;
          if (n >= BIG_ARG && len - pos < n + 2) {
            this.big = Buffer.allocUnsafeSlow(n + 2);
            this.bigFill = 0;
            const rest = this.fillBig(data.subarray(pos));
            if (this.big !== null) return true;
            // fillBig consumed exactly what it needed; continue with the remainder.
            pos = len - rest.length;
            continue;
          }
        }
        const n = this.bulkLen;
        if (len - pos < n + 2) break;
        this.argv.push(viewAt(ab, base + pos, n));
        pos += n + 2;
        this.bulkLen = -1;
        this.remaining--;
      }
      if (this.remaining > 0) break;
      if (!this.dispatch(sink, false)) {
        this.hold(data, pos);
        return true;
      }
    }
    this.hold(data, pos);
    return true;
  }

  private hold(data: Buffer, pos: number): void {
    this.pending = pos < data.length ? data.subarray(pos) : EMPTY;
  }
}

const BAD = -0x7fffffff - 10;

/** Index of the first CR at or after `pos`; headers are short, so a plain loop beats the
 *  native indexOf call for the first bytes. */
function findCR(data: Buffer, pos: number, len: number): number {
  const stop = pos + 24 < len ? pos + 24 : len;
  for (let i = pos; i < stop; i++) if (data[i] === 0x0d) return i;
  return stop < len ? data.indexOf(0x0d, stop) : -1;
}

/**
 * Parses a decimal length in data[start, end) with string2ll's strictness: an optional '-',
 * then "0" alone or a digit 1-9 followed by digits (no '+', no leading zeros, no "-0").
 * Returns BAD otherwise.
 */
function parseLength(data: Buffer, start: number, end: number): number {
  if (end <= start || end - start > 19) return BAD;
  let i = start;
  let neg = false;
  if (data[i] === 0x2d) {
    neg = true;
    i++;
    if (i === end) return BAD;
  }
  if (data[i] === 0x30) return !neg && i + 1 === end ? 0 : BAD;
  let n = 0;
  for (; i < end; i++) {
    const d = data[i]! - 48;
    if (d < 0 || d > 9) return BAD;
    n = n * 10 + d;
  }
  if (n > Number.MAX_SAFE_INTEGER) return BAD;
  return neg ? -n : n;
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Splits an inline command line the way redis-cli users expect (Redis's sdssplitargs rules):
 * whitespace separates arguments, "double quotes" support \n \r \t \b \a \xHH and \\ escapes,
 * 'single quotes' support \' only, and a closing quote must be followed by whitespace or the
 * end of the line. Returns null on unbalanced quotes.
 */
export function splitInline(data: Buffer, start: number, end: number): Buffer[] | null {
  const out: Buffer[] = [];
  let p = start;
  while (true) {
    while (p < end && isSpace(data[p]!)) p++;
    if (p >= end) return out;
    const c0 = data[p]!;
    if (c0 !== 0x22 && c0 !== 0x27) {
      const s = p;
      while (p < end && !isSpace(data[p]!)) {
        const c = data[p]!;
        if (c === 0x22 || c === 0x27) break;
        p++;
      }
      if (p < end && (data[p] === 0x22 || data[p] === 0x27)) {
        // A quote in the middle of a word starts a quoted part glued to it; Redis treats the
        // whole token char by char, so fall through to the slow path from the word start.
        p = s;
      } else {
        out.push(data.subarray(s, p));
        continue;
      }
    }
    // Slow path: build the argument byte by byte.
    const bytes: number[] = [];
    let inDq = false;
    let inSq = false;
    let done = false;
    while (!done) {
      if (inDq) {
        if (p >= end) return null;
        const c = data[p]!;
        if (c === 0x5c && p + 3 < end && data[p + 1] === 0x78 && hexVal(data[p + 2]!) >= 0 && hexVal(data[p + 3]!) >= 0) {
          bytes.push(hexVal(data[p + 2]!) * 16 + hexVal(data[p + 3]!));
          p += 4;
          continue;
        }
        if (c === 0x5c && p + 1 < end) {
          p++;
          const e = data[p]!;
          bytes.push(e === 0x6e ? 10 : e === 0x72 ? 13 : e === 0x74 ? 9 : e === 0x62 ? 8 : e === 0x61 ? 7 : e);
          p++;
          continue;
        }
        if (c === 0x22) {
          if (p + 1 < end && !isSpace(data[p + 1]!)) return null;
          inDq = false;
          done = true;
          p++;
          continue;
        }
        bytes.push(c);
        p++;
      } else if (inSq) {
        if (p >= end) return null;
        const c = data[p]!;
        if (c === 0x5c && p + 1 < end && data[p + 1] === 0x27) {
          bytes.push(0x27);
          p += 2;
          continue;
        }
        if (c === 0x27) {
          if (p + 1 < end && !isSpace(data[p + 1]!)) return null;
          inSq = false;
          done = true;
          p++;
          continue;
        }
        bytes.push(c);
        p++;
      } else {
        if (p >= end) break;
        const c = data[p]!;
        if (isSpace(c)) break;
        if (c === 0x22) inDq = true;
        else if (c === 0x27) inSq = true;
        else bytes.push(c);
        p++;
      }
    }
    out.push(Buffer.from(bytes));
  }
}
