import { createHash } from 'node:crypto';
import { positionsBy } from '../../state/immutable.js';
import { indexPer, newSecret, sameSecret } from '../../state/secrets.js';
import type { Credential } from '../../validators/security.js';
import { refuse } from '../refuse.js';
import type {
  Authentication,
  HandlerContext,
  HandlerResult,
  ListedCredential,
  VendorModule,
} from '../types.js';
import {
  initialWireMockState,
  WireMockStateSchema,
  type WireMockState,
  type WireMockUser,
} from './state.js';

/**
 * WireMock Cloud, "Regenerate a user's API token": `Authorization: Token <key>` (or the legacy
 * Basic `username:api-key`); success is an empty JSON object, so the new token is never in the
 * answer (users see it in the web app): a test learns it from `GET /__admin/credentials`. No grace
 * period is documented, so the old token stops working at once, on every call. A user acts on
 * their own account; an organisation admin on its members'; anyone else gets 403
 * `{errors: [{title: "Forbidden"}]}`. An unknown user is 404 `{"code":404,"message":"HTTP 404 Not
 * Found"}`. Missing or bad credentials are 401 `text/plain` "Credentials are required to access
 * this resource." (the spec's example). `GET /v1/users/self` redirects (307) to the caller's own
 * `GET /v1/users/{userId}`.
 */
const tokenIndex = indexPer((state: WireMockState) =>
  state.users.map((user) => [user.apiToken, user] as const),
);
const userIds = positionsBy((user: WireMockUser) => user.id);
const UNKNOWN = 'the API token is unknown or was regenerated';

/** A `Token` credential is the token; a Basic one is the token with its user's username. */
function userOf(state: WireMockState, credential: Credential): WireMockUser | undefined {
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

const NOT_FOUND: HandlerResult = {
  status: 404,
  body: { code: 404, message: 'HTTP 404 Not Found' },
};
const FORBIDDEN: HandlerResult = {
  status: 403,
  body: { errors: [{ title: 'Forbidden', source: {} }] },
};

/** The caller and the user the path names, or the answer that stops there. */
function callerAndTarget(
  state: WireMockState,
  context: HandlerContext<WireMockState>,
): { caller: WireMockUser; target: WireMockUser } | HandlerResult {
  const caller = context.principal && userOf(state, context.principal.credential);
  if (!caller) throw refuse(401, UNKNOWN);
  const position = userIds(state.users).get(String(context.request.params.path.userId));
  const target = position === undefined ? undefined : state.users[position];
  if (!target) return NOT_FOUND;
  return mayAct(caller, target) ? { caller, target } : FORBIDDEN;
}

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

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The user account as `GET /v1/users/{userId}` answers it; the derived fields are stable per user. */
function account(user: WireMockUser): unknown {
  const self = `/v1/users/${user.id}`;
  return {
    user: {
      id: user.id,
      username: user.username,
      avatarUrl: `https://s.gravatar.com/avatar/${md5(user.emailAddress)}?s=480&r=pg&d=mp`,
      emailAddress: user.emailAddress,
      marketingOptIn: false,
      signupDate: user.signupDate,
      idpUserId: `auth0|${sha256(user.id).slice(0, 24)}`,
      userHash: sha256(user.emailAddress),
      links: {
        self,
        teams: `${self}/teams`,
        mockApis: `${self}/apis`,
        apiTemplateCatalogues: `${self}/api-template-catalogues`,
        apiTemplates: `${self}/api-templates`,
        organisation: `/v1/organisations/${user.organisationId}`,
      },
      hasNativeIdp: true,
    },
  };
}

export const wireMockCloud: VendorModule<WireMockState> = {
  state: { schema: WireMockStateSchema, initial: initialWireMockState },

  authenticate(credentials, state): Authentication {
    const credential = credentials[0];
    const user = credential && userOf(state, credential);
    if (!credential || !user) return { ok: false, detail: UNKNOWN };
    return { ok: true, principal: { id: user.id, credential } };
  },

  credentials(state): ListedCredential[] {
    return state.users.map((user) => ({
      principal: user.id,
      header: 'Authorization',
      value: `Token ${user.apiToken}`,
      expiresAt: null,
    }));
  },

  handlers: {
    getSelf({ principal, request }): HandlerResult {
      // The spec types Location as a URI, so it is absolute: standin's own address for the user.
      return {
        status: 307,
        headers: { location: `${request.baseUrl}/v1/users/${principal?.id ?? ''}` },
      };
    },

    async getUserById(context): Promise<HandlerResult> {
      const found = callerAndTarget(await context.state.read(), context);
      return 'target' in found ? { status: 200, body: account(found.target) } : found;
    },

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
  },
};
