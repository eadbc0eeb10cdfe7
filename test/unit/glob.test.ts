import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { compileGlob, globMatch, isMatchAll } from '../../src/store/glob.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const m = (p: string, s: string, nocase = false): boolean => globMatch(b(p), b(s), nocase);
const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'latin1'));

// Each case was checked with KEYS on redis-server 7.0.15 (keys set up with SET).
test('tricky patterns (verified with KEYS)', () => {
  const cases: [string, string, boolean][] = [
    ['[z-a]', 'b', true], // reversed range
    ['[z-a]', 'A', false],
    ['[\\]]', ']', true],
    ['[\\]]', '\\', false],
    ['[a-', 'a', true], // unterminated: set {a, -}
    ['[a-', '-', true],
    ['[a-', 'b', false],
    ['[a-]', 'b', false], // range a..']' == ']'..'a'
    ['[a-]', '^', true],
    ['[a-]', '_', true],
    ['[a-]', ']', true],
    ['a\\', 'a\\', true], // trailing backslash is literal
    ['a\\', 'a', false],
    ['\\', '\\', true],
    ['[^]', 'a', true], // negated empty set: any byte
    ['[^]', 'ab', false],
    ['[]', 'a', false], // empty set: nothing
    ['[]', ']', false],
    ['[]a]', 'a]', false],
    ['[', 'a', false], // "[" alone: empty set closed by the end of pattern
    ['[^', 'a', true],
    ['[\\', '\\', true],
    ['\\*', '*', true],
    ['\\*', 'a', false],
    ['\\?', '?', true],
    ['[*]', '*', true],
    ['[?]', 'a', false],
    ['[-]', '-', true],
    ['[a-b-c]', '-', true],
    ['[a-b-c]', 'c', true],
    ['[a\\-c]', 'b', false],
    ['[a\\-c]', '-', true],
    ['[!a]', '!', true], // no '!' negation
    ['[!a]', 'b', false],
    ['a*', 'a', true],
    ['*a', 'ba', true],
    ['*a*', 'bab', true],
    ['a*b', 'ab', true],
    ['a*b', 'acb', true],
    ['a*b', 'acbc', false],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['*', '', false], // stringmatch; KEYS/SCAN special-case exactly "*"
    ['**', '', false],
    ['', '', true],
    ['', 'a', false],
    ['a.b/c', 'a.b/c', true],
    ['a.b', 'axb', false],
  ];
  for (const [p, s, want] of cases) assert.equal(m(p, s), want, `${JSON.stringify(p)} ~ ${JSON.stringify(s)}`);
});

// Verified with COMMAND LIST FILTERBY PATTERN (nocase matching) on 7.0.15.
test('nocase rules', () => {
  assert.equal(m('\\GET', 'get', true), true); // escape outside a class follows nocase
  assert.equal(m('[\\G]et', 'get', true), false); // escape inside a class is exact
  assert.equal(m('[\\g]et', 'get', true), true);
  assert.equal(m('[F-H]et', 'get', true), true);
  assert.equal(m('[Z-a]et', 'get', true), false); // ends swapped before lowering: z..a
  assert.equal(m('[z-A]et', 'get', true), true); // A..z lowered: a..z
  assert.equal(m('[^F-H]et', 'set', true), true);
  assert.equal(m('GET', 'get', true), true);
  assert.equal(m('GET', 'get', false), false);
  assert.equal(m('g[E]t', 'get', true), true);
  assert.equal(m('g[^E]t', 'get', true), false);
  // non-ASCII bytes are not case-folded
  assert.equal(globMatch(Buffer.from([0xc9]), Buffer.from([0xe9]), true), false);
});

test('binary safety', () => {
  const pat = Buffer.from([0x00, 0x2a, 0xff]);
  assert.equal(globMatch(pat, Buffer.from([0x00, 1, 2, 3, 0xff])), true);
  assert.equal(globMatch(pat, Buffer.from([0x00, 0xfe])), false);
  assert.equal(globMatch(Buffer.from([0x5b, 0x80, 0x2d, 0xff, 0x5d]), Buffer.from([0xc0])), true);
});

test('isMatchAll and compileGlob', () => {
  assert.equal(isMatchAll(b('*')), true);
  assert.equal(isMatchAll(b('**')), false);
  assert.equal(isMatchAll(b('a*')), false);
  const g = compileGlob(b('user:*:name'));
  assert.equal(g.matchAll, false);
  assert.equal(g.match(b('user:42:name')), true);
  assert.equal(g.match(b('user:42:email')), false);
  assert.equal(compileGlob(b('*')).matchAll, true);
  assert.equal(compileGlob(b('abc')).match(b('abc')), true);
  assert.equal(compileGlob(b('a\\bc')).match(b('abc')), true);
  assert.equal(compileGlob(b('ABC'), true).match(b('abc')), true);
});

test('no exponential blow-up', () => {
  const subj = Buffer.alloc(20000, 'a');
  const t0 = Date.now();
  assert.equal(globMatch(b('a*'.repeat(60) + 'b'), subj), false);
  assert.equal(globMatch(b('*a*a*a*a*a*a*a*a*a*a*a*a*a*a*?'), subj), true);
  assert.ok(Date.now() - t0 < 2000);
});

test('glob-vectors.json: KEYS results recorded from redis-server 7.0.15', () => {
  const v = fixture('glob-vectors.json') as { keys: string[]; cases: { p: string; m: string[] }[] };
  assert.ok(v.cases.length >= 200);
  const keys = v.keys.map(b);
  for (const c of v.cases) {
    const g = compileGlob(b(c.p));
    const got = keys.filter((k) => g.match(k)).map((k) => k.toString('latin1')).sort();
    assert.deepEqual(got, c.m, JSON.stringify(c.p));
  }
});

test('glob-nocase-vectors.json: COMMAND LIST FILTERBY PATTERN results recorded from redis-server 7.0.15', () => {
  const v = fixture('glob-nocase-vectors.json') as { names: string[]; cases: { p: string; m: string[] }[] };
  assert.ok(v.cases.length >= 100);
  const names = v.names.map(b);
  for (const c of v.cases) {
    const g = compileGlob(b(c.p), true);
    const got = names.filter((k) => g.match(k)).map((k) => k.toString('latin1')).sort();
    assert.deepEqual(got, c.m, JSON.stringify(c.p));
  }
});
