import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { isRunning, killChild, printedBy, startChild, stopChild } from './children.js';
import { freePort } from './free-port.js';
import { installedCommand, notInstalled, skipUnlessInstalled } from './installed.js';

/**
 * A real `redis-server` (Debian's package) for the tests that need one: started on a free
 * loopback port, without persistence, stopped at the end (and killed with the test process at the
 * latest, see support/children.ts).
 */
const REDIS_COMMAND = installedCommand('redis-server', '--version');

export const REDIS_INSTALLED = REDIS_COMMAND !== undefined;

export const REDIS_MISSING = notInstalled('redis-server');

/** The reason to skip, or false when redis-server is there (see support/installed.ts). */
export function skipWithoutRedis(): string | false {
  return skipUnlessInstalled(REDIS_COMMAND, 'redis-server');
}

export interface RedisServer {
  port: number;
  /** `redis://127.0.0.1:PORT/0` */
  url: string;
  /** Stops the server (SIGTERM) and waits until it is gone; its data goes with it. */
  stop(): Promise<void>;
  /** Starts it again on the same port: empty, or with what its data directory kept. */
  start(): Promise<void>;
}

export interface RedisOptions {
  /**
   * Keep the data in an fsync'd append-only file in this directory, so that a stop and a start
   * keep it (a test of what survives Redis going away). Without it, nothing is kept.
   */
  dataDirectory?: string;
}

export async function startRedis(options: RedisOptions = {}): Promise<RedisServer> {
  const port = await freePort();
  const persistence =
    options.dataDirectory === undefined
      ? ['--save', '', '--appendonly', 'no']
      : [
          '--dir',
          options.dataDirectory,
          '--appendonly',
          'yes',
          '--appendfsync',
          'always',
          '--save',
          '',
        ];
  let child: ChildProcess | undefined;
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    async start() {
      if (REDIS_COMMAND === undefined) throw new Error(REDIS_MISSING);
      const started = startChild(REDIS_COMMAND, [
        ...['--port', String(port), '--bind', '127.0.0.1'],
        ...persistence,
      ]);
      child = started;
      const failure = await untilAnswers(port, started);
      if (failure !== undefined) {
        child = undefined;
        await killChild(started);
        throw new Error(`${failure}; it printed:\n${printedBy(started)}`);
      }
    },
    async stop() {
      const running = child;
      child = undefined;
      if (running) await stopChild(running);
    },
  };
  await server.start();
  return server;
}

/** Redis answers within milliseconds; this much is for a machine that is busy with much else. */
const START_WAIT_MS = 20_000;

/** Waits until the server answers PING with PONG; says why not when it ended or took too long. */
async function untilAnswers(port: number, child: ChildProcess): Promise<string | undefined> {
  const deadline = performance.now() + START_WAIT_MS;
  while (performance.now() < deadline) {
    if (!isRunning(child)) return `redis-server on port ${port} ended before answering`;
    if (await pongs(port)) return undefined;
    await sleep(100);
  }
  return `redis-server on port ${port} did not answer within ${START_WAIT_MS / 1000} s`;
}

function pongs(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    socket.setTimeout(500, () => socket.destroy());
    socket.once('data', (data) => {
      resolve(data.toString().startsWith('+PONG'));
      socket.destroy();
    });
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
  });
}
