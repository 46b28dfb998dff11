import assert from 'node:assert/strict';
import { test } from 'node:test';
import { basePathOf } from '../../src/spec/base-path.js';
import type { Document } from '../../src/spec/openapi.js';

const withServers = (servers: Document['servers']): Document => ({
  openapi: '3.0.3',
  info: { title: 't', version: '1' },
  paths: {},
  servers,
});

test('the path of the first server URL, without a trailing slash', () => {
  assert.equal(
    basePathOf(
      withServers([{ url: 'https://api.thousandeyes.com/v7' }, { url: 'https://x/other' }]),
    ),
    '/v7',
  );
  assert.equal(basePathOf(withServers([{ url: 'https://api.projectdiscovery.io' }])), '');
  assert.equal(basePathOf(withServers([{ url: 'https://host/api/' }])), '/api');
  assert.equal(basePathOf(withServers([{ url: '/relative' }])), '/relative');
});

test('no servers (GoRules) gives an empty base path; server variables take their defaults', () => {
  assert.equal(basePathOf(withServers([])), '');
  assert.equal(basePathOf(withServers(undefined)), '');
  assert.equal(
    basePathOf(
      withServers([
        {
          url: 'https://{region}.example.com/{version}',
          variables: { region: { default: 'eu' }, version: { default: 'v2' } },
        },
      ]),
    ),
    '/v2',
  );
});
