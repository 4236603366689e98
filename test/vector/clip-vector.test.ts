/**
 * clip-vector against ogr2ogr -clipsrc on real data: r-cran-sf's North Carolina counties
 * (GeoPackage, NAD27) and r-cran-terra's Luxembourg cantons (shapefile, zipped too).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, createWriteStream, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ZipFile } from 'yazl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, resultPath, startServiceWithData, type RunningService } from '../helpers/service.js';
import { loadGdal } from '../raster/pixels.js';
import { samples } from '../raster/samples.js';

let svc: RunningService;
let data: string;
let tmp: string;

// A triangle across North Carolina, in lon/lat.
const TRIANGLE = { type: 'Polygon', coordinates: [[[-81.5, 35.0], [-77.0, 34.5], [-79.0, 36.6], [-81.5, 35.0]]] };

function summary(path: string) {
  const gdal = loadGdal();
  const ds = gdal.open(path);
  let features = 0;
  let area = 0;
  ds.layers.forEach((l) => {
    l.features.forEach((f) => {
      features++;
      area += (f.getGeometry() as unknown as { getArea(): number }).getArea();
    });
  });
  ds.close();
  return { features, area };
}

async function clipVector(inputs: Record<string, unknown>) {
  const r = await svc.json('/processes/clip-vector/execution', post({ inputs }));
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return { path: resultPath(svc, String(r.body.vector.href)).path, info: r.body.info.value, type: r.body.vector.type };
}

beforeAll(async () => {
  ({ svc, data, tmp } = await startServiceWithData({ SUBSETD_WORKERS: '2' }));
  copyFileSync(samples.ncGpkg(), join(data, 'nc.gpkg'));
  const shp = samples.luxShp();
  for (const f of readdirSync(dirname(shp)).filter((f) => f.startsWith('lux.'))) copyFileSync(join(dirname(shp), f), join(data, f));
  const zip = new ZipFile();
  for (const f of readdirSync(data).filter((f) => f.startsWith('lux.'))) zip.addFile(join(data, f), f);
  zip.end();
  await new Promise<void>((res, rej) => zip.outputStream.pipe(createWriteStream(join(data, 'lux.zip'))).on('close', () => res()).on('error', rej));
  writeFileSync(join(tmp, 'triangle.geojson'), JSON.stringify(TRIANGLE));
}, 180_000);

afterAll(() => svc?.cleanup());

describe('clip-vector', () => {
  it('cuts like ogr2ogr -clipsrc: same feature count and area (GeoPackage in NAD27)', async () => {
    const { path, info, type } = await clipVector({ dataset: 'nc.gpkg', polygon: TRIANGLE });
    expect(type).toBe('application/geopackage+sqlite3');
    const ref = join(tmp, 'ref-nc.gpkg');
    execFileSync('ogr2ogr', ['-f', 'GPKG', '-overwrite', '-nlt', 'PROMOTE_TO_MULTI', '-clipsrc', join(tmp, 'triangle.geojson'), ref, join(data, 'nc.gpkg')]);
    const [ours, theirs] = [summary(path), summary(ref)];
    expect(ours.features).toBe(theirs.features);
    expect(ours.features).toBeGreaterThan(10);
    expect(ours.features).toBeLessThan(100); // the whole state has 100 counties
    expect(Math.abs(ours.area - theirs.area) / theirs.area).toBeLessThan(1e-9);
    expect(info.layers[0].features).toBe(ours.features);
  });

  it('keeps whole intersecting features when asked', async () => {
    const cut = summary((await clipVector({ dataset: 'nc.gpkg', polygon: TRIANGLE })).path);
    const whole = summary((await clipVector({ dataset: 'nc.gpkg', polygon: TRIANGLE, mode: 'intersects' })).path);
    expect(whole.features).toBe(cut.features);
    expect(whole.area).toBeGreaterThan(cut.area * 1.05);
  });

  it('writes GeoJSON (RFC 7946, lon/lat) and FlatGeobuf from a zipped shapefile', async () => {
    const gj = await clipVector({ dataset: 'lux.zip', boundary: 'LUX', format: 'GeoJSON' });
    expect(basename(gj.path)).toBe('LUX.geojson');
    const ref = join(tmp, 'ref-lux.geojson');
    const outline = await svc.json('/boundaries/admin0/LUX');
    writeFileSync(join(tmp, 'lux-outline.geojson'), JSON.stringify(outline.body));
    execFileSync('ogr2ogr', ['-f', 'GeoJSON', '-overwrite', '-nlt', 'PROMOTE_TO_MULTI', '-clipsrc', join(tmp, 'lux-outline.geojson'), ref, join(data, 'lux.shp')]);
    expect(summary(gj.path).features).toBe(summary(ref).features);
    // The job's info describes the file as written (GeoJSON's driver writes on close).
    expect(gj.info.layers[0].features).toBe(summary(ref).features);
    expect(gj.info.layers[0].crs).toBe('EPSG:4326');
    const fgb = await clipVector({ dataset: 'lux.shp', bbox: [5.9, 49.5, 6.2, 49.8], format: 'FlatGeobuf' });
    expect(fgb.type).toBe('application/vnd.flatgeobuf');
    expect(summary(fgb.path).features).toBeGreaterThan(0);
  });

  it('names the bad input', async () => {
    const r = await svc.json('/processes/clip-vector/execution', post({ inputs: { dataset: 'nc.gpkg', polygon: TRIANGLE, layer: 'nope' } }));
    // Found only while running (the GDAL child opens the file), still the client's input: 400 naming it.
    expect(r.status).toBe(400);
    expect(r.body.field).toBe('inputs.layer');
    expect(r.body.detail).toMatch(/layer: no layer "nope"/);
    const bad = await svc.json('/processes/clip-vector/execution', post({ inputs: { dataset: 'nc.gpkg', bbox: [10, 0, 10, 5] } }));
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('inputs.bbox');
  });
});
