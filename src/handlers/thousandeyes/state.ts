import { Type, type Static } from 'typebox';

/** ThousandEyes' state: users, each with their bearer tokens (at most two active at once). */
const DateTime = Type.String({ format: 'date-time' });

const Token = Type.Object(
  {
    token: Type.String({ minLength: 1 }),
    issuedAt: DateTime,
    /** When the token stops working: two years after issue, or 14 days after the next rotation. */
    expiresAt: DateTime,
  },
  { additionalProperties: false },
);

const User = Type.Object(
  {
    uid: Type.String({ minLength: 1 }),
    name: Type.String(),
    email: Type.String(),
    dateRegistered: DateTime,
    /** The rate limit is per organisation, shared by all its users. */
    organisationId: Type.String({ minLength: 1 }),
    accountGroup: Type.Object({ aid: Type.String(), accountGroupName: Type.String() }),
    role: Type.Object({
      roleId: Type.String(),
      name: Type.String(),
      hasManagementPermissions: Type.Boolean(),
    }),
    tokens: Type.Array(Token),
  },
  { additionalProperties: false },
);

export const ThousandEyesStateSchema = Type.Object(
  { users: Type.Array(User) },
  { additionalProperties: false },
);

export type ThousandEyesToken = Static<typeof Token>;
export type ThousandEyesUser = Static<typeof User>;
export type ThousandEyesState = Static<typeof ThousandEyesStateSchema>;

/** "The new token is valid for 2 years." */
export function twoYearsAfter(instant: Date): Date {
  const later = new Date(instant);
  later.setUTCFullYear(later.getUTCFullYear() + 2);
  return later;
}

/** The default fixture: two users of one organisation and account group, each with one token issued now. */
export function initialThousandEyesState(now: Date): ThousandEyesState {
  const issued = { issuedAt: now.toISOString(), expiresAt: twoYearsAfter(now).toISOString() };
  const shared = {
    dateRegistered: '2024-01-15T09:00:00Z',
    organisationId: 'acme',
    accountGroup: { aid: '1234', accountGroupName: 'Acme Monitoring' },
  };
  return {
    users: [
      {
        uid: '1001',
        name: 'Alice Admin',
        email: 'alice@example.com',
        ...shared,
        role: { roleId: '35', name: 'Organization Admin', hasManagementPermissions: true },
        tokens: [{ token: 'f537f4ac-2921-4199-bbab-d5a43f1c2b60', ...issued }],
      },
      {
        uid: '1002',
        name: 'Bob Builder',
        email: 'bob@example.com',
        ...shared,
        role: { roleId: '37', name: 'Regular User', hasManagementPermissions: false },
        tokens: [{ token: '0c6e8b0e-5a3f-4c7e-9b1d-2f8a4e6c1d02', ...issued }],
      },
    ],
  };
}
