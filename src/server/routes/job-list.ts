/**
 * GET /jobs, the OGC job list: its parameters (status, processID, type, datetime, min/maxDuration,
 * the console's q, the owner a token implies), keyset links, and numberMatched where counters give
 * it. What the stores do for each filter: docs/job-list.md.
 */
import { Hono } from 'hono';
import { listOwner } from '../../auth/access.js';
import { isJobStatus, JOB_STATUSES, type JobStatus } from '../../jobs/status.js';
import type { ListCursor, ListQuery } from '../../stores/job-store.js';
import type { AppEnv } from '../context.js';
import { parseDatetime } from '../datetime-param.js';
import { baseUrl, JSON_TYPE } from '../links.js';
import { badParameter } from '../problem.js';
import { jsonResponse } from '../security-headers.js';
import { statusInfo } from '../status-info.js';
import { intParam } from '../query-params.js';

const MAX_LIMIT = 1000;
const MAX_Q = 200;
/** A duration bound of more than ten years is a typo, not a filter. */
const MAX_DURATION_S = 315_360_000;

/** OGC lets list parameters repeat or be comma-separated. */
export function listParam(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

/** A list position as links carry it: "<created>.<key>" (ListCursor). */
function cursorParam(v: string | undefined, name: string): ListCursor | undefined {
  if (v === undefined || v === '') return undefined;
  const m = /^(\d{1,15})\.(\d{1,15})$/.exec(v);
  if (!m) throw badParameter(name, `"${v}" is not a position from a link of this list`);
  return { created: Number(m[1]), key: Number(m[2]) };
}

const cursorText = (c: ListCursor) => `${c.created}.${c.key}`;

export const jobList = new Hono<AppEnv>()
  .get('/jobs', async (c) => {
    const deps = c.get('deps');
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
    // OGC job-list `type`: every job here is an OGC process job; any other type lists none.
    const types = listParam(c.req.queries('type'));
    // minDuration / maxDuration in seconds; only jobs that started count (OGC /req/job-list/duration-response).
    const minDuration = intParam(c.req.query('minDuration'), 'minDuration', -1, 0, MAX_DURATION_S);
    const maxDuration = intParam(c.req.query('maxDuration'), 'maxDuration', -1, 0, MAX_DURATION_S);
    if (minDuration >= 0 && maxDuration >= 0 && maxDuration < minDuration) throw badParameter('maxDuration', `is less than minDuration (${minDuration})`);
    const timed = minDuration >= 0 || maxDuration >= 0;
    const after = cursorParam(c.req.query('after'), 'after');
    const before = cursorParam(c.req.query('before'), 'before');
    if (after && before) throw badParameter('before', 'cannot be given with "after"');
    const query: ListQuery = {
      limit, offset, owner, processId, ...created, q: text || undefined, after, before,
      // Without a status, a duration filter considers running and ended jobs only (OGC).
      status: (timed && !status.length ? JOB_STATUSES.filter((s) => s !== 'accepted') : status) as JobStatus[],
      ...(minDuration >= 0 ? { minDuration: minDuration * 1000 } : {}),
      ...(maxDuration >= 0 ? { maxDuration: maxDuration * 1000 } : {}),
    };
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
      if (types.length) q.set('type', types.join(','));
      if (minDuration >= 0) q.set('minDuration', String(minDuration));
      if (maxDuration >= 0) q.set('maxDuration', String(maxDuration));
      return `${base}/jobs?${q}`;
    };
    if (types.length && !types.includes('process'))
      return jsonResponse({ jobs: [], numberMatched: 0, numberReturned: 0, links: [{ href: link({ after, before, offset }), rel: 'self', type: JSON_TYPE, title: 'This page' }] });
    let page = await deps.store.list(query);
    // Fewer newer jobs than a page: show the first page in full instead.
    if (before && !page.newer && page.jobs.length < limit) page = await deps.store.list({ ...query, before: undefined, offset: 0 });
    const first = !after && offset === 0 && !(before && page.newer);
    const self = link({ after, before, offset });
    const links = [
      { href: self, rel: 'self', type: JSON_TYPE, title: 'This page' },
      { href: `${self}&f=html`, rel: 'alternate', type: 'text/html', title: 'This page in the console' },
    ];
    // Keyset links: following them costs the same per page wherever the page is.
    if (page.next) links.push({ href: link({ after: page.next }), rel: 'next', type: JSON_TYPE, title: 'Next page' });
    if (!first && page.first) links.push({ href: link({ before: page.first }), rel: 'prev', type: JSON_TYPE, title: 'Previous page' });
    // numberMatched only where counters give it without a scan (created range and free text: absent).
    const matched = page.total === null ? {} : { numberMatched: page.total };
    return jsonResponse({ jobs: page.jobs.map((j) => statusInfo(j, base)), ...matched, numberReturned: page.jobs.length, links });
  });
