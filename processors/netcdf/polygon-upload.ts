/**
 * Region polygons uploaded with a job (ISIMIP's create_mask shape): GeoJSON, or a zipped
 * shapefile in lon/lat. Parsed in JavaScript only; every problem is an InputError naming the
 * operation, so a bad upload is a 400 before any job runs.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as shapefile from 'shapefile';
import yauzl from 'yauzl';
import { InputError } from '../../src/processes/types.js';
import { MAX_VERTICES, parseRegionGeoJson, type MultiPolygonCoords } from '../../src/regions/geojson.js';

const MAX_UPLOAD = 64 * 1024 * 1024;
/**
 * Zip bombs: an archive is refused while it is being unpacked, by the sizes it declares and by
 * the bytes that actually come out (a lying header is cut off at the limit): more than
 * MAX_UPLOAD unpacked in all, an entry expanding more than MAX_RATIO times once past 1 MB (real
 * shapefiles deflate 2-10x; a bomb 1000x), or more than MAX_ENTRIES entries.
 */
const MAX_RATIO = 100;
const RATIO_FREE = 1024 * 1024;
const MAX_ENTRIES = 1000;
/** create_mask writes one variable per feature: a world map of admin-1 regions (~4,600) fits. */
export const MAX_FEATURES = 10_000;

function unzipEntries(buf: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    // validateEntrySizes: yauzl fails an entry that inflates past its declared size.
    yauzl.fromBuffer(buf, { lazyEntries: true, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('bad zip'));
      const out = new Map<string, Buffer>();
      let total = 0;
      const fail = (msg: string) => {
        zip.close();
        reject(new Error(msg));
      };
      if (zip.entryCount > MAX_ENTRIES) return fail(`more than ${MAX_ENTRIES} entries`);
      zip.on('entry', (e: yauzl.Entry) => {
        const ext = e.fileName.toLowerCase().match(/\.(shp|dbf|prj)$/)?.[1];
        if (!ext || e.fileName.includes('__MACOSX')) return zip.readEntry();
        if (total + e.uncompressedSize > MAX_UPLOAD) return fail(`more than ${MAX_UPLOAD >> 20} MB when unpacked`);
        if (e.uncompressedSize > RATIO_FREE && e.uncompressedSize > MAX_RATIO * Math.max(1, e.compressedSize))
          return fail(`"${e.fileName}" expands ${Math.round(e.uncompressedSize / Math.max(1, e.compressedSize))} times (at most ${MAX_RATIO}): not a shapefile but a zip bomb`);
        zip.openReadStream(e, (err2, s) => {
          if (err2 || !s) return reject(err2);
          const parts: Buffer[] = [];
          s.on('data', (c: Buffer) => {
            total += c.length;
            if (total > MAX_UPLOAD) {
              s.destroy();
              return fail(`more than ${MAX_UPLOAD >> 20} MB when unpacked`);
            }
            parts.push(c);
          });
          s.on('error', reject);
          s.on('end', () => {
            out.set(ext, Buffer.concat(parts));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

/** The upload as GeoJSON (a zipped shapefile read into a FeatureCollection), checked for size and zip bombs. */
async function readUpload(dir: string | undefined, name: string, input: string): Promise<unknown> {
  if (!dir) throw new InputError(input, `"${name}" was not uploaded with the request`);
  const path = join(dir, name);
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new InputError(input, `"${name}" was not uploaded with the request`);
  }
  if (size > MAX_UPLOAD) throw new InputError(input, `"${name}" is larger than ${MAX_UPLOAD >> 20} MB`);
  const buf = readFileSync(path);
  if (buf.subarray(0, 2).toString('latin1') === 'PK') {
    let files: Map<string, Buffer>;
    try {
      files = await unzipEntries(buf);
    } catch (e) {
      throw new InputError(input, `"${name}" is not a readable zip: ${(e as Error).message}`);
    }
    if (!files.has('shp')) throw new InputError(input, `"${name}" holds no .shp file`);
    const prj = files.get('prj')?.toString('latin1') ?? '';
    if (/PROJCS\[/i.test(prj)) throw new InputError(input, `"${name}" is in a projected CRS; upload lon/lat (EPSG:4326) coordinates`);
    try {
      return await shapefile.read(files.get('shp')!, files.get('dbf'));
    } catch (e) {
      throw new InputError(input, `"${name}" is not a readable shapefile: ${(e as Error).message}`);
    }
  }
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch {
    throw new InputError(input, `"${name}" is neither GeoJSON nor a zipped shapefile`);
  }
}

/** All polygons of the upload as one region (mask_polygon). */
export async function readPolygonUpload(dir: string | undefined, name: string, input: string): Promise<MultiPolygonCoords> {
  return parseRegionGeoJson(await readUpload(dir, name, input), input);
}

export interface ShapeFeature {
  parts: MultiPolygonCoords;
  properties: Record<string, unknown>;
}

/**
 * The upload feature by feature, in file order (create_mask: one mask variable each, as
 * geopandas reads the rows). A bare geometry is one feature without properties.
 */
export async function readPolygonFeatures(dir: string | undefined, name: string, input: string): Promise<ShapeFeature[]> {
  const value = await readUpload(dir, name, input);
  const o = value as { type?: unknown; features?: unknown };
  const props = (f: unknown): Record<string, unknown> => {
    const p = (f as { properties?: unknown })?.properties;
    return p && typeof p === 'object' && !Array.isArray(p) ? (p as Record<string, unknown>) : {};
  };
  if (o && typeof o === 'object' && o.type === 'FeatureCollection' && Array.isArray(o.features)) {
    if (!o.features.length) throw new InputError(input, `"${name}" contains no feature`);
    if (o.features.length > MAX_FEATURES) throw new InputError(input, `"${name}" has ${o.features.length} features, at most ${MAX_FEATURES}`);
    // One parse per feature, the same checks as a whole upload; the vertex limit over all of them.
    const out = o.features.map((f, i) => ({ parts: parseRegionGeoJson(f, `${input}.features[${i}]`), properties: props(f) }));
    const vertices = out.reduce((n, f) => n + f.parts.flat().reduce((m, r) => m + r.length, 0), 0);
    if (vertices > MAX_VERTICES) throw new InputError(input, `more than ${MAX_VERTICES} vertices`);
    return out;
  }
  return [{ parts: parseRegionGeoJson(value, input), properties: o?.type === 'Feature' ? props(o) : {} }];
}
