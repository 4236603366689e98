/**
 * One input file through the operation chain to its output: a NetCDF subset, a field-mean
 * series (NetCDF, or CSV), a point series as CSV, or a region's cells as cdo-style CSV. Planes stream through a read-ahead /
 * write-behind pipeline, so memory stays at a few planes whatever the file size, and zlib works
 * on libuv's threads while JS gathers and masks.
 */
import { join } from 'node:path';
import { findGrid, gridVars, outputLons, type Grid } from './grid.js';
import { arrayFor, fillOf, numAttr, type NumArray, type Source, type Var } from './model.js';
import { openSource } from './io/open-source.js';
import { Nc4Writer, type OutVar } from './io/nc4-writer.js';
import { perFileOps, resolutionError } from './operations.js';
import { select, type Selection } from './selection.js';
import { Bounded, gatherAxis, Pool, readAhead } from './stream.js';
import { gatherPlane, toRuns } from './runs.js';
import { fieldMean, pointCsv } from './series.js';
import { withRegionCache } from './ts-cache/region-hook.js';
import { regionCsv } from './region-csv.js';
import { AHEAD, checkAbort, historyAttrs, outName, planesOf, type FileTask } from './task.js';

/** Returns the names (relative to outDir) of the files written. */
export async function subsetFile(t: FileTask): Promise<string[]> {
  const src = await openSource(t.path);
  try {
    const g = findGrid(src);
    if (!g) throw new Error('no latitude/longitude coordinate variables');
    const tooFine = resolutionError(perFileOps(t.ops), t.label ?? t.path, g.lon.length, g.lat.length);
    if (tooFine) throw new Error(tooFine);
    const vars = gridVars(src, g);
    if (!vars.length) throw new Error(`no variable on the (${g.latDim}, ${g.lonDim}) grid`);
    const sel = await select(t.ops, g, t.uploadDir, t.createdMasks);
    const fileOps = perFileOps(t.ops);
    const last = fileOps[fileOps.length - 1];
    // A point's series, or a small region's cells, from the time-series cache when the file has
    // a valid entry: a few blocks read instead of every plane (a region only while the cache is
    // the cheaper way: regionCacheRule); the outputs are written by the same code either way.
    const cachedSrc = t.tsCacheDir ? withRegionCache(src, t.path, sel, t.tsCacheDir) : null;
    const use = cachedSrc ?? src;
    try {
      if (last.compute_mean) return await fieldMean(use, g, vars, sel, t, !!last.output_csv);
      if (sel.point && last.output_csv) return await pointCsv(use, vars, sel, t);
      if (last.output_csv) return await regionCsv(use, vars, sel, t);
      return await subsetNc(use, g, vars, sel, t);
    } finally {
      if (cachedSrc?.answered.size) t.onCached?.([...cachedSrc.answered]);
    }
  } finally {
    src.close();
  }
}

async function subsetNc(src: Source, g: Grid, vars: Var[], sel: Selection, t: FileTask): Promise<string[]> {
  const { rows, cols, mask } = sel;
  const dims = src.dims.map((d) => (d.name === g.latDim ? { ...d, size: rows.length } : d.name === g.lonDim ? { ...d, size: cols.length } : d));
  const fills = new Map<string, number>();
  const outVars: OutVar[] = src.vars.map((v) => {
    if (vars.includes(v)) {
      const fill = fillOf(v);
      fills.set(v.name, fill);
      const needsFill = mask && numAttr(v.attrs, '_FillValue') === undefined && numAttr(v.attrs, 'missing_value') === undefined;
      return { ...v, attrs: needsFill ? [{ name: '_FillValue', type: v.type, value: [fill] }, ...v.attrs] : v.attrs };
    }
    if (v.name === g.latDim) return { ...v, data: Float64Array.from(rows, (r) => g.lat[r]), type: 'double' };
    if (v.name === g.lonDim) return { ...v, data: outputLons(g, cols), type: 'double' };
    let data = src.readAll(v.name);
    const shape = [...v.shape];
    v.dims.forEach((d, axis) => {
      const idx = d === g.latDim ? rows : d === g.lonDim ? cols : null;
      if (!idx) return;
      data = gatherAxis(data, shape, axis, idx, (n) => arrayFor(v.type, n));
      shape[axis] = idx.length;
    });
    return { ...v, data };
  });
  const file = outName(t, 'nc');
  const writer = await Nc4Writer.create(join(t.outDir, file), { dims, vars: outVars, globalAttrs: historyAttrs(src.globalAttrs, t.history) });
  try {
    const row0 = Math.min(...rows);
    const row1 = Math.max(...rows) + 1;
    const nlon = g.lon.length;
    const runs = toRuns(sel, nlon);
    const total = vars.reduce((s, v) => s + planesOf(v), 0);
    let done = 0;
    const writes = new Bounded(AHEAD);
    for (const v of vars) {
      const fill = fills.get(v.name)!;
      const planes = new Pool<NumArray>((n) => arrayFor(v.type, n));
      for await (const [p, data] of readAhead(planesOf(v), AHEAD, (p) => src.readPlane(v.name, p, row0, row1))) {
        checkAbort(t.signal);
        const out = planes.take(rows.length * cols.length).subarray(0, rows.length * cols.length) as NumArray;
        gatherPlane(runs, sel, data, row0, nlon, out, fill);
        await writes.push(writer.putPlane(v.name, p, out).then(() => planes.give(out)));
        t.onProgress(++done / total);
      }
    }
    await writes.drain();
    writer.finish();
  } catch (e) {
    writer.abort();
    throw e;
  }
  return [file];
}

