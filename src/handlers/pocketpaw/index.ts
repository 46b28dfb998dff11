import { tokenBucket, type TokenBucket } from '../../state/rate-limits.js';
import { indexPer, newSecret, sameSecret } from '../../state/secrets.js';
import { refuse } from '../refuse.js';
import type {
  Authentication,
  HandlerContext,
  HandlerResult,
  ListedCredential,
  Principal,
  VendorAction,
  VendorModule,
} from '../types.js';
import type { Credential } from '../../validators/security.js';
import { issueSessionToken, verifySessionToken } from './session-tokens.js';
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

/** The server's version, as `GET /api/version` reports it. */
const VERSION = { current: '0.4.1', latest: '0.4.1', update_available: false };

/**
 * Its rate limiter (security/rate_limiter.py): token buckets per client address, 10 requests a
 * second with a burst of 30, and a stricter tier for the session exchange, 1 a second with a burst
 * of 5. `X-RateLimit-Reset` and `Retry-After` are in seconds, rounded up.
 */
const TIERS = {
  api: tokenBucket(10, 30),
  auth: tokenBucket(1, 5),
};
const tierOf = (operationId: string): keyof typeof TIERS =>
  operationId === 'exchange_session_token_api_auth_session_post' ? 'auth' : 'api';
const seconds = (ms: number): string => String(Math.max(0, Math.ceil(ms / 1000)));

/** A new master token: the old one and every session signed with it stop working at once. */
const regenerate = async ({
  principal,
  now,
  state,
}: HandlerContext<PocketPawState>): Promise<HandlerResult> =>
  state.update<HandlerResult>((current) => {
    if (!principal || !identify(current, principal.credential, now))
      throw refuse(401, 'Unauthorized');
    const masterToken = newSecret.prefixed('pk_', 20);
    const next = { ...current, masterToken };
    apiKeyIndex.carry(current, next); // the API keys live on: their index does too
    return { value: next, result: { status: 200, body: { token: masterToken } } };
  });

/**
 * The control plane's `sessions` action (`POST /__admin/vendors/pocketpaw/actions/sessions`, and
 * its older name `POST /__admin/pocketpaw/sessions`): what PocketPaw's own login hands a connected
 * client, a session signed with the current master token, without a client having to hold it.
 */
const sessions: VendorAction<PocketPawState> = {
  description: 'A session token signed with the current master token',
  body: {
    type: 'object',
    additionalProperties: false,
    properties: {
      // At most 100 years, so that the expiry stays a date an answer can carry.
      ttlSeconds: { type: 'integer', minimum: 1, maximum: 3_155_760_000 },
    },
  },
  async run({ request, now, state }): Promise<HandlerResult> {
    const current = await state.read();
    const ttlSeconds =
      (request.body as { ttlSeconds?: number } | undefined)?.ttlSeconds ??
      current.sessionTtlHours * 3600;
    const { token, expiresAt } = issueSessionToken(current.masterToken, now, ttlSeconds);
    return {
      status: 201,
      body: { session_token: token, expires_at: expiresAt.toISOString() },
    };
  },
};

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

  rateLimit: {
    description:
      '10 requests a second per client address, burst 30; the session exchange 1 a second, burst 5',
    key: ({ clientAddress, operationId }) => `${tierOf(operationId)}:${clientAddress}`,
    take: (bucket, now, operationId) =>
      TIERS[tierOf(operationId)](bucket as TokenBucket | undefined, now),
    headers: (decision) => ({
      'X-RateLimit-Limit': String(decision.limit),
      'X-RateLimit-Remaining': String(decision.remaining),
      'X-RateLimit-Reset': seconds(decision.retryAfterMs ?? decision.resetAt - decision.now),
      ...(decision.allowed ? {} : { 'Retry-After': seconds(decision.retryAfterMs ?? 0) }),
    }),
    refusal: () => ({ status: 429, body: { detail: 'Too many requests' } }),
  },

  handlers: {
    regenerate_access_token_api_token_regenerate_post: regenerate,
    regenerate_access_token_api_v1_token_regenerate_post: regenerate,

    /**
     * Only the master token may open a session. Another credential gets past the middleware but
     * not the handler: `{"detail": "Invalid master token"}`.
     */
    async exchange_session_token_api_auth_session_post({
      principal,
      now,
      state,
    }): Promise<HandlerResult> {
      const current = await state.read();
      if (!principal || !sameSecret(principal.credential.value, current.masterToken)) {
        return { status: 401, body: { detail: 'Invalid master token' } };
      }
      const { token } = issueSessionToken(current.masterToken, now, current.sessionTtlHours * 3600);
      return {
        status: 200,
        body: { session_token: token, expires_in_hours: current.sessionTtlHours },
      };
    },

    get_version_info_api_version_get: () => ({ status: 200, body: VERSION }),
  },

  actions: { sessions },
};

export default pocketPaw;
