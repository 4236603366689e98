/**
 * The cutline a warp clips with: the region's polygons, repaired when GEOS finds them invalid
 * (quantised Natural Earth outlines often are: "Cutline polygon is invalid"), written as GeoJSON.
 */
import { writeFileSync } from 'node:fs';
import type { Dataset, Geometry, SpatialReference } from 'gdal-async';
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

/**
 * The region as an in-memory vector layer in the raster's own CRS, for gdal_rasterize.
 * Written as GeoJSON instead, it would be read back as WGS 84 whatever its coordinates are
 * (GeoJSON has no other CRS): a UTM cutline then burnt nothing where it should, and a whole
 * projected scene came out as nodata.
 */
export function cutlineLayer(gdal: Gdal, g: Geometry, srs: SpatialReference): Dataset {
  const ds = gdal.drivers.get('Memory').create('');
  const layer = ds.layers.create('cutline', srs, gdal.wkbMultiPolygon);
  const f = new gdal.Feature(layer);
  f.setGeometry(g);
  layer.features.add(f);
  return ds;
}

function maxSegment(g: Geometry, scale = 1): number {
  let max = 0;
  const walk = (c: unknown): void => {
    if (!Array.isArray(c)) return;
    if (typeof c[0] === 'number') return;
    if (Array.isArray(c[0]) && typeof c[0][0] === 'number') {
      const ring = c as number[][];
      for (let i = 1; i < ring.length; i++) max = Math.max(max, Math.hypot(ring[i][0] - ring[i - 1][0], ring[i][1] - ring[i - 1][1]));
      return;
    }
    c.forEach(walk);
  };
  walk((JSON.parse(g.toJSON()) as { coordinates: unknown }).coordinates);
  return max / scale;
}

/**
 * Reprojects a lon/lat region into a projected source's CRS as gdalwarp does with its cutline.
 * `vertices`: transformed vertex by vertex, what gdalwarp -crop_to_cutline takes the extent of.
 * `dense`: what it masks with: a straight edge in degrees stays straight in metres when only
 * its vertices move, where the true edge curves, so edges are first densified until no segment
 * spans more than about a pixel of the source (gdalwarp's GDALWARP_DENSIFY_CUTLINE default).
 * `pixel`: the source's pixel size in its own units.
 */
export function transformToSource(g: Geometry, srs: SpatialReference, pixel: number): { vertices: Geometry; dense: Geometry } {
  const copy = () => {
    const c = g.clone();
    c.srs = g.srs;
    return c;
  };
  const vertices = copy();
  vertices.transformTo(srs);
  const lonLatMax = maxSegment(g);
  const inPixels = maxSegment(vertices, pixel);
  if (!(inPixels > 1 && lonLatMax > 0)) return { vertices, dense: vertices };
  const dense = copy();
  dense.segmentize(lonLatMax / inPixels);
  dense.transformTo(srs);
  return { vertices, dense };
}

/** GeoJSON of lon/lat (CRS84) polygons, e.g. for ogr2ogr -clipsrc. */
export function writeCutline(path: string, g: Geometry) {
  const fc = { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: JSON.parse(g.toJSON()) }] };
  writeFileSync(path, JSON.stringify(fc));
}
