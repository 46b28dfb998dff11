import { produce } from 'immer';
import { indexPer, newSecret, sameSecret } from '../../state/secrets.js';
import { refuse } from '../refuse.js';
import type {
  Authentication,
  HandlerResult,
  ListedCredential,
  Principal,
  VendorModule,
} from '../types.js';
import type { Credential } from '../../validators/security.js';
import { verifySessionToken } from './session-tokens.js';
import { initialPocketPawState, PocketPawStateSchema, type PocketPawState } from './state.js';

/**
 * PocketPaw, "Regenerate Access Token": "Generate a new PocketPaw access token and invalidate all
 * existing session tokens ... Every connected client will need to re-authenticate with the new
 * token." The server's auth middleware accepts, as a bearer token, the master token, a session
 * token signed with it, or an API key (`pp_...`); any of them may regenerate. API keys survive a
 * regeneration; sessions do not (they are signed with the old master). Failures are FastAPI's
 * `{"detail": "Unauthorized"}`. The real server skips auth for localhost connections by default;
 * standin never does, since that would hide a client's missing credential.
 */
const apiKeyIndex = indexPer((state: PocketPawState) =>
  state.apiKeys.map((apiKey) => [apiKey.key, apiKey] as const),
);

/** Who a bearer value is: the owner (master token or a session), an API key, or nobody. */
function identify(state: PocketPawState, credential: Credential, now: Date): Principal | undefined {
  const value = credential.value;
  if (sameSecret(value, state.masterToken)) return { id: 'owner', credential };
  if (value.includes(':') && verifySessionToken(value, state.masterToken, now))
    return { id: 'owner', credential };
  if (value.startsWith('pp_')) {
    const apiKey = apiKeyIndex(state).find(value);
    if (apiKey) return { id: apiKey.id, credential };
  }
  return undefined;
}

export const pocketPaw: VendorModule<PocketPawState> = {
  state: { schema: PocketPawStateSchema, initial: initialPocketPawState },

  authenticate(credentials, state, now): Authentication {
    const credential = credentials[0];
    const principal = credential && identify(state, credential, now);
    return principal ? { ok: true, principal } : { ok: false, detail: 'Unauthorized' };
  },

  credentials(state): ListedCredential[] {
    return [
      {
        principal: 'owner',
        header: 'Authorization',
        value: `Bearer ${state.masterToken}`,
        expiresAt: null,
      },
      ...state.apiKeys.map((apiKey) => ({
        principal: apiKey.id,
        header: 'Authorization',
        value: `Bearer ${apiKey.key}`,
        expiresAt: null,
      })),
    ];
  },

  handlers: {
    async regenerate_access_token_api_token_regenerate_post({
      principal,
      now,
      state,
    }): Promise<HandlerResult> {
      return state.update<HandlerResult>((current) => {
        if (!principal || !identify(current, principal.credential, now))
          throw refuse(401, 'Unauthorized');
        const masterToken = newSecret.prefixed('pk_', 20);
        const next = produce(current, (draft) => {
          draft.masterToken = masterToken;
        });
        return { value: next, result: { status: 200, body: { token: masterToken } } };
      });
    },
  },
};
