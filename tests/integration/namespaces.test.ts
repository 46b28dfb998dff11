import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call, FIXTURE, useStandin } from '../support/standin.js';

/** Namespaces: parallel test workers share one standin without seeing each other. */
const standin = useStandin();

const inNamespace = (namespace: string, path: string, init: RequestInit = {}) =>
  call(`${standin.url}${path}`, {
    ...init,
    headers: { ...(init.headers as Record<string, string>), 'x-standin-namespace': namespace },
  });
const rotate = (namespace: string, key: string) =>
  inNamespace(namespace, '/projectdiscovery/v1/user/apikey/rotate', {
    method: 'POST',
    headers: { 'x-api-key': key },
  });

test('two namespaces, used at once, each start from the fixture and keep their own state', async () => {
  const [a, b] = await Promise.all([
    rotate('worker-a', FIXTURE.projectdiscovery.alice),
    rotate('worker-b', FIXTURE.projectdiscovery.alice),
  ]);
  assert.equal(a.status, 200, 'worker-a rotates from its own copy of the fixture');
  assert.equal(b.status, 200, 'and so does worker-b, with the same starting key');
  const keyA = (a.json as { api_key: string }).api_key;
  const keyB = (b.json as { api_key: string }).api_key;
  assert.equal(
    (await rotate('worker-a', keyB)).status,
    401,
    "worker-b's key means nothing in worker-a",
  );
  assert.equal((await rotate('worker-a', keyA)).status, 200);
  assert.equal(
    (await rotate('default', FIXTURE.projectdiscovery.alice)).status,
    200,
    'the default namespace is untouched',
  );
});

test('each namespace has its own clock, journal, faults, violations and coverage; reset resets one', async () => {
  const json = (method: string, body: unknown) => ({
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await inNamespace('clock-a', '/__admin/clock', json('POST', { advance: 'P30D' }));
  const clockA = (await inNamespace('clock-a', '/__admin/clock')).json as { offsetMs: number };
  const clockB = (await inNamespace('clock-b', '/__admin/clock')).json as { offsetMs: number };
  assert.ok(clockA.offsetMs >= 30 * 86_400_000 - 1000);
  assert.equal(clockB.offsetMs, 0);

  await inNamespace(
    'clock-a',
    '/__admin/faults',
    json('POST', { vendor: 'projectdiscovery', status: 500 }),
  );
  assert.equal((await rotate('clock-a', FIXTURE.projectdiscovery.bob)).status, 500);
  assert.equal(
    (await rotate('clock-b', FIXTURE.projectdiscovery.bob)).status,
    200,
    'the fault is clock-a’s alone',
  );
  await inNamespace('clock-b', '/projectdiscovery/v1/nothing');

  const journalA = (await inNamespace('clock-a', '/__admin/requests')).json as Array<{
    namespace: string;
  }>;
  assert.ok(journalA.length > 0 && journalA.every((entry) => entry.namespace === 'clock-a'));
  assert.deepEqual((await inNamespace('clock-a', '/__admin/violations')).json, []);
  assert.equal(((await inNamespace('clock-b', '/__admin/violations')).json as unknown[]).length, 1);

  await inNamespace('clock-a', '/__admin/reset', { method: 'POST' });
  assert.equal(
    ((await inNamespace('clock-a', '/__admin/clock')).json as { offsetMs: number }).offsetMs,
    0,
  );
  assert.equal(
    (await rotate('clock-a', FIXTURE.projectdiscovery.bob)).status,
    200,
    'the fault is cleared by the reset',
  );
  assert.equal(
    (await rotate('clock-b', FIXTURE.projectdiscovery.bob)).status,
    401,
    'clock-b was not reset',
  );
});

test('a namespace name must be plain: 400 problem+json otherwise', async () => {
  const answer = await inNamespace('no spaces!', '/projectdiscovery/v1/user/apikey/rotate', {
    method: 'POST',
  });
  assert.equal(answer.status, 400);
  assert.match((answer.json as { detail: string }).detail, /x-standin-namespace must be/);
});
