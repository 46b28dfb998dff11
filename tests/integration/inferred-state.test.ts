import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { stringify } from 'yaml';
import { killChild } from '../support/children.js';
import { finished, listeningUrl, startCli } from '../support/cli.js';
import {
  call,
  putState,
  startStandin,
  stateOf,
  useStandin,
  type Answer,
} from '../support/standin.js';

/**
 * A spec without a module keeps the resources its paths describe: `/pets` + `/pets/{petId}` is a
 * collection whose POST stores, GETs list and read, PUT/PATCH/DELETE change, in the vendor's state.
 */

const PET = {
  type: 'object',
  required: ['id', 'name', 'createdAt'],
  properties: {
    id: { type: 'integer', readOnly: true },
    name: { type: 'string', minLength: 1 },
    tag: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time', readOnly: true },
  },
  additionalProperties: false,
};
const ERROR = {
  type: 'object',
  required: ['code', 'message'],
  properties: { code: { type: 'integer' }, message: { type: 'string' } },
};
const NOT_FOUND = { code: 404, message: 'Pet not found' };
const REX = { id: 1, name: 'Rex', tag: 'dog', createdAt: '2026-01-01T00:00:00Z' };
const json = (schema: unknown, example?: unknown) => ({
  content: { 'application/json': { schema, ...(example === undefined ? {} : { example }) } },
});
const notFound = { '404': { description: 'No such pet', ...json(ERROR, NOT_FOUND) } };
const petId = { name: 'petId', in: 'path', required: true, schema: { type: 'integer' } };

const PETSTORE = {
  openapi: '3.0.3',
  info: { title: 'Petstore', version: '1' },
  servers: [{ url: 'https://petstore.example.com/v1' }],
  paths: {
    '/pets': {
      get: {
        operationId: 'listPets',
        parameters: [
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1 } },
          { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0 } },
        ],
        responses: {
          '200': { description: 'Pets', ...json({ type: 'array', items: PET }, [REX]) },
        },
      },
      post: {
        operationId: 'createPet',
        requestBody: { required: true, ...json(PET) },
        responses: { '201': { description: 'Created', ...json(PET) } },
      },
    },
    '/pets/search': {
      post: {
        operationId: 'searchPets',
        requestBody: json({ type: 'object', properties: { q: { type: 'string' } } }),
        responses: {
          '200': {
            description: 'Found',
            ...json({ type: 'array', items: PET }, [{ ...REX, name: 'Searched' }]),
          },
        },
      },
    },
    '/pets/{petId}': {
      parameters: [petId],
      get: {
        operationId: 'getPet',
        responses: { '200': { description: 'A pet', ...json(PET) }, ...notFound },
      },
      put: {
        operationId: 'replacePet',
        requestBody: { required: true, ...json(PET) },
        responses: { '200': { description: 'Replaced', ...json(PET) }, ...notFound },
      },
      patch: {
        operationId: 'updatePet',
        requestBody: {
          required: true,
          content: {
            'application/merge-patch+json': {
              schema: {
                type: 'object',
                properties: { name: { type: 'string' }, tag: { type: 'string', nullable: true } },
              },
            },
          },
        },
        responses: { '200': { description: 'Updated', ...json(PET) }, ...notFound },
      },
      delete: {
        operationId: 'deletePet',
        responses: { '204': { description: 'Deleted' }, ...notFound },
      },
    },
    '/pets/{petId}/photo': {
      parameters: [petId],
      get: {
        operationId: 'getPetPhoto',
        responses: {
          '200': {
            description: 'Where the photo is',
            ...json(
              { type: 'object', properties: { url: { type: 'string' } } },
              { url: 'https://example.com/rex.png' },
            ),
          },
        },
      },
    },
  },
};

/** A list wrapped in an object and paged by number, string ids of format uuid (OpenAPI 3.1). */
const DOG = {
  type: 'object',
  required: ['dogId', 'name'],
  properties: {
    dogId: { type: 'string', format: 'uuid', readOnly: true },
    name: { type: 'string' },
  },
};
const BINGO = { dogId: '3f6e1a2b-7c8d-4e9f-a0b1-c2d3e4f5a6b7', name: 'Bingo' };
const SHELTER = {
  openapi: '3.1.0',
  info: { title: 'Shelter', version: '1' },
  paths: {
    '/dogs': {
      get: {
        operationId: 'listDogs',
        parameters: [
          { name: 'page', in: 'query', schema: { type: 'integer', minimum: 1 } },
          { name: 'per_page', in: 'query', schema: { type: 'integer', minimum: 1 } },
        ],
        responses: {
          '200': {
            description: 'Dogs',
            ...json({
              type: 'object',
              required: ['data', 'total'],
              properties: { data: { type: 'array', items: DOG }, total: { type: 'integer' } },
            }),
          },
        },
      },
      post: {
        operationId: 'createDog',
        requestBody: { required: true, ...json(DOG) },
        responses: { '201': { description: 'Created', ...json(DOG) } },
      },
    },
    '/dogs/{dogId}': {
      get: {
        operationId: 'getDog',
        parameters: [{ name: 'dogId', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: 'A dog', ...json(DOG, BINGO) } },
      },
    },
  },
};

/** A nested collection: each owner's visits are their own. */
const VISIT = {
  type: 'object',
  required: ['id', 'reason'],
  properties: { id: { type: 'integer', readOnly: true }, reason: { type: 'string' } },
};
const ownerId = { name: 'ownerId', in: 'path', required: true, schema: { type: 'integer' } };
const CLINIC = {
  openapi: '3.0.3',
  info: { title: 'Clinic', version: '1' },
  paths: {
    '/owners/{ownerId}/visits': {
      parameters: [ownerId],
      get: {
        operationId: 'listVisits',
        responses: { '200': { description: 'Visits', ...json({ type: 'array', items: VISIT }) } },
      },
      post: {
        operationId: 'createVisit',
        requestBody: { required: true, ...json(VISIT) },
        responses: { '201': { description: 'Created', ...json(VISIT) } },
      },
    },
    '/owners/{ownerId}/visits/{visitId}': {
      parameters: [ownerId, { ...ownerId, name: 'visitId' }],
      get: {
        operationId: 'getVisit',
        responses: {
          '200': { description: 'A visit', ...json(VISIT) },
          '404': { description: 'None' },
        },
      },
    },
  },
};

const specsDir = mkdtempSync(path.join(tmpdir(), 'standin-inferred-'));
after(() => rmSync(specsDir, { recursive: true, force: true }));
writeFileSync(path.join(specsDir, 'petstore.yaml'), stringify(PETSTORE));
writeFileSync(path.join(specsDir, 'shelter.yaml'), stringify(SHELTER));
writeFileSync(path.join(specsDir, 'clinic.yaml'), stringify(CLINIC));

const standin = useStandin({ specs: [specsDir] });

const PETS = '/petstore/v1/pets';
interface Pet {
  id: number;
  name: string;
  tag?: string;
  createdAt: string;
}

function send(
  base: string,
  method: string,
  route: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return call(base + route, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

const createPet = async (name: string, tag?: string): Promise<Pet> => {
  const answer = await send(standin.url, 'POST', PETS, { name, ...(tag ? { tag } : {}) });
  assert.equal(answer.status, 201, answer.text);
  return answer.json as Pet;
};

test('POST stores the pet with a generated id and createdAt; GET by id finds it', async () => {
  const created = await createPet('Fido', 'dog');
  assert.equal(created.id, 2, 'the sequence continues after the seeded example (id 1)');
  assert.equal(created.name, 'Fido');
  assert.ok(!Number.isNaN(Date.parse(created.createdAt)), 'createdAt is a date-time');
  const read = await send(standin.url, 'GET', `${PETS}/${created.id}`);
  assert.equal(read.status, 200);
  assert.deepEqual(read.json, created);
});

test('the list shows the created pets after the seeded ones', async () => {
  const fido = await createPet('Fido');
  const list = await send(standin.url, 'GET', PETS);
  assert.equal(list.status, 200);
  assert.deepEqual(list.json, [REX, fido]);
});

test('limit and offset page the list', async () => {
  const created = [];
  for (const name of ['A', 'B', 'C', 'D']) created.push(await createPet(name));
  const page = await send(standin.url, 'GET', `${PETS}?limit=2&offset=1`);
  assert.equal(page.status, 200);
  assert.deepEqual(
    (page.json as Pet[]).map((pet) => pet.name),
    ['A', 'B'],
  );
  const last = await send(standin.url, 'GET', `${PETS}?offset=4`);
  assert.deepEqual(
    (last.json as Pet[]).map((pet) => pet.name),
    ['D'],
  );
});

test('PUT replaces the pet, keeping its id and createdAt', async () => {
  const fido = await createPet('Fido', 'dog');
  const answer = await send(standin.url, 'PUT', `${PETS}/${fido.id}`, { name: 'Fido II' });
  assert.equal(answer.status, 200, answer.text);
  assert.deepEqual(answer.json, { id: fido.id, name: 'Fido II', createdAt: fido.createdAt });
  assert.deepEqual((await send(standin.url, 'GET', `${PETS}/${fido.id}`)).json, answer.json);
});

test('PATCH merges (JSON merge patch: null removes a member)', async () => {
  const fido = await createPet('Fido', 'dog');
  const patch = (body: unknown) =>
    send(standin.url, 'PATCH', `${PETS}/${fido.id}`, body, {
      'content-type': 'application/merge-patch+json',
    });
  const renamed = await patch({ name: 'Fidel' });
  assert.equal(renamed.status, 200, renamed.text);
  assert.deepEqual(renamed.json, { ...fido, name: 'Fidel' });
  const untagged = await patch({ tag: null });
  assert.deepEqual(untagged.json, { id: fido.id, name: 'Fidel', createdAt: fido.createdAt });
});

test('DELETE answers 204; then GET, PUT and DELETE answer the documented 404 body', async () => {
  const fido = await createPet('Fido');
  const deleted = await send(standin.url, 'DELETE', `${PETS}/${fido.id}`);
  assert.equal(deleted.status, 204);
  assert.equal(deleted.text, '');
  for (const [method, body] of [['GET'], ['PUT', { name: 'x' }], ['DELETE']] as const) {
    const answer = await send(standin.url, method, `${PETS}/${fido.id}`, body);
    assert.equal(answer.status, 404, `${method}: ${answer.text}`);
    assert.deepEqual(answer.json, NOT_FOUND);
  }
  const list = (await send(standin.url, 'GET', PETS)).json as Pet[];
  assert.deepEqual(
    list.map((pet) => pet.id),
    [1],
  );
});

test('a POST with a body the spec refuses is a 400, and nothing is stored', async () => {
  const answer = await send(standin.url, 'POST', PETS, { name: '', colour: 'brown' });
  assert.equal(answer.status, 400);
  assert.deepEqual((await send(standin.url, 'GET', PETS)).json, [REX]);
});

test('GET /__admin/state/{vendor} lists the resources; PUT replaces them, reset restores the seed', async () => {
  const fido = await createPet('Fido');
  const state = await stateOf<{ resources: { pets: Pet[] } }>(standin.url, 'petstore');
  assert.deepEqual(state.resources.pets, [REX, fido]);
  const replaced = await putState(standin.url, 'petstore', {
    resources: { pets: [{ id: 40, name: 'Put', createdAt: REX.createdAt }] },
  });
  assert.equal(replaced.status, 200, replaced.text);
  assert.equal((await send(standin.url, 'GET', `${PETS}/40`)).status, 200);
  assert.equal((await createPet('Next')).id, 41, 'ids continue after the highest id kept');
  const reset = await send(standin.url, 'POST', '/__admin/reset');
  assert.equal(reset.status, 204);
  assert.deepEqual((await send(standin.url, 'GET', PETS)).json, [REX]);
});

test('the state starts from the examples: the list example, or else the item GET example', async () => {
  assert.deepEqual((await send(standin.url, 'GET', `${PETS}/1`)).json, REX);
  const dog = await send(standin.url, 'GET', `/shelter/dogs/${BINGO.dogId}`);
  assert.equal(dog.status, 200);
  assert.deepEqual(dog.json, BINGO);
});

test('a wrapped list is paged by page/per_page and reports its total; uuid ids are generated', async () => {
  for (const name of ['One', 'Two', 'Three']) {
    const created = await send(standin.url, 'POST', '/shelter/dogs', { name });
    assert.equal(created.status, 201, created.text);
    assert.match((created.json as { dogId: string }).dogId, /^[0-9a-f-]{36}$/);
  }
  const page = await send(standin.url, 'GET', '/shelter/dogs?page=2&per_page=3');
  assert.equal(page.status, 200, page.text);
  const body = page.json as { data: Array<{ name: string }>; total: number };
  assert.equal(body.total, 4);
  assert.deepEqual(
    body.data.map((dog) => dog.name),
    ['Three'],
  );
});

test("a nested collection keeps each parent's items apart", async () => {
  const created = await send(standin.url, 'POST', '/clinic/owners/7/visits', { reason: 'vaccine' });
  assert.equal(created.status, 201, created.text);
  assert.deepEqual(created.json, { id: 1, reason: 'vaccine' });
  assert.deepEqual((await send(standin.url, 'GET', '/clinic/owners/7/visits')).json, [
    created.json,
  ]);
  assert.deepEqual((await send(standin.url, 'GET', '/clinic/owners/8/visits')).json, []);
  assert.equal((await send(standin.url, 'GET', '/clinic/owners/7/visits/1')).status, 200);
  assert.equal((await send(standin.url, 'GET', '/clinic/owners/8/visits/1')).status, 404);
  const state = await stateOf<{ resources: Record<string, unknown> }>(standin.url, 'clinic');
  assert.deepEqual(state.resources, { 'owners.visits': { '7': [created.json] } });
});

test('namespaces keep separate resources', async () => {
  const inA = { 'x-standin-namespace': 'inferred-a' };
  const created = await send(standin.url, 'POST', PETS, { name: 'OnlyInA' }, inA);
  assert.equal(created.status, 201);
  const id = (created.json as Pet).id;
  assert.equal((await send(standin.url, 'GET', `${PETS}/${id}`, undefined, inA)).status, 200);
  assert.equal((await send(standin.url, 'GET', `${PETS}/${id}`)).status, 404);
  const inB = await send(standin.url, 'GET', PETS, undefined, {
    'x-standin-namespace': 'inferred-b',
  });
  assert.deepEqual(inB.json, [REX]);
});

test('operations the inference cannot place answer from the spec', async () => {
  const photo = await send(standin.url, 'GET', `${PETS}/1/photo`);
  assert.equal(photo.status, 200);
  assert.deepEqual(photo.json, { url: 'https://example.com/rex.png' });
  const search = await send(standin.url, 'POST', `${PETS}/search`, { q: 'x' });
  assert.equal(search.status, 200);
  assert.deepEqual(search.json, [{ ...REX, name: 'Searched' }]);
});

test('--state seeds the inferred resources instead of the examples', async () => {
  // Not beside the specs: a YAML file there would be loaded as a spec.
  const stateDir = mkdtempSync(path.join(tmpdir(), 'standin-inferred-state-'));
  const stateFile = path.join(stateDir, 'state.yaml');
  const seeded = { id: 7, name: 'Seeded', createdAt: REX.createdAt };
  writeFileSync(stateFile, stringify({ petstore: { resources: { pets: [seeded] } } }));
  const server = await startStandin({
    specs: [specsDir],
    state: stateFile,
  });
  try {
    assert.deepEqual((await send(server.url, 'GET', PETS)).json, [seeded]);
    assert.equal((await send(server.url, 'GET', `${PETS}/1`)).status, 404);
  } finally {
    await server.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
});

test('stateless: POST then GET answers from the spec, and the vendor keeps no state', async () => {
  const server = await startStandin({
    specs: [specsDir],
    stateless: true,
  });
  try {
    const created = await send(server.url, 'POST', PETS, { name: 'Fido' });
    assert.equal(created.status, 201);
    const list = await send(server.url, 'GET', PETS);
    assert.deepEqual(list.json, [REX], 'the documented example, not the created pet');
    assert.notEqual((await send(server.url, 'GET', '/__admin/state/petstore')).status, 200);
  } finally {
    await server.close();
  }
});

test('--dynamic answers from generated bodies: no inferred state either', async () => {
  const server = await startStandin({
    specs: [specsDir],
    dynamic: true,
  });
  try {
    assert.notEqual((await send(server.url, 'GET', '/__admin/state/petstore')).status, 200);
  } finally {
    await server.close();
  }
});

test('the CLI: `standin serve` keeps the pets, `--stateless` does not (runs dist/cli.js)', async () => {
  const namesAfterPost = async (flags: string[]): Promise<string[]> => {
    const child = startCli(['serve', '--port', '0', ...flags, '--specs', specsDir]);
    const ended = finished(child);
    try {
      const url = await listeningUrl(child);
      assert.equal((await send(url, 'POST', PETS, { name: 'ByCli' })).status, 201);
      return ((await send(url, 'GET', PETS)).json as Pet[]).map((pet) => pet.name);
    } finally {
      await killChild(child);
      await ended;
    }
  };
  assert.deepEqual(await namesAfterPost([]), ['Rex', 'ByCli']);
  assert.deepEqual(await namesAfterPost(['--stateless']), ['Rex']);
});
