/** Planar and spherical measures of lon/lat polygons, in plain JavaScript (no GDAL in the API process). */
import type { MultiPolygonCoords, Ring } from '../regions/geojson.js';

const R_KM = 6371.0088;

/** Point in ring by ray casting (lon/lat treated as planar, like the raster cutline itself). */
function inRing(x: number, y: number, r: Ring): boolean {
  let inside = false;
  for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
    const [xi, yi] = r[i];
    const [xj, yj] = r[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export function containsPoint(parts: MultiPolygonCoords, lon: number, lat: number): boolean {
  for (const lonTry of [lon, lon + 360, lon - 360])
    for (const p of parts) if (inRing(lonTry, lat, p[0]) && !p.slice(1).some((h) => inRing(lonTry, lat, h))) return true;
  return false;
}

/** Area of a ring on the sphere, km², whatever its winding (the smaller of the two sides). */
function ringAreaKm2(r: Ring): number {
  // Spherical excess by the trapezoid formula (as in d3-geo / Chamberlain & Duquette).
  let sum = 0;
  const rad = Math.PI / 180;
  for (let i = 0; i < r.length - 1; i++) {
    const [x1, y1] = r[i];
    const [x2, y2] = r[i + 1];
    sum += (x2 - x1) * rad * (2 + Math.sin(y1 * rad) + Math.sin(y2 * rad));
  }
  let a = Math.abs((sum * R_KM * R_KM) / 2);
  const sphere = 4 * Math.PI * R_KM * R_KM;
  if (a > sphere / 2) a = sphere - a;
  return a;
}

export function areaKm2(parts: MultiPolygonCoords): number {
  let a = 0;
  for (const p of parts) {
    a += ringAreaKm2(p[0]);
    for (const h of p.slice(1)) a -= ringAreaKm2(h);
  }
  return Math.max(0, a);
}

/** Case- and accent-insensitive form for name search. */
export function foldName(s: string): string {
  return s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().trim();
}
