/**
 * The replication stream held for a replica during its full sync (everything produced after
 * its snapshot point, sent once the RDB has gone out).
 *
 * Under write load that is hundreds of thousands of small commands per second of sync. Keeping
 * each command's own Buffer meant as many small objects surviving into V8's old space (GC work
 * that grows with the sync) and, at release, one ReplyWriter.raw per command in a single turn:
 * the bench (scripts/bench-repl.mjs) saw 30-45 ms stalls of the primary at every sync's end.
 * So bytes are copied into 64 KiB chunks as they arrive (one small memcpy per command), and the
 * owner releases them a few MiB at a time (master.ts, drainHeld).
 */

/** Size of the chunks the held bytes are packed into. */
const CHUNK = 64 * 1024;
/** Pieces at least this long are kept as they are (they are fresh buffers nobody mutates). */
const KEEP_AS_IS = 16 * 1024;

export class HeldStream {
  /** Sealed chunks, oldest first, from `head` on. */
  private chunks: Buffer[] = [];
  private head = 0;
  /** The chunk being filled, and how much of it is. */
  private tail: Buffer | null = null;
  private tailLen = 0;
  /** Bytes held (appended and not shifted out). */
  bytes = 0;

  get empty(): boolean {
    return this.bytes === 0;
  }

  /** Appends stream bytes. `b` must not change afterwards (stream encodings never do). */
  append(b: Buffer): void {
    const n = b.length;
    if (n === 0) return;
    this.bytes += n;
    const t = this.tail;
    if (t !== null && this.tailLen + n <= t.length) {
      let p = this.tailLen;
      if (n < 64) {
        for (let i = 0; i < n; i++) t[p++] = b[i]!;
      } else {
        b.copy(t, p);
        p += n;
      }
      this.tailLen = p;
      return;
    }
    this.seal();
    if (n >= KEEP_AS_IS) {
      this.chunks.push(b);
      return;
    }
    const c = Buffer.allocUnsafe(CHUNK);
    b.copy(c, 0);
    this.tail = c;
    this.tailLen = n;
  }

  /** Removes and returns the oldest piece (a chunk, or what the tail holds), null when empty. */
  shift(): Buffer | null {
    if (this.head === this.chunks.length) this.seal();
    if (this.head === this.chunks.length) return null;
    const b = this.chunks[this.head]!;
    this.chunks[this.head++] = EMPTY;
    if (this.head === this.chunks.length) {
      this.chunks = [];
      this.head = 0;
    }
    this.bytes -= b.length;
    return b;
  }

  private seal(): void {
    if (this.tail === null) return;
    if (this.tailLen > 0) this.chunks.push(this.tail.subarray(0, this.tailLen));
    this.tail = null;
    this.tailLen = 0;
  }
}

const EMPTY = Buffer.alloc(0);
