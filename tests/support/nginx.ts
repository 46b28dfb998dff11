import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isRunning, killChild, printedBy, startChild, stopChild } from './children.js';
import { ROOT } from './cli.js';
import { freePort } from './free-port.js';
import { installedCommand, skipUnlessInstalled } from './installed.js';

const NGINX_COMMAND = installedCommand('nginx', '-v');

/** The reason to skip, or false when nginx is there (see support/installed.ts). */
export function skipWithoutNginx(): string | false {
  return skipUnlessInstalled(NGINX_COMMAND, 'nginx');
}

export interface NginxProxy {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** What nginx wrote to its error log so far (why it answered 502, for one). */
  errorLog(): string;
  stop(): Promise<void>;
}

/**
 * Rewrites the compose file's proxy configuration for a run on this machine. Only addresses and
 * file places change: each replica's host name becomes a loopback port, nginx listens on a loopback
 * port, and its temporary files go to `directory`. Every rule (upstreams, retries, headers) stays
 * as deployed; a change of the file's shape that this cannot follow throws instead of testing
 * something else.
 */
export function configForLoopback(
  deployed: string,
  replicaPorts: Readonly<Record<string, number>>,
  listenPort: number,
  directory: string,
): string {
  const replace = (text: string, from: string, to: string): string => {
    if (!text.includes(from)) throw new Error(`deploy/nginx.conf has no "${from}" any more`);
    return text.replace(from, to);
  };
  let config = replace(deployed, 'listen 8080;', `listen 127.0.0.1:${listenPort};`);
  for (const [host, port] of Object.entries(replicaPorts)) {
    config = replace(config, `server ${host}:4010`, `server 127.0.0.1:${port}`);
  }
  // Debian's nginx keeps these under /var/lib/nginx, writable only by root.
  const temporary = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((kind) => `  ${kind}_temp_path ${path.join(directory, kind)};`)
    .join('\n');
  return replace(config, 'http {', `http {\n${temporary}`);
}

/** nginx starts within milliseconds; this much is for a machine that is busy with much else. */
const START_WAIT_MS = 20_000;

/** Runs deploy/nginx.conf in front of replicas on loopback ports (host name → port). */
export async function startNginx(
  replicaPorts: Readonly<Record<string, number>>,
): Promise<NginxProxy> {
  if (NGINX_COMMAND === undefined) throw new Error('nginx is not installed');
  const directory = await mkdtemp(path.join(tmpdir(), 'standin-nginx-'));
  // Run as root, nginx's workers are `nobody` and must reach the temporary directories.
  await chmod(directory, 0o755);
  const port = await freePort();
  const deployed = await readFile(path.join(ROOT, 'deploy', 'nginx.conf'), 'utf8');
  const configFile = path.join(directory, 'nginx.conf');
  await writeFile(configFile, configForLoopback(deployed, replicaPorts, port, directory));

  const child = startChild(NGINX_COMMAND, [
    ...['-p', directory, '-c', configFile, '-e', 'stderr'],
    ...['-g', `daemon off; pid ${path.join(directory, 'nginx.pid')};`],
  ]);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    // SIGTERM: nginx's fast shutdown, which also ends its worker.
    await stopChild(child);
    await rm(directory, { recursive: true, force: true });
  };

  const deadline = performance.now() + START_WAIT_MS;
  while (performance.now() < deadline && isRunning(child)) {
    if ((await healthStatus(url)) === 200) return { url, stop, errorLog: () => stderr };
    await sleep(100);
  }
  const why = isRunning(child) ? `did not start within ${START_WAIT_MS / 1000} s` : 'ended';
  await killChild(child);
  await rm(directory, { recursive: true, force: true });
  throw new Error(`nginx ${why}; it printed:\n${printedBy(child)}`);
}

/** The status of GET /nginx-health, or 0 when there is no answer (yet). */
async function healthStatus(url: string): Promise<number> {
  try {
    // A probe that hangs must not hold the wait past its deadline.
    const answer = await fetch(`${url}/nginx-health`, { signal: AbortSignal.timeout(2000) });
    await answer.text();
    return answer.status;
  } catch {
    return 0;
  }
}
