import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  LOST_FIELD,
  lostKey,
  ObservationBuffer,
  type Observation,
} from '../../src/engine/observation-buffer.js';
import { MemoryStore } from '../../src/state/memory-store.js';
import { StoreUnavailableError, type RecordBatch, type Store } from '../../src/state/store.js';
import { eventually } from '../support/eventually.js';

/**
 * A store that can be away, or apply a call and then fail it as a timeout would (Redis ran it,
 * the answer never came). What it applied is kept in a memory store, which applies a writer's
 * batch at most once, as the Redis one does.
 */
class FlakyStore implements Pick<Store, 'record'> {
  readonly applied = new MemoryStore();
  away = false;
  /** Calls still to be applied and then failed. */
  appliedThenFailed = 0;
  /** A refusal that is not the store being away (a bug). */
  refusal: Error | undefined;
  readonly calls: number[][] = [];

  async record(writer: string, batches: readonly RecordBatch[]): Promise<void> {
    this.calls.push(batches.map((batch) => batch.sequence));
    if (this.refusal) throw this.refusal;
    if (this.away) throw new StoreUnavailableError('Redis is not available');
    await this.applied.record(writer, batches);
    if (this.appliedThenFailed > 0) {
      this.appliedThenFailed -= 1;
      throw new StoreUnavailableError('Command timed out');
    }
  }

  async journal(): Promise<number[]> {
    return (await this.applied.list<{ n: number }>('ns/journal')).map((entry) => entry.n);
  }
}

function journalEntry(n: number): Observation {
  return {
    namespace: 'ns',
    kind: 'journal',
    entries: 1,
    writes: [{ kind: 'append', key: 'ns/journal', value: { n }, max: 100 }],
  };
}

const quickly = { minPauseMs: 2, maxPauseMs: 5 };

async function drained(buffer: ObservationBuffer): Promise<void> {
  const backlog = await eventually(
    () => buffer.backlog(),
    ({ buffered }) => buffered === 0,
  );
  assert.equal(backlog.buffered, 0, 'everything buffered reached the store');
}

test(
  'one observation after another, each awaited, each reaches the store',
  { timeout: 5000 },
  async () => {
    const store = new FlakyStore();
    const buffer = new ObservationBuffer(store, { capacity: 100, ...quickly });
    // Each submit lands just as the previous drain ends: none may be left waiting for a next one.
    for (let n = 1; n <= 5; n += 1) await buffer.submit(journalEntry(n));
    assert.deepEqual(await store.journal(), [1, 2, 3, 4, 5]);
    assert.deepEqual(buffer.backlog(), { buffered: 0, lost: 0 });
  },
);

test('while the store is away, observations wait without holding anyone, then follow in order', async () => {
  const store = new FlakyStore();
  const buffer = new ObservationBuffer(store, { capacity: 100, ...quickly });
  store.away = true;
  // Each resolves: whoever records a request never waits for the store to come back.
  await Promise.all([1, 2, 3].map((n) => buffer.submit(journalEntry(n))));
  assert.deepEqual(buffer.backlog(), { buffered: 3, lost: 0 });
  store.away = false;
  await drained(buffer);
  assert.deepEqual(await store.journal(), [1, 2, 3]);
  assert.deepEqual(buffer.backlog(), { buffered: 0, lost: 0 });
});

test('a call applied but never answered is sent again, and nothing is counted twice', async () => {
  const store = new FlakyStore();
  const buffer = new ObservationBuffer(store, { capacity: 100, ...quickly });
  store.appliedThenFailed = 1;
  await buffer.submit(journalEntry(1));
  await buffer.submit(journalEntry(2));
  await drained(buffer);
  assert.deepEqual(await store.journal(), [1, 2]);
  assert.ok(store.calls.length >= 2, 'the first call went again');
  assert.equal(store.calls[1]?.[0], 1, 'with the same sequence');
});

test('past its capacity, observations are counted as lost: here, and in the store once it is back', async () => {
  const store = new FlakyStore();
  const buffer = new ObservationBuffer(store, { capacity: 2, ...quickly });
  store.away = true;
  for (let n = 1; n <= 5; n += 1) await buffer.submit(journalEntry(n));
  assert.deepEqual(buffer.backlog(), { buffered: 2, lost: 3 });
  store.away = false;
  await drained(buffer);
  assert.deepEqual(await store.journal(), [1, 2]);
  assert.deepEqual(await store.applied.counters(lostKey('ns', 'journal')), { [LOST_FIELD]: 3 });
  assert.deepEqual(buffer.backlog(), { buffered: 0, lost: 3 });
});

test('closing while the store is away answers how many entries were lost, and takes no more', async () => {
  const store = new FlakyStore();
  const buffer = new ObservationBuffer(store, { capacity: 100, ...quickly });
  store.away = true;
  await buffer.submit(journalEntry(1));
  await buffer.submit(journalEntry(2));
  const started = performance.now();
  assert.equal(await buffer.close(50), 2);
  assert.ok(performance.now() - started < 1000, 'closing is bounded by its grace');
  await buffer.submit(journalEntry(3));
  assert.deepEqual(buffer.backlog(), { buffered: 0, lost: 3 });
  store.away = false;
  assert.deepEqual(await store.journal(), [], 'nothing was sent after the close');
});

test('closing with the store there hands over what waits', async () => {
  const store = new FlakyStore();
  const buffer = new ObservationBuffer(store, { capacity: 100, ...quickly });
  store.away = true;
  await buffer.submit(journalEntry(1));
  store.away = false;
  assert.equal(await buffer.close(1000), 0);
  assert.deepEqual(await store.journal(), [1]);
});

test('a refusal that is not the store being away reaches the caller and is not tried forever', async () => {
  const store = new FlakyStore();
  const buffer = new ObservationBuffer(store, { capacity: 100, ...quickly });
  store.refusal = new Error('ERR a bug in a script');
  await assert.rejects(buffer.submit(journalEntry(1)), /a bug in a script/);
  assert.deepEqual(buffer.backlog(), { buffered: 0, lost: 1 });
  store.refusal = undefined;
  await buffer.submit(journalEntry(2));
  assert.deepEqual(await store.journal(), [2]);
});

test('settle resolves once what was handed over before it is in the store', async () => {
  const store = new FlakyStore();
  const buffer = new ObservationBuffer(store, { capacity: 100, ...quickly });
  store.away = true;
  void buffer.submit(journalEntry(1));
  await buffer.settle(); // the store is away: settle does not wait for it
  store.away = false;
  void buffer.submit(journalEntry(2));
  await buffer.settle();
  assert.deepEqual(await store.journal(), [1, 2]);
});
