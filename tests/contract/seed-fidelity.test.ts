import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import { parse } from 'yaml';
import { DEFAULT_SPECS_DIR } from '../../src/index.js';

/** Copies of ../shared/seeds, kept in the repository so this check runs on any clean checkout. */
const SEEDS = path.join(import.meta.dirname, '..', 'fixtures', 'seeds');

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

async function seedYaml(file: string): Promise<Json> {
  const text = await readFile(path.join(SEEDS, file), 'utf8');
  const block = /````yaml[^\n]*\n([\s\S]*?)````/.exec(text)?.[1];
  assert.ok(block, `${file} holds an OpenAPI YAML block`);
  return parse(block) as Json;
}

async function spec(vendor: string): Promise<Json> {
  return parse(await readFile(path.join(DEFAULT_SPECS_DIR, `${vendor}.yaml`), 'utf8')) as Json;
}

/**
 * The spec with standin's marked additions taken out: objects marked `x-standin-added`, every
 * `x-standin-*` key, and the `$ref`s that point at removed components.
 */
function withoutAdditions(node: Json, removedRefs = new Set<string>(), pointer = '#'): Json {
  if (Array.isArray(node))
    return node.map((item, index) => withoutAdditions(item, removedRefs, `${pointer}/${index}`));
  if (node === null || typeof node !== 'object') return node;
  const kept: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('x-standin')) continue;
    const childPointer = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      if (value['x-standin-added'] === true) {
        removedRefs.add(childPointer);
        continue;
      }
      if (typeof value.$ref === 'string' && removedRefs.has(value.$ref)) continue;
    }
    kept[key] = withoutAdditions(value, removedRefs, childPointer);
  }
  return kept;
}

/**
 * Two passes: the first finds the marked components, the second drops the $refs to them too, and
 * the security requirements that name only added schemes (WireMock's legacy Basic).
 */
function original(document: Json): Json {
  const removed = new Set<string>();
  withoutAdditions(document, removed);
  const stripped = withoutAdditions(document, removed);
  if (!stripped || typeof stripped !== 'object' || Array.isArray(stripped)) return stripped;
  const addedSchemes = [...removed]
    .filter((pointer) => pointer.startsWith('#/components/securitySchemes/'))
    .map((pointer) => pointer.split('/').at(-1) ?? '');
  const keepRequirement = (requirement: Json): boolean =>
    !(
      requirement &&
      typeof requirement === 'object' &&
      Object.keys(requirement).length > 0 &&
      Object.keys(requirement).every((name) => addedSchemes.includes(name))
    );
  if (Array.isArray(stripped.security))
    stripped.security = stripped.security.filter(keepRequirement);
  // An emptied `components.responses` or `components.schemas` was entirely standin's.
  const components = stripped.components;
  if (components && typeof components === 'object' && !Array.isArray(components)) {
    stripped.components = Object.fromEntries(
      Object.entries(components).filter(
        ([, value]) => !(value && typeof value === 'object' && Object.keys(value).length === 0),
      ),
    );
  }
  return stripped;
}

for (const [vendor, seed] of [
  ['wiremock-cloud', '000_015afc8cf0e119a8.txt'],
  ['projectdiscovery', '003_1c9df00959119219.txt'],
  ['gorules', '004_b2c68c21884dc88e.txt'],
] as const) {
  test(`${vendor}: the spec without its marked additions is the seed, exactly`, async () => {
    assert.deepEqual(original(await spec(vendor)), await seedYaml(seed));
  });
}

interface Fragment {
  meta: {
    info: Json;
    servers: Json;
    security: Json;
    tags: Json;
    openapi: string;
    securitySchemes: Json;
  };
  spec: {
    description: string;
    operationId: string;
    summary: string;
    tags: Json;
    security: Json;
    method: string;
    path: string;
    responses: Record<
      string,
      {
        description: string;
        content: Record<string, { schema: Record<string, Json>; example?: Json }>;
      }
    >;
  };
}

test('thousandeyes: the rebuilt document says what the JSON fragment says, with its $$refs as components', async () => {
  const fragment = JSON.parse(
    await readFile(path.join(SEEDS, '001_58d74b38c3d96f02.txt'), 'utf8'),
  ) as Fragment;
  const document = (await SwaggerParser.dereference(
    path.join(DEFAULT_SPECS_DIR, 'thousandeyes.yaml'),
  )) as unknown as {
    openapi: string;
    info: Json;
    servers: Json;
    security: Json;
    tags: Json;
    components: { securitySchemes: Json };
    paths: Record<string, Record<string, Record<string, Json>>>;
  };
  const raw = (await spec('thousandeyes')) as {
    paths: Record<
      string,
      Record<
        string,
        { responses: Record<string, { content: Record<string, { schema: { $ref?: string } }> }> }
      >
    >;
  };
  assert.equal(document.openapi, fragment.meta.openapi);
  assert.deepEqual(document.info, fragment.meta.info);
  assert.deepEqual(document.servers, fragment.meta.servers);
  assert.deepEqual(document.security, fragment.meta.security);
  assert.deepEqual(document.tags, fragment.meta.tags);
  assert.deepEqual(document.components.securitySchemes, fragment.meta.securitySchemes);

  const operation = document.paths[fragment.spec.path]?.[fragment.spec.method];
  assert.ok(operation);
  for (const key of ['description', 'operationId', 'summary', 'tags', 'security'] as const) {
    assert.deepEqual(operation[key], fragment.spec[key], key);
  }
  const responses = Object.fromEntries(
    Object.entries(operation.responses as Record<string, Record<string, Json>>).filter(
      ([, response]) => response['x-standin-added'] !== true,
    ),
  ) as Record<
    string,
    { description: string; content: Record<string, { schema: Json; example?: Json }> }
  >;
  assert.deepEqual(Object.keys(responses), Object.keys(fragment.spec.responses));
  for (const [status, response] of Object.entries(fragment.spec.responses)) {
    assert.equal(responses[status]?.description, response.description, `${status} description`);
    for (const [mediaType, media] of Object.entries(response.content)) {
      const { $$ref: annotation, ...schema } = media.schema;
      assert.deepEqual(
        responses[status]?.content[mediaType]?.schema,
        schema,
        `${status} ${mediaType} schema`,
      );
      assert.deepEqual(
        responses[status]?.content[mediaType]?.example,
        media.example,
        `${status} ${mediaType} example`,
      );
      const written =
        raw.paths[fragment.spec.path]?.[fragment.spec.method]?.responses[status]?.content[mediaType]
          ?.schema.$ref;
      assert.equal(
        written,
        annotation,
        `${status} ${mediaType} is a real $ref to the annotated component`,
      );
    }
  }
});

test('pocketpaw: the spec written from prose has its call, its bearer auth and its documented answer', async () => {
  const prose = await readFile(path.join(SEEDS, '002_2a2ffa3ac3e51167.txt'), 'utf8');
  const document = (await SwaggerParser.dereference(
    path.join(DEFAULT_SPECS_DIR, 'pocketpaw.yaml'),
  )) as unknown as {
    servers: Array<{ url: string }>;
    components: {
      securitySchemes: Record<string, { type: string; scheme?: string; 'x-standin-added'?: true }>;
    };
    paths: Record<
      string,
      {
        post?: {
          responses: Record<string, { content: Record<string, { example: { token: string } }> }>;
        };
      }
    >;
  };
  assert.match(prose, /^POST \/api\/token\/regenerate Bearer/);
  assert.ok(document.paths['/api/token/regenerate']?.post);
  assert.ok(
    prose.includes(document.servers[0]?.url ?? 'missing'),
    'the server is the one in the snippets',
  );
  // The prose's bearer auth; a scheme standin added (the login cookie) is marked and left out.
  assert.deepEqual(
    Object.values(document.components.securitySchemes).filter(
      (scheme) => scheme['x-standin-added'] !== true,
    ),
    [{ type: 'http', scheme: 'bearer' }],
  );
  const example =
    document.paths['/api/token/regenerate']?.post?.responses['200']?.content['application/json']
      ?.example;
  assert.ok(
    example && prose.includes(`"token": "${example.token}"`),
    'the example is the documented response',
  );
});
