import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call, FIXTURE, moveClock, setRateLimit, useStandin } from '../support/standin.js';

/** PocketPaw around a regeneration: sessions from the master token, a harmless read, the v1 alias, the rate limit. */
const standin = useStandin();

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const version = (token: string) =>
  call(`${standin.url}/pocketpaw/api/version`, { headers: bearer(token) });
const session = (token: string) =>
  call(`${standin.url}/pocketpaw/api/auth/session`, { method: 'POST', headers: bearer(token) });

test('POST /api/auth/session: the master token opens a 24-hour session that works as a bearer token', async () => {
  const answer = await session(FIXTURE.pocketpaw.master);
  assert.equal(answer.status, 200);
  const { session_token: token, expires_in_hours: hours } = answer.json as {
    session_token: string;
    expires_in_hours: number;
  };
  assert.equal(hours, 24);
  assert.match(token, /^\d+:[0-9a-f]{64}$/);
  assert.deepEqual((await version(token)).json, {
    current: '0.4.1',
    latest: '0.4.1',
    update_available: false,
  });
});

test('only the master token opens a session: a session or an API key gets "Invalid master token", nothing else "Unauthorized"', async () => {
  const { session_token: token } = (await session(FIXTURE.pocketpaw.master)).json as {
    session_token: string;
  };
  for (const other of [token, FIXTURE.pocketpaw.apiKey]) {
    const answer = await session(other);
    assert.equal(answer.status, 401);
    assert.deepEqual(answer.json, { detail: 'Invalid master token' });
  }
  const unknown = await session('pk_nobody');
  assert.equal(unknown.status, 401);
  assert.deepEqual(unknown.json, { detail: 'Unauthorized' });
});

test('the client story: regenerate through the v1 alias; the old master and its sessions fail the version read, the API key does not', async () => {
  const { session_token: token } = (await session(FIXTURE.pocketpaw.master)).json as {
    session_token: string;
  };
  const regenerated = await call(`${standin.url}/pocketpaw/api/v1/token/regenerate`, {
    method: 'POST',
    headers: bearer(FIXTURE.pocketpaw.master),
  });
  assert.equal(regenerated.status, 200);
  const { token: master } = regenerated.json as { token: string };
  assert.equal((await version(master)).status, 200, 'the new master token works');
  for (const stale of [FIXTURE.pocketpaw.master, token]) {
    const answer = await version(stale);
    assert.equal(answer.status, 401);
    assert.deepEqual(answer.json, { detail: 'Unauthorized' });
  }
  assert.equal((await version(FIXTURE.pocketpaw.apiKey)).status, 200, 'API keys survive');
  const fresh = (await session(master)).json as { session_token: string };
  assert.equal((await version(fresh.session_token)).status, 200, 're-authenticated');
});

test('the rate limit: a burst of 30, then 429 with Retry-After; the bucket refills at 10 a second on the clock', async () => {
  await moveClock(standin.url, { set: '2027-06-01T00:00:00Z', frozen: true });
  await setRateLimit(standin.url, 'pocketpaw', true);
  const first = await version(FIXTURE.pocketpaw.master);
  assert.equal(first.headers.get('x-ratelimit-limit'), '30');
  assert.equal(first.headers.get('x-ratelimit-remaining'), '29');
  for (let index = 1; index < 30; index += 1)
    assert.equal((await version(FIXTURE.pocketpaw.master)).status, 200);
  const refused = await version(FIXTURE.pocketpaw.master);
  assert.equal(refused.status, 429);
  assert.deepEqual(refused.json, { detail: 'Too many requests' });
  assert.equal(refused.headers.get('retry-after'), '1');
  assert.equal(refused.headers.get('x-ratelimit-remaining'), '0');

  await moveClock(standin.url, { advance: 'PT1S' });
  const statuses = [];
  for (let index = 0; index < 11; index += 1)
    statuses.push((await version(FIXTURE.pocketpaw.master)).status);
  assert.deepEqual(statuses, [...Array<number>(10).fill(200), 429], 'ten tokens a second');
});

test('the session exchange has its own, stricter bucket: a burst of 5', async () => {
  await moveClock(standin.url, { set: '2027-06-01T00:00:00Z', frozen: true });
  await setRateLimit(standin.url, 'pocketpaw', true);
  const statuses = [];
  for (let index = 0; index < 6; index += 1)
    statuses.push((await session(FIXTURE.pocketpaw.master)).status);
  assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
  assert.equal(
    (await version(FIXTURE.pocketpaw.master)).status,
    200,
    'the api bucket is another one',
  );
});
