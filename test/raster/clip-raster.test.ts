/**
 * clip-raster over real HTTP against the bundled service, compared pixel by pixel with
 * gdalwarp -cutline -crop_to_cutline on real data (r-cran-terra's Luxembourg elevation and
 * cantons), plus antimeridian compaction, CF NetCDF without CRS and hostile polygons.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, resultPath, startServiceWithData, waitForJob, ASYNC, type RunningService } from '../helpers/service.js';
import { diffCount, loadGdal, readGrid } from './pixels.js';
import { samples } from './samples.js';

let svc: RunningService;
let data: string;
let tmp: string;


async function clip(inputs: Record<string, unknown>) {
  const r = await svc.json('/processes/clip-raster/execution', post({ inputs }));
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return { ...resultPath(svc, String(r.body.raster.href)), info: r.body.info.value };
}

beforeAll(async () => {
  ({ svc, data, tmp } = await startServiceWithData({ SUBSETD_WORKERS: '2' }));
  copyFileSync(samples.elevTif(), join(data, 'elev.tif'));
  copyFileSync(samples.bcsdNc(), join(data, 'bcsd.nc'));
  execFileSync('ogr2ogr', ['-f', 'GeoJSON', join(tmp, 'diekirch.geojson'), samples.luxShp(), '-where', "NAME_2 = 'Diekirch'"]);
  // A 1° global grid whose value is its column: shows where each output pixel was read.
  const gdal = loadGdal();
  const g = gdal.open(join(data, 'columns.tif'), 'w', 'GTiff', 360, 180, 1, 'Float32');
  g.srs = gdal.SpatialReference.fromEPSG(4326);
  g.geoTransform = [-180, 1, 0, 90, 0, -1];
  const row = Float32Array.from({ length: 360 }, (_, i) => i);
  for (let y = 0; y < 180; y++) g.bands.get(1).pixels.write(0, y, 360, 1, row);
  g.close();
}, 180_000);

afterAll(() => svc?.cleanup());

describe('clip-raster', () => {
  it('matches gdalwarp -cutline -crop_to_cutline pixel by pixel for an uploaded canton polygon', async () => {
    const polygon = JSON.parse(readFileSync(join(tmp, 'diekirch.geojson'), 'utf8'));
    const { path, info } = await clip({ dataset: 'elev.tif', polygon });
    const ref = join(tmp, 'ref-diekirch.tif');
    execFileSync('gdalwarp', ['-q', '-overwrite', '-cutline', samples.luxShp(), '-cwhere', "NAME_2 = 'Diekirch'", '-crop_to_cutline', '-dstnodata', '-32768', join(data, 'elev.tif'), ref]);
    const [ours, theirs] = [readGrid(path), readGrid(ref)];
    expect(ours.width).toBe(theirs.width);
    expect(ours.height).toBe(theirs.height);
    expect(ours.geoTransform.map((v) => +v.toFixed(9))).toEqual(theirs.geoTransform.map((v) => +v.toFixed(9)));
    expect(diffCount(ours, theirs)).toBe(0);
    expect(ours.bands[0].some((v) => v === -32768)).toBe(true); // outside the canton
    expect(info.nodata).toBe(-32768);
    expect(execFileSync('gdalinfo', [path]).toString()).toContain('LAYOUT=COG');
  });

  it('reads only the blocks a thin diagonal polygon touches, with gdalwarp\'s pixels', async () => {
    // Luxembourg's elevation at 16× (1520 × 1440 px, 6 × 6 cells of 256): a band from the NW to
    // the SE corner touches under half of the window, the rest is never read.
    execFileSync('gdal_translate', ['-q', '-outsize', '1600%', '1600%', '-r', 'bilinear', '-co', 'TILED=YES', join(data, 'elev.tif'), join(data, 'elev16.tif')]);
    const info16 = JSON.parse(execFileSync('gdalinfo', ['-json', join(data, 'elev16.tif')]).toString());
    const [[w, n], , [e, s]] = [info16.cornerCoordinates.upperLeft, null, info16.cornerCoordinates.lowerRight];
    const dx = (e - w) * 0.08;
    const polygon = { type: 'Polygon', coordinates: [[[w, n], [w + dx, n], [e, s + (n - s) * 0.08], [e, s], [e - dx, s], [w, n - (n - s) * 0.08], [w, n]]] };
    const { path, info } = await clip({ dataset: 'elev16.tif', polygon });
    expect(info.stages.touched).toBeLessThan(0.6);
    const cut = join(tmp, 'diagonal.geojson');
    writeFileSync(cut, JSON.stringify({ type: 'Feature', properties: {}, geometry: polygon }));
    const ref = join(tmp, 'ref-diagonal.tif');
    execFileSync('gdalwarp', ['-q', '-overwrite', '-cutline', cut, '-crop_to_cutline', '-dstnodata', '-32768', join(data, 'elev16.tif'), ref]);
    const [ours, theirs] = [readGrid(path), readGrid(ref)];
    expect([ours.width, ours.height]).toEqual([theirs.width, theirs.height]);
    expect(diffCount(ours, theirs)).toBe(0);
    expect(ours.bands[0].filter((v) => v !== -32768).length).toBeGreaterThan(10_000);
  });

  it('clips a projected 6-band scene (Landsat-7, UTM 25S) to a lon/lat polygon as gdalwarp does', async () => {
    copyFileSync(samples.l7Tif(), join(data, 'l7.tif'));
    const info7 = JSON.parse(execFileSync('gdalinfo', ['-json', join(data, 'l7.tif')]).toString());
    const ring = info7.wgs84Extent.coordinates[0] as Array<[number, number]>;
    const xs = ring.map((p) => p[0]);
    const ys = ring.map((p) => p[1]);
    const [w, e, s, n] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    // A triangle inside the scene: its edges cross pixels obliquely in UTM.
    const polygon = { type: 'Polygon', coordinates: [[[w + 0.2 * (e - w), s + 0.15 * (n - s)], [w + 0.85 * (e - w), s + 0.3 * (n - s)], [w + 0.4 * (e - w), s + 0.85 * (n - s)], [w + 0.2 * (e - w), s + 0.15 * (n - s)]]] };
    const { path, info } = await clip({ dataset: 'l7.tif', polygon });
    expect(info.bands).toBe(6);
    expect(info.stages.touched).toBeGreaterThan(0);
    expect(info.crs).toBe('EPSG:31985');
    const cut = join(tmp, 'l7-triangle.geojson');
    writeFileSync(cut, JSON.stringify({ type: 'Feature', properties: {}, geometry: polygon }));
    const ref = join(tmp, 'ref-l7.tif');
    execFileSync('gdalwarp', ['-q', '-overwrite', '-cutline', cut, '-crop_to_cutline', '-dstnodata', '0', join(data, 'l7.tif'), ref]);
    const [ours, theirs] = [readGrid(path), readGrid(ref)];
    expect([ours.width, ours.height, ours.bands.length]).toEqual([theirs.width, theirs.height, 6]);
    expect(diffCount(ours, theirs)).toBe(0);
    expect(ours.bands[0].filter((v) => v !== 0).length).toBeGreaterThan(ours.width * ours.height * 0.3); // the triangle kept its pixels
  });

  it('clips to a shipped boundary (LUX) exactly as gdalwarp does with the same outline', async () => {
    const { path } = await clip({ dataset: 'elev.tif', boundary: 'LUX' });
    const outline = await svc.json('/boundaries/admin0/LUX');
    const cut = join(tmp, 'lux.geojson');
    writeFileSync(cut, JSON.stringify(outline.body));
    const ref = join(tmp, 'ref-lux.tif');
    execFileSync('gdalwarp', ['-q', '-overwrite', '-cutline', cut, '-crop_to_cutline', '-dstnodata', '-32768', join(data, 'elev.tif'), ref]);
    expect(diffCount(readGrid(path), readGrid(ref))).toBe(0);
  });

  it('crops to a bbox like gdal_translate -projwin', async () => {
    const { path } = await clip({ dataset: 'elev.tif', bbox: [5.9, 49.6, 6.3, 49.9], crop: 'bbox' });
    const ref = join(tmp, 'ref-bbox.tif');
    execFileSync('gdal_translate', ['-q', '-projwin', '5.9', '49.9', '6.3', '49.6', join(data, 'elev.tif'), ref]);
    expect(diffCount(readGrid(path), readGrid(ref))).toBe(0);
  });

  it('keeps a region across the antimeridian compact (Fiji: a few degrees wide, not 360°)', async () => {
    const { path, info } = await clip({ dataset: 'columns.tif', boundary: 'FJI' });
    const g = readGrid(path);
    expect(info.wrapped).toBe(true);
    expect(g.width).toBeLessThan(12);
    expect(g.geoTransform[0]).toBeGreaterThan(170);
    expect(g.geoTransform[0] + g.width * g.geoTransform[1]).toBeGreaterThan(180);
  });

  it('reads real pixels on both sides of the seam for a polygon cut at ±180', async () => {
    const polygon = {
      type: 'MultiPolygon',
      coordinates: [
        [[[178, -20], [180, -20], [180, -16], [178, -16], [178, -20]]],
        [[[-180, -20], [-178, -20], [-178, -16], [-180, -16], [-180, -20]]],
      ],
    };
    const { path } = await clip({ dataset: 'columns.tif', polygon });
    const g = readGrid(path);
    expect(g.geoTransform[0]).toBe(178);
    expect(g.width).toBe(4);
    // Columns 178..182°E are source columns 358, 359, 0, 1 (lon -180..-178 continued past 180).
    expect(Array.from(g.bands[0].slice(0, 4))).toEqual([358, 359, 0, 1]);
  });

  it('a bbox with west > east crosses the antimeridian compactly', async () => {
    const { info } = await clip({ dataset: 'columns.tif', bbox: [170, -30, -170, -10], crop: 'bbox' });
    expect(info.width).toBe(20);
    expect(info.bbox[0]).toBeCloseTo(170);
    expect(info.bbox[2]).toBeCloseTo(190);
  });

  it('reads a raster without CRS but with lon/lat coordinates as EPSG:4326', async () => {
    const gdal = loadGdal();
    const src = gdal.open(join(data, 'elev.tif'));
    const bare = gdal.open(join(data, 'no-crs.tif'), 'w', 'GTiff', src.rasterSize.x, src.rasterSize.y, 1, 'Int16');
    bare.geoTransform = src.geoTransform;
    bare.bands.get(1).pixels.write(0, 0, src.rasterSize.x, src.rasterSize.y, src.bands.get(1).pixels.read(0, 0, src.rasterSize.x, src.rasterSize.y));
    bare.close();
    const { path, info } = await clip({ dataset: 'no-crs.tif', boundary: 'LUX' });
    expect(info.crsAssumed).toBe(true);
    expect(info.crs).toBe('EPSG:4326');
    expect(readGrid(path).width).toBe(91);
  });

  it('clips one variable of a CF NetCDF file (all time steps as bands)', async () => {
    const { path, info } = await clip({ dataset: 'bcsd.nc', variable: 'tas', bbox: [-82, 34, -78, 36] });
    expect(info.bands).toBe(12);
    expect(readGrid(path).bands[0].some((v) => Number.isFinite(v) && v > -50 && v < 50)).toBe(true);
    const noVar = await svc.json('/processes/clip-raster/execution', post({ inputs: { dataset: 'bcsd.nc', bbox: [-100, 30, -90, 40] } }));
    expect(noVar.status).toBe(400);
    expect(noVar.body.field).toBe('inputs.variable');
    expect(noVar.body.detail).toMatch(/variable.*tas/);
    // Run asynchronously, the job fails; its results answer the same 400 naming the input
    // (OGC: an error code reflecting the failure), not a server error.
    const queued = await svc.json('/processes/clip-raster/execution', post({ inputs: { dataset: 'bcsd.nc', bbox: [-100, 30, -91, 40] } }, ASYNC));
    expect((await waitForJob(svc, queued.body.jobID)).status).toBe('failed');
    const results = await svc.json(`/jobs/${queued.body.jobID}/results`);
    expect(results.status, JSON.stringify(results.body)).toBe(400);
    expect(results.body).toMatchObject({ type: 'urn:subsetd:problem:invalid-input', field: 'inputs.variable', jobID: queued.body.jobID });
  });

  it('rejects hostile or malformed regions with 400 and stays up', async () => {
    const bad: Array<[unknown, string]> = [
      [{ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1]]] }, 'inputs.polygon'],
      [{ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 2]]] }, 'inputs.polygon'],
      [{ type: 'Polygon', coordinates: [[[0, 0], ['x', 0], [1, 1], [0, 0]]] }, 'inputs.polygon'],
      [{ type: 'Polygon', coordinates: [[[0, 0], [1e308, 0], [1, 1], [0, 0]]] }, 'inputs.polygon'],
      [{ type: 'Point', coordinates: [0, 0] }, 'inputs.polygon.type'],
      [{ type: 'FeatureCollection', features: [] }, 'inputs.polygon'],
      [{ type: 'Feature', geometry: { type: 'Feature', geometry: { type: 'Feature', geometry: { type: 'Feature', geometry: null } } } }, 'inputs.polygon'],
    ];
    for (const [polygon, field] of bad) {
      const r = await svc.json('/processes/clip-raster/execution', post({ inputs: { dataset: 'elev.tif', polygon } }));
      expect(r.status, JSON.stringify(polygon)).toBe(400);
      expect(r.body.field).toBe(field);
    }
    const two = await svc.json('/processes/clip-raster/execution', post({ inputs: { dataset: 'elev.tif', boundary: 'LUX', bbox: [0, 0, 1, 1] } }));
    expect(two.status).toBe(400);
    const unknown = await svc.json('/processes/clip-raster/execution', post({ inputs: { dataset: 'elev.tif', boundary: 'XXX' } }));
    expect(unknown.status).toBe(400);
    expect(unknown.body.field).toBe('inputs.boundary');
    const escape = await svc.json('/processes/clip-raster/execution', post({ inputs: { dataset: '../../etc/passwd', boundary: 'LUX' } }));
    expect(escape.status).toBe(400);
    expect((await svc.json('/health')).status).toBe(200);
  });
});

describe('the GDAL child process', () => {
  const slowInputs = () => ({ dataset: 'slow.vrt', boundary: 'LUX' });
  const childPids = () => {
    try {
      return execFileSync('pgrep', ['-P', String(svc.proc.pid), '-f', '__gdal-child']).toString().trim().split('\n').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  };
  beforeAll(() => {
    // Cubic upsampling of elev.tif to 900 M pixels: a clip that runs for many seconds.
    execFileSync('gdal_translate', ['-q', '-of', 'VRT', '-outsize', '30000', '30000', '-r', 'cubic', join(data, 'elev.tif'), join(data, 'slow.vrt')]);
  });

  async function startSlow() {
    const r = await svc.json('/processes/clip-raster/execution', post({ inputs: slowInputs() }, ASYNC));
    expect(r.status).toBe(201);
    await waitForJob(svc, r.body.jobID, ['running']);
    for (let i = 0; i < 100 && !(await svc.json(`/jobs/${r.body.jobID}`)).body.message?.includes('clipping'); i++) await new Promise((res) => setTimeout(res, 100));
    return r.body.jobID as string;
  }

  it('a crash of the child fails only its job, with a clear message; the next clip works', async () => {
    const before = new Set(childPids());
    const id = await startSlow();
    const busy = childPids();
    expect(busy.length).toBeGreaterThan(0);
    for (const pid of busy) process.kill(pid, 'SIGSEGV');
    const job = await waitForJob(svc, id);
    expect(job.status).toBe('failed');
    expect(job.message).toMatch(/GDAL process was killed by SIGSEGV/);
    void before;
    const again = await clip({ dataset: 'elev.tif', boundary: 'LUX' });
    expect(again.info.width).toBeGreaterThan(0);
  });

  it('dismissing a running clip kills its GDAL child', async () => {
    const id = await startSlow();
    // Each worker thread may keep an idle child; the busy one is the job's, and it must go.
    const during = childPids();
    expect(during.length).toBeGreaterThan(0);
    const d = await svc.json(`/jobs/${id}`, { method: 'DELETE' });
    expect(d.status).toBe(200);
    await new Promise((r) => setTimeout(r, 1000));
    expect(childPids().length).toBe(during.length - 1);
  });
});
