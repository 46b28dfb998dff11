import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call, credentials, FIXTURE, useStandin } from '../support/standin.js';

/** ProjectDiscovery around a rotation: the profile check its tools make, and the key's own calls. */
const standin = useStandin();

const request = (method: string, path: string, key: string) =>
  call(`${standin.url}/projectdiscovery${path}`, { method, headers: { 'X-API-Key': key } });

test('GET /v1/user answers the profile with a non-empty name: what ProjectDiscovery tools call to check a key', async () => {
  const answer = await request('GET', '/v1/user', FIXTURE.projectdiscovery.alice);
  assert.equal(answer.status, 200);
  const profile = answer.json as { name: string; email: string; message: string };
  assert.equal(profile.name, 'Alice Hunter');
  assert.equal(profile.email, 'alice@example.com');
  assert.equal(typeof profile.message, 'string');
});

test('the client story: rotate, check the new key with the profile call, the old key fails it', async () => {
  const { api_key: fresh } = (
    await request('POST', '/v1/user/apikey/rotate', FIXTURE.projectdiscovery.alice)
  ).json as {
    api_key: string;
  };
  assert.equal((await request('GET', '/v1/user', fresh)).status, 200);
  const old = await request('GET', '/v1/user', FIXTURE.projectdiscovery.alice);
  assert.equal(old.status, 401);
  assert.equal(typeof (old.json as { message: unknown }).message, 'string');
  assert.equal(
    ((await request('GET', '/v1/user/apikey', fresh)).json as { api_key: string }).api_key,
    fresh,
  );
});

test('POST /v1/user/apikey does not create a second key when one exists', async () => {
  const answer = await request('POST', '/v1/user/apikey', FIXTURE.projectdiscovery.bob);
  assert.equal(answer.status, 200);
  assert.equal((answer.json as { api_key: string }).api_key, FIXTURE.projectdiscovery.bob);
  assert.deepEqual(
    (await credentials(standin.url, 'projectdiscovery', 'bob')).map(
      (credential) => credential.value,
    ),
    [FIXTURE.projectdiscovery.bob],
  );
});

test('DELETE /v1/user/apikey answers {message} and the key stops working', async () => {
  const answer = await request('DELETE', '/v1/user/apikey', FIXTURE.projectdiscovery.bob);
  assert.equal(answer.status, 200);
  assert.deepEqual(Object.keys(answer.json as object), ['message']);
  assert.equal((await request('GET', '/v1/user', FIXTURE.projectdiscovery.bob)).status, 401);
  assert.deepEqual(await credentials(standin.url, 'projectdiscovery', 'bob'), []);
});

test('every key call refuses a missing or unknown key with 401 {message}', async () => {
  for (const [method, path] of [
    ['GET', '/v1/user'],
    ['GET', '/v1/user/apikey'],
    ['POST', '/v1/user/apikey'],
    ['DELETE', '/v1/user/apikey'],
  ] as const) {
    const answer = await request(method, path, 'not-a-key');
    assert.equal(answer.status, 401, `${method} ${path}`);
    assert.equal(typeof (answer.json as { message: unknown }).message, 'string');
  }
});
