/** File outputs: `{ file, type, title? }` objects a processor returns for files it wrote. */
import type { FileOutput } from '../processes/types.js';

export function isFileOutput(v: unknown): v is FileOutput {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return typeof o.file === 'string' && typeof o.type === 'string' && Object.keys(o).every((k) => ['file', 'type', 'title'].includes(k));
}

/** Every file an outputs object refers to (single or in arrays). */
export function fileOutputs(outputs: Record<string, unknown>): FileOutput[] {
  return Object.values(outputs).flatMap((v) => (Array.isArray(v) ? v : [v])).filter(isFileOutput);
}
