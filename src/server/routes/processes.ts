import { Hono } from 'hono';
import { blamedInput, type ProcessDescription } from '../../processes/types.js';
import { ownerOf } from '../../auth/access.js';
import { submitLimits } from '../../quota/limits.js';
import { uploadLimit } from '../../quota/upload-limit.js';
import type { AppEnv } from '../context.js';
import { baseUrl, JSON_TYPE, REL } from '../links.js';
import { ApiError, badInput, PROBLEM } from '../problem.js';
import { failedJobError, resultsDocument, statusInfo } from '../status-info.js';
import { readJsonBody } from '../read-json.js';

function summary(d: ProcessDescription, base: string) {
  const { inputs: _i, outputs: _o, ...rest } = d;
  return {
    ...rest,
    outputTransmission: d.outputTransmission ?? ['value'],
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
    return c.json({
      processes: c.var.deps.registry.list().map((p) => summary(p.description, base)),
      links: [{ href: `${base}/processes`, rel: 'self', type: JSON_TYPE, title: 'Processes' }],
    });
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
    const req = body as { inputs?: unknown; mode?: string };
    if (req.inputs === undefined) throw badInput('inputs', 'is required');
    if (typeof req.inputs !== 'object' || req.inputs === null || Array.isArray(req.inputs)) throw badInput('inputs', 'must be an object');
    let submitted;
    try {
      submitted = await deps.jobs.submit(p.description.id, req.inputs, { owner: ownerOf(c.var.principal), limits: submitLimits(c.var.principal, deps.config) });
    } catch (e) {
      const input = blamedInput(e);
      if (input !== undefined) throw badInput(input.startsWith('inputs') ? input : `inputs.${input}`, (e as Error).message);
      throw e;
    }
    const { job } = submitted;
    c.set('jobId', job.id);
    const base = baseUrl(c, deps.config);
    const location = `${base}/jobs/${job.id}`;
    const control = p.description.jobControlOptions;
    const wantsAsync = /\brespond-async\b/i.test(c.req.header('prefer') ?? '') || req.mode === 'async';
    if (wantsAsync || !control.includes('sync-execute')) {
      if (wantsAsync) c.header('Preference-Applied', 'respond-async');
      c.header('Location', location);
      return c.json(statusInfo(job, base), 201);
    }
    const done = await deps.jobs.waitFor(job.id, deps.config.syncTimeout);
    if (done?.status === 'successful') return c.json(resultsDocument(done, base, c.var.links), 200);
    if (done?.status === 'failed' || done?.status === 'dismissed') throw failedJobError(done, 'sync-execution');
    // Still running after SUBSETD_SYNC_TIMEOUT: answer as an async execution would.
    c.header('Location', location);
    return c.json(statusInfo(done ?? job, base), 201);
  });
