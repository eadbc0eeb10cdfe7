import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Stream, TRIM_MAXLEN, TRIM_MINID } from '../../src/store/types/stream.js';
import { streamFromParts, streamParts, cloneStream, ENTRIES_READ_INVALID } from '../../src/store/types/stream-parts.js';
import { ConsumerGroup, Nack, estimateEntriesRead, groupLag } from '../../src/store/types/stream-group.js';
import { IdIndex } from '../../src/store/types/id-index.js';
import { U64_MAX, formatId, idKey, parseIdArg, parseU64, SEQ_AUTO } from '../../src/store/types/stream-id.js';
import { listpackValues } from '../../src/store/listpack.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const id = (ms: number | bigint, seq: number | bigint) => ({ ms: BigInt(ms), seq: BigInt(seq) });

function entries(s: Stream): string[] {
  const out: string[] = [];
  s.range(id(0, 0), id(U64_MAX, U64_MAX), false, (e) => {
    out.push(e.ms + '-' + e.seq + ':' + e.fv.map((x) => x.toString('latin1')).join(','));
    return true;
  });
  return out;
}

// Node listpack redis-server 7.0.15 stored for vector 12 of the RDB spec
// (XADD 1-1 f1 v1 f2 v2; XADD 1-2 f1 v3 f2 v4; XADD 2-0 other x; XDEL 1-2), taken from the RDB.
const VECTOR_12_LP =
  '4c000000190002010101020182663103826632030001020100010001827631038276320305010301000101018276330382763403050100010101dfff020101856f74686572068178020601ff';

test('node layout is byte-identical to the listpack Redis builds (vector 12)', () => {
  const s = new Stream();
  s.append(id(1, 1), [b('f1'), b('v1'), b('f2'), b('v2')], 4096, 100);
  s.append(id(1, 2), [b('f1'), b('v3'), b('f2'), b('v4')], 4096, 100);
  s.append(id(2, 0), [b('other'), b('x')], 4096, 100);
  assert.equal(s.delete(id(1, 2)), true);
  const nodes = [...s.nodeList()];
  assert.equal(nodes.length, 1);
  assert.equal(nodes[0]!.lp().toString('hex'), VECTOR_12_LP);
  assert.deepEqual(entries(s), ['1-1:f1,v1,f2,v2', '2-0:other,x']);
  assert.equal(s.length, 2);
  assert.equal(formatId(s.maxDeletedId), '1-2');
  assert.equal(formatId(s.firstId), '1-1');
  assert.equal(s.entriesAdded, 3n);
});

test('nodes split on stream-node-max-entries (live + deleted) and max-bytes; XDEL frees empty nodes', () => {
  const s = new Stream();
  for (let i = 1; i <= 7; i++) s.append(id(i, 0), [b('f'), b(String(i))], 4096, 3);
  assert.equal(s.nodeCount, 3);
  // 3 node keys 1-0, 4-0, 7-0 share 7 bytes then branch: compressed + branch + 3 * (compressed + leaf)
  assert.equal(s.raxNodeCount(), 8);
  s.delete(id(4, 0));
  s.delete(id(5, 0));
  assert.equal(s.nodeCount, 3);
  s.delete(id(6, 0));
  assert.equal(s.nodeCount, 2, 'a node with no live entry is freed');
  const t = new Stream();
  t.append(id(1, 0), [b('field'), b('x'.repeat(40))], 100, 0);
  t.append(id(2, 0), [b('field'), b('x'.repeat(40))], 100, 0);
  assert.equal(t.nodeCount, 2, 'listpack bytes + new field/value lengths >= max-bytes starts a node');
});

test('trimming: exact MAXLEN/MINID tombstone entries, approximate removes whole nodes within LIMIT', () => {
  const mk = () => {
    const s = new Stream();
    for (let i = 1; i <= 10; i++) s.append(id(i, 0), [b('f'), b(String(i))], 4096, 4);
    return s;
  };
  let s = mk();
  assert.equal(s.trim(TRIM_MAXLEN, 7, id(0, 0), true, 0), 0, 'the first node holds 4: removing it would leave 6 < 7');
  assert.equal(s.trim(TRIM_MAXLEN, 6, id(0, 0), true, 0), 4);
  assert.equal(s.length, 6);
  s = mk();
  assert.equal(s.trim(TRIM_MAXLEN, 3, id(0, 0), false, 0), 7);
  assert.deepEqual(entries(s), ['8-0:f,8', '9-0:f,9', '10-0:f,10']);
  assert.equal(formatId(s.firstId), '8-0');
  s = mk();
  assert.equal(s.trim(TRIM_MINID, 0, id(6, 0), true, 5), 4, 'LIMIT 5 stops before the second node');
  s = mk();
  assert.equal(s.trim(TRIM_MINID, 0, id(6, 0), false, 0), 5);
  assert.deepEqual(entries(s)[0], '6-0:f,6');
});

test('IDs: unsigned 64-bit both parts, strtoull quirks, incomplete and auto-seq forms', () => {
  assert.deepEqual(parseIdArg(b('18446744073709551615-18446744073709551615'), 0n, true), id(U64_MAX, U64_MAX));
  assert.equal(parseIdArg(b('18446744073709551616-1'), 0n, true), null);
  assert.deepEqual(parseIdArg(b(' 1-+2'), 0n, true), id(1, 2));
  assert.deepEqual(parseIdArg(b('5--18446744073709551615'), 0n, true), id(5, 1));
  assert.deepEqual(parseIdArg(b('7'), U64_MAX, true), id(7, U64_MAX));
  assert.deepEqual(parseIdArg(b('7-*'), 0n, true, true), { ms: 7n, seq: SEQ_AUTO });
  assert.equal(parseIdArg(b('-'), 0n, true), null);
  assert.deepEqual(parseIdArg(b('+'), 0n, false), id(U64_MAX, U64_MAX));
  assert.equal(parseIdArg(b('1-'), 0n, false), null);
  assert.deepEqual(parseIdArg(b('3-1\x00junk'), 0n, true), id(3, 1), 'read as a C string');
  assert.equal(parseU64(b('-1')), null);
  assert.equal(parseU64(b('00012')), 12n);
  assert.ok(idKey(1n, 2n) < idKey(1n, 3n) && idKey(1n, U64_MAX) < idKey(2n, 0n));
});

test('deltas wrap modulo 2^64: IDs near the top of the range round-trip through a node', () => {
  const s = new Stream();
  s.append(id(5, U64_MAX - 1n), [b('a'), b('1')], 4096, 100);
  s.append(id(6, 0), [b('a'), b('2')], 4096, 100);
  s.append(id(U64_MAX, U64_MAX), [b('a'), b('3')], 4096, 100);
  assert.deepEqual(entries(s), ['5-18446744073709551614:a,1', '6-0:a,2', '18446744073709551615-18446744073709551615:a,3']);
  assert.deepEqual(
    listpackValues([...s.nodeList()][0]!.lp()).map((x) => x.toString('latin1')).slice(5, 8),
    ['2', '0', '0'],
    'first entry: SAMEFIELDS, deltas 0',
  );
});

test('parts round trip (RDB load/save API) keeps nodes, metadata, groups and PELs', () => {
  const s = new Stream();
  for (let i = 1; i <= 5; i++) s.append(id(i, 1), [b('k'), b('v' + i)], 4096, 2);
  s.delete(id(2, 1));
  const g = new ConsumerGroup(b('grp'), id(3, 1), 3n);
  const { consumer } = g.consumer(b('alice'), 1000);
  for (const k of [idKey(1n, 1n), idKey(3n, 1n)]) {
    const nack = new Nack(consumer, 1234, 2);
    g.pel.set(k, nack);
    consumer.pel.set(k, nack);
  }
  g.consumer(b('bob'), 2000);
  s.groups.set('grp', g);
  const parts = streamParts(s);
  assert.equal(parts.nodes.length, 3);
  assert.deepEqual(parts.groups[0]!.consumers.map((c) => c.name.toString()), ['alice', 'bob']);
  const t = streamFromParts(parts);
  assert.deepEqual(entries(t), entries(s));
  assert.deepEqual(streamParts(t), parts);
  const u = cloneStream(s);
  u.append(id(9, 9), [b('x'), b('y')], 4096, 2);
  assert.equal(s.length, 4, 'a clone is independent');
  assert.throws(() => streamFromParts({ ...parts, groups: [{ ...parts.groups[0]!, consumers: [] }] }), /owned by no consumer/);
  assert.equal(ENTRIES_READ_INVALID, -1n);
});

test('lag and entries-read estimates follow the tombstone rules', () => {
  const s = new Stream();
  for (let i = 1; i <= 4; i++) s.append(id(i, 0), [b('a'), b('1')], 4096, 100);
  const g = new ConsumerGroup(b('g'), id(0, 0), ENTRIES_READ_INVALID);
  assert.equal(groupLag(s, g), 4n, 'before the first entry, no tombstones: all 4 to read');
  assert.equal(estimateEntriesRead(s, id(1, 0)), 1n);
  s.delete(id(3, 0));
  assert.equal(groupLag(s, g), null, 'a tombstone after last-id makes the lag unknown');
  g.lastId = id(4, 0);
  assert.equal(groupLag(s, g), 0n);
  g.lastId = id(9, 0);
  assert.equal(groupLag(s, g), null, 'last-id beyond the stream');
});

test('IdIndex: ordered walks with tombstones, revival and compaction', () => {
  const ix = new IdIndex<number>();
  for (let i = 0; i < 200; i++) ix.set(idKey(BigInt(i), 0n), i);
  for (let i = 0; i < 150; i++) ix.delete(idKey(BigInt(i), 0n));
  ix.set(idKey(10n, 0n), 10);
  ix.set(idKey(5n, 5n), 55);
  const seen: number[] = [];
  ix.forEachFrom(null, (_k, v) => {
    seen.push(v);
    return seen.length < 4;
  });
  assert.deepEqual(seen, [55, 10, 150, 151]);
  const all: number[] = [];
  ix.forEachFrom(idKey(190n, 0n), (k, v) => {
    all.push(v);
    ix.delete(k);
    return true;
  });
  assert.deepEqual(all, [190, 191, 192, 193, 194, 195, 196, 197, 198, 199]);
  assert.equal(ix.size, 42);
  assert.equal(ix.firstKey(), idKey(5n, 5n));
  assert.equal(ix.lastKey(), idKey(189n, 0n));
});

test('stream: nodeBytes() (read after every write by the memory accounting) stays equal to the sum over its nodes', () => {
  const s = new Stream();
  const sum = (): number => {
    let n = 0;
    for (const node of s.nodeList()) n += node.buf.length + 96;
    return n;
  };
  let seed = 3;
  const rnd = (k: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % k;
  };
  let seq = 0;
  const pinned: Array<{ pins: number }> = [];
  for (let i = 0; i < 20000; i++) {
    const op = rnd(100);
    if (op < 70) s.append({ ms: 5n, seq: BigInt(++seq) }, [Buffer.from('f' + rnd(3)), Buffer.alloc(1 + rnd(300), 'v')], 4096, 1 + rnd(120));
    else if (op < 85) s.delete({ ms: 5n, seq: BigInt(1 + rnd(seq + 1)) });
    else if (op < 90) s.trim(TRIM_MAXLEN, Math.max(0, s.length - rnd(8)), { ms: 0n, seq: 0n }, rnd(2) === 0, 0);
    else if (op < 93) s.trim(TRIM_MINID, 0, { ms: 5n, seq: BigInt(Math.max(0, seq - 3000 + rnd(100))) }, rnd(2) === 0, 0);
    else if (op < 96) for (const n of s.pinNodes()) pinned.push(n); // node copies on write
    else for (const n of pinned.splice(0)) n.pins--;
    if (i % 97 === 0) assert.equal(s.nodeBytes(), sum(), 'after op ' + i);
  }
  assert.equal(s.nodeBytes(), sum());
  assert.ok(s.nodeCount > 5, 'nodes: ' + s.nodeCount + ', entries: ' + s.length);
});
