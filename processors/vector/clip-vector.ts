/**
 * clip-vector: any OGR source under the data root (GeoPackage, shapefile, zipped shapefile,
 * GeoJSON, ...) clipped to a region into GeoPackage, GeoJSON or FlatGeobuf. Runs in the
 * thread's GDAL child like clip-raster.
 */
import { join } from 'node:path';
import { boundaryStoreFor, apiBoundaryStore } from '../../src/boundaries/runtime.js';
import { cutAtAntimeridian } from '../../src/boundaries/antimeridian-cut.js';
import { gdalChild } from '../../src/gdal/child-client.js';
import type { ClipVectorArgs, ClipVectorResult, VectorFormat } from '../../src/gdal/ops/clip-vector.js';
import type { Process } from '../../src/processes/types.js';
import { resolveDataPath } from '../../src/regions/data-path.js';
import { REGION_INPUTS, resolveRegion, validateRegion } from '../../src/regions/region-input.js';

export const VECTOR_FORMATS: Record<VectorFormat, { ext: string; type: string }> = {
  GPKG: { ext: 'gpkg', type: 'application/geopackage+sqlite3' },
  GeoJSON: { ext: 'geojson', type: 'application/geo+json' },
  FlatGeobuf: { ext: 'fgb', type: 'application/vnd.flatgeobuf' },
};

export const clipVectorProcess: Process = {
  description: {
    id: 'clip-vector',
    version: '1.0.0',
    title: 'Clip vector data to a region',
    description:
      'Cuts an OGR source under the data root to a boundary, an uploaded GeoJSON polygon or a bbox. mode "clip" cuts geometries at the boundary (ogr2ogr -clipsrc); ' +
      '"intersects" keeps whole features that touch the region.',
    keywords: ['vector', 'clip', 'GeoPackage', 'GeoJSON', 'FlatGeobuf'],
    jobControlOptions: ['sync-execute', 'async-execute', 'dismiss'],
    inputs: {
      dataset: { title: 'Vector path', description: 'Path below the data root (GeoPackage, shapefile, .zip of a shapefile, GeoJSON, ...).', schema: { type: 'string', minLength: 1, maxLength: 1024 } },
      layer: { title: 'Layer', description: 'One layer of a multi-layer source (default: all).', schema: { type: 'string', minLength: 1, maxLength: 256 }, minOccurs: 0 },
      ...REGION_INPUTS,
      mode: { title: 'Mode', schema: { type: 'string', enum: ['clip', 'intersects'], default: 'clip' }, minOccurs: 0 },
      format: { title: 'Output format', schema: { type: 'string', enum: Object.keys(VECTOR_FORMATS), default: 'GPKG' }, minOccurs: 0 },
    },
    outputs: {
      vector: { title: 'Clipped vector data', schema: { type: 'string' } },
      info: { title: 'Layers and feature counts', schema: { type: 'object' } },
    },
  },
  validate(inputs, env) {
    resolveDataPath(env.dataRoot, inputs.dataset);
    validateRegion(inputs, apiBoundaryStore());
  },
  async execute(inputs, ctx) {
    const region = resolveRegion(inputs, () => boundaryStoreFor(ctx.stateDir));
    const format = (inputs.format as VectorFormat) ?? 'GPKG';
    const file = `${region.label}.${VECTOR_FORMATS[format].ext}`;
    const args: ClipVectorArgs = {
      src: resolveDataPath(ctx.dataRoot, inputs.dataset),
      layer: inputs.layer as string | undefined,
      // Vector data lives in -180..180: cut the region the same way rather than compacting it.
      parts: cutAtAntimeridian(region.parts),
      mode: inputs.mode === 'intersects' ? 'intersects' : 'clip',
      format,
      out: join(ctx.workDir, file),
      tmpDir: join(ctx.workDir, '.tmp'),
    };
    ctx.progress(1, `clipping ${inputs.dataset} to ${region.label}`);
    const info = await gdalChild().run<ClipVectorResult>('clip-vector', args, { signal: ctx.signal, progress: (p, m) => ctx.progress(1 + p * 0.98, m) });
    ctx.progress(100, 'done');
    return { outputs: { vector: { file, type: VECTOR_FORMATS[format].type, title: `${inputs.dataset} clipped to ${region.label}` }, info } };
  },
};
