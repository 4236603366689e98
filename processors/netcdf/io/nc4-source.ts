/**
 * NetCDF-4 input. h5wasm reads the metadata and small variables; the big lat×lon variables are
 * read chunk by chunk with plain file reads and Node's zlib (async, so inflating runs on libuv's
 * threads while JS works on the previous plane). Files whose layout the chunk reader does not
 * know fall back to h5wasm hyperslabs, which is slower but reads anything HDF5 can.
 */
import { closeSync, openSync } from 'node:fs';
import type { Attr, Dim, NcType, NumArray, Source, Var } from '../model.js';
import { RawFile } from '../hdf5/chunk-index.js';
import { planeIndex, readTiles, type PlaneIndex } from './chunk-planes.js';
import { loadH5, type H5 } from './h5.js';
import { Pool } from '../stream.js';

const INTERNAL_ATTRS = new Set(['CLASS', 'NAME', 'DIMENSION_LIST', 'REFERENCE_LIST', '_Netcdf4Coordinates', '_Netcdf4Dimid', '_NCProperties', '_nc3_strict', '_SuperblockVersion', '_IsNetcdf4']);
const PHONY_DIM = 'This is a netCDF dimension but not a netCDF variable';

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

  private index(name: string): PlaneIndex | null {
    if (!this.planeIndex.has(name)) this.planeIndex.set(name, planeIndex(this.raw, this.file.get(name)));
    return this.planeIndex.get(name)!;
  }

  async readPlane(name: string, plane: number, row0: number, row1: number): Promise<NumArray> {
    const v = this.vars.find((x) => x.name === name)!;
    const idx = this.index(name);
    return idx ? readTiles(this.raw, this.rawPool, idx, v, plane, row0, row1) : this.slicePlane(v, plane, row0, row1);
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
