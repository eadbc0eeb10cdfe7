/**
 * The server: listeners, the client registry, the keyspace, the command table and the cron.
 *
 * Subsystems (replication, persistence, pub/sub) attach to the narrow hooks here (propagate,
 * commandVeto, notify, keyModified) rather than the dispatcher knowing about each of them.
 */

import net from 'node:net';
import { randomBytes, createHash, timingSafeEqual } from 'node:crypto';
import { Client, ClientFlag } from './client.js';
import { CommandTable, allCommandSpecs } from '../commands/table.js';
import { Keyspace } from '../store/db.js';
import { ServerStats } from './stats.js';
import { Slowlog, LatencyMonitor, redactedArgv } from './slowlog.js';
import { Logger } from './log.js';
import type { Config } from '../config/index.js';
import type { Command } from '../commands/table.js';
import { activeExpireCycle, updateLruClock } from '../store/expire.js';
import { installEviction, keyspaceMemory, type Evictor } from '../store/evict.js';
import { installReplication, type ReplicationManager } from '../replication/index.js';
import { ensureTypeHooks } from '../commands/dump.js';
import { ensureStreamHooks } from '../commands/stream.js';
import { installStreamCodec } from '../persistence/stream-codec.js';
import { FLAG_BITS } from '../commands/spec.js';
import type { DigestValue } from '../util/digest.js';
import { installPubSub, type PubSub } from './pubsub.js';
import type { Snapshot } from '../persistence/snapshot.js';
import { installPersistence, type Persistence } from '../persistence/persistence.js';

const F_ADMIN = FLAG_BITS.admin;
const B_MULTI = Buffer.from('MULTI');
const B_EXEC = Buffer.from('EXEC');
const F_WRITE_OR_MAY_REPLICATE = FLAG_BITS.write | FLAG_BITS.may_replicate;
/** setTimeout's largest delay; longer waits re-arm. */
const MAX_TIMER_MS = 0x7fffffff;
const NO_PAUSE_FLAGS = ClientFlag.REPLICA | ClientFlag.MASTER | ClientFlag.FAKE | ClientFlag.MONITOR;

export const REDIS_VERSION = '7.0.15';
export const DAMSELFLY_VERSION = '0.1.0';

export interface ListenAddress {
  host: string;
  port: number;
}

/** Listener of propagated writes (replication backlog, AOF): db index + argv. */
export type PropagationSink = (dbIndex: number, argv: Buffer[]) => void;

export interface PauseState {
  /** 'write' pauses only writes, 'all' pauses every command; null = not paused. */
  mode: 'write' | 'all' | null;
  until: number;
  timer: NodeJS.Timeout | null;
}

/**
 * Per-client counters owned by other subsystems (pub/sub, MULTI), filled in by the hooks in
 * `Server.clientCounters` when CLIENT LIST / CLIENT INFO need them.
 */
export interface ClientCounters {
  sub: number;
  psub: number;
  ssub: number;
  /** Commands queued in MULTI, -1 when not in MULTI. */
  multi: number;
  /** Bytes held by queued MULTI commands. */
  multiMem: number;
  /** CLIENT TRACKING redirect id (-1 when none). */
  redir: number;
}


/** Background resize work per event-loop turn while a table is resizing (see scheduleRehash). */
const REHASH_SLICE_MS = 1;
export class Server {
  readonly config: Config;
  readonly log: Logger;
  readonly keyspace: Keyspace;
  readonly commands: CommandTable;
  readonly stats = new ServerStats();
  readonly slowlog = new Slowlog();
  /** LATENCY events (latency-monitor-threshold); fed through the slowlog hook in call(). */
  readonly latency = new LatencyMonitor();
  readonly clients = new Map<number, Client>();
  readonly monitors = new Set<Client>();
  readonly runId: string;
  readonly startTime = Date.now();
  /** Changes since the last save (rdb_changes_since_last_save); commands compare it. */
  dirty = 0;
  lastSaveTime = Math.floor(Date.now() / 1000);
  nextClientId = 1;
  readonly pause: PauseState = { mode: null, until: 0, timer: null };
  /** Clients holding a command back because of CLIENT PAUSE, in the order they were paused. */
  readonly postponedClients = new Set<Client>();
  /** Replication id shown by INFO replication until the replication layer installs its own. */
  replId = randomBytes(20).toString('hex');
  replId2 = '0000000000000000000000000000000000000000';
  /**
   * Body of INFO's "# Replication" section (lines `field:value\r\n`, no header), supplied by the
   * replication layer; null = the standalone master block built by server/info.ts.
   */
  replicationInfo: (() => string) | null = null;
  /**
   * Values for individual INFO fields owned by other subsystems, by field name (e.g.
   * 'pubsub_channels', 'loading', 'rdb_bgsave_in_progress'). INFO asks here before using its
   * own value, so a subsystem can supply a field without INFO knowing about it.
   */
  readonly infoFields = new Map<string, () => string | number>();
  /** Fill in the counters other subsystems own for CLIENT LIST (sub, psub, multi, redir...). */
  readonly clientCounters: Array<(c: Client, out: ClientCounters) => void> = [];
  /** RESET: each subsystem drops the client's state it owns (MULTI, WATCH, pub/sub, tracking). */
  readonly resetHooks: Array<(c: Client) => void> = [];
  /** CLIENT UNBLOCK: installed by the blocking-commands layer; true when it unblocked `target`. */
  unblockHook: ((target: Client, withError: boolean) => boolean) | null = null;
  /** CLIENT PAUSE WRITE: does this client's queued MULTI contain writes? (transactions layer) */
  multiHasWrites: ((c: Client) => boolean) | null = null;
  /**
   * Credential check for AUTH / HELLO AUTH, replaceable by an ACL layer. The default knows only
   * the `default` user, whose password is `requirepass` (any password when none is set).
   */
  checkCredentials: (user: Buffer, pass: Buffer) => boolean = (user, pass) => this.defaultUserCredentials(user, pass);
  /** CLIENT KILL USER: does this user exist? Replaceable by an ACL layer. */
  userExists: (name: string) => boolean = (name) => name === 'default';
  /**
   * DEBUG DIGEST / DIGEST-VALUE for non-string values: each type module registers how to list
   * its value's contents (by TYPE_* of store/db.ts). Strings are handled by DEBUG itself.
   */
  readonly valueDigesters = new Map<number, (obj: unknown) => DigestValue>();
  /** OBJECT ENCODING-style name of a non-string value, by TYPE_* (DEBUG OBJECT). */
  readonly encodingNames = new Map<number, (obj: unknown) => string>();
  /** DEBUG SET-ACTIVE-EXPIRE: when false the cron does not expire keys in the background. */
  activeExpireEnabled = true;
  /** used_memory right after start-up (INFO used_memory_startup) and its highest value. */
  usedMemoryStartup = 0;
  usedMemoryPeak = 0;
  /** Bytes the process held at start-up besides the keyspace (heap, code, tables): used_memory's baseline. */
  baseMemory = 0;
  /** maxmemory and key eviction (store/evict.ts). */
  readonly evictor: Evictor;
  /** Pub/Sub subscriptions, delivery and keyspace notifications (server/pubsub.ts). */
  readonly pubsub: PubSub;
  /** Addresses actually listened on (port 0 resolved). */
  readonly addresses: ListenAddress[] = [];
  readonly propagationSinks: PropagationSink[] = [];
  /** Hooks for subsystems to refuse commands (READONLY, OOM, LOADING...). */
  readonly vetoes: Array<(c: Client, cmd: Command, argv: Buffer[]) => string | null> = [];
  /** Called when a key is modified (WATCH, client tracking). */
  readonly keyModifiedHooks: Array<(dbIndex: number, key: Buffer) => void> = [];
  /**
   * For whole-db changes (FLUSHDB, FLUSHALL, SWAPDB): each subsystem with a keyModified hook
   * adds the keys of `dbIndex` it cares about (watched, blocked on, being migrated) to `out`.
   * Only those are signalled, so flushing 100M keys costs nothing per key (Redis also walks
   * the watched keys, never the dataset).
   */
  readonly keyInterestHooks: Array<(dbIndex: number, out: Buffer[]) => void> = [];
  /** Called for keyspace events (pub/sub notifications). */
  notifyHook: ((type: number, event: string, key: Buffer, dbIndex: number) => void) | null = null;
  /** True on a replica: lookups hide expired keys but never delete them. */
  isReplica = false;
  /** True while a dataset is being loaded (commands without the `loading` flag get -LOADING). */
  loading = false;
  /** Replication state, the master side and the link to our master (src/replication/). */
  readonly replication: ReplicationManager;
  /** RDB files: SAVE/BGSAVE, the save schedule, the load at start-up (persistence/persistence.ts). */
  readonly persistence: Persistence;
  /** performance.now() at the end of the last command of the current read burst, 0 outside one. */
  clockMark = 0;
  /** Set while SHUTDOWN runs so no new work starts. */
  shuttingDown = false;
  /** True when this server owns the process (the `damselfly` binary): SHUTDOWN exits it. */
  exitProcess = false;
  /** The point-in-time snapshot in progress (persistence/snapshot.ts), at most one. */
  snapshot: Snapshot | null = null;
  /** Writes a snapshot to disk (installed by the persistence layer). */
  saveHook: (() => Promise<void>) | null = null;
  /** Run before listening (loading the dataset from disk, starting replication). */
  readonly startupHooks: Array<() => Promise<void> | void> = [];

  // Cached config values read on hot paths (refreshed by onChange hooks).
  protoMaxBulkLen: number;
  queryBufferLimit: number;
  /**
   * Calls lasting at least this many microseconds are handed to `slowlog.add` by call(); it is
   * the smaller of slowlog-log-slower-than and latency-monitor-threshold (the slowlog and the
   * latency monitor then apply their own thresholds). Negative = neither is enabled.
   */
  slowlogThresholdUsec: number;
  maxClients: number;

  private readonly listeners: net.Server[] = [];
  private cronTimer: NodeJS.Timeout | null = null;
  private sampleTimer: NodeJS.Timeout | null = null;
  private cronLoops = 0;
  readonly exitHooks: Array<() => void> = [];

  constructor(config: Config, log?: Logger) {
    this.config = config;
    this.log = log ?? new Logger();
    this.log.setLevel(config.getString('loglevel'));
    this.log.file = config.getString('logfile');
    this.runId = randomBytes(20).toString('hex');
    this.keyspace = new Keyspace(config.getNumber('databases'));
    this.commands = new CommandTable(allCommandSpecs());
    this.protoMaxBulkLen = config.getNumber('proto-max-bulk-len');
    this.queryBufferLimit = config.getNumber('client-query-buffer-limit');
    this.slowlog.thresholdUsec = config.getNumber('slowlog-log-slower-than');
    this.latency.thresholdMs = config.getNumber('latency-monitor-threshold');
    this.slowlogThresholdUsec = this.callHookThreshold();
    this.slowlog.maxLen = config.getNumber('slowlog-max-len');
    this.maxClients = config.getNumber('maxclients');
    config.onChange('proto-max-bulk-len', (v) => (this.protoMaxBulkLen = v as number));
    config.onChange('client-query-buffer-limit', (v) => (this.queryBufferLimit = v as number));
    config.onChange('slowlog-log-slower-than', (v) => {
      this.slowlog.thresholdUsec = v as number;
      this.slowlogThresholdUsec = this.callHookThreshold();
    });
    config.onChange('latency-monitor-threshold', (v) => {
      this.latency.thresholdMs = v as number;
      this.slowlogThresholdUsec = this.callHookThreshold();
    });
    config.onChange('slowlog-max-len', (v) => {
      this.slowlog.maxLen = v as number;
      if (this.slowlog.entries.length > this.slowlog.maxLen) this.slowlog.entries.length = Math.max(0, this.slowlog.maxLen);
    });
    config.onChange('maxclients', (v) => (this.maxClients = v as number));
    config.onChange('loglevel', (v) => this.log.setLevel(v as string));
    config.onChange('logfile', (v) => (this.log.file = v as string));
    config.onChange('hz', () => this.restartCron());
    const m = process.memoryUsage();
    this.baseMemory = Math.max(0, m.heapUsed + m.external - keyspaceMemory(this.keyspace));
    this.usedMemoryStartup = this.usedMemory();
    this.usedMemoryPeak = this.usedMemoryStartup;
    this.evictor = installEviction(this);
    // Before replication: the dataset is loaded (start-up hook) before the link to a master
    // starts, and MISCONF is checked before READONLY/NOREPLICAS as in Redis.
    this.persistence = installPersistence(this);
    this.replication = installReplication(this);
    ensureTypeHooks(this);
    ensureStreamHooks(this);
    installStreamCodec();
    this.pubsub = installPubSub(this);
  }

  /** See `slowlogThresholdUsec`. */
  private callHookThreshold(): number {
    const slow = this.slowlog.thresholdUsec;
    const lat = this.latency.thresholdMs > 0 ? this.latency.thresholdMs * 1000 : -1;
    if (slow < 0) return lat;
    if (lat < 0) return slow;
    return Math.min(slow, lat);
  }

  /**
   * used_memory: what the process needed before any client connected (code, heap, tables),
   * plus the keyspace's own accounting (live slab chunks, not whole pages: see keyspaceMemory
   * in store/evict.ts), plus client buffers - the parts of the heap that Redis's allocator would
   * count, without the garbage a GC heap carries between collections or the free chunks the
   * slab keeps for reuse (those show in used_memory_rss and mem_fragmentation_ratio instead).
   * Costs O(databases + clients); eviction uses a cheaper variant (Evictor.memory).
   */
  usedMemory(): number {
    const n = this.baseMemory + keyspaceMemory(this.keyspace) + this.clientsMemory();
    if (n > this.usedMemoryPeak) this.usedMemoryPeak = n;
    return n;
  }

  /** Query and reply buffers of every client (INFO mem_clients_normal). */
  clientsMemory(): number {
    let n = 0;
    for (const c of this.clients.values()) n += clientMemory(c);
    return n;
  }

  private defaultUserCredentials(user: Buffer, pass: Buffer): boolean {
    if (user.length !== 7 || user.toString('latin1') !== 'default') return false;
    const required = this.config.getString('requirepass');
    if (required === '') return true;
    // Compare digests so the time taken does not depend on where the passwords differ.
    const a = createHash('sha256').update(pass).digest();
    const b = createHash('sha256').update(Buffer.from(required, 'latin1')).digest();
    return timingSafeEqual(a, b);
  }

  requirePassword(): boolean {
    return this.config.getString('requirepass') !== '';
  }

  /** Runs the startup hooks (dataset load, replication) in order. */
  async startup(): Promise<void> {
    for (const h of this.startupHooks) await h();
  }

  /** Starts listening on every `bind` address; resolves once all listeners are up. */
  async listen(): Promise<ListenAddress[]> {
    const port = this.config.getNumber('port');
    const binds = this.bindAddresses();
    for (const spec of binds) {
      const optional = spec.startsWith('-');
      const host = optional ? spec.slice(1) : spec;
      try {
        const addr = await this.listenOne(host === '*' ? '0.0.0.0' : host, this.addresses.length > 0 ? this.addresses[0]!.port : port);
        this.addresses.push(addr);
      } catch (err) {
        if (optional) continue;
        throw err;
      }
    }
    if (this.addresses.length === 0) throw new Error('Failed listening on any address');
    this.startCron();
    return this.addresses;
  }

  private bindAddresses(): string[] {
    const b = this.config.get('bind');
    if (Array.isArray(b) && b.length > 0) return b as string[];
    if (typeof b === 'string' && b !== '') return b.split(' ');
    return ['*', '-::*'];
  }

  private listenOne(host: string, port: number): Promise<ListenAddress> {
    return new Promise((resolve, reject) => {
      const srv = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
      srv.maxConnections = 65536;
      srv.once('error', (err) => reject(err));
      srv.listen({ host: host === '::*' ? '::' : host, port, backlog: this.config.getNumber('tcp-backlog'), ipv6Only: host === '::*' }, () => {
        srv.removeAllListeners('error');
        srv.on('error', (err) => this.log.warning('Listener error: ' + err.message));
        this.listeners.push(srv);
        const a = srv.address() as net.AddressInfo;
        resolve({ host: a.address, port: a.port });
      });
    });
  }

  private accept(socket: net.Socket): void {
    this.stats.connectionsReceived++;
    if (this.clients.size >= this.maxClients) {
      this.stats.rejectedConnections++;
      socket.end('-ERR max number of clients reached\r\n');
      return;
    }
    const denied = this.protectedModeDenial(socket);
    if (denied !== null) {
      this.stats.rejectedConnections++;
      socket.end('-' + denied + '\r\n');
      return;
    }
    const keepalive = this.config.getNumber('tcp-keepalive');
    if (keepalive > 0) socket.setKeepAlive(true, keepalive * 1000);
    socket.setNoDelay(true);
    const c = new Client(this, socket, this.nextClientId++);
    this.clients.set(c.id, c);
    socket.on('data', (chunk: Buffer) => c.onData(chunk));
    socket.on('error', () => c.destroy());
    socket.on('close', () => {
      if (!c.closed) {
        c.closed = true;
        this.unlinkClient(c);
      }
    });
  }

  /**
   * Redis 7.0's protected mode: with protected-mode yes and no password for the default user,
   * only loopback peers may connect (since 7.0 an explicit `bind` no longer turns it off).
   */
  protectedModeDenial(socket: net.Socket): string | null {
    if (!this.config.getBool('protected-mode') || this.requirePassword()) return null;
    const ra = socket.remoteAddress ?? '';
    // Redis 7.0 trusts exactly these two addresses, not the whole of 127.0.0.0/8.
    if (ra === '127.0.0.1' || ra === '::1' || ra === '::ffff:127.0.0.1') return null;
    return PROTECTED_MODE_TEXT;
  }

  private readonly pendingFlush: Client[] = [];
  private flushScheduled = false;
  private readonly flushPending = (): void => {
    this.flushScheduled = false;
    const list = this.pendingFlush;
    // Clients queued while flushing (a reply that closes, a monitor feed) are handled too.
    for (let i = 0; i < list.length; i++) {
      const c = list[i]!;
      c.flushQueued = false;
      c.flush();
      c.endTurn();
    }
    list.length = 0;
  };

  /** Queues a client whose replies are written at the end of this event-loop turn. */
  queueFlush(c: Client): void {
    this.pendingFlush.push(c);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushPending);
    }
  }

  /** Removes a client from every registry; called once per client when it closes. */
  unlinkClient(c: Client): void {
    this.clients.delete(c.id);
    this.monitors.delete(c);
    this.postponedClients.delete(c);
    for (const fn of this.unlinkHooks) fn(c);
  }

  readonly unlinkHooks: Array<(c: Client) => void> = [];

  /** Creates a client with no socket (internal use: replication applier, scripts, tests). */
  createInternalClient(): Client {
    const c = new Client(this, null, this.nextClientId++);
    c.authenticated = true;
    c.flags |= ClientFlag.FAKE;
    return c;
  }

  /** Runs every veto hook; the first error text wins. */
  commandVeto(c: Client, cmd: Command, argv: Buffer[]): string | null {
    const v = this.vetoes;
    for (let i = 0; i < v.length; i++) {
      const r = v[i]!(c, cmd, argv);
      if (r !== null) return r;
    }
    return null;
  }

  /**
   * True when CLIENT PAUSE holds this client's next command (`argv`). Replicas, the master link
   * and monitors are never paused (as in Redis, where they all carry the SLAVE flag or are not
   * normal clients). In WRITE mode only commands that may change the dataset or replicate are
   * held: write / may_replicate commands (EVAL, PUBLISH, ... included) and an EXEC whose queue
   * holds one. Costs one comparison while no pause is active.
   */
  mustPostpone(c: Client, argv?: Buffer[]): boolean {
    const mode = this.pause.mode;
    if (mode === null) return false;
    if ((c.flags & NO_PAUSE_FLAGS) !== 0) return false;
    if (Date.now() >= this.pause.until) return false; // the timer is about to end the pause
    if (mode === 'all' || argv === undefined || argv.length === 0) return true;
    let cmd = this.commands.lookup(argv[0]!);
    if (cmd === undefined) return false;
    if (cmd.subcommands !== null && argv.length >= 2) {
      const sub = this.commands.lookupSub(cmd, argv[1]!);
      if (sub === undefined) return false;
      cmd = sub;
    }
    if ((cmd.flags & F_WRITE_OR_MAY_REPLICATE) !== 0) return true;
    return cmd.name === 'exec' && this.multiHasWrites !== null && this.multiHasWrites(c);
  }

  /** Records that `c` holds a postponed command (called by Client when it parks one). */
  notePostponed(c: Client): void {
    this.postponedClients.add(c);
  }

  /**
   * CLIENT PAUSE: pauses clients until `untilMs` (epoch ms). As in Redis, overlapping pauses
   * keep the most restrictive mode and the latest end.
   */
  pauseClients(mode: 'write' | 'all', untilMs: number): void {
    const p = this.pause;
    if (p.mode === null) {
      p.mode = mode;
      p.until = untilMs;
    } else {
      if (mode === 'all') p.mode = 'all';
      if (untilMs > p.until) p.until = untilMs;
    }
    if (p.timer !== null) clearTimeout(p.timer);
    p.timer = setTimeout(() => this.checkPauseEnd(), Math.min(MAX_TIMER_MS, Math.max(0, p.until - Date.now())));
    p.timer.unref();
  }

  private checkPauseEnd(): void {
    const p = this.pause;
    p.timer = null;
    if (p.mode === null) return;
    const left = p.until - Date.now();
    if (left > 0) {
      p.timer = setTimeout(() => this.checkPauseEnd(), Math.min(MAX_TIMER_MS, left));
      p.timer.unref();
      return;
    }
    this.unpauseClients();
  }

  /**
   * CLIENT UNPAUSE (or the pause timing out): every held client runs what it holds, in the order
   * it was held, on the next turn of the event loop (as Redis unblocks them before its next
   * poll), so the UNPAUSE reply goes out first and no command runs inside another's call.
   */
  unpauseClients(): void {
    const p = this.pause;
    if (p.timer !== null) clearTimeout(p.timer);
    p.timer = null;
    p.mode = null;
    p.until = 0;
    if (this.postponedClients.size > 0) setImmediate(() => this.resumePostponed());
  }

  /** Gives every postponed client a chance to run what it holds (after a pause ends/relaxes). */
  resumePostponed(): void {
    if (this.postponedClients.size === 0) return;
    const held = [...this.postponedClients];
    this.postponedClients.clear();
    for (const c of held) {
      if (c.closed) continue;
      c.resumeProcessing();
      if (c.postponed !== null && !c.closed) this.postponedClients.add(c);
    }
  }

  /**
   * Sends a write's replicated form to every sink (backlog/replicas). Inside a top-level
   * command everything it propagates (its own effects, a lazy-expiry DEL, the commands of an
   * EXEC) is held and emitted when it ends: alone when there is one, wrapped in MULTI/EXEC
   * when there are two or more, as Redis 7.0 does. Outside a command (active expiry,
   * eviction, blocked clients served after a push) each one goes out at once.
   */
  propagate(dbIndex: number, argv: Buffer[]): void {
    if (this.commandDepth > 0) {
      // The argv stay valid until the command ends (views of the read buffer, or copies).
      this.pendingPropagation.push(dbIndex, argv);
      return;
    }
    this.emitPropagation(dbIndex, argv);
  }

  private emitPropagation(dbIndex: number, argv: Buffer[]): void {
    const sinks = this.propagationSinks;
    for (let i = 0; i < sinks.length; i++) sinks[i]!(dbIndex, argv);
  }

  private commandDepth = 0;
  /** Pairs (dbIndex, argv) propagated by the running top-level command. */
  private readonly pendingPropagation: Array<number | Buffer[]> = [];

  beginCommand(): void {
    this.commandDepth++;
  }

  /** Ends a top-level command started with beginCommand: emits what it propagated. */
  endCommand(c: Client): void {
    if (--this.commandDepth > 0) return;
    const p = this.pendingPropagation;
    const n = p.length;
    if (n === 0) return;
    if (n === 2) {
      this.emitPropagation(p[0] as number, p[1] as Buffer[]);
    } else {
      this.emitPropagation(p[0] as number, [B_MULTI]);
      for (let i = 0; i < n; i += 2) this.emitPropagation(p[i] as number, p[i + 1] as Buffer[]);
      this.emitPropagation(p[n - 2] as number, [B_EXEC]);
    }
    p.length = 0;
    this.replication.noteClientWrite(c);
  }

  /** Called by write commands for every key they modify (WATCH, tracking, dirty counter). */
  keyModified(dbIndex: number, key: Buffer): void {
    const hooks = this.keyModifiedHooks;
    for (let i = 0; i < hooks.length; i++) hooks[i]!(dbIndex, key);
  }

  /**
   * A whole-db change of `dbIndex` (flush, swap): every key some subsystem cares about for
   * which `existed(key)` is true is reported to keyModified, as if modified one by one.
   */
  keysModifiedInDb(dbIndex: number, existed: (key: Buffer) => boolean): void {
    const hooks = this.keyInterestHooks;
    if (hooks.length === 0) return;
    const keys: Buffer[] = [];
    for (let i = 0; i < hooks.length; i++) hooks[i]!(dbIndex, keys);
    if (keys.length === 0) return;
    const seen = new Set<string>();
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const name = key.toString('latin1');
      if (seen.has(name)) continue;
      seen.add(name);
      if (existed(key)) this.keyModified(dbIndex, key);
    }
  }

  /** Called when a push makes a key ready for clients blocked on it (BLPOP, BZPOPMIN, XREAD). */
  readonly keyReadyHooks: Array<(dbIndex: number, key: Buffer) => void> = [];

  /** List/zset/stream writes call this after adding elements to a key. */
  signalKeyAsReady(dbIndex: number, key: Buffer): void {
    const hooks = this.keyReadyHooks;
    for (let i = 0; i < hooks.length; i++) hooks[i]!(dbIndex, key);
  }

  /** Keyspace notification; `type` is a NOTIFY_* bit from store/notify. */
  notify(type: number, event: string, key: Buffer, dbIndex: number): void {
    if (this.notifyHook !== null) this.notifyHook(type, event, key, dbIndex);
  }

  /**
   * MONITOR feed: `+<unix.micro> [db addr] "arg" ...`. Like Redis, admin commands are never
   * shown (they may carry secrets) and passwords in AUTH/HELLO/MIGRATE/... are redacted; every
   * monitor sees every other command, including its own.
   */
  feedMonitors(c: Client, argv: Buffer[]): void {
    const cmd = c.cmd;
    if (cmd !== null && (cmd.flags & F_ADMIN) !== 0) return;
    const shown = cmd !== null ? redactedArgv(cmd.fullName, argv, this.config) : argv;
    const us = Math.floor((performance.timeOrigin + performance.now()) * 1000);
    const sec = Math.floor(us / 1e6);
    let line = '+' + sec + '.' + String(us - sec * 1e6).padStart(6, '0') + ' [' + this.monitorDbIndex(c, cmd, argv) + ' ';
    line += (c.flags & ClientFlag.FAKE) !== 0 ? 'lua' : c.addr;
    line += ']';
    for (let i = 0; i < shown.length; i++) line += ' ' + quoteArg(shown[i]!);
    line += '\r\n';
    for (const m of this.monitors) {
      if (m.closed) continue;
      if (m === c) {
        // Redis feeds monitors after the command ran, so a monitor sees its own command after
        // its reply (and not at all if the command ended MONITOR mode, like RESET).
        queueMicrotask(() => {
          if (m.closed || !this.monitors.has(m)) return;
          m.reply.text(line);
          m.flush();
        });
        continue;
      }
      m.reply.text(line);
      m.flush();
    }
  }

  /** Redis feeds monitors after the call, so a SELECT shows the database it switched to. */
  private monitorDbIndex(c: Client, cmd: Command | null, argv: Buffer[]): number {
    if (cmd !== null && cmd.name === 'select' && argv.length === 2) {
      const s = argv[1]!.toString('latin1');
      if (/^(0|[1-9][0-9]{0,9})$/.test(s)) {
        const n = Number(s);
        if (n < this.keyspace.dbs.length) return n;
      }
    }
    return c.dbIndex;
  }

  /** Output buffer limit check for a client with `bytes` queued (hard and soft limits). */
  outputBufferExceeded(c: Client, bytes: number): boolean {
    const cls = (c.flags & ClientFlag.REPLICA) !== 0 ? 'replica' : (c.flags & ClientFlag.PUBSUB) !== 0 ? 'pubsub' : 'normal';
    const limits = this.config.get('client-output-buffer-limit') as Record<string, { hard: number; soft: number; softSeconds: number }>;
    const l = limits[cls] ?? limits['slave'];
    if (l === undefined) return false;
    if (l.hard > 0 && bytes >= l.hard) return true;
    if (l.soft > 0 && bytes >= l.soft) {
      const now = Date.now();
      if (c.obufSoftSince === 0) {
        c.obufSoftSince = now;
        return false;
      }
      return now - c.obufSoftSince >= l.softSeconds * 1000;
    }
    c.obufSoftSince = 0;
    return false;
  }

  /** CONFIG RESETSTAT: counters, commandstats and errorstats (Redis keeps the slowlog, the
   *  latency samples and used_memory_peak). */
  resetStats(): void {
    this.stats.reset();
    for (const cmd of this.commands.allWithSubcommands()) cmd.stats.reset();
  }

  private startCron(): void {
    const hz = Math.max(1, Math.min(500, this.config.getNumber('hz')));
    this.cronTimer = setInterval(() => this.cron(), Math.floor(1000 / hz));
    this.sampleTimer = setInterval(() => this.stats.sample(Date.now()), 100);
    this.cronTimer.unref();
    this.sampleTimer.unref();
  }

  private restartCron(): void {
    if (this.cronTimer === null) return;
    clearInterval(this.cronTimer);
    clearInterval(this.sampleTimer!);
    this.startCron();
  }

  /** Housekeeping: active expiry (CPU bounded), incremental rehash, client timeouts. */
  private rehashScheduled = false;
  /**
   * While a table is being resized, lookups pay for it (each one moves a bucket, and the
   * resize costs cache misses): measured in-process at 100M keys, random GETs ran at 366k/s
   * mid-resize and 580k/s after. Redis finishes in the cron (1 ms every 100 ms), which for
   * a 67M-bucket table takes minutes; here the rest goes in REHASH_SLICE_MS slices between
   * event-loop turns, so an idle server finishes at once and a busy one within a few
   * seconds, each client waiting at most one slice longer.
   */
  private scheduleRehash(): void {
    if (this.rehashScheduled) return;
    this.rehashScheduled = true;
    setImmediate(this.rehashTick);
  }

  private readonly rehashTick = (): void => {
    this.rehashScheduled = false;
    if (this.shuttingDown || this.loading || !this.config.getBool('activerehashing')) return;
    if (this.keyspace.rehashStep(REHASH_SLICE_MS)) this.scheduleRehash();
  };

  private cron(): void {
    this.cronLoops++;
    const hz = this.config.getNumber('hz');
    // Keys do not expire in the background on a replica, while DEBUG SET-ACTIVE-EXPIRE 0 is in
    // effect, or while clients are paused (Redis 7.0 keeps the dataset still during a pause).
    // Nor while the dataset is being loaded (Redis's cron does not run then).
    if (!this.isReplica && !this.loading && this.activeExpireEnabled && this.pause.mode === null) {
      if (this.latency.thresholdMs > 0) {
        const t0 = performance.now();
        activeExpireCycle(this, hz);
        this.latency.addSampleIfNeeded('expire-cycle', Math.floor(performance.now() - t0));
      } else {
        activeExpireCycle(this, hz);
      }
    }
    // Incremental rehash and entry-id compaction, time-boxed across all databases.
    if (this.config.getBool('activerehashing') && this.keyspace.rehashStep(1)) this.scheduleRehash();
    this.keyspace.setLruInit(updateLruClock());
    this.evictor.heap?.check();
    if (this.cronLoops % hz === 0) this.clientsCron();
  }

  private clientsCron(): void {
    const timeout = this.config.getNumber('timeout');
    const now = Date.now();
    this.usedMemory(); // keeps used_memory_peak current
    for (const c of this.clients.values()) {
      if (timeout > 0 && (c.flags & (ClientFlag.REPLICA | ClientFlag.MASTER | ClientFlag.BLOCKED | ClientFlag.PUBSUB)) === 0 && now - c.lastInteraction > timeout * 1000) {
        this.log.verbose('Closing idle client');
        c.close();
        continue;
      }
      if (c.obufSoftSince !== 0 && c.socket !== null && this.outputBufferExceeded(c, c.socket.writableLength)) {
        c.close();
      }
    }
  }

  /** Stops listening, closes every client and stops timers. */
  async close(): Promise<void> {
    this.shuttingDown = true;
    if (this.cronTimer !== null) clearInterval(this.cronTimer);
    if (this.sampleTimer !== null) clearInterval(this.sampleTimer);
    if (this.pause.timer !== null) clearTimeout(this.pause.timer);
    if (this.snapshot !== null) this.snapshot.abort('server closing');
    for (const c of [...this.clients.values()]) c.destroy();
    await Promise.all(this.listeners.map((l) => new Promise<void>((r) => l.close(() => r()))));
    this.listeners.length = 0;
    for (const fn of this.exitHooks) fn();
  }
}

const PROTECTED_MODE_TEXT =
  "DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.";

/** Quotes an argument the way MONITOR and redis-cli show it (sdscatrepr). */
export function quoteArg(a: Buffer): string {
  let s = '"';
  for (let i = 0; i < a.length; i++) {
    const ch = a[i]!;
    switch (ch) {
      case 0x5c:
        s += '\\\\';
        break;
      case 0x22:
        s += '\\"';
        break;
      case 0x0a:
        s += '\\n';
        break;
      case 0x0d:
        s += '\\r';
        break;
      case 0x09:
        s += '\\t';
        break;
      case 0x07:
        s += '\\a';
        break;
      case 0x08:
        s += '\\b';
        break;
      default:
        if (ch >= 0x20 && ch < 0x7f) s += String.fromCharCode(ch);
        else s += '\\x' + (ch < 16 ? '0' : '') + ch.toString(16);
    }
  }
  return s + '"';
}

/** Bytes a client holds in query and reply buffers (CLIENT LIST tot-mem, INFO clients memory). */
export function clientMemory(c: Client): number {
  return c.reply.buf.length + c.parser.reserved + (c.socket !== null ? c.socket.writableLength : 0);
}
