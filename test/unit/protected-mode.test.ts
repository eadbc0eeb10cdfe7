// Server.protectedModeDenial over stand-in sockets: which peers Redis 7.0.15's protected mode
// refuses, whatever network interfaces the test host has. (test/integration/connection.test.ts
// checks the same over real connections, side by side with redis-server.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type net from 'node:net';
import { Server } from '../../src/server/server.js';
import { Config } from '../../src/config/index.js';

/** The reply text (without '-' and CRLF) redis-server 7.0.15 sends to a refused peer. */
const DENIED =
  "DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.";

function server(pairs: Array<[string, string]> = []): Server {
  const config = Config.defaults();
  assert.equal(config.set(pairs), null);
  return new Server(config);
}

const peer = (remoteAddress: string | undefined): net.Socket => ({ remoteAddress }) as net.Socket;

test('protected mode (the default) refuses every peer but the loopback addresses', () => {
  const s = server();
  assert.equal(s.config.getBool('protected-mode'), true);
  for (const addr of ['10.1.2.3', '192.168.0.7', '8.8.8.8', '::ffff:10.1.2.3', 'fe80::1', '2001:db8::1']) {
    assert.equal(s.protectedModeDenial(peer(addr)), DENIED, addr);
  }
  // 127.0.0.1 and ::1 are trusted (and 127.0.0.1 as an IPv4-mapped address, which is how a
  // dual-stack listener sees it; Redis has separate IPv4 and IPv6 listeners).
  for (const addr of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) {
    assert.equal(s.protectedModeDenial(peer(addr)), null, addr);
  }
  // A socket whose peer is already gone has no address: refused, like Redis's empty peer string.
  assert.equal(s.protectedModeDenial(peer(undefined)), DENIED);
});

test('the rest of 127.0.0.0/8 is refused: 7.0.15 compares the peer with 127.0.0.1 and ::1 exactly', () => {
  // Observed: redis-server 7.0.15 (bind 127.0.0.1, no password) answers a client connecting
  // from 127.0.0.2 with the DENIED error.
  const s = server();
  for (const addr of ['127.0.0.2', '127.1.2.3', '127.255.255.254', '::ffff:127.0.0.2']) {
    assert.equal(s.protectedModeDenial(peer(addr)), DENIED, addr);
  }
});

test('protected-mode no, or a password for the default user, lets everyone in', () => {
  for (const pairs of [[['protected-mode', 'no']], [['requirepass', 'secret']]] as Array<Array<[string, string]>>) {
    const s = server(pairs);
    for (const addr of ['10.1.2.3', '::ffff:10.1.2.3', '127.0.0.2', '127.0.0.1', '::1']) {
      assert.equal(s.protectedModeDenial(peer(addr)), null, pairs[0]!.join(' ') + ' ' + addr);
    }
  }
});

test('CONFIG SET applies at once: the next connection is judged by the new values', () => {
  const s = server();
  assert.equal(s.protectedModeDenial(peer('10.1.2.3')), DENIED);
  assert.equal(s.config.set([['protected-mode', 'no']]), null);
  assert.equal(s.protectedModeDenial(peer('10.1.2.3')), null);
  assert.equal(s.config.set([['protected-mode', 'yes'], ['requirepass', 'x']]), null);
  assert.equal(s.protectedModeDenial(peer('10.1.2.3')), null);
  assert.equal(s.config.set([['requirepass', '']]), null);
  assert.equal(s.protectedModeDenial(peer('10.1.2.3')), DENIED);
});
