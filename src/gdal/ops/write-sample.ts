/**
 * Writers for `subsetd sample-data`, run in the GDAL child like every other GDAL call: a
 * single-band EPSG:4326 GeoTIFF from an array, and a GeoPackage from GeoJSON-like features.
 * Both are written under a temporary name and renamed, so a failed run leaves no half file.
 */
import { renameSync, rmSync } from 'node:fs';
import type { Gdal } from './gdal-type.js';

export interface GeoTiffArgs {
  path: string;
  width: number;
  height: number;
  /** GDAL geotransform: [west, dx, 0, north, 0, -dy]. */
  geoTransform: number[];
  data: Int16Array;
  nodata: number;
  metadata: Record<string, string>;
}

export async function writeGeoTiff(gdal: Gdal, a: GeoTiffArgs): Promise<{ path: string }> {
  const tmp = `${a.path}.part`;
  try {
    const ds = gdal.drivers.get('GTiff').create(tmp, a.width, a.height, 1, gdal.GDT_Int16, ['COMPRESS=DEFLATE', 'PREDICTOR=2', 'TILED=YES', 'BLOCKXSIZE=256', 'BLOCKYSIZE=256']);
    ds.srs = gdal.SpatialReference.fromEPSG(4326);
    ds.geoTransform = a.geoTransform;
    ds.setMetadata(a.metadata);
    const band = ds.bands.get(1);
    band.noDataValue = a.nodata;
    band.pixels.write(0, 0, a.width, a.height, a.data);
    ds.close();
    renameSync(tmp, a.path);
  } finally {
    rmSync(tmp, { force: true });
  }
  return { path: a.path };
}

export interface VectorLayerSpec {
  name: string;
  geometryType: 'Point' | 'Polygon';
  fields: Array<{ name: string; type: 'string' | 'integer' | 'real' }>;
  features: Array<{ properties: Record<string, string | number>; geometry: { type: string; coordinates: unknown } }>;
}

export async function writeGeoPackage(gdal: Gdal, a: { path: string; layers: VectorLayerSpec[] }): Promise<{ path: string }> {
  const tmp = `${a.path}.part`;
  try {
    const ds = gdal.drivers.get('GPKG').create(tmp);
    const srs = gdal.SpatialReference.fromEPSG(4326);
    for (const spec of a.layers) {
      const layer = ds.layers.create(spec.name, srs, spec.geometryType === 'Point' ? gdal.wkbPoint : gdal.wkbPolygon);
      const type = { string: gdal.OFTString, integer: gdal.OFTInteger64, real: gdal.OFTReal };
      for (const f of spec.fields) layer.fields.add(new gdal.FieldDefn(f.name, type[f.type]));
      for (const f of spec.features) {
        const feat = new gdal.Feature(layer);
        feat.fields.set(f.properties);
        feat.setGeometry(gdal.Geometry.fromGeoJson(f.geometry as never));
        layer.features.add(feat);
      }
    }
    ds.close();
    renameSync(tmp, a.path);
  } finally {
    rmSync(tmp, { force: true });
  }
  return { path: a.path };
}
