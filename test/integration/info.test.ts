/**
 * INFO against a spawned Damselfly: section selection (default / all / everything / names,
 * unknown names), the text format, the values tools rely on (run_id, redis_version, role,
 * replication ids, keyspace, errorstats, commandstats), and the field names of every section,
 * in order, equal to redis-server 7.0.15's (required: a missing redis-server fails that part).
 */

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { createClient } from '@redis/client';
import { startDamselfly, startRedis, type ServerProcess } from '../helpers/servers.js';
import { RawConnection } from '../helpers/raw.js';

/**
 * Documented differences in field names (section → fields Damselfly adds). Everything else must
 * equal redis-server 7.0.15's list, in the same order.
 */
const EXTRA_FIELDS: Record<string, string[]> = {
  // Which implementation answers (Dragonfly adds dragonfly_version the same way).
  Server: ['damselfly_version'],
};

/** Sections whose lines are per-command / per-error / per-db rather than fixed fields. */
const DYNAMIC = new Set(['Commandstats', 'Errorstats', 'Latencystats', 'Keyspace']);

const DEFAULT_SECTIONS = ['Server', 'Clients', 'Memory', 'Persistence', 'Stats', 'Replication', 'CPU', 'Modules', 'Errorstats', 'Cluster', 'Keyspace'];
const ALL_SECTIONS = [
  'Server',
  'Clients',
  'Memory',
  'Persistence',
  'Stats',
  'Replication',
  'CPU',
  'Modules',
  'Commandstats',
  'Errorstats',
  'Latencystats',
  'Cluster',
  'Keyspace',
];

/** Section name → ordered [field, value] pairs. */
function parseInfo(text: string): Map<string, Array<[string, string]>> {
  const out = new Map<string, Array<[string, string]>>();
  let cur: Array<[string, string]> | null = null;
  for (const line of text.split('\r\n')) {
    if (line === '') continue;
    if (line.startsWith('# ')) {
      cur = [];
      out.set(line.slice(2), cur);
      continue;
    }
    assert.ok(cur !== null, 'field before any section header: ' + line);
    const i = line.indexOf(':');
    assert.ok(i > 0, 'line without a colon: ' + JSON.stringify(line));
    cur.push([line.slice(0, i), line.slice(i + 1)]);
  }
  return out;
}

function bulkText(reply: string): string {
  const m = /^[$=](\d+)\r\n/.exec(reply);
  assert.ok(m !== null, 'not a bulk/verbatim reply: ' + JSON.stringify(reply.slice(0, 40)));
  const body = reply.slice(m[0].length, m[0].length + Number(m[1]));
  return reply[0] === '=' ? body.slice(4) : body;
}

function field(info: Map<string, Array<[string, string]>>, section: string, name: string): string {
  const f = info.get(section)?.find(([k]) => k === name);
  assert.ok(f !== undefined, section + ' lacks ' + name);
  return f[1];
}

let srv: ServerProcess;
let c: RawConnection;

before(async () => {
  srv = await startDamselfly(['--enable-debug-command', 'yes']);
  c = await RawConnection.connect(srv.port);
});
after(async () => {
  c.close();
  await srv.stop();
});

async function info(...args: string[]): Promise<string> {
  return bulkText(await c.call('INFO', ...args));
}

describe('INFO section selection and format', () => {
  test('default sections, in order, blank line between sections', async () => {
    const text = await info();
    assert.deepEqual([...parseInfo(text).keys()], DEFAULT_SECTIONS);
    assert.ok(text.startsWith('# Server\r\nredis_version:7.0.15\r\n'));
    assert.match(text, /\r\n\r\n# Clients\r\n/);
    assert.ok(text.endsWith('\r\n'));
    assert.deepEqual([...parseInfo(await info('default')).keys()], DEFAULT_SECTIONS);
  });

  test('all and everything add commandstats and latencystats', async () => {
    assert.deepEqual([...parseInfo(await info('all')).keys()], ALL_SECTIONS);
    assert.deepEqual([...parseInfo(await info('everything')).keys()], ALL_SECTIONS);
    assert.deepEqual([...parseInfo(await info('default', 'commandstats')).keys()], [
      ...DEFAULT_SECTIONS.slice(0, 8),
      'Commandstats',
      ...DEFAULT_SECTIONS.slice(8),
    ]);
  });

  test('named sections, any case, printed in Redis order; unknown names give nothing', async () => {
    assert.equal(await info('CLUSTER', 'keyspace'), '# Cluster\r\ncluster_enabled:0\r\n\r\n# Keyspace\r\n');
    assert.deepEqual([...parseInfo(await info('keyspace', 'server', 'nosuch')).keys()], ['Server', 'Keyspace']);
    assert.equal(await c.call('INFO', 'nosuch'), '$0\r\n\r\n');
    assert.equal(await info('modules'), '# Modules\r\n');
  });

  test('RESP3: a verbatim string', async () => {
    const d = await RawConnection.connect(srv.port);
    await d.call('HELLO', '3');
    assert.equal(await d.call('INFO', 'cluster'), '=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n');
    d.close();
  });
});

describe('INFO values', () => {
  test('server section', async () => {
    const i = parseInfo(await info('server'));
    assert.equal(field(i, 'Server', 'redis_version'), '7.0.15');
    assert.equal(field(i, 'Server', 'redis_mode'), 'standalone');
    assert.match(field(i, 'Server', 'run_id'), /^[0-9a-f]{40}$/);
    assert.equal(field(i, 'Server', 'tcp_port'), String(srv.port));
    assert.equal(field(i, 'Server', 'process_id'), String(srv.proc.pid));
    assert.equal(field(i, 'Server', 'arch_bits'), '64');
    assert.match(field(i, 'Server', 'uptime_in_seconds'), /^\d+$/);
    assert.match(field(i, 'Server', 'server_time_usec'), /^\d{16}$/);
    assert.equal(field(i, 'Server', 'hz'), '10');
    assert.match(field(i, 'Server', 'damselfly_version'), /^\d+\.\d+\.\d+/);
    // run_id stays the same for the life of the process (Sentinel watches it).
    assert.equal(field(parseInfo(await info('server')), 'Server', 'run_id'), field(i, 'Server', 'run_id'));
  });

  test('replication section of a standalone master', async () => {
    const i = parseInfo(await info('replication'));
    assert.deepEqual(
      i.get('Replication')!.map(([k]) => k),
      [
        'role',
        'connected_slaves',
        'master_failover_state',
        'master_replid',
        'master_replid2',
        'master_repl_offset',
        'second_repl_offset',
        'repl_backlog_active',
        'repl_backlog_size',
        'repl_backlog_first_byte_offset',
        'repl_backlog_histlen',
      ],
    );
    assert.equal(field(i, 'Replication', 'role'), 'master');
    assert.equal(field(i, 'Replication', 'connected_slaves'), '0');
    assert.equal(field(i, 'Replication', 'master_failover_state'), 'no-failover');
    assert.match(field(i, 'Replication', 'master_replid'), /^[0-9a-f]{40}$/);
    assert.equal(field(i, 'Replication', 'master_replid2'), '0'.repeat(40));
    assert.equal(field(i, 'Replication', 'second_repl_offset'), '-1');
    assert.equal(field(i, 'Replication', 'repl_backlog_size'), '1048576');
  });

  test('clients, persistence, stats and keyspace follow the server state', async () => {
    const d = await RawConnection.connect(srv.port);
    await d.call('PING');
    let i = parseInfo(await info());
    assert.ok(Number(field(i, 'Clients', 'connected_clients')) >= 2);
    assert.equal(field(i, 'Persistence', 'loading'), '0');
    assert.equal(field(i, 'Persistence', 'rdb_bgsave_in_progress'), '0');
    assert.equal(field(i, 'Persistence', 'aof_enabled'), '0');
    const before = Number(field(i, 'Stats', 'total_commands_processed'));
    assert.ok(before > 0);
    assert.ok(Number(field(i, 'Stats', 'total_connections_received')) >= 2);
    assert.ok(Number(field(i, 'Stats', 'total_net_input_bytes')) > 0);
    assert.ok(Number(field(i, 'Stats', 'total_reads_processed')) > 0);
    assert.ok(Number(field(i, 'Stats', 'total_writes_processed')) > 0);

    assert.equal(await c.call('DEBUG', 'POPULATE', '25', 'infokey'), '+OK\r\n');
    i = parseInfo(await info('keyspace', 'stats'));
    assert.deepEqual(i.get('Keyspace'), [['db0', 'keys=25,expires=0,avg_ttl=0']]);
    assert.ok(Number(field(i, 'Stats', 'total_commands_processed')) > before);
    d.close();
  });

  test('memory section tracks the dataset', async () => {
    const m0 = Number(field(parseInfo(await info('memory')), 'Memory', 'used_memory'));
    assert.equal(await c.call('DEBUG', 'POPULATE', '20000', 'memkey', '100'), '+OK\r\n');
    const i = parseInfo(await info('memory'));
    const m1 = Number(field(i, 'Memory', 'used_memory'));
    assert.ok(m1 - m0 > 20000 * 100, 'used_memory grew by ' + (m1 - m0));
    assert.match(field(i, 'Memory', 'used_memory_human'), /^\d+\.\d\dM$/);
    assert.ok(Number(field(i, 'Memory', 'used_memory_rss')) > 0);
    assert.ok(Number(field(i, 'Memory', 'used_memory_peak')) >= m1);
    assert.equal(field(i, 'Memory', 'maxmemory'), '0');
    assert.equal(field(i, 'Memory', 'maxmemory_human'), '0B');
    assert.equal(field(i, 'Memory', 'maxmemory_policy'), 'noeviction');
    assert.match(field(i, 'Memory', 'mem_fragmentation_ratio'), /^\d+\.\d\d$/);
  });

  test('errorstats and commandstats', async () => {
    await c.call('NOSUCHCOMMAND');
    await c.call('HELLO', '9');
    await c.call('CLIENT', 'ID');
    await c.call('CLIENT', 'KILL', 'ID', 'x');
    const i = parseInfo(await info('errorstats', 'commandstats'));
    const errs = new Map(i.get('Errorstats'));
    assert.match(errs.get('errorstat_ERR') ?? '', /^count=\d+$/);
    assert.equal(errs.get('errorstat_NOPROTO'), 'count=1');
    const names = [...errs.keys()];
    assert.deepEqual(names, [...names].sort());
    const cmds = new Map(i.get('Commandstats'));
    assert.match(cmds.get('cmdstat_client|id') ?? '', /^calls=\d+,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=0$/);
    assert.match(cmds.get('cmdstat_client|kill') ?? '', /,failed_calls=1$/);
    assert.match(cmds.get('cmdstat_hello') ?? '', /,failed_calls=1$/);
  });

  test('clients read it: ioredis ready check and @redis/client', async () => {
    const io = new Redis({ port: srv.port, host: '127.0.0.1', lazyConnect: true, enableReadyCheck: true, maxRetriesPerRequest: 0 });
    await io.connect();
    assert.equal(io.status, 'ready');
    assert.match(await io.info('server'), /redis_version:7\.0\.15/);
    io.disconnect();
    const nr = createClient({ socket: { port: srv.port, host: '127.0.0.1' } });
    nr.on('error', () => {});
    await nr.connect();
    assert.match(await nr.info('replication'), /role:master/);
    await nr.close();
  });
});

describe('INFO field names equal redis-server 7.0', () => {
  let ref: ServerProcess;
  let rc: RawConnection;

  before(async () => {
    ref = await startRedis(['--enable-debug-command', 'yes']);
    rc = await RawConnection.connect(ref.port);
  });
  after(async () => {
    rc?.close();
    await ref?.stop();
  });

  test('every fixed section has the same fields in the same order', async () => {
    // Same activity on both, so that the dynamic sections have something to show.
    for (const conn of [c, rc]) {
      await conn.call('DEBUG', 'POPULATE', '10', 'cmp');
      await conn.call('CLIENT', 'KILL', 'ID', 'x');
    }
    const ours = parseInfo(await info('everything'));
    const theirs = parseInfo(bulkText(await rc.call('INFO', 'everything')));
    assert.deepEqual([...ours.keys()], [...theirs.keys()], 'section list');
    for (const [section, fields] of theirs) {
      if (DYNAMIC.has(section)) continue;
      const extra = EXTRA_FIELDS[section] ?? [];
      const mine = ours.get(section)!.map(([k]) => k).filter((k) => !extra.includes(k));
      assert.deepEqual(mine, fields.map(([k]) => k), section + ' fields');
    }
  });

  test('dynamic sections use the same line formats', async () => {
    const ours = parseInfo(await info('everything'));
    const theirs = parseInfo(bulkText(await rc.call('INFO', 'everything')));
    const shape = (lines: Array<[string, string]> | undefined): string[] =>
      (lines ?? []).map(([k, v]) => k.replace(/[a-z|_-]+$/i, 'X').replace(/\d+$/, 'N') + ':' + v.replace(/\d+(\.\d+)?/g, 'N'));
    for (const s of ['Commandstats', 'Errorstats', 'Keyspace']) {
      const a = new Set(shape(ours.get(s)));
      const b = new Set(shape(theirs.get(s)));
      assert.deepEqual([...a].sort(), [...b].sort(), s + ' line formats');
    }
  });

  test('same section selection results', async () => {
    for (const args of [['foo'], ['server', 'foo'], ['CLUSTER', 'keyspace'], ['default', 'keyspace'], ['all'], ['modules']]) {
      const a = [...parseInfo(await info(...args)).keys()];
      const b = [...parseInfo(bulkText(await rc.call('INFO', ...args))).keys()];
      assert.deepEqual(a, b, 'INFO ' + args.join(' '));
    }
  });
});
