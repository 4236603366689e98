// Redis mode vs SQLite mode, one vs two nodes, in one run (issue 6): async submissions/s (wrk,
// 100 connections, while the workers are busy) and completed trivial jobs/s (hello-world, end to
// end). Target: a Redis-mode submission costs no more than 2x a SQLite-mode one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNode } from '../api/run.mjs';
import { startRedis } from '../api/redis-server.mjs';
import { SUBMIT_LUA, wrk } from '../api/wrk.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const JOBS = Number(process.env.BENCH_JOBS ?? 2000);


const sqliteCluster = async () => {
  const n = await startNode({ SUBSETD_LOG_LEVEL: 'info' });
  return { url: n.url, stop: () => n.stop() };
};

const redisCluster = (nodes) => async () => {
  // appendfsync always: the setting docs/scaling.md recommends so that no acknowledged job is lost.
  const redis = await startRedis(['--appendonly', 'yes', '--appendfsync', 'always']);
  const results = mkdtempSync(join(tmpdir(), 'subsetd-bench-results-'));
  const env = { SUBSETD_LOG_LEVEL: 'info', SUBSETD_REDIS_URL: redis.url, SUBSETD_RESULTS_DIR: results };
  const api = await startNode(env);
  const more = [];
  for (let i = 1; i < nodes; i++) more.push(await startNode({ ...env, ROLE: 'worker' }));
  return {
    url: api.url,
    stop: () => {
      for (const n of [api, ...more]) n.stop();
      redis.stop();
      rmSync(results, { recursive: true, force: true });
    },
  };
};

async function submitRate(url) {
  await wrk(`${url}/processes/sleep/execution`, { seconds: 2, lua: SUBMIT_LUA }); // warm-up (JIT)
  return (await wrk(`${url}/processes/sleep/execution`, { seconds: SECONDS, lua: SUBMIT_LUA })).rps;
}

/** JOBS hello-world jobs, 50 submissions in flight, until all succeeded: jobs/s end to end. */
async function completedRate(url) {
  const t0 = performance.now();
  let next = 0;
  const post = async () => {
    while (next < JOBS) {
      const i = next++;
      const r = await fetch(`${url}/processes/hello-world/execution`, { method: 'POST', headers: { 'content-type': 'application/json', prefer: 'respond-async' }, body: JSON.stringify({ inputs: { name: `bench-${i}-${t0}` } }) });
      if (r.status !== 201) throw new Error(`submit answered ${r.status}`);
      await r.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: 50 }, post));
  for (;;) {
    const body = await (await fetch(`${url}/jobs?processID=hello-world&status=successful&limit=1`)).json();
    if (body.numberMatched >= JOBS) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return JOBS / ((performance.now() - t0) / 1000);
}

/** Each figure on a fresh cluster: a queue filled by the submission run would skew the next. */
async function measure(start) {
  let c = await start();
  let submit;
  try {
    for (let i = 0; i < 2; i++) await fetch(`${c.url}/processes/sleep/execution`, { method: 'POST', headers: { 'content-type': 'application/json', prefer: 'respond-async' }, body: JSON.stringify({ inputs: { seconds: 600 + i } }) });
    submit = await submitRate(c.url);
  } finally {
    c.stop();
  }
  c = await start();
  try {
    return { submit, done: await completedRate(c.url) };
  } finally {
    c.stop();
  }
}

export default async function run() {
  const sqlite = await measure(sqliteCluster);
  const redis1 = await measure(redisCluster(1));
  const redis2 = await measure(redisCluster(2));
  const cost = sqlite.submit / redis1.submit; // time per submission, Redis / SQLite
  return {
    area: 'redis',
    rows: [
      { metric: 'async submissions/s, Redis mode (1 node)', value: redis1.submit, unit: '/s', peer: 'SQLite mode', peerValue: sqlite.submit, ratio: redis1.submit / sqlite.submit },
      { metric: 'cost of one submission, Redis / SQLite', value: cost, unit: '×', target: '≤ 2×', ok: cost <= 2 },
      { metric: 'completed hello-world jobs/s, Redis mode (1 node)', value: redis1.done, unit: '/s', peer: 'SQLite mode', peerValue: sqlite.done, ratio: redis1.done / sqlite.done },
      { metric: 'completed hello-world jobs/s, Redis mode, 2 nodes (same 2 cores)', value: redis2.done, unit: '/s', peer: 'Redis, 1 node', peerValue: redis1.done, ratio: redis2.done / redis1.done },
      { metric: 'async submissions/s, Redis mode, 2 nodes', value: redis2.submit, unit: '/s', peer: 'Redis, 1 node', peerValue: redis1.submit, ratio: redis2.submit / redis1.submit },
    ],
  };
}
