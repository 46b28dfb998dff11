/** PocketPaw's state: the master access token, the API keys, and how long sessions live. */
export interface PocketPawApiKey {
  id: string;
  name: string;
  /** `pp_...`; API keys survive a regeneration of the master token. */
  key: string;
}

export interface PocketPawState {
  /** The master access token, `pk_...` (the documented shape). */
  masterToken: string;
  apiKeys: PocketPawApiKey[];
  /** PocketPaw's `session_token_ttl_hours` setting. */
  sessionTtlHours: number;
}

export const pocketPawStateSchema = {
  type: 'object',
  required: ['masterToken', 'apiKeys', 'sessionTtlHours'],
  additionalProperties: false,
  properties: {
    masterToken: { type: 'string', minLength: 1 },
    apiKeys: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name', 'key'],
        additionalProperties: false,
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          key: { type: 'string', pattern: '^pp_' },
        },
      },
    },
    sessionTtlHours: { type: 'integer', minimum: 1 },
  },
};

/** The default fixture: the owner's master token and one API key for a CI bot. */
export function initialPocketPawState(): PocketPawState {
  return {
    masterToken: 'pk_3f9a1c7e5b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a',
    apiKeys: [{ id: 'ci-bot', name: 'CI bot', key: 'pp_7d2e9a4c1f6b8e3a5d0c2f4b6e8a1c3d' }],
    sessionTtlHours: 24,
  };
}
