import assert from 'node:assert/strict';
import {
  access,
  constants,
  copyFile,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startChild } from '../support/children.js';
import { finished, ROOT, type CliOutcome } from '../support/cli.js';
import { userNpmEnvironment } from '../support/npm-environment.js';

/**
 * What `npm pack` makes of a clean checkout is a package that works once installed: its
 * `prepare` script builds dist/ (a checkout has none), `files` ships what an install needs, and
 * `standin` runs through npm's bin link. The checkout is copied first (the files git would check
 * out: tracked, and new ones not ignored), so the build writes into the copy and never into this
 * checkout's dist/, which other tests run meanwhile. The install uses npm's cache, which `npm ci`
 * filled; only the npm registry is reachable for what the cache lacks.
 */

/** Packing builds with tsc, and installing resolves every dependency: slow on a loaded machine. */
const STEP_LIMIT_MS = 150_000;
/** The whole file (see describe below). */
const FILE_LIMIT_MS = 240_000;
const VENDORS = ['gorules', 'pocketpaw', 'projectdiscovery', 'thousandeyes', 'wiremock-cloud'];

const scratch = await mkdtemp(path.join(tmpdir(), 'standin-package-'));
const checkout = path.join(scratch, 'checkout');
const packed = path.join(scratch, 'packed');
const app = path.join(scratch, 'app');
after(() => rm(scratch, { recursive: true, force: true }));

const manifest = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
};

function run(
  command: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<CliOutcome> {
  return finished(startChild(command, args, { cwd, env: userNpmEnvironment(env) }), {
    timeoutMs: STEP_LIMIT_MS,
  });
}

/**
 * `npx standin ...` exactly as a user types it, but never a package of that name from the
 * registry should the local one be missing: npx neither asks (yes=false) nor fetches (offline).
 */
function npx(args: readonly string[]): Promise<CliOutcome> {
  return run('npx', ['standin', ...args], app, {
    npm_config_yes: 'false',
    npm_config_offline: 'true',
  });
}

function printed(outcome: CliOutcome): string {
  return `exit ${outcome.code}; it printed:\n${outcome.stdout}\n${outcome.stderr}`;
}

/** The working tree as a fresh clone would have it: no dist/, no node_modules, nothing ignored. */
async function copyCleanCheckout(): Promise<void> {
  const listing = await finished(
    startChild('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: ROOT,
    }),
  );
  assert.equal(listing.code, 0, `git ls-files: ${printed(listing)}`);
  const listed = listing.stdout;
  for (const file of listed.split('\0').filter((name) => name !== '')) {
    const target = path.join(checkout, file);
    await mkdir(path.dirname(target), { recursive: true });
    // A tracked file deleted in the working tree is not in a checkout of it either.
    await copyFile(path.join(ROOT, file), target).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    });
  }
  // The build's tools (tsc, openapi-typescript), as `npm ci` would have installed them.
  await symlink(path.join(ROOT, 'node_modules'), path.join(checkout, 'node_modules'), 'dir');
}

let tarball = '';

// One bound for the whole file: pack, install and every check in it.
describe('npm pack of a clean checkout', { timeout: FILE_LIMIT_MS }, () => {
  before(async () => {
    await copyCleanCheckout();
    await assert.rejects(access(path.join(checkout, 'dist')), 'the copy has no dist/, as a clone');
    await mkdir(packed);
    const pack = await run('npm', ['pack', '--pack-destination', packed], checkout);
    assert.equal(pack.code, 0, `npm pack: ${printed(pack)}`);
    const [file, ...others] = await readdir(packed);
    assert.ok(file !== undefined && others.length === 0, `one tarball: ${String(file)}`);
    tarball = path.join(packed, file);

    await mkdir(app);
    await writeFile(
      path.join(app, 'package.json'),
      JSON.stringify({ name: 'standin-package-check', private: true, type: 'module' }),
    );
    const install = await run(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball],
      app,
    );
    assert.equal(install.code, 0, `npm install of the tarball: ${printed(install)}`);
  });

  test('the installed package holds dist/ and the specs, and no tests or sources', async () => {
    const installed = path.join(app, 'node_modules', 'standin');
    const entries = await readdir(installed);
    assert.ok(entries.includes('dist') && entries.includes('specs'), entries.join(', '));
    for (const absent of ['tests', 'src', 'bench', 'node_modules'])
      assert.ok(!entries.includes(absent), `${absent}/ is not shipped: ${entries.join(', ')}`);
    await access(path.join(installed, 'dist', 'index.js'));
    await access(path.join(installed, 'dist', 'index.d.ts'));
    await access(path.join(installed, 'specs', 'control-plane', 'admin.yaml'));
    const cli = await readFile(path.join(installed, 'dist', 'cli.js'), 'utf8');
    assert.ok(cli.startsWith('#!/usr/bin/env node\n'), 'dist/cli.js starts with its shebang');
    // npm's bin link must be executable by itself, without `node` in front.
    await access(path.join(app, 'node_modules', '.bin', 'standin'), constants.X_OK);
  });

  test('npx standin --version prints the package version', async () => {
    const outcome = await npx(['--version']);
    assert.equal(outcome.code, 0, printed(outcome));
    assert.equal(outcome.stdout.trim(), manifest.version);
  });

  test('npx standin validate finds the five bundled specs valid', async () => {
    const outcome = await npx(['validate']);
    assert.equal(outcome.code, 0, printed(outcome));
    const valid = outcome.stdout.split('\n').filter((line) => line.startsWith('valid '));
    assert.equal(valid.length, VENDORS.length, outcome.stdout);
    for (const vendor of VENDORS)
      assert.ok(
        valid.some((line) => line.includes(`node_modules/standin/specs/${vendor}.yaml`)),
        `${vendor}: ${outcome.stdout}`,
      );
  });

  test("node_modules/.bin/standin runs without npx (the CI recipe's way)", async () => {
    const outcome = await run(path.join(app, 'node_modules', '.bin', 'standin'), ['-V'], app);
    assert.equal(outcome.code, 0, printed(outcome));
    assert.equal(outcome.stdout.trim(), manifest.version);
  });

  test("import { createServer } from 'standin' serves /__health on port 0", async () => {
    const script = path.join(app, 'health.mjs');
    await writeFile(
      script,
      [
        "import { createServer } from 'standin';",
        "const server = await createServer({ port: 0, log: 'silent' });",
        'try {',
        '  const response = await fetch(`${server.url}/__health`);',
        '  console.log(JSON.stringify({ url: server.url, status: response.status, body: await response.json() }));',
        '} finally {',
        '  await server.close();',
        '}',
        '',
      ].join('\n'),
    );
    const outcome = await run(process.execPath, [script], app);
    assert.equal(outcome.code, 0, printed(outcome));
    const answer = JSON.parse(outcome.stdout) as {
      url: string;
      status: number;
      body: { status: string };
    };
    assert.match(answer.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.status, 'ok');
  });
});
