import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createServer, type RunningServer } from '../../src/index.js';
import { exited, killChild, printedBy, startChild } from '../support/children.js';
import { installedCommand, skipUnlessInstalled } from '../support/installed.js';
import { userNpmEnvironment } from '../support/npm-environment.js';
import { call, credentials, FIXTURE } from '../support/standin.js';

/**
 * WireMock Cloud's own CLI (`@wiremock/cli`, a Kotlin jar run by Java 17) against standin, end to
 * end: WireMock Cloud on a port of its own at its real base path (the CLI resolves every call
 * against the host root), the identity provider stand-in for `wiremock login`, and the CLI's
 * telemetry (Segment, Datadog) pointed at a loopback sink this file starts.
 *
 * The package is installed once into node_modules/.cache/standin-clients (not a dependency every
 * install pays for); a second run reuses it. Its postinstall step only refreshes shell completion
 * for a global install, so there is nothing to run. The jar is started with `java` directly, with
 * the flags the package's launcher uses: the launcher downloads a JRE from the internet when it
 * finds no Java 17, which a test must never do.
 */

const VERSION = '0.50.0';
const CACHE = path.resolve(
  import.meta.dirname,
  '..',
  '..',
  'node_modules',
  '.cache',
  'standin-clients',
  `wiremock-cli-${VERSION}`,
);
const JAR = path.join(CACHE, 'node_modules', '@wiremock', 'cli', 'wiremock');
const INSTALL_TIMEOUT_MS = 5 * 60_000;
/** One CLI command: the JVM alone takes 10-30 s to start this jar on a loaded machine. */
const COMMAND_TIMEOUT_MS = 100_000;

/** `java` if it is Java 17 or later (the CLI's own requirement), else undefined. */
function java17(): string | undefined {
  const java = installedCommand('java', '-version');
  if (java === undefined) return undefined;
  const printed = spawnSync(java, ['-version'], { encoding: 'utf8' }).stderr;
  const major = Number(/version "(?:1\.)?(\d+)/.exec(printed)?.[1] ?? 0);
  return major >= 17 ? java : undefined;
}

const JAVA = java17();
const skip = skipUnlessInstalled(JAVA, 'openjdk-17-jre-headless');

interface Ended {
  code: number | null;
  printed: string;
}

/** Runs a child to its end within `timeoutMs` (killed with its group past it). */
async function runToEnd(
  command: string,
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs: number },
): Promise<Ended> {
  const child = startChild(command, args, { env: options.env, cwd: options.cwd });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void killChild(child);
  }, options.timeoutMs);
  try {
    await exited(child);
  } finally {
    clearTimeout(timer);
    await killChild(child);
  }
  const printed = printedBy(child);
  if (timedOut)
    throw new Error(
      `${command} ${args.join(' ')}: still running after ${options.timeoutMs} ms:\n${printed}`,
    );
  return { code: child.exitCode, printed };
}

/** The cached install, made once: into a folder of its own, then renamed into place. */
async function installedCli(): Promise<string> {
  if (existsSync(JAR)) return JAR;
  await mkdir(path.dirname(CACHE), { recursive: true });
  const staging = await mkdtemp(`${CACHE}.partial-`);
  try {
    const npm = await runToEnd(
      'npm',
      [
        'install',
        '--prefix',
        staging,
        '--no-save',
        '--no-audit',
        '--no-fund',
        `@wiremock/cli@${VERSION}`,
      ],
      { env: userNpmEnvironment(), cwd: staging, timeoutMs: INSTALL_TIMEOUT_MS },
    );
    assert.equal(npm.code, 0, `npm install @wiremock/cli@${VERSION} failed:\n${npm.printed}`);
    // Another run may have finished first: then its install is as good as this one.
    if (!existsSync(JAR)) await rename(staging, CACHE);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  assert.ok(existsSync(JAR), `the package holds its jar at ${JAR}`);
  return JAR;
}

/** Where the CLI's telemetry goes instead of Segment and Datadog: every request, kept. */
interface Sink {
  url: string;
  received: Array<{ method: string; path: string }>;
  close(): Promise<void>;
}

async function startSink(): Promise<Sink> {
  const received: Sink['received'] = [];
  const server = http.createServer((request, response) => {
    received.push({ method: request.method ?? '', path: request.url ?? '' });
    request.resume();
    request.on('end', () =>
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}'),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let standin: RunningServer | undefined;
let sink: Sink | undefined;
let workDir: string | undefined;
let jar = '';
/** WireMock Cloud on its own port: `http://127.0.0.1:P`, the API and the identity provider. */
let api = '';

const configFile = (): string => path.join(workDir ?? '', 'config', 'wiremock-cli', 'config.yaml');

before(
  async () => {
    if (skip) return;
    jar = await installedCli();
    standin = await createServer({ port: 0, log: 'silent', vendorPorts: { 'wiremock-cloud': 0 } });
    api = standin.vendors.find((vendor) => vendor.name === 'wiremock-cloud')?.ownBaseUrl ?? '';
    assert.match(api, /^http:\/\/127\.0\.0\.1:\d+$/);
    sink = await startSink();
    workDir = await mkdtemp(path.join(os.tmpdir(), 'standin-wiremock-cli-'));
    await mkdir(path.dirname(configFile()), { recursive: true });
    await mkdir(path.join(workDir, 'home'), { recursive: true });
    // The trailing slashes matter: without them the CLI finds the URLs invalid, rewrites the file
    // without them, and falls back to the public endpoints.
    await writeFile(
      configFile(),
      [
        'oauth2:',
        `  url: '${api}/'`,
        'segment:',
        `  url: '${sink.url}/segment/'`,
        'dataDog:',
        `  url: '${sink.url}/datadog/'`,
        '',
      ].join('\n'),
    );
  },
  { timeout: INSTALL_TIMEOUT_MS + 60_000 },
);

after(async () => {
  await standin?.close();
  await sink?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

interface Journalled {
  method: string;
  path: string;
  status: number;
}

/** The calls standin answered since the last command. */
async function journal(): Promise<Journalled[]> {
  const answer = await call(`${standin?.url ?? ''}/__admin/requests?vendor=wiremock-cloud`);
  const entries = answer.json as Journalled[] | { requests: Journalled[] };
  const list = Array.isArray(entries) ? entries : entries.requests;
  return list.map(({ method, path: calledPath, status }) => ({ method, path: calledPath, status }));
}

/**
 * One CLI command, in a home of its own, with the calls standin answered for it; and, after it,
 * the telemetry URLs still in the config (else the next command would send it to the vendors).
 */
async function wiremock(...args: string[]): Promise<Ended & { calls: string[] }> {
  await call(`${standin?.url ?? ''}/__admin/requests`, { method: 'DELETE' });
  const ended = await runToEnd(
    JAVA ?? 'java',
    [
      '-Dsun.misc.URLClassPath.disableJarChecking=true',
      '--enable-native-access=ALL-UNNAMED',
      // Not the launcher's: a short-lived JVM starts in half the time without the optimising
      // compiler and with the serial collector (about 9 s instead of 18 s a command here).
      '-XX:TieredStopAtLevel=1',
      '-XX:+UseSerialGC',
      '-jar',
      jar,
      ...args,
    ],
    {
      env: {
        PATH: process.env.PATH,
        ...(process.env.JAVA_HOME ? { JAVA_HOME: process.env.JAVA_HOME } : {}),
        HOME: path.join(workDir ?? '', 'home'),
        XDG_CONFIG_HOME: path.join(workDir ?? '', 'config'),
        LANG: 'C.UTF-8',
      },
      timeoutMs: COMMAND_TIMEOUT_MS,
    },
  );
  const config = await readFile(configFile(), 'utf8');
  assert.ok(
    config.includes(`${sink?.url ?? ''}/datadog/`) &&
      config.includes(`${sink?.url ?? ''}/segment/`),
    `the telemetry still goes to the sink after wiremock ${args.join(' ')}:\n${config}`,
  );
  const calls = (await journal()).map((entry) => `${entry.method} ${entry.path} ${entry.status}`);
  return { ...ended, calls };
}

const { alice, bob } = FIXTURE.wiremock;

test('config set api_endpoint: probes GET /status on standin', { skip }, async (t) => {
  const run = await wiremock('config', 'set', 'api_endpoint', api);
  t.diagnostic(`config set api_endpoint calls: ${run.calls.join(', ')}`);
  assert.equal(run.code, 0, run.printed);
  assert.match(run.printed, /Successfully set api_endpoint/);
  assert.deepEqual(run.calls, ['GET /status 200']);
});

test(
  'config set api_token, whoami: the token names bob, read with apiKey from his own account',
  { skip },
  async (t) => {
    const set = await wiremock('config', 'set', 'api_token', bob);
    t.diagnostic(`config set api_token calls: ${set.calls.join(', ')}`);
    assert.equal(set.code, 0, set.printed);
    assert.deepEqual(set.calls, ['GET /v1/users/self 307', 'GET /v1/users/k2x8p 200']);
    assert.match(await readFile(configFile(), 'utf8'), new RegExp(`token: '${bob}'`));

    const whoami = await wiremock('whoami');
    t.diagnostic(`whoami calls: ${whoami.calls.join(', ')}`);
    assert.equal(whoami.code, 0, whoami.printed);
    assert.match(whoami.printed, /You are logged in as bob@example\.com/);
  },
);

test("mock-apis list: bob's mock APIs from the fixture, a page at a time", { skip }, async (t) => {
  const list = await wiremock('mock-apis', 'list', '--limit=2');
  t.diagnostic(`mock-apis list calls: ${list.calls.join(', ')}`);
  assert.equal(list.code, 0, list.printed);
  assert.deepEqual(list.calls, ['GET /v1/users/k2x8p/apis 200']);
  // Newest first, as the reference's default sort (-createdDate) says.
  assert.ok(list.printed.indexOf('Inventory gRPC') < list.printed.indexOf('Orders API'));
  assert.equal(list.printed.includes('Legacy billing'), false, 'on the second page');
  assert.match(list.printed, /Showing 1-2 of 3 \(page 1 of 2\)/);
});

test(
  'after a rotation: whoami with the old token is not logged in; the new token logs in',
  { skip },
  async (t) => {
    // The CLI has no rotation command: the rotation is WireMock Cloud's API call, with bob's token.
    const rotated = await call(`${api}/v1/users/k2x8p/regenerate-api-token`, {
      method: 'POST',
      headers: { authorization: `Token ${bob}` },
    });
    assert.equal(rotated.status, 200);

    const stale = await wiremock('whoami');
    t.diagnostic(`whoami (old token) calls: ${stale.calls.join(', ')}`);
    assert.notEqual(stale.code, 0);
    assert.match(stale.printed, /You are not logged in/);
    assert.deepEqual(stale.calls, ['GET /v1/users/self 401']);

    const [fresh] = await credentials(standin?.url ?? '', 'wiremock-cloud', 'k2x8p');
    const newToken = fresh?.value.replace(/^Token /, '') ?? '';
    assert.notEqual(newToken, bob);
    const set = await wiremock('config', 'set', 'api_token', newToken);
    t.diagnostic(`config set api_token (new token) calls: ${set.calls.join(', ')}`);
    assert.equal(set.code, 0, set.printed);
    const whoami = await wiremock('whoami');
    t.diagnostic(`whoami (new token) calls: ${whoami.calls.join(', ')}`);
    assert.equal(whoami.code, 0, whoami.printed);
    assert.deepEqual(whoami.calls, ['GET /v1/users/self 307', 'GET /v1/users/k2x8p 200']);
    assert.match(whoami.printed, /You are logged in as bob@example\.com/);
  },
);

test(
  'login: the device flow at the identity provider stand-in, the OIDC exchange, and the API key stored',
  { skip },
  async (t) => {
    const login = await wiremock('login');
    t.diagnostic(`login calls: ${login.calls.join(', ')}`);
    assert.equal(login.code, 0, login.printed);
    assert.match(login.printed, /Code: [B-Z]{4}-[B-Z]{4}/);
    assert.match(login.printed, /Logged in as alice@example\.com/);
    assert.deepEqual(login.calls, [
      'GET /.well-known/openid-configuration 200',
      'POST /oauth/device/code 200',
      'POST /oauth/token 200',
      'POST /v1/auth/oidc 200',
      'GET /v1/users/self 307',
      'GET /v1/users/9gd5l 200',
    ]);
    // The CLI keeps the API key it read from alice's own account (with the access token).
    assert.match(await readFile(configFile(), 'utf8'), new RegExp(`token: '${alice}'`));
  },
);

test(
  'the telemetry went to the loopback sink, and standin saw no contract violation',
  { skip },
  async (t) => {
    const paths = sink?.received.map((request) => request.path) ?? [];
    t.diagnostic(
      `telemetry received: ${[...new Set(paths)].join(', ')} (${paths.length} requests)`,
    );
    assert.ok(
      paths.some((received) => received.startsWith('/datadog/')),
      `Datadog logs reached the sink: ${paths.join(', ')}`,
    );
    assert.ok(
      paths.some((received) => received.startsWith('/segment/')),
      `Segment events reached the sink: ${paths.join(', ')}`,
    );
    assert.deepEqual(await standin?.violations(), []);
  },
);
