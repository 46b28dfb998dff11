import { Writable } from 'node:stream';
import { after, before, beforeEach } from 'node:test';
import { createServer, type RunningServer, type ServerOptions } from '../../src/index.js';

/** A standin started for one test file, with its JSON log lines kept for assertions. */
export interface TestServer extends RunningServer {
  logLines(): Array<Record<string, unknown>>;
  rawLog(): string;
}

export async function startStandin(options: ServerOptions = {}): Promise<TestServer> {
  const chunks: string[] = [];
  const logDestination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const server = await createServer({ port: 0, log: 'json', logDestination, ...options });
  return {
    ...server,
    rawLog: () => chunks.join(''),
    logLines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/**
 * One standin for the test file: started before its first test, closed after its last, and (unless
 * `resetEachTest` is false) back to the starting fixture and the real clock before each test, so
 * tests do not depend on each other's rotations.
 */
export function useStandin(options: ServerOptions = {}, { resetEachTest = true } = {}): TestServer {
  let server: TestServer | undefined;
  before(async () => {
    server = await startStandin(options);
  });
  after(() => server?.close());
  if (resetEachTest) beforeEach(() => resetStandin(started().url));
  const started = (): TestServer => {
    if (!server) throw new Error('the test file standin is used before it started');
    return server;
  };
  // The server only exists once `before` has run; the proxy lets the file hold it from the start.
  return new Proxy({} as TestServer, {
    get: (_target, property) => Reflect.get(started(), property) as unknown,
  });
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, init);
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** The default fixture's GoRules project (Payments, Alice is a member) and its Production environment. */
export const PROJECT_ID = '5a8591dd-4039-49df-9202-96385ba3eff8';
export const ENVIRONMENT_ID = '497f6eca-6276-4993-bfeb-53cbbbba6f08';

export interface ListedCredential {
  vendor: string;
  principal: string;
  header: string;
  value: string;
  expiresAt: string | null;
  /** The vendor's own operation that rotates (or revokes) this credential, when it has one. */
  rotate?: { method: string; path: string; body?: unknown };
  revoke?: { method: string; path: string; body?: unknown };
}

/** The credentials valid now, from the control plane, as a test (or any user) learns them. */
export async function credentials(
  baseUrl: string,
  vendor?: string,
  principal?: string,
): Promise<ListedCredential[]> {
  const query = new URLSearchParams({
    ...(vendor ? { vendor } : {}),
    ...(principal ? { principal } : {}),
  });
  const answer = await call(`${baseUrl}/__admin/credentials?${query.toString()}`);
  if (answer.status !== 200)
    throw new Error(`GET /__admin/credentials answered ${answer.status}: ${answer.text}`);
  return answer.json as ListedCredential[];
}

/** The headers that authenticate as a vendor's principal (its first credential when none is named). */
export async function authAs(
  baseUrl: string,
  vendor: string,
  principal?: string,
): Promise<Record<string, string>> {
  const [first] = await credentials(baseUrl, vendor, principal);
  if (!first) throw new Error(`no credential for ${vendor} ${principal ?? ''}`);
  return { [first.header.toLowerCase()]: first.value };
}

export async function resetStandin(baseUrl: string): Promise<void> {
  const answer = await call(`${baseUrl}/__admin/reset`, { method: 'POST' });
  if (answer.status !== 204)
    throw new Error(`POST /__admin/reset answered ${answer.status}: ${answer.text}`);
}

/** The default fixture's credentials, as the README documents them. */
export const FIXTURE = {
  thousandeyes: {
    alice: 'f537f4ac-2921-4199-bbab-d5a43f1c2b60',
    bob: '0c6e8b0e-5a3f-4c7e-9b1d-2f8a4e6c1d02',
  },
  wiremock: {
    alice: '5f0c6b3e2a9d4e718c1b0a2f3d4e5a61',
    bob: '8e7d6c5b4a3928170f1e2d3c4b5a6972',
    carol: 'c1d2e3f4a5b60718293a4b5c6d7e8f93',
  },
  pocketpaw: {
    master: 'pk_3f9a1c7e5b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a',
    apiKey: 'pp_7d2e9a4c1f6b8e3a5d0c2f4b6e8a1c3d',
  },
  projectdiscovery: {
    alice: '3b9e2c4d-6f1a-4e8b-9c7d-5a2f1e0b8c41',
    bob: '7c1d5e9f-2a4b-4c6d-8e0f-1a3b5c7d9e42',
  },
  gorules: {
    alice: 'a1c3e5f7b9d2f4a6c8e0b2d4f6a8c0e2b4d6f8a0c2e4b6d8',
    bob: 'b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4c6e8',
    production: 'e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4',
    staging: 'f0e1d2c3b4a5968778695a4b3c2d1e0ff0e1d2c3b4a59687',
  },
} as const;

/** Moves the virtual clock through the control plane (`{advance: 'P14D'}`, `{set, frozen}`). */
export async function moveClock(
  baseUrl: string,
  change: { advance?: string; set?: string; frozen?: boolean },
): Promise<string> {
  const answer = await call(`${baseUrl}/__admin/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(change),
  });
  if (answer.status !== 200)
    throw new Error(`POST /__admin/clock answered ${answer.status}: ${answer.text}`);
  return (answer.json as { now: string }).now;
}

export async function stateOf<T>(baseUrl: string, vendor: string): Promise<T> {
  const answer = await call(`${baseUrl}/__admin/state/${vendor}`);
  if (answer.status !== 200)
    throw new Error(`GET /__admin/state/${vendor} answered ${answer.status}: ${answer.text}`);
  return answer.json as T;
}

export async function putState(baseUrl: string, vendor: string, state: unknown): Promise<Answer> {
  return call(`${baseUrl}/__admin/state/${vendor}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(state),
  });
}

/** Sends the same request `count` times at once and counts the statuses. */
export async function concurrently(
  count: number,
  send: () => Promise<Answer>,
): Promise<{ answers: Answer[]; statuses: Record<number, number> }> {
  const answers = await Promise.all(Array.from({ length: count }, send));
  const statuses: Record<number, number> = {};
  for (const answer of answers) statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
  return { answers, statuses };
}

/** Switches one vendor's documented rate limit on or off through the control plane. */
export async function setRateLimit(
  baseUrl: string,
  vendor: string,
  enabled: boolean,
): Promise<void> {
  const answer = await call(`${baseUrl}/__admin/rate-limits/${vendor}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ enabled }),
  });
  if (answer.status !== 200)
    throw new Error(`PUT /__admin/rate-limits/${vendor} answered ${answer.status}: ${answer.text}`);
}
