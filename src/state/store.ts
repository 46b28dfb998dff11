/**
 * Where standin keeps everything that changes: vendor states, the clock, faults, rate-limit
 * counters, the journal, violations and coverage. Asynchronous and transaction-shaped, so that the
 * in-memory store (the default) and a shared one (Redis, for replicas) serve the same code unchanged.
 */
export interface Store {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  /**
   * Read, decide, write as one atomic step: `decide` sees the current value (undefined when there
   * is none) and returns the next value (or none, to leave it) and a result. A store may run
   * `decide` more than once when another writer got there first, so it must not have effects of
   * its own; and it must not change the value it is given (build the next one instead).
   */
  update<T, R>(key: string, decide: (current: T | undefined) => Decision<T, R>): Promise<R>;
  /** Removes every key that starts with the prefix. */
  deletePrefix(prefix: string): Promise<void>;
  /** Appends to a list, keeping only its newest `max` entries (a journal that cannot grow without end). */
  append(key: string, value: unknown, max: number): Promise<void>;
  /** A list, oldest first (empty when there is none). */
  list<T>(key: string): Promise<T[]>;
  /** Adds `by` to the counter `field` of the counters at `key`. */
  increment(key: string, field: string, by?: number): Promise<void>;
  /** Every counter at `key` (empty when there are none). */
  counters(key: string): Promise<Record<string, number>>;
  /** Resolves when the store answers; rejects with StoreUnavailableError when it does not. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The store cannot be reached (Redis is down, or did not answer in time). Not a bug in standin nor
 * in the client: a request answers 503 and may be retried once the store is back.
 */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}

export interface Decision<T, R> {
  /** The next value; leave it out to change nothing. */
  value?: T;
  result: R;
}
