import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { DEFAULT_SPECS_DIR } from '../../src/index.js';
import { freePort } from '../support/free-port.js';
import { call, FIXTURE, startStandin, useStandin } from '../support/standin.js';

/** Where vendors are served: beside each other, alone at the root, or on ports of their own. */
const LEGACY = path.resolve(import.meta.dirname, '..', 'fixtures', 'specs', 'legacy.yaml');
const WIREMOCK = path.join(DEFAULT_SPECS_DIR, 'wiremock-cloud.yaml');
const TOKEN = { authorization: `Token ${FIXTURE.wiremock.alice}` };
const REQUEST_ID = { 'x-request-id': '0b3f5c1e-8c2a-4c57-9a0e-2f4b9b1d7e11' };

const five = useStandin({ vendorPorts: { 'wiremock-cloud': 0 } }, { resetEachTest: false });
const alone = useStandin({ specs: [LEGACY] }, { resetEachTest: false });

test('one spec alone is served at its own server path on the root of the port, as Prism does', async () => {
  const item = await call(`${alone.url}/api/items/1`, { headers: REQUEST_ID });
  assert.equal(item.status, 200, item.text);
  assert.equal(alone.vendors[0]?.baseUrl, `${alone.url}/api`);
  // standin's own paths stay where they were.
  const listing = (await call(`${alone.url}/`)).json as {
    vendors: Array<{ baseUrl: string; specUrl: string }>;
  };
  assert.equal(listing.vendors[0]?.baseUrl, `${alone.url}/api`);
  assert.equal((await call(`${alone.url}/__health`)).status, 200);
  assert.equal((await call(`${alone.url}/__admin/clock`)).status, 200);
  const spec = (await call(`${alone.url}/legacy/openapi.json`)).json as {
    servers: Array<{ url: string }>;
  };
  assert.equal(spec.servers[0]?.url, '/api');
});

test('a path under the wrong prefix says where the operation is', async () => {
  const bare = await call(`${alone.url}/items/1`, { headers: REQUEST_ID });
  assert.equal(bare.status, 404);
  assert.match(bare.text, /did you mean \/api\/items\/1\?/);
  const withName = await call(`${five.url}/thousandeyes/users/current`);
  assert.equal(withName.status, 404);
  assert.match(withName.text, /did you mean \/thousandeyes\/v7\/users\/current\?/);
  // A client that knows only the vendor's real base path, on the shared port.
  const hostOnly = await call(`${five.url}/v1/users/self`, { headers: TOKEN });
  assert.equal(hostOnly.status, 404);
  assert.match(hostOnly.text, /did you mean \/wiremock-cloud\/v1\/users\/self\?/);
});

test('a vendor on a port of its own is at exactly its real base path, with the control plane beside it', async () => {
  const own = five.vendors.find((vendor) => vendor.name === 'wiremock-cloud')?.ownBaseUrl;
  assert.ok(own, 'the vendor summary names its own URL');
  const origin = new URL(own).origin;
  // WireMock Cloud's first server URL has no path: its operations carry /v1 themselves.
  assert.equal(own, origin);
  const self = await call(`${origin}/v1/users/self`, { headers: TOKEN, redirect: 'manual' });
  assert.equal(self.status, 307);
  assert.match(self.headers.get('location') ?? '', new RegExp(`^${origin}/v1/users/`));
  const user = await call(`${origin}${new URL(self.headers.get('location') ?? '').pathname}`, {
    headers: TOKEN,
  });
  assert.equal(user.status, 200);
  // The same state as the shared port: a credential read there works here.
  assert.equal((await call(`${origin}/__admin/credentials?vendor=wiremock-cloud`)).status, 200);
  assert.equal((await call(`${origin}/__health`)).status, 200);
  const listing = (await call(`${origin}/`)).json as { vendors: Array<{ name: string }> };
  assert.deepEqual(
    listing.vendors.map((vendor) => vendor.name),
    ['wiremock-cloud'],
  );
  // Only that vendor lives there; the shared port still serves it under its prefix.
  assert.equal((await call(`${origin}/thousandeyes/v7/users/current`)).status, 404);
  assert.equal(
    (await call(`${five.url}/wiremock-cloud/v1/users/self`, { headers: TOKEN, redirect: 'manual' }))
      .status,
    307,
  );
});

test('--vendor-ports gives every vendor a port of its own, in order', async () => {
  // Five ports in a row that happen to be free: retried (bounded) if one is taken meanwhile.
  for (let attempt = 1; ; attempt += 1) {
    const from = await freePort();
    try {
      const standin = await startStandin({ vendorPortsFrom: from });
      try {
        const ports = standin.vendors.map((vendor) =>
          Number(new URL(vendor.ownBaseUrl ?? '').port),
        );
        assert.deepEqual(
          ports,
          [0, 1, 2, 3, 4].map((offset) => from + offset),
        );
        const thousandeyes = standin.vendors.find((vendor) => vendor.name === 'thousandeyes');
        const answer = await call(`${thousandeyes?.ownBaseUrl ?? ''}/users/current`, {
          headers: { authorization: `Bearer ${FIXTURE.thousandeyes.alice}` },
        });
        assert.equal(answer.status, 200);
        return;
      } finally {
        await standin.close();
      }
    } catch (error) {
      if (attempt >= 5 || !/already in use/.test(String(error))) throw error;
    }
  }
});

test('--mount chooses a path; two vendors at one path, or --base-path with several specs, stop the start', async () => {
  const mounted = await startStandin({ mounts: { thousandeyes: '/te/' } });
  try {
    const answer = await call(`${mounted.url}/te/users/current`, {
      headers: { authorization: `Bearer ${FIXTURE.thousandeyes.alice}` },
    });
    assert.equal(answer.status, 200);
  } finally {
    await mounted.close();
  }
  await assert.rejects(
    startStandin({ mounts: { thousandeyes: '/x', gorules: '/x' } }),
    /gorules and thousandeyes would both be served at \/x/,
  );
  await assert.rejects(startStandin({ basePath: '/x' }), /--base-path places one spec/);
  await assert.rejects(startStandin({ mounts: { nobody: '/x' } }), /--mount names nobody/);
  const based = await startStandin({ specs: [WIREMOCK], basePath: '/' });
  try {
    const self = await call(`${based.url}/v1/users/self`, { headers: TOKEN, redirect: 'manual' });
    assert.equal(self.status, 307);
  } finally {
    await based.close();
  }
});
