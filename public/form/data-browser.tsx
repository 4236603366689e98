/**
 * Input paths chosen in a browser of the server's data root (GET /data, GET /data/info), or typed.
 * Folders open in place; files are picked (one, or several for a list input); a picked NetCDF
 * file shows its variables, grid and time range.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiProblem, type DataEntry, type DataInfo } from '../api';
import { bytes, Time } from '../ui';

function asList(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return typeof v === 'string' && v ? [v] : [];
}

export function DataInfoSummary({ info }: { info: DataInfo }) {
  if (info.format === 'netcdf' && info.grid) {
    const g = info.grid;
    return (
      <div class="data-info">
        <span>{info.variables?.map((v) => `${v.name}${v.units ? ` [${v.units}]` : ''}`).join(', ')}</span>
        <span>
          grid {g.nlon}×{g.nlat}, {g.dlon}°×{g.dlat}°, lon {g.west}…{g.east}{g.lon0360 ? ' (0..360)' : ''}, lat {g.latOrder}
        </span>
        {info.time ? <span>time {info.time.start?.slice(0, 10)} … {info.time.end?.slice(0, 10)} ({info.time.steps} steps)</span> : null}
      </div>
    );
  }
  if (info.format === 'raster') return <div class="data-info"><span>{info.width}×{info.height} px, {info.crs}, {info.bands?.length ?? 0} band(s)</span></div>;
  return <div class="data-info"><span>{info.format}{info.layers ? `, ${info.layers.length} layer(s)` : ''}</span></div>;
}

export function DataPathField({ id, multiple, value, onChange, label }: { id: string; multiple: boolean; value: unknown; onChange: (v: unknown) => void; label: string }) {
  const picked = asList(value);
  const [dir, setDir] = useState('');
  const [entries, setEntries] = useState<DataEntry[] | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [info, setInfo] = useState<DataInfo | null>(null);
  const [typed, setTyped] = useState('');

  useEffect(() => {
    setEntries(null);
    api.data(dir).then((r) => { setEntries(r.entries); setProblem(null); }).catch((e: ApiProblem) => setProblem(e));
  }, [dir]);
  const last = picked[picked.length - 1];
  useEffect(() => {
    setInfo(null);
    if (last) api.dataInfo(last).then(setInfo).catch(() => setInfo(null));
  }, [last]);

  const set = (list: string[]) => onChange(list.length ? (multiple ? list : list[0]) : undefined);
  const toggle = (p: string) => set(picked.includes(p) ? picked.filter((x) => x !== p) : multiple ? [...picked, p] : [p]);
  const crumbs = dir ? dir.split('/') : [];

  return (
    <div class="data-browser">
      <nav class="crumbs" aria-label={`${label}: folder`}>
        <button type="button" class="link" onClick={() => setDir('')}>data root</button>
        {crumbs.map((c, i) => (
          <span key={i}>
            {' / '}
            <button type="button" class="link" onClick={() => setDir(crumbs.slice(0, i + 1).join('/'))}>{c}</button>
          </span>
        ))}
      </nav>
      {problem ? (
        <p class="field-hint warn">
          {problem.status === 404 && !dir ? 'This server has no data browser; type the path below.' : `${problem.title}${problem.detail ? `: ${problem.detail}` : ''}`}
        </p>
      ) : entries === null ? (
        <p class="muted">Loading…</p>
      ) : entries.length === 0 ? (
        <p class="empty-inline">
          {dir ? 'This folder is empty.' : 'No data yet. Put files under the server\u2019s data root (SUBSETD_DATA_ROOT), or run `subsetd sample-data` there for a sample NetCDF, GeoTIFF and vector layer.'}
        </p>
      ) : (
        <ul class="entries" aria-label={`${label}: files`}>
          {dir ? (
            <li>
              <button type="button" class="entry dir" onClick={() => setDir(crumbs.slice(0, -1).join('/'))}>..</button>
            </li>
          ) : null}
          {entries.map((e) => (
            <li key={e.path}>
              {e.type === 'dir' ? (
                <button type="button" class="entry dir" onClick={() => setDir(e.path)}>{e.name}/</button>
              ) : (
                <label class={`entry file${picked.includes(e.path) ? ' picked' : ''}`}>
                  <input type={multiple ? 'checkbox' : 'radio'} name={id} checked={picked.includes(e.path)} onChange={() => toggle(e.path)} />
                  <span class="entry-name">{e.name}</span>
                  <span class="muted">{e.format ?? ''}</span>
                  <span class="muted num">{bytes(e.size)}</span>
                  <span class="muted">{e.modified ? <Time iso={e.modified} /> : null}</span>
                </label>
              )}
            </li>
          ))}
        </ul>
      )}
      <div class="typed">
        <input
          id={id}
          type="text"
          aria-label={`${label}: type a path below the data root`}
          placeholder="or type a path below the data root"
          value={typed}
          onInput={(e) => setTyped(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              if (typed.trim()) set(multiple ? [...picked, typed.trim()] : [typed.trim()]);
              setTyped('');
            }
          }}
        />
        <button type="button" onClick={() => { if (typed.trim()) set(multiple ? [...picked, typed.trim()] : [typed.trim()]); setTyped(''); }}>Add</button>
      </div>
      {picked.length ? (
        <ul class="chips" aria-label={`${label}: chosen`}>
          {picked.map((p) => (
            <li key={p} class="chip">
              {p}
              <button type="button" class="link" aria-label={`Remove ${p}`} onClick={() => toggle(p)}>×</button>
            </li>
          ))}
        </ul>
      ) : null}
      {info ? <DataInfoSummary info={info} /> : null}
    </div>
  );
}
