import type { ChildProcess } from 'node:child_process';
import { startTogether, stopChild } from './children.js';
import { listeningUrl, startCli } from './cli.js';

/** A standin process (the CLI, JSON logs) on a shared Redis, as one replica of many. */
export interface Replica {
  child: ChildProcess;
  url: string;
}

/** Starts one replica; one that does not come up is killed, and the error says what it printed. */
export async function startReplica(redisUrl: string): Promise<Replica> {
  const child = startCli(['--port', '0', '--log', 'json', '--store', redisUrl]);
  return { child, url: await listeningUrl(child) };
}

/**
 * Starts `count` replicas at once. When one does not come up, the others are stopped before the
 * error is thrown, so that a failed `before` leaves none running.
 */
export function startReplicas(redisUrl: string, count: number): Promise<Replica[]> {
  return startTogether(
    Array.from({ length: count }, () => () => startReplica(redisUrl)),
    (replica) => stopReplica(replica),
  );
}

/**
 * Stops it as a container runtime would (SIGTERM, then SIGKILL if it is still there after 10 s)
 * and waits until it is gone.
 */
export async function stopReplica(
  replica: Replica,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  await stopChild(replica.child, { signal });
}
