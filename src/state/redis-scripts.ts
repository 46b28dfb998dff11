import type { RecordBatch } from './store.js';

/**
 * The Lua scripts the Redis store runs, each atomic inside Redis, and how their arguments are
 * laid out.
 *
 * Writes to states (compare-and-set, set) leave a commit marker: a key of their own, made for that
 * one write, holding `committed` for a while. When a write was sent and no answer came, SETTLE
 * reads the marker: `committed` means it was applied; otherwise SETTLE marks it `abandoned`, and a
 * write that reaches Redis after that (it was still in a buffer somewhere) finds the mark and does
 * nothing. So "not applied" is final once SETTLE says it, whichever connection carried what.
 */

/**
 * Compare-and-set: write `next` only if the key still holds what the caller read (or is still
 * absent). Optimistic concurrency without WATCH, whose state belongs to a connection and would be
 * shared by every request multiplexed on this one.
 * KEYS: the value, the commit marker. ARGV: 'absent' | 'present', the text read, the next text,
 * the marker's lifetime (s). Answers 1 when it wrote.
 */
export const COMPARE_AND_SET = `
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
local current = redis.call('GET', KEYS[1])
if ARGV[1] == 'absent' then
  if current then return 0 end
elseif current ~= ARGV[2] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[3])
redis.call('SET', KEYS[2], 'committed', 'EX', ARGV[4])
return 1`;

/**
 * Set, with a commit marker. KEYS: the value, the commit marker. ARGV: the text, the marker's
 * lifetime (s). Answers 1 when it wrote (0 only when SETTLE abandoned it first).
 */
export const MARKED_SET = `
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], 'committed', 'EX', ARGV[2])
return 1`;

/**
 * Was the write of this marker applied? 1 if so; else 0, and it never will be. KEYS: the commit
 * marker. ARGV: how long the `abandoned` mark is kept (s).
 */
export const SETTLE = `
if redis.call('GET', KEYS[1]) == 'committed' then return 1 end
redis.call('SET', KEYS[1], 'abandoned', 'EX', ARGV[1])
return 0`;

/**
 * Applies observation batches (see Store.record): each batch whose sequence is above the writer's
 * last applied one, whole, in order; then keeps the new last sequence.
 * KEYS: the writer's last sequence, then every list and counter written.
 * ARGV[1]: how long the writer's last sequence is kept (s). ARGV[2]: the batches as JSON, numbers
 * only: [[sequence, [[keyIndex, 1 (append), argIndex of the entry, max] |
 * [keyIndex, 2 (increment), argIndex of the field, by], ...]], ...]. ARGV[3...]: the entries and
 * fields, apart from the JSON so that no text of theirs is ever parsed by Lua.
 */
export const RECORD = `
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
for _, batch in ipairs(cjson.decode(ARGV[2])) do
  if batch[1] > last then
    for _, write in ipairs(batch[2]) do
      local key = KEYS[write[1]]
      if write[2] == 1 then
        redis.call('RPUSH', key, ARGV[write[3]])
        redis.call('LTRIM', key, -write[4], -1)
      else
        redis.call('HINCRBY', key, ARGV[write[3]], write[4])
      end
    end
    last = batch[1]
  end
end
redis.call('SET', KEYS[1], last, 'EX', ARGV[1])
return last`;

/** The scripts, as ioredis defines them on the client. */
export interface StandinCommands {
  standinCompareAndSet(
    key: string,
    marker: string,
    expected: 'absent' | 'present',
    read: string,
    next: string,
    markerSeconds: number,
  ): Promise<number>;
  standinSet(key: string, marker: string, text: string, markerSeconds: number): Promise<number>;
  standinSettle(marker: string, abandonedSeconds: number): Promise<number>;
  standinRecord(numberOfKeys: number, ...keysAndArgs: Array<string | number>): Promise<number>;
}

export const SCRIPTS = [
  { name: 'standinCompareAndSet', numberOfKeys: 2, lua: COMPARE_AND_SET },
  { name: 'standinSet', numberOfKeys: 2, lua: MARKED_SET },
  { name: 'standinSettle', numberOfKeys: 1, lua: SETTLE },
  // The number of keys varies with the batches: it comes first in each call.
  { name: 'standinRecord', numberOfKeys: undefined, lua: RECORD },
] as const;

/** RECORD's keys and arguments, after the number of keys. */
export interface RecordCall {
  keys: string[];
  args: Array<string | number>;
}

/**
 * Lays out a RECORD call: each key once (a journal written by every batch is one KEYS entry), the
 * entries (as JSON) and fields as arguments of their own. `keyOf` maps a store key to a Redis key.
 */
export function recordCall(
  sequenceKey: string,
  keptSeconds: number,
  batches: readonly RecordBatch[],
  keyOf: (key: string) => string,
): RecordCall {
  const keys = [sequenceKey];
  const keyIndexes = new Map<string, number>();
  const texts: string[] = [];
  const keyIndex = (key: string): number => {
    let index = keyIndexes.get(key);
    if (index === undefined) {
      keys.push(keyOf(key));
      index = keys.length; // Lua counts from 1
      keyIndexes.set(key, index);
    }
    return index;
  };
  // ARGV[1] and ARGV[2] are the lifetime and the JSON; the texts follow.
  const textIndex = (text: string): number => texts.push(text) + 2;
  const layout = batches.map((batch) => [
    batch.sequence,
    batch.writes.map((write) =>
      write.kind === 'append'
        ? [keyIndex(write.key), 1, textIndex(JSON.stringify(write.value)), write.max]
        : [keyIndex(write.key), 2, textIndex(write.field), write.by],
    ),
  ]);
  return { keys, args: [keptSeconds, JSON.stringify(layout), ...texts] };
}
