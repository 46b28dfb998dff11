import type { VendorModule } from './types.js';

/**
 * The vendor modules that ship with standin, by vendor name (the spec's file name). A vendor
 * without a module is served from its spec alone: examples and generated values.
 */
export const builtInVendors: Readonly<Record<string, VendorModule>> = {};
