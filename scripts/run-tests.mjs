#!/usr/bin/env node
// Runs every test file with node's test runner (Node 20 neither expands globs nor finds .ts
// files by itself): unit tests first, then integration and interop tests.
// Usage: node scripts/run-tests.mjs [filter-substring ...]
import { readdirSync, statSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const filters = process.argv.slice(2);

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name === 'helpers' || name === 'fixtures') continue;
      out.push(...walk(p));
    } else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const groups = ['test/unit', 'test/integration', 'test/interop'];
let files = [];
for (const g of groups) {
  try {
    files.push(...walk(path.join(root, g)));
  } catch {
    // group not present
  }
}
if (filters.length > 0) files = files.filter((f) => filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
mkdirSync(path.join(root, 'tmp'), { recursive: true });
// A file of this run's own: two runs at once (two engineers, or an editor and a terminal) must
// not read each other's totals. It is renamed to tmp/test-results.tap once read.
const tapFile = path.join(root, 'tmp', 'test-results.' + process.pid + '.tap');
const res = spawnSync(
  process.execPath,
  [
    '--import', 'tsx', '--test', '--test-concurrency=' + concurrency,
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', '--test-reporter-destination=' + tapFile,
    ...files.map((f) => path.relative(root, f)),
  ],
  { cwd: root, stdio: 'inherit' },
);
// One plain summary line at the very end, from the TAP totals.
const tap = readFileSync(tapFile, 'latin1');
renameSync(tapFile, path.join(root, 'tmp', 'test-results.tap'));
const count = (k) => Number((tap.match(new RegExp('^# ' + k + ' (\\d+)$', 'm')) ?? [])[1] ?? 0);
const passed = count('pass');
const failed = count('fail') + count('cancelled');
console.log('\ntests: ' + passed + ' passed, ' + failed + ' failed, ' + count('skipped') + ' skipped');
if (passed + failed === 0) process.exit(1);
process.exit(res.status === 0 && failed === 0 ? 0 : 1);
