/**
 * Encoding of the replication stream: every propagated command as a RESP array of bulk
 * strings, exactly as Redis writes it (offsets count these bytes, so they must match).
 */

const CRLF0 = 13;
const CRLF1 = 10;

function decimalLength(n: number): number {
  let len = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    len++;
  }
  return len;
}

function writeDecimal(b: Buffer, p: number, n: number): number {
  const len = decimalLength(n);
  let q = p + len;
  do {
    b[--q] = 48 + (n % 10);
    n = Math.floor(n / 10);
  } while (n > 0);
  return p + len;
}

/** Bytes `*<argc>\r\n($<len>\r\n<arg>\r\n)*` take. */
export function encodedCommandLength(argv: readonly Uint8Array[]): number {
  let n = 1 + decimalLength(argv.length) + 2;
  for (let i = 0; i < argv.length; i++) {
    const len = argv[i]!.length;
    n += 1 + decimalLength(len) + 2 + len + 2;
  }
  return n;
}

/** `argv` as a RESP array of bulk strings. */
export function encodeCommand(argv: readonly Uint8Array[]): Buffer {
  const out = Buffer.allocUnsafe(encodedCommandLength(argv));
  let p = 0;
  out[p++] = 42; // '*'
  p = writeDecimal(out, p, argv.length);
  out[p++] = CRLF0;
  out[p++] = CRLF1;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    out[p++] = 36; // '$'
    p = writeDecimal(out, p, a.length);
    out[p++] = CRLF0;
    out[p++] = CRLF1;
    out.set(a, p);
    p += a.length;
    out[p++] = CRLF0;
    out[p++] = CRLF1;
  }
  return out;
}

const SELECT = Buffer.from('SELECT');
const selectCache: Buffer[] = [];

/** `SELECT <db>` encoded (cached for the usual database numbers). */
export function encodeSelect(dbIndex: number): Buffer {
  let b = selectCache[dbIndex];
  if (b === undefined) {
    b = encodeCommand([SELECT, Buffer.from(String(dbIndex), 'latin1')]);
    if (dbIndex < 64) selectCache[dbIndex] = b;
  }
  return b;
}
