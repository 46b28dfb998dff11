import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call, FIXTURE, moveClock, useStandin } from '../support/standin.js';

/**
 * A vendor module's own control-plane actions, through the generic route
 * `POST /__admin/vendors/{vendor}/actions/{action}`: PocketPaw's `sessions` (and its older name
 * `POST /__admin/pocketpaw/sessions`), an unknown vendor or action, a body the action refuses.
 */
const standin = useStandin();

const action = (vendor: string, name: string, body?: unknown) =>
  call(`${standin.url}/__admin/vendors/${vendor}/actions/${name}`, {
    method: 'POST',
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });

const version = (token: string) =>
  call(`${standin.url}/pocketpaw/api/version`, { headers: { authorization: `Bearer ${token}` } });

test("PocketPaw's sessions action answers 201 with a session token that PocketPaw accepts", async () => {
  for (const body of [undefined, {}, { ttlSeconds: 60 }]) {
    const answer = await action('pocketpaw', 'sessions', body);
    assert.equal(answer.status, 201, answer.text);
    const { session_token: token, expires_at: expiresAt } = answer.json as {
      session_token: string;
      expires_at: string;
    };
    assert.match(token, /^\d+:[0-9a-f]{64}$/);
    assert.equal(Date.parse(expiresAt) / 1000, Number(token.split(':')[0]));
    assert.equal((await version(token)).status, 200, `session of ${JSON.stringify(body)}`);
  }
});

test('the action, its older route and the session exchange sign the same token at the same instant', async () => {
  await moveClock(standin.url, { set: '2030-01-01T00:00:00.600Z', frozen: true });
  const generic = await action('pocketpaw', 'sessions', {});
  const alias = await call(`${standin.url}/__admin/pocketpaw/sessions`, { method: 'POST' });
  const exchange = await call(`${standin.url}/pocketpaw/api/auth/session`, {
    method: 'POST',
    headers: { authorization: `Bearer ${FIXTURE.pocketpaw.master}` },
  });
  assert.equal(generic.status, 201, generic.text);
  assert.equal(alias.status, 201, alias.text);
  assert.equal(exchange.status, 200, exchange.text);
  const tokenOf = (answer: { json: unknown }): string =>
    (answer.json as { session_token: string }).session_token;
  assert.equal(tokenOf(alias), tokenOf(generic));
  assert.equal(tokenOf(exchange), tokenOf(generic));
  // 24 hours from the clock's whole second.
  assert.equal((generic.json as { expires_at: string }).expires_at, '2030-01-02T00:00:00.000Z');
});

test('an unknown vendor or action answers 404 problem+json naming the actions there are', async () => {
  for (const [vendor, name] of [
    ['nobody', 'sessions'],
    ['pocketpaw', 'nothing'],
    ['thousandeyes', 'sessions'],
  ] as const) {
    const answer = await action(vendor, name, {});
    assert.equal(answer.status, 404, `${vendor}/${name}: ${answer.text}`);
    assert.equal(answer.headers.get('content-type'), 'application/problem+json');
    assert.match((answer.json as { detail: string }).detail, /pocketpaw\/sessions/);
  }
});

test('a body the action refuses answers 400 problem+json with its failures, and nothing is made', async () => {
  for (const body of [
    { ttlSeconds: 0 },
    { ttlSeconds: 'soon' },
    { ttlSeconds: 60, extra: true },
    [1, 2],
  ]) {
    const answer = await action('pocketpaw', 'sessions', body);
    assert.equal(answer.status, 400, `${JSON.stringify(body)}: ${answer.text}`);
    assert.equal(answer.headers.get('content-type'), 'application/problem+json');
    const problem = answer.json as { detail: string; errors: Array<{ in: string }> };
    assert.match(problem.detail, /pocketpaw\/sessions refuses this body/);
    assert.ok(problem.errors.length > 0);
    assert.ok(problem.errors.every((failure) => failure.in === 'body'));
  }
  const violations = (await call(`${standin.url}/__admin/violations`)).json as unknown[];
  assert.deepEqual(violations, [], 'every refusal was a documented answer');
});
