import { Hono, type Context } from 'hono';
import { fileOutputs } from '../../jobs/outputs.js';
import { isJobStatus, type JobStatus } from '../../jobs/status.js';
import type { ListCursor, ListQuery } from '../../stores/job-store.js';
import { canSee, listOwner } from '../../auth/access.js';
import type { AppEnv } from '../context.js';
import { baseUrl, JSON_TYPE } from '../links.js';
import { ApiError, badParameter, noSuchJob, PROBLEM } from '../problem.js';
import { jsonResponse } from '../security-headers.js';
import { sendFile } from '../send-file.js';
import { parseDatetime } from '../datetime-param.js';
import { failedJobError, resultsDocument, statusInfo } from '../status-info.js';

const MAX_LIMIT = 1000;
const MAX_Q = 200;

/** A list position as links carry it: "<created>.<key>" (ListCursor). */
function cursorParam(v: string | undefined, name: string): ListCursor | undefined {
  if (v === undefined || v === '') return undefined;
  const m = /^(\d{1,15})\.(\d{1,15})$/.exec(v);
  if (!m) throw badParameter(name, `"${v}" is not a position from a link of this list`);
  return { created: Number(m[1]), key: Number(m[2]) };
}

const cursorText = (c: ListCursor) => `${c.created}.${c.key}`;

function intParam(v: string | undefined, name: string, def: number, min: number, max: number): number {
  if (v === undefined || v === '') return def;
  if (!/^\d+$/.test(v)) throw badParameter(name, `"${v}" is not a whole number`);
  const n = Number(v);
  if (n < min || n > max) throw badParameter(name, `must be between ${min} and ${max}`);
  return n;
}

/** A broken escape (`%zz`) names no file: '' is then looked up and not found (404), never a 500. */
function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return '';
  }
}

/** OGC lets list parameters repeat or be comma-separated. */
export function listParam(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

// c.get(), not c.var: Hono builds a new object of every variable on each c.var access.
async function loadJob(c: { get: Context<AppEnv>['get']; req: { param(k: 'id'): string } }) {
  const id = c.req.param('id');
  const job = await c.get('deps').store.get(id);
  // Another owner's job is answered exactly as a missing one: its existence is not revealed.
  if (!job || !canSee(c.get('principal'), job)) throw noSuchJob(id);
  return job;
}

export const jobs = new Hono<AppEnv>()
  .get('/jobs', async (c) => {
    const { deps } = c.var;
    const limit = intParam(c.req.query('limit'), 'limit', 10, 1, MAX_LIMIT);
    const offset = intParam(c.req.query('offset'), 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
    const status = listParam(c.req.queries('status'));
    for (const s of status) if (!isJobStatus(s)) throw badParameter('status', `"${s}" is not one of accepted, running, successful, failed, dismissed`);
    const processId = listParam(c.req.queries('processID'));
    // Own jobs only, unless admin (who may pick one owner with ?owner=; others' ?owner= is ignored).
    const owner = listOwner(c.get('principal'), c.req.query('owner'));
    // Console filters: created time (OGC `datetime`) and free text over the inputs (`q`).
    const datetime = c.req.query('datetime');
    const created = parseDatetime(datetime);
    const text = c.req.query('q') ?? '';
    if (text.length > MAX_Q) throw badParameter('q', `is longer than ${MAX_Q} characters`);
    const after = cursorParam(c.req.query('after'), 'after');
    const before = cursorParam(c.req.query('before'), 'before');
    if (after && before) throw badParameter('before', 'cannot be given with "after"');
    const query: ListQuery = { limit, offset, owner, status: status as JobStatus[], processId, ...created, q: text || undefined, after, before };
    let page = await deps.store.list(query);
    // Fewer newer jobs than a page: show the first page in full instead.
    if (before && !page.newer && page.jobs.length < limit) page = await deps.store.list({ ...query, before: undefined, offset: 0 });
    const first = !after && offset === 0 && !(before && page.newer);
    const base = baseUrl(c, deps.config);
    const link = (at: { after?: ListCursor; before?: ListCursor; offset?: number }) => {
      const q = new URLSearchParams();
      q.set('limit', String(limit));
      if (at.offset) q.set('offset', String(at.offset));
      if (at.after) q.set('after', cursorText(at.after));
      if (at.before) q.set('before', cursorText(at.before));
      if (status.length) q.set('status', status.join(','));
      if (processId.length) q.set('processID', processId.join(','));
      if (owner && c.req.query('owner')) q.set('owner', owner);
      if (datetime?.trim()) q.set('datetime', datetime.trim());
      if (text) q.set('q', text);
      return `${base}/jobs?${q}`;
    };
    const links = [{ href: link({ after, before, offset }), rel: 'self', type: JSON_TYPE, title: 'This page' }];
    // Keyset links: following them costs the same per page wherever the page is.
    if (page.next) links.push({ href: link({ after: page.next }), rel: 'next', type: JSON_TYPE, title: 'Next page' });
    if (!first && page.first) links.push({ href: link({ before: page.first }), rel: 'prev', type: JSON_TYPE, title: 'Previous page' });
    // numberMatched only where counters give it without a scan (created range and free text: absent).
    const matched = page.total === null ? {} : { numberMatched: page.total };
    return jsonResponse({ jobs: page.jobs.map((j) => statusInfo(j, base)), ...matched, numberReturned: page.jobs.length, links });
  })
  .get('/jobs/:id', async (c) => {
    const job = await loadJob(c);
    c.set('jobId', job.id);
    // The inputs too (not in OGC's statusInfo, allowed beside it): the console shows them, draws
    // their region and offers "edit & run again". Not in lists or events, which stay small.
    return jsonResponse({ ...statusInfo(job, baseUrl(c, c.get('deps').config)), inputs: job.inputs, attempts: job.attempts, maxAttempts: job.maxAttempts });
  })
  .delete('/jobs/:id', async (c) => {
    const id = (await loadJob(c)).id;
    c.set('jobId', id);
    const job = await c.get('deps').jobs.dismiss(id);
    if (!job) throw noSuchJob(id);
    return c.json(statusInfo(job, baseUrl(c, c.get('deps').config)));
  })
  .get('/jobs/:id/results', async (c) => {
    const job = await loadJob(c);
    c.set('jobId', job.id);
    if (job.status === 'failed') throw failedJobError(job, 'results');
    if (job.status === 'dismissed') throw new ApiError(410, PROBLEM.noSuchJob, 'Job dismissed', `job "${job.id}" was dismissed; its results were removed`);
    if (job.status !== 'successful') throw new ApiError(404, PROBLEM.resultNotReady, 'Result not ready', `job "${job.id}" is ${job.status}`);
    return c.json(resultsDocument(job, baseUrl(c, c.get('deps').config), c.get('links')));
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
