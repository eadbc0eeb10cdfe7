/**
 * maxmemory and key eviction, as Redis 7.0's evict.c.
 *
 * Before every command (a hook in `server.vetoes`), when `maxmemory` is set and the used memory
 * is above it, keys are evicted according to `maxmemory-policy` until the memory freed covers
 * the excess, or until the time budget given by `maxmemory-eviction-tenacity` is spent (then a
 * timer keeps evicting on the next turns of the event loop, and the command runs). When nothing
 * can be evicted (noeviction, or no candidate key left), commands flagged `denyoom` - and every
 * command queued inside MULTI except EXEC/DISCARD/QUIT/RESET - are refused with Redis's OOM
 * error; everything else (reads, DEL...) keeps being served.
 *
 * Candidate selection is Redis's approximation: for the LRU, LFU and TTL policies,
 * `maxmemory-samples` keys are sampled from every non-empty database (all keys, or only keys
 * with a TTL for volatile-*) into a 16-entry pool kept sorted by "idleness" (idle time, 255 -
 * LFU counter, or how soon the TTL ends) that persists across calls; the best entry still
 * present in its database is evicted. The random policies take a random key from the next
 * non-empty database in turn.
 *
 * The figure compared with `maxmemory` is cheap and current: the keyspace's own accounting
 * (live slab chunks, tables, large values; maintained incrementally by the Db and summed over
 * the databases) plus the start-up baseline and client buffers - Server.usedMemory() without
 * replica output buffers (mem_not_counted_for_evict), with client buffers re-summed every
 * CLIENTS_REFRESH_MS rather than per command (MemoryGauge). It never reads process.memoryUsage().
 * The memory an eviction frees is measured as the change of its database's accounting across
 * the deletion, like Redis's zmalloc_used_memory() delta.
 *
 * Evicted keys: stats.evictedKeys, a `DEL` (or `UNLINK` with lazyfree-lazy-eviction) propagated
 * in the key's database, the 'evicted' keyspace event and keyModified (WATCH, tracking).
 * A replica does not evict while replica-ignore-maxmemory is yes (the default): its master's
 * DELs keep it an exact copy. Nor does anything get evicted while clients are paused.
 *
 * The LFU word itself (and the switch between LRU and LFU access words) lives with the LRU
 * clock in store/expire.ts; this module sets it from the configuration.
 */

import { ClientFlag } from '../server/client.js';
import type { Client } from '../server/client.js';
import type { Server } from '../server/server.js';
import { clientMemory } from '../server/server.js';
import type { Command } from '../commands/table.js';
import { FLAG_BITS } from '../commands/spec.js';
import type { Config } from '../config/index.js';
import { ERR } from '../protocol/errors.js';
import type { Db, Keyspace } from './db.js';
import { NOTIFY } from './notify.js';
import { HeapGuard } from './heap-guard.js';
import { idleSeconds, lfuDecrAndReturn, lruClock, setAccessPolicy } from './expire.js';

export const EVICT_OK = 0;
/** Over the limit, but the time budget ran out and the eviction timer keeps going. */
export const EVICT_RUNNING = 1;
export const EVICT_FAIL = 2;

const P_LRU = 1;
const P_LFU = 2;
const P_TTL = 4;
const P_RANDOM = 8;
const P_ALLKEYS = 16;
const P_NOEVICTION = 32;

/** Policy name (as CONFIG GET prints it) → policy bits. */
export function policyBits(name: string): number {
  switch (name) {
    case 'volatile-lru':
      return P_LRU;
    case 'volatile-lfu':
      return P_LFU;
    case 'volatile-random':
      return P_RANDOM;
    case 'volatile-ttl':
      return P_TTL;
    case 'allkeys-lru':
      return P_LRU | P_ALLKEYS;
    case 'allkeys-lfu':
      return P_LFU | P_ALLKEYS;
    case 'allkeys-random':
      return P_RANDOM | P_ALLKEYS;
    default:
      return P_NOEVICTION;
  }
}

/** Redis's evictionTimeLimitUs: 0..500 us linearly up to tenacity 10, then +15% per step, 100 = no limit. */
export function evictionTimeLimitUs(tenacity: number): number {
  if (tenacity <= 10) return 50 * tenacity;
  if (tenacity < 100) return Math.floor(500 * Math.pow(1.15, tenacity - 10));
  return Infinity;
}

const EVPOOL_SIZE = 16;
/** Keys up to this length are copied into a buffer owned by the pool slot (no allocation). */
const EVPOOL_CACHED_SIZE = 255;
/** How often client buffers (and idle databases) are re-summed for the memory figure. */
const CLIENTS_REFRESH_MS = 100;

const F_DENYOOM = FLAG_BITS.denyoom;
const DEL = Buffer.from('DEL');
const UNLINK = Buffer.from('UNLINK');
/** Commands Redis never refuses inside MULTI for lack of memory. */
const MULTI_OOM_EXEMPT = new Set(['exec', 'discard', 'quit', 'reset']);

/** One slot of the eviction pool. */
interface PoolEntry {
  /** Higher = better candidate (idle ms, 255 - LFU counter, or -expire time). */
  score: number;
  dbIndex: number;
  /** The key (a view of `cached` or an own copy), null = empty slot. */
  key: Buffer | null;
  cached: Buffer;
}

/** What the evictor needs from the server (a narrow interface so tests can pass a fake). */
export interface EvictionHost {
  readonly config: Config;
  readonly keyspace: Keyspace;
  readonly stats: { evictedKeys: number };
  readonly isReplica: boolean;
  readonly pause: { mode: string | null; until: number };
  readonly latency: { thresholdMs: number; addSampleIfNeeded(event: string, ms: number): void };
  readonly log: { warning(msg: string): void };
  propagate(dbIndex: number, argv: Buffer[]): void;
  notify(type: number, event: string, key: Buffer, dbIndex: number): void;
  keyModified(dbIndex: number, key: Buffer): void;
}

/**
 * Bytes owned by the keyspace as maintained incrementally by the Dbs: live slab chunks, entry
 * and bucket tables, volatile sets, large strings/keys and the estimate for other values.
 * Unlike Keyspace.bytesUsed() (whole slab pages) it goes down when keys are deleted - free
 * chunks kept for reuse are allocator slack, visible in RSS and mem_fragmentation_ratio, as
 * jemalloc's are for Redis. O(databases).
 */
export function keyspaceMemory(ks: Keyspace): number {
  let n = ks.slab.bytesUsed;
  const dbs = ks.dbs;
  for (let i = 0; i < dbs.length; i++) n += dbs[i]!.ownBytes();
  return n;
}

export class Evictor {
  readonly host: EvictionHost;
  /** The figure compared with maxmemory (see the file header). */
  readonly memory: () => number;
  maxmemory: number;
  policy: number;
  private samples: number;
  private tenacity: number;
  private lazyEviction: boolean;
  private replicaIgnore: boolean;
  private lfuDecayTime: number;
  private readonly pool: PoolEntry[] = [];
  private nextDb = 0;
  private procRunning = false;
  private stopped = false;
  /** The V8 heap cap guard (store/heap-guard.ts); null in unit tests with a fake host. */
  heap: HeapGuard | null = null;
  /** performance.now() when the limit was first found exceeded (0 = not exceeded). */
  private exceededSince = 0;
  private exceededTotalMs = 0;

  constructor(host: EvictionHost, memory: () => number) {
    this.host = host;
    this.memory = memory;
    const config = host.config;
    this.maxmemory = config.getNumber('maxmemory');
    this.policy = policyBits(config.getString('maxmemory-policy'));
    this.samples = config.getNumber('maxmemory-samples');
    this.tenacity = config.getNumber('maxmemory-eviction-tenacity');
    this.lazyEviction = config.getBool('lazyfree-lazy-eviction');
    this.replicaIgnore = config.getBool('replica-ignore-maxmemory');
    this.lfuDecayTime = config.getNumber('lfu-decay-time');
    for (let i = 0; i < EVPOOL_SIZE; i++) this.pool.push({ score: 0, dbIndex: 0, key: null, cached: Buffer.allocUnsafe(EVPOOL_CACHED_SIZE) });
    this.applyAccessPolicy();
    config.onChange('maxmemory', (v) => {
      this.maxmemory = v as number;
      this.onMaxmemoryChanged();
    });
    config.onChange('maxmemory-policy', (v) => {
      this.policy = policyBits(v as string);
      this.resetPool();
      this.applyAccessPolicy();
    });
    config.onChange('maxmemory-samples', (v) => (this.samples = v as number));
    config.onChange('maxmemory-eviction-tenacity', (v) => (this.tenacity = v as number));
    config.onChange('lazyfree-lazy-eviction', (v) => (this.lazyEviction = v as boolean));
    config.onChange('replica-ignore-maxmemory', (v) => (this.replicaIgnore = v as boolean));
    config.onChange('lfu-log-factor', () => this.applyAccessPolicy());
    config.onChange('lfu-decay-time', (v) => {
      this.lfuDecayTime = v as number;
      this.applyAccessPolicy();
    });
  }

  /** Stops the eviction timer for good (server shutdown). */
  stop(): void {
    this.stopped = true;
  }

  /** ms spent over the limit in total and in the current episode (INFO stats). */
  exceededTimeMs(): { total: number; current: number } {
    const current = this.exceededSince !== 0 ? performance.now() - this.exceededSince : 0;
    return { total: Math.floor(this.exceededTotalMs + current), current: Math.floor(current) };
  }

  /**
   * The veto run before every command: evicts if needed; returns Redis's OOM error for a
   * command that may grow memory (denyoom, or anything queued in MULTI) when nothing could be
   * freed, else null.
   */
  veto(c: Client, cmd: Command): string | null {
    if (this.heap !== null && ((cmd.flags & F_DENYOOM) !== 0 || (c.flags & ClientFlag.MULTI) !== 0) && (c.flags & ClientFlag.MASTER) === 0 && this.heap.refuse()) {
      if ((cmd.flags & F_DENYOOM) !== 0) return ERR.oom;
      if (!MULTI_OOM_EXEMPT.has(cmd.name)) return ERR.oom;
    }
    if (this.maxmemory === 0) return null;
    if (this.performEvictions() !== EVICT_FAIL) return null;
    if ((cmd.flags & F_DENYOOM) !== 0) return ERR.oom;
    if ((c.flags & ClientFlag.MULTI) !== 0 && !MULTI_OOM_EXEMPT.has(cmd.name)) return ERR.oom;
    return null;
  }

  /** Redis's isSafeToPerformEvictions: not on a replica ignoring maxmemory, not while paused. */
  private safeToEvict(): boolean {
    const host = this.host;
    if (host.isReplica && this.replicaIgnore) return false;
    const p = host.pause;
    if (p.mode !== null && Date.now() < p.until) return false;
    return true;
  }

  /**
   * Redis's performEvictions: EVICT_OK when under the limit (or after freeing enough),
   * EVICT_RUNNING when the time budget ran out and the timer continues, EVICT_FAIL when the
   * policy forbids evicting or no candidate is left.
   */
  performEvictions(): number {
    if (!this.safeToEvict()) return EVICT_OK;
    const max = this.maxmemory;
    if (max === 0) return this.metrics(EVICT_OK);
    const used = this.memory();
    if (used <= max) return this.metrics(EVICT_OK);
    const policy = this.policy;
    if ((policy & P_NOEVICTION) !== 0) return this.metrics(EVICT_FAIL);

    const host = this.host;
    const dbs = host.keyspace.dbs;
    const toFree = used - max;
    const limitMs = evictionTimeLimitUs(this.tenacity) / 1000;
    const latencyOn = host.latency.thresholdMs > 0;
    const start = performance.now();
    let freed = 0;
    let keysFreed = 0;
    let result = EVICT_FAIL;
    let exhausted = false;
    while (freed < toFree) {
      let bestDb = -1;
      let bestId = -1;
      if ((policy & P_RANDOM) === 0) {
        while (bestDb < 0) {
          let total = 0;
          for (let i = 0; i < dbs.length; i++) {
            const db = dbs[i]!;
            const n = (policy & P_ALLKEYS) !== 0 ? db.size : db.volatileCount;
            if (n !== 0) {
              this.populate(i, db);
              total += n;
            }
          }
          if (total === 0) break;
          // From the best entry down: the first one whose key still qualifies is the pick.
          for (let k = EVPOOL_SIZE - 1; k >= 0; k--) {
            const e = this.pool[k]!;
            const key = e.key;
            if (key === null) continue;
            e.key = null;
            const db = dbs[e.dbIndex];
            if (db === undefined) continue;
            const id = db.find(key);
            if (id >= 0 && ((policy & P_ALLKEYS) !== 0 || db.expireAt(id) >= 0)) {
              bestDb = e.dbIndex;
              bestId = id;
              break;
            }
            // A ghost (deleted, renamed, or lost its TTL since it was sampled): try the next.
          }
        }
      } else {
        for (let i = 0; i < dbs.length; i++) {
          const j = ++this.nextDb % dbs.length;
          this.nextDb = j;
          const db = dbs[j]!;
          const id = (policy & P_ALLKEYS) !== 0 ? db.randomId() : db.randomVolatile();
          if (id >= 0) {
            bestDb = j;
            bestId = id;
            break;
          }
        }
      }
      if (bestDb < 0) {
        exhausted = true;
        break;
      }

      const db = dbs[bestDb]!;
      const key = db.keyOf(bestId);
      const before = db.bytesUsed();
      const t0 = latencyOn ? performance.now() : 0;
      db.deleteId(bestId);
      if (latencyOn) host.latency.addSampleIfNeeded('eviction-del', Math.floor(performance.now() - t0));
      freed += before - db.bytesUsed();
      host.stats.evictedKeys++;
      host.keyModified(bestDb, key);
      host.notify(NOTIFY.EVICTED, 'evicted', key, bestDb);
      host.propagate(bestDb, [this.lazyEviction ? UNLINK : DEL, key]);
      keysFreed++;

      if ((keysFreed & 15) === 0) {
        // Redis re-checks here with lazy freeing, where memory goes down in the background.
        if (this.lazyEviction && this.memory() <= max) break;
        if (performance.now() - start > limitMs) {
          this.startEvictionTimer();
          break;
        }
      }
    }
    if (!exhausted) result = this.procRunning ? EVICT_RUNNING : EVICT_OK;
    if (latencyOn) host.latency.addSampleIfNeeded('eviction-cycle', Math.floor(performance.now() - start));
    return this.metrics(result);
  }

  /** total/current_eviction_exceeded_time bookkeeping (Redis's update_metrics). */
  private metrics(result: number): number {
    if (result === EVICT_OK) {
      if (this.exceededSince !== 0) {
        this.exceededTotalMs += performance.now() - this.exceededSince;
        this.exceededSince = 0;
      }
    } else if (this.exceededSince === 0) {
      this.exceededSince = performance.now();
    }
    return result;
  }

  /** Redis's evictionPoolPopulate: sample keys of one database into the pool. */
  private populate(dbIndex: number, db: Db): void {
    const policy = this.policy;
    const allkeys = (policy & P_ALLKEYS) !== 0;
    const pool = this.pool;
    for (let j = 0; j < this.samples; j++) {
      const id = allkeys ? db.randomId() : db.randomVolatile();
      if (id < 0) return;
      let score: number;
      if ((policy & P_LRU) !== 0) score = idleSeconds(db.lru(id) & 0xffffff) * 1000;
      else if ((policy & P_LFU) !== 0) score = 255 - lfuDecrAndReturn(db.lru(id), this.lfuDecayTime);
      else score = -db.expireAt(id); // volatile-ttl: the sooner it expires, the better
      // First empty slot or first entry with a higher score (the pool is sorted ascending).
      let k = 0;
      while (k < EVPOOL_SIZE && pool[k]!.key !== null && pool[k]!.score < score) k++;
      if (k === 0 && pool[EVPOOL_SIZE - 1]!.key !== null) continue; // worse than everything in a full pool
      if (this.inPool(dbIndex, db, id, score, k)) continue; // sampled twice: keep one
      if (k < EVPOOL_SIZE && pool[k]!.key === null) {
        // Empty slot: nothing to move.
      } else if (pool[EVPOOL_SIZE - 1]!.key === null) {
        // Room on the right: shift k.. one place right (the last, empty slot comes to k).
        const spare = pool[EVPOOL_SIZE - 1]!;
        for (let i = EVPOOL_SIZE - 1; i > k; i--) pool[i] = pool[i - 1]!;
        pool[k] = spare;
      } else {
        // Full: drop the worst entry (slot 0), shifting 1..k-1 left; insert at k-1.
        k--;
        const spare = pool[0]!;
        for (let i = 0; i < k; i++) pool[i] = pool[i + 1]!;
        pool[k] = spare;
      }
      const e = pool[k]!;
      const view = db.keyView(id);
      if (view.length <= EVPOOL_CACHED_SIZE) {
        view.copy(e.cached, 0, 0, view.length);
        e.key = e.cached.subarray(0, view.length);
      } else {
        e.key = Buffer.from(view);
      }
      e.score = score;
      e.dbIndex = dbIndex;
    }
  }

  /** True if the pool already holds this key (same db and score, found around slot k). */
  private inPool(dbIndex: number, db: Db, id: number, score: number, k: number): boolean {
    const pool = this.pool;
    let key: Buffer | null = null;
    for (let i = k; i < EVPOOL_SIZE; i++) {
      const e = pool[i]!;
      if (e.key === null || e.score !== score) return false;
      if (e.dbIndex !== dbIndex) continue;
      if (key === null) key = db.keyView(id);
      if (e.key.equals(key)) return true;
    }
    return false;
  }

  private resetPool(): void {
    for (const e of this.pool) e.key = null;
  }

  /** Tells the access-word code in expire.ts which word to keep, and restamps new keys. */
  private applyAccessPolicy(): void {
    const config = this.host.config;
    setAccessPolicy((this.policy & P_LFU) !== 0, config.getNumber('lfu-log-factor'), this.lfuDecayTime);
    this.host.keyspace.setLruInit(lruClock());
  }

  /** CONFIG SET maxmemory: warn when already above it, then evict in the background. */
  private onMaxmemoryChanged(): void {
    if (this.maxmemory === 0) {
      this.metrics(EVICT_OK); // no limit, so no longer over it
      return;
    }
    const used = this.memory();
    if (this.maxmemory < used) {
      this.host.log.warning(
        'WARNING: the new maxmemory value set via CONFIG SET (' +
          this.maxmemory +
          ') is smaller than the current memory usage (' +
          used +
          '). This will result in key eviction and/or the inability to accept new write commands depending on the maxmemory-policy.',
      );
    }
    this.startEvictionTimer();
  }

  /** Redis's startEvictionTimeProc: keep evicting on each turn of the event loop until done. */
  private startEvictionTimer(): void {
    if (this.procRunning || this.stopped) return;
    this.procRunning = true;
    setImmediate(this.timerTick);
  }

  private readonly timerTick = (): void => {
    if (!this.stopped && this.performEvictions() === EVICT_RUNNING) {
      setImmediate(this.timerTick);
      return;
    }
    this.procRunning = false;
  };
}

/**
 * The figure installEviction gives the Evictor, cheap enough for every command: the start-up
 * baseline, the keyspace's accounting and client buffers, less replica output buffers. The
 * keyspace part is current: live slab chunks (one counter) plus Db.ownBytes() of every database
 * that holds keys or changed size since the last call; an empty database that stayed empty can
 * only shrink (cron compaction), so its figure is reused until the periodic refresh. Client
 * buffers are re-summed on that refresh (every CLIENTS_REFRESH_MS), not per command.
 */
class MemoryGauge {
  private readonly server: Server;
  private readonly own: Float64Array;
  private readonly sizes: Float64Array;
  private stale = true;
  clientsBytes = 0;
  replicaBytes = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(server: Server) {
    this.server = server;
    const n = server.keyspace.dbs.length;
    this.own = new Float64Array(n);
    this.sizes = new Float64Array(n).fill(-1);
  }

  /** Refreshes everything on the next read, and every CLIENTS_REFRESH_MS while maxmemory is set. */
  start(): void {
    this.stale = true;
    if (this.timer !== null) return;
    this.timer = setInterval(() => (this.stale = true), CLIENTS_REFRESH_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  read(): number {
    const server = this.server;
    const ks = server.keyspace;
    const dbs = ks.dbs;
    const stale = this.stale;
    if (stale) {
      this.sumClients();
      this.stale = false;
    }
    // Flushed contents a running snapshot still serializes do not count (see Keyspace).
    let n = ks.slab.bytesUsed - ks.detachedRecordBytes;
    for (let i = 0; i < dbs.length; i++) {
      const db = dbs[i]!;
      const size = db.size;
      if (size !== 0 || this.sizes[i] !== 0 || stale) {
        this.own[i] = db.ownBytes();
        this.sizes[i] = size;
      }
      n += this.own[i]!;
    }
    return server.baseMemory + n + this.clientsBytes - this.replicaBytes;
  }

  sumClients(): void {
    let all = 0;
    let replicas = 0;
    for (const c of this.server.clients.values()) {
      const n = clientMemory(c);
      all += n;
      if ((c.flags & ClientFlag.REPLICA) !== 0) replicas += n;
    }
    this.clientsBytes = all;
    this.replicaBytes = replicas;
  }
}

/**
 * Attaches eviction to a server: the veto hook, the INFO fields it owns, and the memory figure
 * (MemoryGauge: Server.usedMemory() minus replica output buffers, computed cheaply).
 */
export function installEviction(server: Server): Evictor {
  const gauge = new MemoryGauge(server);
  // Subscribed before the Evictor, so that a new maxmemory is checked against a fresh figure.
  server.config.onChange('maxmemory', (v) => (v === 0 ? gauge.stop() : gauge.start()));
  const ev = new Evictor(server, () => gauge.read());
  const heap: HeapGuard = new HeapGuard((used, limit) =>
    server.log.warning(
      'The V8 heap is at ' + Math.round(used / 1048576) + ' MB of its ' + Math.round(limit / 1048576) + ' MB limit: refusing writes that may grow memory with OOM until it is below ' +
        Math.round(heap.resumeBelow / 1048576) + ' MB (start node with a larger --max-old-space-size, or set maxmemory).',
    ),
  );
  ev.heap = heap;
  if (ev.maxmemory !== 0) gauge.start();
  server.vetoes.push((c, cmd) => ev.veto(c, cmd));
  server.exitHooks.push(() => {
    ev.stop();
    gauge.stop();
  });
  server.infoFields.set('mem_not_counted_for_evict', () => {
    gauge.sumClients();
    return gauge.replicaBytes;
  });
  server.infoFields.set('total_eviction_exceeded_time', () => ev.exceededTimeMs().total);
  server.infoFields.set('current_eviction_exceeded_time', () => ev.exceededTimeMs().current);
  return ev;
}
