import { readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { problems } from '../engine/problem.js';
import { sendProblem } from '../engine/send.js';

/** Below the control plane's mount point: `/__admin/ui/...`. */
export const UI_PREFIX = '/ui';

/**
 * The dashboard's own files (written in src/dashboard/assets/, copied beside this module into
 * dist/ by the build), Swagger UI's (the `swagger-ui-dist` package, served as it ships) and a
 * Swagger UI page per vendor. Static files only: they hold no data, so they need no admin token;
 * every data call the page makes goes to the control plane and needs it. The listener (app.ts)
 * sends them here after the control plane's Host check and cross-origin refusal.
 *
 * A file is named by one path segment of safe characters and must be a regular file directly in
 * its folder: no `..`, no folder, no link out of it (a name is never joined with more than that).
 */
export interface DashboardFiles {
  /** True when the request was the dashboard's (and answered). */
  serve(request: IncomingMessage, response: ServerResponse, below: string): boolean;
}

export interface SwaggerTarget {
  name: string;
  title: string;
  specUrl: string;
}

const SAFE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/**
 * Nothing from elsewhere: the dashboard works offline and loads no outside script. Swagger UI
 * styles elements inline and shows images as data: URLs, hence those two allowances.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** The dashboard's assets: beside this module (dist/dashboard/assets after a build), else in src/. */
export function assetsFolder(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const beside = path.join(here, 'assets');
  if (isFolder(beside)) return beside;
  // dist/dashboard/ run from a checkout whose build did not copy them: the sources.
  return path.resolve(here, '..', '..', 'src', 'dashboard', 'assets');
}

export function swaggerUiFolder(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('swagger-ui-dist/package.json'));
}

export function dashboardFiles(
  swaggerTargets: () => readonly SwaggerTarget[],
  folders: { assets: string; swaggerUi: string } = {
    assets: assetsFolder(),
    swaggerUi: swaggerUiFolder(),
  },
): DashboardFiles {
  return {
    serve(request, response, below) {
      if (below !== UI_PREFIX && !below.startsWith(`${UI_PREFIX}/`)) return false;
      const method = request.method ?? 'GET';
      if (method !== 'GET' && method !== 'HEAD') {
        sendProblem(
          response,
          {
            ...problems.controlPlane(405, `the dashboard's files answer GET only`),
            instance: below,
          },
          { allow: 'GET, HEAD' },
        );
        return true;
      }
      // The page's relative URLs (app.js, styles.css) need the trailing slash.
      if (below === UI_PREFIX) {
        redirect(response, `${request.url?.split('?')[0] ?? ''}/`);
        return true;
      }
      const rest = below.slice(UI_PREFIX.length + 1);
      if (rest === '') return sendFile(response, method, folders.assets, 'index.html');
      if (rest === SWAGGER_INIT) return sendText(response, method, '.js', SWAGGER_INIT_SCRIPT);
      const [first, second, ...more] = rest.split('/');
      if (more.length > 0 || first === undefined) return notFound(response, below);
      if (second === undefined) return sendFile(response, method, folders.assets, first, below);
      if (first === 'swagger-ui')
        return sendFile(response, method, folders.swaggerUi, second, below);
      if (first === 'swagger') {
        const target = swaggerTargets().find((candidate) => candidate.name === second);
        if (!target) return notFound(response, below);
        return sendText(response, method, '.html', swaggerPage(target));
      }
      return notFound(response, below);
    },
  };
}

function sendFile(
  response: ServerResponse,
  method: string,
  folder: string,
  name: string,
  below = `${UI_PREFIX}/`,
): true {
  if (!SAFE_NAME.test(name)) return notFound(response, below);
  const file = path.join(folder, name);
  let content: Buffer;
  try {
    if (!statSync(file).isFile()) return notFound(response, below);
    content = readFileSync(file);
  } catch {
    return notFound(response, below);
  }
  return sendBody(response, method, path.extname(name), content);
}

function sendText(response: ServerResponse, method: string, extension: string, text: string): true {
  return sendBody(response, method, extension, Buffer.from(text));
}

function sendBody(
  response: ServerResponse,
  method: string,
  extension: string,
  content: Buffer,
): true {
  response.writeHead(200, {
    'content-type': CONTENT_TYPES[extension] ?? 'application/octet-stream',
    'content-length': String(content.length),
    // A development tool: a new version of standin shows its new page at once.
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'referrer-policy': 'no-referrer',
  });
  response.end(method === 'HEAD' ? undefined : content);
  return true;
}

function redirect(response: ServerResponse, location: string): void {
  response.writeHead(301, { location, 'content-length': '0' });
  response.end();
}

function notFound(response: ServerResponse, below: string): true {
  sendProblem(response, { ...problems.unknownPath(below), instance: below });
  return true;
}

function isFolder(folder: string): boolean {
  try {
    return statSync(folder).isDirectory();
  } catch {
    return false;
  }
}

/** Served by standin, not by swagger-ui-dist: the policy above allows no inline script. */
const SWAGGER_INIT = 'swagger-init.js';

// Reads the spec URL from the page (a data attribute) so that one script serves every vendor.
const SWAGGER_INIT_SCRIPT = `window.addEventListener('load', () => {
  const root = document.getElementById('swagger-ui');
  window.ui = SwaggerUIBundle({
    url: root.dataset.specUrl,
    domNode: root,
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    tryItOutEnabled: false,
    validatorUrl: 'none',
  });
});
`;

function swaggerPage(target: SwaggerTarget): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(target.title)} · Swagger UI · standin</title>
<link rel="stylesheet" href="../swagger-ui/swagger-ui.css">
</head>
<body>
<p><a href="../">Back to the standin dashboard</a></p>
<main id="swagger-ui" data-spec-url="${escapeHtml(target.specUrl)}"></main>
<script src="../swagger-ui/swagger-ui-bundle.js"></script>
<script src="../${SWAGGER_INIT}"></script>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (character) =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[character] ??
      character,
  );
}
