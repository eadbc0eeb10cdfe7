/**
 * Key lookups with Redis's expiry semantics, and the active expiry cycle.
 *
 * Lazy expiry: a lookup that finds a key whose time has passed deletes it (on a primary),
 * propagates a DEL so replicas stay exact copies, and reports a miss. A replica never deletes
 * on its own: it hides the key from normal clients but shows it to its master's stream, which
 * will send the DEL itself.
 *
 * Active expiry: every cron tick samples keys with a TTL and deletes the expired ones, repeating
 * while more than ~10% of a sample was expired, within a CPU budget of 25% of the tick (like
 * Redis's ACTIVE_EXPIRE_CYCLE_SLOW).
 */

import type { Client } from '../server/client.js';
import { ClientFlag } from '../server/client.js';
import type { Server } from '../server/server.js';
import type { Db } from './db.js';
import { NOTIFY } from './notify.js';

const DEL = Buffer.from('DEL');
const UNLINK = Buffer.from('UNLINK');

/** Deletes an expired key on a primary: stats, propagation, notification. */
export function deleteExpired(server: Server, db: Db, dbIndex: number, id: number): void {
  const key = db.keyOf(id);
  db.deleteId(id);
  server.stats.expiredKeys++;
  server.propagate(dbIndex, [server.config.getBool('lazyfree-lazy-expire') ? UNLINK : DEL, key]);
  server.notify(NOTIFY.EXPIRED, 'expired', key, dbIndex);
  server.keyModified(dbIndex, key);
}

/**
 * Finds `key` for a command, honouring expiry. Returns the entry id or -1.
 * Does not count hits/misses (see lookupRead).
 */
export function lookupKey(c: Client, key: Buffer): number {
  const db = c.db;
  const id = db.find(key);
  if (id < 0) return -1;
  if (db.volatileCount > 0 && db.isExpired(id, Date.now())) {
    const server = c.server;
    if (server.isReplica) {
      // The master's stream is authoritative: it still sees the key until it sends the DEL.
      if ((c.flags & ClientFlag.MASTER) !== 0) return id;
      return -1;
    }
    deleteExpired(server, db, c.dbIndex, id);
    return -1;
  }
  return id;
}

/** Lookup for reading: counts keyspace hits/misses and records the access (touchKey). */
export function lookupRead(c: Client, key: Buffer): number {
  const id = lookupKey(c, key);
  if (id < 0) {
    c.server.stats.keyspaceMisses++;
    return -1;
  }
  c.server.stats.keyspaceHits++;
  if ((c.flags & ClientFlag.NO_TOUCH) === 0) touchKey(c.db, id);
  return id;
}

/**
 * Lookup for writing: no hit/miss accounting (Redis's lookupKeyWrite). Callers may change the
 * value in place afterwards, so a running snapshot serializes the entry here, before that.
 */
export function lookupWrite(c: Client, key: Buffer): number {
  const id = lookupKey(c, key);
  if (id >= 0) {
    const db = c.db;
    if (db.guard !== null) db.guard.beforeChange(db, id);
    if ((c.flags & ClientFlag.NO_TOUCH) === 0) touchKey(db, id);
  }
  return id;
}

// ---------------------------------------------------------------------------------------------
// The per-key access word (Db.lru/setLru): Redis's robj->lru, 24 bits.
//
// - LRU policies (and no policy): the LRU clock, seconds truncated to 24 bits. Like Redis, the
//   clock is cached and refreshed by the server cron (every 1000/hz ms), so a lookup does not
//   read the system clock.
// - LFU policies (allkeys-lfu, volatile-lfu): Redis's LFU word, (minutes clock, 16 bits) << 8 |
//   logarithmic access counter (8 bits). New keys start at LFU_INIT_VAL; an access first decays
//   the counter by one per `lfu-decay-time` minutes since the last access, then increments it
//   with probability 1 / ((counter - LFU_INIT_VAL) * lfu-log-factor + 1).
//
// Which of the two the words hold is process-wide state (like the clock): the eviction layer
// (store/evict.ts) sets it from maxmemory-policy, lfu-log-factor and lfu-decay-time. As in Redis,
// switching policy at runtime leaves existing words as they are until keys are touched again.

export const LFU_INIT_VAL = 5;

let cachedUnixSec = Math.floor(Date.now() / 1000);
let cachedLruClock = cachedUnixSec & 0xffffff;
let lfuActive = false;
let lfuLogFactor = 10;
let lfuDecayTime = 1;

/** Redis's LFUGetTimeInMinutes: the cached unix time in minutes, 16 bits. */
export function lfuTimeInMinutes(): number {
  return Math.floor(cachedUnixSec / 60) & 0xffff;
}

/**
 * The access word a new (or rewritten) value starts with, as Redis's createObject sets
 * robj->lru: the LRU clock, or under an LFU policy (minutes << 8) | LFU_INIT_VAL. Callers that
 * stamp a fresh value write `db.setLru(id, lruClock())`; to record an access use touchKey.
 */
export function lruClock(): number {
  return lfuActive ? (lfuTimeInMinutes() << 8) | LFU_INIT_VAL : cachedLruClock;
}

/** The LRU clock itself (INFO lru_clock, idle times), whatever the policy. */
export function lruClockSeconds(): number {
  return cachedLruClock;
}

/** Called by the cron: refreshes the cached clocks; returns the stamp for new keys (lruClock). */
export function updateLruClock(): number {
  cachedUnixSec = Math.floor(Date.now() / 1000);
  cachedLruClock = cachedUnixSec & 0xffffff;
  return lruClock();
}

/** Set by the eviction layer when maxmemory-policy / lfu-log-factor / lfu-decay-time change. */
export function setAccessPolicy(lfu: boolean, logFactor: number, decayTime: number): void {
  lfuActive = lfu;
  lfuLogFactor = logFactor;
  lfuDecayTime = decayTime;
}

/** True while an LFU maxmemory policy is in force (the access words are LFU words). */
export function lfuPolicyActive(): boolean {
  return lfuActive;
}

/**
 * Records an access to entry `id` (Redis's lookupKey touch): the LRU clock, or under an LFU
 * policy the decayed and probabilistically incremented counter with the current minute.
 */
export function touchKey(db: Db, id: number): void {
  if (!lfuActive) {
    db.setLru(id, cachedLruClock);
    return;
  }
  const counter = lfuLogIncr(lfuDecrAndReturn(db.lru(id), lfuDecayTime), lfuLogFactor);
  db.setLru(id, (lfuTimeInMinutes() << 8) | counter);
}

/** Redis's LFUTimeElapsed: minutes since `ldt`, handling the 16-bit wrap-around as Redis does. */
function lfuTimeElapsed(ldt: number): number {
  const now = lfuTimeInMinutes();
  return now >= ldt ? now - ldt : 65535 - ldt + now;
}

/**
 * Redis's LFUDecrAndReturn: the counter of LFU word `word` after one decrement per
 * `decayMinutes` minutes elapsed since its last access (0 = no decay). Does not store anything.
 */
export function lfuDecrAndReturn(word: number, decayMinutes: number): number {
  const ldt = (word >>> 8) & 0xffff;
  const counter = word & 0xff;
  const periods = decayMinutes > 0 ? Math.floor(lfuTimeElapsed(ldt) / decayMinutes) : 0;
  if (periods === 0) return counter;
  return periods > counter ? 0 : counter - periods;
}

/** Redis's LFULogIncr: logarithmic increment, saturating at 255. */
export function lfuLogIncr(counter: number, logFactor: number): number {
  if (counter === 255) return 255;
  const base = counter > LFU_INIT_VAL ? counter - LFU_INIT_VAL : 0;
  return Math.random() < 1 / (base * logFactor + 1) ? counter + 1 : counter;
}

/** Seconds since the entry's LRU clock (OBJECT IDLETIME), handling 24-bit wrap-around. */
export function idleSeconds(lru: number): number {
  const now = cachedLruClock;
  return now >= lru ? now - lru : now + (0x1000000 - lru);
}

const KEYS_PER_LOOP = 20;
const ACCEPTABLE_STALE = 10; // percent

let nextDb = 0;

/** One slow active-expire cycle; called from the cron `hz` times per second. */
export function activeExpireCycle(server: Server, hz: number): void {
  const dbs = server.keyspace.dbs;
  const effort = Math.max(1, Math.min(10, server.config.getNumber('active-expire-effort'))) - 1;
  const keysPerLoop = KEYS_PER_LOOP + (KEYS_PER_LOOP / 4) * effort;
  const stale = ACCEPTABLE_STALE - effort;
  const start = performance.now();
  const budgetMs = (1000 / hz) * ((25 + 2 * effort) / 100);
  let sampledTotal = 0;
  let expiredTotal = 0;
  for (let n = 0; n < dbs.length; n++) {
    const dbIndex = nextDb;
    nextDb = (nextDb + 1) % dbs.length;
    const db = dbs[dbIndex]!;
    let iteration = 0;
    while (db.volatileCount > 0) {
      const now = Date.now();
      let sampled = 0;
      let expired = 0;
      const num = Math.min(keysPerLoop, db.volatileCount);
      for (let i = 0; i < num; i++) {
        const id = db.randomVolatile();
        if (id < 0) break;
        sampled++;
        if (db.isExpired(id, now)) {
          deleteExpired(server, db, dbIndex, id);
          expired++;
        }
      }
      sampledTotal += sampled;
      expiredTotal += expired;
      iteration++;
      if ((iteration & 15) === 0 && performance.now() - start > budgetMs) {
        server.stats.expiredTimeCapReached++;
        server.stats.expireCycleCpuMs += performance.now() - start;
        return;
      }
      if (sampled === 0 || (expired * 100) / sampled <= stale) break;
    }
  }
  server.stats.expireCycleCpuMs += performance.now() - start;
  if (sampledTotal > 0) {
    const perc = expiredTotal / sampledTotal;
    server.stats.expiredStalePerc = perc * 0.05 + server.stats.expiredStalePerc * 0.95;
  }
}
