import { deepFreeze } from './immutable.js';
import { StoreUnavailableError, type Decision } from './store.js';

/** What one attempt of a batch read: the stored text (null: no value) and its parsed value. */
export interface Snapshot {
  raw: string | null;
  value: unknown;
}

/** How a group commit reaches the shared store. */
export interface CommitTarget {
  read(key: string): Promise<Snapshot>;
  /** Writes `next` only if the key still holds `read` (compare-and-set); false when it did not. */
  write(key: string, read: string | null, next: unknown): Promise<boolean>;
}

interface Waiting {
  decide: (current: unknown) => Decision<unknown, unknown>;
  resolve: (result: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; result: unknown } | { ok: false; error: unknown };

/** How often a batch is tried again when another replica changed the value first. */
const MAX_ATTEMPTS = 100;

/**
 * Updates of one key, from this process, go to the shared store in batches: one read, every
 * waiting decision applied in arrival order (each sees the value the previous one left), one
 * compare-and-set. Without it, 32 requests rotating keys in one vendor state would race each
 * other on that one key, and all but one would read again, again and again. Only writers in
 * other replicas can still make a batch try again. Decisions must be pure (the Store contract
 * says so), since a batch may run them more than once.
 */
export class GroupCommit {
  private readonly waiting = new Map<string, Waiting[]>();

  constructor(private readonly target: CommitTarget) {}

  update<T, R>(key: string, decide: (current: T | undefined) => Decision<T, R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const entry: Waiting = {
        decide: decide as Waiting['decide'],
        resolve: resolve as Waiting['resolve'],
        reject,
      };
      const queue = this.waiting.get(key);
      if (queue) {
        queue.push(entry);
        return;
      }
      this.waiting.set(key, [entry]);
      void this.drain(key);
    });
  }

  /** Commits batches for the key until nothing waits; the map entry marks the drain as running. */
  private async drain(key: string): Promise<void> {
    for (;;) {
      const batch = this.waiting.get(key) ?? [];
      if (batch.length === 0) {
        this.waiting.delete(key);
        return;
      }
      this.waiting.set(key, []);
      try {
        const outcomes = await this.commit(key, batch);
        batch.forEach((entry, index) => {
          const outcome = outcomes[index];
          if (outcome?.ok) entry.resolve(outcome.result);
          else entry.reject(outcome?.error);
        });
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
  }

  private async commit(key: string, batch: readonly Waiting[]): Promise<Outcome[]> {
    for (let attempt = 1; ; attempt += 1) {
      const snapshot = await this.target.read(key);
      let value = snapshot.value;
      let changed = false;
      const outcomes = batch.map((entry): Outcome => {
        try {
          const decision = entry.decide(value);
          if ('value' in decision && decision.value !== undefined) {
            value = deepFreeze(decision.value);
            changed = true;
          }
          return { ok: true, result: decision.result };
        } catch (error) {
          // A refusal: this decision changes nothing, the others in the batch go on.
          return { ok: false, error };
        }
      });
      if (!changed || (await this.target.write(key, snapshot.raw, value))) return outcomes;
      if (attempt >= MAX_ATTEMPTS) {
        throw new StoreUnavailableError(
          `${key} changed under ${MAX_ATTEMPTS} attempts in a row; too many writers at once`,
        );
      }
      // Another replica won: read again after a short random pause, so the replicas spread out.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(attempt, 20)));
    }
  }
}
