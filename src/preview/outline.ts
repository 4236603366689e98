/**
 * The outline of selected grid cells as a small GeoJSON MultiPolygon: each row's cells merged
 * into runs, and runs with the same span in consecutive rows merged into one rectangle. Drawn in
 * −180..180 (a 0..360 file's eastern half comes out west of Greenwich), so a map shows it where
 * the data is; a region across the antimeridian becomes rectangles on both sides of it.
 */
import { mod360, type Grid } from '../../processors/netcdf/grid.js';

type Rect = [number, number, number, number]; // west, south, east, north

/** Cell edges of an axis: midpoints between centres, the ends extended by half a step. */
function edges(centres: ArrayLike<number>): Float64Array {
  const n = centres.length;
  const e = new Float64Array(n + 1);
  if (n === 1) {
    e[0] = centres[0] - 0.5;
    e[1] = centres[0] + 0.5;
    return e;
  }
  for (let i = 1; i < n; i++) e[i] = (centres[i - 1] + centres[i]) / 2;
  e[0] = centres[0] - (e[1] - centres[0]);
  e[n] = centres[n - 1] + (centres[n - 1] - e[n - 1]);
  return e;
}

/** `mask` over the full grid, row-major in file order (1 = selected). */
export function outline(g: Grid, mask: Uint8Array): { type: 'MultiPolygon'; coordinates: number[][][][] } {
  const nlon = g.lon.length;
  const lon180 = Array.from(g.lon, (x) => mod360(x + 180) - 180);
  const cols = lon180.map((_, j) => j).sort((a, b) => lon180[a] - lon180[b]);
  const lonEdges = edges(cols.map((j) => lon180[j]));
  const rows = Array.from(g.lat, (_, i) => i).sort((a, b) => g.lat[a] - g.lat[b]);
  const latEdges = edges(rows.map((i) => g.lat[i]));
  const step = lonEdges.length > 2 ? Math.abs(lonEdges[2] - lonEdges[1]) : 360;
  const done: Rect[] = [];
  let open = new Map<string, Rect>();
  for (let r = 0; r < rows.length; r++) {
    const next = new Map<string, Rect>();
    const base = rows[r] * nlon;
    let k = 0;
    while (k < cols.length) {
      if (!mask[base + cols[k]]) {
        k++;
        continue;
      }
      const k0 = k;
      // A run continues over sorted neighbours that are also neighbours on the ground.
      while (k + 1 < cols.length && mask[base + cols[k + 1]] && lon180[cols[k + 1]] - lon180[cols[k]] < 1.5 * step) k++;
      const key = `${k0}:${k}`;
      const prev = open.get(key);
      const south = Math.max(-90, latEdges[r]);
      const north = Math.min(90, latEdges[r + 1]);
      if (prev && Math.abs(prev[3] - south) < 1e-9) {
        prev[3] = north;
        next.set(key, prev);
        open.delete(key);
      } else next.set(key, [Math.max(-180, lonEdges[k0]), south, Math.min(180, lonEdges[k + 1]), north]);
      k++;
    }
    for (const rect of open.values()) done.push(rect);
    open = next;
  }
  for (const rect of open.values()) done.push(rect);
  const r6 = (x: number) => Math.round(x * 1e6) / 1e6;
  return {
    type: 'MultiPolygon',
    coordinates: done.map(([w, s, e, n]) => [[[r6(w), r6(s)], [r6(e), r6(s)], [r6(e), r6(n)], [r6(w), r6(n)], [r6(w), r6(s)]]]),
  };
}
