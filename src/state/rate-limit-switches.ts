import type { Store } from './store.js';

/**
 * Which vendors' rate limits are on, per namespace, in the store (so replicas agree). A reset
 * returns to what the server was started with (`--rate-limits`).
 */
export class RateLimitSwitches {
  constructor(
    private readonly store: Store,
    private readonly atStart: ReadonlySet<string>,
  ) {}

  async enabled(namespace: string, vendor: string): Promise<boolean> {
    return this.enabledIn(await this.store.get<string[]>(key(namespace)), vendor);
  }

  /** `enabled`, given the switches as read from `switchesKey` with other values (undefined: never set). */
  enabledIn(on: readonly string[] | undefined, vendor: string): boolean {
    return on === undefined ? this.atStart.has(vendor) : on.includes(vendor);
  }

  async set(namespace: string, vendor: string, enabled: boolean): Promise<void> {
    await this.store.update<string[], null>(key(namespace), (current) => {
      const on = new Set(current ?? this.atStart);
      if (enabled) on.add(vendor);
      else on.delete(vendor);
      return { value: [...on].sort(), result: null };
    });
  }

  /** Back to the start, and every counter forgotten. */
  async reset(namespace: string): Promise<void> {
    await this.store.deletePrefix(key(namespace));
    await this.store.deletePrefix(`${namespace}/rate/`);
  }
}

/** Where a namespace's rate-limit switches are in the store. */
export function switchesKey(namespace: string): string {
  return `${namespace}/rate-limits`;
}

const key = switchesKey;
