import { Type, type Static } from 'typebox';

/** WireMock Cloud's state: users in organisations, each with one API token. */
const User = Type.Object(
  {
    /** Short alphanumerics, as WireMock Cloud's user ids are (`9gd5l`). */
    id: Type.String({ pattern: '^[A-Za-z0-9]+$' }),
    /** Usually the email address; with the API token, it makes the legacy Basic credential. */
    username: Type.String(),
    emailAddress: Type.String(),
    signupDate: Type.String(),
    organisationId: Type.String(),
    /** An organisation admin may regenerate the tokens of the organisation's members. */
    role: Type.Union([Type.Literal('admin'), Type.Literal('member')]),
    apiToken: Type.String({ minLength: 1 }),
  },
  { additionalProperties: false },
);

export const WireMockStateSchema = Type.Object(
  { users: Type.Array(User) },
  { additionalProperties: false },
);

export type WireMockUser = Static<typeof User>;
export type WireMockState = Static<typeof WireMockStateSchema>;

/** The default fixture: an admin and a member of one organisation, and an admin of another. */
export function initialWireMockState(): WireMockState {
  return {
    users: [
      {
        id: '9gd5l',
        username: 'alice@example.com',
        emailAddress: 'alice@example.com',
        signupDate: '2024-08-23T20:15:32.289889Z',
        organisationId: 'acme',
        role: 'admin',
        apiToken: '5f0c6b3e2a9d4e718c1b0a2f3d4e5a61',
      },
      {
        id: 'k2x8p',
        username: 'bob@example.com',
        emailAddress: 'bob@example.com',
        signupDate: '2024-08-23T20:15:32.289889Z',
        organisationId: 'acme',
        role: 'member',
        apiToken: '8e7d6c5b4a3928170f1e2d3c4b5a6972',
      },
      {
        id: 'q7m3z',
        username: 'carol@example.org',
        emailAddress: 'carol@example.org',
        signupDate: '2024-08-23T20:15:32.289889Z',
        organisationId: 'globex',
        role: 'admin',
        apiToken: 'c1d2e3f4a5b60718293a4b5c6d7e8f93',
      },
    ],
  };
}
