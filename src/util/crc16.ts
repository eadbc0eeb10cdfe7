/**
 * CRC16-XMODEM (poly 0x1021, init 0, MSB-first, no final xor) and the Redis
 * Cluster key -> hash slot mapping. Check value: crc16("123456789") = 0x31c3.
 *
 * Hash tags: if the key contains a '{' and, somewhere after it, a '}' with at
 * least one byte between them, only the bytes between the first '{' and the
 * first '}' after it are hashed; otherwise the whole key is hashed
 * ("{}x" and "x{" hash whole, "{a}{b}" hashes "a", "{{a}}" hashes "{a").
 */

const TABLE = new Uint16Array(256);
for (let n = 0; n < 256; n++) {
  let c = n << 8;
  for (let i = 0; i < 8; i++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
  TABLE[n] = c;
}

/** CRC16-XMODEM of buf[start, end); pass a previous result as `crc` to continue. */
export function crc16(buf: Uint8Array, start = 0, end = buf.length, crc = 0): number {
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >>> 8) ^ buf[i]!) & 0xff]!;
  return crc;
}

/** Number of hash slots in Redis Cluster. */
export const CLUSTER_SLOTS = 16384;

/** Redis Cluster hash slot (0..16383) of a key, honouring {hashtags}. */
export function keyHashSlot(key: Uint8Array): number {
  const len = key.length;
  let s = 0;
  while (s < len && key[s] !== 123 /* { */) s++;
  if (s === len) return crc16(key, 0, len) & 0x3fff;
  let e = s + 1;
  while (e < len && key[e] !== 125 /* } */) e++;
  if (e === len || e === s + 1) return crc16(key, 0, len) & 0x3fff;
  return crc16(key, s + 1, e) & 0x3fff;
}
