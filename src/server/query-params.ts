/**
 * The rule for query parameters, the same on every route:
 * - a parameter the API defines as a list (OGC's `status`, `processID`, which may also repeat)
 *   may appear several times; any other parameter given twice is a 400 naming it, because which
 *   of `?limit=1&limit=1000` a server takes differs between servers and proxies (parameter
 *   pollution: a proxy or signature check may see the first, the route the last);
 * - unknown parameters are ignored, as OGC API - Processes does not forbid them and clients add
 *   their own (OWSLib's `f=json`, cache-busters like `_=<time>`);
 * - a parameter name or value that is not valid percent-encoding, or holds a NUL byte, is a 400.
 */
import type { MiddlewareHandler } from 'hono';
import { badParameter } from './problem.js';

/** Parameters defined as lists (explode or comma-separated). */
export const REPEATABLE_PARAMS = new Set(['status', 'processID', 'type']);

function decode(raw: string, what: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    throw badParameter(what, 'is not valid percent-encoding');
  }
}

/** Throws the 400 for the first broken or repeated parameter of a query string ('' = none). */
export function checkQuery(search: string): void {
  if (!search) return;
  const seen = new Set<string>();
  for (const pair of search.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const name = decode(eq < 0 ? pair : pair.slice(0, eq), 'query');
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1), name);
    if (name.includes('\0') || value.includes('\0')) throw badParameter(name.replace(/\0/g, '\\0') || 'query', 'contains a NUL byte');
    if (seen.has(name) && !REPEATABLE_PARAMS.has(name)) throw badParameter(name, 'is given more than once; give it once');
    seen.add(name);
  }
}

export function queryParamRules(): MiddlewareHandler {
  return async (c, next) => {
    const url = c.req.url;
    const q = url.indexOf('?');
    if (q >= 0) checkQuery(url.slice(q + 1).split('#')[0]);
    await next();
  };
}

/** A whole-number parameter within [min, max]; absent or empty: `def`. */
export function intParam(v: string | undefined, name: string, def: number, min: number, max: number): number {
  if (v === undefined || v === '') return def;
  if (!/^\d+$/.test(v)) throw badParameter(name, `"${v}" is not a whole number`);
  const n = Number(v);
  if (n < min || n > max) throw badParameter(name, `must be between ${min} and ${max}`);
  return n;
}
