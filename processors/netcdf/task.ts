/** What one file's run needs, and the helpers the subset and series paths share. */
import { strAttr, type Attr, type Var } from './model.js';
import type { Op } from './operations.js';

export interface FileTask {
  path: string;
  /** How messages name the input (its path as requested); `path` when absent. */
  label?: string;
  ops: Op[];
  outDir: string;
  /** Output base name without extension. */
  baseName: string;
  /** Full output names (naming "isimip"), used instead of those made from baseName. */
  names?: { nc: string; csv: string };
  uploadDir?: string;
  /** Masks made by the job's create_mask operations: name -> path (mask_mask reads them there). */
  createdMasks?: ReadonlyMap<string, string>;
  signal: AbortSignal;
  onProgress(fraction: number): void;
  history: string;
  /** CSV outputs start with a "date,value" line (false: as cdo outputtab nohead prints). */
  csvHeader: boolean;
  /** Where the time-series cache lives (ts-cache/); absent: every value is read from the file. */
  tsCacheDir?: string;
  /** Told when the cache answered (the variables whose planes it served). */
  onCached?(vars: string[]): void;
}

/** Planes read ahead and deflates in flight: 3 keeps both cores busy (2 and 4 measured no better). */
export const AHEAD = 3;
export const planesOf = (v: Var) => v.shape.slice(0, -2).reduce((a, b) => a * b, 1);
export const checkAbort = (s: AbortSignal) => {
  if (s.aborted) throw s.reason instanceof Error ? s.reason : new Error('job dismissed');
};

/** The output's file name: `<base>[_fldmean].<ext>`, or the full name given (naming "isimip"). */
export function outName(t: FileTask, ext: 'nc' | 'csv', mean = false): string {
  return t.names ? t.names[ext] : `${t.baseName}${mean ? '_fldmean' : ''}.${ext}`;
}

export function historyAttrs(attrs: Attr[], line: string): Attr[] {
  const old = strAttr(attrs, 'history');
  return [...attrs.filter((a) => a.name !== 'history'), { name: 'history', type: 'char', value: old ? `${old}\n${line}` : line }];
}
