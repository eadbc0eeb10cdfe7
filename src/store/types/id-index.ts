/**
 * An ordered map from 16-byte stream-ID keys (idKey: big-endian ms+seq as latin1, which sorts
 * like the IDs) to values: the pending-entry lists of consumer groups and consumers.
 *
 * A Map gives O(1) lookup; a sorted key array gives ordered walks and binary search. PELs grow
 * at the tail (XREADGROUP delivers increasing IDs: a push) and shrink mostly at the head (XACK
 * of the oldest entries), so deletions only drop the Map entry and leave the key in the array
 * as a tombstone; the array is compacted once tombstones outnumber live keys, which keeps
 * every operation amortised O(1) at the ends and O(log n) for seeks. Inserting in the middle
 * (XCLAIM FORCE of an old ID) is an array splice.
 */

export class IdIndex<V> {
  private keys: string[] = [];
  private readonly map = new Map<string, V>();
  private dead = 0;

  get size(): number {
    return this.map.size;
  }

  get(k: string): V | undefined {
    return this.map.get(k);
  }

  has(k: string): boolean {
    return this.map.has(k);
  }

  /** Index of the first key >= k in the key array (tombstones included). */
  private lowerBound(k: string): number {
    const keys = this.keys;
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid]! < k) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  set(k: string, v: V): void {
    const map = this.map;
    if (map.has(k)) {
      map.set(k, v);
      return;
    }
    map.set(k, v);
    const keys = this.keys;
    const n = keys.length;
    if (n === 0 || keys[n - 1]! < k) {
      keys.push(k);
      return;
    }
    const pos = this.lowerBound(k);
    if (keys[pos] === k) this.dead--; // a tombstone comes back to life
    else keys.splice(pos, 0, k);
  }

  delete(k: string): boolean {
    if (!this.map.delete(k)) return false;
    this.dead++;
    if (this.dead > 32 && this.dead > this.map.size) this.compact();
    return true;
  }

  private compact(): void {
    const map = this.map;
    this.keys = this.keys.filter((k) => map.has(k));
    this.dead = 0;
  }

  clear(): void {
    this.keys = [];
    this.map.clear();
    this.dead = 0;
  }

  /**
   * Calls fn(key, value) for live keys >= from (all when from is null) in ascending order until
   * fn returns false. fn may delete the key it is given (not others).
   */
  forEachFrom(from: string | null, fn: (k: string, v: V) => boolean): void {
    const keys = this.keys;
    const map = this.map;
    let i = from === null ? 0 : this.lowerBound(from);
    for (; i < keys.length; i++) {
      const k = keys[i]!;
      const v = map.get(k);
      if (v === undefined) continue;
      if (!fn(k, v)) return;
      // A delete inside fn may have compacted the array: find our place again.
      if (keys !== this.keys) {
        this.forEachFrom(nextKeyAfter(k), fn);
        return;
      }
    }
  }

  /** Smallest and largest live keys (null when empty). */
  firstKey(): string | null {
    for (const k of this.keys) if (this.map.has(k)) return k;
    return null;
  }

  lastKey(): string | null {
    const keys = this.keys;
    for (let i = keys.length - 1; i >= 0; i--) if (this.map.has(keys[i]!)) return keys[i]!;
    return null;
  }

  /** Live entries in key order. */
  *entries(): IterableIterator<[string, V]> {
    const map = this.map;
    for (const k of this.keys) {
      const v = map.get(k);
      if (v !== undefined) yield [k, v];
    }
  }
}

/** The smallest 16-char key greater than k (k + 1 in big-endian), or k itself at the top. */
function nextKeyAfter(k: string): string {
  const codes: number[] = [];
  for (let i = 0; i < k.length; i++) codes.push(k.charCodeAt(i));
  for (let i = codes.length - 1; i >= 0; i--) {
    if (codes[i]! < 255) {
      codes[i]!++;
      for (let j = i + 1; j < codes.length; j++) codes[j] = 0;
      return String.fromCharCode(...codes);
    }
  }
  return k + '\u0000';
}
