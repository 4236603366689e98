#!/usr/bin/env node
// API throughput: async submissions/s and GET /jobs/{id} latency at 100 connections while two
// `sleep` jobs run. Starts the bundled service on a free port with a fresh state dir.
// Targets (issue 2, 2-core machine): >= 3000 submissions/s, p99 < 10 ms.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { paced } from './paced.mjs';
import { SUBMIT_LUA, wrk } from './wrk.mjs';
import { startBare } from './bare.mjs';
import { startFloor } from './floor.mjs';

const root = new URL('../..', import.meta.url).pathname;
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);

export async function startNode(env = {}) {
  const dir = env.SUBSETD_STATE_DIR ?? mkdtempSync(join(tmpdir(), 'subsetd-bench-'));
  const proc = spawn(process.execPath, [join(root, 'dist/subsetd.cjs'), env.ROLE ?? 'serve'], {
    env: { ...process.env, SUBSETD_PORT: '0', SUBSETD_STATE_DIR: dir, SUBSETD_LOG_LEVEL: 'warn', SUBSETD_WORKERS: '2', ...env, ROLE: undefined },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // The start line is logged at info; read the URL from the first line of output at any level.
  proc.stdout.setEncoding('utf8');
  const url = await new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d) => {
      buf += d;
      const m = /"url":(?:"([^"]*)"|null)[^\n]*"subsetd started"/.exec(buf);
      if (!m) return;
      // From here on the log is drained unread: parsing it would steal CPU from the load client.
      proc.stdout.off('data', onData);
      proc.stdout.resume();
      resolve(m[1]);
    };
    proc.stdout.on('data', onData);
    proc.once('exit', (c) => reject(new Error(`exited ${c}`)));
  });
  return { url, proc, dir, stop: () => { proc.kill('SIGKILL'); rmSync(dir, { recursive: true, force: true }); } };
}

/** Starts another server, warms it up and loads it as subsetd was loaded; then stops it. */
async function loadOther(start) {
  const server = await start();
  try {
    await wrk(server.url, { seconds: 2 });
    return await wrk(server.url, { seconds: DURATION });
  } finally {
    server.stop();
  }
}

async function post(url, path, body, headers = {}) {
  const r = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return r.json();
}

export async function apiBench(env = {}) {
  // Production configuration: info logging (one line per request) is on while measuring.
  const node = await startNode({ SUBSETD_LOG_LEVEL: 'info', ...env });
  try {
    for (let i = 0; i < 2; i++) await post(node.url, '/processes/sleep/execution', { inputs: { seconds: 600 + i } }, { Prefer: 'respond-async' });
    await wrk(`${node.url}/processes/sleep/execution`, { seconds: 2, lua: SUBMIT_LUA }); // warm-up (JIT)
    const submit = await wrk(`${node.url}/processes/sleep/execution`, { seconds: DURATION, lua: SUBMIT_LUA });
    const job = await post(node.url, '/processes/sleep/execution', { inputs: { seconds: 601 } }, { Prefer: 'respond-async' });
    const url = `${node.url}/jobs/${job.jobID}`;
    await wrk(url, { seconds: 2 }); // warm-up
    const read = await wrk(url, { seconds: DURATION });
    // Side by side, same wrk settings: a bare Node http server answering the same bytes, and the
    // floor — the route's own work in a bare Node server (floor.mjs).
    const doc = await (await fetch(url)).text();
    const bareRead = await loadOther(() => startBare(doc));
    const floorRead = await loadOther(startFloor);
    // Latency without queueing: the same 100 connections at a fixed 2,000 requests/s in total.
    const at = await paced(url, { connections: 100, rate: 2000, seconds: DURATION });
    return {
      submissionsPerSec: Math.round(submit.rps),
      submitNon2xx: submit.non2xx,
      getPerSec: Math.round(read.rps),
      bareNodePerSec: Math.round(bareRead.rps),
      getVsBareNode: Math.round((read.rps / bareRead.rps) * 1000) / 1000,
      floorPerSec: Math.round(floorRead.rps),
      floorVsBareNode: Math.round((floorRead.rps / bareRead.rps) * 1000) / 1000,
      getSaturatedP50ms: read.p50,
      getSaturatedP99ms: read.p99,
      getAt2000rpsP50ms: at.p50,
      getAt2000rpsP99ms: at.p99,
      getNon2xx: read.non2xx + at.errors,
    };
  } finally {
    node.stop();
  }
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const r = await apiBench();
  console.log(JSON.stringify(r, null, 2));
  console.log(`submissions/s ${r.submissionsPerSec} (target >= 3000) ${r.submissionsPerSec >= 3000 ? 'OK' : 'MISS'}`);
  console.log(`GET /jobs/{id} vs a bare Node http server with the same body: ${r.getPerSec}/s vs ${r.bareNodePerSec}/s = ${r.getVsBareNode}× (target >= 0.35)`);
  console.log(`the same work in a bare Node server (floor.mjs): ${r.floorPerSec}/s = ${r.floorVsBareNode}× bare`);
  console.log(`GET /jobs/{id} saturated: ${r.getPerSec}/s p50 ${r.getSaturatedP50ms} ms p99 ${r.getSaturatedP99ms} ms; at 2000/s: p50 ${r.getAt2000rpsP50ms} ms p99 ${r.getAt2000rpsP99ms} ms (target p99 < 10)`);
}
