/**
 * Partial quicksort: sorts `a` so that positions lo..hi (inclusive) hold what a full sort would
 * put there, leaving the rest partially ordered.
 *
 * Redis uses such a sort when only a window of the result is needed (GEOSEARCH ... COUNT n, SORT
 * ... BY ... LIMIT). The algorithm is Bentley and McIlroy's quicksort ("Engineering a Sort
 * Function", 1993: median-of-three or ninther pivot, three-way partition with the equal keys
 * parked at both ends, insertion sort for small or already-partitioned runs) that skips the
 * partitions lying outside the window. It is not stable, and elements that compare equal come
 * out in the order this exact procedure leaves them in, which is what a client of Redis sees:
 * so the steps below follow the published algorithm precisely.
 */

export type Compare<T> = (x: T, y: T) => number;

function swap<T>(a: T[], i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

/** Swaps the n-element blocks starting at i and j, pairwise. */
function blockSwap<T>(a: T[], i: number, j: number, n: number): void {
  for (let k = 0; k < n; k++) swap(a, i + k, j + k);
}

function median3<T>(a: T[], i: number, j: number, k: number, cmp: Compare<T>): number {
  if (cmp(a[i]!, a[j]!) < 0) {
    if (cmp(a[j]!, a[k]!) < 0) return j;
    return cmp(a[i]!, a[k]!) < 0 ? k : i;
  }
  if (cmp(a[j]!, a[k]!) > 0) return j;
  return cmp(a[i]!, a[k]!) < 0 ? i : k;
}

function insertionSort<T>(a: T[], base: number, n: number, cmp: Compare<T>): void {
  for (let m = base + 1; m < base + n; m++) {
    for (let l = m; l > base && cmp(a[l - 1]!, a[l]!) > 0; l--) swap(a, l, l - 1);
  }
}

/** True when the window lo..hi overlaps positions start..start+n-1. */
function overlaps(start: number, n: number, lo: number, hi: number): boolean {
  const end = start + n - 1;
  return !((lo < start && hi < start) || (lo > end && hi > end));
}

function sortRange<T>(a: T[], base: number, n: number, cmp: Compare<T>, lo: number, hi: number): void {
  for (;;) {
    if (n < 7) {
      insertionSort(a, base, n, cmp);
      return;
    }
    let pm = base + (n >> 1);
    if (n > 7) {
      let pl = base;
      let pn = base + n - 1;
      if (n > 40) {
        const d = n >> 3;
        pl = median3(a, pl, pl + d, pl + 2 * d, cmp);
        pm = median3(a, pm - d, pm, pm + d, cmp);
        pn = median3(a, pn - 2 * d, pn - d, pn, cmp);
      }
      pm = median3(a, pl, pm, pn, cmp);
    }
    swap(a, base, pm);
    // Invariant: [base+1, pa) == pivot, [pa, pb) < pivot, (pc, pd] > pivot, (pd, end] == pivot.
    let pa = base + 1;
    let pb = pa;
    let pc = base + n - 1;
    let pd = pc;
    let swapped = false;
    for (;;) {
      let r: number;
      while (pb <= pc && (r = cmp(a[pb]!, a[base]!)) <= 0) {
        if (r === 0) {
          swapped = true;
          swap(a, pa, pb);
          pa++;
        }
        pb++;
      }
      while (pb <= pc && (r = cmp(a[pc]!, a[base]!)) >= 0) {
        if (r === 0) {
          swapped = true;
          swap(a, pc, pd);
          pd--;
        }
        pc--;
      }
      if (pb > pc) break;
      swap(a, pb, pc);
      swapped = true;
      pb++;
      pc--;
    }
    if (!swapped) {
      // Nothing moved: the run looks sorted, finish it by insertion.
      insertionSort(a, base, n, cmp);
      return;
    }
    const pn = base + n;
    let r = Math.min(pa - base, pb - pa);
    blockSwap(a, base, pb - r, r);
    r = Math.min(pd - pc, pn - pd - 1);
    blockSwap(a, pb, pn - r, r);
    const left = pb - pa;
    if (left > 1 && overlaps(base, left, lo, hi)) sortRange(a, base, left, cmp, lo, hi);
    const right = pd - pc;
    if (right <= 1) return;
    base = pn - right;
    n = right;
    if (!overlaps(base, n, lo, hi)) return;
  }
}

/** Sorts a[lo..hi] into place (see the header); the whole array takes part in partitioning. */
export function partialSort<T>(a: T[], cmp: Compare<T>, lo: number, hi: number): void {
  sortRange(a, 0, a.length, cmp, lo, hi);
}
