// The single executable from the release tarball, in an empty directory, with no node on PATH:
// what it carries, how it unpacks itself, and the service it runs.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_PLUGIN, startService, waitForJob, type RunningService } from '../helpers/service.js';
import { samples } from '../raster/samples.js';
import { unpackRelease, VERSION, type Release } from './release.js';

let rel: Release;
let svc: RunningService;

beforeAll(async () => {
  rel = unpackRelease();
  // A plugin beside the executable: extra processors load from disk in the SEA too.
  cpSync(FIXTURE_PLUGIN, join(rel.app, 'test-processors.cjs'));
  svc = await startService({ SUBSETD_PLUGINS: join(rel.app, 'test-processors.cjs'), SUBSETD_CACHE_DIR: rel.env.SUBSETD_CACHE_DIR }, undefined, ['serve'], [rel.exe], rel.env);
}, 180_000);
afterAll(() => {
  svc?.cleanup();
  if (rel) rmSync(rel.work, { recursive: true, force: true });
});

const run = (args: string[], env: Record<string, string> = {}) => spawnSync(rel.exe, args, { cwd: rel.work, env: { ...rel.env, ...env }, encoding: 'utf8' });

describe('release tarball', () => {
  it('holds the executable, units, nginx site, env template, installer, docs and its Debian dependencies', () => {
    for (const f of ['subsetd', 'systemd/subsetd.service', 'systemd/subsetd-worker@.service', 'systemd/subsetd.target', 'systemd/nginx/subsetd.conf', 'scripts/install.sh', 'subsetd.env.example', 'DEPLOY.md', 'README', 'DEPENDS'])
      expect(existsSync(join(rel.app, f)), f).toBe(true);
    expect(existsSync(join(rel.app, 'node_modules'))).toBe(false);
    // gdal-async links Debian's libgdal: the installer must be told to install it.
    expect(readFileSync(join(rel.app, 'DEPENDS'), 'utf8').split('\n')).toContain('libgdal32');
  });

  it('env template lists every setting, commented, with the packaged defaults', async () => {
    const env = readFileSync(join(rel.app, 'subsetd.env.example'), 'utf8');
    const { SETTINGS } = await import('../../src/config/table.js');
    for (const s of Object.values(SETTINGS)) expect(env).toMatch(new RegExp(`^#${s.key}=`, 'm'));
    expect(env).not.toMatch(/^SUBSETD_/m);
    expect(env).toContain('#SUBSETD_STATE_DIR=/var/lib/subsetd');
  });
});

describe('single executable', () => {
  it('--version names version, commit, SQLite and GDAL, and stderr stays clean', () => {
    const r = run(['--version']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^subsetd ${VERSION.replaceAll('.', '\\.')} \\(commit \\w+\\)`));
    expect(r.stdout).toMatch(/^sqlite 3\.\d+/m);
    expect(r.stdout).toMatch(/^gdal 3\.\d+/m);
    // e.g. gdal-async's "GRIB resources files not found" on every start.
    expect(r.stderr).toBe('');
  });

  it('unpacks its runtime once, even when several processes start at the same moment', async () => {
    const cache = join(rel.work, 'race-cache');
    const start = () =>
      new Promise<number | null>((resolve) => {
        spawn(rel.exe, ['--version'], { env: { ...rel.env, SUBSETD_CACHE_DIR: cache }, stdio: 'ignore' }).on('exit', resolve);
      });
    expect(await Promise.all([start(), start(), start(), start()])).toEqual([0, 0, 0, 0]);
    const entries = readdirSync(cache);
    expect(entries).toHaveLength(1); // one hash dir, no temporary leftovers
    expect(existsSync(join(cache, entries[0], '.complete'))).toBe(true);
    expect(existsSync(join(cache, entries[0], 'dist', 'worker.js'))).toBe(true);
  });

  it('refuses a cache directory that others can write (its files would run as us)', () => {
    const cache = join(rel.work, 'shared-cache');
    mkdirSync(cache);
    chmodSync(cache, 0o777);
    const r = run(['--version'], { SUBSETD_CACHE_DIR: cache });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/writable by group or others/);
    expect(readdirSync(cache)).toEqual([]);
  });

  it('serves /health, runs hello-world, and serves a result file itself', async () => {
    const health = await svc.json('/health');
    expect(health.status).toBe(200);
    expect((await svc.json('/ready')).status).toBe(200);
    const hello = await svc.json('/processes/hello-world/execution', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: { name: 'x' } }) });
    expect(hello.status).toBe(200);
    // One output by value, synchronously: raw by default (docs/ogc-api.md).
    expect(hello.body).toBe('Hello x!');
    // A file output from a plugin processor, run on the executable's worker threads.
    const r = await svc.json('/processes/test-file/execution', { method: 'POST', headers: { 'content-type': 'application/json', prefer: 'respond-async' }, body: JSON.stringify({ inputs: { text: 'from the executable' } }) });
    expect(r.status).toBe(201);
    expect((await waitForJob(svc, r.body.jobID)).status).toBe('successful');
    const results = await svc.json(`/jobs/${r.body.jobID}/results`);
    const dl = await fetch(results.body.out.href);
    expect(dl.status).toBe(200);
    expect(dl.headers.get('x-accel-redirect')).toBeNull();
    expect(await dl.text()).toBe('from the executable');
  });
});

// What the processors need at run time must be inside too: h5wasm's WebAssembly (netcdf-subset),
// the Natural Earth outlines (mask_country), and GDAL in its child process, which inside the
// executable is the executable itself started again (`subsetd __gdal-child`).
describe('real processors inside the executable', () => {
  const exec = (id: string, inputs: unknown) =>
    svc.json(`/processes/${id}/execution`, { method: 'POST', headers: { 'content-type': 'application/json', prefer: 'respond-async' }, body: JSON.stringify({ inputs }) });
  const finish = async (r: { status: number; body: any }) => {
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const done = await waitForJob(svc, r.body.jobID, undefined, 60_000);
    expect(done.status, done.message).toBe('successful');
    return (await svc.json(`/jobs/${r.body.jobID}/results`)).body;
  };

  beforeAll(() => {
    mkdirSync(join(svc.stateDir, 'data'), { recursive: true });
    copyFileSync(samples.bcsdNc(), join(svc.stateDir, 'data', 'bcsd.nc'));
    copyFileSync(samples.elevTif(), join(svc.stateDir, 'data', 'elev.tif'));
  }, 120_000);

  it('netcdf-subset masks a real CF NetCDF to a country (h5wasm, world-atlas)', async () => {
    const results = await finish(await exec('netcdf-subset', { paths: ['bcsd.nc'], operations: [{ operation: 'mask_country', country: 'usa' }] }));
    expect(results.files).toHaveLength(1);
    const nc = await fetch(results.files[0].href);
    expect(nc.status).toBe(200);
    const bytes = new Uint8Array(await nc.arrayBuffer());
    // NetCDF-4 is HDF5: the file starts with the HDF5 signature.
    expect(Buffer.from(bytes.subarray(0, 8)).toString('latin1')).toBe('\x89HDF\r\n\x1a\n');
  });

  it('clip-raster clips a GeoTIFF through the GDAL child process', async () => {
    const polygon = { type: 'Polygon', coordinates: [[[5.9, 49.6], [6.2, 49.6], [6.2, 49.9], [5.9, 49.9], [5.9, 49.6]]] };
    const results = await finish(await exec('clip-raster', { dataset: 'elev.tif', polygon }));
    const tif = await fetch(results.raster.href);
    expect(tif.status).toBe(200);
    const head = Buffer.from(await tif.arrayBuffer()).subarray(0, 4).toString('latin1');
    expect(['II*\0', 'MM\0*']).toContain(head);
    expect(results.info.value.width).toBeGreaterThan(10);
  });
});
