import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, startStandin, type TestServer } from '../support/standin.js';

const ROTATE = '/thousandeyes/v7/api-tokens';
const ORIGIN = 'http://localhost:5173';

let withCors: TestServer;
let withoutCors: TestServer;
before(async () => {
  withCors = await startStandin();
  withoutCors = await startStandin({ cors: false });
});
after(async () => {
  await withCors.close();
  await withoutCors.close();
});

const preflight = (server: TestServer) =>
  call(server.url + ROTATE, {
    method: 'OPTIONS',
    headers: {
      origin: ORIGIN,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization',
    },
  });

test('a CORS preflight from a local frontend is answered', async () => {
  const answer = await preflight(withCors);
  assert.equal(answer.status, 204);
  assert.equal(answer.headers.get('access-control-allow-origin'), ORIGIN);
  assert.match(answer.headers.get('access-control-allow-methods') ?? '', /POST/);
  assert.equal(answer.headers.get('access-control-allow-headers'), 'authorization');
  assert.equal(answer.headers.get('access-control-allow-credentials'), 'true');
});

test('a cross-origin call gets CORS headers, including on refusals, with the auth challenge exposed', async () => {
  const answer = await call(withCors.url + ROTATE, { method: 'POST', headers: { origin: ORIGIN } });
  assert.equal(answer.status, 401);
  assert.equal(answer.headers.get('access-control-allow-origin'), ORIGIN);
  assert.match(answer.headers.get('access-control-expose-headers') ?? '', /www-authenticate/);
});

test('with --no-cors there are no CORS headers, and OPTIONS just lists the methods', async () => {
  const answer = await preflight(withoutCors);
  assert.equal(answer.headers.get('access-control-allow-origin'), null);
  assert.equal(answer.status, 204);
  assert.equal(answer.headers.get('allow'), 'POST');
  const call2 = await call(withoutCors.url + ROTATE, {
    method: 'POST',
    headers: { origin: ORIGIN },
  });
  assert.equal(call2.headers.get('access-control-allow-origin'), null);
});
