/**
 * Builds time-series cache entries (format.ts) in one streaming pass over the source's planes,
 * with memory bounded by a budget whatever the file's length:
 *
 * 1. Planes are read in order (Source.readPlane, read-ahead, inflating on libuv's threads) and
 *    scattered straight into a *segment* buffer of K planes laid out block by block, time-major
 *    and byte-shuffled (the transpose). K = budget / plane size, balanced so segments are even.
 * 2. When a block row's next K planes are in, its blocks' pieces are encoded (chunks) and
 *    appended to the entry's temp file in tmp/, and that part of the buffer is reused. Block rows'
 *    chunk boundaries are staggered (format.ts, Layout), so encoding spreads evenly over the
 *    reading. The index records where each chunk went.
 * 3. Only when the budget made K smaller than MIN_CHUNK_PLANES (a huge grid or a tiny budget) are
 *    the chunks spilled to a second temp file instead, then read back block by block and merged
 *    into chunks of at least MIN_CHUNK_PLANES planes, so a point never decodes thousands of tiny
 *    chunks.
 * 4. The header and index go after the chunks, the prefix in front; fsync; rename().
 *
 * Memory is
 * the segment (≤ budget) plus a few planes read ahead plus one block row of chunks, whatever
 * the number of planes (docs/ts-cache.md).
 */
import { closeSync, fdatasyncSync, fstatSync, openSync, readSync, renameSync, rmSync, statSync, unlinkSync, writeSync, type BigIntStats } from 'node:fs';
import { crc32 } from 'node:zlib';
import { findGrid, gridVars, type Grid } from '../grid.js';
import { BYTES, type NumArray, type Source, type Var } from '../model.js';
import { openSource } from '../io/open-source.js';
import { readAhead } from '../stream.js';
import { planesOf } from '../task.js';
import { align8, BLOCK, blockRect, decodeChunk, encodeChunk, encodeHeader, EncoderState, phaseOf, Sink, PREFIX, spillBound, spillChunksPerBlock, VERSION, writePrefix, type CoordMeta, type Header, type Layout } from './format.js';
import { cleanTemps, entryFile, entryKey, fileSig, hitsFile, realSource, statSig, tempName } from './store.js';

/** Default bytes of planes held at once (the segment). 32 MiB: 29 planes of a 0.5° float grid (as fast as 64 MiB, 25 MB less RSS: docs/ts-cache.md). */
export const DEFAULT_MEMORY = 32 * 1024 * 1024;
/** Final chunks hold at least this many planes (spill chunks of fewer are merged at assembly). */
export const MIN_CHUNK_PLANES = 16;
/** Planes read ahead of the transpose. */
const READ_AHEAD = 4;
/** Spill chunk lengths kept in memory (4 bytes each) before the build refuses: raise the budget. */
const MAX_SPILL_CHUNKS = 32 * 1024 * 1024;

export interface BuildOptions {
  /** The cache directory. */
  dir: string;
  /** Bytes of planes held at once, default DEFAULT_MEMORY. */
  memory?: number;
  /** Only these variables (default: every variable on the lat/lon grid with leading dimensions). */
  variables?: string[];
  /** Fraction 0..1 of the whole file's build. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
  /** fdatasync the entry before its rename (default true: a power cut cannot leave a renamed, unwritten file). */
  durable?: boolean;
}

export interface BuildResult {
  source: string;
  variable: string;
  file: string;
  bytes: number;
  sourceBytes: number;
  seconds: number;
  planes: number;
  /** Planes per spill chunk (the segment) and per final chunk. */
  spillPlanes: number;
  chunkPlanes: number;
  /** Bytes of the segment buffer actually allocated. */
  segmentBytes: number;
  /** Seconds spent waiting for planes, transposing, encoding + spilling, assembling, syncing. */
  phases: { read: number; transpose: number; encode: number; assemble: number; sync: number };
}

/** Variables of a source worth a cache entry: on its lat/lon grid, with at least one leading dimension. */
export function cacheableVars(src: Source, g: Grid): Var[] {
  return gridVars(src, g).filter((v) => v.shape.length >= 3 && v.type !== 'char');
}

/**
 * The file's grid and the variables to cache: every cacheable one, or `only` (an unknown name is
 * an error); a file without a grid or without such a variable is an error.
 */
export function fileVars(src: Source, only?: string[]): { g: Grid; vars: Var[] } {
  const g = findGrid(src);
  if (!g) throw new Error('no latitude/longitude coordinate variables');
  let vars = cacheableVars(src, g);
  if (only) {
    for (const n of only) if (!vars.some((v) => v.name === n)) throw new Error(`no variable "${n}" on the (${g.latDim}, ${g.lonDim}) grid with a time dimension`);
    vars = vars.filter((v) => only.includes(v.name));
  }
  if (!vars.length) throw new Error(`no variable on the (${g.latDim}, ${g.lonDim}) grid with a time dimension`);
  return { g, vars };
}

/**
 * How a build holds a variable's planes for a memory budget: K planes per segment (balanced so
 * segments are even), whether the whole series is one segment, and how many spill chunks merge
 * into one final chunk (more than 1 only when K is under MIN_CHUNK_PLANES: the build then spills).
 */
export function segmentPlan(planes: number, planeBytes: number, memory: number): { K: number; direct: boolean; merge: number } {
  const kMax = Math.max(1, Math.min(planes, Math.floor(memory / planeBytes)));
  const K = Math.ceil(planes / Math.ceil(planes / kMax));
  const direct = Math.ceil(planes / K) === 1;
  return { K, direct, merge: !direct && K < MIN_CHUNK_PLANES ? Math.ceil(MIN_CHUNK_PLANES / K) : 1 };
}

/** Builds the entries of every cacheable variable of one source file (or of `opts.variables`). */
export async function buildCache(sourcePath: string, opts: BuildOptions): Promise<BuildResult[]> {
  cleanTemps(opts.dir);
  const real = realSource(sourcePath);
  const st = statSync(real, { bigint: true });
  const src = await openSource(real);
  try {
    const { vars } = fileVars(src, opts.variables);
    const total = vars.reduce((s, v) => s + planesOf(v), 0);
    let before = 0;
    const out: BuildResult[] = [];
    for (const v of vars) {
      const share = planesOf(v) / total;
      const base = before;
      out.push(await buildVariable(src, real, st, v, { ...opts, onProgress: (f) => opts.onProgress?.(base + f * share) }));
      before += share;
    }
    return out;
  } finally {
    src.close();
  }
}

function coordsOf(src: Source, v: Var): CoordMeta[] {
  const out: CoordMeta[] = [];
  for (const d of v.dims) {
    const c = src.vars.find((x) => x.name === d && x.dims.length === 1 && x.dims[0] === d);
    if (!c || c.type === 'char') continue;
    const a = src.readAll(c.name);
    out.push({ name: c.name, type: c.type, dims: c.dims, shape: c.shape, attrs: c.attrs, data: Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64') });
  }
  return out;
}

/** Where block b's bytes sit in the segment buffer, and how many cells it has. */
interface Geometry {
  nlat: number;
  nlon: number;
  blockRows: number;
  blockCols: number;
  blocks: number;
  cells: Int32Array;
  width: Int32Array;
  /** Byte offset of block b in a segment of K planes. */
  offset: Float64Array;
}

function geometry(nlat: number, nlon: number, K: number, size: number): Geometry {
  const blockRows = Math.ceil(nlat / BLOCK);
  const blockCols = Math.ceil(nlon / BLOCK);
  const blocks = blockRows * blockCols;
  const cells = new Int32Array(blocks);
  const width = new Int32Array(blocks);
  const offset = new Float64Array(blocks);
  let o = 0;
  for (let b = 0; b < blocks; b++) {
    const r = blockRect(b, blockCols, nlat, nlon);
    cells[b] = r.h * r.w;
    width[b] = r.w;
    offset[b] = o;
    o += cells[b] * K * size;
  }
  return { nlat, nlon, blockRows, blockCols, blocks, cells, width, offset };
}

/**
 * Scatters plane k of the segment into its blocks: byte j of cell i at offset + j·K·cells + k·cells + i.
 * 4- and 2-byte values go four at a time as 32-bit words (a 16-wide block row is 4 words per
 * byte plane): about twice as fast as byte by byte.
 */
function transposePlane(pb: Uint8Array, seg: Uint8Array, seg32: Uint32Array, slot: Int32Array, K: number, geo: Geometry, size: number) {
  const { nlat, nlon, blockCols, cells, width, offset } = geo;
  const p32 = size === 4 || size === 2 ? new Uint32Array(pb.buffer, pb.byteOffset, pb.byteLength >> 2) : null;
  for (let r = 0; r < nlat; r++) {
    const br = (r / BLOCK) | 0;
    const rr = r - br * BLOCK;
    const k = slot[br];
    for (let bc = 0; bc < blockCols; bc++) {
      const b = br * blockCols + bc;
      const n = cells[b];
      const w = width[b];
      const stride = K * n;
      const base = offset[b] + k * n + rr * w;
      const src = (r * nlon + bc * BLOCK) * size;
      // Word moves need every position 4-byte aligned (an odd-sized edge block before this one can shift it).
      if (p32 && (w & 3) === 0 && (src & 3) === 0 && (base & 3) === 0 && (stride & 3) === 0) {
        const q = stride >> 2;
        let d = base >> 2;
        let o = src >> 2;
        if (size === 4)
          for (let c = 0; c < w; c += 4, d++, o += 4) {
            const a = p32[o];
            const b1 = p32[o + 1];
            const c2 = p32[o + 2];
            const e = p32[o + 3];
            seg32[d] = (a & 0xff) | ((b1 & 0xff) << 8) | ((c2 & 0xff) << 16) | ((e & 0xff) << 24);
            seg32[d + q] = ((a >>> 8) & 0xff) | (b1 & 0xff00) | ((c2 & 0xff00) << 8) | ((e & 0xff00) << 16);
            seg32[d + 2 * q] = ((a >>> 16) & 0xff) | ((b1 >>> 8) & 0xff00) | (c2 & 0xff0000) | ((e & 0xff0000) << 8);
            seg32[d + 3 * q] = (a >>> 24) | ((b1 >>> 16) & 0xff00) | ((c2 >>> 8) & 0xff0000) | (e & 0xff000000);
          }
        else
          for (let c = 0; c < w; c += 4, d++, o += 2) {
            const a = p32[o]; // values c, c+1
            const e = p32[o + 1]; // values c+2, c+3
            seg32[d] = (a & 0xff) | ((a >>> 8) & 0xff00) | ((e & 0xff) << 16) | ((e & 0xff0000) << 8);
            seg32[d + q] = ((a >>> 8) & 0xff) | ((a >>> 16) & 0xff00) | ((e & 0xff00) << 8) | (e & 0xff000000);
          }
      } else if (size === 1) seg.set(pb.subarray(src, src + w), base);
      else for (let c = 0; c < w; c++) for (let j = 0; j < size; j++) seg[base + j * stride + c] = pb[src + c * size + j];
    }
  }
}

/** Byte planes of block b for the segment's slots [s0, s1). */
function blockPlanes(seg: Uint8Array, b: number, K: number, s0: number, s1: number, geo: Geometry, size: number): Uint8Array[] {
  const n = geo.cells[b];
  return Array.from({ length: size }, (_, j) => seg.subarray(geo.offset[b] + (j * K + s0) * n, geo.offset[b] + (j * K + s1) * n));
}

function writeAll(fd: number, b: Uint8Array, pos: number) {
  let done = 0;
  while (done < b.length) done += writeSync(fd, b, done, b.length - done, pos + done);
}

function readInto(fd: number, b: Uint8Array, pos: number) {
  let got = 0;
  while (got < b.length) {
    const r = readSync(fd, b, got, b.length - got, pos + got);
    if (r <= 0) throw new Error('spill file is short');
    got += r;
  }
}

export async function buildVariable(src: Source, real: string, st: BigIntStats, v: Var, opts: BuildOptions): Promise<BuildResult> {
  const t0 = performance.now();
  const checkAbort = () => {
    if (opts.signal?.aborted) throw opts.signal.reason instanceof Error ? opts.signal.reason : new Error('cache build stopped');
  };
  const [nlat, nlon] = v.shape.slice(-2);
  const P = planesOf(v);
  const size = BYTES[v.type];
  const planeBytes = nlat * nlon * size;
  const memory = opts.memory ?? DEFAULT_MEMORY;
  // One segment (direct: the whole series fits): nothing to stagger, and the chunks come out
  // block-major. Small spill chunks (a tight budget on a big grid) merge into chunks of at least
  // MIN_CHUNK_PLANES.
  const { K, direct, merge } = segmentPlan(P, planeBytes, memory);
  const geo = geometry(nlat, nlon, K, size);
  const spilled = { planes: P, spillPlanes: K, stagger: !direct, blockRows: geo.blockRows };
  const S = spillChunksPerBlock(spilled);
  if (geo.blocks * S > MAX_SPILL_CHUNKS) throw new Error(`${v.name}: ${geo.blocks} blocks × ${S} chunks is too many for a memory budget of ${memory} bytes; give more`);
  const layout: Layout = { block: BLOCK, blockRows: geo.blockRows, blockCols: geo.blockCols, planes: P, spillPlanes: K, stagger: !direct, merge, chunksPerBlock: Math.ceil(S / merge), order: 'time-major, byte-shuffled' };
  const cpb = layout.chunksPerBlock;
  const key = entryKey(real, v.name);
  const part = tempName(opts.dir, key, 'part');
  // Chunks go straight into the entry in the order they are made (a block's chunks one per K
  // planes); only merging needs them spilled aside and read back.
  const spillName = merge > 1 ? tempName(opts.dir, key, 'spill') : null;
  const fd = openSync(part, 'wx', 0o644);
  const spill = spillName ? openSync(spillName, 'wx+', 0o600) : fd;
  const offsets = new Float64Array(geo.blocks * cpb);
  const lengths = new Uint32Array(geo.blocks * cpb);
  const phases = { read: 0, transpose: 0, encode: 0, assemble: 0, sync: 0 };
  let ok = false;
  try {
    // 1-2: transpose into the segment buffer; a block row's chunk is encoded and spilled as soon
    // as its planes are in (slot of plane p in block row i: (p + phase(i)) mod K).
    const seg = new Uint8Array(K * planeBytes);
    const seg32 = new Uint32Array(seg.buffer, 0, seg.length >> 2);
    const spillAt = spillName ? new Float64Array(geo.blocks * S) : offsets;
    const spillLen = spillName ? new Uint32Array(geo.blocks * S) : lengths;
    const phase = Int32Array.from({ length: geo.blockRows }, (_, i) => phaseOf(spilled, i));
    const slot = new Int32Array(geo.blockRows);
    const chunkOf = new Int32Array(geo.blockRows);
    let spillPos = spillName ? 0 : PREFIX;
    const encoder = new EncoderState();
    const sink = new Sink();
    const merged = new Sink();
    const flushRow = (br: number) => {
      const g = chunkOf[br]++;
      const s0 = g === 0 ? phase[br] : 0;
      sink.reset();
      for (let bc = 0; bc < geo.blockCols; bc++) {
        const b = br * geo.blockCols + bc;
        const at = spillPos + sink.len;
        const c = encodeChunk(blockPlanes(seg, b, K, s0, slot[br] + 1, geo, size), encoder, sink);
        spillAt[b * S + g] = at;
        spillLen[b * S + g] = c.length;
      }
      // One write per block row (~1.5 MB on a 0.5° grid), not one per chunk.
      writeAll(spill, sink.bytes, spillPos);
      spillPos += sink.len;
    };
    let t = performance.now();
    const lap = (k: keyof BuildResult['phases']) => {
      const now = performance.now();
      phases[k] += (now - t) / 1000;
      t = now;
    };
    for await (const [p, data] of readAhead(P, READ_AHEAD, (p) => src.readPlane(v.name, p, 0, nlat))) {
      lap('read');
      checkAbort();
      for (let i = 0; i < geo.blockRows; i++) slot[i] = (p + phase[i]) % K;
      const a = data as NumArray;
      transposePlane(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), seg, seg32, slot, K, geo, size);
      lap('transpose');
      for (let i = 0; i < geo.blockRows; i++) if (slot[i] === K - 1 || p === P - 1) flushRow(i);
      lap('encode');
      opts.onProgress?.(((p + 1) / P) * (spillName ? 0.9 : 1));
    }
    // A block's last chunk may hold no planes: nothing was written for it.
    if (!spillName) for (let i = 0; i < offsets.length; i++) if (lengths[i] === 0) offsets[i] = PREFIX;
    // 3 (small K only): merge spill chunks, block-major.
    let pos = spillPos;
    if (spillName) {
      pos = PREFIX;
      for (let b = 0; b < geo.blocks; b++) {
        checkAbort();
        // The block's spill chunks, read into one reused buffer.
        sink.reset();
        const at = new Float64Array(S + 1);
        for (let g = 0; g < S; g++) {
          readInto(spill, sink.take(spillLen[b * S + g]), spillAt[b * S + g]);
          at[g + 1] = sink.len;
        }
        const chunk = (g: number) => sink.buf.subarray(at[g], at[g + 1]);
        const br = Math.floor(b / geo.blockCols);
        const n = geo.cells[b];
        // Decode each group's spill chunks and encode them as one.
        merged.reset();
        for (let G = 0; G < cpb; G++) {
          const start = merged.len;
          const group: Uint8Array[][] = [];
          for (let g = G * merge; g < Math.min(S, (G + 1) * merge); g++) {
            const T = spillBound(spilled, br, g + 1) - spillBound(spilled, br, g);
            if (T > 0) group.push(decodeChunk(chunk(g), size, T * n));
          }
          if (group.length) encodeChunk(Array.from({ length: size }, (_, j) => Buffer.concat(group.map((d) => d[j]))), encoder, merged);
          offsets[b * cpb + G] = pos + start;
          lengths[b * cpb + G] = merged.len - start;
        }
        writeAll(fd, merged.bytes, pos);
        pos += merged.len;
        opts.onProgress?.(0.9 + (0.1 * (b + 1)) / geo.blocks);
      }
    }
    lap('assemble');
    // Header and index after the chunks, then the prefix that points at them.
    const header: Header = {
      version: VERSION,
      source: { path: real, format: src.format, size: Number(st.size), mtimeNs: String(st.mtimeNs), ino: String(st.ino), dev: String(st.dev) },
      variable: { name: v.name, type: v.type, dims: v.dims, shape: v.shape, attrs: v.attrs },
      coords: coordsOf(src, v),
      globalAttrs: src.globalAttrs,
      layout,
      build: { at: new Date().toISOString(), seconds: 0, memoryBudget: memory, segmentBytes: seg.byteLength },
    };
    header.build.seconds = Math.round(performance.now() - t0) / 1000;
    const hb = encodeHeader(header);
    const ib = Buffer.concat([Buffer.from(offsets.buffer), Buffer.from(lengths.buffer)]);
    writeAll(fd, hb, pos);
    writeAll(fd, ib, align8(pos + hb.length));
    writeAll(fd, writePrefix({ headerLen: hb.length, headerCrc: crc32(hb), indexCrc: crc32(ib), tail: pos }), 0);
    if (opts.durable !== false) fdatasyncSync(fd);
    lap('sync');
    const bytes = fstatSync(fd).size;
    // The source must not have changed while it was read.
    if (statSig(st) !== fileSig(real)) throw new Error(`${real} changed while its cache was built`);
    renameSync(part, entryFile(opts.dir, key));
    rmSync(hitsFile(opts.dir, key), { force: true });
    ok = true;
    return { source: real, variable: v.name, file: entryFile(opts.dir, key), bytes, sourceBytes: Number(st.size), seconds: (performance.now() - t0) / 1000, planes: P, spillPlanes: K, chunkPlanes: K * merge, segmentBytes: seg.byteLength, phases };
  } finally {
    closeSync(fd);
    if (spillName) {
      closeSync(spill);
      unlinkSync(spillName);
    }
    if (!ok) rmSync(part, { force: true });
  }
}
