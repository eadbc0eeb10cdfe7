/**
 * DenseSet and DenseMap: the "hashtable" encoding of big sets, hashes and sorted sets.
 *
 * Why not a plain JS Set/Map: V8 caps one Map or Set at 2^24 (16.7M) entries, where Redis goes
 * to 2^32; and a Map has no cursor that survives deletions, so HSCAN/SSCAN/ZSCAN over one
 * either walked the map from its start on every call (O(n) per call, O(n^2) per iteration) or
 * sorted a snapshot after every change.
 *
 * Layout: members sit in a dense array of slots 0..size-1 (paged, so no single JS array gets
 * huge); an index maps member → slot and is split over several Maps of at most `shardMax`
 * entries each, so the 2^24 cap never binds. Deleting a member moves the member in the last
 * slot into the freed one (swap-remove): the slots stay dense, a random member is one random
 * slot (SRANDMEMBER, SPOP, HRANDFIELD in O(1)), and members only ever move to LOWER slots.
 *
 * SCAN walks the slots from the top down. Cursor c (c > 0) means "the slots below c are still
 * to visit"; a call visits up to COUNT slots below it and returns the new bound (0 when done).
 * A member present for the whole iteration is always returned: its slot only decreases, the
 * bound only decreases, and the bound cannot pass below the member's slot without a call
 * visiting that slot. A member that moves down past the bound may be returned twice, which
 * Redis's SCAN contract allows.
 *
 * Iteration (for..of, forEach) also runs from the top slot down, so deleting the member just
 * visited is safe (the member moved into its slot was visited already); like Redis's safe
 * dict iterator, other changes during an iteration may repeat or skip members.
 *
 * Frozen views (freeze/thaw) let a snapshot write a big value in pieces while clients keep
 * changing it: the view reads the slots as they were when it was taken, slot by slot upwards.
 * Before a slot the view has not passed yet changes for the first time (an overwrite, or a
 * swap-remove touching it or the last slot), its old member and value are copied aside. Cost:
 * one null check per change while no view exists; while one does, at most one saved copy per
 * slot, dropped as the view passes it.
 */

const PAGE_BITS = 16;
const PAGE_SIZE = 1 << PAGE_BITS;
const PAGE_MASK = PAGE_SIZE - 1;
/** Entries per index Map: half of V8's 2^24 cap, so a Map never gets near it. */
const SHARD_MAX = 1 << 23;
/**
 * Up to this many members there is no index: lookups compare against the members in slot
 * order. A Map costs ~480 bytes at 10 entries, a third of a 10-member set's memory, and a
 * scan of a few short strings is as fast as hashing one.
 */
const SMALL_MAX = 16;

/**
 * The slots of a DenseSet/DenseMap as they were at freeze(), read in ascending slot order:
 * keyAt(s) (and valueAt(s) for a map) then passed(s), for s = 0..size-1.
 */
export class FrozenSlots<V = never> {
  /** Slots at the freeze: 0..size-1. */
  readonly size: number;
  /** Slots below this have been read (passed): their changes need not be saved. */
  cursor = 0;
  /** The pages at the freeze; a clear() gives the object new ones, and these stay the view's. */
  private readonly keyPages: string[][];
  private readonly valPages: V[][] | null;
  private readonly savedKeys = new Map<number, string>();
  private readonly savedVals: Map<number, V> | null;

  constructor(size: number, keyPages: string[][], valPages: V[][] | null) {
    this.size = size;
    this.keyPages = keyPages;
    this.valPages = valPages;
    this.savedVals = valPages === null ? null : new Map<number, V>();
  }

  /** Copies slot `s` aside if the view still needs it and has no copy yet (called before it changes). */
  save(s: number): void {
    if (s < this.cursor || s >= this.size || this.savedKeys.has(s)) return;
    this.savedKeys.set(s, this.keyPages[s >>> PAGE_BITS]![s & PAGE_MASK]!);
    if (this.savedVals !== null) this.savedVals.set(s, this.valPages![s >>> PAGE_BITS]![s & PAGE_MASK]!);
  }

  keyAt(s: number): string {
    const k = this.savedKeys.get(s);
    return k !== undefined ? k : this.keyPages[s >>> PAGE_BITS]![s & PAGE_MASK]!;
  }

  valueAt(s: number): V {
    const saved = this.savedVals!;
    if (saved.has(s)) return saved.get(s)!;
    return this.valPages![s >>> PAGE_BITS]![s & PAGE_MASK]!;
  }

  /** Slot `s` has been read: later changes to it need no copy. */
  passed(s: number): void {
    this.cursor = s + 1;
    if (this.savedKeys.size !== 0 && this.savedKeys.delete(s)) this.savedVals?.delete(s);
  }

  /** Slots copied aside and not yet read (tests, memory estimates). */
  get savedCount(): number {
    return this.savedKeys.size;
  }
}

/** Members and their slots: the part shared by DenseSet and DenseMap. */
abstract class DenseSlots {
  /** Slot pages: keys[s >>> PAGE_BITS][s & PAGE_MASK] is the member in slot s. */
  protected keyPages: string[][] = [];
  protected count = 0;
  /** Frozen views being read (usually none; one per snapshot consumer writing this value). */
  protected views: FrozenSlots<unknown>[] | null = null;
  /** The first index shard (null while the set is small), and the others once the first is full. */
  private idx0: Map<string, number> | null = null;
  private more: Map<string, number>[] | null = null;
  private readonly shardMax: number;

  constructor(shardMax: number) {
    this.shardMax = shardMax;
  }

  get size(): number {
    return this.count;
  }

  /** The slot of `k`, or -1. */
  slotOf(k: string): number {
    const idx0 = this.idx0;
    if (idx0 === null) {
      const page = this.keyPages[0];
      if (page !== undefined) for (let i = 0; i < page.length; i++) if (page[i] === k) return i;
      return -1;
    }
    const s = idx0.get(k);
    if (s !== undefined) return s;
    const more = this.more;
    if (more !== null) {
      for (let i = 0; i < more.length; i++) {
        const t = more[i]!.get(k);
        if (t !== undefined) return t;
      }
    }
    return -1;
  }

  has(k: string): boolean {
    return this.slotOf(k) >= 0;
  }

  /** Removes `k` (the last member moves into its slot); false when absent. */
  delete(k: string): boolean {
    const s = this.slotOf(k);
    if (s < 0) return false;
    this.removeSlot(k, s);
    return true;
  }

  /** The member in slot `s` (0 <= s < size). */
  keyAt(s: number): string {
    return this.keyPages[s >>> PAGE_BITS]![s & PAGE_MASK]!;
  }

  /** A uniformly random slot (size must be > 0). */
  randomSlot(): number {
    return Math.floor(Math.random() * this.count);
  }

  /** Appends a member known to be absent; returns its slot. */
  protected insertKey(k: string): number {
    const s = this.count++;
    if ((s & PAGE_MASK) === 0) this.addPage();
    this.keyPages[s >>> PAGE_BITS]!.push(k);
    if (this.idx0 !== null) this.indexSet(k, s, true);
    else if (s === SMALL_MAX) {
      // Outgrew the small form: index every member.
      this.idx0 = new Map<string, number>();
      const page = this.keyPages[0]!;
      for (let i = 0; i <= s; i++) this.indexSet(page[i]!, i, true);
    }
    return s;
  }

  /**
   * Starts the page for the next PAGE_SIZE slots (DenseMap adds its value page too). Pages
   * are filled by push and emptied by pop, so a small set holds a small array, not a page.
   */
  protected addPage(): void {
    // The first page as a one-element literal: a pushed-to empty array reserves 17 slots.
    if (this.keyPages.length === 0) this.keyPages = [[]];
    else this.keyPages.push([]);
  }

  protected dropLastPage(): void {
    this.keyPages.pop();
  }

  /**
   * Removes the member in slot `s`: the last member moves into it. Returns the slot the moved
   * member came from (== s when `s` was the last), for DenseMap to move its value.
   */
  protected removeSlot(k: string, s: number): void {
    const last = this.count - 1;
    if (this.views !== null) this.preserve(s, last);
    this.indexDelete(k);
    this.count = last;
    if (s !== last) {
      const moved = this.keyAt(last);
      this.keyPages[s >>> PAGE_BITS]![s & PAGE_MASK] = moved;
      this.indexSet(moved, s, false);
      this.moveValue(last, s);
    }
    this.keyPages[last >>> PAGE_BITS]!.pop();
    this.popValue(last);
    if ((last & PAGE_MASK) === 0) this.dropLastPage();
  }

  /** DenseMap moves and drops its values with the members; a set has none. */
  protected moveValue(_from: number, _to: number): void {}
  protected popValue(_slot: number): void {}

  /** Copies slots `a` and `b` aside for every view that still needs them (before they change). */
  protected preserve(a: number, b: number): void {
    for (const v of this.views!) {
      v.save(a);
      if (b !== a) v.save(b);
    }
  }

  /**
   * A view of the slots as they are now, for reading them in pieces while the object keeps
   * changing (see FrozenSlots); thaw() it when done.
   */
  protected freezeSlots<V>(valPages: V[][] | null): FrozenSlots<V> {
    const v = new FrozenSlots<V>(this.count, this.keyPages, valPages);
    (this.views ??= []).push(v as FrozenSlots<unknown>);
    return v;
  }

  /** Ends a view: the object stops saving slots for it. */
  thaw(v: FrozenSlots<unknown>): void {
    const views = this.views;
    if (views === null) return;
    const i = views.indexOf(v);
    if (i >= 0) views.splice(i, 1);
    if (views.length === 0) this.views = null;
  }

  /** Views not thawed yet (tests). */
  get viewCount(): number {
    return this.views === null ? 0 : this.views.length;
  }

  protected clearSlots(): void {
    // Views keep reading the old pages, which nothing writes to any more: O(1), nothing copied.
    this.keyPages = [];
    this.count = 0;
    this.idx0 = null;
    this.more = null;
  }

  /** Sets the slot of `k`: a new entry when `fresh`, else the shard that holds `k` is updated. */
  private indexSet(k: string, s: number, fresh: boolean): void {
    const idx0 = this.idx0;
    if (idx0 === null) return;
    if (!fresh) {
      if (idx0.has(k)) {
        idx0.set(k, s);
        return;
      }
      for (const m of this.more!) {
        if (m.has(k)) {
          m.set(k, s);
          return;
        }
      }
      throw new Error('dense index lost a member');
    }
    if (idx0.size < this.shardMax) {
      idx0.set(k, s);
      return;
    }
    let more = this.more;
    if (more === null) more = this.more = [];
    for (let i = 0; i < more.length; i++) {
      if (more[i]!.size < this.shardMax) {
        more[i]!.set(k, s);
        return;
      }
    }
    const m = new Map<string, number>();
    m.set(k, s);
    more.push(m);
  }

  private indexDelete(k: string): void {
    const idx0 = this.idx0;
    if (idx0 === null || idx0.delete(k)) return;
    const more = this.more!;
    for (let i = 0; i < more.length; i++) {
      if (more[i]!.delete(k)) {
        if (more[i]!.size === 0) more.splice(i, 1);
        if (more.length === 0) this.more = null;
        return;
      }
    }
  }

  /** False while the set is small enough to have no index (memory estimates differ). */
  get indexed(): boolean {
    return this.idx0 !== null;
  }

  /** Index shards in use (for tests). */
  get shardCount(): number {
    return 1 + (this.more === null ? 0 : this.more.length);
  }

  /**
   * One SCAN step: visits up to `count` slots below the bound `cursor` (0 = start at the
   * top) and returns the next bound, 0 when the iteration is complete.
   */
  scan(cursor: number, count: number, visit: (slot: number) => void): number {
    let s = cursor === 0 || cursor > this.count ? this.count : cursor;
    const stop = Math.max(0, s - Math.max(1, count));
    while (s > stop) visit(--s);
    return s;
  }
}

/** A set of latin1 strings. */
export class DenseSet extends DenseSlots {
  constructor(members?: Iterable<string>, shardMax = SHARD_MAX) {
    super(shardMax);
    if (members !== undefined) for (const m of members) this.add(m);
  }

  add(k: string): this {
    if (this.slotOf(k) < 0) this.insertKey(k);
    return this;
  }

  clear(): void {
    this.clearSlots();
  }

  /** Top slot first (see the module comment). */
  *[Symbol.iterator](): IterableIterator<string> {
    for (let s = this.count - 1; s >= 0; s--) {
      if (s >= this.count) continue; // members removed behind the iteration
      yield this.keyAt(s);
    }
  }

  values(): IterableIterator<string> {
    return this[Symbol.iterator]();
  }

  keys(): IterableIterator<string> {
    return this[Symbol.iterator]();
  }

  forEach(fn: (member: string) => void): void {
    for (let s = this.count - 1; s >= 0; s--) if (s < this.count) fn(this.keyAt(s));
  }

  /** A view of the members as they are now (see FrozenSlots); thaw() it when done. */
  freeze(): FrozenSlots {
    return this.freezeSlots<never>(null);
  }

  /** A copy (COPY, SINTERSTORE of one set). */
  clone(): DenseSet {
    const c = new DenseSet();
    for (let s = 0; s < this.count; s++) c.add(this.keyAt(s));
    return c;
  }
}

/** A map from latin1 strings to values. */
export class DenseMap<V> extends DenseSlots {
  private valPages: V[][] = [];

  constructor(entries?: Iterable<readonly [string, V]>, shardMax = SHARD_MAX) {
    super(shardMax);
    if (entries !== undefined) for (const [k, v] of entries) this.set(k, v);
  }

  protected override addPage(): void {
    super.addPage();
    if (this.valPages.length === 0) this.valPages = [[]];
    else this.valPages.push([]);
  }

  protected override dropLastPage(): void {
    super.dropLastPage();
    this.valPages.pop();
  }

  valueAt(s: number): V {
    return this.valPages[s >>> PAGE_BITS]![s & PAGE_MASK]!;
  }

  /** A view of the entries as they are now (see FrozenSlots); thaw() it when done. */
  freeze(): FrozenSlots<V> {
    return this.freezeSlots<V>(this.valPages);
  }

  get(k: string): V | undefined {
    const s = this.slotOf(k);
    return s < 0 ? undefined : this.valPages[s >>> PAGE_BITS]![s & PAGE_MASK];
  }

  set(k: string, v: V): this {
    const s = this.slotOf(k);
    if (s >= 0) {
      if (this.views !== null) this.preserve(s, s);
      this.valPages[s >>> PAGE_BITS]![s & PAGE_MASK] = v;
    } else {
      const slot = this.insertKey(k); // may start a value page: read valPages after it
      this.valPages[slot >>> PAGE_BITS]!.push(v);
    }
    return this;
  }

  protected override moveValue(from: number, to: number): void {
    const vp = this.valPages;
    vp[to >>> PAGE_BITS]![to & PAGE_MASK] = vp[from >>> PAGE_BITS]![from & PAGE_MASK]!;
  }

  protected override popValue(slot: number): void {
    this.valPages[slot >>> PAGE_BITS]!.pop();
  }

  clear(): void {
    this.clearSlots();
    this.valPages = [];
  }

  /** Top slot first (see the module comment). */
  *[Symbol.iterator](): IterableIterator<[string, V]> {
    for (let s = this.count - 1; s >= 0; s--) {
      if (s >= this.count) continue;
      yield [this.keyAt(s), this.valueAt(s)];
    }
  }

  entries(): IterableIterator<[string, V]> {
    return this[Symbol.iterator]();
  }

  *keys(): IterableIterator<string> {
    for (let s = this.count - 1; s >= 0; s--) if (s < this.count) yield this.keyAt(s);
  }

  *values(): IterableIterator<V> {
    for (let s = this.count - 1; s >= 0; s--) if (s < this.count) yield this.valueAt(s);
  }

  forEach(fn: (value: V, key: string) => void): void {
    for (let s = this.count - 1; s >= 0; s--) if (s < this.count) fn(this.valueAt(s), this.keyAt(s));
  }
}
