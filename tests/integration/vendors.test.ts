import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { after, test } from 'node:test';
import { DEFAULT_SPECS_DIR } from '../../src/index.js';
import { writeExtraVendor } from '../support/extra-vendor.js';
import {
  authAs,
  call,
  ENVIRONMENT_ID,
  PROJECT_ID,
  startStandin,
  useStandin,
} from '../support/standin.js';

// The built-in vendors and a sixth, added as a user adds one: a spec and a module folder.
const extra = await writeExtraVendor();
after(() => extra.remove());
const standin = useStandin({
  specs: [DEFAULT_SPECS_DIR, extra.specFile],
  vendorModulesDir: extra.modulesDir,
});

const url = (path: string): string => standin.url + path;

test('GET / lists every vendor whose spec is loaded (the bundled ones and an added one), with base URLs and operations', async () => {
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
  // From the spec files, not a list kept here: a new bundled spec is a new vendor.
  const bundled = (await readdir(DEFAULT_SPECS_DIR))
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => file.replace(/\.yaml$/, ''));
  assert.ok(bundled.length >= 5);
  assert.deepEqual([...byName.keys()].sort(), [...bundled, extra.name].sort());
  assert.deepEqual(
    standin.vendors.map((vendor) => vendor.name).sort(),
    [...byName.keys()].sort(),
    'RunningServer.vendors lists the same vendors',
  );
  assert.equal(byName.get(extra.name)?.baseUrl, url(`/${extra.name}/v1`));
  assert.deepEqual(
    byName
      .get(extra.name)
      ?.operations.map((operation) => operation.path)
      .sort(),
    [`/${extra.name}/v1/keys/rotate`, `/${extra.name}/v1/me`],
  );
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

test('an added vendor (a spec and a module folder) is served by its module: state, credentials, rotation, actions', async () => {
  const base = url(`/${extra.name}/v1`);
  const me = await call(`${base}/me`, { headers: { 'x-acme-key': extra.initialKey } });
  assert.equal(me.status, 200, me.text);
  assert.deepEqual(me.json, { id: 'owner', name: 'Acme owner' });
  assert.equal((await call(`${base}/me`, { headers: { 'x-acme-key': 'acme_nope' } })).status, 401);

  const rotated = await call(`${base}/keys/rotate`, {
    method: 'POST',
    headers: { 'x-acme-key': extra.initialKey },
  });
  assert.equal(rotated.status, 200, rotated.text);
  const { key } = rotated.json as { key: string };
  assert.notEqual(key, extra.initialKey);
  assert.equal(
    (await call(`${base}/me`, { headers: { 'x-acme-key': extra.initialKey } })).status,
    401,
    'the old key died',
  );
  const listed = (await call(url(`/__admin/credentials?vendor=${extra.name}`))).json;
  assert.deepEqual(listed, [
    { vendor: extra.name, principal: 'owner', header: 'X-Acme-Key', value: key, expiresAt: null },
  ]);

  const set = await call(url(`/__admin/vendors/${extra.name}/actions/set-key`), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ key: 'acme_chosen' }),
  });
  assert.equal(set.status, 200, set.text);
  assert.equal(
    (await call(`${base}/me`, { headers: { 'x-acme-key': 'acme_chosen' } })).status,
    200,
  );
  const spec = (await call(url(`/${extra.name}/openapi.json`))).json as {
    servers: Array<{ url: string }>;
  };
  assert.equal(spec.servers[0]?.url, `/${extra.name}/v1`);
});

test('a folder of vendor modules that cannot be read stops the start with a ConfigError', async () => {
  await assert.rejects(
    startStandin({ vendorModulesDir: path.join(extra.modulesDir, 'missing') }),
    (error: Error) =>
      error.name === 'ConfigError' &&
      /vendor modules in .*missing cannot be loaded/.test(error.message),
  );
});
