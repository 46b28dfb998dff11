import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LogFormat } from '../../src/logger.js';
import {
  call,
  ENVIRONMENT_ID,
  FIXTURE,
  PROJECT_ID,
  startStandin,
  type Answer,
} from '../support/standin.js';

/**
 * A full scenario, every vendor, through the control plane too: every rotation, every neighbour
 * call with the old and the new credential, sessions, evaluations, a fault that loses the new
 * token, a namespace, the clock. Every secret that the run sent or received is collected, then
 * looked for in everything the server logged, in both log formats.
 */
const ADMIN_TOKEN = 'admin-2f9d1c7a5e3b4c6d8e0f';
const STAGING_ID = '1c0ffee0-2b3c-4d5e-8f90-a1b2c3d4e5f6';

class Scenario {
  /** Every secret value seen in the run (sent or answered), to be looked for in the log. */
  readonly secrets = new Set<string>([ADMIN_TOKEN]);
  readonly statuses: number[] = [];

  constructor(private readonly baseUrl: string) {}

  async send(
    path: string,
    init: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = { ...init.headers };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const answer = await call(`${this.baseUrl}${path}`, {
      method: init.method ?? 'GET',
      headers,
      redirect: 'manual',
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    this.statuses.push(answer.status);
    this.keepSecretsOf(answer.json);
    return answer;
  }

  admin(
    path: string,
    init: { method?: string; body?: unknown; namespace?: string } = {},
  ): Promise<Answer> {
    return this.send(`/__admin${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        ...(init.namespace ? { 'x-standin-namespace': init.namespace } : {}),
      },
    });
  }

  bearer(token: string): Record<string, string> {
    this.secrets.add(token);
    return { authorization: `Bearer ${token}` };
  }

  /** Any field that carries a credential in any vendor's answer or the control plane's. */
  private keepSecretsOf(value: unknown): void {
    if (Array.isArray(value)) {
      for (const item of value) this.keepSecretsOf(item);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
      const secretField =
        /token|api_key|apiKey|^value$/i.test(key) && !/expires|valid|ttl/i.test(key);
      if (secretField && typeof field === 'string' && field.length >= 8) {
        this.secrets.add(field);
        // The control plane lists credentials as header values: `Token abc`, `Bearer abc`.
        this.secrets.add(field.replace(/^\S+ /, ''));
      } else {
        this.keepSecretsOf(field);
      }
    }
  }
}

async function runEveryVendor(scenario: Scenario): Promise<void> {
  const listed = (await scenario.admin('/credentials')).json as Array<{ value: string }>;
  assert.ok(listed.length >= 10, 'the starting credentials are listed (and collected)');

  // ThousandEyes: rotate, both tokens during the overlap, 409, 14 days on, old token refused.
  const firstTe = await scenario.send('/thousandeyes/v7/api-tokens', {
    method: 'POST',
    headers: scenario.bearer(FIXTURE.thousandeyes.alice),
  });
  assert.equal(firstTe.status, 201);
  const { bearerToken } = firstTe.json as { bearerToken: string };
  for (const token of [FIXTURE.thousandeyes.alice, bearerToken]) {
    await scenario.send('/thousandeyes/v7/users/current', { headers: scenario.bearer(token) });
  }
  await scenario.send('/thousandeyes/v7/api-tokens', {
    method: 'POST',
    headers: scenario.bearer(bearerToken),
  });
  await scenario.admin('/clock', { method: 'POST', body: { advance: 'P15D' } });
  await scenario.send('/thousandeyes/v7/users/current', {
    headers: scenario.bearer(FIXTURE.thousandeyes.alice),
  });

  // WireMock Cloud: Token and Basic auth, regeneration, the old token refused, the new one learnt.
  const token = (value: string) => {
    scenario.secrets.add(value);
    return { authorization: `Token ${value}` };
  };
  await scenario.send('/wiremock-cloud/v1/users/self', { headers: token(FIXTURE.wiremock.bob) });
  await scenario.send('/wiremock-cloud/v1/users/k2x8p', {
    headers: {
      authorization: `Basic ${Buffer.from(`bob@example.com:${FIXTURE.wiremock.bob}`).toString('base64')}`,
    },
  });
  const regenerated = await scenario.send('/wiremock-cloud/v1/users/k2x8p/regenerate-api-token', {
    method: 'POST',
    headers: token(FIXTURE.wiremock.bob),
  });
  assert.equal(regenerated.status, 200);
  await scenario.send('/wiremock-cloud/v1/users/k2x8p', { headers: token(FIXTURE.wiremock.bob) });
  const [newWiremock] = (await scenario.admin('/credentials?vendor=wiremock-cloud&principal=k2x8p'))
    .json as Array<{ value: string }>;
  assert.ok(newWiremock);
  await scenario.send('/wiremock-cloud/v1/users/k2x8p', {
    headers: { authorization: newWiremock.value },
  });

  // PocketPaw: sessions from the API and the control plane, regeneration kills them all.
  const session = await scenario.send('/pocketpaw/api/auth/session', {
    method: 'POST',
    headers: scenario.bearer(FIXTURE.pocketpaw.master),
  });
  const { session_token: sessionToken } = session.json as { session_token: string };
  const adminSession = (await scenario.admin('/pocketpaw/sessions', { method: 'POST', body: {} }))
    .json as { session_token: string };
  await scenario.send('/pocketpaw/api/version', { headers: scenario.bearer(sessionToken) });
  const rotated = await scenario.send('/pocketpaw/api/token/regenerate', {
    method: 'POST',
    headers: scenario.bearer(FIXTURE.pocketpaw.master),
  });
  const { token: newMaster } = rotated.json as { token: string };
  for (const dead of [sessionToken, adminSession.session_token, FIXTURE.pocketpaw.master]) {
    await scenario.send('/pocketpaw/api/version', { headers: scenario.bearer(dead) });
  }
  await scenario.send('/pocketpaw/api/v1/token/regenerate', {
    method: 'POST',
    headers: scenario.bearer(newMaster),
  });

  // ProjectDiscovery: read, rotate, old key refused, delete, create again, profile.
  const apiKey = (value: string) => {
    scenario.secrets.add(value);
    return { 'x-api-key': value };
  };
  await scenario.send('/projectdiscovery/v1/user/apikey', {
    headers: apiKey(FIXTURE.projectdiscovery.alice),
  });
  const pdRotation = await scenario.send('/projectdiscovery/v1/user/apikey/rotate', {
    method: 'POST',
    headers: apiKey(FIXTURE.projectdiscovery.alice),
  });
  const { api_key: newKey } = pdRotation.json as { api_key: string };
  await scenario.send('/projectdiscovery/v1/user', {
    headers: apiKey(FIXTURE.projectdiscovery.alice),
  });
  await scenario.send('/projectdiscovery/v1/user/apikey', {
    method: 'DELETE',
    headers: apiKey(newKey),
  });
  await scenario.send('/projectdiscovery/v1/user/apikey', {
    method: 'POST',
    headers: apiKey(FIXTURE.projectdiscovery.bob),
  });
  // After-commit fault: the key is rotated, the answer is lost; the client must recover.
  await scenario.admin('/faults', {
    method: 'POST',
    body: {
      vendor: 'projectdiscovery',
      operationId: 'post-v1-user-apikey-rotate',
      status: 500,
      phase: 'after-commit',
      times: 1,
    },
  });
  await scenario.send('/projectdiscovery/v1/user/apikey/rotate', {
    method: 'POST',
    headers: apiKey(FIXTURE.projectdiscovery.bob),
  });
  await scenario.admin('/credentials?vendor=projectdiscovery');

  // GoRules: list environments (their tokens), evaluate, regenerate, evaluate with old and new.
  const pat = scenario.bearer(FIXTURE.gorules.alice);
  await scenario.send(`/gorules/api/projects/${PROJECT_ID}/environments`, { headers: pat });
  const evaluate = (accessToken: string) => {
    scenario.secrets.add(accessToken);
    return scenario.send(
      `/gorules/api/projects/${PROJECT_ID}/environments/${ENVIRONMENT_ID}/evaluate/customer-discount`,
      {
        method: 'POST',
        headers: { 'x-access-token': accessToken },
        body: { context: { cart: { total: 1500 }, customer: { country: 'US', tier: 'gold' } } },
      },
    );
  };
  assert.equal((await evaluate(FIXTURE.gorules.production)).status, 200);
  const environment = await scenario.send(
    `/gorules/api/projects/${PROJECT_ID}/environments/${ENVIRONMENT_ID}/regenerate-token`,
    { method: 'POST', headers: pat },
  );
  const { accessToken } = environment.json as { accessToken: string };
  await evaluate(FIXTURE.gorules.production);
  await evaluate(accessToken);
  await scenario.send(
    `/gorules/api/projects/${PROJECT_ID}/environments/${STAGING_ID}/regenerate-token`,
    { method: 'POST', headers: scenario.bearer(FIXTURE.gorules.bob) },
  );

  // A namespace of its own, the state documents and the journal, then a reset.
  await scenario.send('/projectdiscovery/v1/user/apikey/rotate', {
    method: 'POST',
    headers: { ...apiKey(FIXTURE.projectdiscovery.alice), 'x-standin-namespace': 'worker-2' },
  });
  for (const vendor of ['thousandeyes', 'wiremock-cloud', 'pocketpaw', 'projectdiscovery']) {
    await scenario.admin(`/state/${vendor}`);
  }
  await scenario.admin('/state/gorules');
  await scenario.admin('/requests');
  await scenario.admin('/violations');
  await scenario.admin('/credentials', { namespace: 'worker-2' });
  // Credentials that were never valid, in the wrong scheme, and in a query string.
  const madeUp = {
    bearer: 'made-up-bearer-7f3a9c',
    wiremock: 'made-up-wiremock-51d2e0',
    apiKey: 'made-up-apikey-c44b18',
  };
  await scenario.send('/thousandeyes/v7/api-tokens', {
    method: 'POST',
    headers: scenario.bearer(madeUp.bearer),
  });
  await scenario.send('/wiremock-cloud/v1/users/k2x8p/regenerate-api-token', {
    method: 'POST',
    headers: scenario.bearer(madeUp.wiremock),
  });
  await scenario.send(`/projectdiscovery/v1/user/apikey/rotate?key=${madeUp.apiKey}`, {
    method: 'POST',
    headers: apiKey(madeUp.apiKey),
  });
  // The control plane refuses a wrong admin token; that attempt must not be logged either.
  const wrongAdmin = 'not-the-admin-token-1234';
  scenario.secrets.add(wrongAdmin);
  assert.equal(
    (await scenario.send('/__admin/credentials', { headers: scenario.bearer(wrongAdmin) })).status,
    401,
  );
  await scenario.admin('/reset', { method: 'POST' });
}

for (const format of ['json', 'pretty'] as const satisfies readonly LogFormat[]) {
  test(`a full scenario run (${format} log) never writes a token, key or Authorization value to the log`, async () => {
    const standin = await startStandin({ log: format, adminToken: ADMIN_TOKEN });
    const scenario = new Scenario(standin.url);
    try {
      await runEveryVendor(scenario);
    } finally {
      await standin.close();
    }
    const log = standin.rawLog();
    const logged = log.split('\n').filter((line) => line.trim() !== '').length;
    // One line per request at least: the log was really written, so its silence means something.
    assert.ok(
      logged >= scenario.statuses.length,
      `${logged} lines for ${scenario.statuses.length}`,
    );
    assert.ok(scenario.statuses.includes(201) && scenario.statuses.includes(401));
    assert.ok(scenario.statuses.includes(500), 'the after-commit fault was served');
    assert.ok(scenario.secrets.size >= 25, `${scenario.secrets.size} secrets collected`);
    for (const secret of scenario.secrets) {
      assert.ok(!log.includes(secret), `a secret (${secret.slice(0, 4)}…) is in the log`);
    }
    // A refusal's reasons name the header that was missing or malformed ("expected an
    // Authorization header ..."), never its value (the loop above looks for every value); outside
    // them, no credential header is mentioned at all.
    const withoutReasons =
      format === 'json'
        ? standin
            .logLines()
            .map(({ failures: _reasons, ...line }) => JSON.stringify(line))
            .join('\n')
        : log
            .split('\n')
            .filter((line) => !line.startsWith('    '))
            .join('\n');
    assert.ok(
      !/authorization|x-api-key|x-access-token/i.test(withoutReasons),
      'no credential header',
    );
  });
}
