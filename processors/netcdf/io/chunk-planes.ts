/**
 * The fast path for big NetCDF-4 variables: their chunk tiles, found in the file by
 * ../hdf5/chunk-index.ts, read with plain file reads and inflated by Node's zlib (async, on
 * libuv's threads). Handles chunks of extent 1 in every leading dimension and any lat/lon
 * tiling, with deflate, shuffle and fletcher32. Anything else returns null from planeIndex and
 * is read through h5wasm instead.
 */
import { promisify } from 'node:util';
import { inflate } from 'node:zlib';
import { arrayFor, BYTES, DEFAULT_FILL, numAttr, type NumArray, type Var } from '../model.js';
import { chunkLayout, type ChunkEntry, type RawFile } from '../hdf5/chunk-index.js';
import type { Pool } from '../stream.js';
import { unshuffle } from '../hdf5/read-data.js';

const inflateAsync = promisify(inflate);

export interface PlaneIndex {
  rank: number;
  chunkDims: number[];
  tiles: Map<number, ChunkEntry[]>;
  filters: number[];
  bigEndian: boolean;
}

/** What planeIndex needs to know of a dataset, from either metadata reader. */
export interface StoredVar {
  /** Address of its object header. */
  addr: number;
  shape: number[];
  chunked: boolean;
  filters: number[];
  bigEndian: boolean;
}

export function planeIndex(raw: RawFile, d: StoredVar): PlaneIndex | null {
  const { filters, shape } = d;
  const rank = shape.length;
  if (!d.chunked || !filters.every((f) => f === 1 || f === 2 || f === 3)) return null;
  const layout = chunkLayout(raw, d.addr, rank);
  if (!layout || !layout.chunkDims.slice(0, -2).every((c) => c === 1)) return null;
  const [nlat, nlon] = shape.slice(-2);
  const tiles = new Map<number, ChunkEntry[]>();
  for (const c of layout.chunks) {
    let p = 0;
    for (let i = 0; i < rank - 2; i++) p = p * shape[i] + c.offset[i];
    if (c.offset[rank - 2] >= nlat || c.offset[rank - 1] >= nlon) continue;
    (tiles.get(p) ?? tiles.set(p, []).get(p)!).push(c);
  }
  return { rank, chunkDims: layout.chunkDims, tiles, filters, bigEndian: d.bigEndian };
}

export async function readTiles(raw: RawFile, pool: Pool<Buffer>, idx: PlaneIndex, v: Var, plane: number, row0: number, row1: number): Promise<NumArray> {
  const name = v.name;
  const [nlat, nlon] = v.shape.slice(-2);
  const size = BYTES[v.type];
  const tiles = idx.tiles.get(plane) ?? [];
  const [clat, clon] = idx.chunkDims.slice(-2);
  const covered = tiles.filter((t) => t.offset[idx.rank - 2] < row1 && t.offset[idx.rank - 2] + clat > row0);
  // A whole plane stored as one chunk (ISIMIP's layout) read whole: the chunk's bytes are the
  // answer, with no second plane-sized array and copy (the time-series cache's build, global operations).
  if (covered.length === 1 && row0 === 0 && row1 === nlat && clat === nlat && clon === nlon) {
    const b = await tileBytes(raw, pool, idx, v, covered[0], clat * clon * size);
    return arrayFor(v.type, b.buffer as ArrayBuffer, b.byteOffset, nlat * nlon);
  }
  const out = arrayFor(v.type, (row1 - row0) * nlon);
  // Chunks never written read as the fill value, as HDF5 would return them.
  const area = covered.reduce((s, t) => {
    const r0 = t.offset[idx.rank - 2];
    return s + (Math.min(r0 + clat, row1) - Math.max(r0, row0)) * Math.min(clon, nlon - t.offset[idx.rank - 1]);
  }, 0);
  if (area < (row1 - row0) * nlon) out.fill(numAttr(v.attrs, '_FillValue') ?? DEFAULT_FILL[v.type]);
  await Promise.all(
    covered.map(async (t) => {
      const bytes = await tileBytes(raw, pool, idx, v, t, clat * clon * size);
      const tile = arrayFor(v.type, bytes.buffer as ArrayBuffer, bytes.byteOffset, clat * clon);
      const r0 = t.offset[idx.rank - 2];
      const c0 = t.offset[idx.rank - 1];
      const w = Math.min(clon, nlon - c0);
      for (let r = Math.max(r0, row0); r < Math.min(r0 + clat, row1); r++) out.set(tile.subarray((r - r0) * clon, (r - r0) * clon + w), (r - row0) * nlon + c0);
    }),
  );
  return out;
}

/**
 * One chunk's bytes, unfiltered and little-endian, in a buffer no one else uses, 8-byte aligned
 * (so a whole-plane chunk can be handed out as the plane).
 */
async function tileBytes(raw: RawFile, pool: Pool<Buffer>, idx: PlaneIndex, v: Var, t: ChunkEntry, n: number): Promise<Buffer> {
  const size = BYTES[v.type];
  const buf = pool.take(t.size);
  let bytes: Buffer = raw.read(t.addr, t.size, buf);
  for (let i = idx.filters.length - 1; i >= 0; i--) {
    if (t.filterMask & (1 << i)) continue;
    const f = idx.filters[i];
    // One output buffer (~2× faster than 16 KB pieces), and no more than a chunk holds (+ fletcher32).
    if (f === 1) bytes = await inflateAsync(bytes, { chunkSize: Math.max(16384, n + 64), maxOutputLength: n + 4 });
    else if (f === 2) bytes = unshuffle(bytes, size);
    else if (f === 3) bytes = bytes.subarray(0, bytes.length - 4);
  }
  // Unfiltered bytes are still in the pool's buffer; a typed array over them needs an aligned start.
  if (bytes.length === n && (bytes.buffer === buf.buffer || bytes.byteOffset % 8 !== 0)) {
    const own = Buffer.allocUnsafeSlow(n);
    bytes.copy(own);
    bytes = own;
  }
  pool.give(buf);
  if (bytes.length !== n) throw new Error(`chunk of ${v.name} at ${t.offset.join(',')} has ${bytes.length} bytes, expected ${n}`);
  if (idx.bigEndian) size === 2 ? bytes.swap16() : size === 4 ? bytes.swap32() : size === 8 ? bytes.swap64() : null;
  return bytes;
}
