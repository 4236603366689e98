/**
 * The one access decision, used by the middleware for every request and by GET /auth/check for
 * nginx's auth_request: route class (route-class.ts) + credentials (authenticate.ts) + signed
 * links (signed-links.ts) + the CSRF rule for the session cookie.
 */
import type { Config } from '../config/table.js';
import { ApiError, PROBLEM } from '../server/problem.js';
import type { JobStore } from '../stores/job-store.js';
import { authenticate } from './authenticate.js';
import { ANONYMOUS, hasScope, type Principal } from './principal.js';
import { isSafeMethod, routeClass } from './route-class.js';
import { isSignablePath, type LinkSigner } from './signed-links.js';

export interface JudgedRequest {
  method: string;
  /** Decoded path, as the router matches it (route classes). */
  path: string;
  /** Raw (percent-encoded) path, as signed into links. */
  rawPath: string;
  query: URLSearchParams;
  authorization?: string;
  cookie?: string;
  /** The X-Subsetd-Request header (CSRF guard of cookie sessions). */
  csrf?: string;
  /** GET / answered by the console's HTML page. */
  consolePage: boolean;
}

export const LINK_PRINCIPAL: Principal = Object.freeze({ name: null, scope: 'read', via: 'link' }) as Principal;

/** RFC 6750: error="invalid_token" when a token was presented and refused, none when there was none. */
export const unauthorized = (detail: string, presented = false) =>
  new ApiError(401, PROBLEM.unauthorized, 'Unauthorized', detail, {}, { 'WWW-Authenticate': `Bearer realm="subsetd"${presented ? ', error="invalid_token"' : ''}` });
export const forbidden = (detail: string) => new ApiError(403, PROBLEM.forbidden, 'Forbidden', detail);

export async function judge(config: Config, store: JobStore, signer: LinkSigner, r: JudgedRequest): Promise<Principal> {
  const cls = routeClass(r.method, r.path, r.consolePage);
  const q = r.query;
  if (isSafeMethod(r.method) && (q.has('sig') || q.has('exp')) && isSignablePath(r.rawPath)) {
    const v = signer.verify(r.rawPath, q.get('exp') ?? undefined, q.get('sig') ?? undefined);
    if (v === 'expired') throw forbidden('the signed link expired; fetch the results document again for a fresh one');
    if (v !== 'ok') throw forbidden('the link signature does not match its path');
    return LINK_PRINCIPAL;
  }
  const auth = await authenticate(store, { authorization: r.authorization, cookie: r.cookie });
  if ('refused' in auth) {
    // The console's page, /auth/* and the probes answer regardless (as anonymous), so a person
    // whose cookie went stale can still load the page and sign in again.
    if (cls === 'open') return ANONYMOUS;
    throw unauthorized(auth.refused, true);
  }
  const p = auth.principal;
  const signingIn = r.method.toUpperCase() === 'POST' && /^\/auth\/session\/?$/.test(r.path);
  if (p.via === 'cookie' && !isSafeMethod(r.method) && !signingIn && r.csrf !== '1')
    throw forbidden('a request authenticated by the session cookie that changes state must send the header X-Subsetd-Request: 1');
  if (cls === 'open') return p;
  if (p.via === 'none') {
    if (cls === 'public' && config.anonymous === 'read') return p;
    throw unauthorized('a token is required: send Authorization: Bearer <token>');
  }
  if (cls === 'public' || hasScope(p, cls)) return p;
  throw forbidden(`this needs a token with scope ${cls}; token "${p.name}" has scope ${p.scope}`);
}
