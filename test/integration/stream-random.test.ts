/**
 * Randomised stream sequences, side by side with redis-server 7.0: XADD with explicit / ms-*
 * IDs and exact or approximate MAXLEN/MINID trimming (with LIMIT) on small nodes, XDEL, XTRIM,
 * XSETID, consumer groups (XREADGROUP, XACK, XCLAIM, XAUTOCLAIM, SETID, DELCONSUMER), then
 * XRANGE/XREVRANGE/XREAD, XINFO STREAM [FULL], XINFO GROUPS/CONSUMERS, XPENDING and
 * DEBUG DIGEST-VALUE. Replies must be byte-identical except for times, which differ between
 * two servers by nature: timestamps (delivery times, seen-time) and idle columns are replaced
 * by placeholders before comparing, structure and every other value still must match.
 */

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DiffSession, Rng, formatMismatches, parseResp, showCommand, startPair, type RespValue, type ServerPair } from '../helpers/differential.js';

/** Reply bytes with times replaced: integers >= 10^12 (timestamps) and the named idle fields. */
function normalise(v: RespValue, idleAt: number | null): string {
  if (v.items === null) {
    if (v.type === ':' && v.text.length >= 13 && /^\d+$/.test(v.text)) return ':<time>\r\n';
    return v.raw.toString('latin1');
  }
  const head = v.raw.toString('latin1', 0, v.raw.indexOf('\r\n') + 2);
  let out = head;
  for (let i = 0; i < v.items.length; i++) {
    const x = v.items[i]!;
    if (idleAt !== null && i === idleAt && x.type === ':') out += ':<idle>\r\n';
    else out += normalise(x, idleAt);
    if (x.items === null && x.text === 'idle' && i + 1 < v.items.length) {
      out += ':<idle>\r\n';
      i++;
    }
  }
  return out;
}

const KEYS = ['s0', 's1'];
const GROUPS = ['g1', 'g2'];
const CONSUMERS = ['alice', 'bob', 'carol'];

interface StepState {
  next: Map<string, number>;
}

function randomId(r: Rng, st: StepState, key: string): string {
  const top = st.next.get(key) ?? 1;
  const p = r.next();
  if (p < 0.05) return String(r.int(0, top + 3)) + '-*';
  if (p < 0.1) return String(r.int(0, top + 2));
  return String(r.int(Math.max(0, top - 2), top + 3)) + '-' + String(r.int(0, 3));
}

function existingId(r: Rng, st: StepState, key: string): string {
  const top = st.next.get(key) ?? 1;
  return String(r.int(0, top + 1)) + '-' + String(r.int(0, 3));
}

function rangeBound(r: Rng, st: StepState, key: string, low: boolean): string {
  const p = r.next();
  if (p < 0.25) return low ? '-' : '+';
  if (p < 0.35) return '(' + existingId(r, st, key);
  if (p < 0.5) return String(r.int(0, (st.next.get(key) ?? 1) + 1));
  return existingId(r, st, key);
}

function trimArgs(r: Rng, st: StepState, key: string): string[] {
  const out: string[] = [];
  if (r.chance(0.5)) {
    out.push('MAXLEN');
    if (r.chance(0.6)) out.push(r.pick(['~', '=']));
    out.push(String(r.int(0, 40)));
  } else {
    out.push('MINID');
    if (r.chance(0.6)) out.push(r.pick(['~', '=']));
    out.push(existingId(r, st, key));
  }
  if (out.includes('~') && r.chance(0.4)) out.push('LIMIT', String(r.int(0, 12)));
  return out;
}

/** One random command and the index of an idle column in each entry of its reply (XPENDING). */
function randomStep(r: Rng, st: StepState): { argv: string[]; idleAt: number | null; perEntryIdle: boolean } {
  const key = r.pick(KEYS);
  const g = r.pick(GROUPS);
  const c = r.pick(CONSUMERS);
  const w = r.int(0, 99);
  const plain = (argv: string[]) => ({ argv, idleAt: null, perEntryIdle: false });
  if (w < 30) {
    const id = randomId(r, st, key);
    const argv = ['XADD', key];
    if (r.chance(0.3)) argv.push(...trimArgs(r, st, key));
    argv.push(id);
    const n = r.int(1, 3);
    for (let i = 0; i < n; i++) argv.push(r.pick(['f', 'g', 'h', 'field' + i]), r.chance(0.3) ? String(r.int(-1000, 100000)) : 'v' + 'x'.repeat(r.int(0, 30)));
    const top = Number(id.split('-')[0]);
    if (Number.isFinite(top)) st.next.set(key, Math.max(st.next.get(key) ?? 1, top + r.int(0, 2)));
    return plain(argv);
  }
  if (w < 37) {
    const n = r.int(1, 3);
    const argv = ['XDEL', key];
    for (let i = 0; i < n; i++) argv.push(existingId(r, st, key));
    return plain(argv);
  }
  if (w < 41) return plain(['XTRIM', key, ...trimArgs(r, st, key)]);
  if (w < 47) {
    const argv = [r.chance(0.5) ? 'XRANGE' : 'XREVRANGE', key];
    const lo = rangeBound(r, st, key, true);
    const hi = rangeBound(r, st, key, false);
    if (argv[0] === 'XRANGE') argv.push(lo, hi);
    else argv.push(hi, lo);
    if (r.chance(0.4)) argv.push('COUNT', String(r.int(-1, 5)));
    return plain(argv);
  }
  if (w < 50) return plain(['XREAD', 'COUNT', String(r.int(0, 4)), 'STREAMS', 's0', 's1', existingId(r, st, 's0'), existingId(r, st, 's1')]);
  if (w < 54) return plain(['XINFO', 'STREAM', key]);
  if (w < 57) return plain(['XINFO', 'STREAM', key, 'FULL', 'COUNT', String(r.int(0, 5))]);
  if (w < 60) return plain(['XINFO', 'GROUPS', key]);
  if (w < 62) return { argv: ['XINFO', 'CONSUMERS', key, g], idleAt: null, perEntryIdle: false };
  if (w < 66) {
    const argv = ['XGROUP', 'CREATE', key, g, r.chance(0.3) ? '$' : existingId(r, st, key)];
    if (r.chance(0.3)) argv.push('MKSTREAM');
    if (r.chance(0.2)) argv.push('ENTRIESREAD', String(r.int(-1, 10)));
    return plain(argv);
  }
  if (w < 68) {
    const argv = ['XGROUP', 'SETID', key, g, r.chance(0.3) ? '$' : existingId(r, st, key)];
    if (r.chance(0.4)) argv.push('ENTRIESREAD', String(r.int(-1, 10)));
    return plain(argv);
  }
  if (w < 69) return plain(['XGROUP', 'DESTROY', key, g]);
  if (w < 71) return plain(['XGROUP', r.pick(['CREATECONSUMER', 'DELCONSUMER']), key, g, c]);
  if (w < 80) {
    const argv = ['XREADGROUP', 'GROUP', g, c];
    if (r.chance(0.6)) argv.push('COUNT', String(r.int(1, 4)));
    if (r.chance(0.15)) argv.push('NOACK');
    argv.push('STREAMS', key, r.chance(0.8) ? '>' : existingId(r, st, key));
    return plain(argv);
  }
  if (w < 84) {
    const n = r.int(1, 3);
    const argv = ['XACK', key, g];
    for (let i = 0; i < n; i++) argv.push(existingId(r, st, key));
    return plain(argv);
  }
  if (w < 88) {
    const argv = ['XCLAIM', key, g, c, '0'];
    const n = r.int(1, 3);
    for (let i = 0; i < n; i++) argv.push(existingId(r, st, key));
    // Delivery times are pinned so that later XINFO FULL output stays comparable.
    argv.push('TIME', String(1000 + r.int(0, 5000)));
    if (r.chance(0.3)) argv.push('FORCE');
    if (r.chance(0.4)) argv.push('JUSTID');
    if (r.chance(0.2)) argv.push('RETRYCOUNT', String(r.int(0, 9)));
    if (r.chance(0.2)) argv.push('LASTID', existingId(r, st, key));
    return plain(argv);
  }
  if (w < 91) {
    const argv = ['XAUTOCLAIM', key, g, c, '0', r.chance(0.5) ? '0' : existingId(r, st, key), 'COUNT', String(r.int(1, 4))];
    if (r.chance(0.5)) argv.push('JUSTID');
    return plain(argv);
  }
  if (w < 94) return plain(['XPENDING', key, g]);
  if (w < 96) return { argv: ['XPENDING', key, g, '-', '+', String(r.int(1, 10)), ...(r.chance(0.3) ? [c] : [])], idleAt: 2, perEntryIdle: true };
  if (w < 97) return plain(['XSETID', key, existingId(r, st, key), ...(r.chance(0.3) ? ['ENTRIESADDED', String(r.int(0, 60))] : [])]);
  if (w < 99) return plain(['DEBUG', 'DIGEST-VALUE', 's0', 's1']);
  return plain(['XLEN', key]);
}

async function runStreamRandom(pair: ServerPair, seed: number, count: number, resp: 2 | 3): Promise<string> {
  const s = await DiffSession.open(pair, resp);
  const r = new Rng(seed);
  const st: StepState = { next: new Map() };
  const problems: string[] = [];
  const history: string[] = [];
  try {
    await s.exec(['FLUSHALL']);
    // Small nodes so that node splits, whole-node trimming and node freeing happen often.
    await s.exec(['CONFIG', 'SET', 'stream-node-max-entries', String(r.int(2, 6))]);
    await s.exec(['CONFIG', 'SET', 'stream-node-max-bytes', String(r.pick([0, 120, 4096]))]);
    for (let i = 0; i < count; i++) {
      const step = randomStep(r, st);
      s.redis.send(...step.argv);
      s.dfly.send(...step.argv);
      const [a, b] = await Promise.all([s.redis.readReply(4000), s.dfly.readReply(4000)]);
      let na: string;
      let nb: string;
      if (step.perEntryIdle) {
        const va = parseResp(a).value;
        const vb = parseResp(b).value;
        na = va.items === null ? a.toString('latin1') : va.items.map((x) => normalise(x, 2)).join('');
        nb = vb.items === null ? b.toString('latin1') : vb.items.map((x) => normalise(x, 2)).join('');
      } else {
        na = normalise(parseResp(a).value, step.idleAt);
        nb = normalise(parseResp(b).value, step.idleAt);
      }
      history.push('#' + (i + 1) + ' ' + showCommand(step.argv) + ' -> ' + JSON.stringify(a.toString('latin1').slice(0, 160)));
      if (na !== nb) {
        let at = 0;
        while (at < na.length && na[at] === nb[at]) at++;
        const from = Math.max(0, at - 150);
        problems.push(
          'first difference at #' + (i + 1) + ' ' + showCommand(step.argv) + ' (normalised reply, from offset ' + from + ')\n  redis:     ' +
            JSON.stringify(na.slice(from, at + 150)) + '\n  damselfly: ' + JSON.stringify(nb.slice(from, at + 150)) +
            '\nlast commands:\n  ' + history.slice(-25).join('\n  '),
        );
        break;
      }
    }
    await s.exec(['CONFIG', 'SET', 'stream-node-max-entries', '100']);
    await s.exec(['CONFIG', 'SET', 'stream-node-max-bytes', '4096']);
    await s.digest();
  } finally {
    s.close();
  }
  if (s.mismatches.length > 0) problems.push(formatMismatches('seed ' + seed, s.mismatches));
  return problems.join('\n');
}

describe('streams: random sequences vs redis-server 7.0', { timeout: 600_000 }, () => {
  let pair: ServerPair;
  before(async () => {
    pair = await startPair(['--enable-debug-command', 'yes']);
  });
  after(async () => {
    await pair.stop();
  });
  // STREAM_RANDOM_SEEDS=first:last explores more seeds (e.g. after a change); the default runs
  // stay short enough for the suite.
  const range = (process.env['STREAM_RANDOM_SEEDS'] ?? '').split(':').map(Number);
  const runs: Array<readonly [number, number, 2 | 3]> =
    range.length === 2 && range.every(Number.isFinite)
      ? Array.from({ length: range[1]! - range[0]! + 1 }, (_, i) => [range[0]! + i, 2500, i % 2 === 0 ? 2 : 3] as const)
      : [
          [11, 1500, 2],
          [12, 1500, 2],
          [13, 1500, 3],
          [14, 1500, 2],
        ];
  for (const [seed, count, resp] of runs) {
    it('seed ' + seed + ' (' + count + ' commands, RESP' + resp + ')', async () => {
      const diff = await runStreamRandom(pair, seed, count, resp);
      assert.ok(diff === '', diff);
    });
  }
});
