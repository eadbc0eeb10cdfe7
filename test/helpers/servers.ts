/**
 * Test helpers: start real server processes on free ports and wait until they are ready.
 * Integration tests talk to them over TCP with real clients, never in-process.
 */

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');
export const mainJs = path.join(repoRoot, 'dist', 'main.js');

export interface ServerProcess {
  port: number;
  host: string;
  proc: ChildProcess;
  /** Everything the process printed so far (stdout + stderr). */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  dir: string;
}

/** Asks the kernel for a free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function startProcess(cmd: string, args: string[], readyLine: string, port: number, dir: string, timeoutMs: number): Promise<ServerProcess> {
  return new Promise((resolve, reject) => {
    const proc = spawn(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let ready = false;
    const timer = setTimeout(() => {
      if (!ready) {
        proc.kill('SIGKILL');
        reject(new Error('server did not become ready in ' + timeoutMs + ' ms:\n' + out));
      }
    }, timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString('latin1');
      if (!ready && out.includes(readyLine)) {
        ready = true;
        clearTimeout(timer);
        resolve({
          port,
          host: '127.0.0.1',
          proc,
          dir,
          output: () => out,
          stop: (signal: NodeJS.Signals = 'SIGTERM') =>
            new Promise((res) => {
              if (proc.exitCode !== null || proc.signalCode !== null) return res(proc.exitCode);
              const killer = setTimeout(() => proc.kill('SIGKILL'), 5000);
              proc.once('exit', (code) => {
                clearTimeout(killer);
                res(code);
              });
              proc.kill(signal);
            }),
        });
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => {
      if (!ready) {
        clearTimeout(timer);
        reject(new Error('server exited with ' + code + ' before ready:\n' + out));
      }
    });
  });
}

export function tempDir(prefix = 'damselfly-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Starts `node dist/main.js` on a free port. Extra args are redis-server style (`--name value`). */
export async function startDamselfly(args: string[] = [], opts: { dir?: string; timeoutMs?: number; nodeArgs?: string[] } = {}): Promise<ServerProcess> {
  const port = await freePort();
  const dir = opts.dir ?? tempDir();
  return startProcess(
    process.execPath,
    [...(opts.nodeArgs ?? []), mainJs, '--port', String(port), '--bind', '127.0.0.1', '--save', '', ...args],
    'Ready to accept connections',
    port,
    dir,
    opts.timeoutMs ?? 15000,
  );
}

/** Where the reference redis-server is looked for ($REDIS_SERVER, default /usr/bin/redis-server). */
export function redisServerPath(): string {
  return process.env['REDIS_SERVER'] ?? '/usr/bin/redis-server';
}

/** The command that runs the reference redis-cli ($REDIS_CLI, default `redis-cli` on the PATH). */
export function redisCliPath(): string {
  return process.env['REDIS_CLI'] ?? 'redis-cli';
}

const INSTALL_REDIS = 'apt-get install -y redis-server redis-tools';
const checked = new Set<string>();

/**
 * Returns the path of the reference redis-server, or throws (failing the calling test or hook)
 * when it is missing or is not 7.0.x. Side-by-side tests never skip: CI (`.ci/run`) installs
 * redis-server 7.0.15, so a missing one is a broken environment and must be seen.
 */
export function requireRedisServer(): string {
  const p = redisServerPath();
  if (checked.has('server:' + p)) return p;
  if (!existsSync(p)) {
    throw new Error('redis-server 7.0 is required: ' + INSTALL_REDIS + ' (not found at ' + p + '; $REDIS_SERVER overrides the path)');
  }
  const r = spawnSync(p, ['--version'], { encoding: 'latin1', timeout: 10000 });
  const version = / v=(\S+)/.exec(r.stdout ?? '')?.[1];
  if (r.status !== 0 || version === undefined || !version.startsWith('7.0.')) {
    throw new Error(
      'redis-server 7.0 is required: ' + INSTALL_REDIS + ' (' + p + ' --version: ' + JSON.stringify(((r.stdout ?? '') + (r.stderr ?? '')).trim() || String(r.error)) + ')',
    );
  }
  checked.add('server:' + p);
  return p;
}

/** Returns the redis-cli command, or throws when it cannot be run (see requireRedisServer). */
export function requireRedisCli(): string {
  const p = redisCliPath();
  if (checked.has('cli:' + p)) return p;
  const r = spawnSync(p, ['--version'], { encoding: 'latin1', timeout: 10000 });
  if (r.status !== 0 || !/^redis-cli \d/.test(r.stdout ?? '')) {
    throw new Error('redis-cli is required: ' + INSTALL_REDIS + ' (' + p + ' --version: ' + JSON.stringify(((r.stdout ?? '') + (r.stderr ?? '')).trim() || String(r.error)) + ')');
  }
  checked.add('cli:' + p);
  return p;
}

/**
 * Returns `script` (util-linux's script(1), which gives a program a pty), or throws when it
 * cannot be run. Debian ships it in the essential package bsdutils, so it is always there.
 */
export function requireScript(): string {
  if (checked.has('script')) return 'script';
  const r = spawnSync('script', ['--version'], { encoding: 'latin1', timeout: 10000 });
  if (r.status !== 0) {
    throw new Error('script(1) from util-linux is required: apt-get install -y bsdutils (script --version: ' + JSON.stringify(((r.stdout ?? '') + (r.stderr ?? '')).trim() || String(r.error)) + ')');
  }
  checked.add('script');
  return 'script';
}

/** Starts the reference redis-server 7.0 on a free port; throws when it is not installed. */
export async function startRedis(args: string[] = [], opts: { dir?: string; timeoutMs?: number } = {}): Promise<ServerProcess> {
  const bin = requireRedisServer();
  const port = await freePort();
  const dir = opts.dir ?? tempDir('redis-ref-');
  return startProcess(
    bin,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...args],
    'Ready to accept connections',
    port,
    dir,
    opts.timeoutMs ?? 15000,
  );
}
