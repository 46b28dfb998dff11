import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, resolveOptions, serveOptionsFrom } from '../../src/config.js';

test('limits and the admin token come from flags first, then the environment', () => {
  const env = {
    STANDIN_ADMIN_TOKEN: 'from-the-environment-0123',
    STANDIN_MAX_CONNECTIONS: '64',
    STANDIN_REQUEST_TIMEOUT: '5000',
  };
  assert.deepEqual(pick(serveOptionsFrom({}, env)), {
    adminToken: 'from-the-environment-0123',
    maxConnections: 64,
    requestTimeoutMs: 5000,
  });
  assert.deepEqual(
    pick(
      serveOptionsFrom(
        { adminToken: 'from-the-flag-0123456789', maxConnections: '8', requestTimeout: '100' },
        env,
      ),
    ),
    { adminToken: 'from-the-flag-0123456789', maxConnections: 8, requestTimeoutMs: 100 },
  );
});

test('an empty STANDIN_ADMIN_TOKEN (as Compose passes an unset one) means no admin token', () => {
  assert.equal(serveOptionsFrom({}, { STANDIN_ADMIN_TOKEN: '' }).adminToken, undefined);
});

test('a short admin token, or a limit that is not a whole number above 0, is a usage error', () => {
  assert.throws(() => resolveOptions({ adminToken: 'short' }), ConfigError);
  assert.throws(() => serveOptionsFrom({ maxConnections: 'many' }, {}), /whole number/);
  assert.throws(() => resolveOptions({ maxConnections: 0 }), /above 0/);
  assert.throws(() => resolveOptions({ requestTimeoutMs: 1.5 }), /above 0/);
  assert.equal(resolveOptions({}).maxConnections, 1024);
});

function pick(options: ReturnType<typeof serveOptionsFrom>) {
  const { adminToken, maxConnections, requestTimeoutMs } = options;
  return { adminToken, maxConnections, requestTimeoutMs };
}
