/**
 * PFSELFTEST: internal consistency checks of the HLL code (Redis's command runs its own; this
 * one checks the same properties of ours). Returns null when everything holds, else a
 * description of the first failure.
 *
 * 1. Dense registers: random values written to random registers read back exactly, and a
 *    write never disturbs the neighbouring registers or the header.
 * 2. Sparse and dense forms agree: the same elements added to an HLL that stays sparse up to
 *    8000 bytes (then is promoted) and to one that is dense from the start give the same
 *    registers and the same estimate; the estimate stays within 5 standard errors
 *    (1.04 / sqrt(16384) each) of the true cardinality.
 */

import {
  HLL_DENSE_SIZE,
  HLL_HDR,
  HLL_REGISTERS,
  HllWork,
  denseGet,
  denseSet,
  denseToRegs,
  hllCount,
  hllPatLen,
  newSparseHll,
  sparseDecode,
} from './hll-core.js';

export function hllSelfTest(): string | null {
  return denseRegisterTest() ?? equivalenceTest();
}

/** xorshift32: deterministic pseudo-random numbers. */
function rng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

function denseRegisterTest(): string | null {
  const next = rng(0x5eed);
  const buf = new Uint8Array(HLL_DENSE_SIZE + 1);
  const shadow = new Uint8Array(HLL_REGISTERS);
  buf[HLL_DENSE_SIZE] = 0xa5; // guard byte after the registers
  for (let round = 0; round < 4; round++) {
    for (let k = 0; k < HLL_REGISTERS; k++) {
      const i = next() & (HLL_REGISTERS - 1);
      const v = next() & 63;
      denseSet(buf, HLL_HDR, i, v);
      shadow[i] = v;
    }
    for (let i = 0; i < HLL_REGISTERS; i++) {
      if (denseGet(buf, HLL_HDR, i) !== shadow[i]) return 'register ' + i + ' should be ' + shadow[i];
    }
  }
  for (let i = 0; i < HLL_HDR; i++) if (buf[i] !== 0) return 'dense register write changed header byte ' + i;
  if (buf[HLL_DENSE_SIZE] !== 0xa5) return 'dense register write past the last register';
  return null;
}

/** Larger than the default hll-sparse-max-bytes, small enough to keep the walk cheap. */
const SPARSE_LIMIT = 8000;

function equivalenceTest(): string | null {
  const sparse = new HllWork(4096);
  sparse.load(newSparseHll());
  const dense = new HllWork(HLL_DENSE_SIZE);
  dense.load(newSparseHll());
  dense.toDense();
  const a = new Uint8Array(HLL_REGISTERS);
  const b = new Uint8Array(HLL_REGISTERS);
  const el = Buffer.alloc(16);
  const stdErr = 1.04 / Math.sqrt(HLL_REGISTERS);
  let checkpoint = 10;
  for (let n = 1; n <= 200000; n++) {
    const len = el.write('selftest:' + n, 'latin1');
    const pl = hllPatLen(el, 0, len);
    if (sparse.set(pl >>> 6, pl & 63, SPARSE_LIMIT) < 0) return 'sparse HLL reported corrupt after ' + n + ' elements';
    dense.set(pl >>> 6, pl & 63, 0);
    if (n !== checkpoint) continue;
    checkpoint = Math.ceil(checkpoint * 1.7);
    const va = sparse.view();
    const vb = dense.view();
    if (va[4] === 1) {
      if (!sparseDecode(va, va.length, a, null)) return 'sparse HLL does not cover every register after ' + n + ' elements';
    } else denseToRegs(va, a);
    denseToRegs(vb, b);
    for (let i = 0; i < HLL_REGISTERS; i++) {
      if (a[i] !== b[i]) return 'sparse and dense register ' + i + ' differ after ' + n + ' elements';
    }
    const ea = hllCount(va);
    const eb = hllCount(vb);
    if (ea !== eb) return 'sparse and dense estimates differ (' + ea + ' / ' + eb + ') after ' + n + ' elements';
    if (Math.abs(eb - n) / n > 5 * stdErr) return 'estimate ' + eb + ' too far from ' + n;
  }
  return null;
}
