/**
 * The configuration system: redis-server 7.0's config file and command-line syntax, the
 * parameter table, CONFIG GET / SET / REWRITE semantics and texts.
 *
 *   const config = Config.fromArgs(process.argv.slice(2));   // throws ConfigError
 *   config.getNumber('port'); config.get('save'); config.onChange('hz', fn);
 *
 * Values are kept parsed (numbers, booleans, lower-case enum names, arrays/objects for the
 * special parameters); `getString` and CONFIG GET print them exactly as Redis 7.0 does.
 */

import { closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join as joinPath, resolve as resolvePath } from 'node:path';
import { globMatch } from '../store/glob.js';
import { ParamError, parseArgs, splitArgs, strerror, trimLine } from './parse.js';
import { rewriteContent } from './rewrite.js';
import { BY_NAME, DEPRECATED_IGNORED, F, LISTED_NAMES, PARAMS, splitSpace, type ConfigValue, type ParamDef } from './table.js';

export type { ConfigValue, ObufLimit, ObufLimits, ParamDef, ReplicaOf, SavePoint } from './table.js';
export { F as ParamFlags, PARAMS, APPENDONLY_UNSUPPORTED, CLUSTER_UNSUPPORTED, TLS_UNSUPPORTED } from './table.js';
export { parseArgs, splitArgs, repr } from './parse.js';

/** Product name and version in the fatal-error banner (Redis prints "Redis 7.0.15"). */
export const PRODUCT = 'Damselfly';
export const PRODUCT_VERSION = '0.1.0';

/**
 * A configuration error at startup. `message` is the text redis-server prints:
 *   *** FATAL CONFIG FILE ERROR (Damselfly 0.1.0) ***
 *   Reading the configuration file, at line 2
 *   >>> 'port "abc"'
 *   argument couldn't be parsed into an integer
 * or, when a file cannot be read, "Fatal error, can't open config file '<path>': <reason>".
 */
export class ConfigError extends Error {
  /** 'line': a bad config line (the banner form); 'open': a file could not be read. */
  readonly kind: 'line' | 'open';
  /** The reason alone ("argument couldn't be parsed into an integer"). */
  readonly reason: string;
  /** 1-based line number within the file (or included file) being read. */
  readonly line: number;
  /** The offending line, trimmed. */
  readonly lineText: string;

  constructor(kind: 'line' | 'open', reason: string, line = 0, lineText = '', product = PRODUCT + ' ' + PRODUCT_VERSION) {
    super(
      kind === 'line'
        ? '*** FATAL CONFIG FILE ERROR (' + product + ') ***\n' + 'Reading the configuration file, at line ' + line + '\n' + ">>> '" + lineText + "'\n" + reason
        : reason,
    );
    this.name = 'ConfigError';
    this.kind = kind;
    this.reason = reason;
    this.line = line;
    this.lineText = lineText;
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number) => String(n).padStart(2, '0');

/** The exact stderr text for a startup ConfigError (a banner preceded by a blank line, or a log
 *  line for an unreadable file), ending with a newline. The process then exits with status 1. */
export function formatFatal(err: ConfigError, now = new Date(), pid = process.pid): string {
  if (err.kind === 'line') return '\n' + err.message + '\n';
  const ts =
    p2(now.getDate()) + ' ' + MONTHS[now.getMonth()] + ' ' + now.getFullYear() + ' ' + p2(now.getHours()) + ':' + p2(now.getMinutes()) + ':' + p2(now.getSeconds()) + '.' + String(now.getMilliseconds()).padStart(3, '0');
  return pid + ':C ' + ts + ' # ' + err.message + '\n';
}

export interface LoadOptions {
  /** Working directory the server starts in (relative config file, include and dir paths). */
  cwd?: string;
  /** For rename-command: whether a command exists ("No such command in rename-command"). */
  commandExists?: (name: string) => boolean;
}

type Listener = (value: unknown) => void;

interface LoadState {
  cwd: string;
  saveSeen: boolean;
  depth: number;
  readFile: (path: string) => string;
  commandExists: ((name: string) => boolean) | undefined;
}

const MAX_INCLUDE_DEPTH = 32;

function defaultReadFile(path: string): string {
  return readFileSync(path === '-' ? 0 : path, 'latin1');
}

/** The public form of a stored value: exact bigints become numbers. */
function pub(v: ConfigValue): unknown {
  return typeof v === 'bigint' ? Number(v) : v;
}

function lower(s: string): string {
  return s.toLowerCase();
}

export class Config {
  /** Absolute path of the config file the server was started with, else null. */
  readonly configFile: string | null;
  /** rename-command directives in file order: [command, new name ('' disables it)]. */
  readonly renamedCommands: Array<[string, string]> = [];
  /** `user` directives (ACL users) as their argument lists, for an ACL layer to apply. */
  readonly userDirectives: string[][] = [];

  private readonly values = new Map<ParamDef, ConfigValue>();
  private readonly defaults_ = new Map<ParamDef, ConfigValue>();
  private readonly listeners = new Map<ParamDef, Listener[]>();

  private constructor(configFile: string | null, cwd: string) {
    this.configFile = configFile;
    for (const d of PARAMS) {
      // dir defaults to the directory the server starts in; replicaof to "not a replica".
      const v = d.name === 'dir' ? cwd : d.name === 'replicaof' ? null : parseDefault(d, typeof d.defaultText === 'function' ? d.defaultText() : d.defaultText, cwd);
      this.defaults_.set(d, v);
      this.values.set(d, v);
    }
  }

  /** All parameters at their defaults (dir = the process's cwd, or `opts.cwd`). */
  static defaults(opts: LoadOptions = {}): Config {
    return new Config(null, opts.cwd ?? process.cwd());
  }

  /**
   * Builds the configuration from redis-server style arguments (without node and the script):
   * `[configfile] [-] [--name arg ...] [-]`. The config file is read first, then stdin (a lone
   * '-' first or last), then the options, as one text whose line numbers errors report.
   * `readFile('-')` must read stdin. Throws ConfigError.
   */
  static fromArgs(args: string[], readFile: (path: string) => string = defaultReadFile, opts: LoadOptions = {}): Config {
    const cwd = opts.cwd ?? process.cwd();
    const parsed = parseArgs(args);
    const file = parsed.configFile === null ? null : resolvePath(cwd, parsed.configFile);
    const config = new Config(file, cwd);
    let text = '';
    if (parsed.configFile !== null) {
      // The error names the file as cwd + '/' + argument, unnormalised, as redis-server does.
      const shown = parsed.configFile.startsWith('/') ? parsed.configFile : cwd.replace(/\/$/, '') + '/' + parsed.configFile;
      text += readConfigFile(readFile, shown, file!);
    }
    if (parsed.stdin) {
      try {
        text += readFile('-');
      } catch {
        // An unreadable stdin is an empty one.
      }
    }
    if (parsed.options !== '') text += '\n' + parsed.options;
    const state: LoadState = { cwd, saveSeen: false, depth: 0, readFile, commandExists: opts.commandExists };
    config.load(text, state);
    return config;
  }

  /** Parses config text (a file's content) on top of the current values. Throws ConfigError. */
  loadText(text: string, opts: LoadOptions & { readFile?: (path: string) => string } = {}): void {
    this.load(text, {
      cwd: opts.cwd ?? (this.values.get(BY_NAME.get('dir')!) as string),
      saveSeen: false,
      depth: 0,
      readFile: opts.readFile ?? defaultReadFile,
      commandExists: opts.commandExists,
    });
  }

  private load(text: string, st: LoadState): void {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = trimLine(lines[i]!);
      if (line === '' || line.startsWith('#')) continue;
      const fail = (reason: string): never => {
        throw new ConfigError('line', reason, i + 1, line);
      };
      const argv = splitArgs(line);
      if (argv === null) fail('Unbalanced quotes in configuration line');
      if (argv!.length === 0) continue;
      const name = lower(argv![0]!);
      const args = argv!.slice(1);
      if (name === 'include' && args.length === 1) {
        if (st.depth >= MAX_INCLUDE_DEPTH) fail('Too many nested include directives');
        const p = resolvePath(st.cwd, args[0]!);
        const content = readConfigFile(st.readFile, args[0]!, p);
        st.depth++;
        this.load(content, st);
        st.depth--;
        continue;
      }
      if (name === 'rename-command' && args.length === 2) {
        if (st.commandExists !== undefined && !st.commandExists(lower(args[0]!))) fail('No such command in rename-command');
        this.renamedCommands.push([lower(args[0]!), args[1]!]);
        continue;
      }
      if (name === 'user' && args.length >= 1) {
        this.userDirectives.push(args);
        continue;
      }
      if (DEPRECATED_IGNORED.has(name) && args.length === 1) continue;
      const def = BY_NAME.get(name);
      if (def === undefined) fail('Bad directive or wrong number of arguments');
      const d = def!;
      let values: string[];
      if ((d.flags & F.MULTI_ARG) !== 0) {
        values = args.length === 1 ? splitSpace(args[0]!) : args;
      } else {
        if (args.length !== 1) fail('wrong number of arguments');
        values = args;
      }
      let v: ConfigValue;
      try {
        v = d.parse(values, { cwd: st.cwd, current: this.values.get(d)! });
      } catch (e) {
        if (e instanceof ParamError) fail(e.message);
        throw e;
      }
      if ((d.flags & F.ACCUMULATE) !== 0) {
        // save: the first line of a load replaces the default, later ones add points;
        // an empty list (save "") clears what was accumulated so far.
        const arr = v! as unknown[];
        if (arr.length > 0 && st.saveSeen) v = [...(this.values.get(d) as unknown[]), ...arr] as ConfigValue;
        st.saveSeen = true;
      }
      this.values.set(d, v!);
      if (d.name === 'dir') st.cwd = v! as string;
    }
  }

  // ---------------------------------------------------------------- typed access

  private def(name: string): ParamDef {
    const d = BY_NAME.get(lower(name));
    if (d === undefined) throw new Error('unknown config parameter: ' + name);
    return d;
  }

  /** True when `name` is a parameter (canonical or alias). */
  has(name: string): boolean {
    return BY_NAME.has(lower(name));
  }

  /** The parameter definition for a name or alias (undefined when unknown). */
  lookup(name: string): ParamDef | undefined {
    return BY_NAME.get(lower(name));
  }

  /** Integers, memory sizes (bytes), octal modes; maxmemory-clients as a percentage is -N. */
  getNumber(name: string): number {
    const v = this.values.get(this.def(name));
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint') return Number(v);
    throw new TypeError('config parameter ' + name + ' is not numeric');
  }

  /** The value as CONFIG GET prints it: strings as set, enums as their lower-case name,
   *  booleans as yes/no, the special types in Redis's notation. */
  getString(name: string): string {
    const d = this.def(name);
    return d.format(this.values.get(d)!);
  }

  getBool(name: string): boolean {
    const v = this.values.get(this.def(name));
    if (typeof v !== 'boolean') throw new TypeError('config parameter ' + name + ' is not a boolean');
    return v;
  }

  /**
   * The parsed value: number / boolean / string for scalars, enums as the lower-case name, and
   * - save: SavePoint[] ({seconds, changes}; empty = saving disabled)
   * - bind: string[] (addresses, a leading '-' marks an optional one)
   * - client-output-buffer-limit: ObufLimits ({normal, replica, slave, pubsub} of {hard, soft, softSeconds})
   * - replicaof: {host, port} | null
   * - notify-keyspace-events: NOTIFY bits (src/store/notify.ts)
   * - shutdown-on-sigterm/sigint: bits save=1 nosave=2 now=4 force=8
   * - oom-score-adj-values: number[3]; latency-tracking-info-percentiles: number[]
   */
  get(name: string): unknown {
    return pub(this.values.get(this.def(name))!);
  }

  /** True when the parameter is a secret (requirepass, masterauth, TLS key passwords). */
  isSensitive(name: string): boolean {
    const d = BY_NAME.get(lower(name));
    return d !== undefined && (d.flags & F.SENSITIVE) !== 0;
  }

  /** Subscribes to changes by CONFIG SET or `update`. A listener may throw to veto a CONFIG SET:
   *  the whole call is rolled back and the error's message is the reason in the reply. */
  onChange(name: string, fn: (value: unknown) => void): void {
    const d = this.def(name);
    let l = this.listeners.get(d);
    if (l === undefined) this.listeners.set(d, (l = []));
    l.push(fn);
  }

  /**
   * Runtime change that bypasses CONFIG SET's checks (REPLICAOF changing replicaof, the server
   * adjusting maxclients ...). The value is in `get`'s form. Listeners are called; a throwing
   * listener's error propagates after the value is stored.
   */
  update(name: string, value: unknown): void {
    const d = this.def(name);
    this.values.set(d, value as ConfigValue);
    this.notify(d);
  }

  private notify(d: ParamDef): void {
    const l = this.listeners.get(d);
    if (l === undefined) return;
    const v = pub(this.values.get(d)!);
    for (const fn of l) fn(v);
  }

  // ---------------------------------------------------------------- CONFIG SET

  /**
   * CONFIG SET: several pairs, all or nothing. Checks every name first (unknown, immutable,
   * protected, duplicate), then parses every value, then stores them in order and calls the
   * listeners of the parameters whose printed value changed; if a listener throws, every value
   * is restored (and the listeners told again). Returns null on success, else the error reply
   * without the leading '-'. `local` tells whether the client is on a loopback connection (for
   * enable-protected-configs local).
   */
  set(pairs: Array<[string, Buffer | string]>, opts: { local?: boolean } = {}): string | null {
    const defs: ParamDef[] = [];
    const seen = new Set<string>();
    for (const [rawName] of pairs) {
      const given = typeof rawName === 'string' ? rawName : String(rawName);
      const d = BY_NAME.get(lower(given));
      if (d === undefined) return "ERR Unknown option or number of arguments for CONFIG SET - '" + given + "'";
      const failed = "ERR CONFIG SET failed (possibly related to argument '" + given + "') - ";
      if ((d.flags & F.IMMUTABLE) !== 0) return failed + "can't set immutable config";
      if ((d.flags & F.PROTECTED) !== 0 && !this.allowed('enable-protected-configs', opts.local === true)) return failed + "can't set protected config";
      if (seen.has(lower(given))) return failed + 'duplicate parameter';
      seen.add(lower(given));
      defs.push(d);
    }
    const parsed: ConfigValue[] = [];
    // Values parsed so far in this call, so a later pair builds on an earlier one of the same
    // parameter (an alias pair: the last one wins).
    const pending = new Map<ParamDef, ConfigValue>();
    for (let i = 0; i < pairs.length; i++) {
      const d = defs[i]!;
      const raw = pairs[i]![1];
      const text = typeof raw === 'string' ? raw : raw.toString('latin1');
      const args = (d.flags & F.MULTI_ARG) !== 0 ? splitSpace(text) : [text];
      try {
        let v = d.parse(args, { cwd: this.values.get(BY_NAME.get('dir')!) as string, current: pending.get(d) ?? this.values.get(d)! });
        if (d.onSet !== undefined) v = d.onSet(v);
        parsed.push(v);
        pending.set(d, v);
      } catch (e) {
        if (e instanceof ParamError) return "ERR CONFIG SET failed (possibly related to argument '" + lower(String(pairs[i]![0])) + "') - " + e.message;
        throw e;
      }
    }
    const old = new Map<ParamDef, ConfigValue>();
    for (const d of defs) if (!old.has(d)) old.set(d, this.values.get(d)!);
    for (let i = 0; i < defs.length; i++) this.values.set(defs[i]!, parsed[i]!);
    const notified: ParamDef[] = [];
    for (let i = 0; i < defs.length; i++) {
      const d = defs[i]!;
      if (notified.includes(d)) continue;
      if (d.format(this.values.get(d)!) === d.format(old.get(d)!)) continue;
      try {
        this.notify(d);
        notified.push(d);
      } catch (e) {
        // Restore every value; parameters already applied are told their old value again (the
        // one that failed is left alone: its listener refused the change).
        for (const [od, ov] of old) this.values.set(od, ov);
        for (const nd of notified) {
          try {
            this.notify(nd);
          } catch {
            // Best effort: restoring the old value must not fail the rollback.
          }
        }
        const msg = e instanceof Error ? e.message : String(e);
        return "ERR CONFIG SET failed (possibly related to argument '" + lower(String(pairs[i]![0])) + "') - " + msg;
      }
    }
    return null;
  }

  /** For enable-protected-configs / enable-debug-command / enable-module-command: yes, or
   *  local from a loopback client. */
  allowed(name: 'enable-protected-configs' | 'enable-debug-command' | 'enable-module-command', isLocal: boolean): boolean {
    const v = this.getString(name);
    return v === 'yes' || (v === 'local' && isLocal);
  }

  // ---------------------------------------------------------------- CONFIG GET

  /**
   * CONFIG GET: (name, value) pairs for every parameter matching any pattern. A pattern without
   * glob characters is an exact, case-insensitive lookup (hidden parameters included) and is
   * echoed as given; a glob pattern matches the listed names (aliases too, each under its own
   * name) case-insensitively. A name is reported once (compared case-insensitively).
   */
  getMatching(patterns: Buffer[]): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    const seen = new Set<string>();
    const add = (name: string, d: ParamDef) => {
      const key = lower(name);
      if (seen.has(key)) return;
      seen.add(key);
      out.push([name, d.format(this.values.get(d)!)]);
    };
    for (const pat of patterns) {
      const p = pat.toString('latin1');
      if (!/[*?[\\]/.test(p)) {
        const d = BY_NAME.get(lower(p));
        if (d !== undefined) add(p, d);
        continue;
      }
      for (const [name, d] of LISTED_NAMES) {
        if (globMatch(pat, Buffer.from(name, 'latin1'), true)) add(name, d);
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- CONFIG REWRITE

  /** The file content CONFIG REWRITE would write, given the old content. */
  rewriteText(old: string): string {
    return rewriteContent(
      old,
      (d) => this.values.get(d)!,
      (d) => this.defaults_.get(d)!,
    );
  }

  /**
   * CONFIG REWRITE: rewrites the config file in place (temp file in the same directory, fsync,
   * rename), keeping comments and unrelated lines. Returns null or the error reply text.
   */
  rewrite(): string | null {
    const file = this.configFile;
    if (file === null) return 'ERR The server is running without a config file';
    let old = '';
    let mode = 0o644;
    try {
      old = readFileSync(file, 'latin1');
      mode = statSync(file).mode & 0o7777;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return 'ERR Rewriting config file: ' + strerror(e);
    }
    const content = this.rewriteText(old);
    const tmp = joinPath(dirname(file), '.' + 'tmp-config-rewrite-' + process.pid + '-' + Date.now());
    let fd = -1;
    try {
      fd = openSync(tmp, 'w', mode);
      const buf = Buffer.from(content, 'latin1');
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off);
      fsyncSync(fd);
      closeSync(fd);
      fd = -1;
      renameSync(tmp, file);
    } catch (e) {
      if (fd >= 0) {
        try {
          closeSync(fd);
        } catch {
          // ignore
        }
      }
      try {
        unlinkSync(tmp);
      } catch {
        // ignore
      }
      return 'ERR Rewriting config file: ' + strerror(e);
    }
    return null;
  }

  // ---------------------------------------------------------------- debugging

  /** Every parameter as a `name value` config line (canonical names, table order). */
  dump(): string {
    let s = '';
    for (const d of PARAMS) {
      if ((d.flags & F.HIDDEN) !== 0) continue;
      s += d.name + ' ' + d.format(this.values.get(d)!) + '\n';
    }
    return s;
  }

  /** Canonical names of all parameters (hidden included). */
  static names(): string[] {
    return PARAMS.map((d) => d.name);
  }
}

function parseDefault(d: ParamDef, text: string, cwd: string): ConfigValue {
  const args = (d.flags & F.MULTI_ARG) !== 0 ? splitSpace(text) : [text];
  return d.parse(args, { cwd, current: null });
}

function readConfigFile(readFile: (path: string) => string, shown: string, resolved: string): string {
  try {
    return readFile(resolved);
  } catch (e) {
    throw new ConfigError('open', "Fatal error, can't open config file '" + shown + "': " + strerror(e));
  }
}
