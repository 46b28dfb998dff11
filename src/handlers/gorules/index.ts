import { produce } from 'immer';
import { indexPer, newSecret } from '../../state/secrets.js';
import { refuse } from '../refuse.js';
import type { Authentication, HandlerResult, ListedCredential, VendorModule } from '../types.js';
import { GoRulesStateSchema, initialGoRulesState, type GoRulesState } from './state.js';

/**
 * GoRules BRMS, "Token regenerate": "Generates a new access token for the environment,
 * invalidating the previous token." The answer is the whole environment. The caller authenticates
 * with a personal access token (bearer); the spec's other scheme, `internalAuth`, "cannot be used
 * directly", so standin accepts nothing through it. The statuses the seed does not document are
 * standin's additions: 401 for a bad token, 404 `{"message": "Project not found"}` (or
 * environment), 403 for a user who is not a member of the project.
 */
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

const message = (status: number, text: string): HandlerResult => ({
  status,
  body: { message: text },
});

export const goRules: VendorModule<GoRulesState> = {
  state: { schema: GoRulesStateSchema, initial: initialGoRulesState },

  authenticate(credentials, state, now): Authentication {
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
        const next = produce(current, (draft) => {
          const environments =
            draft.projects.find((candidate) => candidate.id === projectId)?.environments ?? [];
          const index = environments.findIndex((candidate) => candidate.id === environmentId);
          environments[index] = regenerated;
        });
        return { value: next, result: { status: 200, body: regenerated } };
      });
    },
  },
};
