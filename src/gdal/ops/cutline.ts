/**
 * The cutline a warp clips with: the region's polygons, repaired when GEOS finds them invalid
 * (quantised Natural Earth outlines often are: "Cutline polygon is invalid"), written as GeoJSON.
 */
import { writeFileSync } from 'node:fs';
import type { Geometry } from 'gdal-async';
import type { MultiPolygonCoords } from '../../regions/geojson.js';
import type { Gdal } from './gdal-type.js';
import { OpInputError } from './op-error.js';

export function validPolygons(gdal: Gdal, parts: MultiPolygonCoords, input = 'polygon'): Geometry {
  let g = gdal.Geometry.fromGeoJson({ type: 'MultiPolygon', coordinates: parts });
  if (!g.isValid()) g = polygonalPart(gdal, g.makeValid());
  if (g.isEmpty()) throw new OpInputError(input, 'the polygon is empty after repair (self-intersecting to nothing?)');
  return g;
}

/** makeValid may return a collection with lines and points where rings collapsed: keep the areas. */
function polygonalPart(gdal: Gdal, g: Geometry): Geometry {
  const name = g.name;
  if (name === 'POLYGON' || name === 'MULTIPOLYGON') return g;
  const out = new gdal.MultiPolygon();
  const walk = (x: Geometry) => {
    if (x.name === 'POLYGON') out.children.add(x as never);
    else if (x.name === 'MULTIPOLYGON' || x.name === 'GEOMETRYCOLLECTION')
      (x as unknown as { children: { forEach(cb: (c: Geometry) => void): void } }).children.forEach(walk);
  };
  walk(g);
  return out;
}

export function writeCutline(path: string, g: Geometry) {
  const fc = { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: JSON.parse(g.toJSON()) }] };
  writeFileSync(path, JSON.stringify(fc));
}
