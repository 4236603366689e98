// The execute request's `outputs` and `response` (OGC API - Processes Part 1 1.0, 7.11.2 and
// 7.11.4), over real HTTP on test-outputs: a file, a number, an object and a list of two files.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASYNC, post, startService, waitForJob, type RunningService } from '../helpers/service.js';
import { multipartParts } from '../helpers/multipart.js';

let svc: RunningService;
beforeAll(async () => {
  svc = await startService();
});
afterAll(() => svc?.cleanup());

const TEXT = 'three small words';
let n = 0;
/** A fresh text each time, so no request joins another's job. */
const inputs = () => ({ text: `${TEXT} ${++n}` });
const exec = (body: Record<string, unknown>, headers: Record<string, string> = {}) => fetch(`${svc.url}/processes/test-outputs/execution`, post(body, headers));



describe('response document', () => {
  it('holds every output when none is chosen: files as links, values bare, objects qualified', async () => {
    const i = inputs();
    const res = await exec({ inputs: i });
    expect(res.status).toBe(200);
    // The job stays: the sync answer says where (rel=monitor).
    const monitor = res.headers.get('link')!;
    expect(monitor).toMatch(/^<http:\/\/[^>]+\/jobs\/[^>]+>; rel="monitor"/);
    const doc = await res.json();
    expect(Object.keys(doc).sort()).toEqual(['count', 'info', 'parts', 'report']);
    expect(doc.report).toMatchObject({ type: 'text/plain', href: expect.stringMatching(/\/files\/report\.txt$/) });
    expect(doc.count).toBe(i.text.length);
    expect(doc.info).toEqual({ value: { words: 4 }, mediaType: 'application/json' });
    expect(doc.parts.map((l: any) => l.type)).toEqual(['text/csv', 'text/csv']);
    expect(await (await fetch(doc.report.href)).text()).toBe(i.text);
    // The same document from GET /jobs/{id}/results.
    const again = await svc.json(`${new URL(monitor.slice(1, monitor.indexOf('>'))).pathname}/results`);
    expect(again.body).toEqual(doc);
  });

  it('embeds a file by value as base64 and points at a value by reference', async () => {
    const i = inputs();
    const res = await exec({ inputs: i, response: 'document', outputs: { report: { transmissionMode: 'value' }, count: { transmissionMode: 'reference' } } });
    const doc = await res.json();
    expect(Object.keys(doc).sort()).toEqual(['count', 'report']);
    expect(doc.report).toEqual({ value: Buffer.from(i.text).toString('base64'), encoding: 'base64', mediaType: 'text/plain' });
    expect(doc.count).toMatchObject({ type: 'application/json', href: expect.stringMatching(/\/results\/count$/) });
    const value = await fetch(doc.count.href);
    expect(value.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await value.json()).toBe(i.text.length);
  });
});

describe('response raw', () => {
  it('one output by value: its bytes with its media type', async () => {
    const i = inputs();
    const res = await exec({ inputs: i, response: 'raw', outputs: { report: { transmissionMode: 'value' } } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(res.headers.get('link')).toMatch(/rel="monitor"/);
    expect(await res.text()).toBe(i.text);
  });

  it('is the default for one output by value in a synchronous execution', async () => {
    const i = inputs();
    const res = await exec({ inputs: i, outputs: { count: {} } });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toBe(i.text.length);
  });

  it('all by reference: 204 and one Link per output', async () => {
    const res = await exec({ inputs: inputs(), response: 'raw', outputs: { report: { transmissionMode: 'reference' }, info: { transmissionMode: 'reference' }, parts: {} } });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    const links = res.headers.get('link')!.split(/,\s*(?=<)/);
    const byRel = (rel: string) => links.filter((l) => l.includes(`rel="${rel}"`)).map((l) => l.slice(1, l.indexOf('>')));
    expect(byRel('report')).toHaveLength(1);
    expect(byRel('parts')).toHaveLength(2);
    expect(byRel('monitor')).toHaveLength(1);
    expect(await (await fetch(byRel('info')[0])).json()).toEqual({ words: 4 });
    expect(await (await fetch(byRel('parts')[1])).text()).toBe('date,value\n2020-01-01,2\n');
  });

  it('several by value: multipart/related, one part per output, Content-ID the output id', async () => {
    const i = inputs();
    const res = await exec({ inputs: i, response: 'raw', outputs: { report: { transmissionMode: 'value' }, count: { transmissionMode: 'value' } } });
    expect(res.status).toBe(200);
    const ps = await multipartParts(res);
    expect(ps.map((p) => p.headers['content-id'])).toEqual(['<report>', '<count>']);
    expect(ps[0]).toMatchObject({ headers: { 'content-type': 'text/plain' }, body: i.text });
    expect(JSON.parse(ps[1].body)).toBe(i.text.length);
  });

  it('mixed: a part by reference carries Content-Location and no body', async () => {
    const res = await exec({ inputs: inputs(), response: 'raw', outputs: { report: { transmissionMode: 'reference' }, info: { transmissionMode: 'value' } } });
    const ps = await multipartParts(res);
    expect(ps[0].headers['content-location']).toMatch(/\/files\/report\.txt$/);
    expect(ps[0].body).toBe('');
    expect(JSON.parse(ps[1].body)).toEqual({ words: 4 });
  });
});

describe('asynchronous execution', () => {
  it('GET /jobs/{id}/results answers as the execute request asked', async () => {
    const i = inputs();
    const r = await svc.json('/processes/test-outputs/execution', post({ inputs: i, response: 'raw', outputs: { report: { transmissionMode: 'value' } } }, ASYNC));
    expect(r.status).toBe(201);
    await waitForJob(svc, r.body.jobID);
    const res = await fetch(`${svc.url}/jobs/${r.body.jobID}/results`);
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(await res.text()).toBe(i.text);
  });

  it('defaults to a document, and a request that asks otherwise is another job', async () => {
    const i = inputs();
    const a = await svc.json('/processes/test-outputs/execution', post({ inputs: i }, ASYNC));
    const b = await svc.json('/processes/test-outputs/execution', post({ inputs: i, outputs: { count: {} } }, ASYNC));
    const a2 = await svc.json('/processes/test-outputs/execution', post({ inputs: i }, ASYNC));
    expect(b.body.jobID).not.toBe(a.body.jobID);
    expect(a2.body.jobID).toBe(a.body.jobID);
    await waitForJob(svc, b.body.jobID);
    expect((await svc.json(`/jobs/${b.body.jobID}/results`)).body).toEqual({ count: i.text.length });
  });
});

describe('bad requests: 400 naming the member, nothing queued', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['an unknown output', { outputs: { nope: {} } }, 'outputs.nope'],
    ['a transmission mode that does not exist', { outputs: { report: { transmissionMode: 'inline' } } }, 'outputs.report.transmissionMode'],
    ['outputs that are not an object', { outputs: ['report'] }, 'outputs'],
    ['an output spec that is not an object', { outputs: { report: 'value' } }, 'outputs.report'],
    ['a response form that does not exist', { response: 'json' }, 'response'],
    ['a media type the output is not made in', { outputs: { report: { format: { mediaType: 'application/pdf' } } } }, 'outputs.report.format.mediaType'],
  ];
  for (const [what, extra, field] of cases)
    it(what, async () => {
      const before = (await svc.json('/jobs?processID=test-outputs&limit=1000')).body.jobs.length;
      const r = await svc.json('/processes/test-outputs/execution', post({ inputs: inputs(), ...extra }));
      expect(r.status).toBe(400);
      expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(r.body.field).toBe(field);
      expect((await svc.json('/jobs?processID=test-outputs&limit=1000')).body.jobs.length).toBe(before);
    });

  it('an output a job does not have: 404 no-such-output', async () => {
    const r = await svc.json('/processes/test-outputs/execution', post({ inputs: inputs(), response: 'document' }));
    const job = /\/jobs\/([^>]+)>/.exec(r.headers.get('link')!)![1];
    const missing = await svc.json(`/jobs/${job}/results/nope`);
    expect(missing.status).toBe(404);
    expect(missing.body.type).toBe('http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/no-such-output');
  });
});
