import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DenseMap, DenseSet } from '../../src/store/dense.js';
import { rng } from '../helpers/replication.js';

test('dense: DenseMap matches a reference Map through random inserts, updates and deletes across index shards and pages', () => {
  const rand = rng(7);
  // A small shard limit exercises the multi-Map index; 150k members cross slot pages.
  const m = new DenseMap<number>(undefined, 1000);
  const ref = new Map<string, number>();
  for (let i = 0; i < 400_000; i++) {
    const k = 'k' + Math.floor(rand() * 150_000);
    const op = rand();
    if (op < 0.6) {
      m.set(k, i);
      ref.set(k, i);
    } else if (op < 0.9) {
      assert.equal(m.delete(k), ref.delete(k));
    } else {
      assert.equal(m.get(k), ref.get(k));
      assert.equal(m.has(k), ref.has(k));
    }
    assert.equal(m.size, ref.size);
  }
  assert.ok(m.shardCount > 10, 'the index is split over several Maps');
  const seen = new Map<string, number>();
  for (const [k, v] of m) seen.set(k, v);
  assert.deepEqual([...seen.entries()].sort(), [...ref.entries()].sort());
  for (let s = 0; s < m.size; s++) assert.equal(m.slotOf(m.keyAt(s)), s);
  // Deleting everything, then starting over, leaves a working empty map.
  for (const k of [...ref.keys()]) assert.equal(m.delete(k), true);
  assert.equal(m.size, 0);
  assert.equal(m.shardCount, 1);
  m.set('a', 1);
  assert.deepEqual([...m], [['a', 1]]);
});

test('dense: deleting the member just visited during iteration visits every member once', () => {
  const s = new DenseSet(undefined, 100);
  for (let i = 0; i < 5000; i++) s.add('m' + i);
  const visited: string[] = [];
  for (const x of s) {
    visited.push(x);
    if (x.endsWith('3') || x.endsWith('7')) s.delete(x);
  }
  assert.equal(visited.length, 5000);
  assert.equal(new Set(visited).size, 5000);
  assert.equal(s.size, 4000); // members ending in 3 or 7 are a fifth of them
});

test('dense: SCAN returns every member present for the whole iteration, while members come and go', () => {
  const rand = rng(11);
  for (let round = 0; round < 20; round++) {
    const s = new DenseSet(undefined, 64);
    let next = 0;
    for (let i = 0; i < 3000; i++) s.add('p' + next++);
    const initial = [...s];
    const removed = new Set<string>();
    const returned = new Set<string>();
    let cursor = 0;
    let calls = 0;
    do {
      cursor = s.scan(cursor, 1 + Math.floor(rand() * 50), (slot) => returned.add(s.keyAt(slot)));
      calls++;
      // Between calls: delete and add members at random.
      const churn = Math.floor(rand() * 40);
      for (let j = 0; j < churn; j++) {
        if (rand() < 0.5 && s.size > 0) {
          const victim = s.keyAt(s.randomSlot());
          s.delete(victim);
          removed.add(victim);
        } else s.add('p' + next++);
      }
    } while (cursor !== 0);
    for (const m of initial) if (!removed.has(m)) assert.ok(returned.has(m), 'member ' + m + ' present throughout was returned (round ' + round + ')');
    assert.ok(calls > 10);
  }
});

test('dense: a SCAN step costs COUNT slots, however far the iteration has gone', () => {
  const s = new DenseSet();
  for (let i = 0; i < 200_000; i++) s.add(String(i));
  let cursor = 0;
  let visits = 0;
  let calls = 0;
  do {
    let n = 0;
    cursor = s.scan(cursor, 10, () => n++);
    assert.ok(n <= 10);
    visits += n;
    calls++;
  } while (cursor !== 0);
  assert.equal(visits, 200_000);
  assert.equal(calls, 20_000);
  // A cursor beyond the set (a client's stale or made-up cursor) restarts at the top.
  assert.equal(s.scan(10_000_000, 5, () => {}), 200_000 - 5);
});

test('dense: holds more members than one V8 Map can (2^24)', { timeout: 120_000 }, () => {
  const s = new DenseSet();
  const n = (1 << 24) + 1000;
  for (let i = 0; i < n; i++) s.add(String(i));
  assert.equal(s.size, n);
  assert.equal(s.shardCount, 3);
  assert.ok(s.has('0') && s.has(String(n - 1)) && !s.has(String(n)));
  assert.equal(s.delete('5'), true);
  assert.equal(s.has('5'), false);
  assert.equal(s.size, n - 1);
});

test('dense: small sets (no index) and the switch to an indexed set keep every member', () => {
  const rand = rng(3);
  for (let round = 0; round < 200; round++) {
    const s = new DenseSet();
    const ref = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const k = 'x' + Math.floor(rand() * 30);
      if (rand() < 0.6) {
        s.add(k);
        ref.add(k);
      } else assert.equal(s.delete(k), ref.delete(k));
      assert.equal(s.size, ref.size);
      for (let j = 0; j < 30; j++) assert.equal(s.has('x' + j), ref.has('x' + j));
    }
    assert.deepEqual([...s].sort(), [...ref].sort());
  }
});

test('dense: frozen views read the slots as they were at freeze(), across pages, while the map is changed, cleared and refilled', () => {
  const rand = rng(21);
  for (let round = 0; round < 6; round++) {
    // Sizes around page boundaries (65,536 slots) and small ones.
    const n = [70_000, 140_000, 3_000, 65_536, 20, 131_073][round]!;
    const m = new DenseMap<number>(undefined, round % 2 === 0 ? 5000 : undefined);
    for (let i = 0; i < n; i++) m.set('k' + i, i);
    const expected: Array<[string, number]> = [];
    for (let s = 0; s < m.size; s++) expected.push([m.keyAt(s), m.valueAt(s)]);
    // Two views, read at different speeds (a BGSAVE and a replica's full sync).
    const views = [m.freeze(), m.freeze()];
    const got: Array<Array<[string, number]>> = [[], []];
    const speed = [1 + Math.floor(rand() * 2000), 1 + Math.floor(rand() * 500)];
    let next = n;
    let cleared = false;
    while (got[0]!.length < n || got[1]!.length < n) {
      for (let v = 0; v < 2; v++) {
        const view = views[v]!;
        for (let j = 0; j < speed[v]! && got[v]!.length < n; j++) {
          const s = got[v]!.length;
          got[v]!.push([view.keyAt(s), view.valueAt(s)]);
          view.passed(s);
        }
      }
      for (let j = 0; j < 300; j++) {
        const op = rand();
        const k = 'k' + Math.floor(rand() * (next + 10));
        if (op < 0.35) m.set(k, -1 - j); // overwrite or add
        else if (op < 0.7) m.delete(k);
        else m.set('k' + next++, next);
      }
      if (!cleared && rand() < 0.02) {
        cleared = true;
        m.clear();
        for (let j = 0; j < 1000; j++) m.set('after' + j, j);
      }
    }
    assert.deepEqual(got[0], expected, 'view 0 of ' + n);
    assert.deepEqual(got[1], expected, 'view 1 of ' + n);
    assert.equal(views[0]!.savedCount, 0, 'nothing left saved once read');
    for (const v of views) m.thaw(v);
    assert.equal(m.viewCount, 0);
  }
  // A set's view, and nothing saved while no view exists.
  const set = new DenseSet();
  for (let i = 0; i < 5000; i++) set.add('m' + i);
  const before = [...set];
  const v = set.freeze();
  for (let i = 0; i < 5000; i += 2) set.delete('m' + i);
  const got: string[] = [];
  for (let s = 0; s < v.size; s++) {
    got.push(v.keyAt(s));
    v.passed(s);
  }
  set.thaw(v);
  assert.deepEqual(got.sort(), before.sort());
  assert.equal(set.viewCount, 0);
});
