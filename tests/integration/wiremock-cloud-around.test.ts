import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call, credentials, FIXTURE, useStandin } from '../support/standin.js';

/** WireMock Cloud around a regeneration: who am I (a redirect), read a user, legacy Basic auth. */
const standin = useStandin();

const token = (value: string) => ({ authorization: `Token ${value}` });
const basic = (username: string, value: string) => ({
  authorization: `Basic ${Buffer.from(`${username}:${value}`).toString('base64')}`,
});
const get = (path: string, headers: Record<string, string>) =>
  call(`${standin.url}/wiremock-cloud${path}`, { headers, redirect: 'manual' });

test('GET /v1/users/self redirects (307) to the caller’s own account on standin', async () => {
  const answer = await get('/v1/users/self', token(FIXTURE.wiremock.bob));
  assert.equal(answer.status, 307);
  assert.equal(answer.headers.get('location'), `${standin.url}/wiremock-cloud/v1/users/k2x8p`);
});

test('GET /v1/users/{userId} answers {user: {...}} with the documented fields', async () => {
  const answer = await get('/v1/users/k2x8p', token(FIXTURE.wiremock.bob));
  assert.equal(answer.status, 200);
  const { user } = answer.json as { user: Record<string, unknown> };
  assert.equal(user.id, 'k2x8p');
  assert.equal(user.emailAddress, 'bob@example.com');
  assert.equal((user.links as Record<string, string>).organisation, '/v1/organisations/acme');
  for (const field of [
    'avatarUrl',
    'marketingOptIn',
    'signupDate',
    'idpUserId',
    'userHash',
    'hasNativeIdp',
  ]) {
    assert.ok(field in user, field);
  }
});

test("reading another user: 403 for a member, 200 for an admin of the user's organisation, 404 for nobody", async () => {
  assert.equal((await get('/v1/users/9gd5l', token(FIXTURE.wiremock.bob))).status, 403);
  assert.equal((await get('/v1/users/k2x8p', token(FIXTURE.wiremock.alice))).status, 200);
  assert.equal((await get('/v1/users/k2x8p', token(FIXTURE.wiremock.carol))).status, 403);
  const missing = await get('/v1/users/zz999', token(FIXTURE.wiremock.alice));
  assert.equal(missing.status, 404);
  assert.deepEqual(missing.json, { code: 404, message: 'HTTP 404 Not Found' });
});

test('legacy Basic auth: username and API token; a wrong username is refused', async () => {
  assert.equal(
    (await get('/v1/users/self', basic('bob@example.com', FIXTURE.wiremock.bob))).status,
    307,
  );
  const wrong = await get('/v1/users/self', basic('alice@example.com', FIXTURE.wiremock.bob));
  assert.equal(wrong.status, 401);
  assert.equal(wrong.text, 'Credentials are required to access this resource.');
  assert.equal(
    wrong.headers.get('www-authenticate'),
    null,
    'no Basic challenge: a browser would pop up a login',
  );
  const regenerated = await call(
    `${standin.url}/wiremock-cloud/v1/users/k2x8p/regenerate-api-token`,
    {
      method: 'POST',
      headers: basic('bob@example.com', FIXTURE.wiremock.bob),
    },
  );
  assert.equal(regenerated.status, 200);
});

test('the client story: regenerate, learn the token from the control plane, who-am-I works with it and not with the old one', async () => {
  await call(`${standin.url}/wiremock-cloud/v1/users/k2x8p/regenerate-api-token`, {
    method: 'POST',
    headers: token(FIXTURE.wiremock.bob),
  });
  const [fresh] = await credentials(standin.url, 'wiremock-cloud', 'k2x8p');
  assert.ok(fresh);
  assert.equal((await get('/v1/users/self', { authorization: fresh.value })).status, 307);
  for (const headers of [
    token(FIXTURE.wiremock.bob),
    basic('bob@example.com', FIXTURE.wiremock.bob),
  ]) {
    for (const path of ['/v1/users/self', '/v1/users/k2x8p']) {
      assert.equal(
        (await get(path, headers)).status,
        401,
        `${path} ${headers.authorization.split(' ')[0] ?? ''}`,
      );
    }
  }
});
