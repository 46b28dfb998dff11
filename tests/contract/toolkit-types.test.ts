import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import ts from 'typescript';
import { ROOT } from '../support/cli.js';
import { strictProgram } from '../support/typecheck.js';

/**
 * The handler toolkit is public: a module for a user's own spec compiles, with `strict` on,
 * against the published types only (the built `dist/index.d.ts`, reached as the package `standin`
 * from a project of its own), and a type error in it is reported. Run `npm run build` first.
 */
const PUBLISHED_TYPES = path.join(ROOT, 'dist', 'index.d.ts');

const MODULE = `import {
  indexPer,
  newSecret,
  refuse,
  sameSecret,
  SecretIndex,
  type Authentication,
  type Credential,
  type HandlerContext,
  type HandlerRequest,
  type HandlerResult,
  type ListedCredential,
  type Principal,
  type StateAccess,
  type StateDefinition,
  type VendorAction,
  type VendorModule,
} from 'standin';

interface Key {
  id: string;
  secret: string;
}
interface ShopState {
  keys: Key[];
}

const definition: StateDefinition<ShopState> = {
  schema: { type: 'object', required: ['keys'] },
  initial: () => ({ keys: [{ id: 'alice', secret: newSecret.prefixed('shop_', 16) }] }),
};

const keyIndex = indexPer((state: ShopState) => state.keys.map((key) => [key.secret, key] as const));
const adminKeys = new SecretIndex<string>([['root-secret', 'root']]);

function authenticate(credentials: readonly Credential[], state: ShopState): Authentication {
  const credential = credentials[0];
  const key = credential && keyIndex(state).find(credential.value);
  if (!credential || !key) return { ok: false, detail: 'Unauthorized' };
  const principal: Principal = { id: key.id, credential };
  return { ok: true, principal };
}

async function rotate({ principal, state, now }: HandlerContext<ShopState>): Promise<HandlerResult> {
  const access: StateAccess<ShopState> = state;
  return access.update((current) => {
    const mine = current.keys.find((key) => key.id === principal?.id);
    if (!mine || !principal || !sameSecret(principal.credential.value, mine.secret))
      throw refuse(401, 'Unauthorized');
    const secret = newSecret.uuid();
    const keys = current.keys.map((key) => (key === mine ? { ...key, secret } : key));
    return { value: { keys }, result: { status: 200, body: { secret, at: now.toISOString() } } };
  });
}

const describe = (request: HandlerRequest): HandlerResult => ({
  status: 200,
  body: { operation: request.operationId, path: request.path, admin: adminKeys.find('x') ?? null },
});

const addKey: VendorAction<ShopState> = {
  description: 'Adds a key',
  body: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
  run: ({ request, state }) =>
    state.update((current) => {
      const { id } = request.body as { id: string };
      const key = { id, secret: newSecret.hex(16) };
      return { value: { keys: [...current.keys, key] }, result: { status: 201, body: key } };
    }),
};

const shop: VendorModule<ShopState> = {
  state: definition,
  authenticate,
  credentials: (state): ListedCredential[] =>
    state.keys.map((key) => ({
      principal: key.id,
      header: 'X-Shop-Key',
      value: key.secret,
      expiresAt: null,
    })),
  handlers: { rotateKey: rotate, describe: ({ request }) => describe(request) },
  actions: { 'add-key': addKey },
};

export default shop;
`;

/** One line that breaks the toolkit's types: a status must be a number. */
const BROKEN = `${MODULE}
export const broken: VendorModule<ShopState> = {
  handlers: { rotateKey: () => ({ status: '200' }) },
};
`;

let project: string;

before(async () => {
  assert.ok(existsSync(PUBLISHED_TYPES), `${PUBLISHED_TYPES} is missing: run npm run build`);
  project = await mkdtemp(path.join(tmpdir(), 'standin-toolkit-'));
  await writeFile(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'my-fake', type: 'module', private: true }),
  );
  // The package as an installed dependency would be: its package.json, its dist/.
  await mkdir(path.join(project, 'node_modules'));
  await symlink(ROOT, path.join(project, 'node_modules', 'standin'), 'dir');
});
after(() => rm(project, { recursive: true, force: true }));

async function diagnosticsOf(source: string): Promise<readonly ts.Diagnostic[]> {
  const file = path.join(project, 'shop.ts');
  await writeFile(file, source);
  const program = strictProgram([file]);
  // Which file the import resolved to: the published declarations, not the sources.
  assert.ok(
    program.getSourceFiles().some((sourceFile) => sourceFile.fileName === PUBLISHED_TYPES),
    'the module is checked against dist/index.d.ts',
  );
  assert.ok(
    !program
      .getSourceFiles()
      .some((sourceFile) => sourceFile.fileName.startsWith(path.join(ROOT, 'src') + path.sep)),
    'no source file of standin is read',
  );
  return ts.getPreEmitDiagnostics(program);
}

const format = (diagnostics: readonly ts.Diagnostic[]): string =>
  ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (name) => name,
    getCurrentDirectory: () => project,
    getNewLine: () => '\n',
  });

test('a vendor module written against the published toolkit compiles with strict on', async () => {
  const diagnostics = await diagnosticsOf(MODULE);
  assert.deepEqual(diagnostics.length, 0, format(diagnostics));
});

test('a type error in such a module is reported, where it is', async () => {
  const diagnostics = await diagnosticsOf(BROKEN);
  assert.equal(diagnostics.length, 1, format(diagnostics));
  const [diagnostic] = diagnostics;
  assert.ok(diagnostic?.file && diagnostic.start !== undefined);
  const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  assert.match(diagnostic.file.text.split('\n')[line] ?? '', /status: '200'/);
  assert.match(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'), /number/);
});

test("the README's example module compiles against the published toolkit", async () => {
  const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
  const example = /^### Writing a vendor module\n[\s\S]*?```ts\n([\s\S]*?)^```$/m.exec(readme)?.[1];
  assert.ok(example, 'the README has the example');
  const diagnostics = await diagnosticsOf(example);
  assert.equal(diagnostics.length, 0, format(diagnostics));
});
