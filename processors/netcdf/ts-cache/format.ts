/**
 * The time-series cache file (docs/ts-cache.md): one NetCDF variable re-chunked along time.
 *
 *   [32-byte prefix: magic "SDTSC\0\0\1", u32 version, u32 header length H, u32 crc32(header),
 *    u32 crc32(index), f64 offset of the header (= end of the chunks)]
 *   [chunks, in the order the build made them: per K planes, a block row's chunks side by side]
 *   [H bytes: the header, JSON]                        [pad to 8]
 *   [index: blocks × chunksPerBlock float64 chunk offsets, then as many u32 chunk lengths;
 *    chunk g of block b at b·chunksPerBlock + g]       [end of file]
 *
 * The header and index come last so that chunks stream straight into the file as they are made.
 * A point reads its block's chunks, one per K planes (one read when they happen to be adjacent).
 *
 * A block is BLOCK × BLOCK cells (fewer at the grid's last row and column); a chunk is one block
 * over a run of consecutive planes (which planes: Layout and chunkBounds below). Inside a
 * chunk the values are laid out time-major ([plane][cell], cells row-major within the block) and
 * byte-shuffled: byte j of every value, then byte j+1, ... (values little-endian, as typed arrays
 * hold them on every platform Node supports). Each byte plane is stored raw, as one constant
 * byte, or raw-deflated (zlib's RLE strategy) — whichever fits. A chunk:
 *
 *   [u32 crc32 of everything after it][per byte plane: u8 method, u32 stored length][the planes' bytes]
 *
 * Stored values are the source's, untouched (packed shorts stay shorts; fill values stay).
 */
import { crc32, deflateRawSync, inflateRawSync, constants as Z } from 'node:zlib';
import type { Attr, NcType } from '../model.js';

export const MAGIC = Buffer.from('SDTSC\0\0\x01', 'latin1');
export const VERSION = 1;
export const PREFIX = 32;
/** Cells per block side: 16 × 16 measured best (docs/ts-cache.md). */
export const BLOCK = 16;
export const ENTRY_EXT = '.tsc';

export const RAW = 0;
export const DEFLATE = 1;
export const CONST = 2;

/** A variable as stored in the header: attribute numbers travel as float64 bits (NaN fill values survive JSON). */
export interface StoredVarMeta {
  name: string;
  type: NcType;
  dims: string[];
  shape: number[];
  attrs: Attr[];
}

export interface CoordMeta extends StoredVarMeta {
  /** The values in the variable's own type, base64 of the little-endian bytes. */
  data: string;
}

/**
 * How a block's planes are cut into chunks. The build holds K = spillPlanes planes at a time;
 * block row i's chunk boundaries are shifted by phase(i) = ⌊i·K / blockRows⌋ planes ("stagger"),
 * so that each plane completes the chunks of only a few block rows and encoding spreads evenly
 * over the reading instead of stalling it every K planes. A block's first chunk is then shorter,
 * and its last may be empty. With merge > 1, that many consecutive spill chunks form one chunk.
 */
export interface Layout {
  block: number;
  blockRows: number;
  blockCols: number;
  /** Planes: the product of the leading dimensions (time, or time × level). */
  planes: number;
  spillPlanes: number;
  stagger: boolean;
  merge: number;
  chunksPerBlock: number;
  order: 'time-major, byte-shuffled';
}

export const spillChunksPerBlock = (l: Pick<Layout, 'planes' | 'spillPlanes' | 'stagger'>) => Math.ceil(l.planes / l.spillPlanes) + (l.stagger ? 1 : 0);
export const phaseOf = (l: Pick<Layout, 'spillPlanes' | 'stagger' | 'blockRows'>, blockRow: number) => (l.stagger ? Math.floor((blockRow * l.spillPlanes) / l.blockRows) : 0);
/** First plane of spill chunk g of a block row (g = spill chunks per block: the end). */
export const spillBound = (l: Pick<Layout, 'planes' | 'spillPlanes' | 'stagger' | 'blockRows'>, blockRow: number, g: number) => Math.max(0, Math.min(l.planes, g * l.spillPlanes - phaseOf(l, blockRow)));

/** Plane boundaries of a block row's chunks: chunk g holds planes [b[g], b[g+1]). */
export function chunkBounds(l: Layout, blockRow: number): number[] {
  const S = spillChunksPerBlock(l);
  return Array.from({ length: l.chunksPerBlock + 1 }, (_, G) => spillBound(l, blockRow, Math.min(G * l.merge, S)));
}

export interface Header {
  version: number;
  source: {
    /** Real path of the source (symlinks resolved). */
    path: string;
    format: 'NetCDF-4' | 'NetCDF-3';
    size: number;
    /** Nanoseconds since the epoch, and inode and device, as decimal strings (bigint stat). */
    mtimeNs: string;
    ino: string;
    dev: string;
  };
  variable: StoredVarMeta;
  /** 1-D coordinate variables of the variable's dimensions (time axis, lat, lon, levels). */
  coords: CoordMeta[];
  globalAttrs: Attr[];
  layout: Layout;
  build: { at: string; seconds: number; memoryBudget: number; segmentBytes: number };
}

const f64b64 = (xs: number[]) => Buffer.from(new Float64Array(xs).buffer).toString('base64');
const b64f64 = (s: string) => {
  const b = Buffer.from(s, 'base64');
  return Array.from(new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length)));
};

/** Attributes in JSON with numbers kept bit for bit (NaN, ±Infinity, -0 included). */
export const encodeAttrs = (attrs: Attr[]) => attrs.map((a) => ({ name: a.name, type: a.type, ...(typeof a.value === 'string' ? { text: a.value } : { f64: f64b64(a.value) }) }));
export const decodeAttrs = (raw: Array<{ name: string; type: NcType; text?: string; f64?: string }>): Attr[] => raw.map((a) => ({ name: a.name, type: a.type, value: a.text ?? b64f64(a.f64 ?? '') }));

export function encodeHeader(h: Header): Buffer {
  const enc = (v: StoredVarMeta) => ({ ...v, attrs: encodeAttrs(v.attrs) });
  return Buffer.from(JSON.stringify({ ...h, variable: enc(h.variable), coords: h.coords.map((c) => ({ ...enc(c), data: c.data })), globalAttrs: encodeAttrs(h.globalAttrs) }));
}

export function decodeHeader(b: Buffer): Header {
  const h = JSON.parse(b.toString('utf8'));
  const dec = (v: { attrs: never }) => ({ ...v, attrs: decodeAttrs(v.attrs) });
  return { ...h, variable: dec(h.variable), coords: h.coords.map(dec), globalAttrs: decodeAttrs(h.globalAttrs) };
}

export const align8 = (n: number) => Math.ceil(n / 8) * 8;

/** Block geometry: rows [r0, r0+h) and columns [c0, c0+w) of block b. */
export function blockRect(b: number, blockCols: number, nlat: number, nlon: number, B = BLOCK) {
  const br = Math.floor(b / blockCols);
  const bc = b % blockCols;
  const r0 = br * B;
  const c0 = bc * B;
  return { r0, c0, h: Math.min(B, nlat - r0), w: Math.min(B, nlon - c0) };
}

const DEFLATE_OPTS = { level: 1, strategy: Z.Z_RLE };
/** Above this many bits per byte (order-0, sampled) a byte plane is stored raw without trying. */
const RAW_ENTROPY = 7.2;


/** Order-0 entropy (bits per byte) of about 1000 of the bytes: enough to tell noise (≥ 7.6 measured this way) from compressible bytes. */
function sampleEntropy(p: Uint8Array): number {
  const hist = new Uint32Array(256);
  const step = Math.max(1, Math.floor(p.length / 1024)) | 1;
  let n = 0;
  for (let i = 0; i < p.length; i += step) {
    hist[p[i]]++;
    n++;
  }
  let bits = 0;
  for (let v = 0; v < 256; v++) {
    if (!hist[v]) continue;
    const q = hist[v] / n;
    bits -= q * Math.log2(q);
  }
  return bits;
}

function isConstant(p: Uint8Array): boolean {
  const x = p[0];
  if (p[p.length - 1] !== x || p[p.length >> 1] !== x) return false;
  for (let i = 1; i < p.length; i++) if (p[i] !== x) return false;
  return true;
}

/**
 * What the encoder learnt about a variable's byte planes: a byte position found noisy in a row
 * of chunks (the low mantissa bytes of real data) is stored raw without sampling, except every
 * RECHECK-th chunk.
 */
export class EncoderState {
  readonly noisyRun = new Int32Array(16);
  chunks = 0;
}
const NOISY_AFTER = 4;
const RECHECK = 16;

/**
 * One chunk from its byte planes (each `n` bytes: byte j of every value, time-major).
 * Synchronous on purpose: a chunk's deflate takes ~80 µs, while zlib's async convenience calls
 * cost ~170 µs each of JS overhead on the calling thread (measured, docs/ts-cache.md).
 */
export function encodeChunk(planes: Uint8Array[], state = new EncoderState(), sink = new Sink()): Buffer {
  const at = sink.len;
  const parts: Array<[number, Uint8Array]> = [];
  const recheck = state.chunks++ % RECHECK === 0;
  for (let j = 0; j < planes.length; j++) {
    const p = planes[j];
    if (isConstant(p)) {
      parts.push([CONST, p.subarray(0, 1)]);
      continue;
    }
    if ((state.noisyRun[j] >= NOISY_AFTER && !recheck) || sampleEntropy(p) >= RAW_ENTROPY) {
      state.noisyRun[j]++;
      parts.push([RAW, p]);
      continue;
    }
    const z = deflateRawSync(p, DEFLATE_OPTS);
    if (z.length < p.length * 0.95) {
      state.noisyRun[j] = 0;
      parts.push([DEFLATE, z]);
    } else {
      state.noisyRun[j]++;
      parts.push([RAW, p]);
    }
  }
  let total = 4 + 5 * planes.length;
  for (const [, d] of parts) total += d.length;
  const out = sink.take(total);
  let o = 4;
  for (const [m, d] of parts) {
    out[o] = m;
    out.writeUInt32LE(d.length, o + 1);
    o += 5;
  }
  for (const [, d] of parts) {
    out.set(d, o);
    o += d.length;
  }
  out.writeUInt32LE(crc32(out.subarray(4)), 0);
  return sink.buf.subarray(at, at + total);
}

/** A growable byte buffer reused across chunks (a build otherwise allocates its whole output twice over in small pieces). */
export class Sink {
  buf: Buffer;
  len = 0;
  constructor(initial = 1 << 20) {
    this.buf = Buffer.allocUnsafe(initial);
  }
  /** `n` more bytes at the end, to be filled by the caller. Views taken earlier die if it grows. */
  take(n: number): Buffer {
    if (this.len + n > this.buf.length) {
      const b = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
      this.buf.copy(b, 0, 0, this.len);
      this.buf = b;
    }
    this.len += n;
    return this.buf.subarray(this.len - n, this.len);
  }
  reset() {
    this.len = 0;
  }
  get bytes(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}

export class CorruptCacheError extends Error {}

/**
 * The byte planes of a chunk (`size` of them, `n` bytes each), checked against its crc32. Raw
 * planes are views into `chunk`.
 */
export function decodeChunk(chunk: Uint8Array, size: number, n: number): Uint8Array[] {
  if (chunk.length < 4 + 5 * size) throw new CorruptCacheError('chunk shorter than its header');
  const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
  if (crc32(buf.subarray(4)) !== buf.readUInt32LE(0)) throw new CorruptCacheError('chunk checksum mismatch');
  let o = 4 + 5 * size;
  const out: Uint8Array[] = [];
  for (let j = 0; j < size; j++) {
    const m = buf[4 + 5 * j];
    const len = buf.readUInt32LE(5 + 5 * j);
    if (o + len > buf.length) throw new CorruptCacheError('chunk plane runs past its end');
    const d = buf.subarray(o, o + len);
    o += len;
    if (m === RAW && len === n) out.push(d);
    else if (m === CONST && len === 1) out.push(new Uint8Array(n).fill(d[0]));
    else if (m === DEFLATE) {
      let p: Buffer;
      try {
        p = inflateRawSync(d, { maxOutputLength: n, chunkSize: Math.max(64, n) });
      } catch (e) {
        throw new CorruptCacheError(`chunk plane does not inflate: ${(e as Error).message}`);
      }
      if (p.length !== n) throw new CorruptCacheError(`chunk plane inflates to ${p.length} bytes, expected ${n}`);
      out.push(p);
    } else throw new CorruptCacheError(`chunk plane method ${m} with ${len} bytes for ${n}`);
  }
  return out;
}

export interface Prefix {
  headerLen: number;
  headerCrc: number;
  indexCrc: number;
  /** Where the header starts (the chunks end). */
  tail: number;
}

export function writePrefix(p: Prefix): Buffer {
  const b = Buffer.alloc(PREFIX);
  MAGIC.copy(b, 0);
  b.writeUInt32LE(VERSION, 8);
  b.writeUInt32LE(p.headerLen, 12);
  b.writeUInt32LE(p.headerCrc, 16);
  b.writeUInt32LE(p.indexCrc, 20);
  b.writeDoubleLE(p.tail, 24);
  return b;
}

/** null when these are not the first bytes of a cache file of this version. */
export function readPrefix(b: Buffer): Prefix | null {
  if (b.length < PREFIX || !b.subarray(0, 8).equals(MAGIC) || b.readUInt32LE(8) !== VERSION) return null;
  const p = { headerLen: b.readUInt32LE(12), headerCrc: b.readUInt32LE(16), indexCrc: b.readUInt32LE(20), tail: b.readDoubleLE(24) };
  if (!Number.isSafeInteger(p.tail) || p.tail < PREFIX || p.headerLen > MAX_HEADER) return null;
  return p;
}

/** Headers hold coordinates (a century of days is 290 KB of base64): far below this. */
export const MAX_HEADER = 64 * 1024 * 1024;
