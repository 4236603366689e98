/** The operations a GDAL child performs, by name. Each runs entirely inside the child. */
import type { OpContext } from '../child-protocol.js';
import { clipRaster } from './clip-raster.js';
import { clipVector } from './clip-vector.js';
import { describeData } from './describe.js';
import { readBoundaries } from './read-boundaries.js';
import { writeGeoPackage, writeGeoTiff } from './write-sample.js';
import type { Gdal } from './gdal-type.js';

type Op = (gdal: Gdal, args: never, ctx: OpContext) => Promise<unknown>;

export const OPS: Record<string, Op> = {
  'clip-raster': clipRaster as Op,
  'clip-vector': clipVector as Op,
  'read-boundaries': readBoundaries as Op,
  describe: describeData as Op,
  'write-geotiff': writeGeoTiff as Op,
  'write-geopackage': writeGeoPackage as Op,
  versions: (async (gdal: Gdal) => ({ gdal: gdal.version, node: process.version })) as Op,
};
