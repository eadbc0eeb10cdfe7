/**
 * Replication commands: REPLICAOF / SLAVEOF, ROLE, REPLCONF, PSYNC, SYNC, WAIT.
 * The state they act on lives in src/replication/.
 */

import type { Client } from '../server/client.js';
import { ClientFlag } from '../server/client.js';
import { ERR } from '../protocol/errors.js';
import { parseI64 } from '../util/numbers.js';
import { argIs } from './connection.js';
import type { CommandSpec } from './spec.js';
import { startTakeover } from '../replication/takeover.js';

const NO_KEYS = { firstKey: 0, lastKey: 0, step: 0 } as const;
const ADMIN_SLOW = ['admin', 'slow', 'dangerous'];

const ERR_INVALID_PORT = 'ERR Invalid master port';
const ERR_WAIT_REPLICA =
  'ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.';
const ERR_NOMASTERLINK = "NOMASTERLINK Can't SYNC while not connected with my master";

function intArg(b: Buffer): number | null {
  const v = parseI64(b);
  if (v === null || typeof v === 'bigint') return null;
  return v;
}

function replicaofCommand(c: Client, argv: Buffer[]): void {
  const repl = c.server.replication;
  if (argIs(argv[1]!, 'no') && argIs(argv[2]!, 'one')) {
    repl.becomeMaster(c);
    c.reply.ok();
    return;
  }
  if ((c.flags & ClientFlag.REPLICA) !== 0) {
    c.reply.error('ERR Command is not valid when client is a replica.');
    return;
  }
  const port = intArg(argv[2]!);
  if (port === null || port < 0 || port > 65535) {
    c.reply.error(ERR_INVALID_PORT);
    return;
  }
  const host = argv[1]!.toString('latin1');
  const link = repl.link;
  if (c.server.isReplica && link !== null && link.host === host && link.port === port) {
    c.reply.simple('OK Already connected to specified master');
    return;
  }
  repl.becomeReplica(host, port, c);
  c.reply.ok();
}

function roleCommand(c: Client): void {
  const server = c.server;
  const repl = server.replication;
  const r = c.reply;
  const link = repl.link;
  if (server.isReplica && link !== null) {
    r.arrayLen(5);
    r.bulkStr('slave');
    r.bulkStr(link.host);
    r.integer(link.port);
    r.bulkStr(link.state);
    r.integer(link.linkUp ? repl.masterOffset : -1);
    return;
  }
  r.arrayLen(3);
  r.bulkStr('master');
  r.integer(repl.masterOffset);
  r.arrayLen(repl.replicas.size);
  for (const p of repl.replicas.values()) {
    r.arrayLen(3);
    r.bulkStr(p.ip);
    r.bulkStr(String(p.listeningPort));
    r.bulkStr(String(p.ackOffset));
  }
}

function replconfCommand(c: Client, argv: Buffer[]): void {
  if (argv.length % 2 === 0) {
    c.reply.error(ERR.syntax);
    return;
  }
  const repl = c.server.replication;
  for (let i = 1; i < argv.length; i += 2) {
    const opt = argv[i]!;
    const val = argv[i + 1]!;
    if (argIs(opt, 'ack')) {
      // Sent by a replica on its link: never answered.
      if ((c.flags & ClientFlag.REPLICA) === 0) return;
      const off = parseI64(val);
      if (off !== null) repl.replconfAck(c, Number(off));
      return;
    }
    if (argIs(opt, 'getack')) return; // only meaningful on a replica's master link
    const hs = repl.handshakeState(c);
    if (argIs(opt, 'listening-port')) {
      const port = intArg(val);
      if (port === null) {
        c.reply.error(ERR.notInteger);
        return;
      }
      hs.listeningPort = port;
    } else if (argIs(opt, 'ip-address')) {
      hs.announcedIp = val.toString('latin1');
    } else if (argIs(opt, 'capa')) {
      if (argIs(val, 'eof')) hs.capaEof = true;
      else if (argIs(val, 'psync2')) hs.capaPsync2 = true;
    } else if (argIs(opt, 'rdb-only')) {
      const v = intArg(val);
      if (v === null || (v !== 0 && v !== 1)) {
        c.reply.error(ERR.notInteger);
        return;
      }
      hs.rdbOnly = v === 1;
    } else if (argIs(opt, 'rdb-filter-only')) {
      // Accepted for redis-cli; every snapshot we send is the full dataset.
    } else {
      c.reply.error('ERR Unrecognized REPLCONF option: ' + opt.toString('latin1'));
      return;
    }
  }
  c.reply.ok();
}

function syncPreconditions(c: Client): boolean {
  if ((c.flags & ClientFlag.REPLICA) !== 0) return false;
  const server = c.server;
  const link = server.replication.link;
  if (server.isReplica && (link === null || !link.linkUp)) {
    c.reply.error(ERR_NOMASTERLINK);
    return false;
  }
  return true;
}

function psyncCommand(c: Client, argv: Buffer[]): void {
  if (!syncPreconditions(c)) return;
  const repl = c.server.replication;
  const off = parseI64(argv[2]!);
  if (off === null) {
    c.reply.error(ERR.notInteger);
    return;
  }
  const id = argv[1]!.toString('latin1');
  const offset = Number(off);
  if (id !== '?' && repl.canContinue(id, offset)) {
    const peer = repl.attachReplica(c, false);
    repl.continueReplica(peer, offset);
    return;
  }
  if (id !== '?') c.server.stats.syncPartialErr++;
  fullResync(c, false);
}

function syncCommand(c: Client): void {
  if (!syncPreconditions(c)) return;
  fullResync(c, true);
}

function fullResync(c: Client, plainSync: boolean): void {
  const server = c.server;
  const repl = server.replication;
  const start = repl.startFullSync;
  if (start === null) {
    c.reply.error('ERR full synchronization is not available');
    return;
  }
  repl.createBacklog();
  const peer = repl.attachReplica(c, plainSync);
  server.stats.syncFull++;
  server.log.notice('Replica ' + peer.ip + ':' + peer.listeningPort + ' asks for synchronization');
  start(peer);
}

function waitCommand(c: Client, argv: Buffer[]): void {
  const server = c.server;
  if (server.isReplica) {
    c.reply.error(ERR_WAIT_REPLICA);
    return;
  }
  const n = intArg(argv[1]!);
  if (n === null) {
    c.reply.error(ERR.notInteger);
    return;
  }
  const timeout = parseI64(argv[2]!);
  if (timeout === null) {
    c.reply.error('ERR timeout is not an integer or out of range');
    return;
  }
  if (timeout < 0) {
    c.reply.error('ERR timeout is negative');
    return;
  }
  const repl = server.replication;
  const offset = repl.writeOffsetOf(c);
  const acked = repl.ackedReplicas(offset);
  if (acked >= n || (c.flags & ClientFlag.MULTI) !== 0) {
    c.reply.integer(acked);
    return;
  }
  repl.blockForAcks(c, n, offset, timeout === 0 || timeout === 0n ? 0 : Date.now() + Number(timeout));
}

/** REPLTAKEOVER <timeout seconds> [SAVE] (Damselfly, as in Dragonfly): see replication/takeover.ts. */
function repltakeoverCommand(c: Client, argv: Buffer[]): void {
  const secs = Number(argv[1]!.toString('latin1'));
  if (argv[1]!.length === 0 || !Number.isFinite(secs) || secs <= 0) {
    c.reply.error('ERR timeout is not a positive number of seconds');
    return;
  }
  let save = false;
  if (argv.length === 3 && argIs(argv[2]!, 'save')) save = true;
  else if (argv.length !== 2) {
    c.reply.error(ERR.syntax);
    return;
  }
  startTakeover(c.server.replication, c, Math.round(secs * 1000), save);
}

export const replicationCommands: CommandSpec[] = [
  {
    name: 'replicaof',
    arity: 3,
    flags: ['admin', 'noscript', 'stale', 'no_async_loading'],
    ...NO_KEYS,
    acl: ADMIN_SLOW,
    handler: replicaofCommand,
  },
  {
    name: 'slaveof',
    arity: 3,
    flags: ['admin', 'noscript', 'stale', 'no_async_loading'],
    ...NO_KEYS,
    acl: ADMIN_SLOW,
    handler: replicaofCommand,
  },
  {
    name: 'role',
    arity: 1,
    flags: ['noscript', 'loading', 'stale', 'fast'],
    ...NO_KEYS,
    acl: ['admin', 'fast', 'dangerous'],
    handler: roleCommand,
  },
  {
    name: 'replconf',
    arity: -1,
    flags: ['admin', 'noscript', 'loading', 'stale', 'allow_busy'],
    ...NO_KEYS,
    acl: ADMIN_SLOW,
    handler: replconfCommand,
  },
  {
    name: 'psync',
    arity: -3,
    flags: ['admin', 'noscript', 'no_async_loading', 'no_multi'],
    ...NO_KEYS,
    acl: ADMIN_SLOW,
    handler: psyncCommand,
  },
  {
    name: 'sync',
    arity: 1,
    flags: ['admin', 'noscript', 'no_async_loading', 'no_multi'],
    ...NO_KEYS,
    acl: ADMIN_SLOW,
    handler: syncCommand,
  },
  {
    name: 'wait',
    arity: 3,
    flags: ['noscript'],
    ...NO_KEYS,
    acl: ['slow', 'connection'],
    tips: ['request_policy:all_shards', 'response_policy:agg_min'],
    handler: waitCommand,
  },
  {
    name: 'repltakeover',
    arity: -2,
    flags: ['admin', 'noscript', 'stale'],
    ...NO_KEYS,
    acl: ADMIN_SLOW,
    handler: repltakeoverCommand,
  },
];
