import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { test } from 'node:test';
import type { MediaType, RequestBody } from '../../src/spec/openapi.js';
import { createAjvPair } from '../../src/validators/ajv.js';
import {
  BINARY_FORMAT,
  FORM_FORMAT,
  JSON_FORMAT,
  TEXT_FORMAT,
  xmlFormat,
} from '../../src/validators/body-format.js';
import { compileFormReader } from '../../src/validators/form-body.js';
import { kindOf } from '../../src/validators/media-type.js';
import { compileMultipartReader } from '../../src/validators/multipart-body.js';
import { DEFAULT_MULTIPART_LIMITS, splitMultipart } from '../../src/validators/multipart.js';
import {
  checkBody,
  compileRequestBody,
  expectBody,
  type BodyOutcome,
} from '../../src/validators/request-body.js';
import { checkResponse, compileResponses } from '../../src/validators/response.js';
import { SchemaCompiler } from '../../src/validators/schema-compiler.js';
import { createXmlWriter, readXml } from '../../src/validators/xml-body.js';

const compiler = new SchemaCompiler(
  createAjvPair(() => undefined),
  { version: '3.0' },
);

/** Compiles a request body of one media type and checks one raw body against it. */
function checkRequest(
  mediaType: string,
  definition: Record<string, unknown>,
  raw: Buffer | string,
  contentType = mediaType,
  limits = DEFAULT_MULTIPART_LIMITS,
): BodyOutcome {
  const requestBody = { content: { [mediaType]: definition } } as unknown as RequestBody;
  const plan = compileRequestBody(requestBody, compiler, '#/paths/~1x/post/requestBody');
  assert.ok(plan);
  const body = Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'utf8');
  const headers: IncomingHttpHeaders = {
    'content-type': contentType,
    'content-length': String(body.length),
  };
  const expected = expectBody(plan, headers);
  assert.ok(expected.ok && expected.present, 'the media type is accepted');
  return checkBody(expected, body, limits);
}

function multipart(
  parts: Array<{ name: string; value: string | Buffer; filename?: string; type?: string }>,
  boundary = 'b0undary',
): { body: Buffer; contentType: string } {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const filename = part.filename === undefined ? '' : `; filename="${part.filename}"`;
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"${filename}\r\n`;
    if (part.type) head += `Content-Type: ${part.type}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`), Buffer.from(part.value), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    body: Buffer.concat(chunks),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

function failureText(outcome: BodyOutcome): string {
  assert.equal(outcome.ok, false, 'the body is refused');
  return outcome.ok ? '' : outcome.failures.map((failure) => failure.message).join('; ');
}

// --- media types -------------------------------------------------------------------------------

test('media types fall into kinds: XML before text, multipart and forms by name', () => {
  assert.equal(kindOf('application/xml'), 'xml');
  assert.equal(kindOf('text/xml'), 'xml');
  assert.equal(kindOf('application/atom+xml'), 'xml');
  assert.equal(kindOf('multipart/form-data'), 'multipart');
  assert.equal(kindOf('application/x-www-form-urlencoded'), 'form');
  assert.equal(kindOf('text/csv'), 'text');
  assert.equal(kindOf('application/problem+json'), 'json');
  assert.equal(kindOf('image/png'), 'binary');
});

// --- forms -------------------------------------------------------------------------------------

const formSchema = {
  type: 'object',
  properties: {
    meta: { type: 'object', properties: { a: { type: 'integer' } } },
    tags: { type: 'array', items: { type: 'string' } },
    ids: { type: 'array', items: { type: 'integer' } },
    filter: { type: 'object', properties: { status: { type: 'string' } } },
    link: { type: 'string' },
    name: { type: 'string' },
  },
};

test('a form property encoded as JSON is parsed from its text', () => {
  const read = compileFormReader(formSchema, { meta: { contentType: 'application/json' } });
  const reading = read(`meta=${encodeURIComponent('{"a":1}')}&name=x`);
  assert.deepEqual(reading, { ok: true, value: { meta: { a: 1 }, name: 'x' } });
  const broken = read(`meta=${encodeURIComponent('{a')}`);
  assert.ok(!broken.ok && /property "meta" is not valid JSON/.test(broken.message));
});

test('form arrays: exploded are repeated fields, unexploded split on their delimiter only', () => {
  const read = compileFormReader(formSchema, {
    ids: { style: 'form', explode: false },
    tags: { style: 'pipeDelimited', explode: false },
  });
  // Split once decoded, as query parameters are: URLSearchParams escapes the commas too.
  const reading = read('ids=1,2%2C3&tags=a%7Cb|c');
  assert.deepEqual(reading, { ok: true, value: { ids: ['1', '2', '3'], tags: ['a', 'b', 'c'] } });
  const exploded = compileFormReader(formSchema, undefined)('tags=a&tags=b');
  assert.deepEqual(exploded, { ok: true, value: { tags: ['a', 'b'] } });
});

test('form objects: deepObject and unexploded name,value pairs', () => {
  const read = compileFormReader(formSchema, {
    filter: { style: 'deepObject', explode: true },
    meta: { style: 'form', explode: false },
  });
  assert.deepEqual(read('filter%5Bstatus%5D=open&meta=a,1'), {
    ok: true,
    value: { filter: { status: 'open' }, meta: { a: '1' } },
  });
});

test('allowReserved: reserved characters must be percent-encoded unless the encoding allows them', () => {
  const strict = compileFormReader(formSchema, undefined)('link=http://x/y');
  assert.ok(!strict.ok && /reserved character ":"/.test(strict.message), JSON.stringify(strict));
  const allowed = compileFormReader(formSchema, { link: { allowReserved: true } })(
    'link=http://x/y?q',
  );
  assert.deepEqual(allowed, { ok: true, value: { link: 'http://x/y?q' } });
  // What URLSearchParams writes is always acceptable.
  const encoded = compileFormReader(
    formSchema,
    undefined,
  )(new URLSearchParams({ link: 'http://x/y?q' }).toString());
  assert.deepEqual(encoded, { ok: true, value: { link: 'http://x/y?q' } });
});

test('a form body is coerced to its schema and validated', () => {
  const definition = {
    schema: {
      type: 'object',
      required: ['count'],
      properties: {
        count: { type: 'integer' },
        ids: { type: 'array', items: { type: 'integer' } },
      },
    },
    encoding: { ids: { explode: false } },
  };
  assert.deepEqual(
    checkRequest('application/x-www-form-urlencoded', definition, 'count=3&ids=1,2'),
    {
      ok: true,
      body: { count: 3, ids: [1, 2] },
    },
  );
  assert.match(
    failureText(checkRequest('application/x-www-form-urlencoded', definition, 'count=x')),
    /integer/,
  );
});

// --- multipart ---------------------------------------------------------------------------------

const uploadSchema = {
  type: 'object',
  required: ['id'],
  properties: {
    id: { type: 'integer' },
    tags: { type: 'array', items: { type: 'string' } },
    file: { type: 'string', format: 'binary', maxLength: 4 },
    meta: { type: 'object', required: ['a'], properties: { a: { type: 'integer' } } },
  },
};

test('multipart parts become properties, coerced and validated', () => {
  const { body, contentType } = multipart([
    { name: 'id', value: '12' },
    { name: 'tags', value: 'a' },
    { name: 'tags', value: 'b' },
  ]);
  const outcome = checkRequest('multipart/form-data', { schema: uploadSchema }, body, contentType);
  assert.deepEqual(outcome, { ok: true, body: { id: 12, tags: ['a', 'b'] } });
});

test('multipart: a wrong type and a missing required part are refused', () => {
  const wrong = multipart([{ name: 'id', value: 'abc' }]);
  assert.match(
    failureText(
      checkRequest('multipart/form-data', { schema: uploadSchema }, wrong.body, wrong.contentType),
    ),
    /integer/,
  );
  const missing = multipart([{ name: 'other', value: '1' }]);
  assert.match(
    failureText(
      checkRequest(
        'multipart/form-data',
        { schema: uploadSchema },
        missing.body,
        missing.contentType,
      ),
    ),
    /id/,
  );
});

test('multipart: a file part is a Buffer, its maxLength counted in bytes', () => {
  const bytes = Buffer.from([0, 255, 1]);
  const ok = multipart([
    { name: 'id', value: '1' },
    { name: 'file', value: bytes, filename: 'a.bin', type: 'application/octet-stream' },
  ]);
  const outcome = checkRequest(
    'multipart/form-data',
    { schema: uploadSchema },
    ok.body,
    ok.contentType,
  );
  assert.ok(outcome.ok);
  const file = (outcome.body as { file: unknown }).file;
  assert.ok(Buffer.isBuffer(file) && file.equals(bytes), 'the handler gets the bytes');
  const big = multipart([
    { name: 'id', value: '1' },
    { name: 'file', value: Buffer.alloc(5), filename: 'b.bin' },
  ]);
  assert.match(
    failureText(
      checkRequest('multipart/form-data', { schema: uploadSchema }, big.body, big.contentType),
    ),
    /4 characters|maxLength|longer/i,
  );
});

test('multipart: a JSON part by encoding is parsed; a part of another type than its encoding is refused', () => {
  const definition = {
    schema: uploadSchema,
    encoding: { meta: { contentType: 'application/json' } },
  };
  const json = multipart([
    { name: 'id', value: '1' },
    { name: 'meta', value: '{"a":2}', type: 'application/json' },
  ]);
  assert.deepEqual(checkRequest('multipart/form-data', definition, json.body, json.contentType), {
    ok: true,
    body: { id: 1, meta: { a: 2 } },
  });
  const unlabelled = multipart([
    { name: 'id', value: '1' },
    { name: 'meta', value: '{"a":3}' },
  ]);
  assert.deepEqual(
    checkRequest('multipart/form-data', definition, unlabelled.body, unlabelled.contentType),
    {
      ok: true,
      body: { id: 1, meta: { a: 3 } },
    },
  );
  const wrong = multipart([
    { name: 'id', value: '1' },
    { name: 'meta', value: 'a=2', type: 'text/plain' },
  ]);
  assert.match(
    failureText(checkRequest('multipart/form-data', definition, wrong.body, wrong.contentType)),
    /part "meta" is text\/plain, but its encoding allows application\/json/,
  );
});

test('multipart limits: parts, fields, field size and file size are 413s naming the limit', () => {
  const limits = { ...DEFAULT_MULTIPART_LIMITS, parts: 2, fields: 2, fieldSize: 8, fileSize: 4 };
  const cases: Array<[Parameters<typeof multipart>[0], RegExp]> = [
    [
      [
        { name: 'a', value: '1' },
        { name: 'b', value: '2' },
        { name: 'c', value: '3' },
      ],
      /limit: parts/,
    ],
    [[{ name: 'a', value: '123456789' }], /limit: fieldSize/],
    [[{ name: 'f', value: '12345', filename: 'f.txt' }], /limit: fileSize/],
  ];
  for (const [parts, message] of cases) {
    const { body, contentType } = multipart(parts);
    const split = splitMultipart(body, contentType, limits);
    assert.ok(!split.ok && split.status === 413, `413 for ${String(message)}`);
    assert.match(split.message, message);
  }
  const fields = multipart([
    { name: 'a', value: '1' },
    { name: 'b', value: '2' },
    { name: 'c', value: '3' },
  ]);
  const split = splitMultipart(fields.body, fields.contentType, { ...limits, parts: 10 });
  assert.ok(!split.ok && split.status === 413 && /limit: fields/.test(split.message));
  // Through checkBody the status is carried out.
  const outcome = checkRequest('multipart/form-data', {}, fields.body, fields.contentType, {
    ...limits,
    parts: 10,
  });
  assert.ok(!outcome.ok && outcome.status === 413);
});

test('multipart: a body cut short, without a boundary or with a nameless part is a 400, not a hang', () => {
  const { body, contentType } = multipart([{ name: 'a', value: 'x' }]);
  const cut = splitMultipart(body.subarray(0, body.length - 12), contentType);
  assert.ok(!cut.ok && cut.status === 400 && /closing boundary/.test(cut.message));
  const noBoundary = splitMultipart(body, 'multipart/form-data');
  assert.ok(!noBoundary.ok && /no boundary/.test(noBoundary.message));
  const nameless = Buffer.from(
    '--b0undary\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b0undary--\r\n',
  );
  const refused = splitMultipart(nameless, 'multipart/form-data; boundary=b0undary');
  assert.ok(!refused.ok && /without a name/.test(refused.message));
});

test('multipart: a part with a non-text content type is a file even without a filename', () => {
  const read = compileMultipartReader({ type: 'object' }, undefined);
  const reading = read([
    { name: 'img', contentType: 'image/png', data: Buffer.from([137, 80]) },
    { name: 'note', data: Buffer.from('hi') },
  ]);
  assert.ok(reading.ok);
  const restored = reading.restoreFiles(reading.value);
  assert.ok(Buffer.isBuffer(restored.img));
  assert.equal(restored.note, 'hi');
});

// --- XML ---------------------------------------------------------------------------------------

const petSchema = {
  type: 'object',
  xml: { name: 'Pet' },
  required: ['id', 'name'],
  properties: {
    id: { type: 'integer', xml: { attribute: true } },
    name: { type: 'string' },
    alive: { type: 'boolean' },
    tags: {
      type: 'array',
      xml: { name: 'tags', wrapped: true },
      items: { type: 'string', xml: { name: 'tag' } },
    },
    photos: { type: 'array', items: { type: 'string', xml: { name: 'photo' } } },
  },
};

test('XML: attributes, wrapped and unwrapped arrays are read into the schema shape, typed', () => {
  const reading = readXml(
    '<?xml version="1.0"?><Pet id="7"><name>Rex &amp; co</name><alive>true</alive>' +
      '<tags><tag>a</tag><tag>b</tag></tags><photo>p1</photo></Pet>',
    petSchema,
  );
  assert.deepEqual(reading, {
    ok: true,
    value: { id: 7, name: 'Rex & co', alive: true, tags: ['a', 'b'], photos: ['p1'] },
  });
});

test('XML: written from the schema, and read back to the same value', () => {
  const value = { id: 1, name: 'Rex', tags: ['a', 'b'], photos: ['x', 'y'] };
  const xml = createXmlWriter(petSchema)(value);
  assert.equal(
    xml,
    '<Pet id="1"><name>Rex</name><tags><tag>a</tag><tag>b</tag></tags><photo>x</photo><photo>y</photo></Pet>',
  );
  assert.deepEqual(readXml(xml, petSchema), { ok: true, value });
});

test('XML: namespace and prefix are written, and read back by local name', () => {
  const schema = {
    type: 'object',
    xml: { name: 'Order', namespace: 'urn:shop', prefix: 'shop' },
    properties: { total: { type: 'number', xml: { namespace: 'urn:money', prefix: 'm' } } },
  };
  const xml = createXmlWriter(schema)({ total: 9.5 });
  assert.equal(
    xml,
    '<shop:Order xmlns:shop="urn:shop"><m:total xmlns:m="urn:money">9.5</m:total></shop:Order>',
  );
  assert.deepEqual(readXml(xml, schema), { ok: true, value: { total: 9.5 } });
  const defaultNamespace = createXmlWriter({
    type: 'object',
    xml: { name: 'A', namespace: 'urn:a' },
  })({});
  assert.equal(defaultNamespace, '<A xmlns="urn:a"></A>');
});

test('XML: the root is named by xml.name, else the component, else the title, else root', () => {
  const pet = { type: 'object' };
  const names = (schema: unknown): string | undefined => (schema === pet ? 'Pet' : undefined);
  assert.match(createXmlWriter(pet, names)({ id: 1 }), /^<Pet><id>1<\/id><\/Pet>$/);
  assert.equal(
    createXmlWriter({ type: 'array', items: pet }, names)([{ id: 1 }]),
    '<root><Pet><id>1</id></Pet></root>',
  );
  assert.match(createXmlWriter({ type: 'object', title: 'Thing' })({}), /^<Thing>/);
  assert.match(createXmlWriter({ type: 'object' })({ a: 'x' }), /^<root><a>x<\/a><\/root>$/);
  const list = createXmlWriter({
    type: 'array',
    xml: { name: 'Pets' },
    items: { xml: { name: 'Pet' } },
  });
  assert.equal(
    list([{ id: 1 }, { id: 2 }]),
    '<Pets><Pet><id>1</id></Pet><Pet><id>2</id></Pet></Pets>',
  );
});

test('XML: malformed documents and DOCTYPEs are refused with the reason', () => {
  const malformed = readXml('<Pet><name>x</Pet>', petSchema);
  assert.ok(!malformed.ok && /not well-formed XML/.test(malformed.message));
  const doctype = readXml('<!DOCTYPE x [<!ENTITY a "b">]><Pet>&a;</Pet>', petSchema);
  assert.ok(!doctype.ok && /DOCTYPE/.test(doctype.message));
});

test('an XML request body is read, typed and validated against its schema', () => {
  const definition = { schema: petSchema };
  assert.deepEqual(
    checkRequest('application/xml', definition, '<Pet id="3"><name>a</name></Pet>'),
    {
      ok: true,
      body: { id: 3, name: 'a' },
    },
  );
  assert.match(
    failureText(checkRequest('application/xml', definition, '<Pet id="x"><name>a</name></Pet>')),
    /integer/,
  );
  assert.match(
    failureText(checkRequest('application/xml', definition, '<Pet><name>')),
    /well-formed/,
  );
});

// --- text and bytes ----------------------------------------------------------------------------

test('a text body is a string, or the scalar its schema types', () => {
  assert.deepEqual(checkRequest('text/plain', { schema: { type: 'integer' } }, '42'), {
    ok: true,
    body: 42,
  });
  assert.match(
    failureText(checkRequest('text/plain', { schema: { type: 'integer' } }, 'forty')),
    /integer/,
  );
  assert.deepEqual(checkRequest('text/plain', { schema: { type: 'string' } }, '42'), {
    ok: true,
    body: '42',
  });
});

test('a binary body is a Buffer, and only its length in bytes is checked', () => {
  const definition = { schema: { type: 'string', format: 'binary', maxLength: 3 } };
  const outcome = checkRequest('application/octet-stream', definition, Buffer.from([1, 2, 3]));
  assert.ok(outcome.ok && Buffer.isBuffer(outcome.body));
  assert.match(
    failureText(checkRequest('application/octet-stream', definition, Buffer.from([1, 2, 3, 4]))),
    /4 bytes, more than the maxLength of 3/,
  );
});

// --- responses ---------------------------------------------------------------------------------

test('formats: text and bytes cannot carry objects; JSON and forms are written', () => {
  assert.match(TEXT_FORMAT.cannotCarry({ a: 1 }) ?? '', /an object cannot be sent as text/);
  assert.equal(TEXT_FORMAT.cannotCarry(3), undefined);
  assert.equal(TEXT_FORMAT.serialize(3), '3');
  assert.match(BINARY_FORMAT.cannotCarry([1]) ?? '', /an array cannot be sent as bytes/);
  assert.equal(BINARY_FORMAT.cannotCarry(Buffer.from('x')), undefined);
  assert.equal(JSON_FORMAT.serialize({ a: 1 }), '{"a":1}');
  assert.equal(FORM_FORMAT.serialize({ a: 'x y', b: [1, 2] }), 'a=x+y&b=1&b=2');
  assert.match(FORM_FORMAT.cannotCarry({ a: { b: 1 } }) ?? '', /nested/);
  assert.equal(xmlFormat(petSchema).serialize('<raw/>'), '<raw/>');
});

test('the response check refuses an object under text/plain and prepares XML for send', () => {
  const plan = compileResponses(
    {
      '200': {
        description: 'ok',
        content: {
          'text/plain': { schema: { type: 'object' } },
          'application/xml': {
            schema: { type: 'object', properties: { id: { type: 'integer' } } },
          },
        },
      },
    },
    compiler,
    '#/paths/~1x/get/responses',
    new Map(),
  );
  const text = checkResponse(plan, { status: 200, contentType: 'text/plain', body: { a: 1 } });
  assert.ok(!text.ok);
  assert.deepEqual(
    text.failures.map((failure) => [failure.in, failure.message]),
    [
      [
        'body',
        'the media type text/plain cannot carry this value: an object cannot be sent as text: a text media type carries a string',
      ],
    ],
  );
  const xml = checkResponse(plan, { status: 200, contentType: 'application/xml', body: { id: 1 } });
  assert.ok(xml.ok && xml.kind);
  assert.equal(xml.kind.serialize({ id: 1 }), '<root><id>1</id></root>');
  const invalid = checkResponse(plan, {
    status: 200,
    contentType: 'application/xml',
    body: { id: 'x' },
  });
  assert.ok(!invalid.ok, 'an XML answer is validated as the value it writes');
});

test('an XML answer is named after its component when the compiler is told the names', () => {
  const pet: MediaType['schema'] = { type: 'object', properties: { id: { type: 'integer' } } };
  const plan = compileResponses(
    { '200': { description: 'ok', content: { 'application/xml': { schema: pet } } } },
    compiler,
    '#/paths/~1y/get/responses',
    new Map([[pet, 'Pet']]),
  );
  const outcome = checkResponse(plan, { status: 200, body: { id: 1 } });
  assert.ok(outcome.ok && outcome.kind);
  assert.equal(outcome.kind.serialize({ id: 1 }), '<Pet><id>1</id></Pet>');
});

test('XML a handler wrote as text is read back and validated; malformed XML is a violation', () => {
  const plan = compileResponses(
    {
      '200': {
        description: 'ok',
        // The OpenAPI types want `type` as a literal; the same object serves as a plain schema above.
        content: { 'application/xml': { schema: petSchema as MediaType['schema'] } },
      },
    },
    compiler,
    '#/paths/~1z/get/responses',
  );
  const good = checkResponse(plan, { status: 200, body: '<Pet id="1"><name>a</name></Pet>' });
  assert.ok(good.ok && good.kind);
  assert.equal(
    good.kind.serialize('<Pet id="1"><name>a</name></Pet>'),
    '<Pet id="1"><name>a</name></Pet>',
  );
  const wrong = checkResponse(plan, { status: 200, body: '<Pet id="x"><name>a</name></Pet>' });
  assert.ok(!wrong.ok && wrong.failures.some((failure) => failure.pointer === '/id'));
  const malformed = checkResponse(plan, { status: 200, body: '<Pet><name>a</Pet>' });
  assert.ok(!malformed.ok && /not well-formed XML/.test(malformed.failures[0]?.message ?? ''));
});

test('multipart: an object property without an encoding is JSON by default', () => {
  const { body, contentType } = multipart([
    { name: 'id', value: '1' },
    { name: 'meta', value: '{"a":5}' },
  ]);
  assert.deepEqual(
    checkRequest('multipart/form-data', { schema: uploadSchema }, body, contentType),
    {
      ok: true,
      body: { id: 1, meta: { a: 5 } },
    },
  );
});

test('hostile multipart bodies are answered, never thrown or left to fail a tick later', async () => {
  const type = 'multipart/form-data; boundary=x';
  const bodies = [
    '',
    'garbage',
    '--x--',
    '--x\r\n\r\n--x--',
    '--x\r\nContent-Disposition: form-data; name="a"\r\n',
    '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue',
    '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nv\r\n--x--',
    '--x\r\nContent-Disposition: attachment; name="a"\r\n\r\nv\r\n--x--',
    `--x\r\nX: ${'y'.repeat(100_000)}\r\n\r\nv\r\n--x--`,
    'preamble\r\n--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nv\r\n--x--\r\nepilogue',
  ];
  const outcomes = bodies.map((body) => splitMultipart(Buffer.from(body), type));
  // Anything the parser would emit later (an error event) happens within a tick or two.
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(
    outcomes.map((outcome) => outcome.ok),
    [false, false, true, false, false, false, true, false, false, true],
  );
  const last = outcomes[9];
  assert.ok(last?.ok && last.parts[0]?.data.toString() === 'v');
});

test('XML: a top-level array round-trips through its wrapping root element', () => {
  const schema = {
    type: 'array',
    xml: { name: 'Pets' },
    items: { type: 'object', xml: { name: 'Pet' }, properties: { id: { type: 'integer' } } },
  };
  const xml = createXmlWriter(schema)([{ id: 1 }, { id: 2 }]);
  assert.equal(xml, '<Pets><Pet><id>1</id></Pet><Pet><id>2</id></Pet></Pets>');
  assert.deepEqual(readXml(xml, schema), { ok: true, value: [{ id: 1 }, { id: 2 }] });
  assert.deepEqual(readXml('<Pets><Pet><id>3</id></Pet></Pets>', schema), {
    ok: true,
    value: [{ id: 3 }],
  });
  assert.deepEqual(readXml('', schema).ok, false);
});
