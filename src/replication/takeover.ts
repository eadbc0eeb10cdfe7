/**
 * REPLTAKEOVER <timeout> [SAVE], run on a replica: a graceful failover with no acknowledged
 * write lost.
 *
 *  1. On the master (through an ordinary client connection): CLIENT PAUSE WRITE, so no new
 *     write is acknowledged from then on.
 *  2. Wait until our applied offset reaches the master's master_repl_offset: every write the
 *     master acknowledged is then applied here.
 *  3. Promote ourselves (REPLICAOF NO ONE keeps the history, so the old master can continue
 *     from it with a partial resync), then make the old master our replica — or, with SAVE,
 *     have it save and shut down — and lift the pause.
 *
 * If the replica cannot catch up within the timeout the pause is lifted, nothing changes, and
 * the caller gets an error saying so.
 */

import type { Client } from '../server/client.js';
import { ClientFlag } from '../server/client.js';
import { AdminLink, type RespValue } from './admin-link.js';
import type { ReplicationManager } from './index.js';

function infoField(info: RespValue, name: string): string | null {
  if (typeof info !== 'string') return null;
  const i = info.indexOf('\n' + name + ':');
  if (i < 0) return null;
  const start = i + name.length + 2;
  const end = info.indexOf('\r', start);
  return info.slice(start, end < 0 ? info.length : end);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function startTakeover(repl: ReplicationManager, c: Client, timeoutMs: number, save: boolean): void {
  c.flags |= ClientFlag.BLOCKED;
  const finish = (err: string | null): void => {
    if (c.closed) return;
    if (err === null) c.reply.ok();
    else c.reply.error(err);
    c.flags &= ~ClientFlag.BLOCKED;
    c.flush();
    setImmediate(() => c.resumeProcessing());
  };
  runTakeover(repl, timeoutMs, save).then(finish, (e: unknown) => finish('ERR REPLTAKEOVER failed: ' + (e instanceof Error ? e.message : String(e))));
}

async function runTakeover(repl: ReplicationManager, timeoutMs: number, save: boolean): Promise<string | null> {
  const server = repl.server;
  const link = repl.link;
  if (!server.isReplica || link === null || !link.linkUp) return 'ERR REPLTAKEOVER can only run on a replica whose link to its master is up';
  const deadline = Date.now() + timeoutMs;
  const admin = await AdminLink.connect(link.host, link.port, Math.max(100, timeoutMs));
  try {
    const cfg = server.config;
    const auth = cfg.get('masterauth') as string | null;
    if (auth !== null && auth !== '') {
      const user = cfg.get('masteruser') as string | null;
      const r = user !== null && user !== '' ? await admin.call('AUTH', user, auth) : await admin.call('AUTH', auth);
      if (r instanceof Error) return 'ERR REPLTAKEOVER could not authenticate with the master: ' + r.message;
    }
    const paused = await admin.call('CLIENT', 'PAUSE', String(Math.max(1, deadline - Date.now() + 1000)), 'WRITE');
    if (paused instanceof Error) return 'ERR REPLTAKEOVER could not pause writes on the master: ' + paused.message;
    // Wait for every byte the master produced (re-read: its pings also move the offset).
    let caughtUp = false;
    while (Date.now() < deadline) {
      const info = await admin.call('INFO', 'replication');
      const off = Number(infoField(info, 'master_repl_offset'));
      if (Number.isFinite(off) && repl.masterOffset >= off && link.linkUp) {
        caughtUp = true;
        break;
      }
      await sleep(5);
    }
    if (!caughtUp) {
      await admin.call('CLIENT', 'UNPAUSE');
      return 'ERR REPLTAKEOVER timed out: the replica did not catch up with its master within the timeout (offset ' + repl.masterOffset + '); nothing was changed';
    }
    const ourPort = cfg.getNumber('replica-announce-port') || server.addresses[0]?.port || cfg.getNumber('port');
    const announced = cfg.get('replica-announce-ip') as string | null;
    const ourHost = announced !== null && announced !== '' ? announced : link.localAddress;
    repl.becomeMaster(null);
    server.log.notice('REPLTAKEOVER: this node is now the master; the old master ' + (save ? 'saves and shuts down' : 'becomes its replica'));
    if (save) {
      await admin.call('SHUTDOWN', 'SAVE').catch(() => null);
    } else {
      await admin.call('REPLICAOF', ourHost, String(ourPort));
      await admin.call('CLIENT', 'UNPAUSE');
    }
    return null;
  } finally {
    admin.close();
  }
}
