/**
 * The RDB half of a snapshot consumer (BGSAVE's file, a replica's full sync): turns the entries
 * a Snapshot hands over into RDB records, with SELECTDB whenever the db changes (changes may
 * serialize keys of any db between walk steps), big values in pieces (each value's bytes stay
 * contiguous: what is serialized meanwhile waits in OpenValues' buffers), and the encoded
 * bytes handed to `flush` every `chunk` bytes.
 *
 * Big values are written from frozen views (FrozenSlots in src/store/dense.ts, FrozenList in
 * src/store/types/list.ts, pinned stream nodes in src/store/types/stream.ts), so a change to
 * one never waits for it to be written: a change to a pending one opens it too (in pieces,
 * behind the values already open) instead of encoding it whole on the spot.
 */

import type { Db } from '../store/db.js';
import { TYPE_STRING } from '../store/db.js';
import { T_STRING } from './rdb-format.js';
import type { SnapshotConsumer, SnapshotStats } from './snapshot.js';
import { OpenValues, RdbOutput, beginObjectPieces, rdbTypeForObject, writeEntryHead, writeObjectValue, writeSelectDb, writeString, type EntryMeta } from './rdb-writer.js';

export interface SnapshotRdbOptions {
  /** Receives the encoded bytes, in order. */
  flush: (bytes: Buffer) => void;
  /** Bytes accumulated before a flush. */
  chunk: number;
  /** IDLE/FREQ of an entry (rdb-save-access-info), or null for none. */
  meta: ((db: Db, id: number) => EntryMeta | undefined) | null;
}

export class SnapshotRdbWriter {
  readonly out: RdbOutput;
  private readonly opts: SnapshotRdbOptions;
  private curDb = -1;
  private readonly dbCounts = new Map<number, [number, number]>();
  private readonly open = new OpenValues();
  /** Where the string sink writes (the side buffer while a value is open). */
  private sinkOut: RdbOutput;
  private readonly stringSink: { bulkSlice(b: Buffer, start: number, end: number): void };

  constructor(out: RdbOutput, opts: SnapshotRdbOptions) {
    this.out = out;
    this.opts = opts;
    this.sinkOut = out;
    this.stringSink = { bulkSlice: (b, start, end) => writeString(this.sinkOut, b, start, end) };
  }

  /** Key and TTL counts of a db at the start (its SELECTDB's RESIZEDB hint). */
  onDbStart(dbIndex: number, keyCount: number, expiresCount: number): void {
    this.dbCounts.set(dbIndex, [keyCount, expiresCount]);
  }

  /**
   * One entry: whole, or, for a stream or a big list, hash, set or sorted set, its head and
   * length now and its elements from a frozen view later (true; continueEntry writes them).
   * Behind values already open, it waits for them.
   */
  entry(dbIndex: number, db: Db, id: number): boolean {
    const out = this.open.target(this.out);
    this.head(out, dbIndex, db, id);
    const type = db.typeOf(id);
    let opened = false;
    if (type === TYPE_STRING) {
      // Streamed from the slab without a copy.
      this.sinkOut = out;
      db.replyString(id, this.stringSink);
      this.sinkOut = this.out;
    } else {
      const obj = db.peekObject<unknown>(id);
      const w = beginObjectPieces(out, type, obj);
      if (w === null) writeObjectValue(out, type, obj);
      else {
        this.open.push(w);
        opened = true;
      }
    }
    this.maybeFlush();
    return opened;
  }

  /** More of the open values until `deadline`; true when they (and what waited behind them) are written. */
  continueEntry(deadline: number): boolean {
    const done = this.open.continue(this.out, deadline);
    this.maybeFlush();
    return done;
  }

  /** Lets go of the open values (the snapshot was abandoned): their frozen views thaw. */
  abandon(): void {
    this.open.abandon();
  }

  /** SELECTDB if needed, then the record's prefix, type byte and key. */
  private head(out: RdbOutput, dbIndex: number, db: Db, id: number): void {
    if (dbIndex !== this.curDb) {
      const counts = this.dbCounts.get(dbIndex) ?? [0, 0];
      writeSelectDb(out, dbIndex, counts[0], counts[1]);
      this.curDb = dbIndex;
    }
    const type = db.typeOf(id);
    const meta = this.opts.meta === null ? undefined : this.opts.meta(db, id);
    writeEntryHead(out, db.keyView(id), type === TYPE_STRING ? T_STRING : rdbTypeForObject(type, out.version), db.expireAt(id), meta);
  }

  private maybeFlush(): void {
    if (this.out.pending >= this.opts.chunk) this.opts.flush(this.out.take());
  }
}

/**
 * A snapshot consumer writing an RDB with a SnapshotRdbWriter (BGSAVE's file, a replica's full
 * sync): the entry and piece calls go to the writer; subclasses create it (after the header)
 * and decide what happens to the bytes and at the end.
 */
export abstract class RdbSnapshotConsumer implements SnapshotConsumer {
  protected abstract readonly rdb: SnapshotRdbWriter;

  onDbStart(dbIndex: number, keyCount: number, expiresCount: number): void {
    this.rdb.onDbStart(dbIndex, keyCount, expiresCount);
  }

  serializeEntry(dbIndex: number, db: Db, id: number): boolean {
    return this.rdb.entry(dbIndex, db, id);
  }

  continueEntry(deadline: number): boolean {
    return this.rdb.continueEntry(deadline);
  }

  abandon(): void {
    this.rdb.abandon();
  }

  abstract onDone(stats: SnapshotStats): void;
}
