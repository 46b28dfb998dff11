import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Reads until `done` holds or the tries run out, and returns the last value read: the caller
 * asserts on it, so a timeout fails with the value that was seen. For what happens just after an
 * answer (a journal entry, a log line) or after a server comes back.
 */
export async function eventually<T>(
  read: () => T | Promise<T>,
  done: (value: T) => boolean,
  { tries = 50, everyMs = 20 }: { tries?: number; everyMs?: number } = {},
): Promise<T> {
  let value = await read();
  for (let attempt = 1; attempt < tries && !done(value); attempt += 1) {
    await sleep(everyMs);
    value = await read();
  }
  return value;
}
