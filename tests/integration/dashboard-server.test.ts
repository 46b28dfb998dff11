import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { JournalStreams } from '../../src/admin/journal-stream.js';
import type { JournalEntry, Observations } from '../../src/engine/observations.js';
import { httpRequest, rawRequest } from '../support/raw-http.js';
import {
  call,
  FIXTURE,
  resetStandin,
  startStandin,
  useStandin,
  type TestServer,
} from '../support/standin.js';

/**
 * The dashboard's server side (issue 17): `/` for a browser, the page's static files, Swagger UI,
 * the live journal, and the rotate/revoke hints of the credentials listing.
 */
const open = useStandin({}, { resetEachTest: false });
const ADMIN_TOKEN = 'dashboard-server-test-token';
let guarded: TestServer | undefined;
before(async () => {
  guarded = await startStandin({ adminToken: ADMIN_TOKEN });
});
after(() => guarded?.close());
const withToken = (): TestServer => {
  if (!guarded) throw new Error('not started');
  return guarded;
};
const bearer = { authorization: `Bearer ${ADMIN_TOKEN}` };
const BROWSER_ACCEPT =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
const TE_USER = '/thousandeyes/v7/users/current';

test('GET / sends a browser to the dashboard and a program the JSON listing', async () => {
  for (const accept of ['text/html', BROWSER_ACCEPT]) {
    const answer = await fetch(`${open.url}/`, { headers: { accept }, redirect: 'manual' });
    assert.equal(answer.status, 302, accept);
    assert.equal(answer.headers.get('location'), '/__admin/ui/');
    assert.match(answer.headers.get('vary') ?? '', /accept/i);
    await answer.body?.cancel();
  }
  for (const accept of [undefined, '*/*', 'application/json']) {
    const answer = await call(`${open.url}/`, accept ? { headers: { accept } } : {});
    assert.equal(answer.status, 200, String(accept));
    assert.equal((answer.json as { name: string }).name, 'standin');
  }
});

test('the page and its files need no token; its data does', async () => {
  const server = withToken();
  const page = await call(`${server.url}/__admin/ui/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(page.text, /app\.js/);
  assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  for (const [file, type] of [
    ['app.js', /^text\/javascript/],
    ['styles.css', /^text\/css/],
  ] as const) {
    const answer = await call(`${server.url}/__admin/ui/${file}`);
    assert.equal(answer.status, 200, file);
    assert.match(answer.headers.get('content-type') ?? '', type);
  }
  const bare = await fetch(`${server.url}/__admin/ui`, { redirect: 'manual' });
  assert.equal(bare.status, 301);
  assert.equal(bare.headers.get('location'), '/__admin/ui/');
  await bare.body?.cancel();
  assert.equal((await call(`${server.url}/__admin/ui/nothing.js`)).status, 404);
  assert.equal((await call(`${server.url}/__admin/ui/`, { method: 'POST' })).status, 405);
  // The data: the control plane as ever.
  assert.equal((await call(`${server.url}/__admin/credentials`)).status, 401);
  assert.equal((await call(`${server.url}/__admin/requests/stream`)).status, 401);
  assert.equal((await call(`${server.url}/__admin/credentials`, { headers: bearer })).status, 200);
});

test('the Host check and the cross-origin refusal apply to the dashboard', async () => {
  const rebound = await rawRequest(
    open.port,
    `GET /__admin/ui/ HTTP/1.1\r\nHost: rebind.attacker.example\r\nConnection: close\r\n\r\n`,
  );
  assert.equal(rebound.status, 403);
  assert.match(rebound.text, /host-not-allowed/);
  const stream = await rawRequest(
    open.port,
    `GET /__admin/requests/stream HTTP/1.1\r\nHost: rebind.attacker.example\r\nConnection: close\r\n\r\n`,
  );
  assert.equal(stream.status, 403);
  for (const path of ['/__admin/ui/', '/__admin/ui/app.js', '/__admin/requests/stream']) {
    const answer = await call(open.url + path, { headers: { origin: 'http://attacker.example' } });
    assert.equal(answer.status, 403, path);
    assert.match(answer.text, /cross-origin-refused/);
    assert.equal(answer.headers.get('access-control-allow-origin'), null);
  }
});

test('Swagger UI: a page per vendor pointed at its spec, its files served, nothing beside them', async () => {
  const page = await call(`${open.url}/__admin/ui/swagger/thousandeyes`);
  assert.equal(page.status, 200);
  assert.match(page.text, /data-spec-url="\/thousandeyes\/openapi\.json"/);
  assert.match(page.text, /swagger-ui-bundle\.js/);
  assert.equal((await call(`${open.url}/thousandeyes/openapi.json`)).status, 200);
  const init = await call(`${open.url}/__admin/ui/swagger-init.js`);
  assert.equal(init.status, 200);
  assert.match(init.text, /SwaggerUIBundle/);
  for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css']) {
    const answer = await call(`${open.url}/__admin/ui/swagger-ui/${file}`);
    assert.equal(answer.status, 200, file);
    assert.ok(answer.text.length > 1000, file);
  }
  assert.equal((await call(`${open.url}/__admin/ui/swagger/nobody`)).status, 404);
  for (const path of [
    '/__admin/ui/swagger-ui/../package.json',
    '/__admin/ui/swagger-ui/../../../package.json',
    '/__admin/ui/swagger-ui/..%2Fpackage.json',
    '/__admin/ui/swagger-ui/%2e%2e/package.json',
    '/__admin/ui/..%2F..%2F..%2Fpackage.json',
    '/__admin/ui/swagger-ui/.',
    '/__admin/ui/swagger-ui/',
    '/__admin/ui/swagger-ui/%2Fetc%2Fpasswd',
  ]) {
    const answer = await rawRequest(open.port, httpRequest('GET', path));
    assert.notEqual(answer.status, 200, path);
    assert.doesNotMatch(answer.text, /"name": ?"(standin|swagger-ui-dist)"/, path);
    assert.doesNotMatch(answer.text, /root:/, path);
  }
});

/** Reads server-sent events from a fetch answer, as the page does. */
function eventReader(response: Response): {
  next(timeoutMs?: number): Promise<string>;
  done(timeoutMs?: number): Promise<boolean>;
} {
  const body = response.body;
  if (!body) throw new Error('no body');
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  let ended = false;
  const read = async (timeoutMs: number): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`nothing in ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const chunk = await Promise.race([reader.read(), timeout]);
      if (chunk.done) ended = true;
      else buffered += decoder.decode(chunk.value as Uint8Array, { stream: true });
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    async next(timeoutMs = 1000) {
      const deadline = Date.now() + timeoutMs;
      while (!buffered.includes('\n\n')) {
        if (ended) throw new Error('the stream ended');
        await read(Math.max(1, deadline - Date.now()));
      }
      const end = buffered.indexOf('\n\n');
      const event = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      return event;
    },
    async done(timeoutMs = 2000) {
      const deadline = Date.now() + timeoutMs;
      while (!ended) await read(Math.max(1, deadline - Date.now()));
      return true;
    },
  };
}

function entryOf(event: string): JournalEntry {
  const [kind, data] = event.split('\n');
  assert.equal(kind, 'event: request');
  assert.ok(data !== undefined && data.startsWith('data: '), event);
  return JSON.parse(data.slice('data: '.length)) as JournalEntry;
}

test('the stream sends the journal, then each new request within a second', async () => {
  const server = withToken();
  const namespace = 'stream-test';
  const headers = { ...bearer, 'x-standin-namespace': namespace };
  const first = await call(server.url + TE_USER, {
    headers: {
      authorization: `Bearer ${FIXTURE.thousandeyes.alice}`,
      'x-standin-namespace': namespace,
    },
  });
  assert.equal(first.status, 200);
  const listed = await call(`${server.url}/__admin/requests`, { headers });
  const journal = listed.json as JournalEntry[];
  assert.equal(journal.length, 1);

  const controller = new AbortController();
  try {
    const response = await fetch(`${server.url}/__admin/requests/stream`, {
      headers,
      signal: controller.signal,
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    const events = eventReader(response);
    assert.deepEqual(entryOf(await events.next()), journal[0], 'exactly as GET /requests gives it');
    const started = Date.now();
    const second = await call(`${server.url}/thousandeyes/v7/api-tokens`, {
      method: 'POST',
      headers: { 'x-standin-namespace': namespace },
    });
    assert.equal(second.status, 401);
    const live = entryOf(await events.next(1000));
    assert.ok(Date.now() - started < 1000);
    assert.equal(live.operationId, 'regenerateApiToken');
    assert.equal(live.status, 401);
    const again = (await call(`${server.url}/__admin/requests`, { headers }))
      .json as JournalEntry[];
    assert.deepEqual(live, again[1]);
    // Another namespace's requests are not this stream's.
    await call(server.url + TE_USER);
    await assert.rejects(events.next(300));
    // The query names the namespace too (for a client that cannot send headers).
    const byQuery = await fetch(`${server.url}/__admin/requests/stream?namespace=${namespace}`, {
      headers: bearer,
      signal: controller.signal,
    });
    assert.deepEqual(entryOf(await eventReader(byQuery).next()), journal[0]);
  } finally {
    controller.abort();
  }
});

test('at most 32 streams at once; the 33rd is a 503, and a closed one frees its place', async () => {
  const controller = new AbortController();
  const streams: Response[] = [];
  try {
    for (let index = 0; index < 32; index += 1) {
      const response = await fetch(`${open.url}/__admin/requests/stream`, {
        signal: controller.signal,
      });
      assert.equal(response.status, 200, `stream ${index + 1}`);
      streams.push(response);
    }
    const refused = await call(`${open.url}/__admin/requests/stream`);
    assert.equal(refused.status, 503);
    assert.match(refused.text, /32 journal streams/);
  } finally {
    controller.abort();
  }
  // The server notices the closed connections and lets a new stream in.
  let status = 0;
  for (let attempt = 0; attempt < 50 && status !== 200; attempt += 1) {
    const again = new AbortController();
    const response = await fetch(`${open.url}/__admin/requests/stream`, { signal: again.signal });
    status = response.status;
    again.abort();
    if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.equal(status, 200);
});

test('a stream ends when the server closes', async () => {
  const server = await startStandin();
  let closed = false;
  try {
    const response = await fetch(`${server.url}/__admin/requests/stream`);
    assert.equal(response.status, 200);
    const events = eventReader(response);
    const started = Date.now();
    await server.close();
    closed = true;
    assert.ok(await events.done(2000));
    assert.ok(Date.now() - started < 2000, 'not held until the close grace runs out');
  } finally {
    if (!closed) await server.close();
  }
});

test('a quiet stream sends a keep-alive comment', async () => {
  // The interval is 15 s on a server; here a stream of its own with a short one.
  const listeners = new Set<(entry: JournalEntry, home: string) => void>();
  const observations = {
    journal: () => Promise.resolve([]),
    onJournalEntry: (listener: (entry: JournalEntry, home: string) => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  } as unknown as Observations;
  const streams = new JournalStreams(observations, 50);
  const server: Server = createHttpServer((request, response) => {
    streams.serve(request, response, '/requests/stream', '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const controller = new AbortController();
  try {
    const port = (server.address() as AddressInfo).port;
    const response = await fetch(`http://127.0.0.1:${port}/`, { signal: controller.signal });
    const events = eventReader(response);
    assert.equal(await events.next(1000), ': keep-alive');
    assert.equal(listeners.size, 1);
    streams.closeAll();
    assert.ok(await events.done());
    assert.equal(listeners.size, 0, 'a closed stream listens no more');
    assert.equal(streams.size, 0);
  } finally {
    controller.abort();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

interface Hinted {
  vendor: string;
  principal: string;
  header: string;
  value: string;
  rotate?: { method: string; path: string; body?: unknown };
  revoke?: { method: string; path: string; body?: unknown };
}

async function listed(baseUrl: string): Promise<Hinted[]> {
  return (await call(`${baseUrl}/__admin/credentials`)).json as Hinted[];
}

function send(
  baseUrl: string,
  credential: Hinted,
  action: NonNullable<Hinted['rotate']>,
): Promise<Awaited<ReturnType<typeof call>>> {
  return call(baseUrl + action.path, {
    method: action.method,
    headers: {
      [credential.header]: credential.value,
      ...(action.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(action.body === undefined ? {} : { body: JSON.stringify(action.body) }),
  });
}

test('rotate hints: the vendor operation, sent with the credential, rotates it', async () => {
  await resetStandin(open.url);
  const before = await listed(open.url);
  const thousandEyes = before.find((credential) => credential.vendor === 'thousandeyes');
  assert.deepEqual(thousandEyes?.rotate, { method: 'POST', path: '/thousandeyes/v7/api-tokens' });
  const expected = ['pocketpaw', 'projectdiscovery', 'thousandeyes', 'wiremock-cloud'];
  const hinted = [
    ...new Set(before.filter((c) => c.rotate).map((credential) => credential.vendor)),
  ];
  assert.deepEqual(hinted.sort(), expected);
  for (const vendor of expected) {
    await resetStandin(open.url);
    const [credential] = (await listed(open.url)).filter(
      (candidate) => candidate.vendor === vendor && candidate.rotate,
    );
    assert.ok(credential?.rotate, vendor);
    const answer = await send(open.url, credential, credential.rotate);
    assert.ok(answer.status >= 200 && answer.status < 300, `${vendor}: ${answer.status}`);
    const after = await listed(open.url);
    const mine = after.filter(
      (candidate) => candidate.vendor === vendor && candidate.principal === credential.principal,
    );
    assert.ok(
      mine.some((candidate) => candidate.value !== credential.value),
      `${vendor}: a new credential is listed`,
    );
    // ThousandEyes keeps the old token 14 days (documented overlap); the others drop it at once.
    if (vendor !== 'thousandeyes')
      assert.ok(
        !mine.some((candidate) => candidate.value === credential.value),
        `${vendor}: the old one is gone`,
      );
  }
  // The journal shows the rotations as the vendors' own operations.
  const journal = (await call(`${open.url}/__admin/requests`)).json as JournalEntry[];
  assert.ok(journal.some((entry) => entry.operationId === 'regenerateApiToken'));
});

test('revoke hints: ProjectDiscovery deletes the key', async () => {
  await resetStandin(open.url);
  const [credential] = (await listed(open.url)).filter(
    (candidate) => candidate.vendor === 'projectdiscovery',
  );
  assert.ok(credential?.revoke);
  assert.equal(credential.revoke.path, '/projectdiscovery/v1/user/apikey');
  const answer = await send(open.url, credential, credential.revoke);
  assert.equal(answer.status, 200);
  const after = await listed(open.url);
  assert.ok(!after.some((candidate) => candidate.value === credential.value));
  await resetStandin(open.url);
});
