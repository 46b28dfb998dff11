import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call, FIXTURE, useStandin } from '../support/standin.js';

/** Every control-plane input has a bound; nothing a test sends leaves standin answering 500. */
const standin = useStandin();

const post = (path: string, body: unknown) =>
  call(`${standin.url}/__admin${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const rotateThousandEyes = () =>
  call(`${standin.url}/thousandeyes/v7/api-tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${FIXTURE.thousandeyes.alice}` },
  });

test('a clock move past what a date can hold is a 400 that changes nothing', async () => {
  const before = (await call(`${standin.url}/__admin/clock`)).json as { offsetMs: number };
  for (const change of [
    { advance: 'P9000Y' },
    { advance: 'PT99999999999999999999S' },
    { advance: 'P300000Y' },
    { set: '9999-12-31T00:00:00Z' },
    { set: '1969-12-31T23:59:59Z' },
    { set: '2020-01-01T00:00:00Z', advance: 'P8000Y' },
  ]) {
    const answer = await post('/clock', change);
    assert.equal(answer.status, 400, JSON.stringify(change));
    assert.match(answer.text, /range it can move within|not a forward/, JSON.stringify(change));
  }
  const after = (await call(`${standin.url}/__admin/clock`)).json as { offsetMs: number };
  assert.ok(Math.abs(after.offsetMs - before.offsetMs) < 1000, 'the clock did not move');
  assert.equal((await call(`${standin.url}/__admin/clock`)).status, 200, 'and still answers');
  assert.equal((await rotateThousandEyes()).status, 201);
});

test('at the latest instant the clock may hold, a rotation still answers what it committed', async () => {
  // A namespace whose fixture is made at that instant, so its tokens are valid then.
  const far = { 'x-standin-namespace': 'far-future', 'content-type': 'application/json' };
  const moved = await call(`${standin.url}/__admin/clock`, {
    method: 'POST',
    headers: far,
    body: JSON.stringify({ set: '9000-01-01T00:00:00Z', frozen: true }),
  });
  assert.equal(moved.status, 200, moved.text);
  const answer = await call(`${standin.url}/thousandeyes/v7/api-tokens`, {
    method: 'POST',
    headers: { ...far, authorization: `Bearer ${FIXTURE.thousandeyes.alice}` },
  });
  assert.equal(answer.status, 201, answer.text);
  assert.match((answer.json as { validUntil: string }).validUntil, /^9002-01-01T/);
  const session = await call(`${standin.url}/__admin/pocketpaw/sessions`, {
    method: 'POST',
    headers: far,
    body: JSON.stringify({ ttlSeconds: 3_155_760_000 }),
  });
  assert.equal(session.status, 201, session.text);
});

test('a PocketPaw session longer than 100 years is a 400, not a RangeError', async () => {
  const answer = await post('/pocketpaw/sessions', { ttlSeconds: 9_000_000_000_000 });
  assert.equal(answer.status, 400);
  assert.match(answer.text, /ttlSeconds/);
});

test('faults are bounded: 100 per namespace, and `times` at most a million', async () => {
  const fault = { vendor: 'projectdiscovery', operationId: 'get-v1-user', delayMs: 1 };
  for (let index = 0; index < 100; index += 1) {
    assert.equal((await post('/faults', fault)).status, 201);
  }
  const over = await post('/faults', fault);
  assert.equal(over.status, 400);
  assert.match(over.text, /100 faults/);
  assert.equal(((await call(`${standin.url}/__admin/faults`)).json as unknown[]).length, 100);
  await call(`${standin.url}/__admin/faults`, { method: 'DELETE' });
  assert.equal((await post('/faults', { ...fault, times: 2_000_000 })).status, 400);
});
