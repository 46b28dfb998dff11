import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import fc from 'fast-check';
import type { OpenAPIV3 } from 'openapi-types';
import { DEFAULT_SPECS_DIR } from '../../src/index.js';
import {
  call,
  credentials,
  ENVIRONMENT_ID,
  PROJECT_ID,
  useStandin,
  type ListedCredential,
} from '../support/standin.js';

/**
 * Property-based fuzzing against the running server: requests built from the specs themselves
 * (their operations, parameters, credentials and example bodies), then mutated (another method, a
 * random id, a random credential, any JSON or none). Whatever arrives: never a 5xx (no fault is
 * set, so a 5xx is a crash or an answer that broke the spec), and afterwards every vendor's state
 * still holds its invariants. Bounded: FUZZ_RUNS (5000) runs, at most 60 s; FUZZ_SEED replays a run.
 */
const standin = useStandin({}, { resetEachTest: false });
const VENDORS = ['gorules', 'pocketpaw', 'projectdiscovery', 'thousandeyes', 'wiremock-cloud'];
const RUNS = Number(process.env.FUZZ_RUNS ?? 5000);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

interface Operation {
  vendor: string;
  baseUrl: string;
  method: string;
  template: string;
  pathParameters: string[];
  bodyExample: unknown;
}

const KNOWN_IDS: Record<string, string[]> = {
  userId: ['9gd5l', 'k2x8p', 'q7m3z'],
  projectId: [PROJECT_ID, 'payments'],
  environmentId: [ENVIRONMENT_ID, 'production'],
  docKey: ['customer-discount', 'shipping-fee'],
};

async function operations(): Promise<Operation[]> {
  const found: Operation[] = [];
  for (const vendor of VENDORS) {
    const document = (await SwaggerParser.dereference(
      path.join(DEFAULT_SPECS_DIR, `${vendor}.yaml`),
    )) as OpenAPIV3.Document;
    const baseUrl = standin.vendors.find((entry) => entry.name === vendor)?.baseUrl ?? '';
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
        const schema = media?.schema as OpenAPIV3.SchemaObject | undefined;
        found.push({
          vendor,
          baseUrl,
          method: method.toUpperCase(),
          template,
          pathParameters: parameters
            .filter((parameter) => parameter.in === 'path')
            .map((parameter) => parameter.name),
          bodyExample: schema?.properties
            ? Object.fromEntries(
                Object.entries(schema.properties).map(([name, property]) => [
                  name,
                  (property as OpenAPIV3.SchemaObject).example,
                ]),
              )
            : {},
        });
      }
    }
  }
  return found;
}

const printable = fc.stringMatching(/^[\x20-\x7e]{0,40}$/);

test(`fuzzing every operation (${RUNS} runs, seed ${SEED}): never a 5xx, and every vendor's invariants hold`, async () => {
  const all = await operations();
  let issued: ListedCredential[] = await credentials(standin.url);
  const statuses = new Map<number, number>();
  const request = fc.record({
    operation: fc.constantFrom(...all),
    method: fc.option(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'), {
      freq: 4,
    }),
    ids: fc.array(fc.oneof(fc.constant('known'), fc.uuid(), printable), {
      minLength: 4,
      maxLength: 4,
    }),
    credential: fc.oneof(fc.constant('valid'), fc.constant('none'), printable),
    scheme: fc.constantFrom('Bearer ', 'Token ', ''),
    body: fc.oneof(
      fc.constant('example'),
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
  });

  await fc.assert(
    fc.asyncProperty(request, async (input) => {
      const { operation } = input;
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
        body = input.body === 'example' ? JSON.stringify(operation.bodyExample) : input.body;
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
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      assert.ok(
        answer.status < 500,
        `${method} ${pathname} answered ${answer.status}: ${text.slice(0, 500)}`,
      );
      // Rotations change the credentials; learn the current ones now and then.
      if (answer.status < 300 && input.pick % 4 === 0) issued = await credentials(standin.url);
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
    const active = user.tokens.filter((token) => Date.parse(token.expiresAt) > now);
    assert.ok(
      active.length >= 1 && active.length <= 2,
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
  assert.equal((await call(`${standin.url}/`)).status, 200, 'standin still answers');
}
