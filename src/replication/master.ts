/**
 * The replication state every node keeps (replication ids, stream offset, backlog) and the
 * master side: replicas attached with PSYNC/SYNC, the stream they receive, ACKs, WAIT,
 * pings and timeouts.
 *
 * The stream: every command the server propagates (server.propagate) is encoded once as RESP
 * (stream.ts), preceded by SELECT when its database differs from the last one emitted, appended
 * to the backlog and to the output of every online replica. A replica doing a full sync holds
 * the bytes produced after its snapshot point in `pending` until its snapshot has been sent.
 *
 * A replica node forwards the exact stream it receives from its own master (see replica.ts,
 * which calls feedRaw), so offsets and ids are the same along a chain.
 */

import { randomBytes } from 'node:crypto';
import type { Server } from '../server/server.js';
import type { Client } from '../server/client.js';
import { ClientFlag } from '../server/client.js';
import { ReplBacklog } from './backlog.js';
import { HeldStream } from './held.js';
import { encodeCommand, encodeSelect } from './stream.js';
import type { RdbStreamLoader } from './replica.js';

export const NULL_REPLID = '0000000000000000000000000000000000000000';

const PING = encodeCommand([Buffer.from('ping')]);
const GETACK = encodeCommand([Buffer.from('REPLCONF'), Buffer.from('GETACK'), Buffer.from('*')]);
/** Releasing a held stream: stop adding to the replica's output above this many queued bytes. */
const RELEASE_HIGH_WATER = 4 * 1024 * 1024;
/** While the replica's output is above that, look again after this many ms. */
const RELEASE_POLL_MS = 2;

export function randomReplId(): string {
  return randomBytes(20).toString('hex');
}

export type ReplicaPeerState = 'wait_bgsave' | 'send_bulk' | 'online';

/** A replica connected to this node (a client that sent PSYNC or SYNC). */
export class ReplicaPeer {
  readonly client: Client;
  state: ReplicaPeerState = 'wait_bgsave';
  listeningPort = 0;
  announcedIp: string | null = null;
  capaEof = false;
  capaPsync2 = false;
  /** Last offset the replica acknowledged, and when (ms). */
  ackOffset = 0;
  ackTime = Date.now();
  /** Stream bytes produced since this replica's snapshot point, held until the RDB is sent. */
  pending: HeldStream | null = null;
  pendingBytes = 0;
  /** After an EOF-marked RDB Redis waits for the replica's first ACK before streaming. */
  waitFirstAck = false;
  /** SYNC (not PSYNC): an old-style replica that never ACKs. */
  plainSync = false;
  /** REPLCONF rdb-only 1 (redis-cli --rdb): the connection wants the snapshot only. */
  rdbOnly = false;
  /** Cancels the snapshot transfer when the replica goes away. */
  abortTransfer: (() => void) | null = null;

  constructor(client: Client) {
    this.client = client;
  }

  /** The address INFO and ROLE show: REPLCONF ip-address, else the peer's address. */
  get ip(): string {
    if (this.announcedIp !== null) return this.announcedIp;
    const a = this.client.addr;
    const i = a.lastIndexOf(':');
    return i < 0 ? a : a.slice(0, i);
  }
}

interface WaitingClient {
  client: Client;
  numReplicas: number;
  offset: number;
  deadline: number;
}

/** Handshake settings a replica sent with REPLCONF before PSYNC. */
export interface ReplconfState {
  listeningPort: number;
  announcedIp: string | null;
  capaEof: boolean;
  capaPsync2: boolean;
  rdbOnly: boolean;
}

export class Replication {
  readonly server: Server;
  backlog: ReplBacklog | null = null;
  /** Offset of the last byte of the replication stream produced (master_repl_offset). */
  masterOffset = 0;
  /** second_repl_offset: up to where replId2's history is shared with ours. */
  secondOffset = -1;
  /** Database the stream is positioned on; -1 forces a SELECT before the next command. */
  lastEmittedDb = -1;
  readonly replicas = new Map<Client, ReplicaPeer>();
  /** REPLCONF settings of clients that have not sent PSYNC yet. */
  readonly handshakes = new Map<Client, ReplconfState>();
  /** Since when the node has had no replica (repl-backlog-ttl), ms. */
  noReplicasSince = Date.now();
  lastPingTime = 0;
  /** Clients blocked in WAIT. */
  readonly waiting: WaitingClient[] = [];
  private getackQueued = false;
  /** Offset right after the last write of each client (WAIT's target). */
  readonly clientWriteOffset = new WeakMap<Client, number>();
  /** When set (a replica node), the stream is the master's, forwarded as received. */
  forwardingOnly = false;
  /** Installed by fullsync.ts: starts sending a point-in-time snapshot to a replica. */
  startFullSync: ((peer: ReplicaPeer) => void) | null = null;
  /** Installed by the persistence layer: a loader for an RDB arriving from our master. */
  createLoader: ((totalLength: number) => RdbStreamLoader) | null = null;

  constructor(server: Server) {
    this.server = server;
  }

  get replId(): string {
    return this.server.replId;
  }

  set replId(v: string) {
    this.server.replId = v;
  }

  get replId2(): string {
    return this.server.replId2;
  }

  set replId2(v: string) {
    this.server.replId2 = v;
  }

  // -------------------------------------------------------------------------------------------
  // The stream

  /** server.propagate's sink: every propagated command goes into the stream. */
  propagate(dbIndex: number, argv: Buffer[]): void {
    if (this.forwardingOnly || this.backlog === null) return;
    this.feedCommand(dbIndex, argv);
  }

  /** After a command that propagated: WAIT's target offset for that client. */
  noteClientWrite(c: Client): void {
    if (this.backlog !== null) this.clientWriteOffset.set(c, this.masterOffset);
  }

  /** Appends one command to the stream; dbIndex -1 = no database (never emits SELECT). */
  feedCommand(dbIndex: number, argv: readonly Uint8Array[]): void {
    if (this.backlog === null) return;
    if (dbIndex >= 0 && dbIndex !== this.lastEmittedDb) {
      this.feedRaw(encodeSelect(dbIndex));
      this.lastEmittedDb = dbIndex;
    }
    this.feedRaw(encodeCommand(argv));
  }

  /** Appends stream bytes: offset, backlog, every replica. */
  feedRaw(bytes: Buffer): void {
    const backlog = this.backlog;
    if (backlog === null) return;
    this.masterOffset += bytes.length;
    backlog.append(bytes);
    for (const peer of this.replicas.values()) {
      if (peer.pending !== null) {
        peer.pending.append(bytes);
        peer.pendingBytes += bytes.length;
        if (this.server.outputBufferExceeded(peer.client, peer.pendingBytes + peer.client.outputBytes)) {
          this.server.log.warning(
            'Client ' + peer.client.describe() + ' scheduled to be closed ASAP for overcoming of output buffer limits.',
          );
          peer.client.close();
        }
        continue;
      }
      if (peer.state !== 'online' || peer.rdbOnly) continue;
      peer.client.reply.raw(bytes);
      peer.client.scheduleFlush();
    }
  }

  /**
   * The database the stream continues on after a snapshot (RDB aux repl-stream-db). A master
   * restates it with a SELECT before its next command anyway (lastEmittedDb is reset); a
   * chained replica (ReplicationManager) forwards its master's stream as is.
   */
  streamDb(): number {
    return 0;
  }

  /** Creates the backlog (and, as Redis does when the first replica arrives, a fresh id). */
  createBacklog(): void {
    if (this.backlog !== null) return;
    const size = this.server.config.getNumber('repl-backlog-size');
    // Redis changes the id when it creates a backlog on a master: the history before it is
    // not available to anyone, so nobody may claim to continue it.
    if (!this.server.isReplica) {
      this.replId = randomReplId();
      this.replId2 = NULL_REPLID;
      this.secondOffset = -1;
    }
    this.backlog = new ReplBacklog(size, this.masterOffset);
    this.lastEmittedDb = -1;
  }

  freeBacklog(): void {
    this.backlog = null;
  }

  /**
   * The dataset was discarded (a full sync started): no history describes it any more, so the
   * next PSYNC must ask for a full resync (Redis discards its cached master at this point).
   */
  forgetHistory(): void {
    this.replId = randomReplId();
    this.replId2 = NULL_REPLID;
    this.secondOffset = -1;
    this.masterOffset = 0;
    this.freeBacklog();
  }

  // -------------------------------------------------------------------------------------------
  // Master side: PSYNC / SYNC / REPLCONF

  handshakeState(c: Client): ReplconfState {
    let s = this.handshakes.get(c);
    if (s === undefined) {
      s = { listeningPort: 0, announcedIp: null, capaEof: false, capaPsync2: false, rdbOnly: false };
      this.handshakes.set(c, s);
    }
    return s;
  }

  /** Can `replid`/`offset` (first byte wanted) continue from our history? */
  canContinue(replid: string, offset: number): boolean {
    if (this.backlog === null) return false;
    if (replid !== this.replId && !(replid === this.replId2 && offset <= this.secondOffset)) return false;
    return this.backlog.covers(offset);
  }

  /** Turns `c` into a replica; returns its peer record. */
  attachReplica(c: Client, plainSync: boolean): ReplicaPeer {
    const peer = new ReplicaPeer(c);
    const hs = this.handshakes.get(c);
    if (hs !== undefined) {
      peer.listeningPort = hs.listeningPort;
      peer.announcedIp = hs.announcedIp;
      peer.capaEof = hs.capaEof;
      peer.capaPsync2 = hs.capaPsync2;
      peer.rdbOnly = hs.rdbOnly;
      this.handshakes.delete(c);
    }
    peer.plainSync = plainSync;
    c.flags |= ClientFlag.REPLICA;
    this.replicas.set(c, peer);
    return peer;
  }

  /** Partial resync: +CONTINUE and the backlog from `offset`. */
  continueReplica(peer: ReplicaPeer, offset: number): void {
    const c = peer.client;
    c.reply.raw(Buffer.from(peer.capaPsync2 ? '+CONTINUE ' + this.replId + '\r\n' : '+CONTINUE\r\n', 'latin1'));
    const tail = this.backlog!.readFrom(offset);
    if (tail.length > 0) c.reply.raw(tail);
    peer.state = 'online';
    peer.ackTime = Date.now();
    this.server.stats.syncPartialOk++;
    this.server.log.notice(
      'Partial resynchronization request from ' + peer.ip + ':' + peer.listeningPort + ' accepted. Sending ' + tail.length + ' bytes of backlog starting from offset ' + offset + '.',
    );
  }

  /** Called when a snapshot transfer finished: the held stream follows. */
  snapshotSent(peer: ReplicaPeer, eofFraming: boolean): void {
    const c = peer.client;
    if (peer.rdbOnly) {
      peer.pending = null;
      c.flags |= ClientFlag.CLOSE_AFTER_REPLY;
      c.scheduleFlush();
      return;
    }
    peer.state = 'online';
    peer.ackTime = Date.now();
    if (eofFraming) {
      // The replica detects the end of an EOF-marked payload by its last 40 bytes: nothing may
      // follow until it ACKs (replconfAck then releases the held stream).
      peer.waitFirstAck = true;
    } else {
      this.releasePending(peer);
    }
    this.server.log.notice('Synchronization with replica ' + peer.ip + ':' + peer.listeningPort + ' succeeded');
  }

  private releasePending(peer: ReplicaPeer): void {
    peer.waitFirstAck = false;
    this.drainHeld(peer);
  }

  /**
   * Moves the held stream into the replica's output a few MiB per turn (it can be tens of MB
   * after a sync under load; all at once stalled every client). What is produced meanwhile
   * keeps going to the held stream behind it, so the order is unchanged; once it is empty the
   * replica is fed directly.
   */
  private drainHeld(peer: ReplicaPeer): void {
    const held = peer.pending;
    const c = peer.client;
    if (held === null || c.closed || this.replicas.get(c) !== peer) return;
    while (c.outputBytes < RELEASE_HIGH_WATER) {
      const b = held.shift();
      if (b === null) break;
      c.reply.raw(b);
    }
    peer.pendingBytes = held.bytes;
    c.scheduleFlush();
    if (held.empty) {
      peer.pending = null;
      return;
    }
    setTimeout(() => this.drainHeld(peer), RELEASE_POLL_MS).unref();
  }

  /** REPLCONF ACK <offset> from a replica. */
  replconfAck(c: Client, offset: number): void {
    const peer = this.replicas.get(c);
    if (peer === undefined) return;
    if (offset > peer.ackOffset) peer.ackOffset = offset;
    peer.ackTime = Date.now();
    if (peer.waitFirstAck) this.releasePending(peer);
    if (this.waiting.length > 0) this.checkWaiting();
  }

  detachClient(c: Client): void {
    this.handshakes.delete(c);
    const peer = this.replicas.get(c);
    if (peer !== undefined) {
      this.replicas.delete(c);
      if (peer.abortTransfer !== null) peer.abortTransfer();
      this.server.log.notice('Connection with replica ' + peer.ip + ':' + peer.listeningPort + ' lost.');
      if (this.replicas.size === 0) this.noReplicasSince = Date.now();
    }
    const w = this.waiting;
    for (let i = w.length - 1; i >= 0; i--) if (w[i]!.client === c) w.splice(i, 1);
  }

  /** Replicas whose lag is within min-replicas-max-lag (INFO min_slaves_good_slaves). */
  goodReplicas(): number {
    const maxLag = this.server.config.getNumber('min-replicas-max-lag') * 1000;
    const now = Date.now();
    let n = 0;
    for (const p of this.replicas.values()) if (p.state === 'online' && now - p.ackTime <= maxLag) n++;
    return n;
  }

  // -------------------------------------------------------------------------------------------
  // WAIT

  ackedReplicas(offset: number): number {
    let n = 0;
    for (const p of this.replicas.values()) if (p.state === 'online' && p.ackOffset >= offset) n++;
    return n;
  }

  writeOffsetOf(c: Client): number {
    return this.clientWriteOffset.get(c) ?? 0;
  }

  /** Blocks `c` until `numReplicas` replicas acknowledged `offset`, or `deadline` (0 = never). */
  blockForAcks(c: Client, numReplicas: number, offset: number, deadline: number): void {
    c.flags |= ClientFlag.BLOCKED;
    this.waiting.push({ client: c, numReplicas, offset, deadline });
    this.requestAcks();
  }

  /** Queues one REPLCONF GETACK * for all waiters, sent at the end of this turn. */
  requestAcks(): void {
    if (this.getackQueued) return;
    this.getackQueued = true;
    setImmediate(() => {
      this.getackQueued = false;
      if (this.waiting.length > 0) this.feedRaw(GETACK);
    });
  }

  checkWaiting(): void {
    const now = Date.now();
    const w = this.waiting;
    for (let i = 0; i < w.length; i++) {
      const e = w[i]!;
      const acked = this.ackedReplicas(e.offset);
      if (acked >= e.numReplicas || (e.deadline !== 0 && now >= e.deadline) || e.client.closed) {
        w.splice(i--, 1);
        if (e.client.closed) continue;
        e.client.reply.integer(acked);
        this.unblock(e.client);
      }
    }
  }

  /** CLIENT UNBLOCK of a client blocked in WAIT. */
  unblockWaiting(c: Client, withError: boolean): boolean {
    const w = this.waiting;
    for (let i = 0; i < w.length; i++) {
      if (w[i]!.client !== c) continue;
      const e = w.splice(i, 1)[0]!;
      if (withError) c.reply.error('UNBLOCKED client unblocked via CLIENT UNBLOCK');
      else c.reply.integer(this.ackedReplicas(e.offset));
      this.unblock(c);
      return true;
    }
    return false;
  }

  private unblock(c: Client): void {
    c.flags &= ~ClientFlag.BLOCKED;
    c.flush();
    setImmediate(() => c.resumeProcessing());
  }

  // -------------------------------------------------------------------------------------------
  // Periodic work (called every 100 ms)

  tick(now: number): void {
    const cfg = this.server.config;
    if (this.replicas.size > 0 && !this.server.isReplica) {
      const period = cfg.getNumber('repl-ping-replica-period') * 1000;
      if (now - this.lastPingTime >= period) {
        this.lastPingTime = now;
        this.feedRaw(PING);
      }
    }
    const timeout = cfg.getNumber('repl-timeout') * 1000;
    for (const peer of this.replicas.values()) {
      if (peer.state === 'online' && !peer.plainSync && now - peer.ackTime > timeout) {
        this.server.log.warning('Disconnecting timedout replica (streaming sync): ' + peer.ip + ':' + peer.listeningPort);
        peer.client.close();
      }
    }
    if (this.waiting.length > 0) this.checkWaiting();
    // repl-backlog-ttl: a master without replicas frees its backlog after a while (and, as
    // Redis does, changes its id, since nobody can continue its history any more).
    const ttl = cfg.getNumber('repl-backlog-ttl') * 1000;
    if (this.backlog !== null && !this.server.isReplica && this.replicas.size === 0 && ttl > 0 && now - this.noReplicasSince > ttl) {
      this.replId = randomReplId();
      this.replId2 = NULL_REPLID;
      this.secondOffset = -1;
      this.freeBacklog();
      this.server.log.notice('Replication backlog freed after ' + ttl / 1000 + ' seconds without connected replicas.');
    }
  }

  // -------------------------------------------------------------------------------------------
  // INFO / ROLE

  /** The slaveN lines and counters common to both roles. */
  replicaLines(): string {
    let s = 'connected_slaves:' + this.replicas.size + '\r\n';
    const cfg = this.server.config;
    if (cfg.getNumber('min-replicas-to-write') > 0 && cfg.getNumber('min-replicas-max-lag') > 0) {
      s += 'min_slaves_good_slaves:' + this.goodReplicas() + '\r\n';
    }
    let i = 0;
    const now = Date.now();
    for (const p of this.replicas.values()) {
      const lag = p.state === 'online' ? Math.floor((now - p.ackTime) / 1000) : 0;
      s += 'slave' + i++ + ':ip=' + p.ip + ',port=' + p.listeningPort + ',state=' + p.state + ',offset=' + p.ackOffset + ',lag=' + lag + '\r\n';
    }
    return s;
  }

  historyLines(): string {
    const b = this.backlog;
    return (
      'master_failover_state:no-failover\r\n' +
      'master_replid:' + this.replId + '\r\n' +
      'master_replid2:' + this.replId2 + '\r\n' +
      'master_repl_offset:' + this.masterOffset + '\r\n' +
      'second_repl_offset:' + this.secondOffset + '\r\n' +
      'repl_backlog_active:' + (b !== null ? 1 : 0) + '\r\n' +
      'repl_backlog_size:' + this.server.config.getNumber('repl-backlog-size') + '\r\n' +
      'repl_backlog_first_byte_offset:' + (b !== null ? b.firstByteOffset : 0) + '\r\n' +
      'repl_backlog_histlen:' + (b !== null ? b.histlen : 0) + '\r\n'
    );
  }

  /** Shifts the history after a promotion: the old id stays valid up to the current offset. */
  shiftReplId(): void {
    this.replId2 = this.replId;
    this.secondOffset = this.masterOffset + 1;
    this.replId = randomReplId();
    this.server.log.notice(
      'Setting secondary replication ID to ' + this.replId2 + ', valid up to offset: ' + this.secondOffset + '. New replication ID is ' + this.replId,
    );
  }
}
