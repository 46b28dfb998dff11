import { newSecret } from '../../state/secrets.js';
import { refuse } from '../refuse.js';
import type {
  Authentication,
  HandlerContext,
  HandlerResult,
  ListedCredential,
  VendorModule,
} from '../types.js';
import { account } from './accounts.js';
import { callerAndTarget, tokenIndex, UNKNOWN, userIds, userOf } from './callers.js';
import {
  getJsonWebKeySet,
  getOpenIdConfiguration,
  requestDeviceAuthorization,
  requestToken,
} from './identity-provider.js';
import { getMockApisForUser } from './mock-apis.js';
import {
  initialWireMockState,
  WireMockStateSchema,
  type WireMockState,
  type WireMockUser,
} from './state.js';
import { idTokenUser, issuerOf } from './tokens.js';

/**
 * WireMock Cloud, "Regenerate a user's API token": `Authorization: Token <key>` (or the legacy
 * Basic `username:api-key`, or a device-flow access token as `Bearer`); success is an empty JSON
 * object. The new token is in a read of the caller's own user (`apiKey`, as WireMock Cloud's CLI
 * expects), and in `GET /__admin/credentials`. No grace period is documented, so the old token
 * stops working at once, on every call. Who may act on whom: see callers.ts. Missing or bad
 * credentials are 401 `text/plain` "Credentials are required to access this resource." (the
 * spec's example). `GET /v1/users/self` redirects (307) to the caller's own `GET
 * /v1/users/{userId}`.
 *
 * Around it, what WireMock Cloud's CLI calls: `GET /status`, the mock APIs of a user
 * (mock-apis.ts), and `wiremock login`: a device flow at the identity provider stand-in
 * (identity-provider.ts), then `POST /v1/auth/oidc` with the ID token.
 */

/**
 * The state with one user's token changed: one array copy, and the token index of the next state
 * derived from this one's (only the old and the new token are digested). A state that repeats a
 * user id (a fixture may) changes every user with that id, as it always has.
 */
function withToken(current: WireMockState, target: WireMockUser, apiToken: string): WireMockState {
  const { items: users, at } = userIds.replace(current.users, target.id, (user) => ({
    ...user,
    apiToken,
  }));
  const next = { ...current, users };
  if (at)
    tokenIndex.derive(current, next, { remove: [target.apiToken], add: [[apiToken, at.item]] });
  return next;
}

export const wireMockCloud: VendorModule<WireMockState> = {
  state: { schema: WireMockStateSchema, initial: initialWireMockState },

  authenticate(credentials, state, now): Authentication {
    const credential = credentials[0];
    const user = credential && userOf(state, credential, now);
    if (!credential || !user) return { ok: false, detail: UNKNOWN };
    return { ok: true, principal: { id: user.id, credential } };
  },

  credentials(state): ListedCredential[] {
    return state.users.map((user) => ({
      principal: user.id,
      header: 'Authorization',
      value: `Token ${user.apiToken}`,
      expiresAt: null,
      rotate: {
        method: 'POST' as const,
        path: `/v1/users/${encodeURIComponent(user.id)}/regenerate-api-token`,
      },
    }));
  },

  handlers: {
    getStatus(): HandlerResult {
      return { status: 200, body: {} };
    },

    getSelf({ principal, request }): HandlerResult {
      // The spec types Location as a URI, so it is absolute: standin's own address for the user.
      return {
        status: 307,
        headers: { location: `${request.baseUrl}/v1/users/${principal?.id ?? ''}` },
      };
    },

    async getUserById(context): Promise<HandlerResult> {
      const found = callerAndTarget(await context.state.read(), context);
      if (!('target' in found)) return found;
      return {
        status: 200,
        body: account(found.target, { own: found.caller.id === found.target.id }),
      };
    },

    getMockApisForUser,

    async regenerateUserApiToken(context): Promise<HandlerResult> {
      return context.state.update<HandlerResult>((current) => {
        const found = callerAndTarget(current, context);
        if (!('target' in found)) return { result: found };
        const apiToken = newSecret.hex(16);
        return {
          value: withToken(current, found.target, apiToken),
          result: { status: 200, body: {} },
        };
      });
    },

    /**
     * The ID token must be one this identity provider signed, for this base URL, unexpired, and
     * name a user; then 200 `{}` (the CLI reads only the status, then its user with the access
     * token). Anything else is the API's 401.
     */
    async exchangeOidcIdToken(context: HandlerContext<WireMockState>): Promise<HandlerResult> {
      const body = context.request.body as { idToken?: unknown } | undefined;
      const idToken = typeof body?.idToken === 'string' ? body.idToken : '';
      const checked = idTokenUser(await context.state.read(), idToken, {
        issuer: issuerOf(context.request.baseUrl),
        now: context.now,
      });
      if (!checked.ok) throw refuse(401, checked.reason);
      return { status: 200, body: {} };
    },

    getOpenIdConfiguration,
    getJsonWebKeySet,
    requestDeviceAuthorization,
    requestToken,
  },
};
