/**
 * Builds a boundary's package in the worker: each requested dataset-version is clipped once
 * (reused when present, built under a directory lock otherwise, into a temp folder renamed into
 * place), the clips run at the same time in the GDAL child (both cores), then datapackage.json,
 * provenance.json and the zip are rewritten under the package's metadata lock.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gdalChild } from '../gdal/child-client.js';
import type { ClipRasterResult } from '../gdal/ops/clip-raster.js';
import type { ClipVectorResult } from '../gdal/ops/clip-vector.js';
import { compactRegion } from '../regions/antimeridian.js';
import { cutAtAntimeridian } from '../boundaries/antimeridian-cut.js';
import { resolveDataPath } from '../regions/data-path.js';
import type { MultiPolygonCoords } from '../regions/geojson.js';
import { dataPackageJson, provenanceJson, readMetas, writeJsonAtomic, type BuiltFile, type DatasetVersionMeta } from './datapackage.js';
import type { Dataset } from './datasets.js';
import { withDirLock } from './dir-lock.js';
import { writeZip } from './package-zip.js';

export interface BuildRequest {
  pkgRoot: string;
  boundaryKey: string;
  boundary: { set: string; id: string; name: string; parts: MultiPolygonCoords };
  datasets: Dataset[];
  dataRoot: string;
  jobId: string;
  versions: Record<string, string>;
  signal: AbortSignal;
  progress(percent: number, message: string): void;
}

export interface BuildOutcome {
  pkgDir: string;
  zip: string;
  built: string[];
  reused: string[];
}

const COG = 'image/tiff; application=geotiff; profile=cloud-optimized';

export async function buildPackage(r: BuildRequest): Promise<BuildOutcome> {
  const pkgDir = join(r.pkgRoot, r.boundaryKey);
  mkdirSync(join(pkgDir, 'data'), { recursive: true });
  const done = new Map<string, number>();
  const report = (key: string, f: number, msg: string) => {
    done.set(key, f);
    const total = [...done.values()].reduce((a, b) => a + b, 0) / r.datasets.length;
    r.progress(2 + total * 88, msg);
  };
  const built: string[] = [];
  const reused: string[] = [];
  await Promise.all(
    r.datasets.map(async (ds) => {
      const key = `${ds.id}@${ds.version}`;
      const target = join(pkgDir, 'data', key);
      if (existsSync(target)) return void (reused.push(key), report(key, 1, `${key} reused`));
      await withDirLock(join(pkgDir, '.locks', key), { signal: r.signal, onWait: () => report(key, 0, `${key} is being built by another job; waiting`) }, async () => {
        if (existsSync(target)) return void (reused.push(key), report(key, 1, `${key} reused`));
        await buildOne(r, ds, pkgDir, target, (f) => report(key, f, `clipping ${key}`));
        built.push(key);
      });
    }),
  );
  r.progress(92, 'writing datapackage.json, provenance.json and the zip');
  const zipName = `${r.boundaryKey}.zip`;
  await withDirLock(join(pkgDir, '.locks', '_package'), { signal: r.signal }, async () => {
    const metas = readMetas(pkgDir);
    writeJsonAtomic(join(pkgDir, 'datapackage.json'), dataPackageJson(r.boundaryKey, metas));
    writeJsonAtomic(join(pkgDir, 'provenance.json'), provenanceJson(r.boundaryKey, metas));
    const files = ['datapackage.json', 'provenance.json', ...metas.flatMap((m) => m.files.map((f) => f.path))];
    await writeZip(pkgDir, zipName, files);
  });
  return { pkgDir, zip: join(pkgDir, zipName), built, reused };
}

async function buildOne(r: BuildRequest, ds: Dataset, pkgDir: string, target: string, progress: (f: number) => void) {
  const tmp = join(pkgDir, '.tmp', `${ds.id}@${ds.version}-${r.jobId}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const started = new Date();
  const files: BuiltFile[] = [];
  try {
    for (const [i, rel] of ds.paths.entries()) {
      const src = resolveDataPath(r.dataRoot, rel, `datasets[${ds.id}].path`);
      const base = ds.paths.length > 1 ? `${ds.id}-${i + 1}` : ds.id;
      const onProgress = (p: number) => progress((i + p / 100) / ds.paths.length);
      const opts = { signal: r.signal, progress: onProgress };
      let name: string;
      if (ds.format === 'raster') {
        const { parts, bbox } = compactRegion(r.boundary.parts);
        name = `${base}.tif`;
        await gdalChild().run<ClipRasterResult>('clip-raster', { src, variable: ds.variable, parts, bbox, crop: 'polygon', out: join(tmp, name), tmpDir: join(tmp, '.work') }, opts);
      } else {
        name = `${base}.gpkg`;
        await gdalChild().run<ClipVectorResult>('clip-vector', { src, layer: ds.layer, parts: cutAtAntimeridian(r.boundary.parts), mode: 'clip', format: 'GPKG', out: join(tmp, name), tmpDir: join(tmp, '.work') }, opts);
      }
      const full = join(tmp, name);
      files.push({
        path: relative(pkgDir, join(target, name)).split('\\').join('/'),
        bytes: statSync(full).size,
        sha256: await sha256(full),
        mediatype: ds.format === 'raster' ? COG : 'application/geopackage+sqlite3',
        format: ds.format === 'raster' ? 'tif' : 'gpkg',
      });
    }
    const finished = new Date();
    const meta: DatasetVersionMeta = {
      dataset: ds,
      boundary: { set: r.boundary.set, id: r.boundary.id, name: r.boundary.name },
      files,
      process: ds.format === 'raster' ? 'clip-raster' : 'clip-vector',
      started: started.toISOString(),
      finished: finished.toISOString(),
      seconds: (finished.getTime() - started.getTime()) / 1000,
      versions: r.versions,
      jobId: r.jobId,
    };
    writeFileSync(join(tmp, 'meta.json'), JSON.stringify(meta, null, 2));
    // The dataset-version appears whole or not at all.
    renameSync(tmp, target);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function sha256(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file).on('data', (d) => h.update(d)).on('end', () => resolve(h.digest('hex'))).on('error', reject);
  });
}
