/**
 * Text-level helpers of the configuration system: splitting a config line into arguments,
 * quoting a value back, turning the command line into config text, and the scalar parsers
 * and printers (integers, memory sizes, octal, doubles) with redis-server 7.0's exact
 * acceptance rules and error texts.
 *
 * Strings are latin1 ("binary") throughout: one char per byte, so a config file or a CONFIG SET
 * argument with arbitrary bytes round-trips unchanged.
 */

/** Thrown by value parsers; the message is the reason text Redis prints (no prefix). */
export class ParamError extends Error {}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;
export const LIMITS = { INT64_MIN, INT64_MAX, UINT64_MAX, INT_MIN: -(1n << 31n), INT_MAX: (1n << 31n) - 1n, UINT_MAX: (1n << 32n) - 1n };

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\n' || ch === '\r' || ch === '\t' || ch === '\v' || ch === '\f';
}

function isHex(ch: string | undefined): boolean {
  return ch !== undefined && /^[0-9a-fA-F]$/.test(ch);
}

/**
 * Splits a config line into arguments with redis-cli's quoting rules: whitespace separates;
 * "double quotes" understand \n \r \t \b \a \\ \" and \xHH (any other escaped char stands for
 * itself); 'single quotes' understand only \'. A closing quote must be followed by whitespace or
 * the end of the line. A quote inside a bare word opens a quoted section of the same word.
 * Returns null for unbalanced quotes.
 */
export function splitArgs(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    while (i < n && isSpace(line[i]!)) i++;
    if (i >= n) return out;
    let cur = '';
    let inDq = false;
    let inSq = false;
    let done = false;
    while (!done) {
      const ch = line[i];
      if (inDq) {
        if (ch === undefined) return null;
        if (ch === '\\' && line[i + 1] === 'x' && isHex(line[i + 2]) && isHex(line[i + 3])) {
          cur += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
          i += 3;
        } else if (ch === '\\' && i + 1 < n) {
          i++;
          const e = line[i]!;
          cur += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === 'b' ? '\b' : e === 'a' ? '\x07' : e;
        } else if (ch === '"') {
          // The closing quote must be followed by a space or the end of the line.
          if (i + 1 < n && !isSpace(line[i + 1]!)) return null;
          done = true;
        } else {
          cur += ch;
        }
      } else if (inSq) {
        if (ch === undefined) return null;
        if (ch === '\\' && line[i + 1] === "'") {
          i++;
          cur += "'";
        } else if (ch === "'") {
          if (i + 1 < n && !isSpace(line[i + 1]!)) return null;
          done = true;
        } else {
          cur += ch;
        }
      } else {
        if (ch === undefined || isSpace(ch)) done = true;
        else if (ch === '"') inDq = true;
        else if (ch === "'") inSq = true;
        else cur += ch;
      }
      if (i < n) i++;
    }
    out.push(cur);
  }
}

/** Quotes a string the way Redis writes values back (CONFIG REWRITE, the fatal-error echo of
 *  command-line options): always in double quotes, with C-style escapes for the rest. */
export function repr(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    const c = ch.charCodeAt(0);
    switch (ch) {
      case '\\':
      case '"':
        out += '\\' + ch;
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      case '\x07':
        out += '\\a';
        break;
      case '\b':
        out += '\\b';
        break;
      default:
        if (c >= 0x20 && c < 0x7f) out += ch;
        else out += '\\x' + (c & 0xff).toString(16).padStart(2, '0');
    }
  }
  return out + '"';
}

/** Trims what Redis trims from a config line: spaces, tabs, CR and LF at both ends. */
export function trimLine(s: string): string {
  let a = 0;
  let b = s.length;
  const t = (ch: string) => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
  while (a < b && t(s[a]!)) a++;
  while (b > a && t(s[b - 1]!)) b--;
  return s.slice(a, b);
}

/** What the command line becomes: the config file to read, whether stdin is read too, and the
 *  options as config text (appended after the file and stdin). */
export interface ParsedArgs {
  configFile: string | null;
  stdin: boolean;
  options: string;
}

/**
 * redis-server's command line: `[configfile] [-] [--name arg ...] [-]`.
 * - The first argument is the config file unless it starts with '-'.
 * - A lone '-' as the first or the last argument means "also read the config from stdin".
 * - `--name` starts a new config line; every following argument up to the next `--name` is
 *   one of its arguments (written quoted, so any bytes survive). The first argument after a
 *   name is taken even if it starts with "--" (so `--port --x` is `port "--x"`), except after
 *   `--save`, which with no argument means `save ""`.
 * - Arguments before the first `--name` become a line of their own (which then fails as a bad
 *   directive, as in redis-server).
 */
export function parseArgs(args: string[]): ParsedArgs {
  let configFile: string | null = null;
  let stdin = false;
  let j = 0;
  if (args.length > 0 && !args[0]!.startsWith('-')) {
    configFile = args[0]!;
    j = 1;
  }
  let options = '';
  // The name of the option just started while it has no argument yet: its first argument is
  // taken even when it starts with "--" (`--port --x` is `port "--x"`), except for save.
  let bareName: string | null = null;
  for (; j < args.length; j++) {
    const a = args[j]!;
    if (a === '-' && (j === 0 || j === args.length - 1)) {
      stdin = true;
    } else if (a.startsWith('--') && a.length > 2 && (bareName === null || bareName === 'save')) {
      if (bareName === 'save') options += '"" ';
      if (options.length > 0) options += '\n';
      const name = a.slice(2);
      options += name + ' ';
      bareName = name.toLowerCase();
    } else {
      options += repr(a) + ' ';
      bareName = null;
    }
  }
  if (bareName === 'save') options += '"" ';
  return { configFile, stdin, options };
}

// ------------------------------------------------------------------ scalar parsers

/** Redis's strict integer syntax: no sign '+', no leading zeros, no spaces, fits in 64 bits. */
export function parseInt64(s: string): bigint | null {
  if (!/^(0|-?[1-9][0-9]*)$/.test(s) || s.length > 20) return null;
  const v = BigInt(s);
  if (v < INT64_MIN || v > INT64_MAX) return null;
  return v;
}

/** Lenient integer of strtoll with an end check: optional sign, leading zeros, and saturation
 *  at the int64 limits (save points, output-buffer seconds). Empty input is 0. */
export function parseStrtoll(s: string): bigint | null {
  if (!/^[+-]?[0-9]*$/.test(s)) return null;
  if (s === '+' || s === '-') return null;
  if (s === '') return 0n;
  let v = BigInt(s);
  if (v > INT64_MAX) v = INT64_MAX;
  if (v < INT64_MIN) v = INT64_MIN;
  return v;
}

const MEM_UNITS: Record<string, bigint> = {
  '': 1n,
  b: 1n,
  k: 1000n,
  kb: 1024n,
  m: 1000n * 1000n,
  mb: 1024n * 1024n,
  g: 1000n * 1000n * 1000n,
  gb: 1024n * 1024n * 1024n,
};

/**
 * A memory size: digits (possibly none, meaning 0) followed by an optional unit b, k, kb, m, mb,
 * g, gb in any case (k = 1000, kb = 1024). The number saturates at 2^64-1 and the multiplication
 * wraps modulo 2^64, as redis-server's parser does. Returns null when the text is not a memory
 * value (signs, decimals, spaces and unknown units are rejected).
 */
export function parseMemory(s: string): bigint | null {
  const m = /^([0-9]*)([a-zA-Z]*)$/.exec(s);
  if (m === null) return null;
  const mul = MEM_UNITS[m[2]!.toLowerCase()];
  if (mul === undefined) return null;
  let v = m[1] === '' ? 0n : BigInt(m[1]!);
  if (v > UINT64_MAX) v = UINT64_MAX;
  return (v * mul) & UINT64_MAX;
}

/** How CONFIG REWRITE writes a memory size: the largest of gb/mb/kb that divides it exactly. */
export function formatMemory(v: bigint): string {
  const GB = 1n << 30n;
  const MB = 1n << 20n;
  const KB = 1n << 10n;
  if (v === 0n) return '0';
  if (v % GB === 0n) return v / GB + 'gb';
  if (v % MB === 0n) return v / MB + 'mb';
  if (v % KB === 0n) return v / KB + 'kb';
  return v.toString();
}

/** strtod-style double: decimal or exponent notation, optional sign; the whole text must be used. */
export function parseDouble(s: string): number | null {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return null;
  const v = Number(s);
  return Number.isNaN(v) ? null : v;
}

/** printf("%f") with the trailing zeros (and a bare '.') removed. */
export function formatDoubleF(v: number): string {
  let s = v.toFixed(6);
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  if (s === '-0') s = '0';
  return s;
}

/** errno code to the strerror() text Redis prints. */
export function strerror(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'No such file or directory';
    case 'ENOTDIR':
      return 'Not a directory';
    case 'EACCES':
      return 'Permission denied';
    case 'EPERM':
      return 'Operation not permitted';
    case 'EISDIR':
      return 'Is a directory';
    case 'ELOOP':
      return 'Too many levels of symbolic links';
    case 'ENAMETOOLONG':
      return 'File name too long';
    case 'EROFS':
      return 'Read-only file system';
    case 'ENOSPC':
      return 'No space left on device';
    case 'EEXIST':
      return 'File exists';
    case 'EBUSY':
      return 'Device or resource busy';
    case 'EMFILE':
      return 'Too many open files';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}
