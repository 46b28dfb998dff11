import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import fc from 'fast-check';
import { generateSync, type JsonSchema } from 'json-schema-faker';
import type { OpenAPIV3 } from 'openapi-types';
import { DEFAULT_SPECS_DIR } from '../../src/index.js';
import { writeExtraVendor } from '../support/extra-vendor.js';
import { ResponseOracle } from '../support/response-oracle.js';
import {
  call,
  credentials,
  ENVIRONMENT_ID,
  moveClock,
  PROJECT_ID,
  useStandin,
  type ListedCredential,
} from '../support/standin.js';

/**
 * Property-based fuzzing against the running server: requests built from the specs themselves
 * (their operations, parameters, credentials, and bodies generated from each operation's own
 * schema), valid or mutated (another method, a random id, a random credential, a body missing a
 * required property or with a property of the wrong type, any JSON or none). Whatever arrives:
 * never a 5xx (no fault is set, so a 5xx is a crash or an answer that broke the spec), every answer
 * valid against the spec as an independent ajv reads it, and afterwards every vendor's state still
 * holds its invariants. Bounded: FUZZ_RUNS (5000) runs, at most 60 s; FUZZ_SEED replays a run.
 * Every vendor the server serves is fuzzed, as it lists them: the bundled ones and a sixth added
 * from a temporary folder (a spec and a module), as a user adds one.
 */
const extra = await writeExtraVendor();
after(() => extra.remove());
const standin = useStandin(
  { specs: [DEFAULT_SPECS_DIR, extra.specFile], vendorModulesDir: extra.modulesDir },
  { resetEachTest: false },
);
const RUNS = Number(process.env.FUZZ_RUNS ?? 5000);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

interface Operation {
  vendor: string;
  baseUrl: string;
  method: string;
  template: string;
  pathParameters: string[];
  /** The JSON request body's schema, when the operation takes one. */
  bodySchema: OpenAPIV3.SchemaObject | undefined;
  oracle: ResponseOracle;
}

const KNOWN_IDS: Record<string, string[]> = {
  userId: ['9gd5l', 'k2x8p', 'q7m3z'],
  projectId: [PROJECT_ID, 'payments'],
  environmentId: [ENVIRONMENT_ID, 'production'],
  docKey: ['customer-discount', 'shipping-fee'],
  documentId: ['a82bdbad-7bf1-56de-b24c-6a37003301c1'],
  versionId: ['866623a5-62ae-58ed-84f4-8dd08db4a9b5'],
};

async function operations(): Promise<Operation[]> {
  const found: Operation[] = [];
  assert.ok(standin.vendors.some((entry) => entry.name === extra.name));
  for (const { name: vendor, baseUrl } of standin.vendors) {
    const document = (await SwaggerParser.dereference(
      extra.specFileOf(vendor),
    )) as OpenAPIV3.Document;
    const oracle = new ResponseOracle(document);
    for (const [template, item] of Object.entries(document.paths)) {
      for (const method of ['get', 'post', 'put', 'delete', 'patch'] as const) {
        const operation = item?.[method];
        if (!operation) continue;
        const parameters = [
          ...(item.parameters ?? []),
          ...(operation.parameters ?? []),
        ] as OpenAPIV3.ParameterObject[];
        const media = (operation.requestBody as OpenAPIV3.RequestBodyObject | undefined)?.content[
          'application/json'
        ];
        found.push({
          vendor,
          baseUrl,
          method: method.toUpperCase(),
          template,
          pathParameters: parameters
            .filter((parameter) => parameter.in === 'path')
            .map((parameter) => parameter.name),
          bodySchema: media?.schema as OpenAPIV3.SchemaObject | undefined,
          oracle,
        });
      }
    }
  }
  return found;
}

const printable = fc.stringMatching(/^[\x20-\x7e]{0,40}$/);
/** A path segment: never empty, `.` or `..` (the URL parser would fold those into another path). */
const segment = fc
  .stringMatching(/^[\x20-\x7e]{1,40}$/)
  .filter((text) => text !== '.' && text !== '..');

type Mutation = 'none' | 'drop-required' | 'wrong-type' | 'unknown-property' | 'array';

/** A body from the operation's own schema (json-schema-faker, seeded by fast-check), then mutated. */
function bodyFromSchema(
  schema: OpenAPIV3.SchemaObject | undefined,
  seed: number,
  mutation: Mutation,
): unknown {
  const value = schema ? generateSync(schema as JsonSchema, { seed }) : {};
  if (mutation === 'none' || typeof value !== 'object' || value === null || Array.isArray(value))
    return mutation === 'array' ? [value] : value;
  const object = { ...(value as Record<string, unknown>) };
  const [required] = schema?.required ?? Object.keys(object);
  switch (mutation) {
    case 'drop-required':
      return Object.fromEntries(Object.entries(object).filter(([name]) => name !== required));
    case 'wrong-type':
      if (required !== undefined)
        object[required] = typeof object[required] === 'number' ? 'not a number' : 12345;
      return object;
    case 'unknown-property':
      return { ...object, standinFuzzUnknown: true };
    case 'array':
      return [object];
  }
}

test(`fuzzing every operation (${RUNS} runs, seed ${SEED}): never a 5xx, and every vendor's invariants hold`, async () => {
  const all = await operations();
  const fuzzed = new Set<string>();
  let issued: ListedCredential[] = await credentials(standin.url);
  const statuses = new Map<number, number>();
  let judged = 0;
  const request = fc.record({
    // An index, not the operation: a counterexample then prints short (the operation holds its spec).
    operation: fc.nat({ max: all.length - 1 }),
    // Mostly the documented method (undefined), else any: a wrong method stops at the router.
    method: fc.oneof(
      { arbitrary: fc.constant(undefined), weight: 4 },
      {
        arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'),
        weight: 1,
      },
    ),
    ids: fc.array(fc.oneof(fc.constant('known'), fc.uuid(), segment), {
      minLength: 4,
      maxLength: 4,
    }),
    credential: fc.oneof(
      { arbitrary: fc.constant('valid'), weight: 3 },
      { arbitrary: fc.constant('none'), weight: 1 },
      { arbitrary: printable, weight: 1 },
    ),
    scheme: fc.constantFrom('Bearer ', 'Token ', ''),
    body: fc.oneof(
      fc.record({
        seed: fc.nat(),
        mutation: fc.constantFrom<Mutation>(
          'none',
          'drop-required',
          'wrong-type',
          'unknown-property',
          'array',
        ),
      }),
      fc.constant('none'),
      fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
      printable,
    ),
    contentType: fc.constantFrom(
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      undefined,
    ),
    query: fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), printable, { maxKeys: 3 }),
    pick: fc.nat(),
    // Now and then the clock jumps past ThousandEyes' 14-day overlap, so rotations go on.
    clockJump: fc.oneof(
      { arbitrary: fc.constant(false), weight: 150 },
      { arbitrary: fc.constant(true), weight: 1 },
    ),
  });

  await fc.assert(
    fc.asyncProperty(request, async (input) => {
      const operation = all[input.operation];
      assert.ok(operation);
      if (input.clockJump) await moveClock(standin.url, { advance: 'P15D' });
      let pathname = operation.template;
      operation.pathParameters.forEach((name, index) => {
        const choice = input.ids[index] ?? 'known';
        const known = KNOWN_IDS[name] ?? ['x'];
        const value = choice === 'known' ? (known[input.pick % known.length] ?? 'x') : choice;
        pathname = pathname.replace(`{${name}}`, encodeURIComponent(value));
      });
      const headers: Record<string, string> = {};
      const mine = issued.filter((credential) => credential.vendor === operation.vendor);
      const valid = mine[input.pick % Math.max(1, mine.length)];
      if (input.credential === 'valid' && valid) headers[valid.header] = valid.value;
      else if (input.credential !== 'none')
        headers[valid?.header ?? 'Authorization'] = `${input.scheme}${input.credential}`;
      const method = input.method ?? operation.method;
      let body: string | undefined;
      if (method !== 'GET' && method !== 'HEAD' && input.body !== 'none') {
        body =
          typeof input.body === 'string'
            ? input.body
            : JSON.stringify(
                bodyFromSchema(operation.bodySchema, input.body.seed, input.body.mutation),
              );
        if (input.contentType) headers['content-type'] = input.contentType;
      }
      const query = new URLSearchParams(input.query).toString();
      const answer = await fetch(`${operation.baseUrl}${pathname}${query ? `?${query}` : ''}`, {
        method,
        headers,
        redirect: 'manual',
        ...(body !== undefined ? { body } : {}),
      });
      const text = await answer.text();
      fuzzed.add(operation.vendor);
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      assert.ok(
        answer.status < 500,
        `${method} ${pathname} answered ${answer.status}: ${text.slice(0, 500)}`,
      );
      if (method === operation.method) {
        judged += 1;
        const failures = operation.oracle.judge({
          method,
          template: operation.template,
          status: answer.status,
          contentType: answer.headers.get('content-type'),
          text,
        });
        assert.deepEqual(
          failures,
          [],
          `${method} ${pathname} answered ${answer.status}: ${text.slice(0, 300)}`,
        );
      }
      // A change may have rotated a credential: learn the current ones, as a client would.
      if (answer.status < 300 && method !== 'GET') issued = await credentials(standin.url);
    }),
    { numRuns: RUNS, seed: SEED, interruptAfterTimeLimit: 60_000, endOnFailure: true },
  );

  // The requests reached the operations: some were served, some refused (a fuzzer that only
  // ever met 404s would prove nothing).
  const served = [...statuses]
    .filter(([status]) => status < 300)
    .reduce((sum, [, count]) => sum + count, 0);
  const refused = [...statuses]
    .filter(([status]) => status >= 400)
    .reduce((sum, [, count]) => sum + count, 0);
  assert.ok(
    served > RUNS / 50,
    `only ${served} answers were 2xx: ${JSON.stringify([...statuses])}`,
  );
  process.stdout.write(
    `# fuzz statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}\n`,
  );
  assert.ok(refused > RUNS / 50, `only ${refused} answers were 4xx`);
  assert.ok(judged > RUNS / 2, `only ${judged} answers were judged against the spec`);
  assert.deepEqual(
    [...fuzzed].sort(),
    standin.vendors.map((vendor) => vendor.name).sort(),
    'every served vendor was fuzzed',
  );
  await assertInvariants();
});

async function assertInvariants(): Promise<void> {
  const state = async <T>(vendor: string): Promise<T> =>
    (await call(`${standin.url}/__admin/state/${vendor}`)).json as T;
  const now = Date.parse(
    ((await call(`${standin.url}/__admin/clock`)).json as { now: string }).now,
  );

  const thousandEyes = await state<{
    users: Array<{ uid: string; tokens: Array<{ token: string; expiresAt: string }> }>;
  }>('thousandeyes');
  for (const user of thousandEyes.users) {
    // No active token at all is possible: the clock jumps, and tokens live two years.
    const active = user.tokens.filter((token) => Date.parse(token.expiresAt) > now);
    assert.ok(
      active.length <= 2,
      `ThousandEyes user ${user.uid} has ${active.length} active tokens`,
    );
  }
  const projectDiscovery = await state<{ users: Array<{ apiKey: string | null }> }>(
    'projectdiscovery',
  );
  const keys = projectDiscovery.users.flatMap((user) =>
    user.apiKey === null ? [] : [user.apiKey],
  );
  assert.equal(new Set(keys).size, keys.length, 'no two ProjectDiscovery users share a key');
  const wireMock = await state<{ users: Array<{ apiToken: string }> }>('wiremock-cloud');
  assert.equal(
    new Set(wireMock.users.map((user) => user.apiToken)).size,
    wireMock.users.length,
    'every WireMock user has a token of their own',
  );
  const goRules = await state<{
    projects: Array<{ environments: Array<{ accessToken: string }> }>;
  }>('gorules');
  const environmentTokens = goRules.projects.flatMap((project) =>
    project.environments.map((environment) => environment.accessToken),
  );
  assert.equal(
    new Set(environmentTokens).size,
    environmentTokens.length,
    'every GoRules environment has a token of its own',
  );
  const pocketPaw = await state<{ masterToken: string }>('pocketpaw');
  assert.match(pocketPaw.masterToken, /^pk_/);
  const acme = await state<{ key: string }>(extra.name);
  assert.match(acme.key, /^acme_/);
  assert.equal((await call(`${standin.url}/`)).status, 200, 'standin still answers');
}
