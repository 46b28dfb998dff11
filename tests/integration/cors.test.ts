import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, FIXTURE, startStandin, type TestServer } from '../support/standin.js';

const ROTATE = '/thousandeyes/v7/api-tokens';
const CURRENT_USER = '/thousandeyes/v7/users/current';
const FRONTEND = 'http://localhost:5173';
const ATTACKER = 'https://attacker.example';

let open: TestServer;
let listed: TestServer;
let withoutCors: TestServer;
before(async () => {
  open = await startStandin();
  listed = await startStandin({ corsOrigins: [FRONTEND] });
  withoutCors = await startStandin({ cors: false });
});
after(async () => {
  await open.close();
  await listed.close();
  await withoutCors.close();
});

const preflight = (server: TestServer, path: string, origin: string, extra = {}) =>
  call(server.url + path, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization',
      ...extra,
    },
  });

const bearer = { authorization: `Bearer ${FIXTURE.thousandeyes.alice}` };

test('a frontend on another local port may call the vendors, without credentials mode', async () => {
  const answer = await preflight(open, ROTATE, FRONTEND);
  assert.equal(answer.status, 204);
  assert.equal(answer.headers.get('access-control-allow-origin'), '*');
  assert.match(answer.headers.get('access-control-allow-methods') ?? '', /POST/);
  assert.equal(answer.headers.get('access-control-allow-headers'), 'authorization');
  assert.equal(answer.headers.get('access-control-allow-credentials'), null);

  const read = await call(open.url + CURRENT_USER, { headers: { origin: FRONTEND, ...bearer } });
  assert.equal(read.status, 200);
  assert.equal(read.headers.get('access-control-allow-origin'), '*');
  assert.equal(read.headers.get('access-control-allow-credentials'), null);
});

test('a cross-origin refusal carries CORS headers and exposes the auth challenge', async () => {
  const answer = await call(open.url + ROTATE, { method: 'POST', headers: { origin: FRONTEND } });
  assert.equal(answer.status, 401);
  assert.equal(answer.headers.get('access-control-allow-origin'), '*');
  assert.match(answer.headers.get('access-control-expose-headers') ?? '', /www-authenticate/);
});

test('no page on another origin reads the control plane: no CORS headers, 403, nothing run', async () => {
  for (const origin of [ATTACKER, FRONTEND, 'null']) {
    const read = await call(`${open.url}/__admin/credentials`, { headers: { origin } });
    assert.equal(read.status, 403, origin);
    assert.equal(read.headers.get('access-control-allow-origin'), null, origin);
    assert.match(read.text, /cross-origin-refused/);
    assert.doesNotMatch(read.text, new RegExp(FIXTURE.thousandeyes.alice));
    const asked = await preflight(open, '/__admin/clock', origin);
    assert.equal(asked.headers.get('access-control-allow-origin'), null, origin);
  }
  // A request no browser preflights (a form POST, `mode: 'no-cors'`) must not run either.
  const rotated = await call(open.url + ROTATE, { method: 'POST', headers: bearer });
  assert.equal(rotated.status, 201);
  const reset = await call(`${open.url}/__admin/reset`, {
    method: 'POST',
    headers: { origin: ATTACKER, 'content-type': 'text/plain' },
  });
  assert.equal(reset.status, 403);
  const again = await call(open.url + ROTATE, { method: 'POST', headers: bearer });
  assert.equal(again.status, 409, 'the reset did not run: both tokens are still in their overlap');
  // A cross-site GET carries no Origin; Chromium still says where it came from.
  const sneaky = await call(`${open.url}/__admin/credentials`, {
    headers: { 'sec-fetch-site': 'cross-site' },
  });
  assert.equal(sneaky.status, 403);
  await call(`${open.url}/__admin/reset`, { method: 'POST' });
});

test('the control plane answers programs, and pages on its own origin', async () => {
  assert.equal((await call(`${open.url}/__admin/credentials`)).status, 200);
  const own = await call(`${open.url}/__admin/credentials`, {
    headers: { origin: open.url, 'sec-fetch-site': 'same-origin' },
  });
  assert.equal(own.status, 200);
  assert.equal(own.headers.get('access-control-allow-origin'), null);
});

test('--cors-origins lets a listed page call the control plane, with credentials and Private Network Access', async () => {
  const asked = await preflight(listed, '/__admin/clock', FRONTEND, {
    'access-control-request-private-network': 'true',
  });
  assert.equal(asked.status, 204);
  assert.equal(asked.headers.get('access-control-allow-origin'), FRONTEND);
  assert.equal(asked.headers.get('access-control-allow-credentials'), 'true');
  assert.equal(asked.headers.get('access-control-allow-private-network'), 'true');
  const read = await call(`${listed.url}/__admin/credentials`, { headers: { origin: FRONTEND } });
  assert.equal(read.status, 200);
  assert.equal(read.headers.get('access-control-allow-origin'), FRONTEND);
  assert.equal(read.headers.get('vary'), 'Origin');
});

test('with --cors-origins, other pages get nothing from the vendors either, nor Private Network Access', async () => {
  const asked = await preflight(listed, ROTATE, ATTACKER, {
    'access-control-request-private-network': 'true',
  });
  assert.equal(asked.headers.get('access-control-allow-origin'), null);
  assert.equal(asked.headers.get('access-control-allow-private-network'), null);
  const read = await call(listed.url + CURRENT_USER, { headers: { origin: ATTACKER, ...bearer } });
  assert.equal(read.headers.get('access-control-allow-origin'), null);
  const mine = await call(listed.url + CURRENT_USER, { headers: { origin: FRONTEND, ...bearer } });
  assert.equal(mine.headers.get('access-control-allow-origin'), FRONTEND);
  assert.equal(mine.headers.get('access-control-allow-credentials'), 'true');
  // Without the allow-list, no origin is granted Private Network Access either.
  const open2 = await preflight(open, ROTATE, FRONTEND, {
    'access-control-request-private-network': 'true',
  });
  assert.equal(open2.headers.get('access-control-allow-private-network'), null);
});

test('an OPTIONS without Access-Control-Request-Method is not a preflight', async () => {
  const answer = await call(open.url + ROTATE, {
    method: 'OPTIONS',
    headers: { origin: FRONTEND },
  });
  assert.equal(answer.status, 204);
  assert.equal(answer.headers.get('allow'), 'POST');
  assert.equal(answer.headers.get('access-control-allow-methods'), null);
});

test('with --no-cors there are no CORS headers, OPTIONS lists the methods, and the control plane still refuses other origins', async () => {
  const answer = await preflight(withoutCors, ROTATE, FRONTEND);
  assert.equal(answer.headers.get('access-control-allow-origin'), null);
  assert.equal(answer.status, 204);
  assert.equal(answer.headers.get('allow'), 'POST');
  const rotate = await call(withoutCors.url + ROTATE, {
    method: 'POST',
    headers: { origin: FRONTEND },
  });
  assert.equal(rotate.headers.get('access-control-allow-origin'), null);
  const admin = await call(`${withoutCors.url}/__admin/credentials`, {
    headers: { origin: ATTACKER },
  });
  assert.equal(admin.status, 403);
});
