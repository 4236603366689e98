/**
 * The Hono application: middleware, routes, and the single error handler. Safe messages go to
 * the client, real causes to the log.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { accessControl, signerOf } from '../auth/middleware.js';
import { authRoutes } from '../auth/routes.js';
import type { AppDeps, AppEnv } from './context.js';
import { baseUrl } from './links.js';
import { openApiDocument } from './openapi.js';
import { ApiError, PROBLEM } from './problem.js';
import { QuotaExceededError } from '../stores/job-store.js';
import { quotaProblem } from '../quota/problem.js';
import { queryParamRules } from './query-params.js';
import { securityHeaders } from './security-headers.js';
import { health } from './routes/health.js';
import { jobs } from './routes/jobs.js';
import { jobList } from './routes/job-list.js';
import { admin } from './routes/admin.js';
import { jobEvents } from './routes/job-events.js';
import { jobLog } from './routes/job-log.js';
import { landing } from './routes/landing.js';
import { processes } from './routes/processes.js';
import { htmlPages } from '../console/html-pages.js';
import { metrics } from './routes/metrics.js';
import { routeTemplate } from '../metrics/http.js';

export type Mount = (app: Hono<AppEnv>) => void;

export function createApp(deps: AppDeps, mounts: Mount[] = [], signer = signerOf(deps)): Hono<AppEnv> {
  const app = new Hono<AppEnv>({ strict: false });
  const problemJson = (e: ApiError, instance: string) =>
    new Response(JSON.stringify(e.body(instance)), {
      status: e.status,
      headers: { 'Content-Type': 'application/problem+json', ...e.headers },
    });

  app.use(async (c, next) => {
    c.set('deps', deps);
    const t0 = performance.now();
    await next();
    const ms = performance.now() - t0;
    deps.log.info(
      { method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(ms * 10) / 10, job: c.get('jobId'), token: c.get('principal')?.name ?? undefined },
      'request',
    );
    deps.metrics.httpDuration.observe({ method: c.req.method, route: routeTemplate(c), status: c.res.status }, ms / 1000);
  });
  app.use(securityHeaders());
  app.use(queryParamRules());
  // Before access control: a browser without a session is sent to the console, which signs in.
  app.use(htmlPages());
  // Before any body is read: a caller without the right token uploads nothing.
  app.use(accessControl(deps, signer));
  // Only where bodies are accepted: on other methods the check would materialise the full
  // Request object on every call, which costs more than the whole GET /jobs/{id} handler.
  app.on(
    ['POST', 'PUT', 'PATCH'],
    '*',
    bodyLimit({
      maxSize: deps.config.bodyLimit,
      onError: () => {
        throw new ApiError(413, PROBLEM.tooLarge, 'Payload too large', `request body exceeds ${deps.config.bodyLimit} bytes (SUBSETD_BODY_LIMIT)`, { field: 'body' });
      },
    }),
  );

  app.route('/', authRoutes(signer));
  app.route('/', landing);
  app.route('/', processes);
  // Before /jobs/:id, which would otherwise take "events" for a job id.
  app.route('/', jobEvents);
  app.route('/', jobLog);
  app.route('/', jobList);
  app.route('/', jobs);
  app.route('/', admin);
  app.route('/', health);
  app.route('/', metrics);
  app.get('/openapi.json', (c) => {
    c.header('Content-Type', 'application/vnd.oai.openapi+json;version=3.0');
    return c.body(JSON.stringify(openApiDocument(deps.registry, deps.version, baseUrl(c, deps.config))));
  });
  for (const mount of mounts) mount(app);

  app.notFound((c) => problemJson(new ApiError(404, PROBLEM.notFound, 'Not found', `no route for ${c.req.method} ${c.req.path}`), c.req.path));
  app.onError((err, c) => {
    if (err instanceof ApiError) return problemJson(err, c.req.path);
    if (err instanceof QuotaExceededError) return problemJson(quotaProblem(err), c.req.path);
    if (err.name === 'StoreUnavailableError')
      return problemJson(new ApiError(503, PROBLEM.unavailable, 'Service unavailable', 'the job store is unreachable; try again shortly', {}, { 'Retry-After': '5' }), c.req.path);
    if (err instanceof HTTPException && err.status < 500) return problemJson(new ApiError(err.status, PROBLEM.invalidInput, err.message || 'Bad request'), c.req.path);
    // The client went away mid-body (or Node cut a slow one off at SUBSETD_REQUEST_TIMEOUT):
    // nobody will read this answer, and it is not our error.
    if ((err as NodeJS.ErrnoException).code === 'ECONNRESET' && err.message === 'aborted')
      return problemJson(new ApiError(400, PROBLEM.invalidInput, 'Request aborted', 'the client closed the connection before the request body was complete', { field: 'body' }), c.req.path);
    deps.log.error({ err, method: c.req.method, path: c.req.path }, 'unhandled error');
    return problemJson(new ApiError(500, PROBLEM.internal, 'Internal server error', 'the error was logged'), c.req.path);
  });
  return app;
}
