/**
 * The INFO text: Redis 7.0's sections, field names and field order, so that tools that read
 * INFO (redis-cli, Sentinel, ioredis' ready check, prometheus exporters, dashboards) find what
 * they look for. Values are this server's own where it has them, and Redis's neutral value
 * ("0", "ok", "-1") where the feature does not exist here.
 *
 * Subsystems that own a field supply it through `server.infoFields` (by field name) and the
 * replication layer replaces the whole "# Replication" body through `server.replicationInfo`.
 * INFO is not on the hot path: it builds one string per call.
 */

import os from 'node:os';
import path from 'node:path';
import type { Server } from './server.js';
import { REDIS_VERSION, DAMSELFLY_VERSION, clientMemory } from './server.js';
import { ClientFlag } from './client.js';
import type { Config } from '../config/index.js';
import { lruClockSeconds } from '../store/expire.js';

/** Every section, in the order Redis prints them. */
export const INFO_SECTIONS = [
  'server',
  'clients',
  'memory',
  'persistence',
  'stats',
  'replication',
  'cpu',
  'modules',
  'commandstats',
  'errorstats',
  'latencystats',
  'cluster',
  'keyspace',
] as const;

export type InfoSection = (typeof INFO_SECTIONS)[number];

const DEFAULT_SECTIONS: ReadonlySet<string> = new Set([
  'server',
  'clients',
  'memory',
  'persistence',
  'stats',
  'replication',
  'cpu',
  'modules',
  'errorstats',
  'cluster',
  'keyspace',
]);

const HEADERS: Record<InfoSection, string> = {
  server: 'Server',
  clients: 'Clients',
  memory: 'Memory',
  persistence: 'Persistence',
  stats: 'Stats',
  replication: 'Replication',
  cpu: 'CPU',
  modules: 'Modules',
  commandstats: 'Commandstats',
  errorstats: 'Errorstats',
  latencystats: 'Latencystats',
  cluster: 'Cluster',
  keyspace: 'Keyspace',
};

/**
 * Which sections `INFO arg...` asks for: none = default; `default`, `all` (everything but module
 * sections) and `everything` expand; names are case-insensitive; unknown names select nothing.
 */
export function selectSections(args: string[]): Set<InfoSection> {
  const out = new Set<InfoSection>();
  if (args.length === 0) args = ['default'];
  for (const raw of args) {
    const a = raw.toLowerCase();
    if (a === 'default') {
      for (const s of INFO_SECTIONS) if (DEFAULT_SECTIONS.has(s)) out.add(s);
    } else if (a === 'all' || a === 'everything') {
      for (const s of INFO_SECTIONS) out.add(s);
    } else if ((INFO_SECTIONS as readonly string[]).includes(a)) {
      out.add(a as InfoSection);
    }
  }
  return out;
}

/** Builds the INFO reply text for the given arguments (section names). */
export function buildInfo(server: Server, args: string[]): string {
  const wanted = selectSections(args);
  let text = '';
  for (const s of INFO_SECTIONS) {
    if (!wanted.has(s)) continue;
    if (text !== '') text += '\r\n';
    text += '# ' + HEADERS[s] + '\r\n' + sectionBody(server, s);
  }
  return text;
}

/** The `field:value\r\n` lines of one section (no header). */
export function sectionBody(server: Server, section: InfoSection): string {
  const w = new InfoWriter(server);
  switch (section) {
    case 'server':
      serverSection(server, w);
      break;
    case 'clients':
      clientsSection(server, w);
      break;
    case 'memory':
      memorySection(server, w);
      break;
    case 'persistence':
      persistenceSection(server, w);
      break;
    case 'stats':
      statsSection(server, w);
      break;
    case 'replication':
      if (server.replicationInfo !== null) return server.replicationInfo();
      replicationSection(server, w);
      break;
    case 'cpu':
      cpuSection(w);
      break;
    case 'modules':
      break;
    case 'commandstats':
      commandstatsSection(server, w);
      break;
    case 'errorstats':
      errorstatsSection(server, w);
      break;
    case 'latencystats':
      // Per-command latency percentiles need per-call histograms, which the dispatcher does
      // not record: the section is present but empty.
      break;
    case 'cluster':
      w.field('cluster_enabled', 0);
      break;
    case 'keyspace':
      keyspaceSection(server, w);
      break;
  }
  return w.text;
}

/** Appends `name:value\r\n`, letting a subsystem supply the value through server.infoFields. */
class InfoWriter {
  text = '';
  private readonly overrides: Map<string, () => string | number>;

  constructor(server: Server) {
    this.overrides = server.infoFields;
  }

  field(name: string, value: string | number): void {
    const o = this.overrides.get(name);
    this.text += name + ':' + (o !== undefined ? o() : value) + '\r\n';
  }

  /** A line that is not a plain field (cmdstat_x, errorstat_x, dbN). */
  raw(line: string): void {
    this.text += line + '\r\n';
  }
}

// ---------------------------------------------------------------------------------------------

function serverSection(server: Server, w: InfoWriter): void {
  const nowUs = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  const uptime = Math.floor((Date.now() - server.startTime) / 1000);
  const hz = configNumber(server.config, 'hz', 10);
  w.field('redis_version', REDIS_VERSION);
  w.field('redis_git_sha1', '00000000');
  w.field('redis_git_dirty', 0);
  w.field('redis_build_id', getBuildId());
  w.field('redis_mode', 'standalone');
  w.field('os', os.type() + ' ' + os.release() + ' ' + os.machine());
  w.field('arch_bits', process.arch === 'x64' || process.arch === 'arm64' || process.arch === 'ppc64' || process.arch === 's390x' ? 64 : 32);
  w.field('monotonic_clock', 'POSIX clock_gettime');
  w.field('multiplexing_api', MULTIPLEXING_API);
  w.field('atomicvar_api', 'c11-builtin');
  w.field('gcc_version', '0.0.0');
  w.field('process_id', process.pid);
  w.field('process_supervised', 'no');
  w.field('run_id', server.runId);
  w.field('tcp_port', server.addresses.length > 0 ? server.addresses[0]!.port : configNumber(server.config, 'port', 6379));
  w.field('server_time_usec', nowUs);
  w.field('uptime_in_seconds', uptime);
  w.field('uptime_in_days', Math.floor(uptime / 86400));
  w.field('hz', hz);
  w.field('configured_hz', hz);
  w.field('lru_clock', lruClockSeconds());
  w.field('executable', process.argv[1] !== undefined ? path.resolve(process.argv[1]) : process.execPath);
  const cf = (server.config as { configFile?: string | null }).configFile;
  w.field('config_file', cf !== undefined && cf !== null && cf !== '' && cf !== '-' ? path.resolve(cf) : '');
  w.field('io_threads_active', 0);
  // Not a Redis field: which Damselfly answers (Dragonfly adds dragonfly_version likewise).
  w.field('damselfly_version', DAMSELFLY_VERSION);
}

function clientsSection(server: Server, w: InfoWriter): void {
  let replicas = 0;
  let blocked = 0;
  let maxIn = 0;
  let maxOut = 0;
  for (const c of server.clients.values()) {
    if ((c.flags & ClientFlag.REPLICA) !== 0) replicas++;
    if ((c.flags & ClientFlag.BLOCKED) !== 0) blocked++;
    const qin = c.parser.buffered;
    if (qin > maxIn) maxIn = qin;
    const out = c.outputBytes;
    if (out > maxOut) maxOut = out;
  }
  w.field('connected_clients', server.clients.size - replicas);
  w.field('cluster_connections', 0);
  w.field('maxclients', server.maxClients);
  w.field('client_recent_max_input_buffer', maxIn);
  w.field('client_recent_max_output_buffer', maxOut);
  w.field('blocked_clients', blocked);
  w.field('tracking_clients', 0);
  w.field('clients_in_timeout_table', 0);
}

function memorySection(server: Server, w: InfoWriter): void {
  const m = process.memoryUsage();
  const used = server.usedMemory();
  const peak = server.usedMemoryPeak;
  const rss = m.rss;
  const startup = server.usedMemoryStartup;
  let clientsNormal = 0;
  let clientsReplicas = 0;
  for (const c of server.clients.values()) {
    if ((c.flags & ClientFlag.REPLICA) !== 0) clientsReplicas += clientMemory(c);
    else clientsNormal += clientMemory(c);
  }
  const keys = server.keyspace.keyCount();
  const overhead = Math.min(used, startup + clientsNormal + clientsReplicas + keys * KEY_OVERHEAD);
  const dataset = used - overhead;
  const allocated = m.heapUsed + m.external;
  const active = m.heapTotal + m.external;
  const maxmemory = configNumber(server.config, 'maxmemory', 0);
  w.field('used_memory', used);
  w.field('used_memory_human', bytesToHuman(used));
  w.field('used_memory_rss', rss);
  w.field('used_memory_rss_human', bytesToHuman(rss));
  w.field('used_memory_peak', peak);
  w.field('used_memory_peak_human', bytesToHuman(peak));
  w.field('used_memory_peak_perc', fixed2(peak > 0 ? (used * 100) / peak : 0) + '%');
  w.field('used_memory_overhead', overhead);
  w.field('used_memory_startup', startup);
  w.field('used_memory_dataset', dataset);
  w.field('used_memory_dataset_perc', fixed2(used - startup > 0 ? (dataset * 100) / (used - startup) : 0) + '%');
  w.field('allocator_allocated', allocated);
  w.field('allocator_active', active);
  w.field('allocator_resident', rss);
  w.field('total_system_memory', os.totalmem());
  w.field('total_system_memory_human', bytesToHuman(os.totalmem()));
  w.field('used_memory_lua', 0);
  w.field('used_memory_vm_eval', 0);
  w.field('used_memory_lua_human', '0B');
  w.field('used_memory_scripts_eval', 0);
  w.field('number_of_cached_scripts', 0);
  w.field('number_of_functions', 0);
  w.field('number_of_libraries', 0);
  w.field('used_memory_vm_functions', 0);
  w.field('used_memory_vm_total', 0);
  w.field('used_memory_vm_total_human', '0B');
  w.field('used_memory_functions', 0);
  w.field('used_memory_scripts', 0);
  w.field('used_memory_scripts_human', '0B');
  w.field('maxmemory', maxmemory);
  w.field('maxmemory_human', bytesToHuman(maxmemory));
  w.field('maxmemory_policy', configString(server.config, 'maxmemory-policy', 'noeviction'));
  w.field('allocator_frag_ratio', fixed2(allocated > 0 ? active / allocated : 0));
  w.field('allocator_frag_bytes', active - allocated);
  w.field('allocator_rss_ratio', fixed2(active > 0 ? rss / active : 0));
  w.field('allocator_rss_bytes', rss - active);
  w.field('rss_overhead_ratio', '1.00');
  w.field('rss_overhead_bytes', 0);
  w.field('mem_fragmentation_ratio', fixed2(used > 0 ? rss / used : 0));
  w.field('mem_fragmentation_bytes', rss - used);
  w.field('mem_not_counted_for_evict', 0);
  w.field('mem_replication_backlog', 0);
  w.field('mem_total_replication_buffers', 0);
  w.field('mem_clients_slaves', clientsReplicas);
  w.field('mem_clients_normal', clientsNormal);
  w.field('mem_cluster_links', 0);
  w.field('mem_aof_buffer', 0);
  w.field('mem_allocator', 'libc');
  w.field('active_defrag_running', 0);
  w.field('lazyfree_pending_objects', server.keyspace.lazyFreePending);
  w.field('lazyfreed_objects', server.keyspace.lazyFreed);
}

function persistenceSection(server: Server, w: InfoWriter): void {
  const p = server.persistence;
  const keys = p.currentSaveKeys();
  w.field('loading', server.loading ? 1 : 0);
  w.field('async_loading', 0);
  // No fork, so no copy-on-write: the snapshot's extra memory is its 1 bit per key.
  w.field('current_cow_peak', 0);
  w.field('current_cow_size', 0);
  w.field('current_cow_size_age', 0);
  w.field('current_fork_perc', keys.total > 0 ? ((keys.processed * 100) / keys.total).toFixed(2) : '0.00');
  w.field('current_save_keys_processed', keys.processed);
  w.field('current_save_keys_total', keys.total);
  w.field('rdb_changes_since_last_save', server.dirty);
  w.field('rdb_bgsave_in_progress', p.bgsaveInProgress() ? 1 : 0);
  w.field('rdb_last_save_time', server.lastSaveTime);
  w.field('rdb_last_bgsave_status', p.lastBgsaveOk ? 'ok' : 'err');
  w.field('rdb_last_bgsave_time_sec', p.lastBgsaveTimeSec);
  w.field('rdb_current_bgsave_time_sec', p.currentBgsaveSeconds());
  w.field('rdb_saves', p.saves);
  w.field('rdb_last_cow_size', 0);
  w.field('rdb_last_load_keys_expired', p.lastLoadKeysExpired);
  w.field('rdb_last_load_keys_loaded', p.lastLoadKeysLoaded);
  w.field('aof_enabled', 0);
  w.field('aof_rewrite_in_progress', 0);
  w.field('aof_rewrite_scheduled', 0);
  w.field('aof_last_rewrite_time_sec', -1);
  w.field('aof_current_rewrite_time_sec', -1);
  w.field('aof_last_bgrewrite_status', 'ok');
  w.field('aof_rewrites', 0);
  w.field('aof_rewrites_consecutive_failures', 0);
  w.field('aof_last_write_status', 'ok');
  w.field('aof_last_cow_size', 0);
  w.field('module_fork_in_progress', 0);
  w.field('module_fork_last_cow_size', 0);
  // Redis 7.0.15 appends these while a load is in progress.
  for (const [name, value] of p.loadingFields()) w.field(name, value);
}

function statsSection(server: Server, w: InfoWriter): void {
  const s = server.stats;
  w.field('total_connections_received', s.connectionsReceived);
  w.field('total_commands_processed', s.commandsProcessed);
  w.field('instantaneous_ops_per_sec', Math.round(s.opsRate.value));
  w.field('total_net_input_bytes', s.netInputBytes);
  w.field('total_net_output_bytes', s.netOutputBytes);
  w.field('total_net_repl_input_bytes', s.netReplInputBytes);
  w.field('total_net_repl_output_bytes', s.netReplOutputBytes);
  w.field('instantaneous_input_kbps', fixed2(s.inputRate.value / 1024));
  w.field('instantaneous_output_kbps', fixed2(s.outputRate.value / 1024));
  w.field('instantaneous_input_repl_kbps', '0.00');
  w.field('instantaneous_output_repl_kbps', '0.00');
  w.field('rejected_connections', s.rejectedConnections);
  w.field('sync_full', s.syncFull);
  w.field('sync_partial_ok', s.syncPartialOk);
  w.field('sync_partial_err', s.syncPartialErr);
  w.field('expired_keys', s.expiredKeys);
  w.field('expired_stale_perc', fixed2(s.expiredStalePerc * 100));
  w.field('expired_time_cap_reached_count', s.expiredTimeCapReached);
  w.field('expire_cycle_cpu_milliseconds', Math.round(s.expireCycleCpuMs));
  w.field('evicted_keys', s.evictedKeys);
  w.field('evicted_clients', s.evictedClients);
  w.field('total_eviction_exceeded_time', 0);
  w.field('current_eviction_exceeded_time', 0);
  w.field('keyspace_hits', s.keyspaceHits);
  w.field('keyspace_misses', s.keyspaceMisses);
  w.field('pubsub_channels', 0);
  w.field('pubsub_patterns', 0);
  w.field('pubsubshard_channels', 0);
  w.field('latest_fork_usec', 0);
  w.field('total_forks', 0);
  w.field('migrate_cached_sockets', 0);
  w.field('slave_expires_tracked_keys', 0);
  w.field('active_defrag_hits', 0);
  w.field('active_defrag_misses', 0);
  w.field('active_defrag_key_hits', 0);
  w.field('active_defrag_key_misses', 0);
  w.field('total_active_defrag_time', 0);
  w.field('current_active_defrag_time', 0);
  w.field('tracking_total_keys', 0);
  w.field('tracking_total_items', 0);
  w.field('tracking_total_prefixes', 0);
  w.field('unexpected_error_replies', 0);
  w.field('total_error_replies', s.totalErrorReplies);
  w.field('dump_payload_sanitizations', 0);
  w.field('total_reads_processed', s.readsProcessed);
  w.field('total_writes_processed', s.writesProcessed);
  w.field('io_threaded_reads_processed', 0);
  w.field('io_threaded_writes_processed', 0);
  w.field('reply_buffer_shrinks', 0);
  w.field('reply_buffer_expands', 0);
}

/** The standalone master block; the replication layer replaces it via server.replicationInfo. */
function replicationSection(server: Server, w: InfoWriter): void {
  w.field('role', server.isReplica ? 'slave' : 'master');
  w.field('connected_slaves', 0);
  w.field('master_failover_state', 'no-failover');
  w.field('master_replid', server.replId);
  w.field('master_replid2', server.replId2);
  w.field('master_repl_offset', 0);
  w.field('second_repl_offset', -1);
  w.field('repl_backlog_active', 0);
  w.field('repl_backlog_size', configNumber(server.config, 'repl-backlog-size', 1048576));
  w.field('repl_backlog_first_byte_offset', 0);
  w.field('repl_backlog_histlen', 0);
}

function cpuSection(w: InfoWriter): void {
  const u = process.cpuUsage();
  const sys = (u.system / 1e6).toFixed(6);
  const user = (u.user / 1e6).toFixed(6);
  w.field('used_cpu_sys', sys);
  w.field('used_cpu_user', user);
  w.field('used_cpu_sys_children', '0.000000');
  w.field('used_cpu_user_children', '0.000000');
  // Node 20 cannot measure the main thread alone; the process figures include libuv/GC threads.
  w.field('used_cpu_sys_main_thread', sys);
  w.field('used_cpu_user_main_thread', user);
}

function commandstatsSection(server: Server, w: InfoWriter): void {
  for (const cmd of server.commands.allWithSubcommands()) {
    const st = cmd.stats;
    if (st.calls === 0 && st.failedCalls === 0 && st.rejectedCalls === 0) continue;
    w.raw(
      'cmdstat_' +
        cmd.fullName +
        ':calls=' +
        st.calls +
        ',usec=' +
        st.usec +
        ',usec_per_call=' +
        fixed2(st.calls > 0 ? st.usec / st.calls : 0) +
        ',rejected_calls=' +
        st.rejectedCalls +
        ',failed_calls=' +
        st.failedCalls,
    );
  }
}

function errorstatsSection(server: Server, w: InfoWriter): void {
  // Redis keeps error codes in a radix tree, so they come out sorted.
  const codes = [...server.stats.errors.keys()].sort();
  for (const code of codes) w.raw('errorstat_' + code + ':count=' + server.stats.errors.get(code)!);
}

function keyspaceSection(server: Server, w: InfoWriter): void {
  const dbs = server.keyspace.dbs;
  for (let i = 0; i < dbs.length; i++) {
    const db = dbs[i]!;
    const keys = db.size;
    if (keys === 0) continue;
    w.raw('db' + i + ':keys=' + keys + ',expires=' + db.volatileCount + ',avg_ttl=' + averageTtl(db));
  }
}

/**
 * avg_ttl: Redis reports a running estimate from the keys its expire cycle samples; here the
 * mean remaining TTL (ms) of up to 64 keys spread evenly over the volatile set.
 */
export function averageTtl(db: { volatileCount: number; volatileExpireAtPos(i: number): number }): number {
  const n = db.volatileCount;
  if (n === 0) return 0;
  const now = Date.now();
  const samples = Math.min(n, 64);
  const step = n / samples;
  let sum = 0;
  let counted = 0;
  for (let k = 0; k < samples; k++) {
    const ttl = db.volatileExpireAtPos(Math.floor(k * step)) - now;
    if (ttl > 0) {
      sum += ttl;
      counted++;
    }
  }
  return counted === 0 ? 0 : Math.round(sum / counted);
}

// ---------------------------------------------------------------------------------------------
// Formatting helpers shared with MEMORY and CLIENT.

/** Per-key bookkeeping beyond the key and value bytes: the 32-byte entry plus its bucket. */
const KEY_OVERHEAD = 36;

const MULTIPLEXING_API = process.platform === 'linux' ? 'epoll' : process.platform === 'win32' ? 'iocp' : 'kqueue';

/** A stable 16-hex-digit build id derived from our version (Redis hashes its build). */
let buildId = '';
function getBuildId(): string {
  if (buildId !== '') return buildId;
  // Computed on first use: this module is part of an import cycle with server.ts.
  let h = 0x811c9dc5;
  let g = 0x12345678;
  const s = 'damselfly-' + DAMSELFLY_VERSION;
  for (let i = 0; i < s.length; i++) {
    h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
    g = Math.imul(g ^ s.charCodeAt(i), 0x5bd1e995) >>> 0;
  }
  buildId = h.toString(16).padStart(8, '0') + g.toString(16).padStart(8, '0');
  return buildId;
}

/** Redis's bytesToHuman: `123B`, `1.53K`, `1.00M`, `2.50G`, `1.00T`, `1.00P`. */
export function bytesToHuman(n: number): string {
  if (n < 1024) return n + 'B';
  const units = ['K', 'M', 'G', 'T', 'P'];
  let d = n / 1024;
  let i = 0;
  while (d >= 1024 && i < units.length - 1) {
    d /= 1024;
    i++;
  }
  return d.toFixed(2) + units[i];
}

/** `%.2f` */
export function fixed2(x: number): string {
  return x.toFixed(2);
}

function configNumber(config: Config, name: string, fallback: number): number {
  try {
    const v = config.getNumber(name);
    return typeof v === 'number' && !Number.isNaN(v) ? v : fallback;
  } catch {
    return fallback;
  }
}

function configString(config: Config, name: string, fallback: string): string {
  try {
    const v = config.getString(name);
    return typeof v === 'string' ? v : fallback;
  } catch {
    return fallback;
  }
}
