/**
 * One input file through the operation chain to its output: a NetCDF subset, a field-mean
 * series (NetCDF, or CSV), or a point series as CSV. Planes stream through a read-ahead /
 * write-behind pipeline, so memory stays at a few planes whatever the file size, and zlib works
 * on libuv's threads while JS gathers and masks.
 */
import { writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { findGrid, gridVars, outputLons, type Grid } from './grid.js';
import { arrayFor, numAttr, strAttr, type Attr, type NumArray, type Source, type Var } from './model.js';
import { openSource } from './io/open-source.js';
import { Nc4Writer, type OutVar } from './io/nc4-writer.js';
import type { Op } from './operations.js';
import { select, type Selection } from './selection.js';
import { cfDateFormatter } from './cf-time.js';
import { Bounded, gatherAxis, Pool, readAhead } from './stream.js';
import { gatherPlane, sumRuns, toRuns } from './runs.js';

export interface FileTask {
  path: string;
  ops: Op[];
  outDir: string;
  /** Output base name without extension. */
  baseName: string;
  uploadDir?: string;
  signal: AbortSignal;
  onProgress(fraction: number): void;
  history: string;
}

const AHEAD = 3;
const DEFAULT_FILL: Record<string, number> = { byte: -127, ubyte: 255, short: -32767, ushort: 65535, int: -2147483647, uint: 4294967295, float: 9.969209968386869e36, double: 9.969209968386869e36 };

const planesOf = (v: Var) => v.shape.slice(0, -2).reduce((a, b) => a * b, 1);
const checkAbort = (s: AbortSignal) => {
  if (s.aborted) throw s.reason instanceof Error ? s.reason : new Error('job dismissed');
};

/** Returns the names (relative to outDir) of the files written. */
export async function subsetFile(t: FileTask): Promise<string[]> {
  const src = await openSource(t.path);
  try {
    const g = findGrid(src);
    if (!g) throw new Error('no latitude/longitude coordinate variables');
    const vars = gridVars(src, g);
    if (!vars.length) throw new Error(`no variable on the (${g.latDim}, ${g.lonDim}) grid`);
    const sel = await select(t.ops, g, t.uploadDir);
    const last = t.ops[t.ops.length - 1];
    if (last.compute_mean) return await fieldMean(src, g, vars, sel, t, !!last.output_csv);
    if (sel.point && last.output_csv) return await pointCsv(src, vars, sel, t);
    return await subsetNc(src, g, vars, sel, t);
  } finally {
    src.close();
  }
}

function historyAttrs(attrs: Attr[], line: string): Attr[] {
  const old = strAttr(attrs, 'history');
  return [...attrs.filter((a) => a.name !== 'history'), { name: 'history', type: 'char', value: old ? `${old}\n${line}` : line }];
}

async function subsetNc(src: Source, g: Grid, vars: Var[], sel: Selection, t: FileTask): Promise<string[]> {
  const { rows, cols, mask } = sel;
  const dims = src.dims.map((d) => (d.name === g.latDim ? { ...d, size: rows.length } : d.name === g.lonDim ? { ...d, size: cols.length } : d));
  const fills = new Map<string, number>();
  const outVars: OutVar[] = src.vars.map((v) => {
    if (vars.includes(v)) {
      const fill = numAttr(v.attrs, '_FillValue') ?? numAttr(v.attrs, 'missing_value') ?? DEFAULT_FILL[v.type];
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
  const file = `${t.baseName}.nc`;
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

/** _FillValue and missing_value as stored (NaN when absent), and the unpacking. */
function storedMissing(v: Var) {
  const f32 = v.type === 'float';
  const [fa, ma] = ['_FillValue', 'missing_value'].map((n) => {
    const x = numAttr(v.attrs, n);
    return x === undefined ? NaN : f32 ? Math.fround(x) : x;
  });
  return { fa, ma, scale: numAttr(v.attrs, 'scale_factor') ?? 1, offset: numAttr(v.attrs, 'add_offset') ?? 0 };
}

/** Values of the selected cells, one series per variable, plane by plane (means or a point). */
async function series(src: Source, vars: Var[], sel: Selection, t: FileTask, weights: Float64Array | null): Promise<Map<string, Float64Array>> {
  const { rows } = sel;
  const row0 = Math.min(...rows);
  const row1 = Math.max(...rows) + 1;
  const out = new Map<string, Float64Array>();
  const total = vars.reduce((s, v) => s + planesOf(v), 0);
  let done = 0;
  for (const v of vars) {
    const nlon = v.shape[v.shape.length - 1];
    const runs = toRuns(sel, nlon);
    const { fa, ma, scale, offset } = storedMissing(v);
    const res = new Float64Array(planesOf(v));
    for await (const [p, data] of readAhead(planesOf(v), AHEAD, (p) => src.readPlane(v.name, p, row0, row1))) {
      checkAbort(t.signal);
      // Sum raw values, unpack once: the weights are normalised, so mean(a·x + b) = a·mean(x) + b.
      const [s, sw] = sumRuns(runs, sel, data, row0, nlon, weights, fa, ma);
      res[p] = sw > 0 ? (s / sw) * scale + offset : NaN;
      t.onProgress(++done / total);
    }
    out.set(v.name, res);
  }
  return out;
}

function writeCsv(src: Source, vars: Var[], values: Map<string, Float64Array>, t: FileTask, file: string): string[] {
  const v0 = vars[0];
  if (vars.some((v) => v.shape.length !== 3)) throw new Error('CSV output needs variables laid out (time, lat, lon)');
  const timeVar = src.vars.find((v) => v.name === v0.dims[0]);
  const times = timeVar ? src.readAll(timeVar.name) : null;
  const fmt = cfDateFormatter(timeVar && strAttr(timeVar.attrs, 'units'), (timeVar && strAttr(timeVar.attrs, 'calendar')) ?? 'standard');
  const digits = (v: Var) => (v.type === 'double' ? 15 : 7);
  const lines = [vars.length === 1 ? 'date,value' : `date,${vars.map((v) => v.name).join(',')}`];
  for (let i = 0; i < v0.shape[0]; i++) {
    const cells = vars.map((v) => {
      const x = values.get(v.name)![i];
      return x === x ? String(Number(x.toPrecision(digits(v)))) : '';
    });
    lines.push(`${times ? fmt(times[i]) : i},${cells.join(',')}`);
  }
  const tmp = join(t.outDir, `${file}.part`);
  writeFileSync(tmp, `${lines.join('\n')}\n`);
  renameSync(tmp, join(t.outDir, file));
  return [file];
}

async function pointCsv(src: Source, vars: Var[], sel: Selection, t: FileTask): Promise<string[]> {
  return writeCsv(src, vars, await series(src, vars, sel, t, null), t, `${t.baseName}.csv`);
}

async function fieldMean(src: Source, g: Grid, vars: Var[], sel: Selection, t: FileTask, csv: boolean): Promise<string[]> {
  // cos(lat) is exactly proportional to cdo's cell areas on a regular grid: sin(φ+h) − sin(φ−h) = 2 sin h cos φ.
  const weights = Float64Array.from(g.lat, (y) => Math.cos((y * Math.PI) / 180));
  const values = await series(src, vars, sel, t, weights);
  if (csv) return writeCsv(src, vars, values, t, `${t.baseName}_fldmean.csv`);
  const dims = src.dims.map((d) => (d.name === g.latDim || d.name === g.lonDim ? { ...d, size: 1, unlimited: false } : d));
  const used = new Set(vars.flatMap((v) => v.dims));
  const outVars: OutVar[] = [];
  for (const v of src.vars) {
    if (vars.includes(v)) {
      const type = v.type === 'double' ? 'double' : 'float';
      const fill = type === 'float' ? 1e20 : 1e20;
      const attrs = v.attrs.filter((a) => !['_FillValue', 'missing_value', 'scale_factor', 'add_offset', 'valid_range', 'valid_min', 'valid_max'].includes(a.name));
      const data = arrayFor(type, values.get(v.name)!.length) as NumArray;
      values.get(v.name)!.forEach((x, i) => (data[i] = x === x ? x : fill));
      outVars.push({ ...v, type, data, attrs: [{ name: '_FillValue', type, value: [fill] }, { name: 'missing_value', type, value: [fill] }, ...attrs] });
    } else if (v.name === g.latDim || v.name === g.lonDim) outVars.push({ ...v, type: 'double', data: new Float64Array(1) });
    else if (v.dims.every((d) => used.has(d) && d !== g.latDim && d !== g.lonDim)) outVars.push({ ...v, data: src.readAll(v.name) });
  }
  const file = `${t.baseName}_fldmean.nc`;
  const w = await Nc4Writer.create(join(t.outDir, file), { dims: dims.filter((d) => used.has(d.name)), vars: outVars, globalAttrs: historyAttrs(src.globalAttrs, t.history) });
  w.finish();
  return [file];
}
