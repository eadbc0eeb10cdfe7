/**
 * CLIENT and its subcommands.
 *
 * CLIENT LIST / INFO print Redis 7.0's line format field for field. Counters that belong to
 * other subsystems (pub/sub subscriptions, the MULTI queue, the tracking redirect) come from
 * `server.clientCounters` hooks. CLIENT SETINFO and NO-TOUCH are Redis 7.2 additions accepted
 * because clients send them; the lib-name/lib-ver they set are stored but not printed, so the
 * CLIENT LIST line keeps 7.0's exact shape for parsers written against it.
 */

import type { Client } from '../server/client.js';
import { ClientFlag, ReplyMode } from '../server/client.js';
import { clientMemory, type ClientCounters } from '../server/server.js';
import { ERR, sanitizeError } from '../protocol/errors.js';
import { parseI64 } from '../util/numbers.js';
import { argIs, cArg, setClientName, validClientAttr } from './connection.js';
import type { CommandSpec } from './spec.js';

const ERR_INVALID_CLIENT_ID = 'ERR Invalid client ID';
const ERR_CLIENT_ID_RANGE = 'ERR client-id should be greater than 0';
const ERR_NO_SUCH_CLIENT = 'ERR No such client';
const ERR_PAUSE_MODE = 'ERR CLIENT PAUSE mode must be WRITE or ALL';
const ERR_TIMEOUT_NOT_INT = 'ERR timeout is not an integer or out of range';
const ERR_TIMEOUT_NEGATIVE = 'ERR timeout is negative';
const ERR_UNBLOCK_REASON = 'ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR';
const ERR_CACHING =
  'ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled';
const ERR_TRACKING_UNSUPPORTED = 'ERR CLIENT TRACKING is not supported by this server yet';

/** Redis's addReplySubcommandSyntaxError. */
function subcommandSyntaxError(c: Client, sub: Buffer): void {
  c.reply.error(sanitizeError("ERR unknown subcommand or wrong number of arguments for '" + cArg(sub, 128) + "'. Try CLIENT HELP."));
}

// ---------------------------------------------------------------------------------------------
// Client types (CLIENT LIST TYPE, CLIENT KILL TYPE)

const TYPE_NORMAL = 0;
const TYPE_REPLICA = 1;
const TYPE_PUBSUB = 2;
const TYPE_MASTER = 3;

function clientTypeByName(b: Buffer): number {
  if (argIs(b, 'normal')) return TYPE_NORMAL;
  if (argIs(b, 'slave') || argIs(b, 'replica')) return TYPE_REPLICA;
  if (argIs(b, 'pubsub')) return TYPE_PUBSUB;
  if (argIs(b, 'master')) return TYPE_MASTER;
  return -1;
}

/** Redis's getClientType: a monitor counts as a normal client. */
function clientType(c: Client): number {
  if ((c.flags & ClientFlag.MASTER) !== 0) return TYPE_MASTER;
  if ((c.flags & ClientFlag.REPLICA) !== 0 && (c.flags & ClientFlag.MONITOR) === 0) return TYPE_REPLICA;
  if ((c.flags & ClientFlag.PUBSUB) !== 0) return TYPE_PUBSUB;
  return TYPE_NORMAL;
}

function unknownTypeError(c: Client, b: Buffer): void {
  c.reply.error(sanitizeError("ERR Unknown client type '" + cArg(b) + "'"));
}

// ---------------------------------------------------------------------------------------------
// The CLIENT LIST line

/** Redis's flag letters, in the order Redis 7.0 prints them ('T' is 7.2's NO-TOUCH). */
function flagString(c: Client): string {
  const f = c.flags;
  let s = '';
  if ((f & ClientFlag.MONITOR) !== 0) s += 'O';
  else if ((f & ClientFlag.REPLICA) !== 0) s += 'S';
  if ((f & ClientFlag.MASTER) !== 0) s += 'M';
  if ((f & ClientFlag.PUBSUB) !== 0) s += 'P';
  if ((f & ClientFlag.MULTI) !== 0) s += 'x';
  if ((f & ClientFlag.BLOCKED) !== 0 || c.postponed !== null) s += 'b';
  if ((f & ClientFlag.DIRTY_CAS) !== 0) s += 'd';
  if ((f & ClientFlag.CLOSE_AFTER_REPLY) !== 0) s += 'c';
  if ((f & ClientFlag.CLOSE_ASAP) !== 0) s += 'A';
  if ((f & ClientFlag.READONLY_CLUSTER) !== 0) s += 'r';
  if ((f & ClientFlag.NO_EVICT) !== 0) s += 'e';
  if ((f & ClientFlag.NO_TOUCH) !== 0) s += 'T';
  return s === '' ? 'N' : s;
}

function counters(c: Client): ClientCounters {
  const out: ClientCounters = {
    sub: 0,
    psub: 0,
    ssub: 0,
    multi: (c.flags & ClientFlag.MULTI) !== 0 ? 0 : -1,
    multiMem: 0,
    redir: -1,
  };
  const hooks = c.server.clientCounters;
  for (let i = 0; i < hooks.length; i++) hooks[i]!(c, out);
  return out;
}

function socketFd(c: Client): number {
  const h = (c.socket as unknown as { _handle?: { fd?: number } } | null)?._handle;
  return h !== undefined && typeof h.fd === 'number' ? h.fd : -1;
}

/** One CLIENT LIST line (with its trailing newline), Redis 7.0's fields in Redis's order. */
export function clientInfoLine(c: Client, now: number): string {
  const k = counters(c);
  let argvMem = 0;
  if (c.cmd !== null) for (let i = 0; i < c.argv.length; i++) argvMem += c.argv[i]!.length;
  const qbuf = c.parser.buffered;
  const qbufFree = Math.max(0, c.parser.reserved - qbuf);
  const rbs = c.reply.buf.length;
  const obl = c.reply.pending;
  const omem = c.socket !== null ? c.socket.writableLength : 0;
  const cmd = c.cmd ?? c.lastCmd;
  return (
    'id=' +
    c.id +
    ' addr=' +
    c.addr +
    ' laddr=' +
    c.laddr +
    ' fd=' +
    socketFd(c) +
    ' name=' +
    (c.name ?? '') +
    ' age=' +
    Math.floor((now - c.createdAt) / 1000) +
    ' idle=' +
    Math.floor((now - c.lastInteraction) / 1000) +
    ' flags=' +
    flagString(c) +
    ' db=' +
    c.dbIndex +
    ' sub=' +
    k.sub +
    ' psub=' +
    k.psub +
    ' ssub=' +
    k.ssub +
    ' multi=' +
    k.multi +
    ' qbuf=' +
    qbuf +
    ' qbuf-free=' +
    qbufFree +
    ' argv-mem=' +
    argvMem +
    ' multi-mem=' +
    k.multiMem +
    ' rbs=' +
    rbs +
    ' rbp=' +
    rbs +
    ' obl=' +
    obl +
    ' oll=0 omem=' +
    omem +
    ' tot-mem=' +
    (clientMemory(c) + argvMem + k.multiMem) +
    ' events=' +
    (omem > 0 ? 'rw' : 'r') +
    ' cmd=' +
    (cmd !== null ? cmd.fullName : 'NULL') +
    ' user=' +
    c.user +
    ' redir=' +
    k.redir +
    ' resp=' +
    c.reply.resp +
    '\n'
  );
}

// ---------------------------------------------------------------------------------------------

function clientIdCommand(c: Client): void {
  c.reply.integer(c.id);
}

function clientInfoCommand(c: Client): void {
  c.reply.verbatim(clientInfoLine(c, Date.now()));
}

/** CLIENT LIST [TYPE type] | [ID id ...] */
function clientListCommand(c: Client, argv: Buffer[]): void {
  const server = c.server;
  const now = Date.now();
  let text = '';
  if (argv.length === 2) {
    for (const cl of server.clients.values()) text += clientInfoLine(cl, now);
  } else if (argv.length === 4 && argIs(argv[2]!, 'type')) {
    const type = clientTypeByName(argv[3]!);
    if (type < 0) {
      unknownTypeError(c, argv[3]!);
      return;
    }
    for (const cl of server.clients.values()) if (clientType(cl) === type) text += clientInfoLine(cl, now);
  } else if (argv.length > 3 && argIs(argv[2]!, 'id')) {
    const ids: number[] = [];
    for (let j = 3; j < argv.length; j++) {
      const v = parseI64(argv[j]!);
      if (v === null) {
        c.reply.error(ERR_INVALID_CLIENT_ID);
        return;
      }
      ids.push(Number(v));
    }
    for (const id of ids) {
      const cl = server.clients.get(id);
      if (cl !== undefined) text += clientInfoLine(cl, now);
    }
  } else {
    c.reply.error(ERR.syntax);
    return;
  }
  c.reply.verbatim(text);
}

function clientSetnameCommand(c: Client, argv: Buffer[]): void {
  if (setClientName(c, argv[2]!)) c.reply.ok();
}

function clientGetnameCommand(c: Client): void {
  if (c.name === null) c.reply.nullBulk();
  else c.reply.bulkStr(c.name);
}

/** CLIENT SETINFO LIB-NAME name | LIB-VER version (Redis 7.2). */
function clientSetinfoCommand(c: Client, argv: Buffer[]): void {
  const attr = argv[2]!;
  const value = argv[3]!;
  const isName = argIs(attr, 'lib-name');
  if (!isName && !argIs(attr, 'lib-ver')) {
    c.reply.error(sanitizeError("ERR Unrecognized option '" + cArg(attr) + "'"));
    return;
  }
  if (!validClientAttr(value)) {
    c.reply.error(sanitizeError('ERR ' + cArg(attr) + ' cannot contain spaces, newlines or special characters.'));
    return;
  }
  if (isName) c.libName = value.toString('latin1');
  else c.libVer = value.toString('latin1');
  c.reply.ok();
}

/** CLIENT KILL ip:port | CLIENT KILL <filter> <value> ... */
function clientKillCommand(c: Client, argv: Buffer[]): void {
  const server = c.server;
  if (argv.length === 3) {
    // Old form: one address, OK or an error.
    const addr = cArg(argv[2]!);
    for (const cl of server.clients.values()) {
      if (cl.addr !== addr) continue;
      killClient(c, cl);
      c.reply.ok();
      return;
    }
    c.reply.error(ERR_NO_SUCH_CLIENT);
    return;
  }
  let id = 0;
  let type = -1;
  let addr: string | null = null;
  let laddr: string | null = null;
  let user: string | null = null;
  let skipme = true;
  for (let i = 2; i < argv.length; i += 2) {
    const opt = argv[i]!;
    const more = argv.length > i + 1;
    if (!more) {
      c.reply.error(ERR.syntax);
      return;
    }
    const val = argv[i + 1]!;
    if (argIs(opt, 'id')) {
      const v = parseI64(val);
      if (v === null || v < 1) {
        c.reply.error(ERR_CLIENT_ID_RANGE);
        return;
      }
      id = Number(v);
    } else if (argIs(opt, 'type')) {
      type = clientTypeByName(val);
      if (type < 0) {
        unknownTypeError(c, val);
        return;
      }
    } else if (argIs(opt, 'addr')) {
      addr = cArg(val);
    } else if (argIs(opt, 'laddr')) {
      laddr = cArg(val);
    } else if (argIs(opt, 'user')) {
      user = val.toString('latin1');
      if (!server.userExists(user)) {
        c.reply.error(sanitizeError("ERR No such user '" + cArg(val) + "'"));
        return;
      }
    } else if (argIs(opt, 'skipme')) {
      if (argIs(val, 'yes')) skipme = true;
      else if (argIs(val, 'no')) skipme = false;
      else {
        c.reply.error(ERR.syntax);
        return;
      }
    } else {
      c.reply.error(ERR.syntax);
      return;
    }
  }
  let killed = 0;
  for (const cl of [...server.clients.values()]) {
    if (addr !== null && cl.addr !== addr) continue;
    if (laddr !== null && cl.laddr !== laddr) continue;
    if (type >= 0 && clientType(cl) !== type) continue;
    if (id !== 0 && cl.id !== id) continue;
    if (user !== null && cl.user !== user) continue;
    if (cl === c && skipme) continue;
    killClient(c, cl);
    killed++;
  }
  c.reply.integer(killed);
}

/** Closes `target`; the caller itself is closed after this reply, as Redis does. */
function killClient(caller: Client, target: Client): void {
  if (target === caller) caller.flags |= ClientFlag.CLOSE_AFTER_REPLY;
  else target.close();
}

/** CLIENT PAUSE timeout [WRITE|ALL] */
function clientPauseCommand(c: Client, argv: Buffer[]): void {
  if (argv.length > 4) {
    subcommandSyntaxError(c, argv[1]!);
    return;
  }
  let mode: 'all' | 'write' = 'all';
  if (argv.length === 4) {
    if (argIs(argv[3]!, 'write')) mode = 'write';
    else if (!argIs(argv[3]!, 'all')) {
      c.reply.error(ERR_PAUSE_MODE);
      return;
    }
  }
  const t = parseI64(argv[2]!);
  if (t === null) {
    c.reply.error(ERR_TIMEOUT_NOT_INT);
    return;
  }
  if (t < 0) {
    c.reply.error(ERR_TIMEOUT_NEGATIVE);
    return;
  }
  // A zero timeout is a pause that has already ended (Redis stores the end time 0).
  const until = t === 0 ? 0 : Date.now() + Number(t);
  c.server.pauseClients(mode, until);
  c.reply.ok();
}

function clientUnpauseCommand(c: Client): void {
  c.server.unpauseClients();
  c.reply.ok();
}

/** CLIENT REPLY ON|OFF|SKIP: the modes themselves are applied by dispatch after each command. */
function clientReplyCommand(c: Client, argv: Buffer[]): void {
  const mode = argv[2]!;
  if (argIs(mode, 'on')) {
    c.replyMode = ReplyMode.ON;
    c.reply.ok();
  } else if (argIs(mode, 'off')) {
    c.replyMode = ReplyMode.OFF;
  } else if (argIs(mode, 'skip')) {
    if (c.replyMode !== ReplyMode.OFF) c.replyMode = ReplyMode.SKIP_NEXT;
  } else {
    c.reply.error(ERR.syntax);
  }
}

function flagOnOff(c: Client, arg: Buffer, flag: number): void {
  if (argIs(arg, 'on')) {
    c.flags |= flag;
    c.reply.ok();
  } else if (argIs(arg, 'off')) {
    c.flags &= ~flag;
    c.reply.ok();
  } else {
    c.reply.error(ERR.syntax);
  }
}

function clientNoEvictCommand(c: Client, argv: Buffer[]): void {
  flagOnOff(c, argv[2]!, ClientFlag.NO_EVICT);
}

function clientNoTouchCommand(c: Client, argv: Buffer[]): void {
  flagOnOff(c, argv[2]!, ClientFlag.NO_TOUCH);
}

function clientGetredirCommand(c: Client): void {
  c.reply.integer(counters(c).redir);
}

/** Tracking (client-side caching) is not implemented: OFF is accepted, ON is refused plainly. */
function clientTrackingCommand(c: Client, argv: Buffer[]): void {
  const mode = argv[2]!;
  if (argIs(mode, 'off')) {
    c.reply.ok();
  } else if (argIs(mode, 'on')) {
    c.reply.error(ERR_TRACKING_UNSUPPORTED);
  } else {
    c.reply.error(ERR.syntax);
  }
}

function clientTrackinginfoCommand(c: Client): void {
  const r = c.reply;
  r.mapLen(3);
  r.bulkStr('flags');
  r.setLen(1);
  r.bulkStr('off');
  r.bulkStr('redirect');
  r.integer(-1);
  r.bulkStr('prefixes');
  r.arrayLen(0);
}

function clientCachingCommand(c: Client): void {
  c.reply.error(ERR_CACHING);
}

/** CLIENT UNBLOCK id [TIMEOUT|ERROR]: the blocking layer does the work through server.unblockHook. */
function clientUnblockCommand(c: Client, argv: Buffer[]): void {
  if (argv.length > 4) {
    subcommandSyntaxError(c, argv[1]!);
    return;
  }
  const v = parseI64(argv[2]!);
  if (v === null) {
    c.reply.error(ERR.notInteger);
    return;
  }
  let withError = false;
  if (argv.length === 4) {
    if (argIs(argv[3]!, 'error')) withError = true;
    else if (!argIs(argv[3]!, 'timeout')) {
      c.reply.error(ERR_UNBLOCK_REASON);
      return;
    }
  }
  const server = c.server;
  const target = server.clients.get(Number(v));
  const hook = server.unblockHook;
  if (target !== undefined && (target.flags & ClientFlag.BLOCKED) !== 0 && hook !== null && hook(target, withError)) {
    c.reply.integer(1);
  } else {
    c.reply.integer(0);
  }
}

const CLIENT_HELP = [
  'CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CACHING (YES|NO)',
  '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.',
  'GETREDIR',
  '    Return the client ID we are redirecting to when tracking is enabled.',
  'GETNAME',
  '    Return the name of the current connection.',
  'ID',
  '    Return the ID of the current connection.',
  'INFO',
  '    Return information about the current client connection.',
  'KILL <ip:port>',
  '    Kill connection made from <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]',
  '    Kill connections. Options are:',
  '    * ADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made from the specified address',
  '    * LADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made to specified local address',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Kill connections by type.',
  '    * USER <username>',
  '      Kill connections authenticated by <username>.',
  '    * SKIPME (YES|NO)',
  '      Skip killing current connection (default: yes).',
  'LIST [options ...]',
  '    Return information about client connections. Options:',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Return clients of specified type.',
  'UNPAUSE',
  '    Stop the current client pause, resuming traffic.',
  'PAUSE <timeout> [WRITE|ALL]',
  '    Suspend all, or just write, clients for <timeout> milliseconds.',
  'REPLY (ON|OFF|SKIP)',
  '    Control the replies sent to the current connection.',
  'SETNAME <name>',
  '    Assign the name <name> to the current connection.',
  'UNBLOCK <clientid> [TIMEOUT|ERROR]',
  '    Unblock the specified blocked client.',
  'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
  '         [OPTIN] [OPTOUT] [NOLOOP]',
  '    Control server assisted client side caching.',
  'TRACKINGINFO',
  '    Report tracking status for the current connection.',
  'NO-EVICT (ON|OFF)',
  '    Protect current client connection from eviction.',
  'HELP',
  '    Prints this help.',
];

/** Writes a HELP reply: an array of simple strings (Redis's addReplyHelp). */
export function replyHelp(c: Client, lines: readonly string[]): void {
  c.reply.arrayLen(lines.length);
  for (const l of lines) c.reply.simple(l);
}

function clientHelpCommand(c: Client): void {
  replyHelp(c, CLIENT_HELP);
}

// ---------------------------------------------------------------------------------------------

const NO_KEYS = { firstKey: 0, lastKey: 0, step: 0 } as const;
const USER_FLAGS = ['noscript', 'loading', 'stale'] as CommandSpec['flags'];
const ADMIN_FLAGS = ['admin', 'noscript', 'loading', 'stale'] as CommandSpec['flags'];
const USER_ACL = ['slow', 'connection'];
const ADMIN_ACL = ['admin', 'slow', 'dangerous', 'connection'];

function sub(name: string, arity: number, admin: boolean, handler: CommandSpec['handler'], tips?: string[]): CommandSpec {
  const spec: CommandSpec = {
    name,
    arity,
    flags: admin ? ADMIN_FLAGS : USER_FLAGS,
    ...NO_KEYS,
    acl: admin ? ADMIN_ACL : USER_ACL,
    handler,
  };
  if (tips !== undefined) spec.tips = tips;
  return spec;
}

export const clientCommands: CommandSpec[] = [
  {
    name: 'client',
    arity: -2,
    flags: [],
    ...NO_KEYS,
    acl: ['slow'],
    subcommands: [
      { name: 'help', arity: 2, flags: ['loading', 'stale'], ...NO_KEYS, acl: USER_ACL, handler: clientHelpCommand },
      sub('caching', 3, false, clientCachingCommand),
      sub('unpause', 2, true, clientUnpauseCommand),
      sub('tracking', -3, false, clientTrackingCommand),
      sub('trackinginfo', 2, false, clientTrackinginfoCommand),
      sub('setname', 3, false, clientSetnameCommand),
      sub('info', 2, false, clientInfoCommand, ['nondeterministic_output']),
      sub('list', -2, true, clientListCommand, ['nondeterministic_output']),
      sub('unblock', -3, true, clientUnblockCommand),
      sub('id', 2, false, clientIdCommand),
      sub('pause', -3, true, clientPauseCommand),
      sub('getredir', 2, false, clientGetredirCommand),
      sub('no-evict', 3, true, clientNoEvictCommand),
      sub('kill', -3, true, clientKillCommand),
      sub('getname', 2, false, clientGetnameCommand),
      sub('reply', 3, false, clientReplyCommand),
      // Redis 7.2 additions that current clients send (not in 7.0's COMMAND INFO).
      sub('setinfo', 4, false, clientSetinfoCommand, ['request_policy:all_nodes', 'response_policy:all_succeeded']),
      sub('no-touch', 3, false, clientNoTouchCommand),
    ],
  },
];
