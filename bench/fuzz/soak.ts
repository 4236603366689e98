/**
 * `npm run soak [-- --minutes 30 --rate 40 --redis]`: steady mixed traffic from three tokens
 * (submits, polls, result downloads, dismissals, bad requests) for a while, then checks that no
 * accepted job was lost (each one found and terminal), RSS stayed within ±10 % of its mean
 * after the warm-up (the first tenth, at least a minute, and until the JS heap is sized: see
 * below), the heap used did not grow (< 20 MB), and p99 of GET /jobs/{id} < 10 ms.
 * Not part of CI: it takes the machine for its whole duration.
 */
import { isAlive, rssMb } from '../../test/fuzz/fuzzer.js';
import { flag, spawnService, startRedis } from './spawn-service.js';
import { startProbe } from './probe.js';

const minutes = Number(flag('minutes', '30'));
const rate = Number(flag('rate', '40')); // requests per second, all clients together
const redis = process.argv.includes('--redis');
const serverPollMs: number[] = [];
const redisServer = redis ? await startRedis() : null;
const svc = await spawnService(
  { SUBSETD_WORKERS: flag('workers', '2'), ...(redisServer ? { SUBSETD_REDIS_URL: redisServer.url } : {}) },
  [['soak-a', 'submit'], ['soak-b', 'submit'], ['soak-c', 'submit'], ['soak-admin', 'admin'], ['soak-probe', 'submit']],
  // Server-side handling time of GET /jobs/{id} (the request log's ms), beside the round trip.
  (r) => {
    if (r.method === 'GET' && r.status === 200 && /^\/jobs\/[^/]+$/.test(r.path) && r.path !== '/jobs/events') serverPollMs.push(r.ms);
  },
);
const t = svc.tokens;
const clients = ['soak-a', 'soak-b', 'soak-c'].map((name) => ({ name, headers: t ? { Authorization: `Bearer ${t[name]}` } : ({} as Record<string, string>), jobs: [] as string[] }));
const admin: Record<string, string> = t ? { Authorization: `Bearer ${t['soak-admin']}` } : {};
const nc = svc.dataFiles.find((f) => f.endsWith('.nc'))!;
console.log(`soak: ${minutes} min at ${rate} req/s, ${redis ? 'Redis' : 'SQLite'}, ${t ? 'three submit tokens' : 'no tokens command: three clients without auth'}; ${svc.url} pid ${svc.pid}`);

const accepted = new Map<string, string>(); // job id -> owner client
const dismissed = new Set<string>();
const pollMs: number[] = [];
const counts: Record<string, number> = {};
const rss: Array<{ at: number; mb: number; mem?: Record<string, number> }> = [];
const errors: string[] = [];
const count = (k: string) => (counts[k] = (counts[k] ?? 0) + 1);
const pick = <T>(a: T[]): T => a[Math.floor(Math.random() * a.length)];

async function call(what: string, path: string, init: RequestInit & { headers?: Record<string, string> } = {}) {
  const t0 = performance.now();
  try {
    const res = await fetch(svc.url + path, { ...init, signal: AbortSignal.timeout(30_000) });
    const body = await res.arrayBuffer();
    const ms = performance.now() - t0;
    count(`${what} ${res.status}`);
    if (res.status >= 500) errors.push(`${what} ${path}: ${res.status} ${new TextDecoder().decode(body).slice(0, 300)}`);
    return { status: res.status, body, ms };
  } catch (e) {
    count(`${what} error`);
    errors.push(`${what} ${path}: ${(e as Error).message}`);
    return { status: 0, body: new ArrayBuffer(0), ms: performance.now() - t0 };
  }
}
const json = (b: ArrayBuffer) => {
  try {
    return JSON.parse(new TextDecoder().decode(b));
  } catch {
    return null;
  }
};

const submits: Array<() => { process: string; inputs: unknown }> = [
  () => ({ process: 'hello-world', inputs: { name: `soak ${Math.random()}` } }),
  () => ({ process: 'hello-world', inputs: { name: `soak ${Math.random()}` } }),
  () => ({ process: 'sleep', inputs: { seconds: Math.round(Math.random() * 20) / 10 } }),
  () => ({ process: 'sleep', inputs: { seconds: Math.round(Math.random() * 20) / 10 } }),
  () => ({ process: 'netcdf-subset', inputs: { paths: [nc], operations: [{ operation: 'select_bbox', bbox: [0, 40, 20 + Math.round(Math.random() * 20), 60] }] } }),
];

/** One step of one client: mostly polls, then submits, downloads, dismissals, bad requests. */
async function step() {
  const c = pick(clients);
  const h = c.headers;
  const r = Math.random();
  if (r < 0.08) {
    const s = pick(submits)();
    const res = await call(`submit ${s.process}`, `/processes/${s.process}/execution`, { method: 'POST', headers: { ...h, 'content-type': 'application/json', Prefer: 'respond-async' }, body: JSON.stringify({ inputs: s.inputs }) });
    const id = res.status === 201 ? json(res.body)?.jobID : undefined;
    if (id) {
      accepted.set(id, c.name);
      c.jobs.push(id);
      if (c.jobs.length > 50) c.jobs.shift();
    }
  } else if (r < 0.75 && c.jobs.length) {
    const res = await call('poll', `/jobs/${pick(c.jobs)}`, { headers: h });
    if (res.status === 200) pollMs.push(res.ms);
  } else if (r < 0.85 && c.jobs.length) {
    const id = pick(c.jobs);
    const res = await call('results', `/jobs/${id}/results`, { headers: h });
    const doc = res.status === 200 ? json(res.body) : null;
    const href = doc && JSON.stringify(doc).match(/"href":"([^"]+\/files\/[^"]+)"/)?.[1];
    if (href) await call('download', href.replace(/^https?:\/\/[^/]+/, ''), {}); // signed links need no header
  } else if (r < 0.88 && c.jobs.length) {
    const id = pick(c.jobs);
    const res = await call('dismiss', `/jobs/${id}`, { method: 'DELETE', headers: h });
    if (res.status === 200) dismissed.add(id);
  } else if (r < 0.93) {
    await call('list', '/jobs?limit=20', { headers: h });
  } else {
    const bad = pick([
      () => call('bad json', '/processes/hello-world/execution', { method: 'POST', headers: { ...h, 'content-type': 'application/json' }, body: '{"inputs":' }),
      () => call('bad id', `/jobs/${'f'.repeat(32)}`, { headers: h }),
      () => call('bad token', '/jobs', { headers: { Authorization: 'Bearer sdt_nope' } }),
      () => call('bad input', '/processes/sleep/execution', { method: 'POST', headers: { ...h, 'content-type': 'application/json' }, body: '{"inputs":{"seconds":"soon"}}' }),
      async () => {
        // Another client's job: 404 with tokens (never reveal it exists); 200 only without auth.
        const theirs = clients.filter((o) => o !== c && o.jobs.length);
        if (!theirs.length) return;
        const id = pick(pick(theirs).jobs);
        const res = await call('other owner', `/jobs/${id}`, { headers: h });
        if (t && res.status !== 404) errors.push(`${c.name} saw ${accepted.get(id)}'s job ${id}: ${res.status}`);
      },
    ])();
    void bad;
  }
}

// The probe's own job (a finished hello-world: polling it is the same GET /jobs/{id}).
const probeAuth = t ? `Bearer ${t['soak-probe']}` : undefined;
const probeJob = await fetch(`${svc.url}/processes/hello-world/execution`, { method: 'POST', headers: { ...(probeAuth ? { Authorization: probeAuth } : {}), 'content-type': 'application/json', Prefer: 'respond-async' }, body: JSON.stringify({ inputs: { name: 'soak probe' } }) }).then((r) => r.json());
const probeId: string | undefined = probeJob.jobID;
if (!probeId) throw new Error(`probe job not created: ${JSON.stringify(probeJob)}`);
const probe = startProbe(`${svc.url}/jobs/${probeId}`, probeAuth, 50);

const t0 = Date.now();
const end = t0 + minutes * 60_000;
// RSS from /proc, and the service's own account of it (admin /health): the main thread's heap
// and buffers, so that a climb can be told apart from worker threads' and WASM memory.
const sampler = setInterval(async () => {
  const at = Date.now() - t0;
  const mb = rssMb(svc.pid);
  const health = await fetch(`${svc.url}/health`, { headers: admin }).then((r) => r.json()).catch(() => null);
  rss.push({ at, mb, mem: health?.memoryMb });
}, 10_000);
let inFlight = 0;
let sent = 0;
let printed = 0;
await new Promise<void>((done) => {
  const tick = setInterval(() => {
    if (Date.now() >= end) {
      clearInterval(tick);
      const wait = setInterval(() => inFlight === 0 && (clearInterval(wait), done()), 50);
      return;
    }
    // Steady: `rate` a second in ticks of 100 ms; skipped (and counted) when the server lags.
    for (let i = 0; i < rate / 10; i++) {
      if (inFlight >= 64) {
        count('skipped (server behind)');
        continue;
      }
      inFlight++;
      sent++;
      step().finally(() => inFlight--);
    }
    const minute = Math.floor((Date.now() - t0) / 60_000);
    if (minute > printed && (printed = minute)) console.log(`${((Date.now() - t0) / 60_000).toFixed(1)} min: ${sent} requests, ${accepted.size} jobs, RSS ${rssMb(svc.pid).toFixed(0)} MB`);
  }, 100);
});
clearInterval(sampler);
const probed = await probe.stop();

// No job lost: every accepted job is found (by an admin) and ends.
const statusOf = async (id: string) => json((await call('final', `/jobs/${id}`, { headers: admin })).body)?.status ?? 'missing';
const deadline = Date.now() + 120_000;
let open = [...accepted.keys()];
while (open.length && Date.now() < deadline) {
  const still: string[] = [];
  for (const id of open) if (!['successful', 'failed', 'dismissed'].includes(await statusOf(id))) still.push(id);
  open = still;
  if (open.length) await new Promise((r) => setTimeout(r, 1000));
}
const final: Record<string, number> = {};
for (const id of accepted.keys()) {
  const s = await statusOf(id);
  final[s] = (final[s] ?? 0) + 1;
}
const lost = (final.missing ?? 0) + open.length;

pollMs.sort((a, b) => a - b);
const p = (q: number) => pollMs[Math.min(pollMs.length - 1, Math.floor(q * pollMs.length))] ?? NaN;
// Warm-up: the first tenth (at least a minute), and until the service's JS heap has grown to its
// working size. V8 sizes its young generation to the allocation rate (up to 2 x 16 MB semi-spaces
// per isolate, main thread and each worker thread): RSS climbs for the first minutes under load
// while the heap *used* stays flat, and that is sizing, not a leak. The heap is sized from the
// first sample at which the main heap's total reached 95 % of its final value; what is judged
// after that is whether RSS stays flat, and whether the heap used grows (a leak would).
const tenth = Math.max(60_000, (minutes * 60_000) / 10);
const withMem = rss.filter((s) => s.mem);
const finalHeap = withMem.at(-1)?.mem?.heapTotal ?? 0;
const sized = withMem.find((s) => (s.mem?.heapTotal ?? 0) >= 0.95 * finalHeap)?.at ?? 0;
const warm = Math.max(tenth, sized);
const after = rss.filter((s) => s.at >= warm).map((s) => s.mb);
const mean = after.reduce((a, b) => a + b, 0) / Math.max(1, after.length);
const spread = after.length ? Math.max(...after.map((v) => Math.abs(v - mean) / mean)) : NaN;
const deviation = (from: number) => {
  const v = rss.filter((s) => s.at >= from).map((s) => s.mb);
  const m = v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
  return v.length ? Math.max(...v.map((x) => Math.abs(x - m) / m)) : NaN;
};
// Heap used after warm-up: mean of the first and of the last fifth of the samples.
const used = withMem.filter((s) => s.at >= warm).map((s) => s.mem!.heapUsed);
const fifth = Math.max(1, Math.floor(used.length / 5));
const avg = (a: number[]) => a.reduce((x, y) => x + y, 0) / Math.max(1, a.length);
const heapGrowth = used.length ? avg(used.slice(-fifth)) - avg(used.slice(0, fifth)) : NaN;
const alive = isAlive(svc.pid);

console.log('\nrequests by kind and status:');
for (const [k, v] of Object.entries(counts).sort()) console.log(`  ${k.padEnd(28)} ${v}`);
console.log(`jobs accepted ${accepted.size} (final: ${JSON.stringify(final)}), dismissed by clients ${dismissed.size}, lost ${lost}`);
serverPollMs.sort((a, b) => a - b);
const sp = (q: number) => serverPollMs[Math.min(serverPollMs.length - 1, Math.floor(q * serverPollMs.length))] ?? NaN;
console.log(`GET /jobs/{id}, round trip at the client: ${pollMs.length} polls, p50 ${p(0.5).toFixed(2)} ms, p99 ${p(0.99).toFixed(2)} ms, max ${pollMs[pollMs.length - 1]?.toFixed(1)} ms`);
console.log(`GET /jobs/{id}, handled in the server (request log): ${serverPollMs.length}, p50 ${sp(0.5).toFixed(2)} ms, p99 ${sp(0.99).toFixed(2)} ms, max ${serverPollMs[serverPollMs.length - 1]?.toFixed(1)} ms`);
console.log(`warm-up: first tenth ${(tenth / 60_000).toFixed(1)} min (RSS deviation after it ${(deviation(tenth) * 100).toFixed(1)} %), JS heap sized at ${(sized / 60_000).toFixed(1)} min; main heap used after warm-up: ${heapGrowth >= 0 ? '+' : ''}${heapGrowth.toFixed(1)} MB from the first to the last fifth`);
console.log(`RSS after warm-up (${(warm / 60_000).toFixed(1)} min): mean ${mean.toFixed(0)} MB, min ${Math.min(...after).toFixed(0)}, max ${Math.max(...after).toFixed(0)}, largest deviation ${(spread * 100).toFixed(1)} %; samples ${rss.map((s) => s.mb.toFixed(0)).join(' ')}`);
console.log('memory by minute (MB): rss / main heap used / heap total / external / array buffers');
for (let m = 0; m * 60_000 <= minutes * 60_000; m++) {
  const s = rss.filter((x) => x.at >= m * 60_000 && x.at < (m + 1) * 60_000).at(-1);
  if (s?.mem) console.log(`  ${String(m).padStart(3)} min: ${s.mb.toFixed(0)} / ${s.mem.heapUsed} / ${s.mem.heapTotal} / ${s.mem.external} / ${s.mem.arrayBuffers}`);
}
for (const e of errors.slice(0, 20)) console.log('error:', e);
// p99 is judged in the server (request log) and at a client of its own (the probe): the load
// generator's own round trips carry its busy event loop's delays, which say nothing of the service.
probed.ms.sort((a, b) => a - b);
const pp = (q: number) => probed.ms[Math.min(probed.ms.length - 1, Math.floor(q * probed.ms.length))] ?? NaN;
console.log(`GET /jobs/{id}, a client of its own (probe process, one keep-alive connection, every 50 ms): ${probed.ms.length} requests, ${probed.errors} failed, p50 ${pp(0.5).toFixed(2)} ms, p99 ${pp(0.99).toFixed(2)} ms, max ${probed.ms.at(-1)?.toFixed(1)} ms`);
const ok = alive && lost === 0 && sp(0.99) < 10 && pp(0.99) < 10 && probed.errors === 0 && spread <= 0.1 && heapGrowth < 20 && errors.length === 0;
console.log(ok ? 'PASS' : `FAIL (alive ${alive}, lost ${lost}, server p99 ${sp(0.99).toFixed(2)} ms, probe p99 ${pp(0.99).toFixed(2)} ms, RSS deviation ${(spread * 100).toFixed(1)} %, heap used ${heapGrowth.toFixed(1)} MB, ${errors.length} errors)`);
await svc.stop();
await redisServer?.stop();
process.exit(ok ? 0 : 1);
