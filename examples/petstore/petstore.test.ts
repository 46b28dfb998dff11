import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, afterEach, test } from 'node:test';
import { createServer } from 'standin';
import petstore from './petstore/index.js';

// The example's own test: the two handlers written in petstore/index.ts keep pets in standin's
// state; the two stubs still answer from the spec. Run: node --import tsx --test examples/petstore/petstore.test.ts
const spec = fileURLToPath(new URL('petstore.yaml', import.meta.url));
const standin = await createServer({
  port: 0,
  log: 'silent',
  specs: [spec],
  vendors: { petstore },
});
const baseUrl = standin.vendors[0]?.baseUrl ?? assert.fail('the spec is served');
afterEach(() => standin.admin.reset()); // each test starts with no pets
after(() => standin.close());

const json = { 'content-type': 'application/json' };

async function createPet(pet: object): Promise<{ id: string; name: string; tag?: string }> {
  const response = await fetch(`${baseUrl}/pets`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify(pet),
  });
  assert.equal(response.status, 201, await response.clone().text());
  return (await response.json()) as { id: string; name: string; tag?: string };
}

test('a created pet is read back by its id', async () => {
  const created = await createPet({ name: 'Rex', tag: 'dog' });
  assert.equal(created.name, 'Rex');
  const read = await fetch(`${baseUrl}/pets/${created.id}`);
  assert.equal(read.status, 200);
  assert.deepEqual(await read.json(), created);
});

test('each pet gets its own id, and the state lists them', async () => {
  const first = await createPet({ name: 'Rex' });
  const second = await createPet({ name: 'Tom', tag: 'cat' });
  assert.notEqual(first.id, second.id);
  assert.deepEqual(await standin.admin.state.get('petstore'), { pets: [first, second] });
});

test('an unknown id answers the documented 404', async () => {
  const response = await fetch(`${baseUrl}/pets/no-such-pet`);
  assert.equal(response.status, 404);
  assert.deepEqual(await response.json(), { code: 404, message: 'No pet has this id' });
});

test('a pet the spec does not allow is refused before the handler runs', async () => {
  const response = await fetch(`${baseUrl}/pets`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ tag: 'no name' }),
  });
  assert.equal(response.status, 400);
  assert.deepEqual(await standin.admin.state.get('petstore'), { pets: [] });
});

test('the operations not written yet answer from the spec', async () => {
  const response = await fetch(`${baseUrl}/pets`);
  assert.equal(response.status, 200);
  assert.ok(Array.isArray(await response.json()));
});
