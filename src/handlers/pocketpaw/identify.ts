import { indexPer, sameSecret } from '../../state/secrets.js';
import type { Principal } from '../types.js';
import type { Credential } from '../../validators/security.js';
import { verifySessionToken } from './session-tokens.js';
import type { PocketPawState } from './state.js';

/**
 * Who a credential is, as PocketPaw's auth middleware (dashboard_auth.py `_auth_dispatch`)
 * decides: the master token or a session token signed with it is the owner, in the
 * Authorization header or in the `pocketpaw_session` cookie; an API key (`pp_...`) is itself, but
 * only from the header (the middleware never looks for one in the cookie).
 */
export const apiKeyIndex = indexPer((state: PocketPawState) =>
  state.apiKeys.map((apiKey) => [apiKey.key, apiKey] as const),
);

export function identify(
  state: PocketPawState,
  credential: Credential,
  now: Date,
): Principal | undefined {
  const value = credential.value;
  if (isOwnerToken(state, value, now)) return { id: 'owner', credential };
  if (credential.in === 'header') {
    const apiKey = findApiKey(state, value);
    if (apiKey) return { id: apiKey.id, credential };
  }
  return undefined;
}

/** The master token itself, or a session (`{expires}:{hmac}`) signed with it and not expired. */
export function isOwnerToken(state: PocketPawState, value: string, now: Date): boolean {
  if (sameSecret(value, state.masterToken)) return true;
  return value.includes(':') && verifySessionToken(value, state.masterToken, now);
}

/** The API key a value is, looked up by digest (no comparison against every key). */
export function findApiKey(
  state: PocketPawState,
  value: string,
): PocketPawState['apiKeys'][number] | undefined {
  return value.startsWith('pp_') ? apiKeyIndex(state).find(value) : undefined;
}

/** Whether a credential is the master token sent as a bearer token: what opens a session. */
export function isMasterBearer(state: PocketPawState, credential: Credential): boolean {
  return credential.in === 'header' && sameSecret(credential.value, state.masterToken);
}
