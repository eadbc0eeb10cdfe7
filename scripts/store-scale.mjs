#!/usr/bin/env node
// Scale smoke test for the keyspace storage engine (not run in CI).
//
//   node --import tsx scripts/store-scale.mjs [N=5000000] [keyBytes=16] [valueBytes=16]
//   node scripts/store-scale.mjs ...            (uses dist/ if built)
//
// Inserts N string keys into one Db, then reads them back in random order,
// and prints RSS growth per key, the engine's own estimate, throughput, and
// the slowest 1000-op batch (a stall detector: table growth must not block).
// Keys are "k:" + zero-padded decimal, written into one reused Buffer so the
// benchmark itself allocates nothing per key.

import { performance } from 'node:perf_hooks';

const N = Number(process.argv[2] ?? 5_000_000);
const KEY_BYTES = Number(process.argv[3] ?? 16);
const VAL_BYTES = Number(process.argv[4] ?? 16);

async function load() {
  try {
    return await import('../dist/store/db.js');
  } catch {
    // Source via tsx (node --import tsx); tsx maps .js specifiers to .ts.
    return await import('../src/store/db.js');
  }
}

const { Keyspace } = await load();

function mb(n) {
  return (n / 1048576).toFixed(1) + ' MiB';
}

function settle() {
  if (globalThis.gc) {
    globalThis.gc();
    globalThis.gc();
  }
}

/** Write the decimal form of i, zero padded, into key after its "k:" prefix. */
function fillKey(key, i) {
  let x = i;
  for (let p = key.length - 1; p >= 2; p--) {
    key[p] = 48 + (x % 10);
    x = Math.floor(x / 10);
  }
}

const key = Buffer.alloc(KEY_BYTES, 0x30);
key[0] = 0x6b; // k
key[1] = 0x3a; // :
const value = Buffer.alloc(VAL_BYTES, 0x76);

settle();
const ks = new Keyspace(16);
const db = ks.db(0);
const rss0 = process.memoryUsage().rss;

// Loops live in functions: V8 optimizes them far better than module top-level code.
function insertAll() {
  let worst = 0;
  let t = performance.now();
  for (let i = 0; i < N; i++) {
    fillKey(key, i);
    value.writeUInt32LE(i, 0);
    db.setString(key, value, false);
    if ((i + 1) % 1000 === 0) {
      const now = performance.now();
      if (now - t > worst) worst = now - t;
      t = now;
    }
  }
  return worst;
}
const t0 = performance.now();
let worst = insertAll();
const insertMs = performance.now() - t0;
// Let the cron finish any resize so the numbers describe the steady state.
while (ks.rehashStep(50));
settle();
const mem = process.memoryUsage();
const rss1 = mem.rss;

console.log(`keys                 ${N.toLocaleString()} (${KEY_BYTES} B keys, ${VAL_BYTES} B values)`);
console.log(`insert               ${(insertMs / 1000).toFixed(2)} s, ${Math.round(N / (insertMs / 1000)).toLocaleString()} ops/s`);
console.log(`slowest 1000 inserts ${worst.toFixed(2)} ms`);
console.log(`rss                  ${mb(rss0)} -> ${mb(rss1)}; delta ${((rss1 - rss0) / N).toFixed(1)} B/key`);
console.log(`engine estimate      ${mb(ks.bytesUsed())}; ${(ks.bytesUsed() / N).toFixed(1)} B/key (slab ${mb(ks.slab.bytesInPages)}, used ${mb(ks.slab.bytesUsed)})`);
console.log(`js heap used         ${mb(mem.heapUsed)}; external ${mb(mem.external)} arrayBuffers ${mb(mem.arrayBuffers)}`);
console.log(`table                ${JSON.stringify(db.stats())}`);

// Random reads: find + getString, verifying the stored counter.
const R = Math.min(N, 5_000_000);
let bad = 0;
function readRandom() {
  let s = 0x9e3779b9;
  let worst = 0;
  let t = performance.now();
  for (let j = 0; j < R; j++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const i = (s >>> 0) % N;
    fillKey(key, i);
    const id = db.find(key);
    if (id < 0 || db.getString(id).readUInt32LE(0) !== i) bad++;
    if ((j + 1) % 1000 === 0) {
      const now = performance.now();
      if (now - t > worst) worst = now - t;
      t = now;
    }
  }
  return worst;
}
const r0 = performance.now();
worst = readRandom();
const readMs = performance.now() - r0;
console.log(`random get           ${Math.round(R / (readMs / 1000)).toLocaleString()} ops/s, slowest 1000 ${worst.toFixed(2)} ms, misses ${bad}`);

// Overwrite everything once with the same sizes: the slab must not grow.
const pagesBefore = ks.slab.bytesInPages;
function overwriteAll() {
  for (let i = 0; i < N; i++) {
    fillKey(key, i);
    db.setString(key, value, false);
  }
}
let t = performance.now();
overwriteAll();
console.log(`overwrite            ${Math.round(N / ((performance.now() - t) / 1000)).toLocaleString()} ops/s; slab ${mb(pagesBefore)} -> ${mb(ks.slab.bytesInPages)}`);
if (bad !== 0) process.exitCode = 1;
