#!/usr/bin/env node
// Full synchronization of a replica: Damselfly -> Damselfly vs redis-server -> redis-server.
//
//   npm run bench:repl                          (builds first; ~3 minutes)
//   node scripts/bench-repl.mjs [--keys N] [--value-size B] [--seconds S] [--servers redis,damselfly]
//                               [--redis-diskless-load disabled|on-empty-db|swapdb] [--prof DIR] [--idle-only] [--sync-rounds R]
//
// For each kind of server, one after the other (fresh processes, `--save ''`, and
// repl-diskless-sync-delay 0 on the primary so Redis does not wait 5 s for more replicas):
//
// 1. Full sync of an idle primary. N keys `key:<n>` (n zero-padded to 12 digits: exactly
//    redis-benchmark's `key:__rand_int__` keyspace, so the writes of step 2 overwrite keys the
//    snapshot still has to send) with B-byte values that LZF cannot shrink much are loaded by
//    pipelined MSET. A fresh empty replica gets REPLICAOF; the sync time runs from that command
//    to the replica reporting master_link_status:up with its offset caught up with the
//    primary's. VmRSS of the primary, of the primary's fork children (Redis's RDB child: only
//    its private pages, the copy-on-write cost, since the shared ones are already in the
//    parent's RSS) and of the replica is sampled every 50 ms; the peaks are reported. Done R times
//    (--sync-rounds, default 3) with a fresh replica each: median and fastest time, highest peaks.
// 2. The primary under redis-benchmark -c 50 -P 16 -t set,get -r N (-n sized for ~S seconds by a
//    calibration run): once without a replica, then again while fresh replicas are fully synced
//    one after another for the whole run. A probe thread sends PING on its own connection every
//    ~1 ms and records each round trip; the round trips inside sync windows are reported apart,
//    and their max is the longest time the primary left a client waiting during a sync.
// 3. Tables with Damselfly/Redis ratios and a compact summary. Exits 0 when everything ran.
//
// --prof DIR runs the Damselfly servers under `node --cpu-prof` (profiles written at shutdown in
// DIR/primary and DIR/replica, one per replica process).

import { spawn } from 'node:child_process';
import { readFileSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { REDIS_BENCHMARK, mainJs, mb, redisVersion, requireBinaries, rssBytes, settledRss, sleep, spawnServer, stopServer } from './lib/bench-common.mjs';

// ------------------------------------------------------------------------------ options

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? (argv[i + 1] ?? '') : dflt;
};
if (argv.includes('-h') || argv.includes('--help')) {
  console.log(
    'usage: node scripts/bench-repl.mjs [--keys N] [--value-size B] [--seconds S] [--servers redis,damselfly]\n' +
      '                                   [--redis-diskless-load disabled|on-empty-db|swapdb] [--prof DIR] [--idle-only] [--sync-rounds R]',
  );
  process.exit(0);
}
const KEYS = Number(opt('--keys', '1000000'));
const VALUE_SIZE = Number(opt('--value-size', '100'));
const SECONDS = Number(opt('--seconds', '15'));
const SERVERS = opt('--servers', 'redis,damselfly').split(',');
const REDIS_DISKLESS_LOAD = opt('--redis-diskless-load', 'disabled');
const PROF_DIR = opt('--prof', null);
/** Idle full syncs per server kind (fresh replica each): the median time is reported. */
const SYNC_ROUNDS = Number(opt('--sync-rounds', '3'));
/** --idle-only: step 1 only (quick checks of the sync itself). */
const IDLE_ONLY = argv.includes('--idle-only');
if (!(SYNC_ROUNDS >= 1) || !(KEYS > 0) || !(VALUE_SIZE >= 16) || !(SECONDS > 0) || SERVERS.some((s) => s !== 'redis' && s !== 'damselfly')) {
  console.error('bad options (see --help)');
  process.exit(2);
}
/** Longest a single full sync may take before the run is declared failed. */
const SYNC_TIMEOUT_MS = 180_000;

const fmtInt = (x) => Math.round(x).toLocaleString('en-US');
const f = (x, d = 2) => (x === undefined || x === null || Number.isNaN(x) ? 'n/a' : x.toFixed(d));

// ------------------------------------------------------------------------------ servers

async function startServer(kind, role) {
  const prof = kind === 'damselfly' && PROF_DIR !== null;
  const profDir = prof ? path.resolve(PROF_DIR, role) : '';
  if (prof) mkdirSync(profDir, { recursive: true });
  const { port, dir, proc } = await spawnServer(kind, 'bench-repl-' + role + '-', (p) => [
    process.execPath,
    [...(prof ? ['--cpu-prof', '--cpu-prof-dir', profDir] : []), mainJs, '--port', String(p), '--bind', '127.0.0.1', '--save', ''],
  ]);
  // Keep draining its output so a chatty server never blocks on a full pipe.
  proc.stdout.removeAllListeners('data');
  proc.stderr.removeAllListeners('data');
  let log = '';
  const keep = (d) => {
    log += d.toString('latin1');
    if (log.length > 200_000) log = log.slice(-100_000);
  };
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  const client = await connect(port);
  return {
    kind,
    role,
    port,
    pid: proc.pid,
    client,
    log: () => log,
    alive: () => proc.exitCode === null && proc.signalCode === null,
    stop: async () => {
      client.close();
      await stopServer(proc, dir, prof ? 60_000 : 10_000);
    },
  };
}

// ------------------------------------------------------------------------------ a small RESP2 client

function encode(args) {
  let s = '*' + args.length + '\r\n';
  for (const a of args) s += '$' + Buffer.byteLength(String(a), 'latin1') + '\r\n' + a + '\r\n';
  return Buffer.from(s, 'latin1');
}

/** Parses one RESP2 reply at `off`; returns [value, next offset] or null when incomplete. */
function parseReply(buf, off) {
  const nl = buf.indexOf('\r\n', off, 'latin1');
  if (nl < 0) return null;
  const type = buf[off];
  const line = buf.toString('latin1', off + 1, nl);
  if (type === 0x2b) return [line, nl + 2]; // +
  if (type === 0x2d) return [new Error(line), nl + 2]; // -
  if (type === 0x3a) return [Number(line), nl + 2]; // :
  if (type === 0x24) {
    const n = Number(line);
    if (n < 0) return [null, nl + 2];
    if (buf.length < nl + 2 + n + 2) return null;
    return [buf.toString('latin1', nl + 2, nl + 2 + n), nl + 2 + n + 2];
  }
  if (type === 0x2a) {
    const n = Number(line);
    const arr = [];
    let p = nl + 2;
    for (let i = 0; i < n; i++) {
      const r = parseReply(buf, p);
      if (r === null) return null;
      arr.push(r[0]);
      p = r[1];
    }
    return [arr, p];
  }
  throw new Error('bad reply byte ' + type);
}

/** One connection, one command at a time (replies in order); errors reject. */
function connect(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.setNoDelay(true);
    let buf = Buffer.alloc(0);
    const queue = [];
    socket.on('data', (d) => {
      buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
      while (queue.length > 0) {
        const r = parseReply(buf, 0);
        if (r === null) break;
        buf = buf.subarray(r[1]);
        const w = queue.shift();
        if (r[0] instanceof Error) w.reject(r[0]);
        else w.resolve(r[0]);
      }
    });
    socket.on('close', () => {
      for (const w of queue.splice(0)) w.reject(new Error('connection closed'));
    });
    socket.once('error', reject);
    socket.once('connect', () =>
      resolve({
        call: (...args) =>
          new Promise((res, rej) => {
            queue.push({ resolve: res, reject: rej });
            socket.write(encode(args));
          }),
        close: () => socket.destroy(),
      }),
    );
  });
}

async function info(srv, section) {
  const text = await srv.client.call('INFO', section);
  const out = {};
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

// ------------------------------------------------------------------------------ loading

const KEY_DIGITS = 12; // redis-benchmark's __rand_int__ width
const PAIRS_PER_MSET = 100;
const MSETS_PER_WRITE = 50;
// Value bytes: 'value:' + 10 digits, then letters from a fixed pseudo-random pool, so LZF finds
// little to compress (rdbcompression is on in both servers).
const POOL = (() => {
  let x = 0x9e3779b9;
  const b = Buffer.alloc(4096);
  for (let i = 0; i < b.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = 97 + ((x >>> 0) % 26);
  }
  return b;
})();

function writeDigits(buf, off, width, n) {
  for (let i = off + width - 1; i >= off; i--) {
    const d = n % 10;
    buf[i] = 48 + d;
    n = (n - d) / 10;
  }
}

function encodeBatch(start, end) {
  const keyLen = 4 + KEY_DIGITS;
  const pairHead = '$' + keyLen + '\r\n';
  const valHead = '$' + VALUE_SIZE + '\r\n';
  const pairLen = pairHead.length + keyLen + 2 + valHead.length + VALUE_SIZE + 2;
  let size = 0;
  let commands = 0;
  for (let s = start; s < end; s += PAIRS_PER_MSET) {
    const k = Math.min(PAIRS_PER_MSET, end - s);
    size += ('*' + (1 + 2 * k) + '\r\n$4\r\nMSET\r\n').length + k * pairLen;
    commands++;
  }
  const buf = Buffer.allocUnsafe(size);
  let off = 0;
  for (let s = start; s < end; s += PAIRS_PER_MSET) {
    const k = Math.min(PAIRS_PER_MSET, end - s);
    off += buf.write('*' + (1 + 2 * k) + '\r\n$4\r\nMSET\r\n', off, 'latin1');
    for (let n = s; n < s + k; n++) {
      off += buf.write(pairHead + 'key:', off, 'latin1');
      writeDigits(buf, off, KEY_DIGITS, n);
      off += KEY_DIGITS;
      off += buf.write('\r\n' + valHead + 'value:', off, 'latin1');
      writeDigits(buf, off, 10, n % 1e10);
      off += 10;
      const fill = VALUE_SIZE - 16;
      const from = (n * 7) % (POOL.length - fill);
      POOL.copy(buf, off, from, from + fill);
      off += fill;
      off += buf.write('\r\n', off, 'latin1');
    }
  }
  return { buf, commands };
}

/** Loads keys 0..count-1 over a few connections (two batches in flight each); replies must be +OK. */
async function loadKeys(port, count, conns = 3) {
  let next = 0;
  const worker = () =>
    new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1' });
      const inflight = []; // MSETs still unanswered, per batch, in order
      let phase = 0; // offset into "+OK\r\n" of the next byte
      const OK = Buffer.from('+OK\r\n');
      const pump = () => {
        while (inflight.length < 2 && next < count) {
          const start = next;
          next = Math.min(count, start + PAIRS_PER_MSET * MSETS_PER_WRITE);
          const { buf, commands } = encodeBatch(start, next);
          inflight.push(commands);
          socket.write(buf);
        }
        if (inflight.length === 0 && next >= count) {
          socket.end();
          resolve();
        }
      };
      socket.on('connect', pump);
      socket.on('data', (d) => {
        for (let i = 0; i < d.length; i++) {
          if (d[i] !== OK[phase]) {
            socket.destroy();
            reject(new Error('unexpected reply while loading: ' + JSON.stringify(d.toString('latin1', i, i + 80))));
            return;
          }
          if (++phase === 5) {
            phase = 0;
            if (--inflight[0] === 0) inflight.shift();
          }
        }
        pump();
      });
      socket.on('error', reject);
    });
  await Promise.all(Array.from({ length: conns }, worker));
}

// ------------------------------------------------------------------------------ memory sampling

function childPids(pid) {
  try {
    return readFileSync('/proc/' + pid + '/task/' + pid + '/children', 'latin1').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Private (copy-on-write) bytes of a process: what a fork child adds to its parent's RSS. */
function privateBytes(pid) {
  try {
    const t = readFileSync('/proc/' + pid + '/smaps_rollup', 'latin1');
    let kb = 0;
    for (const m of t.matchAll(/^Private_(?:Clean|Dirty):\s+(\d+) kB/gm)) kb += Number(m[1]);
    return kb * 1024;
  } catch {
    return 0; // the child exited between listing and reading
  }
}

/** Samples every `everyMs`: peak RSS of each pid and peak (primary RSS + children's private bytes). */
function startSampler(primaryPid, replicaPid, everyMs = 50) {
  const peak = { primary: 0, primaryChildren: 0, primaryTotal: 0, replica: 0, samples: 0 };
  const sample = () => {
    try {
      const p = rssBytes(primaryPid);
      let kids = 0;
      for (const c of childPids(primaryPid)) kids += privateBytes(c);
      const r = rssBytes(replicaPid);
      peak.primary = Math.max(peak.primary, p);
      peak.primaryChildren = Math.max(peak.primaryChildren, kids);
      peak.primaryTotal = Math.max(peak.primaryTotal, p + kids);
      peak.replica = Math.max(peak.replica, r);
      peak.samples++;
    } catch {
      // a process went away: the caller notices
    }
  };
  sample();
  const t = setInterval(sample, everyMs);
  return () => {
    clearInterval(t);
    sample();
    return peak;
  };
}

// ------------------------------------------------------------------------------ full sync

/**
 * REPLICAOF on `replica`, then waits until its link is up and its offset has reached the
 * primary's offset as it was when the link came up (under writes the two never stay equal).
 */
async function fullSync(primary, replica) {
  const t0 = performance.now();
  const reply = await replica.client.call('REPLICAOF', '127.0.0.1', String(primary.port));
  if (reply !== 'OK') throw new Error('REPLICAOF answered ' + reply);
  let target = -1;
  let linkUpMs = 0;
  for (;;) {
    if (performance.now() - t0 > SYNC_TIMEOUT_MS) throw new Error(replica.kind + ' replica did not sync within ' + SYNC_TIMEOUT_MS / 1000 + ' s');
    if (!primary.alive() || !replica.alive()) throw new Error(replica.kind + ' process died during the sync');
    const r = await info(replica, 'replication');
    if (r.master_link_status === 'up') {
      if (target < 0) {
        linkUpMs = performance.now() - t0;
        target = Number((await info(primary, 'replication')).master_repl_offset);
      }
      if (Number(r.slave_repl_offset) >= target) return { ms: performance.now() - t0, linkUpMs };
    }
    await sleep(10);
  }
}

async function syncIdle(primary, kind) {
  const replica = await startServer(kind, 'replica');
  try {
    if (kind === 'redis') await replica.client.call('CONFIG', 'SET', 'repl-diskless-load', REDIS_DISKLESS_LOAD);
    const rssReplicaBefore = rssBytes(replica.pid);
    const stop = startSampler(primary.pid, replica.pid);
    const s = await fullSync(primary, replica);
    const peak = stop();
    const dbsize = await replica.client.call('DBSIZE');
    if (dbsize !== KEYS) throw new Error(kind + ' replica has ' + dbsize + ' keys after the sync, expected ' + KEYS);
    const rssReplicaAfter = rssBytes(replica.pid);
    return { ...s, peak, rssReplicaBefore, rssReplicaAfter };
  } finally {
    await replica.stop();
  }
}

// ------------------------------------------------------------------------------ latency probe (own thread)

const PROBE_SRC = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const s = net.connect({ port: workerData.port, host: '127.0.0.1' });
s.setNoDelay(true);
let rtts = [];
let sentAt = 0n;
let got = '';
let stopped = false;
const PING = Buffer.from('*1\\r\\n$4\\r\\nPING\\r\\n');
const send = () => { if (!stopped) { sentAt = process.hrtime.bigint(); s.write(PING); } };
s.on('connect', send);
s.on('data', (d) => {
  got += d.toString('latin1');
  if (!got.endsWith('\\r\\n')) return;
  if (got !== '+PONG\\r\\n') parentPort.postMessage({ error: 'probe got ' + JSON.stringify(got.slice(0, 80)) });
  got = '';
  const rtt = Number(process.hrtime.bigint() - sentAt) / 1e6;
  rtts.push(rtt);
  if (rtt < 1) setTimeout(send, 1 - rtt); else setImmediate(send);
});
s.on('error', (e) => parentPort.postMessage({ error: String(e) }));
parentPort.on('message', (m) => {
  const out = rtts; rtts = [];
  parentPort.postMessage({ rtts: Float64Array.from(out) });
  if (m === 'stop') { stopped = true; s.destroy(); parentPort.close(); }
});
`;

function startProbe(port) {
  const w = new Worker(PROBE_SRC, { eval: true, workerData: { port } });
  const errors = [];
  const waiting = [];
  w.on('message', (m) => {
    if (m.error !== undefined) errors.push(m.error);
    else waiting.shift()?.(m.rtts);
  });
  w.on('error', (e) => errors.push(String(e)));
  const ask = (what) =>
    new Promise((resolve) => {
      waiting.push(resolve);
      w.postMessage(what);
    });
  return { errors, cut: () => ask('cut'), stop: () => ask('stop') };
}

function rttStats(parts) {
  let n = 0;
  for (const p of parts) n += p.length;
  const s = new Float64Array(n);
  let o = 0;
  for (const p of parts) {
    s.set(p, o);
    o += p.length;
  }
  s.sort();
  const q = (p) => (n === 0 ? NaN : s[Math.min(n - 1, Math.floor(p * n))]);
  let over10 = 0;
  for (const x of s) if (x > 10) over10++;
  return { n, p50: q(0.5), p99: q(0.99), max: n === 0 ? NaN : s[n - 1], over10 };
}

// ------------------------------------------------------------------------------ redis-benchmark

function startBenchmark(port, n) {
  const args = ['-h', '127.0.0.1', '-p', String(port), '-q', '--csv', '-c', '50', '-P', '16', '-r', String(KEYS), '-n', String(n), '-t', 'set,get'];
  const p = spawn(REDIS_BENCHMARK, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  p.stdout.on('data', (d) => (out += d));
  p.stderr.on('data', (d) => (err += d));
  const t0 = performance.now();
  const t = setTimeout(() => p.kill('SIGKILL'), 15 * 60_000);
  const done = new Promise((resolve, reject) => {
    p.on('exit', (code) => {
      clearTimeout(t);
      const rows = new Map();
      for (const line of out.split('\n')) {
        const c = [...line.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
        if (c.length < 8 || c[0] === 'test') continue;
        rows.set(c[0], { rps: Number(c[1]), p50: Number(c[4]), p99: Number(c[6]), max: Number(c[7]) });
      }
      if (rows.size !== 2) reject(new Error('redis-benchmark exit ' + code + ': ' + (err + out).trim().slice(0, 300)));
      else resolve({ rows, seconds: (performance.now() - t0) / 1000 });
    });
  });
  done.catch(() => {}); // awaited by the caller; never an unhandled rejection meanwhile
  return { done, running: () => p.exitCode === null && p.signalCode === null, kill: () => p.kill('SIGKILL') };
}

/** Baseline, then the same benchmark with back-to-back full syncs. */
async function underLoad(primary, kind) {
  const cal = await startBenchmark(primary.port, 200_000).done;
  const calRps = Math.min(...[...cal.rows.values()].map((r) => r.rps));
  const n = Math.max(100_000, Math.round((calRps * SECONDS) / 2 / 1000) * 1000);
  const probe = startProbe(primary.port);
  try {
    await sleep(300);
    await probe.cut(); // idle samples
    const base = await startBenchmark(primary.port, n).done;
    const baseProbe = rttStats([await probe.cut()]);
    await sleep(500);
    await probe.cut();

    const bench = startBenchmark(primary.port, n);
    const inSync = [];
    const syncs = [];
    let syncMs = 0;
    let peakPrimary = 0;
    const tb = performance.now();
    try {
      while (bench.running()) {
        const replica = await startServer(kind, 'replica');
        try {
          if (kind === 'redis') await replica.client.call('CONFIG', 'SET', 'repl-diskless-load', REDIS_DISKLESS_LOAD);
          if (!bench.running()) break;
          await probe.cut(); // replica start-up: not a sync window
          const stop = startSampler(primary.pid, replica.pid);
          const s = await fullSync(primary, replica);
          const peak = stop();
          peakPrimary = Math.max(peakPrimary, peak.primaryTotal);
          const rtts = await probe.cut();
          // A sync that ended after the benchmark had stopped ran partly unloaded: dropped, unless it is the only one.
          if (bench.running() || syncs.length === 0) {
            inSync.push(rtts);
            syncs.push(s.ms);
            syncMs += s.ms;
          }
        } finally {
          await replica.stop();
        }
      }
    } finally {
      bench.kill();
    }
    const loaded = await bench.done;
    const wall = (performance.now() - tb) / 1000;
    return {
      n,
      base,
      baseProbe,
      loaded,
      syncProbe: rttStats(inSync),
      syncs,
      coverage: Math.min(1, syncMs / 1000 / wall),
      peakPrimary,
      probeErrors: probe.errors,
    };
  } finally {
    await probe.stop();
  }
}

// ------------------------------------------------------------------------------ one server kind

async function runKind(kind) {
  console.log('== ' + kind);
  const res = { kind, loadavg: os.loadavg()[0] };
  const primary = await startServer(kind, 'primary');
  try {
    await primary.client.call('CONFIG', 'SET', 'repl-diskless-sync-delay', '0');
    const tl = performance.now();
    await loadKeys(primary.port, KEYS);
    res.loadS = (performance.now() - tl) / 1000;
    const dbsize = await primary.client.call('DBSIZE');
    if (dbsize !== KEYS) throw new Error(kind + ': DBSIZE is ' + dbsize + ' after loading, expected ' + KEYS);
    res.rssPrimary = await settledRss(primary.pid);
    console.log('  loaded ' + fmtInt(KEYS) + ' keys in ' + f(res.loadS, 1) + ' s, primary RSS ' + mb(res.rssPrimary));

    const runs = [];
    for (let i = 0; i < SYNC_ROUNDS; i++) {
      const one = await syncIdle(primary, kind);
      runs.push(one);
      const p = one.peak;
      console.log(
        '  idle full sync: ' + fmtInt(one.ms) + ' ms (link up after ' + fmtInt(one.linkUpMs) + ' ms); peak RSS primary ' + mb(p.primary) +
          (p.primaryChildren > 0 ? ' + fork child private ' + mb(p.primaryChildren) : '') + ', replica ' + mb(p.replica) + ' (' + p.samples + ' samples)',
      );
    }
    const peakOf = (k) => Math.max(...runs.map((x) => x.peak[k]));
    res.idle = {
      ms: median(runs.map((x) => x.ms)),
      minMs: Math.min(...runs.map((x) => x.ms)),
      all: runs.map((x) => x.ms),
      peak: { primary: peakOf('primary'), primaryChildren: peakOf('primaryChildren'), primaryTotal: peakOf('primaryTotal'), replica: peakOf('replica') },
      rssReplicaAfter: runs[runs.length - 1].rssReplicaAfter,
    };

    if (IDLE_ONLY) return res;
    res.load = await underLoad(primary, kind);
    const L = res.load;
    for (const [name, b] of [['no sync', L.base], ['syncs', L.loaded]]) {
      for (const [t, r] of b.rows) console.log('  ' + name.padEnd(8) + ' ' + t + ' ' + fmtInt(r.rps) + ' ops/s p50 ' + r.p50 + ' p99 ' + r.p99 + ' max ' + r.max + ' ms');
    }
    console.log(
      '  probe no sync: p50 ' + f(L.baseProbe.p50) + ' p99 ' + f(L.baseProbe.p99) + ' max ' + f(L.baseProbe.max, 1) + ' ms; during syncs: p50 ' + f(L.syncProbe.p50) + ' p99 ' + f(L.syncProbe.p99) +
        ' max ' + f(L.syncProbe.max, 1) + ' ms; ' + L.syncs.length + ' syncs under load (' + L.syncs.map((x) => fmtInt(x)).join(', ') + ' ms), ' + Math.round(L.coverage * 100) + '% of the run',
    );
    if (L.probeErrors.length > 0) console.log('  probe errors: ' + L.probeErrors.slice(0, 3).join('; '));
  } catch (err) {
    console.error(primary.log().slice(-3000));
    throw err;
  } finally {
    await primary.stop();
  }
  return res;
}

// ------------------------------------------------------------------------------ report

function report(results) {
  if (IDLE_ONLY) {
    for (const x of Object.values(results)) console.log(x.kind + ': idle full sync ' + fmtInt(x.idle.ms) + ' ms (median; ' + x.idle.all.map(fmtInt).join(', ') + '), peak RSS primary ' + mb(x.idle.peak.primaryTotal) + ', replica ' + mb(x.idle.peak.replica));
    return;
  }
  const r = results.redis;
  const d = results.damselfly;
  const cell = (x, get, fmt) => {
    if (x === undefined) return 'n/a';
    const v = get(x);
    return v === undefined || Number.isNaN(v) ? 'n/a' : fmt(v);
  };
  const row = (name, get, fmt) => {
    const a = r === undefined ? undefined : get(r);
    const b = d === undefined ? undefined : get(d);
    const ratio = typeof a === 'number' && typeof b === 'number' && a > 0 ? (b / a).toFixed(2) : '';
    return '| ' + name + ' | ' + cell(r, get, fmt) + ' | ' + cell(d, get, fmt) + ' | ' + ratio + ' |';
  };
  const ms0 = (v) => fmtInt(v);
  const ms2 = (v) => v.toFixed(2);
  const ms1 = (v) => v.toFixed(1);
  const bench = (x, which, test) => x.load[which].rows.get(test);
  const lines = [
    '',
    '### Full sync, ' + fmtInt(KEYS) + ' keys of ' + VALUE_SIZE + ' bytes (redis-server ' + redisVersion() + ', Node ' + process.version + ', ' + os.cpus().length + ' CPUs)',
    '',
    '| | Redis | Damselfly | Damselfly/Redis |',
    '| --- | ---: | ---: | ---: |',
    row('primary RSS after load', (x) => x.rssPrimary, mb),
    row('idle full sync time, median of ' + SYNC_ROUNDS + ', ms', (x) => x.idle.ms, ms0),
    row('idle full sync time, fastest, ms', (x) => x.idle.minMs, ms0),
    row('peak RSS primary during sync', (x) => x.idle.peak.primary, mb),
    row('peak private RSS of primary fork child', (x) => x.idle.peak.primaryChildren, mb),
    row('peak RSS primary + child', (x) => x.idle.peak.primaryTotal, mb),
    row('peak RSS replica during sync', (x) => x.idle.peak.replica, mb),
    row('replica RSS after sync', (x) => x.idle.rssReplicaAfter, mb),
    '',
    '### Primary under redis-benchmark -c 50 -P 16 -t set,get -r ' + KEYS + ', without and with full syncs',
    '',
    '| | Redis | Damselfly | Damselfly/Redis |',
    '| --- | ---: | ---: | ---: |',
  ];
  for (const test of ['SET', 'GET']) {
    for (const [label, which] of [
      ['no sync', 'base'],
      ['during syncs', 'loaded'],
    ]) {
      lines.push(row(test + ' ops/s, ' + label, (x) => bench(x, which, test)?.rps, fmtInt));
      lines.push(row(test + ' p50 ms, ' + label, (x) => bench(x, which, test)?.p50, (v) => v.toFixed(3)));
      lines.push(row(test + ' p99 ms, ' + label, (x) => bench(x, which, test)?.p99, (v) => v.toFixed(3)));
      lines.push(row(test + ' max ms, ' + label, (x) => bench(x, which, test)?.max, ms1));
    }
  }
  lines.push(
    row('probe PING p50 ms, no sync', (x) => x.load.baseProbe.p50, ms2),
    row('probe PING p99 ms, no sync', (x) => x.load.baseProbe.p99, ms2),
    row('probe PING max ms, no sync', (x) => x.load.baseProbe.max, ms1),
    row('probe PING p50 ms, during syncs', (x) => x.load.syncProbe.p50, ms2),
    row('probe PING p99 ms, during syncs', (x) => x.load.syncProbe.p99, ms2),
    row('probe PING max ms, during syncs', (x) => x.load.syncProbe.max, ms1),
    row('probe PINGs > 10 ms during syncs', (x) => x.load.syncProbe.over10, fmtInt),
    row('full syncs under load', (x) => x.load.syncs.length, fmtInt),
    row('median full sync under load, ms', (x) => median(x.load.syncs), ms0),
    row('share of the loaded run inside a sync', (x) => x.load.coverage * 100, (v) => v.toFixed(0) + '%'),
    row('peak RSS primary (+ child) under load', (x) => x.load.peakPrimary, mb),
  );
  const notes = [];
  for (const x of [r, d]) if (x !== undefined) notes.push(x.kind + ': load average at start ' + x.loadavg.toFixed(2) + ', ' + fmtInt(x.load.n) + ' requests per test');
  notes.push('Redis replica: repl-diskless-load ' + REDIS_DISKLESS_LOAD + '; Damselfly always loads from the socket');
  lines.push('', ...notes.map((s) => '- ' + s));
  console.log(lines.join('\n'));

  // Compact summary for a closing note.
  const s = [];
  const ratio = (a, b) => (a > 0 ? (b / a).toFixed(2) + 'x' : 'n/a');
  if (r !== undefined && d !== undefined) {
    s.push(
      'full sync of ' + fmtInt(KEYS) + ' keys (median of ' + SYNC_ROUNDS + '): Damselfly ' + fmtInt(d.idle.ms) + ' ms vs Redis ' + fmtInt(r.idle.ms) + ' ms (' + ratio(r.idle.ms, d.idle.ms) + '); fastest ' + fmtInt(d.idle.minMs) + ' vs ' + fmtInt(r.idle.minMs) + ' ms',
      'peak RSS during sync: primary ' + mb(d.idle.peak.primaryTotal) + ' vs ' + mb(r.idle.peak.primaryTotal) + ' (Redis incl. fork child; ' + ratio(r.idle.peak.primaryTotal, d.idle.peak.primaryTotal) + '), replica ' + mb(d.idle.peak.replica) + ' vs ' + mb(r.idle.peak.replica) + ' (' + ratio(r.idle.peak.replica, d.idle.peak.replica) + ')',
    );
    for (const test of ['SET', 'GET']) {
      const rb = bench(r, 'base', test);
      const rl = bench(r, 'loaded', test);
      const db = bench(d, 'base', test);
      const dl = bench(d, 'loaded', test);
      s.push(
        test + ' -P 16 ops/s no sync -> during syncs: Damselfly ' + fmtInt(db.rps) + ' -> ' + fmtInt(dl.rps) + ' (p99 ' + db.p99 + ' -> ' + dl.p99 + ' ms), Redis ' + fmtInt(rb.rps) + ' -> ' + fmtInt(rl.rps) + ' (p99 ' + rb.p99 + ' -> ' + rl.p99 + ' ms)',
      );
    }
    s.push(
      'PING probe max during syncs: Damselfly ' + f(d.load.syncProbe.max, 1) + ' ms (no sync ' + f(d.load.baseProbe.max, 1) + ') vs Redis ' + f(r.load.syncProbe.max, 1) + ' ms (no sync ' + f(r.load.baseProbe.max, 1) + ')',
      'median full sync under load: Damselfly ' + fmtInt(median(d.load.syncs)) + ' ms vs Redis ' + fmtInt(median(r.load.syncs)) + ' ms',
    );
  } else {
    for (const x of [r, d]) if (x !== undefined) s.push(x.kind + ': full sync ' + fmtInt(x.idle.ms) + ' ms, peak primary ' + mb(x.idle.peak.primaryTotal) + ', replica ' + mb(x.idle.peak.replica) + ', probe max during syncs ' + f(x.load.syncProbe.max, 1) + ' ms');
  }
  console.log('\n### Summary\n\n' + s.map((x) => '- ' + x).join('\n'));
}

function median(xs) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// ------------------------------------------------------------------------------ main

requireBinaries(' (apt-get install redis-server redis-tools)');
const results = {};
try {
  for (const kind of SERVERS) results[kind] = await runKind(kind);
} catch (err) {
  console.error('bench-repl failed: ' + (err instanceof Error ? err.stack : String(err)));
  process.exit(1);
}
report(results);
process.exit(0);
