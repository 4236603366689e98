/**
 * Debian's chromium, headless, driven by playwright-core, as CI runs it: no background
 * networking (it would try to reach the internet), a fresh profile per launch. A page records
 * every request it makes, every failed or non-2xx response and every console error, so tests can
 * assert that nothing left the origin and nothing went wrong.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.SUBSETD_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export interface LaunchedBrowser {
  browser: Browser;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<LaunchedBrowser> {
  // playwright gives every launch() a fresh temporary --user-data-dir of its own (and refuses one
  // passed in args), so no profile is shared between runs.
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  return {
    browser,
    async close() {
      await browser.close().catch(() => {});
    },
  };
}

export interface RecordedPage {
  page: Page;
  context: BrowserContext;
  /** Every request URL the page made, in order. */
  requests: string[];
  /** Responses with status >= 400 and requests that failed outright: "STATUS URL". */
  failures: string[];
  /** console.error messages and uncaught page errors. */
  errors: string[];
}

export async function newPage(b: LaunchedBrowser, opts: { width?: number; height?: number; dark?: boolean; acceptDownloads?: boolean } = {}): Promise<RecordedPage> {
  const context = await b.browser.newContext({
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 },
    colorScheme: opts.dark ? 'dark' : 'light',
    acceptDownloads: opts.acceptDownloads ?? true,
    timezoneId: 'Europe/Berlin',
  });
  const page = await context.newPage();
  const rec: RecordedPage = { page, context, requests: [], failures: [], errors: [] };
  page.on('request', (r) => rec.requests.push(r.url()));
  page.on('response', (r) => {
    if (r.status() >= 400) rec.failures.push(`${r.status()} ${r.request().method()} ${r.url()}`);
  });
  page.on('requestfailed', (r) => {
    // A download the page hands to the browser, or an event stream closed on navigation, is not a failure.
    const why = r.failure()?.errorText ?? '';
    if (/ERR_ABORTED/.test(why)) return;
    rec.failures.push(`failed ${r.method()} ${r.url()} ${why}`);
  });
  page.on('console', (m) => {
    if (m.type() === 'error') rec.errors.push(m.text());
  });
  page.on('pageerror', (e) => rec.errors.push(`pageerror: ${e.message}`));
  return rec;
}

/** Requests to anywhere but `origin` (data: and blob: URLs stay in the page). */
export function foreignRequests(rec: RecordedPage, origin: string): string[] {
  return rec.requests.filter((u) => !u.startsWith(origin + '/') && u !== origin && !u.startsWith('data:') && !u.startsWith('blob:'));
}

/** Where screenshots go; printed once per run so a person can look at them. */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../test-output/screenshots', import.meta.url));
let printed = false;

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  if (!printed) {
    printed = true;
    console.log(`screenshots: ${SCREENSHOT_DIR}`);
  }
  const vp = page.viewportSize();
  const file = join(SCREENSHOT_DIR, `${name}-${vp?.width}x${vp?.height}.png`);
  await page.screenshot({ path: file });
  return file;
}

/**
 * Form controls and buttons without an accessible name (no label, aria-label, aria-labelledby,
 * title or text), described by tag and a bit of their markup.
 */
export async function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('input, select, textarea, button, [role="combobox"], a[href]'))) {
      if ((el as HTMLInputElement).type === 'hidden' || el.closest('[hidden], [aria-hidden="true"]')) continue;
      const labels = (el as HTMLInputElement).labels;
      const named =
        (labels && Array.from(labels).some((l) => l.textContent?.trim())) ||
        el.getAttribute('aria-label')?.trim() ||
        el.getAttribute('aria-labelledby') ||
        el.getAttribute('title')?.trim() ||
        (['BUTTON', 'A'].includes(el.tagName) && el.textContent?.trim());
      if (!named) out.push(el.outerHTML.slice(0, 120));
    }
    return out;
  });
}
