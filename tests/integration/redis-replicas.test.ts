import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eventually } from '../support/eventually.js';
import { skipWithoutRedis, startRedis, type RedisServer } from '../support/redis-server.js';
import { startReplica, startReplicas, stopReplica, type Replica } from '../support/replicas.js';
import {
  call,
  concurrently,
  FIXTURE,
  moveClock,
  resetStandin,
  startStandin,
  stateOf,
  type Answer,
  type TestServer,
} from '../support/standin.js';

/**
 * Two standin processes on one real Redis, as replicas behind a proxy would be: one state, one
 * clock, one journal. Rotation stays atomic across them, state outlives a replica, and when Redis
 * goes away they answer 503 and come back with it.
 */
const skip = skipWithoutRedis();
let redis: RedisServer | undefined;
const replicas: Replica[] = [];
let single: TestServer | undefined;

function redisUrl(): string {
  if (!redis) throw new Error('redis-server is not running');
  return redis.url;
}

function bothReplicas(): [string, string] {
  const [first, second] = replicas;
  if (!first || !second) throw new Error('the replicas are not running');
  return [first.url, second.url];
}

before(async () => {
  if (skip) return;
  redis = await startRedis();
  replicas.push(...(await startReplicas(redis.url, 2)));
  single = await startStandin();
});

after(async () => {
  for (const replica of replicas) await stopReplica(replica);
  await single?.close();
  await redis?.stop();
});

const rotateThousandEyes = (base: string, token: string): Promise<Answer> =>
  call(`${base}/thousandeyes/v7/api-tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
const rotateProjectDiscovery = (base: string, key: string): Promise<Answer> =>
  call(`${base}/projectdiscovery/v1/user/apikey/rotate`, {
    method: 'POST',
    headers: { 'x-api-key': key },
  });

/** 50 rotations at once, alternating between the given servers; the statuses counted. */
async function fiftyAtOnce(
  bases: readonly string[],
  rotate: (base: string) => Promise<Answer>,
): Promise<Record<number, number>> {
  let next = 0;
  const { statuses } = await concurrently(50, () => rotate(bases[next++ % bases.length] ?? ''));
  return statuses;
}

test(
  '50 concurrent rotations spread over two replicas give exactly the single-process outcome',
  { skip },
  async () => {
    const [first, second] = bothReplicas();
    if (!single) throw new Error('the single process is not running');
    await resetStandin(first);
    await resetStandin(single.url);

    const thousandEyes = (bases: readonly string[]) =>
      fiftyAtOnce(bases, (base) => rotateThousandEyes(base, FIXTURE.thousandeyes.alice));
    const alone = await thousandEyes([single.url]);
    const replicated = await thousandEyes([first, second]);
    // One rotation wins; the other 49 meet the overlap of two active tokens: 409.
    assert.deepEqual(alone, { 201: 1, 409: 49 });
    assert.deepEqual(replicated, alone);
    const state = await stateOf<{ users: Array<{ tokens: Array<{ token: string }> }> }>(
      second,
      'thousandeyes',
    );
    const alice = state.users.find((user) =>
      user.tokens.some((token) => token.token === FIXTURE.thousandeyes.alice),
    );
    assert.equal(alice?.tokens.length, 2, 'exactly one new token beside the old one');

    const projectDiscovery = (bases: readonly string[]) =>
      fiftyAtOnce(bases, (base) => rotateProjectDiscovery(base, FIXTURE.projectdiscovery.bob));
    const pdAlone = await projectDiscovery([single.url]);
    const pdReplicated = await projectDiscovery([first, second]);
    // One rotation wins; the old key is gone at once for the other 49: 401.
    assert.deepEqual(pdAlone, { 200: 1, 401: 49 });
    assert.deepEqual(pdReplicated, pdAlone);
  },
);

test(
  'a reset, a clock move and the journal on one replica are seen by the other at once',
  { skip },
  async () => {
    const [first, second] = bothReplicas();
    await resetStandin(first);
    await call(`${first}/__admin/requests`, { method: 'DELETE' });
    const rotated = await rotateThousandEyes(first, FIXTURE.thousandeyes.alice);
    assert.equal(rotated.status, 201);

    // The clock moved on the first replica ends the overlap on the second.
    await moveClock(first, { advance: 'P15D' });
    const clocks = await Promise.all(
      [first, second].map(async (base) => (await call(`${base}/__admin/clock`)).json),
    );
    assert.equal(
      (clocks[1] as { offsetMs: number }).offsetMs,
      (clocks[0] as { offsetMs: number }).offsetMs,
    );
    const current = (token: string) =>
      call(`${second}/thousandeyes/v7/users/current`, {
        headers: { authorization: `Bearer ${token}` },
      });
    assert.equal((await current(FIXTURE.thousandeyes.alice)).status, 401, 'the old token ended');

    // The reset on the second replica brings the fixture token back on the first.
    await resetStandin(second);
    assert.equal((await current(FIXTURE.thousandeyes.alice)).status, 200);
    // A request is journalled as its answer leaves, so the last one may still be on its way.
    const journalled = async (): Promise<{ count: number }> =>
      (
        await call(`${first}/__admin/requests/count`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ vendor: 'thousandeyes' }),
        })
      ).json as { count: number };
    const count = await eventually(journalled, ({ count }) => count >= 3);
    assert.deepEqual(
      count,
      { count: 3 },
      'one journal: the rotation on one, two calls on the other',
    );
  },
);

test('state survives a restart of a replica', { skip }, async () => {
  const [first] = bothReplicas();
  await resetStandin(first);
  const rotated = await rotateProjectDiscovery(first, FIXTURE.projectdiscovery.alice);
  const { api_key: newKey } = rotated.json as { api_key: string };
  const [replica] = replicas;
  if (!replica) throw new Error('no replica to restart');
  await stopReplica(replica);
  const restarted = await startReplica(redisUrl());
  replicas[0] = restarted;
  const profile = (key: string) =>
    call(`${restarted.url}/projectdiscovery/v1/user`, { headers: { 'x-api-key': key } });
  assert.equal((await profile(newKey)).status, 200, 'the rotated key still works');
  assert.equal((await profile(FIXTURE.projectdiscovery.alice)).status, 401, 'the old one not');
});

test(
  'without Redis, requests answer 503 problem+json at once; with Redis back, they are served again',
  { skip },
  async () => {
    if (!redis) throw new Error('redis-server is not running');
    const [, second] = bothReplicas();
    await redis.stop();
    const started = performance.now();
    const refused = await rotateProjectDiscovery(second, FIXTURE.projectdiscovery.alice);
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('content-type'), 'application/problem+json');
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.equal((refused.json as { type: string }).type, 'urn:standin:problem:store-unavailable');
    assert.equal((await call(`${second}/__admin/state/projectdiscovery`)).status, 503);
    assert.equal((await call(`${second}/__health`)).status, 503);
    assert.ok(performance.now() - started < 5000, 'no request hangs while Redis is away');
    assert.equal((await call(`${second}/`)).status, 200, 'what needs no state is still served');

    await redis.start();
    const { status } = await eventually(
      () => rotateProjectDiscovery(second, FIXTURE.projectdiscovery.alice),
      (answer) => answer.status !== 503,
      { everyMs: 100 },
    );
    // This Redis keeps nothing on disk, so it came back empty: the fixture is seeded again.
    assert.equal(status, 200, 'served again within 5 s of Redis coming back');
    assert.equal((await call(`${second}/__health`)).status, 200);
    for (const replica of replicas)
      assert.equal(replica.child.exitCode, null, 'no replica crashed');
  },
);
