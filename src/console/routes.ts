/**
 * The console, served from the built UI (dist/public: index.html + assets/, written by the build
 * and carried inside the single executable's runtime like the rest of dist/):
 *   GET /        with a browser's Accept → index.html (JSON clients keep the landing page)
 *   GET /ui/, GET /ui/*  (deep links such as /ui/jobs/{id}) → index.html
 *   GET /ui/assets/*     the built files
 * Pages carry the console's security headers (src/server/security-headers.ts). Without a built
 * UI, HTML requests get a 503 problem; JSON is never affected.
 */
import type { Context, Hono } from 'hono';
import { join } from 'node:path';
import type { AppEnv } from '../server/context.js';
import { baseUrl } from '../server/links.js';
import { ApiError, PROBLEM } from '../server/problem.js';
import { htmlSecurityHeaders } from '../server/security-headers.js';
import { assetSegments, readAsset } from './assets.js';
import { fillIndex, prefixOf, readIndex } from './index-html.js';
import { wantsHtml } from './negotiate.js';

/** OGC API - Processes Part 1 requirement class html (declared in /conformance). */
export const HTML_CONFORMANCE = 'http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/html';

/** Whether GET / should answer the console (checked by the landing route before it answers JSON). */
export const wantsConsole = (c: Context) => wantsHtml(c.req.header('accept'), c.req.query('f'));

export function consoleRoutes(publicDir: string) {
  const page = (c: Context<AppEnv>) => {
    const html = readIndex(join(publicDir, 'index.html'));
    if (html === null)
      throw new ApiError(503, PROBLEM.unavailable, 'Console not built', 'the web console is not part of this build (dist/public is missing): run `npm run build:js`; the API works without it');
    const body = fillIndex(html, prefixOf(baseUrl(c, c.var.deps.config)));
    return c.body(body, 200, { ...htmlSecurityHeaders(), 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache' });
  };
  return (app: Hono<AppEnv>) => {
    app.get('/', page);
    app.get('/ui/assets/*', (c) => {
      const raw = new URL(c.req.url).pathname;
      const rest = raw.slice(raw.indexOf('/ui/assets/') + '/ui/assets/'.length);
      const segs = assetSegments(rest);
      const asset = segs && readAsset(join(publicDir, 'assets'), segs, c.req.header('accept-encoding') ?? '');
      if (!asset) throw new ApiError(404, PROBLEM.notFound, 'Not found', `no console asset "${rest}"`);
      if (c.req.header('if-none-match') === asset.headers.ETag) return c.body(null, 304, { ETag: asset.headers.ETag, 'Cache-Control': asset.headers['Cache-Control'] });
      return c.body(new Uint8Array(asset.body), 200, { ...asset.headers, 'X-Content-Type-Options': 'nosniff' });
    });
    app.get('/ui', page);
    app.get('/ui/*', page);
  };
}

/** Bundled, __dirname is dist/ (also inside the single executable's unpacked runtime). */
export const DEFAULT_PUBLIC_DIR = join(__dirname, 'public');
