/**
 * clip-raster: any GDAL raster (GeoTIFF, COG, NetCDF variable, VRT) cut to a boundary, an
 * uploaded polygon or a bbox, as a Cloud Optimized GeoTIFF. The work happens in the thread's
 * GDAL child process (src/gdal/child-client.ts); this thread only resolves inputs and reports.
 */
import { join } from 'node:path';
import { apiBoundaryStore, boundaryStoreFor } from '../../src/boundaries/runtime.js';
import { gdalChild } from '../../src/gdal/child-client.js';
import type { ClipRasterArgs, ClipRasterResult } from '../../src/gdal/ops/clip-raster.js';
import { COMPRESSIONS, type Compression } from '../../src/gdal/ops/compression.js';
import type { Process } from '../../src/processes/types.js';
import { compactRegion } from '../../src/regions/antimeridian.js';
import { resolveDataPath } from '../../src/regions/data-path.js';
import { REGION_INPUTS, resolveRegion, validateRegion } from '../../src/regions/region-input.js';

export const COG_TYPE = 'image/tiff; application=geotiff; profile=cloud-optimized';

export const clipRasterProcess: Process = {
  description: {
    id: 'clip-raster',
    version: '1.0.0',
    title: 'Clip a raster to a region',
    description:
      'Cuts a raster under the data root to a boundary, an uploaded GeoJSON polygon or a bbox and writes a Cloud Optimized GeoTIFF. ' +
      'Pixels outside the polygon become nodata (crop "polygon") or the bbox of the region is cut out (crop "bbox"). ' +
      'Regions crossing the antimeridian give a compact raster with longitudes continued past 180°.',
    keywords: ['raster', 'clip', 'GeoTIFF', 'COG', 'NetCDF'],
    jobControlOptions: ['sync-execute', 'async-execute', 'dismiss'],
    inputs: {
      dataset: { title: 'Raster path', description: 'Path below the data root (GeoTIFF, COG, NetCDF, VRT, any GDAL raster).', schema: { type: 'string', minLength: 1, maxLength: 1024 } },
      variable: { title: 'NetCDF variable', description: 'For files with several variables.', schema: { type: 'string', pattern: '^[A-Za-z0-9_.\\-]{1,128}$' }, minOccurs: 0 },
      ...REGION_INPUTS,
      crop: { title: 'Crop', description: '"polygon": outside pixels set to nodata; "bbox": the region\'s bounding box only.', schema: { type: 'string', enum: ['polygon', 'bbox'], default: 'polygon' }, minOccurs: 0 },
      compression: { title: 'Compression', description: 'Of the COG: "zstd" (level 1, fastest), "deflate" (for readers older than GDAL 2.3), "lzw" or "none".', schema: { type: 'string', enum: [...COMPRESSIONS], default: 'zstd' }, minOccurs: 0 },
    },
    outputs: {
      raster: { title: 'Clipped raster (COG)', schema: { type: 'string', contentMediaType: COG_TYPE } },
      info: { title: 'Size, bbox, CRS and nodata of the output', schema: { type: 'object' } },
    },
  },
  validate(inputs, env) {
    resolveDataPath(env.dataRoot, inputs.dataset);
    validateRegion(inputs, apiBoundaryStore());
  },
  async execute(inputs, ctx) {
    const region = resolveRegion(inputs, () => boundaryStoreFor(ctx.stateDir));
    const { parts, bbox } = compactRegion(region.parts);
    const file = `${region.label}.tif`;
    ctx.progress(1, `clipping ${inputs.dataset} to ${region.label}`);
    const args: ClipRasterArgs = {
      src: resolveDataPath(ctx.dataRoot, inputs.dataset),
      variable: inputs.variable as string | undefined,
      parts,
      bbox,
      crop: inputs.crop === 'bbox' ? 'bbox' : 'polygon',
      compression: (inputs.compression as Compression | undefined) ?? 'zstd',
      out: join(ctx.workDir, file),
      tmpDir: join(ctx.workDir, '.tmp'),
    };
    const info = await gdalChild().run<ClipRasterResult>('clip-raster', args, { signal: ctx.signal, progress: (p, m) => ctx.progress(1 + p * 0.98, m) });
    ctx.progress(100, 'done');
    return { outputs: { raster: { file, type: COG_TYPE, title: `${inputs.dataset} clipped to ${region.label}` }, info } };
  },
};
