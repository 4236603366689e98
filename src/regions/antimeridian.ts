/**
 * Compact longitudes for regions that cross the antimeridian. Parts cut at ±180 (Natural Earth,
 * RFC 7946) are shifted by +360 where that closes the largest gap, so Russia becomes
 * 19°E..191°E (172° wide) instead of a 360°-wide window. Longitudes above 180 are kept: GDAL
 * reads them against a source repeated around the globe (see src/gdal/ops/wrap-vrt.ts).
 */
import type { MultiPolygonCoords, PolygonCoords } from './geojson.js';

export type Bbox = [number, number, number, number]; // west, south, east, north; east may exceed 180

function lonRange(p: PolygonCoords): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const [x] of p[0]) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return [lo, hi];
}

function shift(p: PolygonCoords, dx: number): PolygonCoords {
  return dx === 0 ? p : p.map((r) => r.map(([x, y]) => [x + dx, y] as [number, number]));
}

/** Each part is first brought to start in [-180, 180); then the largest empty arc decides the seam. */
export function compactRegion(parts: MultiPolygonCoords): { parts: MultiPolygonCoords; bbox: Bbox } {
  const norm = parts.map((p) => {
    const [lo] = lonRange(p);
    const k = Math.floor((lo + 180) / 360);
    return shift(p, -360 * k);
  });
  const ranges = norm.map(lonRange).map(([lo, hi], i) => ({ lo, hi, i })).sort((a, b) => a.lo - b.lo);
  // Merge overlapping arcs, then find the widest gap (including the one that wraps around).
  const merged: Array<{ lo: number; hi: number }> = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r.lo <= last.hi) last.hi = Math.max(last.hi, r.hi);
    else merged.push({ lo: r.lo, hi: r.hi });
  }
  let bestGap = merged[0].lo + 360 - merged[merged.length - 1].hi; // the wrap-around gap
  let start = merged[0].lo;
  for (let k = 1; k < merged.length; k++) {
    const gap = merged[k].lo - merged[k - 1].hi;
    if (gap > bestGap) {
      bestGap = gap;
      start = merged[k].lo;
    }
  }
  const out = norm.map((p) => (lonRange(p)[0] < start ? shift(p, 360) : p));
  return { parts: out, bbox: bboxOf(out) };
}

export function bboxOf(parts: MultiPolygonCoords): Bbox {
  const b: Bbox = [Infinity, Infinity, -Infinity, -Infinity];
  for (const p of parts)
    for (const [x, y] of p[0]) {
      if (x < b[0]) b[0] = x;
      if (y < b[1]) b[1] = y;
      if (x > b[2]) b[2] = x;
      if (y > b[3]) b[3] = y;
    }
  return b;
}

/** A bbox as a polygon; west > east means it crosses the antimeridian (OGC convention). */
export function bboxRegion([w, s, e, n]: Bbox): MultiPolygonCoords {
  const east = e < w ? e + 360 : e;
  return [[[[w, s], [east, s], [east, n], [w, n], [w, s]]]];
}
