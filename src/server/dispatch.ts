/**
 * processCommand: the single path every command takes, in Redis's order of checks:
 * lookup (+subcommand) → arity → authentication → (replica read-only, OOM, loading: added by
 * the layers that own them through the hooks on Server) → call → statistics.
 *
 * Any rejection is an error reply; an exception thrown by a handler is a bug, so it is logged
 * with the command name and answered with -ERR, and the server keeps serving.
 */

import type { Client } from './client.js';
import { ClientFlag, ReplyMode } from './client.js';
import { ERR, arityError, unknownCommandError, unknownSubcommandError } from '../protocol/errors.js';
import { FLAG_BITS } from '../commands/spec.js';
import type { Command } from '../commands/table.js';
import { ERR_NOT_ALLOWED_IN_MULTI, abortExecWithError, queueMultiCommand, runsInsideMulti } from './multi.js';
import { handleReadyKeys, readyKeysPending } from './blocking.js';

const F_NO_AUTH = FLAG_BITS.no_auth;
const F_WRITE = FLAG_BITS.write;
const F_SKIP_SLOWLOG = FLAG_BITS.skip_slowlog;
const F_SKIP_MONITOR = FLAG_BITS.skip_monitor;
const F_NO_MULTI = FLAG_BITS.no_multi;

function isCrossProtocolAttack(name: Buffer): boolean {
  // Redis closes connections whose "command" is an HTTP verb or header (browser attacks).
  const n = name.length;
  if (n === 4) {
    return (name[0]! | 0x20) === 0x70 && (name[1]! | 0x20) === 0x6f && (name[2]! | 0x20) === 0x73 && (name[3]! | 0x20) === 0x74;
  }
  if (n === 5) {
    return name.toString('latin1').toLowerCase() === 'host:';
  }
  return false;
}

/** Resolves argv to a command, or writes the error and returns null. */
export function resolveCommand(c: Client, argv: Buffer[]): Command | null {
  const table = c.server.commands;
  let cmd = table.lookup(argv[0]!);
  if (cmd === undefined) {
    c.reply.error(unknownCommandError(argv[0]!, argv, 1));
    return null;
  }
  if (cmd.subcommands !== null && argv.length >= 2) {
    const sub = table.lookupSub(cmd, argv[1]!);
    if (sub === undefined) {
      cmd.stats.rejectedCalls++;
      c.reply.error(unknownSubcommandError(argv[1]!, cmd.name));
      return null;
    }
    cmd = sub;
  }
  const arity = cmd.arity;
  if ((arity > 0 && argv.length !== arity) || argv.length < -arity || (cmd.subcommands !== null && cmd.handler === null && argv.length < 2)) {
    cmd.stats.rejectedCalls++;
    c.reply.error(arityError(cmd.fullName));
    return null;
  }
  return cmd;
}

export function processCommand(c: Client, argv: Buffer[]): void {
  const server = c.server;
  if (isCrossProtocolAttack(argv[0]!)) {
    server.log.warning('Possible SECURITY ATTACK detected. It looks like somebody is sending POST or Host: commands to Redis. This is likely due to an attacker attempting to use Cross Protocol Scripting to compromise your Redis instance. Connection aborted.');
    // Redis frees such a client at once: replies already queued in this burst are dropped too.
    c.reply.take();
    c.close();
    return;
  }
  const mark = c.reply.mark();
  c.reply.lastError = null;
  const cmd = resolveCommand(c, argv);
  if (cmd === null) {
    rejected(c, argv, mark);
    afterReply(c, mark);
    return;
  }
  if (!c.authenticated && (cmd.flags & F_NO_AUTH) === 0) {
    cmd.stats.rejectedCalls++;
    c.reply.error(ERR.noAuth);
    rejected(c, argv, mark);
    afterReply(c, mark);
    return;
  }
  const inMulti = (c.flags & ClientFlag.MULTI) !== 0;
  if (inMulti && (cmd.flags & F_NO_MULTI) !== 0) {
    cmd.stats.rejectedCalls++;
    c.reply.error(ERR_NOT_ALLOWED_IN_MULTI);
    rejected(c, argv, mark);
    afterReply(c, mark);
    return;
  }
  const veto = server.commandVeto(c, cmd, argv);
  if (veto !== null) {
    cmd.stats.rejectedCalls++;
    c.reply.error(veto);
    rejected(c, argv, mark);
    afterReply(c, mark);
    return;
  }
  if (inMulti && !runsInsideMulti(cmd)) {
    queueMultiCommand(c, cmd, argv);
    afterReply(c, mark);
    return;
  }
  // Everything one top-level command propagates is emitted when it ends (wrapped in
  // MULTI/EXEC when there are two or more), as Redis 7.0 does.
  server.beginCommand();
  call(c, cmd, argv);
  server.endCommand(c);
  // Clients blocked on keys this command (or the transaction it ran) pushed to are served now,
  // after its reply and propagation (Redis's handleClientsBlockedOnKeys).
  if (readyKeysPending !== 0) handleReadyKeys(server);
  afterReply(c, mark);
}

/**
 * A rejected command inside MULTI marks the transaction dirty; a rejected EXEC discards it
 * (if any) with EXECABORT instead of its error.
 */
function rejected(c: Client, argv: Buffer[], mark: number): void {
  // Redis answers so for a rejected EXEC even outside MULTI ("EXEC x", EXEC before AUTH).
  if (isExec(argv[0]!)) abortExecWithError(c, mark);
  else if ((c.flags & ClientFlag.MULTI) !== 0) c.flags |= ClientFlag.DIRTY_EXEC;
  const err = c.reply.lastError;
  if (err !== null) c.server.stats.countError(errorCode(err));
}

function isExec(name: Buffer): boolean {
  return (
    name.length === 4 && (name[0]! | 0x20) === 0x65 && (name[1]! | 0x20) === 0x78 && (name[2]! | 0x20) === 0x65 && (name[3]! | 0x20) === 0x63
  );
}

/** Executes a resolved command with statistics, slowlog, monitor feed and propagation. */
export function call(c: Client, cmd: Command, argv: Buffer[]): void {
  const server = c.server;
  c.cmd = cmd;
  c.argv = argv;
  c.propagateArgv = null;
  c.preventPropagate = false;
  c.forcePropagate = false;
  const dirtyBefore = server.dirty;
  // MONITOR shows EXEC after the commands it ran, as Redis feeds monitors after the call.
  const monitored = server.monitors.size > 0 && (cmd.flags & F_SKIP_MONITOR) === 0;
  const monitorAfter = monitored && cmd.name === 'exec';
  if (monitored && !monitorAfter) server.feedMonitors(c, argv);
  // Inside a read burst the previous command's end time is this one's start (one clock read per
  // command instead of two); outside a burst (clockMark 0) the clock is read here.
  const mark = server.clockMark;
  const start = mark !== 0 ? mark : performance.now();
  try {
    cmd.handler!(c, argv);
  } catch (err) {
    server.log.warning(
      "Unexpected error executing '" + cmd.fullName + "': " + (err instanceof Error ? (err.stack ?? err.message) : String(err)),
    );
    c.reply.error('ERR internal error while executing ' + cmd.fullName.toUpperCase());
  }
  // Re-pack the small collections the command unpacked or created (store/db.ts, "Packed
  // values"): no handler is running now, so none still holds one of them. Other databases
  // (MOVE, COPY DB) are settled at the end of the event-loop turn.
  c.db.settle();
  if (monitorAfter) server.feedMonitors(c, argv);
  const end = performance.now();
  if (mark !== 0) server.clockMark = end;
  const usec = Math.round((end - start) * 1000);
  const stats = cmd.stats;
  stats.calls++;
  stats.usec += usec;
  server.stats.commandsProcessed++;
  const err = c.reply.lastError;
  if (err !== null) {
    stats.failedCalls++;
    server.stats.countError(errorCode(err));
  }
  if ((cmd.flags & F_SKIP_SLOWLOG) === 0 && usec >= server.slowlogThresholdUsec && server.slowlogThresholdUsec >= 0) {
    server.slowlog.add(c, argv, usec);
  }
  if (((server.dirty !== dirtyBefore && (cmd.flags & F_WRITE) !== 0) || c.forcePropagate) && !c.preventPropagate) {
    server.propagate(c.dbIndex, c.propagateArgv ?? argv);
  }
  c.lastCmd = cmd;
  c.cmd = null;
}

/** Applies CLIENT REPLY OFF/SKIP by discarding what the command wrote. */
function afterReply(c: Client, mark: number): void {
  const mode = c.replyMode;
  if (mode === ReplyMode.ON) return;
  if (mode === ReplyMode.SKIP_NEXT) {
    // CLIENT REPLY SKIP itself replies nothing; the next command's reply is dropped.
    c.replyMode = ReplyMode.SKIP;
    c.reply.truncate(mark);
    return;
  }
  // (Un)subscribe confirmations are pushes, which Redis 7.0 sends even with CLIENT REPLY OFF/SKIP.
  if (c.pushReply) c.pushReply = false;
  else c.reply.truncate(mark);
  if (mode === ReplyMode.SKIP) c.replyMode = ReplyMode.ON;
}

/** The error code INFO errorstats counts by: the first word of the error text. */
export function errorCode(text: string): string {
  const sp = text.indexOf(' ');
  return sp < 0 ? text : text.slice(0, sp);
}
