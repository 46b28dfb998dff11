import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  call,
  concurrently,
  credentials,
  FIXTURE,
  moveClock,
  putState,
  stateOf,
  useStandin,
} from '../support/standin.js';

/** ThousandEyes' rotation, as its document says, with the clock moved by the control plane. */
const standin = useStandin();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const rotate = (token: string) =>
  call(`${standin.url}/thousandeyes/v7/api-tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });

test('a rotation answers 201 hal+json with a UUID token valid for exactly 2 years', async () => {
  await moveClock(standin.url, { set: '2027-03-01T12:00:00Z', frozen: true });
  const answer = await rotate(FIXTURE.thousandeyes.alice);
  assert.equal(answer.status, 201);
  assert.equal(answer.headers.get('content-type'), 'application/hal+json');
  const { bearerToken, validUntil } = answer.json as { bearerToken: string; validUntil: string };
  assert.match(bearerToken, UUID);
  assert.notEqual(bearerToken, FIXTURE.thousandeyes.alice);
  assert.equal(validUntil, '2029-03-01T12:00:00.000Z');
});

test('the whole overlap story: both tokens work for 14 days, a second rotation is 409, then the old token dies', async () => {
  await moveClock(standin.url, { set: '2027-03-01T12:00:00Z', frozen: true });
  const first = await rotate(FIXTURE.thousandeyes.alice);
  const { bearerToken: fresh } = first.json as { bearerToken: string };

  // Inside the overlap the account has two active tokens: neither may regenerate.
  for (const token of [FIXTURE.thousandeyes.alice, fresh]) {
    const conflict = await rotate(token);
    assert.equal(conflict.status, 409, 'a second regeneration inside the overlap');
    assert.equal(conflict.headers.get('content-type'), 'application/problem+json');
    const problem = conflict.json as Record<string, unknown>;
    assert.equal(problem.status, 409);
    assert.equal(problem.title, 'Conflict');
  }
  const during = await credentials(standin.url, 'thousandeyes', '1001');
  assert.deepEqual(
    during.map((credential) => [credential.value, credential.expiresAt]).sort(),
    [
      [`Bearer ${FIXTURE.thousandeyes.alice}`, '2027-03-15T12:00:00.000Z'],
      [`Bearer ${fresh}`, '2029-03-01T12:00:00.000Z'],
    ].sort(),
  );

  await moveClock(standin.url, { advance: 'P13DT23H59M' });
  assert.equal(
    (await rotate(FIXTURE.thousandeyes.alice)).status,
    409,
    'still inside the overlap a minute before its end',
  );

  await moveClock(standin.url, { advance: 'PT2M' });
  const retired = await rotate(FIXTURE.thousandeyes.alice);
  assert.equal(retired.status, 401);
  assert.deepEqual(retired.json, {
    error: 'invalid_token',
    error_description: 'Invalid access token',
  });

  const again = await rotate(fresh);
  assert.equal(again.status, 201, 'with one active token left, regeneration works again');
});

test('the previous token keeps its own expiry when that comes before the 14 days', async () => {
  await moveClock(standin.url, { set: '2027-03-01T12:00:00Z', frozen: true });
  const state = await stateOf<{
    users: Array<{ uid: string; tokens: Array<{ expiresAt: string }> }>;
  }>(standin.url, 'thousandeyes');
  const alice = state.users.find((user) => user.uid === '1001');
  assert.ok(alice?.tokens[0]);
  alice.tokens[0].expiresAt = '2027-03-04T12:00:00Z';
  assert.equal((await putState(standin.url, 'thousandeyes', state)).status, 200);

  assert.equal((await rotate(FIXTURE.thousandeyes.alice)).status, 201);
  const old = (await credentials(standin.url, 'thousandeyes', '1001')).find((credential) =>
    credential.value.endsWith(FIXTURE.thousandeyes.alice),
  );
  assert.equal(old?.expiresAt, '2027-03-04T12:00:00.000Z');
  await moveClock(standin.url, { advance: 'P3DT1S' });
  assert.equal((await rotate(FIXTURE.thousandeyes.alice)).status, 401);
});

test('an expired token answers 401: a rotation needs a valid, non-expired token', async () => {
  await moveClock(standin.url, { advance: 'P2YT1H' });
  const answer = await rotate(FIXTURE.thousandeyes.alice);
  assert.equal(answer.status, 401);
  assert.deepEqual(answer.json, {
    error: 'invalid_token',
    error_description: 'Invalid access token',
  });
});

test("one user's rotation leaves the other user's token alone", async () => {
  assert.equal((await rotate(FIXTURE.thousandeyes.alice)).status, 201);
  assert.equal((await rotate(FIXTURE.thousandeyes.bob)).status, 201);
});

test('20 concurrent rotations with one token: exactly one 201, the rest 409, and two active tokens', async () => {
  const { answers, statuses } = await concurrently(20, () => rotate(FIXTURE.thousandeyes.alice));
  assert.deepEqual(statuses, { 201: 1, 409: 19 });
  const winner = answers.find((answer) => answer.status === 201)?.json as { bearerToken: string };
  const active = await credentials(standin.url, 'thousandeyes', '1001');
  assert.deepEqual(
    active.map((credential) => credential.value).sort(),
    [`Bearer ${FIXTURE.thousandeyes.alice}`, `Bearer ${winner.bearerToken}`].sort(),
  );
});
