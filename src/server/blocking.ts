/**
 * STAND-IN for the blocking layer (the real one comes from the blocking/transactions work and
 * replaces this file at merge). It implements exactly the contract the stream commands use:
 * blockClient / parseBlockTimeout / mustNotBlock, with FIFO wait lists per db+key fed by
 * server.keyReadyHooks, deadline timers, CLIENT UNBLOCK through server.unblockHook and cleanup
 * when a blocked client disconnects (server.unlinkHooks).
 *
 * Simplification: keys signalled during a read burst are served in a microtask, i.e. after the
 * burst rather than after each command.
 */

import type { Client } from './client.js';
import { ClientFlag } from './client.js';
import type { Server } from './server.js';
import { parseI64 } from '../util/numbers.js';

/** What a blocked client waits for. Keys are copies, in the client's db (c.dbIndex at block time). */
export interface BlockedWait {
  readonly keys: Buffer[];
  /** Absolute deadline in ms on the Date.now() clock; 0 = wait forever. */
  readonly deadline: number;
  tryServe(c: Client, key: Buffer): boolean;
  onTimeout(c: Client): void;
}

interface Blocked {
  wait: BlockedWait;
  dbIndex: number;
  timer: NodeJS.Timeout | null;
}

interface State {
  waiting: Map<string, Client[]>;
  blocked: Map<Client, Blocked>;
  ready: Map<string, { dbIndex: number; key: Buffer }>;
  scheduled: boolean;
}

const states = new WeakMap<Server, State>();

function waitKey(dbIndex: number, key: Buffer): string {
  return dbIndex + ':' + key.toString('latin1');
}

function stateOf(server: Server): State {
  let st = states.get(server);
  if (st !== undefined) return st;
  const s: State = { waiting: new Map(), blocked: new Map(), ready: new Map(), scheduled: false };
  states.set(server, s);
  server.keyReadyHooks.push((dbIndex, key) => {
    const k = waitKey(dbIndex, key);
    if (!s.waiting.has(k)) return;
    s.ready.set(k, { dbIndex, key: Buffer.from(key) });
    if (!s.scheduled) {
      s.scheduled = true;
      queueMicrotask(() => serveReady(s));
    }
  });
  server.unlinkHooks.push((c) => {
    if (s.blocked.has(c)) unblock(s, c, false);
  });
  server.unblockHook = (target, withError) => {
    const b = s.blocked.get(target);
    if (b === undefined) return false;
    if (withError) target.reply.error('UNBLOCKED client unblocked via CLIENT UNBLOCK');
    else b.wait.onTimeout(target);
    unblock(s, target, true);
    return true;
  };
  st = s;
  return st;
}

function serveReady(s: State): void {
  s.scheduled = false;
  while (s.ready.size > 0) {
    const batch = [...s.ready.entries()];
    s.ready.clear();
    for (const [k, { key }] of batch) {
      const list = s.waiting.get(k);
      if (list === undefined) continue;
      for (const c of [...list]) {
        const b = s.blocked.get(c);
        if (b === undefined) continue;
        if (b.wait.tryServe(c, key)) unblock(s, c, true);
      }
    }
  }
}

function unblock(s: State, c: Client, resume: boolean): void {
  const b = s.blocked.get(c);
  if (b === undefined) return;
  s.blocked.delete(c);
  if (b.timer !== null) clearTimeout(b.timer);
  for (const key of b.wait.keys) {
    const k = waitKey(b.dbIndex, key);
    const list = s.waiting.get(k);
    if (list === undefined) continue;
    const i = list.indexOf(c);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) s.waiting.delete(k);
  }
  c.flags &= ~ClientFlag.BLOCKED;
  if (resume && !c.closed) {
    c.scheduleFlush();
    setImmediate(() => {
      if (!c.closed && (c.flags & ClientFlag.BLOCKED) === 0) c.resumeProcessing();
    });
  }
}

/** Blocks `c`: no reply now; further input from c is not processed until it is unblocked. */
export function blockClient(c: Client, wait: BlockedWait): void {
  const s = stateOf(c.server);
  const b: Blocked = { wait, dbIndex: c.dbIndex, timer: null };
  s.blocked.set(c, b);
  c.flags |= ClientFlag.BLOCKED;
  for (const key of wait.keys) {
    const k = waitKey(c.dbIndex, key);
    const list = s.waiting.get(k);
    if (list === undefined) s.waiting.set(k, [c]);
    else if (!list.includes(c)) list.push(c);
  }
  if (wait.deadline > 0) {
    const fire = (): void => {
      if (s.blocked.get(c) !== b) return;
      const left = wait.deadline - Date.now();
      if (left > 0) {
        b.timer = setTimeout(fire, Math.min(left, 2 ** 31 - 1));
        return;
      }
      wait.onTimeout(c);
      unblock(s, c, true);
    };
    b.timer = setTimeout(fire, Math.min(Math.max(0, wait.deadline - Date.now()), 2 ** 31 - 1));
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
      c.reply.error('ERR timeout is not an integer or out of range');
      return -1;
    }
    ms = Number(v);
  } else {
    const t = Number(arg.toString('latin1'));
    if (!Number.isFinite(t) || arg.length === 0) {
      c.reply.error('ERR timeout is not a float or out of range');
      return -1;
    }
    ms = Math.floor(t * 1000);
  }
  if (ms < 0) {
    c.reply.error('ERR timeout is negative');
    return -1;
  }
  return ms === 0 ? 0 : Date.now() + ms;
}

/** True when the command must not block (inside MULTI/EXEC, or run from a script/replica link). */
export function mustNotBlock(c: Client): boolean {
  return (c.flags & (ClientFlag.MULTI | ClientFlag.FAKE | ClientFlag.MASTER)) !== 0;
}
