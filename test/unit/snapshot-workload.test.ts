/**
 * The snapshot engine (src/persistence/snapshot.ts) against random workloads run through the
 * real command handlers, in-process: a deep copy of the dataset is taken at the start (streams
 * as their RDB parts with groups, PELs and consumers; strings, HLLs included, byte for byte),
 * the snapshot advances in small steps interleaved with every write command of the table
 * (blocking commands also served later, on a second client; some commands inside MULTI/EXEC;
 * reads that unpack packed values or write caches among them), lazy and active expiry,
 * eviction, SWAPDB/FLUSHDB/FLUSHALL, table growth (16x) and shrinking, and id compaction; the
 * recorded snapshot must equal the copy exactly, each key exactly once.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSnapshot, type Snapshot } from '../../src/persistence/snapshot.js';
import { activeExpireCycle } from '../../src/store/expire.js';
import { TYPE_HASH, TYPE_LIST, TYPE_SET, TYPE_STREAM, TYPE_STRING, TYPE_ZSET } from '../../src/store/db.js';
import { DenseMap, DenseSet } from '../../src/store/dense.js';
import { ZSet } from '../../src/store/types/zset.js';
import { List } from '../../src/store/types/list.js';
import { Stream } from '../../src/store/types/stream.js';
import type { Server } from '../../src/server/server.js';
import { ClientFlag } from '../../src/server/client.js';
import { L, PiecesRecorder, RdbRecorder, Recorder, assertSnapshotEquals, dumpAll, harness, rng, workload, writeCommandNames, type Harness } from '../helpers/snapshot-workload.js';

/** After a snapshot: no guard left, nothing retained, every db structurally sound. */
function assertClean(server: Server, label: string): void {
  const ks = server.keyspace;
  assert.equal(server.snapshot, null, label + ': server.snapshot');
  assert.equal(ks.snapshotActive, false, label + ': snapshotActive');
  assert.equal(ks.detachedRecordBytes, 0, label + ': detachedRecordBytes');
  let records = 0;
  for (const db of ks.dbs) {
    assert.equal(db.guard, null, label + ': guard left on db ' + db.index);
    db.verify();
    records += db.bytesUsed() - db.ownBytes();
  }
  // Flushed contents the snapshot took over were freed: the slab holds exactly the live records.
  assert.equal(ks.slab.bytesUsed, records, label + ': slab bytes vs live records');
}

/** Every big value was let go by the snapshot's writers (no frozen view or pinned node left). */
function assertNoFrozenViews(server: Server, label: string): void {
  for (const db of server.keyspace.dbs) {
    db.forEach((id) => {
      const o = db.typeOf(id) === TYPE_STRING ? null : db.peekObject<unknown>(id);
      const d = o instanceof ZSet ? o.dict : o;
      const what = label + ': a frozen view left on ' + L(db.keyView(id));
      if (d instanceof DenseMap || d instanceof DenseSet) assert.equal(d.viewCount, 0, what);
      else if (d instanceof List || d instanceof Stream) assert.equal(d.pinnedNodes(), 0, what);
    });
  }
}

function runUntilDone(snap: Snapshot): void {
  for (let i = 0; snap.running && i < 1e7; i++) snap.step(Infinity);
  assert.equal(snap.state, 'done', 'snapshot ended: ' + snap.stats.abortReason);
}

function settleAll(server: Server): void {
  for (const db of server.keyspace.dbs) db.settle();
}

/**
 * Values whose in-place changes the random mix must meet at the snapshot's start: streams with
 * consumer groups, consumers and pending entries; sparse and dense HLLs; geo sets.
 */
function seedRichValues(h: Harness, r: () => number, pool: number): void {
  const n = (k: number): number => Math.floor(r() * k);
  for (let i = 0; i < pool; i += 3) {
    const x = 'x' + i;
    for (let j = 5 + n(15); j > 0; j--) h.run('xadd', x, '*', 'f' + n(5), 'v' + n(100));
    h.run('xgroup', 'create', x, 'g0', '0');
    h.run('xgroup', 'create', x, 'g1', '0', 'entriesread', '0');
    h.run('xreadgroup', 'group', 'g0', 'c0', 'count', String(1 + n(5)), 'streams', x, '>');
    h.run('xreadgroup', 'group', 'g0', 'c1', 'count', String(1 + n(5)), 'streams', x, '>');
    h.run('xreadgroup', 'group', 'g1', 'c2', 'streams', x, '>');
    h.run('xgroup', 'createconsumer', x, 'g1', 'c3');
    if (i % 2 === 0) h.run('xdel', x, '0-1'); // a no-op; deletions come from the mix
    const p = 'p' + i;
    const els: string[] = [];
    for (let j = 1 + n(20); j > 0; j--) els.push('e' + n(100000));
    h.run('pfadd', p, ...els);
    if (i % 2 === 0) h.run('pfdebug', 'todense', p);
    if (i % 4 === 0) h.run('pfcount', p);
    const g = 'G' + i;
    const geo: string[] = [];
    for (let j = 2 + n(8); j > 0; j--) geo.push((10 + r() * 2).toFixed(6), (40 + r() * 2).toFixed(6), 'gm' + n(30));
    h.run('geoadd', g, ...geo);
  }
}

/** The start has what seedRichValues made (the mix keeps some of it): else the run proves little. */
function assertRichStart(server: Server, start: Map<string, { type: number; value: string }>, label: string): void {
  let pels = 0;
  let dense = 0;
  let sparse = 0;
  let geo = 0;
  for (const [k, v] of start) {
    const key = k.slice(k.indexOf('|') + 1);
    if (v.type === TYPE_STREAM && /"pel":\[\{/.test(v.value)) pels++;
    if (key.startsWith('p') && v.value.startsWith('string:HYLL')) {
      if (v.value.charCodeAt(7 + 4) === 0) dense++;
      else sparse++;
    }
    if (key.startsWith('G') && v.type === TYPE_ZSET) geo++;
  }
  assert.ok(server.valueDigesters.has(TYPE_STREAM), 'stream hooks');
  assert.ok(pels >= 5 && dense >= 5 && sparse >= 5 && geo >= 5, label + ': few rich values at the start: ' + JSON.stringify({ pels, dense, sparse, geo }));
}

/**
 * How the snapshot's consumer writes collections: whole; left open across walk steps by a
 * recorder (which copies them when handed over); or by the real RDB writer (big values in
 * pieces from frozen views), whose file is then loaded and compared.
 */
type ConsumerMode = 'whole' | 'pieces' | 'rdb';

/** Big collections (>= PIECES_MIN_ELEMENTS) per db in 'rdb' mode, edited while the snapshot runs. */
const BIG_KEYS = ['BH0', 'BH1', 'BS0', 'BS1', 'BZ0', 'BZ1', 'BL0', 'BL1', 'BX0', 'BX1'];
const BIG_ELEMENTS = 1300;

function seedBigValues(h: Harness): void {
  for (const k of BIG_KEYS) {
    if (k[1] === 'X') {
      // A stream of BIG_ELEMENTS entries 1-1.., a group with pending entries.
      for (let i = 1; i <= BIG_ELEMENTS; i++) h.run('xadd', k, '1-' + i, 'f', 'v' + i);
      h.run('xgroup', 'create', k, 'g', '0');
      h.run('xreadgroup', 'group', 'g', 'c', 'count', '50', 'streams', k, '>');
      continue;
    }
    for (let i = 0; i < BIG_ELEMENTS; i += 100) {
      const args: string[] = [];
      for (let j = i; j < i + 100; j++) {
        if (k[1] === 'H') args.push('f' + j, 'v' + j);
        else if (k[1] === 'Z') args.push(String(j % 37), 'm' + j);
        else args.push('m' + j);
      }
      h.run(k[1] === 'H' ? 'hset' : k[1] === 'S' ? 'sadd' : k[1] === 'Z' ? 'zadd' : 'rpush', k, ...args);
    }
  }
}

/** A random edit of a big collection of the current db (or of the key itself). */
function editBigValue(h: Harness, r: () => number): void {
  const n = (k: number): number => Math.floor(r() * k);
  const k = BIG_KEYS[n(BIG_KEYS.length)]!;
  const m = 'm' + n(BIG_ELEMENTS + 200);
  const x = n(20);
  if (x === 0) h.run('expire', k, String(1000 + n(1000)));
  else if (x === 1 && r() < 0.2) h.run('del', k);
  else if (x === 2 && r() < 0.3) h.run('rename', k, BIG_KEYS[n(BIG_KEYS.length)]!);
  else if (k[1] === 'H') h.run(...(r() < 0.5 ? ['hset', k, 'f' + n(BIG_ELEMENTS + 200), 'e' + x] : ['hdel', k, 'f' + n(BIG_ELEMENTS)]));
  else if (k[1] === 'S') h.run(...(r() < 0.4 ? ['sadd', k, m + 'x'] : r() < 0.7 ? ['srem', k, m] : ['spop', k, String(1 + n(30))]));
  else if (k[1] === 'Z') h.run(...(r() < 0.5 ? ['zadd', k, String(x), m] : r() < 0.8 ? ['zrem', k, m] : ['zremrangebyrank', k, '0', String(n(20))]));
  else if (k[1] === 'X') {
    const streams: string[][] = [['xadd', k, '*', 'f', m], ['xdel', k, '1-' + n(BIG_ELEMENTS)], ['xtrim', k, 'maxlen', '=', String(BIG_ELEMENTS - n(300))], ['xtrim', k, 'minid', '~', '1-' + n(600)], ['xreadgroup', 'group', 'g', 'c' + n(3), 'count', '5', 'streams', k, '>'], ['xack', k, 'g', '1-' + n(60)], ['xsetid', k, '2000000000000-' + n(9)]];
    h.run(...streams[n(streams.length)]!);
  }
  else {
    const lists: string[][] = [['rpush', k, m], ['lpush', k, m], ['lpop', k], ['rpop', k, String(1 + n(3))], ['lset', k, String(n(50)), m], ['linsert', k, 'before', 'm' + n(BIG_ELEMENTS), m], ['lrem', k, '1', 'm' + n(BIG_ELEMENTS)], ['ltrim', k, String(n(5)), String(-1 - n(5))]];
    h.run(...lists[n(lists.length)]!);
  }
}

/** Runs the random mix of every write command; returns the harness for further checks. */
function mixedRun(seed: number, policy: string, flushAll: boolean, mode: ConsumerMode = 'whole'): Harness {
  const label = 'seed ' + seed + ' ' + policy + (mode === 'pieces' ? ' (values in pieces)' : mode === 'rdb' ? ' (RDB writer)' : '');
  const h = harness([['maxmemory-policy', policy]]);
  const server = h.server;
  const r = rng(seed);
  const n = (k: number): number => Math.floor(r() * k);
  const NDB = 4;
  const w = workload(r, {
    dbs: NDB,
    pool: 25,
    bulk: 300,
    flushWeight: 0.02,
    swapWeight: 0.3,
    exec: (...a) => h.run(...a),
    blockOn: (...a) => {
      const b = h.blocker();
      if ((b.flags & ClientFlag.BLOCKED) !== 0) h.run('client', 'unblock', String(b.id));
      b.select(h.client.dbIndex);
      return h.runOn(b, ...a);
    },
  });
  // One command of each collection family first: they register their DEBUG DIGEST hooks, which
  // the canonical dump uses.
  h.run('rpush', 'l0', 'a');
  h.run('hset', 'h0', 'f', 'v');
  h.run('sadd', 'S0', 'm');
  h.run('zadd', 'z0', '1', 'm');
  for (const t of [TYPE_LIST, TYPE_HASH, TYPE_SET, TYPE_ZSET]) assert.ok(server.valueDigesters.has(t), 'digester of type ' + t);
  for (let d = 0; d < NDB; d++) {
    h.run('select', String(d));
    for (let i = 0; i < 300; i++) h.run('set', 'b' + i, 'bulk' + i + 'x'.repeat(i % 40));
    for (let i = 0; i < 60; i++) h.run('expire', 'b' + n(300), String(100 + n(1000)));
    for (let i = 0; i < 20; i++) h.run('pexpire', 'b' + n(300), String(1 + n(30)));
    seedRichValues(h, r, 25);
    if (mode === 'rdb') seedBigValues(h);
    for (let i = 0; i < 400; i++) {
      const a = w.next();
      // No flush or swap yet: they would empty the dbs filled so far (the snapshot phase has them).
      if (a[0] !== 'flushall' && a[0] !== 'flushdb' && a[0] !== 'swapdb') h.run(...a);
    }
  }
  settleAll(server);
  // A limit a little below the current figure: the next writes evict, and so does the
  // workload's growth from then on.
  assert.equal(server.config.set([['maxmemory', String(Math.floor(server.evictor.memory() - 16 * 1024))]]), null);
  const start = dumpAll(server);
  assert.ok(start.size > 1000, label + ': dataset too small: ' + start.size);
  assertRichStart(server, start, label);
  const rec = mode === 'pieces' ? new PiecesRecorder(server, r) : mode === 'rdb' ? new RdbRecorder() : new Recorder(server);
  // The RDB writer's big values take several steps each: a faster walk reaches some of them
  // before a change does.
  const snap = startSnapshot(server, rec, { autoRun: false, entriesPerSlice: mode === 'rdb' ? 8 : 2 });
  if (rec instanceof RdbRecorder) rec.snap = snap;
  assert.equal(server.snapshot, snap);
  // The recorder's open value gets one piece per step with any finite budget (Infinity means
  // "finish it now"); the RDB writer looks at the clock: a budget of 0 gives one batch per step.
  const budget = mode === 'pieces' ? 1e9 : mode === 'rdb' ? 0 : Infinity;
  // Coverage counts what runs while the snapshot does.
  h.used.clear();
  h.succeeded.clear();
  let ops = 0;
  let iter = 0;
  let forced = 0;
  while (snap.running || ops < 4000) {
    iter++;
    // Operations the random mix might not hit while the snapshot is half way: a SWAPDB, and a
    // FLUSHDB of a db the walk has not finished.
    const done = snap.stats.serialized / start.size;
    if (forced === 0 && done > 0.2) {
      forced++;
      h.run('swapdb', '0', '2');
    } else if (forced === 1 && done > 0.4) {
      forced++;
      let d = -1;
      server.keyspace.dbs.forEach((x, i) => {
        if (x.guard !== null) d = i; // the last db the walk has not finished
      });
      // (None left when a FLUSHALL of the mix took every db's contents over already.)
      if (d >= 0) {
        h.run('select', String(d));
        h.run('flushdb');
      }
    } else if (forced === 2 && done > 0.6) {
      forced++;
      h.run('swapdb', '1', '3');
    } else if (forced === 3 && done > 0.8 && flushAll) {
      forced++;
      h.run('flushall');
    }
    const k = 1 + n(6);
    if (r() < 0.1) {
      // A transaction: the commands run inside EXEC (arguments generated before MULTI, as the
      // generators may look data up).
      if (r() < 0.3) h.run('select', String(n(NDB)));
      const batch: string[][] = [];
      for (let j = 0; j < k; j++) batch.push(w.next());
      h.run('multi');
      for (const a of batch) h.run(...a);
      h.run('exec');
      ops += k;
    } else {
      for (let j = 0; j < k; j++) {
        if (r() < 0.15) h.run('select', String(n(NDB)));
        h.run(...w.next());
        ops++;
      }
    }
    // The end of an event-loop turn: packed values unpacked by reads and writes are packed again.
    if (r() < 0.3) settleAll(server);
    const open = rec instanceof PiecesRecorder ? rec.openEntry : null;
    if (mode === 'rdb' && r() < 0.3) editBigValue(h, r);
    if (open !== null && r() < 0.3) {
      // Change the key of an open value (in its db at the start; a SWAPDB may have put another
      // value there): the value stays open, to be written as it was handed over.
      h.run('select', String(open.db));
      const edit: Record<number, string[]> = {
        [TYPE_LIST]: ['rpush', open.key, 'open-edit'],
        [TYPE_HASH]: ['hset', open.key, 'open-edit', 'x'],
        [TYPE_SET]: ['sadd', open.key, 'open-edit'],
        [TYPE_ZSET]: ['zadd', open.key, '7', 'open-edit'],
      };
      h.run(...(edit[open.type] ?? ['pexpire', open.key, '100000']));
      assert.equal((rec as PiecesRecorder).openEntry?.key, open.key, label + ': a change does not finish an open value');
    }
    if (r() < 0.7) snap.step(budget);
    if (r() < 0.05) activeExpireCycle(server, 10);
    if (r() < 0.05) server.keyspace.rehashStep(0.5);
    assert.ok(iter < 100000, label + ': snapshot does not end');
  }
  assert.equal(rec.done, 1, label + ': onDone once');
  assert.equal(rec.aborted, null);
  if (rec instanceof RdbRecorder) rec.loadRecords();
  assertSnapshotEquals(rec, start, label);
  const st = snap.stats;
  assert.equal(st.missed, 0);
  assert.equal(st.serialized, start.size);
  assert.equal(st.keys, start.size);
  assert.equal(st.byWalk + st.byChange + st.byRelocation, st.serialized);
  assert.ok(st.byChange > 50, label + ': few serialize-before-modify: ' + st.byChange);
  assert.ok(st.flushedDbs >= 1, label + ': no flush during the snapshot');
  assert.ok(server.stats.evictedKeys > 0, label + ': nothing evicted');
  assert.ok(server.stats.expiredKeys > 0, label + ': nothing expired');
  assert.deepEqual(h.warnings.filter((x) => /snapshot|unexpected/i.test(x)), [], label + ': warnings');
  if (rec instanceof PiecesRecorder) {
    assert.ok(rec.opened > 30, label + ': few values written in pieces: ' + rec.opened);
  }
  if (rec instanceof RdbRecorder) {
    // Big values were opened both by the walk and by changes (frozen), and
    // every frozen view was let go.
    assert.ok(rec.walkOpened >= 4, label + ': values the walk wrote in pieces: ' + rec.walkOpened + ' (' + rec.changeOpened + ' by a change)');
    assert.ok(rec.changeOpened >= 4, label + ': values a change opened in pieces: ' + rec.changeOpened);
    assertNoFrozenViews(server, label);
  }
  assertClean(server, label);
  server.evictor.stop();
  return h;
}

/**
 * Write commands this in-process harness cannot run, with the reason their write path is
 * covered anyway.
 */
const NEEDS_A_TARGET = new Map([
  [
    'migrate',
    'needs a target server over TCP; its only change to the source is deleting the migrated keys with Db.deleteId, whose guard test/unit/snapshot.test.ts covers',
  ],
]);

test('random workload of every write command, with expiry, eviction, SWAPDB and FLUSHDB: the snapshot is the dataset at its start', () => {
  const seen = new Set<string>();
  const succeeded = new Set<string>();
  const runs: Array<[number, string, boolean]> = [
    [1, 'allkeys-random', false],
    [2, 'allkeys-lru', false],
    [3, 'volatile-ttl', true],
    [4, 'allkeys-lfu', false],
  ];
  for (const [seed, policy, flushAll] of runs) {
    const h = mixedRun(seed, policy, flushAll);
    for (const u of h.used) seen.add(u);
    for (const u of h.succeeded.keys()) succeeded.add(u);
  }
  // Every write command of the table ran at least once; a new write command fails here until
  // the workload (test/helpers/snapshot-workload.ts) covers it - and its write path has been
  // checked against the snapshot guard contract (see src/store/db.ts header).
  const h = harness();
  const missing = writeCommandNames(h.server).filter((name) => !seen.has(name) && !NEEDS_A_TARGET.has(name));
  assert.deepEqual(missing, [], 'write commands not exercised by the snapshot workload');
  // ...and did something at least once (a reply that is not an error).
  const failing = writeCommandNames(h.server).filter((name) => !succeeded.has(name) && !NEEDS_A_TARGET.has(name));
  assert.deepEqual(failing, [], 'write commands that only ever failed in the snapshot workload');
});

test('the same workload with collections left open across walk steps (big values in pieces): each is the value at the start', () => {
  for (const [seed, policy, flushAll] of [
    [5, 'allkeys-random', true],
    [6, 'allkeys-lru', false],
  ] as Array<[number, string, boolean]>) {
    mixedRun(seed, policy, flushAll, 'pieces');
  }
});

test('the same workload written by the real RDB writer, big lists, hashes, sets, sorted sets and streams edited while open: the loaded file is the dataset at the start', () => {
  for (const [seed, policy, flushAll] of [
    [8, 'allkeys-random', true],
    [9, 'allkeys-lfu', false],
  ] as Array<[number, string, boolean]>) {
    mixedRun(seed, policy, flushAll, 'rdb');
  }
});

test('table growth by 16x and shrinking back while the snapshot runs', () => {
  const h = harness();
  const server = h.server;
  const db = server.keyspace.db(0);
  const r = rng(7);
  const n = (k: number): number => Math.floor(r() * k);
  h.run('hset', 'hx', 'a', 'b');
  for (let i = 0; i < 2000; i++) {
    if (i % 10 === 0) h.run('hset', 'g' + i, 'f', String(i), 'f2', 'x');
    else h.run('set', 'g' + i, 'value-' + i);
  }
  for (let i = 0; i < 200; i++) h.run('pexpire', 'g' + n(2000), String(100000 + n(1000)));
  const startBuckets = db.bucketCount;
  const start = dumpAll(server);
  const rec = new Recorder(server);
  const snap = startSnapshot(server, rec, { autoRun: false, entriesPerSlice: 2 });
  const touchOld = (): void => {
    const k = 'g' + n(2000);
    const x = n(6);
    if (x === 0) h.run('set', k, 'new');
    else if (x === 1) h.run('append', k, '+');
    else if (x === 2) h.run('del', k);
    else if (x === 3) h.run('expire', k, '500');
    else if (x === 4) h.run('hset', k, 'f3', 'z');
    else h.run('rename', k, 'g' + n(2000));
  };
  let maxBuckets = 0;
  // Grow: 30000 new keys, in batches with steps and changes to old keys in between.
  for (let i = 0; i < 30000; i++) {
    h.run('set', 'new' + i, 'n' + i);
    if (i % 50 === 0) {
      touchOld();
      snap.step(Infinity);
      server.keyspace.rehashStep(0.2);
    }
    maxBuckets = Math.max(maxBuckets, db.bucketCount);
  }
  assert.ok(snap.running, 'the snapshot should still be running after the growth phase');
  assert.ok(maxBuckets >= 16 * startBuckets, 'table grew from ' + startBuckets + ' to ' + maxBuckets);
  // Shrink: delete the new keys and most old ones.
  for (let i = 0; i < 30000; i += 50) {
    const args = ['unlink'];
    for (let j = i; j < i + 50; j++) args.push('new' + j);
    h.run(...args);
    if (i % 200 === 0) for (let j = 0; j < 5; j++) h.run('del', 'g' + n(2000));
    touchOld();
    snap.step(Infinity);
    for (let j = 0; j < 5; j++) server.keyspace.rehashStep(0.2);
  }
  for (let i = 0; i < 50 && db.isRehashing; i++) server.keyspace.rehashStep(1);
  assert.ok(db.bucketCount * 8 <= maxBuckets, 'table shrank to ' + db.bucketCount + ' from ' + maxBuckets);
  runUntilDone(snap);
  assertSnapshotEquals(rec, start, 'grow/shrink');
  assert.equal(snap.stats.missed, 0);
  assert.ok(snap.stats.byChange > 100);
  assertClean(server, 'grow/shrink');
});

test('id compaction moving unserialized entries behind the walk', () => {
  const h = harness();
  const server = h.server;
  const db = server.keyspace.db(0);
  const N = 200000;
  const v = Buffer.from('payload-value');
  for (let i = 0; i < N; i++) db.setString(Buffer.from('c' + i), v);
  for (let i = 0; i < N; i += 97) db.setExpireAt(db.find(Buffer.from('c' + i)), Date.now() + 1e7 + i);
  const start = dumpAll(server);
  const rec = new Recorder(server);
  const snap = startSnapshot(server, rec, { autoRun: false, entriesPerSlice: 1000 });
  // Walk the first 140k ids (keys c0..c139999 were created in id order).
  for (let i = 0; i < 140; i++) snap.step(Infinity);
  assert.equal(snap.stats.serialized, 140000);
  // Delete exactly those (already serialized), plus a few pending ones through commands.
  for (let i = 0; i < 140000; i += 500) {
    const args = ['unlink'];
    for (let j = i; j < i + 500; j++) args.push('c' + j);
    h.run(...args);
  }
  h.run('set', 'c199999', 'changed');
  h.run('del', 'c150000');
  const hwBefore = db.idLimit;
  // The cron's compaction moves the highest (pending) entries into the freed low ids.
  for (let i = 0; i < 200 && db.rehashStep(5); i++) {
    // keep going until compaction is done
  }
  assert.ok(db.idLimit < hwBefore, 'compaction ran: ' + db.idLimit + ' < ' + hwBefore);
  assert.ok(snap.stats.byRelocation > 1000, 'relocated entries serialized: ' + snap.stats.byRelocation);
  runUntilDone(snap);
  assertSnapshotEquals(rec, start, 'compaction');
  assert.equal(snap.stats.missed, 0);
  assertClean(server, 'compaction');
});

test('a big value open in pieces is written as it was when compaction moves it and it changes', () => {
  const h = harness();
  const server = h.server;
  const db = server.keyspace.db(0);
  const N = 200000; // compaction needs two id chunks (2 x 65536) free
  const v = Buffer.from('payload-value');
  for (let i = 0; i < N; i++) db.setString(Buffer.from('c' + i), v);
  // The last entry: a big hash, which the walk leaves open (written from a frozen view).
  for (let i = 0; i < 1500; i += 100) h.run('hset', 'big', ...Array.from({ length: 100 }, (_x, j) => ['f' + (i + j), 'v' + j]).flat());
  const start = dumpAll(server);
  const rec = new RdbRecorder();
  const snap = startSnapshot(server, rec, { autoRun: false, entriesPerSlice: N });
  rec.snap = snap;
  snap.step(1e9); // every string
  snap.step(0); // the hash: its head and a first batch of fields
  assert.equal(rec.walkOpened, 1, 'the hash is open');
  assert.ok(snap.running);
  const idBefore = db.find(Buffer.from('big'));
  // Free most ids below it; compaction then moves the highest entries down.
  for (let i = 0; i < N; i += 1000) {
    const args = ['unlink'];
    for (let j = i; j < i + 1000; j++) if (j % 10 !== 0) args.push('c' + j);
    h.run(...args);
  }
  for (let i = 0; i < 500 && db.rehashStep(5); i++) {
    // until compaction is done
  }
  const idAfter = db.find(Buffer.from('big'));
  assert.ok(idAfter < idBefore, 'compaction moved the open value: ' + idBefore + ' -> ' + idAfter);
  h.run('hset', 'big', 'new-field', 'x', 'f1400', 'changed');
  h.run('hdel', 'big', 'f3', 'f1000');
  assert.ok(snap.running, 'still being written');
  runUntilDone(snap);
  rec.loadRecords();
  assertSnapshotEquals(rec, start, 'open value relocated');
  assertClean(server, 'open value relocated');
  assertNoFrozenViews(server, 'open value relocated');
});

test('FLUSHALL, FLUSHDB and SWAPDB in the middle of a snapshot, then new data in the same dbs', () => {
  const h = harness();
  const server = h.server;
  const r = rng(11);
  const w = workload(r, { dbs: 3, pool: 30, bulk: 0 });
  h.run('rpush', 'l0', 'a');
  h.run('hset', 'h0', 'f', 'v');
  h.run('sadd', 'S0', 'm');
  h.run('zadd', 'z0', '1', 'm');
  for (let d = 0; d < 3; d++) {
    h.run('select', String(d));
    for (let i = 0; i < 600; i++) {
      const a = w.next();
      // The flushes and swaps this test is about come later, when the snapshot runs.
      if (a[0] !== 'flushall' && a[0] !== 'flushdb' && a[0] !== 'swapdb') h.run(...a);
    }
    for (let i = 0; i < 500; i++) h.run('set', 'db' + d + ':' + i, 'x'.repeat(i % 30));
  }
  const slabBefore = server.keyspace.slab.bytesUsed;
  const start = dumpAll(server);
  const rec = new Recorder(server);
  const snap = startSnapshot(server, rec, { autoRun: false, entriesPerSlice: 25 });
  const steps = (k: number): void => {
    for (let i = 0; i < k; i++) snap.step(Infinity);
  };
  steps(10);
  h.run('select', '0');
  h.run('swapdb', '0', '1');
  for (let i = 0; i < 100; i++) h.run(...w.next());
  steps(5);
  h.run('flushdb'); // db 0 = the start's db 1, partly walked
  for (let i = 0; i < 100; i++) h.run(...w.next());
  steps(5);
  h.run('swapdb', '0', '2');
  assert.ok(server.keyspace.detachedRecordBytes > 0, 'flushed contents are retained');
  h.run('flushall');
  // The flushed data does not count against maxmemory while it is retained.
  for (let d = 0; d < 3; d++) {
    h.run('select', String(d));
    for (let i = 0; i < 200; i++) h.run(...w.next());
  }
  h.run('flushall', 'async');
  for (let i = 0; i < 100; i++) h.run(...w.next());
  assert.ok(snap.running);
  assert.ok(snap.stats.flushedDbs >= 3, 'flushed dbs: ' + snap.stats.flushedDbs);
  runUntilDone(snap);
  assertSnapshotEquals(rec, start, 'flush/swap');
  assertClean(server, 'flush/swap');
  h.run('flushall');
  assert.equal(server.keyspace.slab.bytesUsed, 0);
  assert.ok(slabBefore > 0);
});

test('two RDB consumers of one snapshot (a BGSAVE and a full sync) while big values change: both files are the dataset at the start', () => {
  const h = harness();
  const server = h.server;
  const r = rng(12);
  for (const a of [['rpush', 'l0', 'a'], ['hset', 'h0', 'f', 'v'], ['sadd', 'S0', 'm'], ['zadd', 'z0', '1', 'm']]) h.run(...a);
  for (let d = 0; d < 2; d++) {
    h.run('select', String(d));
    for (let i = 0; i < 200; i++) h.run('set', 'b' + i, 'v' + i);
    seedBigValues(h);
  }
  const start = dumpAll(server);
  const recs = [new RdbRecorder(), new RdbRecorder()];
  const snap = startSnapshot(server, recs[0]!, { autoRun: false, entriesPerSlice: 2 });
  assert.ok(snap.attach(recs[1]!));
  for (const x of recs) x.snap = snap;
  let steps = 0;
  while (snap.running) {
    if (r() < 0.06) {
      h.run('select', String(Math.floor(r() * 2)));
      editBigValue(h, r);
    }
    // The two consumers are continued one after the other: one lags behind the other.
    snap.step(0);
    assert.ok(++steps < 100000, 'snapshot does not end');
  }
  assert.equal(snap.state, 'done', 'snapshot ended: ' + snap.stats.abortReason);
  for (const [i, rec] of recs.entries()) {
    rec.loadRecords();
    assertSnapshotEquals(rec, start, 'consumer ' + i);
    assert.ok(rec.walkOpened >= 3 && rec.changeOpened >= 3, 'consumer ' + i + ': ' + rec.walkOpened + ' opened by the walk, ' + rec.changeOpened + ' by a change');
  }
  assertNoFrozenViews(server, 'two consumers');
  assertClean(server, 'two consumers');
});
