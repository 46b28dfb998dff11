import type { IncomingHttpHeaders } from 'node:http';
import type { RateDecision } from '../state/rate-limits.js';
import type { Decision } from '../state/store.js';
import type { Credential } from '../validators/security.js';
import type { ParameterValues } from '../validators/parameters.js';
import type { HandlerResult } from '../types/handler-result.js';

// Lives in a leaf module (validators need it too); re-exported so module authors' imports stay.
export type { HandlerResult } from '../types/handler-result.js';

/** Everything a handler may know about the request, already checked against the spec. */
export interface HandlerRequest {
  vendor: string;
  operationId: string;
  method: string;
  /** The path below the vendor's mount point, e.g. `/api-tokens`. */
  path: string;
  /** Where the vendor is served, as the client reached it: `http://127.0.0.1:4010/thousandeyes/v7`. */
  baseUrl: string;
  params: ParameterValues;
  body: unknown;
  /** The request's media type essence, when it had a body. */
  mediaType?: string;
  /** The credentials that satisfied the operation's security (none for an anonymous call). */
  credentials: Credential[];
  headers: IncomingHttpHeaders;
}

/** Who a credential belongs to, as the vendor module decided. */
export interface Principal {
  /** The vendor's own id for it: a user id, an environment id. */
  id: string;
  /** What it belongs to, where a vendor shares a limit among many (ThousandEyes' organisation). */
  group?: string;
  /** The credential that identified it, for handlers that must check it again inside a transaction. */
  credential: Credential;
}

/** One vendor's state in the current namespace. */
export interface StateAccess<S> {
  read(): Promise<S>;
  /**
   * Read, decide, write atomically (see Store.update): `decide` may run more than once, must not
   * change the state it is given, and returns the next state (or none) and a result.
   */
  update<R>(decide: (state: S) => Decision<S, R>): Promise<R>;
}

export interface HandlerContext<S> {
  request: HandlerRequest;
  /** The set of states and clock the request works in. */
  namespace: string;
  /** The principal the vendor module found for the request's credential, if the operation needs one. */
  principal: Principal | undefined;
  /** The virtual clock's time when the request arrived. */
  now: Date;
  state: StateAccess<S>;
}

/**
 * Declared as a method so that a handler of one vendor's state can be held where any state is
 * expected (method parameters are checked bivariantly): the engine never mixes states up, since a
 * vendor's handlers only ever receive that vendor's state.
 */
export type Handler<S = unknown> = {
  handle(context: HandlerContext<S>): HandlerResult | Promise<HandlerResult>;
}['handle'];

export type Authentication = { ok: true; principal: Principal } | { ok: false; detail: string };

/** A credential as `GET /__admin/credentials` lists it: exactly what a client sends. */
export interface ListedCredential {
  principal: string;
  header: string;
  value: string;
  expiresAt: string | null;
  /** The vendor's own operation that replaces this credential, sent with the credential itself. */
  rotate?: CredentialAction;
  /** The vendor's own operation that revokes it, where the vendor has one. */
  revoke?: CredentialAction;
}

/**
 * A request the dashboard sends, with the credential's own header, to rotate or revoke it: the
 * vendor's operation, so the journal shows it. `path` is below the vendor's mount point here; the
 * control plane lists it with the mount point in front (a path on standin's origin).
 */
export interface CredentialAction {
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
}

/** How a vendor's state starts, and what a valid one looks like (for `--state` and the control plane). */
export interface StateDefinition<S> {
  /** JSON Schema (2020-12) of the whole state. */
  schema: object;
  /** The default fixture, built at `now` (times in it are relative to the clock). */
  initial(now: Date): S;
}

/**
 * A vendor's documented rate limit. Off by default (a test suite must not trip over it by
 * accident); on with `--rate-limits` or the control plane. Counters live in the store and run on
 * the virtual clock.
 */
export interface RateLimitPolicy {
  /** Says what the limit is, for the control plane: "240 requests a minute per organisation". */
  description: string;
  /**
   * Operations the limit does not apply to (PocketPaw's login is let through before its limiter):
   * neither counted nor answered with the limit's headers.
   */
  exempt?(this: void, operationId: string): boolean;
  /** What one counter counts: an organisation, a client address. */
  key(
    this: void,
    caller: { principal: Principal | undefined; clientAddress: string; operationId: string },
  ): string;
  take(this: void, bucket: unknown, now: number, operationId: string): RateDecision<unknown>;
  /** The headers the vendor sends with its answers while the limit is on. */
  headers(this: void, decision: RateDecision<unknown>): Record<string, string>;
  /** The vendor's own 429. */
  refusal(this: void, decision: RateDecision<unknown>): HandlerResult;
}

/**
 * A vendor's behaviour: the module that goes with its spec. It keeps a state, decides who a
 * credential belongs to, and answers operations by operationId; an operation without a handler
 * answers from the spec (examples or generated values).
 */
export interface VendorModule<S = unknown> {
  state?: StateDefinition<S>;
  /**
   * Who the credentials the engine read (from the places the spec names) belong to, at `now`.
   * A refusal answers 401 in the vendor's format on every operation of the vendor.
   */
  authenticate?(
    this: void,
    credentials: readonly Credential[],
    state: S,
    now: Date,
  ): Authentication;
  /** Every currently valid credential, for the control plane. */
  credentials?(this: void, state: S, now: Date): ListedCredential[];
  handlers?: Readonly<Record<string, Handler<S>>>;
  rateLimit?: RateLimitPolicy;
  /**
   * Control-plane actions of this vendor, by name: `POST /__admin/vendors/{vendor}/actions/{name}`
   * validates the JSON body against the action's `body` schema, then runs it on the namespace's state.
   */
  actions?: Readonly<Record<string, VendorAction<S>>>;
}

/**
 * Something a test asks of a vendor through the control plane, beyond its API (PocketPaw's
 * session minting). `run` gets the control-plane request (its `body` already valid against `body`)
 * and no principal; it answers like a handler, usually `201` and a JSON body.
 */
export interface VendorAction<S = unknown> {
  /** What it does, for a reader of the module. */
  description: string;
  /** JSON Schema (2020-12) of the request body; a body it refuses is a 400 before `run`. */
  body: object;
  run: Handler<S>;
}
