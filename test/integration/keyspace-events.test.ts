/**
 * Keyspace notifications, differentially: every scenario runs on redis-server 7.0 and on
 * Damselfly with notify-keyspace-events set (KEA unless stated) while a PSUBSCRIBE
 * '__key*@*__:*' connection records every message; message sequences and replies must match
 * exactly (test/helpers/events-diff.ts). The scenarios cover every write command of the string,
 * bitmap, generic key, list, hash, set and sorted set families, with the corner cases where Redis
 * emits an extra or a different event (the last element removed → `del`, expiry, eviction,
 * renames, moves, copies, stores with empty results).
 */

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startPair, type ServerPair } from '../helpers/differential.js';
import { describeDifference, runEventScenario, type Step } from '../helpers/events-diff.js';

/** Commands written one per line, arguments split on spaces; "" is the empty string. */
function steps(text: string): Step[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.split(/\s+/).map((a) => (a === '""' ? '' : a)));
}

const SCENARIOS: Record<string, { notify?: string; steps: string }> = {
  'strings: SET and its options': {
    steps: `
      set k v
      set k v nx
      set k v2 get
      set k v3 xx
      set nope v xx
      set k v ex 100
      set k v keepttl
      set k v px 100 nx
      set k v ex 0
      set k v ex abc
      set k v exat 4102444800
      set k v pxat 4102444800000 get
      setnx k v
      setnx k2 v
      setex k 10 v
      setex k 0 v
      psetex k 10000 v
      getset k v
      getset k3 v
      mset a 1 b 2 a 3
      msetnx x 1 y 2
      msetnx x 1 z 2
    `,
  },
  'strings: GETEX, GETDEL, counters, APPEND, SETRANGE': {
    steps: `
      set k v
      getex k ex 100
      getex k px 100000
      getex k exat 4102444800
      getex k pxat 4102444800000
      getex k persist
      getex k persist
      getex k
      getex k exat 1
      getex k
      getex nokey ex 10
      set k v
      getex k px 0
      getex k ex -1
      set k v
      getdel k
      getdel k
      set n 1
      incr n
      decr n
      incrby n 5
      decrby n 2
      incrby n 0
      incrbyfloat n 1.5
      incrbyfloat n 0
      incr fresh
      decr fresh2
      incrbyfloat fresh3 2
      set s abc
      incr s
      incrbyfloat s 1
      append s xx
      append s ""
      append new ""
      append new2 x
      setrange s 0 ""
      setrange s 1 Z
      setrange nk 0 ""
      setrange nk 2 a
      setrange s -1 a
      strlen s
    `,
  },
  'strings: a past expiry given to SET and a lazily expired key': {
    steps: `
      debug set-active-expire 0
      set k v
      pexpire k 30
      @sleep 120
      get k
      set k2 v px 30
      @sleep 120
      exists k2
      set k3 v px 30
      @sleep 120
      set k3 w
      set k4 1 px 30
      @sleep 120
      incr k4
      debug set-active-expire 1
    `,
  },
  bitmaps: {
    steps: `
      setbit bb 0 1
      setbit bb 0 1
      setbit bb 0 0
      setbit bb 100 0
      setbit nb 7 0
      setbit bb x 1
      bitop or dst bb
      bitop or dst nokey1 nokey2
      bitop or dst nokey1
      bitop not dst2 bb
      bitop and dst bb nokey1
      bitfield bf set u8 0 0
      bitfield bf set u8 0 0
      bitfield bf set u8 0 3 incrby u8 0 1 get u8 0
      bitfield bf overflow fail incrby u8 0 300
      bitfield bf get u8 0
      bitfield nbf get u8 0
      bitfield nbf2 incrby u8 0 0
      bitfield_ro bf get u8 0
    `,
  },
  'keys: DEL, UNLINK, RENAME, RENAMENX, COPY, MOVE, SWAPDB, FLUSHDB': {
    steps: `
      set a 1
      del a nokey
      set a 1
      set a2 1
      unlink a a2 nokey
      set b 1
      rename b c
      rename c c
      rename nokey x
      set d 1
      renamenx c d
      renamenx c e
      renamenx e e
      copy e f
      copy e f
      copy e f replace
      copy e f db 2
      copy nokey f
      move f 3
      move f 3
      set f 1
      select 3
      set f 2
      select 0
      move f 3
      swapdb 0 1
      swapdb 0 1
      flushdb
      select 3
      flushdb
      select 2
      flushall
      select 0
    `,
  },
  'keys: EXPIRE family and PERSIST': {
    steps: `
      set k v
      expire k 100
      pexpire k 100000
      expireat k 4102444800
      pexpireat k 4102444800000
      expire k 100 nx
      expire k 200 xx
      expire k 50 gt
      expire k 500 gt
      expire k 900 lt
      expire k 10 lt
      persist k
      persist k
      expire nokey 10
      expire k 0
      set k v
      pexpire k -5
      set k v
      expireat k 1
      set k v
      pexpireat k 1
      set k v
      expire k abc
      touch k nokey
      type k
    `,
  },
  'lists: pushes and pops': {
    steps: `
      lpush l a b
      rpush l c d
      lpushx l x
      lpushx nol x
      rpushx l y
      rpushx nol y
      lpop l
      rpop l
      lpop l 2
      rpop l 0
      lpop l 10
      lpop l
      rpush l a
      rpop l
      rpush l a b c
      rpop l 5
      lpop nol 2
      set str v
      lpush str a
      lmpop 1 l left
      rpush l a b c d
      lmpop 2 nol l right count 2
      lmpop 1 l left count 10
    `,
  },
  'lists: LSET, LINSERT, LREM, LTRIM': {
    steps: `
      rpush l a b c b a
      lset l 0 z
      lset l 99 z
      lset nol 0 z
      linsert l before b x
      linsert l after nosuch y
      linsert nol before a b
      lrem l 1 b
      lrem l 0 nosuch
      lrem l -2 a
      lrem l 0 z
      ltrim l 0 100
      ltrim l 1 1
      ltrim l 5 10
      ltrim nol 0 1
      rpush l a b
      lrem l 0 a
      lrem l 0 b
    `,
  },
  'lists: LMOVE and RPOPLPUSH': {
    steps: `
      rpush s a b c
      lmove s d left right
      lmove s d right left
      lmove s s left right
      rpoplpush s d
      lmove s d left left
      rpoplpush s d
      lmove nos d left left
      rpush one a
      lmove one one left left
      lmove one two left right
      set str v
      lmove two str left left
    `,
  },
  hashes: {
    steps: `
      hset h a 1 b 2
      hset h a 1
      hset h a 2 c 3
      hsetnx h a 9
      hsetnx h d 4
      hsetnx nh a 1
      hmset h e 5
      hdel h a
      hdel h nosuch
      hdel nh a
      hincrby h n 5
      hincrby h n 0
      hincrby h b -2
      hincrbyfloat h f 1.5
      hincrbyfloat h f 0
      hincrbyfloat nh2 f 2.5
      hincrby h e abc
      hset h s x
      hincrby h s 1
      hincrbyfloat h s 1
      hdel h b c d e n f s nosuch
      hset one f v
      hdel one f
    `,
  },
  sets: {
    steps: `
      sadd s a b c
      sadd s a
      srem s a
      srem s nosuch
      srem nos a
      sadd one x
      spop one
      spop nos
      sadd two x
      spop two 0
      spop two 1
      sadd many 1 2 3
      spop many 3
      sadd many 1 2 3
      spop many 10
      sadd src a b
      sadd dst c
      smove src dst a
      smove src dst nosuch
      smove src src b
      smove src dst b
      smove nos dst b
      sadd dst b
      smove dst other c
      sadd x 1 2 3
      sadd y 2 3 4
      sinterstore i x y
      sinterstore i x nos
      sunionstore u x y
      sunionstore u nos nos2
      sdiffstore df x y
      sdiffstore df x x
      sdiffstore df nos x
      sinterstore x x
    `,
  },
  'sorted sets: ZADD, ZINCRBY, ZREM': {
    steps: `
      zadd z 1 a 2 b
      zadd z 1 a
      zadd z 3 a
      zadd z nx 5 a
      zadd z nx 5 c
      zadd z xx 6 a
      zadd z xx 6 nosuch
      zadd z gt 1 a
      zadd z lt 1 a
      zadd z ch 1 a 9 d
      zadd z incr 1 a
      zadd z nx incr 1 a
      zadd z xx incr 1 nosuch
      zincrby z 2 b
      zincrby z 0 b
      zincrby nz 1 m
      zadd z 1 x nan
      zrem z a
      zrem z nosuch
      zrem nz2 a
      zadd one 1 m
      zrem one m
    `,
  },
  'sorted sets: ranges, pops and stores': {
    steps: `
      zadd z 1 a 2 b 3 c 4 d 5 e 6 f
      zremrangebyrank z 0 0
      zremrangebyrank z 100 200
      zremrangebyscore z 2 2
      zremrangebyscore z 100 200
      zremrangebylex z [x [z
      zadd lx 0 a 0 b 0 c
      zremrangebylex lx [a [b
      zremrangebylex lx - +
      zpopmin z
      zpopmax z
      zpopmin z 0
      zpopmax z 10
      zpopmin z
      zadd z 1 a 2 b 3 c
      zmpop 1 z min
      zmpop 2 nz z max count 5
      zmpop 1 nz min
      zremrangebyrank z 0 -1
      zadd p 1 a 2 b
      zadd q 2 b 3 c
      zunionstore u 2 p q
      zinterstore i 2 p q
      zdiffstore df 2 p q
      zinterstore i 2 p nz
      zunionstore u 1 nz
      zdiffstore df 2 p p
      zrangestore r p 0 -1
      zrangestore r p 5 10
      zrangestore r nz 0 -1
      zadd w 1 a 2 b 3 c
      zremrangebyscore w -inf +inf
    `,
  },
  'several databases': {
    steps: `
      select 5
      set k v
      lpush l a
      move k 0
      select 0
      del k
      select 5
      copy l l2 db 0
      swapdb 5 6
      select 6
      del l
      select 0
    `,
  },
  'eviction (one key, so the victim is certain)': {
    steps: `
      set victim v
      config set maxmemory-policy allkeys-lru
      config set maxmemory 1
      set other v
      config set maxmemory 0
      config set maxmemory-policy noeviction
      exists victim
    `,
  },
  'new-key events (n), which A does not include': {
    notify: 'KEAn',
    steps: `
      set k v
      set k w
      lpush l a
      lpush l b
      hset h f v
      sadd s a
      zadd z 1 a
      incr n
      append a x
      setrange r 1 x
      setbit b 1 1
      copy k k2
      rename k k3
      mset m1 1 m2 2
      lmove l l2 left left
      sunionstore su s s
      zunionstore zu 1 z
      bitop or bo b
      hincrbyfloat hf f 1
      select 1
      set k v
      select 0
      move k2 1
    `,
  },
  'only some classes: K, E and single letters': {
    notify: 'Kl',
    steps: `
      set k v
      lpush l a
      lpop l
      del k
    `,
  },
  'only keyevent, generic and expired': {
    notify: 'Egx',
    steps: `
      debug set-active-expire 0
      set k v
      expire k 100
      del k
      set k v px 20
      @sleep 100
      get k
      lpush l a
      del l
      debug set-active-expire 1
    `,
  },
  'keymiss events of every family': {
    notify: 'KEm',
    steps: `
      get m1
      mget m2 m3
      strlen m4
      getrange m5 0 1
      getbit m6 0
      bitcount m7
      exists m8
      type m9
      ttl m10
      lrange m11 0 -1
      llen m12
      lindex m13 0
      lpos m14 a
      hget m15 f
      hgetall m16
      hmget m17 a b
      hexists m18 f
      hlen m19
      hstrlen m20 f
      hrandfield m21
      smembers m22
      sismember m23 a
      smismember m24 a
      scard m25
      srandmember m26
      sinter m27 m28
      sintercard 1 m29
      zrange m30 0 -1
      zscore m31 a
      zcard m32
      zrank m33 a
      zcount m34 0 1
      zrandmember m35
      zmscore m36 a
      object encoding m38
      lpush l a
      lpop l
      hset h f v
      sadd s a
      zadd z 1 a
      get l
    `,
  },
};

describe('keyspace events: Damselfly vs redis-server 7.0', { timeout: 300_000 }, () => {
  let pair: ServerPair | null = null;

  before(async () => {
    pair = await startPair(['--enable-debug-command', 'yes']);
  });

  after(async () => {
    await pair?.stop();
  });

  for (const [name, sc] of Object.entries(SCENARIOS)) {
    test(name, async () => {
      const list = steps(sc.steps);
      const res = await runEventScenario(pair!, list, sc.notify ?? 'KEA');
      // A scenario must exercise notifications at all: redis-server published something.
      assert.ok(res.redis.events.length > 0, name + ': redis-server published no event');
      const diff = describeDifference(name, list, res);
      assert.equal(diff, null, diff ?? '');
    });
  }
});
