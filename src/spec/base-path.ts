import type { Document } from './openapi.js';

/**
 * The path part of the spec's first server URL, where the vendor's operations live under its
 * mount point: `https://api.thousandeyes.com/v7` gives `/v7`; no servers (GoRules' `servers: []`)
 * or a bare host gives ''. Server variables take their default values, as a client would.
 */
export function basePathOf(document: Document): string {
  const server = document.servers?.[0];
  if (!server) return '';
  const url = server.url.replace(/\{([^}]+)\}/g, (whole, name: string) => {
    const variable = server.variables?.[name];
    return variable ? variable.default : whole;
  });
  const path = /^[a-z][a-z0-9+.-]*:\/\//i.test(url)
    ? new URL(url).pathname
    : (url.split('?')[0] ?? '');
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '') return '';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}
