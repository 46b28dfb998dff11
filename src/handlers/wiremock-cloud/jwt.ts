import {
  generateKeyPairSync,
  randomBytes,
  sign,
  verify,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';

/**
 * Compact JSON Web Tokens (RFC 7519) signed ES256 (RFC 7518 section 3.4), with node:crypto alone.
 * The identity provider stand-in signs its ID and access tokens with one key pair, made when the
 * process first needs it and published as a JSON Web Key Set; nothing persists it, so a token
 * outlives neither the process nor a replica boundary (a second standin process has its own key).
 */

export interface SigningKey {
  /** The key id in every token's header and in the key set. */
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export type Claims = Record<string, unknown>;

export type Verified = { ok: true; claims: Claims } | { ok: false; reason: string };

let processKey: SigningKey | undefined;

/** The process's signing key, made on first use. */
export function signingKey(): SigningKey {
  processKey ??= newSigningKey();
  return processKey;
}

/** A fresh P-256 key pair (tests forge tokens with one the server never published). */
export function newSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { kid: randomBytes(8).toString('hex'), privateKey, publicKey };
}

/** The public half as a JSON Web Key (RFC 7517), as a key set lists it. */
export function publicJwk(key: SigningKey): JsonWebKey {
  const { kty, crv, x, y } = key.publicKey.export({ format: 'jwk' });
  return { kty, crv, x, y, kid: key.kid, use: 'sig', alg: 'ES256' };
}

const base64url = (value: Buffer | string): string => Buffer.from(value).toString('base64url');

/** A signed token carrying `claims`. */
export function signJwt(claims: Claims, key: SigningKey = signingKey()): string {
  const header = base64url(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid: key.kid }));
  const payload = base64url(JSON.stringify(claims));
  const input = `${header}.${payload}`;
  // JOSE wants the signature as r || s (IEEE P1363), not DER.
  const signature = sign('sha256', Buffer.from(input), {
    key: key.privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return `${input}.${base64url(signature)}`;
}

function parseJson(segment: string): Claims | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Claims)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The claims of a token this key signed, if its signature holds and it has not expired at `now`
 * (`exp` and `nbf`, in seconds). What else a claim must say (issuer, audience) is the caller's.
 */
export function verifyJwt(token: string, now: Date, key: SigningKey = signingKey()): Verified {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'not a compact JWT' };
  const [header, payload, signature] = parts as [string, string, string];
  const parsedHeader = parseJson(header);
  if (parsedHeader?.alg !== 'ES256') return { ok: false, reason: 'not signed ES256' };
  if (parsedHeader.kid !== key.kid) return { ok: false, reason: 'signed with an unknown key' };
  const valid = verify(
    'sha256',
    Buffer.from(`${header}.${payload}`),
    { key: key.publicKey, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  );
  if (!valid) return { ok: false, reason: 'the signature does not hold' };
  const claims = parseJson(payload);
  if (!claims) return { ok: false, reason: 'the payload is not a JSON object' };
  const seconds = Math.floor(now.getTime() / 1000);
  if (typeof claims.exp !== 'number' || claims.exp <= seconds)
    return { ok: false, reason: 'the token has expired' };
  if (typeof claims.nbf === 'number' && claims.nbf > seconds)
    return { ok: false, reason: 'the token is not valid yet' };
  return { ok: true, claims };
}
