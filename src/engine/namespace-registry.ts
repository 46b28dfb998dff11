import type { Store } from '../state/store.js';
import { DEFAULT_NAMESPACE } from './namespace.js';

/** The store's hash of every namespace in use, with how many requests each has served. */
export const NAMESPACES_KEY = 'namespaces';

export interface NamespaceSummary {
  name: string;
  /** Requests recorded in its journal since it was made. */
  requests: number;
}

/**
 * Which namespaces exist, bounded: each holds a copy of every vendor's state, a journal, faults
 * and counters, so a client that invents a new `X-Standin-Namespace` per request must not be able
 * to grow standin without end. A namespace is made by the first request that gets past routing
 * and credential reading (a 404, or a 401 for a missing credential, makes none); past
 * `max` (besides `default`) the request is refused until one is deleted. Refusing rather than
 * evicting the least recently used: a test whose namespace vanished between two calls would
 * see its state reset without a word, while a refusal says what to do.
 */
export class NamespaceRegistry {
  /** Names this process has seen admitted: most requests are settled without a store call. */
  private readonly known = new Set<string>([DEFAULT_NAMESPACE]);
  /** Creations run one at a time in this process, so the bound is exact here. */
  private creating: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    readonly max: number,
  ) {}

  /** True when the namespace exists or was made now; false when the bound refuses it. */
  admit(name: string): Promise<boolean> {
    if (this.known.has(name)) return Promise.resolve(true);
    const created = this.creating.then(() => this.create(name));
    this.creating = created.catch(() => undefined);
    return created;
  }

  /** True when the namespace is known to exist (without asking the store). */
  isKnown(name: string): boolean {
    return this.known.has(name);
  }

  async list(): Promise<NamespaceSummary[]> {
    const counters = await this.store.counters(NAMESPACES_KEY);
    const names = new Set([DEFAULT_NAMESPACE, ...Object.keys(counters)]);
    return [...names]
      .sort((a, b) =>
        a === DEFAULT_NAMESPACE ? -1 : b === DEFAULT_NAMESPACE ? 1 : a.localeCompare(b),
      )
      .map((name) => ({ name, requests: counters[name] ?? 0 }));
  }

  /** Deletes a namespace and everything in it; false when there was none of that name. */
  async delete(name: string): Promise<boolean> {
    const counters = await this.store.counters(NAMESPACES_KEY);
    const existed = name in counters || this.known.has(name);
    // The trailing slash: deleting `ci` must not touch `ci-2`.
    await this.store.deletePrefix(`${name}/`);
    await this.store.deleteCounter(NAMESPACES_KEY, name);
    this.known.delete(name);
    return existed;
  }

  private async create(name: string): Promise<boolean> {
    if (this.known.has(name)) return true;
    const counters = await this.store.counters(NAMESPACES_KEY);
    if (!(name in counters)) {
      const held = Object.keys(counters).filter((held) => held !== DEFAULT_NAMESPACE).length;
      if (held >= this.max) return false;
      await this.store.increment(NAMESPACES_KEY, name, 0);
    }
    // Names deleted by another replica linger here; a bound keeps them from piling up.
    if (this.known.size > this.max * 2) this.known.clear();
    this.known.add(name);
    this.known.add(DEFAULT_NAMESPACE);
    return true;
  }
}
