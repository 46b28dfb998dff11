import type { paths } from '../generated/admin.js';

/**
 * What the control-plane client sends and receives, read off the types openapi-typescript
 * generates from specs/control-plane/admin.yaml (`npm run generate:admin-types`, run before every
 * build and type-check). Nothing here is written by hand: a change to the spec changes these
 * types, and a client call that no longer fits stops compiling.
 */

type JsonRequest<Operation> = Operation extends {
  requestBody: { content: { 'application/json': infer Body } };
}
  ? Body
  : never;

type JsonAnswer<Operation, Status extends number> = Operation extends {
  responses: { [S in Status]: { content: { 'application/json': infer Body } } };
}
  ? Body
  : never;

/** `{now, offsetMs, frozen}`, as `GET /__admin/clock` answers. */
export type ClockReading = JsonAnswer<paths['/clock']['get'], 200>;
/** `{advance?, set?, frozen?}`, the body of `POST /__admin/clock`. */
export type ClockMove = JsonRequest<paths['/clock']['post']>;

/** One vendor's whole state, in the shape its state schema gives. */
export type VendorState = JsonAnswer<paths['/state/{vendor}']['get'], 200>;

/** Narrows `GET /__admin/credentials` to a vendor, a principal, or both. */
export type CredentialFilter = NonNullable<paths['/credentials']['get']['parameters']['query']>;
/** A credential valid now: `header` and `value` are exactly what a client sends. */
export type CurrentCredential = JsonAnswer<paths['/credentials']['get'], 200>[number];

/** `{vendor, operationId?, status?, delayMs?, reset?, phase?, times?}`: what a fault strikes. */
export type FaultRequest = JsonRequest<paths['/faults']['post']>;
/** A fault as standin keeps it, with its id and the strikes it has left. */
export type Fault = JsonAnswer<paths['/faults']['post'], 201>;

/** Narrows the journal to a vendor, an operation, a status or a time. */
export type RequestFilter = NonNullable<paths['/requests']['get']['parameters']['query']>;
/** One journalled request to a vendor: never a credential's value. */
export type JournalEntry = JsonAnswer<paths['/requests']['get'], 200>[number];
/** Which journal entries `requests.count()` counts; every field left out matches anything. */
export type RequestMatcher = JsonRequest<paths['/requests/count']['post']>;
/** `{count, lost?}`: `count` is exact when `lost` is absent (see the spec for Redis outages). */
export type RequestCount = JsonAnswer<paths['/requests/count']['post'], 200>;

/** A contract violation, by the client (`request`) or a handler (`response`). */
export type ContractViolation = JsonAnswer<paths['/violations']['get'], 200>[number];

/** How often each documented status of one operation was served. */
export type OperationCoverage = JsonAnswer<paths['/coverage']['get'], 200>[number];

/** `{max, namespaces: [{name, requests}]}`, `default` first. */
export type NamespaceList = JsonAnswer<paths['/namespaces']['get'], 200>;
