import { ConfigError } from '../types/config-error.js';
import type { Vendor } from './compile-vendor.js';

/**
 * Where each vendor is served. Beside other vendors, at `/<vendor><server path>`
 * (`/thousandeyes/v7`), so that five vendors share one port. Alone, at its own server path on the
 * root of the port, as Prism serves a spec and as the real vendor does: a client configured with
 * only a host (WireMock Cloud's CLI resolves `/v1/...` against the host root) finds it there.
 */
export interface MountLayout {
  /** Chosen mount paths by vendor name (`--mount NAME=PATH`); `/` or '' is the root. */
  mounts: Readonly<Record<string, string>>;
}

/** The vendors as the main port serves them, each with its mount path. */
export function mountVendors(vendors: readonly Vendor[], layout: MountLayout): Vendor[] {
  const unknown = Object.keys(layout.mounts).filter(
    (name) => !vendors.some((vendor) => vendor.name === name),
  );
  if (unknown.length > 0) {
    throw new ConfigError(
      `--mount names ${unknown.join(', ')}, but the loaded specs are ${vendors.map((vendor) => vendor.name).join(', ')}`,
    );
  }
  const alone = vendors.length === 1;
  const mounted = vendors.map((vendor) => {
    const chosen = layout.mounts[vendor.name];
    if (chosen !== undefined) return mountAt(vendor, normalMountPath(chosen));
    return alone ? mountAt(vendor, vendor.basePath) : vendor;
  });
  const byPath = new Map<string, string>();
  for (const vendor of mounted) {
    const other = byPath.get(vendor.mountPath);
    if (other !== undefined)
      throw new ConfigError(
        `${other} and ${vendor.name} would both be served at ${vendor.mountPath || '/'}; give one another --mount`,
      );
    byPath.set(vendor.mountPath, vendor.name);
  }
  return mounted;
}

/** The same vendor (same operations, same state) served at another path. */
export function mountAt(vendor: Vendor, mountPath: string): Vendor {
  if (mountPath === vendor.mountPath) return vendor;
  return { ...vendor, mountPath, specJson: vendor.specAt(mountPath) };
}

/** `/api/` -> `/api`, `/` -> '' (the root); a mount path is a path, nothing else. */
export function normalMountPath(text: string): string {
  const trimmed = text.trim().replace(/\/+$/, '');
  if (trimmed !== '' && !/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/.test(trimmed))
    throw new ConfigError(
      `a mount path starts with / and holds no query or fragment (got "${text}")`,
    );
  return trimmed;
}
