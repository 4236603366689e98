/**
 * The route template of a request, for the HTTP duration histogram: the first matched route
 * that is a handler (not the app-wide middleware on "*"), so /jobs/abc and /jobs/def are one
 * series (/jobs/:id), and a 401 from access control is still counted under its route.
 */
import type { Context } from 'hono';
import { matchedRoutes } from 'hono/route';

export function routeTemplate(c: Context): string {
  for (const r of matchedRoutes(c)) if (r.method !== 'ALL' && r.path !== '*') return r.path;
  return 'unmatched';
}
