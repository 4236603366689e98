/**
 * GET /jobs/{id}/log: the job's own log lines (started, progress steps, processor messages,
 * re-queues, the end with its error and retryable flag, dismissal), oldest first. `?after=n`
 * returns the lines after index n, so a client polls for what is new. The log lives as long as
 * the job record (a dismissed job keeps it until purged).
 */
import { Hono } from 'hono';
import { canSee } from '../../auth/access.js';
import type { Principal } from '../../auth/principal.js';
import type { JobRecord } from '../../stores/job-store.js';
import type { AppEnv } from '../context.js';
import { badParameter, noSuchJob } from '../problem.js';
import { isoTime } from '../iso-time.js';

/** The one visibility check of this route (src/auth/access.ts decides); hidden = 404. */
function maySee(principal: Principal | undefined, job: JobRecord): boolean {
  return principal === undefined || canSee(principal, job);
}

export const jobLog = new Hono<AppEnv>().get('/jobs/:id/log', async (c) => {
  const { store } = c.var.deps;
  const id = c.req.param('id');
  const raw = c.req.query('after');
  let after: number | undefined;
  if (raw !== undefined && raw !== '') {
    if (!/^\d{1,9}$/.test(raw)) throw badParameter('after', `"${raw}" is not a line index (a whole number from 0)`);
    after = Number(raw);
  }
  const job = await store.get(id);
  if (!job || !maySee(c.var.principal, job)) throw noSuchJob(id);
  c.set('jobId', job.id);
  const lines = await store.readLog(job.id, after);
  return c.json({
    lines: lines.map((l) => ({ ...l, time: isoTime(l.time) })),
  });
});
