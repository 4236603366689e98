/**
 * HDF5 datatype and dataspace messages, and the values of attributes stored with them
 * (HDF5 file format spec, sections IV.A.2.b "Dataspace", IV.A.2.d "Datatype", IV.A.2.m
 * "Attribute"). Only what NetCDF-4 files hold is decoded: integers, floats, fixed and
 * variable-length strings, and variable-length sequences of object references (DIMENSION_LIST).
 * Anything else is an Unsupported error, which sends the caller to the h5wasm reader.
 */
import { addr, type RawFile } from './chunk-index.js';

export class Unsupported extends Error {}

export type Datatype =
  | { kind: 'int'; size: number; signed: boolean; bigEndian: boolean }
  | { kind: 'float'; size: number; bigEndian: boolean }
  | { kind: 'string'; size: number }
  | { kind: 'vstring' }
  | { kind: 'vseq'; base: Datatype }
  | { kind: 'ref'; size: number }
  | { kind: 'other'; cls: number; size: number };

/** Parses a datatype message; returns it and its encoded length. */
export function parseDatatype(b: Buffer, o: number): { type: Datatype; len: number } {
  if (o + 8 > b.length) throw new Error('datatype message truncated');
  const cls = b[o] & 0x0f;
  const bits = b[o + 1];
  const size = b.readUInt32LE(o + 4);
  // Zero-sized elements would let a dataspace of 2^60 elements pass every bounds check.
  if (((cls === 0 || cls === 1) && (size === 0 || size > 16)) || (cls === 3 && size === 0)) throw new Error(`datatype of ${size} bytes`);
  switch (cls) {
    case 0:
      return { type: { kind: 'int', size, signed: !!(bits & 0x08), bigEndian: !!(bits & 0x01) }, len: 12 };
    case 1:
      return { type: { kind: 'float', size, bigEndian: !!(bits & 0x01) }, len: 20 };
    case 3:
      return { type: { kind: 'string', size }, len: 8 };
    case 7:
      return { type: { kind: 'ref', size }, len: 8 };
    case 9: {
      const base = parseDatatype(b, o + 8);
      if ((bits & 0x0f) === 1) return { type: { kind: 'vstring' }, len: 8 + base.len };
      return { type: { kind: 'vseq', base: base.type }, len: 8 + base.len };
    }
    default:
      // Compound, enum, array, opaque, bitfield, time: no NetCDF-4 classic variable uses them,
      // but an attribute we skip (REFERENCE_LIST is compound) may; its length is not needed then.
      return { type: { kind: 'other', cls, size }, len: -1 };
  }
}

/** Dimensions (and maximum dimensions) of a dataspace message, versions 1 and 2. */
export function parseDataspace(b: Buffer, o: number): { shape: number[]; maxshape: number[] } {
  const version = b[o];
  const rank = b[o + 1];
  const flags = b[o + 2];
  if (version === 2 && b[o + 3] === 2) return { shape: [0], maxshape: [0] }; // null dataspace: no elements
  let p = o + (version === 1 ? 8 : version === 2 ? 4 : NaN);
  if (Number.isNaN(p)) throw new Unsupported(`dataspace message version ${version}`);
  if (p + rank * 8 * (flags & 1 ? 2 : 1) > b.length) throw new Error('dataspace message truncated');
  const shape: number[] = [];
  for (let i = 0; i < rank; i++, p += 8) shape.push(addr(b, p));
  const maxshape = [...shape];
  if (flags & 1) for (let i = 0; i < rank; i++, p += 8) maxshape[i] = addr(b, p);
  return { shape, maxshape };
}

/**
 * Reads one object of a global heap collection (variable-length data). Collections are read
 * once per attribute (`cache`), and objects copied out: thousands of elements pointing into one
 * large collection must not hold a copy of it each.
 */
function globalHeapObject(f: RawFile, collection: number, index: number, cache: Map<number, Buffer>): Buffer {
  let c = cache.get(collection);
  if (!c) {
    const head = f.read(collection, 16);
    if (head.toString('latin1', 0, 4) !== 'GCOL') throw new Error('bad global heap collection');
    const size = addr(head, 8);
    if (size > 1 << 24) throw new Error('global heap collection too large');
    c = f.read(collection, size);
    cache.set(collection, c);
  }
  const size = c.length;
  for (let p = 16; p + 16 <= size; ) {
    const idx = c.readUInt16LE(p);
    const len = addr(c, p + 8);
    if (idx === 0) break; // free space: the rest of the collection
    if (p + 16 + len > size) throw new Error('global heap object overruns its collection');
    if (idx === index) return Buffer.from(c.subarray(p + 16, p + 16 + len));
    p += 16 + Math.ceil(len / 8) * 8;
  }
  throw new Error(`global heap object ${index} not found`);
}

export type AttrValue = { kind: 'num'; type: Datatype; values: number[] } | { kind: 'str'; value: string } | { kind: 'refs'; refs: number[][] } | { kind: 'skip' };

function numbers(t: Extract<Datatype, { kind: 'int' | 'float' }>, b: Buffer, o: number, n: number): number[] {
  const out: number[] = [];
  const s = t.size;
  if (o + n * s > b.length) throw new Error('attribute data truncated');
  for (let i = 0; i < n; i++, o += s) {
    if (t.kind === 'float') {
      if (s === 4) out.push(t.bigEndian ? b.readFloatBE(o) : b.readFloatLE(o));
      else if (s === 8) out.push(t.bigEndian ? b.readDoubleBE(o) : b.readDoubleLE(o));
      else throw new Unsupported(`float of ${s} bytes`);
    } else if (s === 1) out.push(t.signed ? b.readInt8(o) : b[o]);
    else if (s === 2) out.push(t.signed ? (t.bigEndian ? b.readInt16BE(o) : b.readInt16LE(o)) : t.bigEndian ? b.readUInt16BE(o) : b.readUInt16LE(o));
    else if (s === 4) out.push(t.signed ? (t.bigEndian ? b.readInt32BE(o) : b.readInt32LE(o)) : t.bigEndian ? b.readUInt32BE(o) : b.readUInt32LE(o));
    else throw new Unsupported(`integer of ${s} bytes`);
  }
  return out;
}

const cString = (b: Buffer) => {
  const z = b.indexOf(0);
  return b.toString('utf8', 0, z < 0 ? b.length : z);
};

/** Decodes an attribute's data: `n` elements of type `t` starting at `o` in `b`. */
export function attrValue(f: RawFile, t: Datatype, b: Buffer, o: number, n: number): AttrValue {
  switch (t.kind) {
    case 'int':
    case 'float':
      return { kind: 'num', type: t, values: numbers(t, b, o, n) };
    case 'string': {
      if (o + n * t.size > b.length) throw new Error('attribute data truncated');
      let s = '';
      for (let i = 0; i < n; i++) s += cString(b.subarray(o + i * t.size, o + (i + 1) * t.size));
      return { kind: 'str', value: s };
    }
    case 'vstring':
    case 'vseq': {
      if (o + n * 16 > b.length) throw new Error('attribute data truncated');
      const items: Buffer[] = [];
      const cache = new Map<number, Buffer>();
      let total = 0;
      for (let i = 0; i < n; i++) {
        const p = o + i * 16;
        const len = b.readUInt32LE(p);
        const item = len === 0 ? Buffer.alloc(0) : globalHeapObject(f, addr(b, p + 4), b.readUInt32LE(p + 12), cache);
        if ((total += item.length) > 1 << 24) throw new Error('variable-length attribute too large');
        items.push(item);
      }
      if (t.kind === 'vstring') return { kind: 'str', value: items.map((x) => x.toString('utf8').replace(/\0+$/, '')).join('') };
      if (t.base.kind !== 'ref' || t.base.size !== 8) return { kind: 'skip' };
      return { kind: 'refs', refs: items.map((x) => Array.from({ length: Math.floor(x.length / 8) }, (_, k) => addr(x, 8 * k))) };
    }
    default:
      return { kind: 'skip' };
  }
}
