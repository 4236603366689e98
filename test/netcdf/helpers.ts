/**
 * Shared by the NetCDF tests: fixtures made by scripts/make-netcdf-fixtures.mjs in a temp data
 * root, netcdf-subset run in-process (validate, then execute, as the service does), and the peer
 * tools (cdo, ncks, gdal_rasterize) the outputs are compared with.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import family from '../../processors/netcdf/index.js';
import type { ExecuteContext } from '../../src/processes/types.js';
// @ts-expect-error plain JS script without types
import { makeTestFixtures } from '../../scripts/make-netcdf-fixtures.mjs';

export const proc = family.processes[0];

export function makeDataRoot(): { root: string; files: Record<'nc4' | 'nc3' | 'packed4d', string>; tmp: string } {
  const base = mkdtempSync(join(tmpdir(), 'subsetd-nc-test-'));
  const root = join(base, 'data');
  const files = makeTestFixtures(root);
  const tmp = join(base, 'tmp');
  mkdirSync(tmp);
  return { root, files: Object.fromEntries(Object.entries(files).map(([k, v]) => [k, String(v).slice(root.length + 1)])) as never, tmp };
}

let jobNo = 0;
export async function runJob(root: string, inputs: Record<string, unknown>, opts: { uploadDir?: string; signal?: AbortSignal; validate?: boolean } = {}) {
  const workDir = mkdtempSync(join(tmpdir(), 'subsetd-nc-job-'));
  if (opts.validate !== false) await proc.validate!(inputs, { dataRoot: root, uploadDir: opts.uploadDir });
  const progress: number[] = [];
  const ctx: ExecuteContext = {
    jobId: `job${++jobNo}-0123456789abcdef`,
    workDir,
    dataRoot: root,
    stateDir: workDir,
    datasetsFile: '',
    uploadDir: opts.uploadDir,
    progress: (p) => progress.push(p),
    signal: opts.signal ?? new AbortController().signal,
    log: () => {},
  };
  const res = await proc.execute(inputs, ctx);
  const outputs = res.outputs as { archive: { file: string }; files: Array<{ file: string }>; errors?: { file: string } };
  return { workDir, outputs, progress, path: (f: string) => join(workDir, f), files: outputs.files.map((f) => join(workDir, f.file)) };
}

/** Runs a command; stderr (HDF5-DIAG noise from Debian's netCDF-C) is ignored, the exit code is not. */
export function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-400)}`);
  return r.stdout;
}

/** cdo diffn prints one line per differing record and a summary; nothing when all values agree. */
export function cdoDiff(a: string, b: string): string {
  return sh('cdo', ['diffn', a, b]).trim();
}

export function coords(file: string, name: string): number[] {
  const out = sh('ncdump', ['-v', name, '-p', '9,17', file]);
  const body = out.slice(out.lastIndexOf(`${name} =`));
  return body.slice(body.indexOf('=') + 1, body.indexOf(';')).split(',').map(Number);
}

/** 0/1 mask of GeoJSON parts on a global grid, by gdal_rasterize (cell centre rule), latitude north to south. */
export function gdalMask(tmp: string, name: string, parts: unknown, res: number, west = -180): string {
  const gj = join(tmp, `${name}.geojson`);
  writeFileSync(gj, JSON.stringify({ type: 'Feature', properties: {}, geometry: { type: 'MultiPolygon', coordinates: parts } }));
  const sn = join(tmp, `${name}_sn.nc`);
  execFileSync('gdal_rasterize', ['-q', '-init', '0', '-burn', '1', '-te', String(west), '-90', String(west + 360), '90', '-tr', String(res), String(res), '-ot', 'Byte', '-of', 'netCDF', '-a_srs', 'EPSG:4326', gj, sn]);
  return sn;
}

export function gdalCount(maskFile: string): number {
  return Number(sh('cdo', ['-s', 'outputtab,value', '-fldsum', maskFile]).trim().split('\n').pop());
}

/** `date,value` rows of a CSV as [date, number]. */
export function csvRows(text: string): Array<[string, number]> {
  return text.trim().split('\n').slice(1).map((l) => {
    const [d, v] = l.split(',');
    return [d, Number(v)];
  });
}
