#!/usr/bin/env node
// Damselfly vs redis-server, side by side on this machine.
//
//   npm run bench                      (builds first; a few minutes)
//   node scripts/bench.mjs --quick     (short run, for a smoke check)
//   node scripts/bench.mjs --only throughput|mem [--rounds N]
//   node scripts/bench.mjs --scale N[,N...]   (storage at scale; see scripts/bench-scale.mjs)
//   node scripts/bench.mjs --collections [--keys N] [--kinds hash,list,set-int,set-str,zset]
//                                             (memory of small collections; scripts/bench-collections.mjs)
//
// Throughput: redis-benchmark -q --csv against each server in alternation (A B, then B A, ...),
// several rounds, median per test: SET/GET at -c 50 -P 1 and -P 16, INCR, MSET (10 keys), all
// with -r 100000. Memory: fresh servers, RSS (VmRSS) before and after loading 1,000,000 keys
// with 16-byte values through a pipelining loader, DBSIZE checked on both.
// Ends with markdown tables.

import { spawn } from 'node:child_process';
import os from 'node:os';
import { REDIS_BENCHMARK, mainJs, mb, redisVersion, requireBinaries, settledRss, spawnServer, stopServer } from './lib/bench-common.mjs';
import { connect, encode } from './lib/resp-client.mjs';

// ------------------------------------------------------------------------------ options

const argv = process.argv.slice(2);
const opt = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? (argv[i + 1] ?? '') : null;
};
if (argv.includes('-h') || argv.includes('--help')) {
  console.log('usage: node scripts/bench.mjs [--quick] [--only throughput|mem] [--rounds N] [--keys N]');
  console.log('       node scripts/bench.mjs --scale N[,N...] [--bench-seconds S] [--conns C] [--servers redis,damselfly]');
  console.log('       node scripts/bench.mjs --collections [--keys N] [--kinds hash,list,set-int,set-str,zset]');
  process.exit(0);
}
const quick = argv.includes('--quick');
const only = opt('--only');
if (only !== null && only !== 'mem' && only !== 'throughput') {
  console.error('--only takes "mem" or "throughput"');
  process.exit(2);
}
const rounds = Number(opt('--rounds') ?? (quick ? 2 : 3));
const memKeys = Number(opt('--keys') ?? 1_000_000);
// Requests per redis-benchmark run, sized so a full run takes a few minutes on 2 cores.
const N_P1 = quick ? 20_000 : 400_000;
const N_P16 = quick ? 100_000 : 2_000_000;
const N_MSET = quick ? 10_000 : 200_000;

const CONFIGS = [
  { label: 'SET', tests: 'set', pipeline: 1, n: N_P1, row: 'SET' },
  { label: 'GET', tests: 'get', pipeline: 1, n: N_P1, row: 'GET' },
  { label: 'SET -P 16', tests: 'set', pipeline: 16, n: N_P16, row: 'SET' },
  { label: 'GET -P 16', tests: 'get', pipeline: 16, n: N_P16, row: 'GET' },
  { label: 'INCR', tests: 'incr', pipeline: 1, n: N_P1, row: 'INCR' },
  { label: 'MSET (10 keys)', tests: 'mset', pipeline: 1, n: N_MSET, row: 'MSET (10 keys)' },
];

// ------------------------------------------------------------------------------ servers

async function startServer(kind) {
  const { port, dir, proc } = await spawnServer(kind, 'bench-', (port) => [process.execPath, [mainJs, '--port', String(port), '--bind', '127.0.0.1', '--save', '']]);
  // Keep draining its output so a chatty server never blocks on a full pipe.
  proc.stdout.on('data', () => {});
  proc.stderr.on('data', () => {});
  return {
    kind,
    port,
    pid: proc.pid,
    stop: () => stopServer(proc, dir, 5000),
  };
}

// ------------------------------------------------------------------------------ throughput

function parseCsv(text) {
  const rows = new Map();
  for (const line of text.split('\n')) {
    const cells = [...line.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
    if (cells.length < 8 || cells[0] === 'test') continue;
    rows.set(cells[0], { rps: Number(cells[1]), p50: Number(cells[4]), p99: Number(cells[6]) });
  }
  return rows;
}

function runBenchmark(port, cfg) {
  return new Promise((resolve) => {
    const args = ['-h', '127.0.0.1', '-p', String(port), '-q', '--csv', '-c', '50', '-P', String(cfg.pipeline), '-r', '100000', '-n', String(cfg.n), '-t', cfg.tests];
    const p = spawn(REDIS_BENCHMARK, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    const t = setTimeout(() => p.kill('SIGKILL'), 10 * 60_000);
    p.on('exit', (code) => {
      clearTimeout(t);
      const row = parseCsv(out).get(cfg.row) ?? null;
      resolve({ row, error: row === null ? 'redis-benchmark exit ' + code + ': ' + (err + out).trim().slice(0, 300) : null });
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function throughput() {
  const servers = { redis: await startServer('redis'), dfly: await startServer('damselfly') };
  const samples = new Map(CONFIGS.map((c) => [c.label, { redis: [], dfly: [], errors: [] }]));
  try {
    for (let round = 1; round <= rounds; round++) {
      const order = round % 2 === 1 ? ['redis', 'dfly'] : ['dfly', 'redis'];
      for (const cfg of CONFIGS) {
        for (const who of order) {
          const r = await runBenchmark(servers[who].port, cfg);
          const s = samples.get(cfg.label);
          if (r.row !== null) s[who].push(r.row);
          else s.errors.push(who + ': ' + r.error);
          const shown = r.row !== null ? Math.round(r.row.rps) + ' ops/s, p50 ' + r.row.p50 + ' ms, p99 ' + r.row.p99 + ' ms' : r.error;
          console.log('round ' + round + '/' + rounds + '  ' + cfg.label.padEnd(16) + (who === 'redis' ? 'redis    ' : 'damselfly') + '  ' + shown);
        }
      }
    }
  } finally {
    await servers.redis.stop();
    await servers.dfly.stop();
  }
  const results = [];
  for (const cfg of CONFIGS) {
    const s = samples.get(cfg.label);
    const agg = (xs) => (xs.length === 0 ? null : { rps: median(xs.map((x) => x.rps)), p50: median(xs.map((x) => x.p50)), p99: median(xs.map((x) => x.p99)) });
    results.push({ cfg, redis: agg(s.redis), dfly: agg(s.dfly), errors: s.errors });
  }
  return results;
}

// ------------------------------------------------------------------------------ memory

async function loadKeys(port, count) {
  const c = await connect(port);
  const OK = Buffer.from('+OK\r\n');
  const batch = 10_000;
  for (let start = 0; start < count; start += batch) {
    const parts = [];
    const end = Math.min(count, start + batch);
    for (let i = start; i < end; i++) {
      const id = String(i).padStart(7, '0');
      // 11-byte keys, 16-byte values, identical on both servers.
      parts.push(encode(['SET', 'key:' + id, 'value:' + id + '...']));
    }
    await c.pipeline(Buffer.concat(parts), end - start, OK);
  }
  const size = await c.line('DBSIZE');
  c.close();
  return size;
}

async function memory() {
  const out = {};
  for (const kind of ['redis', 'damselfly']) {
    const srv = await startServer(kind);
    try {
      const c = await connect(srv.port);
      if ((await c.line('PING')) !== '+PONG') throw new Error(kind + ' does not answer PING');
      c.close();
      const before = await settledRss(srv.pid);
      const started = Date.now();
      const dbsize = await loadKeys(srv.port, memKeys);
      const loadMs = Date.now() - started;
      if (dbsize !== ':' + memKeys) throw new Error(kind + ': DBSIZE is ' + dbsize + ' after loading, expected ' + memKeys);
      const after = await settledRss(srv.pid);
      out[kind] = { before, after, perKey: (after - before) / memKeys, loadMs };
      console.log(kind.padEnd(10) + ' RSS before ' + mb(before) + ', after ' + memKeys + ' keys ' + mb(after) + ' (' + ((after - before) / memKeys).toFixed(1) + ' B/key), loaded in ' + loadMs + ' ms');
    } finally {
      await srv.stop();
    }
  }
  return out;
}

// ------------------------------------------------------------------------------ report

const fmtRps = (x) => (x === null ? 'n/a' : Math.round(x.rps).toLocaleString('en-US'));
const fmtLat = (x) => (x === null ? 'n/a' : x.p50.toFixed(3) + ' / ' + x.p99.toFixed(3));
const ratio = (a, b) => (a === null || b === null || b === 0 ? 'n/a' : (a / b).toFixed(2));

async function main() {
  requireBinaries(': apt-get install -y redis-server redis-tools');
  const cpus = os.cpus();
  const env = 'node ' + process.version + ', redis-server ' + redisVersion() + ', ' + cpus.length + ' CPU (' + (cpus[0]?.model ?? '?').trim() + '), ' + (quick ? 'quick run' : 'full run');
  console.log('# ' + env);
  const tp = only === 'mem' ? null : await throughput();
  const mem = only === 'throughput' ? null : await memory();

  const lines = ['', '### Damselfly vs Redis (' + env + ')', ''];
  if (tp !== null) {
    lines.push(
      'Throughput: `redis-benchmark -c 50 -r 100000`, median of ' + rounds + ' alternating rounds; -n ' + N_P1 + ' (P1), ' + N_P16 + ' (P16), ' + N_MSET + ' (MSET).',
      '',
      '| test | Redis ops/s | Damselfly ops/s | Damselfly/Redis | Redis p50 / p99 ms | Damselfly p50 / p99 ms |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const r of tp) {
      lines.push('| ' + r.cfg.label + ' | ' + fmtRps(r.redis) + ' | ' + fmtRps(r.dfly) + ' | ' + ratio(r.dfly?.rps ?? null, r.redis?.rps ?? null) + ' | ' + fmtLat(r.redis) + ' | ' + fmtLat(r.dfly) + ' |');
    }
    const errs = tp.flatMap((r) => r.errors.map((e) => r.cfg.label + ': ' + e));
    if (errs.length > 0) lines.push('', 'Errors:', ...errs.map((e) => '- ' + e));
    lines.push('');
  }
  if (mem !== null) {
    const r = mem.redis;
    const d = mem.damselfly;
    lines.push(
      'Memory: ' + memKeys.toLocaleString('en-US') + ' keys (`key:NNNNNNN`, 16-byte values) loaded by pipelining, DBSIZE checked; RSS from /proc/<pid>/status.',
      '',
      '| | Redis | Damselfly | Damselfly/Redis |',
      '| --- | ---: | ---: | ---: |',
      '| RSS before | ' + mb(r.before) + ' | ' + mb(d.before) + ' | ' + ratio(d.before, r.before) + ' |',
      '| RSS after | ' + mb(r.after) + ' | ' + mb(d.after) + ' | ' + ratio(d.after, r.after) + ' |',
      '| bytes/key | ' + r.perKey.toFixed(1) + ' | ' + d.perKey.toFixed(1) + ' | ' + ratio(d.perKey, r.perKey) + ' |',
      '| load time | ' + r.loadMs + ' ms | ' + d.loadMs + ' ms | ' + ratio(d.loadMs, r.loadMs) + ' |',
      '',
    );
  }
  console.log(lines.join('\n'));
}

const run = argv.includes('--scale')
  ? () => import('./bench-scale.mjs').then((m) => m.runScale(argv))
  : argv.includes('--collections')
    ? () => import('./bench-collections.mjs').then((m) => m.runCollections(argv))
    : main;
run().catch((err) => {
  console.error(err instanceof Error ? err.stack : String(err));
  process.exit(1);
});
