/**
 * The SCAN family's shared parts: cursor parsing, the MATCH / COUNT / TYPE options, the bounded
 * walk over a Dict, and the two-element reply. SCAN uses all of it; HSCAN, SSCAN and ZSCAN reuse
 * the cursor and option parsing and the reply (they pass allowType = false).
 *
 * Behaviour (checked against redis-server 7.0.15):
 * - The cursor follows strtoul rules (see parseScanCursor in util/numbers): "" and "+5" are valid,
 *   "-1" wraps to 2^64-1, anything else is "ERR invalid cursor". It is checked before the options.
 * - Options may repeat; the last one wins. MATCH / COUNT / TYPE without a value, or an unknown
 *   word, is "ERR syntax error". COUNT must be a strict int64 ("ERR value is not an integer or
 *   out of range") and >= 1 (else "ERR syntax error"). TYPE is case-insensitive; an unknown type
 *   name is not an error in 7.0, it simply matches nothing. TYPE is only accepted by SCAN; the
 *   key-value SCANs treat it as a syntax error.
 * - MATCH "*" (exactly one star) matches everything, the empty key included.
 * - One call visits buckets until it has seen COUNT entries (before filtering) or walked
 *   10 * COUNT buckets, so a selective MATCH never makes a single call walk the whole table.
 */

import type { Client } from '../server/client.js';
import type { ReplyWriter } from '../protocol/reply-writer.js';
import { ERR } from '../protocol/errors.js';
import { parseI64, parseScanCursor } from '../util/numbers.js';
import { compileGlob, type CompiledGlob } from './glob.js';

/** Value type names as TYPE replies them, indexed by the Db's TYPE_* code. */
export const TYPE_NAMES: readonly string[] = ['string', 'list', 'set', 'zset', 'hash', 'stream'];

/** TYPE code for a name (case-insensitive), or -1 when no type has that name. */
export function typeCodeOf(name: Buffer): number {
  const s = name.toString('latin1').toLowerCase();
  return TYPE_NAMES.indexOf(s);
}

export interface ScanOptions {
  /** COUNT (default 10). */
  count: number;
  /** Compiled MATCH pattern; null when absent or "*". */
  match: CompiledGlob | null;
  /** TYPE filter: null when absent, -1 for a name no type has (matches nothing). */
  type: number | null;
}

const CURSOR_MASK = 0xffffffffn;

/**
 * Parses a SCAN cursor. Returns it truncated to the 32 bits a Dict cursor has (Redis masks
 * the cursor with the table size anyway), or -1 after replying "ERR invalid cursor".
 */
export function parseCursorOrReply(c: Client, arg: Buffer): number {
  const v = parseScanCursor(arg);
  if (v === null) {
    c.reply.error(ERR.invalidCursor);
    return -1;
  }
  if (typeof v === 'bigint') return Number(v & CURSOR_MASK);
  return v >>> 0;
}

function isWord(b: Buffer, lower: string): boolean {
  if (b.length !== lower.length) return false;
  for (let i = 0; i < b.length; i++) {
    if ((b[i]! | 0x20) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * Parses `[MATCH pattern] [COUNT n] [TYPE name]` from argv[start..]. Returns null after
 * replying with the error.
 */
export function parseScanOptions(c: Client, argv: Buffer[], start: number, allowType: boolean): ScanOptions | null {
  let count = 10;
  let pattern: Buffer | null = null;
  let type: number | null = null;
  for (let i = start; i < argv.length; i += 2) {
    const opt = argv[i]!;
    const hasValue = i + 1 < argv.length;
    if (hasValue && isWord(opt, 'count')) {
      const v = parseI64(argv[i + 1]!);
      if (v === null) {
        c.reply.error(ERR.notInteger);
        return null;
      }
      if (v < 1) {
        c.reply.error(ERR.syntax);
        return null;
      }
      count = typeof v === 'bigint' || v > Number.MAX_SAFE_INTEGER ? Number.MAX_SAFE_INTEGER : v;
    } else if (hasValue && isWord(opt, 'match')) {
      pattern = argv[i + 1]!;
    } else if (hasValue && allowType && isWord(opt, 'type')) {
      type = typeCodeOf(argv[i + 1]!);
    } else {
      c.reply.error(ERR.syntax);
      return null;
    }
  }
  let match: CompiledGlob | null = null;
  if (pattern !== null) {
    const g = compileGlob(pattern, false);
    if (!g.matchAll) match = g;
  }
  return { count, match, type };
}

/** Anything with Dict's SCAN step. */
export interface Scannable {
  scan(cursor: number, visit: (id: number) => void): number;
}

/**
 * Runs SCAN steps from `cursor` until `count` entries were visited or 10 * count buckets were
 * walked or the scan completed. `visit` gets every entry id of every walked bucket (it may
 * delete the id it is given). Returns the next cursor (0 = done).
 */
export function scanSteps(d: Scannable, cursor: number, count: number, visit: (id: number) => void): number {
  let seen = 0;
  const counting = (id: number): void => {
    seen++;
    visit(id);
  };
  let budget = count * 10;
  do {
    cursor = d.scan(cursor, counting);
  } while (cursor !== 0 && budget-- > 0 && seen < count);
  return cursor;
}

/** Writes `*2`, the cursor as a bulk string, and the header of an n-element array. */
export function beginScanReply(reply: ReplyWriter, cursor: number | bigint, n: number): void {
  reply.arrayLen(2);
  if (cursor === 0) reply.bulkStr('0');
  else reply.bulkStr(String(cursor));
  reply.arrayLen(n);
}
