/**
 * A successful job's results as its execute request asked (OGC Part 1 1.0, 7.11.4 and 7.13.3):
 * the chosen `outputs`, each by value or by reference, as a JSON results `document` or `raw`.
 * Both the synchronous execute and GET /jobs/{id}/results answer through here, the latter with
 * the request stored in the job's meta (`meta.results`).
 *
 * Defaults, when the request leaves them out: every output; a file by reference (a link to its
 * download), a JSON value by value; `raw` when one output is returned by value to a synchronous
 * request, else `document` (/req/core/default-response, OGC's reading of 1.0's default) — so an
 * async client always gets JSON it can parse, and a sync "give me the echo" gets the echo.
 */
import { readFile } from 'node:fs/promises';
import type { LinkSigner } from '../auth/signed-links.js';
import type { JobFiles } from '../jobs/job-files.js';
import type { Context } from 'hono';
import { isFileOutput } from '../jobs/outputs.js';
import type { FileOutput } from '../processes/types.js';
import type { JobRecord } from '../stores/job-store.js';
import type { AppEnv } from './context.js';
import type { ResultShape, Transmission } from './execute-request.js';
import { JSON_TYPE } from './links.js';
import { multipartRelated, type Part } from './multipart.js';
import { badInput } from './problem.js';
import { sendFile } from './send-file.js';

/** Above this, a file is not base64'd into a JSON document: ask for a reference or for raw. */
export const MAX_EMBED_BYTES = 32 << 20;

interface Item {
  id: string;
  value: unknown;
  mode: Transmission;
}

const files = (v: unknown): FileOutput[] | null =>
  isFileOutput(v) ? [v] : Array.isArray(v) && v.length > 0 && v.every(isFileOutput) ? (v as FileOutput[]) : null;

export function chosenOutputs(job: JobRecord, shape: ResultShape): Item[] {
  const outputs = job.outputs ?? {};
  const ids = shape.outputs ? Object.keys(shape.outputs) : Object.keys(outputs);
  return ids
    .filter((id) => id in outputs)
    .map((id) => ({ id, value: outputs[id], mode: shape.outputs?.[id] ?? (files(outputs[id]) ? 'reference' : 'value') }));
}

/** Where the links of a results document point, and how result files are found. */
export interface LinkEnv {
  base: string;
  signer: LinkSigner | null;
  resultFile: JobFiles['resultFile'];
}

function linkers(job: JobRecord, env: LinkEnv) {
  const href = (path: string) => (env.signer ? env.signer.sign(`${env.base}${path}`, path) : `${env.base}${path}`);
  return {
    fileHref: (f: FileOutput) => href(`/jobs/${encodeURIComponent(job.id)}/files/${f.file.split('/').map(encodeURIComponent).join('/')}`),
    valueHref: (id: string) => href(`/jobs/${encodeURIComponent(job.id)}/results/${encodeURIComponent(id)}`),
    onDisk: async (f: FileOutput) => {
      const r = await env.resultFile(job.id, f.file);
      if (!r) throw new Error(`result file ${f.file} of job ${job.id} is missing`);
      return r;
    },
  };
}

/** The JSON results document (also what a callback's successUri receives). */
export async function resultsDocument(job: JobRecord, shape: ResultShape, env: LinkEnv): Promise<Record<string, unknown>> {
  const { fileHref, valueHref, onDisk } = linkers(job, env);
  const doc: Record<string, unknown> = {};
  let embedded = 0;
  for (const it of chosenOutputs(job, shape)) {
    const fs = files(it.value);
    if (it.mode === 'reference') {
      const links = fs ? fs.map((f) => ({ href: fileHref(f), type: f.type, title: f.title ?? f.file })) : [{ href: valueHref(it.id), type: JSON_TYPE, title: it.id }];
      doc[it.id] = isFileOutput(it.value) || !fs ? links[0] : links;
    } else if (fs) {
      // 1.0's qualified value: the bytes base64'd, with their media type.
      const vals = [];
      for (const f of fs) {
        const disk = await onDisk(f);
        embedded += disk.size;
        if (embedded > MAX_EMBED_BYTES)
          throw badInput(`outputs.${it.id}.transmissionMode`, `"value" embeds the files in JSON, up to ${MAX_EMBED_BYTES >> 20} MiB; these are larger: ask for "reference", or for response "raw"`);
        vals.push({ value: (await readFile(disk.path)).toString('base64'), encoding: 'base64', mediaType: f.type });
      }
      doc[it.id] = isFileOutput(it.value) ? vals[0] : vals;
    } else {
      // A bare value, except an object, which 1.0's results schema only takes qualified.
      doc[it.id] = it.value !== null && typeof it.value === 'object' && !Array.isArray(it.value) ? { value: it.value, mediaType: JSON_TYPE } : it.value;
    }
  }
  return doc;
}

export interface RenderOptions {
  shape: ResultShape;
  /** The execute request was answered synchronously (decides the default `response`). */
  sync: boolean;
  base: string;
  headers?: Record<string, string>;
}

export async function renderResults(c: Context<AppEnv>, job: JobRecord, o: RenderOptions): Promise<Response> {
  const items = chosenOutputs(job, o.shape);
  const response = o.shape.response ?? (o.sync && items.length === 1 && items[0].mode === 'value' ? 'raw' : 'document');
  const deps = c.get('deps');
  const env: LinkEnv = { base: o.base, signer: c.get('links'), resultFile: (id, rel) => deps.files.resultFile(id, rel) };
  if (response === 'document') return c.json(await resultsDocument(job, o.shape, env), 200, o.headers);
  const { fileHref, valueHref, onDisk } = linkers(job, env);

  // raw, everything by reference: no body, one Link per output (/req/core/process-execute-sync-raw-ref).
  if (items.every((it) => it.mode === 'reference')) {
    const links = items.flatMap((it) =>
      (files(it.value) ?? [null]).map((f) => `<${f ? fileHref(f) : valueHref(it.id)}>; rel="${it.id}"; type="${f ? f.type : JSON_TYPE}"`),
    );
    const h = new Headers(o.headers);
    for (const l of links) h.append('Link', l);
    return new Response(null, { status: 204, headers: h });
  }

  // raw, one output by value: its bytes with its media type (/req/core/process-execute-sync-raw-value-one).
  if (items.length === 1 && (files(items[0].value)?.length ?? 1) <= 1) {
    const it = items[0];
    const f = files(it.value)?.[0];
    if (!f) return c.body(JSON.stringify(it.value), 200, { ...o.headers, 'Content-Type': JSON_TYPE });
    const disk = await onDisk(f);
    const res = sendFile(c, { ...disk, rel: `${job.id}/${f.file}`, type: f.type, downloadName: f.file.split('/').pop()! }, deps.config.accelRedirect);
    for (const [k, v] of Object.entries(o.headers ?? {})) res.headers.set(k, v);
    return res;
  }

  // raw, several parts: one per output (one per file of a list), by value or as a pointer.
  const parts: Part[] = [];
  for (const it of items) {
    const fs = files(it.value);
    if (!fs) {
      parts.push(
        it.mode === 'value'
          ? { headers: { 'Content-ID': `<${it.id}>`, 'Content-Type': JSON_TYPE }, body: new TextEncoder().encode(JSON.stringify(it.value)) }
          : { headers: { 'Content-ID': `<${it.id}>`, 'Content-Type': JSON_TYPE, 'Content-Location': valueHref(it.id) }, body: null },
      );
      continue;
    }
    for (const f of fs) {
      const headers = { 'Content-ID': `<${it.id}>`, 'Content-Type': f.type };
      parts.push(it.mode === 'value' ? { headers, body: { path: (await onDisk(f)).path } } : { headers: { ...headers, 'Content-Location': fileHref(f) }, body: null });
    }
  }
  const mp = multipartRelated(parts);
  return c.body(mp.body, 200, { ...o.headers, 'Content-Type': mp.type });
}
