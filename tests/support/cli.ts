import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describeChild, killChild, printedBy, startChild, waitForOutput } from './children.js';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');

/**
 * The tests run the built CLI, as users do: starting it from the sources through tsx compiled
 * them again at every start, which on a loaded machine took longer than the tests waited.
 * `npm test` builds first.
 */
const BUILT_CLI = path.join(ROOT, 'dist', 'cli.js');

/** How long a CLI run may take, or a server take to say it listens: generous, for a loaded machine. */
const CLI_WAIT_MS = 30_000;

export interface CliOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `standin ...` (the built dist/cli.js) and waits for it to end. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliOutcome> {
  const child = startCli(args, env);
  return finished(child);
}

/** Starts `standin ...` from dist/cli.js; it is killed at the latest when the tests end. */
export function startCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  if (!existsSync(BUILT_CLI)) {
    // Never the sources instead: that would test something else than what ships, and slowly.
    throw new Error(
      `${path.relative(ROOT, BUILT_CLI)} is missing: the tests run the built CLI. ` +
        'Run `npm run build` first (`npm test` does).',
    );
  }
  return startChild(process.execPath, [BUILT_CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
  });
}

/**
 * Waits for the CLI to end, with what it printed. One that runs past `timeoutMs` is killed and
 * the wait rejects, with what it had printed.
 */
export function finished(
  child: ChildProcess,
  { timeoutMs = CLI_WAIT_MS }: { timeoutMs?: number } = {},
): Promise<CliOutcome> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      void killChild(child).then(() =>
        reject(
          new Error(
            `${describeChild(child)} did not end within ${timeoutMs / 1000} s, so it was killed; it printed:\n${printedBy(child)}`,
          ),
        ),
      );
    }, timeoutMs);
    // 'close', not 'exit': only then is everything it printed read.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (!timedOut) resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * Waits until a started `standin serve` prints its address, and returns it. When it does not
 * within `timeoutMs`, it is killed, and the error carries what it printed.
 */
export async function listeningUrl(
  child: ChildProcess,
  { timeoutMs = CLI_WAIT_MS }: { timeoutMs?: number } = {},
): Promise<string> {
  const [, url] = await waitForOutput(child, /listening on (http:\/\/[^\s"]+)/, {
    timeoutMs,
    what: '"listening on" line',
  });
  if (url === undefined) throw new Error('the "listening on" pattern has no address group');
  return url;
}
