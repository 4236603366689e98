/**
 * The request-level checks of isimip-files-api v2 (data present, paths, operations), with its
 * error body shape: field -> list of messages. Deeper checks (is it really NetCDF, does the bbox
 * hold a grid cell) are the processor's, reported through the same shape by the routes.
 */
import { realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, sep } from 'node:path';
import { cleanOperation, type CleanOperation } from './operations.js';

export const MAX_FILES = 32;
/** isimip-files-api caps the raw list; ours is looser since compute_mean/output_csv fold away. */
export const MAX_OPERATIONS = 8;

export type ErrorMap = Record<string, string[]>;

export interface CleanRequest {
  paths: string[];
  operations: CleanOperation[];
}

function add(errors: ErrorMap, key: string, msg: string): void {
  (errors[key] ??= []).push(msg);
}

export async function validateRequest(data: unknown, dataRoot: string): Promise<{ request: CleanRequest } | { errors: ErrorMap }> {
  const errors: ErrorMap = {};
  if (data === null || data === undefined || (typeof data === 'object' && !Array.isArray(data) && Object.keys(data).length === 0)) {
    return { errors: { data: ['No json data provided with POST'] } };
  }
  if (typeof data !== 'object' || Array.isArray(data)) return { errors: { data: ['Provided json data is malformatted'] } };
  const d = data as Record<string, unknown>;

  const paths = await validatePaths(d.paths, dataRoot, errors);
  const operations: CleanOperation[] = [];
  if (d.operations === undefined) add(errors, 'operations', 'This field is required.');
  else if (!Array.isArray(d.operations)) add(errors, 'operations', 'Provided json data is malformatted.');
  else if (d.operations.length === 0) add(errors, 'operations', 'This field is required.');
  else if (d.operations.length > MAX_OPERATIONS) add(errors, 'operations', `To many operations provided (max: ${MAX_OPERATIONS}).`);
  else {
    const msgs: string[] = [];
    for (const op of d.operations) {
      const clean = cleanOperation(op, msgs);
      if (clean) operations.push(clean);
    }
    for (const m of msgs) add(errors, 'operations', m);
  }
  return Object.keys(errors).length ? { errors } : { request: { paths, operations } };
}

async function validatePaths(value: unknown, dataRoot: string, errors: ErrorMap): Promise<string[]> {
  if (value === undefined) return (add(errors, 'paths', 'This field is required.'), []);
  if (!Array.isArray(value) || value.some((p) => typeof p !== 'string')) return (add(errors, 'paths', 'Provided json data is malformatted.'), []);
  if (value.length === 0) return (add(errors, 'paths', 'This field is required.'), []);
  if (value.length > MAX_FILES) return (add(errors, 'paths', `To many files match that dataset (max: ${MAX_FILES}).`), []);
  let root: string;
  try {
    root = await realpath(dataRoot);
  } catch {
    root = dataRoot; // no data root yet: every path is "not found" below
  }
  for (const path of value as string[]) {
    const msg = await pathError(path, root);
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
  if (!['.nc', '.nc4'].includes(extname(path).toLowerCase())) return `${path} is not a NetCDF file.`;
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
