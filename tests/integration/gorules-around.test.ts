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

/**
 * The fixture's decisions as the README documents them (and as standin computed them before they
 * became JDM documents): the customer's tier when it is gold, silver or bronze, else 1000 and more
 * gold, 100 and more silver, bronze below; 15 %, 10 % or no discount; the total to the cent.
 */
function documentedDiscount(total: number, tier?: string) {
  const discounts: Record<string, number> = { gold: 0.15, silver: 0.1, bronze: 0 };
  const chosen =
    tier !== undefined && tier in discounts
      ? tier
      : total >= 1000
        ? 'gold'
        : total >= 100
          ? 'silver'
          : 'bronze';
  const discount = discounts[chosen] ?? 0;
  return { tier: chosen, discount, total: Math.round(total * (1 - discount) * 100) / 100 };
}

test('the built-in JDM decisions answer as documented for every tier and total', async () => {
  const tiers = [undefined, 'gold', 'silver', 'bronze', 'platinum'];
  const totals = [0, 0.5, 49.99, 99.99, 100, 333.33, 999.99, 1000, 1500, 12345.67];
  const cases = totals.flatMap((total) => tiers.map((tier) => ({ total, tier })));
  const answers = await Promise.all(
    cases.map(({ total, tier }) =>
      evaluate(FIXTURE.gorules.production, {
        context: { cart: { total }, customer: tier === undefined ? {} : { tier } },
      }),
    ),
  );
  answers.forEach((answer, index) => {
    const { total, tier } = cases[index] ?? { total: 0 };
    assert.deepEqual(
      (answer.json as { result: unknown }).result,
      documentedDiscount(total, tier),
      `${total} ${tier ?? '(no tier)'}`,
    );
  });
  for (const [country, fee] of [
    ['US', 0],
    ['DE', 25],
    ['us', 25],
  ] as const) {
    const shipping = await evaluate(
      FIXTURE.gorules.production,
      { context: { customer: { country } } },
      PROJECT_ID,
      ENVIRONMENT_ID,
      'shipping-fee',
    );
    assert.deepEqual((shipping.json as { result: unknown }).result, { fee, currency: 'USD' });
  }
});

test('evaluate with trace: true answers the engine’s trace: every node, in order, with its performance and the rule that matched', async () => {
  const answer = await evaluate(FIXTURE.gorules.production, { context: CONTEXT, trace: true });
  assert.equal(answer.status, 200);
  const trace = (
    answer.json as {
      trace: Record<
        string,
        {
          name: string;
          order: number;
          input: unknown;
          output: unknown;
          performance: string;
          traceData: unknown;
        }
      >;
    }
  ).trace;
  const nodes = Object.values(trace).sort((a, b) => a.order - b.order);
  assert.deepEqual(
    nodes.map((node) => [node.order, node.name]),
    [
      [0, 'Request'],
      [1, 'Discount table'],
      [2, 'Discounted total'],
      [3, 'Response'],
    ],
  );
  for (const node of nodes) assert.match(node.performance, /^\d+(\.\d+)?(ns|µs|ms|s)$/, node.name);
  assert.deepEqual(trace.request?.output, CONTEXT);
  assert.deepEqual(trace.response?.input, { tier: 'gold', discount: 0.15, total: 1275 });
  const table = trace['discount-table']?.traceData as { rule: { _id: string } };
  assert.equal(table.rule._id, 'given-gold', 'the table says which rule matched');
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
