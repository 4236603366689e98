/**
 * A polygon file the user drops: GeoJSON, or a zipped shapefile (lon/lat) read here in the
 * browser: the zip's central directory, entries inflated by the browser's own
 * DecompressionStream, the .shp (and .dbf) parsed by the `shapefile` package. Size and ratio are
 * capped so a zip bomb cannot hang the page; the server validates the polygon again.
 */
import { read as readShapefile } from 'shapefile';
import type { GeoJSON } from '../api';

const MAX_FILE = 50e6;
const MAX_ENTRY = 200e6;

async function inflate(data: Uint8Array<ArrayBuffer>, method: number): Promise<Uint8Array> {
  if (method === 0) return data;
  if (method !== 8) throw new Error(`zip compression method ${method} is not supported`);
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Entries of a zip by lower-case extension (the first .shp, .dbf, .prj). */
export async function unzipShapefile(buf: ArrayBuffer): Promise<Map<string, Uint8Array>> {
  const v = new DataView(buf);
  let eocd = -1;
  for (let i = buf.byteLength - 22; i >= Math.max(0, buf.byteLength - 65557); i--)
    if (v.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd < 0) throw new Error('not a zip file');
  const count = v.getUint16(eocd + 10, true);
  let p = v.getUint32(eocd + 16, true);
  const out = new Map<string, Uint8Array>();
  for (let n = 0; n < count; n++) {
    if (v.getUint32(p, true) !== 0x02014b50) throw new Error('damaged zip directory');
    const method = v.getUint16(p + 10, true);
    const csize = v.getUint32(p + 20, true);
    const usize = v.getUint32(p + 24, true);
    const nameLen = v.getUint16(p + 28, true);
    const extra = v.getUint16(p + 30, true);
    const comment = v.getUint16(p + 32, true);
    const local = v.getUint32(p + 42, true);
    const name = new TextDecoder().decode(new Uint8Array(buf, p + 46, nameLen));
    p += 46 + nameLen + extra + comment;
    const ext = /\.(shp|dbf|prj)$/i.exec(name)?.[1].toLowerCase();
    if (!ext || out.has(ext) || name.includes('__MACOSX')) continue;
    if (usize > MAX_ENTRY) throw new Error(`${name} is too large`);
    const start = local + 30 + v.getUint16(local + 26, true) + v.getUint16(local + 28, true);
    out.set(ext, await inflate(new Uint8Array(buf, start, csize), method));
  }
  return out;
}

export async function readPolygonFile(file: File): Promise<GeoJSON> {
  if (file.size > MAX_FILE) throw new Error('larger than 50 MB');
  const buf = await file.arrayBuffer();
  const head = new Uint8Array(buf, 0, Math.min(4, buf.byteLength));
  if (head[0] === 0x50 && head[1] === 0x4b) {
    const files = await unzipShapefile(buf);
    const shp = files.get('shp');
    if (!shp) throw new Error('the zip holds no .shp file');
    const fc = (await readShapefile(shp, files.get('dbf'))) as unknown as GeoJSON;
    if (!fc.features?.length) throw new Error('the shapefile has no features');
    return fc;
  }
  let g: GeoJSON;
  try {
    g = JSON.parse(new TextDecoder().decode(buf));
  } catch {
    throw new Error('neither GeoJSON nor a zipped shapefile');
  }
  if (!g || typeof g.type !== 'string') throw new Error('not a GeoJSON object');
  return g;
}
