/**
 * GET /jobs/{id} answered beside the framework. It is the API's busiest route (every client polls
 * it, once a second per job), and the Web-standard Request/Response objects @hono/node-server
 * builds for each request, Hono's middleware chain and the conversion back cost several times the
 * route's own work (bench/api: the route in Hono 0.15× a bare Node server, the same work here
 * ~0.3×). So the plain case is answered from Node's request directly, with the same checks, the
 * same bytes and headers, the same request log line and metric as the Hono route
 * (src/server/routes/jobs.ts); anything else — a query string, an escaped or odd id, HEAD, a
 * browser asking for HTML, a refused or missing token, a job this caller may not see, any error —
 * is handed to the app unchanged, which answers it in full. test/api/fast-job-status.test.ts
 * holds the two paths to the same answers.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { canSee } from '../auth/access.js';
import { judge } from '../auth/judge.js';
import { AUTH_OFF, type Principal } from '../auth/principal.js';
import type { LinkSigner } from '../auth/signed-links.js';
import { wantsHtml } from '../console/negotiate.js';
import type { AppDeps } from './context.js';
import { baseUrlOf } from './links.js';
import { JSON_HEADERS } from './security-headers.js';
import { jobDocument } from './status-info.js';

const PLAIN_JOB = /^\/jobs\/([A-Za-z0-9_.~-]{1,200})$/;
const NOT_IDS = new Set(['events', '.', '..']);

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
};

export function withFastJobStatus(deps: AppDeps, signer: () => Promise<LinkSigner>, app: RequestListener): RequestListener {
  const { config, store, log, metrics } = deps;
  const bodies = new WeakMap<object, { base: string; body: string }>();
  async function principalOf(req: IncomingMessage, path: string): Promise<Principal | null> {
    if (config.auth === 'off') return AUTH_OFF;
    try {
      return await judge(config, store, await signer(), {
        method: 'GET', path, rawPath: path, query: new URLSearchParams(), authorization: header(req, 'authorization'),
        cookie: header(req, 'cookie'), csrf: header(req, 'x-subsetd-request'), consolePage: false,
      });
    } catch {
      return null; // 401/403, or the store: the app answers (and logs) it
    }
  }

  return (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '';
    const m = req.method === 'GET' ? PLAIN_JOB.exec(url) : null;
    if (!m || NOT_IDS.has(m[1]) || !req.headers.host || wantsHtml(header(req, 'accept'), undefined)) return app(req, res);
    const t0 = performance.now();
    const id = m[1];
    void (async () => {
      const principal = await principalOf(req, url);
      const job = principal && (await store.get(id));
      if (!principal || !job || !canSee(principal, job)) return app(req, res);
      const base = baseUrlOf(config, '', (k) => header(req, k), 'http');
      // A store that hands out the same (frozen) record while the job is unchanged (the SQLite
      // store's record cache) gets the same bytes back without building them again.
      let cached = bodies.get(job);
      if (cached?.base !== base) {
        cached = { base, body: JSON.stringify(jobDocument(job, base)) };
        bodies.set(job, cached);
      }
      const { body } = cached;
      // With its length: without it Node sends the body chunked, three more buffers per answer.
      res.writeHead(200, { ...JSON_HEADERS, 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      const ms = performance.now() - t0;
      log.info({ method: 'GET', path: url, status: 200, ms: Math.round(ms * 10) / 10, job: id, token: principal.name ?? undefined }, 'request');
      metrics.httpDuration.observe({ method: 'GET', route: '/jobs/:id', status: 200 }, ms / 1000);
    })().catch((err) => {
      // Nothing sent yet (a store error before writeHead): the app answers it, as it would have.
      if (!res.headersSent) app(req, res);
      else log.error({ err, path: url }, 'GET /jobs/{id} fast path failed mid-answer');
    });
  };
}
