/**
 * Every RDB of /work/shared/specs/rdb-vectors decodes to exactly its JSON (written by an
 * independent parser and checked against redis-server 7.0.15), and loads into a Keyspace with
 * the encodings redis-server reported; the legacy files match what redis-server 7.0.15 loaded
 * from them (test/unit/fixtures/legacy-rdb-contents.json, from gen-legacy-rdb.mjs).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { legacyFiles, rdbJson, valueJson, vectorFiles } from '../helpers/rdb-json.js';
import { Keyspace, TYPE_HASH, TYPE_LIST, TYPE_SET, TYPE_STRING, TYPE_ZSET, type Db } from '../../src/store/db.js';
import { loadRdbBuffer } from '../../src/persistence/rdb-loader.js';
import { valueContent } from '../../src/persistence/rdb-values.js';
import { RdbError } from '../../src/persistence/rdb-format.js';
import { setEncoding } from '../../src/store/types/set.js';
import { hashEncoding, type HashObj } from '../../src/store/types/hash.js';
import type { ZSet } from '../../src/store/types/zset.js';
import { stringEncoding } from '../../src/commands/keys.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const legacyExpected = JSON.parse(readFileSync(path.join(here, 'fixtures', 'legacy-rdb-contents.json'), 'latin1')) as Record<
  string,
  { loads: boolean; databases?: Record<string, Record<string, { type: string; value: unknown; encoding: string; expire_ms?: number }>> }
>;

const TYPE_NAMES = ['string', 'list', 'set', 'zset', 'hash', 'stream'];

function encodingOf(db: Db, id: number): string {
  const t = db.typeOf(id);
  if (t === TYPE_STRING) return stringEncoding(db, id);
  if (t === TYPE_LIST) return 'quicklist';
  if (t === TYPE_SET) return setEncoding(db.getObject(id));
  if (t === TYPE_HASH) return hashEncoding(db.getObject<HashObj>(id));
  if (t === TYPE_ZSET) return db.getObject<ZSet>(id).encoding();
  return 'stream';
}

/** Keyspace contents as {db: {key: {type, value, encoding, expire_ms?}}}. */
function keyspaceJson(ks: Keyspace): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  ks.dbs.forEach((db, i) => {
    if (db.size === 0) return;
    const d: Record<string, unknown> = (out[String(i)] = {});
    db.forEach((id) => {
      const t = db.typeOf(id);
      const e: Record<string, unknown> = {
        type: TYPE_NAMES[t],
        value: valueJson(valueContent(t, t === TYPE_STRING ? db.getString(id) : db.getObject(id))),
        encoding: encodingOf(db, id),
      };
      if (db.expireAt(id) !== -1) e['expire_ms'] = db.expireAt(id);
      d[db.keyView(id).toString('latin1')] = e;
    });
  });
  return out;
}

function normalize(x: unknown): unknown {
  return JSON.parse(JSON.stringify(x));
}

for (const v of vectorFiles()) {
  test('vector ' + v.name + ' decodes to its JSON', () => {
    const got = rdbJson(v.rdb);
    const j = v.json!;
    for (const k of ['rdb_version', 'aux', 'functions', 'resizedb', 'databases', 'crc64_value_hex']) {
      assert.deepEqual(normalize(got[k]), normalize(j[k]), k);
    }
  });

  if (v.name.startsWith('12-')) continue; // the stream of vector 12: test/unit/stream-codec.test.ts
  test('vector ' + v.name + ' loads into a keyspace with the encodings redis-server had', () => {
    const ks = new Keyspace(16);
    // The vectors were saved in 2026-2027: do not let the clock drop keys with old expires.
    loadRdbBuffer(ks, v.rdb, { dropExpired: false });
    const got = keyspaceJson(ks);
    const dbs = (v.json!['databases'] ?? {}) as Record<string, Record<string, Record<string, unknown>>>;
    const enc = (v.json!['object_encoding_in_memory'] ?? {}) as Record<string, Record<string, string>>;
    const want: Record<string, Record<string, unknown>> = {};
    for (const [db, keys] of Object.entries(dbs)) {
      want[db] = {};
      for (const [k, e] of Object.entries(keys)) {
        const w: Record<string, unknown> = { type: e['type'], value: e['value'], encoding: enc[db]?.[k] };
        if (e['expire_ms'] !== undefined) w['expire_ms'] = e['expire_ms'];
        // object_encoding_in_memory is from before SAVE: 09 and 11 forced the big encodings with
        // CONFIG SET, which a reload with the default limits undoes (Redis does the same).
        if (v.name.startsWith('09-')) w['encoding'] = 'listpack';
        if (v.name.startsWith('11-')) w['encoding'] = 'listpack';
        if (v.name.startsWith('90-')) delete w['encoding']; // not produced by redis-server
        want[db][k] = w;
      }
    }
    if (v.name.startsWith('90-')) for (const d of Object.values(got)) for (const e of Object.values(d)) delete (e as Record<string, unknown>)['encoding'];
    assert.deepEqual(normalize(got), normalize(want));
  });
}

for (const f of legacyFiles()) {
  const want = legacyExpected[f.name];
  test('legacy ' + f.name + (want?.loads === false ? ' is refused cleanly' : ' loads like redis-server 7.0.15 loaded it'), () => {
    assert.ok(want !== undefined, 'fixture missing for ' + f.name + ': run test/unit/fixtures/gen-legacy-rdb.mjs');
    const ks = new Keyspace(16);
    if (!want.loads) {
      assert.throws(() => loadRdbBuffer(ks, f.rdb), (e: unknown) => e instanceof RdbError && /integrity check failed/.test(e.message));
      return;
    }
    loadRdbBuffer(ks, f.rdb, { dropExpired: false });
    assert.deepEqual(normalize(keyspaceJson(ks)), normalize(want.databases));
  });
}

test('a primary drops expired keys when loading; a replica (dropExpired false) keeps them', () => {
  const v = vectorFiles().find((x) => x.name.startsWith('03-'))!;
  const later = 4102444800000 + 1;
  const ks1 = new Keyspace(16);
  const st = loadRdbBuffer(ks1, v.rdb, { nowMs: later });
  assert.equal(st.keys, 2);
  assert.equal(st.expiredSkipped, 1); // e:exat expired; e:pxat (123 ms later) and e:none stay
  assert.equal(ks1.db(0).find(Buffer.from('e:exat')), -1);
  const ks2 = new Keyspace(16);
  assert.equal(loadRdbBuffer(ks2, v.rdb, { nowMs: later, dropExpired: false }).keys, 3);
});

test('duplicate keys and databases beyond the configured count are fatal', () => {
  const v = vectorFiles().find((x) => x.name.startsWith('13-'))!;
  assert.throws(() => loadRdbBuffer(new Keyspace(4), v.rdb), /more than 4 databases/);
  const ks = new Keyspace(16);
  ks.db(0).setString(Buffer.from('a'), Buffer.from('x'));
  assert.throws(() => loadRdbBuffer(ks, v.rdb), /Duplicated key found in RDB file/);
});
