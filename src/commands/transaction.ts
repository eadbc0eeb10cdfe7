/**
 * MULTI, EXEC, DISCARD, WATCH, UNWATCH. The transaction machinery (queueing, EXEC's
 * propagation, watched keys) is server/multi.ts; dispatch queues commands while in MULTI.
 *
 * Checked against redis-server 7.0.15: a nested MULTI or a WATCH inside MULTI is an error reply
 * that does not mark the transaction dirty; "EXEC x" inside MULTI discards it with
 * "EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command";
 * "DISCARD x" and "WATCH" (no key) inside MULTI are arity errors that do mark it dirty; UNWATCH
 * inside MULTI is queued.
 */

import type { Client } from '../server/client.js';
import { ClientFlag } from '../server/client.js';
import type { CommandSpec } from './spec.js';
import {
  ERR_DISCARD_WITHOUT_MULTI,
  ERR_EXEC_WITHOUT_MULTI,
  ERR_NESTED_MULTI,
  ERR_WATCH_IN_MULTI,
  beginTransaction,
  discardTransaction,
  execTransaction,
  unwatchKeys,
  watchKeys,
} from '../server/multi.js';
import { rangeSpec } from './string.js';

function multiCommand(c: Client): void {
  if ((c.flags & ClientFlag.MULTI) !== 0) {
    c.reply.error(ERR_NESTED_MULTI);
    return;
  }
  beginTransaction(c);
  c.reply.ok();
}

function execCommand(c: Client): void {
  if ((c.flags & ClientFlag.MULTI) === 0) {
    c.reply.error(ERR_EXEC_WITHOUT_MULTI);
    return;
  }
  execTransaction(c);
}

function discardCommand(c: Client): void {
  if ((c.flags & ClientFlag.MULTI) === 0) {
    c.reply.error(ERR_DISCARD_WITHOUT_MULTI);
    return;
  }
  discardTransaction(c);
  c.reply.ok();
}

function watchCommand(c: Client, argv: Buffer[]): void {
  if ((c.flags & ClientFlag.MULTI) !== 0) {
    c.reply.error(ERR_WATCH_IN_MULTI);
    return;
  }
  watchKeys(c, argv, 1);
  c.reply.ok();
}

function unwatchCommand(c: Client): void {
  unwatchKeys(c);
  c.reply.ok();
}

const NO_KEYS = { firstKey: 0, lastKey: 0, step: 0 } as const;
const CONTROL: CommandSpec['flags'] = ['noscript', 'loading', 'stale', 'fast', 'allow_busy'];

export const transactionCommands: CommandSpec[] = [
  { name: 'multi', arity: 1, flags: CONTROL, ...NO_KEYS, acl: ['fast', 'transaction'], handler: multiCommand },
  { name: 'exec', arity: 1, flags: ['noscript', 'loading', 'stale', 'skip_slowlog'], ...NO_KEYS, acl: ['slow', 'transaction'], handler: execCommand },
  { name: 'discard', arity: 1, flags: CONTROL, ...NO_KEYS, acl: ['fast', 'transaction'], handler: discardCommand },
  {
    name: 'watch',
    arity: -2,
    flags: CONTROL,
    firstKey: 1,
    lastKey: -1,
    step: 1,
    acl: ['fast', 'transaction'],
    handler: watchCommand,
    keySpecs: [rangeSpec(['RO'], 1, -1)],
  },
  { name: 'unwatch', arity: 1, flags: CONTROL, ...NO_KEYS, acl: ['fast', 'transaction'], handler: unwatchCommand },
];
