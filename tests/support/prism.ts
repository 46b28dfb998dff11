import path from 'node:path';
import { startChild, stopChild, waitForOutput } from './children.js';
import { ROOT } from './cli.js';
import { freePort } from './free-port.js';

const PRISM = path.join(ROOT, 'node_modules', '@stoplight', 'prism-cli', 'dist', 'index.js');

/**
 * Prism takes seconds to start, and the tests start five at once: this much is for all five on a
 * machine that is busy with much else.
 */
const START_WAIT_MS = 60_000;

/** A Prism proxy in front of an upstream: an independent check of every answer against a spec. */
export interface PrismProxy {
  url: string;
  stop(): Promise<void>;
}

/**
 * `prism proxy SPEC UPSTREAM --errors`: Prism forwards each request and answers 500
 * (`https://stoplight.io/prism/errors#VIOLATIONS`, with an `sl-violations` header) when the
 * upstream's answer breaks the spec. One that does not start in time is killed, and the error
 * carries what it printed.
 */
export async function startPrismProxy(spec: string, upstream: string): Promise<PrismProxy> {
  const port = await freePort();
  const child = startChild(process.execPath, [
    ...[PRISM, 'proxy', spec, upstream, '--errors'],
    ...['--host', '127.0.0.1', '--port', String(port), '--cors', 'false'],
  ]);
  await waitForOutput(child, /Prism is listening/, {
    timeoutMs: START_WAIT_MS,
    what: '"Prism is listening" line',
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => stopChild(child) };
}
