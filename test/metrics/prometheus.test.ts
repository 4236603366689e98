/**
 * A real Prometheus (Debian's) scrapes subsetd with the shipped docs/metrics/prometheus.yml (its
 * targets and token file pointed at this test's nodes): both jobs are up — the metrics listener
 * without a token, the API port with an admin token — the values it stores move when a job
 * runs, and every query of the shipped Grafana dashboard is valid PromQL over metrics that exist.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLI, ROOT, startService, type RunningService } from '../helpers/service.js';
import { freePort } from '../helpers/nginx.js';
import { scrape } from './prom.js';
import { until } from '../helpers/until.js';

let listenerNode: RunningService, apiNode: RunningService;
let prometheus: ChildProcess;
let promUrl: string;
const dir = mkdtempSync(join(tmpdir(), 'subsetd-prometheus-'));

async function query(q: string): Promise<{ status: string; data?: { result: Array<{ metric: Record<string, string>; value: [number, string] }> }; error?: string }> {
  return (await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`)).json();
}

beforeAll(async () => {
  listenerNode = await startService({ SUBSETD_AUTH: 'tokens', SUBSETD_SIGNING_KEY: 'k'.repeat(32), SUBSETD_METRICS_ADDR: '127.0.0.1:0' });
  apiNode = await startService({ SUBSETD_AUTH: 'tokens', SUBSETD_SIGNING_KEY: 'k'.repeat(32) });
  const made = spawnSync(process.execPath, [CLI, 'tokens', 'create', '--name', 'prometheus', '--scope', 'admin'], { env: { PATH: process.env.PATH, ...apiNode.env }, encoding: 'utf8' });
  writeFileSync(join(dir, 'subsetd.token'), made.stdout.trim().split('\n').pop()!, { mode: 0o600 });

  const metricsUrl = new URL(JSON.parse(listenerNode.logs.find((l) => l.includes('"subsetd started"'))!).metricsUrl);
  const config = parse(readFileSync(join(ROOT, 'docs/metrics/prometheus.yml'), 'utf8'));
  config.global.scrape_interval = '1s';
  const [listenerJob, apiJob] = config.scrape_configs;
  listenerJob.static_configs[0].targets = [metricsUrl.host];
  apiJob.static_configs[0].targets = [new URL(apiNode.url).host];
  apiJob.authorization.credentials_file = join(dir, 'subsetd.token');
  writeFileSync(join(dir, 'prometheus.yml'), stringify(config));

  const port = await freePort();
  promUrl = `http://127.0.0.1:${port}`;
  prometheus = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
  await until('Prometheus ready', async () => (await fetch(`${promUrl}/-/ready`).catch(() => null))?.status === 200, 20_000, 200);
}, 60_000);

afterAll(async () => {
  prometheus?.kill('SIGKILL');
  listenerNode?.cleanup();
  apiNode?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

it('scrapes both jobs of the shipped config, and the stored values move when a job runs', async () => {
  await until('both targets up', async () => {
    const r = await query('up');
    const up = Object.fromEntries((r.data?.result ?? []).map((s) => [s.metric.job, s.value[1]]));
    return up.subsetd === '1' && up['subsetd-api'] === '1';
  }, 20_000, 200);
  const admin = readFileSync(join(dir, 'subsetd.token'), 'utf8');
  const run = await fetch(`${apiNode.url}/processes/hello-world/execution`, { method: 'POST', headers: { Authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ inputs: { name: 'prometheus' } }) });
  expect(run.status).toBe(200);
  await until('the job counted in Prometheus', async () => {
    const r = await query('subsetd_job_transitions_total{job="subsetd-api",process="hello-world",status="successful"}');
    return r.data?.result[0]?.value[1] === '1';
  }, 20_000, 200);
  const busy = await query('sum(subsetd_worker_slots) by (job)');
  expect(busy.data!.result.map((s) => [s.metric.job, s.value[1]]).sort()).toEqual([['subsetd', '2'], ['subsetd-api', '2']]);
});

it('every Grafana dashboard query is valid PromQL over metrics subsetd exports', async () => {
  const dashboard = JSON.parse(readFileSync(join(ROOT, 'docs/metrics/grafana-dashboard.json'), 'utf8'));
  const exprs: string[] = dashboard.panels.flatMap((p: { targets: Array<{ expr: string }> }) => p.targets.map((t) => t.expr));
  expect(exprs.length).toBeGreaterThanOrEqual(10);
  const exported = await scrape(JSON.parse(listenerNode.logs.find((l) => l.includes('"subsetd started"'))!).metricsUrl);
  for (const expr of exprs) {
    const r = await query(expr);
    expect(r.status, `${expr}: ${r.error}`).toBe('success');
    for (const name of expr.match(/\b(subsetd|process|nodejs)_[a-z_0-9]+/g) ?? []) {
      const base = name.replace(/_(bucket|sum|count)$/, '');
      expect(exported.has(base), `${name} in "${expr}" is not exported`).toBe(true);
    }
  }
});
