/**
 * Fair scheduling over real HTTP with real tokens, in SQLite and Redis modes (Redis: two nodes,
 * one worker each): with owner A's 200 short `sleep` jobs queued, owner B's new job starts within
 * one job's duration, instead of after A's whole backlog (FIFO: 200 jobs / workers × duration).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startAuthCluster, submitInit, type AuthCluster, type Mode } from '../auth/auth-service.js';

const JOB_S = 0.5;
const BACKLOG = 200;

describe.each<Mode>(['sqlite', 'redis'])('fair scheduling over HTTP (%s)', (mode) => {
  let c: AuthCluster;
  let a: string, b: string;
  beforeAll(async () => {
    c = await startAuthCluster(mode);
    a = c.token('owner-a', 'submit', ['--max-queued', '1000', '--max-jobs-per-hour', '10000']);
    b = c.token('owner-b', 'submit');
  }, 60_000);
  afterAll(async () => c?.close());

  it(`B's job starts within one job's duration of ${JOB_S} s despite A's ${BACKLOG} queued`, async () => {
    const ids: string[] = [];
    for (let i = 0; i < BACKLOG; i += 20) {
      const batch = await Promise.all(
        Array.from({ length: 20 }, (_, j) => (j % 2 ? c.a : c.b).json('/processes/sleep/execution', submitInit(a, { seconds: JOB_S + (i + j) / 1e6 }))),
      );
      for (const r of batch) {
        expect(r.status).toBe(201);
        ids.push(r.body.jobID);
      }
    }
    // Let A's backlog be under way: every worker busy with A's jobs.
    const workers = mode === 'redis' ? 2 : 1;
    for (;;) {
      const running = await c.a.json('/jobs?status=running&limit=10', bearer(a));
      if (running.body.numberMatched >= workers) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const sub = await c.b.json('/processes/sleep/execution', submitInit(b, { seconds: JOB_S }));
    expect(sub.status).toBe(201);
    let job: any;
    for (;;) {
      job = (await c.a.json(`/jobs/${sub.body.jobID}`, bearer(b))).body;
      if (job.status !== 'accepted') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const created = Date.parse(job.created);
    const started = Date.parse(job.started);
    const waited = started - created;
    // One job's duration, plus the claim/poll cycle (the figure is in bench/fair, not asserted tighter).
    expect(waited).toBeLessThan(JOB_S * 1000 + 2000);
    // Structural: at most one A job per worker started between B's submission and B's start.
    const page = await c.a.json(`/jobs?limit=${BACKLOG}`, bearer(a));
    const between = page.body.jobs.filter((j: any) => j.started && Date.parse(j.started) > created && Date.parse(j.started) < started);
    expect(between.length).toBeLessThanOrEqual(workers);
    const queued = await c.a.json('/jobs?status=accepted&limit=1', bearer(a));
    expect(queued.body.numberMatched).toBeGreaterThan(BACKLOG / 2); // A's backlog was really there
  }, 120_000);
});
