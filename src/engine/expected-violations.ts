import type { IncomingHttpHeaders } from 'node:http';
import { OutcomeUnknownError, StoreUnavailableError, type Store } from '../state/store.js';

/**
 * A negative test breaks the contract on purpose (it sends no credential, a malformed id): its
 * violation is real, but it must not fail a `--fail-on-violation` run. A test says so in one of
 * two ways: the request carries `X-Standin-Expect-Violation: true` (or a short reason instead of
 * `true`), or the test first calls `POST /__admin/violations/expect {"count": N}`, which marks the
 * next N requests of its namespace that break the contract. Either way the violation is still
 * recorded, with `expected: true`, and listed apart in the reports.
 *
 * Only what the client broke can be expected: an answer standin's own handler got wrong is a bug
 * in standin or its spec, whatever the test declared.
 */
export const EXPECT_VIOLATION_HEADER = 'x-standin-expect-violation';

/** Most requests a namespace may have marked at once: a test marks the few it is about to send. */
export const MAX_EXPECTED_VIOLATIONS = 1000;

/** A reason is a note for a CI report, not a document. */
export const MAX_EXPECTED_REASON_LENGTH = 200;

/** What a namespace has marked: how many requests that break the contract are still expected. */
export interface ViolationExpectation {
  remaining: number;
  reason?: string;
}

/** Why a violation was expected; `reason` only when the test gave one. */
export interface ExpectedMark {
  reason?: string;
}

/**
 * The mark the request declares in its own header, or undefined when it declares none. `false`
 * and an empty value declare none, so a client can switch the header off without removing it.
 */
export function declaredByHeader(headers: IncomingHttpHeaders): ExpectedMark | undefined {
  const raw = headers[EXPECT_VIOLATION_HEADER];
  const value = (Array.isArray(raw) ? raw.join(', ') : (raw ?? '')).trim();
  if (value === '' || /^false$/i.test(value)) return undefined;
  if (/^true$/i.test(value)) return {};
  return { reason: cleanReason(value) };
}

/** A reason as a report can show it: one line, bounded. */
export function cleanReason(reason: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  const oneLine = reason.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return oneLine.slice(0, MAX_EXPECTED_REASON_LENGTH);
}

/** The marks of each namespace, in the store (so that every replica sees them). */
export class ExpectedViolations {
  constructor(private readonly store: Store) {}

  /** Marks the next `count` requests that break the contract (0 clears the mark). */
  async expect(namespace: string, count: number, reason?: string): Promise<ViolationExpectation> {
    const expectation: ViolationExpectation = {
      remaining: Math.min(Math.max(0, Math.floor(count)), MAX_EXPECTED_VIOLATIONS),
      ...(reason !== undefined && cleanReason(reason) !== ''
        ? { reason: cleanReason(reason) }
        : {}),
    };
    if (expectation.remaining === 0) await this.clear(namespace);
    else await this.store.set(key(namespace), expectation);
    return expectation;
  }

  async read(namespace: string): Promise<ViolationExpectation> {
    return (await this.store.get<ViolationExpectation>(key(namespace))) ?? { remaining: 0 };
  }

  async clear(namespace: string): Promise<void> {
    await this.store.deletePrefix(key(namespace));
  }

  /**
   * One request of the namespace broke the contract: if the namespace had marked it, the mark is
   * counted down and returned. When the store cannot say (it is away, or the count-down's outcome
   * is unknown), the violation counts as unexpected: a run may fail that should not have, but a
   * real violation is never hidden.
   */
  async take(namespace: string): Promise<ExpectedMark | undefined> {
    try {
      // Most violations meet no mark at all: a read settles that without a write.
      if ((await this.read(namespace)).remaining <= 0) return undefined;
      return await this.store.update<ViolationExpectation, ExpectedMark | undefined>(
        key(namespace),
        (current) => {
          if (current === undefined || current.remaining <= 0) return { result: undefined };
          const mark = current.reason === undefined ? {} : { reason: current.reason };
          return { value: { ...current, remaining: current.remaining - 1 }, result: mark };
        },
      );
    } catch (error) {
      if (error instanceof StoreUnavailableError || error instanceof OutcomeUnknownError)
        return undefined;
      throw error;
    }
  }
}

/**
 * Whether one request's violations were expected: declared by its header, or else marked by its
 * namespace (which counts the mark down). Asked once per request that broke the contract.
 */
export async function expectationOf(
  headers: IncomingHttpHeaders,
  store: Store,
  namespace: string,
): Promise<ExpectedMark | undefined> {
  return declaredByHeader(headers) ?? new ExpectedViolations(store).take(namespace);
}

function key(namespace: string): string {
  // Under the namespace's prefix: deleting the namespace deletes its mark.
  return `${namespace}/expected-violations`;
}
