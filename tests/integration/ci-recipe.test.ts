import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { parse } from 'yaml';
import { startChild } from '../support/children.js';
import { finished, ROOT, type CliOutcome } from '../support/cli.js';
import { freePort } from '../support/free-port.js';
import { userNpmEnvironment } from '../support/npm-environment.js';
import { FIXTURE } from '../support/standin.js';

/**
 * The README's CI recipe ("In CI: contract checks") and docs/github-actions.yml, run as written,
 * with bash, in a project of their own: there `./node_modules/.bin/standin` is installed by npm
 * from a one-file package that runs this checkout's dist/cli.js, and "the integration tests"
 * (`npm run test:integration`) are one curl against ProjectDiscovery. Only the port is changed
 * (4010 may be taken on a shared machine). A recipe that cannot end, or leaves standin running
 * (its output pipe stays open), fails here at the bound instead of hanging.
 */

const README = path.join(ROOT, 'README.md');
const ACTIONS_JOB = path.join(ROOT, 'docs', 'github-actions.yml');
const BROKEN_SPEC = path.join(ROOT, 'tests', 'fixtures', 'broken', 'missing-description.yaml');
const BUILT_CLI = path.join(ROOT, 'dist', 'cli.js');
/** A recipe that ends by itself takes seconds; one that hangs is killed at this bound. */
const RECIPE_LIMIT_MS = 120_000;
/** The `--timeout` the recipe gives `standin wait`: a broken start must end well before it. */
const RECIPE_WAIT_SECONDS = 60;

const scratch = await mkdtemp(path.join(tmpdir(), 'standin-ci-recipe-'));
const project = path.join(scratch, 'project');
after(() => rm(scratch, { recursive: true, force: true }));

/** The README section's shell block, exactly as a reader copies it. */
async function readmeRecipe(): Promise<string> {
  const readme = await readFile(README, 'utf8');
  const section = /^## In CI: contract checks\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1];
  assert.ok(section, 'the README has a section "In CI: contract checks"');
  const block = /^```sh\n([\s\S]*?)^```$/m.exec(section)?.[1];
  assert.ok(block, 'the section has a sh block');
  return block;
}

/** Every `run:` of the example job, in order: the steps a runner would run, as one script. */
async function actionsSteps(): Promise<string> {
  const workflow = parse(await readFile(ACTIONS_JOB, 'utf8')) as {
    jobs: Record<string, { steps: Array<{ run?: string }> }>;
  };
  const runs = Object.values(workflow.jobs).flatMap((job) =>
    job.steps.flatMap((step) => (step.run === undefined ? [] : [step.run])),
  );
  assert.ok(runs.length >= 2, 'the job installs, then runs the recipe');
  return runs.join('\n');
}

before(async () => {
  // A package whose bin is this checkout's CLI: npm links it into node_modules/.bin as it would
  // the real one, and `npm ci` (the Actions job's first step) can install it again, offline.
  const shim = path.join(project, 'vendor', 'standin');
  await mkdir(shim, { recursive: true });
  await writeFile(
    path.join(shim, 'package.json'),
    JSON.stringify({
      name: 'standin',
      version: '0.0.0-checkout',
      type: 'module',
      bin: { standin: 'cli.js' },
    }),
  );
  await writeFile(
    path.join(shim, 'cli.js'),
    `#!/usr/bin/env node\nimport ${JSON.stringify(pathToFileURL(BUILT_CLI).href)};\n`,
  );
  await chmod(path.join(shim, 'cli.js'), 0o755);
  await writeFile(
    path.join(project, 'package.json'),
    JSON.stringify(
      {
        name: 'ci-recipe-project',
        private: true,
        scripts: {
          'test:integration':
            'curl -s -o /dev/null -w "rotation: %{http_code}\\n" -X POST -H "X-API-Key: $RECIPE_API_KEY" http://127.0.0.1:$RECIPE_PORT/projectdiscovery/v1/user/apikey/rotate',
        },
        devDependencies: { standin: 'file:vendor/standin' },
      },
      null,
      2,
    ),
  );
  const install = await finished(
    startChild('npm', ['install', '--offline'], { cwd: project, env: userNpmEnvironment() }),
    { timeoutMs: RECIPE_LIMIT_MS },
  );
  assert.equal(install.code, 0, `npm install in the recipe's project:\n${install.stderr}`);
});

interface RecipeRun extends CliOutcome {
  port: number;
  seconds: number;
  coverage: string | undefined;
}

/** Runs `script` with bash in the project, on a free port, with this environment on top. */
async function runRecipe(
  script: string,
  { shellFlags = [], env = {} }: { shellFlags?: string[]; env?: NodeJS.ProcessEnv } = {},
): Promise<RecipeRun> {
  const port = await freePort();
  await rm(path.join(project, 'coverage.md'), { force: true });
  const file = path.join(scratch, `recipe-${port}.sh`);
  await writeFile(file, script.replaceAll('4010', String(port)));
  const started = Date.now();
  const outcome = await finished(
    startChild('bash', [...shellFlags, file], {
      cwd: project,
      env: userNpmEnvironment({
        npm_config_offline: 'true',
        RECIPE_PORT: String(port),
        RECIPE_API_KEY: FIXTURE.projectdiscovery.alice,
        ...env,
      }),
    }),
    { timeoutMs: RECIPE_LIMIT_MS },
  );
  const coverage = await readFile(path.join(project, 'coverage.md'), 'utf8').catch(() => undefined);
  return { ...outcome, port, seconds: (Date.now() - started) / 1000, coverage };
}

function assertCleanRun(run: RecipeRun): void {
  const printed = `${run.stdout}\n${run.stderr}`;
  assert.equal(run.code, 0, `the recipe exits 0; it printed:\n${printed}`);
  assert.match(
    run.stdout,
    new RegExp(`standin wait: http://127\\.0\\.0\\.1:${run.port}/__health answered 200`),
  );
  assert.match(run.stdout, /rotation: 200/, 'the suite ran against standin');
  assert.match(run.stderr, /standin: no contract violations\./);
  assert.match(run.stdout, /"msg":"standin stopped"/, 'standin stopped through its own stop');
  assert.ok(run.coverage, 'coverage.md is written');
  assert.match(
    run.coverage,
    /\| projectdiscovery \| `post-v1-user-apikey-rotate` \| `POST [^`]+` \| 200 \| 1 \|/,
  );
}

test("the README's recipe: standin starts, the suite runs, standin stops with its report, exit 0", async () => {
  assertCleanRun(await runRecipe(await readmeRecipe()));
});

test('docs/github-actions.yml: its run steps (npm ci, then the recipe) pass as GitHub runs them', async () => {
  // `shell: bash` is `bash --noprofile --norc -eo pipefail {0}` on GitHub's runners.
  const run = await runRecipe(await actionsSteps(), {
    shellFlags: ['--noprofile', '--norc', '-eo', 'pipefail'],
  });
  assertCleanRun(run);
});

test("the recipe's exit code is standin's when the suite broke the contract: 3, with the report", async () => {
  // The suite passes (curl does not fail on a 401), but its request had no credential.
  const run = await runRecipe(await readmeRecipe(), { env: { RECIPE_API_KEY: '' } });
  assert.equal(run.code, 3, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /rotation: 401/);
  assert.match(run.stderr, /post-v1-user-apikey-rotate/);
  assert.match(run.stderr, /X-API-Key/);
});

test("with a broken spec the recipe ends in seconds with standin's exit code 2, not at the timeout", async () => {
  for (const [what, script, shellFlags] of [
    ['README', await readmeRecipe(), []],
    ['GitHub Actions', await actionsSteps(), ['--noprofile', '--norc', '-eo', 'pipefail']],
  ] as const) {
    const run = await runRecipe(script, {
      shellFlags: [...shellFlags],
      env: { STANDIN_SPECS: BROKEN_SPEC },
    });
    const printed = `${run.stdout}\n${run.stderr}`;
    assert.equal(run.code, 2, `${what}: standin's own exit code; it printed:\n${printed}`);
    assert.match(run.stderr, /missing-description\.yaml/, `${what}: the spec's error is shown`);
    assert.match(run.stderr, /standin wait: process \d+ has ended/, what);
    assert.doesNotMatch(run.stdout, /rotation:/, `${what}: the suite did not run`);
    assert.ok(
      run.seconds < RECIPE_WAIT_SECONDS / 3,
      `${what}: ended in ${run.seconds} s, well before the wait's ${RECIPE_WAIT_SECONDS} s`,
    );
  }
});

test('the recipe waits with the --timeout this test expects', async () => {
  for (const script of [await readmeRecipe(), await actionsSteps()]) {
    assert.match(script, new RegExp(`standin wait \\S+ --timeout ${RECIPE_WAIT_SECONDS} --pid`));
    // `$!` must be node's own process: an npm in between would take the signal, not standin.
    assert.doesNotMatch(script, /npx standin/);
    assert.match(script, /^\.\/node_modules\/\.bin\/standin serve .*&$/m);
  }
});
