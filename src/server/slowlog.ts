/**
 * SLOWLOG: the last `slowlog-max-len` commands that took at least `slowlog-log-slower-than`
 * microseconds, newest first, with Redis's truncation rules (at most 32 arguments, the last
 * one saying how many more; each argument at most 128 bytes plus "... (N more bytes)").
 *
 * LATENCY: Redis's latency monitor. Events ("command", "fast-command", ...) that last at least
 * `latency-monitor-threshold` milliseconds are kept as per-second samples (the worst of each
 * second), the last 160 per event, plus the all-time maximum.
 *
 * Both are fed from one place: call() hands every call at least `server.slowlogThresholdUsec`
 * long to `Slowlog.add`, which applies the two thresholds itself.
 */

import type { Client } from './client.js';

const MAX_ARGC = 32;
const MAX_ARG_LEN = 128;

export interface SlowlogEntry {
  id: number;
  time: number; // unix seconds
  usec: number;
  args: Buffer[];
  peer: string;
  name: string;
}

export class Slowlog {
  entries: SlowlogEntry[] = [];
  nextId = 0;
  maxLen = 128;
  /** slowlog-log-slower-than; negative disables the slowlog. */
  thresholdUsec = 10000;

  add(c: Client, argv: Buffer[], usec: number): void {
    const cmd = c.cmd;
    const server = c.server;
    if (server.latency.thresholdMs > 0) {
      const fast = cmd !== null && cmd.has('fast');
      server.latency.addSampleIfNeeded(fast ? 'fast-command' : 'command', Math.floor(usec / 1000));
    }
    if (this.thresholdUsec < 0 || usec < this.thresholdUsec || this.maxLen <= 0) return;
    const shown = cmd !== null ? redactedArgv(cmd.fullName, argv, server.config) : argv;
    const argc = Math.min(shown.length, MAX_ARGC);
    const args: Buffer[] = [];
    for (let i = 0; i < argc; i++) {
      if (argc !== shown.length && i === argc - 1) {
        args.push(Buffer.from('... (' + (shown.length - argc + 1) + ' more arguments)', 'latin1'));
        break;
      }
      const a = shown[i]!;
      if (a.length > MAX_ARG_LEN) {
        args.push(
          Buffer.concat([a.subarray(0, MAX_ARG_LEN), Buffer.from('... (' + (a.length - MAX_ARG_LEN) + ' more bytes)', 'latin1')]),
        );
      } else {
        args.push(Buffer.from(a));
      }
    }
    this.entries.unshift({
      id: this.nextId++,
      time: Math.floor(Date.now() / 1000),
      usec,
      args,
      peer: c.addr,
      name: c.name ?? '',
    });
    if (this.entries.length > this.maxLen) this.entries.length = this.maxLen;
  }

  reset(): void {
    this.entries = [];
  }
}

const REDACTED = Buffer.from('(redacted)', 'latin1');

function eq(b: Buffer, lower: string): boolean {
  return b.length === lower.length && b.toString('latin1').toLowerCase() === lower;
}

/**
 * The arguments as SLOWLOG and MONITOR show them: Redis replaces passwords (and ACL rules) with
 * "(redacted)". Returns `argv` itself when nothing is secret, so the common case allocates
 * nothing.
 */
export function redactedArgv(fullName: string, argv: Buffer[], config: { isSensitive(name: string): boolean }): Buffer[] {
  switch (fullName) {
    case 'auth': {
      const out = argv.slice();
      for (let i = 1; i < out.length; i++) out[i] = REDACTED;
      return out;
    }
    case 'hello': {
      let out: Buffer[] | null = null;
      for (let i = 2; i < argv.length; i++) {
        if (eq(argv[i]!, 'auth') && i + 2 < argv.length) {
          out ??= argv.slice();
          out[i + 1] = REDACTED;
          out[i + 2] = REDACTED;
          i += 2;
        } else if (eq(argv[i]!, 'setname')) {
          i++;
        }
      }
      return out ?? argv;
    }
    case 'migrate': {
      let out: Buffer[] | null = null;
      for (let i = 6; i < argv.length; i++) {
        if (eq(argv[i]!, 'auth') && i + 1 < argv.length) {
          out ??= argv.slice();
          out[++i] = REDACTED;
        } else if (eq(argv[i]!, 'auth2') && i + 2 < argv.length) {
          out ??= argv.slice();
          out[++i] = REDACTED;
          out[++i] = REDACTED;
        } else if (eq(argv[i]!, 'keys')) {
          break;
        }
      }
      return out ?? argv;
    }
    case 'acl|setuser': {
      const out = argv.slice();
      for (let i = 2; i < out.length; i++) out[i] = REDACTED;
      return out;
    }
    case 'config|set': {
      let out: Buffer[] | null = null;
      for (let i = 2; i + 1 < argv.length; i += 2) {
        if (config.isSensitive(argv[i]!.toString('latin1'))) {
          out ??= argv.slice();
          out[i + 1] = REDACTED;
        }
      }
      return out ?? argv;
    }
    default:
      return argv;
  }
}

// ---------------------------------------------------------------------------------------------
// LATENCY

/** Samples kept per event (Redis's LATENCY_TS_LEN). */
export const LATENCY_TS_LEN = 160;

export interface LatencySample {
  /** Unix time in seconds. */
  time: number;
  /** Milliseconds. */
  latency: number;
}

export class LatencySeries {
  /** Oldest first. */
  samples: LatencySample[] = [];
  /** All-time maximum (ms). */
  max = 0;

  add(time: number, ms: number): void {
    const last = this.samples[this.samples.length - 1];
    if (last !== undefined && last.time === time) {
      if (ms > last.latency) last.latency = ms;
    } else {
      this.samples.push({ time, latency: ms });
      if (this.samples.length > LATENCY_TS_LEN) this.samples.shift();
    }
    if (ms > this.max) this.max = ms;
  }
}

export class LatencyMonitor {
  /** latency-monitor-threshold in milliseconds; 0 disables monitoring. */
  thresholdMs = 0;
  /** Event name → series, in the order events first happened. */
  readonly events = new Map<string, LatencySeries>();

  /** Records `ms` for `event` when monitoring is on and it reaches the threshold. */
  addSampleIfNeeded(event: string, ms: number): void {
    if (this.thresholdMs > 0 && ms >= this.thresholdMs) this.addSample(event, ms);
  }

  addSample(event: string, ms: number): void {
    let s = this.events.get(event);
    if (s === undefined) {
      s = new LatencySeries();
      this.events.set(event, s);
    }
    s.add(Math.floor(Date.now() / 1000), ms);
  }

  /** LATENCY RESET: the named events, or all when none are named. Returns how many existed. */
  reset(names: string[] | null): number {
    if (names === null) {
      const n = this.events.size;
      this.events.clear();
      return n;
    }
    let n = 0;
    for (const name of names) if (this.events.delete(name)) n++;
    return n;
  }
}
