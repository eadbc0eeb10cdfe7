import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  I64_MAX,
  I64_MIN,
  ERR_HASH_NOT_FLOAT,
  ERR_INCR_NAN_INF,
  ERR_NOT_FLOAT,
  ERR_VALUE_NAN_INF,
  addI64,
  addLongDouble,
  cmpI64,
  formatDouble,
  formatDoubleHuman,
  formatI64,
  formatLongDoubleHuman,
  hincrByFloatApply,
  i64DecimalLength,
  incrByFloat,
  longDoubleFromI64,
  longDoubleFromNumber,
  longDoubleToNumber,
  negI64,
  parseDouble,
  parseDoubleLoose,
  parseHincrbyfloatIncrement,
  parseI64,
  parseI64AsNumber,
  parseLongDouble,
  parseSafeInt,
  parseScanCursor,
  writeI64,
} from '../../src/util/numbers.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'latin1'));

// Integer cases observed on redis-server 7.0.15 with SET k <v>; INCRBY k 0.
test('parseI64 accepts exactly what string2ll accepts', () => {
  const ok: [string, number | bigint][] = [
    ['0', 0],
    ['1', 1],
    ['-1', -1],
    ['123456789012345', 123456789012345],
    ['9007199254740991', 9007199254740991],
    ['-9007199254740991', -9007199254740991],
    ['9007199254740992', 9007199254740992n],
    ['9223372036854775807', I64_MAX],
    ['-9223372036854775808', I64_MIN],
  ];
  for (const [s, v] of ok) assert.equal(parseI64(b(s)), v, s);
  const bad = [
    '', '-', '+1', '01', '00', '-0', '-01', ' 1', '1 ', '1.0', '0x10', '1e3', '9223372036854775808',
    '-9223372036854775809', '99999999999999999999', '123a', 'a', '\u00001', '1\u0000', '１',
  ];
  for (const s of bad) assert.equal(parseI64(b(s)), null, JSON.stringify(s));
});

test('parseI64 on a sub-range and parseSafeInt', () => {
  const buf = b('xx-42yy');
  assert.equal(parseI64(buf, 2, 5), -42);
  assert.equal(parseSafeInt(buf, 2, 5), -42);
  assert.ok(Number.isNaN(parseSafeInt(b('9007199254740992'))));
  assert.equal(parseSafeInt(b('9007199254740991')), 9007199254740991);
  assert.ok(Number.isNaN(parseSafeInt(b('-0'))));
  assert.ok(Number.isNaN(parseSafeInt(b(''))));
  assert.ok(Number.isNaN(parseSafeInt(b('+5'))));
  assert.equal(parseI64AsNumber(b('9223372036854775807')), 2 ** 63);
  assert.ok(Number.isNaN(parseI64AsNumber(b('9223372036854775808'))));
});

test('addI64 / negI64 / cmpI64 overflow rules', () => {
  assert.equal(addI64(1, 2), 3);
  assert.equal(addI64(9007199254740991, 1), 9007199254740992n);
  assert.equal(addI64(9007199254740992n, -1), 9007199254740991);
  assert.equal(addI64(I64_MAX, 1), null); // "increment or decrement would overflow"
  assert.equal(addI64(I64_MIN, -1), null);
  assert.equal(addI64(I64_MAX, I64_MIN), -1);
  assert.equal(addI64(-9007199254740991, -9007199254740991), -18014398509481982n);
  assert.equal(negI64(I64_MIN), null); // DECRBY k -9223372036854775808 -> "decrement would overflow"
  assert.equal(negI64(I64_MAX), -I64_MAX);
  assert.equal(negI64(5), -5);
  assert.equal(negI64(0), 0);
  assert.equal(cmpI64(1, 2n), -1);
  assert.equal(cmpI64(I64_MAX, 3), 1);
  assert.equal(cmpI64(4, 4), 0);
});

// Observed with SCAN <cursor> COUNT 1 on redis-server 7.0.15.
test('parseScanCursor follows strtoul', () => {
  assert.equal(parseScanCursor(b('5')), 5);
  assert.equal(parseScanCursor(b('+5')), 5);
  assert.equal(parseScanCursor(b('007')), 7);
  assert.equal(parseScanCursor(b('')), 0);
  assert.equal(parseScanCursor(b('-1')), 18446744073709551615n);
  assert.equal(parseScanCursor(b('18446744073709551615')), 18446744073709551615n);
  for (const s of ['18446744073709551616', ' 5', '5 ', 'abc', '0x10', '-', '+']) {
    assert.equal(parseScanCursor(b(s)), null, s);
  }
});

test('formatI64 / writeI64 / i64DecimalLength', () => {
  for (const v of [0, 7, 9999, 10000, -1, -9999, 123456789, -9007199254740991, I64_MAX, I64_MIN, 10n, 12345n]) {
    const s = String(v);
    assert.equal(formatI64(v).toString('latin1'), s);
    assert.equal(i64DecimalLength(v), s.length);
    const t = Buffer.alloc(24, 0x2e);
    const end = writeI64(t, 2, v);
    assert.equal(end, 2 + s.length);
    assert.equal(t.toString('latin1', 2, end), s);
    assert.equal(t[end], 0x2e);
  }
  assert.equal(formatI64(42), formatI64(42), 'small values are cached');
});

// Inputs observed with ZADD z <v> a; ZSCORE z a (skiplist encoding) on 7.0.15.
test('parseDouble + formatDouble, hand-picked', () => {
  const cases: [string, string | null][] = [
    ['1', '1'],
    ['1.5', '1.5'],
    ['0.1', '0.10000000000000001'],
    ['1e-5', '1.0000000000000001e-05'],
    ['1e300', '1.0000000000000001e+300'],
    ['1000000000000000.25', '1000000000000000.2'],
    ['123456789012345678', '1.2345678901234568e+17'],
    ['-0', '-0'],
    ['inf', 'inf'],
    ['+inf', 'inf'],
    ['-Infinity', '-inf'],
    ['INF', 'inf'],
    ['0x10', '16'],
    ['0x1p3', '8'],
    ['5e-324', '4.9406564584124654e-324'],
    ['1e-320', '9.9998886718268301e-321'],
    ['.5', '0.5'],
    ['5.', '5'],
    ['+.5', '0.5'],
    ['0001', '1'],
    ['1e308', '1e+308'],
    ['123456789.123', '123456789.123'],
    [' 1', null],
    ['1 ', null],
    ['', null],
    ['nan', null],
    ['-nan', null],
    ['1e309', null],
    ['-1e309', null],
    ['1e-400', null],
    ['-', null],
    ['+', null],
    ['1e', null],
    ['1e+', null],
    ['1,5', null],
    ['1_0', null],
    ['\t1', null],
    ['infinit', null],
    ['1\u0000', null],
  ];
  for (const [s, want] of cases) {
    const v = parseDouble(b(s));
    assert.equal(Number.isNaN(v) ? null : formatDouble(v), want, JSON.stringify(s));
  }
});

test('parseDoubleLoose (ZRANGEBYSCORE bounds)', () => {
  assert.equal(parseDoubleLoose(b('')), 0);
  assert.equal(parseDoubleLoose(b(' 1')), 1);
  assert.equal(parseDoubleLoose(b('1e400')), Infinity);
  assert.equal(parseDoubleLoose(b('-1e400')), -Infinity);
  assert.equal(parseDoubleLoose(b('1e-400')), 0);
  assert.equal(parseDoubleLoose(b('0x2')), 2);
  assert.equal(parseDoubleLoose(b('2\u0000junk')), 2);
  for (const s of ['1 ', ' ', 'nan', '1abc', '+']) assert.ok(Number.isNaN(parseDoubleLoose(b(s))), s);
});

test('formatDouble specials', () => {
  assert.equal(formatDouble(NaN), 'nan');
  assert.equal(formatDouble(0), '0');
  assert.equal(formatDouble(-0), '-0');
  assert.equal(formatDouble(2 ** 53), '9007199254740992');
  assert.equal(formatDouble(2 ** 55), '36028797018963968');
  assert.equal(formatDouble(1e17), '1e+17');
  assert.equal(formatDouble(1e-4), '0.0001');
  assert.equal(formatDouble(1.5e-5), '1.5e-05');
  assert.equal(formatDouble(Number.MAX_VALUE), '1.7976931348623157e+308');
});

test('double-vectors.json: ZADD acceptance, ZSCORE text, ZCOUNT acceptance (recorded from redis-server 7.0.15)', () => {
  const vectors = fixture('double-vectors.json') as { s: string; z: string | null; loose: boolean }[];
  assert.ok(vectors.length >= 300);
  for (const c of vectors) {
    const buf = b(c.s);
    const v = parseDouble(buf);
    assert.equal(Number.isNaN(v) ? null : formatDouble(v), c.z, JSON.stringify(c.s));
    const loose = buf[0] === 40 ? parseDoubleLoose(buf, 1) : parseDoubleLoose(buf);
    assert.equal(!Number.isNaN(loose), c.loose, JSON.stringify(c.s));
  }
});

test('incrbyfloat-vectors.json: byte-exact INCRBYFLOAT results (recorded from redis-server 7.0.15)', () => {
  const vectors = fixture('incrbyfloat-vectors.json') as { a: string; b: string; r: string | { err: string } }[];
  assert.ok(vectors.length >= 300);
  for (const c of vectors) {
    const got = incrByFloat(b(c.a), b(c.b));
    if (typeof c.r === 'string') {
      assert.ok(Buffer.isBuffer(got), `${c.a.slice(0, 40)} + ${c.b.slice(0, 40)}: ${String(got)}`);
      assert.equal(got.toString('latin1'), c.r, `${c.a.slice(0, 40)} + ${c.b.slice(0, 40)}`);
    } else {
      assert.equal(got, c.r.err, `${c.a.slice(0, 40)} + ${c.b.slice(0, 40)}`);
    }
  }
});

test('incrByFloat basics', () => {
  const s = (x: Buffer | string): string => (typeof x === 'string' ? x : x.toString('latin1'));
  assert.equal(s(incrByFloat(null, b('0.1'))), '0.1');
  assert.equal(s(incrByFloat(b('10.5'), b('0.1'))), '10.6');
  assert.equal(s(incrByFloat(b('10.6'), b('5.0e3'))), '5010.60000000000000009');
  assert.equal(s(incrByFloat(b('10'), b('-10'))), '0');
  assert.equal(incrByFloat(b('1e4932'), b('1e4932')), ERR_INCR_NAN_INF);
  assert.equal(incrByFloat(b('abc'), b('1')), ERR_NOT_FLOAT);
  assert.equal(incrByFloat(b('1'), b('inf')), ERR_INCR_NAN_INF);
  // ties in %.17Lf go to even
  assert.equal(s(incrByFloat(b('0.000003814697265625'), b('0'))), '0.00000381469726562');
  assert.equal(s(incrByFloat(b('0.000011444091796875'), b('0'))), '0.00001144409179688');
});

// HINCRBYFLOAT error order observed on 7.0.15: increment checked before WRONGTYPE.
test('HINCRBYFLOAT helpers', () => {
  assert.equal(parseHincrbyfloatIncrement(b('abc')), ERR_NOT_FLOAT);
  assert.equal(parseHincrbyfloatIncrement(b('inf')), ERR_VALUE_NAN_INF);
  const inc = parseHincrbyfloatIncrement(b('0.1'));
  assert.ok(typeof inc !== 'string');
  assert.equal(hincrByFloatApply(b('abc'), inc), ERR_HASH_NOT_FLOAT);
  assert.equal(String(hincrByFloatApply(b('1.5'), inc)), '1.6');
  assert.equal(String(hincrByFloatApply(null, inc)), '0.1');
  const huge = parseHincrbyfloatIncrement(b('1e4932'));
  assert.ok(typeof huge !== 'string');
  assert.equal(hincrByFloatApply(b('1e4932'), huge), ERR_INCR_NAN_INF);
});

test('long double conversions', () => {
  assert.equal(formatLongDoubleHuman(longDoubleFromNumber(0.1)), '0.10000000000000001');
  assert.equal(formatDoubleHuman(0.1), '0.10000000000000001');
  assert.equal(formatDoubleHuman(-0), '0');
  assert.equal(formatDoubleHuman(-1e-20), '0');
  assert.equal(formatDoubleHuman(Infinity), 'inf');
  assert.equal(formatDoubleHuman(-Infinity), '-inf');
  assert.equal(formatLongDoubleHuman(longDoubleFromI64(I64_MIN)), '-9223372036854775808');
  for (const d of [0.1, 1 / 3, 5e-324, 1.7976931348623157e308, -2.5, 0, 1e-310]) {
    assert.equal(longDoubleToNumber(longDoubleFromNumber(d)), d);
  }
  const x = parseLongDouble(b('0.1'));
  assert.ok(x);
  // 0.1 as long double is closer to 0.1 than the double, rounding back gives the double
  assert.equal(longDoubleToNumber(x), 0.1);
  assert.equal(formatLongDoubleHuman(x), '0.1');
  assert.equal(parseLongDouble(b('1.19e4932')), null);
  assert.equal(parseLongDouble(b('1e-4952')), null);
  assert.ok(parseLongDouble(b('1e-4940')));
  assert.equal(parseLongDouble(b(' 1')), null);
  const inf = parseLongDouble(b('-Infinity'));
  assert.ok(inf);
  assert.equal(formatLongDoubleHuman(inf), '-inf');
  const nan = addLongDouble(inf, longDoubleFromNumber(Infinity));
  assert.equal(formatLongDoubleHuman(nan), 'nan');
  // 2^64 + 1 is a tie at 64 bits: rounds to even (2^64)
  const t = addLongDouble(longDoubleFromI64(1n << 62n), longDoubleFromNumber(2 ** 62 + 2 ** 63));
  assert.equal(formatLongDoubleHuman(t), '18446744073709551616');
  const u = addLongDouble(parseLongDouble(b('18446744073709551616'))!, longDoubleFromI64(1));
  assert.equal(formatLongDoubleHuman(u), '18446744073709551616');
  const w = addLongDouble(parseLongDouble(b('18446744073709551616'))!, longDoubleFromI64(3));
  assert.equal(formatLongDoubleHuman(w), '18446744073709551620');
});

// GEOPOS replies recorded from redis-server 7.0.15 (GEOADD Sicily 13.361389 38.115556 Palermo
// 15.087269 37.502669 Catania -122.4194 37.7749 SF 0.0001 -0.0001 Z): "%.17Lf" of the decoded
// doubles; each text identifies its double uniquely, so formatting it back must reproduce it.
test('formatDoubleHuman reproduces GEOPOS texts', () => {
  const texts = [
    '13.36138933897018433', '38.11555639549629859', '15.08726745843887329', '37.50266842333162032',
    '-122.41940170526504517', '37.77490001056577995', '0.00009924173355103', '-0.00010012148579364',
  ];
  for (const t of texts) assert.equal(formatDoubleHuman(Number(t)), t);
});
