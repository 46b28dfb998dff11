import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { GroupCommit } from './group-commit.js';
import { deepFreeze } from './immutable.js';
import { recordCall, SCRIPTS, type StandinCommands } from './redis-scripts.js';
import {
  OutcomeUnknownError,
  StoreUnavailableError,
  type Decision,
  type RecordBatch,
  type Store,
} from './store.js';
import { meaningOfFailure, settleOutcome } from './write-outcome.js';

/** Every key standin writes starts with this, so one Redis database can hold other data too. */
const KEY_PREFIX = 'standin:';
/**
 * Commit markers and writers' sequences: a colon, which no namespace name may hold, keeps them out
 * of reach of a namespace's deletePrefix.
 */
const COMMIT_MARKER_PREFIX = `${KEY_PREFIX}commit:`;
const WRITER_SEQUENCE_PREFIX = `${KEY_PREFIX}writer:`;
/** A writer's last applied sequence outlives any retry of its batches by far. */
const WRITER_SEQUENCE_KEPT_S = 24 * 60 * 60;
/**
 * An `abandoned` mark must outlast any copy of its write still on its way to Redis (in a socket
 * buffer of a connection Redis has not yet seen drop).
 */
const ABANDONED_KEPT_S = 300;
/** Between two asks about a write whose answer did not come, when the ask failed at once. */
const SETTLE_RETRY_MS = 100;
/** Replies of a Redis that cannot serve right now (loading its data, failing over, busy). */
const TRANSIENT = /^(LOADING|BUSY|MASTERDOWN|READONLY|TRYAGAIN|CLUSTERDOWN)\b/;
/** Parsed values kept to hand out the same object for the same stored text (see `parse`). */
const PARSED_KEPT = 10_000;

export interface RedisStoreOptions {
  /** Told when Redis goes away and when it is back (once per change, not per failed command). */
  onHealthChange?: (healthy: boolean, message: string) => void;
  /** How long a command may take before the request answers 503 (ms). */
  commandTimeoutMs?: number;
  /**
   * How long, from sending it, a write whose answer did not come may take to find out whether it
   * was applied (ms); past it, OutcomeUnknownError. Default 10 s.
   */
  outcomeDeadlineMs?: number;
}

/**
 * The shared store: every value in Redis, so replicas see one state, one clock, one journal.
 * Values are JSON strings (vendor states, clock, faults, rate-limit buckets), the journal and the
 * violations capped lists, coverage and namespaces hashes. While Redis cannot be reached, every
 * call fails at once with StoreUnavailableError (no queue that would make requests hang), and the
 * client reconnects on its own. A write that was sent and not answered (a timeout, a connection
 * that dropped) is not called unavailable, since Redis may still have applied it: the store finds
 * out first (see markedWrite).
 */
export class RedisStore implements Store {
  private readonly parsed = new Map<string, { raw: string; value: unknown }>();
  private readonly commits = new GroupCommit({
    read: async (key) => {
      const raw = await this.command(() => this.redis.get(KEY_PREFIX + key));
      return { raw, value: raw === null ? undefined : this.parse(key, raw) };
    },
    write: async (key, read, value) => {
      const next = JSON.stringify(value);
      const swapped = await this.markedWrite(key, (marker) =>
        this.redis.standinCompareAndSet(
          KEY_PREFIX + key,
          marker,
          read === null ? 'absent' : 'present',
          read ?? '',
          next,
          this.markerSeconds,
        ),
      );
      if (swapped) this.remember(key, next, value);
      return swapped;
    },
  });
  /** A commit marker is read within the outcome deadline; a minute more is margin. */
  private readonly markerSeconds: number;
  /** Unknown until the first connection attempt ends either way. */
  private healthy: boolean | undefined;
  private closing = false;

  private constructor(
    private readonly redis: Redis & StandinCommands,
    private readonly where: string,
    private readonly onHealthChange: (healthy: boolean, message: string) => void,
    private readonly outcomeDeadlineMs: number,
  ) {
    this.markerSeconds = Math.ceil(outcomeDeadlineMs / 1000) + 60;
    redis.on('ready', () => this.health(true, `Redis at ${where} is connected`));
    // Without a listener, ioredis would report every failed reconnection as an uncaught error.
    redis.on('error', (error: Error) =>
      this.health(false, `Redis at ${where} is not reachable (${error.message}); answering 503`),
    );
    redis.on('close', () => {
      if (!this.closing)
        this.health(false, `lost the connection to Redis at ${where}; answering 503`);
    });
  }

  /**
   * Connects to `url` (`redis://HOST:PORT/DB`). When Redis is not there yet, resolves anyway after
   * the first attempt: standin starts, answers 503, and serves as soon as Redis comes.
   */
  static async connect(url: string, options: RedisStoreOptions = {}): Promise<RedisStore> {
    const timeout = options.commandTimeoutMs ?? 2000;
    const redis = new Redis(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: timeout,
      commandTimeout: timeout,
      enableAutoPipelining: true,
      // A command is sent at most once by the client: whether to send a write again is decided
      // here, knowing what it was (see markedWrite).
      autoResendUnfulfilledCommands: false,
      retryStrategy: (attempt: number) => Math.min(100 * attempt, 1000),
    });
    for (const { name, numberOfKeys, lua } of SCRIPTS) {
      redis.defineCommand(name, numberOfKeys === undefined ? { lua } : { numberOfKeys, lua });
    }
    const store = new RedisStore(
      redis as Redis & StandinCommands,
      redactedAddress(url),
      options.onHealthChange ?? (() => undefined),
      options.outcomeDeadlineMs ?? 10_000,
    );
    try {
      await redis.connect();
    } catch {
      // Reported through onHealthChange; the client keeps trying.
    }
    return store;
  }

  async get<T>(key: string): Promise<T | undefined> {
    const raw = await this.command(() => this.redis.get(KEY_PREFIX + key));
    return raw === null ? undefined : (this.parse(key, raw) as T);
  }

  async getMany(keys: readonly string[]): Promise<Array<unknown>> {
    if (keys.length === 0) return [];
    const raws = await this.command(() => this.redis.mget(keys.map((key) => KEY_PREFIX + key)));
    return keys.map((key, index) => {
      const raw = raws[index];
      return raw === null || raw === undefined ? undefined : this.parse(key, raw);
    });
  }

  async set(key: string, value: unknown): Promise<void> {
    const raw = JSON.stringify(value);
    const written = await this.markedWrite(key, (marker) =>
      this.redis.standinSet(KEY_PREFIX + key, marker, raw, this.markerSeconds),
    );
    if (!written) throw this.notApplied(key, 'its commit marker was abandoned first');
    this.remember(key, raw, value);
  }

  update<T, R>(key: string, decide: (current: T | undefined) => Decision<T, R>): Promise<R> {
    return this.commits.update(key, decide);
  }

  async deletePrefix(prefix: string): Promise<void> {
    const pattern = `${escapeGlob(KEY_PREFIX + prefix)}*`;
    let cursor = '0';
    do {
      const [nextCursor, keys] = await this.command(() =>
        this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000),
      );
      cursor = nextCursor;
      if (keys.length > 0) await this.command(() => this.redis.unlink(...keys));
    } while (cursor !== '0');
    for (const key of this.parsed.keys()) if (key.startsWith(prefix)) this.parsed.delete(key);
  }

  async append(key: string, value: unknown, max: number): Promise<void> {
    await this.unrepeatableWrite(key, () =>
      this.redis
        .multi()
        .rpush(KEY_PREFIX + key, JSON.stringify(value))
        .ltrim(KEY_PREFIX + key, -max, -1)
        .exec(),
    );
  }

  async list<T>(key: string): Promise<T[]> {
    const items = await this.command(() => this.redis.lrange(KEY_PREFIX + key, 0, -1));
    return items.map((item) => JSON.parse(item) as T);
  }

  async increment(key: string, field: string, by = 1): Promise<void> {
    const call = (): Promise<number> => this.redis.hincrby(KEY_PREFIX + key, field, by);
    // Adding 0 only makes the field: done twice, it does no harm.
    if (by === 0) await this.command(call);
    else await this.unrepeatableWrite(key, call);
  }

  async record(writer: string, batches: readonly RecordBatch[]): Promise<void> {
    if (batches.length === 0) return;
    const { keys, args } = recordCall(
      WRITER_SEQUENCE_PREFIX + writer,
      WRITER_SEQUENCE_KEPT_S,
      batches,
      (key) => KEY_PREFIX + key,
    );
    // Safe to send again whatever happened (a batch applies at most once): any failure is 503.
    await this.command(() => this.redis.standinRecord(keys.length, ...keys, ...args));
  }

  async counters(key: string): Promise<Record<string, number>> {
    const fields = await this.command(() => this.redis.hgetall(KEY_PREFIX + key));
    return Object.fromEntries(
      Object.entries(fields).map(([field, count]) => [field, Number(count)]),
    );
  }

  async deleteCounter(key: string, field: string): Promise<void> {
    await this.command(() => this.redis.hdel(KEY_PREFIX + key, field));
  }

  async ping(): Promise<void> {
    await this.command(() => this.redis.ping());
  }

  async close(): Promise<void> {
    this.closing = true;
    this.parsed.clear();
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }

  /**
   * Runs one Redis call that reads, or writes what may be written twice; a failure to reach Redis
   * becomes StoreUnavailableError.
   */
  private async command<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw this.unavailable(error);
    }
  }

  /**
   * Runs one write that leaves a commit marker (see redis-scripts.ts): true when it was applied,
   * false when Redis answered that it was not (a compare-and-set that found another value). Never
   * sent (no connection): StoreUnavailableError at once. Sent and not answered: asks about its
   * marker until the outcome deadline (on the same connection while it lasts, and Redis answers a
   * connection's commands in order, so the ask is answered after the write): true when it was
   * applied after all, StoreUnavailableError when it was not (and now never will be),
   * OutcomeUnknownError when no answer came in time.
   */
  private async markedWrite(
    key: string,
    send: (marker: string) => Promise<number>,
  ): Promise<boolean> {
    const marker = COMMIT_MARKER_PREFIX + randomUUID();
    const deadline = performance.now() + this.outcomeDeadlineMs;
    try {
      return (await send(marker)) === 1;
    } catch (error) {
      if (meaningOfFailure(error) !== 'unknown') throw this.unavailable(error);
      const reason = error instanceof Error ? error.message : String(error);
      const outcome = await settleOutcome(
        async () => (await this.redis.standinSettle(marker, ABANDONED_KEPT_S)) === 1,
        { deadline, retryEveryMs: SETTLE_RETRY_MS, stopped: () => this.closing },
      );
      if (outcome === 'committed') return true;
      if (outcome === 'not-committed') throw this.notApplied(key, reason);
      throw new OutcomeUnknownError(
        `the write of ${key} was sent to Redis at ${this.where} and not answered (${reason}); whether it was applied could not be learnt within ${this.outcomeDeadlineMs} ms`,
      );
    }
  }

  /** A write that must not be sent twice and leaves no marker: no answer means OutcomeUnknownError. */
  private async unrepeatableWrite<T>(key: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (meaningOfFailure(error) !== 'unknown') throw this.unavailable(error);
      const reason = error instanceof Error ? error.message : String(error);
      throw new OutcomeUnknownError(
        `the write of ${key} was sent to Redis at ${this.where} and not answered (${reason}); it may have been applied`,
      );
    }
  }

  /**
   * What a failed call becomes: a ReplyError is Redis answering "no" (a bug in standin), not
   * Redis being away, and passes as it is; except the answers of a Redis that is starting,
   * failing over or busy, which are StoreUnavailableError like every other failure.
   */
  private unavailable(error: unknown): Error {
    if (error instanceof Error && error.name === 'ReplyError' && !TRANSIENT.test(error.message))
      return error;
    const reason = error instanceof Error ? error.message : String(error);
    return new StoreUnavailableError(`Redis at ${this.where} is not available: ${reason}`);
  }

  private notApplied(key: string, reason: string): StoreUnavailableError {
    return new StoreUnavailableError(
      `Redis at ${this.where} did not answer the write of ${key} (${reason}); it was not applied, and will not be`,
    );
  }

  /**
   * The same stored text gives the same (frozen) object: caches keyed by a state value (a
   * vendor's index of its secrets) then work across requests as they do with the memory store.
   */
  private parse(key: string, raw: string): unknown {
    const known = this.parsed.get(key);
    if (known?.raw === raw) return known.value;
    return this.remember(key, raw, JSON.parse(raw));
  }

  private remember(key: string, raw: string, value: unknown): unknown {
    if (this.parsed.size >= PARSED_KEPT) this.parsed.clear();
    const frozen = deepFreeze(value);
    this.parsed.set(key, { raw, value: frozen });
    return frozen;
  }

  private health(healthy: boolean, message: string): void {
    if (healthy === this.healthy) return;
    this.healthy = healthy;
    this.onHealthChange(healthy, message);
  }
}

/** Host, port and database, without a password that the URL may carry. */
function redactedAddress(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
