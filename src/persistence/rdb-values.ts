/**
 * The one place where persistence touches the type modules' values (src/store/types/*), and
 * only through their exported APIs: iterating an in-memory value for the writer, and building
 * one from decoded RDB content for the loader and RESTORE, with the encoding Redis 7.0 gives a
 * value after loading (small collections compact, whatever type byte the file used).
 *
 * Streams: the stream type module plugs in with setStreamCodec (see RdbStreamValue).
 */

import { TYPE_HASH, TYPE_LIST, TYPE_SET, TYPE_STREAM, TYPE_STRING, TYPE_ZSET } from '../store/db.js';
import { List } from '../store/types/list.js';
import { intsetFromSorted, setFromMembers, setMembers, type SetValue } from '../store/types/set.js';
import { ZSet } from '../store/types/zset.js';
import { hashEntries, lpBegin, lpCommit, lpNew, lpPut, type HashObj } from '../store/types/hash.js';
import { parseI64, type I64 } from '../util/numbers.js';
import type { RdbStreamValue, RdbValue } from './rdb-format.js';
import { DenseMap, DenseSet } from '../store/dense.js';
import {
  READER_DEDUPE_MAX,
  T_HASH_LISTPACK,
  T_SET_INTSET,
  T_ZSET_LISTPACK,
  T_ZSET_ZIPLIST,
} from './rdb-format.js';

/** The thresholds that decide compact encodings (the server's config values). */
export interface EncodingLimits {
  setMaxIntsetEntries: number;
  hashMaxListpackEntries: number;
  hashMaxListpackValue: number;
  zsetMaxListpackEntries: number;
  zsetMaxListpackValue: number;
}

/** Redis 7.0's defaults. */
export const DEFAULT_LIMITS: EncodingLimits = {
  setMaxIntsetEntries: 512,
  hashMaxListpackEntries: 512,
  hashMaxListpackValue: 64,
  zsetMaxListpackEntries: 128,
  zsetMaxListpackValue: 64,
};

/** Reads the limits from a config (anything with getNumber, e.g. server.config). */
export function limitsFromConfig(cfg: { getNumber(name: string): number }): EncodingLimits {
  return {
    setMaxIntsetEntries: cfg.getNumber('set-max-intset-entries'),
    hashMaxListpackEntries: cfg.getNumber('hash-max-listpack-entries'),
    hashMaxListpackValue: cfg.getNumber('hash-max-listpack-value'),
    zsetMaxListpackEntries: cfg.getNumber('zset-max-listpack-entries'),
    zsetMaxListpackValue: cfg.getNumber('zset-max-listpack-value'),
  };
}

// ------------------------------------------------------------------ streams (wired at merge)

/** How the stream type module converts between its values and RDB's stream content. */
export interface StreamCodec {
  /** Builds the in-memory stream (the object stored with TYPE_STREAM) from decoded RDB content. */
  fromRdb(v: RdbStreamValue): object;
  /** The RDB content of an in-memory stream (nodes as raw listpacks, groups, PELs, consumers). */
  toRdb(obj: unknown): RdbStreamValue;
  /** The same without copying the nodes: they are pinned until passed (see FrozenStreamContent). */
  freeze(obj: unknown): FrozenStreamContent;
}

/**
 * A stream's RDB content as it is now, for writing in pieces while it changes: the node
 * listpacks are views of pinned nodes (copied by the stream before any change to them);
 * passed(k) drops the pins of nodes 0..k-1 once written, release() the rest.
 */
export interface FrozenStreamContent {
  readonly value: RdbStreamValue;
  passed(upTo: number): void;
  release(): void;
}

let streamCodec: StreamCodec | null = null;

export function setStreamCodec(c: StreamCodec | null): void {
  streamCodec = c;
}

export function getStreamCodec(): StreamCodec | null {
  return streamCodec;
}

/** Thrown when a value cannot be built or iterated (e.g. streams before the codec is wired). */
export class ValueTypeError extends Error {}

// ------------------------------------------------------------------ building (loader, RESTORE)

function latin1(b: Buffer): string {
  return b.toString('latin1');
}

function cmpI64(a: I64, b: I64): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The Db TYPE_* and value object for decoded RDB content, encoded as Redis 7.0 would after
 * loading it. `rdbType` is the stored type byte: compact sources (listpack, ziplist, intset)
 * are kept compact unless they are over the entry-count limit, like Redis's loader.
 * Strings return the Buffer itself (the caller stores it with Db.setString).
 */
export function buildValue(v: RdbValue, rdbType: number, lim: EncodingLimits): { type: number; obj: object } {
  switch (v.kind) {
    case 'string':
      return { type: TYPE_STRING, obj: v.value };
    case 'list': {
      const l = new List();
      for (const e of v.elements) l.pushTail(e);
      return { type: TYPE_LIST, obj: l };
    }
    case 'set': {
      const obj = buildSet(v.members, rdbType, lim);
      if (v.members.length > READER_DEDUPE_MAX && (!(obj instanceof DenseSet) || obj.size !== v.members.length)) checkDistinct(v.members.map(latin1), 'Duplicate set members detected');
      return { type: TYPE_SET, obj };
    }
    case 'zset': {
      const members = v.members.map(latin1);
      // Redis converts a listpack/ziplist zset only on its entry count; plain zsets on both limits.
      const compactSource = rdbType === T_ZSET_LISTPACK || rdbType === T_ZSET_ZIPLIST;
      const limits = { entries: lim.zsetMaxListpackEntries, value: compactSource ? Number.MAX_SAFE_INTEGER : lim.zsetMaxListpackValue };
      // Duplicates above the reader's limit: a skiplist's member index tells (and must, as the
      // skiplist itself would hold both), a compact zset needs its own check.
      if (members.length > READER_DEDUPE_MAX && members.length <= limits.entries) checkDistinct(members, 'Duplicate zset fields detected');
      const z = ZSet.fromEntries(limits, members, v.scores);
      if (z.size !== members.length) throw new ValueTypeError('Duplicate zset fields detected');
      return { type: TYPE_ZSET, obj: z };
    }
    case 'hash': {
      const obj = buildHash(v.fields, v.values, rdbType, lim);
      const n = v.fields.length;
      if (n > READER_DEDUPE_MAX && (!(obj instanceof DenseMap) || obj.size !== n)) checkDistinct(v.fields.map(latin1), 'Duplicate hash fields detected');
      return { type: TYPE_HASH, obj };
    }
    case 'stream': {
      if (streamCodec === null) throw new ValueTypeError('stream values are not supported by this build');
      return { type: TYPE_STREAM, obj: streamCodec.fromRdb(v.stream) };
    }
  }
}

/**
 * The duplicate check of a big set, zset or hash that is not built (an expired key skipped at
 * load): Redis rejects such a file whatever the key's TTL.
 */
export function checkDistinctMembers(v: RdbValue): void {
  if (v.kind === 'set' && v.members.length > READER_DEDUPE_MAX) checkDistinct(v.members.map(latin1), 'Duplicate set members detected');
  else if (v.kind === 'zset' && v.members.length > READER_DEDUPE_MAX) checkDistinct(v.members.map(latin1), 'Duplicate zset fields detected');
  else if (v.kind === 'hash' && v.fields.length > READER_DEDUPE_MAX) checkDistinct(v.fields.map(latin1), 'Duplicate hash fields detected');
}

/** Throws ValueTypeError(msg) when `members` has a duplicate (big collections: the reader only checks small ones). */
function checkDistinct(members: string[], msg: string): void {
  if (new DenseSet(members).size !== members.length) throw new ValueTypeError(msg);
}

function buildSet(members: Buffer[], rdbType: number, lim: EncodingLimits): SetValue {
  const n = members.length;
  if (rdbType === T_SET_INTSET && n <= lim.setMaxIntsetEntries) {
    const nums: I64[] = [];
    for (const m of members) nums.push(parseI64(m)!);
    nums.sort(cmpI64);
    return intsetFromSorted(nums);
  }
  return setFromMembers(members.map(latin1), lim.setMaxIntsetEntries);
}

function buildHash(fields: Buffer[], values: Buffer[], rdbType: number, lim: EncodingLimits): HashObj {
  const n = fields.length;
  let compact = n <= lim.hashMaxListpackEntries;
  // Observed on 7.0.15 (DEBUG RELOAD): a listpack-typed hash converts only on its entry count;
  // other sources also on the longest field/value.
  if (compact && rdbType !== T_HASH_LISTPACK) {
    for (let i = 0; i < n && compact; i++) {
      if (fields[i]!.length > lim.hashMaxListpackValue || values[i]!.length > lim.hashMaxListpackValue) compact = false;
    }
  }
  if (compact) {
    lpBegin(lpNew());
    for (let i = 0; i < n; i++) lpPut(fields[i]!, values[i]!);
    return lpCommit();
  }
  const m = new DenseMap<Buffer>();
  for (let i = 0; i < n; i++) m.set(latin1(fields[i]!), Buffer.from(values[i]!));
  return m;
}

/** True when a decoded collection is empty (Redis skips such keys when loading). */
export function isEmptyValue(v: RdbValue): boolean {
  switch (v.kind) {
    case 'string':
      return false;
    case 'list':
      return v.elements.length === 0;
    case 'set':
      return v.members.length === 0;
    case 'zset':
      return v.members.length === 0;
    case 'hash':
      return v.fields.length === 0;
    case 'stream':
      return false;
  }
}

// ------------------------------------------------------------------ iterating (writer)

/** Calls fn for each list element, head to tail (views, valid during the call). */
export function forEachListElement(obj: unknown, fn: (e: Buffer) => void): number {
  const l = obj as List;
  for (const e of l) fn(e);
  return l.length;
}

export function listLength(obj: unknown): number {
  return (obj as List).length;
}

/** Set members as latin1 strings. */
export function setMemberStrings(obj: unknown): string[] {
  return setMembers(obj as SetValue);
}

/** Zset entries in ascending (score, member) order; members are latin1 strings. */
export function zsetEntries(obj: unknown): { members: string[]; scores: number[] } {
  return (obj as ZSet).all();
}

/** Hash field/value pairs (views). */
export function hashPairs(obj: unknown): Array<[Buffer, Buffer]> {
  return hashEntries(obj as HashObj);
}

/** The RDB content of an in-memory stream (needs the codec). */
export function streamContent(obj: unknown): RdbStreamValue {
  if (streamCodec === null) throw new ValueTypeError('stream values are not supported by this build');
  return streamCodec.toRdb(obj);
}

/** The RDB content of an in-memory stream, frozen (see FrozenStreamContent). */
export function frozenStreamContent(obj: unknown): FrozenStreamContent {
  if (streamCodec === null) throw new ValueTypeError('stream values are not supported by this build');
  return streamCodec.freeze(obj);
}

/** The decoded RDB content of an in-memory value (tests, DEBUG tooling). */
export function valueContent(type: number, obj: unknown): RdbValue {
  switch (type) {
    case TYPE_STRING:
      return { kind: 'string', value: obj as Buffer };
    case TYPE_LIST: {
      const elements: Buffer[] = [];
      forEachListElement(obj, (e) => elements.push(Buffer.from(e)));
      return { kind: 'list', elements };
    }
    case TYPE_SET:
      return { kind: 'set', members: setMemberStrings(obj).map((s) => Buffer.from(s, 'latin1')) };
    case TYPE_ZSET: {
      const z = zsetEntries(obj);
      return { kind: 'zset', members: z.members.map((s) => Buffer.from(s, 'latin1')), scores: z.scores };
    }
    case TYPE_HASH: {
      const p = hashPairs(obj);
      return { kind: 'hash', fields: p.map((x) => Buffer.from(x[0])), values: p.map((x) => Buffer.from(x[1])) };
    }
    case TYPE_STREAM:
      return { kind: 'stream', stream: streamContent(obj) };
    default:
      throw new ValueTypeError('unknown value type ' + type);
  }
}
