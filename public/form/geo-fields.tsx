/** Coordinate widgets: a box drawn on the map (or typed) and a point clicked (or typed). */
import { fieldId, useFormCtx } from './context';
import { MapButton } from './map-button';

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
