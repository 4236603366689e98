/**
 * GET /metrics over real HTTP, parsed with a Prometheus text-format parser: the values move when
 * jobs run (transitions, durations, queue and running gauges, worker slots), requests are
 * counted by route template, store calls are timed, the library's process metrics are there.
 * Access: admin scope with tokens; SUBSETD_METRICS_ADDR moves it to a listener of its own.
 * Redis mode: the queue depth is the shared one, and a transition is counted by one node only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { CLI, startService, type RunningService } from '../helpers/service.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { bearer, startAuthCluster, type AuthCluster } from '../auth/auth-service.js';
import { scrape } from './prom.js';
import { until } from '../helpers/until.js';

const ASYNC = { 'content-type': 'application/json', Prefer: 'respond-async' };
const post = (svc: RunningService, process: string, inputs: unknown, headers: Record<string, string> = ASYNC) =>
  svc.json(`/processes/${process}/execution`, { method: 'POST', headers, body: JSON.stringify({ inputs }) });

describe('metrics (SQLite, access control off)', () => {
  let svc: RunningService;
  beforeAll(async () => {
    svc = await startService({ SUBSETD_WORKERS: '1' });
  }, 30_000);
  afterAll(() => svc?.cleanup());

  it('counts transitions and durations by process, and answers as Prometheus text', async () => {
    const before = await scrape(`${svc.url}/metrics`);
    const ok = await post(svc, 'hello-world', { name: 'metrics' }, { 'content-type': 'application/json' });
    expect(ok.status).toBe(200); // synchronous: the job has ended
    const bad = await post(svc, 'sleep', { seconds: 0, fail: true });
    await until('the failing sleep', async () => (await svc.json(`/jobs/${bad.body.jobID}`)).body.status === 'failed', 15_000, 100);
    const after = await scrape(`${svc.url}/metrics`);
    const moved = (labels: Record<string, string>) => after.value('subsetd_job_transitions_total', labels) - before.value('subsetd_job_transitions_total', labels);
    expect(moved({ process: 'hello-world', status: 'accepted' })).toBe(1);
    expect(moved({ process: 'hello-world', status: 'running' })).toBe(1);
    expect(moved({ process: 'hello-world', status: 'successful' })).toBe(1);
    expect(moved({ process: 'sleep', status: 'failed' })).toBe(1);
    expect(after.value('subsetd_job_duration_seconds', { process: 'sleep', status: 'failed' })).toBe(1);
    expect(after.text).toContain('# TYPE subsetd_job_duration_seconds histogram');
    // The library's process metrics.
    expect(after.value('process_resident_memory_bytes')).toBeGreaterThan(20e6);
    expect(after.has('nodejs_eventloop_lag_seconds')).toBe(true);
    expect(after.has('nodejs_gc_duration_seconds')).toBe(true);
  });

  it('times requests by route template and status, and store calls by operation', async () => {
    const job = await post(svc, 'hello-world', { name: 'route' });
    const before = await scrape(`${svc.url}/metrics`);
    for (let i = 0; i < 5; i++) await svc.json(`/jobs/${job.body.jobID}`);
    await svc.json('/jobs/ffffffffffffffffffffffffffffffff');
    await svc.json('/no/such/route');
    const after = await scrape(`${svc.url}/metrics`);
    const d = (labels: Record<string, string>) => after.value('subsetd_http_request_duration_seconds', labels) - before.value('subsetd_http_request_duration_seconds', labels);
    expect(d({ method: 'GET', route: '/jobs/:id', status: '200' })).toBe(5);
    expect(d({ method: 'GET', route: '/jobs/:id', status: '404' })).toBe(1);
    expect(d({ method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    // One series per template, never one per job id.
    expect(after.text).not.toContain(job.body.jobID);
    expect(after.value('subsetd_store_call_duration_seconds', { op: 'get' }) - before.value('subsetd_store_call_duration_seconds', { op: 'get' })).toBeGreaterThanOrEqual(6);
  });

  it('shows queued and running jobs per process and busy worker slots while they run; a dismissal counts once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await post(svc, 'sleep', { seconds: 20 + i })).body.jobID);
    await until('one running', async () => (await svc.json(`/jobs/${ids[0]}`)).body.status === 'running', 15_000, 100);
    const m = await scrape(`${svc.url}/metrics`);
    expect(m.value('subsetd_jobs', { process: 'sleep', status: 'running' })).toBe(1);
    expect(m.value('subsetd_jobs', { process: 'sleep', status: 'queued' })).toBe(2);
    expect(m.value('subsetd_jobs', { process: 'hello-world', status: 'queued' })).toBe(0);
    expect(m.value('subsetd_worker_slots', { state: 'busy' })).toBe(1);
    expect(m.value('subsetd_worker_slots', { state: 'idle' })).toBe(0);
    const dismissed = () => m.value('subsetd_job_transitions_total', { process: 'sleep', status: 'dismissed' });
    for (const id of ids) {
      expect((await svc.json(`/jobs/${id}`, { method: 'DELETE' })).status).toBe(200);
      await svc.json(`/jobs/${id}`, { method: 'DELETE' }); // already dismissed: no transition
    }
    const end = await scrape(`${svc.url}/metrics`);
    expect(end.value('subsetd_job_transitions_total', { process: 'sleep', status: 'dismissed' }) - dismissed()).toBe(3);
    await until('the worker idle', async () => (await scrape(`${svc.url}/metrics`)).value('subsetd_worker_slots', { state: 'idle' }) === 1, 15_000, 100);
    expect((await scrape(`${svc.url}/metrics`)).value('subsetd_jobs', { process: 'sleep', status: 'queued' })).toBe(0);
  });
});

describe('metrics access', () => {
  let c: AuthCluster;
  let admin: string, submit: string;
  beforeAll(async () => {
    c = await startAuthCluster('sqlite');
    admin = c.token('ops', 'admin');
    submit = c.token('user', 'submit');
  }, 30_000);
  afterAll(() => c?.close());

  it('with tokens: 401 without one, 403 below admin, 200 for an admin', async () => {
    const none = await fetch(`${c.a.url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await fetch(`${c.a.url}/metrics`, bearer(submit))).status).toBe(403);
    expect((await scrape(`${c.a.url}/metrics`, bearer(admin))).value('subsetd_worker_slots', { state: 'idle' })).toBe(1);
  });

  it('SUBSETD_METRICS_ADDR: only there, without a token; the API port answers 404', async () => {
    const svc = await startService({ SUBSETD_AUTH: 'tokens', SUBSETD_METRICS_ADDR: '127.0.0.1:0', SUBSETD_SIGNING_KEY: 'k'.repeat(32) });
    try {
      const started = JSON.parse(svc.logs.find((l) => l.includes('"subsetd started"'))!);
      expect(started.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const m = await scrape(started.metricsUrl);
      expect(m.value('process_resident_memory_bytes')).toBeGreaterThan(0);
      expect((await fetch(started.metricsUrl.replace('/metrics', '/jobs'))).status).toBe(404);
      // The API port: still behind tokens, and for an admin it says where the metrics are.
      expect((await fetch(`${svc.url}/metrics`)).status).toBe(401);
      const r = spawnSync(process.execPath, [CLI, 'tokens', 'create', '--name', 'ops', '--scope', 'admin'], { env: { PATH: process.env.PATH, ...svc.env }, encoding: 'utf8' });
      const api = await svc.json('/metrics', bearer(r.stdout.trim().split('\n').pop()!));
      expect(api.status).toBe(404);
      expect(api.body.detail).toContain('SUBSETD_METRICS_ADDR');
    } finally {
      svc.cleanup();
    }
  });

  it('a bad SUBSETD_METRICS_ADDR stops start-up naming the key', async () => {
    await expect(startService({ SUBSETD_METRICS_ADDR: 'localhost' })).rejects.toThrow(/SUBSETD_METRICS_ADDR/);
  });
});

describe('metrics in Redis mode', () => {
  let redis: RedisServer;
  let a: RunningService, b: RunningService;
  beforeAll(async () => {
    redis = await startRedisServer();
    // No workers: the jobs stay queued, and both nodes must report the same shared queue.
    const env = { SUBSETD_REDIS_URL: redis.url, SUBSETD_WORKERS: '0' };
    [a, b] = await Promise.all([startService(env), startService(env)]);
  }, 30_000);
  afterAll(async () => {
    a?.cleanup();
    b?.cleanup();
    await redis?.destroy();
  });

  it('reports the shared queue depth on every node, and counts each transition on one node', async () => {
    for (let i = 0; i < 4; i++) expect((await post(i % 2 ? a : b, 'sleep', { seconds: 5 + i })).status).toBe(201);
    const [ma, mb] = await Promise.all([scrape(`${a.url}/metrics`), scrape(`${b.url}/metrics`)]);
    expect(ma.value('subsetd_jobs', { process: 'sleep', status: 'queued' })).toBe(4);
    expect(mb.value('subsetd_jobs', { process: 'sleep', status: 'queued' })).toBe(4);
    const accepted = (m: typeof ma) => m.value('subsetd_job_transitions_total', { process: 'sleep', status: 'accepted' });
    expect([accepted(ma), accepted(mb)]).toEqual([2, 2]);
  });
});
