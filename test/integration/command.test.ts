/**
 * COMMAND COUNT / INFO / DOCS / LIST / GETKEYS / GETKEYSANDFLAGS / HELP against a spawned
 * Damselfly, through ioredis, raw sockets (RESP2 and RESP3) and redis-cli. The replies are
 * compared with the reference redis-server 7.0's replies for every command our table has; only
 * the order of a container's subcommands (a hash order in Redis) and subcommands we do not
 * implement are disregarded. redis-server, redis-cli and script(1) are required (CI installs
 * them): a missing one fails the tests that need it, it never skips them.
 */

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { requireRedisCli, requireScript, startDamselfly, startRedis, type ServerProcess } from '../helpers/servers.js';
import { RawConnection } from '../helpers/raw.js';
import { parseResp, show, type RespValue } from '../helpers/differential.js';
import { allCommandSpecs, CommandTable } from '../../src/commands/table.js';
import { redisCommandData } from '../../src/commands/command.js';

const table = new CommandTable(allCommandSpecs());
/** Full names ('get', 'config|get') our table has. */
const ours = new Set([...table.allWithSubcommands()].map((c) => c.fullName));
/** Those Redis 7.0 has too: the ones compared with redis-server (the unit test flags the rest). */
const shared = new Set([...ours].filter((n) => Object.prototype.hasOwnProperty.call(redisCommandData().commands, n)));
const has = (fullName: string): boolean => shared.has(fullName);

let dfly: ServerProcess;
let redisStarting: Promise<ServerProcess> | null = null;

/**
 * The reference redis-server 7.0, started by the first test that needs it (so that a missing
 * one fails exactly the comparisons, with startRedis's install hint).
 */
function reference(): Promise<ServerProcess> {
  redisStarting ??= startRedis();
  return redisStarting;
}

before(async () => {
  dfly = await startDamselfly();
});

after(async () => {
  await dfly?.stop();
  const ref = await redisStarting?.catch(() => null);
  await ref?.stop();
});

/** A raw connection in the given protocol. */
async function connect(port: number, resp: 2 | 3): Promise<RawConnection> {
  const c = await RawConnection.connect(port);
  if (resp === 3) {
    const hello = await c.call('HELLO', '3');
    assert.ok(hello.startsWith('%'), 'HELLO 3: ' + hello.slice(0, 80));
  }
  return c;
}

async function rawReply(c: RawConnection, args: string[]): Promise<Buffer> {
  c.send(...args);
  return c.readReply(10000);
}

function parse(b: Buffer): RespValue {
  return parseResp(b).value;
}

const text = (v: RespValue): string => v.raw.toString('latin1');

/**
 * A COMMAND INFO entry as a comparable string: subcommand entries sorted and restricted to the
 * subcommands we implement (a container's other elements must match byte for byte).
 */
function canonInfo(v: RespValue): string {
  if (v.items === null) return text(v);
  const items = v.items;
  const head = items.slice(0, 9).map(text).join('');
  const subs = items[9]!;
  const entries = (subs.items ?? []).filter((e) => has(e.items![0]!.text)).map(canonInfo).sort();
  return v.type + head + subs.type + '[' + entries.join(',') + ']';
}

/** Pairs of a map reply (RESP3 '%' or a RESP2 flat array). */
function pairs(v: RespValue): Array<[RespValue, RespValue]> {
  const out: Array<[RespValue, RespValue]> = [];
  const items = v.items ?? [];
  for (let i = 0; i + 1 < items.length; i += 2) out.push([items[i]!, items[i + 1]!]);
  return out;
}

/** A COMMAND DOCS map as a comparable string (subcommands as in canonInfo). */
function canonDocs(v: RespValue): string {
  let s = v.type + '{';
  for (const [k, val] of pairs(v)) {
    if (k.text === 'subcommands') {
      const subs = pairs(val)
        .filter(([name]) => has(name.text))
        .map(([name, doc]) => name.text + '=' + canonDocs(doc))
        .sort();
      s += 'subcommands:' + val.type + '[' + subs.join(',') + ']';
    } else {
      s += text(k) + text(val);
    }
  }
  return s + '}';
}

/** Runs the same command on both servers (same protocol) and returns both raw replies. */
async function both(resp: 2 | 3, args: string[]): Promise<{ mine: Buffer; theirs: Buffer }> {
  const a = await connect(dfly.port, resp);
  const b = await connect((await reference()).port, resp);
  try {
    return { mine: await rawReply(a, args), theirs: await rawReply(b, args) };
  } finally {
    a.close();
    b.close();
  }
}

describe('COMMAND through ioredis', () => {
  let r: Redis;
  before(() => {
    r = new Redis({ port: dfly.port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
  });
  after(() => r.disconnect());

  test('COMMAND COUNT is the number of top-level commands', async () => {
    assert.equal(await r.call('COMMAND', 'COUNT'), table.byName.size);
  });

  test('COMMAND INFO: 10-element entries, null for unknown names', async () => {
    const reply = (await r.call('COMMAND', 'INFO', 'command', 'no-such-command', 'COMMAND|INFO')) as unknown[];
    assert.equal(reply.length, 3);
    const [cmd, missing, sub] = reply as [unknown[], null, unknown[]];
    assert.equal(missing, null);
    assert.deepEqual(cmd.slice(0, 9), ['command', -1, ['loading', 'stale'], 0, 0, 0, ['@slow', '@connection'], ['nondeterministic_output_order'], []]);
    const subNames = (cmd[9] as unknown[][]).map((e) => e[0]).sort();
    assert.deepEqual(subNames, ['command|count', 'command|docs', 'command|getkeys', 'command|getkeysandflags', 'command|help', 'command|info', 'command|list']);
    assert.deepEqual(sub, ['command|info', -2, ['loading', 'stale'], 0, 0, 0, ['@slow', '@connection'], ['nondeterministic_output_order'], [], []]);
  });

  test('COMMAND INFO without names lists every command', async () => {
    const reply = (await r.call('COMMAND', 'INFO')) as unknown[][];
    assert.deepEqual(reply.map((e) => e[0]).sort(), [...table.byName.keys()].sort());
  });

  test('COMMAND (no subcommand) lists every command', async () => {
    const reply = (await r.call('COMMAND')) as unknown[][];
    assert.deepEqual(reply.map((e) => e[0]).sort(), [...table.byName.keys()].sort());
  });

  test('COMMAND DOCS: name -> doc map with nested subcommands', async () => {
    const reply = (await r.call('COMMAND', 'DOCS', 'command', 'nosuch')) as unknown[];
    assert.equal(reply.length, 2);
    assert.equal(reply[0], 'command');
    const doc = reply[1] as unknown[];
    const m = new Map<string, unknown>();
    for (let i = 0; i < doc.length; i += 2) m.set(doc[i] as string, doc[i + 1]);
    assert.equal(m.get('summary'), 'Get array of Redis command details');
    assert.equal(m.get('group'), 'server');
    assert.equal(m.get('since'), '2.8.13');
    const subs = m.get('subcommands') as unknown[];
    assert.equal(subs.length, 14);
    const info = subs[subs.indexOf('command|info') + 1] as unknown[];
    const args = info[info.indexOf('arguments') + 1] as unknown[][];
    assert.deepEqual(args, [['name', 'command-name', 'type', 'string', 'flags', ['optional', 'multiple']]]);
  });

  test('COMMAND LIST and its filters', async () => {
    const all = (await r.call('COMMAND', 'LIST')) as string[];
    assert.deepEqual([...all].sort(), [...ours].sort());
    const pat = (await r.call('COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'COMMAND|*')) as string[];
    assert.deepEqual([...pat].sort(), [...ours].filter((n) => n.startsWith('command|')).sort());
    const cat = (await r.call('COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'CONNECTION')) as string[];
    assert.ok(cat.includes('command') && cat.includes('command|docs'));
    assert.deepEqual(await r.call('COMMAND', 'LIST', 'FILTERBY', 'MODULE', 'x'), []);
    assert.deepEqual(await r.call('COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'nosuch'), []);
    await assert.rejects(r.call('COMMAND', 'LIST', 'FILTERBY', 'NAME', 'x'), /^ReplyError: ERR syntax error$/);
  });

  test('COMMAND GETKEYS error texts', async () => {
    await assert.rejects(r.call('COMMAND', 'GETKEYS', 'nosuch', 'x'), /ERR Invalid command specified$/);
    await assert.rejects(r.call('COMMAND', 'GETKEYS', 'command', 'x'), /ERR Invalid command specified$/);
    await assert.rejects(r.call('COMMAND', 'GETKEYS', 'command', 'count'), /ERR The command has no key arguments$/);
    await assert.rejects(r.call('COMMAND', 'GETKEYS', 'get'), /ERR wrong number of arguments for 'command\|getkeys' command$/);
    assert.deepEqual(await r.call('COMMAND', 'GETKEYS', 'GET', 'k'), ['k']);
    assert.deepEqual(await r.call('COMMAND', 'GETKEYSANDFLAGS', 'get', 'k'), [['k', ['RO', 'access']]]);
    await assert.rejects(r.call('COMMAND', 'GETKEYS', 'get', 'a', 'b'), /ERR Invalid number of arguments specified for command$/);
  });

  test('COMMAND HELP', async () => {
    const help = (await r.call('COMMAND', 'HELP')) as string[];
    assert.equal(help[0], 'COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    assert.equal(help.at(-1), '    Prints this help.');
  });
});

describe('COMMAND replies equal redis-server 7.0', () => {
  for (const resp of [2, 3] as const) {
    test(`COMMAND INFO of every command we have (RESP${resp})`, async () => {
      const names = [...shared];
      const { mine, theirs } = await both(resp, ['COMMAND', 'INFO', ...names, 'no-such-command']);
      const a = parse(mine).items!;
      const b = parse(theirs).items!;
      assert.equal(a.length, names.length + 1);
      const diffs: string[] = [];
      for (let i = 0; i < a.length; i++) {
        if (canonInfo(a[i]!) !== canonInfo(b[i]!)) {
          diffs.push((names[i] ?? 'no-such-command') + ':\n  ours:  ' + show(a[i]!.raw) + '\n  redis: ' + show(b[i]!.raw));
        }
      }
      assert.equal(diffs.length, 0, diffs.length + ' COMMAND INFO entries differ:\n' + diffs.join('\n'));
    });

    test(`COMMAND DOCS of every command we have (RESP${resp})`, async () => {
      const names = [...shared];
      const { mine, theirs } = await both(resp, ['COMMAND', 'DOCS', ...names, 'no-such-command']);
      const a = new Map(pairs(parse(mine)).map(([k, v]) => [k.text, v]));
      const b = new Map(pairs(parse(theirs)).map(([k, v]) => [k.text, v]));
      assert.deepEqual([...a.keys()], names);
      const diffs: string[] = [];
      for (const n of names) {
        if (canonDocs(a.get(n)!) !== canonDocs(b.get(n)!)) {
          diffs.push(n + ':\n  ours:  ' + show(a.get(n)!.raw) + '\n  redis: ' + show(b.get(n)!.raw));
        }
      }
      assert.equal(diffs.length, 0, diffs.length + ' COMMAND DOCS entries differ:\n' + diffs.join('\n'));
    });

    test(`byte-identical replies (RESP${resp})`, async () => {
      const cases: string[][] = [
        ['COMMAND', 'HELP'],
        ['COMMAND', 'INFO', 'no-such-command'],
        ['COMMAND', 'INFO', 'command|getkeys', 'COMMAND|DOCS'],
        ['COMMAND', 'DOCS', 'no-such-command'],
        ['COMMAND', 'DOCS', 'command|info', 'COMMAND|LIST', 'command|info'],
        ['COMMAND', 'COUNT', 'x'],
        ['COMMAND', 'HELP', 'x'],
        ['COMMAND', 'NOSUCH'],
        ['COMMAND', 'LIST', 'x'],
        ['COMMAND', 'LIST', 'FILTERBY'],
        ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN'],
        ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'x', 'y'],
        ['COMMAND', 'LIST', 'FILTERBY', 'bad', 'x'],
        ['COMMAND', 'LIST', 'FILTERBY', 'MODULE', 'x'],
        ['COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'nosuch'],
        ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'no-such-*'],
        ['COMMAND', 'GETKEYS'],
        ['COMMAND', 'GETKEYS', 'get'],
        ['COMMAND', 'GETKEYSANDFLAGS', 'nosuch'],
      ];
      for (const single of ['get', 'set', 'ping', 'mset', 'bitfield', 'getex', 'lcs']) {
        cases.push(['COMMAND', 'DOCS', single], ['COMMAND', 'INFO', single]);
      }
      const diffs: string[] = [];
      for (const args of cases) {
        const { mine, theirs } = await both(resp, args);
        if (!mine.equals(theirs)) diffs.push(args.join(' ') + ':\n  ours:  ' + show(mine) + '\n  redis: ' + show(theirs));
      }
      assert.equal(diffs.length, 0, diffs.join('\n'));
    });
  }

  test('COMMAND LIST filters select what Redis selects (among our commands)', async () => {
    const filters = [
      [],
      ['FILTERBY', 'PATTERN', '*get*'],
      ['FILTERBY', 'PATTERN', 'c[lo]*'],
      ['FILTERBY', 'PATTERN', 'CONF*'],
      ['FILTERBY', 'PATTERN', 'command|*'],
      ['FILTERBY', 'PATTERN', '?et'],
      ['FILTERBY', 'ACLCAT', 'connection'],
      ['FILTERBY', 'ACLCAT', 'Admin'],
      ['FILTERBY', 'ACLCAT', 'read'],
      ['FILTERBY', 'ACLCAT', 'write'],
      ['FILTERBY', 'ACLCAT', 'slow'],
      ['FILTERBY', 'ACLCAT', 'fast'],
      ['FILTERBY', 'ACLCAT', 'dangerous'],
      ['FILTERBY', 'ACLCAT', 'keyspace'],
    ];
    for (const f of filters) {
      const { mine, theirs } = await both(2, ['COMMAND', 'LIST', ...f]);
      const a = parse(mine).items!.map((x) => x.text).filter(has).sort();
      const b = parse(theirs).items!.map((x) => x.text).filter(has).sort();
      assert.deepEqual(a, b, 'COMMAND LIST ' + f.join(' '));
    }
  });

  test('COMMAND GETKEYS / GETKEYSANDFLAGS equal Redis', async () => {
    const targets: string[][] = [
      ['get', 'a'],
      ['GET', 'a'],
      ['get', 'a', 'b'],
      ['set', 'a', 'b'],
      ['set', 'a', 'b', 'GET'],
      ['set', 'a', 'b', 'px', '10', 'get'],
      ['getex', 'a', 'px', '10'],
      ['getdel', 'a'],
      ['mget', 'a', 'b', 'c'],
      ['mset', 'a', '1', 'b', '2'],
      ['mset', 'a', '1', 'b'],
      ['msetnx', 'a', '1', 'b', '2'],
      ['setrange', 'a', '0', 'x'],
      ['lcs', 'a', 'b'],
      ['del', 'a', 'b', 'c'],
      ['unlink', 'a'],
      ['exists', 'a', 'b'],
      ['touch', 'a', 'b'],
      ['rename', 'a', 'b'],
      ['renamenx', 'a', 'b'],
      ['copy', 'a', 'b', 'DB', '1'],
      ['move', 'a', '1'],
      ['expire', 'a', '10'],
      ['ttl', 'a'],
      ['type', 'a'],
      ['dump', 'a'],
      ['restore', 'a', '0', 'x'],
      ['object', 'encoding', 'k'],
      ['object', 'help', 'k'],
      ['sort', 'a'],
      ['sort', 'a', 'STORE', 'b'],
      ['sort', 'a', 'BY', 'w_*', 'GET', 'o_*', 'store', 'b'],
      ['sort_ro', 'a', 'BY', 'w_*'],
      ['migrate', 'h', 'p', 'k', '0', '5'],
      ['migrate', 'h', 'p', '', '0', '5', 'KEYS', 'a', 'b'],
      ['bitfield', 'a'],
      ['bitfield', 'a', 'GET', 'u8', '0'],
      ['bitfield', 'a', 'set', 'u8', '0', '1'],
      ['bitfield', 'a', 'incrby', 'u8', '0', '1'],
      ['bitfield_ro', 'a', 'GET', 'u8', '0'],
      ['bitop', 'and', 'd', 'a', 'b'],
      ['bitcount', 'a'],
      ['setbit', 'a', '0', '1'],
      ['strlen', 'a'],
      ['append', 'a', 'b'],
      ['incrbyfloat', 'a', '1.5'],
      ['psetex', 'a', '10', 'v'],
      ['setnx', 'a', 'v'],
      ['getrange', 'a', '0', '1'],
      ['substr', 'a', '0', '1'],
      ['getset', 'a', 'b'],
      ['bitpos', 'a', '1', '0', '-1', 'BIT'],
      ['getbit', 'a', '7'],
      ['persist', 'a'],
      ['pexpireat', 'a', '1'],
      ['expiretime', 'a'],
      ['memory', 'usage', 'k'],
      ['memory', 'usage', 'k', 'SAMPLES', '5'],
      ['memory', 'stats', 'x'],
      ['keys', '*'],
      ['scan', '0', 'MATCH', 'x'],
      ['select', '1'],
      ['swapdb', '0', '1'],
      ['debug', 'object', 'a'],
      ['ping', 'x'],
      ['echo', 'x'],
      ['config', 'get', 'x'],
      ['config', 'nosub'],
      ['client', 'list'],
      ['command', 'count'],
      ['command', 'x'],
      ['nosuch', 'x'],
      ['flushall', 'x'],
      ['dbsize', 'x'],
    ];
    const diffs: string[] = [];
    let compared = 0;
    for (const t of targets) {
      const top = table.lookup(Buffer.from(t[0]!));
      // A Redis command we do not have yet would be "Invalid command specified" here only.
      if (top === undefined && ['nosuch'].indexOf(t[0]!) < 0) continue;
      if (top?.subcommands != null && t.length > 1 && table.lookupSub(top, Buffer.from(t[1]!)) === undefined && t[1] !== 'nosub' && t[1] !== 'x') continue;
      for (const sub of ['GETKEYS', 'GETKEYSANDFLAGS']) {
        for (const resp of [2, 3] as const) {
          const { mine, theirs } = await both(resp, ['COMMAND', sub, ...t]);
          compared++;
          if (!mine.equals(theirs)) diffs.push(`RESP${resp} COMMAND ${sub} ${t.join(' ')}:\n  ours:  ${show(mine)}\n  redis: ${show(theirs)}`);
        }
      }
    }
    assert.ok(compared > 0);
    assert.equal(diffs.length, 0, diffs.length + ' GETKEYS replies differ:\n' + diffs.join('\n'));
  });
});

describe('redis-cli', () => {
  const cli = (port: number, args: string[]): string => {
    const r = spawnSync(requireRedisCli(), ['-p', String(port), ...args], { encoding: 'latin1', timeout: 10000 });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };

  test('COMMAND DOCS output parses (RESP2 and RESP3)', () => {
    for (const proto of [[], ['-3']]) {
      const out = cli(dfly.port, [...proto, 'COMMAND', 'DOCS', 'command|info']);
      assert.match(out, /Get array of specific Redis command details/);
      assert.match(out, /command-name/);
    }
  });

  test('COMMAND DOCS / INFO print as they do for redis-server', async () => {
    const redis = await reference();
    const names = ['command|getkeys', 'command|info', 'get', 'set', 'getex', 'bitfield', 'mset'];
    for (const proto of [[], ['-3']]) {
      for (const sub of ['DOCS', 'INFO']) {
        for (const n of names) {
          const args = [...proto, 'COMMAND', sub, n];
          assert.equal(cli(dfly.port, args), cli(redis.port, args), 'redis-cli ' + args.join(' '));
        }
      }
    }
  });

  test('interactive hints come from our COMMAND DOCS', async () => {
    const redis = await reference();
    const typed = ['command getkeysandflags ', 'command info ', 'command list ', 'set ', 'get ', 'getex ', 'bitcount '];
    const mine = await interactiveHints(dfly.port, typed);
    const theirs = await interactiveHints(redis.port, typed);
    assert.match(mine, /command-name/, 'no hint rendered: ' + JSON.stringify(mine.slice(-400)));
    assert.equal(mine, theirs);
  });
});

/**
 * Types each line into an interactive redis-cli (on a pty made by script(1)) without pressing
 * Enter and returns the hint text linenoise renders after the typed words (in ANSI grey).
 */
async function interactiveHints(port: number, lines: string[]): Promise<string> {
  const p = spawn(requireScript(), ['-qfc', requireRedisCli() + ' -p ' + port, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let queries = 0;
  p.stdout.on('data', (d: Buffer) => {
    const s = d.toString('latin1');
    out += s;
    // linenoise asks for the cursor position (twice at start, to learn the width): answer.
    const n = s.split('\x1b[6n').length - 1;
    for (let i = 0; i < n; i++) p.stdin.write(++queries % 2 === 1 ? '\x1b[1;1R' : '\x1b[1;200R');
  });
  const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  const hints: string[] = [];
  try {
    await waitFor(() => out.includes('> '), 5000);
    for (const line of lines) {
      const mark = out.length;
      p.stdin.write(line);
      // linenoise redraws the whole line after each key: wait for the last redraw.
      await waitFor(() => out.indexOf('> ' + line, mark) >= 0, 5000);
      await wait(100);
      const shown = out.slice(mark);
      // The last refresh of the line: "<prompt><typed>\x1b[0;90;49m<hint>\x1b[0m".
      const at = shown.lastIndexOf('\x1b[0;90;49m');
      hints.push(line + '=>' + (at < 0 ? '' : shown.slice(at + 10, shown.indexOf('\x1b[0m', at))));
      p.stdin.write('\x15'); // Ctrl-U: clear the line
      await wait(100);
    }
    p.stdin.write('quit\r');
    await wait(200);
  } finally {
    p.kill();
  }
  return hints.join('\n');
}

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
