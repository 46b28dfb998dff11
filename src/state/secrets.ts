import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/** SHA-256 of a secret; injectable so that a test can count how many secrets an index digests. */
export type Hasher = (secret: string) => Buffer;

const sha256: Hasher = (secret) => createHash('sha256').update(secret, 'utf8').digest();

/** The digest's bytes as a string, for a Map key. */
const keyOf = (digest: Buffer): string => digest.toString('latin1');

/** Compares two secrets in constant time (their digests, so unequal lengths leak nothing either). */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

interface Entry<T> {
  digest: Buffer;
  owner: T;
}

/** What changes between a state and the next one: the secrets that go, and those that come. */
export interface SecretChange<T> {
  remove?: Iterable<string>;
  add?: Iterable<readonly [secret: string, owner: T]>;
}

/**
 * Finds what a presented secret belongs to without comparing it, character by character, to every
 * stored secret: the lookup is by SHA-256 digest, and the match is confirmed in constant time.
 *
 * An index is persistent: `with` answers the index of the next state in O(changed), digesting only
 * the secrets that changed, and this one keeps answering for its own state. The newest index of a
 * line holds the Map; `with` hands it over and keeps, instead, the entries it had that the newer
 * one has not (a lookup here walks to the newest, the first such entry on the way decides). Only
 * the newest is asked on the hot path; an older state is asked rarely (a request that read it
 * before a change), and an index derived from an older one starts a Map of its own.
 */
export class SecretIndex<T> {
  /** Present on the newest index of its line. */
  private byDigest: Map<string, Entry<T>> | undefined;
  /** Otherwise: the newer index, and this one's entries (undefined: none) where they differ from it. */
  private newer: SecretIndex<T> | undefined = undefined;
  private differences: Map<string, Entry<T> | undefined> | undefined = undefined;
  /** Two owners of one secret (a fixture repeating one): the last wins, as when it was built. */
  private readonly repeated: boolean;

  constructor(
    entries: Iterable<readonly [secret: string, owner: T]>,
    private readonly hash: Hasher = sha256,
  ) {
    const byDigest = new Map<string, Entry<T>>();
    let repeated = false;
    for (const [secret, owner] of entries) {
      const digest = hash(secret);
      const key = keyOf(digest);
      if (byDigest.has(key)) repeated = true;
      byDigest.set(key, { digest, owner });
    }
    this.byDigest = byDigest;
    this.repeated = repeated;
  }

  find(presented: string): T | undefined {
    const digest = this.hash(presented);
    const entry = this.entry(keyOf(digest));
    return entry && timingSafeEqual(entry.digest, digest) ? entry.owner : undefined;
  }

  /**
   * This index with `change` applied, in O(changed): only the changed secrets are digested.
   * Undefined when that would not be exactly the index a rebuild makes (a secret held by two
   * owners): the caller then builds the next index from the whole state.
   */
  with(change: SecretChange<T>): SecretIndex<T> | undefined {
    if (this.repeated) return undefined;
    const removed = [...(change.remove ?? [])].map((secret) => keyOf(this.hash(secret)));
    const added = [...(change.add ?? [])].map(([secret, owner]) => {
      const digest = this.hash(secret);
      return { key: keyOf(digest), entry: { digest, owner } };
    });
    const gone = new Set(removed);
    const addedKeys = new Set<string>();
    for (const { key } of added) {
      if (addedKeys.has(key) || (!gone.has(key) && this.entry(key) !== undefined)) return undefined;
      addedKeys.add(key);
    }
    const handOver = this.byDigest !== undefined;
    const byDigest = this.byDigest ?? SecretIndex.copyOf(this);
    const differences = new Map<string, Entry<T> | undefined>();
    for (const key of [...removed, ...addedKeys]) {
      if (!differences.has(key)) differences.set(key, byDigest.get(key));
    }
    for (const key of removed) byDigest.delete(key);
    for (const { key, entry } of added) byDigest.set(key, entry);
    const next = new SecretIndex<T>([], this.hash);
    next.byDigest = byDigest;
    if (handOver) {
      // The Map now answers for the next state: this index keeps what it had that the next has not.
      this.byDigest = undefined;
      this.newer = next;
      this.differences = differences;
    }
    return next;
  }

  private entry(key: string): Entry<T> | undefined {
    return SecretIndex.entryFrom(this, key);
  }

  /** Walked in a loop, not by recursion: a state kept long ago may be thousands of changes back. */
  private static entryFrom<T>(start: SecretIndex<T>, key: string): Entry<T> | undefined {
    for (let index: SecretIndex<T> | undefined = start; index; index = index.newer) {
      if (index.byDigest) return index.byDigest.get(key);
      if (index.differences?.has(key)) return index.differences.get(key);
    }
    return undefined;
  }

  /** The older index's entries in a Map of their own: the newest Map, changed back on the way. */
  private static copyOf<T>(start: SecretIndex<T>): Map<string, Entry<T>> {
    const line: Array<Map<string, Entry<T> | undefined>> = [];
    let index = start;
    while (!index.byDigest && index.newer && index.differences) {
      line.push(index.differences);
      index = index.newer;
    }
    const byDigest = new Map(index.byDigest);
    for (const differences of line.reverse()) {
      for (const [key, entry] of differences) {
        if (entry) byDigest.set(key, entry);
        else byDigest.delete(key);
      }
    }
    return byDigest;
  }
}

/** A state's index, built once per state value; `derive` and `carry` make it from the previous one. */
export interface IndexPer<S extends object, T> {
  (state: S): SecretIndex<T>;
  /**
   * Records `next`'s index as `previous`'s with `change` applied: the secrets of `next` are those
   * of `previous`, less `change.remove`, plus `change.add`. Without an index of `previous` yet (or
   * one that cannot be derived), `next`'s is built from the whole state when first asked for.
   */
  derive(previous: S, next: S, change: SecretChange<T>): void;
  /** `next` holds exactly the secrets of `previous`, with the same owners: it shares its index. */
  carry(previous: S, next: S): void;
}

/**
 * An index per state value: states are immutable (a change is a new value), so the value itself
 * is the cache key. A handler that changes a state tells the index what changed (`derive`), so an
 * update digests only the secrets it changed, however many the state holds.
 */
export function indexPer<S extends object, T>(
  entriesOf: (state: S) => Iterable<readonly [string, T]>,
  hash: Hasher = sha256,
): IndexPer<S, T> {
  const cache = new WeakMap<S, SecretIndex<T>>();
  const indexOf = (state: S): SecretIndex<T> => {
    let index = cache.get(state);
    if (!index) {
      index = new SecretIndex(entriesOf(state), hash);
      cache.set(state, index);
    }
    return index;
  };
  return Object.assign(indexOf, {
    derive(previous: S, next: S, change: SecretChange<T>): void {
      const derived = cache.get(previous)?.with(change);
      if (derived) cache.set(next, derived);
    },
    carry(previous: S, next: S): void {
      const index = cache.get(previous);
      if (index) cache.set(next, index);
    },
  });
}

/** New credentials, always from `crypto`, in the shapes the vendors use. */
export const newSecret = {
  uuid: (): string => randomUUID(),
  hex: (bytes: number): string => randomBytes(bytes).toString('hex'),
  prefixed: (prefix: string, bytes: number): string => prefix + randomBytes(bytes).toString('hex'),
};
