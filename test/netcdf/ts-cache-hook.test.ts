/**
 * The processor hook, in place: netcdf-subset runs in-process with every opened source wrapped by
 * withPointCache for the job's point (what subset-file.ts does for a point), and its
 * outputs — the point CSV and cutout_point's / select_point's NetCDF — are identical to the
 * uncached run's, on every layout, while no plane of the data variable is read from the source.
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Source } from '../../processors/netcdf/model.js';
import type { RegionCachedSource } from '../../processors/netcdf/ts-cache/region-hook.js';
import { buildCache } from '../../processors/netcdf/ts-cache/index.js';
import { runJob } from './helpers.js';
import { bytesOf, cellOf, makeTsFixtures, type Layout } from './ts-cache-helpers.js';

const hook = vi.hoisted(() => ({ point: null as null | { row: number; col: number; dir: string }, wrapped: [] as Array<{ src: RegionCachedSource; sourceReads: string[] }> }));

vi.mock('../../processors/netcdf/io/open-source.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../processors/netcdf/io/open-source.js')>();
  return {
    ...real,
    openSource: async (path: string) => {
      const s = await real.openSource(path);
      if (!hook.point) return s;
      // Imported when first used: region-hook.ts imports (through the masks) this very module,
      // which cannot finish loading while its mock factory waits for it.
      const { withPointCache } = await import('../../processors/netcdf/ts-cache/region-hook.js');
      const sourceReads: string[] = [];
      const orig = s.readPlane.bind(s);
      s.readPlane = (name: string, p: number, r0: number, r1: number) => (sourceReads.push(name), orig(name, p, r0, r1));
      const origAll = s.readAll.bind(s);
      s.readAll = (name: string) => (sourceReads.push(`all:${name}`), origAll(name));
      const w = withPointCache(s, path, hook.point.row, hook.point.col, hook.point.dir);
      hook.wrapped.push({ src: w, sourceReads });
      return w;
    },
  };
});

let base: string;
let root: string;
let files: Record<Layout, string>;
let dir: string;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'subsetd-tscache-hook-'));
  root = join(base, 'data');
  files = makeTsFixtures(root);
  dir = join(base, 'cache');
  for (const f of Object.values(files)) await buildCache(join(root, f), { dir, durable: false });
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** Everything a NetCDF output says, but its history line (which has the time of the run). */
async function describeNc(file: string) {
  const { openSource } = await vi.importActual<typeof import('../../processors/netcdf/io/open-source.js')>('../../processors/netcdf/io/open-source.js');
  const s: Source = await openSource(file);
  try {
    const vars = [];
    for (const v of s.vars) {
      const planes = v.shape.length >= 3 ? v.shape.slice(0, -2).reduce((a, b) => a * b, 1) : 0;
      const data = planes ? await Promise.all(Array.from({ length: planes }, (_, p) => s.readPlane(v.name, p, 0, v.shape[v.shape.length - 2]).then((x) => bytesOf(x).toString('hex')))) : [bytesOf(s.readAll(v.name)).toString('hex')];
      vars.push({ ...v, data });
    }
    return { format: s.format, dims: s.dims, vars, globalAttrs: s.globalAttrs.filter((a) => a.name !== 'history') };
  } finally {
    s.close();
  }
}

async function both(layout: Layout, op: Record<string, unknown>, lon: number, lat: number) {
  hook.point = null;
  const plain = await runJob(root, { paths: [files[layout]], operations: [op] });
  const [row, col] = await cellOf(join(root, files[layout]), lon, lat);
  hook.point = { row, col, dir };
  hook.wrapped.length = 0;
  try {
    const cached = await runJob(root, { paths: [files[layout]], operations: [op] });
    return { plain, cached, wrapped: hook.wrapped.slice() };
  } finally {
    hook.point = null;
  }
}

describe('netcdf-subset with the point hook in place', () => {
  it.each(['nc4', 'nc3', 'packed4d', 'packed360', 'nc3packed4d', 'long'] as Layout[])('%s: cutout_point and select_point NetCDF outputs are identical, answered by the cache', async (layout) => {
    for (const [lon, lat] of [[13.06, 52.38], [359.9, -89.9], [-33.3, 10]]) {
      for (const operation of ['cutout_point', 'select_point']) {
        const { plain, cached, wrapped } = await both(layout, { operation, point: { type: 'Point', coordinates: [lon, lat] } }, lon, lat);
        expect(cached.outputs.files.map((f) => f.file)).toEqual(plain.outputs.files.map((f) => f.file));
        expect(await describeNc(cached.files[0])).toEqual(await describeNc(plain.files[0]));
        const job = wrapped.find((w) => w.src.answered.size);
        expect(job, `${layout} ${operation} ${lon},${lat}: the cache answered`).toBeDefined();
        expect([...job!.src.answered]).toEqual(['tas']);
        expect(job!.sourceReads).not.toContain('tas');
      }
    }
  });

  it.each(['nc4', 'nc3', 'packed360', 'long'] as Layout[])('%s: the point CSV is the same bytes', async (layout) => {
    for (const [lon, lat] of [[13.06, 52.38], [0.1, 89.9], [181, -45]]) {
      for (const csv_header of [true, false]) {
        const op = { operation: 'select_point', point: { type: 'Point', coordinates: [lon, lat] }, output_csv: true };
        hook.point = null;
        const plain = await runJob(root, { paths: [files[layout]], operations: [op], csv_header });
        const [row, col] = await cellOf(join(root, files[layout]), lon, lat);
        hook.point = { row, col, dir };
        hook.wrapped.length = 0;
        const cached = await runJob(root, { paths: [files[layout]], operations: [op], csv_header });
        hook.point = null;
        expect(readFileSync(cached.files[0], 'utf8')).toBe(readFileSync(plain.files[0], 'utf8'));
        // The series and the time axis (the entry's header keeps it) came from the cache.
        expect(hook.wrapped.some((w) => w.src.answered.has('tas') && !w.sourceReads.includes('tas') && !w.sourceReads.includes('all:time'))).toBe(true);
      }
    }
  });
});
