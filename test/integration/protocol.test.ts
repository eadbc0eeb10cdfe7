/**
 * Protocol robustness: fragmentation, garbage input, size limits (compared with redis-server),
 * very deep pipelines and a 100 MB value arriving in small pieces.
 */

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { createHash } from 'node:crypto';
import { startDamselfly, startRedis, type ServerProcess } from '../helpers/servers.js';
import { encodeCommand, replyEnd } from '../helpers/raw.js';
import { Rng, parseAll, requireRedisServer, show, showCommand } from '../helpers/differential.js';

// ------------------------------------------------------------------------------ client

/** A socket that keeps every received chunk (no re-concatenation per read) with waits. */
class Conn {
  private readonly socket: net.Socket;
  private chunks: Buffer[] = [];
  size = 0;
  closed = false;
  private waiters: Array<() => void> = [];

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => {
      this.chunks.push(d);
      this.size += d.length;
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  static connect(port: number): Promise<Conn> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(new Conn(s)));
      s.once('error', reject);
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Writes and waits for the socket to drain when its buffer is full. */
  async write(b: Buffer | string): Promise<void> {
    if (this.closed) return;
    const buf = typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
    if (!this.socket.write(buf)) {
      await new Promise<void>((r) => {
        const done = () => {
          this.socket.off('drain', done);
          this.socket.off('close', done);
          r();
        };
        this.socket.once('drain', done);
        this.socket.once('close', done);
      });
    }
  }

  /** Everything received so far, as one buffer. */
  data(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  /** Drops the first n received bytes (after they were checked). */
  consume(n: number): void {
    const d = this.data().subarray(n);
    this.chunks = d.length > 0 ? [d] : [];
    this.size = d.length;
  }

  private async until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timeout waiting for ' + what + '; received ' + this.size + ' bytes: ' + show(this.data().subarray(0, 300)));
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** Waits until at least n bytes arrived (or the connection closed). */
  async waitBytes(n: number, timeoutMs = 10000): Promise<Buffer> {
    await this.until(() => this.size >= n || this.closed, timeoutMs, n + ' bytes');
    return this.data();
  }

  /** Waits until the received bytes end with `tail`. */
  async waitEndsWith(tail: Buffer, timeoutMs = 20000): Promise<Buffer> {
    await this.until(() => this.closed || (this.size >= tail.length && this.lastBytes(tail.length).equals(tail)), timeoutMs, 'the end marker');
    return this.data();
  }

  private lastBytes(n: number): Buffer {
    const last = this.chunks[this.chunks.length - 1]!;
    if (last.length >= n) return last.subarray(last.length - n);
    return this.data().subarray(this.size - n);
  }

  /** Waits for one complete reply from the start of the buffer and removes it. */
  async reply(timeoutMs = 5000): Promise<Buffer> {
    let end = -1;
    await this.until(() => (end = replyEnd(this.data(), 0)) > 0 || this.closed, timeoutMs, 'a reply');
    if (end <= 0) throw new Error('connection closed before a complete reply; received ' + show(this.data()));
    const r = Buffer.from(this.data().subarray(0, end));
    this.consume(end);
    return r;
  }

  async call(...argv: Array<string | Buffer>): Promise<string> {
    await this.write(encodeCommand(argv));
    return (await this.reply()).toString('latin1');
  }

  async waitClosed(timeoutMs = 5000): Promise<boolean> {
    try {
      await this.until(() => this.closed, timeoutMs, 'the server to close the connection');
      return true;
    } catch {
      return false;
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------------------------ pipelines

const END_MARK = Buffer.from('__end-of-pipeline__');
const END_REPLY = Buffer.from('$' + END_MARK.length + '\r\n' + END_MARK.toString() + '\r\n');

/** A deterministic mixed pipeline (multibulk and inline) with some large values. */
function buildPipeline(seed: number, count: number, bigValues: boolean): { bytes: Buffer; commands: number } {
  const r = new Rng(seed);
  const parts: Buffer[] = [encodeCommand(['FLUSHALL'])];
  let commands = 1;
  const key = () => 'p' + r.int(0, 30);
  for (let i = 0; i < count; i++) {
    const p = r.next();
    if (p < 0.2) {
      let v: Buffer;
      const q = r.next();
      if (bigValues && q < 0.004) v = r.bytes(r.pick([1 << 20, 300_000]));
      else if (bigValues && q < 0.02) v = r.bytes(r.int(32 * 1024 - 4, 70_000));
      else v = r.bytes(r.int(0, 120));
      parts.push(encodeCommand(['SET', key(), v]));
    } else if (p < 0.4) parts.push(encodeCommand(['GET', key()]));
    else if (p < 0.45) parts.push(encodeCommand(['APPEND', key(), r.bytes(r.int(0, 30))]));
    else if (p < 0.5) parts.push(encodeCommand(['INCR', 'counter' + r.int(0, 3)]));
    else if (p < 0.55) parts.push(encodeCommand(['MSET', key(), r.bytes(5), key(), r.bytes(9)]));
    else if (p < 0.6) parts.push(encodeCommand(['MGET', key(), key(), key()]));
    else if (p < 0.65) parts.push(encodeCommand(['DEL', key()]));
    else if (p < 0.7) parts.push(encodeCommand(['EXISTS', key(), key()]));
    else if (p < 0.75) parts.push(encodeCommand(['STRLEN', key()]));
    else if (p < 0.8) parts.push(encodeCommand(['GETRANGE', key(), String(r.int(-50, 50)), String(r.int(-50, 50))]));
    else if (p < 0.85) parts.push(encodeCommand(['ECHO', r.bytes(r.int(0, 60))]));
    else if (p < 0.9) parts.push(Buffer.from(r.pick(['PING\r\n', 'PING\n', 'ECHO "a b\\x41"\r\n', "ECHO 'x y'\r\n", 'EXISTS p1 p2\r\n', 'GET p3\r\n'])));
    else if (p < 0.92) {
      // Empty inline lines and empty multibulks produce no reply.
      parts.push(Buffer.from(r.pick(['\r\n', '*0\r\n', '*-1\r\n', '\n'])));
      continue;
    } else parts.push(encodeCommand(['PING']));
    commands++;
  }
  parts.push(encodeCommand(['ECHO', END_MARK]));
  commands++;
  return { bytes: Buffer.concat(parts), commands };
}

/** Sends `pieces` one by one, yielding between writes so they arrive as separate reads. */
async function sendPieces(c: Conn, bytes: Buffer, cuts: number[], delayEvery = 1): Promise<Buffer> {
  let prev = 0;
  let n = 0;
  for (const cut of [...cuts, bytes.length]) {
    if (cut <= prev) continue;
    await c.write(bytes.subarray(prev, cut));
    prev = cut;
    if (++n % delayEvery === 0) await new Promise((r) => setImmediate(r));
  }
  return c.waitEndsWith(END_REPLY, 60000);
}

/** Random cut points: a mix of tiny, medium and large pieces. */
function randomCuts(r: Rng, total: number): number[] {
  const cuts: number[] = [];
  let pos = 0;
  while (pos < total) {
    const q = r.next();
    pos += q < 0.35 ? r.int(1, 8) : q < 0.75 ? r.int(9, 600) : r.int(601, 90_000);
    cuts.push(Math.min(pos, total));
  }
  return cuts;
}

// ------------------------------------------------------------------------------ tests

describe('protocol robustness', { timeout: 900_000 }, () => {
  let dfly: ServerProcess;

  before(async () => {
    dfly = await startDamselfly();
  });

  after(async () => {
    await dfly?.stop();
  });

  it('fragmentation: a long pipeline split at random byte positions gives the same reply bytes', async () => {
    const { bytes, commands } = buildPipeline(7, 3000, true);
    const c0 = await Conn.connect(dfly.port);
    await c0.write(bytes);
    const whole = await c0.waitEndsWith(END_REPLY, 60000);
    c0.destroy();
    const replies = parseAll(whole);
    assert.equal(replies.length, commands, 'one reply per command (pipeline of ' + bytes.length + ' bytes)');
    const protoErrors = replies.filter((v) => v.type === '-' && v.text.includes('Protocol error'));
    assert.deepEqual(protoErrors.map((v) => v.text), [], 'no protocol errors in a well-formed pipeline');
    assert.ok(bytes.length > 1_000_000, 'pipeline includes large values');

    for (let seed = 1; seed <= 16; seed++) {
      const r = new Rng(1000 + seed);
      const c = await Conn.connect(dfly.port);
      const got = await sendPieces(c, bytes, randomCuts(r, bytes.length));
      c.destroy();
      if (!got.equals(whole)) {
        let i = 0;
        while (i < got.length && i < whole.length && got[i] === whole[i]) i++;
        assert.fail(
          'split run (seed ' + seed + ') differs from the whole run at reply byte ' + i + '\n  whole: ' + show(whole.subarray(Math.max(0, i - 40), i + 200)) + '\n  split: ' + show(got.subarray(Math.max(0, i - 40), i + 200)),
        );
      }
    }
  });

  it('fragmentation: a short pipeline sent one byte at a time gives the same reply bytes', async () => {
    const { bytes } = buildPipeline(11, 60, false);
    const c0 = await Conn.connect(dfly.port);
    await c0.write(bytes);
    const whole = await c0.waitEndsWith(END_REPLY);
    c0.destroy();
    const cuts: number[] = [];
    for (let i = 1; i < bytes.length; i++) cuts.push(i);
    const c = await Conn.connect(dfly.port);
    let prev = 0;
    for (const cut of [...cuts, bytes.length]) {
      await c.write(bytes.subarray(prev, cut));
      prev = cut;
      // A timer (not just setImmediate) so that each byte is its own TCP read on the server.
      if (cut % 4 === 0) await sleep(1);
      else await new Promise((res) => setImmediate(res));
    }
    const got = await c.waitEndsWith(END_REPLY);
    c.destroy();
    assert.equal(show(got), show(whole));
  });

  it('garbage input: the server stays up, other clients are unaffected, stored keys survive', async () => {
    const admin = await Conn.connect(dfly.port);
    for (let i = 0; i < 100; i++) assert.equal(await admin.call('SET', 'g:' + i, 'value-' + i), '+OK\r\n');

    // A well-behaved client working the whole time.
    let stop = false;
    const observer = (async () => {
      const c = await Conn.connect(dfly.port);
      let n = 0;
      while (!stop) {
        const v = 'obs-' + n;
        const set = await c.call('SET', 'obs', v);
        if (set !== '+OK\r\n') throw new Error('observer SET got ' + show(Buffer.from(set, 'latin1')));
        const get = await c.call('GET', 'obs');
        if (get !== '$' + v.length + '\r\n' + v + '\r\n') throw new Error('observer GET got ' + show(Buffer.from(get, 'latin1')));
        n++;
      }
      c.destroy();
      return n;
    })();

    const expectErrorAndClose = async (payload: Buffer, expected: string) => {
      const c = await Conn.connect(dfly.port);
      await c.write(payload);
      const closed = await c.waitClosed(5000);
      const got = c.data().toString('latin1');
      c.destroy();
      assert.equal(got, expected, 'reply to ' + show(payload.subarray(0, 60)));
      assert.ok(closed, 'connection closed after ' + show(payload.subarray(0, 60)));
    };

    const r = new Rng(99);
    const garbage = async (i: number) => {
      const c = await Conn.connect(dfly.port);
      const body = r.bytes(r.int(1, 4096));
      const lead = r.pick(['', '*', '$', '*3\r\n', '*2\r\n$3\r\nGET\r\n', '*1\r\n$', '"', "'"]);
      const bytes = Buffer.concat([Buffer.from(lead), body]);
      // Never let random bytes spell a real command that changes data.
      if (/FLUSH|SHUTDOWN|DEBUG|DEL|SET|CONFIG|SWAPDB|MOVE|RENAME|SELECT/i.test(bytes.toString('latin1'))) return;
      await c.write(bytes);
      await sleep(i % 3 === 0 ? 0 : 20);
      c.destroy();
    };

    const tasks: Array<Promise<unknown>> = [];
    for (let i = 0; i < 150; i++) tasks.push(garbage(i));
    tasks.push(expectErrorAndClose(Buffer.from('*99999999999\r\n'), '-ERR Protocol error: invalid multibulk length\r\n'));
    tasks.push(expectErrorAndClose(Buffer.from('*1\r\n$2147483648\r\n'), '-ERR Protocol error: invalid bulk length\r\n'));
    tasks.push(expectErrorAndClose(Buffer.alloc(70_000, 'a'), '-ERR Protocol error: too big inline request\r\n'));
    tasks.push(expectErrorAndClose(Buffer.concat([Buffer.from('*'), Buffer.alloc(70_000, '1')]), '-ERR Protocol error: too big mbulk count string\r\n'));
    tasks.push(expectErrorAndClose(Buffer.concat([Buffer.from('*1\r\n$'), Buffer.alloc(70_000, '1')]), '-ERR Protocol error: too big bulk count string\r\n'));
    // Bulk headers claiming 512 MB, some data, then the client vanishes.
    for (let i = 0; i < 4; i++) {
      tasks.push(
        (async () => {
          const c = await Conn.connect(dfly.port);
          await c.write(Buffer.concat([Buffer.from('*3\r\n$3\r\nSET\r\n$5\r\nhuge' + i + '\r\n$536870912\r\n'), Buffer.alloc(1 << 20, 'h')]));
          await sleep(50);
          c.destroy();
        })(),
      );
    }
    // A command cut in the middle of a bulk, then a disconnect.
    tasks.push(
      (async () => {
        const c = await Conn.connect(dfly.port);
        await c.write('*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$100\r\nabc');
        await sleep(20);
        c.destroy();
      })(),
    );
    await Promise.all(tasks);
    await sleep(200);
    stop = true;
    const observed = await observer;
    assert.ok(observed > 0, 'the observer client made progress');

    assert.equal(dfly.proc.exitCode, null, 'server process still running');
    const after = await Conn.connect(dfly.port);
    assert.equal(await after.call('PING'), '+PONG\r\n');
    for (let i = 0; i < 100; i++) {
      const v = 'value-' + i;
      assert.equal(await after.call('GET', 'g:' + i), '$' + v.length + '\r\n' + v + '\r\n');
    }
    for (let i = 0; i < 4; i++) assert.equal(await after.call('EXISTS', 'huge' + i), ':0\r\n');
    assert.equal(await after.call('EXISTS', 'x'), ':0\r\n');
    after.destroy();
    admin.destroy();
  });

  it('proto-max-bulk-len, client-query-buffer-limit and unauthenticated limits behave as in redis-server', async () => {
    requireRedisServer();
    const redis = await startRedis();
    const own = await startDamselfly();
    try {
      const [ref, got] = await Promise.all([limitsTranscript(redis.port), limitsTranscript(own.port)]);
      const diffs: string[] = [];
      for (let i = 0; i < Math.max(ref.length, got.length); i++) {
        if (ref[i]?.result !== got[i]?.result) {
          diffs.push('  step: ' + (ref[i]?.step ?? got[i]?.step) + '\n    redis:     ' + ref[i]?.result + '\n    damselfly: ' + got[i]?.result);
        }
      }
      assert.ok(diffs.length === 0, 'limit handling differs from redis-server:\n' + diffs.join('\n'));
      assert.equal(own.proc.exitCode, null, 'server still running');
    } finally {
      await Promise.all([redis.stop(), own.stop()]);
    }
  });

  it('a pipeline of 100,000 PINGs (multibulk and inline) is answered in full', async () => {
    for (const ping of ['*1\r\n$4\r\nPING\r\n', 'PING\r\n']) {
      const n = 100_000;
      const c = await Conn.connect(dfly.port);
      const started = Date.now();
      await c.write(Buffer.from(ping.repeat(n)));
      const expected = Buffer.from('+PONG\r\n'.repeat(n));
      const got = await c.waitBytes(expected.length, 60000);
      assert.equal(got.length, expected.length, 'reply bytes for ' + JSON.stringify(ping));
      assert.ok(got.equals(expected), 'every reply is +PONG');
      assert.equal(await c.call('PING'), '+PONG\r\n');
      c.destroy();
      assert.ok(Date.now() - started < 60000);
    }
  });

  it('a 100 MB SET value arriving in small chunks is stored intact', async () => {
    const size = 100 * 1024 * 1024;
    const value = Buffer.allocUnsafe(size);
    for (let i = 0; i < size; i += 4) value.writeUInt32LE((Math.imul(i, 2654435761) ^ 0x5bd1e995) >>> 0, i);
    const c = await Conn.connect(dfly.port);
    const header = Buffer.from('*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$' + size + '\r\n');
    await c.write(header);
    const chunk = 16 * 1024;
    for (let off = 0; off < size; off += chunk) await c.write(value.subarray(off, off + chunk));
    await c.write('\r\n');
    assert.equal((await c.reply(60000)).toString(), '+OK\r\n');
    assert.equal(await c.call('STRLEN', 'big'), ':' + size + '\r\n');
    for (const [a, b] of [
      [0, 99],
      [50_000_000, 50_000_099],
      [size - 100, size - 1],
    ] as const) {
      const want = value.subarray(a, b + 1);
      assert.equal(await c.call('GETRANGE', 'big', String(a), String(b)), '$' + want.length + '\r\n' + want.toString('latin1') + '\r\n');
    }
    // Whole value back, compared by hash.
    await c.write(encodeCommand(['GET', 'big']));
    const head = '$' + size + '\r\n';
    const got = await c.waitBytes(head.length + size + 2, 120000);
    assert.equal(got.toString('latin1', 0, head.length), head);
    const h1 = createHash('sha1').update(got.subarray(head.length, head.length + size)).digest('hex');
    const h2 = createHash('sha1').update(value).digest('hex');
    assert.equal(h1, h2, 'GET returns the stored 100 MB value unchanged');
    c.consume(head.length + size + 2);
    assert.equal(await c.call('DEL', 'big'), ':1\r\n');
    c.destroy();
  });
});

// ------------------------------------------------------------------------------ limits

interface Observation {
  step: string;
  result: string;
}

/**
 * Runs the limit scenario against one server and records what happened at each step (reply
 * bytes, and whether the connection was closed), so two servers' transcripts can be compared.
 */
async function limitsTranscript(port: number): Promise<Observation[]> {
  const out: Observation[] = [];
  const admin = await Conn.connect(port);
  const note = (step: string, result: string) => out.push({ step, result });
  const cmd = async (...argv: string[]) => note(showCommand(argv), show(Buffer.from(await admin.call(...argv), 'latin1')));
  /** Sends bytes on a fresh connection (in 64 KB pieces), reports the reply and closing. */
  const probe = async (label: string, bytes: Buffer, replies: number) => {
    const c = await Conn.connect(port);
    for (let off = 0; off < bytes.length; off += 65536) await c.write(bytes.subarray(off, off + 65536));
    const got: string[] = [];
    for (let i = 0; i < replies; i++) {
      try {
        got.push(show(await c.reply(5000)));
      } catch {
        break;
      }
    }
    const closed = await c.waitClosed(got.length < replies ? 3000 : 300);
    // Runs of identical replies are shown once with a count.
    const runs: string[] = [];
    for (let i = 0; i < got.length; ) {
      let j = i;
      while (j < got.length && got[j] === got[i]) j++;
      runs.push((j - i > 1 ? j - i + ' x ' : '') + got[i]);
      i = j;
    }
    note(label, runs.join(' ') + (closed ? ' [closed]' : ' [open]') + (c.size > 0 ? ' pending ' + show(c.data()) : ''));
    c.destroy();
  };
  const setCmd = (key: string, len: number) => encodeCommand(['SET', key, Buffer.alloc(len, 'v')]);

  await cmd('CONFIG', 'SET', 'proto-max-bulk-len', '1000');
  await cmd('CONFIG', 'SET', 'client-query-buffer-limit', '1000');
  await cmd('CONFIG', 'SET', 'proto-max-bulk-len', '1mb');
  await cmd('CONFIG', 'GET', 'proto-max-bulk-len');
  await probe('SET with a value of proto-max-bulk-len bytes', setCmd('atlimit', 1 << 20), 1);
  // Only the header and a little data: a client still writing when the server closes may get a
  // reset instead of the error reply, on either server.
  await probe('SET with a value one byte over proto-max-bulk-len', Buffer.from('*3\r\n$3\r\nSET\r\n$4\r\nover\r\n$' + ((1 << 20) + 1) + '\r\nvvvv'), 1);
  await probe('bulk header over proto-max-bulk-len', Buffer.from('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n'), 1);
  await cmd('STRLEN', 'atlimit');
  await cmd('EXISTS', 'over');
  await cmd('APPEND', 'atlimit', 'x');
  await cmd('SETRANGE', 'atlimit', String(1 << 20), 'x');
  await cmd('SETRANGE', 'atlimit', String((1 << 20) - 1), 'x');
  await cmd('SETBIT', 'atlimit', String(8 * (1 << 20)), '1');
  await cmd('CONFIG', 'SET', 'proto-max-bulk-len', '512mb');
  await cmd('CONFIG', 'SET', 'client-query-buffer-limit', '1mb');
  await cmd('CONFIG', 'GET', 'client-query-buffer-limit');
  await probe('SET of 900 KB under client-query-buffer-limit 1mb', setCmd('under', 900_000), 1);
  await probe('SET of 2 MB over client-query-buffer-limit 1mb', setCmd('qbover', 2_000_000), 1);
  await probe('pipeline of 3000 small SETs (3 MB in all) under the limit', Buffer.concat(Array.from({ length: 3000 }, (_, i) => setCmd('small' + (i % 10), 1000))), 3000);
  await cmd('EXISTS', 'under', 'qbover');
  await cmd('CONFIG', 'SET', 'client-query-buffer-limit', '1gb');
  // Before AUTH, Redis allows only small requests.
  await cmd('CONFIG', 'SET', 'requirepass', 'pw');
  await probe('unauthenticated: *10 multibulk', Buffer.from('*10\r\n'), 1);
  await probe('unauthenticated: *11 multibulk', Buffer.from('*11\r\n'), 1);
  await probe('unauthenticated: 16384-byte bulk', Buffer.concat([Buffer.from('*2\r\n$4\r\nECHO\r\n$16384\r\n'), Buffer.alloc(16384, 'e'), Buffer.from('\r\n')]), 1);
  await probe('unauthenticated: 16385-byte bulk', Buffer.from('*2\r\n$4\r\nECHO\r\n$16385\r\n'), 1);
  await probe('unauthenticated: AUTH then a big bulk', Buffer.concat([encodeCommand(['AUTH', 'pw']), Buffer.from('*2\r\n$4\r\nECHO\r\n$20000\r\n'), Buffer.alloc(20000, 'e'), Buffer.from('\r\n')]), 2);
  await probe('unauthenticated: PING', encodeCommand(['PING']), 1);
  await cmd('AUTH', 'pw');
  await cmd('CONFIG', 'SET', 'requirepass', '');
  admin.destroy();
  return out;
}
