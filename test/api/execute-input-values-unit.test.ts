// src/server/input-values.ts on its own: which values are unwrapped (the input's schema decides),
// arrays (maxOccurs > 1), the shared byte budget of a request's references, local results and
// who may read them. No process in the service takes maxOccurs > 1, so arrays are tried here.
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveInputValues, type InputValueEnv } from '../../src/server/input-values.js';
import { AUTH_OFF, type Principal } from '../../src/auth/principal.js';
import type { ProcessDescription } from '../../src/processes/types.js';

const d: ProcessDescription = {
  id: 'p',
  version: '1',
  title: 'p',
  jobControlOptions: ['async-execute'],
  inputs: {
    text: { schema: { type: 'string' } },
    anyObject: { schema: { type: 'object' }, minOccurs: 0 },
    point: { schema: { type: 'object', required: ['x'], properties: { x: { type: 'number' } } }, minOccurs: 0 },
    anything: { schema: {}, minOccurs: 0 },
    names: { schema: { type: 'string' }, minOccurs: 0, maxOccurs: 3 },
  },
  outputs: {},
};

let origin: http.Server;
let base: string;
let dir: string;
beforeAll(async () => {
  origin = http.createServer((req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(req.url === '/six' ? '123456' : 'abc'));
  await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), 'input-values-'));
  writeFileSync(join(dir, 'out.json'), JSON.stringify({ x: 1.5 }));
});
afterAll(async () => {
  await new Promise((r) => origin.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const job = { id: 'J1', owner: 'alice', status: 'successful', outputs: { shape: { file: 'out.json', type: 'application/json' }, n: 7 } };
const env = (over: Partial<InputValueEnv> = {}): InputValueEnv => ({
  base: 'https://api.example.org/prefix',
  principal: AUTH_OFF,
  store: { get: async (id: string) => (id === job.id ? (job as never) : null) },
  files: { resultFile: async (_id: string, rel: string) => (rel === 'out.json' ? { path: join(dir, rel), size: 9, mtime: new Date() } : null) },
  allow: ['127.0.0.1'],
  timeoutMs: 2000,
  maxBytes: 1 << 20,
  jsonLimit: 1 << 20,
  ...over,
});
const resolve = (inputs: Record<string, unknown>, e = env()) => resolveInputValues(d, inputs, e);
async function fails(p: Promise<unknown>, field: string, detail: RegExp) {
  const e = await p.then(() => null, (x) => x);
  expect(e, 'expected a refusal').not.toBeNull();
  expect(e).toMatchObject({ status: 400, extra: { field } });
  expect(e.detail).toMatch(detail);
}

describe('which values are unwrapped', () => {
  it('leaves plain inputs alone (the same object back)', async () => {
    const inputs = { text: 'x', names: ['a'] };
    expect(await resolve(inputs)).toBe(inputs);
  });

  it('unwraps only where the schema rejects the wrapper', async () => {
    const out = await resolve({
      text: { value: 'plain' },
      anyObject: { value: 'kept' }, // {type: object} takes the wrapper: it is the value
      anything: { href: 'http://example.org/x' }, // {} takes anything: never fetched
      point: { value: { x: 2 }, mediaType: 'application/json' }, // {x} required: the wrapper is refused, so unwrapped
    });
    expect(out).toEqual({ text: 'plain', anyObject: { value: 'kept' }, anything: { href: 'http://example.org/x' }, point: { x: 2 } });
  });

  it('leaves objects of other shapes to the schema check', async () => {
    const inputs = { text: { value: 'x', extra: 1 } };
    expect(await resolve(inputs)).toBe(inputs);
  });

  it('unwraps each element of a maxOccurs > 1 input and names the element at fault', async () => {
    const out = await resolve({ text: 'x', names: ['plain', { value: Buffer.from('zwei').toString('base64'), encoding: 'base64' }, { href: `${base}/abc` }] });
    expect(out.names).toEqual(['plain', 'zwei', 'abc']);
    await fails(resolve({ text: 'x', names: ['a', { value: 'x', encoding: 'gzip' }] }), 'inputs.names.1.encoding', /unknown encoding "gzip"/);
    await fails(resolve({ text: 'x', names: ['a', 'b', { href: 'ftp://h/x' }] }), 'inputs.names.2.href', /only http and https/);
  });
});

describe('references', () => {
  it('share one byte budget (SUBSETD_BODY_LIMIT) in a request', async () => {
    expect((await resolve({ text: { href: `${base}/six` } }, env({ maxBytes: 10 }))).text).toBe('123456');
    await fails(resolve({ text: { href: `${base}/six` }, names: [{ href: `${base}/six` }] }, env({ maxBytes: 10 })), 'inputs.names.0.href', /larger than 10 bytes \(SUBSETD_BODY_LIMIT/);
  });

  it('read results of this server from disk, matched on the base URL and its prefix', async () => {
    const out = await resolve({ text: { href: 'https://api.example.org/prefix/jobs/J1/results/n', type: 'application/json' }, point: { href: 'https://API.example.org:443/prefix/jobs/J1/files/out.json' } });
    expect(out).toEqual({ text: 7, point: { x: 1.5 } });
    // Another prefix is another server: fetched, and that host does not resolve here.
    await fails(resolve({ point: { href: 'https://api.example.org/other/jobs/J1/files/out.json' } }, env({ lookup: async () => [] })), 'inputs.point.href', /does not resolve/);
  });

  it("refuse another owner's job as missing", async () => {
    const bob: Principal = { name: 'bob', scope: 'submit', via: 'bearer' };
    const alice: Principal = { name: 'alice', scope: 'submit', via: 'bearer' };
    const href = 'https://api.example.org/prefix/jobs/J1/files/out.json';
    await fails(resolve({ point: { href } }, env({ principal: bob })), 'inputs.point.href', /job "J1" of this server does not exist/);
    expect((await resolve({ point: { href } }, env({ principal: alice }))).point).toEqual({ x: 1.5 });
  });
});
