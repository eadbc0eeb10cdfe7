/**
 * PENDING — waits for streams (issue 3). scripts/run-tests.mjs does not run test/pending/.
 * When XADD lands, move this check into test/integration/collection-types.test.ts
 * ('TYPE of the other types') and delete this file.
 */

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startDamselfly, type ServerProcess } from '../helpers/servers.js';

let srv: ServerProcess;
let r: Redis;

before(async () => {
  srv = await startDamselfly();
  r = new Redis(srv.port, srv.host);
});

after(async () => {
  r.disconnect();
  await srv.stop();
});

test('TYPE of a stream', async () => {
  await r.xadd('x', '*', 'f', 'v');
  assert.equal(await r.type('x'), 'stream');
});
