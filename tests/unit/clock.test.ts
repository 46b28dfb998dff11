import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Clock } from '../../src/clock.js';
import { MemoryStore } from '../../src/state/memory-store.js';

/** Real time that moves 5 ms every time it is read, as it does on a loaded machine. */
function slowRealTime(start: number): () => number {
  let now = start;
  return () => (now += 5);
}

test('a move answers the clock at the instant of the change, however long the store takes', async () => {
  const clock = new Clock(new MemoryStore(), slowRealTime(Date.UTC(2026, 0, 1)));
  const running = await clock.move('default', { set: '2030-06-01T12:00:00Z' });
  assert.deepEqual(
    { now: running.now, frozen: running.frozen },
    { now: '2030-06-01T12:00:00.000Z', frozen: false },
  );
  const advanced = await clock.move('default', { advance: 'PT1H' });
  assert.ok(advanced.now > '2030-06-01T13:00:00.000Z', 'it ran on between the two moves');
  // It runs on afterwards: a later read is later than the answer.
  assert.ok((await clock.read('default')).now > advanced.now);
});

test('a frozen move answers exactly where it froze, with the offset from real time then', async () => {
  const realNow = slowRealTime(Date.UTC(2026, 0, 1));
  const clock = new Clock(new MemoryStore(), realNow);
  const frozen = await clock.move('default', { set: '2027-01-01T00:00:00Z', frozen: true });
  assert.equal(frozen.now, '2027-01-01T00:00:00.000Z');
  assert.equal(frozen.frozen, true);
  assert.ok(frozen.offsetMs > 0);
});
