import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { createServer, type RunningServer } from '../../src/server.js';
import { loadSpec } from '../../src/spec/load-spec.js';
import { describeProblem, SpecError } from '../../src/spec/spec-error.js';
import { placeInOriginal } from '../../src/spec/swagger2.js';
import { printedBy } from '../support/children.js';
import { finished, listeningUrl, ROOT, runCli, startCli } from '../support/cli.js';

const PETSTORE_2 = path.join(ROOT, 'tests', 'fixtures', 'user-specs', 'petstore-swagger2.yaml');

let directory: string;
before(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'standin-spec-loading-'));
});
after(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** Writes a document (an object, as YAML, or text as it is) to its own file; answers the path. */
async function documentFile(name: string, document: object | string): Promise<string> {
  const file = path.join(directory, `${name}.yaml`);
  await writeFile(file, typeof document === 'string' ? document : stringify(document));
  return file;
}

/** The 1-based line of the first line holding `needle` after the first one holding `after`. */
async function lineOf(file: string, needle: string, after?: string): Promise<number> {
  const lines = (await readFile(file, 'utf8')).split('\n');
  const start = after === undefined ? 0 : lines.findIndex((line) => line.includes(after));
  const index = lines.findIndex(
    (line, at) => at > start - (after === undefined ? 1 : 0) && line.includes(needle),
  );
  assert.ok(start >= 0 && index >= 0, `${needle} in ${file}`);
  return index + 1;
}

async function refusal(load: Promise<unknown>): Promise<SpecError> {
  try {
    await load;
  } catch (error) {
    assert.ok(error instanceof SpecError, `a SpecError, not ${String(error)}`);
    return error;
  }
  assert.fail('the document was served');
}

/** Warnings logged at start: JSON log lines at pino's warn level (40). */
class WarningSink extends Writable {
  readonly warnings: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      const entry = JSON.parse(line) as { level?: number; msg?: string };
      if (entry.level === 40 && entry.msg !== undefined) this.warnings.push(entry.msg);
    }
    done();
  }
}

const BASIC_ALICE = `Basic ${Buffer.from('alice:secret').toString('base64')}`;

describe('a Swagger 2.0 document is converted and served', () => {
  let server: RunningServer;
  before(async () => {
    // Stateless: this is about the conversion; inferred state would start the petstore empty.
    server = await createServer({ specs: [PETSTORE_2], port: 0, log: 'silent', stateless: true });
  });
  after(async () => {
    await server.close();
  });

  test('a GET with a path parameter (declared once, by $ref) answers from the schema', async () => {
    const found = await fetch(`${server.url}/v2/pets/7`);
    assert.equal(found.status, 200);
    const pet = (await found.json()) as { id?: unknown; name?: unknown };
    assert.equal(typeof pet.id, 'number');
    assert.equal(typeof pet.name, 'string');
    const wrongType = await fetch(`${server.url}/v2/pets/seven`);
    assert.equal(wrongType.status, 400, 'petId is an integer in #/parameters/petId');
  });

  test('a query parameter keeps its 2.0 bounds', async () => {
    assert.equal((await fetch(`${server.url}/v2/pets?limit=500`)).status, 400);
    assert.equal((await fetch(`${server.url}/v2/pets?limit=5`)).status, 200);
  });

  test('a body parameter is the request body: validated against its schema', async () => {
    const post = (body: unknown): Promise<Response> =>
      fetch(`${server.url}/v2/pets`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', api_key: 'any-key' },
        body: JSON.stringify(body),
      });
    const bad = await post({ tag: 1 });
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /name/);
    const good = await post({ name: 'Rex' });
    assert.equal(good.status, 201);
  });

  test('formData parameters are the form body: each validated', async () => {
    const send = (body: string): Promise<Response> =>
      fetch(`${server.url}/v2/pets/7`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: 'Bearer token',
        },
        body,
      });
    const bad = await send('age=-1');
    assert.equal(bad.status, 400);
    const detail = await bad.text();
    assert.match(detail, /name/, 'the required form field is missing');
    assert.match(detail, /age/, 'age has a minimum of 0');
    assert.equal((await send('name=Rex&age=2')).status, 200);
  });

  test('security definitions: basic authentication is required where the 2.0 document says', async () => {
    const refused = await fetch(`${server.url}/v2/owner`);
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('www-authenticate'), 'Basic realm="standin"');
    const allowed = await fetch(`${server.url}/v2/owner`, {
      headers: { authorization: BASIC_ALICE },
    });
    assert.equal(allowed.status, 200);
    const apiKeyMissing = await fetch(`${server.url}/v2/pets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"Rex"}',
    });
    assert.equal(apiKeyMissing.status, 401, 'addPet requires the api_key header');
  });

  test('the spec served is the OpenAPI 3.0 document the 2.0 one converts to', async () => {
    const answer = await fetch(`${server.url}/petstore-swagger2/openapi.json`);
    assert.equal(answer.status, 200);
    const served = (await answer.json()) as {
      openapi: string;
      components: { securitySchemes: Record<string, unknown> };
    };
    assert.match(served.openapi, /^3\.0/);
    assert.deepEqual(served.components.securitySchemes.basicAuth, {
      type: 'http',
      scheme: 'basic',
    });
    assert.equal(
      (served.components.securitySchemes.petstore_auth as { type: string }).type,
      'oauth2',
    );
  });
});

describe('loading a Swagger 2.0 document', () => {
  test('is version 3.0, marked as converted from 2.0', async () => {
    const loaded = await loadSpec(PETSTORE_2);
    assert.equal(loaded.version, '3.0');
    assert.equal(loaded.convertedFrom, '2.0');
    assert.equal(loaded.basePath, '/v2');
    assert.deepEqual(loaded.warnings, []);
  });

  test('a 2.0 schema error names the place and line in the 2.0 file', async () => {
    const file = await documentFile('no-description-2', {
      swagger: '2.0',
      info: { title: 't', version: '1' },
      paths: { '/a': { get: { responses: { '200': { schema: { type: 'string' } } } } } },
    });
    const error = await refusal(loadSpec(file));
    assert.equal(error.file, file);
    const problem = error.problems.find((candidate) => /description/.test(candidate.message));
    assert.ok(problem, error.message);
    assert.equal(problem.pointer, '#/paths/~1a/get/responses/200');
    assert.equal(problem.line, await lineOf(file, 'schema:', '"200":'));
    assert.match(error.format(), /--lenient/);
  });

  test('a 2.0 rule outside the schema (a path variable without parameter) names the operation', async () => {
    const file = await documentFile('undeclared-2', {
      swagger: '2.0',
      info: { title: 't', version: '1' },
      paths: { '/a/{id}': { get: { responses: { '200': { description: 'ok' } } } } },
    });
    const error = await refusal(loadSpec(file));
    assert.equal(error.problems[0]?.pointer, '#/paths/~1a~1{id}/get');
    assert.equal(error.problems[0]?.line, await lineOf(file, 'responses:'));
  });

  test('a problem found after conversion is placed in the 2.0 file: a duplicate operationId', async () => {
    const file = await documentFile('duplicate-id-2', {
      swagger: '2.0',
      info: { title: 't', version: '1' },
      paths: {
        '/a': { get: { operationId: 'same', responses: { '200': { description: 'ok' } } } },
        '/b': { get: { operationId: 'same', responses: { '200': { description: 'ok' } } } },
      },
    });
    // Leniently, the 2.0 rules are left to the checks of the converted document.
    const error = await refusal(loadSpec(file, undefined, { lenient: true }));
    assert.equal(error.problems[0]?.pointer, '#/paths/~1b/get/operationId');
    assert.equal(error.problems[0]?.line, await lineOf(file, 'operationId: same', '/b:'));
    assert.equal(error.problems[0]?.inConverted, undefined);
  });

  test('a body schema that cannot be compiled is placed at the 2.0 body parameter', async () => {
    const file = await documentFile('bad-pattern-2', {
      swagger: '2.0',
      info: { title: 't', version: '1' },
      paths: {
        '/a': {
          post: {
            parameters: [{ in: 'body', name: 'body', schema: { $ref: '#/definitions/Thing' } }],
            responses: { '200': { description: 'ok' } },
          },
        },
      },
      definitions: { Thing: { type: 'string', pattern: '([unclosed' } },
    });
    const error = await refusal(
      createServer({ specs: [file], port: 0, log: 'silent' }).then((server) => server.close()),
    );
    const problem = error.problems[0];
    assert.ok(problem, error.message);
    assert.match(problem.message, /cannot be compiled/);
    assert.equal(problem.pointer, '#/paths/~1a/post/parameters/0/schema');
    assert.equal(
      problem.line,
      await lineOf(file, '$ref: "#/definitions/Thing"'),
      "the line of the body parameter's schema",
    );
  });

  test('an unresolvable $ref names its place in the 2.0 file, strictly and leniently', async () => {
    const file = await documentFile('dangling-2', {
      swagger: '2.0',
      info: { title: 't', version: '1' },
      paths: {
        '/a': {
          get: {
            responses: { '200': { description: 'ok', schema: { $ref: '#/definitions/Missing' } } },
          },
        },
      },
    });
    for (const lenient of [false, true]) {
      const error = await refusal(loadSpec(file, undefined, { lenient }));
      assert.match(error.message, /Missing/);
      assert.equal(error.problems[0]?.pointer, '#/paths/~1a/get/responses/200/schema');
      assert.equal(error.problems[0]?.line, await lineOf(file, '$ref: "#/definitions/Missing"'));
      assert.doesNotMatch(error.format(), /--lenient/, 'leniency would not serve it');
    }
  });
});

/** A 3.0 document with every imperfection lenient serves. */
const IMPERFECT_3_0 = {
  openapi: '3.0.3',
  paths: {
    '/things/{thingId}': {
      get: {
        parameters: [{ name: 'q', in: 'query' }],
        responses: {
          '200': {
            content: {
              description: 'the thing',
              'application/json': {
                schema: { $ref: '#/components/schemas/Thing' },
                example: { kind: 'thing' },
                examples: { one: { value: { kind: 'thing' } } },
              },
            },
          },
        },
      },
      post: {
        parameters: [{ name: 'thingId', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } },
        },
        responses: { '204': { description: 'stored' } },
      },
    },
  },
  components: {
    schemas: {
      Thing: {
        type: 'object',
        required: ['kind'],
        properties: {
          kind: { const: 'thing' },
          nickname: { type: ['string', 'null'] },
          size: { type: 'integer', exclusiveMinimum: 0 },
          legacy: { type: 'string', required: true },
        },
      },
    },
  },
};

test('a place of the converted document without a 2.0 counterpart is named as converted', () => {
  const original = { swagger: '2.0', host: 'example.com', paths: {} };
  const converted = { openapi: '3.0.0', servers: [{ url: '//example.com' }], paths: {} };
  const placed = placeInOriginal(
    { pointer: '#/servers/0/url', message: 'not a URL' },
    original,
    converted,
  );
  assert.equal(placed.inConverted, true);
  assert.equal(
    describeProblem(placed),
    'at #/servers/0/url of the document converted from Swagger 2.0: not a URL',
  );
  const schema = placeInOriginal(
    { pointer: '#/components/schemas/Pet/properties/id', message: 'm' },
    { ...original, definitions: { Pet: { properties: { id: { type: 'integer' } } } } },
    converted,
  );
  assert.equal(schema.pointer, '#/definitions/Pet/properties/id');
  assert.equal(schema.inConverted, undefined);
});

test('a Swagger 2.0 problem inside a definition is named at #/definitions, strictly and leniently', async () => {
  const file = await documentFile('dangling-in-definition-2', {
    swagger: '2.0',
    info: { title: 't', version: '1' },
    paths: {
      '/a': {
        get: { responses: { '200': { description: 'ok', schema: { $ref: '#/definitions/Pet' } } } },
      },
    },
    definitions: {
      Pet: { type: 'object', properties: { owner: { $ref: '#/definitions/Owner' } } },
    },
  });
  for (const lenient of [false, true]) {
    const error = await refusal(loadSpec(file, undefined, { lenient }));
    assert.equal(error.problems[0]?.pointer, '#/definitions/Pet/properties/owner', error.message);
    assert.equal(error.problems[0]?.line, await lineOf(file, '$ref: "#/definitions/Owner"'));
  }
});

describe('lenient', () => {
  test('strictly, the imperfect document is refused, with the --lenient hint last', async () => {
    const file = await documentFile('imperfect', IMPERFECT_3_0);
    const error = await refusal(loadSpec(file));
    assert.equal(error.hint, 'serve it anyway with --lenient: these problems become warnings');
    assert.match(error.message, /--lenient/);
    const lines = error.format().split('\n');
    assert.match(lines.at(-1) ?? '', /^ {2}serve it anyway with --lenient/);
    assert.ok(
      error.problems.some((problem) => problem.pointer === '#' && problem.line === 1),
      'the missing info',
    );
  });

  test('each imperfection is a warning naming the pointer and the line', async () => {
    const file = await documentFile('imperfect-lenient', IMPERFECT_3_0);
    const logged: string[] = [];
    const loaded = await loadSpec(file, undefined, {
      lenient: true,
      warn: (message) => logged.push(message),
    });
    const expected: Array<[pointer: string, message: RegExp]> = [
      ['#/info', /no info/],
      ['#/paths/~1things~1{thingId}/get/parameters/0', /no schema.*any string/],
      ['#/paths/~1things~1{thingId}/get/responses/200', /no description/],
      ['#/paths/~1things~1{thingId}/get/responses/200/content/description', /not a media type/],
      [
        '#/paths/~1things~1{thingId}/get/responses/200/content/application~1json/example',
        /"example" and "examples"/,
      ],
      ['#/components/schemas/Thing/properties/kind/const', /"const".*kept/],
      ['#/components/schemas/Thing/properties/nickname/type', /"type" as a list/],
      ['#/components/schemas/Thing/properties/size/exclusiveMinimum', /"exclusiveMinimum"/],
      ['#/paths/~1things~1{thingId}/get', /path variable \{thingId\}.*any string/],
      ['#/components/schemas/Thing/properties/legacy/required', /"required: true".*ignored/],
    ];
    for (const [pointer, message] of expected) {
      const warning = loaded.warnings.find(
        (candidate) => candidate.pointer === pointer && message.test(candidate.message),
      );
      assert.ok(warning, `a warning at ${pointer}; got ${JSON.stringify(loaded.warnings)}`);
      assert.equal(typeof warning.line, 'number', `the line of ${pointer}`);
    }
    assert.equal(logged.length, loaded.warnings.length);
    assert.ok(logged.every((line) => line.startsWith(`${file}: at #`)));
    assert.ok(logged.some((line) => /^.*: at #\/info, line 1:1: /.test(line)));
  });

  test('repaired parts are served as the document means them', async () => {
    const file = await documentFile('imperfect-served', IMPERFECT_3_0);
    const sink = new WarningSink();
    const server = await createServer({
      specs: [file],
      port: 0,
      log: 'json',
      logDestination: sink,
      lenient: true,
    });
    try {
      assert.ok(
        sink.warnings.some((warning) => /imperfect-served\.yaml: at #\/info, line 1/.test(warning)),
        `the warnings reach the log: ${sink.warnings.join('\n')}`,
      );
      const got = await fetch(`${server.url}/things/abc?q=anything`);
      assert.equal(got.status, 200, 'the undeclared path variable and the query take any string');
      const post = (body: unknown): Promise<Response> =>
        fetch(`${server.url}/things/abc`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      assert.equal((await post({ kind: 'thing', nickname: null, size: 1 })).status, 204);
      assert.equal((await post({ kind: 'other' })).status, 400, 'const is enforced');
      assert.equal((await post({ kind: 'thing', nickname: 3 })).status, 400, 'type list');
      assert.equal((await post({ kind: 'thing', size: 0 })).status, 400, 'numeric bound');
    } finally {
      await server.close();
    }
  });

  test('an unknown field is ignored with a warning; strictly it is an error', async () => {
    const file = await documentFile('misspelled', {
      openapi: '3.0.3',
      info: { title: 't', version: '1' },
      paths: { '/a': { get: { responses: { '200': { descriptio: 'misspelled' } } } } },
    });
    const loaded = await loadSpec(file, undefined, { lenient: true });
    assert.ok(
      loaded.warnings.some(
        (warning) =>
          warning.pointer === '#/paths/~1a/get/responses/200/descriptio' &&
          /ignored/.test(warning.message),
      ),
      JSON.stringify(loaded.warnings),
    );
    const error = await refusal(loadSpec(file));
    assert.match(error.message, /must have required property 'description'/);
    assert.equal(error.hint, 'serve it anyway with --lenient: these problems become warnings');
  });

  test('a 3.1 document that still says nullable is read as 3.0 meant it', async () => {
    const file = await documentFile('nullable-31', {
      openapi: '3.1.0',
      info: { title: 't', version: '1' },
      paths: {
        '/a': {
          post: {
            requestBody: {
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: { note: { type: 'string', nullable: true } },
                  },
                },
              },
            },
            responses: { '204': { description: 'ok' } },
          },
        },
      },
    });
    const loaded = await loadSpec(file, undefined, { lenient: true });
    assert.ok(
      loaded.warnings.some(
        (warning) =>
          warning.pointer ===
            '#/paths/~1a/post/requestBody/content/application~1json/schema/properties/note/nullable' &&
          /OpenAPI 3\.0 schema syntax/.test(warning.message),
      ),
      JSON.stringify(loaded.warnings),
    );
    const server = await createServer({ specs: [file], port: 0, log: 'silent', lenient: true });
    try {
      const post = (body: unknown): Promise<Response> =>
        fetch(`${server.url}/a`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      assert.equal((await post({ note: null })).status, 204);
      assert.equal((await post({ note: 1 })).status, 400);
    } finally {
      await server.close();
    }
  });

  test('a document without paths is served empty, with a warning', async () => {
    const file = await documentFile('no-paths', {
      openapi: '3.0.3',
      info: { title: 't', version: '1' },
    });
    const loaded = await loadSpec(file, undefined, { lenient: true });
    assert.deepEqual(loaded.document.paths, {});
    assert.ok(loaded.warnings.some((warning) => /no paths/.test(warning.message)));
    await refusal(loadSpec(file));
  });

  test('a Swagger 2.0 document is repaired too, named at its own places', async () => {
    const file = await documentFile('imperfect-2', {
      swagger: '2.0',
      paths: {
        '/a/{id}': {
          get: {
            parameters: [{ name: 'q', in: 'query' }],
            responses: { '200': { schema: { type: 'string' } } },
          },
        },
      },
    });
    const loaded = await loadSpec(file, undefined, { lenient: true });
    const pointers = loaded.warnings.map((warning) => warning.pointer);
    assert.ok(pointers.includes('#/info'), JSON.stringify(loaded.warnings));
    assert.ok(pointers.includes('#/paths/~1a~1{id}/get/parameters/0'));
    assert.ok(pointers.includes('#/paths/~1a~1{id}/get/responses/200'));
    assert.ok(pointers.includes('#/paths/~1a~1{id}/get'), 'the path variable, after conversion');
    assert.ok(loaded.warnings.every((warning) => typeof warning.line === 'number'));
  });

  for (const [name, document, reason] of [
    [
      'dangling-ref',
      {
        openapi: '3.0.3',
        info: { title: 't', version: '1' },
        paths: {
          '/a': {
            get: {
              responses: {
                '200': {
                  description: 'ok',
                  content: {
                    'application/json': { schema: { $ref: '#/components/schemas/Missing' } },
                  },
                },
              },
            },
          },
        },
      },
      /Missing \$ref pointer/,
    ],
    ['not-openapi', { name: 'a compose file', services: { web: { image: 'nginx' } } }, /./],
    ['not-yaml', 'openapi: 3.0.3\ninfo:\n  title: t\n   version: 1\n', /bad indentation/],
  ] as const) {
    test(`${name}: cannot be served, leniently or not`, async () => {
      const file = await documentFile(name, document);
      for (const lenient of [false, true]) {
        const error = await refusal(loadSpec(file, undefined, { lenient }));
        assert.match(error.message, reason);
        assert.equal(error.hint, undefined, 'no --lenient hint: it would not help');
      }
    });
  }
});

describe('loading stays fast', () => {
  /** 1 000 operations, every one needing a lenient repair, and the same as Swagger 2.0. */
  function largeDocuments(): { openapi3: object; swagger2: object } {
    const paths3: Record<string, object> = {};
    const paths2: Record<string, object> = {};
    for (let index = 0; index < 500; index += 1) {
      paths3[`/r${index}/{id}`] = {
        get: {
          operationId: `get${index}`,
          responses: {
            '200': {
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Item' } } },
            },
          },
        },
        put: {
          operationId: `put${index}`,
          requestBody: {
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Item' } } },
          },
          responses: { '204': {} },
        },
      };
      const id = { name: 'id', in: 'path', required: true, type: 'integer' };
      paths2[`/r${index}/{id}`] = {
        get: {
          operationId: `get${index}`,
          parameters: [id],
          responses: { '200': { description: 'ok', schema: { $ref: '#/definitions/Item' } } },
        },
        put: {
          operationId: `put${index}`,
          parameters: [id, { in: 'body', name: 'body', schema: { $ref: '#/definitions/Item' } }],
          responses: { '204': { description: 'stored' } },
        },
      };
    }
    const item = {
      type: 'object',
      properties: { id: { type: 'integer' }, name: { type: 'string' } },
    };
    return {
      openapi3: {
        openapi: '3.0.3',
        info: { title: 't', version: '1' },
        paths: paths3,
        components: { schemas: { Item: item } },
      },
      swagger2: {
        swagger: '2.0',
        info: { title: 't', version: '1' },
        paths: paths2,
        definitions: { Item: item },
      },
    };
  }

  test('1 000 operations load in well under the time of one validation per operation', async () => {
    const { openapi3, swagger2 } = largeDocuments();
    const lenientFile = await documentFile('large-lenient', openapi3);
    const swaggerFile = await documentFile('large-swagger2', swagger2);
    // The first loads pay the one-off compilation of the OpenAPI and Swagger schemas.
    await loadSpec(PETSTORE_2);
    const started = performance.now();
    const lenient = await loadSpec(lenientFile, undefined, { lenient: true });
    const converted = await loadSpec(swaggerFile);
    const elapsed = performance.now() - started;
    assert.equal(Object.keys(lenient.document.paths).length, 500);
    assert.equal(lenient.warnings.length, 2000, 'descriptions and path variables, all repaired');
    assert.equal(Object.keys(converted.document.paths).length, 500);
    assert.ok(elapsed < 10_000, `took ${Math.round(elapsed)} ms`);
  });
});

describe('the command line', () => {
  test('standin validate refuses an imperfect document and names --lenient (exit 2)', async () => {
    const file = await documentFile('cli-imperfect', IMPERFECT_3_0);
    const outcome = await runCli(['validate', file]);
    assert.equal(outcome.code, 2, outcome.stderr);
    assert.match(outcome.stdout, /invalid +\S+cli-imperfect\.yaml/);
    assert.match(
      outcome.stdout,
      /\n {2}serve it anyway with --lenient: these problems become warnings\n/,
    );
  });

  test('standin validate --lenient prints each warning with its place, and exits 0', async () => {
    const file = await documentFile('cli-imperfect-lenient', IMPERFECT_3_0);
    const outcome = await runCli(['validate', '--lenient', file]);
    assert.equal(outcome.code, 0, outcome.stdout + outcome.stderr);
    assert.match(outcome.stdout, /valid +\S+cli-imperfect-lenient\.yaml \(OpenAPI 3\.0\.3/);
    assert.match(
      outcome.stdout,
      /warning +\S+cli-imperfect-lenient\.yaml: at #\/info, line 1:1: the document has no info/,
    );
    assert.match(
      outcome.stdout,
      /warning +\S+: at #\/components\/schemas\/Thing\/properties\/kind\/const, line \d+/,
    );
  });

  test('standin validate --lenient still fails a document that cannot be served', async () => {
    const file = await documentFile('cli-dangling', {
      openapi: '3.0.3',
      paths: {
        '/a': {
          get: {
            responses: {
              '200': {
                description: 'ok',
                content: {
                  'application/json': { schema: { $ref: '#/components/schemas/Missing' } },
                },
              },
            },
          },
        },
      },
    });
    const outcome = await runCli(['validate', '--lenient', file]);
    assert.equal(outcome.code, 2);
    assert.match(outcome.stdout, /Missing \$ref pointer/);
  });

  test('standin validate checks a Swagger 2.0 document', async () => {
    const outcome = await runCli(['validate', PETSTORE_2]);
    assert.equal(outcome.code, 0, outcome.stdout + outcome.stderr);
    assert.match(
      outcome.stdout,
      /valid +\S+petstore-swagger2\.yaml \(OpenAPI 3\.0\.\d+, 6 operations, served at \/v2\)/,
    );
  });

  test('standin serve --lenient starts and logs the warnings', async () => {
    const file = await documentFile('cli-serve-lenient', IMPERFECT_3_0);
    const child = startCli(['serve', '--lenient', '--port', '0', '--log', 'json', file]);
    const ended = finished(child);
    try {
      const url = await listeningUrl(child);
      assert.equal((await fetch(`${url}/things/abc?q=x`)).status, 200);
      assert.match(
        printedBy(child),
        /cli-serve-lenient\.yaml: at #\/info, line 1:1: the document has no info/,
      );
    } finally {
      child.kill('SIGTERM');
      await ended;
    }
  });
});
