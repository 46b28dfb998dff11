import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from './logger.js';
import type { Vendor } from './engine/compile-vendor.js';
import { judgeCrossOrigin, type CrossOriginPolicy } from './engine/cross-origin.js';
import { hintFor } from './engine/path-hints.js';
import { checkHost, type HostPolicy } from './engine/host-check.js';
import type { Runtime } from './engine/runtime.js';
import { serveVendorRequest } from './engine/pipeline.js';
import { recordEveryRequest } from './engine/observe.js';
import { problems } from './engine/problem.js';
import { journalStreamsOf } from './admin/journal-stream.js';
import { dashboardFiles } from './dashboard/serve-ui.js';
import { sendJson, sendProblem } from './engine/send.js';
import { sameSecret } from './state/secrets.js';
import { checkSecurity, compileSecurity, type SecurityPlan } from './validators/security.js';

/** Who may call the control plane: anyone (on loopback), holders of the admin token, or nobody. */
export type ControlPlaneAccess =
  { kind: 'open' } | { kind: 'token'; token: string } | { kind: 'off'; reason: string };

export interface AppOptions {
  cors: boolean;
  /** `--cors-origins`: the origins whose pages may call the control plane (and, when given, the only ones that may call the vendors). */
  corsOrigins: readonly string[];
  host: HostPolicy;
  bodyLimit: number;
  logger: Logger;
  runtime: Runtime;
  controlPlane: ControlPlaneAccess;
  /** `serve --dynamic`, for the vendors: the control plane always answers from its handlers. */
  dynamic: boolean;
}

interface Mount {
  prefix: string;
  vendor: Vendor;
}

/**
 * The HTTP surface. Every request passes the same gate first: its URL is split (once), its record
 * made (one log line and the journal when it is answered, engine/observe.ts), its Host checked,
 * its origin judged. Vendor and control-plane operations then go straight to the engine's
 * pipeline, with their path and query and their record; everything else (the vendor list at `/`,
 * each spec at `/<vendor>/openapi.json`, 404s, errors) is an express app.
 *
 * Why operations do not pass through express: express sets its own prototypes on every request
 * and response, and under load that cost standin half its throughput (`npm run bench:profile`:
 * 7.6k rotations a second through express, 16.0k past it, p99 13 ms against 7 ms).
 */
export function createRequestListener(
  vendors: readonly Vendor[],
  controlPlane: Vendor,
  options: AppOptions,
): RequestListener {
  const records = recordEveryRequest(options.logger, options.runtime);
  const crossOrigin: CrossOriginPolicy = {
    enabled: options.cors,
    allowedOrigins: new Set(options.corsOrigins),
    exposedHeaders: exposedHeaders(vendors).join(', '),
  };
  const adminTokenCheck = compileSecurity([{ adminToken: [] }], {
    adminToken: { type: 'http', scheme: 'bearer' },
  });
  const served = [...vendors, controlPlane];
  // Longest first, so a vendor mounted at /a/b wins over one at /a.
  const mounts: Mount[] = served
    .map((vendor) => ({ prefix: vendor.mountPath, vendor }))
    .sort((a, b) => b.prefix.length - a.prefix.length);
  const specs = new Map(served.map((vendor) => [`/${vendor.name}/openapi.json`, vendor]));
  // A vendor served at the root of the port must not hide standin's own paths: the health check,
  // the specs, and the vendor list at `/` (unless the vendor has an operation there).
  const rootVendor = vendors.find((vendor) => vendor.mountPath === '');
  const servedByStandin = (path: string): boolean =>
    path === HEALTH_PATH ||
    specs.has(path) ||
    (path === '/' && rootVendor !== undefined && !hasOperationAt(rootVendor, '/'));
  const hint = (path: string): string => hintFor(vendors, path);
  // Made once: the pipeline's options for vendors, and for the control plane (never dynamic).
  const vendorPipeline = { ...options, hint };
  const controlPlanePipeline = { ...vendorPipeline, dynamic: false };
  const app = createExpressApp(vendors, controlPlane, specs, options);
  const dashboard = dashboardFiles(() =>
    served.map((vendor) => ({
      name: vendor.name,
      title: vendor.title,
      specUrl: `/${vendor.name}/openapi.json`,
    })),
  );
  const streamPath = `${controlPlane.mountPath}${STREAM_PATH}`;

  return (request, response) => {
    const url = request.url ?? '/';
    const mark = url.indexOf('?');
    const path = mark < 0 ? url : url.slice(0, mark);
    const record = records.begin(request, response, path);
    // Before anything else: a request for another host name is not standin's to answer.
    const host = checkHost(request.headers.host, options.host);
    if (!host.ok) {
      const detail = host.detail;
      const problem =
        host.status === 400 ? problems.badHost(detail) : problems.hostNotAllowed(detail);
      sendProblem(response, { ...problem, instance: path }, { connection: 'close' });
      return;
    }
    const mount = servedByStandin(path)
      ? undefined
      : mounts.find(({ prefix }) => path === prefix || path.startsWith(`${prefix}/`));
    const toControlPlane = mount?.vendor === controlPlane;
    const verdict = judgeCrossOrigin(
      request,
      response,
      toControlPlane ? 'control-plane' : 'vendor',
      host.host,
      crossOrigin,
    );
    if (verdict.kind === 'answered') return;
    if (verdict.kind === 'refused') {
      sendProblem(response, { ...problems.crossOriginRefused(verdict.detail), instance: path });
      return;
    }
    if (!mount) {
      void app(request, response);
      return;
    }
    // The dashboard's static files hold no data: past the Host and origin checks, no token.
    // While the control plane is off, they are as absent as it is.
    if (
      toControlPlane &&
      options.controlPlane.kind !== 'off' &&
      dashboard.serve(request, response, path.slice(mount.prefix.length))
    )
      return;
    if (
      toControlPlane &&
      refuseControlPlane(options.controlPlane, adminTokenCheck, request, response, path)
    )
      return;
    // The live journal never ends, so the pipeline (which answers once) does not serve it.
    if (path === streamPath && request.method === 'GET') {
      journalStreamsOf(options.runtime.observations).serve(
        request,
        response,
        path,
        mark < 0 ? '' : url.slice(mark + 1),
      );
      return;
    }
    const target = {
      path: path.slice(mount.prefix.length) || '/',
      query: mark < 0 ? '' : url.slice(mark + 1),
    };
    void serveVendorRequest(
      mount.vendor,
      request,
      response,
      target,
      record,
      toControlPlane ? controlPlanePipeline : vendorPipeline,
    );
  };
}

/** True when the control plane refused the request (and answered it). */
function refuseControlPlane(
  access: ControlPlaneAccess,
  adminTokenCheck: SecurityPlan,
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
): boolean {
  if (access.kind === 'open') return false;
  if (access.kind === 'off') {
    sendProblem(response, { ...problems.unknownPath(path), detail: access.reason, instance: path });
    return true;
  }
  // Read exactly as the vendors' bearer schemes are: the scheme word in any case, one header only.
  const outcome = checkSecurity(adminTokenCheck, {
    headers: request.headers,
    rawHeaders: request.rawHeaders,
    query: new URLSearchParams(),
    cookies: {},
  });
  if (outcome.ok && sameSecret(outcome.credentials[0]?.value ?? '', access.token)) return false;
  const failures = outcome.ok
    ? [
        {
          in: 'security' as const,
          name: 'adminToken',
          message: 'the admin token is not the one standin was started with',
        },
      ]
    : outcome.failures;
  sendProblem(
    response,
    { ...problems.unauthenticated(failures), instance: path },
    {
      'www-authenticate': 'Bearer realm="standin control plane"',
    },
  );
  return true;
}

export const HEALTH_PATH = '/__health';
/** Below the control plane's mount point (see admin/journal-stream.ts). */
const STREAM_PATH = '/requests/stream';

function createExpressApp(
  vendors: readonly Vendor[],
  controlPlane: Vendor,
  specs: ReadonlyMap<string, Vendor>,
  options: Pick<AppOptions, 'logger' | 'runtime' | 'controlPlane'>,
): Express {
  const { logger, runtime } = options;
  const dashboardUrl = `${controlPlane.mountPath}/ui/`;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/', (request, response) => {
    response.setHeader('vary', 'accept');
    // A browser asks for HTML first and gets the dashboard; a program (`*/*`, JSON) the listing.
    if (
      options.controlPlane.kind !== 'off' &&
      request.accepts(['application/json', 'text/html']) === 'text/html'
    ) {
      response.redirect(302, dashboardUrl);
      return;
    }
    sendJson(response, 200, 'application/json', listing(vendors, controlPlane, originOf(request)));
  });

  // For a load balancer or a container healthcheck: 200 when the store answers, 503 when not.
  // Outside /__admin on purpose: a probe must not need the admin token.
  // Both answers say how many journal, violation and coverage entries wait in this process for
  // the store (`buffered`) and how many it could not keep (`lost`): an outage leaves a trace.
  app.get(HEALTH_PATH, (_request, response) => {
    runtime.store.ping().then(
      () =>
        sendJson(response, 200, 'application/json', {
          status: 'ok',
          observations: runtime.observations.backlog(),
        }),
      (error: unknown) => {
        const problem = problems.storeUnavailable(
          error instanceof Error ? error.message : String(error),
        );
        // An RFC 9457 extension member beside the problem's own.
        const body = {
          ...problem,
          instance: HEALTH_PATH,
          observations: runtime.observations.backlog(),
        };
        sendJson(response, problem.status, 'application/problem+json', body);
      },
    );
  });

  app.get('/*path', (request, response, next) => {
    const spec = specs.get(request.path);
    if (!spec) {
      next();
      return;
    }
    response.setHeader('content-type', 'application/json');
    response.end(spec.specJson);
  });

  app.use((request: Request, response: Response) => {
    const path = request.path;
    const vendor = vendors.find(
      (candidate) => path === `/${candidate.name}` || path.startsWith(`/${candidate.name}/`),
    );
    const problem = problems.unknownPath(path);
    const hint = hintFor(vendors, path);
    if (hint) problem.detail += hint;
    else if (vendor) problem.detail += `; ${vendor.name} is served at ${vendor.mountPath || '/'}`;
    sendProblem(response, { ...problem, instance: path });
  });

  // express knows an error handler by its four parameters, so `_next` stays though unused.
  app.use((error: Error, request: Request, response: Response, _next: NextFunction) => {
    logger.error({ err: error, path: request.path }, 'unexpected failure');
    if (!response.headersSent) {
      sendProblem(response, problems.internal(error.message));
    }
  });
  return app;
}

function hasOperationAt(vendor: Vendor, path: string): boolean {
  return vendor.router.match(path) !== undefined;
}

function originOf(request: Request): string {
  return `${request.protocol}://${request.get('host') ?? 'localhost'}`;
}

function listing(vendors: readonly Vendor[], controlPlane: Vendor, origin: string): unknown {
  return {
    name: 'standin',
    controlPlane: {
      baseUrl: origin + controlPlane.mountPath,
      specUrl: `${origin}${controlPlane.mountPath}/openapi.json`,
    },
    vendors: vendors.map((vendor) => ({
      name: vendor.name,
      title: vendor.title,
      openapi: vendor.openapi,
      baseUrl: origin + vendor.mountPath,
      specUrl: `${origin}/${vendor.name}/openapi.json`,
      operations: vendor.operations.map((operation) => ({
        operationId: operation.operationId,
        method: operation.method,
        path: vendor.mountPath + operation.template,
      })),
    })),
  };
}

/** Browsers hide response headers from scripts unless told; tell them about every one the specs document. */
function exposedHeaders(vendors: readonly Vendor[]): string[] {
  const names = new Set(['allow', 'location', 'retry-after', 'www-authenticate']);
  for (const vendor of vendors) {
    for (const operation of vendor.operations) {
      for (const definition of operation.responses.byKey.values()) {
        for (const header of definition.headers) names.add(header.name);
      }
    }
  }
  return [...names];
}
