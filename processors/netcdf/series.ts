/**
 * Series outputs: a field mean per plane (NetCDF like cdo fldmean, or CSV) and a point series
 * (CSV `date,value`). Values stream plane by plane like subsets; only the series is kept.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cfDateFormatter } from './cf-time.js';
import { formatG } from './printf-g.js';
import type { Grid } from './grid.js';
import { arrayFor, numAttr, strAttr, type NumArray, type Source, type Var } from './model.js';
import { Nc4Writer, type OutVar } from './io/nc4-writer.js';
import { sumRuns, toRuns } from './runs.js';
import type { Selection } from './selection.js';
import { readAhead } from './stream.js';
import { AHEAD, checkAbort, historyAttrs, outName, planesOf, type FileTask } from './task.js';

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
  // Values as cdo prints them (%g: 7 significant digits for float variables, 15 for double).
  const digits = (v: Var) => (v.type === 'double' ? 15 : 7);
  const lines = t.csvHeader ? [vars.length === 1 ? 'date,value' : `date,${vars.map((v) => v.name).join(',')}`] : [];
  for (let i = 0; i < v0.shape[0]; i++) {
    const cells = vars.map((v) => {
      const x = values.get(v.name)![i];
      return x === x ? formatG(x, digits(v)) : '';
    });
    lines.push(`${times ? fmt(times[i]) : i},${cells.join(',')}`);
  }
  const tmp = join(t.outDir, `${file}.part`);
  writeFileSync(tmp, `${lines.join('\n')}\n`);
  renameSync(tmp, join(t.outDir, file));
  return [file];
}

export async function pointCsv(src: Source, vars: Var[], sel: Selection, t: FileTask): Promise<string[]> {
  return writeCsv(src, vars, await series(src, vars, sel, t, null), t, outName(t, 'csv'));
}

export async function fieldMean(src: Source, g: Grid, vars: Var[], sel: Selection, t: FileTask, csv: boolean): Promise<string[]> {
  // cos(lat) is exactly proportional to cdo's cell areas on a regular grid: sin(φ+h) − sin(φ−h) = 2 sin h cos φ.
  const weights = Float64Array.from(g.lat, (y) => Math.cos((y * Math.PI) / 180));
  const values = await series(src, vars, sel, t, weights);
  if (csv) return writeCsv(src, vars, values, t, outName(t, 'csv', true));
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
  const file = outName(t, 'nc', true);
  const w = await Nc4Writer.create(join(t.outDir, file), { dims: dims.filter((d) => used.has(d.name)), vars: outVars, globalAttrs: historyAttrs(src.globalAttrs, t.history) });
  w.finish();
  return [file];
}
