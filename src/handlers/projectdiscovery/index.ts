import { produce } from 'immer';
import { indexPer, newSecret } from '../../state/secrets.js';
import { refuse } from '../refuse.js';
import type { Authentication, HandlerResult, ListedCredential, VendorModule } from '../types.js';
import {
  initialProjectDiscoveryState,
  ProjectDiscoveryStateSchema,
  type ProjectDiscoveryState,
} from './state.js';

/**
 * ProjectDiscovery Cloud Platform, "Rotate API Key": header `X-API-Key`; success is
 * `{message, api_key}` with the new key; 400/401/404/500 are `{message}`. Whether the old key
 * keeps working for a while is not documented, so it stops at once.
 */
const keyIndex = indexPer((state: ProjectDiscoveryState) =>
  state.users.map((user) => [user.apiKey, user] as const),
);

export const projectDiscovery: VendorModule<ProjectDiscoveryState> = {
  state: { schema: ProjectDiscoveryStateSchema, initial: initialProjectDiscoveryState },

  authenticate(credentials, state): Authentication {
    const credential = credentials[0];
    const user = credential && keyIndex(state).find(credential.value);
    if (!credential || !user) return { ok: false, detail: 'invalid API key' };
    return { ok: true, principal: { id: user.id, credential } };
  },

  credentials(state): ListedCredential[] {
    return state.users.map((user) => ({
      principal: user.id,
      header: 'X-API-Key',
      value: user.apiKey,
      expiresAt: null,
    }));
  },

  handlers: {
    async 'post-v1-user-apikey-rotate'({ principal, state }): Promise<HandlerResult> {
      const presented = principal?.credential.value ?? '';
      return state.update<HandlerResult>((current) => {
        const user = keyIndex(current).find(presented);
        if (!user) throw refuse(401, 'invalid API key');
        const apiKey = newSecret.uuid();
        const next = produce(current, (draft) => {
          const owner = draft.users.find((candidate) => candidate.id === user.id);
          if (owner) owner.apiKey = apiKey;
        });
        return {
          value: next,
          result: {
            status: 200,
            body: { message: 'API key rotated successfully', api_key: apiKey },
          },
        };
      });
    },
  },
};
