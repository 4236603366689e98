/** What a file probably is, from its name only (listing opens no file; /data/info looks inside). */
export type DataFormat = 'netcdf' | 'geotiff' | 'raster' | 'vector' | 'zip' | 'csv' | 'json';

const BY_EXT: Record<string, DataFormat> = {
  nc: 'netcdf', nc4: 'netcdf', nc3: 'netcdf', netcdf: 'netcdf', cdf: 'netcdf',
  tif: 'geotiff', tiff: 'geotiff',
  vrt: 'raster', img: 'raster', jp2: 'raster', asc: 'raster', grib: 'raster', grb: 'raster', grb2: 'raster',
  gpkg: 'vector', geojson: 'vector', shp: 'vector', fgb: 'vector', kml: 'vector', gml: 'vector', gpx: 'vector',
  zip: 'zip', csv: 'csv', json: 'json',
};

export function formatOf(name: string): DataFormat | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith('.shp.zip')) return 'vector';
  const dot = lower.lastIndexOf('.');
  return dot > 0 ? BY_EXT[lower.slice(dot + 1)] : undefined;
}
