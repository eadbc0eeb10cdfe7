/**
 * COMMAND and its subcommands: introspection of the command table.
 *
 * Two sources are combined. The command table (`c.server.commands`) is authoritative for what
 * exists and for name, arity, flags, key positions and ACL categories. `redis-docs.json`,
 * recorded from redis-server 7.0 by `scripts/fetch-command-docs.mjs`, supplies what the table
 * does not carry: the documentation (COMMAND DOCS), key specifications and command tips. Only
 * commands our table has are ever listed.
 *
 * The reply for one command (its COMMAND INFO entry, its COMMAND DOCS map) never changes once
 * the server runs, so each is encoded once per protocol version and then copied as bytes.
 */

import { readFileSync } from 'node:fs';
import type { Client } from '../server/client.js';
import type { Command, CommandTable } from './table.js';
import { ReplyWriter } from '../protocol/reply-writer.js';
import { ERR } from '../protocol/errors.js';
import { compileGlob } from '../store/glob.js';
import { FLAG_ORDER, type CommandSpec, type KeySpec } from './spec.js';

// ---------------------------------------------------------------------------------------------
// The recorded Redis 7.0 data (shape written by scripts/fetch-command-docs.mjs).

/** A key specification exactly as Redis's COMMAND INFO shows it. */
export interface RedisKeySpec {
  notes?: string;
  flags: string[];
  begin_search: { type: string; spec: Record<string, number | string> };
  find_keys: { type: string; spec: Record<string, number> };
}

/** One argument in COMMAND DOCS (nested for blocks and oneof groups). */
export interface RedisArgDoc {
  name: string;
  type: string;
  key_spec_index?: number;
  token?: string;
  summary?: string;
  since?: string;
  flags?: string[];
  deprecated_since?: string;
  value?: string;
  display?: string;
  arguments?: RedisArgDoc[];
}

/** A COMMAND DOCS map without its `subcommands` (those are stored under their own names). */
export interface RedisDocs {
  summary?: string;
  since?: string;
  group?: string;
  complexity?: string;
  module?: string;
  doc_flags?: string[];
  deprecated_since?: string;
  replaced_by?: string;
  history?: Array<[string, string]>;
  arguments?: RedisArgDoc[];
}

/** One command or subcommand ('config|get') of Redis 7.0. */
export interface RedisCommandData {
  arity: number;
  flags: string[];
  first_key: number;
  last_key: number;
  step: number;
  /** With the '@' prefix, in Redis's order. */
  acl_categories: string[];
  tips: string[];
  key_specs: RedisKeySpec[];
  /** Full names of a container's subcommands. */
  subcommands?: string[];
  docs: RedisDocs;
}

export interface RedisDocsFile {
  redis_version: string;
  generated_by: string;
  /** ACL CAT, in the order Redis lists categories everywhere. */
  acl_categories: string[];
  /** COMMAND COUNT of the reference server. */
  command_count: number;
  /** Keyed by full name ('get', 'config|get'). */
  commands: Record<string, RedisCommandData>;
}

let loaded: RedisDocsFile | null = null;

/**
 * The recorded Redis 7.0 command data, read on first use. The file sits next to this module
 * (src/commands, or dist/commands where `npm run build` copies it); a dist/ built by plain
 * `tsc` in a checkout finds it in ../../src/commands.
 */
export function redisCommandData(): RedisDocsFile {
  if (loaded === null) {
    let text: string;
    try {
      text = readFileSync(new URL('./redis-docs.json', import.meta.url), 'utf8');
    } catch (err) {
      try {
        text = readFileSync(new URL('../../src/commands/redis-docs.json', import.meta.url), 'utf8');
      } catch {
        throw err;
      }
    }
    loaded = JSON.parse(text) as RedisDocsFile;
  }
  return loaded;
}

// ---------------------------------------------------------------------------------------------
// What COMMAND shows for one of our commands.

/** Encoded COMMAND INFO entries and COMMAND DOCS maps, per command, index = resp - 2. */
const infoCache = new WeakMap<Command, Array<Buffer | undefined>>();
const docsCache = new WeakMap<Command, Array<Buffer | undefined>>();

function cached(cache: WeakMap<Command, Array<Buffer | undefined>>, cmd: Command, resp: 2 | 3, write: (w: ReplyWriter) => void): Buffer {
  let slots = cache.get(cmd);
  if (slots === undefined) {
    slots = [undefined, undefined];
    cache.set(cmd, slots);
  }
  let b = slots[resp - 2];
  if (b === undefined) {
    const w = new ReplyWriter(4096);
    w.resp = resp;
    write(w);
    b = w.take();
    slots[resp - 2] = b;
  }
  return b;
}

function dataFor(cmd: Command): RedisCommandData | undefined {
  const d = redisCommandData().commands;
  return Object.prototype.hasOwnProperty.call(d, cmd.fullName) ? d[cmd.fullName] : undefined;
}

/** ACL categories with '@', in Redis's category order (unknown ones last, as given). */
export function aclCategoriesOf(spec: CommandSpec): string[] {
  const order = redisCommandData().acl_categories;
  const rank = (c: string): number => {
    const i = order.indexOf(c);
    return i < 0 ? order.length : i;
  };
  return spec.acl
    .map((c, i) => ({ c, i }))
    .sort((a, b) => rank(a.c) - rank(b.c) || a.i - b.i)
    .map((x) => '@' + x.c);
}

/** Converts a family-provided key spec (spec.ts shape) to Redis's COMMAND INFO shape. */
function fromTableKeySpec(k: KeySpec): RedisKeySpec {
  const out: RedisKeySpec = {
    flags: k.flags,
    begin_search:
      'index' in k.begin
        ? { type: 'index', spec: { index: k.begin.index } }
        : { type: 'keyword', spec: { keyword: k.begin.keyword, startfrom: k.begin.startfrom } },
    find_keys:
      'range' in k.find
        ? { type: 'range', spec: { lastkey: k.find.range.lastkey, keystep: k.find.range.step, limit: k.find.range.limit } }
        : 'keynum' in k.find
          ? { type: 'keynum', spec: { keynumidx: k.find.keynum.keynumidx, firstkey: k.find.keynum.firstkey, keystep: k.find.keynum.step } }
          : { type: 'unknown', spec: {} },
  };
  if (k.notes !== undefined) return { notes: k.notes, ...out };
  return out;
}

/** Key specs: the table's own if it declares them, else Redis's, else derived from the positions. */
export function keySpecsOf(cmd: Command): RedisKeySpec[] {
  const s = cmd.spec;
  if (s.keySpecs !== undefined) return s.keySpecs.map(fromTableKeySpec);
  const d = dataFor(cmd);
  if (d !== undefined) return d.key_specs;
  if (s.firstKey <= 0) return [];
  const flags = cmd.has('write') ? ['RW', 'access', 'update'] : ['RO', 'access'];
  return [
    {
      flags,
      begin_search: { type: 'index', spec: { index: s.firstKey } },
      find_keys: { type: 'range', spec: { lastkey: s.lastKey >= 0 ? s.lastKey - s.firstKey : s.lastKey, keystep: s.step, limit: 0 } },
    },
  ];
}

export function tipsOf(cmd: Command): string[] {
  return cmd.spec.tips ?? dataFor(cmd)?.tips ?? [];
}

function utf8(w: ReplyWriter, s: string): void {
  w.bulk(Buffer.from(s, 'utf8'));
}

function flagSet(w: ReplyWriter, flags: readonly string[]): void {
  w.setLen(flags.length);
  for (const f of flags) w.simple(f);
}

function writeSearch(w: ReplyWriter, s: { type: string; spec: Record<string, number | string> }): void {
  w.mapLen(2);
  w.bulkStr('type');
  utf8(w, s.type);
  w.bulkStr('spec');
  const keys = Object.keys(s.spec);
  w.mapLen(keys.length);
  for (const k of keys) {
    w.bulkStr(k);
    const v = s.spec[k]!;
    if (typeof v === 'number') w.integer(v);
    else utf8(w, v);
  }
}

function writeKeySpec(w: ReplyWriter, ks: RedisKeySpec): void {
  const keys = Object.keys(ks) as Array<keyof RedisKeySpec>;
  w.mapLen(keys.length);
  for (const k of keys) {
    w.bulkStr(k);
    if (k === 'notes') utf8(w, ks.notes!);
    else if (k === 'flags') flagSet(w, ks.flags);
    else writeSearch(w, ks[k]);
  }
}

/** The 10-element COMMAND INFO entry (subcommands nested). */
function writeInfo(w: ReplyWriter, cmd: Command): void {
  w.arrayLen(10);
  w.bulkStr(cmd.fullName);
  w.integer(cmd.arity);
  // Redis 7.0 keeps may_replicate internal: COMMAND INFO never lists it.
  const flags = FLAG_ORDER.filter((f) => f !== 'may_replicate' && cmd.has(f));
  flagSet(w, flags);
  w.integer(cmd.spec.firstKey);
  w.integer(cmd.spec.lastKey);
  w.integer(cmd.spec.step);
  flagSet(w, aclCategoriesOf(cmd.spec));
  const tips = tipsOf(cmd);
  w.setLen(tips.length);
  for (const t of tips) utf8(w, t);
  const specs = keySpecsOf(cmd);
  w.setLen(specs.length);
  for (const ks of specs) writeKeySpec(w, ks);
  // Redis writes an empty set for "no subcommands" but an array of a container's entries.
  const subs = cmd.subcommands;
  if (subs === null || subs.size === 0) {
    w.setLen(0);
  } else {
    w.arrayLen(subs.size);
    for (const sub of subs.values()) writeInfo(w, sub);
  }
}

function writeArgDoc(w: ReplyWriter, a: RedisArgDoc): void {
  const keys = Object.keys(a) as Array<keyof RedisArgDoc>;
  w.mapLen(keys.length);
  for (const k of keys) {
    w.bulkStr(k);
    const v = a[k];
    if (k === 'flags') flagSet(w, v as string[]);
    else if (k === 'key_spec_index') w.integer(v as number);
    else if (k === 'arguments') {
      const args = v as RedisArgDoc[];
      w.arrayLen(args.length);
      for (const x of args) writeArgDoc(w, x);
    } else utf8(w, v as string);
  }
}

/** Docs for a command Redis 7.0 does not have (none so far): the fields redis-cli expects. */
function fallbackDocs(cmd: Command): RedisDocs {
  return { summary: '', since: '', group: cmd.parent !== null ? (docsOf(cmd.parent).group ?? 'generic') : 'generic', complexity: '' };
}

export function docsOf(cmd: Command): RedisDocs {
  return dataFor(cmd)?.docs ?? fallbackDocs(cmd);
}

/** The COMMAND DOCS map of one command: Redis's fields, then the subcommands we have. */
function writeDocs(w: ReplyWriter, cmd: Command): void {
  const d = docsOf(cmd);
  const keys = Object.keys(d) as Array<keyof RedisDocs>;
  const subs = cmd.subcommands;
  const hasSubs = subs !== null && subs.size > 0;
  w.mapLen(keys.length + (hasSubs ? 1 : 0));
  for (const k of keys) {
    w.bulkStr(k);
    if (k === 'doc_flags') flagSet(w, d.doc_flags!);
    else if (k === 'history') {
      const h = d.history!;
      w.setLen(h.length);
      for (const [version, text] of h) {
        w.arrayLen(2);
        utf8(w, version);
        utf8(w, text);
      }
    } else if (k === 'arguments') {
      const args = d.arguments!;
      w.arrayLen(args.length);
      for (const a of args) writeArgDoc(w, a);
    } else utf8(w, d[k] as string);
  }
  if (hasSubs) {
    w.bulkStr('subcommands');
    w.mapLen(subs.size);
    for (const sub of subs.values()) {
      w.bulkStr(sub.fullName);
      writeDocs(w, sub);
    }
  }
}

function replyInfo(c: Client, cmd: Command): void {
  c.reply.raw(cached(infoCache, cmd, c.reply.resp, (w) => writeInfo(w, cmd)));
}

function replyDocs(c: Client, cmd: Command): void {
  c.reply.raw(cached(docsCache, cmd, c.reply.resp, (w) => writeDocs(w, cmd)));
}

function lookupName(table: CommandTable, name: Buffer): Command | undefined {
  return table.lookupFullName(name.toString('latin1').toLowerCase());
}

// ---------------------------------------------------------------------------------------------
// Key extraction (COMMAND GETKEYS / GETKEYSANDFLAGS).

function eqIgnoreCase(b: Buffer, lower: string): boolean {
  if (b.length !== lower.length) return false;
  for (let i = 0; i < b.length; i++) {
    let ch = b[i]!;
    if (ch >= 0x41 && ch <= 0x5a) ch |= 0x20;
    if (ch !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * The argument indexes one key spec selects in argv; null when the spec cannot say (its begin
 * or find is 'unknown'). Used to attach each key's access flags.
 */
export function keySpecIndexes(ks: RedisKeySpec, argv: Buffer[]): number[] | null {
  const argc = argv.length;
  let start: number;
  const b = ks.begin_search;
  if (b.type === 'index') {
    start = b.spec['index'] as number;
  } else if (b.type === 'keyword') {
    const kw = String(b.spec['keyword']).toLowerCase();
    const from = b.spec['startfrom'] as number;
    start = -1;
    if (from >= 0) {
      for (let i = from; i < argc; i++) {
        if (eqIgnoreCase(argv[i]!, kw)) {
          start = i + 1;
          break;
        }
      }
    } else {
      for (let i = argc + from; i >= 1; i--) {
        if (eqIgnoreCase(argv[i]!, kw)) {
          start = i + 1;
          break;
        }
      }
    }
    if (start < 0) return [];
  } else {
    return null;
  }
  const f = ks.find_keys;
  let first = start;
  let last: number;
  let step: number;
  if (f.type === 'range') {
    const lastkey = f.spec['lastkey']!;
    const limit = f.spec['limit']!;
    step = f.spec['keystep']!;
    if (lastkey >= 0) last = start + lastkey;
    else if (lastkey === -1 && limit > 1) last = start + Math.floor((argc - start) / limit) - 1;
    else last = argc + lastkey;
  } else if (f.type === 'keynum') {
    const at = start + f.spec['keynumidx']!;
    if (at >= argc) return [];
    const n = Number(argv[at]!.toString('latin1'));
    if (!Number.isInteger(n) || n <= 0) return [];
    step = f.spec['keystep']!;
    first = start + f.spec['firstkey']!;
    last = first + (n - 1) * step;
  } else {
    return null;
  }
  const out: number[] = [];
  if (step <= 0) step = 1;
  for (let i = first; i <= last && i < argc; i += step) out.push(i);
  return out;
}

/** Key-spec flags that only describe the spec, never a key. */
function keyFlagsForReply(flags: string[]): string[] {
  return flags.filter((f) => f !== 'incomplete' && f !== 'variable_flags');
}

/**
 * Commands whose key access depends on the arguments (their spec says variable_flags):
 * Redis reports the access a particular call makes.
 */
function variableKeyFlags(fullName: string, argv: Buffer[]): string[] | null {
  if (fullName === 'set') {
    for (let i = 3; i < argv.length; i++) if (eqIgnoreCase(argv[i]!, 'get')) return ['RW', 'access', 'update'];
    return ['OW', 'update'];
  }
  if (fullName === 'bitfield') {
    for (let i = 2; i < argv.length; i++) {
      if (eqIgnoreCase(argv[i]!, 'set') || eqIgnoreCase(argv[i]!, 'incrby')) return ['RW', 'access', 'update'];
    }
    return ['RO', 'access'];
  }
  return null;
}

/** The access flags of each key argument, in Redis's spelling ('RW', 'access', ...). */
export function keyFlags(cmd: Command, argv: Buffer[], keys: number[]): string[][] {
  const specs = keySpecsOf(cmd);
  const byIndex = new Map<number, RedisKeySpec>();
  let fallback: RedisKeySpec | undefined;
  for (const ks of specs) {
    const idx = keySpecIndexes(ks, argv);
    if (idx === null) {
      fallback = ks;
      continue;
    }
    for (const i of idx) if (!byIndex.has(i)) byIndex.set(i, ks);
  }
  fallback ??= specs.find((ks) => ks.flags.includes('incomplete')) ?? specs[0];
  const variable = variableKeyFlags(cmd.fullName, argv);
  return keys.map((i) => {
    const ks = byIndex.get(i) ?? fallback;
    if (ks === undefined) return [];
    if (variable !== null && ks.flags.includes('variable_flags')) return variable;
    return keyFlagsForReply(ks.flags);
  });
}

function hasKeyArguments(cmd: Command): boolean {
  return cmd.spec.getKeys !== undefined || cmd.spec.firstKey !== 0 || keySpecsOf(cmd).length > 0;
}

function getKeys(c: Client, argv: Buffer[], withFlags: boolean): void {
  const table = c.server.commands;
  const target = argv.slice(2);
  let cmd = table.lookup(target[0]!);
  if (cmd !== undefined && cmd.subcommands !== null && target.length >= 2) cmd = table.lookupSub(cmd, target[1]!);
  if (cmd === undefined) {
    c.reply.error(ERR_INVALID_COMMAND);
    return;
  }
  if (!hasKeyArguments(cmd)) {
    c.reply.error(ERR_NO_KEY_ARGS);
    return;
  }
  const arity = cmd.arity;
  if ((arity > 0 && target.length !== arity) || target.length < -arity) {
    c.reply.error(ERR_INVALID_ARG_COUNT);
    return;
  }
  let keys: number[];
  try {
    keys = cmd.keyIndexes(target);
  } catch {
    // A key extractor throws on arguments it cannot make sense of (e.g. a bad numkeys).
    c.reply.error(ERR_INVALID_ARGS);
    return;
  }
  c.reply.arrayLen(keys.length);
  if (!withFlags) {
    for (const i of keys) c.reply.bulk(target[i]!);
    return;
  }
  const flags = keyFlags(cmd, target, keys);
  for (let k = 0; k < keys.length; k++) {
    c.reply.arrayLen(2);
    c.reply.bulk(target[keys[k]!]!);
    flagSet(c.reply, flags[k]!);
  }
}

// ---------------------------------------------------------------------------------------------
// Handlers.

const ERR_INVALID_COMMAND = 'ERR Invalid command specified';
const ERR_INVALID_ARG_COUNT = 'ERR Invalid number of arguments specified for command';
const ERR_NO_KEY_ARGS = 'ERR The command has no key arguments';
const ERR_INVALID_ARGS = 'ERR Invalid arguments specified for command';

const HELP_LINES = [
  'COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  '(no subcommand)',
  '    Return details about all Redis commands.',
  'COUNT',
  '    Return the total number of commands in this Redis server.',
  'LIST',
  '    Return a list of all commands in this Redis server.',
  'INFO [<command-name> ...]',
  '    Return details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'DOCS [<command-name> ...]',
  '    Return documentation details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'GETKEYS <full-command>',
  '    Return the keys from a full Redis command.',
  'GETKEYSANDFLAGS <full-command>',
  '    Return the keys and the access flags from a full Redis command.',
  'HELP',
  '    Prints this help.',
];

function allInfo(c: Client): void {
  const table = c.server.commands;
  c.reply.arrayLen(table.byName.size);
  for (const cmd of table.all()) replyInfo(c, cmd);
}

function commandCommand(c: Client, _argv: Buffer[]): void {
  allInfo(c);
}

function commandCount(c: Client, _argv: Buffer[]): void {
  c.reply.integer(c.server.commands.byName.size);
}

function commandInfo(c: Client, argv: Buffer[]): void {
  if (argv.length === 2) {
    allInfo(c);
    return;
  }
  const table = c.server.commands;
  c.reply.arrayLen(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const cmd = lookupName(table, argv[i]!);
    if (cmd === undefined) c.reply.nullBulk();
    else replyInfo(c, cmd);
  }
}

function commandDocs(c: Client, argv: Buffer[]): void {
  const table = c.server.commands;
  if (argv.length === 2) {
    c.reply.mapLen(table.byName.size);
    for (const cmd of table.all()) {
      c.reply.bulkStr(cmd.fullName);
      replyDocs(c, cmd);
    }
    return;
  }
  const found: Command[] = [];
  for (let i = 2; i < argv.length; i++) {
    const cmd = lookupName(table, argv[i]!);
    if (cmd !== undefined) found.push(cmd);
  }
  c.reply.mapLen(found.length);
  for (const cmd of found) {
    c.reply.bulkStr(cmd.fullName);
    replyDocs(c, cmd);
  }
}

function commandList(c: Client, argv: Buffer[]): void {
  let filter: ((cmd: Command) => boolean) | null = null;
  if (argv.length === 5 && eqIgnoreCase(argv[2]!, 'filterby')) {
    if (eqIgnoreCase(argv[3]!, 'module')) {
      filter = () => false; // no modules
    } else if (eqIgnoreCase(argv[3]!, 'aclcat')) {
      const cat = argv[4]!.toString('latin1').toLowerCase();
      filter = (cmd) => cmd.spec.acl.some((a) => a.toLowerCase() === cat);
    } else if (eqIgnoreCase(argv[3]!, 'pattern')) {
      const glob = compileGlob(argv[4]!, true);
      filter = (cmd) => glob.match(Buffer.from(cmd.fullName, 'latin1'));
    } else {
      c.reply.error(ERR.syntax);
      return;
    }
  } else if (argv.length !== 2) {
    c.reply.error(ERR.syntax);
    return;
  }
  const names: string[] = [];
  for (const cmd of c.server.commands.allWithSubcommands()) {
    if (filter === null || filter(cmd)) names.push(cmd.fullName);
  }
  c.reply.arrayLen(names.length);
  for (const n of names) c.reply.bulkStr(n);
}

function commandGetkeys(c: Client, argv: Buffer[]): void {
  getKeys(c, argv, false);
}

function commandGetkeysAndFlags(c: Client, argv: Buffer[]): void {
  getKeys(c, argv, true);
}

function commandHelp(c: Client, _argv: Buffer[]): void {
  c.reply.arrayLen(HELP_LINES.length);
  for (const line of HELP_LINES) c.reply.simple(line);
}

const SUB_FLAGS: CommandSpec['flags'] = ['loading', 'stale'];
const SUB_ACL = ['slow', 'connection'];

function sub(name: string, arity: number, handler: CommandSpec['handler']): CommandSpec {
  return { name, arity, flags: SUB_FLAGS, firstKey: 0, lastKey: 0, step: 0, acl: SUB_ACL, handler };
}

export const introspectionCommands: CommandSpec[] = [
  {
    name: 'command',
    arity: -1,
    flags: SUB_FLAGS,
    firstKey: 0,
    lastKey: 0,
    step: 0,
    acl: SUB_ACL,
    handler: commandCommand,
    subcommands: [
      sub('count', 2, commandCount),
      sub('docs', -2, commandDocs),
      sub('getkeys', -4, commandGetkeys),
      sub('getkeysandflags', -4, commandGetkeysAndFlags),
      sub('help', 2, commandHelp),
      sub('info', -2, commandInfo),
      sub('list', -2, commandList),
    ],
  },
];
