// Loading the configuration from a file, stdin and the command line. The fatal texts, line
// numbers and the values loaded were observed on redis-server 7.0.15 (the banner says
// "Redis 7.0.15" there and "Damselfly <version>" here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Config, ConfigError, PRODUCT_VERSION, formatFatal } from '../../src/config/index.js';

const CWD = '/srv/df';

/** fromArgs over an in-memory file system (paths resolved against CWD). */
function load(files: Record<string, string>, args: string[], stdin?: string): Config {
  return Config.fromArgs(
    args,
    (p) => {
      if (p === '-') {
        if (stdin === undefined) throw new Error('no stdin');
        return stdin;
      }
      const f = files[p];
      if (f === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return f;
    },
    { cwd: CWD },
  );
}

/** The stderr text of a failed start. */
function fatal(files: Record<string, string>, args: string[], stdin?: string): string {
  try {
    load(files, args, stdin);
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return formatFatal(e, new Date(2026, 10, 25, 14, 48, 13, 70), 7654);
  }
  assert.fail('no error for ' + JSON.stringify(args));
}

const banner = (line: number, text: string, reason: string) =>
  '\n*** FATAL CONFIG FILE ERROR (Damselfly ' + PRODUCT_VERSION + ') ***\nReading the configuration file, at line ' + line + "\n>>> '" + text + "'\n" + reason + '\n';

const F = (content: string) => ({ [CWD + '/t.conf']: content });

test('fatal errors: shape, line numbers and reasons as redis-server', () => {
  const cases: Array<[Record<string, string>, string[], string]> = [
    [{}, ['--port', 'abc'], banner(2, 'port "abc"', "argument couldn't be parsed into an integer")],
    [F('# c\n\nfoo bar\n'), ['t.conf'], banner(3, 'foo bar', 'Bad directive or wrong number of arguments')],
    [F('port 1 2\n'), ['t.conf'], banner(1, 'port 1 2', 'wrong number of arguments')],
    [F('port\n'), ['t.conf'], banner(1, 'port', 'wrong number of arguments')],
    [F('save "abc\n'), ['t.conf'], banner(1, 'save "abc', 'Unbalanced quotes in configuration line')],
    [F("save 'abc\n"), ['t.conf'], banner(1, "save 'abc", 'Unbalanced quotes in configuration line')],
    [F('save "a"b\n'), ['t.conf'], banner(1, 'save "a"b', 'Unbalanced quotes in configuration line')],
    [F('maxmemory -1\n'), ['t.conf'], banner(1, 'maxmemory -1', 'argument must be a memory value')],
    [F('loglevel foo\n'), ['t.conf'], banner(1, 'loglevel foo', 'argument(s) must be one of the following: debug, verbose, notice, warning')],
    [F('activerehashing 1\n'), ['t.conf'], banner(1, 'activerehashing 1', "argument must be 'yes' or 'no'")],
    [F('dir /nonexistent-dir-xyz\n'), ['t.conf'], banner(1, 'dir /nonexistent-dir-xyz', 'No such file or directory')],
    [F('databases 0\n'), ['t.conf'], banner(1, 'databases 0', 'argument must be between 1 and 2147483647 inclusive')],
    [F('bind 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n'), ['t.conf'], banner(1, 'bind 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17', 'Too many bind addresses specified.')],
    // The line is shown trimmed.
    [F('  port   abc  \t\n'), ['t.conf'], banner(1, 'port   abc', "argument couldn't be parsed into an integer")],
    [F('\r\nhz abc\r\n'), ['t.conf'], banner(2, 'hz abc', "argument couldn't be parsed into an integer")],
    // Options come after the file and a newline; each option is one line, values quoted.
    [F('hz 5\n\nhz 6\n'), ['t.conf', '--hz', '5', '--port', 'abc'], banner(6, 'port "abc"', "argument couldn't be parsed into an integer")],
    [F('hz 5\n\nhz 6'), ['t.conf', '--hz', '5', '--port', 'abc'], banner(5, 'port "abc"', "argument couldn't be parsed into an integer")],
    [{}, ['--port', 'a b"c\\n'], banner(2, 'port "a b\\"c\\\\n"', "argument couldn't be parsed into an integer")],
    [{}, ['--port', '7393', '--save', '--hz', 'abc'], banner(4, 'hz "abc"', "argument couldn't be parsed into an integer")],
    [{}, ['--port', '7393', '--save', '--port'], banner(4, 'port', 'wrong number of arguments')],
    [{}, ['--port', '7393', 'x', 'y'], banner(2, 'port "7393" "x" "y"', 'wrong number of arguments')],
    [F('hz 5\n\nhz 6'), ['t.conf', 'y', '--hz'], banner(4, '"y"', 'Bad directive or wrong number of arguments')],
    [{}, ['--foo'], banner(2, 'foo', 'Bad directive or wrong number of arguments')],
    [{}, ['--hz', '--x'], banner(2, 'hz "--x"', "argument couldn't be parsed into an integer")],
    // Directives with their own argument counts.
    [F('include\n'), ['t.conf'], banner(1, 'include', 'Bad directive or wrong number of arguments')],
    [F('include a b\n'), ['t.conf'], banner(1, 'include a b', 'Bad directive or wrong number of arguments')],
    [F('rename-command foo\n'), ['t.conf'], banner(1, 'rename-command foo', 'Bad directive or wrong number of arguments')],
    [F('rename-command get "" x\n'), ['t.conf'], banner(1, 'rename-command get "" x', 'Bad directive or wrong number of arguments')],
    // Multi-argument parameters: one argument is split on spaces, several are taken as they are.
    [F('save 900\n'), ['t.conf'], banner(1, 'save 900', 'Invalid save parameters')],
    [F('save 900 1 2\n'), ['t.conf'], banner(1, 'save 900 1 2', 'Invalid save parameters')],
    [F('save "900 1" 300 10\n'), ['t.conf'], banner(1, 'save "900 1" 300 10', 'Invalid save parameters')],
    [F('loglevel debug notice\n'), ['t.conf'], banner(1, 'loglevel debug notice', 'wrong number of arguments')],
    [F('notify-keyspace-events K E\n'), ['t.conf'], banner(1, 'notify-keyspace-events K E', 'wrong number of arguments')],
    [F('hz "5 6"\n'), ['t.conf'], banner(1, 'hz "5 6"', "argument couldn't be parsed into an integer")],
    [F('client-output-buffer-limit "normal 1 2 3" pubsub 1 2 3\n'), ['t.conf'], banner(1, 'client-output-buffer-limit "normal 1 2 3" pubsub 1 2 3', 'Wrong number of arguments in buffer limit configuration.')],
    [F('client-output-buffer-limit "normal 1 2 3" "pubsub 1 2 3"\n'), ['t.conf'], banner(1, 'client-output-buffer-limit "normal 1 2 3" "pubsub 1 2 3"', 'Wrong number of arguments in buffer limit configuration.')],
    [F('replicaof 127.0.0.1\n'), ['t.conf'], banner(1, 'replicaof 127.0.0.1', 'wrong number of arguments')],
    [F('replicaof a b c\n'), ['t.conf'], banner(1, 'replicaof a b c', 'wrong number of arguments')],
    [F('replicaof 127.0.0.1 abc\n'), ['t.conf'], banner(1, 'replicaof 127.0.0.1 abc', 'Invalid master port')],
    [F('replicaof 127.0.0.1 99999\n'), ['t.conf'], banner(1, 'replicaof 127.0.0.1 99999', 'Invalid master port')],
    [F('replicaof 127.0.0.1 -5\n'), ['t.conf'], banner(1, 'replicaof 127.0.0.1 -5', 'Invalid master port')],
    [{}, ['--replicaof', 'no'], banner(2, 'replicaof "no"', 'wrong number of arguments')],
    [F('replica-announce-ip "a" "b"\n'), ['t.conf'], banner(1, 'replica-announce-ip "a" "b"', 'wrong number of arguments')],
    [{}, ['--unixsocketperm', '999'], banner(2, 'unixsocketperm "999"', "argument couldn't be parsed as an octal number")],
    [{}, ['--unixsocketperm', '1000'], banner(2, 'unixsocketperm "1000"', 'argument must be between 0 and 777 inclusive')],
    [{}, ['--io-threads', '0'], banner(2, 'io-threads "0"', 'argument must be between 1 and 128 inclusive')],
    [{}, ['--oom-score-adj-values', ''], banner(2, 'oom-score-adj-values ""', 'wrong number of arguments')],
    [{}, ['--dbfilename', 'a/b'], banner(2, 'dbfilename "a/b"', "dbfilename can't be a path, just a filename")],
    [{}, ['--dir', ''], banner(2, 'dir ""', 'No such file or directory')],
    [{}, ['--maxmemory-policy', 'allkeys'], banner(2, 'maxmemory-policy "allkeys"', 'argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction')],
    [{}, ['--save', '900', '1', '--save', 'abc'], banner(3, 'save "abc"', 'Invalid save parameters')],
    [F('PORT 7\nHz x\n'), ['t.conf'], banner(2, 'Hz x', "argument couldn't be parsed into an integer")],
  ];
  for (const [files, args, want] of cases) assert.equal(fatal(files, args), want, JSON.stringify(args) + ' ' + JSON.stringify(files));
});

test('unreadable config files: a log line, as redis-server', () => {
  const want = "7654:C 25 Nov 2026 14:48:13.070 # Fatal error, can't open config file '/nonexist.conf': No such file or directory\n";
  assert.equal(fatal({}, ['/nonexist.conf']), want);
  assert.equal(fatal(F('include /nonexist.conf\n'), ['t.conf']), want);
});

test('includes: read where they appear, errors report the included file line', () => {
  const files = {
    [CWD + '/t.conf']: 'hz 1\ninclude sub/inc.conf\nport 7000\n',
    [CWD + '/sub/inc.conf']: 'hz 5\nmaxmemory 1mb\n',
    [CWD + '/bad.conf']: 'hz 1\ninclude sub/bad-inc.conf\n',
    [CWD + '/sub/bad-inc.conf']: 'hz 5\nhz abc\n',
  };
  const c = load(files, ['t.conf', '--hz', '7']);
  assert.equal(c.getNumber('hz'), 7);
  assert.equal(c.getNumber('maxmemory'), 1048576);
  assert.equal(c.getNumber('port'), 7000);
  assert.equal(load(files, ['t.conf']).getNumber('hz'), 5);
  assert.equal(fatal(files, ['bad.conf']), banner(2, 'hz abc', "argument couldn't be parsed into an integer"));
  // Include loops are cut off instead of recursing forever.
  assert.match(fatal({ [CWD + '/loop.conf']: 'include loop.conf\n' }, ['loop.conf']), /Too many nested include directives/);
});

test('stdin: "-" first or last; read after the file, before the options', () => {
  assert.equal(load({}, ['-'], 'hz 44\n').getNumber('hz'), 44);
  assert.equal(fatal({}, ['-'], 'hz abc'), banner(1, 'hz abc', "argument couldn't be parsed into an integer"));
  assert.equal(fatal({}, ['-', '--hz', '4'], 'hz abc\n'), banner(1, 'hz abc', "argument couldn't be parsed into an integer"));
  // The file (6 lines and a newline) then stdin directly.
  const six = 'a1 1\n'.replace('a1 1', '# 1') + '# 2\n# 3\n# 4\n# 5\n# 6\n';
  assert.equal(fatal(F(six), ['t.conf', '-'], 'hz abc'), banner(7, 'hz abc', "argument couldn't be parsed into an integer"));
  assert.equal(fatal(F('hz 4\n' + six), ['t.conf', '--hz', 'abc'], 'hz 4\n'), banner(9, 'hz "abc"', "argument couldn't be parsed into an integer"));
  // A '-' in the middle is an ordinary argument.
  assert.equal(fatal(F(six), ['t.conf', '-', '--port', '7391']), banner(8, '"-"', 'Bad directive or wrong number of arguments'));
  const c = load(F('hz 3\n'), ['t.conf', '-'], 'hz 4\n');
  assert.equal(c.getNumber('hz'), 4);
  assert.equal(c.configFile, CWD + '/t.conf');
  assert.equal(load({}, ['-'], '').configFile, null);
});

test('values: later lines override, keys are case-insensitive, aliases map to one parameter', () => {
  const c = load(F('hz 10\nHZ 11\nslave-priority 5\nSLAVEOF 127.0.0.1 6399\nhash-max-ziplist-entries 100\nlist-max-ziplist-size -3\nlua-time-limit 77\n'), ['t.conf']);
  assert.equal(c.getNumber('hz'), 11);
  assert.equal(c.getNumber('replica-priority'), 5);
  assert.deepEqual(c.get('replicaof'), { host: '127.0.0.1', port: 6399 });
  assert.equal(c.getNumber('hash-max-listpack-entries'), 100);
  assert.equal(c.getNumber('list-max-listpack-size'), -3);
  assert.equal(c.getNumber('busy-reply-threshold'), 77);
  assert.equal(load(F('replicaof 127.0.0.1 6399\nreplicaof NO ONE\n'), ['t.conf']).get('replicaof'), null);
  assert.deepEqual(load(F('replicaof "127.0.0.1 6399"\n'), ['t.conf']).get('replicaof'), { host: '127.0.0.1', port: 6399 });
  assert.deepEqual(load(F('replicaof 127.0.0.1 6399\n'), ['t.conf', '--replicaof', '127.0.0.1', '6398']).get('replicaof'), { host: '127.0.0.1', port: 6398 });
  assert.deepEqual(load({}, ['--replicaof', 'h', '007']).get('replicaof'), { host: 'h', port: 7 });
  // Quoting in values.
  assert.equal(load(F('replica-announce-ip "a\\x41b\\n\\t\\\\\\"\\q"\n'), ['t.conf']).getString('replica-announce-ip'), 'aAb\n\t\\"q');
  assert.equal(load(F("replica-announce-ip 'it\\'s \"x\"'\n"), ['t.conf']).getString('replica-announce-ip'), 'it\'s "x"');
  assert.equal(load(F('replica-announce-ip\ttab\t\n'), ['t.conf']).getString('replica-announce-ip'), 'tab');
  // A line whose directive is an empty string is a bad directive.
  assert.equal(fatal(F('""\n'), ['t.conf']), banner(1, '""', 'Bad directive or wrong number of arguments'));
  // Removed parameters redis-server 7.0 still accepts and ignores.
  load({}, ['--list-max-ziplist-entries', '5', '--lua-replicate-commands', 'yes', '--list-max-ziplist-value', '3']);
});

test('save lines accumulate within one load; save "" clears', () => {
  const save = (content: string, ...args: string[]) => load(F(content), ['t.conf', ...args]).getString('save');
  assert.equal(save(''), '3600 1 300 100 60 10000');
  assert.equal(save('save 900 1\nsave 300 10\n'), '900 1 300 10');
  assert.equal(save('save 900 1\nsave ""\nsave 300 10\n'), '300 10');
  assert.equal(save('save 900 1 300 10\nsave 60 5\n'), '900 1 300 10 60 5');
  assert.equal(save('save ""\n'), '');
  assert.equal(save('save 900 1\nsave ""\n'), '');
  assert.equal(save('save\n'), '');
  assert.equal(save('save "900 1"\n'), '900 1');
  assert.equal(save('save 900 1', '--save', '10', '1'), '900 1 10 1');
  assert.equal(save('save 900 1', '--save'), '');
  assert.equal(load({}, ['--save', '']).getString('save'), '');
});

test('multi-argument parameters in files: split one argument, take several as given', () => {
  const c = load(
    F('bind 127.0.0.1 ::1\nclient-output-buffer-limit normal 1 2 3\nclient-output-buffer-limit pubsub 1 2 3\nnotify-keyspace-events "KEA"\nshutdown-on-sigterm save now\noom-score-adj-values 1 2 3\nlatency-tracking-info-percentiles 1 2 3\n'),
    ['t.conf'],
  );
  assert.equal(c.getString('bind'), '127.0.0.1 ::1');
  assert.equal(c.getString('client-output-buffer-limit'), 'normal 1 2 3 slave 268435456 67108864 60 pubsub 1 2 3');
  assert.equal(c.getString('notify-keyspace-events'), 'AKE');
  assert.equal(c.getString('shutdown-on-sigterm'), 'save now');
  assert.equal(c.getString('oom-score-adj-values'), '1 2 3');
  assert.equal(c.getString('latency-tracking-info-percentiles'), '1 2 3');
  const d = load(F('bind 127.0.0.1\nbind ::1\nclient-output-buffer-limit "normal 1 2 3"\nshutdown-on-sigterm "save now"\n'), ['t.conf']);
  assert.equal(d.getString('bind'), '::1');
  assert.equal(d.getString('client-output-buffer-limit'), 'normal 1 2 3 slave 268435456 67108864 60 pubsub 33554432 8388608 60');
  assert.equal(d.getString('shutdown-on-sigterm'), 'save now');
  assert.deepEqual(load(F('bind\n'), ['t.conf']).get('bind'), []);
  assert.deepEqual(load(F('bind ""\n'), ['t.conf']).get('bind'), []);
  assert.equal(load(F('bind "127.0.0.1 ::1"\n'), ['t.conf']).getString('bind'), '127.0.0.1 ::1');
});

test('rename-command and user directives are kept for the server', () => {
  const c = Config.fromArgs(['t.conf'], () => 'rename-command FLUSHALL ""\nrename-command config cfg\nuser default on nopass ~* &* +@all\n', {
    commandExists: (n) => n === 'flushall' || n === 'config',
  });
  assert.deepEqual(c.renamedCommands, [
    ['flushall', ''],
    ['config', 'cfg'],
  ]);
  assert.deepEqual(c.userDirectives, [['default', 'on', 'nopass', '~*', '&*', '+@all']]);
  try {
    Config.fromArgs(['t.conf'], () => 'rename-command foo bar\n', { commandExists: () => false });
    assert.fail('accepted');
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.reason, 'No such command in rename-command');
    assert.equal(e.line, 1);
    assert.equal(e.lineText, 'rename-command foo bar');
  }
});

test('appendonly yes and cluster-enabled yes are refused at startup', () => {
  assert.equal(
    fatal({}, ['--appendonly', 'yes']),
    banner(2, 'appendonly "yes"', "appendonly yes is not supported: Damselfly persists with RDB snapshots only (use 'appendonly no')"),
  );
  assert.equal(fatal({}, ['--cluster-enabled', 'yes']), banner(2, 'cluster-enabled "yes"', "cluster mode is not supported by Damselfly (use 'cluster-enabled no')"));
  assert.equal(load({}, ['--appendonly', 'no', '--cluster-enabled', 'no']).getBool('appendonly'), false);
});

test('dir in a file changes where later relative paths (include, dir) resolve', () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'dfcfg-')));
  mkdirSync(join(root, 'd2'));
  writeFileSync(join(root, 'd2', 'inc2.conf'), 'hz 33\n');
  writeFileSync(join(root, 'main.conf'), 'dir d2\ninclude inc2.conf\n');
  const c = Config.fromArgs(['main.conf'], undefined, { cwd: root });
  assert.equal(c.configFile, join(root, 'main.conf'));
  assert.equal(c.getNumber('hz'), 33);
  assert.equal(c.getString('dir'), join(root, 'd2'));
  assert.equal(Config.defaults({ cwd: root }).getString('dir'), root);
});

test('the unreadable main config file is named cwd + "/" + argument, an include as written', () => {
  assert.equal(fatal({}, ['./sub/../nonexist2.conf']), "7654:C 25 Nov 2026 14:48:13.070 # Fatal error, can't open config file '/srv/df/./sub/../nonexist2.conf': No such file or directory\n");
  assert.equal(fatal(F('include nonexist.conf\n'), ['t.conf']), "7654:C 25 Nov 2026 14:48:13.070 # Fatal error, can't open config file 'nonexist.conf': No such file or directory\n");
});
