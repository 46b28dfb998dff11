import { randomBytes } from 'node:crypto';
import { isObject, type SecurityRequirement, type SecurityScheme } from '../spec/openapi.js';
import { isToken, quoted } from './auth-header.js';

/**
 * The `WWW-Authenticate` a 401 carries (RFC 9110 §11.6.1): one challenge per HTTP scheme among
 * the operation's alternatives, comma-separated in one header as §11.6.1 allows. Prepared at
 * startup; only a Digest challenge's nonce is made per refusal.
 */
export interface AuthChallenge {
  header(): string;
}

const REALM = 'standin';

/**
 * A scheme's own challenge (a string), or `false` when the vendor does not announce the scheme.
 * Without it, a scheme standin added to a vendor's document (`x-standin-added`, such as WireMock's
 * legacy Basic) is not announced: the vendor's document does not list it, so the vendor does not
 * challenge with it (and a Basic challenge makes a browser pop up a login dialog).
 */
export const CHALLENGE_EXTENSION = 'x-standin-challenge';
const ADDED_EXTENSION = 'x-standin-added';

type ChallengePart = () => string;

export function compileChallenge(
  requirements: readonly SecurityRequirement[],
  schemes: Readonly<Record<string, SecurityScheme>>,
): AuthChallenge | undefined {
  const parts = new Map<string, ChallengePart>();
  for (const requirement of requirements) {
    for (const name of Object.keys(requirement)) {
      const scheme = schemes[name];
      if (!scheme) continue;
      const part = challengeOf(scheme);
      // Two schemes of one kind (two bearer schemes) are one challenge.
      if (part && !parts.has(part.key)) parts.set(part.key, part.render);
    }
  }
  if (parts.size === 0) return undefined;
  const renders = [...parts.values()];
  return { header: () => renders.map((render) => render()).join(', ') };
}

function challengeOf(scheme: SecurityScheme): { key: string; render: ChallengePart } | undefined {
  const own = isObject(scheme) ? scheme[CHALLENGE_EXTENSION] : undefined;
  if (own === false) return undefined;
  if (typeof own === 'string') return { key: own, render: () => own };
  if (isObject(scheme) && scheme[ADDED_EXTENSION] === true) return undefined;
  const authScheme =
    scheme.type === 'http'
      ? scheme.scheme
      : scheme.type === 'oauth2' || scheme.type === 'openIdConnect'
        ? 'Bearer'
        : undefined;
  if (authScheme === undefined || !isToken(authScheme)) return undefined;
  const lower = authScheme.toLowerCase();
  if (lower === 'digest') return { key: lower, render: digestChallenge };
  const fixed = `${canonicalName(authScheme)} realm=${quoted(REALM)}`;
  return { key: lower, render: () => fixed };
}

/** RFC 7616 §3.3: a fresh nonce on every challenge, SHA-256 as the RFC recommends. */
function digestChallenge(): string {
  const nonce = randomBytes(24).toString('base64url');
  return `Digest realm=${quoted(REALM)}, qop="auth", nonce=${quoted(nonce)}, algorithm=SHA-256`;
}

/** As clients and the RFCs write them: `Basic`, `Bearer`, `Digest`; any other as the spec does. */
function canonicalName(authScheme: string): string {
  const lower = authScheme.toLowerCase();
  if (lower === 'basic' || lower === 'bearer' || lower === 'digest')
    return `${lower.charAt(0).toUpperCase()}${lower.slice(1)}`;
  return authScheme;
}
