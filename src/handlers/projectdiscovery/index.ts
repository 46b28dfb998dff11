import { updateWhere } from '../../state/immutable.js';
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
  state.users.flatMap((user) => (user.apiKey === null ? [] : [[user.apiKey, user] as const])),
);

const INVALID_KEY = 'invalid API key';

/** Changes the caller's key inside a transaction, after checking again that the key still belongs to them. */
function withCaller(
  { principal, state }: HandlerContext<ProjectDiscoveryState>,
  change: (
    user: ProjectDiscoveryUser,
    current: ProjectDiscoveryState,
  ) => { value?: ProjectDiscoveryState; result: HandlerResult },
): Promise<HandlerResult> {
  const presented = principal?.credential.value ?? '';
  return state.update<HandlerResult>((current) => {
    const user = keyIndex(current).find(presented);
    if (!user) throw refuse(401, INVALID_KEY);
    return change(user, current);
  });
}

function setKey(
  current: ProjectDiscoveryState,
  userId: string,
  apiKey: string | null,
): ProjectDiscoveryState {
  return {
    ...current,
    users: updateWhere(
      current.users,
      (user) => user.id === userId,
      (user) => ({ ...user, apiKey }),
    ),
  };
}

async function caller({
  principal,
  state,
}: HandlerContext<ProjectDiscoveryState>): Promise<ProjectDiscoveryUser> {
  const user = keyIndex(await state.read()).find(principal?.credential.value ?? '');
  if (!user) throw refuse(401, INVALID_KEY);
  return user;
}

export const projectDiscovery: VendorModule<ProjectDiscoveryState> = {
  state: { schema: ProjectDiscoveryStateSchema, initial: initialProjectDiscoveryState },

  authenticate(credentials, state): Authentication {
    const credential = credentials[0];
    const user = credential && keyIndex(state).find(credential.value);
    if (!credential || !user) return { ok: false, detail: INVALID_KEY };
    return { ok: true, principal: { id: user.id, credential } };
  },

  credentials(state): ListedCredential[] {
    return state.users.flatMap((user) =>
      user.apiKey === null
        ? []
        : [{ principal: user.id, header: 'X-API-Key', value: user.apiKey, expiresAt: null }],
    );
  },

  handlers: {
    'post-v1-user-apikey-rotate': (context) =>
      withCaller(context, (user, current) => {
        const apiKey = newSecret.uuid();
        return {
          value: setKey(current, user.id, apiKey),
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
      withCaller(context, (user, current) => ({
        value: setKey(current, user.id, null),
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
