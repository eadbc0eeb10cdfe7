/**
 * The indexable skiplist (src/store/skiplist.ts) and the ZSet value (src/store/types/zset.ts)
 * against a plain sorted-array reference: random inserts, deletes and score updates, then every
 * rank, rank-to-node lookup, range count and backward link is checked.
 */

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SkipList, compareEntry } from '../../src/store/skiplist.js';
import { ZSet } from '../../src/store/types/zset.js';

/** Small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Ref {
  member: string;
  score: number;
}

function sortRef(ref: Ref[]): void {
  ref.sort((x, y) => compareEntry(x.score, x.member, y.score, y.member));
}

function checkList(sl: SkipList, ref: Ref[]): void {
  assert.equal(sl.length, ref.length);
  const got = [...sl.entries()].map((n) => [n.member, n.score]);
  assert.deepEqual(
    got,
    ref.map((r) => [r.member, r.score]),
  );
  for (let i = 0; i < ref.length; i++) {
    assert.equal(sl.rank(ref[i]!.score, ref[i]!.member), i, 'rank of ' + ref[i]!.member);
    const n = sl.byRank(i);
    assert.ok(n !== null);
    assert.equal(n.member, ref[i]!.member);
    assert.equal(n.prev === null ? null : n.prev.member, i === 0 ? null : ref[i - 1]!.member);
  }
  assert.equal(sl.byRank(ref.length), null);
  assert.equal(sl.byRank(-1), null);
  assert.equal(sl.tail === null ? null : sl.tail.member, ref.length === 0 ? null : ref[ref.length - 1]!.member);
}

describe('skiplist', () => {
  test('empty list', () => {
    const sl = new SkipList();
    checkList(sl, []);
    assert.equal(sl.rank(1, 'a'), -1);
    assert.equal(sl.delete(1, 'a'), false);
    assert.equal(
      sl.countBelow((s) => s >= 0),
      0,
    );
  });

  test('order: score, then member bytes; -0 equals +0', () => {
    const sl = new SkipList();
    sl.insert(1, 'b');
    sl.insert(1, 'a');
    sl.insert(0, 'z');
    sl.insert(-0, 'y');
    sl.insert(-Infinity, 'm');
    sl.insert(Infinity, 'n');
    sl.insert(1, '\xff');
    sl.insert(1, 'a\x00');
    assert.deepEqual(
      [...sl.entries()].map((n) => n.member),
      ['m', 'y', 'z', 'a', 'a\x00', 'b', '\xff', 'n'],
    );
  });

  test('fromSorted builds the same list as inserts, and later inserts, deletes and updates keep it right', () => {
    for (const n of [0, 1, 2, 7, 300, 5000]) {
      const r = rng(n + 11);
      const ref: Ref[] = [];
      for (let i = 0; i < n; i++) ref.push({ member: 'm' + i, score: Math.floor(r() * 50) });
      sortRef(ref);
      const sl = SkipList.fromSorted(
        n,
        (k) => ref[k]!.score,
        (k) => ref[k]!.member,
      );
      checkList(sl, ref);
      for (let i = 0; i < 300; i++) {
        const op = r();
        if (op < 0.4 || ref.length === 0) {
          const e = { member: 'x' + i, score: Math.floor(r() * 60) - 5 };
          sl.insert(e.score, e.member);
          ref.push(e);
        } else if (op < 0.7) {
          const j = Math.floor(r() * ref.length);
          assert.equal(sl.delete(ref[j]!.score, ref[j]!.member), true);
          ref.splice(j, 1);
        } else {
          const j = Math.floor(r() * ref.length);
          const e = ref[j]!;
          sl.updateScore(e.score, e.member, (e.score = Math.floor(r() * 60)));
        }
        sortRef(ref);
      }
      checkList(sl, ref);
    }
  });

  test('ZSet.fromEntries builds a skiplist from ascending, descending and unordered entries', () => {
    const limits = { entries: 4, value: 64 };
    const members = Array.from({ length: 200 }, (_x, i) => 'k' + i);
    const scores = members.map((_m, i) => (i * 7919) % 101);
    const sorted = members.map((m, i) => ({ member: m, score: scores[i]! }));
    sortRef(sorted);
    const orders = [sorted, [...sorted].reverse(), sorted.map((_x, i) => sorted[(i * 37) % sorted.length]!)];
    for (const o of orders) {
      const z = ZSet.fromEntries(
        limits,
        o.map((e) => e.member),
        o.map((e) => e.score),
      );
      assert.equal(z.compact, false);
      checkList(z.sl!, sorted);
      for (const e of sorted) assert.equal(z.score(e.member), e.score);
    }
  });

  for (const seed of [1, 2, 3, 4, 5]) {
    test('random operations vs sorted array, seed ' + seed, () => {
      const rand = rng(seed);
      const sl = new SkipList();
      const ref: Ref[] = [];
      const byMember = new Map<string, number>();
      for (let op = 0; op < 3000; op++) {
        const r = rand();
        const member = 'm' + Math.floor(rand() * 400);
        const score = Math.floor(rand() * 50) - 25 + (rand() < 0.2 ? 0.5 : 0);
        const cur = byMember.get(member);
        if (r < 0.5) {
          if (cur === undefined) {
            sl.insert(score, member);
            byMember.set(member, score);
            ref.push({ member, score });
          } else {
            sl.updateScore(cur, member, score);
            byMember.set(member, score);
            ref.find((x) => x.member === member)!.score = score;
          }
        } else if (cur !== undefined) {
          assert.equal(sl.delete(cur, member), true);
          byMember.delete(member);
          ref.splice(
            ref.findIndex((x) => x.member === member),
            1,
          );
        } else {
          assert.equal(sl.delete(score, member), false);
        }
        sortRef(ref);
        if (op % 100 === 0) checkList(sl, ref);
      }
      checkList(sl, ref);
      // Score ranges through countBelow.
      for (let k = 0; k < 50; k++) {
        const min = Math.floor(rand() * 60) - 30;
        const expect = ref.filter((x) => x.score < min).length;
        assert.equal(
          sl.countBelow((s) => s >= min),
          expect,
        );
        const expectEx = ref.filter((x) => x.score <= min).length;
        assert.equal(
          sl.countBelow((s) => s > min),
          expectEx,
        );
      }
    });
  }
});

describe('ZSet value', () => {
  const limits = { entries: 16, value: 8 };

  for (const seed of [11, 12]) {
    test('compact and skiplist encodings agree with a reference, seed ' + seed, () => {
      const rand = rng(seed);
      const z = new ZSet(true);
      const ref = new Map<string, number>();
      let sawConversion = false;
      for (let op = 0; op < 2000; op++) {
        const member = 'k' + Math.floor(rand() * 40);
        if (rand() < 0.6) {
          const score = Math.floor(rand() * 20) - 10;
          z.set(member, score, limits);
          ref.set(member, score);
        } else {
          assert.equal(z.remove(member), ref.delete(member));
        }
        if (!z.compact) sawConversion = true;
        const sorted = [...ref.entries()].map(([member, score]) => ({ member, score }));
        sortRef(sorted);
        assert.equal(z.size, sorted.length);
        const all = z.all();
        assert.deepEqual(
          all.members,
          sorted.map((x) => x.member),
        );
        assert.deepEqual(
          all.scores,
          sorted.map((x) => x.score),
        );
        if (sorted.length > 0) {
          const i = Math.floor(rand() * sorted.length);
          assert.equal(z.rank(sorted[i]!.member), i);
          assert.equal(z.score(sorted[i]!.member), sorted[i]!.score);
          const j = Math.min(sorted.length - 1, i + 3);
          assert.deepEqual(
            z.range(i, j).members,
            sorted.slice(i, j + 1).map((x) => x.member),
          );
        }
      }
      assert.ok(sawConversion, 'the zset grew past the compact limits');
    });
  }

  test('compact form stores -0 as 0, skiplist keeps -0; long members force a skiplist', () => {
    const c = new ZSet(true);
    c.set('a', -0, limits);
    assert.ok(Object.is(c.score('a'), 0));
    const s = new ZSet(false);
    s.set('a', -0, limits);
    assert.ok(Object.is(s.score('a'), -0));
    c.set('long-member', 1, limits);
    assert.equal(c.encoding(), 'skiplist');
    assert.equal(ZSet.create(limits, 9).encoding(), 'skiplist');
    assert.equal(ZSet.create({ entries: 0, value: 64 }, 1).encoding(), 'skiplist');
    assert.equal(ZSet.create(limits, 8).encoding(), 'listpack');
  });

  test('removeRange and clone', () => {
    for (const compact of [true, false]) {
      const z = new ZSet(compact);
      for (let i = 0; i < 10; i++) z.set('m' + i, i, { entries: 128, value: 64 });
      const copy = z.clone();
      assert.deepEqual(z.removeRange(2, 4).members, ['m2', 'm3', 'm4']);
      assert.equal(z.size, 7);
      assert.equal(copy.size, 10);
      assert.deepEqual(z.all().members, ['m0', 'm1', 'm5', 'm6', 'm7', 'm8', 'm9']);
    }
  });
});
