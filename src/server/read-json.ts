import type { Context } from 'hono';
import { ApiError, PROBLEM } from './problem.js';

/** Parses a JSON request body; malformed JSON is the client's error (400), never a 500. */
export async function readJsonBody(c: Context): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (type && !/^application\/([\w.+-]*\+)?json\b/i.test(type))
    throw new ApiError(415, PROBLEM.invalidInput, 'Unsupported media type', `expected application/json, got "${type}"`, { field: 'content-type' });
  const text = await c.req.text();
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ApiError(400, PROBLEM.invalidInput, 'Malformed JSON', `request body is not valid JSON: ${(e as Error).message}`, { field: 'body' });
  }
}
