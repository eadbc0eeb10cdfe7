/**
 * Stream node listpacks (§4.9): validation of what the reader loads, entry iteration (tests,
 * DEBUG DIGEST of decoded streams) and building nodes for writers that only have entries.
 *
 * Node content (all numbers listpack integers):
 *   master entry: count deleted num-fields field_1..field_N 0
 *   each entry:   flags ms-delta seq-delta [num-fields f1 v1 .. | v1 .. vN] lp-count
 * flags: 1 = deleted, 2 = same fields as the master entry. IDs are master + delta mod 2^64.
 */

import { ListpackReader, ListpackWriter, ListpackError } from '../store/listpack.js';
import { BlobError } from './rdb-blobs.js';
import type { RdbStreamValue, StreamId } from './rdb-format.js';

const FLAG_DELETED = 1;
const FLAG_SAMEFIELDS = 2;
const U64 = (1n << 64n) - 1n;

export interface StreamEntry {
  id: StreamId;
  /** Alternating field, value. */
  fields: Buffer[];
}

class NodeCursor {
  readonly r: ListpackReader;
  constructor(lp: Buffer) {
    try {
      this.r = new ListpackReader(lp);
    } catch (e) {
      if (e instanceof ListpackError) throw new BlobError(e.message, 0);
      throw e;
    }
  }
  private next(): void {
    let ok: boolean;
    try {
      ok = this.r.next();
    } catch (e) {
      if (e instanceof ListpackError) throw new BlobError(e.message, this.r.pos);
      throw e;
    }
    if (!ok) throw new BlobError('stream listpack ends inside an entry', this.r.pos);
  }
  has(): boolean {
    const save = this.r.pos;
    try {
      const ok = this.r.next();
      this.r.pos = save;
      return ok;
    } catch (e) {
      if (e instanceof ListpackError) throw new BlobError(e.message, save);
      throw e;
    }
  }
  int(): bigint {
    this.next();
    const v = this.r.intValue();
    if (v === null) throw new BlobError('stream listpack: integer expected', this.r.elemStart);
    return BigInt(v);
  }
  num(): number {
    const v = this.int();
    if (v < 0n || v > 0xffffffffn) throw new BlobError('stream listpack: count out of range', this.r.elemStart);
    return Number(v);
  }
  bytes(): Buffer {
    this.next();
    return this.r.isInt ? Buffer.from(String(this.r.int), 'latin1') : this.r.buf.subarray(this.r.strStart, this.r.strEnd);
  }
}

/**
 * Walks one node listpack, checking its structure. Calls `onEntry` for live entries when given.
 * Returns false for an empty listpack.
 */
function walkNode(lp: Buffer, master: StreamId, onEntry: ((e: StreamEntry) => void) | null): boolean {
  const c = new NodeCursor(lp);
  if (!c.has()) return false;
  const count = c.num();
  const deleted = c.num();
  const nf = c.num();
  const masterFields: Buffer[] = [];
  for (let i = 0; i < nf; i++) masterFields.push(c.bytes());
  if (c.int() !== 0n) throw new BlobError('stream listpack: bad master entry terminator', c.r.elemStart);
  let live = 0;
  let dead = 0;
  let prev: StreamId | null = null;
  while (c.has()) {
    const flags = Number(c.int());
    if (flags < 0 || flags > 3) throw new BlobError('stream listpack: bad entry flags ' + flags, c.r.elemStart);
    const ms = (master.ms + c.int()) & U64;
    const seq = (master.seq + c.int()) & U64;
    const id = { ms, seq };
    if (prev !== null && (ms < prev.ms || (ms === prev.ms && seq <= prev.seq))) {
      throw new BlobError('stream listpack: entry IDs not increasing', c.r.elemStart);
    }
    prev = id;
    let elements: number;
    const fields: Buffer[] = [];
    if ((flags & FLAG_SAMEFIELDS) !== 0) {
      for (let i = 0; i < nf; i++) fields.push(masterFields[i]!, c.bytes());
      elements = 3 + nf;
    } else {
      const n = c.num();
      for (let i = 0; i < n; i++) fields.push(c.bytes(), c.bytes());
      elements = 4 + 2 * n;
    }
    if (c.num() !== elements) throw new BlobError('stream listpack: lp-count does not match the entry', c.r.elemStart);
    if ((flags & FLAG_DELETED) !== 0) dead++;
    else {
      live++;
      if (onEntry !== null) onEntry({ id, fields });
    }
  }
  if (live !== count || dead !== deleted) throw new BlobError('stream listpack: master counts ' + count + '/' + deleted + ' but ' + live + '/' + dead + ' entries', 6);
  return true;
}

/** Validates a node listpack (throws BlobError); false when it is empty. */
export function validateStreamNode(lp: Buffer, master: StreamId): boolean {
  return walkNode(lp, master, null);
}

/** Live entries of a decoded stream, in ID order. */
export function streamEntries(s: RdbStreamValue): StreamEntry[] {
  const out: StreamEntry[] = [];
  for (const n of s.nodes) walkNode(n.listpack, n.masterId, (e) => out.push(e));
  return out;
}

function cmpId(a: StreamId, b: StreamId): number {
  return a.ms < b.ms ? -1 : a.ms > b.ms ? 1 : a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0;
}

/** The first live entry's ID (0-0 when empty): what Redis derives for type 15 streams. */
export function firstEntryId(s: RdbStreamValue): StreamId {
  const e = streamEntries(s);
  return e.length > 0 ? e[0]!.id : { ms: 0n, seq: 0n };
}

/**
 * Packs entries (ascending IDs) into node listpacks the way Redis's XADD fills them: a new
 * node when the current one holds `maxEntries` entries or would pass `maxBytes`.
 */
export function buildStreamNodes(entries: StreamEntry[], maxBytes = 4096, maxEntries = 100): Array<{ masterId: StreamId; listpack: Buffer }> {
  const out: Array<{ masterId: StreamId; listpack: Buffer }> = [];
  let i = 0;
  for (let k = 1; k < entries.length; k++) if (cmpId(entries[k - 1]!.id, entries[k]!.id) >= 0) throw new Error('stream entries must have increasing IDs');
  while (i < entries.length) {
    const master = entries[i]!;
    const mf: Buffer[] = [];
    for (let f = 0; f < master.fields.length; f += 2) mf.push(master.fields[f]!);
    const w = new ListpackWriter();
    let n = 0;
    while (i < entries.length && n < maxEntries) {
      const e = entries[i]!;
      const same = e.fields.length === 2 * mf.length && mf.every((f, j) => f.equals(e.fields[2 * j]!));
      const approx = w.byteLength + 16 + e.fields.reduce((a, b) => a + b.length + 3, 0);
      if (n > 0 && approx > maxBytes) break;
      const msd = e.id.ms - master.id.ms;
      const seqd = BigInt.asIntN(64, e.id.seq - master.id.seq);
      if (n === 0) {
        w.appendInteger(1);
        w.appendInteger(0);
        w.appendInteger(mf.length);
        for (const f of mf) w.append(f);
        w.appendInteger(0);
      }
      w.appendInteger(same ? FLAG_SAMEFIELDS : 0);
      w.appendInteger(msd);
      w.appendInteger(seqd);
      if (same) {
        for (let f = 1; f < e.fields.length; f += 2) w.append(e.fields[f]!);
        w.appendInteger(3 + mf.length);
      } else {
        w.appendInteger(e.fields.length / 2);
        for (const x of e.fields) w.append(x);
        w.appendInteger(4 + e.fields.length);
      }
      n++;
      i++;
    }
    const lp = w.finish();
    // Patch the live count of the master entry (first element: a 1-byte integer when n < 128).
    out.push({ masterId: master.id, listpack: patchCount(lp, n) });
  }
  return out;
}

/** Rewrites the master entry's count (element 0) of a node listpack. */
function patchCount(lp: Buffer, n: number): Buffer {
  if (n <= 127) {
    const b = Buffer.from(lp);
    b[6] = n;
    return b;
  }
  // Rebuild with the right count encoding.
  const r = new ListpackReader(lp);
  const w = new ListpackWriter(lp.length + 8);
  let first = true;
  while (r.next()) {
    if (first) {
      w.appendInteger(n);
      first = false;
    } else if (r.isInt) w.appendInteger(r.int);
    else w.appendString(r.buf, r.strStart, r.strEnd);
  }
  return w.finish();
}
