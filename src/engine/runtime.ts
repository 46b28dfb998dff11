import type { Clock } from '../clock.js';
import type { Store } from '../state/store.js';
import type { RateLimitSwitches } from '../state/rate-limit-switches.js';
import type { VendorStates } from '../state/vendor-states.js';
import type { Faults } from './faults.js';
import type { NamespaceRegistry } from './namespace-registry.js';
import type { Observations } from './observations.js';

/** What changes while standin runs, shared by every request: the vendors' states and the clock. */
export interface Runtime {
  store: Store;
  clock: Clock;
  states: VendorStates;
  rateLimits: RateLimitSwitches;
  faults: Faults;
  observations: Observations;
  namespaces: NamespaceRegistry;
}
