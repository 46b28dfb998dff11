import type { ChildProcess } from 'node:child_process';
import { listeningUrl, startCli } from './cli.js';

/** A standin process (the CLI, JSON logs) on a shared Redis, as one replica of many. */
export interface Replica {
  child: ChildProcess;
  url: string;
}

export async function startReplica(redisUrl: string): Promise<Replica> {
  const child = startCli(['--port', '0', '--log', 'json', '--store', redisUrl]);
  return { child, url: await listeningUrl(child) };
}

/** Stops it as a container runtime would (SIGTERM) and waits until it is gone. */
export async function stopReplica(
  replica: Replica,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  if (replica.child.exitCode !== null || replica.child.signalCode !== null) return;
  const gone = new Promise((resolve) => replica.child.once('close', resolve));
  replica.child.kill(signal);
  await gone;
}
