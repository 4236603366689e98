/**
 * netcdf-subset against cdo and ncks on the same inputs, every cell: country masks (values and
 * masked-cell counts), crops (also across the antimeridian and on 0..360 grids), points, field
 * means to 1e-5, NetCDF-3 and packed 4-D inputs, and the shape of the outputs themselves.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { getCountry } from '../../src/boundaries/index.js';
import { cdoDiff, coords, csvRows, gdalCount, gdalMask, makeDataRoot, runJob, sh } from './helpers.js';
// @ts-expect-error plain JS script without types
import { writeNc3 } from '../../scripts/nc3-writer.mjs';
// @ts-expect-error plain JS script without types
import { makeIsimipLike } from '../../scripts/make-netcdf-fixtures.mjs';

let root: string;
let tmp: string;
let files: Record<'nc4' | 'nc3' | 'packed4d', string>;
const abs = (f: string) => join(root, f);

beforeAll(() => {
  ({ root, files, tmp } = makeDataRoot());
});

describe('mask_country', () => {
  it('equals cdo -ifthen with the same outline rasterized by gdal_rasterize, cell for cell', async () => {
    const sn = gdalMask(tmp, 'deu', getCountry('DEU'), 0.5);
    const ns = join(tmp, 'deu_ns.nc');
    sh('cdo', ['-s', 'invertlat', sn, ns]);
    const ref = join(tmp, 'cdo_deu.nc');
    sh('cdo', ['-s', '-f', 'nc4c', '-z', 'zip_5', 'ifthen', ns, abs(files.nc4), ref]);
    const r = await runJob(root, { paths: [files.nc4], operations: [{ operation: 'mask_country', country: 'deu' }] });
    expect(r.outputs.files.map((f) => f.file)).toEqual(['tas_small_deu_daily_2001_2001.nc']);
    expect(cdoDiff(ref, r.files[0])).toBe('');
    // The input has scattered missing cells; the mask keeps 188 cells of which the input misses none at t=0.
    const info = sh('cdo', ['-s', 'infon', r.files[0]]).split('\n')[1].split(/\s+/);
    expect(259200 - Number(info[7])).toBe(gdalCount(sn));
  });

  it.each(['FRA', 'USA', 'RUS', 'FJI', 'CHL', 'IDN', 'NOR', 'ITA'])('%s keeps the cells gdal_rasterize burns', async (iso) => {
    const sn = gdalMask(tmp, iso, getCountry(iso), 0.5);
    const r = await runJob(root, { paths: [files.nc4], operations: [{ operation: 'mask_country', country: iso }] });
    const ns = join(tmp, `${iso}_ns.nc`);
    sh('cdo', ['-s', 'invertlat', sn, ns]);
    const ref = join(tmp, `cdo_${iso}.nc`);
    sh('cdo', ['-s', '-f', 'nc4c', 'ifthen', ns, abs(files.nc4), ref]);
    expect(cdoDiff(ref, r.files[0])).toBe('');
  });

  it('gives a country too small for any cell centre the cells it touches', async () => {
    // Luxembourg on a 2° grid: no centre inside; its outline touches one or two cells.
    const r = await runJob(root, { paths: [files.packed4d], operations: [{ operation: 'mask_country', country: 'LUX' }] });
    const miss = sh('cdo', ['-s', 'infon', r.files[0]]).split('\n')[1].split(/\s+/);
    const kept = 16200 - Number(miss[7]);
    expect(kept).toBeGreaterThanOrEqual(1);
    expect(kept).toBeLessThanOrEqual(4);
  });

  it('works on an ascending-latitude 0..360 NetCDF-3 grid', async () => {
    const sn = gdalMask(tmp, 'deu1', getCountry('DEU'), 1, 0);
    const ref = join(tmp, 'cdo_deu_nc3.nc');
    sh('cdo', ['-s', '-f', 'nc4c', 'ifthen', sn, abs(files.nc3), ref]);
    const r = await runJob(root, { paths: [files.nc3], operations: [{ operation: 'mask_country', country: 'DEU' }] });
    expect(cdoDiff(ref, r.files[0])).toBe('');
    expect(sh('ncdump', ['-k', r.files[0]]).trim()).toBe('netCDF-4 classic model');
  });
});

describe('crops', () => {
  it('cutout_bbox equals ncks -d lat -d lon (values and coordinates)', async () => {
    const ref = join(tmp, 'ncks_cut.nc');
    sh('ncks', ['-O', '-h', '-d', 'lat,47.0,55.5', '-d', 'lon,5.5,15.5', abs(files.nc4), ref]);
    const r = await runJob(root, { paths: [files.nc4], operations: [{ operation: 'cutout_bbox', bbox: [5.5, 47.0, 15.5, 55.5] }] });
    expect(cdoDiff(ref, r.files[0])).toBe('');
    expect(coords(r.files[0], 'lat')).toEqual(coords(ref, 'lat'));
    expect(coords(r.files[0], 'lon')).toEqual(coords(ref, 'lon'));
    expect(r.outputs.files[0].file).toBe('tas_small_lat47to55.5lon5.5to15.5_daily_2001_2001.nc');
  });

  it('a small cut-out is written in chunks of several time steps, the last one partial, and equals ncks', async () => {
    // 2° grid, a 60° × 40° box: 30 × 20 cells, 2 400 bytes a plane, so 27 steps a chunk (64 KiB);
    // 30 steps = a whole chunk and a partial one.
    const f = 'tas_coarse_global_daily_2001_2001.nc';
    makeIsimipLike({ file: abs(f), nt: 30, res: 2, missingEvery: 11 });
    const ref = join(tmp, 'ncks_coarse.nc');
    sh('ncks', ['-O', '-h', '-d', 'lat,30.0,70.0', '-d', 'lon,-10.0,50.0', abs(f), ref]);
    const r = await runJob(root, { paths: [f], operations: [{ operation: 'cutout_bbox', bbox: [-10, 30, 50, 70] }] });
    expect(cdoDiff(ref, r.files[0])).toBe('');
    expect(sh('ncdump', ['-hs', r.files[0]])).toMatch(/tas:_ChunkSizes = 27, 20, 30 ;/);
    expect(coords(r.files[0], 'lat')).toEqual(coords(ref, 'lat'));
  });

  it('reads tiled, shuffled chunks (as ncks writes them) and chunks spanning time steps', async () => {
    sh('nccopy', ['-k', 'nc7', '-d', '5', '-s', '-c', 'time/1,lat/90,lon/200', abs(files.nc4), abs('tiled_global_daily_2001_2001.nc')]);
    sh('nccopy', ['-k', 'nc7', '-d', '1', '-c', 'time/5,lat/360,lon/720', abs(files.nc4), abs('slab_global_daily_2001_2001.nc')]);
    const ref = join(tmp, 'cdo_tiled.nc');
    sh('cdo', ['-s', 'sellonlatbox,100,-100,-60,20', abs(files.nc4), ref]);
    const r = await runJob(root, { paths: ['tiled_global_daily_2001_2001.nc', 'slab_global_daily_2001_2001.nc'], operations: [{ operation: 'select_bbox', bbox: [100, -60, -100, 20] }] });
    expect(r.files).toHaveLength(2);
    for (const f of r.files) expect(cdoDiff(ref, f)).toBe('');
  });

  it('select_bbox across the antimeridian equals cdo sellonlatbox', async () => {
    const ref = join(tmp, 'cdo_am.nc');
    sh('cdo', ['-s', 'sellonlatbox,170,-170,-50,-10', abs(files.nc4), ref]);
    const r = await runJob(root, { paths: [files.nc4], operations: [{ operation: 'select_bbox', bbox: [170, -50, -170, -10] }] });
    expect(cdoDiff(ref, r.files[0])).toBe('');
    expect(coords(r.files[0], 'lon')).toEqual(coords(ref, 'lon'));
  });

  it('a box across 0° on a 0..360 grid equals cdo sellonlatbox', async () => {
    const ref = join(tmp, 'cdo_0.nc');
    sh('cdo', ['-s', 'sellonlatbox,-10,10,30,60', abs(files.nc3), ref]);
    const r = await runJob(root, { paths: [files.nc3], operations: [{ operation: 'select_bbox', bbox: [-10, 30, 10, 60] }] });
    expect(cdoDiff(ref, r.files[0])).toBe('');
  });

  it('mask_bbox keeps the grid and equals cdo masklonlatbox, on a packed 4-D variable', async () => {
    const ref = join(tmp, 'cdo_mb.nc');
    sh('cdo', ['-s', 'masklonlatbox,-20,40,30,70', abs(files.packed4d), ref]);
    const r = await runJob(root, { paths: [files.packed4d], operations: [{ operation: 'mask_bbox', bbox: [-20, 30, 40, 70] }] });
    expect(cdoDiff(ref, r.files[0])).toBe('');
    const h = sh('ncdump', ['-h', r.files[0]]);
    expect(h).toMatch(/short tas\(time, depth, lat, lon\)/);
    expect(h).toMatch(/tas:scale_factor = 0.01f/);
  });
});

describe('points and means', () => {
  it('select_point to CSV equals ncks at the nearest cell', async () => {
    const r = await runJob(root, { paths: [files.nc4], operations: [{ operation: 'select_point', point: { type: 'Point', coordinates: [13.06, 52.38] }, output_csv: true }] });
    const ncks = sh('ncks', ['-H', '-C', '-v', 'tas', '-d', 'lat,52.38', '-d', 'lon,13.06', abs(files.nc4)]);
    const body = ncks.slice(ncks.indexOf('tas = '));
    const expected = body.slice(6, body.indexOf(';')).split(',').map(Number);
    const rows = csvRows(readFileSync(r.files[0], 'utf8'));
    expect(rows.map((x) => x[0])).toEqual(['2001-01-01', '2001-01-02', '2001-01-03', '2001-01-04', '2001-01-05']);
    rows.forEach(([, v], i) => expect(v).toBeCloseTo(expected[i], 4));
  });

  it('compute_mean to CSV equals cdo fldmean to 1e-5 (global, with missing cells)', async () => {
    const cdo = sh('cdo', ['-s', 'outputtab,date,value', '-fldmean', abs(files.nc4)]);
    const ref = cdo.trim().split('\n').slice(1).map((l) => Number(l.trim().split(/\s+/)[1]));
    const r = await runJob(root, { paths: [files.nc4], operations: [{ operation: 'mask_bbox', bbox: [-180, -90, 180, 90], compute_mean: true, output_csv: true }] });
    const rows = csvRows(readFileSync(r.files[0], 'utf8'));
    expect(rows).toHaveLength(ref.length);
    rows.forEach(([, v], i) => expect(Math.abs(v - ref[i]) / ref[i]).toBeLessThan(1e-5));
  });

  it('compute_mean after mask_country equals cdo fldmean of cdo ifthen, as NetCDF', async () => {
    const sn = gdalMask(tmp, 'fra', getCountry('FRA'), 0.5);
    const ns = join(tmp, 'fra_ns.nc');
    sh('cdo', ['-s', 'invertlat', sn, ns]);
    const cdo = sh('cdo', ['-s', 'outputtab,value', '-fldmean', '-ifthen', ns, abs(files.nc4)]);
    const ref = cdo.trim().split('\n').slice(1).map(Number);
    const r = await runJob(root, { paths: [files.nc4], operations: [{ operation: 'mask_country', country: 'FRA', compute_mean: true }] });
    expect(r.outputs.files[0].file).toBe('tas_small_fra_daily_2001_2001_fldmean.nc');
    const mine = sh('cdo', ['-s', 'outputtab,value', r.files[0]]).trim().split('\n').slice(1).map(Number);
    mine.forEach((v, i) => expect(Math.abs(v - ref[i]) / ref[i]).toBeLessThan(1e-5));
  });
});

describe('bounds', () => {
  it('cuts lat_bnds/lon_bnds and keeps time_bnds and the bnds dimension (no coordinate variable), as ncks', async () => {
    const [nlat, nlon] = [36, 72];
    const lats = Array.from({ length: nlat }, (_, i) => 87.5 - 5 * i);
    const lons = Array.from({ length: nlon }, (_, j) => -177.5 + 5 * j);
    writeNc3(abs('bnds3_global_.nc'), {
      numrecs: 3,
      dims: [{ name: 'time', size: 0 }, { name: 'lat', size: nlat }, { name: 'lon', size: nlon }, { name: 'bnds', size: 2 }],
      attrs: { Conventions: 'CF-1.7' },
      vars: [
        { name: 'time', type: 'double', dims: ['time'], attrs: { units: 'days since 2000-01-01', calendar: '365_day', bounds: 'time_bnds' }, fill: (t: number) => [t + 0.5] },
        { name: 'time_bnds', type: 'double', dims: ['time', 'bnds'], attrs: {}, fill: (t: number) => [t, t + 1] },
        { name: 'lat', type: 'double', dims: ['lat'], attrs: { units: 'degrees_north', bounds: 'lat_bnds' }, fill: () => lats },
        { name: 'lat_bnds', type: 'double', dims: ['lat', 'bnds'], attrs: {}, fill: () => lats.flatMap((y) => [y + 2.5, y - 2.5]) },
        { name: 'lon', type: 'double', dims: ['lon'], attrs: { units: 'degrees_east', bounds: 'lon_bnds' }, fill: () => lons },
        { name: 'lon_bnds', type: 'double', dims: ['lon', 'bnds'], attrs: {}, fill: () => lons.flatMap((x) => [x - 2.5, x + 2.5]) },
        { name: 'pr', type: 'float', dims: ['time', 'lat', 'lon'], attrs: { _FillValue: { type: 'float', value: 1e20 } }, fill: (t: number) => Array.from({ length: nlat * nlon }, (_, k) => (k % 97) * 1e-6 + t) },
      ],
    });
    sh('nccopy', ['-k', 'nc7', '-d', '5', abs('bnds3_global_.nc'), abs('bnds4_global_.nc')]);
    const ref = join(tmp, 'ncks_bnds.nc');
    sh('ncks', ['-O', '-h', '-d', 'lat,45.,60.', '-d', 'lon,5.,20.', abs('bnds4_global_.nc'), ref]);
    const r = await runJob(root, { paths: ['bnds3_global_.nc', 'bnds4_global_.nc'], operations: [{ operation: 'cutout_bbox', bbox: [5, 45, 20, 60] }] });
    for (const f of r.files) {
      expect(cdoDiff(ref, f)).toBe('');
      for (const v of ['lat_bnds', 'lon_bnds', 'time_bnds']) expect(coords(f, v)).toEqual(coords(ref, v));
      expect(sh('ncdump', ['-h', f])).toMatch(/bnds = 2 ;/);
    }
  });
});

describe('outputs', () => {
  it('keeps attributes, appends history, names by region, and zips everything with a README', async () => {
    const r = await runJob(root, { paths: [files.nc4, files.nc3], operations: [{ operation: 'select_bbox', bbox: [-10, 35, 30, 60] }, { operation: 'mask_landonly' }] });
    const h = sh('ncdump', ['-h', r.files[1]]);
    expect(h).toMatch(/tas:long_name = "Near-Surface Air Temperature"/);
    expect(h).toMatch(/:Conventions = "CF-1.5"/);
    expect(h).toMatch(/:history = ".*subsetd netcdf-subset/);
    expect(r.outputs.files.map((f) => f.file)).toEqual(['tas_nc3_lat35to60lon-10to30_landonly_daily_2001_2001.nc', 'tas_small_lat35to60lon-10to30_landonly_daily_2001_2001.nc']);
    const list = sh('unzip', ['-l', r.path(r.outputs.archive.file)]);
    for (const f of [...r.outputs.files.map((x) => x.file), 'README.txt']) expect(list).toContain(f);
    expect(readFileSync(r.path('README.txt'), 'utf8')).toContain('"operation":"mask_landonly"');
    // Land only: the sea west of Portugal is missing, Madrid is not.
    const v = (lon: number, lat: number) => sh('cdo', ['-s', 'outputtab,value', `-remapnn,lon=${lon}_lat=${lat}`, '-seltimestep,1', r.files[1]]).trim().split('\n')[1].trim();
    expect(v(-3.7, 40.4)).not.toBe('-9e+33');
    expect(Number(sh('cdo', ['-s', 'outputtab,value', '-fldsum', '-setmisstoc,0', '-expr,x=tas/tas', '-seltimestep,1', r.files[1]]).trim().split('\n')[1])).toBeLessThan(80 * 50);
  });
});
