/**
 * The sorted set value. Two encodings, like Redis:
 *
 * - compact ("listpack"): one latin1 string holding the entries sorted by (score, member); each
 *   entry is the member length (varint: 7 bits per char, low group first, high bit on all but
 *   the last), the member bytes, then the score: a tag char and the score's little-endian
 *   bytes - tag 0/1/2 an integer in int8/int16/int32 range in 1/2/4 chars, tag 3 the double in
 *   8 (like a listpack, integral scores take little room). Like a listpack, it stores -0 as
 *   0. Used while the zset has at
 *   most zset-max-listpack-entries members, none longer than zset-max-listpack-value bytes.
 * - skiplist: an indexable skiplist (store/skiplist.ts) plus a Map member → score (members are
 *   latin1 strings). Keeps -0.
 *
 * Ranks are 0-based in ascending (score, member) order. Operations on the compact form decode
 * it (at most a few hundred entries) and re-encode after a change.
 *
 * The Db keeps a compact zset as packed bytes in its slab (zsetCodec below): the bytes of the
 * compact string, one per char, so 100k small zsets allocate no JS objects.
 */

import { TYPE_ZSET, registerObjectSizer, registerPackedCodec } from '../db.js';
import { SkipList, compareEntry } from '../skiplist.js';
import { DenseMap } from '../dense.js';

const F64 = new Float64Array(1);
const U8 = new Uint8Array(F64.buffer);

/** Members longer than this never go in the compact form (16 KiB is the Db's packed limit anyway). */
const COMPACT_MAX_MEMBER = 0xffff;

// Set by readEntry: the member's offset and length, the score, and the next entry's offset.
let eStart = 0;
let eLen = 0;
let eScore = 0;

/** Reads the entry at offset i of a compact string; returns the offset of the next one. */
function readEntry(s: string, i: number): number {
  let len = 0;
  let shift = 0;
  for (;;) {
    const x = s.charCodeAt(i++);
    len |= (x & 0x7f) << shift;
    if (x < 0x80) break;
    shift += 7;
  }
  eStart = i;
  eLen = len;
  i += len;
  const tag = s.charCodeAt(i++);
  if (tag === 0) {
    eScore = (s.charCodeAt(i) << 24) >> 24;
    return i + 1;
  }
  if (tag === 1) {
    eScore = ((s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8)) << 16) >> 16;
    return i + 2;
  }
  if (tag === 2) {
    eScore = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24);
    return i + 4;
  }
  for (let k = 0; k < 8; k++) U8[k] = s.charCodeAt(i + k);
  eScore = F64[0]!;
  return i + 8;
}

/** Entries as parallel arrays (the decoded compact form, or a range). */
export interface ZEntries {
  members: string[];
  scores: number[];
}

function decode(lp: string): ZEntries {
  const members: string[] = [];
  const scores: number[] = [];
  let i = 0;
  const n = lp.length;
  while (i < n) {
    i = readEntry(lp, i);
    members.push(lp.substring(eStart, eStart + eLen));
    scores.push(eScore);
  }
  return { members, scores };
}

let scratch = Buffer.allocUnsafe(4096);

/**
 * Encodes sorted entries into one flat latin1 string (built in a scratch buffer, so the result
 * is a sequential string, not a rope of concatenations).
 */
function encode(members: string[], scores: number[]): string {
  let need = 0;
  for (let k = 0; k < members.length; k++) need += members[k]!.length + 12;
  if (need > scratch.length) scratch = Buffer.allocUnsafe(Math.max(need, scratch.length * 2));
  const buf = scratch;
  let p = 0;
  for (let k = 0; k < members.length; k++) {
    const m = members[k]!;
    let len = m.length;
    while (len >= 0x80) {
      buf[p++] = (len & 0x7f) | 0x80;
      len >>>= 7;
    }
    buf[p++] = len;
    p += buf.write(m, p, 'latin1');
    const sc = scores[k]!;
    if (Number.isInteger(sc) && sc >= -2147483648 && sc <= 2147483647) {
      // -0 is an integer too and is written as 0.
      if (sc >= -128 && sc <= 127) {
        buf[p++] = 0;
        buf[p++] = sc & 0xff;
      } else if (sc >= -32768 && sc <= 32767) {
        buf[p++] = 1;
        buf.writeInt16LE(sc, p);
        p += 2;
      } else {
        buf[p++] = 2;
        buf.writeInt32LE(sc, p);
        p += 4;
      }
    } else {
      buf[p++] = 3;
      F64[0] = sc;
      for (let i = 0; i < 8; i++) buf[p++] = U8[i]!;
    }
  }
  return buf.toString('latin1', 0, p);
}

/** Insertion index for (score, member) in sorted parallel arrays. */
function lowerBound(members: string[], scores: number[], score: number, member: string): number {
  let lo = 0;
  let hi = members.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareEntry(scores[mid]!, members[mid]!, score, member) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Limits for the compact encoding (zset-max-listpack-entries / -value). */
export interface ZLimits {
  entries: number;
  value: number;
}

export const ADD_NEW = 0;
export const ADD_UPDATED = 1;
export const ADD_SAME = 2;

export class ZSet {
  /** Compact form, or null when skiplist-encoded. */
  lp: string | null;
  /** Member count of the compact form. */
  n = 0;
  sl: SkipList | null = null;
  dict: DenseMap<number> | null = null;
  /** The compact string this zset was unpacked from (zsetCodec), to tell "unchanged" cheaply. */
  private packedFrom: string | null = null;

  constructor(compact: boolean) {
    if (compact) {
      this.lp = '';
    } else {
      this.lp = null;
      this.sl = new SkipList();
      this.dict = new DenseMap<number>();
    }
  }

  /** A new zset of the encoding Redis would create for a first member of `memberLen` bytes. */
  static create(limits: ZLimits, memberLen: number): ZSet {
    return new ZSet(limits.entries !== 0 && memberLen <= limits.value && memberLen <= COMPACT_MAX_MEMBER);
  }

  /** Builds a zset from entries (any order, unique members), choosing the encoding Redis would. */
  static fromEntries(limits: ZLimits, members: string[], scores: number[]): ZSet {
    let maxLen = 0;
    for (const m of members) if (m.length > maxLen) maxLen = m.length;
    const compact = members.length <= limits.entries && maxLen <= limits.value && maxLen <= COMPACT_MAX_MEMBER;
    const z = new ZSet(compact);
    if (compact) {
      const idx = members.map((_m, i) => i);
      idx.sort((a, b) => compareEntry(scores[a]!, members[a]!, scores[b]!, members[b]!));
      z.lp = encode(
        idx.map((i) => members[i]!),
        idx.map((i) => scores[i]!),
      );
      z.n = members.length;
    } else {
      const n = members.length;
      // RDB files (Redis's and ours, written whole) list a zset highest first; pieces and
      // other sources come in any order: sort only when needed, then build by appending.
      let asc = true;
      let desc = true;
      for (let i = 1; i < n && (asc || desc); i++) {
        const c = compareEntry(scores[i - 1]!, members[i - 1]!, scores[i]!, members[i]!);
        if (c >= 0) asc = false;
        if (c <= 0) desc = false;
      }
      let at: (k: number) => number;
      if (asc) at = (k) => k;
      else if (desc) at = (k) => n - 1 - k;
      else {
        const idx = new Int32Array(n);
        for (let i = 0; i < n; i++) idx[i] = i;
        idx.sort((a, b) => compareEntry(scores[a]!, members[a]!, scores[b]!, members[b]!));
        at = (k) => idx[k]!;
      }
      z.sl = SkipList.fromSorted(
        n,
        (k) => scores[at(k)]!,
        (k) => members[at(k)]!,
      );
      for (let i = 0; i < n; i++) z.dict!.set(members[i]!, scores[i]!);
    }
    return z;
  }

  get compact(): boolean {
    return this.lp !== null;
  }

  get size(): number {
    return this.lp !== null ? this.n : this.dict!.size;
  }

  encoding(): string {
    return this.lp !== null ? 'listpack' : 'skiplist';
  }

  score(member: string): number | undefined {
    const lp = this.lp;
    if (lp === null) return this.dict!.get(member);
    let i = 0;
    const n = lp.length;
    const ml = member.length;
    while (i < n) {
      i = readEntry(lp, i);
      if (eLen === ml && lp.startsWith(member, eStart)) return eScore;
    }
    return undefined;
  }

  private toSkiplist(): void {
    const { members, scores } = decode(this.lp!);
    this.lp = null;
    this.n = 0;
    this.sl = new SkipList();
    this.dict = new DenseMap<number>();
    for (let i = 0; i < members.length; i++) {
      this.sl.insert(scores[i]!, members[i]!);
      this.dict.set(members[i]!, scores[i]!);
    }
  }

  /** Sets member's score (inserting it when absent). */
  set(member: string, score: number, limits: ZLimits): number {
    if (this.lp !== null) {
      const { members, scores } = decode(this.lp);
      const at = members.indexOf(member);
      if (at >= 0) {
        const old = scores[at]!;
        if (old === score) return ADD_SAME;
        members.splice(at, 1);
        scores.splice(at, 1);
        const pos = lowerBound(members, scores, score, member);
        members.splice(pos, 0, member);
        scores.splice(pos, 0, score);
        this.lp = encode(members, scores);
        return ADD_UPDATED;
      }
      if (this.n + 1 > limits.entries || member.length > limits.value || member.length > COMPACT_MAX_MEMBER) {
        this.toSkiplist();
      } else {
        const pos = lowerBound(members, scores, score, member);
        members.splice(pos, 0, member);
        scores.splice(pos, 0, score);
        this.lp = encode(members, scores);
        this.n++;
        return ADD_NEW;
      }
    }
    const dict = this.dict!;
    const old = dict.get(member);
    if (old === undefined) {
      this.sl!.insert(score, member);
      dict.set(member, score);
      return ADD_NEW;
    }
    if (old === score) return ADD_SAME;
    this.sl!.updateScore(old, member, score);
    dict.set(member, score);
    return ADD_UPDATED;
  }

  remove(member: string): boolean {
    if (this.lp !== null) {
      const { members, scores } = decode(this.lp);
      const at = members.indexOf(member);
      if (at < 0) return false;
      members.splice(at, 1);
      scores.splice(at, 1);
      this.lp = encode(members, scores);
      this.n--;
      return true;
    }
    const old = this.dict!.get(member);
    if (old === undefined) return false;
    this.sl!.delete(old, member);
    this.dict!.delete(member);
    return true;
  }

  /** 0-based ascending rank of member, or -1. */
  rank(member: string): number {
    if (this.lp !== null) return decode(this.lp).members.indexOf(member);
    const s = this.dict!.get(member);
    if (s === undefined) return -1;
    return this.sl!.rank(s, member);
  }

  /** Number of entries ordered before the first one for which `above` holds (monotone). */
  countBelow(above: (score: number, member: string) => boolean): number {
    if (this.lp !== null) {
      const { members, scores } = decode(this.lp);
      let k = 0;
      while (k < members.length && !above(scores[k]!, members[k]!)) k++;
      return k;
    }
    return this.sl!.countBelow(above);
  }

  /** Entries with ascending ranks start..end (inclusive, clamped by the caller), ascending. */
  range(start: number, end: number): ZEntries {
    const members: string[] = [];
    const scores: number[] = [];
    if (start > end) return { members, scores };
    if (this.lp !== null) {
      const all = decode(this.lp);
      return { members: all.members.slice(start, end + 1), scores: all.scores.slice(start, end + 1) };
    }
    let x = this.sl!.byRank(start);
    for (let r = start; r <= end && x !== null; r++) {
      members.push(x.member);
      scores.push(x.score);
      x = x.next[0]!;
    }
    return { members, scores };
  }

  /** Removes ascending ranks start..end (inclusive, valid); returns the removed entries. */
  removeRange(start: number, end: number): ZEntries {
    const got = this.range(start, end);
    if (this.lp !== null) {
      const all = decode(this.lp);
      all.members.splice(start, end - start + 1);
      all.scores.splice(start, end - start + 1);
      this.lp = encode(all.members, all.scores);
      this.n = all.members.length;
    } else {
      for (let i = 0; i < got.members.length; i++) {
        this.sl!.delete(got.scores[i]!, got.members[i]!);
        this.dict!.delete(got.members[i]!);
      }
    }
    return got;
  }

  /** All entries, ascending. */
  all(): ZEntries {
    if (this.lp !== null) return decode(this.lp);
    return this.range(0, this.size - 1);
  }

  clone(): ZSet {
    if (this.lp !== null) {
      const z = new ZSet(true);
      z.lp = this.lp;
      z.n = this.n;
      return z;
    }
    const z = new ZSet(false);
    for (const x of this.sl!.entries()) {
      z.sl!.insert(x.score, x.member);
      z.dict!.set(x.member, x.score);
    }
    return z;
  }

  /**
   * Memory use (MEMORY USAGE, used_memory), O(1): a skiplist's members are sampled (the first
   * SIZE_SAMPLES) and scaled, like Redis's MEMORY USAGE. Per entry: skiplist node, Map entry,
   * boxed score and the member string (measured in Node 20: ~263 bytes + member length, the
   * DenseMap index included).
   */
  bytes(): number {
    if (this.lp !== null) return 64 + this.lp.length;
    const dict = this.dict!;
    const n = dict.size;
    if (n === 0) return 64;
    const sampled = Math.min(n, SIZE_SAMPLES);
    let len = 0;
    for (let i = 0; i < sampled; i++) len += dict.keyAt(i).length;
    return 64 + Math.round(n * (SKIPLIST_ENTRY + len / sampled));
  }

  /** The packed form of a compact zset (its string's bytes), or null for a skiplist. */
  packed(prev: Buffer | null): Buffer | null {
    const lp = this.lp;
    if (lp === null) return null;
    if (prev !== null && lp === this.packedFrom) return prev;
    return Buffer.from(lp, 'latin1');
  }

  /** A compact zset from its packed form. */
  static fromPacked(bytes: Buffer): ZSet {
    const z = new ZSet(true);
    const lp = bytes.toString('latin1');
    let n = 0;
    for (let i = 0; i < lp.length; n++) i = readEntry(lp, i);
    z.lp = lp;
    z.n = n;
    z.packedFrom = lp;
    return z;
  }
}

const SIZE_SAMPLES = 5;
const SKIPLIST_ENTRY = 262;

registerPackedCodec(TYPE_ZSET, {
  unpack: (bytes) => ZSet.fromPacked(bytes),
  pack: (obj, prev) => (obj as ZSet).packed(prev),
});

registerObjectSizer(TYPE_ZSET, (obj) => (obj as ZSet).bytes());
