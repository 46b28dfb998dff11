import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call, FIXTURE, useStandin } from '../support/standin.js';

/** Violations: every request that broke the spec, and every response a handler got wrong. */
let brokenAnswer = false;
const standin = useStandin({
  vendors: {
    projectdiscovery: {
      handlers: {
        'get-v1-user-apikey': () =>
          brokenAnswer
            ? { status: 200, body: { message: 'here', api_key: 42 } }
            : { status: 200, body: { message: 'here', api_key: 'k' } },
      },
    },
  },
});

interface Violation {
  direction: string;
  vendor: string | null;
  operationId: string | null;
  status: number;
  in: string;
  name?: string;
  pointer?: string;
  keyword?: string;
  message: string;
  schemaPath?: string;
}

const violations = async (): Promise<Violation[]> =>
  (await call(`${standin.url}/__admin/violations`)).json as Violation[];
const clear = () => call(`${standin.url}/__admin/violations`, { method: 'DELETE' });

test('a client that breaks the spec is recorded, each failure with where and what', async () => {
  await clear();
  await call(
    `${standin.url}/gorules/api/projects/not-a-uuid/environments/also-not/regenerate-token`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${FIXTURE.gorules.alice}` },
    },
  );
  const recorded = await violations();
  assert.deepEqual(
    recorded.map(({ direction, operationId, status, in: where, name, keyword }) => ({
      direction,
      operationId,
      status,
      where,
      name,
      keyword,
    })),
    [
      {
        direction: 'request',
        operationId: 'regenerateEnvironmentToken',
        status: 400,
        where: 'path',
        name: 'environmentId',
        keyword: 'format',
      },
      {
        direction: 'request',
        operationId: 'regenerateEnvironmentToken',
        status: 400,
        where: 'path',
        name: 'projectId',
        keyword: 'format',
      },
    ],
  );
});

test('a missing credential, a wrong media type, an unknown path and a wrong method are violations too', async () => {
  await clear();
  await call(`${standin.url}/thousandeyes/v7/api-tokens`, { method: 'POST' });
  await call(`${standin.url}/wiremock-cloud/v1/users/9gd5l/regenerate-api-token`, {
    method: 'POST',
    headers: { authorization: `Token ${FIXTURE.wiremock.alice}`, 'content-type': 'text/xml' },
    body: '<x/>',
  });
  await call(`${standin.url}/projectdiscovery/v1/nothing`);
  await call(`${standin.url}/projectdiscovery/v1/user/apikey/rotate`, { method: 'GET' });
  assert.deepEqual(
    (await violations()).map((violation) => [violation.vendor, violation.status, violation.in]),
    [
      ['thousandeyes', 401, 'security'],
      ['wiremock-cloud', 415, 'content-type'],
      ['projectdiscovery', 404, 'path'],
      ['projectdiscovery', 405, 'path'],
    ],
  );
});

test('a well-formed credential that is merely rotated away is a refusal, not a violation', async () => {
  await clear();
  const answer = await call(`${standin.url}/projectdiscovery/v1/user/apikey`, {
    headers: { 'x-api-key': 'an-unknown-but-well-formed-key' },
  });
  assert.equal(answer.status, 401);
  assert.deepEqual(await violations(), []);
});

test('a handler answer that breaks the spec is recorded as a response violation with its schema path', async () => {
  await clear();
  brokenAnswer = true;
  try {
    const answer = await call(`${standin.url}/projectdiscovery/v1/user/apikey`, {
      headers: { 'x-api-key': FIXTURE.projectdiscovery.alice },
    });
    assert.equal(answer.status, 500);
  } finally {
    brokenAnswer = false;
  }
  const [violation] = await violations();
  assert.deepEqual(
    {
      direction: violation?.direction,
      operationId: violation?.operationId,
      status: violation?.status,
      pointer: violation?.pointer,
      keyword: violation?.keyword,
    },
    {
      direction: 'response',
      operationId: 'get-v1-user-apikey',
      status: 200,
      pointer: '/api_key',
      keyword: 'type',
    },
  );
  assert.match(violation?.schemaPath ?? '', /GetUserAPIKeyResponse|responses\/200/);
});

test('a reset keeps the violations (a CI report spans every test); DELETE forgets them', async () => {
  await clear();
  await call(`${standin.url}/projectdiscovery/v1/nothing`);
  await call(`${standin.url}/__admin/reset`, { method: 'POST' });
  assert.equal((await violations()).length, 1);
  assert.equal((await clear()).status, 204);
  assert.deepEqual(await violations(), []);
});
