/**
 * Whether a request for `/` wants the console (HTML) or the JSON landing page. HTML only when
 * the client names text/html (or XHTML) with a higher weight than anything that would match
 * application/json: a browser does, while `*\/*`, `application/json` or no Accept at all (curl,
 * OWSLib, the ISIMIP client) keep getting JSON, as do ties. `?f=html` / `?f=json` (the OGC
 * parameter) decide on their own.
 */
interface Range {
  type: string;
  q: number;
}

function parseAccept(h: string): Range[] {
  return h
    .split(',')
    .map((part) => {
      const [type, ...params] = part.trim().toLowerCase().split(';');
      const qp = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const q = qp ? Number(qp.slice(2)) : 1;
      return { type: type.trim(), q: Number.isFinite(q) ? Math.min(1, Math.max(0, q)) : 0 };
    })
    .filter((r) => r.type);
}

/** Weight of the most specific range matching `type` (RFC 9110 12.5.1), 0 if none. */
function weight(ranges: Range[], type: string): number {
  const [major] = type.split('/');
  const exact = ranges.find((r) => r.type === type);
  if (exact) return exact.q;
  const sub = ranges.find((r) => r.type === `${major}/*`);
  if (sub) return sub.q;
  return ranges.find((r) => r.type === '*/*')?.q ?? 0;
}

export function wantsHtml(accept: string | undefined, f?: string): boolean {
  if (f === 'html') return true;
  if (f === 'json') return false;
  if (!accept) return false;
  const ranges = parseAccept(accept);
  const html = Math.max(...['text/html', 'application/xhtml+xml'].map((t) => ranges.find((r) => r.type === t)?.q ?? 0));
  return html > 0 && html > weight(ranges, 'application/json');
}
