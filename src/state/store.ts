/**
 * Where standin keeps everything that changes: vendor states, the clock, faults, rate-limit
 * counters, the journal, violations and coverage. Asynchronous and transaction-shaped, so that the
 * in-memory store (the default) and a shared one (Redis, for replicas) serve the same code unchanged.
 */
export interface Store {
  get<T>(key: string): Promise<T | undefined>;
  /**
   * Several values in one call (one round trip on Redis: MGET), in the order of `keys`, undefined
   * for each key that holds none: a request reads what it needs of its namespace at once.
   */
  getMany(keys: readonly string[]): Promise<Array<unknown>>;
  /**
   * Writes a value. Like `update`, it rejects with StoreUnavailableError only when the value was
   * certainly not written, and with OutcomeUnknownError when that cannot be learnt in time.
   */
  set(key: string, value: unknown): Promise<void>;
  /**
   * Read, decide, write as one atomic step: `decide` sees the current value (undefined when there
   * is none) and returns the next value (or none, to leave it) and a result. A store may run
   * `decide` more than once when another writer got there first, so it must not have effects of
   * its own; and it must not change the value it is given (build the next one instead).
   * When the store cannot say at once whether the write happened (it was sent, then no answer
   * came), the store finds out before it answers: the real result when it happened,
   * StoreUnavailableError when it certainly did not, OutcomeUnknownError when it cannot tell.
   */
  update<T, R>(key: string, decide: (current: T | undefined) => Decision<T, R>): Promise<R>;
  /**
   * Removes every key that starts with the prefix. Doing it twice does no harm, so any failure
   * is a StoreUnavailableError (retry), even when part of it was done.
   */
  deletePrefix(prefix: string): Promise<void>;
  /**
   * Appends to a list, keeping only its newest `max` entries (a journal that cannot grow without
   * end). Not safe to repeat: when the append was sent but not answered, OutcomeUnknownError.
   */
  append(key: string, value: unknown, max: number): Promise<void>;
  /** A list, oldest first (empty when there is none). */
  list<T>(key: string): Promise<T[]>;
  /**
   * Adds `by` to the counter `field` of the counters at `key`. An increment by 0 (which only
   * makes the field) is safe to repeat, so it fails with StoreUnavailableError; any other that
   * was sent but not answered with OutcomeUnknownError.
   */
  increment(key: string, field: string, by?: number): Promise<void>;
  /**
   * Applies batches of appends and increments in order, each batch whole or not at all, and at
   * most once: a batch whose sequence is not above the last one applied for `writer` is skipped.
   * So a writer may send a batch again whenever it cannot know whether the first try arrived, and
   * nothing is counted twice. Any failure is a StoreUnavailableError: send it again later.
   */
  record(writer: string, batches: readonly RecordBatch[]): Promise<void>;
  /** Every counter at `key` (empty when there are none). */
  counters(key: string): Promise<Record<string, number>>;
  /** Removes the counter `field` of the counters at `key`. */
  deleteCounter(key: string, field: string): Promise<void>;
  /** Resolves when the store answers; rejects with StoreUnavailableError when it does not. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The store cannot be reached (Redis is down, or did not answer in time), and nothing the call
 * asked to change was changed. Not a bug in standin nor in the client: a request answers 503 and
 * may be retried once the store is back.
 */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}

/**
 * A write was sent to the store and no answer came, and whether it was applied could not be
 * learnt in time: it may have been, or not. A request answers 500 without Retry-After, telling the
 * client to read the state before trying again (a second rotation would lose the first one's key).
 */
export class OutcomeUnknownError extends Error {
  override name = 'OutcomeUnknownError';
}

/** One write of a batch `record` applies: an entry appended to a capped list, or a counter added to. */
export type RecordWrite =
  | { kind: 'append'; key: string; value: unknown; max: number }
  | { kind: 'increment'; key: string; field: string; by: number };

export interface RecordBatch {
  /** Above every sequence the writer sent before; the same when the batch is sent again. */
  sequence: number;
  writes: readonly RecordWrite[];
}

export interface Decision<T, R> {
  /** The next value; leave it out to change nothing. */
  value?: T;
  result: R;
}
