import assert from 'node:assert/strict';
import { test } from 'node:test';
import { httpRequest, rawRequest } from '../support/raw-http.js';
import { call, FIXTURE, useStandin } from '../support/standin.js';

/**
 * Whatever a buggy client sends: each request answers its expected status, standin keeps
 * answering, and no vendor state changes.
 */
const standin = useStandin({}, { resetEachTest: false });
const port = (): number => standin.port;

const WIREMOCK = '/wiremock-cloud/v1/users/9gd5l/regenerate-api-token';
const WIREMOCK_AUTH = { Authorization: `Token ${FIXTURE.wiremock.alice}` };
const JSON_TYPE = { 'Content-Type': 'application/json' };
const PD_ROTATE = '/projectdiscovery/v1/user/apikey/rotate';
const TE_ROTATE = '/thousandeyes/v7/api-tokens';

function nested(depth: number): string {
  return `${'{"a":'.repeat(depth)}{}${'}'.repeat(depth)}`;
}

const cases: Array<{ name: string; request: Buffer; status: number }> = [
  {
    name: 'malformed JSON',
    request: httpRequest('POST', WIREMOCK, { ...WIREMOCK_AUTH, ...JSON_TYPE }, '{"a": '),
    status: 400,
  },
  {
    name: 'a JSON body that is a number',
    request: httpRequest('POST', WIREMOCK, { ...WIREMOCK_AUTH, ...JSON_TYPE }, '42'),
    status: 400,
  },
  {
    name: 'a JSON body that is a string',
    request: httpRequest('POST', WIREMOCK, { ...WIREMOCK_AUTH, ...JSON_TYPE }, '"token"'),
    status: 400,
  },
  {
    name: 'nesting 10 000 levels deep',
    request: httpRequest('POST', WIREMOCK, { ...WIREMOCK_AUTH, ...JSON_TYPE }, nested(10_000)),
    status: 400,
  },
  {
    name: 'a 10 MiB body',
    request: httpRequest(
      'POST',
      WIREMOCK,
      { ...WIREMOCK_AUTH, ...JSON_TYPE },
      `{"a":"${'x'.repeat(10 * 1024 * 1024)}"}`,
    ),
    status: 413,
  },
  {
    name: 'a __proto__ key',
    request: httpRequest(
      'POST',
      WIREMOCK,
      { ...WIREMOCK_AUTH, ...JSON_TYPE },
      '{"__proto__": {"admin": true}}',
    ),
    status: 400,
  },
  {
    name: 'a constructor.prototype key',
    request: httpRequest(
      'POST',
      WIREMOCK,
      { ...WIREMOCK_AUTH, ...JSON_TYPE },
      '{"constructor": {"prototype": {"admin": true}}}',
    ),
    status: 400,
  },
  {
    name: 'invalid UTF-8',
    request: httpRequest(
      'POST',
      WIREMOCK,
      { ...WIREMOCK_AUTH, ...JSON_TYPE },
      Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]),
    ),
    status: 400,
  },
  {
    name: 'a huge header',
    request: httpRequest('POST', PD_ROTATE, {
      'X-API-Key': FIXTURE.projectdiscovery.alice,
      'X-Padding': 'p'.repeat(32 * 1024),
    }),
    status: 431,
  },
  {
    name: 'a path with ..',
    request: httpRequest('POST', '/projectdiscovery/v1/user/../user/apikey/rotate', {
      'X-API-Key': FIXTURE.projectdiscovery.alice,
    }),
    status: 404,
  },
  {
    name: 'an encoded slash in a path variable',
    request: httpRequest(
      'POST',
      '/wiremock-cloud/v1/users/9gd5l%2F..%2Fk2x8p/regenerate-api-token',
      WIREMOCK_AUTH,
    ),
    status: 404,
  },
  {
    name: 'an encoded NUL in a path variable',
    request: httpRequest(
      'POST',
      '/wiremock-cloud/v1/users/9gd5l%00/regenerate-api-token',
      WIREMOCK_AUTH,
    ),
    status: 404,
  },
  {
    name: 'a raw NUL in the path',
    request: httpRequest('POST', '/projectdiscovery/v1/user/apikey/rot\u0000ate', {
      'X-API-Key': FIXTURE.projectdiscovery.alice,
    }),
    status: 400,
  },
  {
    name: 'an unknown method',
    request: httpRequest('FROB', PD_ROTATE, { 'X-API-Key': FIXTURE.projectdiscovery.alice }),
    status: 400,
  },
  {
    name: 'a method the path does not have',
    request: httpRequest('PROPFIND', PD_ROTATE, { 'X-API-Key': FIXTURE.projectdiscovery.alice }),
    status: 405,
  },
  {
    name: 'a token with whitespace inside',
    request: httpRequest('POST', TE_ROTATE, {
      Authorization: `Bearer ${FIXTURE.thousandeyes.alice} extra`,
    }),
    status: 401,
  },
  {
    name: "Bearer for WireMock's Token scheme",
    request: httpRequest('POST', WIREMOCK, { Authorization: `Bearer ${FIXTURE.wiremock.alice}` }),
    status: 401,
  },
  {
    name: 'two Authorization headers',
    request: httpRequest('POST', TE_ROTATE, {
      Authorization: `Bearer ${FIXTURE.thousandeyes.alice}`,
      authorization: `Bearer ${FIXTURE.thousandeyes.bob}`,
    }),
    status: 401,
  },
  {
    name: 'two API keys',
    request: Buffer.from(
      `POST ${PD_ROTATE} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-API-Key: ${FIXTURE.projectdiscovery.alice}\r\nX-API-Key: ${FIXTURE.projectdiscovery.bob}\r\n\r\n`,
    ),
    status: 401,
  },
  {
    name: 'a wrong content type',
    request: httpRequest(
      'POST',
      WIREMOCK,
      { ...WIREMOCK_AUTH, 'Content-Type': 'text/plain' },
      'token',
    ),
    status: 415,
  },
];

async function allStates(): Promise<string> {
  const vendors = ['gorules', 'pocketpaw', 'projectdiscovery', 'thousandeyes', 'wiremock-cloud'];
  const states = await Promise.all(
    vendors.map(async (vendor) => (await call(`${standin.url}/__admin/state/${vendor}`)).text),
  );
  return states.join('\n');
}

for (const hostile of cases) {
  test(`${hostile.name}: ${hostile.status}, standin keeps answering, no state changes`, async () => {
    const before = await allStates();
    const answer = await rawRequest(port(), hostile.request);
    assert.equal(answer.status, hostile.status, answer.text.slice(0, 300));
    assert.equal((await call(`${standin.url}/`)).status, 200, 'still answering');
    assert.equal(await allStates(), before, 'no state changed');
  });
}

test('nesting within the limit is accepted', async () => {
  const answer = await rawRequest(
    port(),
    httpRequest(
      'POST',
      '/wiremock-cloud/v1/users/k2x8p/regenerate-api-token',
      { Authorization: `Token ${FIXTURE.wiremock.bob}`, ...JSON_TYPE },
      nested(100),
    ),
  );
  assert.equal(answer.status, 200);
  await call(`${standin.url}/__admin/reset`, { method: 'POST' });
});
