import { Type, type Static } from 'typebox';

/**
 * WireMock Cloud's state: users in organisations, each with one API token; the mock APIs they
 * own; and, for the identity provider stand-in, who approves device logins and the device codes
 * issued.
 */
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

/** A mock API, as `GET /v1/users/{userId}/apis` lists it; accessible to its owner. */
const MockApi = Type.Object(
  {
    /** 5 to 10 alphanumerics, as the API reference says of mock API ids (`63om1`). */
    id: Type.String({ pattern: '^[A-Za-z0-9]{5,10}$' }),
    name: Type.String({ maxLength: 256 }),
    description: Type.Optional(Type.String({ maxLength: 256 })),
    /** Absent: the "unstructured" type. */
    type: Type.Optional(
      Type.Union([Type.Literal('openapi'), Type.Literal('grpc'), Type.Literal('graphql')]),
    ),
    state: Type.Union([
      Type.Literal('RUNNING'),
      Type.Literal('STOPPED'),
      Type.Literal('SUSPENDED'),
    ]),
    createdDate: Type.String(),
    /** The user id of its owner. */
    ownerId: Type.String(),
  },
  { additionalProperties: false },
);

/** A device code of the identity provider stand-in (RFC 8628), until it expires or is used. */
const DeviceAuthorization = Type.Object(
  {
    deviceCode: Type.String({ minLength: 1 }),
    userCode: Type.String({ minLength: 1 }),
    clientId: Type.String(),
    /** The access token's audience the client asked for. */
    audience: Type.String(),
    scope: Type.String(),
    /** ISO 8601, on the virtual clock. */
    expiresAt: Type.String(),
    /** The user who approved it; absent while pending. */
    approvedBy: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const WireMockStateSchema = Type.Object(
  {
    users: Type.Array(User),
    mockApis: Type.Optional(Type.Array(MockApi)),
    /**
     * Who the identity provider logs in when a device code is requested: standin approves it at
     * once as this user (no browser to click through). Absent: codes stay pending until they expire.
     */
    deviceLogin: Type.Optional(
      Type.Object({ userId: Type.String() }, { additionalProperties: false }),
    ),
    deviceAuthorizations: Type.Optional(Type.Array(DeviceAuthorization)),
  },
  { additionalProperties: false },
);

export type WireMockUser = Static<typeof User>;
export type WireMockMockApi = Static<typeof MockApi>;
export type WireMockDeviceAuthorization = Static<typeof DeviceAuthorization>;
export type WireMockState = Static<typeof WireMockStateSchema>;

const mockApi = (
  id: string,
  ownerId: string,
  name: string,
  createdDate: string,
  extra: Partial<WireMockMockApi> = {},
): WireMockMockApi => ({ id, name, state: 'RUNNING', createdDate, ownerId, ...extra });

/**
 * The default fixture: an admin and a member of one organisation, and an admin of another; mock
 * APIs for each (bob's three make a second page at `limit=2`); device logins approved as alice.
 */
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
    mockApis: [
      mockApi('63om1', '9gd5l', 'Example Mock API', '2024-08-23T20:15:32.432385Z', {
        description: 'An API consisting of assorted stubs.',
      }),
      mockApi('a4pz7', '9gd5l', 'Payments sandbox', '2024-09-02T08:00:00Z', { type: 'openapi' }),
      mockApi('b8kq2', 'k2x8p', 'Orders API', '2024-10-01T09:30:00Z', { type: 'openapi' }),
      mockApi('c3wx9', 'k2x8p', 'Inventory gRPC', '2024-10-05T14:00:00Z', { type: 'grpc' }),
      mockApi('d5mr4', 'k2x8p', 'Legacy billing', '2024-06-11T11:11:00Z', { state: 'STOPPED' }),
      mockApi('e9tn6', 'q7m3z', 'Globex GraphQL', '2024-11-20T10:00:00Z', { type: 'graphql' }),
    ],
    deviceLogin: { userId: '9gd5l' },
    deviceAuthorizations: [],
  };
}
