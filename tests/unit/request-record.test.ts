import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Clock } from '../../src/clock.js';
import { Faults } from '../../src/engine/faults.js';
import { readSnapshot } from '../../src/engine/namespace-snapshot.js';
import { lostKey, ObservationBuffer } from '../../src/engine/observation-buffer.js';
import {
  Observations,
  type JournalEntry,
  type RequestObservations,
  type Violation,
} from '../../src/engine/observations.js';
import { RateLimitSwitches } from '../../src/state/rate-limit-switches.js';
import { MemoryStore } from '../../src/state/memory-store.js';
import type { RecordBatch, Store } from '../../src/state/store.js';

interface Watched {
  store: Store;
  calls: string[];
  batches: RecordBatch[][];
  /** Holds every `record` call from now on; the function it answers lets them go. */
  hold: () => () => void;
}

/** A memory store that notes every call made to it, and can hold `record` calls until let go. */
function watched(): Watched {
  const inner = new MemoryStore();
  const calls: string[] = [];
  const batches: RecordBatch[][] = [];
  let gate: Promise<void> | undefined;
  const store = new Proxy(inner, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        calls.push(String(name));
        if (name === 'record') {
          batches.push(args[1] as RecordBatch[]);
          await gate;
        }
        return (value as (...parameters: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return {
    store,
    calls,
    batches,
    hold() {
      let open: () => void = () => undefined;
      gate = new Promise((resolve) => (open = resolve));
      return () => {
        gate = undefined;
        open();
      };
    },
  };
}

test('a request reads its namespace (clock, faults, rate-limit switches) in one store call', async () => {
  const { store, calls } = watched();
  const clock = new Clock(store);
  const rateLimits = new RateLimitSwitches(store, new Set(['gorules']));
  await clock.move('ns', { advance: 'P1D' });
  await new Faults(store).add('ns', { vendor: 'thousandeyes', status: 503 });
  await rateLimits.set('ns', 'thousandeyes', true);
  calls.length = 0;
  const snapshot = await readSnapshot({ store, clock, rateLimits }, 'ns');
  assert.deepEqual(calls, ['getMany']);
  const dayAhead = Date.now() + 86_400_000;
  assert.ok(Math.abs(snapshot.now.getTime() - dayAhead) < 5000, 'the clock is a day ahead');
  assert.deepEqual(
    snapshot.faults.map((fault) => [fault.vendor, fault.status]),
    [['thousandeyes', 503]],
  );
  assert.equal(snapshot.rateLimitOn('thousandeyes'), true);
  assert.equal(snapshot.rateLimitOn('gorules'), true, 'on since the start');
  assert.equal(snapshot.rateLimitOn('pocketpaw'), false);
  // A namespace never touched: real time, no faults, the switches standin started with.
  const fresh = await readSnapshot({ store, clock, rateLimits }, 'other');
  assert.ok(Math.abs(fresh.now.getTime() - Date.now()) < 5000);
  assert.deepEqual(fresh.faults, []);
  assert.equal(fresh.rateLimitOn('gorules'), true);
});

const entry: JournalEntry = {
  time: '2030-01-01T00:00:00.000Z',
  namespace: 'ns',
  vendor: 'thousandeyes',
  operationId: 'regenerateApiToken',
  method: 'POST',
  path: '/thousandeyes/v7/api-tokens',
  status: 400,
  durationMs: 1,
  credential: null,
};
const violation: Violation = {
  in: 'body',
  pointer: '',
  message: 'is not valid',
  time: entry.time,
  namespace: 'ns',
  direction: 'request',
  vendor: 'thousandeyes',
  operationId: 'regenerateApiToken',
  method: 'POST',
  path: entry.path,
  status: 400,
  expected: false,
};
const observed: RequestObservations = {
  home: 'ns',
  entry,
  served: { vendor: 'thousandeyes', operationId: 'regenerateApiToken', statusKey: '400' },
  violations: [violation, { ...violation, message: 'is still not valid' }],
};

test("one request's journal entry, coverage count and violations go to the store as one batch", async () => {
  const { store, batches } = watched();
  const observations = new Observations(store, new Clock(store), 100);
  await observations.record(Promise.resolve(observed));
  assert.equal(batches.length, 1, 'one call to the store');
  assert.equal(batches[0]?.length, 1, 'one batch');
  assert.deepEqual(
    batches[0]?.[0]?.writes.map((write) => `${write.kind} ${write.key}`),
    [
      'append ns/journal',
      'append ns/violations',
      'append ns/violations',
      'increment ns/coverage',
      'increment namespaces',
    ],
  );
  assert.equal((await observations.journal('ns')).length, 1);
  assert.equal((await observations.violations('ns')).length, 2);
  assert.deepEqual(Object.fromEntries(await observations.served('ns')), {
    'thousandeyes regenerateApiToken 400': 1,
  });
});

test('a reader waits for a request still being recorded; the request itself never does', async () => {
  const { store, hold } = watched();
  const observations = new Observations(store, new Clock(store), 100);
  const release = hold();
  let gathered: (observations: RequestObservations) => void = () => undefined;
  // The record step is still reading the store (a mark of expected violations, the clock).
  const recorded = observations.record(new Promise((resolve) => (gathered = resolve)));
  let read = false;
  const reading = observations.violations('ns').then((violations) => {
    read = true;
    return violations;
  });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(read, false, 'the reader waits for the request being recorded');
  gathered(observed);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(read, false, 'and for the store to take it');
  release();
  assert.equal((await reading).length, 2);
  await recorded;
});

test('a batch of several kinds that is lost is counted as lost for each kind', async () => {
  const lost = new MemoryStore();
  const buffer = new ObservationBuffer(lost, { capacity: 0 });
  await buffer.submit({
    namespace: 'ns',
    kind: 'journal',
    entries: 1,
    alongside: [
      { kind: 'violations', entries: 2 },
      { kind: 'coverage', entries: 1 },
    ],
    writes: [],
  });
  assert.deepEqual(buffer.backlog(), { buffered: 0, lost: 4 });
  await buffer.settle();
  assert.deepEqual(await lost.counters(lostKey('ns', 'journal')), { entries: 1 });
  assert.deepEqual(await lost.counters(lostKey('ns', 'violations')), { entries: 2 });
  assert.deepEqual(await lost.counters(lostKey('ns', 'coverage')), { entries: 1 });
});
