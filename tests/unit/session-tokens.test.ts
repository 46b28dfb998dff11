import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createSessionToken,
  verifySessionToken,
} from '../../src/handlers/pocketpaw/session-tokens.js';

// Computed with Python's hmac, as PocketPaw's security/session_tokens.py signs:
// hmac.new(b'pk_test', b'1795601376', hashlib.sha256).hexdigest()
const PYTHON_SIGNATURE = 'b3b824a5e9dda4149c05bf382d7dc2e35fd3f65ce08549d46a965932372a3523';

test("a session token is PocketPaw's {expires_unix}:{hex hmac}, byte for byte", () => {
  assert.equal(
    createSessionToken('pk_test', new Date(1795601376 * 1000)),
    `1795601376:${PYTHON_SIGNATURE}`,
  );
});

test('it verifies until it expires, and only with the master token that signed it', () => {
  const token = `1795601376:${PYTHON_SIGNATURE}`;
  assert.equal(verifySessionToken(token, 'pk_test', new Date(1795601376 * 1000)), true);
  assert.equal(verifySessionToken(token, 'pk_test', new Date(1795601377 * 1000)), false, 'expired');
  assert.equal(verifySessionToken(token, 'pk_other', new Date(0)), false, 'another master');
  assert.equal(
    verifySessionToken(`1795601377:${PYTHON_SIGNATURE}`, 'pk_test', new Date(0)),
    false,
    'a forged expiry',
  );
  assert.equal(verifySessionToken('garbage', 'pk_test', new Date(0)), false);
});
