/**
 * The datasets this server hosts, declared in SUBSETD_DATASETS (JSON or YAML). Checked once at
 * start-up: a malformed file stops the service with the entry and field named.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';

export interface Licence {
  name: string;
  path?: string;
  title?: string;
}

export interface Dataset {
  id: string;
  version: string;
  title: string;
  description?: string;
  licence: Licence;
  citation?: string;
  origin?: string;
  /** raster (clip-raster) or vector (clip-vector). */
  format: 'raster' | 'vector';
  /** Files below SUBSETD_DATA_ROOT. */
  paths: string[];
  /** NetCDF variable or vector layer, when the file holds several. */
  variable?: string;
  layer?: string;
}

export class DatasetsError extends Error {}

const ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export function parseDatasets(text: string, file: string): Dataset[] {
  let doc: unknown;
  try {
    doc = extname(file).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new DatasetsError(`${file}: not valid ${extname(file) === '.json' ? 'JSON' : 'YAML'}: ${(e as Error).message}`);
  }
  const list = Array.isArray(doc) ? doc : (doc as { datasets?: unknown })?.datasets;
  if (!Array.isArray(list)) throw new DatasetsError(`${file}: expected a list of datasets (or { datasets: [...] })`);
  const seen = new Set<string>();
  return list.map((raw, i) => {
    const where = `${file}: dataset #${i + 1}${raw && typeof raw === 'object' && typeof (raw as Dataset).id === 'string' ? ` ("${(raw as Dataset).id}")` : ''}`;
    const bad = (field: string, msg: string) => new DatasetsError(`${where}: field "${field}" ${msg}`);
    if (!raw || typeof raw !== 'object') throw new DatasetsError(`${where}: must be an object`);
    const d = raw as Record<string, unknown>;
    const str = (k: string, required = true): string | undefined => {
      const v = d[k];
      if (v === undefined || v === null) {
        if (required) throw bad(k, 'is required');
        return undefined;
      }
      if (typeof v !== 'string' || !v.trim()) throw bad(k, 'must be a non-empty string');
      return v;
    };
    const id = str('id')!;
    if (!ID.test(id)) throw bad('id', 'must be lower-case letters, digits, ".", "_" or "-" (max 64)');
    if (seen.has(id)) throw bad('id', `"${id}" is declared twice`);
    seen.add(id);
    const lic = d.licence ?? d.license;
    if (!lic || typeof lic !== 'object') throw bad('licence', 'is required: { name, path?, title? }');
    const l = lic as Record<string, unknown>;
    if (typeof l.name !== 'string' || !l.name) throw bad('licence.name', 'is required');
    for (const k of ['path', 'title']) if (l[k] !== undefined && typeof l[k] !== 'string') throw bad(`licence.${k}`, 'must be a string');
    const format = str('format')!;
    if (format !== 'raster' && format !== 'vector') throw bad('format', 'must be "raster" or "vector"');
    const p = d.paths ?? d.path;
    const paths = typeof p === 'string' ? [p] : p;
    if (!Array.isArray(paths) || !paths.length || !paths.every((x) => typeof x === 'string' && x && !x.startsWith('/') && !x.split('/').includes('..')))
      throw bad('path', 'must be one or more paths relative to the data root');
    const origin = str('origin', false);
    if (origin && !/^https?:\/\//.test(origin)) throw bad('origin', 'must be an http(s) URL');
    return {
      id,
      version: String(d.version ?? (() => { throw bad('version', 'is required'); })()),
      title: str('title')!,
      description: str('description', false),
      licence: { name: l.name, path: l.path as string | undefined, title: l.title as string | undefined },
      citation: str('citation', false),
      origin,
      format,
      paths: paths as string[],
      variable: str('variable', false),
      layer: str('layer', false),
    };
  });
}

/** '' (unset) means no datasets. */
export function loadDatasets(file: string): Dataset[] {
  if (!file) return [];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new DatasetsError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseDatasets(text, file);
}
