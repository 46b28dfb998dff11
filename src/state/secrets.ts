import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

interface Digest {
  bytes: Buffer;
  /** The bytes as a string, for a Map key. */
  key: string;
}

function digestOf(secret: string): Digest {
  const bytes = createHash('sha256').update(secret, 'utf8').digest();
  return { bytes, key: bytes.toString('latin1') };
}

/**
 * Digests of the secrets in the states, remembered: a state changes one credential at a time, and
 * rebuilding an index would otherwise hash every stored secret again. Bounded: past the limit the
 * memory starts over (a cache, nothing is lost). Only stored secrets go in, never presented ones.
 */
const storedDigests = new Map<string, Digest>();
const STORED_DIGESTS_LIMIT = 100_000;

function storedDigestOf(secret: string): Digest {
  let digest = storedDigests.get(secret);
  if (digest === undefined) {
    if (storedDigests.size >= STORED_DIGESTS_LIMIT) storedDigests.clear();
    digest = digestOf(secret);
    storedDigests.set(secret, digest);
  }
  return digest;
}

/** Compares two secrets in constant time (their digests, so unequal lengths leak nothing either). */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digestOf(a).bytes, digestOf(b).bytes);
}

/**
 * Finds what a presented secret belongs to without comparing it, character by character, to every
 * stored secret: the lookup is by SHA-256 digest, and the match is confirmed in constant time.
 */
export class SecretIndex<T> {
  private readonly byDigest = new Map<string, { digest: Buffer; owner: T }>();

  constructor(entries: Iterable<readonly [secret: string, owner: T]>) {
    for (const [secret, owner] of entries) {
      const digest = storedDigestOf(secret);
      this.byDigest.set(digest.key, { digest: digest.bytes, owner });
    }
  }

  find(presented: string): T | undefined {
    const digest = digestOf(presented);
    const entry = this.byDigest.get(digest.key);
    return entry && timingSafeEqual(entry.digest, digest.bytes) ? entry.owner : undefined;
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
