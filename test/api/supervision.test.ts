// Worker supervision: a task that crashes, hangs, times out, runs out of memory or is dismissed
// fails (or ends) alone, and its worker is replaced so the next job runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASYNC, post, startService, waitForJob, type RunningService } from '../helpers/service.js';

let svc: RunningService;
beforeAll(async () => {
  svc = await startService({
    SUBSETD_WORKERS: '1', // one worker: the next job can only run if the bad one freed it
    SUBSETD_WORKER_STALL_TIMEOUT: '2s',
    SUBSETD_JOB_TIMEOUT: '4s',
    SUBSETD_WORKER_MEMORY: '96M',
  });
});
afterAll(() => svc?.cleanup());

async function run(process: string, inputs: object) {
  const r = await svc.json(`/processes/${process}/execution`, post({ inputs }, ASYNC));
  expect(r.status).toBe(201);
  return r.body.jobID as string;
}

async function nextJobRuns() {
  const id = await run('hello-world', { name: `after-${Math.random()}` });
  const done = await waitForJob(svc, id, undefined, 15_000);
  expect(done.status).toBe('successful');
}

describe('supervision', () => {
  it('a crashing task fails its job only; the worker is replaced', async () => {
    const done = await waitForJob(svc, await run('test-crash', {}));
    expect(done.status).toBe('failed');
    expect(done.message).toMatch(/worker thread died/);
    await nextJobRuns();
  });

  it('a hanging task is terminated by the stall watchdog', async () => {
    const t0 = Date.now();
    const done = await waitForJob(svc, await run('test-hang', {}));
    expect(done.status).toBe('failed');
    expect(done.message).toMatch(/no heartbeat for 2s/);
    expect(Date.now() - t0).toBeLessThan(8000);
    await nextJobRuns();
  });

  it('a task over SUBSETD_JOB_TIMEOUT is stopped', async () => {
    const done = await waitForJob(svc, await run('sleep', { seconds: 30 }));
    expect(done.status).toBe('failed');
    expect(done.message).toMatch(/timed out after 4s/);
    await nextJobRuns();
  });

  it('a task over its memory limit fails alone', async () => {
    const done = await waitForJob(svc, await run('test-oom', {}));
    expect(done.status).toBe('failed');
    expect(done.message).toMatch(/out of memory/);
    await nextJobRuns();
    expect((await svc.json('/health')).status).toBe(200);
  });

  it('dismissing a running job stops it, frees its worker and removes its files', async () => {
    const id = await run('sleep', { seconds: 60 });
    await waitForJob(svc, id, ['running']);
    const t0 = Date.now();
    const d = await svc.json(`/jobs/${id}`, { method: 'DELETE' });
    expect(d.status).toBe(200);
    expect(d.body.status).toBe('dismissed');
    await nextJobRuns(); // only possible once the one worker is free again
    expect(Date.now() - t0).toBeLessThan(5000);
    const after = await svc.json(`/jobs/${id}`);
    expect(after.body.status).toBe('dismissed');
    expect((await svc.json(`/jobs/${id}/results`)).status).toBe(410);
  });

  it('dismissing a finished job removes its result files', async () => {
    const id = await run('test-file', { text: 'bye' });
    await waitForJob(svc, id);
    const href = (await svc.json(`/jobs/${id}/results`)).body.out.href;
    expect((await fetch(href)).status).toBe(200);
    await svc.json(`/jobs/${id}`, { method: 'DELETE' });
    expect((await fetch(href)).status).toBe(404);
    const { existsSync } = await import('node:fs');
    expect(existsSync(`${svc.stateDir}/results/${id}`)).toBe(false);
  });
});
