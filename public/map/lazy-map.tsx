/**
 * The map, loaded when a view first shows one: OpenLayers is most of the console's code, and
 * the jobs list (the first page most people open) needs none of it.
 */
import { useEffect, useState } from 'preact/hooks';
import type { MapProps } from './map';

type MapModule = typeof import('./map');
let loading: Promise<MapModule> | null = null;

export function MapView(props: MapProps) {
  const [mod, setMod] = useState<MapModule | null>(null);
  useEffect(() => {
    let live = true;
    loading ??= import('./map');
    loading.then((m) => live && setMod(() => m)).catch(() => (loading = null));
    return () => {
      live = false;
    };
  }, []);
  if (!mod) return <div class="map" role="application" aria-label={props.label} aria-busy="true" />;
  return <mod.MapView {...props} />;
}
