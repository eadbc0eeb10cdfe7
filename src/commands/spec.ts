/**
 * The shape of a command table entry.
 *
 * Every command family (`src/commands/<family>.ts`) ends with a declarative list of
 * `CommandSpec`s; `table.ts` gathers them into the one table that dispatch, COMMAND, ACL
 * categories and the generated compatibility docs all read. Names, arity, flags and key
 * positions follow Redis 7.0's COMMAND INFO exactly (a test compares them with redis-server).
 */

import type { Client } from '../server/client.js';

/** A handler writes exactly one reply to `c.reply` (or none for commands that block/close). */
export type Handler = (c: Client, argv: Buffer[]) => void;

/** Redis 7.0 command flags, spelled as COMMAND INFO prints them. */
export type Flag =
  | 'write'
  | 'readonly'
  | 'denyoom'
  | 'module'
  | 'admin'
  | 'pubsub'
  | 'noscript'
  | 'blocking'
  | 'loading'
  | 'stale'
  | 'skip_monitor'
  | 'skip_slowlog'
  | 'asking'
  | 'fast'
  | 'no_auth'
  | 'may_replicate'
  | 'sentinel'
  | 'only_sentinel'
  | 'no_mandatory_keys'
  | 'protected'
  | 'no_async_loading'
  | 'no_multi'
  | 'movablekeys'
  | 'allow_busy';

export const FLAG_BITS: Record<Flag, number> = {
  write: 1 << 0,
  readonly: 1 << 1,
  denyoom: 1 << 2,
  module: 1 << 3,
  admin: 1 << 4,
  pubsub: 1 << 5,
  noscript: 1 << 6,
  blocking: 1 << 7,
  loading: 1 << 8,
  stale: 1 << 9,
  skip_monitor: 1 << 10,
  skip_slowlog: 1 << 11,
  asking: 1 << 12,
  fast: 1 << 13,
  no_auth: 1 << 14,
  may_replicate: 1 << 15,
  sentinel: 1 << 16,
  only_sentinel: 1 << 17,
  no_mandatory_keys: 1 << 18,
  protected: 1 << 19,
  no_async_loading: 1 << 20,
  no_multi: 1 << 21,
  movablekeys: 1 << 22,
  allow_busy: 1 << 23,
};

/** Order in which COMMAND INFO lists flags (Redis's order). */
export const FLAG_ORDER = Object.keys(FLAG_BITS) as Flag[];

/** A Redis 7.0 key specification, as COMMAND INFO / COMMAND DOCS show it. */
export interface KeySpec {
  /** e.g. ['RO', 'ACCESS'] or ['OW', 'UPDATE'] */
  flags: string[];
  notes?: string;
  begin: { index: number } | { keyword: string; startfrom: number };
  find: { range: { lastkey: number; step: number; limit: number } } | { keynum: { keynumidx: number; firstkey: number; step: number } } | { unknown: true };
}

export interface CommandSpec {
  /** Lower-case name; for a subcommand only the part after the container ('get' of CONFIG). */
  name: string;
  /** Positive: exact argument count including the name; negative: minimum. */
  arity: number;
  flags: Flag[];
  /** Key positions (1-based, 0 = no keys; lastKey -1 = last argument). */
  firstKey: number;
  lastKey: number;
  step: number;
  /** ACL categories without '@', e.g. ['read', 'string', 'fast']. */
  acl: string[];
  /** Absent on a container command whose subcommands do the work (CONFIG, CLIENT, ...). */
  handler?: Handler;
  subcommands?: CommandSpec[];
  /** For commands whose keys depend on the arguments (movablekeys): key indexes in argv. */
  getKeys?: (argv: Buffer[]) => number[];
  /** Key specs for COMMAND INFO/DOCS; derived from firstKey/lastKey/step when absent. */
  keySpecs?: KeySpec[];
  /** Command tips (COMMAND INFO), e.g. ['nondeterministic_output']. */
  tips?: string[];
}
