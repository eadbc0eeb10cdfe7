/**
 * Forkless point-in-time snapshots of the keyspace ("serialize before modify"), the engine under
 * SAVE/BGSAVE and the full sync of a replica.
 *
 * Redis forks and lets copy-on-write freeze the dataset; we cannot fork a Node process, and a
 * copy of the dataset would double its memory. Instead, like Dragonfly, the dataset stays live
 * and the snapshot promises: every key that existed when the snapshot started is handed to the
 * consumer's serializer exactly once, with its value and TTL as they were at that moment; keys
 * created later never are. Two mechanisms together give that:
 *
 * 1. A background walk over each db's entry ids serializes the entries that are still
 *    "pending", a few at a time (time slices of ~1 ms driven by setImmediate, so clients are
 *    served between slices; a consumer that is backed up pauses the walk).
 * 2. A guard on each db (Dict.guard, see src/store/dict.ts) runs before any existing entry
 *    changes - overwrite, in-place edit (lookupWrite), delete, expiry, eviction, TTL change,
 *    RENAME/MOVE source, COPY/RENAME destination - and serializes it first if it is pending.
 *
 * Bookkeeping per db: one bit per entry id that existed at the start (`marks`, 1 = not
 * pending), allocated zero-filled, so starting costs O(1) per db and the extra memory is
 * 1 bit per key (125 KB per million keys). A bit is set when the entry is serialized or when
 * its id is (re)used by a new entry (Dict.newEntry -> guard.created), so "live and bit clear"
 * means exactly "existed at the start and untouched since". Ids at or above the id space at
 * the start are new by construction. Deleted-then-recreated keys are right: the old entry is
 * serialized at its deletion, the new one is born marked.
 *
 * Why walk ids rather than the SCAN cursor: ids only move under the cron's compaction (always
 * downwards, reported through guard.relocated), so a plain ascending walk visits each entry
 * once, sequentially in memory, unaffected by table growth, shrinking or rehashing. An entry
 * that compaction moves from ahead of the walk to behind it is serialized at that moment.
 *
 * The rest of the keyspace's life cycle:
 * - SWAPDB: Db.swap() exchanges every field, the guard included, so the bookkeeping follows
 *   the contents; entries are reported with the db index they had at the start.
 * - FLUSHDB/FLUSHALL: instead of serializing the rest of the db synchronously, the snapshot
 *   takes the doomed contents over in O(1) (Db.detachContents) and keeps walking them; they are
 *   freed when done. Keyspace.snapshotActive makes FLUSHALL free records one by one instead of
 *   resetting the shared slab under the detached contents.
 * - Expired keys still in the dict at the start are part of the snapshot (with their TTL);
 *   dropping them is the serializer's choice, as Redis's RDB loader does on a master.
 *
 * Serializers are called synchronously, possibly from inside a Db mutator of an unrelated
 * command, and the value may change right after they return: they must encode or copy it
 * before returning (string values are mutated in place by SETRANGE/APPEND/SETBIT/BITFIELD), and
 * must not modify the keyspace. A serializer that throws aborts the snapshot.
 *
 * Several consumers (a BGSAVE and replicas' full syncs) can share one snapshot: more can be
 * attached until the first entry has been serialized; each sees every entry.
 *
 * Big values in pieces: a consumer may leave a big value half-written (serializeEntry returns
 * true), reading the rest later from a frozen view of the value as it was when handed over
 * (see src/persistence/snapshot-rdb.ts), so the value may change meanwhile. The walk then
 * spends its next slices on the open values (continueEntry) before moving on, so a
 * million-field hash does not stop the server for the second it takes to encode, and a change
 * to a pending big value does not either. Entries serialized meanwhile are the consumer's to
 * hold back until the open values before them are complete, since a value's bytes must be
 * contiguous.
 */

import type { Server } from '../server/server.js';
import type { Db } from '../store/db.js';
import type { Dict, EntryGuard } from '../store/dict.js';

export interface SnapshotConsumer {
  /**
   * Encode/copy entry `id` of `db` now (key: db.keyView(id), type: db.typeOf(id), TTL:
   * db.expireAt(id), value: db.getString(id) / db.peekObject(id)). `dbIndex` is the db the key
   * was in when the snapshot started (not necessarily db.index after a SWAPDB). Calls for
   * different dbs may interleave: changes serialize keys of any db at any time. A consumer
   * with continueEntry may return true: the value was left open, to be written later as it
   * is now (from a frozen view or a copy), whatever happens to it meanwhile.
   */
  serializeEntry(dbIndex: number, db: Db, id: number): boolean | void;
  /** Writes more of the open values until `deadline` (performance.now() ms); true when none is left. */
  continueEntry?(deadline: number): boolean;
  /** Lets go of whatever is open (the consumer is detached, or the snapshot abandoned). */
  abandon?(): void;
  /** Called once per db that had keys at the start, before its first serializeEntry. */
  onDbStart?(dbIndex: number, keyCount: number, expiresCount: number): void;
  /** Every key has been serialized. */
  onDone(stats: SnapshotStats): void;
  /** The snapshot was abandoned (abort(), a serializer threw, the server is closing). */
  onAbort?(reason: string): void;
  /** Polled by the background walk: true = backed up (e.g. a slow socket), pause the walk. */
  shouldYield?(): boolean;
}

export interface SnapshotOptions {
  /** Advance by itself in setImmediate time slices (default true); false: call step(). */
  autoRun?: boolean;
  /** Length of one time slice of the background walk while no client is active, ms (default 1). */
  sliceMs?: number;
  /**
   * Slice length when commands ran since the previous slice, ms (default 0.25): with clients
   * busy, the walk takes roughly busySliceMs per event-loop turn, which bounds the latency it
   * adds to a request; an idle server gives it longer slices (higher throughput).
   */
  busySliceMs?: number;
  /** At most this many entries serialized by the walk per slice (default: no limit). */
  entriesPerSlice?: number;
  /** While a consumer asks to yield, how often to ask again, ms (default 2). */
  yieldPollMs?: number;
}

export type SnapshotState = 'running' | 'done' | 'aborted';

export interface SnapshotStats {
  state: SnapshotState;
  /** Date.now() at the start. */
  startedAt: number;
  /** Keys (and keys with a TTL) in the dataset at the start. */
  keys: number;
  expires: number;
  serialized: number;
  /** ...by the background walk, by the guard before a change, when compaction moved an entry behind the walk. */
  byWalk: number;
  byChange: number;
  byRelocation: number;
  /** Dbs whose contents were taken over at FLUSHDB/FLUSHALL. */
  flushedDbs: number;
  /** Keys not serialized although the walk finished: a bug, always 0. */
  missed: number;
  slices: number;
  /** Time spent in walk slices, and the longest slice, ms. */
  walkMs: number;
  maxSliceMs: number;
  /** Start to end (or to now while running), ms. */
  elapsedMs: number;
  abortReason: string | null;
}

const HOW_WALK = 0;
const HOW_CHANGE = 1;
const HOW_RELOCATION = 2;

/** The per-db bookkeeping; it is the db's guard, so it moves with the contents on SWAPDB. */
class DbSnap implements EntryGuard {
  readonly snap: Snapshot;
  /** Db index at the start: what consumers are told. */
  readonly index: number;
  /** The Db object holding these contents now (refreshed lazily after SWAPDB, see dbOf). */
  db: Db;
  /** Id space at the start: ids >= limit are new entries. */
  readonly limit: number;
  /** 1 bit per id below limit; set = not pending (serialized, or reused by a new entry). */
  readonly marks: Uint32Array;
  readonly keyCount: number;
  readonly expiresCount: number;
  /** Keys of the start still to serialize. */
  remaining: number;
  /** Next id the walk looks at. */
  pos = 0;
  /** Contents taken over at a flush (db is a holder outside the Keyspace). */
  detached = false;
  /** Slab bytes of the taken-over contents (Keyspace.detachedRecordBytes). */
  detachedBytes = 0;
  announced = false;
  done = false;

  constructor(snap: Snapshot, db: Db, index: number) {
    this.snap = snap;
    this.db = db;
    this.index = index;
    this.limit = db.idLimit;
    this.marks = new Uint32Array((this.limit + 31) >>> 5);
    this.keyCount = db.size;
    this.expiresCount = db.volatileCount;
    this.remaining = db.size;
  }

  isPending(id: number): boolean {
    return id < this.limit && (this.marks[id >>> 5]! & (1 << (id & 31))) === 0;
  }

  beforeChange(dict: Dict, id: number): void {
    if (id < this.limit && (this.marks[id >>> 5]! & (1 << (id & 31))) === 0) {
      this.db = dict as Db;
      this.snap.emit(this, dict as Db, id, HOW_CHANGE);
    }
  }

  created(id: number): void {
    if (id < this.limit) this.marks[id >>> 5]! |= 1 << (id & 31);
  }

  relocated(dict: Dict, from: number, to: number): void {
    // to < from always, so from < limit whenever to's old bit matters... except that to may be
    // a free id of the start (bit clear) while from is new: to must end up marked then.
    const pending = this.isPending(from);
    if (to < this.limit) {
      if (pending) this.marks[to >>> 5]! &= ~(1 << (to & 31));
      else this.marks[to >>> 5]! |= 1 << (to & 31);
    }
    if (from < this.limit) this.marks[from >>> 5]! |= 1 << (from & 31);
    // Moved from ahead of the walk to behind it: the walk would never see it again.
    if (pending && to < this.pos) {
      this.db = dict as Db;
      this.snap.emit(this, dict as Db, to, HOW_RELOCATION);
    }
  }

  beforeClear(dict: Dict): boolean {
    if (this.done) return false;
    // Keep the doomed contents (O(1)) and serialize them in the background; the flushed db
    // starts empty with no guard, so nothing created in it later is part of the snapshot.
    const holder = (dict as Db).detachContents();
    this.db = holder;
    this.detached = true;
    this.detachedBytes = holder.bytesUsed() - holder.ownBytes();
    this.snap.server.keyspace.detachedRecordBytes += this.detachedBytes;
    this.snap.stats.flushedDbs++;
    return true;
  }
}

/** Snapshot in progress on this server, or null (at most one at a time). */
export function snapshotInProgress(server: Server): Snapshot | null {
  return server.snapshot;
}

/**
 * Starts a point-in-time snapshot of the whole keyspace. Throws if one is already running
 * (attach to `snapshotInProgress(server)` instead while it has not serialized anything).
 */
export function startSnapshot(server: Server, consumer: SnapshotConsumer, opts: SnapshotOptions = {}): Snapshot {
  if (server.snapshot !== null) throw new Error('a snapshot is already in progress');
  const snap = new Snapshot(server, consumer, opts);
  server.snapshot = snap;
  snap.schedule();
  return snap;
}

export class Snapshot {
  readonly server: Server;
  readonly stats: SnapshotStats;
  private readonly consumers: SnapshotConsumer[];
  private readonly dbs: DbSnap[] = [];
  /** Index in `dbs` of the db the walk is on. */
  private cur = 0;
  private paused = false;
  private readonly autoRun: boolean;
  private readonly sliceMs: number;
  private readonly busySliceMs: number;
  /** server.stats.commandsProcessed at the previous slice (activity detection). */
  private lastCommands = -1;
  private readonly entriesPerSlice: number;
  private readonly yieldPollMs: number;
  private scheduled = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private readonly startMs = performance.now();
  /** Consumers with values open (written in pieces), in the order the walk continues them. */
  private readonly busy: SnapshotConsumer[] = [];

  constructor(server: Server, consumer: SnapshotConsumer, opts: SnapshotOptions) {
    this.server = server;
    this.consumers = [consumer];
    this.autoRun = opts.autoRun ?? true;
    this.sliceMs = opts.sliceMs ?? 1;
    this.busySliceMs = Math.min(this.sliceMs, opts.busySliceMs ?? 0.25);
    this.entriesPerSlice = opts.entriesPerSlice ?? Infinity;
    this.yieldPollMs = opts.yieldPollMs ?? 2;
    this.stats = {
      state: 'running',
      startedAt: Date.now(),
      keys: 0,
      expires: 0,
      serialized: 0,
      byWalk: 0,
      byChange: 0,
      byRelocation: 0,
      flushedDbs: 0,
      missed: 0,
      slices: 0,
      walkMs: 0,
      maxSliceMs: 0,
      elapsedMs: 0,
      abortReason: null,
    };
    const ks = server.keyspace;
    for (let i = 0; i < ks.dbs.length; i++) {
      const db = ks.dbs[i]!;
      if (db.guard !== null) throw new Error('snapshot: db ' + i + ' already has a guard');
      if (db.size === 0) continue;
      const s = new DbSnap(this, db, i);
      db.guard = s;
      this.dbs.push(s);
      this.stats.keys += s.keyCount;
      this.stats.expires += s.expiresCount;
    }
    ks.snapshotActive = true;
  }

  get state(): SnapshotState {
    return this.stats.state;
  }

  get running(): boolean {
    return this.stats.state === 'running';
  }

  /** Keys of the start not serialized yet. */
  get remaining(): number {
    return this.stats.keys - this.stats.serialized;
  }

  /**
   * Adds a consumer (another replica, a BGSAVE) to this snapshot. Only possible before the
   * first entry was serialized (the others would have to be replayed); false otherwise.
   */
  attach(consumer: SnapshotConsumer): boolean {
    if (!this.running || this.stats.serialized > 0) return false;
    this.consumers.push(consumer);
    return true;
  }

  /** Removes a consumer (e.g. its replica disconnected); without consumers the snapshot aborts. */
  detach(consumer: SnapshotConsumer): void {
    const i = this.consumers.indexOf(consumer);
    if (i < 0) return;
    this.consumers.splice(i, 1);
    const b = this.busy.indexOf(consumer);
    if (b >= 0) this.busy.splice(b, 1);
    consumer.abandon?.();
    if (this.consumers.length === 0) this.abort('no consumer left');
  }

  /** Stops the background walk (changes are still serialized: they cannot wait). */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.schedule();
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /**
   * Runs the background walk for about `budgetMs` (and at most `entriesPerSlice` entries;
   * nothing while paused). Returns true while there is walk work left; when it returns false
   * the snapshot is over (done, with onDone called, or aborted).
   */
  step(budgetMs: number): boolean {
    if (!this.running) return false;
    if (this.paused) return true;
    const t0 = performance.now();
    const more = this.walk(t0 + budgetMs);
    if (this.running) {
      const ms = performance.now() - t0;
      this.stats.slices++;
      this.stats.walkMs += ms;
      if (ms > this.stats.maxSliceMs) this.stats.maxSliceMs = ms;
      if (!more) this.finish();
    }
    return more && this.running;
  }

  /** Abandons the snapshot: guards removed, taken-over contents freed, consumers told. */
  abort(reason = 'aborted'): void {
    if (!this.running) return;
    this.busy.length = 0;
    for (const c of this.consumers) c.abandon?.();
    for (const s of this.dbs) {
      if (s.done) continue;
      s.done = true;
      const db = this.dbOf(s);
      db.guard = null;
      if (s.detached) this.freeDetached(s, db);
    }
    this.stats.abortReason = reason;
    this.end('aborted');
    for (const c of this.consumers.slice()) c.onAbort?.(reason);
  }

  // ---------------------------------------------------------------------------------- internals

  /** Serializes entry `id` of `db` (pending, live) for every consumer and marks it. */
  emit(s: DbSnap, db: Db, id: number, how: number): void {
    s.marks[id >>> 5]! |= 1 << (id & 31);
    s.remaining--;
    const st = this.stats;
    st.serialized++;
    if (how === HOW_WALK) st.byWalk++;
    else if (how === HOW_CHANGE) st.byChange++;
    else st.byRelocation++;
    const consumers = this.consumers;
    try {
      if (!s.announced) {
        s.announced = true;
        for (let i = 0; i < consumers.length; i++) consumers[i]!.onDbStart?.(s.index, s.keyCount, s.expiresCount);
      }
      for (let i = 0; i < consumers.length; i++) {
        const c = consumers[i]!;
        if (c.serializeEntry(s.index, db, id) === true && !this.busy.includes(c)) this.busy.push(c);
      }
    } catch (err) {
      // Called from inside Db mutators: never let the exception escape into them.
      this.serializerFailed(err);
      return;
    }
    // Open values need no guard: they are read from frozen views.
    if (s.remaining === 0) this.completeDb(s, db);
  }

  /**
   * Writes more of the open values until `deadline`; true when none is left. Never throws (a
   * failing serializer aborts the snapshot).
   */
  private continueOpen(deadline: number): boolean {
    const busy = this.busy;
    try {
      while (busy.length !== 0) {
        if (!busy[0]!.continueEntry!(deadline)) return false;
        busy.shift();
      }
    } catch (err) {
      this.serializerFailed(err);
      return true;
    }
    return true;
  }

  private serializerFailed(err: unknown): void {
    const msg = err instanceof Error ? err.message : String(err);
    this.server.log.warning('Snapshot aborted: the serializer failed: ' + msg);
    this.abort('serializer failed: ' + msg);
  }

  /** The Db holding `s`'s contents now (SWAPDB moves the guard to another Db object). */
  private dbOf(s: DbSnap): Db {
    if (s.db.guard === s) return s.db;
    for (const db of this.server.keyspace.dbs) {
      if (db.guard === s) {
        s.db = db;
        return db;
      }
    }
    throw new Error('snapshot: lost the db of index ' + s.index);
  }

  private completeDb(s: DbSnap, db: Db): void {
    s.done = true;
    db.guard = null;
    // Contents taken over at a flush are freed now that they are serialized.
    if (s.detached) this.freeDetached(s, db);
  }

  private freeDetached(s: DbSnap, holder: Db): void {
    holder.clear();
    this.server.keyspace.detachedRecordBytes -= s.detachedBytes;
    s.detachedBytes = 0;
  }

  /** The background walk, until `deadline`; true if work remains. */
  private walk(deadline: number): boolean {
    const cap = this.entriesPerSlice;
    const consumers = this.consumers;
    let emitted = 0;
    let work = 0;
    const dbs = this.dbs;
    if (this.busy.length !== 0 && !this.continueOpen(deadline)) return this.running;
    while (this.cur < dbs.length) {
      const s = dbs[this.cur]!;
      if (s.done) {
        this.cur++;
        continue;
      }
      const db = this.dbOf(s);
      // Compaction may have lowered the id space (entries only move down).
      const end = Math.min(s.limit, db.idLimit);
      const marks = s.marks;
      let pos = s.pos;
      while (pos < end) {
        const w = marks[pos >>> 5]!;
        if (w === 0xffffffff) {
          // 32 ids already serialized or new: skip the word.
          pos = (pos | 31) + 1;
          work++;
          continue;
        }
        const bit = 1 << (pos & 31);
        if ((w & bit) === 0 && db.isLive(pos)) {
          s.pos = pos + 1;
          this.emit(s, db, pos, HOW_WALK);
          if (!this.running) return false;
          if (this.busy.length !== 0) {
            // A big value was left open: give it the rest of this slice, and the next ones.
            s.pos = pos + 1;
            if (!this.continueOpen(deadline)) return this.running;
            if (!this.running) return false;
          }
          if (s.done) break;
          work += 16;
          if (++emitted >= cap) return true;
        } else {
          work++;
        }
        pos++;
        if (work >= 128) {
          work = 0;
          s.pos = pos;
          if (performance.now() >= deadline) return true;
          for (let i = 0; i < consumers.length; i++) if (consumers[i]!.shouldYield?.() === true) return true;
        }
      }
      s.pos = pos;
      if (!s.done) {
        if (s.remaining !== 0) {
          // Cannot happen if every change path calls the guard; counted so tests catch it.
          this.stats.missed += s.remaining;
          this.server.log.warning('Snapshot: ' + s.remaining + ' keys of db ' + s.index + ' were not serialized (bug)');
        }
        this.completeDb(s, db);
      }
      this.cur++;
    }
    return false;
  }

  private finish(): void {
    this.end('done');
    const stats = this.stats;
    for (const c of this.consumers.slice()) c.onDone(stats);
  }

  private end(state: SnapshotState): void {
    this.stats.state = state;
    this.stats.elapsedMs = performance.now() - this.startMs;
    if (this.pollTimer !== null) {
      clearTimeout(this.pollTimer);
      this.pollTimer = null;
    }
    this.server.keyspace.snapshotActive = false;
    if (this.server.snapshot === this) this.server.snapshot = null;
  }

  /** Queues the next background slice (autoRun). */
  schedule(): void {
    if (!this.autoRun || this.scheduled || this.pollTimer !== null || !this.running || this.paused) return;
    this.scheduled = true;
    setImmediate(this.tick);
  }

  private readonly tick = (): void => {
    this.scheduled = false;
    if (!this.running || this.paused) return;
    for (const c of this.consumers) {
      if (c.shouldYield?.() === true) {
        // Backed up: ask again a bit later rather than spinning on setImmediate.
        this.pollTimer = setTimeout(() => {
          this.pollTimer = null;
          this.tick();
        }, this.yieldPollMs);
        return;
      }
    }
    const commands = this.server.stats.commandsProcessed;
    const busy = commands !== this.lastCommands;
    this.lastCommands = commands;
    if (this.step(busy ? this.busySliceMs : this.sliceMs)) this.schedule();
  };
}

/** A copy of the stats, with elapsedMs up to date while running. */
export function snapshotStats(snap: Snapshot): SnapshotStats {
  const st = { ...snap.stats };
  if (snap.running) st.elapsedMs = Date.now() - st.startedAt;
  return st;
}
