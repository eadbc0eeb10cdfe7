/**
 * Stream IDs: two unsigned 64-bit integers (ms, seq), kept as bigints so that the whole range
 * (18446744073709551615-18446744073709551615) is exact.
 *
 * Parsing follows Redis 7.0's observable rules (checked against redis-server 7.0.15):
 * - the argument is read as a C string (it stops at its first NUL byte) of at most 127 bytes;
 * - "-" and "+" are the smallest and largest IDs where a range is expected;
 * - the text is split at its first '-'; each part is an unsigned 64-bit integer read first with
 *   the strict int64 rules (a negative value is refused) and, when that fails, the way C's
 *   strtoull reads it: leading white space, an optional sign ('-' negates modulo 2^64), decimal
 *   digits up to the end and no overflow. So " 1-1", "+2-1", "3-+1", "00010-1" and
 *   "5--18446744073709551615" (= 5-1) are all valid IDs, and "1-" is not.
 */

import { parseI64 } from '../../util/numbers.js';

export const U64_MAX = (1n << 64n) - 1n;
const U64_MOD = 1n << 64n;

export interface StreamID {
  ms: bigint;
  seq: bigint;
}

export const ID_ZERO: Readonly<StreamID> = Object.freeze({ ms: 0n, seq: 0n });
export const ID_MAX: Readonly<StreamID> = Object.freeze({ ms: U64_MAX, seq: U64_MAX });

export function cmpId(a: StreamID, b: StreamID): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

export function isZeroId(a: StreamID): boolean {
  return a.ms === 0n && a.seq === 0n;
}

export function formatId(id: StreamID): string {
  return id.ms.toString() + '-' + id.seq.toString();
}

/** The next ID (seq+1, carrying into ms); null after the largest ID. */
export function incrId(id: StreamID): StreamID | null {
  if (id.seq !== U64_MAX) return { ms: id.ms, seq: id.seq + 1n };
  if (id.ms !== U64_MAX) return { ms: id.ms + 1n, seq: 0n };
  return null;
}

/** The previous ID; null before 0-0. */
export function decrId(id: StreamID): StreamID | null {
  if (id.seq !== 0n) return { ms: id.ms, seq: id.seq - 1n };
  if (id.ms !== 0n) return { ms: id.ms - 1n, seq: U64_MAX };
  return null;
}

const keyScratch = Buffer.alloc(16);

/** 16 bytes big-endian (ms, seq) as a latin1 string: sorts like the IDs (node and PEL keys). */
export function idKey(ms: bigint, seq: bigint): string {
  keyScratch.writeBigUInt64BE(ms, 0);
  keyScratch.writeBigUInt64BE(seq, 8);
  return keyScratch.toString('latin1');
}

export function idKeyOf(id: StreamID): string {
  return idKey(id.ms, id.seq);
}

export function idFromKey(k: string): StreamID {
  keyScratch.write(k, 0, 16, 'latin1');
  return { ms: keyScratch.readBigUInt64BE(0), seq: keyScratch.readBigUInt64BE(8) };
}

/** The 16 raw bytes of an ID (RDB node keys and PEL entries). */
export function idBytes(id: StreamID): Buffer {
  const b = Buffer.alloc(16);
  b.writeBigUInt64BE(id.ms, 0);
  b.writeBigUInt64BE(id.seq, 8);
  return b;
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** C strtoull(s, &end, 10) with "must consume everything": null when invalid or > 2^64-1. */
function strtoull(b: Uint8Array, start: number, end: number): bigint | null {
  let i = start;
  while (i < end && isSpace(b[i]!)) i++;
  let neg = false;
  if (i < end && (b[i] === 0x2b || b[i] === 0x2d)) {
    neg = b[i] === 0x2d;
    i++;
  }
  if (i === end) return null;
  let v = 0n;
  let n = 0;
  let small = 0;
  for (; i < end; i++) {
    const d = b[i]! - 48;
    if (d < 0 || d > 9) return null;
    if (n < 15) small = small * 10 + d;
    else {
      if (n === 15) v = BigInt(small);
      v = v * 10n + BigInt(d);
      if (v > U64_MAX) return null;
    }
    n++;
  }
  if (n <= 15) v = BigInt(small);
  return neg && v !== 0n ? U64_MOD - v : v;
}

/** Redis's string2ull: strict int64 first (negative refused), then strtoull. */
export function parseU64(b: Uint8Array, start = 0, end = b.length): bigint | null {
  if (start === end) return null;
  const v = parseI64(b, start, end);
  if (v !== null) {
    if (v < 0) return null;
    return BigInt(v);
  }
  return strtoull(b, start, end);
}

/** Where an ID argument ends when read as a C string (first NUL). */
function cEnd(b: Uint8Array): number {
  const i = b.indexOf(0);
  return i < 0 ? b.length : i;
}

/** Result of parseIdArg for "ms-*" (XADD only): the seq is to be generated. */
export const SEQ_AUTO = -1n;

/**
 * Parses a stream ID argument. `missingSeq` is the seq used when only ms is given (0 for a
 * range start, 2^64-1 for an end); `strict` refuses "-" and "+"; `allowSeqAuto` accepts
 * "ms-*" and returns seq = SEQ_AUTO. Null when the text is not a valid ID.
 */
export function parseIdArg(arg: Uint8Array, missingSeq: bigint, strict: boolean, allowSeqAuto = false): StreamID | null {
  const end = cEnd(arg);
  if (end > 127 || end === 0) return null;
  if (end === 1) {
    if (arg[0] === 0x2d) return strict ? null : { ms: 0n, seq: 0n };
    if (arg[0] === 0x2b) return strict ? null : { ms: U64_MAX, seq: U64_MAX };
  }
  let dash = -1;
  for (let i = 0; i < end; i++) {
    if (arg[i] === 0x2d) {
      dash = i;
      break;
    }
  }
  if (dash < 0) {
    const ms = parseU64(arg, 0, end);
    return ms === null ? null : { ms, seq: missingSeq };
  }
  const ms = parseU64(arg, 0, dash);
  if (ms === null) return null;
  if (allowSeqAuto && end === dash + 2 && arg[dash + 1] === 0x2a) return { ms, seq: SEQ_AUTO };
  const seq = parseU64(arg, dash + 1, end);
  if (seq === null) return null;
  return { ms, seq };
}
