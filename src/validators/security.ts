import type { IncomingHttpHeaders } from 'node:http';
import { isObject, type SecurityRequirement, type SecurityScheme } from '../spec/openapi.js';
import type { Failure } from './failure.js';

/** A credential as the client sent it, read from the place its security scheme names. */
export interface Credential {
  /** The scheme's name in `components.securitySchemes` (`BearerAuth`, `X-API-Key`). */
  scheme: string;
  in: 'header' | 'query' | 'cookie';
  /** The header, query parameter or cookie it came in (header names lower-case). */
  name: string;
  /** The secret itself, without the scheme word or prefix (`Bearer `, `Token `). */
  value: string;
  /** HTTP Basic only. */
  username?: string;
}

export interface CredentialSources {
  headers: IncomingHttpHeaders;
  /** Names and values as sent (Node keeps only the first `Authorization` in `headers`). */
  rawHeaders?: readonly string[];
  query: URLSearchParams;
  cookies: Readonly<Record<string, string | undefined>>;
}

/** A credential sent twice is ambiguous: which one did the client mean? Refused, not guessed. */
function sentTwice(
  sources: CredentialSources,
  location: 'header' | 'query' | 'cookie',
  name: string,
): boolean {
  if (location === 'header') return timesSent(sources.rawHeaders ?? [], name) > 1;
  if (location === 'query') return sources.query.getAll(name).length > 1;
  return false;
}

/** Scans the raw pairs rather than `headersDistinct`, which builds an object per request. */
function timesSent(rawHeaders: readonly string[], lowerCaseName: string): number {
  let count = 0;
  for (let index = 0; index < rawHeaders.length; index += 2) {
    if (rawHeaders[index]?.toLowerCase() === lowerCaseName) count += 1;
  }
  return count;
}

type ReadResult = { credential: Credential } | { failure: Failure };

interface SchemeReader {
  scheme: string;
  read(sources: CredentialSources): ReadResult;
}

/**
 * An operation's security, compiled at startup: a list of alternatives (any one will do), each a
 * list of schemes (all needed). `anonymous` when the operation also allows no credentials at all
 * (`security: []`, or an empty requirement `{}` among the alternatives).
 */
export interface SecurityPlan {
  anonymous: boolean;
  alternatives: SchemeReader[][];
}

export type SecurityOutcome =
  { ok: true; credentials: Credential[] } | { ok: false; failures: Failure[] };

/** The extension that names a value prefix the spec can only say in prose (WireMock's `Token `). */
export const VALUE_PREFIX_EXTENSION = 'x-standin-value-prefix';

export function compileSecurity(
  requirements: readonly SecurityRequirement[],
  schemes: Readonly<Record<string, SecurityScheme>>,
): SecurityPlan {
  const anonymous =
    requirements.length === 0 ||
    requirements.some((requirement) => Object.keys(requirement).length === 0);
  const alternatives = requirements
    .filter((requirement) => Object.keys(requirement).length > 0)
    .map((requirement) =>
      Object.keys(requirement).map((name) => readerFor(name, schemes[name] as SecurityScheme)),
    );
  return { anonymous, alternatives };
}

export function checkSecurity(plan: SecurityPlan, sources: CredentialSources): SecurityOutcome {
  const failures: Failure[] = [];
  for (const alternative of plan.alternatives) {
    const credentials: Credential[] = [];
    let satisfied = true;
    for (const reader of alternative) {
      const result = reader.read(sources);
      if ('credential' in result) {
        credentials.push(result.credential);
      } else {
        satisfied = false;
        failures.push(result.failure);
      }
    }
    if (satisfied) return { ok: true, credentials };
  }
  if (plan.anonymous) return { ok: true, credentials: [] };
  return { ok: false, failures };
}

function readerFor(name: string, scheme: SecurityScheme): SchemeReader {
  switch (scheme.type) {
    case 'http':
      return scheme.scheme.toLowerCase() === 'basic'
        ? basicReader(name)
        : authorizationReader(name, scheme.scheme);
    case 'oauth2':
    case 'openIdConnect':
      return authorizationReader(name, 'Bearer');
    case 'apiKey':
      return apiKeyReader(
        name,
        scheme.in as 'header' | 'query' | 'cookie',
        scheme.name,
        prefixOf(scheme),
      );
    default:
      return {
        scheme: name,
        read: () =>
          failure(
            name,
            `the ${String((scheme as { type: unknown }).type)} scheme cannot be used over plain HTTP`,
          ),
      };
  }
}

function prefixOf(scheme: SecurityScheme): string {
  const prefix = isObject(scheme) ? scheme[VALUE_PREFIX_EXTENSION] : undefined;
  return typeof prefix === 'string' ? prefix : '';
}

/** `Authorization: <scheme> <token>`; the scheme word is case-insensitive (RFC 9110 §11.1). */
function authorizationReader(name: string, authScheme: string): SchemeReader {
  // As clients write it: `Bearer <token>`, whatever case the spec gives the scheme in.
  const expected = `${authScheme.charAt(0).toUpperCase()}${authScheme.slice(1)} <token>`;
  return {
    scheme: name,
    read(sources) {
      if (sentTwice(sources, 'header', 'authorization'))
        return failure(name, 'the Authorization header is sent more than once');
      const token = afterPrefix(sources.headers.authorization, `${authScheme} `);
      if (token === undefined) {
        return failure(name, `expected an Authorization header "${expected}"`);
      }
      return { credential: { scheme: name, in: 'header', name: 'authorization', value: token } };
    },
  };
}

function basicReader(name: string): SchemeReader {
  return {
    scheme: name,
    read(sources) {
      if (sentTwice(sources, 'header', 'authorization'))
        return failure(name, 'the Authorization header is sent more than once');
      const encoded = afterPrefix(sources.headers.authorization, 'Basic ');
      const decoded = encoded === undefined ? '' : Buffer.from(encoded, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) {
        return failure(name, 'expected an Authorization header "Basic <base64 of user:password>"');
      }
      return {
        credential: {
          scheme: name,
          in: 'header',
          name: 'authorization',
          value: decoded.slice(colon + 1),
          username: decoded.slice(0, colon),
        },
      };
    },
  };
}

function apiKeyReader(
  name: string,
  location: 'header' | 'query' | 'cookie',
  key: string,
  prefix: string,
): SchemeReader {
  const lookup = location === 'header' ? key.toLowerCase() : key;
  const expected = `${prefix}<key>`;
  const place =
    location === 'header'
      ? `header ${key}`
      : location === 'query'
        ? `query parameter ${key}`
        : `cookie ${key}`;
  return {
    scheme: name,
    read(sources) {
      const { headers, query, cookies } = sources;
      if (sentTwice(sources, location, lookup))
        return failure(name, `${place} is sent more than once`);
      const raw =
        location === 'header'
          ? headerValue(headers[lookup])
          : location === 'query'
            ? (query.get(key) ?? undefined)
            : cookies[key];
      const value = afterPrefix(raw, prefix);
      if (value === undefined) return failure(name, `expected ${place} "${expected}"`);
      return { credential: { scheme: name, in: location, name: lookup, value } };
    },
  };
}

/** The credential after its prefix: present, non-empty and without whitespace inside. */
function afterPrefix(raw: string | undefined, prefix: string): string | undefined {
  if (raw === undefined) return undefined;
  if (prefix && raw.slice(0, prefix.length).toLowerCase() !== prefix.toLowerCase())
    return undefined;
  const value = raw.slice(prefix.length).trim();
  if (value === '' || /\s/.test(value)) return undefined;
  return value;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function failure(scheme: string, message: string): { failure: Failure } {
  return { failure: { in: 'security', name: scheme, message } };
}
