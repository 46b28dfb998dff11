import type { Parameter } from '../../spec/openapi.js';

/**
 * The list operation's paging parameters, where their names make their meaning clear: an offset
 * (`offset`, `skip`) with a `limit`, or a 1-based `page` (0-based when its schema's minimum is 0)
 * with a page size (`per_page`, `pageSize`, `page_size`, `perPage`, `size`, or `limit`), or a bare
 * `limit`. Anything else (cursors, tokens) is not understood, and the whole list is answered.
 */
export interface PagingPlan {
  offset?: string;
  page?: string;
  /** The parameter giving how many items one answer holds. */
  size?: string;
  /** The number of the first page: 1 unless the `page` parameter allows 0. */
  firstPage: number;
}

const OFFSET_NAMES = ['offset', 'skip'];
const PAGE_SIZE_NAMES = ['per_page', 'pageSize', 'page_size', 'perPage', 'size', 'limit'];

export function pagingPlan(parameters: readonly Parameter[]): PagingPlan {
  const query = new Map(
    parameters.filter((parameter) => parameter.in === 'query').map((p) => [p.name, p]),
  );
  const offset = OFFSET_NAMES.find((name) => query.has(name));
  const page = query.has('page') ? 'page' : undefined;
  const size =
    offset !== undefined || page === undefined
      ? query.has('limit')
        ? 'limit'
        : undefined
      : PAGE_SIZE_NAMES.find((name) => query.has(name));
  const pageSchema = page === undefined ? undefined : query.get(page)?.schema;
  const minimum =
    pageSchema && 'minimum' in pageSchema && typeof pageSchema.minimum === 'number'
      ? pageSchema.minimum
      : 1;
  return {
    ...(offset !== undefined ? { offset } : page !== undefined ? { page } : {}),
    ...(size !== undefined ? { size } : {}),
    firstPage: minimum === 0 ? 0 : 1,
  };
}

/** What a list answer shows: a slice, and the numbers a wrapper may report beside it. */
export interface Page<T> {
  items: T[];
  total: number;
  offset: number;
  /** The page size asked for, if the request gave one. */
  size?: number;
  /** The page number asked for (or the first), when the plan pages by number. */
  page?: number;
}

/** The slice of `items` the request's query asks for; the parameters were already validated. */
export function pageOf<T>(
  items: readonly T[],
  plan: PagingPlan,
  query: Readonly<Record<string, unknown>>,
): Page<T> {
  const number = (name: string | undefined): number | undefined => {
    if (name === undefined) return undefined;
    const value = Number(query[name]);
    return query[name] === undefined || !Number.isFinite(value) ? undefined : value;
  };
  const size = number(plan.size);
  const page = plan.page === undefined ? undefined : (number(plan.page) ?? plan.firstPage);
  const offset = Math.max(
    0,
    plan.offset !== undefined
      ? (number(plan.offset) ?? 0)
      : page !== undefined && size !== undefined
        ? (page - plan.firstPage) * size
        : 0,
  );
  const end = size === undefined ? items.length : offset + Math.max(0, size);
  return {
    items: items.slice(offset, end),
    total: items.length,
    offset,
    ...(size !== undefined ? { size } : {}),
    ...(page !== undefined ? { page } : {}),
  };
}
