import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  authAs,
  call,
  concurrently,
  credentials,
  FIXTURE,
  useStandin,
} from '../support/standin.js';

/** WireMock Cloud's token regeneration: self, organisation admin, everyone else; the old token dies at once. */
const standin = useStandin();

const USERS = { alice: '9gd5l', bob: 'k2x8p', carol: 'q7m3z' } as const;

const regenerate = (token: string, userId: string) =>
  call(`${standin.url}/wiremock-cloud/v1/users/${userId}/regenerate-api-token`, {
    method: 'POST',
    headers: { authorization: `Token ${token}` },
  });

const tokenOf = async (userId: string): Promise<string> => {
  const [credential] = await credentials(standin.url, 'wiremock-cloud', userId);
  assert.ok(credential);
  return credential.value.replace(/^Token /, '');
};

test('a user regenerates their own token: 200 {}, the old token fails on the next call, the new one works', async () => {
  const answer = await regenerate(FIXTURE.wiremock.bob, USERS.bob);
  assert.equal(answer.status, 200);
  assert.deepEqual(answer.json, {});

  const stale = await regenerate(FIXTURE.wiremock.bob, USERS.bob);
  assert.equal(stale.status, 401);
  assert.equal(stale.headers.get('content-type'), 'text/plain; charset=utf-8');
  assert.equal(stale.text, 'Credentials are required to access this resource.');

  const fresh = await tokenOf(USERS.bob);
  assert.notEqual(fresh, FIXTURE.wiremock.bob);
  assert.match(fresh, /^[0-9a-f]{32}$/);
  assert.equal(
    (await regenerate(fresh, USERS.bob)).status,
    200,
    'the new token, learnt from the control plane, works',
  );
});

test("a member regenerating another user's token answers 403 {errors: [{title: Forbidden}]}", async () => {
  const answer = await regenerate(FIXTURE.wiremock.bob, USERS.alice);
  assert.equal(answer.status, 403);
  assert.deepEqual(answer.json, { errors: [{ title: 'Forbidden', source: {} }] });
  assert.equal(await tokenOf(USERS.alice), FIXTURE.wiremock.alice, "alice's token is unchanged");
});

test("an organisation admin regenerates a member's token; the member's old token dies, the admin's stays", async () => {
  assert.equal((await regenerate(FIXTURE.wiremock.alice, USERS.bob)).status, 200);
  assert.equal((await regenerate(FIXTURE.wiremock.bob, USERS.bob)).status, 401);
  assert.equal(await tokenOf(USERS.alice), FIXTURE.wiremock.alice);
});

test('an admin of another organisation is forbidden', async () => {
  const answer = await regenerate(FIXTURE.wiremock.carol, USERS.bob);
  assert.equal(answer.status, 403);
  assert.equal(await tokenOf(USERS.bob), FIXTURE.wiremock.bob);
});

test('an unknown user answers 404 (a marked addition, in the shape WireMock uses elsewhere)', async () => {
  const answer = await regenerate(FIXTURE.wiremock.alice, 'zz999');
  assert.equal(answer.status, 404);
  assert.deepEqual(answer.json, { code: 404, message: 'HTTP 404 Not Found' });
});

test('missing, bad or wrongly prefixed credentials answer 401 text/plain', async () => {
  for (const authorization of [
    undefined,
    'Token not-a-token',
    `Bearer ${FIXTURE.wiremock.alice}`,
  ]) {
    const answer = await call(
      `${standin.url}/wiremock-cloud/v1/users/${USERS.alice}/regenerate-api-token`,
      {
        method: 'POST',
        headers: authorization ? { authorization } : {},
      },
    );
    assert.equal(answer.status, 401, String(authorization));
    assert.equal(answer.text, 'Credentials are required to access this resource.');
  }
});

test('20 concurrent regenerations with one token: exactly one 200, the rest 401, one current token', async () => {
  const { statuses } = await concurrently(20, () => regenerate(FIXTURE.wiremock.bob, USERS.bob));
  assert.deepEqual(statuses, { 200: 1, 401: 19 });
  const bobs = await credentials(standin.url, 'wiremock-cloud', USERS.bob);
  assert.equal(bobs.length, 1);
  assert.notEqual(bobs[0]?.value, `Token ${FIXTURE.wiremock.bob}`);
  assert.deepEqual(await authAs(standin.url, 'wiremock-cloud', USERS.alice), {
    authorization: `Token ${FIXTURE.wiremock.alice}`,
  });
});
