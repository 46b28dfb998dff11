import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { finished, listeningUrl, ROOT, startCli } from '../support/cli.js';
import { FIXTURE } from '../support/standin.js';

/** What a CI job wraps around its integration tests: --fail-on-violation and --coverage-report. */

async function serve(args: string[]): Promise<{
  url: string;
  ended: ReturnType<typeof finished>;
  stop: (signal: NodeJS.Signals) => void;
}> {
  const child = startCli(['--port', '0', '--log', 'json', ...args]);
  const ended = finished(child);
  const url = await listeningUrl(child);
  return { url, ended, stop: (signal) => child.kill(signal) };
}

test('--fail-on-violation: a client that broke the contract makes the run exit 3 with a readable report', async () => {
  const run = await serve(['--fail-on-violation']);
  await fetch(`${run.url}/gorules/api/projects/not-a-uuid/environments/x/regenerate-token`, {
    method: 'POST',
    headers: { authorization: `Bearer ${FIXTURE.gorules.alice}` },
  });
  await fetch(`${run.url}/projectdiscovery/v1/user/apikey/rotate`, { method: 'POST' });
  run.stop('SIGTERM');
  const outcome = await run.ended;
  assert.equal(outcome.code, 3);
  assert.match(outcome.stderr, /standin: 3 contract violations/);
  assert.match(outcome.stderr, /gorules regenerateEnvironmentToken/);
  assert.match(
    outcome.stderr,
    /the client sent POST \/gorules\/api\/projects\/not-a-uuid\/.* -> 400: path projectId: must match format "uuid" \[format\]/,
  );
  assert.match(
    outcome.stderr,
    /the client sent POST \/projectdiscovery\/v1\/user\/apikey\/rotate -> 401: security X-API-Key/,
  );
});

test('--fail-on-violation: a clean run exits 0; POST /__admin/shutdown stops it like a signal', async () => {
  const run = await serve(['--fail-on-violation']);
  const rotated = await fetch(`${run.url}/projectdiscovery/v1/user/apikey/rotate`, {
    method: 'POST',
    headers: { 'x-api-key': FIXTURE.projectdiscovery.alice },
  });
  assert.equal(rotated.status, 200);
  assert.equal((await fetch(`${run.url}/__admin/shutdown`, { method: 'POST' })).status, 202);
  const outcome = await run.ended;
  assert.equal(outcome.code, 0);
  assert.match(outcome.stderr, /no contract violations/);
});

test('--fail-on-violation: a handler answer that breaks the spec is reported as standin’s, with its schema path', async () => {
  // A spec that says otherwise than the handler answers: ProjectDiscovery's api_key as an integer.
  const directory = await mkdtemp(path.join(tmpdir(), 'standin-broken-'));
  const source = await readFile(path.join(ROOT, 'specs', 'projectdiscovery.yaml'), 'utf8');
  await writeFile(
    path.join(directory, 'projectdiscovery.yaml'),
    source.replace(/(api_key:\n\s+type: )string/g, '$1integer'),
  );
  try {
    const run = await serve(['--fail-on-violation', '--specs', directory]);
    // One spec alone is served at its own server path, on the root of the port.
    const answer = await fetch(`${run.url}/v1/user/apikey/rotate`, {
      method: 'POST',
      headers: { 'x-api-key': FIXTURE.projectdiscovery.alice },
    });
    assert.equal(answer.status, 500, 'caught, never served');
    run.stop('SIGINT');
    const outcome = await run.ended;
    assert.equal(outcome.code, 3);
    assert.match(
      outcome.stderr,
      /standin would have answered POST \/v1\/user\/apikey\/rotate -> 200: body \/api_key: must be integer \[type\] \(spec #\/paths\/~1v1~1user~1apikey~1rotate\/post\/responses\/200/,
    );
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
});

test('--coverage-report writes the Markdown coverage on shutdown, never-exercised first', async () => {
  const directory = await mkdtemp(path.join(tmpdir(), 'standin-coverage-'));
  const report = path.join(directory, 'coverage.md');
  try {
    const run = await serve(['--coverage-report', report]);
    await fetch(`${run.url}/projectdiscovery/v1/user/apikey/rotate`, {
      method: 'POST',
      headers: { 'x-api-key': FIXTURE.projectdiscovery.alice },
    });
    run.stop('SIGTERM');
    assert.equal((await run.ended).code, 0);
    const markdown = await readFile(report, 'utf8');
    assert.match(markdown, /^# standin coverage/);
    const exercised = markdown.slice(markdown.indexOf('## Exercised'));
    assert.match(
      exercised,
      /\| projectdiscovery \| `post-v1-user-apikey-rotate` \| `POST \/projectdiscovery\/v1\/user\/apikey\/rotate` \| 200 \| 1 \|/,
    );
    assert.ok(markdown.indexOf('## Never exercised') < markdown.indexOf('## Exercised'));
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
});
