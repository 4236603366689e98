/**
 * datapackage.json (Frictionless Data Package v1) and provenance.json of a boundary's package,
 * from the meta.json each dataset-version folder carries. Both are rewritten whole (temp file +
 * rename) whenever a dataset-version is added, so readers never see a half-written file.
 */
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from './datasets.js';

export interface BuiltFile {
  /** Relative to the package folder, POSIX. */
  path: string;
  bytes: number;
  sha256: string;
  mediatype: string;
  format: string;
}

/** What a dataset-version folder records about how it was made. */
export interface DatasetVersionMeta {
  dataset: Dataset;
  boundary: { set: string; id: string; name: string };
  files: BuiltFile[];
  process: string;
  started: string;
  finished: string;
  seconds: number;
  versions: Record<string, string>;
  jobId: string;
}

export function readMetas(pkgDir: string): DatasetVersionMeta[] {
  const dataDir = join(pkgDir, 'data');
  if (!existsSync(dataDir)) return [];
  return readdirSync(dataDir)
    .sort()
    .map((d) => join(dataDir, d, 'meta.json'))
    .filter((f) => existsSync(f))
    .map((f) => JSON.parse(readFileSync(f, 'utf8')) as DatasetVersionMeta);
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9._-]+/g, '-');

export function dataPackageJson(boundaryKey: string, metas: DatasetVersionMeta[]) {
  const b = metas[0]?.boundary;
  return {
    profile: 'data-package',
    name: slug(`subsetd-${boundaryKey}`),
    title: `Data clipped to ${b?.name ?? boundaryKey}`,
    created: new Date().toISOString(),
    keywords: ['subsetd', boundaryKey],
    resources: metas.flatMap((m) =>
      m.files.map((f, i) => ({
        profile: 'data-resource',
        name: slug(m.files.length > 1 ? `${m.dataset.id}-${i + 1}` : m.dataset.id),
        title: m.dataset.title,
        description: m.dataset.description,
        path: f.path,
        format: f.format,
        mediatype: f.mediatype,
        bytes: f.bytes,
        hash: `sha256:${f.sha256}`,
        version: m.dataset.version,
        licenses: [{ name: m.dataset.licence.name, ...(m.dataset.licence.path ? { path: m.dataset.licence.path } : {}), ...(m.dataset.licence.title ? { title: m.dataset.licence.title } : {}) }],
        sources: [{ title: m.dataset.title, ...(m.dataset.origin ? { path: m.dataset.origin } : {}) }],
        ...(m.dataset.citation ? { citation: m.dataset.citation } : {}),
      })),
    ),
  };
}

export function provenanceJson(boundaryKey: string, metas: DatasetVersionMeta[]) {
  return {
    boundary: metas[0]?.boundary ?? { id: boundaryKey },
    generated: new Date().toISOString(),
    datasets: metas.map((m) => ({
      id: m.dataset.id,
      version: m.dataset.version,
      inputs: m.dataset.paths,
      process: m.process,
      jobId: m.jobId,
      started: m.started,
      finished: m.finished,
      seconds: m.seconds,
      versions: m.versions,
      outputs: m.files.map((f) => ({ path: f.path, sha256: f.sha256, bytes: f.bytes })),
    })),
  };
}

export function writeJsonAtomic(file: string, value: unknown) {
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, file);
}
