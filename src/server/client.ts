/**
 * One connected client: its socket, request parser, reply buffer and session state.
 *
 * Every field is initialised in the constructor so all clients share one hidden class and the
 * dispatch path stays monomorphic. Reading is one synchronous pass per 'data' event: parse,
 * execute each command, then one socket write with every reply of the burst.
 */

import type { Socket } from 'node:net';
import { RequestParser, type ParserLimits } from '../protocol/request-parser.js';
import { sanitizeError } from '../protocol/errors.js';
import { ReplyWriter } from '../protocol/reply-writer.js';
import type { Server } from './server.js';
import type { Command } from '../commands/table.js';
import type { Db } from '../store/db.js';
import { processCommand } from './dispatch.js';

/** Input handled per client per event-loop turn before its socket is paused (see onData). */
const TURN_INPUT_LIMIT = 64 * 1024;

export const ClientFlag = {
  MULTI: 1 << 0,
  DIRTY_EXEC: 1 << 1,
  PUBSUB: 1 << 2,
  MONITOR: 1 << 3,
  REPLICA: 1 << 4,
  MASTER: 1 << 5,
  CLOSE_AFTER_REPLY: 1 << 6,
  BLOCKED: 1 << 7,
  NO_EVICT: 1 << 8,
  NO_TOUCH: 1 << 9,
  /** Internal client without a socket (replication stream applier, loading, scripts). */
  FAKE: 1 << 10,
  /** Unix socket connection (flag 'U' is not shown; kept for protected-mode). */
  CLOSE_ASAP: 1 << 11,
  READONLY_CLUSTER: 1 << 12,
  /** A watched key was modified: EXEC will fail (CLIENT LIST flag 'd'). */
  DIRTY_CAS: 1 << 13,
} as const;

/** CLIENT REPLY modes. */
export const ReplyMode = { ON: 0, OFF: 1, SKIP: 2, SKIP_NEXT: 3 } as const;

export class Client {
  readonly id: number;
  readonly server: Server;
  socket: Socket | null;
  readonly reply: ReplyWriter;
  readonly parser: RequestParser;
  readonly limits: ParserLimits;
  dbIndex = 0;
  db: Db;
  flags = 0;
  /** CLIENT SETNAME (latin1 text), null when unset. */
  name: string | null = null;
  libName = '';
  libVer = '';
  user = 'default';
  authenticated: boolean;
  readonly createdAt: number;
  lastInteraction: number;
  /** Command being executed and its arguments (views valid during the call only). */
  cmd: Command | null = null;
  argv: Buffer[] = [];
  /** Last command executed (CLIENT LIST cmd=). */
  lastCmd: Command | null = null;
  /** "ip:port" of the peer and of our side. */
  addr: string;
  laddr: string;
  replyMode: number = ReplyMode.ON;
  netInput = 0;
  netOutput = 0;
  /** Commands parsed while the client could not run them (CLIENT PAUSE, blocked). */
  postponed: Buffer[][] | null = null;
  /** Time (ms) the output buffer first went over its soft limit, 0 if it is under it. */
  obufSoftSince = 0;
  /** Set when the connection is gone or being closed; no further commands run. */
  closed = false;
  /** Replacement argv for propagation to replicas/AOF (Redis's rewriteClientCommandVector). */
  propagateArgv: Buffer[] | null = null;
  /** Set by a handler that propagated its effects itself (or must not propagate). */
  preventPropagate = false;
  /**
   * Set by a handler whose command must reach replicas although it changed no key (Redis's
   * forceCommandPropagation: PUBLISH, SPUBLISH).
   */
  forcePropagate = false;
  /**
   * Set (only while CLIENT REPLY is OFF or SKIP) by a command whose reply is made of pub/sub
   * confirmations, which Redis 7.0 delivers regardless of CLIENT REPLY; dispatch clears it.
   */
  pushReply = false;
  /** Commands processed on this connection (CLIENT INFO has no field, used by tests/tools). */
  commandsProcessed = 0;

  private readonly sink: (argv: Buffer[], inline: boolean) => boolean;

  constructor(server: Server, socket: Socket | null, id: number) {
    this.id = id;
    this.server = server;
    this.socket = socket;
    this.reply = new ReplyWriter();
    this.parser = new RequestParser();
    this.db = server.keyspace.dbs[0]!;
    this.authenticated = !server.requirePassword();
    this.limits = { maxBulkLen: server.protoMaxBulkLen, unauthenticated: !this.authenticated };
    const now = Date.now();
    this.createdAt = now;
    this.lastInteraction = now;
    if (socket !== null) {
      this.addr = formatAddr(socket.remoteAddress, socket.remotePort);
      this.laddr = formatAddr(socket.localAddress, socket.localPort);
    } else {
      this.addr = '';
      this.laddr = '';
      this.flags |= ClientFlag.FAKE;
    }
    this.sink = (argv) => this.runParsed(argv);
  }

  /** Selects a database by index (caller validated the range). */
  select(index: number): void {
    this.dbIndex = index;
    this.db = this.server.keyspace.dbs[index]!;
  }

  /** Entry point for bytes from the socket. */
  onData(chunk: Buffer): void {
    if (this.closed) return;
    // Fairness: libuv may hand one socket many 64 KiB reads in one event-loop turn. Like Redis,
    // which reads one buffer per client per loop iteration, stop reading this socket once a
    // turn's worth of input has been handled; the flush at the end of the turn resumes it, so
    // a client streaming megabytes cannot delay everybody else's replies.
    this.turnBytes += chunk.length;
    if (this.turnBytes >= TURN_INPUT_LIMIT && !this.readPaused && this.socket !== null) {
      this.readPaused = true;
      this.socket.pause();
    }
    this.netInput += chunk.length;
    const stats = this.server.stats;
    stats.netInputBytes += chunk.length;
    stats.readsProcessed++;
    this.lastInteraction = Date.now();
    this.limits.maxBulkLen = this.server.protoMaxBulkLen;
    this.limits.unauthenticated = !this.authenticated;
    this.server.clockMark = performance.now();
    const ok = this.parser.feed(chunk, this.limits, this.sink);
    this.server.clockMark = 0;
    if (!ok) this.protocolError(this.parser.error!);
    else if (this.parser.buffered > this.server.queryBufferLimit) {
      this.server.log.warning(
        'Closing client that reached max query buffer length: ' + this.describe() + ' (qbuf initial bytes: ' + this.parser.buffered + ')',
      );
      this.close();
      return;
    }
    this.scheduleFlush();
  }

  /** True while this client sits in the server's pending-write list. */
  flushQueued = false;
  /** Input bytes handled in the current event-loop turn, and whether reading is paused for it. */
  turnBytes = 0;
  readPaused = false;

  /** Called by the server at the end of each turn, after this client's replies were written. */
  endTurn(): void {
    this.turnBytes = 0;
    if (this.readPaused) {
      this.readPaused = false;
      if (!this.closed && this.socket !== null) this.socket.resume();
    }
  }

  /**
   * Defers the socket write to the end of this event-loop turn, as Redis writes replies in
   * beforeSleep: the replies of every client that read in this turn then go out back to back,
   * so a peer woken by the first write is usually still running when the next ones arrive
   * (much cheaper than one wake-up per write, on a VM especially).
   */
  scheduleFlush(): void {
    if (this.flushQueued || this.socket === null) {
      if (this.socket === null) this.flush();
      return;
    }
    this.flushQueued = true;
    this.server.queueFlush(this);
  }

  private runParsed(argv: Buffer[]): boolean {
    if (this.closed) return false;
    // A blocked client runs nothing until it is served, times out or is unblocked.
    if (this.postponed !== null || (this.flags & ClientFlag.BLOCKED) !== 0 || this.server.mustPostpone(this, argv)) {
      if (this.postponed === null) this.postponed = [];
      this.postponed.push(argv);
      this.server.notePostponed(this);
      return false;
    }
    processCommand(this, argv);
    this.commandsProcessed++;
    // AUTH / HELLO AUTH / RESET change the limits for the rest of this read, as in Redis.
    this.limits.unauthenticated = !this.authenticated;
    return !this.closed && (this.flags & (ClientFlag.CLOSE_AFTER_REPLY | ClientFlag.BLOCKED)) === 0;
  }

  /** Runs commands held back by CLIENT PAUSE or blocking, then whatever the parser holds. */
  resumeProcessing(): void {
    if (this.closed) return;
    const held = this.postponed;
    this.postponed = null;
    if (held !== null) {
      for (let i = 0; i < held.length; i++) {
        if (this.closed || (this.flags & ClientFlag.BLOCKED) !== 0 || this.server.mustPostpone(this, held[i])) {
          this.postponed = held.slice(i);
          if (!this.closed) this.server.notePostponed(this);
          this.flush();
          return;
        }
        processCommand(this, held[i]!);
        this.commandsProcessed++;
      }
    }
    if (!this.closed) {
      this.limits.unauthenticated = !this.authenticated;
      const ok = this.parser.resume(this.limits, this.sink);
      if (!ok) this.protocolError(this.parser.error!);
    }
    this.flush();
  }

  /** Replies with a protocol error, then closes once the reply is written (as Redis does). */
  private protocolError(msg: string): void {
    this.server.log.verbose('Protocol error (' + msg + ') from client: ' + this.describe());
    this.reply.error(sanitizeError('ERR ' + msg));
    this.server.stats.countError('ERR');
    this.flags |= ClientFlag.CLOSE_AFTER_REPLY;
  }

  /** Sends everything buffered in one write and applies the output buffer limits. */
  flush(): void {
    const socket = this.socket;
    if (socket === null || this.closed) {
      if (socket === null) this.reply.take();
      return;
    }
    const n = this.reply.flushTo(socket);
    if (n > 0) {
      this.netOutput += n;
      this.server.stats.netOutputBytes += n;
      this.server.stats.writesProcessed++;
      if (socket.writableLength > 0 && this.server.outputBufferExceeded(this, socket.writableLength)) {
        this.server.log.warning(
          'Client ' + this.describe() + ' scheduled to be closed ASAP for overcoming of output buffer limits.',
        );
        this.close();
        return;
      }
    }
    if ((this.flags & ClientFlag.CLOSE_AFTER_REPLY) !== 0) this.close();
  }

  /** Bytes queued towards the peer (CLIENT LIST omem, output buffer limits). */
  get outputBytes(): number {
    return (this.socket !== null ? this.socket.writableLength : 0) + this.reply.pending;
  }

  /** Closes the connection after what is already queued is written. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const s = this.socket;
    if (s !== null) {
      this.reply.flushTo(s);
      s.end();
      // A peer that does not read would keep the socket half-open forever.
      const t = setTimeout(() => s.destroy(), 1000);
      t.unref();
    }
    this.server.unlinkClient(this);
  }

  /** Drops the connection at once without flushing. */
  destroy(): void {
    if (this.socket !== null) this.socket.destroy();
    if (!this.closed) {
      this.closed = true;
      this.server.unlinkClient(this);
    }
  }

  /** Short description for log lines: id, addr, name. */
  describe(): string {
    return 'id=' + this.id + ' addr=' + this.addr + ' laddr=' + this.laddr + ' name=' + (this.name ?? '');
  }
}

function formatAddr(host: string | undefined, port: number | undefined): string {
  if (host === undefined) return '?:0';
  if (host.startsWith('::ffff:')) host = host.slice(7);
  return host + ':' + (port ?? 0);
}
