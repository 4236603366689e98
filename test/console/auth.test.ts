/**
 * The console with SUBSETD_AUTH=tokens: only the sign-in view until a token is given; the
 * session cookie then carries the API calls (state changes with the X-Subsetd-Request header the
 * client always sends), a submit-scope user sees no admin page, downloads work through signed
 * links, and signing out returns to the sign-in view.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot, type LaunchedBrowser } from '../helpers/browser.js';
import { CLI, startService, type RunningService } from '../helpers/service.js';

let svc: RunningService;
let b: LaunchedBrowser;
let token: string;

beforeAll(async () => {
  svc = await startService({ SUBSETD_AUTH: 'tokens', SUBSETD_ANONYMOUS: 'none' });
  // The CLI refuses SUBSETD_* settings it does not know (the test runner's own among them).
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SUBSETD_')));
  const r = spawnSync(process.execPath, [CLI, 'tokens', 'create', '--name', 'alice', '--scope', 'submit'], { env: { ...env, ...svc.env }, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  token = r.stdout.trim().split('\n').pop()!;
  b = await launchBrowser();
});

afterAll(async () => {
  await b?.close();
  svc?.cleanup();
});

describe('console with access control', () => {
  it('signs in with a token, runs a job under the session, downloads through a signed link, signs out', async () => {
    const rec = await newPage(b);
    const { page } = rec;
    await page.goto(`${svc.url}/ui/jobs`);
    await page.locator('.view.sign-in').waitFor();
    await screenshot(page, 'auth-sign-in');
    await page.getByLabel('API token').fill('sd_not-a-real-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('.problem').textContent()).toBeTruthy();
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.view.jobs').waitFor();
    await expect.poll(() => page.locator('header.top .who').textContent()).toContain('alice');
    expect(await page.getByRole('link', { name: 'Admin' }).count()).toBe(0);

    await page.goto(`${svc.url}/ui/new?process=test-file`);
    await page.getByLabel('text').fill('signed');
    await page.getByRole('button', { name: 'Run' }).click();
    await page.waitForURL(/\/ui\/jobs\/[^/]+$/);
    await expect.poll(() => page.locator('.view.job').getAttribute('data-status'), { timeout: 15_000 }).toBe('successful');
    const link = page.getByRole('link', { name: /^Download / }).first();
    expect(await link.getAttribute('href')).toMatch(/[?&]sig=/);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(await download.failure()).toBeNull();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('.view.sign-in').waitFor();
    await page.goto(`${svc.url}/ui/jobs`);
    await page.locator('.view.sign-in').waitFor();

    // The rejected token and the calls made while signed out are the only failures.
    expect(rec.failures.filter((f) => !/^401 /.test(f))).toEqual([]);
    expect(rec.errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
  });
});
