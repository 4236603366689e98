/**
 * New job: pick a process (?process=ID), fill the form generated from its description (or the
 * inputs of an earlier job, ?from=JOB), see the region and the cells it selects on the map, run.
 * A 400 from the server is shown next to the field it names.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, ApiProblem, type MaskPreview as Preview, type ProcessDescription, type ProcessSummary } from '../api';
import { FormContext, fieldId, type MapTarget } from '../form/context';
import { MaskPreview } from '../form/mask-preview';
import { useRegionOverlays } from '../form/regions';
import { widgetFor } from '../form/fields';
import { InputsForm, type Values } from '../form/schema-form';
import { joinAcrossAntimeridian } from '../map/basemap';
import { MapView } from '../map/lazy-map';
import type { Overlay } from '../map/map';
import { href, navigate, type Route } from '../router';
import { Empty, ProblemBox } from '../ui';

const MAP_WIDGETS = ['operations', 'bbox', 'point', 'country', 'boundary', 'polygon'];

export function NewJobView({ route }: { route: Route }) {
  const processId = route.query.get('process') ?? '';
  const from = route.query.get('from');
  const [list, setList] = useState<ProcessSummary[] | null>(null);
  const [process, setProcess] = useState<ProcessDescription | null>(null);
  const [values, setValues] = useState<Values>({});
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [loadProblem, setLoadProblem] = useState<ApiProblem | null>(null);
  const [mapTarget, setMapTarget] = useState<MapTarget | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api.processes().then(setList).catch(setLoadProblem);
  }, []);
  useEffect(() => {
    setProcess(null);
    setProblem(null);
    setMapTarget(null);
    if (!processId) return;
    api
      .process(processId)
      .then(async (p) => {
        let initial: Values = {};
        if (from) {
          const job = await api.job(from).catch(() => null);
          if (job?.inputs && job.processID === p.id) initial = job.inputs;
        }
        setValues(initial);
        setProcess(p);
        setLoadProblem(null);
      })
      .catch(setLoadProblem);
  }, [processId, from]);

  const regions = useRegionOverlays(values);
  const overlays: Overlay[] = useMemo(
    () => [...regions, ...(preview ? [{ id: `preview:${preview.cells}`, kind: 'preview' as const, geojson: joinAcrossAntimeridian(preview.geometry) }] : [])],
    [regions, preview],
  );

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!process) return;
    setBusy(true);
    try {
      const job = await api.execute(process.id, values);
      navigate(href(`jobs/${job.jobID}`));
    } catch (err) {
      const p = err as ApiProblem;
      setProblem(p);
      // Take the keyboard to the field the server named.
      if (p.field) setTimeout(() => document.getElementById(fieldId(p.field!))?.focus(), 0);
    } finally {
      setBusy(false);
    }
  };

  const spatial = process !== null && Object.entries(process.inputs).some(([n, d]) => MAP_WIDGETS.includes(widgetFor(n, d.schema, d.description)));
  return (
    <section class="view new-job">
      <header class="view-head">
        <h1>New job</h1>
        <label class="inline">
          <span>Process</span>
          <select
            value={processId}
            onChange={(e) => navigate(href('new', { process: e.currentTarget.value }), { replace: !processId })}
          >
            <option value="">choose a process…</option>
            {(list ?? []).map((p) => <option key={p.id} value={p.id}>{p.title ? `${p.title} (${p.id})` : p.id}</option>)}
          </select>
        </label>
      </header>
      <ProblemBox problem={loadProblem} />
      {!processId ? (
        <Empty title="Choose a process to run.">
          <ul class="process-list">
            {(list ?? []).map((p) => (
              <li key={p.id}>
                <a href={href('new', { process: p.id })}>{p.title ?? p.id}</a>
                <span class="muted"> {p.id}</span>
                {p.description ? <p class="muted small">{p.description}</p> : null}
              </li>
            ))}
          </ul>
        </Empty>
      ) : !process ? (
        loadProblem ? null : <p class="muted">Loading {processId}…</p>
      ) : (
        <FormContext.Provider value={{ problem, mapTarget, setMapTarget }}>
          <div class={spatial ? 'split' : ''}>
            <form class="job-form" noValidate onSubmit={submit} aria-label={`Inputs of ${process.id}`}>
              {process.description ? <p class="muted">{process.description}</p> : null}
              {from ? <p class="note">Filled in from job {from}.</p> : null}
              <InputsForm process={process} values={values} onChange={(v) => { setValues(v); }} />
              <MaskPreview values={values} onPreview={setPreview} />
              {problem ? <ProblemBox problem={problem} /> : null}
              <div class="actions">
                <button type="submit" class="primary" disabled={busy}>{busy ? 'Submitting…' : 'Run'}</button>
                <a href={href('jobs')}>Cancel</a>
              </div>
            </form>
            {spatial ? (
              <div class="map-panel">
                <MapView
                  label="Map of the job's region"
                  mode={mapTarget?.mode ?? 'none'}
                  overlays={overlays}
                  fitKey={overlays.map((o) => o.id).join('|')}
                  onBox={(b) => mapTarget?.onBox?.(b)}
                  onPoint={(lon, lat) => mapTarget?.onPoint?.(lon, lat)}
                />
                <p class="map-hint muted">
                  {mapTarget?.mode === 'bbox' ? 'Drag a box on the map.' : mapTarget ? 'Click the map.' : 'Regions you choose are drawn here; red cells are the preview.'}
                </p>
              </div>
            ) : null}
          </div>
        </FormContext.Provider>
      )}
    </section>
  );
}
