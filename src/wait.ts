import { readFileSync } from 'node:fs';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError } from './types/config-error.js';

/**
 * `standin wait URL [--timeout SECONDS] [--pid PID]`: CI's readiness check, one that cannot hang.
 * The loop it replaces, `until curl -s $URL; do sleep 0.2; done`, never ended when standin exited
 * at start (a broken spec, a port in use): the job ran until the CI's own limit. This one ends at
 * its timeout, and at once when the server's process (`--pid $!`) is gone.
 */

export const DEFAULT_WAIT_SECONDS = 30;

/** Between two attempts: short, since a CI job waits for it; a refused connection costs nothing. */
const POLL_INTERVAL_MS = 200;
/** One attempt's limit: a server that accepted the connection but is stuck does not hold the loop. */
const ATTEMPT_LIMIT_MS = 2000;

export interface WaitRequest {
  url: URL;
  timeoutMs: number;
  /** The server's process: when it has ended, nothing will ever answer, so the wait ends. */
  pid?: number;
}

export type WaitOutcome =
  { ready: true; status: number; elapsedMs: number } | { ready: false; reason: string };

/** Reads the command line's `wait` arguments; a value that cannot be used is a usage error (exit 2). */
export function waitRequestFrom(
  url: string,
  flags: { timeout?: string; pid?: string },
): WaitRequest {
  const request: WaitRequest = {
    url: healthUrlOf(url),
    timeoutMs: secondsOf(flags.timeout ?? String(DEFAULT_WAIT_SECONDS)) * 1000,
  };
  if (flags.pid !== undefined) request.pid = pidOf(flags.pid);
  return request;
}

/**
 * `http://127.0.0.1:4010` alone means standin's health check, `/__health`, which answers 200 only
 * once the server listens and its store answers; a URL with a path is polled as given. A missing
 * scheme is http, as curl assumes.
 */
export function healthUrlOf(text: string): URL {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new ConfigError(`wait takes a URL such as http://127.0.0.1:4010 (got "${text}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError(`wait takes an http or https URL (got "${text}")`);
  if (url.pathname === '/' && url.search === '') url.pathname = '/__health';
  return url;
}

const NO_ANSWER_YET = 'no answer yet';

export async function waitUntilReady(request: WaitRequest): Promise<WaitOutcome> {
  const started = Date.now();
  const deadline = started + request.timeoutMs;
  const seconds = request.timeoutMs / 1000;
  let last = NO_ANSWER_YET;
  // Bounded by the deadline: every attempt and every pause is cut to the time left.
  do {
    if (request.pid !== undefined && hasEnded(request.pid)) return ended(request, last);
    const limitMs = Math.min(ATTEMPT_LIMIT_MS, deadline - Date.now());
    const answer = await attempt(request.url, limitMs);
    if ('status' in answer && answer.status >= 200 && answer.status < 300)
      return { ready: true, status: answer.status, elapsedMs: Date.now() - started };
    // An attempt the deadline cut short and that ran out of time says nothing about the server:
    // what an earlier attempt got (`HTTP 404`) is the better explanation.
    const cutShort = 'timedOut' in answer && limitMs < ATTEMPT_LIMIT_MS && last !== NO_ANSWER_YET;
    if (!cutShort) last = 'status' in answer ? `HTTP ${answer.status}` : answer.error;
    await sleep(Math.max(0, Math.min(POLL_INTERVAL_MS, deadline - Date.now())));
  } while (Date.now() < deadline);
  // The process may have ended during the last attempt: that is the better explanation.
  if (request.pid !== undefined && hasEnded(request.pid)) return ended(request, last);
  return {
    ready: false,
    reason: `${request.url.href} did not answer 2xx within ${seconds} s (last: ${last})`,
  };
}

function ended(request: WaitRequest, last: string): WaitOutcome {
  return {
    ready: false,
    reason: `process ${request.pid} has ended, and ${request.url.href} never answered 2xx (last: ${last})`,
  };
}

/** One GET, on a connection of its own that is closed afterwards: nothing keeps the process alive. */
function attempt(
  url: URL,
  limitMs: number,
): Promise<{ status: number } | { error: string; timedOut?: true }> {
  return new Promise((resolve) => {
    const get = url.protocol === 'https:' ? httpsGet : httpGet;
    const request = get(
      url,
      { agent: false, headers: { accept: 'application/json' } },
      (response) => {
        clearTimeout(timer);
        finish(response);
        resolve({ status: response.statusCode ?? 0 });
      },
    );
    const timer = setTimeout(
      () => {
        request.destroy();
        resolve({ error: `no answer within ${Math.round(limitMs)} ms`, timedOut: true });
      },
      Math.max(1, limitMs),
    );
    request.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ error: error.code ?? error.message });
    });
  });
}

function finish(response: IncomingMessage): void {
  response.resume();
  response.destroy();
}

/**
 * True when the process is gone. A process that has exited but that its parent has not reaped
 * yet (a zombie) still answers signal 0; on Linux its state in /proc says it has ended.
 */
function hasEnded(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists, and belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (command) state ...": the command may hold spaces and parentheses, the state follows the last ')'.
    const state = stat.slice(stat.lastIndexOf(')') + 2).charAt(0);
    return state === 'Z' || state === 'X';
  } catch {
    return false;
  }
}

function secondsOf(text: string): number {
  const seconds = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || seconds <= 0)
    throw new ConfigError(`--timeout takes seconds above 0, such as 30 (got "${text}")`);
  return seconds;
}

function pidOf(text: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1)
    throw new ConfigError(`--pid takes a process id, such as $! in a shell (got "${text}")`);
  return Number(text);
}
