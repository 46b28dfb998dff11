import assert from 'node:assert/strict';
import { copyFile, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import ts from 'typescript';
import { moduleFileFor, withNewStubs } from '../../src/init/module-file.js';
import { startChild } from '../support/children.js';
import { finished, ROOT, type CliOutcome } from '../support/cli.js';
import { installedProject } from '../support/installed-project.js';
import { strictProgram } from '../support/typecheck.js';

/**
 * `standin init`, run as a user does (dist/cli.js) in a project of their own where `standin` is
 * installed (node_modules/standin is this checkout, tsx beside it as npm hoists it): the module it
 * writes type-checks strict against the published types, its types refuse an undocumented answer,
 * its test passes as generated, a file that exists is never overwritten, and --update adds stubs.
 */
const PETSTORE = path.join(ROOT, 'examples', 'petstore', 'petstore.yaml');
const BUILT_CLI = path.join(ROOT, 'dist', 'cli.js');

let project: string;
let moduleDir: string;

before(async () => {
  project = await installedProject('init');
  await copyFile(PETSTORE, path.join(project, 'petstore.yaml'));
  moduleDir = path.join(project, 'petstore');
  const outcome = await init('petstore.yaml');
  assert.equal(outcome.code, 0, outcome.stderr);
});
after(() => rm(project, { recursive: true, force: true }));

/** `standin init ...` (dist/cli.js) with the project as the working directory. */
function init(...args: string[]): Promise<CliOutcome> {
  const child = startChild(process.execPath, [BUILT_CLI, 'init', ...args], {
    cwd: project,
    env: process.env,
  });
  return finished(child);
}

function typeCheck(files: readonly string[]): readonly ts.Diagnostic[] {
  const program = strictProgram(files);
  return ts.getPreEmitDiagnostics(program);
}

const formatted = (diagnostics: readonly ts.Diagnostic[]): string =>
  ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (name) => name,
    getCurrentDirectory: () => project,
    getNewLine: () => '\n',
  });

const messageOf = (diagnostic: ts.Diagnostic): string =>
  ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');

/** tsc found errors, and each is on the line the pattern names: the handler that broke the types. */
function assertAllOnLine(diagnostics: readonly ts.Diagnostic[], line: RegExp): void {
  assert.ok(diagnostics.length > 0, 'tsc reports an error');
  for (const diagnostic of diagnostics) {
    assert.ok(diagnostic.file && diagnostic.start !== undefined, formatted(diagnostics));
    const at = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line;
    assert.match(diagnostic.file.text.split('\n')[at] ?? '', line, formatted(diagnostics));
  }
}

const moduleFile = (): string => path.join(moduleDir, 'index.ts');

test('init writes types.ts, index.ts and a test beside the spec, in <spec name>/', async () => {
  const index = await readFile(moduleFile(), 'utf8');
  for (const operationId of ['listPets', 'createPet', 'showPetById', 'deletePet'])
    assert.match(index, new RegExp(`^  ${operationId}: \\(\\) => fromSpec\\(\\),$`, 'm'));
  const types = await readFile(path.join(moduleDir, 'types.ts'), 'utf8');
  assert.match(types, /export interface operations/);
  assert.match(types, /export type Handlers<State>/);
  await readFile(path.join(moduleDir, 'petstore.test.ts'), 'utf8');
});

test('the generated module and its test type-check with strict on', () => {
  const diagnostics = typeCheck([moduleFile(), path.join(moduleDir, 'petstore.test.ts')]);
  assert.equal(diagnostics.length, 0, formatted(diagnostics));
});

test('a handler answering a status the spec does not document fails to type-check', async () => {
  const index = await readFile(moduleFile(), 'utf8');
  const broken = path.join(moduleDir, 'broken.ts');
  // showPetById documents 200 and 404; 201 is not among them.
  await writeFile(
    broken,
    index.replace(
      'showPetById: () => fromSpec(),',
      "showPetById: () => ({ status: 201, body: { id: 'pet-1', name: 'Rex' } }),",
    ),
  );
  try {
    const diagnostics = typeCheck([broken]);
    assertAllOnLine(diagnostics, /status: 201/);
    assert.ok(
      diagnostics.some(
        (diagnostic) =>
          diagnostic.code === 2322 &&
          /Type '201' is not assignable to type '(200|404)'/.test(messageOf(diagnostic)),
      ),
      formatted(diagnostics),
    );
    // And a documented status with a body of the wrong shape, too.
    await writeFile(
      broken,
      index.replace(
        'showPetById: () => fromSpec(),',
        "showPetById: () => ({ status: 404, body: { message: 'gone' } }),",
      ),
    );
    const wrongBody = typeCheck([broken]);
    assertAllOnLine(wrongBody, /message: 'gone'/);
    assert.ok(
      wrongBody.some((diagnostic) => /'code' is missing/.test(messageOf(diagnostic))),
      formatted(wrongBody),
    );
  } finally {
    await rm(broken, { force: true });
  }
});

test('the generated test passes as generated', async () => {
  const child = startChild(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=tap', path.join('petstore', 'petstore.test.ts')],
    // Without NODE_TEST_CONTEXT: with it, the inner runner reports to this one, not on stdout.
    { cwd: project, env: { ...process.env, NODE_TEST_CONTEXT: undefined } },
  );
  const outcome = await finished(child, { timeoutMs: 120_000 });
  assert.equal(outcome.code, 0, outcome.stdout + outcome.stderr);
  assert.match(outcome.stdout, /^# pass 2$/m, outcome.stdout);
});

test('init never overwrites a file: it says which it kept', async () => {
  await writeFile(moduleFile(), '// mine\n');
  const before = await readFile(path.join(moduleDir, 'types.ts'), 'utf8');
  await writeFile(path.join(moduleDir, 'types.ts'), `${before}// mine too\n`);
  try {
    const outcome = await init('petstore.yaml');
    assert.equal(outcome.code, 0, outcome.stderr);
    for (const file of ['types.ts', 'index.ts', 'petstore.test.ts'])
      assert.match(outcome.stdout, new RegExp(`kept +petstore/${file.replace('.', '\\.')}`));
    assert.doesNotMatch(outcome.stdout, /wrote/);
    assert.equal(await readFile(moduleFile(), 'utf8'), '// mine\n');
    assert.match(await readFile(path.join(moduleDir, 'types.ts'), 'utf8'), /\/\/ mine too\n$/);
  } finally {
    await rm(moduleDir, { recursive: true, force: true });
    assert.equal((await init('petstore.yaml')).code, 0);
  }
});

test('init --update adds a stub for a new operation and keeps an edited handler', async () => {
  const edited = "showPetById: () => ({ status: 404, body: { code: 404, message: 'never' } }),";
  const original = await readFile(moduleFile(), 'utf8');
  await writeFile(moduleFile(), original.replace('showPetById: () => fromSpec(),', edited));
  const spec = await readFile(path.join(project, 'petstore.yaml'), 'utf8');
  const withUpdate = spec.replace(
    '    delete:\n      operationId: deletePet',
    [
      '    put:',
      '      operationId: updatePet',
      '      summary: Replace a pet',
      '      requestBody:',
      '        required: true',
      '        content:',
      '          application/json:',
      "            schema: { $ref: '#/components/schemas/NewPet' }",
      '      responses:',
      "        '200':",
      '          description: The pet',
      '          content:',
      '            application/json:',
      "              schema: { $ref: '#/components/schemas/Pet' }",
      '    delete:',
      '      operationId: deletePet',
    ].join('\n'),
  );
  assert.notEqual(withUpdate, spec, 'the spec got its new operation');
  await writeFile(path.join(project, 'petstore.yaml'), withUpdate);
  try {
    const outcome = await init('--update', 'petstore.yaml');
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.match(outcome.stdout, /updated +petstore\/index\.ts: stubs for updatePet$/m);
    const index = await readFile(moduleFile(), 'utf8');
    assert.ok(index.includes(edited), 'the edited handler is kept as it was');
    assert.match(
      index,
      /\/\*\* PUT \/pets\/\{petId\}: Replace a pet \*\/\n {2}updatePet: \(\) => fromSpec\(\),\n {2}\/\/ standin init --update/,
    );
    // Nothing else changed: the new stub is the only difference.
    assert.equal(
      index.replace(/ {2}\/\*\* PUT[^\n]*\n {2}updatePet[^\n]*\n/, ''),
      original.replace('showPetById: () => fromSpec(),', edited),
    );
    assert.match(await readFile(path.join(moduleDir, 'types.ts'), 'utf8'), /updatePet: \{/);
    const diagnostics = typeCheck([moduleFile()]);
    assert.equal(diagnostics.length, 0, formatted(diagnostics));
    // A second --update finds nothing to add.
    const again = await init('--update', 'petstore.yaml');
    assert.match(
      again.stdout,
      /kept +petstore\/index\.ts \(a handler for every operation already\)/,
    );
  } finally {
    await writeFile(path.join(project, 'petstore.yaml'), spec);
  }
});

test('--update counts only the handlers object: a state property named like an operation is no handler', () => {
  const operation = { operationId: 'pets', method: 'GET', path: '/pets', bareGet: true };
  const module = moduleFileFor('shop', []).replace(
    'Type.Object({})',
    'Type.Object({ pets: Type.Array(Type.String()) })',
  );
  const update = withNewStubs(module, [operation]);
  assert.ok(update.ok);
  assert.deepEqual(update.added, ['pets']);
  assert.match(update.text, /^ {2}pets: \(\) => fromSpec\(\),$/m);
  // Once there, it is not added twice.
  assert.deepEqual(withNewStubs(update.text, [operation]), {
    ok: true,
    text: update.text,
    added: [],
  });
});
