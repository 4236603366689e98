/**
 * The console's map: OpenLayers on a plain lon/lat view (EPSG:4326, so NetCDF grid cells are
 * square), a vector basemap from the shipped world-atlas countries (no tile server), overlays
 * given as GeoJSON, and one interaction at a time: draw a box, click a point, or pick a place.
 */
import OlMap from 'ol/Map';
import View from 'ol/View';
import VectorLayer from 'ol/layer/Vector';
import VectorSource from 'ol/source/Vector';
import GeoJSONFormat from 'ol/format/GeoJSON';
import Draw, { createBox } from 'ol/interaction/Draw';
import { defaults as defaultControls } from 'ol/control/defaults';
import { always } from 'ol/events/condition';
import { Fill, Stroke, Style, Circle as CircleStyle } from 'ol/style';
import { useEffect, useRef } from 'preact/hooks';
import type { GeoJSON } from '../api';
import { loadBasemap } from './basemap';

export type MapMode = 'none' | 'bbox' | 'point' | 'pick';
export interface Overlay { id: string; geojson: GeoJSON; kind: 'region' | 'preview' | 'point' }

export interface MapProps {
  label: string;
  mode?: MapMode;
  overlays?: Overlay[];
  onBox?: (bbox: [number, number, number, number]) => void;
  onPoint?: (lon: number, lat: number) => void;
  /** Fit the view to the overlays whenever this key changes. */
  fitKey?: string;
}

const format = new GeoJSONFormat();

/** Longitude into -180..180 (a click or box on a wrapped copy of the world). */
export function wrapLon(x: number): number {
  const w = ((((x + 180) % 360) + 360) % 360) - 180;
  return w === -180 && x > 0 ? 180 : w;
}
const round = (v: number) => Math.round(v * 1e4) / 1e4;

function cssVar(el: Element, name: string, fallback: string): string {
  return getComputedStyle(el).getPropertyValue(name).trim() || fallback;
}

function styles(el: Element) {
  const accent = cssVar(el, '--accent', '#2563eb');
  const preview = cssVar(el, '--map-preview', '#dc2626');
  return {
    land: new Style({ fill: new Fill({ color: cssVar(el, '--map-land', '#e5e7eb') }), stroke: new Stroke({ color: cssVar(el, '--map-border', '#9ca3af'), width: 0.6 }) }),
    region: new Style({ fill: new Fill({ color: 'rgba(37, 99, 235, 0.15)' }), stroke: new Stroke({ color: accent, width: 2 }) }),
    preview: new Style({ fill: new Fill({ color: 'rgba(220, 38, 38, 0.35)' }), stroke: new Stroke({ color: preview, width: 1 }) }),
    point: new Style({ image: new CircleStyle({ radius: 6, fill: new Fill({ color: accent }), stroke: new Stroke({ color: '#fff', width: 2 }) }) }),
  };
}

export function MapView({ label, mode = 'none', overlays = [], onBox, onPoint, fitKey }: MapProps) {
  const el = useRef<HTMLDivElement>(null);
  const state = useRef<{ map: OlMap; overlay: VectorSource; draw: Draw | null; st: ReturnType<typeof styles> } | null>(null);
  const handlers = useRef({ onBox, onPoint, mode });
  handlers.current = { onBox, onPoint, mode };

  useEffect(() => {
    const target = el.current!;
    const st = styles(target);
    const base = new VectorSource({ wrapX: true });
    const overlay = new VectorSource({ wrapX: true });
    const map = new OlMap({
      target,
      controls: defaultControls({ rotate: false, attribution: false }),
      layers: [
        new VectorLayer({ source: base, style: () => state.current?.st.land ?? st.land }),
        new VectorLayer({ source: overlay, style: (f) => (state.current?.st ?? st)[f.get('kind') as 'region' | 'preview' | 'point'] ?? st.region }),
      ],
      view: new View({ projection: 'EPSG:4326', center: [10, 20], zoom: 1.6, minZoom: 0, maxZoom: 14, showFullExtent: true }),
    });
    state.current = { map, overlay, draw: null, st };
    // OpenLayers' zoom buttons are named "+" and "–" by their text; give them words.
    target.querySelector('.ol-zoom-in')?.setAttribute('aria-label', 'Zoom in');
    target.querySelector('.ol-zoom-out')?.setAttribute('aria-label', 'Zoom out');

    loadBasemap().then((geo) => base.addFeatures(format.readFeatures(geo))).catch(() => target.classList.add('no-basemap'));
    map.on('moveend', () => {
      target.dataset.extent = map.getView().calculateExtent(map.getSize()).map((v) => v.toFixed(4)).join(',');
    });
    map.on('singleclick', (e) => {
      const h = handlers.current;
      if (h.mode === 'point' || h.mode === 'pick') h.onPoint?.(round(wrapLon(e.coordinate[0])), round(e.coordinate[1]));
    });
    // Follow the system's light/dark setting.
    const mq = matchMedia('(prefers-color-scheme: dark)');
    const restyle = () => {
      if (!state.current) return;
      state.current.st = styles(target);
      map.getAllLayers().forEach((l) => l.changed());
    };
    mq.addEventListener('change', restyle);
    // The whole world at first, once the element has its size (fitKey then zooms to regions).
    let shown = false;
    const ro = new ResizeObserver(() => {
      map.updateSize();
      if (!shown && target.clientWidth > 0 && target.clientHeight > 0) {
        shown = true;
        if (overlay.isEmpty()) map.getView().fit([-180, -60, 180, 85]);
      }
    });
    ro.observe(target);
    return () => {
      mq.removeEventListener('change', restyle);
      ro.disconnect();
      map.setTarget(undefined);
      state.current = null;
    };
  }, []);

  // The box-drawing interaction exists only in bbox mode.
  useEffect(() => {
    const s = state.current;
    if (!s) return;
    if (s.draw) s.map.removeInteraction(s.draw);
    s.draw = null;
    if (mode !== 'bbox') return;
    // Press and drag draws the box (click, click works too); the map pans again after drawing.
    const draw = new Draw({ source: new VectorSource(), type: 'Circle', geometryFunction: createBox(), freehandCondition: always });
    draw.on('drawend', (e) => {
      const [x0, y0, x1, y1] = e.feature.getGeometry()!.getExtent();
      const wide = x1 - x0 >= 360;
      handlers.current.onBox?.([wide ? -180 : round(wrapLon(x0)), round(Math.max(-90, y0)), wide ? 180 : round(wrapLon(x1)), round(Math.min(90, y1))]);
    });
    s.map.addInteraction(draw);
    s.draw = draw;
  }, [mode]);

  const overlayKey = overlays.map((o) => o.id).join('|');
  useEffect(() => {
    const s = state.current;
    if (!s) return;
    s.overlay.clear();
    for (const o of overlays) {
      const feats = format.readFeatures(o.geojson);
      feats.forEach((f) => f.set('kind', o.kind));
      s.overlay.addFeatures(feats);
    }
  }, [overlayKey]);

  useEffect(() => {
    const s = state.current;
    if (!s || !fitKey || s.overlay.isEmpty()) return;
    const ext = s.overlay.getExtent();
    if (!ext) return;
    s.map.getView().fit(ext, { padding: [30, 30, 30, 30], maxZoom: 6, duration: 0 });
  }, [fitKey, overlayKey]);

  return <div ref={el} class={`map mode-${mode}`} role="application" aria-label={label} tabIndex={0} />;
}
