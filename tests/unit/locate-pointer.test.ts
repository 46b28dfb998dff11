import assert from 'node:assert/strict';
import { test } from 'node:test';
import { locatePointer } from '../../src/spec/locate-pointer.js';

const SOURCE = `openapi: 3.1.0
paths:
  /a/{id}:
    get:
      responses:
        '200':
          $ref: '#/components/responses/Ok'
components:
  responses:
    Ok:
      description: fine
      content:
        application/json:
          schema:
            type: object
`;

test('a pointer is placed on its line', () => {
  assert.deepEqual(locatePointer(SOURCE, '#/paths/~1a~1{id}/get'), { line: 5, column: 7 });
});

test('a pointer through a $ref is followed to the definition', () => {
  assert.equal(
    locatePointer(SOURCE, '#/paths/~1a~1{id}/get/responses/200/content/application~1json/schema')
      ?.line,
    15,
  );
});

test('a pointer past the text stops at the deepest node found; JSON works too', () => {
  assert.equal(locatePointer(SOURCE, '#/paths/~1a~1{id}/get/nothing/here')?.line, 5);
  assert.deepEqual(
    locatePointer('{\n  "openapi": "3.0.3",\n  "info": {"title": "x"}\n}', '#/info/title'),
    { line: 3, column: 21 },
  );
});
