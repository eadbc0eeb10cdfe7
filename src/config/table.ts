/**
 * The configuration parameters: one declarative entry per parameter, with Redis 7.0's
 * canonical name, aliases, type, default (as redis.conf text), bounds and flags.
 *
 * Every range, enum list, default and error text here was read off redis-server 7.0.15
 * (CONFIG GET *, CONFIG SET with out-of-range values, config files with bad lines). The set of
 * names (canonical + aliases, hidden ones aside) is exactly what `CONFIG GET *` lists on 7.0.15.
 *
 * Parameters Damselfly does not act on (TLS, cluster, AOF tuning, CPU lists ...) are still
 * accepted and reported with Redis's defaults so that tools reading CONFIG GET see a familiar
 * server; the few whose non-default value would promise something we cannot do (appendonly yes,
 * cluster-enabled yes, tls-port) are rejected with an explicit message.
 */

import { realpathSync, statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { NOTIFY } from '../store/notify.js';
import {
  LIMITS,
  ParamError,
  formatDoubleF,
  formatMemory,
  parseDouble,
  parseInt64,
  parseMemory,
  parseStrtoll,
  repr,
  strerror,
} from './parse.js';

export { ParamError };

export interface SavePoint {
  seconds: number;
  changes: number;
}

export interface ObufLimit {
  /** Bytes; 0 = no limit. */
  hard: number;
  soft: number;
  softSeconds: number;
}

/** client-output-buffer-limit: `replica` and `slave` are the same object. */
export interface ObufLimits {
  normal: ObufLimit;
  replica: ObufLimit;
  slave: ObufLimit;
  pubsub: ObufLimit;
}

export interface ReplicaOf {
  host: string;
  port: number;
}

export type ConfigValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | string[]
  | number[]
  | SavePoint[]
  | ObufLimits
  | ReplicaOf;

export const F = {
  /** CONFIG SET refuses it ("can't set immutable config"). */
  IMMUTABLE: 1 << 0,
  /** CONFIG SET only with enable-protected-configs yes (or local from a local client). */
  PROTECTED: 1 << 1,
  /** Value is a secret: the server redacts CONFIG SET arguments for it in SLOWLOG/MONITOR. */
  SENSITIVE: 1 << 2,
  /** Not listed by CONFIG GET patterns; reachable by exact name only. */
  HIDDEN: 1 << 3,
  /** Takes several arguments on a config line (a single argument is split on spaces). */
  MULTI_ARG: 1 << 4,
  /** An empty string means "not set": CONFIG REWRITE drops the line instead of writing "". */
  NULLABLE: 1 << 5,
  /** CONFIG REWRITE writes it even at its default (Redis 7.0 does for dir, save and
   *  latency-tracking-info-percentiles). */
  ALWAYS_REWRITE: 1 << 6,
  /** Several lines of one config load accumulate (save). */
  ACCUMULATE: 1 << 7,
} as const;

export type ParamKind = 'bool' | 'int' | 'memory' | 'percent-memory' | 'octal' | 'enum' | 'flags' | 'string' | 'special';

export interface ParseContext {
  /** Directory relative paths resolve against (the `dir` in effect). */
  cwd: string;
  /** The parameter's current value (partial updates such as client-output-buffer-limit). */
  current: ConfigValue;
}

export interface ParamDef {
  name: string;
  aliases: string[];
  kind: ParamKind;
  flags: number;
  /** redis.conf text of the default (or a function, for dir = the process's cwd). */
  defaultText: string | (() => string);
  /** For enums: accepted names (lower-case) and their values; the first name of a value is how
   *  it prints. */
  enumValues?: ReadonlyArray<readonly [string, number]>;
  /** Parses the arguments: one for single-argument parameters, the split list for MULTI_ARG. */
  parse(args: string[], ctx: ParseContext): ConfigValue;
  /** The value as CONFIG GET prints it. */
  format(v: ConfigValue): string;
  /** Lines CONFIG REWRITE writes (with the name), or null to drop the parameter's lines. The
   *  flag says whether each line differs from the default (and so must be appended when the
   *  file has no line for it). */
  rewrite(v: ConfigValue, def: ConfigValue): Array<[line: string, force: boolean]> | null;
  /** Applied to a value set by CONFIG SET only (Redis clamps some values in the apply step). */
  onSet?(v: ConfigValue): ConfigValue;
}

// ------------------------------------------------------------------ builders

const { INT64_MAX, UINT64_MAX, INT_MIN, INT_MAX, UINT_MAX } = LIMITS;

interface Opts {
  aliases?: string[];
  flags?: number;
}

/** number when it is exactly representable, else the exact bigint. */
function num(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function big(v: ConfigValue): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(v);
  throw new TypeError('not a number');
}

function plain(def: Omit<ParamDef, 'rewrite'> & { rewriteArg?: (v: ConfigValue) => string }): ParamDef {
  const arg = def.rewriteArg ?? def.format;
  return {
    ...def,
    rewrite(v, d) {
      return [[def.name + ' ' + arg(v), def.format(v) !== def.format(d)]];
    },
  };
}

function bool(name: string, dflt: 'yes' | 'no', o: Opts & { reject?: string } = {}): ParamDef {
  return plain({
    name,
    aliases: o.aliases ?? [],
    kind: 'bool',
    flags: o.flags ?? 0,
    defaultText: dflt,
    parse(args) {
      const s = args[0]!.toLowerCase();
      if (s === 'yes') {
        if (o.reject !== undefined) throw new ParamError(o.reject);
        return true;
      }
      if (s === 'no') return false;
      throw new ParamError("argument must be 'yes' or 'no'");
    },
    format: (v) => (v === true ? 'yes' : 'no'),
  });
}

function rangeError(min: bigint, max: bigint): ParamError {
  return new ParamError('argument must be between ' + min + ' and ' + max + ' inclusive');
}

function int(name: string, dflt: string, min: bigint, max: bigint, o: Opts & { normalize?: (v: number) => number; reject?: (v: bigint) => string | null } = {}): ParamDef {
  return plain({
    name,
    aliases: o.aliases ?? [],
    kind: 'int',
    flags: o.flags ?? 0,
    defaultText: dflt,
    parse(args) {
      const v = parseInt64(args[0]!);
      if (v === null) throw new ParamError("argument couldn't be parsed into an integer");
      if (v < min || v > max) throw rangeError(min, max);
      const msg = o.reject?.(v);
      if (msg !== undefined && msg !== null) throw new ParamError(msg);
      const n = num(v);
      return o.normalize !== undefined && typeof n === 'number' ? o.normalize(n) : n;
    },
    format: (v) => String(v),
  });
}

function memory(name: string, dflt: string, min: bigint, max: bigint, o: Opts & { onSet?: (v: ConfigValue) => ConfigValue } = {}): ParamDef {
  return plain({
    name,
    aliases: o.aliases ?? [],
    kind: 'memory',
    flags: o.flags ?? 0,
    defaultText: dflt,
    parse(args) {
      const v = parseMemory(args[0]!);
      if (v === null) throw new ParamError('argument must be a memory value');
      if (v < min || v > max) throw rangeError(min, max);
      return num(v);
    },
    format: (v) => String(v),
    rewriteArg: (v) => formatMemory(big(v)),
    ...(o.onSet !== undefined ? { onSet: o.onSet } : {}),
  });
}

/** maxmemory-clients: a memory size, or N% of maxmemory (stored as -N, as Redis does). */
function percentMemory(name: string, dflt: string, o: Opts = {}): ParamDef {
  const fmt = (v: ConfigValue) => (typeof v === 'number' && v < 0 ? -v + '%' : String(v));
  return plain({
    name,
    aliases: o.aliases ?? [],
    kind: 'percent-memory',
    flags: o.flags ?? 0,
    defaultText: dflt,
    parse(args) {
      const s = args[0]!;
      const pm = /^([0-9]+)%$/.exec(s);
      if (pm !== null) {
        const p = BigInt(pm[1]!);
        if (p > 100n) throw new ParamError('percentage argument must be less or equal to 100');
        return -Number(p);
      }
      const v = parseMemory(s);
      if (v === null) throw new ParamError('argument must be a memory or percent value');
      // Stored in a signed 64-bit slot: sizes past 2^63 wrap negative and then read back as a
      // percentage (99999999999999999999 saturates to 2^64-1 and prints "1%"), as in Redis.
      const signed = BigInt.asIntN(64, v);
      return signed < 0n ? Number(signed) : num(v);
    },
    format: fmt,
    rewriteArg: (v) => (typeof v === 'number' && v < 0 ? fmt(v) : formatMemory(big(v))),
  });
}

function octal(name: string, dflt: string, max: number, o: Opts = {}): ParamDef {
  return plain({
    name,
    aliases: o.aliases ?? [],
    kind: 'octal',
    flags: o.flags ?? 0,
    defaultText: dflt,
    parse(args) {
      const s = args[0]!;
      if (!/^[0-7]+$/.test(s)) throw new ParamError("argument couldn't be parsed as an octal number");
      const v = parseInt(s, 8);
      if (v > max) throw new ParamError('argument must be between 0 and ' + max.toString(8) + ' inclusive');
      return v;
    },
    format: (v) => (v as number).toString(8),
  });
}

function enumDef(name: string, dflt: string, values: ReadonlyArray<readonly [string, number]>, o: Opts & { reject?: Record<string, string> } = {}): ParamDef {
  const list = 'argument(s) must be one of the following: ' + values.map((e) => e[0]).join(', ');
  return plain({
    name,
    aliases: o.aliases ?? [],
    kind: 'enum',
    flags: o.flags ?? 0,
    defaultText: dflt,
    enumValues: values,
    parse(args) {
      const s = args[0]!.toLowerCase();
      const hit = values.find((e) => e[0] === s);
      if (hit === undefined) throw new ParamError(list);
      // Store the name that prints (the first with this value: relative -> yes).
      const canon = values.find((e) => e[1] === hit[1])![0];
      const msg = o.reject?.[canon];
      if (msg !== undefined) throw new ParamError(msg);
      return canon;
    },
    format: (v) => v as string,
  });
}

const SHUTDOWN_FLAGS = [
  ['default', 0],
  ['save', 1],
  ['nosave', 2],
  ['now', 4],
  ['force', 8],
] as const;

/** Multi-value enum (shutdown-on-sigterm/sigint): names OR'ed together; stored as the bits. */
function shutdownFlags(name: string): ParamDef {
  const list = 'argument(s) must be one of the following: ' + SHUTDOWN_FLAGS.map((e) => e[0]).join(', ');
  const fmt = (v: ConfigValue) => {
    const bits = v as number;
    if (bits === 0) return 'default';
    return SHUTDOWN_FLAGS.filter((e) => e[1] !== 0 && (bits & e[1]) === e[1])
      .map((e) => e[0])
      .join(' ');
  };
  return plain({
    name,
    aliases: [],
    kind: 'flags',
    flags: F.MULTI_ARG,
    defaultText: 'default',
    enumValues: SHUTDOWN_FLAGS,
    parse(args) {
      if (args.length === 0) throw new ParamError(list);
      let bits = 0;
      for (const a of args) {
        const hit = SHUTDOWN_FLAGS.find((e) => e[0] === a.toLowerCase());
        if (hit === undefined) throw new ParamError(list);
        bits |= hit[1];
      }
      if ((bits & 3) === 3) throw new ParamError("shutdown options SAVE and NOSAVE can't be used simultaneously");
      return bits;
    },
    format: fmt,
  });
}

function str(name: string, dflt: string, o: Opts & { check?: (s: string) => string | null } = {}): ParamDef {
  const flags = o.flags ?? 0;
  return {
    name,
    aliases: o.aliases ?? [],
    kind: 'string',
    flags,
    defaultText: dflt,
    parse(args) {
      const s = args[0]!;
      const msg = o.check?.(s);
      if (msg !== undefined && msg !== null) throw new ParamError(msg);
      return s;
    },
    format: (v) => v as string,
    rewrite(v, d) {
      if ((flags & F.NULLABLE) !== 0 && v === '') return null;
      return [[name + ' ' + repr(v as string), v !== d]];
    },
  };
}

function notAPath(what: string): (s: string) => string | null {
  return (s) => (s.includes('/') ? what + " can't be a path, just a filename" : null);
}

// ------------------------------------------------------------------ special types

function splitSpace(s: string): string[] {
  return s === '' ? [] : s.split(' ');
}
export { splitSpace };

const saveDef: ParamDef = {
  name: 'save',
  aliases: [],
  kind: 'special',
  flags: F.MULTI_ARG | F.ACCUMULATE | F.ALWAYS_REWRITE,
  defaultText: '3600 1 300 100 60 10000',
  parse(args) {
    if (args.length % 2 !== 0) throw new ParamError('Invalid save parameters');
    const out: SavePoint[] = [];
    for (let i = 0; i < args.length; i += 2) {
      const s = parseStrtoll(args[i]!);
      const c = parseStrtoll(args[i + 1]!);
      if (s === null || c === null || args[i] === '' || args[i + 1] === '' || s < 1n || c < 0n) {
        throw new ParamError('Invalid save parameters');
      }
      // Redis keeps the change count in a C int: larger counts wrap.
      out.push({ seconds: Number(s), changes: Number(BigInt.asIntN(32, c)) });
    }
    return out;
  },
  format(v) {
    return (v as SavePoint[]).map((p) => fmtSeconds(p.seconds) + ' ' + p.changes).join(' ');
  },
  rewrite(v) {
    const pts = v as SavePoint[];
    if (pts.length === 0) return [['save ""', true]];
    return pts.map((p) => ['save ' + fmtSeconds(p.seconds) + ' ' + p.changes, true]);
  },
};

function fmtSeconds(n: number): string {
  return n >= 2 ** 63 ? '9223372036854775807' : String(n);
}

const bindDef: ParamDef = {
  name: 'bind',
  aliases: [],
  kind: 'special',
  flags: F.MULTI_ARG,
  defaultText: '* -::*',
  parse(args) {
    if (args.length > 16) throw new ParamError('Too many bind addresses specified.');
    if (args.some((a) => a === '' || a === '-')) throw new ParamError('Failed to bind to specified addresses.');
    return args.slice();
  },
  format: (v) => (v as string[]).join(' '),
  rewrite(v, d) {
    // At its default, bind's lines are removed rather than rewritten (as Redis 7.0 does).
    const a = v as string[];
    if (a.join(' ') === (d as string[]).join(' ')) return null;
    return [['bind ' + (a.length === 0 ? '""' : a.join(' ')), true]];
  },
};

const OBUF_CLASSES = ['normal', 'replica', 'pubsub'] as const;
const OBUF_ERR_ARGS = 'Wrong number of arguments in buffer limit configuration.';
const OBUF_ERR_CLASS = 'Invalid client class specified in buffer limit configuration.';
const OBUF_ERR_VALUE = 'Error in hard, soft or soft_seconds setting in buffer limit configuration.';

function obufLimits(normal: ObufLimit, replica: ObufLimit, pubsub: ObufLimit): ObufLimits {
  return { normal, replica, slave: replica, pubsub };
}

/** Exact hard/soft sizes of limits beyond 2^53 (the numbers in ObufLimit are rounded). */
const obufExact = new WeakMap<ObufLimit, [bigint, bigint]>();

function obufSizes(l: ObufLimit): [bigint, bigint] {
  return obufExact.get(l) ?? [BigInt(l.hard), BigInt(l.soft)];
}

const obufDef: ParamDef = {
  name: 'client-output-buffer-limit',
  aliases: [],
  kind: 'special',
  flags: F.MULTI_ARG,
  defaultText: 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60',
  parse(args, ctx) {
    if (args.length % 4 !== 0) throw new ParamError(OBUF_ERR_ARGS);
    const cur = (ctx.current as ObufLimits | null) ?? obufLimits({ hard: 0, soft: 0, softSeconds: 0 }, { hard: 0, soft: 0, softSeconds: 0 }, { hard: 0, soft: 0, softSeconds: 0 });
    const next: Record<string, ObufLimit> = { normal: cur.normal, replica: cur.replica, pubsub: cur.pubsub };
    for (let i = 0; i < args.length; i += 4) {
      const cls = args[i]!.toLowerCase();
      const key = cls === 'slave' ? 'replica' : cls;
      if (key !== 'normal' && key !== 'replica' && key !== 'pubsub') throw new ParamError(OBUF_ERR_CLASS);
      const hard = parseMemory(args[i + 1]!);
      const soft = parseMemory(args[i + 2]!);
      const secs = parseStrtoll(args[i + 3]!);
      if (hard === null || soft === null || secs === null || secs < 0n || secs > INT_MAX) throw new ParamError(OBUF_ERR_VALUE);
      const l: ObufLimit = { hard: Number(hard), soft: Number(soft), softSeconds: Number(secs) };
      if (!Number.isSafeInteger(l.hard) || !Number.isSafeInteger(l.soft)) obufExact.set(l, [hard, soft]);
      next[key] = l;
    }
    return obufLimits(next['normal']!, next['replica']!, next['pubsub']!);
  },
  format(v) {
    const l = v as ObufLimits;
    return OBUF_CLASSES.map((c) => {
      const x = l[c];
      const [h, so] = obufSizes(x);
      return (c === 'replica' ? 'slave' : c) + ' ' + h + ' ' + so + ' ' + x.softSeconds;
    }).join(' ');
  },
  rewrite(v, d) {
    const l = v as ObufLimits;
    const dl = d as ObufLimits;
    return OBUF_CLASSES.map((c) => {
      const x = l[c];
      const y = dl[c];
      const [h, so] = obufSizes(x);
      const line = 'client-output-buffer-limit ' + c + ' ' + formatMemory(h) + ' ' + formatMemory(so) + ' ' + x.softSeconds;
      return [line, x.hard !== y.hard || x.soft !== y.soft || x.softSeconds !== y.softSeconds] as [string, boolean];
    });
  },
};

// notify-keyspace-events: letters <-> NOTIFY bits.
const N_ALL =
  NOTIFY.GENERIC | NOTIFY.STRING | NOTIFY.LIST | NOTIFY.SET | NOTIFY.HASH | NOTIFY.ZSET | NOTIFY.EXPIRED | NOTIFY.EVICTED | NOTIFY.STREAM | NOTIFY.MODULE;
const NOTIFY_LETTERS: Array<[string, number]> = [
  ['g', NOTIFY.GENERIC],
  ['$', NOTIFY.STRING],
  ['l', NOTIFY.LIST],
  ['s', NOTIFY.SET],
  ['h', NOTIFY.HASH],
  ['z', NOTIFY.ZSET],
  ['x', NOTIFY.EXPIRED],
  ['e', NOTIFY.EVICTED],
  ['t', NOTIFY.STREAM],
  ['d', NOTIFY.MODULE],
  ['n', NOTIFY.NEW],
  ['K', NOTIFY.KEYSPACE],
  ['E', NOTIFY.KEYEVENT],
  ['m', NOTIFY.KEY_MISS],
];

/** Parses notify-keyspace-events letters into NOTIFY bits; null for an unknown letter. */
export function parseNotifyFlags(s: string): number | null {
  let bits = 0;
  for (const ch of s) {
    if (ch === 'A') {
      bits |= N_ALL;
      continue;
    }
    const hit = NOTIFY_LETTERS.find((e) => e[0] === ch);
    if (hit === undefined) return null;
    bits |= hit[1];
  }
  return bits;
}

/** Redis's canonical spelling: 'A' when every class of A is on (then 'n' is not printed, a
 *  7.0 quirk), else the class letters; then K, E and m. */
export function formatNotifyFlags(bits: number): string {
  let out = '';
  if ((bits & N_ALL) === N_ALL) {
    out = 'A';
  } else {
    for (const [ch, b] of NOTIFY_LETTERS) {
      if (ch === 'K') break;
      if ((bits & b) !== 0) out += ch;
    }
  }
  if ((bits & NOTIFY.KEYSPACE) !== 0) out += 'K';
  if ((bits & NOTIFY.KEYEVENT) !== 0) out += 'E';
  if ((bits & NOTIFY.KEY_MISS) !== 0) out += 'm';
  return out;
}

const notifyDef: ParamDef = {
  name: 'notify-keyspace-events',
  aliases: [],
  kind: 'special',
  flags: 0,
  defaultText: '',
  parse(args) {
    const bits = parseNotifyFlags(args[0]!);
    if (bits === null) throw new ParamError("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
    return bits;
  },
  format: (v) => formatNotifyFlags(v as number),
  rewrite: (v, d) => [['notify-keyspace-events ' + repr(formatNotifyFlags(v as number)), formatNotifyFlags(v as number) !== formatNotifyFlags(d as number)]],
};

const replicaofDef: ParamDef = {
  name: 'replicaof',
  aliases: ['slaveof'],
  kind: 'special',
  flags: F.MULTI_ARG | F.IMMUTABLE,
  defaultText: '',
  parse(args) {
    if (args.length !== 2) throw new ParamError('wrong number of arguments');
    if (args[0]!.toLowerCase() === 'no' && args[1]!.toLowerCase() === 'one') return null;
    if (!/^[+-]?[0-9]+$/.test(args[1]!)) throw new ParamError('Invalid master port');
    const port = Number(args[1]);
    if (port < 0 || port > 65535) throw new ParamError('Invalid master port');
    return { host: args[0]!, port };
  },
  format: (v) => (v === null ? '' : (v as ReplicaOf).host + ' ' + (v as ReplicaOf).port),
  rewrite: (v) => (v === null ? null : [['replicaof ' + (v as ReplicaOf).host + ' ' + (v as ReplicaOf).port, true]]),
};

const oomValuesDef: ParamDef = {
  name: 'oom-score-adj-values',
  aliases: [],
  kind: 'special',
  flags: F.MULTI_ARG,
  defaultText: '0 200 800',
  parse(args) {
    if (args.length !== 3) throw new ParamError('wrong number of arguments');
    return args.map((a) => {
      const v = /^[+-]?[0-9]+$/.test(a) ? Number(a) : NaN;
      if (!(v >= -2000 && v <= 2000)) throw new ParamError('Invalid oom-score-adj-values, elements must be between -2000 and 2000.');
      return v;
    });
  },
  format: (v) => (v as number[]).join(' '),
  rewrite: (v, d) => [['oom-score-adj-values ' + (v as number[]).join(' '), (v as number[]).join(' ') !== (d as number[]).join(' ')]],
};

const latencyPctDef: ParamDef = {
  name: 'latency-tracking-info-percentiles',
  aliases: [],
  kind: 'special',
  flags: F.MULTI_ARG | F.ALWAYS_REWRITE,
  defaultText: '50 99 99.9',
  parse(args) {
    return args.map((a) => {
      const v = parseDouble(a);
      if (v === null) throw new ParamError('Invalid latency-tracking-info-percentiles parameters');
      if (v < 0 || v > 100) throw new ParamError('latency-tracking-info-percentiles parameters should sit between [0.0,100.0]');
      return v;
    });
  },
  format: (v) => (v as number[]).map(formatDoubleF).join(' '),
  rewrite(v) {
    const a = v as number[];
    return [['latency-tracking-info-percentiles ' + (a.length === 0 ? '""' : a.map(formatDoubleF).join(' ')), true]];
  },
};

const dirDef: ParamDef = {
  name: 'dir',
  aliases: [],
  kind: 'special',
  flags: F.PROTECTED | F.ALWAYS_REWRITE,
  defaultText: () => process.cwd(),
  parse(args, ctx) {
    const p = resolvePath(ctx.cwd, args[0]!);
    try {
      if (args[0] === '') throw Object.assign(new Error('empty'), { code: 'ENOENT' });
      if (!statSync(p).isDirectory()) throw Object.assign(new Error('not a dir'), { code: 'ENOTDIR' });
      return realpathSync(p);
    } catch (e) {
      throw new ParamError(strerror(e));
    }
  },
  format: (v) => v as string,
  rewrite: (v) => [['dir ' + repr(v as string), true]],
};

const PROC_TITLE_VARS = new Set(['title', 'listen-addr', 'server-mode', 'port', 'tls-port', 'unixsocket', 'config-file']);

/** proc-title-template: non-empty; `{name}` must be a known variable (`{{` is a literal brace). */
function checkProcTitle(s: string): string | null {
  const bad = 'template format is invalid or contains unknown variables';
  if (s === '') return bad;
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '{') continue;
    if (s[i + 1] === '{') {
      i++;
      continue;
    }
    const end = s.indexOf('}', i + 1);
    if (end < 0 || !PROC_TITLE_VARS.has(s.slice(i + 1, end))) return bad;
    i = end;
  }
  return null;
}

// ------------------------------------------------------------------ the table

const LL = INT64_MAX;
const ULL = UINT64_MAX;
const IMM = F.IMMUTABLE;
const YNL: ReadonlyArray<readonly [string, number]> = [
  ['no', 0],
  ['yes', 1],
  ['local', 2],
];

export const APPENDONLY_UNSUPPORTED = "appendonly yes is not supported: Damselfly persists with RDB snapshots only (use 'appendonly no')";
export const CLUSTER_UNSUPPORTED = "cluster mode is not supported by Damselfly (use 'cluster-enabled no')";
export const TLS_UNSUPPORTED = 'TLS is not supported by Damselfly (tls-port must be 0)';

export const PARAMS: ParamDef[] = [
  // --- network
  int('port', '6379', 0n, 65535n),
  bindDef,
  str('bind-source-addr', '', { flags: F.NULLABLE }),
  bool('protected-mode', 'yes'),
  int('tcp-backlog', '511', 0n, INT_MAX, { flags: IMM }),
  str('unixsocket', '', { flags: IMM | F.NULLABLE }),
  octal('unixsocketperm', '0', 0o777, { flags: IMM }),
  int('timeout', '0', 0n, INT_MAX),
  int('tcp-keepalive', '300', 0n, INT_MAX),
  int('socket-mark-id', '0', 0n, UINT_MAX, { flags: IMM }),
  // --- general
  bool('daemonize', 'no', { flags: IMM }),
  enumDef('supervised', 'no', [['upstart', 1], ['systemd', 2], ['auto', 3], ['no', 0]], { flags: IMM }),
  str('pidfile', '', { flags: IMM | F.NULLABLE }),
  enumDef('loglevel', 'notice', [['debug', 0], ['verbose', 1], ['notice', 2], ['warning', 3]]),
  str('logfile', '', { flags: IMM }),
  bool('syslog-enabled', 'no', { flags: IMM }),
  str('syslog-ident', 'redis', { flags: IMM }),
  enumDef('syslog-facility', 'local0', [['user', 0], ['local0', 1], ['local1', 2], ['local2', 3], ['local3', 4], ['local4', 5], ['local5', 6], ['local6', 7], ['local7', 8]], { flags: IMM }),
  bool('crash-log-enabled', 'yes'),
  bool('crash-memcheck-enabled', 'yes'),
  int('databases', '16', 1n, INT_MAX, { flags: IMM }),
  bool('always-show-logo', 'no', { flags: IMM }),
  bool('set-proc-title', 'yes', { flags: IMM }),
  str('proc-title-template', '{title} {listen-addr} {server-mode}', { check: checkProcTitle }),
  str('ignore-warnings', ''),
  // --- snapshotting
  saveDef,
  bool('stop-writes-on-bgsave-error', 'yes'),
  bool('rdbcompression', 'yes'),
  bool('rdbchecksum', 'yes', { flags: IMM }),
  enumDef('sanitize-dump-payload', 'no', [['no', 0], ['yes', 1], ['clients', 2]]),
  str('dbfilename', 'dump.rdb', { flags: F.PROTECTED, check: notAPath('dbfilename') }),
  bool('rdb-del-sync-files', 'no'),
  dirDef,
  // --- replication
  replicaofDef,
  str('masterauth', '', { flags: F.NULLABLE | F.SENSITIVE }),
  str('masteruser', '', { flags: F.NULLABLE }),
  bool('replica-serve-stale-data', 'yes', { aliases: ['slave-serve-stale-data'] }),
  bool('replica-read-only', 'yes', { aliases: ['slave-read-only'] }),
  bool('repl-diskless-sync', 'yes'),
  int('repl-diskless-sync-delay', '5', 0n, INT_MAX),
  int('repl-diskless-sync-max-replicas', '0', 0n, INT_MAX),
  enumDef('repl-diskless-load', 'disabled', [['disabled', 0], ['on-empty-db', 1], ['swapdb', 2]]),
  int('repl-ping-replica-period', '10', 1n, INT_MAX, { aliases: ['repl-ping-slave-period'] }),
  int('repl-timeout', '60', 1n, INT_MAX),
  bool('repl-disable-tcp-nodelay', 'no'),
  memory('repl-backlog-size', '1mb', 1n, LL, { onSet: (v) => (typeof v === 'number' && v < 16384 ? 16384 : v) }),
  int('repl-backlog-ttl', '3600', 0n, LL),
  int('replica-priority', '100', 0n, INT_MAX, { aliases: ['slave-priority'] }),
  bool('replica-announced', 'yes'),
  int('min-replicas-to-write', '0', 0n, INT_MAX, { aliases: ['min-slaves-to-write'] }),
  int('min-replicas-max-lag', '10', 0n, INT_MAX, { aliases: ['min-slaves-max-lag'] }),
  str('replica-announce-ip', '', { aliases: ['slave-announce-ip'], flags: F.NULLABLE }),
  int('replica-announce-port', '0', 0n, 65535n, { aliases: ['slave-announce-port'] }),
  bool('replica-ignore-disk-write-errors', 'no'),
  enumDef('propagation-error-behavior', 'ignore', [['ignore', 0], ['panic', 1], ['panic-on-replicas', 2]]),
  // --- security
  str('requirepass', '', { flags: F.NULLABLE | F.SENSITIVE }),
  str('aclfile', '', { flags: IMM }),
  int('acllog-max-len', '128', 0n, LL),
  enumDef('acl-pubsub-default', 'resetchannels', [['allchannels', 1], ['resetchannels', 0]]),
  enumDef('enable-protected-configs', 'no', YNL, { flags: IMM }),
  enumDef('enable-debug-command', 'no', YNL, { flags: IMM }),
  enumDef('enable-module-command', 'no', YNL, { flags: IMM }),
  // --- clients and memory
  int('maxclients', '10000', 1n, UINT_MAX),
  memory('maxmemory', '0', 0n, ULL),
  enumDef('maxmemory-policy', 'noeviction', [
    ['volatile-lru', 0],
    ['volatile-lfu', 1],
    ['volatile-random', 2],
    ['volatile-ttl', 3],
    ['allkeys-lru', 4],
    ['allkeys-lfu', 5],
    ['allkeys-random', 6],
    ['noeviction', 7],
  ]),
  int('maxmemory-samples', '5', 1n, INT_MAX),
  int('maxmemory-eviction-tenacity', '10', 0n, 100n),
  percentMemory('maxmemory-clients', '0'),
  bool('replica-ignore-maxmemory', 'yes', { aliases: ['slave-ignore-maxmemory'] }),
  bool('lazyfree-lazy-eviction', 'no'),
  bool('lazyfree-lazy-expire', 'no'),
  bool('lazyfree-lazy-server-del', 'no'),
  bool('lazyfree-lazy-user-del', 'no'),
  bool('lazyfree-lazy-user-flush', 'no'),
  bool('replica-lazy-flush', 'no', { aliases: ['slave-lazy-flush'] }),
  int('io-threads', '1', 1n, 128n, { flags: IMM }),
  bool('io-threads-do-reads', 'no', { flags: IMM }),
  enumDef('oom-score-adj', 'no', [['no', 0], ['yes', 1], ['relative', 1], ['absolute', 2]]),
  oomValuesDef,
  bool('disable-thp', 'yes', { flags: IMM }),
  bool('jemalloc-bg-thread', 'yes'),
  // --- append only file (accepted; only 'no' is supported)
  bool('appendonly', 'no', { reject: APPENDONLY_UNSUPPORTED }),
  str('appendfilename', 'appendonly.aof', { flags: IMM, check: notAPath('appendfilename') }),
  str('appenddirname', 'appendonlydir', { flags: IMM }),
  enumDef('appendfsync', 'everysec', [['everysec', 1], ['always', 2], ['no', 0]]),
  bool('no-appendfsync-on-rewrite', 'no'),
  int('auto-aof-rewrite-percentage', '100', 0n, INT_MAX),
  memory('auto-aof-rewrite-min-size', '64mb', 0n, LL),
  bool('aof-load-truncated', 'yes'),
  bool('aof-use-rdb-preamble', 'yes'),
  bool('aof-timestamp-enabled', 'no'),
  bool('aof-rewrite-incremental-fsync', 'yes'),
  bool('rdb-save-incremental-fsync', 'yes'),
  bool('aof-disable-auto-gc', 'no'),
  // --- shutdown
  int('shutdown-timeout', '10', 0n, INT_MAX),
  shutdownFlags('shutdown-on-sigint'),
  shutdownFlags('shutdown-on-sigterm'),
  // --- scripting / busy
  int('busy-reply-threshold', '5000', 0n, LL, { aliases: ['lua-time-limit'] }),
  // --- limits
  memory('proto-max-bulk-len', '512mb', 1024n * 1024n, LL),
  memory('client-query-buffer-limit', '1gb', 1024n * 1024n, LL),
  obufDef,
  // --- monitoring
  int('slowlog-log-slower-than', '10000', -1n, LL),
  int('slowlog-max-len', '128', 0n, LL),
  int('latency-monitor-threshold', '0', 0n, LL),
  bool('latency-tracking', 'yes'),
  latencyPctDef,
  notifyDef,
  // --- data structures
  int('hash-max-listpack-entries', '512', 0n, LL, { aliases: ['hash-max-ziplist-entries'] }),
  memory('hash-max-listpack-value', '64', 0n, LL, { aliases: ['hash-max-ziplist-value'] }),
  int('list-max-listpack-size', '-2', INT_MIN, INT_MAX, { aliases: ['list-max-ziplist-size'] }),
  int('list-compress-depth', '0', 0n, INT_MAX),
  int('set-max-intset-entries', '512', 0n, LL),
  int('zset-max-listpack-entries', '128', 0n, LL, { aliases: ['zset-max-ziplist-entries'] }),
  memory('zset-max-listpack-value', '64', 0n, LL, { aliases: ['zset-max-ziplist-value'] }),
  memory('hll-sparse-max-bytes', '3000', 0n, LL),
  memory('stream-node-max-bytes', '4096', 0n, LL),
  int('stream-node-max-entries', '100', 0n, LL),
  bool('activerehashing', 'yes'),
  int('tracking-table-max-keys', '1000000', 0n, LL),
  // --- advanced
  int('hz', '10', 0n, INT_MAX, { normalize: (v) => Math.min(500, Math.max(1, v)) }),
  bool('dynamic-hz', 'yes'),
  int('active-expire-effort', '1', 1n, 10n),
  int('lfu-log-factor', '10', 0n, INT_MAX),
  int('lfu-decay-time', '1', 0n, INT_MAX),
  bool('activedefrag', 'no'),
  memory('active-defrag-ignore-bytes', '100mb', 1n, LL),
  int('active-defrag-threshold-lower', '10', 0n, 1000n),
  int('active-defrag-threshold-upper', '100', 0n, 1000n),
  int('active-defrag-cycle-min', '1', 1n, 99n),
  int('active-defrag-cycle-max', '25', 1n, 99n),
  int('active-defrag-max-scan-fields', '1000', 1n, LL),
  str('server_cpulist', '', { flags: IMM }),
  str('bio_cpulist', '', { flags: IMM }),
  str('aof_rewrite_cpulist', '', { flags: IMM }),
  str('bgsave_cpulist', '', { flags: IMM }),
  // --- cluster (accepted; only cluster-enabled no is supported)
  bool('cluster-enabled', 'no', { flags: IMM, reject: CLUSTER_UNSUPPORTED }),
  str('cluster-config-file', 'nodes.conf', { flags: IMM }),
  int('cluster-node-timeout', '15000', 0n, LL),
  int('cluster-port', '0', 0n, 65535n, { flags: IMM }),
  int('cluster-replica-validity-factor', '10', 0n, INT_MAX, { aliases: ['cluster-slave-validity-factor'] }),
  int('cluster-migration-barrier', '1', 0n, INT_MAX),
  bool('cluster-allow-replica-migration', 'yes'),
  bool('cluster-require-full-coverage', 'yes'),
  bool('cluster-replica-no-failover', 'no', { aliases: ['cluster-slave-no-failover'] }),
  bool('cluster-allow-reads-when-down', 'no'),
  bool('cluster-allow-pubsubshard-when-down', 'yes'),
  memory('cluster-link-sendbuf-limit', '0', 0n, ULL),
  str('cluster-announce-ip', '', { flags: F.NULLABLE }),
  str('cluster-announce-hostname', ''),
  int('cluster-announce-port', '0', 0n, 65535n),
  int('cluster-announce-bus-port', '0', 0n, 65535n),
  int('cluster-announce-tls-port', '0', 0n, 65535n),
  enumDef('cluster-preferred-endpoint-type', 'ip', [['ip', 0], ['hostname', 1], ['unknown-endpoint', 2]]),
  // --- TLS (accepted; only tls-port 0 is supported)
  int('tls-port', '0', 0n, 65535n, { reject: (v) => (v !== 0n ? TLS_UNSUPPORTED : null) }),
  str('tls-cert-file', ''),
  str('tls-key-file', ''),
  str('tls-key-file-pass', '', { flags: F.SENSITIVE }),
  str('tls-client-cert-file', ''),
  str('tls-client-key-file', ''),
  str('tls-client-key-file-pass', '', { flags: F.SENSITIVE }),
  str('tls-dh-params-file', ''),
  str('tls-ca-cert-file', ''),
  str('tls-ca-cert-dir', ''),
  enumDef('tls-auth-clients', 'yes', [['no', 0], ['yes', 1], ['optional', 2]]),
  bool('tls-replication', 'no'),
  bool('tls-cluster', 'no'),
  str('tls-protocols', ''),
  str('tls-ciphers', ''),
  str('tls-ciphersuites', ''),
  bool('tls-prefer-server-ciphers', 'no'),
  bool('tls-session-caching', 'yes'),
  int('tls-session-cache-size', '20480', 0n, INT_MAX),
  int('tls-session-cache-timeout', '300', 0n, INT_MAX),
  // --- hidden (test/debug knobs Redis's own suites use; CONFIG GET by exact name only)
  int('rdb-key-save-delay', '0', INT_MIN, INT_MAX, { flags: F.HIDDEN }),
  int('key-load-delay', '0', INT_MIN, INT_MAX, { flags: F.HIDDEN }),
  int('loading-process-events-interval-bytes', '2097152', 1024n, INT_MAX, { flags: F.HIDDEN }),
];

/** Directives redis-server 7.0 accepts in a config file and ignores (removed parameters). */
export const DEPRECATED_IGNORED = new Set(['list-max-ziplist-entries', 'list-max-ziplist-value', 'lua-replicate-commands']);

/** Lookup by canonical name or alias (lower-case). */
export const BY_NAME: ReadonlyMap<string, ParamDef> = (() => {
  const m = new Map<string, ParamDef>();
  for (const d of PARAMS) {
    if (m.has(d.name)) throw new Error('duplicate config parameter ' + d.name);
    m.set(d.name, d);
    for (const a of d.aliases) m.set(a, d);
  }
  return m;
})();

/** Every name CONFIG GET patterns can match, in table order: (name, def) with aliases after
 *  their canonical name. Hidden parameters are left out. */
export const LISTED_NAMES: ReadonlyArray<readonly [string, ParamDef]> = PARAMS.filter((d) => (d.flags & F.HIDDEN) === 0).flatMap((d) => [
  [d.name, d] as const,
  ...d.aliases.map((a) => [a, d] as const),
]);
