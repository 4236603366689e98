/**
 * Spatial widgets: a box drawn on the map (or typed), a point clicked (or typed), a country or
 * boundary found by name or by clicking the map, a polygon dropped as GeoJSON or zipped shapefile.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type Boundary } from '../api';
import { fieldId, useFormCtx } from './context';
import { readPolygonFile } from './polygon-file';

function MapButton({ path, mode, label, onBox, onPoint }: { path: string; mode: 'bbox' | 'point' | 'pick'; label: string; onBox?: (b: [number, number, number, number]) => void; onPoint?: (lon: number, lat: number) => void }) {
  const { mapTarget, setMapTarget } = useFormCtx();
  const active = mapTarget?.path === path;
  // A field that goes away (another operation chosen) takes its map interaction with it.
  const live = useRef({ mapTarget, setMapTarget });
  live.current = { mapTarget, setMapTarget };
  useEffect(() => () => {
    if (live.current.mapTarget?.path === path) live.current.setMapTarget(null);
  }, []);
  return (
    <button type="button" class={active ? 'active' : ''} aria-pressed={active} onClick={() => setMapTarget(active ? null : { path, mode, onBox, onPoint })}>
      {active ? (mode === 'bbox' ? 'Drag on the map… (click to stop)' : 'Click the map… (click to stop)') : label}
    </button>
  );
}

const num = (s: string) => (s.trim() === '' || !Number.isFinite(Number(s)) ? s : Number(s));

export function BboxField({ path, value, onChange }: { path: string; value: unknown; onChange: (v: unknown) => void }) {
  const v = Array.isArray(value) ? value : [undefined, undefined, undefined, undefined];
  const { setMapTarget } = useFormCtx();
  const names = ['west', 'south', 'east', 'north'];
  return (
    <div class="geo-field">
      <div class="coords">
        {names.map((n, i) => (
          <label key={n} class="coord">
            <span>{n}</span>
            <input
              type="text"
              inputMode="decimal"
              id={i === 0 ? fieldId(path) : undefined}
              value={v[i] === undefined ? '' : String(v[i])}
              onInput={(e) => {
                const next = [...v];
                next[i] = num(e.currentTarget.value);
                onChange(next.every((x) => x === undefined || x === '') ? undefined : next);
              }}
            />
          </label>
        ))}
      </div>
      <MapButton
        path={path}
        mode="bbox"
        label="Draw box on map"
        onBox={(b) => {
          onChange(b);
          setMapTarget(null);
        }}
      />
    </div>
  );
}

export function PointField({ path, value, onChange }: { path: string; value: unknown; onChange: (v: unknown) => void }) {
  const c = (value as { coordinates?: unknown[] } | undefined)?.coordinates ?? [];
  const { setMapTarget } = useFormCtx();
  const set = (lon: unknown, lat: unknown) => onChange(lon === undefined && lat === undefined ? undefined : { type: 'Point', coordinates: [lon, lat] });
  return (
    <div class="geo-field">
      <div class="coords">
        <label class="coord">
          <span>lon</span>
          <input id={fieldId(path)} type="text" inputMode="decimal" value={c[0] === undefined ? '' : String(c[0])} onInput={(e) => set(num(e.currentTarget.value), c[1])} />
        </label>
        <label class="coord">
          <span>lat</span>
          <input type="text" inputMode="decimal" value={c[1] === undefined ? '' : String(c[1])} onInput={(e) => set(c[0], num(e.currentTarget.value))} />
        </label>
      </div>
      <MapButton
        path={path}
        mode="point"
        label="Click on map"
        onPoint={(lon, lat) => {
          set(lon, lat);
          setMapTarget(null);
        }}
      />
    </div>
  );
}

/** Country (ISO alpha-3 of the shipped admin0 set) or any boundary id: search by name, or click the map. */
export function BoundaryField({ id, path, country, value, onChange }: { id: string; path: string; country: boolean; value: unknown; onChange: (v: unknown) => void }) {
  const [q, setQ] = useState(typeof value === 'string' ? value : '');
  const [hits, setHits] = useState<Boundary[]>([]);
  const [name, setName] = useState<string>('');
  const [note, setNote] = useState('');
  // Search only what the user types (not a value filled in from an earlier job).
  const [typing, setTyping] = useState(false);
  const { setMapTarget } = useFormCtx();
  useEffect(() => {
    if (typeof value === 'string' && value !== q && !name) setQ(value);
  }, [value]);
  useEffect(() => {
    const term = q.trim();
    if (!typing || term.length < 2) {
      setHits([]);
      return;
    }
    const t = setTimeout(() => api.boundaries(term).then((b) => setHits(b.filter((x) => !country || x.set === 'admin0'))).catch(() => setHits([])), 150);
    return () => clearTimeout(t);
  }, [q]);
  const choose = (b: Boundary) => {
    onChange(b.id);
    setName(b.name);
    setQ(b.name);
    setHits([]);
    setNote('');
    setTyping(false);
  };
  return (
    <div class="geo-field">
      <div class="combo">
        <input
          id={id}
          type="search"
          aria-expanded={hits.length > 0}
          aria-controls={`${id}-list`}
          aria-autocomplete="list"
          placeholder={country ? 'Country name or ISO code' : 'Boundary name or id'}
          value={q}
          onInput={(e) => {
            const t = e.currentTarget.value;
            setQ(t);
            setName('');
            setTyping(true);
            // A typed code is used as is; the server checks it.
            onChange(t.trim() === '' ? undefined : country && /^[A-Za-z]{3}$/.test(t.trim()) ? t.trim().toUpperCase() : t.trim());
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && hits.length) {
              e.preventDefault();
              choose(hits[0]);
            }
          }}
        />
        {hits.length ? (
          <ul class="combo-list" id={`${id}-list`} role="listbox" aria-label="Matching boundaries">
            {hits.map((b) => (
              <li key={`${b.set}/${b.id}`} role="option" aria-selected={false}>
                <button type="button" onClick={() => choose(b)}>
                  {b.name} <span class="muted">{b.id}{b.set !== 'admin0' ? ` · ${b.set}` : ''}</span>
                </button>
              </li>
            ))}
          </ul>
        ) : null}
      </div>
      {typeof value === 'string' && value ? <span class="chip" data-testid="boundary-value">{name ? `${name} (${value})` : value}</span> : null}
      <MapButton
        path={path}
        mode="pick"
        label={country ? 'Pick country on map' : 'Pick on map'}
        onPoint={(lon, lat) =>
          api.boundariesAt(lon, lat).then((b) => {
            const hit = b.find((x) => !country || x.set === 'admin0');
            if (hit) {
              choose(hit);
              setMapTarget(null);
            }
            else setNote(`No ${country ? 'country' : 'boundary'} at ${lon}, ${lat}.`);
          })
        }
      />
      {note ? <span class="field-hint warn">{note}</span> : null}
    </div>
  );
}

export function PolygonField({ id, value, onChange }: { id: string; value: unknown; onChange: (v: unknown) => void }) {
  const [msg, setMsg] = useState('');
  const [over, setOver] = useState(false);
  const read = async (file: File | undefined) => {
    if (!file) return;
    try {
      const g = await readPolygonFile(file);
      onChange(g);
      setMsg(`${file.name}: ${g.type === 'FeatureCollection' ? `${(g.features as unknown[]).length} features` : g.type}`);
    } catch (e) {
      setMsg(`${file.name}: ${(e as Error).message}`);
    }
  };
  return (
    <div
      class={`drop${over ? ' over' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        read(e.dataTransfer?.files[0]);
      }}
    >
      <span>Drop a GeoJSON file or a zipped shapefile here, or </span>
      <input id={id} type="file" accept=".geojson,.json,.zip,application/geo+json,application/zip" onChange={(e) => read(e.currentTarget.files?.[0])} />
      {msg ? <span class="field-hint">{msg}</span> : null}
      {value ? (
        <button type="button" class="link" onClick={() => { onChange(undefined); setMsg(''); }}>
          Remove polygon
        </button>
      ) : null}
    </div>
  );
}
