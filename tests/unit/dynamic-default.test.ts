import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePrefer, withDynamicDefault } from '../../src/engine/prefer.js';

test('serve --dynamic: a request without Prefer is answered as if it sent dynamic=true', () => {
  assert.deepEqual(withDynamicDefault(parsePrefer(undefined), true), {
    invalid: [],
    dynamic: true,
  });
});

test("serve --dynamic: a request's own dynamic=false wins", () => {
  assert.equal(withDynamicDefault(parsePrefer('dynamic=false'), true).dynamic, false);
});

test('serve --dynamic: other preferences are kept, and the body is still generated', () => {
  assert.deepEqual(withDynamicDefault(parsePrefer('code=409'), true), {
    invalid: [],
    code: 409,
    dynamic: true,
  });
  assert.deepEqual(withDynamicDefault(parsePrefer('code=abc'), true).invalid, [
    'code=abc (expected a status such as 404)',
  ]);
});

test('without --dynamic, the preferences are exactly what the request sent', () => {
  const sent = parsePrefer('example=notFound');
  assert.equal(withDynamicDefault(sent, false), sent);
  assert.equal(withDynamicDefault(parsePrefer(undefined), false).dynamic, undefined);
});
