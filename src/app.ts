import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from 'cors';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from './logger.js';
import type { Vendor } from './engine/compile-vendor.js';
import type { Runtime } from './engine/runtime.js';
import { serveVendorRequest } from './engine/pipeline.js';
import { observeEveryRequest } from './engine/observe.js';
import { problems } from './engine/problem.js';
import { sendJson, sendProblem } from './engine/send.js';

export interface AppOptions {
  cors: boolean;
  bodyLimit: number;
  logger: Logger;
  runtime: Runtime;
}

interface Mount {
  prefix: string;
  vendor: Vendor;
}

/**
 * The HTTP surface: CORS, the vendor list at `/`, each vendor's spec at `/<vendor>/openapi.json`,
 * and each vendor's operations under its mount path. Vendor requests are dispatched by prefix to
 * the engine's pipeline, which matches operations itself (express's own path syntax would choke on
 * OpenAPI templates).
 */
export function createApp(
  vendors: readonly Vendor[],
  controlPlane: Vendor,
  options: AppOptions,
): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(observeEveryRequest(options.logger, options.runtime));

  if (options.cors) {
    app.use(
      cors({
        origin: true,
        credentials: true,
        maxAge: 600,
        exposedHeaders: exposedHeaders(vendors),
      }),
    );
  }

  app.get('/', (request, response) => {
    sendJson(response, 200, 'application/json', listing(vendors, controlPlane, originOf(request)));
  });

  const served = [...vendors, controlPlane];
  const specs = new Map(served.map((vendor) => [`/${vendor.name}/openapi.json`, vendor]));
  // Longest first, so a vendor mounted at /a/b wins over one at /a.
  const mounts: Mount[] = served
    .map((vendor) => ({ prefix: vendor.mountPath, vendor }))
    .sort((a, b) => b.prefix.length - a.prefix.length);

  app.use((request: IncomingMessage, response: ServerResponse, next: NextFunction) => {
    const url = request.url ?? '/';
    const path = url.split('?', 1)[0] ?? url;
    const spec =
      request.method === 'GET' || request.method === 'HEAD' ? specs.get(path) : undefined;
    if (spec) {
      response.setHeader('content-type', 'application/json');
      response.end(spec.specJson);
      return;
    }
    for (const { prefix, vendor } of mounts) {
      if (path === prefix || path.startsWith(`${prefix}/`)) {
        void serveVendorRequest(vendor, request, response, url.slice(prefix.length), options);
        return;
      }
    }
    next();
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
    options.logger.error({ err: error, path: request.path }, 'unexpected failure');
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
