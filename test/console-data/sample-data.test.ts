// `subsetd sample-data`: what it writes (checked with netCDF-C's ncdump, GDAL's gdalinfo and
// ogrinfo), that it refuses to overwrite without --force, and that the README's examples over
// those files work against a started service (same requests, same figures as README shows).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASYNC, CLI, post, startService, waitForJob, type RunningService } from '../helpers/service.js';

const NC = 'sample_tas_global_daily_2021_2021.nc';
const TIF = 'sample_elevation_0.1deg.tif';
const GPKG = 'sample_places.gpkg';

let dir: string;
let data: string;
let first: ReturnType<typeof spawnSync>;

// Without the runner's SUBSETD_* variables (unknown settings stop subsetd, as they should).
const cleanEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SUBSETD_')));
const sampleData = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [CLI, 'sample-data', ...args], { encoding: 'utf8', env: { ...cleanEnv(), ...env }, timeout: 120_000 });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'subsetd-sample-'));
  data = join(dir, 'data');
  // No DIR: the data root (SUBSETD_DATA_ROOT), created if missing.
  first = sampleData([], { SUBSETD_DATA_ROOT: data });
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('subsetd sample-data', () => {
  it('writes the three files into the data root and says what it wrote', () => {
    expect(first.status, String(first.stderr)).toBe(0);
    for (const f of [NC, TIF, GPKG]) expect(first.stdout).toContain(join(data, f));
    const total = [NC, TIF, GPKG].reduce((s, f) => s + statSync(join(data, f)).size, 0);
    console.log(`sample data: ${(total / 2 ** 20).toFixed(1)} MB\n${first.stdout}`);
    expect(total).toBeLessThan(10 * 2 ** 20);
  });

  it('the NetCDF is ISIMIP-like: NetCDF-4, 0.5° global float tas, CF attributes, deflate, 1×360×720 chunks', () => {
    const h = execFileSync('ncdump', ['-hs', join(data, NC)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(h).toMatch(/time = UNLIMITED ; \/\/ \(90 currently\)/);
    expect(h).toMatch(/lat = 360 ;/);
    expect(h).toMatch(/lon = 720 ;/);
    expect(h).toMatch(/float tas\(time, lat, lon\) ;/);
    for (const a of ['tas:standard_name = "air_temperature"', 'tas:units = "K"', 'tas:_ChunkSizes = 1, 360, 720', 'tas:_DeflateLevel = 5', 'time:units = "days since 1601-1-1 00:00:00"', 'time:calendar = "proleptic_gregorian"', 'lat:units = "degrees_north"', ':Conventions = "CF-1.6"'])
      expect(h).toContain(a);
    // Plausible values: cdo's statistics over the first and last day.
    const info = execFileSync('cdo', ['-s', 'infon', '-seltimestep,1,90', join(data, NC)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    for (const line of info.trim().split('\n').slice(1)) {
      const [min, mean, max] = line.split(' : ')[2].trim().split(/\s+/).map(Number);
      expect(min).toBeGreaterThan(200);
      expect(max).toBeLessThan(320);
      expect(mean).toBeGreaterThan(265);
      expect(mean).toBeLessThan(290);
    }
  });

  it('the GeoTIFF is EPSG:4326 elevation with nodata at sea; the GeoPackage has its two layers', () => {
    const tif = JSON.parse(execFileSync('gdalinfo', ['-json', join(data, TIF)], { encoding: 'utf8' }));
    expect(tif.size).toEqual([3600, 1800]);
    expect(tif.coordinateSystem.wkt).toContain('ID["EPSG",4326]');
    expect(tif.geoTransform).toEqual([-180, 0.1, 0, 90, 0, -0.1]);
    expect(tif.bands[0]).toMatchObject({ type: 'Int16', noDataValue: -32768 });
    expect(tif.metadata['IMAGE_STRUCTURE'].COMPRESSION).toBe('DEFLATE');
    const gpkg = execFileSync('ogrinfo', ['-so', '-al', join(data, GPKG)], { encoding: 'utf8' });
    expect(gpkg).toMatch(/Layer name: cities[\s\S]*Geometry: Point[\s\S]*Feature Count: 16/);
    expect(gpkg).toMatch(/Layer name: study_areas[\s\S]*Geometry: Polygon[\s\S]*Feature Count: 4/);
  });

  it('refuses to overwrite without --force, overwrites with it; an explicit DIR wins', () => {
    const before = statSync(join(data, NC)).mtimeMs;
    const again = sampleData([data]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already exist.*--force/);
    expect(statSync(join(data, NC)).mtimeMs).toBe(before);
    const forced = sampleData([data, '--force']);
    expect(forced.status, forced.stderr).toBe(0);
    expect(statSync(join(data, NC)).mtimeMs).toBeGreaterThan(before);
  }, 120_000);
});

describe("the README's examples over the sample data", () => {
  let svc: RunningService;
  beforeAll(async () => {
    svc = await startService({ SUBSETD_DATA_ROOT: data });
  }, 60_000);
  afterAll(() => svc?.cleanup());

  const runAsync = async (inputs: unknown) => {
    const r = await svc.json('/processes/netcdf-subset/execution', post({ inputs }, ASYNC));
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const job = await waitForJob(svc, r.headers.get('location')!.split('/jobs/')[1], undefined, 60_000);
    expect(job.status, job.message).toBe('successful');
    return (await svc.json(`/jobs/${job.jobID}/results`)).body;
  };

  it('browses the data root and describes each file', async () => {
    const list = (await svc.json('/data')).body;
    expect(list.entries.map((e: { path: string }) => e.path)).toEqual([TIF, GPKG, NC]);
    const nc = (await svc.json(`/data/info?path=${NC}`)).body;
    expect(nc.time).toMatchObject({ start: '2021-01-01', end: '2021-03-31', steps: 90 });
    expect(nc.grid).toMatchObject({ dlon: 0.5, nlat: 360, latOrder: 'descending' });
    const tif = (await svc.json(`/data/info?path=${TIF}`)).body;
    expect(tif).toMatchObject({ format: 'raster', width: 3600, height: 1800, crs: 'EPSG:4326', bounds: [-180, -90, 180, 90], bounds4326: [-180, -90, 180, 90] });
    expect(tif.bands).toEqual([expect.objectContaining({ band: 1, dataType: 'Int16', nodata: -32768 })]);
    const gpkg = (await svc.json(`/data/info?path=${GPKG}`)).body;
    expect(gpkg.format).toBe('vector');
    expect(gpkg.layers.map((l: { name: string; features: number; geometryType: string }) => [l.name, l.features, l.geometryType])).toEqual([['cities', 16, 'Point'], ['study_areas', 4, 'Polygon']]);
    expect(gpkg.layers[0].crs).toBe('EPSG:4326');
  });

  it('masks Germany; the preview counts the same 188 cells', async () => {
    const results = await runAsync({ paths: [NC], operations: [{ operation: 'mask_country', country: 'DEU' }] });
    expect(results.files.map((f: { href: string }) => f.href.split('/').pop())).toEqual(['sample_tas_deu_daily_2021_2021.nc']);
    const preview = await svc.json('/preview/mask', post({ path: NC, region: { country: 'DEU' } }));
    expect(preview.body.cells).toBe(188);
    const file = join(dir, 'deu.nc');
    execFileSync('curl', ['-sf', '-o', file, results.files[0].href]);
    const info = execFileSync('cdo', ['-s', 'infon', '-seltimestep,1', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const missing = Number(info.trim().split('\n')[1].split(' : ')[1].trim().split(/\s+/).pop());
    expect(360 * 720 - missing).toBe(188);
  });

  it('cuts a box, and gives a point series as CSV', async () => {
    const box = await runAsync({ paths: [NC], operations: [{ operation: 'select_bbox', bbox: [5.5, 47, 15.5, 55.5] }] });
    expect(box.files[0].href).toMatch(/sample_tas_lat47to55.5lon5.5to15.5_daily_2021_2021\.nc$/);
    const point = await runAsync({ paths: [NC], operations: [{ operation: 'select_point', output_csv: true, point: { type: 'Point', coordinates: [13.4, 52.5] } }] });
    const csv = await (await fetch(point.files[0].href)).text();
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('date,value');
    expect(lines[1]).toBe('2021-01-01,265.25');
    expect(lines).toHaveLength(91);
  });

  it('clips the raster to Switzerland and the cities to Germany', async () => {
    const r = await svc.json('/processes/clip-raster/execution', post({ inputs: { dataset: TIF, boundary: 'CHE' } }));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.raster.href).toMatch(/\/files\/CHE\.tif$/);
    expect([r.body.info.value.width, r.body.info.value.height]).toEqual([44, 18]);
    const v = await svc.json('/processes/clip-vector/execution', post({ inputs: { dataset: GPKG, layer: 'cities', boundary: 'DEU' } }));
    expect(v.status, JSON.stringify(v.body)).toBe(200);
    expect(v.body.info.value.layers).toEqual([{ name: 'cities', features: 4, crs: 'EPSG:4326' }]);
  });
});
