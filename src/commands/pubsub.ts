/**
 * Pub/Sub commands: (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PUBLISH, SPUBLISH and PUBSUB's
 * subcommands. The state and delivery live in server/pubsub.ts.
 *
 * Replies follow Redis 7.0: one `[kind, channel, count]` frame per channel (a push frame in
 * RESP3, a plain array in RESP2); an unsubscribe with no argument while nothing is subscribed
 * still answers one frame with a null channel. PUBLISH and SPUBLISH always reach replicas (Redis
 * forces their propagation even when nobody receives the message).
 */

import type { Client } from '../server/client.js';
import { ReplyMode } from '../server/client.js';
import { compileGlob } from '../store/glob.js';
import { sanitizeError } from '../protocol/errors.js';
import { cArg } from './connection.js';
import type { CommandSpec } from './spec.js';

const W_SUBSCRIBE = Buffer.from('subscribe');
const W_UNSUBSCRIBE = Buffer.from('unsubscribe');
const W_PSUBSCRIBE = Buffer.from('psubscribe');
const W_PUNSUBSCRIBE = Buffer.from('punsubscribe');
const W_SSUBSCRIBE = Buffer.from('ssubscribe');
const W_SUNSUBSCRIBE = Buffer.from('sunsubscribe');

/** `[kind, channel|null, count]` as a push (RESP3) or array (RESP2). */
function confirm(c: Client, kind: Buffer, channel: Buffer | null, count: number): void {
  if (c.replyMode !== ReplyMode.ON) c.pushReply = true;
  const r = c.reply;
  r.pushLen(3);
  r.bulk(kind);
  if (channel === null) r.nullBulk();
  else r.bulk(channel);
  r.integer(count);
}

function subscribeCommand(c: Client, argv: Buffer[]): void {
  const ps = c.server.pubsub;
  for (let i = 1; i < argv.length; i++) {
    ps.subscribe(c, argv[i]!, false);
    confirm(c, W_SUBSCRIBE, argv[i]!, ps.subscriptionCount(c));
  }
}

function ssubscribeCommand(c: Client, argv: Buffer[]): void {
  const ps = c.server.pubsub;
  for (let i = 1; i < argv.length; i++) {
    ps.subscribe(c, argv[i]!, true);
    confirm(c, W_SSUBSCRIBE, argv[i]!, ps.shardCount(c));
  }
}

function psubscribeCommand(c: Client, argv: Buffer[]): void {
  const ps = c.server.pubsub;
  for (let i = 1; i < argv.length; i++) {
    ps.psubscribe(c, argv[i]!);
    confirm(c, W_PSUBSCRIBE, argv[i]!, ps.subscriptionCount(c));
  }
}

/** UNSUBSCRIBE / SUNSUBSCRIBE / PUNSUBSCRIBE: the named ones, or every one when none is named. */
function unsubscribeGeneric(c: Client, argv: Buffer[], kind: 'channel' | 'shard' | 'pattern'): void {
  const ps = c.server.pubsub;
  const word = kind === 'channel' ? W_UNSUBSCRIBE : kind === 'shard' ? W_SUNSUBSCRIBE : W_PUNSUBSCRIBE;
  const count = (): number => (kind === 'shard' ? ps.shardCount(c) : ps.subscriptionCount(c));
  const drop = (name: string): void => {
    if (kind === 'pattern') ps.punsubscribe(c, name);
    else ps.unsubscribe(c, name, kind === 'shard');
  };
  if (argv.length > 1) {
    for (let i = 1; i < argv.length; i++) {
      drop(argv[i]!.toString('latin1'));
      confirm(c, word, argv[i]!, count());
    }
  } else {
    const subs = ps.subsOf(c);
    const names = subs === undefined ? [] : [...(kind === 'channel' ? subs.channels : kind === 'shard' ? subs.shard : subs.patterns)];
    if (names.length === 0) {
      confirm(c, word, null, count());
    } else {
      for (const name of names) {
        drop(name);
        confirm(c, word, Buffer.from(name, 'latin1'), count());
      }
    }
  }
  ps.settle(c);
}

function unsubscribeCommand(c: Client, argv: Buffer[]): void {
  unsubscribeGeneric(c, argv, 'channel');
}

function sunsubscribeCommand(c: Client, argv: Buffer[]): void {
  unsubscribeGeneric(c, argv, 'shard');
}

function punsubscribeCommand(c: Client, argv: Buffer[]): void {
  unsubscribeGeneric(c, argv, 'pattern');
}

function publishCommand(c: Client, argv: Buffer[]): void {
  const n = c.server.pubsub.publish(argv[1]!, argv[2]!, false);
  c.forcePropagate = true;
  c.reply.integer(n);
}

function spublishCommand(c: Client, argv: Buffer[]): void {
  const n = c.server.pubsub.publish(argv[1]!, argv[2]!, true);
  c.forcePropagate = true;
  c.reply.integer(n);
}

// ---------------------------------------------------------------------------------------------
// PUBSUB

function pubsubSyntaxError(c: Client, sub: Buffer): void {
  c.reply.error(sanitizeError("ERR unknown subcommand or wrong number of arguments for '" + cArg(sub, 128) + "'. Try PUBSUB HELP."));
}

/** PUBSUB CHANNELS / SHARDCHANNELS [pattern]: active channels (any order, like Redis's dict). */
function listChannels(c: Client, argv: Buffer[], table: Map<string, Set<Client>>): void {
  if (argv.length > 3) {
    pubsubSyntaxError(c, argv[1]!);
    return;
  }
  // No "*" shortcut here (unlike KEYS): like Redis, "*" does not match the empty channel name.
  const glob = argv.length === 3 ? compileGlob(argv[2]!) : null;
  const out: Buffer[] = [];
  for (const name of table.keys()) {
    const b = Buffer.from(name, 'latin1');
    if (glob === null || glob.match(b)) out.push(b);
  }
  c.reply.arrayLen(out.length);
  for (const b of out) c.reply.bulk(b);
}

function pubsubChannelsCommand(c: Client, argv: Buffer[]): void {
  listChannels(c, argv, c.server.pubsub.channels);
}

function pubsubShardchannelsCommand(c: Client, argv: Buffer[]): void {
  listChannels(c, argv, c.server.pubsub.shardChannels);
}

/** NUMSUB / SHARDNUMSUB: a flat [channel, count, ...] array in both protocols (as 7.0). */
function numsub(c: Client, argv: Buffer[], table: Map<string, Set<Client>>): void {
  c.reply.arrayLen((argv.length - 2) * 2);
  for (let i = 2; i < argv.length; i++) {
    c.reply.bulk(argv[i]!);
    c.reply.integer(table.get(argv[i]!.toString('latin1'))?.size ?? 0);
  }
}

function pubsubNumsubCommand(c: Client, argv: Buffer[]): void {
  numsub(c, argv, c.server.pubsub.channels);
}

function pubsubShardnumsubCommand(c: Client, argv: Buffer[]): void {
  numsub(c, argv, c.server.pubsub.shardChannels);
}

function pubsubNumpatCommand(c: Client): void {
  c.reply.integer(c.server.pubsub.patterns.size);
}

const PUBSUB_HELP = [
  'PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CHANNELS [<pattern>]',
  "    Return the currently active channels matching a <pattern> (default: '*').",
  'NUMPAT',
  '    Return number of subscriptions to patterns.',
  'NUMSUB [<channel> ...]',
  '    Return the number of subscribers for the specified channels, excluding',
  '    pattern subscriptions(default: no channels).',
  'SHARDCHANNELS [<pattern>]',
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  'SHARDNUMSUB [<shardchannel> ...]',
  '    Return the number of subscribers for the specified shard level channel(s)',
  'HELP',
  '    Prints this help.',
];

function pubsubHelpCommand(c: Client): void {
  c.reply.arrayLen(PUBSUB_HELP.length);
  for (const line of PUBSUB_HELP) c.reply.simple(line);
}

// ---------------------------------------------------------------------------------------------

const NO_KEYS = { firstKey: 0, lastKey: 0, step: 0 } as const;
const SUB_FLAGS: CommandSpec['flags'] = ['pubsub', 'noscript', 'loading', 'stale'];
const SUB_ACL = ['pubsub', 'slow'];
const NOT_KEY_SPEC = (lastkey: number): NonNullable<CommandSpec['keySpecs']> => [
  { flags: ['not_key'], begin: { index: 1 }, find: { range: { lastkey, step: 1, limit: 0 } } },
];

function pubsubSub(name: string, arity: number, handler: CommandSpec['handler']): CommandSpec {
  return { name, arity, flags: ['pubsub', 'loading', 'stale'], ...NO_KEYS, acl: ['pubsub', 'slow'], handler };
}

export const pubsubCommands: CommandSpec[] = [
  { name: 'subscribe', arity: -2, flags: SUB_FLAGS, ...NO_KEYS, acl: SUB_ACL, handler: subscribeCommand },
  { name: 'psubscribe', arity: -2, flags: SUB_FLAGS, ...NO_KEYS, acl: SUB_ACL, handler: psubscribeCommand },
  { name: 'unsubscribe', arity: -1, flags: SUB_FLAGS, ...NO_KEYS, acl: SUB_ACL, handler: unsubscribeCommand },
  { name: 'punsubscribe', arity: -1, flags: SUB_FLAGS, ...NO_KEYS, acl: SUB_ACL, handler: punsubscribeCommand },
  {
    name: 'ssubscribe',
    arity: -2,
    flags: SUB_FLAGS,
    firstKey: 1,
    lastKey: -1,
    step: 1,
    acl: SUB_ACL,
    keySpecs: NOT_KEY_SPEC(-1),
    handler: ssubscribeCommand,
  },
  {
    name: 'sunsubscribe',
    arity: -1,
    flags: SUB_FLAGS,
    firstKey: 1,
    lastKey: -1,
    step: 1,
    acl: SUB_ACL,
    keySpecs: NOT_KEY_SPEC(-1),
    handler: sunsubscribeCommand,
  },
  {
    // may_replicate: never shown by 7.0's COMMAND INFO, but it is why CLIENT PAUSE WRITE holds
    // PUBLISH and why PUBLISH reaches replicas.
    name: 'publish',
    arity: 3,
    flags: ['pubsub', 'loading', 'stale', 'fast', 'may_replicate'],
    ...NO_KEYS,
    acl: ['pubsub', 'fast'],
    handler: publishCommand,
  },
  {
    name: 'spublish',
    arity: 3,
    flags: ['pubsub', 'loading', 'stale', 'fast', 'may_replicate'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ['pubsub', 'fast'],
    keySpecs: NOT_KEY_SPEC(0),
    handler: spublishCommand,
  },
  {
    name: 'pubsub',
    arity: -2,
    flags: [],
    ...NO_KEYS,
    acl: ['slow'],
    subcommands: [
      pubsubSub('channels', -2, pubsubChannelsCommand),
      pubsubSub('numpat', 2, pubsubNumpatCommand),
      pubsubSub('numsub', -2, pubsubNumsubCommand),
      pubsubSub('shardchannels', -2, pubsubShardchannelsCommand),
      pubsubSub('shardnumsub', -2, pubsubShardnumsubCommand),
      { name: 'help', arity: 2, flags: ['loading', 'stale'], ...NO_KEYS, acl: ['slow'], handler: pubsubHelpCommand },
    ],
  },
];
