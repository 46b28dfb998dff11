import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call, FIXTURE, useStandin } from '../support/standin.js';

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

test('a start with the bundled specs warns about nothing (every spec, the control plane’s too)', () => {
  const warnings = standin.logLines().filter((line) => Number(line.level) >= 40);
  assert.deepEqual(
    warnings.map((line) => line.msg),
    [],
  );
  assert.ok(standin.logLines().some((line) => String(line.msg).startsWith('standin listening')));
});
