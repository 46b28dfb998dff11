import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port.js';
import { installedCommand, notInstalled, skipUnlessInstalled } from './installed.js';

/**
 * A real `redis-server` (Debian's package) for the tests that need one: started on a free
 * loopback port, without persistence, stopped at the end.
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
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
}

export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    async start() {
      if (REDIS_COMMAND === undefined) throw new Error(REDIS_MISSING);
      child = spawn(
        REDIS_COMMAND,
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { stdio: 'ignore' },
      );
      await untilAnswers(port);
    },
    async stop() {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null) return;
      const gone = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGTERM');
      await gone;
    },
  };
  await server.start();
  return server;
}

/** Waits (at most 10 s) until the server answers PING with PONG. */
async function untilAnswers(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (await pongs(port)) return;
    await sleep(100);
  }
  throw new Error(`redis-server on port ${port} did not answer within 10 s`);
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
