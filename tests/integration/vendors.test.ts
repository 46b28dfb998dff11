import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authAs, call, ENVIRONMENT_ID, PROJECT_ID, useStandin } from '../support/standin.js';

const standin = useStandin();

const url = (path: string): string => standin.url + path;

test('GET / lists the five vendors with their base URLs and operations', async () => {
  const answer = await call(url('/'));
  assert.equal(answer.status, 200);
  const listing = answer.json as {
    vendors: Array<{
      name: string;
      baseUrl: string;
      specUrl: string;
      operations: Array<{ path: string }>;
    }>;
  };
  const byName = new Map(listing.vendors.map((vendor) => [vendor.name, vendor]));
  assert.deepEqual([...byName.keys()].sort(), [
    'gorules',
    'pocketpaw',
    'projectdiscovery',
    'thousandeyes',
    'wiremock-cloud',
  ]);
  assert.equal(byName.get('thousandeyes')?.baseUrl, url('/thousandeyes/v7'));
  assert.equal(byName.get('gorules')?.baseUrl, url('/gorules'));
  assert.equal(byName.get('thousandeyes')?.operations[0]?.path, '/thousandeyes/v7/api-tokens');
  assert.equal(byName.get('wiremock-cloud')?.specUrl, url('/wiremock-cloud/openapi.json'));
});

test('GET /<vendor>/openapi.json serves the dereferenced spec, pointing at standin', async () => {
  const answer = await call(url('/thousandeyes/openapi.json'));
  assert.equal(answer.status, 200);
  const spec = answer.json as {
    openapi: string;
    servers: Array<{ url: string }>;
    paths: Record<
      string,
      { post: { responses: Record<string, { content: Record<string, { schema: unknown }> }> } }
    >;
  };
  assert.equal(spec.openapi, '3.0.1');
  assert.equal(spec.servers[0]?.url, '/thousandeyes/v7');
  assert.equal(spec.servers[1]?.url, 'https://api.thousandeyes.com/v7');
  const schema = spec.paths['/api-tokens']?.post.responses['201']?.content['application/hal+json']
    ?.schema as Record<string, unknown>;
  assert.equal(schema.$ref, undefined, 'the $ref to ApiToken is replaced by the schema itself');
  assert.ok((schema.properties as Record<string, unknown>).bearerToken);
});

test('ThousandEyes: POST /thousandeyes/v7/api-tokens answers 201 application/hal+json', async () => {
  const answer = await call(url('/thousandeyes/v7/api-tokens'), {
    method: 'POST',
    headers: await authAs(standin.url, 'thousandeyes'),
  });
  assert.equal(answer.status, 201);
  assert.equal(answer.headers.get('content-type'), 'application/hal+json');
  assert.equal(typeof (answer.json as { bearerToken: unknown }).bearerToken, 'string');
});

test('ThousandEyes: no bearer token answers 401 problem+json in its OAuth shape', async () => {
  const answer = await call(url('/thousandeyes/v7/api-tokens'), { method: 'POST' });
  assert.equal(answer.status, 401);
  assert.equal(answer.headers.get('content-type'), 'application/problem+json');
  assert.deepEqual(answer.json, {
    error: 'invalid_token',
    error_description: 'Invalid access token',
  });
  assert.match(answer.headers.get('www-authenticate') ?? '', /^Bearer/);
});

test('WireMock Cloud: POST /wiremock-cloud/v1/users/{userId}/regenerate-api-token answers 200 {}', async () => {
  const answer = await call(url('/wiremock-cloud/v1/users/9gd5l/regenerate-api-token'), {
    method: 'POST',
    headers: {
      ...(await authAs(standin.url, 'wiremock-cloud', '9gd5l')),
      'content-type': 'application/json',
    },
    body: '{}',
  });
  assert.equal(answer.status, 200);
  assert.equal(answer.headers.get('content-type'), 'application/json');
  assert.deepEqual(answer.json, {});
});

test("WireMock Cloud: a Bearer token is not its 'Token ' scheme: 401 text/plain", async () => {
  for (const authorization of [undefined, 'Bearer wm-key', 'Token ', 'wm-key']) {
    const answer = await call(url('/wiremock-cloud/v1/users/9gd5l/regenerate-api-token'), {
      method: 'POST',
      headers: authorization === undefined ? {} : { authorization },
    });
    assert.equal(answer.status, 401, `Authorization: ${authorization}`);
    assert.equal(answer.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(answer.text, 'Credentials are required to access this resource.');
  }
});

test('PocketPaw: POST /pocketpaw/api/token/regenerate answers 200 {token}', async () => {
  const answer = await call(url('/pocketpaw/api/token/regenerate'), {
    method: 'POST',
    // The documented snippets send a JSON content type and no body; the operation takes none.
    headers: {
      ...(await authAs(standin.url, 'pocketpaw', 'owner')),
      'content-type': 'application/json',
    },
  });
  assert.equal(answer.status, 200);
  assert.match((answer.json as { token: string }).token, /^pk_/);
});

test('PocketPaw: no bearer token answers 401 {detail}', async () => {
  const answer = await call(url('/pocketpaw/api/token/regenerate'), { method: 'POST' });
  assert.equal(answer.status, 401);
  assert.equal(answer.headers.get('content-type'), 'application/json');
  assert.deepEqual(answer.json, { detail: 'Unauthorized' });
});

test('ProjectDiscovery: POST /projectdiscovery/v1/user/apikey/rotate answers 200 {message, api_key}', async () => {
  const answer = await call(url('/projectdiscovery/v1/user/apikey/rotate'), {
    method: 'POST',
    headers: { 'X-Api-Key': (await authAs(standin.url, 'projectdiscovery'))['x-api-key'] ?? '' },
  });
  assert.equal(answer.status, 200);
  const body = answer.json as { message: unknown; api_key: unknown };
  assert.equal(typeof body.message, 'string');
  assert.equal(typeof body.api_key, 'string');
});

test('ProjectDiscovery: no X-API-Key answers 401 {message} naming what is missing', async () => {
  const answer = await call(url('/projectdiscovery/v1/user/apikey/rotate'), { method: 'POST' });
  assert.equal(answer.status, 401);
  assert.equal(answer.headers.get('content-type'), 'application/json');
  const body = answer.json as Record<string, unknown>;
  assert.deepEqual(Object.keys(body), ['message']);
  assert.match(body.message as string, /X-API-Key/);
});

test('GoRules: POST .../environments/{environmentId}/regenerate-token answers 200 with the environment', async () => {
  const answer = await call(
    url(`/gorules/api/projects/${PROJECT_ID}/environments/${ENVIRONMENT_ID}/regenerate-token`),
    {
      method: 'POST',
      headers: await authAs(standin.url, 'gorules', '6f1c2a3b-4d5e-4f60-8a71-b2c3d4e5f601'),
    },
  );
  assert.equal(answer.status, 200);
  const environment = answer.json as Record<string, unknown>;
  for (const field of [
    'id',
    'name',
    'accessToken',
    'type',
    'projectId',
    'addToWorkflow',
    'requiredReviewers',
    'createdAt',
    'updatedAt',
  ]) {
    assert.ok(field in environment, `the environment has ${field}`);
  }
});

test('GoRules: no personal access token answers 401 {message} (a marked addition)', async () => {
  const answer = await call(
    url(`/gorules/api/projects/${PROJECT_ID}/environments/${ENVIRONMENT_ID}/regenerate-token`),
    { method: 'POST' },
  );
  assert.equal(answer.status, 401);
  assert.deepEqual(answer.json, { message: 'Unauthorized' });
});

test('GoRules: a project id that is not a uuid answers 400 problem+json naming the parameter', async () => {
  const answer = await call(
    url(`/gorules/api/projects/not-a-uuid/environments/${ENVIRONMENT_ID}/regenerate-token`),
    {
      method: 'POST',
      headers: await authAs(standin.url, 'gorules', '6f1c2a3b-4d5e-4f60-8a71-b2c3d4e5f601'),
    },
  );
  assert.equal(answer.status, 400);
  assert.equal(answer.headers.get('content-type'), 'application/problem+json');
  const problem = answer.json as { errors: Array<{ in: string; name: string; keyword: string }> };
  assert.deepEqual(
    problem.errors.map(({ in: where, name, keyword }) => ({ where, name, keyword })),
    [{ where: 'path', name: 'projectId', keyword: 'format' }],
  );
});
