/**
 * Request bodies built to hurt: deep nesting, oversized JSON, a polygon with millions of
 * vertices, a zip bomb as an uploaded shapefile, wrong content types. Each gets a 4xx naming the
 * field, and the service keeps answering.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { ASYNC, post, startService, type RunningService } from '../helpers/service.js';

let svc: RunningService;
beforeAll(async () => {
  svc = await startService({ SUBSETD_WORKERS: '1' });
  mkdirSync(join(svc.stateDir, 'data'), { recursive: true });
  writeFileSync(join(svc.stateDir, 'data/a.nc'), 'not really NetCDF; validation stops before it is read');
}, 60_000);
afterAll(() => svc?.cleanup());

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const alive = async () => expect((await svc.json('/jobs?limit=1')).status).toBe(200);

function zipOf(entries: Record<string, Buffer>): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const [name, buf] of Object.entries(entries)) z.addBuffer(buf, name);
  z.end();
  const parts: Buffer[] = [];
  return new Promise((res, rej) => z.outputStream.on('data', (d: Buffer) => parts.push(d)).on('end', () => res(Buffer.concat(parts))).on('error', rej));
}

function isimipForm(data: unknown, files: Record<string, Buffer>): RequestInit {
  const f = new FormData();
  f.set('data', new Blob([JSON.stringify(data)]), 'data');
  for (const [name, content] of Object.entries(files)) f.set(name, new Blob([new Uint8Array(content)]), name);
  return { method: 'POST', body: f };
}

describe('deeply nested JSON', () => {
  it('is a 400 naming the input before schema validation, on the OGC route', async () => {
    for (const depth of [100, 10_000, 200_000]) {
      const r = await svc.json('/processes/hello-world/execution', post(`{"inputs":{"name":${nested(depth)}}}`));
      expect(r.status).toBe(400);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      // JSON.parse itself gives up on the deepest one: then the whole body is at fault.
      expect(['inputs.name', 'body']).toContain(r.body.field);
    }
    const r = await svc.json('/processes/hello-world/execution', post(`{"inputs":{"name":${nested(100)}}}`));
    expect(r.body).toMatchObject({ field: 'inputs.name', title: 'JSON nested too deeply' });
    await alive();
  });

  it('is a 400 in the ISIMIP error shape on the ISIMIP endpoint', async () => {
    const deep = { paths: ['a.nc'], operations: [{ operation: 'mask_landonly' }], extra: JSON.parse(nested(500)) };
    const r = await svc.json('/isimip/v2', post(deep));
    expect(r.status).toBe(400);
    expect(r.body.status).toBe('error');
    expect(r.body.errors.data[0]).toMatch(/nested deeper than 64 levels at extra/);
  });

  it('still accepts real nesting (a GeoJSON FeatureCollection in inputs)', async () => {
    const polygon = { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'MultiPolygon', coordinates: [[[[5, 47], [15, 47], [15, 55], [5, 47]]]] } }] };
    const r = await svc.json('/processes/netcdf-subset/execution', post({ inputs: { paths: ['missing.nc'], operations: [{ operation: 'mask_polygon', polygon }] } }, ASYNC));
    expect(r.status).toBe(400);
    expect(r.body.field).toBe('inputs.paths.0'); // got past the depth check to the path
  });
});

describe('oversized JSON', () => {
  it('a JSON body over SUBSETD_JSON_LIMIT is a 413 naming the body, and the service stays up', async () => {
    const big = JSON.stringify({ inputs: { name: 'x'.repeat(21 * 1024 * 1024) } });
    const r = await svc.json('/processes/hello-world/execution', post(big));
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ field: 'body', status: 413 });
    expect(r.body.detail).toContain('SUBSETD_JSON_LIMIT');
    const i = await svc.json('/isimip/v2', post(big));
    expect(i.status).toBe(413); // in the ISIMIP shape: docs/isimip.md
    expect(i.body.errors.data[0]).toContain('SUBSETD_JSON_LIMIT');
    await alive();
  });
});

describe('a polygon with millions of vertices', () => {
  it('is a 400 naming the polygon input', async () => {
    const ring = '[0,0],'.repeat(2_100_000) + '[0,0]';
    const body = `{"inputs":{"paths":["a.nc"],"operations":[{"operation":"mask_polygon","polygon":{"type":"Polygon","coordinates":[[${ring}]]}}]}}`;
    const r = await svc.json('/processes/netcdf-subset/execution', post(body, ASYNC));
    expect(r.status).toBe(400);
    expect(r.body.field).toBe('inputs.operations.0.polygon');
    expect(r.body.detail).toMatch(/more than 2000000 vertices/);
    await alive();
  });
});

describe('a zip bomb as an uploaded shapefile', () => {
  const request = (shape: string) => ({
    paths: ['a.nc'],
    operations: [
      { operation: 'create_mask', shape, mask: 'm.nc' },
      { operation: 'mask_mask', mask: 'm.nc' },
    ],
  });

  it('is refused by its expansion ratio while unpacking', async () => {
    const bomb = await zipOf({ 'x.shp': Buffer.alloc(40 * 1024 * 1024), 'x.dbf': Buffer.alloc(10) });
    expect(bomb.length).toBeLessThan(200 * 1024);
    const r = await svc.json('/isimip/v2', isimipForm(request('bomb.zip'), { 'bomb.zip': bomb }));
    expect(r.status).toBe(400);
    expect(r.body.errors.operations.join()).toMatch(/operations\.0\.file: .*expands \d+ times.*zip bomb/);
    await alive();
  });

  it('is refused by its number of entries', async () => {
    const many: Record<string, Buffer> = {};
    for (let i = 0; i < 1500; i++) many[`f${i}.txt`] = Buffer.from('x');
    const r = await svc.json('/isimip/v2', isimipForm(request('many.zip'), { 'many.zip': await zipOf(many) }));
    expect(r.status).toBe(400);
    expect(r.body.errors.operations.join()).toMatch(/more than 1000 entries/);
  });
});

describe('wrong content types', () => {
  it('are a 415 problem naming content-type on the OGC route', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml']) {
      const r = await svc.json('/processes/hello-world/execution', { method: 'POST', headers: { 'content-type': type }, body: '{"inputs":{"name":"x"}}' });
      expect(r.status, type).toBe(415);
      expect(r.body).toMatchObject({ status: 415, field: 'content-type' });
    }
    // JSON with parameters or a +json suffix is still JSON.
    const ok = await svc.json('/processes/hello-world/execution', { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: '{"inputs":{"name":"x"}}' });
    expect(ok.status).toBe(200);
  });

  it('are a 415 in the ISIMIP error shape on the ISIMIP endpoint', async () => {
    const r = await svc.json('/isimip/v2', { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<x/>' });
    expect(r.status).toBe(415);
    expect(r.body).toMatchObject({ status: 'error', errors: { data: [expect.stringContaining('text/xml')] } });
  });
});
