/**
 * Helpers for replication tests: waiting for a condition, INFO fields, a TCP proxy that can cut
 * a link, a seeder that writes mixed types, and whole-dataset comparison.
 */

import net from 'node:net';
import { Redis } from 'ioredis';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(fn: () => Promise<T> | T, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    await sleep(25);
  }
  throw new Error('timed out waiting for ' + what + ' (last: ' + String(last) + ')');
}

export function connect(port: number, opts: { password?: string } = {}): Redis {
  return new Redis({ port, host: '127.0.0.1', enableReadyCheck: false, maxRetriesPerRequest: 1, lazyConnect: false, password: opts.password });
}

/** INFO text as field -> value. */
export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

export async function info(r: Redis, section = 'replication'): Promise<Record<string, string>> {
  return parseInfo(await r.info(section));
}

/** Waits until `replica` reports link up, `master`'s replication id and the same offset. */
export async function waitInSync(master: Redis, replica: Redis, timeoutMs = 30000): Promise<void> {
  await waitFor(
    async () => {
      const m = await info(master);
      const s = await info(replica);
      // Same history (a replica that was just pointed elsewhere still shows its old master's
      // id until it has synced with the new one) and the same offset.
      return s['master_link_status'] === 'up' && s['master_replid'] === m['master_replid'] && s['slave_repl_offset'] === m['master_repl_offset'];
    },
    timeoutMs,
    'replica to catch up',
  );
}

/** DEBUG DIGEST of the whole dataset (keys, values and TTLs in every database). */
export async function digest(r: Redis): Promise<string> {
  return (await r.call('DEBUG', 'DIGEST')) as string;
}

/** Every key of every database with its type and value, for a readable diff when digests differ. */
export async function dumpDataset(r: Redis, dbs = 16): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const c = r.duplicate();
  try {
    for (let db = 0; db < dbs; db++) {
      await c.select(db);
      const keys = (await c.keys('*')).sort();
      for (const k of keys) {
        const type = await c.type(k);
        let v: unknown;
        if (type === 'string') v = await c.get(k);
        else if (type === 'list') v = await c.lrange(k, 0, -1);
        else if (type === 'hash') v = await c.hgetall(k);
        else if (type === 'set') v = (await c.smembers(k)).sort();
        else if (type === 'zset') v = await c.zrange(k, '0', '-1', 'WITHSCORES');
        else v = type;
        out[db + ':' + k] = { type, v };
      }
    }
  } finally {
    c.disconnect();
  }
  return out;
}

/** A TCP proxy between a replica and its master; `cut()` drops every connection through it. */
export class TcpProxy {
  readonly server: net.Server;
  private readonly conns = new Set<net.Socket>();
  port = 0;
  /** While true new connections are refused (closed at once). */
  refusing = false;

  constructor(private readonly targetPort: number) {
    this.server = net.createServer((client) => {
      if (this.refusing) {
        client.destroy();
        return;
      }
      const upstream = net.connect({ host: '127.0.0.1', port: this.targetPort });
      this.conns.add(client);
      this.conns.add(upstream);
      client.pipe(upstream);
      upstream.pipe(client);
      const close = (): void => {
        client.destroy();
        upstream.destroy();
        this.conns.delete(client);
        this.conns.delete(upstream);
      };
      client.on('error', close);
      upstream.on('error', close);
      client.on('close', close);
      upstream.on('close', close);
    });
  }

  async start(): Promise<number> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }

  cut(): void {
    for (const s of this.conns) s.destroy();
    this.conns.clear();
  }

  get connections(): number {
    return this.conns.size / 2;
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** Deterministic pseudo-random numbers (tests stay reproducible). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Writes a mixed workload: strings (some big, some binary), lists, hashes, sets, zsets, in
 * databases 0-3, with TTLs, deletes, MULTI blocks and INCRBYFLOAT/SPOP (replicated as effects).
 * Returns the number of commands sent.
 */
export async function seed(r: Redis, rounds: number, seedNo: number): Promise<number> {
  const rand = rng(seedNo);
  const pick = (n: number): number => Math.floor(rand() * n);
  let sent = 0;
  const p = r.pipeline();
  for (let i = 0; i < rounds; i++) {
    const db = pick(4);
    p.select(db);
    const k = 'k' + pick(500);
    switch (pick(14)) {
      case 0:
        p.set(k, 'v' + i);
        break;
      case 1:
        p.set(k, Buffer.from([0, 255, 13, 10, pick(256), 0]));
        break;
      case 2:
        p.set('big' + pick(5), 'x'.repeat(1000 + pick(50000)));
        break;
      case 3:
        p.set('ttl' + pick(100), 'v', 'EX', 1 + pick(1000));
        break;
      case 4:
        p.rpush('l' + pick(50), 'a' + i, 'b' + i);
        break;
      case 5:
        p.hset('h' + pick(50), 'f' + pick(30), 'v' + i);
        break;
      case 6:
        p.sadd('s' + pick(50), String(pick(100)), 'm' + pick(20));
        break;
      case 7:
        p.zadd('z' + pick(50), String(pick(1000) / 7), 'm' + pick(40));
        break;
      case 8:
        p.del(k, 'l' + pick(50));
        break;
      case 9:
        p.incrbyfloat('f' + pick(20), '0.1');
        break;
      case 10:
        p.spop('s' + pick(50));
        break;
      case 11:
        p.call('MULTI');
        p.incr('c' + pick(20));
        p.lpush('l' + pick(50), 'm' + i);
        p.call('EXEC');
        break;
      case 12:
        p.expire('h' + pick(50), 100 + pick(1000));
        break;
      default:
        p.set('px' + pick(50), 'v', 'PX', 50 + pick(300));
        break;
    }
    sent++;
  }
  p.select(0);
  await p.exec();
  return sent;
}
