/**
 * What the data browser shows of a raster or vector file, read inside the GDAL child (a crafted
 * file that crashes GDAL takes the child down, not the service). Read-only; nothing is written
 * beside the input (GDAL_PAM_ENABLED=NO in the child).
 */
import type { Dataset, SpatialReference } from 'gdal-async';
import type { Gdal } from './gdal-type.js';
import { OpInputError } from './op-error.js';

export interface RasterInfo {
  format: 'raster';
  driver: string;
  width: number;
  height: number;
  crs: string | null;
  /** [west, south, east, north] in the raster's CRS. */
  bounds: [number, number, number, number] | null;
  /** The same in EPSG:4326 lon/lat, when the CRS can be transformed. */
  bounds4326: [number, number, number, number] | null;
  resolution: [number, number] | null;
  bands: Array<{ band: number; dataType: string | null; nodata: number | null; description: string; colorInterpretation: string | null }>;
}

export interface VectorInfo {
  format: 'vector';
  driver: string;
  layers: Array<{ name: string; geometryType: string; features: number | null; crs: string | null; extent: [number, number, number, number] | null; fields: string[] }>;
}

const crsName = (srs: SpatialReference | null) => {
  if (!srs) return null;
  const code = srs.getAuthorityCode(null);
  const auth = srs.getAuthorityName(null);
  return code ? `${auth ?? 'EPSG'}:${code}` : srs.toProj4();
};

const MAX_FIELDS = 200;
/** Layers up to this size get their extent computed when the format stores none. */
const MAX_SCAN = 100_000;

export async function describeData(gdal: Gdal, a: { path: string }): Promise<RasterInfo | VectorInfo> {
  let ds: Dataset;
  try {
    ds = await gdal.openAsync(a.path.endsWith('.zip') ? `/vsizip/${a.path}` : a.path);
  } catch (e) {
    throw new OpInputError('path', `neither NetCDF nor a raster or vector format GDAL reads: ${(e as Error).message}`);
  }
  try {
    if (ds.bands.count() > 0) return raster(gdal, ds);
    if (ds.layers.count() > 0) return vector(gdal, ds);
    throw new OpInputError('path', 'GDAL opens it but finds no raster band and no vector layer');
  } finally {
    ds.close();
  }
}

function raster(gdal: Gdal, ds: Dataset): RasterInfo {
  const { x, y } = ds.rasterSize;
  const gt = ds.geoTransform;
  let bounds: RasterInfo['bounds'] = null;
  let bounds4326: RasterInfo['bounds4326'] = null;
  if (gt && gt[2] === 0 && gt[4] === 0) {
    const xs = [gt[0], gt[0] + x * gt[1]];
    const ys = [gt[3], gt[3] + y * gt[5]];
    bounds = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
    if (ds.srs) {
      try {
        const wgs = gdal.SpatialReference.fromUserInput('OGC:CRS84');
        const env = new gdal.Envelope({ minX: bounds[0], minY: bounds[1], maxX: bounds[2], maxY: bounds[3] }).toPolygon();
        // Through PROJ.4 text: its axes are always east, north, whatever the EPSG definition's
        // order (gdal-async has no axis-mapping setter; EPSG:4326 would be read as lat, lon).
        env.srs = gdal.SpatialReference.fromProj4(ds.srs.toProj4());
        env.segmentize(Math.max(bounds[2] - bounds[0], bounds[3] - bounds[1]) / 20);
        env.transformTo(wgs);
        const e = env.getEnvelope();
        bounds4326 = [e.minX, e.minY, e.maxX, e.maxY];
      } catch {
        /* a CRS PROJ cannot transform: bounds in its own units only */
      }
    }
  }
  return {
    format: 'raster',
    driver: ds.driver.description,
    width: x,
    height: y,
    crs: crsName(ds.srs),
    bounds,
    bounds4326,
    resolution: gt ? [Math.abs(gt[1]), Math.abs(gt[5])] : null,
    bands: ds.bands.map((b, i) => ({ band: b.id ?? i + 1, dataType: b.dataType ?? null, nodata: b.noDataValue ?? null, description: b.description, colorInterpretation: b.colorInterpretation })),
  };
}

function vector(gdal: Gdal, ds: Dataset): VectorInfo {
  return {
    format: 'vector',
    driver: ds.driver.description,
    layers: ds.layers.map((l) => {
      let extent: [number, number, number, number] | null = null;
      const features = l.features.count(false);
      for (const force of features >= 0 && features <= MAX_SCAN ? [false, true] : [false]) {
        try {
          const e = l.getExtent(force);
          extent = [e.minX, e.minY, e.maxX, e.maxY];
          break;
        } catch {
          /* no stored extent: computed only for small layers */
        }
      }
      return {
        name: l.name,
        geometryType: gdal.Geometry.getName(l.geomType) ?? 'unknown',
        features: features >= 0 ? features : null,
        crs: crsName(l.srs),
        extent,
        fields: l.fields.getNames().slice(0, MAX_FIELDS),
      };
    }),
  };
}
