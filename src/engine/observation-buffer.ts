import { randomUUID } from 'node:crypto';
import {
  OutcomeUnknownError,
  StoreUnavailableError,
  type RecordWrite,
  type Store,
} from '../state/store.js';

/** What an observation adds to, for counting what was lost. */
export type ObservationKind = 'journal' | 'violations' | 'coverage';

/** One request's journal entry, a request's violations, or a count of a served status. */
export interface Observation {
  /** The namespace whose lists and counters it goes to. */
  namespace: string;
  kind: ObservationKind;
  /** How many entries it stands for (journal entries, violations, coverage counts). */
  entries: number;
  /**
   * Entries of other kinds the same writes add (one request's journal entry, its coverage count
   * and its violations go to the store as one batch); counted apart when lost.
   */
  alongside?: ReadonlyArray<{ kind: ObservationKind; entries: number }>;
  writes: RecordWrite[];
}

/** Every kind an observation adds to, with its entries. */
function partsOf(observation: Observation): Array<{ kind: ObservationKind; entries: number }> {
  return [
    { kind: observation.kind, entries: observation.entries },
    ...(observation.alongside ?? []),
  ];
}

function entriesOf(observation: Observation): number {
  return partsOf(observation).reduce((sum, part) => sum + part.entries, 0);
}

export interface Backlog {
  /** Entries waiting in this process until the store takes them. */
  buffered: number;
  /** Entries this process could not keep since it started: the buffer was full, or it closed first. */
  lost: number;
}

/** The counters, in the store, of the entries of one kind that a namespace lost. */
export function lostKey(namespace: string, kind: ObservationKind): string {
  return `${namespace}/${kind}/lost`;
}

export const LOST_FIELD = 'entries';

export interface BufferOptions {
  /** How many observations may wait; past it, new ones are counted as lost instead of kept. */
  capacity: number;
  /** The first pause after a failed attempt (ms); each next one twice as long, up to `maxPauseMs`. */
  minPauseMs?: number;
  maxPauseMs?: number;
}

interface Pending {
  sequence: number;
  writes: RecordWrite[];
  /** Entries counted as buffered (0 for a tally of losses). */
  entries: number;
  /** For a tally: the losses it counts, by namespace and kind; it grows until first sent. */
  tally?: Map<string, { namespace: string; kind: ObservationKind; entries: number }>;
  /** Once sent, its writes are what the store may have applied: they never change again. */
  sent: boolean;
  waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }>;
}

/** Batches per call to the store: a backlog goes in chunks, and a call stays short. */
const BATCHES_PER_CALL = 200;

/**
 * Observations (the journal, violations, coverage) on their way to the store, in order. While the
 * store takes them, each goes at once (many in one call when several wait). When it does not, they
 * wait here, at most `capacity` of them, and are sent again, in order, until the store is back;
 * past the capacity they are counted as lost: here (`backlog`) and, once the store is back, in the
 * store (`lostKey`), so that every replica's journal reader learns of them.
 *
 * A call that timed out may still have been applied by Redis. Sending it again is safe: each
 * batch carries a sequence number of this buffer (the writer), and the store applies a batch at
 * most once (Store.record). Since batches go strictly in order, the sequence alone tells which
 * were applied.
 */
export class ObservationBuffer {
  private readonly writer = randomUUID();
  private readonly queue: Pending[] = [];
  private nextSequence = 1;
  /** Every sequence up to this one was applied, or dropped. */
  private doneThrough = 0;
  private waitingItems = 0;
  private bufferedEntries = 0;
  private lostEntries = 0;
  /** The last attempt failed: a new observation is buffered without waiting for the store. */
  private away = false;
  private closed = false;
  /** Closed and given up: an attempt still in flight must not touch the (emptied) queue. */
  private abandoned = false;
  private draining: Promise<void> | undefined;
  /** Ends the pause after a failed attempt early (a reader wants what waits, or close). */
  private wake: (() => void) | undefined;
  private readonly settleWaiters: Array<{ through: number; resolve: () => void }> = [];

  constructor(
    private readonly store: Pick<Store, 'record'>,
    private readonly options: BufferOptions,
  ) {}

  /**
   * Hands an observation over. Resolves once the store took it, or once the store failed to (it
   * is kept here then, or counted as lost): never waits for the store to come back. Rejects only
   * when the store refused it for another reason than being away (a bug).
   */
  submit(observation: Observation): Promise<void> {
    if (this.closed || this.waitingItems >= this.options.capacity) {
      this.lose(observation);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiters = this.away ? [] : [{ resolve, reject }];
      if (this.away) resolve();
      this.queue.push({
        sequence: this.nextSequence++,
        writes: observation.writes,
        entries: entriesOf(observation),
        sent: false,
        waiters,
      });
      this.waitingItems += 1;
      this.bufferedEntries += entriesOf(observation);
      this.startDraining();
    });
  }

  /**
   * Resolves when every observation handed over before the call has reached the store, or the
   * next attempt to send them failed: a reader of the journal then sees this process's entries.
   */
  settle(): Promise<void> {
    const through = this.nextSequence - 1;
    if (through <= this.doneThrough || this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.settleWaiters.push({ through, resolve });
      this.wake?.();
      this.startDraining();
    });
  }

  backlog(): Backlog {
    return { buffered: this.bufferedEntries, lost: this.lostEntries };
  }

  /**
   * Stops taking observations (new ones are counted as lost) and tries, for at most `graceMs`,
   * to send what waits. Answers how many entries were lost now: they were still waiting (or in
   * flight, and so perhaps applied after all).
   */
  async close(graceMs: number): Promise<number> {
    this.closed = true;
    const deadline = performance.now() + graceMs;
    // Bounded by the deadline: each turn is one attempt, then a short pause if it failed.
    while (this.queue.length > 0 && performance.now() < deadline) {
      this.wake?.();
      this.startDraining();
      await Promise.race([this.draining ?? Promise.resolve(), sleep(deadline - performance.now())]);
      const left = deadline - performance.now();
      if (this.queue.length > 0 && left > 0) await sleep(Math.min(left, 100));
    }
    this.abandoned = true;
    const lostNow = this.bufferedEntries;
    this.lostEntries += lostNow;
    this.bufferedEntries = 0;
    this.waitingItems = 0;
    for (const item of this.queue.splice(0)) this.release(item);
    this.doneThrough = this.nextSequence - 1;
    this.settleAll();
    return lostNow;
  }

  private lose(observation: Observation): void {
    this.lostEntries += entriesOf(observation);
    if (this.closed) return;
    // The losses go to the store too, in a tally at the end of the queue (counted once, like a
    // batch): the last one, as long as it was never sent, else a new one.
    const last = this.queue.at(-1);
    const tally =
      last?.tally && !last.sent
        ? last
        : this.enqueueTally(
            new Map<string, { namespace: string; kind: ObservationKind; entries: number }>(),
          );
    for (const { kind, entries } of partsOf(observation)) {
      const id = `${kind} ${observation.namespace}`;
      const counted = tally.tally?.get(id);
      if (counted) counted.entries += entries;
      else tally.tally?.set(id, { namespace: observation.namespace, kind, entries });
    }
    this.startDraining();
  }

  private enqueueTally(tally: NonNullable<Pending['tally']>): Pending {
    const item: Pending = {
      sequence: this.nextSequence++,
      writes: [],
      entries: 0,
      tally,
      sent: false,
      waiters: [],
    };
    this.queue.push(item);
    return item;
  }

  private startDraining(): void {
    if (this.draining || this.abandoned) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      // One handed over between the loop's last look at the queue and now must not be stranded.
      if (!this.closed && this.queue.length > 0) this.startDraining();
    });
  }

  /**
   * Sends what waits, in order, until nothing does. While the store is away: one attempt, then a
   * pause (growing up to maxPauseMs), until it is back or the buffer closes.
   */
  private async drain(): Promise<void> {
    const minPause = this.options.minPauseMs ?? 100;
    let pause = minPause;
    while (this.queue.length > 0) {
      const chunk = this.queue.slice(0, BATCHES_PER_CALL);
      for (const item of chunk) this.seal(item);
      try {
        await this.store.record(
          this.writer,
          chunk.map(({ sequence, writes }) => ({ sequence, writes })),
        );
      } catch (error) {
        if (this.abandoned) return;
        if (!(error instanceof StoreUnavailableError || error instanceof OutcomeUnknownError)) {
          // Not the store being away: the same batches would fail forever. Dropped as lost, and
          // the error goes to whoever waits for them.
          this.drop(chunk, error);
          continue;
        }
        this.away = true;
        for (const item of this.queue) this.release(item);
        this.settleAll();
        if (this.closed) return;
        await this.pauseFor(pause);
        pause = Math.min(pause * 2, this.options.maxPauseMs ?? 1000);
        continue;
      }
      if (this.abandoned) return;
      this.away = false;
      pause = minPause;
      this.remove(chunk);
      for (const item of chunk) this.release(item);
      this.settleDone();
    }
  }

  /** A tally's writes are fixed when it is first sent: what the store may have applied. */
  private seal(item: Pending): void {
    if (item.sent) return;
    item.sent = true;
    if (!item.tally) return;
    item.writes = [...item.tally.values()].map(({ namespace, kind, entries }) => ({
      kind: 'increment',
      key: lostKey(namespace, kind),
      field: LOST_FIELD,
      by: entries,
    }));
  }

  private remove(chunk: readonly Pending[]): void {
    this.queue.splice(0, chunk.length);
    for (const item of chunk) {
      if (!item.tally) this.waitingItems -= 1;
      this.bufferedEntries -= item.entries;
    }
    this.doneThrough = chunk.at(-1)?.sequence ?? this.doneThrough;
  }

  private drop(chunk: readonly Pending[], error: unknown): void {
    this.remove(chunk);
    for (const item of chunk) {
      this.lostEntries += item.entries;
      for (const waiter of item.waiters.splice(0)) waiter.reject(error);
    }
    this.settleDone();
  }

  private release(item: Pending): void {
    for (const waiter of item.waiters.splice(0)) waiter.resolve();
  }

  private settleDone(): void {
    for (let index = this.settleWaiters.length - 1; index >= 0; index -= 1) {
      const waiter = this.settleWaiters[index];
      if (waiter && waiter.through <= this.doneThrough) {
        this.settleWaiters.splice(index, 1);
        waiter.resolve();
      }
    }
  }

  private settleAll(): void {
    for (const waiter of this.settleWaiters.splice(0)) waiter.resolve();
  }

  private pauseFor(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      // A buffer nobody closed must not keep the process alive.
      timer.unref();
      this.wake = done;
    });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
