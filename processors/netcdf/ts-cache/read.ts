/**
 * Reading a time-series cache entry: a cell's values for every plane, in the stored type, exactly
 * as Source.readPlane returns them from the source (fill values, packing and all), from the
 * chunks of the cell's block. Every use is checked against the source's current size, mtime, inode and
 * device (one stat): a changed source is never answered from the old copy, and its entry is dropped.
 */
import { closeSync, fstatSync, openSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { arrayFor, BYTES, type NumArray } from '../model.js';
import { align8, blockRect, chunkBounds, CorruptCacheError, decodeChunk, PREFIX, type Header } from './format.js';
import { defaultCacheDir, dropEntry, entryFile, entryKey, fileSig, headerSig, readExactly, readHeaderAt, realSource, recordHit } from './store.js';

export class TsCache {
  private constructor(
    readonly file: string,
    private fd: number,
    readonly header: Header,
    private readonly index: { offsets: Float64Array; lengths: Uint32Array },
  ) {}

  /** Opens an entry file; throws CorruptCacheError when it is not a complete, intact one. */
  static open(file: string): TsCache {
    const fd = openSync(file, 'r');
    try {
      const size = fstatSync(fd).size;
      const { p, header } = readHeaderAt(fd);
      const { blockRows, blockCols, chunksPerBlock } = header.layout;
      const n = blockRows * blockCols * chunksPerBlock;
      const at = align8(p.tail + p.headerLen);
      if (at + n * 12 !== size) throw new CorruptCacheError(`cache file has ${size} bytes, its header says ${at + n * 12}`);
      const ib = readExactly(fd, n * 12, at);
      if (crc32(ib) !== p.indexCrc) throw new CorruptCacheError('index checksum mismatch');
      const copy = ib.buffer.slice(ib.byteOffset, ib.byteOffset + ib.length);
      const index = { offsets: new Float64Array(copy, 0, n), lengths: new Uint32Array(copy, n * 8, n) };
      for (let i = 0; i < n; i++) if (index.offsets[i] < PREFIX || index.offsets[i] + index.lengths[i] > p.tail) throw new CorruptCacheError('a chunk lies outside the chunks');
      return new TsCache(file, fd, header, index);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  /** Whether the source is still the file this entry was built from (size, mtime, inode, device). */
  sourceMatches(): boolean {
    return fileSig(this.header.source.path) === headerSig(this.header.source);
  }

  get descriptor() {
    return this.fd;
  }

  /** One cell's values for every plane (time, or time × leading levels, in file order), stored type. */
  readPointSeries(row: number, col: number): NumArray {
    // One cell's plane-major values are its series; the integer view's bytes are the stored values.
    const bits = this.readCellPlanes([[row, col]]);
    return arrayFor(this.header.variable.type, bits.buffer as ArrayBuffer, 0, this.header.layout.planes);
  }

  /**
   * Many cells' values plane by plane, for a region: element p × cells.length + i is cell i's
   * value at plane p, as the stored type's bits in an integer view (Uint8Array, Uint16Array, or
   * Uint32Array with two words per double), so no value goes through a float. Each block is read
   * and decoded once, and each value is gathered as one word from its shuffled byte planes.
   */
  readCellPlanes(cells: Array<[number, number]>): Uint8Array | Uint16Array | Uint32Array {
    const { planes } = this.header.layout;
    const size = BYTES[this.header.variable.type];
    const N = cells.length;
    const out = size === 1 ? new Uint8Array(planes * N) : size === 2 ? new Uint16Array(planes * N) : new Uint32Array(planes * N * (size / 4));
    for (const { which, pos, chunks } of this.blocksOf(cells)) {
      const idx = Int32Array.from(which);
      const W = idx.length;
      for (const { p0, T, n, bp } of chunks()) {
        for (let k = 0; k < T; k++) {
          const row = (p0 + k) * N;
          const off = k * n;
          if (size === 1) {
            const [b0] = bp;
            for (let w = 0; w < W; w++) out[row + idx[w]] = b0[off + pos[w]];
          } else if (size === 2) {
            const [b0, b1] = bp;
            for (let w = 0; w < W; w++) {
              const x = off + pos[w];
              out[row + idx[w]] = b0[x] | (b1[x] << 8);
            }
          } else if (size === 4) {
            const [b0, b1, b2, b3] = bp;
            for (let w = 0; w < W; w++) {
              const x = off + pos[w];
              out[row + idx[w]] = b0[x] | (b1[x] << 8) | (b2[x] << 16) | (b3[x] << 24);
            }
          } else {
            const [b0, b1, b2, b3, b4, b5, b6, b7] = bp;
            for (let w = 0; w < W; w++) {
              const x = off + pos[w];
              const o = 2 * (row + idx[w]);
              out[o] = b0[x] | (b1[x] << 8) | (b2[x] << 16) | (b3[x] << 24);
              out[o + 1] = b4[x] | (b5[x] << 8) | (b6[x] << 16) | (b7[x] << 24);
            }
          }
        }
      }
    }
    return out;
  }

  /**
   * The cells grouped by the block holding them (each checked against the grid): per block, the
   * cells' indices in `cells` (`which`), their offsets inside the block (`pos`), and its chunks
   * read and decoded in time order — plane `p0` on, `T` planes of `n` cells, one byte plane each.
   */
  private blocksOf(cells: Array<[number, number]>) {
    const v = this.header.variable;
    const [nlat, nlon] = v.shape.slice(-2);
    const layout = this.header.layout;
    const { blockCols, chunksPerBlock, block } = layout;
    const size = BYTES[v.type];
    const byBlock = new Map<number, number[]>();
    cells.forEach(([r, c], i) => {
      if (!Number.isInteger(r) || !Number.isInteger(c) || r < 0 || r >= nlat || c < 0 || c >= nlon) throw new RangeError(`cell (${r}, ${c}) is outside the ${nlat} × ${nlon} grid`);
      const b = Math.floor(r / block) * blockCols + Math.floor(c / block);
      (byBlock.get(b) ?? byBlock.set(b, []).get(b)!).push(i);
    });
    const bounds = new Map<number, number[]>();
    return [...byBlock].map(([b, which]) => {
      const rect = blockRect(b, blockCols, nlat, nlon, block);
      const br = Math.floor(b / blockCols);
      if (!bounds.has(br)) bounds.set(br, chunkBounds(layout, br));
      const bnd = bounds.get(br)!;
      const n = rect.h * rect.w;
      const pos = Int32Array.from(which, (i) => (cells[i][0] - rect.r0) * rect.w + (cells[i][1] - rect.c0));
      const self = this;
      function* chunks() {
        const raw = self.readChunks(b * chunksPerBlock, chunksPerBlock);
        for (let g = 0; g < chunksPerBlock; g++) {
          const T = bnd[g + 1] - bnd[g];
          if (T === 0) {
            if (raw[g].length) throw new CorruptCacheError('an empty chunk has bytes');
            continue;
          }
          yield { p0: bnd[g], T, n, bp: decodeChunk(raw[g], size, T * n) };
        }
      }
      return { which, pos, chunks };
    });
  }

  /** Chunks i0 .. i0+n-1 of the index: one read when they lie side by side, else one each. */
  private readChunks(i0: number, n: number): Buffer[] {
    const { offsets, lengths } = this.index;
    let adjacent = true;
    for (let i = i0; i < i0 + n - 1; i++) if (offsets[i] + lengths[i] !== offsets[i + 1]) adjacent = false;
    if (adjacent) {
      const all = readExactly(this.fd, offsets[i0 + n - 1] + lengths[i0 + n - 1] - offsets[i0], offsets[i0]);
      return Array.from({ length: n }, (_, k) => all.subarray(offsets[i0 + k] - offsets[i0], offsets[i0 + k] - offsets[i0] + lengths[i0 + k]));
    }
    return Array.from({ length: n }, (_, k) => readExactly(this.fd, lengths[i0 + k], offsets[i0 + k]));
  }

  close() {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

/**
 * The entry of `path`'s variable when it exists, is intact and matches the source as it is now;
 * else null (and a stale or damaged entry is dropped). The caller closes it.
 */
export function openValidEntry(path: string, varName: string, dir = defaultCacheDir()): { cache: TsCache; key: string } | null {
  let real: string;
  try {
    real = realSource(path);
  } catch {
    return null;
  }
  const key = entryKey(real, varName);
  let cache: TsCache;
  try {
    cache = TsCache.open(entryFile(dir, key));
  } catch (e) {
    if (e instanceof CorruptCacheError) dropEntry(dir, key);
    return null;
  }
  if (cache.header.source.path !== real || cache.header.variable.name !== varName || !cache.sourceMatches()) {
    dropEntry(dir, key, cache.descriptor);
    cache.close();
    return null;
  }
  return { cache, key };
}

/**
 * Opens the valid entry of `varName` in `path` and reads from it: `read`'s answer and the entry's
 * header, with a hit counted; null when there is no valid entry or `read` answers null (the
 * caller then reads the source). A damaged chunk drops the entry (never answered from again);
 * other errors (I/O) give null this time. With `cellIsCallers`, a RangeError (a cell outside the
 * grid: the point reader's check) is the caller's mistake and is thrown.
 */
export function readEntry<T>(path: string, varName: string, dir: string, read: (cache: TsCache) => T | null, cellIsCallers = false): { value: T; header: Header } | null {
  const e = openValidEntry(path, varName, dir);
  if (!e) return null;
  try {
    const value = read(e.cache);
    if (value === null) return null;
    recordHit(dir, e.key);
    return { value, header: e.cache.header };
  } catch (err) {
    if (cellIsCallers && err instanceof RangeError) throw err;
    if (err instanceof CorruptCacheError) dropEntry(dir, e.key, e.cache.descriptor);
    return null;
  } finally {
    e.cache.close();
  }
}

/**
 * The stored values of one cell (row, col: indices on the source's lat/lon grid) of `varName` in
 * `path` for every plane, from the time-series cache; null when there is no valid entry (the
 * caller then reads the source). Counts a hit when it answers.
 */
export function pointSeriesFromCache(path: string, varName: string, row: number, col: number, dir = defaultCacheDir()): NumArray | null {
  return readEntry(path, varName, dir, (c) => c.readPointSeries(row, col), true)?.value ?? null;
}
