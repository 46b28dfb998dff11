import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  call,
  ENVIRONMENT_ID,
  PROJECT_ID,
  startStandin,
  type TestServer,
} from '../support/standin.js';

let standin: TestServer;
before(async () => {
  standin = await startStandin();
});
after(() => standin.close());

const SECRETS = {
  bearer: 'secret-bearer-7f3a9c',
  wiremock: 'secret-wiremock-51d2e0',
  apiKey: 'secret-apikey-c44b18',
};

test('one log line per request: method, path, operationId, status, duration', async () => {
  await call(`${standin.url}/projectdiscovery/v1/user/apikey/rotate?trace=1`, {
    method: 'POST',
    headers: { 'x-api-key': SECRETS.apiKey },
  });
  const lines = standin
    .logLines()
    .filter((line) => line.path === '/projectdiscovery/v1/user/apikey/rotate');
  assert.equal(lines.length, 1);
  const [line] = lines;
  assert.equal(line?.method, 'POST');
  assert.equal(line?.operationId, 'post-v1-user-apikey-rotate');
  assert.equal(line?.status, 200);
  assert.equal(typeof line?.durationMs, 'number');
});

test('refusals, unknown paths and the vendor list are logged too', async () => {
  await call(`${standin.url}/thousandeyes/v7/api-tokens`, { method: 'GET' });
  await call(`${standin.url}/no/such/vendor`);
  await call(`${standin.url}/`);
  const statuses = standin.logLines().map((line) => `${String(line.path)} ${String(line.status)}`);
  assert.ok(statuses.includes('/thousandeyes/v7/api-tokens 405'));
  assert.ok(statuses.includes('/no/such/vendor 404'));
  assert.ok(statuses.includes('/ 200'), 'the vendor list is logged');
});

test('no token, API key or Authorization value ever reaches the log', async () => {
  await call(`${standin.url}/thousandeyes/v7/api-tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${SECRETS.bearer}` },
  });
  await call(`${standin.url}/wiremock-cloud/v1/users/u1/regenerate-api-token`, {
    method: 'POST',
    headers: { authorization: `Token ${SECRETS.wiremock}` },
  });
  await call(`${standin.url}/wiremock-cloud/v1/users/u1/regenerate-api-token`, {
    method: 'POST',
    headers: { authorization: `Bearer ${SECRETS.wiremock}` },
  });
  await call(
    `${standin.url}/gorules/api/projects/${PROJECT_ID}/environments/${ENVIRONMENT_ID}/regenerate-token`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${SECRETS.bearer}` },
    },
  );
  await call(`${standin.url}/projectdiscovery/v1/user/apikey/rotate?key=${SECRETS.apiKey}`, {
    method: 'POST',
    headers: { 'x-api-key': SECRETS.apiKey },
  });
  const log = standin.rawLog();
  assert.ok(log.length > 0);
  for (const secret of Object.values(SECRETS))
    assert.ok(!log.includes(secret), `${secret} is not logged`);
  assert.ok(!/authorization/i.test(log));
});
