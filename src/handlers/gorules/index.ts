import { positionsBy, replaceAt, updateWhere } from '../../state/immutable.js';
import { indexPer, newSecret } from '../../state/secrets.js';
import { refuse } from '../refuse.js';
import type { Authentication, HandlerResult, ListedCredential, VendorModule } from '../types.js';
import { documentHandlers } from './documents.js';
import { DecisionError, evaluateDocument } from './engine.js';
import {
  GoRulesStateSchema,
  initialGoRulesState,
  type GoRulesEnvironment,
  type GoRulesProject,
  type GoRulesState,
} from './state.js';

/**
 * GoRules BRMS, "Token regenerate": "Generates a new access token for the environment,
 * invalidating the previous token." The answer is the whole environment; the environment's token
 * is what its evaluate call takes (`X-Access-Token`), so the previous one fails there at once. The caller authenticates
 * with a personal access token (bearer); the spec's other scheme, `internalAuth`, "cannot be used
 * directly", so standin accepts nothing through it. The statuses the seed does not document are
 * standin's additions: 401 for a bad token, 404 `{"message": "Project not found"}` (or
 * environment), 403 for a user who is not a member of the project.
 */
/** Owners by id, so that an environment's entry stays true when another one of its project changes. */
const environmentIndex = indexPer((state: GoRulesState) =>
  state.projects.flatMap((project) =>
    project.environments.map(
      (environment) =>
        [
          environment.accessToken,
          { projectId: project.id, environmentId: environment.id },
        ] as const,
    ),
  ),
);
const projectIds = positionsBy((project: GoRulesProject) => project.id);
const environmentIds = positionsBy((environment: GoRulesEnvironment) => environment.id);

const patIndex = indexPer((state: GoRulesState) =>
  state.users.flatMap((user) =>
    user.personalAccessTokens.map((pat) => [pat.token, { user, pat }] as const),
  ),
);

function userOf(state: GoRulesState, presented: string, now: Date): string | undefined {
  const found = patIndex(state).find(presented);
  if (!found) return undefined;
  if (found.pat.expiresAt !== null && Date.parse(found.pat.expiresAt) <= now.getTime())
    return undefined;
  return found.user.id;
}

/**
 * The state with one environment replaced (the same id, a new token): two array copies, and the
 * indexes of the next state derived from this one's (only the old and the new token are
 * digested; personal access tokens are unchanged). A state that repeats a project or environment
 * id (a fixture may) changes every one with that id, as it always has.
 */
function withEnvironment(
  current: GoRulesState,
  projectId: string,
  previous: GoRulesEnvironment,
  regenerated: GoRulesEnvironment,
): GoRulesState {
  const projectAt = projectIds(current.projects);
  const position = projectAt.get(projectId);
  const project = position === undefined ? undefined : current.projects[position];
  const environmentAt = project && environmentIds(project.environments);
  const environmentPosition = environmentAt?.get(previous.id);
  let next: GoRulesState;
  if (
    position === undefined ||
    project === undefined ||
    environmentAt === undefined ||
    environmentPosition === undefined ||
    projectAt.size !== current.projects.length ||
    environmentAt.size !== project.environments.length
  ) {
    next = {
      ...current,
      projects: updateWhere(
        current.projects,
        (candidate) => candidate.id === projectId,
        (candidate) => ({
          ...candidate,
          environments: updateWhere(
            candidate.environments,
            (each) => each.id === previous.id,
            () => regenerated,
          ),
        }),
      ),
    };
  } else {
    const environments = replaceAt(project.environments, environmentPosition, regenerated);
    environmentIds.carry(project.environments, environments);
    const projects = replaceAt(current.projects, position, { ...project, environments });
    projectIds.carry(current.projects, projects);
    next = { ...current, projects };
    environmentIndex.derive(current, next, {
      remove: [previous.accessToken],
      add: [[regenerated.accessToken, { projectId: project.id, environmentId: regenerated.id }]],
    });
  }
  patIndex.carry(current, next);
  return next;
}

const message = (status: number, text: string): HandlerResult => ({
  status,
  body: { message: text },
});

export const goRules: VendorModule<GoRulesState> = {
  state: { schema: GoRulesStateSchema, initial: initialGoRulesState },

  /**
   * A personal access token (bearer) is a user; an environment access token (`X-Access-Token`) is
   * its environment. Nothing is accepted through `internalAuth`.
   */
  authenticate(credentials, state, now): Authentication {
    const environmentToken = credentials.find(
      (candidate) => candidate.scheme === 'ProjectAccessToken',
    );
    if (environmentToken) {
      const found = environmentIndex(state).find(environmentToken.value);
      if (!found) return { ok: false, detail: 'Invalid X-Access-Token Header' };
      return {
        ok: true,
        principal: {
          id: found.environmentId,
          group: found.projectId,
          credential: environmentToken,
        },
      };
    }
    const credential = credentials.find((candidate) => candidate.scheme === 'personalAccessToken');
    const userId = credential && userOf(state, credential.value, now);
    if (!credential || !userId) return { ok: false, detail: 'Unauthorized' };
    return { ok: true, principal: { id: userId, credential } };
  },

  credentials(state, now): ListedCredential[] {
    const personal = state.users.flatMap((user) =>
      user.personalAccessTokens
        .filter((pat) => pat.expiresAt === null || Date.parse(pat.expiresAt) > now.getTime())
        .map((pat) => ({
          principal: user.id,
          header: 'Authorization',
          value: `Bearer ${pat.token}`,
          expiresAt: pat.expiresAt,
        })),
    );
    const environments = state.projects.flatMap((project) =>
      project.environments.map((environment) => ({
        principal: environment.id,
        header: 'X-Access-Token',
        value: environment.accessToken,
        expiresAt: null,
      })),
    );
    return [...personal, ...environments];
  },

  handlers: {
    ...documentHandlers(userOf),

    async listEnvironments({ principal, now, state, request }): Promise<HandlerResult> {
      const current = await state.read();
      const userId = principal && userOf(current, principal.credential.value, now);
      if (!userId) throw refuse(401, 'Unauthorized');
      const project = current.projects.find(
        (candidate) => candidate.id === String(request.params.path.projectId),
      );
      if (!project) return message(404, 'Project not found');
      if (!project.members.includes(userId)) return message(403, 'Forbidden resource');
      return { status: 200, body: project.environments };
    },

    /**
     * Evaluates one of the project's decision documents with the environment's access token, on
     * GoRules' engine (engine.ts): `{result, performance}`, and the engine's `trace` when asked. The
     * project and the environment may be named by id or key; a token of another environment is
     * refused; an engine error answers 400 `{message}` with the engine's error, as the agent does.
     */
    async evaluateEnvironmentDecision({ principal, state, request }): Promise<HandlerResult> {
      const current = await state.read();
      const { projectId, environmentId, docKey } = request.params.path as Record<string, string>;
      const project = current.projects.find(
        (candidate) => candidate.id === projectId || candidate.key === projectId,
      );
      if (!project) return message(404, 'Project not found');
      const environment = project.environments.find(
        (candidate) => candidate.id === environmentId || candidate.key === environmentId,
      );
      const presented = principal && environmentIndex(current).find(principal.credential.value);
      if (!environment || presented?.environmentId !== environment.id) {
        return message(401, 'Invalid X-Access-Token Header');
      }
      const document = project.documents.find((candidate) => candidate.key === docKey);
      if (!document) return message(404, 'Document not found');
      const body = (request.body ?? {}) as { context?: Record<string, unknown>; trace?: boolean };
      try {
        const evaluation = await evaluateDocument(
          document,
          project.documents,
          body.context ?? {},
          body.trace === true,
        );
        return { status: 200, body: evaluation };
      } catch (error) {
        if (error instanceof DecisionError) return message(400, error.message);
        throw error;
      }
    },

    async regenerateEnvironmentToken({ principal, now, state, request }): Promise<HandlerResult> {
      const presented = principal?.credential.value ?? '';
      const projectId = String(request.params.path.projectId);
      const environmentId = String(request.params.path.environmentId);
      return state.update<HandlerResult>((current) => {
        const userId = userOf(current, presented, now);
        if (!userId) throw refuse(401, 'Unauthorized');
        const project = current.projects.find((candidate) => candidate.id === projectId);
        if (!project) return { result: message(404, 'Project not found') };
        if (!project.members.includes(userId))
          return { result: message(403, 'Forbidden resource') };
        const environment = project.environments.find(
          (candidate) => candidate.id === environmentId,
        );
        if (!environment) return { result: message(404, 'Environment not found') };
        const regenerated = {
          ...environment,
          accessToken: newSecret.hex(24),
          updatedAt: now.toISOString(),
        };
        const next = withEnvironment(current, projectId, environment, regenerated);
        return { value: next, result: { status: 200, body: regenerated } };
      });
    },
  },
};
