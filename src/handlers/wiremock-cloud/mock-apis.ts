import type { HandlerContext, HandlerResult } from '../types.js';
import { callerAndTarget } from './callers.js';
import type { WireMockMockApi, WireMockState, WireMockUser } from './state.js';

/**
 * "Get mock APIs accessible to a user" (`GET /v1/users/{userId}/apis`): the mock APIs the user
 * owns, filtered by `q` (name contains, case-insensitive) and `subjectType`/`subjectId` (the ACL
 * subject: a user owns, no teams exist here), sorted by `sort` (`name`, `createdDate`, `-` for
 * descending; default `-createdDate`), a page at a time. Who may read whose list is as for the
 * user's account. The page size when `limit` is left out is not documented: 20, what WireMock
 * Cloud's CLI asks for.
 */

const DEFAULT_LIMIT = 20;

type SortKey = 'name' | 'createdDate';

/** A comparator for `sort`, e.g. `-createdDate,name`; unknown fields are ignored. */
function comparator(sort: string): (a: WireMockMockApi, b: WireMockMockApi) => number {
  const keys = sort
    .split(',')
    .map((part) => part.trim())
    .map((part) => ({ descending: part.startsWith('-'), key: part.replace(/^[-+]/, '') }))
    .filter((entry): entry is { descending: boolean; key: SortKey } =>
      ['name', 'createdDate'].includes(entry.key),
    );
  return (a, b) => {
    for (const { key, descending } of keys) {
      const order = a[key].localeCompare(b[key]);
      if (order !== 0) return descending ? -order : order;
    }
    return a.id.localeCompare(b.id);
  };
}

/** One mock API as the listing shows it, with the links and domains of the reference's example. */
function listed(api: WireMockMockApi, owner: WireMockUser): unknown {
  const self = `/v1/mock-apis/${api.id}`;
  const domain = `${api.id}.wiremockapi.cloud`;
  return {
    id: api.id,
    name: api.name,
    ...(api.description === undefined ? {} : { description: api.description }),
    ...(api.type === undefined ? {} : { type: api.type }),
    state: api.state,
    adminSecurityEnabled: true,
    exportState: 'EXPORT_ALLOWED',
    createdDate: api.createdDate,
    links: {
      self,
      requests: `${self}/requests`,
      mappings: `${self}/mappings`,
      scenarios: `${self}/scenarios`,
      recordings: {
        start: `${self}/recordings/start`,
        stop: `${self}/recordings/stop`,
        status: `${self}/recordings/status`,
        snapshot: `${self}/recordings/snapshot`,
      },
      imports: `${self}/imports`,
      organisation: `/v1/organisations/${owner.organisationId}`,
      invitations: `${self}/invitations`,
      acl: `${self}/acl{?subjectId}`,
      versionHistoryCommits: `${self}/version-history/commits`,
    },
    baseUrl: `https://${domain}`,
    domainNames: [
      { domainName: domain, urls: [{ url: `https://${domain}` }, { url: `http://${domain}` }] },
    ],
    domains: [domain],
  };
}

const positive = (value: unknown, fallback: number): number => {
  const number = typeof value === 'string' ? Number(value) : value;
  return typeof number === 'number' && Number.isInteger(number) && number >= 1 ? number : fallback;
};

export async function getMockApisForUser(
  context: HandlerContext<WireMockState>,
): Promise<HandlerResult> {
  const state = await context.state.read();
  const found = callerAndTarget(state, context);
  if (!('target' in found)) return found;
  const { target } = found;
  const query = context.request.params.query;
  const limit = positive(query.limit, DEFAULT_LIMIT);
  const page = positive(query.page, 1);
  const filter = typeof query.q === 'string' ? query.q.toLowerCase() : undefined;
  // Only a user subject owns anything here; a team subject matches nothing.
  const subjectMatches = (api: WireMockMockApi): boolean =>
    query.subjectType === undefined ||
    query.subjectId === undefined ||
    (query.subjectType === 'user' && api.ownerId === query.subjectId);
  const matching = (state.mockApis ?? [])
    .filter((api) => api.ownerId === target.id)
    .filter((api) => filter === undefined || api.name.toLowerCase().includes(filter))
    .filter(subjectMatches)
    .sort(comparator(typeof query.sort === 'string' ? query.sort : '-createdDate'));
  const total = matching.length;
  const totalPages = Math.ceil(total / limit);
  const start = (page - 1) * limit;
  const items = matching.slice(start, start + limit);
  const link = (onPage: number): string => {
    const search = new URLSearchParams({
      ...(filter === undefined ? {} : { q: String(query.q) }),
      limit: String(limit),
      page: String(onPage),
    });
    return `/v1/users/${target.id}/apis?${search.toString()}`;
  };
  const links: Record<string, string> = { self: link(page) };
  if (page > 1 && totalPages > 0) links.previous = link(Math.min(page - 1, totalPages));
  if (page < totalPages) links.next = link(page + 1);
  return {
    status: 200,
    body: {
      mockApis: items.map((api) => listed(api, target)),
      // The reference's meta counts from 1 (every field has minimum 1): an empty page has none.
      ...(items.length === 0
        ? {}
        : {
            meta: { start: start + 1, end: start + items.length, total, page, totalPages },
          }),
      links,
    },
  };
}
