/**
 * The V8 heap guard.
 *
 * Strings and small collections live off the V8 heap (slab pages), but big hashes, sets,
 * sorted sets and streams are JS objects on it, and the V8 heap has a hard cap
 * (--max-old-space-size; about 4 GB by default on a 24 GB machine). Reaching it is the one
 * failure a Redis server does not have: V8 aborts the process ("JavaScript heap out of
 * memory") and the whole dataset is gone. So the heap is treated like maxmemory: while it is
 * above HIGH of its limit, commands that may grow memory are refused with Redis's OOM error
 * (reads, deletes and everything else keep working); writes are accepted again once the
 * heap is back under LOW (the gap keeps the server from flapping at the border).
 *
 * Cost: v8.getHeapSpaceStatistics() (a few µs) once every SAMPLE_EVERY memory-growing commands and on
 * every cron tick, so a flood of writes cannot grow the heap by more than a few thousand
 * commands' worth between two checks. Commands from our master are never refused (a replica
 * must apply its stream; the master's own guard protects the dataset upstream).
 */

import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * Refuse above 75%: the old generation grows in steps (a scavenge promotes up to a semi-space
 * at once), so the first sample above the line can read ~10% more, and V8 aborts with
 * "Ineffective mark-compacts near heap limit" when the live heap stays within ~10% of its cap
 * (seen at 85%: refusing started at 90 of 96 MB, and V8 gave up at 89 MB live).
 */
const HIGH = 0.75;
const LOW = 0.65;
const SAMPLE_EVERY = 64;
/**
 * While refusing, a full collection is forced at most this often. Garbage (a FLUSHALL, DELs)
 * counts as used until V8 collects it, and an idle server may not collect for minutes, so
 * without this writes could stay refused long after the data is gone.
 */
const COLLECT_EVERY_MS = 5000;

let forcedGc: (() => void) | null = null;

/** A full, blocking collection (the `--expose-gc` function, enabled on first use). */
function collectGarbage(): void {
  if (forcedGc === null) {
    v8.setFlagsFromString('--expose-gc');
    forcedGc = vm.runInNewContext('gc') as () => void;
  }
  forcedGc();
}

/**
 * The old generation's cap. heap_size_limit also counts the young generation (3 semi-spaces),
 * but V8 gives up when the old generation reaches its own cap (--max-old-space-size), so that
 * is the figure to stay under. Node 20's semi-space is 16 MB unless --max-semi-space-size says
 * otherwise.
 */
function oldGenerationLimit(): number {
  let semiMb = 16;
  for (const a of process.execArgv) {
    const m = /^--max[-_]semi[-_]space[-_]size=(\d+)$/.exec(a);
    if (m !== null) semiMb = Number(m[1]);
  }
  return v8.getHeapStatistics().heap_size_limit - 3 * semiMb * 1048576;
}

/** Bytes used in the old generation (every space but the young ones). */
function oldGenerationUsed(): number {
  let n = 0;
  for (const s of v8.getHeapSpaceStatistics()) {
    if (s.space_name !== 'new_space' && s.space_name !== 'new_large_object_space') n += s.space_used_size;
  }
  return n;
}

export class HeapGuard {
  /** The old generation's cap, bytes. */
  readonly limit: number;
  /** True while writes are refused. */
  overLimit = false;
  /** Times the guard started refusing (INFO / tests). */
  episodes = 0;
  private countdown = SAMPLE_EVERY;
  private lastCollect = 0;
  private readonly onEnter: (usedBytes: number, limitBytes: number) => void;

  /** Writes are accepted again below this many bytes. */
  get resumeBelow(): number {
    return this.limit * LOW;
  }

  constructor(onEnter: (usedBytes: number, limitBytes: number) => void, limit = oldGenerationLimit()) {
    this.limit = limit;
    this.onEnter = onEnter;
  }

  /** True when a memory-growing command must be refused now. */
  refuse(): boolean {
    if (--this.countdown <= 0) this.check();
    return this.overLimit;
  }

  /** Reads the heap and updates overLimit (cron, and every SAMPLE_EVERY writes). */
  check(): void {
    this.countdown = SAMPLE_EVERY;
    this.update(oldGenerationUsed());
    if (this.overLimit) {
      const now = Date.now();
      if (now - this.lastCollect >= COLLECT_EVERY_MS) {
        this.lastCollect = now;
        collectGarbage();
        this.update(oldGenerationUsed());
      }
    }
  }

  /** The state machine on its own (unit-testable with any figure). */
  update(used: number): void {
    if (this.overLimit) {
      if (used < this.resumeBelow) this.overLimit = false;
    } else if (used > this.limit * HIGH) {
      this.overLimit = true;
      this.episodes++;
      this.onEnter(used, this.limit);
    }
  }
}
