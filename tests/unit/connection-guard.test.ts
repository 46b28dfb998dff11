import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConnectionSlots } from '../../src/engine/connection-guard.js';

/** The guard's bookkeeping: which connection a newcomer displaces, and when it is refused. */

test('under the limit, every newcomer is admitted and nobody is displaced', () => {
  const slots = new ConnectionSlots<string>(3);
  assert.deepEqual(slots.admit('a'), { admitted: true });
  assert.deepEqual(slots.admit('b'), { admitted: true });
  assert.deepEqual(slots.admit('c'), { admitted: true });
  assert.equal(slots.size, 3);
});

test('at the limit, a newcomer displaces the connection idle the longest, which gives up its slot', () => {
  const slots = new ConnectionSlots<string>(3);
  for (const connection of ['a', 'b', 'c']) slots.admit(connection);
  assert.deepEqual(slots.admit('d'), { admitted: true, evict: 'a' });
  assert.deepEqual(slots.admit('e'), { admitted: true, evict: 'b' });
  assert.equal(slots.size, 3);
  // A displaced connection's own close, and a request it had begun, change nothing any more.
  slots.closed('a');
  slots.requestStarted('b');
  assert.equal(slots.size, 3);
  assert.deepEqual(slots.admit('f'), { admitted: true, evict: 'c' });
});

test('a connection with a request in flight is never displaced; when all are busy, the newcomer is refused', () => {
  const slots = new ConnectionSlots<string>(3);
  for (const connection of ['a', 'b', 'c']) slots.admit(connection);
  slots.requestStarted('a');
  slots.requestStarted('c');
  assert.deepEqual(slots.admit('d'), { admitted: true, evict: 'b' }, 'b is the only idle one');
  slots.requestStarted('d');
  assert.deepEqual(slots.admit('e'), { admitted: false });
  assert.equal(slots.size, 3, 'a refused newcomer holds no slot');
});

test('a keep-alive connection is idle again once its answer is done, and then the newest idle', () => {
  const slots = new ConnectionSlots<string>(3);
  for (const connection of ['a', 'b', 'c']) slots.admit(connection);
  // a served a request: it has been idle for less time than b and c, which never sent one.
  slots.requestStarted('a');
  slots.requestEnded('a');
  assert.deepEqual(slots.admit('d'), { admitted: true, evict: 'b' });
  assert.deepEqual(slots.admit('e'), { admitted: true, evict: 'c' });
  assert.deepEqual(slots.admit('f'), { admitted: true, evict: 'a' });
});

test('pipelined requests: the connection stays busy until the last answer is done', () => {
  const slots = new ConnectionSlots<string>(1);
  slots.admit('a');
  slots.requestStarted('a');
  slots.requestStarted('a');
  slots.requestEnded('a');
  assert.deepEqual(slots.admit('b'), { admitted: false }, 'one request is still in flight');
  slots.requestEnded('a');
  assert.deepEqual(slots.admit('b'), { admitted: true, evict: 'a' });
});

test('a closed connection frees its slot, busy or idle; an answer ending after the close does not bring it back', () => {
  const slots = new ConnectionSlots<string>(2);
  slots.admit('a');
  slots.admit('b');
  slots.requestStarted('a');
  slots.closed('a');
  slots.requestEnded('a');
  slots.closed('b');
  assert.equal(slots.size, 0);
  assert.deepEqual(slots.admit('c'), { admitted: true });
  assert.deepEqual(slots.admit('d'), { admitted: true });
  assert.deepEqual(slots.admit('e'), { admitted: true, evict: 'c' });
});
