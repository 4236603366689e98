/**
 * Applies an operation chain to a grid: crops intersect into one window (rows × ordered
 * columns), masks AND into one cell mask, a point narrows the window to its nearest cell. Since
 * all operations act on the same input grid, this is the chain applied in order, done once per
 * file instead of once per operation and plane.
 */
import { colsIn, nearest, rowsIn, type Grid } from './grid.js';
import { maskFor } from './masks.js';
import { createdEarlier, type Op } from './operations.js';

export interface Selection {
  rows: number[];
  cols: number[];
  /** Over the full grid (row-major), 1 = keep; null = keep all. */
  mask: Uint8Array | null;
  point: boolean;
}

export class EmptySelectionError extends Error {
  constructor(readonly input: string, message: string) {
    super(message);
  }
}

/** `created`: masks made by the job's create_mask operations (name -> path), for mask_mask after them. */
export async function select(ops: Op[], g: Grid, uploadDir?: string, created?: ReadonlyMap<string, string>): Promise<Selection> {
  let rows = Array.from(g.lat, (_, i) => i);
  let cols = Array.from(g.lon, (_, j) => j);
  let mask: Uint8Array | null = null;
  let point = false;
  for (const [i, op] of ops.entries()) {
    if (op.operation === 'select_bbox' || op.operation === 'cutout_bbox') {
      const [w, s, e, n] = op.bbox;
      const r = new Set(rowsIn(g, s, n));
      const c = new Set(cols);
      rows = rows.filter((x) => r.has(x));
      cols = colsIn(g, w, e).filter((x) => c.has(x));
      if (!rows.length || !cols.length) throw new EmptySelectionError(`operations.${i}.bbox`, `bbox [${op.bbox.join(', ')}] contains no grid cell centre`);
    } else if (op.operation === 'select_point' || op.operation === 'cutout_point') {
      const r = nearest(g.lat, op.point.lat, false);
      const c = nearest(g.lon, op.point.lon, true);
      if (!rows.includes(r) || !cols.includes(c)) throw new EmptySelectionError(`operations.${i}.point`, 'the point is outside the cells left by the operations before it');
      rows = [r];
      cols = [c];
      point = true;
    } else {
      // create_mask selects nothing (maskFor: null); a mask_mask after it reads the file it made.
      const m = await maskFor(op, i, g, uploadDir, createdEarlier(ops, i) ? created : undefined);
      if (m) mask = mask ? m.map((v, k) => v & mask![k]) : m;
    }
  }
  return { rows, cols, mask, point };
}
