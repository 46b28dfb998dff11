import { randomInt } from 'node:crypto';
import { newSecret, sameSecret } from '../../state/secrets.js';
import type { Handler, HandlerContext, HandlerResult } from '../types.js';
import { publicJwk, signingKey } from './jwt.js';
import type { WireMockDeviceAuthorization, WireMockState } from './state.js';
import { API_AUDIENCE, issueTokens, issuerOf } from './tokens.js';

/**
 * The identity provider stand-in that `wiremock login` talks to (WireMock Cloud's is Auth0 at
 * login.wiremock.cloud): OpenID discovery, the OAuth 2.0 Device Authorization Grant (RFC 8628)
 * and the key set that verifies its tokens, served beside the API (point the CLI's `oauth2.url`
 * at the vendor's base URL). There is no browser to approve a device code in, so standin approves
 * each at once as the state's `deviceLogin.userId`; without one, codes stay pending.
 */

const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** The documentation's example: `expires_in: 900`, `interval: 5` (seconds). */
const DEVICE_CODE_SECONDS = 900;
const POLL_INTERVAL_SECONDS = 5;
/** Bounds the codes kept in the state: a client looping on the endpoint cannot grow it. */
const MAX_DEVICE_AUTHORIZATIONS = 100;
/** RFC 8628 section 6.1: base-20 consonants, no vowels (no words), no look-alikes. */
const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';

const oauthError = (status: 400 | 403, error: string, description: string): HandlerResult => ({
  status,
  body: { error, error_description: description },
});

/** A form body's field, as the validator parsed it (a string, or absent). */
function field(body: unknown, name: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

function newUserCode(): string {
  const letters = Array.from(
    { length: 8 },
    () => USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)],
  ).join('');
  return `${letters.slice(0, 4)}-${letters.slice(4)}`;
}

const live = (now: Date) => (authorization: WireMockDeviceAuthorization) =>
  Date.parse(authorization.expiresAt) > now.getTime();

export const getOpenIdConfiguration: Handler = ({ request }) => ({
  status: 200,
  body: {
    issuer: issuerOf(request.baseUrl),
    device_authorization_endpoint: `${request.baseUrl}/oauth/device/code`,
    token_endpoint: `${request.baseUrl}/oauth/token`,
    jwks_uri: `${request.baseUrl}/.well-known/jwks.json`,
    grant_types_supported: [DEVICE_CODE_GRANT],
    scopes_supported: ['openid', 'email', 'profile', 'offline_access'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['ES256'],
  },
});

export const getJsonWebKeySet: Handler = () => ({
  status: 200,
  body: { keys: [publicJwk(signingKey())] },
});

export async function requestDeviceAuthorization(
  context: HandlerContext<WireMockState>,
): Promise<HandlerResult> {
  const { request, now } = context;
  const clientId = field(request.body, 'client_id');
  if (!clientId) return oauthError(400, 'invalid_request', 'client_id is required');
  const deviceCode = newSecret.hex(20);
  const userCode = newUserCode();
  await context.state.update((current) => {
    const approver = current.deviceLogin?.userId;
    const authorization: WireMockDeviceAuthorization = {
      deviceCode,
      userCode,
      clientId,
      audience: field(request.body, 'audience') ?? API_AUDIENCE,
      scope: field(request.body, 'scope') ?? 'openid',
      expiresAt: new Date(now.getTime() + DEVICE_CODE_SECONDS * 1000).toISOString(),
      ...(approver && current.users.some((user) => user.id === approver)
        ? { approvedBy: approver }
        : {}),
    };
    const kept = (current.deviceAuthorizations ?? []).filter(live(now));
    return {
      value: {
        ...current,
        deviceAuthorizations: [...kept, authorization].slice(-MAX_DEVICE_AUTHORIZATIONS),
      },
      result: undefined,
    };
  });
  const verification = `${request.baseUrl}/activate`;
  return {
    status: 200,
    body: {
      device_code: deviceCode,
      user_code: userCode,
      verification_uri: verification,
      verification_uri_complete: `${verification}?user_code=${userCode}`,
      expires_in: DEVICE_CODE_SECONDS,
      interval: POLL_INTERVAL_SECONDS,
    },
  };
}

export async function requestToken(context: HandlerContext<WireMockState>): Promise<HandlerResult> {
  const { request, now } = context;
  const grantType = field(request.body, 'grant_type');
  if (grantType !== DEVICE_CODE_GRANT)
    return oauthError(400, 'unsupported_grant_type', `only ${DEVICE_CODE_GRANT} is supported`);
  const deviceCode = field(request.body, 'device_code');
  if (!deviceCode) return oauthError(400, 'invalid_request', 'device_code is required');
  const clientId = field(request.body, 'client_id');
  return context.state.update<HandlerResult>((current) => {
    const authorizations = current.deviceAuthorizations ?? [];
    const found = authorizations.find((authorization) =>
      sameSecret(authorization.deviceCode, deviceCode),
    );
    if (!found || (clientId !== undefined && clientId !== found.clientId))
      return { result: oauthError(400, 'invalid_grant', 'unknown or already used device code') };
    const others = authorizations.filter((authorization) => authorization !== found);
    if (!live(now)(found))
      return {
        value: { ...current, deviceAuthorizations: others },
        result: oauthError(400, 'expired_token', 'the device code has expired'),
      };
    if (found.approvedBy === undefined)
      return {
        result: oauthError(403, 'authorization_pending', 'User has yet to authorize device code.'),
      };
    const user = current.users.find((candidate) => candidate.id === found.approvedBy);
    // A device code is redeemed once: it goes whatever the outcome, so a replay is invalid_grant.
    const value = { ...current, deviceAuthorizations: others };
    if (!user)
      return { value, result: oauthError(400, 'invalid_grant', 'the approving user is gone') };
    const tokens = issueTokens(user, {
      issuer: issuerOf(request.baseUrl),
      clientId: found.clientId,
      audience: found.audience,
      scope: found.scope,
      now,
    });
    return { value, result: { status: 200, body: tokens } };
  });
}
