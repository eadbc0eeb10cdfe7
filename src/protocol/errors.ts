/**
 * Error texts, verbatim from Redis 7.0 (checked against redis-server 7.0.15).
 *
 * Handlers never throw for user errors: they call `reply.error(ERR.syntax)` (or one of the
 * helpers below for texts that embed a name). Keeping every text here means one place to
 * compare with the reference server, and the constants double as the keys INFO errorstats
 * counts by (the first word of the text).
 */

export const ERR = {
  syntax: 'ERR syntax error',
  notInteger: 'ERR value is not an integer or out of range',
  notFloat: 'ERR value is not a valid float',
  overflow: 'ERR increment or decrement would overflow',
  incrNanOrInf: 'ERR increment would produce NaN or Infinity',
  wrongType: 'WRONGTYPE Operation against a key holding the wrong kind of value',
  noSuchKey: 'ERR no such key',
  outOfRange: 'ERR index out of range',
  invalidExpire: "ERR invalid expire time in '%s' command",
  dbIndexOutOfRange: 'ERR DB index is out of range',
  invalidDbIndex: 'ERR invalid DB index',
  sameObject: 'ERR source and destination objects are the same',
  noAuth: 'NOAUTH Authentication required.',
  wrongPass: 'WRONGPASS invalid username-password pair or user is disabled.',
  authNotConfigured:
    'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
  readOnly: "READONLY You can't write against a read only replica.",
  loading: 'LOADING Redis is loading the dataset in memory',
  execAbort: 'EXECABORT Transaction discarded because of previous errors.',
  noProto: 'NOPROTO unsupported protocol version',
  stringTooLong: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)',
  bitOffset: 'ERR bit offset is not an integer or out of range',
  bitValue: 'ERR bit is not an integer or out of range',
  invalidCursor: 'ERR invalid cursor',
  oom: "OOM command not allowed when used memory > 'maxmemory'.",
  busyKey: 'BUSYKEY Target key name already exists.',
  offsetOutOfRange: 'ERR offset is out of range',
} as const;

/** `ERR wrong number of arguments for 'get' command` (subcommands are spelled 'config|get'). */
export function arityError(fullName: string): string {
  return "ERR wrong number of arguments for '" + fullName + "' command";
}

/**
 * Redis prints the name (at most 128 bytes) and then quoted arguments while the argument text
 * is shorter than 128 bytes, each cut to the remaining budget. Arguments are C strings there,
 * so each stops at its first NUL byte.
 */
export function unknownCommandError(name: Buffer, args: Buffer[], from: number): string {
  let list = '';
  for (let i = from; i < args.length && list.length < 128; i++) {
    list += "'" + cString(args[i]!, 128 - list.length) + "' ";
  }
  return sanitizeError("ERR unknown command '" + cString(name, 128) + "', with args beginning with: " + list);
}

export function unknownSubcommandError(sub: Buffer, container: string): string {
  return sanitizeError("ERR unknown subcommand '" + cString(sub, 128) + "'. Try " + container.toUpperCase() + ' HELP.');
}

export function invalidExpireError(cmd: string): string {
  return "ERR invalid expire time in '" + cmd + "' command";
}

/** Error replies must be one line: Redis replaces CR/LF in error texts with spaces. */
export function sanitizeError(text: string): string {
  if (text.indexOf('\r') < 0 && text.indexOf('\n') < 0) return text;
  return text.replace(/[\r\n]/g, ' ');
}

/** The bytes of `b` up to its first NUL and at most `max` bytes, as latin1 text. */
function cString(b: Buffer, max: number): string {
  let end = b.indexOf(0);
  if (end < 0) end = b.length;
  if (end > max) end = max;
  return b.toString('latin1', 0, end);
}

export const PROTO = {
  invalidMultibulk: 'Protocol error: invalid multibulk length',
  invalidBulk: 'Protocol error: invalid bulk length',
  bigMbulk: 'Protocol error: too big mbulk count string',
  bigBulk: 'Protocol error: too big bulk count string',
  bigInline: 'Protocol error: too big inline request',
  unbalancedQuotes: 'Protocol error: unbalanced quotes in request',
  unauthMultibulk: 'Protocol error: unauthenticated multibulk length',
  unauthBulk: 'Protocol error: unauthenticated bulk length',
} as const;

export function expectedDollarError(got: number): string {
  return "Protocol error: expected '$', got '" + String.fromCharCode(got) + "'";
}
