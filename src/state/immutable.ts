/**
 * States are immutable (the stores freeze them); a change builds the next state. These
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

/** Freezes a value and everything in it, so that a handler changing it in place fails loudly. */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const child of Object.values(value)) deepFreeze(child);
  return Object.freeze(value);
}
