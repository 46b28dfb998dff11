import { Type, type Static } from 'typebox';

/** ProjectDiscovery's state: users, each with exactly one API key. */
const User = Type.Object(
  {
    id: Type.String({ minLength: 1 }),
    name: Type.String(),
    email: Type.String(),
    /** A UUID, as the platform's keys look (36 characters). */
    apiKey: Type.String({ minLength: 1 }),
  },
  { additionalProperties: false },
);

export const ProjectDiscoveryStateSchema = Type.Object(
  { users: Type.Array(User) },
  { additionalProperties: false },
);

export type ProjectDiscoveryState = Static<typeof ProjectDiscoveryStateSchema>;

export function initialProjectDiscoveryState(): ProjectDiscoveryState {
  return {
    users: [
      {
        id: 'alice',
        name: 'Alice Hunter',
        email: 'alice@example.com',
        apiKey: '3b9e2c4d-6f1a-4e8b-9c7d-5a2f1e0b8c41',
      },
      {
        id: 'bob',
        name: 'Bob Scanner',
        email: 'bob@example.com',
        apiKey: '7c1d5e9f-2a4b-4c6d-8e0f-1a3b5c7d9e42',
      },
    ],
  };
}
