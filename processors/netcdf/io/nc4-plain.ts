/**
 * NetCDF-4 metadata and small-variable reads in plain JS (../hdf5/objects.ts, read-data.ts):
 * no WebAssembly instance, so the API thread can validate a request for ~0 MB instead of the
 * ~45 MB h5wasm costs per thread. Throws (Unsupported or a format error) on anything it does
 * not know; the caller then uses h5wasm.
 */
import type { Attr, NcType, NumArray } from '../model.js';
import { arrayFor, DEFAULT_FILL, numAttr } from '../model.js';
import type { RawFile } from '../hdf5/chunk-index.js';
import { Unsupported, type Datatype } from '../hdf5/datatype.js';
import { readRoot, type H5Attr, type H5Dataset } from '../hdf5/objects.js';
import { elementSize, readDatasetBytes } from '../hdf5/read-data.js';
import type { StoredVar } from './chunk-planes.js';
import { INTERNAL_ATTRS, type DatasetInfo } from './nc4-model.js';

function ncType(t: Datatype): NcType {
  if (t.kind === 'float' && (t.size === 4 || t.size === 8)) return t.size === 8 ? 'double' : 'float';
  if (t.kind === 'int' && (t.size === 1 || t.size === 2 || t.size === 4)) {
    const n = ({ 1: 'byte', 2: 'short', 4: 'int' } as const)[t.size];
    return t.signed ? n : (`u${n}` as NcType);
  }
  if (t.kind === 'string' || t.kind === 'vstring') return 'char';
  throw new Unsupported(`HDF5 type ${t.kind} of ${'size' in t ? t.size : '?'} bytes`);
}

function userAttrs(attrs: H5Attr[]): Attr[] {
  const out: Attr[] = [];
  for (const a of attrs) {
    if (INTERNAL_ATTRS.has(a.name)) continue;
    const type = ncType(a.type);
    if (a.value.kind === 'str') out.push({ name: a.name, type, value: a.value.value });
    else if (a.value.kind === 'num') out.push({ name: a.name, type, value: a.value.values });
    else throw new Unsupported(`attribute ${a.name}`);
  }
  return out;
}

function dimName(byAddr: Map<number, string>, ref: number | undefined, v: string): string {
  const name = ref === undefined ? undefined : byAddr.get(ref);
  if (name === undefined) throw new Unsupported(`a dimension of ${v} is no dataset of the root group`);
  return name;
}

const strOf = (attrs: H5Attr[], name: string) => {
  const v = attrs.find((a) => a.name === name)?.value;
  return v?.kind === 'str' ? v.value : undefined;
};

export class PlainNc4 {
  /** Each dataset as read from the file, and as the NetCDF model sees it. */
  private readonly byName = new Map<string, { h5: H5Dataset; info: DatasetInfo }>();
  readonly globalAttrs: Attr[];
  readonly datasets: DatasetInfo[];

  constructor(private readonly raw: RawFile) {
    const root = readRoot(raw);
    const byAddr = new Map(root.datasets.map((d) => [d.addr, d.name]));
    this.globalAttrs = userAttrs(root.attrs);
    this.datasets = root.datasets.map((d) => {
      // Reads are synchronous: a layout we could not read later must send the file to h5wasm now.
      if (d.layout.kind === 'chunked' && d.layout.version !== 3) throw new Unsupported(`chunk index of ${d.name}`);
      if (!d.filters.every((f) => f === 1 || f === 2 || f === 3)) throw new Unsupported(`filters of ${d.name}`);
      // NC_CHAR variables are strings of 1 byte; longer fixed strings are no classic-model type.
      if (elementSize(d.type) !== 1 && d.type.kind === 'string') throw new Unsupported(`string variable ${d.name}`);
      const list = d.attrs.find((a) => a.name === 'DIMENSION_LIST')?.value;
      if (list && list.kind !== 'refs') throw new Unsupported(`DIMENSION_LIST of ${d.name}`);
      const info: DatasetInfo = { name: d.name, shape: d.shape, maxshape: d.maxshape, type: ncType(d.type), attrs: userAttrs(d.attrs), cls: strOf(d.attrs, 'CLASS'), scaleName: strOf(d.attrs, 'NAME'), dimList: list ? list.refs.map((r) => dimName(byAddr, r[0], d.name)) : null };
      this.byName.set(d.name, { h5: d, info });
      return info;
    });
  }

  stored(name: string): StoredVar {
    const d = this.byName.get(name)!.h5;
    return { addr: d.addr, shape: d.shape, chunked: d.layout.kind === 'chunked' && d.layout.version === 3, filters: d.filters, bigEndian: (d.type.kind === 'int' || d.type.kind === 'float') && d.type.bigEndian };
  }

  readAll(name: string): NumArray {
    const { h5: d, info } = this.byName.get(name)!;
    const { type } = info;
    const n = d.shape.reduce((a, b) => a * b, 1);
    const fill = arrayFor(type, 1);
    fill[0] = numAttr(info.attrs, '_FillValue') ?? DEFAULT_FILL[type];
    const bytes = readDatasetBytes(this.raw, d, Buffer.from(fill.buffer));
    // A fresh, aligned buffer: typed arrays need their element alignment.
    const copy = new ArrayBuffer(bytes.length);
    new Uint8Array(copy).set(bytes);
    return arrayFor(type, copy, 0, n);
  }
}
