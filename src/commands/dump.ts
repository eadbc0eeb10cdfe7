/**
 * DUMP and RESTORE (Redis 7.0 semantics, observed on redis-server 7.0.15).
 *
 * Payload: the RDB type byte and value encoding, then the RDB version (2 bytes LE) and the
 * CRC-64 of everything before it (8 bytes LE). We write version 9 with plain types (what every
 * Redis from 5.0 to 7.2 restores), streams as version 10 (dumpValuePayload), and accept versions
 * up to 10, like 7.0: a newer payload or a
 * wrong checksum is "ERR DUMP payload version or checksum are wrong", a body that does not
 * decode (or an empty collection) "ERR Bad data format".
 *
 * RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f]:
 * - option errors first (syntax, integers, IDLETIME >= 0, FREQ 0..255; IDLETIME and FREQ
 *   together are a syntax error), then BUSYKEY unless REPLACE, then the TTL
 *   ("ERR Invalid TTL value, must be >= 0"), then the payload;
 * - a relative TTL becomes absolute; a TTL already in the past on a primary creates nothing
 *   (an existing key replaced by REPLACE is deleted and DEL is propagated);
 * - propagated as RESTORE with the absolute TTL and ABSTTL appended (Redis's rewrite);
 * - dirty +1, event "restore".
 */

import type { CommandSpec, Handler } from './spec.js';
import type { Server } from '../server/server.js';
import { ERR } from '../protocol/errors.js';
import { lookupRead, lookupWrite, lruClock } from '../store/expire.js';
import { NOTIFY } from '../store/notify.js';
import { TYPE_HASH, TYPE_LIST, TYPE_SET, TYPE_STREAM, TYPE_STRING, TYPE_ZSET } from '../store/db.js';
import { parseI64 } from '../util/numbers.js';
import { crc64 } from '../util/crc64.js';
import { dumpPayload } from '../persistence/rdb-writer.js';
import { parseDumpValue } from '../persistence/rdb-reader.js';
import { RDB_VERSION_7_0, RdbError } from '../persistence/rdb-format.js';
import { ValueTypeError, buildValue, isEmptyValue, limitsFromConfig, valueContent } from '../persistence/rdb-values.js';
import { applyAccessInfo } from '../persistence/rdb-loader.js';
import { setEncoding } from '../store/types/set.js';
import { hashEncoding, type HashObj } from '../store/types/hash.js';
import type { ZSet } from '../store/types/zset.js';
import type { DigestValue } from '../util/digest.js';
import { ensureStreamHooks } from './stream.js';

const ERR_PAYLOAD = 'ERR DUMP payload version or checksum are wrong';
const ERR_BAD_FORMAT = 'ERR Bad data format';
const ERR_TTL = 'ERR Invalid TTL value, must be >= 0';
const ERR_IDLETIME = 'ERR Invalid IDLETIME value, must be >= 0';
const ERR_FREQ = 'ERR Invalid FREQ value, must be >= 0 and <= 255';

const B_DEL = Buffer.from('DEL', 'latin1');
const B_ABSTTL = Buffer.from('ABSTTL', 'latin1');

/**
 * RESTORE, an RDB load or a full sync can create any type before a command of that type ran on
 * this server: DEBUG DIGEST / OBJECT must know how to describe it from the start (the type
 * modules install equivalent hooks on first use). Installed by the Server constructor.
 */
const hooked = new WeakSet<Server>();
export function ensureTypeHooks(server: Server): void {
  if (hooked.has(server)) return;
  hooked.add(server);
  const asDigest = (type: number) => (obj: unknown): DigestValue => {
    const v = valueContent(type, obj);
    switch (v.kind) {
      case 'list':
        return { type: 'list', elements: v.elements };
      case 'set':
        return { type: 'set', members: v.members };
      case 'zset':
        return { type: 'zset', entries: v.members.map((m, i) => [m, v.scores[i]!] as const) };
      case 'hash':
        return { type: 'hash', entries: v.fields.map((f, i) => [f, v.values[i]!] as const) };
      default:
        throw new Error('no digest for ' + v.kind);
    }
  };
  const add = (type: number, enc: (obj: unknown) => string): void => {
    if (!server.valueDigesters.has(type)) server.valueDigesters.set(type, asDigest(type));
    if (!server.encodingNames.has(type)) server.encodingNames.set(type, enc);
  };
  add(TYPE_LIST, () => 'quicklist');
  add(TYPE_SET, setEncoding);
  add(TYPE_HASH, (o) => hashEncoding(o as HashObj));
  add(TYPE_ZSET, (o) => (o as ZSet).encoding());
  // A stream RESTOREd (or MIGRATEd in) before any stream command ran here needs the same.
  ensureStreamHooks(server);
}

/**
 * The DUMP payload of a value (DUMP and MIGRATE). Streams are written as Redis 7.0 writes them
 * (RDB 10, type 19): the version-9 stream type has no entries-added, max-deleted-id or group
 * entries-read, which would be lost on the way. Everything else stays version 9 (see above).
 */
export function dumpValuePayload(type: number, obj: unknown): Buffer {
  return type === TYPE_STREAM ? dumpPayload(type, obj, { version: RDB_VERSION_7_0 }) : dumpPayload(type, obj);
}

function eqi(b: Buffer, s: string): boolean {
  return b.length === s.length && b.toString('latin1').toLowerCase() === s;
}

const dumpCommand: Handler = (c, argv) => {
  const db = c.db;
  const key = argv[1]!;
  const id = lookupRead(c, key);
  if (id < 0) {
    c.server.notify(NOTIFY.KEY_MISS, 'keymiss', key, c.dbIndex);
    c.reply.nullBulk();
    return;
  }
  const type = db.typeOf(id);
  let payload: Buffer;
  try {
    payload = dumpValuePayload(type, type === TYPE_STRING ? db.getString(id) : db.getObject<unknown>(id));
  } catch (e) {
    if (e instanceof ValueTypeError) {
      c.reply.error('ERR ' + e.message);
      return;
    }
    throw e;
  }
  c.reply.bulk(payload);
};

/** Redis's verifyDumpPayload: version <= ours (7.0: 10) and the CRC-64 of all but the last 8 bytes. */
function verifyPayload(p: Buffer): boolean {
  const n = p.length;
  if (n < 10) return false;
  const version = p.readUInt16LE(n - 10);
  if (version > RDB_VERSION_7_0) return false;
  const crc = crc64(p, 0n, 0, n - 8);
  return crc === p.readBigUInt64LE(n - 8);
}

const restoreCommand: Handler = (c, argv) => {
  let replace = false;
  let absttl = false;
  let lruIdle = -1;
  let lfuFreq = -1;
  const argc = argv.length;
  for (let j = 4; j < argc; j++) {
    const a = argv[j]!;
    const more = argc - j - 1;
    if (eqi(a, 'replace')) replace = true;
    else if (eqi(a, 'absttl')) absttl = true;
    else if (more >= 1 && lfuFreq === -1 && eqi(a, 'idletime')) {
      const v = parseI64(argv[++j]!);
      if (v === null) {
        c.reply.error(ERR.notInteger);
        return;
      }
      if (v < 0) {
        c.reply.error(ERR_IDLETIME);
        return;
      }
      lruIdle = Number(v);
    } else if (more >= 1 && lruIdle === -1 && eqi(a, 'freq')) {
      const v = parseI64(argv[++j]!);
      if (v === null) {
        c.reply.error(ERR.notInteger);
        return;
      }
      if (v < 0 || v > 255) {
        c.reply.error(ERR_FREQ);
        return;
      }
      lfuFreq = Number(v);
    } else {
      c.reply.error(ERR.syntax);
      return;
    }
  }
  const key = argv[1]!;
  const db = c.db;
  const server = c.server;
  if (!replace && lookupWrite(c, key) >= 0) {
    c.reply.error(ERR.busyKey);
    return;
  }
  const ttlv = parseI64(argv[2]!);
  if (ttlv === null) {
    c.reply.error(ERR.notInteger);
    return;
  }
  if (ttlv < 0) {
    c.reply.error(ERR_TTL);
    return;
  }
  const payload = argv[3]!;
  if (!verifyPayload(payload)) {
    c.reply.error(ERR_PAYLOAD);
    return;
  }
  let built: { type: number; obj: object };
  try {
    // Like Redis, the value is read from the whole payload: a corrupt length can reach into the
    // footer (and then restores whatever those bytes say).
    const { rdbType, value } = parseDumpValue(payload, server.protoMaxBulkLen);
    if (isEmptyValue(value)) {
      c.reply.error(ERR_BAD_FORMAT);
      return;
    }
    built = buildValue(value, rdbType, limitsFromConfig(server.config));
  } catch (e) {
    if (e instanceof RdbError || e instanceof ValueTypeError) {
      c.reply.error(ERR_BAD_FORMAT);
      return;
    }
    throw e;
  }
  ensureTypeHooks(server);
  let deleted = false;
  if (replace) {
    const old = lookupWrite(c, key);
    if (old >= 0) {
      db.deleteId(old);
      deleted = true;
    }
  }
  let ttl = typeof ttlv === 'bigint' ? Number(ttlv) : ttlv;
  if (ttl !== 0 && !absttl) ttl += Date.now();
  if (ttl !== 0 && ttl <= Date.now() && !server.isReplica) {
    // Already expired: nothing is created. A replaced key is gone: that is a DEL.
    if (deleted) {
      c.propagateArgv = [B_DEL, Buffer.from(key)];
      server.keyModified(c.dbIndex, key);
      server.notify(NOTIFY.GENERIC, 'del', key, c.dbIndex);
      server.dirty++;
    }
    c.reply.ok();
    return;
  }
  const id = built.type === TYPE_STRING ? db.setString(key, built.obj as Buffer) : db.setObject(key, built.type, built.obj);
  db.setLru(id, lruClock());
  if (ttl !== 0) {
    db.setExpireAt(id, ttl);
    if (!absttl) {
      const pv = argv.map((a) => Buffer.from(a));
      pv[2] = Buffer.from(String(ttl), 'latin1');
      pv.push(B_ABSTTL);
      c.propagateArgv = pv;
    }
  }
  applyAccessInfo(db, id, lruIdle, lfuFreq);
  server.keyModified(c.dbIndex, key);
  server.notify(NOTIFY.GENERIC, 'restore', key, c.dbIndex);
  c.reply.ok();
  server.dirty++;
};

export const dumpCommands: CommandSpec[] = [
  { name: 'dump', arity: 2, flags: ['readonly'], firstKey: 1, lastKey: 1, step: 1, acl: ['keyspace', 'read', 'slow'], handler: dumpCommand, tips: ['nondeterministic_output'] },
  { name: 'restore', arity: -4, flags: ['write', 'denyoom'], firstKey: 1, lastKey: 1, step: 1, acl: ['keyspace', 'write', 'slow', 'dangerous'], handler: restoreCommand },
];
