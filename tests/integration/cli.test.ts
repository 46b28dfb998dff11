import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { finished, listeningUrl, ROOT, runCli, startCli } from '../support/cli.js';
import { freePort } from '../support/free-port.js';
import { FIXTURE } from '../support/standin.js';

const BROKEN = path.join(ROOT, 'tests', 'fixtures', 'broken');

test('standin validate: the bundled specs are all valid (exit 0)', async () => {
  const outcome = await runCli(['validate']);
  assert.equal(outcome.code, 0, outcome.stderr);
  for (const vendor of [
    'gorules',
    'pocketpaw',
    'projectdiscovery',
    'thousandeyes',
    'wiremock-cloud',
  ]) {
    assert.match(outcome.stdout, new RegExp(`valid +\\S+/${vendor}\\.yaml`));
  }
  assert.match(
    outcome.stdout,
    /thousandeyes\.yaml \(OpenAPI 3\.0\.1, 2 operations, served at \/thousandeyes\/v7\)/,
  );
});

const cases: Array<{ file: string; place: RegExp; what: RegExp }> = [
  {
    file: 'missing-description.yaml',
    place: /#\/paths\/~1things\/get\/responses\/200, line 10:11/,
    what: /must have required property 'description'/,
  },
  {
    file: 'dangling-ref.yaml',
    place: /#\/paths\/~1things\/get\/responses\/200\/content\/application~1json\/schema, line 14/,
    what: /Missing \$ref pointer "#\/components\/schemas\/Missing"/,
  },
  { file: 'not-yaml.yaml', place: /line 9:6/, what: /bad indentation/ },
  {
    file: 'undeclared-variable.yaml',
    place: /#\/paths\/~1things~1\{thingId\}\/get, line 8/,
    what: /path variable \{thingId\} has no "in: path" parameter/,
  },
  {
    file: 'bad-pattern.yaml',
    place: /#\/paths\/~1things\/get\/responses\/200\/content\/application~1json\/schema, line 14/,
    what: /cannot be compiled/,
  },
];

for (const { file, place, what } of cases) {
  test(`standin validate: ${file} is invalid (exit 2), with the file and the place named`, async () => {
    const outcome = await runCli(['validate', path.join(BROKEN, file)]);
    assert.equal(outcome.code, 2);
    assert.match(
      outcome.stdout,
      new RegExp(`invalid +${path.join(BROKEN, file).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`),
    );
    assert.match(outcome.stdout, place);
    assert.match(outcome.stdout, what);
  });
}

test('standin validate: a valid spec and an invalid one together exit 2 and report both', async () => {
  const outcome = await runCli([
    'validate',
    path.join(ROOT, 'specs', 'gorules.yaml'),
    path.join(BROKEN, 'not-yaml.yaml'),
  ]);
  assert.equal(outcome.code, 2);
  assert.match(outcome.stdout, /valid +\S+gorules\.yaml/);
  assert.match(outcome.stdout, /invalid +\S+not-yaml\.yaml/);
});

test('standin validate: an example that does not match its schema is a warning, not a failure', async () => {
  const outcome = await runCli(['validate', path.join(ROOT, 'tests', 'fixtures', 'warnings')]);
  assert.equal(outcome.code, 0);
  assert.match(
    outcome.stdout,
    /warning +example-mismatch: getCount 200 application\/json: the example does not match the schema/,
  );
});

test('standin serve with an invalid spec stops with exit 2 and names the file and the place', async () => {
  const outcome = await runCli([
    'serve',
    '--port',
    '0',
    '--specs',
    path.join(BROKEN, 'missing-description.yaml'),
  ]);
  assert.equal(outcome.code, 2);
  assert.match(outcome.stderr, /missing-description\.yaml/);
  assert.match(outcome.stderr, /#\/paths\/~1things\/get\/responses\/200, line 10/);
});

test('standin serve answers, and stops gracefully on SIGTERM and SIGINT', async () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const child = startCli(['--port', '0', '--log', 'json']);
    const ended = finished(child);
    const url = await listeningUrl(child);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const answer = await fetch(`${url}/projectdiscovery/v1/user/apikey/rotate`, {
      method: 'POST',
      headers: { 'x-api-key': FIXTURE.projectdiscovery.alice },
    });
    assert.equal(answer.status, 200);
    child.kill(signal);
    const outcome = await ended;
    assert.equal(outcome.code, 0, `exit code after ${signal}: ${outcome.stderr}`);
  }
});

test('standin serve reads its port from STANDIN_PORT, and a flag wins over it', async () => {
  const child = startCli(['--log', 'json'], { STANDIN_PORT: '0', STANDIN_HOST: '127.0.0.1' });
  const ended = finished(child);
  assert.match(await listeningUrl(child), /^http:\/\/127\.0\.0\.1:\d+$/);
  child.kill('SIGTERM');
  await ended;
  const outcome = await runCli(['--port', 'not-a-port'], { STANDIN_PORT: '0' });
  assert.equal(outcome.code, 2);
  assert.match(outcome.stderr, /port must be a number/);
});

test('standin serve on a port in use exits 2 and says so', async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const address = blocker.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  try {
    const outcome = await runCli(['--port', String(port)]);
    assert.equal(outcome.code, 2);
    assert.match(outcome.stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
  } finally {
    blocker.close();
  }
});

test('standin --help documents serve, validate and every flag', async () => {
  const top = await runCli(['--help']);
  assert.equal(top.code, 0);
  assert.match(top.stdout, /serve/);
  assert.match(top.stdout, /validate/);
  const serve = await runCli(['serve', '--help']);
  for (const flag of [
    '--port',
    '--host',
    '--specs',
    '--no-cors',
    '--log',
    '--body-limit',
    '--state',
    '--rate-limits',
  ])
    assert.match(serve.stdout, new RegExp(flag));
});

test('a usage error exits 2', async () => {
  const outcome = await runCli(['--log', 'xml']);
  assert.equal(outcome.code, 2);
  assert.match(outcome.stderr, /Allowed choices are pretty, json, silent/);
});

test('standin serve prints, in pretty mode, one ready-to-use credential per vendor; JSON logs carry none', async () => {
  const pretty = startCli(['--port', '0']);
  const prettyEnded = finished(pretty);
  await listeningUrl(pretty);
  await new Promise((resolve) => setTimeout(resolve, 300));
  pretty.kill('SIGTERM');
  const shown = (await prettyEnded).stdout;
  assert.match(
    shown,
    new RegExp(`thousandeyes +Authorization: Bearer ${FIXTURE.thousandeyes.alice}`),
  );
  assert.match(shown, new RegExp(`wiremock-cloud +Authorization: Token ${FIXTURE.wiremock.alice}`));
  assert.match(shown, new RegExp(`projectdiscovery +X-API-Key: ${FIXTURE.projectdiscovery.alice}`));
  assert.match(shown, /pocketpaw +Authorization: Bearer pk_/);
  assert.match(shown, /gorules +Authorization: Bearer /);

  const json = startCli(['--port', '0', '--log', 'json']);
  const jsonEnded = finished(json);
  await listeningUrl(json);
  json.kill('SIGTERM');
  const logged = (await jsonEnded).stdout;
  for (const token of [
    FIXTURE.thousandeyes.alice,
    FIXTURE.wiremock.alice,
    FIXTURE.projectdiscovery.alice,
  ]) {
    assert.ok(!logged.includes(token));
  }
});

test('on an address others can reach, pretty mode prints no credential', async () => {
  // Listening on every interface only for the banner: no request is sent to it.
  const child = startCli([
    '--port',
    '0',
    '--host',
    '0.0.0.0',
    '--admin-token',
    'a-long-enough-admin-token',
  ]);
  const ended = finished(child);
  await listeningUrl(child);
  await new Promise((resolve) => setTimeout(resolve, 300));
  child.kill('SIGTERM');
  const shown = (await ended).stdout;
  assert.match(shown, /Credentials are not printed \(0\.0\.0\.0 is not a loopback address\)/);
  for (const token of [
    FIXTURE.thousandeyes.alice,
    FIXTURE.wiremock.alice,
    FIXTURE.projectdiscovery.alice,
  ])
    assert.ok(!shown.includes(token));
});

test('standin serve --state with an invalid fixture exits 2 naming the file and the place', async () => {
  const outcome = await runCli([
    '--port',
    '0',
    '--state',
    path.join(ROOT, 'tests', 'fixtures', 'states', 'invalid.yaml'),
  ]);
  assert.equal(outcome.code, 2);
  assert.match(
    outcome.stderr,
    /invalid\.yaml: the state of thousandeyes is not valid: \/users\/0\/tokens\/0\/expiresAt/,
  );
});

test('standin serve --store: a URL that is not Redis is a usage error, and a password is not echoed', async () => {
  for (const store of [
    'mysql://user:hunter2@db/0',
    'redis://:hunter2@127.0.0.1:6379/x',
    'nonsense',
  ]) {
    const outcome = await runCli(['--port', '0', '--store', store]);
    assert.equal(outcome.code, 2, store);
    assert.match(outcome.stderr, /--store/);
    assert.doesNotMatch(outcome.stderr, /hunter2/);
  }
});

test('standin serve on an unreachable Redis starts, answers 503, and stops cleanly', async () => {
  const unused = await freePort();
  for (const [flags, expectedCode] of [
    [[], 0],
    [['--fail-on-violation'], 1],
  ] as const) {
    const child = startCli([
      '--port',
      '0',
      '--log',
      'pretty',
      '--store',
      `redis://127.0.0.1:${unused}/0`,
      ...flags,
    ]);
    const ended = finished(child);
    const url = await listeningUrl(child);
    const answer = await fetch(`${url}/projectdiscovery/v1/user/apikey/rotate`, {
      method: 'POST',
      headers: { 'x-api-key': FIXTURE.projectdiscovery.alice },
    });
    assert.equal(answer.status, 503);
    assert.equal(answer.headers.get('content-type'), 'application/problem+json');
    assert.equal((await fetch(`${url}/__health`)).status, 503);
    child.kill('SIGTERM');
    const outcome = await ended;
    // Without reports to make, nothing needs the store to stop; a report it cannot make fails.
    assert.equal(outcome.code, expectedCode, `${flags.join(' ')}: ${outcome.stderr}`);
    assert.match(outcome.stdout, /is not reachable/);
    // A shared store's credentials are every replica's: never printed.
    assert.match(
      outcome.stdout,
      /Credentials are not printed \(the store is shared\): GET \S+\/__admin\/credentials lists them/,
    );
    assert.ok(!outcome.stdout.includes(FIXTURE.projectdiscovery.alice));
    if (expectedCode === 1) assert.match(outcome.stderr, /the reports could not be made/);
  }
});
