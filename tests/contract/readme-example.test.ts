import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import ts from 'typescript';
import { startChild } from '../support/children.js';
import { finished, ROOT } from '../support/cli.js';

/**
 * The README's "From a test suite" example is the first code a user copies, so it is run here as
 * written: extracted from README.md, its `'standin'` import pointed at this checkout's sources,
 * type-checked with the project's strict options, then run with node's test runner. An API change
 * that breaks it fails this file instead of the reader.
 */

const SOURCE_ENTRY = path.join(ROOT, 'src', 'index.ts');
/** A fresh tsx compile of every source file on a loaded machine takes a while. */
const RUN_TIMEOUT_MS = 120_000;

let workDir = '';
let exampleFile = '';

before(async () => {
  const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
  const example = /^## From a test suite\n\n```ts\n([\s\S]*?)^```$/m.exec(readme)?.[1];
  assert.ok(example, 'the "From a test suite" section of README.md opens with a ts code block');
  assert.match(example, /from 'standin';/, 'it imports the package as a user does');
  workDir = await mkdtemp(path.join(os.tmpdir(), 'standin-readme-example-'));
  // .mts: ESM whatever package.json (if any) sits above the temporary directory.
  exampleFile = path.join(workDir, 'from-a-test-suite.test.mts');
  await writeFile(exampleFile, example.replaceAll("from 'standin'", `from '${SOURCE_ENTRY}'`));
});

after(async () => {
  if (workDir !== '') await rm(workDir, { recursive: true, force: true });
});

test('the README example type-checks against the sources, with the project strict options', () => {
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(ROOT, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  assert.ok(config, 'tsconfig.json can be read');
  const program = ts.createProgram([exampleFile], {
    ...config.options,
    // The example lives outside src/ and imports a .ts file; nothing is written.
    rootDir: undefined,
    noEmit: true,
    declaration: false,
    allowImportingTsExtensions: true,
  });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  assert.equal(
    diagnostics.length,
    0,
    ts.formatDiagnostics(diagnostics, {
      getCanonicalFileName: (fileName) => fileName,
      getCurrentDirectory: () => ROOT,
      getNewLine: () => '\n',
    }),
  );
});

test('the README example runs, and its one test passes: rotation, overlap, clock moved, refusal', async () => {
  // Without NODE_TEST_CONTEXT: with it, the child takes itself for a part of this run and skips.
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const child = startChild(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=tap', exampleFile],
    { cwd: ROOT, env },
  );
  const outcome = await finished(child, { timeoutMs: RUN_TIMEOUT_MS });
  const printed = `${outcome.stdout}\n${outcome.stderr}`;
  assert.equal(outcome.code, 0, printed);
  assert.match(outcome.stdout, /^# pass 1$/m, printed);
  assert.match(outcome.stdout, /^# fail 0$/m, printed);
});
