/**
 * Reads a POST as isimip-files-api does: a JSON body, or multipart/form-data with the JSON in the
 * part named `data` and every other file part an upload named by its field. Also the job id:
 * SHA-1 of the request including the uploads' bytes, so a repeated request finds its job.
 */
import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import { canonicalJson } from '../processes/canonical.js';
import { MAX_JSON_DEPTH, shortPath, tooDeep } from '../server/json-limits.js';
import type { AppEnv } from '../server/context.js';
import type { ErrorMap } from './validate.js';

export interface Upload {
  name: string;
  bytes: Uint8Array;
}

export interface IsimipRequest {
  data: unknown;
  uploads: Upload[];
}

const MALFORMED: ErrorMap = { data: ['Provided json data is malformatted'] };

/** Upload names become file names in the job's upload dir: nothing that could leave it. */
export function uploadNameError(name: string): string | null {
  if (!/^[A-Za-z0-9_.-]{1,255}$/.test(name)) return `only letters, numbers, hyphens, underscores, and periods are permitted in the name of upload "${name}"`;
  if (name.includes('..') || name === '.') return `consecutive periods are not permitted in the name of upload "${name}"`;
  return null;
}

type Failed = { errors: ErrorMap; status?: 413 };

export async function readRequest(c: Context<AppEnv>): Promise<{ request: IsimipRequest } | Failed> {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  if (type.startsWith('multipart/form-data')) {
    let form: Record<string, unknown>;
    try {
      form = await c.req.parseBody({ all: true });
    } catch {
      return { errors: { data: ['Provided multipart data is malformatted'] } };
    }
    let data: unknown = null;
    const uploads: Upload[] = [];
    const errors: string[] = [];
    for (const [field, value] of Object.entries(form)) {
      const values = Array.isArray(value) ? value : [value];
      if (field === 'data') {
        // requests' `files={'data': json.dumps(...)}` sends it as a file part; a form field works too.
        const v = values[0];
        const text = typeof v === 'string' ? v : v instanceof Blob ? await v.text() : '';
        const parsed = parseJson(text, c.var.deps.config.jsonLimit);
        if ('errors' in parsed) return parsed;
        data = parsed.value;
        continue;
      }
      const file = values.find((v): v is File => v instanceof Blob);
      if (!file) continue; // plain form fields are not uploads (Flask's request.files ignores them too)
      const bad = uploadNameError(field);
      if (bad) errors.push(bad);
      else uploads.push({ name: field, bytes: new Uint8Array(await file.arrayBuffer()) });
    }
    if (errors.length) return { errors: { uploads: errors } };
    return { request: { data, uploads } };
  }
  const parsed = parseJson(await c.req.text(), c.var.deps.config.jsonLimit);
  if ('errors' in parsed) return parsed;
  return { request: { data: parsed.value, uploads: [] } };
}

/** JSON with the same size and depth limits as the OGC routes (json-limits.ts), in ISIMIP's error shape. */
function parseJson(text: string, limit: number): { value: unknown } | Failed {
  if (text.trim() === '') return { value: null };
  // 413 as on every route (SUBSETD_JSON_LIMIT); uploads are limited by SUBSETD_BODY_LIMIT.
  if (text.length > limit) return { errors: { data: [`Provided json data is larger than ${limit} bytes (SUBSETD_JSON_LIMIT)`] }, status: 413 };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { errors: MALFORMED };
  }
  const deep = tooDeep(value);
  return deep === null ? { value } : { errors: { data: [`Provided json data is nested deeper than ${MAX_JSON_DEPTH} levels at ${shortPath(deep, 6)}`] } };
}

/** Key order of the JSON and order of the parts do not change the id; any byte of an upload does. */
export function requestId(req: IsimipRequest): string {
  const h = createHash('sha1').update(canonicalJson(req.data));
  for (const u of [...req.uploads].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    h.update(`\0${u.name}\0${u.bytes.byteLength}\0`).update(u.bytes);
  }
  return h.digest('hex');
}

/** Digests of the uploads: part of the job's dedup identity, beside its inputs. */
export function uploadDigests(uploads: Upload[]): Record<string, string> {
  return Object.fromEntries(uploads.map((u) => [u.name, createHash('sha256').update(u.bytes).digest('hex')]));
}
