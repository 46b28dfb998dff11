import { goRules } from './gorules/index.js';
import { pocketPaw } from './pocketpaw/index.js';
import { projectDiscovery } from './projectdiscovery/index.js';
import { thousandEyes } from './thousandeyes/index.js';
import type { VendorModule } from './types.js';
import { wireMockCloud } from './wiremock-cloud/index.js';

/**
 * The vendor modules that ship with standin, by vendor name (the spec's file name). A vendor
 * without a module is served from its spec alone: examples and generated values.
 */
export const builtInVendors: Readonly<Record<string, VendorModule>> = {
  gorules: goRules,
  pocketpaw: pocketPaw,
  projectdiscovery: projectDiscovery,
  thousandeyes: thousandEyes,
  'wiremock-cloud': wireMockCloud,
};
