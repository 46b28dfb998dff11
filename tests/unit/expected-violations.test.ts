import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  declaredByHeader,
  ExpectedViolations,
  MAX_EXPECTED_REASON_LENGTH,
} from '../../src/engine/expected-violations.js';
import { MemoryStore } from '../../src/state/memory-store.js';
import { OutcomeUnknownError, StoreUnavailableError } from '../../src/state/store.js';

test('X-Standin-Expect-Violation: true declares, a text declares with it as the reason, false or empty declares nothing', () => {
  const header = (value: string | undefined) =>
    declaredByHeader(value === undefined ? {} : { 'x-standin-expect-violation': value });
  assert.equal(header(undefined), undefined);
  assert.equal(header(''), undefined);
  assert.equal(header(' FALSE '), undefined);
  assert.deepEqual(header('True'), {});
  assert.deepEqual(header(' missing token\tby design '), { reason: 'missing token by design' });
  assert.equal(header('x'.repeat(500))?.reason?.length, MAX_EXPECTED_REASON_LENGTH);
});

test('a mark is counted down once per violating request, then leaves violations unexpected', async () => {
  const marks = new ExpectedViolations(new MemoryStore());
  assert.deepEqual(await marks.expect('ci', 2, 'negative'), { remaining: 2, reason: 'negative' });
  assert.deepEqual(await marks.take('ci'), { reason: 'negative' });
  assert.deepEqual(await marks.take('other'), undefined, 'another namespace has no mark');
  assert.deepEqual(await marks.take('ci'), { reason: 'negative' });
  assert.equal(await marks.take('ci'), undefined);
  assert.deepEqual(await marks.read('ci'), { remaining: 0, reason: 'negative' });
});

test('when the store cannot say whether a mark was used, the violation counts as unexpected: none is ever hidden', async () => {
  for (const failure of [new StoreUnavailableError('away'), new OutcomeUnknownError('no answer')]) {
    const store = new MemoryStore();
    const marks = new ExpectedViolations(store);
    await marks.expect('ci', 1);
    store.update = () => Promise.reject(failure);
    assert.equal(await marks.take('ci'), undefined, failure.name);
  }
});
