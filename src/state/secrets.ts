import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

function digestOf(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Compares two secrets in constant time (their digests, so unequal lengths leak nothing either). */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digestOf(a), digestOf(b));
}

/**
 * Finds what a presented secret belongs to without comparing it, character by character, to every
 * stored secret: the lookup is by SHA-256 digest, and the match is confirmed in constant time.
 */
export class SecretIndex<T> {
  private readonly byDigest = new Map<string, { digest: Buffer; owner: T }>();

  constructor(entries: Iterable<readonly [secret: string, owner: T]>) {
    for (const [secret, owner] of entries) {
      const digest = digestOf(secret);
      this.byDigest.set(digest.toString('base64'), { digest, owner });
    }
  }

  find(presented: string): T | undefined {
    const digest = digestOf(presented);
    const entry = this.byDigest.get(digest.toString('base64'));
    return entry && timingSafeEqual(entry.digest, digest) ? entry.owner : undefined;
  }
}

/**
 * An index built once per state value: states are immutable (a change is a new value), so the
 * value itself is the cache key.
 */
export function indexPer<S extends object, T>(
  entriesOf: (state: S) => Iterable<readonly [string, T]>,
): (state: S) => SecretIndex<T> {
  const cache = new WeakMap<S, SecretIndex<T>>();
  return (state) => {
    let index = cache.get(state);
    if (!index) {
      index = new SecretIndex(entriesOf(state));
      cache.set(state, index);
    }
    return index;
  };
}

/** New credentials, always from `crypto`, in the shapes the vendors use. */
export const newSecret = {
  uuid: (): string => randomUUID(),
  hex: (bytes: number): string => randomBytes(bytes).toString('hex'),
  prefixed: (prefix: string, bytes: number): string => prefix + randomBytes(bytes).toString('hex'),
};
