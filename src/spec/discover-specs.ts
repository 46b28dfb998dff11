import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { SpecError } from './spec-error.js';

const SPEC_FILE = /\.(ya?ml|json)$/i;

/**
 * Turns `--specs DIR|FILE...` into the spec files to load: a directory contributes its
 * `.yaml`/`.yml`/`.json` files (not its subdirectories), in name order so the vendor list is stable.
 */
export async function discoverSpecs(inputs: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const input of inputs) {
    const absolute = path.resolve(input);
    let info;
    try {
      info = await stat(absolute);
    } catch {
      throw new SpecError(absolute, [{ message: 'no such file or directory' }]);
    }
    if (info.isDirectory()) {
      const names = (await readdir(absolute)).filter((name) => SPEC_FILE.test(name)).sort();
      files.push(...names.map((name) => path.join(absolute, name)));
    } else {
      files.push(absolute);
    }
  }
  if (files.length === 0) {
    throw new SpecError(inputs.join(', '), [
      { message: 'no OpenAPI documents (.yaml, .yml, .json) found' },
    ]);
  }
  return files;
}

/** The vendor a spec file serves: its file name without the extension (`specs/thousandeyes.yaml`). */
export function vendorNameOf(file: string): string {
  return path.basename(file).replace(SPEC_FILE, '');
}

/** Two files that would be served at the same `/<vendor>` prefix. */
export function duplicateVendors(files: readonly string[]): string[] {
  const byVendor = new Map<string, string[]>();
  for (const file of files) {
    const vendor = vendorNameOf(file);
    byVendor.set(vendor, [...(byVendor.get(vendor) ?? []), file]);
  }
  return [...byVendor.entries()]
    .filter(([, sameName]) => sameName.length > 1)
    .map(([vendor, sameName]) => `/${vendor} would be served from ${sameName.join(' and ')}`);
}
