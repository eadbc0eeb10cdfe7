/**
 * Db: one logical database (SELECT n) on top of Dict; Keyspace: all of them.
 *
 * Storage of a key (see dict.ts for the 32-byte entry and the hash table):
 * - Strings whose key+value fit in a slab chunk (<= MAX_CHUNK = 16 KiB) are
 *   stored "inline": one slab record [key bytes][value bytes]; the key length
 *   is in the entry's KLEN and the value length in the top 24 bits of META.
 *   A string-only dataset therefore allocates no per-key JS object at all.
 *   (Lengths live in the entry rather than a record header: the entry slot
 *   had room, and a header would push a 16+16-byte record from the 32-byte
 *   class into the 40-byte one.)
 * - Small collections whose type registered a PackedCodec (lists, sets,
 *   hashes, zsets) are "packed": one slab record [key bytes][packed bytes],
 *   flagged INLINE like strings, with the packed length in META. So 100k small
 *   hashes allocate no per-key JS object either.
 * - Everything else - big collections, streams, strings too long to inline -
 *   is a JS value in `objs`, a chunked array of arrays indexed by id (1024
 *   per chunk, a chunk existing while it holds a value). The slab record then
 *   holds only the key. Long strings are standalone Buffers.
 *
 * Packed values: getObject() unpacks a packed value into the JS object its
 * type module works on and keeps it as the entry's value, flagged PENDING and
 * listed in `pending`; so callers read and mutate collections in place as if
 * they were always JS objects. setObject()/replaceObject() of a collection
 * do the same with the object given. At the end of the event-loop turn
 * (setImmediate), settle() asks each pending object's codec for its packed
 * bytes: small ones go (back) into the slab record and the object is dropped
 * (nothing is rewritten when the bytes did not change); others stay JS
 * objects and are re-measured for the memory accounting. Converting to the big
 * form is the type module's business (encoding thresholds); its codec just
 * refuses to pack big encodings.
 * - Keys longer than MAX_CHUNK live in Dict.bigKeys (never seen in practice,
 *   but Redis allows 512 MB keys).
 * - META low byte: bits 0-2 value type (TYPE_*), bit 3 RAW (OBJECT ENCODING
 *   emulation, owned by the caller), bit 4 INLINE (string or packed value in
 *   the record), bit 5 NOINT (a string Redis would keep as embstr/raw even if
 *   it looks like an integer), bit 6 PENDING (see Packed values), bit 7 LIVE.
 *
 * Expiry: a dense "volatile set" of (id, expire-at ms) pairs in chunked
 * typed arrays, with the entry's VPOS pointing back into it. Set/remove are
 * O(1) (swap-with-last) and sampling a random volatile key is O(1), which is
 * what the active expire cycle needs. The Db never deletes a key because it
 * expired: the caller decides (isExpired) so that replicas can hide expired
 * keys without deleting them, and so that deletions can be propagated.
 *
 * Lifetime rules for callers:
 * - Buffers returned by getString/keyView are views into shared memory. They
 *   are valid until the next write to any Db of the same Keyspace (a freed
 *   chunk is reused by the next allocation). Copy before holding one across a
 *   write - in particular, a reply must be copied into the output buffer
 *   synchronously, never handed to socket.write() as is.
 * - Entry ids are valid until the next write that deletes that id, or the
 *   next rehashStep()/clear()/swap() (compaction renumbers ids).
 * - Values passed in are copied (they are usually views into a network read
 *   buffer), except objects and Buffers given to setObject/replaceObject,
 *   whose ownership moves to the Db.
 * - Snapshots (src/persistence/snapshot.ts) serialize an entry before its
 *   first change: every mutator here calls the Dict's `guard` first. A value
 *   changed in place (bytes of a getString view, a getObject collection) is
 *   invisible to the Db, so code doing that must obtain the id through
 *   lookupWrite (src/store/expire.ts) or call willModify(id) first.
 */

import { viewAt } from '../util/bytes.js';
import {
  CHUNK_MASK,
  CHUNK_SHIFT,
  CHUNK_SIZE,
  Dict,
  E_HASH,
  E_KLEN,
  E_LRU,
  E_META,
  E_OFF,
  E_PAGE,
  E_SHIFT,
  E_VPOS,
  EMPTY,
  M_LIVE,
  copyBytes,
  hashBytes,
} from './dict.js';
import { MAX_CHUNK, PAGE_SIZE, SlabAllocator, chunkSize } from './slab.js';

export const TYPE_STRING = 0;
export const TYPE_LIST = 1;
export const TYPE_SET = 2;
export const TYPE_ZSET = 3;
export const TYPE_HASH = 4;
export const TYPE_STREAM = 5;

const M_TYPE = 0x07;
const M_RAW = 0x08;
const M_INLINE = 0x10;
const M_NOINT = 0x20;
/** The entry's id is in the Db's pending list (its JS value is looked at by the next settle()). */
const M_PENDING = 0x40;
const VLEN_SHIFT = 8;

/** Ids per chunk of the JS value table (small, so that a few JS values cost little memory). */
const OBJ_SHIFT = 10;
const OBJ_CHUNK = 1 << OBJ_SHIFT;
const OBJ_MASK = OBJ_CHUNK - 1;

const FIRST_V = 64;
/** Rough cost of a Buffer object beyond its bytes (JS object + backing store header). */
const BUFFER_OVERHEAD = 96;
/** Size of a non-string value whose type registered no sizer. */
const OBJECT_ESTIMATE = 128;

/** Estimates memory of a non-string value for MEMORY USAGE; replaceable by the type modules. */
export type ObjectSizer = (type: number, obj: unknown) => number;

let objectSizer: ObjectSizer = (_type, obj) => {
  if (Buffer.isBuffer(obj)) return obj.length + BUFFER_OVERHEAD;
  if (obj instanceof Map) return 64 + obj.size * 96;
  if (obj instanceof Set) return 64 + obj.size * 64;
  if (Array.isArray(obj)) return 32 + obj.length * 48;
  return OBJECT_ESTIMATE;
};

export function setObjectSizer(fn: ObjectSizer): void {
  objectSizer = fn;
}

/** Per-type sizers registered by the type modules (lists, hashes, ...); used before the default. */
const typeSizers: Array<((obj: unknown) => number) | undefined> = [];

/** A type module registers how to measure its values (MEMORY USAGE, DEBUG OBJECT). */
export function registerObjectSizer(type: number, fn: (obj: unknown) => number): void {
  typeSizers[type] = fn;
}

function sizeOfObject(type: number, obj: unknown): number {
  const f = typeSizers[type];
  return f !== undefined ? f(obj) : objectSizer(type, obj);
}

/**
 * How a collection type keeps small values as packed bytes in the slab instead of as JS objects
 * (see "Packed values" in the Db comment).
 */
export interface PackedCodec {
  /** The JS value for packed bytes. `bytes` is a view into the slab: copy what is kept. */
  unpack(bytes: Buffer): object;
  /**
   * The packed bytes for a JS value, or null when the value must stay a JS object (too big, or
   * an encoding that has no packed form). The Db copies the bytes; it does not keep the Buffer.
   * `prev` is the packed bytes the entry's record still holds when `obj` was unpacked from them
   * (else null): returning `prev` itself says "unchanged", which saves re-encoding.
   */
  pack(obj: object, prev: Buffer | null): Buffer | null;
}

const codecs: Array<PackedCodec | undefined> = [];

/** A type module registers its packed form (called once, at module load). */
export function registerPackedCodec(type: number, codec: PackedCodec): void {
  if (type === TYPE_STRING) throw new RangeError('strings are inlined by the Db itself');
  codecs[type] = codec;
}

/** Fields that stay with the Db object on swap() (everything else moves). */
const SWAP_KEEP = new Set(['index', 'slab', 'lruInit', 'scratch', 'onNewKey', 'settleQueued', 'settleNow', 'onLazyClear']);

/**
 * clear() of a db with more keys than this detaches the contents and frees their slab records
 * in the background (Keyspace lazy free) instead of walking them in the command: a FLUSHDB
 * of 100M keys would otherwise stop every client for seconds. Below it the walk is < ~1 ms.
 */
const LAZY_CLEAR_MIN = 16384;
/** Ids freed between two clock reads in freeRecordsFrom. */
const FREE_BATCH = 4096;

/** Bytes a record occupies given its entry's KLEN and META. */
function recordSize(klen: number, meta: number): number {
  return (klen <= MAX_CHUNK ? klen : 0) + ((meta & M_INLINE) !== 0 ? meta >>> VLEN_SHIFT : 0);
}

export class Db extends Dict {
  readonly index: number;
  /** Stamped into LRU of new keys; the server keeps it at the current clock. */
  lruInit = 0;
  /**
   * Called after a key is added (Redis's `new` keyspace event, emitted where it adds a key to a
   * database); null while notify-keyspace-events does not ask for it, so adding costs nothing.
   */
  onNewKey: ((dbIndex: number, key: Buffer) => void) | null = null;
  /**
   * Where clear() hands big contents to be freed in the background (set by Keyspace); null =
   * clear() frees synchronously.
   */
  onLazyClear: ((holder: Db) => void) | null = null;

  // Volatile set: vIds[p], vAt[p] in chunks of CHUNK_SIZE (first one grows).
  private vIds: Int32Array[] = [new Int32Array(FIRST_V)];
  private vAt: Float64Array[] = [new Float64Array(FIRST_V)];
  private vCap = FIRST_V;
  private vCount = 0;

  /**
   * JS values by id, OBJ_CHUNK per chunk; a chunk exists while it holds a value. objSize holds
   * the bytes each non-string value was last measured at (what objectBytes counts for it).
   */
  private objs: (unknown[] | undefined)[] = [];
  private objSize: (Float64Array | undefined)[] = [];
  private objChunkUsed: number[] = [];
  private objChunks = 0;

  /** Ids whose JS value settle() must pack or re-measure (checked against M_PENDING). */
  private pending: number[] = [];
  private settleQueued = false;
  private readonly settleNow = (): void => {
    this.settleQueued = false;
    this.settle();
  };

  // Memory accounting, maintained incrementally so INFO is O(1).
  private recordBytes = 0;
  private bigStringBytes = 0;
  private bigKeyBytes = 0;
  private objectCount = 0;
  private objectBytes = 0;

  constructor(slab: SlabAllocator, index = 0) {
    super(slab);
    this.index = index;
  }

  // ------------------------------------------------------------ expiry

  get volatileCount(): number {
    return this.vCount;
  }

  /** Absolute expiry in ms, or -1 if the key has no TTL. */
  expireAt(id: number): number {
    const pos = this.ents[id >>> CHUNK_SHIFT][((id & CHUNK_MASK) << E_SHIFT) + E_VPOS];
    if (pos === 0) return -1;
    const p = pos - 1;
    return this.vAt[p >>> CHUNK_SHIFT][p & CHUNK_MASK];
  }

  /** Redis semantics: a key is expired once now is strictly past its expire time. */
  isExpired(id: number, nowMs: number): boolean {
    const pos = this.ents[id >>> CHUNK_SHIFT][((id & CHUNK_MASK) << E_SHIFT) + E_VPOS];
    if (pos === 0) return false;
    const p = pos - 1;
    return nowMs > this.vAt[p >>> CHUNK_SHIFT][p & CHUNK_MASK];
  }

  setExpireAt(id: number, ms: number): void {
    if (this.guard !== null) this.guard.beforeChange(this, id);
    const c = this.ents[id >>> CHUNK_SHIFT];
    const b = ((id & CHUNK_MASK) << E_SHIFT) + E_VPOS;
    const pos = c[b];
    if (pos !== 0) {
      const p = pos - 1;
      this.vAt[p >>> CHUNK_SHIFT][p & CHUNK_MASK] = ms;
      return;
    }
    const p = this.vCount;
    if (p >= this.vCap) this.growVolatile();
    this.vIds[p >>> CHUNK_SHIFT][p & CHUNK_MASK] = id;
    this.vAt[p >>> CHUNK_SHIFT][p & CHUNK_MASK] = ms;
    this.vCount = p + 1;
    c[b] = p + 1;
  }

  /** Remove the TTL; false if there was none. */
  removeExpire(id: number): boolean {
    const c = this.ents[id >>> CHUNK_SHIFT];
    const b = ((id & CHUNK_MASK) << E_SHIFT) + E_VPOS;
    const pos = c[b];
    if (pos === 0) return false;
    if (this.guard !== null) this.guard.beforeChange(this, id);
    const p = pos - 1;
    const last = --this.vCount;
    if (p !== last) {
      // Fill the hole with the last pair so the set stays dense.
      const lid = this.vIds[last >>> CHUNK_SHIFT][last & CHUNK_MASK];
      this.vIds[p >>> CHUNK_SHIFT][p & CHUNK_MASK] = lid;
      this.vAt[p >>> CHUNK_SHIFT][p & CHUNK_MASK] = this.vAt[last >>> CHUNK_SHIFT][last & CHUNK_MASK];
      this.ents[lid >>> CHUNK_SHIFT][((lid & CHUNK_MASK) << E_SHIFT) + E_VPOS] = p + 1;
    }
    c[b] = 0;
    // Keep one spare chunk of hysteresis so a key hovering at a chunk
    // boundary does not allocate and drop 768 KiB each time.
    const n = this.vIds.length;
    if (n > 1 && last <= (n - 2) * CHUNK_SIZE) {
      this.vIds.pop();
      this.vAt.pop();
      this.vCap -= CHUNK_SIZE;
    }
    return true;
  }

  /** A random key with a TTL (-1 if none), O(1). */
  randomVolatile(): number {
    if (this.vCount === 0) return -1;
    const p = Math.floor(Math.random() * this.vCount);
    return this.vIds[p >>> CHUNK_SHIFT][p & CHUNK_MASK];
  }

  /** Id at position i (0 <= i < volatileCount) of the volatile set. */
  volatileAt(i: number): number {
    return this.vIds[i >>> CHUNK_SHIFT][i & CHUNK_MASK];
  }

  /** Expire time at position i of the volatile set (no entry lookup needed). */
  volatileExpireAtPos(i: number): number {
    return this.vAt[i >>> CHUNK_SHIFT][i & CHUNK_MASK];
  }

  private growVolatile(): void {
    if (this.vCap < CHUNK_SIZE) {
      const n = Math.min(this.vCap * 2, CHUNK_SIZE);
      const ids = new Int32Array(n);
      ids.set(this.vIds[0]);
      const at = new Float64Array(n);
      at.set(this.vAt[0]);
      this.vIds[0] = ids;
      this.vAt[0] = at;
      this.vCap = n;
    } else {
      this.vIds.push(new Int32Array(CHUNK_SIZE));
      this.vAt.push(new Float64Array(CHUNK_SIZE));
      this.vCap += CHUNK_SIZE;
    }
  }

  // ------------------------------------------------------------ type and metadata

  typeOf(id: number): number {
    return this.ents[id >>> CHUNK_SHIFT][((id & CHUNK_MASK) << E_SHIFT) + E_META] & M_TYPE;
  }

  isRaw(id: number): boolean {
    return (this.ents[id >>> CHUNK_SHIFT][((id & CHUNK_MASK) << E_SHIFT) + E_META] & M_RAW) !== 0;
  }

  /** Every value write clears RAW; set it afterwards if the encoding should read "raw". */
  setRaw(id: number, raw: boolean): void {
    const c = this.ents[id >>> CHUNK_SHIFT];
    const b = ((id & CHUNK_MASK) << E_SHIFT) + E_META;
    c[b] = raw ? c[b] | M_RAW : c[b] & ~M_RAW;
  }

  /** True for strings written without Redis's int encoding attempt (INCRBYFLOAT results). */
  isNoInt(id: number): boolean {
    return (this.ents[id >>> CHUNK_SHIFT][((id & CHUNK_MASK) << E_SHIFT) + E_META] & M_NOINT) !== 0;
  }

  /** Like setRaw, cleared by every value write. */
  setNoInt(id: number, on: boolean): void {
    const c = this.ents[id >>> CHUNK_SHIFT];
    const b = ((id & CHUNK_MASK) << E_SHIFT) + E_META;
    c[b] = on ? c[b] | M_NOINT : c[b] & ~M_NOINT;
  }

  /** LRU clock or LFU word of the key (caller-defined 32-bit value). */
  lru(id: number): number {
    return this.ents[id >>> CHUNK_SHIFT][((id & CHUNK_MASK) << E_SHIFT) + E_LRU] >>> 0;
  }

  setLru(id: number, v: number): void {
    this.ents[id >>> CHUNK_SHIFT][((id & CHUNK_MASK) << E_SHIFT) + E_LRU] = v;
  }

  /**
   * Announces an in-place change to the value of `id` (see the header): a running snapshot
   * serializes the entry first. lookupWrite does this for its callers.
   */
  willModify(id: number): void {
    if (this.guard !== null) this.guard.beforeChange(this, id);
  }

  // ------------------------------------------------------------ strings

  /** String value (view; see lifetime rules). Only for TYPE_STRING entries. */
  getString(id: number): Buffer {
    const c = this.ents[id >>> CHUNK_SHIFT];
    const b = (id & CHUNK_MASK) << E_SHIFT;
    const meta = c[b + E_META];
    if ((meta & M_INLINE) !== 0) {
      const vlen = meta >>> VLEN_SHIFT;
      if (vlen === 0) return EMPTY;
      const off = c[b + E_OFF] + c[b + E_KLEN];
      return viewAt(this.slab.pageBuffers[c[b + E_PAGE]]!, off, vlen);
    }
    return this.getObj(id) as Buffer;
  }

  /** Writes the string value as a bulk reply straight from storage (no intermediate view). */
  replyString(id: number, w: { bulkSlice(b: Buffer, start: number, end: number): void }): void {
    const c = this.ents[id >>> CHUNK_SHIFT];
    const b = (id & CHUNK_MASK) << E_SHIFT;
    const meta = c[b + E_META];
    if ((meta & M_INLINE) !== 0) {
      const off = c[b + E_OFF] + c[b + E_KLEN];
      w.bulkSlice(this.slab.pages[c[b + E_PAGE]]!, off, off + (meta >>> VLEN_SHIFT));
      return;
    }
    const v = this.getObj(id) as Buffer;
    w.bulkSlice(v, 0, v.length);
  }

  stringLength(id: number): number {
    const meta = this.ents[id >>> CHUNK_SHIFT][((id & CHUNK_MASK) << E_SHIFT) + E_META];
    if ((meta & M_INLINE) !== 0) return meta >>> VLEN_SHIFT;
    return (this.getObj(id) as Buffer).length;
  }

  /**
   * SET: insert or overwrite `key` with a copy of `value`. Overwriting any
   * type frees the old value. The TTL is dropped unless keepTtl. Returns the id.
   */
  setString(key: Buffer, value: Buffer, keepTtl = false): number {
    if (this.rehashIdx >= 0) this.rehashSome(1);
    const klen = key.length;
    const h = hashBytes(key, 0, klen);
    let id = this.lookup(key, klen, h);
    if (id < 0) {
      id = this.newEntry(h, klen);
      this.initEntry(id, key, klen);
      this.writeString(id, key, value);
      if (this.onNewKey !== null) this.onNewKey(this.index, key);
    } else {
      if (this.guard !== null) this.guard.beforeChange(this, id);
      if (!keepTtl) this.removeExpire(id);
      this.writeString(id, null, value);
    }
    return id;
  }

  /** Replace the value of an existing key with a copy of `value`, keeping TTL and LRU. */
  setStringById(id: number, value: Buffer): void {
    if (this.guard !== null) this.guard.beforeChange(this, id);
    this.writeString(id, null, value);
  }

  // ------------------------------------------------------------ objects

  /**
   * The value of a non-inline string or of a collection. A packed collection is unpacked into a
   * JS object that stays the entry's value until the next settle() (end of the event-loop
   * turn), so a caller may mutate it in place like any other JS value; settle() packs it again
   * (or keeps it as a JS object if it outgrew its packed form). Every collection value handed
   * out is re-measured by settle() for the memory accounting.
   */
  getObject<T>(id: number): T {
    const c = this.ents[id >>> CHUNK_SHIFT];
    const b = (id & CHUNK_MASK) << E_SHIFT;
    const meta = c[b + E_META];
    const type = meta & M_TYPE;
    if (type === TYPE_STRING) return this.getObj(id) as T;
    let obj = this.getObj(id);
    if (obj === undefined && (meta & M_INLINE) !== 0) {
      obj = codecs[type]!.unpack(this.packedView(c, b, meta));
      this.putObj(id, obj, sizeOfObject(type, obj));
    }
    if ((meta & M_PENDING) === 0) this.markPending(id, c, b);
    return obj as T;
  }

  /**
   * Read-only access to a value: like getObject, but a packed value is unpacked into a
   * throw-away object that the Db does not keep (for iterating many keys, e.g. digests and
   * snapshots, without unpacking them all at once). Mutating the result changes nothing.
   */
  peekObject<T>(id: number): T {
    const obj = this.getObj(id);
    if (obj !== undefined) return obj as T;
    const c = this.ents[id >>> CHUNK_SHIFT];
    const b = (id & CHUNK_MASK) << E_SHIFT;
    const meta = c[b + E_META];
    if ((meta & M_INLINE) === 0 || (meta & M_TYPE) === TYPE_STRING) return obj as T;
    return codecs[meta & M_TYPE]!.unpack(this.packedView(c, b, meta)) as T;
  }

  /** True when the entry's collection value is stored packed in the slab (and not unpacked). */
  isPacked(id: number): boolean {
    const meta = this.ents[id >>> CHUNK_SHIFT][((id & CHUNK_MASK) << E_SHIFT) + E_META];
    return (meta & M_INLINE) !== 0 && (meta & M_TYPE) !== TYPE_STRING && this.getObj(id) === undefined;
  }

  /**
   * Packs (or re-measures) every collection value handed out or stored since the last call.
   * Runs by itself at the end of each event-loop turn (setImmediate); callers that need the
   * settled state at once (tests, memory reports) may call it, but never while a caller still
   * holds a value from getObject that it will mutate.
   */
  settle(): void {
    const list = this.pending;
    if (list.length === 0) return;
    this.pending = [];
    for (let i = 0; i < list.length; i++) {
      const id = list[i]!;
      if (id >= this.hw) continue;
      const c = this.ents[id >>> CHUNK_SHIFT];
      const b = (id & CHUNK_MASK) << E_SHIFT;
      const meta = c[b + E_META];
      // Stale ids (deleted, overwritten, or already settled) no longer carry the flag.
      if ((meta & (M_LIVE | M_PENDING)) !== (M_LIVE | M_PENDING)) continue;
      c[b + E_META] = meta & ~M_PENDING;
      const obj = this.getObj(id);
      if (obj === undefined) continue;
      const type = meta & M_TYPE;
      const codec = codecs[type];
      const klen = c[b + E_KLEN];
      const prev = (meta & M_INLINE) !== 0 ? this.packedView(c, b, meta) : null;
      const bytes = codec === undefined || klen > MAX_CHUNK ? null : codec.pack(obj as object, prev);
      if (bytes !== null && klen + bytes.length <= MAX_CHUNK) {
        if (bytes !== prev && (prev === null || !prev.equals(bytes))) this.writePacked(id, null, type, bytes);
        this.dropValue(id, type);
      } else {
        if ((meta & M_INLINE) !== 0) this.unpackRecord(c, b, klen, meta);
        const j = id & OBJ_MASK;
        const sizes = this.objSize[id >>> OBJ_SHIFT]!;
        const n = sizeOfObject(type, obj);
        this.objectBytes += n - sizes[j]!;
        sizes[j] = n;
      }
    }
  }

  /**
   * Insert or overwrite `key` with a non-inline value. `obj` is adopted, not
   * copied. TYPE_STRING with a Buffer stores that Buffer as the string (useful
   * to hand over a large value without a second copy).
   */
  setObject(key: Buffer, type: number, obj: object, keepTtl = false): number {
    if (this.rehashIdx >= 0) this.rehashSome(1);
    const klen = key.length;
    const h = hashBytes(key, 0, klen);
    let id = this.lookup(key, klen, h);
    if (id < 0) {
      id = this.newEntry(h, klen);
      this.initEntry(id, key, klen);
      this.writeObject(id, key, type, obj);
      if (this.onNewKey !== null) this.onNewKey(this.index, key);
    } else {
      if (this.guard !== null) this.guard.beforeChange(this, id);
      if (!keepTtl) this.removeExpire(id);
      this.writeObject(id, null, type, obj);
    }
    return id;
  }

  /** Swap the value of an existing key, keeping key, TTL and LRU. */
  replaceObject(id: number, type: number, obj: object): void {
    if (this.guard !== null) this.guard.beforeChange(this, id);
    this.writeObject(id, null, type, obj);
  }

  /**
   * Insert or overwrite `key` with a collection given as packed bytes (copied), the form its
   * type's codec unpacks. For loaders that have the packed form at hand.
   */
  setPacked(key: Buffer, type: number, bytes: Buffer, keepTtl = false): number {
    const codec = codecs[type];
    if (codec === undefined) throw new RangeError(`type ${type} has no packed form`);
    if (key.length + bytes.length > MAX_CHUNK) return this.setObject(key, type, codec.unpack(bytes), keepTtl);
    if (this.rehashIdx >= 0) this.rehashSome(1);
    const klen = key.length;
    const h = hashBytes(key, 0, klen);
    let id = this.lookup(key, klen, h);
    if (id < 0) {
      id = this.newEntry(h, klen);
      this.initEntry(id, key, klen);
      this.writePacked(id, key, type, bytes);
    } else {
      if (this.guard !== null) this.guard.beforeChange(this, id);
      if (!keepTtl) this.removeExpire(id);
      this.dropValue(id, this.typeOf(id));
      this.writePacked(id, null, type, bytes);
    }
    return id;
  }

  // ------------------------------------------------------------ delete

  deleteId(id: number): void {
    if (this.guard !== null) this.guard.beforeChange(this, id);
    const c = this.ents[id >>> CHUNK_SHIFT];
    const b = (id & CHUNK_MASK) << E_SHIFT;
    const meta = c[b + E_META];
    const klen = c[b + E_KLEN];
    this.unlink(id);
    if (c[b + E_VPOS] !== 0) this.removeExpire(id);
    const rs = recordSize(klen, meta);
    if (rs !== 0) {
      this.slab.free(c[b + E_PAGE] * PAGE_SIZE + c[b + E_OFF], rs);
      this.recordBytes -= chunkSize(rs);
    }
    this.dropValue(id, meta);
    if (klen > MAX_CHUNK) this.bigKeyBytes -= klen;
    this.releaseId(id);
  }

  delete(key: Buffer): boolean {
    const id = this.find(key);
    if (id < 0) return false;
    this.deleteId(id);
    return true;
  }

  /** FLUSHDB: free every record and drop all state. O(n). */
  clear(): void {
    // A running snapshot still needs the old contents: it takes them over (O(1)) and frees them
    // once it has serialized them.
    if (this.guard !== null && this.guard.beforeClear(this)) return;
    if (this.onLazyClear !== null && this.guard === null && this.count > LAZY_CLEAR_MIN) {
      this.onLazyClear(this.detachContents());
      return;
    }
    this.freeRecordsFrom(0, Infinity);
  }

  /**
   * Returns the slab records of ids [from, highest id) to the slab until `deadline`
   * (performance.now() clock). Returns the id to continue from, or -1 when all are freed and
   * the contents dropped (the db is then empty).
   */
  freeRecordsFrom(from: number, deadline: number): number {
    const slab = this.slab;
    const hw = this.hw;
    let id = from;
    while (id < hw) {
      const stop = Math.min(hw, id + FREE_BATCH);
      for (; id < stop; id++) {
        const c = this.ents[id >>> CHUNK_SHIFT];
        const b = (id & CHUNK_MASK) << E_SHIFT;
        const meta = c[b + E_META];
        if ((meta & M_LIVE) === 0) continue;
        const rs = recordSize(c[b + E_KLEN], meta);
        if (rs !== 0) slab.free(c[b + E_PAGE] * PAGE_SIZE + c[b + E_OFF], rs);
      }
      if (id < hw && performance.now() >= deadline) return id;
    }
    this.dropAll();
    return -1;
  }

  /**
   * Forget everything without returning records to the slab. Only for
   * Keyspace.flushAll(), which resets the whole slab right after.
   */
  dropAll(): void {
    this.resetTable();
    this.vIds = [new Int32Array(FIRST_V)];
    this.vAt = [new Float64Array(FIRST_V)];
    this.vCap = FIRST_V;
    this.vCount = 0;
    this.objs = [];
    this.objSize = [];
    this.objChunkUsed = [];
    this.objChunks = 0;
    this.pending = [];
    this.recordBytes = 0;
    this.bigStringBytes = 0;
    this.bigKeyBytes = 0;
    this.objectCount = 0;
    this.objectBytes = 0;
  }

  // ------------------------------------------------------------ move / rename / swap

  /**
   * MOVE: transfer entry `id` to `other` (same Keyspace) with its TTL and LRU,
   * without copying key or value bytes. Returns the new id in `other`, or -1
   * (nothing changed) if `other` already has the key.
   */
  moveTo(other: Db, id: number): number {
    if (other === this) throw new Error('moveTo: same db');
    if (other.slab !== this.slab) throw new Error('moveTo: dbs do not share a slab');
    if (this.guard !== null) this.guard.beforeChange(this, id);
    const c = this.ents[id >>> CHUNK_SHIFT];
    const b = (id & CHUNK_MASK) << E_SHIFT;
    const klen = c[b + E_KLEN];
    const meta = c[b + E_META];
    const h = c[b + E_HASH];
    const key = this.keyView(id);
    if (other.rehashIdx >= 0) other.rehashSome(1);
    if (other.lookup(key, klen, h) >= 0) return -1;
    const nid = other.newEntry(h, klen);
    const nc = other.ents[nid >>> CHUNK_SHIFT];
    const nb = (nid & CHUNK_MASK) << E_SHIFT;
    nc[nb + E_PAGE] = c[b + E_PAGE];
    nc[nb + E_OFF] = c[b + E_OFF];
    nc[nb + E_META] = meta;
    nc[nb + E_LRU] = c[b + E_LRU];
    const rb = chunkSize(recordSize(klen, meta));
    this.recordBytes -= rb;
    other.recordBytes += rb;
    if (klen > MAX_CHUNK) {
      if (other.bigKeys === null) other.bigKeys = new Map();
      other.bigKeys.set(nid, this.bigKeys!.get(id)!);
      this.bigKeyBytes -= klen;
      other.bigKeyBytes += klen;
    }
    const obj = this.getObj(id);
    if (obj !== undefined) {
      if ((meta & M_TYPE) === TYPE_STRING) {
        const n = (obj as Buffer).length;
        this.bigStringBytes -= n;
        other.bigStringBytes += n;
        this.setObj(id, undefined);
        other.setObj(nid, obj);
      } else {
        const size = this.objSize[id >>> OBJ_SHIFT]![id & OBJ_MASK]!;
        this.dropValue(id, meta);
        other.putObj(nid, obj, size);
        if ((meta & M_PENDING) !== 0) {
          other.pending.push(nid);
          other.schedule();
        }
      }
    }
    const at = this.expireAt(id);
    if (at >= 0) {
      other.setExpireAt(nid, at);
      this.removeExpire(id);
    }
    this.unlink(id);
    this.releaseId(id);
    // `key` views the record, which now belongs to `other`.
    if (other.onNewKey !== null) other.onNewKey(other.index, key);
    return nid;
  }

  /**
   * RENAME: give entry `id` the name `newKey`, keeping value, TTL, LRU and
   * RAW. An existing `newKey` (other than id itself) is deleted first. Large
   * values are handed over, not copied. Returns the entry's new id.
   */
  rename(id: number, newKey: Buffer): number {
    const klen = newKey.length;
    const h = hashBytes(newKey, 0, klen);
    const existing = this.lookup(newKey, klen, h);
    if (existing === id) return id;
    // The value is handed over below (dropValue) before deleteId runs: serialize it first.
    if (this.guard !== null) this.guard.beforeChange(this, id);
    const c = this.ents[id >>> CHUNK_SHIFT];
    const b = (id & CHUNK_MASK) << E_SHIFT;
    const meta = c[b + E_META];
    const lru = c[b + E_LRU];
    const at = this.expireAt(id);
    const nid = this.newEntry(h, klen);
    this.initEntry(nid, newKey, klen);
    const obj = this.getObj(id) as object | undefined;
    // Old record is still allocated, so its views stay intact while copying.
    if (obj !== undefined) {
      this.dropValue(id, meta);
      this.writeObject(nid, newKey, meta & M_TYPE, obj);
    } else if ((meta & M_TYPE) === TYPE_STRING) {
      this.writeString(nid, newKey, this.getString(id));
    } else {
      this.writePacked(nid, newKey, meta & M_TYPE, this.packedView(c, b, meta));
    }
    const nc = this.ents[nid >>> CHUNK_SHIFT];
    const nb = (nid & CHUNK_MASK) << E_SHIFT;
    nc[nb + E_LRU] = lru;
    nc[nb + E_META] |= meta & (M_RAW | M_NOINT);
    if (at >= 0) this.setExpireAt(nid, at);
    if (this.onNewKey !== null) this.onNewKey(this.index, newKey);
    // Delete only now: newKey may be a view into the replaced entry's record,
    // which must stay intact until the new record holds its own copy. The
    // duplicate key is linked for a moment; deleteId unlinks by id, not key.
    if (existing >= 0) this.deleteId(existing);
    this.deleteId(id);
    return nid;
  }

  /**
   * SWAPDB: exchange the whole contents with `other` in O(1). Each Db keeps
   * its index (and slab); every other field moves, so a field added later is
   * swapped automatically unless listed in SWAP_KEEP.
   */
  swap(other: Db): void {
    if (other === this) return;
    if (other.slab !== this.slab) throw new Error('swap: dbs do not share a slab');
    const a = this as unknown as Record<string, unknown>;
    const o = other as unknown as Record<string, unknown>;
    for (const k of Object.keys(a)) {
      if (SWAP_KEEP.has(k)) continue;
      const t = a[k];
      a[k] = o[k];
      o[k] = t;
    }
    if (this.pending.length !== 0) this.schedule();
    if (other.pending.length !== 0) other.schedule();
  }

  /** The cron's rehash/compaction step; settles first, as compaction renumbers ids. */
  override rehashStep(maxMs: number): boolean {
    this.settle();
    this.releaseObjChunks();
    return super.rehashStep(maxMs);
  }

  /**
   * Moves the whole contents (with their guard) into a new Db object that is not part of the
   * Keyspace and leaves this one empty, in O(1). Used by a snapshot to keep a flushed db's
   * point-in-time contents until it has serialized them; the caller frees them with clear().
   */
  detachContents(): Db {
    const holder = new Db(this.slab, this.index);
    this.swap(holder);
    // Freeing the holder later (holder.clear()) goes through the lazy free too.
    holder.onLazyClear = this.onLazyClear;
    return holder;
  }

  // ------------------------------------------------------------ memory

  /**
   * Estimated bytes owned by this Db: exact for typed arrays, slab chunks
   * (class sizes, excluding shared page slack) and long strings/keys; an
   * average per non-string value (whose size only its type module knows).
   */
  bytesUsed(): number {
    return this.ownBytes() + this.recordBytes;
  }

  /** bytesUsed() minus the slab share (Keyspace adds whole slab pages instead). */
  ownBytes(): number {
    return (
      this.tableBytes() +
      this.vCap * 12 +
      this.objs.length * 8 +
      this.objChunks * OBJ_CHUNK * 16 +
      this.bigStringBytes +
      this.bigKeyBytes +
      this.objectBytes
    );
  }

  /** MEMORY USAGE estimate for one key. */
  entryMemory(id: number): number {
    const c = this.ents[id >>> CHUNK_SHIFT];
    const b = (id & CHUNK_MASK) << E_SHIFT;
    const meta = c[b + E_META];
    const klen = c[b + E_KLEN];
    const buckets = this.t0.length + (this.t1 === null ? 0 : this.t1.length);
    let n = (4 << E_SHIFT) + Math.round((buckets * 4) / Math.max(1, this.count));
    n += chunkSize(recordSize(klen, meta));
    if (c[b + E_VPOS] !== 0) n += 12;
    if (klen > MAX_CHUNK) n += klen + BUFFER_OVERHEAD;
    // A packed value is all in its record (an unpacked copy of it is transient).
    if ((meta & M_INLINE) === 0) {
      const obj = this.getObj(id);
      n += (meta & M_TYPE) === TYPE_STRING ? (obj as Buffer).length + BUFFER_OVERHEAD : sizeOfObject(meta & M_TYPE, obj);
    }
    return n;
  }

  /**
   * Full consistency check (O(n), tests/DEBUG only): hash table, free list,
   * volatile set back-pointers and the incremental memory counters.
   */
  verify(): void {
    this.verifyTable();
    for (let p = 0; p < this.vCount; p++) {
      const id = this.volatileAt(p);
      if (!this.isLive(id)) throw new Error(`volatile ${p} -> dead id ${id}`);
      if (this.ents[id >>> CHUNK_SHIFT][((id & CHUNK_MASK) << E_SHIFT) + E_VPOS] !== p + 1) throw new Error(`vpos of ${id} wrong`);
    }
    let vols = 0;
    let rec = 0;
    let bigStr = 0;
    let objects = 0;
    let objBytes = 0;
    let bigKey = 0;
    this.forEach((id) => {
      const c = this.ents[id >>> CHUNK_SHIFT];
      const b = (id & CHUNK_MASK) << E_SHIFT;
      const meta = c[b + E_META];
      const klen = c[b + E_KLEN];
      if (c[b + E_VPOS] !== 0) vols++;
      rec += chunkSize(recordSize(klen, meta));
      if (klen > MAX_CHUNK) bigKey += klen;
      const obj = this.getObj(id);
      const type = meta & M_TYPE;
      if ((meta & M_INLINE) !== 0) {
        if (type === TYPE_STRING) {
          if (obj !== undefined) throw new Error(`inline string ${id} has an object`);
        } else {
          if (codecs[type] === undefined) throw new Error(`packed ${id} of a type without codec`);
          // An unpacked copy is only allowed until the next settle().
          if (obj !== undefined && (meta & M_PENDING) === 0) throw new Error(`packed ${id} has an unsettled object`);
        }
      } else if (obj === undefined) {
        throw new Error(`id ${id} lacks its value`);
      } else if (type === TYPE_STRING) {
        bigStr += (obj as Buffer).length;
      }
      if (obj !== undefined && type !== TYPE_STRING) {
        objects++;
        objBytes += this.objSize[id >>> OBJ_SHIFT]![id & OBJ_MASK]!;
      }
    });
    let used = 0;
    let chunks = 0;
    for (let i = 0; i < this.objs.length; i++) {
      const ch = this.objs[i];
      if (ch === undefined) continue;
      chunks++;
      let k = 0;
      for (let j = 0; j < OBJ_CHUNK; j++) if (ch[j] !== undefined) k++;
      if (k !== this.objChunkUsed[i]) throw new Error(`object chunk ${i} holds ${k}, counted ${this.objChunkUsed[i]}`);
      used += k;
    }
    if (chunks !== this.objChunks) throw new Error(`objChunks ${this.objChunks} != ${chunks}`);
    if (objBytes !== this.objectBytes) throw new Error(`objectBytes ${this.objectBytes} != ${objBytes}`);
    void used;
    if (vols !== this.vCount) throw new Error(`volatile count ${this.vCount} != ${vols}`);
    if (rec !== this.recordBytes) throw new Error(`recordBytes ${this.recordBytes} != ${rec}`);
    if (bigStr !== this.bigStringBytes) throw new Error(`bigStringBytes ${this.bigStringBytes} != ${bigStr}`);
    if (objects !== this.objectCount) throw new Error(`objectCount ${this.objectCount} != ${objects}`);
    if (bigKey !== this.bigKeyBytes) throw new Error(`bigKeyBytes ${this.bigKeyBytes} != ${bigKey}`);
  }

  // ------------------------------------------------------------ internals

  protected override onRelocate(from: number, to: number): void {
    const obj = this.getObj(from);
    if (obj !== undefined) {
      const size = this.objSize[from >>> OBJ_SHIFT]![from & OBJ_MASK]!;
      this.setObj(from, undefined);
      this.setObj(to, obj);
      this.objSize[to >>> OBJ_SHIFT]![to & OBJ_MASK] = size;
    }
    const meta = this.ents[to >>> CHUNK_SHIFT][((to & CHUNK_MASK) << E_SHIFT) + E_META];
    if ((meta & M_PENDING) !== 0) {
      this.pending.push(to);
      this.schedule();
    }
    const pos = this.ents[to >>> CHUNK_SHIFT][((to & CHUNK_MASK) << E_SHIFT) + E_VPOS];
    if (pos !== 0) {
      const p = pos - 1;
      this.vIds[p >>> CHUNK_SHIFT][p & CHUNK_MASK] = to;
    }
  }

  protected override onTrim(chunks: number): void {
    // Ids above the trimmed range no longer exist, so neither do their objects (chunks there
    // are empty, kept only until releaseObjChunks).
    const keep = (chunks * CHUNK_SIZE) >>> OBJ_SHIFT;
    if (this.objs.length > keep) {
      for (let k = keep; k < this.objs.length; k++) if (this.objs[k] !== undefined) this.objChunks--;
      this.objs.length = keep;
      this.objSize.length = keep;
      this.objChunkUsed.length = keep;
    }
  }

  /** Fresh entry: LRU stamp and, for huge keys, the out-of-slab key copy. */
  private initEntry(id: number, key: Buffer, klen: number): void {
    this.ents[id >>> CHUNK_SHIFT][((id & CHUNK_MASK) << E_SHIFT) + E_LRU] = this.lruInit;
    if (klen > MAX_CHUNK) {
      if (this.bigKeys === null) this.bigKeys = new Map();
      const k = Buffer.allocUnsafeSlow(klen);
      copyBytes(key, 0, k, 0, klen);
      this.bigKeys.set(id, k);
      this.bigKeyBytes += klen;
    }
  }

  /**
   * Make the entry's record hold `newSize` bytes, reusing the chunk when the
   * size class is unchanged. The key bytes end up at the record start, copied
   * from keySrc (new entry) or from the old record. Returns the old chunk's
   * address if it must be freed - the caller frees it only after copying the
   * value, because the value may be a view into that very chunk.
   */
  private resizeRecord(c: Int32Array, b: number, keySrc: Buffer | null, klen: number, oldSize: number, newSize: number): number {
    const slab = this.slab;
    if (oldSize !== 0 && newSize !== 0 && slab.sameClass(oldSize, newSize)) return -1;
    const oldPage = c[b + E_PAGE];
    const oldOff = c[b + E_OFF];
    if (newSize !== 0) {
      const addr = slab.alloc(newSize);
      const page = (addr / PAGE_SIZE) | 0;
      const off = addr - page * PAGE_SIZE;
      if (klen > 0 && klen <= MAX_CHUNK) {
        if (keySrc !== null) copyBytes(keySrc, 0, slab.pages[page], off, klen);
        else copyBytes(slab.pages[oldPage], oldOff, slab.pages[page], off, klen);
      }
      c[b + E_PAGE] = page;
      c[b + E_OFF] = off;
    } else {
      c[b + E_PAGE] = 0;
      c[b + E_OFF] = 0;
    }
    this.recordBytes += chunkSize(newSize) - chunkSize(oldSize);
    return oldSize !== 0 ? oldPage * PAGE_SIZE + oldOff : -1;
  }

  /**
   * Store a copy of `value` as the string value of entry id. keySrc is the
   * key for a brand-new entry (no record yet), null for an existing one.
   */
  private writeString(id: number, keySrc: Buffer | null, value: Buffer): void {
    const c = this.ents[id >>> CHUNK_SHIFT];
    const b = (id & CHUNK_MASK) << E_SHIFT;
    const klen = c[b + E_KLEN];
    const meta = c[b + E_META];
    const vlen = value.length;
    const inline = klen + vlen <= MAX_CHUNK;
    const oldSize = keySrc === null ? recordSize(klen, meta) : 0;
    const newSize = inline ? klen + vlen : klen <= MAX_CHUNK ? klen : 0;
    const freeAddr = this.resizeRecord(c, b, keySrc, klen, oldSize, newSize);
    if (keySrc === null) this.dropValue(id, meta);
    if (inline) {
      if (vlen !== 0) copyBytes(value, 0, this.slab.pages[c[b + E_PAGE]], c[b + E_OFF] + klen, vlen);
      c[b + E_META] = M_LIVE | TYPE_STRING | M_INLINE | (vlen << VLEN_SHIFT);
    } else {
      const buf = Buffer.allocUnsafeSlow(vlen);
      copyBytes(value, 0, buf, 0, vlen);
      this.setObj(id, buf);
      this.bigStringBytes += vlen;
      c[b + E_META] = M_LIVE | TYPE_STRING;
    }
    if (freeAddr >= 0) this.slab.free(freeAddr, oldSize);
  }

  /** Store `obj` (adopted) as the value of entry id; see writeString for keySrc. */
  private writeObject(id: number, keySrc: Buffer | null, type: number, obj: object): void {
    if ((type & ~M_TYPE) !== 0 || type > TYPE_STREAM) throw new RangeError(`bad value type ${type}`);
    if (type === TYPE_STRING && !Buffer.isBuffer(obj)) throw new TypeError('string value must be a Buffer');
    const c = this.ents[id >>> CHUNK_SHIFT];
    const b = (id & CHUNK_MASK) << E_SHIFT;
    const klen = c[b + E_KLEN];
    const meta = c[b + E_META];
    const oldSize = keySrc === null ? recordSize(klen, meta) : 0;
    const newSize = klen <= MAX_CHUNK ? klen : 0;
    const freeAddr = this.resizeRecord(c, b, keySrc, klen, oldSize, newSize);
    if (freeAddr >= 0) this.slab.free(freeAddr, oldSize);
    if (keySrc === null) this.dropValue(id, meta);
    c[b + E_META] = M_LIVE | type;
    if (type === TYPE_STRING) {
      this.setObj(id, obj);
      this.bigStringBytes += (obj as Buffer).length;
    } else {
      // Measured now for the accounting; settle() packs it if small, or measures it again.
      this.putObj(id, obj, sizeOfObject(type, obj));
      this.markPending(id, c, b);
    }
  }

  /**
   * Store `bytes` (copied) as the packed collection value of entry id; see writeString for
   * keySrc. The caller has dropped any JS value of the entry (or is about to: settle()).
   */
  private writePacked(id: number, keySrc: Buffer | null, type: number, bytes: Buffer): void {
    const c = this.ents[id >>> CHUNK_SHIFT];
    const b = (id & CHUNK_MASK) << E_SHIFT;
    const klen = c[b + E_KLEN];
    const meta = c[b + E_META];
    const vlen = bytes.length;
    const oldSize = keySrc === null ? recordSize(klen, meta) : 0;
    const freeAddr = this.resizeRecord(c, b, keySrc, klen, oldSize, klen + vlen);
    if (vlen !== 0) copyBytes(bytes, 0, this.slab.pages[c[b + E_PAGE]], c[b + E_OFF] + klen, vlen);
    if (freeAddr >= 0) this.slab.free(freeAddr, oldSize);
    c[b + E_META] = M_LIVE | type | M_INLINE | (vlen << VLEN_SHIFT);
  }

  /** Shrinks a packed entry's record back to the key alone (its value now lives in objs). */
  private unpackRecord(c: Int32Array, b: number, klen: number, meta: number): void {
    const oldSize = recordSize(klen, meta);
    const freeAddr = this.resizeRecord(c, b, null, klen, oldSize, klen <= MAX_CHUNK ? klen : 0);
    if (freeAddr >= 0) this.slab.free(freeAddr, oldSize);
    c[b + E_META] = c[b + E_META] & 0xff & ~M_INLINE;
  }

  /** View of a packed entry's bytes (valid until the next write, like getString's). */
  private packedView(c: Int32Array, b: number, meta: number): Buffer {
    const vlen = meta >>> VLEN_SHIFT;
    if (vlen === 0) return EMPTY;
    return viewAt(this.slab.pageBuffers[c[b + E_PAGE]]!, c[b + E_OFF] + c[b + E_KLEN], vlen);
  }

  private markPending(id: number, c: Int32Array, b: number): void {
    c[b + E_META] |= M_PENDING;
    this.pending.push(id);
    this.schedule();
  }

  private schedule(): void {
    if (this.settleQueued) return;
    this.settleQueued = true;
    setImmediate(this.settleNow);
  }

  /** Forget the JS value of id, if any (meta gives its type), and its accounting. */
  private dropValue(id: number, meta: number): void {
    const obj = this.getObj(id);
    if (obj === undefined) return;
    if ((meta & M_TYPE) === TYPE_STRING) this.bigStringBytes -= (obj as Buffer).length;
    else {
      this.objectCount--;
      this.objectBytes -= this.objSize[id >>> OBJ_SHIFT]![id & OBJ_MASK]!;
    }
    this.setObj(id, undefined);
  }

  /** Store a collection's JS value with its measured size. */
  private putObj(id: number, obj: unknown, size: number): void {
    this.setObj(id, obj);
    this.objSize[id >>> OBJ_SHIFT]![id & OBJ_MASK] = size;
    this.objectCount++;
    this.objectBytes += size;
  }

  private getObj(id: number): unknown {
    const ch = this.objs[id >>> OBJ_SHIFT];
    return ch === undefined ? undefined : ch[id & OBJ_MASK];
  }

  /** Sets or clears (undefined) the JS value of id; a chunk lives while it holds a value. */
  private setObj(id: number, v: unknown): void {
    const k = id >>> OBJ_SHIFT;
    let ch = this.objs[k];
    if (ch === undefined) {
      if (v === undefined) return;
      while (this.objs.length < k) {
        this.objs.push(undefined);
        this.objSize.push(undefined);
        this.objChunkUsed.push(0);
      }
      ch = new Array<unknown>(OBJ_CHUNK).fill(undefined);
      this.objs[k] = ch;
      this.objSize[k] = new Float64Array(OBJ_CHUNK);
      this.objChunkUsed[k] = 0;
      this.objChunks++;
    }
    const j = id & OBJ_MASK;
    const had = ch[j] !== undefined;
    ch[j] = v;
    if (v === undefined) {
      // An emptied chunk stays until the cron (releaseObjChunks): a packed value unpacked by
      // every command would otherwise drop and re-create its chunk each time.
      if (had) this.objChunkUsed[k]!--;
    } else if (!had) this.objChunkUsed[k]!++;
  }

  /** Drops the value chunks that hold nothing (cron). */
  private releaseObjChunks(): void {
    if (this.objChunks === 0) return;
    const objs = this.objs;
    for (let k = 0; k < objs.length; k++) {
      if (objs[k] !== undefined && this.objChunkUsed[k] === 0) {
        objs[k] = undefined;
        this.objSize[k] = undefined;
        this.objChunks--;
      }
    }
    // Trailing empty slots go too, so the outer arrays stay as short as the live ids.
    let n = objs.length;
    while (n > 0 && objs[n - 1] === undefined) n--;
    objs.length = n;
    this.objSize.length = n;
    this.objChunkUsed.length = n;
  }
}

/** Time the lazy free takes per event-loop turn. */
const LAZY_SLICE_MS = 2;

/** All logical databases, sharing one slab. */
export class Keyspace {
  readonly slab: SlabAllocator;
  readonly dbs: Db[];
  private cronNext = 0;

  constructor(dbCount = 16, slab: SlabAllocator = new SlabAllocator()) {
    if (!Number.isInteger(dbCount) || dbCount < 1) throw new RangeError('dbCount must be >= 1');
    this.slab = slab;
    this.dbs = [];
    for (let i = 0; i < dbCount; i++) {
      const db = new Db(slab, i);
      db.onLazyClear = this.queueLazyFree;
      this.dbs.push(db);
    }
  }

  // ------------------------------------------------------------ lazy free

  /**
   * Contents of big dbs emptied by FLUSHDB/FLUSHALL, whose slab records are freed a few
   * milliseconds per event-loop turn (Redis's lazyfree thread, on the one thread we have).
   * Their memory stays counted in used_memory until freed, as in Redis.
   */
  private readonly lazy: Db[] = [];
  /** Next id to free in lazy[0]. */
  private lazyNext = 0;
  private lazyScheduled = false;
  /** Entries freed in the background so far (INFO lazyfreed_objects). */
  lazyFreed = 0;

  private readonly queueLazyFree = (holder: Db): void => {
    this.lazy.push(holder);
    if (!this.lazyScheduled) {
      this.lazyScheduled = true;
      setImmediate(this.lazyTick);
    }
  };

  private readonly lazyTick = (): void => {
    this.lazyScheduled = false;
    this.lazyFreeStep(performance.now() + LAZY_SLICE_MS);
    if (this.lazy.length !== 0) {
      this.lazyScheduled = true;
      setImmediate(this.lazyTick);
    }
  };

  /** Frees queued contents until `deadline`; true when some remain. */
  lazyFreeStep(deadline: number): boolean {
    while (this.lazy.length !== 0) {
      const holder = this.lazy[0]!;
      const n = holder.size;
      const next = holder.freeRecordsFrom(this.lazyNext, deadline);
      if (next >= 0) {
        this.lazyNext = next;
        return true;
      }
      this.lazy.shift();
      this.lazyNext = 0;
      this.lazyFreed += n;
    }
    return false;
  }

  /** Keys of flushed dbs not yet freed (INFO lazyfree_pending_objects). */
  get lazyFreePending(): number {
    let n = 0;
    for (const h of this.lazy) n += h.size;
    return n;
  }

  db(index: number): Db {
    return this.dbs[index];
  }

  /** SWAPDB a b (O(1)). */
  swapDb(a: number, b: number): void {
    this.dbs[a].swap(this.dbs[b]);
  }

  /**
   * Set by a running snapshot: records of flushed dbs it still has to serialize live on in the
   * shared slab, so FLUSHALL must free records one by one instead of resetting the slab.
   */
  snapshotActive = false;
  /**
   * Slab bytes of flushed contents a snapshot still holds (not in any db). Real memory, but like
   * the copy-on-write pages of Redis's fork child it is not counted against maxmemory.
   */
  detachedRecordBytes = 0;

  /** FLUSHALL: drops every key and hands all slab pages back to the GC. */
  flushAll(): void {
    if (this.snapshotActive) {
      for (const db of this.dbs) db.clear();
      return;
    }
    for (const db of this.dbs) db.dropAll();
    // Contents still queued for lazy free die with the slab too.
    for (const h of this.lazy) {
      this.lazyFreed += h.size;
      h.dropAll();
    }
    this.lazy.length = 0;
    this.lazyNext = 0;
    this.slab.reset();
  }

  keyCount(): number {
    let n = 0;
    for (const db of this.dbs) n += db.size;
    return n;
  }

  /** used_memory estimate of the whole keyspace, slab counted by whole pages. */
  bytesUsed(): number {
    let n = this.slab.bytesInPages;
    for (const db of this.dbs) n += db.ownBytes();
    for (const h of this.lazy) n += h.ownBytes();
    return n;
  }

  /** Db.settle() on every database. */
  settle(): void {
    for (const db of this.dbs) db.settle();
  }

  /** Stamp for the LRU word of newly created keys in every db. */
  setLruInit(v: number): void {
    for (const db of this.dbs) db.lruInit = v;
  }

  /**
   * Cron hook: incremental rehash/compaction across dbs within ~maxMs,
   * starting from a rotating db so none starves. True if work remains.
   */
  rehashStep(maxMs: number): boolean {
    const deadline = performance.now() + maxMs;
    const n = this.dbs.length;
    let pending = false;
    for (let i = 0; i < n; i++) {
      const db = this.dbs[(this.cronNext + i) % n];
      const left = deadline - performance.now();
      if (left <= 0) {
        pending = true;
        break;
      }
      if (db.rehashStep(left)) pending = true;
    }
    this.cronNext = (this.cronNext + 1) % n;
    return pending;
  }
}
