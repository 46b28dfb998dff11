import assert from 'node:assert/strict';
import { test } from 'node:test';
import { healthUrlOf, waitRequestFrom } from '../../src/wait.js';

test('standin wait: a URL without a path waits on /__health', () => {
  assert.equal(healthUrlOf('http://127.0.0.1:4010').href, 'http://127.0.0.1:4010/__health');
  assert.equal(healthUrlOf('http://127.0.0.1:4010/').href, 'http://127.0.0.1:4010/__health');
});

test('standin wait: a URL with a path (or a query) is polled as given', () => {
  assert.equal(
    healthUrlOf('http://127.0.0.1:4010/thousandeyes/v7').href,
    'http://127.0.0.1:4010/thousandeyes/v7',
  );
  assert.equal(healthUrlOf('http://127.0.0.1:4010/?ready').href, 'http://127.0.0.1:4010/?ready');
});

test('standin wait: a URL without a scheme is http, as curl assumes', () => {
  assert.equal(healthUrlOf('localhost:4010').href, 'http://localhost:4010/__health');
});

test('standin wait: the timeout is 30 s unless given, in seconds', () => {
  assert.equal(waitRequestFrom('127.0.0.1:4010', {}).timeoutMs, 30_000);
  assert.equal(waitRequestFrom('127.0.0.1:4010', { timeout: '2.5' }).timeoutMs, 2500);
  assert.equal(waitRequestFrom('127.0.0.1:4010', { pid: '42' }).pid, 42);
});
