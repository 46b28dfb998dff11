import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect, ControlPlaneError, type RequestCount } from '../../src/index.js';
import { eventually } from '../support/eventually.js';
import { call, FIXTURE, startStandin, useStandin } from '../support/standin.js';

/**
 * The typed control-plane client (`connect()`, and `admin` on a server from `createServer()`)
 * against a real standin: every method, namespaces, a guarded control plane and the errors.
 */
const standin = useStandin();

const rotateThousandEyes = (token: string, headers: Record<string, string> = {}) =>
  call(`${standin.url}/thousandeyes/v7/api-tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, ...headers },
  });

/** The ControlPlaneError a rejected call threw, for assertions on its fields. */
async function refusal(pending: Promise<unknown>): Promise<ControlPlaneError> {
  try {
    await pending;
  } catch (error) {
    if (error instanceof ControlPlaneError) return error;
    throw error;
  }
  assert.fail('the call was expected to be refused');
}

test('state.get and state.put read and replace a vendor state; reset() brings the fixture back', async () => {
  const { admin } = standin;
  const fixture = await admin.state.get('projectdiscovery');
  const renamed = JSON.parse(
    JSON.stringify(fixture).replace('"Alice Hunter"', '"Alice Renamed"'),
  ) as typeof fixture;
  assert.deepEqual(await admin.state.put('projectdiscovery', renamed), renamed, 'put answers it');
  assert.deepEqual(await admin.state.get('projectdiscovery'), renamed);
  await admin.reset();
  assert.deepEqual(await admin.state.get('projectdiscovery'), fixture);

  const invalid = await refusal(admin.state.put('projectdiscovery', { users: 'nobody' }));
  assert.equal(invalid.status, 400);
  assert.match(invalid.detail, /the state of projectdiscovery is not valid/);
  assert.deepEqual(await admin.state.get('projectdiscovery'), fixture, 'and changed nothing');
});

test('credentials() lists every vendor; a vendor and a principal narrow it', async () => {
  const all = await standin.admin.credentials();
  assert.deepEqual([...new Set(all.map((credential) => credential.vendor))].sort(), [
    'gorules',
    'pocketpaw',
    'projectdiscovery',
    'thousandeyes',
    'wiremock-cloud',
  ]);
  const alice = await standin.admin.credentials({ vendor: 'thousandeyes', principal: '1001' });
  assert.deepEqual(
    alice.map(({ vendor, header, value }) => ({ vendor, header, value })),
    [
      {
        vendor: 'thousandeyes',
        header: 'Authorization',
        value: `Bearer ${FIXTURE.thousandeyes.alice}`,
      },
    ],
  );
});

test('clock: set and freeze, advance by an ISO duration, unfreeze and freeze again', async () => {
  const { clock } = standin.admin;
  assert.equal((await clock.get()).offsetMs < 1000, true, 'real time after a reset');
  const set = await clock.set(new Date('2027-01-01T00:00:00Z'), { frozen: true });
  assert.deepEqual(
    { now: set.now, frozen: set.frozen },
    {
      now: '2027-01-01T00:00:00.000Z',
      frozen: true,
    },
  );
  assert.equal((await clock.advance('P14DT1H')).now, '2027-01-15T01:00:00.000Z');
  assert.equal((await clock.get()).now, '2027-01-15T01:00:00.000Z', 'frozen: it stays there');
  assert.equal((await clock.unfreeze()).frozen, false);
  const frozenAgain = await clock.freeze();
  assert.equal(frozenAgain.frozen, true);
  assert.ok(frozenAgain.now >= '2027-01-15T01:00:00.000Z', 'frozen where it had run to');
  assert.equal((await clock.set('2030-06-01T12:00:00Z')).now, '2030-06-01T12:00:00.000Z');
});

test('an invalid clock move throws a ControlPlaneError with the 400 and its detail, and changes nothing', async () => {
  const { clock } = standin.admin;
  await clock.set('2027-01-01T00:00:00Z', { frozen: true });
  const backwards = await refusal(clock.advance('-P1D'));
  assert.equal(backwards.status, 400);
  assert.equal(backwards.operationId, 'moveClock');
  assert.match(backwards.detail, /not a forward ISO 8601 duration/);
  assert.equal(backwards.problem?.status, 400, 'the whole problem+json is kept');
  assert.match(backwards.message, /moveClock answered 400: .*not a forward ISO 8601 duration/);
  const tooFar = await refusal(clock.set('9999-01-01T00:00:00Z'));
  assert.equal(tooFar.status, 400);
  assert.match(tooFar.detail, /9000-01-01/);
  assert.equal((await clock.get()).now, '2027-01-01T00:00:00.000Z');
});

test('faults: add answers the fault, list shows it, it strikes, clear removes it', async () => {
  const { faults } = standin.admin;
  const fault = await faults.add({
    vendor: 'thousandeyes',
    operationId: 'regenerateApiToken',
    status: 500,
    times: 1,
  });
  assert.equal(typeof fault.id, 'string');
  assert.deepEqual(
    { ...fault, id: undefined },
    {
      id: undefined,
      vendor: 'thousandeyes',
      operationId: 'regenerateApiToken',
      status: 500,
      delayMs: 0,
      reset: false,
      phase: 'before-commit',
      remaining: 1,
    },
  );
  assert.deepEqual(await faults.list(), [fault]);
  assert.equal((await rotateThousandEyes(FIXTURE.thousandeyes.alice)).status, 500);
  await faults.add({ vendor: 'thousandeyes', delayMs: 1 });
  assert.equal((await faults.list()).length, 1, 'the spent fault is gone, the new one listed');
  await faults.clear();
  assert.deepEqual(await faults.list(), []);
  assert.equal((await rotateThousandEyes(FIXTURE.thousandeyes.alice)).status, 201);
});

test('a wrong body does not compile, and standin refuses it too', async () => {
  const { faults } = standin.admin;
  // The generated spec types say a fault's status is a number: this must not type-check.
  // @ts-expect-error status is a string here
  const wrongType = await refusal(faults.add({ vendor: 'thousandeyes', status: '500' }));
  assert.equal(wrongType.status, 400);
  // @ts-expect-error `vendor` is required by FaultRequest
  const noVendor = await refusal(faults.add({ operationId: 'regenerateApiToken' }));
  assert.equal(noVendor.status, 400);
  assert.deepEqual(await faults.list(), []);
});

test('requests: list with a filter, count with a matcher (or all), clear', async () => {
  const { requests } = standin.admin;
  await requests.clear();
  assert.equal((await rotateThousandEyes(FIXTURE.thousandeyes.alice)).status, 201);
  assert.equal((await rotateThousandEyes('not-a-token')).status, 401);
  const journalled = await eventually(
    () => requests.list({ vendor: 'thousandeyes' }),
    (entries) => entries.length === 2,
  );
  assert.deepEqual(
    journalled.map(({ operationId, status }) => ({ operationId, status })),
    [
      { operationId: 'regenerateApiToken', status: 201 },
      { operationId: 'regenerateApiToken', status: 401 },
    ],
  );
  assert.deepEqual(await requests.list({ status: 401 }), [journalled[1]]);
  const rotations: RequestCount = await requests.count({
    vendor: 'thousandeyes',
    operationId: 'regenerateApiToken',
    status: 201,
  });
  assert.deepEqual(rotations, { count: 1 }, 'exactly one rotation happened');
  assert.deepEqual(await requests.count(), { count: 2 });
  await requests.clear();
  assert.deepEqual(await requests.count(), { count: 0 });
});

test('violations: a request that broke the spec is listed, clear forgets it', async () => {
  const { violations } = standin.admin;
  await violations.clear();
  await call(`${standin.url}/gorules/api/projects/not-a-uuid/environments/x/regenerate-token`, {
    method: 'POST',
    headers: { authorization: `Bearer ${FIXTURE.gorules.alice}` },
  });
  const listed = await eventually(
    () => violations.list(),
    (found) => found.length > 0,
  );
  assert.ok(listed.length > 0);
  assert.ok(
    listed.every(
      (violation) =>
        violation.direction === 'request' &&
        violation.operationId === 'regenerateEnvironmentToken' &&
        violation.status === 400,
    ),
  );
  await violations.clear();
  assert.deepEqual(await violations.list(), []);
});

test('coverage: get counts each documented status served, clear starts again', async () => {
  const { coverage } = standin.admin;
  await coverage.clear();
  await rotateThousandEyes(FIXTURE.thousandeyes.alice);
  const served = async (): Promise<number | undefined> =>
    (await coverage.get())
      .find((operation) => operation.operationId === 'regenerateApiToken')
      ?.statuses.find(({ status }) => status === '201')?.served;
  assert.equal(await eventually(served, (count) => count === 1), 1);
  await coverage.clear();
  assert.equal(await served(), 0);
});

test('namespaces: namespace() and connect({namespace}) work apart from default; list and delete', async () => {
  const { admin } = standin;
  await admin.requests.clear();
  const worker = admin.namespace('client-worker-1');
  assert.equal(worker.namespaceName, 'client-worker-1');
  assert.equal(admin.namespaceName, 'default');
  await worker.clock.set('2031-01-01T00:00:00Z', { frozen: true });
  assert.equal((await worker.clock.get()).now, '2031-01-01T00:00:00.000Z');
  assert.ok((await admin.clock.get()).offsetMs < 1000, "default's clock did not move");

  const sameWorker = connect(standin.url, { namespace: 'client-worker-1' });
  assert.equal((await sameWorker.clock.get()).now, '2031-01-01T00:00:00.000Z');
  assert.equal(
    (
      await rotateThousandEyes(FIXTURE.thousandeyes.alice, {
        'x-standin-namespace': 'client-worker-1',
      })
    ).status,
    201,
  );
  assert.deepEqual(
    await eventually(
      () => sameWorker.requests.count(),
      (found) => found.count === 1,
    ),
    { count: 1 },
  );
  assert.deepEqual(await admin.requests.count({ status: 201 }), { count: 0 }, 'not in default');

  const listed = await admin.namespaces.list();
  assert.equal(listed.namespaces[0]?.name, 'default');
  assert.ok(listed.namespaces.some(({ name }) => name === 'client-worker-1'));
  assert.equal(typeof listed.max, 'number');
  await admin.namespaces.delete('client-worker-1');
  assert.ok(
    !(await admin.namespaces.list()).namespaces.some(({ name }) => name === 'client-worker-1'),
  );
  const gone = await refusal(admin.namespaces.delete('client-worker-1'));
  assert.equal(gone.status, 404);
  const notDefault = await refusal(admin.namespaces.delete('default'));
  assert.equal(notDefault.status, 400);
  assert.match(notDefault.detail, /default namespace cannot be deleted/);
});

test('connect() takes the control plane URL as well as the server URL', async () => {
  const viaAdminUrl = connect(standin.adminUrl);
  assert.deepEqual(
    await viaAdminUrl.credentials({ vendor: 'projectdiscovery', principal: 'alice' }),
    await standin.admin.credentials({ vendor: 'projectdiscovery', principal: 'alice' }),
  );
});

test('a guarded control plane: without the token a 401 with its detail; with it (and admin) every call works', async () => {
  const adminToken = 'control-plane-client-test-token';
  const guarded = await startStandin({ adminToken });
  try {
    const anonymous = await refusal(connect(guarded.url).clock.get());
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.detail, /expected an Authorization header "Bearer <token>"/);
    const wrong = await refusal(connect(guarded.url, { adminToken: `${adminToken}-not` }).reset());
    assert.equal(wrong.status, 401);
    assert.match(wrong.detail, /admin token/);

    const withToken = connect(guarded.url, { adminToken });
    assert.equal((await withToken.clock.advance('P1D')).offsetMs >= 86_400_000 - 1000, true);
    await guarded.admin.reset();
    assert.ok((await guarded.admin.clock.get()).offsetMs < 1000, 'admin carries the token');
    const inNamespace = withToken.namespace('guarded-worker');
    await inNamespace.clock.advance('PT1H');
    await guarded.admin.namespaces.delete('guarded-worker');
  } finally {
    await guarded.close();
  }
});
