/**
 * States are immutable (the memory store freezes them); a change builds the next state. These
 * copy only what changes and share the rest.
 */

/** A copy of `items` in which every item that matches is replaced by `change(item)`. */
export function updateWhere<T>(
  items: readonly T[],
  matches: (item: T) => boolean,
  change: (item: T) => T,
): T[] {
  return items.map((item) => (matches(item) ? change(item) : item));
}
