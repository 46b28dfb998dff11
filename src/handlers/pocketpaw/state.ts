import { Type, type Static } from 'typebox';

/** PocketPaw's state: the master access token, the API keys, and how long sessions live. */
const ApiKey = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    /** `pp_...`; API keys survive a regeneration of the master token. */
    key: Type.String({ pattern: '^pp_' }),
  },
  { additionalProperties: false },
);

export const PocketPawStateSchema = Type.Object(
  {
    /** The master access token, `pk_...` (the documented shape). */
    masterToken: Type.String({ minLength: 1 }),
    apiKeys: Type.Array(ApiKey),
    /**
     * PocketPaw's `session_token_ttl_hours` setting; at most 100 years, so an expiry stays a date
     * an answer can carry (see clock.ts).
     */
    sessionTtlHours: Type.Integer({ minimum: 1, maximum: 876_000 }),
  },
  { additionalProperties: false },
);

export type PocketPawState = Static<typeof PocketPawStateSchema>;

/** The default fixture: the owner's master token and one API key for a CI bot. */
export function initialPocketPawState(): PocketPawState {
  return {
    masterToken: 'pk_3f9a1c7e5b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a',
    apiKeys: [{ id: 'ci-bot', name: 'CI bot', key: 'pp_7d2e9a4c1f6b8e3a5d0c2f4b6e8a1c3d' }],
    sessionTtlHours: 24,
  };
}
