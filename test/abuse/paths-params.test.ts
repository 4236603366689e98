/**
 * Paths and query strings built to escape or confuse: encoded `..`, NUL bytes, symlinks out of
 * the data root, repeated and unknown query parameters, broken percent-encoding. Also the
 * security headers every response carries.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASYNC, post, startService, waitForJob, type RunningService } from '../helpers/service.js';

let svc: RunningService;
let jobId: string;
beforeAll(async () => {
  svc = await startService({ SUBSETD_WORKERS: '1' });
  const data = join(svc.stateDir, 'data');
  mkdirSync(join(svc.stateDir, 'outside'), { recursive: true });
  mkdirSync(data, { recursive: true });
  writeFileSync(join(svc.stateDir, 'outside/secret.nc'), 'TOP-SECRET-BYTES');
  symlinkSync(join(svc.stateDir, 'outside/secret.nc'), join(data, 'escape.nc'));
  symlinkSync(join(svc.stateDir, 'outside'), join(data, 'outdir'));
  const r = await svc.json('/processes/test-file/execution', post({ inputs: { text: 'hello' } }, ASYNC));
  jobId = r.body.jobID;
  await waitForJob(svc, jobId);
}, 60_000);
afterAll(() => svc?.cleanup());

const raw = async (path: string) => {
  const r = await fetch(svc.url + path);
  return { status: r.status, text: await r.text(), headers: r.headers };
};

describe('encoded .. and NUL in URL paths', () => {
  it('never reach a file outside the job', async () => {
    expect((await raw(`/jobs/${jobId}/files/sub/hello.txt`)).text).toBe('hello');
    // (A literal sub/%2e%2e/ is resolved by the client's URL parser before it is sent.)
    for (const p of ['%zz', 'sub/%E0%A4%A', '..%2f..%2f..%2fetc%2fpasswd', '%2e%2e%2f%2e%2e%2foutside%2fsecret.nc', 'sub%2fhello.txt%00.png', 'sub/hello.txt%00', '%252e%252e%252fetc%252fpasswd']) {
      const r = await raw(`/jobs/${jobId}/files/${p}`);
      expect(r.status, p).toBe(404);
      expect(r.text).not.toContain('TOP-SECRET-BYTES');
    }
    for (const p of ['..%2f..%2foutside%2fsecret.nc', '%2e%2e%2fx.zip', 'x%00.zip', '%zz.zip']) expect((await raw(`/isimip/v2/output/${p}`)).status, p).toBe(404);
    for (const p of ['%2e%2e%2f%2e%2e', 'a%00b', '%zz']) expect((await raw(`/jobs/${p}`)).status, p).toBe(404);
  });
});

describe('input paths', () => {
  const submit = (paths: string[]) => svc.json('/processes/netcdf-subset/execution', post({ inputs: { paths, operations: [{ operation: 'mask_landonly' }] } }, ASYNC));

  it('that escape the data root by .., NUL, absolute paths or symlinks are a 400 naming the path', async () => {
    const cases: Array<[string, RegExp]> = [
      ['../outside/secret.nc', /contains "\.\."/],
      ['a/../../outside/secret.nc', /contains "\.\."/],
      ['escape.nc\u0000.txt', /NUL byte/],
      ['/etc/passwd', /absolute/],
      ['escape.nc', /outside the data root/],
      ['outdir/secret.nc', /outside the data root/],
      ['%2e%2e/outside/secret.nc', /does not exist/], // JSON carries no URL encoding: a literal name
    ];
    for (const [path, why] of cases) {
      const r = await submit([path]);
      expect(r.status, path).toBe(400);
      expect(r.body.field, path).toBe('inputs.paths.0');
      expect(r.body.detail, path).toMatch(why);
    }
  });

  it('are checked the same way on the ISIMIP endpoint', async () => {
    const r = await svc.json('/isimip/v2', post({ paths: ['escape.nc', '../outside/secret.nc'], operations: [{ operation: 'mask_landonly' }] }));
    expect(r.status).toBe(400);
    expect(r.body.errors.paths).toHaveLength(2);
  });
});

describe('query parameters', () => {
  it('a single-valued parameter given twice is a 400 naming it', async () => {
    for (const [q, name] of [['limit=1&limit=1000', 'limit'], ['offset=0&limit=5&offset=3', 'offset'], ['lim%69t=1&limit=2', 'limit']]) {
      const r = await svc.json(`/jobs?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body).toMatchObject({ field: name, status: 400 });
      expect(r.body.detail).toContain('more than once');
    }
  });

  it('list parameters may repeat; unknown ones are ignored (OWSLib sends f=json)', async () => {
    expect((await svc.json('/jobs?status=successful&status=failed&processID=test-file&processID=sleep')).status).toBe(200);
    const r = await svc.json('/jobs?status=successful&f=json&_=1733400000');
    expect(r.status).toBe(200);
    expect(r.body.jobs.map((j: { jobID: string }) => j.jobID)).toContain(jobId);
  });

  it('broken percent-encoding and NUL bytes are a 400 naming the parameter', async () => {
    expect((await svc.json('/jobs?limit=%zz')).body).toMatchObject({ status: 400, field: 'limit' });
    expect((await svc.json('/jobs?%zz=1')).body).toMatchObject({ status: 400, field: 'query' });
    expect((await svc.json('/jobs?processID=a%00b')).body).toMatchObject({ status: 400, field: 'processID' });
  });
});

describe('security headers', () => {
  it('every response carries nosniff, a referrer policy and a CSP that forbids active content', async () => {
    for (const path of ['/', '/jobs', '/jobs/nope', '/nowhere', `/jobs/${jobId}/files/sub/hello.txt`, '/openapi.json', '/isimip/v2']) {
      const r = await raw(path);
      expect(r.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(r.headers.get('referrer-policy'), path).toBe('same-origin');
      expect(r.headers.get('content-security-policy'), path).toMatch(/default-src 'none'.*frame-ancestors 'none'/);
    }
  });
});
