/**
 * When the time-series cache is built (processors/netcdf/ts-cache/auto.ts, evict.ts,
 * build-worker.ts; docs/ts-cache.md):
 * - SUBSETD_TS_CACHE=auto (the default): the first point job on a file is answered by the normal
 *   path and queues a background build; the next point job on that file (another point) is
 *   answered from the cache, and the same point on another file is not (until its own build);
 *   manual builds nothing on a request;
 * - SUBSETD_TS_CACHE_FOLDERS: files cached at start without any request, new ones at the next
 *   scan, changed ones rebuilt;
 * - SUBSETD_TS_CACHE_MAX: least-recently-used eviction keeps the total under the max;
 *   SUBSETD_MIN_FREE_DISK: a build that would go below it is skipped (or evicts first);
 * - the build lock: a file locked by another node is skipped;
 * - kill -9 of the service mid-build leaves nothing that is read; a restart cleans up and builds.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statfsSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCache, entryFile, entryKey, listEntries, pointSeriesFromCache, realSource } from '../../processors/netcdf/ts-cache/index.js';
import { AutoCache, wantsCache } from '../../processors/netcdf/ts-cache/auto.js';
import { ensureFile } from '../../processors/netcdf/ts-cache/build-worker.js';
import { setFreeSpace, usage } from '../../processors/netcdf/ts-cache/evict.js';
import { hitsFile } from '../../processors/netcdf/ts-cache/store.js';
import { SqliteJobStore } from '../../src/stores/sqlite/sqlite-store.js';
import { createLogger } from '../../src/log.js';
import { ASYNC, CLI, ROOT, post, startService, waitForJob, type RunningService } from '../helpers/service.js';
// @ts-expect-error plain JS script without types
import { makeIsimipLike } from '../../scripts/make-netcdf-fixtures.mjs';

const base = mkdtempSync(join(tmpdir(), 'subsetd-tsauto-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
const services: RunningService[] = [];
afterAll(async () => {
  for (const s of services) {
    await s.stop('SIGKILL');
    s.cleanup();
  }
});

const point = (lon: number, lat: number) => ({ operation: 'select_point', point: { type: 'Point', coordinates: [lon, lat] }, output_csv: true });

async function until(what: string, ok: () => boolean, ms = 30_000) {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Runs netcdf-subset; returns the job's status and its log as text. */
async function run(svc: RunningService, path: string, op: Record<string, unknown>) {
  const r = await svc.json('/processes/netcdf-subset/execution', post({ inputs: { paths: [path], operations: [op] } }, ASYNC));
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  const done = await waitForJob(svc, r.body.jobID);
  expect(done.status, done.message).toBe('successful');
  const log = JSON.stringify((await svc.json(`/jobs/${r.body.jobID}/log`)).body);
  // The job's status says it too (statusInfo message), not only its log.
  expect(log.includes('answered from the time-series cache')).toBe(/from the time-series cache$/.test(done.message));
  return log;
}

const validEntries = (dir: string, file: string) =>
  listEntries(dir).filter((e) => {
    if (e.header?.source.path !== realSource(file)) return false;
    const st = statSync(file, { bigint: true });
    return String(st.mtimeNs) === e.header.source.mtimeNs && String(st.size) === String(e.header.source.size);
  });

function fixture(root: string, name: string, opts: Record<string, unknown> = {}): string {
  mkdirSync(root, { recursive: true });
  makeIsimipLike({ file: join(root, name), nt: 30, res: 4, missingEvery: 13, ...opts });
  return name;
}

describe('SUBSETD_TS_CACHE in the service', () => {
  it('auto (the default): the first point job is answered by the normal path and queues a build; the next one on that file is answered from the cache', async () => {
    const svc = await startService({ SUBSETD_WORKERS: '1' });
    services.push(svc);
    const root = join(svc.stateDir, 'data');
    const dir = join(svc.stateDir, 'ts-cache');
    const a = fixture(root, 'tas_a_global_daily_2001_2001.nc');
    const b = fixture(root, 'tas_b_global_daily_2001_2001.nc', { year: 2002 });
    // First request on a: the normal path.
    expect(await run(svc, a, point(13.06, 52.38))).not.toContain('time-series cache');
    await until('the background build of a', () => validEntries(dir, join(root, a)).length === 1);
    // The line follows the rename that made the entry valid: wait for it too, not just the file.
    await until('the build logged', () => svc.logs.some((l) => l.includes('time-series cache: entry built') && l.includes(a)));
    // Another point on a: from the cache. The same point on b (not requested yet): the normal path.
    expect(await run(svc, a, point(-70.5, -20.2))).toContain('answered from the time-series cache');
    expect(validEntries(dir, join(root, b))).toHaveLength(0);
    expect(await run(svc, b, point(13.06, 52.38))).not.toContain('time-series cache');
    await until('the background build of b', () => validEntries(dir, join(root, b)).length === 1);
    expect(await run(svc, b, point(100, 10))).toContain('answered from the time-series cache');
    // A region asks the build thread too (which applies the region rule: ts-cache-trigger.test.ts).
    expect(wantsCache({ operations: [{ operation: 'select_bbox', bbox: [5, 47, 15, 55] }] })).toBe(true);
    expect(wantsCache({ operations: [{ operation: 'mask_landonly' }] })).toBe(false);
    // Stale: a changed source is rebuilt in auto mode after the next point job on it.
    const t = new Date(Date.now() + 5000);
    utimesSync(join(root, a), t, t);
    // (Another point: the same request would join the first, successful job.)
    expect(await run(svc, a, point(40.2, -3.3))).not.toContain('time-series cache');
    await until('the rebuild of a', () => validEntries(dir, join(root, a)).length === 1);
    // SIGTERM with nothing building: a prompt, clean stop.
    expect(await svc.stop()).toBe(0);
  }, 120_000);

  it('manual: a point job builds nothing', async () => {
    const svc = await startService({ SUBSETD_WORKERS: '1', SUBSETD_TS_CACHE: 'manual' });
    services.push(svc);
    const root = join(svc.stateDir, 'data');
    const a = fixture(root, 'tas_m_global_daily_2001_2001.nc');
    await run(svc, a, point(13.06, 52.38));
    await new Promise((r) => setTimeout(r, 1500));
    expect(listEntries(join(svc.stateDir, 'ts-cache'))).toEqual([]);
    expect(svc.logs.some((l) => l.includes('time-series cache: entry built'))).toBe(false);
  }, 60_000);

  it('off: a valid entry is not read, and nothing is built', async () => {
    const svc = await startService({ SUBSETD_WORKERS: '1', SUBSETD_TS_CACHE: 'off', SUBSETD_TS_CACHE_FOLDERS: 'pre' });
    services.push(svc);
    const root = join(svc.stateDir, 'data');
    const dir = join(svc.stateDir, 'ts-cache');
    const a = fixture(join(root, 'pre'), 'tas_off_global_daily_2001_2001.nc');
    const b = fixture(root, 'tas_off2_global_daily_2001_2001.nc');
    await buildCache(join(root, 'pre', a), { dir, durable: false });
    expect(await run(svc, `pre/${a}`, point(13.06, 52.38))).not.toContain('time-series cache');
    expect(await run(svc, b, point(13.06, 52.38))).not.toContain('time-series cache');
    await new Promise((r) => setTimeout(r, 1000));
    expect(listEntries(dir)).toHaveLength(1);
  }, 60_000);

  it('SUBSETD_TS_CACHE_FOLDERS: cached at start without a request, new and changed files at the next scan', async () => {
    const state = mkdtempSync(join(base, 'folders-'));
    const root = join(state, 'data');
    const dir = join(state, 'ts-cache');
    fixture(join(root, 'isimip/daily'), 'tas_f1_global_daily_2001_2001.nc');
    fixture(join(root, 'isimip/daily/sub'), 'tas_f2_global_daily_2001_2001.nc');
    fixture(join(root, 'other'), 'tas_other_global_daily_2001_2001.nc');
    // Not NetCDF: tried once, logged, not tried again at every scan while it is unchanged.
    writeFileSync(join(root, 'isimip/daily/bad.nc'), 'not a NetCDF file');
    const svc = await startService({ SUBSETD_WORKERS: '1', SUBSETD_TS_CACHE: 'manual', SUBSETD_TS_CACHE_FOLDERS: 'isimip', SUBSETD_TS_CACHE_SCAN_INTERVAL: '500ms' }, state);
    services.push(svc);
    const f1 = join(root, 'isimip/daily/tas_f1_global_daily_2001_2001.nc');
    const f2 = join(root, 'isimip/daily/sub/tas_f2_global_daily_2001_2001.nc');
    await until('the folder files', () => validEntries(dir, f1).length === 1 && validEntries(dir, f2).length === 1);
    expect(validEntries(dir, join(root, 'other/tas_other_global_daily_2001_2001.nc'))).toHaveLength(0);
    expect(await run(svc, 'isimip/daily/tas_f1_global_daily_2001_2001.nc', point(1, 2))).toContain('answered from the time-series cache');
    // A new file: at the next scan.
    const f3 = join(root, 'isimip/tas_f3_global_daily_2001_2001.nc');
    makeIsimipLike({ file: f3, nt: 20, res: 4 });
    await until('the new file', () => validEntries(dir, f3).length === 1);
    // A changed file in a folder: rebuilt (even in manual mode: the folder asks for it).
    const t = new Date(Date.now() + 5000);
    utimesSync(f2, t, t);
    await until('the changed file', () => validEntries(dir, f2).length === 1);
    expect(listEntries(dir)).toHaveLength(3);
    await new Promise((r) => setTimeout(r, 1200)); // two more scans
    expect(svc.logs.filter((l) => l.includes('build failed') && l.includes('bad.nc'))).toHaveLength(1);
  }, 60_000);

  it('kill -9 mid-build leaves nothing that is read; the restart removes the temp files and builds', async () => {
    const state = mkdtempSync(join(base, 'kill-'));
    const root = join(state, 'data');
    const dir = join(state, 'ts-cache');
    mkdirSync(join(root, 'pre'), { recursive: true });
    const big = join(root, 'pre/tas_big_global_daily_2001_2001.nc');
    makeIsimipLike({ file: big, nt: 240, res: 1 });
    const env = { SUBSETD_WORKERS: '1', SUBSETD_TS_CACHE_FOLDERS: 'pre' };
    const svc = await startService(env, state);
    services.push(svc);
    const tmp = join(dir, 'tmp');
    await until('a temp file', () => existsSync(tmp) && readdirSync(tmp).some((n) => n.endsWith('.part')), 20_000);
    await svc.kill9();
    expect(readdirSync(dir).filter((n) => n !== 'tmp')).toEqual([]);
    expect(readdirSync(tmp).length).toBeGreaterThan(0);
    expect(pointSeriesFromCache(big, 'tas', 5, 5, dir)).toBeNull();
    const again = await startService(env, state);
    services.push(again);
    await until('the build after the restart', () => validEntries(dir, big).length === 1, 60_000);
    await until('the temp files gone', () => readdirSync(tmp).length === 0);
    expect(pointSeriesFromCache(big, 'tas', 5, 5, dir)).not.toBeNull();
    // SIGTERM while a build runs: it is stopped, its temp files removed, the service exits at once.
    rmSync(dir, { recursive: true, force: true });
    const third = await again.restart();
    services.push(third);
    await until('a temp file', () => existsSync(tmp) && readdirSync(tmp).some((n) => n.endsWith('.part')), 20_000);
    const t0 = Date.now();
    expect(await third.stop()).toBe(0);
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(readdirSync(tmp)).toEqual([]);
    expect(listEntries(dir)).toEqual([]);
  }, 180_000);
});

describe('bounded disk (evict.ts) and the build lock', () => {
  const root = join(base, 'bounded');
  const names = ['tas_e1_global_daily_2001_2001.nc', 'tas_e2_global_daily_2001_2001.nc', 'tas_e3_global_daily_2001_2001.nc', 'tas_e4_global_daily_2001_2001.nc'];
  const files = () => names.map((n) => join(root, n));
  beforeAll(() => {
    for (const n of names) fixture(root, n, { nt: 40, res: 2 });
  });

  it('SUBSETD_TS_CACHE_MAX: least recently used entries are evicted, the total stays under the max', async () => {
    const dir = join(base, 'lru');
    // Three entries; their last uses in the order e2 (oldest), e3 (never used: its build time), e1.
    const [f1, f2, f3, f4] = files();
    for (const f of [f1, f2, f3]) await buildCache(f, { dir, durable: false });
    const key = (f: string) => entryKey(realSource(f), 'tas');
    const one = statSync(entryFile(dir, key(f1))).size;
    const at = (s: number) => new Date(Date.now() - s * 1000);
    for (const [f, s] of [[f1, 300], [f2, 500], [f3, 400]] as Array<[string, number]>) utimesSync(entryFile(dir, key(f)), at(s), at(s));
    writeFileSync(hitsFile(dir, key(f1)), '..');
    utimesSync(hitsFile(dir, key(f1)), at(10), at(10));
    writeFileSync(hitsFile(dir, key(f2)), '.');
    utimesSync(hitsFile(dir, key(f2)), at(450), at(450));
    expect(usage(dir).map((e) => e.key)).toEqual([key(f2), key(f3), key(f1)]);
    // Room for three entries, and for two and the fourth's expected size: building the fourth evicts
    // exactly the least recently used one.
    const expected = Math.ceil(40 * 90 * 180 * 4 * 0.6); // what a build expects its entry to take
    const maxBytes = 2 * one + Math.max(one, expected);
    const r = await ensureFile(f4, { dir, bounds: { maxBytes, minFreeBytes: 0 }, durable: false });
    expect(r.built.map((b) => b.variable)).toEqual(['tas']);
    expect(r.evicted).toEqual([key(f2)]);
    expect(listEntries(dir).map((e) => e.key).sort()).toEqual([key(f1), key(f3), key(f4)].sort());
    expect(usage(dir).reduce((s, e) => s + e.bytes, 0)).toBeLessThanOrEqual(maxBytes);
    // A valid entry is not built again; the next build evicts the next least recently used (f3).
    expect((await ensureFile(f4, { dir, bounds: { maxBytes, minFreeBytes: 0 } })).built).toEqual([]);
    const r2 = await ensureFile(f2, { dir, bounds: { maxBytes, minFreeBytes: 0 }, durable: false });
    expect(r2.evicted).toEqual([key(f3)]);
    expect(usage(dir).reduce((s, e) => s + e.bytes, 0)).toBeLessThanOrEqual(maxBytes);
    // An entry larger than the max alone is skipped, nothing evicted.
    const r3 = await ensureFile(f3, { dir, bounds: { maxBytes: Math.floor(one / 2), minFreeBytes: 0 } });
    expect(r3.built).toEqual([]);
    expect(r3.skipped[0].reason).toMatch(/SUBSETD_TS_CACHE_MAX/);
    expect(r3.evicted).toEqual([]);
    expect(listEntries(dir)).toHaveLength(3);
  }, 60_000);

  it('subsetd cache build keeps the bounds too: skipped with the reason (exit 1), or LRU entries evicted', () => {
    const dir = join(base, 'cli');
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SUBSETD_')));
    const cli = (args: string[], env: Record<string, string>) =>
      spawnSync(process.execPath, [CLI, 'cache', ...args], { env: { ...clean, SUBSETD_STATE_DIR: join(base, 'cli-state'), SUBSETD_DATA_ROOT: root, SUBSETD_TS_CACHE_DIR: dir, ...env }, encoding: 'utf8' });
    const tooSmall = cli(['build', names[0]], { SUBSETD_TS_CACHE_MAX: '100KB' });
    expect(tooSmall.status).toBe(1);
    expect(tooSmall.stderr).toMatch(/tas: not built: its entry .* would not fit under SUBSETD_TS_CACHE_MAX/);
    expect(listEntries(dir)).toEqual([]);
    expect(cli(['build', names[0]], {}).status).toBe(0);
    const one = usage(dir)[0].bytes;
    // Room for one entry only: the second build evicts the first.
    const second = cli(['build', names[1]], { SUBSETD_TS_CACHE_MAX: String(Math.max(one, 40 * 90 * 180 * 4 * 0.6) + one / 2) });
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/evicted 1 least recently used entries/);
    expect(listEntries(dir).map((e) => e.header?.source.path)).toEqual([realSource(files()[1])]);
  }, 60_000);

  it('SUBSETD_MIN_FREE_DISK: a build that would go below it evicts first, or is skipped when it cannot', async () => {
    const dir = join(base, 'free');
    const [f1, f2, f3] = files();
    for (const f of [f1, f2]) await buildCache(f, { dir, durable: false });
    const key = (f: string) => entryKey(realSource(f), 'tas');
    utimesSync(entryFile(dir, key(f1)), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    const one = statSync(entryFile(dir, key(f1))).size;
    // The file system as the build sees it: 'free' bytes free, plus what evictions release.
    let free = 0;
    const evictedBytes = () => [f1, f2].filter((f) => !existsSync(entryFile(dir, key(f)))).length * one;
    setFreeSpace(() => free + evictedBytes());
    try {
      const worst = 40 * 90 * 180 * 4 * 1.02 + 1024 * 1024; // the variable's raw bytes, +2 %, +1 MiB
      const minFreeBytes = 1_000_000_000;
      // Not even evicting both entries would make room: skipped, nothing evicted.
      free = minFreeBytes + worst - 2 * one - 1000;
      const skipped = await ensureFile(f3, { dir, bounds: { maxBytes: 0, minFreeBytes } });
      expect(skipped.built).toEqual([]);
      expect(skipped.skipped[0].reason).toMatch(/SUBSETD_MIN_FREE_DISK/);
      expect(skipped.evicted).toEqual([]);
      expect(listEntries(dir)).toHaveLength(2);
      // Evicting the least recently used one makes room: it goes, the build runs.
      free = minFreeBytes + worst - one / 2;
      const built = await ensureFile(f3, { dir, bounds: { maxBytes: 0, minFreeBytes }, durable: false });
      expect(built.evicted).toEqual([key(f1)]);
      expect(built.built.map((b) => b.variable)).toEqual(['tas']);
      expect(listEntries(dir).map((e) => e.key).sort()).toEqual([key(f2), key(f3)].sort());
    } finally {
      setFreeSpace((d) => {
        const s = statfsSync(d);
        return s.bavail * s.bsize;
      });
    }
  }, 60_000);

  it('a region too large for the cache builds nothing, and the same request again does not even open the file', async () => {
    const root = join(base, 'large');
    // 0.5° × 60 days: the globe keeps 62 MB of values (> 48 MiB), so the cache would not answer it.
    const f = fixture(root, 'tas_large_global_daily_2001_2001.nc', { res: 0.5, nt: 60, missingEvery: 0 });
    const store = new SqliteJobStore(join(base, 'large.db'));
    const auto = new AutoCache({
      mode: 'auto', dir: join(base, 'large-cache'), dataRoot: root, folders: [], scanIntervalMs: 60_000, bounds: { maxBytes: 0, minFreeBytes: 0 },
      workerFile: join(ROOT, 'dist/ts-cache-worker.cjs'), store, nodeId: 'node-a', log: createLogger('silent'), durable: false,
    });
    const globe = [{ operation: 'mask_bbox', bbox: [-180, -90, 180, 90], compute_mean: true, output_csv: true }];
    try {
      auto.jobEnded({ processId: 'netcdf-subset', inputs: { paths: [f], operations: globe } });
      await auto.idle();
      expect(auto.stats).toMatchObject({ built: 0, skipped: 1 });
      auto.jobEnded({ processId: 'netcdf-subset', inputs: { paths: [f], operations: globe } });
      await auto.idle();
      expect(auto.stats).toMatchObject({ built: 0, skipped: 1 }); // not asked again
      expect(listEntries(join(base, 'large-cache'))).toEqual([]);
      // A point on the same file is worth an entry.
      auto.jobEnded({ processId: 'netcdf-subset', inputs: { paths: [f], operations: [point(13, 52)] } });
      await auto.idle();
      expect(auto.stats).toMatchObject({ built: 1 });
    } finally {
      await auto.close();
      await store.close();
    }
  }, 60_000);

  it('a file whose build lock another node holds is skipped, and looked at again later: then this node builds it', async () => {
    const dir = join(base, 'locked');
    const store = new SqliteJobStore(join(base, 'lock.db'));
    const f = files()[0];
    const auto = new AutoCache({
      mode: 'auto', dir, dataRoot: root, folders: [], scanIntervalMs: 60_000, bounds: { maxBytes: 0, minFreeBytes: 0 },
      workerFile: join(ROOT, 'dist/ts-cache-worker.cjs'), store, nodeId: 'node-b', log: createLogger('silent'), durable: false, retryAfterMs: 300,
    });
    try {
      expect(await store.tryLock(`ts-cache:${realSource(f)}`, 'node-a', 60_000)).toBe(true);
      auto.jobEnded({ processId: 'netcdf-subset', inputs: { paths: [names[0]], operations: [point(1, 2)] } });
      await auto.idle();
      expect(auto.stats).toMatchObject({ locked: 1, built: 0 });
      expect(listEntries(dir)).toEqual([]);
      // Looked at again once the lock would have expired: the other node is gone, this one builds.
      await store.unlock(`ts-cache:${realSource(f)}`, 'node-a');
      await until('the retry', () => auto.stats.built === 1);
      await auto.idle();
      expect(auto.stats).toMatchObject({ locked: 1, built: 1 });
      expect(listEntries(dir)).toHaveLength(1);
      // Released after the build: another node may take it.
      expect(await store.tryLock(`ts-cache:${realSource(f)}`, 'node-a', 60_000)).toBe(true);
      // Not a point or small region, or another process: nothing queued.
      auto.jobEnded({ processId: 'netcdf-subset', inputs: { paths: [names[1]], operations: [{ operation: 'mask_landonly' }] } });
      auto.jobEnded({ processId: 'hello-world', inputs: { paths: [names[1]], operations: [point(1, 2)] } });
      await auto.idle();
      expect(auto.stats.built).toBe(1);
    } finally {
      await auto.close();
      await auto.close(); // idempotent
      await store.close();
    }
  }, 60_000);
});
