/**
 * Pub/Sub state and delivery: channel, pattern and shard-channel subscriptions, PUBLISH fan-out
 * and keyspace notifications (`server.notifyHook`).
 *
 * Layout. The server keeps, per channel (latin1 string of its bytes), the set of subscribed
 * clients in subscription order (a JS Set keeps insertion order, and re-subscribing after an
 * unsubscribe moves a client to the end, as Redis's per-channel client list does). Patterns are
 * compiled once with the Redis glob (store/glob.ts). Each client's own subscriptions live in a
 * side table so the Client object stays free of pub/sub fields.
 *
 * Delivery. A PUBLISH encodes each message frame once (one buffer per channel/pattern match) and
 * appends those bytes to every receiver's reply buffer; RESP3 receivers get a copy whose first
 * byte is '>' (push) instead of '*', made at most once per frame. Receivers are flushed at the
 * end of the event-loop turn like any reply, where the output buffer limits of the `pubsub`
 * class (client-output-buffer-limit) apply: a subscribed client carries ClientFlag.PUBSUB.
 *
 * Redis 7.0 facts this follows (checked against redis-server 7.0.15):
 * - subscriber counts in (P)(UN)SUBSCRIBE replies are channels + patterns; in S(UN)SUBSCRIBE
 *   replies shard channels only; the client stays in "subscribed" mode (PUBSUB flag) while the
 *   total of all three is > 0.
 * - a channel's subscribers receive `message` first, then every matching pattern's subscribers
 *   receive `pmessage`; PUBLISH returns the number of deliveries.
 * - keyspace notifications publish `__keyspace@<db>__:<key>` → event first, then
 *   `__keyevent@<db>__:<event>` → key, when the event's class bit and K / E are set.
 */

import type { Client } from './client.js';
import { ClientFlag } from './client.js';
import type { Server } from './server.js';
import type { Command } from '../commands/table.js';
import { compileGlob, type CompiledGlob } from '../store/glob.js';
import { NOTIFY } from '../store/notify.js';

/** One pattern subscription: the pattern bytes, its compiled matcher and its clients. */
interface PatternSubs {
  readonly pattern: Buffer;
  readonly glob: CompiledGlob;
  readonly clients: Set<Client>;
}

/** A client's own subscriptions (latin1 names; Sets keep subscription order). */
export interface ClientSubs {
  readonly channels: Set<string>;
  readonly patterns: Set<string>;
  readonly shard: Set<string>;
}

const STAR = 0x2a;
const PUSH = 0x3e;

function enc(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

const W_MESSAGE = enc('message');
const W_PMESSAGE = enc('pmessage');
const W_SMESSAGE = enc('smessage');

/** Bytes of `$<n>\r\n<bytes>\r\n`. */
function bulkSize(n: number): number {
  return 1 + decimalLength(n) + 2 + n + 2;
}

function decimalLength(n: number): number {
  let d = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    d++;
  }
  return d;
}

function putBulk(out: Buffer, pos: number, b: Buffer): number {
  out[pos++] = 0x24;
  pos += out.write(String(b.length), pos, 'latin1');
  out[pos++] = 0x0d;
  out[pos++] = 0x0a;
  pos += b.copy(out, pos);
  out[pos++] = 0x0d;
  out[pos++] = 0x0a;
  return pos;
}

/**
 * The RESP2 frame `*3 <kind> <channel> <message>` (or `*4 pmessage <pattern> <channel>
 * <message>` when `pattern` is given), encoded once per publish.
 */
export function encodeMessage(kind: Buffer, pattern: Buffer | null, channel: Buffer, message: Buffer): Buffer {
  let size = 4 + bulkSize(kind.length) + bulkSize(channel.length) + bulkSize(message.length);
  if (pattern !== null) size += bulkSize(pattern.length);
  const out = Buffer.allocUnsafe(size);
  out[0] = STAR;
  out[1] = pattern !== null ? 0x34 : 0x33;
  out[2] = 0x0d;
  out[3] = 0x0a;
  let p = putBulk(out, 4, kind);
  if (pattern !== null) p = putBulk(out, p, pattern);
  p = putBulk(out, p, channel);
  putBulk(out, p, message);
  return out;
}

/** A frame and, made on first need, its RESP3 push twin. */
class Frame {
  readonly resp2: Buffer;
  private resp3: Buffer | null = null;
  constructor(resp2: Buffer) {
    this.resp2 = resp2;
  }
  deliver(c: Client): void {
    if (c.reply.resp === 3) {
      let b = this.resp3;
      if (b === null) {
        b = Buffer.from(this.resp2);
        b[0] = PUSH;
        this.resp3 = b;
      }
      c.reply.raw(b);
    } else {
      c.reply.raw(this.resp2);
    }
    c.scheduleFlush();
  }
}

/** Error for commands refused to a RESP2 client in subscribed mode ('%s' is the full name). */
export function subscribedContextError(fullName: string): string {
  return "ERR Can't execute '" + fullName + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context";
}

/** Commands a RESP2 client may run while subscribed. */
const ALLOWED_IN_CONTEXT = ['ping', 'subscribe', 'ssubscribe', 'unsubscribe', 'sunsubscribe', 'psubscribe', 'punsubscribe', 'quit', 'reset'];

export class PubSub {
  readonly server: Server;
  readonly channels = new Map<string, Set<Client>>();
  readonly shardChannels = new Map<string, Set<Client>>();
  readonly patterns = new Map<string, PatternSubs>();
  private readonly perClient = new Map<Client, ClientSubs>();
  /** notify-keyspace-events bits (NOTIFY of store/notify.ts). */
  notifyFlags = 0;
  private readonly allowedInContext = new Set<Command>();
  /** `__keyspace@<db>__:` and `__keyevent@<db>__:` prefixes, by db index. */
  private readonly keyspacePrefix: Buffer[] = [];
  private readonly keyeventPrefix: Buffer[] = [];
  /** `__keyevent@<db>__:<event>` channels, by db index then event name. */
  private readonly eventChannels: Array<Map<string, Buffer>> = [];

  constructor(server: Server) {
    this.server = server;
    for (const name of ALLOWED_IN_CONTEXT) {
      const cmd = server.commands.lookupFullName(name);
      if (cmd !== undefined) this.allowedInContext.add(cmd);
    }
    const dbs = server.keyspace.dbs.length;
    for (let i = 0; i < dbs; i++) {
      this.keyspacePrefix.push(enc('__keyspace@' + i + '__:'));
      this.keyeventPrefix.push(enc('__keyevent@' + i + '__:'));
      this.eventChannels.push(new Map());
    }
  }

  // ------------------------------------------------------------------------- per client

  subsOf(c: Client): ClientSubs | undefined {
    return this.perClient.get(c);
  }

  private ensureSubs(c: Client): ClientSubs {
    let s = this.perClient.get(c);
    if (s === undefined) {
      s = { channels: new Set(), patterns: new Set(), shard: new Set() };
      this.perClient.set(c, s);
    }
    return s;
  }

  /** Channels + patterns: the count (P)(UN)SUBSCRIBE replies show. */
  subscriptionCount(c: Client): number {
    const s = this.perClient.get(c);
    return s === undefined ? 0 : s.channels.size + s.patterns.size;
  }

  shardCount(c: Client): number {
    const s = this.perClient.get(c);
    return s === undefined ? 0 : s.shard.size;
  }

  /** Sets or clears the subscribed-mode flag from the client's total subscriptions. */
  private updateFlag(c: Client): void {
    const s = this.perClient.get(c);
    if (s !== undefined && s.channels.size + s.patterns.size + s.shard.size > 0) {
      c.flags |= ClientFlag.PUBSUB;
    } else {
      c.flags &= ~ClientFlag.PUBSUB;
      if (s !== undefined) this.perClient.delete(c);
    }
  }

  /** True when a RESP2 client in subscribed mode may not run `cmd`. */
  refused(c: Client, cmd: Command): boolean {
    return (c.flags & ClientFlag.PUBSUB) !== 0 && c.reply.resp === 2 && !this.allowedInContext.has(cmd);
  }

  // ------------------------------------------------------------------------- subscribe

  /** Returns false when the client was already subscribed. */
  subscribe(c: Client, channel: Buffer, shard: boolean): boolean {
    const name = channel.toString('latin1');
    const subs = this.ensureSubs(c);
    const mine = shard ? subs.shard : subs.channels;
    if (mine.has(name)) return false;
    mine.add(name);
    const table = shard ? this.shardChannels : this.channels;
    let set = table.get(name);
    if (set === undefined) table.set(name, (set = new Set()));
    set.add(c);
    c.flags |= ClientFlag.PUBSUB;
    return true;
  }

  /** Returns false when the client was not subscribed. */
  unsubscribe(c: Client, name: string, shard: boolean): boolean {
    const subs = this.perClient.get(c);
    const mine = subs === undefined ? undefined : shard ? subs.shard : subs.channels;
    if (mine === undefined || !mine.delete(name)) return false;
    const table = shard ? this.shardChannels : this.channels;
    const set = table.get(name);
    if (set !== undefined) {
      set.delete(c);
      if (set.size === 0) table.delete(name);
    }
    return true;
  }

  psubscribe(c: Client, pattern: Buffer): boolean {
    const name = pattern.toString('latin1');
    const subs = this.ensureSubs(c);
    if (subs.patterns.has(name)) return false;
    subs.patterns.add(name);
    let p = this.patterns.get(name);
    if (p === undefined) {
      const bytes = Buffer.from(pattern);
      p = { pattern: bytes, glob: compileGlob(bytes), clients: new Set() };
      this.patterns.set(name, p);
    }
    p.clients.add(c);
    c.flags |= ClientFlag.PUBSUB;
    return true;
  }

  punsubscribe(c: Client, name: string): boolean {
    const subs = this.perClient.get(c);
    if (subs === undefined || !subs.patterns.delete(name)) return false;
    const p = this.patterns.get(name);
    if (p !== undefined) {
      p.clients.delete(c);
      if (p.clients.size === 0) this.patterns.delete(name);
    }
    return true;
  }

  /** After a batch of unsubscribes: leaves subscribed mode when nothing is left. */
  settle(c: Client): void {
    this.updateFlag(c);
  }

  /** RESET and disconnect: drops every subscription of `c` without replying. */
  dropClient(c: Client): void {
    const subs = this.perClient.get(c);
    if (subs !== undefined) {
      for (const ch of [...subs.channels]) this.unsubscribe(c, ch, false);
      for (const ch of [...subs.shard]) this.unsubscribe(c, ch, true);
      for (const p of [...subs.patterns]) this.punsubscribe(c, p);
      this.perClient.delete(c);
    }
    c.flags &= ~ClientFlag.PUBSUB;
  }

  // ------------------------------------------------------------------------- publish

  /** PUBLISH / SPUBLISH: delivers to channel subscribers then (not shard) to matching patterns. */
  publish(channel: Buffer, message: Buffer, shard: boolean): number {
    let receivers = 0;
    const table = shard ? this.shardChannels : this.channels;
    if (table.size > 0) {
      const set = table.get(channel.toString('latin1'));
      if (set !== undefined) {
        const frame = new Frame(encodeMessage(shard ? W_SMESSAGE : W_MESSAGE, null, channel, message));
        for (const c of set) {
          frame.deliver(c);
          receivers++;
        }
      }
    }
    if (!shard && this.patterns.size > 0) {
      for (const p of this.patterns.values()) {
        if (!p.glob.match(channel)) continue;
        const frame = new Frame(encodeMessage(W_PMESSAGE, p.pattern, channel, message));
        for (const c of p.clients) {
          frame.deliver(c);
          receivers++;
        }
      }
    }
    return receivers;
  }

  // ------------------------------------------------------------------------- keyspace events

  /** server.notifyHook: publishes a keyspace event when its class is enabled. */
  notify(type: number, event: string, key: Buffer, dbIndex: number): void {
    const flags = this.notifyFlags;
    if ((flags & type) === 0) return;
    // Nobody can receive it: publishing would have no visible effect.
    if (this.channels.size === 0 && this.patterns.size === 0) return;
    if ((flags & NOTIFY.KEYSPACE) !== 0) {
      const prefix = this.keyspacePrefix[dbIndex] ?? enc('__keyspace@' + dbIndex + '__:');
      this.publish(Buffer.concat([prefix, key]), this.eventBytes(event), false);
    }
    if ((flags & NOTIFY.KEYEVENT) !== 0) {
      this.publish(this.eventChannel(dbIndex, event), key, false);
    }
  }

  private readonly eventNames = new Map<string, Buffer>();

  private eventBytes(event: string): Buffer {
    let b = this.eventNames.get(event);
    if (b === undefined) this.eventNames.set(event, (b = enc(event)));
    return b;
  }

  private eventChannel(dbIndex: number, event: string): Buffer {
    const m = this.eventChannels[dbIndex];
    if (m === undefined) return enc('__keyevent@' + dbIndex + '__:' + event);
    let b = m.get(event);
    if (b === undefined) m.set(event, (b = Buffer.concat([this.keyeventPrefix[dbIndex]!, enc(event)])));
    return b;
  }
}

/** Attaches pub/sub to the server's hooks (notify, veto, RESET, disconnect, CLIENT LIST, INFO). */
export function installPubSub(server: Server): PubSub {
  const ps = new PubSub(server);
  const config = server.config;
  const newKey = (dbIndex: number, key: Buffer): void => ps.notify(NOTIFY.NEW, 'new', key, dbIndex);
  const setFlags = (bits: number): void => {
    ps.notifyFlags = bits;
    // The keyspace calls back on every added key only while `new` events are wanted.
    const hook = (bits & NOTIFY.NEW) !== 0 ? newKey : null;
    for (const db of server.keyspace.dbs) db.onNewKey = hook;
  };
  setFlags(config.get('notify-keyspace-events') as number);
  config.onChange('notify-keyspace-events', (v) => setFlags(v as number));
  server.notifyHook = (type, event, key, dbIndex) => ps.notify(type, event, key, dbIndex);
  server.vetoes.push((c, cmd) => (ps.refused(c, cmd) ? subscribedContextError(cmd.fullName) : null));
  server.resetHooks.push((c) => ps.dropClient(c));
  server.unlinkHooks.push((c) => ps.dropClient(c));
  server.clientCounters.push((c, out) => {
    const s = ps.subsOf(c);
    if (s === undefined) return;
    out.sub = s.channels.size;
    out.psub = s.patterns.size;
    out.ssub = s.shard.size;
  });
  server.infoFields.set('pubsub_channels', () => ps.channels.size);
  server.infoFields.set('pubsub_patterns', () => ps.patterns.size);
  server.infoFields.set('pubsubshard_channels', () => ps.shardChannels.size);
  return ps;
}
