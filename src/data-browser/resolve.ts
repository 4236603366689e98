/**
 * Paths of the data browser, resolved with the processors' own resolver (src/processes/data-path.ts):
 * what a job may read is exactly what the browser may show. Its refusals become problems naming
 * the `path` parameter: 404 when nothing is there, 400 for everything else (`..`, absolute paths,
 * NUL, a symlink leading out of the root, a file where a folder is wanted).
 */
import { lstatSync, realpathSync, statSync, type Stats } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { resolveDataEntry } from '../processes/data-path.js';
import { InputError } from '../processes/types.js';
import { ApiError, badParameter, PROBLEM } from '../server/problem.js';

export interface Resolved {
  /** Real path on disk (symlinks followed). */
  abs: string;
  /** The path as the client names it: relative to the root, '/'-separated, '' for the root. */
  rel: string;
  stat: Stats;
}

const notFound = (field: string, rel: string) => new ApiError(404, PROBLEM.notFound, 'Not found', `${field}: "${rel}" does not exist under the data root`, { field });

/** '' / '.' / '/' mean the root; everything else goes through the processors' resolver. */
export function resolveBrowsePath(dataRoot: string, raw: string | undefined, want: 'dir' | 'file' | 'any', field = 'path'): Resolved {
  const rel = (raw ?? '').replace(/\/+$/, '');
  let abs: string;
  if (rel === '' || rel === '.') {
    try {
      abs = realpathSync(dataRoot);
    } catch {
      throw new ApiError(404, PROBLEM.notFound, 'Not found', `${field}: the data root does not exist on this server (SUBSETD_DATA_ROOT)`, { field });
    }
  } else {
    try {
      abs = resolveDataEntry(dataRoot, rel, field, 'any');
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      // Lexically fine but nothing there (not even a dangling link): 404. Anything else: 400.
      if (!rel.includes('\0') && !isAbsolute(rel) && !/^[A-Za-z]:[\\/]/.test(rel) && !rel.split(/[\\/]+/).includes('..') && !exists(resolve(dataRoot, rel))) throw notFound(field, rel);
      throw badParameter(field, e.message);
    }
  }
  let stat: Stats;
  try {
    stat = statSync(abs);
  } catch {
    throw notFound(field, rel); // removed between resolving and now
  }
  if (want === 'dir' && !stat.isDirectory()) throw badParameter(field, `"${rel}" is a file, not a folder; see GET /data/info`);
  if (want === 'file' && !stat.isFile()) throw badParameter(field, `"${rel || '/'}" is a folder, not a file; list it with GET /data`);
  return { abs, rel: rel === '.' ? '' : rel.split(/[\\/]+/).join('/'), stat };
}

function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/** True when `real` (a real path) lies strictly below the real root. */
export function isInside(realRoot: string, real: string): boolean {
  const r = relative(realRoot, real);
  return r !== '' && r !== '..' && !r.startsWith(`..${sep}`) && !isAbsolute(r);
}
