import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PathRouter } from '../../src/engine/router.js';

function router(): PathRouter<string> {
  const routes = new PathRouter<string>();
  routes.add('/users/{userId}', 'GET', 'get user');
  routes.add('/users/self', 'GET', 'get self');
  routes.add('/users/{userId}/keys/{keyId}', 'DELETE', 'delete key');
  routes.add('/files/{name}.json', 'GET', 'get file');
  return routes;
}

test('a literal path wins over a template that also matches it', () => {
  assert.equal(router().match('/users/self')?.methods.get('GET'), 'get self');
  assert.equal(router().match('/users/9gd5l')?.methods.get('GET'), 'get user');
});

test('path variables are percent-decoded, one segment each', () => {
  assert.deepEqual(router().match('/users/a%2Fb/keys/k%201')?.params, {
    userId: 'a/b',
    keyId: 'k 1',
  });
  assert.equal(router().match('/users/a/b/keys/k'), undefined);
  assert.equal(router().match('/users//keys/k'), undefined, 'an empty segment is not a value');
});

test('a variable may sit inside a segment', () => {
  assert.deepEqual(router().match('/files/report.json')?.params, { name: 'report' });
});

test('an unknown path matches nothing, and bad percent-encoding throws', () => {
  assert.equal(router().match('/nothing'), undefined);
  assert.throws(() => router().match('/users/%E0%A4%A'), URIError);
});
