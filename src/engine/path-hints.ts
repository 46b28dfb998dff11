import type { Vendor } from './compile-vendor.js';

/**
 * Where a path that matched nothing probably meant to go: the same operation under the mount it
 * lives at. `/pets` when petstore is served at `/petstore/v1`; `/v1/users/self` (a client that
 * knows the vendor's real base path) when WireMock Cloud is at `/wiremock-cloud/v1`;
 * `/petstore/pets` (the server path left out). Only paths that do match an operation are offered.
 */
export function suggestPaths(vendors: readonly Vendor[], path: string): string[] {
  const found = new Set<string>();
  for (const vendor of vendors) {
    for (const candidate of relativeCandidates(vendor, path)) {
      if (matches(vendor, candidate)) found.add(vendor.mountPath + candidate);
    }
  }
  found.delete(path);
  return [...found].slice(0, 3);
}

/** The path below the vendor's mount, read in each way a client gets it wrong. */
function relativeCandidates(vendor: Vendor, path: string): string[] {
  const candidates = [path];
  const prefixes = [vendor.basePath, `/${vendor.name}`, `/${vendor.name}${vendor.basePath}`];
  for (const prefix of prefixes) {
    if (prefix !== '' && path.startsWith(`${prefix}/`)) candidates.push(path.slice(prefix.length));
  }
  return candidates;
}

function matches(vendor: Vendor, relative: string): boolean {
  try {
    return vendor.router.match(relative) !== undefined;
  } catch {
    return false;
  }
}

/** The hint as a problem detail says it, or '' when there is none. */
export function hintFor(vendors: readonly Vendor[], path: string): string {
  const suggestions = suggestPaths(vendors, path);
  return suggestions.length === 0 ? '' : `; did you mean ${suggestions.join(' or ')}?`;
}
