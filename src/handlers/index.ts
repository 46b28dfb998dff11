import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { VendorModule } from './types.js';

/** The folder of the built-in modules: this one, in `src/` under tsx as in `dist/`. */
export const BUILT_IN_MODULES_DIR = path.dirname(fileURLToPath(import.meta.url));

/** A module's entry in its folder, compiled (`dist/`, a user's build) or not (tsx). */
const ENTRY_FILES = ['index.js', 'index.mjs', 'index.ts', 'index.mts'];

/**
 * Finds the vendor modules in a folder by convention: every subfolder `<vendor>/` holds an
 * `index.js` (or `.ts` under tsx) whose default export (or, without one, its only export) is the
 * module of the vendor whose spec is `<vendor>.yaml`; a subfolder without an index is skipped.
 * Loaded by dynamic import, so adding a vendor is a spec and a folder, and no list to keep.
 */
export async function loadVendorModules(directory: string): Promise<Record<string, VendorModule>> {
  const entries = await readdir(directory, { withFileTypes: true });
  const folders = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const modules: Record<string, VendorModule> = {};
  await Promise.all(
    folders.map(async (name) => {
      const entry = await entryOf(path.join(directory, name));
      if (entry === undefined) return;
      const loaded = (await import(pathToFileURL(entry).href)) as Record<string, unknown>;
      const exported = Object.values(loaded);
      const module =
        'default' in loaded ? loaded.default : exported.length === 1 ? exported[0] : undefined;
      if (typeof module !== 'object' || module === null)
        throw new TypeError(
          `${entry} exports no vendor module: export it as default (or make it the file's only export)`,
        );
      modules[name] = module;
    }),
  );
  return modules;
}

/** The modules that ship with standin. */
export function builtInVendorModules(): Promise<Record<string, VendorModule>> {
  return loadVendorModules(BUILT_IN_MODULES_DIR);
}

async function entryOf(folder: string): Promise<string | undefined> {
  for (const file of ENTRY_FILES) {
    const candidate = path.join(folder, file);
    const found = await stat(candidate).catch(() => undefined);
    if (found?.isFile()) return candidate;
  }
  return undefined;
}
