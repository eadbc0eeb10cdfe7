/**
 * Wires replication into the server: the propagation sink, the vetoes a replica or a master
 * with min-replicas applies (READONLY, MASTERDOWN, LOADING, NOREPLICAS), INFO replication,
 * client cleanup, the 10 Hz timer, and `replicaof` from the configuration at start-up.
 */

import type { Server } from '../server/server.js';
import type { Client } from '../server/client.js';
import { ClientFlag } from '../server/client.js';
import { FLAG_BITS } from '../commands/spec.js';
import { Replication, NULL_REPLID } from './master.js';
import { ReplicaLink } from './replica.js';
import { installFullSync } from './fullsync.js';

const F_WRITE = FLAG_BITS.write;
const F_LOADING = FLAG_BITS.loading;
const F_STALE = FLAG_BITS.stale;

export const ERR_READONLY = "READONLY You can't write against a read only replica.";
export const ERR_LOADING = 'LOADING Redis is loading the dataset in memory';
export const ERR_MASTERDOWN = "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
export const ERR_NOREPLICAS = 'NOREPLICAS Not enough good replicas to write.';

/** Replication state plus the link to our master while we are a replica. */
export class ReplicationManager extends Replication {
  link: ReplicaLink | null = null;
  private timer: NodeJS.Timeout | null = null;

  /** min-replicas-to-write, cached: the veto runs before every command. */
  private minReplicasToWrite = 0;

  install(): void {
    const server = this.server;
    this.minReplicasToWrite = server.config.getNumber('min-replicas-to-write');
    server.config.onChange('min-replicas-to-write', (v) => (this.minReplicasToWrite = v as number));
    installFullSync(this);
    server.propagationSinks.push((db, argv) => this.propagate(db, argv));
    server.vetoes.push((c, cmd) => this.veto(c, cmd.flags, cmd.name));
    server.replicationInfo = () => this.info();
    server.unlinkHooks.push((c) => this.detachClient(c));
    server.startupHooks.push(() => {
      const target = server.config.get('replicaof') as { host: string; port: number } | null;
      if (target !== null) this.becomeReplica(target.host, target.port, null);
    });
    server.exitHooks.push(() => this.shutdown());
    this.timer = setInterval(() => this.tickAll(), 100);
    this.timer.unref();
  }

  private shutdown(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    if (this.link !== null) this.link.stop();
  }

  private tickAll(): void {
    const now = Date.now();
    this.tick(now);
    if (this.link !== null) this.link.tick(now);
  }

  private veto(c: Client, flags: number, name: string): string | null {
    const server = this.server;
    if (server.isReplica) {
      if ((flags & F_WRITE) !== 0 && (c.flags & ClientFlag.MASTER) === 0 && server.config.getBool('replica-read-only')) {
        return ERR_READONLY;
      }
      if ((flags & F_STALE) === 0 && (this.link === null || !this.link.linkUp) && !server.config.getBool('replica-serve-stale-data')) {
        return ERR_MASTERDOWN;
      }
    } else if (this.minReplicasToWrite > 0 && (flags & F_WRITE) !== 0 && (c.flags & ClientFlag.MASTER) === 0) {
      if (server.config.getNumber('min-replicas-max-lag') > 0 && this.goodReplicas() < this.minReplicasToWrite) return ERR_NOREPLICAS;
    }
    // REPLICAOF stays possible while a full sync loads (ours loads while the payload streams
    // in, a longer window than Redis's load-after-transfer): it is the way out of that sync.
    if (server.loading && (flags & F_LOADING) === 0 && name !== 'replicaof' && name !== 'slaveof') return ERR_LOADING;
    return null;
  }

  override streamDb(): number {
    return this.server.isReplica && this.link !== null ? this.link.client.dbIndex : 0;
  }

  /** REPLICAOF host port. `by` is the client that asked (for the log), null at start-up. */
  becomeReplica(host: string, port: number, by: Client | null): void {
    const server = this.server;
    if (this.link !== null) this.link.stop();
    if (!server.isReplica) {
      // Our own history becomes the cached one: a partial resync with the new master is
      // possible if it continues it (a failover to one of our replicas).
      server.isReplica = true;
      this.forwardingOnly = true;
      if (this.backlog === null) this.createBacklog();
    }
    server.log.notice('Connecting to MASTER ' + host + ':' + port + (by !== null ? ' (user request from ' + by.describe() + ')' : ''));
    this.link = new ReplicaLink(server, this, host, port);
    this.link.start();
  }

  /** REPLICAOF NO ONE: keep the dataset, become a writable master, keep the history. */
  becomeMaster(by: Client | null): void {
    const server = this.server;
    if (!server.isReplica) return;
    if (this.link !== null) this.link.stop();
    this.link = null;
    server.isReplica = false;
    this.forwardingOnly = false;
    server.loading = false;
    this.shiftReplId();
    if (this.backlog === null) this.createBacklogKeepingId();
    this.lastEmittedDb = -1;
    server.log.notice('MASTER MODE enabled' + (by !== null ? ' (user request from ' + by.describe() + ')' : ''));
  }

  private createBacklogKeepingId(): void {
    const isReplica = this.server.isReplica;
    this.server.isReplica = true; // createBacklog keeps the id on replicas
    this.createBacklog();
    this.server.isReplica = isReplica;
  }

  /** The whole "# Replication" body of INFO. */
  info(): string {
    const server = this.server;
    const cfg = server.config;
    let s = '';
    if (!server.isReplica || this.link === null) {
      s += 'role:master\r\n';
    } else {
      const l = this.link;
      const now = Date.now();
      s += 'role:slave\r\n';
      s += 'master_host:' + l.host + '\r\n';
      s += 'master_port:' + l.port + '\r\n';
      s += 'master_link_status:' + (l.linkUp ? 'up' : 'down') + '\r\n';
      s += 'master_last_io_seconds_ago:' + (l.linkUp ? Math.floor((now - l.lastIo) / 1000) : -1) + '\r\n';
      s += 'master_sync_in_progress:' + (l.syncInProgress ? 1 : 0) + '\r\n';
      s += 'slave_read_repl_offset:' + (l.linkUp ? l.readOffset : this.masterOffset) + '\r\n';
      s += 'slave_repl_offset:' + this.masterOffset + '\r\n';
      if (l.syncInProgress) {
        const total = l.transferSize;
        s += 'master_sync_total_bytes:' + total + '\r\n';
        s += 'master_sync_read_bytes:' + l.transferRead + '\r\n';
        s += 'master_sync_left_bytes:' + (total >= 0 ? total - l.transferRead : -1) + '\r\n';
        s += 'master_sync_perc:' + (total > 0 ? ((l.transferRead * 100) / total).toFixed(2) : '0.00') + '\r\n';
        s += 'master_sync_last_io_seconds_ago:' + Math.floor((now - l.lastIo) / 1000) + '\r\n';
      }
      if (!l.linkUp) s += 'master_link_down_since_seconds:' + (l.downSince !== 0 && l.everUp ? Math.floor((now - l.downSince) / 1000) : -1) + '\r\n';
      s += 'slave_priority:' + cfg.getNumber('replica-priority') + '\r\n';
      s += 'slave_read_only:' + (cfg.getBool('replica-read-only') ? 1 : 0) + '\r\n';
      s += 'replica_announced:' + (cfg.getBool('replica-announced') ? 1 : 0) + '\r\n';
    }
    return s + this.replicaLines() + this.historyLines();
  }
}

export { NULL_REPLID };

export function installReplication(server: Server): ReplicationManager {
  const m = new ReplicationManager(server);
  m.install();
  return m;
}
