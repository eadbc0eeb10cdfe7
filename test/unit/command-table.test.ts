/**
 * The command table against Redis 7.0's COMMAND INFO, without a live server: every command and
 * subcommand we implement must have the arity, flags, key positions and ACL categories that
 * redis-server 7.0.15 reports (recorded in src/commands/redis-docs.json by
 * scripts/fetch-command-docs.mjs). A failure here names a family file whose declaration drifted.
 */

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { allCommandSpecs, CommandTable } from '../../src/commands/table.js';
import { keySpecIndexes, redisCommandData, type RedisCommandData } from '../../src/commands/command.js';
import { FLAG_ORDER, type CommandSpec } from '../../src/commands/spec.js';

/**
 * Documented deviations: full name → reason. Listed fields are not compared for that command.
 * Keep this empty unless Damselfly deliberately differs (and the difference is documented).
 */
const DEVIATIONS: Record<string, { fields: Array<keyof Comparable>; reason: string }> = {};

/** Commands Damselfly has that Redis 7.0 does not (full name → reason). */
const NOT_IN_REDIS: Record<string, string> = {
  // Redis 7.2 subcommands that ioredis 6 and node-redis send on every connect; answering them
  // saves a failed round trip and an error in the client's log.
  'client|setinfo': 'Redis 7.2 command, sent by clients on connect',
  'client|no-touch': 'Redis 7.2 command, required by the server-core issue',
  repltakeover: 'Damselfly graceful failover (as in Dragonfly), required by the replication issue',
};

interface Comparable {
  arity: number;
  flags: string[];
  first_key: number;
  last_key: number;
  step: number;
  acl_categories: string[];
}

const data = redisCommandData();

function fromSpec(s: CommandSpec): Comparable {
  return {
    arity: s.arity,
    // may_replicate is internal in 7.0 (COMMAND INFO never shows it; CLIENT PAUSE WRITE uses it).
    flags: s.flags.filter((f) => f !== 'may_replicate').sort(),
    first_key: s.firstKey,
    last_key: s.lastKey,
    step: s.step,
    acl_categories: s.acl.map((a) => '@' + a).sort(),
  };
}

function fromRedis(d: RedisCommandData): Comparable {
  return {
    arity: d.arity,
    flags: [...d.flags].sort(),
    first_key: d.first_key,
    last_key: d.last_key,
    step: d.step,
    acl_categories: [...d.acl_categories].sort(),
  };
}

function checkCommand(spec: CommandSpec, fullName: string): void {
  if (Object.prototype.hasOwnProperty.call(NOT_IN_REDIS, fullName)) return;
  const ref = data.commands[fullName];
  assert.ok(ref !== undefined, fullName + ' is not a Redis 7.0 command (add it to NOT_IN_REDIS with a reason if intended)');
  const mine = fromSpec(spec);
  const theirs = fromRedis(ref);
  const dev = DEVIATIONS[fullName];
  if (dev !== undefined) {
    for (const f of dev.fields) {
      delete (mine as Partial<Comparable>)[f];
      delete (theirs as Partial<Comparable>)[f];
    }
  }
  assert.deepEqual(mine, theirs, fullName + ': table entry differs from Redis 7.0 COMMAND INFO');
  // Commands whose keys depend on the arguments need an extractor (COMMAND GETKEYS, ACL, cluster).
  if (spec.flags.includes('movablekeys')) {
    assert.ok(spec.getKeys !== undefined, fullName + ' is movablekeys but has no getKeys');
  }
  assert.equal(spec.name, spec.name.toLowerCase(), fullName + ': names are lower-case');
  for (const f of spec.flags) assert.ok(FLAG_ORDER.includes(f), fullName + ': unknown flag ' + f);
  for (const a of spec.acl) {
    assert.ok(data.acl_categories.includes(a), fullName + ': unknown ACL category ' + JSON.stringify(a) + ' (spelled without @)');
  }
  if (spec.subcommands === undefined || spec.subcommands.length === 0) {
    assert.ok(spec.handler !== undefined, fullName + ' has neither a handler nor subcommands');
  }
}

const specs = allCommandSpecs();

describe('command table matches Redis 7.0 COMMAND INFO', () => {
  test('the table builds (no duplicate names)', () => {
    const t = new CommandTable(specs);
    assert.equal(t.byName.size, specs.length);
  });

  test('recorded data is Redis 7.0 and complete', () => {
    assert.match(data.redis_version, /^7\.0\./);
    const top = Object.keys(data.commands).filter((n) => !n.includes('|'));
    assert.equal(top.length, data.command_count);
    for (const [name, d] of Object.entries(data.commands)) {
      for (const sub of d.subcommands ?? []) assert.ok(data.commands[sub] !== undefined, name + ': missing ' + sub);
    }
  });

  for (const spec of specs) {
    test(spec.name, () => checkCommand(spec, spec.name));
    for (const sub of spec.subcommands ?? []) {
      const full = spec.name + '|' + sub.name;
      test(full, () => checkCommand(sub, full));
    }
  }
});

// Key-spec evaluation (COMMAND GETKEYSANDFLAGS) on Redis's own specs; expected indexes are what
// redis-server 7.0.15 returns for COMMAND GETKEYS with the same arguments.
describe('key specs select the keys Redis selects', () => {
  const argv = (...a: string[]): Buffer[] => a.map((x) => Buffer.from(x, 'latin1'));
  const keysBy = (name: string, args: Buffer[]): number[] => {
    const out: number[] = [];
    for (const ks of data.commands[name]!.key_specs) out.push(...(keySpecIndexes(ks, args) ?? []));
    return out;
  };

  test('index + range (mset: step 2, last = -1)', () => {
    assert.deepEqual(keysBy('mset', argv('mset', 'a', '1', 'b', '2')), [1, 3]);
  });
  test('keyword + range with limit (xread STREAMS a b 0 0)', () => {
    assert.deepEqual(keysBy('xread', argv('xread', 'COUNT', '2', 'streams', 'a', 'b', '0', '0')), [4, 5]);
  });
  test('keyword searched backwards (migrate ... KEYS a b)', () => {
    assert.deepEqual(keysBy('migrate', argv('migrate', 'h', 'p', '', '0', '5', 'KEYS', 'a', 'b')), [3, 7, 8]);
  });
  test('keynum (zunion 2 a b)', () => {
    assert.deepEqual(keysBy('zunion', argv('zunion', '2', 'a', 'b', 'WEIGHTS', '1', '2')), [2, 3]);
  });
  test('unknown specs select nothing they can vouch for (sort)', () => {
    const specs = data.commands['sort']!.key_specs;
    assert.deepEqual(keySpecIndexes(specs[0]!, argv('sort', 'a', 'STORE', 'b')), [1]);
    assert.equal(keySpecIndexes(specs[2]!, argv('sort', 'a', 'STORE', 'b')), null);
  });
});
