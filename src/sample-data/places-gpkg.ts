/**
 * The sample vector data: a GeoPackage with a point layer of cities and a polygon layer of a
 * few study areas (rough, hand-drawn outlines), EPSG:4326.
 */
import { gdalChild } from '../gdal/child-client.js';
import type { VectorLayerSpec } from '../gdal/ops/write-sample.js';

const CITIES: Array<[string, string, number, number, number]> = [
  ['Berlin', 'DEU', 13.405, 52.52, 3645000],
  ['Hamburg', 'DEU', 9.993, 53.551, 1841000],
  ['Munich', 'DEU', 11.582, 48.135, 1472000],
  ['Cologne', 'DEU', 6.96, 50.938, 1086000],
  ['Paris', 'FRA', 2.352, 48.857, 2161000],
  ['Lyon', 'FRA', 4.835, 45.764, 513000],
  ['Vienna', 'AUT', 16.373, 48.208, 1897000],
  ['Zurich', 'CHE', 8.541, 47.377, 421000],
  ['Warsaw', 'POL', 21.012, 52.23, 1790000],
  ['Madrid', 'ESP', -3.704, 40.417, 3223000],
  ['Rome', 'ITA', 12.496, 41.903, 2873000],
  ['Nairobi', 'KEN', 36.822, -1.292, 4397000],
  ['Lima', 'PER', -77.043, -12.046, 9752000],
  ['Denver', 'USA', -104.99, 39.739, 715000],
  ['Kathmandu', 'NPL', 85.324, 27.717, 1442000],
  ['Suva', 'FJI', 178.44, -18.141, 93000],
];

const box = (w: number, s: number, e: number, n: number) => ({ type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] });

const AREAS: Array<[string, ReturnType<typeof box>]> = [
  ['Alps', { type: 'Polygon', coordinates: [[[5.5, 44], [7.5, 46.5], [10, 47.5], [13.5, 47.8], [16, 47.5], [14, 46], [11, 45.8], [8, 45.3], [7, 43.8], [5.5, 44]]] }],
  ['Rhine valley', { type: 'Polygon', coordinates: [[[7.4, 47.5], [8.2, 47.6], [8.6, 49.2], [7.9, 50.2], [7, 51.2], [6, 51.9], [5.9, 51.2], [7, 49.9], [7.5, 48.5], [7.4, 47.5]]] }],
  ['East African highlands', box(34, -5, 40, 5)],
  ['Fiji (across the antimeridian)', { type: 'Polygon', coordinates: [[[176.5, -19.5], [180, -19.5], [180, -15.5], [176.5, -15.5], [176.5, -19.5]]] }],
];

export async function writePlacesGpkg(file: string): Promise<void> {
  const layers: VectorLayerSpec[] = [
    {
      name: 'cities',
      geometryType: 'Point',
      fields: [{ name: 'name', type: 'string' }, { name: 'iso3', type: 'string' }, { name: 'population', type: 'integer' }],
      features: CITIES.map(([name, iso3, lon, lat, population]) => ({ properties: { name, iso3, population }, geometry: { type: 'Point', coordinates: [lon, lat] } })),
    },
    {
      name: 'study_areas',
      geometryType: 'Polygon',
      fields: [{ name: 'name', type: 'string' }],
      features: AREAS.map(([name, geometry]) => ({ properties: { name }, geometry })),
    },
  ];
  await gdalChild().run('write-geopackage', { path: file, layers });
}
