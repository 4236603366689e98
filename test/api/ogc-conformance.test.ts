// Every abstract test of OGC API - Processes - Part 1: Core 1.0 (OGC 18-062r2, Annex A), by its
// identifier, for each conformance class this server declares at /conformance, over real HTTP
// against the bundled service.
//
// The identifiers are 1.0's: its Annex A still named the execution tests /conf/core/job-creation-*
// (the requirements they test are /req/core/process-execute-*; later drafts renamed both), as do
// the OGC's executable test suite for 1.0 (ets-ogcapi-processes10, "Abstract Test N") and the
// specification sources of that time. Where an abstract test cannot apply to this server (an
// input type no process has), it stays as it.skip with the reason, so the list is complete.
import { request as httpRequest } from 'node:http';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import formatsPlugin from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASYNC, post, startServiceWithSample, waitForJob, type RunningService } from '../helpers/service.js';
import { CHROMIUM, launchBrowser, newPage } from '../helpers/browser.js';
import { multipartParts } from '../helpers/multipart.js';

const CONF = 'http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf';
const EXC = 'http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0';
const REL = 'http://www.opengis.net/def/rel/ogc/1.0';
const OAS_TYPE = 'application/vnd.oai.openapi+json;version=3.0';
const JSON_ACCEPT = { Accept: 'application/json' };
const HTML_ACCEPT = { Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

let svc: RunningService;
let dataDir: string;
let oas: any;
beforeAll(async () => {
  // Callbacks may reach this test's own receiver on 127.0.0.1 (/conf/callback).
  const s = await startServiceWithSample({ SUBSETD_CALLBACK_ALLOW_HOSTS: '127.0.0.1' });
  svc = s.svc;
  dataDir = s.data;
  oas = await (await fetch(`${svc.url}/openapi.json`)).json();
});
afterAll(() => svc?.cleanup());

// ---------------------------------------------------------------------------------------------
// The 1.0 schemas (schemas.opengis.net/ogcapi/processes/part1/1.0/openapi/schemas/*.yaml) that
// the abstract tests validate against, as JSON Schema. One deliberate change: 1.0's
// inputValueNoObject is a oneOf over string/number/integer/..., which no integer can pass (it
// matches both number and integer); it is an anyOf here.
// ---------------------------------------------------------------------------------------------
const link = { type: 'object', required: ['href'], properties: { href: { type: 'string' }, rel: { type: 'string' }, type: { type: 'string' }, hreflang: { type: 'string' }, title: { type: 'string' } } };
const links = { type: 'array', items: link };
const descriptionType = {
  type: 'object',
  properties: { title: { type: 'string' }, description: { type: 'string' }, keywords: { type: 'array', items: { type: 'string' } }, metadata: { type: 'array', items: { type: 'object' } } },
};
const processSummary = {
  allOf: [
    descriptionType,
    {
      type: 'object',
      required: ['id', 'version'],
      properties: {
        id: { type: 'string' },
        version: { type: 'string' },
        jobControlOptions: { type: 'array', items: { enum: ['sync-execute', 'async-execute', 'dismiss'] } },
        outputTransmission: { type: 'array', items: { enum: ['value', 'reference'] } },
        links,
      },
    },
  ],
};
const inputDescription = {
  allOf: [
    descriptionType,
    {
      type: 'object',
      required: ['schema'],
      properties: { minOccurs: { type: 'integer', minimum: 0 }, maxOccurs: { oneOf: [{ type: 'integer', minimum: 1 }, { enum: ['unbounded'] }] }, schema: { type: 'object' } },
    },
  ],
};
const outputDescription = { allOf: [descriptionType, { type: 'object', required: ['schema'], properties: { schema: { type: 'object' } } }] };
const statusInfo = {
  type: 'object',
  required: ['jobID', 'status', 'type'],
  properties: {
    type: { enum: ['process'] },
    processID: { type: 'string' },
    jobID: { type: 'string' },
    status: { enum: ['accepted', 'running', 'successful', 'failed', 'dismissed'] },
    message: { type: 'string' },
    created: { type: 'string', format: 'date-time' },
    started: { type: 'string', format: 'date-time' },
    finished: { type: 'string', format: 'date-time' },
    updated: { type: 'string', format: 'date-time' },
    progress: { type: 'integer', minimum: 0, maximum: 100 },
    links,
  },
};
const inputValueNoObject = {
  anyOf: [
    { type: 'string' },
    { type: 'number' },
    { type: 'integer' },
    { type: 'boolean' },
    { type: 'array' },
    { type: 'object', required: ['bbox'], properties: { bbox: { type: 'array', items: { type: 'number' } }, crs: { type: 'string' } } },
  ],
};
const qualifiedValue = { type: 'object', required: ['value'], properties: { value: {}, mediaType: { type: 'string' }, encoding: { type: 'string' }, schema: {} } };
const SCHEMAS = {
  landingPage: { type: 'object', required: ['links'], properties: { title: { type: 'string' }, description: { type: 'string' }, links } },
  confClasses: { type: 'object', required: ['conformsTo'], properties: { conformsTo: { type: 'array', items: { type: 'string' } } } },
  processList: { type: 'object', required: ['processes', 'links'], properties: { processes: { type: 'array', items: processSummary }, links } },
  process: {
    allOf: [
      processSummary,
      { type: 'object', properties: { inputs: { type: 'object', additionalProperties: inputDescription }, outputs: { type: 'object', additionalProperties: outputDescription } } },
    ],
  },
  statusInfo,
  jobList: { type: 'object', required: ['jobs', 'links'], properties: { jobs: { type: 'array', items: statusInfo }, links } },
  results: { type: 'object', additionalProperties: { oneOf: [inputValueNoObject, qualifiedValue, link].map((s, i) => (i === 0 ? { ...s, not: { type: 'object', required: ['href'] } } : s)) } },
  exception: { type: 'object', required: ['type'], properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' }, instance: { type: 'string' } } },
} as const;

const ajv = new Ajv({ strict: false, allErrors: true });
// ajv-formats is CommonJS: under NodeNext its default import is the module object.
(((formatsPlugin as unknown as { default?: unknown }).default ?? formatsPlugin) as unknown as (a: Ajv) => void)(ajv);
const validators = Object.fromEntries(Object.entries(SCHEMAS).map(([k, s]) => [k, ajv.compile(s)])) as Record<keyof typeof SCHEMAS, ValidateFunction>;
function conforms(schema: keyof typeof SCHEMAS, doc: unknown) {
  const v = validators[schema];
  expect(v(doc), `${schema}: ${ajv.errorsText(v.errors)}\n${JSON.stringify(doc).slice(0, 2000)}`).toBe(true);
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------
async function get(path: string, headers: Record<string, string> = JSON_ACCEPT) {
  const res = await fetch(path.startsWith('http') ? path : svc.url + path, { headers });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, body, text, url: res.url };
}

const execute = (id: string, body: unknown, headers: Record<string, string> = {}) => fetch(`${svc.url}/processes/${id}/execution`, post(body, headers));

let n = 0;
/** A fresh text each time, so no request joins another's job. */
const fresh = (s = 'conformance') => `${s} ${++n} ${Date.now()}`;

/** An output's Link header entries: [{ href, rel }]. */
function linkHeader(res: Response) {
  return (res.headers.get('link') ?? '')
    .split(/,\s*(?=<)/)
    .filter(Boolean)
    .map((l) => ({ href: l.slice(1, l.indexOf('>')), rel: /rel="([^"]+)"/.exec(l)?.[1] ?? '' }));
}

/** RFC 2387 parts of a multipart/related answer. */
async function allProcessDescriptions(): Promise<any[]> {
  const list = (await get('/processes')).body.processes as Array<{ id: string }>;
  return Promise.all(list.map(async (p) => (await get(`/processes/${encodeURIComponent(p.id)}`)).body));
}

/** A local $ref of the OpenAPI document, followed (also nested: schema, items). */
function deref(x: any): any {
  if (x && typeof x === 'object' && typeof x.$ref === 'string' && x.$ref.startsWith('#/'))
    return deref(x.$ref.slice(2).split('/').reduce((o: any, k: string) => o?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], oas));
  return x;
}

/** An OpenAPI operation, its parameters (schemas and items followed) and responses with $refs resolved. */
function operation(path: string, method: string) {
  const op = oas.paths?.[path]?.[method];
  if (!op) return undefined;
  const parameters = [...(oas.paths[path].parameters ?? []), ...(op.parameters ?? [])].map(deref).map((p: any) => {
    const schema = deref(p.schema);
    return { ...p, schema: schema && { ...schema, items: deref(schema.items) } };
  });
  return { ...op, parameters, responses: Object.fromEntries(Object.entries(op.responses ?? {}).map(([k, v]) => [k, deref(v)])) };
}
const param = (path: string, method: string, name: string) => operation(path, method)?.parameters.find((p: any) => p.name === name && p.in === 'query');
/** Whether the operation documents a response with this status (or a default response). */
const documents = (op: any, status: number) => Boolean(op?.responses?.[String(status)] ?? op?.responses?.[`${String(status)[0]}XX`] ?? op?.responses?.default);

/** A successful async job of test-outputs, executed with these extra request members. */
async function asyncOutputsJob(extra: Record<string, unknown>) {
  const text = fresh('async');
  const r = await svc.json('/processes/test-outputs/execution', post({ inputs: { text }, ...extra }, ASYNC));
  expect(r.status).toBe(201);
  const done = await waitForJob(svc, r.body.jobID);
  expect(done.status).toBe('successful');
  return { id: r.body.jobID as string, text };
}

/** A successful async test-file job: a result file the server serves, and the text in it. */
async function resultFile(text = fresh('file')) {
  const r = await svc.json('/processes/test-file/execution', post({ inputs: { text } }, ASYNC));
  await waitForJob(svc, r.body.jobID);
  const doc = await svc.json(`/jobs/${r.body.jobID}/results`);
  return { jobID: r.body.jobID as string, href: doc.body.out.href as string, text };
}

// =============================================================================================
describe(`${CONF}/core`, () => {
  it('/conf/core/landingpage-op: GET / answers 200', async () => {
    const r = await get('/');
    expect(r.status).toBe(200);
  });

  it('/conf/core/landingpage-success: landingPage.yaml, links to the API definition, /conformance, /processes and /jobs', async () => {
    const r = await get('/');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    conforms('landingPage', r.body);
    const rels = (rel: string) => r.body.links.filter((l: any) => l.rel === rel);
    expect([...rels('service-desc'), ...rels('service-doc')].length).toBeGreaterThan(0);
    expect(rels(`${REL}/conformance`)[0]?.href).toBe(`${svc.url}/conformance`);
    expect(rels(`${REL}/processes`)[0]?.href).toBe(`${svc.url}/processes`);
    expect(rels(`${REL}/job-list`)[0]?.href).toBe(`${svc.url}/jobs`);
  });

  it('/conf/core/api-definition-op: every API definition the landing page links answers GET', async () => {
    const landing = (await get('/')).body;
    const defs = landing.links.filter((l: any) => l.rel === 'service-desc' || l.rel === 'service-doc');
    expect(defs.length).toBeGreaterThan(0);
    for (const d of defs) expect((await get(d.href, { Accept: d.type ?? '*/*' })).status, d.href).toBe(200);
  });

  it('/conf/core/api-definition-success: 200 with an OpenAPI 3.0 document describing the API', async () => {
    const landing = (await get('/')).body;
    const desc = landing.links.find((l: any) => l.rel === 'service-desc');
    const r = await get(desc.href, { Accept: OAS_TYPE });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe(OAS_TYPE);
    expect(r.body.openapi).toMatch(/^3\.0\.\d+$/);
    for (const [p, m] of [['/', 'get'], ['/conformance', 'get'], ['/processes', 'get'], ['/processes/{processId}', 'get'], ['/jobs', 'get'], ['/jobs/{jobId}', 'get'], ['/jobs/{jobId}', 'delete'], ['/jobs/{jobId}/results', 'get']])
      expect(operation(p, m), `${m.toUpperCase()} ${p}`).toBeTruthy();
    for (const p of (await get('/processes')).body.processes) expect(operation(`/processes/${p.id}/execution`, 'post'), p.id).toBeTruthy();
  });

  it('/conf/core/conformance-op: GET /conformance answers 200', async () => {
    expect((await get('/conformance')).status).toBe(200);
  });

  it('/conf/core/conformance-success: confClasses.yaml, listing the classes this server implements', async () => {
    const r = await get('/conformance');
    conforms('confClasses', r.body);
    for (const c of ['core', 'ogc-process-description', 'json', 'html', 'oas30', 'job-list', 'dismiss']) expect(r.body.conformsTo).toContain(`${CONF}/${c}`);
  });

  it('/conf/core/http: the server speaks HTTP 1.1', async () => {
    const version = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(`${svc.url}/`, { headers: JSON_ACCEPT }, (res) => {
        res.resume();
        resolve(res.httpVersion);
      });
      req.on('error', reject);
      req.end();
    });
    expect(version).toBe('1.1');
  });

  it('/conf/core/process-list: GET /processes lists the processes', async () => {
    const r = await get('/processes');
    expect(r.status).toBe(200);
    expect(r.body.processes.map((p: any) => p.id)).toEqual(expect.arrayContaining(['hello-world', 'sleep', 'netcdf-subset']));
  });

  it('/conf/core/pl-limit-definition: the process list operation takes a `limit` query parameter (integer)', async () => {
    const limit = param('/processes', 'get', 'limit');
    expect(limit, 'GET /processes declares no "limit" parameter').toBeTruthy();
    expect(limit.required ?? false).toBe(false);
    expect(limit.schema.type).toBe('integer');
    expect(limit.schema.minimum).toBeGreaterThanOrEqual(1);
    const r = await get('/processes?limit=2');
    expect(r.status).toBe(200);
  });

  it('/conf/core/process-list-success: processList.yaml, one summary per process, each linking its description', async () => {
    const r = await get('/processes');
    expect(r.status).toBe(200);
    conforms('processList', r.body);
    for (const p of r.body.processes) {
      const self = p.links.find((l: any) => l.rel === 'self' || l.rel === `${REL}/process-desc`);
      expect(self?.href, p.id).toBe(`${svc.url}/processes/${p.id}`);
    }
  });

  it('/conf/core/pl-links: the process list links itself (self) and every other representation the server offers (alternate: HTML)', async () => {
    const r = await get('/processes');
    const rels = r.body.links.map((l: any) => `${l.rel} ${l.type}`);
    expect(rels).toContain('self application/json');
    // The server declares conf/html and answers GET /processes in HTML: that is another representation.
    expect(rels, 'no rel="alternate" link to the HTML representation').toContain('alternate text/html');
    for (const l of r.body.links) expect(l.type, l.href).toBeTruthy();
  });

  it('/conf/core/pl-limit-response: GET /processes?limit=N lists at most N processes', async () => {
    const all = (await get('/processes')).body.processes.length;
    expect(all).toBeGreaterThan(2);
    for (const limit of [1, 2]) expect((await get(`/processes?limit=${limit}`)).body.processes.length, `limit=${limit}`).toBeLessThanOrEqual(limit);
  });

  it('/conf/core/process: GET /processes/{processID} answers 200 for every listed process', async () => {
    for (const p of (await get('/processes')).body.processes) expect((await get(`/processes/${p.id}`)).status, p.id).toBe(200);
  });

  it('/conf/core/process-success: each description validates against process.yaml (the OGC process description model)', async () => {
    for (const d of await allProcessDescriptions()) conforms('process', d);
  });

  it('/conf/core/process-exception-no-such-process: 404 with the no-such-process exception', async () => {
    const r = await get('/processes/no-such-process-here');
    expect(r.status).toBe(404);
    conforms('exception', r.body);
    expect(r.body.type).toBe(`${EXC}/no-such-process`);
  });

  it('/conf/core/job-creation-op: POST /processes/{processID}/execution creates a job, synchronously and asynchronously', async () => {
    const sync = await execute('hello-world', { inputs: { name: fresh('op') } });
    expect(sync.status).toBe(200);
    const monitor = linkHeader(sync).find((l) => l.rel === 'monitor');
    expect((await get(monitor!.href)).body.status).toBe('successful');
    const async = await svc.json('/processes/hello-world/execution', post({ inputs: { name: fresh('op') } }, ASYNC));
    expect(async.status).toBe(201);
    expect((await waitForJob(svc, async.body.jobID)).status).toBe('successful');
  });

  it('/conf/core/job-creation-auto-execution-mode: Prefer: respond-async is honoured for processes that can run asynchronously', async () => {
    for (const d of await allProcessDescriptions()) expect(d.jobControlOptions.some((o: string) => o.endsWith('-execute')), d.id).toBe(true);
    // sync-execute and async-execute: the preference decides.
    const r = await execute('hello-world', { inputs: { name: fresh('auto') } }, ASYNC);
    expect(r.status).toBe(201);
    expect(r.headers.get('preference-applied')).toBe('respond-async');
    expect(r.headers.get('location')).toMatch(new RegExp(`^${svc.url}/jobs/[^/]+$`));
    conforms('statusInfo', await r.json());
    // async-execute only: asynchronous, whatever is preferred.
    const only = await execute('test-file', { inputs: { text: fresh('auto') } }, { Prefer: 'respond-sync' });
    expect(only.status).toBe(201);
    expect(only.headers.get('location')).toBeTruthy();
  });

  it('/conf/core/job-creation-default-execution-mode: without Prefer, sync-capable processes run synchronously, async-only ones asynchronously', async () => {
    const sync = await execute('sleep', { inputs: { seconds: 0.05, fail: false }, response: 'document' });
    expect(sync.status).toBe(200);
    expect(await sync.json()).toEqual({ slept: 0.05 });
    const async = await execute('test-file', { inputs: { text: fresh('default') } });
    expect(async.status).toBe(201);
    expect(async.headers.get('location')).toMatch(/\/jobs\/[^/]+$/);
    const info = await async.json();
    conforms('statusInfo', info);
    expect(async.headers.get('location')).toBe(`${svc.url}/jobs/${info.jobID}`);
  });

  it('/conf/core/job-creation-request: an execute request per execute.yaml (inputs, outputs, response) is accepted; a malformed one is not', async () => {
    const ok = await execute('test-outputs', { inputs: { text: fresh('req') }, outputs: { count: { transmissionMode: 'value' } }, response: 'document' });
    expect(ok.status).toBe(200);
    expect(Object.keys(await ok.json())).toEqual(['count']);
    for (const bad of [{ inputs: [1] }, { inputs: { text: 'x' }, outputs: ['count'] }, { inputs: { text: 'x' }, response: 'yaml' }]) {
      const r = await svc.json('/processes/test-outputs/execution', post(bad));
      expect(r.status, JSON.stringify(bad)).toBe(400);
      conforms('exception', r.body);
    }
  });

  it('/conf/core/job-creation-inputs: input values are accepted both in-line and by reference', async () => {
    const inline = await execute('test-outputs', { inputs: { text: 'in line' }, outputs: { report: { transmissionMode: 'value' } }, response: 'raw' });
    expect(await inline.text()).toBe('in line');
    const ref = await resultFile();
    const byRef = await execute('test-outputs', { inputs: { text: { href: ref.href, type: 'text/plain' } }, outputs: { report: { transmissionMode: 'value' } }, response: 'raw' });
    expect(byRef.status, await byRef.clone().text()).toBe(200);
    expect(await byRef.text()).toBe(ref.text);
  });

  it('/conf/core/job-creation-input-inline: in-line values, encoded per each input schema, are used', async () => {
    const name = fresh('inline');
    const r = await execute('hello-world', { inputs: { name, message: 'two' } });
    expect(await r.json()).toBe(`Hello ${name}! two`);
    const s = await execute('sleep', { inputs: { seconds: 0.01, fail: false }, response: 'document' });
    expect(await s.json()).toEqual({ slept: 0.01 });
  });

  it('/conf/core/job-creation-input-ref: an input value given by reference (a link) is fetched and used', async () => {
    const ref = await resultFile();
    const r = await execute('test-outputs', { inputs: { text: { href: ref.href, type: 'text/plain' } }, outputs: { report: { transmissionMode: 'value' } }, response: 'raw' });
    expect(r.status, await r.clone().text()).toBe(200);
    expect(await r.text()).toBe(ref.text);
  });

  it.skip('/conf/core/job-creation-input-array: not applicable — no process declares an input with maxOccurs > 1 (array-typed inputs are single values)', () => {});

  it('/conf/core/job-creation-input-inline-object: an object input (GeoJSON polygon) in-line is processed', async () => {
    const d = (await get('/processes/clip-raster')).body;
    expect(d.inputs.polygon.schema.type).toBe('object');
    const tif = 'sample_elevation_0.1deg.tif';
    expect(existsSync(join(dataDir, tif))).toBe(true);
    const polygon = { type: 'Polygon', coordinates: [[[10, 50], [11, 50], [11, 51], [10, 51], [10, 50]]] };
    const r = await execute('clip-raster', { inputs: { dataset: tif, polygon }, outputs: { info: {} }, response: 'document' });
    const doc = await r.json();
    expect(r.status, JSON.stringify(doc)).toBe(200);
    expect(doc.info.value).toBeTruthy();
  });

  it.skip('/conf/core/job-creation-input-inline-mixed: not applicable — no process input has a mixed-type (oneOf) schema', () => {});

  it.skip('/conf/core/job-creation-input-inline-binary: not applicable — no process input is binary (contentEncoding base64/binary)', () => {});

  it.skip('/conf/core/job-creation-input-inline-bbox: not applicable — no process input has the OGC bounding box schema (format ogc-bbox); clip-raster\'s bbox is a plain array of numbers', () => {});

  it('/conf/core/job-creation-input-validation: valid inputs run; invalid ones get an exception naming the input', async () => {
    expect((await execute('hello-world', { inputs: { name: fresh('valid') } })).status).toBe(200);
    for (const [proc, inputs, id] of [['hello-world', { name: 42 }, 'name'], ['sleep', { seconds: 'soon' }, 'seconds'], ['sleep', { seconds: -1 }, 'seconds'], ['hello-world', {}, 'name']] as const) {
      const r = await svc.json(`/processes/${proc}/execution`, post({ inputs }));
      expect(r.status, JSON.stringify(inputs)).toBe(400);
      conforms('exception', r.body);
      expect(r.body.detail).toContain(id);
    }
  });

  it('/conf/core/job-creation-default-outputs: without `outputs`, every output of the process is returned', async () => {
    for (const d of [(await get('/processes/test-outputs')).body, (await get('/processes/sleep')).body]) {
      const inputs = d.id === 'sleep' ? { seconds: 0.02, fail: false } : { text: fresh('defaults') };
      const r = await execute(d.id, { inputs, response: 'document' });
      expect(r.status).toBe(200);
      expect(Object.keys(await r.json()).sort()).toEqual(Object.keys(d.outputs).sort());
    }
    // And by default (no `response` either): the one output of hello-world.
    expect(await (await execute('hello-world', { inputs: { name: 'D' } })).json()).toBe('Hello D!');
  });

  it('/conf/core/job-creation-sync-raw-value-one: response raw, one output by value: the output itself, in its media type', async () => {
    const text = fresh('raw one');
    const r = await execute('test-outputs', { inputs: { text }, outputs: { report: { transmissionMode: 'value' } }, response: 'raw' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/plain');
    expect(await r.text()).toBe(text);
    const c = await execute('test-outputs', { inputs: { text }, outputs: { count: { transmissionMode: 'value' } }, response: 'raw' });
    expect(c.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await c.json()).toBe(text.length);
  });

  it('/conf/core/job-creation-sync-raw-value-multi: response raw, several outputs by value: multipart/related, one part per output', async () => {
    const text = fresh('raw multi');
    const r = await execute('test-outputs', { inputs: { text }, outputs: { report: { transmissionMode: 'value' }, info: { transmissionMode: 'value' } }, response: 'raw' });
    expect(r.status).toBe(200);
    const parts = await multipartParts(r);
    expect(parts.map((p) => p.headers['content-id'])).toEqual(['<report>', '<info>']);
    expect(parts[0].headers['content-type']).toBe('text/plain');
    expect(parts[0].body).toBe(text);
    expect(JSON.parse(parts[1].body)).toEqual({ words: text.split(' ').length });
  });

  it('/conf/core/job-creation-sync-raw-ref: response raw, every output by reference: 204 and a Link header per output', async () => {
    const text = fresh('raw ref');
    const r = await execute('test-outputs', { inputs: { text }, outputs: { report: { transmissionMode: 'reference' }, count: { transmissionMode: 'reference' } }, response: 'raw' });
    expect(r.status).toBe(204);
    expect(await r.text()).toBe('');
    const ls = linkHeader(r);
    const report = ls.find((l) => l.rel === 'report')!;
    const count = ls.find((l) => l.rel === 'count')!;
    expect(await (await fetch(report.href)).text()).toBe(text);
    expect(await (await fetch(count.href)).json()).toBe(text.length);
  });

  it('/conf/core/job-creation-sync-raw-mixed-multi: response raw, outputs by value and by reference: multipart/related, references as Content-Location', async () => {
    const text = fresh('raw mixed');
    const r = await execute('test-outputs', { inputs: { text }, outputs: { report: { transmissionMode: 'reference' }, count: { transmissionMode: 'value' } }, response: 'raw' });
    expect(r.status).toBe(200);
    const parts = await multipartParts(r);
    expect(parts.map((p) => p.headers['content-id'])).toEqual(['<report>', '<count>']);
    expect(parts[0].body).toBe('');
    expect(await (await fetch(parts[0].headers['content-location'])).text()).toBe(text);
    expect(JSON.parse(parts[1].body)).toBe(text.length);
  });

  it('/conf/core/job-creation-sync-document: response document: a results.yaml document, values in-line and references as links', async () => {
    const text = fresh('document');
    const r = await execute('test-outputs', { inputs: { text }, response: 'document' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = await r.json();
    conforms('results', doc);
    expect(doc.count).toBe(text.length);
    expect(await (await fetch(doc.report.href)).text()).toBe(text);
    const v = await execute('test-outputs', { inputs: { text }, outputs: { report: { transmissionMode: 'value' } }, response: 'document' });
    const embedded = await v.json();
    conforms('results', embedded);
    expect(Buffer.from(embedded.report.value, 'base64').toString()).toBe(text);
  });

  it('/conf/core/job-creation-success-async: 201, Location of the job, and a statusInfo document', async () => {
    const r = await execute('sleep', { inputs: { seconds: 0.2, fail: false } }, ASYNC);
    expect(r.status).toBe(201);
    const info = await r.json();
    conforms('statusInfo', info);
    expect(['accepted', 'running']).toContain(info.status);
    expect(r.headers.get('location')).toBe(`${svc.url}/jobs/${info.jobID}`);
    expect((await get(r.headers.get('location')!)).body.jobID).toBe(info.jobID);
    await waitForJob(svc, info.jobID);
  });

  it('/conf/core/job-op: GET /jobs/{jobID} answers 200', async () => {
    const r = await svc.json('/processes/hello-world/execution', post({ inputs: { name: fresh('job') } }, ASYNC));
    expect((await get(`/jobs/${r.body.jobID}`)).status).toBe(200);
  });

  it('/conf/core/job-success: statusInfo.yaml, with a link to the results once successful', async () => {
    const r = await svc.json('/processes/sleep/execution', post({ inputs: { seconds: 0.3, fail: false } }, ASYNC));
    const running = await waitForJob(svc, r.body.jobID, ['running', 'successful']);
    conforms('statusInfo', running);
    const done = (await get(`/jobs/${r.body.jobID}`)).body.status === 'successful' ? (await get(`/jobs/${r.body.jobID}`)).body : await waitForJob(svc, r.body.jobID);
    conforms('statusInfo', done);
    expect(done).toMatchObject({ jobID: r.body.jobID, processID: 'sleep', type: 'process', status: 'successful', progress: 100 });
    expect(done.links.find((l: any) => l.rel === `${REL}/results`)?.href).toBe(`${svc.url}/jobs/${r.body.jobID}/results`);
  });

  it('/conf/core/job-exception-no-such-job: 404 with the no-such-job exception', async () => {
    const r = await get('/jobs/invalid-job-1b9d6bcd');
    expect(r.status).toBe(404);
    conforms('exception', r.body);
    expect(r.body.type).toBe(`${EXC}/no-such-job`);
  });

  it('/conf/core/job-results: GET /jobs/{jobID}/results of a successful job answers 200', async () => {
    const r = await svc.json('/processes/hello-world/execution', post({ inputs: { name: fresh('results') } }, ASYNC));
    await waitForJob(svc, r.body.jobID);
    const res = await get(`/jobs/${r.body.jobID}/results`);
    expect(res.status).toBe(200);
    conforms('results', res.body);
  });

  it('/conf/core/job-results-sync: the results of a synchronously executed job (its monitor link) are retrievable', async () => {
    const text = fresh('sync results');
    const r = await execute('test-outputs', { inputs: { text }, response: 'document' });
    const doc = await r.json();
    const monitor = linkHeader(r).find((l) => l.rel === 'monitor')!.href;
    const status = (await get(monitor)).body;
    conforms('statusInfo', status);
    const again = await get(`${monitor}/results`);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(doc);
  });

  it('/conf/core/job-results-async-raw-value-one: async, raw, one output by value: the output itself', async () => {
    const { id, text } = await asyncOutputsJob({ outputs: { report: { transmissionMode: 'value' } }, response: 'raw' });
    const r = await fetch(`${svc.url}/jobs/${id}/results`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/plain');
    expect(await r.text()).toBe(text);
  });

  it('/conf/core/job-results-async-raw-value-multi: async, raw, several outputs by value: multipart/related', async () => {
    const { id, text } = await asyncOutputsJob({ outputs: { report: { transmissionMode: 'value' }, count: { transmissionMode: 'value' } }, response: 'raw' });
    const r = await fetch(`${svc.url}/jobs/${id}/results`);
    expect(r.status).toBe(200);
    const parts = await multipartParts(r);
    expect(parts.map((p) => p.headers['content-id'])).toEqual(['<report>', '<count>']);
    expect(parts[0].body).toBe(text);
    expect(JSON.parse(parts[1].body)).toBe(text.length);
  });

  it('/conf/core/job-results-async-raw-ref: async, raw, every output by reference: 204 and a Link header per output', async () => {
    const { id, text } = await asyncOutputsJob({ outputs: { report: { transmissionMode: 'reference' }, info: { transmissionMode: 'reference' } }, response: 'raw' });
    const r = await fetch(`${svc.url}/jobs/${id}/results`);
    expect(r.status).toBe(204);
    const ls = linkHeader(r);
    expect(await (await fetch(ls.find((l) => l.rel === 'report')!.href)).text()).toBe(text);
    expect(await (await fetch(ls.find((l) => l.rel === 'info')!.href)).json()).toEqual({ words: text.split(' ').length });
  });

  it('/conf/core/job-results-async-raw-mixed-multi: async, raw, by value and by reference: multipart/related', async () => {
    const { id, text } = await asyncOutputsJob({ outputs: { report: { transmissionMode: 'reference' }, count: { transmissionMode: 'value' } }, response: 'raw' });
    const r = await fetch(`${svc.url}/jobs/${id}/results`);
    expect(r.status).toBe(200);
    const parts = await multipartParts(r);
    expect(parts[0].headers['content-id']).toBe('<report>');
    expect(await (await fetch(parts[0].headers['content-location'])).text()).toBe(text);
    expect(JSON.parse(parts[1].body)).toBe(text.length);
  });

  it('/conf/core/job-results-async-document: async, response document: a results.yaml document', async () => {
    const { id, text } = await asyncOutputsJob({ response: 'document' });
    const r = await get(`/jobs/${id}/results`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    conforms('results', r.body);
    expect(Object.keys(r.body).sort()).toEqual(['count', 'info', 'parts', 'report']);
    expect(r.body.count).toBe(text.length);
  });

  it('/conf/core/job-results-exception-no-such-job: results of an unknown job: 404 with the no-such-job exception', async () => {
    const r = await get('/jobs/invalid-job-1b9d6bcd/results');
    expect(r.status).toBe(404);
    conforms('exception', r.body);
    expect(r.body.type).toBe(`${EXC}/no-such-job`);
  });

  it('/conf/core/job-results-exception-results-not-ready: results of an unfinished job: 404 with the result-not-ready exception', async () => {
    const r = await svc.json('/processes/sleep/execution', post({ inputs: { seconds: 3, fail: false } }, ASYNC));
    const res = await get(`/jobs/${r.body.jobID}/results`);
    expect(res.status).toBe(404);
    conforms('exception', res.body);
    expect(res.body.type).toBe(`${EXC}/result-not-ready`);
    await svc.json(`/jobs/${r.body.jobID}`, { method: 'DELETE' });
  });

  it('/conf/core/job-results-failed: results of a failed job: an error status and an exception naming the failure', async () => {
    const r = await svc.json('/processes/sleep/execution', post({ inputs: { seconds: 0, fail: true } }, ASYNC));
    expect((await waitForJob(svc, r.body.jobID)).status).toBe('failed');
    const res = await get(`/jobs/${r.body.jobID}/results`);
    expect(res.status).toBeGreaterThanOrEqual(400);
    conforms('exception', res.body);
    expect(res.body.detail).toBe('sleep was asked to fail');
    // A failure of the input: its code and type say so.
    const bad = await svc.json('/processes/netcdf-subset/execution', post({ inputs: { paths: ['no-such-file.nc'], operations: [{ operation: 'mask_country', country: 'DEU' }] } }, ASYNC));
    if (bad.status === 201) {
      expect((await waitForJob(svc, bad.body.jobID)).status).toBe('failed');
      const b = await get(`/jobs/${bad.body.jobID}/results`);
      expect(b.status).toBe(400);
      conforms('exception', b.body);
    } else {
      expect(bad.status).toBe(400);
    }
  });
});

// =============================================================================================
describe(`${CONF}/ogc-process-description`, () => {
  const schemaOk = (s: unknown) => {
    expect(typeof s).toBe('object');
    expect(() => ajv.compile(s as object)).not.toThrow();
    const t = (s as any).type;
    if (t !== undefined) for (const x of [t].flat()) expect(['string', 'number', 'integer', 'boolean', 'array', 'object', 'null']).toContain(x);
  };

  it('/conf/ogc-process-description/json-encoding: every process description validates against process.yaml', async () => {
    for (const d of await allProcessDescriptions()) {
      conforms('process', d);
      expect(d.jobControlOptions.length, d.id).toBeGreaterThan(0);
    }
  });

  it('/conf/ogc-process-description/inputs-def: every description has `inputs`, each per inputDescription.yaml', async () => {
    const v = ajv.compile(inputDescription);
    for (const d of await allProcessDescriptions()) {
      expect(d.inputs && typeof d.inputs === 'object' && !Array.isArray(d.inputs), d.id).toBe(true);
      for (const [k, i] of Object.entries<any>(d.inputs)) {
        expect(v(i), `${d.id}.${k}: ${ajv.errorsText(v.errors)}`).toBe(true);
        if (i.minOccurs !== undefined && typeof i.maxOccurs === 'number') expect(i.maxOccurs).toBeGreaterThanOrEqual(i.minOccurs);
      }
    }
  });

  it('/conf/ogc-process-description/input-def: the schema of every input is a valid JSON Schema', async () => {
    for (const d of await allProcessDescriptions()) for (const i of Object.values<any>(d.inputs)) schemaOk(i.schema);
  });

  it.skip('/conf/ogc-process-description/input-mixed-type: not applicable — no process input is of mixed type (oneOf)', () => {});

  it('/conf/ogc-process-description/outputs-def: every description has `outputs`, each per outputDescription.yaml', async () => {
    const v = ajv.compile(outputDescription);
    for (const d of await allProcessDescriptions()) {
      expect(Object.keys(d.outputs ?? {}).length, d.id).toBeGreaterThan(0);
      for (const [k, o] of Object.entries<any>(d.outputs)) expect(v(o), `${d.id}.${k}: ${ajv.errorsText(v.errors)}`).toBe(true);
    }
  });

  it('/conf/ogc-process-description/output-def: the schema of every output is a valid JSON Schema', async () => {
    for (const d of await allProcessDescriptions()) for (const o of Object.values<any>(d.outputs)) schemaOk(o.schema);
  });

  it.skip('/conf/ogc-process-description/output-mixed-type: not applicable — no process output is of mixed type (oneOf)', () => {});

  it('(applicability of the skipped tests above: no input or output is mixed, binary, a bbox or of maxOccurs > 1)', async () => {
    for (const d of await allProcessDescriptions()) {
      for (const [k, i] of Object.entries<any>(d.inputs)) {
        const s = JSON.stringify(i.schema);
        expect(s, `${d.id}.${k}`).not.toMatch(/"oneOf"|"contentEncoding"|"ogc-bbox"|"format":"binary"/);
        expect(i.maxOccurs === undefined || i.maxOccurs === 1, `${d.id}.${k} maxOccurs`).toBe(true);
      }
      for (const [k, o] of Object.entries<any>(d.outputs)) expect(JSON.stringify(o.schema), `${d.id}.${k}`).not.toMatch(/"oneOf"/);
    }
  });
});

// =============================================================================================
describe(`${CONF}/json`, () => {
  /** One resource of each kind: landing, conformance, processes, process, jobs, job, results. */
  async function resources() {
    const r = await svc.json('/processes/test-outputs/execution', post({ inputs: { text: fresh('json') }, response: 'document' }, ASYNC));
    await waitForJob(svc, r.body.jobID);
    return [
      ['/', 'landingPage'],
      ['/conformance', 'confClasses'],
      ['/processes', 'processList'],
      ['/processes/hello-world', 'process'],
      ['/jobs', 'jobList'],
      [`/jobs/${r.body.jobID}`, 'statusInfo'],
      [`/jobs/${r.body.jobID}/results`, 'results'],
      ['/processes/nope', 'exception'],
      ['/jobs/nope', 'exception'],
    ] as Array<[string, keyof typeof SCHEMAS]>;
  }

  it('/conf/json/definition: every resource asked for as JSON is answered as application/json', async () => {
    for (const [p] of await resources()) {
      const r = await get(p);
      expect(r.headers.get('content-type'), p).toMatch(r.status === 200 ? /^application\/json\b/ : /^application\/(problem\+)?json\b/);
    }
  });

  it('/conf/json/content: every JSON resource validates against its schema', async () => {
    for (const [p, schema] of await resources()) conforms(schema, (await get(p)).body);
  });
});

// =============================================================================================
describe(`${CONF}/html`, () => {
  let jobID: string;
  beforeAll(async () => {
    const r = await svc.json('/processes/test-file/execution', post({ inputs: { text: fresh('html') } }, ASYNC));
    jobID = r.body.jobID;
    await waitForJob(svc, jobID);
  });
  const paths = () => ['/', '/conformance', '/openapi.json', '/processes', '/processes/hello-world', '/jobs', `/jobs/${jobID}`, `/jobs/${jobID}/results`];

  it('/conf/html/definition: every resource asked for as HTML is answered (200) as text/html', async () => {
    for (const p of paths()) {
      const r = await get(p, HTML_ACCEPT);
      expect(r.status, p).toBe(200);
      expect(r.headers.get('content-type'), `${p} asked for as text/html`).toMatch(/^text\/html\b/);
    }
  });

  it('/conf/html/content: HTML 5 documents whose body holds the resource\'s information and its links as <a>', async () => {
    for (const p of paths()) {
      const r = await get(p, HTML_ACCEPT);
      if (!/^text\/html\b/.test(r.headers.get('content-type') ?? '')) continue; // /conf/html/definition fails for it
      expect(r.text.trimStart().toLowerCase().startsWith('<!doctype html>'), p).toBe(true);
    }
    // Documents shown as pages of their JSON: every member and every link is there.
    const conf = await get('/conformance', HTML_ACCEPT);
    for (const c of (await get('/conformance')).body.conformsTo) expect(conf.text).toContain(`<a href="${c}">`);
    // The console pages (processes, jobs, a job) render in a browser: the job's identity, status,
    // process and its results are on the page, the result as a link.
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is needed to read the console's HTML pages`);
    const b = await launchBrowser();
    try {
      const { page } = await newPage(b);
      // A browser's own navigation asks for text/html (its fetches for the page's data do not).
      await page.goto(`${svc.url}/jobs/${jobID}`);
      await page.waitForFunction((id) => document.body.innerText.includes(id) && !/Loading/i.test(document.body.innerText), jobID, { timeout: 15_000 });
      const text = await page.evaluate(() => document.body.innerText);
      expect(text).toContain('test-file');
      expect(text.toLowerCase()).toContain('successful');
      const results = (await get(`/jobs/${jobID}/results`)).body;
      const hrefs = await page.evaluate(() => [...document.querySelectorAll('a')].map((a) => a.href));
      expect(hrefs.some((h) => h.includes(new URL(results.out.href).pathname)), `no <a> to ${results.out.href}`).toBe(true);
      await page.goto(`${svc.url}/processes`);
      const ids = (await get('/processes')).body.processes.map((p: any) => p.title ?? p.id) as string[];
      await page.waitForFunction((t) => document.body.innerText.includes(t) && !/Loading/i.test(document.body.innerText), ids[0], { timeout: 15_000 });
      const listed = await page.evaluate(() => document.body.innerText);
      for (const t of ids) expect(listed, t).toContain(t);
    } finally {
      await b.close();
    }
  });
});

// =============================================================================================
describe(`${CONF}/oas30`, () => {
  it('/conf/oas30/oas-definition-1: the API definition in JSON (service-desc) and in HTML (service-doc, text/html)', async () => {
    const landing = (await get('/')).body;
    const desc = landing.links.find((l: any) => l.rel === 'service-desc');
    expect(desc?.type).toBe(OAS_TYPE);
    const json = await get(desc.href, { Accept: OAS_TYPE });
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toBe(OAS_TYPE);
    const doc = landing.links.find((l: any) => l.rel === 'service-doc');
    expect(doc, 'the landing page has no rel="service-doc" link (an HTML version of the API definition)').toBeTruthy();
    expect(doc.type).toBe('text/html');
    const html = await get(doc.href, HTML_ACCEPT);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/^text\/html\b/);
  });

  it('/conf/oas30/oas-definition-2: the JSON API definition is a valid OpenAPI 3.0 document', async () => {
    expect(oas.openapi).toMatch(/^3\.0\.\d+$/);
    expect(typeof oas.info?.title).toBe('string');
    expect(typeof oas.info?.version).toBe('string');
    const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
    for (const [p, item] of Object.entries<any>(oas.paths)) {
      expect(p.startsWith('/'), p).toBe(true);
      const templated = [...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const m of Object.keys(item).filter((k) => methods.includes(k))) {
        const op = operation(p, m)!;
        expect(Object.keys(op.responses).length, `${m} ${p}`).toBeGreaterThan(0);
        for (const t of templated) expect(op.parameters.some((x: any) => x.in === 'path' && x.name === t && x.required === true), `${m} ${p} {${t}}`).toBe(true);
        for (const x of op.parameters) expect(['query', 'header', 'path', 'cookie'], `${m} ${p} ${x.name}`).toContain(x.in);
      }
    }
    // Every local $ref resolves.
    const refs: string[] = [];
    JSON.stringify(oas, (k, v) => (k === '$ref' && typeof v === 'string' && refs.push(v), v));
    for (const r of refs.filter((x) => x.startsWith('#/'))) expect(r.slice(2).split('/').reduce((o: any, k) => o?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], oas), r).toBeDefined();
    // Component schemas compile.
    for (const [k, s] of Object.entries<any>(oas.components?.schemas ?? {})) expect(() => new Ajv({ strict: false }).addSchema(oas, 'oas').compile({ $ref: `oas#/components/schemas/${k}` }), k).not.toThrow();
  });

  it('/conf/oas30/oas-impl: every operation the definition describes is implemented (answers a documented status)', async () => {
    const r = await svc.json('/processes/hello-world/execution', post({ inputs: { name: fresh('impl') } }, ASYNC));
    await waitForJob(svc, r.body.jobID);
    const values: Record<string, string> = { processId: 'hello-world', jobId: r.body.jobID, outputId: 'echo' };
    for (const [p, item] of Object.entries<any>(oas.paths)) {
      if (!item.get) continue;
      const url = p.replace(/\{([^}]+)\}/g, (_m, k) => encodeURIComponent(values[k] ?? 'x'));
      if (url === '/jobs/events') continue; // an event stream: it never ends
      const res = await fetch(svc.url + url, { headers: JSON_ACCEPT });
      await res.body?.cancel();
      expect(documents(operation(p, 'get'), res.status), `GET ${url} -> ${res.status}`).toBe(true);
    }
    for (const proc of (await get('/processes')).body.processes) expect(oas.paths[`/processes/${proc.id}/execution`]?.post, proc.id).toBeTruthy();
  });

  it('/conf/oas30/completeness: every status and response the server uses is in the definition of its operation', async () => {
    const problems: string[] = [];
    const check = async (p: string, m: string, res: Response, what: string) => {
      const op = operation(p, m);
      const type = (res.headers.get('content-type') ?? '').split(';')[0];
      await res.body?.cancel();
      const doc = op?.responses?.[String(res.status)] ?? op?.responses?.default;
      if (!doc) return problems.push(`${m.toUpperCase()} ${p} (${what}): ${res.status} not documented`);
      if (res.status !== 204 && res.status !== 303 && type && doc.content && !Object.keys(doc.content).some((k) => k === '*/*' || k.split(';')[0] === type || (k.endsWith('/*') && type.startsWith(k.slice(0, -1)))))
        problems.push(`${m.toUpperCase()} ${p} (${what}): ${res.status} ${type} not among ${Object.keys(doc.content).join(', ')}`);
    };
    const ex = '/processes/test-outputs/execution';
    const text = fresh('complete');
    await check(ex, 'post', await execute('test-outputs', { inputs: { text }, outputs: { report: { transmissionMode: 'value' } }, response: 'raw' }), 'raw text/plain output');
    await check(ex, 'post', await execute('test-outputs', { inputs: { text }, outputs: { report: {}, count: {} }, response: 'raw' }), 'raw multipart');
    await check(ex, 'post', await execute('test-outputs', { inputs: { text }, response: 'document' }), 'document');
    await check(ex, 'post', await execute('test-outputs', { inputs: { text } }, ASYNC), 'async');
    await check(ex, 'post', await fetch(`${svc.url}${ex}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' }), 'wrong content type');
    await check('/processes/sleep/execution', 'post', await execute('sleep', { inputs: { seconds: 0, fail: true } }), 'failed synchronous execution');
    await check('/processes', 'get', await fetch(`${svc.url}/processes`, { headers: HTML_ACCEPT, redirect: 'manual' }), 'HTML');
    await check('/processes/{processId}', 'get', await fetch(`${svc.url}/processes/hello-world`, { headers: HTML_ACCEPT, redirect: 'manual' }), 'HTML');
    await check('/jobs', 'get', await fetch(`${svc.url}/jobs`, { headers: HTML_ACCEPT, redirect: 'manual' }), 'HTML');
    expect(problems).toEqual([]);
  });

  it('/conf/oas30/exceptions-codes: every error status the server answers is documented for its operation', async () => {
    const problems: string[] = [];
    const check = async (p: string, m: string, res: Response, what: string) => {
      await res.body?.cancel();
      expect(res.status, what).toBeGreaterThanOrEqual(400);
      if (!documents(operation(p, m), res.status)) problems.push(`${m.toUpperCase()} ${p} (${what}): ${res.status}`);
    };
    await check('/processes/{processId}', 'get', await fetch(`${svc.url}/processes/nope`), 'no such process');
    await check('/jobs/{jobId}', 'get', await fetch(`${svc.url}/jobs/nope`), 'no such job');
    await check('/jobs/{jobId}/results', 'get', await fetch(`${svc.url}/jobs/nope/results`), 'no such job');
    await check('/jobs', 'get', await fetch(`${svc.url}/jobs?limit=abc`), 'bad limit');
    await check('/processes/hello-world/execution', 'post', await execute('hello-world', { inputs: { name: 1 } }), 'invalid input');
    await check('/processes/hello-world/execution', 'post', await fetch(`${svc.url}/processes/hello-world/execution`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' }), 'wrong content type');
    await check('/processes/sleep/execution', 'post', await execute('sleep', { inputs: { seconds: 0, fail: true } }), 'failed synchronous execution');
    const failed = await svc.json('/processes/sleep/execution', post({ inputs: { seconds: 0, fail: true } }, ASYNC));
    await waitForJob(svc, failed.body.jobID);
    await check('/jobs/{jobId}/results', 'get', await fetch(`${svc.url}/jobs/${failed.body.jobID}/results`), 'failed job');
    expect(problems).toEqual([]);
  });

  it('/conf/oas30/security: no authentication is in force (default configuration), and the definition requires none', async () => {
    const r = await fetch(`${svc.url}/jobs`);
    expect(r.status).toBe(200);
    await r.body?.cancel();
    expect(oas.security ?? []).toEqual([]);
    for (const [p, item] of Object.entries<any>(oas.paths)) for (const op of Object.values<any>(item)) if (op?.security) expect(op.security, p).toEqual([]);
  });
});

// =============================================================================================
describe(`${CONF}/job-list`, () => {
  const jobs: Record<string, string> = {};
  beforeAll(async () => {
    // A failed, a successful, a running and a dismissed job, of two processes.
    const ok = await svc.json('/processes/hello-world/execution', post({ inputs: { name: fresh('list') } }, ASYNC));
    const bad = await svc.json('/processes/sleep/execution', post({ inputs: { seconds: 0, fail: true } }, ASYNC));
    const slow = await svc.json('/processes/sleep/execution', post({ inputs: { seconds: 1.2, fail: false } }, ASYNC));
    const gone = await svc.json('/processes/sleep/execution', post({ inputs: { seconds: 30, fail: false } }, ASYNC));
    Object.assign(jobs, { ok: ok.body.jobID, bad: bad.body.jobID, slow: slow.body.jobID, gone: gone.body.jobID });
    await waitForJob(svc, jobs.ok);
    await waitForJob(svc, jobs.bad);
    await waitForJob(svc, jobs.slow);
    await waitForJob(svc, jobs.gone, ['running']);
    await svc.json(`/jobs/${jobs.gone}`, { method: 'DELETE' });
  });
  const list = async (q = '') => {
    const r = await get(`/jobs?limit=1000${q ? `&${q}` : ''}`);
    expect(r.status, q).toBe(200);
    return r.body.jobs as any[];
  };
  const arrayParam = (name: string) => {
    const p = param('/jobs', 'get', name);
    expect(p, `GET /jobs declares no "${name}" parameter`).toBeTruthy();
    expect(p.required ?? false).toBe(false);
    return p;
  };

  it('/conf/job-list/job-list-op: GET /jobs lists the jobs', async () => {
    const ids = (await list()).map((j) => j.jobID);
    expect(ids).toEqual(expect.arrayContaining(Object.values(jobs)));
  });

  it('/conf/job-list/type-definition: a `type` query parameter (array of strings)', async () => {
    const p = arrayParam('type');
    expect(p.schema.type).toBe('array');
    expect(p.schema.items.type).toBe('string');
    expect((await get('/jobs?type=process')).status).toBe(200);
  });

  it('/conf/job-list/type-response: only jobs of the given type', async () => {
    const listed = await list('type=process');
    expect(listed.length).toBeGreaterThan(0);
    for (const j of listed) expect(j.type).toBe('process');
    expect(await list('type=openeo')).toEqual([]);
  });

  it('/conf/job-list/processID-mandatory: every job in the list carries its processID', async () => {
    for (const j of await list()) expect(typeof j.processID, j.jobID).toBe('string');
  });

  it('/conf/job-list/processID-definition: a `processID` query parameter (array of strings)', async () => {
    const p = arrayParam('processID');
    expect(p.schema.type).toBe('array');
    expect(p.schema.items.type).toBe('string');
  });

  it('/conf/job-list/processID-response: only jobs of the given processes', async () => {
    const one = await list('processID=hello-world');
    expect(one.map((j) => j.jobID)).toContain(jobs.ok);
    for (const j of one) expect(j.processID).toBe('hello-world');
    const two = await list('processID=hello-world&processID=sleep');
    expect(two.map((j) => j.jobID)).toEqual(expect.arrayContaining(Object.values(jobs)));
    for (const j of two) expect(['hello-world', 'sleep']).toContain(j.processID);
  });

  it('/conf/job-list/status-definition: a `status` query parameter (array of the status codes)', async () => {
    const p = arrayParam('status');
    expect(p.schema.type).toBe('array');
    // 1.0: items are statusCode.yaml, the enum of the five job statuses.
    expect([...(p.schema.items.enum ?? [])].sort()).toEqual(['accepted', 'dismissed', 'failed', 'running', 'successful']);
    expect((await get('/jobs?status=running,successful')).status).toBe(200);
  });

  it('/conf/job-list/status-response: only jobs with the given statuses', async () => {
    for (const [status, key] of [['successful', 'ok'], ['failed', 'bad'], ['dismissed', 'gone']] as const) {
      const listed = await list(`status=${status}`);
      expect(listed.map((j) => j.jobID), status).toContain(jobs[key]);
      for (const j of listed) expect(j.status).toBe(status);
    }
    for (const j of await list('status=failed&status=dismissed')) expect(['failed', 'dismissed']).toContain(j.status);
  });

  it('/conf/job-list/datetime-definition: a `datetime` query parameter (string: an instant or an interval)', async () => {
    const p = arrayParam('datetime');
    expect(p.schema.type).toBe('string');
    for (const v of ['2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z/..', '../2100-01-01T00:00:00Z', '2020-01-01T00:00:00Z/2100-01-01T00:00:00Z'])
      expect((await get(`/jobs?datetime=${encodeURIComponent(v)}`)).status, v).toBe(200);
  });

  it('/conf/job-list/datetime-response: only jobs created within the given datetime', async () => {
    const created = Date.parse((await get(`/jobs/${jobs.ok}`)).body.created);
    const iso = (ms: number) => new Date(ms).toISOString();
    const around = await list(`datetime=${encodeURIComponent(`${iso(created - 1000)}/${iso(created + 1000)}`)}`);
    expect(around.map((j) => j.jobID)).toContain(jobs.ok);
    for (const j of around) expect(Math.abs(Date.parse(j.created) - created)).toBeLessThanOrEqual(1000);
    const before = await list(`datetime=${encodeURIComponent(`../${iso(created - 60_000)}`)}`);
    expect(before.map((j) => j.jobID)).not.toContain(jobs.ok);
    const after = await list(`datetime=${encodeURIComponent(`${iso(created - 60_000)}/..`)}`);
    expect(after.map((j) => j.jobID)).toContain(jobs.ok);
  });

  it('/conf/job-list/duration-definition: `minDuration` and `maxDuration` query parameters (integers, seconds)', async () => {
    for (const name of ['minDuration', 'maxDuration']) {
      const p = arrayParam(name);
      expect(p.schema.type).toBe('integer');
      expect((await get(`/jobs?${name}=1`)).status).toBe(200);
    }
  });

  it('/conf/job-list/duration-response: only started jobs whose duration is within the bounds', async () => {
    const duration = (j: any) => ((j.finished ? Date.parse(j.finished) : Date.now()) - Date.parse(j.started)) / 1000;
    const long = await list('minDuration=1');
    expect(long.map((j) => j.jobID)).toContain(jobs.slow);
    for (const j of long) {
      expect(j.started, j.jobID).toBeTruthy();
      expect(duration(j)).toBeGreaterThanOrEqual(1);
    }
    const short = await list('maxDuration=0');
    expect(short.map((j) => j.jobID)).not.toContain(jobs.slow);
    for (const j of short) expect(duration(j)).toBeLessThan(1);
    for (const j of await list('minDuration=1&maxDuration=5')) expect(duration(j)).toBeGreaterThanOrEqual(1);
    for (const j of await list('minDuration=0')) expect(j.status).not.toBe('accepted');
  });

  it('/conf/job-list/limit-definition: a `limit` query parameter (integer)', async () => {
    const p = arrayParam('limit');
    expect(p.schema.type).toBe('integer');
    expect(p.schema.minimum).toBeGreaterThanOrEqual(1);
  });

  it('/conf/job-list/limit-response: at most `limit` jobs, and no more than the defined maximum', async () => {
    for (const limit of [1, 2, 3]) expect((await get(`/jobs?limit=${limit}`)).body.jobs.length).toBeLessThanOrEqual(limit);
    const max = param('/jobs', 'get', 'limit').schema.maximum;
    if (max !== undefined) expect((await get(`/jobs?limit=${max}`)).body.jobs.length).toBeLessThanOrEqual(max);
  });

  it('/conf/job-list/links: the job list links itself (self) and every other representation the server offers (alternate: HTML)', async () => {
    const r = await get('/jobs?limit=2');
    const rels = r.body.links.map((l: any) => `${l.rel} ${l.type}`);
    expect(rels).toContain('self application/json');
    // The server declares conf/html and answers GET /jobs in HTML: that is another representation.
    expect(rels, 'no rel="alternate" link to the HTML representation').toContain('alternate text/html');
  });

  it('/conf/job-list/job-list-success: 200 with a jobList.yaml document', async () => {
    const r = await get('/jobs');
    expect(r.status).toBe(200);
    conforms('jobList', r.body);
  });
});

// =============================================================================================
describe(`${CONF}/dismiss`, () => {
  it('/conf/dismiss/job-dismiss-op: DELETE /jobs/{jobID} dismisses a running job', async () => {
    const r = await svc.json('/processes/sleep/execution', post({ inputs: { seconds: 30, fail: false } }, ASYNC));
    await waitForJob(svc, r.body.jobID, ['running']);
    const d = await svc.json(`/jobs/${r.body.jobID}`, { method: 'DELETE' });
    expect(d.status).toBe(200);
    expect((await get(`/jobs/${r.body.jobID}`)).body.status).toBe('dismissed');
  });

  it('/conf/dismiss/job-dismiss-success: 200, a statusInfo document whose status is "dismissed"', async () => {
    const r = await svc.json('/processes/sleep/execution', post({ inputs: { seconds: 30, fail: false } }, ASYNC));
    const d = await svc.json(`/jobs/${r.body.jobID}`, { method: 'DELETE' });
    expect(d.status).toBe(200);
    expect(d.headers.get('content-type')).toMatch(/^application\/json/);
    conforms('statusInfo', d.body);
    expect(d.body).toMatchObject({ jobID: r.body.jobID, status: 'dismissed' });
  });
});

// =============================================================================================
describe(`${CONF}/callback`, () => {
  // The full behaviour (progress, retries, the address rule): test/api/callbacks.test.ts.
  it('/conf/callback/job-callback: an asynchronous execute request with `subscriber` URIs: the results (successUri) or the failure (failedUri) are sent there', async () => {
    const got: Array<{ path: string; type: string; body: any }> = [];
    const { createServer } = await import('node:http');
    const receiver = createServer((req, res) => {
      let b = '';
      req.on('data', (d) => (b += d));
      req.on('end', () => {
        got.push({ path: req.url ?? '', type: String(req.headers['content-type']), body: JSON.parse(b) });
        res.end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    const at = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
    try {
      const subscriber = { successUri: `${at}/ok`, failedUri: `${at}/failed` };
      const ok = await svc.json('/processes/hello-world/execution', post({ inputs: { name: 'callback' }, subscriber }, ASYNC));
      const bad = await svc.json('/processes/sleep/execution', post({ inputs: { seconds: 0, fail: true }, subscriber }, ASYNC));
      await waitForJob(svc, ok.body.jobID);
      await waitForJob(svc, bad.body.jobID);
      for (let i = 0; i < 100 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
      const success = got.find((g) => g.path === '/ok')!;
      expect(success.type).toMatch(/^application\/json/);
      conforms('results', success.body);
      expect(success.body).toEqual({ echo: 'Hello callback!' });
      const failed = got.find((g) => g.path === '/failed')!;
      conforms('statusInfo', failed.body);
      expect(failed.body).toMatchObject({ jobID: bad.body.jobID, status: 'failed' });
    } finally {
      receiver.close();
    }
  });
});
