import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { refuse } from '../../src/handlers/refuse.js';
import { createServer } from '../../src/server.js';
import { compileChallenge } from '../../src/validators/auth-challenge.js';
import { parseCredentials } from '../../src/validators/auth-header.js';
import {
  checkSecurity,
  compileSecurity,
  type Credential,
  type CredentialSources,
} from '../../src/validators/security.js';
import type { SecurityScheme } from '../../src/spec/openapi.js';

const schemes: Record<string, SecurityScheme> = {
  basic: { type: 'http', scheme: 'basic' },
  bearer: { type: 'http', scheme: 'bearer' },
  digest: { type: 'http', scheme: 'Digest' },
  hoba: { type: 'http', scheme: 'HOBA' },
  aws: { type: 'http', scheme: 'AWS4-HMAC-SHA256' },
  negotiate: { type: 'http', scheme: 'Negotiate' },
  oauth: {
    type: 'oauth2',
    flows: { clientCredentials: { tokenUrl: 'https://example.com/token', scopes: {} } },
  },
  oidc: { type: 'openIdConnect', openIdConnectUrl: 'https://example.com/.well-known' },
  key: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
};

function credentialsFor(scheme: string, authorization: string): Credential[] | undefined {
  const sources: CredentialSources = {
    headers: { authorization },
    query: new URLSearchParams(),
    cookies: {},
  };
  const outcome = checkSecurity(compileSecurity([{ [scheme]: [] }], schemes), sources);
  return outcome.ok ? outcome.credentials : undefined;
}

const DIGEST =
  'Digest username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", ' +
  'algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", nc=00000001, ' +
  'cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", qop=auth, ' +
  'response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", ' +
  'opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"';

test('the credentials grammar: a token68, or auth-params with quoted strings and escapes', () => {
  assert.deepEqual(parseCredentials('Bearer abc.DEF-_~+/=='), {
    scheme: 'Bearer',
    token68: 'abc.DEF-_~+/==',
    rest: 'abc.DEF-_~+/==',
  });
  const parsed = parseCredentials('Digest  username="a \\"quoted\\" \\\\ name" ,, realm=x,');
  assert.equal(parsed?.scheme, 'Digest');
  assert.deepEqual(
    [...(parsed?.params ?? new Map<string, string>())],
    [
      ['username', 'a "quoted" \\ name'],
      ['realm', 'x'],
    ],
  );
  assert.equal(parseCredentials('Digest username="never closed')?.params, undefined);
  assert.equal(parseCredentials('Digest realm=a, realm=b')?.params, undefined, 'a name twice');
  assert.equal(parseCredentials('Digest realm=a realm=b')?.params, undefined, 'no comma');
  assert.equal(parseCredentials('Bad\tscheme'), undefined, 'a tab is not the separator');
  assert.equal(parseCredentials(''), undefined);
  assert.deepEqual(parseCredentials('Negotiate'), { scheme: 'Negotiate', rest: '' });
});

test('Basic: the scheme word in any case; base64 with a colon; anything else refused', () => {
  const encoded = Buffer.from('ann:pa:ss').toString('base64');
  assert.deepEqual(
    credentialsFor('basic', `BASIC ${encoded}`)?.map(({ username, value }) => ({
      username,
      value,
    })),
    [{ username: 'ann', value: 'pa:ss' }],
  );
  assert.equal(
    credentialsFor('basic', `Basic ${Buffer.from('ann').toString('base64')}`),
    undefined,
  );
  assert.equal(credentialsFor('basic', 'Basic not*base64'), undefined);
  assert.equal(credentialsFor('basic', 'Basic'), undefined);
  assert.equal(credentialsFor('basic', `Bearer ${encoded}`), undefined);
});

test('Bearer: a token68 (or a vendor token with a colon); no spaces, lists or quotes', () => {
  assert.deepEqual(
    credentialsFor('bearer', 'bearer mF_9.B5f-4.1JqM')?.map((c) => c.value),
    ['mF_9.B5f-4.1JqM'],
  );
  assert.deepEqual(
    credentialsFor('bearer', 'Bearer 1767225600:9f86d081884c7d65')?.map((c) => c.value),
    ['1767225600:9f86d081884c7d65'],
  );
  for (const refused of ['Bearer a b', 'Bearer a,b', 'Bearer "a"', 'Bearer', 'Basic abc'])
    assert.equal(credentialsFor('bearer', refused), undefined, refused);
});

test('OAuth2 and OpenID Connect tokens are bearer tokens', () => {
  assert.deepEqual(
    credentialsFor('oauth', 'Bearer t1')?.map((c) => c.value),
    ['t1'],
  );
  assert.deepEqual(
    credentialsFor('oidc', 'Bearer t2')?.map((c) => c.value),
    ['t2'],
  );
  assert.equal(credentialsFor('oauth', 'Token t1'), undefined);
});

test('Digest: present when it parses and names the username and the response', () => {
  const [credential] = credentialsFor('digest', DIGEST) ?? [];
  assert.equal(credential?.username, 'Mufasa');
  assert.equal(
    credential?.value,
    '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
  );
  assert.deepEqual(
    credentialsFor('digest', 'digest username="u", response="r"')?.map((c) => c.value),
    ['r'],
    'the scheme word is case-insensitive',
  );
  assert.equal(credentialsFor('digest', 'Digest abcdef'), undefined, 'a token68 is not Digest');
  assert.equal(credentialsFor('digest', 'Digest username="u", realm="r"'), undefined);
  assert.equal(credentialsFor('digest', 'Digest response="r"'), undefined);
  assert.equal(credentialsFor('digest', 'Digest username="u, response="r"'), undefined);
});

test('any other scheme: its token68, or its auth-params as sent', () => {
  assert.deepEqual(
    credentialsFor('hoba', 'hoba dGVzdA==')?.map((c) => c.value),
    ['dGVzdA=='],
  );
  assert.deepEqual(
    credentialsFor('negotiate', 'Negotiate YIIB')?.map((c) => c.value),
    ['YIIB'],
  );
  const aws =
    'Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, ' +
    'SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b1316';
  assert.deepEqual(
    credentialsFor('aws', `AWS4-HMAC-SHA256 ${aws}`)?.map((c) => c.value),
    [aws],
  );
  assert.equal(credentialsFor('aws', 'AWS4-HMAC-SHA256'), undefined, 'no credentials at all');
  assert.equal(credentialsFor('aws', `Bearer ${aws}`), undefined, 'another scheme');
  assert.equal(credentialsFor('hoba', 'HOBA a b'), undefined, 'neither form');
});

test('challenges: one per HTTP scheme of the alternatives, comma-separated; none for apiKey', () => {
  const header = (requirements: Array<Record<string, string[]>>): string | undefined =>
    compileChallenge(requirements, schemes)?.header();
  assert.equal(header([{ basic: [] }]), 'Basic realm="standin"');
  assert.equal(header([{ bearer: [] }, { oauth: [] }, { oidc: [] }]), 'Bearer realm="standin"');
  assert.equal(header([{ hoba: [] }]), 'HOBA realm="standin"');
  assert.equal(header([{ key: [] }]), undefined);
  assert.equal(
    header([{ basic: [], key: [] }, { bearer: [] }]),
    'Basic realm="standin", Bearer realm="standin"',
  );
  const digest =
    /^Digest realm="standin", qop="auth", nonce="([A-Za-z0-9_-]{32})", algorithm=SHA-256$/;
  const first = digest.exec(header([{ digest: [] }]) ?? '');
  const challenge = compileChallenge([{ digest: [] }], schemes);
  const nonces = new Set([1, 2, 3].map(() => digest.exec(challenge?.header() ?? '')?.[1]));
  assert.ok(first, 'a Digest challenge has realm, qop, nonce and algorithm');
  assert.equal(nonces.size, 3, 'a fresh nonce on every challenge');
});

test("challenges: a scheme's own, none when it says false or when standin added the scheme", () => {
  const own: Record<string, SecurityScheme> = {
    custom: { type: 'http', scheme: 'bearer', 'x-standin-challenge': 'Bearer realm="api"' },
    silent: { type: 'http', scheme: 'basic', 'x-standin-challenge': false },
    added: { type: 'http', scheme: 'basic', 'x-standin-added': true },
  } as unknown as Record<string, SecurityScheme>;
  assert.equal(compileChallenge([{ custom: [] }], own)?.header(), 'Bearer realm="api"');
  assert.equal(compileChallenge([{ silent: [] }], own), undefined);
  assert.equal(compileChallenge([{ added: [] }], own), undefined);
});

const HANDLER_SPEC = `openapi: 3.0.3
info: { title: handler refusals, version: '1' }
security: [{ bearerAuth: [] }]
components:
  securitySchemes:
    bearerAuth: { type: http, scheme: bearer }
paths:
  /thrown:
    get:
      operationId: thrown
      responses:
        '200': { description: ok }
        '401':
          description: expired
          content:
            application/json:
              schema: { type: object, required: [message], properties: { message: { type: string } } }
  /returned:
    get:
      operationId: returned
      responses:
        '200': { description: ok }
        '401': { description: expired }
`;

test("a 401 a vendor's handler answers itself carries the operation's challenge", async () => {
  const directory = await mkdtemp(path.join(tmpdir(), 'standin-auth-schemes-'));
  const file = path.join(directory, 'api.yaml');
  await writeFile(file, HANDLER_SPEC);
  const server = await createServer({
    specs: [file],
    port: 0,
    log: 'silent',
    vendors: {
      api: {
        handlers: {
          thrown: () => {
            throw refuse(401, 'the token expired');
          },
          returned: () => ({ status: 401 }),
        },
      },
    },
  });
  try {
    const authorization = 'Bearer abc';
    const thrown = await fetch(`${server.url}/thrown`, { headers: { authorization } });
    assert.equal(thrown.status, 401);
    assert.equal(thrown.headers.get('www-authenticate'), 'Bearer realm="standin"');
    assert.deepEqual(await thrown.json(), { message: 'the token expired' });
    const returned = await fetch(`${server.url}/returned`, { headers: { authorization } });
    assert.equal(returned.status, 401);
    assert.equal(returned.headers.get('www-authenticate'), 'Bearer realm="standin"');
    assert.equal(await returned.text(), '');
  } finally {
    await server.close();
    await rm(directory, { recursive: true, force: true });
  }
});
