/**
 * NetCDF-4 metadata and reads through h5wasm: the fallback for HDF5 structures the plain-JS
 * reader (../hdf5/objects.ts) does not know, and the hyperslab reader for chunk layouts the fast
 * plane path does not handle. HDF5 runs in WebAssembly here: a malformed file traps, it cannot
 * take the process down.
 */
import type { Attr, NcType, NumArray, Var } from '../model.js';
import type { StoredVar } from './chunk-planes.js';
import { loadH5 } from './h5.js';
import { INTERNAL_ATTRS, type DatasetInfo } from './nc4-model.js';

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

export class H5wasmFile {
  private constructor(private readonly file: any) {}

  static async open(path: string): Promise<H5wasmFile> {
    const h5 = await loadH5();
    return new H5wasmFile(new h5.File(path, 'r'));
  }

  async describe(): Promise<{ globalAttrs: Attr[]; datasets: DatasetInfo[] }> {
    const h5 = await loadH5();
    const datasets: DatasetInfo[] = [];
    for (const name of this.file.keys()) {
      const d = this.file.get(name);
      if (!(d instanceof h5.Dataset)) continue;
      const dimList = d.attrs.DIMENSION_LIST ? (d.attrs.DIMENSION_LIST.value as any[]).map((r: any) => this.file.dereference(Array.isArray(r) ? r[0] : r)?.path?.replace(/^\//, '') ?? '?') : null;
      const shape: number[] = d.shape ?? [];
      datasets.push({ name, shape, maxshape: d.metadata.maxshape ?? shape, type: ncType(d.metadata), attrs: readAttrs(d), cls: d.attrs.CLASS ? String(d.attrs.CLASS.value) : undefined, scaleName: d.attrs.NAME ? String(d.attrs.NAME.value) : undefined, dimList });
    }
    return { globalAttrs: readAttrs(this.file), datasets };
  }

  stored(name: string): StoredVar {
    const d = this.file.get(name);
    return {
      addr: Number(Buffer.from(d.create_reference().ref_data).readBigUInt64LE(0)),
      shape: d.shape,
      chunked: !!d.metadata.chunks,
      filters: (d.filters ?? []).map((f: any) => f.id),
      bigEndian: !d.metadata.littleEndian,
    };
  }

  readAll(name: string): NumArray {
    const v = this.file.get(name).value;
    return ArrayBuffer.isView(v) ? (v as NumArray) : Float64Array.from([Number(v)]);
  }

  slicePlane(v: Var, plane: number, row0: number, row1: number): NumArray {
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
    this.file.close();
  }
}
