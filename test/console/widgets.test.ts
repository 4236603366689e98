/**
 * The spatial widgets of the generated form in chromium: a box dragged on the map (or typed), a
 * point clicked, a country found by name, a polygon given as a GeoJSON file and as a zipped shapefile; each previewed on
 * the NetCDF grid with the cell count the server's rasterization gives.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZipFile } from 'yazl';
import { launchBrowser, newPage, screenshot, type LaunchedBrowser } from '../helpers/browser.js';
import { startServiceWithSample, type RunningService } from '../helpers/service.js';

let svc: RunningService;
let b: LaunchedBrowser;
let NC: string;
let tmp: string;
const SQUARE = { type: 'Polygon', coordinates: [[[5, 45], [15, 45], [15, 55], [5, 55], [5, 45]]] };

async function pixel(page: Page, lon: number, lat: number): Promise<[number, number]> {
  const map = page.locator('.map').first();
  await expect.poll(() => map.getAttribute('data-extent')).toBeTruthy();
  const [minx, miny, maxx, maxy] = (await map.getAttribute('data-extent'))!.split(',').map(Number);
  const box = (await map.boundingBox())!;
  return [box.x + ((lon - minx) / (maxx - minx)) * box.width, box.y + ((maxy - lat) / (maxy - miny)) * box.height];
}

async function previewCells(page: Page): Promise<number> {
  await page.getByRole('button', { name: 'Preview selected cells' }).click();
  const el = page.getByTestId('preview-cells');
  await expect.poll(() => el.getAttribute('data-cells'), { timeout: 10_000 }).toBeTruthy();
  return Number(await el.getAttribute('data-cells'));
}

async function zipShapefile(): Promise<Buffer> {
  const dir = join(tmp, 'shp');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(tmp, 'square.geojson'), JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { name: 'square' }, geometry: SQUARE }] }));
  execFileSync('ogr2ogr', ['-f', 'ESRI Shapefile', join(dir, 'square.shp'), join(tmp, 'square.geojson')]);
  const zip = new ZipFile();
  for (const f of readdirSync(dir)) zip.addFile(join(dir, f), `square/${f}`);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  const s = await startServiceWithSample();
  svc = s.svc;
  tmp = s.tmp;
  NC = s.nc;
  b = await launchBrowser();
});

afterAll(async () => {
  await b?.close();
  svc?.cleanup();
});

describe('spatial widgets', () => {
  it('box: dragged on the map, or typed; a point clicked; a polygon from GeoJSON and from a zipped shapefile', async () => {
    const rec = await newPage(b, { width: 1280, height: 800 });
    const { page } = rec;
    await page.goto(`${svc.url}/ui/new?process=netcdf-subset`);
    await page.locator('label.entry', { hasText: NC }).locator('input').check();
    await page.getByRole('button', { name: '+ Add step' }).click();
    const op = page.getByLabel('Step 1', { exact: true });

    await op.selectOption('mask_bbox');
    await page.getByRole('button', { name: 'Draw box on map' }).click();
    const [x0, y0] = await pixel(page, 0, 55);
    const [x1, y1] = await pixel(page, 20, 40);
    await page.mouse.move(x0, y0);
    await page.mouse.down();
    await page.mouse.move(x1, y1, { steps: 8 });
    await page.mouse.up();
    const coord = (n: string) => page.getByRole('textbox', { name: n, exact: true }).inputValue().then(Number);
    await expect.poll(() => coord('west')).toBeCloseTo(0, -0.5);
    expect(await coord('east')).toBeCloseTo(20, -0.5);
    expect(await coord('south')).toBeCloseTo(40, -0.5);
    expect(await coord('north')).toBeCloseTo(55, -0.5);
    for (const [n, v] of [['west', '0'], ['south', '40'], ['east', '20'], ['north', '55']]) await page.getByRole('textbox', { name: n, exact: true }).fill(v);
    // 20° × 15° of 0.5° cells.
    expect(await previewCells(page)).toBe(40 * 30);
    await screenshot(page, 'widget-bbox');

    await op.selectOption('select_point');
    await page.getByRole('button', { name: 'Click on map' }).click();
    const [px, py] = await pixel(page, 13.4, 52.5);
    await page.mouse.click(px, py);
    await expect.poll(() => coord('lon')).toBeCloseTo(13.4, 0);
    expect(await coord('lat')).toBeCloseTo(52.5, 0);

    // A country found by name from the keyboard; one across the antimeridian.
    await op.selectOption('mask_country');
    await page.getByRole('searchbox').fill('Fiji');
    await page.getByRole('listbox', { name: 'Matching boundaries' }).waitFor();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('boundary-value').textContent()).toBe('Fiji (FJI)');
    expect(await previewCells(page)).toBeGreaterThan(0);
    await screenshot(page, 'widget-country-antimeridian');

    await op.selectOption('mask_polygon');
    const file = page.locator('input[type="file"]');
    await file.setInputFiles({ name: 'square.geojson', mimeType: 'application/geo+json', buffer: Buffer.from(JSON.stringify(SQUARE)) });
    await expect.poll(() => page.locator('.drop .field-hint').textContent()).toContain('square.geojson: Polygon');
    // Cell centres inside a 10° square on the 0.5° grid.
    expect(await previewCells(page)).toBe(400);
    await page.getByRole('button', { name: 'Remove polygon' }).click();
    await file.setInputFiles({ name: 'square.zip', mimeType: 'application/zip', buffer: await zipShapefile() });
    await expect.poll(() => page.locator('.drop .field-hint').textContent()).toContain('square.zip: 1 features');
    expect(await previewCells(page)).toBe(400);
    await screenshot(page, 'widget-polygon');
    expect(rec.failures).toEqual([]);
    expect(rec.errors).toEqual([]);
  });
});
