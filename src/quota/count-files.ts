/**
 * How many input files a job names, for any process: the distinct strings anywhere in its
 * validated inputs that name an existing file or folder under the data root (ISIMIP `paths`,
 * netcdf-subset `paths`, clip-raster/clip-vector `dataset`, ...). Runs after validation, so
 * every such path has been checked already; here they are only counted.
 */
import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

function strings(v: unknown, out: Set<string>, depth = 0): void {
  if (depth > 32) return;
  if (typeof v === 'string') out.add(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out, depth + 1);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) strings(x, out, depth + 1);
}

const pathLike = (s: string) => s !== '' && s.length <= 4096 && !s.includes('\0') && !isAbsolute(s) && !s.split(/[\\/]+/).includes('..');

export function countDataFiles(inputs: unknown, dataRoot: string): number {
  let root: string;
  try {
    root = realpathSync(dataRoot);
  } catch {
    return 0;
  }
  const all = new Set<string>();
  strings(inputs, all);
  let n = 0;
  for (const s of all) if (pathLike(s) && statSync(join(root, s), { throwIfNoEntry: false })) n++;
  return n;
}
