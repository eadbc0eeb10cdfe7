/**
 * Applies RDB records to a Keyspace (start-up load, DEBUG RELOAD, a replica's full sync), with
 * Redis 7.0's loader rules (§4.6, §4.13):
 * - collections are re-encoded for the current limits (rdb-values.buildValue);
 * - empty collections are skipped; a duplicate key is fatal ("Duplicated key found in RDB file");
 * - a primary loading its own file drops keys whose TTL has passed; a replica loading a full
 *   sync keeps them (the master will send the DELs): option `dropExpired`;
 * - IDLE / FREQ set the key's access word when the eviction policy tracks that kind.
 */

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Keyspace } from '../store/db.js';
import { TYPE_STRING } from '../store/db.js';
import { lfuPolicyActive, lfuTimeInMinutes, lruClockSeconds } from '../store/expire.js';
import { RdbError, type RdbKeyRecord } from './rdb-format.js';
import { RdbReader, type RdbReaderOptions, type RdbSink } from './rdb-reader.js';
import { DEFAULT_LIMITS, ValueTypeError, buildValue, checkDistinctMembers, isEmptyValue, type EncodingLimits } from './rdb-values.js';

export interface LoadOptions {
  limits?: EncodingLimits;
  /** Drop keys already expired (a primary loading from disk). Default true. */
  dropExpired?: boolean;
  /** Clock for dropExpired (default Date.now() at the start of the load). */
  nowMs?: number;
  /** Function library sources found in the file (FUNCTION2). */
  onFunction?: (code: Buffer) => void;
  /** AUX fields (repl-id, repl-offset, repl-stream-db...). */
  onAux?: (name: string, value: Buffer) => void;
  reader?: RdbReaderOptions;
}

export interface LoadStats {
  version: number;
  keys: number;
  expiredSkipped: number;
  emptySkipped: number;
  functions: number;
  aux: Map<string, string>;
}

/** An RdbSink that stores every key into `keyspace`. */
export class RdbLoader implements RdbSink {
  readonly stats: LoadStats = { version: 0, keys: 0, expiredSkipped: 0, emptySkipped: 0, functions: 0, aux: new Map() };
  private readonly limits: EncodingLimits;
  private readonly dropExpired: boolean;
  private readonly now: number;

  constructor(
    private readonly keyspace: Keyspace,
    private readonly opts: LoadOptions = {},
  ) {
    this.limits = opts.limits ?? DEFAULT_LIMITS;
    this.dropExpired = opts.dropExpired ?? true;
    this.now = opts.nowMs ?? Date.now();
  }

  onHeader(version: number): void {
    this.stats.version = version;
  }

  onAux(name: Buffer, value: Buffer): void {
    const n = name.toString('latin1');
    this.stats.aux.set(n, value.toString('latin1'));
    this.opts.onAux?.(n, value);
  }

  onSelectDb(db: number): void {
    if (db >= this.keyspace.dbs.length) {
      throw new RdbError(
        'FATAL: Data file was created with a Redis server configured to handle more than ' + this.keyspace.dbs.length + ' databases. Exiting',
        -1,
      );
    }
  }

  onFunction(code: Buffer): void {
    this.stats.functions++;
    this.opts.onFunction?.(Buffer.from(code));
  }

  onKey(r: RdbKeyRecord): void {
    if (r.db >= this.keyspace.dbs.length) throw new RdbError('key for database ' + r.db + ' beyond the configured databases', -1);
    const db = this.keyspace.dbs[r.db]!;
    if (isEmptyValue(r.value)) {
      this.stats.emptySkipped++;
      return;
    }
    if (this.dropExpired && r.expireMs !== -1 && r.expireMs < this.now) {
      try {
        checkDistinctMembers(r.value);
      } catch (e) {
        if (e instanceof ValueTypeError) throw new RdbError(e.message, -1);
        throw e;
      }
      this.stats.expiredSkipped++;
      return;
    }
    // A duplicate overwrites instead of adding a key: detected by the size, without a second
    // lookup (the load fails anyway, so the overwrite does not matter).
    const before = db.size;
    let id: number;
    if (r.value.kind === 'string') {
      id = db.setString(r.key, r.value.value);
    } else {
      let built: { type: number; obj: object };
      try {
        built = buildValue(r.value, r.rdbType, this.limits);
      } catch (e) {
        if (e instanceof ValueTypeError) throw new RdbError(e.message, -1);
        throw e;
      }
      id = built.type === TYPE_STRING ? db.setString(r.key, built.obj as Buffer) : db.setObject(r.key, built.type, built.obj);
    }
    if (db.size === before) throw new RdbError('Duplicated key found in RDB file', -1);
    if (r.expireMs !== -1) db.setExpireAt(id, r.expireMs);
    applyAccessInfo(db, id, r.lruIdle, r.lfuFreq);
    this.stats.keys++;
  }
}

/** Redis's objectSetLRUOrLFU: FREQ under an LFU policy, IDLE otherwise. */
export function applyAccessInfo(db: { setLru(id: number, v: number): void }, id: number, lruIdle: number, lfuFreq: number): void {
  if (lfuPolicyActive()) {
    if (lfuFreq >= 0) db.setLru(id, (lfuTimeInMinutes() << 8) | (lfuFreq & 0xff));
  } else if (lruIdle >= 0) {
    db.setLru(id, (lruClockSeconds() - (lruIdle % 0x1000000) + 0x1000000) & 0xffffff);
  }
}

/** Loads a whole RDB held in memory. */
export function loadRdbBuffer(keyspace: Keyspace, data: Buffer, opts: LoadOptions = {}): LoadStats {
  const l = new RdbLoader(keyspace, opts);
  const r = new RdbReader(l, { totalLength: data.length, ...opts.reader });
  r.feed(data);
  r.end();
  return l.stats;
}

/** Streams an RDB file into the keyspace (never holding the whole file). */
export async function loadRdbFile(keyspace: Keyspace, path: string, opts: LoadOptions = {}): Promise<LoadStats> {
  const size = (await stat(path)).size;
  const l = new RdbLoader(keyspace, opts);
  const r = new RdbReader(l, { totalLength: size, ...opts.reader });
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  for await (const chunk of stream) r.feed(chunk as Buffer);
  r.end();
  return l.stats;
}
