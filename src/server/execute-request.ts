/**
 * The members of an OGC execute request besides `inputs` (Part 1 1.0, execute.yaml): which
 * `outputs` to return and how (`transmissionMode`), and the `response` form. Checked before the
 * job exists, so a bad value is a 400 naming the member and nothing is queued.
 *
 * What is stored is what the client asked, not defaults: each output's transmission is resolved
 * when results are rendered (src/server/results-response.ts), by what the output turned out to be
 * (a file or a JSON value), and so is the default `response`.
 */
import type { ProcessDescription } from '../processes/types.js';
import { badInput } from './problem.js';

export type Transmission = 'value' | 'reference';

export interface ResultShape {
  /** Absent: chosen when rendering (/req/core/default-response). */
  response?: 'raw' | 'document';
  /** Absent: every output, each in its default transmission. A value of null: its default. */
  outputs?: Record<string, Transmission | null>;
}

const MODES = ['value', 'reference'];

export function parseResultShape(body: Record<string, unknown>, d: ProcessDescription): ResultShape {
  const shape: ResultShape = {};
  if (body.response !== undefined) {
    if (body.response !== 'raw' && body.response !== 'document') throw badInput('response', 'must be "raw" or "document"');
    shape.response = body.response;
  }
  if (body.outputs !== undefined) {
    const o = body.outputs;
    if (!o || typeof o !== 'object' || Array.isArray(o)) throw badInput('outputs', 'must be an object: output id -> {"transmissionMode": "value" | "reference"}');
    const known = Object.keys(d.outputs);
    const picked: Record<string, Transmission | null> = {};
    for (const [id, spec] of Object.entries(o as Record<string, unknown>)) {
      if (!known.includes(id)) throw badInput(`outputs.${id}`, `process "${d.id}" has no output "${id}"; its outputs are ${known.join(', ')}`);
      if (!spec || typeof spec !== 'object' || Array.isArray(spec)) throw badInput(`outputs.${id}`, 'must be an object, e.g. {"transmissionMode": "reference"}');
      const s = spec as Record<string, unknown>;
      if (s.transmissionMode !== undefined && !MODES.includes(s.transmissionMode as string)) throw badInput(`outputs.${id}.transmissionMode`, 'must be "value" or "reference"');
      if (s.format !== undefined) checkFormat(s.format, id, d);
      picked[id] = (s.transmissionMode as Transmission | undefined) ?? null;
    }
    // An empty object asks for no output: only a raw response can carry that (204, no links).
    shape.outputs = picked;
  }
  return shape;
}

/** `format.mediaType`, when given, must be the one the output is produced in: we convert nothing. */
function checkFormat(format: unknown, id: string, d: ProcessDescription) {
  if (!format || typeof format !== 'object' || Array.isArray(format)) throw badInput(`outputs.${id}.format`, 'must be an object, e.g. {"mediaType": "application/zip"}');
  const want = (format as Record<string, unknown>).mediaType;
  if (want === undefined) return;
  if (typeof want !== 'string') throw badInput(`outputs.${id}.format.mediaType`, 'must be a string');
  const schema = d.outputs[id].schema as { contentMediaType?: string; items?: { contentMediaType?: string } };
  const has = schema.contentMediaType ?? schema.items?.contentMediaType;
  if (has && has.toLowerCase() !== want.toLowerCase()) throw badInput(`outputs.${id}.format.mediaType`, `output "${id}" is produced as ${has} only`);
}

/** The part of the shape that makes two requests different jobs (null: none, as before). */
export const shapeIdentity = (s: ResultShape) => (s.response === undefined && s.outputs === undefined ? null : s);
