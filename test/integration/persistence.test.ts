/**
 * RDB persistence of a running server: SAVE / BGSAVE / LASTSAVE, the `save` schedule, loading
 * dir/dbfilename at start-up (and refusing to start on a bad file), SHUTDOWN SAVE/NOSAVE, the
 * MISCONF barrier after a failed BGSAVE, DEBUG RELOAD, crash safety of the temp-file + rename,
 * and a replica that restarts on its own file and resumes with a partial resync.
 * Datasets are compared with DEBUG DIGEST.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { spawn } from 'node:child_process';
import { freePort, mainJs, startDamselfly, tempDir, type ServerProcess } from '../helpers/servers.js';
import { connect, digest, info, sleep, waitFor, waitInSync } from '../helpers/replication.js';
import { err } from '../helpers/assertions.js';
import { dbsizes, fillPersistDataset } from '../helpers/persist-dataset.js';
import { ERR_MISCONF } from '../../src/persistence/persistence.js';

const procs: ServerProcess[] = [];
const clients: Redis[] = [];

after(async () => {
  for (const c of clients) c.disconnect();
  await Promise.all(procs.map((p) => p.stop('SIGKILL')));
});

async function start(dir: string, args: string[] = []): Promise<{ p: ServerProcess; r: Redis }> {
  const p = await startDamselfly(['--enable-debug-command', 'yes', '--dir', dir, ...args], { dir, timeoutMs: 60000 });
  procs.push(p);
  const r = connect(p.port);
  clients.push(r);
  return { p, r };
}

async function stop(s: { p: ServerProcess; r: Redis }, signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
  s.r.disconnect();
  return s.p.stop(signal);
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

/** Starting must fail: resolves with what the process printed. */
async function startFails(dir: string, args: string[] = []): Promise<string> {
  try {
    const p = await startDamselfly(['--dir', dir, ...args], { dir, timeoutMs: 30000 });
    procs.push(p);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('the server started');
}

test('SAVE then restart loads the same dataset (every type, streams with groups, TTLs, dbs, binary keys)', async () => {
  const dir = tempDir('persist-save-');
  const a = await start(dir);
  await fillPersistDataset(a.r);
  const want = await digest(a.r);
  const sizes = await dbsizes(a.r);
  const before = await info(a.r, 'persistence');
  assert.ok(Number(before['rdb_changes_since_last_save']) > 0);
  assert.equal(await a.r.call('SAVE'), 'OK');
  const after1 = await info(a.r, 'persistence');
  assert.equal(after1['rdb_changes_since_last_save'], '0');
  assert.equal(after1['rdb_saves'], '1');
  assert.equal(after1['rdb_last_bgsave_status'], 'ok');
  assert.equal(String(await a.r.lastsave()), after1['rdb_last_save_time']);
  assert.match(a.p.output(), /DB saved on disk/);
  // Only the final file remains: the temp file was renamed.
  assert.deepEqual(readdirSync(dir).sort(), ['dump.rdb']);
  await stop(a);

  const b = await start(dir);
  assert.equal(await digest(b.r), want, 'digest after restart (' + (await dbsizes(b.r)) + ' vs ' + sizes + ')');
  assert.equal(await dbsizes(b.r), sizes);
  const ttl = await b.r.pttl('s:ttl');
  assert.ok(ttl > 0 && ttl <= 100000000, 'TTL kept: ' + ttl);
  assert.equal(await b.r.object('ENCODING', 'set:int'), 'intset');
  assert.equal(await b.r.object('ENCODING', 'l:big'), 'quicklist');
  const groups = (await b.r.xinfo('GROUPS', 'st:small')) as unknown[][];
  assert.equal(groups.length, 2);
  const keys = Number((await info(b.r, 'persistence'))['rdb_last_load_keys_loaded']);
  assert.ok(keys > 20, 'rdb_last_load_keys_loaded ' + keys);
  assert.match(b.p.output(), new RegExp('Done loading RDB, keys loaded: ' + keys + ', keys expired: 0\\.'));
  assert.match(b.p.output(), /DB loaded from disk: \d+\.\d{3} seconds/);
  assert.match(b.p.output(), /Loading RDB produced by version 7\.0\.15/);
  await stop(b);
});

test('keys whose TTL passed are dropped at load; a missing file starts empty', async () => {
  const dir = tempDir('persist-expired-');
  const a = await start(dir);
  await a.r.set('short', 'v', 'PX', 300);
  await a.r.set('long', 'v', 'EX', 10000);
  await a.r.set('plain', 'v');
  assert.equal(await a.r.call('SAVE'), 'OK');
  await stop(a);
  await sleep(400);
  const b = await start(dir);
  assert.equal(await b.r.dbsize(), 2);
  assert.equal(await b.r.exists('short'), 0);
  assert.match(b.p.output(), /Done loading RDB, keys loaded: 2, keys expired: 1\./);
  assert.equal((await info(b.r, 'persistence'))['rdb_last_load_keys_expired'], '1');
  await stop(b);

  const empty = await start(tempDir('persist-none-'));
  assert.equal(await empty.r.dbsize(), 0);
  assert.doesNotMatch(empty.p.output(), /Loading RDB/);
  await stop(empty);
});

test('BGSAVE writes the dataset of the moment it started while writes go on', async () => {
  const dir = tempDir('persist-bgsave-');
  const a = await start(dir);
  await fillPersistDataset(a.r);
  await a.r.call('DEBUG', 'POPULATE', '100000', 'key', '20');
  const key1 = await a.r.getBuffer('key:1');
  await a.r.select(2);
  await a.r.call('DEBUG', 'POPULATE', '1000', 'two');
  await a.r.select(0);
  // One pipeline, one burst: the digest, BGSAVE and the writes run back to back, all before
  // the snapshot's first background slice.
  const res = await a.r
    .pipeline()
    .call('DEBUG', 'DIGEST')
    .call('BGSAVE')
    .set('key:1', 'changed')
    .del('key:2')
    .rpush('l:small', 'added')
    .hset('h:lp', 'new', 'field')
    .xadd('st:small', '*', 'after', 'bgsave')
    .set('new:1', 'x')
    .set('new:2', 'y')
    .call('SELECT', '2')
    .call('FLUSHDB')
    .call('SELECT', '0')
    .info('persistence')
    .exec();
  assert.ok(res !== null);
  for (const [e] of res) assert.equal(e, null);
  const atBgsave = res[0]![1] as string;
  assert.equal(res[1]![1], 'Background saving started');
  assert.match(res[12]![1] as string, /rdb_bgsave_in_progress:1/);
  const after1 = await waitBgsaveDone(a.r);
  assert.equal(after1['rdb_last_bgsave_status'], 'ok');
  assert.equal(after1['rdb_saves'], '1');
  // Writes made while the snapshot ran are not in the file: still counted as changes.
  // 7 writes + FLUSHDB (1000 keys).
  assert.equal(after1['rdb_changes_since_last_save'], String(7 + 1000));
  assert.match(a.p.output(), /Background saving started/);
  assert.match(a.p.output(), /Background saving terminated with success/);
  const now = await digest(a.r);
  assert.notEqual(now, atBgsave);

  // Load the file in a second server.
  const dir2 = tempDir('persist-bgsave-load-');
  cpSync(path.join(dir, 'dump.rdb'), path.join(dir2, 'dump.rdb'));
  const b = await start(dir2);
  assert.equal(await digest(b.r), atBgsave);
  assert.deepEqual(await b.r.getBuffer('key:1'), key1);
  assert.equal(await b.r.exists('new:1'), 0);
  assert.equal(await b.r.exists('key:2'), 1);
  await b.r.select(2);
  assert.equal(await b.r.dbsize(), 1000);
  await stop(b);
  await stop(a);
});

test('BGSAVE replies: in progress, SCHEDULE, syntax, inside MULTI, behind another snapshot', async () => {
  const dir = tempDir('persist-bgsave-replies-');
  const a = await start(dir);
  await a.r.call('DEBUG', 'POPULATE', '60');
  assert.equal(await err(a.r.call('BGSAVE', 'x')), 'ERR syntax error');
  assert.equal(await err(a.r.call('BGSAVE', 'SCHEDULE', 'x')), 'ERR syntax error');
  assert.equal(await err(a.r.call('SAVE', 'x')), "ERR wrong number of arguments for 'save' command");
  // rdb-key-save-delay (µs per key) keeps this BGSAVE running for a while (60 keys × 20 ms).
  await a.r.config('SET', 'rdb-key-save-delay', '20000');
  const res = await a.r.pipeline().call('BGSAVE').call('BGSAVE').call('BGSAVE', 'SCHEDULE').call('SAVE').exec();
  assert.ok(res !== null);
  assert.equal(res[0]![1], 'Background saving started');
  assert.equal(res[1]![0]?.message, 'ERR Background save already in progress');
  assert.equal(res[2]![0]?.message, 'ERR Background save already in progress');
  assert.equal(res[3]![0]?.message, 'ERR Background save already in progress');
  const running = await info(a.r, 'persistence');
  assert.equal(running['rdb_bgsave_in_progress'], '1');
  assert.equal(running['current_save_keys_total'], '60');
  assert.ok(Number(running['rdb_current_bgsave_time_sec']) >= 0);
  // Writes are served meanwhile.
  assert.equal(await a.r.set('during', 'bgsave'), 'OK');
  await waitBgsaveDone(a.r);
  await a.r.config('SET', 'rdb-key-save-delay', '0');
  const saves = Number((await info(a.r, 'persistence'))['rdb_saves']);

  // Inside MULTI/EXEC a BGSAVE is scheduled, then runs.
  const tx = await a.r.multi().call('BGSAVE').exec();
  assert.deepEqual(tx, [[null, 'Background saving scheduled']]);
  await waitFor(async () => Number((await info(a.r, 'persistence'))['rdb_saves']) === saves + 1, 10000, 'the scheduled BGSAVE');
  await waitBgsaveDone(a.r);

  // Another snapshot in progress (here the debugging one, paused; normally a replica's sync).
  // Started and paused in one burst, before its first background slice.
  const started = await a.r.pipeline().call('DEBUG', 'SNAPSHOT-TEST', 'START').call('DEBUG', 'SNAPSHOT-TEST', 'PAUSE').exec();
  assert.deepEqual(started, [
    [null, 'OK'],
    [null, 'OK'],
  ]);
  assert.equal(
    await err(a.r.call('BGSAVE')),
    "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.",
  );
  assert.equal(await a.r.call('BGSAVE', 'SCHEDULE'), 'Background saving scheduled');
  await sleep(300);
  assert.equal(Number((await info(a.r, 'persistence'))['rdb_saves']), saves + 1, 'waits for the other snapshot');
  assert.equal(await a.r.call('DEBUG', 'SNAPSHOT-TEST', 'RESUME'), 'OK');
  await waitFor(async () => Number((await info(a.r, 'persistence'))['rdb_saves']) === saves + 2, 10000, 'the scheduled BGSAVE');
  const done = await waitBgsaveDone(a.r);
  assert.equal(done['rdb_last_bgsave_status'], 'ok');
  await stop(a);
});

test('the save schedule triggers a BGSAVE after N changes in M seconds', async () => {
  const dir = tempDir('persist-schedule-');
  const a = await start(dir, ['--save', '1 2']);
  assert.equal(await a.r.config('GET', 'save').then((v) => (v as string[])[1]), '1 2');
  await a.r.set('one', '1');
  await sleep(2500);
  assert.equal(existsSync(path.join(dir, 'dump.rdb')), false, 'one change is not enough');
  assert.equal((await info(a.r, 'persistence'))['rdb_saves'], '0');
  await a.r.set('two', '2');
  await waitFor(() => existsSync(path.join(dir, 'dump.rdb')), 15000, 'dump.rdb');
  await waitFor(async () => (await info(a.r, 'persistence'))['rdb_changes_since_last_save'] === '0', 10000, 'changes reset');
  assert.match(a.p.output(), /2 changes in 1 seconds\. Saving\.\.\./);
  assert.match(a.p.output(), /Background saving terminated with success/);
  // CONFIG SET save "" disables the schedule.
  await a.r.config('SET', 'save', '');
  for (let i = 0; i < 5; i++) await a.r.set('k' + i, 'v');
  await sleep(2500);
  assert.equal((await info(a.r, 'persistence'))['rdb_changes_since_last_save'], '5');
  await stop(a);
});

test('a failed BGSAVE sets rdb_last_bgsave_status:err and MISCONF until a save succeeds', async () => {
  const root = tempDir('persist-misconf-');
  const dir = path.join(root, 'data');
  mkdirSync(dir);
  const a = await start(dir, ['--save', '3600 1']);
  await a.r.set('a', '1');
  rmSync(dir, { recursive: true });
  // A failed SAVE answers a bare -ERR and does not change the status.
  assert.equal(await err(a.r.call('SAVE')), 'ERR');
  assert.equal((await info(a.r, 'persistence'))['rdb_last_bgsave_status'], 'ok');
  assert.equal(await a.r.call('BGSAVE'), 'Background saving started');
  const st = await waitBgsaveDone(a.r);
  assert.equal(st['rdb_last_bgsave_status'], 'err');
  assert.equal(st['rdb_saves'], '2');
  assert.match(a.p.output(), /Failed opening the temp RDB file temp-\S+\.rdb \(in server root dir .*data\) for saving: No such file or directory/);
  assert.match(a.p.output(), /Background saving error/);
  assert.equal(await err(a.r.set('b', '2')), ERR_MISCONF);
  assert.equal(await err(a.r.ping()), ERR_MISCONF);
  assert.equal(await err(a.r.del('a')), ERR_MISCONF);
  assert.equal(await a.r.get('a'), '1');
  const tx = a.r.multi();
  tx.set('x', '1');
  assert.match(await err(tx.exec()), /EXECABORT/);
  await a.r.config('SET', 'stop-writes-on-bgsave-error', 'no');
  assert.equal(await a.r.set('b', '2'), 'OK');
  await a.r.config('SET', 'stop-writes-on-bgsave-error', 'yes');
  assert.equal(await err(a.r.set('b', '3')), ERR_MISCONF);
  // SHUTDOWN cannot save either.
  assert.equal(await err(a.r.call('SHUTDOWN')), 'ERR Errors trying to SHUTDOWN. Check logs.');
  await waitFor(() => /Error trying to save the DB, can't exit\./.test(a.p.output()), 10000, 'the log line');
  mkdirSync(dir);
  assert.equal(await a.r.call('SAVE'), 'OK');
  assert.equal((await info(a.r, 'persistence'))['rdb_last_bgsave_status'], 'ok');
  assert.equal(await a.r.set('b', '4'), 'OK');
  assert.equal(await a.r.ping(), 'PONG');
  await stop(a);
});

/** A copy of `rdb` with one character of a stored value changed: only the checksum notices. */
function corruptValue(rdb: Buffer, value: string): Buffer {
  const at = rdb.indexOf(Buffer.from(value, 'latin1'));
  assert.ok(at > 0, value + ' not found in the file');
  const copy = Buffer.from(rdb);
  copy[at + value.length - 1] = 0x38; // '9' -> '8'
  return copy;
}

test('a truncated, corrupt or unsupported dump.rdb stops the start-up with a clear message', async () => {
  const dir = tempDir('persist-bad-');
  const a = await start(dir);
  await a.r.call('DEBUG', 'POPULATE', '2000');
  await a.r.call('SAVE');
  await stop(a);
  const good = readFileSync(path.join(dir, 'dump.rdb'));
  const cases: Array<[string, Buffer, RegExp]> = [
    ['truncated', good.subarray(0, Math.floor(good.length / 2)), /unexpected end of RDB data/],
    ['corrupt byte', corruptValue(good, 'value:1999'), /Wrong RDB checksum/],
    ['unsupported version', Buffer.from('REDIS0099' + 'x'.repeat(20), 'latin1'), /Can't handle RDB format version 99/],
    ['not an RDB', Buffer.from('garbage!garbage!', 'latin1'), /./],
  ];
  for (const [what, bytes, reason] of cases) {
    const d = tempDir('persist-bad-case-');
    writeFileSync(path.join(d, 'dump.rdb'), bytes);
    const out = await startFails(d);
    assert.match(out, /exited with 1 before ready/, what);
    assert.match(out, new RegExp('Fatal error loading the DB from ' + path.join(d, 'dump.rdb').replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + ': '), what + ': ' + out);
    assert.match(out, reason, what + ': ' + out);
    assert.doesNotMatch(out, /Ready to accept connections/, what);
  }
  // A directory where the file should be is fatal too.
  const d = tempDir('persist-bad-dir-');
  mkdirSync(path.join(d, 'dump.rdb'));
  assert.match(await startFails(d), /Fatal error loading the DB from .*: Is a directory/);
});

test('SHUTDOWN SAVE writes the file, NOSAVE does not, the default saves when save points exist', async () => {
  const dir = tempDir('persist-shutdown-');
  const a = await start(dir);
  await a.r.set('k', 'v1');
  a.r.call('SHUTDOWN', 'SAVE').catch(() => undefined);
  assert.equal(await new Promise((res) => a.p.proc.once('exit', res)), 0);
  a.r.disconnect();
  assert.match(a.p.output(), /Saving the final RDB snapshot before exiting\.[\s\S]*DB saved on disk/);
  const b = await start(dir, ['--save', '3600 1']);
  assert.equal(await b.r.get('k'), 'v1');
  await b.r.set('k', 'v2');
  b.r.call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
  assert.equal(await new Promise((res) => b.p.proc.once('exit', res)), 0);
  b.r.disconnect();
  const c = await start(dir, ['--save', '3600 1']);
  assert.equal(await c.r.get('k'), 'v1');
  await c.r.set('k', 'v3');
  // SIGTERM takes the default path: save points configured, so it saves.
  assert.equal(await stop(c, 'SIGTERM'), 0);
  const d = await start(dir);
  assert.equal(await d.r.get('k'), 'v3');
  await stop(d);
});

test('crash safety: killed in the middle of a BGSAVE, the previous file is intact', async () => {
  const dir = tempDir('persist-crash-');
  const a = await start(dir);
  await a.r.call('DEBUG', 'POPULATE', '300', 'old');
  assert.equal(await a.r.call('SAVE'), 'OK');
  const oldDigest = await digest(a.r);
  const oldBytes = readFileSync(path.join(dir, 'dump.rdb'));
  await a.r.call('DEBUG', 'POPULATE', '20000', 'new', '2000');
  // About one key per millisecond, values stored as they are (DEBUG POPULATE pads with zeros,
  // which LZF would squeeze): the temp file gets its first MB after a second or so.
  await a.r.config('SET', 'rdb-key-save-delay', '200');
  await a.r.config('SET', 'rdbcompression', 'no');
  assert.equal(await a.r.call('BGSAVE'), 'Background saving started');
  // The temp file exists and is being written: kill the process now.
  await waitFor(() => readdirSync(dir).some((f) => f.startsWith('temp-') && statSync(path.join(dir, f)).size > 0), 30000, 'temp file bytes');
  assert.equal((await info(a.r, 'persistence'))['rdb_bgsave_in_progress'], '1');
  await stop(a, 'SIGKILL');
  assert.ok(readFileSync(path.join(dir, 'dump.rdb')).equals(oldBytes), 'dump.rdb untouched');
  const b = await start(dir);
  assert.equal(await digest(b.r), oldDigest);
  await stop(b);
});

test('DEBUG RELOAD saves, flushes and loads back; NOSAVE, NOFLUSH and MERGE', async () => {
  const dir = tempDir('persist-reload-');
  const a = await start(dir);
  await fillPersistDataset(a.r);
  const want = await digest(a.r);
  assert.equal(await a.r.call('DEBUG', 'RELOAD'), 'OK');
  assert.equal(await digest(a.r), want);
  assert.match(a.p.output(), /DB reloaded by DEBUG RELOAD/);
  const st = await info(a.r, 'persistence');
  assert.equal(st['rdb_saves'], '1');
  assert.equal(st['rdb_changes_since_last_save'], '0');
  // NOSAVE: back to the file's contents.
  await a.r.set('extra', '1');
  await a.r.set('s:raw', 'changed');
  assert.equal(await a.r.call('DEBUG', 'RELOAD', 'NOSAVE'), 'OK');
  assert.equal(await digest(a.r), want);
  // NOFLUSH MERGE: the file's keys replace ours, other keys stay.
  await a.r.set('extra', '1');
  await a.r.set('s:raw', 'changed');
  assert.equal(await a.r.call('DEBUG', 'RELOAD', 'NOSAVE', 'NOFLUSH', 'MERGE'), 'OK');
  assert.equal(await a.r.get('s:raw'), 'hello world');
  assert.equal(await a.r.get('extra'), '1');
  await a.r.del('extra');
  assert.equal(await digest(a.r), want);
  assert.equal(await err(a.r.call('DEBUG', 'RELOAD', 'bogus')), 'ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.');
  // No file to load.
  rmSync(path.join(dir, 'dump.rdb'));
  assert.equal(await err(a.r.call('DEBUG', 'RELOAD', 'NOSAVE')), 'ERR Error trying to load the RDB dump, check server logs.');
  await stop(a);
});

test('INFO shows loading and loading_* while the start-up load runs; commands get -LOADING', async () => {
  const dir = tempDir('persist-loading-');
  const a = await start(dir);
  await a.r.call('DEBUG', 'POPULATE', '3000');
  await a.r.call('SAVE');
  await stop(a);
  // key-load-delay (µs per key) stretches the load to about 3 s. Spawned directly: the
  // helpers wait for "Ready to accept connections", which comes after the load.
  const port = await freePort();
  const proc = spawn(process.execPath, [mainJs, '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir, '--key-load-delay', '1000'], { stdio: 'ignore' });
  try {
    const r = connect(port);
    r.on('error', () => undefined); // refused until the process listens
    clients.push(r);
    const seen = (await waitFor(
      async () => {
        const text = await r.info('persistence');
        return text.includes('loading:1') ? text : null;
      },
      30000,
      'loading:1',
    )) as string;
    const names = seen
      .split('\r\n')
      .filter((l) => l.includes(':'))
      .map((l) => l.slice(0, l.indexOf(':')));
    assert.deepEqual(names.slice(-6), ['loading_start_time', 'loading_total_bytes', 'loading_rdb_used_mem', 'loading_loaded_bytes', 'loading_loaded_perc', 'loading_eta_seconds']);
    assert.match(seen, /loading_total_bytes:[1-9]\d*/);
    assert.equal(await err(r.get('key:1')), 'LOADING Redis is loading the dataset in memory');
    await waitFor(async () => /^loading:0/m.test(await r.info('persistence')), 60000, 'loading:0');
    assert.doesNotMatch(await r.info('persistence'), /loading_start_time/);
    assert.equal(await r.dbsize(), 3000);
    r.disconnect();
  } finally {
    proc.kill('SIGKILL');
  }
});

test('a replica restarted with --replicaof loads its file, then resumes with a partial resync', async () => {
  const mdir = tempDir('persist-master-');
  const rdir = tempDir('persist-replica-');
  const m = await start(mdir);
  await m.r.select(3);
  await m.r.call('DEBUG', 'POPULATE', '500', 'm');
  await m.r.set('in-db3', 'x');
  const r1 = await start(rdir, ['--replicaof', '127.0.0.1', String(m.p.port)]);
  await waitInSync(m.r, r1.r);
  assert.equal(await r1.r.call('SAVE'), 'OK');
  await stop(r1);
  // The master goes on meanwhile (in db 3, which the stream had selected).
  for (let i = 0; i < 50; i++) await m.r.set('after:' + i, String(i));
  const r2 = await start(rdir, ['--replicaof', '127.0.0.1', String(m.p.port)]);
  await waitInSync(m.r, r2.r);
  assert.equal(await digest(r2.r), await digest(m.r));
  assert.match(r2.p.output(), /Done loading RDB, keys loaded: 501/);
  assert.match(r2.p.output(), /Successful partial resynchronization with master/);
  assert.equal((await info(m.r, 'stats'))['sync_partial_ok'], '1');
  await r2.r.select(3);
  assert.equal(await r2.r.get('after:49'), '49');
  await stop(r2);
  await stop(m);
});
