import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call, FIXTURE, startStandin, useStandin } from '../support/standin.js';

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

test('a refusal and a response violation say why, in pretty lines under the request and as JSON fields', async () => {
  const brokenHandler = {
    projectdiscovery: {
      // A key that is a number: the spec says string, so the answer is a violation.
      handlers: {
        'get-v1-user-apikey': () => ({ status: 200, body: { message: 'ok', api_key: 7 } }),
      },
    },
  };
  for (const format of ['pretty', 'json'] as const) {
    const server = await startStandin({ log: format, vendors: brokenHandler });
    try {
      await call(`${server.url}/gorules/api/projects/not-a-uuid/environments`, {
        headers: { authorization: `Bearer ${FIXTURE.gorules.alice}` },
      });
      await call(`${server.url}/projectdiscovery/v1/user/apikey`, {
        headers: { 'x-api-key': FIXTURE.projectdiscovery.alice },
      });
      await server.close();
      const log = server.rawLog();
      if (format === 'pretty') {
        assert.match(
          log,
          /listEnvironments 400 [\d.]+ms\n {4}path projectId: must match format "uuid" \(spec #\/paths\/.+\)/,
        );
        assert.match(
          log,
          /get-v1-user-apikey 500 [\d.]+ms\n {4}body \/api_key: must be string \(spec #\/paths\/.+\)/,
        );
      } else {
        const refused = server.logLines().find((line) => line.operationId === 'listEnvironments');
        assert.deepEqual(
          (refused?.failures as Array<{ in: string; name: string }>).map((failure) => [
            failure.in,
            failure.name,
          ]),
          [['path', 'projectId']],
        );
        const broken = server.logLines().find((line) => line.operationId === 'get-v1-user-apikey');
        assert.match(JSON.stringify(broken?.failures), /"pointer":"\/api_key"/);
      }
      assert.ok(
        !log.includes(FIXTURE.gorules.alice) && !log.includes(FIXTURE.projectdiscovery.alice),
      );
    } finally {
      await server.close();
    }
  }
});
