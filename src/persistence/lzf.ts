/**
 * LZF, the compression RDB files use for long strings (RDB string encoding 0xC3).
 *
 * Format (a stream of items, no header):
 *   ctrl < 32        literal run: the next ctrl+1 bytes (1..32) are copied as they are
 *   ctrl >= 32       back reference: len = ctrl >> 5 (1..6, or 7 + the next byte), then
 *                    dist = ((ctrl & 31) << 8 | next byte) + 1 (1..8192); copy len+2 bytes
 *                    (3..264) from `dist` bytes back in the output, byte by byte (overlap allowed)
 *
 * The decoder is strict: input that runs past its end, references before the start of the
 * output or would produce more or fewer bytes than announced throw LzfError. The data comes
 * from files and sockets, so a corrupt length must never become an out-of-range access.
 */

export class LzfError extends Error {}

const MAX_LIT = 32;
const MAX_OFF = 8192;
const MAX_REF = 264; // 7 + 255 + 2
const HASH_BITS = 14;
const HASH_SIZE = 1 << HASH_BITS;

/** Largest output per input byte any valid stream can produce (a 3-byte reference gives 264). */
export const LZF_MAX_RATIO = 88;

/**
 * Decompresses src[start, end) into a new Buffer of exactly `ulen` bytes.
 * Throws LzfError when the stream is corrupt or does not decode to exactly ulen bytes.
 */
export function lzfDecompress(src: Uint8Array, start: number, end: number, ulen: number): Buffer {
  if (!(start >= 0 && end <= src.length && start <= end)) throw new LzfError('LZF input range out of bounds');
  if (ulen > (end - start) * LZF_MAX_RATIO) throw new LzfError('LZF uncompressed length ' + ulen + ' impossible for ' + (end - start) + ' compressed bytes');
  const out = Buffer.allocUnsafe(ulen);
  let ip = start;
  let op = 0;
  while (ip < end) {
    const ctrl = src[ip++]!;
    if (ctrl < 32) {
      const n = ctrl + 1;
      if (ip + n > end) throw new LzfError('LZF literal run past the end of the input');
      if (op + n > ulen) throw new LzfError('LZF output longer than ' + ulen + ' bytes');
      for (let i = 0; i < n; i++) out[op++] = src[ip++]!;
    } else {
      let len = ctrl >>> 5;
      if (len === 7) {
        if (ip >= end) throw new LzfError('LZF back reference past the end of the input');
        len += src[ip++]!;
      }
      if (ip >= end) throw new LzfError('LZF back reference past the end of the input');
      const dist = ((ctrl & 0x1f) << 8) + src[ip++]! + 1;
      len += 2;
      let ref = op - dist;
      if (ref < 0) throw new LzfError('LZF back reference before the start of the output');
      if (op + len > ulen) throw new LzfError('LZF output longer than ' + ulen + ' bytes');
      for (let i = 0; i < len; i++) out[op++] = out[ref++]!;
    }
  }
  if (op !== ulen) throw new LzfError('LZF output is ' + op + ' bytes, expected ' + ulen);
  return out;
}

// Compressor state reused between calls: the table maps a hash of 3 bytes to (position + 1)
// in the current input; a generation stamp avoids clearing it for every string.
const table = new Int32Array(HASH_SIZE);
const tableGen = new Int32Array(HASH_SIZE);
let generation = 0;
let scratch = Buffer.allocUnsafe(1024);

function hash3(b: Uint8Array, i: number): number {
  const v = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
  return (Math.imul(v, 0x9e3779b1) >>> (32 - HASH_BITS)) & (HASH_SIZE - 1);
}

/**
 * Compresses src[start, end). Returns the compressed bytes (a view into a scratch buffer, valid
 * until the next call), or null when the result would be longer than `maxOut` bytes.
 */
export function lzfCompress(src: Uint8Array, start: number, end: number, maxOut: number): Buffer | null {
  const n = end - start;
  if (n <= 0 || maxOut <= 0) return null;
  if (scratch.length < maxOut + MAX_LIT + 3) scratch = Buffer.allocUnsafe(Math.max(maxOut + MAX_LIT + 3, scratch.length * 2));
  const out = scratch;
  generation = (generation + 1) | 0;
  if (generation === 0) {
    tableGen.fill(0);
    generation = 1;
  }
  let op = 0;
  let litStart = op; // position of the current literal run's control byte
  let lit = 0;
  op++; // room for the first control byte
  let ip = start;
  while (ip + 2 < end) {
    const h = hash3(src, ip);
    const cand = tableGen[h] === generation ? table[h]! - 1 : -1;
    table[h] = ip + 1;
    tableGen[h] = generation;
    const dist = ip - cand;
    if (cand >= start && dist <= MAX_OFF && src[cand] === src[ip] && src[cand + 1] === src[ip + 1] && src[cand + 2] === src[ip + 2]) {
      // Match: extend it as far as allowed.
      let len = 3;
      const maxLen = Math.min(MAX_REF, end - ip);
      while (len < maxLen && src[cand + len] === src[ip + len]) len++;
      // Close the literal run (or drop its reserved control byte when it is empty).
      if (lit > 0) out[litStart] = lit - 1;
      else op--;
      const code = len - 2;
      const d = dist - 1;
      if (op + 3 > maxOut) return null;
      if (code < 7) {
        out[op++] = (code << 5) | (d >>> 8);
      } else {
        out[op++] = (7 << 5) | (d >>> 8);
        out[op++] = code - 7;
      }
      out[op++] = d & 0xff;
      // Index the positions inside the match so later data can refer to them.
      const stop = Math.min(ip + len, end - 2);
      for (let k = ip + 1; k < stop; k++) {
        const hk = hash3(src, k);
        table[hk] = k + 1;
        tableGen[hk] = generation;
      }
      ip += len;
      litStart = op;
      lit = 0;
      op++;
      continue;
    }
    if (op >= maxOut) return null;
    out[op++] = src[ip++]!;
    if (++lit === MAX_LIT) {
      out[litStart] = MAX_LIT - 1;
      litStart = op;
      lit = 0;
      op++;
    }
  }
  while (ip < end) {
    if (op >= maxOut) return null;
    out[op++] = src[ip++]!;
    if (++lit === MAX_LIT) {
      out[litStart] = MAX_LIT - 1;
      litStart = op;
      lit = 0;
      op++;
    }
  }
  if (lit > 0) out[litStart] = lit - 1;
  else op--; // the reserved control byte of an empty run
  if (op > maxOut) return null;
  return out.subarray(0, op);
}

/**
 * Redis's rule for RDB strings: try LZF only for strings longer than 20 bytes and keep the
 * result only when it saves at least 4 bytes. Returns the compressed bytes or null.
 */
export function lzfCompressForRdb(src: Uint8Array, start = 0, end = src.length): Buffer | null {
  const n = end - start;
  if (n <= 20) return null;
  return lzfCompress(src, start, end, n - 4);
}
