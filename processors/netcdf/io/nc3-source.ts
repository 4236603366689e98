/**
 * NetCDF-3 (classic, 64-bit offset, CDF-5) input: netcdfjs parses only the header (from the
 * first bytes of the file), and planes are read straight from their file offsets, so a large
 * file is never loaded whole (netcdfjs alone would read it all into memory).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { NetCDFReader } from 'netcdfjs';
import { arrayFor, BYTES, type Attr, type Dim, type NcType, type NumArray, type Source, type Var } from '../model.js';

interface Nc3Var extends Var {
  offset: number;
  record: boolean;
}

const toAttr = (a: { name: string; type: string; value: unknown }): Attr => ({
  name: a.name,
  type: a.type as NcType,
  value: typeof a.value === 'string' ? a.value : Array.isArray(a.value) ? a.value.map(Number) : [Number(a.value)],
});

export class Nc3Source implements Source {
  readonly format = 'NetCDF-3' as const;
  readonly dims: Dim[];
  readonly vars: Nc3Var[];
  readonly globalAttrs: Attr[];
  private readonly fd: number;
  private readonly recSize: number;
  private readonly size: number;

  constructor(path: string) {
    this.fd = openSync(path, 'r');
    this.size = fstatSync(this.fd).size;
    let reader: NetCDFReader | null = null;
    // The header length is not known up front: grow the prefix until it parses.
    for (let len = 65536; !reader; len *= 4) {
      const buf = Buffer.alloc(Math.min(len, this.size));
      readSync(this.fd, buf, 0, buf.length, 0);
      try {
        reader = new NetCDFReader(buf);
      } catch (e) {
        if (buf.length >= this.size || len > 64 * 1024 * 1024) throw new Error(`not a readable NetCDF-3 file: ${(e as Error).message}`);
      }
    }
    const rec = reader.recordDimension;
    this.recSize = rec?.recordStep ?? 0;
    this.dims = reader.dimensions.map((d, i) => ({ name: d.name, size: rec && i === rec.id ? rec.length : d.size, unlimited: !!rec && i === rec.id }));
    this.globalAttrs = reader.globalAttributes.map(toAttr);
    this.vars = reader.variables.map((v) => {
      const dims = (v.dimensions as number[]).map((i) => this.dims[i].name);
      return { name: v.name, dims, shape: dims.map((d) => this.dims.find((x) => x.name === d)!.size), type: v.type as NcType, attrs: v.attributes.map(toAttr), offset: Number(v.offset), record: !!v.record };
    });
  }

  private v(name: string): Nc3Var {
    const v = this.vars.find((x) => x.name === name);
    if (!v) throw new Error(`no variable ${name}`);
    return v;
  }

  private readBE(v: Nc3Var, pos: number, count: number): NumArray {
    const size = BYTES[v.type];
    if (pos + count * size > this.size) throw new Error(`file is truncated: variable ${v.name} needs bytes up to ${pos + count * size}, the file has ${this.size}`);
    const buf = Buffer.alloc(count * size);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(this.fd, buf, got, buf.length - got, pos + got);
      if (n <= 0) throw new Error('unexpected end of file');
      got += n;
    }
    if (size === 2) buf.swap16();
    else if (size === 4) buf.swap32();
    else if (size === 8) buf.swap64();
    return arrayFor(v.type, buf.buffer, buf.byteOffset, count);
  }

  readAll(name: string): NumArray {
    const v = this.v(name);
    const n = v.shape.reduce((a, b) => a * b, 1);
    if (!v.record) return this.readBE(v, v.offset, n);
    const per = n / Math.max(1, v.shape[0]);
    const out = arrayFor(v.type, n);
    for (let r = 0; r < v.shape[0]; r++) out.set(this.readBE(v, v.offset + r * this.recSize, per), r * per);
    return out;
  }

  async readPlane(name: string, plane: number, row0: number, row1: number): Promise<NumArray> {
    const v = this.v(name);
    const [nlat, nlon] = v.shape.slice(-2);
    const planeLen = nlat * nlon;
    const size = BYTES[v.type];
    let pos: number;
    if (v.record) {
      const perRecord = v.shape.slice(1, -2).reduce((a, b) => a * b, 1);
      pos = v.offset + Math.floor(plane / perRecord) * this.recSize + (plane % perRecord) * planeLen * size;
    } else pos = v.offset + plane * planeLen * size;
    return this.readBE(v, pos + row0 * nlon * size, (row1 - row0) * nlon);
  }

  close() {
    closeSync(this.fd);
  }
}
