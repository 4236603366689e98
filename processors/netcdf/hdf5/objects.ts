/**
 * The objects of the root group of an HDF5 file, read in plain JS: superblock (versions 0–3),
 * the root group's links (symbol table, compact link messages, or dense links in a fractal
 * heap), and for each dataset its dataspace, datatype, layout, filters and attributes (compact
 * or dense). This is what a NetCDF-4 file's metadata is, and reading it here keeps h5wasm
 * (~45 MB of RSS per thread) out of the API thread, which only validates requests. Structures
 * netCDF-C does not write by default (shared messages, groups, heaps deeper than one indirect
 * block) raise Unsupported, and the caller reads the file through h5wasm instead.
 * Every address is bounds-checked by RawFile and every walk bounded: a crafted file ends in an
 * Error, never a hang.
 */
import { addr, headerMessages, UNDEF, v1Node, type Message, type RawFile } from './chunk-index.js';
import { denseMessages } from './fractal-heap.js';
import { attrValue, parseDataspace, parseDatatype, Unsupported, type AttrValue, type Datatype } from './datatype.js';

export interface H5Attr {
  name: string;
  type: Datatype;
  value: AttrValue;
}

export type Layout = { kind: 'compact'; data: Buffer } | { kind: 'contiguous'; addr: number; size: number } | { kind: 'chunked'; version: 3 } | { kind: 'chunked'; version: 4 };

export interface H5Dataset {
  name: string;
  /** Address of the object header: what object references (DIMENSION_LIST) point at. */
  addr: number;
  shape: number[];
  maxshape: number[];
  type: Datatype;
  layout: Layout;
  filters: number[];
  attrs: H5Attr[];
}

export interface H5Root {
  attrs: H5Attr[];
  datasets: H5Dataset[];
}

const MAX_LINKS = 100_000;
const SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Address of the root group's object header. */
function rootAddress(f: RawFile): number {
  const b = f.read(0, Math.min(f.size, 96));
  if (b.length < 48 || !b.subarray(0, 8).equals(SIGNATURE)) throw new Unsupported('no HDF5 signature at offset 0');
  const version = b[8];
  if (version === 0 || version === 1) {
    if (b[13] !== 8 || b[14] !== 8) throw new Unsupported('offsets or lengths other than 8 bytes');
    const base = 24 + (version === 1 ? 4 : 0);
    // base address, free-space address, end-of-file address, driver block, then the root entry
    if (addr(b, base) !== 0) throw new Unsupported('non-zero base address');
    return addr(b, base + 32 + 8);
  }
  if (version === 2 || version === 3) {
    if (b[9] !== 8 || b[10] !== 8) throw new Unsupported('offsets or lengths other than 8 bytes');
    if (addr(b, 12) !== 0) throw new Unsupported('non-zero base address');
    return addr(b, 36);
  }
  throw new Unsupported(`superblock version ${version}`);
}

const cStringAt = (b: Buffer, o: number) => {
  const z = b.indexOf(0, o);
  if (z < 0) throw new Error('unterminated name in local heap');
  return b.toString('utf8', o, z);
};

/** Links of an old-style group: version-1 group B-tree of symbol table nodes, names in a local heap. */
function symbolTableLinks(f: RawFile, btree: number, heapAddr: number): Array<[string, number]> {
  const h = f.read(heapAddr, 32);
  if (h.toString('latin1', 0, 4) !== 'HEAP') throw new Error('bad local heap');
  const heapSize = addr(h, 8);
  if (heapSize > 1 << 24) throw new Error('local heap too large');
  const heap = f.read(addr(h, 24), heapSize);
  const out: Array<[string, number]> = [];
  const seen = new Set<number>();
  const visit = (at: number, depth: number, parentLevel: number) => {
    const { level, entries } = v1Node(f, at, 0, depth, parentLevel, seen);
    const body = f.read(at + 24, entries * 16 + 8);
    for (let i = 0; i < entries; i++) {
      const child = addr(body, 8 + i * 16);
      if (level > 0) {
        visit(child, depth + 1, level);
        continue;
      }
      if (seen.has(child)) throw new Error('symbol table node reached twice');
      seen.add(child);
      const s = f.read(child, 8);
      if (s.toString('latin1', 0, 4) !== 'SNOD') throw new Error('bad symbol table node');
      const count = s.readUInt16LE(6);
      const e = f.read(child + 8, count * 40);
      for (let k = 0; k < count; k++) {
        if (out.length >= MAX_LINKS) throw new Error('group has too many links');
        out.push([cStringAt(heap, addr(e, k * 40)), addr(e, k * 40 + 8)]);
      }
    }
  };
  visit(btree, 0, -1);
  return out;
}

/** A hard link message (IV.A.2.g) as [name, address, creation order]; soft and external links yield null. */
function linkMessage(d: Buffer): [string, number, number] | null {
  const flags = d[1];
  let o = 2;
  let linkType = 0;
  let order = 0;
  if (flags & 0x08) linkType = d[o++];
  if (flags & 0x04) {
    order = Number(d.readBigUInt64LE(o));
    o += 8;
  }
  if (flags & 0x10) o += 1;
  const lenSize = 1 << (flags & 3);
  const len = lenSize === 1 ? d[o] : lenSize === 2 ? d.readUInt16LE(o) : lenSize === 4 ? d.readUInt32LE(o) : addr(d, o);
  o += lenSize;
  const name = d.toString('utf8', o, o + len);
  if (linkType !== 0) return null;
  return [name, addr(d, o + len), order];
}

function groupLinks(f: RawFile, msgs: Message[]): Array<[string, number]> {
  const st = msgs.find((m) => m.type === 0x11);
  if (st) return symbolTableLinks(f, addr(st.data, 0), addr(st.data, 8));
  const info = msgs.find((m) => m.type === 0x02);
  let bodies = msgs.filter((m) => m.type === 0x06).map((m) => m.data);
  if (info) {
    const o = 2 + (info.data[1] & 1 ? 8 : 0);
    if (addr(info.data, o) !== UNDEF) bodies = denseMessages(f, addr(info.data, o), addr(info.data, o + 8), 5).map(([, d]) => d);
  }
  // In creation order: the order netCDF-C defined the variables in, as ncdump lists them.
  const links = bodies.map(linkMessage).filter((x): x is [string, number, number] => x !== null);
  return links.sort((a, b) => a[2] - b[2]).map(([n, a]) => [n, a]);
}

function parseAttribute(f: RawFile, d: Buffer): H5Attr {
  const version = d[0];
  if (version < 1 || version > 3) throw new Unsupported(`attribute message version ${version}`);
  if (version >= 2 && d[1] & 0x03) throw new Unsupported('shared datatype or dataspace in an attribute');
  const nameLen = d.readUInt16LE(2);
  const typeLen = d.readUInt16LE(4);
  const spaceLen = d.readUInt16LE(6);
  const pad = (n: number) => (version === 1 ? Math.ceil(n / 8) * 8 : n);
  let o = 8 + (version === 3 ? 1 : 0);
  const name = d.toString('utf8', o, o + nameLen).replace(/\0+$/, '');
  o += pad(nameLen);
  const { type } = parseDatatype(d, o);
  o += pad(typeLen);
  const { shape } = parseDataspace(d, o);
  o += pad(spaceLen);
  const n = shape.reduce((a, b) => a * b, 1);
  return { name, type, value: attrValue(f, type, d, o, n) };
}

/**
 * In creation order, as ncdump (and h5wasm, for files that track it) lists them: compact
 * attribute messages carry it in their v2 header, dense ones in their B-tree record.
 */
function attributes(f: RawFile, msgs: Message[]): H5Attr[] {
  const info = msgs.find((m) => m.type === 0x15);
  const all: Array<[number, Buffer]> = msgs.filter((m) => m.type === 0x0c).map((m) => [m.order, m.data]);
  if (info) {
    const o = 2 + (info.data[1] & 1 ? 2 : 0);
    if (addr(info.data, o) !== UNDEF) all.push(...denseMessages(f, addr(info.data, o), addr(info.data, o + 8), 8));
  }
  return all.sort((a, b) => a[0] - b[0]).map(([, d]) => parseAttribute(f, d));
}

function parseLayout(d: Buffer): Layout {
  if (d[0] === 3) {
    if (d[1] === 0) return { kind: 'compact', data: d.subarray(4, 4 + d.readUInt16LE(2)) };
    if (d[1] === 1) return { kind: 'contiguous', addr: addr(d, 2), size: addr(d, 10) };
    if (d[1] === 2) return { kind: 'chunked', version: 3 };
  }
  if (d[0] === 4 && d[1] === 2) return { kind: 'chunked', version: 4 };
  throw new Unsupported(`data layout message version ${d[0]} class ${d[1]}`);
}

/** Filter ids of a filter pipeline message, versions 1 and 2. */
function parseFilters(d: Buffer): number[] {
  const version = d[0];
  const n = d[1];
  const ids: number[] = [];
  let o = version === 1 ? 8 : 2;
  for (let i = 0; i < n; i++) {
    const id = d.readUInt16LE(o);
    const nameLen = version === 1 || id >= 256 ? d.readUInt16LE(o + 2) : 0;
    o += version === 1 || id >= 256 ? 4 : 2;
    const nValues = d.readUInt16LE(o + 2);
    o += 4;
    o += version === 1 ? Math.ceil(nameLen / 8) * 8 : nameLen;
    o += 4 * nValues + (version === 1 && nValues % 2 ? 4 : 0);
    ids.push(id);
  }
  return ids;
}

/** Reads the root group: its attributes and its datasets (sub-groups are Unsupported). */
export function readRoot(f: RawFile): H5Root {
  const rootMsgs = headerMessages(f, rootAddress(f));
  if (rootMsgs.some((m) => m.flags & 0x02)) throw new Unsupported('shared messages in the root group');
  const datasets: H5Dataset[] = [];
  for (const [name, at] of groupLinks(f, rootMsgs)) {
    const msgs = headerMessages(f, at);
    if (msgs.some((m) => m.flags & 0x02)) throw new Unsupported(`shared object header messages in "${name}"`);
    const space = msgs.find((m) => m.type === 0x01);
    const dtype = msgs.find((m) => m.type === 0x03);
    const layout = msgs.find((m) => m.type === 0x08);
    if (!space || !dtype || !layout) {
      if (msgs.some((m) => m.type === 0x11 || m.type === 0x02 || m.type === 0x06)) throw new Unsupported(`group "${name}"`);
      continue; // a committed datatype or something else that is no variable
    }
    const filters = msgs.find((m) => m.type === 0x0b);
    datasets.push({ name, addr: at, ...parseDataspace(space.data, 0), type: parseDatatype(dtype.data, 0).type, layout: parseLayout(layout.data), filters: filters ? parseFilters(filters.data) : [], attrs: attributes(f, msgs) });
  }
  return { attrs: attributes(f, rootMsgs), datasets };
}
