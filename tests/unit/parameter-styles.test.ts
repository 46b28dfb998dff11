import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Parameter } from '../../src/spec/openapi.js';
import { createAjvPair } from '../../src/validators/ajv.js';
import {
  checkParameters,
  compileParameters,
  type ParameterLocation,
  type ParametersOutcome,
} from '../../src/validators/parameters.js';
import { SchemaCompiler } from '../../src/validators/schema-compiler.js';

/**
 * OpenAPI 3.1.0 §4.8.12.4 "Style Examples": `color` as the string "blue", the array
 * ["blue","black","brown"] and the object {"R":100,"G":200,"B":150}, every style x explode row,
 * read from every location that allows the style. The object's properties are integers, so the
 * rows also prove that the values inside an array or object are coerced to their schema's types.
 */
const SCHEMAS = {
  empty: { type: 'string' },
  string: { type: 'string' },
  array: { type: 'array', items: { type: 'string' } },
  object: {
    type: 'object',
    properties: { R: { type: 'integer' }, G: { type: 'integer' }, B: { type: 'integer' } },
  },
} as const;
const VALUES = {
  string: 'blue',
  array: ['blue', 'black', 'brown'],
  object: { R: 100, G: 200, B: 150 },
} as const;
type Kind = keyof typeof VALUES;

interface Row {
  style: string;
  explode: boolean;
  kind: Kind;
  /** As the table writes it: the path segment, the query string, the header or cookie value. */
  wire: string;
}

const ROWS: Row[] = [
  { style: 'matrix', explode: false, kind: 'string', wire: ';color=blue' },
  { style: 'matrix', explode: false, kind: 'array', wire: ';color=blue,black,brown' },
  { style: 'matrix', explode: false, kind: 'object', wire: ';color=R,100,G,200,B,150' },
  { style: 'matrix', explode: true, kind: 'string', wire: ';color=blue' },
  { style: 'matrix', explode: true, kind: 'array', wire: ';color=blue;color=black;color=brown' },
  { style: 'matrix', explode: true, kind: 'object', wire: ';R=100;G=200;B=150' },
  { style: 'label', explode: false, kind: 'string', wire: '.blue' },
  { style: 'label', explode: false, kind: 'array', wire: '.blue.black.brown' },
  { style: 'label', explode: false, kind: 'object', wire: '.R.100.G.200.B.150' },
  { style: 'label', explode: true, kind: 'string', wire: '.blue' },
  { style: 'label', explode: true, kind: 'array', wire: '.blue.black.brown' },
  { style: 'label', explode: true, kind: 'object', wire: '.R=100.G=200.B=150' },
  { style: 'form', explode: false, kind: 'string', wire: 'color=blue' },
  { style: 'form', explode: false, kind: 'array', wire: 'color=blue,black,brown' },
  { style: 'form', explode: false, kind: 'object', wire: 'color=R,100,G,200,B,150' },
  { style: 'form', explode: true, kind: 'string', wire: 'color=blue' },
  { style: 'form', explode: true, kind: 'array', wire: 'color=blue&color=black&color=brown' },
  { style: 'form', explode: true, kind: 'object', wire: 'R=100&G=200&B=150' },
  { style: 'simple', explode: false, kind: 'string', wire: 'blue' },
  { style: 'simple', explode: false, kind: 'array', wire: 'blue,black,brown' },
  { style: 'simple', explode: false, kind: 'object', wire: 'R,100,G,200,B,150' },
  { style: 'simple', explode: true, kind: 'string', wire: 'blue' },
  { style: 'simple', explode: true, kind: 'array', wire: 'blue,black,brown' },
  { style: 'simple', explode: true, kind: 'object', wire: 'R=100,G=200,B=150' },
  { style: 'spaceDelimited', explode: false, kind: 'array', wire: 'color=blue%20black%20brown' },
  {
    style: 'spaceDelimited',
    explode: false,
    kind: 'object',
    wire: 'color=R%20100%20G%20200%20B%20150',
  },
  { style: 'pipeDelimited', explode: false, kind: 'array', wire: 'color=blue|black|brown' },
  { style: 'pipeDelimited', explode: false, kind: 'object', wire: 'color=R|100|G|200|B|150' },
  {
    style: 'deepObject',
    explode: true,
    kind: 'object',
    wire: 'color[R]=100&color[G]=200&color[B]=150',
  },
];

/** Where each style may be used (OpenAPI "Style Values"). */
const LOCATIONS_OF: Record<string, readonly ParameterLocation[]> = {
  matrix: ['path'],
  label: ['path'],
  form: ['query', 'cookie'],
  simple: ['path', 'header'],
  spaceDelimited: ['query'],
  pipeDelimited: ['query'],
  deepObject: ['query'],
};

function compile(parameters: Parameter[]): ReturnType<typeof compileParameters> {
  const compiler = new SchemaCompiler(
    createAjvPair(() => undefined),
    { version: '3.1' },
  );
  const plan = compileParameters(
    parameters.map((parameter, index) => ({ parameter, pointer: `/p/${index}` })),
    compiler,
    '/op',
  );
  assert.deepEqual(compiler.problems, []);
  return plan;
}

interface Sent {
  path?: Record<string, string>;
  query?: string;
  headers?: Record<string, string>;
}

function check(parameters: Parameter[], sent: Sent): ParametersOutcome {
  const query = sent.query ?? '';
  return checkParameters(compile(parameters), {
    path: sent.path ?? {},
    query: new URLSearchParams(query),
    rawQuery: query,
    headers: sent.headers ?? {},
    cookies: {},
  });
}

function valueOf(outcome: ParametersOutcome, location: ParameterLocation, name: string): unknown {
  assert.ok(outcome.ok, JSON.stringify(outcome.ok ? undefined : outcome.failures));
  return outcome.values[location][name];
}

/** How a row's wire text reaches standin from each location. */
function sentFrom(location: ParameterLocation, row: Row): Sent {
  switch (location) {
    case 'path':
      return { path: { color: row.wire } };
    case 'header':
      return { headers: { color: row.wire } };
    case 'query':
      return { query: row.wire };
    case 'cookie':
      // Cookies are `;`-separated, not `&`-separated (the exploded rows repeat names).
      return { headers: { cookie: row.wire.split('&').join('; ') } };
  }
}

for (const row of ROWS) {
  for (const location of LOCATIONS_OF[row.style] ?? []) {
    test(`${row.style} explode=${row.explode} ${row.kind} in ${location}: ${row.wire}`, () => {
      const parameter: Parameter = {
        name: 'color',
        in: location,
        required: true,
        style: row.style,
        explode: row.explode,
        schema: SCHEMAS[row.kind],
      };
      const outcome = check([parameter], sentFrom(location, row));
      assert.deepEqual(valueOf(outcome, location, 'color'), VALUES[row.kind]);
    });
  }
}

/** The "empty" column: `;color`, `.`, `color=` (form needs allowEmptyValue in the query). */
const EMPTY_ROWS: Array<{
  style: string;
  explode: boolean;
  location: ParameterLocation;
  sent: Sent;
}> = [
  { style: 'matrix', explode: false, location: 'path', sent: { path: { color: ';color' } } },
  { style: 'matrix', explode: true, location: 'path', sent: { path: { color: ';color' } } },
  { style: 'label', explode: false, location: 'path', sent: { path: { color: '.' } } },
  { style: 'label', explode: true, location: 'path', sent: { path: { color: '.' } } },
  { style: 'form', explode: false, location: 'query', sent: { query: 'color=' } },
  { style: 'form', explode: true, location: 'query', sent: { query: 'color=' } },
];
const EMPTY_VALUES = { string: '', array: [] } as const;

for (const row of EMPTY_ROWS) {
  for (const kind of ['string', 'array'] as const) {
    test(`${row.style} explode=${row.explode} empty ${kind} in ${row.location}`, () => {
      const parameter: Parameter = {
        name: 'color',
        in: row.location,
        required: true,
        style: row.style,
        explode: row.explode,
        schema: SCHEMAS[kind],
        ...(row.location === 'query' ? { allowEmptyValue: true } : {}),
      };
      assert.deepEqual(
        valueOf(check([parameter], row.sent), row.location, 'color'),
        EMPTY_VALUES[kind],
      );
    });
  }
}

const PAGINATION: Parameter = {
  name: 'pagination',
  in: 'query',
  style: 'form',
  explode: true,
  required: true,
  schema: {
    type: 'object',
    properties: { offset: { type: 'integer' }, limit: { type: 'integer' } },
  },
};

test('an exploded form object takes its properties from the query names its schema names', () => {
  const outcome = check([PAGINATION, { name: 'q', in: 'query', schema: { type: 'string' } }], {
    query: 'offset=1&limit=123&q=x&other=y',
  });
  assert.deepEqual(valueOf(outcome, 'query', 'pagination'), { offset: 1, limit: 123 });
  assert.equal(valueOf(outcome, 'query', 'q'), 'x');
});

test('a free-form exploded object takes every query name no other parameter claims', () => {
  const filter: Parameter = {
    name: 'filter',
    in: 'query',
    schema: { type: 'object', additionalProperties: { type: 'integer' } },
  };
  const outcome = check([filter, { name: 'q', in: 'query' }, { ...PAGINATION, required: false }], {
    query: 'q=x&a=1&b=2&offset=3',
  });
  assert.deepEqual(valueOf(outcome, 'query', 'filter'), { a: 1, b: 2 });
  assert.deepEqual(valueOf(outcome, 'query', 'pagination'), { offset: 3 });
});

test('the non-exploded pagination object of the issue is read', () => {
  const outcome = check([{ ...PAGINATION, explode: false }], {
    query: 'pagination=offset,0,limit,123',
  });
  assert.deepEqual(valueOf(outcome, 'query', 'pagination'), { offset: 0, limit: 123 });
});

test('an exploded object with none of its names is absent: required says so', () => {
  const outcome = check([PAGINATION], { query: 'other=1' });
  assert.equal(outcome.ok, false);
  assert.deepEqual(
    outcome.ok ? [] : outcome.failures.map(({ name, keyword }) => `${name}:${keyword}`),
    ['pagination:required'],
  );
});

test('client keys cannot reach a prototype: __proto__ stays an own property', () => {
  const free: Parameter = {
    name: 'color',
    in: 'query',
    style: 'deepObject',
    schema: { type: 'object' },
  };
  const outcome = check([free], { query: 'color[__proto__]=x&color[constructor]=y' });
  const value = valueOf(outcome, 'query', 'color') as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(value), Object.prototype);
  assert.deepEqual(Object.keys(value).sort(), ['__proto__', 'constructor']);
  assert.equal(({} as Record<string, unknown>).x, undefined);
  const header: Parameter = {
    name: 'x-color',
    in: 'header',
    explode: true,
    schema: { type: 'object' },
  };
  const fromHeader = valueOf(
    check([header], { headers: { 'x-color': '__proto__=1' } }),
    'header',
    'x-color',
  );
  assert.ok(Object.prototype.hasOwnProperty.call(fromHeader, '__proto__'));
});

test('array items are coerced to their type; a value that does not fit is refused by name', () => {
  const ids: Parameter = {
    name: 'ids',
    in: 'query',
    explode: false,
    schema: { type: 'array', items: { type: 'integer' } },
  };
  assert.deepEqual(valueOf(check([ids], { query: 'ids=1,2,3' }), 'query', 'ids'), [1, 2, 3]);
  const refused = check([ids], { query: 'ids=1,x' });
  assert.equal(refused.ok, false);
  assert.deepEqual(
    refused.ok
      ? []
      : refused.failures.map(({ name, pointer, keyword }) => `${name}${pointer}:${keyword}`),
    ['ids/1:type'],
  );
});

test('a parameter without a schema is any string', () => {
  const outcome = check([{ name: 'x', in: 'query' }], { query: 'x=a%2Cb' });
  assert.equal(valueOf(outcome, 'query', 'x'), 'a,b');
});

test('a header array is read with the whitespace of a header list trimmed', () => {
  const parameter: Parameter = {
    name: 'X-Tags',
    in: 'header',
    schema: { type: 'array', items: { type: 'string' } },
  };
  const outcome = check([parameter], { headers: { 'x-tags': 'a, b ,c' } });
  assert.deepEqual(valueOf(outcome, 'header', 'x-tags'), ['a', 'b', 'c']);
});

test('content-described parameters: JSON is parsed, other media types are text', () => {
  const json: Parameter = {
    name: 'filter',
    in: 'query',
    content: { 'application/json': { schema: { type: 'object', required: ['a'] } } },
  };
  const text: Parameter = {
    name: 'raw',
    in: 'query',
    content: { 'text/plain': { schema: { type: 'string' } } },
  };
  const outcome = check([json, text], {
    query: `filter=${encodeURIComponent('{"a":[1]}')}&raw=%7B%7D`,
  });
  assert.deepEqual(valueOf(outcome, 'query', 'filter'), { a: [1] });
  assert.equal(valueOf(outcome, 'query', 'raw'), '{}');
  const broken = check([json], { query: 'filter=%7Bnope' });
  assert.equal(broken.ok, false);
  assert.match(broken.ok ? '' : (broken.failures[0]?.message ?? ''), /not valid JSON/);
});

test('allowEmptyValue: an empty value is refused unless the parameter allows it', () => {
  const limit: Parameter = { name: 'limit', in: 'query', schema: { type: 'integer' } };
  const refused = check([limit], { query: 'limit=' });
  assert.equal(refused.ok, false);
  assert.match(refused.ok ? '' : (refused.failures[0]?.message ?? ''), /allowEmptyValue/);
  assert.equal(refused.ok ? '' : refused.failures[0]?.keyword, 'allowEmptyValue');
  const allowed = check([{ ...limit, allowEmptyValue: true, required: true }], { query: 'limit=' });
  assert.equal(valueOf(allowed, 'query', 'limit'), '');
});

test('allowReserved: reserved characters sent unencoded are refused unless allowed', () => {
  const next: Parameter = { name: 'next', in: 'query', schema: { type: 'string' } };
  const refused = check([next], { query: 'next=/a/b?c' });
  assert.equal(refused.ok, false);
  const [failure] = refused.ok ? [] : refused.failures;
  assert.equal(failure?.name, 'next');
  assert.equal(failure?.keyword, 'allowReserved');
  assert.equal(valueOf(check([next], { query: 'next=%2Fa%2Fb%3Fc' }), 'query', 'next'), '/a/b?c');
  const allowed = check([{ ...next, allowReserved: true }], { query: 'next=/a/b?c' });
  assert.equal(valueOf(allowed, 'query', 'next'), '/a/b?c');
  // The commas of a non-exploded array are its style's own delimiters, not reserved data.
  const list: Parameter = {
    name: 'l',
    in: 'query',
    explode: false,
    schema: { type: 'array', items: {} },
  };
  assert.deepEqual(valueOf(check([list], { query: 'l=a,b' }), 'query', 'l'), ['a', 'b']);
});

test('allowReserved is not checked when the raw query is unknown (derived from query)', () => {
  const next: Parameter = { name: 'next', in: 'query', schema: { type: 'string' } };
  const outcome = checkParameters(compile([next]), {
    path: {},
    query: new URLSearchParams('next=/a'),
    headers: {},
    cookies: {},
  });
  assert.equal(valueOf(outcome, 'query', 'next'), '/a');
});

test('a malformed label or matrix value is refused naming the parameter', () => {
  const label: Parameter = {
    name: 'color',
    in: 'path',
    required: true,
    style: 'label',
    schema: { type: 'string' },
  };
  const outcome = check([label], { path: { color: 'blue' } });
  assert.equal(outcome.ok, false);
  assert.deepEqual(
    outcome.ok ? [] : outcome.failures.map(({ in: where, name }) => `${where}:${name}`),
    ['path:color'],
  );
  assert.equal(outcome.ok ? '' : outcome.failures[0]?.keyword, 'style');
  const matrix: Parameter = { ...label, style: 'matrix' };
  assert.equal(check([matrix], { path: { color: ';colour=blue' } }).ok, false);
});

test('no parameters: nothing read, nothing refused', () => {
  const outcome = check([], { query: 'anything=/', headers: { cookie: 'a=b' } });
  assert.deepEqual(outcome, { ok: true, values: { path: {}, query: {}, header: {}, cookie: {} } });
});

test('an exploded cookie object leaves the cookies other parameters claim', () => {
  const session: Parameter = { name: 'session', in: 'cookie', schema: { type: 'string' } };
  const prefs: Parameter = {
    name: 'prefs',
    in: 'cookie',
    schema: { type: 'object', additionalProperties: { type: 'integer' } },
  };
  const outcome = check([session, prefs], { headers: { cookie: 'session=abc; a=1; b=%32' } });
  assert.equal(valueOf(outcome, 'cookie', 'session'), 'abc');
  assert.deepEqual(valueOf(outcome, 'cookie', 'prefs'), { a: 1, b: 2 });
});

test('spaceDelimited reads a space sent as + as well as %20', () => {
  const color: Parameter = {
    name: 'color',
    in: 'query',
    style: 'spaceDelimited',
    schema: { type: 'array', items: {} },
  };
  assert.deepEqual(valueOf(check([color], { query: 'color=a+b%20c' }), 'query', 'color'), [
    'a',
    'b',
    'c',
  ]);
});
