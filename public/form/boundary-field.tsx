/** Country (ISO alpha-3 of the shipped admin0 set) or boundary id: found by name (/boundaries?q=) or by clicking the map. */
import { useEffect, useState } from 'preact/hooks';
import { api, type Boundary } from '../api';
import { useFormCtx } from './context';
import { MapButton } from './map-button';

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
