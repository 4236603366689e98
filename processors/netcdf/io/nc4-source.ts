/**
 * NetCDF-4 input. Metadata and small variables are read in plain JS (nc4-plain.ts) when the
 * file's HDF5 structures are the ones netCDF-C writes, else through h5wasm (nc4-h5wasm.ts).
 * The big lat×lon variables are read chunk by chunk with plain file reads and Node's zlib (async,
 * so inflating runs on libuv's threads while JS works on the previous plane); layouts the chunk
 * reader does not know fall back to h5wasm hyperslabs, which is slower but reads anything.
 */
import { closeSync, openSync } from 'node:fs';
import type { Attr, Dim, NumArray, Source, Var } from '../model.js';
import { RawFile } from '../hdf5/chunk-index.js';
import { planeIndex, readTiles, type PlaneIndex } from './chunk-planes.js';
import { netcdfModel } from './nc4-model.js';
import { H5wasmFile } from './nc4-h5wasm.js';
import { PlainNc4 } from './nc4-plain.js';
import { Pool } from '../stream.js';

export class Nc4Source implements Source {
  readonly format = 'NetCDF-4' as const;
  dims: Dim[] = [];
  vars: Var[] = [];
  globalAttrs: Attr[] = [];
  private plain: PlainNc4 | null = null;
  private h5: H5wasmFile | null = null;
  private raw!: RawFile;
  private fd = -1;
  private planeIndex = new Map<string, PlaneIndex | null>();
  private readonly rawPool = new Pool((n) => Buffer.allocUnsafe(Math.ceil(n * 1.1))); // slack: compressed sizes vary

  private constructor(private readonly path: string) {}

  static async open(path: string): Promise<Nc4Source> {
    const s = new Nc4Source(path);
    try {
      s.fd = openSync(path, 'r');
      s.raw = new RawFile(s.fd);
      let described;
      try {
        s.plain = new PlainNc4(s.raw);
        described = { globalAttrs: s.plain.globalAttrs, datasets: s.plain.datasets };
      } catch {
        // Unknown structures, or a damaged file: h5wasm either reads it or gives HDF5's own error.
        s.plain = null;
        described = await (await s.hdf5()).describe();
      }
      s.globalAttrs = described.globalAttrs;
      Object.assign(s, netcdfModel(described.datasets));
    } catch (e) {
      s.close();
      throw e;
    }
    return s;
  }

  /** Which reader supplied the metadata (for tests and logs). */
  get reader(): 'plain' | 'h5wasm' {
    return this.plain ? 'plain' : 'h5wasm';
  }

  private async hdf5(): Promise<H5wasmFile> {
    this.h5 ??= await H5wasmFile.open(this.path);
    return this.h5;
  }

  readAll(name: string): NumArray {
    if (this.plain) return this.plain.readAll(name);
    return this.h5!.readAll(name);
  }

  private index(name: string): PlaneIndex | null {
    if (!this.planeIndex.has(name)) this.planeIndex.set(name, planeIndex(this.raw, this.plain ? this.plain.stored(name) : this.h5!.stored(name)));
    return this.planeIndex.get(name)!;
  }

  async readPlane(name: string, plane: number, row0: number, row1: number): Promise<NumArray> {
    const v = this.vars.find((x) => x.name === name)!;
    const idx = this.index(name);
    return idx ? readTiles(this.raw, this.rawPool, idx, v, plane, row0, row1) : (await this.hdf5()).slicePlane(v, plane, row0, row1);
  }

  close() {
    try {
      this.h5?.close();
    } finally {
      this.h5 = null;
      if (this.fd >= 0) closeSync(this.fd);
      this.fd = -1;
    }
  }
}
