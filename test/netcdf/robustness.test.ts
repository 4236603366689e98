/**
 * Corrupt inputs discovered mid-job fail only their own file (errors.json) while the others
 * complete; nothing half-written is left under a final name; a dismissal stops the job promptly.
 */
import { copyFileSync, existsSync, openSync, readdirSync, readFileSync, statSync, truncateSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JS script without types
import { makeIsimipLike } from '../../scripts/make-netcdf-fixtures.mjs';
import { chunkLayout, RawFile } from '../../processors/netcdf/hdf5/chunk-index.js';
import { loadH5 } from '../../processors/netcdf/io/h5.js';
import { makeDataRoot, runJob, sh } from './helpers.js';

let root: string;
let files: Record<'nc4' | 'nc3' | 'packed4d', string>;

function poke(file: string, pos: number, bytes: Buffer) {
  const fd = openSync(file, 'r+');
  writeSync(fd, bytes, 0, bytes.length, pos);
  closeSync(fd);
}

async function tasChunks(file: string) {
  const h5 = await loadH5();
  const f = new h5.File(file, 'r');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const ref = (f.get('tas') as any).create_reference();
  f.close();
  const fd = openSync(file, 'r');
  const layout = chunkLayout(new RawFile(fd), Number(Buffer.from(ref.ref_data).readBigUInt64LE(0)), 3)!;
  closeSync(fd);
  return layout;
}

/** A copy of the good NetCDF-4 input, damaged by `damage`. */
async function damaged(name: string, damage: (file: string) => Promise<void> | void): Promise<string> {
  const rel = `bad_${name}_global_daily_2001_2001.nc`;
  copyFileSync(join(root, files.nc4), join(root, rel));
  await damage(join(root, rel));
  return rel;
}

beforeAll(() => {
  ({ root, files } = makeDataRoot());
});

describe('corrupt files fail alone', () => {
  const cases: Array<[string, (f: string) => Promise<void> | void, RegExp]> = [
    ['truncated', (f) => truncateSync(f, Math.floor(statSync(f).size * 0.6)), /./],
    ['flipped superblock bytes', (f) => poke(f, 8, Buffer.from('\xff\xff\xff\xff\xff\xff\xff\xff', 'latin1')), /./],
    ['bad chunk index', async (f) => poke(f, (await tasChunks(f)).btreeAddr, Buffer.from('XXXX')), /B-tree/],
    ['chunk pointing outside the file', async (f) => poke(f, (await tasChunks(f)).chunks[2].childPos, Buffer.from([0, 0, 0, 0, 0, 0, 0, 0x40])), /outside the file/],
    ['garbage inside a chunk', async (f) => poke(f, (await tasChunks(f)).chunks[3].addr + 100, Buffer.alloc(2000, 0x55)), /./],
  ];
  it.each(cases)('%s', async (name, damage, message) => {
    const bad = await damaged(name.replace(/\W+/g, '-'), damage);
    const r = await runJob(root, { paths: [files.nc4, bad, files.nc3], operations: [{ operation: 'cutout_bbox', bbox: [5.5, 47, 15.5, 55.5] }] });
    expect(r.outputs.files.map((f) => f.file)).toEqual(['tas_nc3_lat47to55.5lon5.5to15.5_daily_2001_2001.nc', 'tas_small_lat47to55.5lon5.5to15.5_daily_2001_2001.nc']);
    const errors = JSON.parse(readFileSync(r.path('errors.json'), 'utf8'));
    expect(Object.keys(errors)).toEqual([bad]);
    expect(errors[bad]).toMatch(message);
    expect(sh('unzip', ['-l', r.path(r.outputs.archive.file)])).toContain('errors.json');
    expect(readdirSync(r.workDir).filter((f) => f.endsWith('.part'))).toEqual([]);
    for (const f of r.files) expect(sh('ncdump', ['-k', f]).trim()).toBe('netCDF-4 classic model');
  });

  it('a truncated NetCDF-3 file fails alone', async () => {
    const rel = 'bad_nc3_global_daily_2001_2001.nc';
    copyFileSync(join(root, files.nc3), join(root, rel));
    truncateSync(join(root, rel), 400_000);
    const r = await runJob(root, { paths: [rel, files.nc4], operations: [{ operation: 'mask_country', country: 'DEU' }] });
    expect(r.outputs.files).toHaveLength(1);
    expect(JSON.parse(readFileSync(r.path('errors.json'), 'utf8'))[rel]).toMatch(/truncated/);
  });

  it('a job whose every file fails is a failed job, not an empty success', async () => {
    const bad = await damaged('all', async (f) => poke(f, (await tasChunks(f)).btreeAddr, Buffer.from('XXXX')));
    await expect(runJob(root, { paths: [bad], operations: [{ operation: 'mask_landonly' }] })).rejects.toThrow(/no file could be processed/);
  });
});

describe('dismissal', () => {
  it('stops within a second mid-file and leaves no output under its final name', async () => {
    const rel = 'long_global_daily_2001_2001.nc';
    makeIsimipLike({ file: join(root, rel), nt: 120 });
    const ac = new AbortController();
    let abortedAt = 0;
    const job = runJob(root, { paths: [rel], operations: [{ operation: 'mask_country', country: 'BRA' }] }, { signal: ac.signal });
    // Abort once the job is under way (first progress), from a timer as the pool would.
    const t = setInterval(() => {
      if (!abortedAt) {
        abortedAt = performance.now();
        ac.abort(new Error('dismissed'));
      }
    }, 300);
    await expect(job).rejects.toThrow(/dismissed/);
    clearInterval(t);
    expect(performance.now() - abortedAt).toBeLessThan(1000);
  }, 60_000);

  it('leaves no .nc under its final name when aborted', async () => {
    const rel = 'long2_global_daily_2001_2001.nc';
    makeIsimipLike({ file: join(root, rel), nt: 60 });
    const ac = new AbortController();
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { proc } = await import('./helpers.js');
    const workDir = mkdtempSync(join(tmpdir(), 'subsetd-nc-abort-'));
    const p = proc.execute({ paths: [rel], operations: [{ operation: 'mask_landonly' }] }, { jobId: 'abort-job-0000', workDir, dataRoot: root, stateDir: workDir, datasetsFile: '', progress: () => ac.abort(new Error('dismissed')), signal: ac.signal, log: () => {} });
    await expect(p).rejects.toThrow();
    expect(readdirSync(workDir).filter((f) => f.endsWith('.nc'))).toEqual([]);
    expect(existsSync(join(workDir, 'README.txt'))).toBe(false);
  }, 60_000);
});
