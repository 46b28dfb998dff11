import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call, FIXTURE, useStandin } from '../support/standin.js';

/** Namespaces are bounded: inventing names cannot grow standin without end. */
const standin = useStandin({ maxNamespaces: 3 }, { resetEachTest: false });

const inNamespace = (namespace: string, path: string, init: RequestInit = {}) =>
  call(`${standin.url}${path}`, {
    ...init,
    headers: { ...(init.headers as Record<string, string>), 'x-standin-namespace': namespace },
  });
const profile = (namespace: string, key: string = FIXTURE.projectdiscovery.alice) =>
  inNamespace(namespace, '/projectdiscovery/v1/user', { headers: { 'x-api-key': key } });
const rotate = (namespace: string, key: string) =>
  inNamespace(namespace, '/projectdiscovery/v1/user/apikey/rotate', {
    method: 'POST',
    headers: { 'x-api-key': key },
  });

interface Listing {
  max: number;
  namespaces: Array<{ name: string; requests: number }>;
}
const listing = async (): Promise<Listing> =>
  (await call(`${standin.url}/__admin/namespaces`)).json as Listing;
const names = async (): Promise<string[]> =>
  (await listing()).namespaces.map((namespace) => namespace.name);
const remove = (name: string) =>
  call(`${standin.url}/__admin/namespaces/${name}`, { method: 'DELETE' });

test('refused requests make no namespace: 404s and missing credentials, however many names', async () => {
  for (let index = 0; index < 40; index += 1) {
    assert.equal((await inNamespace(`lost-${index}`, '/nowhere')).status, 404);
    assert.equal((await inNamespace(`lost-${index}`, '/projectdiscovery/v1/nothing')).status, 404);
    assert.equal((await inNamespace(`anon-${index}`, '/projectdiscovery/v1/user')).status, 401);
  }
  assert.deepEqual(await names(), ['default']);
  // Nothing is lost: those requests are journalled by default, under the name they asked for.
  const journal = (await call(`${standin.url}/__admin/requests`)).json as Array<{
    namespace: string;
  }>;
  assert.ok(journal.some((entry) => entry.namespace === 'lost-39'));
  assert.ok(journal.some((entry) => entry.namespace === 'anon-39'));
});

test('past --max-namespaces a new one is refused with a clear 503; deleting one frees its slot', async () => {
  for (const name of ['a', 'b', 'c']) assert.equal((await profile(name)).status, 200, name);
  const refused = await profile('d');
  assert.equal(refused.status, 503);
  assert.equal(refused.headers.get('content-type'), 'application/problem+json');
  assert.match(refused.text, /too-many-namespaces/);
  assert.match(refused.text, /DELETE \/__admin\/namespaces/);
  assert.equal(refused.headers.get('retry-after'), null, 'waiting alone would not help');
  assert.equal((await profile('a')).status, 200, 'the ones that exist keep working');

  const listed = await listing();
  assert.equal(listed.max, 3);
  assert.deepEqual(
    listed.namespaces.map((namespace) => namespace.name),
    ['default', 'a', 'b', 'c'],
  );
  assert.equal(listed.namespaces.find((namespace) => namespace.name === 'a')?.requests, 2);

  assert.equal((await remove('c')).status, 204);
  assert.equal((await profile('d')).status, 200);
  assert.deepEqual(await names(), ['default', 'a', 'b', 'd']);
  for (const name of ['a', 'b', 'd']) assert.equal((await remove(name)).status, 204);
});

test('a deleted namespace takes its state, clock and journal with it', async () => {
  const rotated = await rotate('gone', FIXTURE.projectdiscovery.alice);
  assert.equal(rotated.status, 200);
  await inNamespace('gone', '/__admin/clock', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ advance: 'P1D' }),
  });
  assert.equal((await profile('gone')).status, 401, 'the fixture key was rotated away');
  assert.equal((await remove('gone')).status, 204);
  assert.equal((await remove('gone')).status, 404, 'it is gone');
  assert.equal((await profile('gone')).status, 200, 'made again, from the fixture');
  const clock = (await inNamespace('gone', '/__admin/clock')).json as { offsetMs: number };
  assert.equal(clock.offsetMs, 0);
  const journal = (await inNamespace('gone', '/__admin/requests')).json as unknown[];
  assert.equal(journal.length, 1, 'only the request made since');
  await remove('gone');
});

test('default cannot be deleted, and a bad name is refused by the spec', async () => {
  const answer = await remove('default');
  assert.equal(answer.status, 400);
  assert.match(answer.text, /POST \/__admin\/reset/);
  assert.equal((await remove('no%20spaces')).status, 400);
});
