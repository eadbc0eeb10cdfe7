/**
 * SORT and SORT_RO over lists, sets and sorted sets.
 *
 * Behaviour observed on redis-server 7.0.15:
 * - Options in any order: ASC, DESC, ALPHA, LIMIT offset count, BY pattern, GET pattern
 *   (repeatable), STORE dst (the last one wins; SORT_RO has none). A missing argument or an
 *   unknown word is "ERR syntax error"; a bad LIMIT number "ERR value is not an integer or out
 *   of range"; both come before the key's type is checked (WRONGTYPE unless list/set/zset; a
 *   missing key sorts as an empty list).
 * - A BY pattern without '*' means "don't sort". Lists and sorted sets then keep their order
 *   (DESC walks them from the end) and LIMIT takes that range; sets keep their iteration order,
 *   except with STORE, where they are sorted ALPHA so replicas get the same list.
 * - Patterns: "#" is the element itself; otherwise the first '*' is replaced by the element
 *   and "->field" after it reads a hash field. A pattern without '*', a missing key, or a key
 *   of another type reads as missing: BY treats it as score 0 (ALPHA: before every present
 *   value), GET replies nil (STORE stores "").
 * - Numeric sort parses with strtod (leading blanks, "", hex and inf accepted; trailing
 *   garbage, NaN and overflow/underflow give "ERR One or more scores can't be converted into
 *   double"); equal scores order by the elements' bytes. ALPHA compares bytes (up to a NUL
 *   byte when replying, in full when storing); with BY, equal values keep the source order.
 *   DESC reverses the comparison.
 * - LIMIT: a negative offset is 0, a negative count means all.
 * - STORE writes a list (event "sortstore", dirty += its length), or deletes dst when the
 *   result is empty ("del", dirty +1); the reply is the length. Propagated as sent.
 */

import type { CommandSpec } from './spec.js';
import type { Client } from '../server/client.js';
import { ERR } from '../protocol/errors.js';
import { lookupWrite } from '../store/expire.js';
import { NOTIFY } from '../store/notify.js';
import { TYPE_HASH, TYPE_LIST, TYPE_SET, TYPE_STRING, TYPE_ZSET } from '../store/db.js';
import { parseDoubleLoose, parseI64 } from '../util/numbers.js';
import { List } from '../store/types/list.js';
import { setMembers, type SetValue } from '../store/types/set.js';
import { hashGet, type HashObj } from '../store/types/hash.js';
import type { ZSet } from '../store/types/zset.js';
import { ensureRegistered as ensureListHooks } from './list.js';
import { eqi, readKey } from './string.js';
import { partialSort } from '../util/pqsort.js';

const ERR_SCORES = "ERR One or more scores can't be converted into double";
const EMPTY = Buffer.alloc(0);

/** Bytes up to the first NUL (patterns are read as C strings). */
function cstr(b: Buffer): Buffer {
  const z = b.indexOf(0);
  return z < 0 ? b : b.subarray(0, z);
}

/**
 * The value a BY/GET pattern names for `elem`, or null (see the header). Only strings and hash
 * fields are values.
 */
function lookupByPattern(c: Client, pattern: Buffer, elem: Buffer): Buffer | null {
  const p = cstr(pattern);
  if (p.length === 1 && p[0] === 0x23) return elem;
  const star = p.indexOf(0x2a);
  if (star < 0) return null;
  const arrow = p.indexOf('->', star + 1, 'latin1');
  const hasField = arrow >= 0 && arrow + 2 < p.length;
  const postEnd = hasField ? arrow : p.length;
  const key = Buffer.concat([p.subarray(0, star), elem, p.subarray(star + 1, postEnd)]);
  const id = readKey(c, key);
  if (id < 0) return null;
  const type = c.db.typeOf(id);
  if (hasField) {
    if (type !== TYPE_HASH) return null;
    return hashGet(c.db.getObject<HashObj>(id), p.subarray(arrow + 2));
  }
  if (type !== TYPE_STRING) return null;
  return c.db.getString(id);
}

/**
 * strtod as SORT uses it: NaN when the text is not entirely a number, or when the value
 * overflows or underflows (ERANGE).
 */
function sortScore(b: Buffer): number {
  const v = parseDoubleLoose(b);
  if (v !== v) return NaN;
  if (v === Infinity || v === -Infinity) {
    // Only a spelled-out infinity is one; a huge literal overflowed.
    return cstr(b).toString('latin1').toLowerCase().includes('inf') ? v : NaN;
  }
  if (v === 0 && hasNonZeroDigit(cstr(b))) return NaN;
  // A subnormal result is an inexact underflow: ERANGE as well.
  if (v !== 0 && v < 2.2250738585072014e-308 && v > -2.2250738585072014e-308) return NaN;
  return v;
}

/** True when the mantissa of a numeric literal has a non-zero digit (so 0 means underflow). */
function hasNonZeroDigit(b: Buffer): boolean {
  let i = 0;
  while (i < b.length && (b[i] === 0x20 || (b[i]! >= 0x09 && b[i]! <= 0x0d))) i++;
  if (b[i] === 0x2b || b[i] === 0x2d) i++;
  const hex = b[i] === 0x30 && (b[i + 1] === 0x78 || b[i + 1] === 0x58);
  if (hex) i += 2;
  for (; i < b.length; i++) {
    const ch = b[i]! | 0x20;
    if (hex ? ch === 0x70 : ch === 0x65) break; // exponent
    if ((ch >= 0x31 && ch <= 0x39) || (hex && ch >= 0x61 && ch <= 0x66)) return true;
  }
  return false;
}

/** strcmp order: bytes up to the first NUL. */
function compareCString(a: Buffer, b: Buffer): number {
  return Buffer.compare(cstr(a), cstr(b));
}

interface Item {
  elem: Buffer;
  score: number;
  /** ALPHA with BY: the BY value, null when missing. */
  cmp: Buffer | null;
}

/** The source's elements for sorting: everything, in the value's own order. */
function allElements(type: number, obj: unknown): Buffer[] {
  if (type === TYPE_LIST) {
    const l = obj as List;
    const out: Buffer[] = [];
    if (l.length > 0) l.forRange(0, l.length - 1, (e) => void out.push(Buffer.from(e)));
    return out;
  }
  if (type === TYPE_SET) return setMembers(obj as SetValue).map((m) => Buffer.from(m, 'latin1'));
  return (obj as ZSet).all().members.map((m) => Buffer.from(m, 'latin1'));
}

/** Ranks start..end (valid, start <= end) of a list or zset in its order, or from the end. */
function orderedRange(type: number, obj: unknown, start: number, end: number, desc: boolean): Buffer[] {
  const out: Buffer[] = [];
  if (type === TYPE_LIST) {
    const l = obj as List;
    if (desc) l.forRangeReverse(l.length - 1 - end, l.length - 1 - start, (e) => void out.push(Buffer.from(e)));
    else l.forRange(start, end, (e) => void out.push(Buffer.from(e)));
    return out;
  }
  const z = obj as ZSet;
  const n = z.size;
  const lo = desc ? n - 1 - end : start;
  const hi = desc ? n - 1 - start : end;
  const members = z.range(lo, hi).members;
  if (desc) members.reverse();
  for (const m of members) out.push(Buffer.from(m, 'latin1'));
  return out;
}

function sizeOf(type: number, obj: unknown): number {
  if (type === TYPE_LIST) return (obj as List).length;
  if (type === TYPE_SET) return setMembers(obj as SetValue).length;
  return (obj as ZSet).size;
}

/** A LIMIT number (getLongFromObject: 64-bit), or null when invalid. */
function parseLong(b: Buffer): number | null {
  const v = parseI64(b);
  if (v === null) return null;
  if (typeof v === 'bigint') return v < 0n ? -Number.MAX_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
  return v;
}

function sortGeneric(c: Client, argv: Buffer[], readonly: boolean): void {
  let desc = false;
  let alpha = false;
  let limitStart = 0;
  let limitCount = -1;
  let store: Buffer | null = null;
  let by: Buffer | null = null;
  let dontSort = false;
  const gets: Buffer[] = [];
  const argc = argv.length;
  for (let j = 2; j < argc; j++) {
    const a = argv[j]!;
    const left = argc - j - 1;
    if (eqi(a, 'asc')) desc = false;
    else if (eqi(a, 'desc')) desc = true;
    else if (eqi(a, 'alpha')) alpha = true;
    else if (left >= 2 && eqi(a, 'limit')) {
      const s = parseLong(argv[j + 1]!);
      const n = s === null ? null : parseLong(argv[j + 2]!);
      if (s === null || n === null) {
        c.reply.error(ERR.notInteger);
        return;
      }
      limitStart = s;
      limitCount = n;
      j += 2;
    } else if (!readonly && left >= 1 && eqi(a, 'store')) {
      store = argv[j + 1]!;
      j++;
    } else if (left >= 1 && eqi(a, 'by')) {
      by = argv[j + 1]!;
      // A pattern that substitutes nothing cannot order anything: keep the source order.
      if (cstr(by).indexOf(0x2a) < 0) dontSort = true;
      j++;
    } else if (left >= 1 && eqi(a, 'get')) {
      gets.push(argv[j + 1]!);
      j++;
    } else {
      c.reply.error(ERR.syntax);
      return;
    }
  }
  const id = readKey(c, argv[1]!);
  let type = TYPE_LIST;
  let obj: unknown = null;
  if (id >= 0) {
    type = c.db.typeOf(id);
    if (type !== TYPE_LIST && type !== TYPE_SET && type !== TYPE_ZSET) {
      c.reply.error(ERR.wrongType);
      return;
    }
    obj = c.db.getObject<unknown>(id);
  }
  // A set's own order is not the same on a replica: a stored result is sorted instead.
  if (dontSort && type === TYPE_SET && store !== null) {
    dontSort = false;
    alpha = true;
    by = null;
  }
  const len = obj === null ? 0 : sizeOf(type, obj);
  let start = limitStart < 0 ? 0 : limitStart;
  let end = limitCount < 0 ? len - 1 : start + limitCount - 1;
  if (start >= len) {
    start = len - 1;
    end = len - 2;
  }
  if (end >= len) end = len - 1;

  let elems: Buffer[];
  if (obj === null) elems = [];
  else if (dontSort && (type === TYPE_LIST || type === TYPE_ZSET)) {
    // The requested range straight from the source, walked from the end for DESC.
    elems = end >= start ? orderedRange(type, obj, start, end, desc) : [];
    end -= start;
    start = 0;
  } else elems = allElements(type, obj);

  const items: Item[] = elems.map((elem) => ({ elem, score: 0, cmp: null }));
  if (!dontSort) {
    let bad = false;
    for (const it of items) {
      let src: Buffer = it.elem;
      if (by !== null) {
        const v = lookupByPattern(c, by, it.elem);
        if (v === null) continue;
        src = v;
      }
      if (alpha) {
        if (by !== null) it.cmp = Buffer.from(src);
      } else {
        const s = sortScore(src);
        if (s !== s) bad = true;
        else it.score = s;
      }
    }
    if (bad) {
      c.reply.error(ERR_SCORES);
      return;
    }
    const storing = store !== null;
    let cmp: (a: Item, b: Item) => number;
    if (!alpha) {
      cmp = (a, b) => (a.score > b.score ? 1 : a.score < b.score ? -1 : Buffer.compare(a.elem, b.elem));
    } else if (by !== null) {
      cmp = (a, b) => {
        if (a.cmp === null || b.cmp === null) return a.cmp === b.cmp ? 0 : a.cmp === null ? -1 : 1;
        return storing ? Buffer.compare(a.cmp, b.cmp) : compareCString(a.cmp, b.cmp);
      };
    } else {
      cmp = storing ? (a, b) => Buffer.compare(a.elem, b.elem) : (a, b) => compareCString(a.elem, b.elem);
    }
    const dir = desc ? (a: Item, b: Item): number => -cmp(a, b) : cmp;
    // Array.prototype.sort is stable, like the merge sort Redis's qsort gets from glibc; with
    // BY and a LIMIT window Redis sorts only the window (partial quicksort, not stable).
    if (by !== null && (start !== 0 || end !== len - 1)) partialSort(items, dir, start, end);
    else items.sort(dir);
  }

  const count = end >= start ? end - start + 1 : 0;
  if (store === null) {
    const r = c.reply;
    r.arrayLen(gets.length > 0 ? count * gets.length : count);
    for (let j = start; j <= end; j++) {
      const e = items[j]!.elem;
      if (gets.length === 0) {
        r.bulk(e);
        continue;
      }
      for (const g of gets) {
        const v = lookupByPattern(c, g, e);
        if (v === null) r.nullBulk();
        else r.bulk(v);
      }
    }
    return;
  }
  const out = new List();
  for (let j = start; j <= end; j++) {
    const e = items[j]!.elem;
    if (gets.length === 0) out.pushTail(e);
    else for (const g of gets) out.pushTail(lookupByPattern(c, g, e) ?? EMPTY);
  }
  const server = c.server;
  const n = out.length;
  if (n > 0) {
    ensureListHooks(server);
    c.db.setObject(store, TYPE_LIST, out);
    server.dirty += n;
    server.keyModified(c.dbIndex, store);
    server.notify(NOTIFY.LIST, 'sortstore', store, c.dbIndex);
    server.signalKeyAsReady(c.dbIndex, store);
  } else {
    const dst = lookupWrite(c, store);
    if (dst >= 0) {
      c.db.deleteId(dst);
      server.dirty++;
      server.keyModified(c.dbIndex, store);
      server.notify(NOTIFY.GENERIC, 'del', store, c.dbIndex);
    }
  }
  c.reply.integer(n);
}

/** SORT keys: the source, then the last STORE target (LIMIT, GET and BY arguments skipped). */
function sortKeys(argv: Buffer[]): number[] {
  let dst = -1;
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i]!;
    if (eqi(a, 'limit')) i += 2;
    else if (eqi(a, 'get') || eqi(a, 'by')) i += 1;
    else if (eqi(a, 'store') && i + 1 < argv.length) dst = i + 1;
  }
  return dst < 0 ? [1] : [1, dst];
}

export const sortCommands: CommandSpec[] = [
  {
    name: 'sort',
    arity: -2,
    flags: ['write', 'denyoom', 'movablekeys'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ['write', 'set', 'sortedset', 'list', 'slow', 'dangerous'],
    handler: (c, argv) => sortGeneric(c, argv, false),
    getKeys: sortKeys,
  },
  {
    name: 'sort_ro',
    arity: -2,
    flags: ['readonly', 'movablekeys'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ['read', 'set', 'sortedset', 'list', 'slow', 'dangerous'],
    handler: (c, argv) => sortGeneric(c, argv, true),
    getKeys: () => [1],
  },
];
