/**
 * Redis mode with real processes: two subsetd nodes (the bundle, as shipped) on one real
 * redis-server. Work spreads over both nodes, a node killed with -9 has its job taken over,
 * a dismissal reaches the node running the job, and a Redis outage gives 503 + Retry-After
 * and heals by itself without losing a job whose 201 was returned.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { ASYNC, CLI, post, startService, waitForJob, type RunningService } from '../helpers/service.js';

let redis: RedisServer;
let results: string;
const nodes: RunningService[] = [];

beforeAll(async () => {
  redis = await startRedisServer({ appendonly: true });
  results = mkdtempSync(join(tmpdir(), 'subsetd-shared-results-'));
});
afterEach(async () => {
  for (const n of nodes.splice(0)) n.cleanup();
  // Each test starts from an empty Redis.
  await redis.destroy();
  redis = await startRedisServer({ appendonly: true });
});
afterAll(async () => {
  await redis?.destroy();
  rmSync(results, { recursive: true, force: true });
});

/** A node on the shared Redis and results dir; short leases so a takeover is quick. */
async function node(role: 'serve' | 'worker', extra: Record<string, string> = {}) {
  const svc = await startService(
    { SUBSETD_REDIS_URL: redis.url, SUBSETD_RESULTS_DIR: results, SUBSETD_LEASE_TIME: '2s', SUBSETD_SWEEP_INTERVAL: '500ms', ...extra },
    undefined,
    [role],
  );
  nodes.push(svc);
  return svc;
}

const submit = (svc: RunningService, process: string, inputs: Record<string, unknown>) =>
  svc.json(`/processes/${process}/execution`, post({ inputs }, ASYNC));

/** Ids of the jobs a node started, from its "job started" log lines. */
const started = (svc: RunningService) =>
  svc.logs.filter((l) => l.includes('"job started"')).map((l) => JSON.parse(l).job as string);

async function eventually<T>(fn: () => Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('redis mode, two nodes', () => {
  it('200 jobs submitted through node A all complete, and both nodes did work', async () => {
    const a = await node('serve');
    const b = await node('worker');
    const ids: string[] = [];
    for (let i = 0; i < 200; i++) {
      const r = await submit(a, 'hello-world', { name: `n${i}` });
      expect(r.status).toBe(201);
      ids.push(r.body.jobID);
    }
    for (const id of ids) expect((await waitForJob(a, id, undefined, 60_000)).status).toBe('successful');
    const byA = started(a).filter((id) => ids.includes(id));
    const byB = started(b).filter((id) => ids.includes(id));
    expect(byA.length + byB.length).toBe(200);
    expect(byA.length).toBeGreaterThan(0);
    expect(byB.length).toBeGreaterThan(0);
  });

  it('kill -9 of the node running a job: the other node takes it over and completes it', async () => {
    const a = await node('serve', { SUBSETD_WORKERS: '1' });
    const b = await node('serve', { SUBSETD_WORKERS: '1' });
    const r = await submit(a, 'sleep', { seconds: 3 });
    expect(r.status).toBe(201);
    const id = r.body.jobID as string;
    const runner = await eventually(async () => (started(a).includes(id) ? a : started(b).includes(id) ? b : undefined), 10_000, 'job start');
    const other = runner === a ? b : a;
    await runner.kill9();
    const done = await waitForJob(other, id, undefined, 30_000);
    expect(done.status).toBe('successful');
    expect(started(other)).toContain(id);
    // The survivor answers for the job, whichever node accepted it.
    expect((await other.json(`/jobs/${id}/results`)).status).toBe(200);
  });

  it('a dismissal through one node stops the job on the node running it', async () => {
    const a = await node('serve', { SUBSETD_WORKERS: '0' });
    const b = await node('worker', { SUBSETD_WORKERS: '1' });
    const id = (await submit(a, 'sleep', { seconds: 60 })).body.jobID as string;
    await eventually(async () => (started(b).includes(id) ? true : undefined), 10_000, 'job start on B');
    expect((await a.json(`/jobs/${id}`, { method: 'DELETE' })).body.status).toBe('dismissed');
    // B learns it at its next lease renewal (a third of the 2 s lease) and frees its worker.
    await eventually(async () => (b.logs.some((l) => l.includes('"stopping job"') && l.includes(id)) ? true : undefined), 5000, 'stop on B');
    const next = (await submit(a, 'hello-world', { name: 'after' })).body.jobID as string;
    expect((await waitForJob(a, next, undefined, 10_000)).status).toBe('successful');
  });

  it('Redis down: 503 with Retry-After, no crash; back by itself, and every 201 job completes', async () => {
    const a = await node('serve');
    const accepted: string[] = [];
    for (let i = 0; i < 20; i++) accepted.push((await submit(a, 'hello-world', { name: `before${i}` })).body.jobID);
    await redis.stop();
    const down = await submit(a, 'hello-world', { name: 'during' });
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await a.json(`/jobs/${accepted[0]}`)).status).toBe(503);
    const cpu0 = await cpuTicks(a.proc.pid!);
    await new Promise((r) => setTimeout(r, 2000));
    // No spin while Redis is down: well under half a core over 2 s (100 ticks per second).
    expect((await cpuTicks(a.proc.pid!)) - cpu0).toBeLessThan(100);
    expect(a.proc.exitCode).toBeNull();
    await redis.start();
    await eventually(async () => ((await a.json(`/jobs/${accepted[0]}`)).status === 200 ? true : undefined), 15_000, 'recovery');
    for (let i = 0; i < 20; i++) accepted.push((await submit(a, 'hello-world', { name: `after${i}` })).body.jobID);
    for (const id of accepted) expect((await waitForJob(a, id, undefined, 30_000)).status).toBe('successful');
  });
});

describe('shared results directory', () => {
  it('two nodes on one SUBSETD_RESULTS_DIR are ready; a node with its own directory says it is not shared', async () => {
    const a = await node('serve');
    const b = await node('serve');
    expect((await b.json('/ready')).body.checks.resultsShared).toEqual({ ok: true });
    const own = mkdtempSync(join(tmpdir(), 'subsetd-own-results-'));
    try {
      const c = await node('serve', { SUBSETD_RESULTS_DIR: own });
      const ready = await c.json('/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.failing).toContain('resultsShared');
      expect(ready.body.checks.resultsShared.detail).toMatch(/SUBSETD_RESULTS_DIR .* is not shared with node/);
      expect(c.logs.join('\n')).toMatch(/"level":50.*SUBSETD_RESULTS_DIR .* is not shared/);
      expect((await a.json('/ready')).status).toBe(200);
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });
});

describe('redis mode start-up', () => {
  it('a bad URL or wrong password stops start-up with exit 2, naming SUBSETD_REDIS_URL, password masked', async () => {
    const locked = await startRedisServer({ password: 'the-right-one' });
    const urls = [`redis://:hunter2-secret@127.0.0.1:${await freePort()}`, `redis://:hunter2-secret@127.0.0.1:${locked.port}`];
    try {
      for (const url of urls) {
        const dir = mkdtempSync(join(tmpdir(), 'subsetd-badredis-'));
        const env: Record<string, string | undefined> = { ...process.env };
        for (const k of Object.keys(env)) if (k.startsWith('SUBSETD_')) delete env[k];
        Object.assign(env, { SUBSETD_STATE_DIR: dir, SUBSETD_PORT: '0', SUBSETD_REDIS_URL: url });
        const r = spawnSync(process.execPath, [CLI, 'serve'], { env, encoding: 'utf8', timeout: 20_000 });
        rmSync(dir, { recursive: true, force: true });
        const out = r.stdout + r.stderr;
        expect(r.status, out).toBe(2);
        expect(out).toContain('SUBSETD_REDIS_URL');
        expect(out).toContain('***');
        expect(out).not.toContain('hunter2-secret');
        expect(out).toMatch(/ECONNREFUSED|WRONGPASS/);
      }
    } finally {
      await locked.destroy();
    }
  });
});

/** utime + stime of a process in clock ticks, from /proc. */
async function cpuTicks(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const f = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]);
}
