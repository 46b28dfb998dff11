import { positionsBy } from '../../state/immutable.js';
import { indexPer, sameSecret } from '../../state/secrets.js';
import type { Credential } from '../../validators/security.js';
import { refuse } from '../refuse.js';
import type { HandlerContext, HandlerResult } from '../types.js';
import type { WireMockState, WireMockUser } from './state.js';
import { accessTokenUser } from './tokens.js';

/**
 * Who is calling, and whether they may act on the user a path names: a user acts on their own
 * account; an organisation admin on its members'; anyone else gets 403 `{errors: [{title:
 * "Forbidden"}]}`. An unknown user is 404 `{"code":404,"message":"HTTP 404 Not Found"}`.
 */

export const tokenIndex = indexPer((state: WireMockState) =>
  state.users.map((user) => [user.apiToken, user] as const),
);
export const userIds = positionsBy((user: WireMockUser) => user.id);
export const UNKNOWN = 'the API token is unknown or was regenerated';

/** The scheme of the device flow's access tokens in the spec. */
const ACCESS_TOKEN_SCHEME = 'oauth2AccessToken';

/**
 * A `Token` credential is the token; a Basic one is the token with its user's username; a Bearer
 * one is an access token from the identity provider stand-in, valid at `now`.
 */
export function userOf(
  state: WireMockState,
  credential: Credential,
  now: Date,
): WireMockUser | undefined {
  if (credential.scheme === ACCESS_TOKEN_SCHEME)
    return accessTokenUser(state, credential.value, now);
  const user = tokenIndex(state).find(credential.value);
  if (!user) return undefined;
  if (credential.username !== undefined && !sameSecret(credential.username, user.username))
    return undefined;
  return user;
}

function mayAct(caller: WireMockUser, target: WireMockUser): boolean {
  return (
    caller.id === target.id ||
    (caller.role === 'admin' && caller.organisationId === target.organisationId)
  );
}

export const NOT_FOUND: HandlerResult = {
  status: 404,
  body: { code: 404, message: 'HTTP 404 Not Found' },
};
const FORBIDDEN: HandlerResult = {
  status: 403,
  body: { errors: [{ title: 'Forbidden', source: {} }] },
};

/** The caller and the user the path names, or the answer that stops there. */
export function callerAndTarget(
  state: WireMockState,
  context: HandlerContext<WireMockState>,
): { caller: WireMockUser; target: WireMockUser } | HandlerResult {
  const caller = context.principal && userOf(state, context.principal.credential, context.now);
  if (!caller) throw refuse(401, UNKNOWN);
  const position = userIds(state.users).get(String(context.request.params.path.userId));
  const target = position === undefined ? undefined : state.users[position];
  if (!target) return NOT_FOUND;
  return mayAct(caller, target) ? { caller, target } : FORBIDDEN;
}
