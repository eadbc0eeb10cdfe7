// Packed small collections: the Db keeps them as slab bytes, unpacks them on getObject and packs
// them again on settle(); each type's codec round-trips its small encoding and refuses the big one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DenseMap } from '../../src/store/dense.js';
import { Db, Keyspace, TYPE_HASH, TYPE_LIST, TYPE_SET, TYPE_ZSET } from '../../src/store/db.js';
import { setHashSeed } from '../../src/store/dict.js';
import { SlabAllocator } from '../../src/store/slab.js';
import { List, PACK_MAX_BYTES, PACK_MAX_ELEMENTS } from '../../src/store/types/list.js';
import { ZSet } from '../../src/store/types/zset.js';
import { IntSet, intsetFromSorted, intsetGet, setAdd, resultSet, setMembers, type SetValue } from '../../src/store/types/set.js';
import { hashEntries, lpBegin, lpCommit, lpPut, lpNew, type HashObj } from '../../src/store/types/hash.js';

setHashSeed(0x2545f491, 0x4f6cdd1d);

const B = (s: string): Buffer => Buffer.from(s, 'latin1');
const LIMITS = { entries: 128, value: 64 };

function newDb(): Db {
  return new Db(new SlabAllocator(), 0);
}

function listOf(...xs: string[]): List {
  const l = new List();
  for (const x of xs) l.pushTail(B(x));
  return l;
}

function elems(l: List): string[] {
  return [...l].map((b) => b.toString('latin1'));
}

test('a small list is packed at settle and unpacked by getObject, mutations included', () => {
  const db = newDb();
  const id = db.setObject(B('l'), TYPE_LIST, listOf('a', 'bb', 'ccc'));
  assert.equal(db.isPacked(id), false, 'a fresh object stays a JS object until settle');
  db.settle();
  assert.equal(db.isPacked(id), true);
  db.verify();
  const l = db.getObject<List>(id);
  assert.deepEqual(elems(l), ['a', 'bb', 'ccc']);
  assert.equal(db.getObject<List>(id), l, 'the same object until settle');
  l.pushHead(B('z'));
  l.popTail();
  db.verify();
  db.settle();
  assert.equal(db.isPacked(id), true);
  assert.deepEqual(elems(db.getObject<List>(id)), ['z', 'a', 'bb']);
  db.settle();
  db.verify();
});

test('settle leaves the record alone when an unpacked value did not change', () => {
  const slab = new SlabAllocator();
  const db = new Db(slab, 0);
  const id = db.setObject(B('z'), TYPE_ZSET, ZSet.fromEntries(LIMITS, ['a', 'b'], [1, 2]));
  db.settle();
  const used = slab.bytesUsed;
  const mem = db.entryMemory(id);
  const z = db.getObject<ZSet>(id);
  assert.equal(z.score('b'), 2);
  db.settle();
  assert.equal(slab.bytesUsed, used);
  assert.equal(db.entryMemory(id), mem);
  assert.equal(db.isPacked(id), true);
});

test('a collection that outgrows its packed form stays a JS object, and packs again when small', () => {
  const db = newDb();
  const id = db.setObject(B('l'), TYPE_LIST, listOf('x'));
  db.settle();
  const l = db.getObject<List>(id);
  for (let i = 0; i < PACK_MAX_ELEMENTS; i++) l.pushTail(B('e' + i));
  db.settle();
  assert.equal(db.isPacked(id), false);
  db.verify();
  const big = db.getObject<List>(id);
  assert.equal(big, l);
  big.trimTail(PACK_MAX_ELEMENTS - 5);
  db.settle();
  assert.equal(db.isPacked(id), true);
  assert.deepEqual(elems(db.getObject<List>(id)), ['x', 'e0', 'e1', 'e2', 'e3', 'e4']);
  db.settle();
  // Byte limit: one element longer than the packed maximum.
  const long = db.getObject<List>(id);
  long.pushTail(Buffer.alloc(PACK_MAX_BYTES, 0x61));
  db.settle();
  assert.equal(db.isPacked(id), false);
  db.verify();
});

test('memory accounting follows packing, growth and deletion', () => {
  const db = newDb();
  const empty = db.bytesUsed();
  const id = db.setObject(B('h'), TYPE_HASH, Buffer.from(lpNew()));
  db.settle();
  let h = db.getObject<HashObj>(id) as Buffer;
  lpBegin(h);
  for (let i = 0; i < 10; i++) lpPut(B('f' + i), B('v' + i));
  h = lpCommit();
  db.replaceObject(id, TYPE_HASH, h);
  // The cron settles and drops the emptied chunk of the JS value table.
  db.rehashStep(5);
  const packed = db.bytesUsed() - empty;
  assert.ok(packed > h.length && packed < h.length + 256, `packed hash costs ${packed}`);
  // A big hashtable is measured by its sizer: roughly its entries' cost.
  const m = new DenseMap<Buffer>();
  for (let i = 0; i < 1000; i++) m.set('field' + i, B('value' + i));
  db.replaceObject(id, TYPE_HASH, m);
  db.settle();
  const big = db.bytesUsed() - empty;
  assert.ok(big > 1000 * 150 && big < 1000 * 300, `1000-field hashtable costs ${big}`);
  assert.ok(db.entryMemory(id) > 1000 * 150);
  // Growth in place is seen at the next settle after getObject.
  const same = db.getObject<Map<string, Buffer>>(id);
  for (let i = 1000; i < 2000; i++) same.set('field' + i, B('value' + i));
  db.settle();
  assert.ok(db.bytesUsed() - empty > 1.8 * big, 'in-place growth is accounted');
  db.verify();
  db.deleteId(id);
  db.verify();
  db.rehashStep(5);
  assert.equal(db.bytesUsed(), empty);
});

test('delete, overwrite, rename, move and swap of packed and unpacked entries', () => {
  const ks = new Keyspace(2);
  const db = ks.db(0);
  const other = ks.db(1);
  const a = db.setObject(B('a'), TYPE_LIST, listOf('1', '2'));
  db.setObject(B('b'), TYPE_SET, intsetFromSorted([1, 2, 3]));
  ks.settle();
  // Rename while unpacked and modified: the object is the value.
  const la = db.getObject<List>(a);
  la.pushTail(B('3'));
  const a2 = db.rename(a, B('a2'));
  ks.settle();
  assert.deepEqual(elems(db.getObject<List>(a2)), ['1', '2', '3']);
  // Rename while packed.
  ks.settle();
  const a3 = db.rename(a2, B('a3'));
  assert.equal(db.isPacked(a3), true);
  assert.deepEqual(elems(db.getObject<List>(a3)), ['1', '2', '3']);
  // Move while unpacked.
  const m = db.moveTo(other, a3);
  assert.ok(m >= 0);
  ks.settle();
  assert.equal(other.isPacked(m), true);
  assert.deepEqual(elems(other.getObject<List>(m)), ['1', '2', '3']);
  // Overwrite an unpacked set with a string, and a packed one with a list.
  const b = db.find(B('b'));
  db.getObject<SetValue>(b);
  db.setString(B('b'), B('now a string'));
  ks.settle();
  assert.equal(db.getString(db.find(B('b'))).toString(), 'now a string');
  db.setObject(B('b'), TYPE_LIST, listOf('q'));
  ks.settle();
  ks.swapDb(0, 1);
  ks.settle();
  assert.deepEqual(elems(db.getObject<List>(db.find(B('a3')))), ['1', '2', '3']);
  assert.deepEqual(elems(other.getObject<List>(other.find(B('b')))), ['q']);
  // Delete while unpacked.
  const d = other.find(B('b'));
  other.getObject<List>(d);
  other.deleteId(d);
  ks.settle();
  db.verify();
  other.verify();
  assert.equal(other.size, 0);
});

test('peekObject reads a packed value without unpacking it into the Db', () => {
  const db = newDb();
  const id = db.setObject(B('z'), TYPE_ZSET, ZSet.fromEntries(LIMITS, ['m'], [1.5]));
  db.settle();
  const z = db.peekObject<ZSet>(id);
  assert.equal(z.score('m'), 1.5);
  assert.equal(db.isPacked(id), true);
  assert.notEqual(db.peekObject<ZSet>(id), z);
  db.verify();
});

test('compaction renumbering ids keeps pending values', () => {
  const db = newDb();
  const keys: string[] = [];
  for (let i = 0; i < 70000; i++) keys.push('k' + i);
  for (const k of keys) db.setObject(B(k), TYPE_LIST, listOf(k));
  db.settle();
  for (let i = 0; i < 69000; i++) db.delete(B(keys[i]!));
  // Unpack a few, then let the cron compact (it settles first).
  for (let i = 69000; i < 70000; i += 100) db.getObject<List>(db.find(B(keys[i]!))).pushTail(B('more'));
  while (db.rehashStep(50)) {
    /* until done */
  }
  db.verify();
  for (let i = 69000; i < 70000; i++) {
    const id = db.find(B(keys[i]!));
    assert.equal(db.isPacked(id), true);
    assert.deepEqual(elems(db.getObject<List>(id)), i % 100 === 0 ? [keys[i]!, 'more'] : [keys[i]!]);
  }
  db.settle();
  db.verify();
});

test('codecs: zset, intset and listpack hash round-trip; big encodings are not packed', () => {
  const db = newDb();
  const z = ZSet.fromEntries(LIMITS, ['b', 'a', 'c\u00ff'], [2, -0, Infinity]);
  const zid = db.setObject(B('z'), TYPE_ZSET, z);
  let s: SetValue = intsetFromSorted([-70000, 5, 2 ** 40]);
  const sid = db.setObject(B('s'), TYPE_SET, s);
  const hid = db.setObject(B('h'), TYPE_HASH, (lpBegin(lpNew()), lpPut(B('f'), B('\u0000v')), lpCommit()));
  db.settle();
  assert.ok(db.isPacked(zid) && db.isPacked(sid) && db.isPacked(hid));
  const z2 = db.getObject<ZSet>(zid);
  assert.deepEqual(z2.all(), { members: ['a', 'b', 'c\u00ff'], scores: [0, 2, Infinity] });
  assert.equal(z2.size, 3);
  const s2 = db.getObject<IntSet>(sid);
  assert.deepEqual([0, 1, 2].map((i) => intsetGet(s2, i)), [-70000, 5, 2 ** 40]);
  assert.deepEqual(
    hashEntries(db.getObject<HashObj>(hid)).map(([f, v]) => [f.toString('latin1'), v.toString('latin1')]),
    [['f', '\u0000v']],
  );
  // Big encodings: skiplist zset and hashtable set stay JS objects.
  db.getObject<ZSet>(zid).set('x'.repeat(100), 1, LIMITS);
  s = db.getObject<SetValue>(sid);
  setAdd(s, B('not-an-int'), 512);
  db.replaceObject(sid, TYPE_SET, resultSet);
  db.settle();
  assert.equal(db.isPacked(zid), false);
  assert.equal(db.getObject<ZSet>(zid).encoding(), 'skiplist');
  assert.equal(db.isPacked(sid), false);
  assert.deepEqual(setMembers(db.getObject<SetValue>(sid)).sort(), ['-70000', '1099511627776', '5', 'not-an-int']);
  db.settle();
  db.verify();
});

test('setPacked stores packed bytes directly', () => {
  const db = newDb();
  const src = newDb();
  const id0 = src.setObject(B('l'), TYPE_LIST, listOf('p', 'q'));
  src.settle();
  const bytes = Buffer.from(src.peekObject<List>(id0).packed()!);
  const id = db.setPacked(B('copy'), TYPE_LIST, bytes);
  assert.equal(db.isPacked(id), true);
  assert.deepEqual(elems(db.getObject<List>(id)), ['p', 'q']);
  db.settle();
  db.verify();
});

test('compact zset scores of every width round-trip through the packed form', () => {
  const db = newDb();
  const scores = [0, -0, 1, -1, 127, -128, 128, -129, 32767, -32768, 32768, -32769, 2147483647, -2147483648, 2147483648, -2147483649, 0.5, -1e-300, 1e300, Infinity, -Infinity];
  const members = scores.map((_s, i) => 'm'.repeat(i * 7));
  const id = db.setObject(B('z'), TYPE_ZSET, ZSet.fromEntries({ entries: 128, value: 200 }, members, scores));
  db.settle();
  assert.equal(db.isPacked(id), true);
  const z = db.getObject<ZSet>(id);
  for (let i = 0; i < scores.length; i++) assert.ok(Object.is(z.score(members[i]!), scores[i] === 0 ? 0 : scores[i]), `score of member ${i}`);
  const all = z.all();
  const sorted = scores.map((sc, i) => [sc === 0 ? 0 : sc, members[i]!] as const).sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1));
  assert.deepEqual(all.members, sorted.map((x) => x[1]));
  assert.deepEqual(all.scores, sorted.map((x) => x[0]));
});
