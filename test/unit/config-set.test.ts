// CONFIG SET / GET semantics. Every expectation in RECORDED was produced by redis-server 7.0.15
// (started with --enable-protected-configs yes): for each parameter, the values were set in
// this order, and each row is [value, error reason or null for OK, CONFIG GET afterwards].
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Config } from '../../src/config/index.js';

const RECORDED: Record<string, Array<[string, string | null, string]>> = {
  "maxmemory": [
    ["1gb", null, "1073741824"],
    ["1GB", null, "1073741824"],
    ["1g", null, "1000000000"],
    ["1G", null, "1000000000"],
    ["1Gb", null, "1073741824"],
    ["1k", null, "1000"],
    ["1kb", null, "1024"],
    ["1K", null, "1000"],
    ["1m", null, "1000000"],
    ["1mb", null, "1048576"],
    ["1b", null, "1"],
    ["100", null, "100"],
    ["00012", null, "12"],
    ["kb", null, "0"],
    ["", null, "0"],
    ["-1", "argument must be a memory value", "0"],
    ["-0", "argument must be a memory value", "0"],
    ["+5", "argument must be a memory value", "0"],
    ["1.5mb", "argument must be a memory value", "0"],
    [" 1", "argument must be a memory value", "0"],
    ["1 ", "argument must be a memory value", "0"],
    ["1x", "argument must be a memory value", "0"],
    ["1tb", "argument must be a memory value", "0"],
    ["0x10", "argument must be a memory value", "0"],
    ["12b3", "argument must be a memory value", "0"],
    ["5bb", "argument must be a memory value", "0"],
    ["9223372036854775807", null, "9223372036854775807"],
    ["9223372036854775808", null, "9223372036854775808"],
    ["99999999999999999999", null, "18446744073709551615"],
    ["18446744073709551615k", null, "18446744073709550616"],
    ["99999999999gb", null, "15140462030378500096"],
    ["0", null, "0"],
  ],
  "proto-max-bulk-len": [
    ["1k", "argument must be between 1048576 and 9223372036854775807 inclusive", "536870912"],
    ["0", "argument must be between 1048576 and 9223372036854775807 inclusive", "536870912"],
    ["", "argument must be between 1048576 and 9223372036854775807 inclusive", "536870912"],
    ["-5", "argument must be a memory value", "536870912"],
    ["1mb", null, "1048576"],
    ["1gb", null, "1073741824"],
    ["99999999999999999999", "argument must be between 1048576 and 9223372036854775807 inclusive", "1073741824"],
    ["512mb", null, "536870912"],
  ],
  "repl-backlog-size": [
    ["0", "argument must be between 1 and 9223372036854775807 inclusive", "1048576"],
    ["-1", "argument must be a memory value", "1048576"],
    ["1", null, "16384"],
    ["1k", null, "16384"],
    ["16kb", null, "16384"],
    ["1mb", null, "1048576"],
  ],
  "maxmemory-clients": [
    ["10%", null, "10%"],
    ["100%", null, "100%"],
    ["101%", "percentage argument must be less or equal to 100", "100%"],
    ["0%", null, "0"],
    ["-1%", "argument must be a memory or percent value", "0"],
    ["1.5%", "argument must be a memory or percent value", "0"],
    ["%", "argument must be a memory or percent value", "0"],
    ["1mb", null, "1048576"],
    ["99999999999999999999", null, "1%"],
    ["0", null, "0"],
  ],
  "hz": [
    ["5", null, "5"],
    ["0", null, "1"],
    ["501", null, "500"],
    ["-1", "argument must be between 0 and 2147483647 inclusive", "500"],
    ["1k", "argument couldn't be parsed into an integer", "500"],
    ["abc", "argument couldn't be parsed into an integer", "500"],
    ["", "argument couldn't be parsed into an integer", "500"],
    ["1.5", "argument couldn't be parsed into an integer", "500"],
    [" 5", "argument couldn't be parsed into an integer", "500"],
    ["007", "argument couldn't be parsed into an integer", "500"],
    ["+5", "argument couldn't be parsed into an integer", "500"],
    ["-0", "argument couldn't be parsed into an integer", "500"],
    ["9223372036854775807", "argument must be between 0 and 2147483647 inclusive", "500"],
    ["9223372036854775808", "argument couldn't be parsed into an integer", "500"],
    ["-9223372036854775809", "argument couldn't be parsed into an integer", "500"],
    ["10", null, "10"],
  ],
  "timeout": [
    ["-1", "argument must be between 0 and 2147483647 inclusive", "0"],
    ["2147483647", null, "2147483647"],
    ["2147483648", "argument must be between 0 and 2147483647 inclusive", "2147483647"],
    ["99999999999999", "argument must be between 0 and 2147483647 inclusive", "2147483647"],
    ["0", null, "0"],
  ],
  "slowlog-log-slower-than": [
    ["-1", null, "-1"],
    ["-2", "argument must be between -1 and 9223372036854775807 inclusive", "-1"],
    ["9223372036854775807", null, "9223372036854775807"],
    ["9223372036854775808", "argument couldn't be parsed into an integer", "9223372036854775807"],
    ["10000", null, "10000"],
  ],
  "list-max-listpack-size": [
    ["-3", null, "-3"],
    ["-2147483648", null, "-2147483648"],
    ["-2147483649", "argument must be between -2147483648 and 2147483647 inclusive", "-2147483648"],
    ["-2", null, "-2"],
  ],
  "maxclients": [
    ["0", "argument must be between 1 and 4294967295 inclusive", "10000"],
    ["4294967295", null, "4294967295"],
    ["4294967296", "argument must be between 1 and 4294967295 inclusive", "4294967295"],
    ["10000", null, "10000"],
  ],
  "active-expire-effort": [
    ["0", "argument must be between 1 and 10 inclusive", "1"],
    ["10", null, "10"],
    ["11", "argument must be between 1 and 10 inclusive", "10"],
    ["1", null, "1"],
  ],
  "activerehashing": [
    ["YES", null, "yes"],
    ["no", null, "no"],
    ["Yes", null, "yes"],
    ["NO", null, "no"],
    ["1", "argument must be 'yes' or 'no'", "no"],
    ["0", "argument must be 'yes' or 'no'", "no"],
    ["true", "argument must be 'yes' or 'no'", "no"],
    ["on", "argument must be 'yes' or 'no'", "no"],
    ["", "argument must be 'yes' or 'no'", "no"],
    ["yes", null, "yes"],
  ],
  "maxmemory-policy": [
    ["ALLKEYS-LRU", null, "allkeys-lru"],
    ["volatile-ttl", null, "volatile-ttl"],
    ["bad", "argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction", "volatile-ttl"],
    ["", "argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction", "volatile-ttl"],
    ["allkeys lru", "argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction", "volatile-ttl"],
    ["noeviction", null, "noeviction"],
  ],
  "loglevel": [
    ["DEBUG", null, "debug"],
    ["warning", null, "warning"],
    ["nothing", "argument(s) must be one of the following: debug, verbose, notice, warning", "warning"],
    ["debug notice", "argument(s) must be one of the following: debug, verbose, notice, warning", "warning"],
    [" debug", "argument(s) must be one of the following: debug, verbose, notice, warning", "warning"],
    ["notice", null, "notice"],
  ],
  "oom-score-adj": [
    ["yes", null, "yes"],
    ["relative", null, "yes"],
    ["absolute", null, "absolute"],
    ["RELATIVE", null, "yes"],
    ["1", "argument(s) must be one of the following: no, yes, relative, absolute", "yes"],
    ["no", null, "no"],
  ],
  "repl-diskless-load": [
    ["swapdb", null, "swapdb"],
    ["on-empty-db", null, "on-empty-db"],
    ["x", "argument(s) must be one of the following: disabled, on-empty-db, swapdb", "on-empty-db"],
    ["disabled", null, "disabled"],
  ],
  "appendfsync": [
    ["Always", null, "always"],
    ["no", null, "no"],
    ["sometimes", "argument(s) must be one of the following: everysec, always, no", "no"],
    ["everysec", null, "everysec"],
  ],
  "shutdown-on-sigterm": [
    ["nosave", null, "nosave"],
    ["nosave now", null, "nosave now"],
    ["save now", null, "save now"],
    ["now", null, "now"],
    ["force", null, "force"],
    ["default now", null, "now"],
    ["NOW save", null, "save now"],
    ["nosave save", "shutdown options SAVE and NOSAVE can't be used simultaneously", "save now"],
    ["force now nosave", null, "nosave now force"],
    ["save force", null, "save force"],
    ["", "argument(s) must be one of the following: default, save, nosave, now, force", "save force"],
    [" now ", "argument(s) must be one of the following: default, save, nosave, now, force", "save force"],
    ["now  save", "argument(s) must be one of the following: default, save, nosave, now, force", "save force"],
    ["force,now", "argument(s) must be one of the following: default, save, nosave, now, force", "save force"],
    ["now now", null, "now"],
    ["default", null, "default"],
  ],
  "notify-keyspace-events": [
    ["KEA", null, "AKE"],
    ["Ex", null, "xE"],
    ["AKE", null, "AKE"],
    ["g", null, "g"],
    ["A", null, "A"],
    ["E", null, "E"],
    ["K", null, "K"],
    ["x", null, "x"],
    ["KEA$", null, "AKE"],
    ["KEg$lshzxetdmn", null, "AKEm"],
    ["K E", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.", "AKEm"],
    ["KEAKEA", null, "AKE"],
    ["mn", null, "nm"],
    ["KEm", null, "KEm"],
    ["Em", null, "Em"],
    ["Kn", null, "nK"],
    ["mEKndtexzhsl$", null, "$lshzxetdnKEm"],
    ["mEKndtexzhslg", null, "glshzxetdnKEm"],
    ["An", null, "A"],
    ["KA", null, "AK"],
    ["Ag", null, "A"],
    ["?", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.", "A"],
    ["", null, ""],
  ],
  "save": [
    ["", null, ""],
    ["900 1", null, "900 1"],
    ["900 1 300 10", null, "900 1 300 10"],
    ["900", "Invalid save parameters", "900 1 300 10"],
    ["abc 1", "Invalid save parameters", "900 1 300 10"],
    ["900 -1", "Invalid save parameters", "900 1 300 10"],
    ["-1 5", "Invalid save parameters", "900 1 300 10"],
    ["0 0", "Invalid save parameters", "900 1 300 10"],
    ["0 1", "Invalid save parameters", "900 1 300 10"],
    ["1 0", null, "1 0"],
    ["100 1 100 2", null, "100 1 100 2"],
    [" 900 1", "Invalid save parameters", "100 1 100 2"],
    ["900  1", "Invalid save parameters", "100 1 100 2"],
    ["900 1 ", "Invalid save parameters", "100 1 100 2"],
    ["900 1k", "Invalid save parameters", "100 1 100 2"],
    ["900 1 300", "Invalid save parameters", "100 1 100 2"],
    ["007 +5", null, "7 5"],
    ["99999999999 1", null, "99999999999 1"],
    ["18446744073709551615 0", null, "9223372036854775807 0"],
    ["900 9223372036854775808", null, "900 -1"],
    ["900 4294967297", null, "900 1"],
    ["900 2147483648", null, "900 -2147483648"],
    ["3600 1 300 100 60 10000", null, "3600 1 300 100 60 10000"],
  ],
  "bind": [
    ["127.0.0.1", null, "127.0.0.1"],
    ["127.0.0.1 ::1", null, "127.0.0.1 ::1"],
    ["-127.0.0.1", null, "-127.0.0.1"],
    ["1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17", "Too many bind addresses specified.", "-127.0.0.1"],
    ["* -::*", null, "* -::*"],
  ],
  "client-output-buffer-limit": [
    ["normal 1 2 3", null, "normal 1 2 3 slave 268435456 67108864 60 pubsub 33554432 8388608 60"],
    ["replica 1mb 2mb 10", null, "normal 1 2 3 slave 1048576 2097152 10 pubsub 33554432 8388608 60"],
    ["slave 1gb 1kb 5", null, "normal 1 2 3 slave 1073741824 1024 5 pubsub 33554432 8388608 60"],
    ["pubsub 0 0 0", null, "normal 1 2 3 slave 1073741824 1024 5 pubsub 0 0 0"],
    ["NORMAL 1 1 1", null, "normal 1 1 1 slave 1073741824 1024 5 pubsub 0 0 0"],
    ["normal 1 2", "Wrong number of arguments in buffer limit configuration.", "normal 1 1 1 slave 1073741824 1024 5 pubsub 0 0 0"],
    ["foo 1 2 3", "Invalid client class specified in buffer limit configuration.", "normal 1 1 1 slave 1073741824 1024 5 pubsub 0 0 0"],
    ["master 1 2 3", "Invalid client class specified in buffer limit configuration.", "normal 1 1 1 slave 1073741824 1024 5 pubsub 0 0 0"],
    ["normal -1 2 3", "Error in hard, soft or soft_seconds setting in buffer limit configuration.", "normal 1 1 1 slave 1073741824 1024 5 pubsub 0 0 0"],
    ["normal 1 2 -3", "Error in hard, soft or soft_seconds setting in buffer limit configuration.", "normal 1 1 1 slave 1073741824 1024 5 pubsub 0 0 0"],
    ["normal 1 2 x", "Error in hard, soft or soft_seconds setting in buffer limit configuration.", "normal 1 1 1 slave 1073741824 1024 5 pubsub 0 0 0"],
    ["normal 1x 2 3", "Error in hard, soft or soft_seconds setting in buffer limit configuration.", "normal 1 1 1 slave 1073741824 1024 5 pubsub 0 0 0"],
    ["", null, "normal 1 1 1 slave 1073741824 1024 5 pubsub 0 0 0"],
    ["normal 1 2 3 pubsub 4 5 6", null, "normal 1 2 3 slave 1073741824 1024 5 pubsub 4 5 6"],
    ["normal 1 2 3 normal 4 5 6", null, "normal 4 5 6 slave 1073741824 1024 5 pubsub 4 5 6"],
    ["normal 1 2 2147483648", "Error in hard, soft or soft_seconds setting in buffer limit configuration.", "normal 4 5 6 slave 1073741824 1024 5 pubsub 4 5 6"],
    ["normal 1 2 2147483647", null, "normal 1 2 2147483647 slave 1073741824 1024 5 pubsub 4 5 6"],
    ["normal 99999999999999999999 0 0", null, "normal 18446744073709551615 0 0 slave 1073741824 1024 5 pubsub 4 5 6"],
    ["normal 9223372036854775807 0 0", null, "normal 9223372036854775807 0 0 slave 1073741824 1024 5 pubsub 4 5 6"],
    ["normal 1 2 007", null, "normal 1 2 7 slave 1073741824 1024 5 pubsub 4 5 6"],
    ["normal 1 2 +3", null, "normal 1 2 3 slave 1073741824 1024 5 pubsub 4 5 6"],
    ["normal 1 2 3 ", "Wrong number of arguments in buffer limit configuration.", "normal 1 2 3 slave 1073741824 1024 5 pubsub 4 5 6"],
    ["normal 1 2 0x1", "Error in hard, soft or soft_seconds setting in buffer limit configuration.", "normal 1 2 3 slave 1073741824 1024 5 pubsub 4 5 6"],
    ["normal 1 2 1k", "Error in hard, soft or soft_seconds setting in buffer limit configuration.", "normal 1 2 3 slave 1073741824 1024 5 pubsub 4 5 6"],
    ["normal 1 2 ", null, "normal 1 2 0 slave 1073741824 1024 5 pubsub 4 5 6"],
    ["normal 1B 2K 3", null, "normal 1 2000 3 slave 1073741824 1024 5 pubsub 4 5 6"],
    ["normal kb 0 0", null, "normal 0 0 0 slave 1073741824 1024 5 pubsub 4 5 6"],
    ["normal 1 2 -0", null, "normal 1 2 0 slave 1073741824 1024 5 pubsub 4 5 6"],
    ["normal -0 0 0", "Error in hard, soft or soft_seconds setting in buffer limit configuration.", "normal 1 2 0 slave 1073741824 1024 5 pubsub 4 5 6"],
    ["normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", null, "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"],
  ],
  "latency-tracking-info-percentiles": [
    ["50 99", null, "50 99"],
    ["", null, ""],
    ["101", "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]", ""],
    ["50.5 99.99999", null, "50.5 99.99999"],
    ["abc", "Invalid latency-tracking-info-percentiles parameters", "50.5 99.99999"],
    ["1e2", null, "100"],
    ["-1", "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]", "100"],
    ["0 100", null, "0 100"],
    ["99.9 50", null, "99.9 50"],
    ["0.0000001", null, "0"],
    ["12.3456789", null, "12.345679"],
    ["50 99 99.9", null, "50 99 99.9"],
  ],
  "oom-score-adj-values": [
    ["0 1 2 3", "wrong number of arguments", "0 200 800"],
    ["-2000 0 0", null, "-2000 0 0"],
    ["2001 0 0", "Invalid oom-score-adj-values, elements must be between -2000 and 2000.", "-2000 0 0"],
    ["1k 0 0", "Invalid oom-score-adj-values, elements must be between -2000 and 2000.", "-2000 0 0"],
    ["100 50 0", null, "100 50 0"],
    ["", "wrong number of arguments", "100 50 0"],
    ["0 200 800", null, "0 200 800"],
  ],
  "dbfilename": [
    ["a/b", "dbfilename can't be a path, just a filename", "dump.rdb"],
    ["", null, ""],
    ["a b.rdb", null, "a b.rdb"],
    ["dump.rdb", null, "dump.rdb"],
  ],
  "masterauth": [
    ["secret", null, "secret"],
    ["a\"b c", null, "a\"b c"],
    ["", null, ""],
  ],
  "requirepass": [
    ["", null, ""],
    ["", null, ""],
  ],
  "proc-title-template": [
    ["{foo}", "template format is invalid or contains unknown variables", "{title} {listen-addr} {server-mode}"],
    ["", "template format is invalid or contains unknown variables", "{title} {listen-addr} {server-mode}"],
    ["{title", "template format is invalid or contains unknown variables", "{title} {listen-addr} {server-mode}"],
    ["{title} {port}", null, "{title} {port}"],
    ["x", null, "x"],
    ["{{title}}", null, "{{title}}"],
    ["}", null, "}"],
    ["{}", "template format is invalid or contains unknown variables", "}"],
    ["{TITLE}", "template format is invalid or contains unknown variables", "}"],
    ["a{unixsocket}{config-file}{tls-port}{server-mode}{listen-addr}{title}", null, "a{unixsocket}{config-file}{tls-port}{server-mode}{listen-addr}{title}"],
    ["{title} {listen-addr} {server-mode}", null, "{title} {listen-addr} {server-mode}"],
  ],
  "rdb-key-save-delay": [
    ["100", null, "100"],
    ["-99999999999999", "argument must be between -2147483648 and 2147483647 inclusive", "100"],
    ["0", null, "0"],
  ],
  "loading-process-events-interval-bytes": [
    ["1", "argument must be between 1024 and 2147483647 inclusive", "2097152"],
    ["2097152", null, "2097152"],
  ],
  "lua-time-limit": [
    ["100", null, "100"],
    ["5000", null, "5000"],
  ],
  "slave-priority": [
    ["abc", "argument couldn't be parsed into an integer", "100"],
    ["7", null, "7"],
    ["100", null, "100"],
  ],
};

function fresh(...args: string[]): Config {
  return Config.fromArgs(['--enable-protected-configs', 'yes', ...args], () => '');
}

const b = (s: string) => Buffer.from(s, 'latin1');
const get1 = (c: Config, name: string) => c.getMatching([b(name)])[0]?.[1];

test('CONFIG SET then GET, value by value, as redis-server 7.0.15', () => {
  const c = fresh();
  for (const [name, rows] of Object.entries(RECORDED)) {
    for (const [value, reason, after] of rows) {
      const err = c.set([[name, value]]);
      const want = reason === null ? null : "ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + reason;
      assert.equal(err, want, name + ' ' + JSON.stringify(value));
      assert.equal(get1(c, name), after, name + ' ' + JSON.stringify(value) + ' (get)');
    }
  }
});

test('CONFIG SET errors: unknown, immutable, protected, duplicate (names echoed as given)', () => {
  const c = Config.defaults();
  assert.equal(c.set([['foo', 'bar']]), "ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
  assert.equal(c.set([['FOO', '1']]), "ERR Unknown option or number of arguments for CONFIG SET - 'FOO'");
  assert.equal(c.set([['DATABASES', '1']]), "ERR CONFIG SET failed (possibly related to argument 'DATABASES') - can't set immutable config");
  for (const p of ['daemonize', 'port2', 'replicaof', 'slaveof', 'unixsocket', 'logfile', 'pidfile', 'io-threads', 'enable-debug-command', 'enable-protected-configs', 'appendfilename', 'rdbchecksum', 'tcp-backlog', 'supervised']) {
    if (p === 'port2') continue;
    assert.equal(c.set([[p, 'x']]), "ERR CONFIG SET failed (possibly related to argument '" + p + "') - can't set immutable config", p);
  }
  // dir and dbfilename are protected (enable-protected-configs no); checked before the value.
  assert.equal(c.set([['dir', '/nonexistent']]), "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config");
  assert.equal(c.set([['dbfilename', 'a/b']]), "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config");
  // Duplicates compare the names as given, case-insensitively; an alias is not a duplicate.
  assert.equal(c.set([['maxmemory', '2mb'], ['maxmemory', '3mb']]), "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - duplicate parameter");
  assert.equal(c.set([['maxmemory', '2mb'], ['MAXMEMORY', '3mb']]), "ERR CONFIG SET failed (possibly related to argument 'MAXMEMORY') - duplicate parameter");
  assert.equal(c.set([['replica-priority', '5'], ['slave-priority', '6']]), null);
  assert.equal(c.getNumber('replica-priority'), 6);
  assert.equal(c.set([['slave-priority', '7'], ['replica-priority', '8']]), null);
  assert.equal(c.getNumber('slave-priority'), 8);
  // Value errors name the parameter in lower case, under the alias used.
  assert.equal(c.set([['SLAVE-PRIORITY', 'abc']]), "ERR CONFIG SET failed (possibly related to argument 'slave-priority') - argument couldn't be parsed into an integer");
  assert.equal(c.set([['HZ', 'abc']]), "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer");
});

test('CONFIG SET is all or nothing; names are checked before any value', () => {
  const c = Config.defaults();
  assert.equal(c.set([['maxmemory', '1mb'], ['foo', 'bar']]), "ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
  assert.equal(c.set([['maxmemory', '5mb'], ['hz', 'abc']]), "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer");
  assert.equal(c.set([['hz', 'abc'], ['maxmemory', '7mb']]), "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer");
  // The immutable name is reported although an earlier... later value is also bad.
  assert.equal(c.set([['maxmemory', '5mb'], ['databases', '3'], ['hz', 'abc']]), "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config");
  assert.equal(c.set([['hz', '5'], ['foo', 'bar'], ['port', 'abc']]), "ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
  assert.equal(c.getNumber('maxmemory'), 0);
  assert.equal(c.getNumber('hz'), 10);
  assert.equal(c.set([['maxmemory', '1mb'], ['maxmemory-policy', 'allkeys-lru'], ['hz', '20']]), null);
  assert.equal(c.getNumber('maxmemory'), 1048576);
  assert.equal(c.getString('maxmemory-policy'), 'allkeys-lru');
  assert.equal(c.getNumber('hz'), 20);
});

test('listeners: called for changed values, can veto, and the call is rolled back', () => {
  const c = Config.defaults();
  const seen: Array<[string, unknown]> = [];
  c.onChange('maxmemory', (v) => seen.push(['maxmemory', v]));
  c.onChange('hz', (v) => seen.push(['hz', v]));
  c.onChange('port', (v) => {
    seen.push(['port', v]);
    if (v === 7392) throw new Error('Unable to listen on this port. Check server logs.');
  });
  assert.equal(c.set([['maxmemory', '9mb'], ['port', '7392']]), "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.");
  assert.equal(c.getNumber('maxmemory'), 0);
  assert.equal(c.getNumber('port'), 6379);
  // maxmemory applied, port vetoed, then maxmemory told its old value again.
  assert.deepEqual(seen, [
    ['maxmemory', 9437184],
    ['port', 7392],
    ['maxmemory', 0],
  ]);
  seen.length = 0;
  // Unchanged values do not call listeners.
  assert.equal(c.set([['hz', '10'], ['maxmemory', '0']]), null);
  assert.deepEqual(seen, []);
  assert.equal(c.set([['hz', '0']]), null); // clamped to 1
  assert.deepEqual(seen, [['hz', 1]]);
  // update() bypasses checks (REPLICAOF) and notifies.
  const r: unknown[] = [];
  c.onChange('replicaof', (v) => r.push(v));
  c.update('replicaof', { host: '127.0.0.1', port: 6380 });
  assert.equal(c.getString('replicaof'), '127.0.0.1 6380');
  assert.equal(c.getString('slaveof'), '127.0.0.1 6380');
  c.update('replicaof', null);
  assert.equal(c.getString('replicaof'), '');
  assert.deepEqual(r, [{ host: '127.0.0.1', port: 6380 }, null]);
});

test('enable-protected-configs local allows protected configs from local clients only', () => {
  const c = Config.fromArgs(['--enable-protected-configs', 'local'], () => '');
  assert.equal(c.set([['dbfilename', 'x.rdb']], { local: false }), "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config");
  assert.equal(c.set([['dbfilename', 'x.rdb']], { local: true }), null);
  assert.equal(c.getString('dbfilename'), 'x.rdb');
  assert.equal(c.allowed('enable-debug-command', true), false);
  const d = Config.fromArgs(['--enable-debug-command', 'local'], () => '');
  assert.equal(d.allowed('enable-debug-command', true), true);
  assert.equal(d.allowed('enable-debug-command', false), false);
});

test('CONFIG SET dir: must exist, is resolved against the current dir and stored real', () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'dfcfg-')));
  mkdirSync(join(root, 'sub'));
  writeFileSync(join(root, 'file'), 'x');
  const c = Config.fromArgs(['--enable-protected-configs', 'yes'], () => '', { cwd: root });
  assert.equal(c.getString('dir'), root);
  const changes: unknown[] = [];
  c.onChange('dir', (v) => changes.push(v));
  assert.equal(c.set([['dir', join(root, 'nope')]]), "ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory");
  assert.equal(c.set([['dir', join(root, 'file')]]), "ERR CONFIG SET failed (possibly related to argument 'dir') - Not a directory");
  assert.equal(c.set([['dir', '']]), "ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory");
  assert.equal(c.set([['dir', 'sub']]), null);
  assert.equal(c.getString('dir'), join(root, 'sub'));
  assert.equal(c.set([['dir', '..']]), null);
  assert.equal(c.getString('dir'), root);
  assert.deepEqual(changes, [join(root, 'sub'), root]);
});

test('Buffer values are taken byte for byte (latin1)', () => {
  const c = Config.defaults();
  assert.equal(c.set([['masterauth', Buffer.from([0x61, 0xe9, 0x00, 0xff])]]), null);
  assert.equal(c.getString('masterauth'), 'a\xe9\x00\xff');
});

test('typed getters and parsed forms', () => {
  const c = fresh('--maxmemory', '1gb', '--maxmemory-clients', '10%', '--save', '900 1', '--save', '60 5', '--bind', '127.0.0.1', '-::1', '--client-output-buffer-limit', 'pubsub 1mb 2mb 3', '--notify-keyspace-events', 'KEx', '--shutdown-on-sigterm', 'now', 'save', '--replicaof', '10.0.0.1', '6380');
  assert.equal(c.getNumber('maxmemory'), 1073741824);
  assert.equal(c.getNumber('maxmemory-clients'), -10); // percentage, stored negative as in Redis
  assert.equal(c.getString('maxmemory-clients'), '10%');
  assert.deepEqual(c.get('save'), [
    { seconds: 900, changes: 1 },
    { seconds: 60, changes: 5 },
  ]);
  assert.deepEqual(c.get('bind'), ['127.0.0.1', '-::1']);
  const obuf = c.get('client-output-buffer-limit') as Record<string, { hard: number; soft: number; softSeconds: number }>;
  assert.deepEqual(obuf['pubsub'], { hard: 1048576, soft: 2097152, softSeconds: 3 });
  assert.deepEqual(obuf['replica'], { hard: 268435456, soft: 67108864, softSeconds: 60 });
  assert.equal(obuf['slave'], obuf['replica']);
  assert.deepEqual(obuf['normal'], { hard: 0, soft: 0, softSeconds: 0 });
  assert.equal(c.getString('notify-keyspace-events'), 'xKE');
  assert.equal(c.get('shutdown-on-sigterm'), 5); // save=1 | now=4
  assert.equal(c.getString('shutdown-on-sigterm'), 'save now');
  assert.deepEqual(c.get('replicaof'), { host: '10.0.0.1', port: 6380 });
  assert.equal(c.getBool('appendonly'), false);
  assert.equal(c.getString('loglevel'), 'notice');
  assert.equal(c.getNumber('slave-priority'), 100);
  assert.equal(c.getNumber('unixsocketperm'), 0);
  assert.throws(() => c.getNumber('nope'), /unknown config parameter/);
  assert.throws(() => c.getBool('port'), TypeError);
  assert.throws(() => c.getNumber('bind'), TypeError);
  assert.equal(c.isSensitive('requirepass'), true);
  assert.equal(c.isSensitive('masterauth'), true);
  assert.equal(c.isSensitive('port'), false);
  // A huge exact value stays exact in CONFIG GET; getNumber gives the nearest double.
  assert.equal(c.set([['slowlog-log-slower-than', '9223372036854775807']]), null);
  assert.equal(get1(c, 'slowlog-log-slower-than'), '9223372036854775807');
  assert.equal(c.getNumber('slowlog-log-slower-than'), 2 ** 63);
});

test('unsupported features are refused with a clear reason', () => {
  const c = Config.defaults();
  assert.equal(
    c.set([['appendonly', 'yes']]),
    "ERR CONFIG SET failed (possibly related to argument 'appendonly') - appendonly yes is not supported: Damselfly persists with RDB snapshots only (use 'appendonly no')",
  );
  assert.equal(c.set([['appendonly', 'no']]), null);
  assert.equal(c.set([['tls-port', '6380']]), "ERR CONFIG SET failed (possibly related to argument 'tls-port') - TLS is not supported by Damselfly (tls-port must be 0)");
});
