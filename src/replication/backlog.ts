/**
 * The replication backlog: a ring buffer holding the most recent bytes of the replication
 * stream, addressed by stream offset, so a replica that lost its link for a short while can
 * continue with PSYNC <replid> <offset> instead of a full sync.
 *
 * Offsets follow Redis: the stream's first byte is offset 1; `firstByteOffset` is the offset
 * of the oldest byte held and `histlen` how many bytes are held.
 */

export class ReplBacklog {
  private buf: Buffer;
  /** Index in `buf` where the next byte goes. */
  private writeIndex = 0;
  firstByteOffset: number;
  histlen = 0;

  /** `masterOffset` is the stream offset of the last byte produced so far. */
  constructor(size: number, masterOffset: number) {
    this.buf = Buffer.allocUnsafe(size);
    this.firstByteOffset = masterOffset + 1;
  }

  get size(): number {
    return this.buf.length;
  }

  /** Offset of the last byte held. */
  get lastOffset(): number {
    return this.firstByteOffset + this.histlen - 1;
  }

  append(data: Buffer): void {
    const size = this.buf.length;
    const src = data;
    if (src.length >= size) {
      // Only the newest `size` bytes can be kept.
      const dropped = src.length - size;
      this.firstByteOffset += this.histlen + dropped;
      src.copy(this.buf, 0, dropped);
      this.writeIndex = 0;
      this.histlen = size;
      return;
    }
    const first = Math.min(src.length, size - this.writeIndex);
    src.copy(this.buf, this.writeIndex, 0, first);
    if (first < src.length) src.copy(this.buf, 0, first);
    this.writeIndex = (this.writeIndex + src.length) % size;
    const total = this.histlen + src.length;
    if (total > size) {
      this.firstByteOffset += total - size;
      this.histlen = size;
    } else {
      this.histlen = total;
    }
  }

  /** True when every byte from `offset` (the first byte wanted) to the end is held. */
  covers(offset: number): boolean {
    return offset >= this.firstByteOffset && offset <= this.firstByteOffset + this.histlen;
  }

  /** The bytes from `offset` to the end (copied); `covers(offset)` must hold. */
  readFrom(offset: number): Buffer {
    const n = this.firstByteOffset + this.histlen - offset;
    const out = Buffer.allocUnsafe(n);
    if (n === 0) return out;
    const size = this.buf.length;
    // Index of the oldest byte, then of `offset`.
    const oldest = (this.writeIndex - this.histlen + size) % size;
    const start = (oldest + (offset - this.firstByteOffset)) % size;
    const first = Math.min(n, size - start);
    this.buf.copy(out, 0, start, start + first);
    if (first < n) this.buf.copy(out, first, 0, n - first);
    return out;
  }

  /** Changes the capacity keeping the newest bytes (CONFIG SET repl-backlog-size). */
  resize(size: number): void {
    if (size === this.buf.length) return;
    const keep = Math.min(this.histlen, size);
    const tail = this.readFrom(this.firstByteOffset + this.histlen - keep);
    this.buf = Buffer.allocUnsafe(size);
    tail.copy(this.buf, 0);
    this.firstByteOffset += this.histlen - keep;
    this.histlen = keep;
    this.writeIndex = keep % size;
  }
}
