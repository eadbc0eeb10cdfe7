/**
 * Small helpers shared by the integration tests: ioredis clients with the tests' options,
 * expected error replies, the dirty counter, whole SCAN iterations and one-off raw connections.
 */

import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { RawConnection } from './raw.js';

/** An ioredis client as the tests use it: no ready check, no retries. */
export function redisClient(port: number, host = '127.0.0.1'): Redis {
  return new Redis({ port, host, enableReadyCheck: false, maxRetriesPerRequest: 0 });
}

/** The error text of a command that must fail (without the "ReplyError: " decoration). */
export async function err(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error reply');
}

/** rdb_changes_since_last_save (Redis's dirty counter). */
export async function dirtyCount(c: Redis): Promise<number> {
  const m = /rdb_changes_since_last_save:(\d+)/.exec(await c.info('persistence'));
  assert.ok(m !== null, 'INFO persistence lacks rdb_changes_since_last_save');
  return Number(m[1]);
}

/** Runs a command; returns its reply (or error text) and the dirty delta. */
export async function withDirtyCount(c: Redis, args: Array<string | Buffer>): Promise<[unknown, number]> {
  const d0 = await dirtyCount(c);
  let res: unknown;
  try {
    res = await c.call(...(args as [string, ...Array<string | Buffer>]));
  } catch (e) {
    res = (e as Error).message;
  }
  return [res, (await dirtyCount(c)) - d0];
}

/** Runs a whole SCAN iteration; returns every key returned (duplicates kept) and the calls made. */
export async function scanAll(c: Redis, ...opts: string[]): Promise<{ keys: string[]; calls: number }> {
  let cursor = '0';
  const keys: string[] = [];
  let calls = 0;
  do {
    const [next, batch] = (await c.call('scan', cursor, ...opts)) as [string, string[]];
    keys.push(...batch);
    cursor = next;
    calls++;
    assert.ok(calls < 100000, 'SCAN does not terminate');
  } while (cursor !== '0');
  return { keys, calls };
}

/** Runs `fn` on a fresh raw connection to `port`, closing it afterwards. */
export async function withRaw<T>(port: number, fn: (c: RawConnection) => Promise<T>): Promise<T> {
  const c = await RawConnection.connect(port);
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}
