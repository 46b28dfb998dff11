import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';

/**
 * Every child process the tests start (standin, redis-server, nginx, Prism) is started here, and
 * none outlives the test process. A leftover child keeps the test file's process alive through
 * its pipes, holds its port, and once kept a run waiting for 20+ minutes; so:
 *
 * - each child runs in a process group of its own, and is killed with all of it: nginx's workers
 *   (or anything else a child starts) go with their parent;
 * - a wait that gives up (`waitForOutput`) SIGKILLs the child before it rejects, and the error
 *   carries what the child printed;
 * - whatever is still running when the test process exits, or is told to stop (SIGINT from a
 *   terminal, SIGTERM from node's runner when the file ran past --test-timeout), is SIGKILLed.
 */

export interface ChildOptions {
  cwd?: string;
  /** The whole environment of the child (not merged with this process's). */
  env?: NodeJS.ProcessEnv;
}

/** What a child printed: the end of it, so that a chatty child costs bounded memory. */
const PRINTED_KEPT = 64 * 1024;

interface Tracked {
  /** The end of what it printed (see PRINTED_KEPT). */
  printed: string;
  /** Resolves once it has exited, or could not be started at all. */
  gone: Promise<void>;
  /** Why it could not be started (the command is missing, say). */
  startError?: Error;
}

const running = new Set<ChildProcess>();
const tracked = new WeakMap<ChildProcess, Tracked>();

export function startChild(
  command: string,
  args: readonly string[],
  options: ChildOptions = {},
): ChildProcess {
  endOnSignals();
  const child = spawn(command, args, {
    ...options,
    // setsid(): the child leads a group of its own, so killing the group kills its descendants.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const record: Tracked = {
    printed: '',
    gone: new Promise((resolve) => {
      child.once('exit', () => {
        running.delete(child);
        resolve();
      });
      // Also a kill that failed; but a command that could not be run never exits, and is as
      // gone as one that did.
      child.on('error', (error) => {
        if (child.pid !== undefined) return;
        record.startError = error;
        running.delete(child);
        resolve();
      });
    }),
  };
  tracked.set(child, record);
  // Nothing unread may fill a pipe and block the child; and a failed wait needs the output.
  const keep = (chunk: Buffer): void => {
    record.printed = (record.printed + chunk.toString('utf8')).slice(-PRINTED_KEPT);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return child;
}

/** What the child wrote to stdout and stderr so far (their last 64 KiB, interleaved). */
export function printedBy(child: ChildProcess): string {
  return recordOf(child).printed;
}

export function isRunning(child: ChildProcess): boolean {
  recordOf(child);
  return running.has(child);
}

/** How `child` is called in messages: its command line. */
export function describeChild(child: ChildProcess): string {
  return child.spawnargs.join(' ');
}

/** Resolves once the child has exited (at once when it already has). */
export function exited(child: ChildProcess): Promise<void> {
  return recordOf(child).gone;
}

/** How the child ended, for messages: its exit code or signal, or why it could not start. */
function endingOf(child: ChildProcess): string {
  const { startError } = recordOf(child);
  if (startError) return `could not be started: ${startError.message}`;
  return child.signalCode ?? `exit code ${child.exitCode}`;
}

/** SIGKILLs the child's whole process group and waits until the child is gone. */
export async function killChild(child: ChildProcess): Promise<void> {
  signalGroup(child, 'SIGKILL');
  await exited(child);
}

/**
 * Stops the child as a service manager would: `signal` (SIGTERM unless told otherwise) to the
 * child, and SIGKILL to its group if it is still there after `graceMs`, so that a child that
 * ignores the signal cannot keep an `after` hook waiting. Resolves once it is gone.
 */
export async function stopChild(
  child: ChildProcess,
  { signal = 'SIGTERM', graceMs = 10_000 }: { signal?: NodeJS.Signals; graceMs?: number } = {},
): Promise<void> {
  if (!isRunning(child)) return;
  child.kill(signal);
  const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
  await exited(child);
  clearTimeout(timer);
}

/**
 * Waits until what the child prints (stdout and stderr) matches `pattern`, and returns the match.
 * When `timeoutMs` passes first, the child is SIGKILLed (and waited for) before the wait rejects;
 * when the child ends first, the wait rejects too. Either error carries what the child printed.
 */
export function waitForOutput(
  child: ChildProcess,
  pattern: RegExp,
  { timeoutMs, what }: { timeoutMs: number; what: string },
): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let waiting = true;
    // Everything since the wait began: the kept output is only a tail, and could lose a match.
    let seen = '';
    const check = (chunk: Buffer): void => {
      seen += chunk.toString('utf8');
      const match = pattern.exec(seen);
      if (match) {
        stopWaiting();
        resolve(match);
      }
    };
    const timer = setTimeout(() => {
      stopWaiting();
      void killChild(child).then(() =>
        reject(
          new Error(
            `${describeChild(child)}: no ${what} within ${timeoutMs / 1000} s, so it was killed; it printed:\n${printedBy(child)}`,
          ),
        ),
      );
    }, timeoutMs);
    const stopWaiting = (): void => {
      waiting = false;
      clearTimeout(timer);
      child.stdout?.off('data', check);
      child.stderr?.off('data', check);
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    void exited(child).then(async () => {
      if (!waiting) return;
      stopWaiting();
      // The last output can still be in the pipes when 'exit' comes; 'close' follows it.
      await closedOrAfter(child, 1000);
      reject(
        new Error(
          `${describeChild(child)} ended (${endingOf(child)}) before ${what}; it printed:\n${printedBy(child)}`,
        ),
      );
    });
  });
}

/**
 * Starts several children at once (`start` each) and returns them all; when one fails, the others
 * are stopped before the error is thrown. Otherwise a `before` hook that fails would leave the
 * ones that did start where no `after` hook knows them, and the test file could not end.
 */
export async function startTogether<T>(
  starts: ReadonlyArray<() => Promise<T>>,
  stop: (started: T) => Promise<void>,
): Promise<T[]> {
  const outcomes = await Promise.allSettled(starts.map((start) => start()));
  const started = outcomes.flatMap((outcome) =>
    outcome.status === 'fulfilled' ? [outcome.value] : [],
  );
  const failure = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failure === undefined) return started;
  await Promise.all(started.map(stop));
  throw failure.reason;
}

function closedOrAfter(child: ChildProcess, ms: number): Promise<void> {
  return new Promise((resolve) => {
    if (child.stdout?.closed !== false && child.stderr?.closed !== false) {
      resolve();
      return;
    }
    const timer = setTimeout(resolve, ms);
    child.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Only children started here can be waited for and killed with their group. */
function recordOf(child: ChildProcess): Tracked {
  const record = tracked.get(child);
  if (!record) throw new Error(`${describeChild(child)} was not started by support/children.ts`);
  return record;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || !isRunning(child)) return;
  try {
    // A negative pid names the process group the child leads (see `detached` above).
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already: nothing left to kill.
  }
}

let installed = false;

/**
 * Makes SIGINT, SIGTERM and SIGHUP end this process through its 'exit' listeners, where whatever
 * is still running is killed: this module's children, and what others kill there (playwright its
 * browser). Installed with the first child, so a test file that starts none keeps node's defaults;
 * support that starts processes otherwise (support/browser.ts) calls it itself.
 *
 * Node's default on these signals ends the process without 'exit'; and a listener that does not
 * end it (playwright's SIGTERM listener only closes its browsers) is worse: node 20's runner sends
 * a test file that ran past --test-timeout one SIGTERM, and then waits for it without end.
 */
export function endOnSignals(): void {
  if (installed) return;
  installed = true;
  // 'exit' listeners must be synchronous: signals can be sent, nothing can be awaited.
  process.on('exit', killEverythingLeft);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    // 128 + the signal's number: how a shell reports a process that a signal ended.
    process.on(signal, () => process.exit(128 + constants.signals[signal]));
  }
}

function killEverythingLeft(): void {
  for (const child of running) signalGroup(child, 'SIGKILL');
}
