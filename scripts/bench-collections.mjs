#!/usr/bin/env node
// Memory of small collections: Damselfly vs redis-server.
//
//   node scripts/bench.mjs --collections [--keys N] [--kinds hash,list,...] [--node-flags "..."]
//                                                                      (delegates here)
//
// For each kind, and each server in turn (fresh process, `--save ''`): RSS (VmRSS) settled
// before and after loading N keys (default 100,000) that each hold a 10-element collection,
// sent by pipelining; DBSIZE checked. bytes/key = RSS delta / N. Also shown: the used_memory
// delta (INFO memory) / N, MEMORY USAGE and OBJECT ENCODING of one sample key.
// Kinds (identical data on both servers):
//   hash     HSET h:<k> field:0 <value> ... field:9 <value>   (values `value:<k>:<i>`)
//   list     RPUSH l:<k> 10 elements `item:<k>:<i>`
//   set-int  SADD  si:<k> 10 integers k*10+i
//   set-str  SADD  ss:<k> 10 members `member:<k>:<i>`
//   zset     ZADD  z:<k> 10 (score i, member `member:<k>:<i>`)
// --node-flags passes V8/Node flags to Damselfly's node process (e.g. "--semi-space-growth-factor=1"
// to see how much of the RSS is the young generation the load grew, a fixed cost).
// Ends with a markdown table.

import os from 'node:os';
import { mainJs, mb, redisVersion, requireBinaries, settledRss, spawnServer, stopServer } from './lib/bench-common.mjs';
import { connect, encode } from './lib/resp-client.mjs';

const ELEMS = 10;

const KINDS = {
  hash: (k) => {
    const a = ['HSET', 'h:' + k];
    for (let i = 0; i < ELEMS; i++) a.push('field:' + i, 'value:' + k + ':' + i);
    return a;
  },
  list: (k) => {
    const a = ['RPUSH', 'l:' + k];
    for (let i = 0; i < ELEMS; i++) a.push('item:' + k + ':' + i);
    return a;
  },
  'set-int': (k) => {
    const a = ['SADD', 'si:' + k];
    for (let i = 0; i < ELEMS; i++) a.push(String(k * ELEMS + i));
    return a;
  },
  'set-str': (k) => {
    const a = ['SADD', 'ss:' + k];
    for (let i = 0; i < ELEMS; i++) a.push('member:' + k + ':' + i);
    return a;
  },
  zset: (k) => {
    const a = ['ZADD', 'z:' + k];
    for (let i = 0; i < ELEMS; i++) a.push(String(i), 'member:' + k + ':' + i);
    return a;
  },
};

let nodeFlags = [];

async function startServer(kind) {
  const { port, dir, proc } = await spawnServer(kind, 'bench-coll-', (p) => [process.execPath, [...nodeFlags, mainJs, '--port', String(p), '--bind', '127.0.0.1', '--save', '']]);
  proc.stdout.on('data', () => {});
  proc.stderr.on('data', () => {});
  return { port, pid: proc.pid, stop: () => stopServer(proc, dir, 5000) };
}

async function usedMemory(c) {
  const info = await c.bulk('INFO', 'memory');
  const m = /^used_memory:(\d+)/m.exec(info);
  return m === null ? NaN : Number(m[1]);
}

async function load(c, make, keys) {
  const unit = Buffer.from(':' + ELEMS + '\r\n');
  const batch = 1000;
  for (let start = 0; start < keys; start += batch) {
    const end = Math.min(keys, start + batch);
    const parts = [];
    for (let k = start; k < end; k++) parts.push(encode(make(k)));
    await c.pipeline(Buffer.concat(parts), end - start, unit);
  }
}

async function measure(server, kindName, keys) {
  const srv = await startServer(server);
  try {
    const c = await connect(srv.port);
    if ((await c.line('PING')) !== '+PONG') throw new Error(server + ' does not answer PING');
    const before = await settledRss(srv.pid);
    const usedBefore = await usedMemory(c);
    const t0 = Date.now();
    await load(c, KINDS[kindName], keys);
    const loadMs = Date.now() - t0;
    const dbsize = await c.line('DBSIZE');
    if (dbsize !== ':' + keys) throw new Error(server + ' ' + kindName + ': DBSIZE ' + dbsize + ', expected ' + keys);
    const after = await settledRss(srv.pid);
    const usedAfter = await usedMemory(c);
    const sampleKey = KINDS[kindName](7)[1];
    const usage = Number((await c.line('MEMORY', 'USAGE', sampleKey)).slice(1));
    const encoding = await c.bulk('OBJECT', 'ENCODING', sampleKey);
    c.close();
    return { perKey: (after - before) / keys, usedPerKey: (usedAfter - usedBefore) / keys, usage, encoding, loadMs, after };
  } finally {
    await srv.stop();
  }
}

export async function runCollections(argv) {
  const opt = (name) => {
    const i = argv.indexOf(name);
    return i >= 0 ? (argv[i + 1] ?? '') : null;
  };
  requireBinaries(': apt-get install -y redis-server redis-tools');
  const keys = Number(opt('--keys') ?? 100_000);
  nodeFlags = (opt('--node-flags') ?? '').split(' ').filter((f) => f !== '');
  const kinds = (opt('--kinds') ?? Object.keys(KINDS).join(',')).split(',');
  for (const k of kinds) if (!(k in KINDS)) throw new Error('unknown kind ' + k + ' (known: ' + Object.keys(KINDS).join(', ') + ')');
  const cpus = os.cpus();
  const env =
    'node ' + process.version + (nodeFlags.length > 0 ? ' ' + nodeFlags.join(' ') : '') + ', redis-server ' + redisVersion() + ', ' + cpus.length + ' CPU (' + (cpus[0]?.model ?? '?').trim() + ')';
  console.log('# ' + env);
  const rows = [];
  for (const kind of kinds) {
    const r = await measure('redis', kind, keys);
    const d = await measure('damselfly', kind, keys);
    for (const [who, x] of [
      ['redis', r],
      ['damselfly', d],
    ]) {
      console.log(kind.padEnd(8) + ' ' + who.padEnd(10) + ' ' + x.perKey.toFixed(1) + ' B/key RSS, used_memory ' + x.usedPerKey.toFixed(1) + ' B/key, MEMORY USAGE ' + x.usage + ', ' + x.encoding + ', RSS after ' + mb(x.after) + ', load ' + x.loadMs + ' ms');
    }
    rows.push({ kind, r, d });
  }
  const lines = [
    '',
    '### Small collections: ' + keys.toLocaleString('en-US') + ' keys x ' + ELEMS + ' elements (' + env + ')',
    '',
    'bytes/key = RSS delta after loading / keys; used_memory = INFO used_memory delta / keys; MEMORY USAGE of one key.',
    '',
    '| kind | encoding | Redis B/key | Damselfly B/key | Damselfly/Redis | Redis used_memory/key | Damselfly used_memory/key | Redis MEMORY USAGE | Damselfly MEMORY USAGE |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const { kind, r, d } of rows) {
    const enc = r.encoding === d.encoding ? r.encoding : r.encoding + ' / ' + d.encoding;
    lines.push(
      '| ' + kind + ' | ' + enc + ' | ' + r.perKey.toFixed(0) + ' | ' + d.perKey.toFixed(0) + ' | ' + (d.perKey / r.perKey).toFixed(2) + ' | ' + r.usedPerKey.toFixed(0) + ' | ' + d.usedPerKey.toFixed(0) + ' | ' + r.usage + ' | ' + d.usage + ' |',
    );
  }
  console.log(lines.join('\n'));
}
