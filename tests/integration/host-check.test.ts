import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rawRequest } from '../support/raw-http.js';
import { call, FIXTURE, startStandin, useStandin } from '../support/standin.js';

/** DNS rebinding and hostile Host headers: judged before anything else runs. */
const standin = useStandin();
const withAllowedHost = useStandin({ allowedHosts: ['.dev.test'] }, { resetEachTest: false });

function withHost(
  port: number,
  host: string,
  method: string,
  path: string,
  headers: string[] = [],
) {
  const lines = [`${method} ${path} HTTP/1.1`, `Host: ${host}`, 'Connection: close', ...headers];
  return rawRequest(port, `${lines.join('\r\n')}\r\n\r\n`);
}

const SELF = '/wiremock-cloud/v1/users/self';
const TOKEN = `Authorization: Token ${FIXTURE.wiremock.alice}`;

test('a rebound name reaches nothing: credentials are not read, the state is not reset', async () => {
  const rotated = await call(`${standin.url}/thousandeyes/v7/api-tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${FIXTURE.thousandeyes.alice}` },
  });
  assert.equal(rotated.status, 201);
  const read = await withHost(
    standin.port,
    'rebind.attacker.example',
    'GET',
    '/__admin/credentials',
  );
  assert.equal(read.status, 403);
  assert.match(read.text, /host-not-allowed/);
  assert.match(read.text, /--allowed-hosts rebind\.attacker\.example/);
  assert.doesNotMatch(read.text, new RegExp(FIXTURE.thousandeyes.bob));
  const reset = await withHost(
    standin.port,
    `rebind.attacker.example:${standin.port}`,
    'POST',
    '/__admin/reset',
  );
  assert.equal(reset.status, 403);
  const again = await call(`${standin.url}/thousandeyes/v7/api-tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${FIXTURE.thousandeyes.alice}` },
  });
  assert.equal(again.status, 409, 'the reset never ran: both tokens are still in their overlap');
  const vendor = await withHost(standin.port, 'rebind.attacker.example', 'GET', SELF, [TOKEN]);
  assert.equal(vendor.status, 403, 'the vendors are guarded too');
});

test('loopback names and addresses are served', async () => {
  for (const host of [
    `127.0.0.1:${standin.port}`,
    'localhost',
    `localhost:${standin.port}`,
    'app.localhost',
    '127.1.2.3',
    `[::1]:${standin.port}`,
  ]) {
    const answer = await withHost(standin.port, host, 'GET', '/__admin/clock');
    assert.equal(answer.status, 200, host);
  }
});

test('a malformed Host is a 400 before routing, and not standin’s own violation', async () => {
  for (const host of ['a"b', 'a b', '[::1', '[not-v6]', 'host:99999', 'a/b']) {
    const answer = await withHost(standin.port, host, 'GET', SELF, [TOKEN]);
    assert.equal(answer.status, 400, host);
    assert.match(answer.text, /bad-host/, host);
  }
  const violations = await call(`${standin.url}/__admin/violations`);
  assert.deepEqual(violations.json, []);
});

test('the redirect of "who am I" names the host the client used, once validated', async () => {
  const answer = await withHost(standin.port, `localhost:${standin.port}`, 'GET', SELF, [TOKEN]);
  assert.equal(answer.status, 307);
  assert.match(
    answer.text,
    new RegExp(`location: http://localhost:${standin.port}/wiremock-cloud/v1/users/`, 'i'),
  );
});

test('--allowed-hosts adds names: a domain and its subdomains', async () => {
  for (const host of ['dev.test', 'api.dev.test', `api.dev.test:${withAllowedHost.port}`]) {
    const answer = await withHost(withAllowedHost.port, host, 'GET', '/__admin/clock');
    assert.equal(answer.status, 200, host);
  }
  const other = await withHost(withAllowedHost.port, 'evil.test', 'GET', '/__admin/clock');
  assert.equal(other.status, 403);
});

test('the admin token is read as the vendors read a bearer token', async () => {
  const token = 'an-admin-token-of-some-length';
  const guarded = await startStandin({ adminToken: token });
  try {
    const host = `127.0.0.1:${guarded.port}`;
    const lower = await withHost(guarded.port, host, 'GET', '/__admin/clock', [
      `Authorization: bearer ${token}`,
    ]);
    assert.equal(lower.status, 200, 'the scheme word is case-insensitive (RFC 9110 §11.1)');
    const twice = await withHost(guarded.port, host, 'GET', '/__admin/clock', [
      `Authorization: Bearer ${token}`,
      'Authorization: Bearer another-token-of-some-length',
    ]);
    assert.equal(twice.status, 401, 'two Authorization headers are ambiguous, so refused');
    assert.match(twice.text, /more than once/);
    // The vendors do the same.
    const vendorLower = await withHost(
      guarded.port,
      host,
      'GET',
      '/thousandeyes/v7/users/current',
      [`Authorization: bearer ${FIXTURE.thousandeyes.alice}`],
    );
    assert.equal(vendorLower.status, 200);
    const vendorTwice = await withHost(
      guarded.port,
      host,
      'GET',
      '/thousandeyes/v7/users/current',
      [
        `Authorization: Bearer ${FIXTURE.thousandeyes.alice}`,
        `Authorization: Bearer ${FIXTURE.thousandeyes.bob}`,
      ],
    );
    assert.equal(vendorTwice.status, 401);
  } finally {
    await guarded.close();
  }
});
