import { randomUUID } from 'node:crypto';
import { idpUserIdOf, userBySubject } from './accounts.js';
import { signJwt, verifyJwt, type SigningKey, signingKey } from './jwt.js';
import type { WireMockState, WireMockUser } from './state.js';

/**
 * The tokens the identity provider stand-in issues at the end of a device flow, and how the API
 * side checks them: an access token for the API (`Authorization: Bearer`), and an ID token that
 * `POST /v1/auth/oidc` exchanges. Both are ES256 JWTs on the virtual clock.
 */

/** The audience WireMock Cloud's CLI asks for (its `oauth2.audience`): the API. */
export const API_AUDIENCE = 'https://api.wiremock.cloud';
/** The documentation's example token response says `expires_in: 300`. */
export const ACCESS_TOKEN_SECONDS = 300;
/** Auth0's default ID token lifetime: 10 hours. */
export const ID_TOKEN_SECONDS = 36_000;

/** The issuer is the identity provider's base URL, as its discovery document states it. */
export const issuerOf = (baseUrl: string): string => `${baseUrl}/`;

export interface TokenRequestContext {
  issuer: string;
  clientId: string;
  audience: string;
  scope: string;
  now: Date;
}

export interface IssuedTokens {
  access_token: string;
  id_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

export function issueTokens(
  user: WireMockUser,
  request: TokenRequestContext,
  key: SigningKey = signingKey(),
): IssuedTokens {
  const iat = Math.floor(request.now.getTime() / 1000);
  const sub = idpUserIdOf(user);
  const access_token = signJwt(
    {
      iss: request.issuer,
      sub,
      aud: request.audience,
      azp: request.clientId,
      scope: request.scope,
      iat,
      exp: iat + ACCESS_TOKEN_SECONDS,
      jti: randomUUID(),
    },
    key,
  );
  const id_token = signJwt(
    {
      iss: request.issuer,
      sub,
      aud: request.clientId,
      email: user.emailAddress,
      email_verified: true,
      iat,
      exp: iat + ID_TOKEN_SECONDS,
    },
    key,
  );
  return {
    access_token,
    id_token,
    token_type: 'Bearer',
    expires_in: ACCESS_TOKEN_SECONDS,
    scope: request.scope,
  };
}

/** The user an access token for the API belongs to, if it is one, valid at `now`. */
export function accessTokenUser(
  state: WireMockState,
  token: string,
  now: Date,
): WireMockUser | undefined {
  const verified = verifyJwt(token, now);
  if (!verified.ok) return undefined;
  const { aud, scope, sub } = verified.claims;
  // An ID token (audience: the client, no scope) is no access token.
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (!audiences.includes(API_AUDIENCE) || typeof scope !== 'string') return undefined;
  return userBySubject(state, sub);
}

/** The user an ID token names, if this identity provider issued it and it is valid at `now`. */
export function idTokenUser(
  state: WireMockState,
  token: string,
  { issuer, now }: { issuer: string; now: Date },
): { ok: true; user: WireMockUser } | { ok: false; reason: string } {
  const verified = verifyJwt(token, now);
  if (!verified.ok) return verified;
  const { iss, sub, aud } = verified.claims;
  if (iss !== issuer) return { ok: false, reason: `the ID token's issuer is not ${issuer}` };
  if (typeof aud !== 'string' || aud === API_AUDIENCE)
    return { ok: false, reason: 'not an ID token (its audience must be the client)' };
  const user = userBySubject(state, sub);
  return user
    ? { ok: true, user }
    : { ok: false, reason: 'the ID token names no WireMock Cloud user' };
}
