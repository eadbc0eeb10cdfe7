/**
 * The HyperLogLog family: PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST.
 *
 * HLLs are plain strings in Redis's byte layout (src/util/hll-core.ts), so GET/SET/DUMP/
 * SETRANGE see exactly the bytes redis-server would have, and an HLL written by Redis (SET of
 * its bytes, or loaded) works here.
 *
 * Behaviour checked against redis-server 7.0.15:
 * - a string that is not an HLL answers "WRONGTYPE Key is not a valid HyperLogLog string
 *   value."; another type the ordinary WRONGTYPE; a sparse form whose runs do not cover
 *   exactly 16384 registers "INVALIDOBJ Corrupted HLL object detected" when it is decoded;
 * - PFADD counts dirty once per changed register (+1 when it creates the key) and fires
 *   "pfadd"; PFMERGE counts 1 and also fires "pfadd"; neither touches the cache unless it
 *   changed something (a change invalidates it);
 * - PFCOUNT of one key stores the estimate in the header when the cache was invalid: that is a
 *   write (dirty + 1, WATCH sees it) and Redis propagates the PFCOUNT itself although the
 *   command is flagged readonly, so it is propagated here by hand;
 * - PFCOUNT of several keys, PFMERGE's sources: read lookups (hits/misses, keymiss events);
 *   PFADD, PFMERGE's destination, PFDEBUG: write lookups;
 * - an embstr value becomes raw (OBJECT ENCODING) once a command accepts it as an HLL,
 *   except as a PFMERGE source or one of several PFCOUNT keys;
 * - PFDEBUG GETREG and TODENSE turn a sparse HLL dense (dirty + 1, no event, no WATCH touch).
 */

import type { Client } from '../server/client.js';
import type { CommandSpec } from './spec.js';
import { ERR, sanitizeError } from '../protocol/errors.js';
import { lookupWrite } from '../store/expire.js';
import { NOTIFY } from '../store/notify.js';
import { TYPE_STRING } from '../store/db.js';
import { eqi, rangeSpec, readKey } from './string.js';
import {
  HLL_DENSE,
  HLL_HDR,
  HLL_REGISTERS,
  HLL_SPARSE,
  CARD_OVERFLOW,
  HllWork,
  cacheValid,
  cachedCard,
  countRegs,
  denseGet,
  denseSet,
  hllCount,
  hllPatLen,
  invalidateCache,
  isHllString,
  mergeInto,
  newSparseHll,
  sparseDescribe,
  sparseToDense,
  storeCard,
} from '../util/hll-core.js';
import { hllSelfTest } from '../util/hll-selftest.js';

// ------------------------------------------------------------------ error texts (7.0.15)

const ERR_NOT_HLL = 'WRONGTYPE Key is not a valid HyperLogLog string value.';
const ERR_INVALID = 'INVALIDOBJ Corrupted HLL object detected';
const ERR_NO_KEY = 'ERR The specified key does not exist';
const ERR_NOT_SPARSE = 'ERR HLL encoding is not sparse';

const EMPTY_HLL = newSparseHll();
/** Scratch for sparse changes and merges (copied into the keyspace when written). */
const work = new HllWork(4096);
const maxRegs = new Uint8Array(HLL_REGISTERS);

const INT64_MIN = -(1n << 63n);

/** Replies an estimate: exact digits above 2^53, INT64_MIN for CARD_OVERFLOW (as Redis). */
function replyCard(c: Client, card: number): void {
  if (card <= Number.MAX_SAFE_INTEGER) c.reply.integer(card);
  else c.reply.bigint(card === CARD_OVERFLOW ? INT64_MIN : BigInt(card));
}

function sparseMaxBytes(c: Client): number {
  return c.server.config.getNumber('hll-sparse-max-bytes');
}

/** Checks that entry `id` is an HLL string, replying the error otherwise. */
function checkHll(c: Client, id: number): boolean {
  const db = c.db;
  if (db.typeOf(id) !== TYPE_STRING) {
    c.reply.error(ERR.wrongType);
    return false;
  }
  if (!isHllString(db.getString(id))) {
    c.reply.error(ERR_NOT_HLL);
    return false;
  }
  return true;
}

// ------------------------------------------------------------------ PFADD

function pfaddCommand(c: Client, argv: Buffer[]): void {
  const key = argv[1]!;
  const db = c.db;
  const n = argv.length;
  const maxSparse = sparseMaxBytes(c);
  let id = lookupWrite(c, key);
  let updated = 0;
  let failed = false;
  if (id >= 0) {
    if (!checkHll(c, id)) return;
    db.setRaw(id, true);
    const v = db.getString(id);
    if (v[4] === HLL_DENSE) {
      // Dense registers are changed in place: same length, no copy.
      for (let j = 2; j < n; j++) {
        const a = argv[j]!;
        const pl = hllPatLen(a, 0, a.length);
        const index = pl >>> 6;
        const count = pl & 63;
        if (denseGet(v, HLL_HDR, index) < count) {
          denseSet(v, HLL_HDR, index, count);
          updated++;
        }
      }
      if (updated > 0) invalidateCache(v);
    } else {
      work.load(v);
      let changed = false;
      for (let j = 2; j < n; j++) {
        const a = argv[j]!;
        const pl = hllPatLen(a, 0, a.length);
        const r = work.set(pl >>> 6, pl & 63, maxSparse);
        if (r < 0) {
          failed = true;
          break;
        }
        if (r > 0) {
          changed = true;
          updated++;
        }
      }
      if (changed) {
        // Registers changed before a corrupt part was met stay changed, as in Redis.
        if (!failed) invalidateCache(work.buf);
        db.setStringById(id, work.view());
        db.setRaw(id, true);
      }
    }
  } else {
    work.load(EMPTY_HLL);
    updated = 1;
    for (let j = 2; j < n; j++) {
      const a = argv[j]!;
      const pl = hllPatLen(a, 0, a.length);
      if (work.set(pl >>> 6, pl & 63, maxSparse) > 0) updated++;
    }
    invalidateCache(work.buf);
    id = db.setString(key, work.view());
    db.setRaw(id, true);
  }
  if (failed) {
    c.reply.error(ERR_INVALID);
    return;
  }
  if (updated > 0) {
    const server = c.server;
    server.keyModified(c.dbIndex, key);
    server.notify(NOTIFY.STRING, 'pfadd', key, c.dbIndex);
    server.dirty += updated;
    c.reply.integer(1);
    return;
  }
  c.reply.integer(0);
}

// ------------------------------------------------------------------ PFCOUNT

function pfcountCommand(c: Client, argv: Buffer[]): void {
  const db = c.db;
  const n = argv.length;
  if (n > 2) {
    // Several keys: the union's registers in a scratch array; nothing is written.
    maxRegs.fill(0);
    for (let j = 1; j < n; j++) {
      const id = readKey(c, argv[j]!);
      if (id < 0) continue;
      if (!checkHll(c, id)) return;
      if (!mergeInto(maxRegs, db.getString(id))) {
        c.reply.error(ERR_INVALID);
        return;
      }
    }
    replyCard(c, countRegs(maxRegs));
    return;
  }
  const key = argv[1]!;
  const id = readKey(c, key);
  if (id < 0) {
    c.reply.integer(0);
    return;
  }
  if (!checkHll(c, id)) return;
  db.setRaw(id, true);
  const v = db.getString(id);
  if (cacheValid(v)) {
    const card = cachedCard(v);
    if (typeof card === 'number') c.reply.integer(card);
    else c.reply.bigint(card);
    return;
  }
  const card = hllCount(v);
  if (card < 0) {
    c.reply.error(ERR_INVALID);
    return;
  }
  // The cache is written into the string in place (PFCOUNT is a read command: no lookupWrite).
  db.willModify(id);
  storeCard(v, card);
  const server = c.server;
  server.keyModified(c.dbIndex, key);
  server.dirty++;
  // PFCOUNT is not flagged write, so dispatch would not propagate it: Redis does.
  server.propagate(c.dbIndex, argv);
  c.preventPropagate = true;
  replyCard(c, card);
}

// ------------------------------------------------------------------ PFMERGE

function pfmergeCommand(c: Client, argv: Buffer[]): void {
  const db = c.db;
  const n = argv.length;
  maxRegs.fill(0);
  let useDense = false;
  // The destination is read as one of the sources.
  for (let j = 1; j < n; j++) {
    const sid = readKey(c, argv[j]!);
    if (sid < 0) continue;
    if (!checkHll(c, sid)) return;
    const v = db.getString(sid);
    if (v[4] === HLL_DENSE) useDense = true;
    if (!mergeInto(maxRegs, v)) {
      c.reply.error(ERR_INVALID);
      return;
    }
  }
  const key = argv[1]!;
  const id = lookupWrite(c, key);
  work.load(id < 0 ? EMPTY_HLL : db.getString(id));
  if (useDense && work.isSparse() && !work.toDense()) {
    c.reply.error(ERR_INVALID);
    return;
  }
  // Registers are raised one by one, in order, so a sparse destination evolves (and may be
  // promoted) exactly as in Redis.
  const maxSparse = sparseMaxBytes(c);
  for (let j = 0; j < HLL_REGISTERS; j++) {
    const r = maxRegs[j]!;
    if (r !== 0) work.set(j, r, maxSparse);
  }
  invalidateCache(work.buf);
  if (id < 0) {
    db.setRaw(db.setString(key, work.view()), true);
  } else {
    db.setStringById(id, work.view());
    db.setRaw(id, true);
  }
  const server = c.server;
  server.keyModified(c.dbIndex, key);
  server.notify(NOTIFY.STRING, 'pfadd', key, c.dbIndex);
  server.dirty++;
  c.reply.ok();
}

// ------------------------------------------------------------------ PFDEBUG / PFSELFTEST

function pfdebugCommand(c: Client, argv: Buffer[]): void {
  const sub = argv[1]!;
  const db = c.db;
  const id = lookupWrite(c, argv[2]!);
  if (id < 0) {
    c.reply.error(ERR_NO_KEY);
    return;
  }
  if (!checkHll(c, id)) return;
  db.setRaw(id, true);
  const v = db.getString(id);
  if (eqi(sub, 'getreg')) {
    let dense = v;
    if (v[4] === HLL_SPARSE) {
      const d = sparseToDense(v, v.length);
      if (d === null) {
        c.reply.error(ERR_INVALID);
        return;
      }
      db.setStringById(id, d);
      db.setRaw(id, true);
      c.server.dirty++;
      dense = d;
    }
    const reply = c.reply;
    reply.arrayLen(HLL_REGISTERS);
    for (let i = 0; i < HLL_REGISTERS; i++) reply.integer(denseGet(dense, HLL_HDR, i));
    return;
  }
  if (eqi(sub, 'decode')) {
    if (v[4] !== HLL_SPARSE) {
      c.reply.error(ERR_NOT_SPARSE);
      return;
    }
    c.reply.bulkStr(sparseDescribe(v));
    return;
  }
  if (eqi(sub, 'todense')) {
    let converted = 0;
    if (v[4] === HLL_SPARSE) {
      const d = sparseToDense(v, v.length);
      if (d === null) {
        c.reply.error(ERR_INVALID);
        return;
      }
      db.setStringById(id, d);
      db.setRaw(id, true);
      c.server.dirty++;
      converted = 1;
    }
    c.reply.integer(converted);
    return;
  }
  if (eqi(sub, 'encoding')) {
    c.reply.simple(v[4] === HLL_SPARSE ? 'sparse' : 'dense');
    return;
  }
  c.reply.error(sanitizeError("ERR Unknown PFDEBUG subcommand '" + sub.toString('latin1') + "'"));
}

function pfselftestCommand(c: Client): void {
  const failure = hllSelfTest();
  if (failure === null) c.reply.ok();
  else c.reply.error('ERR TESTFAILED ' + failure);
}

// ------------------------------------------------------------------ the table

export const hyperloglogCommands: CommandSpec[] = [
  {
    name: 'pfadd',
    arity: -2,
    flags: ['write', 'denyoom', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    acl: ['write', 'hyperloglog', 'fast'],
    handler: pfaddCommand,
    keySpecs: [rangeSpec(['RW', 'insert'], 1, 0)],
  },
  {
    name: 'pfcount',
    arity: -2,
    flags: ['readonly'],
    firstKey: 1,
    lastKey: -1,
    step: 1,
    acl: ['read', 'hyperloglog', 'slow'],
    handler: pfcountCommand,
    keySpecs: [
      rangeSpec(['RW', 'access'], 1, -1, 1, 'RW because it may change the internal representation of the key, and propagate to replicas'),
    ],
  },
  {
    name: 'pfmerge',
    arity: -2,
    flags: ['write', 'denyoom'],
    firstKey: 1,
    lastKey: -1,
    step: 1,
    acl: ['write', 'hyperloglog', 'slow'],
    handler: pfmergeCommand,
    keySpecs: [rangeSpec(['RW', 'access', 'insert'], 1, 0), rangeSpec(['RO', 'access'], 2, -1)],
  },
  {
    name: 'pfdebug',
    arity: 3,
    flags: ['write', 'denyoom', 'admin'],
    firstKey: 2,
    lastKey: 2,
    step: 1,
    acl: ['write', 'hyperloglog', 'admin', 'slow', 'dangerous'],
    handler: pfdebugCommand,
    keySpecs: [rangeSpec(['RW', 'access'], 2, 0)],
  },
  {
    name: 'pfselftest',
    arity: 1,
    flags: ['admin'],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    acl: ['hyperloglog', 'admin', 'slow', 'dangerous'],
    handler: pfselftestCommand,
    keySpecs: [],
  },
];
