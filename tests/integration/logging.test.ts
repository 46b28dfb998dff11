import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call, ENVIRONMENT_ID, FIXTURE, PROJECT_ID, useStandin } from '../support/standin.js';

const standin = useStandin({}, { resetEachTest: false });

test('one log line per request: method, path, operationId, status, duration', async () => {
  await call(`${standin.url}/projectdiscovery/v1/user/apikey/rotate?trace=1`, {
    method: 'POST',
    headers: { 'x-api-key': FIXTURE.projectdiscovery.bob },
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

test('no token, API key or Authorization value ever reaches the log, valid or not', async () => {
  const made = {
    bearer: 'secret-bearer-7f3a9c',
    wiremock: 'secret-wiremock-51d2e0',
    apiKey: 'secret-apikey-c44b18',
  };
  const bearers = [FIXTURE.thousandeyes.alice, made.bearer];
  for (const token of bearers) {
    await call(`${standin.url}/thousandeyes/v7/api-tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
  }
  for (const token of [FIXTURE.wiremock.bob, made.wiremock]) {
    for (const scheme of ['Token', 'Bearer']) {
      await call(`${standin.url}/wiremock-cloud/v1/users/k2x8p/regenerate-api-token`, {
        method: 'POST',
        headers: { authorization: `${scheme} ${token}` },
      });
    }
  }
  await call(
    `${standin.url}/gorules/api/projects/${PROJECT_ID}/environments/${ENVIRONMENT_ID}/regenerate-token`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${FIXTURE.gorules.alice}` },
    },
  );
  for (const key of [FIXTURE.projectdiscovery.alice, made.apiKey]) {
    await call(`${standin.url}/projectdiscovery/v1/user/apikey/rotate?key=${key}`, {
      method: 'POST',
      headers: { 'x-api-key': key },
    });
  }
  const issued = (await call(`${standin.url}/__admin/credentials`)).json as Array<{
    value: string;
  }>;
  const log = standin.rawLog();
  assert.ok(log.length > 0);
  const secrets = [
    ...bearers,
    FIXTURE.wiremock.bob,
    made.wiremock,
    FIXTURE.gorules.alice,
    FIXTURE.projectdiscovery.alice,
    made.apiKey,
  ];
  for (const secret of [
    ...secrets,
    ...issued.map((credential) => credential.value.replace(/^\S+ /, '')),
  ]) {
    assert.ok(!log.includes(secret), `${secret} is not logged`);
  }
  assert.ok(!/authorization/i.test(log));
});
