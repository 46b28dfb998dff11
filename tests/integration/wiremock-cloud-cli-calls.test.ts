import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSigningKey, signingKey, signJwt } from '../../src/handlers/wiremock-cloud/jwt.js';
import {
  call,
  credentials,
  FIXTURE,
  moveClock,
  putState,
  stateOf,
  useStandin,
  type Answer,
} from '../support/standin.js';

/**
 * What WireMock Cloud's own CLI calls beyond the rotation: `apiKey` on the caller's own user,
 * `GET /status`, the mock APIs of a user, and `wiremock login` (a device flow at the identity
 * provider stand-in, then `POST /v1/auth/oidc`).
 */
const standin = useStandin();
const base = (): string => `${standin.url}/wiremock-cloud`;

const token = (value: string) => ({ authorization: `Token ${value}` });
const get = (path: string, headers: Record<string, string> = {}) =>
  call(`${base()}${path}`, { headers, redirect: 'manual' });
const form = (path: string, fields: Record<string, string>) =>
  call(`${base()}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });

const CLIENT_ID = '5Zj8klm9TJZ1sDDP67Fbkn66VyaGLrpQ';
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

interface Tokens {
  access_token: string;
  id_token: string;
  token_type: string;
  expires_in: number;
}

/** The whole device flow, as the CLI runs it: discovery, device code, token. */
async function deviceLogin(): Promise<Tokens> {
  const discovery = (await get('/.well-known/openid-configuration')).json as Record<string, string>;
  assert.equal(discovery.token_endpoint, `${base()}/oauth/token`);
  const device = await form('/oauth/device/code', {
    client_id: CLIENT_ID,
    scope: 'openid email',
    audience: 'https://api.wiremock.cloud',
  });
  assert.equal(device.status, 200, device.text);
  const { device_code } = device.json as { device_code: string };
  const answer = await form('/oauth/token', {
    grant_type: DEVICE_GRANT,
    device_code,
    client_id: CLIENT_ID,
  });
  assert.equal(answer.status, 200, answer.text);
  return answer.json as Tokens;
}

const claimsOf = (jwt: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;

const exchange = (idToken: string): Promise<Answer> => form('/v1/auth/oidc', { idToken });

test("a read of the caller's own user carries its apiKey; another user's never does", async () => {
  const own = await get('/v1/users/k2x8p', token(FIXTURE.wiremock.bob));
  assert.equal(own.status, 200);
  assert.equal((own.json as { user: { apiKey?: string } }).user.apiKey, FIXTURE.wiremock.bob);

  const byAdmin = await get('/v1/users/k2x8p', token(FIXTURE.wiremock.alice));
  assert.equal(byAdmin.status, 200);
  assert.equal('apiKey' in (byAdmin.json as { user: object }).user, false);
});

test('after a rotation, the new token is in the own-user read made with it, and the old one is refused', async () => {
  await call(`${base()}/v1/users/k2x8p/regenerate-api-token`, {
    method: 'POST',
    headers: token(FIXTURE.wiremock.bob),
  });
  const [fresh] = await credentials(standin.url, 'wiremock-cloud', 'k2x8p');
  const newToken = fresh?.value.replace(/^Token /, '') ?? '';
  const read = await get('/v1/users/k2x8p', token(newToken));
  assert.equal((read.json as { user: { apiKey: string } }).user.apiKey, newToken);
  assert.equal((await get('/v1/users/k2x8p', token(FIXTURE.wiremock.bob))).status, 401);
});

test('GET /status answers 200 without credentials', async () => {
  const status = await get('/status');
  assert.equal(status.status, 200);
  assert.deepEqual(status.json, {});
});

test('the mock APIs of a user: newest first, paged with meta and links, filtered by q', async () => {
  const first = await get('/v1/users/k2x8p/apis?page=1&limit=2', token(FIXTURE.wiremock.bob));
  assert.equal(first.status, 200, first.text);
  const page1 = first.json as {
    mockApis: Array<{ id: string; name: string; baseUrl: string; state: string }>;
    meta: Record<string, number>;
    links: Record<string, string>;
  };
  assert.deepEqual(
    page1.mockApis.map((api) => api.id),
    ['c3wx9', 'b8kq2'],
  );
  assert.deepEqual(page1.meta, { start: 1, end: 2, total: 3, page: 1, totalPages: 2 });
  assert.equal(page1.links.self, '/v1/users/k2x8p/apis?limit=2&page=1');
  assert.equal(page1.links.next, '/v1/users/k2x8p/apis?limit=2&page=2');
  assert.equal(page1.mockApis[0]?.baseUrl, 'https://c3wx9.wiremockapi.cloud');

  const second = (await get('/v1/users/k2x8p/apis?page=2&limit=2', token(FIXTURE.wiremock.bob)))
    .json as typeof page1;
  assert.deepEqual(
    second.mockApis.map((api) => [api.id, api.state]),
    [['d5mr4', 'STOPPED']],
  );
  assert.deepEqual(second.meta, { start: 3, end: 3, total: 3, page: 2, totalPages: 2 });
  assert.equal(second.links.previous, '/v1/users/k2x8p/apis?limit=2&page=1');
  assert.equal(second.links.next, undefined);

  const beyond = (await get('/v1/users/k2x8p/apis?page=9&limit=2', token(FIXTURE.wiremock.bob)))
    .json as typeof page1;
  assert.deepEqual(beyond.mockApis, []);
  assert.equal(beyond.meta, undefined, 'the documented meta counts from 1: an empty page has none');

  const filtered = (await get('/v1/users/k2x8p/apis?q=ORDERS', token(FIXTURE.wiremock.bob)))
    .json as typeof page1;
  assert.deepEqual(
    filtered.mockApis.map((api) => api.name),
    ['Orders API'],
  );
  const byName = (await get('/v1/users/k2x8p/apis?sort=name', token(FIXTURE.wiremock.bob)))
    .json as typeof page1;
  assert.deepEqual(
    byName.mockApis.map((api) => api.name),
    ['Inventory gRPC', 'Legacy billing', 'Orders API'],
  );
});

test("the mock APIs follow the state, and another user's list is as their account: 403, 200 for an admin, 404", async () => {
  const state = await stateOf<{ mockApis: Array<Record<string, unknown>> }>(
    standin.url,
    'wiremock-cloud',
  );
  const added = {
    id: 'zz123',
    name: 'Added by a test',
    state: 'RUNNING',
    createdDate: '2030-01-01T00:00:00Z',
    ownerId: 'k2x8p',
  };
  assert.equal(
    (
      await putState(standin.url, 'wiremock-cloud', {
        ...state,
        mockApis: [...state.mockApis, added],
      })
    ).status,
    200,
  );
  const listed = (await get('/v1/users/k2x8p/apis', token(FIXTURE.wiremock.bob))).json as {
    mockApis: Array<{ id: string }>;
  };
  assert.equal(listed.mockApis[0]?.id, 'zz123');
  assert.equal((await get('/v1/users/9gd5l/apis', token(FIXTURE.wiremock.bob))).status, 403);
  assert.equal((await get('/v1/users/k2x8p/apis', token(FIXTURE.wiremock.alice))).status, 200);
  assert.equal((await get('/v1/users/zz999/apis', token(FIXTURE.wiremock.alice))).status, 404);
  assert.equal((await get('/v1/users/k2x8p/apis')).status, 401);
});

test('the device flow: discovery, a device code approved at once, tokens once, signed with the published key', async () => {
  const tokens = await deviceLogin();
  assert.equal(tokens.token_type, 'Bearer');
  assert.equal(tokens.expires_in, 300);
  const idClaims = claimsOf(tokens.id_token);
  assert.equal(idClaims.email, 'alice@example.com');
  assert.equal(idClaims.iss, `${base()}/`);
  assert.equal(idClaims.aud, CLIENT_ID);

  const jwks = (await get('/.well-known/jwks.json')).json as {
    keys: Array<Record<string, string>>;
  };
  const header = JSON.parse(
    Buffer.from(tokens.id_token.split('.')[0] ?? '', 'base64url').toString('utf8'),
  ) as { kid: string; alg: string };
  assert.equal(header.alg, 'ES256');
  const published = jwks.keys.find((key) => key.kid === header.kid);
  assert.ok(published, 'the signing key is in the key set');
  const { subtle } = globalThis.crypto;
  const key = await subtle.importKey(
    'jwk',
    published,
    { name: 'ECDSA', namedCurve: 'P-256' },
    false,
    ['verify'],
  );
  const [head, payload, signature] = tokens.id_token.split('.') as [string, string, string];
  assert.ok(
    await subtle.verify(
      { name: 'ECDSA', hash: 'SHA-256' },
      key,
      Buffer.from(signature, 'base64url'),
      Buffer.from(`${head}.${payload}`),
    ),
    'the ID token verifies with the published key',
  );

  // The access token is an API credential: who am I answers alice, with her apiKey.
  const self = await get('/v1/users/self', { authorization: `Bearer ${tokens.access_token}` });
  assert.equal(self.status, 307);
  const user = await get(
    new URL(self.headers.get('location') ?? '').pathname.replace('/wiremock-cloud', ''),
    {
      authorization: `Bearer ${tokens.access_token}`,
    },
  );
  assert.equal((user.json as { user: { apiKey: string } }).user.apiKey, FIXTURE.wiremock.alice);
  // The ID token is no access token.
  assert.equal(
    (await get('/v1/users/self', { authorization: `Bearer ${tokens.id_token}` })).status,
    401,
  );
});

test('a device code is used once; unknown codes and other grants are OAuth errors', async () => {
  const device = await form('/oauth/device/code', { client_id: CLIENT_ID, scope: 'openid' });
  const { device_code } = device.json as { device_code: string };
  const poll = () => form('/oauth/token', { grant_type: DEVICE_GRANT, device_code });
  assert.equal((await poll()).status, 200);
  const again = await poll();
  assert.equal(again.status, 400);
  assert.equal((again.json as { error: string }).error, 'invalid_grant');
  const grant = await form('/oauth/token', { grant_type: 'password', device_code });
  assert.equal(grant.status, 400);
  assert.equal((grant.json as { error: string }).error, 'unsupported_grant_type');
});

test('without a device login user, the code stays pending (403 authorization_pending) and then expires', async () => {
  const state = await stateOf<Record<string, unknown>>(standin.url, 'wiremock-cloud');
  assert.ok('deviceLogin' in state, 'the default fixture approves device logins');
  const withoutApprover = Object.fromEntries(
    Object.entries(state).filter(([key]) => key !== 'deviceLogin'),
  );
  assert.equal((await putState(standin.url, 'wiremock-cloud', withoutApprover)).status, 200);
  const device = await form('/oauth/device/code', { client_id: CLIENT_ID });
  const { device_code, interval, expires_in } = device.json as {
    device_code: string;
    interval: number;
    expires_in: number;
  };
  assert.deepEqual([interval, expires_in], [5, 900]);
  const poll = () => form('/oauth/token', { grant_type: DEVICE_GRANT, device_code });
  const pending = await poll();
  assert.equal(pending.status, 403);
  assert.deepEqual(pending.json, {
    error: 'authorization_pending',
    error_description: 'User has yet to authorize device code.',
  });
  await moveClock(standin.url, { advance: 'PT901S' });
  const expired = await poll();
  assert.equal(expired.status, 400);
  assert.equal((expired.json as { error: string }).error, 'expired_token');
});

test('POST /v1/auth/oidc: a valid ID token 200; a forged, expired, foreign or access token 401', async () => {
  const tokens = await deviceLogin();
  const valid = await exchange(tokens.id_token);
  assert.equal(valid.status, 200, valid.text);
  assert.deepEqual(valid.json, {});

  // Forged: the same claims and key id, signed with a key standin never published.
  const claims = claimsOf(tokens.id_token);
  const header = JSON.parse(
    Buffer.from(tokens.id_token.split('.')[0] ?? '', 'base64url').toString('utf8'),
  ) as { kid: string };
  const forger = { ...newSigningKey(), kid: header.kid };
  const forged = await exchange(signJwt(claims, forger));
  assert.equal(forged.status, 401);
  assert.equal(forged.text, 'Credentials are required to access this resource.');
  assert.equal((await exchange(signJwt(claims, newSigningKey()))).status, 401, 'unknown key id');

  // Signed with the published key (this process's: standin runs in it), but by another issuer.
  const foreign = await exchange(
    signJwt({ ...claims, iss: 'https://login.example.com/' }, signingKey()),
  );
  assert.equal(foreign.status, 401);
  // The access token is not an ID token.
  assert.equal((await exchange(tokens.access_token)).status, 401);
  assert.equal((await exchange('not.a.jwt')).status, 401);

  // Expired: the ID token lives 10 hours on the virtual clock.
  await moveClock(standin.url, { advance: 'PT10H1M' });
  assert.equal((await exchange(tokens.id_token)).status, 401);
  assert.equal(
    (await get('/v1/users/self', { authorization: `Bearer ${tokens.access_token}` })).status,
    401,
    'the access token (5 minutes) has expired too',
  );
});

test('every answer above was one the spec documents: no response-side violation', async () => {
  // Request-side ones are the refusals the tests provoke (no credential for the listing).
  const responses = (await standin.violations()).filter(
    (violation) => violation.direction === 'response',
  );
  assert.deepEqual(responses, []);
});
