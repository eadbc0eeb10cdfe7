/**
 * Persistence against the real thing (redis-server / redis-check-rdb 7.0.15):
 * - files written by our SAVE and BGSAVE (under concurrent writes) pass redis-check-rdb and load
 *   in redis-server with the DEBUG DIGEST we had at save time (with and without compression
 *   and checksum);
 * - a dump.rdb written by redis-server with every type loads here at start-up, same digest;
 * - the replies and texts around saving (BGSAVE, SAVE, MISCONF, INFO persistence field names,
 *   loading_* while loading) are Redis's, compared live.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { freePort, mainJs, requireRedisServer, startDamselfly, startRedis, tempDir, type ServerProcess } from '../helpers/servers.js';
import { connect, digest, info, waitFor } from '../helpers/replication.js';
import { dbsizes, fillPersistDataset } from '../helpers/persist-dataset.js';

const procs: ServerProcess[] = [];
const clients: Redis[] = [];

after(async () => {
  for (const c of clients) c.disconnect();
  await Promise.all(procs.map((p) => p.stop('SIGKILL')));
});

type Node = { p: ServerProcess; r: Redis };

async function ours(dir: string, args: string[] = []): Promise<Node> {
  const p = await startDamselfly(['--enable-debug-command', 'yes', '--dir', dir, ...args], { dir, timeoutMs: 60000 });
  procs.push(p);
  const r = connect(p.port);
  clients.push(r);
  return { p, r };
}

async function redis(dir: string, args: string[] = []): Promise<Node> {
  const p = await startRedis(['--enable-debug-command', 'yes', ...args], { dir, timeoutMs: 60000 });
  procs.push(p);
  const r = connect(p.port);
  clients.push(r);
  return { p, r };
}

async function stop(n: Node): Promise<void> {
  n.r.disconnect();
  await n.p.stop('SIGKILL');
}

function checkRdb(file: string): string {
  const bin = path.join(path.dirname(requireRedisServer()), 'redis-check-rdb');
  const r = spawnSync(bin, [file], { encoding: 'latin1', timeout: 60000 });
  assert.equal(r.status, 0, (r.stdout ?? '') + (r.stderr ?? ''));
  assert.match(r.stdout, /RDB looks OK!/);
  return r.stdout;
}

/** Loads dir/dump.rdb in a fresh redis-server and returns its digest and db sizes. */
async function loadInRedis(file: string): Promise<{ digest: string; sizes: string }> {
  const dir = tempDir('persist-redis-load-');
  cpSync(file, path.join(dir, 'dump.rdb'));
  const n = await redis(dir);
  try {
    return { digest: await digest(n.r), sizes: await dbsizes(n.r) };
  } finally {
    await stop(n);
  }
}

async function waitBgsaveDone(r: Redis): Promise<Record<string, string>> {
  // waitFor resolves only with a truthy value.
  return (await waitFor(
    async () => {
      const i = await info(r, 'persistence');
      return i['rdb_bgsave_in_progress'] === '0' ? i : null;
    },
    60000,
    'the BGSAVE to end',
  )) as Record<string, string>;
}

for (const args of [[], ['--rdbcompression', 'no'], ['--rdbchecksum', 'no']]) {
  test('redis-server and redis-check-rdb accept the file of our SAVE ' + args.join(' '), async () => {
    const dir = tempDir('persist-ours-');
    const a = await ours(dir, args);
    await fillPersistDataset(a.r);
    const want = await digest(a.r);
    const sizes = await dbsizes(a.r);
    assert.equal(await a.r.call('SAVE'), 'OK');
    await stop(a);
    const out = checkRdb(path.join(dir, 'dump.rdb'));
    assert.match(out, /keys read/);
    const got = await loadInRedis(path.join(dir, 'dump.rdb'));
    assert.equal(got.sizes, sizes);
    assert.equal(got.digest, want);
  });
}

test('our BGSAVE under concurrent writes: redis-server loads exactly the dataset of the BGSAVE moment', async () => {
  const dir = tempDir('persist-ours-bg-');
  const a = await ours(dir);
  await fillPersistDataset(a.r);
  await a.r.call('DEBUG', 'POPULATE', '50000', 'key', '30');
  const res = await a.r
    .pipeline()
    .call('DEBUG', 'DIGEST')
    .call('BGSAVE')
    .set('key:7', 'changed')
    .del('key:8', 's:big')
    .lpush('l:big', 'head')
    .zadd('z:big', 1000, 'new-member')
    .xadd('st:big', '*', 'x', 'y')
    .xack('st:big', 'readers', '0-1')
    .set('created', 'after')
    .call('FLUSHDB')
    .exec();
  assert.ok(res !== null);
  for (const [e] of res) assert.equal(e, null);
  assert.equal(res[1]![1], 'Background saving started');
  const st = await waitBgsaveDone(a.r);
  assert.equal(st['rdb_last_bgsave_status'], 'ok');
  assert.equal(await a.r.dbsize(), 0);
  await stop(a);
  checkRdb(path.join(dir, 'dump.rdb'));
  const got = await loadInRedis(path.join(dir, 'dump.rdb'));
  assert.equal(got.digest, res[0]![1]);
});

test('a dump.rdb written by redis-server 7.0.15 loads here at start-up with the same digest', async () => {
  const dir = tempDir('persist-theirs-');
  const ref = await redis(dir);
  await fillPersistDataset(ref.r);
  await ref.r.call('DEBUG', 'POPULATE', '20000', 'many');
  const want = await digest(ref.r);
  const sizes = await dbsizes(ref.r);
  assert.equal(await ref.r.call('SAVE'), 'OK');
  await stop(ref);
  const dir2 = tempDir('persist-theirs-load-');
  cpSync(path.join(dir, 'dump.rdb'), path.join(dir2, 'dump.rdb'));
  const a = await ours(dir2);
  assert.equal(await dbsizes(a.r), sizes);
  assert.equal(await digest(a.r), want);
  assert.match(a.p.output(), /Loading RDB produced by version 7\.0\.15/);
  assert.match(a.p.output(), /Done loading RDB, keys loaded: \d+, keys expired: 0\./);
  // And our SAVE of it loads back in redis-server with the same digest.
  assert.equal(await a.r.call('SAVE'), 'OK');
  await stop(a);
  assert.equal((await loadInRedis(path.join(dir2, 'dump.rdb'))).digest, want);
});

/** Runs the same commands on both servers and returns both reply lists (errors as text). */
async function both(x: Redis, y: Redis, cmds: string[][]): Promise<[unknown[], unknown[]]> {
  const run = async (r: Redis): Promise<unknown[]> => {
    const p = r.pipeline();
    for (const c of cmds) p.call(c[0]!, ...c.slice(1));
    const res = (await p.exec()) ?? [];
    return res.map(([e, v]) => (e !== null ? '-' + e.message : v));
  };
  return [await run(x), await run(y)];
}

test('BGSAVE / SAVE / LASTSAVE replies are redis-server 7.0.15\'s', async () => {
  const a = await ours(tempDir('persist-replies-ours-'));
  const b = await redis(tempDir('persist-replies-redis-'));
  for (const n of [a, b]) {
    await n.r.call('DEBUG', 'POPULATE', '100');
    // Keeps each BGSAVE running a while (µs per key), on both servers.
    await n.r.config('SET', 'rdb-key-save-delay', '10000');
  }
  const [x, y] = await both(a.r, b.r, [['BGSAVE'], ['BGSAVE'], ['BGSAVE', 'SCHEDULE'], ['SAVE'], ['BGSAVE', 'x'], ['BGSAVE', 'SCHEDULE', 'x'], ['SAVE', 'x']]);
  assert.deepEqual(x, y);
  for (const n of [a, b]) {
    await waitBgsaveDone(n.r);
    await n.r.config('SET', 'rdb-key-save-delay', '0');
  }
  const saves = await Promise.all([a, b].map(async (n) => Number((await info(n.r, 'persistence'))['rdb_saves'])));
  const [m1, m2] = await both(a.r, b.r, [['MULTI'], ['BGSAVE'], ['EXEC']]);
  assert.deepEqual(m1, m2);
  // The scheduled BGSAVE runs soon after, on both.
  for (const [i, n] of [a, b].entries()) {
    await waitFor(
      async () => {
        const st = await info(n.r, 'persistence');
        return Number(st['rdb_saves']) === saves[i]! + 1 && st['rdb_bgsave_in_progress'] === '0';
      },
      30000,
      'the scheduled BGSAVE',
    );
  }
  const [s1, s2] = await both(a.r, b.r, [['MULTI'], ['SAVE'], ['EXEC']]);
  assert.deepEqual(s1, s2);
  for (const n of [a, b]) assert.equal(await n.r.call('SAVE'), 'OK');
  const [l1, l2] = [await a.r.lastsave(), await b.r.lastsave()];
  assert.ok(Math.abs(l1 - l2) <= 5 && Math.abs(l1 - Date.now() / 1000) <= 5);
  await stop(a);
  await stop(b);
});

test('a failed BGSAVE: the same MISCONF errors and INFO status as redis-server', async () => {
  const run = async (kind: 'ours' | 'redis'): Promise<unknown[]> => {
    const root = tempDir('persist-misconf-' + kind + '-');
    const data = path.join(root, 'data');
    mkdirSync(data);
    const n = kind === 'ours' ? await ours(data, ['--save', '3600 1']) : await redis(data, ['--save', '3600 1']);
    await n.r.set('a', '1');
    rmSync(data, { recursive: true });
    const out: unknown[] = [];
    out.push(await n.r.call('BGSAVE'));
    const st = await waitBgsaveDone(n.r);
    out.push(st['rdb_last_bgsave_status'], st['rdb_saves']);
    const p = n.r.pipeline().set('b', '2').ping().get('a').del('a').call('MULTI').set('x', '1').call('EXEC').call('SHUTDOWN');
    for (const [e, v] of (await p.exec()) ?? []) out.push(e !== null ? '-' + e.message : v);
    await stop(n);
    return out;
  };
  const want = await run('redis');
  assert.equal(want[1], 'err');
  assert.deepEqual(await run('ours'), want);
});

/** INFO persistence field names, in order. */
function fieldNames(text: string): string[] {
  return text
    .split('\r\n')
    .filter((l) => l.includes(':'))
    .map((l) => l.slice(0, l.indexOf(':')));
}

test('INFO persistence has redis-server\'s fields in its order, loading_* included while loading', async () => {
  // A file both servers load slowly (key-load-delay, µs per key).
  const dir = tempDir('persist-info-');
  const src = await redis(dir);
  await src.r.call('DEBUG', 'POPULATE', '3000');
  assert.equal(await src.r.call('SAVE'), 'OK');
  const idle = fieldNames(await src.r.info('persistence'));
  await stop(src);

  const loadingFields = async (cmd: string, args: string[]): Promise<string[]> => {
    const port = await freePort();
    const proc = spawn(cmd, [...args, '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir, '--key-load-delay', '1000', '--loading-process-events-interval-bytes', '1024'], { stdio: 'ignore' });
    const r = connect(port);
    r.on('error', () => undefined); // refused until the process listens
    try {
      const text = (await waitFor(
        async () => {
          const t = await r.info('persistence');
          return /^loading:1/m.test(t) ? t : null;
        },
        30000,
        'loading:1',
      )) as string;
      return fieldNames(text);
    } finally {
      r.disconnect();
      proc.kill('SIGKILL');
    }
  };
  const theirs = await loadingFields(requireRedisServer(), ['--appendonly', 'no']);
  const mine = await loadingFields(process.execPath, [mainJs]);
  assert.deepEqual(mine, theirs);
  assert.ok(theirs.includes('loading_eta_seconds'));

  const a = await ours(tempDir('persist-info-idle-'));
  assert.deepEqual(fieldNames(await a.r.info('persistence')), idle);
  await stop(a);
});
