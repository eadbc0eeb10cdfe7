/**
 * CLIENT subcommands against a spawned Damselfly: ID, SETNAME/GETNAME, INFO/LIST (Redis 7.0's
 * exact line format and filters), KILL (old and filter forms, SKIPME), PAUSE/UNPAUSE (held
 * clients are released in order), REPLY ON/OFF/SKIP, NO-EVICT, NO-TOUCH, SETINFO, TRACKINGINFO,
 * UNBLOCK, HELP. Error texts and help are compared with redis-server 7.0.15, which these tests
 * require (a missing one fails them).
 */

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { createClient } from '@redis/client';
import { startDamselfly, startRedis, type ServerProcess } from '../helpers/servers.js';
import { RawConnection } from '../helpers/raw.js';

/** Redis 7.0's CLIENT LIST fields, in order. */
const FIELDS = [
  'id',
  'addr',
  'laddr',
  'fd',
  'name',
  'age',
  'idle',
  'flags',
  'db',
  'sub',
  'psub',
  'ssub',
  'multi',
  'qbuf',
  'qbuf-free',
  'argv-mem',
  'multi-mem',
  'rbs',
  'rbp',
  'obl',
  'oll',
  'omem',
  'tot-mem',
  'events',
  'cmd',
  'user',
  'redir',
  'resp',
];

/** The payload of a bulk-string reply. */
function bulk(reply: string): string {
  const m = /^\$(\d+)\r\n/.exec(reply);
  assert.ok(m !== null, 'not a bulk reply: ' + JSON.stringify(reply));
  return reply.slice(m[0].length, m[0].length + Number(m[1]));
}

function parseLine(line: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of line.split(' ')) {
    const eq = part.indexOf('=');
    out.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return out;
}

function lines(text: string): Map<string, string>[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map(parseLine);
}

async function idOf(c: RawConnection): Promise<number> {
  return Number((await c.call('CLIENT', 'ID')).slice(1, -2));
}

async function noReplyWithin(c: RawConnection, ms: number): Promise<boolean> {
  try {
    await c.readReply(ms);
    return false;
  } catch {
    return true;
  }
}

let srv: ServerProcess;

before(async () => {
  srv = await startDamselfly();
});
after(async () => {
  await srv.stop();
});

describe('CLIENT ID / SETNAME / GETNAME / INFO', () => {
  test('ids increase, names validate', async () => {
    const a = await RawConnection.connect(srv.port);
    const b = await RawConnection.connect(srv.port);
    const ia = await idOf(a);
    const ib = await idOf(b);
    assert.ok(ib > ia);
    assert.equal(await a.call('CLIENT', 'GETNAME'), '$-1\r\n');
    assert.equal(await a.call('CLIENT', 'SETNAME', 'worker-1'), '+OK\r\n');
    assert.equal(await a.call('CLIENT', 'GETNAME'), '$8\r\nworker-1\r\n');
    const bad = '-ERR Client names cannot contain spaces, newlines or special characters.\r\n';
    assert.equal(await a.call('CLIENT', 'SETNAME', 'a b'), bad);
    assert.equal(await a.call('CLIENT', 'SETNAME', 'a\nb'), bad);
    assert.equal(await a.call('CLIENT', 'SETNAME', Buffer.from([0xc3, 0xa9])), bad);
    assert.equal(await a.call('CLIENT', 'GETNAME'), '$8\r\nworker-1\r\n');
    assert.equal(await a.call('CLIENT', 'SETNAME', '~!'), '+OK\r\n');
    assert.equal(await a.call('CLIENT', 'SETNAME', ''), '+OK\r\n');
    assert.equal(await a.call('CLIENT', 'GETNAME'), '$-1\r\n');
    assert.equal(await a.call('CLIENT', 'SETNAME'), "-ERR wrong number of arguments for 'client|setname' command\r\n");
    assert.equal(await a.call('CLIENT'), "-ERR wrong number of arguments for 'client' command\r\n");
    assert.equal(await a.call('CLIENT', 'FOO'), "-ERR unknown subcommand 'FOO'. Try CLIENT HELP.\r\n");
    a.close();
    b.close();
  });

  test('CLIENT INFO has Redis 7.0 fields in order', async () => {
    const c = await RawConnection.connect(srv.port);
    const id = await idOf(c);
    await c.call('CLIENT', 'SETNAME', 'me');
    const text = bulk(await c.call('CLIENT', 'INFO'));
    assert.ok(text.endsWith('\n'));
    const f = parseLine(text.slice(0, -1));
    assert.deepEqual([...f.keys()], FIELDS);
    assert.equal(f.get('id'), String(id));
    assert.match(f.get('addr')!, /^127\.0\.0\.1:\d+$/);
    assert.equal(f.get('laddr'), '127.0.0.1:' + srv.port);
    assert.match(f.get('fd')!, /^\d+$/);
    assert.equal(f.get('name'), 'me');
    assert.equal(f.get('flags'), 'N');
    assert.equal(f.get('db'), '0');
    assert.equal(f.get('multi'), '-1');
    assert.equal(f.get('argv-mem'), '10'); // "client" + "info"
    assert.equal(f.get('cmd'), 'client|info');
    assert.equal(f.get('user'), 'default');
    assert.equal(f.get('redir'), '-1');
    assert.equal(f.get('resp'), '2');
    assert.equal(f.get('events'), 'r');
    c.close();
  });

  test('field names equal redis-server CLIENT INFO', async () => {
    const ref = await startRedis();
    try {
      const c = await RawConnection.connect(ref.port);
      const text = bulk(await c.call('CLIENT', 'INFO'));
      assert.deepEqual([...parseLine(text.slice(0, -1)).keys()], FIELDS);
      c.close();
    } finally {
      await ref.stop();
    }
  });
});

describe('CLIENT LIST', () => {
  test('lists every client, by TYPE or by ID', async () => {
    const a = await RawConnection.connect(srv.port);
    const b = await RawConnection.connect(srv.port);
    await a.call('CLIENT', 'SETNAME', 'list-a');
    await b.call('CLIENT', 'SETNAME', 'list-b');
    const ia = await idOf(a);
    const ib = await idOf(b);
    const all = lines(bulk(await a.call('CLIENT', 'LIST')));
    const names = all.map((l) => l.get('name'));
    assert.ok(names.includes('list-a') && names.includes('list-b'));
    const ids = all.map((l) => Number(l.get('id')));
    assert.deepEqual(ids, [...ids].sort((x, y) => x - y));
    const me = all.find((l) => l.get('name') === 'list-a')!;
    assert.equal(me.get('cmd'), 'client|list');
    const other = all.find((l) => l.get('name') === 'list-b')!;
    assert.equal(other.get('cmd'), 'client|id');
    assert.equal(other.get('argv-mem'), '0');

    const normal = lines(bulk(await a.call('CLIENT', 'LIST', 'TYPE', 'normal')));
    assert.ok(normal.length >= 2);
    assert.equal(await a.call('CLIENT', 'LIST', 'TYPE', 'pubsub'), '$0\r\n\r\n');
    assert.equal(await a.call('CLIENT', 'LIST', 'TYPE', 'replica'), '$0\r\n\r\n');
    assert.equal(await a.call('CLIENT', 'LIST', 'TYPE', 'SLAVE'), '$0\r\n\r\n');
    assert.equal(await a.call('CLIENT', 'LIST', 'TYPE', 'master'), '$0\r\n\r\n');

    const byId = lines(bulk(await a.call('CLIENT', 'LIST', 'ID', String(ib), String(ia), '999999')));
    assert.deepEqual(
      byId.map((l) => l.get('name')),
      ['list-b', 'list-a'],
    );
    assert.equal(await a.call('CLIENT', 'LIST', 'ID', '0'), '$0\r\n\r\n');
    a.close();
    b.close();
  });

  test('errors', async () => {
    const c = await RawConnection.connect(srv.port);
    assert.equal(await c.call('CLIENT', 'LIST', 'TYPE', 'foo'), "-ERR Unknown client type 'foo'\r\n");
    assert.equal(await c.call('CLIENT', 'LIST', 'TYPE'), '-ERR syntax error\r\n');
    assert.equal(await c.call('CLIENT', 'LIST', 'ID'), '-ERR syntax error\r\n');
    assert.equal(await c.call('CLIENT', 'LIST', 'ID', 'x'), '-ERR Invalid client ID\r\n');
    assert.equal(await c.call('CLIENT', 'LIST', 'foo'), '-ERR syntax error\r\n');
    assert.equal(await c.call('CLIENT', 'LIST', 'TYPE', 'normal', 'x'), '-ERR syntax error\r\n');
    c.close();
  });

  test('RESP3: CLIENT LIST is a verbatim string', async () => {
    const c = await RawConnection.connect(srv.port);
    await c.call('HELLO', '3');
    assert.match(await c.call('CLIENT', 'LIST', 'ID', String(await idOf(c))), /^=\d+\r\ntxt:id=\d+ .*resp=3\n\r\n$/);
    c.close();
  });

  test('flags: MONITOR shows O, NO-EVICT e, NO-TOUCH T', async () => {
    const m = await RawConnection.connect(srv.port);
    const mid = await idOf(m);
    await m.call('MONITOR');
    const c = await RawConnection.connect(srv.port);
    await c.call('CLIENT', 'NO-EVICT', 'on');
    let l = lines(bulk(await c.call('CLIENT', 'LIST', 'ID', String(mid), String(await idOf(c)))));
    assert.equal(l[0]!.get('flags'), 'O');
    assert.equal(l[1]!.get('flags'), 'e');
    await c.call('CLIENT', 'NO-TOUCH', 'on');
    l = lines(bulk(await c.call('CLIENT', 'INFO')));
    assert.equal(l[0]!.get('flags'), 'eT');
    m.close();
    c.close();
  });
});

describe('CLIENT KILL', () => {
  test('old form: by address', async () => {
    const victim = await RawConnection.connect(srv.port);
    const killer = await RawConnection.connect(srv.port);
    const addr = lines(bulk(await victim.call('CLIENT', 'INFO')))[0]!.get('addr')!;
    assert.equal(await killer.call('CLIENT', 'KILL', addr), '+OK\r\n');
    await victim.waitClosed();
    assert.equal(await killer.call('CLIENT', 'KILL', addr), '-ERR No such client\r\n');
    assert.equal(await killer.call('CLIENT', 'KILL', 'nonsense'), '-ERR No such client\r\n');
    killer.close();
  });

  test('filters: ID, TYPE, ADDR, LADDR, USER, SKIPME', async () => {
    const a = await RawConnection.connect(srv.port);
    const b = await RawConnection.connect(srv.port);
    const ib = await idOf(b);
    assert.equal(await a.call('CLIENT', 'KILL', 'ID', String(ib)), ':1\r\n');
    await b.waitClosed();
    assert.equal(await a.call('CLIENT', 'KILL', 'ID', String(ib)), ':0\r\n');
    assert.equal(await a.call('CLIENT', 'KILL', 'ADDR', '1.2.3.4:5'), ':0\r\n');
    assert.equal(await a.call('CLIENT', 'KILL', 'LADDR', '1.2.3.4:5'), ':0\r\n');
    assert.equal(await a.call('CLIENT', 'KILL', 'TYPE', 'pubsub'), ':0\r\n');

    // SKIPME defaults to yes: the caller survives a TYPE normal sweep.
    const c = await RawConnection.connect(srv.port);
    const d = await RawConnection.connect(srv.port);
    // A round trip each, so the server has accepted both before the sweep.
    assert.equal(await c.call('PING'), '+PONG\r\n');
    assert.equal(await d.call('PING'), '+PONG\r\n');
    const killed = await a.call('CLIENT', 'KILL', 'TYPE', 'normal', 'USER', 'default');
    assert.match(killed, /^:[1-9]\d*\r\n$/);
    await c.waitClosed();
    await d.waitClosed();
    assert.equal(await a.call('PING'), '+PONG\r\n');

    // SKIPME no: the caller is killed too, after its reply.
    const laddr = '127.0.0.1:' + srv.port;
    const reply = await a.call('CLIENT', 'KILL', 'LADDR', laddr, 'SKIPME', 'no');
    assert.match(reply, /^:[1-9]\d*\r\n$/);
    await a.waitClosed();
  });

  test('errors', async () => {
    const c = await RawConnection.connect(srv.port);
    assert.equal(await c.call('CLIENT', 'KILL', 'ID', 'x'), '-ERR client-id should be greater than 0\r\n');
    assert.equal(await c.call('CLIENT', 'KILL', 'ID', '0'), '-ERR client-id should be greater than 0\r\n');
    assert.equal(await c.call('CLIENT', 'KILL', 'TYPE', 'foo'), "-ERR Unknown client type 'foo'\r\n");
    assert.equal(await c.call('CLIENT', 'KILL', 'SKIPME', 'maybe'), '-ERR syntax error\r\n');
    assert.equal(await c.call('CLIENT', 'KILL', 'USER', 'nobody'), "-ERR No such user 'nobody'\r\n");
    assert.equal(await c.call('CLIENT', 'KILL', 'ID', '1', 'TYPE'), '-ERR syntax error\r\n');
    assert.equal(await c.call('CLIENT', 'KILL', 'FOO', 'bar'), '-ERR syntax error\r\n');
    assert.equal(await c.call('CLIENT', 'KILL', '127.0.0.1:1', 'x'), '-ERR syntax error\r\n');
    assert.equal(await c.call('CLIENT', 'KILL'), "-ERR wrong number of arguments for 'client|kill' command\r\n");
    c.close();
  });
});

describe('CLIENT PAUSE / UNPAUSE', () => {
  test('ALL holds every command of normal clients until the timeout', async () => {
    const admin = await RawConnection.connect(srv.port);
    const c = await RawConnection.connect(srv.port);
    const t0 = Date.now();
    assert.equal(await admin.call('CLIENT', 'PAUSE', '400'), '+OK\r\n');
    c.send('PING');
    c.send('ECHO', 'second');
    assert.ok(await noReplyWithin(c, 150), 'PING must be held during the pause');
    assert.equal((await c.readReply(2000)).toString('latin1'), '+PONG\r\n');
    assert.ok(Date.now() - t0 >= 350, 'released too early');
    assert.equal((await c.readReply(2000)).toString('latin1'), '$6\r\nsecond\r\n');
    admin.close();
    c.close();
  });

  test('UNPAUSE (from a monitor, which is never paused) releases held clients in order', async () => {
    const m = await RawConnection.connect(srv.port);
    assert.equal(await m.call('MONITOR'), '+OK\r\n');
    const admin = await RawConnection.connect(srv.port);
    const c1 = await RawConnection.connect(srv.port);
    const c2 = await RawConnection.connect(srv.port);
    assert.equal(await m.call('CLIENT', 'PAUSE', '100000'), '+OK\r\n');
    // Every normal client is held, including one that would lift the pause.
    admin.send('CLIENT', 'UNPAUSE');
    c1.send('ECHO', 'one');
    await new Promise((r) => setTimeout(r, 30));
    c2.send('ECHO', 'two');
    assert.ok(await noReplyWithin(admin, 100), 'UNPAUSE from a normal client is itself held');
    assert.ok(await noReplyWithin(c1, 10));
    assert.ok(await noReplyWithin(c2, 10));
    assert.equal(m.pending().length, 0, 'held commands are not fed to MONITOR before they run');
    assert.equal(await m.call('CLIENT', 'UNPAUSE'), '+OK\r\n');
    assert.equal((await admin.readReply(2000)).toString('latin1'), '+OK\r\n');
    assert.equal((await c1.readReply(2000)).toString('latin1'), '$3\r\none\r\n');
    assert.equal((await c2.readReply(2000)).toString('latin1'), '$3\r\ntwo\r\n');
    // The monitor saw them run in the order they were held.
    const l1 = (await m.readReply(2000)).toString('latin1');
    const l2 = (await m.readReply(2000)).toString('latin1');
    assert.match(l1, /"ECHO" "one"\r\n$/);
    assert.match(l2, /"ECHO" "two"\r\n$/);
    m.close();
    admin.close();
    c1.close();
    c2.close();
  });

  test('WRITE lets reads through and holds writes', async () => {
    const c = await RawConnection.connect(srv.port);
    const m = await RawConnection.connect(srv.port);
    await m.call('MONITOR');
    try {
      assert.equal(await m.call('CLIENT', 'PAUSE', '100000', 'WRITE'), '+OK\r\n');
      assert.equal(await c.call('PING'), '+PONG\r\n');
      assert.equal(await c.call('ECHO', 'r'), '$1\r\nr\r\n');
      assert.match(await c.call('CLIENT', 'ID'), /^:\d+\r\n$/);
      c.send('SET', 'paused-key', 'v');
      assert.ok(await noReplyWithin(c, 150), 'SET must be held during a WRITE pause');
    } finally {
      m.send('CLIENT', 'UNPAUSE');
    }
    // Skip the feed lines of c's reads; the UNPAUSE reply follows them.
    for (;;) {
      const r = (await m.readReply(2000)).toString('latin1');
      if (r === '+OK\r\n') break;
      assert.match(r, /^\+\d+\.\d{6} \[0 /);
    }
    assert.equal((await c.readReply(2000)).toString('latin1'), '+OK\r\n');
    m.close();
    c.close();
  });

  test('errors', async () => {
    const c = await RawConnection.connect(srv.port);
    assert.equal(await c.call('CLIENT', 'PAUSE'), "-ERR wrong number of arguments for 'client|pause' command\r\n");
    assert.equal(await c.call('CLIENT', 'PAUSE', 'x'), '-ERR timeout is not an integer or out of range\r\n');
    assert.equal(await c.call('CLIENT', 'PAUSE', '1.5'), '-ERR timeout is not an integer or out of range\r\n');
    assert.equal(await c.call('CLIENT', 'PAUSE', '-1'), '-ERR timeout is negative\r\n');
    assert.equal(await c.call('CLIENT', 'PAUSE', '10', 'foo'), '-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n');
    assert.equal(
      await c.call('CLIENT', 'PAUSE', '10', 'write', 'x'),
      "-ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT HELP.\r\n",
    );
    assert.equal(await c.call('CLIENT', 'PAUSE', '0'), '+OK\r\n');
    assert.equal(await c.call('PING'), '+PONG\r\n');
    assert.equal(await c.call('CLIENT', 'UNPAUSE'), '+OK\r\n');
    c.close();
  });
});

describe('CLIENT REPLY', () => {
  test('OFF, ON and SKIP', async () => {
    const c = await RawConnection.connect(srv.port);
    c.send('CLIENT', 'REPLY', 'OFF');
    c.send('PING');
    c.send('ECHO', 'hidden');
    c.send('CLIENT', 'REPLY', 'ON');
    assert.equal((await c.readReply()).toString('latin1'), '+OK\r\n');
    c.send('CLIENT', 'REPLY', 'SKIP');
    c.send('ECHO', 'skipped');
    c.send('ECHO', 'shown');
    assert.equal((await c.readReply()).toString('latin1'), '$5\r\nshown\r\n');
    // SKIP while OFF does nothing; errors are silenced too.
    c.send('CLIENT', 'REPLY', 'OFF');
    c.send('CLIENT', 'REPLY', 'SKIP');
    c.send('NOSUCHCOMMAND');
    c.send('CLIENT', 'REPLY', 'ON');
    c.send('ECHO', 'z');
    assert.equal((await c.readReply()).toString('latin1'), '+OK\r\n');
    assert.equal((await c.readReply()).toString('latin1'), '$1\r\nz\r\n');
    assert.equal(await c.call('CLIENT', 'REPLY', 'foo'), '-ERR syntax error\r\n');
    c.close();
  });
});

describe('other CLIENT subcommands', () => {
  test('NO-EVICT, NO-TOUCH, SETINFO, GETREDIR, TRACKING, UNBLOCK', async () => {
    const c = await RawConnection.connect(srv.port);
    assert.equal(await c.call('CLIENT', 'NO-EVICT', 'ON'), '+OK\r\n');
    assert.equal(await c.call('CLIENT', 'NO-EVICT', 'off'), '+OK\r\n');
    assert.equal(await c.call('CLIENT', 'NO-EVICT', 'x'), '-ERR syntax error\r\n');
    assert.equal(await c.call('CLIENT', 'NO-TOUCH', 'on'), '+OK\r\n');
    assert.equal(await c.call('CLIENT', 'NO-TOUCH', 'off'), '+OK\r\n');
    assert.equal(await c.call('CLIENT', 'NO-TOUCH', 'x'), '-ERR syntax error\r\n');
    assert.equal(await c.call('CLIENT', 'SETINFO', 'LIB-NAME', 'mylib'), '+OK\r\n');
    assert.equal(await c.call('CLIENT', 'SETINFO', 'lib-ver', '1.2.3'), '+OK\r\n');
    assert.equal(await c.call('CLIENT', 'SETINFO', 'lib-name', 'a b'), '-ERR lib-name cannot contain spaces, newlines or special characters.\r\n');
    assert.equal(await c.call('CLIENT', 'SETINFO', 'foo', 'x'), "-ERR Unrecognized option 'foo'\r\n");
    // 7.0's CLIENT LIST shape: lib-name / lib-ver are not printed.
    assert.doesNotMatch(await c.call('CLIENT', 'INFO'), /lib-name/);
    assert.equal(await c.call('CLIENT', 'GETREDIR'), ':-1\r\n');
    assert.equal(
      await c.call('CLIENT', 'TRACKINGINFO'),
      '*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n',
    );
    assert.equal(await c.call('CLIENT', 'TRACKING', 'off'), '+OK\r\n');
    assert.match(await c.call('CLIENT', 'TRACKING', 'on'), /^-ERR CLIENT TRACKING is not supported/);
    assert.equal(await c.call('CLIENT', 'TRACKING', 'foo'), '-ERR syntax error\r\n');
    assert.equal(
      await c.call('CLIENT', 'CACHING', 'yes'),
      '-ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled\r\n',
    );
    assert.equal(await c.call('CLIENT', 'UNBLOCK', String(await idOf(c))), ':0\r\n');
    assert.equal(await c.call('CLIENT', 'UNBLOCK', '1', 'timeout'), ':0\r\n');
    assert.equal(await c.call('CLIENT', 'UNBLOCK', '1', 'ERROR'), ':0\r\n');
    assert.equal(await c.call('CLIENT', 'UNBLOCK', 'x'), '-ERR value is not an integer or out of range\r\n');
    assert.equal(await c.call('CLIENT', 'UNBLOCK', '1', 'foo'), '-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n');
    assert.equal(
      await c.call('CLIENT', 'UNBLOCK', '1', 'timeout', 'x'),
      "-ERR unknown subcommand or wrong number of arguments for 'UNBLOCK'. Try CLIENT HELP.\r\n",
    );
    c.close();
  });

  test('ioredis and @redis/client handshakes (SETNAME, SETINFO) succeed', async () => {
    const io = new Redis({ port: srv.port, host: '127.0.0.1', connectionName: 'io-conn', lazyConnect: true, maxRetriesPerRequest: 0 });
    await io.connect();
    assert.equal(await io.client('GETNAME'), 'io-conn');
    const list = (await io.client('LIST')) as string;
    assert.match(list, /name=io-conn /);
    io.disconnect();
    const nr = createClient({ socket: { port: srv.port, host: '127.0.0.1' }, name: 'nr-conn' });
    nr.on('error', () => {});
    await nr.connect();
    assert.equal(await nr.clientGetName(), 'nr-conn');
    await nr.close();
  });

  test('replies equal redis-server 7.0', async () => {
    const ref = await startRedis();
    try {
      const script: string[][] = [
        ['CLIENT', 'HELP'],
        ['CLIENT', 'HELP', 'x'],
        ['CLIENT', 'GETNAME'],
        ['CLIENT', 'SETNAME', 'n1'],
        ['CLIENT', 'GETNAME'],
        ['CLIENT', 'SETNAME', 'a b'],
        ['CLIENT', 'LIST', 'TYPE', 'foo'],
        ['CLIENT', 'LIST', 'ID', 'x'],
        ['CLIENT', 'LIST', 'ID', '0'],
        ['CLIENT', 'LIST', 'TYPE', 'pubsub'],
        ['CLIENT', 'KILL', '1.2.3.4:5'],
        ['CLIENT', 'KILL', 'ID', '999999'],
        ['CLIENT', 'KILL', 'ID', 'x'],
        ['CLIENT', 'KILL', 'TYPE', 'master'],
        ['CLIENT', 'KILL', 'USER', 'nobody'],
        ['CLIENT', 'KILL', 'SKIPME', 'x'],
        ['CLIENT', 'PAUSE', 'x'],
        ['CLIENT', 'PAUSE', '-5'],
        ['CLIENT', 'PAUSE', '5', 'x'],
        ['CLIENT', 'UNPAUSE'],
        ['CLIENT', 'NO-EVICT', 'maybe'],
        ['CLIENT', 'GETREDIR'],
        ['CLIENT', 'TRACKINGINFO'],
        ['CLIENT', 'CACHING', 'yes'],
        ['CLIENT', 'UNBLOCK', '999999'],
        ['CLIENT', 'UNBLOCK', '1', 'x'],
        ['CLIENT', 'REPLY', 'x'],
        ['CLIENT', 'REPLY', 'SKIP'],
        ['PING'],
        ['CLIENT', 'NOSUCH'],
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
