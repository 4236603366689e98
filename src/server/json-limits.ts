/**
 * Limits on JSON request bodies, checked before any schema validation. JSON.parse itself copes
 * with deep nesting, but ajv, canonical JSON and the processors walk values recursively and would
 * overflow the stack (a 500); and a large body of tiny arrays costs ~15x its size in heap
 * (100 MB of `[0,0],` is 1.4 GB), so JSON bodies have their own, smaller size limit than uploads.
 */

/** Deeper than any real request (a GeoJSON FeatureCollection inside `inputs` is ~8 levels). */
export const MAX_JSON_DEPTH = 64;

/**
 * The path (e.g. `inputs.polygon.coordinates[0][0]…`) of the first value nested deeper than
 * `max`, or null. Recursive but bounded by `max` itself, so the check cannot overflow the
 * stack; the path is only built, while unwinding, for the value that fails.
 */
export function tooDeep(value: unknown, max = MAX_JSON_DEPTH): string | null {
  const keys = deeper(value, 0, max);
  if (!keys) return null;
  let out = '';
  for (const k of keys.reverse()) out += typeof k === 'number' ? `[${k}]` : out ? `.${k}` : k;
  return out || 'body';
}

function deeper(v: unknown, depth: number, max: number): Array<string | number> | null {
  if (depth >= max) return [];
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (x === null || typeof x !== 'object') continue;
      const r = deeper(x, depth + 1, max);
      if (r) return (r.push(i), r);
    }
  } else {
    for (const k in v as object) {
      const x = (v as Record<string, unknown>)[k];
      if (x === null || typeof x !== 'object') continue;
      const r = deeper(x, depth + 1, max);
      if (r) return (r.push(k), r);
    }
  }
  return null;
}

/** The named field, shortened: the first few levels say where, the rest is noise. */
export function shortPath(path: string, segments = 4): string {
  const parts = path.match(/[^.[\]]+|\[\d+\]/g) ?? [path];
  if (parts.length <= segments) return path;
  let out = '';
  for (const p of parts.slice(0, segments)) out += p.startsWith('[') || !out ? p : `.${p}`;
  return `${out}…`;
}
