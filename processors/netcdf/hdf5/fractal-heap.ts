/**
 * Dense storage of attributes and links: messages kept as objects of a fractal heap and indexed
 * by name in a version-2 B-tree (HDF5 file format spec III.G and III.A.2). netCDF-C tracks
 * creation order, so HDF5 moves an object's attributes here once they have been rewritten
 * (every coordinate variable's REFERENCE_LIST is), and a group's links once it has more than 8.
 * Handled: B-trees whose root is a leaf, heaps whose root is a direct block or an indirect block
 * of direct blocks, no I/O filters on the heap. Anything else is Unsupported (h5wasm reads it).
 */
import { addr, UNDEF, type RawFile } from './chunk-index.js';
import { Unsupported } from './datatype.js';

interface Heap {
  idLen: number;
  offsetBytes: number;
  lengthBytes: number;
  /** [heap-space offset, file address, size] of each direct block. */
  blocks: Array<[number, number, number]>;
}

const uint = (b: Buffer, o: number, n: number) => {
  let v = 0;
  for (let i = n - 1; i >= 0; i--) v = v * 256 + b[o + i];
  return v;
};
const bytesFor = (v: number) => Math.max(1, Math.ceil(Math.log2(v + 1) / 8));

function readHeap(f: RawFile, at: number): Heap {
  const h = f.read(at, 146);
  if (h.toString('latin1', 0, 4) !== 'FRHP' || h[4] !== 0) throw new Error('bad fractal heap header');
  const idLen = h.readUInt16LE(5);
  if (h.readUInt16LE(7) !== 0) throw new Unsupported('filtered fractal heap');
  const maxManaged = h.readUInt32LE(10);
  const width = h.readUInt16LE(110);
  const startSize = addr(h, 112);
  const maxDirect = addr(h, 120);
  const maxHeapBits = h.readUInt16LE(128);
  const rootAddr = addr(h, 132);
  const rootRows = h.readUInt16LE(140);
  const offsetBytes = Math.ceil(maxHeapBits / 8);
  const heap: Heap = { idLen, offsetBytes, lengthBytes: bytesFor(Math.min(maxDirect, maxManaged)), blocks: [] };
  if (rootAddr === UNDEF) return heap;
  if (rootRows === 0) {
    heap.blocks.push([0, rootAddr, startSize]);
    return heap;
  }
  // Root indirect block: rows of `width` children; rows 0 and 1 hold blocks of the starting
  // size, each later row blocks twice as large as the row before.
  const maxDirectRows = Math.log2(maxDirect / startSize) + 2;
  if (rootRows > maxDirectRows) throw new Unsupported('fractal heap with nested indirect blocks');
  const ib = f.read(rootAddr, 5 + 8 + offsetBytes + rootRows * width * 8);
  if (ib.toString('latin1', 0, 4) !== 'FHIB') throw new Error('bad fractal heap indirect block');
  let o = 5 + 8 + offsetBytes;
  let space = 0;
  for (let r = 0; r < rootRows; r++) {
    const size = r < 2 ? startSize : startSize * 2 ** (r - 1);
    for (let c = 0; c < width; c++, o += 8) {
      const a = addr(ib, o);
      if (a !== UNDEF) heap.blocks.push([space, a, size]);
      space += size;
    }
  }
  return heap;
}

function heapObject(f: RawFile, heap: Heap, id: Buffer): Buffer {
  const type = (id[0] >> 4) & 3;
  if (type === 2) return id.subarray(1, 1 + (id[0] & 0x0f) + 1); // tiny: stored in the id itself
  if (type !== 0) throw new Unsupported('huge objects in a fractal heap');
  const off = uint(id, 1, heap.offsetBytes);
  const len = uint(id, 1 + heap.offsetBytes, heap.lengthBytes);
  const block = heap.blocks.find(([s, , size]) => off >= s && off + len <= s + size);
  if (!block) throw new Error('fractal heap object outside every direct block');
  return f.read(block[1] + (off - block[0]), len);
}

/**
 * The messages of a dense store, with their creation order (attributes: from the B-tree record;
 * links carry theirs inside the message, so their position here is returned).
 * B-tree record types: 5 = link names (groups), 8 = attribute names.
 */
export function denseMessages(f: RawFile, heapAddr: number, btreeAddr: number, recordType: 5 | 8): Array<[number, Buffer]> {
  const heap = readHeap(f, heapAddr);
  const h = f.read(btreeAddr, 38);
  if (h.toString('latin1', 0, 4) !== 'BTHD' || h[5] !== recordType) throw new Error('bad v2 B-tree header');
  const recordSize = h.readUInt16LE(10);
  if (recordSize > 64) throw new Error('v2 B-tree records too large');
  const depth = h.readUInt16LE(12);
  const root = addr(h, 16);
  const n = h.readUInt16LE(24);
  if (root === UNDEF || n === 0) return [];
  if (depth !== 0) throw new Unsupported('v2 B-tree deeper than one leaf');
  const leaf = f.read(root, 6 + n * recordSize);
  if (leaf.toString('latin1', 0, 4) !== 'BTLF') throw new Error('bad v2 B-tree leaf');
  const out: Array<[number, Buffer]> = [];
  for (let i = 0; i < n; i++) {
    const r = 6 + i * recordSize;
    // type 5: name hash (4) + heap id; type 8: heap id (8) + flags (1) + creation order (4) + hash (4)
    const id = recordType === 5 ? leaf.subarray(r + 4, r + recordSize) : leaf.subarray(r, r + 8);
    if (recordType === 8 && leaf[r + 8] & 0x02) throw new Unsupported('shared attribute message');
    out.push([recordType === 8 ? leaf.readUInt32LE(r + 9) : i, heapObject(f, heap, id.length >= heap.idLen ? id.subarray(0, heap.idLen) : id)]);
  }
  return out;
}
