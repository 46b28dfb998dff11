import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { HandlerRequest, HandlerResult } from '../../src/handlers/types.js';
import { createServer, type RunningServer } from '../../src/server.js';

/**
 * What a handler is given for each kind of body, and what is sent for what it answers: the
 * conformance cases (tests/conformance/cases/bodies.yaml) see only the wire; these see both ends.
 */

const SPEC = `openapi: 3.0.3
info: { title: kinds, version: '1' }
paths:
  /uploads:
    post:
      operationId: upload
      requestBody:
        content:
          multipart/form-data:
            schema:
              type: object
              properties:
                id: { type: integer }
                file: { type: string, format: binary }
                meta: { type: object, properties: { size: { type: integer } } }
            encoding:
              meta: { contentType: application/json }
      responses:
        '200':
          description: what was received
          content: { application/json: { schema: { type: object } } }
  /pets:
    post:
      operationId: addPet
      requestBody:
        content:
          application/xml:
            schema: { $ref: '#/components/schemas/Pet' }
      responses:
        '201':
          description: the pet
          content:
            application/xml:
              schema: { $ref: '#/components/schemas/Pet' }
  /notes:
    get:
      operationId: getNote
      responses:
        '200':
          description: a note
          content:
            text/plain: { schema: { type: string } }
  /blobs:
    get:
      operationId: getBlob
      responses:
        '200':
          description: bytes
          content:
            application/octet-stream: { schema: { type: string, format: binary } }
components:
  schemas:
    Pet:
      type: object
      xml: { name: Pet }
      properties:
        id: { type: integer, xml: { attribute: true } }
        name: { type: string }
`;

/** What the handlers answer next, and what they were last given. */
let answer: (request: HandlerRequest) => HandlerResult = () => ({ status: 200, body: {} });
let received: HandlerRequest | undefined;

let directory: string;
let server: RunningServer;
before(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'standin-body-kinds-'));
  const file = path.join(directory, 'kinds.yaml');
  await writeFile(file, SPEC);
  const handle = ({ request }: { request: HandlerRequest }): HandlerResult => {
    received = request;
    return answer(request);
  };
  server = await createServer({
    specs: [file],
    port: 0,
    host: '127.0.0.1',
    log: 'silent',
    vendors: {
      kinds: {
        handlers: { upload: handle, addPet: handle, getNote: handle, getBlob: handle },
      },
    },
  });
});
after(async () => {
  await server.close();
  await rm(directory, { recursive: true, force: true });
});

test('a multipart body reaches the handler as an object of parts: text typed, files as Buffers, JSON parsed', async () => {
  answer = () => ({ status: 200, body: {} });
  const form = new FormData();
  form.append('id', '12');
  form.append('file', new Blob([new Uint8Array([0, 1, 255])]), 'a.bin');
  form.append('meta', new Blob(['{"size":3}'], { type: 'application/json' }));
  const response = await fetch(`${server.url}/uploads`, { method: 'POST', body: form });
  assert.equal(response.status, 200, await response.text());
  const body = received?.body as { id: unknown; file: unknown; meta: unknown };
  assert.equal(body.id, 12);
  assert.ok(Buffer.isBuffer(body.file), 'the file part is a Buffer');
  assert.deepEqual([...body.file], [0, 1, 255]);
  assert.deepEqual(body.meta, { size: 3 });
  assert.equal(received?.mediaType, 'multipart/form-data');
});

test('an XML body reaches the handler as the schema shape, and its object answer is sent as XML as its xml object says', async () => {
  answer = (request) => ({ status: 201, body: request.body });
  const response = await fetch(`${server.url}/pets`, {
    method: 'POST',
    headers: { 'content-type': 'application/xml' },
    body: '<Pet id="4"><name>Rex</name></Pet>',
  });
  assert.equal(response.status, 201);
  assert.deepEqual(received?.body, { id: 4, name: 'Rex' });
  assert.match(response.headers.get('content-type') ?? '', /^application\/xml/);
  assert.equal(await response.text(), '<Pet id="4"><name>Rex</name></Pet>');
});

test('a handler answering an object as text/plain is a recorded violation, not JSON labelled as text', async () => {
  answer = () => ({ status: 200, body: { note: 'hi' } });
  const response = await fetch(`${server.url}/notes`);
  assert.equal(response.status, 500);
  const problem = (await response.json()) as { errors: Array<{ in: string; message: string }> };
  assert.deepEqual(
    problem.errors.map((failure) => failure.in),
    ['body'],
  );
  assert.match(problem.errors[0]?.message ?? '', /text\/plain cannot carry this value/);
  answer = () => ({ status: 200, body: 'hi' });
  const text = await fetch(`${server.url}/notes`);
  assert.equal(await text.text(), 'hi');
});

test('bytes are sent as they are; an object as octet-stream is a violation', async () => {
  answer = () => ({ status: 200, body: Buffer.from([1, 2, 3]) });
  const bytes = await fetch(`${server.url}/blobs`);
  assert.deepEqual([...new Uint8Array(await bytes.arrayBuffer())], [1, 2, 3]);
  answer = () => ({ status: 200, body: { a: 1 } });
  const refused = await fetch(`${server.url}/blobs`);
  assert.equal(refused.status, 500);
  assert.match(await refused.text(), /cannot be sent as bytes/);
});
