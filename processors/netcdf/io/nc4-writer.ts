/**
 * Writes NetCDF-4 classic-model files that netCDF-C (ncdump, cdo, nco) reads: HDF5 datasets with
 * dimension scales, NC_CHAR attributes as fixed-length ASCII strings, `_nc3_strict` in the root.
 * h5wasm writes the skeleton (coordinates, small variables, attributes); the large lat×lon
 * variables are streamed plane by plane, deflated by Node's zlib and patched into place
 * (see ../hdf5/patch.ts). The file is built under a temporary name and renamed when complete.
 */
import { renameSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { deflate, deflateSync } from 'node:zlib';
import { type Attr, type Dim, type NcType, type NumArray, arrayFor, BYTES } from '../model.js';
import { ChunkPatcher } from '../hdf5/patch.js';
import { loadH5 } from './h5.js';

const deflateAsync = promisify(deflate);
const DTYPE: Record<NcType, string> = { byte: '<b', ubyte: '<B', char: '<B', short: '<h', ushort: '<H', int: '<i', uint: '<I', float: '<f', double: '<d' };
const PHONY_DIM = 'This is a netCDF dimension but not a netCDF variable.';
export const DEFLATE_LEVEL = 5;
/** Chunks up to this many bytes are deflated synchronously (see putPlane). */
const SYNC_DEFLATE_MAX = 16 * 1024;

/** Bytes a chunk of small planes aims at (a country's cut-out: ~50 daily planes per chunk). */
const CHUNK_TARGET = 64 * 1024;

/**
 * Time steps per chunk of a streamed variable: 1 (one plane per chunk, as ISIMIP's files) unless
 * its planes are small, then as many as fit CHUNK_TARGET. Only (time, lat, lon) variables: the
 * planes of one chunk are then consecutive time steps.
 */
function planesPerChunk(shape: number[], planeBytes: number): number {
  if (shape.length !== 3) return 1;
  return Math.max(1, Math.min(shape[0], Math.floor(CHUNK_TARGET / Math.max(1, planeBytes))));
}

interface Streamed {
  planeLen: number;
  planeBytes: number;
  planes: number;
  /** Planes (time steps) per chunk. */
  k: number;
  /** Chunks waiting for some of their planes. */
  pending: Map<number, { buf: Uint8Array; left: number; seen: Uint8Array }>;
}

export interface OutVar {
  name: string;
  dims: string[];
  type: NcType;
  attrs: Attr[];
  /** Whole content for small variables; absent for streamed ones (written with putPlane). */
  data?: NumArray;
}
export interface OutSpec {
  dims: Dim[];
  vars: OutVar[];
  globalAttrs: Attr[];
}

/* eslint-disable @typescript-eslint/no-explicit-any */
function writeAttrs(obj: any, attrs: Attr[]) {
  for (const a of attrs) {
    if (typeof a.value === 'string') {
      // h5wasm stores the string UTF-8 encoded: size the fixed-length type by those bytes, or a
      // non-ASCII value loses its tail.
      const bytes = Buffer.byteLength(a.value, 'utf8');
      obj.create_attribute(a.name, a.value, [], `A${Math.max(1, bytes)}`);
    } else obj.create_attribute(a.name, arrayFor(a.type, a.value.length).map((_, i) => (a.value as number[])[i]) as any, [a.value.length], DTYPE[a.type]);
  }
}

export class Nc4Writer {
  private patcher: ChunkPatcher | null = null;
  private readonly tmp: string;
  private readonly streamed = new Map<string, Streamed>();

  private constructor(private readonly path: string) {
    this.tmp = `${path}.part`;
  }

  static async create(path: string, spec: OutSpec): Promise<Nc4Writer> {
    const w = new Nc4Writer(path);
    try {
      await w.skeleton(spec);
    } catch (e) {
      w.abort();
      throw e;
    }
    return w;
  }

  private async skeleton(spec: OutSpec) {
    const h5 = await loadH5();
    const f = new h5.File(this.tmp, 'w', { track_order: true });
    const toTrack: Array<{ name: string; ohdr: number; shape: number[]; elemSize: number }> = [];
    try {
      const size = (d: string) => spec.dims.find((x) => x.name === d)!.size;
      const unlimited = (d: string) => spec.dims.find((x) => x.name === d)!.unlimited;
      const scalePath = new Map<string, string>();
      const byName = new Map(spec.vars.map((v) => [v.name, v]));
      // Dimensions first, in order: netCDF-C numbers dimensions in the order it meets their scales.
      for (const d of spec.dims) {
        const coord = byName.get(d.name);
        const isCoord = coord && coord.dims.length === 1 && coord.dims[0] === d.name && coord.data;
        const data = isCoord ? coord.data! : new Float32Array(d.size);
        const ds = f.create_dataset({
          name: d.name,
          data: data as any,
          shape: [d.size],
          dtype: DTYPE[isCoord ? coord.type : 'float'],
          ...(d.unlimited ? { maxshape: [null], chunks: [Math.max(1, Math.min(d.size, 1024))] } : {}),
        });
        ds.make_scale(isCoord ? d.name : `${PHONY_DIM}${String(d.size).padStart(10)}`);
        if (isCoord) writeAttrs(ds, coord.attrs);
        scalePath.set(d.name, `/${d.name}`);
      }
      for (const v of spec.vars) {
        if (spec.dims.some((d) => d.name === v.name) && v.dims.length === 1 && v.dims[0] === v.name && v.data) continue;
        const shape = v.dims.map(size);
        const hasUnlimited = v.dims.some(unlimited);
        let ds: any;
        if (v.data) {
          ds = f.create_dataset({
            name: v.name,
            data: v.data as any,
            shape,
            dtype: DTYPE[v.type],
            ...(hasUnlimited ? { maxshape: v.dims.map((d) => (unlimited(d) ? null : size(d))), chunks: shape.map((n) => Math.max(1, Math.min(n, 4096))), compression: 'gzip', compression_opts: DEFLATE_LEVEL } : {}),
          });
        } else {
          // Streamed: created empty and grown to size with no chunk allocated; the patcher
          // appends the chunks and their index. Chunks are one lat×lon plane, as ISIMIP's,
          // unless planes are small (a country's cut-out): then several time steps per chunk.
          const rank = shape.length;
          const planeLen = shape.slice(-2).reduce((a, b) => a * b, 1);
          const k = planesPerChunk(shape, planeLen * BYTES[v.type]);
          const chunks = shape.map((n, i) => (i === 0 && rank > 2 ? k : i < rank - 2 ? 1 : Math.max(1, n)));
          ds = f.create_dataset({
            name: v.name,
            data: arrayFor(v.type, 0) as any,
            shape: [0, ...shape.slice(1)],
            maxshape: v.dims.map((d, i) => (i === 0 && unlimited(d) ? null : shape[i])),
            chunks,
            dtype: DTYPE[v.type],
            compression: 'gzip',
            compression_opts: DEFLATE_LEVEL,
          });
          ds.resize(shape);
          this.streamed.set(v.name, { planeLen, planeBytes: planeLen * BYTES[v.type], planes: shape.slice(0, -2).reduce((a, b) => a * b, 1), k, pending: new Map() });
          const ref = ds.create_reference();
          toTrack.push({ name: v.name, ohdr: Number(Buffer.from(ref.ref_data).readBigUInt64LE(0)), shape, elemSize: BYTES[v.type] });
        }
        v.dims.forEach((d, i) => ds.attach_scale(i, scalePath.get(d)!));
        writeAttrs(ds, v.attrs);
      }
      writeAttrs(f, spec.globalAttrs);
      const classic = spec.vars.every((v) => ['byte', 'char', 'short', 'int', 'float', 'double'].includes(v.type));
      if (classic) f.create_attribute('_nc3_strict', new Int32Array([1]), [1], '<i');
    } finally {
      f.close();
    }
    if (toTrack.length) {
      this.patcher = new ChunkPatcher(this.tmp);
      for (const s of toTrack) this.patcher.track(s.name, s.ohdr, s.shape, s.elemSize);
    }
  }

  /**
   * Takes one plane; planes may come in any order. A chunk is deflated and appended once all its
   * planes are in. Large chunks are deflated on libuv's threads; small ones right here, because
   * an async zlib call costs ~0.2 ms of JS work on this thread whatever its size, several times
   * what deflating a few KB takes.
   */
  async putPlane(name: string, plane: number, data: NumArray) {
    const s = this.streamed.get(name)!;
    if (data.length !== s.planeLen) throw new Error(`plane of ${name} has ${data.length} values, expected ${s.planeLen}`);
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    let chunk = bytes;
    const c = Math.floor(plane / s.k);
    if (s.k > 1) {
      // Copied now: the caller may reuse `data` once this returns. The last chunk's planes past
      // the end stay zero (HDF5 stores edge chunks whole and never reads that part).
      let b = s.pending.get(c);
      if (!b) s.pending.set(c, (b = { buf: new Uint8Array(s.k * s.planeBytes), left: Math.min(s.k, s.planes - c * s.k), seen: new Uint8Array(s.k) }));
      // A plane given twice would complete its chunk with another plane missing.
      if (b.seen[plane - c * s.k]++) throw new Error(`plane ${plane} of ${name} was written twice`);
      b.buf.set(bytes, (plane - c * s.k) * s.planeBytes);
      if (--b.left > 0) return;
      s.pending.delete(c);
      chunk = b.buf;
    }
    const z = chunk.byteLength <= SYNC_DEFLATE_MAX ? deflateSync(chunk, { level: DEFLATE_LEVEL }) : await deflateAsync(chunk, { level: DEFLATE_LEVEL, chunkSize: Math.max(16384, chunk.byteLength >> 2) });
    this.patcher!.put(name, c, z);
  }

  /** Completes the file and gives it its final name. */
  finish() {
    this.patcher?.finish();
    this.patcher = null;
    renameSync(this.tmp, this.path);
  }

  abort() {
    try {
      this.patcher?.abort();
    } catch {
      /* already closed */
    }
    rmSync(this.tmp, { force: true });
  }
}
