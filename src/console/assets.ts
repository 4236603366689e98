/**
 * Static files of the built console (dist/public/assets): only plain names below that folder
 * (no `..`, no hidden files, symlinks must stay inside), the right media type, immutable caching
 * for content-hashed names (esbuild's `name-HASH8.ext`), revalidation for the rest. Compressible
 * files are sent compressed: a precompressed sibling (`.br`, `.gz`) if the build wrote one, else
 * compressed once here and kept (the assets do not change while the server runs; keyed by mtime).
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { Lru } from '../data-browser/lru.js';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};
const COMPRESSIBLE = new Set(['.js', '.mjs', '.css', '.json', '.map', '.html', '.svg', '.txt']);
const HASHED = /-[A-Z0-9]{8}\.[a-z0-9]+$/;

export interface Asset {
  body: Buffer;
  headers: Record<string, string>;
}

const compressed = new Lru<Buffer>(64);

/** Decoded path segments of a URL path below the assets folder, or null if any is not a plain name. */
export function assetSegments(rawPath: string): string[] | null {
  const parts = rawPath.split('/');
  const out: string[] = [];
  for (const p of parts) {
    let s;
    try {
      s = decodeURIComponent(p);
    } catch {
      return null;
    }
    if (!s || s.startsWith('.') || /[\\/\0]/.test(s)) return null;
    out.push(s);
  }
  return out.length ? out : null;
}

/** The asset, or null when there is none by that name (404). */
export function readAsset(dir: string, segments: string[], acceptEncoding: string): Asset | null {
  let real: string;
  let root: string;
  try {
    root = realpathSync(dir);
    real = realpathSync(join(root, ...segments));
  } catch {
    return null;
  }
  const r = relative(root, real);
  if (!r || r.startsWith(`..${sep}`) || r === '..') return null;
  const st = statSync(real);
  if (!st.isFile()) return null;
  const ext = extname(real).toLowerCase();
  const name = segments[segments.length - 1];
  const headers: Record<string, string> = {
    'Content-Type': TYPES[ext] ?? 'application/octet-stream',
    'Cache-Control': HASHED.test(name) ? 'public, max-age=31536000, immutable' : 'no-cache',
    ETag: `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`,
    'Last-Modified': st.mtime.toUTCString(),
  };
  if (!COMPRESSIBLE.has(ext) || st.size < 1024) return { body: readFileSync(real), headers };
  headers.Vary = 'Accept-Encoding';
  const enc = /\bbr\b/.test(acceptEncoding) ? 'br' : /\bgzip\b/.test(acceptEncoding) ? 'gzip' : null;
  if (!enc) return { body: readFileSync(real), headers };
  const key = `${real}\0${st.mtimeMs}\0${st.size}\0${enc}`;
  let body = compressed.get(key);
  if (!body) {
    body = precompressed(real, enc, st.mtimeMs) ?? (enc === 'br' ? brotliCompressSync(readFileSync(real), { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } }) : gzipSync(readFileSync(real), { level: 9 }));
    compressed.set(key, body);
  }
  headers['Content-Encoding'] = enc;
  headers.ETag = headers.ETag.replace(/"$/, `-${enc}"`);
  return { body, headers };
}

function precompressed(file: string, enc: 'br' | 'gzip', mtimeMs: number): Buffer | null {
  const f = `${file}.${enc === 'br' ? 'br' : 'gz'}`;
  try {
    return statSync(f).mtimeMs >= mtimeMs ? readFileSync(f) : null;
  } catch {
    return null;
  }
}
