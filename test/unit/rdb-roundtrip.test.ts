/** Writer → reader round trips for every type and encoding, big values, versions and options. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Keyspace } from '../../src/store/db.js';
import { rdbOfKeyspace } from '../../src/persistence/rdb-save.js';
import { loadRdbBuffer } from '../../src/persistence/rdb-loader.js';
import { RdbReader, parseRdb } from '../../src/persistence/rdb-reader.js';
import { RdbOutput, standardAux, writeHeader, writeRecord, writeTrailer, writeString } from '../../src/persistence/rdb-writer.js';
import type { RdbKeyRecord, RdbStreamValue } from '../../src/persistence/rdb-format.js';
import { contentsJson, sampleKeyspace } from '../helpers/rdb-dataset.js';
import { rdbJson, streamJson, vectorFiles } from '../helpers/rdb-json.js';

const sample = sampleKeyspace(true);
const sampleJson = contentsJson(sample);

for (const opts of [{}, { version: 10 }, { version: 11 }, { compression: false }, { checksum: false }]) {
  test('keyspace round trip ' + JSON.stringify(opts), () => {
    const rdb = rdbOfKeyspace(sample, { ...opts, replId: 'a'.repeat(40), replOffset: 12345 });
    assert.equal(rdb.toString('latin1', 0, 9), 'REDIS' + String((opts as { version?: number }).version ?? 9).padStart(4, '0'));
    const ks = new Keyspace(16);
    const st = loadRdbBuffer(ks, rdb, { dropExpired: false });
    assert.equal(st.aux.get('repl-id'), 'a'.repeat(40));
    assert.equal(st.aux.get('repl-offset'), '12345');
    assert.equal(st.aux.get('redis-bits'), '64');
    assert.deepEqual(contentsJson(ks), sampleJson);
    if ((opts as { checksum?: boolean }).checksum === false) assert.deepEqual(rdb.subarray(rdb.length - 8), Buffer.alloc(8));
  });
}

test('compression shrinks compressible data; strings use int/LZF/plain forms as Redis does', () => {
  const enc = (s: string): string => {
    const o = new RdbOutput();
    writeString(o, Buffer.from(s, 'latin1'));
    return o.take().toString('hex');
  };
  assert.equal(enc('64'), 'c040');
  assert.equal(enc('-7'), 'c0f9');
  assert.equal(enc('1000'), 'c1e803');
  assert.equal(enc('100000'), 'c2a0860100');
  assert.equal(enc('0123'), '0430313233');
  assert.equal(enc('12345678901'), '0b3132333435363738393031');
  assert.equal(enc('-0'), '022d30');
  assert.equal(enc(''), '00');
  assert.equal(enc('a'.repeat(64)).slice(0, 2), 'c3');
  assert.equal(enc('x'.repeat(20)), '14' + '78'.repeat(20));
  const big = rdbOfKeyspace(sample).length;
  const plain = rdbOfKeyspace(sample, { compression: false }).length;
  assert.ok(big < plain, big + ' < ' + plain);
});

test('the stream of vector 12 round-trips through types 15, 19 and 21', () => {
  const v12 = vectorFiles().find((v) => v.name.startsWith('12-'))!;
  let stream: RdbStreamValue | null = null;
  parseRdb(v12.rdb, { onKey: (r) => (stream = (r.value as { stream: RdbStreamValue }).stream) });
  assert.ok(stream !== null);
  for (const version of [9, 10, 11]) {
    const out = new RdbOutput({ version });
    writeHeader(out, standardAux());
    writeRecord(out, Buffer.from('st'), { kind: 'stream', stream: stream! });
    writeTrailer(out);
    const recs: RdbKeyRecord[] = [];
    parseRdb(out.take(), { onKey: (r) => recs.push(r) });
    assert.equal(recs[0]!.rdbType, [15, 19, 21][version - 9]);
    const got = streamJson((recs[0]!.value as { stream: RdbStreamValue }).stream);
    const want = streamJson(stream!);
    if (version === 9) {
      // Type 15 has no max-deleted ID, entries-added or entries-read: Redis derives them.
      want['max_deleted_entry_id'] = '0-0';
      want['entries_added'] = 2;
      (want['groups'] as Array<Record<string, unknown>>)[0]!['entries_read'] = Number(BigInt.asUintN(64, -1n));
    }
    assert.deepEqual(got, want);
  }
});

test('feeding any chunking gives the same records as one buffer', () => {
  const rdb = rdbOfKeyspace(sampleKeyspace(false));
  const whole = rdbJson(rdb);
  let seed = 99;
  for (let iter = 0; iter < 40; iter++) {
    const got = rdbJson(rdb, (sink) => {
      const r = new RdbReader(sink, iter % 2 === 0 ? {} : { totalLength: rdb.length });
      let p = 0;
      while (p < rdb.length) {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        const n = 1 + (seed % (iter < 10 ? 3 : 300));
        r.feed(rdb.subarray(p, p + n));
        p += n;
      }
      r.end();
    });
    assert.deepEqual(got, whole);
  }
});

test('the reader stops at the end of the RDB and hands back what follows (replication stream)', () => {
  const rdb = rdbOfKeyspace(sampleKeyspace(false));
  const tail = Buffer.from('*1\r\n$4\r\nping\r\n');
  const r = new RdbReader({ onKey: () => undefined });
  r.feed(Buffer.concat([rdb, tail]));
  assert.equal(r.done, true);
  assert.equal(r.offset, rdb.length);
  assert.deepEqual(r.remainder(), tail);
});

test('big keyspace of strings: save and load rates', () => {
  const n = Number(process.env['RDB_BENCH_KEYS'] ?? 200000);
  const ks = new Keyspace(1);
  const db = ks.db(0);
  const k = Buffer.alloc(16);
  const v = Buffer.alloc(16);
  for (let i = 0; i < n; i++) {
    k.write('key:' + String(i).padStart(10, '0'), 'latin1');
    v.write('val:' + String(i * 7).padStart(10, '0'), 'latin1');
    db.setString(k.subarray(0, 14), v.subarray(0, 14));
  }
  let t = performance.now();
  const rdb = rdbOfKeyspace(ks);
  const saveMs = performance.now() - t;
  t = performance.now();
  const ks2 = new Keyspace(1);
  const chunk = 64 * 1024;
  const { RdbLoader } = loaderModule;
  const l = new RdbLoader(ks2, {});
  const r = new RdbReader(l, { totalLength: rdb.length });
  for (let p = 0; p < rdb.length; p += chunk) r.feed(rdb.subarray(p, p + chunk));
  r.end();
  const loadMs = performance.now() - t;
  assert.equal(ks2.db(0).size, n);
  console.log(`# ${n} string keys: save ${Math.round(n / (saveMs / 1000))} keys/s (${saveMs.toFixed(0)} ms, ${rdb.length} bytes), load ${Math.round(n / (loadMs / 1000))} keys/s (${loadMs.toFixed(0)} ms, 64 KiB chunks)`);
});

import * as loaderModule from '../../src/persistence/rdb-loader.js';

test('duplicate members of sets, zsets and hashes are fatal, in small (reader) and big (builder) values', () => {
  const ensureTypes = sampleKeyspace; // registers the value types' codecs
  void ensureTypes;
  for (const n of [10, 5000]) {
    const members = Array.from({ length: n }, (_x, i) => Buffer.from('m' + i));
    members.push(Buffer.from('m' + Math.floor(n / 2))); // the duplicate
    const scores = members.map((_m, i) => i % 17);
    const values = members.map((m) => Buffer.concat([m, Buffer.from('-v')]));
    const cases: Array<[string, RdbKeyRecord['value'], RegExp]> = [
      ['set', { kind: 'set', members }, /Duplicate set members detected/],
      ['zset', { kind: 'zset', members, scores }, /Duplicate zset fields detected/],
      ['hash', { kind: 'hash', fields: members, values }, /Duplicate hash fields detected/],
    ];
    for (const [what, value, re] of cases) {
      const out = new RdbOutput();
      writeHeader(out, standardAux());
      out.u8(0xfe);
      out.u8(0);
      writeRecord(out, Buffer.from('k'), value);
      writeTrailer(out);
      const rdb = out.take();
      assert.throws(() => loadRdbBuffer(new Keyspace(1), rdb), re, what + ' of ' + (n + 1) + ' with a duplicate');
      // Also when the key has expired and is skipped (Redis checks before the TTL).
      const exp = new RdbOutput();
      writeHeader(exp, standardAux());
      exp.u8(0xfe);
      exp.u8(0);
      writeRecord(exp, Buffer.from('k'), value, 1000);
      writeTrailer(exp);
      assert.throws(() => loadRdbBuffer(new Keyspace(1), exp.take()), re, what + ' of ' + (n + 1) + ', expired, with a duplicate');
      // Without the duplicate the same record loads.
      const ok = new RdbOutput();
      writeHeader(ok, standardAux());
      ok.u8(0xfe);
      ok.u8(0);
      const trimmed =
        value.kind === 'set'
          ? { kind: 'set' as const, members: members.slice(0, n) }
          : value.kind === 'zset'
            ? { kind: 'zset' as const, members: members.slice(0, n), scores: scores.slice(0, n) }
            : { kind: 'hash' as const, fields: members.slice(0, n), values: values.slice(0, n) };
      writeRecord(ok, Buffer.from('k'), trimmed);
      writeTrailer(ok);
      const ks = new Keyspace(1);
      assert.equal(loadRdbBuffer(ks, ok.take()).keys, 1, what + ' of ' + n + ' loads');
    }
  }
});

test('big lists, hashes, sets and sorted sets written in pieces load back whole', async () => {
  const { beginObjectPieces, writeEntryHead, rdbTypeForObject, writeSelectDb } = await import('../../src/persistence/rdb-writer.js');
  const { DenseMap, DenseSet } = await import('../../src/store/dense.js');
  const { List } = await import('../../src/store/types/list.js');
  const { ZSet } = await import('../../src/store/types/zset.js');
  const { TYPE_HASH, TYPE_LIST, TYPE_SET, TYPE_STREAM, TYPE_ZSET } = await import('../../src/store/db.js');
  const { Stream } = await import('../../src/store/types/stream.js');
  (await import('../../src/persistence/stream-codec.js')).installStreamCodec();
  const { valueContent } = await import('../../src/persistence/rdb-values.js');
  sampleKeyspace(); // registers the value types' codecs
  const n = 5000;
  const h = new DenseMap<Buffer>();
  const s = new DenseSet();
  const l = new List();
  for (let i = 0; i < n; i++) {
    h.set('f' + i, Buffer.from('value-' + i + '-'.repeat(i % 30)));
    s.add(i % 3 === 0 ? String(i) : 'member-' + i);
    l.pushTail(Buffer.from('e' + i));
  }
  const z = ZSet.fromEntries(
    { entries: 128, value: 64 },
    Array.from({ length: n }, (_x, i) => 'z' + i),
    Array.from({ length: n }, (_x, i) => (i * 31) % 97),
  );
  const st = new Stream();
  for (let i = 1; i <= n; i++) st.append({ ms: BigInt(i), seq: 0n }, [Buffer.from('f'), Buffer.from('v' + i)], 4096, 100);
  const values: Array<[number, unknown]> = [
    [TYPE_STREAM, st],
    [TYPE_HASH, h],
    [TYPE_SET, s],
    [TYPE_LIST, l],
    [TYPE_ZSET, z],
  ];
  const out = new RdbOutput();
  writeHeader(out, standardAux());
  writeSelectDb(out, 0, values.length, 0);
  let calls = 0;
  for (const [type, obj] of values) {
    writeEntryHead(out, Buffer.from('k' + type), rdbTypeForObject(type, out.version));
    const w = beginObjectPieces(out, type, obj);
    assert.ok(w !== null, 'type ' + type + ' is written in pieces');
    // A deadline already past: every call writes one batch and returns.
    let parts = 0;
    while (!w.write(out, 0)) parts++;
    w.release();
    assert.ok(parts > 3, 'type ' + type + ' took ' + (parts + 1) + ' pieces');
    calls += parts;
  }
  writeTrailer(out);
  const ks = new Keyspace(1);
  assert.equal(loadRdbBuffer(ks, out.take()).keys, values.length);
  const db = ks.db(0);
  for (const [type, obj] of values) {
    const id = db.find(Buffer.from('k' + type));
    assert.ok(id >= 0);
    const norm = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (Buffer.isBuffer(x) ? x.toString('latin1') : x));
    if (type === TYPE_STREAM) {
      const norm = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (Buffer.isBuffer(x) ? x.toString('latin1') : typeof x === 'bigint' ? String(x) : x));
      assert.equal(norm(valueContent(type, db.getObject(id))), norm(valueContent(type, obj)), 'stream');
      continue;
    }
    const got = valueContent(type, db.getObject(id)) as unknown as Record<string, unknown[]>;
    const want = valueContent(type, obj) as unknown as Record<string, unknown[]>;
    // Sets and hashes have no order; compare sorted.
    const sortAll = (v: Record<string, unknown[]>): string =>
      norm(Object.fromEntries(Object.entries(v).map(([k, x]) => [k, Array.isArray(x) && type !== TYPE_LIST && type !== TYPE_ZSET ? [...x].map((e) => norm(e)).sort() : x])));
    assert.equal(sortAll(got), sortAll(want), 'type ' + type);
  }
  assert.ok(calls > 12);
});

test('frozen pieces write big lists, hashes, sets, sorted sets and streams as they were when writing began, whatever changes meanwhile', async () => {
  const { beginObjectPieces, writeEntryHead, rdbTypeForObject, writeSelectDb } = await import('../../src/persistence/rdb-writer.js');
  const { DenseMap, DenseSet } = await import('../../src/store/dense.js');
  const { ZSet } = await import('../../src/store/types/zset.js');
  const { List } = await import('../../src/store/types/list.js');
  const { TYPE_HASH, TYPE_LIST, TYPE_SET, TYPE_ZSET } = await import('../../src/store/db.js');
  const { valueContent } = await import('../../src/persistence/rdb-values.js');
  sampleKeyspace();
  const n = 3000;
  let seed = 7;
  const rnd = (k: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % k;
  };
  const h = new DenseMap<Buffer>();
  const s = new DenseSet();
  for (let i = 0; i < n; i++) {
    h.set('f' + i, Buffer.from('v' + i));
    s.add('m' + i);
  }
  const z = ZSet.fromEntries({ entries: 128, value: 64 }, Array.from({ length: n }, (_x, i) => 'z' + i), Array.from({ length: n }, (_x, i) => i % 101));
  const l = new List();
  for (let i = 0; i < n; i++) l.pushTail(Buffer.from('e' + (i % 10) + '-' + i));
  const norm = (type: number, v: unknown): string => {
    const c = valueContent(type, v) as unknown as Record<string, unknown[]>;
    const j = (x: unknown): string => JSON.stringify(x, (_k, y: unknown) => (Buffer.isBuffer(y) ? y.toString('latin1') : y));
    // A list's order matters; the others' does not.
    return j(Object.fromEntries(Object.entries(c).map(([k, x]) => [k, Array.isArray(x) ? (type === TYPE_LIST ? x.map((e) => j(e)) : x.map((e) => j(e)).sort()) : x])));
  };
  // Each value is changed between pieces: overwrites, deletes (swap-removes), adds, and once a
  // clear() followed by new members.
  const mutators: Array<[number, unknown, () => string, (round: number) => void]> = [
    [
      TYPE_HASH,
      h,
      () => norm(TYPE_HASH, h),
      (round) => {
        for (let j = 0; j < 40; j++) {
          const r = rnd(3);
          if (r === 0) h.set('f' + rnd(n), Buffer.from('changed' + round));
          else if (r === 1) h.delete('f' + rnd(n));
          else h.set('new' + round + '.' + j, Buffer.from('x'));
        }
        if (round === 12) {
          h.clear();
          for (let j = 0; j < 50; j++) h.set('after-clear' + j, Buffer.from('y'));
        }
      },
    ],
    [
      TYPE_SET,
      s,
      () => norm(TYPE_SET, s),
      (round) => {
        for (let j = 0; j < 40; j++) {
          if (rnd(2) === 0) s.delete('m' + rnd(n));
          else s.add('new' + round + '.' + j);
        }
        if (round === 9) s.clear();
      },
    ],
    [
      TYPE_ZSET,
      z,
      () => norm(TYPE_ZSET, z),
      (round) => {
        for (let j = 0; j < 40; j++) {
          const r = rnd(3);
          if (r === 0) z.set('z' + rnd(n), 1000 + round, { entries: 128, value: 64 });
          else if (r === 1) z.remove('z' + rnd(n));
          else z.set('new' + round + '.' + j, round, { entries: 128, value: 64 });
        }
      },
    ],
  ];
  // The list: pushes and pops at both ends (into and out of the nodes being read), same-length
  // and other LSETs, inserts, LREM and trims.
  mutators.push([
    TYPE_LIST,
    l,
    () => norm(TYPE_LIST, l),
    (round) => {
      for (let j = 0; j < 30; j++) {
        const r = rnd(9);
        if (r === 0) l.pushTail(Buffer.from('t' + round + '.' + j));
        else if (r === 1) l.pushHead(Buffer.from('h' + round + '.' + j));
        else if (r === 2 && l.length > 0) l.popHead();
        else if (r === 3 && l.length > 0) l.popTail();
        else if (r === 4 && l.length > 0) l.set(rnd(l.length), Buffer.from('S' + (l.at(0).length > 3 ? 'x' : ''))); // any length
        else if (r === 5 && l.length > 0) {
          const i = rnd(l.length);
          l.set(i, Buffer.alloc(l.at(i).length, 'Q')); // same length: in place
        } else if (r === 6 && l.length > 0) l.insert(rnd(l.length), Buffer.from('ins' + round));
        else if (r === 7) l.remove(Buffer.from('e' + rnd(10) + '-' + rnd(n)), 0, rnd(2) === 0);
        else if (l.length > 100) {
          if (rnd(2) === 0) l.trimHead(1 + rnd(90));
          else l.trimTail(1 + rnd(90));
        }
      }
    },
  ]);
  // A stream: appends into the last node, deletions and exact/approximate trims in any node,
  // and its group's PEL.
  const { Stream, TRIM_MAXLEN } = await import('../../src/store/types/stream.js');
  const { idKeyOf } = await import('../../src/store/types/stream-id.js');
  const { TYPE_STREAM } = await import('../../src/store/db.js');
  (await import('../../src/persistence/stream-codec.js')).installStreamCodec();
  const { ConsumerGroup, Nack, Consumer } = await import('../../src/store/types/stream-group.js');
  const st = new Stream();
  for (let i = 1; i <= n; i++) st.append({ ms: 1n, seq: BigInt(i) }, [Buffer.from('f'), Buffer.from('v' + i)], 4096, 40);
  const g = new ConsumerGroup(Buffer.from('g'), { ms: 1n, seq: 10n }, 10n);
  const c = new Consumer(Buffer.from('c'), 5);
  g.consumers.set('c', c);
  for (let i = 1; i <= 10; i++) {
    const nack = new Nack(c, 100 + i, 1);
    g.pel.set(idKeyOf({ ms: 1n, seq: BigInt(i) }), nack);
    c.pel.set(idKeyOf({ ms: 1n, seq: BigInt(i) }), nack);
  }
  st.groups.set('g', g);
  const streamText = (): string => JSON.stringify(valueContent(TYPE_STREAM, st), (_k, y: unknown) => (typeof y === 'bigint' ? String(y) : Buffer.isBuffer(y) ? y.toString('hex') : y));
  let nextSeq = n + 1;
  mutators.push([
    TYPE_STREAM,
    st,
    streamText,
    (round) => {
      for (let j = 0; j < 20; j++) st.append({ ms: 1n, seq: BigInt(nextSeq++) }, [Buffer.from('f'), Buffer.from('new')], 4096, 40);
      for (let j = 0; j < 20; j++) st.delete({ ms: 1n, seq: BigInt(1 + rnd(n)) });
      if (round % 3 === 0) st.trim(TRIM_MAXLEN, st.length - 50, { ms: 0n, seq: 0n }, false, 0); // exact MAXLEN
      if (round % 5 === 0) st.trim(TRIM_MAXLEN, st.length - 300, { ms: 0n, seq: 0n }, true, 0); // approximate
      g.pel.delete(idKeyOf({ ms: 1n, seq: BigInt(round) }));
    },
  ]);
  for (const [type, obj, now, mutate] of mutators) {
    const before = now();
    const out = new RdbOutput({ version: 11 }); // streams keep entries-read from version 10
    writeHeader(out, standardAux());
    writeSelectDb(out, 0, 1, 0);
    writeEntryHead(out, Buffer.from('k'), rdbTypeForObject(type, out.version));
    const w = beginObjectPieces(out, type, obj);
    assert.ok(w !== null, 'type ' + type + ' is written in pieces');
    let round = 0;
    while (!w.write(out, 0)) mutate(++round);
    w.release();
    assert.ok(round > 8, 'type ' + type + ': ' + round + ' rounds of changes');
    if (type !== TYPE_LIST && type !== TYPE_STREAM) assert.equal((type === TYPE_ZSET ? (obj as InstanceType<typeof ZSet>).dict! : (obj as InstanceType<typeof DenseSet>)).viewCount, 0, 'released');
    assert.notEqual(now(), before, 'type ' + type + ' changed');
    writeTrailer(out);
    const ks = new Keyspace(1);
    assert.equal(loadRdbBuffer(ks, out.take()).keys, 1);
    const db = ks.db(0);
    const loaded = db.getObject(db.find(Buffer.from('k')));
    if (type === TYPE_STREAM) {
      const text = JSON.stringify(valueContent(TYPE_STREAM, loaded), (_k, y: unknown) => (typeof y === 'bigint' ? String(y) : Buffer.isBuffer(y) ? y.toString('hex') : y));
      if (text !== before) {
        let d = 0;
        while (text[d] === before[d]) d++;
        assert.fail('the stream differs at ' + d + ': ' + text.slice(d - 200, d + 200) + ' VS ' + before.slice(d - 200, d + 200));
      }
    } else assert.equal(norm(type, loaded), before, 'type ' + type + ' as it was');
  }
});
