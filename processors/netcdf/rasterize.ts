/**
 * Polygons to a cell mask on a lat/lon grid. A cell belongs to a region when its centre is
 * inside (even-odd over all rings, so holes work; the same rule as gdal_rasterize's default).
 * A region too small to contain any centre gets the cells it touches instead, so small island
 * states are never empty. Polygons may extend past ±180 (a user's 170..190 box): centres are
 * tested at lon, lon±360.
 */
import type { MultiPolygonCoords } from '../../src/regions/geojson.js';
import { mod360, type Grid } from './grid.js';

export function rasterize(parts: MultiPolygonCoords, g: Grid): Uint8Array {
  const nlat = g.lat.length;
  const nlon = g.lon.length;
  const mask = new Uint8Array(nlat * nlon);
  // Columns sorted by longitude in -180..180, for binary search of crossing spans.
  const lon180 = Array.from(g.lon, (x) => mod360(x + 180) - 180);
  const order = lon180.map((_, j) => j).sort((a, b) => lon180[a] - lon180[b]);
  const sorted = order.map((j) => lon180[j]);
  const lowerBound = (x: number) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const { x1s, y1s, x2s, y2s, start, edges } = edgesByRow(parts, g.lat);
  let count = 0;
  const xs: number[] = [];
  for (let i = 0; i < nlat; i++) {
    const y = g.lat[i];
    xs.length = 0;
    for (let q = start[i]; q < start[i + 1]; q++) {
      const e = edges[q];
      const x1 = x1s[e];
      const y1 = y1s[e];
      if (y1 > y !== y2s[e] > y) xs.push(x1 + ((y - y1) * (x2s[e] - x1)) / (y2s[e] - y1));
    }
    if (xs.length < 2) continue;
    xs.sort((a, b) => a - b);
    for (let k = 0; k + 1 < xs.length; k += 2)
      for (const shift of [-360, 0, 360]) {
        const a = Math.max(xs[k] + shift, -180);
        const b = Math.min(xs[k + 1] + shift, 180);
        if (a >= b) continue;
        for (let s = lowerBound(a); s < sorted.length && sorted[s] < b; s++) {
          const idx = i * nlon + order[s];
          if (!mask[idx]) count++;
          mask[idx] = 1;
        }
      }
  }
  if (count === 0) touched(parts, g, mask, lon180);
  return mask;
}

/**
 * The polygon edges as flat arrays, and for each grid row the edges whose latitude span may
 * contain it (rows sorted by latitude, each edge binary-searched into its span): a row looks at
 * its few crossing candidates instead of every edge (Canada at 0.5°: 11,573 edges × 360 rows).
 * The crossing test and the intersection are the same expressions as before, so masks are
 * bit-identical; the candidate span is taken inclusive and the exact test decides.
 */
function edgesByRow(parts: MultiPolygonCoords, lat: Float64Array) {
  let n = 0;
  for (const p of parts) for (const r of p) n += Math.max(0, r.length - 1);
  const x1s = new Float64Array(n);
  const y1s = new Float64Array(n);
  const x2s = new Float64Array(n);
  const y2s = new Float64Array(n);
  let e = 0;
  for (const p of parts)
    for (const r of p)
      for (let k = 0; k < r.length - 1; k++, e++) {
        x1s[e] = r[k][0];
        y1s[e] = r[k][1];
        x2s[e] = r[k + 1][0];
        y2s[e] = r[k + 1][1];
      }
  const nlat = lat.length;
  const rows = Array.from(lat, (_, i) => i).sort((a, b) => lat[a] - lat[b]);
  const sortedLat = Float64Array.from(rows, (i) => lat[i]);
  const first = (y: number) => {
    let lo = 0;
    let hi = nlat;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sortedLat[mid] < y) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  // Two passes (count, then fill) into one flat array: start[i]..start[i + 1] are row i's edges.
  const span = (k: number): [number, number] => {
    const lo = Math.min(y1s[k], y2s[k]);
    const hi = Math.max(y1s[k], y2s[k]);
    let a = first(lo);
    let b = a;
    while (b < nlat && sortedLat[b] <= hi) b++;
    return [a, b];
  };
  const start = new Int32Array(nlat + 1);
  for (let k = 0; k < n; k++) {
    const [a, b] = span(k);
    for (let s = a; s < b; s++) start[rows[s] + 1]++;
  }
  for (let i = 0; i < nlat; i++) start[i + 1] += start[i];
  const fill = start.slice(0, nlat);
  const edges = new Int32Array(start[nlat]);
  for (let k = 0; k < n; k++) {
    const [a, b] = span(k);
    for (let s = a; s < b; s++) edges[fill[rows[s]]++] = k;
  }
  return { x1s, y1s, x2s, y2s, start, edges };
}

/** Cells whose rectangle an edge passes through or a vertex lies in (edges sampled finely). */
function touched(parts: MultiPolygonCoords, g: Grid, mask: Uint8Array, lon180: number[]) {
  const nlon = g.lon.length;
  const step = Math.min(Math.abs(g.lat[1] - g.lat[0]) || 1, 360 / nlon) / 4;
  const cell = (x: number, y: number) => {
    let bi = 0;
    for (let i = 1; i < g.lat.length; i++) if (Math.abs(g.lat[i] - y) < Math.abs(g.lat[bi] - y)) bi = i;
    let bj = 0;
    const xx = mod360(x + 180) - 180;
    const dist = (j: number) => Math.min(Math.abs(lon180[j] - xx), 360 - Math.abs(lon180[j] - xx));
    for (let j = 1; j < nlon; j++) if (dist(j) < dist(bj)) bj = j;
    mask[bi * nlon + bj] = 1;
  };
  for (const r of parts.flat())
    for (let k = 0; k < r.length - 1; k++) {
      const [x1, y1] = r[k];
      const [x2, y2] = r[k + 1];
      const n = Math.max(1, Math.ceil(Math.hypot(x2 - x1, y2 - y1) / step));
      for (let s = 0; s <= n; s++) cell(x1 + ((x2 - x1) * s) / n, y1 + ((y2 - y1) * s) / n);
    }
}
