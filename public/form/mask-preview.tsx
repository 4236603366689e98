/**
 * Before running: exactly which grid cells of the chosen NetCDF file a mask or box selects
 * (POST /preview/mask, the same rasterization the job uses), drawn on the map.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiProblem, type MaskPreview as Preview, type Region } from '../api';
import { findRegions, previewRegion } from './regions';
import type { Values } from './schema-form';

const isNetcdf = (p: unknown): p is string => typeof p === 'string' && /\.(nc|nc4|netcdf|cdf)$/i.test(p);

/** The NetCDF file and region a preview would use, or null when the inputs name none. */
export function previewRequest(values: Values): { path: string; region: Region; variable?: string } | null {
  const paths = Array.isArray(values.paths) ? values.paths : [values.dataset];
  const path = paths.find(isNetcdf);
  if (!path) return null;
  for (const f of findRegions(values)) {
    const region = previewRegion(f);
    if (region) return { path, region, ...(typeof values.variable === 'string' ? { variable: values.variable } : {}) };
  }
  return null;
}

export function MaskPreview({ values, onPreview }: { values: Values; onPreview: (p: Preview | null) => void }) {
  const req = previewRequest(values);
  const key = JSON.stringify(req);
  const [result, setResult] = useState<Preview | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    setResult(null);
    setProblem(null);
    onPreview(null);
  }, [key]);
  if (!req) return null;
  return (
    <div class="preview" aria-live="polite">
      <button
        type="button"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          try {
            const r = await api.previewMask(req);
            setResult(r);
            setProblem(null);
            onPreview(r);
          } catch (e) {
            setProblem(e as ApiProblem);
            onPreview(null);
          } finally {
            setBusy(false);
          }
        }}
      >
        {busy ? 'Previewing…' : 'Preview selected cells'}
      </button>
      {result ? (
        <span class="preview-result" data-testid="preview-cells" data-cells={result.cells}>
          {result.cells.toLocaleString()} cells of {req.path.split('/').pop()} selected
        </span>
      ) : null}
      {problem ? <span class="field-error">{problem.status === 404 ? 'This server has no mask preview.' : problem.detail ?? problem.title}</span> : null}
    </div>
  );
}
