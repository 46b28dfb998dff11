import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUILT_IN_MODULES_DIR, moduleFileOf } from '../handlers/index.js';
import type { VendorModule } from '../handlers/types.js';
import { ConfigError } from '../types/config-error.js';
import type { VendorRegistry } from './load-vendors.js';

const requireHere = createRequire(import.meta.url);

/** The file of each module imported again here (the loader's own record knows only the first). */
const reimportedFrom = new WeakMap<object, string>();

/**
 * The user's vendor modules as their files are now (`--watch`). Node keeps every imported module
 * by URL for the life of the process, so importing a changed file again answers the old module:
 * a file whose text changed is imported again under a URL of its own (`?v=<version>`), after
 * dropping the CommonJS cache entries under the module's folder (a `.ts` file outside a
 * `"type": "module"` package is loaded as CommonJS by tsx, and that cache ignores the query; its
 * CommonJS helpers reload with it). An ES module's own imports keep their first version: edit the
 * module file, or restart.
 *
 * Memory: every version imported stays in Node's module map until the process ends (Node cannot
 * unload an ES module), so it grows by one copy of a module at each edit of its file (a few
 * kilobytes for a hand-written module; a restart frees it); a file that did not change is not
 * imported again.
 *
 * The built-in modules are never reloaded: they are standin's own.
 */
export class ModuleVersions {
  /** By file: the text it was last imported with, and the module that gave. */
  private readonly imported = new Map<string, { text: string; module: VendorModule }>();
  /**
   * Counts imports, for their URLs: a generation's version would not do, since a reload that
   * fails keeps it, and Node also keeps a failed import by URL (the fix would never be seen).
   */
  private imports = 0;

  /** The registry with each user module as its file is now; remembers the files' texts. */
  async current(registry: VendorRegistry): Promise<VendorRegistry> {
    const fresh: Record<string, VendorModule> = { ...registry };
    await Promise.all(
      Object.entries(registry).map(async ([vendor, module]) => {
        const file = userModuleFile(module);
        if (file === undefined) return;
        const text = await readFile(file, 'utf8');
        const last = this.imported.get(file);
        // First seen: the loader has just imported it, as it is.
        if (last === undefined) this.imported.set(file, { text, module });
        else if (last.text !== text)
          this.imported.set(file, { text, module: await importAgain(file, (this.imports += 1)) });
        fresh[vendor] = this.imported.get(file)?.module ?? module;
      }),
    );
    return fresh;
  }
}

/** The file a module was loaded from, when it is a user's (not a built-in one, not from code). */
export function userModuleFile(module: VendorModule): string | undefined {
  const file = moduleFileOf(module) ?? reimportedFrom.get(module);
  if (file === undefined) return undefined;
  if (file.startsWith(BUILT_IN_MODULES_DIR + path.sep)) return undefined;
  return file;
}

async function importAgain(file: string, version: number): Promise<VendorModule> {
  const folder = path.dirname(file) + path.sep;
  const cache = new Map(Object.entries(requireHere.cache));
  for (const cached of cache.keys()) {
    if (cached.startsWith(folder) && !cached.includes(`${path.sep}node_modules${path.sep}`))
      Reflect.deleteProperty(requireHere.cache, cached);
  }
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(`${pathToFileURL(file).href}?v=${version}`)) as Record<string, unknown>;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`the vendor module ${file} cannot be loaded: ${message}`);
  }
  const exported = Object.values(loaded);
  const module =
    'default' in loaded ? loaded.default : exported.length === 1 ? exported[0] : undefined;
  if (typeof module !== 'object' || module === null)
    throw new ConfigError(`${file} exports no vendor module: export it as default`);
  reimportedFrom.set(module, file);
  return module;
}
