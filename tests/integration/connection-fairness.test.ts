import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import { call, FIXTURE, startStandin, type TestServer } from '../support/standin.js';

/**
 * Connection fairness: one client holding more idle sockets than --max-connections does not lock
 * the others out, and no request in flight is cut to make room for them.
 */

const MAX_CONNECTIONS = 50;
const GREEDY_SOCKETS = 60;
const FAIR_CLIENT_DEADLINE_MS = 2000;
const HELD_REQUEST_DELAY_MS = 1500;
const SOCKET_DEADLINE_MS = 5000;

/** Every socket a test opens, so that its `finally` destroys each one, whatever failed. */
type SocketRegistry = Socket[];

function openSocket(port: number, registry: SocketRegistry): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    registry.push(socket);
    // A socket the server closes (refused, or reaped as idle) is what this file is about, not an error.
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve(socket));
    socket.once('close', () => reject(new Error('closed before it connected')));
  });
}

/**
 * Writes one request and reads one answer: resolves with its status (0 when the server closed the
 * socket first) and text once the body is complete, without closing the socket, so a keep-alive
 * socket stays open and idle afterwards.
 */
function exchange(socket: Socket, request: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve) => {
    let received = '';
    const timer = setTimeout(finish, SOCKET_DEADLINE_MS);
    function finish(): void {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', finish);
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0), text: received });
    }
    function onData(chunk: Buffer): void {
      received += chunk.toString('latin1');
      const head = received.indexOf('\r\n\r\n');
      if (head < 0) return;
      const length = Number(/content-length: (\d+)/i.exec(received.slice(0, head))?.[1] ?? 0);
      if (received.length >= head + 4 + length) finish();
    }
    socket.on('data', onData);
    socket.once('close', finish);
    socket.write(request);
  });
}

const HEALTH_REQUEST = 'GET /__health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
const HELD_REQUEST = `GET /thousandeyes/v7/users/current HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${FIXTURE.thousandeyes.alice}\r\nConnection: close\r\n\r\n`;

/**
 * Holds the next call of getCurrentUser for HELD_REQUEST_DELAY_MS, so its socket stays busy. Sent
 * on a socket of its own, closed at once: a pooled `fetch` connection left open would let the fair
 * client below reuse it instead of asking for a new connection, which is what must be tested.
 */
async function delayNextCurrentUser(standin: TestServer, registry: SocketRegistry): Promise<void> {
  const fault = JSON.stringify({
    vendor: 'thousandeyes',
    operationId: 'getCurrentUser',
    delayMs: HELD_REQUEST_DELAY_MS,
    times: 1,
  });
  const socket = await openSocket(standin.port, registry);
  const answer = await exchange(
    socket,
    `POST /__admin/faults HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(fault)}\r\nConnection: close\r\n\r\n${fault}`,
  );
  socket.destroy();
  assert.equal(answer.status, 201, answer.text);
}

/** A normal client's request: its status, or the reason it got none, within the deadline. */
async function fairClientHealth(standin: TestServer): Promise<number | string> {
  try {
    const answer = await call(`${standin.url}/__health`, {
      signal: AbortSignal.timeout(FAIR_CLIENT_DEADLINE_MS),
    });
    return answer.status;
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : '';
    return `no answer: ${error instanceof Error ? error.message : String(error)} ${cause}`;
  }
}

const GREEDY_CLIENTS: Array<{
  holds: string;
  open: (port: number, registry: SocketRegistry) => Promise<void>;
}> = [
  {
    holds: 'sockets that never send a byte',
    open: async (port, registry) => {
      await openSocket(port, registry);
    },
  },
  {
    holds: 'keep-alive sockets left idle after one complete request',
    open: async (port, registry) => {
      // Without the guard, sockets past the limit are closed unanswered: that is status 0, not a throw.
      await exchange(await openSocket(port, registry), HEALTH_REQUEST);
    },
  },
];

for (const greedy of GREEDY_CLIENTS) {
  test(`a client holding ${GREEDY_SOCKETS} ${greedy.holds} (limit ${MAX_CONNECTIONS}) does not lock others out, nor cut a request in flight`, async () => {
    const standin = await startStandin({ maxConnections: MAX_CONNECTIONS });
    const sockets: SocketRegistry = [];
    try {
      await delayNextCurrentUser(standin, sockets);
      const heldSocket = await openSocket(standin.port, sockets);
      let heldSettled = false;
      const heldAnswer = exchange(heldSocket, HELD_REQUEST).finally(() => (heldSettled = true));

      for (let index = 0; index < GREEDY_SOCKETS; index += 1) {
        await greedy.open(standin.port, sockets);
      }
      const heldInFlightDuringFlood = !heldSettled;
      const started = Date.now();
      const fairStatus = await fairClientHealth(standin);
      const waited = Date.now() - started;

      assert.equal(fairStatus, 200, "another client's request is answered");
      assert.ok(waited < FAIR_CLIENT_DEADLINE_MS, `answered within 2 s (took ${waited} ms)`);
      assert.ok(
        heldInFlightDuringFlood,
        'the held request was still in flight while the greedy client flooded (else this test proves nothing)',
      );
      const greedyStillOpen = sockets.filter((socket) => !socket.destroyed).length;
      assert.ok(
        greedyStillOpen <= MAX_CONNECTIONS,
        `the greedy client keeps no more than the limit (${greedyStillOpen} sockets still open)`,
      );

      const held = await heldAnswer;
      assert.equal(
        held.status,
        200,
        `the request in flight was not cut: ${held.text.slice(0, 200)}`,
      );
      assert.match(held.text, /"email"/, 'and its answer arrived whole');
    } finally {
      for (const socket of sockets) socket.destroy();
      await standin.close();
    }
  });
}
