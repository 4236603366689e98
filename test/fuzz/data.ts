/** A small data root for fuzz and soak runs: the NetCDF test fixtures and a GeoJSON layer. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
// @ts-expect-error plain JS script without types
import { makeTestFixtures } from '../../scripts/make-netcdf-fixtures.mjs';

export function makeFuzzData(root: string): string[] {
  mkdirSync(root, { recursive: true });
  const made = Object.values(makeTestFixtures(root) as Record<string, string>).map((f) => relative(root, f));
  const square = (x: number, y: number) => ({ type: 'Feature', properties: { name: `sq${x}_${y}` }, geometry: { type: 'Polygon', coordinates: [[[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]] } });
  writeFileSync(join(root, 'areas.geojson'), JSON.stringify({ type: 'FeatureCollection', features: [square(5, 47), square(10, 50), square(-100, 40)] }));
  return [...made, 'areas.geojson'];
}
