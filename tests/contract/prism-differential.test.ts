import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { DEFAULT_SPECS_DIR } from '../../src/index.js';
import { startTogether } from '../support/children.js';
import { startPrismProxy, type PrismProxy } from '../support/prism.js';
import {
  ENVIRONMENT_ID,
  FIXTURE,
  PROJECT_ID,
  startStandin,
  type TestServer,
} from '../support/standin.js';
import { after, before } from 'node:test';

/**
 * The request side, checked twice: Prism answers a request that breaks the spec itself (it never
 * reaches standin), so each bad request goes both through Prism and straight at standin, and both
 * must refuse it. Where they disagree, one of the two validators is wrong.
 */
let standin: TestServer;
const proxies = new Map<string, PrismProxy>();

interface BadRequest {
  vendor: string;
  what: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

const BAD: BadRequest[] = [
  { vendor: 'thousandeyes', what: 'no bearer token', method: 'POST', path: '/api-tokens' },
  {
    vendor: 'thousandeyes',
    what: 'an undocumented method',
    method: 'PUT',
    path: '/api-tokens',
    headers: { authorization: `Bearer ${FIXTURE.thousandeyes.alice}` },
  },
  {
    vendor: 'projectdiscovery',
    what: 'no X-API-Key',
    method: 'POST',
    path: '/v1/user/apikey/rotate',
  },
  {
    vendor: 'projectdiscovery',
    what: 'an unknown path',
    method: 'GET',
    path: '/v1/user/nothing',
    headers: { 'x-api-key': FIXTURE.projectdiscovery.alice },
  },
  {
    vendor: 'wiremock-cloud',
    what: 'a body that is not an object',
    method: 'POST',
    path: '/v1/users/9gd5l/regenerate-api-token',
    headers: {
      authorization: `Token ${FIXTURE.wiremock.alice}`,
      'content-type': 'application/json',
    },
    body: '[1, 2]',
  },
  {
    vendor: 'wiremock-cloud',
    what: 'an undeclared media type',
    method: 'POST',
    path: '/v1/users/9gd5l/regenerate-api-token',
    headers: { authorization: `Token ${FIXTURE.wiremock.alice}`, 'content-type': 'text/xml' },
    body: '<token/>',
  },
  {
    vendor: 'gorules',
    what: 'a project id that is not a uuid',
    method: 'POST',
    path: `/api/projects/not-a-uuid/environments/${ENVIRONMENT_ID}/regenerate-token`,
    headers: { authorization: `Bearer ${FIXTURE.gorules.alice}` },
  },
  {
    vendor: 'gorules',
    what: 'an evaluation context that is not an object',
    method: 'POST',
    path: `/api/projects/${PROJECT_ID}/environments/${ENVIRONMENT_ID}/evaluate/customer-discount`,
    headers: { 'x-access-token': FIXTURE.gorules.production, 'content-type': 'application/json' },
    body: '{"context": "not an object"}',
  },
  { vendor: 'pocketpaw', what: 'no bearer token', method: 'GET', path: '/api/version' },
];

before(async () => {
  standin = await startStandin();
  const vendors = [...new Set(BAD.map((request) => request.vendor))];
  // Together: when one does not start, the others are stopped, not left for no `after` to find.
  const started = await startTogether(
    vendors.map((vendor) => async () => {
      const baseUrl = standin.vendors.find((entry) => entry.name === vendor)?.baseUrl ?? '';
      const spec = path.join(DEFAULT_SPECS_DIR, `${vendor}.yaml`);
      return { vendor, proxy: await startPrismProxy(spec, baseUrl) };
    }),
    ({ proxy }) => proxy.stop(),
  );
  for (const { vendor, proxy } of started) proxies.set(vendor, proxy);
});
after(async () => {
  await Promise.all([...proxies.values()].map((proxy) => proxy.stop()));
  await standin.close();
});

for (const bad of BAD) {
  test(`${bad.vendor}: ${bad.what} is refused by Prism and by standin alike`, async () => {
    const init: RequestInit = {
      method: bad.method,
      headers: bad.headers ?? {},
      ...(bad.body !== undefined ? { body: bad.body } : {}),
    };
    const viaPrism = await fetch((proxies.get(bad.vendor)?.url ?? '') + bad.path, init);
    const baseUrl = standin.vendors.find((entry) => entry.name === bad.vendor)?.baseUrl ?? '';
    const direct = await fetch(baseUrl + bad.path, init);
    await Promise.all([viaPrism.arrayBuffer(), direct.arrayBuffer()]);
    assert.ok(viaPrism.status >= 400 && viaPrism.status < 500, `Prism answered ${viaPrism.status}`);
    assert.ok(direct.status >= 400 && direct.status < 500, `standin answered ${direct.status}`);
  });
}
