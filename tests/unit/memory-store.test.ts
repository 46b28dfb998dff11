import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryStore } from '../../src/state/memory-store.js';

test('update reads, decides and writes; a decision without a value changes nothing', async () => {
  const store = new MemoryStore();
  await store.set('k', { count: 1 });
  const result = await store.update<{ count: number }, string>('k', (current) => ({
    value: { count: (current?.count ?? 0) + 1 },
    result: 'incremented',
  }));
  assert.equal(result, 'incremented');
  assert.deepEqual(await store.get('k'), { count: 2 });
  await store.update<{ count: number }, null>('k', () => ({ result: null }));
  assert.deepEqual(await store.get('k'), { count: 2 });
});

test('a decision that throws rejects and leaves the value as it was', async () => {
  const store = new MemoryStore();
  await store.set('k', { count: 1 });
  await assert.rejects(
    store.update('k', () => {
      throw new Error('refused');
    }),
    /refused/,
  );
  assert.deepEqual(await store.get('k'), { count: 1 });
});

test('stored values are frozen: a handler that changes one in place fails loudly', async () => {
  const store = new MemoryStore();
  await store.set('k', { users: [{ key: 'a' }] });
  const value = await store.get<{ users: Array<{ key: string }> }>('k');
  assert.throws(() => {
    if (value?.users[0]) value.users[0].key = 'b';
  }, TypeError);
});

test('concurrent updates never lose a write', async () => {
  const store = new MemoryStore();
  await Promise.all(
    Array.from({ length: 100 }, () =>
      store.update<number, null>('n', (current) => ({ value: (current ?? 0) + 1, result: null })),
    ),
  );
  assert.equal(await store.get('n'), 100);
});

test('deletePrefix removes one namespace and keeps the others', async () => {
  const store = new MemoryStore();
  await store.set('a/vendor/x', 1);
  await store.set('a/clock', 2);
  await store.set('b/vendor/x', 3);
  await store.deletePrefix('a/');
  assert.equal(await store.get('a/vendor/x'), undefined);
  assert.equal(await store.get('b/vendor/x'), 3);
});
