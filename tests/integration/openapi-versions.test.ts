import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import type { HandlerResult } from '../../src/index.js';
import { call, useStandin } from '../support/standin.js';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'specs');
const HEADERS = { 'x-request-id': '0b3f5c1e-8c2a-4c57-9a0e-2f4b9b1d7e11' };

let item: unknown;
const answerItem = (): HandlerResult => ({ status: 200, body: item });

const standin = useStandin(
  {
    specs: [FIXTURES],
    vendors: {
      legacy: { handlers: { getItem: answerItem } },
      modern: { handlers: { getItem: answerItem } },
    },
  },
  { resetEachTest: false },
);

const get = (vendor: 'legacy' | 'modern') =>
  call(`${standin.url}/${vendor === 'legacy' ? 'legacy/api' : 'modern'}/items/1`, {
    headers: HEADERS,
  });

for (const vendor of ['legacy', 'modern'] as const) {
  const version =
    vendor === 'legacy' ? 'OpenAPI 3.0 (nullable: true)' : "OpenAPI 3.1 (type: [string, 'null'])";

  test(`${version}: a nullable field accepts null`, async () => {
    item = { id: 1, name: 'n', note: null, color: null };
    assert.equal((await get(vendor)).status, 200);
  });

  test(`${version}: a nullable field accepts its type`, async () => {
    item = { id: 1, name: 'n', note: 'remember', color: 'red' };
    assert.equal((await get(vendor)).status, 200);
  });

  test(`${version}: a nullable field still refuses another type, and a nullable enum another value`, async () => {
    item = { id: 1, name: 'n', note: 5, color: 'blue' };
    const answer = await get(vendor);
    assert.equal(answer.status, 500);
    const errors = (answer.json as { errors: Array<{ pointer: string; keyword: string }> }).errors;
    assert.deepEqual(errors.map((error) => `${error.pointer} ${error.keyword}`).sort(), [
      '/color enum',
      '/note type',
    ]);
  });

  test(`${version}: a field that is not nullable refuses null`, async () => {
    item = { id: 1, name: null, note: null };
    assert.equal((await get(vendor)).status, 500);
  });
}

test('OpenAPI 3.1: a self-referring component validates at every depth', async () => {
  item = {
    id: 1,
    name: 'a',
    note: null,
    parent: { id: 2, name: 'b', note: null, parent: { id: 3, name: 'c', note: null } },
  };
  assert.equal((await get('modern')).status, 200);
  item = {
    id: 1,
    name: 'a',
    note: null,
    parent: { id: 2, name: 'b', note: null, parent: { id: 3, name: '', note: null } },
  };
  const answer = await get('modern');
  assert.equal(answer.status, 500);
  assert.equal(
    (answer.json as { errors: Array<{ pointer: string }> }).errors[0]?.pointer,
    '/parent/parent/name',
  );
});

test('OpenAPI 3.1: a request body is checked with 2020-12 semantics too', async () => {
  const post = (body: unknown) =>
    call(`${standin.url}/modern/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  assert.equal((await post({ name: 'n', note: null })).status, 201);
  assert.equal((await post({ name: 'n', note: false })).status, 400);
  assert.equal(
    (await post({ id: 3, name: 'n', note: null })).status,
    400,
    'readOnly id is refused in a request',
  );
});

test('OpenAPI 3.1: the served spec of a self-referring document keeps its $ref (JSON cannot hold the cycle)', async () => {
  const answer = await call(`${standin.url}/modern/openapi.json`);
  assert.equal(answer.status, 200);
  const spec = answer.json as {
    components: { schemas: { Item: { properties: { parent: { $ref: string } } } } };
  };
  assert.equal(spec.components.schemas.Item.properties.parent.$ref, '#/components/schemas/Item');
});
