import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call, ENVIRONMENT_ID, FIXTURE, PROJECT_ID, useStandin } from '../support/standin.js';

/** GoRules around a regeneration: list environments with their tokens, evaluate with the environment token. */
const standin = useStandin();

const STAGING_ID = '1c0ffee0-2b3c-4d5e-8f90-a1b2c3d4e5f6';
const CONTEXT = { cart: { total: 1500 }, customer: { country: 'US', tier: 'gold' } };

const evaluate = (
  accessToken: string,
  body: unknown = { context: CONTEXT },
  project = PROJECT_ID,
  environment = ENVIRONMENT_ID,
  doc = 'customer-discount',
) =>
  call(
    `${standin.url}/gorules/api/projects/${project}/environments/${environment}/evaluate/${doc}`,
    {
      method: 'POST',
      headers: { 'x-access-token': accessToken, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    },
  );
const list = (pat: string, project = PROJECT_ID) =>
  call(`${standin.url}/gorules/api/projects/${project}/environments`, {
    headers: { authorization: `Bearer ${pat}` },
  });

test('GET /environments lists every environment of the project with its access token', async () => {
  const answer = await list(FIXTURE.gorules.alice);
  assert.equal(answer.status, 200);
  const environments = answer.json as Array<{ id: string; accessToken: string }>;
  assert.deepEqual(
    Object.fromEntries(
      environments.map((environment) => [environment.id, environment.accessToken]),
    ),
    { [ENVIRONMENT_ID]: FIXTURE.gorules.production, [STAGING_ID]: FIXTURE.gorules.staging },
  );
  assert.equal((await list(FIXTURE.gorules.bob)).status, 403, 'not a member');
  assert.deepEqual(
    (await list(FIXTURE.gorules.alice, '00000000-0000-4000-8000-000000000000')).json,
    { message: 'Project not found' },
  );
});

test('evaluate answers {result, performance} computed from the context, by id or by key', async () => {
  const answer = await evaluate(FIXTURE.gorules.production);
  assert.equal(answer.status, 200);
  const { result, performance, trace } = answer.json as {
    result: unknown;
    performance: string;
    trace?: unknown;
  };
  assert.deepEqual(result, { tier: 'gold', discount: 0.15, total: 1275 });
  assert.match(performance, /^\d+\.\d(ns|µs|ms|s)$/);
  assert.equal(trace, undefined, 'no trace unless asked for');
  const byKey = await evaluate(
    FIXTURE.gorules.production,
    { context: { cart: { total: 50 } } },
    'payments',
    'production',
  );
  assert.deepEqual((byKey.json as { result: unknown }).result, {
    tier: 'bronze',
    discount: 0,
    total: 50,
  });
  const shipping = await evaluate(
    FIXTURE.gorules.production,
    { context: { customer: { country: 'DE' } } },
    PROJECT_ID,
    ENVIRONMENT_ID,
    'shipping-fee',
  );
  assert.deepEqual((shipping.json as { result: unknown }).result, { fee: 25, currency: 'USD' });
});

test('evaluate with trace: true answers the trace, keyed by node', async () => {
  const answer = await evaluate(FIXTURE.gorules.production, { context: CONTEXT, trace: true });
  const trace = (
    answer.json as { trace: Record<string, { input: unknown; output: unknown; order: number }> }
  ).trace;
  const [node] = Object.values(trace);
  assert.deepEqual(node?.input, CONTEXT);
  assert.deepEqual(node?.output, { tier: 'gold', discount: 0.15, total: 1275 });
});

test('a wrong, missing or other environment’s token answers 401 {"message": "Invalid X-Access-Token Header"}', async () => {
  const wrong = await evaluate('not-a-token');
  const other = await evaluate(FIXTURE.gorules.staging);
  const missing = await call(
    `${standin.url}/gorules/api/projects/${PROJECT_ID}/environments/${ENVIRONMENT_ID}/evaluate/customer-discount`,
    {
      method: 'POST',
    },
  );
  for (const answer of [wrong, other, missing]) {
    assert.equal(answer.status, 401);
    assert.deepEqual(answer.json, { message: 'Invalid X-Access-Token Header' });
  }
});

test('an unknown project or document answers 404; a context the decision cannot use answers 400 {message}', async () => {
  assert.deepEqual(
    (await evaluate(FIXTURE.gorules.production, { context: CONTEXT }, 'nope')).json,
    { message: 'Project not found' },
  );
  const document = await evaluate(
    FIXTURE.gorules.production,
    { context: CONTEXT },
    PROJECT_ID,
    ENVIRONMENT_ID,
    'missing',
  );
  assert.equal(document.status, 404);
  const bad = await evaluate(FIXTURE.gorules.production, { context: { cart: { total: 'lots' } } });
  assert.equal(bad.status, 400);
  assert.match((bad.json as { message: string }).message, /cart\.total/);
});

test('the client story: regenerate the environment token, evaluate with the new one, the old one fails at once', async () => {
  const regenerated = await call(
    `${standin.url}/gorules/api/projects/${PROJECT_ID}/environments/${ENVIRONMENT_ID}/regenerate-token`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${FIXTURE.gorules.alice}` },
    },
  );
  const { accessToken } = regenerated.json as { accessToken: string };
  assert.equal((await evaluate(accessToken)).status, 200);
  assert.equal((await evaluate(FIXTURE.gorules.production)).status, 401);
  const listed = (await list(FIXTURE.gorules.alice)).json as Array<{
    id: string;
    accessToken: string;
  }>;
  assert.equal(
    listed.find((environment) => environment.id === ENVIRONMENT_ID)?.accessToken,
    accessToken,
  );
  assert.equal(
    (await evaluate(FIXTURE.gorules.staging, { context: CONTEXT }, PROJECT_ID, STAGING_ID)).status,
    200,
    'staging is untouched',
  );
});
