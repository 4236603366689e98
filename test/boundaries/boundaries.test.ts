/**
 * The boundary store and API over real HTTP, and `subsetd boundaries import` with real files
 * (r-cran-terra's cantons as shapefile and zip, r-cran-sf's NAD27 GeoPackage, a bow-tie).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, createWriteStream, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ZipFile } from 'yazl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, post, startService, type RunningService } from '../helpers/service.js';
import { samples } from '../raster/samples.js';

let svc: RunningService;

function importSet(file: string, ...args: string[]) {
  const env: Record<string, string | undefined> = { ...process.env, SUBSETD_STATE_DIR: svc.stateDir };
  for (const k of Object.keys(env)) if (k.startsWith('SUBSETD_') && k !== 'SUBSETD_STATE_DIR') delete env[k];
  return spawnSync(process.execPath, [CLI, 'boundaries', 'import', file, ...args], { env, encoding: 'utf8' });
}

beforeAll(async () => {
  svc = await startService();
}, 120_000);
afterAll(() => svc?.cleanup());

describe('GET /boundaries', () => {
  it('searches names case- and accent-insensitively', async () => {
    const r = await svc.json("/boundaries?q=COTE%20d'ivoire");
    expect(r.body.boundaries.map((b: { id: string }) => b.id)).toEqual(['CIV']);
    const set = await svc.json('/boundaries?set=admin0&q=germ');
    expect(set.body.boundaries[0]).toMatchObject({ id: 'DEU', name: 'Germany', set: 'admin0' });
    expect((await svc.json('/boundaries?set=nope')).status).toBe(400);
  });

  it('finds the boundaries containing a point, across the antimeridian too', async () => {
    const berlin = await svc.json('/boundaries?lon=13.4&lat=52.5');
    expect(berlin.body.boundaries.map((b: { id: string }) => b.id)).toEqual(['DEU']);
    const chukotka = await svc.json('/boundaries?lon=-175&lat=66');
    expect(chukotka.body.boundaries.map((b: { id: string }) => b.id)).toEqual(['RUS']);
    expect((await svc.json('/boundaries?lon=300&lat=0')).status).toBe(400);
    expect((await svc.json('/boundaries?lon=-30&lat=0')).body.boundaries).toEqual([]);
  });

  it('returns a GeoJSON Feature with polygon, compact bbox and area', async () => {
    const r = await svc.json('/boundaries/admin0/RUS');
    expect(r.headers.get('content-type')).toBe('application/geo+json');
    expect(r.body.type).toBe('Feature');
    expect(r.body.geometry.type).toBe('MultiPolygon');
    // Cut at ±180 (RFC 7946); the bbox is the compact one: 19°E .. 190°E, not 360° wide.
    for (const p of r.body.geometry.coordinates) for (const [x] of p[0]) expect(Math.abs(x)).toBeLessThanOrEqual(180);
    expect(r.body.bbox[2] - r.body.bbox[0]).toBeLessThan(180);
    expect(r.body.properties.areaKm2).toBeGreaterThan(16e6);
    expect(r.body.properties.areaKm2).toBeLessThan(17.5e6);
    const de = await svc.json('/boundaries/admin0/deu');
    expect(Math.abs(de.body.properties.areaKm2 - 357_000) / 357_000).toBeLessThan(0.03);
    expect((await svc.json('/boundaries/admin0/XXX')).status).toBe(404);
  });
});

describe('subsetd boundaries import', () => {
  it('imports a shapefile, a zipped shapefile and a NAD27 GeoPackage (reprojected to lon/lat)', async () => {
    const shp = samples.luxShp();
    const r = importSet(shp, '--set', 'lux', '--id-field', 'ID_2', '--name-field', 'NAME_2');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/imported 12 boundaries into set "lux"/);
    const zipDir = join(svc.stateDir, 'zip');
    mkdirSync(zipDir, { recursive: true });
    const zip = new ZipFile();
    for (const f of readdirSync(dirname(shp)).filter((f) => f.startsWith('lux.'))) zip.addFile(join(dirname(shp), f), f);
    zip.end();
    await new Promise<void>((res) => zip.outputStream.pipe(createWriteStream(join(zipDir, 'lux.zip'))).on('close', () => res()));
    expect(importSet(join(zipDir, 'lux.zip'), '--set', 'luxzip', '--id-field', 'ID_2', '--name-field', 'NAME_2').status).toBe(0);
    expect(importSet(samples.ncGpkg(), '--set', 'nc', '--id-field', 'FIPS', '--name-field', 'NAME').status).toBe(0);
    const ashe = await svc.json('/boundaries?set=nc&q=ashe');
    expect(ashe.body.boundaries).toHaveLength(1);
    const [w, s, e, n] = ashe.body.boundaries[0].bbox;
    expect(w).toBeGreaterThan(-82);
    expect(e).toBeLessThan(-81);
    expect(s).toBeGreaterThan(36);
    expect(n).toBeLessThan(37);
    const at = await svc.json('/boundaries?lon=6.1&lat=49.61');
    expect(at.body.boundaries.map((b: { set: string }) => b.set).sort()).toEqual(['admin0', 'lux', 'luxzip']);
  });

  it('repairs an invalid polygon and says so; names a bad field', () => {
    const bowtie = join(svc.stateDir, 'bowtie.geojson');
    writeFileSync(bowtie, JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { code: 'B1', label: 'Bow tie' }, geometry: { type: 'Polygon', coordinates: [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]] } }] }));
    const r = importSet(bowtie, '--set', 'bow', '--id-field', 'code', '--name-field', 'label');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/repaired invalid geometries: B1/);
    const bad = importSet(bowtie, '--set', 'bow', '--id-field', 'nope', '--name-field', 'label');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/no field "nope".*fields: code, label/);
  });

  it('an imported set is a region for clip-raster', async () => {
    mkdirSync(join(svc.stateDir, 'data'), { recursive: true });
    copyFileSync(samples.elevTif(), join(svc.stateDir, 'data', 'elev.tif'));
    const r = await svc.json('/processes/clip-raster/execution', post({ inputs: { dataset: 'elev.tif', boundarySet: 'lux', boundary: '1' } }));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.info.value.width).toBeLessThan(60);
    void execFileSync;
  });
});
