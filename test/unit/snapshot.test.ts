/**
 * The snapshot engine (src/persistence/snapshot.ts), in-process: each Db mutator's guard on
 * its own (through the Db API, without lookupWrite in front), id reuse, expired keys, the life
 * cycle (one at a time, attach/detach, pause/resume, backpressure, abort, a failing serializer)
 * and the setImmediate time-sliced driver with writes interleaved; handlers that change a value in
 * place after a read lookup (streams, PFCOUNT), and packed values unpacked by a read.
 * The random workloads through every command are in snapshot-workload.test.ts.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSnapshot, snapshotInProgress, type Snapshot, type SnapshotConsumer } from '../../src/persistence/snapshot.js';
import { TYPE_HASH, TYPE_LIST, type Db } from '../../src/store/db.js';
import { ClientFlag } from '../../src/server/client.js';
import type { List } from '../../src/store/types/list.js';
import { Recorder, assertSnapshotEquals, dumpAll, harness, rng, workload, type Harness } from '../helpers/snapshot-workload.js';
import { DenseMap } from '../../src/store/dense.js';

const B = (s: string): Buffer => Buffer.from(s, 'latin1');

function runUntilDone(snap: Snapshot): void {
  for (let i = 0; snap.running && i < 1e6; i++) snap.step(Infinity);
  assert.equal(snap.state, 'done');
}

/** A server with strings, a list and a hash in dbs 0 and 1, some with TTLs. */
function seeded(): Harness {
  const h = harness();
  for (const d of ['0', '1']) {
    h.run('select', d);
    for (let i = 0; i < 40; i++) h.run('set', 'k' + i, 'v' + i + '-' + d);
    h.run('rpush', 'list', 'a', 'b', 'c');
    h.run('hset', 'hash', 'f1', 'x', 'f2', 'y');
    h.run('sadd', 'set', '1', '2');
    h.run('zadd', 'zset', '1', 'a');
    for (let i = 0; i < 40; i += 7) h.run('pexpire', 'k' + i, String(1e7 + i));
  }
  h.run('select', '0');
  return h;
}

const id = (db: Db, key: string): number => {
  const x = db.find(B(key));
  assert.ok(x >= 0, key);
  return x;
};

// Every way the Db API can change an existing entry, applied to pending entries directly (no
// lookupWrite in front): the guard of each mutator must serialize the entry first.
const mutators: Record<string, (h: Harness, db0: Db, db1: Db) => void> = {
  'setString overwrite': (_h, db) => db.setString(B('k1'), B('new')),
  'setString keepTtl': (_h, db) => db.setString(B('k7'), B('new'), true),
  setStringById: (_h, db) => db.setStringById(id(db, 'k2'), B('new')),
  'setObject overwrite': (_h, db) => db.setObject(B('k3'), TYPE_LIST, db.getObject<object>(id(db, 'list'))),
  replaceObject: (_h, db) => db.replaceObject(id(db, 'hash'), TYPE_HASH, new DenseMap([['z', Buffer.from('z')]])),
  deleteId: (_h, db) => db.deleteId(id(db, 'k4')),
  delete: (_h, db) => assert.ok(db.delete(B('k5'))),
  setExpireAt: (_h, db) => db.setExpireAt(id(db, 'k6'), Date.now() + 5000),
  'setExpireAt change': (_h, db) => db.setExpireAt(id(db, 'k14'), Date.now() + 5000),
  removeExpire: (_h, db) => assert.ok(db.removeExpire(id(db, 'k21'))),
  'moveTo source': (_h, db0, db1) => assert.ok(db0.moveTo(db1, id(db0, 'k28')) < 0 || true),
  'moveTo new key': (_h, db0, db1) => {
    db0.setString(B('fresh'), B('x')); // new: not in the snapshot, nor after the move
    assert.ok(db0.moveTo(db1, id(db0, 'fresh')) >= 0);
  },
  'rename source and destination': (_h, db) => db.rename(id(db, 'k8'), B('k9')),
  'rename object': (_h, db) => db.rename(id(db, 'list'), B('k10')),
  'willModify + in-place edit': (_h, db) => {
    const x = id(db, 'k11');
    db.willModify(x);
    db.getString(x).fill(0x2a); // what SETRANGE does to a string's bytes
  },
  'in-place collection edit after willModify': (_h, db) => {
    const x = id(db, 'set');
    db.willModify(x);
    (db.getObject<unknown>(x) as { add?: (m: unknown) => void }).add?.('999');
  },
  'setPacked overwrite': (_h, db) => {
    db.settle();
    const bytes = Buffer.from(db.peekObject<List>(id(db, 'list')).packed()!);
    db.setPacked(B('k13'), TYPE_LIST, bytes); // k13 has no TTL: removeExpire alone does not guard
  },
  clear: (_h, db) => db.clear(),
  'swap then change': (h, db0) => {
    h.server.keyspace.swapDb(0, 1);
    db0.setString(B('k12'), B('changed-after-swap')); // db0 holds the start's db 1 now
  },
  flushAll: (h) => h.server.keyspace.flushAll(),
};

for (const [name, mutate] of Object.entries(mutators)) {
  test('Db guard: ' + name + ' on a pending entry serializes it first', () => {
    const h = seeded();
    const server = h.server;
    const [db0, db1] = [server.keyspace.db(0), server.keyspace.db(1)];
    const start = dumpAll(server);
    const rec = new Recorder(server);
    const snap = startSnapshot(server, rec, { autoRun: false });
    mutate(h, db0, db1);
    if (name === 'clear' || name === 'flushAll') assert.ok(snap.stats.flushedDbs > 0, 'contents taken over');
    else if (name !== 'moveTo new key') assert.ok(rec.records.length > 0, 'nothing serialized by the change itself');
    runUntilDone(snap);
    assertSnapshotEquals(rec, start, name);
    assert.equal(snap.stats.missed, 0);
    for (const db of server.keyspace.dbs) {
      assert.equal(db.guard, null);
      db.verify();
    }
  });
}

test('ids free at the start and reused by new keys are not part of the snapshot', () => {
  const h = harness();
  const db = h.server.keyspace.db(0);
  for (let i = 0; i < 100; i++) h.run('set', 'k' + i, 'v' + i);
  for (let i = 0; i < 50; i++) h.run('del', 'k' + i);
  const start = dumpAll(h.server);
  const limit = db.idLimit;
  const rec = new Recorder(h.server);
  const snap = startSnapshot(h.server, rec, { autoRun: false });
  // Deleted then recreated keys, and brand new keys: they take the freed ids.
  for (let i = 0; i < 50; i++) h.run('set', 'k' + i, 'recreated');
  for (let i = 50; i < 60; i++) h.run('del', 'k' + i);
  for (let i = 50; i < 60; i++) h.run('set', 'k' + i, 'recreated');
  for (let i = 0; i < 20; i++) h.run('set', 'new' + i, 'x');
  assert.equal(db.idLimit, limit + 20, 'recreated keys reused the free ids, only the 20 new ones took new ids');
  runUntilDone(snap);
  assertSnapshotEquals(rec, start, 'id reuse');
  assert.equal(rec.records.find(([k]) => k === '0|k55')?.[1].value, 'string:v55');
});

test('keys whose TTL passed but are still stored at the start are included, with their TTL', () => {
  const h = harness();
  const db = h.server.keyspace.db(0);
  for (let i = 0; i < 10; i++) h.run('set', 'k' + i, 'v');
  const past = Date.now() - 1000;
  for (let i = 0; i < 5; i++) db.setExpireAt(id(db, 'k' + i), past);
  const start = dumpAll(h.server);
  const rec = new Recorder(h.server);
  const snap = startSnapshot(h.server, rec, { autoRun: false });
  assert.equal(h.run('get', 'k0'), '$-1\r\n'); // lazy expiry deletes it: serialized first
  runUntilDone(snap);
  assertSnapshotEquals(rec, start, 'expired');
  assert.equal(rec.records.find(([k]) => k === '0|k0')?.[1].ttl, past);
  assert.equal(snap.stats.byChange, 1);
});

test('an empty keyspace finishes at the first step; one snapshot at a time', () => {
  const h = harness();
  const rec = new Recorder(h.server);
  const snap = startSnapshot(h.server, rec, { autoRun: false });
  assert.equal(snapshotInProgress(h.server), snap);
  assert.throws(() => startSnapshot(h.server, new Recorder(h.server), { autoRun: false }), /already in progress/);
  assert.equal(snap.step(1), false);
  assert.equal(snap.state, 'done');
  assert.equal(rec.done, 1);
  assert.equal(snapshotInProgress(h.server), null);
  assert.equal(h.server.keyspace.snapshotActive, false);
  const again = startSnapshot(h.server, new Recorder(h.server), { autoRun: false });
  runUntilDone(again);
});

test('several consumers share one snapshot: attach only before the first entry; the last detach aborts', () => {
  const h = seeded();
  const start = dumpAll(h.server);
  const a = new Recorder(h.server);
  const b = new Recorder(h.server);
  const snap = startSnapshot(h.server, a, { autoRun: false, entriesPerSlice: 5 });
  assert.equal(snap.attach(b), true);
  h.run('set', 'k1', 'changed');
  const late = new Recorder(h.server);
  assert.equal(snap.attach(late), false, 'attach after entries were serialized');
  runUntilDone(snap);
  assertSnapshotEquals(a, start, 'consumer a');
  assertSnapshotEquals(b, start, 'consumer b');
  assert.deepEqual(a.records, b.records);
  assert.equal(b.done, 1);

  const c = new Recorder(h.server);
  const d = new Recorder(h.server);
  const snap2 = startSnapshot(h.server, c, { autoRun: false, entriesPerSlice: 5 });
  assert.ok(snap2.attach(d));
  snap2.step(Infinity);
  snap2.detach(c);
  assert.ok(snap2.running);
  snap2.detach(d);
  assert.equal(snap2.state, 'aborted');
  assert.equal(snap2.stats.abortReason, 'no consumer left');
  assert.equal(d.aborted, null, 'a detached consumer is not called any more');
  assert.equal(h.server.snapshot, null);
  for (const db of h.server.keyspace.dbs) assert.equal(db.guard, null);
});

test('pause and shouldYield stop the walk but not serialize-before-modify', () => {
  const h = seeded();
  const start = dumpAll(h.server);
  let yieldNow = false;
  const rec = new Recorder(h.server);
  const consumer: SnapshotConsumer = {
    serializeEntry: (i, db, x) => rec.serializeEntry(i, db, x),
    onDbStart: (i, n, e) => rec.onDbStart(i, n, e),
    onDone: () => rec.onDone(),
    shouldYield: () => yieldNow,
  };
  const snap = startSnapshot(h.server, consumer, { autoRun: false, entriesPerSlice: 10 });
  snap.step(Infinity);
  const after1 = snap.stats.serialized;
  assert.equal(after1, 10);
  snap.pause();
  assert.equal(snap.step(Infinity), true);
  assert.equal(snap.stats.serialized, after1, 'paused: no walk progress');
  h.run('set', 'k30', 'changed while paused');
  assert.equal(snap.stats.serialized, after1 + 1, 'changes are still serialized first');
  snap.resume();
  yieldNow = true;
  assert.equal(snap.step(Infinity), true);
  // The walk checks the consumer every 128 units of work: it stops within a few entries.
  assert.ok(snap.stats.serialized - (after1 + 1) <= 8, 'yielding consumer: ' + snap.stats.serialized);
  yieldNow = false;
  runUntilDone(snap);
  assertSnapshotEquals(rec, start, 'pause');
});

test('a serializer that throws aborts the snapshot; the command that triggered it still runs', () => {
  const h = seeded();
  let calls = 0;
  const aborted: string[] = [];
  const consumer: SnapshotConsumer = {
    serializeEntry: () => {
      if (++calls === 3) throw new Error('disk full');
    },
    onDone: () => assert.fail('not done'),
    onAbort: (r) => aborted.push(r),
  };
  const snap = startSnapshot(h.server, consumer, { autoRun: false, entriesPerSlice: 2 });
  snap.step(Infinity);
  assert.equal(h.run('set', 'k39', 'changed'), '+OK\r\n');
  assert.equal(snap.state, 'aborted');
  assert.deepEqual(aborted, ['serializer failed: disk full']);
  assert.ok(h.warnings.some((w) => w.includes('disk full')));
  assert.equal(h.run('get', 'k39'), '$7\r\nchanged\r\n');
  for (const db of h.server.keyspace.dbs) {
    assert.equal(db.guard, null);
    db.verify();
  }
  assert.equal(h.server.snapshot, null);
});

test('abort frees flushed contents the snapshot had taken over', () => {
  const h = seeded();
  const ks = h.server.keyspace;
  const rec = new Recorder(h.server);
  const snap = startSnapshot(h.server, rec, { autoRun: false, entriesPerSlice: 5 });
  snap.step(Infinity);
  h.run('flushall');
  assert.equal(ks.keyCount(), 0);
  assert.ok(ks.slab.bytesUsed > 0, 'flushed records retained');
  assert.ok(ks.detachedRecordBytes > 0);
  h.run('set', 'after', 'flush');
  snap.abort();
  assert.equal(rec.aborted, 'aborted');
  assert.equal(ks.detachedRecordBytes, 0);
  const live = ks.dbs.reduce((n, db) => n + db.bytesUsed() - db.ownBytes(), 0);
  assert.equal(ks.slab.bytesUsed, live, 'only the live record is left');
  assert.equal(ks.snapshotActive, false);
  const again = startSnapshot(h.server, new Recorder(h.server), { autoRun: false });
  runUntilDone(again);
  assert.equal(again.stats.keys, 1);
});

test('autoRun: time slices on setImmediate, interleaved with writes from another "client"', async () => {
  const h = harness();
  const r = rng(99);
  const w = workload(r, { dbs: 2, pool: 40, bulk: 2000 });
  h.run('rpush', 'l0', 'a');
  h.run('hset', 'h0', 'f', 'v');
  h.run('sadd', 'S0', 'm');
  h.run('zadd', 'z0', '1', 'm');
  for (let i = 0; i < 2000; i++) h.run('set', 'b' + i, 'x'.repeat(i % 100));
  for (let i = 0; i < 500; i++) h.run(...w.next());
  const start = dumpAll(h.server);
  const rec = new Recorder(h.server);
  let writes = 0;
  const done = new Promise<void>((resolve, reject) => {
    const consumer: SnapshotConsumer = {
      serializeEntry: (i, db, x) => rec.serializeEntry(i, db, x),
      onDbStart: (i, n, e) => rec.onDbStart(i, n, e),
      onDone: () => resolve(),
      onAbort: (why) => reject(new Error(why)),
    };
    startSnapshot(h.server, consumer, { sliceMs: 0.2, entriesPerSlice: 50 });
  });
  // The "client": a few writes per event-loop turn until the snapshot is over.
  let over = false;
  void done.then(() => (over = true), () => (over = true));
  await new Promise<void>((resolve) => {
    const turn = (): void => {
      if (over) return resolve();
      for (let i = 0; i < 5; i++) {
        h.run(...w.next());
        writes++;
      }
      setImmediate(turn);
    };
    setImmediate(turn);
  });
  await done;
  assertSnapshotEquals(rec, start, 'autoRun');
  assert.ok(writes > 100, 'writes interleaved: ' + writes);
  assert.equal(h.server.snapshot, null);
});

test('autoRun: a consumer that asks to yield holds the walk until it is ready again', async () => {
  const h = seeded();
  let backedUp = true;
  let polls = 0;
  const rec = new Recorder(h.server);
  const finished = new Promise<void>((resolve) => {
    startSnapshot(
      h.server,
      {
        serializeEntry: (i, db, x) => rec.serializeEntry(i, db, x),
        onDone: () => resolve(),
        shouldYield: () => {
          polls++;
          return backedUp;
        },
      },
      { yieldPollMs: 1 },
    );
  });
  // Wait (however slow the machine) until the driver has asked a few times.
  for (let i = 0; i < 1000 && polls < 5; i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(polls >= 5, 'polled: ' + polls);
  assert.equal(rec.records.length, 0, 'nothing walked while backed up');
  backedUp = false;
  await finished;
  assert.equal(rec.records.length, dumpAll(h.server).size);
});

test('pause()/resume() with autoRun: no progress while paused, resume continues', async () => {
  const h = seeded();
  const rec = new Recorder(h.server);
  let resolveDone!: () => void;
  const finished = new Promise<void>((r) => (resolveDone = r));
  const snap = startSnapshot(h.server, { serializeEntry: (i, db, x) => rec.serializeEntry(i, db, x), onDone: () => resolveDone() }, { entriesPerSlice: 1 });
  snap.pause();
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(rec.records.length, 0);
  assert.ok(snap.isPaused);
  snap.resume();
  await finished;
  assert.equal(snap.state, 'done');
});

// ------------------------------------------------------------------------------------------
// Handlers that change a value in place after a read lookup (Redis looks these keys up for
// reading: keyspace hits/misses): each must call db.willModify first.

/** A stream with a consumer group, two consumers and pending entries; a sparse and a dense HLL. */
function streamsAndHlls(): Harness {
  const h = harness();
  for (let i = 1; i <= 6; i++) h.run('xadd', 'st', i + '-0', 'f', 'v' + i);
  h.run('xgroup', 'create', 'st', 'g', '0');
  h.run('xreadgroup', 'group', 'g', 'alice', 'count', '3', 'streams', 'st', '>'); // 1-0..3-0 pending
  h.run('xreadgroup', 'group', 'g', 'carol', 'count', '1', 'streams', 'st', '>'); // 4-0 pending
  h.run('pfadd', 'hll', 'a', 'b', 'c'); // sparse; PFADD leaves the cached cardinality invalid
  const many: string[] = [];
  for (let i = 0; i < 300; i++) many.push('e' + i);
  h.run('pfadd', 'hlld', ...many);
  assert.equal(h.run('pfdebug', 'todense', 'hlld'), ':1\r\n');
  h.run('pfadd', 'hlld', 'one-more'); // invalidates the cache again
  return h;
}

const inPlace: Array<[string, string, string[]]> = [
  ['XACK', 'st', ['xack', 'st', 'g', '1-0', '4-0']],
  ['XCLAIM', 'st', ['xclaim', 'st', 'g', 'bob', '0', '2-0']],
  ['XCLAIM JUSTID', 'st', ['xclaim', 'st', 'g', 'bob', '0', '2-0', '3-0', 'justid']],
  ['XAUTOCLAIM', 'st', ['xautoclaim', 'st', 'g', 'bob', '0', '0-0', 'count', '2']],
  ['XREADGROUP >', 'st', ['xreadgroup', 'group', 'g', 'bob', 'count', '1', 'streams', 'st', '>']],
  ['XREADGROUP history', 'st', ['xreadgroup', 'group', 'g', 'alice', 'streams', 'st', '0']],
  ['PFCOUNT of a sparse HLL (cache written)', 'hll', ['pfcount', 'hll']],
  ['PFCOUNT of a dense HLL (cache written)', 'hlld', ['pfcount', 'hlld']],
];

for (const [name, key, cmd] of inPlace) {
  test('in-place change by ' + name + ' during a snapshot: the start value is serialized first', () => {
    const h = streamsAndHlls();
    const start = dumpAll(h.server);
    const rec = new Recorder(h.server);
    const snap = startSnapshot(h.server, rec, { autoRun: false });
    const reply = h.run(...cmd);
    assert.ok(!reply.startsWith('-'), name + ': ' + reply);
    assert.notEqual(dumpAll(h.server).get('0|' + key)!.value, start.get('0|' + key)!.value, name + ' changed nothing');
    assert.deepEqual(rec.records.map(([k]) => k), ['0|' + key], name + ': serialized before the change');
    runUntilDone(snap);
    assertSnapshotEquals(rec, start, name);
  });
}

test('XREADGROUP served later because SWAPDB brought a stream with unread entries: serialized first', () => {
  const h = harness();
  h.run('select', '1');
  for (let i = 1; i <= 3; i++) h.run('xadd', 'st', i + '-0', 'f', 'v' + i);
  h.run('xgroup', 'create', 'st', 'g', '0'); // nothing read yet
  h.run('select', '0');
  h.run('xadd', 'st', '1-0', 'f', 'x');
  h.run('xgroup', 'create', 'st', 'g', '$'); // everything read: XREADGROUP > blocks
  const b = h.blocker();
  assert.equal(h.runOn(b, 'xreadgroup', 'group', 'g', 'c', 'block', '0', 'streams', 'st', '>'), '');
  const start = dumpAll(h.server);
  const rec = new Recorder(h.server);
  const snap = startSnapshot(h.server, rec, { autoRun: false });
  assert.equal(h.run('swapdb', '0', '1'), '+OK\r\n');
  // Served: db 0 now holds the start's db 1, whose "st" got a consumer and pending entries.
  assert.equal(b.flags & ClientFlag.BLOCKED, 0, 'the blocked client was served');
  assert.match(dumpAll(h.server).get('0|st')!.value, /"pel":\[\{/);
  runUntilDone(snap);
  assertSnapshotEquals(rec, start, 'served after SWAPDB');
});

test('packed values unpacked by a read earlier in the same command: serializers see the start value', () => {
  // Dispatch settles the client's db after each command (queued ones in EXEC included), so a
  // value unpacked by a read is still unpacked only inside the command that read it: the
  // commands below read a packed key (Db.getObject unpacks it) and then overwrite or change the
  // same key; the serializer (peekObject) must see the value of the start.
  const h = harness();
  const db = h.server.keyspace.db(0);
  h.run('rpush', 'pl', 'c', 'a', 'b');
  h.run('rpush', 'pl2', 'x', 'y', 'z');
  h.run('sadd', 'ps', '1', '2', '3'); // intsets: 7.0 has no listpack sets
  h.run('sadd', 'ps2', '2', '3', '4');
  h.run('zadd', 'pz', '1', 'a', '2', 'b');
  h.run('zadd', 'pz2', '1', 'a', '2', 'b', '3', 'c');
  h.run('hset', 'ph', 'f1', 'a', 'f2', 'b');
  h.run('select', '1');
  h.run('hset', 'ph', 'other', 'db');
  h.run('select', '0');
  const keys = ['pl', 'pl2', 'ps', 'ps2', 'pz', 'pz2', 'ph'];
  for (const k of keys) assert.equal(db.isPacked(id(db, k)), true, k + ' packed');
  const start = dumpAll(h.server);
  const rec = new Recorder(h.server);
  const snap = startSnapshot(h.server, rec, { autoRun: false });
  assert.equal(h.run('sort', 'pl', 'alpha', 'store', 'pl'), ':3\r\n');
  assert.equal(h.run('lmove', 'pl2', 'pl2', 'left', 'right'), '$1\r\nx\r\n');
  assert.equal(h.run('sinterstore', 'ps', 'ps', 'ps2'), ':2\r\n');
  assert.equal(h.run('sdiffstore', 'ps2', 'ps2', 'ps'), ':1\r\n');
  assert.equal(h.run('zunionstore', 'pz', '2', 'pz', 'pz2'), ':3\r\n');
  assert.equal(h.run('zrangestore', 'pz2', 'pz2', '0', '1'), ':2\r\n');
  assert.equal(h.run('copy', 'ph', 'ph', 'db', '1', 'replace'), ':1\r\n'); // reads db 0, replaces db 1
  h.run('multi');
  h.run('hgetall', 'ph');
  h.run('hset', 'ph', 'f1', 'changed');
  assert.match(h.run('exec'), /^\*2\r\n/);
  runUntilDone(snap);
  assertSnapshotEquals(rec, start, 'packed');
  const now = dumpAll(h.server);
  for (const k of [...keys.map((x) => '0|' + x), '1|ph']) assert.notEqual(now.get(k)!.value, start.get(k)!.value, k + ' changed');
  db.verify();
});

test('a value unpacked (getObject) when the walk serializes it: the serializer sees the same value', () => {
  const h = harness();
  const db = h.server.keyspace.db(0);
  for (let i = 0; i < 20; i++) h.run('hset', 'h' + i, 'f', 'v' + i, 'g', 'w');
  const start = dumpAll(h.server);
  const rec = new Recorder(h.server);
  const snap = startSnapshot(h.server, rec, { autoRun: false, entriesPerSlice: 5 });
  // What a handler does half way: unpack a few (as a read), the walk runs meanwhile (a serializer
  // called from a guard), then change them after willModify.
  const ids = [3, 7, 12, 19].map((i) => id(db, 'h' + i));
  const objs = ids.map((x) => db.getObject<Map<string, Buffer> | Buffer>(x));
  assert.ok(ids.every((x) => !db.isPacked(x)), 'unpacked');
  snap.step(Infinity);
  snap.step(Infinity);
  for (let i = 0; i < ids.length; i++) {
    db.willModify(ids[i]!);
    const o = objs[i]!;
    if (o instanceof Map) o.set('f', Buffer.from('changed'));
    else db.replaceObject(ids[i]!, TYPE_HASH, new DenseMap([['f', Buffer.from('changed')]]));
  }
  db.settle();
  runUntilDone(snap);
  assertSnapshotEquals(rec, start, 'unpacked at serialization');
  assert.match(h.run('hget', 'h7', 'f'), /changed/);
});
