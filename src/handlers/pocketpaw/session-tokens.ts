import { createHmac } from 'node:crypto';
import { sameSecret } from '../../state/secrets.js';

/**
 * PocketPaw's stateless session tokens, as its `security/session_tokens.py` makes them:
 * `{expires_unix}:{hex HMAC-SHA256(key=master token, message=expires_unix)}`. Nothing is stored,
 * so a new master token invalidates every session at once ("every connected client will need to
 * re-authenticate").
 */
export function createSessionToken(masterToken: string, expiresAt: Date): string {
  const expires = String(Math.floor(expiresAt.getTime() / 1000));
  return `${expires}:${sign(masterToken, expires)}`;
}

/**
 * A session that lives `ttlSeconds` from `now`, to the whole second (the token carries Unix
 * seconds): what the session exchange and the control plane's `sessions` action both hand out.
 */
export function issueSessionToken(
  masterToken: string,
  now: Date,
  ttlSeconds: number,
): { token: string; expiresAt: Date } {
  const expiresAt = new Date((Math.floor(now.getTime() / 1000) + ttlSeconds) * 1000);
  return { token: createSessionToken(masterToken, expiresAt), expiresAt };
}

export function verifySessionToken(token: string, masterToken: string, now: Date): boolean {
  const colon = token.indexOf(':');
  if (colon < 0) return false;
  const expires = token.slice(0, colon);
  if (!/^\d+$/.test(expires) || now.getTime() / 1000 > Number(expires)) return false;
  return sameSecret(token.slice(colon + 1), sign(masterToken, expires));
}

function sign(key: string, message: string): string {
  return createHmac('sha256', key).update(message).digest('hex');
}
