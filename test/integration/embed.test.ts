/**
 * The embedding API as a user's test suite uses it: `import { startServer } from 'damselfly'`
 * (resolved through package.json "exports" to the built dist/index.js), port 0, real clients.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { createClient } from '@redis/client';
import { startServer } from 'damselfly';

test('startServer on port 0 serves ioredis and node-redis, and close() stops it', async () => {
  const lines: string[] = [];
  const srv = await startServer({ port: 0, config: { maxmemory: '64mb' }, log: (l) => lines.push(l) });
  assert.equal(srv.host, '127.0.0.1');
  assert.ok(srv.port > 0);
  assert.equal(srv.url, 'redis://127.0.0.1:' + srv.port);

  const io = new Redis(srv.port, srv.host, { lazyConnect: true });
  await io.connect();
  assert.equal(await io.set('embedded', 'yes'), 'OK');
  assert.equal(await io.get('embedded'), 'yes');
  assert.equal(await io.config('GET', 'maxmemory').then((r) => (r as string[])[1]), '67108864');

  const nr = createClient({ url: srv.url });
  await nr.connect();
  assert.equal(await nr.get('embedded'), 'yes');
  await nr.quit();
  await io.quit();

  await srv.close();
  // The port is released: a new connection is refused.
  const again = new Redis(srv.port, srv.host, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  again.on('error', () => {});
  await assert.rejects(again.connect());
  again.disconnect();
});

test('two embedded servers are independent', async () => {
  const a = await startServer();
  const b = await startServer();
  const ca = new Redis(a.port, a.host);
  const cb = new Redis(b.port, b.host);
  await ca.set('k', 'a');
  assert.equal(await cb.get('k'), null);
  assert.equal(await ca.dbsize(), 1);
  assert.equal(await cb.dbsize(), 0);
  ca.disconnect();
  cb.disconnect();
  await a.close();
  await b.close();
});
