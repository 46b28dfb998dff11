import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { DEFAULT_SPECS_DIR, type HandlerResult } from '../../src/index.js';
import { call, startStandin, type TestServer, FIXTURE } from '../support/standin.js';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'specs');
const ROTATE = '/projectdiscovery/v1/user/apikey/rotate';

/** What the planted handlers answer next; each test sets it. */
let next: () => HandlerResult;

let standin: TestServer;
before(async () => {
  standin = await startStandin({
    specs: [DEFAULT_SPECS_DIR, path.join(FIXTURES, 'legacy.yaml')],
    vendors: {
      projectdiscovery: { handlers: { 'post-v1-user-apikey-rotate': () => next() } },
      legacy: { handlers: { createItem: () => next() } },
    },
  });
});
after(() => standin.close());
beforeEach(() => {
  next = () => ({ status: 200, body: { message: 'rotated', api_key: 'k' } });
});

interface Violation {
  type: string;
  status: number;
  detail: string;
  operationId: string;
  errors: Array<{ in: string; pointer?: string; keyword?: string; schemaPath?: string }>;
}

async function rotate(): Promise<{ status: number; violation: Violation; text: string }> {
  const answer = await call(standin.url + ROTATE, {
    method: 'POST',
    headers: { 'x-api-key': FIXTURE.projectdiscovery.alice },
  });
  return { status: answer.status, violation: answer.json as Violation, text: answer.text };
}

const newItem = (): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ name: 'n', note: null, secret: 's3' }),
});

test('a valid handler answer is sent as the handler wrote it', async () => {
  const { status, text } = await rotate();
  assert.equal(status, 200);
  assert.deepEqual(JSON.parse(text), { message: 'rotated', api_key: 'k' });
});

test('a handler body that breaks the schema is caught: 500 naming the operation, status and schema path', async () => {
  next = () => ({ status: 200, body: { message: 'rotated', api_key: 12345 } });
  const { status, violation, text } = await rotate();
  assert.equal(status, 500);
  assert.equal(violation.type, 'urn:standin:problem:contract-violation');
  assert.equal(violation.operationId, 'post-v1-user-apikey-rotate');
  assert.match(violation.detail, /post-v1-user-apikey-rotate \(status 200\)/);
  assert.deepEqual(
    violation.errors.map((error) => [error.pointer, error.keyword]),
    [['/api_key', 'type']],
  );
  assert.equal(
    violation.errors[0]?.schemaPath,
    '#/paths/~1v1~1user~1apikey~1rotate/post/responses/200/content/application~1json/schema/properties/api_key/type',
  );
  assert.ok(!text.includes('12345'), 'the broken value itself is not echoed');
});

test('the violation is logged, without the body', async () => {
  next = () => ({ status: 200, body: { message: 'rotated', api_key: 424242 } });
  await rotate();
  const line = standin
    .logLines()
    .find(
      (entry) =>
        entry.msg === 'contract violation: response not sent' &&
        JSON.stringify(entry).includes('/api_key'),
    );
  assert.ok(line, 'a contract violation line is logged');
  assert.equal(line.operationId, 'post-v1-user-apikey-rotate');
  assert.equal(line.status, 200);
  assert.ok(!standin.rawLog().includes('424242'));
});

test('a missing required property is caught', async () => {
  next = () => ({ status: 200, body: { message: 'rotated' } });
  const { status, violation } = await rotate();
  assert.equal(status, 500);
  assert.deepEqual(
    violation.errors.map((error) => [error.pointer, error.keyword]),
    [['/api_key', 'required']],
  );
});

test("an undocumented status falls to the spec's default response, and must match it", async () => {
  next = () => ({ status: 429, body: { message: 'slow down', status: 429 } });
  assert.equal((await rotate()).status, 429);
  next = () => ({ status: 429, body: { status: 429 } });
  const { status, violation } = await rotate();
  assert.equal(status, 500);
  assert.equal(violation.errors[0]?.keyword, 'required');
});

test('a status the operation does not document (and no default) is caught', async () => {
  next = () => ({ status: 418, body: { id: 1 } });
  const answer = await call(`${standin.url}/legacy/api/items`, newItem());
  assert.equal(answer.status, 500);
  assert.match(
    (answer.json as Violation).detail,
    /status 418 is not documented \(documented: 201\)/,
  );
});

test('a media type the response does not document is caught', async () => {
  next = () => ({ status: 200, contentType: 'text/plain', body: 'rotated' });
  const { status, violation } = await rotate();
  assert.equal(status, 500);
  assert.equal(violation.errors[0]?.in, 'content-type');
});

test('a writeOnly property in a response is caught', async () => {
  next = () => ({
    status: 201,
    headers: { location: '/items/1' },
    body: { id: 1, name: 'n', note: null, secret: 's3' },
  });
  const answer = await call(`${standin.url}/legacy/api/items`, newItem());
  assert.equal(answer.status, 500);
  const violation = answer.json as Violation;
  assert.deepEqual(
    violation.errors.map((error) => [error.pointer, error.keyword]),
    [['/secret', 'writeOnly']],
  );
});

test('a documented required response header that is missing is caught', async () => {
  next = () => ({ status: 201, body: { id: 1, name: 'n', note: null } });
  const answer = await call(`${standin.url}/legacy/api/items`, newItem());
  assert.equal(answer.status, 500);
  assert.deepEqual(
    (answer.json as Violation).errors.map((error) => error.in),
    ['header'],
  );
});

test('the same answer with its header passes, and the header is sent', async () => {
  next = () => ({
    status: 201,
    headers: { location: '/items/1' },
    body: { id: 1, name: 'n', note: null },
  });
  const answer = await call(`${standin.url}/legacy/api/items`, newItem());
  assert.equal(answer.status, 201);
  assert.equal(answer.headers.get('location'), '/items/1');
});

test('a handler that throws answers 500 problem+json and is logged', async () => {
  next = () => {
    throw new Error('database on fire');
  };
  const { status, violation } = await rotate();
  assert.equal(status, 500);
  assert.equal(violation.type, 'urn:standin:problem:handler-failed');
  assert.ok(
    standin
      .logLines()
      .some(
        (entry) =>
          entry.msg === 'handler failed' && entry.operationId === 'post-v1-user-apikey-rotate',
      ),
  );
});

test('a handler for an operationId the spec does not have stops the start', async () => {
  await assert.rejects(
    startStandin({
      vendors: { projectdiscovery: { handlers: { rotateKey: () => ({ status: 200 }) } } },
    }),
    /operationId "rotateKey", which projectdiscovery does not have/,
  );
});
