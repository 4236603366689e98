/**
 * Puts chunks we compressed ourselves into an HDF5 file written by h5wasm. h5wasm cannot write
 * precompressed chunks (no H5Dwrite_chunk), and deflating inside WebAssembly is ~3× slower than
 * Node's zlib; so h5wasm creates each streamed dataset empty (full size, no chunk allocated),
 * and this module appends the chunks, then writes the version-1 B-tree that indexes them,
 * points the dataset's layout message at its root (re-checksumming the object header), and
 * moves the superblock's end-of-file address. Format: HDF5 File Format Specification 3.0,
 * III.A.1 (B-tree v1, node type 1), IV.A.2.i (layout message v3).
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { chunkLayout, RawFile, UNDEF, type ChunkLayout } from './chunk-index.js';
import { lookup3 } from './lookup3.js';

/** HDF5's default "indexed storage" K: nodes hold up to 2K children. */
const K = 32;

interface Tracked {
  layout: ChunkLayout;
  shape: number[];
  elemSize: number;
  chunks: Map<number, { addr: number; size: number }>;
}
interface NodeRef {
  addr: number;
  leftKey: Buffer;
  rightKey: Buffer;
}

export class ChunkPatcher {
  private readonly fd: number;
  private eof: number;
  private readonly sets = new Map<string, Tracked>();

  constructor(private readonly path: string) {
    this.fd = openSync(path, 'r+');
    this.eof = fstatSync(this.fd).size;
  }

  track(name: string, ohdr: number, shape: number[], elemSize: number) {
    const layout = chunkLayout(new RawFile(this.fd), ohdr, shape.length);
    if (!layout || layout.btreeAddr !== UNDEF) throw new Error(`output ${name}: expected an empty chunked dataset`);
    this.sets.set(name, { layout, shape, elemSize, chunks: new Map() });
  }

  private append(bytes: Uint8Array): number {
    const addr = this.eof;
    let off = 0;
    while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off, addr + off);
    this.eof += bytes.length;
    return addr;
  }

  /**
   * Appends one compressed chunk; synchronous, so appends never interleave. Chunks are numbered
   * in row-major order over the leading dimensions' chunk grid (chunks span the whole lat×lon
   * plane): with one plane per chunk, the chunk number is the plane number.
   */
  put(name: string, chunk: number, bytes: Uint8Array) {
    this.sets.get(name)!.chunks.set(chunk, { addr: this.append(bytes), size: bytes.length });
  }

  finish() {
    try {
      for (const [name, t] of this.sets) this.writeIndex(name, t);
      this.setEof();
    } finally {
      closeSync(this.fd);
    }
  }

  abort() {
    closeSync(this.fd);
  }

  private writeIndex(name: string, t: Tracked) {
    const rank = t.shape.length;
    const cd = t.layout.chunkDims;
    // Chunks along each leading dimension (the last two are whole in every chunk).
    const grid = t.shape.slice(0, -2).map((n, i) => Math.ceil(n / cd[i]));
    const count = grid.reduce((a, b) => a * b, 1);
    // No chunk at all (a time dimension without records): the layout's undefined B-tree address
    // already says so, as HDF5 writes an empty dataset.
    if (count === 0) return;
    const keySize = 8 + 8 * (rank + 1);
    const key = (size: number, offs: number[]): Buffer => {
      const b = Buffer.alloc(keySize);
      b.writeUInt32LE(size, 0);
      offs.forEach((o, i) => b.writeBigUInt64LE(BigInt(o), 8 + 8 * i));
      return b;
    };
    const offsetOf = (p: number) => {
      const o = new Array(rank + 1).fill(0);
      for (let i = rank - 3; i >= 0; i--) {
        o[i] = (p % grid[i]) * cd[i];
        p = Math.floor(p / grid[i]);
      }
      return o;
    };
    let level: NodeRef[] = [];
    const entries: Array<{ key: Buffer; child: number }> = [];
    for (let p = 0; p < count; p++) {
      const c = t.chunks.get(p);
      if (!c) throw new Error(`output ${name}: chunk ${p} was never written`);
      entries.push({ key: key(c.size, offsetOf(p)), child: c.addr });
    }
    // The right bound of the last chunk: its offset plus the chunk extent in every dimension.
    const lastOff = offsetOf(count - 1).map((o, i) => (i < rank ? o + cd[i] : 0));
    let right: Buffer = key(0, lastOff);
    let depth = 0;
    let items = entries;
    for (;;) {
      level = [];
      for (let i = 0; i < items.length; i += 2 * K) {
        const group = items.slice(i, i + 2 * K);
        const rk = i + 2 * K < items.length ? items[i + 2 * K].key : right;
        level.push({ addr: this.writeNode(depth, group, rk, keySize), leftKey: group[0].key, rightKey: rk });
      }
      if (level.length === 1) break;
      items = level.map((n) => ({ key: n.leftKey, child: n.addr }));
      right = level[level.length - 1].rightKey;
      depth++;
    }
    this.patchLayout(t.layout, level[0].addr);
  }

  private writeNode(depth: number, group: Array<{ key: Buffer; child: number }>, rightKey: Buffer, keySize: number): number {
    // Full capacity, as HDF5 reads whole nodes; siblings left undefined (only lookups use them).
    const node = Buffer.alloc(24 + 2 * K * 8 + (2 * K + 1) * keySize);
    node.write('TREE', 0, 'latin1');
    node[4] = 1;
    node[5] = depth;
    node.writeUInt16LE(group.length, 6);
    node.fill(0xff, 8, 24); // the undefined address, all ones
    let o = 24;
    for (const e of group) {
      e.key.copy(node, o);
      node.writeBigUInt64LE(BigInt(e.child), o + keySize);
      o += keySize + 8;
    }
    rightKey.copy(node, o);
    return this.append(node);
  }

  private patchLayout(layout: ChunkLayout, root: number) {
    const a = Buffer.alloc(8);
    a.writeBigUInt64LE(BigInt(root));
    writeSync(this.fd, a, 0, 8, layout.addrPos);
    if (layout.sum) {
      const span = Buffer.alloc(layout.sum.end - layout.sum.start);
      readSync(this.fd, span, 0, span.length, layout.sum.start);
      const c = Buffer.alloc(4);
      c.writeUInt32LE(lookup3(span));
      writeSync(this.fd, c, 0, 4, layout.sum.end);
    }
  }

  private setEof() {
    const sb = Buffer.alloc(48);
    readSync(this.fd, sb, 0, 48, 0);
    const version = sb[8];
    const eof = Buffer.alloc(8);
    eof.writeBigUInt64LE(BigInt(this.eof));
    if (version === 2 || version === 3) {
      eof.copy(sb, 28);
      sb.writeUInt32LE(lookup3(sb.subarray(0, 44)), 44);
      writeSync(this.fd, sb, 0, 48, 0);
    } else if (version === 0 || version === 1) {
      writeSync(this.fd, eof, 0, 8, version === 0 ? 40 : 44);
    } else throw new Error(`unknown superblock version ${version} in ${this.path}`);
  }
}
