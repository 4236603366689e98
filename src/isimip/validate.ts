/**
 * The request-level checks of isimip-files-api v2 (data present, paths, operations), with its
 * error body shape: field -> list of messages. Deeper checks (is it really NetCDF, does the bbox
 * hold a grid cell) are the processor's, reported through the same shape by the routes.
 */
import { realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, sep } from 'node:path';
import { cleanOperation, pyStr, type CleanOperation } from './operations.js';
import { resolutionErrors, type ResolutionLimits } from './resolution.js';

/** isimip-files-api's limits (SUBSETD_ISIMIP_* settings; its names and defaults). */
export interface IsimipLimits extends ResolutionLimits {
  maxFiles: number;
  maxOperations: number;
}

export type ErrorMap = Record<string, string[]>;

export interface CleanRequest {
  paths: string[];
  operations: CleanOperation[];
}

function add(errors: ErrorMap, key: string, msg: string): void {
  (errors[key] ??= []).push(msg);
}

/** Python's truth: what isimip-files-api's `if not value` treats as absent. */
const falsy = (v: unknown) => v === undefined || v === null || v === false || v === 0 || v === '' || (Array.isArray(v) ? v.length === 0 : typeof v === 'object' && Object.keys(v as object).length === 0);

export async function validateRequest(data: unknown, dataRoot: string, limits: IsimipLimits): Promise<{ request: CleanRequest } | { errors: ErrorMap }> {
  const errors: ErrorMap = {};
  if (falsy(data)) return { errors: { data: ['No json data provided with POST'] } };
  if (typeof data !== 'object' || Array.isArray(data)) return { errors: { data: ['Provided json data is malformatted'] } };
  const d = data as Record<string, unknown>;

  // Paths and operations are checked together; their messages are reported together.
  const paths = await validatePaths(d.paths, dataRoot, limits.maxFiles, errors);
  const operations: CleanOperation[] = [];
  if (falsy(d.operations)) add(errors, 'operations', 'This field is required.');
  else if (!Array.isArray(d.operations)) add(errors, 'operations', 'Provided json data is malformatted.');
  else if (d.operations.length > limits.maxOperations) add(errors, 'operations', `To many operations provided (max: ${limits.maxOperations}).`);
  else {
    const msgs: string[] = [];
    d.operations.forEach((op, i) => {
      const clean = cleanOperation(op, i, msgs);
      if (clean) operations.push(clean);
    });
    for (const m of msgs) add(errors, 'operations', m);
  }
  if (Object.keys(errors).length) return { errors };
  // Then, as there, the inputs' grids against the first operation's maximum resolution (the
  // later operations' are checked per file in the job: translate.ts, max_resolution).
  let root = dataRoot;
  try {
    root = await realpath(dataRoot);
  } catch {
    // no data root: the paths were reported above
  }
  const resolution = await resolutionErrors(paths, operations, root, limits);
  return resolution.length ? { errors: { resolution } } : { request: { paths, operations } };
}

async function validatePaths(value: unknown, dataRoot: string, maxFiles: number, errors: ErrorMap): Promise<string[]> {
  if (falsy(value)) return (add(errors, 'paths', 'This field is required.'), []);
  if (!Array.isArray(value)) return (add(errors, 'paths', 'Provided json data is malformatted.'), []);
  if (value.length > maxFiles) return (add(errors, 'paths', `To many files match that dataset (max: ${maxFiles}).`), []);
  let root: string;
  try {
    root = await realpath(dataRoot);
  } catch {
    root = dataRoot; // no data root yet: every path is "not found" below
  }
  for (const path of value) {
    // One message per path, in its order; a value that is no path is named as Python prints it.
    const msg = typeof path === 'string' ? await pathError(path, root) : `${pyStr(path)} is not a file path.`;
    if (msg) add(errors, 'paths', msg);
  }
  return value as string[];
}

const inside = (root: string, p: string) => {
  const r = relative(root, p);
  return r !== '' && !r.startsWith('..' + sep) && r !== '..' && !isAbsolute(r);
};

async function pathError(path: string, root: string): Promise<string | null> {
  // Absolute paths, "..", and symlinks that lead out are all "below the root" in ISIMIP's words.
  if (path === '' || isAbsolute(path) || path.includes('\0') || !inside(root, join(root, path))) return `${path} is below the root path.`;
  // Case-sensitive, as there (`.NC` is not NetCDF to isimip-files-api).
  if (!['.nc', '.nc4'].includes(extname(path))) return `${path} is not a NetCDF file.`;
  let real: string;
  try {
    real = await realpath(join(root, path));
  } catch {
    return `${path} was not found on the server.`;
  }
  if (!inside(root, real)) return `${path} is below the root path.`;
  const st = await stat(real).catch(() => null);
  return st?.isFile() ? null : `${path} was not found on the server.`;
}
