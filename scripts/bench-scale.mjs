#!/usr/bin/env node
// Storage at scale: Damselfly vs redis-server with N keys loaded.
//
//   node scripts/bench.mjs --scale 1000000,10000000        (delegates here)
//   node scripts/bench-scale.mjs --scale 1000000 [--bench-seconds 20] [--conns 4] [--servers redis,damselfly]
//                                [--value-size 16]   (e.g. --scale 10000000 --value-size 1000: 10 GB of values)
//
// For each N and each server (one at a time, fresh process, `--save ''`):
//   1. RSS (VmRSS) settled before loading.
//   2. Load N keys `key:<n>` (n zero-padded to 12 digits, i.e. exactly redis-benchmark's
//      `key:__rand_int__` keyspace, so -r N GETs hit) with 16-byte values (--value-size), by pipelined MSET
//      (100 pairs per MSET, 100 MSETs per write, 2 writes in flight per connection) over a few
//      connections. Load rate = N / wall time to the last reply; DBSIZE checked.
//   3. RSS settled after loading; bytes/key = delta / N.
//   4. redis-benchmark -c 50 -P 16 -t set,get -r N for ~bench-seconds in total (-n sized from a
//      short calibration run): rps, p50, p99, max per test.
//   During 2 and 4 a latency probe (its own thread and connection) sends PING, waits for +PONG,
//   and sends the next ~1 ms after the previous one was sent; every round trip is recorded, so
//   the probe's max is the longest time the server did not answer (event-loop stall, for Node).
//   Damselfly runs under `node --trace-gc`; its stdout is parsed per phase for the number of
//   GC pauses, the longest and the total (the atomic pause V8 prints as "a / b ms";
//   incremental-marking steps are reported apart as "+ x ms in steps").
// Ends with markdown tables.

import { spawn } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { REDIS_BENCHMARK, mainJs, mb, redisVersion, requireBinaries, rssBytes, settledRss, sleep, spawnServer, stopServer } from './lib/bench-common.mjs';

const fmtInt = (x) => Math.round(x).toLocaleString('en-US');

// ------------------------------------------------------------------------------ servers

// V8 --trace-gc line: "... 1234 ms: Scavenge 1.0 (2.0) -> 1.0 (2.0) MB, 1.23 / 0.00 ms  (+ 8.7 ms in 39 steps ...".
const GC_RE = /\]\s+(\d+) ms: ([A-Za-z-]+(?: \([a-z ]+\))?) .*?MB, (?:pooled: \S+ MB, )?([\d.]+) \/ ([\d.]+) ms(?:\s+\(\+ ([\d.]+) ms in \d+ steps)?/;

// V8 prints --trace-gc with C stdio, block-buffered on a pipe: without line buffering the lines
// only arrive at exit and could not be attributed to a phase. stdbuf -oL (coreutils) fixes that.
const STDBUF = existsSync('/usr/bin/stdbuf') ? '/usr/bin/stdbuf' : null;

async function startServer(kind) {
  const { port, dir, proc } = await spawnServer(kind, 'bench-scale-', (port) =>
    STDBUF !== null
      ? [STDBUF, ['-oL', process.execPath, '--trace-gc', mainJs, '--port', String(port), '--bind', '127.0.0.1', '--save', '']]
      : [process.execPath, ['--trace-gc', mainJs, '--port', String(port), '--bind', '127.0.0.1', '--save', '']],
  );
  const gc = []; // { t, type, pause, steps }
  let partial = '';
  const onLine = (line) => {
    const m = GC_RE.exec(line);
    if (m !== null) gc.push({ type: m[2], pause: Number(m[3]), steps: m[5] === undefined ? 0 : Number(m[5]) });
  };
  const drain = (d) => {
    const s = partial + d.toString('latin1');
    const lines = s.split('\n');
    partial = lines.pop();
    for (const l of lines) onLine(l);
  };
  proc.stdout.removeAllListeners('data');
  proc.stderr.removeAllListeners('data');
  proc.stdout.on('data', drain);
  proc.stderr.on('data', () => {});
  let exitInfo = null;
  proc.once('exit', (code, sig) => (exitInfo = { code, sig }));
  return {
    kind,
    port,
    pid: proc.pid,
    gc,
    alive: () => exitInfo === null,
    exitInfo: () => exitInfo,
    stop: () => stopServer(proc, dir, 10_000),
  };
}

function memAvailable() {
  const m = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'latin1'));
  return m === null ? NaN : Number(m[1]) * 1024;
}

function gcSummary(events) {
  let max = 0;
  let maxType = '';
  let total = 0;
  let steps = 0;
  for (const e of events) {
    total += e.pause;
    steps += e.steps;
    if (e.pause > max) {
      max = e.pause;
      maxType = e.type;
    }
  }
  return { count: events.length, max, maxType, total, steps };
}

// ------------------------------------------------------------------------------ RESP helpers

function command(port, ...args) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' }, () => {
      let head = '*' + args.length + '\r\n';
      for (const a of args) head += '$' + Buffer.byteLength(String(a)) + '\r\n' + a + '\r\n';
      s.write(head);
    });
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString('latin1');
      const nl = buf.indexOf('\r\n');
      if (nl >= 0) {
        s.destroy();
        resolve(buf.slice(0, nl));
      }
    });
    s.once('error', reject);
  });
}

const KEY_DIGITS = 12; // redis-benchmark's __rand_int__ width
const VAL_DIGITS = 10; // 'value:' + 10 digits = 16 bytes, padded with 'x' up to --value-size
const KEY_OFF = 5 + 4;
let PAIR = Buffer.alloc(0);
let VAL_OFF = 0;

/** The MSET pair template for values of `size` (>= 16) bytes. */
function setValueSize(size) {
  const valueHead = '$' + size + '\r\n';
  PAIR = Buffer.from('$16\r\nkey:' + '0'.repeat(KEY_DIGITS) + '\r\n' + valueHead + 'value:' + '0'.repeat(VAL_DIGITS) + 'x'.repeat(size - 16) + '\r\n', 'latin1');
  VAL_OFF = 5 + 16 + 2 + valueHead.length + 6;
}
setValueSize(16);

function writeDigits(buf, off, width, n) {
  for (let i = off + width - 1; i >= off; i--) {
    const d = n % 10;
    buf[i] = 48 + d;
    n = (n - d) / 10;
  }
}

const PAIRS_PER_MSET = 100;
const MSETS_PER_WRITE = 100;

/** One write: MSETs covering keys [start, end). Returns { buf, commands }. */
function encodeBatch(start, end) {
  const chunks = [];
  let size = 0;
  let commands = 0;
  for (let s = start; s < end; s += PAIRS_PER_MSET) {
    const k = Math.min(PAIRS_PER_MSET, end - s);
    const head = '*' + (1 + 2 * k) + '\r\n$4\r\nMSET\r\n';
    chunks.push({ head, s, k });
    size += head.length + k * PAIR.length;
    commands++;
  }
  const buf = Buffer.allocUnsafe(size);
  let off = 0;
  for (const { head, s, k } of chunks) {
    off += buf.write(head, off, 'latin1');
    for (let i = 0; i < k; i++) {
      PAIR.copy(buf, off);
      writeDigits(buf, off + KEY_OFF, KEY_DIGITS, s + i);
      writeDigits(buf, off + VAL_OFF, VAL_DIGITS, (s + i) % 1e10);
      off += PAIR.length;
    }
  }
  return { buf, commands };
}

/** Loads keys 0..count-1 over `conns` connections; every reply must be +OK. */
async function loadKeys(port, count, conns, onProgress) {
  const perWrite = PAIRS_PER_MSET * MSETS_PER_WRITE;
  let next = 0;
  let done = 0;
  const worker = () =>
    new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1' });
      socket.setNoDelay(true);
      let inflight = []; // replies expected per write, in order
      let replyPhase = 0; // offset into "+OK\r\n" of the next byte
      let pendingReplies = 0;
      const pump = () => {
        while (inflight.length < 2 && next < count) {
          const start = next;
          const end = Math.min(count, start + perWrite);
          next = end;
          const { buf, commands } = encodeBatch(start, end);
          inflight.push({ commands, keys: end - start });
          pendingReplies += commands;
          socket.write(buf);
        }
        if (inflight.length === 0 && next >= count) {
          socket.end();
          resolve();
        }
      };
      socket.on('connect', pump);
      socket.on('data', (d) => {
        const OK = '+OK\r\n';
        for (let i = 0; i < d.length; i++) {
          if (d[i] !== OK.charCodeAt(replyPhase)) {
            socket.destroy();
            reject(new Error('unexpected reply near ' + JSON.stringify(d.toString('latin1', Math.max(0, i - 5), i + 80))));
            return;
          }
          if (++replyPhase === 5) {
            replyPhase = 0;
            pendingReplies--;
            const head = inflight[0];
            if (--head.commands === 0) {
              inflight.shift();
              done += head.keys;
              onProgress?.(done);
            }
          }
        }
        pump();
      });
      socket.on('error', reject);
      socket.on('close', () => {
        if (inflight.length > 0) reject(new Error('connection closed with ' + pendingReplies + ' replies outstanding'));
      });
    });
  await Promise.all(Array.from({ length: conns }, worker));
}

// ------------------------------------------------------------------------------ latency probe (own thread)

const PROBE_SRC = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const s = net.connect({ port: workerData.port, host: '127.0.0.1' });
s.setNoDelay(true);
let rtts = [];
let sentAt = 0n;
// The probe thread's own scheduling delay: if a 5 ms timer fires much later, the whole machine
// (not the server) stalled, e.g. CPU contention or memory reclaim on a shared VM.
let selfLate = 0;
let tickAt = process.hrtime.bigint();
const ticker = setInterval(() => {
  const now = process.hrtime.bigint();
  const late = Number(now - tickAt) / 1e6 - 5;
  if (late > selfLate) selfLate = late;
  tickAt = now;
}, 5);
let got = '';
let stopped = false;
const PING = Buffer.from('*1\\r\\n$4\\r\\nPING\\r\\n');
const send = () => { if (stopped) return; sentAt = process.hrtime.bigint(); s.write(PING); };
s.on('connect', send);
s.on('data', (d) => {
  got += d.toString('latin1');
  if (!got.endsWith('\\r\\n')) return;
  if (got !== '+PONG\\r\\n') { parentPort.postMessage({ error: 'probe got ' + JSON.stringify(got.slice(0, 80)) }); got = ''; }
  got = '';
  const now = process.hrtime.bigint();
  rtts.push(Number(now - sentAt) / 1e6);
  const wait = 1 - Number(now - sentAt) / 1e6;
  if (wait > 0) setTimeout(send, wait); else setImmediate(send);
});
s.on('error', (e) => parentPort.postMessage({ error: String(e) }));
parentPort.on('message', (m) => {
  if (m === 'cut' || m === 'stop') {
    // The round trip in flight at the cut (if any) belongs to the next phase.
    const out = rtts; rtts = [];
    parentPort.postMessage({ rtts: Float64Array.from(out), selfLate });
    selfLate = 0;
    if (m === 'stop') { stopped = true; clearInterval(ticker); s.destroy(); parentPort.close(); }
  }
});
`;

function startProbe(port) {
  const w = new Worker(PROBE_SRC, { eval: true, workerData: { port } });
  const errors = [];
  let waiting = null;
  w.on('message', (m) => {
    if (m.error !== undefined) errors.push(m.error);
    else if (m.rtts !== undefined && waiting !== null) {
      const r = waiting;
      waiting = null;
      r(m);
    }
  });
  w.on('error', (e) => errors.push(String(e)));
  const ask = (what) =>
    new Promise((resolve) => {
      waiting = resolve;
      w.postMessage(what);
    });
  return {
    errors,
    /** Round trips since the previous cut. */
    cut: async () => probeStats(await ask('cut')),
    stop: async () => probeStats(await ask('stop')),
  };
}

function probeStats({ rtts, selfLate }) {
  const s = Float64Array.from(rtts).sort();
  const q = (p) => (s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor(p * s.length))]);
  let over10 = 0;
  let over100 = 0;
  for (const x of s) {
    if (x > 10) over10++;
    if (x > 100) over100++;
  }
  return { selfLate, n: s.length, p50: q(0.5), p99: q(0.99), p999: q(0.999), max: s.length === 0 ? NaN : s[s.length - 1], over10, over100 };
}

// ------------------------------------------------------------------------------ redis-benchmark

function runBenchmark(port, range, n, valueSize) {
  return new Promise((resolve) => {
    const args = ['-h', '127.0.0.1', '-p', String(port), '-q', '--csv', '-c', '50', '-P', '16', '-r', String(range), '-n', String(n), '-d', String(valueSize), '-t', 'set,get'];
    const p = spawn(REDIS_BENCHMARK, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    const t = setTimeout(() => p.kill('SIGKILL'), 10 * 60_000);
    p.on('exit', (code) => {
      clearTimeout(t);
      const rows = new Map();
      for (const line of out.split('\n')) {
        const c = [...line.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
        if (c.length < 8 || c[0] === 'test') continue;
        rows.set(c[0], { rps: Number(c[1]), p50: Number(c[4]), p99: Number(c[6]), max: Number(c[7]) });
      }
      resolve({ rows, error: rows.size === 0 ? 'redis-benchmark exit ' + code + ': ' + (err + out).trim().slice(0, 300) : null });
    });
  });
}

// ------------------------------------------------------------------------------ one run

async function runOne(kind, N, opts) {
  const srv = await startServer(kind);
  const res = { kind, N, memAvailable: memAvailable(), loadavg: os.loadavg()[0] };
  let probe = null;
  try {
    if ((await command(srv.port, 'PING')) !== '+PONG') throw new Error(kind + ' does not answer PING');
    res.rssBefore = await settledRss(srv.pid);
    const gcMark0 = srv.gc.length;
    probe = startProbe(srv.port);
    await sleep(200);
    await probe.cut(); // discard idle samples
    const t0 = process.hrtime.bigint();
    let lastLog = Date.now();
    await loadKeys(srv.port, N, opts.conns, (done) => {
      if (Date.now() - lastLog > 5000) {
        lastLog = Date.now();
        const s = Number(process.hrtime.bigint() - t0) / 1e9;
        console.log('  ' + kind + ' N=' + fmtInt(N) + ': ' + fmtInt(done) + ' keys, ' + fmtInt(done / s) + ' keys/s, RSS ' + mb(rssBytes(srv.pid)));
      }
    });
    const loadS = Number(process.hrtime.bigint() - t0) / 1e9;
    res.loadProbe = await probe.cut();
    res.loadS = loadS;
    res.loadRate = N / loadS;
    res.loadGc = gcSummary(srv.gc.slice(gcMark0));
    const dbsize = await command(srv.port, 'DBSIZE');
    if (dbsize !== ':' + N) throw new Error(kind + ': DBSIZE is ' + dbsize + ' after loading, expected ' + N);
    const gcMark1 = srv.gc.length;
    res.rssAfter = await settledRss(srv.pid);
    res.perKey = (res.rssAfter - res.rssBefore) / N;
    res.settleGc = gcSummary(srv.gc.slice(gcMark1));
    console.log(
      '  ' + kind + ' N=' + fmtInt(N) + ': loaded in ' + loadS.toFixed(1) + ' s (' + fmtInt(res.loadRate) + ' keys/s), RSS ' + mb(res.rssBefore) + ' -> ' + mb(res.rssAfter) + ' (' + res.perKey.toFixed(1) + ' B/key), probe max ' + res.loadProbe.max.toFixed(1) + ' ms' +
        (kind === 'damselfly' ? ', GC max ' + res.loadGc.max.toFixed(1) + ' ms total ' + res.loadGc.total.toFixed(0) + ' ms in ' + res.loadGc.count : ''),
    );

    // Calibrate -n so set+get take ~benchSeconds together.
    const cal = await runBenchmark(srv.port, N, 100_000, opts.valueSize);
    const calRps = cal.rows.size === 0 ? 100_000 : Math.min(...[...cal.rows.values()].map((r) => r.rps));
    const n = Math.max(100_000, Math.round((calRps * opts.benchSeconds) / 2 / 1000) * 1000);
    await probe.cut(); // discard calibration samples
    const gcMark2 = srv.gc.length;
    const tb = Date.now();
    const bench = await runBenchmark(srv.port, N, n, opts.valueSize);
    res.benchS = (Date.now() - tb) / 1000;
    res.benchN = n;
    res.benchProbe = await probe.cut();
    res.benchGc = gcSummary(srv.gc.slice(gcMark2));
    res.bench = bench;
    res.probeErrors = probe.errors;
    for (const [name, r] of bench.rows) console.log('  ' + kind + ' N=' + fmtInt(N) + ': ' + name + ' -P 16 ' + fmtInt(r.rps) + ' ops/s, p50 ' + r.p50 + ' / p99 ' + r.p99 + ' / max ' + r.max + ' ms');
    if (bench.error) console.log('  ' + kind + ': ' + bench.error);
    console.log('  ' + kind + ' N=' + fmtInt(N) + ': bench ' + res.benchS.toFixed(1) + ' s, probe p50 ' + res.benchProbe.p50.toFixed(2) + ' p99 ' + res.benchProbe.p99.toFixed(2) + ' max ' + res.benchProbe.max.toFixed(1) + ' ms');
    res.rssEnd = rssBytes(srv.pid);
  } finally {
    if (probe !== null) await probe.stop().catch(() => {});
    if (!srv.alive()) res.died = JSON.stringify(srv.exitInfo());
    await srv.stop();
  }
  return res;
}

// ------------------------------------------------------------------------------ report

const ms = (x, d = 2) => (x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(d));
const lat = (r) => (r === undefined ? 'n/a' : ms(r.p50, 3) + ' / ' + ms(r.p99, 3) + ' / ' + ms(r.max, 3));
const ratio = (a, b) => (a === undefined || b === undefined || b === 0 ? 'n/a' : (a / b).toFixed(2));

function table(N, r, d) {
  const row = (name, f, g = (x) => x) => {
    const a = r === undefined ? undefined : f(r);
    const b = d === undefined ? undefined : f(d);
    return '| ' + name + ' | ' + (a === undefined ? 'n/a' : g(a)) + ' | ' + (b === undefined ? 'n/a' : g(b)) + ' | ' + (typeof a === 'number' && typeof b === 'number' ? ratio(b, a) : '') + ' |';
  };
  const bench = (x, test) => x.bench?.rows.get(test);
  const L = [
    '#### N = ' + N.toLocaleString('en-US') + ' keys',
    '',
    '| | Redis | Damselfly | Damselfly/Redis |',
    '| --- | ---: | ---: | ---: |',
    row('load time (s)', (x) => x.loadS, (v) => v.toFixed(1)),
    row('load rate (keys/s)', (x) => x.loadRate, fmtInt),
    row('RSS before', (x) => x.rssBefore, mb),
    row('RSS after load', (x) => x.rssAfter, mb),
    row('bytes/key (RSS delta / N)', (x) => x.perKey, (v) => v.toFixed(1)),
    row('probe during load: p50 / p99 / max ms', (x) => lat(x.loadProbe)),
    row('probe during load: samples, >10 ms, >100 ms', (x) => x.loadProbe.n + ', ' + x.loadProbe.over10 + ', ' + x.loadProbe.over100),
    row('probe thread own max timer delay during load (machine stall) ms', (x) => ms(x.loadProbe.selfLate, 1)),
    row('SET -P 16 ops/s', (x) => bench(x, 'SET')?.rps, fmtInt),
    row('SET -P 16 p50 / p99 / max ms', (x) => lat(bench(x, 'SET'))),
    row('GET -P 16 ops/s', (x) => bench(x, 'GET')?.rps, fmtInt),
    row('GET -P 16 p50 / p99 / max ms', (x) => lat(bench(x, 'GET'))),
    row('probe during benchmark: p50 / p99 / max ms', (x) => lat(x.benchProbe)),
    row('probe during benchmark: samples, >10 ms, >100 ms', (x) => x.benchProbe.n + ', ' + x.benchProbe.over10 + ', ' + x.benchProbe.over100),
    row('probe thread own max timer delay during benchmark (machine stall) ms', (x) => ms(x.benchProbe.selfLate, 1)),
    row('RSS after benchmark', (x) => x.rssEnd, mb),
  ];
  if (d !== undefined) {
    const g = (s) => s.count + ' pauses, max ' + s.max.toFixed(1) + ' ms (' + s.maxType + '), total ' + s.total.toFixed(0) + ' ms, + ' + s.steps.toFixed(0) + ' ms incremental steps';
    L.push(
      '',
      'Damselfly GC (`node --trace-gc`; pause = the atomic pause V8 reports) and longest event-loop stall (probe max):',
      '',
      '| phase | GC | longest stall seen by probe |',
      '| --- | --- | ---: |',
      '| load | ' + g(d.loadGc) + ' | ' + ms(d.loadProbe?.max, 1) + ' ms |',
      '| settle (RSS sampling) | ' + g(d.settleGc) + ' | |',
      '| redis-benchmark | ' + g(d.benchGc) + ' | ' + ms(d.benchProbe?.max, 1) + ' ms |',
    );
  }
  const notes = [];
  for (const x of [r, d]) {
    if (x === undefined) continue;
    notes.push(x.kind + ': machine at start: load average ' + x.loadavg.toFixed(2) + ', MemAvailable ' + mb(x.memAvailable));
    if (x.bench !== undefined) notes.push(x.kind + ': redis-benchmark -n ' + x.benchN + ' per test, ' + x.benchS.toFixed(1) + ' s for set+get');
    if (x.bench?.error) notes.push(x.kind + ': ' + x.bench.error);
    if (x.probeErrors?.length) notes.push(x.kind + ' probe: ' + x.probeErrors.slice(0, 3).join('; '));
    if (x.died) notes.push(x.kind + ' exited during the run: ' + x.died);
    if (x.error) notes.push(x.kind + ' failed: ' + x.error);
  }
  if (notes.length > 0) L.push('', ...notes.map((n) => '- ' + n));
  L.push('');
  return L.join('\n');
}

export async function runScale(argv) {
  const opt = (name) => {
    const i = argv.indexOf(name);
    return i >= 0 ? (argv[i + 1] ?? '') : null;
  };
  const list = (opt('--scale') ?? '').split(',').filter((s) => s !== '').map((s) => Number(s.replace(/_/g, '')));
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n <= 0)) {
    console.error('--scale takes a comma-separated list of key counts, e.g. --scale 1000000,10000000');
    process.exit(2);
  }
  const opts = {
    benchSeconds: Number(opt('--bench-seconds') ?? 20),
    conns: Number(opt('--conns') ?? 4),
    servers: (opt('--servers') ?? 'redis,damselfly').split(','),
    valueSize: Number(opt('--value-size') ?? 16),
  };
  if (!Number.isInteger(opts.valueSize) || opts.valueSize < 16) {
    console.error('--value-size takes a number of bytes >= 16');
    process.exit(2);
  }
  setValueSize(opts.valueSize);
  requireBinaries();
  const cpus = os.cpus();
  const env = 'node ' + process.version + ', redis-server ' + redisVersion() + ', ' + cpus.length + ' CPU (' + (cpus[0]?.model ?? '?').trim() + '), ' + (os.totalmem() / 2 ** 30).toFixed(0) + ' GiB';
  console.log('# ' + env + '; scale ' + list.join(',') + ', ' + opts.valueSize + '-byte values');
  const tables = [];
  for (const N of list) {
    const got = {};
    for (const kind of opts.servers) {
      try {
        got[kind] = await runOne(kind, N, opts);
      } catch (e) {
        console.log('  ' + kind + ' N=' + N + ' failed: ' + (e instanceof Error ? e.message : String(e)));
        got[kind] = undefined;
      }
    }
    const t = table(N, got.redis, got.damselfly);
    tables.push(t);
    console.log('\n' + t);
  }
  console.log(
    [
      '',
      '### Storage at scale: Damselfly vs Redis (' + env + ')',
      '',
      'Keys `key:<n>` (n zero-padded to 12 digits = redis-benchmark `-r N` keyspace), ' + opts.valueSize + '-byte values, loaded by pipelined MSET (' + PAIRS_PER_MSET + ' pairs x ' + MSETS_PER_WRITE + ' per write, ' + opts.conns + ' connections); RSS from /proc/<pid>/status; latency: `redis-benchmark -c 50 -P 16 -t set,get -r N -d ' + opts.valueSize + '` (~' + opts.benchSeconds + ' s) and a PING probe every ~1 ms on its own connection/thread (p50 / p99 / max ms). Servers run one at a time, `--save \'\'`.',
      '',
      ...tables,
    ].join('\n'),
  );
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runScale(process.argv.slice(2)).catch((err) => {
    console.error(err instanceof Error ? err.stack : String(err));
    process.exit(1);
  });
}
