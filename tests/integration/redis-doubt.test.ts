import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { Clock } from '../../src/clock.js';
import { Observations, type JournalEntry } from '../../src/engine/observations.js';
import { RedisStore } from '../../src/state/redis-store.js';
import { OutcomeUnknownError, StoreUnavailableError } from '../../src/state/store.js';
import { eventually } from '../support/eventually.js';
import { skipWithoutRedis, startRedis, type RedisServer } from '../support/redis-server.js';
import {
  call,
  credentials,
  FIXTURE,
  resetStandin,
  startStandin,
  type Answer,
  type TestServer,
} from '../support/standin.js';

/**
 * Honest answers when Redis is in doubt. A write whose answer Redis holds back (CLIENT PAUSE
 * WRITE, longer than the 2 s command timeout) is looked up before standin answers: the real
 * result when it was applied, outcome-unknown when that cannot be learnt in time; 503 only for a
 * write that certainly did nothing. And requests served while Redis is away still reach the
 * journal once it is back, each once.
 */
const skip = skipWithoutRedis();
let redis: RedisServer | undefined;
/** A plain client of the test's own, for CLIENT PAUSE and UNPAUSE. */
let pauser: Redis | undefined;
const standins: TestServer[] = [];
const stores: RedisStore[] = [];

before(async () => {
  if (skip) return;
  redis = await startRedis();
  pauser = new Redis(redis.url, { lazyConnect: true, retryStrategy: () => 100 });
  pauser.on('error', () => undefined); // it reconnects when the test restarts Redis
  await pauser.connect();
  // Two replicas: a request that holds one's connection does not hold the other's.
  standins.push(
    ...(await Promise.all([
      startStandin({ store: redis.url }),
      startStandin({ store: redis.url }),
    ])),
  );
});

after(async () => {
  await pauser?.call('CLIENT', 'UNPAUSE').catch(() => undefined);
  pauser?.disconnect();
  for (const standin of standins) await standin.close();
  for (const store of stores) await store.close();
  await redis?.stop();
});

function replicas(): [TestServer, TestServer] {
  const [first, second] = standins;
  if (!first || !second) throw new Error('the standins are not running');
  return [first, second];
}

function started(): { redis: RedisServer; pauser: Redis } {
  if (!redis || !pauser) throw new Error('redis-server is not running');
  return { redis, pauser };
}

/** Redis holds every write (of every client) for `ms`; reads still pass. */
async function pauseWrites(ms: number): Promise<void> {
  assert.equal(await started().pauser.call('CLIENT', 'PAUSE', String(ms), 'WRITE'), 'OK');
}

async function unpause(): Promise<void> {
  await started().pauser.call('CLIENT', 'UNPAUSE');
}

const rotateThousandEyes = (base: string, token: string): Promise<Answer> =>
  call(`${base}/thousandeyes/v7/api-tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
const currentThousandEyesUser = (base: string, token: string): Promise<Answer> =>
  call(`${base}/thousandeyes/v7/users/current`, { headers: { authorization: `Bearer ${token}` } });
const rotateProjectDiscovery = (base: string, key: string): Promise<Answer> =>
  call(`${base}/projectdiscovery/v1/user/apikey/rotate`, {
    method: 'POST',
    headers: { 'x-api-key': key },
  });
const projectDiscoveryUser = (base: string, key: string): Promise<Answer> =>
  call(`${base}/projectdiscovery/v1/user`, { headers: { 'x-api-key': key } });

interface Counted {
  count: number;
  /** Only when entries were lost. */
  lost?: number;
}

async function countRequests(base: string, matcher: Record<string, unknown>): Promise<Counted> {
  const answer = await call(`${base}/__admin/requests/count`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(matcher),
  });
  assert.equal(answer.status, 200, answer.text);
  return answer.json as Counted;
}

async function clearJournal(base: string): Promise<void> {
  assert.equal((await call(`${base}/__admin/requests`, { method: 'DELETE' })).status, 204);
}

interface Health {
  status: number;
  observations: { buffered: number; lost: number } | undefined;
}

async function health(base: string): Promise<Health> {
  const answer = await call(`${base}/__health`);
  const body = answer.json as { observations?: { buffered: number; lost: number } } | undefined;
  return { status: answer.status, observations: body?.observations };
}

test(
  'rotations whose answers Redis holds past the command timeout answer what really happened, never 503',
  { skip },
  async () => {
    const [thousandEyesSide, projectDiscoverySide] = replicas();
    await resetStandin(thousandEyesSide.url);
    await clearJournal(thousandEyesSide.url);

    await pauseWrites(4000);
    const sent = performance.now();
    let thousandEyes: Answer;
    let projectDiscovery: Answer;
    try {
      [thousandEyes, projectDiscovery] = await Promise.all([
        rotateThousandEyes(thousandEyesSide.url, FIXTURE.thousandeyes.alice),
        rotateProjectDiscovery(projectDiscoverySide.url, FIXTURE.projectdiscovery.alice),
      ]);
    } finally {
      await unpause();
    }
    const waited = performance.now() - sent;
    assert.equal(thousandEyes.status, 201, `ThousandEyes: ${thousandEyes.text}`);
    const { bearerToken } = thousandEyes.json as { bearerToken: string };
    assert.equal(
      (await currentThousandEyesUser(thousandEyesSide.url, bearerToken)).status,
      200,
      'the token the rotation answered works',
    );

    assert.equal(projectDiscovery.status, 200, `ProjectDiscovery: ${projectDiscovery.text}`);
    const { api_key: newKey } = projectDiscovery.json as { api_key: string };
    assert.equal((await projectDiscoveryUser(projectDiscoverySide.url, newKey)).status, 200);
    assert.equal(
      (await projectDiscoveryUser(projectDiscoverySide.url, FIXTURE.projectdiscovery.alice)).status,
      401,
      'the old key is gone',
    );

    assert.ok(
      waited > 3000,
      `the compare-and-set timed out (2 s) and its outcome was looked up after the pause (${waited} ms)`,
    );

    // Each rotation is in the (shared) journal exactly once.
    assert.deepEqual(
      await countRequests(thousandEyesSide.url, { vendor: 'thousandeyes', method: 'POST' }),
      { count: 1 },
    );
    assert.deepEqual(
      await countRequests(projectDiscoverySide.url, { vendor: 'projectdiscovery', method: 'POST' }),
      { count: 1 },
    );
  },
);

test(
  'journal writes Redis holds past their timeout are sent again and kept exactly once',
  { skip },
  async () => {
    const [first] = replicas();
    await resetStandin(first.url);
    await clearJournal(first.url);
    const sent = 5;
    await pauseWrites(2500);
    // Reads pass the pause: the answers come at once, and their journal writes wait in Redis.
    const answers = await Promise.all(
      Array.from({ length: sent }, () =>
        projectDiscoveryUser(first.url, FIXTURE.projectdiscovery.bob),
      ),
    );
    assert.equal(answers.length, sent);
    // Past the 2 s timeout the journal writes are sent again; Redis runs both copies at 2.5 s.
    const settled = await eventually(
      () => health(first.url),
      (seen) => seen.status === 200 && seen.observations?.buffered === 0,
      { tries: 100, everyMs: 100 },
    );
    assert.deepEqual(settled, { status: 200, observations: { buffered: 0, lost: 0 } });
    assert.deepEqual(
      await countRequests(first.url, { vendor: 'projectdiscovery', method: 'GET' }),
      { count: sent },
    );
  },
);

test(
  'when whether a rotation was applied cannot be learnt in time: 500 outcome-unknown, no Retry-After',
  { skip },
  async () => {
    const [, second] = replicas();
    await resetStandin(second.url);
    // Longer than the 10 s standin gives a write to find out; ended by hand once it answered.
    await pauseWrites(60_000);
    const sent = performance.now();
    let answer: Answer;
    try {
      answer = await rotateProjectDiscovery(second.url, FIXTURE.projectdiscovery.bob);
    } finally {
      await unpause();
    }
    const waited = performance.now() - sent;
    assert.ok(waited > 9000 && waited < 13_000, `answered at the 10 s deadline (${waited} ms)`);
    assert.equal(answer.status, 500);
    assert.equal(answer.headers.get('content-type'), 'application/problem+json');
    assert.equal(answer.headers.get('retry-after'), null, 'a blind retry is what must not happen');
    const problem = answer.json as { type: string; detail: string };
    assert.equal(problem.type, 'urn:standin:problem:outcome-unknown');
    assert.match(problem.detail, /read the state before retrying \(GET \/__admin\/credentials/);

    // Why no retry: Redis ran the rotation once the pause ended. Reading first shows it.
    const oldKeyAnswer = await eventually(
      () => projectDiscoveryUser(second.url, FIXTURE.projectdiscovery.bob),
      (seen) => seen.status === 401,
    );
    assert.equal(oldKeyAnswer.status, 401, 'the rotation was applied after all');
    const keys = (await credentials(second.url, 'projectdiscovery')).map(({ value }) => value);
    assert.ok(!keys.includes(FIXTURE.projectdiscovery.bob));
    assert.equal(keys.length, 2, 'alice and bob, each with one key: the new one');
  },
);

test(
  'the store itself: a held write is OutcomeUnknownError at the deadline, and may be applied later',
  { skip },
  async () => {
    const store = await RedisStore.connect(started().redis.url, {
      commandTimeoutMs: 200,
      outcomeDeadlineMs: 800,
    });
    stores.push(store);
    await store.set('doubt/counter', 1);
    await pauseWrites(60_000);
    try {
      const sent = performance.now();
      await assert.rejects(
        store.update<number, null>('doubt/counter', (current) => ({
          value: (current ?? 0) + 1,
          result: null,
        })),
        OutcomeUnknownError,
      );
      await assert.rejects(store.set('doubt/other', 'x'), OutcomeUnknownError);
      assert.ok(performance.now() - sent < 3000, 'each gave up at its 800 ms deadline');
    } finally {
      await unpause();
    }
    // "Unknown" was honest: both writes were still on their way, and Redis applied them.
    const counter = await eventually(
      () => store.get<number>('doubt/counter'),
      (value) => value === 2,
    );
    assert.equal(counter, 2);
    assert.equal(await store.get('doubt/other'), 'x');
  },
);

test(
  'the store itself: a held write whose connection drops is looked up on the next one: not applied, 503',
  { skip },
  async () => {
    const { pauser: client } = started();
    const store = await RedisStore.connect(started().redis.url, {
      commandTimeoutMs: 200,
      outcomeDeadlineMs: 5000,
    });
    stores.push(store);
    await store.set('doubt/dropped', 1);
    await pauseWrites(60_000);
    try {
      const update = store.update<number, null>('doubt/dropped', () => ({
        value: 2,
        result: null,
      }));
      const rejected = assert.rejects(update, (error: unknown) => {
        assert.ok(error instanceof StoreUnavailableError, String(error));
        assert.match(error.message, /it was not applied, and will not be/);
        return true;
      });
      // Past the command timeout the write is in doubt; then its connection goes, and with it the
      // write Redis was holding. The store reconnects and asks there.
      await sleep(500);
      await client.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
      await sleep(500);
      await unpause();
      await rejected;
    } finally {
      await unpause();
    }
    await sleep(200);
    assert.equal(await store.get('doubt/dropped'), 1, 'the write never happened');
  },
);

test(
  'requests made while Redis is away reach the journal once it is back: count + lost = sent',
  { skip },
  async () => {
    const { redis: server } = started();
    const [first] = replicas();
    await clearJournal(first.url);
    const sent = 12;
    await server.stop();
    try {
      const answers = await Promise.all(
        Array.from({ length: sent }, (_, index) =>
          index % 2 === 0
            ? rotateProjectDiscovery(first.url, FIXTURE.projectdiscovery.alice)
            : projectDiscoveryUser(first.url, FIXTURE.projectdiscovery.alice),
        ),
      );
      assert.deepEqual(
        answers.map(({ status }) => status),
        Array.from({ length: sent }, () => 503),
      );
      const away = await eventually(
        () => health(first.url),
        (seen) => (seen.observations?.buffered ?? 0) >= sent,
      );
      assert.equal(away.status, 503);
      // One journal entry per request, and a coverage count for each documented status served.
      assert.ok((away.observations?.buffered ?? 0) >= sent, 'kept in the process');
      assert.equal(away.observations?.lost, 0);
    } finally {
      await server.start();
    }
    const back = await eventually(
      () => health(first.url),
      (seen) => seen.status === 200 && seen.observations?.buffered === 0,
      { tries: 100, everyMs: 100 },
    );
    assert.deepEqual(back, { status: 200, observations: { buffered: 0, lost: 0 } });
    const counted = await countRequests(first.url, { vendor: 'projectdiscovery' });
    assert.equal(counted.count + (counted.lost ?? 0), sent);
    assert.deepEqual(counted, { count: sent }, 'none lost');
    assert.deepEqual(
      await countRequests(first.url, { vendor: 'projectdiscovery', status: 503 }),
      { count: sent },
      'journalled as answered',
    );
  },
);

test(
  'past the buffer, journal entries are counted as lost in Redis, where every replica reads them',
  { skip },
  async () => {
    const { redis: server } = started();
    const writer = await RedisStore.connect(server.url);
    const reader = await RedisStore.connect(server.url);
    stores.push(writer, reader);
    // A buffer of 2, where standin's holds 10 000.
    const observations = new Observations(writer, new Clock(writer), 100, 2);
    const namespace = 'lost-entries';
    await server.stop();
    try {
      for (let index = 0; index < 5; index += 1)
        await observations.recordRequest(journalEntry(namespace, index));
      assert.deepEqual(observations.backlog(), { buffered: 2, lost: 3 });
    } finally {
      await server.start();
    }
    const flushed = await eventually(
      () => observations.backlog(),
      ({ buffered }) => buffered === 0,
      { tries: 100, everyMs: 100 },
    );
    assert.deepEqual(flushed, { buffered: 0, lost: 3 });
    const elsewhere = new Observations(reader, new Clock(reader), 100);
    assert.equal((await elsewhere.journal(namespace)).length, 2);
    assert.equal(await elsewhere.lostRequests(namespace), 3, 'count + lost = 5 on another replica');
    assert.equal(await observations.close(), 0);
  },
);

test(
  'a write Redis never got (it is stopped) is 503 with Retry-After, and the state is unchanged once Redis is back',
  { skip },
  async () => {
    // A Redis that keeps its data on disk, so that "unchanged" means something after a restart.
    const directory = await mkdtemp(path.join(tmpdir(), 'standin-redis-'));
    const persistent = await startRedis({ dataDirectory: directory });
    let standin: TestServer | undefined;
    try {
      standin = await startStandin({ store: persistent.url });
      const rotated = await rotateProjectDiscovery(standin.url, FIXTURE.projectdiscovery.bob);
      assert.equal(rotated.status, 200);
      const { api_key: key } = rotated.json as { api_key: string };
      const before = await credentials(standin.url, 'projectdiscovery');

      await persistent.stop();
      const sent = performance.now();
      const refused = await rotateProjectDiscovery(standin.url, key);
      assert.ok(performance.now() - sent < 3000, 'refused at once');
      assert.equal(refused.status, 503);
      assert.equal(refused.headers.get('retry-after'), '1');
      assert.equal(
        (refused.json as { type: string }).type,
        'urn:standin:problem:store-unavailable',
      );

      await persistent.start();
      const back = await eventually(
        () => health(standin?.url ?? ''),
        (seen) => seen.status === 200,
        { tries: 100, everyMs: 100 },
      );
      assert.equal(back.status, 200);
      assert.deepEqual(await credentials(standin.url, 'projectdiscovery'), before);
      assert.equal(
        (await projectDiscoveryUser(standin.url, key)).status,
        200,
        'the key still works',
      );
    } finally {
      await standin?.close();
      await persistent.stop();
      await rm(directory, { recursive: true, force: true });
    }
  },
);

function journalEntry(namespace: string, index: number): JournalEntry {
  return {
    time: new Date().toISOString(),
    namespace,
    vendor: 'projectdiscovery',
    operationId: null,
    method: 'GET',
    path: `/projectdiscovery/v1/user/${index}`,
    status: 503,
    durationMs: 1,
    credential: null,
  };
}
