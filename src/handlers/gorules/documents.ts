import { createHash, randomUUID } from 'node:crypto';
import { Value } from 'typebox/value';
import { updateWhere } from '../../state/immutable.js';
import { refuse } from '../refuse.js';
import type { Handler, HandlerRequest, HandlerResult, Principal } from '../types.js';
import { checkContent, DecisionError } from './engine.js';
import {
  JdmContentSchema,
  type GoRulesDocument,
  type GoRulesDocumentVersion,
  type GoRulesProject,
  type GoRulesState,
  type JdmContent,
} from './state.js';

/**
 * The BRMS document calls (specs/gorules.yaml, tag Document): list a project's documents, get one,
 * create one, update one, create a version of one, get a version. A document's `content` is always
 * its latest version's, so whatever these calls write is what the evaluate call runs at once. They
 * authenticate like the environment calls: a member's personal access token (bearer); an
 * environment's X-Access-Token is for evaluating only.
 */

/** Who a personal access token belongs to (index.ts owns the token lookup), or undefined. */
export type PersonalTokenOwner = (
  state: GoRulesState,
  presented: string,
  now: Date,
) => string | undefined;

/**
 * A fixture's document need not carry an id or versions, yet the calls name documents and
 * versions by UUID: both are derived from the project and the key, so they stay the same on every
 * read and in every namespace started from the same fixture.
 */
function stableUuid(seed: string): string {
  const hex = createHash('sha1').update(seed).digest('hex');
  // The layout and variant bits of a name-based UUID (RFC 9562, version 5), so format: uuid holds.
  const variant = ((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

/** A fixture document was never created through the API, so it has no creation time of its own. */
const FIXTURE_TIME = new Date(0).toISOString();

export function documentIdOf(project: GoRulesProject, document: GoRulesDocument): string {
  return document.id ?? stableUuid(`${project.id}/${document.key}`);
}

function versionsOf(
  project: GoRulesProject,
  document: GoRulesDocument,
): readonly GoRulesDocumentVersion[] {
  if (document.versions && document.versions.length > 0) return document.versions;
  return [
    {
      id: stableUuid(`${project.id}/${document.key}#initial`),
      name: null,
      status: 'completed',
      content: document.content,
      createdBy: null,
      createdAt: document.updatedAt ?? FIXTURE_TIME,
    },
  ];
}

/** The user object the reference embeds (`createdBy`, `publishedBy`). */
function userView(state: GoRulesState, userId: string | null) {
  const user = userId === null ? undefined : state.users.find((each) => each.id === userId);
  if (!user) return null;
  const [firstName = '', ...rest] = user.name.split(' ');
  return { id: user.id, email: user.email, firstName, lastName: rest.join(' ') };
}

function versionView(state: GoRulesState, documentId: string, version: GoRulesDocumentVersion) {
  const createdBy = userView(state, version.createdBy);
  return {
    id: version.id,
    name: version.name,
    parentId: version.parentId ?? null,
    status: version.status,
    content: version.content,
    documentId,
    // Omitted, not null, for a fixture's version: the reference shows a user object, never null.
    ...(createdBy ? { createdBy } : {}),
    createdAt: version.createdAt,
    versions: [],
    releases: [],
  };
}

/**
 * A document as the reference's document calls answer it: every version with its content; the
 * published one is the latest completed version. `contentType` is standin's name for a JDM graph;
 * `size` is its JSON length; standin has no folders, change requests or releases.
 */
function documentView(
  state: GoRulesState,
  project: GoRulesProject,
  document: GoRulesDocument,
  deletedAt: string | null = null,
) {
  const id = documentIdOf(project, document);
  const stored = versionsOf(project, document);
  const versions = stored.map((version) => versionView(state, id, version));
  const publishedIndex = stored.map((version) => version.status).lastIndexOf('completed');
  const published = publishedIndex === -1 ? undefined : versions[publishedIndex];
  return {
    id,
    key: document.key,
    path: document.key,
    name: document.name,
    type: 'f',
    projectId: project.id,
    meta: document.meta ?? {},
    contentType: 'application/json',
    size: JSON.stringify(document.content).length,
    parentId: null,
    publishedId: published?.id ?? null,
    publishedAt: published?.createdAt ?? null,
    ...(published?.createdBy ? { publishedBy: published.createdBy } : {}),
    ...(published ? { published } : {}),
    versions,
    changeRequests: [],
    updatedAt: document.updatedAt ?? stored[stored.length - 1]?.createdAt ?? FIXTURE_TIME,
    deletedAt,
  };
}

/** A path parameter the spec declares required, so the pipeline has checked it is there. */
const pathParameter = (request: HandlerRequest, name: string): string =>
  String(request.params.path[name]);

const message = (status: number, text: string): HandlerResult => ({
  status,
  body: { message: text },
});

type Access =
  { ok: true; project: GoRulesProject; userId: string } | { ok: false; refusal: HandlerResult };

/** The caller's project, as the environment calls find it: 401, then 404, then 403. */
function projectFor(
  state: GoRulesState,
  userOf: PersonalTokenOwner,
  principal: Principal | undefined,
  projectId: string,
  now: Date,
): Access {
  const userId = principal && userOf(state, principal.credential.value, now);
  if (!userId) throw refuse(401, 'Unauthorized');
  const project = state.projects.find((candidate) => candidate.id === projectId);
  if (!project) return { ok: false, refusal: message(404, 'Project not found') };
  if (!project.members.includes(userId))
    return { ok: false, refusal: message(403, 'Forbidden resource') };
  return { ok: true, project, userId };
}

/** The caller's project and the document the path names: the refusals of projectFor, then 404. */
function documentFor(
  state: GoRulesState,
  userOf: PersonalTokenOwner,
  principal: Principal | undefined,
  request: HandlerRequest,
  now: Date,
):
  | { ok: true; project: GoRulesProject; userId: string; document: GoRulesDocument }
  | { ok: false; refusal: HandlerResult } {
  const access = projectFor(state, userOf, principal, pathParameter(request, 'projectId'), now);
  if (!access.ok) return access;
  const document = findDocument(access.project, pathParameter(request, 'documentId'));
  if (!isDocument(document)) return { ok: false, refusal: document };
  return { ...access, document };
}

/**
 * Content a document may hold: a JDM graph the engine can parse (its error text otherwise), so
 * that nothing is stored that the evaluate call could never run.
 */
function contentProblem(content: unknown): string | undefined {
  if (!Value.Check(JdmContentSchema, content))
    return 'content must be a decision graph: {nodes: [{id, type, name}], edges: [{id, sourceId, targetId}]}';
  try {
    checkContent(content);
    return undefined;
  } catch (error) {
    if (error instanceof DecisionError) return error.message;
    throw error;
  }
}

const EMPTY_GRAPH: JdmContent = { nodes: [], edges: [] };

function withDocuments(
  state: GoRulesState,
  projectId: string,
  change: (documents: GoRulesDocument[]) => GoRulesDocument[],
): GoRulesState {
  return {
    ...state,
    projects: updateWhere(
      state.projects,
      (project) => project.id === projectId,
      (project) => ({ ...project, documents: change(project.documents) }),
    ),
  };
}

/** The state with one document of a project replaced by its changed self, answered as the BRMS does. */
function replaced(
  state: GoRulesState,
  project: GoRulesProject,
  document: GoRulesDocument,
  changed: GoRulesDocument,
): { value: GoRulesState; result: HandlerResult } {
  const next = withDocuments(state, project.id, (documents) =>
    documents.map((each) => (each === document ? changed : each)),
  );
  return { value: next, result: { status: 200, body: documentView(next, project, changed) } };
}

/** The project's document with `documentId` (a fixture's by its derived id), or a 404. */
function findDocument(
  project: GoRulesProject,
  documentId: string,
): GoRulesDocument | HandlerResult {
  const found = project.documents.find(
    (candidate) => documentIdOf(project, candidate) === documentId,
  );
  return found ?? message(404, 'Document not found');
}

const isDocument = (found: GoRulesDocument | HandlerResult): found is GoRulesDocument =>
  'key' in found;

/** The samples send `"content": null`: null and absent both mean "no new content". */
const given = (content: unknown): boolean => content !== undefined && content !== null;

interface CreateDocumentBody {
  name: string;
  type?: string;
  content?: unknown;
  parent?: string;
  meta?: Record<string, unknown>;
}

interface UpdateDocumentBody {
  name?: string;
  content?: unknown;
  meta?: Record<string, unknown> | null;
  publish?: boolean;
  deleted?: boolean;
}

interface CreateVersionBody {
  name?: string;
  versionId?: string;
  content?: unknown;
}

export function documentHandlers(
  userOf: PersonalTokenOwner,
): Readonly<Record<string, Handler<GoRulesState>>> {
  return {
    async listDocuments({ principal, now, state, request }): Promise<HandlerResult> {
      const current = await state.read();
      const access = projectFor(
        current,
        userOf,
        principal,
        pathParameter(request, 'projectId'),
        now,
      );
      if (!access.ok) return access.refusal;
      const results = access.project.documents.map((document) =>
        documentView(current, access.project, document),
      );
      return { status: 200, body: { results } };
    },

    async getDocument({ principal, now, state, request }): Promise<HandlerResult> {
      const current = await state.read();
      const found = documentFor(current, userOf, principal, request, now);
      if (!found.ok) return found.refusal;
      return { status: 200, body: documentView(current, found.project, found.document) };
    },

    /**
     * A new decision file at the project's root, its content the first (completed) version: its
     * key, what the evaluate call names, is its name. standin holds no folders, so a `type` other
     * than `f` and a `parent` are refused (400).
     */
    async createDocument({ principal, now, state, request }): Promise<HandlerResult> {
      const projectId = pathParameter(request, 'projectId');
      const body = request.body as CreateDocumentBody;
      const content = given(body.content) ? body.content : EMPTY_GRAPH;
      const problem =
        body.type !== undefined && body.type !== 'f'
          ? `standin holds decision files only (type "f"), not "${body.type}"`
          : body.parent !== undefined
            ? 'Parent folder not found'
            : contentProblem(content);
      const documentId = randomUUID();
      const versionId = randomUUID();
      const created = now.toISOString();
      return state.update<HandlerResult>((current) => {
        const access = projectFor(current, userOf, principal, projectId, now);
        if (!access.ok) return { result: access.refusal };
        if (problem !== undefined) return { result: message(400, problem) };
        if (access.project.documents.some((each) => each.key === body.name))
          return { result: message(400, `A document named "${body.name}" already exists`) };
        const graph = content as JdmContent;
        const document: GoRulesDocument = {
          id: documentId,
          key: body.name,
          name: body.name,
          content: graph,
          versions: [
            {
              id: versionId,
              name: null,
              status: 'completed',
              content: graph,
              createdBy: access.userId,
              createdAt: created,
            },
          ],
          ...(body.meta ? { meta: body.meta } : {}),
          updatedAt: created,
        };
        const next = withDocuments(current, access.project.id, (documents) => [
          ...documents,
          document,
        ]);
        return {
          value: next,
          result: { status: 200, body: documentView(next, access.project, document) },
        };
      });
    },

    /**
     * Renames the document (its key, what the evaluate call and other documents' decision nodes
     * name, stays), replaces its `meta`, and with new `content` adds a version: a draft, or the
     * published version with `publish: true` (which, without content, publishes the latest
     * version). The evaluate call runs the latest content at once. `deleted: true` removes the
     * document: it is neither listed nor evaluable afterwards.
     */
    async updateDocument({ principal, now, state, request }): Promise<HandlerResult> {
      const documentId = pathParameter(request, 'documentId');
      const body = request.body as UpdateDocumentBody;
      const problem = given(body.content) ? contentProblem(body.content) : undefined;
      const versionId = randomUUID();
      const updated = now.toISOString();
      return state.update<HandlerResult>((current) => {
        const found = documentFor(current, userOf, principal, request, now);
        if (!found.ok) return { result: found.refusal };
        const { project, document } = found;
        if (problem !== undefined) return { result: message(400, problem) };
        if (body.deleted === true) {
          const next = withDocuments(current, project.id, (documents) =>
            documents.filter((each) => each !== document),
          );
          return {
            value: next,
            result: { status: 200, body: documentView(current, project, document, updated) },
          };
        }
        const versions = [...versionsOf(project, document)];
        let content = document.content;
        if (given(body.content)) {
          content = body.content as JdmContent;
          versions.push({
            id: versionId,
            name: null,
            status: body.publish === true ? 'completed' : 'draft',
            content,
            createdBy: found.userId,
            createdAt: updated,
          });
        } else if (body.publish === true) {
          const latest = versions.length - 1;
          const last = versions[latest];
          if (last) versions[latest] = { ...last, status: 'completed' };
        }
        const changed: GoRulesDocument = {
          ...document,
          id: documentId,
          name: body.name ?? document.name,
          content,
          versions,
          ...(body.meta !== undefined ? { meta: body.meta ?? {} } : {}),
          updatedAt: updated,
        };
        return replaced(current, project, document, changed);
      });
    },

    /**
     * A new completed version, the document's content from now on (the evaluate call runs it at
     * once). `versionId` names the version it is made from (its parent), and without `content` the
     * new version takes that one's; the earlier versions stay readable.
     */
    async createDocumentVersion({ principal, now, state, request }): Promise<HandlerResult> {
      const documentId = pathParameter(request, 'documentId');
      const body = request.body as CreateVersionBody;
      const problem = given(body.content) ? contentProblem(body.content) : undefined;
      const versionId = randomUUID();
      const created = now.toISOString();
      return state.update<HandlerResult>((current) => {
        const found = documentFor(current, userOf, principal, request, now);
        if (!found.ok) return { result: found.refusal };
        const { project, document } = found;
        const versions = versionsOf(project, document);
        const parent =
          body.versionId === undefined
            ? undefined
            : versions.find((each) => each.id === body.versionId);
        if (body.versionId !== undefined && !parent)
          return { result: message(404, 'Version not found') };
        if (problem !== undefined) return { result: message(400, problem) };
        const content = given(body.content)
          ? (body.content as JdmContent)
          : (parent?.content ?? document.content);
        const version: GoRulesDocumentVersion = {
          id: versionId,
          name: body.name ?? null,
          status: 'completed',
          parentId: parent?.id ?? null,
          content,
          createdBy: found.userId,
          createdAt: created,
        };
        const changed: GoRulesDocument = {
          ...document,
          id: documentId,
          content,
          versions: [...versions, version],
          updatedAt: created,
        };
        return replaced(current, project, document, changed);
      });
    },

    async getDocumentVersion({ principal, now, state, request }): Promise<HandlerResult> {
      const current = await state.read();
      const found = documentFor(current, userOf, principal, request, now);
      if (!found.ok) return found.refusal;
      const versionId = pathParameter(request, 'versionId');
      const version = versionsOf(found.project, found.document).find(
        (each) => each.id === versionId,
      );
      if (!version) return message(404, 'Version not found');
      return {
        status: 200,
        body: versionView(current, pathParameter(request, 'documentId'), version),
      };
    },
  };
}
