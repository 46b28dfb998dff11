import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import cors from 'cors';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from './logger.js';
import type { Vendor } from './engine/compile-vendor.js';
import type { Runtime } from './engine/runtime.js';
import { serveVendorRequest } from './engine/pipeline.js';
import { observeEveryRequest } from './engine/observe.js';
import { problems } from './engine/problem.js';
import { sendJson, sendProblem } from './engine/send.js';
import { sameSecret } from './state/secrets.js';
import type { Store } from './state/store.js';

/** Who may call the control plane: anyone (on loopback), holders of the admin token, or nobody. */
export type ControlPlaneAccess =
  { kind: 'open' } | { kind: 'token'; token: string } | { kind: 'off'; reason: string };

export interface AppOptions {
  cors: boolean;
  bodyLimit: number;
  logger: Logger;
  runtime: Runtime;
  controlPlane: ControlPlaneAccess;
}

interface Mount {
  prefix: string;
  vendor: Vendor;
}

type Middleware = (request: IncomingMessage, response: ServerResponse, next: () => void) => void;

/**
 * The HTTP surface. Vendor and control-plane operations go straight to the engine's pipeline,
 * which matches operations itself; everything else (the vendor list at `/`, each spec at
 * `/<vendor>/openapi.json`, 404s, errors) is an express app. Both share the request log and CORS.
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
  const observe = observeEveryRequest(options.logger, options.runtime);
  const allowCrossOrigin: Middleware | undefined = options.cors
    ? cors({
        origin: true,
        credentials: true,
        maxAge: 600,
        exposedHeaders: exposedHeaders(vendors),
      })
    : undefined;
  const served = [...vendors, controlPlane];
  // Longest first, so a vendor mounted at /a/b wins over one at /a.
  const mounts: Mount[] = served
    .map((vendor) => ({ prefix: vendor.mountPath, vendor }))
    .sort((a, b) => b.prefix.length - a.prefix.length);
  const specs = new Map(served.map((vendor) => [`/${vendor.name}/openapi.json`, vendor]));
  const app = createExpressApp(
    vendors,
    controlPlane,
    specs,
    observe,
    allowCrossOrigin,
    options.logger,
    options.runtime.store,
  );

  return (request, response) => {
    const url = request.url ?? '/';
    const mark = url.indexOf('?');
    const path = mark < 0 ? url : url.slice(0, mark);
    const mount = specs.has(path)
      ? undefined
      : mounts.find(({ prefix }) => path === prefix || path.startsWith(`${prefix}/`));
    if (!mount) {
      void app(request, response);
      return;
    }
    observe(request, response, () => undefined);
    if (
      mount.vendor === controlPlane &&
      refuseControlPlane(options.controlPlane, request, response, path)
    )
      return;
    const serve = (): void =>
      void serveVendorRequest(
        mount.vendor,
        request,
        response,
        url.slice(mount.prefix.length),
        options,
      );
    // A CORS preflight is answered by the middleware itself; anything else gets its headers and goes on.
    if (allowCrossOrigin) allowCrossOrigin(request, response, serve);
    else serve();
  };
}

/** True when the control plane refused the request (and answered it). */
function refuseControlPlane(
  access: ControlPlaneAccess,
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
): boolean {
  if (access.kind === 'open') return false;
  if (access.kind === 'off') {
    sendProblem(response, { ...problems.unknownPath(path), detail: access.reason, instance: path });
    return true;
  }
  const authorization = request.headers.authorization ?? '';
  const presented = authorization.startsWith('Bearer ') ? authorization.slice(7).trim() : '';
  if (sameSecret(presented, access.token)) return false;
  const failure = {
    in: 'security' as const,
    name: 'adminToken',
    message: 'expected an Authorization header "Bearer <admin token>"',
  };
  sendProblem(
    response,
    { ...problems.unauthenticated([failure]), instance: path },
    {
      'www-authenticate': 'Bearer realm="standin control plane"',
    },
  );
  return true;
}

export const HEALTH_PATH = '/__health';

function createExpressApp(
  vendors: readonly Vendor[],
  controlPlane: Vendor,
  specs: ReadonlyMap<string, Vendor>,
  observe: Middleware,
  allowCrossOrigin: Middleware | undefined,
  logger: Logger,
  store: Store,
): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(observe);
  if (allowCrossOrigin) app.use(allowCrossOrigin);

  app.get('/', (request, response) => {
    sendJson(response, 200, 'application/json', listing(vendors, controlPlane, originOf(request)));
  });

  // For a load balancer or a container healthcheck: 200 when the store answers, 503 when not.
  // Outside /__admin on purpose: a probe must not need the admin token.
  app.get(HEALTH_PATH, (_request, response) => {
    store.ping().then(
      () => sendJson(response, 200, 'application/json', { status: 'ok' }),
      (error: unknown) =>
        sendProblem(response, {
          ...problems.storeUnavailable(error instanceof Error ? error.message : String(error)),
          instance: HEALTH_PATH,
        }),
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
    if (vendor) problem.detail += `; ${vendor.name} is served at ${vendor.mountPath}`;
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
