import type { IncomingHttpHeaders } from 'node:http';
import { isObject, type SecurityRequirement, type SecurityScheme } from '../spec/openapi.js';
import { isLooseToken, parseCredentials, type ParsedCredentials } from './auth-header.js';
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
  /** HTTP Basic and Digest: the user the client names. */
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
      return httpReader(name, scheme.scheme);
    case 'oauth2':
    case 'openIdConnect':
      // Their access tokens are sent as Bearer tokens (RFC 6750; OpenID Connect Core §3.1.3.3).
      return httpReader(name, 'bearer');
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

/** What a scheme takes from parsed credentials, or what it expected instead. */
type CredentialsReading = { value: string; username?: string } | { expected: string };

/**
 * `Authorization: <scheme> ...`, each scheme by its own grammar: Basic (RFC 7617), Bearer
 * (RFC 6750), Digest (RFC 7616), and any other scheme token with a token68 or auth-params
 * (RFC 9110 §11.4: HOBA, Negotiate, AWS4-HMAC-SHA256). The scheme word is case-insensitive.
 */
function httpReader(name: string, authScheme: string): SchemeReader {
  const lowerScheme = authScheme.toLowerCase();
  const interpret =
    lowerScheme === 'basic'
      ? readBasic
      : lowerScheme === 'bearer'
        ? readBearer
        : lowerScheme === 'digest'
          ? readDigest
          : (parsed: ParsedCredentials) => readAnyScheme(parsed, authScheme);
  return {
    scheme: name,
    read(sources) {
      if (sentTwice(sources, 'header', 'authorization'))
        return failure(name, 'the Authorization header is sent more than once');
      const parsed = parseCredentials(headerValue(sources.headers.authorization));
      const reading =
        parsed && parsed.scheme.toLowerCase() === lowerScheme
          ? interpret(parsed)
          : { expected: expectedOf(lowerScheme, authScheme) };
      if ('expected' in reading)
        return failure(name, `expected an Authorization header "${reading.expected}"`);
      return {
        credential: {
          scheme: name,
          in: 'header',
          name: 'authorization',
          value: reading.value,
          ...(reading.username !== undefined ? { username: reading.username } : {}),
        },
      };
    },
  };
}

const BASIC_EXPECTED = 'Basic <base64 of user:password>';
const BEARER_EXPECTED = 'Bearer <token>';
const DIGEST_EXPECTED =
  'Digest username="...", realm="...", nonce="...", uri="...", response="..."';

function expectedOf(lowerScheme: string, authScheme: string): string {
  if (lowerScheme === 'basic') return BASIC_EXPECTED;
  if (lowerScheme === 'bearer') return BEARER_EXPECTED;
  if (lowerScheme === 'digest') return DIGEST_EXPECTED;
  return `${authScheme} <token68 or auth-params>`;
}

/** RFC 7617 §2: base64 of `user-id ":" password`. */
function readBasic(parsed: ParsedCredentials): CredentialsReading {
  const encoded = parsed.token68;
  if (encoded === undefined || !isBase64(encoded)) return { expected: BASIC_EXPECTED };
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return { expected: BASIC_EXPECTED };
  return { value: decoded.slice(colon + 1), username: decoded.slice(0, colon) };
}

/** Standard base64 (RFC 4648 §4), the padding optional as many clients leave it out. */
function isBase64(value: string): boolean {
  return /^[A-Za-z0-9+/]+={0,2}$/.test(value) && value.length % 4 !== 1;
}

/** RFC 6750 §2.1: `Bearer b64token`, a token68 (or a vendor's token with a `:`, see isLooseToken). */
function readBearer(parsed: ParsedCredentials): CredentialsReading {
  if (parsed.token68 !== undefined) return { value: parsed.token68 };
  return isLooseToken(parsed.rest) ? { value: parsed.rest } : { expected: BEARER_EXPECTED };
}

/**
 * RFC 7616 §3.4: auth-params. Present when it parses and names the user and the response: the
 * response is the credential's value (the secret's proof), the username its user.
 */
function readDigest(parsed: ParsedCredentials): CredentialsReading {
  const username = parsed.params?.get('username');
  const response = parsed.params?.get('response');
  if (!username || !response) return { expected: DIGEST_EXPECTED };
  return { value: response, username };
}

/** Any other scheme: a token68 is the value; auth-params are the value as sent. */
function readAnyScheme(parsed: ParsedCredentials, authScheme: string): CredentialsReading {
  if (parsed.token68 !== undefined) return { value: parsed.token68 };
  if (parsed.params !== undefined) return { value: parsed.rest };
  return { expected: expectedOf(authScheme.toLowerCase(), authScheme) };
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
