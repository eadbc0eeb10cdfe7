/**
 * Transactions (MULTI/EXEC/DISCARD) and optimistic locking (WATCH/UNWATCH), Redis 7.0 rules.
 *
 * - While a client is in MULTI, dispatch hands every command except EXEC, DISCARD, MULTI, WATCH,
 *   QUIT and RESET to `queueMultiCommand` once it passed lookup, arity, authentication and the
 *   vetoes (OOM, READONLY...); a rejection at that point marks the transaction dirty
 *   (ClientFlag.DIRTY_EXEC) and EXEC then answers EXECABORT. A rejected EXEC itself (arity, OOM
 *   because a queued command may grow memory, ...) discards the transaction with
 *   "EXECABORT Transaction discarded because of: <error>".
 * - EXEC runs the queue through dispatch's call(), so every command keeps its statistics,
 *   slowlog, MONITOR feed and propagation; the MULTI flag stays set meanwhile, which makes
 *   blocking commands answer at once (as Redis's CLIENT_DENY_BLOCKING). Runtime errors are
 *   ordinary replies in the result array.
 * - Propagation: what the queued commands propagate is collected by Server and sent after the EXEC,
 *   wrapped in MULTI ... EXEC when there are two or more (Redis 7.0 sends a lone write bare,
 *   and nothing for a transaction that changed nothing). Clients blocked on keys the
 *   transaction pushed to are served after it (dispatch runs handleReadyKeys after EXEC).
 * - WATCH is per database. Any keyModified of a watched key by anybody (this client included,
 *   expiry and eviction included, FLUSHDB/FLUSHALL/SWAPDB for keys that existed) marks the
 *   client DIRTY_CAS; EXEC also treats a watched key that has expired since the WATCH as
 *   modified. A key that was already expired when watched is only "modified" when it is
 *   written to, not when its stale copy is deleted (Redis 7.0). EXEC then answers a null array.
 *   EXEC, DISCARD, UNWATCH, RESET and disconnecting drop the watches.
 */

import type { Client } from './client.js';
import { ClientFlag } from './client.js';
import type { Server, ClientCounters } from './server.js';
import type { Command } from '../commands/table.js';
import { FLAG_BITS } from '../commands/spec.js';
import { ERR } from '../protocol/errors.js';
import { call } from './dispatch.js';

const F_WRITE_OR_MAY_REPLICATE = FLAG_BITS.write | FLAG_BITS.may_replicate;
const F_DENYOOM = FLAG_BITS.denyoom;
/** Redis counts each queued argument's bytes plus one pointer (CLIENT LIST multi-mem). */
const ARG_OVERHEAD = 8;

/** DIRTY_CAS | DIRTY_EXEC (not a module constant: client.ts imports this module indirectly). */
function dirtyFlags(): number {
  return ClientFlag.DIRTY_CAS | ClientFlag.DIRTY_EXEC;
}

export const ERR_NESTED_MULTI = 'ERR MULTI calls can not be nested';
export const ERR_EXEC_WITHOUT_MULTI = 'ERR EXEC without MULTI';
export const ERR_DISCARD_WITHOUT_MULTI = 'ERR DISCARD without MULTI';
export const ERR_WATCH_IN_MULTI = 'ERR WATCH inside MULTI is not allowed';
export const ERR_NOT_ALLOWED_IN_MULTI = 'ERR Command not allowed inside a transaction';

interface Queued {
  readonly cmd: Command;
  readonly argv: Buffer[];
}

interface TxState {
  readonly queue: Queued[];
  /** Union of the queued commands' flags (CLIENT PAUSE WRITE, OOM check of EXEC). */
  flags: number;
  mem: number;
}

interface Watched {
  readonly dbIndex: number;
  readonly name: string;
  /** The key existed but had expired when WATCH ran. */
  readonly expiredAtWatch: boolean;
}

class TxRegistry {
  readonly tx = new Map<Client, TxState>();
  readonly watchedBy = new Map<Client, Watched[]>();
  /** db → key name → watching clients. */
  readonly watchers = new Map<number, Map<string, Map<Client, Watched>>>();
}

const registries = new WeakMap<Server, TxRegistry>();

function registryOf(server: Server): TxRegistry {
  let reg = registries.get(server);
  if (reg !== undefined) return reg;
  reg = new TxRegistry();
  registries.set(server, reg);
  const r = reg;
  server.keyModifiedHooks.push((dbIndex, key) => {
    if (r.watchers.size !== 0) touchKey(server, r, dbIndex, key);
  });
  server.keyInterestHooks.push((dbIndex, out) => {
    const byKey = r.watchers.get(dbIndex);
    if (byKey !== undefined) for (const name of byKey.keys()) out.push(Buffer.from(name, 'latin1'));
  });
  server.resetHooks.push((c) => {
    r.tx.delete(c);
    unwatchAll(r, c);
    c.flags &= ~(ClientFlag.MULTI | dirtyFlags());
  });
  server.unlinkHooks.push((c) => {
    r.tx.delete(c);
    unwatchAll(r, c);
  });
  server.clientCounters.push((c: Client, out: ClientCounters) => {
    const t = r.tx.get(c);
    if (t === undefined || (c.flags & ClientFlag.MULTI) === 0) return;
    out.multi = t.queue.length;
    out.multiMem = t.mem;
  });
  server.multiHasWrites = (c) => {
    const t = r.tx.get(c);
    return t !== undefined && (t.flags & F_WRITE_OR_MAY_REPLICATE) !== 0;
  };
  // Like Redis, EXEC counts as a command that may grow memory when its queue holds one: the
  // eviction veto is asked again about that queued command.
  server.vetoes.push((c, cmd) => {
    if (cmd.name !== 'exec' || (c.flags & ClientFlag.MULTI) === 0 || server.evictor.maxmemory === 0) return null;
    const t = r.tx.get(c);
    if (t === undefined || (t.flags & F_DENYOOM) === 0) return null;
    const q = t.queue.find((e) => (e.cmd.flags & F_DENYOOM) !== 0);
    return q === undefined ? null : server.evictor.veto(c, q.cmd) === null ? null : ERR.oom;
  });
  return reg;
}

/** True for the commands that run at once inside MULTI instead of being queued. */
export function runsInsideMulti(cmd: Command): boolean {
  const n = cmd.name;
  return n === 'exec' || n === 'discard' || n === 'multi' || n === 'watch' || n === 'quit' || n === 'reset';
}

/** MULTI: enters the transaction state. */
export function beginTransaction(c: Client): void {
  const r = registryOf(c.server);
  r.tx.set(c, { queue: [], flags: 0, mem: 0 });
  c.flags |= ClientFlag.MULTI;
}

/** Queues a command (a copy of argv) and answers +QUEUED. */
export function queueMultiCommand(c: Client, cmd: Command, argv: Buffer[]): void {
  const r = registryOf(c.server);
  let t = r.tx.get(c);
  if (t === undefined) {
    t = { queue: [], flags: 0, mem: 0 };
    r.tx.set(c, t);
  }
  const copy: Buffer[] = new Array<Buffer>(argv.length);
  let mem = 0;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    copy[i] = Buffer.from(a);
    mem += a.length + ARG_OVERHEAD;
  }
  t.queue.push({ cmd, argv: copy });
  t.flags |= cmd.flags;
  t.mem += mem;
  c.reply.simple('QUEUED');
}

/** Leaves MULTI (DISCARD, EXEC, errors): drops the queue, the dirty flags and the watches. */
export function discardTransaction(c: Client): void {
  const r = registries.get(c.server);
  if (r !== undefined) {
    r.tx.delete(c);
    unwatchAll(r, c);
  }
  c.flags &= ~(ClientFlag.MULTI | dirtyFlags());
}

/**
 * Dispatch rejected EXEC itself (arity, a veto): Redis discards the transaction and answers
 * EXECABORT with the rejection's text (its "ERR " prefix dropped) instead of that error.
 */
export function abortExecWithError(c: Client, mark: number): void {
  let err = c.reply.lastError ?? 'ERR';
  if (err.startsWith('ERR ')) err = err.slice(4);
  c.reply.truncate(mark);
  c.reply.error('EXECABORT Transaction discarded because of: ' + err);
  discardTransaction(c);
}

/** EXEC (the caller checked that c is in MULTI). */
export function execTransaction(c: Client): void {
  const server = c.server;
  const r = registryOf(server);
  if (watchedKeyExpired(server, r, c)) c.flags |= ClientFlag.DIRTY_CAS;
  if ((c.flags & dirtyFlags()) !== 0) {
    if ((c.flags & ClientFlag.DIRTY_EXEC) !== 0) c.reply.error(ERR.execAbort);
    else c.reply.nullArray();
    discardTransaction(c);
    return;
  }
  const t = r.tx.get(c);
  const queue = t !== undefined ? t.queue : [];
  unwatchAll(r, c);
  c.reply.arrayLen(queue.length);
  const reply = c.reply;
  try {
    for (let i = 0; i < queue.length; i++) {
      const q = queue[i]!;
      // Each command's errors are its own (statistics count failures by lastError).
      reply.lastError = null;
      call(c, q.cmd, q.argv);
    }
  } finally {
    reply.lastError = null;
    r.tx.delete(c);
    c.flags &= ~(ClientFlag.MULTI | dirtyFlags());
  }
  // What the queued commands propagated is emitted when EXEC (the top-level command) ends,
  // wrapped in MULTI/EXEC when there are two or more (Server.endCommand).
}

// ------------------------------------------------------------------------------- WATCH

/** WATCH key... (the caller checked that c is not in MULTI). */
export function watchKeys(c: Client, argv: Buffer[], from: number): void {
  const r = registryOf(c.server);
  const db = c.db;
  const dbIndex = c.dbIndex;
  let list = r.watchedBy.get(c);
  if (list === undefined) {
    list = [];
    r.watchedBy.set(c, list);
  }
  let byKey = r.watchers.get(dbIndex);
  if (byKey === undefined) {
    byKey = new Map();
    r.watchers.set(dbIndex, byKey);
  }
  const now = Date.now();
  for (let i = from; i < argv.length; i++) {
    const name = argv[i]!.toString('latin1');
    let clients = byKey.get(name);
    if (clients !== undefined && clients.has(c)) continue;
    const id = db.find(argv[i]!);
    const w: Watched = { dbIndex, name, expiredAtWatch: id >= 0 && db.volatileCount > 0 && db.isExpired(id, now) };
    if (clients === undefined) {
      clients = new Map();
      byKey.set(name, clients);
    }
    clients.set(c, w);
    list.push(w);
  }
}

/** UNWATCH: forgets the watches and a broken WATCH. */
export function unwatchKeys(c: Client): void {
  const r = registries.get(c.server);
  if (r !== undefined) unwatchAll(r, c);
  c.flags &= ~ClientFlag.DIRTY_CAS;
}

function unwatchAll(r: TxRegistry, c: Client): void {
  const list = r.watchedBy.get(c);
  if (list === undefined) return;
  r.watchedBy.delete(c);
  for (let i = 0; i < list.length; i++) {
    const w = list[i]!;
    const byKey = r.watchers.get(w.dbIndex);
    if (byKey === undefined) continue;
    const clients = byKey.get(w.name);
    if (clients === undefined) continue;
    clients.delete(c);
    if (clients.size === 0) {
      byKey.delete(w.name);
      if (byKey.size === 0) r.watchers.delete(w.dbIndex);
    }
  }
}

function touchKey(server: Server, r: TxRegistry, dbIndex: number, key: Buffer): void {
  const byKey = r.watchers.get(dbIndex);
  if (byKey === undefined) return;
  const clients = byKey.get(key.toString('latin1'));
  if (clients === undefined) return;
  let staleChecked = false;
  let stale = false;
  for (const [c, w] of clients) {
    if (w.expiredAtWatch) {
      // Deleting (or flushing) a copy that had already expired changes nothing logically.
      if (!staleChecked) {
        staleChecked = true;
        const db = server.keyspace.dbs[dbIndex]!;
        const id = db.find(key);
        stale = id < 0 || (db.volatileCount > 0 && db.isExpired(id, Date.now()));
      }
      if (stale) continue;
    }
    c.flags |= ClientFlag.DIRTY_CAS;
  }
}

/** Redis 7.0's isWatchedKeyExpired: a watched key that was live at WATCH has expired since. */
function watchedKeyExpired(server: Server, r: TxRegistry, c: Client): boolean {
  const list = r.watchedBy.get(c);
  if (list === undefined) return false;
  const now = Date.now();
  for (let i = 0; i < list.length; i++) {
    const w = list[i]!;
    if (w.expiredAtWatch) continue;
    const db = server.keyspace.dbs[w.dbIndex]!;
    if (db.volatileCount === 0) continue;
    const id = db.find(Buffer.from(w.name, 'latin1'));
    if (id >= 0 && db.isExpired(id, now)) return true;
  }
  return false;
}

/** Number of clients with watched keys (tests). */
export function watchingClients(server: Server): number {
  const r = registries.get(server);
  return r === undefined ? 0 : r.watchedBy.size;
}
