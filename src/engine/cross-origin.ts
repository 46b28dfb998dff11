import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Who a browser lets call standin from another origin. Two audiences, two rules:
 * - the vendors are what a frontend on another local port calls: any page may call them, without
 *   credentials mode (`Access-Control-Allow-Origin: *`; an Authorization header needs none), unless
 *   `--cors-origins` lists the only origins allowed, which then may also send cookies;
 * - the control plane reads every credential and resets every state: no page on another origin
 *   may call it, nor even send it a request a browser would not preflight (a form POST to
 *   `/__admin/reset`), unless `--cors-origins` lists that origin.
 */
export type Audience = 'vendor' | 'control-plane';

export interface CrossOriginPolicy {
  /** False with `--no-cors`: no CORS headers at all (the control plane still refuses other origins). */
  enabled: boolean;
  /** `--cors-origins`, as browsers send them (`http://localhost:5173`). */
  allowedOrigins: ReadonlySet<string>;
  /** Response headers scripts may read (the ones the specs document, and the challenge). */
  exposedHeaders: string;
}

/** What the listener does next: serve the request, or nothing (the answer has been sent). */
export type CrossOriginVerdict =
  { kind: 'serve' } | { kind: 'answered' } | { kind: 'refused'; detail: string };

const METHODS = 'GET, HEAD, PUT, PATCH, POST, DELETE, OPTIONS';
const PREFLIGHT_MAX_AGE = '600';

/**
 * Adds the CORS headers a request may have, answers a preflight (only an OPTIONS with `Origin`
 * and `Access-Control-Request-Method` is one: any other OPTIONS is an ordinary request), and
 * refuses what a page on another origin may not do. `host` is the validated Host header.
 */
export function judgeCrossOrigin(
  request: IncomingMessage,
  response: ServerResponse,
  audience: Audience,
  host: string,
  policy: CrossOriginPolicy,
): CrossOriginVerdict {
  const origin = request.headers.origin;
  const preflight =
    request.method === 'OPTIONS' &&
    origin !== undefined &&
    request.headers['access-control-request-method'] !== undefined;
  const listed = origin !== undefined && policy.allowedOrigins.has(origin);

  if (audience === 'control-plane') {
    const foreign = foreignPage(request, origin, host);
    if (foreign !== undefined && !listed) {
      return {
        kind: 'refused',
        detail: `a page on ${foreign} may not call the control plane; start standin with --cors-origins ${foreign === 'another site' ? 'ORIGIN' : foreign} to allow one`,
      };
    }
    if (!policy.enabled || !listed) return { kind: 'serve' };
  } else if (!policy.enabled || origin === undefined) {
    return { kind: 'serve' };
  } else if (policy.allowedOrigins.size > 0 && !listed) {
    // Served (a non-browser client may send any Origin), but a browser will not hand the answer
    // to the page, and it does not learn that a preflight failed from anything but its absence.
    if (preflight) return endPreflight(response);
    return { kind: 'serve' };
  }

  response.setHeader('vary', 'Origin');
  if (listed) {
    response.setHeader('access-control-allow-origin', origin);
    response.setHeader('access-control-allow-credentials', 'true');
  } else {
    response.setHeader('access-control-allow-origin', '*');
  }
  if (!preflight) {
    response.setHeader('access-control-expose-headers', policy.exposedHeaders);
    return { kind: 'serve' };
  }
  response.setHeader('access-control-allow-methods', METHODS);
  const requestedHeaders = request.headers['access-control-request-headers'];
  if (requestedHeaders !== undefined)
    response.setHeader('access-control-allow-headers', requestedHeaders);
  // Chromium's Private/Local Network Access: a public page asks before it may reach loopback.
  // Only the origins the operator named may.
  if (listed && request.headers['access-control-request-private-network'] === 'true')
    response.setHeader('access-control-allow-private-network', 'true');
  response.setHeader('access-control-max-age', PREFLIGHT_MAX_AGE);
  return endPreflight(response);
}

function endPreflight(response: ServerResponse): CrossOriginVerdict {
  response.statusCode = 204;
  response.setHeader('content-length', '0');
  response.end();
  return { kind: 'answered' };
}

/**
 * The page a request came from when it is not standin itself: its `Origin` (also `null`, sent by
 * `file://` pages and sandboxed frames), or, where a browser sends no Origin (a cross-site GET),
 * its `Sec-Fetch-Site`. Undefined for a same-origin page and for programs, which send neither.
 */
function foreignPage(
  request: IncomingMessage,
  origin: string | undefined,
  host: string,
): string | undefined {
  if (origin !== undefined) {
    return origin === `http://${host}` ? undefined : origin;
  }
  const site = request.headers['sec-fetch-site'];
  return site === 'cross-site' || site === 'same-site' ? 'another site' : undefined;
}
