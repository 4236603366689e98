/**
 * package: a boundary and a list of hosted dataset ids -> a package folder with each dataset
 * clipped by the right processor, datapackage.json, provenance.json and a zip. Dataset-versions
 * already built for the boundary are reused; see src/datasets/package-builder.ts.
 */
import { copyFileSync, linkSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiBoundaryStore, boundaryStoreFor } from '../../src/boundaries/runtime.js';
import { buildPackage } from '../../src/datasets/package-builder.js';
import { boundaryKey, hostedDatasets, packagesRoot } from '../../src/datasets/runtime.js';
import { gdalChild } from '../../src/gdal/child-client.js';
import { InputError, type Process, type ProcessorFamily } from '../../src/processes/types.js';
import { DEFAULT_SET, REGION_INPUTS, validateRegion } from '../../src/regions/region-input.js';
import { VERSION } from '../../src/version.js';

const packageProcess: Process = {
  description: {
    id: 'package',
    version: '1.0.0',
    title: 'Package hosted datasets for a boundary',
    description:
      'Clips each listed dataset (GET /datasets) to the boundary and assembles a Frictionless data package with datapackage.json (path, bytes, sha256, licence, sources), provenance.json and a zip. ' +
      'Dataset-versions already packaged for the boundary are reused. The package is also served at /packages/{boundary}.',
    keywords: ['package', 'datapackage', 'frictionless'],
    jobControlOptions: ['async-execute', 'sync-execute', 'dismiss'],
    inputs: {
      boundary: REGION_INPUTS.boundary,
      boundarySet: REGION_INPUTS.boundarySet,
      datasets: { title: 'Dataset ids', schema: { type: 'array', items: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{0,63}$' }, minItems: 1, maxItems: 100, uniqueItems: true } },
    },
    outputs: {
      package: { title: 'The package as a zip', schema: { type: 'string', contentMediaType: 'application/zip' } },
      datapackage: { title: 'datapackage.json', schema: { type: 'object' } },
      built: { title: 'Dataset-versions built by this job', schema: { type: 'array', items: { type: 'string' } } },
      reused: { title: 'Dataset-versions reused from earlier jobs', schema: { type: 'array', items: { type: 'string' } } },
    },
  },
  validate(inputs, env) {
    if (inputs.boundary === undefined) throw new InputError('boundary', 'is required');
    validateRegion(inputs, apiBoundaryStore());
    const hosted = new Set(hostedDatasets(env.datasetsFile ?? '').map((d) => d.id));
    for (const [i, id] of (inputs.datasets as string[]).entries()) if (!hosted.has(id)) throw new InputError(`datasets[${i}]`, `no hosted dataset "${id}" (see GET /datasets)`);
  },
  async execute(inputs, ctx) {
    const { stateDir } = ctx;
    const set = String(inputs.boundarySet ?? DEFAULT_SET);
    const b = boundaryStoreFor(stateDir).get(set, String(inputs.boundary));
    if (!b) throw new InputError('boundary', `no boundary "${inputs.boundary}" in set "${set}"`);
    const wanted = inputs.datasets as string[];
    const datasets = hostedDatasets(ctx.datasetsFile).filter((d) => wanted.includes(d.id));
    if (datasets.length !== wanted.length) throw new InputError('datasets', 'a dataset is no longer hosted');
    const versions = { subsetd: VERSION, ...(await gdalChild().run<Record<string, string>>('versions', {}, { signal: ctx.signal })) };
    const key = boundaryKey(set, b.id);
    const out = await buildPackage({
      pkgRoot: packagesRoot(stateDir),
      boundaryKey: key,
      boundary: { set, id: b.id, name: b.name, parts: b.parts },
      datasets,
      dataRoot: ctx.dataRoot,
      jobId: ctx.jobId,
      versions,
      signal: ctx.signal,
      progress: (p, m) => ctx.progress(p, m),
    });
    // The job's own copy of the zip: a hard link when on one filesystem (the usual case).
    const zipName = `${key}.zip`;
    try {
      linkSync(out.zip, join(ctx.workDir, zipName));
    } catch {
      copyFileSync(out.zip, join(ctx.workDir, zipName));
    }
    ctx.progress(100, `package ${key}: built ${out.built.length}, reused ${out.reused.length}`);
    return {
      outputs: {
        package: { file: zipName, type: 'application/zip', title: `Package for ${b.name}` },
        datapackage: JSON.parse(readFileSync(join(out.pkgDir, 'datapackage.json'), 'utf8')),
        built: out.built,
        reused: out.reused,
      },
    };
  },
};

const family: ProcessorFamily = { name: 'package', processes: [packageProcess] };
export default family;
