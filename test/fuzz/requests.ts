/**
 * The fuzzer's request generator: every operation in /openapi.json (plus the ISIMIP endpoint and
 * result-file paths, which it does not list), with path, query and body drawn from the schemas
 * and then mutated. Ids of jobs the run created are fed back, so job routes see real ids too.
 */
import fc, { type Arbitrary } from 'fast-check';
import { anyJson, NASTY_STRINGS, SchemaArbitraries, type Schema } from './schema-arbitrary.js';

export interface FuzzRequest {
  method: string;
  /** Path with query, relative to the service URL. */
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** Which operation it came from, for reports. */
  op: string;
}

interface Operation {
  method: string;
  template: string;
  params: Array<{ name: string; in: string; schema?: Schema; required?: boolean }>;
  body?: Schema;
}

/** encodeURIComponent, with lone surrogates (which it refuses) made well-formed first. */
const enc = (v: string) => encodeURIComponent(v.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));

/** `arb` one time in `every`, else `usual`. */
const rarely = <T, U>(arb: fc.Arbitrary<T>, usual: U, every = 8) => fc.oneof({ weight: every - 1, arbitrary: fc.constant(usual) }, { weight: 1, arbitrary: arb });

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'];
const CONTENT_TYPES = ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=zz', 'application/json; charset=latin1', 'image/png', '', 'application/geo+json'];
const ACCEPTS = ['application/json', 'text/html', '*/*', 'text/html,application/xhtml+xml;q=0.9', 'application/xml', 'image/*'];

export function operationsOf(spec: any): Operation[] {
  const ops: Operation[] = [];
  for (const [template, item] of Object.entries<any>(spec.paths ?? {}))
    for (const [method, op] of Object.entries<any>(item)) {
      if (!METHODS.includes(method.toUpperCase())) continue;
      const body = op.requestBody?.content?.['application/json']?.schema;
      ops.push({ method: method.toUpperCase(), template, params: [...(item.parameters ?? []), ...(op.parameters ?? [])], body });
    }
  // Not in the OpenAPI document (ISIMIP's own API, file downloads): described here.
  const isimipBody = {
    type: 'object',
    required: ['paths', 'operations'],
    properties: {
      paths: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 3 },
      operations: {
        type: 'array',
        minItems: 1,
        maxItems: 3,
        items: {
          type: 'object',
          required: ['operation'],
          properties: {
            operation: { enum: ['select_bbox', 'mask_bbox', 'cutout_bbox', 'select_point', 'cutout_point', 'mask_country', 'mask_landonly', 'mask_mask', 'create_mask', 'compute_mean', 'output_csv'] },
            bbox: { type: 'array', items: { type: 'number' }, minItems: 4, maxItems: 4 },
            point: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 },
            country: { type: 'string' },
            mask: { type: 'string' },
            shape: { type: 'string' },
          },
        },
      },
    },
  };
  const id = { name: 'jobId', in: 'path', schema: { type: 'string' } };
  ops.push({ method: 'POST', template: '/isimip/v2', params: [], body: isimipBody });
  ops.push({ method: 'GET', template: '/isimip/v2', params: [] });
  ops.push({ method: 'GET', template: '/isimip/v2/{jobId}', params: [id] });
  ops.push({ method: 'DELETE', template: '/isimip/v2/{jobId}', params: [id] });
  ops.push({ method: 'GET', template: '/isimip/v2/output/{file}', params: [{ name: 'file', in: 'path', schema: { type: 'string' } }] });
  ops.push({ method: 'GET', template: '/jobs/{jobId}/files/{file}', params: [id, { name: 'file', in: 'path', schema: { type: 'string' } }] });
  return ops;
}

export class RequestGenerator {
  private readonly arbs: SchemaArbitraries;
  private readonly ops: Operation[];
  private readonly bodies = new Map<string, { valid: Arbitrary<unknown>; invalid: Arbitrary<unknown> }>();
  /** Job ids seen in responses; path parameters take one of these half of the time. */
  readonly jobIds: string[] = [];
  readonly processIds: string[];

  constructor(spec: any, dataFiles: string[] = []) {
    this.arbs = new SchemaArbitraries(spec.components?.schemas ?? {}, dataFiles);
    this.ops = operationsOf(spec);
    this.processIds = spec.paths?.['/processes/{processId}']?.get?.parameters?.[0]?.schema?.enum ?? ['hello-world'];
    for (const op of this.ops) if (op.body) this.bodies.set(op.template, { valid: this.arbs.valid(op.body), invalid: this.arbs.invalid(op.body) });
  }

  get operations(): string[] {
    return this.ops.map((o) => `${o.method} ${o.template}`);
  }

  private pathValue(name: string, schema: Schema | undefined): Arbitrary<string> {
    const known = name === 'jobId' && this.jobIds.length ? fc.constantFrom(...this.jobIds.slice(-200)) : fc.constant('0'.repeat(32));
    const valid = name === 'processId' ? fc.constantFrom(...this.processIds) : name === 'jobId' ? known : name === 'file' ? fc.constantFrom('out.txt', 'result.zip', 'sub/hello.txt', 'x.nc') : (this.arbs.valid(schema ?? { type: 'string' }).map(String) as Arbitrary<string>);
    const weird = fc.oneof(fc.constantFrom(...NASTY_STRINGS), fc.string({ maxLength: 30 }), fc.string({ unit: 'grapheme', maxLength: 10 }));
    return fc.oneof(
      { weight: 5, arbitrary: valid.map((v) => enc(v)) },
      { weight: 2, arbitrary: weird.map((v) => enc(v)) },
      // Encoded as attackers do: separators and dots left in or double-encoded.
      { weight: 1, arbitrary: weird.map((v) => enc(v).replace(/%2F/gi, '/').replace(/%25/g, '%')) },
      { weight: 1, arbitrary: fc.constantFrom('%2e%2e%2f%2e%2e%2f', '..%2f', '%00', '%zz', '%E0%A4%A', '%252e%252e', 'a%2Fb', '.', '%2e') },
    );
  }

  private queryValue(schema: Schema | undefined): Arbitrary<string> {
    const s = schema ?? { type: 'string' };
    const valid = this.arbs.valid(s).map((v) => (Array.isArray(v) ? v.join(',') : String(v)));
    return fc.oneof({ weight: 4, arbitrary: valid }, { weight: 2, arbitrary: fc.oneof(fc.constantFrom(...NASTY_STRINGS), fc.string({ maxLength: 12 }), fc.integer().map(String), fc.constantFrom('1e999', '-1', '0x10', '99999999999999999999', 'NaN', '2024-01-01T00:00:00Z/..', '../..')) });
  }

  private bodyOf(op: Operation): Arbitrary<{ body?: string | Uint8Array; type?: string }> {
    const b = this.bodies.get(op.template);
    const json = (v: unknown) => ({ body: JSON.stringify(v), type: 'application/json' });
    if (!b) return fc.oneof({ weight: 6, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: anyJson.map(json) });
    const isimip = op.template.startsWith('/isimip');
    const wrap = (v: unknown) => (isimip ? v : { inputs: v });
    const inputsOf = (arb: Arbitrary<unknown>) => arb.map((v) => (isimip ? v : (v as { inputs?: unknown })?.inputs ?? v));
    return fc.oneof(
      { weight: 4, arbitrary: b.valid.map(json) },
      { weight: 4, arbitrary: b.invalid.map(json) },
      { weight: 1, arbitrary: inputsOf(b.valid).map((v) => json({ mode: 'async', ...(wrap(v) as object) })) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ body: bytes, type: 'application/json' })) },
      { weight: 1, arbitrary: fc.tuple(b.valid, fc.nat()).map(([v, n]) => { const t = JSON.stringify(v); return { body: t.slice(0, n % Math.max(1, t.length)), type: 'application/json' }; }) },
      { weight: 1, arbitrary: fc.tuple(b.valid, fc.constantFrom(...CONTENT_TYPES)).map(([v, type]) => ({ body: JSON.stringify(v), type })) },
      { weight: 1, arbitrary: fc.integer({ min: 50, max: 3000 }).map((d) => ({ body: `{"inputs":${'['.repeat(d)}${']'.repeat(d)}}`, type: 'application/json' })) },
      { weight: 1, arbitrary: anyJson.map(json) },
    );
  }

  /** One request for the given principal's headers. */
  arbitrary(authHeaders: Arbitrary<Record<string, string>>): Arbitrary<FuzzRequest> {
    const perOp = this.ops.map((op) => {
      const pathParams = op.params.filter((p) => p.in === 'path');
      const queryParams = op.params.filter((p) => p.in === 'query');
      const pathArb = fc.tuple(...pathParams.map((p) => this.pathValue(p.name, p.schema))).map((vals) => {
        let path = op.template;
        pathParams.forEach((p, i) => (path = path.replace(`{${p.name}}`, vals[i])));
        return path;
      });
      const queryArb = fc
        .tuple(
          fc.subarray(queryParams),
          rarely(fc.array(fc.tuple(fc.constantFrom(...queryParams.map((p) => p.name), 'f', 'unknown', '_', '%zz', ''), fc.string({ maxLength: 8 })), { minLength: 1, maxLength: 2 }), []),
        )
        .chain(([chosen, extra]) =>
          fc.tuple(...chosen.map((p) => this.queryValue(p.schema))).map((vals) => {
            const parts = chosen.map((p, i) => `${p.name}=${enc(vals[i])}`);
            for (const [k, v] of extra) parts.push(`${k}=${enc(v)}`);
            return parts.length ? `?${parts.join('&')}` : '';
          }),
        );
      return fc
        .record({
          path: pathArb,
          query: queryArb,
          body: this.bodyOf(op),
          auth: authHeaders,
          otherMethod: rarely(fc.constantFrom(...METHODS), null),
          async: fc.boolean(),
          accept: rarely(fc.constantFrom(...ACCEPTS), null),
        })
        .map(({ path, query, body, auth, otherMethod, async, accept }): FuzzRequest => {
          const method = otherMethod ?? op.method;
          const headers: Record<string, string> = { ...auth };
          if (async) headers.Prefer = 'respond-async';
          if (accept) headers.Accept = accept;
          const withBody = method !== 'GET' && method !== 'HEAD' && body.body !== undefined;
          if (withBody && body.type) headers['Content-Type'] = body.type;
          return { method, path: path + query, headers, body: withBody ? body.body : undefined, op: `${op.method} ${op.template}` };
        });
    });
    return fc.oneof(...perOp);
  }
}
