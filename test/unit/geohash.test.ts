/**
 * The geohash module, the correctly rounded trig functions and the partial quicksort, without a
 * server. Reference values come from redis-server 7.0.15 (scores, coordinates, geohash strings,
 * distances) and from exact arithmetic (printf rounding, function values checked against
 * 200-bit mpmath evaluations).
 */

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cellScoreRange,
  coveringCells,
  decodeScore,
  deinterleave,
  distance,
  encodeScore,
  estimateStep,
  formatCoordinate,
  formatFixed,
  geohashString,
  interleave,
  validLonLat,
} from '../../src/util/geohash.js';
import { asin, cos, sin } from '../../src/util/crmath.js';
import { partialSort } from '../../src/util/pqsort.js';

describe('geohash scores', () => {
  test('encode as redis-server does', () => {
    assert.equal(encodeScore(13.361389, 38.115556), 3479099956230698);
    assert.equal(encodeScore(15.087269, 37.502669), 3479447370796909);
    assert.equal(encodeScore(-180, -85.05112878), 0);
    assert.equal(encodeScore(180, 85.05112878), 13510798882111488);
  });

  test('interleave and deinterleave are inverse up to 27-bit indexes', () => {
    for (const [lon, lat] of [
      [0, 0],
      [1, 0],
      [0, 1],
      [0x3ffffff, 0x3ffffff],
      [0x4000000, 0],
      [0x4000000, 0x4000000],
      [0x2aaaaaa, 0x1555555],
    ] as const) {
      assert.deepEqual(deinterleave(interleave(lon, lat)), [lon, lat]);
    }
    assert.equal(interleave(1, 0), 2);
    assert.equal(interleave(0, 1), 1);
  });

  test('decode to the cell centre, formatted like Redis', () => {
    const [lon, lat] = decodeScore(3479099956230698);
    assert.equal(formatCoordinate(lon), '13.36138933897018433');
    assert.equal(formatCoordinate(lat), '38.11555639549629859');
    const [elon, elat] = decodeScore(13510798882111488);
    assert.equal(formatCoordinate(elon), '180');
    assert.equal(formatCoordinate(elat), '85.0511287799999991');
    // Scores GEOADD never writes decode like a C cast to uint64 (GEOPOS of a plain zset).
    assert.deepEqual(decodeScore(-5).map(formatCoordinate), ['180', '85.0511287799999991']);
    assert.deepEqual(decodeScore(1e20), decodeScore(0));
  });

  test('GEOHASH strings', () => {
    assert.equal(geohashString(3479099956230698), 'sqc8b49rny0');
    assert.equal(geohashString(3479447370796909), 'sqdtr74hyu0');
  });

  test('valid range is inclusive', () => {
    assert.ok(validLonLat(-180, -85.05112878));
    assert.ok(!validLonLat(180.0000001, 0));
    assert.ok(!validLonLat(0, 85.05112879));
  });

  test('distance (haversine, Redis earth radius)', () => {
    const [lon1, lat1] = decodeScore(3479099956230698);
    const [lon2, lat2] = decodeScore(3479447370796909);
    assert.equal(formatFixed(distance(lon1, lat1, lon2, lat2), 4), '166274.1516');
    assert.equal(distance(lon1, lat1, lon2, lat2) / 1000, 166.27415156960032);
    assert.equal(distance(10, 20, 10, 20), 0);
  });

  test('step estimate and covering cells', () => {
    assert.equal(estimateStep(0, 0), 26);
    assert.equal(estimateStep(1000, 0), 14);
    assert.equal(estimateStep(1000, 70), 13);
    assert.equal(estimateStep(1000, -85), 12);
    assert.equal(estimateStep(1e9, 0), 1);
    const cells = coveringCells({ lon: 15, lat: 37, conversion: 1000, radius: 200, width: 0, height: 0 });
    assert.equal(cells.length, 9);
    const live = cells.filter((c) => c.step !== 0);
    assert.ok(live.length >= 1 && live.length <= 9);
    // Every live cell is a score window containing its own cell's scores.
    for (const c of live) {
      const [min, max] = cellScoreRange(c);
      assert.ok(min < max);
    }
  });
});

describe('printf-style formatting', () => {
  test('%f rounds exactly, ties to even', () => {
    assert.equal(formatFixed(200, 6), '200.000000');
    assert.equal(formatFixed(-200.123456789, 6), '-200.123457');
    assert.equal(formatFixed(0.03125, 4), '0.0312'); // exact tie: even
    assert.equal(formatFixed(0.09375, 4), '0.0938'); // exact tie: even
    assert.equal(formatFixed(2.5, 0), '2');
    assert.equal(formatFixed(-0, 6), '-0.000000');
    assert.equal(formatFixed(Infinity, 6), 'inf');
    assert.equal(formatFixed(-Infinity, 6), '-inf');
    assert.equal(formatFixed(1e21, 2), '1000000000000000000000.00');
  });

  test('coordinates drop trailing zeros', () => {
    assert.equal(formatCoordinate(2.0000001856465488), '2.0000001856465488');
    assert.equal(formatCoordinate(-180), '-180');
    assert.equal(formatCoordinate(0.5), '0.5');
  });
});

describe('correctly rounded sin/cos/asin', () => {
  test('correctly rounded results (references: mpmath, 200 bits)', () => {
    // Reference results: mpmath at 200 bits, rounded to nearest.
    assert.equal(cos(1.082383558636033), 0.4692248291265921);
    assert.equal(asin(0.1298280023770968), 0.13019551198719345);
    assert.equal(sin(Math.PI / 6), 0.49999999999999994);
    assert.equal(asin(1), Math.PI / 2);
    assert.equal(asin(0), 0);
    assert.equal(sin(0), 0);
    assert.equal(cos(0), 1);
  });

  test('agrees with Math to within one unit in the last place', () => {
    for (let i = 0; i < 2000; i++) {
      const x = (i / 2000) * 3 - 1.5;
      for (const [mine, ref] of [
        [sin(x), Math.sin(x)],
        [cos(x), Math.cos(x)],
        [asin(Math.abs(x) / 1.5), Math.asin(Math.abs(x) / 1.5)],
      ] as const) {
        assert.ok(Math.abs(mine - ref) <= Math.abs(ref) * 2.3e-16, x + ': ' + mine + ' vs ' + ref);
      }
    }
  });
});

describe('partial quicksort', () => {
  test('the window holds what a full sort puts there', () => {
    let seed = 7;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let round = 0; round < 200; round++) {
      const n = 1 + Math.floor(rnd() * 120);
      const a = Array.from({ length: n }, () => Math.floor(rnd() * 30));
      const sorted = [...a].sort((x, y) => x - y);
      const lo = Math.floor(rnd() * n);
      const hi = lo + Math.floor(rnd() * (n - lo));
      const b = [...a];
      partialSort(b, (x, y) => x - y, lo, hi);
      assert.deepEqual(b.slice(lo, hi + 1), sorted.slice(lo, hi + 1));
      assert.deepEqual([...b].sort((x, y) => x - y), sorted);
    }
  });
});
