/**
 * The RDB half of a snapshot consumer (BGSAVE's file, a replica's full sync): turns the entries
 * a Snapshot hands over into RDB records, with SELECTDB whenever the db changes (changes may
 * serialize keys of any db between walk steps), big values in pieces (the open value's bytes
 * stay contiguous: entries serialized meanwhile wait in OpenValue's side buffer), and the
 * encoded bytes handed to `flush` every `chunk` bytes.
 */

import type { Db } from '../store/db.js';
import { TYPE_STRING } from '../store/db.js';
import { T_STRING } from './rdb-format.js';
import { OpenValue, RdbOutput, beginObjectPieces, rdbTypeForObject, writeEntryHead, writeObjectValue, writeSelectDb, writeString, type EntryMeta } from './rdb-writer.js';

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
  private readonly openValue = new OpenValue();
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

  /** One entry, whole (held back while a value is open). */
  entry(dbIndex: number, db: Db, id: number): void {
    const out = this.openValue.target(this.out);
    this.head(out, dbIndex, db, id);
    const type = db.typeOf(id);
    if (type === TYPE_STRING) {
      // Streamed from the slab without a copy.
      this.sinkOut = out;
      db.replyString(id, this.stringSink);
      this.sinkOut = this.out;
    } else {
      writeObjectValue(out, type, db.peekObject<unknown>(id));
    }
    this.maybeFlush();
  }

  /** One entry from the walk: a big value is left open (true); continueEntry writes the rest. */
  entryInPieces(dbIndex: number, db: Db, id: number): boolean {
    const type = db.typeOf(id);
    if (type === TYPE_STRING) {
      this.entry(dbIndex, db, id);
      return false;
    }
    const out = this.out;
    this.head(out, dbIndex, db, id);
    const obj = db.peekObject<unknown>(id);
    const w = beginObjectPieces(out, type, obj);
    if (w === null) writeObjectValue(out, type, obj);
    else this.openValue.writer = w;
    this.maybeFlush();
    return w !== null;
  }

  /** More of the open value until `deadline`; true when it (and the held-back entries) are written. */
  continueEntry(deadline: number): boolean {
    const done = this.openValue.continue(this.out, deadline);
    this.maybeFlush();
    return done;
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
