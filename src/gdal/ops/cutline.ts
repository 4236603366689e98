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

/** Longest segment and total length of a geometry's rings, in its units divided by `scale`. */
function segments(g: Geometry, scale = 1): { max: number; total: number } {
  let max = 0;
  let total = 0;
  const walk = (c: unknown): void => {
    if (!Array.isArray(c) || typeof c[0] === 'number') return;
    if (Array.isArray(c[0]) && typeof c[0][0] === 'number') {
      const ring = c as number[][];
      for (let i = 1; i < ring.length; i++) {
        const d = Math.hypot(ring[i][0] - ring[i - 1][0], ring[i][1] - ring[i - 1][1]);
        max = Math.max(max, d);
        total += d;
      }
      return;
    }
    c.forEach(walk);
  };
  walk((JSON.parse(g.toJSON()) as { coordinates: unknown }).coordinates);
  return { max: max / scale, total: total / scale };
}

/** Vertices the densified cutline may have: a country over a 1 m raster would otherwise get 10^8. */
const MAX_DENSE_VERTICES = 2_000_000;

/** The part of a lon/lat region over the raster (its footprint's lon/lat envelope, 10 % wider), or the region. */
function overRaster(gdal: Gdal, g: Geometry, src: Dataset): Geometry {
  try {
    const gt = src.geoTransform!;
    const { x: w, y: h } = src.rasterSize;
    const at = (px: number, py: number): [number, number] => [gt[0] + px * gt[1] + py * gt[2], gt[3] + px * gt[4] + py * gt[5]];
    const ring = new gdal.LinearRing();
    for (const [px, py] of [[0, 0], [w, 0], [w, h], [0, h], [0, 0]]) ring.points.add(...at(px, py));
    const fp = new gdal.Polygon();
    fp.rings.add(ring);
    fp.srs = src.srs!;
    fp.segmentize(Math.max(w, h) * Math.abs(gt[1]) / 64); // the footprint's edges curve in lon/lat too
    fp.transformTo(g.srs!);
    const e = fp.getEnvelope();
    const mx = (e.maxX - e.minX) * 0.1;
    const my = (e.maxY - e.minY) * 0.1;
    const box = gdal.Geometry.fromGeoJson({ type: 'Polygon', coordinates: [[[e.minX - mx, e.minY - my], [e.maxX + mx, e.minY - my], [e.maxX + mx, e.maxY + my], [e.minX - mx, e.maxY + my], [e.minX - mx, e.minY - my]]] });
    const part = g.intersection(box);
    part.srs = g.srs;
    return part.isEmpty() ? g : part;
  } catch {
    return g; // a footprint that does not transform (poles, odd CRS): densify the whole region
  }
}

/**
 * Reprojects a lon/lat region into a projected source's CRS as gdalwarp does with its cutline.
 * `vertices`: transformed vertex by vertex, what gdalwarp -crop_to_cutline takes the extent of.
 * `dense`: what it masks with: a straight edge in degrees stays straight in metres when only
 * its vertices move, where the true edge curves, so edges are first densified until no segment
 * spans more than about a pixel of the source (gdalwarp's GDALWARP_DENSIFY_CUTLINE default).
 * Only the part over the raster is densified, to at most MAX_DENSE_VERTICES vertices.
 */
export function transformToSource(gdal: Gdal, g: Geometry, src: Dataset): { vertices: Geometry; dense: Geometry } {
  const srs = src.srs!;
  const gt = src.geoTransform!;
  const pixel = Math.min(Math.abs(gt[1]), Math.abs(gt[5]));
  const vertices = g.clone();
  vertices.srs = g.srs;
  vertices.transformTo(srs);
  const lonLatMax = segments(g).max;
  const inPixels = segments(vertices, pixel).max;
  if (!(inPixels > 1 && lonLatMax > 0)) return { vertices, dense: vertices };
  const part = overRaster(gdal, g, src);
  const dense = part.clone();
  dense.srs = g.srs;
  dense.segmentize(Math.max(lonLatMax / inPixels, segments(part).total / MAX_DENSE_VERTICES));
  dense.transformTo(srs);
  return { vertices, dense };
}

/** GeoJSON of lon/lat (CRS84) polygons, e.g. for ogr2ogr -clipsrc. */
export function writeCutline(path: string, g: Geometry) {
  const fc = { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: JSON.parse(g.toJSON()) }] };
  writeFileSync(path, JSON.stringify(fc));
}
