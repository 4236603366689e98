/**
 * Turns the credentials of a request (Authorization: Bearer, or the console's session cookie)
 * into a Principal. The token record is read from the store on every request — never cached —
 * so a revocation holds on every node at once; the store lookup is one indexed read.
 */
import type { JobStore } from '../stores/job-store.js';
import { ANONYMOUS, type Principal } from './principal.js';
import { parseToken, secretMatches } from './tokens.js';

export const SESSION_COOKIE = 'subsetd_session';

/** Last-use times are written at most this often per token, not on every request. */
const TOUCH_EVERY_MS = 60_000;

export type AuthResult = { principal: Principal } | { refused: string };

/** The Bearer token of an Authorization header; '' when the header is there but not Bearer. */
export function bearerOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return m ? m[1] : '';
}

export function cookieOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

export async function checkToken(store: JobStore, token: string, via: 'bearer' | 'cookie', now = Date.now()): Promise<AuthResult> {
  const parts = parseToken(token);
  if (!parts) return { refused: 'the token is not a subsetd token' };
  const rec = await store.findToken(parts.prefix);
  if (!rec || !secretMatches(rec, parts.secret)) return { refused: 'unknown token' };
  if (rec.revoked !== null) return { refused: `token "${rec.name}" was revoked` };
  if (rec.expires !== null && rec.expires <= now) return { refused: `token "${rec.name}" expired` };
  if (rec.lastUsed === null || now - rec.lastUsed >= TOUCH_EVERY_MS) void store.touchToken(rec.name, now).catch(() => {});
  return { principal: { name: rec.name, scope: rec.scope, via, token: rec } };
}

/** Bearer first (a script's explicit choice), then the cookie; neither: anonymous. */
export async function authenticate(store: JobStore, headers: { authorization?: string; cookie?: string }): Promise<AuthResult> {
  const bearer = bearerOf(headers.authorization);
  if (bearer === '') return { refused: 'the Authorization header must be "Bearer <token>"' };
  if (bearer !== undefined) return checkToken(store, bearer, 'bearer');
  const cookie = cookieOf(headers.cookie);
  if (cookie !== undefined) return checkToken(store, cookie, 'cookie');
  return { principal: ANONYMOUS };
}
