import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPIV3 } from 'openapi-types';
import { DEFAULT_SPECS_DIR } from '../../src/index.js';
import { startTogether } from '../support/children.js';
import { writeExtraVendor, type ExtraVendor } from '../support/extra-vendor.js';
import { startPrismProxy, type PrismProxy } from '../support/prism.js';
import {
  credentials,
  ENVIRONMENT_ID,
  FIXTURE,
  PROJECT_ID,
  resetStandin,
  startStandin,
  type TestServer,
} from '../support/standin.js';

/**
 * Prism, written by others against the same OpenAPI documents, is the independent oracle: every
 * operation of every vendor, with every status it documents, is called through a Prism proxy in
 * front of standin, and Prism must find nothing wrong with standin's answer. The vendors are
 * those the server serves, as it lists them: the bundled ones and a sixth added from a temporary
 * folder (a spec and a module), as a user adds one.
 */
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

let standin: TestServer;
let extra: ExtraVendor;
const proxies = new Map<string, PrismProxy>();
const documents = new Map<string, OpenAPIV3.Document>();

before(async () => {
  extra = await writeExtraVendor();
  standin = await startStandin({
    specs: [DEFAULT_SPECS_DIR, extra.specFile],
    vendorModulesDir: extra.modulesDir,
  });
  assert.ok(standin.vendors.some((entry) => entry.name === extra.name));
  // Together: when one does not start, the others are stopped, not left for no `after` to find.
  const started = await startTogether(
    standin.vendors.map(({ name: vendor, baseUrl }) => async () => {
      const file = extra.specFileOf(vendor);
      documents.set(vendor, (await SwaggerParser.dereference(file)) as OpenAPIV3.Document);
      return { vendor, proxy: await startPrismProxy(file, baseUrl) };
    }),
    ({ proxy }) => proxy.stop(),
  );
  for (const { vendor, proxy } of started) proxies.set(vendor, proxy);
});
after(async () => {
  await Promise.all([...proxies.values()].map((proxy) => proxy.stop()));
  await standin?.close();
  await extra?.remove();
});

interface Call {
  vendor: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** The default fixture's ids for the path parameters of the vendors' operations. */
const FIXTURE_IDS: Record<string, string> = {
  userId: '9gd5l',
  projectId: PROJECT_ID,
  environmentId: ENVIRONMENT_ID,
  docKey: 'customer-discount',
  documentId: 'a82bdbad-7bf1-56de-b24c-6a37003301c1',
  versionId: '866623a5-62ae-58ed-84f4-8dd08db4a9b5',
};

const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** A form post to a vendor on standin itself (not through Prism): a step before the call. */
async function postForm(
  vendor: string,
  pathname: string,
  fields: Record<string, string>,
): Promise<Record<string, string>> {
  const baseUrl = standin.vendors.find((entry) => entry.name === vendor)?.baseUrl ?? '';
  const response = await fetch(baseUrl + pathname, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  assert.equal(response.status, 200, `${pathname}: ${await response.clone().text()}`);
  return (await response.json()) as Record<string, string>;
}

/**
 * Form bodies only an earlier call can make valid: WireMock Cloud's login is a device flow (a
 * device code to redeem, then the ID token it gave to exchange). Made after the fixture reset.
 */
const PREPARED_FORMS: Record<string, (vendor: string) => Promise<Record<string, string>>> = {
  requestDeviceAuthorization: () =>
    Promise.resolve({ client_id: 'standin-oracle', scope: 'openid email' }),
  requestToken: async (vendor) => {
    const { device_code } = await postForm(vendor, '/oauth/device/code', {
      client_id: 'standin-oracle',
      scope: 'openid email',
    });
    return { grant_type: DEVICE_CODE_GRANT, device_code: device_code ?? '' };
  },
  exchangeOidcIdToken: async (vendor) => {
    const form = await PREPARED_FORMS.requestToken?.(vendor);
    const { id_token } = await postForm(vendor, '/oauth/token', form ?? {});
    return { idToken: id_token ?? '' };
  },
};

/**
 * A valid request for an operation, built from the spec: path parameters from the default
 * fixture, and a credential, in the place the operation's security scheme names, from the
 * control plane.
 */
async function validCall(
  vendor: string,
  document: OpenAPIV3.Document,
  template: string,
  method: string,
  operation: OpenAPIV3.OperationObject,
): Promise<Call> {
  const item = document.paths[template] as OpenAPIV3.PathItemObject;
  const parameters = [
    ...(item.parameters ?? []),
    ...(operation.parameters ?? []),
  ] as OpenAPIV3.ParameterObject[];
  let pathname = template;
  for (const parameter of parameters.filter((candidate) => candidate.in === 'path')) {
    const id = FIXTURE_IDS[parameter.name];
    assert.ok(id, `a fixture id for {${parameter.name}}`);
    pathname = pathname.replace(`{${parameter.name}}`, id);
  }
  const headers: Record<string, string> = {};
  const requirement = (operation.security ?? document.security ?? [])[0] ?? {};
  const available = await credentials(standin.url, vendor);
  for (const name of Object.keys(requirement)) {
    const scheme = document.components?.securitySchemes?.[name] as OpenAPIV3.SecuritySchemeObject;
    const header = scheme.type === 'apiKey' ? scheme.name : 'Authorization';
    const credential = available.find(
      (candidate) => candidate.header.toLowerCase() === header.toLowerCase(),
    );
    assert.ok(credential, `${vendor} has a credential for ${header}`);
    headers[header.toLowerCase()] = credential.value;
  }
  const call: Call = { vendor, method: method.toUpperCase(), path: pathname, headers };
  const body = operation.requestBody as OpenAPIV3.RequestBodyObject | undefined;
  const json = body?.content['application/json'];
  if (json) {
    call.headers['content-type'] = 'application/json';
    call.body = JSON.stringify(exampleOf(json.schema as OpenAPIV3.SchemaObject | undefined) ?? {});
  }
  const form = body?.content['application/x-www-form-urlencoded'];
  if (!json && form) {
    const prepared = PREPARED_FORMS[operation.operationId ?? ''];
    const fields = prepared
      ? await prepared(vendor)
      : (exampleOf(form.schema as OpenAPIV3.SchemaObject | undefined) ?? {});
    call.headers['content-type'] = 'application/x-www-form-urlencoded';
    call.body = new URLSearchParams(fields as Record<string, string>).toString();
  }
  return call;
}

/** A request body from the spec's own examples: the schema's, else one per property that has one. */
function exampleOf(schema: OpenAPIV3.SchemaObject | undefined): unknown {
  if (!schema) return undefined;
  if (schema.example !== undefined) return schema.example as unknown;
  if (!schema.properties) return undefined;
  const entries = Object.entries(schema.properties)
    .map(([name, property]) => [name, exampleOf(property as OpenAPIV3.SchemaObject)] as const)
    .filter(([, value]) => value !== undefined);
  return Object.fromEntries(entries);
}

function statusesOf(operation: OpenAPIV3.OperationObject): Array<{ key: string; status: number }> {
  const keys = Object.keys(operation.responses);
  const exact = keys.filter((key) => /^\d{3}$/.test(key)).map(Number);
  return keys.map((key) => {
    if (/^\d{3}$/.test(key)) return { key, status: Number(key) };
    if (/^\dXX$/i.test(key)) return { key, status: Number(key[0]) * 100 };
    // `default`: a status the operation documents nowhere else.
    const status = [503, 502, 418].find((candidate) => !exact.includes(candidate)) ?? 599;
    return { key, status };
  });
}

/**
 * Prism's proxy follows redirects, so it would judge the redirect's target instead of the 307
 * itself; a 3xx is called on standin directly, where the response check has already run.
 */
async function directly(
  call: Call,
  prefer?: string,
): Promise<{ status: number; location: string | null }> {
  const baseUrl = standin.vendors.find((entry) => entry.name === call.vendor)?.baseUrl ?? '';
  const response = await fetch(baseUrl + call.path, {
    method: call.method,
    redirect: 'manual',
    headers: { ...call.headers, ...(prefer ? { prefer } : {}) },
  });
  await response.arrayBuffer();
  return { status: response.status, location: response.headers.get('location') };
}

async function throughPrism(
  call: Call,
  prefer?: string,
): Promise<{ status: number; violations: string | null; text: string }> {
  const proxy = proxies.get(call.vendor);
  assert.ok(proxy);
  const response = await fetch(proxy.url + call.path, {
    method: call.method,
    headers: { ...call.headers, ...(prefer ? { prefer } : {}) },
    ...(call.body !== undefined ? { body: call.body } : {}),
  });
  return {
    status: response.status,
    violations: response.headers.get('sl-violations'),
    text: await response.text(),
  };
}

function operationsOf(
  vendor: string,
): Array<{ template: string; method: string; operation: OpenAPIV3.OperationObject }> {
  const document = documents.get(vendor);
  assert.ok(document);
  return Object.entries(document.paths).flatMap(([template, item]) =>
    HTTP_METHODS.filter((method) => item?.[method]).map((method) => ({
      template,
      method,
      operation: item?.[method] as OpenAPIV3.OperationObject,
    })),
  );
}

test('every served vendor: every operation, called plainly and with every documented status, passes Prism', async (t) => {
  assert.equal(documents.size, standin.vendors.length);
  for (const { name: vendor } of standin.vendors) {
    await t.test(vendor, async () => {
      const document = documents.get(vendor);
      assert.ok(document);
      const operations = operationsOf(vendor);
      assert.ok(operations.length > 0);
      for (const { template, method, operation } of operations) {
        // Each call starts from the fixture: a successful rotation retires the credential it used.
        await resetStandin(standin.url);
        const call = await validCall(vendor, document, template, method, operation);
        const redirects = statusesOf(operation).some(({ status }) => status >= 300 && status < 400);
        if (redirects) {
          const plain = await directly(call);
          assert.ok(
            plain.status >= 300 && plain.status < 400,
            `${operation.operationId} answers ${plain.status}`,
          );
          assert.ok(plain.location, `${operation.operationId} says where to go`);
        } else {
          const plain = await throughPrism(call);
          assert.equal(plain.violations, null, `${operation.operationId}: ${plain.text}`);
          assert.ok(
            plain.status >= 200 && plain.status < 300,
            `${operation.operationId} answers ${plain.status}: ${plain.text}`,
          );
        }
        for (const { key, status } of statusesOf(operation)) {
          await resetStandin(standin.url);
          if (status >= 300 && status < 400) {
            assert.equal(
              (await directly(call, `code=${status}`)).status,
              status,
              `${operation.operationId} ${key}`,
            );
            continue;
          }
          const answer = await throughPrism(call, `code=${status}`);
          assert.equal(answer.violations, null, `${operation.operationId} ${key}: ${answer.text}`);
          assert.equal(answer.status, status, `${operation.operationId} ${key}: ${answer.text}`);
        }
      }
    });
  }
});

test('the oracle can fail: Prism reports standin answering a spec that says otherwise', async () => {
  const directory = await mkdtemp(path.join(tmpdir(), 'standin-oracle-'));
  const file = path.join(directory, 'projectdiscovery.yaml');
  const source = await readFile(path.join(DEFAULT_SPECS_DIR, 'projectdiscovery.yaml'), 'utf8');
  const mutated = source.replace(/(api_key:\n\s+type: )string/g, '$1integer');
  assert.notEqual(mutated, source);
  await writeFile(file, mutated);
  const baseUrl = standin.vendors.find((entry) => entry.name === 'projectdiscovery')?.baseUrl ?? '';
  const proxy = await startPrismProxy(file, baseUrl);
  try {
    const response = await fetch(`${proxy.url}/v1/user/apikey/rotate`, {
      method: 'POST',
      headers: { 'x-api-key': FIXTURE.projectdiscovery.bob },
    });
    assert.equal(response.status, 500);
    assert.match(response.headers.get('sl-violations') ?? '', /api_key must be integer/);
  } finally {
    await proxy.stop();
    await rm(directory, { recursive: true, force: true });
  }
});
