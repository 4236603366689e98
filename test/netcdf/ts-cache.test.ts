/**
 * The time-series cache (processors/netcdf/ts-cache): every cell of every plane of every layout
 * the processor reads comes back bit for bit as the source stores it, whatever the memory budget
 * (one segment, staggered segments, merged small segments); a changed source or a damaged entry
 * is never answered; a build killed with SIGKILL leaves nothing that is read and is cleaned up by
 * the next; and `subsetd cache build|list|drop` as users run it (dist/subsetd.cjs).
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, truncateSync, utimesSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSource } from '../../processors/netcdf/io/open-source.js';
import { BYTES } from '../../processors/netcdf/model.js';
import { buildCache, entryFile, entryKey, listEntries, pointSeriesFromCache, realSource, TsCache, withPointCache } from '../../processors/netcdf/ts-cache/index.js';
import { findGrid, gridVars } from '../../processors/netcdf/grid.js';
import { select } from '../../processors/netcdf/selection.js';
import { pointCsv } from '../../processors/netcdf/series.js';
import { CLI } from '../helpers/service.js';
import { runJob, sh } from './helpers.js';
import { bytesOf, cellOf, makeTsFixtures, pointCsvFrom, sourceSeries, type Layout } from './ts-cache-helpers.js';
// @ts-expect-error plain JS script without types
import { makeIsimipLike } from '../../scripts/make-netcdf-fixtures.mjs';
// @ts-expect-error plain JS script without types
import { writeNc3 } from '../../scripts/nc3-writer.mjs';

let base: string;
let root: string;
let files: Record<Layout, string>;
const abs = (f: string) => join(root, f);
let dirNo = 0;
const freshDir = () => join(base, `cache${++dirNo}`);
/** The entry file of a source's variable in a cache dir. */
const entryOf = (dir: string, file: string, v = 'tas') => entryFile(dir, entryKey(realSource(file), v));

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'subsetd-tscache-'));
  root = join(base, 'data');
  files = makeTsFixtures(root);
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** Every cell's series from the cache equals the source's planes, byte for byte. */
async function expectExact(file: string, dir: string, varName = 'tas') {
  const cache = TsCache.open(entryOf(dir, file, varName));
  const src = await openSource(file);
  try {
    const v = src.vars.find((x) => x.name === varName)!;
    const [nlat, nlon] = v.shape.slice(-2);
    const planes = v.shape.slice(0, -2).reduce((a, b) => a * b, 1);
    const size = BYTES[v.type];
    const cells: Array<[number, number]> = [];
    for (let r = 0; r < nlat; r++) for (let c = 0; c < nlon; c++) cells.push([r, c]);
    // Every cell, plane-major: plane p of the cache is bytes [p·N·size, (p+1)·N·size).
    const all = bytesOf(cache.readCellPlanes(cells));
    const N = cells.length;
    const series = (k: number) => Buffer.concat(Array.from({ length: planes }, (_, p) => all.subarray((p * N + k) * size, (p * N + k + 1) * size)));
    for (let p = 0; p < planes; p++) {
      const plane = bytesOf(await src.readPlane(varName, p, 0, nlat));
      for (let k = 0; k < N; k++) {
        if (plane.compare(all, (p * N + k) * size, (p * N + k + 1) * size, k * size, (k + 1) * size) !== 0)
          throw new Error(`${file}: cell ${cells[k]} plane ${p} differs: ${plane.subarray(k * size, (k + 1) * size).toString('hex')} vs ${all.subarray((p * N + k) * size, (p * N + k + 1) * size).toString('hex')}`);
      }
    }
    // One cell on its own reads the same as in a batch.
    const [r, c] = cells[Math.floor(N / 3)];
    expect(bytesOf(cache.readPointSeries(r, c))).toEqual(series(Math.floor(N / 3)));
    return cache.header;
  } finally {
    cache.close();
    src.close();
  }
}

describe('building and reading', () => {
  it.each(['nc4', 'nc3', 'packed4d', 'packed360', 'nc3packed4d', 'long'] as Layout[])('%s: every cell of every plane, as stored in the source', async (layout) => {
    const dir = freshDir();
    const [res] = await buildCache(abs(files[layout]), { dir, durable: false });
    const h = await expectExact(abs(files[layout]), dir);
    expect(res.planes).toBe(h.layout.planes);
    // What is needed to answer as the source: the variable as declared (stored type, packing and
    // fill attributes untouched), its coordinates, the global attributes.
    const src = await openSource(abs(files[layout]));
    try {
      const v = src.vars.find((x) => x.name === 'tas')!;
      expect(h.variable).toEqual({ name: v.name, type: v.type, dims: v.dims, shape: v.shape, attrs: v.attrs });
      expect(h.globalAttrs).toEqual(src.globalAttrs);
      expect(h.coords.map((c) => c.name)).toEqual(v.dims.filter((d) => src.vars.some((x) => x.name === d)));
      for (const c of h.coords) expect(Buffer.from(c.data, 'base64')).toEqual(bytesOf(src.readAll(c.name)));
      if (layout === 'packed360' || layout === 'packed4d' || layout === 'nc3packed4d') expect(h.variable.type).toBe('short');
    } finally {
      src.close();
    }
  });

  it('is exact with any memory budget: staggered segments, and small segments merged into chunks', async () => {
    // long: 45 × 90 floats (16 200 bytes a plane), 100 planes.
    for (const [memory, want] of [
      [40 * 16200, { K: 34, merge: 1 }],
      [7 * 16200, { K: 7, merge: 3 }],
      [1, { K: 1, merge: 16 }],
    ] as const) {
      const dir = freshDir();
      const [res] = await buildCache(abs(files.long), { dir, memory, durable: false });
      expect(res.segmentBytes).toBeLessThanOrEqual(Math.max(memory, 16200));
      const h = await expectExact(abs(files.long), dir);
      expect({ K: h.layout.spillPlanes, merge: h.layout.merge, stagger: h.layout.stagger }).toEqual({ ...want, stagger: true });
    }
    // A packed 4-D NetCDF-3 source through the merge path too.
    const dir = freshDir();
    await buildCache(abs(files.nc3packed4d), { dir, memory: 3 * 60 * 120 * 2, durable: false });
    await expectExact(abs(files.nc3packed4d), dir);
  });

  it('handles odd grid sizes and every value type (byte, short, int, float with a NaN fill, double), NetCDF-3 and -4 with shuffle', async () => {
    // 37 × 53: edge blocks of 5 × 5 cells, so 2-byte values land on unaligned offsets.
    const [nt, nlat, nlon] = [9, 37, 53];
    const nc3 = join(root, 'odd_types.nc');
    const h = (t: number, i: number, k: number) => ((Math.imul(t * 7919 + i * 104729 + k, 2654435761) >>> 0) / 4294967296);
    const plane = (t: number, f: (x: number, i: number) => number) => Array.from({ length: nlat * nlon }, (_, i) => f(h(t, i, 1), i));
    writeNc3(nc3, {
      numrecs: nt,
      dims: [{ name: 'time', size: 0 }, { name: 'lat', size: nlat }, { name: 'lon', size: nlon }],
      attrs: { title: 'odd' },
      vars: [
        { name: 'time', type: 'double', dims: ['time'], attrs: { units: 'days since 2000-1-1', calendar: '365_day' }, fill: (t: number) => [t * 1.5] },
        { name: 'lat', type: 'double', dims: ['lat'], attrs: { units: 'degrees_north' }, fill: () => Array.from({ length: nlat }, (_, i) => 60 - i * 0.25) },
        { name: 'lon', type: 'double', dims: ['lon'], attrs: { units: 'degrees_east' }, fill: () => Array.from({ length: nlon }, (_, i) => 350 + i * 0.25) },
        { name: 'b', type: 'byte', dims: ['time', 'lat', 'lon'], attrs: { _FillValue: { type: 'byte', value: -127 } }, fill: (t: number) => plane(t, (x) => Math.floor(x * 250) - 125) },
        { name: 's', type: 'short', dims: ['time', 'lat', 'lon'], attrs: { scale_factor: { type: 'float', value: 0.5 } }, fill: (t: number) => plane(t, (x, i) => (i % 97 === 0 ? -32767 : Math.floor(x * 60000) - 30000)) },
        { name: 'i', type: 'int', dims: ['time', 'lat', 'lon'], attrs: {}, fill: (t: number) => plane(t, (x) => Math.floor(x * 4e9) - 2e9) },
        { name: 'f', type: 'float', dims: ['time', 'lat', 'lon'], attrs: { _FillValue: { type: 'float', value: NaN } }, fill: (t: number) => plane(t, (x, i) => (i % 13 === t ? NaN : 100 + x)) },
        { name: 'd', type: 'double', dims: ['time', 'lat', 'lon'], attrs: { missing_value: { type: 'double', value: -1e300 } }, fill: (t: number) => plane(t, (x) => x * 1e-5 + t) },
      ],
    });
    const nc4 = join(root, 'odd_types4.nc');
    sh('nccopy', ['-k', 'nc7', '-d', '1', '-s', '-c', `time/1,lat/${nlat},lon/${nlon}`, nc3, nc4]);
    for (const file of [nc3, nc4])
      for (const memory of [1 << 30, 1]) {
        const dir = freshDir();
        const built = await buildCache(file, { dir, memory, durable: false });
        expect(built.map((r) => r.variable)).toEqual(['b', 's', 'i', 'f', 'd']);
        for (const v of ['b', 's', 'i', 'f', 'd']) {
          const hd = await expectExact(file, dir, v);
          if (v === 'f') expect(Number.isNaN((hd.variable.attrs.find((a) => a.name === '_FillValue')!.value as number[])[0])).toBe(true);
        }
      }
  });

  it('is smaller than the source and reads a point from one block', async () => {
    const dir = freshDir();
    const [res] = await buildCache(abs(files.nc4), { dir, durable: false });
    expect(res.bytes).toBeLessThan(1.15 * res.sourceBytes);
    const h = TsCache.open(res.file);
    expect(h.header.layout.block).toBe(16);
    h.close();
  });
});

describe('pointSeriesFromCache', () => {
  it('answers what the source holds, through any link to the file, and counts hits', async () => {
    const dir = freshDir();
    await buildCache(abs(files.packed360), { dir, durable: false });
    const [row, col] = await cellOf(abs(files.packed360), 13.06, 52.38);
    const s = pointSeriesFromCache(abs(files.packed360), 'tas', row, col, dir)!;
    expect(s).toBeInstanceOf(Int16Array);
    expect(bytesOf(s)).toEqual(bytesOf(await sourceSeries(abs(files.packed360), 'tas', row, col)));
    const link = join(base, 'link.nc');
    symlinkSync(abs(files.packed360), link);
    expect(bytesOf(pointSeriesFromCache(link, 'tas', row, col, dir)!)).toEqual(bytesOf(s));
    expect(listEntries(dir).map((e) => e.hits)).toEqual([2]);
    expect(pointSeriesFromCache(abs(files.packed360), 'nope', row, col, dir)).toBeNull();
    expect(() => pointSeriesFromCache(abs(files.packed360), 'tas', 90, 0, dir)).toThrow(RangeError);
  });

  it('never answers for a source whose mtime, size or inode changed, and drops the entry', async () => {
    const file = join(root, 'changing.nc');
    copyFileSync(abs(files.nc3), file);
    const dir = freshDir();
    const entry = () => entryOf(dir, file);
    const build = async () => {
      await buildCache(file, { dir, durable: false });
      expect(pointSeriesFromCache(file, 'tas', 3, 4, dir)).not.toBeNull();
    };
    // mtime
    await build();
    const st = statSync(file);
    utimesSync(file, st.atime, new Date(st.mtimeMs + 1000));
    expect(pointSeriesFromCache(file, 'tas', 3, 4, dir)).toBeNull();
    expect(existsSync(entry())).toBe(false);
    // size (mtime put back as it was)
    await build();
    const st2 = statSync(file);
    appendFileSync(file, Buffer.alloc(8));
    utimesSync(file, st2.atime, st2.mtime);
    expect(pointSeriesFromCache(file, 'tas', 3, 4, dir)).toBeNull();
    expect(existsSync(entry())).toBe(false);
    // inode: the same bytes and mtime under the same name, a new file
    await build();
    const st3 = statSync(file);
    copyFileSync(file, `${file}.new`);
    utimesSync(`${file}.new`, st3.atime, st3.mtime);
    renameSync(`${file}.new`, file);
    expect(statSync(file).mtimeMs).toBe(st3.mtimeMs);
    expect(statSync(file).size).toBe(st3.size);
    expect(pointSeriesFromCache(file, 'tas', 3, 4, dir)).toBeNull();
    expect(existsSync(entry())).toBe(false);
    // gone
    await build();
    rmSync(file);
    expect(pointSeriesFromCache(file, 'tas', 3, 4, dir)).toBeNull();
  });

  it('never answers from a damaged entry (a flipped byte in a chunk, a truncated file, garbage) and drops it', async () => {
    const dir = freshDir();
    const file = abs(files.long);
    const damage: Array<(f: string) => void> = [
      (f) => {
        // A byte in the middle of the chunks.
        const fd = openSync(f, 'r+');
        const b = readFileSync(f);
        writeSync(fd, Buffer.from([b[Math.floor(b.length / 3)] ^ 0x10]), 0, 1, Math.floor(b.length / 3));
        closeSync(fd);
      },
      (f) => truncateSync(f, statSync(f).size - 9),
      (f) => truncateSync(f, 20),
      (f) => {
        const fd = openSync(f, 'r+');
        writeSync(fd, Buffer.from('garbage!'), 0, 8, 0);
        closeSync(fd);
      },
    ];
    for (const hurt of damage) {
      const [res] = await buildCache(file, { dir, durable: false });
      hurt(res.file);
      // A flipped chunk byte is found when its block is read: read every block (3 × 6 of them).
      let answered = 0;
      for (let r = 0; r < 45; r += 16) for (let c = 0; c < 90; c += 16) if (pointSeriesFromCache(file, 'tas', r, c, dir)) answered++;
      expect(answered).toBeLessThan(18);
      expect(pointSeriesFromCache(file, 'tas', 20, 17, dir)).toBeNull();
      expect(existsSync(res.file)).toBe(false);
    }
  });
});

describe('the processor hook (withPointCache)', () => {
  it('makes the point CSV byte for byte what the uncached processor writes, answered by the cache', async () => {
    const dir = freshDir();
    for (const layout of ['nc4', 'nc3', 'packed360', 'long'] as Layout[]) {
      await buildCache(abs(files[layout]), { dir, durable: false });
      for (const [lon, lat] of [[13.06, 52.38], [-179.9, -89.9], [179.9, 89.9], [200, -33.3]]) {
        const op = { operation: 'select_point', point: { type: 'Point', coordinates: [lon, lat] }, output_csv: true };
        const plain = await runJob(root, { paths: [files[layout]], operations: [op] });
        const want = readFileSync(plain.files[0], 'utf8');
        // What subset-file.ts does, with the hook in it.
        const src = await openSource(abs(files[layout]));
        const g = findGrid(src)!;
        const sel = await select([{ operation: 'select_point', point: { lon, lat }, output_csv: true }], g);
        const hooked = withPointCache(src, abs(files[layout]), sel.rows[0], sel.cols[0], dir);
        const outDir = mkdtempSync(join(base, 'out-'));
        let reads = 0;
        const orig = src.readPlane.bind(src);
        src.readPlane = async (name: string, p: number, r0: number, r1: number) => (reads++, orig(name, p, r0, r1));
        const [name] = await pointCsv(hooked, gridVars(hooked, g), sel, { path: abs(files[layout]), ops: [], outDir, baseName: 'x', signal: new AbortController().signal, onProgress: () => {}, history: '', csvHeader: true });
        src.close();
        expect(readFileSync(join(outDir, name), 'utf8'), `${layout} at ${lon},${lat}`).toBe(want);
        expect([...hooked.answered]).toEqual(['tas']);
        expect(reads).toBe(0);
        // And the series formatted by the test's own reading of the rule agrees (the service test uses it).
        expect(await pointCsvFrom(abs(files[layout]), 'tas', pointSeriesFromCache(abs(files[layout]), 'tas', sel.rows[0], sel.cols[0], dir)!)).toBe(want);
      }
    }
  });

  it('falls back to the source when there is no valid entry', async () => {
    const dir = freshDir();
    const src = await openSource(abs(files.nc4));
    const hooked = withPointCache(src, abs(files.nc4), 75, 386, dir);
    const row = await hooked.readPlane('tas', 2, 75, 76);
    expect(row[386]).toBe((await src.readPlane('tas', 2, 75, 76))[386]);
    expect(hooked.answered.size).toBe(0);
    src.close();
  });
});

function cli(args: string[], env: Record<string, string>) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SUBSETD_')));
  return spawnSync(process.execPath, [CLI, ...args], { env: { ...clean, ...env }, encoding: 'utf8', timeout: 60_000 });
}

describe('subsetd cache', () => {
  it('build, list (hits), drop PATH, drop --all, and the errors', async () => {
    const dir = freshDir();
    const env = { SUBSETD_STATE_DIR: join(base, 'state'), SUBSETD_DATA_ROOT: root, SUBSETD_TS_CACHE_DIR: dir };
    const b = cli(['cache', 'build', files.nc4, files.packed4d], env);
    expect(b.status, b.stderr).toBe(0);
    expect(b.stdout).toMatch(/tas_small_global_daily_2001_2001\.nc tas: [\d.]+ MB \([\d.]+× the source\) in [\d.]+ s/);
    expect(b.stderr).toBe(''); // no progress lines when stderr is not a terminal
    pointSeriesFromCache(abs(files.nc4), 'tas', 10, 10, dir);
    pointSeriesFromCache(abs(files.nc4), 'tas', 11, 10, dir);
    const list = JSON.parse(cli(['cache', 'list', '--json'], env).stdout);
    expect(list.map((e: { source: string; variable: string; hits: number; state: string }) => [e.source, e.variable, e.hits, e.state])).toEqual([
      [files.packed4d, 'tas', 0, 'ok'],
      [files.nc4, 'tas', 2, 'ok'],
    ]);
    expect(list[1].bytes).toBe(statSync(entryOf(dir, abs(files.nc4))).size);
    expect(Date.parse(list[1].built)).toBeGreaterThan(Date.now() - 120_000);
    const text = cli(['cache', 'list'], env).stdout;
    expect(text).toMatch(/^SOURCE +VARIABLE +SIZE +BUILT +HITS +LAST USE +STATE$/m);
    // Hits and last use (the .hits file's mtime; "never" for an entry never used).
    expect(text).toMatch(new RegExp(`^${files.nc4.replace(/\./g, '\\.')} +tas +[\\d.]+ MB +\\S+ +2 +\\d{4}-\\d\\d-\\d\\dT\\S+Z +ok$`, 'm'));
    expect(text).toMatch(new RegExp(`^${files.packed4d.replace(/\./g, '\\.')} +tas +[\\d.]+ MB +\\S+ +0 +never +ok$`, 'm'));
    expect(Date.parse(list[1].lastHit)).toBeGreaterThan(Date.now() - 120_000);
    expect(text).toMatch(/^\d+ entries, [\d.]+ MB of SUBSETD_TS_CACHE_MAX 10737\.4 MB$/m);

    const d = cli(['cache', 'drop', files.nc4], env);
    expect(d.status, d.stderr).toBe(0);
    expect(listEntries(dir).map((e) => e.header?.source.path)).toEqual([abs(files.packed4d)]);
    expect(cli(['cache', 'drop', files.nc4], env).status).toBe(1); // nothing to drop
    expect(cli(['cache', 'drop', '--all'], env).status).toBe(0);
    expect(listEntries(dir)).toEqual([]);

    const bad = cli(['cache', 'build', '../outside.nc', 'missing.nc', files.nc3], env);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/\.\.\/outside\.nc: .*"\.\."/);
    expect(bad.stderr).toMatch(/missing\.nc: .*does not exist/);
    expect(listEntries(dir).map((e) => e.header?.variable.name)).toEqual(['tas']); // the good one was built
    expect(cli(['cache', 'build'], env).status).toBe(2);
    expect(cli(['cache', 'frob'], env).status).toBe(2);
    expect(cli(['config'], { SUBSETD_STATE_DIR: join(base, 'st') }).stdout).toContain(`SUBSETD_TS_CACHE_DIR=${join(base, 'st')}/ts-cache`);
  });

  it('a build killed with SIGKILL leaves only temp files, never read, removed by the next build', async () => {
    const big = 'tas_kill_global_daily_2001_2001.nc';
    makeIsimipLike({ file: join(root, big), nt: 120, res: 1 });
    const dir = freshDir();
    const env = { SUBSETD_STATE_DIR: join(base, 'state'), SUBSETD_DATA_ROOT: root, SUBSETD_TS_CACHE_DIR: dir };
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SUBSETD_')));
    let before: string[] = [];
    for (const after of ['part', 'spill-grown']) {
      // A tight budget: many segments, so there is a spill file growing while it runs.
      const child = spawn(process.execPath, [CLI, 'cache', 'build', big, '--memory', '1M'], { env: { ...clean, ...env }, stdio: 'ignore' });
      const tmp = join(dir, 'tmp');
      const t0 = Date.now();
      for (;;) {
        const names = existsSync(tmp) ? readdirSync(tmp) : [];
        if (after === 'part' && names.some((n) => n.endsWith('.part'))) break;
        const spill = names.find((n) => n.endsWith('.spill'));
        if (after !== 'part' && spill) {
          // Stopped while its size is read: a running build may merge and unlink the spill between
          // the listing and the stat (it did on a loaded CI machine).
          child.kill('SIGSTOP');
          if ((statSync(join(tmp, spill), { throwIfNoEntry: false })?.size ?? 0) > 200_000) break;
          child.kill('SIGCONT');
        }
        if (Date.now() - t0 > 20_000) throw new Error('the build made no temp file');
        await new Promise((r) => setTimeout(r, 2));
      }
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      // Nothing but temp files, which no reader opens.
      expect(readdirSync(dir).filter((n) => n !== 'tmp')).toEqual([]);
      const left = readdirSync(tmp);
      expect(left.length).toBeGreaterThan(0);
      // The killed build before this one: its temp files went when this build started.
      for (const n of before) expect(left).not.toContain(n);
      before = left;
      expect(listEntries(dir)).toEqual([]);
      expect(pointSeriesFromCache(join(root, big), 'tas', 5, 5, dir)).toBeNull();
    }
    const again = cli(['cache', 'build', big], env);
    expect(again.status, again.stderr).toBe(0);
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
    expect(bytesOf(pointSeriesFromCache(join(root, big), 'tas', 5, 5, dir)!)).toEqual(bytesOf(await sourceSeries(join(root, big), 'tas', 5, 5)));
    // A temp file of a live process is left alone (another build running now).
    mkdirSync(join(dir, 'tmp'), { recursive: true });
    const mine = join(dir, 'tmp', `${'0'.repeat(40)}.${(await import('node:os')).hostname().replace(/[^A-Za-z0-9-]/g, '_')}.${process.pid}.00000000.part`);
    appendFileSync(mine, 'x');
    expect(cli(['cache', 'list'], env).status).toBe(0);
    expect(existsSync(mine)).toBe(true);
  });
});
