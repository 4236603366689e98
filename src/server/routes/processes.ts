import { Hono } from 'hono';
import { blamedInput, type ProcessDescription } from '../../processes/types.js';
import { ownerOf } from '../../auth/access.js';
import { submitLimits } from '../../quota/limits.js';
import { uploadLimit } from '../../quota/upload-limit.js';
import type { AppEnv } from '../context.js';
import { baseUrl, JSON_TYPE, REL } from '../links.js';
import { ApiError, badInput, PROBLEM } from '../problem.js';
import { failedJobError, statusInfo } from '../status-info.js';
import { readJsonBody } from '../read-json.js';
import { intParam } from '../query-params.js';

const MAX_PROCESSES = 10_000;
import { parseResultShape, shapeIdentity } from '../execute-request.js';
import { renderResults } from '../results-response.js';
import { parseSubscriber } from '../../callbacks/subscriber.js';
import { inputValueEnv, resolveInputValues } from '../input-values.js';

function summary(d: ProcessDescription, base: string) {
  const { inputs: _i, outputs: _o, ...rest } = d;
  return {
    ...rest,
    // The server transmits outputs, not the process: every output goes by value or by reference
    // (src/server/results-response.ts), whatever a description says.
    outputTransmission: ['value', 'reference'],
    links: [
      { href: `${base}/processes/${d.id}`, rel: 'self', type: JSON_TYPE, title: 'Process description' },
      { href: `${base}/processes/${d.id}/execution`, rel: REL.execute, type: JSON_TYPE, title: 'Execute' },
    ],
  };
}

function findProcess(c: { var: AppEnv['Variables'] }, id: string) {
  const p = c.var.deps.registry.get(id);
  if (!p) throw new ApiError(404, PROBLEM.noSuchProcess, 'No such process', `process "${id}" does not exist`);
  return p;
}

export const processes = new Hono<AppEnv>()
  .get('/processes', (c) => {
    const base = baseUrl(c, c.var.deps.config);
    // /req/core/pl-limit-definition: `limit` (1..10000); the default lists every process there is.
    const limit = intParam(c.req.query('limit'), 'limit', MAX_PROCESSES, 1, MAX_PROCESSES);
    const offset = intParam(c.req.query('offset'), 'offset', 0, 0, MAX_PROCESSES);
    const all = c.var.deps.registry.list();
    const page = (o: number) => `${base}/processes?${new URLSearchParams({ ...(c.req.query('limit') ? { limit: String(limit) } : {}), ...(o ? { offset: String(o) } : {}) })}`.replace(/\?$/, '');
    const links = [
      { href: page(offset), rel: 'self', type: JSON_TYPE, title: 'Processes' },
      { href: `${base}/processes?f=html`, rel: 'alternate', type: 'text/html', title: 'Run a process in the console' },
    ];
    if (offset + limit < all.length) links.push({ href: page(offset + limit), rel: 'next', type: JSON_TYPE, title: 'Next page' });
    if (offset > 0) links.push({ href: page(Math.max(0, offset - limit)), rel: 'prev', type: JSON_TYPE, title: 'Previous page' });
    return c.json({ processes: all.slice(offset, offset + limit).map((p) => summary(p.description, base)), links });
  })
  .get('/processes/:id', (c) => {
    const p = findProcess(c, c.req.param('id'));
    const base = baseUrl(c, c.var.deps.config);
    const d = p.description;
    return c.json({ ...summary(d, base), inputs: d.inputs, outputs: d.outputs });
  })
  .post('/processes/:id/execution', uploadLimit, async (c) => {
    const { deps } = c.var;
    const p = findProcess(c, c.req.param('id'));
    const body = await readJsonBody(c);
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw badInput('body', 'must be a JSON object with "inputs"');
    const req = body as { inputs?: unknown; mode?: string } & Record<string, unknown>;
    if (req.inputs === undefined) throw badInput('inputs', 'is required');
    if (typeof req.inputs !== 'object' || req.inputs === null || Array.isArray(req.inputs)) throw badInput('inputs', 'must be an object');
    const shape = parseResultShape(req, p.description);
    const subscriber = await parseSubscriber(req.subscriber, deps.config);
    const base = baseUrl(c, deps.config);
    // How results are shown and whom to call are part of the job: a request that differs in them
    // is another job (its GET /results answers as it asked, its subscriber is called).
    const extra = shapeIdentity(shape);
    // Qualified values and references (1.0 qualifiedInputValue, link) become their content here:
    // that is what is validated, stored and hashed (src/server/input-values.ts).
    const inputs = await resolveInputValues(p.description, req.inputs as Record<string, unknown>, inputValueEnv(c));
    let submitted;
    try {
      submitted = await deps.jobs.submit(p.description.id, inputs, {
        owner: ownerOf(c.var.principal),
        limits: submitLimits(c.var.principal, deps.config),
        meta: { results: shape, ...(subscriber ? { subscriber, base } : {}) },
        dedupExtra: extra === null && !subscriber ? undefined : { results: extra, subscriber },
      });
    } catch (e) {
      const input = blamedInput(e);
      if (input !== undefined) throw badInput(input.startsWith('inputs') ? input : `inputs.${input}`, (e as Error).message);
      throw e;
    }
    const { job } = submitted;
    c.set('jobId', job.id);
    const location = `${base}/jobs/${job.id}`;
    const control = p.description.jobControlOptions;
    const wantsAsync = /\brespond-async\b/i.test(c.req.header('prefer') ?? '') || req.mode === 'async';
    if (wantsAsync || !control.includes('sync-execute')) {
      if (wantsAsync) c.header('Preference-Applied', 'respond-async');
      c.header('Location', location);
      return c.json(statusInfo(job, base), 201);
    }
    const done = await deps.jobs.waitFor(job.id, deps.config.syncTimeout);
    // The job stays (listed, its results fetchable): say where it is.
    const monitor = { Link: `<${location}>; rel="monitor"; type="${JSON_TYPE}"` };
    if (done?.status === 'successful') return renderResults(c, done, { shape, sync: true, base, headers: monitor });
    if (done?.status === 'failed' || done?.status === 'dismissed') throw failedJobError(done, 'sync-execution');
    // Still running after SUBSETD_SYNC_TIMEOUT: answer as an async execution would.
    c.header('Location', location);
    return c.json(statusInfo(done ?? job, base), 201);
  });
