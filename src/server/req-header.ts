/**
 * A request header read from Node's IncomingMessage when @hono/node-server passes it (c.env),
 * instead of c.req.header(), which builds a whole Headers object from the request on first use:
 * ~3 µs of every GET /jobs/{id}, whose only reads are Accept and Host. Node keeps the first of
 * duplicated singleton headers (Host) and joins the others with ", ", as Headers.get() does.
 * Elsewhere (app.request() in tests) it falls back to c.req.header().
 */
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

export function reqHeader(c: Context, name: string): string | undefined {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming) return c.req.header(name);
  const v = incoming.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}
