/**
 * The replica side: the link to our master (a Damselfly node or a real Redis 6.2–7.2).
 *
 *   connect → PING → [AUTH] + REPLCONF listening-port + [ip-address] + capa eof psync2
 *           → PSYNC <replid> <offset+1> | PSYNC ? -1
 *           → +CONTINUE: stream            +FULLRESYNC id off: RDB ($<len> or $EOF:<mark>) → stream
 *
 * The RDB is loaded as it arrives (never buffered whole). The old dataset is dropped when the
 * payload starts (never before the new master answered); a failed load leaves an empty dataset
 * and the link retries. The stream is applied through a fake client flagged MASTER (it sees
 * logically expired keys and bypasses read-only), the applied offset advances per complete
 * command (at EXEC for a transaction), and the same bytes are forwarded to our own replicas so
 * offsets are equal along a chain. Any failure closes the socket and reconnects with a short,
 * capped backoff; the replication id and offset are kept so the next attempt can continue
 * with a partial resync.
 */

import * as net from 'node:net';
import type { Server } from '../server/server.js';
import type { Client } from '../server/client.js';
import { ClientFlag } from '../server/client.js';
import { RequestParser, type ParserLimits } from '../protocol/request-parser.js';
import { processCommand } from '../server/dispatch.js';
import type { Replication } from './master.js';
import { NULL_REPLID } from './master.js';
import { encodeCommand } from './stream.js';

export type LinkState = 'connect' | 'connecting' | 'handshake' | 'sync' | 'connected';

/** What a replica needs to load an RDB as it streams in (installed by the persistence layer). */
export interface RdbStreamLoader {
  /** Parses and applies more RDB bytes; throws on corrupt input. */
  feed(chunk: Buffer): void;
  /** The payload ended: verifies it is complete (EOF opcode, checksum); throws otherwise. */
  finish(): void;
  /** Stream database selected by the RDB's repl-stream-db aux field, if any. */
  readonly streamDb: number;
}

type Phase = 'ping' | 'handshake' | 'psync' | 'bulk-header' | 'bulk' | 'stream';

const EOF_MARK_LEN = 40;
const LF = 0x0a;

export class ReplicaLink {
  readonly host: string;
  readonly port: number;
  state: LinkState = 'connect';
  private readonly server: Server;
  private readonly repl: Replication;
  private socket: net.Socket | null = null;
  private phase: Phase = 'ping';
  private inbuf: Buffer = Buffer.alloc(0);
  private handshakeReplies: string[] = [];
  private masterClient: Client;
  private parser = new RequestParser();
  private readonly limits: ParserLimits;
  private loader: RdbStreamLoader | null = null;
  /** $<len> payload: bytes still expected; EOF-marked payload: -1 and `eofMark` set. */
  private bulkLeft = 0;
  private eofMark: Buffer | null = null;
  /** EOF framing: the last bytes received, held back until we know they are not the marker. */
  private eofTail: Buffer = Buffer.alloc(0);
  transferSize = -1;
  transferRead = 0;
  lastIo = 0;
  /** When the link went down (ms), 0 while it is up or never was. */
  downSince: number;
  /** Bytes of the stream received but not yet applied (a MULTI being queued). */
  private multiBytes: Buffer[] = [];
  readOffset = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelay = 0;
  private lastAckSent = 0;
  private closed = false;
  /** The link was up at least once (INFO shows -1 down-since before that). */
  everUp = false;
  /** Offset of the initial FULLRESYNC (the stream continues from there). */
  private fullSyncId = '';
  private fullSyncOffset = 0;
  private readonly sinkFn: (argv: Buffer[]) => boolean;

  constructor(server: Server, repl: Replication, host: string, port: number) {
    this.server = server;
    this.repl = repl;
    this.host = host;
    this.port = port;
    this.downSince = Date.now();
    this.masterClient = this.newMasterClient();
    this.limits = { maxBulkLen: Number.MAX_SAFE_INTEGER, unauthenticated: false };
    this.sinkFn = (argv) => this.applyCommand(argv);
    this.readOffset = repl.masterOffset;
  }

  private newMasterClient(): Client {
    const c = this.server.createInternalClient();
    c.flags |= ClientFlag.MASTER;
    return c;
  }

  /** Our address on the link (what the master sees), for REPLTAKEOVER. */
  get localAddress(): string {
    const a = this.socket?.localAddress ?? '127.0.0.1';
    return a.startsWith('::ffff:') ? a.slice(7) : a;
  }

  get linkUp(): boolean {
    return this.state === 'connected';
  }

  get syncInProgress(): boolean {
    return this.state === 'sync';
  }

  /** The client applying the stream (CLIENT LIST shows it with flag M). */
  get client(): Client {
    return this.masterClient;
  }

  start(): void {
    this.connect();
  }

  /** Stops the link for good (REPLICAOF NO ONE or another master). */
  stop(): void {
    this.closed = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.dropSocket();
    if (this.state === 'sync') this.abortLoad('replication stopped');
    this.masterClient.flags &= ~ClientFlag.MULTI;
    this.server.unlinkClient(this.masterClient);
  }

  private connect(): void {
    if (this.closed) return;
    this.state = 'connecting';
    this.phase = 'ping';
    this.inbuf = Buffer.alloc(0);
    this.lastIo = Date.now();
    this.server.log.notice('Connecting to MASTER ' + this.host + ':' + this.port);
    const s = net.connect({ host: this.host, port: this.port });
    this.socket = s;
    s.setNoDelay(true);
    s.on('connect', () => {
      if (this.socket !== s) return;
      this.server.log.notice('MASTER <-> REPLICA sync started');
      this.state = 'handshake';
      this.lastIo = Date.now();
      s.write(encodeCommand([Buffer.from('PING')]));
    });
    s.on('data', (chunk: Buffer) => {
      if (this.socket !== s) return;
      this.lastIo = Date.now();
      try {
        this.onData(chunk);
      } catch (err) {
        this.fail(err instanceof Error ? err.message : String(err));
      }
    });
    s.on('error', (err) => {
      if (this.socket !== s) return;
      this.fail('Error condition on socket for SYNC: ' + err.message);
    });
    s.on('close', () => {
      if (this.socket !== s) return;
      this.fail('Connection with master lost');
    });
  }

  /** Closes the connection after an error and schedules a reconnect. */
  fail(reason: string): void {
    if (this.closed) return;
    const wasUp = this.state === 'connected';
    this.server.log.warning(wasUp ? 'Connection with master lost: ' + reason : 'Replication link failure: ' + reason);
    this.dropSocket();
    if (this.state === 'sync') this.abortLoad(reason);
    // A half-received transaction is discarded: the master resends it after a partial resync.
    this.multiBytes = [];
    if ((this.masterClient.flags & ClientFlag.MULTI) !== 0) {
      for (const h of this.server.resetHooks) h(this.masterClient);
      this.masterClient.flags &= ~(ClientFlag.MULTI | ClientFlag.DIRTY_EXEC);
    }
    if (wasUp) this.downSince = Date.now();
    this.state = 'connect';
    this.scheduleReconnect();
  }

  private dropSocket(): void {
    const s = this.socket;
    this.socket = null;
    if (s !== null) s.destroy();
    this.parser = new RequestParser();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retryTimer !== null) return;
    // First retry quickly, then back off up to one second (Redis retries from its 1 Hz cron).
    this.retryDelay = this.retryDelay === 0 ? 100 : Math.min(1000, this.retryDelay * 2);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, this.retryDelay);
    this.retryTimer.unref();
  }

  private send(argv: string[]): void {
    this.socket?.write(encodeCommand(argv.map((a) => Buffer.from(a, 'latin1'))));
  }

  // -------------------------------------------------------------------------------------------
  // Input

  private onData(chunk: Buffer): void {
    if (this.phase === 'stream') {
      this.feedStream(chunk);
      return;
    }
    if (this.phase === 'bulk') {
      this.feedBulk(chunk);
      return;
    }
    this.inbuf = this.inbuf.length === 0 ? chunk : Buffer.concat([this.inbuf, chunk]);
    this.processLines();
  }

  /** Handshake phases: one reply line at a time. */
  private processLines(): void {
    while (this.socket !== null && (this.phase === 'ping' || this.phase === 'handshake' || this.phase === 'psync' || this.phase === 'bulk-header')) {
      const nl = this.inbuf.indexOf(LF);
      if (nl < 0) {
        if (this.inbuf.length > 64 * 1024) throw new Error('reply line from master too long');
        return;
      }
      let end = nl;
      if (end > 0 && this.inbuf[end - 1] === 0x0d) end--;
      const line = this.inbuf.toString('latin1', 0, end);
      this.inbuf = this.inbuf.subarray(nl + 1);
      this.onLine(line);
    }
    if (this.phase === 'bulk' || this.phase === 'stream') {
      const rest = this.inbuf;
      this.inbuf = Buffer.alloc(0);
      if (rest.length > 0) this.onData(rest);
    }
  }

  private onLine(line: string): void {
    switch (this.phase) {
      case 'ping': {
        if (line.length === 0) return;
        if (line[0] === '-' && !line.startsWith('-NOAUTH') && !line.startsWith('-NOPERM') && !line.startsWith('-ERR operation not permitted')) {
          throw new Error('Error reply to PING from master: ' + line);
        }
        this.sendHandshake();
        return;
      }
      case 'handshake': {
        if (line.length === 0) return;
        const what = this.handshakeReplies.shift()!;
        if (what === 'auth' && line[0] === '-') throw new Error('Unable to AUTH to MASTER: ' + line);
        if (what !== 'auth' && line[0] === '-') this.server.log.notice('(Non critical) Master does not understand REPLCONF ' + what + ': ' + line);
        if (this.handshakeReplies.length === 0) this.sendPsync();
        return;
      }
      case 'psync':
        if (line.length === 0) return; // keep-alive newline before the reply
        this.onPsyncReply(line);
        return;
      case 'bulk-header':
        if (line.length === 0) return; // keep-alive while the master prepares the RDB
        if (line[0] === '-') throw new Error('MASTER aborted replication with an error: ' + line);
        if (line[0] !== '$') throw new Error('Bad protocol from MASTER, the first byte is not \'$\' (we received \'' + line + '\'), are you sure the host and port are right?');
        this.beginTransfer(line);
        return;
      default:
        return;
    }
  }

  private sendHandshake(): void {
    this.phase = 'handshake';
    const cfg = this.server.config;
    const parts: Buffer[] = [];
    this.handshakeReplies = [];
    const auth = cfg.get('masterauth') as string | null;
    if (auth !== null && auth !== '') {
      const user = cfg.get('masteruser') as string | null;
      const argv = user !== null && user !== '' ? ['AUTH', user, auth] : ['AUTH', auth];
      parts.push(encodeCommand(argv.map((a) => Buffer.from(a, 'latin1'))));
      this.handshakeReplies.push('auth');
    }
    const announcePort = cfg.getNumber('replica-announce-port');
    const port = announcePort !== 0 ? announcePort : this.server.addresses[0]?.port ?? cfg.getNumber('port');
    parts.push(encodeCommand(['REPLCONF', 'listening-port', String(port)].map((a) => Buffer.from(a, 'latin1'))));
    this.handshakeReplies.push('listening-port');
    const ip = cfg.get('replica-announce-ip') as string | null;
    if (ip !== null && ip !== '') {
      parts.push(encodeCommand(['REPLCONF', 'ip-address', ip].map((a) => Buffer.from(a, 'latin1'))));
      this.handshakeReplies.push('ip-address');
    }
    parts.push(encodeCommand(['REPLCONF', 'capa', 'eof', 'capa', 'psync2'].map((a) => Buffer.from(a, 'latin1'))));
    this.handshakeReplies.push('capa');
    this.socket!.write(Buffer.concat(parts));
  }

  private sendPsync(): void {
    this.phase = 'psync';
    const repl = this.repl;
    // Continue our own history when we have one (after a restart of the link, or a former
    // master following its promoted replica); the master answers FULLRESYNC if it cannot.
    if (repl.backlog !== null || repl.masterOffset > 0) {
      this.send(['PSYNC', repl.replId, String(repl.masterOffset + 1)]);
      this.server.log.notice('Trying a partial resynchronization (request ' + repl.replId + ':' + (repl.masterOffset + 1) + ').');
    } else {
      this.send(['PSYNC', '?', '-1']);
    }
  }

  private onPsyncReply(line: string): void {
    const repl = this.repl;
    if (line.startsWith('+FULLRESYNC')) {
      const parts = line.split(' ');
      if (parts.length < 3 || parts[1]!.length !== 40) throw new Error('Master replied with wrong +FULLRESYNC syntax.');
      this.fullSyncId = parts[1]!;
      this.fullSyncOffset = Number(parts[2]);
      if (!Number.isSafeInteger(this.fullSyncOffset)) throw new Error('Master replied with wrong +FULLRESYNC offset.');
      this.server.log.notice('Full resync from master: ' + this.fullSyncId + ':' + this.fullSyncOffset);
      this.phase = 'bulk-header';
      this.state = 'sync';
      return;
    }
    if (line.startsWith('+CONTINUE')) {
      const newId = line.length > 10 ? line.slice(10).trim() : '';
      if (newId.length === 40 && newId !== repl.replId) {
        // The master's history continues ours under a new id (it was promoted): remember the
        // old one so our own replicas can still continue from it, and make them resync.
        repl.replId2 = repl.replId;
        repl.secondOffset = repl.masterOffset + 1;
        repl.replId = newId;
        this.server.log.notice('Master replication ID changed to ' + newId);
        this.disconnectSubReplicas();
      }
      if (repl.backlog === null) repl.createBacklog();
      this.server.log.notice('Successful partial resynchronization with master.');
      this.streamStarted();
      return;
    }
    throw new Error('Unexpected reply to PSYNC from master: ' + line);
  }

  private beginTransfer(line: string): void {
    if (line.startsWith('$EOF:')) {
      if (line.length < 5 + EOF_MARK_LEN) throw new Error('Bad EOF mark from MASTER: ' + line);
      this.eofMark = Buffer.from(line.slice(5, 5 + EOF_MARK_LEN), 'latin1');
      this.eofTail = Buffer.alloc(0);
      this.bulkLeft = -1;
      this.transferSize = -1;
    } else {
      const n = Number(line.slice(1));
      if (!Number.isSafeInteger(n) || n < 0) throw new Error('Bad bulk length from MASTER: ' + line);
      this.eofMark = null;
      this.bulkLeft = n;
      this.transferSize = n;
    }
    this.transferRead = 0;
    this.server.log.notice(
      'MASTER <-> REPLICA sync: receiving ' + (this.eofMark !== null ? 'streamed RDB from master with EOF to parser' : this.transferSize + ' bytes from master to parser'),
    );
    // The new master answered: only now is the old dataset discarded.
    this.server.log.notice('MASTER <-> REPLICA sync: Flushing old data');
    this.disconnectSubReplicas();
    const create = this.repl.createLoader;
    if (create === null) throw new Error('this build cannot load an RDB');
    this.server.keyspace.flushAll();
    // The dataset no longer matches the history we had: forget it, or a failed load followed
    // by a partial resync with our previous master would "continue" on an empty dataset.
    this.repl.forgetHistory();
    this.server.loading = true;
    this.loader = create(this.transferSize);
    this.phase = 'bulk';
  }

  private feedBulk(chunk: Buffer): void {
    const loader = this.loader!;
    this.transferRead += chunk.length;
    if (this.eofMark === null) {
      const take = Math.min(chunk.length, this.bulkLeft);
      if (take > 0) loader.feed(chunk.subarray(0, take));
      this.bulkLeft -= take;
      if (this.bulkLeft === 0) {
        this.transferRead -= chunk.length - take;
        this.endTransfer(false);
        if (take < chunk.length) this.feedStream(chunk.subarray(take));
      }
      return;
    }
    // EOF framing: the payload ends when the last 40 bytes equal the marker; the master sends
    // nothing after it until we ACK, so the marker is always at the end of what we hold.
    const all = this.eofTail.length === 0 ? chunk : Buffer.concat([this.eofTail, chunk]);
    if (all.length >= EOF_MARK_LEN && all.subarray(all.length - EOF_MARK_LEN).equals(this.eofMark)) {
      if (all.length > EOF_MARK_LEN) loader.feed(all.subarray(0, all.length - EOF_MARK_LEN));
      this.eofTail = Buffer.alloc(0);
      this.endTransfer(true);
      return;
    }
    const keep = Math.min(all.length, EOF_MARK_LEN);
    if (all.length > keep) loader.feed(all.subarray(0, all.length - keep));
    this.eofTail = Buffer.from(all.subarray(all.length - keep));
  }

  private endTransfer(eof: boolean): void {
    const loader = this.loader!;
    loader.finish();
    this.loader = null;
    this.server.loading = false;
    const repl = this.repl;
    repl.replId = this.fullSyncId;
    repl.replId2 = NULL_REPLID;
    repl.secondOffset = -1;
    repl.masterOffset = this.fullSyncOffset;
    repl.freeBacklog();
    repl.createBacklog();
    this.masterClient.select(Math.min(loader.streamDb, this.server.keyspace.dbs.length - 1));
    this.server.log.notice('MASTER <-> REPLICA sync: Finished with success');
    this.streamStarted();
    // An EOF-marked payload: the master waits for this ACK before it streams anything.
    if (eof) this.sendAck();
  }

  private abortLoad(reason: string): void {
    this.loader = null;
    this.server.loading = false;
    // Never leave a half-loaded dataset visible.
    this.server.keyspace.flushAll();
    this.server.log.warning('Failed trying to load the MASTER synchronization DB from socket: ' + reason);
  }

  private streamStarted(): void {
    this.everUp = true;
    this.phase = 'stream';
    this.state = 'connected';
    this.downSince = 0;
    this.retryDelay = 0;
    this.readOffset = this.repl.masterOffset;
    this.parser = new RequestParser();
    this.server.log.notice('MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization or finished a full one.');
  }

  private feedStream(chunk: Buffer): void {
    this.readOffset += chunk.length;
    const ok = this.parser.feed(chunk, this.limits, this.sinkFn);
    this.masterClient.reply.take();
    if (!ok) throw new Error('protocol error in the replication stream: ' + (this.parser.error ?? ''));
  }

  /** Applies one command of the master's stream. */
  private applyCommand(argv: Buffer[]): boolean {
    const c = this.masterClient;
    if (argv.length === 3 && argv[0]!.length === 8 && argv[0]!.toString('latin1').toLowerCase() === 'replconf' && argv[1]!.toString('latin1').toLowerCase() === 'getack') {
      // Answered with the offset before this command, which then counts like any other.
      this.sendAck();
      this.forward(encodeCommand(argv));
      return true;
    }
    processCommand(c, argv);
    c.reply.take();
    this.forward(encodeCommand(argv));
    return true;
  }

  /** Counts applied bytes and forwards them to our replicas (at EXEC for a transaction). */
  private forward(bytes: Buffer): void {
    if ((this.masterClient.flags & ClientFlag.MULTI) !== 0) {
      this.multiBytes.push(bytes);
      return;
    }
    const held = this.multiBytes;
    if (held.length > 0) {
      this.multiBytes = [];
      for (const b of held) this.repl.feedRaw(b);
    }
    this.repl.feedRaw(bytes);
  }

  sendAck(): void {
    const s = this.socket;
    if (s === null) return;
    this.lastAckSent = Date.now();
    s.write(encodeCommand(['REPLCONF', 'ACK', String(this.repl.masterOffset)].map((a) => Buffer.from(a, 'latin1'))));
  }

  private disconnectSubReplicas(): void {
    for (const peer of [...this.repl.replicas.values()]) peer.client.close();
  }

  /** Called every 100 ms: ACKs, timeouts. */
  tick(now: number): void {
    if (this.closed || this.socket === null) return;
    const timeout = this.server.config.getNumber('repl-timeout') * 1000;
    if (now - this.lastIo > timeout) {
      this.fail(this.state === 'sync' ? 'Timeout receiving bulk data from MASTER... If the problem persists try to set the \'repl-timeout\' parameter in redis.conf to a larger value.' : 'MASTER timeout: no data nor PING received...');
      return;
    }
    if (this.state === 'connected' && now - this.lastAckSent >= 1000) this.sendAck();
  }
}
