/**
 * What a write to Redis did when its answer did not come. Two questions, kept apart: did the
 * command leave this process at all (if not, it certainly did nothing), and, when it did, was it
 * applied (asked again until an answer or a deadline).
 */

/** What a failed Redis call says about the command it carried. */
export type FailureMeaning =
  /** Redis answered with an error: it did not run the command. */
  | 'refused'
  /** The command never left this process (no connection to write it to): it did nothing. */
  | 'not-sent'
  /** The command was (or may have been) sent and no answer came: it may have run, or still may. */
  | 'unknown';

/**
 * ioredis's refusal when it has no writable connection and its offline queue is off: the command
 * was rejected before a byte was written. Every other failure (a timeout, a connection that
 * dropped with the command in flight, "Connection is closed." while closing) may follow a send.
 */
const NOT_SENT_MESSAGE = "Stream isn't writeable and enableOfflineQueue options is false";

export function meaningOfFailure(error: unknown): FailureMeaning {
  if (!(error instanceof Error)) return 'unknown';
  if (error.name === 'ReplyError') return 'refused';
  if (error.message === NOT_SENT_MESSAGE) return 'not-sent';
  return 'unknown';
}

export type Outcome = 'committed' | 'not-committed' | 'unknown';

export interface SettleOptions {
  /** When to stop asking, on the performance.now() clock. */
  deadline: number;
  /** The pause after an ask that failed without an answer (ms), so a dead link is not hammered. */
  retryEveryMs: number;
  /** True when asking is pointless from now on (the store is closing). */
  stopped?: () => boolean;
}

/** However short the pauses, asking stops after this many tries. */
const MAX_ASKS = 1000;

/**
 * Asks whether a write was applied until an answer comes or the deadline passes. `ask` resolves
 * true (applied) or false (not applied, and never will be: the ask must make sure of that), and
 * rejects when no answer came. Each ask gets only the time left, so the whole ends by the
 * deadline; an ask cut short may still be answered later, and that answer is ignored.
 */
export async function settleOutcome(
  ask: () => Promise<boolean>,
  options: SettleOptions,
): Promise<Outcome> {
  for (let tries = 0; tries < MAX_ASKS; tries += 1) {
    const left = options.deadline - performance.now();
    if (left <= 0 || options.stopped?.()) return 'unknown';
    const answer = await withinTime(ask, left);
    if (answer !== undefined) return answer ? 'committed' : 'not-committed';
    const leftAfter = options.deadline - performance.now();
    if (leftAfter <= 0) return 'unknown';
    await new Promise((resolve) => setTimeout(resolve, Math.min(options.retryEveryMs, leftAfter)));
  }
  return 'unknown';
}

/** The answer of `ask`, or undefined when it failed or took longer than `ms`. */
function withinTime(ask: () => Promise<boolean>, ms: number): Promise<boolean | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    Promise.resolve()
      .then(ask)
      .then(
        (answer) => {
          clearTimeout(timer);
          resolve(answer);
        },
        () => {
          clearTimeout(timer);
          resolve(undefined);
        },
      );
  });
}
