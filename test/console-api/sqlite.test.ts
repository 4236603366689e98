/**
 * The console's job API over real HTTP on the bundled service (SQLite mode): the event stream,
 * the job log, the job list's datetime and q filters, and the admin figures.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASYNC, post, startService, waitForJob, type RunningService } from '../helpers/service.js';
import { openEvents } from './sse.js';

let svc: RunningService;
beforeAll(async () => {
  svc = await startService({ SUBSETD_WORKERS: '2', SUBSETD_RESULT_TTL: '2s', SUBSETD_SWEEP_INTERVAL: '300ms' });
});
afterAll(() => svc?.cleanup());

const submit = async (process: string, inputs: Record<string, unknown>) => {
  const r = await svc.json(`/processes/${process}/execution`, post({ inputs }, ASYNC));
  expect(r.status).toBe(201);
  return r.body.jobID as string;
};

describe('GET /jobs/events', () => {
  it('shows accepted, running and successful of a hello-world job, each within 1 s of the transition', async () => {
    const es = await openEvents(`${svc.url}/jobs/events`);
    try {
      const id = await submit('hello-world', { name: 'Events' });
      for (const status of ['accepted', 'running', 'successful']) {
        const e = await es.next((x) => x.data.jobID === id && x.data.status === status);
        expect(e.event).toBe('job');
        expect(e.data).toMatchObject({ type: 'process', processID: 'hello-world', jobID: id, status });
        // The same document GET /jobs/{id} returns: links included.
        expect(e.data.links.some((l: { rel: string }) => l.rel === 'self')).toBe(true);
        expect(e.at - Date.parse(e.data.updated)).toBeLessThan(1000);
      }
      const order = es.events.filter((e) => e.data.jobID === id).map((e) => e.data.status);
      expect(order).toEqual(['accepted', 'running', 'successful']);
    } finally {
      es.close();
    }
  });

  it("streams a sleep job's progress, and filters by process and status", async () => {
    const all = await openEvents(`${svc.url}/jobs/events?processID=sleep`);
    const ended = await openEvents(`${svc.url}/jobs/events?status=successful,failed`);
    try {
      const hello = await submit('hello-world', { name: 'not for this stream' });
      const id = await submit('sleep', { seconds: 1.2 });
      await all.next((e) => e.data.jobID === id && e.data.status === 'successful');
      const progress = all.events.filter((e) => e.data.jobID === id && e.data.status === 'running').map((e) => e.data.progress);
      expect(progress.filter((p) => p > 0 && p < 100).length).toBeGreaterThanOrEqual(2);
      expect([...progress].sort((a, b) => a - b)).toEqual(progress);
      expect(all.events.some((e) => e.data.jobID === hello)).toBe(false);
      await ended.next((e) => e.data.jobID === id);
      await ended.next((e) => e.data.jobID === hello);
      expect(ended.events.every((e) => ['successful', 'failed'].includes(e.data.status))).toBe(true);
    } finally {
      all.close();
      ended.close();
    }
  });

  it('answers a bad filter with a 400 naming it', async () => {
    const r = await svc.json('/jobs/events?status=finished');
    expect(r.status).toBe(400);
    expect(r.body.field).toBe('status');
  });

  it('is in /openapi.json with the log, the list filters and the admin figures', async () => {
    const { body } = await svc.json('/openapi.json');
    expect(Object.keys(body.paths)).toEqual(expect.arrayContaining(['/jobs/events', '/jobs/{jobId}/log', '/admin/stats']));
    const names = body.paths['/jobs'].get.parameters.map((p: { name: string }) => p.name);
    expect(names).toEqual(expect.arrayContaining(['datetime', 'q']));
  });
});

describe('GET /jobs/{id}/log', () => {
  it("records a failed job's start, progress steps and the error with its retryable flag", async () => {
    const id = await submit('sleep', { seconds: 0.6, fail: true });
    const job = await waitForJob(svc, id);
    expect(job.status).toBe('failed');
    const { status, body } = await svc.json(`/jobs/${id}/log`);
    expect(status).toBe(200);
    const lines = body.lines as Array<{ time: string; level: string; message: string; progress?: number; retryable?: boolean }>;
    expect(lines[0].message).toMatch(/^started on node .+ \(attempt 1 of \d+\)$/);
    expect(lines.some((l) => typeof l.progress === 'number' && l.progress > 0)).toBe(true);
    const last = lines.at(-1)!;
    expect(last).toMatchObject({ level: 'error', message: 'failed: sleep was asked to fail', retryable: false });
    for (const l of lines) expect(new Date(l.time).toISOString()).toBe(l.time);
    // ?after=n: only the lines after index n.
    const after = await svc.json(`/jobs/${id}/log?after=${lines.length - 2}`);
    expect(after.body.lines).toEqual([last]);
    expect((await svc.json(`/jobs/${id}/log?after=${lines.length + 5}`)).body.lines).toEqual([]);
  });

  it('notes a dismissal, then is gone with the job once it is purged', async () => {
    const id = await submit('sleep', { seconds: 30 });
    await waitForJob(svc, id, ['running']);
    expect((await svc.json(`/jobs/${id}`, { method: 'DELETE' })).status).toBe(200);
    let lines: Array<{ message: string }> = [];
    for (let i = 0; i < 40 && !lines.some((l) => /stopped on node .*dismissed/.test(l.message)); i++) {
      lines = (await svc.json(`/jobs/${id}/log`)).body.lines;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(lines.map((l) => l.message)).toEqual(expect.arrayContaining(['dismissed', expect.stringMatching(/stopped on node .*: dismissed/)]));
    // SUBSETD_RESULT_TTL=2s: the sweeper deletes the job and its log.
    const t0 = Date.now();
    while ((await svc.json(`/jobs/${id}`)).status !== 404) {
      if (Date.now() - t0 > 10_000) throw new Error('job not purged');
      await new Promise((r) => setTimeout(r, 200));
    }
    const gone = await svc.json(`/jobs/${id}/log`);
    expect(gone.status).toBe(404);
  });

  it('answers bad input with 4xx problems', async () => {
    const id = await submit('hello-world', { name: 'log params' });
    for (const bad of ['-1', 'x', '1.5']) {
      const r = await svc.json(`/jobs/${id}/log?after=${bad}`);
      expect(r.status).toBe(400);
      expect(r.body.field).toBe('after');
    }
    expect((await svc.json('/jobs/no-such-job/log')).status).toBe(404);
  });
});

describe('GET /jobs filters datetime and q', () => {
  it('filters by created time and by text in the inputs; paging links keep the filters', async () => {
    const before = new Date(Date.now() - 1).toISOString();
    const a = await submit('hello-world', { name: 'Filter-Alpha', message: 'x' });
    await new Promise((r) => setTimeout(r, 20));
    const b = await submit('hello-world', { name: 'filter-alpha two', message: 'y' });
    await new Promise((r) => setTimeout(r, 20));
    const c = await submit('hello-world', { name: 'Filter-Beta', message: 'z' });
    const created = async (id: string) => (await svc.json(`/jobs/${id}`)).body.created as string;
    const [ca, cb, cc] = [await created(a), await created(b), await created(c)];
    const ids = (body: { jobs: Array<{ jobID: string }> }) => body.jobs.map((j) => j.jobID);

    expect(ids((await svc.json(`/jobs?datetime=${ca}/${cb}&limit=100`)).body)).toEqual([b, a]);
    expect(ids((await svc.json(`/jobs?datetime=${cb}/..&limit=100`)).body)).toEqual([c, b]);
    expect(ids((await svc.json(`/jobs?datetime=/${ca}&q=filter-&limit=100`)).body)).toEqual([a]);
    expect(ids((await svc.json(`/jobs?datetime=${cc}`)).body)).toEqual([c]);
    // No numberMatched where it would take a scan (the spec lets it be left out).
    const since = (await svc.json(`/jobs?datetime=${before}/..&limit=100`)).body;
    expect(since.numberReturned).toBeGreaterThanOrEqual(3);
    expect(since).not.toHaveProperty('numberMatched');

    const alpha = await svc.json('/jobs?q=FILTER-ALPHA&limit=1');
    expect(alpha.body).not.toHaveProperty('numberMatched');
    expect(ids(alpha.body)).toEqual([b]);
    const next = alpha.body.links.find((l: { rel: string }) => l.rel === 'next').href as string;
    expect(new URL(next).searchParams.get('q')).toBe('FILTER-ALPHA');
    const page2 = await svc.json(new URL(next).pathname + new URL(next).search);
    expect(ids(page2.body)).toEqual([a]);
    const dated = await svc.json(`/jobs?datetime=${encodeURIComponent(`${ca}/..`)}&limit=1`);
    const nextDated = dated.body.links.find((l: { rel: string }) => l.rel === 'next').href as string;
    expect(new URL(nextDated).searchParams.get('datetime')).toBe(`${ca}/..`);
  });

  it('answers a bad datetime or q with a 400 naming it', async () => {
    for (const bad of ['yesterday', '2026-13-01T00:00:00Z', '2026-02-30', '2026-12-05T10:00:00', '2026-12-06T00:00:00Z/2026-12-05T00:00:00Z', 'a/b/c', '..']) {
      const r = await svc.json(`/jobs?datetime=${encodeURIComponent(bad)}`);
      expect(r.status, bad).toBe(400);
      expect(r.body.field).toBe('datetime');
    }
    const long = await svc.json(`/jobs?q=${'x'.repeat(201)}`);
    expect(long.status).toBe(400);
    expect(long.body.field).toBe('q');
    expect((await svc.json('/jobs?datetime=../..')).status).toBe(200);
    expect((await svc.json('/jobs?datetime=2026-12-05')).status).toBe(200);
  });
});

describe('GET /admin/stats', () => {
  it('shows workers, queue, ends per minute, disk use and the latest failures', async () => {
    const failed = await submit('sleep', { seconds: 0, fail: true });
    await waitForJob(svc, failed);
    const running = await submit('sleep', { seconds: 5 });
    await waitForJob(svc, running, ['running']);
    const { status, body } = await svc.json('/admin/stats');
    expect(status).toBe(200);
    expect(body.nodes).toHaveLength(1);
    expect(body.nodes[0].workers).toHaveLength(2);
    expect(body.nodes[0].workers).toEqual(expect.arrayContaining([expect.objectContaining({ state: 'busy', jobId: running, processId: 'sleep' })]));
    expect(body.perMinute).toHaveLength(60);
    expect(body.perMinute.reduce((n: number, m: { failed: number }) => n + m.failed, 0)).toBeGreaterThanOrEqual(1);
    expect(body.perMinute.reduce((n: number, m: { successful: number }) => n + m.successful, 0)).toBeGreaterThanOrEqual(1);
    expect(body.failures[0]).toMatchObject({ id: failed, processId: 'sleep', message: 'sleep was asked to fail' });
    expect(body.disk.state.bytes).toBeGreaterThan(0);
    expect(body.disk.state.free).toBeGreaterThan(0);
    expect(body.disk.results.free).toBeGreaterThan(0);
    expect(typeof body.queue).toBe('object');
    await svc.json(`/jobs/${running}`, { method: 'DELETE' });
  });
});

describe('shutdown', () => {
  it('ends open event streams and does not wait for them', async () => {
    const es = await openEvents(`${svc.url}/jobs/events`);
    const t0 = Date.now();
    const code = await svc.stop();
    await es.ended;
    expect(code).toBe(0);
    // Well under the 5 s the server would wait for open connections.
    expect(Date.now() - t0).toBeLessThan(4000);
  });
});
