/** Input files are named relative to SUBSETD_DATA_ROOT and must stay below it (symlinks included). */
import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { InputError } from '../processes/types.js';

export function resolveDataPath(dataRoot: string, rel: unknown, input = 'dataset'): string {
  if (typeof rel !== 'string' || !rel || rel.includes('\0')) throw new InputError(input, 'must be a path relative to the data root');
  if (isAbsolute(rel)) throw new InputError(input, 'must be relative to the data root, not absolute');
  const full = resolve(dataRoot, rel);
  let real: string;
  let rootReal: string;
  try {
    rootReal = realpathSync(dataRoot);
    real = realpathSync(full);
  } catch {
    throw new InputError(input, `"${rel}" does not exist under the data root`);
  }
  const r = relative(rootReal, real);
  if (r === '..' || r.startsWith(`..${sep}`) || isAbsolute(r)) throw new InputError(input, `"${rel}" is outside the data root`);
  if (!statSync(real).isFile() && !statSync(real).isDirectory()) throw new InputError(input, `"${rel}" is not a file`);
  return real;
}
