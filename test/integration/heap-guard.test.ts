/**
 * The V8 heap guard (src/store/heap-guard.ts): big collections live on the V8 heap, whose cap
 * would otherwise kill the process ("JavaScript heap out of memory"). A server started with a
 * tiny heap is flooded with hash fields until it refuses writes; it must answer Redis's OOM
 * error, keep serving reads and deletes, never die, and accept writes again once the data is
 * gone.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startDamselfly } from '../helpers/servers.js';
import { sleep } from '../helpers/replication.js';

const OOM = "OOM command not allowed when used memory > 'maxmemory'.";

test('a flood of big hashes against a 96 MB V8 heap: OOM replies, no crash, writes resume after FLUSHALL', async (t) => {
  const srv = await startDamselfly([], { nodeArgs: ['--max-old-space-size=96'] });
  const r = new Redis({ port: srv.port, lazyConnect: true, maxRetriesPerRequest: 0 });
  await r.connect();
  try {
    const value = 'x'.repeat(100);
    let ok = 0;
    let oom = 0;
    // ~200 B of heap per field: 1.2M fields is more than twice what fits.
    for (let i = 0; i < 600_000 && oom < 20_000; i += 1000) {
      const p = r.pipeline();
      for (let j = i; j < i + 1000; j++) p.hset('h' + (j % 50), 'field:' + j, value + j, 'g:' + j, value);
      for (const [e] of (await p.exec())!) {
        if (e === null) ok++;
        else if (e.message === OOM) oom++;
        else assert.fail('unexpected reply: ' + e.message + '\n' + srv.output().slice(-3000));
      }
    }
    t.diagnostic(ok + ' HSET accepted, ' + oom + ' refused with OOM');
    assert.ok(oom >= 20_000, 'writes were refused: ' + oom);
    assert.ok(ok > 100_000, 'writes were accepted up to the limit: ' + ok);
    assert.equal(srv.proc.exitCode, null, 'the server is alive');
    // Reads and deletes still work; what was accepted is all there.
    let fields = 0;
    for (let k = 0; k < 50; k++) fields += await r.hlen('h' + k);
    assert.equal(fields, ok * 2);
    assert.equal(await r.hget('h0', 'field:0'), value + '0');
    assert.match(srv.output(), /The V8 heap is at \d+ MB of its \d+ MB limit: refusing writes/);
    await r.flushall();
    // The guard forces a full collection at most every 5 s while refusing: writes come back.
    const t0 = Date.now();
    for (;;) {
      try {
        assert.equal(await r.set('after', '1'), 'OK');
        break;
      } catch (e) {
        assert.equal((e as Error).message, OOM);
        assert.ok(Date.now() - t0 < 15_000, 'writes still refused 15 s after FLUSHALL (a full collection is forced every 5 s)');
        await sleep(200);
      }
    }
    t.diagnostic('writes accepted again ' + (Date.now() - t0) + ' ms after FLUSHALL');
    assert.equal(await r.get('after'), '1');
    assert.doesNotMatch(srv.output(), /heap out of memory/i);
  } finally {
    r.disconnect();
    await srv.stop();
  }
});
