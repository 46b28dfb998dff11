import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { projectDiscovery } from '../../src/handlers/projectdiscovery/index.js';
import type { ProjectDiscoveryState } from '../../src/handlers/projectdiscovery/state.js';
import type { HandlerContext } from '../../src/handlers/types.js';
import { deepFreeze, replaceAt } from '../../src/state/immutable.js';
import { MemoryStore } from '../../src/state/memory-store.js';

const KEY = 'ns/vendor/projectdiscovery';

function users(count: number): ProjectDiscoveryState {
  return {
    users: Array.from({ length: count }, (_, i) => ({
      id: `u${i}`,
      name: `User ${i}`,
      email: `u${i}@example.com`,
      teamName: 'Team',
      plan: 'Free',
      role: 'member',
      apiKey: randomUUID(),
    })),
  };
}

/** A rotation as the engine calls it: the caller's key, the state in a memory store. */
async function rotate(store: MemoryStore, apiKey: string): Promise<string> {
  const context: HandlerContext<ProjectDiscoveryState> = {
    request: {} as HandlerContext<ProjectDiscoveryState>['request'],
    namespace: 'ns',
    now: new Date(),
    principal: {
      id: 'unused',
      credential: { scheme: 'ApiKeyAuth', in: 'header', name: 'x-api-key', value: apiKey },
    },
    state: {
      read: async () => (await store.get<ProjectDiscoveryState>(KEY)) as ProjectDiscoveryState,
      update: (decide) =>
        store.update(KEY, (current: ProjectDiscoveryState | undefined) => {
          assert.ok(current);
          return decide(current);
        }),
    },
  };
  const result = await projectDiscovery.handlers?.['post-v1-user-apikey-rotate']?.(context);
  assert.equal(result?.status, 200);
  return (result?.body as { api_key: string }).api_key;
}

const read = async (store: MemoryStore): Promise<ProjectDiscoveryState> =>
  (await store.get<ProjectDiscoveryState>(KEY)) as ProjectDiscoveryState;

test('a handler changing a stored state in place fails loudly, after updates as before them', async () => {
  const store = new MemoryStore();
  await store.set(KEY, users(1_000));
  const first = await read(store);
  await rotate(store, first.users[10]?.apiKey ?? '');
  const state = await read(store);
  // Strict mode (ESM): writing to a frozen object throws.
  for (const target of [first, state]) {
    assert.throws(() => {
      (target.users[10] as { apiKey: string | null }).apiKey = 'mine';
    }, TypeError);
    assert.throws(() => {
      (target.users[500] as { apiKey: string | null }).apiKey = 'mine';
    }, TypeError);
    assert.throws(() => target.users.push(target.users[0] as never), TypeError);
    assert.throws(() => {
      target.users[3] = target.users[4] as never;
    }, TypeError);
    assert.throws(() => {
      (target as { users: unknown }).users = [];
    }, TypeError);
  }
  // Inside a transaction too: the decision fails, and the state stays as it was.
  await assert.rejects(
    store.update<ProjectDiscoveryState, null>(KEY, (current) => {
      (current?.users[0] as { apiKey: string | null }).apiKey = 'mine';
      return { result: null };
    }),
    TypeError,
  );
  assert.equal((await read(store)).users[0]?.apiKey, first.users[0]?.apiKey);
});

test('an update shares every unchanged user and freezes what it built, however deep', async () => {
  const store = new MemoryStore();
  await store.set(KEY, users(2_000));
  const before = await read(store);
  const newKey = await rotate(store, before.users[1_234]?.apiKey ?? '');
  const after = await read(store);
  assert.notEqual(after.users, before.users);
  assert.equal(after.users[1_234]?.apiKey, newKey);
  assert.ok(Object.isFrozen(after) && Object.isFrozen(after.users));
  assert.ok(Object.isFrozen(after.users[1_234]));
  after.users.forEach((user, position) => {
    if (position !== 1_234) assert.equal(user, before.users[position]);
  });
  // The new key is the caller's now; the old one is nobody's.
  const who = (key: string): string | undefined => {
    const outcome = projectDiscovery.authenticate?.(
      [{ scheme: 'ApiKeyAuth', in: 'header', name: 'x-api-key', value: key }],
      after,
      new Date(),
    );
    return outcome?.ok ? outcome.principal.id : undefined;
  };
  assert.equal(who(newKey), 'u1234');
  assert.equal(who(before.users[1_234]?.apiKey ?? ''), undefined);

  // A new item's insides are frozen with it, and a state built without the helpers is frozen whole.
  const nested = replaceAt([{ a: { b: 1 } }, { a: { b: 2 } }], 0, { a: { b: 3 } });
  assert.ok(Object.isFrozen(nested) && Object.isFrozen(nested[0]?.a));
  const plain = deepFreeze({ list: [{ inner: { value: 1 } }] });
  assert.ok(Object.isFrozen(plain.list[0]?.inner));
});

test('a state repeating a user id still changes every user with that id, as before', async () => {
  const store = new MemoryStore();
  const state = users(3);
  const twin = { ...state.users[1], id: 'u0' } as ProjectDiscoveryState['users'][number];
  await store.set(KEY, { users: [state.users[0], twin, state.users[2]] });
  const newKey = await rotate(store, twin.apiKey ?? '');
  const after = await read(store);
  assert.deepEqual(
    after.users.map((user) => user.apiKey),
    [newKey, newKey, state.users[2]?.apiKey],
  );
  assert.ok(Object.isFrozen(after.users[0]));
});
