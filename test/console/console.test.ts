/**
 * The web console in Debian's chromium against the real service (dist/subsetd.cjs): forms
 * generated from process descriptions, live job updates without reloads, the data browser, the
 * map, mask preview, downloads, dismissal, 400s next to their fields; nothing requested from
 * another origin, no console error. Every view is screenshotted at 1280×800 and 1920×1080.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { foreignRequests, launchBrowser, newPage, screenshot, unlabelledControls, type LaunchedBrowser, type RecordedPage } from '../helpers/browser.js';
import { ASYNC, post, startServiceWithSample, waitForJob, type RunningService } from '../helpers/service.js';

/** The NetCDF file `subsetd sample-data` writes (a newcomer's first data). */
let NC: string;
let svc: RunningService;
let b: LaunchedBrowser;
let rec: RecordedPage;
const pages: RecordedPage[] = [];
let helloId: string;

async function open(path: string, opts: { width?: number; height?: number; dark?: boolean } = {}): Promise<RecordedPage> {
  const r = await newPage(b, opts);
  pages.push(r);
  await r.page.goto(`${svc.url}/ui/${path}`);
  return r;
}

/** Clicks the map at a lon/lat, from the view extent the map publishes on its element. */
async function clickMap(page: Page, lon: number, lat: number) {
  const map = page.locator('.map').first();
  await expect.poll(() => map.getAttribute('data-extent')).toBeTruthy();
  const [minx, miny, maxx, maxy] = (await map.getAttribute('data-extent'))!.split(',').map(Number);
  const box = (await map.boundingBox())!;
  await page.mouse.click(box.x + ((lon - minx) / (maxx - minx)) * box.width, box.y + ((maxy - lat) / (maxy - miny)) * box.height);
}

/** Cells with a value (not _FillValue) in the first time step of a NetCDF file, counted by cdo. */
function validCells(file: string): number {
  const r = spawnSync('cdo', ['-s', 'outputtab,value', '-fldsum', '-gtc,0', '-seltimestep,1', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return Number(r.stdout.trim().split('\n').pop());
}

beforeAll(async () => {
  const s = await startServiceWithSample();
  svc = s.svc;
  NC = s.nc;
  b = await launchBrowser();
});

afterAll(async () => {
  await b?.close();
  svc?.cleanup();
});

describe('console', () => {
  it('submits hello-world from the generated form and shows it successful without a reload', async () => {
    rec = await open('new?process=hello-world');
    const { page } = rec;
    await page.getByLabel('Name').fill('Console');
    await page.getByLabel('Message').fill('from the form');
    await page.evaluate(() => ((window as unknown as { noReload: boolean }).noReload = true));
    await page.getByRole('button', { name: 'Run' }).click();
    await page.waitForURL(/\/ui\/jobs\/[^/]+$/);
    await expect.poll(() => page.locator('.view.job').getAttribute('data-status'), { timeout: 15_000 }).toBe('successful');
    await expect.poll(() => page.locator('pre.json[aria-label="Result values"]').textContent()).toContain('Hello Console! from the form');
    expect(await page.evaluate(() => (window as unknown as { noReload?: boolean }).noReload)).toBe(true);
    helloId = page.url().split('/').pop()!;
    await screenshot(page, 'job-hello-world');
  });

  it('edit & run again opens the form filled with the job\u2019s inputs; the keyboard alone submits it', async () => {
    const { page } = await open(`jobs/${helloId}`);
    await page.getByRole('link', { name: 'Edit & run again' }).click();
    await page.waitForURL(new RegExp(`/ui/new\\?process=hello-world&from=${helloId}$`));
    await expect.poll(() => page.getByLabel('Name').inputValue()).toBe('Console');
    expect(await page.getByLabel('Message').inputValue()).toBe('from the form');
    await page.getByLabel('Name').focus();
    await page.keyboard.press('End');
    await page.keyboard.type(' again');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/ui\/jobs\/[^/]+$/);
    expect(page.url()).not.toContain(helloId);
    await expect.poll(() => page.locator('pre.json[aria-label="Result values"]').textContent(), { timeout: 15_000 }).toContain('Hello Console again! from the form');
  });

  it('shows the server\u2019s 400 next to the field it names', async () => {
    const r = await open('new?process=hello-world');
    const { page } = r;
    await page.getByRole('button', { name: 'Run' }).click();
    const err = page.locator('[data-field="inputs.name"] .field-error');
    await expect.poll(() => err.textContent()).toBe('is required');
    // The keyboard is taken to the field at fault.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('f-inputs-name');
    await screenshot(page, 'new-job-400');
    // That 400 is the only failed request (chromium logs it as a console error too).
    expect(r.failures).toEqual([`400 POST ${svc.url}/processes/hello-world/execution`]);
    pages.splice(pages.indexOf(r), 1);
    expect(foreignRequests(r, new URL(svc.url).origin)).toEqual([]);
  });

  it('masks the sample NetCDF to a country picked on the map, previews the cells, and downloads the output byte for byte', async () => {
    const { page } = await open('new?process=netcdf-subset', { width: 1920, height: 1080 });
    await page.locator('label.entry', { hasText: NC }).locator('input').check();
    await expect.poll(() => page.locator('.data-info').textContent()).toContain('720×360');
    await page.getByRole('button', { name: '+ Add step' }).click();
    await page.getByLabel('Step 1', { exact: true }).selectOption('mask_country');
    await page.getByRole('button', { name: 'Pick country on map' }).click();
    await clickMap(page, 10.4, 51.1);
    await expect.poll(() => page.getByTestId('boundary-value').textContent()).toBe('Germany (DEU)');
    await page.getByRole('button', { name: 'Preview selected cells' }).click();
    const preview = page.getByTestId('preview-cells');
    await expect.poll(() => preview.getAttribute('data-cells'), { timeout: 10_000 }).toBeTruthy();
    const cells = Number(await preview.getAttribute('data-cells'));
    expect(cells).toBeGreaterThan(100);
    await screenshot(page, 'new-job-netcdf-preview');

    await page.getByRole('button', { name: 'Run' }).click();
    await page.waitForURL(/\/ui\/jobs\/[^/]+$/);
    const jobId = page.url().split('/').pop()!;
    // Progress is shown while it runs, then the outputs.
    await expect.poll(() => page.locator('.view.job').getAttribute('data-status'), { timeout: 30_000 }).toBe('successful');
    expect(await page.getByLabel('Job progress').getAttribute('value')).toBe('100');
    // Timeline and the job's own log, with the region drawn on the map.
    await expect.poll(() => page.locator('.timeline').textContent()).toContain('Attempts1 of 3');
    await expect.poll(() => page.getByLabel('Job log').textContent()).toContain('successful');
    await page.locator('.view.job .map canvas').first().waitFor();
    const link = page.getByRole('link', { name: /^Download .*\.nc$/ });
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const got = readFileSync((await download.path())!);
    const results = await svc.json(`/jobs/${jobId}/results`);
    const href = results.body.files[0].href as string;
    const served = Buffer.from(await (await fetch(href)).arrayBuffer());
    expect(got.length).toBeGreaterThan(1000);
    expect(got.equals(served)).toBe(true);

    // The preview counted exactly the cells the job kept.
    expect(validCells((await download.path())!)).toBe(cells);
    await screenshot(page, 'job-netcdf');
  });

  it('dismisses a running sleep job after a confirmation', async () => {
    const { body } = await svc.json('/processes/sleep/execution', post({ inputs: { seconds: 60 } }, ASYNC));
    await waitForJob(svc, body.jobID, ['running']);
    const { page } = await open(`jobs/${body.jobID}`);
    await expect.poll(() => page.locator('.view.job').getAttribute('data-status')).toBe('running');
    await page.getByRole('button', { name: 'Dismiss' }).click();
    const dialog = page.getByRole('dialog', { name: 'Dismiss this job?' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await screenshot(page, 'job-dismiss-confirm');
    await dialog.getByRole('button', { name: 'Dismiss' }).click();
    await expect.poll(() => page.locator('.view.job').getAttribute('data-status')).toBe('dismissed');
    expect((await svc.json(`/jobs/${body.jobID}`)).body.status).toBe('dismissed');
  });

  it('dismisses selected jobs from the list after a confirmation (Escape cancels it)', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) ids.push((await svc.json('/processes/sleep/execution', post({ inputs: { seconds: 60 + i } }, ASYNC))).body.jobID);
    const { page } = await open('jobs?status=accepted,running');
    for (const id of ids) await page.getByRole('checkbox', { name: `Select job ${id}` }).check();
    await page.getByRole('button', { name: 'Dismiss selected (2)' }).click();
    const dialog = page.getByRole('dialog', { name: 'Dismiss 2 jobs?' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Dismiss selected (2)' }).click();
    await dialog.getByRole('button', { name: 'Dismiss' }).click();
    for (const id of ids) await expect.poll(async () => (await svc.json(`/jobs/${id}`)).body.status).toBe('dismissed');
    // They leave the filtered list live.
    await expect.poll(() => page.locator('tr[data-job]').count()).toBe(0);
  });

  it('lists jobs live: a new job appears and finishes without a reload; filters live in the URL', async () => {
    const rec = await open('jobs');
    const { page } = rec;
    await page.locator('tr[data-job]').first().waitFor();
    // Reported, not asserted: navigation start to the first job row, in a fresh browser context.
    console.log(`first load of the jobs view: ${Math.round(await page.evaluate(() => performance.now()))} ms to the first row`);
    const { body } = await svc.json('/processes/test-file/execution', post({ inputs: { text: 'live', delayMs: 1500 } }, ASYNC));
    const row = page.locator(`tr[data-job="${body.jobID}"]`);
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 10_000 }).toMatch(/accepted|running/);
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 15_000 }).toBe('successful');
    // One event stream for the view, not one per update.
    expect(rec.requests.filter((u) => u.includes('/jobs/events')).length).toBe(1);
    await page.getByRole('checkbox', { name: 'successful' }).check();
    await page.waitForURL(/status=successful/);
    await expect.poll(() => page.locator('tr[data-job]').evaluateAll((rows: Element[]) => rows.every((r) => r.getAttribute('data-status') === 'successful'))).toBe(true);
    await page.goto(`${svc.url}/ui/jobs`);
    await page.locator('tr[data-job]').first().waitFor();
    for (const size of [{ width: 1280, height: 800 }, { width: 1920, height: 1080 }]) {
      await page.setViewportSize(size);
      await screenshot(page, 'jobs');
    }
  });

  it("pages through the list by the server's links: Older and Newer, positions in the URL", async () => {
    // Enough hello-world jobs for three pages of 25, distinct inputs so none is shared.
    for (let i = 0; i < 55; i++) await svc.json('/processes/hello-world/execution', post({ inputs: { name: `page-${i}` } }));
    const all = (await svc.json('/jobs?processID=hello-world&limit=1000')).body.jobs.map((j: { jobID: string }) => j.jobID) as string[];
    const { page } = await open('jobs?process=hello-world');
    const rows = () => page.locator('tr[data-job]').evaluateAll((trs: Element[]) => trs.map((t) => t.getAttribute('data-job')));
    await expect.poll(rows).toEqual(all.slice(0, 25));
    const pager = page.getByRole('navigation', { name: 'Pages' });
    await expect.poll(() => pager.getByRole('button', { name: '← Newer' }).isDisabled()).toBe(true);
    await expect.poll(() => pager.textContent()).toContain(`25 shown of ${all.length}`);
    await pager.getByRole('button', { name: 'Older →' }).click();
    await page.waitForURL(/after=\d+\.\d+/);
    await expect.poll(rows).toEqual(all.slice(25, 50));
    await screenshot(page, 'jobs-page-2');
    await pager.getByRole('button', { name: 'Older →' }).click();
    await expect.poll(rows).toEqual(all.slice(50, 75));
    await pager.getByRole('button', { name: '← Newer' }).click();
    await page.waitForURL(/before=\d+\.\d+/);
    await expect.poll(rows).toEqual(all.slice(25, 50));
    await pager.getByRole('button', { name: '← Newer' }).click();
    await expect.poll(rows).toEqual(all.slice(0, 25));
    await expect.poll(() => pager.getByRole('button', { name: '← Newer' }).isDisabled()).toBe(true);
    // A filter change starts again at the newest page.
    await pager.getByRole('button', { name: 'Older →' }).click();
    await page.waitForURL(/after=/);
    await page.getByRole('checkbox', { name: 'successful' }).check();
    await page.waitForURL((u) => !u.search.includes('after=') && u.search.includes('status=successful'));
  });

  it('names every control of every view (label, aria-label or text)', async () => {
    const r = await open('jobs');
    await r.page.locator('tr[data-job]').first().waitFor();
    const found: string[] = [];
    for (const path of ['jobs', `jobs/${helloId}`, 'new', 'new?process=hello-world', 'new?process=netcdf-subset', 'new?process=clip-raster', 'new?process=package', 'admin', 'sign-in']) {
      await r.page.goto(`${svc.url}/ui/${path}`);
      await r.page.locator('main .view').first().waitFor();
      await r.page.waitForTimeout(300);
      if (path === 'new?process=netcdf-subset') {
        await r.page.getByRole('button', { name: '+ Add step' }).click();
        for (const op of ['mask_bbox', 'select_point', 'mask_country', 'mask_polygon']) await r.page.getByLabel('Step 1', { exact: true }).selectOption(op);
      }
      found.push(...(await unlabelledControls(r.page)).map((c) => `${path}: ${c}`));
    }
    expect(found).toEqual([]);
  });

  it('has an admin view, a sign-in view and an empty state', async () => {
    for (const size of [{ width: 1280, height: 800 }, { width: 1920, height: 1080 }]) {
      const r = await open('admin', size);
      await r.page.locator('.view.admin').waitFor();
      await r.page.waitForTimeout(500);
      await screenshot(r.page, 'admin');
      await r.page.goto(`${svc.url}/ui/sign-in`);
      await r.page.locator('.view.sign-in').waitFor();
      await screenshot(r.page, 'sign-in');
      await r.page.goto(`${svc.url}/ui/jobs?q=no-such-input-anywhere`);
      await r.page.locator('.empty').waitFor();
      await screenshot(r.page, 'jobs-empty-filter');
      await r.page.goto(`${svc.url}/ui/new?process=netcdf-subset`);
      await r.page.locator('.map').waitFor();
      await screenshot(r.page, 'new-job-netcdf');
    }
    const dark = await open('jobs', { dark: true });
    await dark.page.locator('tr[data-job]').first().waitFor();
    await screenshot(dark.page, 'jobs-dark');
  });

  it('made no request to another origin and logged no error', () => {
    const origin = new URL(svc.url).origin;
    expect(pages.flatMap((p) => foreignRequests(p, origin))).toEqual([]);
    expect(pages.flatMap((p) => p.errors)).toEqual([]);
    expect(pages.flatMap((p) => p.failures)).toEqual([]);
  });
});
