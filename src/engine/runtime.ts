import type { Clock } from '../clock.js';
import type { Store } from '../state/store.js';
import type { RateLimitSwitches } from '../state/rate-limit-switches.js';
import type { VendorStates } from '../state/vendor-states.js';

/** What changes while standin runs, shared by every request: the vendors' states and the clock. */
export interface Runtime {
  store: Store;
  clock: Clock;
  states: VendorStates;
  rateLimits: RateLimitSwitches;
}

/** Until isolated namespaces exist, every request works in this one. */
export const DEFAULT_NAMESPACE = 'default';
