/**
 * Rate-limit algorithms, pure over a stored bucket and the virtual clock's time, so the counters
 * can live in the store (shared by replicas) and a test can move the clock to refill them.
 */
export interface RateDecision<B> {
  bucket: B;
  /** The time of the decision (epoch ms). */
  now: number;
  allowed: boolean;
  limit: number;
  remaining: number;
  /** When the limit is whole again: the window's end, or the bucket being full (epoch ms). */
  resetAt: number;
  /** Only when refused: how long until one more request would pass (ms). */
  retryAfterMs?: number;
}

export interface FixedWindowBucket {
  windowStart: number;
  count: number;
}

/**
 * At most `limit` requests per window. A window opens with the first request after the previous
 * one closed ("the limit rolls over one minute from the first request in a batch", ThousandEyes).
 */
export function fixedWindow(
  limit: number,
  windowMs: number,
): (bucket: FixedWindowBucket | undefined, now: number) => RateDecision<FixedWindowBucket> {
  return (bucket, now) => {
    const open = bucket !== undefined && now < bucket.windowStart + windowMs;
    const windowStart = open ? bucket.windowStart : now;
    const count = open ? bucket.count : 0;
    const resetAt = windowStart + windowMs;
    if (count >= limit) {
      return {
        bucket: { windowStart, count },
        now,
        allowed: false,
        limit,
        remaining: 0,
        resetAt,
        retryAfterMs: resetAt - now,
      };
    }
    return {
      bucket: { windowStart, count: count + 1 },
      now,
      allowed: true,
      limit,
      remaining: limit - count - 1,
      resetAt,
    };
  };
}

export interface TokenBucket {
  tokens: number;
  updatedAt: number;
}

/** `ratePerSecond` tokens a second, up to `burst`; a request takes one. */
export function tokenBucket(
  ratePerSecond: number,
  burst: number,
): (bucket: TokenBucket | undefined, now: number) => RateDecision<TokenBucket> {
  return (bucket, now) => {
    const elapsed = bucket ? Math.max(0, now - bucket.updatedAt) : 0;
    const available = bucket
      ? Math.min(burst, bucket.tokens + (elapsed / 1000) * ratePerSecond)
      : burst;
    const fullAt = (tokens: number): number =>
      now + Math.ceil(((burst - tokens) / ratePerSecond) * 1000);
    if (available < 1) {
      const retryAfterMs = Math.ceil(((1 - available) / ratePerSecond) * 1000);
      return {
        bucket: { tokens: available, updatedAt: now },
        now,
        allowed: false,
        limit: burst,
        remaining: 0,
        resetAt: fullAt(available),
        retryAfterMs,
      };
    }
    const left = available - 1;
    return {
      bucket: { tokens: left, updatedAt: now },
      now,
      allowed: true,
      limit: burst,
      remaining: Math.floor(left),
      resetAt: fullAt(left),
    };
  };
}
