/**
 * The command table: every family's declarative list gathered into one lookup structure.
 *
 * Lookup is by the name exactly as sent first (clients send "SET" or "set"), then by its
 * lower-case form, so the common cases cost one Map probe and no case conversion.
 */

import { FLAG_BITS, type CommandSpec, type Handler } from './spec.js';
import { connectionCommands } from './connection.js';
import { clientCommands } from './client.js';
import { serverCommands } from './server.js';
import { introspectionCommands } from './command.js';
import { keyCommands } from './keys.js';
import { stringCommands } from './string.js';
import { bitmapCommands } from './bitmap.js';
import { configCommands } from './config.js';
import { listCommands } from './list.js';
import { hashCommands } from './hash.js';
import { setCommands } from './set.js';
import { zsetCommands } from './zset.js';
import { replicationCommands } from './replication.js';
import { pubsubCommands } from './pubsub.js';
import { hyperloglogCommands } from './hyperloglog.js';
import { geoCommands } from './geo.js';
import { sortCommands } from './sort.js';
import { dumpCommands } from './dump.js';
import { blockingCommands } from './blocking.js';
import { transactionCommands } from './transaction.js';
import { streamCommands } from './stream.js';
import { migrateCommands } from './migrate.js';

/** Per-command statistics (INFO commandstats). */
export class CommandStats {
  calls = 0;
  usec = 0;
  rejectedCalls = 0;
  failedCalls = 0;
  reset(): void {
    this.calls = 0;
    this.usec = 0;
    this.rejectedCalls = 0;
    this.failedCalls = 0;
  }
}

/** A command (or subcommand) as the dispatcher sees it. */
export class Command {
  readonly name: string;
  /** 'get' for GET, 'config|get' for CONFIG GET (the form error texts and stats use). */
  readonly fullName: string;
  readonly arity: number;
  readonly flags: number;
  readonly spec: CommandSpec;
  readonly handler: Handler | null;
  readonly parent: Command | null;
  readonly subcommands: Map<string, Command> | null;
  readonly stats = new CommandStats();

  constructor(spec: CommandSpec, parent: Command | null) {
    this.spec = spec;
    this.name = spec.name;
    this.parent = parent;
    this.fullName = parent === null ? spec.name : parent.name + '|' + spec.name;
    this.arity = spec.arity;
    let bits = 0;
    for (const f of spec.flags) bits |= FLAG_BITS[f];
    this.flags = bits;
    this.handler = spec.handler ?? null;
    if (spec.subcommands !== undefined && spec.subcommands.length > 0) {
      this.subcommands = new Map();
      for (const sub of spec.subcommands) {
        this.subcommands.set(sub.name, new Command(sub, this));
      }
    } else {
      this.subcommands = null;
    }
  }

  has(flag: keyof typeof FLAG_BITS): boolean {
    return (this.flags & FLAG_BITS[flag]) !== 0;
  }

  /** Key argument indexes for argv (COMMAND GETKEYS, ACL key checks, cluster slots). */
  keyIndexes(argv: Buffer[]): number[] {
    const s = this.spec;
    if (s.getKeys !== undefined) return s.getKeys(argv);
    if (s.firstKey === 0) return [];
    const last = s.lastKey < 0 ? argv.length + s.lastKey : s.lastKey;
    const out: number[] = [];
    for (let i = s.firstKey; i <= last && i < argv.length; i += s.step) out.push(i);
    return out;
  }
}

export class CommandTable {
  /** Lower-case name → command (top level only). */
  readonly byName = new Map<string, Command>();
  /**
   * Case-folded FNV hash of the name bytes → commands with that hash. Lets dispatch find a
   * command from the raw argument bytes without converting them to a string.
   */
  private readonly byHash = new Map<number, Command[]>();
  private readonly nameBytes = new Map<Command, Buffer>();

  constructor(specs: CommandSpec[]) {
    for (const spec of specs) {
      if (this.byName.has(spec.name)) throw new Error('duplicate command ' + spec.name);
      const cmd = new Command(spec, null);
      this.byName.set(spec.name, cmd);
      const bytes = Buffer.from(spec.name, 'latin1');
      this.nameBytes.set(cmd, bytes);
      const h = foldHash(bytes);
      const list = this.byHash.get(h);
      if (list === undefined) this.byHash.set(h, [cmd]);
      else list.push(cmd);
    }
  }

  /** The last name looked up, exactly as sent, and its command: pipelines repeat names. */
  private lastName: Buffer = Buffer.alloc(0);
  private lastCmd: Command | undefined = undefined;

  /** Looks a command name up case-insensitively (ASCII); undefined when unknown. */
  lookup(name: Buffer): Command | undefined {
    const last = this.lastName;
    const n = name.length;
    if (n === last.length && this.lastCmd !== undefined) {
      let i = 0;
      while (i < n && name[i] === last[i]) i++;
      if (i === n) return this.lastCmd;
    }
    const list = this.byHash.get(foldHash(name));
    if (list === undefined) return undefined;
    for (let i = 0; i < list.length; i++) {
      const cmd = list[i]!;
      if (equalsFolded(this.nameBytes.get(cmd)!, name)) {
        if (n <= 32) {
          this.lastName = Buffer.from(name);
          this.lastCmd = cmd;
        }
        return cmd;
      }
    }
    return undefined;
  }

  lookupSub(cmd: Command, sub: Buffer): Command | undefined {
    return cmd.subcommands?.get(sub.toString('latin1').toLowerCase());
  }

  /** Lower-case name lookup including 'container|sub' names. */
  lookupFullName(fullName: string): Command | undefined {
    const bar = fullName.indexOf('|');
    if (bar < 0) return this.byName.get(fullName);
    const parent = this.byName.get(fullName.slice(0, bar));
    return parent?.subcommands?.get(fullName.slice(bar + 1));
  }

  *all(): IterableIterator<Command> {
    yield* this.byName.values();
  }

  /** Every command and subcommand (commandstats, COMMAND DOCS). */
  *allWithSubcommands(): IterableIterator<Command> {
    for (const c of this.byName.values()) {
      yield c;
      if (c.subcommands !== null) yield* c.subcommands.values();
    }
  }
}

/** All families, in the order COMMAND lists nothing in particular (Redis's order is a hash). */
export function allCommandSpecs(): CommandSpec[] {
  return [
    ...connectionCommands,
    ...clientCommands,
    ...serverCommands,
    ...introspectionCommands,
    ...keyCommands,
    ...stringCommands,
    ...bitmapCommands,
    ...configCommands,
    ...listCommands,
    ...hashCommands,
    ...setCommands,
    ...zsetCommands,
    ...replicationCommands,
    ...pubsubCommands,
    ...hyperloglogCommands,
    ...geoCommands,
    ...sortCommands,
    ...dumpCommands,
    ...blockingCommands,
    ...transactionCommands,
    ...streamCommands,
    ...migrateCommands,
  ];
}

function lowerAscii(b: number): number {
  return b >= 0x41 && b <= 0x5a ? b | 0x20 : b;
}

function foldHash(b: Buffer): number {
  let h = 0x811c9dc5 ^ b.length;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ lowerAscii(b[i]!), 0x01000193);
  return h >>> 0;
}

/** `lower` is already lower-case; compares with `b` folding only ASCII letters. */
function equalsFolded(lower: Buffer, b: Buffer): boolean {
  const n = lower.length;
  if (b.length !== n) return false;
  for (let i = 0; i < n; i++) if (lower[i] !== lowerAscii(b[i]!)) return false;
  return true;
}
