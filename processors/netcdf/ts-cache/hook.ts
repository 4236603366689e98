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
import { pointSeriesFromCache } from './read.js';

export class PointCachedSource extends WrappedSource {
  /** Variables whose point series came from the cache (for the job's info). */
  readonly answered = new Set<string>();
  private readonly series = new Map<string, NumArray | null>();

  constructor(
    src: Source,
    private readonly path: string,
    private readonly row: number,
    private readonly col: number,
    private readonly dir?: string,
  ) {
    super(src);
  }

  private cached(v: Var): NumArray | null {
    if (!this.series.has(v.name)) {
      const s = v.shape.length >= 3 ? pointSeriesFromCache(this.path, v.name, this.row, this.col, this.dir) : null;
      this.series.set(v.name, s);
      if (s) this.answered.add(v.name);
    }
    return this.series.get(v.name)!;
  }

  async readPlane(name: string, plane: number, row0: number, row1: number): Promise<NumArray> {
    const v = this.src.vars.find((x) => x.name === name);
    const s = v && row0 === this.row && row1 === this.row + 1 ? this.cached(v) : null;
    if (!v || !s) return this.src.readPlane(name, plane, row0, row1);
    const nlon = v.shape[v.shape.length - 1];
    const out = arrayFor(v.type, nlon);
    out.fill(numAttr(v.attrs, '_FillValue') ?? numAttr(v.attrs, 'missing_value') ?? DEFAULT_FILL[v.type]);
    out[this.col] = s[plane];
    return out;
  }

}

export function withPointCache(src: Source, path: string, row: number, col: number, dir?: string): PointCachedSource {
  return new PointCachedSource(src, path, row, col, dir);
}
