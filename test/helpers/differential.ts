/**
 * Differential testing harness: the same commands go to a reference redis-server 7.0 and to
 * Damselfly over raw sockets, and the raw reply bytes are compared.
 *
 * Most replies must be byte-identical. A few legitimately vary between two servers (times,
 * client ids, random picks, hash-order listings, SCAN cursors); those are compared after a
 * stated normalisation (see `Mode`). Every difference is recorded with the script location,
 * the command and both replies, so a failing test reads as a bug report.
 *
 * Script format (test/differential/*.txt), one item per line:
 *   # comment
 *   SET k "a b\x00"           command; args split on whitespace, "..." with \n \r \t \\ \" \xHH
 *                             escapes, '...' literal; <<N*text>> anywhere in an argument stands
 *                             for text repeated N times
 *   @sorted KEYS *            reply array compared with elements sorted
 *   @pairs CONFIG GET max*    reply compared as a set of (name, value) pairs
 *   @approx 1 TTL k           integer replies may differ by at most 1 (negative ones must match)
 *   @shape TIME               only the reply's types and aggregate sizes are compared
 *   @mask id HELLO 3          map reply compared with the values of the named fields (comma
 *                             separated) masked
 *   @scan SCAN 0 MATCH k*     full SCAN iteration on each side; key sets compared
 *   @raw 2 "PING\r\nPING\r\n" raw bytes sent; the next 2 replies compared
 *   @rawclose "*x\r\n"        raw bytes sent; everything until the server closes is compared,
 *                             and both servers must close the connection
 *   @sleep 150                wait (for expiry tests)
 *   @reconnect                new connections to both servers
 *   @digest                   DEBUG DIGEST compared (key-by-key dump when it differs)
 *   @protocols 2 3            (header) run the whole script in RESP2 and again after HELLO 3
 *   @requires lpush           (header) the script builds its data with commands of another
 *                             family; it is skipped, saying so, until Damselfly has them
 */

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { RawConnection, encodeCommand } from './raw.js';
import { redisServerPath, startDamselfly, startRedis, type ServerProcess } from './servers.js';

// ------------------------------------------------------------------------------ server pair

export interface ServerPair {
  redis: ServerProcess;
  dfly: ServerProcess;
  stop(): Promise<void>;
}

/** Throws (never skips) when the reference server is not installed. */
export function requireRedisServer(): string {
  const p = redisServerPath();
  if (!existsSync(p)) {
    throw new Error(
      'reference redis-server not found at ' +
        p +
        ': install it (apt-get install -y redis-server redis-tools, as .ci/run does) or set ' +
        'REDIS_SERVER; differential tests compare Damselfly with it and cannot run without it',
    );
  }
  return p;
}

/**
 * Starts redis-server and Damselfly with the same extra configuration. With
 * DIFFERENTIAL_SELF_CHECK=1 in the environment the second server is another redis-server: a
 * run must then find no difference at all, which checks that the scripts are deterministic.
 */
export async function startPair(args: string[] = []): Promise<ServerPair> {
  requireRedisServer();
  const redis = await startRedis(args);
  let dfly: ServerProcess;
  try {
    dfly = process.env['DIFFERENTIAL_SELF_CHECK'] === '1' ? await startRedis(args) : await startDamselfly(args);
  } catch (err) {
    await redis.stop();
    throw err;
  }
  return {
    redis,
    dfly,
    async stop() {
      await Promise.all([redis.stop(), dfly.stop()]);
    },
  };
}

// ------------------------------------------------------------------------------ RESP values

export interface RespValue {
  /** Type byte as a character: + - : $ * _ , # ( = ! ~ > % */
  type: string;
  /** Line payload for simple types, bulk payload (latin1) for blob types. */
  text: string;
  /** Children of aggregates (maps flattened: key, value, key, value...); null otherwise. */
  items: RespValue[] | null;
  /** The value's exact bytes. */
  raw: Buffer;
}

/** Parses one complete RESP2/RESP3 value at `pos`. Throws on malformed input. */
export function parseResp(b: Buffer, pos = 0): { value: RespValue; end: number } {
  const nl = b.indexOf('\r\n', pos);
  if (nl < 0) throw new Error('incomplete RESP value');
  const type = String.fromCharCode(b[pos]!);
  const line = b.toString('latin1', pos + 1, nl);
  switch (type) {
    case '+':
    case '-':
    case ':':
    case '_':
    case ',':
    case '#':
    case '(':
      return { value: { type, text: line, items: null, raw: b.subarray(pos, nl + 2) }, end: nl + 2 };
    case '$':
    case '=':
    case '!': {
      const n = Number(line);
      if (n < 0) return { value: { type, text: '', items: null, raw: b.subarray(pos, nl + 2) }, end: nl + 2 };
      const end = nl + 2 + n + 2;
      if (end > b.length) throw new Error('incomplete RESP bulk');
      return { value: { type, text: b.toString('latin1', nl + 2, nl + 2 + n), items: null, raw: b.subarray(pos, end) }, end };
    }
    case '*':
    case '~':
    case '>':
    case '%': {
      let n = Number(line);
      if (n < 0) return { value: { type, text: line, items: null, raw: b.subarray(pos, nl + 2) }, end: nl + 2 };
      if (type === '%') n *= 2;
      const items: RespValue[] = [];
      let p = nl + 2;
      for (let i = 0; i < n; i++) {
        const r = parseResp(b, p);
        items.push(r.value);
        p = r.end;
      }
      return { value: { type, text: line, items, raw: b.subarray(pos, p) }, end: p };
    }
    default:
      throw new Error('bad RESP type byte ' + JSON.stringify(type) + ' in ' + show(b.subarray(pos)));
  }
}

/** Parses every complete value in `b`. */
export function parseAll(b: Buffer): RespValue[] {
  const out: RespValue[] = [];
  let p = 0;
  while (p < b.length) {
    const r = parseResp(b, p);
    out.push(r.value);
    p = r.end;
  }
  return out;
}

/** Types and aggregate sizes only (`*2[$,$]`); error texts are kept (they do not vary). */
export function shapeOf(v: RespValue): string {
  if (v.type === '-') return '-' + v.text;
  if (v.items === null) {
    if ((v.type === '$' || v.type === '*') && v.text.startsWith('-')) return v.type + '-1';
    return v.type;
  }
  return v.type + v.items.length + '[' + v.items.map(shapeOf).join(',') + ']';
}

// ------------------------------------------------------------------------------ printing

const SHOW_MAX = 600;

/** A reply or request as a one-line JSON-ish string, truncated for long values. */
export function show(b: Buffer | null | undefined): string {
  if (b === null || b === undefined) return '<none>';
  if (b.length <= SHOW_MAX) return JSON.stringify(b.toString('latin1'));
  return JSON.stringify(b.toString('latin1', 0, SHOW_MAX)) + '... (' + b.length + ' bytes in all)';
}

/** An argv the way redis-cli would echo it: quoted when needed, long args shortened. */
export function showCommand(argv: Array<Buffer | string>): string {
  return argv
    .map((a) => {
      const b = typeof a === 'string' ? Buffer.from(a, 'latin1') : a;
      const clipped = b.length > 80 ? b.subarray(0, 80) : b;
      let plain = clipped.length > 0;
      let s = '';
      for (const ch of clipped) {
        if (ch > 0x20 && ch < 0x7f && ch !== 0x22 && ch !== 0x27 && ch !== 0x5c) s += String.fromCharCode(ch);
        else {
          plain = false;
          if (ch === 0x22) s += '\\"';
          else if (ch === 0x5c) s += '\\\\';
          else if (ch === 0x0a) s += '\\n';
          else if (ch === 0x0d) s += '\\r';
          else if (ch === 0x09) s += '\\t';
          else if (ch >= 0x20 && ch < 0x7f) s += String.fromCharCode(ch);
          else s += '\\x' + ch.toString(16).padStart(2, '0');
        }
      }
      const out = plain ? s : '"' + s + '"';
      return b.length > 80 ? out + '...(' + b.length + ' bytes)' : out;
    })
    .join(' ');
}

// ------------------------------------------------------------------------------ comparison

export type Mode =
  | { kind: 'exact' }
  | { kind: 'sorted' }
  | { kind: 'pairs' }
  | { kind: 'approx'; tolerance: number }
  | { kind: 'shape' }
  | { kind: 'mask'; fields: string[] };

export const EXACT: Mode = { kind: 'exact' };

function sortedRaw(v: RespValue): string {
  if (v.items === null) return v.raw.toString('latin1');
  const head = v.raw.toString('latin1', 0, v.raw.indexOf('\r\n') + 2);
  return head + v.items.map((x) => x.raw.toString('latin1')).sort().join('');
}

function pairsRaw(v: RespValue): string {
  if (v.items === null || v.items.length % 2 !== 0) return v.raw.toString('latin1');
  const pairs: string[] = [];
  for (let i = 0; i < v.items.length; i += 2) pairs.push(v.items[i]!.raw.toString('latin1') + v.items[i + 1]!.raw.toString('latin1'));
  const head = v.raw.toString('latin1', 0, v.raw.indexOf('\r\n') + 2);
  return head + pairs.sort().join('');
}

/** The reply's bytes with the value after each named field of a map (or flat pair list) masked. */
function maskedRaw(v: RespValue, fields: string[]): string {
  if (v.items === null) return v.raw.toString('latin1');
  const head = v.raw.toString('latin1', 0, v.raw.indexOf('\r\n') + 2);
  let out = head;
  for (let i = 0; i < v.items.length; i++) {
    const x = v.items[i]!;
    out += maskedRaw(x, fields);
    if (i % 2 === 0 && i + 1 < v.items.length && x.items === null && fields.includes(x.text)) {
      out += '<masked>';
      i++;
    }
  }
  return out;
}

function numberOf(v: RespValue): number | null {
  if (v.type === ':' || v.type === ',' || (v.type === '$' && v.text !== '' && !v.raw.toString('latin1').startsWith('$-'))) {
    const n = Number(v.text);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/** Returns null when the two replies agree under `mode`, else a short reason. */
export function compareReplies(mode: Mode, a: Buffer, b: Buffer): string | null {
  if (mode.kind === 'exact' || a.equals(b)) return a.equals(b) ? null : 'bytes differ';
  let va: RespValue;
  let vb: RespValue;
  try {
    va = parseResp(a).value;
    vb = parseResp(b).value;
  } catch (err) {
    return 'unparsable reply: ' + (err as Error).message;
  }
  switch (mode.kind) {
    case 'sorted':
      return sortedRaw(va) === sortedRaw(vb) ? null : 'differ after sorting elements';
    case 'pairs':
      return pairsRaw(va) === pairsRaw(vb) ? null : 'differ as sets of pairs';
    case 'shape':
      return shapeOf(va) === shapeOf(vb) ? null : 'shapes differ: ' + shapeOf(va) + ' vs ' + shapeOf(vb);
    case 'mask':
      return maskedRaw(va, mode.fields) === maskedRaw(vb, mode.fields) ? null : 'differ outside the masked fields ' + mode.fields.join(', ');
    case 'approx': {
      if (va.type !== vb.type) return 'reply types differ';
      const x = numberOf(va);
      const y = numberOf(vb);
      if (x === null || y === null) return 'bytes differ';
      if (x < 0 || y < 0) return x === y ? null : 'negative values differ';
      return Math.abs(x - y) <= mode.tolerance ? null : 'values differ by more than ' + mode.tolerance;
    }
  }
}

// ------------------------------------------------------------------------------ session

export interface Mismatch {
  where: string;
  command: string;
  redis: string;
  damselfly: string;
  note: string;
}

const REPLY_TIMEOUT_MS = 4000;
const CLOSE_TIMEOUT_MS = 3000;
/** Consecutive commands Damselfly may fail to answer before the run is abandoned. */
const MAX_SILENT = 4;

class Abort extends Error {}

/** Two connections, one per server, driven in lock step. */
export class DiffSession {
  readonly pair: ServerPair;
  redis!: RawConnection;
  dfly!: RawConnection;
  /** Protocol the session should be in (re-established after reconnecting). */
  resp: 2 | 3 = 2;
  /** Database selected on both connections (re-selected after reconnecting). */
  dbIndex = 0;
  where = '';
  readonly mismatches: Mismatch[] = [];
  private silent = 0;

  constructor(pair: ServerPair) {
    this.pair = pair;
  }

  static async open(pair: ServerPair, resp: 2 | 3 = 2): Promise<DiffSession> {
    const s = new DiffSession(pair);
    s.resp = resp;
    await s.connect();
    return s;
  }

  private async connect(): Promise<void> {
    this.checkAlive();
    const [r, d] = await Promise.allSettled([RawConnection.connect(this.pair.redis.port), RawConnection.connect(this.pair.dfly.port)]);
    if (r.status === 'rejected') throw new Abort('cannot connect to redis-server: ' + String(r.reason));
    if (d.status === 'rejected') {
      r.value.close();
      throw new Abort('cannot connect to Damselfly: ' + String(d.reason));
    }
    this.redis = r.value;
    this.dfly = d.value;
    if (this.resp === 3) await this.exec(['HELLO', '3'], { kind: 'mask', fields: ['id'] });
    if (this.dbIndex !== 0) await this.exec(['SELECT', String(this.dbIndex)], EXACT);
  }

  async reconnect(): Promise<void> {
    this.close();
    await this.connect();
  }

  close(): void {
    this.redis?.close();
    this.dfly?.close();
  }

  private checkAlive(): void {
    const p = this.pair.dfly.proc;
    if (p.exitCode !== null || p.signalCode !== null) {
      const out = this.pair.dfly.output();
      throw new Abort('Damselfly exited (' + (p.exitCode ?? p.signalCode) + '); last output:\n' + out.slice(-3000));
    }
  }

  record(command: string, redis: Buffer | string | null, dfly: Buffer | string | null, note: string): void {
    this.mismatches.push({
      where: this.where,
      command,
      redis: typeof redis === 'string' ? redis : show(redis),
      damselfly: typeof dfly === 'string' ? dfly : show(dfly),
      note,
    });
  }

  /** Reads one reply from each side; failures are returned as text instead of thrown. */
  private async readBoth(): Promise<[Buffer | string, Buffer | string]> {
    const [r, d] = await Promise.allSettled([this.redis.readReply(REPLY_TIMEOUT_MS), this.dfly.readReply(REPLY_TIMEOUT_MS)]);
    return [
      r.status === 'fulfilled' ? r.value : '<no reply: ' + (r.reason as Error).message + '>',
      d.status === 'fulfilled' ? d.value : '<no reply: ' + (d.reason as Error).message + '>',
    ];
  }

  /** After one side failed to answer: note it, start over with fresh connections. */
  private async recover(): Promise<void> {
    this.silent++;
    this.checkAlive();
    if (this.silent >= MAX_SILENT) throw new Abort('Damselfly failed to answer ' + MAX_SILENT + ' commands in a row');
    await this.reconnect();
  }

  /**
   * Sends argv to both servers and compares the replies under `mode`. Returns Redis's reply
   * (null when it did not answer) so scripts can follow what the reference did.
   */
  async exec(argv: Array<string | Buffer>, mode: Mode = EXACT): Promise<Buffer | null> {
    const wire = encodeCommand(argv);
    this.redis.write(wire);
    this.dfly.write(wire);
    const [r, d] = await this.readBoth();
    if (typeof r === 'string' || typeof d === 'string') {
      this.record(showCommand(argv), r, d, 'a server did not answer');
      if (typeof d === 'string') await this.recover();
      else await this.reconnect();
      return typeof r === 'string' ? null : r;
    }
    this.silent = 0;
    const diff = compareReplies(mode, r, d);
    if (diff !== null) this.record(showCommand(argv), r, d, diff + (mode.kind === 'exact' ? '' : ' (' + mode.kind + ')'));
    this.track(argv, r);
    return r;
  }

  /** Follows protocol and database switches the reference accepted. */
  private track(argv: Array<string | Buffer>, reply: Buffer): void {
    const name = argv[0]!.toString().toLowerCase();
    if (reply[0] === 0x2d) return;
    if (name === 'select' && argv.length === 2) this.dbIndex = Number(argv[1]!.toString());
    else if (name === 'hello' && argv.length >= 2) {
      const v = Number(argv[1]!.toString());
      if (v === 2 || v === 3) this.resp = v;
    }
  }

  /** Sends raw bytes to both and compares the next `n` replies. */
  async raw(bytes: Buffer, n: number): Promise<void> {
    this.redis.write(bytes);
    this.dfly.write(bytes);
    for (let i = 0; i < n; i++) {
      const [r, d] = await this.readBoth();
      const label = 'raw ' + show(bytes) + (n > 1 ? ' (reply ' + (i + 1) + ' of ' + n + ')' : '');
      if (typeof r === 'string' || typeof d === 'string') {
        this.record(label, r, d, 'a server did not answer');
        await this.reconnect();
        return;
      }
      if (!r.equals(d)) this.record(label, r, d, 'bytes differ');
    }
  }

  /** Sends raw bytes that must make both servers reply (optionally) and close. */
  async rawClose(bytes: Buffer): Promise<void> {
    this.redis.write(bytes);
    this.dfly.write(bytes);
    const [rc, dc] = await Promise.allSettled([this.redis.waitClosed(CLOSE_TIMEOUT_MS), this.dfly.waitClosed(CLOSE_TIMEOUT_MS)]);
    const r = this.redis.pending();
    const d = this.dfly.pending();
    const label = 'raw ' + show(bytes) + ' (then the connection must be closed)';
    const rs = show(r) + (rc.status === 'fulfilled' ? ' then closed' : ' and still open');
    const ds = show(d) + (dc.status === 'fulfilled' ? ' then closed' : ' and still open');
    if (!r.equals(d) || rc.status !== dc.status) this.record(label, rs, ds, 'different reply or close behaviour');
    await this.reconnect();
  }

  /** Full SCAN-style iteration on each side; compares the sorted sets of returned elements. */
  async scanAll(argv: Array<string | Buffer>, cursorIndex = 1): Promise<void> {
    const one = async (conn: RawConnection): Promise<string | string[]> => {
      const seen = new Set<string>();
      let cursor = '0';
      for (let i = 0; i < 100000; i++) {
        const a = argv.slice();
        a[cursorIndex] = cursor;
        conn.send(...a);
        let reply: Buffer;
        try {
          reply = await conn.readReply(REPLY_TIMEOUT_MS);
        } catch (err) {
          return '<no reply: ' + (err as Error).message + '>';
        }
        const v = parseResp(reply).value;
        if (v.type === '-') return reply.toString('latin1');
        if (v.items === null || v.items.length !== 2 || v.items[1]!.items === null) return 'malformed SCAN reply ' + show(reply);
        for (const x of v.items[1]!.items) seen.add(x.raw.toString('latin1'));
        cursor = v.items[0]!.text;
        if (cursor === '0') return [...seen].sort();
      }
      return 'SCAN did not finish after 100000 calls';
    };
    const [r, d] = await Promise.all([one(this.redis), one(this.dfly)]);
    const rs = typeof r === 'string' ? r : JSON.stringify(r);
    const ds = typeof d === 'string' ? d : JSON.stringify(d);
    if (rs !== ds) this.record(showCommand(argv) + ' (full iteration)', rs, ds, 'different elements');
    if (typeof d === 'string' && d.startsWith('<no reply')) await this.recover();
  }

  /** DEBUG DIGEST on both; when it differs, a key-by-key comparison of every database. */
  async digest(): Promise<void> {
    const before = this.mismatches.length;
    await this.exec(['DEBUG', 'DIGEST']);
    if (this.mismatches.length !== before) await this.dumpDiff();
  }

  /** Compares every key of every non-empty database (type, value, TTL presence). */
  async dumpDiff(): Promise<void> {
    const saveWhere = this.where;
    for (let db = 0; db < 16; db++) {
      this.where = saveWhere + ' [dump db ' + db + ']';
      const keys = new Set<string>();
      for (const conn of [this.redis, this.dfly]) {
        if ((await this.call(conn, ['SELECT', String(db)])) === null) return;
        const k = await this.call(conn, ['KEYS', '*']);
        if (k === null) return;
        const v = parseResp(k).value;
        for (const x of v.items ?? []) keys.add(x.text);
      }
      for (const key of [...keys].sort()) {
        const kb = Buffer.from(key, 'latin1');
        const t = await this.exec(['TYPE', kb]);
        if (t !== null && t.toString('latin1') === '+string\r\n') await this.exec(['GET', kb]);
        await this.exec(['PTTL', kb], { kind: 'approx', tolerance: 2000 });
      }
    }
    this.where = saveWhere;
    await this.exec(['SELECT', String(this.dbIndex)]);
  }

  /** One command on one connection; null when it did not answer. */
  private async call(conn: RawConnection, argv: string[]): Promise<Buffer | null> {
    conn.send(...argv);
    try {
      return await conn.readReply(REPLY_TIMEOUT_MS);
    } catch {
      return null;
    }
  }
}

/** A readable failure report for a list of mismatches. */
export function formatMismatches(title: string, list: Mismatch[], limit = 150): string {
  const lines = [title + ': ' + list.length + ' difference(s) between redis-server (reference) and Damselfly'];
  for (const m of list.slice(0, limit)) {
    lines.push('', '  at ' + m.where + ' (' + m.note + ')', '    command:   ' + m.command, '    redis:     ' + m.redis, '    damselfly: ' + m.damselfly);
  }
  if (list.length > limit) lines.push('', '  ... and ' + (list.length - limit) + ' more');
  return lines.join('\n');
}

// ------------------------------------------------------------------------------ scripts

export interface ScriptStep {
  line: number;
  /** null for a plain command */
  directive: string | null;
  /** Directive parameters or command arguments. */
  args: Buffer[];
  source: string;
}

export interface Script {
  name: string;
  protocols: Array<2 | 3>;
  /** Commands of other families the script needs to set up its data (`@requires`). */
  requires: string[];
  steps: ScriptStep[];
}

function hexDigit(c: string): number {
  return '0123456789abcdef'.indexOf(c.toLowerCase());
}

/** Splits one script line into arguments (see the format at the top of this file). */
export function tokenize(line: string): Buffer[] {
  const out: Buffer[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && (line[i] === ' ' || line[i] === '\t')) i++;
    if (i >= n) break;
    const bytes: number[] = [];
    while (i < n && line[i] !== ' ' && line[i] !== '\t') {
      const c = line[i]!;
      if (c === '"') {
        i++;
        while (true) {
          if (i >= n) throw new Error('unterminated "..." in: ' + line);
          const d = line[i]!;
          if (d === '"') {
            i++;
            break;
          }
          if (d === '\\' && i + 1 < n) {
            const e = line[i + 1]!;
            i += 2;
            if (e === 'n') bytes.push(10);
            else if (e === 'r') bytes.push(13);
            else if (e === 't') bytes.push(9);
            else if (e === '0') bytes.push(0);
            else if (e === 'x') {
              const v = hexDigit(line[i] ?? '') * 16 + hexDigit(line[i + 1] ?? '');
              if (v < 0 || hexDigit(line[i] ?? '') < 0 || hexDigit(line[i + 1] ?? '') < 0) throw new Error('bad \\x escape in: ' + line);
              bytes.push(v);
              i += 2;
            } else bytes.push(e.charCodeAt(0));
            continue;
          }
          bytes.push(d.charCodeAt(0) & 0xff);
          i++;
        }
      } else if (c === "'") {
        const end = line.indexOf("'", i + 1);
        if (end < 0) throw new Error("unterminated '...' in: " + line);
        for (let k = i + 1; k < end; k++) bytes.push(line.charCodeAt(k) & 0xff);
        i = end + 1;
      } else {
        bytes.push(c.charCodeAt(0) & 0xff);
        i++;
      }
    }
    let arg = Buffer.from(bytes);
    if (arg.includes('<<')) {
      const text = arg.toString('latin1').replace(/<<(\d+)\*([^>]*)>>/g, (_m, n: string, t: string) => t.repeat(Number(n)));
      arg = Buffer.from(text, 'latin1');
    }
    out.push(arg);
  }
  return out;
}

export function parseScript(name: string, text: string): Script {
  const steps: ScriptStep[] = [];
  let protocols: Array<2 | 3> = [2];
  let requires: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const source = lines[i]!.replace(/\r$/, '').trim();
    if (source === '' || source.startsWith('#')) continue;
    let args: Buffer[];
    try {
      args = tokenize(source);
    } catch (err) {
      throw new Error(name + ':' + (i + 1) + ': ' + (err as Error).message);
    }
    if (source.startsWith('@')) {
      const directive = args[0]!.toString('latin1').slice(1);
      if (directive === 'protocols') {
        protocols = args.slice(1).map((a) => (a.toString() === '3' ? 3 : 2));
        continue;
      }
      if (directive === 'requires') {
        requires = args.slice(1).map((a) => a.toString('latin1').toLowerCase());
        continue;
      }
      steps.push({ line: i + 1, directive, args: args.slice(1), source });
    } else {
      steps.push({ line: i + 1, directive: null, args, source });
    }
  }
  return { name, protocols, requires, steps };
}

export function loadScript(file: string): Script {
  return parseScript(path.basename(file), readFileSync(file, 'latin1'));
}

/** The commands among `names` that Damselfly does not know (COMMAND INFO answers nil). */
export async function missingCommands(pair: ServerPair, names: string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const c = await RawConnection.connect(pair.dfly.port);
  try {
    const reply = parseResp(Buffer.from(await c.call('COMMAND', 'INFO', ...names), 'latin1')).value;
    if (reply.items === null) throw new Error('COMMAND INFO failed on Damselfly: ' + show(reply.raw));
    return names.filter((_n, i) => reply.items![i]?.items === null);
  } finally {
    c.close();
  }
}

/** Runs a script on a fresh pair of connections (after FLUSHALL); returns the differences. */
export async function runScript(pair: ServerPair, script: Script, resp: 2 | 3): Promise<Mismatch[]> {
  const s = await DiffSession.open(pair, resp);
  const tag = resp === 3 ? ' (RESP3)' : '';
  try {
    s.where = script.name + tag + ' (setup)';
    await s.exec(['FLUSHALL']);
    for (const step of script.steps) {
      s.where = script.name + ':' + step.line + tag;
      await runStep(s, step);
    }
  } catch (err) {
    if (!(err instanceof Abort)) throw err;
    s.record('(run abandoned)', '', '', err.message);
  } finally {
    s.close();
  }
  return s.mismatches;
}

async function runStep(s: DiffSession, step: ScriptStep): Promise<void> {
  const a = step.args;
  const num = (i: number) => {
    const v = Number(a[i]?.toString());
    if (!Number.isFinite(v)) throw new Error(s.where + ': expected a number in ' + step.source);
    return v;
  };
  switch (step.directive) {
    case null:
      await s.exec(a);
      return;
    case 'sorted':
      await s.exec(a, { kind: 'sorted' });
      return;
    case 'pairs':
      await s.exec(a, { kind: 'pairs' });
      return;
    case 'shape':
      await s.exec(a, { kind: 'shape' });
      return;
    case 'approx':
      await s.exec(a.slice(1), { kind: 'approx', tolerance: num(0) });
      return;
    case 'mask':
      await s.exec(a.slice(1), { kind: 'mask', fields: a[0]!.toString('latin1').split(',') });
      return;
    case 'scan':
      await s.scanAll(a);
      return;
    case 'raw':
      await s.raw(a[1]!, num(0));
      return;
    case 'rawclose':
      await s.rawClose(a[0]!);
      return;
    case 'sleep':
      await new Promise((r) => setTimeout(r, num(0)));
      return;
    case 'reconnect':
      await s.reconnect();
      return;
    case 'digest':
      await s.digest();
      return;
    default:
      throw new Error(s.where + ': unknown directive @' + step.directive);
  }
}

// ------------------------------------------------------------------------------ random runs

/** Small deterministic PRNG (mulberry32). */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = Math.floor(this.next() * 256);
    return b;
  }
}

export interface RandomStep {
  argv: Array<string | Buffer>;
  mode: Mode;
  /** Run as a full SCAN iteration instead of a single call. */
  scan?: boolean;
}

const KEYS: Array<string | Buffer> = ['k0', 'k1', 'k2', 'k3', 'k4', 'n', 'k:{x}', '', Buffer.from([0x00, 0xff, 0x0d, 0x0a]), 'long:key:' + 'z'.repeat(60)];
const INTS = ['0', '1', '-1', '42', '9999', '10000', '-10000', '9223372036854775807', '-9223372036854775808', '9223372036854775806', '-9223372036854775807', ' 1', '01', '+1', '1.0', '-0', '4294967296', '12345678901234567890', ''];
const FLOATS = ['1.5', '3.0e3', '-2.25', '0.1', '1e308', '-1e308', 'inf', '-inf', '+inf', 'nan', '1e-300', '5.0000000000000001', '0x10', '1e', '  2', '2  ', '17.0000', '1.7976931348623157e308'];
const PATTERNS = ['*', 'k*', 'k[0-2]', 'k?', '?', '*:*', 'k\\*', '[^k]*', 'n', '*{x}*', '\\x00*', 'k[2-0]', ''];
const BITFIELD_TYPES = ['i1', 'u1', 'i5', 'u7', 'i8', 'u8', 'i16', 'u16', 'i32', 'u32', 'i63', 'u63', 'i64'];
const BAD_BITFIELD_TYPES = ['u64', 'i65', 'x8', 'i0', 'I8'];

function randomValue(r: Rng): Buffer | string {
  const p = r.next();
  if (p < 0.28) return r.bytes(r.int(0, 24));
  if (p < 0.5) return r.chance(0.5) ? r.pick(INTS) : String(r.int(-1000000, 1000000));
  if (p < 0.6) return r.pick(FLOATS);
  if (p < 0.75) {
    let s = '';
    const n = r.int(0, 60);
    for (let i = 0; i < n; i++) s += String.fromCharCode(r.int(97, 122));
    return s;
  }
  if (p < 0.8) return r.bytes(r.int(100, 700));
  return r.bytes(r.int(25, 60));
}

function randomIndex(r: Rng): string {
  const p = r.next();
  if (p < 0.7) return String(r.int(-20, 20));
  if (p < 0.8) return String(r.int(-200, 800));
  return r.pick(['9223372036854775807', '-9223372036854775808', 'x', '1.5', '4294967295', '-0']);
}

/**
 * A TTL argument. Past absolute times are left out where Redis 7.0 stores the key anyway
 * (SET ... EXAT <past>): such a key stays until active expiry finds it, at a moment that differs
 * between two servers, and DBSIZE or DEBUG DIGEST would see it on one only.
 */
function randomExpireValue(r: Rng, unit: 's' | 'ms', absolute: boolean, allowPast = true): string {
  const p = r.next();
  if (absolute) {
    if (p < 0.2 && allowPast) return unit === 's' ? '1' : '1000';
    if (p < 0.3) return 'abc';
    if (p < 0.4) return unit === 's' ? '9223372036854775807' : '9223372036854775807';
    const base = unit === 's' ? 4102444800 : 4102444800000;
    return String(base + r.int(0, 1000) * (unit === 's' ? 1 : 1000));
  }
  if (p < 0.12) return r.pick(['0', '-1', '-100']);
  if (p < 0.2) return r.pick(['abc', '1.5', '9223372036854775807', '-9223372036854775808', '9223372036854775']);
  const secs = r.pick([100, 200, 1000, 5000, 100000, 3000000]);
  return String(unit === 's' ? secs : secs * 1000 + r.int(0, 999));
}

function expireFlags(r: Rng): string[] {
  const out: string[] = [];
  const n = r.chance(0.5) ? 0 : r.int(1, 2);
  for (let i = 0; i < n; i++) out.push(r.pick(['NX', 'XX', 'GT', 'LT', 'nx', 'gt', 'FOO']));
  return out;
}

/** One random string/key command over the small key space. */
export function randomCommand(r: Rng): RandomStep {
  const k = () => r.pick(KEYS);
  const v = () => randomValue(r);
  const bfType = () => (r.chance(0.93) ? r.pick(BITFIELD_TYPES) : r.pick(BAD_BITFIELD_TYPES));
  // Counters: mostly the key 'n', which SET mostly fills with integers, so INCR* often succeed.
  const counterKey = () => (r.chance(0.6) ? 'n' : k());
  const cmd = (...argv: Array<string | Buffer>): RandomStep => ({ argv, mode: EXACT });
  const w = r.int(0, 791);
  if (w < 90) {
    const key = k();
    const argv: Array<string | Buffer> = ['SET', key, key === 'n' && r.chance(0.8) ? String(r.int(-100000, 100000)) : v()];
    if (r.chance(0.25)) argv.push(r.pick(['NX', 'XX']));
    if (r.chance(0.35)) {
      const o = r.pick(['EX', 'PX', 'EXAT', 'PXAT', 'KEEPTTL', 'ex']);
      argv.push(o);
      if (o !== 'KEEPTTL') argv.push(randomExpireValue(r, o.toUpperCase() === 'EX' || o === 'EXAT' ? 's' : 'ms', o.endsWith('AT'), false));
    }
    if (r.chance(0.2)) argv.push('GET');
    if (r.chance(0.03)) argv.push(r.pick(['NX', 'EX', 'PERSIST', 'GET']));
    return cmd(...argv);
  }
  if (w < 130) return cmd('GET', k());
  if (w < 170) {
    const argv: Array<string | Buffer> = ['GETEX', k()];
    if (r.chance(0.7)) {
      const o = r.pick(['EX', 'PX', 'EXAT', 'PXAT', 'PERSIST', 'KEEPTTL']);
      argv.push(o);
      if (o !== 'PERSIST' && o !== 'KEEPTTL') argv.push(randomExpireValue(r, o === 'EX' || o === 'EXAT' ? 's' : 'ms', o.endsWith('AT')));
    }
    return cmd(...argv);
  }
  if (w < 185) return cmd('GETDEL', k());
  if (w < 200) return cmd('GETSET', k(), v());
  if (w < 225) {
    const n = r.int(1, 5);
    const argv: Array<string | Buffer> = ['MGET'];
    for (let i = 0; i < n; i++) argv.push(k());
    return cmd(...argv);
  }
  if (w < 250) {
    const name = r.pick(['MSET', 'MSETNX']);
    const n = r.int(1, 3);
    const argv: Array<string | Buffer> = [name];
    for (let i = 0; i < n; i++) argv.push(k(), v());
    if (r.chance(0.05)) argv.push(k());
    return cmd(...argv);
  }
  if (w < 260) return cmd('SETNX', k(), v());
  if (w < 270) return cmd(r.pick(['SETEX', 'PSETEX']), k(), r.pick(['100000', '200000', '0', '-5', 'x']), v());
  if (w < 300) return cmd('APPEND', k(), v());
  if (w < 315) return cmd('STRLEN', k());
  if (w < 380) {
    const name = r.pick(['INCR', 'DECR', 'INCRBY', 'DECRBY', 'INCRBYFLOAT']);
    if (name === 'INCR' || name === 'DECR') return cmd(name, counterKey());
    if (name === 'INCRBYFLOAT') return cmd(name, counterKey(), r.chance(0.6) ? String(r.int(-1000, 1000) / 8) : r.pick(FLOATS.concat(['1', '-1', '1e-5'])));
    return cmd(name, counterKey(), r.chance(0.7) ? String(r.int(-1000, 1000)) : r.pick(INTS));
  }
  if (w < 410) return cmd(r.pick(['GETRANGE', 'SUBSTR']), k(), randomIndex(r), randomIndex(r));
  if (w < 430) return cmd('SETRANGE', k(), r.chance(0.9) ? String(r.int(0, 120)) : r.pick(['-1', 'x', '536870912']), v());
  if (w < 445) {
    const argv: Array<string | Buffer> = ['LCS', k(), k()];
    const p = r.next();
    if (p < 0.3) argv.push('LEN');
    else if (p < 0.7) {
      argv.push('IDX');
      if (r.chance(0.5)) argv.push('MINMATCHLEN', String(r.int(0, 4)));
      if (r.chance(0.5)) argv.push('WITHMATCHLEN');
    } else if (p < 0.75) argv.push('LEN', 'IDX');
    return cmd(...argv);
  }
  if (w < 470) return cmd('SETBIT', k(), r.chance(0.9) ? String(r.int(0, 700)) : r.pick(['-1', '4294967296', 'x']), r.chance(0.95) ? r.pick(['0', '1']) : r.pick(['2', '-1', 'x']));
  if (w < 485) return cmd('GETBIT', k(), r.chance(0.9) ? String(r.int(0, 800)) : r.pick(['-1', '4294967296', 'x']));
  if (w < 505) {
    const argv: Array<string | Buffer> = ['BITCOUNT', k()];
    if (r.chance(0.7)) {
      argv.push(randomIndex(r), randomIndex(r));
      if (r.chance(0.4)) argv.push(r.pick(['BYTE', 'BIT', 'bit', 'WORD']));
    } else if (r.chance(0.1)) argv.push('0');
    return cmd(...argv);
  }
  if (w < 525) {
    const argv: Array<string | Buffer> = ['BITPOS', k(), r.chance(0.95) ? r.pick(['0', '1']) : '2'];
    if (r.chance(0.6)) {
      argv.push(randomIndex(r));
      if (r.chance(0.6)) {
        argv.push(randomIndex(r));
        if (r.chance(0.4)) argv.push(r.pick(['BYTE', 'BIT', 'bit', 'WORD']));
      }
    }
    return cmd(...argv);
  }
  if (w < 540) {
    const op = r.pick(['AND', 'OR', 'XOR', 'NOT', 'and', 'NAND']);
    const argv: Array<string | Buffer> = ['BITOP', op, k()];
    const n = op.toUpperCase() === 'NOT' ? (r.chance(0.9) ? 1 : 2) : r.int(1, 3);
    for (let i = 0; i < n; i++) argv.push(k());
    return cmd(...argv);
  }
  if (w < 560) {
    const ro = r.chance(0.25);
    const argv: Array<string | Buffer> = [ro ? 'BITFIELD_RO' : 'BITFIELD', k()];
    const n = r.int(ro ? 1 : 0, 3);
    for (let i = 0; i < n; i++) {
      const off = r.chance(0.8) ? String(r.int(0, 200)) : r.pick(['#1', '#3', '-1', 'x', '#-1']);
      const op = ro && r.chance(0.9) ? 'GET' : r.pick(['GET', 'SET', 'INCRBY', 'OVERFLOW']);
      if (op === 'OVERFLOW') argv.push('OVERFLOW', r.pick(['WRAP', 'SAT', 'FAIL', 'NONE']));
      else if (op === 'GET') argv.push('GET', bfType(), off);
      else argv.push(op, bfType(), off, r.chance(0.8) ? String(r.int(-300, 300)) : r.pick(INTS));
    }
    return cmd(...argv);
  }
  if (w < 590) {
    const name = r.pick(['DEL', 'UNLINK', 'EXISTS', 'TOUCH', 'EXISTS']);
    const n = r.int(1, 4);
    const argv: Array<string | Buffer> = [name];
    for (let i = 0; i < n; i++) argv.push(k());
    return cmd(...argv);
  }
  if (w < 600) return cmd('TYPE', k());
  if (w < 615) return cmd(r.pick(['RENAME', 'RENAMENX']), k(), k());
  if (w < 630) {
    const argv: Array<string | Buffer> = ['COPY', k(), k()];
    if (r.chance(0.3)) argv.push('DB', r.pick(['0', '1', '16', 'x']));
    if (r.chance(0.4)) argv.push('REPLACE');
    return cmd(...argv);
  }
  if (w < 638) return cmd('MOVE', k(), r.pick(['1', '1', '0', '16', 'x']));
  if (w < 640) return cmd('SWAPDB', '0', '1');
  if (w < 645) return cmd('SELECT', r.pick(['0', '0', '1']));
  if (w < 700) {
    const name = r.pick(['EXPIRE', 'PEXPIRE', 'EXPIREAT', 'PEXPIREAT']);
    const unit = name.startsWith('P') ? 'ms' : 's';
    return cmd(name, k(), randomExpireValue(r, unit, name.endsWith('AT')), ...expireFlags(r));
  }
  if (w < 715) return cmd('PERSIST', k());
  if (w < 740) {
    const name = r.pick(['TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME']);
    return { argv: [name, k()], mode: { kind: 'approx', tolerance: name.startsWith('P') ? 1500 : 1 } };
  }
  if (w < 760) return cmd('OBJECT', 'ENCODING', k());
  if (w < 770) return cmd('DBSIZE');
  if (w < 780) return { argv: ['KEYS', r.pick(PATTERNS)], mode: { kind: 'sorted' } };
  if (w < 785) return { argv: ['RANDOMKEY'], mode: { kind: 'shape' } };
  if (w < 790) return { argv: ['SCAN', '0', 'MATCH', r.pick(PATTERNS), 'COUNT', String(r.int(1, 20))], mode: EXACT, scan: true };
  return cmd('FLUSHDB');
}

/** Runs `count` random commands from `seed`, then compares DEBUG DIGEST. */
export async function runRandom(pair: ServerPair, seed: number, count: number, resp: 2 | 3 = 2): Promise<Mismatch[]> {
  const s = await DiffSession.open(pair, resp);
  const r = new Rng(seed);
  const label = 'random seed ' + seed + (resp === 3 ? ' (RESP3)' : '');
  try {
    s.where = label + ' (setup)';
    await s.exec(['FLUSHALL']);
    for (let i = 0; i < count; i++) {
      const step = randomCommand(r);
      s.where = label + ' #' + (i + 1);
      if (step.scan === true) await s.scanAll(step.argv);
      else await s.exec(step.argv, step.mode);
    }
    s.where = label + ' (final digest)';
    await s.digest();
  } catch (err) {
    if (!(err instanceof Abort)) throw err;
    s.record('(run abandoned)', '', '', err.message);
  } finally {
    s.close();
  }
  return s.mismatches;
}
