/** A polygon given as a dropped or chosen file: GeoJSON, or a zipped shapefile read in the browser. */
import { useState } from 'preact/hooks';
import { readPolygonFile } from './polygon-file';

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
