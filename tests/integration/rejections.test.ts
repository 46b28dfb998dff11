import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DEFAULT_SPECS_DIR } from '../../src/index.js';
import { call, FIXTURE, resetStandin, startStandin, type TestServer } from '../support/standin.js';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'specs');
const WIREMOCK = '/wiremock-cloud/v1/users/9gd5l/regenerate-api-token';
const WIREMOCK_AUTH = { authorization: `Token ${FIXTURE.wiremock.alice}` };
const ITEM_HEADERS = { 'x-request-id': '0b3f5c1e-8c2a-4c57-9a0e-2f4b9b1d7e11' };

let standin: TestServer;
before(async () => {
  standin = await startStandin({
    specs: [DEFAULT_SPECS_DIR, path.join(FIXTURES, 'legacy.yaml')],
    bodyLimit: '64kb',
  });
});
after(() => standin.close());

interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  errors?: Array<{
    in: string;
    name?: string;
    pointer?: string;
    keyword?: string;
    message: string;
    schemaPath?: string;
  }>;
}

function problemOf(answer: { headers: Headers; json: unknown }): ProblemBody {
  assert.equal(answer.headers.get('content-type'), 'application/problem+json');
  return answer.json as ProblemBody;
}

test('an unknown path answers 404 problem+json', async () => {
  for (const unknown of [
    '/nowhere',
    '/projectdiscovery/v1/user/apikey/rotate/extra',
    '/thousandeyes/api-tokens',
  ]) {
    const answer = await call(standin.url + unknown, { method: 'POST' });
    assert.equal(answer.status, 404, unknown);
    const problem = problemOf(answer);
    assert.equal(problem.status, 404);
    assert.equal(problem.instance, unknown);
  }
});

test('the 404 for a vendor called without its server path says where the vendor is served', async () => {
  const problem = problemOf(
    await call(`${standin.url}/thousandeyes/api-tokens`, { method: 'POST' }),
  );
  assert.match(problem.detail, /did you mean \/thousandeyes\/v7\/api-tokens\?/);
  // Where no operation would match even under the right prefix, it still says where the vendor is.
  const elsewhere = problemOf(await call(`${standin.url}/thousandeyes/nothing-here`));
  assert.match(elsewhere.detail, /thousandeyes is served at \/thousandeyes\/v7/);
});

test('a known path with a wrong method answers 405 with an Allow header', async () => {
  const answer = await call(`${standin.url}/projectdiscovery/v1/user/apikey/rotate`, {
    method: 'DELETE',
  });
  assert.equal(answer.status, 405);
  assert.equal(answer.headers.get('allow'), 'POST');
  assert.match(
    problemOf(answer).detail,
    /DELETE is not an operation of \/projectdiscovery\/v1\/user\/apikey\/rotate/,
  );
});

test('a body over the limit answers 413 and the connection is not kept for the rest of it', async () => {
  const answer = await call(standin.url + WIREMOCK, {
    method: 'POST',
    headers: { ...WIREMOCK_AUTH, 'content-type': 'application/json' },
    body: JSON.stringify({ padding: 'x'.repeat(70 * 1024) }),
  });
  assert.equal(answer.status, 413);
  assert.equal(problemOf(answer).status, 413);
  assert.equal(answer.headers.get('connection'), 'close');
});

test('a media type the operation does not declare answers 415 before the body is read', async () => {
  const answer = await call(standin.url + WIREMOCK, {
    method: 'POST',
    headers: { ...WIREMOCK_AUTH, 'content-type': 'application/xml' },
    body: '<token/>',
  });
  assert.equal(answer.status, 415);
  const problem = problemOf(answer);
  assert.match(
    problem.detail,
    /application\/xml is not accepted here; this operation accepts application\/json/,
  );
});

test('a body without a Content-Type answers 415', async () => {
  const answer = await call(standin.url + WIREMOCK, {
    method: 'POST',
    headers: WIREMOCK_AUTH,
    body: new Blob(['{}']),
  });
  assert.equal(answer.status, 415);
});

test('malformed JSON answers 400 with the parser position', async () => {
  const answer = await call(standin.url + WIREMOCK, {
    method: 'POST',
    headers: { ...WIREMOCK_AUTH, 'content-type': 'application/json' },
    body: '{"unterminated": ',
  });
  assert.equal(answer.status, 400);
  const problem = problemOf(answer);
  assert.equal(problem.errors?.[0]?.in, 'body');
  assert.match(problem.errors?.[0]?.message ?? '', /not valid JSON/);
});

test('a JSON body of the wrong type answers 400 naming the keyword and the schema place', async () => {
  const answer = await call(standin.url + WIREMOCK, {
    method: 'POST',
    headers: { ...WIREMOCK_AUTH, 'content-type': 'application/json' },
    body: '[1, 2]',
  });
  assert.equal(answer.status, 400);
  const [failure] = problemOf(answer).errors ?? [];
  assert.equal(failure?.keyword, 'type');
  assert.equal(failure?.message, 'must be object');
  assert.equal(
    failure?.schemaPath,
    '#/paths/~1v1~1users~1{userId}~1regenerate-api-token/post/requestBody/content/application~1json/schema/type',
  );
});

test('security is checked before the body: a bad body without credentials answers 401', async () => {
  const answer = await call(standin.url + WIREMOCK, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '[',
  });
  assert.equal(answer.status, 401);
});

test('a __proto__ key in a JSON body is refused with 400, never merged into an object', async () => {
  const answer = await call(standin.url + WIREMOCK, {
    method: 'POST',
    headers: { ...WIREMOCK_AUTH, 'content-type': 'application/json' },
    body: '{"__proto__": {"polluted": true}}',
  });
  assert.equal(answer.status, 400);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('a required body that is missing answers 400', async () => {
  const answer = await call(`${standin.url}/legacy/api/items`, { method: 'POST' });
  assert.equal(answer.status, 400);
  assert.match(problemOf(answer).detail, /a request body is required/);
});

test('a readOnly property in a request body answers 400', async () => {
  const answer = await call(`${standin.url}/legacy/api/items`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 7, name: 'n', note: null }),
  });
  assert.equal(answer.status, 400);
  const [failure] = problemOf(answer).errors ?? [];
  assert.equal(failure?.pointer, '/id');
  assert.equal(failure?.keyword, 'readOnly');
});

test('path, query, header and cookie parameters are each checked and each failure is listed', async () => {
  const answer = await call(`${standin.url}/legacy/api/items/0?limit=50&fields=id&fields=colour`, {
    headers: { cookie: 'session=abc' },
  });
  assert.equal(answer.status, 400);
  const failures = (problemOf(answer).errors ?? []).map(
    ({ in: where, name, keyword }) => `${where}:${name}:${keyword}`,
  );
  assert.deepEqual(failures.sort(), [
    'cookie:session:minLength',
    'header:x-request-id:required',
    'path:itemId:minimum',
    'query:fields:enum',
    'query:limit:exclusiveMaximum',
  ]);
});

test('parameters that are valid pass: strings are coerced to the schema types', async () => {
  const answer = await call(`${standin.url}/legacy/api/items/3?limit=49&fields=id&fields=note`, {
    headers: { ...ITEM_HEADERS, cookie: 'session=abcd' },
  });
  assert.equal(answer.status, 200);
});

test('an unusable Prefer header answers 400 saying why', async () => {
  const answer = await call(standin.url + WIREMOCK, {
    method: 'POST',
    headers: { ...WIREMOCK_AUTH, prefer: 'code=teapot' },
  });
  assert.equal(answer.status, 400);
  assert.match(problemOf(answer).detail, /code=teapot/);
});

test("a refusal uses the vendor's documented format for its status: ProjectDiscovery's 400 is {message}", async () => {
  const answer = await call(`${standin.url}/projectdiscovery/v1/user/apikey/rotate`, {
    method: 'POST',
    headers: { 'x-api-key': FIXTURE.projectdiscovery.alice, prefer: 'code=teapot' },
  });
  assert.equal(answer.status, 400);
  assert.equal(answer.headers.get('content-type'), 'application/json');
  const body = answer.json as Record<string, unknown>;
  assert.deepEqual(Object.keys(body), ['message']);
  assert.match(body.message as string, /code=teapot/);
});

test('a path variable that is not valid percent-encoding answers 400', async () => {
  const answer = await call(
    `${standin.url}/wiremock-cloud/v1/users/%E0%A4%A/regenerate-api-token`,
    {
      method: 'POST',
      headers: WIREMOCK_AUTH,
    },
  );
  assert.equal(answer.status, 400);
});

test('the default body limit is 1 MiB', async () => {
  const defaults = await startStandin();
  try {
    const send = (size: number) =>
      call(defaults.url + WIREMOCK, {
        method: 'POST',
        headers: { ...WIREMOCK_AUTH, 'content-type': 'application/json' },
        body: JSON.stringify({ padding: 'x'.repeat(size - '{"padding":""}'.length) }),
      });
    assert.equal((await send(1024 * 1024)).status, 200, 'exactly 1 MiB is accepted');
    await resetStandin(defaults.url); // the accepted call regenerated the token
    assert.equal((await send(1024 * 1024 + 1)).status, 413, 'one byte more is not');
  } finally {
    await defaults.close();
  }
});
