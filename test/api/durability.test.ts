// Durability: once 201 is returned a job survives kill -9; running jobs are re-queued up to the
// attempt limit; SIGTERM drains; retention deletes old jobs and their files.
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ASYNC, post, startService, waitForJob, type RunningService } from '../helpers/service.js';

let services: RunningService[] = [];
afterEach(() => {
  for (const s of services) s.cleanup();
  services = [];
});
const track = (s: RunningService) => (services.push(s), s);

async function submit(svc: RunningService, process: string, inputs: object) {
  const r = await svc.json(`/processes/${process}/execution`, post({ inputs }, ASYNC));
  expect(r.status).toBe(201);
  return r.body.jobID as string;
}

describe('kill -9', () => {
  it('loses no accepted job: queued ones run and running ones are re-queued after restart', async () => {
    const svc = track(await startService({ SUBSETD_WORKERS: '1' }));
    const running = await submit(svc, 'sleep', { seconds: 1.5 });
    const queued = [];
    for (let i = 0; i < 20; i++) queued.push(await submit(svc, 'hello-world', { name: `n${i}` }));
    await waitForJob(svc, running, ['running']);
    await svc.kill9();
    const again = track(await svc.restart());
    const done = await waitForJob(again, running);
    expect(done.status).toBe('successful');
    for (const id of queued) expect((await waitForJob(again, id)).status).toBe('successful');
    const log = again.logs.join('\n');
    expect(log).toMatch(/re-queued/);
  });

  it('fails a job with a message once it exhausted its attempts', async () => {
    const svc = track(await startService({ SUBSETD_WORKERS: '1', SUBSETD_MAX_ATTEMPTS: '2' }));
    const id = await submit(svc, 'sleep', { seconds: 60 });
    await waitForJob(svc, id, ['running']);
    await svc.kill9();
    let s = track(await svc.restart());
    await waitForJob(s, id, ['running']);
    await s.kill9();
    s = track(await s.restart());
    const done = await waitForJob(s, id);
    expect(done.status).toBe('failed');
    expect(done.message).toMatch(/failed after 2 attempts/);
  });

  it('reclaims a job whose lease expired even without a restart (no job stays running forever)', async () => {
    // Two processes on one database would be a misconfiguration; here the lease sweeper is
    // exercised directly: a job held by a node that stopped renewing is taken back.
    const svc = track(await startService({ SUBSETD_WORKERS: '1', SUBSETD_LEASE_TIME: '1s', SUBSETD_SWEEP_INTERVAL: '200ms' }));
    const id = await submit(svc, 'sleep', { seconds: 60 });
    await waitForJob(svc, id, ['running']);
    svc.proc.kill('SIGSTOP'); // frozen: no heartbeats, no lease renewal
    await new Promise((r) => setTimeout(r, 1500));
    svc.proc.kill('SIGCONT');
    // After waking up, the sweeper sees the expired lease; the job goes back to the queue and
    // the stale runner's next renewal fails, so it stops its copy.
    const log = () => svc.logs.join('\n');
    for (let i = 0; i < 50 && !/re-queued/.test(log()); i++) await new Promise((r) => setTimeout(r, 100));
    expect(log()).toMatch(/re-queued/);
    await svc.json(`/jobs/${id}`, { method: 'DELETE' });
  });
});

describe('SIGTERM', () => {
  it('lets short jobs finish, re-queues long ones, exits 0; the re-queued job completes after restart', async () => {
    // Margins wide enough for a loaded CI machine: the short job needs well under 3 s.
    const svc = track(await startService({ SUBSETD_WORKERS: '2', SUBSETD_SHUTDOWN_TIMEOUT: '3s' }));
    const short = await submit(svc, 'sleep', { seconds: 0.3 });
    const long = await submit(svc, 'sleep', { seconds: 8 });
    await waitForJob(svc, short, ['running']);
    await waitForJob(svc, long, ['running']);
    const code = await svc.stop('SIGTERM');
    expect(code).toBe(0);
    const again = track(await svc.restart());
    expect((await again.json(`/jobs/${short}`)).body.status).toBe('successful');
    const l = await waitForJob(again, long);
    expect(l.status).toBe('successful');
  });
});

describe('retention', () => {
  it('deletes job records and result files after SUBSETD_RESULT_TTL', async () => {
    const svc = track(await startService({ SUBSETD_RESULT_TTL: '1s', SUBSETD_SWEEP_INTERVAL: '200ms' }));
    const id = await submit(svc, 'test-file', { text: 'short-lived' });
    await waitForJob(svc, id);
    expect(existsSync(`${svc.stateDir}/results/${id}/sub/hello.txt`)).toBe(true);
    await new Promise((r) => setTimeout(r, 1600));
    expect((await svc.json(`/jobs/${id}`)).status).toBe(404);
    expect(existsSync(`${svc.stateDir}/results/${id}`)).toBe(false);
  });
});
