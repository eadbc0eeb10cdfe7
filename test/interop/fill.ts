/** Builds, through commands, a dataset with every type and in-memory encoding (big and small). */
import type { Redis } from 'ioredis';

export async function fillAllEncodings(r: Redis): Promise<string[]> {
  await r.flushall();
  await r.set('s:raw', 'hello world');
  await r.set('s:int', '-123456');
  await r.set('s:embstr', 'short');
  await r.set('s:big', 'x'.repeat(100000) + 'y');
  await r.set('s:lzf', 'abc'.repeat(1000));
  await r.set('s:bin', Buffer.from([0, 255, 13, 10, 128]));
  await r.set('s:ttl', 'v', 'PX', 100000000);
  await r.rpush('l:small', 'a', '1', '', '-5', '9223372036854775807');
  await r.rpush('l:big', ...Array.from({ length: 20000 }, (_v, i) => (i % 3 === 0 ? String(i) : 'element-' + i)));
  await r.rpush('l:hugeelem', 'q'.repeat(50000), 'r');
  await r.sadd('set:int', 5, -3, 70000, 1, '9223372036854775807', '-9223372036854775808');
  await r.sadd('set:str', 'apple', 'banana', '7');
  await r.sadd('set:bigint', ...Array.from({ length: 600 }, (_v, i) => i * 1000));
  await r.sadd('set:bigstr', ...Array.from({ length: 600 }, (_v, i) => 'm' + i));
  await r.zadd('z:lp', 1, 'a', 2.5, 'b', -3, 'c', 'inf', 'd', '-inf', 'e');
  await r.zadd('z:sl', 0.1, 'm'.repeat(65), 1e300, 'n', '-inf', 'o');
  await r.zadd('z:big', ...Array.from({ length: 400 }, (_v, i) => [i * 0.5, 'z' + i]).flat());
  await r.hset('h:lp', 'f1', 'v1', 'num', '12345', 'neg', '-20000');
  await r.hset('h:ht', 'f', '1', 'long', 'v'.repeat(100));
  await r.hset('h:big', ...Array.from({ length: 1000 }, (_v, i) => ['f' + i, String(i)]).flat());
  await r.select(5);
  await r.set('db5', 'x');
  await r.select(0);
  return (await r.keys('*')).sort();
}
