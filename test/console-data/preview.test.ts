// POST /preview/mask against a real service: the cell count equals what a finished netcdf-subset
// job keeps (non-fill cells of its output) for countries, boxes and polygons, on a descending
// −180..180 NetCDF-4 grid and an ascending 0..360 NetCDF-3 grid; the outline covers exactly those
// cells; bad requests name their field. Latencies are printed, not asserted.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSource } from '../../processors/netcdf/io/open-source.js';
import { numAttr } from '../../processors/netcdf/model.js';
// @ts-expect-error plain JS script without types
import { makeIsimipLike } from '../../scripts/make-netcdf-fixtures.mjs';
import { ASYNC, post, resultPath, startServiceWithData, waitForJob, type RunningService } from '../helpers/service.js';

let svc: RunningService;
let data: string;
// No missing cells: every kept cell of the job's output is non-fill.
const NC4 = 'tas_05deg_desc.nc';
const NC3_360 = 'tas_1deg_lon360_asc.nc';

beforeAll(async () => {
  ({ svc, data } = await startServiceWithData({ SUBSETD_WORKERS: '1' }));
  makeIsimipLike({ file: join(data, NC4), kind: 'nc4', res: 0.5, nt: 2 });
  makeIsimipLike({ file: join(data, NC3_360), kind: 'nc3', res: 1, lon360: true, descending: false, nt: 2 });
}, 60_000);

afterAll(() => svc?.cleanup());

async function preview(body: unknown) {
  const res = await fetch(`${svc.url}/preview/mask`, post(body));
  return { status: res.status, body: await res.json(), ms: Number(/dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '')?.[1]) };
}

/** Cells the job kept: non-fill values in the first plane of its output file. */
async function jobCells(path: string, op: Record<string, unknown>): Promise<number> {
  const r = await svc.json('/processes/netcdf-subset/execution', post({ inputs: { paths: [path], operations: [op] } }, ASYNC));
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  const job = await waitForJob(svc, r.body.jobID, undefined, 60_000);
  expect(job.status, job.message).toBe('successful');
  const results = (await svc.json(`/jobs/${r.body.jobID}/results`)).body;
  const src = await openSource(resultPath(svc, results.files[0].href).path);
  try {
    const v = src.vars.find((x) => x.name === 'tas')!;
    const fill = numAttr(v.attrs, '_FillValue')!;
    const [nlat, nlon] = v.shape.slice(-2);
    const plane = await src.readPlane('tas', 0, 0, nlat);
    let n = 0;
    for (let k = 0; k < nlat * nlon; k++) if (plane[k] !== fill) n++;
    return n;
  } finally {
    src.close();
  }
}

const polygon = { type: 'Polygon', coordinates: [[[5, 45], [15, 45], [10, 55], [5, 45]]] };
const CASES: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
  ['country DEU', { country: 'DEU' }, { operation: 'mask_country', country: 'DEU' }],
  ['country FJI (across the antimeridian)', { country: 'FJI' }, { operation: 'mask_country', country: 'FJI' }],
  ['bbox across the antimeridian', { bbox: [170, -20, -170, -10] }, { operation: 'mask_bbox', bbox: [170, -20, -170, -10] }],
  ['polygon', { polygon }, { operation: 'mask_polygon', polygon }],
];

describe('the preview counts what the job keeps', () => {
  for (const file of [NC4, NC3_360])
    for (const [name, region, op] of CASES)
      it(`${name} on ${file}`, async () => {
        const p = await preview({ path: file, variable: 'tas', region });
        expect(p.status, JSON.stringify(p.body)).toBe(200);
        expect(p.body.cells).toBeGreaterThan(0);
        expect(p.body.cells).toBe(await jobCells(file, op));
        // The outline covers exactly the selected cells: its area is theirs (regular grid).
        const { dlon, dlat } = p.body.grid;
        const area = p.body.geometry.coordinates.reduce((s: number, poly: number[][][]) => {
          const [[w, south], [e], [, north]] = poly[0];
          return s + (e - w) * (north - south);
        }, 0);
        expect(area).toBeCloseTo(p.body.cells * dlon * dlat, 6);
        for (const poly of p.body.geometry.coordinates) for (const [x, y] of poly[0]) expect(Math.abs(x) <= 180 && Math.abs(y) <= 90).toBe(true);
      });
});

describe('outline and grid', () => {
  it('merges cells into few rectangles and reports the file grid', async () => {
    const p = await preview({ path: NC4, region: { bbox: [-10, 40, 20, 60] } });
    expect(p.body.cells).toBe(40 * 60);
    expect(p.body.geometry).toEqual({ type: 'MultiPolygon', coordinates: [[[[-10, 40], [20, 40], [20, 60], [-10, 60], [-10, 40]]]] });
    expect(p.body.grid).toMatchObject({ nlon: 720, nlat: 360, latOrder: 'descending', lon0360: false });
    const q = await preview({ path: NC3_360, region: { bbox: [-10, 40, 20, 60] } });
    expect(q.body.grid).toMatchObject({ nlon: 360, latOrder: 'ascending', lon0360: true });
    // A 0..360 file's cells are drawn in −180..180: one piece west of Greenwich, one east.
    const xs = q.body.geometry.coordinates.flatMap((poly: number[][][]) => poly[0].map(([x]) => x));
    expect(Math.min(...xs)).toBeCloseTo(-10, 6);
    expect(Math.max(...xs)).toBeCloseTo(20, 6);
    expect(q.body.geometry.coordinates).toHaveLength(1); // columns ordered in −180..180: one piece
  });

  it('a boundary id selects like its outline; latencies of countries on the 0.5° grid', async () => {
    const b = await preview({ path: NC4, region: { boundary: 'DEU' } });
    expect(b.status, JSON.stringify(b.body)).toBe(200);
    const c = await preview({ path: NC4, region: { country: 'DEU' } });
    expect(Math.abs(b.body.cells - c.body.cells)).toBeLessThanOrEqual(c.body.cells * 0.05);
    const lines: string[] = [];
    for (const iso of ['DEU', 'USA', 'RUS', 'CAN', 'BRA', 'IDN']) {
      const t0 = performance.now();
      const p = await preview({ path: NC4, region: { country: iso } });
      lines.push(`${iso} ${p.body.cells} cells, ${p.body.geometry.coordinates.length} rectangles, ${(performance.now() - t0).toFixed(0)} ms (server ${p.ms} ms)`);
    }
    console.log(`mask preview, first request per country on the 0.5° grid:\n  ${lines.join('\n  ')}`);
  });
});

describe('bad requests name their field', () => {
  const cases: Array<[string, unknown, string, number?]> = [
    ['no path', { region: { country: 'DEU' } }, 'path'],
    ['path outside', { path: '../x.nc', region: { country: 'DEU' } }, 'path'],
    ['absolute path', { path: '/etc/passwd', region: { country: 'DEU' } }, 'path'],
    ['missing file', { path: 'nope.nc', region: { country: 'DEU' } }, 'path', 404],
    ['no region', { path: NC4 }, 'region'],
    ['two regions', { path: NC4, region: { country: 'DEU', bbox: [0, 0, 1, 1] } }, 'region'],
    ['unknown country', { path: NC4, region: { country: 'XYZ' } }, 'region.country'],
    ['bad bbox', { path: NC4, region: { bbox: [0, 10, 1] } }, 'region.bbox'],
    ['south above north', { path: NC4, region: { bbox: [0, 10, 1, 5] } }, 'region.bbox'],
    ['bad polygon', { path: NC4, region: { polygon: { type: 'Polygon', coordinates: [[[0, 0], [1, 1]]] } } }, 'region.polygon'],
    ['unknown boundary', { path: NC4, region: { boundary: 'nowhere' } }, 'region.boundary'],
    ['unknown variable', { path: NC4, variable: 'pr', region: { country: 'DEU' } }, 'variable'],
    ['body not an object', [1, 2], 'body'],
  ];
  for (const [name, body, field, status = 400] of cases)
    it(name, async () => {
      const p = await preview(body);
      expect(p.status, JSON.stringify(p.body)).toBe(status);
      expect(p.body.field).toBe(field);
    });

  it('a box between cell centres selects nothing, as the job masks everything', async () => {
    const p = await preview({ path: NC4, region: { bbox: [0.1, 0.1, 0.2, 0.2] } });
    expect(p.status).toBe(200);
    expect(p.body.cells).toBe(0);
    expect(p.body.geometry.coordinates).toEqual([]);
  });

  it('a file that is not NetCDF', async () => {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(data, 'x.tif'), 'II*\0');
    const p = await preview({ path: 'x.tif', region: { country: 'DEU' } });
    expect(p.status).toBe(400);
    expect(p.body.field).toBe('path');
  });
});
