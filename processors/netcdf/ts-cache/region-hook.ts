/**
 * How the processor uses the cache, for a point (select_point, cutout_point) or a region
 * (select_bbox, mask_bbox, cutout_bbox, mask_country, mask_polygon, mask_mask; NetCDF, CSV, or
 * compute_mean): after the selection is known, the file's Source is wrapped so that reading the
 * selection's row window (`readPlane(name, p, row0, row1)` with row0..row1 = the selected rows'
 * span, which is what subsetNc, fieldMean's series, pointCsv and regionCsv read) answers from the
 * kept cells' values, read from their blocks once per variable (TsCache.readCellPlanes). A point
 * is a region of one cell. The output code is untouched, so its bytes cannot differ.
 *
 * What the outputs read of a plane: only the kept cells (`toRuns(sel)`: rows × cols where the
 * mask is 1). gatherPlane copies those runs and writes the fill itself everywhere else (so
 * mask_bbox's whole grid outside the box is the output code's fill, never a value from the
 * plane), sumRuns sums those runs. The wrapper hands out the kept cells' cached values and the
 * variable's fill elsewhere, and enumerates the kept cells with the same toRuns, so every value
 * an output reads comes from the cache.
 *
 * When: always for a point; for a region, `regionCacheRule` (measured, docs/ts-cache.md "Regions
 * from the cache"): the blocks to decode (blocks × 256 cells × planes × bytes) at most
 * MAX_REGION_DECODE, and the kept cells' values (cells × planes × bytes) at most MAX_REGION_BYTES
 * in memory; else, and for variables without a valid entry, the source answers.
 */
import { arrayFor, BYTES, fillOf, type NumArray, type Source, type Var } from '../model.js';
import { toRuns } from '../runs.js';
import { AHEAD, planesOf } from '../task.js';
import { EmptySelectionError, select, type Selection } from '../selection.js';
import type { Grid } from '../grid.js';
import { parseOps, perFileOps, type Op } from '../operations.js';
import { BLOCK, type Header } from './format.js';
import { readEntry } from './read.js';
import { defaultCacheDir } from './store.js';

/**
 * Bytes of blocks decoded (blocks × 256 cells × planes × value size) above which the source is
 * read instead: 64 MiB is ~180 blocks of a year of daily float data, where the cache takes
 * ~0.3 s against the source's ~1.1–1.4 s (docs/ts-cache.md "Regions from the cache").
 */
export const MAX_REGION_DECODE = 64 * 1024 * 1024;
/** Window buffers handed out in turn per variable (see readPlane), and at most this many bytes of them. */
const RING = AHEAD + 3;
const MAX_RING_BYTES = 32 * 1024 * 1024;
/** The kept cells' values held in memory while the outputs are written. */
export const MAX_REGION_BYTES = 48 * 1024 * 1024;

/** The kept cells of a selection, in the order the outputs visit them. */
export function keptCells(sel: Selection, nlon: number): Array<[number, number]> {
  const runs = toRuns(sel, nlon);
  const cells: Array<[number, number]> = [];
  for (let i = 0; i < runs.len.length; i++) {
    const r = sel.rows[runs.start[3 * i]];
    const c0 = runs.start[3 * i + 2];
    for (let j = 0; j < runs.len[i]; j++) cells.push([r, c0 + j]);
  }
  return cells;
}

export const blocksOf = (cells: Array<[number, number]>) => new Set(cells.map(([r, c]) => Math.floor(r / BLOCK) * 1e6 + Math.floor(c / BLOCK))).size;

/**
 * Whether the cache answers `cells` kept cells lying in `blocks` blocks of a variable with
 * `planes` planes of `bytes`-byte values: the cache decodes whole blocks × all planes, the
 * source inflates every plane once whatever the region. Measured in docs/ts-cache.md ("Regions
 * from the cache").
 */
export function regionCacheRule(blocks: number, cells: number, planes: number, bytes: number): boolean {
  return cells > 0 && blocks * BLOCK * BLOCK * planes * bytes <= MAX_REGION_DECODE && cells * planes * bytes <= MAX_REGION_BYTES;
}

/** Whether the cache answers a region of `cells` kept cells of `v` (regionCacheRule over its planes). */
export function cacheAnswers(cells: Array<[number, number]>, v: Var): boolean {
  return v.shape.length >= 3 && regionCacheRule(blocksOf(cells), cells.length, planesOf(v), BYTES[v.type]);
}

/** Why a request's variable is not built for it: the cache would not answer a region that large. */
export const REGION_TOO_LARGE = 'the region is too large for the cache to answer it (docs/ts-cache.md, "The rule")';

/**
 * The variables of `vars` a request would read from the cache had the file an entry: all of
 * them for a point, those within regionCacheRule for a region, none for a request that selects
 * no cell of this file. The auto build asks this before building for a request (build-worker.ts),
 * so it builds exactly what later requests like it would use. Masks read from uploads (polygon,
 * mask file) cannot be made here, their job and its uploads being gone: the rule is applied to
 * the other operations (a superset of the cells, so a region it admits is admitted), and a
 * request made only of such masks counts as small (every variable), as a drawn polygon usually is.
 */
export async function varsTheCacheWouldAnswer(rawOps: unknown, g: Grid, vars: Var[]): Promise<Var[]> {
  let ops: Op[];
  try {
    ops = perFileOps(parseOps(rawOps));
  } catch {
    return vars;
  }
  const here = ops.filter((o) => o.operation !== 'mask_polygon' && o.operation !== 'mask_mask');
  if (!here.length) return vars;
  let sel: Selection;
  try {
    sel = await select(here, g);
  } catch (e) {
    if (e instanceof EmptySelectionError) return [];
    return vars;
  }
  if (sel.point) return vars;
  const cells = keptCells(sel, g.lon.length);
  return vars.filter((v) => cacheAnswers(cells, v));
}

/** An integer view of a window plane, so that values are copied bit for bit (NaN payloads). */
function bits(a: NumArray): Uint8Array | Uint16Array | Uint32Array {
  const n = a.length * a.BYTES_PER_ELEMENT;
  if (a.BYTES_PER_ELEMENT === 1) return new Uint8Array(a.buffer, a.byteOffset, n);
  if (a.BYTES_PER_ELEMENT === 2) return new Uint16Array(a.buffer, a.byteOffset, n / 2);
  return new Uint32Array(a.buffer, a.byteOffset, n / 4);
}

/**
 * A variable's kept cells, plane by plane (`TsCache.readCellPlanes`: integer views of the stored
 * bits, `k` words per value), where each cell goes in the window (in words), its fill, and the
 * window buffers.
 */
interface Loaded {
  data: Uint8Array | Uint16Array | Uint32Array;
  k: number;
  at: Int32Array;
  fill: number;
  ring: NumArray[];
  next: number;
}

/**
 * A Source that answers like the one it wraps, except readPlane for the selection's row window of
 * variables the cache answers. Once an entry has answered, its header's coordinate variables (time
 * axis, lat, lon, levels: the source's own values, bit for bit, stored by the build and valid
 * while the source's stat matches) answer readAll too: a ten-year time axis stored in 3 650
 * one-value chunks takes ~15 ms to read from the source, more than a point's whole series from
 * the cache.
 */
export class RegionCachedSource implements Source {
  /** Variables whose values came from the cache (for the job's info). */
  readonly answered = new Set<string>();
  private readonly planes = new Map<string, Loaded | null>();
  private readonly coords = new Map<string, NumArray>();
  private readonly row0: number;
  private readonly row1: number;
  private cells: Array<[number, number]> | null = null;

  constructor(
    private readonly src: Source,
    private readonly path: string,
    private readonly sel: Selection,
    private readonly dir = defaultCacheDir(),
  ) {
    this.row0 = Math.min(...sel.rows);
    this.row1 = Math.max(...sel.rows) + 1;
  }

  get format() {
    return this.src.format;
  }
  get dims() {
    return this.src.dims;
  }
  get vars() {
    return this.src.vars;
  }
  get globalAttrs() {
    return this.src.globalAttrs;
  }

  close() {
    this.src.close();
  }

  readAll(name: string): NumArray {
    if (!this.coords.has(name)) {
      // A coordinate of a variable the cache may answer: that variable's entry has it.
      const v = this.src.vars.find((x) => x.shape.length >= 3 && x.dims.includes(name));
      if (v) this.cached(v);
    }
    const c = this.coords.get(name);
    return c ? (c.slice() as NumArray) : this.src.readAll(name);
  }

  /** Keeps the header's coordinate variables that the source describes the same way. */
  private learn(h: Header) {
    for (const c of h.coords) {
      const v = this.src.vars.find((x) => x.name === c.name);
      if (!v || this.coords.has(c.name) || v.type !== c.type || v.shape.join() !== c.shape.join()) continue;
      const b = Buffer.from(c.data, 'base64');
      const a = arrayFor(c.type, Math.floor(b.length / BYTES[c.type]));
      new Uint8Array(a.buffer, a.byteOffset, a.byteLength).set(b);
      if (a.length === v.shape.reduce((x, y) => x * y, 1)) this.coords.set(c.name, a);
    }
  }

  /** The kept cells' values of `v` from the cache, or null (no valid entry, or a region the rule says no to). */
  private cached(v: Var) {
    if (this.planes.has(v.name)) return this.planes.get(v.name)!;
    let got: Loaded | null = null;
    if (v.shape.length >= 3) {
      this.cells ??= keptCells(this.sel, v.shape[v.shape.length - 1]);
      if (this.sel.point || cacheAnswers(this.cells, v)) got = this.load(v);
    }
    this.planes.set(v.name, got);
    return got;
  }

  private load(v: Var): Loaded | null {
    const cells = this.cells!;
    const got = readEntry(this.path, v.name, this.dir, (c) => {
      const h = c.header.variable;
      // The entry must describe the variable as the source does (it matches the source's stat, so it does).
      return h.type !== v.type || h.shape.join() !== v.shape.join() ? null : c.readCellPlanes(cells);
    });
    if (!got?.value) return null;
    this.learn(got.header);
    const nlon = v.shape[v.shape.length - 1];
    const k = BYTES[v.type] === 8 ? 2 : 1;
    const at = Int32Array.from(cells, ([r, c]) => ((r - this.row0) * nlon + c) * k);
    return { data: got.value, k, at, fill: fillOf(v), ring: [], next: 0 };
  }

  async readPlane(name: string, plane: number, row0: number, row1: number): Promise<NumArray> {
    const v = this.src.vars.find((x) => x.name === name);
    const c = v && row0 === this.row0 && row1 === this.row1 ? this.cached(v) : null;
    if (!v || !c) return this.src.readPlane(name, plane, row0, row1);
    this.answered.add(name);
    const nlon = v.shape[v.shape.length - 1];
    // A ring of window buffers whose cells outside the kept ones keep the fill: a mask over the
    // whole grid (mask_country) would otherwise fill 259 200 cells per plane for ~200 kept ones.
    // Every output uses a plane before it reads the next ones, and readAhead holds AHEAD + 1 at
    // once, so RING planes handed out are never in use together. Windows too large to keep RING
    // of (a fine grid's whole-grid mask) are allocated per plane, as the source does.
    const n = (row1 - row0) * nlon;
    let out: NumArray;
    if (n * BYTES[v.type] * RING > MAX_RING_BYTES) {
      out = arrayFor(v.type, n);
      out.fill(c.fill);
    } else if (c.ring.length < RING) {
      out = arrayFor(v.type, n);
      out.fill(c.fill);
      c.ring.push(out);
    } else out = c.ring[c.next++ % RING];
    const o = bits(out);
    const { data, k, at } = c;
    const N = at.length;
    if (k === 1) for (let i = 0, base = plane * N; i < N; i++) o[at[i]] = data[base + i];
    else
      for (let i = 0, base = 2 * plane * N; i < N; i++) {
        o[at[i]] = data[base + 2 * i];
        o[at[i] + 1] = data[base + 2 * i + 1];
      }
    return out;
  }
}

export function withRegionCache(src: Source, path: string, sel: Selection, dir?: string): RegionCachedSource {
  return new RegionCachedSource(src, path, sel, dir);
}

/** The wrapper for one cell's series (row, col on the source's grid): the selection a point makes. */
export function withPointCache(src: Source, path: string, row: number, col: number, dir?: string): RegionCachedSource {
  return new RegionCachedSource(src, path, { rows: [row], cols: [col], mask: null, point: true }, dir);
}
