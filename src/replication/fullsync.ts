/**
 * Full synchronization, both directions.
 *
 * Master side: a replica that cannot continue gets `+FULLRESYNC <replid> <offset>` and a
 * point-in-time RDB produced by the forkless snapshot engine (persistence/snapshot.ts) while
 * clients keep writing: the stream bytes produced after the snapshot point are held for the
 * replica (ReplicaPeer.pending) and follow the RDB. With `capa eof` (every Redis since 2.8.18
 * and Damselfly) the RDB is streamed as it is produced with `$EOF:<mark>` framing, so neither
 * side ever holds the whole file; the walk pauses while the replica's socket is backed up.
 * Otherwise (`SYNC` from old tools) the RDB is collected and sent as `$<len>`.
 *
 * Replica side: an RdbReader feeding an RdbLoader that writes straight into the keyspace
 * (emptied when the payload starts). Keys already expired are kept: the master will DEL them.
 */

import { randomBytes } from 'node:crypto';
import type { Server } from '../server/server.js';
import { startSnapshot, snapshotInProgress } from '../persistence/snapshot.js';
import { RdbOutput, standardAux, writeHeader, writeTrailer } from '../persistence/rdb-writer.js';
import { RdbSnapshotConsumer, SnapshotRdbWriter } from '../persistence/snapshot-rdb.js';
import { RdbLoader } from '../persistence/rdb-loader.js';
import { RdbReader } from '../persistence/rdb-reader.js';
import { limitsFromConfig } from '../persistence/rdb-values.js';
import type { ReplicaPeer, Replication } from './master.js';
import { HeldStream } from './held.js';
import type { RdbStreamLoader } from './replica.js';

/** Bytes queued towards a replica above which the snapshot walk pauses. */
const SOCKET_HIGH_WATER = 8 * 1024 * 1024;
/** RDB bytes accumulated before they are handed to the replica's output. */
const CHUNK = 64 * 1024;

class ReplicaRdbConsumer extends RdbSnapshotConsumer {
  private readonly out: RdbOutput;
  protected readonly rdb: SnapshotRdbWriter;
  /** `$<len>` framing: the RDB collected until its length is known. */
  private readonly collected: Buffer[] | null;
  private readonly mark: Buffer | null;

  constructor(
    private readonly repl: Replication,
    private readonly peer: ReplicaPeer,
    offset: number,
  ) {
    super();
    const server = repl.server;
    const cfg = server.config;
    this.out = new RdbOutput({ version: 9, compression: cfg.getBool('rdbcompression'), checksum: cfg.getBool('rdbchecksum') });
    const c = peer.client;
    if (!peer.plainSync) c.reply.raw(Buffer.from('+FULLRESYNC ' + repl.replId + ' ' + offset + '\r\n', 'latin1'));
    if (peer.capaEof) {
      this.mark = Buffer.from(randomBytes(20).toString('hex'), 'latin1');
      this.collected = null;
      c.reply.raw(Buffer.concat([Buffer.from('$EOF:', 'latin1'), this.mark, Buffer.from('\r\n', 'latin1')]));
    } else {
      this.mark = null;
      this.collected = [];
    }
    c.scheduleFlush();
    peer.state = peer.capaEof ? 'send_bulk' : 'wait_bgsave';
    writeHeader(
      this.out,
      standardAux({ replStreamDb: repl.streamDb(), replId: repl.replId, replOffset: offset, usedMem: process.memoryUsage().rss }),
    );
    this.rdb = new SnapshotRdbWriter(this.out, { flush: (b) => this.emit(b), chunk: CHUNK, meta: null });
  }

  private emit(b: Buffer): void {
    if (this.collected !== null) {
      this.collected.push(b);
      return;
    }
    const c = this.peer.client;
    if (c.closed) return;
    c.reply.raw(b);
    c.scheduleFlush();
  }

  shouldYield(): boolean {
    const c = this.peer.client;
    return this.collected === null && c.outputBytes > SOCKET_HIGH_WATER;
  }

  onDone(): void {
    const out = this.out;
    writeTrailer(out);
    this.emit(out.take());
    const c = this.peer.client;
    if (c.closed) return;
    if (this.collected !== null) {
      let total = 0;
      for (const b of this.collected) total += b.length;
      c.reply.raw(Buffer.from('$' + total + '\r\n', 'latin1'));
      for (const b of this.collected) c.reply.raw(b);
    } else {
      c.reply.raw(this.mark!);
    }
    this.peer.abortTransfer = null;
    this.repl.snapshotSent(this.peer, this.collected === null);
    c.scheduleFlush();
  }

  onAbort(reason: string): void {
    this.peer.abortTransfer = null;
    this.repl.server.log.warning('Full synchronization of replica ' + this.peer.ip + ':' + this.peer.listeningPort + ' aborted: ' + reason);
    this.peer.client.close();
  }
}

/** Replicas waiting for the snapshot in progress to end before theirs can start. */
const waitingPeers = new WeakMap<Server, ReplicaPeer[]>();

function startPeerSync(repl: Replication, peer: ReplicaPeer): void {
  const server = repl.server;
  if (peer.client.closed) return;
  const current = snapshotInProgress(server);
  const offset = repl.masterOffset;
  // The snapshot point: bytes produced from now on are held for this replica, and the stream
  // must restate the database before its first command.
  const start = (): ReplicaRdbConsumer => {
    peer.pending = new HeldStream();
    peer.pendingBytes = 0;
    repl.lastEmittedDb = -1;
    return new ReplicaRdbConsumer(repl, peer, offset);
  };
  if (current !== null) {
    if (current.running && current.stats.serialized === 0) {
      const consumer = start();
      if (current.attach(consumer)) {
        peer.abortTransfer = () => current.detach(consumer);
        return;
      }
    }
    // Wait for the running snapshot (a BGSAVE or another replica's sync) to end.
    let q = waitingPeers.get(server);
    if (q === undefined) waitingPeers.set(server, (q = []));
    q.push(peer);
    peer.state = 'wait_bgsave';
    return;
  }
  const consumer = start();
  const snap = startSnapshot(server, consumer);
  peer.abortTransfer = () => snap.detach(consumer);
  const wake = (): void => {
    if (snap.running) {
      setTimeout(wake, 5).unref();
      return;
    }
    resumeWaitingFullSyncs(server);
  };
  setTimeout(wake, 5).unref();
}

/**
 * Starts the full syncs of replicas that waited for the snapshot in progress (one started by
 * another replica, or a BGSAVE: the persistence layer calls this when its snapshot ends).
 */
export function resumeWaitingFullSyncs(server: Server): void {
  const q = waitingPeers.get(server);
  if (q === undefined || q.length === 0) return;
  const repl = server.replication;
  const next = q.splice(0);
  for (const p of next) if (repl.replicas.get(p.client) === p) startPeerSync(repl, p);
}

/** An RDB arriving from our master, loaded as it streams in. */
class ReplicaStreamLoader implements RdbStreamLoader {
  private readonly reader: RdbReader;
  private readonly loader: RdbLoader;
  streamDb = 0;

  constructor(server: Server, totalLength: number) {
    this.loader = new RdbLoader(server.keyspace, {
      limits: limitsFromConfig(server.config),
      dropExpired: false,
      onAux: (name, value) => {
        if (name === 'repl-stream-db') {
          const n = Number(value.toString('latin1'));
          if (Number.isInteger(n) && n >= 0) this.streamDb = n;
        }
      },
    });
    this.reader = new RdbReader(this.loader, {
      totalLength: totalLength >= 0 ? totalLength : undefined,
      maxStringLength: server.config.getNumber('proto-max-bulk-len'),
    });
  }

  feed(chunk: Buffer): void {
    this.reader.feed(chunk);
  }

  finish(): void {
    this.reader.end();
    if (!this.reader.done) throw new Error('the RDB payload ended before its EOF record');
  }
}

export function installFullSync(repl: Replication): void {
  repl.startFullSync = (peer) => startPeerSync(repl, peer);
  repl.createLoader = (totalLength) => new ReplicaStreamLoader(repl.server, totalLength);
}
