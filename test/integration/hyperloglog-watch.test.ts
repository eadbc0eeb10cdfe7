/**
 * Which HyperLogLog commands touch a watched key, as redis-server 7.0.15 does: a PFCOUNT that
 * writes the cached cardinality does; PFDEBUG GETREG / TODENSE (which change the encoding) and
 * a PFADD that changes no register do not.
 */

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { startDamselfly, type ServerProcess } from '../helpers/servers.js';
import { redisClient } from '../helpers/assertions.js';

let srv: ServerProcess;
let b: Redis;

before(async () => {
  srv = await startDamselfly();
  b = redisClient(srv.port);
});

after(async () => {
  b?.disconnect();
  await srv?.stop();
});

test('WATCH: a PFCOUNT that caches touches the key; GETREG/TODENSE and no-op PFADD do not', async () => {
  const o = redisClient(srv.port);
  try {
    const cases: Array<[string, (c: Redis) => Promise<unknown>, boolean]> = [
      ['pfcount (cache write)', (c) => c.pfcount('k'), true],
      ['pfcount of several keys', (c) => c.pfcount('k', 'x'), false],
      ['pfadd without change', (c) => c.pfadd('k', 'a'), false],
      ['pfadd with change', (c) => c.pfadd('k', 'zz'), true],
      ['pfdebug getreg', (c) => c.call('pfdebug', 'getreg', 'k'), false],
      ['pfdebug todense', (c) => c.call('pfdebug', 'todense', 'k'), false],
      ['pfmerge into it', (c) => c.pfmerge('k', 'k'), true],
      ['pfmerge from it', (c) => c.pfmerge('d', 'k'), false],
    ];
    for (const [name, fn, aborts] of cases) {
      await b.del('k', 'd');
      await o.pfadd('k', 'a');
      await b.watch('k');
      await fn(o);
      const res = await b.multi().ping().exec();
      assert.equal(res === null, aborts, name);
    }
  } finally {
    o.disconnect();
  }
});

