import { Redis } from 'ioredis';
import { GroupCommit } from './group-commit.js';
import { deepFreeze } from './immutable.js';
import { StoreUnavailableError, type Decision, type Store } from './store.js';

/**
 * Compare-and-set, atomic inside Redis: write `next` only if the key still holds what the caller
 * read (or is still absent). Optimistic concurrency without WATCH, whose state belongs to a
 * connection and would be shared by every request multiplexed on this one.
 */
const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1])
if ARGV[1] == 'absent' then
  if current then return 0 end
elseif current ~= ARGV[2] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[3])
return 1`;

interface StandinCommands {
  standinCompareAndSet(
    key: string,
    expected: 'absent' | 'present',
    read: string,
    next: string,
  ): Promise<number>;
}

/** Every key standin writes starts with this, so one Redis database can hold other data too. */
const KEY_PREFIX = 'standin:';
/** Replies of a Redis that cannot serve right now (loading its data, failing over, busy). */
const TRANSIENT = /^(LOADING|BUSY|MASTERDOWN|READONLY|TRYAGAIN|CLUSTERDOWN)\b/;
/** Parsed values kept to hand out the same object for the same stored text (see `parse`). */
const PARSED_KEPT = 10_000;

export interface RedisStoreOptions {
  /** Told when Redis goes away and when it is back (once per change, not per failed command). */
  onHealthChange?: (healthy: boolean, message: string) => void;
  /** How long a command may take before the request answers 503 (ms). */
  commandTimeoutMs?: number;
}

/**
 * The shared store: every value in Redis, so replicas see one state, one clock, one journal.
 * Values are JSON strings (vendor states, clock, faults, rate-limit buckets), the journal and the
 * violations capped lists, coverage and namespaces hashes. While Redis cannot be reached, every
 * call fails at once with StoreUnavailableError (no queue that would make requests hang), and the
 * client reconnects on its own.
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
      const swapped = await this.command(() =>
        this.redis.standinCompareAndSet(
          KEY_PREFIX + key,
          read === null ? 'absent' : 'present',
          read ?? '',
          next,
        ),
      );
      if (swapped === 1) this.remember(key, next, value);
      return swapped === 1;
    },
  });
  /** Unknown until the first connection attempt ends either way. */
  private healthy: boolean | undefined;
  private closing = false;

  private constructor(
    private readonly redis: Redis & StandinCommands,
    private readonly where: string,
    private readonly onHealthChange: (healthy: boolean, message: string) => void,
  ) {
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
      retryStrategy: (attempt: number) => Math.min(100 * attempt, 1000),
    });
    redis.defineCommand('standinCompareAndSet', { numberOfKeys: 1, lua: COMPARE_AND_SET });
    const store = new RedisStore(
      redis as Redis & StandinCommands,
      redactedAddress(url),
      options.onHealthChange ?? (() => undefined),
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

  async set(key: string, value: unknown): Promise<void> {
    const raw = JSON.stringify(value);
    await this.command(() => this.redis.set(KEY_PREFIX + key, raw));
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
    await this.command(() =>
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
    await this.command(() => this.redis.hincrby(KEY_PREFIX + key, field, by));
  }

  async counters(key: string): Promise<Record<string, number>> {
    const fields = await this.command(() => this.redis.hgetall(KEY_PREFIX + key));
    return Object.fromEntries(
      Object.entries(fields).map(([field, count]) => [field, Number(count)]),
    );
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

  /** Runs one Redis call; a failure to reach Redis becomes StoreUnavailableError. */
  private async command<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      // A ReplyError is Redis answering "no" (a bug in standin), not Redis being away; except
      // the answers of a Redis that is starting, failing over or busy, which pass.
      if (error instanceof Error && error.name === 'ReplyError' && !TRANSIENT.test(error.message))
        throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new StoreUnavailableError(`Redis at ${this.where} is not available: ${reason}`);
    }
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
