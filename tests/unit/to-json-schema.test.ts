import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { FORBIDDEN_KEYWORD, toJsonSchema } from '../../src/validators/to-json-schema.js';

const request30 = { version: '3.0', direction: 'request', forbidden: 'keyword' } as const;
const response31 = { version: '3.1', direction: 'response', forbidden: 'keyword' } as const;

test('3.0 nullable widens the type and an enum', () => {
  assert.deepEqual(toJsonSchema({ type: 'string', nullable: true, enum: ['a'] }, request30), {
    type: ['string', 'null'],
    enum: ['a', null],
  });
});

test('3.0 nullable without a type allows null beside the schema', () => {
  const converted = toJsonSchema({ nullable: true, allOf: [{ type: 'string' }] }, request30);
  assert.deepEqual(converted, { anyOf: [{ allOf: [{ type: 'string' }] }, { type: 'null' }] });
});

test('3.1 keeps nullable as an ordinary (unknown) keyword: only type arrays allow null', () => {
  assert.deepEqual(toJsonSchema({ type: 'string', nullable: true }, { ...response31 }), {
    type: 'string',
    nullable: true,
  });
});

test('3.0 boolean exclusive bounds become 2020-12 numbers', () => {
  assert.deepEqual(
    toJsonSchema(
      { type: 'integer', minimum: 1, exclusiveMinimum: true, maximum: 9, exclusiveMaximum: false },
      request30,
    ),
    { type: 'integer', exclusiveMinimum: 1, maximum: 9 },
  );
});

test('readOnly properties are forbidden (and not required) in requests, writeOnly in responses', () => {
  const schema = {
    type: 'object',
    required: ['id', 'password', 'name'],
    properties: {
      id: { type: 'integer', readOnly: true },
      password: { type: 'string', writeOnly: true },
      name: { type: 'string' },
    },
  };
  const request = toJsonSchema(schema, request30) as Record<string, Record<string, unknown>>;
  assert.deepEqual(request.properties?.id, { [FORBIDDEN_KEYWORD]: 'readOnly' });
  assert.deepEqual(request.required, ['password', 'name']);
  const response = toJsonSchema(schema, response31) as Record<string, Record<string, unknown>>;
  assert.deepEqual(response.properties?.password, { [FORBIDDEN_KEYWORD]: 'writeOnly' });
  assert.deepEqual(response.required, ['id', 'name']);
  const forGeneration = toJsonSchema(schema, { ...response31, forbidden: 'omit' }) as Record<
    string,
    Record<string, unknown>
  >;
  assert.deepEqual(Object.keys(forGeneration.properties ?? {}), ['id', 'name']);
});

test('OpenAPI-only annotations and extensions are dropped; enum values are left alone', () => {
  const converted = toJsonSchema(
    {
      type: 'object',
      example: {},
      'x-internal': true,
      discriminator: { propertyName: 'kind' },
      enum: [{ example: 1 }],
    },
    request30,
  );
  assert.deepEqual(converted, { type: 'object', enum: [{ example: 1 }] });
});

test('a self-referring schema becomes $defs plus $ref, and compiles', () => {
  const node: Record<string, unknown> = {
    type: 'object',
    required: ['name'],
    properties: { name: { type: 'string' } },
  };
  (node.properties as Record<string, unknown>).child = node;
  const converted = toJsonSchema(node, response31);
  assert.doesNotThrow(() => JSON.stringify(converted), 'no cycle is left');
  const validate = new Ajv2020({ strict: false }).compile(converted as object);
  assert.equal(validate({ name: 'a', child: { name: 'b', child: { name: 'c' } } }), true);
  assert.equal(validate({ name: 'a', child: { name: 'b', child: {} } }), false);
});

test('a component shared by two properties is converted once and stays valid for both', () => {
  const shared = { type: 'string', nullable: true };
  const converted = toJsonSchema(
    { type: 'object', properties: { a: shared, b: shared } },
    request30,
  ) as {
    properties: Record<string, unknown>;
  };
  assert.deepEqual(converted.properties.a, { type: ['string', 'null'] });
  assert.equal(converted.properties.a, converted.properties.b);
});
