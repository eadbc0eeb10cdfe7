/**
 * The bitmap family: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO.
 *
 * Bits are numbered from the most significant bit of byte 0 (bit 7 of byte 0 is offset 0),
 * bytes past the end of a string read as zero, and writes grow the string with zero bytes.
 * A bit offset is valid while offset/8 < proto-max-bulk-len (the master's stream is exempt).
 *
 * Semantics checked against redis-server 7.0.15, including the parts that look accidental:
 * BITCOUNT answers 0 for a missing key before looking at its arguments, BITPOS parses the unit
 * before the end, BITFIELD grows the string before running the operations (so a key written only
 * by failed OVERFLOW FAIL operations is still created, without being counted dirty), and a
 * `#n` offset is multiplied by the width in wrapping 64-bit arithmetic.
 *
 * Writes within the current length modify the stored bytes in place (as Redis does), so a
 * SETBIT on a large bitmap costs O(1); growth goes through growString (amortised).
 */

import type { Client } from '../server/client.js';
import type { CommandSpec } from './spec.js';
import { ERR } from '../protocol/errors.js';
import { lookupWrite } from '../store/expire.js';
import { NOTIFY } from '../store/notify.js';
import { TYPE_STRING } from '../store/db.js';
import { MAX_CHUNK } from '../store/slab.js';
import { parseI64, parseI64AsNumber } from '../util/numbers.js';
import { createZeroString, eqi, growString, rangeSpec, readKey, sizeLimited } from './string.js';

// ------------------------------------------------------------------ error texts (7.0.15)

const ERR_BIT_ARG = 'ERR The bit argument must be 1 or 0.';
const ERR_BITOP_NOT = 'ERR BITOP NOT must be called with a single source key.';
const ERR_BITFIELD_TYPE = 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';
const ERR_OVERFLOW_TYPE = 'ERR Invalid OVERFLOW type specified';
const ERR_BITFIELD_RO = 'ERR BITFIELD_RO only supports the GET subcommand';

const EMPTY = Buffer.alloc(0);
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

// ------------------------------------------------------------------ pure helpers (exported for tests)

/** Number of set bits of every byte value. */
export const POPCOUNT8: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let i = 1; i < 256; i++) t[i] = (i & 1) + t[i >> 1]!;
  return t;
})();

/** Set bits in buf[from, to) (byte indexes). */
export function popcountBytes(buf: Uint8Array, from: number, to: number): number {
  let n = 0;
  let i = from;
  if (to - from >= 256) {
    // Large ranges: 32-bit words through an aligned view, SWAR popcount.
    while (((buf.byteOffset + i) & 3) !== 0) n += POPCOUNT8[buf[i++]!]!;
    const words = (to - i) >>> 2;
    const w = new Uint32Array(buf.buffer, buf.byteOffset + i, words);
    for (let k = 0; k < words; k++) {
      let x = w[k]!;
      x = x - ((x >>> 1) & 0x55555555);
      x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
      x = (x + (x >>> 4)) & 0x0f0f0f0f;
      n += Math.imul(x, 0x01010101) >>> 24;
    }
    i += words * 4;
  }
  // Four bytes per step; the table lookups are the whole cost.
  for (const stop = to - 3; i < stop; i += 4) {
    n += POPCOUNT8[buf[i]!]! + POPCOUNT8[buf[i + 1]!]! + POPCOUNT8[buf[i + 2]!]! + POPCOUNT8[buf[i + 3]!]!;
  }
  for (; i < to; i++) n += POPCOUNT8[buf[i]!]!;
  return n;
}

/** Set bits at bit positions [from, to] (inclusive) of buf; positions must be inside buf. */
export function popcountBits(buf: Uint8Array, from: number, to: number): number {
  const firstByte = (from - (from & 7)) / 8;
  const lastByte = (to - (to & 7)) / 8;
  let n = popcountBytes(buf, firstByte, lastByte + 1);
  const head = from & 7;
  if (head !== 0) n -= POPCOUNT8[buf[firstByte]! & ((0xff << (8 - head)) & 0xff)]!;
  const tail = 7 - (to & 7);
  if (tail !== 0) n -= POPCOUNT8[buf[lastByte]! & ((1 << tail) - 1)]!;
  return n;
}

/** The bit at position pos (0 past the end). */
export function bitAt(buf: Uint8Array, pos: number): number {
  const r = pos & 7;
  const byte = (pos - r) / 8;
  return byte < buf.length ? (buf[byte]! >> (7 - r)) & 1 : 0;
}

/**
 * First position in [from, to] (inclusive bit positions inside buf) whose bit equals `bit`,
 * or -1.
 */
export function findBit(buf: Uint8Array, from: number, to: number, bit: number): number {
  let pos = from;
  while (pos <= to && (pos & 7) !== 0) {
    if (bitAt(buf, pos) === bit) return pos;
    pos++;
  }
  const skip = bit === 1 ? 0x00 : 0xff;
  let byte = pos / 8;
  while (pos + 7 <= to) {
    const v = buf[byte]!;
    if (v !== skip) return pos + Math.clz32(bit === 1 ? v : ~v & 0xff) - 24;
    byte++;
    pos += 8;
  }
  while (pos <= to) {
    if (bitAt(buf, pos) === bit) return pos;
    pos++;
  }
  return -1;
}

/** Reads `bits` (1..32) bits at bit offset `off` as an unsigned number (zeros past the end). */
function readBits32(buf: Uint8Array, off: number, bits: number): number {
  let v = 0;
  for (let i = 0; i < bits; i++) v = v * 2 + bitAt(buf, off + i);
  return v;
}

/** Writes the low `bits` (1..32) bits of v at bit offset `off` (buf must be long enough). */
function writeBits32(buf: Uint8Array, off: number, bits: number, v: number): void {
  for (let i = bits - 1; i >= 0; i--) {
    const b = v % 2;
    v = (v - b) / 2;
    const pos = off + i;
    const r = pos & 7;
    const byte = (pos - r) / 8;
    if (b !== 0) buf[byte] = buf[byte]! | (0x80 >> r);
    else buf[byte] = buf[byte]! & ~(0x80 >> r);
  }
}

/** The `bits` (1..64) bits at `off` as an unsigned bigint. */
export function readField(buf: Uint8Array, off: number, bits: number): bigint {
  if (bits <= 32) return BigInt(readBits32(buf, off, bits));
  const hi = bits - 32;
  return (BigInt(readBits32(buf, off, hi)) << 32n) | BigInt(readBits32(buf, off + hi, 32));
}

/** Stores the unsigned value u (< 2^bits) in `bits` bits at `off`. */
export function writeField(buf: Uint8Array, off: number, bits: number, u: bigint): void {
  if (bits <= 32) {
    writeBits32(buf, off, bits, Number(u));
    return;
  }
  const hi = bits - 32;
  writeBits32(buf, off, hi, Number(u >> 32n));
  writeBits32(buf, off + hi, 32, Number(u & 0xffffffffn));
}

export const OVERFLOW_WRAP = 0;
export const OVERFLOW_SAT = 1;
export const OVERFLOW_FAIL = 2;

/**
 * The value BITFIELD stores for SET (incr = null: `value` is the new value) or INCRBY
 * (`value` is the increment added to `old`), or null when OVERFLOW FAIL refuses it.
 * `old` is the field's current value (already sign-extended for signed fields); the result is
 * the field's value as GET would return it.
 *
 * Unsigned SET reads the argument as a 64-bit unsigned number, so a negative value saturates to
 * the maximum (as in Redis). Everything else is plain arithmetic: a result above the maximum
 * overflows, below the minimum underflows; WRAP keeps the low bits, SAT clamps - except the
 * signed SET quirk documented below.
 */
export function bitfieldApply(signed: boolean, bits: number, old: bigint, value: bigint, isIncr: boolean, overflow: number): bigint | null {
  const B = BigInt(bits);
  let r: bigint;
  let max: bigint;
  let min: bigint;
  if (signed) {
    max = (1n << (B - 1n)) - 1n;
    min = -max - 1n;
    r = isIncr ? old + value : value;
  } else {
    max = (1n << B) - 1n;
    min = 0n;
    r = isIncr ? old + value : BigInt.asUintN(64, value);
  }
  if (r >= min && r <= max) return r;
  if (overflow === OVERFLOW_FAIL) return null;
  if (overflow === OVERFLOW_SAT) {
    // Redis decides "overflow" vs "underflow" of a signed SET with `max - value` in wrapping
    // int64 arithmetic, so values near INT64_MIN (max - value > INT64_MAX) saturate to the max.
    if (signed && !isIncr && bits < 64 && value < max - (1n << 63n) + 1n) return max;
    return r > max ? max : min;
  }
  return signed ? BigInt.asIntN(bits, r) : BigInt.asUintN(bits, r);
}

/** Parses a BITFIELD type (`i1`..`i64`, `u1`..`u63`): bits, negated for signed; 0 if invalid. */
export function parseBitfieldType(arg: Buffer): number {
  if (arg.length < 2) return 0;
  const t = arg[0]!;
  if (t !== 0x69 && t !== 0x75) return 0; // 'i' / 'u', lower case only
  const v = parseI64(arg, 1, arg.length);
  if (v === null || typeof v !== 'number') return 0;
  if (t === 0x69) return v >= 1 && v <= 64 ? -v : 0;
  return v >= 1 && v <= 63 ? v : 0;
}

// ------------------------------------------------------------------ argument helpers

/**
 * Parses a bit offset; with `hash` the argument is `#n`, meaning n * bits (computed in wrapping
 * int64 arithmetic, like Redis). Returns -1 when not an integer, negative or past the limit.
 */
function parseBitOffset(c: Client, arg: Buffer, hash: boolean, bits: number): number {
  const v = parseI64(arg, hash ? 1 : 0, arg.length);
  if (v === null) return -1;
  let off: number;
  if (!hash) off = typeof v === 'number' ? v : Number(v);
  else if (typeof v === 'number' && Math.abs(v * bits) <= MAX_SAFE) off = v * bits;
  else off = Number(BigInt.asIntN(64, BigInt(v) * BigInt(bits)));
  if (off < 0) return -1;
  if (Math.floor(off / 8) >= c.server.protoMaxBulkLen && sizeLimited(c)) return -1;
  return off;
}

// ------------------------------------------------------------------ SETBIT / GETBIT

function setbitCommand(c: Client, argv: Buffer[]): void {
  const offset = parseBitOffset(c, argv[2]!, false, 1);
  if (offset < 0) {
    c.reply.error(ERR.bitOffset);
    return;
  }
  const v = argv[3]!;
  if (v.length !== 1 || (v[0] !== 0x30 && v[0] !== 0x31)) {
    c.reply.error(ERR.bitValue);
    return;
  }
  const on = v[0] === 0x31;
  const key = argv[1]!;
  const db = c.db;
  let id = lookupWrite(c, key);
  const r = offset & 7;
  const byte = (offset - r) / 8;
  let grew = false;
  let buf: Buffer;
  if (id < 0) {
    id = createZeroString(db, key, byte + 1);
    buf = db.getString(id);
    grew = true;
  } else {
    if (db.typeOf(id) !== TYPE_STRING) {
      c.reply.error(ERR.wrongType);
      return;
    }
    if (db.stringLength(id) < byte + 1) {
      buf = growString(db, id, byte + 1);
      grew = true;
    } else {
      buf = db.getString(id);
    }
  }
  const mask = 0x80 >> r;
  const old = (buf[byte]! & mask) !== 0 ? 1 : 0;
  if (on) buf[byte] = buf[byte]! | mask;
  else buf[byte] = buf[byte]! & ~mask;
  db.setRaw(id, true);
  if (grew || old !== (on ? 1 : 0)) {
    const server = c.server;
    server.dirty++;
    server.keyModified(c.dbIndex, key);
    server.notify(NOTIFY.STRING, 'setbit', key, c.dbIndex);
  }
  c.reply.integer(old);
}

function getbitCommand(c: Client, argv: Buffer[]): void {
  const offset = parseBitOffset(c, argv[2]!, false, 1);
  if (offset < 0) {
    c.reply.error(ERR.bitOffset);
    return;
  }
  const id = readKey(c, argv[1]!);
  if (id < 0) {
    c.reply.integer(0);
    return;
  }
  const db = c.db;
  if (db.typeOf(id) !== TYPE_STRING) {
    c.reply.error(ERR.wrongType);
    return;
  }
  c.reply.integer(bitAt(db.getString(id), offset));
}

// ------------------------------------------------------------------ BITCOUNT / BITPOS

function bitcountCommand(c: Client, argv: Buffer[]): void {
  // Redis answers 0 for a missing key before looking at the other arguments.
  const id = readKey(c, argv[1]!);
  if (id < 0) {
    c.reply.integer(0);
    return;
  }
  const db = c.db;
  if (db.typeOf(id) !== TYPE_STRING) {
    c.reply.error(ERR.wrongType);
    return;
  }
  const n = argv.length;
  const s = db.getString(id);
  const strlen = s.length;
  if (n === 2) {
    c.reply.integer(popcountBytes(s, 0, strlen));
    return;
  }
  if (n !== 4 && n !== 5) {
    c.reply.error(ERR.syntax);
    return;
  }
  let start = parseI64AsNumber(argv[2]!);
  let end = parseI64AsNumber(argv[3]!);
  if (start !== start || end !== end) {
    c.reply.error(ERR.notInteger);
    return;
  }
  // Checked before the unit is even looked at (Redis does the same).
  if (start < 0 && end < 0 && start > end) {
    c.reply.integer(0);
    return;
  }
  let isBit = false;
  if (n === 5) {
    if (eqi(argv[4]!, 'bit')) isBit = true;
    else if (!eqi(argv[4]!, 'byte')) {
      c.reply.error(ERR.syntax);
      return;
    }
  }
  const total = isBit ? strlen * 8 : strlen;
  if (start < 0) start += total;
  if (end < 0) end += total;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  if (start > end) {
    c.reply.integer(0);
    return;
  }
  c.reply.integer(isBit ? popcountBits(s, start, end) : popcountBytes(s, start, end + 1));
}

function bitposCommand(c: Client, argv: Buffer[]): void {
  const bv = parseI64(argv[2]!);
  if (bv === null) {
    c.reply.error(ERR.notInteger);
    return;
  }
  if (bv !== 0 && bv !== 1) {
    c.reply.error(ERR_BIT_ARG);
    return;
  }
  const bit = bv as number;
  const id = readKey(c, argv[1]!);
  if (id < 0) {
    // A missing key is an infinite run of zeros.
    c.reply.integer(bit === 1 ? -1 : 0);
    return;
  }
  const db = c.db;
  if (db.typeOf(id) !== TYPE_STRING) {
    c.reply.error(ERR.wrongType);
    return;
  }
  const n = argv.length;
  const s = db.getString(id);
  const strlen = s.length;
  let start = 0;
  let end = 0;
  let endGiven = false;
  let isBit = false;
  if (n >= 4 && n <= 6) {
    start = parseI64AsNumber(argv[3]!);
    if (start !== start) {
      c.reply.error(ERR.notInteger);
      return;
    }
    if (n === 6) {
      if (eqi(argv[5]!, 'bit')) isBit = true;
      else if (!eqi(argv[5]!, 'byte')) {
        c.reply.error(ERR.syntax);
        return;
      }
    }
    if (n >= 5) {
      end = parseI64AsNumber(argv[4]!);
      if (end !== end) {
        c.reply.error(ERR.notInteger);
        return;
      }
      endGiven = true;
    } else {
      end = strlen - 1;
    }
  } else if (n !== 3) {
    c.reply.error(ERR.syntax);
    return;
  } else {
    end = strlen - 1;
  }
  const total = isBit ? strlen * 8 : strlen;
  if (start < 0) start += total;
  if (end < 0) end += total;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  if (start > end) {
    c.reply.integer(-1);
    return;
  }
  const from = isBit ? start : start * 8;
  const to = isBit ? end : end * 8 + 7;
  const pos = findBit(s, from, to, bit);
  if (pos >= 0) {
    c.reply.integer(pos);
    return;
  }
  // Looking for a clear bit without an explicit end: the string is taken as zero-padded.
  c.reply.integer(!endGiven && bit === 0 ? (end + 1) * 8 : -1);
}

// ------------------------------------------------------------------ BITOP

const OP_AND = 0;
const OP_OR = 1;
const OP_XOR = 2;
const OP_NOT = 3;

function bitopCommand(c: Client, argv: Buffer[]): void {
  const opArg = argv[1]!;
  let op: number;
  if (eqi(opArg, 'and')) op = OP_AND;
  else if (eqi(opArg, 'or')) op = OP_OR;
  else if (eqi(opArg, 'xor')) op = OP_XOR;
  else if (eqi(opArg, 'not')) op = OP_NOT;
  else {
    c.reply.error(ERR.syntax);
    return;
  }
  const n = argv.length;
  if (op === OP_NOT && n !== 4) {
    c.reply.error(ERR_BITOP_NOT);
    return;
  }
  const db = c.db;
  const nsrc = n - 3;
  const ids: number[] = new Array<number>(nsrc);
  for (let k = 0; k < nsrc; k++) {
    const id = readKey(c, argv[3 + k]!);
    if (id >= 0 && db.typeOf(id) !== TYPE_STRING) {
      c.reply.error(ERR.wrongType);
      return;
    }
    ids[k] = id;
  }
  const srcs: Buffer[] = new Array<Buffer>(nsrc);
  let maxlen = 0;
  for (let k = 0; k < nsrc; k++) {
    const s = ids[k]! >= 0 ? db.getString(ids[k]!) : EMPTY;
    srcs[k] = s;
    if (s.length > maxlen) maxlen = s.length;
  }
  const dest = argv[2]!;
  const server = c.server;
  if (maxlen === 0) {
    // An empty result deletes the destination (no expiry processing, like Redis's dbDelete).
    const did = db.find(dest);
    if (did >= 0) {
      db.deleteId(did);
      server.dirty++;
      server.keyModified(c.dbIndex, dest);
      server.notify(NOTIFY.GENERIC, 'del', dest, c.dbIndex);
    }
    c.reply.integer(0);
    return;
  }
  const res = Buffer.alloc(maxlen);
  const first = srcs[0]!;
  if (op === OP_NOT) {
    for (let i = 0; i < maxlen; i++) res[i] = ~first[i]! & 0xff;
  } else {
    first.copy(res, 0);
    for (let k = 1; k < nsrc; k++) {
      const s = srcs[k]!;
      const len = s.length;
      if (op === OP_AND) {
        for (let i = 0; i < len; i++) res[i] = res[i]! & s[i]!;
        if (len < maxlen) res.fill(0, len);
      } else if (op === OP_OR) {
        for (let i = 0; i < len; i++) res[i] = res[i]! | s[i]!;
      } else {
        for (let i = 0; i < len; i++) res[i] = res[i]! ^ s[i]!;
      }
    }
    // AND with a shorter first source: its missing bytes are zeros.
    if (op === OP_AND && first.length < maxlen) res.fill(0, first.length);
  }
  let id = lookupWrite(c, dest);
  const large = dest.length + maxlen > MAX_CHUNK;
  if (id >= 0) {
    if (large) db.replaceObject(id, TYPE_STRING, res);
    else db.setStringById(id, res);
    db.removeExpire(id);
  } else {
    id = large ? db.setObject(dest, TYPE_STRING, res) : db.setString(dest, res);
  }
  db.setRaw(id, true);
  server.dirty++;
  server.keyModified(c.dbIndex, dest);
  server.notify(NOTIFY.STRING, 'set', dest, c.dbIndex);
  c.reply.integer(maxlen);
}

// ------------------------------------------------------------------ BITFIELD

const BF_GET = 0;
const BF_SET = 1;
const BF_INCRBY = 2;

interface BitfieldOp {
  opcode: number;
  signed: boolean;
  bits: number;
  offset: number;
  value: bigint;
  overflow: number;
}

function bitfieldGeneric(c: Client, argv: Buffer[], readonly: boolean): void {
  const n = argv.length;
  const ops: BitfieldOp[] = [];
  let overflow = OVERFLOW_WRAP;
  let hasWrite = false;
  let j = 2;
  while (j < n) {
    const a = argv[j]!;
    const left = n - j - 1;
    let opcode: number;
    if (eqi(a, 'get') && left >= 2) opcode = BF_GET;
    else if (eqi(a, 'set') && left >= 3) opcode = BF_SET;
    else if (eqi(a, 'incrby') && left >= 3) opcode = BF_INCRBY;
    else if (eqi(a, 'overflow') && left >= 1) {
      const t = argv[j + 1]!;
      if (eqi(t, 'wrap')) overflow = OVERFLOW_WRAP;
      else if (eqi(t, 'sat')) overflow = OVERFLOW_SAT;
      else if (eqi(t, 'fail')) overflow = OVERFLOW_FAIL;
      else {
        c.reply.error(ERR_OVERFLOW_TYPE);
        return;
      }
      j += 2;
      continue;
    } else {
      c.reply.error(ERR.syntax);
      return;
    }
    const type = parseBitfieldType(argv[j + 1]!);
    if (type === 0) {
      c.reply.error(ERR_BITFIELD_TYPE);
      return;
    }
    const bits = type < 0 ? -type : type;
    const offArg = argv[j + 2]!;
    const offset = parseBitOffset(c, offArg, offArg.length > 0 && offArg[0] === 0x23, bits);
    if (offset < 0) {
      c.reply.error(ERR.bitOffset);
      return;
    }
    let value = 0n;
    if (opcode !== BF_GET) {
      const v = parseI64(argv[j + 3]!);
      if (v === null) {
        c.reply.error(ERR.notInteger);
        return;
      }
      value = BigInt(v);
      hasWrite = true;
      j += 4;
    } else {
      j += 3;
    }
    ops.push({ opcode, signed: type < 0, bits, offset, value, overflow });
  }
  if (readonly && hasWrite) {
    c.reply.error(ERR_BITFIELD_RO);
    return;
  }
  const key = argv[1]!;
  const db = c.db;
  let buf: Buffer;
  let grew = false;
  let id: number;
  if (hasWrite) {
    id = lookupWrite(c, key);
    if (id >= 0 && db.typeOf(id) !== TYPE_STRING) {
      c.reply.error(ERR.wrongType);
      return;
    }
    let maxBit = 0;
    for (const op of ops) {
      if (op.opcode !== BF_GET && op.offset + op.bits - 1 > maxBit) maxBit = op.offset + op.bits - 1;
    }
    const need = Math.floor(maxBit / 8) + 1;
    if (id < 0) {
      id = createZeroString(db, key, need);
      buf = db.getString(id);
      grew = true;
    } else if (db.stringLength(id) < need) {
      buf = growString(db, id, need);
      grew = true;
    } else {
      buf = db.getString(id);
    }
    db.setRaw(id, true);
  } else {
    id = readKey(c, key);
    if (id >= 0 && db.typeOf(id) !== TYPE_STRING) {
      c.reply.error(ERR.wrongType);
      return;
    }
    buf = id >= 0 ? db.getString(id) : EMPTY;
  }
  const reply = c.reply;
  reply.arrayLen(ops.length);
  let changes = 0;
  for (const op of ops) {
    const raw = readField(buf, op.offset, op.bits);
    const cur = op.signed ? BigInt.asIntN(op.bits, raw) : raw;
    if (op.opcode === BF_GET) {
      replyBig(c, cur);
      continue;
    }
    const next = bitfieldApply(op.signed, op.bits, cur, op.value, op.opcode === BF_INCRBY, op.overflow);
    if (next === null) {
      reply.nullBulk();
      continue;
    }
    const stored = BigInt.asUintN(op.bits, next);
    writeField(buf, op.offset, op.bits, stored);
    if (grew || stored !== raw) changes++;
    replyBig(c, op.opcode === BF_SET ? cur : next);
  }
  if (changes > 0) {
    const server = c.server;
    server.dirty += changes;
    server.keyModified(c.dbIndex, key);
    server.notify(NOTIFY.STRING, 'setbit', key, c.dbIndex);
  }
}

function replyBig(c: Client, v: bigint): void {
  if (v <= 9007199254740991n && v >= -9007199254740991n) c.reply.integer(Number(v));
  else c.reply.bigint(v);
}

function bitfieldCommand(c: Client, argv: Buffer[]): void {
  bitfieldGeneric(c, argv, false);
}

function bitfieldRoCommand(c: Client, argv: Buffer[]): void {
  bitfieldGeneric(c, argv, true);
}

// ------------------------------------------------------------------ the table

const RO_ACCESS = ['RO', 'access'];
const RW_ACCESS_UPDATE = ['RW', 'access', 'update'];

export const bitmapCommands: CommandSpec[] = [
  {
    name: 'setbit',
    arity: 4,
    flags: ['write', 'denyoom'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ['write', 'bitmap', 'slow'],
    handler: setbitCommand,
    keySpecs: [rangeSpec(RW_ACCESS_UPDATE, 1, 0)],
  },
  {
    name: 'getbit',
    arity: 3,
    flags: ['readonly', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ['read', 'bitmap', 'fast'],
    handler: getbitCommand,
    keySpecs: [rangeSpec(RO_ACCESS, 1, 0)],
  },
  {
    name: 'bitcount',
    arity: -2,
    flags: ['readonly'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ['read', 'bitmap', 'slow'],
    handler: bitcountCommand,
    keySpecs: [rangeSpec(RO_ACCESS, 1, 0)],
  },
  {
    name: 'bitpos',
    arity: -3,
    flags: ['readonly'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ['read', 'bitmap', 'slow'],
    handler: bitposCommand,
    keySpecs: [rangeSpec(RO_ACCESS, 1, 0)],
  },
  {
    name: 'bitop',
    arity: -4,
    flags: ['write', 'denyoom'],
    firstKey: 2,
    lastKey: -1,
    step: 1,
    acl: ['write', 'bitmap', 'slow'],
    handler: bitopCommand,
    keySpecs: [rangeSpec(['OW', 'update'], 2, 0), rangeSpec(RO_ACCESS, 3, -1)],
  },
  {
    name: 'bitfield',
    arity: -2,
    flags: ['write', 'denyoom'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ['write', 'bitmap', 'slow'],
    handler: bitfieldCommand,
    keySpecs: [
      rangeSpec(['RW', 'access', 'update', 'variable_flags'], 1, 0, 1, 'This command allows both access and modification of the key'),
    ],
  },
  {
    name: 'bitfield_ro',
    arity: -2,
    flags: ['readonly', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ['read', 'bitmap', 'fast'],
    handler: bitfieldRoCommand,
    keySpecs: [rangeSpec(RO_ACCESS, 1, 0)],
  },
];
