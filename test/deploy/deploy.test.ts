// The shipped artefacts for real: the single executable run from an empty directory with no node
// on PATH, the nginx site in front of it (Debian's nginx), and the systemd unit verified.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_PLUGIN, ROOT, startService, waitForJob, type RunningService } from '../helpers/service.js';

const work = mkdtempSync(join(tmpdir(), 'subsetd-deploy-'));
const app = join(work, 'app');
const emptyBin = join(work, 'empty-bin');
let svc: RunningService;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build-sea.mjs')], { cwd: ROOT, stdio: 'ignore' });
  const tgz = readFileSync(join(ROOT, 'dist/subsetd-0.1.0-linux-x64.tar.gz').replace('0.1.0', JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version));
  writeFileSync(join(work, 'release.tar.gz'), tgz);
  execFileSync('tar', ['-xzf', join(work, 'release.tar.gz'), '-C', work]);
  execFileSync('mv', [join(work, `subsetd-${JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version}-linux-x64`), app]);
  cpSync(FIXTURE_PLUGIN, join(app, 'test-processors.cjs'));
  execFileSync('mkdir', ['-p', emptyBin]);
  svc = await startService(
    { SUBSETD_PLUGINS: join(app, 'test-processors.cjs'), SUBSETD_CACHE_DIR: join(work, 'cache'), SUBSETD_TRUST_PROXY: '1', SUBSETD_ACCEL_REDIRECT: '/_subsetd_results/', SUBSETD_BODY_LIMIT: '1M' },
    undefined,
    ['serve'],
    [join(app, 'subsetd')],
    // No node anywhere on PATH, no node_modules near the executable: only what it carries.
    { PATH: emptyBin, HOME: work },
  );
}, 180_000);
afterAll(() => {
  svc?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

describe('release tarball', () => {
  it('holds the executable, units, nginx site, env template and installer', () => {
    for (const f of ['subsetd', 'systemd/subsetd.service', 'systemd/nginx/subsetd.conf', 'scripts/install.sh', 'subsetd.env.example', 'DEPLOY.md']) expect(existsSync(join(app, f)), f).toBe(true);
    const env = readFileSync(join(app, 'subsetd.env.example'), 'utf8');
    for (const k of ['SUBSETD_PORT', 'SUBSETD_STATE_DIR', 'SUBSETD_REDIS_URL', 'SUBSETD_RESULT_TTL']) expect(env).toContain(`#${k}=`);
    expect(existsSync(join(app, 'node_modules'))).toBe(false);
  });

  it('--version names version, commit, SQLite and GDAL without node on PATH', () => {
    const r = spawnSync(join(app, 'subsetd'), ['--version'], { env: { PATH: emptyBin, HOME: work, SUBSETD_CACHE_DIR: join(work, 'cache') }, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/subsetd \d+\.\d+\.\d+ \(commit \w+\)/);
    expect(r.stdout).toMatch(/sqlite 3\./);
    expect(r.stdout).toMatch(/gdal 3\.\d+/);
  });
});

describe('single executable', () => {
  it('unpacks its runtime once, even when several processes start at the same moment', async () => {
    const cache = join(work, 'race-cache');
    const run = () =>
      new Promise<number | null>((resolve) => {
        const p = spawn(join(app, 'subsetd'), ['--version'], { env: { PATH: emptyBin, HOME: work, SUBSETD_CACHE_DIR: cache }, stdio: 'ignore' });
        p.on('exit', resolve);
      });
    const codes = await Promise.all([run(), run(), run(), run()]);
    expect(codes).toEqual([0, 0, 0, 0]);
    const { readdirSync } = await import('node:fs');
    const entries = readdirSync(cache);
    expect(entries).toHaveLength(1); // one hash dir, no temp leftovers
    expect(existsSync(join(cache, entries[0], '.complete'))).toBe(true);
  });

  it('serves /health, runs hello-world and a file job, and serves the download', async () => {
    expect((await svc.json('/health')).status).toBe(200);
    const hello = await svc.json('/processes/hello-world/execution', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: { name: 'VM' } }) });
    expect(hello.body).toEqual({ echo: 'Hello VM!' });
    // Without nginx in front, an X-Accel-Redirect would be empty: check the header is set.
    const r = await svc.json('/processes/test-file/execution', { method: 'POST', headers: { 'content-type': 'application/json', prefer: 'respond-async' }, body: JSON.stringify({ inputs: { text: 'from the executable' } }) });
    await waitForJob(svc, r.body.jobID);
    const res = await fetch(`${svc.url}/jobs/${r.body.jobID}/files/sub/hello.txt`);
    expect(res.headers.get('x-accel-redirect')).toBe(`/_subsetd_results/${r.body.jobID}/sub/hello.txt`);
  });
});

describe('behind nginx', () => {
  let nginx: ChildProcess;
  let base: string;
  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const site = readFileSync(join(app, 'systemd/nginx/subsetd.conf'), 'utf8')
      .replaceAll('__LISTEN__', `127.0.0.1:${port}`)
      .replaceAll('__UPSTREAM__', new URL(svc.url).host)
      .replaceAll('__RESULTS_DIR__', `${svc.stateDir}/results/`)
      .replaceAll('__BODY_LIMIT__', '1m');
    const n = join(work, 'nginx');
    execFileSync('mkdir', ['-p', n]);
    writeFileSync(
      join(n, 'nginx.conf'),
      `daemon off; user root; worker_processes 1; pid ${n}/nginx.pid; error_log ${n}/error.log;
events { worker_connections 64; }
http { access_log ${n}/access.log; client_body_temp_path ${n}/body; proxy_temp_path ${n}/proxy;
  fastcgi_temp_path ${n}/fcgi; uwsgi_temp_path ${n}/uwsgi; scgi_temp_path ${n}/scgi;
  ${site} }`,
    );
    const t = spawnSync('nginx', ['-t', '-c', join(n, 'nginx.conf'), '-p', n], { encoding: 'utf8' });
    expect(t.status, t.stderr).toBe(0);
    nginx = spawn('nginx', ['-c', join(n, 'nginx.conf'), '-p', n], { stdio: 'ignore' });
    for (let i = 0; i < 50; i++) {
      try {
        await fetch(`${base}/api/health`);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  });
  afterAll(() => nginx?.kill('SIGQUIT'));

  it('landing-page links carry the public prefix', async () => {
    const body = await (await fetch(`${base}/api/`)).json();
    for (const l of body.links) expect(l.href.startsWith(`${base}/api/`), l.href).toBe(true);
  });

  it("an async job's Location is correct, and nginx serves the download via X-Accel-Redirect", async () => {
    const res = await fetch(`${base}/api/processes/test-file/execution`, { method: 'POST', headers: { 'content-type': 'application/json', prefer: 'respond-async' }, body: JSON.stringify({ inputs: { text: 'served by nginx itself' } }) });
    expect(res.status).toBe(201);
    const job = await res.json();
    expect(res.headers.get('location')).toBe(`${base}/api/jobs/${job.jobID}`);
    await waitForJob(svc, job.jobID);
    const results = await (await fetch(`${base}/api/jobs/${job.jobID}/results`)).json();
    expect(results.out.href).toBe(`${base}/api/jobs/${job.jobID}/files/sub/hello.txt`);
    const dl = await fetch(results.out.href);
    expect(dl.status).toBe(200);
    expect(dl.headers.get('x-served-by')).toBe('nginx-accel');
    expect(await dl.text()).toBe('served by nginx itself');
    const part = await fetch(results.out.href, { headers: { Range: 'bytes=10-14' } });
    expect(part.status).toBe(206);
    expect(await part.text()).toBe('nginx');
    // subsetd still checks the job: an unknown one is a 404 from subsetd, not a file.
    expect((await fetch(`${base}/api/jobs/nope/files/sub/hello.txt`)).status).toBe(404);
  });

  it('rejects an upload above the limit with 413', async () => {
    const res = await fetch(`${base}/api/processes/hello-world/execution`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: { name: 'x'.repeat(2 * 2 ** 20) } }) });
    expect(res.status).toBe(413);
  });
});

describe('systemd unit', () => {
  it('passes systemd-analyze verify', () => {
    const unit = join(work, 'subsetd.service');
    writeFileSync(unit, readFileSync(join(ROOT, 'systemd/subsetd.service'), 'utf8').replaceAll('/usr/local/bin/subsetd', join(app, 'subsetd')));
    const r = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });

  it('has a why-comment before every setting', () => {
    const lines = readFileSync(join(ROOT, 'systemd/subsetd.service'), 'utf8').split('\n');
    const settings = lines.filter((l) => /^[A-Z]\w+=/.test(l));
    expect(settings.length).toBeGreaterThan(20);
    lines.forEach((l, i) => {
      if (!/^[A-Z]\w+=/.test(l) || /^(Description|Documentation|WantedBy)=/.test(l)) return;
      let j = i - 1;
      while (j >= 0 && /^[A-Z]\w+=/.test(lines[j])) j--;
      expect(lines[j]?.startsWith('#'), `no comment above ${l}`).toBe(true);
    });
  });
});
