// Shared by scripts/bench.mjs and scripts/bench-scale.mjs: paths, server start/stop, free
// ports, RSS readings and the redis-server version.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const mainJs = path.join(root, 'dist', 'main.js');
export const REDIS_SERVER = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';
export const REDIS_BENCHMARK = process.env.REDIS_BENCHMARK ?? '/usr/bin/redis-benchmark';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const mb = (b) => (b / (1024 * 1024)).toFixed(1) + ' MiB';

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts `kind` ('redis' or Damselfly) on a free port in a fresh temporary directory named
 * `dirPrefix + kind + '-…'` and waits for "Ready to accept connections". `damselflyCommand(port)`
 * gives Damselfly's [cmd, args]. Returns { port, dir, proc }; the data listeners that collected
 * the start-up output stay attached.
 */
export async function spawnServer(kind, dirPrefix, damselflyCommand) {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), dirPrefix + kind + '-'));
  const [cmd, args] =
    kind === 'redis' ? [REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir]] : damselflyCommand(port);
  const proc = spawn(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(kind + ' did not start within 20 s:\n' + out)), 20_000);
    const onData = (d) => {
      out += d.toString('latin1');
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(kind + ' exited with ' + code + ' before it was ready:\n' + out));
    });
  });
  proc.removeAllListeners('exit');
  return { port, dir, proc };
}

/** SIGTERM (SIGKILL after `killAfterMs`), then removes the server's directory. */
export async function stopServer(proc, dir, killAfterMs) {
  if (proc.exitCode === null && proc.signalCode === null) {
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    const t = setTimeout(() => proc.kill('SIGKILL'), killAfterMs);
    await exited;
    clearTimeout(t);
  }
  rmSync(dir, { recursive: true, force: true });
}

export function rssBytes(pid) {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/' + pid + '/status', 'latin1'));
  if (m === null) throw new Error('no VmRSS for pid ' + pid);
  return Number(m[1]) * 1024;
}

export async function settledRss(pid) {
  // A few samples a little apart; the last one is reported (allocators settle after a load).
  let v = 0;
  for (let i = 0; i < 3; i++) {
    await sleep(700);
    v = rssBytes(pid);
  }
  return v;
}

export function redisVersion() {
  const r = spawnSync(REDIS_SERVER, ['--version'], { encoding: 'latin1' });
  const m = /v=(\S+)/.exec(r.stdout ?? '');
  return m ? m[1] : 'unknown';
}

/** Exits with status 1 when redis-server, redis-benchmark or dist/main.js is missing. */
export function requireBinaries(installHint = '') {
  for (const [p, what] of [
    [REDIS_SERVER, 'redis-server'],
    [REDIS_BENCHMARK, 'redis-benchmark'],
    [mainJs, 'dist/main.js (run npm run build)'],
  ]) {
    if (!existsSync(p)) {
      console.error('missing ' + what + ' at ' + p + (p === mainJs ? '' : installHint));
      process.exit(1);
    }
  }
}
