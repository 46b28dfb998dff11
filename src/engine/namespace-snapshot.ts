import { clockKey, type ClockState } from '../clock.js';
import { switchesKey } from '../state/rate-limit-switches.js';
import { faultsKey, type Fault } from './faults.js';
import type { Runtime } from './runtime.js';

/**
 * What a request needs of its namespace before the handler runs, read in one store call (one
 * round trip on Redis): the clock, the faults and the rate-limit switches. The vendor's state is
 * not in it: only a credential check reads it, and a handler reads it again in its transaction.
 */
export interface NamespaceSnapshot {
  /** The virtual clock's time when the snapshot was read. */
  now: Date;
  /** The namespace's faults as they were then; a fault that matches is taken from the store. */
  faults: readonly Fault[];
  /** Whether the vendor's rate limit is on. */
  rateLimitOn(vendor: string): boolean;
}

export async function readSnapshot(
  runtime: Pick<Runtime, 'store' | 'clock' | 'rateLimits'>,
  namespace: string,
): Promise<NamespaceSnapshot> {
  const [clock, faults, switches] = await runtime.store.getMany([
    clockKey(namespace),
    faultsKey(namespace),
    switchesKey(namespace),
  ]);
  const on = switches as readonly string[] | undefined;
  return {
    now: runtime.clock.nowFrom(clock as ClockState | undefined),
    faults: (faults as readonly Fault[] | undefined) ?? [],
    rateLimitOn: (vendor) => runtime.rateLimits.enabledIn(on, vendor),
  };
}
