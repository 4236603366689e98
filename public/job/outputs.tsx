/** A finished job's outputs: file links with name, size, media type and download; plain values as JSON. */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiProblem, sameOrigin } from '../api';
import { bytes, ProblemBox } from '../ui';

interface FileLink { name: string; href: string; type?: string; title?: string }

/** File links in a results document (single or in arrays), and the plain values beside them. */
function splitResults(doc: Record<string, unknown>): { files: FileLink[]; values: Record<string, unknown> } {
  const files: FileLink[] = [];
  const values: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) {
    const items = Array.isArray(v) ? v : [v];
    const links = items.filter((x): x is { href: string; type?: string; title?: string } => !!x && typeof x === 'object' && typeof (x as { href?: unknown }).href === 'string');
    if (links.length && links.length === items.length) links.forEach((l) => files.push({ name: k, ...l }));
    // A JSON object comes qualified ({value, mediaType}, OGC 1.0's results schema): show the value.
    else values[k] = v && typeof v === 'object' && !Array.isArray(v) && 'value' in v && 'mediaType' in v ? (v as { value: unknown }).value : v;
  }
  return { files, values };
}

function fileName(l: FileLink): string {
  return decodeURIComponent(new URL(l.href, location.href).pathname.split('/').pop() ?? l.name);
}

export function Outputs({ id }: { id: string }) {
  const [doc, setDoc] = useState<Record<string, unknown> | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [sizes, setSizes] = useState<Record<string, number>>({});
  useEffect(() => {
    api.results(id).then(setDoc).catch(setProblem);
  }, [id]);
  const { files, values } = doc ? splitResults(doc) : { files: [], values: {} };
  useEffect(() => {
    for (const f of files) api.fileSize(sameOrigin(f.href)).then((n) => n !== null && setSizes((s) => ({ ...s, [f.href]: n })));
  }, [doc]);
  if (problem) return <ProblemBox problem={problem} />;
  if (!doc) return <p class="muted">Loading results…</p>;
  const zips = files.filter((f) => /zip/.test(f.type ?? ''));
  return (
    <>
      {zips.length ? (
        <p class="zip">
          {zips.map((z) => (
            <a key={z.href} class="button primary" href={sameOrigin(z.href)} download={fileName(z)}>Download all ({fileName(z)}, {bytes(sizes[z.href])})</a>
          ))}
        </p>
      ) : null}
      {files.length ? (
        <table class="outputs">
          <thead>
            <tr><th scope="col">Output</th><th scope="col">File</th><th scope="col">Size</th><th scope="col">Media type</th><th scope="col"><span class="sr-only">Download</span></th></tr>
          </thead>
          <tbody>
            {files.map((f) => (
              <tr key={f.href}>
                <td>{f.name}</td>
                <td class="mono">{fileName(f)}</td>
                <td class="num">{bytes(sizes[f.href])}</td>
                <td class="mono small">{f.type}</td>
                <td><a class="button" href={sameOrigin(f.href)} download={fileName(f)} aria-label={`Download ${fileName(f)}`}>Download</a></td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {Object.keys(values).length ? <pre class="json" aria-label="Result values">{JSON.stringify(values, null, 2)}</pre> : null}
      {!files.length && !Object.keys(values).length ? <p class="muted">This job produced no outputs.</p> : null}
    </>
  );
}
