// A minimal NetCDF-3 (64-bit offset, CDF-2) writer for test and bench inputs. Plain JS so the
// fixture script runs without a build; netCDF-C's nccopy turns its output into NetCDF-4, so the
// NetCDF-4 inputs the tests read are written by the same library that writes ISIMIP's files.
import { closeSync, openSync, writeSync } from 'node:fs';

const TYPES = { byte: [1, 1], char: [2, 1], short: [3, 2], int: [4, 4], float: [5, 4], double: [6, 8] };
const pad4 = (n) => (4 - (n % 4)) % 4;

class Buf {
  parts = [];
  u32(v) { const b = Buffer.alloc(4); b.writeUInt32BE(v); this.parts.push(b); }
  u64(v) { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(v)); this.parts.push(b); }
  name(s) { const b = Buffer.from(s, 'utf8'); this.u32(b.length); this.parts.push(b, Buffer.alloc(pad4(b.length))); }
  values(type, vals) {
    const [, size] = TYPES[type];
    if (type === 'char') { const b = Buffer.from(vals, 'utf8'); this.u32(b.length); this.parts.push(b, Buffer.alloc(pad4(b.length))); return; }
    const arr = Array.isArray(vals) ? vals : [vals];
    this.u32(arr.length);
    const b = Buffer.alloc(arr.length * size + pad4(arr.length * size));
    arr.forEach((v, i) => writeValue(b, type, v, i * size));
    this.parts.push(b);
  }
  get length() { return this.parts.reduce((s, p) => s + p.length, 0); }
  concat() { return Buffer.concat(this.parts); }
}

function writeValue(b, type, v, off) {
  if (type === 'byte') b.writeInt8(v, off);
  else if (type === 'short') b.writeInt16BE(v, off);
  else if (type === 'int') b.writeInt32BE(v, off);
  else if (type === 'float') b.writeFloatBE(v, off);
  else b.writeDoubleBE(v, off);
}

/** attrs: {name: string | {type, value}} – strings become char, numbers double unless typed. */
function attrList(buf, attrs) {
  const entries = Object.entries(attrs ?? {});
  if (!entries.length) { buf.u32(0); buf.u32(0); return; }
  buf.u32(0x0c); buf.u32(entries.length);
  for (const [k, v] of entries) {
    const { type, value } = typeof v === 'string' ? { type: 'char', value: v } : typeof v === 'number' ? { type: 'double', value: v } : v;
    buf.name(k); buf.u32(TYPES[type][0]); buf.values(type, value);
  }
}

/**
 * spec: {dims: [{name, size}] (size 0 = record dim, first), attrs, vars: [{name, type, dims, attrs,
 * fill(recordIndex|null) -> TypedArray of host-order values for one record (or the whole var)}]}
 */
export function writeNc3(file, { dims, attrs, vars, numrecs = 0 }) {
  const recDim = dims.findIndex((d) => d.size === 0);
  const dimIndex = new Map(dims.map((d, i) => [d.name, i]));
  const isRec = (v) => v.dims.length > 0 && dimIndex.get(v.dims[0]) === recDim;
  const vsize = (v) => {
    const n = v.dims.filter((_, i) => !(i === 0 && isRec(v))).reduce((p, d) => p * dims[dimIndex.get(d)].size, 1) * TYPES[v.type][1];
    return n + pad4(n);
  };
  const header = (begins) => {
    const b = new Buf();
    b.parts.push(Buffer.from([0x43, 0x44, 0x46, 2])); b.u32(numrecs);
    b.u32(0x0a); b.u32(dims.length);
    for (const d of dims) { b.name(d.name); b.u32(d.size); }
    attrList(b, attrs);
    b.u32(0x0b); b.u32(vars.length);
    vars.forEach((v, i) => {
      b.name(v.name); b.u32(v.dims.length); for (const d of v.dims) b.u32(dimIndex.get(d));
      attrList(b, v.attrs); b.u32(TYPES[v.type][0]); b.u32(vsize(v)); b.u64(begins[i]);
    });
    return b.concat();
  };
  const hlen = header(vars.map(() => 0)).length;
  const begins = [];
  let off = hlen;
  for (const v of vars) if (!isRec(v)) { begins[vars.indexOf(v)] = off; off += vsize(v); }
  const recStart = off;
  const recVars = vars.filter(isRec);
  for (const v of recVars) { begins[vars.indexOf(v)] = off; off += vsize(v); }
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, header(begins));
    for (const v of vars.filter((x) => !isRec(x))) writeSync(fd, encode(v, v.fill(null), vsize(v)));
    for (let r = 0; r < numrecs; r++) for (const v of recVars) writeSync(fd, encode(v, v.fill(r), vsize(v)));
  } finally {
    closeSync(fd);
  }
  return { headerBytes: hlen, recStart };
}

function encode(v, values, size) {
  const [, s] = TYPES[v.type];
  const b = Buffer.alloc(size);
  // Big-endian on disk: swap in place (Buffer.swap32/64 are native and fast).
  if (v.type === 'float') { const f = Float32Array.from(values); b.set(new Uint8Array(f.buffer)); b.subarray(0, f.length * 4).swap32(); return b; }
  if (v.type === 'double') { const f = Float64Array.from(values); b.set(new Uint8Array(f.buffer)); b.subarray(0, f.length * 8).swap64(); return b; }
  for (let i = 0; i < values.length; i++) writeValue(b, v.type, values[i], i * s);
  return b;
}
