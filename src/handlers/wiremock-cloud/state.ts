/** WireMock Cloud's state: users in organisations, each with one API token. */
export interface WireMockUser {
  /** Short alphanumerics, as WireMock Cloud's user ids are (`9gd5l`). */
  id: string;
  username: string;
  emailAddress: string;
  organisationId: string;
  /** An organisation admin may regenerate the tokens of the organisation's members. */
  role: 'admin' | 'member';
  apiToken: string;
}

export interface WireMockState {
  users: WireMockUser[];
}

export const wireMockStateSchema = {
  type: 'object',
  required: ['users'],
  additionalProperties: false,
  properties: {
    users: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'username', 'emailAddress', 'organisationId', 'role', 'apiToken'],
        additionalProperties: false,
        properties: {
          id: { type: 'string', pattern: '^[A-Za-z0-9]+$' },
          username: { type: 'string' },
          emailAddress: { type: 'string' },
          organisationId: { type: 'string' },
          role: { enum: ['admin', 'member'] },
          apiToken: { type: 'string', minLength: 1 },
        },
      },
    },
  },
};

/** The default fixture: an admin and a member of one organisation, and an admin of another. */
export function initialWireMockState(): WireMockState {
  return {
    users: [
      {
        id: '9gd5l',
        username: 'alice',
        emailAddress: 'alice@example.com',
        organisationId: 'acme',
        role: 'admin',
        apiToken: '5f0c6b3e2a9d4e718c1b0a2f3d4e5a61',
      },
      {
        id: 'k2x8p',
        username: 'bob',
        emailAddress: 'bob@example.com',
        organisationId: 'acme',
        role: 'member',
        apiToken: '8e7d6c5b4a3928170f1e2d3c4b5a6972',
      },
      {
        id: 'q7m3z',
        username: 'carol',
        emailAddress: 'carol@example.org',
        organisationId: 'globex',
        role: 'admin',
        apiToken: 'c1d2e3f4a5b60718293a4b5c6d7e8f93',
      },
    ],
  };
}
