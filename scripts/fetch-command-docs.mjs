#!/usr/bin/env node
// Records Redis 7.0's command metadata (COMMAND DOCS + COMMAND INFO) from a real redis-server
// into src/commands/redis-docs.json, which COMMAND DOCS/INFO and the command-table test read.
//
//   node scripts/fetch-command-docs.mjs                 # starts /usr/bin/redis-server itself
//   node scripts/fetch-command-docs.mjs --port 7395     # uses a server already running there
//   REDIS_SERVER=/path/to/redis-server node scripts/fetch-command-docs.mjs
//   node scripts/fetch-command-docs.mjs --check         # compare with the stored file, write nothing
//
// The replies are read in RESP3 so every value's wire type is known; each field is checked
// against the schema below (the same one src/commands/command.ts uses to write them back), so
// a field of an unexpected type or an unknown field stops the script instead of being stored
// in a shape COMMAND DOCS would later emit wrongly.
import net from 'node:net';
import { spawn } from 'node:child_process';
import { writeFileSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outFile = path.join(root, 'src', 'commands', 'redis-docs.json');

const args = process.argv.slice(2);
const portArg = args.indexOf('--port');
const check = args.includes('--check');

// ---------------------------------------------------------------------------------------------
// A minimal RESP3 client: values come back as { t: <type>, v: <value> } so types can be checked.

class Resp3Reader {
  constructor() {
    this.buf = Buffer.alloc(0);
  }
  push(chunk) {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
  }
  /** Returns the next complete value, or undefined when more bytes are needed. */
  next() {
    const r = this.parse(0);
    if (r === null) return undefined;
    this.buf = this.buf.subarray(r.end);
    return r.value;
  }
  parse(pos) {
    const b = this.buf;
    if (pos >= b.length) return null;
    const nl = b.indexOf('\r\n', pos);
    if (nl < 0) return null;
    const type = String.fromCharCode(b[pos]);
    const line = b.toString('utf8', pos + 1, nl);
    let p = nl + 2;
    switch (type) {
      case '+':
        return { value: { t: 'simple', v: line }, end: p };
      case '-':
        return { value: { t: 'error', v: line }, end: p };
      case ':':
        return { value: { t: 'int', v: Number(line) }, end: p };
      case '_':
        return { value: { t: 'null', v: null }, end: p };
      case '#':
        return { value: { t: 'bool', v: line === 't' }, end: p };
      case ',':
        return { value: { t: 'double', v: line }, end: p };
      case '$':
      case '=':
      case '!': {
        const n = Number(line);
        if (n < 0) return { value: { t: 'null', v: null }, end: p };
        if (p + n + 2 > b.length) return null;
        const s = b.toString('utf8', p, p + n);
        return { value: { t: type === '$' ? 'bulk' : type === '=' ? 'verbatim' : 'error', v: s }, end: p + n + 2 };
      }
      case '*':
      case '~':
      case '>':
      case '%':
      case '|': {
        const n = Number(line);
        if (n < 0) return { value: { t: 'null', v: null }, end: p };
        const count = type === '%' || type === '|' ? n * 2 : n;
        const items = [];
        for (let i = 0; i < count; i++) {
          const r = this.parse(p);
          if (r === null) return null;
          items.push(r.value);
          p = r.end;
        }
        if (type === '|') return this.parse(p); // attributes: skip, return the value after
        if (type === '%') {
          const pairs = [];
          for (let i = 0; i < items.length; i += 2) pairs.push([items[i], items[i + 1]]);
          return { value: { t: 'map', v: pairs }, end: p };
        }
        return { value: { t: type === '*' ? 'array' : type === '~' ? 'set' : 'push', v: items }, end: p };
      }
      default:
        throw new Error('RESP parse error: unexpected type byte ' + JSON.stringify(type));
    }
  }
}

function encode(argv) {
  const parts = [Buffer.from('*' + argv.length + '\r\n')];
  for (const a of argv) {
    const b = Buffer.from(a, 'utf8');
    parts.push(Buffer.from('$' + b.length + '\r\n'), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

function connect(port) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    const reader = new Resp3Reader();
    const waiting = [];
    sock.on('data', (d) => {
      reader.push(d);
      for (;;) {
        if (waiting.length === 0) return;
        const v = reader.next();
        if (v === undefined) return;
        waiting.shift()(v);
      }
    });
    sock.once('error', reject);
    sock.once('connect', () =>
      resolve({
        call(...argv) {
          return new Promise((res) => {
            waiting.push(res);
            sock.write(encode(argv));
          });
        },
        close() {
          sock.destroy();
        },
      }),
    );
  });
}

// ---------------------------------------------------------------------------------------------
// Starting our own redis-server when no --port was given.

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = srv.address().port;
      srv.close(() => resolve(port));
    });
  });
}

async function startRedis() {
  const bin = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fetch-docs-'));
  const proc = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('redis-server did not start:\n' + out)), 10000);
    const onData = (d) => {
      out += d.toString();
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.once('exit', (code) => reject(new Error('redis-server exited with ' + code + ':\n' + out)));
    proc.once('error', reject);
  });
  return {
    port,
    stop: () =>
      new Promise((resolve) => {
        proc.removeAllListeners('exit');
        proc.once('exit', () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
        proc.kill('SIGTERM');
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// Schema: the wire type of every field. Strings are bulk strings unless listed otherwise.
//   'str'       bulk string               'int'     integer
//   'flagset'   set of simple strings     'strset'  set of bulk strings
//   'history'   set of [bulk, bulk] arrays
//   'args'      array of argument maps    'subdocs' map name -> doc map (not stored)
//   'keyspecs'  set of key-spec maps      'map'     nested map (begin_search/find_keys...)

const DOC_FIELDS = {
  summary: 'str',
  since: 'str',
  group: 'str',
  complexity: 'str',
  module: 'str',
  doc_flags: 'flagset',
  deprecated_since: 'str',
  replaced_by: 'str',
  history: 'history',
  arguments: 'args',
  subcommands: 'subdocs',
};
const ARG_FIELDS = {
  name: 'str',
  type: 'str',
  key_spec_index: 'int',
  token: 'str',
  summary: 'str',
  since: 'str',
  flags: 'flagset',
  deprecated_since: 'str',
  arguments: 'args',
  value: 'str',
  display: 'str',
};
const KEYSPEC_FIELDS = { notes: 'str', flags: 'flagset', begin_search: 'search', find_keys: 'search' };

function fail(where, msg) {
  throw new Error(where + ': ' + msg);
}

function expectType(node, t, where) {
  if (node.t !== t) fail(where, 'expected ' + t + ', got ' + node.t + ' ' + JSON.stringify(node.v));
  return node.v;
}

function strOf(node, where) {
  return expectType(node, 'bulk', where);
}

function flagSet(node, where) {
  return expectType(node, 'set', where).map((x, i) => expectType(x, 'simple', where + '[' + i + ']'));
}

function mapPairs(node, where) {
  return expectType(node, 'map', where).map(([k, v]) => [strOf(k, where + ' key'), v]);
}

function convertArg(node, where) {
  const out = {};
  for (const [k, v] of mapPairs(node, where)) {
    const kind = ARG_FIELDS[k];
    const w = where + '.' + k;
    if (kind === undefined) fail(w, 'unknown argument field');
    if (kind === 'str') out[k] = strOf(v, w);
    else if (kind === 'int') out[k] = expectType(v, 'int', w);
    else if (kind === 'flagset') out[k] = flagSet(v, w);
    else if (kind === 'args') out[k] = expectType(v, 'array', w).map((a, i) => convertArg(a, w + '[' + i + ']'));
  }
  return out;
}

/** Converts one COMMAND DOCS doc map; subcommand docs are returned separately (flat). */
function convertDocs(name, node, flat) {
  const where = 'docs ' + name;
  const out = {};
  for (const [k, v] of mapPairs(node, where)) {
    const kind = DOC_FIELDS[k];
    const w = where + '.' + k;
    if (kind === undefined) fail(w, 'unknown doc field');
    if (kind === 'str') out[k] = strOf(v, w);
    else if (kind === 'flagset') out[k] = flagSet(v, w);
    else if (kind === 'history')
      out[k] = expectType(v, 'set', w).map((h, i) => {
        const pair = expectType(h, 'array', w + '[' + i + ']');
        if (pair.length !== 2) fail(w, 'history entry is not a pair');
        return [strOf(pair[0], w), strOf(pair[1], w)];
      });
    else if (kind === 'args') out[k] = expectType(v, 'array', w).map((a, i) => convertArg(a, w + '[' + i + ']'));
    else if (kind === 'subdocs') {
      for (const [subName, subDoc] of mapPairs(v, w)) flat.set(subName, convertDocs(subName, subDoc, flat));
    }
  }
  return out;
}

function convertSearch(node, where) {
  const out = {};
  for (const [k, v] of mapPairs(node, where)) {
    if (k === 'type') out.type = strOf(v, where + '.type');
    else if (k === 'spec') {
      const spec = {};
      for (const [sk, sv] of mapPairs(v, where + '.spec')) {
        if (sk === 'keyword') spec[sk] = strOf(sv, where + '.spec.' + sk);
        else spec[sk] = expectType(sv, 'int', where + '.spec.' + sk);
      }
      out.spec = spec;
    } else fail(where + '.' + k, 'unknown key-spec search field');
  }
  return out;
}

function convertKeySpec(node, where) {
  const out = {};
  for (const [k, v] of mapPairs(node, where)) {
    const kind = KEYSPEC_FIELDS[k];
    const w = where + '.' + k;
    if (kind === undefined) fail(w, 'unknown key-spec field');
    if (kind === 'str') out[k] = strOf(v, w);
    else if (kind === 'flagset') out[k] = flagSet(v, w);
    else out[k] = convertSearch(v, w);
  }
  return out;
}

/** Converts one COMMAND INFO entry (10 elements); subcommand entries go into `flat`. */
function convertInfo(node, flat) {
  const e = expectType(node, 'array', 'info');
  if (e.length !== 10) fail('info', 'expected 10 elements, got ' + e.length);
  const name = strOf(e[0], 'info name');
  const w = 'info ' + name;
  const info = {
    arity: expectType(e[1], 'int', w + ' arity'),
    flags: flagSet(e[2], w + ' flags'),
    first_key: expectType(e[3], 'int', w + ' first key'),
    last_key: expectType(e[4], 'int', w + ' last key'),
    step: expectType(e[5], 'int', w + ' step'),
    acl_categories: flagSet(e[6], w + ' acl categories'),
    tips: expectType(e[7], 'set', w + ' tips').map((t) => strOf(t, w + ' tip')),
    key_specs: expectType(e[8], 'set', w + ' key specs').map((k, i) => convertKeySpec(k, w + ' key spec ' + i)),
  };
  // Redis answers an empty set for a command without subcommands but an array for a
  // container's subcommand entries (command.ts writes the same).
  const subs = e[9].t === 'array' ? expectType(e[9], 'array', w) : expectType(e[9], 'set', w + ' subcommands');
  if (e[9].t === 'set' && subs.length > 0) fail(w, 'subcommands as a non-empty set');
  if (e[9].t === 'array' && subs.length === 0) fail(w, 'empty subcommands as an array');
  if (subs.length > 0) info.subcommands = subs.map((s) => convertInfo(s, flat)).sort();
  flat.set(name, info);
  return name;
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const own = portArg < 0 ? await startRedis() : null;
  const port = own !== null ? own.port : Number(args[portArg + 1]);
  const conn = await connect(port);
  try {
    const hello = await conn.call('HELLO', '3');
    const helloMap = new Map(mapPairs(hello, 'HELLO').map(([k, v]) => [k, v.v]));
    const version = String(helloMap.get('version'));
    if (!version.startsWith('7.0.')) throw new Error('expected a Redis 7.0 server, got ' + version);

    const infoFlat = new Map();
    const top = [];
    for (const entry of expectType(await conn.call('COMMAND', 'INFO'), 'array', 'COMMAND INFO')) {
      top.push(convertInfo(entry, infoFlat));
    }
    const docsFlat = new Map();
    for (const [name, doc] of mapPairs(await conn.call('COMMAND', 'DOCS'), 'COMMAND DOCS')) {
      docsFlat.set(name, convertDocs(name, doc, docsFlat));
    }
    const aclCats = expectType(await conn.call('ACL', 'CAT'), 'array', 'ACL CAT').map((x) => strOf(x, 'ACL CAT'));

    const names = [...new Set([...infoFlat.keys(), ...docsFlat.keys()])].sort();
    const commands = {};
    for (const name of names) {
      const info = infoFlat.get(name);
      const docs = docsFlat.get(name);
      if (info === undefined) throw new Error(name + ' has docs but no COMMAND INFO entry');
      if (docs === undefined) throw new Error(name + ' has COMMAND INFO but no docs');
      commands[name] = { ...info, docs };
    }

    const data = {
      redis_version: version,
      generated_by: 'scripts/fetch-command-docs.mjs (COMMAND INFO, COMMAND DOCS and ACL CAT of redis-server ' + version + ')',
      acl_categories: aclCats,
      command_count: top.length,
      commands,
    };
    // One command per line: small and diff-friendly.
    let text = '{\n';
    const headKeys = Object.keys(data).filter((k) => k !== 'commands');
    for (const k of headKeys) text += JSON.stringify(k) + ': ' + JSON.stringify(data[k]) + ',\n';
    text += '"commands": {\n';
    text += names.map((n) => JSON.stringify(n) + ': ' + JSON.stringify(commands[n])).join(',\n');
    text += '\n}\n}\n';

    if (check) {
      let old = '';
      try {
        old = readFileSync(outFile, 'utf8');
      } catch {
        // no stored file yet
      }
      if (old === text) {
        console.log('redis-docs.json is up to date (' + names.length + ' commands and subcommands)');
      } else {
        console.log('redis-docs.json differs from redis-server ' + version + '; rerun without --check');
        process.exitCode = 1;
      }
    } else {
      writeFileSync(outFile, text);
      console.log('wrote ' + path.relative(root, outFile) + ': ' + top.length + ' commands, ' + names.length + ' with subcommands (redis ' + version + ')');
    }
  } finally {
    conn.close();
    if (own !== null) await own.stop();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
