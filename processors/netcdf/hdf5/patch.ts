/**
 * Appends chunks we compressed ourselves to an HDF5 file written by h5wasm and points its chunk
 * B-tree at them. h5wasm cannot write precompressed chunks (no H5Dwrite_chunk), and deflating
 * inside WebAssembly is ~3× slower than Node's zlib; so the skeleton gets cheap placeholder
 * chunks (zeros), and this module swaps each entry's size and address, then moves the
 * superblock's end-of-file address (re-checksummed for superblock v2/v3).
 */
import { closeSync, fstatSync, openSync, writeSync, readSync } from 'node:fs';
import { chunkLayout, RawFile, type ChunkEntry } from './chunk-index.js';
import { lookup3 } from './lookup3.js';

export class ChunkPatcher {
  private readonly fd: number;
  private eof: number;
  private readonly entries = new Map<string, Map<number, ChunkEntry>>();
  private readonly pending: Array<{ e: ChunkEntry; addr: number; size: number }> = [];

  constructor(private readonly path: string) {
    this.fd = openSync(path, 'r+');
    this.eof = fstatSync(this.fd).size;
  }

  /** Registers a dataset: its placeholder chunks, keyed by plane number (row-major over leading dims). */
  track(name: string, ohdr: number, shape: number[]) {
    const layout = chunkLayout(new RawFile(this.fd), ohdr, shape.length);
    if (!layout) throw new Error(`output ${name}: unexpected chunk index`);
    const byPlane = new Map<number, ChunkEntry>();
    for (const c of layout.chunks) {
      let p = 0;
      for (let i = 0; i < shape.length - 2; i++) p = p * shape[i] + c.offset[i];
      byPlane.set(p, c);
    }
    this.entries.set(name, byPlane);
  }

  /** Appends one compressed chunk for a plane; synchronous so appends never interleave. */
  put(name: string, plane: number, bytes: Uint8Array) {
    const e = this.entries.get(name)?.get(plane);
    if (!e) throw new Error(`output ${name}: no chunk for plane ${plane}`);
    const addr = this.eof;
    let off = 0;
    while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off, addr + off);
    this.eof += bytes.length;
    this.pending.push({ e, addr, size: bytes.length });
  }

  finish() {
    try {
      for (const { e, addr, size } of this.pending) {
        const s = Buffer.alloc(4);
        s.writeUInt32LE(size);
        writeSync(this.fd, s, 0, 4, e.keyPos);
        const a = Buffer.alloc(8);
        a.writeBigUInt64LE(BigInt(addr));
        writeSync(this.fd, a, 0, 8, e.childPos);
      }
      this.setEof();
    } finally {
      closeSync(this.fd);
    }
  }

  abort() {
    closeSync(this.fd);
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
