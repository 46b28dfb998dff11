import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DEFAULT_SPECS_DIR } from '../../src/index.js';
import { call, FIXTURE, startStandin, type TestServer } from '../support/standin.js';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures');
const ITEM = '/legacy/api/items/1';
const ITEM_HEADERS = { 'x-request-id': '0b3f5c1e-8c2a-4c57-9a0e-2f4b9b1d7e11' };
const TE = '/thousandeyes/v7/api-tokens';
const TE_AUTH = { authorization: `Bearer ${FIXTURE.thousandeyes.alice}` };

let standin: TestServer;
before(async () => {
  standin = await startStandin({
    specs: [DEFAULT_SPECS_DIR, path.join(FIXTURES, 'specs'), path.join(FIXTURES, 'warnings')],
  });
});
after(() => standin.close());

test('without a handler, an operation answers its lowest 2xx with the first documented example', async () => {
  const answer = await call(standin.url + ITEM, { headers: ITEM_HEADERS });
  assert.equal(answer.status, 200);
  assert.deepEqual(answer.json, { id: 1, name: 'plain', note: null });
});

test('without an example, the answer is generated from the schema and is valid for it', async () => {
  const answer = await call(`${standin.url}/modern/items/1`);
  assert.equal(answer.status, 200);
  const item = answer.json as { id: unknown; name: unknown; note: unknown };
  assert.equal(typeof item.id, 'number');
  assert.equal(item.name, 'first', 'the schema-level 3.1 examples are used');
  assert.ok('note' in item);
});

test('Prefer: example=NAME answers that named example', async () => {
  const answer = await call(standin.url + ITEM, {
    headers: { ...ITEM_HEADERS, prefer: 'example=noted' },
  });
  assert.equal(answer.status, 200);
  assert.deepEqual(answer.json, { id: 2, name: 'noted', note: 'remember' });
});

test('Prefer: example=NAME with an unknown name answers 400 listing the names', async () => {
  const answer = await call(standin.url + ITEM, {
    headers: { ...ITEM_HEADERS, prefer: 'example=missing' },
  });
  assert.equal(answer.status, 400);
  assert.match((answer.json as { detail: string }).detail, /named examples: plain, noted/);
});

test('Prefer: code=NNN answers that documented status, in its documented format', async () => {
  const answer = await call(standin.url + TE, {
    method: 'POST',
    headers: { ...TE_AUTH, prefer: 'code=409' },
  });
  assert.equal(answer.status, 409);
  assert.equal(answer.headers.get('content-type'), 'application/problem+json');
  const problem = answer.json as Record<string, unknown>;
  assert.equal(problem.status, 409);
  assert.equal(problem.detail, 'The user has reached the maximum number of allowed tokens.');
});

test("Prefer: code=500 answers the spec's own example for it", async () => {
  const answer = await call(standin.url + TE, {
    method: 'POST',
    headers: { ...TE_AUTH, prefer: 'code=500' },
  });
  assert.equal(answer.status, 500);
  assert.deepEqual(answer.json, {
    type: 'about:blank',
    title: 'Internal server error',
    status: 500,
    detail: 'Optional detail about the internal error message.',
    instance: '/v7',
  });
});

test('Prefer: code=NNN for a status the operation does not document answers 400', async () => {
  const answer = await call(standin.url + ITEM, {
    headers: { ...ITEM_HEADERS, prefer: 'code=503' },
  });
  assert.equal(answer.status, 400);
  assert.match(
    (answer.json as { detail: string }).detail,
    /no response for status 503 \(documented: 200, 404\)/,
  );
});

test('Prefer: code=404 for a response without content answers an empty body', async () => {
  const answer = await call(standin.url + ITEM, {
    headers: { ...ITEM_HEADERS, prefer: 'code=404' },
  });
  assert.equal(answer.status, 404);
  assert.equal(answer.text, '');
});

test('Prefer: dynamic=true generates a fresh valid body each time', async () => {
  const bodies = new Set<string>();
  for (let index = 0; index < 5; index += 1) {
    const answer = await call(standin.url + TE, {
      method: 'POST',
      headers: { ...TE_AUTH, prefer: 'dynamic=true' },
    });
    assert.equal(answer.status, 201, 'the generated body passed the response check');
    bodies.add(answer.text);
  }
  assert.ok(bodies.size > 1, 'the bodies differ');
});

test('Prefer does not bypass the request checks: it needs credentials like any call', async () => {
  const answer = await call(standin.url + TE, { method: 'POST', headers: { prefer: 'code=201' } });
  assert.equal(answer.status, 401);
});

test('an example that does not match its schema is never served: 500, and warned about at startup', async () => {
  const answer = await call(`${standin.url}/example-mismatch/count`);
  assert.equal(answer.status, 500);
  assert.ok(
    standin
      .logLines()
      .some(
        (line) =>
          line.level === 40 &&
          String(line.msg).includes(
            'getCount 200 application/json: the example does not match the schema',
          ),
      ),
  );
});
