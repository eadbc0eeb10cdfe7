/**
 * RDB persistence of the server: SAVE, BGSAVE (forkless), the `save` schedule, the load of
 * `dir/dbfilename` at start-up, DEBUG RELOAD's save-flush-load, the final save of SHUTDOWN and
 * the MISCONF write barrier after a failed background save. Redis 7.0 is the model for every
 * reply, log line and INFO field.
 *
 * - SAVE writes the keyspace synchronously (Redis blocks too): no snapshot needed, nothing runs
 *   meanwhile.
 * - BGSAVE runs a point-in-time snapshot (snapshot.ts) whose consumer encodes entries into an
 *   RdbOutput and queues the bytes for an asynchronous writer, so clients keep being served and
 *   the file holds the dataset of the moment BGSAVE started. The walk pauses while more than
 *   BG_HIGH_WATER bytes wait for the disk (writes that hit not-yet-saved keys still serialize).
 * - Every save goes to a temp file in `dir`, fsync'ed, renamed over the target and the directory
 *   fsync'ed: a crash (or a failed save) at any point leaves the previous file intact.
 * - Loading at start-up streams the file through the incremental reader in chunks of
 *   `loading-process-events-interval-bytes`, so clients that connect meanwhile get -LOADING
 *   and INFO shows the loading_* progress; any error is fatal (the process exits with status 1,
 *   never serving a half-loaded dataset).
 */

import {
  closeSync,
  createReadStream,
  fstatSync,
  fsync as fsFsync,
  fsyncSync,
  openSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  write as fsWrite,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Server } from '../server/server.js';
import type { Client } from '../server/client.js';
import { ClientFlag } from '../server/client.js';
import type { Command } from '../commands/table.js';
import { FLAG_BITS } from '../commands/spec.js';
import type { Db } from '../store/db.js';
import { strerror } from '../config/parse.js';
import type { RdbKeyRecord } from './rdb-format.js';
import { RdbLoader, type LoadOptions, type LoadStats } from './rdb-loader.js';
import { RdbReader, type RdbSink } from './rdb-reader.js';
import { accessMeta, writeKeyspace, type SaveOptions } from './rdb-save.js';
import { RdbOutput, standardAux, writeHeader, writeTrailer, type AuxOptions } from './rdb-writer.js';
import { RdbSnapshotConsumer, SnapshotRdbWriter } from './snapshot-rdb.js';
import { limitsFromConfig } from './rdb-values.js';
import { startSnapshot, type Snapshot } from './snapshot.js';
import { resumeWaitingFullSyncs } from '../replication/fullsync.js';

export const ERR_MISCONF =
  "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";
export const ERR_BGSAVE_IN_PROGRESS = 'ERR Background save already in progress';
export const ERR_OTHER_CHILD =
  "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.";

/** RDB bytes accumulated by a BGSAVE before they are queued for the disk. */
const CHUNK = 1 << 20;
/** Bytes queued for the disk above which the BGSAVE walk pauses. */
const BG_HIGH_WATER = 16 << 20;
/** After a failed BGSAVE, the schedule retries no sooner than this (Redis's 5 s). */
const BGSAVE_RETRY_DELAY_SEC = 5;
/** How often the `save` schedule and BGSAVE SCHEDULE are checked (Redis checks every cron tick). */
const CRON_MS = 100;

const F_WRITE = FLAG_BITS.write;

interface SavePoint {
  seconds: number;
  changes: number;
}

/** Progress of the start-up load, for INFO's loading_* fields. */
interface LoadProgress {
  startTime: number;
  totalBytes: number;
  rdbUsedMem: number;
  loadedBytes: number;
}

function nowSec(): number {
  return Math.floor(Date.now() / 1000);
}

/** Writes all of `b` at the current position of `fd`. */
function writeAllSync(fd: number, b: Buffer): void {
  let off = 0;
  while (off < b.length) off += writeSync(fd, b, off, b.length - off);
}

/** Makes a rename durable (the directory entry); best effort, like Redis's fsyncFileDir. */
function fsyncDirSync(dir: string): void {
  let fd = -1;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on directories; the rename itself is still atomic.
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

function unlinkQuiet(p: string): void {
  try {
    unlinkSync(p);
  } catch {
    // Already gone.
  }
}

export class Persistence {
  readonly server: Server;
  /** rdb_last_bgsave_status (a foreground SAVE that succeeds sets it back to ok). */
  lastBgsaveOk = true;
  /** Unix seconds of the last BGSAVE attempt (the retry delay after a failure). */
  lastBgsaveTry = 0;
  /** rdb_last_bgsave_time_sec: duration of the last BGSAVE, -1 before the first. */
  lastBgsaveTimeSec = -1;
  /** rdb_saves: save attempts, foreground and background, as Redis counts them. */
  saves = 0;
  /** The BGSAVE in progress (until its file is renamed into place). */
  bg: BgSave | null = null;
  /** BGSAVE SCHEDULE (or BGSAVE inside MULTI/EXEC) waiting for the running snapshot. */
  bgScheduled = false;
  /** MISCONF in force: cached so the per-command veto costs one test. */
  writesDenied = false;
  lastLoadKeysLoaded = 0;
  lastLoadKeysExpired = 0;
  /** Set while the start-up load runs. */
  loadProgress: LoadProgress | null = null;
  private timer: NodeJS.Timeout | null = null;
  private tempSeq = 0;
  /** Replication stream db recorded in the file loaded at start-up (a replica resumes there). */
  private restoredStreamDb = -1;

  constructor(server: Server) {
    this.server = server;
  }

  install(): void {
    const server = this.server;
    server.saveHook = () => this.saveForShutdown();
    server.startupHooks.push(() => this.loadAtStartup());
    server.vetoes.push((c, cmd) => this.veto(c, cmd));
    server.config.onChange('save', () => this.updateWritesDenied());
    server.config.onChange('stop-writes-on-bgsave-error', () => this.updateWritesDenied());
    server.exitHooks.push(() => {
      if (this.timer !== null) clearInterval(this.timer);
      this.timer = null;
    });
    this.timer = setInterval(() => this.cron(), CRON_MS);
    this.timer.unref();
  }

  // ------------------------------------------------------------------------------ settings

  filePath(): string {
    return path.join(this.dir(), this.server.config.getString('dbfilename'));
  }

  private dir(): string {
    return this.server.config.get('dir') as string;
  }

  /** A fresh temp name in `dir` (Redis: temp-<pid>.rdb; a counter keeps ours unique). */
  private tempPath(): string {
    return path.join(this.dir(), 'temp-' + process.pid + '.' + ++this.tempSeq + '.rdb');
  }

  savePoints(): SavePoint[] {
    const v = this.server.config.get('save');
    return Array.isArray(v) ? (v as SavePoint[]) : [];
  }

  saveOptions(): SaveOptions {
    const cfg = this.server.config;
    const policy = cfg.getString('maxmemory-policy');
    return {
      compression: cfg.getBool('rdbcompression'),
      checksum: cfg.getBool('rdbchecksum'),
      usedMem: this.server.usedMemory(),
      accessInfo: policy.endsWith('-lru') ? 'lru' : policy.endsWith('-lfu') ? 'lfu' : 'none',
      lfuDecayTime: cfg.getNumber('lfu-decay-time'),
      ...this.replicationAux(),
    };
  }

  /**
   * repl-stream-db / repl-id / repl-offset, written (like Redis's rdbPopulateSaveInfo) when the
   * node has a replication history: a master with a backlog, or a replica with a stream. A
   * replica restarted on such a file can continue from it with a partial resync.
   */
  private replicationAux(): AuxOptions {
    const server = this.server;
    const repl = server.replication;
    if (repl.backlog === null) return {};
    if (server.isReplica) {
      const link = repl.link;
      if (link === null || link.syncInProgress || !link.everUp) return {};
      return { replStreamDb: link.client.dbIndex, replId: repl.replId, replOffset: repl.masterOffset };
    }
    return { replStreamDb: repl.lastEmittedDb < 0 ? 0 : repl.lastEmittedDb, replId: repl.replId, replOffset: repl.masterOffset };
  }

  updateWritesDenied(): void {
    this.writesDenied = !this.lastBgsaveOk && this.server.config.getBool('stop-writes-on-bgsave-error') && this.savePoints().length > 0;
  }

  /** MISCONF: writes (and PING, as in Redis) refused after a failed background save. */
  private veto(c: Client, cmd: Command): string | null {
    if (!this.writesDenied) return null;
    if ((c.flags & ClientFlag.MASTER) !== 0) return null;
    if ((cmd.flags & F_WRITE) !== 0 || cmd.name === 'ping') return ERR_MISCONF;
    if (cmd.name === 'exec' && this.server.multiHasWrites !== null && this.server.multiHasWrites(c)) return ERR_MISCONF;
    return null;
  }

  // ------------------------------------------------------------------------------ saving

  /**
   * A synchronous save of the whole keyspace to dbfilename (SAVE, DEBUG RELOAD, SHUTDOWN,
   * FLUSHALL). A BGSAVE in progress is abandoned first: finishing later, it would replace the
   * newer file with older data. False (after logging why) when the file could not be written.
   */
  saveSync(): boolean {
    const server = this.server;
    const log = server.log;
    if (this.bg !== null) this.bg.cancel('a foreground save replaces it');
    this.saves++;
    const dir = this.dir();
    const tmp = this.tempPath();
    let fd: number;
    try {
      fd = openSync(tmp, 'w');
    } catch (e) {
      log.warning('Failed opening the temp RDB file ' + path.basename(tmp) + ' (in server root dir ' + dir + ') for saving: ' + strerror(e));
      return false;
    }
    try {
      writeKeyspace(server.keyspace, this.saveOptions(), (b) => writeAllSync(fd, b));
      fsyncSync(fd);
      closeSync(fd);
      fd = -1;
      renameSync(tmp, this.filePath());
    } catch (e) {
      log.warning('Write error saving DB on disk: ' + strerror(e));
      if (fd >= 0) closeSync(fd);
      unlinkQuiet(tmp);
      return false;
    }
    fsyncDirSync(dir);
    log.notice('DB saved on disk');
    server.dirty = 0;
    server.lastSaveTime = nowSec();
    this.lastBgsaveOk = true;
    this.updateWritesDenied();
    return true;
  }

  /** server.saveHook: the final save of SHUTDOWN (and the save FLUSHALL does with save points). */
  private saveForShutdown(): Promise<void> {
    return this.saveSync() ? Promise.resolve() : Promise.reject(new Error('the RDB could not be written'));
  }

  /**
   * Starts a BGSAVE. Returns null when started, otherwise the error reply. Like Redis, a save
   * that fails at once (the temp file cannot be created) still counts as started: the failure
   * shows in the log, INFO and the MISCONF barrier.
   */
  startBgsave(): string | null {
    const server = this.server;
    if (this.bg !== null) return ERR_BGSAVE_IN_PROGRESS;
    if (server.snapshot !== null) return ERR_OTHER_CHILD;
    this.saves++;
    this.lastBgsaveTry = nowSec();
    const tmp = this.tempPath();
    let fd: number;
    try {
      fd = openSync(tmp, 'w');
    } catch (e) {
      server.log.warning('Failed opening the temp RDB file ' + path.basename(tmp) + ' (in server root dir ' + this.dir() + ') for saving: ' + strerror(e));
      server.log.warning('Background saving error');
      this.lastBgsaveOk = false;
      this.lastBgsaveTimeSec = 0;
      this.updateWritesDenied();
      return null;
    }
    // rdb-key-save-delay (hidden, for tests): Redis's child sleeps that many microseconds per
    // key; here the walk serializes one key at a time and pauses in between (clients go on).
    const delayUs = server.config.getNumber('rdb-key-save-delay');
    const bg = new BgSave(this, fd, tmp, this.filePath(), this.saveOptions(), delayUs > 0 ? delayUs / 1000 : 0);
    this.bg = bg;
    try {
      bg.snapshot = startSnapshot(server, bg, delayUs > 0 ? { entriesPerSlice: 1, yieldPollMs: Math.max(1, delayUs / 1000) } : {});
    } catch (e) {
      this.bg = null;
      closeSync(fd);
      unlinkQuiet(tmp);
      throw e;
    }
    server.log.notice('Background saving started');
    return null;
  }

  /** BGSAVE SCHEDULE, or a BGSAVE issued inside MULTI/EXEC: started by the cron when possible. */
  scheduleBgsave(): void {
    this.bgScheduled = true;
  }

  /** Called by BgSave when its file is in place (ok) or the attempt is over (failed). */
  bgsaveEnded(bg: BgSave, ok: boolean, cancelled: boolean): void {
    if (this.bg !== bg) return;
    this.bg = null;
    const server = this.server;
    if (!cancelled) {
      this.lastBgsaveTimeSec = Math.floor((Date.now() - bg.startedAt) / 1000);
      if (ok) {
        server.log.notice('Background saving terminated with success');
        // Changes made while the snapshot ran are not in the file: they stay counted.
        server.dirty = Math.max(0, server.dirty - bg.dirtyBefore);
        server.lastSaveTime = nowSec();
        this.lastBgsaveOk = true;
      } else {
        server.log.warning('Background saving error');
        this.lastBgsaveOk = false;
      }
      this.updateWritesDenied();
    }
    // Replicas that waited for this snapshot to end can have theirs now.
    setImmediate(() => resumeWaitingFullSyncs(server));
  }

  /** The `save` schedule and scheduled BGSAVEs (Redis's serverCron part). */
  private cron(): void {
    const server = this.server;
    if (server.loading || server.shuttingDown || this.bg !== null || server.snapshot !== null) return;
    if (this.bgScheduled) {
      this.bgScheduled = false;
      this.startBgsave();
      return;
    }
    const points = this.savePoints();
    if (points.length === 0) return;
    const now = nowSec();
    for (const sp of points) {
      if (server.dirty >= sp.changes && now - server.lastSaveTime > sp.seconds && (this.lastBgsaveOk || now - this.lastBgsaveTry > BGSAVE_RETRY_DELAY_SEC)) {
        server.log.notice(sp.changes + ' changes in ' + sp.seconds + ' seconds. Saving...');
        this.startBgsave();
        return;
      }
    }
  }

  // ------------------------------------------------------------------------------ loading

  private loadOptions(onAux?: (name: string, value: Buffer) => void): LoadOptions {
    const cfg = this.server.config;
    return {
      limits: limitsFromConfig(cfg),
      // A primary drops keys whose TTL has passed; a replica keeps them for its master's DELs.
      dropExpired: cfg.get('replicaof') === null && !this.server.isReplica,
      onAux,
    };
  }

  private readerOptions(totalLength: number): { totalLength: number; maxStringLength: number; verifyChecksum: boolean } {
    const cfg = this.server.config;
    return { totalLength, maxStringLength: cfg.getNumber('proto-max-bulk-len'), verifyChecksum: cfg.getBool('rdbchecksum') };
  }

  /** The AUX fields Redis logs while loading. */
  private logAux(name: string, value: Buffer): void {
    const log = this.server.log;
    const v = value.toString('latin1');
    if (name === 'redis-ver') log.notice('Loading RDB produced by version ' + v);
    else if (name === 'ctime') {
      const age = nowSec() - Number(v);
      if (Number.isFinite(age)) log.notice('RDB age ' + Math.max(0, age) + ' seconds');
    } else if (name === 'used-mem') {
      const n = Number(v);
      if (Number.isFinite(n)) {
        log.notice('RDB memory usage when created ' + (n / 1024 / 1024).toFixed(2) + ' Mb');
        if (this.loadProgress !== null) this.loadProgress.rdbUsedMem = n;
      }
    }
  }

  private loadDone(stats: LoadStats): void {
    this.lastLoadKeysLoaded = stats.keys;
    this.lastLoadKeysExpired = stats.expiredSkipped;
    this.server.log.notice('Done loading RDB, keys loaded: ' + stats.keys + ', keys expired: ' + stats.expiredSkipped + '.');
  }

  /**
   * Start-up: loads dir/dbfilename if it exists. Runs after the listeners are up (clients get
   * -LOADING meanwhile). Throws a fatal error (the caller exits with status 1) on any problem.
   */
  async loadAtStartup(): Promise<void> {
    const server = this.server;
    const file = this.filePath();
    let size: number;
    try {
      const st = statSync(file);
      if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      size = st.size;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new Error('Fatal error loading the DB from ' + file + ': ' + strerror(e) + '. Exiting.');
    }
    const t0 = performance.now();
    const progress: LoadProgress = { startTime: nowSec(), totalBytes: size, rdbUsedMem: 0, loadedBytes: 0 };
    const restored = { id: '', offset: -1, db: -1 };
    const loader = new RdbLoader(
      server.keyspace,
      this.loadOptions((name, value) => {
        this.logAux(name, value);
        const v = value.toString('latin1');
        if (name === 'repl-id') restored.id = v;
        else if (name === 'repl-offset') restored.offset = Number(v);
        else if (name === 'repl-stream-db') restored.db = Number(v);
      }),
    );
    const reader = new RdbReader(loader, this.readerOptions(size));
    server.loading = true;
    this.loadProgress = progress;
    try {
      // key-load-delay (hidden, for tests): microseconds per key loaded, as a pause after each
      // chunk (so clients are still served, as Redis serves them between its chunks).
      const delayUs = server.config.getNumber('key-load-delay');
      const chunkBytes = delayUs > 0 ? 1024 : server.config.getNumber('loading-process-events-interval-bytes');
      const stream = createReadStream(file, { highWaterMark: chunkBytes });
      let keysBefore = 0;
      for await (const chunk of stream) {
        reader.feed(chunk as Buffer);
        progress.loadedBytes += (chunk as Buffer).length;
        if (delayUs > 0) {
          const keys = loader.stats.keys + loader.stats.expiredSkipped;
          await sleep(((keys - keysBefore) * delayUs) / 1000);
          keysBefore = keys;
        }
      }
      reader.end();
    } catch (e) {
      // Never serve a partial dataset: the process exits on this error.
      server.keyspace.flushAll();
      const msg = e instanceof Error ? e.message : String(e);
      throw new Error('Fatal error loading the DB from ' + file + ': ' + msg + '. Exiting.');
    } finally {
      server.loading = false;
      this.loadProgress = null;
    }
    this.loadDone(loader.stats);
    server.log.notice('DB loaded from disk: ' + ((performance.now() - t0) / 1000).toFixed(3) + ' seconds');
    this.restoreReplicationInfo(restored);
  }

  /**
   * A replica restarted on its own file resumes its master's stream where the file ends (Redis
   * does the same with the repl-id / repl-offset AUX fields): the next PSYNC asks for
   * <repl-id> <repl-offset + 1>, and the master answers +CONTINUE when its backlog still covers it.
   */
  private restoreReplicationInfo(r: { id: string; offset: number; db: number }): void {
    const server = this.server;
    if (server.config.get('replicaof') === null) return;
    if (r.id.length !== 40 || !Number.isSafeInteger(r.offset) || r.offset < 0) return;
    const repl = server.replication;
    repl.replId = r.id;
    repl.masterOffset = r.offset;
    this.restoredStreamDb = Number.isInteger(r.db) && r.db >= 0 && r.db < server.keyspace.dbs.length ? r.db : 0;
    server.log.notice('Replication ID/offset restored from the RDB file: ' + r.id + ':' + r.offset);
    // Runs after the replication start-up hook has created the link to the master.
    server.startupHooks.push(() => {
      const link = server.replication.link;
      if (link !== null) link.client.select(this.restoredStreamDb);
    });
  }

  /**
   * Loads `file` synchronously into the keyspace (DEBUG RELOAD). `merge`: keys of the file
   * replace existing ones instead of being an error. Returns an error message or null.
   */
  loadSync(file: string, merge: boolean): string | null {
    const server = this.server;
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch (e) {
      return 'Fatal error loading the DB: ' + strerror(e);
    }
    try {
      const size = fstatSync(fd).size;
      const loader = new RdbLoader(server.keyspace, this.loadOptions((name, value) => this.logAux(name, value)));
      const sink: RdbSink = merge ? new MergeSink(loader, server) : loader;
      const reader = new RdbReader(sink, this.readerOptions(size));
      for (;;) {
        // The reader keeps views into what it is fed: a fresh buffer per read.
        const buf = Buffer.allocUnsafe(CHUNK);
        const n = readSync(fd, buf, 0, CHUNK, null);
        if (n === 0) break;
        reader.feed(n === CHUNK ? buf : buf.subarray(0, n));
      }
      reader.end();
      this.loadDone(loader.stats);
      return null;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    } finally {
      closeSync(fd);
    }
  }

  /**
   * DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, flush, load back. Returns the error reply or
   * null for OK.
   */
  debugReload(save: boolean, flush: boolean, merge: boolean): string | null {
    const server = this.server;
    if (save && !this.saveSync()) return 'ERR';
    if (flush) server.keyspace.flushAll();
    const err = this.loadSync(this.filePath(), merge);
    if (err !== null) {
      server.log.warning('Error loading the RDB for DEBUG RELOAD: ' + err);
      return 'ERR Error trying to load the RDB dump, check server logs.';
    }
    server.log.warning('DB reloaded by DEBUG RELOAD');
    return null;
  }

  // ------------------------------------------------------------------------------ INFO

  /** The "# Persistence" fields Damselfly owns, in Redis 7.0.15's order (see server/info.ts). */
  bgsaveInProgress(): boolean {
    return this.bg !== null;
  }

  currentBgsaveSeconds(): number {
    return this.bg === null ? -1 : Math.floor((Date.now() - this.bg.startedAt) / 1000);
  }

  currentSaveKeys(): { processed: number; total: number } {
    const snap = this.bg?.snapshot;
    if (snap === undefined || snap === null) return { processed: 0, total: 0 };
    return { processed: snap.stats.serialized, total: snap.stats.keys };
  }

  /** loading_* lines while the start-up load runs (empty otherwise). */
  loadingFields(): Array<[string, string | number]> {
    const p = this.loadProgress;
    if (p === null) return [];
    const elapsed = nowSec() - p.startTime;
    const remaining = p.totalBytes - p.loadedBytes;
    const perc = p.totalBytes > 0 ? (p.loadedBytes * 100) / p.totalBytes : 0;
    // No rate measured yet in the first second: Redis shows a placeholder of 1.
    const eta = elapsed === 0 ? 1 : Math.floor((elapsed * remaining) / (p.loadedBytes + 1));
    return [
      ['loading_start_time', p.startTime],
      ['loading_total_bytes', p.totalBytes],
      ['loading_rdb_used_mem', p.rdbUsedMem],
      ['loading_loaded_bytes', p.loadedBytes],
      ['loading_loaded_perc', perc.toFixed(2)],
      ['loading_eta_seconds', eta],
    ];
  }
}

/** DEBUG RELOAD MERGE: a key of the file replaces the key of the same name in memory. */
class MergeSink implements RdbSink {
  constructor(
    private readonly inner: RdbLoader,
    private readonly server: Server,
  ) {}

  onHeader(version: number): void {
    this.inner.onHeader(version);
  }

  onAux(name: Buffer, value: Buffer): void {
    this.inner.onAux(name, value);
  }

  onSelectDb(db: number): void {
    this.inner.onSelectDb(db);
  }

  onFunction(code: Buffer): void {
    this.inner.onFunction(code);
  }

  onKey(r: RdbKeyRecord): void {
    const db = this.server.keyspace.dbs[r.db];
    if (db !== undefined) db.delete(r.key);
    this.inner.onKey(r);
  }
}

/**
 * One BGSAVE: the snapshot consumer encoding entries, and the asynchronous writer draining
 * the encoded bytes to the temp file, then fsync, close, rename.
 */
export class BgSave extends RdbSnapshotConsumer {
  readonly startedAt = Date.now();
  readonly dirtyBefore: number;
  snapshot: Snapshot | null = null;
  private readonly out: RdbOutput;
  protected readonly rdb: SnapshotRdbWriter;
  private readonly queue: Buffer[] = [];
  private queued = 0;
  private writing = false;
  /** The trailer is queued: finalize once the queue is empty. */
  private ending = false;
  /** Over (success, failure or cancel): no more writes; the fd closes when none is in flight. */
  private over = false;
  private fdClosed = false;

  constructor(
    private readonly p: Persistence,
    private readonly fd: number,
    private readonly tmp: string,
    private readonly file: string,
    opts: SaveOptions,
    /** rdb-key-save-delay in ms (0 = none). */
    private readonly keyDelayMs = 0,
  ) {
    super();
    this.dirtyBefore = p.server.dirty;
    const lru = opts.accessInfo === 'lru' || opts.accessInfo === 'lfu';
    this.out = new RdbOutput(opts);
    writeHeader(this.out, standardAux(opts));
    this.rdb = new SnapshotRdbWriter(this.out, {
      flush: (b) => this.enqueue(b),
      chunk: CHUNK,
      meta: lru ? (db, id) => accessMeta(db, id, opts) : null,
    });
  }

  override serializeEntry(dbIndex: number, db: Db, id: number): boolean {
    const opened = super.serializeEntry(dbIndex, db, id);
    if (this.keyDelayMs > 0) this.delayUntil = performance.now() + this.keyDelayMs;
    return opened;
  }

  private delayUntil = 0;

  shouldYield(): boolean {
    return this.queued > BG_HIGH_WATER || (this.keyDelayMs > 0 && performance.now() < this.delayUntil);
  }

  onDone(): void {
    if (this.over) return;
    writeTrailer(this.out);
    this.enqueue(this.out.take());
    this.ending = true;
    this.pump();
  }

  onAbort(reason: string): void {
    if (this.over) return;
    this.p.server.log.warning('Background saving aborted: ' + reason);
    this.finish(false, false);
  }

  /** Abandons this BGSAVE (a foreground save or SHUTDOWN replaces it); not an error. */
  cancel(reason: string): void {
    if (this.over) return;
    this.p.server.log.warning('Background saving cancelled: ' + reason);
    const snap = this.snapshot;
    if (snap !== null && snap.running) snap.detach(this);
    this.finish(false, true);
  }

  private enqueue(b: Buffer): void {
    if (this.over || b.length === 0) return;
    this.queue.push(b);
    this.queued += b.length;
    this.pump();
  }

  private pump(): void {
    if (this.writing || this.over) return;
    const b = this.queue.shift();
    if (b === undefined) {
      if (this.ending) this.finalize();
      return;
    }
    this.writing = true;
    fsWrite(this.fd, b, 0, b.length, null, (err, n) => {
      this.writing = false;
      if (this.over) {
        this.closeFd();
        return;
      }
      if (err !== null) {
        this.p.server.log.warning('Write error saving DB on disk: ' + strerror(err));
        this.finish(false, false);
        return;
      }
      this.queued -= n;
      if (n < b.length) this.queue.unshift(b.subarray(n));
      this.pump();
      // Below the high water mark again: the snapshot's poll resumes the walk by itself.
    });
  }

  /**
   * The trailer is on disk: fsync (asynchronous, it can take a while), then close and rename
   * synchronously, so that a foreground save that cancels this one can never have its file
   * replaced afterwards by a rename still in flight.
   */
  private finalize(): void {
    this.writing = true;
    fsFsync(this.fd, (err) => {
      this.writing = false;
      if (this.over) {
        this.closeFd();
        return;
      }
      try {
        if (err !== null) throw err;
        this.closeFd();
        renameSync(this.tmp, this.file);
      } catch (e) {
        this.p.server.log.warning('Write error saving DB on disk: ' + strerror(e));
        this.finish(false, false);
        return;
      }
      fsyncDirSync(path.dirname(this.file));
      this.p.server.log.notice('DB saved on disk');
      this.finish(true, false);
    });
  }

  private finish(ok: boolean, cancelled: boolean): void {
    if (this.over) return;
    this.over = true;
    this.queue.length = 0;
    this.queued = 0;
    if (!ok) unlinkQuiet(this.tmp);
    // With a write in flight the fd must stay open until it returns (closing it could let a new
    // file reuse the number under that write).
    if (!this.writing) this.closeFd();
    this.p.bgsaveEnded(this, ok, cancelled);
  }

  private closeFd(): void {
    if (this.fdClosed) return;
    this.fdClosed = true;
    try {
      closeSync(this.fd);
    } catch {
      // Already closed.
    }
  }
}

export function installPersistence(server: Server): Persistence {
  const p = new Persistence(server);
  p.install();
  p.updateWritesDenied();
  return p;
}
