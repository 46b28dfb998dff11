import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import { controlPlaneAccessOf } from '../../src/server.js';
import { httpRequest, rawRequest } from '../support/raw-http.js';
import { call, FIXTURE, startStandin } from '../support/standin.js';

/** Server limits: a slow or greedy client cannot hold standin; the control plane is guarded. */

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
  });
}

/** Whether the server closed the socket within `ms`, and what it said before it did. */
function closedWithin(socket: Socket, ms: number): Promise<{ closed: boolean; said: string }> {
  let said = '';
  socket.on('data', (chunk: Buffer) => (said += chunk.toString('latin1')));
  return new Promise((resolve) => {
    if (socket.destroyed) {
      resolve({ closed: true, said });
      return;
    }
    const timer = setTimeout(() => resolve({ closed: false, said }), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ closed: true, said });
    });
  });
}

const SLOW_CLIENTS = [
  {
    stalls: 'its headers',
    after: 'the headers timeout',
    sends:
      'POST /projectdiscovery/v1/user/apikey/rotate HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: ',
  },
  {
    stalls: 'its body',
    after: 'the request timeout',
    sends: `POST /wiremock-cloud/v1/users/9gd5l/regenerate-api-token HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Token ${FIXTURE.wiremock.alice}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":`,
  },
];

for (const { stalls, after, sends } of SLOW_CLIENTS) {
  test(`a client that never finishes ${stalls} is answered 408 and cut off after ${after}`, async () => {
    const standin = await startStandin({ headersTimeoutMs: 500, requestTimeoutMs: 1000 });
    try {
      const socket = await open(standin.port);
      socket.on('error', () => undefined);
      socket.write(sends);
      const { closed, said } = await closedWithin(socket, 4000);
      assert.equal(closed, true, 'the slow client is gone within 4 s');
      assert.match(said, /^HTTP\/1\.1 408 /);
    } finally {
      await standin.close();
    }
  });
}

test('connections past --max-connections are refused while every one held is busy; the ones held keep working', async () => {
  const standin = await startStandin({ maxConnections: 3 });
  try {
    // Busy, not idle: an idle socket gives its slot up to a newcomer (connection-fairness.test.ts).
    // Each request goes on a socket of its own, closed after the answer, so none lingers idle.
    const fault = JSON.stringify({
      vendor: 'thousandeyes',
      operationId: 'getCurrentUser',
      delayMs: 1500,
      times: 3,
    });
    const faultAdded = await rawRequest(
      standin.port,
      httpRequest('POST', '/__admin/faults', { 'Content-Type': 'application/json' }, fault),
    );
    assert.equal(faultAdded.status, 201, faultAdded.text);
    const held = Array.from({ length: 3 }, () =>
      rawRequest(
        standin.port,
        httpRequest('GET', '/thousandeyes/v7/users/current', {
          Authorization: `Bearer ${FIXTURE.thousandeyes.alice}`,
        }),
      ),
    );
    // Long enough for the three requests to arrive; far shorter than the delay that holds them.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const extra = await open(standin.port);
    extra.on('error', () => undefined);
    const extraFate = await closedWithin(extra, 2000);
    extra.destroy();
    assert.equal(extraFate.closed, true, 'the fourth connection is closed at once');
    assert.equal(extraFate.said, '', 'without an answer');
    for (const answer of await Promise.all(held)) {
      assert.equal(answer.status, 200, `the ones held keep working: ${answer.text.slice(0, 200)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(
      (await call(`${standin.url}/`)).status,
      200,
      'once they are gone, new clients are served',
    );
  } finally {
    await standin.close();
  }
});

test('with --admin-token, the control plane wants that bearer token; the vendors do not', async () => {
  const token = 'an-admin-token-of-some-length';
  const standin = await startStandin({ adminToken: token });
  try {
    const refused = await call(`${standin.url}/__admin/credentials`);
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('content-type'), 'application/problem+json');
    assert.equal(
      (
        await call(`${standin.url}/__admin/credentials`, {
          headers: { authorization: 'Bearer wrong-token-of-some-length' },
        })
      ).status,
      401,
    );
    assert.equal(
      (
        await call(`${standin.url}/__admin/credentials`, {
          headers: { authorization: `Bearer ${token}` },
        })
      ).status,
      200,
    );
    const vendor = await call(`${standin.url}/projectdiscovery/v1/user`, {
      headers: { 'x-api-key': FIXTURE.projectdiscovery.alice },
    });
    assert.equal(vendor.status, 200);
  } finally {
    await standin.close();
  }
  await assert.rejects(startStandin({ adminToken: 'short' }), /at least 16 characters/);
});

test('on an address others can reach, without an admin token, the control plane is off and says why', () => {
  assert.deepEqual(controlPlaneAccessOf('127.0.0.1', undefined), { kind: 'open' });
  assert.deepEqual(controlPlaneAccessOf('::1', undefined), { kind: 'open' });
  assert.deepEqual(controlPlaneAccessOf('localhost', undefined), { kind: 'open' });
  const off = controlPlaneAccessOf('0.0.0.0', undefined);
  assert.equal(off.kind, 'off');
  assert.match(
    off.kind === 'off' ? off.reason : '',
    /control plane \(\/__admin\) is off: standin listens on 0\.0\.0\.0/,
  );
  assert.deepEqual(controlPlaneAccessOf('0.0.0.0', 'a-long-enough-token'), {
    kind: 'token',
    token: 'a-long-enough-token',
  });
});
