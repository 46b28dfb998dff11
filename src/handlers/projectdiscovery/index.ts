import { positionsBy } from '../../state/immutable.js';
import { indexPer, newSecret } from '../../state/secrets.js';
import { refuse } from '../refuse.js';
import type {
  Authentication,
  HandlerContext,
  HandlerResult,
  ListedCredential,
  VendorModule,
} from '../types.js';
import {
  initialProjectDiscoveryState,
  ProjectDiscoveryStateSchema,
  type ProjectDiscoveryState,
  type ProjectDiscoveryUser,
} from './state.js';

/**
 * ProjectDiscovery Cloud Platform: header `X-API-Key`. "Rotate API Key" answers
 * `{message, api_key}` with the new key, and the old key stops at once (no grace period is
 * documented). Around it, from the platform's full spec: read the key, create one ("this won't
 * create a new api-key if it already exists"), delete it, and read the profile, which
 * ProjectDiscovery's own tools call to check a key (non-200 or an empty `name` means invalid).
 * Errors are `{message}`.
 */
const keyIndex = indexPer((state: ProjectDiscoveryState) =>
  state.users.flatMap((user, position) =>
    user.apiKey === null ? [] : [[user.apiKey, position] as const],
  ),
);

/** The user a key belongs to, with where it is in the state (its index's owner is the position). */
function userWithKey(
  state: ProjectDiscoveryState,
  presented: string,
): { user: ProjectDiscoveryUser; position: number } | undefined {
  const position = keyIndex(state).find(presented);
  const user = position === undefined ? undefined : state.users[position];
  return user && { user, position: position as number };
}

const INVALID_KEY = 'invalid API key';

/** Changes the caller's key inside a transaction, after checking again that the key still belongs to them. */
function withCaller(
  { principal, state }: HandlerContext<ProjectDiscoveryState>,
  change: (
    found: { user: ProjectDiscoveryUser; position: number },
    current: ProjectDiscoveryState,
  ) => { value?: ProjectDiscoveryState; result: HandlerResult },
): Promise<HandlerResult> {
  const presented = principal?.credential.value ?? '';
  return state.update<HandlerResult>((current) => {
    const found = userWithKey(current, presented);
    if (!found) throw refuse(401, INVALID_KEY);
    return change(found, current);
  });
}

const userIds = positionsBy((user: ProjectDiscoveryUser) => user.id);

/**
 * The state with one user's key changed: one array copy, and the key index of the next state
 * derived from this one's (only the old and the new key are digested). A state that repeats a
 * user id (a fixture may) changes every user with that id, as it always has.
 */
function setKey(
  current: ProjectDiscoveryState,
  { user }: { user: ProjectDiscoveryUser },
  apiKey: string | null,
): ProjectDiscoveryState {
  const { items: users, at } = userIds.replace(current.users, user.id, (candidate) => ({
    ...candidate,
    apiKey,
  }));
  const next = { ...current, users };
  if (at)
    keyIndex.derive(current, next, {
      remove: user.apiKey === null ? [] : [user.apiKey],
      add: apiKey === null ? [] : [[apiKey, at.position]],
    });
  return next;
}

async function caller({
  principal,
  state,
}: HandlerContext<ProjectDiscoveryState>): Promise<ProjectDiscoveryUser> {
  const found = userWithKey(await state.read(), principal?.credential.value ?? '');
  if (!found) throw refuse(401, INVALID_KEY);
  return found.user;
}

export const projectDiscovery: VendorModule<ProjectDiscoveryState> = {
  state: { schema: ProjectDiscoveryStateSchema, initial: initialProjectDiscoveryState },

  authenticate(credentials, state): Authentication {
    const credential = credentials[0];
    const user = credential && userWithKey(state, credential.value)?.user;
    if (!credential || !user) return { ok: false, detail: INVALID_KEY };
    return { ok: true, principal: { id: user.id, credential } };
  },

  credentials(state): ListedCredential[] {
    return state.users.flatMap((user) =>
      user.apiKey === null
        ? []
        : [
            {
              principal: user.id,
              header: 'X-API-Key',
              value: user.apiKey,
              expiresAt: null,
              rotate: { method: 'POST' as const, path: '/v1/user/apikey/rotate' },
              revoke: { method: 'DELETE' as const, path: '/v1/user/apikey' },
            },
          ],
    );
  },

  handlers: {
    'post-v1-user-apikey-rotate': (context) =>
      withCaller(context, (found, current) => {
        const apiKey = newSecret.uuid();
        return {
          value: setKey(current, found, apiKey),
          result: {
            status: 200,
            body: { message: 'API key rotated successfully', api_key: apiKey },
          },
        };
      }),

    async 'get-v1-user-apikey'(context) {
      const user = await caller(context);
      return {
        status: 200,
        body: { message: 'API key fetched successfully', api_key: user.apiKey },
      };
    },

    // The caller authenticated with their key, so one always exists here: it is answered as it is.
    async 'post-v1-user-apikey'(context) {
      const user = await caller(context);
      return { status: 200, body: { message: 'API key already exists', api_key: user.apiKey } };
    },

    'delete-v1-user-apikey': (context) =>
      withCaller(context, (found, current) => ({
        value: setKey(current, found, null),
        result: { status: 200, body: { message: 'API key deleted successfully' } },
      })),

    async 'get-v1-user'(context) {
      const user = await caller(context);
      return {
        status: 200,
        body: {
          message: 'user profile fetched successfully',
          name: user.name,
          email: user.email,
          team_name: user.teamName,
          plan: user.plan,
          role: user.role,
          is_team_owner: user.role === 'owner',
          is_read_only: false,
        },
      };
    },
  },
};
