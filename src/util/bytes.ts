/**
 * Cheap Buffer views. `Buffer#subarray` runs argument normalisation in JS and costs ~55 ns on
 * Node 20; constructing a Uint8Array subclass whose prototype is Buffer.prototype directly costs
 * ~18 ns and yields a real Buffer (Buffer.isBuffer, toString, equals, copy all work). The
 * request parser creates one view per argument, so this matters on the hot path.
 */

class BufferView extends Uint8Array {}
Object.setPrototypeOf(BufferView.prototype, Buffer.prototype);

/** A Buffer view of buf[start, end); the caller guarantees 0 <= start <= end <= buf.length. */
export function view(buf: Uint8Array, start: number, end: number): Buffer {
  return new BufferView(buf.buffer as ArrayBuffer, buf.byteOffset + start, end - start) as unknown as Buffer;
}

/** A Buffer view of `len` bytes at `offset` of an ArrayBuffer (no `.buffer` getter call). */
export function viewAt(ab: ArrayBuffer, offset: number, len: number): Buffer {
  return new BufferView(ab, offset, len) as unknown as Buffer;
}
