/**
 * output_csv without compute_mean on a region: what isimip-files-api writes for it, `cdo -s
 * outputtab,date,value,nohead` of the region with its whitespace turned into commas — one row per
 * time step and cell, cells in the output grid's order, values as cdo prints them (%g), a
 * "date,value" line first unless csv_header is false,
 * cells masked out or missing as the variable's missing value. Streamed plane by plane: a global
 * 0.5° mask is 259,200 rows per time step.
 */
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { cfDateFormatter } from './cf-time.js';
import { arrayFor, numAttr, strAttr, type NumArray, type Source, type Var } from './model.js';
import { formatG } from './printf-g.js';
import { gatherPlane, toRuns } from './runs.js';
import type { Selection } from './selection.js';
import { readAhead } from './stream.js';
import { AHEAD, checkAbort, outName, planesOf, type FileTask } from './task.js';

/** cdo's missing value when a variable declares none. */
const CDO_MISSVAL = -9e33;

export async function regionCsv(src: Source, vars: Var[], sel: Selection, t: FileTask): Promise<string[]> {
  if (vars.some((v) => v.shape.length !== 3)) throw new Error('CSV output needs variables laid out (time, lat, lon)');
  const timeVar = src.vars.find((v) => v.name === vars[0].dims[0]);
  const times = timeVar ? src.readAll(timeVar.name) : null;
  const fmt = cfDateFormatter(timeVar && strAttr(timeVar.attrs, 'units'), (timeVar && strAttr(timeVar.attrs, 'calendar')) ?? 'standard');
  const file = outName(t, 'csv');
  const part = join(t.outDir, `${file}.part`);
  const out = createWriteStream(part);
  try {
    const { rows, cols } = sel;
    const row0 = Math.min(...rows);
    const row1 = Math.max(...rows) + 1;
    const cells = rows.length * cols.length;
    // cdo goes time step by time step, each variable's field in turn; one variable is the usual case.
    const steps = planesOf(vars[0]);
    if (t.csvHeader) out.write('date,value\n');
    const readers = vars.map((v) => ({
      v,
      runs: toRuns(sel, v.shape[2]),
      digits: v.type === 'double' ? 15 : 7,
      fa: numAttr(v.attrs, '_FillValue'),
      ma: numAttr(v.attrs, 'missing_value'),
      scale: numAttr(v.attrs, 'scale_factor') ?? 1,
      offset: numAttr(v.attrs, 'add_offset') ?? 0,
      planes: readAhead(planesOf(v), AHEAD, (p) => src.readPlane(v.name, p, row0, row1))[Symbol.asyncIterator](),
      buf: arrayFor(v.type, cells) as NumArray,
    }));
    for (let p = 0; p < steps; p++) {
      checkAbort(t.signal);
      const date = times ? fmt(times[p]) : String(p);
      for (const r of readers) {
        const { value } = await r.planes.next();
        const [, data] = value as [number, NumArray];
        const stored = r.v.type === 'float' ? (x: number | undefined) => (x === undefined ? NaN : Math.fround(x)) : (x: number | undefined) => x ?? NaN;
        const fa = stored(r.fa);
        const ma = stored(r.ma);
        const missing = formatG(r.fa ?? r.ma ?? CDO_MISSVAL, r.digits);
        // Masked-out cells get the fill, so they print as missing like the data's own gaps.
        const fill = Number.isNaN(fa) ? (Number.isNaN(ma) ? NaN : ma) : fa;
        gatherPlane(r.runs, sel, data, row0, r.v.shape[2], r.buf, fill);
        const lines: string[] = new Array(cells);
        for (let i = 0; i < cells; i++) {
          const x = r.buf[i];
          lines[i] = x !== x || x === fa || x === ma ? `${date},${missing}` : `${date},${formatG(x * r.scale + r.offset, r.digits)}`;
        }
        if (!out.write(`${lines.join('\n')}\n`)) await once(out, 'drain');
      }
      t.onProgress((p + 1) / steps);
    }
    out.end();
    await once(out, 'finish');
    renameSync(part, join(t.outDir, file));
    return [file];
  } catch (e) {
    out.destroy();
    rmSync(part, { force: true });
    throw e;
  }
}
