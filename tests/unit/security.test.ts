import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkSecurity,
  compileSecurity,
  type CredentialSources,
} from '../../src/validators/security.js';

const schemes = {
  bearer: { type: 'http', scheme: 'bearer' },
  basic: { type: 'http', scheme: 'basic' },
  token: {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    'x-standin-value-prefix': 'Token ',
  },
  key: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
  queryKey: { type: 'apiKey', in: 'query', name: 'apiToken' },
  cookieKey: { type: 'apiKey', in: 'cookie', name: 'session' },
} as const;

function sources(
  headers: Record<string, string> = {},
  query = '',
  cookies: Record<string, string> = {},
): CredentialSources {
  return { headers, query: new URLSearchParams(query), cookies };
}

function values(
  requirement: Record<string, string[]>[],
  given: CredentialSources,
): string[] | undefined {
  const outcome = checkSecurity(compileSecurity(requirement, schemes), given);
  return outcome.ok ? outcome.credentials.map((credential) => credential.value) : undefined;
}

test('bearer: the scheme word is case-insensitive; an empty or spaced token is refused', () => {
  assert.deepEqual(values([{ bearer: [] }], sources({ authorization: 'Bearer abc' })), ['abc']);
  assert.deepEqual(values([{ bearer: [] }], sources({ authorization: 'bearer abc' })), ['abc']);
  assert.equal(values([{ bearer: [] }], sources({ authorization: 'Bearer ' })), undefined);
  assert.equal(values([{ bearer: [] }], sources({ authorization: 'Bearer a b' })), undefined);
  assert.equal(values([{ bearer: [] }], sources({ authorization: 'Token abc' })), undefined);
});

test("an apiKey with a documented prefix needs the prefix (WireMock's 'Token ')", () => {
  assert.deepEqual(values([{ token: [] }], sources({ authorization: 'Token wm' })), ['wm']);
  assert.equal(values([{ token: [] }], sources({ authorization: 'Bearer wm' })), undefined);
  assert.equal(values([{ token: [] }], sources({ authorization: 'wm' })), undefined);
});

test('basic: user and password are decoded', () => {
  const outcome = checkSecurity(
    compileSecurity([{ basic: [] }], schemes),
    sources({ authorization: `Basic ${Buffer.from('ann:s3cret').toString('base64')}` }),
  );
  assert.ok(outcome.ok);
  assert.deepEqual(
    outcome.credentials.map(({ username, value }) => ({ username, value })),
    [{ username: 'ann', value: 's3cret' }],
  );
});

test('API keys are read from a header (any case), the query or a cookie', () => {
  assert.deepEqual(values([{ key: [] }], sources({ 'x-api-key': 'k1' })), ['k1']);
  assert.deepEqual(values([{ queryKey: [] }], sources({}, 'apiToken=k2')), ['k2']);
  assert.deepEqual(values([{ cookieKey: [] }], sources({}, '', { session: 'k3' })), ['k3']);
});

test('alternatives: any one will do; within one, all are needed; {} allows anonymous calls', () => {
  const either: Array<Record<string, string[]>> = [{ bearer: [] }, { key: [] }];
  assert.deepEqual(values(either, sources({ 'x-api-key': 'k' })), ['k']);
  const both: Array<Record<string, string[]>> = [{ bearer: [], key: [] }];
  assert.equal(values(both, sources({ 'x-api-key': 'k' })), undefined);
  assert.deepEqual(values(both, sources({ 'x-api-key': 'k', authorization: 'Bearer b' })), [
    'b',
    'k',
  ]);
  assert.deepEqual(values([{ bearer: [] }, {}], sources()), []);
  assert.deepEqual(values([], sources()), []);
});

test('a refusal lists what each alternative expected', () => {
  const outcome = checkSecurity(compileSecurity([{ bearer: [] }, { key: [] }], schemes), sources());
  assert.ok(!outcome.ok);
  assert.deepEqual(
    outcome.failures.map((failure) => failure.name),
    ['bearer', 'key'],
  );
  assert.match(outcome.failures[1]?.message ?? '', /header X-API-Key/);
});
