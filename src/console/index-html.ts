/**
 * The console's index.html with the request's base filled in: `<base href="<prefix>/ui/">` (so
 * every relative asset and route resolves under the proxy's sub-path) and
 * `<meta name="subsetd-api" content="<prefix>">` (where the API is). Existing tags of those
 * names are replaced, missing ones added at the top of <head>; no inline script is involved.
 * The file is read again only when it changes (a rebuilt dist/public).
 */
import { readFileSync, statSync } from 'node:fs';

let cached: { key: string; html: string } | null = null;

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** null when the console has not been built (no index.html). */
export function readIndex(file: string): string | null {
  let st;
  try {
    st = statSync(file);
  } catch {
    return null;
  }
  const key = `${st.mtimeMs}:${st.size}:${st.ino}`;
  if (cached?.key !== key) cached = { key, html: readFileSync(file, 'utf8') };
  return cached.html;
}

export function fillIndex(html: string, prefix: string): string {
  const base = `<base href="${escapeAttr(`${prefix}/ui/`)}">`;
  const meta = `<meta name="subsetd-api" content="${escapeAttr(prefix)}">`;
  let out = html.replace(/<base\b[^>]*>/i, () => base);
  const hadBase = out !== html;
  const before = out;
  out = out.replace(/<meta\s+name=["']?subsetd-api["']?[^>]*>/i, () => meta);
  const hadMeta = out !== before;
  const add = `${hadBase ? '' : base}${hadMeta ? '' : meta}`;
  // <base> must come before any element with a URL; the top of <head> is before all of them.
  return add ? out.replace(/<head\b[^>]*>/i, (h) => `${h}${add}`) : out;
}

/** The API's path prefix from the link base: '' at the root, '/api' behind the shipped nginx site. */
export function prefixOf(base: string): string {
  try {
    return new URL(base).pathname.replace(/\/+$/, '');
  } catch {
    // A Host / X-Forwarded-Host that is no host name: the links are broken anyway, the page need not 500.
    return '';
  }
}
