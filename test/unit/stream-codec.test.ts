/**
 * Streams through RDB with the stream type module: the stream of RDB vector 12 (written by
 * redis-server 7.0.15, with a deleted entry and a consumer group with a pending entry) loads
 * into a real Stream, and writing that Stream back gives the same RDB content, listpacks
 * byte for byte.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { vectorFiles } from '../helpers/rdb-json.js';
import { Keyspace, TYPE_STREAM } from '../../src/store/db.js';
import { loadRdbBuffer } from '../../src/persistence/rdb-loader.js';
import { parseRdb } from '../../src/persistence/rdb-reader.js';
import { rdbOfKeyspace } from '../../src/persistence/rdb-save.js';
import type { RdbStreamValue } from '../../src/persistence/rdb-format.js';
import { installStreamCodec } from '../../src/persistence/stream-codec.js';

function streamOf(rdb: Buffer): RdbStreamValue {
  let s: RdbStreamValue | null = null;
  parseRdb(rdb, { onKey: (r) => (s = (r.value as { stream: RdbStreamValue }).stream) });
  assert.ok(s !== null, 'the RDB holds a stream');
  return s;
}

test('vector 12 stream: RDB → Stream → RDB keeps nodes, metadata, groups, PEL and consumers', () => {
  installStreamCodec();
  const v12 = vectorFiles().find((v) => v.name.startsWith('12-'))!;
  const original = streamOf(v12.rdb);
  const ks = new Keyspace(16);
  loadRdbBuffer(ks, v12.rdb, { dropExpired: false });
  const db = ks.dbs[0]!;
  const id = db.find(Buffer.from('st'));
  assert.ok(id >= 0, 'key st loaded');
  assert.equal(db.typeOf(id), TYPE_STREAM);
  for (const version of [9, 10, 11]) {
    const again = streamOf(rdbOfKeyspace(ks, { version }));
    assert.deepEqual(again.nodes, original.nodes);
    // Type 15 (RDB 9) has no entries-added / max-deleted-id: readers derive them, as Redis does.
    const want =
      version === 9 ? { ...original, entriesAdded: original.length, maxDeletedId: { ms: 0n, seq: 0n } } : original;
    const plain = (v: RdbStreamValue): unknown => ({
      ...v,
      nodes: [],
      groups: v.groups.map((g) => ({ ...g, consumers: g.consumers.map((c) => ({ ...c, activeTime: 0n })) })),
    });
    assert.deepEqual(plain(again), plain(want), 'version ' + version);
  }
});
