import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { indexPer, type Hasher } from '../../src/state/secrets.js';

interface State {
  users: Array<{ id: string; key: string }>;
}

/** SHA-256, counting the secrets it digests. */
function countingHasher(): { hash: Hasher; count: () => number } {
  let calls = 0;
  return {
    hash: (secret) => {
      calls += 1;
      return createHash('sha256').update(secret, 'utf8').digest();
    },
    count: () => calls,
  };
}

function stateOf(count: number): State {
  return { users: Array.from({ length: count }, (_, i) => ({ id: `u${i}`, key: randomUUID() })) };
}

/** The next state with user `position`'s key changed, told to the index as a rotation does. */
function rotate(
  index: ReturnType<typeof indexPer<State, number>>,
  current: State,
  position: number,
): State {
  const users = current.users.slice();
  const user = current.users[position];
  assert.ok(user);
  users[position] = { ...user, key: randomUUID() };
  const next = { users };
  index.derive(current, next, {
    remove: [user.key],
    add: [[users[position]?.key ?? '', position]],
  });
  return next;
}

test('an index derived over many updates finds every new secret and none of the old, digesting only what changed', () => {
  const hasher = countingHasher();
  const index = indexPer(
    (state: State) => state.users.map((user, position) => [user.key, position] as const),
    hasher.hash,
  );
  const first = stateOf(2_000);
  assert.equal(index(first).find(first.users[7]?.key ?? ''), 7);
  assert.equal(hasher.count(), 2_001, 'the first index digests every stored secret once');

  const retired = new Set<string>();
  let state = first;
  for (let update = 0; update < 1_000; update += 1) {
    const position = (update * 7919) % state.users.length;
    retired.add(state.users[position]?.key ?? '');
    const before = hasher.count();
    state = rotate(index, state, position);
    // The old and the new secret of the one user that changed, however many the state holds.
    assert.equal(hasher.count() - before, 2);
  }

  const latest = index(state);
  state.users.forEach((user, position) => {
    retired.delete(user.key);
    assert.equal(latest.find(user.key), position);
  });
  assert.ok(retired.size > 500);
  for (const old of retired) assert.equal(latest.find(old), undefined);
  // Asking never rebuilt it: one digest per lookup, of the presented secret only.
  assert.equal(hasher.count(), 2_001 + 2 * 1_000 + state.users.length + retired.size);

  // An older state keeps its own answers (a request may still hold it).
  first.users.forEach((user, position) => assert.equal(index(first).find(user.key), position));
  assert.equal(index(first).find(state.users[0]?.key ?? ''), undefined);
});

test('a state derived from an older one (a retried transaction) gets an index of its own, still exact', () => {
  const index = indexPer((state: State) =>
    state.users.map((user, position) => [user.key, position] as const),
  );
  const first = stateOf(50);
  index(first);
  const second = rotate(index, first, 3);
  const third = rotate(index, second, 4);
  const branch = rotate(index, first, 5); // first is no longer the newest of its line
  for (const [state, changed] of [
    [second, [3]],
    [third, [3, 4]],
    [branch, [5]],
  ] as const) {
    state.users.forEach((user, position) => assert.equal(index(state).find(user.key), position));
    for (const position of changed)
      assert.equal(index(state).find(first.users[position]?.key ?? ''), undefined);
  }
  assert.equal(index(branch).find(third.users[4]?.key ?? ''), undefined);
  assert.equal(index(third).find(branch.users[5]?.key ?? ''), undefined);
});

test('a secret held by two owners is not derived: the next index is rebuilt, answering as before', () => {
  const index = indexPer((state: State) =>
    state.users.map((user, position) => [user.key, position] as const),
  );
  const shared = randomUUID();
  const first: State = {
    users: [
      { id: 'a', key: shared },
      { id: 'b', key: shared },
    ],
  };
  assert.equal(index(first).find(shared), 1, 'the last owner wins, as a Map built in order');
  const next = rotate(index, first, 1);
  assert.equal(index(next).find(shared), 0, 'the other owner still holds it');
  assert.equal(index(next).find(next.users[1]?.key ?? ''), 1);
});

test('a state that keeps the same secrets shares its index: nothing is digested again', () => {
  const hasher = countingHasher();
  const index = indexPer(
    (state: State) => state.users.map((user, position) => [user.key, position] as const),
    hasher.hash,
  );
  const first = stateOf(100);
  index(first);
  const next = { ...first };
  index.carry(first, next);
  const before = hasher.count();
  assert.equal(index(next).find(first.users[9]?.key ?? ''), 9);
  assert.equal(hasher.count() - before, 1);
});
