import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, afterEach, test } from 'node:test';
import { createServer } from 'standin';
import vendorModule from './index.js';

// Run: node --import tsx --test petstore/petstore.test.ts
const spec = fileURLToPath(new URL('../petstore.yaml', import.meta.url));
const standin = await createServer({
  port: 0,
  log: 'silent',
  specs: [spec],
  vendors: { petstore: vendorModule },
});
const [vendor] = standin.vendors;
assert.ok(vendor, 'the spec is served');
const baseUrl = vendor.baseUrl;
afterEach(() => standin.admin.reset()); // each test starts from the initial state
after(() => standin.close());

test('the state starts as the module says', async () => {
  assert.deepEqual(
    await standin.admin.state.get('petstore'),
    vendorModule.state.initial(new Date()),
  );
});

test('GET /pets answers (from the spec until listPets is written)', async () => {
  const response = await fetch(`${baseUrl}/pets`);
  assert.equal(response.ok, true, `${response.status} ${await response.text()}`);
});
