/**
 * OGC API - Processes' html requirement class: every GET that answers JSON answers HTML too when
 * a browser asks for it (Accept, or `?f=html`). Jobs and processes have console pages, so a
 * browser is sent there (303: the console is the HTML representation, and its URL is the one
 * to bookmark); any other document (conformance, the OpenAPI definition, boundaries, ...) is shown as a plain
 * page of its JSON with its links made clickable. JSON clients never pass through here.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../server/context.js';
import { baseUrl } from '../server/links.js';
import { htmlSecurityHeaders } from '../server/security-headers.js';
import { wantsHtml } from './negotiate.js';
import { reqHeader } from '../server/req-header.js';

/** The console page for an API path, relative to the console's base (/ui/), or null. */
export function consolePageFor(path: string): string | null {
  const seg = decodeSegments(path);
  // A broken escape (`%zz`) names no page: the route answers it (404/400), as for JSON clients.
  if (!seg) return null;
  if (seg[0] === 'jobs' && seg.length === 1) return 'jobs';
  if (seg[0] === 'jobs' && seg.length >= 2 && seg[1] !== 'events' && (seg.length === 2 || seg[2] === 'results')) return `jobs/${encodeURIComponent(seg[1])}`;
  if (seg[0] === 'processes' && seg.length === 1) return 'new';
  if (seg[0] === 'processes' && seg.length === 2) return `new?process=${encodeURIComponent(seg[1])}`;
  return null;
}

function decodeSegments(path: string): string[] | null {
  try {
    return path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return null;
  }
}

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** The JSON pretty-printed, every http(s) URL in it a link (escaped: nothing in it can run). */
export function jsonPage(title: string, doc: unknown, consoleHref: string): string {
  const json = esc(JSON.stringify(doc, null, 2)).replace(/&#34;(https?:\/\/[^&\s]+)&#34;/g, (_m, url: string) => `&#34;<a href="${url}">${url}</a>&#34;`);
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)} · subsetd</title></head>
<body>
<header><a href="${esc(consoleHref)}">subsetd console</a> · <a href="?f=json">JSON</a></header>
<main><h1>${esc(title)}</h1><pre>${json}</pre></main>
</body>
</html>
`;
}

const titleOf = (path: string) => {
  const s = decodeSegments(path) ?? path.split('/').filter(Boolean);
  return s.length ? s.join(' / ') : 'subsetd';
};

export function htmlPages(): MiddlewareHandler<AppEnv> {
  return async (c: Context<AppEnv>, next) => {
    // GET / (the console itself) and the console's own paths are answered by their routes.
    const path = c.req.path;
    // The ISIMIP v2 endpoint answers JSON to browsers too, as isimip-files-api does.
    if (c.req.method !== 'GET' || path === '/' || path === '/ui' || path.startsWith('/ui/') || /^\/isimip\/v2(\/|$)/.test(path) || !wantsHtml(reqHeader(c, 'accept'), c.req.query('f'))) return next();
    const base = baseUrl(c, c.var.deps.config);
    const page = consolePageFor(path);
    if (page !== null) return c.redirect(`${base}/ui/${page}`, 303);
    await next();
    // Only API documents: a downloaded file (attachment) stays what it is, even a JSON one.
    if (c.res.status !== 200 || c.res.headers.has('content-disposition') || !/^application\/([\w.-]+\+)?json\b/i.test(c.res.headers.get('content-type') ?? '')) return;
    const doc = await c.res.json();
    // Unset first: Hono would otherwise copy the JSON response's headers (length, cache) over.
    c.res = undefined;
    c.res = new Response(jsonPage(titleOf(path), doc, `${base}/ui/`), {
      status: 200,
      headers: { ...htmlSecurityHeaders(), 'Content-Type': 'text/html; charset=utf-8', Vary: 'Accept' },
    });
  };
}
