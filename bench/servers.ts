import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export { freePort } from '../tests/support/free-port.js';

export const ROOT = path.resolve(import.meta.dirname, '..');

/** A server under test, in its own process, so its memory is its own. */
export interface ServerProcess {
  name: string;
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts `node args` (its output discarded) and waits until GET `probe` answers. */
export async function startProcess(
  name: string,
  args: readonly string[],
  port: number,
  probe = '/',
): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const response = await fetch(url + probe);
      await response.arrayBuffer();
      break;
    } catch {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`${name} did not start`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  const ended = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return {
    name,
    url,
    pid: child.pid ?? 0,
    stop: async () => {
      child.kill('SIGTERM');
      await ended;
    },
  };
}

/** Resident memory of a process, from /proc (Linux), in MiB. */
export async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round((kib / 1024) * 10) / 10;
}

export const CONSTANT_BODY = JSON.stringify({
  message: 'API key rotated successfully',
  api_key: '3b9e2c4d-6f1a-4e8b-9c7d-5a2f1e0b8c41',
});

/** The practical limit for Node here: node:http answering a constant. */
export const BARE_NODE = `require('node:http').createServer((q, s) => { q.resume(); q.on('end', () => { s.setHeader('content-type', 'application/json'); s.end(${JSON.stringify(CONSTANT_BODY)}); }); }).listen(Number(process.argv[1]), '127.0.0.1')`;

/** The same constant through an express route: the framework's own cost. */
export const BARE_EXPRESS = `const express = require('express'); const app = express(); app.post('/projectdiscovery/v1/user/apikey/rotate', (q, s) => s.type('application/json').send(${JSON.stringify(CONSTANT_BODY)})); app.get('/', (q, s) => s.send('ok')); app.listen(Number(process.argv[1]), '127.0.0.1')`;
