import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level: equal inputs give equal text whatever their key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const keys = Object.keys(v as object).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Identity of a computation: process id + version + normalized inputs (+ digests of uploads). */
export function dedupKey(processId: string, version: string, inputs: unknown): string {
  return createHash('sha256').update(`${processId}@${version}\n${canonicalJson(inputs)}`).digest('hex');
}
