/**
 * What a request needs, decided by method and path alone (so routes added later by other
 * features are covered by their path, never open by default):
 *   open   — always answered: the console's own page and assets, /auth/*, /health and /ready
 *            (liveness probes; /health hides worker details from non-admins itself);
 *   public — landing, conformance, openapi, processes, boundaries, datasets, the package list,
 *            the ISIMIP status: any token, or anonymous with SUBSETD_ANONYMOUS=read;
 *   read / submit / admin — that scope at least (/admin/* and /metrics: admin).
 * Anything not listed: read for GET/HEAD, submit for other methods.
 */
import type { TokenScope } from '../stores/tokens.js';

export type RouteClass = 'open' | 'public' | TokenScope;

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
export const isSafeMethod = (method: string): boolean => SAFE.has(method.toUpperCase());

const PUBLIC_READ = [
  /^\/$/,
  /^\/conformance\/?$/,
  /^\/openapi\.json$/,
  /^\/processes\/?$/,
  /^\/processes\/[^/]+\/?$/,
  /^\/boundaries(\/.*)?$/,
  /^\/datasets(\/.*)?$/,
  /^\/packages\/?$/,
  /^\/isimip\/v2\/?$/,
];

const OPEN = [/^\/auth\/(whoami|session|check)\/?$/, /^\/health\/?$/, /^\/ready\/?$/, /^\/ui(\/.*)?$/];

/**
 * `path` is the decoded path the router matches (Hono's c.req.path). `consolePage`: a GET /
 * that the console answers with its HTML page (the page must load so a person can sign in).
 */
export function routeClass(method: string, path: string, consolePage = false): RouteClass {
  const m = method.toUpperCase();
  const squeezed = path.replace(/\/{2,}/g, '/');
  const p = squeezed.length > 1 ? squeezed.replace(/\/+$/, '') || '/' : squeezed;
  if (/^\/admin(\/|$)/.test(p) || p === '/metrics') return 'admin';
  if (OPEN.some((r) => r.test(p))) return isSafeMethod(m) || p.startsWith('/auth/') ? 'open' : 'submit';
  if (isSafeMethod(m)) {
    if (p === '/' && consolePage) return 'open';
    if (PUBLIC_READ.some((r) => r.test(p))) return 'public';
    return 'read';
  }
  // Read-only work that needs a body: the mask preview computes, it stores nothing.
  if (m === 'POST' && p === '/preview/mask') return 'read';
  return 'submit';
}
