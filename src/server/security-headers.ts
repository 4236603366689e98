/**
 * Response headers that make browsers treat what we send as exactly what it says it is.
 * Applied to every response by one middleware; a route that sets its own value (e.g. a console
 * page with a different policy) keeps it, because headers are only added when absent.
 *
 * HTML (the console) gets the policy of the team contract: scripts, styles and everything else
 * only from our own origin, no inline script, never framed. Everything else (JSON, problem
 * documents, result files) gets a policy that forbids all active content, so a result file or an
 * error echoing user input can never run as a page in our origin.
 */
import type { MiddlewareHandler } from 'hono';

export const CONSOLE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
  "worker-src 'self' blob:; font-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

/** For responses that are not pages: nothing may load or run, nothing may frame it. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/** Headers every response carries. */
export const COMMON_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
};

/** Headers a console (HTML) page carries; CONSOLE-DATA may set them itself with this. */
export function htmlSecurityHeaders(csp = CONSOLE_CSP): Record<string, string> {
  return { ...COMMON_SECURITY_HEADERS, 'Content-Security-Policy': csp, 'X-Frame-Options': 'DENY' };
}

/** Adds the headers above to `headers` where they are not set yet. */
export function applySecurityHeaders(headers: Headers): void {
  const html = /^\s*text\/html\b/i.test(headers.get('content-type') ?? '');
  const wanted = html ? htmlSecurityHeaders() : { ...COMMON_SECURITY_HEADERS, 'Content-Security-Policy': API_CSP };
  for (const [k, v] of Object.entries(wanted)) if (!headers.has(k)) headers.set(k, v);
}

/** A JSON answer's headers: its type and the API's security headers. */
export const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'content-type': 'application/json', ...COMMON_SECURITY_HEADERS, 'Content-Security-Policy': API_CSP });

/** Responses built with their security headers already in place (jsonResponse). */
const complete = new WeakSet<Response>();

/**
 * A JSON response that carries the API's security headers from the start, as a plain object.
 * The middleware then leaves it alone, and @hono/node-server writes it without ever building a
 * Headers object — which cost GET /jobs/{id}, the busiest route, a fifth of its CPU time.
 */
export function jsonResponse(body: unknown, status = 200): Response {
  const res = new Response(JSON.stringify(body), {
    status,
    // A copy: @hono/node-server writes this object's Content-Length into it.
    headers: { ...JSON_HEADERS },
  });
  complete.add(res);
  return res;
}

export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (complete.has(c.res)) return;
    try {
      applySecurityHeaders(c.res.headers);
    } catch {
      // A response with immutable headers (a fetched Response passed through) is rebuilt once.
      c.res = new Response(c.res.body, c.res);
      applySecurityHeaders(c.res.headers);
    }
  };
}
