/**
 * Resolves a user-given input path against SUBSETD_DATA_ROOT. Rejected, with an InputError that
 * names the input: absolute paths, any `..` segment (even one that would stay inside), NUL bytes,
 * and anything whose real path (symlinks followed) is outside the root or is not a regular file.
 * The one implementation every processor uses.
 */
import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { InputError } from './types.js';

export function resolveDataFile(dataRoot: string, rel: unknown, input: string): string {
  return resolveDataEntry(dataRoot, rel, input, 'file');
}

/** As resolveDataFile; `any` also accepts a directory (e.g. a shapefile folder). */
export function resolveDataEntry(dataRoot: string, rel: unknown, input: string, kind: 'file' | 'any'): string {
  if (typeof rel !== 'string' || rel.trim() === '') throw new InputError(input, 'must be a non-empty path relative to the data root');
  if (rel.includes('\0')) throw new InputError(input, 'contains a NUL byte');
  if (isAbsolute(rel) || /^[A-Za-z]:[\\/]/.test(rel)) throw new InputError(input, `"${rel}" is absolute; give a path relative to the data root`);
  if (rel.split(/[\\/]+/).includes('..')) throw new InputError(input, `"${rel}" contains "..", which is not allowed`);
  let root: string;
  try {
    root = realpathSync(dataRoot);
  } catch {
    throw new InputError(input, 'the data root does not exist on this server');
  }
  let real: string;
  try {
    real = realpathSync(resolve(root, rel));
  } catch {
    throw new InputError(input, `"${rel}" does not exist under the data root`);
  }
  const r = relative(root, real);
  if (r === '' || r === '..' || r.startsWith(`..${sep}`) || isAbsolute(r)) throw new InputError(input, `"${rel}" resolves outside the data root`);
  const st = statSync(real);
  if (!st.isFile() && !(kind === 'any' && st.isDirectory())) throw new InputError(input, `"${rel}" is not a regular file`);
  return real;
}
