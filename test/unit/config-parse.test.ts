// Text-level helpers of the config system. Expectations were observed on redis-server 7.0.15
// (config files with the quoted forms, CONFIG GET of the result; fatal errors of the command
// line).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatDoubleF,
  formatMemory,
  parseArgs,
  parseDouble,
  parseInt64,
  parseMemory,
  parseStrtoll,
  repr,
  splitArgs,
  trimLine,
} from '../../src/config/parse.js';

test('splitArgs: words, quotes and escapes as redis-server reads config lines', () => {
  const cases: Array<[string, string[] | null]> = [
    ['port 6379', ['port', '6379']],
    ['  port\t \t6379  ', ['port', '6379']],
    ['', []],
    ['   ', []],
    // Double quotes: \xHH, \n \r \t \b \a, \\ and \" ; any other escaped char stands for itself.
    ['x "a\\x41b\\n\\t\\\\\\"\\q"', ['x', 'aAb\n\t\\"q']],
    ['x "\\r\\b\\a"', ['x', '\r\b\x07']],
    ['x "\\xZZ"', ['x', 'xZZ']], // not two hex digits: the backslash is dropped
    ['x "\\x4"', ['x', 'x4']],
    ['x "\\xc3\\xa9"', ['x', '\xc3\xa9']],
    // Single quotes: only \' is an escape.
    ["x 'it\\'s \"x\"'", ['x', 'it\'s "x"']],
    ["x 'a\\nb'", ['x', 'a\\nb']],
    ['x ""', ['x', '']],
    ["x ''", ['x', '']],
    // A quote inside a bare word opens a quoted section of that word.
    ['x a"b"', ['x', 'ab']],
    ['x a\\\\b', ['x', 'a\\\\b']], // outside quotes backslashes are literal
    ['x "a" "b"', ['x', 'a', 'b']],
    // Unbalanced: unterminated, or a closing quote not followed by a space.
    ['x "abc', null],
    ["x 'abc", null],
    ['x "a"b', null],
    ["x 'a'b", null],
    ['x "a\\', null],
  ];
  for (const [line, want] of cases) assert.deepEqual(splitArgs(line), want, line);
});

test('repr quotes like redis (CONFIG REWRITE strings, command-line echo)', () => {
  assert.equal(repr('abc'), '"abc"');
  assert.equal(repr(''), '""');
  assert.equal(repr('a"b c'), '"a\\"b c"');
  assert.equal(repr('a b"c\\n'), '"a b\\"c\\\\n"');
  assert.equal(repr('\n\r\t\x07\b'), '"\\n\\r\\t\\a\\b"');
  assert.equal(repr('\x00\x7f\xe9'), '"\\x00\\x7f\\xe9"');
  // Round trip through the line splitter.
  for (const s of ['plain', 'a b', 'q"q', 'back\\slash', '\x01\xff\n', "it's"]) {
    assert.deepEqual(splitArgs('k ' + repr(s)), ['k', s]);
  }
});

test('trimLine trims spaces, tabs, CR and LF only', () => {
  assert.equal(trimLine('  port   abc  \t\r'), 'port   abc');
  assert.equal(trimLine('\x0bx\x0b'), '\x0bx\x0b');
});

test('parseArgs: command line to config text (redis-server 7.0.15 rules)', () => {
  assert.deepEqual(parseArgs([]), { configFile: null, stdin: false, options: '' });
  assert.deepEqual(parseArgs(['/etc/redis.conf']), { configFile: '/etc/redis.conf', stdin: false, options: '' });
  assert.deepEqual(parseArgs(['--port', 'abc']), { configFile: null, stdin: false, options: 'port "abc" ' });
  assert.deepEqual(parseArgs(['x.conf', '--port', '7777', '--replicaof', '127.0.0.1', '8888']), {
    configFile: 'x.conf',
    stdin: false,
    options: 'port "7777" \nreplicaof "127.0.0.1" "8888" ',
  });
  // --save with no value is save "", also before another option.
  assert.equal(parseArgs(['--save']).options, 'save "" ');
  assert.equal(parseArgs(['--port', '1', '--save', '--hz', 'abc']).options, 'port "1" \nsave "" \nhz "abc" ');
  // The first argument after a name is taken even if it starts with "--".
  assert.equal(parseArgs(['--port', '--zzz', '1']).options, 'port "--zzz" "1" ');
  assert.equal(parseArgs(['--port', '1', '--save', '--port']).options, 'port "1" \nsave "" \nport ');
  // Arguments before the first --name make a line of their own.
  assert.equal(parseArgs(['x.conf', 'y', '--hz']).options, '"y" \nhz ');
  assert.equal(parseArgs(['--port', '7', 'x', 'y']).options, 'port "7" "x" "y" ');
  // '-' first or last reads stdin; elsewhere it is an ordinary argument.
  assert.deepEqual(parseArgs(['-']), { configFile: null, stdin: true, options: '' });
  assert.deepEqual(parseArgs(['-', '--hz', '4']), { configFile: null, stdin: true, options: 'hz "4" ' });
  assert.deepEqual(parseArgs(['x.conf', '-']), { configFile: 'x.conf', stdin: true, options: '' });
  assert.deepEqual(parseArgs(['x.conf', '-', '--port', '1']), { configFile: 'x.conf', stdin: false, options: '"-" \nport "1" ' });
  // Options are quoted, so any bytes survive.
  assert.equal(parseArgs(['--port', 'a b"c\\n']).options, 'port "a b\\"c\\\\n" ');
});

test('parseMemory: units, saturation and wrap-around as redis-server', () => {
  const ok: Array<[string, bigint]> = [
    ['0', 0n],
    ['100', 100n],
    ['00012', 12n],
    ['', 0n],
    ['kb', 0n],
    ['1b', 1n],
    ['1B', 1n],
    ['1k', 1000n],
    ['1K', 1000n],
    ['1kb', 1024n],
    ['1kB', 1024n],
    ['1m', 1000000n],
    ['1mb', 1048576n],
    ['1Mb', 1048576n],
    ['1g', 1000000000n],
    ['1gb', 1073741824n],
    ['1GB', 1073741824n],
    ['99999999999999999999', 18446744073709551615n],
    ['18446744073709551615k', 18446744073709550616n],
    ['99999999999gb', 15140462030378500096n],
  ];
  for (const [s, v] of ok) assert.equal(parseMemory(s), v, s);
  for (const s of ['-1', '-0', '+5', '1.5mb', ' 1', '1 ', '1x', '1tb', '0x10', '12b3', '5bb', '1 kb']) {
    assert.equal(parseMemory(s), null, s);
  }
});

test('formatMemory: the largest unit that divides (CONFIG REWRITE)', () => {
  assert.equal(formatMemory(0n), '0');
  assert.equal(formatMemory(1073741824n), '1gb');
  assert.equal(formatMemory(3n * 1048576n), '3mb');
  assert.equal(formatMemory(1024n), '1kb');
  assert.equal(formatMemory(1025n), '1025');
  assert.equal(formatMemory(1536n), '1536');
  assert.equal(formatMemory(3000000000n), '3000000000');
  assert.equal(formatMemory(268435456n), '256mb');
});

test('parseInt64 is strict; parseStrtoll is lenient and saturates', () => {
  assert.equal(parseInt64('0'), 0n);
  assert.equal(parseInt64('-2'), -2n);
  assert.equal(parseInt64('9223372036854775807'), 9223372036854775807n);
  assert.equal(parseInt64('-9223372036854775808'), -9223372036854775808n);
  for (const s of ['', '-0', '+5', '007', ' 5', '1.5', '1k', '9223372036854775808', '-9223372036854775809']) {
    assert.equal(parseInt64(s), null, s);
  }
  assert.equal(parseStrtoll('007'), 7n);
  assert.equal(parseStrtoll('+5'), 5n);
  assert.equal(parseStrtoll('-0'), 0n);
  assert.equal(parseStrtoll(''), 0n);
  assert.equal(parseStrtoll('18446744073709551615'), 9223372036854775807n);
  assert.equal(parseStrtoll('1k'), null);
  assert.equal(parseStrtoll('0x1'), null);
});

test('doubles: strtod-like parsing and %f printing with trailing zeros removed', () => {
  assert.equal(parseDouble('1e2'), 100);
  assert.equal(parseDouble('99.9'), 99.9);
  assert.equal(parseDouble('abc'), null);
  assert.equal(parseDouble(''), null);
  assert.equal(formatDoubleF(50), '50');
  assert.equal(formatDoubleF(99.9), '99.9');
  assert.equal(formatDoubleF(99.99999), '99.99999');
  assert.equal(formatDoubleF(12.3456789), '12.345679');
  assert.equal(formatDoubleF(0.0000001), '0');
});
