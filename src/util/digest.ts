/**
 * The primitives behind DEBUG DIGEST and DEBUG DIGEST-VALUE, reproducing the
 * 40-hex-digit values redis-server 7.0 prints for the same data set.
 *
 * Everything below was determined by black-box experiments against
 * redis-server 7.0.15 (test/unit/digest.test.ts holds the recorded vectors).
 *
 * ## The two operations on a 20-byte accumulator D
 *   xorIn(x): D ^= SHA1(x)                      (order-independent)
 *   mix(x):   D  = SHA1(D ^ SHA1(x))            (order-dependent)
 *
 * ## Per value (DEBUG DIGEST-VALUE key -> hex of V; a missing key gives 40 zeros)
 *   V = 20 zero bytes
 *   V.mix(type tag as a 4-byte big-endian integer): string 0, list 1, set 2,
 *     zset 3, hash 4, stream 6
 *   then, by type:
 *   - string: V.mix(value bytes). Integer-encoded strings use their decimal
 *     text (so the same as the bytes a client reads).
 *   - list:   V.mix(element) for each element, head to tail.
 *   - set:    V.xorIn(member) for each member (order-independent); intset
 *     members as decimal text.
 *   - hash:   for each field/value pair: E = zeros; E.mix(field);
 *     E.mix(value); V.xorIn(E)  -- i.e. V ^= SHA1(E), E is 20 raw bytes.
 *   - zset:   for each member/score: E = zeros; E.mix(member);
 *     E.mix(printf("%.17g", score)) (numbers.formatDouble: "1", "2.5",
 *     "0.10000000000000001", "inf", "-inf"); V.xorIn(E).
 *     Caveat: a listpack-encoded zset stores -0 as 0 (ZSCORE says "0"), a
 *     skiplist one keeps "-0"; the digest follows what is stored.
 *   - stream: for each entry in ID order: V.mix("<ms>.<seq>") (decimal,
 *     joined by a DOT, not '-'), then for each field/value of the entry
 *     V.mix(field), V.mix(value). Consumer groups, PELs, last-id (XSETID),
 *     entries-added and deleted entries do not contribute; an empty stream
 *     is just the type tag.
 *   - if the key has an expire (any TTL; the time itself is not used):
 *     V.xorIn("!!expire!!").
 *
 * ## Per key
 *   K = zeros; K.mix(key name bytes); then exactly the per-value steps above
 *   applied to K (type tag, content, expire flag).
 *
 * ## Data set (DEBUG DIGEST)
 *   F = zeros; for each database that has at least one key, in increasing
 *   index order: F.mix(db index as 4-byte big-endian integer); then for each
 *   key of it F.xorIn(K) (F ^= SHA1(K); key order is irrelevant).
 *   An empty data set gives 40 zeros.
 */

import { createHash } from 'node:crypto';
import { formatDouble } from './numbers.js';

export const DIGEST_LEN = 20;

/** Redis object type tags mixed into every value digest. */
export const DIGEST_TYPE_STRING = 0;
export const DIGEST_TYPE_LIST = 1;
export const DIGEST_TYPE_SET = 2;
export const DIGEST_TYPE_ZSET = 3;
export const DIGEST_TYPE_HASH = 4;
export const DIGEST_TYPE_STREAM = 6;

const EXPIRE_MARK = Buffer.from('!!expire!!', 'latin1');

function sha1(data: Uint8Array): Buffer {
  return createHash('sha1').update(data).digest();
}

/** A 20-byte digest accumulator. */
export class Digest {
  readonly bytes: Buffer;

  constructor(initial?: Uint8Array) {
    this.bytes = Buffer.alloc(DIGEST_LEN);
    if (initial) this.bytes.set(initial.subarray(0, DIGEST_LEN));
  }

  /** D ^= SHA1(data): order-independent accumulation. */
  xorIn(data: Uint8Array): this {
    const h = sha1(data);
    const d = this.bytes;
    for (let i = 0; i < DIGEST_LEN; i++) d[i]! ^= h[i]!;
    return this;
  }

  /** D = SHA1(D ^ SHA1(data)): order-dependent accumulation. */
  mix(data: Uint8Array): this {
    this.xorIn(data);
    sha1(this.bytes).copy(this.bytes);
    return this;
  }

  /** mix() of a 4-byte big-endian unsigned integer (type tags, db indexes). */
  mixU32(n: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n >>> 0);
    return this.mix(b);
  }

  /** Folds in the expire marker when the key has a TTL. */
  expire(hasExpire: boolean): this {
    if (hasExpire) this.xorIn(EXPIRE_MARK);
    return this;
  }

  isZero(): boolean {
    for (let i = 0; i < DIGEST_LEN; i++) if (this.bytes[i] !== 0) return false;
    return true;
  }

  /** The 40 lowercase hex digits Redis prints. */
  hex(): string {
    return this.bytes.toString('hex');
  }
}

/** The value of a key, as the digest sees it. */
export type DigestValue =
  | { readonly type: 'string'; readonly value: Uint8Array }
  | { readonly type: 'list'; readonly elements: Iterable<Uint8Array> }
  | { readonly type: 'set'; readonly members: Iterable<Uint8Array> }
  | { readonly type: 'zset'; readonly entries: Iterable<readonly [member: Uint8Array, score: number]> }
  | { readonly type: 'hash'; readonly entries: Iterable<readonly [field: Uint8Array, value: Uint8Array]> }
  | {
      readonly type: 'stream';
      /** Entries in ID order: [ms, seq, fields and values alternating]. */
      readonly entries: Iterable<readonly [ms: bigint | number, seq: bigint | number, fieldsAndValues: readonly Uint8Array[]]>;
    };

/** E = zeros; E.mix(a); E.mix(b); return E (hash pairs, zset members). */
function pairDigest(a: Uint8Array, b: Uint8Array): Buffer {
  return new Digest().mix(a).mix(b).bytes;
}

/** Applies the type tag and contents of a value to an accumulator. */
export function foldValue(d: Digest, v: DigestValue): Digest {
  switch (v.type) {
    case 'string':
      d.mixU32(DIGEST_TYPE_STRING).mix(v.value);
      break;
    case 'list':
      d.mixU32(DIGEST_TYPE_LIST);
      for (const e of v.elements) d.mix(e);
      break;
    case 'set':
      d.mixU32(DIGEST_TYPE_SET);
      for (const m of v.members) d.xorIn(m);
      break;
    case 'zset':
      d.mixU32(DIGEST_TYPE_ZSET);
      for (const [m, score] of v.entries) d.xorIn(pairDigest(m, Buffer.from(formatDouble(score), 'latin1')));
      break;
    case 'hash':
      d.mixU32(DIGEST_TYPE_HASH);
      for (const [f, val] of v.entries) d.xorIn(pairDigest(f, val));
      break;
    case 'stream':
      d.mixU32(DIGEST_TYPE_STREAM);
      for (const [ms, seq, fv] of v.entries) {
        d.mix(Buffer.from(`${ms}.${seq}`, 'latin1'));
        for (const x of fv) d.mix(x);
      }
      break;
  }
  return d;
}

/** DEBUG DIGEST-VALUE of one key: 20 bytes (hex() for the reply text). */
export function digestValue(v: DigestValue, expireAtMs = -1): Digest {
  return foldValue(new Digest(), v).expire(expireAtMs !== -1);
}

/** The per-key digest K that DEBUG DIGEST folds into the data set. */
export function digestKey(key: Uint8Array, v: DigestValue, expireAtMs = -1): Buffer {
  return foldValue(new Digest().mix(key), v).expire(expireAtMs !== -1).bytes;
}

/** The per-key digest K of a string key (expireAtMs = -1 when no TTL). */
export function digestStringKey(key: Uint8Array, value: Uint8Array, expireAtMs = -1): Buffer {
  return new Digest().mix(key).mixU32(DIGEST_TYPE_STRING).mix(value).expire(expireAtMs !== -1).bytes;
}

/** One database's contribution to DEBUG DIGEST: its index and its per-key digests. */
export interface DigestDb {
  readonly id: number;
  readonly keyDigests: Iterable<Uint8Array>;
}

/**
 * DEBUG DIGEST of a data set, as 40 hex digits. Databases must be given in
 * increasing index order; databases without keys are skipped (pass them or
 * not, an empty keyDigests contributes nothing).
 */
export function datasetDigest(dbs: Iterable<DigestDb>): string {
  const f = new Digest();
  for (const db of dbs) {
    let first = true;
    for (const k of db.keyDigests) {
      if (first) {
        f.mixU32(db.id);
        first = false;
      }
      f.xorIn(k);
    }
  }
  return f.hex();
}
