/**
 * The package process, /datasets and /packages over real HTTP: three hosted datasets clipped to
 * Luxembourg (real Debian sample data), datapackage.json valid against the Frictionless Data
 * Package profile (datapackage-js), hashes that match the files, reuse of built
 * dataset-versions, one build per dataset-version under concurrent jobs, and a malformed
 * datasets file stopping start-up.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASYNC, post, startService, waitForJob, type RunningService } from '../helpers/service.js';
import { samples } from '../raster/samples.js';

const { validate } = createRequire(import.meta.url)('datapackage') as { validate(d: unknown): Promise<{ valid: boolean; errors: unknown[] }> };

let svc: RunningService;
let stateDir: string;

const DATASETS = `
datasets:
  - id: lux-elevation
    version: "1"
    title: SRTM elevation of Luxembourg
    licence: { name: ODC-PDDL-1.0, path: "https://opendatacommons.org/licenses/pddl/", title: Open Data Commons Public Domain Dedication and License }
    citation: terra package example data
    origin: https://cran.r-project.org/package=terra
    format: raster
    path: elev.tif
  - id: lux-cantons
    version: "2021"
    title: Cantons of Luxembourg
    licence: { name: GPL-3.0 }
    format: vector
    path: lux.shp
  - id: lux-elevation-vrt
    version: "1"
    title: Elevation through a VRT
    licence: { name: ODC-PDDL-1.0 }
    format: raster
    path: elev.vrt
`;

async function runPackage(boundary: string, datasets: string[]) {
  const r = await svc.json('/processes/package/execution', post({ inputs: { boundary, datasets } }, ASYNC));
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.jobID as string;
}

async function results(id: string) {
  const job = await waitForJob(svc, id, ['successful', 'failed', 'dismissed'], 60_000);
  expect(job.status, job.message).toBe('successful');
  return (await svc.json(`/jobs/${id}/results`)).body;
}

function sha256(file: string): Promise<string> {
  return new Promise((res, rej) => {
    const h = createHash('sha256');
    createReadStream(file).on('data', (d) => h.update(d)).on('end', () => res(h.digest('hex'))).on('error', rej);
  });
}

beforeAll(async () => {
  const { mkdtempSync } = await import('node:fs');
  stateDir = mkdtempSync(join((await import('node:os')).tmpdir(), 'subsetd-pkg-'));
  const data = join(stateDir, 'data');
  mkdirSync(data, { recursive: true });
  copyFileSync(samples.elevTif(), join(data, 'elev.tif'));
  const shp = samples.luxShp();
  for (const f of readdirSync(dirname(shp)).filter((f) => f.startsWith('lux.'))) copyFileSync(join(dirname(shp), f), join(data, f));
  execFileSync('gdal_translate', ['-q', '-of', 'VRT', join(data, 'elev.tif'), join(data, 'elev.vrt')]);
  writeFileSync(join(stateDir, 'datasets.yaml'), DATASETS);
  svc = await startService({ SUBSETD_DATASETS: join(stateDir, 'datasets.yaml'), SUBSETD_WORKERS: '2' }, stateDir);
}, 180_000);

afterAll(() => svc?.cleanup());

describe('datasets', () => {
  it('GET /datasets and /datasets/{id} show what the file declares', async () => {
    const list = await svc.json('/datasets');
    expect(list.body.datasets.map((d: { id: string }) => d.id)).toEqual(['lux-elevation', 'lux-cantons', 'lux-elevation-vrt']);
    const one = await svc.json('/datasets/lux-elevation');
    expect(one.body.licence.name).toBe('ODC-PDDL-1.0');
    expect((await svc.json('/datasets/nope')).status).toBe(404);
  });

  it('a malformed datasets file stops start-up naming the entry and field', async () => {
    const bad = join(stateDir, 'bad.yaml');
    writeFileSync(bad, DATASETS.replace('format: vector', 'format: shapefile'));
    // Only the settings named here: a SUBSETD_* of the test run's own would be an unknown setting.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SUBSETD_')));
    const out = execFileSync('sh', ['-c', `SUBSETD_DATASETS=${bad} SUBSETD_STATE_DIR=${stateDir}/bad SUBSETD_PORT=0 ${process.execPath} dist/subsetd.cjs serve 2>&1; echo "exit=$?"`], { cwd: join(__dirname, '../..'), env }).toString();
    expect(out).toMatch(/SUBSETD_DATASETS/);
    expect(out).toMatch(/dataset #2 \("lux-cantons"\): field "format"/);
    expect(out).toMatch(/exit=2/);
  });
});

describe('package', () => {
  it('packages three datasets for LUX with a valid datapackage.json, true hashes, provenance and a zip', async () => {
    const res = await results(await runPackage('LUX', ['lux-elevation', 'lux-cantons', 'lux-elevation-vrt']));
    expect(res.built.sort()).toEqual(['lux-cantons@2021', 'lux-elevation-vrt@1', 'lux-elevation@1']);
    const pkgDir = join(stateDir, 'packages', 'LUX');
    const dp = JSON.parse(readFileSync(join(pkgDir, 'datapackage.json'), 'utf8'));
    expect(await validate(dp)).toEqual({ valid: true, errors: [] });
    // The validator is real: a resource without a path or data is rejected.
    expect((await validate({ ...dp, resources: [{ name: 'x' }] })).valid).toBe(false);
    expect(dp.resources).toHaveLength(3);
    for (const r of dp.resources) {
      const file = join(pkgDir, r.path);
      expect(existsSync(file)).toBe(true);
      expect(r.bytes).toBe(readFileSync(file).length);
      expect(r.hash).toBe(`sha256:${await sha256(file)}`);
      expect(r.licenses[0].name).toBeTruthy();
    }
    const prov = JSON.parse(readFileSync(join(pkgDir, 'provenance.json'), 'utf8'));
    expect(prov.datasets.map((d: { versions: { gdal: string } }) => d.versions.gdal)).toEqual(['3.6.2', '3.6.2', '3.6.2']);
    const zipList = execFileSync('unzip', ['-Z1', join(pkgDir, 'LUX.zip')]).toString();
    expect(zipList).toMatch(/datapackage\.json/);
    expect(zipList).toMatch(/data\/lux-elevation@1\/lux-elevation\.tif/);
    const listed = await svc.json('/packages');
    expect(listed.body.packages.map((p: { boundary: string }) => p.boundary)).toContain('LUX');
    const one = await svc.json('/packages/LUX');
    expect(one.body.datapackage.resources).toHaveLength(3);
    const zip = await fetch(`${svc.url}/packages/LUX/zip`);
    expect(zip.status).toBe(200);
    expect(zip.headers.get('content-type')).toBe('application/zip');
  });

  it('reuses a dataset-version already packaged for the boundary', async () => {
    const res = await results(await runPackage('LUX', ['lux-elevation', 'lux-cantons']));
    expect(res.built).toEqual([]);
    expect(res.reused.sort()).toEqual(['lux-cantons@2021', 'lux-elevation@1']);
  });

  it('two concurrent jobs never build the same dataset-version twice', async () => {
    const [a, b] = await Promise.all([runPackage('BEL', ['lux-elevation', 'lux-cantons']), runPackage('BEL', ['lux-cantons', 'lux-elevation-vrt'])]);
    const [ra, rb] = await Promise.all([results(a), results(b)]);
    const builtCantons = [...ra.built, ...rb.built].filter((k: string) => k === 'lux-cantons@2021');
    expect(builtCantons).toHaveLength(1);
    expect([...ra.reused, ...rb.reused]).toContain('lux-cantons@2021');
    const dp = JSON.parse(readFileSync(join(stateDir, 'packages', 'BEL', 'datapackage.json'), 'utf8'));
    expect(dp.resources.map((r: { name: string }) => r.name).sort()).toEqual(['lux-cantons', 'lux-elevation', 'lux-elevation-vrt']);
  });

  it('rejects unknown datasets and a missing boundary with 400', async () => {
    const r = await svc.json('/processes/package/execution', post({ inputs: { boundary: 'LUX', datasets: ['nope'] } }));
    expect(r.status).toBe(400);
    expect(r.body.field).toBe('inputs.datasets[0]');
    const nb = await svc.json('/processes/package/execution', post({ inputs: { datasets: ['lux-elevation'] } }));
    expect(nb.status).toBe(400);
  });
});
