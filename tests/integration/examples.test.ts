import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { strictProgram } from '../support/typecheck.js';
import { startChild } from '../support/children.js';
import { finished, ROOT } from '../support/cli.js';

/**
 * `examples/petstore/`: the module `standin init` generated with two handlers written, its test and
 * the generated one. They import `standin` as a user's project does (the package's own name,
 * which resolves to the built dist/), so they run in a process of their own, after the build.
 */
const EXAMPLE = path.join(ROOT, 'examples', 'petstore');
const TESTS = [
  path.join(EXAMPLE, 'petstore.test.ts'),
  path.join(EXAMPLE, 'petstore', 'petstore.test.ts'),
];

test("the petstore example's tests pass", async () => {
  const child = startChild(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=tap', ...TESTS],
    // Without NODE_TEST_CONTEXT: with it, the inner runner reports to this one, not on stdout.
    { cwd: ROOT, env: { ...process.env, NODE_TEST_CONTEXT: undefined } },
  );
  const outcome = await finished(child, { timeoutMs: 120_000 });
  assert.equal(outcome.code, 0, outcome.stdout + outcome.stderr);
  // 5 in the example's test, 2 in the generated one: none lost, none failed.
  assert.match(outcome.stdout, /^# pass 7$/m, outcome.stdout);
  assert.match(outcome.stdout, /^# fail 0$/m);
});

test('the example module type-checks, strict, against the published types', () => {
  const program = strictProgram([...TESTS, path.join(EXAMPLE, 'petstore', 'index.ts')]);
  const diagnostics = ts.getPreEmitDiagnostics(program);
  assert.equal(
    diagnostics.length,
    0,
    ts.formatDiagnostics(diagnostics, {
      getCanonicalFileName: (name) => name,
      getCurrentDirectory: () => ROOT,
      getNewLine: () => '\n',
    }),
  );
});
