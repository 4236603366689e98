/** One job: its status (GET), dismissal (DELETE), results document and result files. */
import { Hono, type Context } from 'hono';
import { fileOutputs } from '../../jobs/outputs.js';
import { canSee } from '../../auth/access.js';
import type { AppEnv } from '../context.js';
import { baseUrl, safeDecode } from '../links.js';
import { ApiError, noSuchJob, PROBLEM } from '../problem.js';
import { jsonResponse } from '../security-headers.js';
import { sendFile } from '../send-file.js';
import { failedJobError, jobDocument, statusInfo } from '../status-info.js';
import type { ResultShape } from '../execute-request.js';
import { renderResults } from '../results-response.js';

// c.get(), not c.var: Hono builds a new object of every variable on each c.var access.
async function loadJob(c: { get: Context<AppEnv>['get']; req: { param(k: 'id'): string } }) {
  const id = c.req.param('id');
  const job = await c.get('deps').store.get(id);
  // Another owner's job is answered exactly as a missing one: its existence is not revealed.
  if (!job || !canSee(c.get('principal'), job)) throw noSuchJob(id);
  return job;
}

/** A job whose results exist, or the exception its state answers with (409/410/404). */
async function successfulJob(c: Parameters<typeof loadJob>[0] & { set: Context<AppEnv>['set'] }) {
  const job = await loadJob(c);
  c.set('jobId', job.id);
  if (job.status === 'failed') throw failedJobError(job, 'results');
  if (job.status === 'dismissed') throw new ApiError(410, PROBLEM.noSuchJob, 'Job dismissed', `job "${job.id}" was dismissed; its results were removed`);
  if (job.status !== 'successful') throw new ApiError(404, PROBLEM.resultNotReady, 'Result not ready', `job "${job.id}" is ${job.status}`);
  return job;
}

export const jobs = new Hono<AppEnv>()
  .get('/jobs/:id', async (c) => {
    const job = await loadJob(c);
    c.set('jobId', job.id);
    return jsonResponse(jobDocument(job, baseUrl(c, c.get('deps').config)));
  })
  .delete('/jobs/:id', async (c) => {
    const id = (await loadJob(c)).id;
    c.set('jobId', id);
    const job = await c.get('deps').jobs.dismiss(id);
    if (!job) throw noSuchJob(id);
    return c.json(statusInfo(job, baseUrl(c, c.get('deps').config)));
  })
  .get('/jobs/:id/results', async (c) => {
    const job = await successfulJob(c);
    // As the execute request asked (/req/core/job-results-async-*): its outputs, response form.
    const shape = (job.meta.results ?? {}) as ResultShape;
    return renderResults(c, job, { shape, sync: false, base: baseUrl(c, c.get('deps').config) });
  })
  .get('/jobs/:id/results/:output', async (c) => {
    // One output by value: where a document's or a raw response's reference to a JSON value points.
    const job = await successfulJob(c);
    const id = c.req.param('output');
    if (!job.outputs || !(id in job.outputs)) throw new ApiError(404, PROBLEM.noSuchOutput, 'No such output', `job "${job.id}" has no output "${id}"`, { field: 'output' });
    return renderResults(c, job, { shape: { response: 'raw', outputs: { [id]: 'value' } }, sync: false, base: baseUrl(c, c.get('deps').config) });
  })
  .on(['GET', 'HEAD'], '/jobs/:id/files/*', async (c) => {
    const job = await loadJob(c);
    c.set('jobId', job.id);
    if (job.status !== 'successful') throw new ApiError(404, PROBLEM.resultNotReady, 'Result not ready', `job "${job.id}" is ${job.status}`);
    const prefix = `/jobs/${job.id}/files/`;
    const path = new URL(c.req.url).pathname;
    const rel = safeDecode(path.slice(path.indexOf(prefix) + prefix.length));
    const declared = fileOutputs(job.outputs ?? {}).find((f) => f.file === rel);
    const file = declared && (await c.get('deps').files.resultFile(job.id, rel));
    if (!declared || !file) throw new ApiError(404, PROBLEM.notFound, 'No such file', `job "${job.id}" has no result file "${rel}"`);
    return sendFile(c, { ...file, rel: `${job.id}/${rel}`, type: declared.type, downloadName: rel.split('/').pop()! }, c.get('deps').config.accelRedirect);
  });
