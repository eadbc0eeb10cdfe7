/**
 * Fuzzing the reader with truncated and bit-flipped vectors (thousands of cases, bounded time):
 * every case either parses or throws an RdbError naming an offset, never anything else, never
 * hangs; and feeding it in random chunk sizes gives the same outcome as one buffer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RdbReader, type RdbReaderOptions, type RdbSink } from '../../src/persistence/rdb-reader.js';
import { RdbError } from '../../src/persistence/rdb-format.js';
import { legacyFiles, recordJson, vectorFiles } from '../helpers/rdb-json.js';
import { rdbOfKeyspace } from '../../src/persistence/rdb-save.js';
import { sampleKeyspace } from '../helpers/rdb-dataset.js';

const corpus: Array<{ name: string; rdb: Buffer }> = [
  ...vectorFiles().map((v) => ({ name: v.name, rdb: v.rdb })),
  ...legacyFiles(),
  { name: 'ours', rdb: rdbOfKeyspace(sampleKeyspace(false)) },
];

let seed = 0x5eed;
function rnd(n: number): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed % n;
}

/** Parses `data` fed in chunks of sizes from `chunk`; a string describing records or the error. */
function outcome(data: Buffer, chunk: () => number, opts: RdbReaderOptions): string {
  const recs: string[] = [];
  const sink: RdbSink = {
    onAux: (n, v) => recs.push('aux ' + n.toString('hex') + '=' + v.toString('hex')),
    onSelectDb: (d) => recs.push('db ' + d),
    onFunction: (c) => recs.push('fn ' + c.toString('hex')),
    onKey: (r) => recs.push(r.key.toString('hex') + ' ' + JSON.stringify(recordJson(r))),
  };
  const r = new RdbReader(sink, opts);
  try {
    let p = 0;
    while (p < data.length) {
      const n = chunk();
      r.feed(data.subarray(p, p + n));
      p += n;
    }
    r.end();
    return recs.join('\n') + '\nOK';
  } catch (e) {
    if (!(e instanceof RdbError)) throw new Error('not an RdbError: ' + String((e as Error).stack ?? e));
    // The reader wraps stray RangeErrors this way: each would be a missing bounds check.
    assert.doesNotMatch(e.message, /^corrupt RDB \(/);
    assert.match(e.message, /\(at offset -?\d+\)$/);
    return 'ERR ' + e.message;
  }
}

function check(data: Buffer, opts: RdbReaderOptions): string {
  const whole = outcome(data, () => data.length, opts);
  const pieces = outcome(data, () => 1 + rnd(rnd(4) === 0 ? 1 : 40), opts);
  // Records before an error may be delivered in smaller batches but must be the same ones.
  assert.equal(pieces, whole);
  return whole;
}

test('every truncation of every file is a clean "unexpected end" error', () => {
  const t0 = performance.now();
  let cases = 0;
  for (const f of corpus) {
    if (f.rdb.length > 5000) continue;
    for (let n = 0; n < f.rdb.length; n++) {
      const cut = f.rdb.subarray(0, n);
      for (const opts of [{}, { totalLength: n }]) {
        const o = check(cut, opts);
        assert.ok(o.startsWith('ERR'), f.name + ' truncated at ' + n + ' of ' + f.rdb.length + ' parsed as complete');
        cases++;
      }
    }
  }
  assert.ok(cases > 3000, String(cases));
  assert.ok(performance.now() - t0 < 120000);
});

test('bit flips, byte changes and splices: parse or a clean RdbError (checksum on and off)', () => {
  let cases = 0;
  let errors = 0;
  const t0 = performance.now();
  for (let iter = 0; iter < 6000; iter++) {
    const f = corpus[rnd(corpus.length)]!;
    const b = Buffer.from(f.rdb);
    const kind = rnd(4);
    const flips = 1 + rnd(3);
    for (let k = 0; k < flips; k++) {
      const at = 9 + rnd(b.length - 9);
      if (kind === 0) b[at] ^= 1 << rnd(8);
      else if (kind === 1) b[at] = rnd(256);
      else if (kind === 2) b[at] = [0x00, 0x3f, 0x40, 0x7f, 0x80, 0x81, 0xc0, 0xc3, 0xff, 0xfe][rnd(10)]!;
      else b[at] = [0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0xfa, 0xf9, 0xf8, 0xf7, 0xf5][rnd(10)]!;
    }
    const o = check(b, iter % 2 === 0 ? { verifyChecksum: false, totalLength: b.length } : { verifyChecksum: iter % 3 !== 0 });
    if (o.startsWith('ERR')) errors++;
    cases++;
  }
  assert.equal(cases, 6000);
  assert.ok(errors > 1000, 'expected most mutations to be detected, got ' + errors);
  assert.ok(performance.now() - t0 < 120000);
});

test('absurd lengths are refused before allocating', () => {
  const hdr = Buffer.from('REDIS0009', 'latin1');
  // A 4 GiB string, a 2^40-element list and a 2^60 string length, each in a tiny file.
  const cases = [
    Buffer.concat([hdr, Buffer.from([0xfe, 0x00, 0x00, 0x01, 0x6b, 0x80, 0xff, 0xff, 0xff, 0xff, 0x61])]),
    Buffer.concat([hdr, Buffer.from([0xfe, 0x00, 0x01, 0x01, 0x6b, 0x81, 0, 0, 1, 0, 0, 0, 0, 0, 0x01, 0x61])]),
    Buffer.concat([hdr, Buffer.from([0xfe, 0x00, 0x00, 0x01, 0x6b, 0x81, 0x10, 0, 0, 0, 0, 0, 0, 0])]),
    Buffer.concat([hdr, Buffer.from([0xfe, 0x00, 0x00, 0x01, 0x6b, 0xc3, 0x02, 0x80, 0x7f, 0xff, 0xff, 0xff, 0x00, 0x61])]),
  ];
  for (const c of cases) {
    for (const opts of [{ totalLength: c.length }, {}]) {
      const r = new RdbReader({ onKey: () => assert.fail('no key expected') }, opts);
      assert.throws(() => {
        r.feed(c);
        r.end();
      }, RdbError);
    }
  }
  // Without a known total, a plausible but missing length waits for more data, then fails at end().
  const r = new RdbReader({ onKey: () => undefined });
  r.feed(cases[0]!.subarray(0, 15));
  assert.throws(() => r.end(), /unexpected end of RDB data/);
});

test('module values name the module; unknown types and versions are refused', () => {
  const hdr = Buffer.from('REDIS0009', 'latin1');
  // Module id of type "hellotype" version 0 (as Redis computes it).
  const { moduleIdFor } = formatModule;
  const id = moduleIdFor('hellotype', 0);
  const idBytes = Buffer.alloc(8);
  idBytes.writeBigUInt64BE(id);
  const mod = Buffer.concat([hdr, Buffer.from([0x07, 0x01, 0x6b, 0x81]), idBytes, Buffer.from([0x00, 0xff])]);
  assert.throws(() => feedAll(mod), /no matching module type 'hellotype'/);
  assert.throws(() => feedAll(Buffer.concat([hdr, Buffer.from([0x16, 0x01, 0x6b])])), /Unknown RDB encoding type 22/);
  assert.throws(() => feedAll(Buffer.from('REDIS0013\xff', 'latin1')), /Can't handle RDB format version 13/);
  assert.throws(() => feedAll(Buffer.from('RODIS0009\xff', 'latin1')), /wrong signature/);
  // MODULE_AUX is skipped by walking its opcodes.
  const aux = Buffer.concat([hdr, Buffer.from([0xf7, 0x81]), idBytes, Buffer.from([0x02, 0x02, 0x05, 0x03, 0x61, 0x62, 0x63, 0x02, 0x07, 0x00, 0xff])]);
  let skipped = '';
  const r = new RdbReader({ onKey: () => undefined, onModuleAux: (_id, name) => (skipped = name) }, { verifyChecksum: false });
  r.feed(Buffer.concat([aux, Buffer.alloc(8)]));
  r.end();
  assert.equal(skipped, 'hellotype');
});

function feedAll(b: Buffer): void {
  const r = new RdbReader({ onKey: () => undefined });
  r.feed(b);
  r.end();
}

import * as formatModule from '../../src/persistence/rdb-format.js';
