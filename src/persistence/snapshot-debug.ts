/**
 * DEBUG SNAPSHOT-TEST: a debugging/measurement facility, not a Redis command. It runs the
 * snapshot engine (snapshot.ts) on a live server with a stand-in serializer that folds every
 * entry into DEBUG DIGEST's digest - work proportional to the value size, like an encoder - so
 * that tests and benchmarks can check "the snapshot equals the dataset at its start" (compare
 * with DEBUG DIGEST taken just before START) and measure client latency while it runs. MODE
 * CHECKSUM instead folds every byte into a 32-bit FNV-1a sum without allocating (~ the CPU cost
 * of an encoder, without SHA1's garbage), for latency measurements.
 *
 *   DEBUG SNAPSHOT-TEST START [SLICE ms] [BATCH entries] [MODE DIGEST|CHECKSUM]
 *                                 -> +OK (runs in the background)
 *   DEBUG SNAPSHOT-TEST STATUS    -> bulk "field:value" lines (state, counters, digest)
 *   DEBUG SNAPSHOT-TEST ABORT | PAUSE | RESUME             -> +OK
 */

import type { Client } from '../server/client.js';
import type { Server } from '../server/server.js';
import { TYPE_STRING, type Db } from '../store/db.js';
import { Digest, DIGEST_LEN, digestKey, type DigestValue } from '../util/digest.js';
import { startSnapshot, snapshotStats, type Snapshot, type SnapshotConsumer } from './snapshot.js';

/** Folds serialized entries into a DEBUG DIGEST-compatible digest, per db of the start. */
export class DigestConsumer implements SnapshotConsumer {
  readonly server: Server;
  /** XOR of SHA1(per-key digest) per db index. */
  private readonly perDb = new Map<number, Digest>();
  keys = 0;
  valueBytes = 0;
  /** Values no type module could describe (not folded, like DEBUG DIGEST). */
  unknown = 0;
  dbStarts = 0;

  constructor(server: Server) {
    this.server = server;
  }

  onDbStart(): void {
    this.dbStarts++;
  }

  serializeEntry(dbIndex: number, db: Db, id: number): void {
    const type = db.typeOf(id);
    let v: DigestValue | null;
    if (type === TYPE_STRING) {
      const s = db.getString(id);
      this.valueBytes += s.length;
      v = { type: 'string', value: s };
    } else {
      const fn = this.server.valueDigesters.get(type);
      v = fn !== undefined ? fn(db.peekObject(id)) : null;
    }
    this.keys++;
    if (v === null) {
      this.unknown++;
      return;
    }
    let acc = this.perDb.get(dbIndex);
    if (acc === undefined) {
      acc = new Digest();
      this.perDb.set(dbIndex, acc);
    }
    acc.xorIn(digestKey(db.keyView(id), v, db.expireAt(id)));
  }

  onDone(): void {
    // nothing: the result is read through digest()
  }

  /** DEBUG DIGEST of what was serialized: per db in index order, mix(index) then the XOR. */
  digest(): string {
    const f = new Digest();
    for (const i of [...this.perDb.keys()].sort((a, b) => a - b)) {
      f.mixU32(i);
      const x = this.perDb.get(i)!.bytes;
      for (let k = 0; k < DIGEST_LEN; k++) f.bytes[k]! ^= x[k]!;
    }
    return f.hex();
  }
}

/** FNV-1a over b, continuing from h. */
function fnv(h: number, b: Uint8Array): number {
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h;
}

/** Touches every byte of every entry (FNV-1a), allocation-free for strings. */
export class ChecksumConsumer implements SnapshotConsumer {
  readonly server: Server;
  /** Sum of per-key hashes (order-independent). */
  sum = 0;
  keys = 0;
  valueBytes = 0;
  unknown = 0;
  dbStarts = 0;

  constructor(server: Server) {
    this.server = server;
  }

  onDbStart(): void {
    this.dbStarts++;
  }

  serializeEntry(dbIndex: number, db: Db, id: number): void {
    let h = fnv(0x811c9dc5 ^ dbIndex, db.keyView(id));
    const type = db.typeOf(id);
    if (type === TYPE_STRING) {
      const v = db.getString(id);
      h = fnv(h, v);
      this.valueBytes += v.length;
    } else {
      const fn = this.server.valueDigesters.get(type);
      const v = fn !== undefined ? fn(db.peekObject(id)) : null;
      if (v === null) this.unknown++;
      else if (v.type === 'list') for (const e of v.elements) h = fnv(h, e);
      else if (v.type === 'set') for (const e of v.members) h = fnv(h, e);
      else if (v.type === 'hash' || v.type === 'zset') for (const [a] of v.entries) h = fnv(h, a);
    }
    h ^= db.expireAt(id) | 0;
    this.sum = (this.sum + (h >>> 0)) >>> 0;
    this.keys++;
  }

  onDone(): void {
    // read through sum
  }
}

interface DebugRun {
  snap: Snapshot;
  consumer: DigestConsumer | ChecksumConsumer;
}

const runs = new WeakMap<Server, DebugRun>();

function word(b: Buffer): string {
  return b.toString('latin1').toLowerCase();
}

/** DEBUG SNAPSHOT-TEST ... (argv[0] = DEBUG, argv[1] = SNAPSHOT-TEST). */
export function debugSnapshotTest(c: Client, argv: Buffer[]): void {
  const server = c.server;
  const sub = argv.length > 2 ? word(argv[2]!) : '';
  if (sub === 'start') {
    let sliceMs = 1;
    let batch = Infinity;
    let checksum = false;
    for (let j = 3; j < argv.length; j += 2) {
      const opt = word(argv[j]!);
      if (opt === 'mode' && j + 1 < argv.length && (word(argv[j + 1]!) === 'digest' || word(argv[j + 1]!) === 'checksum')) {
        checksum = word(argv[j + 1]!) === 'checksum';
        continue;
      }
      const n = j + 1 < argv.length ? Number(argv[j + 1]!.toString('latin1')) : NaN;
      if (!(n > 0)) {
        c.reply.error('ERR syntax error');
        return;
      }
      if (opt === 'slice') sliceMs = n;
      else if (opt === 'batch') batch = Math.floor(n);
      else {
        c.reply.error('ERR syntax error');
        return;
      }
    }
    if (server.snapshot !== null) {
      c.reply.error('ERR a snapshot is already in progress');
      return;
    }
    const consumer = checksum ? new ChecksumConsumer(server) : new DigestConsumer(server);
    const snap = startSnapshot(server, consumer, { sliceMs, entriesPerSlice: batch });
    runs.set(server, { snap, consumer });
    c.reply.ok();
    return;
  }
  const run = runs.get(server);
  if (sub === 'status') {
    if (run === undefined) {
      c.reply.bulk(Buffer.from('state:none\r\n', 'latin1'));
      return;
    }
    const st = snapshotStats(run.snap);
    let text =
      'state:' + st.state + '\r\n' +
      'keys:' + st.keys + '\r\n' +
      'expires:' + st.expires + '\r\n' +
      'serialized:' + st.serialized + '\r\n' +
      'by_walk:' + st.byWalk + '\r\n' +
      'by_change:' + st.byChange + '\r\n' +
      'by_relocation:' + st.byRelocation + '\r\n' +
      'flushed_dbs:' + st.flushedDbs + '\r\n' +
      'missed:' + st.missed + '\r\n' +
      'slices:' + st.slices + '\r\n' +
      'walk_ms:' + st.walkMs.toFixed(3) + '\r\n' +
      'max_slice_ms:' + st.maxSliceMs.toFixed(3) + '\r\n' +
      'elapsed_ms:' + st.elapsedMs.toFixed(3) + '\r\n' +
      'value_bytes:' + run.consumer.valueBytes + '\r\n' +
      'unknown_types:' + run.consumer.unknown + '\r\n' +
      'db_starts:' + run.consumer.dbStarts + '\r\n';
    if (st.state === 'done') {
      const cons = run.consumer;
      text += cons instanceof DigestConsumer ? 'digest:' + cons.digest() + '\r\n' : 'checksum:' + cons.sum + '\r\n';
    }
    if (st.abortReason !== null) text += 'abort_reason:' + st.abortReason + '\r\n';
    c.reply.bulk(Buffer.from(text, 'latin1'));
    return;
  }
  if (sub === 'abort' || sub === 'pause' || sub === 'resume') {
    if (run === undefined || !run.snap.running) {
      c.reply.error('ERR no snapshot test in progress');
      return;
    }
    if (sub === 'abort') run.snap.abort('DEBUG SNAPSHOT-TEST ABORT');
    else if (sub === 'pause') run.snap.pause();
    else run.snap.resume();
    c.reply.ok();
    return;
  }
  c.reply.error('ERR DEBUG SNAPSHOT-TEST START [SLICE ms] [BATCH n] [MODE DIGEST|CHECKSUM] | STATUS | ABORT | PAUSE | RESUME');
}
