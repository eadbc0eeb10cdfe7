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

/** Lookup for reading: counts keyspace hits/misses and touches the LRU clock. */
export function lookupRead(c: Client, key: Buffer): number {
  const id = lookupKey(c, key);
  if (id < 0) {
    c.server.stats.keyspaceMisses++;
    return -1;
  }
  c.server.stats.keyspaceHits++;
  if ((c.flags & ClientFlag.NO_TOUCH) === 0) c.db.setLru(id, lruClock());
  return id;
}

/** Lookup for writing: no hit/miss accounting (Redis's lookupKeyWrite). */
export function lookupWrite(c: Client, key: Buffer): number {
  const id = lookupKey(c, key);
  if (id >= 0 && (c.flags & ClientFlag.NO_TOUCH) === 0) c.db.setLru(id, lruClock());
  return id;
}

/**
 * LRU clock in seconds, truncated to 24 bits like Redis's object LRU field. Like Redis, the
 * value is cached and refreshed by the server cron (every 1000/hz ms), so a lookup does not
 * read the system clock.
 */
let cachedLruClock = Math.floor(Date.now() / 1000) & 0xffffff;

export function lruClock(): number {
  return cachedLruClock;
}

/** Called by the cron: refreshes the cached LRU clock. */
export function updateLruClock(): number {
  cachedLruClock = Math.floor(Date.now() / 1000) & 0xffffff;
  return cachedLruClock;
}

/** Seconds since the entry's LRU clock (OBJECT IDLETIME), handling 24-bit wrap-around. */
export function idleSeconds(lru: number): number {
  const now = lruClock();
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
