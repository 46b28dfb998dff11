import path from 'node:path';
import { propertyName } from './module-file.js';
import type { SpecOperation } from './operations.js';

/** Where the test finds the spec, from the module's folder, written the way an import is. */
function relativeSpecPath(moduleDir: string, specFile: string): string {
  return path.relative(moduleDir, specFile).split(path.sep).join('/');
}

/**
 * `<spec name>.test.ts`: starts standin on the spec with this module (node:test, `createServer`)
 * and checks what holds as generated: the state starts as `initial` says, and a GET that needs no
 * input answers a success from its stub. It is where the user's own tests of their handlers go.
 */
export function testFileFor(
  specName: string,
  specFile: string,
  moduleDir: string,
  operations: readonly SpecOperation[],
): string {
  const bareGet = operations.find((operation) => operation.bareGet);
  const callTest =
    bareGet === undefined
      ? ''
      : `
test('${bareGet.method} ${bareGet.path} answers (from the spec until ${bareGet.operationId} is written)', async () => {
  const response = await fetch(\`\${baseUrl}${bareGet.path}\`);
  assert.equal(response.ok, true, \`\${response.status} \${await response.text()}\`);
});
`;
  return `import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, afterEach, test } from 'node:test';
import { createServer } from 'standin';
import vendorModule from './index.js';

// Run: node --import tsx --test ${path.basename(moduleDir)}/${specName}.test.ts
const spec = fileURLToPath(new URL('${relativeSpecPath(moduleDir, specFile)}', import.meta.url));
const standin = await createServer({
  port: 0,
  log: 'silent',
  specs: [spec],
  vendors: { ${propertyName(specName)}: vendorModule },
});
const [vendor] = standin.vendors;
assert.ok(vendor, 'the spec is served');
const baseUrl = vendor.baseUrl;
afterEach(() => standin.admin.reset()); // each test starts from the initial state
after(() => standin.close());

test('the state starts as the module says', async () => {
  assert.deepEqual(
    await standin.admin.state.get('${specName}'),
    vendorModule.state.initial(new Date()),
  );
});
${callTest}`;
}
