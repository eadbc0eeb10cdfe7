/**
 * Whole-keyspace RDB production on top of rdb-writer: SAVE-style synchronous dumps (to a Buffer
 * list or a file) and the per-db walk a snapshot engine or a replication master can drive in
 * slices. Keys whose TTL has passed are written too, like Redis (the loader decides).
 */

import { open, rename, unlink } from 'node:fs/promises';
import type { Db, Keyspace } from '../store/db.js';
import { TYPE_STRING } from '../store/db.js';
import { idleSeconds, lfuDecrAndReturn } from '../store/expire.js';
import { T_STRING } from './rdb-format.js';
import { RdbOutput, standardAux, writeEntry, writeEntryHead, writeHeader, writeString, writeSelectDb, writeTrailer, type AuxOptions, type EntryMeta, type RdbWriteOptions } from './rdb-writer.js';

export interface SaveOptions extends RdbWriteOptions, AuxOptions {
  /** Which per-key access info to write: IDLE (LRU policies), FREQ (LFU policies) or none. */
  accessInfo?: 'lru' | 'lfu' | 'none';
  /** lfu-decay-time, for the FREQ counter (default 1). */
  lfuDecayTime?: number;
  /** Called whenever at least this many bytes are pending (default 1 MiB). */
  flushBytes?: number;
}

/** The IDLE/FREQ metadata of entry `id`, or undefined. */
export function accessMeta(db: Db, id: number, opts: SaveOptions): EntryMeta | undefined {
  if (opts.accessInfo === 'lru') return { idle: idleSeconds(db.lru(id)) };
  if (opts.accessInfo === 'lfu') return { freq: lfuDecrAndReturn(db.lru(id), opts.lfuDecayTime ?? 1) };
  return undefined;
}

/** Appends one db (SELECTDB, RESIZEDB, every key); nothing for an empty db. */
export function writeDb(out: RdbOutput, db: Db, index: number, opts: SaveOptions, flush?: (b: Buffer) => void): void {
  if (db.size === 0) return;
  writeSelectDb(out, index, db.size, db.volatileCount);
  const limit = opts.flushBytes ?? 1 << 20;
  // Strings are written straight from the slab (Db.replyString hands out the bytes' location),
  // which saves a Buffer view per key.
  const stringSink = { bulkSlice: (b: Buffer, start: number, end: number) => writeString(out, b, start, end) };
  const lru = opts.accessInfo === 'lru' || opts.accessInfo === 'lfu';
  db.forEach((id) => {
    const type = db.typeOf(id);
    const meta = lru ? accessMeta(db, id, opts) : undefined;
    if (type === TYPE_STRING) {
      writeEntryHead(out, db.keyView(id), T_STRING, db.expireAt(id), meta);
      db.replyString(id, stringSink);
    } else {
      writeEntry(out, db.keyView(id), type, db.peekObject<unknown>(id), db.expireAt(id), meta);
    }
    if (flush !== undefined && out.pending >= limit) flush(out.take());
  });
}

/** A complete RDB of the keyspace, emitted in chunks through `flush`. */
export function writeKeyspace(keyspace: Keyspace, opts: SaveOptions, flush: (b: Buffer) => void): void {
  const out = new RdbOutput(opts);
  writeHeader(out, standardAux(opts));
  keyspace.dbs.forEach((db, i) => writeDb(out, db, i, opts, flush));
  writeTrailer(out);
  flush(out.take());
}

/** A complete RDB of the keyspace as one Buffer. */
export function rdbOfKeyspace(keyspace: Keyspace, opts: SaveOptions = {}): Buffer {
  const parts: Buffer[] = [];
  writeKeyspace(keyspace, opts, (b) => parts.push(b));
  return Buffer.concat(parts);
}

/** SAVE: writes the RDB to `path` through a temp file and an atomic rename. */
export async function saveRdbFile(keyspace: Keyspace, path: string, opts: SaveOptions = {}): Promise<number> {
  const tmp = path + '.tmp-' + process.pid + '-' + Date.now();
  const fh = await open(tmp, 'w');
  let bytes = 0;
  try {
    // The snapshot is taken synchronously (a consistent point in time); only the writes wait.
    const parts: Buffer[] = [];
    writeKeyspace(keyspace, opts, (b) => parts.push(b));
    for (const p of parts) {
      await fh.write(p);
      bytes += p.length;
    }
    await fh.sync();
  } catch (e) {
    await fh.close();
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await fh.close();
  await rename(tmp, path);
  return bytes;
}
