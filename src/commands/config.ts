/**
 * CONFIG GET / SET / RESETSTAT / REWRITE / HELP. The semantics and texts live in
 * src/config/index.ts; these handlers only move arguments and replies.
 */

import type { Client } from '../server/client.js';
import type { CommandSpec, Handler } from './spec.js';

const HELP_LINES = [
  'CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'GET <pattern>',
  '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>',
  '    Set the configuration <directive> to <value>.',
  'RESETSTAT',
  '    Reset statistics reported by the INFO command.',
  'REWRITE',
  '    Rewrite the configuration file.',
  'HELP',
  '    Prints this help.',
];

/** Loopback or unix-socket peer (what enable-protected-configs local allows). */
function isLocalClient(c: Client): boolean {
  const s = c.socket;
  if (s === null) return true;
  const ra = s.remoteAddress;
  if (ra === undefined) return true; // unix socket
  return ra === '::1' || ra.startsWith('127.') || ra.startsWith('::ffff:127.');
}

const configGet: Handler = (c, argv) => {
  const pairs = c.server.config.getMatching(argv.slice(2));
  c.reply.mapLen(pairs.length);
  for (const [name, value] of pairs) {
    c.reply.bulkStr(name);
    c.reply.bulkStr(value);
  }
};

const configSet: Handler = (c, argv) => {
  if ((argv.length - 2) % 2 !== 0) {
    c.reply.error('ERR syntax error');
    return;
  }
  const pairs: Array<[string, Buffer]> = [];
  for (let i = 2; i < argv.length; i += 2) pairs.push([argv[i]!.toString('latin1'), argv[i + 1]!]);
  const err = c.server.config.set(pairs, { local: isLocalClient(c) });
  if (err === null) c.reply.ok();
  else c.reply.error(err);
};

const configResetstat: Handler = (c) => {
  c.server.resetStats();
  c.reply.ok();
};

const configRewrite: Handler = (c) => {
  const err = c.server.config.rewrite();
  if (err === null) {
    c.server.log.notice('CONFIG REWRITE executed with success.');
    c.reply.ok();
  } else {
    if (c.server.config.configFile !== null) c.server.log.warning('CONFIG REWRITE failed: ' + err.replace(/^ERR Rewriting config file: /, ''));
    c.reply.error(err);
  }
};

const configHelp: Handler = (c) => {
  c.reply.arrayLen(HELP_LINES.length);
  for (const line of HELP_LINES) c.reply.simple(line);
};

const ADMIN: CommandSpec['flags'] = ['admin', 'noscript', 'loading', 'stale'];
const ADMIN_ACL = ['admin', 'slow', 'dangerous'];

function sub(name: string, arity: number, handler: Handler, extra: Partial<CommandSpec> = {}): CommandSpec {
  return { name, arity, flags: ADMIN, firstKey: 0, lastKey: 0, step: 0, acl: ADMIN_ACL, handler, ...extra };
}

export const configCommands: CommandSpec[] = [
  {
    name: 'config',
    arity: -2,
    flags: [],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    acl: ['slow'],
    subcommands: [
      sub('help', 2, configHelp, { flags: ['loading', 'stale'], acl: ['slow'] }),
      sub('rewrite', 2, configRewrite),
      sub('get', -3, configGet),
      sub('resetstat', 2, configResetstat),
      sub('set', -4, configSet, { tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'] }),
    ],
  },
];
