import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  call,
  FIXTURE,
  moveClock,
  putState,
  setRateLimit,
  stateOf,
  useStandin,
  type Answer,
} from '../support/standin.js';

/**
 * PocketPaw's browser login, `POST /api/auth/login {token}`: an HTTP-only `pocketpaw_session`
 * cookie holding a session signed with the master token, which every guarded call accepts in
 * place of a bearer token, and which dies with the master token like any session.
 */
const standin = useStandin();

const COOKIE_SHAPE =
  /^pocketpaw_session=(\d+):[0-9a-f]{64}; HttpOnly; Max-Age=(\d+); Path=\/; SameSite=lax$/;
const FROZEN_AT = '2027-06-01T00:00:00Z';

const login = (body: string, path = '/api/auth/login') =>
  call(`${standin.url}/pocketpaw${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
const loginWith = (token: string, path?: string) => login(JSON.stringify({ token }), path);

/** The `name=value` pair a client sends back, from the answer's Set-Cookie. */
function cookieOf(answer: Answer): string {
  const setCookie = answer.headers.get('set-cookie');
  assert.ok(setCookie, `a cookie is set: ${answer.status} ${answer.text}`);
  return setCookie.split(';')[0] ?? '';
}

const version = (headers: Record<string, string>) =>
  call(`${standin.url}/pocketpaw/api/version`, { headers });
const regenerate = (headers: Record<string, string>) =>
  call(`${standin.url}/pocketpaw/api/token/regenerate`, { method: 'POST', headers });

test('the master token logs in: 200 {ok: true} and the session cookie, HttpOnly, SameSite=lax, Path=/, for a session’s lifetime', async () => {
  const now = await moveClock(standin.url, { set: FROZEN_AT, frozen: true });
  const answer = await loginWith(FIXTURE.pocketpaw.master);
  assert.equal(answer.status, 200, answer.text);
  assert.deepEqual(answer.json, { ok: true });
  const setCookie = answer.headers.get('set-cookie') ?? '';
  const [, expires, maxAge] = COOKIE_SHAPE.exec(setCookie) ?? [];
  assert.ok(expires && maxAge, `Starlette's attributes, in its order: ${setCookie}`);
  assert.equal(maxAge, '86400', '24 hours, the session lifetime');
  assert.equal(Number(expires), Date.parse(now) / 1000 + 86_400, 'the session expires with it');
  assert.equal(answer.headers.getSetCookie().length, 1, 'one cookie');
});

test('Max-Age follows the session lifetime the state sets (session_token_ttl_hours)', async () => {
  const state = await stateOf<Record<string, unknown>>(standin.url, 'pocketpaw');
  assert.equal(
    (await putState(standin.url, 'pocketpaw', { ...state, sessionTtlHours: 2 })).status,
    200,
  );
  const [, , maxAge] =
    COOKIE_SHAPE.exec(
      (await loginWith(FIXTURE.pocketpaw.master)).headers.get('set-cookie') ?? '',
    ) ?? [];
  assert.equal(maxAge, '7200');
});

test('the cookie alone authenticates the other calls: the version read and the regeneration', async () => {
  const cookie = cookieOf(await loginWith(FIXTURE.pocketpaw.master));
  const read = await version({ cookie });
  assert.equal(read.status, 200, read.text);
  assert.deepEqual(read.json, { current: '0.4.1', latest: '0.4.1', update_available: false });
  const rotated = await regenerate({ cookie: `theme=dark; ${cookie}` });
  assert.equal(rotated.status, 200, 'among other cookies too');
  assert.match((rotated.json as { token: string }).token, /^pk_[0-9a-f]{40}$/);
});

test('an API key logs in too, and the v1 alias logs in the same way', async () => {
  const answer = await loginWith(FIXTURE.pocketpaw.apiKey, '/api/v1/auth/login');
  assert.equal(answer.status, 200);
  assert.deepEqual(answer.json, { ok: true });
  assert.match(answer.headers.get('set-cookie') ?? '', COOKIE_SHAPE);
  assert.equal((await version({ cookie: cookieOf(answer) })).status, 200);
});

test('a wrong token answers 401 {detail: "Invalid access token"} and sets no cookie', async () => {
  const session = (
    await call(`${standin.url}/pocketpaw/api/auth/session`, {
      method: 'POST',
      headers: { authorization: `Bearer ${FIXTURE.pocketpaw.master}` },
    })
  ).json as { session_token: string };
  const attempts = [
    JSON.stringify({ token: 'pk_not_the_master' }),
    JSON.stringify({ token: session.session_token }), // a session does not log in
    JSON.stringify({ token: `${FIXTURE.pocketpaw.master}x` }),
    JSON.stringify({ token: 'pp_unknown_key' }),
    '{}', // `body.get("token", "")`: no token is a wrong one
  ];
  for (const body of attempts) {
    const answer = await login(body);
    assert.equal(answer.status, 401, body);
    assert.deepEqual(answer.json, { detail: 'Invalid access token' });
    assert.equal(answer.headers.get('set-cookie'), null, body);
  }
});

test('the token is trimmed as the server does, and a body that is not JSON is 400 {detail: "Invalid JSON body"}', async () => {
  assert.equal((await loginWith(`  ${FIXTURE.pocketpaw.master}\n`)).status, 200);
  const broken = await login('not-json');
  assert.equal(broken.status, 400);
  assert.deepEqual(broken.json, { detail: 'Invalid JSON body' });
  assert.equal(broken.headers.get('set-cookie'), null);
});

test('after a regeneration the cookie is refused like any session, even one an API key logged in', async () => {
  const masterCookie = cookieOf(await loginWith(FIXTURE.pocketpaw.master));
  const apiKeyCookie = cookieOf(await loginWith(FIXTURE.pocketpaw.apiKey));
  const rotated = await regenerate({ authorization: `Bearer ${FIXTURE.pocketpaw.master}` });
  assert.equal(rotated.status, 200);
  for (const cookie of [masterCookie, apiKeyCookie]) {
    const answer = await version({ cookie });
    assert.equal(answer.status, 401);
    assert.deepEqual(answer.json, { detail: 'Unauthorized' });
  }
  assert.equal(
    (await version({ authorization: `Bearer ${FIXTURE.pocketpaw.apiKey}` })).status,
    200,
    'the API key itself lives on',
  );
  const { token } = rotated.json as { token: string };
  const fresh = cookieOf(await loginWith(token));
  assert.equal((await version({ cookie: fresh })).status, 200, 'logging in again works');
});

test('the cookie expires with its session on the virtual clock', async () => {
  await moveClock(standin.url, { set: FROZEN_AT, frozen: true });
  const cookie = cookieOf(await loginWith(FIXTURE.pocketpaw.master));
  await moveClock(standin.url, { advance: 'PT23H59M59S' });
  assert.equal((await version({ cookie })).status, 200, 'a second before its expiry');
  await moveClock(standin.url, { advance: 'PT2S' });
  const expired = await version({ cookie });
  assert.equal(expired.status, 401);
  assert.deepEqual(expired.json, { detail: 'Unauthorized' });
});

test('the middleware reads the master token or a session from the cookie, never an API key', async () => {
  assert.equal(
    (await version({ cookie: `pocketpaw_session=${FIXTURE.pocketpaw.master}` })).status,
    200,
  );
  const apiKey = await version({ cookie: `pocketpaw_session=${FIXTURE.pocketpaw.apiKey}` });
  assert.equal(apiKey.status, 401);
  assert.deepEqual(apiKey.json, { detail: 'Unauthorized' });
  const forged = await version({ cookie: `pocketpaw_session=9999999999:${'0'.repeat(64)}` });
  assert.equal(forged.status, 401);
});

test('the cookie gets past the middleware but opens no session: the exchange reads the Authorization header alone', async () => {
  const cookie = cookieOf(await loginWith(FIXTURE.pocketpaw.master));
  const answer = await call(`${standin.url}/pocketpaw/api/auth/session`, {
    method: 'POST',
    headers: { cookie },
  });
  assert.equal(answer.status, 401);
  assert.deepEqual(answer.json, { detail: 'Invalid master token' });
});

test('the login is exempt from the rate limit: never counted, never refused, no rate-limit headers', async () => {
  await moveClock(standin.url, { set: FROZEN_AT, frozen: true });
  await setRateLimit(standin.url, 'pocketpaw', true);
  for (let index = 0; index < 35; index += 1) {
    const answer = await loginWith(FIXTURE.pocketpaw.master);
    assert.equal(answer.status, 200, `login ${index + 1}`);
    assert.equal(answer.headers.get('x-ratelimit-limit'), null);
  }
  const read = await version({ authorization: `Bearer ${FIXTURE.pocketpaw.master}` });
  assert.equal(read.status, 200);
  assert.equal(read.headers.get('x-ratelimit-remaining'), '29', 'the logins took no token');
});
