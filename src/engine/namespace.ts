import type { IncomingHttpHeaders } from 'node:http';

/**
 * Parallel test workers share one standin without seeing each other: a request with
 * `X-Standin-Namespace: NAME` works on that namespace's own copy of the fixture, clock, journal,
 * faults, violations and coverage, made on first use. Without the header: `default`.
 */
export const NAMESPACE_HEADER = 'x-standin-namespace';
export const DEFAULT_NAMESPACE = 'default';

const NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** The request's namespace, or undefined when the header names none that standin accepts. */
export function namespaceOf(headers: IncomingHttpHeaders): string | undefined {
  const value = headers[NAMESPACE_HEADER];
  if (value === undefined) return DEFAULT_NAMESPACE;
  const name = Array.isArray(value) ? value[0] : value;
  return name !== undefined && NAME.test(name) ? name : undefined;
}
