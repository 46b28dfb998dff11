import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import {
  call,
  credentials,
  FIXTURE,
  moveClock,
  putState,
  resetStandin,
  startStandin,
  stateOf,
  useStandin,
} from '../support/standin.js';

const STATES = path.join(import.meta.dirname, '..', 'fixtures', 'states');

const standin = useStandin();

const admin = (route: string, init?: RequestInit) => call(`${standin.url}/__admin${route}`, init);
const json = (method: string, body: unknown): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

test('reset restores the starting fixture and the real clock', async () => {
  await call(`${standin.url}/projectdiscovery/v1/user/apikey/rotate`, {
    method: 'POST',
    headers: { 'x-api-key': FIXTURE.projectdiscovery.alice },
  });
  await moveClock(standin.url, { advance: 'P30D' });
  assert.notEqual(
    (await credentials(standin.url, 'projectdiscovery', 'alice'))[0]?.value,
    FIXTURE.projectdiscovery.alice,
  );

  assert.equal((await admin('/reset', { method: 'POST' })).status, 204);
  assert.equal(
    (await credentials(standin.url, 'projectdiscovery', 'alice'))[0]?.value,
    FIXTURE.projectdiscovery.alice,
  );
  const clock = (await admin('/clock')).json as { now: string; offsetMs: number; frozen: boolean };
  assert.equal(clock.offsetMs, 0);
  assert.equal(clock.frozen, false);
  assert.ok(Math.abs(Date.parse(clock.now) - Date.now()) < 5000);
});

test('GET /credentials lists every valid credential as a client sends it, filtered by vendor and principal', async () => {
  const all = await credentials(standin.url);
  assert.deepEqual([...new Set(all.map((credential) => credential.vendor))].sort(), [
    'gorules',
    'pocketpaw',
    'projectdiscovery',
    'thousandeyes',
    'wiremock-cloud',
  ]);
  assert.deepEqual(await credentials(standin.url, 'thousandeyes', '1002'), [
    {
      vendor: 'thousandeyes',
      principal: '1002',
      header: 'Authorization',
      value: `Bearer ${FIXTURE.thousandeyes.bob}`,
      expiresAt: all.find((credential) => credential.principal === '1002')?.expiresAt ?? null,
      // The vendor's own rotation, as the dashboard sends it with this credential.
      rotate: { method: 'POST', path: '/thousandeyes/v7/api-tokens' },
    },
  ]);
  assert.deepEqual(await credentials(standin.url, 'wiremock-cloud', 'q7m3z'), [
    {
      vendor: 'wiremock-cloud',
      principal: 'q7m3z',
      header: 'Authorization',
      value: `Token ${FIXTURE.wiremock.carol}`,
      expiresAt: null,
      rotate: { method: 'POST', path: '/wiremock-cloud/v1/users/q7m3z/regenerate-api-token' },
    },
  ]);
});

test('GET and PUT /state/{vendor}: read a state, replace it, and the vendor behaves by it at once', async () => {
  const state = await stateOf<{ users: Array<{ id: string; apiKey: string }> }>(
    standin.url,
    'projectdiscovery',
  );
  assert.deepEqual(
    state.users.map((user) => user.id),
    ['alice', 'bob'],
  );
  const replaced = {
    users: [
      {
        id: 'carol',
        name: 'Carol',
        email: 'carol@example.com',
        teamName: 'C',
        plan: 'Free',
        role: 'owner',
        apiKey: 'carol-key',
      },
    ],
  };
  const answer = await putState(standin.url, 'projectdiscovery', replaced);
  assert.equal(answer.status, 200);
  assert.deepEqual(answer.json, replaced);
  const rotate = (key: string) =>
    call(`${standin.url}/projectdiscovery/v1/user/apikey/rotate`, {
      method: 'POST',
      headers: { 'x-api-key': key },
    });
  assert.equal((await rotate(FIXTURE.projectdiscovery.alice)).status, 401);
  assert.equal((await rotate('carol-key')).status, 200);
});

test('PUT /state/{vendor} with an invalid state answers 400 naming each failure and changes nothing', async () => {
  const answer = await putState(standin.url, 'thousandeyes', { users: [{ uid: '1' }] });
  assert.equal(answer.status, 400);
  assert.equal(answer.headers.get('content-type'), 'application/problem+json');
  const problem = answer.json as {
    detail: string;
    errors: Array<{ pointer: string; keyword: string }>;
  };
  assert.ok(
    problem.errors.some(
      (error) => error.pointer === '/users/0/name' && error.keyword === 'required',
    ),
  );
  assert.equal((await stateOf<{ users: unknown[] }>(standin.url, 'thousandeyes')).users.length, 2);
});

test('an unknown vendor answers 404', async () => {
  const answer = await admin('/state/acme');
  assert.equal(answer.status, 404);
  assert.match((answer.json as { detail: string }).detail, /no vendor named "acme"/);
});

test('the clock: advance by an ISO 8601 duration, set and freeze, release', async () => {
  const frozen = (
    await admin('/clock', json('POST', { set: '2027-01-31T10:00:00Z', frozen: true }))
  ).json as { now: string; frozen: boolean };
  assert.equal(frozen.now, '2027-01-31T10:00:00.000Z');
  assert.equal(frozen.frozen, true);
  assert.equal(
    await moveClock(standin.url, { advance: 'P1M' }),
    '2027-02-28T10:00:00.000Z',
    'calendar months',
  );
  assert.equal(await moveClock(standin.url, { advance: 'P14DT1H' }), '2027-03-14T11:00:00.000Z');
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(
    ((await admin('/clock')).json as { now: string }).now,
    '2027-03-14T11:00:00.000Z',
    'a frozen clock stands still',
  );
  const released = (await admin('/clock', json('POST', { frozen: false }))).json as {
    frozen: boolean;
  };
  assert.equal(released.frozen, false);
});

test('a bad clock change answers 400, checked by the control plane spec or by the clock', async () => {
  for (const body of [
    { advance: 'two weeks' },
    { set: 'tomorrow' },
    {},
    { advance: 'P1D', extra: true },
  ]) {
    const answer = await admin('/clock', json('POST', body));
    assert.equal(answer.status, 400, JSON.stringify(body));
  }
});

test('the control plane is described by its own OpenAPI document', async () => {
  const answer = await admin('/openapi.json');
  assert.equal(answer.status, 200);
  const spec = answer.json as { info: { title: string }; paths: Record<string, unknown> };
  assert.equal(spec.info.title, 'standin control plane');
  for (const route of [
    '/reset',
    '/state/{vendor}',
    '/credentials',
    '/clock',
    '/pocketpaw/sessions',
  ])
    assert.ok(route in spec.paths, route);
  const listing = (await call(`${standin.url}/`)).json as { controlPlane: { baseUrl: string } };
  assert.equal(listing.controlPlane.baseUrl, `${standin.url}/__admin`);
});

test('--state: a fixture file replaces the default state of the vendors it names', async () => {
  const custom = await startStandin({ state: path.join(STATES, 'custom.yaml') });
  try {
    assert.deepEqual(
      (await credentials(custom.url, 'projectdiscovery')).map((credential) => [
        credential.principal,
        credential.value,
      ]),
      [['ci', '11111111-2222-4333-8444-555555555555']],
    );
    assert.equal(
      (await credentials(custom.url, 'thousandeyes', '1001'))[0]?.value,
      `Bearer ${FIXTURE.thousandeyes.alice}`,
    );
    const rotated = await call(`${custom.url}/projectdiscovery/v1/user/apikey/rotate`, {
      method: 'POST',
      headers: { 'x-api-key': '11111111-2222-4333-8444-555555555555' },
    });
    assert.equal(rotated.status, 200);
    await resetStandin(custom.url);
    assert.equal(
      (await credentials(custom.url, 'projectdiscovery'))[0]?.value,
      '11111111-2222-4333-8444-555555555555',
      'reset returns to the file',
    );
  } finally {
    await custom.close();
  }
});

test('--state: an invalid fixture stops the start, naming the file, the vendor and the place', async () => {
  await assert.rejects(
    startStandin({ state: path.join(STATES, 'invalid.yaml') }),
    (error: Error) => {
      assert.match(error.message, /invalid\.yaml/);
      assert.match(error.message, /thousandeyes/);
      assert.match(
        error.message,
        /\/users\/0\/tokens\/0\/expiresAt must have required property 'expiresAt'/,
      );
      return true;
    },
  );
  await assert.rejects(
    startStandin({ state: path.join(STATES, 'missing.yaml') }),
    /cannot read the state file/,
  );
});

test('GET /rate-limits lists the documented limits, off by default; PUT switches one; reset switches it back', async () => {
  const listed = (await admin('/rate-limits')).json as Array<{
    vendor: string;
    enabled: boolean;
    description: string;
  }>;
  assert.deepEqual(
    listed.map(({ vendor, enabled }) => [vendor, enabled]),
    [
      ['pocketpaw', false],
      ['thousandeyes', false],
    ],
  );
  const switched = await admin('/rate-limits/thousandeyes', json('PUT', { enabled: true }));
  assert.deepEqual((switched.json as { enabled: boolean }).enabled, true);
  await resetStandin(standin.url);
  assert.ok(
    ((await admin('/rate-limits')).json as Array<{ enabled: boolean }>).every(
      (limit) => !limit.enabled,
    ),
  );
  assert.equal(
    (await admin('/rate-limits/projectdiscovery', json('PUT', { enabled: true }))).status,
    404,
  );
});

test('--rate-limits switches documented limits on at start; naming a vendor without one stops the start', async () => {
  const limited = await startStandin({ rateLimits: ['pocketpaw'] });
  try {
    const listed = (await call(`${limited.url}/__admin/rate-limits`)).json as Array<{
      vendor: string;
      enabled: boolean;
    }>;
    assert.deepEqual(Object.fromEntries(listed.map(({ vendor, enabled }) => [vendor, enabled])), {
      pocketpaw: true,
      thousandeyes: false,
    });
  } finally {
    await limited.close();
  }
  await assert.rejects(
    startStandin({ rateLimits: ['gorules'] }),
    /rate limits are documented only for pocketpaw, thousandeyes; not for gorules/,
  );
});
