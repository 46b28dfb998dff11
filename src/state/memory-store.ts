import type { Decision, Store } from './store.js';

/**
 * The default store: one process, values in a Map. A value is frozen (deeply) when written, so
 * what `get` hands out can be shared without copying, and a handler that changes a value in place
 * instead of building the next one fails loudly rather than corrupting state. `update` is atomic
 * because `decide` is synchronous and JavaScript runs it to the end without interleaving.
 */
export class MemoryStore implements Store {
  private readonly values = new Map<string, unknown>();

  get<T>(key: string): Promise<T | undefined> {
    return Promise.resolve(this.values.get(key) as T | undefined);
  }

  set(key: string, value: unknown): Promise<void> {
    this.values.set(key, deepFreeze(value));
    return Promise.resolve();
  }

  update<T, R>(key: string, decide: (current: T | undefined) => Decision<T, R>): Promise<R> {
    try {
      const decision = decide(this.values.get(key) as T | undefined);
      if ('value' in decision && decision.value !== undefined)
        this.values.set(key, deepFreeze(decision.value));
      return Promise.resolve(decision.result);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  deletePrefix(prefix: string): Promise<void> {
    for (const key of [...this.values.keys()]) if (key.startsWith(prefix)) this.values.delete(key);
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.values.clear();
    return Promise.resolve();
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const child of Object.values(value)) deepFreeze(child);
  return Object.freeze(value);
}
