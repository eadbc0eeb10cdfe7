import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestParser, splitInline, type ParserLimits } from '../../src/protocol/request-parser.js';

const limits = (): ParserLimits => ({ maxBulkLen: 512 * 1024 * 1024, unauthenticated: false });

function parseAll(chunks: Buffer[], lim = limits()): { cmds: string[][]; error: string | null } {
  const p = new RequestParser();
  const cmds: string[][] = [];
  for (const ch of chunks) {
    const ok = p.feed(ch, lim, (argv) => {
      cmds.push(argv.map((a) => a.toString('latin1')));
      return true;
    });
    if (!ok) break;
  }
  return { cmds, error: p.error };
}

function resp(...args: string[]): string {
  let s = '*' + args.length + '\r\n';
  for (const a of args) s += '$' + Buffer.byteLength(a, 'latin1') + '\r\n' + a + '\r\n';
  return s;
}

test('multibulk commands in one chunk', () => {
  const r = parseAll([Buffer.from(resp('SET', 'k', 'v') + resp('GET', 'k'), 'latin1')]);
  assert.deepEqual(r.cmds, [['SET', 'k', 'v'], ['GET', 'k']]);
  assert.equal(r.error, null);
});

test('a pipeline split at every byte position parses identically', () => {
  const big = 'x'.repeat(40000);
  const wire = Buffer.from(resp('SET', 'a', '') + 'PING\r\n' + resp('SET', 'big', big) + resp('ECHO', 'a\r\nb') + 'set "q x" \'y\'\n', 'latin1');
  const whole = parseAll([wire]).cmds;
  assert.equal(whole.length, 5);
  assert.deepEqual(whole[4], ['set', 'q x', 'y']);
  for (let i = 1; i < wire.length; i += 97) {
    assert.deepEqual(parseAll([wire.subarray(0, i), wire.subarray(i)]).cmds, whole, 'split at ' + i);
  }
  const bytes: Buffer[] = [];
  const small = Buffer.from(resp('SET', 'k', 'value') + 'PING\r\n', 'latin1');
  for (let i = 0; i < small.length; i++) bytes.push(small.subarray(i, i + 1));
  assert.deepEqual(parseAll(bytes).cmds, [['SET', 'k', 'value'], ['PING']]);
});

test('large bulk read across many chunks', () => {
  const big = Buffer.alloc(1024 * 1024, 0x61);
  const wire = Buffer.concat([Buffer.from('*2\r\n$3\r\nSET\r\n$' + big.length + '\r\n'), big, Buffer.from('\r\n*1\r\n$4\r\nPING\r\n')]);
  const chunks: Buffer[] = [];
  for (let i = 0; i < wire.length; i += 65536) chunks.push(wire.subarray(i, i + 65536));
  const p = new RequestParser();
  const got: Buffer[][] = [];
  for (const c of chunks) p.feed(c, limits(), (argv) => (got.push(argv), true));
  assert.equal(got.length, 2);
  assert.equal(got[0]![1]!.length, big.length);
  assert.ok(got[0]![1]!.equals(big));
  assert.equal(got[1]![0]!.toString(), 'PING');
});

test('empty multibulks are skipped', () => {
  assert.deepEqual(parseAll([Buffer.from('*0\r\n*-1\r\n' + resp('PING'))]).cmds, [['PING']]);
});

test('protocol errors', () => {
  assert.equal(parseAll([Buffer.from('*abc\r\n')]).error, 'Protocol error: invalid multibulk length');
  assert.equal(parseAll([Buffer.from('*3000000000\r\n')]).error, 'Protocol error: invalid multibulk length');
  assert.equal(parseAll([Buffer.from('*1\r\nfoo\r\n')]).error, "Protocol error: expected '$', got 'f'");
  assert.equal(parseAll([Buffer.from('*1\r\n$-1\r\n')]).error, 'Protocol error: invalid bulk length');
  assert.equal(parseAll([Buffer.from('*1\r\n$x\r\n')]).error, 'Protocol error: invalid bulk length');
  const lim = { maxBulkLen: 10, unauthenticated: false };
  assert.equal(parseAll([Buffer.from('*1\r\n$11\r\n')], lim).error, 'Protocol error: invalid bulk length');
  assert.equal(parseAll([Buffer.from('set "a b\r\n')]).error, 'Protocol error: unbalanced quotes in request');
  assert.equal(parseAll([Buffer.alloc(70000, 0x61)]).error, 'Protocol error: too big inline request');
  assert.equal(parseAll([Buffer.concat([Buffer.from('*1'), Buffer.alloc(70000, 0x31)])]).error, 'Protocol error: too big mbulk count string');
  const un = { maxBulkLen: 1 << 29, unauthenticated: true };
  assert.equal(parseAll([Buffer.from('*11\r\n')], un).error, 'Protocol error: unauthenticated multibulk length');
  assert.equal(parseAll([Buffer.from('*1\r\n$16385\r\n')], un).error, 'Protocol error: unauthenticated bulk length');
});

test('commands before a protocol error still run', () => {
  const r = parseAll([Buffer.from(resp('PING') + '*x\r\n' + resp('PING'))]);
  assert.deepEqual(r.cmds, [['PING']]);
  assert.equal(r.error, 'Protocol error: invalid multibulk length');
});

test('sink can stop parsing and resume later', () => {
  const p = new RequestParser();
  const got: string[] = [];
  let allow = 1;
  const sink = (argv: Buffer[]) => {
    got.push(argv[0]!.toString());
    return --allow > 0;
  };
  p.feed(Buffer.from(resp('A') + resp('B') + resp('C')), limits(), sink);
  assert.deepEqual(got, ['A']);
  allow = 10;
  p.resume(limits(), sink);
  assert.deepEqual(got, ['A', 'B', 'C']);
});

test('inline splitting follows redis-cli quoting rules', () => {
  const s = (t: string) => splitInline(Buffer.from(t, 'latin1'), 0, t.length)?.map((b) => b.toString('latin1')) ?? null;
  assert.deepEqual(s('set a b'), ['set', 'a', 'b']);
  assert.deepEqual(s('  set   a\tb  '), ['set', 'a', 'b']);
  assert.deepEqual(s('set "a b" c'), ['set', 'a b', 'c']);
  assert.deepEqual(s('set "\\x41\\n\\t\\\\" c'), ['set', 'A\n\t\\', 'c']);
  assert.deepEqual(s("set 'it\\'s' x"), ['set', "it's", 'x']);
  assert.deepEqual(s('set ""'), ['set', '']);
  assert.equal(s('set "a"b'), null);
  assert.equal(s("set 'a"), null);
  assert.deepEqual(s(''), []);
});

test('views stay valid after more input arrives', () => {
  const p = new RequestParser();
  const kept: Buffer[] = [];
  const wire = Buffer.from(resp('SET', 'key1', 'value1') + resp('SET', 'key2', 'value2'));
  p.feed(wire.subarray(0, 30), limits(), (argv) => (kept.push(...argv), true));
  p.feed(wire.subarray(30), limits(), (argv) => (kept.push(...argv), true));
  assert.deepEqual(kept.map((b) => b.toString()), ['SET', 'key1', 'value1', 'SET', 'key2', 'value2']);
});
