import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { resolveOptions, serveOptionsFrom } from '../../src/config.js';
import { killChild } from '../support/children.js';
import { listeningUrl, ROOT, runCli, startCli } from '../support/cli.js';
import { call, startStandin, type TestServer } from '../support/standin.js';

/**
 * Handler files a user writes beside their own spec, loaded as the built-in vendors are: in
 * TypeScript without a build step, with state in the Store per namespace and every answer checked.
 */

const SPEC = `openapi: 3.0.3
info: { title: Pets, version: '1' }
servers: [{ url: /v1 }]
paths:
  /pets:
    post:
      operationId: createPet
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [name]
              properties: { name: { type: string } }
      responses:
        '201':
          description: Created
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Pet' }
  /pets/{petId}:
    get:
      operationId: getPet
      parameters:
        - { name: petId, in: path, required: true, schema: { type: integer } }
      responses:
        '200':
          description: The pet
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Pet' }
        '404':
          description: No such pet
          content:
            application/json:
              schema:
                type: object
                required: [message]
                properties: { message: { type: string } }
components:
  schemas:
    Pet:
      type: object
      required: [id, name]
      additionalProperties: false
      properties:
        id: { type: integer }
        name: { type: string }
`;

/** A helper in a TypeScript file of its own: the module's own imports load without a build too. */
const PET_IDS = `export function nextId(taken: readonly { id: number }[]): number {
  return taken.reduce((highest, pet) => Math.max(highest, pet.id), 0) + 1;
}
`;

/**
 * A TypeScript vendor module with a state and two handlers. `toolkit` is where standin's exports
 * are (its sources under tsx, dist/ for the built CLI): a refusal from it must be recognised.
 */
const MODULE = (
  toolkit: string,
  { breakCreate = false } = {},
): string => `import { refuse } from ${JSON.stringify(toolkit)};
import type { VendorModule } from ${JSON.stringify(toolkit)};
import { nextId } from './pet-ids.js';

interface Pet {
  id: number;
  name: string;
}
interface PetState {
  pets: Pet[];
}

const petstore: VendorModule<PetState> = {
  state: {
    schema: { type: 'object', required: ['pets'], properties: { pets: { type: 'array' } } },
    initial: () => ({ pets: [] }),
  },
  handlers: {
    createPet: ({ request, state }) =>
      state.update((current) => {
        const pet: Pet = { id: nextId(current.pets), name: (request.body as { name: string }).name };
        const body = ${breakCreate ? '{ ...pet, id: String(pet.id) }' : 'pet'};
        return { value: { pets: [...current.pets, pet] }, result: { status: 201, body } };
      }),
    getPet: async ({ request, state }) => {
      const pet = (await state.read()).pets.find((candidate) => candidate.id === request.params.path.petId);
      if (pet === undefined) throw refuse(404, 'No such pet');
      return { status: 200, body: pet };
    },
  },
};

export default petstore;
`;

/** The same module in plain JavaScript, with no toolkit import at all. */
const JS_MODULE = `export default {
  state: { schema: { type: 'object' }, initial: () => ({ pets: [] }) },
  handlers: {
    createPet: ({ request, state }) =>
      state.update((current) => {
        const pet = { id: current.pets.length + 1, name: request.body.name };
        return { value: { pets: [...current.pets, pet] }, result: { status: 201, body: pet } };
      }),
    getPet: async ({ request, state }) => {
      const pet = (await state.read()).pets.find((candidate) => candidate.id === request.params.path.petId);
      return pet ? { status: 200, body: pet } : { status: 404, body: { message: 'No such pet' } };
    },
  },
};
`;

const SOURCES_TOOLKIT = pathToFileURL(path.join(ROOT, 'src', 'index.ts')).href;
const BUILT_TOOLKIT = pathToFileURL(path.join(ROOT, 'dist', 'index.js')).href;

const projects: string[] = [];
after(() =>
  Promise.all(projects.map((directory) => rm(directory, { recursive: true, force: true }))),
);

/** A temporary project: the given files (path → text), and an ES module package.json. */
async function project(files: Record<string, string>): Promise<string> {
  const directory = await mkdtemp(path.join(tmpdir(), 'standin-handlers-'));
  projects.push(directory);
  await writeFile(path.join(directory, 'package.json'), '{ "type": "module" }\n');
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(directory, file)), { recursive: true });
    await writeFile(path.join(directory, file), text);
  }
  return directory;
}

async function createPet(base: string, name: string, namespace?: string): Promise<Response> {
  return fetch(`${base}/pets`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(namespace === undefined ? {} : { 'x-standin-namespace': namespace }),
    },
    body: JSON.stringify({ name }),
  });
}

/** POST then GET of the same pet, and a GET of one never created: the module's state answers. */
async function assertStateful(base: string): Promise<void> {
  const created = await createPet(base, 'Rex');
  assert.equal(created.status, 201, await created.clone().text());
  const pet = (await created.json()) as { id: number; name: string };
  assert.equal(pet.name, 'Rex');
  const second = await createPet(base, 'Tom');
  assert.equal(((await second.json()) as { id: number }).id, pet.id + 1, 'the state grew');
  const read = await call(`${base}/pets/${pet.id}`);
  assert.equal(read.status, 200, read.text);
  assert.deepEqual(read.json, { id: pet.id, name: 'Rex' });
  const missing = await call(`${base}/pets/999`);
  assert.equal(missing.status, 404, missing.text);
}

async function withServer(
  started: Promise<TestServer>,
  run: (server: TestServer, base: string) => Promise<void>,
): Promise<void> {
  const server = await started;
  try {
    // Alone, the spec is served at its own server path on the root.
    await run(server, `${server.url}/v1`);
  } finally {
    await server.close();
  }
}

test('a TypeScript module in --handlers keeps state across calls, per namespace, in the Store', async () => {
  const directory = await project({
    'petstore.yaml': SPEC,
    'standin/petstore.handlers.ts': MODULE(SOURCES_TOOLKIT),
    'standin/pet-ids.ts': PET_IDS,
  });
  await withServer(
    startStandin({
      specs: [path.join(directory, 'petstore.yaml')],
      handlers: path.join(directory, 'standin'),
    }),
    async (server, base) => {
      await assertStateful(base);
      const missing = await call(`${base}/pets/999`);
      assert.deepEqual(missing.json, { message: 'No such pet' }, "the toolkit's refuse() answers");
      // Another namespace starts from the module's initial state, and keeps its own.
      assert.equal(
        (await call(`${base}/pets/1`, { headers: { 'x-standin-namespace': 'other' } })).status,
        404,
      );
      assert.equal((await createPet(base, 'Kit', 'other')).status, 201);
      const state = (await call(`${server.adminUrl}/state/petstore`)).json as {
        pets: Array<{ name: string }>;
      };
      assert.deepEqual(
        state.pets.map((pet) => pet.name),
        ['Rex', 'Tom'],
        'the default namespace kept its own pets',
      );
      assert.deepEqual(await server.violations(), []);
    },
  );
});

test("a file module's answer that breaks the spec is a 500 contract violation", async () => {
  const directory = await project({
    'petstore.yaml': SPEC,
    'standin/petstore/index.ts': MODULE(SOURCES_TOOLKIT, { breakCreate: true }),
    'standin/petstore/pet-ids.ts': PET_IDS,
  });
  await withServer(
    startStandin({
      specs: [path.join(directory, 'petstore.yaml')],
      handlers: path.join(directory, 'standin'),
    }),
    async (server, base) => {
      const answer = await createPet(base, 'Rex');
      assert.equal(answer.status, 500);
      const violation = (await answer.json()) as { type: string; operationId: string };
      assert.equal(violation.type, 'urn:standin:problem:contract-violation');
      assert.equal(violation.operationId, 'createPet');
      assert.equal((await server.violations()).length, 1);
    },
  );
});

test('a handler for an operationId the spec lacks stops the start, naming the module file and the operationId', async () => {
  const directory = await project({
    'petstore.yaml': SPEC,
    'standin/petstore.handlers.ts': MODULE(SOURCES_TOOLKIT).replace('getPet:', 'getPets:'),
    'standin/pet-ids.ts': PET_IDS,
  });
  const moduleFile = path.join(directory, 'standin', 'petstore.handlers.ts');
  await assert.rejects(
    startStandin({
      specs: [path.join(directory, 'petstore.yaml')],
      handlers: path.join(directory, 'standin'),
    }),
    (error: Error) => {
      assert.equal(error.name, 'SpecError');
      assert.ok(
        error.message.includes(`in ${moduleFile} for operationId "getPets"`),
        error.message,
      );
      assert.ok(error.message.includes(path.join(directory, 'petstore.yaml')), 'and the spec file');
      return true;
    },
  );
});

test('a TypeScript syntax error stops the start, naming the file and the line', async () => {
  const broken = MODULE(SOURCES_TOOLKIT).replace(
    'const petstore: VendorModule<PetState> = {',
    'const petstore: VendorModule<PetState> = {{',
  );
  const line = broken.split('\n').findIndex((text) => text.includes('= {{')) + 1;
  const directory = await project({
    'petstore.yaml': SPEC,
    'standin/petstore.handlers.ts': broken,
    'standin/pet-ids.ts': PET_IDS,
  });
  const moduleFile = path.join(directory, 'standin', 'petstore.handlers.ts');
  await assert.rejects(
    startStandin({
      specs: [path.join(directory, 'petstore.yaml')],
      handlers: path.join(directory, 'standin'),
    }),
    (error: Error) => {
      assert.equal(error.name, 'ConfigError');
      assert.ok(error.message.includes(`${moduleFile}:${line}:`), error.message);
      return true;
    },
  );
});

test('with no flag, <spec name>.handlers.ts beside the spec is its module', async () => {
  const directory = await project({
    'api/petstore.yaml': SPEC,
    'api/petstore.handlers.ts': MODULE(SOURCES_TOOLKIT),
    'api/pet-ids.ts': PET_IDS,
  });
  await withServer(startStandin({ specs: [path.join(directory, 'api')] }), (_server, base) =>
    assertStateful(base),
  );
});

test('a JavaScript module loads by plain import; a folder beside a spec that is no module is skipped', async () => {
  const directory = await project({
    'petstore.yaml': SPEC,
    'handlers/petstore/index.mjs': JS_MODULE,
    // Something else that happens to sit beside the spec, named like it: not a vendor module.
    'petstore/index.js':
      'export const docs = "the pets API, explained";\nexport const version = 1;\n',
  });
  await withServer(
    startStandin({
      specs: [path.join(directory, 'petstore.yaml')],
      handlers: path.join(directory, 'handlers'),
    }),
    (_server, base) => assertStateful(base),
  );
  // Without the flag, the folder beside the spec is looked at, found to be no module, and skipped.
  await withServer(
    startStandin({ specs: [path.join(directory, 'petstore.yaml')] }),
    async (server, base) => {
      const created = await createPet(base, 'Rex');
      assert.equal(created.status, 201, 'answered from the spec');
      assert.ok(
        server
          .logLines()
          .some((entry) => String(entry.msg).includes('is not used as the module of petstore')),
        server.rawLog(),
      );
    },
  );
});

test('a module in --handlers that pairs with no served spec is said, not loaded', async () => {
  const directory = await project({
    'petstore.yaml': SPEC,
    // Misspelt; and it throws when imported, which would stop the start: it must not be.
    'standin/petstor.handlers.ts': 'throw new Error("never imported");\n',
  });
  await withServer(
    startStandin({
      specs: [path.join(directory, 'petstore.yaml')],
      handlers: path.join(directory, 'standin'),
    }),
    async (server, base) => {
      assert.equal((await createPet(base, 'Rex')).status, 201, 'petstore is served all the same');
      const said = server
        .logLines()
        .some((entry) =>
          String(entry.msg).includes(
            'it is the module of petstor, and no spec petstor.yaml is served',
          ),
        );
      assert.ok(said, server.rawLog());
    },
  );
});

test('the CLI: dist/cli.js serve api.yaml --handlers dir serves a TypeScript module without a build; a bad one exits 2', async () => {
  const directory = await project({
    'api.yaml': SPEC,
    'standin/api.handlers.ts': MODULE(BUILT_TOOLKIT),
    'standin/pet-ids.ts': PET_IDS,
    'broken/api.handlers.ts': MODULE(BUILT_TOOLKIT).replace('getPet:', 'getPets:'),
    'broken/pet-ids.ts': PET_IDS,
  });
  const child = startCli([
    'serve',
    path.join(directory, 'api.yaml'),
    '--handlers',
    path.join(directory, 'standin'),
    '--port',
    '0',
    '--log',
    'json',
  ]);
  try {
    const url = await listeningUrl(child);
    await assertStateful(`${url}/v1`);
    const missing = await call(`${url}/v1/pets/999`);
    assert.deepEqual(missing.json, { message: 'No such pet' }, "dist's refuse() is recognised");
  } finally {
    await killChild(child);
  }
  const refused = await runCli([
    'serve',
    path.join(directory, 'api.yaml'),
    '--handlers',
    path.join(directory, 'broken'),
    '--port',
    '0',
  ]);
  assert.equal(refused.code, 2, refused.stderr);
  assert.ok(
    refused.stderr.includes(
      `${path.join(directory, 'broken', 'api.handlers.ts')} for operationId "getPets"`,
    ),
    refused.stderr,
  );
});

test('--handlers, STANDIN_HANDLERS and the former vendorModulesDir are one option', () => {
  assert.equal(serveOptionsFrom({}, { STANDIN_HANDLERS: 'fakes' }).handlers, 'fakes');
  assert.equal(
    serveOptionsFrom({ handlers: 'mine' }, { STANDIN_HANDLERS: 'fakes' }).handlers,
    'mine',
    'the flag wins over the environment',
  );
  assert.equal(resolveOptions({ vendorModulesDir: 'fakes' }).handlers, 'fakes');
  assert.throws(
    () => resolveOptions({ handlers: 'mine', vendorModulesDir: 'fakes' }),
    /vendorModulesDir is the former name of handlers/,
  );
});
