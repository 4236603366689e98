/**
 * NetCDF-4 input. h5wasm reads the metadata and small variables; the big lat×lon variables are
 * read chunk by chunk with plain file reads and Node's zlib (async, so inflating runs on libuv's
 * threads while JS works on the previous plane). Files whose layout the chunk reader does not
 * know fall back to h5wasm hyperslabs, which is slower but reads anything HDF5 can.
 */
import { closeSync, openSync } from 'node:fs';
import { promisify } from 'node:util';
import { inflate } from 'node:zlib';
import { arrayFor, BYTES, numAttr, type Attr, type Dim, type NcType, type NumArray, type Source, type Var } from '../model.js';
import { chunkLayout, RawFile, type ChunkEntry } from '../hdf5/chunk-index.js';
import { loadH5, type H5 } from './h5.js';
import { Pool } from '../stream.js';

const inflateAsync = promisify(inflate);
const INTERNAL_ATTRS = new Set(['CLASS', 'NAME', 'DIMENSION_LIST', 'REFERENCE_LIST', '_Netcdf4Coordinates', '_Netcdf4Dimid', '_NCProperties', '_nc3_strict', '_SuperblockVersion', '_IsNetcdf4']);
const PHONY_DIM = 'This is a netCDF dimension but not a netCDF variable';
const DEFAULT_FILL: Record<NcType, number> = { byte: -127, ubyte: 255, char: 0, short: -32767, ushort: 65535, int: -2147483647, uint: 4294967295, float: 9.969209968386869e36, double: 9.969209968386869e36 };

/* eslint-disable @typescript-eslint/no-explicit-any */
function ncType(meta: any): NcType {
  if (meta.type === 1) return meta.size === 8 ? 'double' : meta.size === 4 ? 'float' : unsupported(meta);
  if (meta.type === 0) {
    const t = ({ 1: 'byte', 2: 'short', 4: 'int' } as Record<number, NcType>)[meta.size];
    if (!t) return unsupported(meta);
    return meta.signed ? t : (('u' + t) as NcType);
  }
  if (meta.type === 3) return 'char';
  return unsupported(meta);
}
function unsupported(meta: any): never {
  throw new Error(`unsupported HDF5 data type (class ${meta.type}, size ${meta.size})`);
}

function readAttrs(obj: any): Attr[] {
  const out: Attr[] = [];
  for (const name of Object.keys(obj.attrs)) {
    if (INTERNAL_ATTRS.has(name)) continue;
    const a = obj.attrs[name];
    const type = ncType(a.metadata);
    const v = a.value;
    out.push({ name, type, value: type === 'char' ? String(Array.isArray(v) ? v.join('') : v) : Array.from(ArrayBuffer.isView(v) ? (v as any) : [v], Number) });
  }
  return out;
}

interface PlaneIndex {
  rank: number;
  chunkDims: number[];
  tiles: Map<number, ChunkEntry[]>;
  filters: number[];
  bigEndian: boolean;
}

export class Nc4Source implements Source {
  readonly format = 'NetCDF-4' as const;
  dims: Dim[] = [];
  vars: Var[] = [];
  globalAttrs: Attr[] = [];
  private file: any;
  private raw!: RawFile;
  private fd = -1;
  private planeIndex = new Map<string, PlaneIndex | null>();
  private readonly rawPool = new Pool((n) => Buffer.allocUnsafe(Math.ceil(n * 1.1))); // slack: compressed sizes vary

  static async open(path: string): Promise<Nc4Source> {
    const h5 = await loadH5();
    const s = new Nc4Source();
    try {
      s.init(h5, path);
    } catch (e) {
      s.close();
      throw e;
    }
    return s;
  }

  private init(h5: H5, path: string) {
    this.file = new h5.File(path, 'r');
    this.fd = openSync(path, 'r');
    this.raw = new RawFile(this.fd);
    this.globalAttrs = readAttrs(this.file);
    const datasets: Array<[string, any]> = [];
    for (const name of this.file.keys()) {
      const d = this.file.get(name);
      if (d instanceof h5.Dataset) datasets.push([name, d]);
    }
    for (const [name, d] of datasets) {
      if (d.attrs.CLASS?.value !== 'DIMENSION_SCALE') continue;
      const max = (d.metadata.maxshape ?? d.shape)[0];
      this.dims.push({ name, size: d.shape[0], unlimited: max > 2 ** 53 });
    }
    for (const [name, d] of datasets) {
      const isScale = d.attrs.CLASS?.value === 'DIMENSION_SCALE';
      if (isScale && String(d.attrs.NAME?.value ?? '').startsWith(PHONY_DIM)) continue;
      const shape: number[] = d.shape ?? [];
      let dims: string[];
      if (isScale) dims = [name];
      else if (d.attrs.DIMENSION_LIST) dims = (d.attrs.DIMENSION_LIST.value as any[]).map((r: any) => this.file.dereference(Array.isArray(r) ? r[0] : r)?.path?.replace(/^\//, '') ?? '?');
      else dims = shape.map((n, i) => this.phonyDim(n, i));
      this.vars.push({ name, dims, shape, type: ncType(d.metadata), attrs: readAttrs(d) });
    }
  }

  private phonyDim(size: number, i: number): string {
    const name = `phony_dim_${i}_${size}`;
    if (!this.dims.some((x) => x.name === name)) this.dims.push({ name, size, unlimited: false });
    return name;
  }

  readAll(name: string): NumArray {
    const v = this.file.get(name).value;
    return ArrayBuffer.isView(v) ? (v as NumArray) : Float64Array.from([Number(v)]);
  }

  /** The chunk tiles of a variable whose chunks have extent 1 in every leading dimension. */
  private index(name: string): PlaneIndex | null {
    if (this.planeIndex.has(name)) return this.planeIndex.get(name)!;
    let idx: PlaneIndex | null = null;
    const d = this.file.get(name);
    const meta = d.metadata;
    const filters: number[] = (d.filters ?? []).map((f: any) => f.id);
    const rank = d.shape.length;
    if (meta.chunks && filters.every((f) => f === 1 || f === 2 || f === 3)) {
      const ref = d.create_reference();
      const layout = chunkLayout(this.raw, Number(Buffer.from(ref.ref_data).readBigUInt64LE(0)), rank);
      if (layout && layout.chunkDims.slice(0, -2).every((c) => c === 1)) {
        const [nlat, nlon] = d.shape.slice(-2);
        const tiles = new Map<number, ChunkEntry[]>();
        for (const c of layout.chunks) {
          let p = 0;
          for (let i = 0; i < rank - 2; i++) p = p * d.shape[i] + c.offset[i];
          if (c.offset[rank - 2] >= nlat || c.offset[rank - 1] >= nlon) continue;
          (tiles.get(p) ?? tiles.set(p, []).get(p)!).push(c);
        }
        idx = { rank, chunkDims: layout.chunkDims, tiles, filters, bigEndian: !meta.littleEndian };
      }
    }
    this.planeIndex.set(name, idx);
    return idx;
  }

  async readPlane(name: string, plane: number, row0: number, row1: number): Promise<NumArray> {
    const v = this.vars.find((x) => x.name === name)!;
    const [, nlon] = v.shape.slice(-2);
    const idx = this.index(name);
    if (!idx) return this.slicePlane(v, plane, row0, row1);
    const size = BYTES[v.type];
    const out = arrayFor(v.type, (row1 - row0) * nlon);
    const tiles = idx.tiles.get(plane) ?? [];
    const [clat, clon] = idx.chunkDims.slice(-2);
    const covered = tiles.filter((t) => t.offset[idx.rank - 2] < row1 && t.offset[idx.rank - 2] + clat > row0);
    // Chunks never written read as the fill value, as HDF5 would return them.
    const area = covered.reduce((s, t) => {
      const r0 = t.offset[idx.rank - 2];
      return s + (Math.min(r0 + clat, row1) - Math.max(r0, row0)) * Math.min(clon, nlon - t.offset[idx.rank - 1]);
    }, 0);
    if (area < (row1 - row0) * nlon) out.fill(numAttr(v.attrs, '_FillValue') ?? DEFAULT_FILL[v.type]);
    await Promise.all(
      covered.map(async (t) => {
        const raw = this.rawPool.take(t.size);
        let bytes: Buffer = this.raw.read(t.addr, t.size, raw);
        for (let i = idx.filters.length - 1; i >= 0; i--) {
          if (t.filterMask & (1 << i)) continue;
          const f = idx.filters[i];
          if (f === 1) bytes = await inflateAsync(bytes, { chunkSize: Math.max(16384, clat * clon * size + 64) }); // one output buffer: ~2× faster than 16 KB pieces
          else if (f === 2) bytes = unshuffle(bytes, size);
          else if (f === 3) bytes = bytes.subarray(0, bytes.length - 4);
        }
        if (bytes.buffer !== raw.buffer) this.rawPool.give(raw);
        if (bytes.length !== clat * clon * size) throw new Error(`chunk of ${name} at ${t.offset.join(',')} has ${bytes.length} bytes, expected ${clat * clon * size}`);
        if (idx.bigEndian) size === 2 ? bytes.swap16() : size === 4 ? bytes.swap32() : size === 8 ? bytes.swap64() : null;
        const tile = arrayFor(v.type, bytes.buffer as ArrayBuffer, bytes.byteOffset, clat * clon);
        const r0 = t.offset[idx.rank - 2];
        const c0 = t.offset[idx.rank - 1];
        const w = Math.min(clon, nlon - c0);
        for (let r = Math.max(r0, row0); r < Math.min(r0 + clat, row1); r++) out.set(tile.subarray((r - r0) * clon, (r - r0) * clon + w), (r - row0) * nlon + c0);
      }),
    );
    return out;
  }

  private slicePlane(v: Var, plane: number, row0: number, row1: number): NumArray {
    const lead = v.shape.slice(0, -2);
    const ranges: Array<[number, number]> = [];
    let p = plane;
    for (let i = lead.length - 1; i >= 0; i--) {
      const k = p % lead[i];
      p = Math.floor(p / lead[i]);
      ranges.unshift([k, k + 1]);
    }
    return this.file.get(v.name).slice([...ranges, [row0, row1], []]) as NumArray;
  }

  close() {
    try {
      this.file?.close();
    } finally {
      if (this.fd >= 0) closeSync(this.fd);
      this.fd = -1;
    }
  }
}

function unshuffle(b: Buffer, size: number): Buffer {
  if (size === 1) return b;
  const n = Math.floor(b.length / size);
  const out = Buffer.alloc(b.length);
  for (let k = 0; k < size; k++) for (let i = 0; i < n; i++) out[i * size + k] = b[k * n + i];
  b.copy(out, n * size, n * size);
  return out;
}
