/**
 * Execute-request input values in the two forms OGC API - Processes 1.0 allows beside a plain
 * value (/req/core/process-execute-inputs): qualified, `{value, mediaType?, encoding?, schema?}`
 * (qualifiedInputValue), and by reference, `{href, type?, rel?, title?, hreflang?}` (link). They
 * become plain values here, before the inputs are validated; so what is validated, stored and
 * hashed for deduplication is the content (the same text inline or behind a link is one job).
 *
 * The rule: a value of one of these shapes is unwrapped only when the input's own schema rejects
 * it as it is. An input whose schema takes such an object (`{type: 'object'}`, `{}`) gets it
 * unchanged. With maxOccurs > 1 each element of the array is looked at on its own.
 *
 * - qualified: `value` is the input; `encoding: "base64"` is decoded to a (UTF-8) string; absent,
 *   "utf-8" or "utf8": `value` as it is; any other encoding is refused.
 * - by reference, to this server's own results (`<base>/jobs/{id}/files/…` or
 *   `<base>/jobs/{id}/results/{output}`, as results documents give them): read from the job's
 *   result files, if the caller may see that job (no network, so no loopback exception is needed).
 * - by reference, anything else: GET over http(s) under the callbacks' address rule
 *   (src/callbacks/address.ts: public addresses, or SUBSETD_CALLBACK_ALLOW_HOSTS), connected to
 *   exactly the address checked, no redirects followed, all references of one request within
 *   SUBSETD_INPUT_FETCH_TIMEOUT and SUBSETD_BODY_LIMIT bytes in all (JSON, parsed in memory, at
 *   most SUBSETD_JSON_LIMIT). JSON content (the link's `type`, else the answer's Content-Type,
 *   is application/json or *+json) is parsed; anything else is text (its charset, else UTF-8).
 *
 * Every failure is a 400 naming the field (`inputs.text.href`, `inputs.text.encoding`, ...).
 */
import http from 'node:http';
import https from 'node:https';
import { readFile } from 'node:fs/promises';
import type { Context } from 'hono';
import type { Ajv, ValidateFunction } from 'ajv';
import { formatsAjv } from '../processes/ajv.js';
import { canSee } from '../auth/access.js';
import type { Principal } from '../auth/principal.js';
import { checkedAddresses, pinned, RefusedAddressError, type Lookup, type Resolved } from '../callbacks/address.js';
import { fileOutputs, isFileOutput } from '../jobs/outputs.js';
import type { JobFiles } from '../jobs/job-files.js';
import type { Logger } from '../log.js';
import { inputsSchema } from '../processes/input-schema.js';
import type { JsonSchema, ProcessDescription } from '../processes/types.js';
import type { JobStore } from '../stores/job-store.js';
import { VERSION } from '../version.js';
import type { AppEnv } from './context.js';
import { MAX_JSON_DEPTH, tooDeep } from './json-limits.js';
import { baseUrl, safeDecode } from './links.js';
import { badInput } from './problem.js';

export interface InputValueEnv {
  /** This server's base URL as the request sees it (src/server/links.ts). */
  base: string;
  principal: Principal;
  store: Pick<JobStore, 'get'>;
  files: Pick<JobFiles, 'resultFile'>;
  allow: readonly string[];
  timeoutMs: number;
  /** Bytes all references of one request may bring (SUBSETD_BODY_LIMIT). */
  maxBytes: number;
  /** Bytes of one JSON content (SUBSETD_JSON_LIMIT). */
  jsonLimit: number;
  log?: Logger;
  lookup?: Lookup;
}

export function inputValueEnv(c: Context<AppEnv>): InputValueEnv {
  const deps = c.get('deps');
  const { config } = deps;
  return {
    base: baseUrl(c, config),
    principal: c.get('principal'),
    store: deps.store,
    files: deps.files,
    allow: config.callbackAllowHosts,
    timeoutMs: config.inputFetchTimeout,
    maxBytes: config.bodyLimit,
    jsonLimit: config.jsonLimit,
    log: deps.log,
  };
}

type Obj = Record<string, unknown>;
const QUALIFIED_KEYS = new Set(['value', 'mediaType', 'encoding', 'schema']);
const LINK_KEYS = new Set(['href', 'type', 'rel', 'title', 'hreflang']);
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const isQualified = (v: unknown): v is Obj => isObj(v) && 'value' in v && Object.keys(v).every((k) => QUALIFIED_KEYS.has(k));
const isLink = (v: unknown): v is Obj & { href: string; type?: string } =>
  isObj(v) && typeof v.href === 'string' && (v.type === undefined || typeof v.type === 'string') && Object.keys(v).every((k) => LINK_KEYS.has(k));
const isJsonType = (t: string) => /^application\/([\w.+-]*\+)?json\s*(;|$)/i.test(t.trim());

// Whether an input's schema takes a value as it is: an Ajv of our own (no defaults written into
// the value), validators compiled lazily, once per schema object.
let ajv: Ajv | undefined;
const validators = new WeakMap<object, ValidateFunction | null>();
const schemas = new WeakMap<ProcessDescription, Record<string, JsonSchema>>();
function accepts(schema: JsonSchema, v: unknown): boolean {
  let fn = validators.get(schema);
  if (fn === undefined) {
    ajv ??= formatsAjv({ strict: false, allErrors: false, useDefaults: false, coerceTypes: false, addUsedSchema: false });
    try {
      fn = ajv.compile(schema);
    } catch {
      fn = null; // cannot tell: the shape is taken as 1.0's wrapper
    }
    validators.set(schema, fn);
  }
  return fn !== null && fn(v) === true;
}
function propertySchemas(d: ProcessDescription): Record<string, JsonSchema> {
  let s = schemas.get(d);
  if (!s) schemas.set(d, (s = inputsSchema(d).properties as Record<string, JsonSchema>));
  return s;
}

interface Budget {
  bytesLeft: number;
  signal: AbortSignal;
}

/**
 * The inputs with every qualified value and reference replaced by its content (a new object when
 * anything was replaced, else `inputs` itself). Throws a 400 ApiError naming the field.
 */
export async function resolveInputValues(d: ProcessDescription, inputs: Obj, env: InputValueEnv): Promise<Obj> {
  const tasks: Array<{ field: string; wrapper: Obj; set: (v: unknown) => void }> = [];
  const out: Obj = { ...inputs };
  const consider = (v: unknown, schema: JsonSchema | undefined, field: string, set: (v: unknown) => void) => {
    if ((isQualified(v) || isLink(v)) && !(schema && accepts(schema, v))) tasks.push({ field, wrapper: v, set });
  };
  const whole = propertySchemas(d);
  for (const [name, input] of Object.entries(d.inputs)) {
    if (!(name in inputs)) continue;
    const v = inputs[name];
    const max = input.maxOccurs ?? 1;
    if ((max === 'unbounded' || max > 1) && Array.isArray(v)) {
      const list = [...v];
      out[name] = list;
      list.forEach((x, i) => consider(x, input.schema, `inputs.${name}.${i}`, (y) => (list[i] = y)));
    } else consider(v, whole[name], `inputs.${name}`, (y) => (out[name] = y));
  }
  if (tasks.length === 0) return inputs;

  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), env.timeoutMs);
  const budget: Budget = { bytesLeft: env.maxBytes, signal: ac.signal };
  try {
    // One after the other: one deadline and one byte budget for the request, one connection at a time.
    for (const t of tasks) t.set(isLink(t.wrapper) ? await reference(t.wrapper, t.field, env, budget) : qualified(t.wrapper, t.field));
  } finally {
    clearTimeout(timer);
  }
  return out;
}

function qualified(q: Obj, field: string): unknown {
  const enc = q.encoding;
  if (enc === undefined || (typeof enc === 'string' && /^(utf-?8)?$/i.test(enc))) return q.value;
  if (typeof enc !== 'string' || enc.toLowerCase() !== 'base64')
    throw badInput(`${field}.encoding`, `unknown encoding ${JSON.stringify(enc)}: "base64", or none for a value given as it is`);
  const b64 = typeof q.value === 'string' ? q.value.replace(/\s+/g, '') : null;
  if (b64 === null || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(b64) || b64.length % 4 === 1) throw badInput(`${field}.value`, 'is not base64');
  return text(Buffer.from(b64, 'base64'), 'utf-8', `${field}.value`, 'base64 content');
}

function text(buf: Buffer, charset: string, field: string, what: string): string {
  let dec: TextDecoder;
  try {
    dec = new TextDecoder(charset, { fatal: true });
  } catch {
    throw badInput(field, `${what} has an unknown charset "${charset}"`);
  }
  try {
    return dec.decode(buf);
  } catch {
    throw badInput(field, `${what} is not ${charset.toLowerCase() === 'utf-8' ? 'UTF-8' : charset} text`);
  }
}

/** The content as a value: JSON parsed, anything else as text. */
function content(buf: Buffer, type: string, charset: string | undefined, field: string, what: string): unknown {
  if (!isJsonType(type)) return text(buf, charset ?? 'utf-8', field, what);
  let v: unknown;
  try {
    v = JSON.parse(text(buf, 'utf-8', field, what));
  } catch (e) {
    if ((e as { name?: string }).name === 'ApiError') throw e;
    throw badInput(field, `${what} is not valid JSON: ${(e as Error).message}`);
  }
  if (tooDeep(v) !== null) throw badInput(field, `${what} is JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  return v;
}

const charsetOf = (type: string | undefined) => (type ? /;\s*charset="?([^";\s]+)"?/i.exec(type)?.[1] : undefined);

async function reference(link: Obj & { href: string; type?: string }, input: string, env: InputValueEnv, budget: Budget): Promise<unknown> {
  const field = `${input}.href`;
  let url: URL;
  try {
    url = new URL(link.href);
  } catch {
    throw badInput(field, 'is not an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badInput(field, `only http and https URLs are read, not ${url.protocol.replace(/:$/, '')}`);
  const local = ownResult(url, env.base);
  try {
    return local ? await readOwn(local, link.type, field, env, budget) : await fetchRemote(url, link.type, field, env, budget);
  } catch (e) {
    // Whatever broke when the deadline passed (an aborted connection, a cut body) broke by it.
    if (budget.signal.aborted)
      throw badInput(field, `not read within ${env.timeoutMs / 1000} s (SUBSETD_INPUT_FETCH_TIMEOUT, for all references of a request)`);
    throw e;
  }
}

function ownResult(url: URL, base: string): { id: string; kind: string; rest: string } | null {
  const b = new URL(base);
  if (url.protocol !== b.protocol || url.host !== b.host) return null;
  const prefix = `${b.pathname.replace(/\/+$/, '')}/jobs/`;
  if (!url.pathname.startsWith(prefix)) return null;
  const m = /^([^/]+)\/(files|results)\/(.+)$/.exec(url.pathname.slice(prefix.length));
  return m ? { id: safeDecode(m[1]), kind: m[2], rest: m[3] } : null;
}

/** How many bytes one content may have: what the request has left, and SUBSETD_JSON_LIMIT for JSON. */
function capOf(budget: Budget, json: boolean, env: InputValueEnv) {
  return { cap: json ? Math.min(env.jsonLimit, budget.bytesLeft) : budget.bytesLeft, byJsonLimit: json && env.jsonLimit <= budget.bytesLeft };
}

function take(budget: Budget, size: number, json: boolean, env: InputValueEnv, field: string) {
  const { cap, byJsonLimit } = capOf(budget, json, env);
  if (size > cap) throw tooLarge(field, byJsonLimit, env);
  budget.bytesLeft -= size;
}
const tooLarge = (field: string, byJsonLimit: boolean, env: InputValueEnv) =>
  badInput(field, byJsonLimit ? `JSON content larger than ${env.jsonLimit} bytes (SUBSETD_JSON_LIMIT)` : `content larger than ${env.maxBytes} bytes (SUBSETD_BODY_LIMIT, for all references of a request)`);

/** A result of a job on this server, read from its result files: no request, no loopback. */
async function readOwn(ref: { id: string; kind: string; rest: string }, linkType: string | undefined, field: string, env: InputValueEnv, budget: Budget): Promise<unknown> {
  const job = await env.store.get(ref.id);
  // Another owner's job is answered as a missing one, as GET /jobs/{id} does.
  if (!job || !canSee(env.principal, job)) throw badInput(field, `job "${ref.id}" of this server does not exist`);
  if (job.status !== 'successful') throw badInput(field, `job "${ref.id}" is ${job.status}: it has no results to read`);
  const outputs = job.outputs ?? {};
  let file;
  if (ref.kind === 'files') {
    const rel = safeDecode(ref.rest);
    file = fileOutputs(outputs).find((f) => f.file === rel);
    if (!file) throw badInput(field, `job "${job.id}" has no result file "${rel}"`);
  } else {
    const id = safeDecode(ref.rest);
    if (ref.rest.includes('/') || !(id in outputs)) throw badInput(field, `job "${job.id}" has no output "${id}"`);
    if (!isFileOutput(outputs[id])) {
      if (Array.isArray(outputs[id]) && (outputs[id] as unknown[]).some(isFileOutput)) throw badInput(field, `output "${id}" of job "${job.id}" is a list of files: refer to one of them`);
      return outputs[id];
    }
    file = outputs[id] as { file: string; type: string };
  }
  const disk = await env.files.resultFile(job.id, file.file);
  if (!disk) throw badInput(field, `result file "${file.file}" of job "${job.id}" is gone`);
  const type = linkType ?? file.type;
  take(budget, disk.size, isJsonType(type), env, field);
  return content(await readFile(disk.path), type, charsetOf(linkType), field, 'the result file');
}


function raced<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(new Error('aborted'));
    const onAbort = () => reject(new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

async function fetchRemote(url: URL, linkType: string | undefined, field: string, env: InputValueEnv, budget: Budget): Promise<unknown> {
  let address: Resolved;
  try {
    [address] = await raced(checkedAddresses(url.hostname, env.allow, env.lookup), budget.signal);
  } catch (e) {
    if (e instanceof RefusedAddressError)
      throw badInput(field, e.message.replace(/; callbacks go only to .*$/, '; references are read only from public addresses or hosts allowed by SUBSETD_CALLBACK_ALLOW_HOSTS'));
    if (budget.signal.aborted) throw e;
    throw badInput(field, `host "${url.hostname}" could not be resolved (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const t0 = Date.now();
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const req = (url.protocol === 'https:' ? https : http).request(url, {
      method: 'GET',
      agent: false,
      lookup: pinned(address),
      signal: budget.signal,
      headers: { Accept: linkType ? `${linkType}, */*;q=0.1` : '*/*', 'Accept-Encoding': 'identity', 'User-Agent': `subsetd/${VERSION}` },
    });
    req.once('response', resolve);
    req.once('error', reject);
    req.end();
  }).catch((e: NodeJS.ErrnoException) => {
    env.log?.info({ input: field, host: url.host, ms: Date.now() - t0, outcome: budget.signal.aborted ? 'timeout' : e.code ?? 'error' }, 'input read by reference');
    if (budget.signal.aborted) throw e;
    throw badInput(field, `could not be read from ${url.host}: ${e.code ?? e.message}`);
  });
  const status = res.statusCode ?? 0;
  const log = (outcome: string, bytes?: number) => env.log?.info({ input: field, host: url.host, status, bytes, ms: Date.now() - t0, outcome }, 'input read by reference');
  try {
    if (status >= 300 && status < 400) throw badInput(field, `${url.host} answered ${status} (a redirect): redirects are not followed, give the final address`);
    if (status < 200 || status >= 300) throw badInput(field, `${url.host} answered ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}`);
    const encoding = res.headers['content-encoding'];
    if (encoding && encoding.toLowerCase() !== 'identity') throw badInput(field, `${url.host} sent content encoded as "${encoding}", which is not read`);
    const resType = res.headers['content-type'];
    const json = isJsonType(linkType ?? resType ?? '');
    const { cap, byJsonLimit } = capOf(budget, json, env);
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > cap) throw tooLarge(field, byJsonLimit, env);
    const buf = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let n = 0;
      res.on('data', (c: Buffer) => {
        n += c.length;
        if (n > cap) {
          res.destroy();
          reject(tooLarge(field, byJsonLimit, env));
        } else chunks.push(c);
      });
      res.once('end', () => resolve(Buffer.concat(chunks)));
      res.once('error', reject);
      res.once('close', () => reject(badInput(field, `${url.host} closed the connection before the end of the content`)));
    });
    budget.bytesLeft -= buf.length;
    log('read', buf.length);
    return content(buf, linkType ?? resType ?? '', charsetOf(resType) ?? charsetOf(linkType), field, `the content of ${url.host}`);
  } catch (e) {
    res.destroy();
    log(budget.signal.aborted ? 'timeout' : 'failed');
    throw e;
  }
}
