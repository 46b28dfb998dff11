import { Type, type Static } from 'typebox';

/** ProjectDiscovery's state: users, each with at most one API key. */
const User = Type.Object(
  {
    id: Type.String({ minLength: 1 }),
    name: Type.String(),
    email: Type.String(),
    teamName: Type.String(),
    plan: Type.String(),
    role: Type.String(),
    /** A UUID, as the platform's keys look (36 characters); null after `DELETE /v1/user/apikey`. */
    apiKey: Type.Union([Type.String({ minLength: 1 }), Type.Null()]),
  },
  { additionalProperties: false },
);

export const ProjectDiscoveryStateSchema = Type.Object(
  { users: Type.Array(User) },
  { additionalProperties: false },
);

export type ProjectDiscoveryUser = Static<typeof User>;
export type ProjectDiscoveryState = Static<typeof ProjectDiscoveryStateSchema>;

export function initialProjectDiscoveryState(): ProjectDiscoveryState {
  return {
    users: [
      {
        id: 'alice',
        name: 'Alice Hunter',
        email: 'alice@example.com',
        teamName: 'Red Team',
        plan: 'Growth',
        role: 'owner',
        apiKey: '3b9e2c4d-6f1a-4e8b-9c7d-5a2f1e0b8c41',
      },
      {
        id: 'bob',
        name: 'Bob Scanner',
        email: 'bob@example.com',
        teamName: 'Blue Team',
        plan: 'Free',
        role: 'member',
        apiKey: '7c1d5e9f-2a4b-4c6d-8e0f-1a3b5c7d9e42',
      },
    ],
  };
}
