/** ThousandEyes' state: users, each with their bearer tokens (at most two active at once). */
export interface ThousandEyesToken {
  token: string;
  issuedAt: string;
  /** When the token stops working: two years after issue, or 14 days after the next rotation. */
  expiresAt: string;
}

export interface ThousandEyesUser {
  uid: string;
  name: string;
  email: string;
  accountGroup: { aid: string; accountGroupName: string };
  tokens: ThousandEyesToken[];
}

export interface ThousandEyesState {
  users: ThousandEyesUser[];
}

const dateTime = { type: 'string', format: 'date-time' };

export const thousandEyesStateSchema = {
  type: 'object',
  required: ['users'],
  additionalProperties: false,
  properties: {
    users: {
      type: 'array',
      items: {
        type: 'object',
        required: ['uid', 'name', 'email', 'accountGroup', 'tokens'],
        additionalProperties: false,
        properties: {
          uid: { type: 'string', minLength: 1 },
          name: { type: 'string' },
          email: { type: 'string' },
          accountGroup: {
            type: 'object',
            required: ['aid', 'accountGroupName'],
            properties: { aid: { type: 'string' }, accountGroupName: { type: 'string' } },
          },
          tokens: {
            type: 'array',
            items: {
              type: 'object',
              required: ['token', 'issuedAt', 'expiresAt'],
              additionalProperties: false,
              properties: {
                token: { type: 'string', minLength: 1 },
                issuedAt: dateTime,
                expiresAt: dateTime,
              },
            },
          },
        },
      },
    },
  },
};

/** "The new token is valid for 2 years." */
export function twoYearsAfter(instant: Date): Date {
  const later = new Date(instant);
  later.setUTCFullYear(later.getUTCFullYear() + 2);
  return later;
}

/** The default fixture: two users of one account group, each with one token issued now. */
export function initialThousandEyesState(now: Date): ThousandEyesState {
  const issued = { issuedAt: now.toISOString(), expiresAt: twoYearsAfter(now).toISOString() };
  const accountGroup = { aid: '1234', accountGroupName: 'Acme Monitoring' };
  return {
    users: [
      {
        uid: '1001',
        name: 'Alice Admin',
        email: 'alice@example.com',
        accountGroup,
        tokens: [{ token: 'f537f4ac-2921-4199-bbab-d5a43f1c2b60', ...issued }],
      },
      {
        uid: '1002',
        name: 'Bob Builder',
        email: 'bob@example.com',
        accountGroup,
        tokens: [{ token: '0c6e8b0e-5a3f-4c7e-9b1d-2f8a4e6c1d02', ...issued }],
      },
    ],
  };
}
