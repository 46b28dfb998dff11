import assert from 'node:assert/strict';
import { test } from 'node:test';
import { finished, listeningUrl, startCli } from '../support/cli.js';
import { call, ENVIRONMENT_ID, FIXTURE, PROJECT_ID, useStandin } from '../support/standin.js';

/**
 * A negative test breaks the contract on purpose. It says so with `X-Standin-Expect-Violation`
 * or `POST /__admin/violations/expect`: the violation is recorded with `expected: true`, listed
 * apart, and fails no `--fail-on-violation` run. What a handler breaks is never expected.
 */

let brokenAnswer = false;
const standin = useStandin({
  vendors: {
    projectdiscovery: {
      handlers: {
        // A handler that breaks the spec on demand: api_key must be a string.
        'get-v1-user-apikey': () => ({
          status: 200,
          body: { message: 'here', api_key: brokenAnswer ? 42 : 'k' },
        }),
      },
    },
  },
});

interface Violation {
  direction: string;
  namespace: string;
  operationId: string | null;
  status: number;
  in: string;
  expected: boolean;
  expectedReason?: string;
}

interface Expectation {
  remaining: number;
  reason?: string;
}

const admin = (path: string, namespace?: string, init: RequestInit = {}) =>
  call(`${standin.url}/__admin${path}`, {
    ...init,
    headers: {
      'content-type': 'application/json',
      ...(namespace === undefined ? {} : { 'x-standin-namespace': namespace }),
      ...(init.headers as Record<string, string> | undefined),
    },
  });

const violations = async (query = '', namespace?: string): Promise<Violation[]> =>
  (await admin(`/violations${query}`, namespace)).json as Violation[];

const expectViolations = (body: unknown, namespace?: string) =>
  admin('/violations/expect', namespace, { method: 'POST', body: JSON.stringify(body) });

const remaining = async (namespace?: string): Promise<number> =>
  ((await admin('/violations/expect', namespace)).json as Expectation).remaining;

/** A rotation without a credential: a 401 the client caused. */
const rotateWithoutCredential = (headers: Record<string, string> = {}) =>
  call(`${standin.url}/thousandeyes/v7/api-tokens`, { method: 'POST', headers });

/** A request past credential reading (so it makes its namespace) that breaks the spec: a 400. */
const malformedProjectId = (namespace: string, headers: Record<string, string> = {}) =>
  call(
    `${standin.url}/gorules/api/projects/not-a-uuid/environments/${ENVIRONMENT_ID}/regenerate-token`,
    {
      method: 'POST',
      headers: {
        authorization: `Bearer ${FIXTURE.gorules.alice}`,
        'x-standin-namespace': namespace,
        ...headers,
      },
    },
  );

test('X-Standin-Expect-Violation: the violation is recorded with expected: true and the reason given; `false` or no header is an ordinary one', async () => {
  await admin('/violations', undefined, { method: 'DELETE' });
  assert.equal(
    (await rotateWithoutCredential({ 'x-standin-expect-violation': 'true' })).status,
    401,
  );
  await rotateWithoutCredential({ 'x-standin-expect-violation': 'no token on purpose' });
  await rotateWithoutCredential({ 'x-standin-expect-violation': 'false' });
  await rotateWithoutCredential();
  const recorded = await violations();
  assert.deepEqual(
    recorded.map(({ direction, status, in: where, expected, expectedReason }) => ({
      direction,
      status,
      where,
      expected,
      expectedReason,
    })),
    [
      {
        direction: 'request',
        status: 401,
        where: 'security',
        expected: true,
        expectedReason: undefined,
      },
      {
        direction: 'request',
        status: 401,
        where: 'security',
        expected: true,
        expectedReason: 'no token on purpose',
      },
      {
        direction: 'request',
        status: 401,
        where: 'security',
        expected: false,
        expectedReason: undefined,
      },
      {
        direction: 'request',
        status: 401,
        where: 'security',
        expected: false,
        expectedReason: undefined,
      },
    ],
  );
  assert.deepEqual(
    (await violations('?expected=false')).map((violation) => violation.expected),
    [false, false],
  );
  assert.deepEqual(
    (await violations('?expected=true')).map((violation) => violation.expectedReason),
    [undefined, 'no token on purpose'],
  );
});

test('POST /__admin/violations/expect marks the next N requests of its namespace that break the contract; good requests and other namespaces leave it alone', async () => {
  const marked = 'expect-marked';
  const other = 'expect-other';
  try {
    const answer = await expectViolations({ count: 2, reason: 'malformed ids' }, marked);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.json, { remaining: 2, reason: 'malformed ids' });

    // A request that keeps the contract uses no mark.
    const listed = await call(`${standin.url}/gorules/api/projects/${PROJECT_ID}/environments`, {
      headers: { authorization: `Bearer ${FIXTURE.gorules.alice}`, 'x-standin-namespace': marked },
    });
    assert.equal(listed.status, 200);
    assert.equal(await remaining(marked), 2);
    // Another namespace's violation is its own: unexpected, and the mark stays.
    assert.equal((await malformedProjectId(other)).status, 400);
    assert.equal(await remaining(marked), 2);

    for (let request = 0; request < 3; request += 1) await malformedProjectId(marked);
    assert.equal(await remaining(marked), 0);
    assert.deepEqual(
      (await violations('', marked)).map(({ expected, expectedReason }) => ({
        expected,
        expectedReason,
      })),
      [
        { expected: true, expectedReason: 'malformed ids' },
        { expected: true, expectedReason: 'malformed ids' },
        { expected: false, expectedReason: undefined },
      ],
      'the third one was not marked',
    );
    assert.deepEqual(
      (await violations('', other)).map((violation) => violation.expected),
      [false],
    );
  } finally {
    await admin(`/namespaces/${marked}`, undefined, { method: 'DELETE' });
    await admin(`/namespaces/${other}`, undefined, { method: 'DELETE' });
  }
});

test('a mark is bounded: more than 1000 requests or a reason over 200 characters is a 400 that changes nothing; count 0 clears it', async () => {
  assert.equal((await expectViolations({ count: 3 })).status, 200);
  const tooMany = await expectViolations({ count: 1001 });
  assert.equal(tooMany.status, 400);
  const tooLong = await expectViolations({ count: 1, reason: 'x'.repeat(201) });
  assert.equal(tooLong.status, 400);
  assert.equal((await expectViolations({ count: -1 })).status, 400);
  assert.equal(await remaining(), 3);
  assert.deepEqual((await expectViolations({ count: 0 })).json, { remaining: 0 });
  assert.equal(await remaining(), 0);
});

test('POST /__admin/reset clears the mark: the next test starts without one', async () => {
  await expectViolations({ count: 5 });
  assert.equal((await admin('/reset', undefined, { method: 'POST' })).status, 204);
  assert.equal(await remaining(), 0);
});

test("an answer standin's handler got wrong is never expected, whatever the request declares, and uses no mark", async () => {
  await admin('/violations', undefined, { method: 'DELETE' });
  await expectViolations({ count: 1 });
  brokenAnswer = true;
  try {
    const answer = await call(`${standin.url}/projectdiscovery/v1/user/apikey`, {
      headers: {
        'x-api-key': FIXTURE.projectdiscovery.alice,
        'x-standin-expect-violation': 'true',
      },
    });
    assert.equal(answer.status, 500);
  } finally {
    brokenAnswer = false;
  }
  const recorded = await violations();
  assert.ok(recorded.length > 0);
  for (const violation of recorded) {
    assert.equal(violation.direction, 'response');
    assert.equal(violation.expected, false);
  }
  assert.equal(await remaining(), 1);
});

/** Runs the CLI with --fail-on-violation, lets `exercise` send requests, and stops it. */
async function failOnViolationRun(
  exercise: (url: string) => Promise<void>,
): Promise<Awaited<ReturnType<typeof finished>>> {
  const child = startCli(['--port', '0', '--log', 'json', '--fail-on-violation']);
  const ended = finished(child);
  const url = await listeningUrl(child);
  await exercise(url);
  assert.equal((await fetch(`${url}/__admin/shutdown`, { method: 'POST' })).status, 202);
  return ended;
}

test('--fail-on-violation: negative tests declared expected (by header, by mark) exit 0 and are listed in a section of their own', async () => {
  const outcome = await failOnViolationRun(async (url) => {
    await fetch(`${url}/thousandeyes/v7/api-tokens`, {
      method: 'POST',
      headers: { 'x-standin-expect-violation': 'no credential on purpose' },
    });
    await fetch(`${url}/__admin/violations/expect`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: 1 }),
    });
    await fetch(`${url}/projectdiscovery/v1/user/apikey/rotate`, { method: 'POST' });
  });
  assert.equal(outcome.code, 0, outcome.stderr);
  assert.match(outcome.stderr, /standin: no contract violations, besides 2 expected ones\./);
  assert.match(
    outcome.stderr,
    /standin: 2 expected violations \(declared by negative tests; these fail no run\)/,
  );
  assert.match(
    outcome.stderr,
    / {2}- thousandeyes regenerateApiToken: POST \/thousandeyes\/v7\/api-tokens -> 401: security \S+: .* \(expected: no credential on purpose\)/,
  );
  assert.match(
    outcome.stderr,
    / {2}- projectdiscovery post-v1-user-apikey-rotate: POST \/projectdiscovery\/v1\/user\/apikey\/rotate -> 401: security X-API-Key/,
  );
});

test('--fail-on-violation: a negative test nobody declared still exits 3; the expected one is listed apart, not among the violations', async () => {
  const outcome = await failOnViolationRun(async (url) => {
    await fetch(`${url}/thousandeyes/v7/api-tokens`, {
      method: 'POST',
      headers: { 'x-standin-expect-violation': 'true' },
    });
    await fetch(`${url}/projectdiscovery/v1/user/apikey/rotate`, { method: 'POST' });
  });
  assert.equal(outcome.code, 3, outcome.stderr);
  const [unexpected = '', expected = ''] = outcome.stderr.split(/^standin: 1 expected violation /m);
  assert.match(unexpected, /standin: 1 contract violation\n/);
  assert.match(
    unexpected,
    /the client sent POST \/projectdiscovery\/v1\/user\/apikey\/rotate -> 401/,
  );
  assert.doesNotMatch(unexpected, /thousandeyes/);
  assert.match(
    expected,
    /thousandeyes regenerateApiToken: POST \/thousandeyes\/v7\/api-tokens -> 401/,
  );
});
