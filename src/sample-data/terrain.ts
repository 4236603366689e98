/**
 * The synthetic world of the sample data: a land mask from the shipped Natural Earth land
 * outlines (rasterized as netcdf-subset rasterizes), and a smooth made-up elevation with the
 * big mountain ranges roughly where they are. Plausible enough that a masked or clipped result
 * looks like its country; not real data.
 */
import { getLand } from '../boundaries/index.js';
import type { Grid } from '../../processors/netcdf/grid.js';
import { rasterize } from '../../processors/netcdf/rasterize.js';

/** Cell centres of a global grid of `res` degrees: latitudes north to south (as ISIMIP), longitudes from -180. */
export function globalGrid(res: number): Grid {
  const nlat = Math.round(180 / res);
  const nlon = Math.round(360 / res);
  const lat = Float64Array.from({ length: nlat }, (_, i) => 90 - res / 2 - i * res);
  const lon = Float64Array.from({ length: nlon }, (_, j) => -180 + res / 2 + j * res);
  return { latDim: 'lat', lonDim: 'lon', lat, lon, key: `sample-${res}` };
}

/** 1 = land, row-major over the grid. */
export function landMask(g: Grid): Uint8Array {
  return rasterize(getLand(), g);
}

// [lon, lat, half-width lon, half-width lat, height m]
const RANGES: Array<[number, number, number, number, number]> = [
  [86, 32, 12, 5, 4300], // Himalaya and Tibet
  [-112, 42, 6, 13, 2000], // Rocky Mountains
  [10, 46.3, 3.5, 1.1, 2000], // Alps
  [37, 3, 5, 10, 1400], // East African highlands
  [-41, 73, 12, 8, 2600], // Greenland ice sheet
  [14, 64, 3, 5, 900], // Scandinavian mountains
  [52, 33, 10, 5, 1300], // Iranian plateau
  [60, 58, 2, 10, 600], // Ural
  [-80, 38, 3, 7, 700], // Appalachians
  [134, -24, 10, 8, 400], // Australian interior
];

/** Elevation in metres at a point on land. */
export function elevation(lon: number, lat: number): number {
  const r = Math.PI / 180;
  let e = 150 + 120 * (Math.sin(0.9 * lon * r * 10 + 1.3) * Math.sin(0.7 * lat * r * 10) + 0.5 * Math.sin(2.1 * lon * r * 10) * Math.cos(1.7 * lat * r * 10 + 0.4));
  for (const [x, y, sx, sy, h] of RANGES) {
    const dx = (lon - x) / sx;
    const dy = (lat - y) / sy;
    if (dx * dx + dy * dy < 16) e += h * Math.exp(-dx * dx - dy * dy); // beyond 4 widths: < 1e-7 of h
  }
  // The Andes: a ridge along the west coast of South America.
  if (lat > -55 && lat < 12) e += 3800 * Math.exp(-(((lon - (-69 - 0.12 * (lat + 20))) / 2.5) ** 2)) * Math.min(1, (12 - lat) / 8, (lat + 55) / 10);
  // The Antarctic ice sheet, rising towards the pole.
  if (lat < -62) e += 3200 * (1 - Math.exp((lat + 62) / 8));
  return Math.max(0, e);
}
