/**
 * A multipart/related body (RFC 2387) streamed part by part: OGC's raw response for several
 * outputs (/req/core/process-execute-sync-raw-value-multi, -raw-mixed-multi). File parts are
 * read from disk as the client reads, so a body of several gigabytes never sits in memory.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';

export interface Part {
  headers: Record<string, string>;
  /** Bytes, a file to stream, or nothing (a part that only points elsewhere: Content-Location). */
  body: Uint8Array | { path: string } | null;
}

export function multipartRelated(parts: Part[]): { type: string; body: ReadableStream<Uint8Array> } {
  const boundary = `subsetd-${randomBytes(12).toString('hex')}`;
  const enc = new TextEncoder();
  const head = (p: Part, first: boolean) =>
    enc.encode(`${first ? '' : '\r\n'}--${boundary}\r\n${Object.entries(p.headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
  async function* chunks() {
    for (const [i, p] of parts.entries()) {
      yield head(p, i === 0);
      if (p.body instanceof Uint8Array) yield p.body;
      else if (p.body) for await (const c of createReadStream(p.body.path)) yield new Uint8Array(c as Buffer);
    }
    yield enc.encode(`\r\n--${boundary}--\r\n`);
  }
  const it = chunks();
  const body = new ReadableStream<Uint8Array>({
    async pull(ctrl) {
      const { value, done } = await it.next();
      if (done) ctrl.close();
      else ctrl.enqueue(value);
    },
    async cancel() {
      await it.return(undefined);
    },
  });
  // `type` names the root (first) part's media type, as RFC 2387 asks.
  const root = parts[0]?.headers['Content-Type'] ?? 'application/octet-stream';
  return { type: `multipart/related; boundary=${boundary}; type="${root}"`, body };
}
