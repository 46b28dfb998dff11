import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recordCall } from '../../src/state/redis-scripts.js';
import { meaningOfFailure, settleOutcome } from '../../src/state/write-outcome.js';

/** An error as ioredis makes them: a plain Error, or one whose name says what it is. */
function failure(message: string, name = 'Error'): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

test('a failure says whether the command left the process: never sent, refused, or unknown', () => {
  assert.equal(
    meaningOfFailure(failure("Stream isn't writeable and enableOfflineQueue options is false")),
    'not-sent',
  );
  assert.equal(
    meaningOfFailure(failure('BUSY Redis is busy running a script', 'ReplyError')),
    'refused',
  );
  // Sent and not answered: a timeout, a connection that dropped with the command in flight.
  assert.equal(meaningOfFailure(failure('Command timed out')), 'unknown');
  assert.equal(
    meaningOfFailure(
      failure(
        'Reached the max retries per request limit (which is 0).',
        'MaxRetriesPerRequestError',
      ),
    ),
    'unknown',
  );
  assert.equal(meaningOfFailure(failure('Connection is closed.')), 'unknown');
  assert.equal(meaningOfFailure('not even an Error'), 'unknown');
});

const within = (ms: number) => ({ deadline: performance.now() + ms, retryEveryMs: 5 });

test('settling asks again after failed asks, and the first answer decides', async () => {
  let asks = 0;
  const outcome = await settleOutcome(() => {
    asks += 1;
    return asks < 3 ? Promise.reject(new Error('Command timed out')) : Promise.resolve(true);
  }, within(1000));
  assert.equal(outcome, 'committed');
  assert.equal(asks, 3);
  assert.equal(await settleOutcome(() => Promise.resolve(false), within(1000)), 'not-committed');
});

test('settling ends by its deadline when no answer comes, however the asks fail', async () => {
  const started = performance.now();
  // An ask that never answers (Redis holds it) is cut short at the deadline.
  const hanging = await settleOutcome(() => new Promise<boolean>(() => undefined), within(80));
  assert.equal(hanging, 'unknown');
  let asks = 0;
  const failing = await settleOutcome(() => {
    asks += 1;
    return Promise.reject(new Error('no connection'));
  }, within(80));
  assert.equal(failing, 'unknown');
  assert.ok(performance.now() - started < 400, 'both within their deadlines');
  assert.ok(asks >= 2 && asks <= 20, `asks paced by retryEveryMs (${asks})`);
});

test('settling stops at once when told to (the store is closing)', async () => {
  let asks = 0;
  const outcome = await settleOutcome(
    () => {
      asks += 1;
      return Promise.resolve(true);
    },
    { ...within(1000), stopped: () => true },
  );
  assert.equal(outcome, 'unknown');
  assert.equal(asks, 0);
});

test('a RECORD call names each key once and keeps entries and fields out of its JSON', () => {
  const { keys, args } = recordCall(
    'standin:writer:w',
    60,
    [
      {
        sequence: 7,
        writes: [
          { kind: 'append', key: 'ns/journal', value: { path: '/a"]' }, max: 10 },
          { kind: 'increment', key: 'namespaces', field: 'ns', by: 1 },
        ],
      },
      {
        sequence: 8,
        writes: [{ kind: 'append', key: 'ns/journal', value: { path: '/b' }, max: 10 }],
      },
    ],
    (key) => `standin:${key}`,
  );
  assert.deepEqual(keys, ['standin:writer:w', 'standin:ns/journal', 'standin:namespaces']);
  assert.equal(args[0], 60);
  // Lua counts from 1; ARGV[1] and ARGV[2] are the lifetime and the layout.
  assert.deepEqual(JSON.parse(String(args[1])), [
    [
      7,
      [
        [2, 1, 3, 10],
        [3, 2, 4, 1],
      ],
    ],
    [8, [[2, 1, 5, 10]]],
  ]);
  assert.deepEqual(args.slice(2), ['{"path":"/a\\"]"}', 'ns', '{"path":"/b"}']);
});
