import { positionsBy } from '../../state/immutable.js';
import { fixedWindow, type FixedWindowBucket } from '../../state/rate-limits.js';
import { indexPer, newSecret } from '../../state/secrets.js';
import { refuse } from '../refuse.js';
import type { Authentication, HandlerResult, ListedCredential, VendorModule } from '../types.js';
import {
  initialThousandEyesState,
  ThousandEyesStateSchema,
  twoYearsAfter,
  type ThousandEyesState,
  type ThousandEyesToken,
  type ThousandEyesUser,
} from './state.js';

/**
 * ThousandEyes API v7, as its "Regenerate API token" document says:
 * - "Requires a valid, non-expired bearer token."
 * - "The new token is valid for 2 years."
 * - "After regeneration, the previous token remains valid for 14 days, or until its scheduled
 *   expiration date, whichever comes first."
 * - "You can regenerate a new token only if your account has a single active token. Attempts to
 *   regenerate more than one new token within the 14-day overlap period returns a 409 error."
 * Errors other than 401 use `{type, title, status, detail, instance}`; the 401 is OAuth-style
 * `{error, error_description}` (the spec's example, which the engine answers with).
 */
const OVERLAP_MS = 14 * 24 * 60 * 60 * 1000;
const perOrganisation = fixedWindow(240, 60_000);

/** Each token's user, with where the user is in the state. */
interface TokenOwner {
  user: ThousandEyesUser;
  token: ThousandEyesToken;
  position: number;
}

const tokensOf = (user: ThousandEyesUser, position: number) =>
  user.tokens.map((token) => [token.token, { user, token, position }] as const);

const tokenIndex = indexPer((state: ThousandEyesState) => state.users.flatMap(tokensOf));
const userIds = positionsBy((user: ThousandEyesUser) => user.uid);

const isActive = (token: ThousandEyesToken, now: Date): boolean =>
  Date.parse(token.expiresAt) > now.getTime();

function findActive(
  state: ThousandEyesState,
  presented: string,
  now: Date,
): TokenOwner | undefined {
  const found = tokenIndex(state).find(presented);
  return found && isActive(found.token, now) ? found : undefined;
}

/**
 * The state with one user's tokens replaced: one array copy, and the token index of the next state
 * derived from this one's (only this user's tokens are digested). A state that repeats a uid (a
 * fixture may) changes every user with that uid, as it always has.
 */
function withTokens(
  current: ThousandEyesState,
  { user }: TokenOwner,
  tokens: ThousandEyesToken[],
): ThousandEyesState {
  const { items: users, at } = userIds.replace(current.users, user.uid, (owner) => ({
    ...owner,
    tokens,
  }));
  const next = { ...current, users };
  if (at)
    tokenIndex.derive(current, next, {
      remove: user.tokens.map((token) => token.token),
      add: tokensOf(at.item, at.position),
    });
  return next;
}

export const thousandEyes: VendorModule<ThousandEyesState> = {
  state: { schema: ThousandEyesStateSchema, initial: initialThousandEyesState },

  authenticate(credentials, state, now): Authentication {
    const credential = credentials[0];
    const user = credential && findActive(state, credential.value, now)?.user;
    if (!credential || !user)
      return { ok: false, detail: 'the bearer token is unknown, revoked or expired' };
    return { ok: true, principal: { id: user.uid, group: user.organisationId, credential } };
  },

  /**
   * "The ThousandEyes API throttles API requests using a 240 request per minute (per organization)
   * limit. The limit rolls over one minute from the first request in a batch." (Rate limits page)
   */
  rateLimit: {
    description: '240 requests a minute per organisation (X-Organization-Rate-Limit-* headers)',
    key: ({ principal }) => `organisation:${principal?.group ?? 'anonymous'}`,
    take: (bucket, now) => perOrganisation(bucket as FixedWindowBucket | undefined, now),
    headers: (decision) => ({
      'X-Organization-Rate-Limit-Limit': String(decision.limit),
      'X-Organization-Rate-Limit-Remaining': String(decision.remaining),
      'X-Organization-Rate-Limit-Reset': String(Math.floor(decision.resetAt / 1000)),
    }),
    refusal: () => ({
      status: 429,
      body: {
        type: 'about:blank',
        title: 'Too Many Requests',
        status: 429,
        detail: 'Exhausted rate limit for the organization',
        instance: '/v7',
      },
    }),
  },

  credentials(state, now): ListedCredential[] {
    return state.users.flatMap((user) =>
      user.tokens
        .filter((token) => isActive(token, now))
        .map((token) => ({
          principal: user.uid,
          header: 'Authorization',
          value: `Bearer ${token.token}`,
          expiresAt: token.expiresAt,
          rotate: { method: 'POST' as const, path: '/api-tokens' },
        })),
    );
  },

  handlers: {
    /** Who am I: the token's user. Both tokens of an overlap answer it. */
    async getCurrentUser({ principal, state, now, request }): Promise<HandlerResult> {
      const current = await state.read();
      const position = principal && userIds(current.users).get(principal.id);
      const user = position === undefined ? undefined : current.users[position];
      if (!user) throw refuse(401, 'the bearer token is unknown, revoked or expired');
      const accountGroup = {
        aid: user.accountGroup.aid,
        accountGroupName: user.accountGroup.accountGroupName,
      };
      const role = { ...user.role, isBuiltin: true };
      return {
        status: 200,
        contentType: 'application/hal+json',
        body: {
          uid: user.uid,
          name: user.name,
          email: user.email,
          dateRegistered: user.dateRegistered,
          lastLogin: now.toISOString(),
          loginAccountGroup: accountGroup,
          accountGroupRoles: [{ accountGroup, roles: [role] }],
          allAccountGroupRoles: [role],
          _links: { self: { href: `${request.baseUrl}/users/current` } },
        },
      };
    },

    async regenerateApiToken({ principal, now, state, request }): Promise<HandlerResult> {
      const presented = principal?.credential.value ?? '';
      return state.update<HandlerResult>((current) => {
        // Checked again inside the transaction: a concurrent rotation may have won meanwhile.
        const found = findActive(current, presented, now);
        if (!found) throw refuse(401, 'the bearer token is unknown, revoked or expired');
        const user = found.user;
        const active = user.tokens.filter((token) => isActive(token, now));
        if (active.length > 1) {
          return {
            result: {
              status: 409,
              body: {
                type: 'about:blank',
                title: 'Conflict',
                status: 409,
                detail:
                  'You cannot regenerate another token while both the new and previous tokens are valid.',
                instance: `/v7${request.path}`,
              },
            },
          };
        }
        const overlapEnd = now.getTime() + OVERLAP_MS;
        const issued: ThousandEyesToken = {
          token: newSecret.uuid(),
          issuedAt: now.toISOString(),
          expiresAt: twoYearsAfter(now).toISOString(),
        };
        // The previous token: "valid for 14 days, or until its scheduled expiration date, whichever comes first".
        const tokens = [
          ...user.tokens
            .filter((token) => isActive(token, now))
            .map((token) => ({
              ...token,
              expiresAt: new Date(Math.min(Date.parse(token.expiresAt), overlapEnd)).toISOString(),
            })),
          issued,
        ];
        return {
          value: withTokens(current, found, tokens),
          result: {
            status: 201,
            contentType: 'application/hal+json',
            body: { bearerToken: issued.token, validUntil: issued.expiresAt },
          },
        };
      });
    },
  },
};
