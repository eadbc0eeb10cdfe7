/**
 * RDB file format constants and the decoded value shapes shared by the reader, the writer,
 * the loader and DUMP/RESTORE (see /work/shared/specs/redis-replication-and-rdb.md §4-5).
 */

/** Highest RDB version we load (7.4's 12 adds only SLOT_INFO and types we refuse by name). */
export const RDB_MAX_VERSION = 12;
/** What SAVE, replication and DUMP emit: every Redis from 5.0 to 7.2 loads it (§5.3). */
export const RDB_DEFAULT_VERSION = 9;
/** The version Redis 7.0 writes (DUMP payloads from a 7.0 server carry it). */
export const RDB_VERSION_7_0 = 10;

// Opcodes (§4.4).
export const OP_SLOT_INFO = 0xf4;
export const OP_FUNCTION2 = 0xf5;
export const OP_FUNCTION_PRE_GA = 0xf6;
export const OP_MODULE_AUX = 0xf7;
export const OP_IDLE = 0xf8;
export const OP_FREQ = 0xf9;
export const OP_AUX = 0xfa;
export const OP_RESIZEDB = 0xfb;
export const OP_EXPIRETIME_MS = 0xfc;
export const OP_EXPIRETIME = 0xfd;
export const OP_SELECTDB = 0xfe;
export const OP_EOF = 0xff;

// Value types (§4.5).
export const T_STRING = 0;
export const T_LIST = 1;
export const T_SET = 2;
export const T_ZSET = 3;
export const T_HASH = 4;
export const T_ZSET_2 = 5;
export const T_MODULE_PRE_GA = 6;
export const T_MODULE_2 = 7;
export const T_HASH_ZIPMAP = 9;
export const T_LIST_ZIPLIST = 10;
export const T_SET_INTSET = 11;
export const T_ZSET_ZIPLIST = 12;
export const T_HASH_ZIPLIST = 13;
export const T_LIST_QUICKLIST = 14;
export const T_STREAM_LISTPACKS = 15;
export const T_HASH_LISTPACK = 16;
export const T_ZSET_LISTPACK = 17;
export const T_LIST_QUICKLIST_2 = 18;
export const T_STREAM_LISTPACKS_2 = 19;
export const T_SET_LISTPACK = 20;
export const T_STREAM_LISTPACKS_3 = 21;

/** The first version whose loader accepts each value type (older files cannot hold it). */
export function typeMinVersion(t: number): number {
  if (t <= T_HASH) return 1;
  if (t === T_ZSET_2 || t === T_MODULE_PRE_GA || t === T_MODULE_2) return 8;
  if (t >= T_HASH_ZIPMAP && t <= T_HASH_ZIPLIST) return 1;
  if (t === T_LIST_QUICKLIST) return 7;
  if (t === T_STREAM_LISTPACKS) return 9;
  if (t >= T_HASH_LISTPACK && t <= T_STREAM_LISTPACKS_2) return 10;
  return 11;
}

// Length encoding (§4.2).
export const LEN_6BIT = 0;
export const LEN_14BIT = 1;
export const LEN_32BIT = 0x80;
export const LEN_64BIT = 0x81;
export const LEN_ENCVAL = 3;

// String special encodings (§4.3).
export const ENC_INT8 = 0;
export const ENC_INT16 = 1;
export const ENC_INT32 = 2;
export const ENC_LZF = 3;

// Quicklist 2 containers (§4.8).
export const QUICKLIST_NODE_PLAIN = 1;
export const QUICKLIST_NODE_PACKED = 2;

// Module value opcodes (§4.10).
export const MODULE_OP_EOF = 0;
export const MODULE_OP_SINT = 1;
export const MODULE_OP_UINT = 2;
export const MODULE_OP_FLOAT = 3;
export const MODULE_OP_DOUBLE = 4;
export const MODULE_OP_STRING = 5;

const MODULE_CHARSET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The 9-character module type name and encoding version packed in a module id. */
export function moduleIdName(id: bigint): { name: string; encver: number } {
  const encver = Number(id & 0x3ffn);
  let rest = id >> 10n;
  let name = '';
  for (let i = 0; i < 9; i++) {
    name = MODULE_CHARSET[Number(rest & 63n)]! + name;
    rest >>= 6n;
  }
  return { name, encver };
}

/** The id Redis gives module type `name` (9 chars of MODULE_CHARSET) at encoding version encver. */
export function moduleIdFor(name: string, encver: number): bigint {
  let id = 0n;
  for (let i = 0; i < 9; i++) id = (id << 6n) | BigInt(MODULE_CHARSET.indexOf(name[i]!));
  return (id << 10n) | BigInt(encver & 0x3ff);
}

// ---------------------------------------------------------------------------------------------
// Decoded values. Elements are Buffers (integers of compact encodings as their decimal text).

/** A stream ID; both parts are unsigned 64-bit. */
export interface StreamId {
  ms: bigint;
  seq: bigint;
}

export interface RdbStreamPendingEntry {
  id: StreamId;
  deliveryTime: bigint;
  deliveryCount: bigint;
}

export interface RdbStreamConsumer {
  name: Buffer;
  seenTime: bigint;
  /** 7.2 (type 21) only; the seen time for older types, as Redis does. */
  activeTime: bigint;
  /** IDs of this consumer's pending entries (each also in the group PEL). */
  pel: StreamId[];
}

export interface RdbStreamGroup {
  name: Buffer;
  lastId: StreamId;
  /** 2^64-1 (as -1n here) = unknown; for type 15 files Redis estimates it (see loader). */
  entriesRead: bigint;
  pel: RdbStreamPendingEntry[];
  consumers: RdbStreamConsumer[];
}

export interface RdbStreamNode {
  /** The node's master ID (the 16-byte big-endian node key). */
  masterId: StreamId;
  /** The node's raw listpack, exactly as stored (validated). */
  listpack: Buffer;
}

/**
 * A stream as RDB stores it: the lead wires the stream type module to build its in-memory
 * form from this (setStreamCodec in rdb-values.ts) and to produce it for the writer.
 */
export interface RdbStreamValue {
  nodes: RdbStreamNode[];
  length: bigint;
  lastId: StreamId;
  firstId: StreamId;
  maxDeletedId: StreamId;
  entriesAdded: bigint;
  groups: RdbStreamGroup[];
}

export type RdbValue =
  | { kind: 'string'; value: Buffer }
  | { kind: 'list'; elements: Buffer[] }
  | { kind: 'set'; members: Buffer[] }
  | { kind: 'zset'; members: Buffer[]; scores: number[] }
  | { kind: 'hash'; fields: Buffer[]; values: Buffer[] }
  | { kind: 'stream'; stream: RdbStreamValue };

/** Everything the reader knows about one key record. */
export interface RdbKeyRecord {
  db: number;
  key: Buffer;
  /** The type byte as stored (which encoding the writer used). */
  rdbType: number;
  value: RdbValue;
  /** Absolute unix ms, or -1 when the key has no expire. */
  expireMs: number;
  /** IDLE seconds (-1 when absent). */
  lruIdle: number;
  /** FREQ counter (-1 when absent). */
  lfuFreq: number;
}

/**
 * The reader rejects duplicate members of sets, zsets and hashes up to this many elements;
 * above it the value builders do (their containers dedupe anyway: checking twice doubled the
 * cost of loading a big collection).
 */
export const READER_DEDUPE_MAX = 4096;

/** Thrown for corrupt, truncated or unsupported input: `offset` is the byte where it was seen. */
export class RdbError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message + ' (at offset ' + offset + ')');
  }
}
