/** ProjectDiscovery's state: users, each with exactly one API key. */
export interface ProjectDiscoveryUser {
  id: string;
  name: string;
  email: string;
  /** A UUID, as the platform's keys look (36 characters). */
  apiKey: string;
}

export interface ProjectDiscoveryState {
  users: ProjectDiscoveryUser[];
}

export const projectDiscoveryStateSchema = {
  type: 'object',
  required: ['users'],
  additionalProperties: false,
  properties: {
    users: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name', 'email', 'apiKey'],
        additionalProperties: false,
        properties: {
          id: { type: 'string', minLength: 1 },
          name: { type: 'string' },
          email: { type: 'string' },
          apiKey: { type: 'string', minLength: 1 },
        },
      },
    },
  },
};

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
