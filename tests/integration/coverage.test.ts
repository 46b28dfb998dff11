import assert from 'node:assert/strict';
import { test } from 'node:test';
import { coverageMarkdown, type OperationCoverage } from '../../src/admin/coverage.js';
import { call, FIXTURE, useStandin } from '../support/standin.js';

/** Coverage: which documented statuses of which operations a test run exercised. */
const standin = useStandin();

const coverage = async (): Promise<OperationCoverage[]> =>
  (await call(`${standin.url}/__admin/coverage`)).json as OperationCoverage[];
const servedOf = (all: OperationCoverage[], operationId: string): Record<string, number> =>
  Object.fromEntries(
    (all.find((entry) => entry.operationId === operationId)?.statuses ?? []).map((entry) => [
      entry.status,
      entry.served,
    ]),
  );

test('each documented status of each operation is counted as it is served; undocumented answers count nowhere', async () => {
  await call(`${standin.url}/__admin/coverage`, { method: 'DELETE' });
  const rotate = (key?: string) =>
    call(`${standin.url}/projectdiscovery/v1/user/apikey/rotate`, {
      method: 'POST',
      headers: key ? { 'x-api-key': key } : {},
    });
  // Prefer first: it answers from the spec and leaves the key alone.
  await call(`${standin.url}/projectdiscovery/v1/user/apikey/rotate`, {
    method: 'POST',
    headers: { 'x-api-key': FIXTURE.projectdiscovery.alice, prefer: 'code=503' },
  });
  await rotate(FIXTURE.projectdiscovery.alice);
  await rotate(FIXTURE.projectdiscovery.bob);
  await rotate();
  const served = servedOf(await coverage(), 'post-v1-user-apikey-rotate');
  assert.deepEqual(served, { '200': 2, '400': 0, '401': 1, '404': 0, '500': 0, default: 1 });
  const listed = await coverage();
  assert.ok(
    listed.some(
      (entry) => entry.vendor === 'gorules' && entry.operationId === 'evaluateEnvironmentDecision',
    ),
    'every vendor operation is listed',
  );
  assert.ok(!listed.some((entry) => entry.vendor === '__admin'), 'the control plane is not');
});

test('the Markdown report lists what was never exercised first', () => {
  const report = coverageMarkdown([
    {
      vendor: 'v',
      operationId: 'rotate',
      method: 'POST',
      path: '/v/rotate',
      statuses: [
        { status: '200', served: 3 },
        { status: '409', served: 0 },
      ],
    },
  ]);
  assert.match(report, /1 of 2 documented operation statuses were served at least once/);
  const never = report.indexOf('## Never exercised');
  const exercised = report.indexOf('## Exercised');
  assert.ok(never >= 0 && exercised > never);
  assert.match(
    report.slice(never, exercised),
    /\| v \| `rotate` \| `POST \/v\/rotate` \| 409 \| 0 \|/,
  );
  assert.match(report.slice(exercised), /\| v \| `rotate` \| `POST \/v\/rotate` \| 200 \| 3 \|/);
});
