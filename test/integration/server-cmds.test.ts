/**
 * Server commands against a spawned Damselfly: TIME, LASTSAVE, MONITOR, SLOWLOG, LATENCY,
 * MEMORY, DEBUG and SHUTDOWN. The same commands also run on redis-server 7.0.15 (required: a
 * missing one fails those tests) and the replies are compared (with times, ports and ids
 * normalised); DEBUG DIGEST must be identical after the same writes.
 */

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDamselfly, startRedis, type ServerProcess } from '../helpers/servers.js';
import { RawConnection } from '../helpers/raw.js';

const DEBUG_ARGS = ['--enable-debug-command', 'yes'];

/** Sends every command on both connections and returns both byte streams. */
async function both(a: RawConnection, b: RawConnection, script: Array<Array<string | Buffer>>, settleMs = 300): Promise<[string, string]> {
  for (const cmd of script) {
    a.send(...cmd);
    b.send(...cmd);
  }
  await new Promise((r) => setTimeout(r, settleMs));
  const x = a.pending().toString('latin1');
  const y = b.pending().toString('latin1');
  return [x, y];
}

/** Consumes everything received so far. */
async function drain(c: RawConnection, settleMs = 100): Promise<string> {
  await new Promise((r) => setTimeout(r, settleMs));
  let out = '';
  for (;;) {
    try {
      out += (await c.readReply(1)).toString('latin1');
    } catch {
      return out;
    }
  }
}

describe('TIME and LASTSAVE', () => {
  let srv: ServerProcess;
  before(async () => {
    srv = await startDamselfly();
  });
  after(async () => {
    await srv.stop();
  });

  test('TIME is [seconds, microseconds] as bulk strings', async () => {
    const c = await RawConnection.connect(srv.port);
    const r = await c.call('TIME');
    const m = /^\*2\r\n\$\d+\r\n(\d+)\r\n\$\d+\r\n(\d+)\r\n$/.exec(r);
    assert.ok(m !== null, r);
    assert.ok(Math.abs(Number(m[1]) - Date.now() / 1000) < 5);
    assert.ok(Number(m[2]) < 1e6);
    assert.equal(await c.call('TIME', 'x'), "-ERR wrong number of arguments for 'time' command\r\n");
    const ls = await c.call('LASTSAVE');
    assert.match(ls, /^:\d+\r\n$/);
    assert.ok(Math.abs(Number(ls.slice(1, -2)) - Date.now() / 1000) < 60);
    c.close();
  });
});

describe('MONITOR', () => {
  let srv: ServerProcess;
  before(async () => {
    srv = await startDamselfly(DEBUG_ARGS);
  });
  after(async () => {
    await srv.stop();
  });

  const SCRIPT: string[][] = [
    ['PING'],
    ['ECHO', 'a b"\\\n\x01\xe9'],
    ['AUTH', 'secret'],
    ['AUTH', 'user', 'secret'],
    ['HELLO', '2', 'AUTH', 'default', 'pw', 'SETNAME', 'mon-test'],
    ['CLIENT', 'ID'],
    ['CLIENT', 'LIST'],
    ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'],
    ['DEBUG', 'DIGEST'],
    ['NOSUCHCOMMAND', 'x'],
    ['ECHO'],
    ['TIME'],
  ];

  /** Feed lines with the time and the client port normalised. */
  function normalise(feed: string): string[] {
    return feed
      .split('\r\n')
      .filter((l) => l !== '')
      .map((l) => l.replace(/^\+\d+\.\d{6} \[(\d+) 127\.0\.0\.1:\d+\]/, '+T [$1 ADDR]'));
  }

  test('feeds other clients commands, hides admin commands, redacts passwords', async () => {
    const m = await RawConnection.connect(srv.port);
    assert.equal(await m.call('MONITOR'), '+OK\r\n');
    const c = await RawConnection.connect(srv.port);
    for (const cmd of SCRIPT) c.send(...cmd);
    await drain(c, 300);
    const lines = normalise(await drain(m));
    assert.deepEqual(lines, [
      '+T [0 ADDR] "PING"',
      '+T [0 ADDR] "ECHO" "a b\\"\\\\\\n\\x01\\xe9"',
      '+T [0 ADDR] "AUTH" "(redacted)"',
      '+T [0 ADDR] "AUTH" "(redacted)" "(redacted)"',
      '+T [0 ADDR] "HELLO" "2" "AUTH" "(redacted)" "(redacted)" "SETNAME" "mon-test"',
      '+T [0 ADDR] "CLIENT" "ID"',
      '+T [0 ADDR] "TIME"',
    ]);
    m.close();
    c.close();
  });

  test('a second MONITOR is ignored without a reply; a monitor sees its own commands after the reply', async () => {
    const m = await RawConnection.connect(srv.port);
    assert.equal(await m.call('MONITOR'), '+OK\r\n');
    m.send('MONITOR');
    m.send('ECHO', 'self');
    assert.equal((await m.readReply()).toString('latin1'), '$4\r\nself\r\n');
    assert.match((await m.readReply()).toString('latin1'), /^\+\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "ECHO" "self"\r\n$/);
    m.close();
  });

  test('the same feed as redis-server 7.0', async () => {
    const ref = await startRedis(DEBUG_ARGS);
    try {
      const feeds: string[][] = [];
      for (const port of [srv.port, ref.port]) {
        const m = await RawConnection.connect(port);
        await m.call('MONITOR');
        const c = await RawConnection.connect(port);
        for (const cmd of SCRIPT) c.send(...cmd);
        await drain(c, 300);
        feeds.push(normalise(await drain(m)));
        m.close();
        c.close();
      }
      assert.deepEqual(feeds[0], feeds[1]);
    } finally {
      await ref.stop();
    }
  });
});

describe('SLOWLOG', () => {
  let srv: ServerProcess;
  before(async () => {
    srv = await startDamselfly([...DEBUG_ARGS, '--slowlog-log-slower-than', '0', '--slowlog-max-len', '5']);
  });
  after(async () => {
    await srv.stop();
  });

  const LONG = 'x'.repeat(200);
  const MANY = Array.from({ length: 40 }, (_, i) => 'k' + i);

  /** SLOWLOG GET with id, time, duration and peer replaced, one entry per array element. */
  function entries(reply: string): string {
    return reply
      .replace(/\*6\r\n:\d+\r\n:\d+\r\n:\d+\r\n/g, '*6\r\n:ID\r\n:T\r\n:D\r\n')
      .replace(/\$\d+\r\n127\.0\.0\.1:\d+\r\n/g, '$P\r\nPEER\r\n');
  }

  const SCRIPT: string[][] = [
    ['SLOWLOG', 'RESET'],
    ['CLIENT', 'SETNAME', 'slow-client'],
    ['ECHO', LONG],
    ['DEBUG', 'DIGEST-VALUE', ...MANY],
    ['AUTH', 'pw'],
    ['SLOWLOG', 'LEN'],
    ['SLOWLOG', 'GET', '3'],
    ['SLOWLOG', 'GET', '-1'],
    ['SLOWLOG', 'GET', 'x'],
    ['SLOWLOG', 'GET', '-2'],
    ['SLOWLOG', 'GET', '1', '2'],
    ['SLOWLOG', 'HELP'],
    ['SLOWLOG', 'foo'],
    ['SLOWLOG'],
  ];

  test('records every call with Redis truncation and redaction rules', async () => {
    const c = await RawConnection.connect(srv.port);
    for (const cmd of SCRIPT.slice(0, 5)) await c.call(...cmd);
    assert.equal(await c.call('SLOWLOG', 'LEN'), ':5\r\n');
    const get = await c.call('SLOWLOG', 'GET', '10');
    // max-len 5: the newest five, newest first (SLOWLOG LEN itself is the newest).
    assert.match(get, /^\*5\r\n\*6\r\n:\d+\r\n:\d+\r\n:\d+\r\n\*2\r\n\$7\r\nSLOWLOG\r\n\$3\r\nLEN\r\n\$\d+\r\n127\.0\.0\.1:\d+\r\n\$11\r\nslow-client\r\n/);
    assert.ok(get.includes('$10\r\n(redacted)\r\n'), 'AUTH password redacted');
    assert.ok(get.includes('$' + (128 + 19) + '\r\n' + 'x'.repeat(128) + '... (72 more bytes)\r\n'), 'long argument cut at 128 bytes');
    assert.ok(get.includes('*32\r\n$5\r\nDEBUG\r\n'), 'at most 32 arguments');
    assert.ok(get.includes('$23\r\n... (11 more arguments)\r\n'));
    assert.equal(await c.call('SLOWLOG', 'RESET'), '+OK\r\n');
    // The RESET itself is logged after the log was emptied.
    assert.equal(await c.call('SLOWLOG', 'LEN'), ':1\r\n');
    c.close();
  });

  test('the same replies as redis-server 7.0', async () => {
    const ref = await startRedis([...DEBUG_ARGS, '--slowlog-log-slower-than', '0', '--slowlog-max-len', '5']);
    try {
      const a = await RawConnection.connect(srv.port);
      const b = await RawConnection.connect(ref.port);
      const out: string[] = [];
      for (const c of [a, b]) {
        let s = '';
        for (const cmd of SCRIPT) s += entries(await c.call(...cmd));
        out.push(s);
      }
      assert.equal(out[0], out[1]);
      a.close();
      b.close();
    } finally {
      await ref.stop();
    }
  });
});

describe('LATENCY', () => {
  let srv: ServerProcess;
  before(async () => {
    srv = await startDamselfly([...DEBUG_ARGS, '--latency-monitor-threshold', '20']);
  });
  after(async () => {
    await srv.stop();
  });

  test('slow commands become "command" events', async () => {
    const c = await RawConnection.connect(srv.port);
    assert.equal(await c.call('LATENCY', 'LATEST'), '*0\r\n');
    assert.equal(await c.call('DEBUG', 'SLEEP', '0.05'), '+OK\r\n');
    const latest = await c.call('LATENCY', 'LATEST');
    const m = /^\*1\r\n\*4\r\n\$7\r\ncommand\r\n:(\d+)\r\n:(\d+)\r\n:(\d+)\r\n$/.exec(latest);
    assert.ok(m !== null, latest);
    assert.ok(Number(m[2]) >= 50 && Number(m[3]) >= 50);
    assert.match(await c.call('LATENCY', 'HISTORY', 'command'), /^\*1\r\n\*2\r\n:\d+\r\n:\d+\r\n$/);
    assert.equal(await c.call('LATENCY', 'HISTORY', 'nosuch'), '*0\r\n');
    const graph = await c.call('LATENCY', 'GRAPH', 'command');
    assert.match(graph, /^\$\d+\r\ncommand - high \d+ ms, low \d+ ms \(all time high \d+ ms\)\n-{80}\n/);
    assert.equal(await c.call('LATENCY', 'GRAPH', 'nosuch'), "-ERR No samples available for event 'nosuch'\r\n");
    assert.match(await c.call('LATENCY', 'DOCTOR'), /^\$\d+\r\nDave, I have observed latency spikes in this Redis instance\./);
    assert.equal(await c.call('LATENCY', 'RESET', 'command', 'nosuch'), ':1\r\n');
    assert.equal(await c.call('LATENCY', 'LATEST'), '*0\r\n');
    assert.equal(await c.call('LATENCY', 'RESET'), ':0\r\n');
    assert.match(await c.call('LATENCY', 'DOCTOR'), /^\$\d+\r\nDave, no latency spike was observed/);
    // Fast commands under the threshold are not events.
    await c.call('PING');
    assert.equal(await c.call('LATENCY', 'LATEST'), '*0\r\n');
    assert.match(await c.call('LATENCY', 'HISTOGRAM', 'ping'), /^\*2\r\n\$4\r\nping\r\n\*4\r\n\$5\r\ncalls\r\n:\d+\r\n\$14\r\nhistogram_usec\r\n\*/);
    c.close();
  });

  test('HELP, errors and the disabled DOCTOR text equal redis-server 7.0', async () => {
    const ref = await startRedis(DEBUG_ARGS);
    const plain = await startDamselfly(DEBUG_ARGS);
    try {
      const a = await RawConnection.connect(plain.port);
      const b = await RawConnection.connect(ref.port);
      const [x, y] = await both(a, b, [
        ['LATENCY', 'HELP'],
        ['LATENCY', 'DOCTOR'],
        ['LATENCY', 'LATEST'],
        ['LATENCY', 'HISTORY', 'command'],
        ['LATENCY', 'GRAPH', 'command'],
        ['LATENCY', 'RESET'],
        ['LATENCY', 'FOO'],
        ['LATENCY'],
      ]);
      assert.equal(x, y);
      a.close();
      b.close();
    } finally {
      await ref.stop();
      await plain.stop();
    }
  });
});

describe('MEMORY', () => {
  let srv: ServerProcess;
  before(async () => {
    srv = await startDamselfly(DEBUG_ARGS);
  });
  after(async () => {
    await srv.stop();
  });

  test('USAGE, STATS, DOCTOR, MALLOC-STATS, PURGE', async () => {
    const c = await RawConnection.connect(srv.port);
    await c.call('DEBUG', 'POPULATE', '3', 'mem', '1000');
    const u = await c.call('MEMORY', 'USAGE', 'mem:1');
    assert.match(u, /^:\d+\r\n$/);
    assert.ok(Number(u.slice(1, -2)) >= 1000);
    assert.equal(await c.call('MEMORY', 'USAGE', 'mem:1', 'SAMPLES', '0'), u);
    assert.equal(await c.call('MEMORY', 'USAGE', 'nokey'), '$-1\r\n');
    const stats = await c.call('MEMORY', 'STATS');
    assert.match(stats, /^\*\d+\r\n\$14\r\npeak\.allocated\r\n:\d+\r\n/);
    assert.ok(stats.includes('$4\r\ndb.0\r\n*6\r\n$23\r\noverhead.hashtable.main\r\n'));
    assert.ok(stats.includes('$10\r\nkeys.count\r\n:3\r\n'));
    assert.match(await c.call('MEMORY', 'DOCTOR'), /^\$\d+\r\nHi Sam, /);
    assert.match(await c.call('MEMORY', 'MALLOC-STATS'), /^\$\d+\r\n/);
    assert.equal(await c.call('MEMORY', 'PURGE'), '+OK\r\n');
    c.close();
  });

  test('the same reply shapes and errors as redis-server 7.0', async () => {
    const ref = await startRedis(DEBUG_ARGS);
    try {
      const a = await RawConnection.connect(srv.port);
      const b = await RawConnection.connect(ref.port);
      for (const c of [a, b]) {
        await c.call('FLUSHALL');
        await c.call('DEBUG', 'POPULATE', '3', 'mem', '10');
      }
      const [x, y] = await both(a, b, [
        ['MEMORY', 'USAGE', 'nokey'],
        ['MEMORY', 'USAGE', 'mem:1', 'SAMPLES'],
        ['MEMORY', 'USAGE', 'mem:1', 'SAMPLES', 'x'],
        ['MEMORY', 'USAGE', 'mem:1', 'SAMPLES', '-1'],
        ['MEMORY', 'USAGE', 'mem:1', 'FOO', '1'],
        ['MEMORY', 'USAGE'],
        ['MEMORY', 'HELP'],
        ['MEMORY', 'PURGE'],
        ['MEMORY', 'FOO'],
      ]);
      assert.equal(x, y);
      // MEMORY STATS: the same keys in the same order (values are each server's own).
      const keys = (s: string): string[] => [...s.matchAll(/\$\d+\r\n([a-z][a-z0-9.-]*)\r\n/g)].map((m) => m[1]!);
      assert.deepEqual(keys(await a.call('MEMORY', 'STATS')), keys(await b.call('MEMORY', 'STATS')));
      a.close();
      b.close();
    } finally {
      await ref.stop();
    }
  });
});

describe('DEBUG', () => {
  let srv: ServerProcess;
  before(async () => {
    srv = await startDamselfly(DEBUG_ARGS);
  });
  after(async () => {
    await srv.stop();
  });

  test('refused unless enable-debug-command allows it', async () => {
    const off = await startDamselfly();
    try {
      const c = await RawConnection.connect(off.port);
      assert.equal(
        await c.call('DEBUG', 'DIGEST'),
        '-ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.\r\n',
      );
      c.close();
    } finally {
      await off.stop();
    }
    const local = await startDamselfly(['--enable-debug-command', 'local']);
    try {
      const c = await RawConnection.connect(local.port);
      assert.match(await c.call('DEBUG', 'DIGEST'), /^\+[0-9a-f]{40}\r\n$/);
      c.close();
    } finally {
      await local.stop();
    }
  });

  test('POPULATE, OBJECT, DIGEST, DIGEST-VALUE, SLEEP, SET-ACTIVE-EXPIRE', async () => {
    const c = await RawConnection.connect(srv.port);
    assert.equal(await c.call('DEBUG', 'DIGEST'), '+' + '0'.repeat(40) + '\r\n');
    assert.equal(await c.call('DEBUG', 'POPULATE', '10'), '+OK\r\n');
    assert.match(await c.call('INFO', 'keyspace'), /db0:keys=10,expires=0/);
    // Existing keys are skipped, not overwritten: the digest does not change.
    const d1 = await c.call('DEBUG', 'DIGEST');
    assert.equal(await c.call('DEBUG', 'POPULATE', '5', 'key', '50'), '+OK\r\n');
    assert.equal(await c.call('DEBUG', 'DIGEST'), d1);
    assert.match(await c.call('INFO', 'persistence'), /rdb_changes_since_last_save:0\r\n/);
    assert.match(
      await c.call('DEBUG', 'OBJECT', 'key:3'),
      /^\+Value at:0x[0-9a-f]+ refcount:1 encoding:embstr serializedlength:8 lru:\d+ lru_seconds_idle:\d+\r\n$/,
    );
    assert.equal(await c.call('DEBUG', 'OBJECT', 'nokey'), '-ERR no such key\r\n');
    assert.match(await c.call('DEBUG', 'DIGEST-VALUE', 'key:1', 'nokey'), /^\*2\r\n\+[0-9a-f]{40}\r\n\+0{40}\r\n$/);
    assert.equal(await c.call('DEBUG', 'DIGEST-VALUE'), '*0\r\n');
    // SLEEP stops the whole server.
    const other = await RawConnection.connect(srv.port);
    await other.call('PING');
    // Measured from before the SLEEP is sent: the PING cannot be answered until the sleep has
    // ended, however late this (possibly loaded) test process gets to send it.
    const t0 = Date.now();
    c.send('DEBUG', 'SLEEP', '0.3');
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(await other.call('PING'), '+PONG\r\n');
    assert.ok(Date.now() - t0 >= 290, 'PING answered during DEBUG SLEEP');
    assert.equal((await c.readReply()).toString('latin1'), '+OK\r\n');
    assert.equal(await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0'), '+OK\r\n');
    assert.equal(await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1'), '+OK\r\n');
    other.close();
    c.close();
  });

  test('SET-ACTIVE-EXPIRE 0 keeps expired keys until they are touched', async () => {
    const c = await RawConnection.connect(srv.port);
    await c.call('FLUSHALL');
    assert.equal(await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0'), '+OK\r\n');
    for (let i = 0; i < 20; i++) await c.call('SET', 'ttl:' + i, 'v', 'PX', '10');
    await new Promise((r) => setTimeout(r, 300));
    assert.match(await c.call('INFO', 'keyspace'), /db0:keys=20,/);
    assert.equal(await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1'), '+OK\r\n');
    await new Promise((r) => setTimeout(r, 500));
    assert.doesNotMatch(await c.call('INFO', 'keyspace'), /db0:keys=20,/);
    c.close();
  });

  test('DIGEST and DIGEST-VALUE equal redis-server 7.0 after the same writes', async () => {
    const ref = await startRedis(DEBUG_ARGS);
    try {
      const a = await RawConnection.connect(srv.port);
      const b = await RawConnection.connect(ref.port);
      const script: string[][] = [['FLUSHALL'], ['DEBUG', 'POPULATE', '1000'], ['DEBUG', 'POPULATE', '50', 'pfx', '300'], ['DEBUG', 'POPULATE', '7', 'short', '3']];
      const writes: string[][] = [
        ['SET', 'str', 'hello'],
        ['SET', 'int', '12345'],
        ['SET', 'neg', '-7'],
        ['SET', 'big', 'b'.repeat(100)],
        ['SET', 'bin', '\x00\xff\r\n'],
        ['SET', 'ttl', 'v', 'EX', '1000'],
        ['PEXPIRE', 'str', '500000'],
        ['SELECT', '5'],
        ['SET', 'in5', 'x'],
        ['SELECT', '0'],
      ];
      for (const cmd of script) assert.equal(await a.call(...cmd), await b.call(...cmd));
      for (const cmd of writes) assert.equal(await a.call(...cmd), await b.call(...cmd), cmd.join(' '));
      assert.equal(await a.call('DEBUG', 'DIGEST'), await b.call('DEBUG', 'DIGEST'));
      const keys = ['key:0', 'key:999', 'pfx:3', 'short:6', 'str', 'int', 'big', 'bin', 'ttl', 'missing'];
      assert.equal(await a.call('DEBUG', 'DIGEST-VALUE', ...keys), await b.call('DEBUG', 'DIGEST-VALUE', ...keys));
      // DEBUG OBJECT: the same encoding and serialized length for short strings.
      for (const k of ['key:5', 'short:1', 'str', 'int', 'neg', 'big']) {
        const strip = (s: string): string => s.replace(/at:0x[0-9a-f]+ /, '').replace(/ lru:\d+ lru_seconds_idle:\d+/, '');
        if (k === 'big') {
          // Redis LZF-compresses strings over 20 bytes in its serialized length; we do not.
          assert.match(strip(await a.call('DEBUG', 'OBJECT', k)), /encoding:raw|no such key/);
          continue;
        }
        assert.equal(strip(await a.call('DEBUG', 'OBJECT', k)), strip(await b.call('DEBUG', 'OBJECT', k)), 'DEBUG OBJECT ' + k);
      }
      a.close();
      b.close();
    } finally {
      await ref.stop();
    }
  });

  test('HELP, PROTOCOL and errors equal redis-server 7.0', async () => {
    const ref = await startRedis(DEBUG_ARGS);
    try {
      const a = await RawConnection.connect(srv.port);
      const b = await RawConnection.connect(ref.port);
      const types = ['string', 'integer', 'double', 'bignum', 'null', 'array', 'set', 'map', 'attrib', 'push', 'verbatim', 'true', 'false', 'nope'];
      const script: string[][] = [
        ['DEBUG', 'HELP'],
        ...types.map((t) => ['DEBUG', 'PROTOCOL', t]),
        ['HELLO', '3'],
        ...types.map((t) => ['DEBUG', 'PROTOCOL', t]),
        ['HELLO', '2'],
        ['DEBUG', 'FOO'],
        ['DEBUG', 'JMAP'],
        ['DEBUG', 'DIGEST', 'x'],
        ['DEBUG', 'OBJECT'],
        ['DEBUG', 'SET-ACTIVE-EXPIRE'],
        ['DEBUG', 'POPULATE', '-1'],
        ['DEBUG', 'POPULATE', 'x'],
        ['DEBUG', 'POPULATE', '1', 'p', 'y'],
        ['DEBUG', 'RELOAD', 'x'],
        ['DEBUG', 'ERROR', 'custom error text'],
        ['DEBUG', 'LOG', 'hello from the test'],
        ['DEBUG', 'SLEEP', '0'],
        ['DEBUG'],
      ];
      const [x, y] = await both(a, b, script, 500);
      // HELLO replies differ only in the client id.
      const norm = (s: string): string => s.replace(/\$2\r\nid\r\n:\d+\r\n/g, '$2\r\nid\r\n:N\r\n');
      assert.equal(norm(x), norm(y));
      a.close();
      b.close();
    } finally {
      await ref.stop();
    }
  });
});

describe('SHUTDOWN', () => {
  test('argument errors and ABORT without a shutdown', async () => {
    const srv = await startDamselfly();
    try {
      const c = await RawConnection.connect(srv.port);
      const script: string[][] = [
        ['SHUTDOWN', 'foo'],
        ['SHUTDOWN', 'ABORT'],
        ['SHUTDOWN', 'NOSAVE', 'SAVE'],
        ['SHUTDOWN', 'SAVE', 'NOSAVE'],
        ['SHUTDOWN', 'ABORT', 'NOW'],
        ['SHUTDOWN', 'NOW', 'FORCE', 'x'],
      ];
      const expected = [
        '-ERR syntax error\r\n',
        '-ERR No shutdown in progress.\r\n',
        '-ERR syntax error\r\n',
        '-ERR syntax error\r\n',
        '-ERR syntax error\r\n',
        '-ERR syntax error\r\n',
      ];
      for (let i = 0; i < script.length; i++) assert.equal(await c.call(...script[i]!), expected[i], script[i]!.join(' '));
      const ref = await startRedis();
      try {
        const r = await RawConnection.connect(ref.port);
        for (let i = 0; i < script.length; i++) assert.equal(await r.call(...script[i]!), expected[i], 'redis: ' + script[i]!.join(' '));
        r.close();
      } finally {
        await ref.stop();
      }
      c.close();
    } finally {
      await srv.stop();
    }
  });

  test('SHUTDOWN NOSAVE closes the connection without a reply and exits 0', async () => {
    const srv = await startDamselfly();
    const exited = new Promise<number | null>((r) => srv.proc.once('exit', (code) => r(code)));
    const c = await RawConnection.connect(srv.port);
    c.send('SHUTDOWN', 'NOSAVE');
    await c.waitClosed(5000);
    assert.equal(c.pending().length, 0);
    assert.equal(await exited, 0);
    assert.match(srv.output(), /User requested shutdown\.\.\./);
  });

  test('plain SHUTDOWN (no save points) exits too', async () => {
    const srv = await startDamselfly();
    const exited = new Promise<number | null>((r) => srv.proc.once('exit', (code) => r(code)));
    const c = await RawConnection.connect(srv.port);
    c.send('SHUTDOWN');
    await c.waitClosed(5000);
    assert.equal(await exited, 0);
  });
});
