import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call, credentials, FIXTURE, useStandin } from '../support/standin.js';

/** Faults: a client's retry, timeout and recovery logic under a documented error, a delay or a cut connection. */
const standin = useStandin();

const addFault = (fault: object) =>
  call(`${standin.url}/__admin/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(fault),
  });
const rotateTe = (token: string) =>
  call(`${standin.url}/thousandeyes/v7/api-tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
const rotatePd = (key: string) =>
  call(`${standin.url}/projectdiscovery/v1/user/apikey/rotate`, {
    method: 'POST',
    headers: { 'x-api-key': key },
  });

test("before-commit: the next call answers the vendor's documented 500, and nothing changed", async () => {
  assert.equal(
    (
      await addFault({
        vendor: 'thousandeyes',
        operationId: 'regenerateApiToken',
        status: 500,
        times: 1,
      })
    ).status,
    201,
  );
  const failed = await rotateTe(FIXTURE.thousandeyes.alice);
  assert.equal(failed.status, 500);
  assert.equal(failed.headers.get('content-type'), 'application/problem+json');
  assert.equal(
    (failed.json as { title: string }).title,
    'Internal server error',
    "the spec's own example",
  );
  assert.equal(
    (await credentials(standin.url, 'thousandeyes', '1001')).length,
    1,
    'no token was issued',
  );
  assert.equal(
    (await rotateTe(FIXTURE.thousandeyes.alice)).status,
    201,
    'times: 1, so the retry goes through',
  );
});

test('after-commit: the rotation happens, then the answer is a 500; the client has lost its new token', async () => {
  await addFault({
    vendor: 'projectdiscovery',
    operationId: 'post-v1-user-apikey-rotate',
    status: 500,
    phase: 'after-commit',
    times: 1,
  });
  const failed = await rotatePd(FIXTURE.projectdiscovery.alice);
  assert.equal(failed.status, 500);
  assert.equal(
    typeof (failed.json as { message: unknown }).message,
    'string',
    "ProjectDiscovery's documented 500 shape",
  );
  assert.equal(
    (await rotatePd(FIXTURE.projectdiscovery.alice)).status,
    401,
    'the old key is already revoked',
  );
  const [current] = await credentials(standin.url, 'projectdiscovery', 'alice');
  assert.ok(
    current && current.value !== FIXTURE.projectdiscovery.alice,
    'a new key exists that the client never saw',
  );
  assert.equal(
    (await rotatePd(current.value)).status,
    200,
    'recovered through the operator (the control plane)',
  );
});

test('after-commit reset: the connection is cut after the rotation', async () => {
  await addFault({
    vendor: 'projectdiscovery',
    operationId: 'post-v1-user-apikey-rotate',
    reset: true,
    phase: 'after-commit',
    times: 1,
  });
  await assert.rejects(
    rotatePd(FIXTURE.projectdiscovery.bob),
    TypeError,
    'fetch fails: the socket was reset',
  );
  assert.equal(
    (await rotatePd(FIXTURE.projectdiscovery.bob)).status,
    401,
    'the rotation committed before the cut',
  );
  const entries = (await call(`${standin.url}/__admin/requests?vendor=projectdiscovery`))
    .json as Array<{ status: number }>;
  assert.equal(entries.at(-2)?.status, 0, 'the journal says nothing was answered');
});

test('before-commit reset: the connection is cut and nothing changed', async () => {
  await addFault({ vendor: 'projectdiscovery', reset: true, times: 1 });
  await assert.rejects(rotatePd(FIXTURE.projectdiscovery.bob), TypeError);
  assert.equal((await rotatePd(FIXTURE.projectdiscovery.bob)).status, 200);
});

test('a delay holds the answer back (a client timeout can be tested), then the call goes through', async () => {
  await addFault({ vendor: 'thousandeyes', operationId: 'getCurrentUser', delayMs: 300, times: 1 });
  const started = performance.now();
  const answer = await call(`${standin.url}/thousandeyes/v7/users/current`, {
    headers: { authorization: `Bearer ${FIXTURE.thousandeyes.bob}` },
  });
  assert.equal(answer.status, 200);
  assert.ok(performance.now() - started >= 290, 'held back about 300 ms');
  const timedOut = call(`${standin.url}/thousandeyes/v7/users/current`, {
    headers: { authorization: `Bearer ${FIXTURE.thousandeyes.bob}` },
    signal: AbortSignal.timeout(5_000),
  });
  assert.equal((await timedOut).status, 200, 'times: 1, so the next call is not delayed');
});

test('without times a fault strikes every call until cleared; GET lists, DELETE clears, reset clears', async () => {
  await addFault({ vendor: 'projectdiscovery', operationId: 'get-v1-user', status: 500 });
  const profile = () =>
    call(`${standin.url}/projectdiscovery/v1/user`, {
      headers: { 'x-api-key': FIXTURE.projectdiscovery.bob },
    });
  assert.deepEqual([(await profile()).status, (await profile()).status], [500, 500]);
  const listed = (await call(`${standin.url}/__admin/faults`)).json as Array<{
    remaining: number | null;
  }>;
  assert.deepEqual(
    listed.map((fault) => fault.remaining),
    [null],
  );
  assert.equal((await call(`${standin.url}/__admin/faults`, { method: 'DELETE' })).status, 204);
  assert.equal((await profile()).status, 200);
  await addFault({ vendor: 'projectdiscovery', operationId: 'get-v1-user', status: 500 });
  await call(`${standin.url}/__admin/reset`, { method: 'POST' });
  assert.equal((await profile()).status, 200);
});

test('a fault whose answer could not follow the spec is refused with 400', async () => {
  for (const [fault, message] of [
    [
      { vendor: 'wiremock-cloud', operationId: 'regenerateUserApiToken', status: 500 },
      /status 500 is not documented by regenerateUserApiToken/,
    ],
    [{ vendor: 'acme', status: 500 }, /no vendor named "acme"/],
    [{ vendor: 'thousandeyes', operationId: 'nope', status: 500 }, /no operation "nope"/],
    [{ vendor: 'thousandeyes', status: 500, reset: true }, /not both/],
    [{ vendor: 'thousandeyes' }, /needs a status, a reset or a delay/],
  ] as const) {
    const answer = await addFault(fault);
    assert.equal(answer.status, 400, JSON.stringify(fault));
    assert.match((answer.json as { detail: string }).detail, message);
  }
});
