import { deepFreeze } from './immutable.js';
import type { Decision, RecordBatch, Store } from './store.js';

/**
 * The default store: one process, values in a Map. A value is frozen (deeply) when written, so
 * what `get` hands out can be shared without copying, and a handler that changes a value in place
 * instead of building the next one fails loudly rather than corrupting state. The freeze stops at
 * what is frozen already (the parts a next state shares with the previous one), so a write costs
 * what it built, not the size of the state. `update` is atomic because `decide` is synchronous and
 * JavaScript runs it to the end without interleaving.
 */
export class MemoryStore implements Store {
  private readonly values = new Map<string, unknown>();
  private readonly lists = new Map<string, CappedList>();
  private readonly counterSets = new Map<string, Map<string, number>>();
  /** Each writer's last applied sequence (see `record`). */
  private readonly writerSequences = new Map<string, number>();

  get<T>(key: string): Promise<T | undefined> {
    return Promise.resolve(this.values.get(key) as T | undefined);
  }

  getMany(keys: readonly string[]): Promise<Array<unknown>> {
    return Promise.resolve(keys.map((key) => this.values.get(key)));
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
    for (const map of [this.values, this.lists, this.counterSets]) {
      for (const key of [...map.keys()]) if (key.startsWith(prefix)) map.delete(key);
    }
    return Promise.resolve();
  }

  append(key: string, value: unknown, max: number): Promise<void> {
    let list = this.lists.get(key);
    if (!list) {
      list = new CappedList(max);
      this.lists.set(key, list);
    }
    list.push(deepFreeze(value));
    return Promise.resolve();
  }

  list<T>(key: string): Promise<T[]> {
    return Promise.resolve((this.lists.get(key)?.items() ?? []) as T[]);
  }

  increment(key: string, field: string, by = 1): Promise<void> {
    let counters = this.counterSets.get(key);
    if (!counters) {
      counters = new Map();
      this.counterSets.set(key, counters);
    }
    counters.set(field, (counters.get(field) ?? 0) + by);
    return Promise.resolve();
  }

  /** Never fails here, so never sent twice; the sequence check keeps the same contract anyway. */
  async record(writer: string, batches: readonly RecordBatch[]): Promise<void> {
    let last = this.writerSequences.get(writer) ?? 0;
    for (const batch of batches) {
      if (batch.sequence <= last) continue;
      for (const write of batch.writes) {
        if (write.kind === 'append') await this.append(write.key, write.value, write.max);
        else await this.increment(write.key, write.field, write.by);
      }
      last = batch.sequence;
    }
    this.writerSequences.set(writer, last);
  }

  counters(key: string): Promise<Record<string, number>> {
    return Promise.resolve(Object.fromEntries(this.counterSets.get(key) ?? []));
  }

  deleteCounter(key: string, field: string): Promise<void> {
    this.counterSets.get(key)?.delete(field);
    return Promise.resolve();
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.values.clear();
    this.lists.clear();
    this.counterSets.clear();
    this.writerSequences.clear();
    return Promise.resolve();
  }
}

/**
 * The newest `max` entries. Old ones are dropped in batches, so an append costs O(1) amortised
 * however long the list is.
 */
class CappedList {
  private entries: unknown[] = [];

  constructor(private readonly max: number) {}

  push(value: unknown): void {
    this.entries.push(value);
    if (this.entries.length >= this.max * 2) this.entries = this.entries.slice(-this.max);
  }

  items(): unknown[] {
    return this.entries.slice(-this.max);
  }
}
