import type { Context } from 'hono';
import type { AppEnv } from './context.js';
import { MAX_JSON_DEPTH, shortPath, tooDeep } from './json-limits.js';
import { ApiError, PROBLEM } from './problem.js';

/**
 * Parses a JSON request body; malformed, too large or too deeply nested JSON is the client's
 * error (400/413/415), never a 500.
 */
export async function readJsonBody(c: Context<AppEnv>): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (type && !/^application\/([\w.+-]*\+)?json\b/i.test(type))
    throw new ApiError(415, PROBLEM.invalidInput, 'Unsupported media type', `expected application/json, got "${type}"`, { field: 'content-type' });
  const text = await c.req.text();
  return parseJsonText(text, c.var.deps.config.jsonLimit);
}

/** JSON.parse with the size and depth limits of json-limits.ts, as ApiErrors naming the field. */
export function parseJsonText(text: string, limit: number): unknown {
  if (text.length > limit)
    throw new ApiError(413, PROBLEM.tooLarge, 'Payload too large', `JSON request body exceeds ${limit} bytes (SUBSETD_JSON_LIMIT); send large regions as an uploaded file`, { field: 'body' });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ApiError(400, PROBLEM.invalidInput, 'Malformed JSON', `request body is not valid JSON: ${(e as Error).message}`, { field: 'body' });
  }
  const deep = tooDeep(value);
  if (deep !== null) throw new ApiError(400, PROBLEM.invalidInput, 'JSON nested too deeply', `${shortPath(deep, 6)}: nested deeper than ${MAX_JSON_DEPTH} levels`, { field: shortPath(deep, 2).replace(/…$/, '') });
  return value;
}
