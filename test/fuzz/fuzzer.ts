/**
 * Sends generated requests to a running service and checks what the issue asks of it: no 5xx,
 * the process never dies, every job it accepted ends (polled to a terminal state, dismissing
 * what still runs at the end), and RSS after the run <= RSS before + 50 MB.
 * Used by test/fuzz/fuzz.test.ts (short form) and bench/fuzz/run.ts (`npm run fuzz`).
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { RequestGenerator, type FuzzRequest } from './requests.js';

export type Principal = 'none' | 'bad' | 'read' | 'submit' | 'admin';

export interface FuzzOptions {
  url: string;
  /** The service's pid, for RSS and liveness. */
  pid: number;
  /** Secret of each scope's token; empty when the service runs without auth. */
  tokens: Partial<Record<'read' | 'submit' | 'admin', string>>;
  requests: number;
  /** Files under the service's data root (see makeFuzzData) for inputs that name data. */
  dataFiles?: string[];
  seed?: number;
  concurrency?: number;
  /**
   * Requests sent before RSS "before" is read (default: 10 %, 500-10,000); they count in the
   * totals. V8 lets the old generation grow to a multiple of the live set before it collects
   * (measured: capped at 60 MB, the API thread's RSS stays flat over thousands of jobs), so
   * RSS is compared once that plateau is reached, not from a cold start.
   */
  warmup?: number;
  /** Longest wait for accepted jobs at the end before the rest are dismissed. */
  drainMs?: number;
  progress?: (line: string) => void;
}

export interface FuzzReport {
  sent: number;
  byStatus: Record<string, number>;
  byPrincipal: Record<string, number>;
  /** Per operation (`POST /processes/{id}/execution`...), counts by status. */
  byOperation: Record<string, Record<string, number>>;
  serverErrors: Array<{ status: number | string; req: Omit<FuzzRequest, 'body'> & { body?: string }; response: string }>;
  accepted: number;
  notEnded: string[];
  /** Before any request; before the measured part (after the warm-up); after the run. */
  rssIdleMb: number;
  rssBeforeMb: number;
  rssAfterMb: number;
  alive: boolean;
  ms: number;
}

export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const TERMINAL = new Set(['successful', 'failed', 'dismissed']);

/** Reads at most 64 KB of a body (an event stream would never end), then lets it go. */
async function drain(res: Response): Promise<string> {
  if (!res.body) return '';
  if ((res.headers.get('content-type') ?? '').includes('text/event-stream')) {
    await res.body.cancel();
    return '';
  }
  const reader = res.body.getReader();
  let text = '';
  const dec = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (text.length < 65536) text += dec.decode(value, { stream: true });
    else {
      await reader.cancel();
      break;
    }
  }
  return text;
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const t0 = Date.now();
  const auth = (p: Principal): Record<string, string> =>
    p === 'none' ? {} : p === 'bad' ? { Authorization: 'Bearer sdt_bad0000000000000000000000000000000000000000' } : o.tokens[p] ? { Authorization: `Bearer ${o.tokens[p]}` } : {};
  const principals: Principal[] = o.tokens.admin ? ['none', 'bad', 'read', 'submit', 'admin'] : ['none'];
  const adminHeaders = auth(o.tokens.admin ? 'admin' : 'none');

  const spec = await (await fetch(`${o.url}/openapi.json`, { headers: adminHeaders })).json();
  const gen = new RequestGenerator(spec, o.dataFiles);
  // Those who may do most are sent most, so requests get past the 401/403 gate into the handlers.
  const weight: Record<Principal, number> = { none: 1, bad: 1, read: 1, submit: 2, admin: 2 };
  const arb = fc
    .oneof(...principals.map((p) => ({ weight: weight[p], arbitrary: fc.constant(p) })))
    .chain((p) => gen.arbitrary(fc.constant(auth(p))).map((r) => ({ p, r })));

  const report: FuzzReport = { sent: 0, byStatus: {}, byPrincipal: {}, byOperation: {}, serverErrors: [], accepted: 0, notEnded: [], rssIdleMb: rssMb(o.pid), rssBeforeMb: NaN, rssAfterMb: NaN, alive: true, ms: 0 };
  const accepted = new Set<string>();
  const batch = 500;
  let seed = o.seed ?? 1;
  let next = 0;
  let queue: Array<{ p: Principal; r: FuzzRequest }> = [];
  const take = () => {
    if (next >= o.requests) return null;
    if (!queue.length) queue = fc.sample(arb, { numRuns: Math.min(batch, o.requests - next), seed: seed++ });
    next++;
    return queue.pop()!;
  };
  const count = (key: string) => (report.byStatus[key] = (report.byStatus[key] ?? 0) + 1);

  let limit = 0;
  const worker = async () => {
    for (let item = next < limit ? take() : null; item; item = next < limit ? take() : null) {
      const { p, r } = item;
      report.byPrincipal[p] = (report.byPrincipal[p] ?? 0) + 1;
      let status: number | string;
      let text = '';
      try {
        const res = await fetch(o.url + r.path, { method: r.method, headers: r.headers, body: r.body as BodyInit | undefined, signal: AbortSignal.timeout(60_000), redirect: 'manual' });
        status = res.status;
        text = await drain(res);
        // HEAD has no body: for the report of a 5xx, ask the same as GET.
        if (r.method === 'HEAD' && status >= 500) text = await drain(await fetch(o.url + r.path, { headers: r.headers, signal: AbortSignal.timeout(60_000) }));
      } catch (e) {
        const err = e as Error & { cause?: { code?: string } };
        status = `error:${err.cause?.code ?? err.name}`;
      }
      report.sent++;
      // Every 5xx counts as the server's failure, with one exception reported apart: a
      // synchronous `sleep` run with `fail: true` answers 500 job-failed because the request
      // asked its job to fail (the results of a failed job answer 409; bad input 400).
      const asked = status === 500 && text.includes('problem:job-failed') && text.includes('sleep was asked to fail');
      const key = asked ? '500 sleep asked to fail' : String(status);
      count(key);
      const perOp = (report.byOperation[r.op] ??= {});
      perOp[key] = (perOp[key] ?? 0) + 1;
      if ((typeof status === 'string' || status >= 500) && !asked && report.serverErrors.length < 50)
        report.serverErrors.push({ status, req: { ...r, body: r.body === undefined ? undefined : typeof r.body === 'string' ? r.body.slice(0, 500) : `<${r.body.length} bytes>` }, response: text.slice(0, 500) });
      if (status === 200 || status === 201) {
        const m = /"(?:jobID|id)"\s*:\s*"([A-Za-z0-9-]{8,80})"/.exec(text);
        if (m) {
          gen.jobIds.push(m[1]);
          if (gen.jobIds.length > 1000) gen.jobIds.splice(0, 500);
          if (r.method === 'POST' && (status === 201 || r.path.startsWith('/isimip'))) accepted.add(m[1]);
        }
      }
      if (report.sent % 5000 === 0) o.progress?.(`${report.sent} sent, ${JSON.stringify(report.byStatus)}, RSS ${rssMb(o.pid).toFixed(0)} MB`);
      if (report.sent % 1000 === 0 && !isAlive(o.pid)) throw new Error(`the service died after ${report.sent} requests`);
    }
  };
  const workers = () => Promise.all(Array.from({ length: o.concurrency ?? 8 }, worker));
  // Warm-up: the first requests of each kind load code and fill caches once (h5wasm, country
  // outlines, worker threads' heaps); RSS "before" is taken after them, "idle" before them.
  limit = Math.min(o.requests, o.warmup ?? Math.min(10_000, Math.max(500, Math.round(o.requests / 10))));
  await workers();
  await new Promise((r) => setTimeout(r, 1000));
  report.rssBeforeMb = rssMb(o.pid);
  limit = o.requests;
  await workers();
  report.accepted = accepted.size;

  // Every accepted job ends: wait, then dismiss what still runs (a fuzzed `sleep` may be long).
  const statusOf = async (id: string): Promise<string> => {
    const ogc = await fetch(`${o.url}/jobs/${encodeURIComponent(id)}`, { headers: adminHeaders });
    if (ogc.ok) return (await ogc.json()).status;
    await ogc.body?.cancel();
    const isimip = await fetch(`${o.url}/isimip/v2/${encodeURIComponent(id)}`, { headers: adminHeaders });
    if (!isimip.ok) return `missing (${isimip.status})`;
    const s = (await isimip.json()).status;
    return ({ queued: 'accepted', started: 'running', finished: 'successful' } as Record<string, string>)[s] ?? s;
  };
  const open = async () => {
    const left: string[] = [];
    for (const id of accepted) if (!TERMINAL.has(await statusOf(id))) left.push(id);
    return left;
  };
  let left = await open();
  const until = Date.now() + (o.drainMs ?? 20_000);
  while (left.length && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 500));
    left = await open();
  }
  for (const id of left) await (await fetch(`${o.url}/jobs/${encodeURIComponent(id)}`, { method: 'DELETE', headers: adminHeaders })).body?.cancel();
  const stopBy = Date.now() + 30_000;
  while (left.length && Date.now() < stopBy) {
    await new Promise((r) => setTimeout(r, 250));
    left = await open();
  }
  report.notEnded = await Promise.all(left.map(async (id) => `${id}: ${await statusOf(id)}`));
  await new Promise((r) => setTimeout(r, 2000)); // let the last requests' garbage be collected
  report.rssAfterMb = rssMb(o.pid);
  report.alive = isAlive(o.pid);
  report.ms = Date.now() - t0;
  return report;
}
