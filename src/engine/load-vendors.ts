import { discoverSpecs, duplicateVendors } from '../spec/discover-specs.js';
import { loadSpec } from '../spec/load-spec.js';
import { SpecError } from '../spec/spec-error.js';
import { createAjvPair, type AjvPair } from '../validators/ajv.js';
import { builtInVendors } from '../handlers/index.js';
import type { VendorModule } from '../handlers/types.js';
import { ConfigError } from '../config.js';
import { compileVendor, type Vendor, type Warn } from './compile-vendor.js';

export type SpecCheck =
  { file: string; ok: true; vendor: Vendor } | { file: string; ok: false; error: SpecError };

/**
 * Loads, validates and compiles every spec once, at startup. Files load in parallel; the first
 * broken one (in file order) stops the start.
 */
export async function loadVendors(
  inputs: readonly string[],
  modules: Readonly<Record<string, VendorModule>>,
  warn: Warn,
  ajv: AjvPair,
): Promise<Vendor[]> {
  const checks = await checkSpecFiles(inputs, modules, warn, ajv);
  const failed = checks.find((check) => !check.ok);
  if (failed && !failed.ok) throw failed.error;
  const vendors = checks.map((check) => (check as Extract<SpecCheck, { ok: true }>).vendor);
  const unknown = Object.keys(modules).filter(
    (name) => !vendors.some((vendor) => vendor.name === name),
  );
  if (unknown.length > 0) {
    throw new ConfigError(
      `vendor modules are given for ${unknown.join(', ')}, but no spec of that name is loaded`,
    );
  }
  return vendors;
}

/** Every file's outcome, for `standin validate`, which reports them all. */
export async function checkSpecFiles(
  inputs: readonly string[],
  modules: Readonly<Record<string, VendorModule>> = {},
  warn: Warn = () => undefined,
  ajv: AjvPair = createAjvPair(warn),
): Promise<SpecCheck[]> {
  const files = await discoverSpecs(inputs);
  const duplicates = duplicateVendors(files);
  if (duplicates.length > 0)
    throw new SpecError(
      files.join(', '),
      duplicates.map((message) => ({ message })),
    );
  return Promise.all(
    files.map(async (file): Promise<SpecCheck> => {
      try {
        const spec = await loadSpec(file);
        const module = withOverrides(builtInVendors[spec.vendor], modules[spec.vendor]);
        return {
          file,
          ok: true,
          vendor: compileVendor(spec, ajv, module, warn),
        };
      } catch (error) {
        if (error instanceof SpecError) return { file, ok: false, error };
        throw error;
      }
    }),
  );
}

/**
 * A module given to `createServer` changes the built-in one of that vendor: its handlers replace
 * the built-in ones of the same operationId, the rest stays.
 */
function withOverrides(
  builtIn: VendorModule | undefined,
  override: VendorModule | undefined,
): VendorModule {
  if (!override) return builtIn ?? {};
  if (!builtIn) return override;
  return { ...builtIn, ...override, handlers: { ...builtIn.handlers, ...override.handlers } };
}
