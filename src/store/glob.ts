/**
 * Redis glob-style matching (KEYS, SCAN MATCH, PSUBSCRIBE, CONFIG GET,
 * COMMAND LIST FILTERBY PATTERN ...), byte-wise over Buffers.
 *
 * Semantics (established against redis-server 7.0.15 with KEYS and, for
 * nocase, COMMAND LIST FILTERBY PATTERN; see test/unit/glob.test.ts):
 *  - `*` any run of bytes (including none), `?` exactly one byte.
 *  - `\x` matches the byte x literally; a trailing `\` matches a backslash.
 *  - `[...]` one byte from a set; `[^...]` negated. Inside: `\x` is the
 *    literal x, `]` closes, `a-z` is a range (needs three bytes `a`, `-`,
 *    `z` before the end of the pattern, so `[a-]` is the range a..']' and
 *    `[a-` is the set {a, -}); a reversed range `[z-a]` means a..z. An
 *    unterminated class (`[abc`) is closed by the end of the pattern. `[]`
 *    matches nothing; `[^]` matches any byte.
 *  - No special meaning for `/` or `.`; no `!` negation.
 *  - nocase (ASCII only): literals, `\x` outside a class, class members and
 *    ranges compare lower-cased; but a `\x` inside a class compares exactly,
 *    and a range's ends are ordered (swapped) before being lower-cased, so
 *    nocase `[Z-a]` is the empty range z..a while `[z-A]` is a..z.
 *  - An empty subject matches only the empty pattern: stringmatch("*", "")
 *    is false. KEYS and SCAN special-case the exact pattern "*" (one byte) to
 *    mean "everything", which is what isMatchAll() is for: KEYS * lists the
 *    empty key, KEYS ** does not.
 *
 * Matching is linear-ish: the pattern is compiled into one-byte tokens and
 * stars, and matched with single-star backtracking, O(len(pattern) *
 * len(subject)) in the worst case (no exponential blow-up on `a*a*a*...b`).
 */

const T_LIT = 0; // byte compare (lower-cased when nocase)
const T_ANY = 1; // '?'
const T_SET = 2; // class: lookup table
const T_STAR = 3;

/** A pattern compiled once, matched many times. */
export interface CompiledGlob {
  /** True when the pattern is exactly "*" (the KEYS/SCAN match-everything shortcut). */
  readonly matchAll: boolean;
  match(subject: Uint8Array): boolean;
}

function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** Is the pattern exactly "*"? (KEYS and SCAN treat it as "every key", the empty key included.) */
export function isMatchAll(pattern: Uint8Array): boolean {
  return pattern.length === 1 && pattern[0] === 42;
}

/** Compiles a pattern; see the module comment for the semantics. */
export function compileGlob(pattern: Uint8Array, nocase = false): CompiledGlob {
  const m = pattern.length;
  const kinds: number[] = [];
  const vals: number[] = [];
  const sets: Uint8Array[] = [];
  let literalOnly = true;
  let p = 0;
  while (p < m) {
    const c = pattern[p]!;
    if (c === 42 /* * */) {
      literalOnly = false;
      while (p < m && pattern[p] === 42) p++;
      kinds.push(T_STAR);
      vals.push(0);
      continue;
    }
    if (c === 63 /* ? */) {
      literalOnly = false;
      kinds.push(T_ANY);
      vals.push(0);
      p++;
      continue;
    }
    if (c === 92 /* \ */) {
      const lit = p + 1 < m ? pattern[++p]! : 92;
      p++;
      kinds.push(T_LIT);
      vals.push(nocase ? lower(lit) : lit);
      continue;
    }
    if (c === 91 /* [ */) {
      literalOnly = false;
      p++;
      let neg = false;
      if (p < m && pattern[p] === 94 /* ^ */) {
        neg = true;
        p++;
      }
      const set = new Uint8Array(256);
      for (;;) {
        if (p >= m) break; // unterminated: the end of the pattern closes it
        const d = pattern[p]!;
        if (d === 92 && m - p >= 2) {
          set[pattern[p + 1]!] = 1; // escaped: exact, even with nocase
          p += 2;
          continue;
        }
        if (d === 93 /* ] */) {
          p++;
          break;
        }
        if (m - p >= 3 && pattern[p + 1] === 45 /* - */) {
          let lo = d;
          let hi = pattern[p + 2]!;
          if (lo > hi) {
            const t = lo;
            lo = hi;
            hi = t;
          }
          if (nocase) {
            lo = lower(lo);
            hi = lower(hi);
            for (let x = 0; x < 256; x++) {
              const lx = lower(x);
              if (lx >= lo && lx <= hi) set[x] = 1;
            }
          } else {
            for (let x = lo; x <= hi; x++) set[x] = 1;
          }
          p += 3;
          continue;
        }
        if (nocase) {
          const ld = lower(d);
          for (let x = 0; x < 256; x++) if (lower(x) === ld) set[x] = 1;
        } else {
          set[d] = 1;
        }
        p++;
      }
      if (neg) for (let x = 0; x < 256; x++) set[x] ^= 1;
      kinds.push(T_SET);
      vals.push(sets.length);
      sets.push(set);
      continue;
    }
    kinds.push(T_LIT);
    vals.push(nocase ? lower(c) : c);
    p++;
  }

  const matchAll = isMatchAll(pattern);
  const n = kinds.length;
  const K = Uint8Array.from(kinds);
  const V = Int32Array.from(vals);

  if (literalOnly) {
    // only literals (possibly escaped): a plain comparison
    const lit = Uint8Array.from(vals);
    return {
      matchAll,
      match(subject: Uint8Array): boolean {
        if (subject.length !== n) return false;
        for (let i = 0; i < n; i++) {
          const c = nocase ? lower(subject[i]!) : subject[i]!;
          if (c !== lit[i]) return false;
        }
        return true;
      },
    };
  }

  return {
    matchAll,
    match(subject: Uint8Array): boolean {
      const len = subject.length;
      if (len === 0) return n === 0;
      let p = 0;
      let s = 0;
      let starP = -1;
      let starS = 0;
      while (s < len) {
        if (p < n) {
          const k = K[p]!;
          if (k === T_STAR) {
            starP = ++p;
            starS = s;
            if (p === n) return true; // trailing star eats the rest
            continue;
          }
          const c = subject[s]!;
          let ok: boolean;
          if (k === T_LIT) ok = (nocase ? lower(c) : c) === V[p];
          else if (k === T_ANY) ok = true;
          else ok = sets[V[p]!]![c] === 1;
          if (ok) {
            p++;
            s++;
            continue;
          }
        }
        if (starP < 0) return false;
        p = starP;
        s = ++starS;
      }
      while (p < n && K[p] === T_STAR) p++;
      return p === n;
    },
  };
}

/**
 * Redis stringmatchlen(): does `subject` match the glob `pattern`?
 * (For many subjects against one pattern, use compileGlob.)
 */
export function globMatch(pattern: Uint8Array, subject: Uint8Array, nocase = false): boolean {
  return compileGlob(pattern, nocase).match(subject);
}
