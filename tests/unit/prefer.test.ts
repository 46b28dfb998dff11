import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasPreferences, parsePrefer } from '../../src/engine/prefer.js';

test('code, example and dynamic are read, in any order and separator', () => {
  assert.deepEqual(parsePrefer('code=404, example=notFound; dynamic=true'), {
    code: 404,
    example: 'notFound',
    dynamic: true,
    invalid: [],
  });
  assert.deepEqual(parsePrefer('example="quoted name"'), { example: 'quoted name', invalid: [] });
});

test('unusable values are reported, other preferences are left to others', () => {
  assert.deepEqual(parsePrefer('code=abc, respond-async, dynamic=maybe').invalid, [
    'code=abc (expected a status such as 404)',
    'dynamic=maybe (expected true or false)',
  ]);
  assert.equal(hasPreferences(parsePrefer('return=minimal')), false);
  assert.equal(hasPreferences(parsePrefer('dynamic=false')), false);
  assert.equal(hasPreferences(parsePrefer(undefined)), false);
});
