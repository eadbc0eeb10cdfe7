/**
 * Server commands: INFO, TIME, SAVE, BGSAVE, LASTSAVE, MONITOR, SLOWLOG, LATENCY, MEMORY, DEBUG,
 * SHUTDOWN.
 *
 * FLUSHALL/FLUSHDB/DBSIZE/SELECT/SWAPDB live with the keyspace commands, CONFIG in config.ts.
 * Texts (errors, HELP, DOCTOR reports) follow redis-server 7.0.15's output.
 */

import { stringEncoding } from './keys.js';
import type { Client } from '../server/client.js';
import { ClientFlag } from '../server/client.js';
import type { Server } from '../server/server.js';
import { buildInfo } from '../server/info.js';
import { shutdown, abortShutdown } from '../server/shutdown.js';
import { ERR, sanitizeError } from '../protocol/errors.js';
import { parseI64 } from '../util/numbers.js';
import { lookupWrite, idleSeconds, lruClock } from '../store/expire.js';
import { TYPE_STRING, TYPE_LIST, TYPE_SET, TYPE_ZSET, TYPE_HASH, TYPE_STREAM, type Db } from '../store/db.js';
import { Digest, digestKey, digestValue, type DigestValue } from '../util/digest.js';
import { argIs, cArg } from './connection.js';
import { replyHelp } from './client.js';
import type { CommandSpec } from './spec.js';
import { debugSnapshotTest } from '../persistence/snapshot-debug.js';
import { ERR_BGSAVE_IN_PROGRESS, ERR_OTHER_CHILD } from '../persistence/persistence.js';
import { ERR_LOADING } from '../replication/index.js';

function subcommandSyntaxError(c: Client, sub: Buffer, container: string): void {
  c.reply.error(
    sanitizeError("ERR unknown subcommand or wrong number of arguments for '" + cArg(sub, 128) + "'. Try " + container + ' HELP.'),
  );
}

// ---------------------------------------------------------------------------------------------
// INFO, TIME, LASTSAVE

function infoCommand(c: Client, argv: Buffer[]): void {
  const args: string[] = [];
  for (let i = 1; i < argv.length; i++) args.push(cArg(argv[i]!));
  c.reply.verbatim(buildInfo(c.server, args));
}

function timeCommand(c: Client): void {
  const us = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  const sec = Math.floor(us / 1e6);
  c.reply.arrayLen(2);
  c.reply.bulkStr(String(sec));
  c.reply.bulkStr(String(us - sec * 1e6));
}

function lastsaveCommand(c: Client): void {
  c.reply.integer(c.server.lastSaveTime);
}

/** SAVE: synchronous, like Redis (the server serves nobody until the file is written). */
function saveCommand(c: Client): void {
  const p = c.server.persistence;
  if (p.bg !== null) {
    c.reply.error(ERR_BGSAVE_IN_PROGRESS);
    return;
  }
  // Redis answers a bare "-ERR" when rdbSave fails; the reason is in the log.
  if (p.saveSync()) c.reply.ok();
  else c.reply.error('ERR');
}

/**
 * BGSAVE [SCHEDULE]. Our "other child" is a snapshot serving a replica's full sync: BGSAVE
 * SCHEDULE waits for it to end, as Redis's does for an AOF rewrite. Inside MULTI/EXEC Redis
 * cannot fork, so it always schedules; we answer the same.
 */
function bgsaveCommand(c: Client, argv: Buffer[]): void {
  let schedule = false;
  if (argv.length > 1) {
    if (argv.length === 2 && argIs(argv[1]!, 'schedule')) schedule = true;
    else {
      c.reply.error(ERR.syntax);
      return;
    }
  }
  const server = c.server;
  const p = server.persistence;
  const inExec = (c.flags & ClientFlag.MULTI) !== 0;
  if (p.bg !== null) {
    c.reply.error(ERR_BGSAVE_IN_PROGRESS);
  } else if (server.snapshot !== null || inExec) {
    if (schedule || inExec) {
      p.scheduleBgsave();
      c.reply.simple('Background saving scheduled');
    } else {
      c.reply.error(ERR_OTHER_CHILD);
    }
  } else {
    const err = p.startBgsave();
    if (err !== null) c.reply.error(err);
    else c.reply.simple('Background saving started');
  }
}

// ---------------------------------------------------------------------------------------------
// MONITOR

function monitorCommand(c: Client): void {
  // Inside MULTI (or a script) a client cannot start blocking modes.
  if ((c.flags & ClientFlag.MULTI) !== 0 || (c.flags & ClientFlag.FAKE) !== 0) {
    c.reply.error("ERR MONITOR isn't allowed for DENY BLOCKING client");
    return;
  }
  // Already a monitor or a replica: Redis ignores the command without replying.
  if ((c.flags & (ClientFlag.MONITOR | ClientFlag.REPLICA)) !== 0) return;
  c.flags |= ClientFlag.MONITOR;
  c.server.monitors.add(c);
  c.reply.ok();
}

// ---------------------------------------------------------------------------------------------
// SLOWLOG

const SLOWLOG_HELP = [
  'SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'GET [<count>]',
  '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
  '    Entries are made of:',
  '    id, timestamp, time in microseconds, arguments array, client IP and port,',
  '    client name',
  'LEN',
  '    Return the length of the slowlog.',
  'RESET',
  '    Reset the slowlog.',
  'HELP',
  '    Prints this help.',
];

function slowlogGetCommand(c: Client, argv: Buffer[]): void {
  if (argv.length > 3) {
    subcommandSyntaxError(c, argv[1]!, 'SLOWLOG');
    return;
  }
  let count = 10;
  if (argv.length === 3) {
    const v = parseI64(argv[2]!);
    if (v === null || v < -1) {
      c.reply.error('ERR count should be greater than or equal to -1');
      return;
    }
    count = v === -1 ? Infinity : Number(v);
  }
  const entries = c.server.slowlog.entries;
  const n = Math.min(count, entries.length);
  const r = c.reply;
  r.arrayLen(n);
  for (let i = 0; i < n; i++) {
    const e = entries[i]!;
    r.arrayLen(6);
    r.integer(e.id);
    r.integer(e.time);
    r.integer(e.usec);
    r.arrayLen(e.args.length);
    for (const a of e.args) r.bulk(a);
    r.bulkStr(e.peer);
    r.bulkStr(e.name);
  }
}

function slowlogLenCommand(c: Client): void {
  c.reply.integer(c.server.slowlog.entries.length);
}

function slowlogResetCommand(c: Client): void {
  c.server.slowlog.reset();
  c.reply.ok();
}

// ---------------------------------------------------------------------------------------------
// LATENCY

const LATENCY_HELP = [
  'LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'DOCTOR',
  '    Return a human readable latency analysis report.',
  'GRAPH <event>',
  '    Return an ASCII latency graph for the <event> class.',
  'HISTORY <event>',
  '    Return time-latency samples for the <event> class.',
  'LATEST',
  '    Return the latest latency samples for all events.',
  'RESET [<event> ...]',
  '    Reset latency data of one or more <event> classes.',
  '    (default: reset all data for all event classes)',
  'HISTOGRAM [COMMAND ...]',
  '    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.',
  '    If no commands are specified then all histograms are replied.',
  'HELP',
  '    Prints this help.',
];

function latencyLatestCommand(c: Client): void {
  const events = c.server.latency.events;
  const r = c.reply;
  r.arrayLen(events.size);
  for (const [name, s] of events) {
    const last = s.samples[s.samples.length - 1]!;
    r.arrayLen(4);
    r.bulkStr(name);
    r.integer(last.time);
    r.integer(last.latency);
    r.integer(s.max);
  }
}

function latencyHistoryCommand(c: Client, argv: Buffer[]): void {
  const s = c.server.latency.events.get(argv[2]!.toString('latin1'));
  const r = c.reply;
  if (s === undefined) {
    r.arrayLen(0);
    return;
  }
  r.arrayLen(s.samples.length);
  for (const x of s.samples) {
    r.arrayLen(2);
    r.integer(x.time);
    r.integer(x.latency);
  }
}

function latencyResetCommand(c: Client, argv: Buffer[]): void {
  const names = argv.length === 2 ? null : argv.slice(2).map((b) => b.toString('latin1'));
  c.reply.integer(c.server.latency.reset(names));
}

/** Time since `t` the way LATENCY GRAPH labels its columns: 5s, 12m, 3h, 2d. */
function ago(nowSec: number, t: number): string {
  const d = Math.max(0, nowSec - t);
  if (d < 60) return d + 's';
  if (d < 3600) return Math.floor(d / 60) + 'm';
  if (d < 86400) return Math.floor(d / 3600) + 'h';
  return Math.floor(d / 86400) + 'd';
}

const GRAPH_ROWS = 4;
const GRAPH_CHARS = '_-`';

function latencyGraphCommand(c: Client, argv: Buffer[]): void {
  const event = argv[2]!.toString('latin1');
  const s = c.server.latency.events.get(event);
  if (s === undefined || s.samples.length === 0) {
    c.reply.error(sanitizeError("ERR No samples available for event '" + cArg(argv[2]!) + "'"));
    return;
  }
  let min = Infinity;
  let max = -Infinity;
  for (const x of s.samples) {
    if (x.latency < min) min = x.latency;
    if (x.latency > max) max = x.latency;
  }
  let text = event + ' - high ' + max + ' ms, low ' + min + ' ms (all time high ' + s.max + ' ms)\n';
  text += '-'.repeat(80) + '\n';
  // One column per sample; each chart row holds three levels of the column's height.
  const steps = GRAPH_ROWS * GRAPH_CHARS.length;
  const levels = s.samples.map((x) => {
    const rel = max === min ? 0 : (x.latency - min) / (max - min);
    return Math.min(steps - 1, Math.floor(rel * steps));
  });
  for (let row = GRAPH_ROWS - 1; row >= 0; row--) {
    let line = '';
    for (const lv of levels) {
      const r = Math.floor(lv / GRAPH_CHARS.length);
      line += r === row ? GRAPH_CHARS[lv % GRAPH_CHARS.length] : r > row ? '|' : ' ';
    }
    text += line + '\n';
  }
  const now = Math.floor(Date.now() / 1000);
  const labels = s.samples.map((x) => ago(now, x.time));
  const height = Math.max(...labels.map((l) => l.length));
  for (let i = 0; i < height; i++) {
    let line = '';
    for (const l of labels) line += i < l.length ? l[i] : ' ';
    text += line + '\n';
  }
  c.reply.verbatim(text);
}

function latencyDoctorCommand(c: Client): void {
  c.reply.verbatim(latencyDoctorReport(c.server));
}

function latencyDoctorReport(server: Server): string {
  const lat = server.latency;
  if (lat.thresholdMs <= 0 && lat.events.size === 0) {
    return (
      "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n"
    );
  }
  if (lat.events.size === 0) {
    return 'Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sleep tonight.\n';
  }
  let text = "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n";
  const now = Math.floor(Date.now() / 1000);
  let i = 1;
  let commandEvents = false;
  for (const [name, s] of lat.events) {
    const n = s.samples.length;
    let sum = 0;
    for (const x of s.samples) sum += x.latency;
    const avg = sum / n;
    let dev = 0;
    for (const x of s.samples) dev += Math.abs(x.latency - avg);
    dev /= n;
    const period = Math.max(1, now - s.samples[0]!.time) / n;
    text +=
      i++ +
      '. ' +
      name +
      ': ' +
      n +
      ' latency spikes (average ' +
      Math.round(avg) +
      'ms, mean deviation ' +
      Math.round(dev) +
      'ms, period ' +
      period.toFixed(2) +
      ' sec). Worst all time event ' +
      s.max +
      'ms.\n';
    if (name === 'command' || name === 'fast-command') commandEvents = true;
  }
  text += '\nI have a few advices for you:\n\n';
  if (commandEvents) {
    const slow = server.slowlog.thresholdUsec;
    if (slow < 0 || slow / 1000 > lat.thresholdMs) {
      text +=
        "- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than " +
        lat.thresholdMs * 1000 +
        "'.\n";
    }
    text +=
      '- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n';
    text +=
      '- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n';
  } else {
    text += '- No specific advice for these events.\n';
  }
  return text;
}

/**
 * LATENCY HISTOGRAM: Redis keeps a latency histogram per command; the dispatcher here records
 * only call counts and total time, so each command is reported with its calls and an empty
 * histogram.
 */
function latencyHistogramCommand(c: Client, argv: Buffer[]): void {
  const table = c.server.commands;
  const picked: Array<{ fullName: string; calls: number }> = [];
  if (argv.length === 2) {
    for (const cmd of table.allWithSubcommands()) if (cmd.stats.calls > 0) picked.push({ fullName: cmd.fullName, calls: cmd.stats.calls });
  } else {
    for (let i = 2; i < argv.length; i++) {
      const cmd = table.lookupFullName(argv[i]!.toString('latin1').toLowerCase());
      if (cmd !== undefined && cmd.stats.calls > 0) picked.push({ fullName: cmd.fullName, calls: cmd.stats.calls });
    }
  }
  const r = c.reply;
  r.mapLen(picked.length);
  for (const p of picked) {
    r.bulkStr(p.fullName);
    r.mapLen(2);
    r.bulkStr('calls');
    r.integer(p.calls);
    r.bulkStr('histogram_usec');
    r.mapLen(0);
  }
}

// ---------------------------------------------------------------------------------------------
// MEMORY

const MEMORY_HELP = [
  'MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'DOCTOR',
  '    Return memory problems reports.',
  'MALLOC-STATS',
  '    Return internal statistics report from the memory allocator.',
  'PURGE',
  '    Attempt to purge dirty pages for reclamation by the allocator.',
  'STATS',
  '    Return information about the memory usage of the server.',
  'USAGE <key> [SAMPLES <count>]',
  '    Return memory in bytes used by <key> and its value. Nested values are',
  '    sampled up to <count> times (default: 5, 0 means sample all).',
  'HELP',
  '    Prints this help.',
];

/** MEMORY USAGE key [SAMPLES count] */
function memoryUsageCommand(c: Client, argv: Buffer[]): void {
  for (let j = 3; j < argv.length; j++) {
    if (argIs(argv[j]!, 'samples') && j + 1 < argv.length) {
      const v = parseI64(argv[j + 1]!);
      if (v === null) {
        c.reply.error(ERR.notInteger);
        return;
      }
      if (v < 0) {
        c.reply.error(ERR.syntax);
        return;
      }
      j++;
    } else {
      c.reply.error(ERR.syntax);
      return;
    }
  }
  // Like Redis, a plain dictionary lookup: no expiry, no LRU touch, no hit/miss statistics.
  const id = c.db.find(argv[2]!);
  if (id < 0) {
    c.reply.nullBulk();
    return;
  }
  c.reply.integer(c.db.entryMemory(id));
}

function memoryStatsCommand(c: Client): void {
  const server = c.server;
  const m = process.memoryUsage();
  const used = server.usedMemory();
  const peak = server.usedMemoryPeak;
  const startup = server.usedMemoryStartup;
  const clients = server.clientsMemory();
  const dbs = server.keyspace.dbs;
  let keys = 0;
  let tables = 0;
  const nonEmpty: Db[] = [];
  for (const db of dbs) {
    if (db.size === 0) continue;
    nonEmpty.push(db);
    keys += db.size;
    tables += db.ownBytes();
  }
  const overhead = Math.min(used, startup + clients + tables);
  const dataset = used - overhead;
  const allocated = m.heapUsed + m.external;
  const active = m.heapTotal + m.external;
  const rss = m.rss;
  const r = c.reply;
  r.mapLen(27 + nonEmpty.length);
  const int = (k: string, v: number): void => {
    r.bulkStr(k);
    r.integer(Math.round(v));
  };
  const dbl = (k: string, v: number): void => {
    r.bulkStr(k);
    r.double(formatG17(v));
  };
  int('peak.allocated', peak);
  int('total.allocated', used);
  int('startup.allocated', startup);
  int('replication.backlog', 0);
  int('clients.slaves', 0);
  int('clients.normal', clients);
  int('cluster.links', 0);
  int('aof.buffer', 0);
  int('lua.caches', 0);
  int('functions.caches', 0);
  for (const db of nonEmpty) {
    r.bulkStr('db.' + db.index);
    r.mapLen(3);
    int('overhead.hashtable.main', db.ownBytes());
    int('overhead.hashtable.expires', db.volatileCount * 12);
    int('overhead.hashtable.slot-to-keys', 0);
  }
  int('overhead.total', overhead);
  int('keys.count', keys);
  int('keys.bytes-per-key', keys > 0 ? Math.floor((used - startup) / keys) : 0);
  int('dataset.bytes', dataset);
  dbl('dataset.percentage', used - startup > 0 ? (dataset * 100) / (used - startup) : 0);
  dbl('peak.percentage', peak > 0 ? (used * 100) / peak : 0);
  int('allocator.allocated', allocated);
  int('allocator.active', active);
  int('allocator.resident', rss);
  dbl('allocator-fragmentation.ratio', allocated > 0 ? active / allocated : 0);
  int('allocator-fragmentation.bytes', active - allocated);
  dbl('allocator-rss.ratio', active > 0 ? rss / active : 0);
  int('allocator-rss.bytes', rss - active);
  dbl('rss-overhead.ratio', 1);
  int('rss-overhead.bytes', 0);
  dbl('fragmentation', used > 0 ? rss / used : 0);
  int('fragmentation.bytes', rss - used);
}

/** %.17g, as Redis's addReplyDouble prints doubles. */
function formatG17(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e17) return String(v);
  let s = v.toPrecision(17);
  if (s.includes('e')) {
    const [mant, exp] = s.split('e') as [string, string];
    const e = Number(exp);
    s = mant + 'e' + (e < 0 ? '-' : '+') + String(Math.abs(e)).padStart(2, '0');
  }
  return s;
}

function memoryDoctorCommand(c: Client): void {
  // Redis calls an instance under 5 MB "empty"; our start-up heap alone is larger than that,
  // so the test is applied to what was added since start-up.
  const added = c.server.usedMemory() - c.server.usedMemoryStartup;
  const text =
    added < 5 * 1024 * 1024
      ? "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n"
      : "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n";
  c.reply.verbatim(text);
}

function memoryMallocStatsCommand(c: Client): void {
  c.reply.verbatim('Stats not supported for the current allocator\n');
}

function memoryPurgeCommand(c: Client): void {
  c.reply.ok();
}

// ---------------------------------------------------------------------------------------------
// DEBUG

const DEBUG_NOT_ALLOWED =
  'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.';

const DEBUG_HELP = [
  'DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'AOF-FLUSH-SLEEP <microsec>',
  '    Server will sleep before flushing the AOF, this is used for testing.',
  'ASSERT',
  '    Crash by assertion failed.',
  'CHANGE-REPL-ID',
  '    Change the replication IDs of the instance.',
  '    Dangerous: should be used only for testing the replication subsystem.',
  'CONFIG-REWRITE-FORCE-ALL',
  '    Like CONFIG REWRITE but writes all configuration options, including',
  '    keywords not listed in original configuration file or default values.',
  'CRASH-AND-RECOVER [<milliseconds>]',
  '    Hard crash and restart after a <milliseconds> delay (default 0).',
  'DIGEST',
  '    Output a hex signature representing the current DB content.',
  'DIGEST-VALUE <key> [<key> ...]',
  '    Output a hex signature of the values of all the specified keys.',
  'ERROR <string>',
  '    Return a Redis protocol error with <string> as message. Useful for clients',
  '    unit tests to simulate Redis errors.',
  'LEAK <string>',
  '    Create a memory leak of the input string.',
  'LOG <message>',
  '    Write <message> to the server log.',
  'HTSTATS <dbid>',
  '    Return hash table statistics of the specified Redis database.',
  'HTSTATS-KEY <key>',
  "    Like HTSTATS but for the hash table stored at <key>'s value.",
  'LOADAOF',
  '    Flush the AOF buffers on disk and reload the AOF in memory.',
  'REPLICATE <string>',
  '    Replicates the provided string to replicas, allowing data divergence.',
  'MALLCTL <key> [<val>]',
  '    Get or set a malloc tuning integer.',
  'MALLCTL-STR <key> [<val>]',
  '    Get or set a malloc tuning string.',
  'OBJECT <key>',
  '    Show low level info about `key` and associated value.',
  'DROP-CLUSTER-PACKET-FILTER <packet-type>',
  '    Drop all packets that match the filtered type. Set to -1 allow all packets.',
  'OOM',
  '    Crash the server simulating an out-of-memory error.',
  'PANIC',
  '    Crash the server simulating a panic.',
  'POPULATE <count> [<prefix>] [<size>]',
  '    Create <count> string keys named key:<num>. If <prefix> is specified then',
  '    it is used instead of the \'key\' prefix. These are not propagated to',
  '    replicas. Cluster slots are not respected so keys not belonging to the',
  '    current node can be created in cluster mode.',
  'PROTOCOL <type>',
  '    Reply with a test value of the specified type. <type> can be: string,',
  '    integer, double, bignum, null, array, set, map, attrib, push, verbatim,',
  '    true, false.',
  'RELOAD [option ...]',
  '    Save the RDB on disk and reload it back to memory. Valid <option> values:',
  '    * MERGE: conflicting keys will be loaded from RDB.',
  '    * NOFLUSH: the existing database will not be removed before load, but',
  '      conflicting keys will generate an exception and kill the server.',
  '    * NOSAVE: the database will be loaded from an existing RDB file.',
  '    Examples:',
  '    * DEBUG RELOAD: verify that the server is able to persist, flush and reload',
  '      the database.',
  '    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an',
  '      existing RDB file.',
  '    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB',
  '      file to the database.',
  'RESTART [<milliseconds>]',
  '    Graceful restart: save config, db, restart after a <milliseconds> delay (default 0).',
  'SDSLEN <key>',
  '    Show low level SDS string info representing `key` and value.',
  'SEGFAULT',
  '    Crash the server with sigsegv.',
  'SET-ACTIVE-EXPIRE <0|1>',
  '    Setting it to 0 disables expiring keys in background when they are not',
  '    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the',
  '    default.',
  'QUICKLIST-PACKED-THRESHOLD <size>',
  '    Sets the threshold for elements to be inserted as plain vs packed nodes',
  '    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.',
  'SET-SKIP-CHECKSUM-VALIDATION <0|1>',
  "    Enables or disables checksum checks for RDB files and RESTORE's payload.",
  'SLEEP <seconds>',
  '    Stop the server for <seconds>. Decimals allowed.',
  'STRINGMATCH-TEST',
  '    Run a fuzz tester against the stringmatchlen() function.',
  'STRUCTSIZE',
  '    Return the size of different Redis core C structures.',
  'LISTPACK <key>',
  '    Show low level info about the listpack encoding of <key>.',
  'QUICKLIST <key> [<0|1>]',
  '    Show low level info about the quicklist encoding of <key>.',
  '    The optional argument (0 by default) sets the level of detail',
  'CLIENT-EVICTION',
  '    Show low level client eviction pools info (maxmemory-clients).',
  'PAUSE-CRON <0|1>',
  '    Stop periodic cron job processing.',
  'REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>',
  '    Sets the time (in milliseconds) to wait between client reply buffer peak resets.',
  '    In case NEVER is provided the last observed peak will never be reset',
  '    In case RESET is provided the peak reset time will be restored to the default value',
  'REPLYBUFFER RESIZING <0|1>',
  '    Enable or disable the reply buffer resize cron job',
  'CLUSTERLINK KILL <to|from|all> <node-id>',
  '    Kills the link based on the direction to/from (both) with the provided node.',
  'HELP',
  '    Prints this help.',
];

/** DEBUG subcommands Redis has that this server does not implement. */
const DEBUG_UNSUPPORTED = new Set([
  'aof-flush-sleep',
  'assert',
  'config-rewrite-force-all',
  'crash-and-recover',
  'leak',
  'htstats',
  'htstats-key',
  'loadaof',
  'replicate',
  'mallctl',
  'mallctl-str',
  'drop-cluster-packet-filter',
  'oom',
  'panic',
  'restart',
  'sdslen',
  'segfault',
  'quicklist-packed-threshold',
  'set-skip-checksum-validation',
  'stringmatch-test',
  'structsize',
  'listpack',
  'quicklist',
  'client-eviction',
  'pause-cron',
  'replybuffer',
  'clusterlink',
  'ziplist',
  'stringmatch-len',
]);

/** enable-debug-command: "yes", "local" (loopback clients only) or "no" (the default). */
function debugAllowed(c: Client): boolean {
  return c.server.config.allowed('enable-debug-command', isLocalPeer(c.addr));
}

function isLocalPeer(addr: string): boolean {
  return addr.startsWith('127.') || addr.startsWith('::1:');
}

/** C atoi(): optional sign and leading digits, anything else ends the number (0 if none). */
function atoi(b: Buffer): number {
  const s = b.toString('latin1').trimStart();
  const m = /^[+-]?\d+/.exec(s);
  return m === null ? 0 : Number(m[0]);
}

/** C strtod() prefix parsing, 0 when nothing parses. */
function strtod(b: Buffer): number {
  const s = b.toString('latin1').trimStart();
  const m = /^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf(inity)?|nan)/i.exec(s);
  if (m === null) return 0;
  const t = m[0].toLowerCase();
  if (t.endsWith('inf') || t.endsWith('infinity')) return t.startsWith('-') ? -Infinity : Infinity;
  const v = Number(m[0]);
  return Number.isNaN(v) ? 0 : v;
}

/** Blocks the whole server, like Redis's DEBUG SLEEP (the event loop stops). */
function sleepSync(ms: number): void {
  if (!(ms > 0)) return;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const end = performance.now() + ms;
  for (let left = ms; left > 0; left = end - performance.now()) Atomics.wait(cell, 0, 0, Math.min(left, 0x7fffffff));
}

function debugCommand(c: Client, argv: Buffer[]): void {
  if (!debugAllowed(c)) {
    c.reply.error(DEBUG_NOT_ALLOWED);
    return;
  }
  const sub = cArg(argv[1]!).toLowerCase();
  const argc = argv.length;
  switch (sub) {
    case 'help':
      if (argc === 2) return replyHelp(c, DEBUG_HELP);
      break;
    case 'sleep':
      if (argc === 3) {
        sleepSync(strtod(argv[2]!) * 1000);
        c.reply.ok();
        return;
      }
      break;
    case 'set-active-expire':
      if (argc === 3) {
        c.server.activeExpireEnabled = atoi(argv[2]!) !== 0;
        c.reply.ok();
        return;
      }
      break;
    case 'populate':
      if (argc >= 3 && argc <= 5) return debugPopulate(c, argv);
      break;
    case 'object':
      if (argc === 3) return debugObject(c, argv[2]!);
      break;
    case 'digest':
      if (argc === 2) {
        c.reply.simple(debugDigest(c.server));
        return;
      }
      break;
    case 'digest-value':
      if (argc >= 2) return debugDigestValue(c, argv);
      break;
    case 'error':
      if (argc === 3) {
        c.reply.error(sanitizeError(cArg(argv[2]!)));
        return;
      }
      break;
    case 'log':
      if (argc === 3) {
        c.server.log.warning('DEBUG LOG: ' + cArg(argv[2]!));
        c.reply.ok();
        return;
      }
      break;
    case 'protocol':
      if (argc === 3) return debugProtocol(c, argv[2]!);
      break;
    case 'change-repl-id':
      if (argc === 2) {
        c.server.replId = randomHex40();
        c.server.replId2 = '0'.repeat(40);
        c.server.log.notice('Changing replication IDs after receiving DEBUG change-repl-id');
        c.reply.ok();
        return;
      }
      break;
    case 'snapshot-test':
      // Damselfly-only debugging/measurement facility (src/persistence/snapshot-debug.ts).
      return debugSnapshotTest(c, argv);
    case 'reload':
      if (argc >= 2) {
        let save = true;
        let flush = true;
        let merge = false;
        for (let j = 2; j < argc; j++) {
          const a = argv[j]!;
          if (argIs(a, 'merge')) merge = true;
          else if (argIs(a, 'noflush')) flush = false;
          else if (argIs(a, 'nosave')) save = false;
          else {
            c.reply.error('ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.');
            return;
          }
        }
        // DEBUG may run while the start-up load is in progress: reloading then would mix both.
        if (c.server.loading) {
          c.reply.error(ERR_LOADING);
          return;
        }
        const err = c.server.persistence.debugReload(save, flush, merge);
        if (err !== null) c.reply.error(err);
        else c.reply.ok();
        return;
      }
      break;
    default:
      if (DEBUG_UNSUPPORTED.has(sub)) {
        c.reply.error('ERR DEBUG ' + sub.toUpperCase() + ' is not supported by this server');
        return;
      }
  }
  subcommandSyntaxError(c, argv[1]!, 'DEBUG');
}

function randomHex40(): string {
  let s = '';
  for (let i = 0; i < 40; i++) s += Math.floor(Math.random() * 16).toString(16);
  return s;
}

/**
 * DEBUG POPULATE count [prefix] [size]: keys `prefix:N` holding `value:N` (zero-padded or cut
 * to `size` bytes), skipping keys that exist. Like Redis, nothing is propagated and the dirty
 * counter does not move.
 */
function debugPopulate(c: Client, argv: Buffer[]): void {
  const count = positive(argv[2]!);
  if (count === null) {
    c.reply.error('ERR value is out of range, must be positive');
    return;
  }
  const prefix = argv.length >= 4 ? Buffer.from(argv[3]!) : Buffer.from('key', 'latin1');
  let size = 0;
  if (argv.length === 5) {
    const s = positive(argv[4]!);
    if (s === null) {
      c.reply.error('ERR value is out of range, must be positive');
      return;
    }
    size = s;
  }
  const server = c.server;
  const db = c.db;
  for (let j = 0; j < count; j++) {
    const key = Buffer.from(prefix.toString('latin1') + ':' + j, 'latin1');
    if (lookupWrite(c, key) >= 0) continue;
    let value = Buffer.from('value:' + j, 'latin1');
    if (size > 0) {
      const v = Buffer.alloc(size);
      value.copy(v, 0, 0, Math.min(size, value.length));
      value = v;
    }
    const id = db.setString(key, value);
    db.setLru(id, lruClock());
    server.keyModified(c.dbIndex, key);
  }
  c.reply.ok();
}

/** getPositiveLongFromObject: an integer >= 0, else null. */
function positive(b: Buffer): number | null {
  const v = parseI64(b);
  if (v === null || v < 0) return null;
  return Number(v);
}


/** RDB length-prefix size (rdbSaveLen). */
function rdbLenSize(n: number): number {
  if (n < 64) return 1;
  if (n < 16384) return 2;
  if (n <= 0xffffffff) return 5;
  return 9;
}

/** Bytes the string would take in an RDB file (without LZF compression). */
function serializedStringLength(v: Buffer): number {
  if (v.length <= 11) {
    const n = parseI64(v);
    if (n !== null && typeof n === 'number') {
      if (n >= -128 && n <= 127) return 2;
      if (n >= -32768 && n <= 32767) return 3;
      if (n >= -2147483648 && n <= 2147483647) return 5;
    }
  }
  return rdbLenSize(v.length) + v.length;
}

const DEFAULT_ENCODINGS: Record<number, string> = {
  [TYPE_LIST]: 'quicklist',
  [TYPE_SET]: 'hashtable',
  [TYPE_ZSET]: 'skiplist',
  [TYPE_HASH]: 'hashtable',
  [TYPE_STREAM]: 'stream',
};

/** DEBUG OBJECT key: Redis's one-line description (addresses are synthetic). */
function debugObject(c: Client, key: Buffer): void {
  const db = c.db;
  const id = db.find(key);
  if (id < 0) {
    c.reply.error(ERR.noSuchKey);
    return;
  }
  const type = db.typeOf(id);
  let encoding: string;
  let serialized = 0;
  if (type === TYPE_STRING) {
    encoding = stringEncoding(db, id);
    serialized = serializedStringLength(db.getString(id));
  } else {
    const fn = c.server.encodingNames.get(type);
    encoding = fn !== undefined ? fn(db.peekObject(id)) : (DEFAULT_ENCODINGS[type] ?? 'unknown');
  }
  const lru = db.lru(id) & 0xffffff;
  const addr = '0x' + (0x7f0000000000 + (db.index << 28) + id * 16).toString(16);
  c.reply.simple(
    'Value at:' +
      addr +
      ' refcount:1 encoding:' +
      encoding +
      ' serializedlength:' +
      serialized +
      ' lru:' +
      lru +
      ' lru_seconds_idle:' +
      idleSeconds(lru),
  );
}

/** The digest's view of the value stored at `id`, or null when no module can describe it. */
function digestViewOf(server: Server, db: Db, id: number): DigestValue | null {
  const type = db.typeOf(id);
  if (type === TYPE_STRING) return { type: 'string', value: db.getString(id) };
  const fn = server.valueDigesters.get(type);
  return fn !== undefined ? fn(db.peekObject(id)) : null;
}

/** DEBUG DIGEST: every key of every database, including keys whose TTL has passed. */
export function debugDigest(server: Server): string {
  // datasetDigest()'s fold, done in place so that no per-key digest list is built.
  const f = new Digest();
  const dbs = server.keyspace.dbs;
  for (let i = 0; i < dbs.length; i++) {
    const db = dbs[i]!;
    if (db.size === 0) continue;
    let first = true;
    db.forEach((id) => {
      const v = digestViewOf(server, db, id);
      if (v === null) return;
      if (first) {
        f.mixU32(i);
        first = false;
      }
      f.xorIn(digestKey(db.keyView(id), v, db.expireAt(id)));
    });
  }
  return f.hex();
}

function debugDigestValue(c: Client, argv: Buffer[]): void {
  const db = c.db;
  c.reply.arrayLen(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const id = db.find(argv[j]!);
    const v = id < 0 ? null : digestViewOf(c.server, db, id);
    c.reply.simple(v === null ? '0'.repeat(40) : digestValue(v, db.expireAt(id)).hex());
  }
}

const PROTOCOL_TYPES = 'string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false';

/** DEBUG PROTOCOL type: a sample reply of each RESP type (for client library tests). */
function debugProtocol(c: Client, typeArg: Buffer): void {
  const t = cArg(typeArg).toLowerCase();
  const r = c.reply;
  switch (t) {
    case 'string':
      r.bulkStr('Hello World');
      return;
    case 'integer':
      r.integer(12345);
      return;
    case 'double':
      r.double('3.141');
      return;
    case 'bignum':
      if (r.resp === 3) r.text('(1234567999999999999999999999999999999\r\n');
      else r.bulkStr('1234567999999999999999999999999999999');
      return;
    case 'null':
      r.nullBulk();
      return;
    case 'array':
      r.arrayLen(3);
      for (let j = 0; j < 3; j++) r.integer(j);
      return;
    case 'set':
      r.setLen(3);
      for (let j = 0; j < 3; j++) r.integer(j);
      return;
    case 'map':
      r.mapLen(3);
      for (let j = 0; j < 3; j++) {
        r.integer(j);
        r.bool(j === 1);
      }
      return;
    case 'attrib':
      if (r.resp === 3) {
        r.text('|1\r\n');
        r.bulkStr('key-popularity');
        r.arrayLen(2);
        r.bulkStr('key:123');
        r.integer(90);
      }
      r.bulkStr('Some real reply following the attribute');
      return;
    case 'push':
      if (r.resp !== 3) {
        r.error('ERR RESP2 is not supported by this command');
        return;
      }
      r.pushLen(2);
      r.bulkStr('server-cpu-usage');
      r.integer(42);
      r.bulkStr('Some real reply following the push reply');
      return;
    case 'true':
      r.bool(true);
      return;
    case 'false':
      r.bool(false);
      return;
    case 'verbatim':
      r.verbatim('This is a verbatim\nstring');
      return;
    default:
      r.error('ERR Wrong protocol type name. Please use one of the following: ' + PROTOCOL_TYPES);
  }
}

// ---------------------------------------------------------------------------------------------
// SHUTDOWN

/**
 * SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]. On success the connection just closes (the
 * process exits); on failure the client gets the error once the attempt is over. The client is
 * held (BLOCKED) meanwhile so nothing it pipelined runs before the answer.
 */
function shutdownCommand(c: Client, argv: Buffer[]): void {
  let save: boolean | null = null;
  let nosave = false;
  let now = false;
  let force = false;
  let abort = false;
  for (let j = 1; j < argv.length; j++) {
    const a = argv[j]!;
    if (argIs(a, 'nosave')) nosave = true;
    else if (argIs(a, 'save')) save = true;
    else if (argIs(a, 'now')) now = true;
    else if (argIs(a, 'force')) force = true;
    else if (argIs(a, 'abort')) abort = true;
    else {
      c.reply.error(ERR.syntax);
      return;
    }
  }
  if ((nosave && save === true) || (abort && (nosave || save !== null || now || force))) {
    c.reply.error(ERR.syntax);
    return;
  }
  const server = c.server;
  if (abort) {
    if (abortShutdown(server)) c.reply.ok();
    else c.reply.error('ERR No shutdown in progress.');
    return;
  }
  if (nosave) save = false;
  c.flags |= ClientFlag.BLOCKED;
  void shutdown(server, { save, force, now }).then(
    (err) => answerShutdown(c, err),
    (e: unknown) => answerShutdown(c, 'ERR Errors trying to SHUTDOWN. Check logs.', e),
  );
}

function answerShutdown(c: Client, err: string | null, cause?: unknown): void {
  if (cause !== undefined) c.server.log.warning('SHUTDOWN failed: ' + String(cause));
  c.flags &= ~ClientFlag.BLOCKED;
  if (err === null || c.closed) return;
  c.reply.error(err);
  c.server.stats.countError('ERR');
  c.flush();
  c.resumeProcessing();
}

// ---------------------------------------------------------------------------------------------

const NO_KEYS = { firstKey: 0, lastKey: 0, step: 0 } as const;
const ADMIN = ['admin', 'slow', 'dangerous'];

export const serverCommands: CommandSpec[] = [
  {
    name: 'info',
    arity: -1,
    flags: ['loading', 'stale'],
    ...NO_KEYS,
    acl: ['slow', 'dangerous'],
    tips: ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'],
    handler: infoCommand,
  },
  {
    name: 'time',
    arity: 1,
    flags: ['loading', 'stale', 'fast'],
    ...NO_KEYS,
    acl: ['fast'],
    tips: ['nondeterministic_output'],
    handler: timeCommand,
  },
  {
    name: 'lastsave',
    arity: 1,
    flags: ['loading', 'stale', 'fast'],
    ...NO_KEYS,
    acl: ['admin', 'fast', 'dangerous'],
    tips: ['nondeterministic_output'],
    handler: lastsaveCommand,
  },
  {
    name: 'save',
    arity: 1,
    flags: ['admin', 'noscript', 'no_async_loading', 'no_multi'],
    ...NO_KEYS,
    acl: ADMIN,
    handler: saveCommand,
  },
  {
    name: 'bgsave',
    arity: -1,
    flags: ['admin', 'noscript', 'no_async_loading'],
    ...NO_KEYS,
    acl: ADMIN,
    handler: bgsaveCommand,
  },
  {
    name: 'monitor',
    arity: 1,
    flags: ['admin', 'noscript', 'loading', 'stale'],
    ...NO_KEYS,
    acl: ADMIN,
    handler: monitorCommand,
  },
  {
    name: 'slowlog',
    arity: -2,
    flags: [],
    ...NO_KEYS,
    acl: ['slow'],
    subcommands: [
      { name: 'help', arity: 2, flags: ['loading', 'stale'], ...NO_KEYS, acl: ['slow'], handler: (c) => replyHelp(c, SLOWLOG_HELP) },
      {
        name: 'reset',
        arity: 2,
        flags: ['admin', 'loading', 'stale'],
        ...NO_KEYS,
        acl: ADMIN,
        tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'],
        handler: slowlogResetCommand,
      },
      {
        name: 'len',
        arity: 2,
        flags: ['admin', 'loading', 'stale'],
        ...NO_KEYS,
        acl: ADMIN,
        tips: ['request_policy:all_nodes', 'response_policy:agg_sum', 'nondeterministic_output'],
        handler: slowlogLenCommand,
      },
      {
        name: 'get',
        arity: -2,
        flags: ['admin', 'loading', 'stale'],
        ...NO_KEYS,
        acl: ADMIN,
        tips: ['request_policy:all_nodes', 'nondeterministic_output'],
        handler: slowlogGetCommand,
      },
    ],
  },
  {
    name: 'latency',
    arity: -2,
    flags: [],
    ...NO_KEYS,
    acl: ['slow'],
    subcommands: [
      latencySub('graph', 3, latencyGraphCommand, ['nondeterministic_output', 'request_policy:all_nodes', 'response_policy:special']),
      { name: 'help', arity: 2, flags: ['loading', 'stale'], ...NO_KEYS, acl: ['slow'], handler: (c) => replyHelp(c, LATENCY_HELP) },
      latencySub('doctor', 2, latencyDoctorCommand, ['nondeterministic_output', 'request_policy:all_nodes', 'response_policy:special']),
      latencySub('histogram', -2, latencyHistogramCommand, [
        'nondeterministic_output',
        'request_policy:all_nodes',
        'response_policy:special',
      ]),
      latencySub('latest', 2, latencyLatestCommand, ['nondeterministic_output', 'request_policy:all_nodes', 'response_policy:special']),
      latencySub('reset', -2, latencyResetCommand, ['request_policy:all_nodes', 'response_policy:all_succeeded']),
      latencySub('history', 3, latencyHistoryCommand, ['nondeterministic_output', 'request_policy:all_nodes', 'response_policy:special']),
    ],
  },
  {
    name: 'memory',
    arity: -2,
    flags: [],
    ...NO_KEYS,
    acl: ['slow'],
    subcommands: [
      {
        name: 'malloc-stats',
        arity: 2,
        flags: [],
        ...NO_KEYS,
        acl: ['slow'],
        tips: ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'],
        handler: memoryMallocStatsCommand,
      },
      {
        name: 'doctor',
        arity: 2,
        flags: [],
        ...NO_KEYS,
        acl: ['slow'],
        tips: ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'],
        handler: memoryDoctorCommand,
      },
      { name: 'help', arity: 2, flags: ['loading', 'stale'], ...NO_KEYS, acl: ['slow'], handler: (c) => replyHelp(c, MEMORY_HELP) },
      {
        name: 'usage',
        arity: -3,
        flags: ['readonly'],
        firstKey: 2,
        lastKey: 2,
        step: 1,
        acl: ['read', 'slow'],
        keySpecs: [{ flags: ['RO'], begin: { index: 2 }, find: { range: { lastkey: 0, step: 1, limit: 0 } } }],
        handler: memoryUsageCommand,
      },
      {
        name: 'purge',
        arity: 2,
        flags: [],
        ...NO_KEYS,
        acl: ['slow'],
        tips: ['request_policy:all_shards', 'response_policy:all_succeeded'],
        handler: memoryPurgeCommand,
      },
      {
        name: 'stats',
        arity: 2,
        flags: [],
        ...NO_KEYS,
        acl: ['slow'],
        tips: ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'],
        handler: memoryStatsCommand,
      },
    ],
  },
  {
    name: 'debug',
    arity: -2,
    flags: ['admin', 'noscript', 'loading', 'stale'],
    ...NO_KEYS,
    acl: ADMIN,
    handler: debugCommand,
  },
  {
    name: 'shutdown',
    arity: -1,
    flags: ['admin', 'noscript', 'loading', 'stale', 'no_multi', 'allow_busy'],
    ...NO_KEYS,
    acl: ADMIN,
    handler: shutdownCommand,
  },
];

function latencySub(name: string, arity: number, handler: CommandSpec['handler'], tips: string[]): CommandSpec {
  return { name, arity, flags: ['admin', 'noscript', 'loading', 'stale'], ...NO_KEYS, acl: ADMIN, tips, handler };
}

