/**
 * The console in chromium through Debian's nginx with the shipped site (systemd/nginx/subsetd.conf,
 * the API under /api/): every asset and API call answers 200 (201 for a new job), all under
 * /api/ on the page's own origin; a job submitted from the form finishes live.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot, type LaunchedBrowser } from '../helpers/browser.js';
import { ROOT, startServiceWithData, type RunningService } from '../helpers/service.js';

const nginxBin = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
let svc: RunningService;
let nginx: ChildProcess | undefined;
let base: string;
let b: LaunchedBrowser;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  if (!nginxBin) throw new Error('nginx is not installed: run scripts/system-deps.sh test');
  ({ svc } = await startServiceWithData({ SUBSETD_TRUST_PROXY: '1', SUBSETD_ACCEL_REDIRECT: '/_subsetd_results/' }));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const site = readFileSync(join(ROOT, 'systemd/nginx/subsetd.conf'), 'utf8')
    .replaceAll('__LISTEN__', `127.0.0.1:${port}`)
    .replaceAll('__UPSTREAM__', new URL(svc.url).host)
    .replaceAll('__RESULTS_DIR__', `${svc.stateDir}/results/`)
    .replaceAll('__BODY_LIMIT__', '10m');
  const dir = join(svc.stateDir, 'nginx');
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off; user root; worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 64; }
http { include /etc/nginx/mime.types; default_type application/octet-stream; sendfile on; access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  ${site} }`,
  );
  const t = spawnSync(nginxBin, ['-t', '-c', join(dir, 'nginx.conf'), '-p', dir], { encoding: 'utf8' });
  expect(t.status, t.stderr).toBe(0);
  nginx = spawn(nginxBin, ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: 'ignore' });
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/api/health`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (i > 100) throw new Error(`nginx did not come up: ${readFileSync(join(dir, 'error.log'), 'utf8')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  b = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await b?.close();
  if (nginx && nginx.exitCode === null) {
    const gone = new Promise((r) => nginx!.once('exit', r));
    nginx.kill('SIGQUIT');
    await gone;
  }
  svc?.cleanup();
});

describe('the console behind nginx under /api/', () => {
  it('loads from /api/, submits a job from the form and sees it finish; every asset and API call is 200', async () => {
    const rec = await newPage(b);
    const { page } = rec;
    const statuses: string[] = [];
    page.on('response', (r) => statuses.push(`${r.status()} ${r.request().method()} ${r.url()}`));
    // The site root of the API with a browser's Accept is the console.
    await page.goto(`${base}/api/`);
    await page.locator('.view.jobs').waitFor();
    await page.getByRole('link', { name: 'New job', exact: true }).first().click();
    await page.waitForURL(`${base}/api/ui/new`);
    await page.getByRole('link', { name: 'Hello World' }).click();
    await page.getByLabel('Name').fill('nginx');
    await page.getByRole('button', { name: 'Run' }).click();
    await page.waitForURL(/\/api\/ui\/jobs\/[^/]+$/);
    await expect.poll(() => page.locator('.view.job').getAttribute('data-status'), { timeout: 15_000 }).toBe('successful');
    // A deep link reloads into the same view.
    await page.reload();
    await expect.poll(() => page.locator('.view.job').getAttribute('data-status')).toBe('successful');
    await page.goto(`${base}/api/ui/new?process=netcdf-subset`);
    await page.locator('.data-browser').waitFor();
    await expect.poll(() => page.locator('.map').getAttribute('data-extent')).toBeTruthy();
    await page.waitForTimeout(500);
    await screenshot(page, 'nginx-new-job-netcdf');

    expect(rec.requests.filter((u) => !u.startsWith(`${base}/api/`) && !u.startsWith('data:'))).toEqual([]);
    const assets = statuses.filter((s) => s.includes('/api/ui/assets/'));
    expect(assets.some((s) => /\.js$/.test(s)) && assets.some((s) => /\.css$/.test(s)) && assets.some((s) => /countries-110m\.json$/.test(s))).toBe(true);
    expect(statuses.filter((s) => !/^200 /.test(s) && !/^201 POST .*\/execution$/.test(s))).toEqual([]);
    expect(rec.failures).toEqual([]);
    expect(rec.errors).toEqual([]);
  });
});
