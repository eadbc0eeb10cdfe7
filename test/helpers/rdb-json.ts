/**
 * Test helper: the logical content of an RDB in the JSON shape of
 * /work/shared/specs/rdb-vectors/NN-*.json (§6 of the spec), built with our reader.
 */

import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { formatDouble } from '../../src/util/numbers.js';
import { parseRdb, type RdbSink } from '../../src/persistence/rdb-reader.js';
import type { RdbKeyRecord, RdbStreamValue, RdbValue, StreamId } from '../../src/persistence/rdb-format.js';
import { streamEntries } from '../../src/persistence/rdb-stream.js';

export const VECTOR_DIR = process.env['RDB_VECTORS'] ?? '/work/shared/specs/rdb-vectors';

export interface VectorFile {
  name: string;
  rdb: Buffer;
  json: Record<string, unknown> | null;
}

/** Every NN-*.rdb (with its .json) and legacy/*.rdb (json from test/unit/fixtures). */
export function vectorFiles(): VectorFile[] {
  const out: VectorFile[] = [];
  for (const f of readdirSync(VECTOR_DIR).sort()) {
    if (!f.endsWith('.rdb')) continue;
    const j = path.join(VECTOR_DIR, f.replace(/\.rdb$/, '.json'));
    out.push({ name: f, rdb: readFileSync(path.join(VECTOR_DIR, f)), json: existsSync(j) ? (JSON.parse(readFileSync(j, 'latin1')) as Record<string, unknown>) : null });
  }
  return out;
}

export function legacyFiles(): Array<{ name: string; rdb: Buffer }> {
  const dir = path.join(VECTOR_DIR, 'legacy');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.rdb'))
    .sort()
    .map((f) => ({ name: f, rdb: readFileSync(path.join(dir, f)) }));
}

function s(b: Buffer): string {
  return b.toString('latin1');
}

function idText(id: StreamId): string {
  return id.ms + '-' + id.seq;
}

function scoreJson(x: number): number | string {
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return x;
}

export function streamJson(v: RdbStreamValue): Record<string, unknown> {
  return {
    entries: streamEntries(v).map((e) => {
      const fields: string[][] = [];
      for (let i = 0; i < e.fields.length; i += 2) fields.push([s(e.fields[i]!), s(e.fields[i + 1]!)]);
      return { id: idText(e.id), fields };
    }),
    nodes: v.nodes.map((n) => ({ master_id: idText(n.masterId), lp_bytes: n.listpack.length })),
    length: Number(v.length),
    last_id: idText(v.lastId),
    first_id: idText(v.firstId),
    max_deleted_entry_id: idText(v.maxDeletedId),
    entries_added: Number(v.entriesAdded),
    groups: v.groups.map((g) => ({
      name: s(g.name),
      last_id: idText(g.lastId),
      entries_read: Number(BigInt.asUintN(64, g.entriesRead)),
      pel: g.pel.map((p) => ({ id: idText(p.id), delivery_time: Number(p.deliveryTime), delivery_count: Number(p.deliveryCount) })),
      consumers: g.consumers.map((c) => ({ name: s(c.name), seen_time: Number(c.seenTime), pel: c.pel.map(idText) })),
    })),
  };
}

/** A decoded value in the vectors' JSON shape. */
export function valueJson(v: RdbValue): unknown {
  switch (v.kind) {
    case 'string':
      return s(v.value);
    case 'list':
      return v.elements.map(s);
    case 'set':
      return v.members.map(s).sort();
    case 'zset': {
      const idx = v.members.map((_m, i) => i);
      idx.sort((a, b) => v.scores[a]! - v.scores[b]! || (s(v.members[a]!) < s(v.members[b]!) ? -1 : 1));
      return idx.map((i) => [s(v.members[i]!), scoreJson(v.scores[i]!)]);
    }
    case 'hash': {
      const o: Record<string, string> = {};
      v.fields.forEach((f, i) => (o[s(f)] = s(v.values[i]!)));
      return o;
    }
    case 'stream':
      return streamJson(v.stream);
  }
}

const TYPE_NAME: Record<RdbValue['kind'], string> = { string: 'string', list: 'list', set: 'set', zset: 'zset', hash: 'hash', stream: 'stream' };

export function recordJson(r: RdbKeyRecord, withRdbType = true): Record<string, unknown> {
  const o: Record<string, unknown> = { type: TYPE_NAME[r.value.kind] };
  if (withRdbType) o['rdb_type'] = r.rdbType;
  o['value'] = valueJson(r.value);
  if (r.expireMs !== -1) o['expire_ms'] = r.expireMs;
  if (r.lruIdle !== -1) o['lru_idle_s'] = r.lruIdle;
  if (r.lfuFreq !== -1) o['lfu_freq'] = r.lfuFreq;
  return o;
}

/** The whole file in the vector JSON shape (aux, functions, resizedb, databases, rdb_version). */
export function rdbJson(data: Buffer, chunked?: (sink: RdbSink) => void): Record<string, unknown> {
  const aux: Record<string, string> = {};
  const functions: string[] = [];
  const resizedb: Record<string, number[]> = {};
  const databases: Record<string, Record<string, unknown>> = {};
  let db = 0;
  let version = 0;
  let checksum = -1n;
  const sink: RdbSink = {
    onHeader: (v) => (version = v),
    onAux: (n, v) => (aux[s(n)] = s(v)),
    onSelectDb: (n) => (db = n),
    onResizeDb: (a, b) => (resizedb[String(db)] = [a, b]),
    onFunction: (code) => functions.push(s(code)),
    onKey: (r) => {
      const d = (databases[String(r.db)] ??= {});
      if (s(r.key) in d) throw new Error('duplicate key ' + s(r.key));
      d[s(r.key)] = recordJson(r);
    },
    onEnd: (c) => (checksum = c),
  };
  if (chunked) chunked(sink);
  else parseRdb(data, sink);
  return { rdb_version: version, aux, functions, resizedb, databases, crc64_value_hex: checksum.toString(16).padStart(16, '0') };
}

export { formatDouble };
