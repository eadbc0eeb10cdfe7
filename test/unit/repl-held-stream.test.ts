/**
 * HeldStream (src/replication/held.ts): the bytes a replica's full sync holds back come out
 * in the order they went in, whole, whatever the mix of tiny commands, pieces around the chunk
 * size and shifts interleaved with appends.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HeldStream } from '../../src/replication/held.js';

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

test('held stream: every byte comes out once, in order, with shifts between appends', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const r = rng(seed);
    const h = new HeldStream();
    const inBytes: Buffer[] = [];
    const outBytes: Buffer[] = [];
    let counter = 0;
    let held = 0;
    for (let step = 0; step < 3000; step++) {
      const roll = r();
      if (roll < 0.8) {
        // Mostly small commands, sometimes pieces of 16 KiB to 100 KiB (kept as they are).
        const len = r() < 0.97 ? Math.floor(r() * 200) : 16 * 1024 + Math.floor(r() * 84 * 1024);
        const b = Buffer.allocUnsafe(len);
        for (let i = 0; i < len; i++) b[i] = counter++ & 0xff;
        inBytes.push(b);
        h.append(b);
        held += len;
      } else {
        const b = h.shift();
        if (b !== null) {
          assert.ok(b.length > 0, 'no empty pieces');
          outBytes.push(Buffer.from(b));
          held -= b.length;
        }
      }
      assert.equal(h.bytes, held);
    }
    for (let b = h.shift(); b !== null; b = h.shift()) outBytes.push(Buffer.from(b));
    assert.equal(h.bytes, 0);
    assert.ok(h.empty);
    assert.ok(Buffer.concat(outBytes).equals(Buffer.concat(inBytes)), 'seed ' + seed);
  }
});

test('held stream: appending after the tail was shifted out starts a new chunk', () => {
  const h = new HeldStream();
  h.append(Buffer.from('*1\r\n$4\r\nPING\r\n'));
  assert.equal(h.shift()!.toString(), '*1\r\n$4\r\nPING\r\n');
  assert.equal(h.shift(), null);
  h.append(Buffer.from('abc'));
  h.append(Buffer.from('def'));
  assert.equal(h.bytes, 6);
  assert.equal(h.shift()!.toString(), 'abcdef');
  assert.ok(h.empty);
});
