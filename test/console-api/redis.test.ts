/**
 * The console's job API in Redis mode with two real nodes on one redis-server: a job run by the
 * worker node shows on the API node's event stream, its log lines (written by the worker node)
 * read through the API node, and the API node's admin figures list the worker node's slots.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { ASYNC, post, startService, waitForJob, type RunningService } from '../helpers/service.js';
import { openEvents } from './sse.js';

let redis: RedisServer;
let results: string;
let api: RunningService;
let worker: RunningService;

beforeAll(async () => {
  redis = await startRedisServer();
  results = mkdtempSync(join(tmpdir(), 'subsetd-console-api-results-'));
  const env = { SUBSETD_REDIS_URL: redis.url, SUBSETD_RESULTS_DIR: results, SUBSETD_RESULT_TTL: '2s', SUBSETD_SWEEP_INTERVAL: '300ms' };
  // The API node runs no jobs: everything it shows of a running job comes through Redis.
  api = await startService({ ...env, SUBSETD_WORKERS: '0' });
  worker = await startService({ ...env, SUBSETD_WORKERS: '2' }, undefined, ['worker']);
});
afterAll(async () => {
  api?.cleanup();
  worker?.cleanup();
  await redis?.destroy();
  rmSync(results, { recursive: true, force: true });
});

const submit = async (process: string, inputs: Record<string, unknown>) => {
  const r = await api.json(`/processes/${process}/execution`, post({ inputs }, ASYNC));
  expect(r.status).toBe(201);
  return r.body.jobID as string;
};

describe('Redis mode, two nodes', () => {
  it("the API node's stream shows a job the other node runs, each transition within 1 s", async () => {
    const es = await openEvents(`${api.url}/jobs/events`);
    try {
      const id = await submit('sleep', { seconds: 1 });
      for (const status of ['accepted', 'running', 'successful']) {
        const e = await es.next((x) => x.data.jobID === id && x.data.status === status);
        expect(e.at - Date.parse(e.data.updated)).toBeLessThan(1000);
      }
      const progress = es.events.filter((e) => e.data.jobID === id && e.data.status === 'running').map((e) => e.data.progress);
      expect(progress.some((p) => p > 0 && p < 100)).toBe(true);
      expect(es.events.filter((e) => e.data.jobID === id).map((e) => e.data.status).at(-1)).toBe('successful');
    } finally {
      es.close();
    }
  });

  it("reads the worker node's log lines through the API node; the log goes with the purge", async () => {
    const id = await submit('sleep', { seconds: 0.5, fail: true });
    expect((await waitForJob(api, id)).status).toBe('failed');
    const { body } = await api.json(`/jobs/${id}/log`);
    const lines = body.lines as Array<{ message: string; level: string; retryable?: boolean }>;
    const node = JSON.parse(worker.logs.find((l) => l.includes('"subsetd started"'))!).node as string;
    expect(lines[0].message).toBe(`started on node ${node} (attempt 1 of 3)`);
    expect(lines.at(-1)).toMatchObject({ level: 'error', message: 'failed: sleep was asked to fail', retryable: false });
    const t0 = Date.now();
    while ((await api.json(`/jobs/${id}`)).status !== 404) {
      if (Date.now() - t0 > 10_000) throw new Error('job not purged');
      await new Promise((r) => setTimeout(r, 200));
    }
    expect((await api.json(`/jobs/${id}/log`)).status).toBe(404);
  });

  it('lists by datetime and q in Redis as in SQLite', async () => {
    const a = await submit('hello-world', { name: 'Redis-Gamma' });
    await new Promise((r) => setTimeout(r, 20));
    const b = await submit('hello-world', { name: 'redis-gamma 2' });
    const ca = (await api.json(`/jobs/${a}`)).body.created;
    const q = await api.json('/jobs?q=REDIS-GAMMA&limit=1');
    expect(q.body).not.toHaveProperty('numberMatched');
    expect(q.body.jobs[0].jobID).toBe(b);
    const next = q.body.links.find((l: { rel: string }) => l.rel === 'next').href as string;
    expect((await api.json(new URL(next).pathname + new URL(next).search)).body.jobs.map((j: { jobID: string }) => j.jobID)).toEqual([a]);
    const dated = await api.json(`/jobs?datetime=/${ca}&q=gamma`);
    expect(dated.body.jobs.map((j: { jobID: string }) => j.jobID)).toEqual([a]);
  });

  it("the API node's admin figures list the worker node's slots", async () => {
    const id = await submit('sleep', { seconds: 10 });
    await waitForJob(api, id, ['running']);
    const node = JSON.parse(worker.logs.find((l) => l.includes('"subsetd started"'))!).node as string;
    let other;
    const t0 = Date.now();
    // Nodes announce every 3 s.
    for (;;) {
      const { body } = await api.json('/admin/stats');
      other = body.nodes.find((n: { nodeId: string }) => n.nodeId === node);
      if (other?.workers.some((w: { jobId?: string }) => w.jobId === id)) break;
      if (Date.now() - t0 > 8000) throw new Error(`worker node not shown busy: ${JSON.stringify(body.nodes)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(other.workers).toHaveLength(2);
    expect(other.workers.find((w: { jobId?: string }) => w.jobId === id)).toMatchObject({ state: 'busy', processId: 'sleep' });
    const { body } = await api.json('/admin/stats');
    expect(body.nodes[0].workers).toEqual([]); // the API node itself has no workers
    await api.json(`/jobs/${id}`, { method: 'DELETE' });
  });
});
