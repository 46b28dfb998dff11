import { tokenBucket, type RateDecision, type TokenBucket } from '../../state/rate-limits.js';
import { newSecret } from '../../state/secrets.js';
import { refuse } from '../refuse.js';
import type {
  Authentication,
  HandlerContext,
  HandlerResult,
  ListedCredential,
  VendorAction,
  VendorModule,
} from '../types.js';
import { cookieLogin } from './cookie-login.js';
import { apiKeyIndex, identify, isMasterBearer } from './identify.js';
import { issueSessionToken } from './session-tokens.js';
import { initialPocketPawState, PocketPawStateSchema, type PocketPawState } from './state.js';

/**
 * PocketPaw, "Regenerate Access Token": "Generate a new PocketPaw access token and invalidate all
 * existing session tokens ... Every connected client will need to re-authenticate with the new
 * token." The server's auth middleware accepts, as a bearer token, the master token, a session
 * token signed with it, or an API key (`pp_...`); and, in the `pocketpaw_session` cookie that the
 * browser login sets, the master token or a session (see identify.ts). Any of them may
 * regenerate. API keys survive a regeneration; sessions, cookie or not, do not (they are signed
 * with the old master). Failures are FastAPI's `{"detail": "Unauthorized"}`. The real server
 * skips auth for localhost connections by default; standin never does, since that would hide a
 * client's missing credential.
 */

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

/**
 * The browser login is on the middleware's list of exempt paths, which it lets through before the
 * limiter: a login is neither counted nor answered with rate-limit headers.
 */
const LOGIN_OPERATIONS = new Set([
  'cookie_login_api_auth_login_post',
  'cookie_login_api_v1_auth_login_post',
]);

const tierOf = (operationId: string): keyof typeof TIERS =>
  operationId === 'exchange_session_token_api_auth_session_post' ? 'auth' : 'api';
const seconds = (ms: number): string => String(Math.max(0, Math.ceil(ms / 1000)));

function take(bucket: unknown, now: number, operationId: string): RateDecision<unknown> {
  return TIERS[tierOf(operationId)](bucket as TokenBucket | undefined, now);
}

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
    // The middleware tries each place in turn (header, then cookie): the first that identifies.
    for (const credential of credentials) {
      const principal = identify(state, credential, now);
      if (principal) return { ok: true, principal };
    }
    return { ok: false, detail: 'Unauthorized' };
  },

  credentials(state): ListedCredential[] {
    return [
      {
        principal: 'owner',
        header: 'Authorization',
        value: `Bearer ${state.masterToken}`,
        expiresAt: null,
        // The master token regenerates itself; API keys have no operation of their own.
        rotate: { method: 'POST', path: '/api/token/regenerate' },
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
    exempt: (operationId) => LOGIN_OPERATIONS.has(operationId),
    key: ({ clientAddress, operationId }) => `${tierOf(operationId)}:${clientAddress}`,
    take,
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
     * Only the master token, as a bearer token, may open a session. Another credential (a
     * session, an API key, the login cookie) gets past the middleware but not the handler, which
     * reads the Authorization header alone: `{"detail": "Invalid master token"}`.
     */
    async exchange_session_token_api_auth_session_post({
      principal,
      now,
      state,
    }): Promise<HandlerResult> {
      const current = await state.read();
      if (!principal || !isMasterBearer(current, principal.credential)) {
        return { status: 401, body: { detail: 'Invalid master token' } };
      }
      const { token } = issueSessionToken(current.masterToken, now, current.sessionTtlHours * 3600);
      return {
        status: 200,
        body: { session_token: token, expires_in_hours: current.sessionTtlHours },
      };
    },

    get_version_info_api_version_get: () => ({ status: 200, body: VERSION }),

    cookie_login_api_auth_login_post: cookieLogin,
    cookie_login_api_v1_auth_login_post: cookieLogin,
  },

  actions: { sessions },
};

export default pocketPaw;
