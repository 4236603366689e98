/**
 * The console in chromium through Debian's nginx with the shipped site (systemd/nginx/subsetd.conf,
 * the API under /api/): every asset and API call answers 200 (201 for a new job), all under
 * /api/ on the page's own origin; a job submitted from the form finishes live.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot, type LaunchedBrowser } from '../helpers/browser.js';
import { startNginx, type RunningNginx } from '../helpers/nginx.js';
import { startServiceWithData, type RunningService } from '../helpers/service.js';

let svc: RunningService;
let nginx: RunningNginx;
let base: string;
let b: LaunchedBrowser;

beforeAll(async () => {
  ({ svc } = await startServiceWithData({ SUBSETD_TRUST_PROXY: '1', SUBSETD_ACCEL_REDIRECT: '/_subsetd_results/' }));
  nginx = await startNginx({ upstream: new URL(svc.url).host, resultsDir: `${svc.stateDir}/results/` });
  base = nginx.base;
  b = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await b?.close();
  await nginx?.stop();
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
