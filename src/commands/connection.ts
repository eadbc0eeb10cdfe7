/**
 * Connection commands: PING, ECHO, QUIT, RESET, HELLO, AUTH.
 *
 * Authentication goes through `server.checkCredentials`, which knows the `default` user and
 * `requirepass` until an ACL layer replaces it. A failed AUTH never drops an existing
 * authentication (Redis behaves the same). SELECT lives with the keyspace commands.
 */

import type { Client } from '../server/client.js';
import { ClientFlag, ReplyMode } from '../server/client.js';
import { REDIS_VERSION } from '../server/server.js';
import { ERR, arityError, sanitizeError } from '../protocol/errors.js';
import { parseI64 } from '../util/numbers.js';
import type { CommandSpec } from './spec.js';

const HELLO_NOAUTH =
  'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time';
const HELLO_BAD_PROTO = 'ERR Protocol version is not an integer or out of range';
export const BAD_CLIENT_NAME = 'ERR Client names cannot contain spaces, newlines or special characters.';

const PONG_LOWER = Buffer.from('pong', 'latin1');
const EMPTY = Buffer.alloc(0);

/** Case-insensitive comparison of an argument with a lower-case ASCII word, without allocating. */
export function argIs(b: Buffer, lower: string): boolean {
  const n = lower.length;
  if (b.length !== n) return false;
  for (let i = 0; i < n; i++) {
    if ((b[i]! | 0x20) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * An argument as Redis prints it with `%s` in an error text: the bytes up to the first NUL (C
 * strings end there), optionally at most `max` of them (`%.128s`), as latin1.
 */
export function cArg(b: Buffer, max = Infinity): string {
  let end = b.indexOf(0);
  if (end < 0) end = b.length;
  if (end > max) end = max;
  return b.toString('latin1', 0, end);
}

/** Client names (and CLIENT SETINFO values) may use only the printable ASCII range '!'..'~'. */
export function validClientAttr(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) {
    const ch = b[i]!;
    if (ch < 0x21 || ch > 0x7e) return false;
  }
  return true;
}

/** CLIENT SETNAME / HELLO SETNAME: validates, then sets (an empty name clears it). */
export function setClientName(c: Client, name: Buffer): boolean {
  if (!validClientAttr(name)) {
    c.reply.error(BAD_CLIENT_NAME);
    return false;
  }
  c.name = name.length === 0 ? null : name.toString('latin1');
  return true;
}

/** Authenticates `c` as `user`; false (and nothing changed) when the credentials are wrong. */
export function authenticate(c: Client, user: Buffer, pass: Buffer): boolean {
  if (!c.server.checkCredentials(user, pass)) return false;
  c.authenticated = true;
  c.user = user.toString('latin1');
  return true;
}

// ---------------------------------------------------------------------------------------------

function pingCommand(c: Client, argv: Buffer[]): void {
  if (argv.length > 2) {
    c.reply.error(arityError('ping'));
    return;
  }
  // A RESP2 connection in subscribed mode can only receive pushes, so Redis answers PING
  // there with a ["pong", message] array.
  if ((c.flags & ClientFlag.PUBSUB) !== 0 && c.reply.resp === 2) {
    c.reply.arrayLen(2);
    c.reply.bulk(PONG_LOWER);
    c.reply.bulk(argv.length === 2 ? argv[1]! : EMPTY);
    return;
  }
  if (argv.length === 1) c.reply.simple('PONG');
  else c.reply.bulk(argv[1]!);
}

function echoCommand(c: Client, argv: Buffer[]): void {
  c.reply.bulk(argv[1]!);
}

function quitCommand(c: Client): void {
  c.reply.ok();
  c.flags |= ClientFlag.CLOSE_AFTER_REPLY;
}

/**
 * RESET (Redis 7.0): leaves MULTI and WATCH, pub/sub and tracking (through the owners' reset
 * hooks), MONITOR, READONLY and NO-TOUCH; selects db 0, RESP2, no name, CLIENT REPLY ON, and
 * de-authenticates when a password is required. CLIENT NO-EVICT and SETINFO stay, as in Redis.
 */
function resetCommand(c: Client): void {
  const server = c.server;
  const hooks = server.resetHooks;
  for (let i = 0; i < hooks.length; i++) hooks[i]!(c);
  if ((c.flags & ClientFlag.MONITOR) !== 0) server.monitors.delete(c);
  c.flags &= ~(ClientFlag.MULTI | ClientFlag.DIRTY_EXEC | ClientFlag.MONITOR | ClientFlag.READONLY_CLUSTER | ClientFlag.NO_TOUCH);
  c.select(0);
  c.reply.resp = 2;
  c.name = null;
  c.user = 'default';
  c.authenticated = !server.requirePassword();
  c.replyMode = ReplyMode.ON;
  c.reply.simple('RESET');
}

/** HELLO [protover [AUTH username password] [SETNAME clientname]] */
function helloCommand(c: Client, argv: Buffer[]): void {
  let ver = 0;
  let next = 1;
  if (argv.length >= 2) {
    const v = parseI64(argv[1]!);
    if (v === null) {
      c.reply.error(HELLO_BAD_PROTO);
      return;
    }
    if (v !== 2 && v !== 3) {
      c.reply.error(ERR.noProto);
      return;
    }
    ver = v;
    next = 2;
  }
  let user: Buffer | null = null;
  let pass: Buffer | null = null;
  let name: Buffer | null = null;
  for (let j = next; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = argv[j]!;
    if (argIs(opt, 'auth') && more >= 2) {
      user = argv[j + 1]!;
      pass = argv[j + 2]!;
      j += 2;
    } else if (argIs(opt, 'setname') && more >= 1) {
      name = argv[j + 1]!;
      j++;
    } else {
      c.reply.error(sanitizeError("ERR Syntax error in HELLO option '" + cArg(opt) + "'"));
      return;
    }
  }
  if (!c.authenticated && user === null) {
    c.reply.error(HELLO_NOAUTH);
    return;
  }
  if (user !== null && !authenticate(c, user, pass!)) {
    c.reply.error(ERR.wrongPass);
    return;
  }
  if (name !== null && !setClientName(c, name)) return;
  if (ver !== 0) c.reply.resp = ver as 2 | 3;
  const r = c.reply;
  r.mapLen(7);
  r.bulkStr('server');
  r.bulkStr('redis');
  r.bulkStr('version');
  r.bulkStr(REDIS_VERSION);
  r.bulkStr('proto');
  r.integer(r.resp);
  r.bulkStr('id');
  r.integer(c.id);
  r.bulkStr('mode');
  r.bulkStr('standalone');
  r.bulkStr('role');
  r.bulkStr(c.server.isReplica ? 'replica' : 'master');
  r.bulkStr('modules');
  r.arrayLen(0);
}

/** AUTH [username] password */
function authCommand(c: Client, argv: Buffer[]): void {
  if (argv.length > 3) {
    c.reply.error(ERR.syntax);
    return;
  }
  let user: Buffer;
  let pass: Buffer;
  if (argv.length === 2) {
    if (!c.server.requirePassword()) {
      c.reply.error(ERR.authNotConfigured);
      return;
    }
    user = DEFAULT_USER;
    pass = argv[1]!;
  } else {
    user = argv[1]!;
    pass = argv[2]!;
  }
  if (authenticate(c, user, pass)) c.reply.ok();
  else c.reply.error(ERR.wrongPass);
}

const DEFAULT_USER = Buffer.from('default', 'latin1');

// ---------------------------------------------------------------------------------------------

const NO_KEYS = { firstKey: 0, lastKey: 0, step: 0 } as const;

export const connectionCommands: CommandSpec[] = [
  {
    name: 'ping',
    arity: -1,
    flags: ['fast'],
    ...NO_KEYS,
    acl: ['fast', 'connection'],
    tips: ['request_policy:all_shards', 'response_policy:all_succeeded'],
    handler: pingCommand,
  },
  { name: 'echo', arity: 2, flags: ['loading', 'stale', 'fast'], ...NO_KEYS, acl: ['fast', 'connection'], handler: echoCommand },
  {
    name: 'quit',
    arity: -1,
    flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'],
    ...NO_KEYS,
    acl: ['fast', 'connection'],
    handler: quitCommand,
  },
  {
    name: 'reset',
    arity: 1,
    flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'],
    ...NO_KEYS,
    acl: ['fast', 'connection'],
    handler: resetCommand,
  },
  {
    name: 'hello',
    arity: -1,
    flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'],
    ...NO_KEYS,
    acl: ['fast', 'connection'],
    handler: helloCommand,
  },
  {
    name: 'auth',
    arity: -2,
    flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'],
    ...NO_KEYS,
    acl: ['fast', 'connection'],
    handler: authCommand,
  },
];
