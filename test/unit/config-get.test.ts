// CONFIG GET. DEFAULTS is `CONFIG GET *` of redis-server 7.0.15 started with
// `--port 7391 --save '' --logfile /tmp/rcfg/r.log` (dir aside, it depends on the cwd), sorted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Config } from '../../src/config/index.js';

const DEFAULTS: Array<[string, string]> = [
  ["acl-pubsub-default", "resetchannels"],
  ["aclfile", ""],
  ["acllog-max-len", "128"],
  ["active-defrag-cycle-max", "25"],
  ["active-defrag-cycle-min", "1"],
  ["active-defrag-ignore-bytes", "104857600"],
  ["active-defrag-max-scan-fields", "1000"],
  ["active-defrag-threshold-lower", "10"],
  ["active-defrag-threshold-upper", "100"],
  ["active-expire-effort", "1"],
  ["activedefrag", "no"],
  ["activerehashing", "yes"],
  ["always-show-logo", "no"],
  ["aof-disable-auto-gc", "no"],
  ["aof-load-truncated", "yes"],
  ["aof-rewrite-incremental-fsync", "yes"],
  ["aof-timestamp-enabled", "no"],
  ["aof-use-rdb-preamble", "yes"],
  ["aof_rewrite_cpulist", ""],
  ["appenddirname", "appendonlydir"],
  ["appendfilename", "appendonly.aof"],
  ["appendfsync", "everysec"],
  ["appendonly", "no"],
  ["auto-aof-rewrite-min-size", "67108864"],
  ["auto-aof-rewrite-percentage", "100"],
  ["bgsave_cpulist", ""],
  ["bind", "* -::*"],
  ["bind-source-addr", ""],
  ["bio_cpulist", ""],
  ["busy-reply-threshold", "5000"],
  ["client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"],
  ["client-query-buffer-limit", "1073741824"],
  ["cluster-allow-pubsubshard-when-down", "yes"],
  ["cluster-allow-reads-when-down", "no"],
  ["cluster-allow-replica-migration", "yes"],
  ["cluster-announce-bus-port", "0"],
  ["cluster-announce-hostname", ""],
  ["cluster-announce-ip", ""],
  ["cluster-announce-port", "0"],
  ["cluster-announce-tls-port", "0"],
  ["cluster-config-file", "nodes.conf"],
  ["cluster-enabled", "no"],
  ["cluster-link-sendbuf-limit", "0"],
  ["cluster-migration-barrier", "1"],
  ["cluster-node-timeout", "15000"],
  ["cluster-port", "0"],
  ["cluster-preferred-endpoint-type", "ip"],
  ["cluster-replica-no-failover", "no"],
  ["cluster-replica-validity-factor", "10"],
  ["cluster-require-full-coverage", "yes"],
  ["cluster-slave-no-failover", "no"],
  ["cluster-slave-validity-factor", "10"],
  ["crash-log-enabled", "yes"],
  ["crash-memcheck-enabled", "yes"],
  ["daemonize", "no"],
  ["databases", "16"],
  ["dbfilename", "dump.rdb"],
  ["dir", "/tmp/rcfg"],
  ["disable-thp", "yes"],
  ["dynamic-hz", "yes"],
  ["enable-debug-command", "no"],
  ["enable-module-command", "no"],
  ["enable-protected-configs", "no"],
  ["hash-max-listpack-entries", "512"],
  ["hash-max-listpack-value", "64"],
  ["hash-max-ziplist-entries", "512"],
  ["hash-max-ziplist-value", "64"],
  ["hll-sparse-max-bytes", "3000"],
  ["hz", "10"],
  ["ignore-warnings", ""],
  ["io-threads", "1"],
  ["io-threads-do-reads", "no"],
  ["jemalloc-bg-thread", "yes"],
  ["latency-monitor-threshold", "0"],
  ["latency-tracking", "yes"],
  ["latency-tracking-info-percentiles", "50 99 99.9"],
  ["lazyfree-lazy-eviction", "no"],
  ["lazyfree-lazy-expire", "no"],
  ["lazyfree-lazy-server-del", "no"],
  ["lazyfree-lazy-user-del", "no"],
  ["lazyfree-lazy-user-flush", "no"],
  ["lfu-decay-time", "1"],
  ["lfu-log-factor", "10"],
  ["list-compress-depth", "0"],
  ["list-max-listpack-size", "-2"],
  ["list-max-ziplist-size", "-2"],
  ["logfile", "/tmp/rcfg/r.log"],
  ["loglevel", "notice"],
  ["lua-time-limit", "5000"],
  ["masterauth", ""],
  ["masteruser", ""],
  ["maxclients", "10000"],
  ["maxmemory", "0"],
  ["maxmemory-clients", "0"],
  ["maxmemory-eviction-tenacity", "10"],
  ["maxmemory-policy", "noeviction"],
  ["maxmemory-samples", "5"],
  ["min-replicas-max-lag", "10"],
  ["min-replicas-to-write", "0"],
  ["min-slaves-max-lag", "10"],
  ["min-slaves-to-write", "0"],
  ["no-appendfsync-on-rewrite", "no"],
  ["notify-keyspace-events", ""],
  ["oom-score-adj", "no"],
  ["oom-score-adj-values", "0 200 800"],
  ["pidfile", ""],
  ["port", "7391"],
  ["proc-title-template", "{title} {listen-addr} {server-mode}"],
  ["propagation-error-behavior", "ignore"],
  ["protected-mode", "yes"],
  ["proto-max-bulk-len", "536870912"],
  ["rdb-del-sync-files", "no"],
  ["rdb-save-incremental-fsync", "yes"],
  ["rdbchecksum", "yes"],
  ["rdbcompression", "yes"],
  ["repl-backlog-size", "1048576"],
  ["repl-backlog-ttl", "3600"],
  ["repl-disable-tcp-nodelay", "no"],
  ["repl-diskless-load", "disabled"],
  ["repl-diskless-sync", "yes"],
  ["repl-diskless-sync-delay", "5"],
  ["repl-diskless-sync-max-replicas", "0"],
  ["repl-ping-replica-period", "10"],
  ["repl-ping-slave-period", "10"],
  ["repl-timeout", "60"],
  ["replica-announce-ip", ""],
  ["replica-announce-port", "0"],
  ["replica-announced", "yes"],
  ["replica-ignore-disk-write-errors", "no"],
  ["replica-ignore-maxmemory", "yes"],
  ["replica-lazy-flush", "no"],
  ["replica-priority", "100"],
  ["replica-read-only", "yes"],
  ["replica-serve-stale-data", "yes"],
  ["replicaof", ""],
  ["requirepass", ""],
  ["sanitize-dump-payload", "no"],
  ["save", ""],
  ["server_cpulist", ""],
  ["set-max-intset-entries", "512"],
  ["set-proc-title", "yes"],
  ["shutdown-on-sigint", "default"],
  ["shutdown-on-sigterm", "default"],
  ["shutdown-timeout", "10"],
  ["slave-announce-ip", ""],
  ["slave-announce-port", "0"],
  ["slave-ignore-maxmemory", "yes"],
  ["slave-lazy-flush", "no"],
  ["slave-priority", "100"],
  ["slave-read-only", "yes"],
  ["slave-serve-stale-data", "yes"],
  ["slaveof", ""],
  ["slowlog-log-slower-than", "10000"],
  ["slowlog-max-len", "128"],
  ["socket-mark-id", "0"],
  ["stop-writes-on-bgsave-error", "yes"],
  ["stream-node-max-bytes", "4096"],
  ["stream-node-max-entries", "100"],
  ["supervised", "no"],
  ["syslog-enabled", "no"],
  ["syslog-facility", "local0"],
  ["syslog-ident", "redis"],
  ["tcp-backlog", "511"],
  ["tcp-keepalive", "300"],
  ["timeout", "0"],
  ["tls-auth-clients", "yes"],
  ["tls-ca-cert-dir", ""],
  ["tls-ca-cert-file", ""],
  ["tls-cert-file", ""],
  ["tls-ciphers", ""],
  ["tls-ciphersuites", ""],
  ["tls-client-cert-file", ""],
  ["tls-client-key-file", ""],
  ["tls-client-key-file-pass", ""],
  ["tls-cluster", "no"],
  ["tls-dh-params-file", ""],
  ["tls-key-file", ""],
  ["tls-key-file-pass", ""],
  ["tls-port", "0"],
  ["tls-prefer-server-ciphers", "no"],
  ["tls-protocols", ""],
  ["tls-replication", "no"],
  ["tls-session-cache-size", "20480"],
  ["tls-session-cache-timeout", "300"],
  ["tls-session-caching", "yes"],
  ["tracking-table-max-keys", "1000000"],
  ["unixsocket", ""],
  ["unixsocketperm", "0"],
  ["zset-max-listpack-entries", "128"],
  ["zset-max-listpack-value", "64"],
  ["zset-max-ziplist-entries", "128"],
  ["zset-max-ziplist-value", "64"],
];

const b = (s: string) => Buffer.from(s, 'latin1');
const names = (c: Config, ...patterns: string[]) => c.getMatching(patterns.map(b)).map((p) => p[0]);

test('CONFIG GET * lists the same 192 names and default values as redis-server 7.0.15', () => {
  const c = Config.fromArgs(['--port', '7391', '--save', '', '--logfile', '/tmp/rcfg/r.log'], () => '', { cwd: '/tmp/rcfg' });
  const got = c.getMatching([b('*')]).sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  assert.equal(got.length, DEFAULTS.length);
  assert.deepEqual(got, DEFAULTS);
});

test('exact names: case-insensitive lookup, echoed as given, hidden ones included', () => {
  const c = Config.defaults();
  assert.deepEqual(c.getMatching([b('SAVE')]), [['SAVE', '3600 1 300 100 60 10000']]);
  assert.deepEqual(c.getMatching([b('SlaveOf')]), [['SlaveOf', '']]);
  assert.deepEqual(c.getMatching([b('nosuch')]), []);
  // The first spelling wins; repeats (in any case) are dropped.
  assert.deepEqual(names(c, 'PORT', 'port', 'Port'), ['PORT']);
  assert.deepEqual(names(c, 'port', 'PORT'), ['port']);
  // An alias is its own name.
  assert.deepEqual(names(c, 'slaveof', 'replicaof'), ['slaveof', 'replicaof']);
  // Hidden parameters answer to their exact name, never to a pattern.
  assert.deepEqual(c.getMatching([b('rdb-key-save-delay')]), [['rdb-key-save-delay', '0']]);
  assert.deepEqual(c.getMatching([b('key-load-delay')]), [['key-load-delay', '0']]);
  assert.deepEqual(names(c, '*delay*').sort(), ['repl-diskless-sync-delay', 'repl-disable-tcp-nodelay'].sort());
});

test('patterns: nocase glob over canonical names and aliases, no duplicates', () => {
  const c = Config.defaults();
  assert.deepEqual(names(c, 'P?rt'), ['port']);
  assert.deepEqual(names(c, 'POR*'), ['port']);
  assert.deepEqual(names(c, 'port', 'po*', 'port'), ['port']);
  assert.deepEqual(names(c, '*slaveof*'), ['slaveof']);
  assert.deepEqual(names(c, 'PORT*', '*PORT').sort(), [
    'port',
    'cluster-announce-port',
    'tls-port',
    'replica-announce-port',
    'cluster-announce-tls-port',
    'cluster-port',
    'slave-announce-port',
    'cluster-announce-bus-port',
  ].sort());
  assert.deepEqual(names(c, 'SLAVEOF', 'slave*').sort(), [
    'SLAVEOF',
    'slave-announce-ip',
    'slave-announce-port',
    'slave-ignore-maxmemory',
    'slave-lazy-flush',
    'slave-priority',
    'slave-read-only',
    'slave-serve-stale-data',
  ]);
  assert.equal(names(c, 'repl*', 'slaveof', 'slave*').length, 28);
  assert.equal(names(c, '[a-c]*').length, 54);
  assert.deepEqual(names(c, 'slave\\-priority'), ['slave-priority']);
  assert.deepEqual(names(c, '*max*'), names(c, '*MAX*'));
});

test('values print the way Redis prints them', () => {
  const c = Config.fromArgs(['--maxmemory', '1gb', '--notify-keyspace-events', 'KEA', '--oom-score-adj', 'relative', '--unixsocketperm', '700', '--loglevel', 'WARNING', '--requirepass', 'sec ret', '--masterauth', 'x'], () => '');
  const get = (n: string) => c.getMatching([b(n)])[0]![1];
  assert.equal(get('maxmemory'), '1073741824');
  assert.equal(get('notify-keyspace-events'), 'AKE');
  assert.equal(get('oom-score-adj'), 'yes');
  assert.equal(get('unixsocketperm'), '700');
  assert.equal(get('loglevel'), 'warning');
  // Sensitive values are still shown by CONFIG GET.
  assert.equal(get('requirepass'), 'sec ret');
  assert.equal(get('masterauth'), 'x');
  assert.match(c.dump(), /^port 6379\nbind \* -::\*\n/);
});
