// CONFIG subcommand handlers over a stand-in client; reply bytes as redis-server 7.0.15 sends them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configCommands } from '../../src/commands/config.js';
import type { CommandSpec } from '../../src/commands/spec.js';
import type { Client } from '../../src/server/client.js';
import { ReplyWriter } from '../../src/protocol/reply-writer.js';
import { Config } from '../../src/config/index.js';

function fakeClient(config: Config, resp: 2 | 3 = 2): { c: Client; resets: number[]; logs: string[] } {
  const resets: number[] = [];
  const logs: string[] = [];
  const reply = new ReplyWriter();
  reply.resp = resp;
  const server = {
    config,
    resetStats: () => resets.push(1),
    log: { notice: (m: string) => logs.push(m), warning: (m: string) => logs.push(m) },
  };
  return { c: { server, reply, socket: null } as unknown as Client, resets, logs };
}

const container = configCommands[0]!;
const sub = (name: string): CommandSpec => container.subcommands!.find((s) => s.name === name)!;
const run = (c: Client, ...args: string[]): string => {
  sub(args[1]!.toLowerCase()).handler!(c, args.map((a) => Buffer.from(a, 'latin1')));
  return c.reply.take().toString('latin1');
};

test('the CONFIG container and its subcommands match COMMAND INFO of 7.0.15', () => {
  assert.equal(container.name, 'config');
  assert.equal(container.arity, -2);
  assert.deepEqual(container.acl, ['slow']);
  const info = container.subcommands!.map((s) => [s.name, s.arity, s.flags.join(','), s.acl.join(','), (s.tips ?? []).join(',')]);
  assert.deepEqual(info, [
    ['help', 2, 'loading,stale', 'slow', ''],
    ['rewrite', 2, 'admin,noscript,loading,stale', 'admin,slow,dangerous', ''],
    ['get', -3, 'admin,noscript,loading,stale', 'admin,slow,dangerous', ''],
    ['resetstat', 2, 'admin,noscript,loading,stale', 'admin,slow,dangerous', ''],
    ['set', -4, 'admin,noscript,loading,stale', 'admin,slow,dangerous', 'request_policy:all_nodes,response_policy:all_succeeded'],
  ]);
});

test('CONFIG GET: flat array in RESP2, map in RESP3', () => {
  const cfg = Config.defaults();
  const { c } = fakeClient(cfg);
  assert.equal(run(c, 'CONFIG', 'GET', 'port'), '*2\r\n$4\r\nport\r\n$4\r\n6379\r\n');
  assert.equal(run(c, 'CONFIG', 'GET', 'nosuch'), '*0\r\n');
  const r3 = fakeClient(cfg, 3).c;
  assert.equal(run(r3, 'CONFIG', 'GET', 'port', 'PORT'), '%1\r\n$4\r\nport\r\n$4\r\n6379\r\n');
  assert.equal(run(r3, 'CONFIG', 'GET', 'nosuch'), '%0\r\n');
  assert.equal(run(r3, 'CONFIG', 'GET', 'slaveof'), '%1\r\n$7\r\nslaveof\r\n$0\r\n\r\n');
});

test('CONFIG SET: OK, errors, and an odd argument count is a syntax error', () => {
  const cfg = Config.defaults();
  const { c } = fakeClient(cfg);
  assert.equal(run(c, 'CONFIG', 'SET', 'maxmemory', '1mb', 'hz', '20'), '+OK\r\n');
  assert.equal(cfg.getNumber('maxmemory'), 1048576);
  assert.equal(run(c, 'CONFIG', 'SET', 'port', '1', 'foo'), '-ERR syntax error\r\n');
  assert.equal(run(c, 'CONFIG', 'SET', 'foo', 'bar'), "-ERR Unknown option or number of arguments for CONFIG SET - 'foo'\r\n");
  assert.equal(run(c, 'CONFIG', 'SET', 'maxmemory', 'x'), "-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value\r\n");
  // A fake (internal) client counts as local for enable-protected-configs local.
  const local = Config.fromArgs(['--enable-protected-configs', 'local'], () => '');
  assert.equal(run(fakeClient(local).c, 'CONFIG', 'SET', 'dbfilename', 'x.rdb'), '+OK\r\n');
});

test('CONFIG RESETSTAT, REWRITE and HELP', () => {
  const cfg = Config.defaults();
  const { c, resets } = fakeClient(cfg);
  assert.equal(run(c, 'CONFIG', 'RESETSTAT'), '+OK\r\n');
  assert.deepEqual(resets, [1]);
  assert.equal(run(c, 'CONFIG', 'REWRITE'), '-ERR The server is running without a config file\r\n');
  const help = run(c, 'CONFIG', 'HELP');
  assert.ok(help.startsWith('*11\r\n+CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+GET <pattern>\r\n'));
  assert.ok(help.endsWith('+HELP\r\n+    Prints this help.\r\n'));
});
