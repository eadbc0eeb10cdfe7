/**
 * Test helper: a keyspace holding every type in every in-memory encoding, small and big, built
 * through the type modules' exported APIs, and its contents as plain JSON for comparisons.
 */
import { Keyspace, TYPE_HASH, TYPE_LIST, TYPE_SET, TYPE_STRING, TYPE_ZSET, type Db } from '../../src/store/db.js';
import { buildValue, DEFAULT_LIMITS, valueContent } from '../../src/persistence/rdb-values.js';
import { T_HASH, T_LIST, T_SET, T_ZSET_2 } from '../../src/persistence/rdb-format.js';
import { valueJson } from './rdb-json.js';
import type { RdbValue } from '../../src/persistence/rdb-format.js';

const B = (s: string): Buffer => Buffer.from(s, 'latin1');

function put(db: Db, key: string, v: RdbValue, rdbType: number, expire = -1): void {
  const built = buildValue(v, rdbType, DEFAULT_LIMITS);
  const id = built.type === TYPE_STRING ? db.setString(B(key), built.obj as Buffer) : db.setObject(B(key), built.type, built.obj);
  if (expire >= 0) db.setExpireAt(id, expire);
}

/** Every type/encoding; `big` adds large values (100k-element list, 20k-member set...). */
export function sampleKeyspace(big = true): Keyspace {
  const ks = new Keyspace(16);
  const db = ks.db(0);
  const strings: Array<[string, string]> = [
    ['s:empty', ''], ['s:int8', '-7'], ['s:int16', '1000'], ['s:int32', '100000'], ['s:int32max', '2147483647'],
    ['s:int32min', '-2147483648'], ['s:over32', '2147483648'], ['s:int64', '12345678901'], ['s:lead0', '0123'],
    ['s:minus0', '-0'], ['s:plus', '+5'], ['s:space', ' 1'], ['s:text', 'hello world'], ['s:lzf', 'a'.repeat(64)],
    ['s:21', 'x'.repeat(21)], ['s:noise', Array.from({ length: 300 }, (_v, i) => String.fromCharCode((i * 151 + 7) & 0xff)).join('')],
    ['s:bin', '\u0000\u00ff\r\n\u0080'], ['12345', 'int key'], ['s:big', 'y'.repeat(20000) + 'z'],
  ];
  for (const [k, v] of strings) db.setString(B(k), B(v));
  db.setExpireAt(db.find(B('s:text')), 4102444800123);
  put(db, 'l:small', { kind: 'list', elements: ['a', '1', '', '-5', 'x'.repeat(100)].map(B) }, T_LIST);
  put(db, 'set:intset', { kind: 'set', members: ['5', '-3', '70000', '1', '-9223372036854775808', '9223372036854775807'].map(B) }, T_SET);
  put(db, 'set:hashtable', { kind: 'set', members: ['apple', 'banana', '7'].map(B) }, T_SET);
  put(db, 'z:listpack', { kind: 'zset', members: ['a', 'b', 'c', 'd', 'e'].map(B), scores: [1, 2.5, -3, Infinity, -Infinity] }, T_ZSET_2);
  put(db, 'z:skiplist', { kind: 'zset', members: ['m'.repeat(65), 'n', 'o'].map(B), scores: [0.1, 1e300, -0] }, T_ZSET_2, 4102444800000);
  put(db, 'h:listpack', { kind: 'hash', fields: ['f1', 'num', 'neg'].map(B), values: ['v1', '12345', '-20000'].map(B) }, T_HASH);
  put(db, 'h:hashtable', { kind: 'hash', fields: ['f', 'long'].map(B), values: ['1', 'v'.repeat(100)].map(B) }, T_HASH);
  ks.db(3).setString(B('other'), B('db3'));
  put(ks.db(15), 'last', { kind: 'list', elements: [B('x')] }, T_LIST);
  if (big) {
    const n = 100000;
    put(db, 'l:big', { kind: 'list', elements: Array.from({ length: n }, (_v, i) => B(i % 7 === 0 ? String(i) : 'element-' + i)) }, T_LIST);
    put(db, 'set:bigint', { kind: 'set', members: Array.from({ length: 20000 }, (_v, i) => B(String(i * 3 - 10000))) }, T_SET);
    put(db, 'set:bigtext', { kind: 'set', members: Array.from({ length: 20000 }, (_v, i) => B('member:' + i)) }, T_SET);
    put(db, 'z:big', { kind: 'zset', members: Array.from({ length: 5000 }, (_v, i) => B('z' + i)), scores: Array.from({ length: 5000 }, (_v, i) => (i % 13) * 1.5) }, T_ZSET_2);
    put(db, 'h:big', { kind: 'hash', fields: Array.from({ length: 5000 }, (_v, i) => B('field' + i)), values: Array.from({ length: 5000 }, (_v, i) => B(String(i))) }, T_HASH);
    put(db, 'l:hugeelem', { kind: 'list', elements: [B('q'.repeat(1 << 20)), B('r')] }, T_LIST);
  }
  return ks;
}

/** {db: {key: {type, value, expire_ms?}}} of a keyspace. */
export function contentsJson(ks: Keyspace): Record<string, Record<string, unknown>> {
  const names = ['string', 'list', 'set', 'zset', 'hash', 'stream'];
  const out: Record<string, Record<string, unknown>> = {};
  ks.dbs.forEach((db, i) => {
    if (db.size === 0) return;
    const d: Record<string, unknown> = (out[String(i)] = {});
    db.forEach((id) => {
      const t = db.typeOf(id);
      const e: Record<string, unknown> = { type: names[t], value: valueJson(valueContent(t, t === TYPE_STRING ? db.getString(id) : db.getObject(id))) };
      if (db.expireAt(id) !== -1) e['expire_ms'] = db.expireAt(id);
      d[db.keyView(id).toString('latin1')] = e;
    });
  });
  return out;
}

export { TYPE_HASH, TYPE_LIST, TYPE_SET, TYPE_ZSET };

import { Digest, digestKey, type DigestValue } from '../../src/util/digest.js';

function digestView(v: RdbValue): DigestValue {
  switch (v.kind) {
    case 'string':
      return { type: 'string', value: v.value };
    case 'list':
      return { type: 'list', elements: v.elements };
    case 'set':
      return { type: 'set', members: v.members };
    case 'zset':
      return { type: 'zset', entries: v.members.map((m, i) => [m, v.scores[i]!] as const) };
    case 'hash':
      return { type: 'hash', entries: v.fields.map((f, i) => [f, v.values[i]!] as const) };
    default:
      throw new Error('no digest for ' + v.kind);
  }
}

/** DEBUG DIGEST of a keyspace, computed in-process (the same fold redis-server does). */
export function keyspaceDigest(ks: Keyspace): string {
  const f = new Digest();
  ks.dbs.forEach((db, i) => {
    if (db.size === 0) return;
    f.mixU32(i);
    db.forEach((id) => {
      const t = db.typeOf(id);
      const v = valueContent(t, t === TYPE_STRING ? db.getString(id) : db.getObject(id));
      f.xorIn(digestKey(db.keyView(id), digestView(v), db.expireAt(id)));
    });
  });
  return f.hex();
}
