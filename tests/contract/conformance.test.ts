import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { createServer, type RunningServer } from '../../src/server.js';
import type { ServerOptions } from '../../src/config.js';

/**
 * The engine's conformance suite, as data: every file of tests/conformance/cases is a list of
 * black-box cases (a document, a request, the answer expected), one per rule of OpenAPI standin
 * implements and per defect fixed. The cases know nothing of standin's insides, so they hold for
 * any server that serves OpenAPI the way the specification says; see the README of that folder for
 * the format. `CONFORMANCE_CASES=bodies,parameters` runs only those files.
 */

const CASES_DIR = fileURLToPath(new URL('../conformance/cases/', import.meta.url));

interface MultipartPart {
  name: string;
  value: string;
  filename?: string;
  contentType?: string;
}

interface CaseRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  json?: unknown;
  form?: Record<string, string | string[]>;
  multipart?: MultipartPart[];
}

interface CaseExpectation {
  status: number;
  headers?: Record<string, string | null>;
  body?: unknown;
  bodyContains?: unknown;
  text?: string;
  textMatches?: string;
  empty?: boolean;
}

interface ConformanceCase {
  name: string;
  rule: string;
  options?: Partial<ServerOptions>;
  spec: unknown;
  startError?: string;
  warnings?: string[];
  request?: CaseRequest;
  expect?: CaseExpectation;
}

const CASE_KEYS = new Set([
  'name',
  'rule',
  'options',
  'spec',
  'startError',
  'warnings',
  'request',
  'expect',
]);
const REQUEST_KEYS = new Set(['method', 'path', 'headers', 'body', 'json', 'form', 'multipart']);
const EXPECT_KEYS = new Set([
  'status',
  'headers',
  'body',
  'bodyContains',
  'text',
  'textMatches',
  'empty',
]);

/** A case file with a typo (`expected:`, `staus:`) must fail loudly, not pass by checking less. */
function checkShape(entry: unknown, where: string): ConformanceCase {
  assert.ok(entry !== null && typeof entry === 'object', `${where}: a case is a mapping`);
  const candidate = entry as Record<string, unknown>;
  const unknownKeys = (keys: object, allowed: Set<string>, place: string): void => {
    const extra = Object.keys(keys).filter((key) => !allowed.has(key));
    assert.deepEqual(extra, [], `${where}: unknown keys in ${place}`);
  };
  unknownKeys(candidate, CASE_KEYS, 'the case');
  assert.equal(typeof candidate.name, 'string', `${where}: a case has a name`);
  assert.equal(typeof candidate.rule, 'string', `${where}: a case names the rule it proves`);
  assert.ok(candidate.spec !== undefined, `${where}: a case has a spec`);
  if (candidate.startError === undefined) {
    assert.ok(candidate.request && candidate.expect, `${where}: a request and an expectation`);
    unknownKeys(candidate.request, REQUEST_KEYS, 'request');
    unknownKeys(candidate.expect, EXPECT_KEYS, 'expect');
    assert.equal(typeof (candidate.expect as CaseExpectation).status, 'number');
    const bodies = ['body', 'json', 'form', 'multipart'].filter(
      (key) => (candidate.request as Record<string, unknown>)[key] !== undefined,
    );
    assert.ok(bodies.length <= 1, `${where}: at most one of body, json, form, multipart`);
  } else {
    assert.equal(candidate.request, undefined, `${where}: a start error sends no request`);
  }
  return candidate as unknown as ConformanceCase;
}

async function caseFiles(): Promise<Array<{ area: string; cases: ConformanceCase[] }>> {
  const only = process.env.CONFORMANCE_CASES?.split(',').map((name) => name.trim());
  const files = (await readdir(CASES_DIR)).filter((file) => file.endsWith('.yaml')).sort();
  const loaded = [];
  for (const file of files) {
    const area = path.basename(file, '.yaml');
    if (only && !only.includes(area)) continue;
    const parsed: unknown = parse(await readFile(path.join(CASES_DIR, file), 'utf8'));
    assert.ok(Array.isArray(parsed), `${file} is a list of cases`);
    const cases = parsed.map((entry, index) => checkShape(entry, `${file}[${index}]`));
    const names = cases.map((entry) => entry.name);
    assert.equal(new Set(names).size, names.length, `${file}: case names are unique`);
    loaded.push({ area, cases });
  }
  if (only) assert.equal(loaded.length, only.length, `CONFORMANCE_CASES names ${only.join(',')}`);
  return loaded;
}

/** Warnings logged while a server starts: JSON log lines at pino's warn level (40). */
class WarningSink extends Writable {
  readonly warnings: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      const entry = JSON.parse(line) as { level?: number; msg?: string };
      if (entry.level === 40 && entry.msg) this.warnings.push(entry.msg);
    }
    done();
  }
}

interface Started {
  server?: RunningServer;
  error?: Error;
  warnings: string[];
  directory: string;
}

async function start(entry: ConformanceCase): Promise<Started> {
  const directory = await mkdtemp(path.join(tmpdir(), 'standin-conformance-'));
  const file = path.join(directory, 'api.yaml');
  await writeFile(file, stringify(entry.spec));
  const sink = new WarningSink();
  try {
    const server = await createServer({
      ...entry.options,
      specs: [file],
      port: 0,
      host: '127.0.0.1',
      log: 'json',
      logDestination: sink,
    });
    return { server, warnings: sink.warnings, directory };
  } catch (error) {
    return { error: error as Error, warnings: sink.warnings, directory };
  }
}

function multipartBody(parts: readonly MultipartPart[]): { boundary: string; body: Buffer } {
  const boundary = `standin-conformance-${Date.now().toString(36)}`;
  const chunks: string[] = [];
  for (const part of parts) {
    const filename = part.filename === undefined ? '' : `; filename="${part.filename}"`;
    chunks.push(
      `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"${filename}\r\n`,
    );
    if (part.contentType) chunks.push(`Content-Type: ${part.contentType}\r\n`);
    chunks.push(`\r\n${part.value}\r\n`);
  }
  chunks.push(`--${boundary}--\r\n`);
  return { boundary, body: Buffer.from(chunks.join(''), 'utf8') };
}

async function send(server: RunningServer, request: CaseRequest): Promise<Response> {
  const headers = new Headers(request.headers ?? {});
  let body: string | Buffer | undefined;
  if (request.body !== undefined) body = request.body;
  if (request.json !== undefined) {
    body = JSON.stringify(request.json);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  }
  if (request.form !== undefined) {
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries(request.form))
      for (const item of Array.isArray(value) ? value : [value]) form.append(name, item);
    body = form.toString();
    if (!headers.has('content-type'))
      headers.set('content-type', 'application/x-www-form-urlencoded');
  }
  if (request.multipart !== undefined) {
    const built = multipartBody(request.multipart);
    body = built.body;
    headers.set('content-type', `multipart/form-data; boundary=${built.boundary}`);
  }
  return fetch(server.url + request.path, {
    method: request.method ?? 'GET',
    headers,
    ...(body === undefined ? {} : { body }),
    redirect: 'manual',
    signal: AbortSignal.timeout(10_000),
  });
}

/** `'/regex/'` matches; any other string is the exact value. */
function matches(actual: string, expected: string): boolean {
  if (expected.length > 1 && expected.startsWith('/') && expected.endsWith('/'))
    return new RegExp(expected.slice(1, -1)).test(actual);
  return actual === expected;
}

/** Objects: the listed keys, recursively; arrays: the same length, element by element. */
function assertContains(actual: unknown, expected: unknown, where: string): void {
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${where} is an array`);
    assert.equal(actual.length, expected.length, `${where} has ${expected.length} items`);
    expected.forEach((item, index) => assertContains(actual[index], item, `${where}[${index}]`));
  } else if (expected !== null && typeof expected === 'object') {
    assert.ok(actual !== null && typeof actual === 'object', `${where} is an object`);
    for (const [key, value] of Object.entries(expected))
      assertContains((actual as Record<string, unknown>)[key], value, `${where}.${key}`);
  } else {
    assert.deepEqual(actual, expected, where);
  }
}

async function check(response: Response, expected: CaseExpectation): Promise<void> {
  const text = await response.text();
  const said = `${response.status} ${response.headers.get('content-type') ?? ''} ${text.slice(0, 600)}`;
  assert.equal(response.status, expected.status, `status; the answer was: ${said}`);
  for (const [name, value] of Object.entries(expected.headers ?? {})) {
    const actual = response.headers.get(name);
    if (value === null) {
      assert.equal(actual, null, `header ${name} must be absent; the answer was: ${said}`);
    } else {
      assert.ok(
        actual !== null && matches(actual, value),
        `header ${name}: expected ${value}, got ${actual ?? '(absent)'}; the answer was: ${said}`,
      );
    }
  }
  if (expected.empty) assert.equal(text, '', 'no body');
  if (expected.text !== undefined) assert.equal(text, expected.text, 'body text');
  if (expected.textMatches !== undefined)
    assert.match(text, new RegExp(expected.textMatches), 'body text');
  if (expected.body !== undefined || expected.bodyContains !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      assert.fail(`a JSON body was expected; the answer was: ${said}`);
    }
    if (expected.body !== undefined) assert.deepEqual(json, expected.body, 'body');
    if (expected.bodyContains !== undefined) assertContains(json, expected.bodyContains, 'body');
  }
}

async function runCase(entry: ConformanceCase): Promise<void> {
  const started = await start(entry);
  try {
    if (entry.startError !== undefined) {
      assert.ok(started.error, 'the start must be refused');
      assert.match(started.error.message, new RegExp(entry.startError));
      return;
    }
    if (started.error) throw started.error;
    for (const pattern of entry.warnings ?? []) {
      assert.ok(
        started.warnings.some((warning) => new RegExp(pattern).test(warning)),
        `a warning matching ${pattern}; the warnings were:\n${started.warnings.join('\n')}`,
      );
    }
    const server = started.server as RunningServer;
    await check(await send(server, entry.request as CaseRequest), entry.expect as CaseExpectation);
  } finally {
    await started.server?.close();
    await rm(started.directory, { recursive: true, force: true });
  }
}

const files = await caseFiles();

test('the conformance cases cover every area, one case per rule', () => {
  assert.ok(files.length > 0, 'there are case files');
  for (const { area, cases } of files) assert.ok(cases.length > 0, `${area} has cases`);
});

for (const { area, cases } of files) {
  test(`conformance: ${area}`, async (t) => {
    for (const entry of cases) {
      await t.test(entry.name, { timeout: 30_000 }, () => runCase(entry));
    }
  });
}
