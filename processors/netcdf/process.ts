/**
 * netcdf-subset: validate (cheap, in the API process) and execute (in a worker thread).
 * Files run one after another: within a file, planes are already pipelined (zlib on libuv's
 * threads while JS gathers), which keeps both cores busy. Measured on the 4-file bench job:
 * one file at a time 5.1 s (9.1 s CPU), two at a time 6.7 s (12.5 s CPU, more buffers in
 * flight, more GC and cache misses).
 */
import { basename, join } from 'node:path';
import { resolveDataFile } from '../../src/processes/data-path.js';
import { InputError, ProcessingError, type ExecuteContext, type Process, type ValidateEnv } from '../../src/processes/types.js';
import { readme, writeArchive } from './archive.js';
import { createMasks } from './create-mask.js';
import { isimipNames } from './isimip-names.js';
import { description } from './description.js';
import { findGrid, gridVars } from './grid.js';
import { openSource, sniff } from './io/open-source.js';
import { createdEarlier, isCreateMask, opTag, parseOps, perFileOps, type Op } from './operations.js';
import { readPolygonFeatures, readPolygonUpload } from './polygon-upload.js';
import { EmptySelectionError, select } from './selection.js';
import { subsetFile } from './subset-file.js';

const FILES_AT_ONCE = 1;

function parsePaths(raw: unknown, dataRoot: string): Array<{ rel: string; abs: string }> {
  if (!Array.isArray(raw) || raw.length === 0) throw new InputError('paths', 'must be a non-empty array of paths');
  if (raw.length > 32) throw new InputError('paths', `at most 32 files, got ${raw.length}`);
  return raw.map((p, i) => ({ rel: String(p), abs: resolveDataFile(dataRoot, p, `paths.${i}`) }));
}

/** Output base name: ISIMIP's "_global_" replaced by the region tag, else the tag appended. */
export function outputBase(rel: string, ops: Op[], taken: Set<string>): string {
  const stem = basename(rel).replace(/\.(nc|nc4|netcdf|cdf)$/i, '');
  const tag = ops.map(opTag).filter(Boolean).join('_');
  let base = stem.includes('_global_') ? stem.replace('_global_', `_${tag}_`) : `${stem}_${tag}`;
  for (let k = 2; taken.has(base); k++) base = `${base.replace(/-\d+$/, '')}-${k}`;
  taken.add(base);
  return base;
}

/** `naming`: "subsetd" (default) or "isimip" (output names as isimip-files-api gives them, isimip-names.ts). */
function parseNaming(raw: unknown): 'subsetd' | 'isimip' {
  if (raw === undefined || raw === 'subsetd' || raw === 'isimip') return raw ?? 'subsetd';
  throw new InputError('naming', 'must be "subsetd" or "isimip"');
}

async function validate(inputs: Record<string, unknown>, env: ValidateEnv) {
  parseNaming(inputs.naming);
  const ops = parseOps(inputs.operations);
  const files = parsePaths(inputs.paths, env.dataRoot);
  for (const [i, op] of ops.entries()) {
    if (op.operation === 'mask_polygon' && op.file) await readPolygonUpload(env.uploadDir, op.file, `operations.${i}.file`);
    if (op.operation === 'create_mask') await readPolygonFeatures(env.uploadDir, op.file, `operations.${i}.file`);
    // A mask made by an earlier create_mask exists only once the job runs.
    if (op.operation === 'mask_mask' && !createdEarlier(ops, i)) {
      const p = env.uploadDir && join(env.uploadDir, op.mask);
      let kind = null;
      try {
        kind = p ? sniff(p) : null;
      } catch {
        throw new InputError(`operations.${i}.mask`, `"${op.mask}" was not uploaded with the request`);
      }
      if (!kind) throw new InputError(`operations.${i}.mask`, `"${op.mask}" is not a NetCDF file`);
    }
  }
  const crops = ops.filter((o) => /bbox|point/.test(o.operation) && o.operation !== 'mask_bbox');
  for (const [i, f] of files.entries()) {
    if (!sniff(f.abs)) throw new InputError(`paths.${i}`, `"${f.rel}" is not a NetCDF file`);
    // Grid checks need the metadata; a file whose metadata cannot be read is left to the job,
    // where it fails on its own (errors.json) without holding back the others.
    let src;
    let g;
    try {
      src = await openSource(f.abs);
      g = findGrid(src);
    } catch {
      src?.close();
      continue;
    }
    try {
      if (!g || !gridVars(src, g).length) throw new InputError(`paths.${i}`, `"${f.rel}" has no variable on a latitude/longitude grid`);
      await select(crops, g);
    } catch (e) {
      if (e instanceof EmptySelectionError) throw new InputError(e.input, `${e.message} of "${f.rel}"`);
      throw e;
    } finally {
      src.close();
    }
  }
}

async function execute(inputs: Record<string, unknown>, ctx: ExecuteContext) {
  const naming = parseNaming(inputs.naming);
  const ops = parseOps(inputs.operations);
  const files = parsePaths(inputs.paths, ctx.dataRoot);
  const history = `${new Date().toISOString()}: subsetd netcdf-subset ${JSON.stringify(ops)}`;
  // create_mask first, once (on the first input's grid); its shape and mask are outputs too.
  let made: Awaited<ReturnType<typeof createMasks>>;
  try {
    made = await createMasks(ops.filter(isCreateMask), files[0].abs, ctx.uploadDir, ctx.workDir, history, ctx.signal);
  } catch (e) {
    if (ctx.signal.aborted) throw e;
    throw new ProcessingError((e as Error).message || String(e));
  }
  // Their names are taken, so no per-file output is written over them.
  const taken = new Set(naming === 'isimip' ? made.files : made.files.map((f) => f.replace(/\.[^.]*$/, '')));
  const named = (rel: string) => (naming === 'isimip' ? { base: '', names: isimipNames(rel, ops, taken) } : { base: outputBase(rel, ops, taken), names: undefined });
  // Only create_mask: nothing to do per file, the job's outputs are the mask and the shape.
  const tasks = perFileOps(ops).length ? files.map((f) => ({ ...f, ...named(f.rel), fraction: 0 })) : [];
  // Errors by request path; isimip-files-api keys them by file name (input_path.name).
  const errorKey = (rel: string) => (naming === 'isimip' ? basename(rel) : rel);
  const written: string[] = [];
  const errors: Record<string, string> = {};
  /** Inputs the time-series cache answered (a point's series or a region's cells; the job's log and status say so). */
  const cached: string[] = [];
  let last = 0;
  const report = (force = false) => {
    const now = Date.now();
    if (!force && now - last < 500) return;
    last = now;
    const pct = (95 * tasks.reduce((s, t) => s + t.fraction, 0)) / Math.max(1, tasks.length);
    ctx.progress(Math.floor(pct), `${tasks.filter((t) => t.fraction >= 1).length}/${tasks.length} files`);
  };
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const t = tasks[next++];
      if (ctx.signal.aborted) return;
      try {
        const out = await subsetFile({
          path: t.abs, label: t.rel, ops, outDir: ctx.workDir, baseName: t.base, names: t.names, uploadDir: ctx.uploadDir, createdMasks: made.made, signal: ctx.signal, history,
          csvHeader: inputs.csv_header !== false,
          tsCacheDir: ctx.tsCacheDir,
          onCached: () => cached.push(t.rel),
          onProgress: (f) => {
            t.fraction = Math.max(t.fraction, f);
            report();
          },
        });
        written.push(...out);
      } catch (e) {
        if (ctx.signal.aborted) throw e;
        const message = (e as Error).message || String(e);
        errors[errorKey(t.rel)] = message;
        ctx.log('netcdf-subset: file failed', { path: t.rel, error: message });
      }
      t.fraction = 1;
      report(true);
    }
  };
  await Promise.all(Array.from({ length: Math.min(FILES_AT_ONCE, tasks.length) }, worker));
  if (ctx.signal.aborted) throw new ProcessingError('job dismissed');
  if (tasks.length && !written.length) throw new ProcessingError(`no file could be processed: ${Object.entries(errors).map(([p, m]) => `${p}: ${m}`).join('; ')}`);
  written.push(...made.files);
  written.sort();
  if (cached.length) ctx.log('netcdf-subset: answered from the time-series cache', { files: cached.sort() });
  ctx.progress(96, cached.length ? `writing the zip (${cached.length}/${tasks.length} files from the time-series cache)` : 'writing the zip');
  const zipName = `subset-${ctx.jobId.slice(0, 12)}.zip`;
  const extras = await writeArchive(ctx.workDir, zipName, written, readme(ctx.jobId, files.map((f) => f.rel), ops, written, errors), errors);
  const type = (f: string) => (f.endsWith('.csv') ? 'text/csv' : /\.(geo)?json$/i.test(f) ? 'application/geo+json' : /\.zip$/i.test(f) ? 'application/zip' : 'application/x-netcdf');
  return {
    // The job's status says how it was answered (the log names the files).
    ...(cached.length ? { message: `done: ${cached.length} of ${tasks.length} files answered from the time-series cache` } : {}),
    outputs: {
      archive: { file: zipName, type: 'application/zip', title: 'All outputs' },
      files: written.map((f) => ({ file: f, type: type(f) })),
      ...(extras.includes('errors.json') ? { errors: { file: 'errors.json', type: 'application/json' } } : {}),
    },
  };
}

export const netcdfSubset: Process = { description, validate, execute };
