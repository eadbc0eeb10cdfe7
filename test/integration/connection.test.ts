/**
 * Connection commands against a spawned Damselfly: PING, ECHO, QUIT, RESET, HELLO (RESP3
 * switch, AUTH and SETNAME options), AUTH with and without requirepass, protected mode. Raw
 * sockets check bytes; ioredis and @redis/client check that real clients connect, authenticate
 * and talk RESP3. Expected bytes and texts are redis-server 7.0.15's, also compared live with
 * it (required: a missing one fails those tests). The protected-mode decision itself is unit
 * tested in test/unit/protected-mode.test.ts.
 */

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import net from 'node:net';
import { Redis } from 'ioredis';
import { createClient } from '@redis/client';
import { startDamselfly, startRedis, type ServerProcess } from '../helpers/servers.js';
import { RawConnection } from '../helpers/raw.js';

const NOT_CONFIGURED =
  '-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n';
const WRONGPASS = '-WRONGPASS invalid username-password pair or user is disabled.\r\n';
const HELLO_NOAUTH =
  '-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n';

/** The HELLO reply Redis 7.0 sends, for a given protocol and client id. */
function helloBytes(proto: 2 | 3, id: number, role = 'master'): string {
  const body =
    '$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:' +
    proto +
    '\r\n$2\r\nid\r\n:' +
    id +
    '\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$' +
    role.length +
    '\r\n' +
    role +
    '\r\n$7\r\nmodules\r\n*0\r\n';
  return (proto === 3 ? '%7\r\n' : '*14\r\n') + body;
}

async function clientId(c: RawConnection): Promise<number> {
  const r = await c.call('CLIENT', 'ID');
  return Number(r.slice(1, -2));
}

/** Resolves true when the server closes the connection within `ms`. */
async function closedWithin(c: RawConnection, ms: number): Promise<boolean> {
  try {
    await c.waitClosed(ms);
    return true;
  } catch {
    return false;
  }
}

describe('connection commands (no password)', () => {
  let srv: ServerProcess;

  before(async () => {
    srv = await startDamselfly();
  });
  after(async () => {
    await srv.stop();
  });

  test('PING and ECHO', async () => {
    const c = await RawConnection.connect(srv.port);
    assert.equal(await c.call('PING'), '+PONG\r\n');
    assert.equal(await c.call('ping', 'hello world'), '$11\r\nhello world\r\n');
    assert.equal(await c.call('PING', 'a', 'b'), "-ERR wrong number of arguments for 'ping' command\r\n");
    assert.equal(await c.call('ECHO', Buffer.from([0, 1, 0xff])), '$3\r\n\x00\x01\xff\r\n');
    assert.equal(await c.call('ECHO'), "-ERR wrong number of arguments for 'echo' command\r\n");
    assert.equal(await c.call('ECHO', 'a', 'b'), "-ERR wrong number of arguments for 'echo' command\r\n");
    c.close();
  });

  test('HELLO replies, switches to RESP3 and back', async () => {
    const c = await RawConnection.connect(srv.port);
    const id = await clientId(c);
    assert.equal(await c.call('HELLO'), helloBytes(2, id));
    assert.equal(await c.call('HELLO', '3'), helloBytes(3, id));
    // RESP3 from now on: null, map, set and verbatim types.
    assert.equal(await c.call('CLIENT', 'GETNAME'), '_\r\n');
    assert.equal(
      await c.call('CLIENT', 'TRACKINGINFO'),
      '%3\r\n$5\r\nflags\r\n~1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n',
    );
    assert.match(await c.call('CLIENT', 'INFO'), /^=\d+\r\ntxt:id=\d+ .* resp=3\n\r\n$/);
    assert.match(await c.call('INFO', 'cluster'), /^=\d+\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n$/);
    assert.equal(await c.call('HELLO'), helloBytes(3, id));
    assert.equal(await c.call('HELLO', '2'), helloBytes(2, id));
    assert.equal(await c.call('CLIENT', 'GETNAME'), '$-1\r\n');
    c.close();
  });

  test('HELLO errors', async () => {
    const c = await RawConnection.connect(srv.port);
    assert.equal(await c.call('HELLO', '4'), '-NOPROTO unsupported protocol version\r\n');
    assert.equal(await c.call('HELLO', '1'), '-NOPROTO unsupported protocol version\r\n');
    assert.equal(await c.call('HELLO', 'abc'), '-ERR Protocol version is not an integer or out of range\r\n');
    assert.equal(await c.call('HELLO', '3.0'), '-ERR Protocol version is not an integer or out of range\r\n');
    assert.equal(await c.call('HELLO', '3', 'FOO'), "-ERR Syntax error in HELLO option 'FOO'\r\n");
    assert.equal(await c.call('HELLO', '3', 'AUTH', 'default'), "-ERR Syntax error in HELLO option 'AUTH'\r\n");
    assert.equal(await c.call('HELLO', '3', 'SETNAME'), "-ERR Syntax error in HELLO option 'SETNAME'\r\n");
    assert.equal(
      await c.call('HELLO', '2', 'SETNAME', 'a b'),
      '-ERR Client names cannot contain spaces, newlines or special characters.\r\n',
    );
    // A failed HELLO leaves the protocol unchanged.
    assert.equal(await c.call('CLIENT', 'GETNAME'), '$-1\r\n');
    c.close();
  });

  test('HELLO SETNAME and AUTH options', async () => {
    const c = await RawConnection.connect(srv.port);
    const id = await clientId(c);
    assert.equal(await c.call('HELLO', '3', 'SETNAME', 'conn-1'), helloBytes(3, id));
    assert.equal(await c.call('CLIENT', 'GETNAME'), '$6\r\nconn-1\r\n');
    // Without a password the default user accepts any password; other users do not exist.
    assert.equal(await c.call('HELLO', '2', 'AUTH', 'default', 'anything', 'SETNAME', 'x'), helloBytes(2, id));
    assert.equal(await c.call('HELLO', '2', 'AUTH', 'bob', 'pw'), WRONGPASS);
    assert.equal(await c.call('CLIENT', 'GETNAME'), '$1\r\nx\r\n');
    c.close();
  });

  test('AUTH without a configured password', async () => {
    const c = await RawConnection.connect(srv.port);
    assert.equal(await c.call('AUTH', 'x'), NOT_CONFIGURED);
    assert.equal(await c.call('AUTH', 'default', 'x'), '+OK\r\n');
    assert.equal(await c.call('AUTH', 'bob', 'x'), WRONGPASS);
    assert.equal(await c.call('AUTH', 'a', 'b', 'c'), '-ERR syntax error\r\n');
    assert.equal(await c.call('AUTH'), "-ERR wrong number of arguments for 'auth' command\r\n");
    c.close();
  });

  test('QUIT replies OK, closes, and runs nothing after it', async () => {
    const c = await RawConnection.connect(srv.port);
    c.write('*1\r\n$4\r\nQUIT\r\n*1\r\n$4\r\nPING\r\n');
    await c.waitClosed();
    assert.equal(c.pending().toString('latin1'), '+OK\r\n');
    const d = await RawConnection.connect(srv.port);
    assert.equal(await d.call('QUIT', 'extra', 'args'), '+OK\r\n');
    await d.waitClosed();
  });

  test('RESET restores the connection defaults', async () => {
    const c = await RawConnection.connect(srv.port);
    assert.equal(await c.call('HELLO', '3', 'SETNAME', 'named'), helloBytes(3, await clientId(c)));
    const selected = await c.call('SELECT', '3');
    assert.equal(await c.call('CLIENT', 'NO-EVICT', 'on'), '+OK\r\n');
    c.send('CLIENT', 'REPLY', 'OFF');
    c.send('PING');
    c.send('RESET');
    assert.equal((await c.readReply()).toString('latin1'), '+RESET\r\n');
    // RESP2 again, no name, db 0, replies on; NO-EVICT survives RESET in Redis 7.0.
    assert.equal(await c.call('CLIENT', 'GETNAME'), '$-1\r\n');
    const info = await c.call('CLIENT', 'INFO');
    assert.match(info, /^\$\d+\r\n/);
    assert.match(info, / db=0 /);
    assert.match(info, / flags=e /);
    assert.match(info, / name= /);
    assert.match(info, / resp=2\n/);
    if (selected === '+OK\r\n') assert.match(await c.call('CLIENT', 'INFO'), / db=0 /);
    c.close();
  });

  test('RESET leaves MONITOR mode', async () => {
    const m = await RawConnection.connect(srv.port);
    assert.equal(await m.call('MONITOR'), '+OK\r\n');
    assert.equal(await m.call('RESET'), '+RESET\r\n');
    const other = await RawConnection.connect(srv.port);
    assert.equal(await other.call('PING'), '+PONG\r\n');
    // The former monitor gets only its own reply, no feed.
    assert.equal(await m.call('ECHO', 'x'), '$1\r\nx\r\n');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(m.pending().length, 0);
    m.close();
    other.close();
  });

  test('ioredis and @redis/client connect and use RESP2/RESP3', async () => {
    const io = new Redis({ port: srv.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
    await io.connect();
    assert.equal(await io.ping(), 'PONG');
    assert.equal(await io.echo('héllo'), 'héllo');
    const hello = (await io.call('HELLO', '2')) as unknown[];
    assert.deepEqual(hello.slice(0, 4), ['server', 'redis', 'version', '7.0.15']);
    io.disconnect();

    const nr = createClient({ socket: { port: srv.port, host: '127.0.0.1' }, RESP: 3 });
    nr.on('error', () => {});
    await nr.connect();
    assert.equal(await nr.ping(), 'PONG');
    const info = (await nr.sendCommand(['CLIENT', 'INFO'])) as unknown;
    assert.match(String(info), /resp=3/);
    const h = (await nr.sendCommand(['HELLO'])) as Record<string, unknown> | unknown[];
    const map = h instanceof Map ? Object.fromEntries(h as Map<string, unknown>) : Array.isArray(h) ? pairs(h) : h;
    assert.equal(map['server'], 'redis');
    assert.equal(map['version'], '7.0.15');
    assert.equal(Number(map['proto']), 3);
    assert.equal(map['mode'], 'standalone');
    assert.equal(map['role'], 'master');
    await nr.close();
  });

  test('replies equal redis-server 7.0', async () => {
    const ref = await startRedis();
    try {
      const script: string[][] = [
        ['PING'],
        ['PING', 'x'],
        ['PING', 'a', 'b'],
        ['ECHO', 'zz'],
        ['HELLO', '4'],
        ['HELLO', 'x'],
        ['HELLO', '3', 'nope'],
        ['HELLO', '2', 'SETNAME', 'bad name'],
        ['AUTH', 'pw'],
        ['AUTH', 'default', 'pw'],
        ['AUTH', 'nobody', 'pw'],
        ['AUTH', 'a', 'b', 'c'],
        ['RESET'],
        ['CLIENT', 'REPLY', 'OFF'],
        ['PING'],
        ['RESET'],
        ['PING'],
      ];
      const a = await RawConnection.connect(srv.port);
      const b = await RawConnection.connect(ref.port);
      for (const cmd of script) {
        a.send(...cmd);
        b.send(...cmd);
      }
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(a.pending().toString('latin1'), b.pending().toString('latin1'));
      a.close();
      b.close();
    } finally {
      await ref.stop();
    }
  });
});

function pairs(a: unknown[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (let i = 0; i + 1 < a.length; i += 2) o[String(a[i])] = a[i + 1];
  return o;
}

describe('authentication with requirepass', () => {
  let srv: ServerProcess;

  before(async () => {
    srv = await startDamselfly(['--requirepass', 's3cret']);
  });
  after(async () => {
    await srv.stop();
  });

  test('commands need AUTH; AUTH and HELLO AUTH authenticate', async () => {
    const c = await RawConnection.connect(srv.port);
    assert.equal(await c.call('PING'), '-NOAUTH Authentication required.\r\n');
    assert.equal(await c.call('CLIENT', 'ID'), '-NOAUTH Authentication required.\r\n');
    assert.equal(await c.call('HELLO'), HELLO_NOAUTH);
    assert.equal(await c.call('HELLO', '3'), HELLO_NOAUTH);
    assert.equal(await c.call('HELLO', '3', 'AUTH', 'default', 'wrong'), WRONGPASS);
    assert.equal(await c.call('AUTH', 'wrong'), WRONGPASS);
    assert.equal(await c.call('AUTH', 'default', 'wrong'), WRONGPASS);
    assert.equal(await c.call('AUTH', 'bob', 's3cret'), WRONGPASS);
    assert.equal(await c.call('PING'), '-NOAUTH Authentication required.\r\n');
    assert.equal(await c.call('AUTH', 's3cret'), '+OK\r\n');
    assert.equal(await c.call('PING'), '+PONG\r\n');
    // A failed AUTH keeps the earlier authentication.
    assert.equal(await c.call('AUTH', 'nope'), WRONGPASS);
    assert.equal(await c.call('PING'), '+PONG\r\n');
    // RESET de-authenticates when a password is set.
    assert.equal(await c.call('RESET'), '+RESET\r\n');
    assert.equal(await c.call('PING'), '-NOAUTH Authentication required.\r\n');
    assert.equal(await c.call('AUTH', 'default', 's3cret'), '+OK\r\n');
    assert.match(await c.call('CLIENT', 'INFO'), / user=default /);
    c.close();
  });

  test('HELLO AUTH + SETNAME in one round trip', async () => {
    const c = await RawConnection.connect(srv.port);
    const r = await c.call('HELLO', '3', 'AUTH', 'default', 's3cret', 'SETNAME', 'svc');
    assert.match(r, /^%7\r\n\$6\r\nserver\r\n\$5\r\nredis\r\n/);
    assert.equal(await c.call('CLIENT', 'GETNAME'), '$3\r\nsvc\r\n');
    c.close();
    // AUTH succeeds before SETNAME is validated (as in Redis): the client stays authenticated.
    const d = await RawConnection.connect(srv.port);
    assert.equal(
      await d.call('HELLO', '3', 'AUTH', 'default', 's3cret', 'SETNAME', 'a b'),
      '-ERR Client names cannot contain spaces, newlines or special characters.\r\n',
    );
    assert.equal(await d.call('PING'), '+PONG\r\n');
    d.close();
  });

  test('unauthenticated clients get the small protocol limits', async () => {
    const c = await RawConnection.connect(srv.port);
    c.write('*20\r\n');
    assert.equal((await c.readReply()).toString('latin1'), '-ERR Protocol error: unauthenticated multibulk length\r\n');
    assert.ok(await closedWithin(c, 2000));
  });

  test('ioredis and @redis/client authenticate with the password', async () => {
    const io = new Redis({ port: srv.port, host: '127.0.0.1', password: 's3cret', lazyConnect: true, maxRetriesPerRequest: 0 });
    await io.connect();
    assert.equal(await io.ping(), 'PONG');
    io.disconnect();
    const io2 = new Redis({ port: srv.port, host: '127.0.0.1', username: 'default', password: 's3cret', lazyConnect: true, maxRetriesPerRequest: 0 });
    await io2.connect();
    assert.equal(await io2.ping(), 'PONG');
    io2.disconnect();
    const nr = createClient({ socket: { port: srv.port, host: '127.0.0.1' }, password: 's3cret', RESP: 3 });
    nr.on('error', () => {});
    await nr.connect();
    assert.equal(await nr.ping(), 'PONG');
    await nr.close();
    const bad = createClient({ socket: { port: srv.port, host: '127.0.0.1', reconnectStrategy: false }, password: 'nope' });
    bad.on('error', () => {});
    await assert.rejects(bad.connect(), /WRONGPASS/);
  });
});

/** A non-loopback IPv4 address of this machine, if it has one. */
/**
 * The first non-loopback IPv4 address of this host. Every CI VM and container with networking
 * has one (its default interface); a host without one cannot run the protected-mode tests, which
 * then fail saying so rather than pass without checking anything.
 */
function externalIPv4(): string {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  throw new Error(
    'protected-mode tests need a non-loopback IPv4 address to connect from, and os.networkInterfaces() lists none: ' +
      JSON.stringify(os.networkInterfaces()),
  );
}

/**
 * Connects from `host` and returns everything the server sends before closing (or 2 s). A
 * server that does not greet within 200 ms is sent an inline PING.
 */
function greeting(port: number, host: string, localAddress?: string): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host, localAddress });
    let out = '';
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      s.destroy();
      resolve(out);
    };
    s.on('data', (d) => {
      out += d.toString('latin1');
      if (out.endsWith('\r\n') && !out.startsWith('-DENIED')) finish();
    });
    s.on('connect', () => {
      setTimeout(() => {
        if (out === '' && !done) s.write('PING\r\n');
      }, 200).unref();
    });
    s.on('error', finish);
    s.on('close', finish);
    setTimeout(finish, 2000).unref();
  });
}

describe('protected mode', () => {
  test('refuses non-loopback clients when no password is set', async () => {
    const external = externalIPv4();
    const srv = await startDamselfly(['--bind', '0.0.0.0']);
    try {
      const got = await greeting(srv.port, external);
      assert.match(got, /^-DENIED Redis is running in protected mode because protected mode is enabled and no password is set/);
      assert.ok(got.endsWith('\r\n'));
      assert.equal(await greeting(srv.port, '127.0.0.1'), '+PONG\r\n');
      const ref = await startRedis(['--bind', '0.0.0.0']);
      try {
        assert.equal(got, await greeting(ref.port, external));
      } finally {
        await ref.stop();
      }
      const c = await RawConnection.connect(srv.port);
      assert.match(await c.call('INFO', 'stats'), /rejected_connections:1\r\n/);
      c.close();
    } finally {
      await srv.stop();
    }
  });

  test('only 127.0.0.1 and ::1 are trusted, not the rest of 127.0.0.0/8 (as in 7.0.15)', async () => {
    // Linux routes all of 127.0.0.0/8 to the loopback interface, so this runs on any host.
    const srv = await startDamselfly();
    const ref = await startRedis();
    try {
      const theirs = await greeting(ref.port, '127.0.0.1', '127.0.0.2');
      assert.match(theirs, /^-DENIED Redis is running in protected mode/);
      assert.equal(await greeting(srv.port, '127.0.0.1', '127.0.0.2'), theirs);
      assert.equal(await greeting(srv.port, '127.0.0.1', '127.0.0.1'), '+PONG\r\n');
    } finally {
      await ref.stop();
      await srv.stop();
    }
  });

  test('accepts them with protected-mode no or a password', async () => {
    const open = await startDamselfly(['--bind', '0.0.0.0', '--protected-mode', 'no']);
    try {
      assert.equal(await greeting(open.port, externalIPv4()), '+PONG\r\n');
    } finally {
      await open.stop();
    }
    const pw = await startDamselfly(['--bind', '0.0.0.0', '--requirepass', 'x']);
    try {
      assert.equal(await greeting(pw.port, externalIPv4()), '-NOAUTH Authentication required.\r\n');
    } finally {
      await pw.stop();
    }
  });
});
