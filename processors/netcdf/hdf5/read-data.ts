/**
 * Whole-dataset reads for the small variables of a NetCDF-4 file (coordinates, bounds, time),
 * in plain JS with Node's zlib: compact, contiguous and version-1-B-tree chunked storage with
 * deflate, shuffle and fletcher32. The big (…, lat, lon) variables are streamed by
 * ../io/chunk-planes.ts instead. Other layouts or filters raise Unsupported (h5wasm reads them).
 */
import { inflateSync } from 'node:zlib';
import { chunkLayout, UNDEF, type RawFile } from './chunk-index.js';
import { Unsupported, type Datatype } from './datatype.js';
import type { H5Dataset } from './objects.js';

/**
 * Largest dataset read whole (a variable without lat/lon, copied as it is), and largest chunk:
 * beyond this a crafted layout could make one inflate allocate gigabytes.
 */
const MAX_BYTES = 2 ** 30;

export function elementSize(t: Datatype): number {
  if (t.kind === 'int' || t.kind === 'float' || t.kind === 'string') return t.size;
  throw new Unsupported(`variables of HDF5 type ${t.kind}`);
}

export function unshuffle(b: Buffer, size: number): Buffer {
  if (size === 1) return b;
  const n = Math.floor(b.length / size);
  const out = Buffer.alloc(b.length);
  for (let k = 0; k < size; k++) for (let i = 0; i < n; i++) out[i * size + k] = b[k * n + i];
  b.copy(out, n * size, n * size);
  return out;
}

/**
 * Undoes a chunk's filters (last applied first); `mask` bit i set: filter i was skipped.
 * `expect` bounds the inflated size: a crafted chunk must not inflate into gigabytes.
 */
export function unfilter(bytes: Buffer, filters: number[], mask: number, size: number, expect: number): Buffer {
  for (let i = filters.length - 1; i >= 0; i--) {
    if (mask & (1 << i)) continue;
    const f = filters[i];
    if (f === 1) bytes = inflateSync(bytes, { maxOutputLength: expect + 4 });
    else if (f === 2) bytes = unshuffle(bytes, size);
    else if (f === 3) bytes = bytes.subarray(0, bytes.length - 4);
    else throw new Unsupported(`HDF5 filter ${f}`);
  }
  return bytes;
}

/**
 * The dataset's bytes in C order and little-endian. Elements never written (no storage, or
 * chunks never allocated) hold `fill` (one element's bytes), as HDF5 would return them.
 */
export function readDatasetBytes(f: RawFile, d: H5Dataset, fill: Buffer): Buffer {
  const size = elementSize(d.type);
  const n = d.shape.reduce((a, b) => a * b, 1);
  const total = n * size;
  if (total > MAX_BYTES) throw new Error(`variable "${d.name}" is too large to read whole (${total} bytes)`);
  if (fill.length !== size) throw new Error('fill value of the wrong size');
  let out: Buffer;
  const L = d.layout;
  const big = (d.type.kind === 'int' || d.type.kind === 'float') && d.type.bigEndian;
  const swap = (b: Buffer) => (big ? (size === 2 ? b.swap16() : size === 4 ? b.swap32() : size === 8 ? b.swap64() : b) : b);
  if (L.kind === 'compact') {
    if (L.data.length < total) throw new Error(`compact data of "${d.name}" is truncated`);
    out = swap(Buffer.from(L.data.subarray(0, total)));
  } else if (L.kind === 'contiguous') {
    if (L.addr !== UNDEF && L.size < total) throw new Error(`contiguous data of "${d.name}" is truncated`);
    out = L.addr === UNDEF ? Buffer.alloc(total, fill) : swap(Buffer.from(f.read(L.addr, total)));
  } else if (L.version === 3) {
    out = readChunked(f, d, size, total, fill, swap);
  } else throw new Unsupported(`chunk index of "${d.name}" (layout version 4)`);
  return out;
}

function readChunked(f: RawFile, d: H5Dataset, size: number, total: number, fill: Buffer, swap: (b: Buffer) => Buffer): Buffer {
  const rank = d.shape.length;
  const layout = chunkLayout(f, d.addr, rank);
  if (!layout) throw new Unsupported(`chunk layout of "${d.name}"`);
  const cd = layout.chunkDims;
  const chunkElems = cd.reduce((a, b) => a * b, 1);
  if (!(chunkElems > 0) || chunkElems * size > MAX_BYTES) throw new Error(`chunks of "${d.name}" are ${chunkElems} elements`);
  const out = Buffer.alloc(total, fill);
  const strides = d.shape.map((_, i) => d.shape.slice(i + 1).reduce((a, b) => a * b, 1));
  for (const c of layout.chunks) {
    const raw = swap(unfilter(f.read(c.addr, c.size), d.filters, c.filterMask, size, chunkElems * size));
    if (raw.length < chunkElems * size) throw new Error(`chunk of "${d.name}" at ${c.offset.join(',')} is truncated`);
    // Copy row by row along the last dimension, clipped to the dataset's extent.
    const last = rank - 1;
    const runLen = Math.max(0, Math.min(cd[last], d.shape[last] - c.offset[last]));
    const rows = chunkElems / cd[last];
    for (let r = 0; r < rows; r++) {
      let rem = r;
      let dst = 0;
      let inside = true;
      for (let i = last - 1; i >= 0; i--) {
        const k = rem % cd[i];
        rem = Math.floor(rem / cd[i]);
        const g = c.offset[i] + k;
        if (g >= d.shape[i]) inside = false;
        dst += g * strides[i];
      }
      if (!inside || runLen === 0) continue;
      dst += c.offset[last];
      raw.copy(out, dst * size, r * cd[last] * size, (r * cd[last] + runLen) * size);
    }
  }
  return out;
}
