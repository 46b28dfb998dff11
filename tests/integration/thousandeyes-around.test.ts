import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call, FIXTURE, moveClock, setRateLimit, useStandin } from '../support/standin.js';

/** ThousandEyes around a rotation: who am I with each token, through the overlap; the rate limit. */
const standin = useStandin();

const whoAmI = (token: string) =>
  call(`${standin.url}/thousandeyes/v7/users/current`, {
    headers: { authorization: `Bearer ${token}` },
  });
const rotate = (token: string) =>
  call(`${standin.url}/thousandeyes/v7/api-tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });

test('GET /users/current answers the token’s user, hal+json, with a self link on standin', async () => {
  const answer = await whoAmI(FIXTURE.thousandeyes.alice);
  assert.equal(answer.status, 200);
  assert.equal(answer.headers.get('content-type'), 'application/hal+json');
  const user = answer.json as Record<string, unknown>;
  assert.equal(user.uid, '1001');
  assert.equal(user.email, 'alice@example.com');
  assert.deepEqual(user.loginAccountGroup, { aid: '1234', accountGroupName: 'Acme Monitoring' });
  assert.deepEqual((user._links as { self: { href: string } }).self, {
    href: `${standin.url}/thousandeyes/v7/users/current`,
  });
  assert.equal(((await whoAmI(FIXTURE.thousandeyes.bob)).json as { uid: string }).uid, '1002');
});

test('the client story: rotate, both tokens answer who-am-I for 14 days, then only the new one', async () => {
  await moveClock(standin.url, { set: '2027-06-01T00:00:00Z', frozen: true });
  const { bearerToken } = (await rotate(FIXTURE.thousandeyes.alice)).json as {
    bearerToken: string;
  };
  assert.equal((await whoAmI(bearerToken)).status, 200, 'the new token works at once');
  assert.equal(
    (await whoAmI(FIXTURE.thousandeyes.alice)).status,
    200,
    'the old one too, inside the overlap',
  );
  await moveClock(standin.url, { advance: 'P14DT1S' });
  const old = await whoAmI(FIXTURE.thousandeyes.alice);
  assert.equal(old.status, 401);
  assert.deepEqual(old.json, { error: 'invalid_token', error_description: 'Invalid access token' });
  assert.equal(((await whoAmI(bearerToken)).json as { uid: string }).uid, '1001');
});

test('the rate limit: 240 a minute per organisation, shared by its users, with the X-Organization-Rate-Limit headers', async () => {
  await moveClock(standin.url, { set: '2027-06-01T00:00:30Z', frozen: true });
  await setRateLimit(standin.url, 'thousandeyes', true);
  const first = await whoAmI(FIXTURE.thousandeyes.alice);
  assert.equal(first.headers.get('x-organization-rate-limit-limit'), '240');
  assert.equal(first.headers.get('x-organization-rate-limit-remaining'), '239');
  // "The limit rolls over one minute from the first request in a batch."
  assert.equal(
    first.headers.get('x-organization-rate-limit-reset'),
    String(Date.parse('2027-06-01T00:01:30Z') / 1000),
  );
  for (let index = 1; index < 240; index += 1) {
    const answer = await whoAmI(
      index % 2 === 0 ? FIXTURE.thousandeyes.alice : FIXTURE.thousandeyes.bob,
    );
    assert.equal(answer.status, 200, `request ${index + 1}`);
  }
  const refused = await whoAmI(FIXTURE.thousandeyes.bob);
  assert.equal(refused.status, 429);
  assert.equal(refused.headers.get('content-type'), 'application/problem+json');
  assert.equal(refused.headers.get('x-organization-rate-limit-remaining'), '0');
  const problem = refused.json as Record<string, unknown>;
  assert.deepEqual(
    [problem.type, problem.title, problem.status],
    ['about:blank', 'Too Many Requests', 429],
  );
  assert.equal((await rotate(FIXTURE.thousandeyes.alice)).status, 429, 'every operation counts');

  await moveClock(standin.url, { advance: 'PT1M' });
  const after = await whoAmI(FIXTURE.thousandeyes.alice);
  assert.equal(after.status, 200, 'a minute later the organisation may call again');
  assert.equal(after.headers.get('x-organization-rate-limit-remaining'), '239');
});

test('rate limits are off by default', async () => {
  const answer = await whoAmI(FIXTURE.thousandeyes.alice);
  assert.equal(answer.headers.get('x-organization-rate-limit-limit'), null);
});
