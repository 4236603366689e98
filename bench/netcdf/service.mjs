// The bundled service (dist/subsetd.cjs serve) on a free port, for the NetCDF bench: jobs go in
// over the OGC API exactly as a user sends them, and time is submission to "successful".
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function startService(root, dataRoot, env = {}) {
  const state = mkdtempSync(join(tmpdir(), 'subsetd-bench-nc-'));
  const proc = spawn(process.execPath, [join(process.env.BENCH_SUBSETD_DIST ?? join(root, 'dist'), 'subsetd.cjs'), 'serve'], {
    env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SUBSETD_'))), SUBSETD_PORT: '0', SUBSETD_HOST: '127.0.0.1', SUBSETD_STATE_DIR: state, SUBSETD_DATA_ROOT: dataRoot, SUBSETD_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise((resolve, reject) => {
    const onData = (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.includes('"subsetd started"'));
      if (line) resolve(JSON.parse(line).url);
      if (out.length > 1e6) out = out.slice(-1e5);
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('exit', (c) => reject(new Error(`service exited ${c}: ${out}`)));
    setTimeout(() => reject(new Error(`service did not start: ${out}`)), 30000);
  });
  const json = async (path, init) => {
    const r = await fetch(url + path, init);
    return { status: r.status, body: await r.json().catch(() => null) };
  };
  /** Runs a netcdf-subset job; resolves with seconds from submission to success. */
  const run = async (inputs) => {
    const t0 = performance.now();
    const r = await json('/processes/netcdf-subset/execution', { method: 'POST', headers: { 'content-type': 'application/json', prefer: 'respond-async' }, body: JSON.stringify({ inputs }) });
    if (r.status !== 201) throw new Error(`submit: ${r.status} ${JSON.stringify(r.body)}`);
    for (;;) {
      const s = await json(`/jobs/${r.body.jobID}`);
      if (s.body.status === 'successful') return (performance.now() - t0) / 1000;
      if (s.body.status === 'failed' || s.body.status === 'dismissed') throw new Error(`job ${s.body.status}: ${s.body.message}`);
      await new Promise((res) => setTimeout(res, 20));
    }
  };
  /**
   * Runs a netcdf-subset job in one round trip (OGC sync-execute: no Prefer header), as a user
   * wanting the answer now does; `extra` is merged into the execute request (outputs, response).
   * A job still running after SUBSETD_SYNC_TIMEOUT answers 201: then it is polled. Resolves with
   * seconds from submission to the answer, and the answer's body as text.
   */
  const runSync = async (inputs, extra = {}) => {
    const t0 = performance.now();
    const r = await fetch(url + '/processes/netcdf-subset/execution', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs, ...extra }) });
    const body = await r.text();
    if (r.status === 200) return { seconds: (performance.now() - t0) / 1000, body };
    if (r.status !== 201) throw new Error(`submit: ${r.status} ${body}`);
    const id = JSON.parse(body).jobID;
    for (;;) {
      const s = await json(`/jobs/${id}`);
      if (s.body.status === 'successful') return { seconds: (performance.now() - t0) / 1000, body: '' };
      if (s.body.status === 'failed' || s.body.status === 'dismissed') throw new Error(`job ${s.body.status}: ${s.body.message}`);
      await new Promise((res) => setTimeout(res, 20));
    }
  };
  /** Service log lines seen so far (its stdout and stderr, the last ~1 MB). */
  const logs = () => out;
  /** Peak RSS (MB) of the service process since the last reset (VmHWM). */
  const peakRss = () => Number(readFileSync(`/proc/${proc.pid}/status`, 'utf8').match(/VmHWM:\s+(\d+)/)[1]) / 1024;
  const rss = () => Number(readFileSync(`/proc/${proc.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]) / 1024;
  // Writing 5 to clear_refs resets VmHWM (Linux >= 4.0).
  const resetPeak = () => writeFileSync(`/proc/${proc.pid}/clear_refs`, '5');
  const stop = () => {
    proc.kill('SIGTERM');
    rmSync(state, { recursive: true, force: true });
  };
  return { url, run, runSync, logs, peakRss, rss, resetPeak, stop, pid: proc.pid };
}
