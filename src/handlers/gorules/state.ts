/** GoRules BRMS' state: users with personal access tokens, and projects with members and environments. */
export interface GoRulesPersonalAccessToken {
  token: string;
  /** null: does not expire. */
  expiresAt: string | null;
}

export interface GoRulesUser {
  id: string;
  name: string;
  email: string;
  personalAccessTokens: GoRulesPersonalAccessToken[];
}

/** Exactly the environment object the spec's 200 answer describes. */
export interface GoRulesEnvironment {
  id: string;
  name: string;
  accessToken: string;
  type: 'brms' | 'deployment';
  key: string | null;
  releaseId: string | null;
  deploymentId: string | null;
  projectId: string;
  addToWorkflow: boolean;
  workflowOrder: number | null;
  requiredReviewers: boolean;
  approvalMode: 'require_one_per_team' | 'none_create_request' | 'require_any' | 'none' | null;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
}

export interface GoRulesProject {
  id: string;
  name: string;
  /** User ids. */
  members: string[];
  environments: GoRulesEnvironment[];
}

export interface GoRulesState {
  users: GoRulesUser[];
  projects: GoRulesProject[];
}

const uuid = { type: 'string', format: 'uuid' };
const nullableString = { type: ['string', 'null'] };

export const goRulesStateSchema = {
  type: 'object',
  required: ['users', 'projects'],
  additionalProperties: false,
  properties: {
    users: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name', 'email', 'personalAccessTokens'],
        additionalProperties: false,
        properties: {
          id: uuid,
          name: { type: 'string' },
          email: { type: 'string' },
          personalAccessTokens: {
            type: 'array',
            items: {
              type: 'object',
              required: ['token', 'expiresAt'],
              additionalProperties: false,
              properties: {
                token: { type: 'string', minLength: 1 },
                expiresAt: { type: ['string', 'null'], format: 'date-time' },
              },
            },
          },
        },
      },
    },
    projects: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name', 'members', 'environments'],
        additionalProperties: false,
        properties: {
          id: uuid,
          name: { type: 'string' },
          members: { type: 'array', items: uuid },
          environments: {
            type: 'array',
            items: {
              type: 'object',
              required: [
                'id',
                'name',
                'accessToken',
                'type',
                'projectId',
                'addToWorkflow',
                'requiredReviewers',
                'createdAt',
                'updatedAt',
              ],
              properties: {
                id: uuid,
                name: { type: 'string' },
                accessToken: { type: 'string', minLength: 1 },
                type: { enum: ['brms', 'deployment'] },
                key: nullableString,
                releaseId: { type: ['string', 'null'], format: 'uuid' },
                deploymentId: { type: ['string', 'null'], format: 'uuid' },
                projectId: uuid,
                addToWorkflow: { type: 'boolean' },
                workflowOrder: { type: ['number', 'null'] },
                requiredReviewers: { type: 'boolean' },
                approvalMode: {
                  enum: [
                    'require_one_per_team',
                    'none_create_request',
                    'require_any',
                    'none',
                    null,
                  ],
                },
                createdAt: { type: 'string' },
                updatedAt: { type: 'string' },
                deletedAt: nullableString,
              },
            },
          },
        },
      },
    },
  },
};

export const GORULES_IDS = {
  alice: '6f1c2a3b-4d5e-4f60-8a71-b2c3d4e5f601',
  bob: '7a2d3b4c-5e6f-4a71-9b82-c3d4e5f60712',
  payments: '5a8591dd-4039-49df-9202-96385ba3eff8',
  production: '497f6eca-6276-4993-bfeb-53cbbbba6f08',
  staging: '1c0ffee0-2b3c-4d5e-8f90-a1b2c3d4e5f6',
};

/** The default fixture: Alice is a member of the Payments project, Bob of none. */
export function initialGoRulesState(now: Date): GoRulesState {
  const created = now.toISOString();
  const environment = (
    id: string,
    name: string,
    key: string,
    order: number,
    accessToken: string,
  ): GoRulesEnvironment => ({
    id,
    name,
    accessToken,
    type: 'brms',
    key,
    releaseId: null,
    deploymentId: null,
    projectId: GORULES_IDS.payments,
    addToWorkflow: true,
    workflowOrder: order,
    requiredReviewers: false,
    approvalMode: 'none',
    createdAt: created,
    updatedAt: created,
    deletedAt: null,
  });
  return {
    users: [
      {
        id: GORULES_IDS.alice,
        name: 'Alice Rules',
        email: 'alice@example.com',
        personalAccessTokens: [
          { token: 'a1c3e5f7b9d2f4a6c8e0b2d4f6a8c0e2b4d6f8a0c2e4b6d8', expiresAt: null },
        ],
      },
      {
        id: GORULES_IDS.bob,
        name: 'Bob Outsider',
        email: 'bob@example.com',
        personalAccessTokens: [
          { token: 'b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4c6e8', expiresAt: null },
        ],
      },
    ],
    projects: [
      {
        id: GORULES_IDS.payments,
        name: 'Payments',
        members: [GORULES_IDS.alice],
        environments: [
          environment(
            GORULES_IDS.production,
            'Production',
            'production',
            2,
            'e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4',
          ),
          environment(
            GORULES_IDS.staging,
            'Staging',
            'staging',
            1,
            'f0e1d2c3b4a5968778695a4b3c2d1e0ff0e1d2c3b4a59687',
          ),
        ],
      },
    ],
  };
}
