import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MemoryStore } from '../../src/state/memory-store.js';
import { RedisStore } from '../../src/state/redis-store.js';
import { StoreUnavailableError, type Store } from '../../src/state/store.js';
import { eventually } from '../support/eventually.js';
import { skipWithoutRedis, startRedis, type RedisServer } from '../support/redis-server.js';

/**
 * One contract, two stores: what the handlers rely on holds for the memory store and for Redis
 * alike. Each test gets a fresh store (a fresh key prefix on Redis: its own namespace of keys).
 */
interface Subject {
  name: string;
  skip: string | false;
  open(): Promise<Store>;
}

let redis: RedisServer | undefined;
const opened: Store[] = [];
const redisSkip = skipWithoutRedis();

const subjects: Subject[] = [
  { name: 'memory store', skip: false, open: () => Promise.resolve(new MemoryStore()) },
  {
    name: 'Redis store',
    skip: redisSkip,
    open: async () => {
      if (!redis) throw new Error('redis-server is not running');
      return RedisStore.connect(redis.url);
    },
  },
];

before(async () => {
  if (!redisSkip) redis = await startRedis();
});
after(async () => {
  for (const store of opened) await store.close();
  await redis?.stop();
});

let run = 0;
/** Keys of this test only, so tests sharing one Redis do not meet. */
const keyOf = (name: string): string => `t${run}/${name}`;

for (const subject of subjects) {
  describe(subject.name, () => {
    // Skipped test by test, so the runner counts each one as skipped.
    const it = (name: string, body: () => Promise<void>): void => {
      test(name, { skip: subject.skip }, body);
    };
    const fresh = async (): Promise<Store> => {
      run += 1;
      const store = await subject.open();
      opened.push(store);
      return store;
    };

    it('update reads, decides and writes; a decision without a value changes nothing', async () => {
      const store = await fresh();
      await store.set(keyOf('k'), { count: 1 });
      const result = await store.update<{ count: number }, string>(keyOf('k'), (current) => ({
        value: { count: (current?.count ?? 0) + 1 },
        result: 'incremented',
      }));
      assert.equal(result, 'incremented');
      assert.deepEqual(await store.get(keyOf('k')), { count: 2 });
      await store.update<{ count: number }, null>(keyOf('k'), () => ({ result: null }));
      assert.deepEqual(await store.get(keyOf('k')), { count: 2 });
      assert.equal(await store.get(keyOf('absent')), undefined);
    });

    it('a decision that throws rejects with its own error and leaves the value as it was', async () => {
      const store = await fresh();
      await store.set(keyOf('k'), { count: 1 });
      await assert.rejects(
        store.update(keyOf('k'), () => {
          throw new RangeError('refused');
        }),
        RangeError,
      );
      assert.deepEqual(await store.get(keyOf('k')), { count: 1 });
    });

    it('values handed out are frozen: a handler that changes one in place fails loudly', async () => {
      const store = await fresh();
      await store.set(keyOf('k'), { users: [{ key: 'a' }] });
      const value = await store.get<{ users: Array<{ key: string }> }>(keyOf('k'));
      assert.throws(() => {
        if (value?.users[0]) value.users[0].key = 'b';
      }, TypeError);
    });

    it('concurrent updates never lose a write', async () => {
      const store = await fresh();
      await Promise.all(
        Array.from({ length: 100 }, () =>
          store.update<number, null>(keyOf('n'), (current) => ({
            value: (current ?? 0) + 1,
            result: null,
          })),
        ),
      );
      assert.equal(await store.get(keyOf('n')), 100);
    });

    it('deletePrefix removes every kind of value under a prefix and keeps the rest', async () => {
      const store = await fresh();
      await store.set(keyOf('a/vendor/x'), 1);
      await store.append(keyOf('a/journal'), { n: 1 }, 10);
      await store.increment(keyOf('a/coverage'), 'op 200');
      await store.set(keyOf('a*/vendor/x'), 2); // a glob character in a key is not a wildcard
      await store.set(keyOf('b/vendor/x'), 3);
      await store.deletePrefix(keyOf('a/'));
      assert.equal(await store.get(keyOf('a/vendor/x')), undefined);
      assert.deepEqual(await store.list(keyOf('a/journal')), []);
      assert.deepEqual(await store.counters(keyOf('a/coverage')), {});
      assert.equal(await store.get(keyOf('a*/vendor/x')), 2);
      assert.equal(await store.get(keyOf('b/vendor/x')), 3);
    });

    it('getMany reads several values in one call, in order, undefined where none is', async () => {
      const store = await fresh();
      await store.set(keyOf('ns/clock'), { offsetMs: 5 });
      await store.set(keyOf('ns/faults'), [{ id: 'f' }]);
      await store.update<string[], null>(keyOf('ns/rate-limits'), () => ({
        value: ['thousandeyes'],
        result: null,
      }));
      // A list and a counter are not values: getMany, like get, finds none there.
      await store.append(keyOf('ns/journal'), { entry: 1 }, 10);
      await store.increment(keyOf('ns/coverage'), 'a', 1);
      const keys = ['ns/clock', 'ns/absent', 'ns/faults', 'ns/rate-limits', 'ns/journal'];
      const many = await store.getMany([...keys.map(keyOf), keyOf('ns/coverage')]);
      assert.deepEqual(many, [
        { offsetMs: 5 },
        undefined,
        [{ id: 'f' }],
        ['thousandeyes'],
        undefined,
        undefined,
      ]);
      // The same values get hands out, frozen as they are.
      assert.deepEqual(many[0], await store.get(keyOf('ns/clock')));
      assert.ok(Object.isFrozen(many[2]));
      assert.deepEqual(await store.getMany([]), []);
    });

    it('a capped list keeps the newest entries, oldest first', async () => {
      const store = await fresh();
      for (let index = 1; index <= 25; index += 1) {
        await store.append(keyOf('journal'), { index }, 10);
      }
      const kept = await store.list<{ index: number }>(keyOf('journal'));
      assert.deepEqual(
        kept.map((entry) => entry.index),
        [16, 17, 18, 19, 20, 21, 22, 23, 24, 25],
      );
    });

    it('counters add up, a zero increment registers a field', async () => {
      const store = await fresh();
      await store.increment(keyOf('c'), 'a');
      await store.increment(keyOf('c'), 'a', 2);
      await store.increment(keyOf('c'), 'b', 0);
      assert.deepEqual(await store.counters(keyOf('c')), { a: 3, b: 0 });
    });

    it('deleting a counter removes that field only', async () => {
      const store = await fresh();
      await store.increment(keyOf('c'), 'a', 2);
      await store.increment(keyOf('c'), 'b', 0);
      await store.deleteCounter(keyOf('c'), 'a');
      await store.deleteCounter(keyOf('c'), 'never-there');
      assert.deepEqual(await store.counters(keyOf('c')), { b: 0 });
    });

    it('record applies batches in order, each at most once per writer', async () => {
      const store = await fresh();
      const batch = (sequence: number, entry: string) => ({
        sequence,
        writes: [
          { kind: 'append' as const, key: keyOf('journal'), value: { entry }, max: 10 },
          { kind: 'increment' as const, key: keyOf('counts'), field: 'seen', by: 1 },
        ],
      });
      await store.record(`writer-${run}`, [batch(1, 'a'), batch(2, 'b')]);
      // Sent again (its answer was lost), together with a new one: only the new one applies.
      await store.record(`writer-${run}`, [batch(2, 'b'), batch(3, 'c')]);
      // Another writer's sequences are its own.
      await store.record(`other-${run}`, [batch(1, 'd')]);
      assert.deepEqual(
        (await store.list<{ entry: string }>(keyOf('journal'))).map((item) => item.entry),
        ['a', 'b', 'c', 'd'],
      );
      assert.deepEqual(await store.counters(keyOf('counts')), { seen: 4 });
    });
  });
}

describe('Redis store across connections and outages', () => {
  const it = (name: string, body: () => Promise<void>): void => {
    test(name, { skip: redisSkip }, body);
  };
  it('two connections (two replicas) updating one key at once never lose a write', async () => {
    if (!redis) throw new Error('redis-server is not running');
    const [first, second] = [
      await RedisStore.connect(redis.url),
      await RedisStore.connect(redis.url),
    ];
    opened.push(first, second);
    run += 1;
    await Promise.all(
      Array.from({ length: 60 }, (_, index) =>
        (index % 2 === 0 ? first : second).update<number, null>(keyOf('shared'), (current) => ({
          value: (current ?? 0) + 1,
          result: null,
        })),
      ),
    );
    assert.equal(await first.get(keyOf('shared')), 60);
    assert.equal(await second.get(keyOf('shared')), 60);
  });

  it('while Redis is away, calls fail at once with StoreUnavailableError; then it recovers', async () => {
    if (!redis) throw new Error('redis-server is not running');
    const changes: boolean[] = [];
    const store = await RedisStore.connect(redis.url, {
      onHealthChange: (healthy) => changes.push(healthy),
    });
    opened.push(store);
    run += 1;
    await store.set(keyOf('k'), 1);
    await redis.stop();
    const started = performance.now();
    await assert.rejects(store.get(keyOf('k')), StoreUnavailableError);
    await assert.rejects(store.getMany([keyOf('k'), keyOf('other')]), StoreUnavailableError);
    await assert.rejects(
      store.update(keyOf('k'), () => ({ value: 2, result: null })),
      StoreUnavailableError,
    );
    await assert.rejects(store.ping(), StoreUnavailableError);
    assert.ok(performance.now() - started < 3000, 'no call hangs while Redis is away');
    await redis.start();
    const answered = await eventually(
      () =>
        store.ping().then(
          () => true,
          () => false,
        ),
      (pinged) => pinged,
      { everyMs: 100 },
    );
    assert.ok(answered, 'the store answers again within 5 s of Redis coming back');
    assert.deepEqual(changes, [true, false, true]);
  });
});
