import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { healthUrlOf, waitRequestFrom, waitUntilReady } from '../../src/wait.js';

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

test('standin wait: an attempt the deadline cuts short does not hide what the server last answered', async () => {
  // The first GET is answered 404; every later one is held until the wait gives up, as a loaded
  // server would. The reason must name the 404, not the last attempt's few milliseconds.
  const held: ServerResponse[] = [];
  let answered = 0;
  const server = createServer((_request, response) => {
    answered += 1;
    if (answered === 1) response.writeHead(404).end();
    else held.push(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const outcome = await waitUntilReady({
      url: new URL(`http://127.0.0.1:${port}/not-yet`),
      timeoutMs: 600,
    });
    assert.deepEqual(outcome, {
      ready: false,
      reason: `http://127.0.0.1:${port}/not-yet did not answer 2xx within 0.6 s (last: HTTP 404)`,
    });
    assert.ok(answered >= 2, 'a second attempt was made and held');
  } finally {
    for (const response of held) response.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
