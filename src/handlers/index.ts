import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { vendorNameOf } from '../spec/discover-specs.js';
import { ConfigError } from '../types/config-error.js';
import { isTypeScriptFile, loadModuleFile, NotAVendorModule } from './load-module.js';
import type { VendorModule } from './types.js';

export { moduleFileOf } from './load-module.js';

/** The folder of the built-in modules: this one, in `src/` under tsx as in `dist/`. */
export const BUILT_IN_MODULES_DIR = path.dirname(fileURLToPath(import.meta.url));

/**
 * A module's entry in its folder, compiled (`dist/`, a user's build) first, as before there was a
 * TypeScript loader: a folder built in place serves what was built.
 */
const ENTRY_FILES = ['index.js', 'index.mjs', 'index.ts', 'index.mts'];

/** A module in a file of its own, `<vendor>.handlers.ts`, beside the others or beside its spec. */
const HANDLERS_FILE_EXTENSIONS = ['.js', '.mjs', '.ts', '.mts'];
const HANDLERS_FILE = /^(.+)\.handlers\.(js|mjs|ts|mts)$/;

/** Where a vendor's module is: the file, and whether a file there that is no module is an error. */
interface Found {
  vendor: string;
  file: string;
  /** False for `<spec dir>/<vendor>/index.*`: that folder may be something else than a module. */
  mustBeModule: boolean;
  /** The module that serves when this one turns out not to be one (the built-in one). */
  otherwise?: Found;
}

/**
 * Finds the vendor modules in a folder of them: `<vendor>/index.{js,mjs,ts,mts}` and
 * `<vendor>.handlers.{js,mjs,ts,mts}`, each the module of the vendor whose spec is
 * `<vendor>.yaml`. Both for one vendor is an error (which one would serve is a guess).
 */
export async function findVendorModules(directory: string): Promise<Map<string, string>> {
  let entries;
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`the vendor modules in ${directory} cannot be loaded: ${reason}`);
  }
  const found = new Map<string, string>();
  const add = (vendor: string, file: string): void => {
    const other = found.get(vendor);
    if (other !== undefined)
      throw new ConfigError(
        `two vendor modules for ${vendor}: ${other} and ${file}; keep one of them`,
      );
    found.set(vendor, file);
  };
  for (const entry of [...entries].sort((a, b) => a.name.localeCompare(b.name))) {
    const handlersFile = HANDLERS_FILE.exec(entry.name);
    if (entry.isFile() && handlersFile?.[1] !== undefined) {
      // `acme.handlers.js` beside `acme.handlers.ts` is a build in place: the built one serves.
      const vendor = handlersFile[1];
      const chosen = await firstFile(
        HANDLERS_FILE_EXTENSIONS.map((extension) =>
          path.join(directory, `${vendor}.handlers${extension}`),
        ),
      );
      if (chosen === path.join(directory, entry.name)) add(vendor, chosen);
    } else if (entry.isDirectory()) {
      const index = await firstFile(
        ENTRY_FILES.map((file) => path.join(directory, entry.name, file)),
      );
      if (index !== undefined) add(entry.name, index);
    }
  }
  return found;
}

/**
 * The convention that needs no flag: `<spec dir>/<vendor>.handlers.{js,mjs,ts,mts}`, or
 * `<spec dir>/<vendor>/index.*` for the spec `<spec dir>/<vendor>.yaml`.
 */
async function findModulesBesideSpecs(specFiles: readonly string[]): Promise<Found[]> {
  const found = await Promise.all(
    specFiles.map(async (specFile): Promise<Found | undefined> => {
      const vendor = vendorNameOf(specFile);
      const directory = path.dirname(specFile);
      const handlersFile = await firstFile(
        HANDLERS_FILE_EXTENSIONS.map((extension) =>
          path.join(directory, `${vendor}.handlers${extension}`),
        ),
      );
      const index = await firstFile(ENTRY_FILES.map((file) => path.join(directory, vendor, file)));
      if (handlersFile !== undefined && index !== undefined)
        throw new ConfigError(
          `two vendor modules for ${vendor}: ${index} and ${handlersFile}; keep one of them`,
        );
      if (handlersFile !== undefined) return { vendor, file: handlersFile, mustBeModule: true };
      if (index !== undefined) return { vendor, file: index, mustBeModule: false };
      return undefined;
    }),
  );
  return found.filter((item) => item !== undefined);
}

/**
 * Finds the vendor modules in a folder by convention (see findVendorModules) and loads them, by
 * one loader for built-in and users' modules alike (load-module.ts): adding a vendor is a spec and
 * a module, and no list to keep.
 */
export async function loadVendorModules(directory: string): Promise<Record<string, VendorModule>> {
  const found = await findVendorModules(directory);
  return loadAll([...found].map(([vendor, file]) => ({ vendor, file, mustBeModule: true })));
}

/** The modules that ship with standin. */
export function builtInVendorModules(): Promise<Record<string, VendorModule>> {
  return loadVendorModules(BUILT_IN_MODULES_DIR);
}

export interface ModuleSources {
  /** The spec files served: a module beside one of them is its vendor's. */
  specFiles: readonly string[];
  /** `--handlers DIR`: a folder of modules, which wins over one beside the spec. */
  handlersDir?: string;
  /**
   * Told about a module that is not used: a folder beside a spec whose index is no vendor module,
   * a module in the handlers folder that pairs with no served spec.
   */
  warn?: (message: string) => void;
}

/**
 * Every served vendor's module, by vendor name: the built-in one, replaced by one beside the
 * vendor's spec, replaced by one in the handlers folder. Only the served vendors' modules are
 * imported; one in the handlers folder that pairs with no served spec (a misspelt name, a folder
 * of helpers) is said, not loaded.
 */
export async function vendorModulesFor(
  sources: ModuleSources,
): Promise<Record<string, VendorModule>> {
  const warn = sources.warn ?? (() => undefined);
  const served = new Set(sources.specFiles.map((file) => vendorNameOf(file)));
  const [builtIn, beside, inFolder] = await Promise.all([
    findVendorModules(BUILT_IN_MODULES_DIR),
    findModulesBesideSpecs(sources.specFiles),
    sources.handlersDir === undefined
      ? new Map<string, string>()
      : findVendorModules(sources.handlersDir),
  ]);
  for (const [vendor, file] of inFolder) {
    if (!served.has(vendor))
      warn(
        `${file} is not loaded: it is the module of ${vendor}, and no spec ${vendor}.yaml is served (served: ${[...served].join(', ')})`,
      );
  }
  const chosen = new Map<string, Found>();
  for (const [vendor, file] of builtIn) chosen.set(vendor, { vendor, file, mustBeModule: true });
  for (const found of beside) {
    const builtInOne = chosen.get(found.vendor);
    chosen.set(
      found.vendor,
      builtInOne === undefined ? found : { ...found, otherwise: builtInOne },
    );
  }
  for (const [vendor, file] of inFolder) chosen.set(vendor, { vendor, file, mustBeModule: true });
  return loadAll(
    [...chosen.values()].filter((found) => served.has(found.vendor)),
    warn,
  );
}

/** Every module wanted, loaded in parallel: the first failure (in file order) stops the start. */
async function loadAll(
  wanted: readonly Found[],
  warn: (message: string) => void = () => undefined,
): Promise<Record<string, VendorModule>> {
  // JavaScript first: once a TypeScript file registers tsx, every later import goes through its
  // hooks, and the built-in modules' own imports (dist/) took 1.5 s longer to start.
  const javaScript = await settle(wanted.filter((item) => !isTypeScriptFile(item.file)));
  const typeScript = await settle(wanted.filter((item) => isTypeScriptFile(item.file)));
  const outcomes = wanted.map((item) => javaScript.get(item) ?? typeScript.get(item));
  const modules: Record<string, VendorModule> = {};
  const fallbacks: Found[] = [];
  outcomes.forEach((outcome, position) => {
    const item = wanted[position];
    if (item === undefined || outcome === undefined) return;
    if (outcome.status === 'fulfilled') {
      modules[item.vendor] = outcome.value;
      return;
    }
    if (outcome.reason instanceof NotAVendorModule && !item.mustBeModule) {
      warn(`${item.file} is not used as the module of ${item.vendor}: ${outcome.reason.problem}`);
      if (item.otherwise !== undefined) fallbacks.push(item.otherwise);
      return;
    }
    throw outcome.reason;
  });
  return fallbacks.length === 0 ? modules : { ...modules, ...(await loadAll(fallbacks, warn)) };
}

/** Each module's outcome, loaded in parallel. */
async function settle(
  items: readonly Found[],
): Promise<Map<Found, PromiseSettledResult<VendorModule>>> {
  const outcomes = await Promise.allSettled(items.map((item) => loadModuleFile(item.file)));
  return new Map(
    items.map((item, position) => [item, outcomes[position] as PromiseSettledResult<VendorModule>]),
  );
}

async function firstFile(candidates: readonly string[]): Promise<string | undefined> {
  for (const candidate of candidates) {
    const found = await stat(candidate).catch(() => undefined);
    if (found?.isFile()) return candidate;
  }
  return undefined;
}
