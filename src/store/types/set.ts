/**
 * The set value type, with Redis 7.0's two encodings:
 *
 * - intset: every member is an int64 (string2ll rules: no sign '+', no leading zeros, "-0" is
 *   not an integer) and the set has at most set-max-intset-entries members. Stored sorted at
 *   the smallest width that holds every member (2, 4 or 8 bytes, like Redis), packed into a JS
 *   string (class IntSet): measured in Node 20, a 10-member Int16Array costs ~234 bytes of heap,
 *   the packed string and its holder ~80. A mutation builds a new IntSet (O(n), like Redis's
 *   memmove) and the caller stores it with Db.replaceObject.
 * - hashtable: a DenseSet of latin1 strings (one char per byte; src/store/dense.ts), mutated
 *   in place. Like Redis, a set never goes back to intset once converted.
 *
 * Conversion rules follow 7.0's setTypeAdd: a non-integer member converts; an integer add that
 * makes the intset longer than set-max-intset-entries converts after the add.
 *
 * SSCAN over a hashtable uses DenseSet's slot cursor: O(COUNT) per call, and every member
 * present for the whole iteration is returned (see dense.ts).
 *
 * The Db keeps an intset as packed bytes in its slab (setCodec below): [width][the string's
 * UTF-16 code units, little-endian], so 100k small integer sets allocate no JS objects.
 * Hashtables stay DenseSets (Redis 7.0 has no small form for non-integer sets).
 */

import { TYPE_SET, registerObjectSizer, registerPackedCodec } from '../db.js';
import type { I64 } from '../../util/numbers.js';
import { parseI64 } from '../../util/numbers.js';
import { DenseSet } from '../dense.js';

/**
 * An intset: sorted distinct int64s packed into a string, `w` bytes per member (2, 4 or 8: the
 * smallest width that holds every member, like Redis). Each 16-bit char holds two bytes of a
 * member (big-endian within the member), so a set of ten small integers is one 10-char string
 * plus this object. Strings are immutable: every change builds a new flat string (O(n), like
 * Redis's memmove) and a new IntSet; copies (COPY) share the string.
 */
export class IntSet {
  constructor(
    readonly s: string,
    readonly w: number,
  ) {}
  get length(): number {
    return this.w === 2 ? this.s.length : this.w === 4 ? this.s.length >> 1 : this.s.length >> 2;
  }
}
export type HashSet = DenseSet;
export type SetValue = IntSet | HashSet;

export function isIntSet(v: SetValue): v is IntSet {
  return v instanceof IntSet;
}

export function setSize(v: SetValue): number {
  return v instanceof DenseSet ? v.size : v.length;
}

export function setEncoding(v: unknown): string {
  return v instanceof DenseSet ? 'hashtable' : 'intset';
}

export function cloneSet(v: unknown): object {
  return v instanceof DenseSet ? v.clone() : v!;
}

// ------------------------------------------------------------------ integers

const I16_MIN = -32768;
const I16_MAX = 32767;
const I32_MIN = -2147483648;
const I32_MAX = 2147483647;
const TWO32 = 4294967296;
const SAFE_HI = 1 << 21;

/** Byte width an intset needs for v. */
function widthOf(v: I64): number {
  if (typeof v === 'bigint') return 8;
  if (v >= I16_MIN && v <= I16_MAX) return 2;
  if (v >= I32_MIN && v <= I32_MAX) return 4;
  return 8;
}

/** Member i of an intset. */
export function intsetGet(a: IntSet, i: number): I64 {
  const s = a.s;
  if (a.w === 2) return s.charCodeAt(i) - 32768;
  if (a.w === 4) {
    const j = i << 1;
    return ((s.charCodeAt(j) << 16) | s.charCodeAt(j + 1)) | 0;
  }
  const j = i << 2;
  const hi = ((s.charCodeAt(j) << 16) | s.charCodeAt(j + 1)) | 0;
  const lo = ((s.charCodeAt(j + 2) << 16) | s.charCodeAt(j + 3)) >>> 0;
  if (hi < SAFE_HI && hi >= -SAFE_HI) return hi * TWO32 + lo;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** Appends the chars encoding v at width w to codes. */
function pushCodes(codes: number[], v: I64, w: number): void {
  if (w === 2) {
    codes.push((v as number) + 32768);
    return;
  }
  if (w === 4) {
    const x = v as number;
    codes.push((x >>> 16) & 0xffff, x & 0xffff);
    return;
  }
  let hi: number;
  let lo: number;
  if (typeof v === 'number') {
    hi = Math.floor(v / TWO32);
    lo = v - hi * TWO32;
  } else {
    const u = BigInt.asUintN(64, v);
    hi = Number(u >> 32n);
    lo = Number(u & 0xffffffffn);
  }
  codes.push((hi >>> 16) & 0xffff, hi & 0xffff, (lo >>> 16) & 0xffff, lo & 0xffff);
}

/** A flat string from char codes (chunked: fromCharCode takes a bounded argument list). */
function fromCodes(codes: number[]): string {
  const n = codes.length;
  if (n <= 4096) return String.fromCharCode.apply(null, codes);
  let out = '';
  for (let i = 0; i < n; i += 4096) out += String.fromCharCode.apply(null, codes.slice(i, i + 4096));
  return out;
}

/** Parses a latin1 string by string2ll rules (the same as parseI64 on its bytes). */
export function strToI64(s: string): I64 | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  let i = 0;
  let neg = false;
  let c = s.charCodeAt(0);
  if (c === 45) {
    neg = true;
    if (n === 1) return null;
    c = s.charCodeAt(++i);
  }
  if (c === 48) return !neg && n === 1 ? 0 : null;
  let v = 0;
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return null;
    v = v * 10 + d;
  }
  if (v <= Number.MAX_SAFE_INTEGER) return neg ? -v : v;
  return parseI64(Buffer.from(s, 'latin1'));
}

/** An intset of sorted distinct values at the smallest width that holds them. */
export function intsetFromSorted(vals: I64[]): IntSet {
  let w = 2;
  for (let i = 0; i < vals.length; i++) {
    const x = widthOf(vals[i]!);
    if (x > w) w = x;
  }
  const codes: number[] = [];
  for (let i = 0; i < vals.length; i++) pushCodes(codes, vals[i]!, w);
  return new IntSet(fromCodes(codes), w);
}

function less(a: I64, b: I64): boolean {
  return a < b;
}

/** Index of v in a, or -(insertion point) - 1. */
function search(a: IntSet, v: I64): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const x = intsetGet(a, mid);
    if (less(x, v)) lo = mid + 1;
    else if (less(v, x)) hi = mid - 1;
    else return mid;
  }
  return -lo - 1;
}

export function intsetHas(a: IntSet, v: I64): boolean {
  if (a.w < widthOf(v)) return false;
  return search(a, v) >= 0;
}

/** A new intset with v added, or null when v is already present. */
export function intsetAdd(a: IntSet, v: I64): IntSet | null {
  const w = widthOf(v);
  const n = a.length;
  if (w > a.w) {
    // v is outside the current range: it goes first (negative) or last.
    const vals: I64[] = [];
    const neg = typeof v === 'bigint' ? v < 0n : v < 0;
    if (neg) vals.push(v);
    for (let i = 0; i < n; i++) vals.push(intsetGet(a, i));
    if (!neg) vals.push(v);
    return intsetFromSorted(vals);
  }
  const pos = search(a, v);
  if (pos >= 0) return null;
  const at = (-pos - 1) * (a.w >> 1);
  const s = a.s;
  const codes: number[] = [];
  for (let i = 0; i < at; i++) codes.push(s.charCodeAt(i));
  pushCodes(codes, v, a.w);
  for (let i = at; i < s.length; i++) codes.push(s.charCodeAt(i));
  return new IntSet(fromCodes(codes), a.w);
}

function cmpI64(a: I64, b: I64): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Adds many integers at once (SADD of integers: one new string instead of one per member).
 * Returns the number added; `resultSet` is the value to store (a hashtable when the result has
 * more than maxIntset members, as adding them one by one would end).
 */
export function intsetAddMany(a: IntSet | null, vals: I64[], maxIntset: number): number {
  const sv = vals.slice().sort(cmpI64);
  const m = sv.length;
  const n = a === null ? 0 : a.length;
  const out: I64[] = [];
  let i = 0;
  let j = 0;
  let added = 0;
  const pushNew = (y: I64): void => {
    if (out.length === 0 || out[out.length - 1] !== y) {
      out.push(y);
      added++;
    }
  };
  while (i < n && j < m) {
    const x = intsetGet(a!, i);
    const y = sv[j]!;
    if (x < y) {
      out.push(x);
      i++;
    } else if (y < x) {
      pushNew(y);
      j++;
    } else {
      j++; // already present: x is pushed once it is passed
    }
  }
  for (; i < n; i++) out.push(intsetGet(a!, i));
  for (; j < m; j++) pushNew(sv[j]!);
  if (a !== null && added === 0) {
    resultSet = a;
    return 0;
  }
  if (out.length > maxIntset) {
    const h: HashSet = new DenseSet();
    for (let k = 0; k < out.length; k++) h.add(String(out[k]!));
    resultSet = h;
  } else {
    resultSet = intsetFromSorted(out);
  }
  return added;
}

/** A new intset without member i. Keeps the width, as Redis does. */
function intsetRemoveAt(a: IntSet, i: number): IntSet {
  const k = a.w >> 1;
  const s = a.s;
  const codes: number[] = [];
  for (let j = 0; j < s.length; j++) if (j < i * k || j >= (i + 1) * k) codes.push(s.charCodeAt(j));
  return new IntSet(fromCodes(codes), a.w);
}

function intsetToHash(a: IntSet): HashSet {
  const s: HashSet = new DenseSet();
  for (let i = 0; i < a.length; i++) s.add(String(intsetGet(a, i)));
  return s;
}

// ------------------------------------------------------------------ generic operations

/** After setAdd / setRemove: the value to keep (a new object when the intset changed). */
export let resultSet: SetValue = new DenseSet();

/**
 * Adds a member given as bytes. Returns true when added; `resultSet` is the set to store
 * (a new object when the encoding changed or an intset grew).
 */
export function setAdd(v: SetValue, member: Buffer, maxIntset: number): boolean {
  if (v instanceof DenseSet) {
    resultSet = v;
    const s = member.toString('latin1');
    if (v.has(s)) return false;
    v.add(s);
    return true;
  }
  const n = parseI64(member);
  if (n === null) {
    const h = intsetToHash(v);
    h.add(member.toString('latin1'));
    resultSet = h;
    return true;
  }
  const next = intsetAdd(v, n);
  if (next === null) {
    resultSet = v;
    return false;
  }
  resultSet = next.length > maxIntset ? intsetToHash(next) : next;
  return true;
}

/** Adds a member given as latin1 text (set algebra results). Same contract as setAdd. */
export function setAddStr(v: SetValue, s: string, maxIntset: number): boolean {
  if (v instanceof DenseSet) {
    resultSet = v;
    if (v.has(s)) return false;
    v.add(s);
    return true;
  }
  const n = strToI64(s);
  if (n === null) {
    const h = intsetToHash(v);
    h.add(s);
    resultSet = h;
    return true;
  }
  const next = intsetAdd(v, n);
  if (next === null) {
    resultSet = v;
    return false;
  }
  resultSet = next.length > maxIntset ? intsetToHash(next) : next;
  return true;
}

/** A new set holding one member (Redis's setTypeCreate + add). */
export function setCreate(member: Buffer, maxIntset: number): SetValue {
  const n = parseI64(member);
  if (n === null || maxIntset < 1) {
    const s: HashSet = new DenseSet();
    s.add(member.toString('latin1'));
    return s;
  }
  return intsetFromSorted([n]);
}

/** Removes a member; returns true when it was present. `resultSet` is the set to store. */
export function setRemove(v: SetValue, member: Buffer): boolean {
  return setRemoveStr(v, member.toString('latin1'));
}

export function setRemoveStr(v: SetValue, s: string): boolean {
  resultSet = v;
  if (v instanceof DenseSet) {
    return v.delete(s);
  }
  const n = strToI64(s);
  if (n === null || v.w < widthOf(n)) return false;
  const i = search(v, n);
  if (i < 0) return false;
  resultSet = intsetRemoveAt(v, i);
  return true;
}

export function setHas(v: SetValue, member: Buffer): boolean {
  if (v instanceof DenseSet) return v.has(member.toString('latin1'));
  const n = parseI64(member);
  return n !== null && intsetHas(v, n);
}

export function setHasStr(v: SetValue, s: string): boolean {
  if (v instanceof DenseSet) return v.has(s);
  const n = strToI64(s);
  return n !== null && intsetHas(v, n);
}

/** Members as latin1 strings, in the set's iteration order (intset: ascending). */
export function setMembers(v: SetValue): string[] {
  const out: string[] = new Array<string>(setSize(v));
  let i = 0;
  if (v instanceof DenseSet) for (const s of v) out[i++] = s;
  else for (; i < v.length; i++) out[i] = String(intsetGet(v, i));
  return out;
}

/** A uniformly random member of a non-empty set. */
export function setRandomMember(v: SetValue): string {
  if (v instanceof DenseSet) return randomMember(v);
  return String(intsetGet(v, Math.floor(Math.random() * v.length)));
}

/** `count` distinct random members (count < size), by rejection: for counts small against the size. */
export function setRandomDistinct(v: SetValue, count: number): string[] {
  const picked = new DenseSet();
  while (picked.size < count) picked.add(setRandomMember(v));
  return [...picked];
}

/**
 * Builds a set from distinct latin1 members in order, with the encoding Redis would give
 * by adding them one by one to a new intset (sinterstore & co).
 */
export function setFromMembers(members: string[], maxIntset: number): SetValue {
  const n = members.length;
  if (n <= maxIntset) {
    const nums: I64[] = [];
    for (let i = 0; i < n; i++) {
      const x = strToI64(members[i]!);
      if (x === null) break;
      nums.push(x);
    }
    if (nums.length === n) {
      nums.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      return intsetFromSorted(nums);
    }
  }
  return new DenseSet(members);
}

// ------------------------------------------------------------------ random members and SSCAN

/** A uniformly random member of a non-empty hashtable. */
export function randomMember(s: HashSet): string {
  return s.keyAt(s.randomSlot());
}

/**
 * One SSCAN step over a hashtable: pushes up to `count` members into `out`; returns the next
 * cursor (0 = done). See DenseSet.scan for the guarantee.
 */
export function scanHash(s: HashSet, cursor: number, count: number, out: string[]): number {
  return s.scan(cursor, count, (slot) => out.push(s.keyAt(slot)));
}

// ------------------------------------------------------------------ packed form and size

registerPackedCodec(TYPE_SET, {
  unpack(bytes) {
    return new IntSet(bytes.toString('utf16le', 1), bytes[0]!);
  },
  pack(obj) {
    if (!(obj instanceof IntSet)) return null;
    const out = Buffer.allocUnsafe(1 + obj.s.length * 2);
    out[0] = obj.w;
    out.write(obj.s, 1, 'utf16le');
    return out;
  },
});

const SIZE_SAMPLES = 5;
/** A DenseSet entry (index Map entry and slot) holding a latin1 string, beyond its chars (measured in Node 20). */
const SET_ENTRY = 70;
const SMALL_SET_BASE = 264;
const SMALL_SET_ENTRY = 24;

/** Memory use (MEMORY USAGE, used_memory), O(1): a hashtable's members are sampled and scaled. */
export function setMemory(v: SetValue): number {
  if (v instanceof IntSet) return 48 + v.s.length * 2;
  const n = v.size;
  if (n === 0) return 64;
  // The lowest slots: they change least (only a delete moves a member into one).
  const sampled = Math.min(n, SIZE_SAMPLES);
  let len = 0;
  for (let i = 0; i < sampled; i++) len += v.keyAt(i).length;
  // A small DenseSet has no index Map: its members' slots, the string headers, and the arrays.
  if (!v.indexed) return SMALL_SET_BASE + Math.round(n * (SMALL_SET_ENTRY + len / sampled));
  return 64 + Math.round(n * (SET_ENTRY + len / sampled));
}

registerObjectSizer(TYPE_SET, (obj) => setMemory(obj as SetValue));
