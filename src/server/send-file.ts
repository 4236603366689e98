/**
 * Sends a result file with HTTP Range support (the ISIMIP client resumes downloads with Range),
 * or hands it to nginx with X-Accel-Redirect when SUBSETD_ACCEL_REDIRECT is set.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { Context } from 'hono';

export interface FileInfo {
  path: string;
  size: number;
  mtime: Date;
  /** Path below the results dir, for X-Accel-Redirect. */
  rel: string;
  type: string;
  downloadName: string;
}

export function sendFile(c: Context, f: FileInfo, accelPrefix: string): Response {
  const headers = new Headers({
    'Content-Type': f.type,
    'Content-Disposition': `attachment; filename="${f.downloadName.replace(/["\\\r\n]/g, '_')}"`,
    'Last-Modified': f.mtime.toUTCString(),
    'Accept-Ranges': 'bytes',
    ETag: `"${f.size.toString(16)}-${f.mtime.getTime().toString(16)}"`,
  });
  if (accelPrefix) {
    // nginx serves the bytes (and Range) from its internal location; we only authorised it.
    headers.set('X-Accel-Redirect', accelPrefix.replace(/\/?$/, '/') + f.rel.split('/').map(encodeURIComponent).join('/'));
    return new Response(null, { status: 200, headers });
  }
  const range = parseRange(c.req.header('range'), f.size);
  if (range === 'invalid') {
    headers.set('Content-Range', `bytes */${f.size}`);
    return new Response(null, { status: 416, headers });
  }
  const [start, end] = range ?? [0, f.size - 1];
  headers.set('Content-Length', String(f.size === 0 ? 0 : end - start + 1));
  if (range) headers.set('Content-Range', `bytes ${start}-${end}/${f.size}`);
  if (c.req.method === 'HEAD' || f.size === 0) return new Response(null, { status: range ? 206 : 200, headers });
  const body = Readable.toWeb(createReadStream(f.path, { start, end })) as ReadableStream;
  return new Response(body, { status: range ? 206 : 200, headers });
}

/** Single byte ranges only (what download resumers send); multi-range falls back to the whole file. */
function parseRange(h: string | undefined, size: number): [number, number] | null | 'invalid' {
  if (!h) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(h.trim());
  if (!m || (!m[1] && !m[2])) return null;
  let start: number;
  let end: number;
  if (!m[1]) {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
  }
  if (start >= size || start > end) return 'invalid';
  return [start, end];
}
