import { sameSecret } from '../../state/secrets.js';
import type { HandlerContext, HandlerResult } from '../types.js';
import { findApiKey } from './identify.js';
import { issueSessionToken } from './session-tokens.js';
import type { PocketPawState } from './state.js';

/** The cookie the login sets and the auth middleware reads (the spec's `APIKeyCookie` scheme). */
export const SESSION_COOKIE = 'pocketpaw_session';

/**
 * `Set-Cookie` exactly as Starlette's `set_cookie(key, value, httponly=True, samesite="lax",
 * path="/", max_age=...)` writes it: Python's `SimpleCookie` puts the attributes in the order of
 * their sorted keys (httponly, max-age, path, samesite), and keeps `lax` as given. No `Secure`:
 * the real server is plain HTTP on localhost by default. A session token (`{digits}:{hex}`) needs
 * no quoting in a cookie value.
 */
export function sessionCookie(sessionToken: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${sessionToken}; HttpOnly; Max-Age=${maxAgeSeconds}; Path=/; SameSite=lax`;
}

/** The submitted token, as `body.get("token", "").strip()` reads it (the spec made it a string). */
function submittedToken(body: unknown): string {
  const token =
    typeof body === 'object' && body !== null ? (body as { token?: unknown }).token : undefined;
  return typeof token === 'string' ? token.trim() : '';
}

/**
 * `POST /api/auth/login {token}` (dashboard_auth.py `cookie_login`): the master token or an API
 * key logs in (OAuth2 `ppat_` tokens too on the real server; standin has none); a session token
 * does not. The cookie holds a new session signed with the current master token, whatever token
 * logged in, so a regeneration of the master token kills it like any session, API key or not.
 * A wrong token is `401 {"detail": "Invalid access token"}` and sets no cookie. A body that is not
 * JSON is the engine's 400, in the `{"detail"}` shape the spec documents.
 */
export async function cookieLogin({
  request,
  now,
  state,
}: HandlerContext<PocketPawState>): Promise<HandlerResult> {
  const current = await state.read();
  const submitted = submittedToken(request.body);
  const valid =
    sameSecret(submitted, current.masterToken) || findApiKey(current, submitted) !== undefined;
  if (!valid) return { status: 401, body: { detail: 'Invalid access token' } };
  const maxAgeSeconds = current.sessionTtlHours * 3600;
  const { token } = issueSessionToken(current.masterToken, now, maxAgeSeconds);
  return {
    status: 200,
    body: { ok: true },
    headers: { 'set-cookie': sessionCookie(token, maxAgeSeconds) },
  };
}
