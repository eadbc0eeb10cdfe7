/**
 * Unsigned LEB128-style varints (7 bits per byte, low group first) for the packed forms of
 * small collections (store/types/list.ts and hash.ts). Not Redis's listpack backlen encoding.
 */

export function varintLen(n: number): number {
  let len = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

/** Writes `n` at `off`; returns the offset after it. */
export function writeVarint(b: Buffer, off: number, n: number): number {
  while (n >= 0x80) {
    b[off++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  b[off++] = n;
  return off;
}

/** Set by readVarint: the value read (a live binding; no object per call on hot paths). */
export let varintValue = 0;

/** Reads a varint at `off` into `varintValue`; returns the offset after it. */
export function readVarint(b: Buffer, off: number): number {
  let n = 0;
  let mul = 1;
  for (;;) {
    const x = b[off++]!;
    n += (x & 0x7f) * mul;
    if (x < 0x80) break;
    mul *= 128;
  }
  varintValue = n;
  return off;
}
