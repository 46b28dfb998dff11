import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call, concurrently, credentials, FIXTURE, useStandin } from '../support/standin.js';

/** ProjectDiscovery: the key rotates, the answer carries the new one, the old one stops at once. */
const standin = useStandin();

const rotate = (key: string) =>
  call(`${standin.url}/projectdiscovery/v1/user/apikey/rotate`, {
    method: 'POST',
    headers: { 'X-API-Key': key },
  });

test('rotation answers {message, api_key}; the old key fails on the next call, the new one works', async () => {
  const answer = await rotate(FIXTURE.projectdiscovery.alice);
  assert.equal(answer.status, 200);
  const { message, api_key: apiKey } = answer.json as { message: string; api_key: string };
  assert.equal(message, 'API key rotated successfully');
  assert.match(apiKey, /^[0-9a-f-]{36}$/);

  const stale = await rotate(FIXTURE.projectdiscovery.alice);
  assert.equal(stale.status, 401);
  assert.deepEqual(Object.keys(stale.json as object), ['message']);

  assert.equal((await rotate(apiKey)).status, 200);
});

test("another user's key is not touched", async () => {
  await rotate(FIXTURE.projectdiscovery.alice);
  assert.equal((await rotate(FIXTURE.projectdiscovery.bob)).status, 200);
});

test('a missing or bad key answers 401 {message}', async () => {
  const missing = await call(`${standin.url}/projectdiscovery/v1/user/apikey/rotate`, {
    method: 'POST',
  });
  const bad = await rotate('00000000-0000-4000-8000-000000000000');
  for (const answer of [missing, bad]) {
    assert.equal(answer.status, 401);
    assert.equal(typeof (answer.json as { message: unknown }).message, 'string');
  }
  assert.match((bad.json as { message: string }).message, /invalid API key/);
});

test('20 concurrent rotations with one key: exactly one 200, the rest 401, exactly one current key', async () => {
  const { answers, statuses } = await concurrently(20, () =>
    rotate(FIXTURE.projectdiscovery.alice),
  );
  assert.deepEqual(statuses, { 200: 1, 401: 19 });
  const winner = answers.find((answer) => answer.status === 200)?.json as { api_key: string };
  const keys = await credentials(standin.url, 'projectdiscovery', 'alice');
  assert.deepEqual(
    keys.map((credential) => credential.value),
    [winner.api_key],
  );
});
