import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReplyWriter } from '../../src/protocol/reply-writer.js';

function out(fn: (w: ReplyWriter) => void, resp: 2 | 3 = 2): string {
  const w = new ReplyWriter(16);
  w.resp = resp;
  fn(w);
  return w.take().toString('latin1');
}

test('scalars in RESP2', () => {
  assert.equal(out((w) => w.ok()), '+OK\r\n');
  assert.equal(out((w) => w.integer(42)), ':42\r\n');
  assert.equal(out((w) => w.integer(-7)), ':-7\r\n');
  assert.equal(out((w) => w.integer(123456789012)), ':123456789012\r\n');
  assert.equal(out((w) => w.bigint(-9223372036854775808n)), ':-9223372036854775808\r\n');
  assert.equal(out((w) => w.bulk(Buffer.from('hi'))), '$2\r\nhi\r\n');
  assert.equal(out((w) => w.bulk(Buffer.alloc(0))), '$0\r\n\r\n');
  assert.equal(out((w) => w.nullBulk()), '$-1\r\n');
  assert.equal(out((w) => w.nullArray()), '*-1\r\n');
  assert.equal(out((w) => w.error('ERR x')), '-ERR x\r\n');
  assert.equal(out((w) => w.double('1.5')), '$3\r\n1.5\r\n');
  assert.equal(out((w) => w.bool(true)), ':1\r\n');
  assert.equal(out((w) => (w.mapLen(2), w.bulkStr('a'), w.integer(1), w.bulkStr('b'), w.integer(2))), '*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:2\r\n');
});

test('RESP3 types', () => {
  assert.equal(out((w) => w.nullBulk(), 3), '_\r\n');
  assert.equal(out((w) => w.nullArray(), 3), '_\r\n');
  assert.equal(out((w) => w.mapLen(1), 3), '%1\r\n');
  assert.equal(out((w) => w.setLen(2), 3), '~2\r\n');
  assert.equal(out((w) => w.pushLen(3), 3), '>3\r\n');
  assert.equal(out((w) => w.double('inf'), 3), ',inf\r\n');
  assert.equal(out((w) => w.bool(false), 3), '#f\r\n');
  assert.equal(out((w) => w.verbatim('abc'), 3), '=7\r\ntxt:abc\r\n');
});

test('deferred lengths', () => {
  assert.equal(
    out((w) => {
      const t = w.beginDeferred();
      for (let i = 0; i < 12; i++) w.integer(i);
      w.endDeferred(t, '*', 12);
    }),
    '*12\r\n' + Array.from({ length: 12 }, (_, i) => ':' + i + '\r\n').join(''),
  );
  assert.equal(
    out((w) => {
      const t = w.beginDeferred();
      w.bulkStr('k');
      w.bulkStr('v');
      w.endDeferred(t, '%', 1);
    }),
    '*2\r\n$1\r\nk\r\n$1\r\nv\r\n',
  );
});

test('large bulks and growth keep byte order', () => {
  const big = Buffer.alloc(200000, 0x62);
  const w = new ReplyWriter(16);
  w.integer(1);
  w.bulk(big);
  w.integer(2);
  const t = w.take();
  const expect = Buffer.concat([Buffer.from(':1\r\n$200000\r\n'), big, Buffer.from('\r\n:2\r\n')]);
  assert.ok(t.equals(expect));
});

test('truncate drops replies after a mark', () => {
  const w = new ReplyWriter(16);
  w.ok();
  const m = w.mark();
  w.integer(5);
  w.truncate(m);
  assert.equal(w.take().toString(), '+OK\r\n');
});
