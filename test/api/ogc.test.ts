// The OGC API - Processes contract over real HTTP, against the bundled service.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASYNC, post, startService, waitForJob, type RunningService } from '../helpers/service.js';

let svc: RunningService;
beforeAll(async () => {
  svc = await startService({ SUBSETD_BODY_LIMIT: '64k' });
});
afterAll(() => svc?.cleanup());

describe('discovery', () => {
  it('landing page links carry rel, type and title', async () => {
    const { status, body } = await svc.json('/');
    expect(status).toBe(200);
    const rels = body.links.map((l: any) => l.rel);
    expect(rels).toEqual(expect.arrayContaining(['self', 'service-desc', 'http://www.opengis.net/def/rel/ogc/1.0/conformance', 'http://www.opengis.net/def/rel/ogc/1.0/processes', 'http://www.opengis.net/def/rel/ogc/1.0/job-list']));
    for (const l of body.links) {
      expect(l.href).toMatch(/^http:\/\//);
      expect(l.type).toBeTruthy();
      expect(l.title).toBeTruthy();
    }
    expect(body.links.find((l: any) => l.rel === 'service-desc').type).toBe('application/vnd.oai.openapi+json;version=3.0');
  });

  it('declares the conformance classes', async () => {
    const { body } = await svc.json('/conformance');
    for (const c of ['core', 'ogc-process-description', 'json', 'oas30', 'job-list', 'dismiss'])
      expect(body.conformsTo).toContain(`http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/${c}`);
  });

  it('lists and describes processes with a schema for every input and output', async () => {
    const { body } = await svc.json('/processes');
    const ids = body.processes.map((p: any) => p.id);
    expect(ids).toEqual(expect.arrayContaining(['hello-world', 'sleep']));
    const hello = await svc.json('/processes/hello-world');
    expect(hello.body).toMatchObject({ id: 'hello-world', jobControlOptions: expect.arrayContaining(['sync-execute', 'async-execute', 'dismiss']), outputTransmission: ['value', 'reference'] });
    expect(hello.body.inputs.name).toMatchObject({ schema: { type: 'string' }, minOccurs: 1 });
    expect(hello.body.inputs.message.minOccurs).toBe(0);
    expect(hello.body.outputs.echo.schema).toBeTruthy();
    const missing = await svc.json('/processes/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.type).toBe('http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/no-such-process');
  });

  it('serves an OpenAPI document built from the same schemas that validate', async () => {
    const res = await fetch(`${svc.url}/openapi.json`);
    expect(res.headers.get('content-type')).toContain('application/vnd.oai.openapi+json');
    const doc = await res.json();
    expect(doc.openapi).toMatch(/^3\.0/);
    const schema = doc.paths['/processes/hello-world/execution'].post.requestBody.content['application/json'].schema;
    expect(schema.properties.inputs.required).toEqual(['name']);
    expect(schema.properties.inputs.properties.name).toEqual({ type: 'string' });
    expect(schema.properties.inputs.additionalProperties).toBe(false);
  });
});

describe('execution', () => {
  it('runs hello-world synchronously: its one output raw by default, or in a results document', async () => {
    const r = await svc.json('/processes/hello-world/execution', post({ inputs: { name: 'World', message: 'Test message' } }));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(r.body).toBe('Hello World! Test message');
    const doc = await svc.json('/processes/hello-world/execution', post({ inputs: { name: 'Ada' }, response: 'document' }));
    expect(doc.body).toEqual({ echo: 'Hello Ada!' });
  });

  it('runs async with Prefer: respond-async, Location and statusInfo', async () => {
    const r = await svc.json('/processes/sleep/execution', post({ inputs: { seconds: 0.3 } }, ASYNC));
    expect(r.status).toBe(201);
    expect(r.headers.get('preference-applied')).toBe('respond-async');
    const loc = r.headers.get('location')!;
    expect(loc).toBe(`${svc.url}/jobs/${r.body.jobID}`);
    expect(r.body).toMatchObject({ type: 'process', processID: 'sleep', status: 'accepted' });
    const early = await svc.json(`/jobs/${r.body.jobID}/results`);
    if (early.status === 404) expect(early.body.type).toMatch(/result-not-ready$/);
    const done = await waitForJob(svc, r.body.jobID);
    expect(done).toMatchObject({ status: 'successful', progress: 100 });
    for (const k of ['created', 'started', 'finished', 'updated']) expect(Date.parse(done[k])).toBeGreaterThan(0);
    expect(done.links.map((l: any) => l.rel)).toContain('http://www.opengis.net/def/rel/ogc/1.0/results');
    const res = await svc.json(`/jobs/${r.body.jobID}/results`);
    expect(res.body).toEqual({ slept: 0.3 });
  });

  it('reports progress while running', async () => {
    const r = await svc.json('/processes/sleep/execution', post({ inputs: { seconds: 1.5 } }, ASYNC));
    await waitForJob(svc, r.body.jobID, ['running']);
    await new Promise((res) => setTimeout(res, 900));
    const mid = await svc.json(`/jobs/${r.body.jobID}`);
    expect(mid.body.progress).toBeGreaterThan(0);
    expect(mid.body.progress).toBeLessThan(100);
    await waitForJob(svc, r.body.jobID);
  });

  it('serves result files with Range support', async () => {
    const r = await svc.json('/processes/test-file/execution', post({ inputs: { text: 'hello range world' } }, ASYNC));
    await waitForJob(svc, r.body.jobID);
    const res = await svc.json(`/jobs/${r.body.jobID}/results`);
    expect(res.body.out.href).toBe(`${svc.url}/jobs/${r.body.jobID}/files/sub/hello.txt`);
    expect(res.body.out.type).toBe('text/plain');
    const whole = await fetch(res.body.out.href);
    expect(await whole.text()).toBe('hello range world');
    const part = await fetch(res.body.out.href, { headers: { Range: 'bytes=6-10' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 6-10/17');
    expect(await part.text()).toBe('range');
    expect((await fetch(`${svc.url}/jobs/${r.body.jobID}/files/sub/../../x`)).status).toBe(404);
    expect((await fetch(`${svc.url}/jobs/${r.body.jobID}/files/other.txt`)).status).toBe(404);
  });

  it('a synchronous execution dismissed from another request answers 410, not a 5xx (found by the fuzzer)', async () => {
    const sync = svc.json('/processes/sleep/execution', post({ inputs: { seconds: 5.123 } }));
    let id: string | undefined;
    for (let i = 0; i < 50 && !id; i++) {
      await new Promise((r) => setTimeout(r, 100));
      id = (await svc.json('/jobs?processID=sleep&status=running')).body.jobs.find((j: { jobID: string }) => j)?.jobID;
    }
    expect((await svc.json(`/jobs/${id}`, { method: 'DELETE' })).status).toBe(200);
    const r = await sync;
    expect(r.status).toBe(410);
    expect(r.body).toMatchObject({ title: 'Job dismissed', jobID: id });
  });

  it('fails a job whose processor fails, with its message', async () => {
    const r = await svc.json('/processes/sleep/execution', post({ inputs: { seconds: 0, fail: true } }, ASYNC));
    const done = await waitForJob(svc, r.body.jobID);
    expect(done.status).toBe('failed');
    expect(done.message).toBe('sleep was asked to fail');
    const res = await svc.json(`/jobs/${r.body.jobID}/results`);
    // The job failed, the request for its results did not: 4xx, so that 5xx means the API failed.
    expect(res.status).toBe(409);
    expect(res.body.type).toBe('urn:subsetd:problem:job-failed');
    expect(res.body.detail).toBe('sleep was asked to fail');
  });

  it('shares one computation between identical requests', async () => {
    const body = { inputs: { seconds: 0.5, fail: false } };
    const a = await svc.json('/processes/sleep/execution', post(body, ASYNC));
    const b = await svc.json('/processes/sleep/execution', post({ inputs: { fail: false, seconds: 0.5 } }, ASYNC));
    expect(b.body.jobID).toBe(a.body.jobID);
    await waitForJob(svc, a.body.jobID);
    const c = await svc.json('/processes/sleep/execution', post(body, ASYNC));
    expect(c.body.jobID).toBe(a.body.jobID); // successful result reused while retained
    expect(c.body.status).toBe('successful');
    const other = await svc.json('/processes/sleep/execution', post({ inputs: { seconds: 0.51 } }, ASYNC));
    expect(other.body.jobID).not.toBe(a.body.jobID);
  });
});

describe('bad input gets a 4xx problem naming the field', () => {
  const cases: Array<[string, string | object, number, string]> = [
    ['missing required input', { inputs: { message: 'x' } }, 400, 'inputs.name'],
    ['wrong type', { inputs: { name: 42 } }, 400, 'inputs.name'],
    ['unknown input', { inputs: { name: 'a', colour: 'red' } }, 400, 'inputs.colour'],
    ['no inputs', { foo: 1 }, 400, 'inputs'],
    ['inputs not an object', { inputs: [1] }, 400, 'inputs'],
    ['malformed JSON', '{"inputs": {', 400, 'body'],
    ['not an object', '[]', 400, 'body'],
  ];
  for (const [name, body, status, field] of cases) {
    it(name, async () => {
      const r = await svc.json('/processes/hello-world/execution', post(body));
      expect(r.status).toBe(status);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(r.body.field).toBe(field);
      expect(r.body.detail).toContain(field);
      expect(JSON.stringify(r.body)).not.toMatch(/at .*\.(c?js|ts):\d+/); // no stack traces
    });
  }

  it('rejects out-of-range values with the schema message', async () => {
    const r = await svc.json('/processes/sleep/execution', post({ inputs: { seconds: -1 } }));
    expect(r.status).toBe(400);
    expect(r.body.detail).toBe('inputs.seconds: must be >= 0');
  });

  it('rejects oversized bodies with 413', async () => {
    const r = await svc.json('/processes/hello-world/execution', post({ inputs: { name: 'x'.repeat(100_000) } }));
    expect(r.status).toBe(413);
    expect(r.body.type).toMatch(/payload-too-large/);
  });

  it('rejects a wrong content type with 415', async () => {
    const r = await svc.json('/processes/hello-world/execution', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' });
    expect(r.status).toBe(415);
  });

  it('answers unknown jobs and routes with 404 problems', async () => {
    const r = await svc.json('/jobs/does-not-exist');
    expect(r.status).toBe(404);
    expect(r.body.type).toBe('http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/no-such-job');
    expect((await svc.json('/jobs/does-not-exist/results')).status).toBe(404);
    expect((await svc.json('/jobs/does-not-exist', { method: 'DELETE' })).status).toBe(404);
    expect((await svc.json('/no/such/route')).status).toBe(404);
  });

  it('validates job list parameters', async () => {
    expect((await svc.json('/jobs?limit=abc')).body.field).toBe('limit');
    expect((await svc.json('/jobs?limit=0')).status).toBe(400);
    expect((await svc.json('/jobs?status=bogus')).body.field).toBe('status');
    for (const [q, field] of [['minDuration=-1', 'minDuration'], ['minDuration=1.5', 'minDuration'], ['maxDuration=x', 'maxDuration'], ['minDuration=5&maxDuration=2', 'maxDuration'], ['maxDuration=999999999999', 'maxDuration']]) {
      const r = await svc.json(`/jobs?${q}`);
      expect([r.status, r.body.field], q).toEqual([400, field]);
    }
  });

  it('is still alive after all of that', async () => {
    expect((await svc.json('/health')).status).toBe(200);
  });
});

describe('job list', () => {
  it('pages with keyset next/prev links and with limit/offset, filters by process and status', async () => {
    for (let i = 0; i < 5; i++) await svc.json('/processes/hello-world/execution', post({ inputs: { name: `p${i}` } }));
    const all = (await svc.json('/jobs?processID=hello-world&limit=1000')).body;
    const ids = (b: any) => b.jobs.map((j: any) => j.jobID);
    expect(all.numberMatched).toBe(all.jobs.length);
    const first = await svc.json('/jobs?processID=hello-world&limit=2');
    expect(ids(first.body)).toEqual(ids(all).slice(0, 2));
    expect(first.body.links.find((l: any) => l.rel === 'prev')).toBeUndefined();
    const next = first.body.links.find((l: any) => l.rel === 'next');
    expect(new URL(next.href).searchParams.get('after')).toMatch(/^\d+\.\d+$/);
    expect(new URL(next.href).searchParams.get('processID')).toBe('hello-world');
    const second = await (await fetch(next.href)).json();
    expect(ids(second)).toEqual(ids(all).slice(2, 4));
    expect(second.numberMatched).toBe(all.numberMatched);
    const prev = second.links.find((l: any) => l.rel === 'prev');
    expect(ids(await (await fetch(prev.href)).json())).toEqual(ids(first.body));
    // Offset paging as before; its next link is a keyset one.
    const byOffset = await svc.json('/jobs?processID=hello-world&limit=2&offset=2');
    expect(ids(byOffset.body)).toEqual(ids(all).slice(2, 4));
    expect(ids(await (await fetch(byOffset.body.links.find((l: any) => l.rel === 'next').href)).json())).toEqual(ids(all).slice(4, 6));
    // OGC `type`: every job is a process job; another type lists none; links keep the filters.
    expect((await svc.json('/jobs?processID=hello-world&type=process&limit=1000')).body.numberMatched).toBe(all.numberMatched);
    expect((await svc.json('/jobs?type=wps')).body).toMatchObject({ jobs: [], numberMatched: 0, numberReturned: 0 });
    expect((await svc.json('/jobs?type=wps&type=process&processID=hello-world&limit=1000')).body.numberMatched).toBe(all.numberMatched);
    // Durations: these jobs ran for milliseconds; none ran an hour; without a status, accepted ones never count.
    const quick = await svc.json('/jobs?processID=hello-world&maxDuration=60&limit=1');
    expect(quick.body.jobs.length).toBe(1);
    expect(quick.body).not.toHaveProperty('numberMatched');
    expect(new URL(quick.body.links.find((l: any) => l.rel === 'next').href).searchParams.get('maxDuration')).toBe('60');
    expect((await svc.json('/jobs?processID=hello-world&minDuration=3600')).body.jobs).toEqual([]);
    for (const bad of ['after=x', 'after=12', 'before=1.2.3', 'after=1.2&before=3.4']) {
      const r = await svc.json(`/jobs?${bad}`);
      expect(r.status, bad).toBe(400);
      expect(r.body.detail, bad).toMatch(/after|before/);
    }
    const failed = await svc.json('/jobs?status=failed');
    expect(failed.body.jobs.every((j: any) => j.status === 'failed')).toBe(true);
    const multi = await svc.json('/jobs?status=failed,successful&limit=100');
    expect(new Set(multi.body.jobs.map((j: any) => j.status))).toEqual(new Set(['failed', 'successful']));
  });
});

describe('health', () => {
  it('/ready names its checks', async () => {
    const r = await svc.json('/ready');
    expect(r.status).toBe(200);
    expect(Object.keys(r.body.checks)).toEqual(['store', 'pool', 'disk', 'processes']);
    // This node runs every process: none is waiting for a node.
    expect(r.body.checks.processes).toEqual({ ok: true });
  });

  it('/health shows each busy worker', async () => {
    const r = await svc.json('/processes/sleep/execution', post({ inputs: { seconds: 1.2 } }, ASYNC));
    await waitForJob(svc, r.body.jobID, ['running']);
    await new Promise((res) => setTimeout(res, 300));
    const h = await svc.json('/health');
    const w = h.body.workers.slots.find((b: any) => b.jobId === r.body.jobID);
    expect(w).toMatchObject({ processId: 'sleep', state: 'busy' });
    expect(h.body.workers.slots).toHaveLength(2);
    expect(w.threadId).toBeGreaterThan(0);
    expect(w.lastHeartbeatMsAgo).toBeLessThan(1500);
    expect(h.body.workers.capacity).toBe(2);
    // Where the memory is, for telling a leak from a grown heap (read by the soak run).
    const m = h.body.memoryMb;
    expect(m.rss).toBeGreaterThan(m.heapUsed);
    expect(m.heapTotal).toBeGreaterThanOrEqual(m.heapUsed);
    expect(m.heapUsed).toBeGreaterThan(5);
  });
});
