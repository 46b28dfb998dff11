import { discoverSpecs, duplicateVendors } from '../spec/discover-specs.js';
import { loadSpec } from '../spec/load-spec.js';
import { STRICT, type LoadingPolicy } from '../spec/loading-policy.js';
import { SpecError } from '../spec/spec-error.js';
import { createAjvPair, type AjvPair } from '../validators/ajv.js';
import type { VendorModule } from '../handlers/types.js';
import { moduleFileOf } from '../handlers/load-module.js';
import { inferredModule } from '../handlers/inferred/module.js';
import { ConfigError } from '../types/config-error.js';
import { compileVendor, type Vendor, type Warn } from './compile-vendor.js';

export type SpecCheck =
  { file: string; ok: true; vendor: Vendor } | { file: string; ok: false; error: SpecError };

/** Vendor modules by vendor name (the spec's file name). */
export type VendorRegistry = Readonly<Record<string, VendorModule>>;

/**
 * Loads, validates and compiles every spec once, at startup. Files load in parallel; the first
 * broken one (in file order) stops the start. The engine knows no vendor: `registry` (given by
 * server.ts: the built-in modules and a user's folder of them) pairs each spec with its module, and
 * `modules` (the `vendors` option) changes some of them. With `inferState`, a spec that has neither
 * gets the module its paths describe (handlers/inferred/): CRUD resources kept in its state.
 */
export async function loadVendors(
  inputs: readonly string[],
  modules: VendorRegistry,
  warn: Warn,
  ajv: AjvPair,
  registry: VendorRegistry = {},
  policy: LoadingPolicy = STRICT,
  inferState = false,
): Promise<Vendor[]> {
  const checks = await checkSpecFiles(inputs, modules, warn, ajv, registry, policy, inferState);
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

/**
 * Every file's outcome, for `standin validate`, which reports them all. Without a registry, each
 * spec is compiled alone (no module).
 */
export async function checkSpecFiles(
  inputs: readonly string[],
  modules: VendorRegistry = {},
  warn: Warn = () => undefined,
  ajv: AjvPair = createAjvPair(warn),
  registry: VendorRegistry = {},
  policy: LoadingPolicy = STRICT,
  inferState = false,
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
        const spec = await loadSpec(file, undefined, policy);
        const module =
          withOverrides(registry[spec.vendor], modules[spec.vendor]) ??
          (inferState ? inferredModule(spec) : undefined) ??
          {};
        return {
          file,
          ok: true,
          vendor: compileVendor(spec, ajv, module, warn, (operationId) =>
            // A handler given in code has no file; one of a registered module names its file.
            modules[spec.vendor]?.handlers?.[operationId] === undefined
              ? moduleFileOf(registry[spec.vendor])
              : undefined,
          ),
        };
      } catch (error) {
        if (error instanceof SpecError) return { file, ok: false, error };
        throw error;
      }
    }),
  );
}

/**
 * A module given to `createServer` changes the registered one of that vendor: its handlers replace
 * the built-in ones of the same operationId, the rest stays.
 */
function withOverrides(
  builtIn: VendorModule | undefined,
  override: VendorModule | undefined,
): VendorModule | undefined {
  if (!override) return builtIn;
  if (!builtIn) return override;
  return { ...builtIn, ...override, handlers: { ...builtIn.handlers, ...override.handlers } };
}
