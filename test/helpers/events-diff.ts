/**
 * Differential keyspace-events harness: the same command sequence runs on redis-server 7.0 and
 * on Damselfly while, on each server, a second connection subscribed to every keyspace and
 * keyevent channel (`PSUBSCRIBE __key*@*__:*`) records each message; the two message sequences
 * (and the command replies) must be identical.
 *
 * A scenario is a list of commands; `['@sleep', ms]` waits (expiry tests). The end of a run is
 * found without timing guesses: the subscriber also listens on a sync channel, and a PUBLISH to
 * it after the last command arrives after every event the commands caused (one connection's
 * messages are delivered in order).
 */

import { RawConnection, encodeCommand } from './raw.js';
import { parseResp, show, type RespValue, type ServerPair } from './differential.js';

export const EVENT_PATTERN = '__key*@*__:*';
const SYNC_CHANNEL = '__events_diff_sync__';

export interface EventRun {
  /** Each command's reply, as raw RESP text. */
  replies: string[];
  /** `channel message` for each keyspace/keyevent message, in arrival order. */
  events: string[];
}

export interface ScenarioResult {
  redis: EventRun;
  dfly: EventRun;
}

export type Step = Array<string | Buffer>;

function text(v: RespValue): string {
  return v.text;
}

/** Runs one scenario on one server. */
export async function runEvents(port: number, steps: Step[], notify = 'KEA'): Promise<EventRun> {
  const cmd = await RawConnection.connect(port);
  const sub = await RawConnection.connect(port);
  try {
    for (const setup of [['FLUSHALL'], ['CONFIG', 'SET', 'notify-keyspace-events', notify]]) {
      const r = await cmd.call(...setup);
      if (!r.startsWith('+OK')) throw new Error(setup.join(' ') + ' failed: ' + r);
    }
    sub.send('PSUBSCRIBE', EVENT_PATTERN);
    await sub.readReply();
    sub.send('SUBSCRIBE', SYNC_CHANNEL);
    await sub.readReply();
    const replies: string[] = [];
    for (const step of steps) {
      if (step[0] === '@sleep') {
        await new Promise((r) => setTimeout(r, Number(step[1])));
        continue;
      }
      cmd.write(encodeCommand(step));
      replies.push((await cmd.readReply(10000)).toString('latin1'));
    }
    await cmd.call('PUBLISH', SYNC_CHANNEL, 'end');
    const events: string[] = [];
    for (;;) {
      const v = parseResp(await sub.readReply(10000)).value;
      const items = v.items ?? [];
      if (items.length === 3 && text(items[0]!) === 'message' && text(items[1]!) === SYNC_CHANNEL) break;
      if (items.length === 4 && text(items[0]!) === 'pmessage') events.push(text(items[2]!) + ' ' + text(items[3]!));
      else events.push('unexpected: ' + show(v.raw));
    }
    await cmd.call('CONFIG', 'SET', 'notify-keyspace-events', '');
    return { replies, events };
  } finally {
    cmd.close();
    sub.close();
  }
}

/** Runs a scenario on both servers of the pair at once. */
export async function runEventScenario(pair: ServerPair, steps: Step[], notify = 'KEA'): Promise<ScenarioResult> {
  const [redis, dfly] = await Promise.all([runEvents(pair.redis.port, steps, notify), runEvents(pair.dfly.port, steps, notify)]);
  return { redis, dfly };
}

/** A readable report of where two runs differ, or null when they agree. */
export function describeDifference(name: string, steps: Step[], res: ScenarioResult): string | null {
  const lines: string[] = [];
  let k = 0;
  for (let i = 0; i < steps.length; i++) {
    if (steps[i]![0] === '@sleep') continue;
    const a = res.redis.replies[k];
    const b = res.dfly.replies[k];
    if (a !== b) lines.push('  reply of ' + steps[i]!.map(String).join(' ') + ': redis ' + JSON.stringify(a) + ' damselfly ' + JSON.stringify(b));
    k++;
  }
  const re = res.redis.events.join('\n');
  const de = res.dfly.events.join('\n');
  if (re !== de) {
    lines.push('  events differ:');
    const n = Math.max(res.redis.events.length, res.dfly.events.length);
    for (let i = 0; i < n; i++) {
      const a = res.redis.events[i] ?? '<none>';
      const b = res.dfly.events[i] ?? '<none>';
      lines.push((a === b ? '    = ' : '    ! ') + a + (a === b ? '' : '   |   damselfly: ' + b));
    }
  }
  return lines.length === 0 ? null : name + ':\n' + lines.join('\n');
}
