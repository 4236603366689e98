/**
 * Workers choose what they serve (SUBSETD_PROCESSES / --processes) and how many slots a process
 * may take (SUBSETD_CONCURRENCY), over real HTTP with real services: in Redis mode two nodes,
 * one running only `sleep`, the other only `hello-world` — every job runs on a node that serves
 * it (the job log names the node), none is lost when the `sleep` node is killed; a process no
 * node runs is accepted, waits, and is listed by /ready, /health and /admin/stats; a per-process
 * limit holds under a burst of 50 jobs while the other slots keep working.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, startService, waitForJob, type RunningService } from '../helpers/service.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';

const ASYNC = { 'content-type': 'application/json', Prefer: 'respond-async' };
const submit = async (svc: RunningService, process: string, inputs: Record<string, unknown>) => {
  const r = await svc.json(`/processes/${process}/execution`, { method: 'POST', headers: ASYNC, body: JSON.stringify({ inputs }) });
  expect(r.status).toBe(201);
  return r.body.jobID as string;
};
const nodeIdOf = (svc: RunningService) => JSON.parse(svc.logs.find((l) => l.includes('"subsetd started"'))!).node as string;
/** The node a job started on, from the first line of its log (written by the node that runs it). */
const ranOn = async (svc: RunningService, id: string) => (await svc.json(`/jobs/${id}/log`)).body.lines?.[0]?.message.match(/^started on node (\S+)/)?.[1];

describe('Redis mode: a sleep node and a hello-world node', () => {
  let redis: RedisServer;
  const results = mkdtempSync(join(tmpdir(), 'subsetd-procs-results-'));
  const nodes: RunningService[] = [];
  const node = async (processes: string) => {
    const svc = await startService({ SUBSETD_REDIS_URL: redis.url, SUBSETD_RESULTS_DIR: results, SUBSETD_WORKERS: '2', SUBSETD_LEASE_TIME: '2s', SUBSETD_SWEEP_INTERVAL: '500ms' }, undefined, ['serve', '--processes', processes]);
    nodes.push(svc);
    return svc;
  };
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    for (const n of nodes) n.cleanup();
    await redis?.destroy();
    rmSync(results, { recursive: true, force: true });
  });

  it('runs every job on a node that serves it; a process nobody runs waits and is listed', async () => {
    const sleeper = await node('sleep');
    const greeter = await node('hello-world');
    expect(JSON.parse(sleeper.logs.find((l) => l.includes('"subsetd started"'))!).runs).toEqual(['sleep']);
    const ids: Array<[string, string]> = [];
    for (let i = 0; i < 10; i++) {
      ids.push(['sleep', await submit(i % 2 ? sleeper : greeter, 'sleep', { seconds: 0.2 + i / 100 })]);
      ids.push(['hello-world', await submit(i % 2 ? greeter : sleeper, 'hello-world', { name: `n${i}` })]);
    }
    // test-file (the fixture plugin both nodes load) is run by neither: accepted, and it waits.
    const waiting = await submit(greeter, 'test-file', { text: 'nobody runs me' });
    for (const [process, id] of ids) {
      expect((await waitForJob(greeter, id, ['successful', 'failed'], 30_000)).status).toBe('successful');
      expect(await ranOn(sleeper, id)).toBe(nodeIdOf(process === 'sleep' ? sleeper : greeter));
    }
    expect((await greeter.json(`/jobs/${waiting}`)).body.status).toBe('accepted');
    const ready = await greeter.json('/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.checks.processes.detail).toMatch(/no live node runs: .*test-file/);
    expect(ready.body.checks.processes.detail).not.toMatch(/\bsleep\b|hello-world/);
    const health = await sleeper.json('/health');
    expect(health.body.workers.processes).toEqual(['sleep']);
    expect(health.body.unservedProcesses).toContain('clip-raster');
    expect(health.body.unservedProcesses).not.toContain('sleep');
    const stats = await greeter.json('/admin/stats');
    expect(stats.body.unservedProcesses).toContain('clip-raster');
    expect(stats.body.nodes.map((n: { processes: string[] }) => n.processes).sort()).toEqual([['hello-world'], ['sleep']]);
  });

  it('loses no job when the sleep node is killed: another sleep node finishes them', async () => {
    const sleeper = nodes[0];
    const greeter = nodes[1];
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await submit(greeter, 'sleep', { seconds: 1.5 + i / 100 }));
    await waitForJob(greeter, ids[0], ['running'], 10_000);
    await sleeper.kill9();
    // The hello-world node never takes them, however long they wait.
    await new Promise((r) => setTimeout(r, 3000));
    for (const id of ids) expect(['accepted', 'running']).toContain((await greeter.json(`/jobs/${id}`)).body.status);
    const next = await node('sleep');
    for (const id of ids) {
      expect((await waitForJob(greeter, id, ['successful', 'failed'], 60_000)).status).toBe('successful');
      expect(await ranOn(greeter, id)).not.toBe(nodeIdOf(greeter));
    }
    void next;
  });
});

describe('SQLite: concurrency limit per process under a burst', () => {
  let svc: RunningService;
  beforeAll(async () => {
    svc = await startService({ SUBSETD_WORKERS: '3', SUBSETD_CONCURRENCY: 'sleep=1' });
  }, 30_000);
  afterAll(() => svc?.cleanup());

  it('50 jobs: never more than one sleep at once, and the other slots keep running hello-world', async () => {
    const sleeps: string[] = [];
    const hellos: string[] = [];
    for (let i = 0; i < 25; i++) {
      sleeps.push(await submit(svc, 'sleep', { seconds: 0.3 + i / 1000 }));
      hellos.push(await submit(svc, 'hello-world', { name: `burst ${i}` }));
    }
    const jobs = await Promise.all([...sleeps, ...hellos].map((id) => waitForJob(svc, id, ['successful', 'failed'], 60_000)));
    expect(jobs.every((j) => j.status === 'successful')).toBe(true);
    // Overlap of run intervals: the most sleeps running at one moment.
    const at = (j: { started: string; finished: string }) => [Date.parse(j.started), Date.parse(j.finished)];
    const edges = jobs.slice(0, 25).flatMap((j) => [[at(j)[0], 1], [at(j)[1], -1]]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let now = 0, most = 0;
    for (const [, d] of edges) most = Math.max(most, (now += d));
    expect(most).toBe(1);
    // The hello-worlds did not wait for the sleeps: all done before the last sleep started.
    const lastSleepStart = Math.max(...jobs.slice(0, 25).map((j) => at(j)[0]));
    expect(Math.max(...jobs.slice(25).map((j) => at(j)[1]))).toBeLessThan(lastSleepStart);
  });

  it('an unknown process in SUBSETD_PROCESSES or SUBSETD_CONCURRENCY stops start-up naming the key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'subsetd-procs-bad-'));
    try {
      for (const [key, value] of [['SUBSETD_PROCESSES', 'hello-world,nope'], ['SUBSETD_CONCURRENCY', 'nope=2'], ['SUBSETD_CONCURRENCY', 'sleep=0']]) {
        const r = spawnSync(process.execPath, [CLI, 'serve'], { env: { PATH: process.env.PATH!, SUBSETD_STATE_DIR: dir, SUBSETD_PORT: '0', [key]: value }, encoding: 'utf8', timeout: 30_000 });
        expect(r.status, r.stderr).toBe(2);
        expect(r.stderr).toContain(key);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
