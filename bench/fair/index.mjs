// Fair scheduling (issue 11): how long owner B's job waits for a worker while owner A has a
// backlog of short `sleep` jobs queued, in SQLite and Redis mode, with real tokens over HTTP.
// The peer figure is what FIFO order would give: A's jobs ahead of B's / workers × job duration.
// Target: B starts within one job's duration.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNode } from '../api/run.mjs';
import { startRedis } from '../api/redis-server.mjs';

const root = new URL('../..', import.meta.url).pathname;
const BACKLOG = Number(process.env.BENCH_FAIR_BACKLOG ?? 1000);
const JOB_S = Number(process.env.BENCH_FAIR_JOB_S ?? 0.5);
const SAMPLES = Number(process.env.BENCH_FAIR_SAMPLES ?? 5);
const WORKERS = 2;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));


function token(env, name, extra = []) {
  const r = spawnSync(process.execPath, [join(root, 'dist/subsetd.cjs'), 'tokens', 'create', '--name', name, '--scope', 'submit', ...extra], { env: { ...process.env, ...env }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tokens create: ${r.stderr}`);
  return r.stdout.trim().split('\n').pop();
}

const call = async (url, path, tok, body) => {
  const r = await fetch(url + path, {
    method: body ? 'POST' : 'GET',
    headers: { Authorization: `Bearer ${tok}`, 'content-type': 'application/json', Prefer: 'respond-async' },
    body: body ? JSON.stringify(body) : undefined,
  });
  return r.json();
};

async function measure(mode) {
  const redis = mode === 'redis' ? await startRedis() : null;
  const dir = mkdtempSync(join(tmpdir(), 'subsetd-bench-fair-'));
  const env = { SUBSETD_AUTH: 'tokens', SUBSETD_STATE_DIR: dir, SUBSETD_WORKERS: String(WORKERS), SUBSETD_LOG_LEVEL: 'info', ...(redis ? { SUBSETD_REDIS_URL: redis.url } : {}) };
  const node = await startNode(env);
  try {
    const a = token(env, 'bench-a', ['--max-queued', String(BACKLOG * 2), '--max-jobs-per-hour', String(BACKLOG * 10)]);
    const b = token(env, 'bench-b');
    for (let i = 0; i < BACKLOG; i += 50)
      await Promise.all(Array.from({ length: 50 }, (_, j) => call(node.url, '/processes/sleep/execution', a, { inputs: { seconds: JOB_S + (i + j) / 1e6 } })));
    const waits = [];
    for (let s = 0; s < SAMPLES; s++) {
      const { jobID } = await call(node.url, '/processes/sleep/execution', b, { inputs: { seconds: JOB_S + s / 1e6 } });
      let job;
      do {
        await sleep(10);
        job = await call(node.url, `/jobs/${jobID}`, b);
      } while (job.status === 'accepted');
      waits.push(Date.parse(job.started) - Date.parse(job.created));
      await sleep(JOB_S * 1000); // B's next job arrives after this one ended: a fresh arrival each time
    }
    const queued = (await call(node.url, '/jobs?status=accepted&limit=1', a)).numberMatched;
    return { waits, queued };
  } finally {
    node.stop();
    redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export default async function run() {
  const rows = [];
  for (const mode of ['sqlite', 'redis']) {
    const { waits, queued } = await measure(mode);
    const sorted = [...waits].sort((x, y) => x - y);
    const fifo = (queued * JOB_S * 1000) / WORKERS;
    const limit = JOB_S * 1000;
    rows.push({ metric: `${mode}: B's wait, median of ${SAMPLES} (A: ${BACKLOG} × ${JOB_S} s jobs, ${WORKERS} workers)`, value: sorted[Math.floor(sorted.length / 2)], unit: 'ms', peer: 'FIFO', peerValue: fifo, target: `≤ ${limit} ms`, ok: sorted[Math.floor(sorted.length / 2)] <= limit });
    rows.push({ metric: `${mode}: B's wait, worst of ${SAMPLES} (A still had ${queued} queued)`, value: sorted[sorted.length - 1], unit: 'ms', target: `≤ ${limit} ms`, ok: sorted[sorted.length - 1] <= limit });
  }
  return { area: 'fair', rows };
}
