// The npm `shapefile` package ships no types; this is the one call used here.
declare module 'shapefile' {
  export function read(shp: ArrayBuffer | Uint8Array | string, dbf?: ArrayBuffer | Uint8Array | string): Promise<GeoJSON.FeatureCollection>;
}
