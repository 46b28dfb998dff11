import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { FIXTURE } from '../support/standin.js';
import { ROOT } from '../support/cli.js';

test('the README documents every credential of the default fixture, as the server issues them', async () => {
  const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
  for (const [vendor, tokens] of Object.entries(FIXTURE)) {
    for (const [principal, token] of Object.entries(tokens)) {
      assert.ok(readme.includes(token), `README lists ${vendor} ${principal}: ${token}`);
    }
  }
});

test('the README quick start is exactly two commands: install and run, then the test command', async () => {
  const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
  const quickStart = /## Quick start[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const commands = quickStart
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => line !== '');
  assert.deepEqual(commands, ['npm ci && npm start', 'npm test']);
  const ci = await readFile(path.join(ROOT, '.ci', 'run'), 'utf8');
  assert.match(ci, /^npm ci\b/m, '.ci/run installs from scratch');
  assert.match(ci, /^npm test$/m, '.ci/run runs the README test command');
});

test('the README documents every flag of the command line', async () => {
  const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
  const cli = await readFile(path.join(ROOT, 'src', 'cli.ts'), 'utf8');
  const flags = [...cli.matchAll(/'(?:-\w, )?(--[a-z-]+)/g)].map((match) => match[1] ?? '');
  assert.ok(flags.length >= 14, `${flags.length} flags found in src/cli.ts`);
  const tableRows = readme.split('\n').filter((line) => line.startsWith('| `'));
  for (const flag of flags) {
    const documented = tableRows.some((row) =>
      new RegExp(`${flag}\\b`).test(row.split('|')[1] ?? ''),
    );
    assert.ok(documented, `the README's flag table has a row for ${flag}`);
  }
});
