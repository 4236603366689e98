/**
 * How the processor uses the cache for a point (select_point, cutout_point; CSV or NetCDF out):
 * after the selection is known, the file's Source is wrapped so that reading the point's row
 * answers from the cache. The output code is untouched, so its bytes cannot differ:
 *
 *   const sel = await select(...);
 *   const use = sel.point ? withPointCache(src, t.path, sel.rows[0], sel.cols[0], dir) : src;
 *
 * Only the point's column of each row handed out is meaningful (the selection reads nothing
 * else); variables without a valid entry, and any other read, go to the source.
 */
import { WrappedSource } from './wrapped-source.js';
import { arrayFor, DEFAULT_FILL, numAttr, type NumArray, type Source, type Var } from '../model.js';
import { AHEAD } from '../task.js';
import { readEntry } from './read.js';
import { defaultCacheDir } from './store.js';

/**
 * Rows handed out in turn per variable: every output uses a plane before it reads the next
 * ones, and readAhead holds AHEAD + 1 at once (as region-hook.ts's windows). A fresh row per
 * plane was 10 MB of garbage for a ten-year point.
 */
const RING = AHEAD + 3;

export class PointCachedSource extends WrappedSource {
  /** Variables whose point series came from the cache (for the job's info). */
  readonly answered = new Set<string>();
  private readonly series = new Map<string, { values: NumArray; rows: NumArray[]; next: number } | null>();

  constructor(
    src: Source,
    private readonly path: string,
    private readonly row: number,
    private readonly col: number,
    private readonly dir = defaultCacheDir(),
  ) {
    super(src);
  }

  protected prepare(v: Var) {
    this.cached(v);
  }

  private cached(v: Var) {
    if (!this.series.has(v.name)) {
      const got = v.shape.length >= 3 ? readEntry(this.path, v.name, this.dir, (c) => c.readPointSeries(this.row, this.col), true) : null;
      this.series.set(v.name, got && { values: got.value, rows: [], next: 0 });
      if (got) this.learn(got.header);
    }
    return this.series.get(v.name)!;
  }

  async readPlane(name: string, plane: number, row0: number, row1: number): Promise<NumArray> {
    const v = this.src.vars.find((x) => x.name === name);
    const s = v && row0 === this.row && row1 === this.row + 1 ? this.cached(v) : null;
    if (!v || !s) return this.src.readPlane(name, plane, row0, row1);
    this.answered.add(name);
    // Rows hold the fill everywhere but the point's column, which is all the outputs read.
    let out: NumArray;
    if (s.rows.length < RING) {
      out = arrayFor(v.type, v.shape[v.shape.length - 1]);
      out.fill(numAttr(v.attrs, '_FillValue') ?? numAttr(v.attrs, 'missing_value') ?? DEFAULT_FILL[v.type]);
      s.rows.push(out);
    } else out = s.rows[s.next++ % RING];
    out[this.col] = s.values[plane];
    return out;
  }
}

export function withPointCache(src: Source, path: string, row: number, col: number, dir?: string): PointCachedSource {
  return new PointCachedSource(src, path, row, col, dir);
}
