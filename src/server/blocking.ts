/**
 * Clients blocked on keys (BLPOP and family, BZPOPMIN and family, XREAD/XREADGROUP BLOCK).
 *
 * A blocking command that finds nothing to serve calls `blockClient` with a `BlockedWait`: the
 * keys it waits on, a deadline and two callbacks. While blocked the client runs nothing else
 * (Client holds its further input). Writes mark keys ready (`server.signalKeyAsReady`, and any
 * `keyModified`, which covers keys that come into existence through RENAME, COPY, MOVE, SWAPDB,
 * RESTORE...); after the command that did so (after its reply and its propagation, and after the
 * whole EXEC when it ran inside one) `handleReadyKeys` offers each ready key to its waiters in the
 * order they blocked. A waiter whose `tryServe` declines (wrong type, nothing for it) keeps
 * waiting, as in Redis 7.0. Serving may make more keys ready (BLMOVE pushes onto its
 * destination): those are served in the same pass.
 *
 * Readiness is tracked by key name across databases: a waiter is only ever offered a key it
 * waits on and looks it up in its own database, so a signal from another database costs one
 * declined offer. That is what makes SWAPDB (which reports the keys of both databases) serve
 * clients whose database received a list.
 *
 * Deadlines sit in a binary min-heap; one timer is armed for the earliest. Clients that leave
 * the heap early (served, unblocked, disconnected) are dropped lazily when they reach the top.
 *
 * Clients unblocked while another command runs are resumed on the next turn of the event loop
 * (Redis's processUnblockedClients in beforeSleep), never inside that command.
 */

import type { Client } from './client.js';
import { ClientFlag, ReplyMode } from './client.js';
import type { Server } from './server.js';
import { LD_INF, parseI64, parseLongDouble } from '../util/numbers.js';

/** What a blocked client waits for. Keys are copies, in the client's db (c.dbIndex at block time). */
export interface BlockedWait {
  readonly keys: Buffer[];
  /** Absolute deadline in ms on the Date.now() clock; 0 = wait forever. */
  readonly deadline: number;
  /**
   * Called (in FIFO order among clients waiting on `key`) after a command made `key` ready
   * (server.signalKeyAsReady). Runs like a command of `c`: write the reply, do the writes
   * (dirty, keyModified, notify) and propagate their effect form with
   * `c.server.propagate(dbIndex, argv)`. Return true when `c` got its reply (it is then
   * unblocked), false to keep waiting.
   */
  tryServe(c: Client, key: Buffer): boolean;
  /** Writes the timeout reply (e.g. null array); the client is then unblocked. */
  onTimeout(c: Client): void;
}

const ERR_TIMEOUT_NOT_FLOAT = 'ERR timeout is not a float or out of range';
const ERR_TIMEOUT_NOT_INTEGER = 'ERR timeout is not an integer or out of range';
const ERR_TIMEOUT_NEGATIVE = 'ERR timeout is negative';
const ERR_UNBLOCKED = 'UNBLOCKED client unblocked via CLIENT UNBLOCK';
/** setTimeout's largest delay; later deadlines re-arm. */
const MAX_TIMER_MS = 0x7fffffff;

interface Blocked {
  readonly c: Client;
  readonly wait: BlockedWait;
  /** latin1 forms of wait.keys (Map keys), same order. */
  readonly names: string[];
  readonly deadline: number;
  /** CLIENT REPLY OFF or SKIP was in effect for the blocking command: its late reply is dropped. */
  readonly silent: boolean;
  /** False once served, timed out, unblocked or disconnected (heap entries are left behind). */
  active: boolean;
}

class Registry {
  readonly server: Server;
  readonly byClient = new Map<Client, Blocked>();
  /** Key name → clients blocked on it (any db), in the order they blocked. */
  readonly byKey = new Map<string, Blocked[]>();
  /** Keys made ready since the last pass, in signal order, without duplicates. */
  ready: string[] = [];
  readonly readySet = new Set<string>();
  /** Min-heap on deadline. */
  readonly heap: Blocked[] = [];
  withTimeout = 0;
  timer: NodeJS.Timeout | null = null;
  timerAt = 0;
  /** Unblocked clients whose held input runs on the next turn. */
  resumeList: Client[] = [];
  resumeScheduled = false;
  fallbackScheduled = false;

  constructor(server: Server) {
    this.server = server;
  }
}

const registries = new WeakMap<Server, Registry>();

/**
 * Number of ready keys not yet handled, over all servers of the process. Dispatch tests it after
 * every command (one comparison when nothing is blocked).
 */
export let readyKeysPending = 0;

function registryOf(server: Server): Registry {
  let reg = registries.get(server);
  if (reg !== undefined) return reg;
  reg = new Registry(server);
  registries.set(server, reg);
  const r = reg;
  const mark = (_db: number, key: Buffer): void => {
    if (r.byKey.size !== 0) markReady(r, key);
  };
  server.keyReadyHooks.push(mark);
  server.keyModifiedHooks.push(mark);
  // Blocked keys are not per db here (mark ignores the db too); existence filters them.
  server.keyInterestHooks.push((_db, out) => {
    for (const name of r.byKey.keys()) out.push(Buffer.from(name, 'latin1'));
  });
  server.unlinkHooks.push((c) => {
    const b = r.byClient.get(c);
    if (b !== undefined) unblock(r, b, false);
  });
  server.unblockHook = (target, withError) => {
    const b = r.byClient.get(target);
    if (b === undefined) return false;
    const mark = target.reply.mark();
    if (withError) {
      target.reply.error(ERR_UNBLOCKED);
      server.stats.countError('UNBLOCKED');
    } else {
      b.wait.onTimeout(target);
    }
    dropIfSilent(b, mark);
    unblock(r, b, true);
    return true;
  };
  server.infoFields.set('clients_in_timeout_table', () => r.withTimeout);
  return reg;
}

function markReady(r: Registry, key: Buffer): void {
  const name = key.toString('latin1');
  if (!r.byKey.has(name) || r.readySet.has(name)) return;
  r.readySet.add(name);
  r.ready.push(name);
  readyKeysPending++;
  // Commands reach handleReadyKeys through dispatch; anything else that signals (a replication
  // applier, a timer) is covered before the next poll, like Redis's beforeSleep.
  if (!r.fallbackScheduled) {
    r.fallbackScheduled = true;
    setImmediate(() => {
      r.fallbackScheduled = false;
      serveReady(r);
    });
  }
}

/** Blocks `c`: no reply now; further input from c is not processed until it is unblocked. */
export function blockClient(c: Client, wait: BlockedWait): void {
  const r = registryOf(c.server);
  const old = r.byClient.get(c);
  if (old !== undefined) unblock(r, old, false);
  const names: string[] = new Array<string>(wait.keys.length);
  const silent = c.replyMode === ReplyMode.OFF || c.replyMode === ReplyMode.SKIP;
  const b: Blocked = { c, wait, names, deadline: wait.deadline, silent, active: true };
  for (let i = 0; i < wait.keys.length; i++) {
    const name = wait.keys[i]!.toString('latin1');
    names[i] = name;
    const list = r.byKey.get(name);
    if (list === undefined) r.byKey.set(name, [b]);
    else if (list[list.length - 1] !== b) list.push(b); // a key named twice waits once
  }
  r.byClient.set(c, b);
  c.flags |= ClientFlag.BLOCKED;
  if (b.deadline > 0) {
    r.withTimeout++;
    heapPush(r.heap, b);
    armTimer(r);
  }
}

/**
 * Parses a blocking timeout argument. `unit` 'seconds' (BLPOP family: decimals allowed) or
 * 'ms' (XREAD BLOCK: integer). On error writes Redis's error reply to c and returns -1;
 * otherwise returns the absolute deadline (0 = forever).
 */
export function parseBlockTimeout(c: Client, arg: Buffer, unit: 'seconds' | 'ms'): number {
  let ms: number;
  if (unit === 'ms') {
    const v = parseI64(arg);
    if (v === null) {
      c.reply.error(ERR_TIMEOUT_NOT_INTEGER);
      return -1;
    }
    if (v < 0) {
      c.reply.error(ERR_TIMEOUT_NEGATIVE);
      return -1;
    }
    ms = Number(v);
  } else {
    const r = secondsToMs(arg);
    if (r === null) {
      c.reply.error(ERR_TIMEOUT_NOT_FLOAT);
      return -1;
    }
    if (r < 0n) {
      c.reply.error(ERR_TIMEOUT_NEGATIVE);
      return -1;
    }
    ms = Number(r);
  }
  return ms === 0 ? 0 : Date.now() + ms;
}

const I64_LIMIT = 1n << 63n;
const MANT_LIMIT = 1n << 64n;

/**
 * Redis 7.0 reads the seconds as a long double, multiplies by 1000, rounds up and converts to a
 * 64-bit integer. Reproduced here: the product is rounded to the 64-bit mantissa of an x87 long
 * double before the ceiling (so "0.001" gives 1 ms, not 2), a value too large for an int64
 * converts to INT64_MIN (so "inf" or "1e16" report a negative timeout), and a tiny negative one
 * rounds up to 0 (wait forever). null: not a float.
 */
function secondsToMs(arg: Buffer): bigint | null {
  const ld = parseLongDouble(arg);
  if (ld === null) return null;
  if (ld.kind === LD_INF) return -1n;
  if (ld.mant === 0n) return 0n;
  let p = ld.mant * 1000n;
  let e = ld.exp;
  let bits = 0;
  for (let t = p; t > 0n; t >>= 1n) bits++;
  if (bits > 64) {
    const shift = BigInt(bits - 64);
    const rem = p & ((1n << shift) - 1n);
    const half = 1n << (shift - 1n);
    p >>= shift;
    if (rem > half || (rem === half && (p & 1n) === 1n)) p++;
    e += bits - 64;
    if (p === MANT_LIMIT) {
      p >>= 1n;
      e++;
    }
  }
  let whole: bigint;
  if (e >= 0) {
    // Anything shifted past 2^63 overflows anyway; stop early instead of building a huge number.
    whole = e > 80 ? I64_LIMIT : p << BigInt(e);
  } else {
    const sh = BigInt(-e);
    whole = p >> sh;
    if (!ld.neg && (p & ((1n << sh) - 1n)) !== 0n) whole++;
  }
  if (whole >= I64_LIMIT) return -1n;
  return ld.neg ? -whole : whole;
}

/** True when the command must not block (inside MULTI/EXEC, or run from a script/replica link). */
export function mustNotBlock(c: Client): boolean {
  // Not a module constant: client.ts imports this module indirectly.
  return (c.flags & (ClientFlag.MULTI | ClientFlag.FAKE | ClientFlag.MASTER)) !== 0;
}

/** Number of clients blocked by this layer (tests, INFO). */
export function blockedCount(server: Server): number {
  const r = registries.get(server);
  return r === undefined ? 0 : r.byClient.size;
}

/**
 * Serves the clients blocked on keys made ready by the command that just ran (dispatch calls
 * this after each command while `readyKeysPending` is non-zero).
 */
export function handleReadyKeys(server: Server): void {
  const r = registries.get(server);
  if (r !== undefined) serveReady(r);
}

function serveReady(r: Registry): void {
  while (r.ready.length > 0) {
    const batch = r.ready;
    r.ready = [];
    r.readySet.clear();
    readyKeysPending -= batch.length;
    for (let i = 0; i < batch.length; i++) serveKey(r, batch[i]!);
  }
}

function serveKey(r: Registry, name: string): void {
  const list = r.byKey.get(name);
  if (list === undefined) return;
  // Served clients leave the list while it is walked.
  const waiters = list.slice();
  for (let i = 0; i < waiters.length; i++) {
    const b = waiters[i]!;
    if (!b.active) continue;
    const c = b.c;
    if (c.closed) {
      unblock(r, b, false);
      continue;
    }
    const key = b.wait.keys[b.names.indexOf(name)]!;
    const mark = c.reply.mark();
    let served: boolean;
    try {
      served = b.wait.tryServe(c, key);
    } catch (err) {
      r.server.log.warning('Unexpected error serving a blocked client: ' + (err instanceof Error ? (err.stack ?? err.message) : String(err)));
      c.reply.error('ERR internal error while serving a blocked client');
      served = true;
    }
    if (served) {
      dropIfSilent(b, mark);
      unblock(r, b, true);
    }
  }
}

/** Applies CLIENT REPLY OFF/SKIP to a reply written after the blocking command returned. */
function dropIfSilent(b: Blocked, mark: number): void {
  if (b.silent || b.c.replyMode === ReplyMode.OFF) b.c.reply.truncate(mark);
}

/** Removes `b` from every list; `resume` schedules its reply and held input. */
function unblock(r: Registry, b: Blocked, resume: boolean): void {
  if (!b.active) return;
  b.active = false;
  const c = b.c;
  if (r.byClient.get(c) === b) r.byClient.delete(c);
  for (let i = 0; i < b.names.length; i++) {
    const name = b.names[i]!;
    const list = r.byKey.get(name);
    if (list === undefined) continue;
    const at = list.indexOf(b);
    if (at >= 0) list.splice(at, 1);
    if (list.length === 0) r.byKey.delete(name);
  }
  if (b.deadline > 0) {
    r.withTimeout--;
    // Served clients leave their heap entries behind; rebuild before they pile up (a queue
    // worker blocking with a long timeout and served at once would otherwise grow the heap).
    if (r.heap.length > 64 && r.heap.length > 4 * r.withTimeout) compactHeap(r);
  }
  c.flags &= ~ClientFlag.BLOCKED;
  if (!resume || c.closed) return;
  c.scheduleFlush();
  r.resumeList.push(c);
  if (!r.resumeScheduled) {
    r.resumeScheduled = true;
    setImmediate(() => {
      r.resumeScheduled = false;
      const list = r.resumeList;
      r.resumeList = [];
      for (let i = 0; i < list.length; i++) {
        const cl = list[i]!;
        if (!cl.closed && (cl.flags & ClientFlag.BLOCKED) === 0) cl.resumeProcessing();
      }
    });
  }
}

// ------------------------------------------------------------------------------- timeouts

function armTimer(r: Registry): void {
  const heap = r.heap;
  while (heap.length > 0 && !heap[0]!.active) heapPop(heap);
  if (heap.length === 0) {
    if (r.timer !== null) clearTimeout(r.timer);
    r.timer = null;
    return;
  }
  const at = heap[0]!.deadline;
  if (r.timer !== null && r.timerAt <= at) return;
  if (r.timer !== null) clearTimeout(r.timer);
  r.timerAt = at;
  r.timer = setTimeout(() => onTimer(r), Math.min(MAX_TIMER_MS, Math.max(0, at - Date.now())));
  r.timer.unref();
}

function onTimer(r: Registry): void {
  r.timer = null;
  const now = Date.now();
  const heap = r.heap;
  while (heap.length > 0) {
    const b = heap[0]!;
    if (b.active && b.deadline > now) break;
    heapPop(heap);
    if (!b.active) continue;
    if (b.c.closed) {
      unblock(r, b, false);
      continue;
    }
    const mark = b.c.reply.mark();
    b.wait.onTimeout(b.c);
    dropIfSilent(b, mark);
    unblock(r, b, true);
  }
  armTimer(r);
}

function compactHeap(r: Registry): void {
  const live = r.heap.filter((b) => b.active);
  // A sorted array is a valid min-heap.
  live.sort((a, b) => a.deadline - b.deadline);
  r.heap.length = 0;
  for (let i = 0; i < live.length; i++) r.heap.push(live[i]!);
}

function heapPush(h: Blocked[], b: Blocked): void {
  h.push(b);
  let i = h.length - 1;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (h[p]!.deadline <= b.deadline) break;
    h[i] = h[p]!;
    i = p;
  }
  h[i] = b;
}

function heapPop(h: Blocked[]): void {
  const last = h.pop()!;
  const n = h.length;
  if (n === 0) return;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) break;
    const rr = l + 1;
    const m = rr < n && h[rr]!.deadline < h[l]!.deadline ? rr : l;
    if (h[m]!.deadline >= last.deadline) break;
    h[i] = h[m]!;
    i = m;
  }
  h[i] = last;
}
