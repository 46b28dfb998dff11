import { produce } from 'immer';
import { indexPer, newSecret } from '../../state/secrets.js';
import { refuse } from '../refuse.js';
import type { Authentication, HandlerResult, ListedCredential, VendorModule } from '../types.js';
import {
  initialWireMockState,
  WireMockStateSchema,
  type WireMockState,
  type WireMockUser,
} from './state.js';

/**
 * WireMock Cloud, "Regenerate a user's API token": `Authorization: Token <key>`; success is an
 * empty JSON object, so the new token is never in the answer (users see it in the web app): a
 * test learns it from `GET /__admin/credentials`. No grace period is documented, so the old token
 * stops working at once. A user regenerates their own token; an organisation admin may regenerate
 * a member's; anyone else gets 403 `{errors: [{title: "Forbidden"}]}`. An unknown user is 404
 * (a standin addition, with the body WireMock answers elsewhere). Missing or bad credentials are
 * 401 `text/plain` "Credentials are required to access this resource." (the spec's example).
 */
const tokenIndex = indexPer((state: WireMockState) =>
  state.users.map((user) => [user.apiToken, user] as const),
);

function mayRegenerate(caller: WireMockUser, target: WireMockUser): boolean {
  return (
    caller.id === target.id ||
    (caller.role === 'admin' && caller.organisationId === target.organisationId)
  );
}

export const wireMockCloud: VendorModule<WireMockState> = {
  state: { schema: WireMockStateSchema, initial: initialWireMockState },

  authenticate(credentials, state): Authentication {
    const credential = credentials[0];
    const user = credential && tokenIndex(state).find(credential.value);
    if (!credential || !user)
      return { ok: false, detail: 'the API token is unknown or was regenerated' };
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
    async regenerateUserApiToken({ principal, state, request }): Promise<HandlerResult> {
      const presented = principal?.credential.value ?? '';
      const targetId = String(request.params.path.userId);
      return state.update<HandlerResult>((current) => {
        const caller = tokenIndex(current).find(presented);
        if (!caller) throw refuse(401, 'the API token is unknown or was regenerated');
        const target = current.users.find((user) => user.id === targetId);
        if (!target) {
          return { result: { status: 404, body: { code: 404, message: 'HTTP 404 Not Found' } } };
        }
        if (!mayRegenerate(caller, target)) {
          return {
            result: { status: 403, body: { errors: [{ title: 'Forbidden', source: {} }] } },
          };
        }
        const next = produce(current, (draft) => {
          const user = draft.users.find((candidate) => candidate.id === target.id);
          if (user) user.apiToken = newSecret.hex(16);
        });
        return { value: next, result: { status: 200, body: {} } };
      });
    },
  },
};
