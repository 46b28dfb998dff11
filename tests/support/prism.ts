import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './cli.js';
import { freePort } from './free-port.js';

const PRISM = path.join(ROOT, 'node_modules', '@stoplight', 'prism-cli', 'dist', 'index.js');

/** A Prism proxy in front of an upstream: an independent check of every answer against a spec. */
export interface PrismProxy {
  url: string;
  stop(): Promise<void>;
}

/**
 * `prism proxy SPEC UPSTREAM --errors`: Prism forwards each request and answers 500
 * (`https://stoplight.io/prism/errors#VIOLATIONS`, with an `sl-violations` header) when the
 * upstream's answer breaks the spec.
 */
export async function startPrismProxy(spec: string, upstream: string): Promise<PrismProxy> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      PRISM,
      'proxy',
      spec,
      upstream,
      '--errors',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--cors',
      'false',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const collect = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`Prism did not start within 30 s:\n${output}`)),
      30_000,
    );
    const check = (): void => {
      if (output.includes('Prism is listening')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`Prism ended (${code}) before listening:\n${output}`));
    });
  });
  const ended = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      child.kill('SIGTERM');
      await ended;
    },
  };
}
