/**
 * The regions a set of process inputs names (any process: found by the input names the schemas
 * use: bbox, point, polygon, country, boundary + boundarySet), as map overlays. Used by the form
 * (what is being drawn) and by the job view (where the job cut).
 */
import { useEffect, useState } from 'preact/hooks';
import { api, type GeoJSON, type Region } from '../api';
import { bboxPolygon, joinAcrossAntimeridian, pointGeometry } from '../map/basemap';
import type { Overlay } from '../map/map';

export type Found =
  | { kind: 'bbox'; bbox: number[]; path: string }
  | { kind: 'point'; lon: number; lat: number; path: string }
  | { kind: 'polygon'; geojson: GeoJSON; path: string }
  | { kind: 'boundary'; set: string; id: string; path: string };

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function findRegions(value: unknown, path = 'inputs'): Found[] {
  if (!value || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => findRegions(v, `${path}.${i}`));
  const o = value as Record<string, unknown>;
  const out: Found[] = [];
  for (const [k, v] of Object.entries(o)) {
    const p = `${path}.${k}`;
    if (k === 'bbox' && Array.isArray(v) && v.length === 4 && v.every(isNum)) out.push({ kind: 'bbox', bbox: v, path: p });
    else if (k === 'point' && v && typeof v === 'object' && Array.isArray((v as GeoJSON).coordinates) && (v as GeoJSON).coordinates.every(isNum))
      out.push({ kind: 'point', lon: (v as GeoJSON).coordinates[0], lat: (v as GeoJSON).coordinates[1], path: p });
    else if (k === 'polygon' && v && typeof v === 'object' && typeof (v as GeoJSON).type === 'string') out.push({ kind: 'polygon', geojson: v as GeoJSON, path: p });
    else if (k === 'country' && typeof v === 'string' && /^[A-Za-z]{3}$/.test(v)) out.push({ kind: 'boundary', set: 'admin0', id: v.toUpperCase(), path: p });
    else if (k === 'boundary' && typeof v === 'string' && v) out.push({ kind: 'boundary', set: typeof o.boundarySet === 'string' && o.boundarySet ? o.boundarySet : 'admin0', id: v, path: p });
    else if (v && typeof v === 'object') out.push(...findRegions(v, p));
  }
  return out;
}

/** The region of a found item in the form POST /preview/mask takes. */
export function previewRegion(f: Found): Region | null {
  if (f.kind === 'bbox') return { bbox: f.bbox };
  if (f.kind === 'polygon') return { polygon: f.geojson };
  if (f.kind === 'boundary') return f.set === 'admin0' && /^[A-Z]{3}$/.test(f.id) ? { country: f.id } : { boundary: f.id };
  return null;
}

const boundaryCache = new Map<string, Promise<GeoJSON | null>>();
function boundaryGeometry(set: string, id: string): Promise<GeoJSON | null> {
  const key = `${set}/${id}`;
  let p = boundaryCache.get(key);
  if (!p) {
    p = api.boundary(set, id).then((f) => joinAcrossAntimeridian(f.geometry)).catch(() => null);
    boundaryCache.set(key, p);
  }
  return p;
}

/** Map overlays for the regions in `inputs` (boundaries fetched by id). */
export function useRegionOverlays(inputs: unknown): Overlay[] {
  const found = findRegions(inputs);
  const key = JSON.stringify(found);
  const [overlays, setOverlays] = useState<Overlay[]>([]);
  useEffect(() => {
    let live = true;
    Promise.all(
      found.map(async (f): Promise<Overlay | null> => {
        const id = `${f.path}:${JSON.stringify(f).length}:${f.kind === 'boundary' ? f.id : ''}${f.kind === 'bbox' ? f.bbox.join(',') : ''}${f.kind === 'point' ? `${f.lon},${f.lat}` : ''}`;
        if (f.kind === 'bbox') return { id, kind: 'region', geojson: bboxPolygon(f.bbox) };
        if (f.kind === 'point') return { id, kind: 'point', geojson: pointGeometry(f.lon, f.lat) };
        if (f.kind === 'polygon') return { id: `${id}:${JSON.stringify(f.geojson).length}`, kind: 'region', geojson: f.geojson };
        const g = await boundaryGeometry(f.set, f.id);
        return g ? { id, kind: 'region', geojson: g } : null;
      }),
    ).then((list) => live && setOverlays(list.filter((o): o is Overlay => o !== null)));
    return () => {
      live = false;
    };
  }, [key]);
  return overlays;
}
