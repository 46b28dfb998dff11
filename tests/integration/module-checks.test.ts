import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { DEFAULT_SPECS_DIR } from '../../src/index.js';
import { startStandin } from '../support/standin.js';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'specs');

test('a module with authenticate and no state stops the start, naming the vendor', async () => {
  await assert.rejects(
    startStandin({
      specs: [DEFAULT_SPECS_DIR, path.join(FIXTURES, 'legacy.yaml')],
      // Without a state, authenticate was never called: every well-formed credential passed.
      vendors: { legacy: { authenticate: () => ({ ok: false, detail: 'never valid' }) } },
    }),
    (error: Error) => {
      assert.equal(error.name, 'SpecError');
      assert.match(error.message, /the module of legacy has authenticate but no state/);
      return true;
    },
  );
});
