/**
 * A dataset for persistence tests, built through commands so that it works the same on
 * redis-server and Damselfly: every type and in-memory encoding, streams with consumer groups
 * (PELs, consumers, an empty stream with a group), TTLs, binary keys and values, several dbs.
 */
import type { Redis } from 'ioredis';
import { fillAllEncodings } from '../interop/fill.js';

export async function fillPersistDataset(r: Redis): Promise<void> {
  await fillAllEncodings(r);
  // Streams: a small one, a big one (several nodes), groups with pending entries and consumers.
  for (let i = 0; i < 5; i++) await r.xadd('st:small', String(i + 1) + '-1', 'f', 'v' + i, 'n', String(i));
  for (let i = 0; i < 700; i++) await r.xadd('st:big', '*', 'field', 'value-' + i, 'i', String(i));
  await r.xgroup('CREATE', 'st:small', 'g1', '0');
  await r.xgroup('CREATE', 'st:small', 'g2', '$');
  await r.xreadgroup('GROUP', 'g1', 'alice', 'COUNT', 2, 'STREAMS', 'st:small', '>');
  await r.xreadgroup('GROUP', 'g1', 'bob', 'COUNT', 2, 'STREAMS', 'st:small', '>');
  await r.xack('st:small', 'g1', '1-1');
  await r.xgroup('CREATE', 'st:big', 'readers', '0');
  await r.xreadgroup('GROUP', 'readers', 'c1', 'COUNT', 300, 'STREAMS', 'st:big', '>');
  await r.xgroup('CREATE', 'st:empty', 'g', '$', 'MKSTREAM');
  await r.xadd('st:deleted', '5-5', 'a', '1');
  await r.xdel('st:deleted', '5-5');
  // Binary keys and values, TTLs in the future on several types.
  await r.set(Buffer.from([0, 1, 2, 255, 13, 10]), Buffer.from([255, 0, 128]));
  await r.hset(Buffer.from([0xc3, 0x28, 0]), Buffer.from([1, 0]), Buffer.from([0xff]));
  await r.pexpire('l:small', 90000000);
  await r.pexpire('h:big', 80000000);
  await r.pexpire('st:small', 70000000);
  // Several dbs.
  await r.select(3);
  await r.set('db3:s', 'three');
  await r.zadd('db3:z', 1, 'a', 2, 'b');
  await r.set('db3:ttl', 'x', 'EX', 100000);
  await r.select(15);
  await r.sadd('db15:set', 'x', 'y');
  await r.select(0);
}

/** Keys and keys with a TTL per db ("db0:keys=3,expires=1 ..."). */
export async function dbsizes(r: Redis): Promise<string> {
  const text = await r.info('keyspace');
  return text
    .split('\r\n')
    .filter((l) => l.startsWith('db'))
    .map((l) => l.replace(/,avg_ttl=\d+/, ''))
    .join(' ');
}
