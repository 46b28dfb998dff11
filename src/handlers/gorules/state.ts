import { Type, type Static, type TSchema } from 'typebox';
import { BUILT_IN_DECISIONS } from './decisions.js';

/**
 * GoRules BRMS' state: users with personal access tokens, and projects with members, environments
 * and decision documents.
 */
const Uuid = Type.String({ format: 'uuid' });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

const PersonalAccessToken = Type.Object(
  {
    token: Type.String({ minLength: 1 }),
    /** null: does not expire. */
    expiresAt: Nullable(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);

const User = Type.Object(
  {
    id: Uuid,
    name: Type.String(),
    email: Type.String(),
    personalAccessTokens: Type.Array(PersonalAccessToken),
  },
  { additionalProperties: false },
);

/** Exactly the environment object the spec's 200 answer describes. */
const Environment = Type.Object({
  id: Uuid,
  name: Type.String(),
  accessToken: Type.String({ minLength: 1 }),
  type: Type.Union([Type.Literal('brms'), Type.Literal('deployment')]),
  key: Nullable(Type.String()),
  releaseId: Nullable(Uuid),
  deploymentId: Nullable(Uuid),
  projectId: Uuid,
  addToWorkflow: Type.Boolean(),
  workflowOrder: Nullable(Type.Number()),
  requiredReviewers: Type.Boolean(),
  approvalMode: Nullable(
    Type.Union([
      Type.Literal('require_one_per_team'),
      Type.Literal('none_create_request'),
      Type.Literal('require_any'),
      Type.Literal('none'),
    ]),
  ),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  deletedAt: Nullable(Type.String()),
});

/**
 * A JDM (JSON Decision Model) graph: the content of a decision document, as GoRules' editor saves
 * it and its engine evaluates it. Only the frame is checked here; the engine checks the rest when
 * the document is evaluated, and answers what it finds wrong as the vendor does (a 400).
 */
const JdmNode = Type.Object({ id: Type.String(), type: Type.String(), name: Type.String() });
const JdmEdge = Type.Object({
  id: Type.String(),
  sourceId: Type.String(),
  targetId: Type.String(),
});
const JdmContent = Type.Object({ nodes: Type.Array(JdmNode), edges: Type.Array(JdmEdge) });

/**
 * A version of a document's content, as the BRMS document calls create and answer it. The
 * document's own `content` is always its latest version's, draft or not, so what was last written
 * is what the evaluate call runs (standin has no releases to deploy).
 */
const DocumentVersion = Type.Object(
  {
    id: Uuid,
    name: Nullable(Type.String()),
    /** "draft or completed": a completed version is the document's published one. */
    status: Type.Union([Type.Literal('draft'), Type.Literal('completed')]),
    /** The version it was made from ("Parent version ID for sub-versions"), if any. */
    parentId: Type.Optional(Nullable(Uuid)),
    content: JdmContent,
    /** The user who created it; null for a version a fixture holds. */
    createdBy: Nullable(Uuid),
    createdAt: Type.String(),
  },
  { additionalProperties: false },
);

/**
 * A decision document of a project: `key` is what the evaluate call names (`docKey`) and what a
 * decision node of another document refers to (its `content.key`). `id` and `versions` are what
 * the BRMS document calls use; a fixture may leave them out (documents.ts then derives a stable id
 * and one version from the document's content).
 */
const Document = Type.Object(
  {
    id: Type.Optional(Uuid),
    key: Type.String({ minLength: 1 }),
    name: Type.String(),
    content: JdmContent,
    versions: Type.Optional(Type.Array(DocumentVersion)),
    meta: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    updatedAt: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

const Project = Type.Object(
  {
    id: Uuid,
    /** The evaluate call takes the project's id or its key. */
    key: Type.String({ minLength: 1 }),
    name: Type.String(),
    /** User ids. */
    members: Type.Array(Uuid),
    environments: Type.Array(Environment),
    documents: Type.Array(Document),
  },
  { additionalProperties: false },
);

export const GoRulesStateSchema = Type.Object(
  { users: Type.Array(User), projects: Type.Array(Project) },
  { additionalProperties: false },
);

export type GoRulesEnvironment = Static<typeof Environment>;
export type GoRulesProject = Static<typeof Project>;
export type GoRulesDocument = Static<typeof Document>;
export type GoRulesDocumentVersion = Static<typeof DocumentVersion>;
export { JdmContent as JdmContentSchema };
export type JdmContent = Static<typeof JdmContent>;
export type GoRulesState = Static<typeof GoRulesStateSchema>;

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
        key: 'payments',
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
        documents: [
          {
            key: 'customer-discount',
            name: 'Customer discount',
            content: BUILT_IN_DECISIONS['customer-discount'],
          },
          {
            key: 'shipping-fee',
            name: 'Shipping fee',
            content: BUILT_IN_DECISIONS['shipping-fee'],
          },
        ],
      },
    ],
  };
}
