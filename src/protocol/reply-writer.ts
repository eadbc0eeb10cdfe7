/**
 * The reply writer: one growable output buffer per client.
 *
 * Handlers append replies here; the connection flushes once per read burst (one socket write
 * for a whole pipeline). RESP2 vs RESP3 differences (null, map, set, double, boolean, push) are
 * hidden behind methods so handlers never branch on the protocol version.
 *
 * A socket that takes the bytes at once leaves the working buffer free for reuse; otherwise
 * small flushes are copied out into a right-sized buffer and a large one hands its buffer to
 * the socket (a fresh one is allocated).
 */

const CRLF = 0x0a0d; // "\r\n" as a little-endian uint16
const INITIAL_SIZE = 16 * 1024;
const HAND_OVER_SIZE = 8 * 1024;
/** A working buffer grown past this by one big reply is not kept after the flush. */
const KEEP_SIZE = 256 * 1024;

function enc(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

/** Pre-encoded constant replies (Redis's shared objects). */
export const SHARED = {
  ok: enc('+OK\r\n'),
  pong: enc('+PONG\r\n'),
  queued: enc('+QUEUED\r\n'),
  zero: enc(':0\r\n'),
  one: enc(':1\r\n'),
  minusOne: enc(':-1\r\n'),
  minusTwo: enc(':-2\r\n'),
  nullBulk2: enc('$-1\r\n'),
  nullArray2: enc('*-1\r\n'),
  null3: enc('_\r\n'),
  emptyArray: enc('*0\r\n'),
  emptyBulk: enc('$0\r\n\r\n'),
  true3: enc('#t\r\n'),
  false3: enc('#f\r\n'),
} as const;

// Integer replies and bulk/array headers for small numbers are pre-encoded (Redis shares 0..9999).
const SMALL_INT_LIMIT = 10000;
const smallInts: Buffer[] = [];
for (let i = 0; i < SMALL_INT_LIMIT; i++) smallInts.push(enc(':' + i + '\r\n'));
const HEADER_LIMIT = 1024;
const bulkHeaders: Buffer[] = [];
const arrayHeaders: Buffer[] = [];
for (let i = 0; i < HEADER_LIMIT; i++) {
  bulkHeaders.push(enc('$' + i + '\r\n'));
  arrayHeaders.push(enc('*' + i + '\r\n'));
}

/** Where replies go: a net.Socket (writableLength = bytes it still holds), or a collector. */
export type Writable = { write(chunk: Buffer): boolean; readonly writableLength?: number };

export class ReplyWriter {
  buf: Buffer;
  pos = 0;
  /** Protocol version negotiated with HELLO: 2 or 3. */
  resp: 2 | 3 = 2;
  /** Text of the last error reply written (INFO errorstats / failed_calls read it). */
  lastError: string | null = null;
  /** Number of replies written since creation (used by CLIENT REPLY / MULTI accounting). */
  replies = 0;
  /** Completed chunks waiting for the next flush (large replies). */
  private chunks: Buffer[] | null = null;
  /** Open deferred headers: while > 0 large bulks stay in the working buffer, whose offsets the
   *  deferred tokens point into. */
  private deferDepth = 0;
  private chunkBytes = 0;

  constructor(size = INITIAL_SIZE) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Bytes waiting to be flushed. */
  get pending(): number {
    return this.pos + this.chunkBytes;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Appends pre-encoded bytes (a SHARED constant or a cached header). */
  raw(b: Buffer): void {
    const n = b.length;
    if (this.pos + n > this.buf.length) this.ensure(n);
    if (n < 64) {
      const buf = this.buf;
      let p = this.pos;
      for (let i = 0; i < n; i++) buf[p++] = b[i]!;
      this.pos = p;
    } else {
      b.copy(this.buf, this.pos);
      this.pos += n;
    }
  }

  /** Appends ASCII/latin1 text without framing. */
  text(s: string): void {
    this.ensure(s.length);
    this.pos += this.buf.write(s, this.pos, 'latin1');
  }

  private crlf(): void {
    this.buf.writeUInt16LE(CRLF, this.pos);
    this.pos += 2;
  }

  /** Writes `<prefix><n>\r\n` for a non-negative or negative integer. */
  private header(prefix: number, n: number): void {
    this.ensure(24);
    const buf = this.buf;
    buf[this.pos++] = prefix;
    if (n >= 0 && n < 10) {
      buf[this.pos++] = 48 + n;
    } else {
      this.pos += buf.write(String(n), this.pos, 'latin1');
    }
    buf.writeUInt16LE(CRLF, this.pos);
    this.pos += 2;
  }

  ok(): void {
    this.raw(SHARED.ok);
  }

  /** `+text\r\n`; text must not contain CR or LF. */
  simple(s: string): void {
    this.ensure(s.length + 3);
    this.buf[this.pos++] = 0x2b;
    this.pos += this.buf.write(s, this.pos, 'latin1');
    this.crlf();
  }

  /** `-text\r\n`; `text` starts with the error code (ERR, WRONGTYPE, ...). */
  error(s: string): void {
    this.lastError = s;
    this.ensure(s.length + 3);
    this.buf[this.pos++] = 0x2d;
    this.pos += this.buf.write(s, this.pos, 'latin1');
    this.crlf();
  }

  integer(n: number): void {
    if (n >= 0 && n < SMALL_INT_LIMIT && n === (n | 0)) this.raw(smallInts[n]!);
    else this.header(0x3a, n);
  }

  bigint(n: bigint): void {
    this.text(':' + n.toString() + '\r\n');
  }

  bulk(b: Buffer): void {
    this.bulkSlice(b, 0, b.length);
  }

  bulkSlice(b: Buffer, start: number, end: number): void {
    const n = end - start;
    if (n < HEADER_LIMIT) this.raw(bulkHeaders[n]!);
    else this.header(0x24, n);
    if (n > 64 * 1024 && this.deferDepth === 0) {
      // Large values skip the working buffer: flush what is there into the chunk list and
      // queue a private copy (the source may be storage that changes after this call).
      this.pushChunk(Buffer.from(b.subarray(start, end)));
    } else {
      this.ensure(n + 2);
      if (n < 32) {
        const buf = this.buf;
        let p = this.pos;
        for (let i = start; i < end; i++) buf[p++] = b[i]!;
        this.pos = p;
      } else {
        b.copy(this.buf, this.pos, start, end);
        this.pos += n;
      }
      this.crlf();
      return;
    }
    this.ensure(2);
    this.crlf();
  }

  /** Bulk string from latin1 text (each char is one byte). */
  bulkStr(s: string): void {
    const n = s.length;
    if (n < HEADER_LIMIT) this.raw(bulkHeaders[n]!);
    else this.header(0x24, n);
    this.ensure(n + 2);
    this.pos += this.buf.write(s, this.pos, 'latin1');
    this.crlf();
  }

  /** A bulk string holding a decimal integer (e.g. GET of an integer, INCRBYFLOAT results). */
  bulkInt(n: number | bigint): void {
    this.bulkStr(String(n));
  }

  /** Null bulk string: `$-1` in RESP2, `_` in RESP3. */
  nullBulk(): void {
    this.raw(this.resp === 3 ? SHARED.null3 : SHARED.nullBulk2);
  }

  /** Null array: `*-1` in RESP2, `_` in RESP3. */
  nullArray(): void {
    this.raw(this.resp === 3 ? SHARED.null3 : SHARED.nullArray2);
  }

  arrayLen(n: number): void {
    if (n < HEADER_LIMIT) this.raw(arrayHeaders[n]!);
    else this.header(0x2a, n);
  }

  /** A map of n pairs: `%n` in RESP3, a flat array of 2n in RESP2. */
  mapLen(n: number): void {
    if (this.resp === 3) this.header(0x25, n);
    else this.arrayLen(n * 2);
  }

  setLen(n: number): void {
    if (this.resp === 3) this.header(0x7e, n);
    else this.arrayLen(n);
  }

  /** Out-of-band push (pub/sub messages): `>n` in RESP3, a plain array in RESP2. */
  pushLen(n: number): void {
    if (this.resp === 3) this.header(0x3e, n);
    else this.arrayLen(n);
  }

  /** A double already formatted the Redis way: bulk in RESP2, `,text` in RESP3. */
  double(text: string): void {
    if (this.resp === 3) {
      this.ensure(text.length + 3);
      this.buf[this.pos++] = 0x2c;
      this.pos += this.buf.write(text, this.pos, 'latin1');
      this.crlf();
    } else {
      this.bulkStr(text);
    }
  }

  bool(v: boolean): void {
    if (this.resp === 3) this.raw(v ? SHARED.true3 : SHARED.false3);
    else this.raw(v ? SHARED.one : SHARED.zero);
  }

  /** Verbatim string (`=len\r\ntxt:...`) in RESP3, plain bulk in RESP2 (INFO, CLIENT LIST...). */
  verbatim(s: string, format = 'txt'): void {
    if (this.resp === 3) {
      const n = s.length + 4;
      this.header(0x3d, n);
      this.ensure(n + 2);
      this.pos += this.buf.write(format + ':' + s, this.pos, 'latin1');
      this.crlf();
    } else {
      this.bulkStr(s);
    }
  }

  /**
   * Reserves room for an aggregate header whose length is known only after the elements are
   * written (Redis's deferred length). Returns a token for `endDeferred`.
   */
  beginDeferred(): number {
    this.deferDepth++;
    return this.pos;
  }

  /** Fills in a deferred header: kind is '*' (array), '%' (map, n pairs) or '~' (set). */
  endDeferred(token: number, kind: '*' | '%' | '~', n: number): void {
    this.deferDepth--;
    const at = token;
    let prefix = kind;
    let count = n;
    if (this.resp === 2 && kind === '%') {
      prefix = '*';
      count = n * 2;
    } else if (this.resp === 2 && kind === '~') {
      prefix = '*';
    }
    const head = prefix + count + '\r\n';
    const len = head.length;
    this.ensure(len);
    this.buf.copy(this.buf, at + len, at, this.pos);
    this.buf.write(head, at, 'latin1');
    this.pos += len;
  }

  private pushChunk(b: Buffer): void {
    if (this.chunks === null) this.chunks = [];
    if (this.pos > 0) {
      this.chunks.push(Buffer.from(this.buf.subarray(0, this.pos)));
      this.chunkBytes += this.pos;
      this.pos = 0;
    }
    this.chunks.push(b);
    this.chunkBytes += b.length;
  }

  /** Drops everything written since `mark` (CLIENT REPLY OFF/SKIP, discarded replies). */
  truncate(mark: number): void {
    if (mark >= this.chunkBytes) this.pos = mark - this.chunkBytes;
  }

  /** Current write position, for `truncate` and for measuring a reply's size. */
  mark(): number {
    return this.chunkBytes + this.pos;
  }

  /** Hands all pending bytes to `out` (one write in the common case). Returns bytes written. */
  flushTo(out: Writable): number {
    const total = this.pending;
    if (total === 0) return 0;
    if (this.chunks !== null) {
      for (const c of this.chunks) out.write(c);
      this.chunks = null;
      this.chunkBytes = 0;
    }
    if (this.pos > 0) {
      const queued = out.writableLength;
      if (queued === 0) {
        // A socket with nothing queued: libuv usually hands the bytes to the kernel inside
        // write(), and then nothing references the working buffer any more (writableLength
        // is back to 0), so it is reused and a busy client allocates nothing per flush.
        // Allocating per flush is not just a copy: V8 counts ArrayBuffer memory and answers a
        // few hundred MB/s of it with full mark-compacts (measured: ~14 per second while
        // serving 1 KB GETs at 340k/s).
        out.write(this.buf.subarray(0, this.pos));
        if (out.writableLength !== 0 || this.buf.length > KEEP_SIZE) this.buf = Buffer.allocUnsafe(INITIAL_SIZE);
      } else if (this.pos <= HAND_OVER_SIZE) {
        const copy = Buffer.allocUnsafe(this.pos);
        this.buf.copy(copy, 0, 0, this.pos);
        out.write(copy);
      } else {
        out.write(this.buf.subarray(0, this.pos));
        this.buf = Buffer.allocUnsafe(INITIAL_SIZE);
      }
      this.pos = 0;
    }
    return total;
  }

  /** Takes pending bytes as one Buffer (tests, MULTI, internal callers). */
  take(): Buffer {
    const parts: Buffer[] = [];
    this.flushTo({
      write(b: Buffer) {
        parts.push(b);
        return true;
      },
    });
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }
}
