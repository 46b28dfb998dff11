import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call, FIXTURE, moveClock, startStandin, useStandin } from '../support/standin.js';

/** The request journal: what a CI job asks afterwards ("exactly one rotation happened"). */
const standin = useStandin();

interface Entry {
  time: string;
  namespace: string;
  vendor: string | null;
  operationId: string | null;
  method: string;
  path: string;
  status: number;
  durationMs: number;
  credential: { scheme: string; principal: string | null; fingerprint: string } | null;
}

const journal = async (query = ''): Promise<Entry[]> =>
  (await call(`${standin.url}/__admin/requests${query}`)).json as Entry[];
const count = async (matcher: object): Promise<number> =>
  (
    (
      await call(`${standin.url}/__admin/requests/count`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(matcher),
      })
    ).json as { count: number }
  ).count;
const rotate = (key: string) =>
  call(`${standin.url}/projectdiscovery/v1/user/apikey/rotate`, {
    method: 'POST',
    headers: { 'x-api-key': key },
  });

test('every vendor request is recorded: virtual time, operation, status, duration, and whose credential (never the token)', async () => {
  await call(`${standin.url}/__admin/requests`, { method: 'DELETE' });
  const now = await moveClock(standin.url, { set: '2027-02-02T10:00:00Z', frozen: true });
  await rotate(FIXTURE.projectdiscovery.alice);
  const [entry] = await journal();
  assert.ok(entry);
  assert.equal(entry.time, now);
  assert.deepEqual(
    {
      vendor: entry.vendor,
      operationId: entry.operationId,
      method: entry.method,
      path: entry.path,
      status: entry.status,
      namespace: entry.namespace,
    },
    {
      vendor: 'projectdiscovery',
      operationId: 'post-v1-user-apikey-rotate',
      method: 'POST',
      path: '/projectdiscovery/v1/user/apikey/rotate',
      status: 200,
      namespace: 'default',
    },
  );
  assert.equal(typeof entry.durationMs, 'number');
  assert.equal(entry.credential?.scheme, 'X-API-Key');
  assert.equal(entry.credential?.principal, 'alice');
  assert.match(entry.credential?.fingerprint ?? '', /^[0-9a-f]{12}$/);
  assert.ok(
    !JSON.stringify(await journal()).includes(FIXTURE.projectdiscovery.alice),
    'the key itself is nowhere',
  );
});

test('filters and counts: vendor, operationId, status, since; the control plane’s own calls are not recorded', async () => {
  await call(`${standin.url}/__admin/requests`, { method: 'DELETE' });
  await moveClock(standin.url, { set: '2027-02-02T10:00:00Z', frozen: true });
  await rotate(FIXTURE.projectdiscovery.alice);
  await rotate(FIXTURE.projectdiscovery.alice); // the key is gone: 401
  await moveClock(standin.url, { advance: 'PT1H' });
  await call(`${standin.url}/thousandeyes/v7/users/current`, {
    headers: { authorization: `Bearer ${FIXTURE.thousandeyes.bob}` },
  });
  await call(`${standin.url}/nowhere`);

  assert.equal(
    await count({
      vendor: 'projectdiscovery',
      operationId: 'post-v1-user-apikey-rotate',
      status: 200,
    }),
    1,
    'exactly one rotation happened',
  );
  assert.equal(await count({ vendor: 'projectdiscovery', status: 401 }), 1);
  assert.equal(await count({ since: '2027-02-02T10:30:00Z' }), 2);
  assert.deepEqual(
    (await journal('?vendor=thousandeyes')).map((entry) => entry.operationId),
    ['getCurrentUser'],
  );
  assert.deepEqual(
    (await journal('?status=404')).map((entry) => [entry.vendor, entry.path]),
    [[null, '/nowhere']],
  );
  assert.ok((await journal()).every((entry) => !entry.path.startsWith('/__admin')));

  assert.equal((await call(`${standin.url}/__admin/requests`, { method: 'DELETE' })).status, 204);
  assert.deepEqual(await journal(), []);
});

test('the journal is bounded: only the newest --journal-size requests are kept', async () => {
  const small = await startStandin({ journalSize: 5 });
  try {
    for (let index = 0; index < 12; index += 1) await call(`${small.url}/nowhere/${index}`);
    const kept = (await call(`${small.url}/__admin/requests`)).json as Entry[];
    assert.deepEqual(
      kept.map((entry) => entry.path),
      [7, 8, 9, 10, 11].map((index) => `/nowhere/${index}`),
    );
  } finally {
    await small.close();
  }
});
