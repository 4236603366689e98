/** The button that hands the shared map to one spatial field (box, point or pick) until it is done. */
import { useEffect, useRef } from 'preact/hooks';
import { useFormCtx } from './context';

export function MapButton({ path, mode, label, onBox, onPoint }: { path: string; mode: 'bbox' | 'point' | 'pick'; label: string; onBox?: (b: [number, number, number, number]) => void; onPoint?: (lon: number, lat: number) => void }) {
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
