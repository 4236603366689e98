// The npm `shapefile` package ships no types; this is the one call the console uses.
declare module 'shapefile' {
  export function read(shp: ArrayBuffer | Uint8Array, dbf?: ArrayBuffer | Uint8Array): Promise<unknown>;
}
